//! Wires the stages together for each subcommand: the only module that knows the order of the
//! pipeline. Each stage is called with data and returns data; this module prints the summary
//! and maps the outcome to an exit code.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;

use crate::build;
use crate::cli::{Cli, Command, RunArgs};
use crate::config::{self, Config};
use crate::error::{Error, exit};
use crate::fingerprint;
use crate::git::Repo;
use crate::measure::Measurement;
use crate::pgo;
use crate::plan::Plan;
use crate::profile::Profile;
use crate::progress::Progress;
use crate::run;
use crate::store::{self, Baseline, ProfileRun};
use crate::summary;
use crate::target::{BenchKind, Built, TargetInfo};

/// Runs the subcommand; returns the exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Run(args) => run_command(&args),
    }
}

/// `perfgate run`.
fn run_command(args: &RunArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let repo = Repo::discover(&cwd)?;
    let root = repo.root();
    let config_path = match &args.config {
        Some(path) => cwd.join(path),
        None => root.join(config::FILE_NAME),
    };
    let plan = Plan::new(args, Config::load(&config_path)?, &root, &cwd)?;

    let baselines_rel = plan
        .baselines_dir
        .strip_prefix(&root)
        .unwrap_or(&plan.baselines_dir)
        .to_path_buf();
    let worktree = match &plan.rev {
        Some(rev) => Some(repo.worktree(rev)?),
        None => None,
    };
    let (commit, dirty) = match &worktree {
        Some(tree) => (tree.commit().clone(), false),
        None => {
            let commit = repo.commit("HEAD")?;
            let changed = repo.dirty_paths(&[baselines_rel.as_path()])?;
            if !changed.is_empty() && !plan.allow_dirty {
                let mut shown: Vec<String> = changed.iter().take(5).cloned().collect();
                if changed.len() > 5 {
                    shown.push(format!("and {} more", changed.len() - 5));
                }
                return Err(Error::DirtyWorkTree {
                    paths: shown.join(", "),
                }
                .into());
            }
            (commit, !changed.is_empty())
        }
    };
    let source_root = worktree.as_ref().map_or(root.as_path(), |t| t.path());
    let crate_dir = plan.target_in(source_root);
    let target = build::inspect(&crate_dir.join("Cargo.toml"), plan.benches.as_deref())?;
    let fingerprint = fingerprint::collect(&target.workspace_root.join("Cargo.lock"))?;

    let progress = Progress::new(steps(&plan, &target));
    let mut profiles = BTreeMap::new();
    let mut release: Option<Built> = None;
    for &profile in &plan.profiles {
        let run = measure_profile(&plan, &target, profile, &mut release, &progress)?;
        profiles.insert(profile.name().to_string(), run);
    }
    progress.finish();

    let baseline = Baseline {
        schema_version: store::SCHEMA_VERSION,
        perfgate_version: env!("CARGO_PKG_VERSION").to_string(),
        commit,
        dirty,
        mode: plan.mode().to_string(),
        created: now_unix(),
        target: target.package.clone(),
        fingerprint,
        profiles,
    };
    let path = store::save(&plan.baselines_dir, &baseline)?;
    if plan.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary::json(&baseline, &path))?
        );
    } else {
        print!("{}", summary::table(&baseline));
        println!("baseline written to {}", path.display());
    }
    Ok(exit::OK)
}

/// How many progress steps a run has: per profile, the build, the build time, each bench, and
/// the size, start-up and allocation measurements.
fn steps(plan: &Plan, target: &TargetInfo) -> u64 {
    let benches = target
        .benches
        .iter()
        .filter(|b| b.kind != BenchKind::Other)
        .count() as u64;
    let startup = if plan.startup.is_some() { 2 } else { 0 };
    plan.profiles.len() as u64 * (3 + benches + startup)
}

/// Builds and measures one profile. `release` holds the release build once made: PGO needs it
/// to prove that the profile changed the code.
fn measure_profile(
    plan: &Plan,
    target: &TargetInfo,
    profile: Profile,
    release: &mut Option<Built>,
    progress: &Progress,
) -> anyhow::Result<ProfileRun> {
    let name = profile.name();
    progress.step(name, "building");
    let (built, cost, pgo_info) = if profile == Profile::Pgo {
        if release.is_none() {
            progress.step(
                name,
                "building release (the PGO build is checked against it)",
            );
            *release = Some(build::build(target, Profile::Release, plan)?.0);
        }
        let reference = release.as_ref().expect("built just above");
        let (built, info, cost) = pgo::build(target, plan, reference)?;
        (built, cost, Some(info))
    } else {
        let (built, cost) = build::build(target, profile, plan)?;
        if profile == Profile::Release {
            *release = Some(built.clone());
        }
        (built, cost, None)
    };
    progress.done();

    progress.step(name, "timing clean builds of the crate");
    let mut measurements = build::build_time(target, &built, plan.build_time_samples, &cost)?;
    progress.done();

    let results = built.target_dir.join("perfgate-results");
    for bench in &target.benches {
        let home = results.join(&bench.name);
        match bench.kind {
            BenchKind::Criterion => {
                progress.step(name, &format!("bench `{}` (criterion)", bench.name));
                fresh_dir(&home)?;
                measurements.extend(run::criterion::run(
                    &built,
                    bench,
                    &plan.criterion_args,
                    &home,
                )?);
            }
            BenchKind::Iai | BenchKind::Gungraun => {
                progress.step(name, &format!("bench `{}` (callgrind)", bench.name));
                fresh_dir(&home)?;
                measurements.extend(run::iai::run(&built, bench, &home)?);
            }
            BenchKind::Other => continue,
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
    Ok(ProfileRun {
        settings: profile.settings().into_iter().collect(),
        artifacts: built.artifacts.clone(),
        pgo: pgo_info,
        measurements,
    })
}

/// Measurements in a stable order, so baselines diff cleanly.
fn sort(measurements: &mut [Measurement]) {
    measurements.sort_by(|a, b| (&a.bench, &a.metric).cmp(&(&b.bench, &b.metric)));
}

/// Empties (or creates) a tool's output directory, so no result of an earlier run is read.
fn fresh_dir(dir: &Path) -> Result<(), Error> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|source| Error::Io {
            action: "clear",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create",
        path: dir.to_path_buf(),
        source,
    })
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
