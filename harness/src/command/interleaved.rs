//! `perfgate compare --run`: both commits measured in this job (`docs/gate.md` §12.1).
//!
//! 1. Each side is measured once as `perfgate run --rev` does (builds, instructions, sizes,
//!    allocations, build time), base first.
//! 2. The executables of the noisy measurements are frozen side by side, and the noisy units
//!    (each criterion or divan bench target, the start-up block) run in a warm-up round and
//!    then in paired rounds: in each, every unit still going runs one short burst per side,
//!    base and head back to back, which side first alternating ([`interleave::round_steps`]).
//!    At each look of the [`Sequential`] plan a series stops when its paired interval is
//!    decisively beyond or inside half the gate; a unit runs while one of its series goes on,
//!    up to the round budget ([`interleave::Rounds`], `docs/gate.md` §12.2).
//! 3. The paired series are judged by their per-round log ratios ([`gate::compare_paired`]);
//!    a deterministic regression is measured once more on the head and is advisory if the
//!    second value differs.
//! 4. Both pooled baselines (every round's process a sample) are stored.

use std::collections::BTreeMap;
use std::path::Path;

use crate::builds::target::{BenchKind, Built};
use crate::error::Error;
use crate::gate::Pairs;
use crate::gate::{
    self, Comparison, GateRules, History, MetricClass, Sequential, SeriesKey, Verdict,
};
use crate::git::CommitInfo;
use crate::interleave::{self, Rounds, Side, Unit};
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

/// The time a divan sample of the shortest bench of a target takes in a burst: the iterations
/// per sample (`--sample-size`) are calibrated from the warm-up round to about this, the same
/// number for both sides.
pub const DIVAN_BURST_SAMPLE_NS: f64 = 100_000.0;

/// The sampling of one process of a round: a short burst, since the samples are the
/// processes and base and head of a pair should run seconds apart; `full` measures each
/// process for longer (criterion's longer times, divan's more samples).
fn round_sampling(full: bool) -> RoundSampling {
    if full {
        RoundSampling {
            criterion: Sampling {
                warm_up_s: Some(0.2),
                measurement_s: Some(0.5),
                sample_size: Some(20),
                nresamples: Some(1000),
            },
            divan: DivanSampling::FULL_BURST,
        }
    } else {
        RoundSampling {
            criterion: Sampling {
                warm_up_s: Some(0.05),
                measurement_s: Some(0.1),
                sample_size: Some(10),
                nresamples: Some(1000),
            },
            divan: DivanSampling::QUICK_BURST,
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

impl Job<'_> {
    /// The setup of this comparison's rounds: seeded by the two commits.
    fn setup(&self) -> RoundsSetup<'_> {
        RoundsSetup {
            seed: interleave::seed(&self.base.sha, &self.head.sha, 1),
            full: self.full,
            startup: self.startup.as_ref(),
            rules: self.rules,
            names: [Side::Base.name(), Side::Head.name()],
        }
    }
}

/// What paired rounds need besides their units and builds: the schedule's seed, the mode
/// (the length of a burst), the start-up measurement, the rules the looks judge by, and the
/// names of the two sides in progress lines.
pub(super) struct RoundsSetup<'a> {
    /// The seed of every round's order.
    pub seed: u64,
    /// Full mode's longer bursts.
    pub full: bool,
    /// The start-up measurement, if configured.
    pub startup: Option<&'a Startup>,
    /// The rules: the family's α and each series' gate.
    pub rules: &'a GateRules,
    /// What the base and the head side are called.
    pub names: [&'a str; 2],
}

/// The frozen builds of each side, per profile.
pub(super) type Frozen = BTreeMap<(Side, String), Built>;

/// Copies the executables of `measured`'s builds aside as `side`'s, under `scratch`.
fn freeze_side(
    frozen: &mut Frozen,
    side: Side,
    measured: &Measured,
    job: &Job<'_>,
    scratch: &Path,
) -> anyhow::Result<()> {
    for (profile, built) in &measured.builds {
        let dir = scratch.join(side.name()).join(profile);
        let copy = run::rounds::freeze(built, &measured.target, job.startup.as_ref(), &dir)?;
        frozen.insert((side, profile.clone()), copy);
    }
    Ok(())
}

/// Both sides as measured, with their frozen builds per profile.
pub(super) struct Sides<'m> {
    /// The base side's measurement (its target's benches).
    pub base: &'m Measured,
    /// The head side's.
    pub head: &'m Measured,
    /// The build each side's unit of a profile runs.
    pub frozen: Frozen,
}

impl Sides<'_> {
    fn measured(&self, side: Side) -> &Measured {
        match side {
            Side::Base => self.base,
            Side::Head => self.head,
        }
    }
}

