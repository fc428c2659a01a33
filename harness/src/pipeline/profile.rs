//! One profile of one commit: its build (PGO's checked against the release build), the time of
//! clean builds, every bench, the binary sizes, start-up and allocations.

use std::time::Instant;

use super::reuse::{self, Produced, ReuseBase};
use crate::builds;
use crate::builds::pgo;
use crate::builds::target::{BenchKind, BenchTarget, Built, TargetInfo};
use crate::measure::{Measurement, Unmeasured};
use crate::metric::Measures;
use crate::plan::{Plan, Startup};
use crate::profile::Profile;
use crate::progress::Progress;
use crate::run;
use crate::run::divan::DivanSampling;
use crate::store::{ProfileRun, Step};

/// What a profile's run may take from earlier commits: the baseline whose identical steps
/// lend their measurements, the baseline whose step times balance the shards, and the key of
/// every input of a build of this commit (`None`: not all of it is known, a dirty tree).
#[derive(Clone, Copy, Default)]
pub(super) struct Earlier<'a> {
    /// The base of [`reuse`](super::reuse).
    pub reuse: Option<&'a ReuseBase>,
    /// The nearest earlier baseline of the same mode, for the shards' durations.
    pub durations: Option<&'a ReuseBase>,
    /// The sources, manifests and lock file of the commit, as one key.
    pub build_inputs: Option<&'a str>,
}

