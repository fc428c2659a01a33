//! How often the paired sequential rule of `compare --run` (`docs/gate.md` §12.2) fails,
//! passes or runs out of rounds, by simulation: the real [`Rounds`] bookkeeping, fed normal log
//! ratios of a chosen spread and shift instead of processes.
//!
//! Each simulated comparison has two paired series, as `compare --run` on one bench and the
//! start-up block has: the one under study, and a quiet one (1% spread, no change). Printed
//! per plan and scenario: the share of comparisons whose series stopped beyond half the gate
//! in the worse direction (a gate failure), inside it (a pass), or at the round budget (an
//! advisory), and the median rounds.
//!
//! Run: `cargo run --release -p perfgate --example paired_power [RUNS]` (default 400).

use perfgate::gate::{Sequential, SeriesKey, Stop};
use perfgate::interleave::{Rounds, Unit};
use perfgate::measure::{Measurement, Unit as MeasureUnit};
use perfgate::stats::{self, SplitMix64};

/// One scenario: the per-round spread of ln(head/base), the true change, the gate.
struct Scenario {
    spread: f64,
    change: f64,
    gate: f64,
}

/// What a run of simulated comparisons gave.
struct Outcome {
    fails: usize,
    passes: usize,
    budgets: usize,
    rounds: Vec<f64>,
}

/// A standard normal deviate (Box–Muller) from two uniform ones, the first in (0, 1].
fn normal(rng: &mut SplitMix64) -> f64 {
    let (u, v) = (1.0 - rng.next_unit(), rng.next_unit());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn wall(bench: &str, value: f64) -> Vec<Measurement> {
    vec![Measurement::exact(
        bench,
        "wall_time_ns",
        MeasureUnit::Nanoseconds,
        value,
    )]
}

/// One simulated comparison under `plan`: how the studied series stopped, after how many
/// rounds, and whether its estimate is worse.
fn compare(plan: Sequential, s: &Scenario, rng: &mut SplitMix64) -> (Stop, usize, bool) {
    let studied = Unit::Bench {
        profile: "release".into(),
        bench: "studied".into(),
    };
    let quiet = Unit::Startup {
        profile: "release".into(),
    };
    let key = SeriesKey {
        profile: "release".into(),
        bench: "studied".into(),
        metric: "wall_time_ns".into(),
    };
    let mut rounds = Rounds::new(plan, 0.05);
    for round in 1..=plan.budget {
        for (unit, bench, spread, change) in [
            (&studied, "studied", s.spread, s.change),
            (&quiet, "quiet", 0.01, 0.0),
        ] {
            if rounds.goes_on(unit) {
                let d = (1.0 + change).ln() + spread * normal(rng);
                rounds.record(unit, &wall(bench, 100.0), &wall(bench, 100.0 * d.exp()));
            }
        }
        rounds.look(round, |_| s.gate);
        if !rounds.goes_on(&studied) && !rounds.goes_on(&quiet) {
            break;
        }
    }
    let pairs = rounds.finish(|_| Vec::new());
    let studied = &pairs[&key];
    let worse = stats::walsh_median(&studied.log_ratios).is_some_and(|hl| hl > 0.0);
    (studied.stop, studied.log_ratios.len(), worse)
}

fn simulate(plan: Sequential, s: &Scenario, runs: usize, seed: u64) -> Outcome {
    let mut rng = SplitMix64::new(seed);
    let mut out = Outcome {
        fails: 0,
        passes: 0,
        budgets: 0,
        rounds: Vec::with_capacity(runs),
    };
    for _ in 0..runs {
        let (stop, rounds, worse) = compare(plan, s, &mut rng);
        match stop {
            Stop::Beyond if worse => out.fails += 1,
            Stop::Beyond => {}
            Stop::Inside => out.passes += 1,
            Stop::Budget => out.budgets += 1,
        }
        out.rounds.push(rounds as f64);
    }
    out
}

fn main() {
    let runs: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 400,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("paired_power: RUNS must be a positive whole number");
            std::process::exit(2);
        }
    };
    let plans = [
        ("quick", Sequential::QUICK),
        ("full (rounds of longer bursts)", Sequential::FULL),
    ];
    let scenarios = [
        (0.01, 0.0, 0.10),
        (0.01, 0.12, 0.10),
        (0.02, 0.058, 0.03),
        (0.06, 0.0, 0.10),
        (0.06, 0.12, 0.10),
        (0.06, 0.0, 0.03),
        (0.06, 0.058, 0.03),
        (0.08, 0.12, 0.10),
        (0.08, 0.058, 0.03),
    ]
    .map(|(spread, change, gate)| Scenario {
        spread,
        change,
        gate,
    });
    println!("{runs} simulated comparisons a cell (two paired series, α = 0.05)");
    println!(
        "{:<32} {:>6} {:>7} {:>5}  {:>6} {:>6} {:>8} {:>7}",
        "plan", "spread", "change", "gate", "fail", "pass", "advisory", "rounds"
    );
    for (name, plan) in plans {
        for (i, s) in scenarios.iter().enumerate() {
            let o = simulate(plan, s, runs, 1 + i as u64);
            let share = |n: usize| format!("{:.1}%", 100.0 * n as f64 / runs as f64);
            println!(
                "{:<32} {:>5.0}% {:>+6.1}% {:>4.0}%  {:>6} {:>6} {:>8} {:>7}",
                name,
                100.0 * s.spread,
                100.0 * s.change,
                100.0 * s.gate,
                share(o.fails),
                share(o.passes),
                share(o.budgets),
                stats::median(&o.rounds).unwrap_or(f64::NAN)
            );
        }
    }
}
