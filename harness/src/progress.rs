//! Progress on stderr: an indicatif bar on a terminal, one plain line per step otherwise (CI
//! logs, tests), nothing of it on stdout (which carries the summary or its JSON).

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// Reports the steps of a run.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Progress {
    /// A progress report of `steps` steps.
    pub fn new(steps: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(steps);
            bar.set_style(
                ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
        }
    }

    /// Starts a step: `profile: what`.
    pub fn step(&self, profile: &str, what: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("{profile}: {what}"));
            }
            None => eprintln!(
                "perfgate: [{:>6.1}s] {profile}: {what}",
                self.started.elapsed().as_secs_f64()
            ),
        }
    }

    /// Ends a step.
    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Clears the bar (before the summary is printed).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