/// Builds and measures one profile. `release` holds the release build once made: PGO needs it
/// to prove that the profile changed the code. Returns the profile's run, its build, and the
/// bench targets that ran but gave nothing perfgate can read.
pub(super) fn measure_profile(
    plan: &Plan,
    target: &TargetInfo,
    profile: Profile,
    release: &mut Option<Built>,
    earlier: Earlier<'_>,
    progress: &Progress,
) -> anyhow::Result<(ProfileRun, Built, Vec<Unmeasured>)> {
    let name = profile.name();
    let started = Instant::now();
    progress.step(name, "building");
    let (built, cost, pgo_info) = if profile == Profile::Pgo {
        if release.is_none() {
            progress.step(
                name,
                "building release (the PGO build is checked against it)",
            );
            *release = Some(builds::build(target, Profile::Release, plan)?.0);
        }
        let reference = release.as_ref().expect("built just above");
        let (built, info, cost) =
            pgo::build(target, plan, reference, earlier.build_inputs, progress)?;
        (built, cost, Some(info))
    } else {
        let (built, cost) = builds::build(target, profile, plan)?;
        if profile == Profile::Release {
            *release = Some(built.clone());
        }
        (built, cost, None)
    };
    progress.done();
    let mut steps = Steps {
        profile: name,
        base: if plan.reuse { earlier.reuse } else { None },
        progress,
        done: vec![Step {
            name: "build".into(),
            seconds: started.elapsed().as_secs_f64(),
            key: None,
            reused_from: None,
        }],
    };
    let units = units(plan, target);
    let mine = shard_of(plan, &units, earlier.durations, name);
    let runs = |unit: &str| mine.iter().any(|u| u == unit);

    let mut measurements = Vec::new();
    if runs(BUILD_TIME) {
        let key = earlier.build_inputs.map(|inputs| {
            let settings: Vec<String> = profile
                .settings()
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            reuse::key(&[
                BUILD_TIME.to_string(),
                inputs.to_string(),
                settings.join(","),
                format!("{:?}", plan.features),
                plan.build_time_samples.to_string(),
            ])
        });
        measurements.extend(steps.run(BUILD_TIME, key, Produced::BuildTime, || {
            Ok(builds::build_time(
                target,
                &built,
                plan.build_time_samples,
                &cost,
            )?)
        })?);
    }

    let results = built.target_dir.join("perfgate-results");
    let mut unmeasured = Vec::new();
    for bench in &target.benches {
        let unit = bench_unit(bench);
        if bench.kind == BenchKind::Libtest || !runs(&unit) {
            continue;
        }
        let home = results.join(bench.artifact_name());
        let sha = built.bench_sha256(bench);
        let key = match &sha {
            Some(sha) if !plan.always_measure.iter().any(|b| is_bench(b, bench)) => {
                Some(bench_key(plan, bench, sha)?)
            }
            _ => None,
        };
        let produced = Produced::Artifact(sha.clone().unwrap_or_default());
        let what = match bench.kind {
            BenchKind::Criterion => "criterion".to_string(),
            BenchKind::Iai | BenchKind::Gungraun => "callgrind".to_string(),
            BenchKind::Divan => {
                format!("divan ×{}, then callgrind", divan_sampling(plan).processes)
            }
            BenchKind::Custom => {
                format!("custom harness ×{}", divan_sampling(plan).processes)
            }
            BenchKind::Libtest => unreachable!("skipped above"),
        };
        progress.step(name, &format!("bench `{}` ({what})", bench.artifact_name()));
        let measured = steps.run(&unit, key, produced, || {
            crate::atomic::fresh_dir(&home)?;
            let ms = match bench.kind {
                BenchKind::Criterion => run::criterion::run(&built, bench, &plan.criterion, &home)?,
                BenchKind::Iai | BenchKind::Gungraun => run::iai::run(&built, bench, &home)?,
                BenchKind::Divan => run::divan::run(&built, bench, &divan_sampling(plan), &home)?,
                BenchKind::Custom => {
                    let processes = divan_sampling(plan).processes;
                    match run::bmf::run(&built, bench, processes, &home)? {
                        Some(ms) => ms,
                        None => {
                            unmeasured.push(run::bmf::unmeasured(bench));
                            Vec::new()
                        }
                    }
                }
                BenchKind::Libtest => Vec::new(),
            };
            // Every measurement of a bench target names its executable: the identical-artifact
            // check and the reuse of a later commit find it by that.
            Ok(bench
                .with_ids(ms)
                .into_iter()
                .map(|m| match m.artifact_sha256 {
                    Some(_) => m,
                    None => m.with_artifact(sha.clone()),
                })
                .collect())
        })?;
        measurements.extend(measured);
        progress.done();
    }

    if runs(SIZES) {
        progress.step(name, "binary sizes");
        measurements.extend(steps.run(SIZES, None, Produced::BuildTime, || {
            Ok(run::size::measure(&built)?)
        })?);
        progress.done();
    }
    if let Some(startup) = &plan.startup
        && runs(STARTUP)
    {
        let bin = built.artifact_sha256(&startup.binary, "bin");
        let inputs = match &bin {
            Some(bin) => Some((bin.clone(), startup_inputs(target, startup)?)),
            None => None,
        };
        progress.step(
            name,
            &format!("start-up of `{}` ×{}", startup.binary, startup.runs),
        );
        let key = inputs
            .as_ref()
            .map(|(bin, inputs)| reuse::key(&[STARTUP, bin, inputs, &startup.runs.to_string()]));
        let produced = Produced::ArtifactMeasures(bin.clone().unwrap_or_default(), Measures::Time);
        measurements.extend(steps.run(STARTUP, key, produced, || {
            Ok(run::startup::measure(&built, startup)?)
        })?);
        progress.done();
        progress.step(name, &format!("allocations of `{}` (DHAT)", startup.binary));
        let key = inputs
            .as_ref()
            .map(|(bin, inputs)| reuse::key(&[ALLOCATIONS, bin, inputs]));
        let produced =
            Produced::ArtifactMeasures(bin.clone().unwrap_or_default(), Measures::Allocations);
        measurements.extend(steps.run(ALLOCATIONS, key, produced, || {
            Ok(run::alloc::measure(&built, startup)?)
        })?);
        progress.done();
    }
    sort(&mut measurements);
    let run = ProfileRun {
        settings: profile.settings().into_iter().collect(),
        artifacts: built.artifacts.clone(),
        pgo: pgo_info,
        measurements,
        paired: Vec::new(),
        steps: steps.done,
        shard: plan.shard,
    };
    Ok((run, built, unmeasured))
}

/// The step of the clean builds timed.
const BUILD_TIME: &str = "build time";
/// The step of the binary sizes.
const SIZES: &str = "sizes";
/// The step of the start-up latency (a shard unit together with [`ALLOCATIONS`]).
const STARTUP: &str = "startup";
/// The step of the start-up binary's allocations.
const ALLOCATIONS: &str = "allocations";

/// The step (and shard unit) of a bench target.
fn bench_unit(bench: &BenchTarget) -> String {
    format!("bench {}", bench.artifact_name())
}

/// Whether `name` (from perfgate.toml) names `bench`: its target name or its artifact name.
pub(crate) fn is_bench(name: &str, bench: &BenchTarget) -> bool {
    name == bench.name || name == bench.artifact_name()
}

/// The units a profile's measuring splits into for shards, in a stable order.
fn units(plan: &Plan, target: &TargetInfo) -> Vec<String> {
    let mut units = vec![BUILD_TIME.to_string(), SIZES.to_string()];
    units.extend(
        target
            .benches
            .iter()
            .filter(|b| b.kind != BenchKind::Libtest)
            .map(bench_unit),
    );
    if plan.startup.is_some() {
        units.push(STARTUP.to_string());
    }
    units
}

