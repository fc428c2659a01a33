//! The processes of an interleaved comparison (`perfgate compare --run`): a build of each
//! commit kept apart ("frozen") so that both can run side by side, and one process of a unit
//! of [`crate::interleave`] at a time. What to run, in which order, and how to pool the
//! results is decided in `interleave`; this module only runs.

use std::path::{Path, PathBuf};

use crate::builds::target::{BenchKind, Built, TargetInfo};
use crate::error::{Error, Result};
use crate::interleave::Unit;
use crate::measure::Measurement;
use crate::plan::Startup;

/// How one process of a round samples its bench: criterion's options, or divan's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoundSampling {
    /// A criterion bench's sampling.
    pub criterion: crate::plan::Sampling,
    /// A divan bench's sampling (its `processes` are not used: a round is one process).
    pub divan: super::divan::DivanSampling,
}

/// Copies the executables a round runs (wall-time benches, the start-up binary) of `built`
/// into `dir`, and returns the build with its paths pointing at the copies. Two commits built
/// into one target directory overwrite each other's executables; their frozen copies stay.
/// The crate directory stays the commit's own (its worktree), where the processes run.
pub fn freeze(
    built: &Built,
    target: &TargetInfo,
    startup: Option<&Startup>,
    dir: &Path,
) -> Result<Built> {
    let mut frozen = built.clone();
    let create = |path: &Path| {
        std::fs::create_dir_all(path).map_err(|source| Error::Io {
            action: "create",
            path: path.to_path_buf(),
            source,
        })
    };
    create(&dir.join("bench"))?;
    create(&dir.join("bin"))?;
    for bench in target
        .benches
        .iter()
        .filter(|b| matches!(b.kind, BenchKind::Criterion | BenchKind::Divan))
    {
        if let Some(exe) = built.bench_exes.get(&bench.artifact_name()) {
            let copy = dir
                .join("bench")
                .join(bench.artifact_name().replace('/', "__"));
            copy_exe(exe, &copy)?;
            frozen.bench_exes.insert(bench.artifact_name(), copy);
        }
    }
    if let Some(startup) = startup
        && let Some(exe) = built.bin(&startup.binary)
    {
        let copy = dir.join("bin").join(&startup.binary);
        copy_exe(exe, &copy)?;
        frozen.bins.insert(startup.binary.clone(), copy);
    }
    Ok(frozen)
}

fn copy_exe(from: &Path, to: &PathBuf) -> Result<()> {
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|source| Error::Io {
            action: "copy",
            path: from.to_path_buf(),
            source,
        })
}

/// Runs one process of `unit` on a frozen build: a criterion or divan bench target sampled as
/// `sampling`
/// (results under `home`, emptied first), or `startup.runs` start-up processes. Returns what
/// the process measured.
pub fn run_unit(
    unit: &Unit,
    built: &Built,
    target: &TargetInfo,
    sampling: &RoundSampling,
    startup: Option<&Startup>,
    home: &Path,
) -> Result<Vec<Measurement>> {
    match unit {
        Unit::Bench { bench, .. } => {
            let bench = target
                .benches
                .iter()
                .find(|b| &b.artifact_name() == bench)
                .ok_or_else(|| Error::ToolOutput {
                    tool: "cargo",
                    path: target.manifest_path.clone(),
                    message: format!("the target has no bench `{bench}`"),
                })?;
            if bench.kind == BenchKind::Divan {
                let rows = super::divan::run_process(built, bench, &sampling.divan)?;
                let sha = built.bench_sha256(bench);
                return Ok(bench.with_ids(super::divan::to_measurements(&[rows], sha.as_deref())));
            }
            if home.exists() {
                std::fs::remove_dir_all(home).map_err(|source| Error::Io {
                    action: "clear",
                    path: home.to_path_buf(),
                    source,
                })?;
            }
            super::criterion::run_process(built, bench, &sampling.criterion, home)
                .map(|ms| bench.with_ids(ms))
        }
        Unit::Startup { .. } => match startup {
            Some(startup) => super::startup::measure(built, startup),
            None => Ok(Vec::new()),
        },
    }
}
