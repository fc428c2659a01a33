//! `perfgate bisect GOOD BAD --bench ID`: the first commit between two that made a bench
//! worse, found by measuring midpoints of the first-parent history in temporary worktrees.
//!
//! A commit with a stored baseline holding the series is not measured again. Otherwise only
//! the bench target that makes the series is built and run, under the one profile, and what it
//! measured is stored as that commit's baseline (quick mode, this profile and bench target
//! only; `perfgate run --rev` measures the rest later). The halving is
//! [`crate::explain::bisection`].

use std::collections::BTreeMap;

use crate::builds;
use crate::builds::target::BenchKind;
use crate::cli::BisectArgs;
use crate::error::{Error, exit};
use crate::explain::bisection;
use crate::fingerprint;
use crate::git::{self, CommitInfo};
use crate::lock::RunLock;
use crate::measure::Measurement;
use crate::metric::Metric;
use crate::profile::Profile;
use crate::run;
use crate::store::{self, Baseline, ProfileRun};

use super::explain::{checkout, explainable_profile, list};
use super::{Workspace, emit};
use crate::pipeline::{now_unix, preflight_benches, sort};

/// `perfgate bisect`.
pub(super) fn bisect_command(args: &BisectArgs) -> anyhow::Result<u8> {
    let ws = Workspace::open(args.config.as_deref(), args.baselines.as_deref())?;
    let _lock = RunLock::acquire(&ws.repo, "`perfgate bisect`", &ws.baselines)?;
    let profile = explainable_profile(&args.profile, "bisect", &args.bench)?;
    let good = ws.repo.commit(&args.good)?;
    let bad = ws.repo.commit(&args.bad)?;
    let range = range(&ws, &good, &bad, &args.bench)?;
    let series = Series {
        bench: &args.bench,
        metric: &args.metric,
        profile,
    };
    let good_value = value_of(&ws, &good, &series)?;
    let bad_value = value_of(&ws, &bad, &series)?;
    let found = bisection::first_bad(range.len(), good_value, bad_value, |i| {
        eprintln!(
            "perfgate: bisect: measuring {} {}",
            git::short(&range[i].sha),
            range[i].subject
        );
        value_of(&ws, &range[i], &series)
    })?;
    let Some(found) = found else {
        return Err(Error::CannotExplain {
            action: "bisect",
            bench: args.bench.clone(),
            reason: format!(
                "`{}` is not worse at {} than at {} ({} {good_value} vs {bad_value}; larger is worse)",
                args.metric,
                git::short(&bad.sha),
                git::short(&good.sha),
                args.metric
            ),
            fix: "give a GOOD commit before the regression and a BAD one after it".to_string(),
        }
        .into());
    };
    let culprit = &range[found.index];
    let step = (found.after / found.before - 1.0) * 100.0;
    emit(&format!(
        "first bad commit: {} {}\n{} {} ({}): {} → {} ({step:+.1}%)\n\
         measured {} of the {} commits between {} and {}\n\
         revert it with: git revert {}\n\
         see why with: perfgate explain {} {}~1 {}\n",
        git::short(&culprit.sha),
        culprit.subject,
        args.bench,
        args.metric,
        profile.name(),
        found.before,
        found.after,
        found.measured.len(),
        range.len(),
        git::short(&good.sha),
        git::short(&bad.sha),
        culprit.sha,
        args.bench,
        culprit.sha,
        culprit.sha
    ))?;
    Ok(exit::OK)
}

/// The series followed.
struct Series<'a> {
    bench: &'a str,
    metric: &'a str,
    profile: Profile,
}

/// The commits after `good` up to `bad` on `bad`'s first-parent history, oldest first.
fn range(
    ws: &Workspace,
    good: &CommitInfo,
    bad: &CommitInfo,
    bench: &str,
) -> anyhow::Result<Vec<CommitInfo>> {
    let history = ws.repo.first_parent_history(&bad.sha, usize::MAX)?;
    let Some(at) = history.iter().position(|c| c.sha == good.sha) else {
        return Err(Error::CannotExplain {
            action: "bisect",
            bench: bench.to_string(),
            reason: format!(
                "{} is not on the first-parent history of {}",
                git::short(&good.sha),
                git::short(&bad.sha)
            ),
            fix: "give a GOOD commit that BAD descends from (e.g. `main~20` and `main`)"
                .to_string(),
        }
        .into());
    };
    let mut commits: Vec<CommitInfo> = history.into_iter().take(at).collect();
    commits.reverse();
    if commits.is_empty() {
        return Err(Error::CannotExplain {
            action: "bisect",
            bench: bench.to_string(),
            reason: "GOOD and BAD are the same commit".to_string(),
            fix: "give a BAD commit after GOOD".to_string(),
        }
        .into());
    }
    Ok(commits)
}

