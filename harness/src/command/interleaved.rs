//! `perfgate compare --run`: both commits measured in this job (`docs/gate.md` §12.1).
//!
//! 1. Each side is measured once as `perfgate run --rev` does (builds, instructions, sizes,
//!    allocations, build time), base first.
//! 2. The executables of the noisy measurements are frozen side by side, and the noisy units
//!    (each criterion bench target, the start-up block) run in a warm-up round and
//!    [`ROUNDS`] measured rounds, base and head interleaved in a seeded order
//!    ([`interleave::schedule`]). One process is one sample.
//! 3. The pooled baselines are compared. A noisy regression is measured in two more passes and
//!    fails only if it regresses in 2 of the 3; a deterministic regression is measured once
//!    more on the head and is advisory if the second value differs.
//! 4. Both pooled baselines are stored.

use std::collections::BTreeMap;
use std::path::Path;

use crate::builds::target::{BenchKind, Built};
use crate::error::Error;
use crate::gate::{self, Comparison, GateRules, History, MetricClass, SeriesKey, Verdict};
use crate::git::CommitInfo;
use crate::interleave::{self, Side, Unit};
use crate::measure::Measurement;
use crate::metric::Metric;
use crate::plan::Sampling;
use crate::plan::Startup;
use crate::progress::Progress;
use crate::run;
use crate::run::divan::DivanSampling;
use crate::run::rounds::RoundSampling;
use crate::store::{self, Baseline};

use crate::pipeline::{Measured, sort};

/// Measured rounds per pass (after one warm-up round): n = 10 processes per side, the least
/// at which a rank test of one series can reach q < α in a family of thousands.
pub const ROUNDS: usize = 10;
/// Passes a noisy regression is judged in before it fails (it must regress in most of them).
pub const PASSES: usize = 3;

/// The sampling of one process of a round: short, since the samples are the processes;
/// `full` measures each process for longer (criterion's longer times, divan's own sampling).
fn round_sampling(full: bool) -> RoundSampling {
    if full {
        RoundSampling {
            criterion: Sampling {
                warm_up_s: Some(0.5),
                measurement_s: Some(1.0),
                ..Sampling::DEFAULT
            },
            divan: DivanSampling::FULL,
        }
    } else {
        RoundSampling {
            criterion: Sampling {
                warm_up_s: Some(0.1),
                measurement_s: Some(0.3),
                sample_size: Some(10),
                nresamples: Some(1000),
            },
            divan: DivanSampling::QUICK,
        }
    }
}

/// What the interleaved comparison needs from the command layer.
pub(super) struct Job<'a> {
    /// The base and head commits.
    pub base: &'a CommitInfo,
    /// The head commit.
    pub head: &'a CommitInfo,
    /// Measures one commit as `perfgate run --rev` (and stores its baseline).
    pub measure: &'a dyn Fn(&CommitInfo) -> anyhow::Result<Measured>,
    /// Full mode (longer criterion processes) rather than quick.
    pub full: bool,
    /// The start-up measurement, if configured.
    pub startup: Option<Startup>,
    /// The noise fences' history, from the stored baselines before the base's.
    pub history: &'a dyn Fn(&Baseline) -> anyhow::Result<History>,
    /// The gate rules.
    pub rules: &'a GateRules,
    /// Where the pooled baselines are stored.
    pub baselines_dir: &'a Path,
}

/// Both sides as measured, with their frozen builds per profile.
struct Sides {
    base: Measured,
    head: Measured,
    frozen: BTreeMap<(Side, String), Built>,
}

impl Sides {
    fn measured(&self, side: Side) -> &Measured {
        match side {
            Side::Base => &self.base,
            Side::Head => &self.head,
        }
    }
}

/// The processes of one pass: per side and unit, each measured process's measurements.
type Gathered = BTreeMap<(Side, Unit), Vec<Vec<Measurement>>>;