/// The units this run measures: all of them, or its shard's, balanced by the durations the
/// nearest earlier baseline recorded for `profile` (the start-up unit counts its
/// allocations too).
fn shard_of(
    plan: &Plan,
    units: &[String],
    durations: Option<&ReuseBase>,
    profile: &str,
) -> Vec<String> {
    let Some(shard) = plan.shard else {
        return units.to_vec();
    };
    let took = |unit: &str| -> Option<f64> {
        let base = durations?;
        let own = base.seconds(profile, unit);
        if unit == STARTUP {
            return Some(own? + base.seconds(profile, ALLOCATIONS).unwrap_or(0.0));
        }
        own
    };
    let timed: Vec<(&str, Option<f64>)> = units.iter().map(|u| (u.as_str(), took(u))).collect();
    crate::shard::assign(&timed, shard.count)
        .into_iter()
        .zip(units)
        .filter(|(k, _)| *k == shard.index)
        .map(|(_, u)| u.clone())
        .collect()
}

/// The key of a bench target's measurements: its executable, kind and harness version, the
/// filter and mode, and the files `[run.inputs]` declares for it.
fn bench_key(plan: &Plan, bench: &BenchTarget, sha: &str) -> crate::error::Result<String> {
    let declared: Vec<&std::path::PathBuf> = plan
        .inputs
        .iter()
        .filter(|(name, _)| is_bench(name, bench))
        .flat_map(|(_, paths)| paths)
        .collect();
    let inputs = reuse::inputs_digest(&bench.crate_dir, &declared, "[run.inputs]")?;
    Ok(reuse::key(&[
        "bench",
        &bench.artifact_name(),
        &format!("{:?}", bench.kind),
        bench.harness_version.as_deref().unwrap_or(""),
        sha,
        plan.filter.as_deref().unwrap_or(""),
        plan.mode(),
        &format!("{:?} {:?}", plan.criterion, divan_sampling(plan)),
        &inputs,
    ]))
}

/// What the start-up measurement reads besides its binary: its arguments and the contents of
/// its stdin file, as one digest.
fn startup_inputs(target: &TargetInfo, startup: &Startup) -> crate::error::Result<String> {
    let stdin: Vec<&std::path::PathBuf> = startup.stdin.iter().collect();
    let files = reuse::inputs_digest(&target.crate_dir, &stdin, "[startup] stdin")?;
    Ok(reuse::key(&[startup.args.join("\u{0}"), files]))
}

/// The steps of a profile's run as they are done, each measured or taken over.
struct Steps<'a> {
    profile: &'a str,
    base: Option<&'a ReuseBase>,
    progress: &'a Progress,
    done: Vec<Step>,
}

impl Steps<'_> {
    /// Takes step `name`'s measurements over from the base when its `key` matches there,
    /// else measures them with `measure`; records the step with its time either way.
    fn run(
        &mut self,
        name: &str,
        key: Option<String>,
        produced: Produced,
        measure: impl FnOnce() -> anyhow::Result<Vec<Measurement>>,
    ) -> anyhow::Result<Vec<Measurement>> {
        let started = Instant::now();
        let taken = match (self.base, &key) {
            (Some(base), Some(key)) => base.take(self.profile, name, key, &produced),
            _ => None,
        };
        let (measurements, reused_from) = match taken {
            Some(taken) => {
                // The commit that measured them, which a lender may itself have reused.
                let from = taken
                    .iter()
                    .find_map(|m| m.reused_from.clone())
                    .or_else(|| self.base.map(|b| b.baseline.commit.sha.clone()));
                self.progress.step(
                    self.profile,
                    &format!(
                        "{name}: identical to {}, its measurements reused",
                        crate::git::short(from.as_deref().unwrap_or_default())
                    ),
                );
                (taken, from)
            }
            None => (measure()?, None),
        };
        self.done.push(Step {
            name: name.to_string(),
            seconds: started.elapsed().as_secs_f64(),
            key,
            reused_from,
        });
        Ok(measurements)
    }
}

/// How divan benches (and custom ones, by their processes) are sampled in the plan's mode.
pub(crate) fn divan_sampling(plan: &Plan) -> DivanSampling {
    if plan.quick {
        DivanSampling::QUICK
    } else {
        DivanSampling::FULL
    }
}

/// Measurements in a stable order, so baselines diff cleanly.
pub fn sort(measurements: &mut [Measurement]) {
    measurements.sort_by(|a, b| (&a.bench, &a.metric).cmp(&(&b.bench, &b.metric)));
}
