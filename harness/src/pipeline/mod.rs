//! The measuring pipeline: one commit, from a checked [`Plan`] to a stored baseline. It builds
//! the target under each profile (`build`, `pgo`), runs the tools (`run`), collects the
//! environment (`fingerprint`) and stores the result (`store`). `perfgate run`, `compare
//! --run`, `explain` and `bisect` all measure through it; the command layer only parses,
//! dispatches and prints.

mod profile;
pub mod reuse;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::builds;
use crate::builds::pgo;
use crate::builds::target::{BenchKind, Built, TargetInfo};
use crate::error::Error;
use crate::fingerprint;
use crate::git::Repo;
use crate::plan::Plan;
use crate::profile::Profile;
use crate::progress::Progress;
use crate::run;
use crate::store::{self, Baseline};

pub use profile::sort;

/// A commit measured: its baseline, where it was written, and what it was measured on (the
/// builds of each profile, and the worktree they were built from, kept while this lives).
pub struct Measured {
    /// The baseline stored.
    pub baseline: Baseline,
    /// Where it was written.
    pub path: std::path::PathBuf,
    /// The target as found in the measured checkout.
    pub target: TargetInfo,
    /// Each profile's build.
    pub builds: BTreeMap<String, Built>,
    /// The temporary checkout of a commit other than HEAD; removed when dropped.
    pub _worktree: Option<crate::git::Worktree>,
}

/// Measures the commit of `plan` (HEAD, or `plan.rev` in a temporary worktree) under every
/// profile and stores its baseline; returns it with where it was written and what it ran.
pub fn measure_commit(repo: &Repo, plan: &Plan) -> anyhow::Result<Measured> {
    let root = repo.root();
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
    let mut target = builds::inspect(
        &crate_dir.join("Cargo.toml"),
        plan.benches.as_deref(),
        &plan.features,
        &plan.packages,
    )?;
    for bench in &mut target.benches {
        if matches!(bench.kind, BenchKind::Criterion | BenchKind::Divan) {
            bench.filter.clone_from(&plan.filter);
        }
    }
    let fingerprint =
        fingerprint::collect(&target.workspace_root.join("Cargo.lock"), &target.toolchain)?;
    preflight(plan, &target)?;
    if plan.benches.is_none() {
        let known: Vec<String> = target.benches.iter().map(|b| b.artifact_name()).collect();
        plan.check_reuse_names(
            |name| target.benches.iter().any(|b| profile::is_bench(name, b)),
            &known,
        )?;
    }

    let mode = plan.mode();
    let lender = plan
        .reuse
        .then(|| {
            reuse::find_base(repo, &plan.baselines_dir, &commit.sha, |b| {
                reuse::lends_to(b, mode, &fingerprint)
            })
        })
        .flatten();
    let timer = match plan.shard {
        Some(_) => reuse::find_base(repo, &plan.baselines_dir, &commit.sha, |b| {
            !b.dirty && b.mode == mode
        }),
        None => None,
    };
    let build_inputs = match dirty {
        true => None,
        false => build_inputs(repo, &commit.sha, source_root, &target),
    };
    let earlier = profile::Earlier {
        reuse: lender.as_ref(),
        durations: timer.as_ref(),
        build_inputs: build_inputs.as_deref(),
    };

    let progress = Progress::new(steps(plan, &target));
    let mut profiles = BTreeMap::new();
    let mut builds = BTreeMap::new();
    let mut release: Option<Built> = None;
    let mut unmeasured = target.unmeasured.clone();
    for &profile in &plan.profiles {
        let (run, built, left_out) =
            profile::measure_profile(plan, &target, profile, &mut release, earlier, &progress)?;
        profiles.insert(profile.name().to_string(), run);
        builds.insert(profile.name().to_string(), built);
        unmeasured.extend(left_out);
    }
    progress.finish();
    unmeasured.sort();
    unmeasured.dedup();

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
        unmeasured,
    };
    let path = save(plan, &baseline)?;
    Ok(Measured {
        baseline,
        path,
        target,
        builds,
        _worktree: worktree,
    })
}

/// One key of everything a build of `target` at commit `sha` reads from the repository: the
/// folder of every workspace member, the workspace's manifest and lock file, cargo's config
/// and the toolchain file, by their git object ids. `None` when a member lies outside the
/// checkout at `source_root` or git cannot say.
fn build_inputs(repo: &Repo, sha: &str, source_root: &Path, target: &TargetInfo) -> Option<String> {
    let rel = |path: &Path| path.strip_prefix(source_root).ok().map(Path::to_path_buf);
    let mut paths = Vec::new();
    for dir in &target.member_dirs {
        paths.push(rel(dir)?);
    }
    let root = rel(&target.workspace_root)?;
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        ".cargo/config",
        "rust-toolchain.toml",
        "rust-toolchain",
    ] {
        paths.push(root.join(file));
    }
    for file in [".cargo/config.toml", ".cargo/config"] {
        paths.push(PathBuf::from(file));
    }
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let ids = repo.object_ids(sha, &refs).ok()?;
    let named: Vec<String> = paths
        .iter()
        .zip(ids)
        .map(|(p, id)| format!("{}={id}", p.display()))
        .collect();
    Some(reuse::key(&named))
}

/// Stores `baseline` as the plan says: whole, or as a part (`run --partial`); returns where.
pub fn save(plan: &Plan, baseline: &Baseline) -> crate::error::Result<std::path::PathBuf> {
    if plan.partial {
        store::save_partial(&plan.baselines_dir, baseline)
    } else {
        store::save(&plan.baselines_dir, baseline)
    }
}

/// Checks the tools the plan needs before anything is built: valgrind and the runner of each
/// kind of callgrind bench (DHAT's valgrind for the start-up allocations too), and an
/// `llvm-profdata` of rustc's LLVM for `pgo`.
pub fn preflight(plan: &Plan, target: &TargetInfo) -> anyhow::Result<()> {
    preflight_benches(target)?;
    if plan.startup.is_some() {
        crate::process::first_line("valgrind", &["--version"], crate::process::hint::VALGRIND)?;
    }
    if plan.profiles.contains(&Profile::Pgo) {
        pgo::find_profdata(&target.toolchain)?;
    }
    Ok(())
}

/// Checks the tools the selected callgrind benches of `target` need (valgrind, and each
/// kind's runner at the version in Cargo.lock), before anything is built.
pub fn preflight_benches(target: &TargetInfo) -> anyhow::Result<()> {
    for bench in target
        .benches
        .iter()
        .filter(|b| b.kind.is_callgrind_harness())
    {
        run::iai::preflight(bench.kind, bench.harness_version.as_deref())?;
    }
    if target.benches.iter().any(|b| b.kind == BenchKind::Divan) {
        // divan benches' instructions are counted under callgrind.
        crate::process::first_line("valgrind", &["--version"], crate::process::hint::VALGRIND)?;
    }
    Ok(())
}

/// How many progress steps a run has: per profile, the build, the build time, each bench, and
/// the size, start-up and allocation measurements.
fn steps(plan: &Plan, target: &TargetInfo) -> u64 {
    let benches = target.benches.len() as u64;
    let startup = if plan.startup.is_some() { 2 } else { 0 };
    plan.profiles.len() as u64 * (3 + benches + startup)
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
