//! Start-up latency: one binary of the target, run as a whole process again and again, each
//! run timed from spawn to exit. One process is one sample (a start-up cost is paid once per
//! exec, so no in-process repetition can stand for it); the statistics over the samples become
//! [`Measurement`]s here, and nothing here decides whether they regressed.
//!
//! A discarded warm-up run comes first, so the first timed run does not pay for loading the
//! executable into the page cache.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

use crate::builds::target::Built;
use crate::error::{Error, Result};
use crate::measure::{Measurement, Unit};
use crate::metric::Metric;
use crate::plan::Startup;
use crate::process::{self, hint};
use crate::stats;

/// Times `startup.runs` processes of `startup.binary` (after one discarded warm-up run) and
/// returns, for bench `startup/<binary>`, the metrics of [`to_measurements`], each tied to the
/// binary's sha256.
///
/// Each process runs from the crate's directory with the configured arguments, stdin from the
/// configured file (relative to the crate's directory) or empty, and its output discarded. A
/// non-zero exit of any run is [`Error::BenchFailed`], with the stderr of one more run.
pub fn measure(built: &Built, startup: &Startup) -> Result<Vec<Measurement>> {
    let exe = binary(built, &startup.binary)?;
    let stdin = startup.stdin.as_ref().map(|p| built.crate_dir.join(p));
    let run = Run {
        built,
        bench: format!("startup/{}", startup.binary),
        exe,
        args: &startup.args,
        stdin: stdin.as_deref(),
    };
    run.time_one()?;
    let mut samples_ns = Vec::with_capacity(startup.runs);
    for _ in 0..startup.runs {
        samples_ns.push(run.time_one()?);
    }
    let sha = super::size::bin_sha256(built, &startup.binary)?;
    Ok(to_measurements(&startup.binary, &samples_ns, sha))
}

/// The executable of binary target `name`, or the config error naming the target's binaries.
/// Allocation measurement (`run::alloc`) runs the same binary and shares this check.
pub(crate) fn binary<'a>(built: &'a Built, name: &str) -> Result<&'a Path> {
    built.bin(name).ok_or_else(|| {
        let problem = if built.bins.is_empty() {
            "names no binary of the target; it has no `[[bin]]` targets".to_string()
        } else {
            let names: Vec<String> = built.bins.keys().map(|n| format!("`{n}`")).collect();
            format!(
                "names no binary of the target; its binaries are {}",
                names.join(", ")
            )
        };
        Error::ConfigInvalid {
            path: PathBuf::from("perfgate.toml"),
            key: "startup.binary".to_string(),
            problem,
        }
    })
}

/// Opens the stdin of one process: the file, or nothing.
pub(crate) fn stdin_of(path: Option<&Path>) -> Result<Stdio> {
    match path {
        Some(path) => File::open(path)
            .map(Stdio::from)
            .map_err(|source| Error::Io {
                action: "read",
                path: path.to_path_buf(),
                source,
            }),
        None => Ok(Stdio::null()),
    }
}

/// A command line as text, with the stdin redirection a shell would need to repeat it.
pub(crate) fn shell_line(cmd: &Command, stdin: Option<&Path>) -> String {
    let line = process::command_line(cmd);
    match stdin {
        Some(path) => format!("{line} < {}", path.display()),
        None => line,
    }
}

/// One timed process.
struct Run<'a> {
    built: &'a Built,
    bench: String,
    exe: &'a Path,
    args: &'a [String],
    stdin: Option<&'a Path>,
}

impl Run<'_> {
    fn command(&self) -> Command {
        let mut cmd = Command::new(self.exe);
        cmd.args(self.args).current_dir(&self.built.crate_dir);
        cmd
    }

    /// Runs the binary once and returns its wall time from spawn to exit, in nanoseconds.
    fn time_one(&self) -> Result<f64> {
        let mut cmd = self.command();
        cmd.stdin(stdin_of(self.stdin)?)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // The clock covers fork/exec, the dynamic loader, the program and the wait, nothing
        // else: the stdin file was opened above.
        let start = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| process::start_error(&cmd, e, hint::TARGET))?;
        let status = child
            .wait()
            .map_err(|e| process::start_error(&cmd, e, hint::TARGET))?;
        let elapsed = start.elapsed();
        if !status.success() {
            return Err(self.failed(status));
        }
        // A start-up time fits in f64's 53-bit mantissa for over a hundred days.
        Ok(elapsed.as_nanos() as f64)
    }

    /// The error for a run that ended with `status`; the binary is run once more with its
    /// stderr captured for the message.
    fn failed(&self, status: ExitStatus) -> Error {
        let mut cmd = self.command();
        let stderr_tail = match stdin_of(self.stdin) {
            Ok(stdin) => {
                cmd.stdin(stdin).stdout(Stdio::null());
                match process::spawn_output(&mut cmd, hint::TARGET) {
                    Ok(output) => process::tail(&output.stderr),
                    Err(e) => format!("(re-running it to capture stderr failed: {e})"),
                }
            }
            Err(e) => format!("(re-running it to capture stderr failed: {e})"),
        };
        Error::BenchFailed {
            bench: self.bench.clone(),
            profile: self.built.profile.name().to_string(),
            command: shell_line(&cmd, self.stdin),
            status: process::status_text(status),
            stderr_tail,
        }
    }
}