/// The processes of one pass: per side and unit, each measured process's measurements.
type Gathered = BTreeMap<(Side, Unit), Vec<Vec<Measurement>>>;

/// Runs the whole interleaved comparison; returns the comparison of the pooled baselines.
pub(super) fn compare_both(job: &Job<'_>) -> anyhow::Result<Comparison> {
    let scratch = crate::atomic::scratch_dir()?;
    // Each side is frozen as soon as it is measured: the head may be built into the same
    // target directory and overwrite the base's executables.
    let mut frozen = Frozen::new();
    let mut measure_and_freeze = |side: Side, commit: &CommitInfo| -> anyhow::Result<Measured> {
        eprintln!("perfgate: --run: measuring the {}", side.name());
        let measured = (job.measure)(commit)?;
        freeze_side(&mut frozen, side, &measured, job, scratch.path())?;
        Ok(measured)
    };
    let base = measure_and_freeze(Side::Base, job.base)?;
    let head = measure_and_freeze(Side::Head, job.head)?;
    let history = (job.history)(&base.baseline)?;
    let sides = Sides {
        base: &base,
        head: &head,
        frozen,
    };
    let units = units(&sides, job.startup.as_ref(), true);
    let home = scratch.path().join("results");

    let plan = if job.full {
        Sequential::FULL
    } else {
        Sequential::QUICK
    };
    let (gathered, rounds) = run_rounds(&job.setup(), &sides, &units, plan, &home)?;
    let mut base_pooled = sides.base.baseline.clone();
    let mut head_pooled = sides.head.baseline.clone();
    apply(
        &mut base_pooled,
        Side::Base,
        &gathered,
        job.startup.as_ref(),
    );
    apply(
        &mut head_pooled,
        Side::Head,
        &gathered,
        job.startup.as_ref(),
    );
    let pairs = rounds.finish(|key| throughputs_of(&head_pooled, key));
    let mut comparison =
        gate::compare_paired(&base_pooled, &head_pooled, &history, job.rules, &pairs)
            .map_err(Error::from)?;
    let took: Vec<usize> = pairs
        .iter()
        .filter(|(k, _)| interleave::is_paired(&k.metric))
        .map(|(_, p)| p.log_ratios.len())
        .collect();
    if let (Some(min), Some(max)) = (took.iter().min(), took.iter().max()) {
        eprintln!(
            "perfgate: --run: {} paired series decided in {min} to {max} rounds (looks at {:?})",
            took.len(),
            plan.looks()
        );
    }

    // The determinism check: a deterministic regression measured once more on the head.
    let deterministic: Vec<SeriesKey> = comparison
        .series
        .iter()
        .filter(|s| {
            s.verdict == Verdict::Regressed && s.class == MetricClass::Deterministic && !s.advisory
        })
        .map(|s| s.key.clone())
        .collect();
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

/// An A/A calibration (`perfgate noise`): `job.head` measured once, its executables frozen
/// twice, and both copies run against each other in `rounds` paired rounds with no early stop.
/// Returns the paired series (every one over all the rounds it was measured in).
pub(super) fn aa_rounds(job: &Job<'_>, rounds: usize) -> anyhow::Result<Pairs> {
    let scratch = crate::atomic::scratch_dir()?;
    eprintln!(
        "perfgate: noise: measuring {}",
        crate::git::short(&job.head.sha)
    );
    let measured = (job.measure)(job.head)?;
    let mut frozen = Frozen::new();
    for side in [Side::Base, Side::Head] {
        freeze_side(&mut frozen, side, &measured, job, scratch.path())?;
    }
    let sides = Sides {
        base: &measured,
        head: &measured,
        frozen,
    };
    let units = units(&sides, job.startup.as_ref(), false);
    let plan = Sequential::fixed(rounds);
    let home = scratch.path().join("results");
    let (_, paired) = run_rounds(&job.setup(), &sides, &units, plan, &home)?;
    Ok(paired.finish(|_| Vec::new()))
}

/// The noisy units both sides have: every criterion or divan bench target of every profile,
/// and the start-up block of every profile, except, with `skip_identical`, those whose
/// executables are identical on both sides (the gate says `unchanged` for them without a
/// measurement, §3.2).
pub(super) fn units(
    sides: &Sides<'_>,
    startup: Option<&Startup>,
    skip_identical: bool,
) -> Vec<Unit> {
    let mut units = Vec::new();
    for (profile, head_built) in &sides.head.builds {
        let Some(base_built) = sides.base.builds.get(profile) else {
            continue;
        };
        let differ =
            |a: Option<String>, b: Option<String>| !skip_identical || a.is_none() || a != b;
        for bench in &sides.head.target.benches {
            let Some(base_bench) = sides
                .base
                .target
                .benches
                .iter()
                .find(|b| b.artifact_name() == bench.artifact_name() && b.kind == bench.kind)
            else {
                continue;
            };
            let wall_time = matches!(bench.kind, BenchKind::Criterion | BenchKind::Divan);
            if wall_time
                && differ(
                    base_built.bench_sha256(base_bench),
                    head_built.bench_sha256(bench),
                )
            {
                units.push(Unit::Bench {
                    profile: profile.clone(),
                    bench: bench.artifact_name(),
                });
            }
        }
        if let Some(startup) = startup
            && differ(
                base_built.artifact_sha256(&startup.binary, "bin"),
                head_built.artifact_sha256(&startup.binary, "bin"),
            )
        {
            units.push(Unit::Startup {
                profile: profile.clone(),
            });
        }
    }
    units
}

/// Runs the warm-up round and the paired rounds of `units` until every series has stopped
/// or the plan's budget is spent. Returns every measured process (for the stored baselines)
/// and the paired rounds.
pub(super) fn run_rounds(
    setup: &RoundsSetup<'_>,
    sides: &Sides<'_>,
    units: &[Unit],
    plan: Sequential,
    home: &Path,
) -> anyhow::Result<(Gathered, Rounds)> {
    let seed = setup.seed;
    let progress = Progress::new(((plan.budget + 1) * units.len() * 2) as u64);
    let mut sampling: BTreeMap<Unit, RoundSampling> = units
        .iter()
        .map(|u| (u.clone(), round_sampling(setup.full)))
        .collect();
    // A start-up block per round: a share of the configured runs, at least three.
    let startup = setup.startup.map(|s| Startup {
        runs: s.runs.div_ceil(plan.first).max(3),
        ..s.clone()
    });
    let mut gathered = Gathered::new();
    let mut rounds = Rounds::new(plan, setup.rules.alpha);
    for round in 0..=plan.budget {
        let going: Vec<Unit> = units
            .iter()
            .filter(|u| round == 0 || rounds.goes_on(u))
            .cloned()
            .collect();
        if going.is_empty() {
            break;
        }
        let mut this_round: BTreeMap<(Side, Unit), Vec<Measurement>> = BTreeMap::new();
        for step in interleave::round_steps(&going, round, seed) {
            let profile = step.unit.profile().to_string();
            let what = match &step.unit {
                Unit::Bench { bench, .. } => format!("bench `{bench}`"),
                Unit::Startup { .. } => "start-up".to_string(),
            };
            progress.step(
                &profile,
                &format!(
                    "round {round}/{}, {what}, {}, {} going",
                    plan.budget,
                    setup.names[usize::from(step.side == Side::Head)],
                    going.len()
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
                &sampling[&step.unit],
                startup.as_ref(),
                home,
            )?;
            progress.done();
            this_round.insert((step.side, step.unit.clone()), ms);
        }
        for unit in &going {
            let (Some(base), Some(head)) = (
                this_round.remove(&(Side::Base, unit.clone())),
                this_round.remove(&(Side::Head, unit.clone())),
            ) else {
                continue;
            };
            if round == 0 {
                // The warm-up calibrates a divan burst: the same iterations for both sides.
                if let Some(s) = sampling.get_mut(unit) {
                    s.divan = s.divan.calibrated(&base, DIVAN_BURST_SAMPLE_NS);
                }
                continue;
            }
            rounds.record(unit, &base, &head);
            gathered
                .entry((Side::Base, unit.clone()))
                .or_default()
                .push(base);
            gathered
                .entry((Side::Head, unit.clone()))
                .or_default()
                .push(head);
        }
        if round > 0 {
            rounds.look(round, |key| gate::gate_of(key, setup.rules));
        }
    }
    progress.finish();
    Ok((gathered, rounds))
}

/// The throughput series of `key`'s bench in `baseline`, which follow its wall time.
fn throughputs_of(baseline: &Baseline, key: &SeriesKey) -> Vec<SeriesKey> {
    if key.metric != Metric::WallTime {
        return Vec::new();
    }
    baseline
        .profiles
        .get(&key.profile)
        .map(|run| {
            run.measurements
                .iter()
                .filter(|m| m.bench == key.bench && m.metric.is_throughput())
                .map(|m| SeriesKey {
                    profile: key.profile.clone(),
                    bench: m.bench.clone(),
                    metric: m.metric.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
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

/// The deterministic series of `keys` measured once more on the head: the callgrind benches
/// of their profiles (through cargo, on the head's build, which was made last) and the
/// allocations of the start-up binary.
fn remeasure_head(
    sides: &Sides<'_>,
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
        assert!(quick.divan.sample_count < full.divan.sample_count);
        assert!(quick.criterion.args(None).contains(&"--noplot".to_string()));
    }
}