/// The series' value at `commit`: from its stored baseline, else measured and stored.
fn value_of(ws: &Workspace, commit: &CommitInfo, series: &Series<'_>) -> anyhow::Result<f64> {
    if let Some(path) = store::find(&ws.baselines, &commit.sha)? {
        let baseline = store::load(&path)?;
        if let Some(m) = find(&baseline, series) {
            return Ok(m.value);
        }
    }
    let baseline = measure(ws, commit, series)?;
    let value = find(&baseline, series).map(|m| m.value);
    if store::find(&ws.baselines, &commit.sha)?.is_none() {
        store::save(&ws.baselines, &baseline)?;
    }
    value.ok_or_else(|| {
        let known: Vec<String> = baseline
            .profiles
            .values()
            .flat_map(|r| r.measurements.iter())
            .filter(|m| m.metric == series.metric)
            .map(|m| m.bench.clone())
            .collect();
        Error::UnknownBench {
            bench: series.bench.to_string(),
            place: format!(
                "with metric `{}` at {}",
                series.metric,
                git::short(&commit.sha)
            ),
            known: list(known.into_iter()),
        }
        .into()
    })
}

fn find<'b>(baseline: &'b Baseline, series: &Series<'_>) -> Option<&'b Measurement> {
    baseline
        .profiles
        .get(series.profile.name())?
        .measurements
        .iter()
        .find(|m| m.bench == series.bench && m.metric == series.metric)
}

/// Builds `commit` under the series' profile and runs the bench targets that can make it: the
/// callgrind target its id starts with for instructions, else every criterion target.
fn measure(ws: &Workspace, commit: &CommitInfo, series: &Series<'_>) -> anyhow::Result<Baseline> {
    let (commit, _tree, mut target, plan) = checkout(ws, &commit.sha, series.profile, false, None)?;
    let first = series.bench.split("::").next().unwrap_or(series.bench);
    let callgrind_metric = Metric::parse(series.metric).is_callgrind_count();
    let benches: Vec<_> = target
        .benches
        .iter()
        .filter(|b| match b.kind {
            BenchKind::Iai | BenchKind::Gungraun => {
                callgrind_metric && b.name.replace('-', "_") == first
            }
            BenchKind::Criterion => !callgrind_metric,
            BenchKind::Divan | BenchKind::Custom | BenchKind::Libtest => false,
        })
        .cloned()
        .collect();
    if benches.is_empty() {
        return Err(Error::UnknownBench {
            bench: series.bench.to_string(),
            place: format!(
                "in the bench targets of `{}` at {}",
                target.package,
                git::short(&commit.sha)
            ),
            known: list(target.benches.iter().map(|b| b.name.clone())),
        }
        .into());
    }
    // Only these bench targets are built.
    target.benches = benches.clone();
    preflight_benches(&target)?;
    let (built, _) = builds::build(&target, series.profile, &plan)?;
    let results = built.target_dir.join("perfgate-bisect");
    let mut measurements = Vec::new();
    for bench in &benches {
        let home = results.join(&bench.name);
        crate::atomic::fresh_dir(&home)?;
        match bench.kind {
            BenchKind::Criterion => {
                measurements.extend(run::criterion::run(&built, bench, &plan.criterion, &home)?)
            }
            _ => measurements.extend(run::iai::run(&built, bench, &home)?),
        }
    }
    sort(&mut measurements);
    let run = ProfileRun {
        settings: series.profile.settings().into_iter().collect(),
        artifacts: built.artifacts.clone(),
        pgo: None,
        measurements,
        paired: Vec::new(),
        steps: Vec::new(),
        shard: None,
    };
    Ok(Baseline {
        schema_version: store::SCHEMA_VERSION,
        perfgate_version: env!("CARGO_PKG_VERSION").to_string(),
        commit,
        dirty: false,
        mode: plan.mode().to_string(),
        created: now_unix(),
        target: target.package.clone(),
        fingerprint: fingerprint::collect(
            &target.workspace_root.join("Cargo.lock"),
            &target.toolchain,
        )?,
        profiles: BTreeMap::from([(series.profile.name().to_string(), run)]),
        unmeasured: Vec::new(),
    })
}