/// The start-up measurements of `binary` from per-process wall times in nanoseconds, in run
/// order. Bench `startup/<binary>`, every metric in lower-is-better form:
///
/// - `startup_wall_ns`: the median ([`stats::median`]), with every sample in run order;
/// - `startup_p95_ns`, `startup_p99_ns`: [`stats::percentile`] at 0.95 and 0.99 (linear
///   interpolation between closest ranks);
/// - `startup_max_ns`: the slowest run;
/// - `startup_cv`: [`stats::coefficient_of_variation`], s / x̄ (unit `Ratio`), left out for a
///   single sample, whose spread is undefined.
///
/// The last four are summaries of the same samples, stored without them. No samples give no
/// measurements.
pub fn to_measurements(binary: &str, samples_ns: &[f64], sha: Option<String>) -> Vec<Measurement> {
    let sorted = stats::sorted(samples_ns);
    let (Some(p50), Some(p95), Some(p99), Some(&max)) = (
        stats::percentile(&sorted, 0.5),
        stats::percentile(&sorted, 0.95),
        stats::percentile(&sorted, 0.99),
        sorted.last(),
    ) else {
        return Vec::new();
    };
    let bench = format!("startup/{binary}");
    let ns = Unit::Nanoseconds;
    let mut out = vec![
        Measurement::sampled(&bench, Metric::StartupWall, ns, p50, samples_ns.to_vec()),
        Measurement::exact(&bench, Metric::StartupP95, ns, p95),
        Measurement::exact(&bench, Metric::StartupP99, ns, p99),
        Measurement::exact(&bench, Metric::StartupMax, ns, max),
    ];
    if let Some(cv) = stats::coefficient_of_variation(samples_ns) {
        out.push(Measurement::exact(
            &bench,
            Metric::StartupCv,
            Unit::Ratio,
            cv,
        ));
    }
    out.into_iter()
        .map(|m| m.with_artifact(sha.clone()))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::profile::Profile;

    /// The absolute path of `program`, found on PATH.
    pub(crate) fn which(program: &str) -> PathBuf {
        let path = std::env::var_os("PATH").expect("PATH is set");
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("`{program}` is not on PATH"))
    }

    /// A build of a crate in the current directory whose binaries are programs on PATH.
    pub(crate) fn built(bins: &[(&str, &str)]) -> Built {
        Built {
            profile: Profile::Release,
            manifest_path: PathBuf::from("Cargo.toml"),
            crate_dir: PathBuf::from("."),
            target_dir: PathBuf::from("target"),
            cargo_args: Vec::new(),
            env: Vec::new(),
            features: Vec::new(),
            bench_exes: BTreeMap::new(),
            bins: bins
                .iter()
                .map(|(name, program)| (name.to_string(), which(program)))
                .collect(),
            artifacts: Vec::new(),
            bench_timeout: None,
        }
    }

    pub(crate) fn startup(binary: &str, args: &[&str], runs: usize) -> Startup {
        Startup {
            binary: binary.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            stdin: None,
            runs,
        }
    }

    /// (metric, value, number of samples) of each measurement.
    fn summary(ms: &[Measurement]) -> Vec<(&str, f64, usize)> {
        ms.iter()
            .map(|m| (m.metric.as_str(), m.value, m.samples.len()))
            .collect()
    }

    #[test]
    fn samples_become_percentiles_max_and_cv() {
        // Ten runs of 100..=1000 µs (in ns), out of order. Sorted: 1e5, 2e5, …, 1e6.
        let samples = [3e5, 1e5, 2e5, 10e5, 4e5, 5e5, 7e5, 6e5, 9e5, 8e5];
        let ms = to_measurements("app", &samples, Some("ab12".to_string()));
        // p50: h = 9 · 0.5 = 4.5 → 5e5 + 0.5 · 1e5. p95: h = 8.55 → 9e5 + 0.55 · 1e5.
        // p99: h = 8.91 → 9e5 + 0.91 · 1e5. CV: mean 5.5e5, s = 1e5 · √(82.5 / 9).
        let cv = 1e5 * (82.5f64 / 9.0).sqrt() / 5.5e5;
        let got = summary(&ms);
        let want = [
            ("startup_wall_ns", 5.5e5, 10),
            ("startup_p95_ns", 9.55e5, 0),
            ("startup_p99_ns", 9.91e5, 0),
            ("startup_max_ns", 1e6, 0),
            ("startup_cv", cv, 0),
        ];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for ((metric, value, n), (w_metric, w_value, w_n)) in got.iter().zip(want) {
            assert_eq!((*metric, *n), (w_metric, w_n));
            assert!(
                (value - w_value).abs() < 1e-6,
                "{metric}: {value} != {w_value}"
            );
        }
        assert_eq!(ms[0].samples, samples, "samples are kept in run order");
        for m in &ms {
            assert_eq!(m.bench, "startup/app");
            assert!(m.lower_is_better);
            assert_eq!(m.artifact_sha256.as_deref(), Some("ab12"));
        }
        assert_eq!(ms[4].unit, Unit::Ratio);
        assert!(ms[..4].iter().all(|m| m.unit == Unit::Nanoseconds));
    }

    #[test]
    fn one_sample_has_no_cv_and_none_has_nothing() {
        let ms = to_measurements("app", &[42.0], None);
        assert_eq!(
            summary(&ms),
            [
                ("startup_wall_ns", 42.0, 1),
                ("startup_p95_ns", 42.0, 0),
                ("startup_p99_ns", 42.0, 0),
                ("startup_max_ns", 42.0, 0),
            ]
        );
        assert!(to_measurements("app", &[], None).is_empty());
    }

    #[test]
    fn an_unknown_binary_names_the_known_ones() {
        let built = built(&[("a", "true"), ("b", "true")]);
        let err = measure(&built, &startup("c", &[], 1)).expect_err("unknown binary");
        assert_eq!(
            err.to_string(),
            "`perfgate.toml`: `startup.binary` names no binary of the target; its binaries are `a`, `b`"
        );
        let err = measure(&self::built(&[]), &startup("c", &[], 1)).expect_err("no binaries");
        assert_eq!(
            err.to_string(),
            "`perfgate.toml`: `startup.binary` names no binary of the target; it has no `[[bin]]` targets"
        );
    }

    #[test]
    fn every_run_is_one_sample() {
        let built = built(&[("ok", "true")]);
        let ms = measure(&built, &startup("ok", &[], 3)).expect("true succeeds");
        assert_eq!(ms[0].metric, "startup_wall_ns");
        assert_eq!(ms[0].samples.len(), 3);
        assert!(ms[0].samples.iter().all(|&ns| ns > 0.0));
    }

    #[test]
    fn a_failing_run_is_a_failed_bench_with_its_stderr() {
        let built = built(&[("fails", "sh")]);
        let err = measure(
            &built,
            &startup("fails", &["-c", "echo broken >&2; exit 3"], 5),
        )
        .expect_err("exit 3");
        let sh = which("sh");
        assert_eq!(
            err.to_string(),
            format!(
                "bench `startup/fails` failed under profile `release`: \
                 `{} -c 'echo broken >&2; exit 3'` (exit 3)\nbroken",
                sh.display()
            )
        );
    }

    #[test]
    fn stdin_comes_from_the_file_relative_to_the_crate() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("input.txt"), "hello").expect("write input");
        let mut built = built(&[("check", "sh")]);
        built.crate_dir = dir.path().to_path_buf();
        let mut s = startup("check", &["-c", r#"test "$(cat)" = hello"#], 2);
        s.stdin = Some(PathBuf::from("input.txt"));
        measure(&built, &s).expect("stdin is the file");
        // Without the file, stdin is empty and the check fails.
        s.stdin = None;
        measure(&built, &s).expect_err("stdin is empty");
    }

    #[test]
    fn a_missing_stdin_file_is_an_io_error() {
        let mut s = startup("ok", &[], 1);
        s.stdin = Some(PathBuf::from("perfgate-no-such-input.toml"));
        let err = measure(&built(&[("ok", "true")]), &s).expect_err("no such file");
        assert!(matches!(err, Error::Io { action: "read", .. }), "{err}");
    }
}
