//! One profile of one commit: its build (PGO's checked against the release build), the time of
//! clean builds, every bench, the binary sizes, start-up and allocations.

use crate::builds;
use crate::builds::pgo;
use crate::builds::target::{BenchKind, Built, TargetInfo};
use crate::measure::{Measurement, Unmeasured};
use crate::plan::Plan;
use crate::profile::Profile;
use crate::progress::Progress;
use crate::run;
use crate::run::divan::DivanSampling;
use crate::store::ProfileRun;

/// Builds and measures one profile. `release` holds the release build once made: PGO needs it
/// to prove that the profile changed the code. Returns the profile's run, its build, and the
/// bench targets that ran but gave nothing perfgate can read.
pub(super) fn measure_profile(
    plan: &Plan,
    target: &TargetInfo,
    profile: Profile,
    release: &mut Option<Built>,
    progress: &Progress,
) -> anyhow::Result<(ProfileRun, Built, Vec<Unmeasured>)> {
    let name = profile.name();
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
        let (built, info, cost) = pgo::build(target, plan, reference, progress)?;
        (built, cost, Some(info))
    } else {
        let (built, cost) = builds::build(target, profile, plan)?;
        if profile == Profile::Release {
            *release = Some(built.clone());
        }
        (built, cost, None)
    };
    progress.done();

    progress.step(name, "timing clean builds of the crate");
    let mut measurements = builds::build_time(target, &built, plan.build_time_samples, &cost)?;
    progress.done();

    let results = built.target_dir.join("perfgate-results");
    let mut unmeasured = Vec::new();
    for bench in &target.benches {
        let home = results.join(bench.artifact_name());
        match bench.kind {
            BenchKind::Criterion => {
                progress.step(
                    name,
                    &format!("bench `{}` (criterion)", bench.artifact_name()),
                );
                crate::atomic::fresh_dir(&home)?;
                measurements.extend(bench.with_ids(run::criterion::run(
                    &built,
                    bench,
                    &plan.criterion,
                    &home,
                )?));
            }
            BenchKind::Iai | BenchKind::Gungraun => {
                progress.step(
                    name,
                    &format!("bench `{}` (callgrind)", bench.artifact_name()),
                );
                crate::atomic::fresh_dir(&home)?;
                measurements.extend(bench.with_ids(run::iai::run(&built, bench, &home)?));
            }
            BenchKind::Divan => {
                let sampling = divan_sampling(plan);
                progress.step(
                    name,
                    &format!(
                        "bench `{}` (divan ×{}, then callgrind)",
                        bench.artifact_name(),
                        sampling.processes
                    ),
                );
                crate::atomic::fresh_dir(&home)?;
                measurements
                    .extend(bench.with_ids(run::divan::run(&built, bench, &sampling, &home)?));
            }
            BenchKind::Custom => {
                let processes = divan_sampling(plan).processes;
                progress.step(
                    name,
                    &format!(
                        "bench `{}` (custom harness ×{processes})",
                        bench.artifact_name()
                    ),
                );
                crate::atomic::fresh_dir(&home)?;
                match run::bmf::run(&built, bench, processes, &home)? {
                    Some(ms) => measurements.extend(bench.with_ids(ms)),
                    None => unmeasured.push(run::bmf::unmeasured(bench)),
                }
            }
            BenchKind::Libtest => continue,
        }
        progress.done();
    }

    progress.step(name, "binary sizes");
    measurements.extend(run::size::measure(&built)?);
    progress.done();
    if let Some(startup) = &plan.startup {
        progress.step(
            name,
            &format!("start-up of `{}` ×{}", startup.binary, startup.runs),
        );
        measurements.extend(run::startup::measure(&built, startup)?);
        progress.done();
        progress.step(name, &format!("allocations of `{}` (DHAT)", startup.binary));
        measurements.extend(run::alloc::measure(&built, startup)?);
        progress.done();
    }
    sort(&mut measurements);
    let run = ProfileRun {
        settings: profile.settings().into_iter().collect(),
        artifacts: built.artifacts.clone(),
        pgo: pgo_info,
        measurements,
        paired: Vec::new(),
    };
    Ok((run, built, unmeasured))
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