/// Runs the whole interleaved comparison; returns the comparison of the pooled baselines.
pub(super) fn compare_both(job: &Job<'_>) -> anyhow::Result<Comparison> {
    let scratch = tempfile::tempdir().map_err(|source| Error::Io {
        action: "create a temporary directory in",
        path: std::env::temp_dir(),
        source,
    })?;
    // Each side is frozen as soon as it is measured: the head may be built into the same
    // target directory and overwrite the base's executables.
    let mut frozen = BTreeMap::new();
    let mut measure_and_freeze = |side: Side, commit: &CommitInfo| -> anyhow::Result<Measured> {
        eprintln!("perfgate: --run: measuring the {}", side.name());
        let measured = (job.measure)(commit)?;
        for (profile, built) in &measured.builds {
            let dir = scratch.path().join(side.name()).join(profile);
            let copy = run::rounds::freeze(built, &measured.target, job.startup.as_ref(), &dir)?;
            frozen.insert((side, profile.clone()), copy);
        }
        Ok(measured)
    };
    let base = measure_and_freeze(Side::Base, job.base)?;
    let head = measure_and_freeze(Side::Head, job.head)?;
    let history = (job.history)(&base.baseline)?;
    let sides = Sides { base, head, frozen };
    let units = units(&sides, job.startup.is_some());
    let home = scratch.path().join("results");

    let first = run_pass(job, &sides, &units, 1, &home)?;
    let mut base_pooled = sides.base.baseline.clone();
    let mut head_pooled = sides.head.baseline.clone();
    apply(&mut base_pooled, Side::Base, &first, job.startup.as_ref());
    apply(&mut head_pooled, Side::Head, &first, job.startup.as_ref());
    let judge =
        |b: &Baseline, h: &Baseline| gate::compare(b, h, &history, job.rules).map_err(Error::from);
    let mut comparison = judge(&base_pooled, &head_pooled)?;

    // Confirm-on-fail: the noisy regressions, in more passes of their units.
    let noisy = regressed(&comparison, MetricClass::Noisy);
    if !noisy.is_empty() {
        let again: Vec<Unit> = units
            .iter()
            .filter(|u| noisy.iter().any(|k| produced_by(u, k, &first)))
            .cloned()
            .collect();
        let mut regressed_in: BTreeMap<&SeriesKey, usize> = noisy.iter().map(|k| (k, 1)).collect();
        for pass in 2..=PASSES {
            eprintln!(
                "perfgate: --run: {} noisy series regressed; confirmation pass {pass} of {PASSES}",
                noisy.len()
            );
            let gathered = run_pass(job, &sides, &again, pass, &home)?;
            let (mut b, mut h) = (base_pooled.clone(), head_pooled.clone());
            apply(&mut b, Side::Base, &gathered, job.startup.as_ref());
            apply(&mut h, Side::Head, &gathered, job.startup.as_ref());
            let pass_comparison = judge(&b, &h)?;
            for s in &pass_comparison.series {
                if s.verdict == Verdict::Regressed
                    && let Some(count) = regressed_in.get_mut(&s.key)
                {
                    *count += 1;
                }
            }
        }
        for (key, count) in regressed_in {
            comparison.confirm(key, count, PASSES);
        }
    }

    // The determinism check: a deterministic regression measured once more on the head.
    let deterministic = regressed(&comparison, MetricClass::Deterministic);
    let again = remeasure_head(&sides, &deterministic, job.startup.as_ref(), &home)?;
    for key in &deterministic {
        if let Some(value) = again.get(key) {
            comparison.reproduce(key, *value);
        }
    }

    store::save(job.baselines_dir, &base_pooled)?;
    store::save(job.baselines_dir, &head_pooled)?;
    Ok(comparison)
}

/// The series of `class` that regressed and are not advisory: those a second look may clear.
fn regressed(comparison: &Comparison, class: MetricClass) -> Vec<SeriesKey> {
    comparison
        .series
        .iter()
        .filter(|s| s.verdict == Verdict::Regressed && s.class == class && !s.advisory)
        .map(|s| s.key.clone())
        .collect()
}

/// The noisy units both sides have: every criterion bench target of every profile, and the
/// start-up block of every profile.
fn units(sides: &Sides, startup: bool) -> Vec<Unit> {
    let mut units = Vec::new();
    for profile in sides.head.builds.keys() {
        if !sides.base.builds.contains_key(profile) {
            continue;
        }
        for bench in &sides.head.target.benches {
            let in_base = sides
                .base
                .target
                .benches
                .iter()
                .any(|b| b.artifact_name() == bench.artifact_name() && b.kind == bench.kind);
            let wall_time = matches!(bench.kind, BenchKind::Criterion | BenchKind::Divan);
            if wall_time && in_base {
                units.push(Unit::Bench {
                    profile: profile.clone(),
                    bench: bench.artifact_name(),
                });
            }
        }
        if startup {
            units.push(Unit::Startup {
                profile: profile.clone(),
            });
        }
    }
    units
}

/// Runs one pass: a warm-up round and [`ROUNDS`] rounds of `units`, in the pass's order.
fn run_pass(
    job: &Job<'_>,
    sides: &Sides,
    units: &[Unit],
    pass: usize,
    home: &Path,
) -> anyhow::Result<Gathered> {
    let steps = interleave::schedule(
        units,
        ROUNDS,
        interleave::seed(&job.base.sha, &job.head.sha, pass),
    );
    let progress = Progress::new(steps.len() as u64);
    let sampling = round_sampling(job.full);
    // A start-up block runs its share of the configured runs, at least one.
    let startup = job.startup.as_ref().map(|s| Startup {
        runs: s.runs.div_ceil(ROUNDS).max(1),
        ..s.clone()
    });
    let mut gathered = Gathered::new();
    for step in steps {
        let profile = step.unit.profile().to_string();
        let what = match &step.unit {
            Unit::Bench { bench, .. } => format!("bench `{bench}`"),
            Unit::Startup { .. } => "start-up".to_string(),
        };
        progress.step(
            &profile,
            &format!(
                "pass {pass}, round {}/{ROUNDS}, {what}, {:?}",
                step.round, step.side
            ),
        );
        let Some(built) = sides.frozen.get(&(step.side, profile)) else {
            continue;
        };
        let measured = sides.measured(step.side);
        let ms = run::rounds::run_unit(
            &step.unit,
            built,
            &measured.target,
            &sampling,
            startup.as_ref(),
            home,
        )?;
        progress.done();
        if !step.is_warm_up() {
            gathered
                .entry((step.side, step.unit.clone()))
                .or_default()
                .push(ms);
        }
    }
    progress.finish();
    Ok(gathered)
}

/// Puts the pooled processes of `side` into its baseline, in place of the measurements of the
/// same bench and metric.
fn apply(baseline: &mut Baseline, side: Side, gathered: &Gathered, startup: Option<&Startup>) {
    for ((s, unit), processes) in gathered {
        if *s != side {
            continue;
        }
        let pooled = match unit {
            Unit::Bench { .. } => interleave::pool_processes(processes),
            Unit::Startup { .. } => {
                let Some(startup) = startup else { continue };
                let samples: Vec<f64> = processes
                    .iter()
                    .flatten()
                    .filter(|m| m.metric == Metric::StartupWall)
                    .flat_map(|m| m.samples.iter().copied())
                    .collect();
                let sha = processes
                    .iter()
                    .flatten()
                    .find_map(|m| m.artifact_sha256.clone());
                run::startup::to_measurements(&startup.binary, &samples, sha)
            }
        };
        let Some(run) = baseline.profiles.get_mut(unit.profile()) else {
            continue;
        };
        run.measurements.retain(|m| {
            !pooled
                .iter()
                .any(|p| p.bench == m.bench && p.metric == m.metric)
        });
        run.measurements.extend(pooled);
        sort(&mut run.measurements);
    }
}

/// Whether the processes of `unit` in `gathered` measured the series `key`.
fn produced_by(unit: &Unit, key: &SeriesKey, gathered: &Gathered) -> bool {
    unit.profile() == key.profile
        && gathered
            .iter()
            .filter(|((_, u), _)| u == unit)
            .flat_map(|(_, processes)| processes.iter().flatten())
            .any(|m| m.bench == key.bench && m.metric == key.metric)
}

/// The deterministic series of `keys` measured once more on the head: the callgrind benches
/// of their profiles (through cargo, on the head's build, which was made last) and the
/// allocations of the start-up binary.
fn remeasure_head(
    sides: &Sides,
    keys: &[SeriesKey],
    startup: Option<&Startup>,
    home: &Path,
) -> anyhow::Result<BTreeMap<SeriesKey, f64>> {
    let mut values = BTreeMap::new();
    let profiles: std::collections::BTreeSet<&str> =
        keys.iter().map(|k| k.profile.as_str()).collect();
    for profile in profiles {
        let Some(built) = sides.head.builds.get(profile) else {
            continue;
        };
        let wanted: Vec<&SeriesKey> = keys.iter().filter(|k| k.profile == profile).collect();
        let mut measured: Vec<Measurement> = Vec::new();
        if wanted.iter().any(|k| k.metric == Metric::Instructions) {
            eprintln!("perfgate: --run: measuring the head's instructions again ({profile})");
            for bench in sides
                .head
                .target
                .benches
                .iter()
                .filter(|b| matches!(b.kind, BenchKind::Iai | BenchKind::Gungraun))
            {
                let dir = home.join("again").join(profile).join(&bench.name);
                crate::atomic::fresh_dir(&dir)?;
                measured.extend(run::iai::run(built, bench, &dir)?);
            }
        }
        if let Some(startup) = startup
            && wanted.iter().any(|k| k.bench.starts_with("alloc/"))
            && let Some(frozen) = sides.frozen.get(&(Side::Head, profile.to_string()))
        {
            eprintln!("perfgate: --run: measuring the head's allocations again ({profile})");
            measured.extend(run::alloc::measure(frozen, startup)?);
        }
        for key in wanted {
            if let Some(m) = measured
                .iter()
                .find(|m| m.bench == key.bench && m.metric == key.metric)
            {
                values.insert(key.clone(), m.value);
            }
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_rounds_are_short_and_full_rounds_longer() {
        let quick = round_sampling(false);
        let full = round_sampling(true);
        assert!(quick.criterion.measurement_s < full.criterion.measurement_s);
        assert!(quick.criterion.warm_up_s < full.criterion.warm_up_s);
        assert!(quick.divan.sample_count < full.divan.sample_count.or(Some(100)));
        assert!(quick.criterion.args(None).contains(&"--noplot".to_string()));
    }
}
