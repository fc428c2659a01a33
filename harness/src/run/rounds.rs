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

/// Copies the executables a round runs (criterion benches, the start-up binary) of `built`
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
        .filter(|b| b.kind == BenchKind::Criterion)
    {
        if let Some(exe) = built.bench_exes.get(&bench.name) {
            let copy = dir.join("bench").join(&bench.name);
            copy_exe(exe, &copy)?;
            frozen.bench_exes.insert(bench.name.clone(), copy);
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

/// Runs one process of `unit` on a frozen build: a criterion bench target with `criterion_args`
/// (results under `home`, emptied first), or `startup.runs` start-up processes. Returns what
/// the process measured.
pub fn run_unit(
    unit: &Unit,
    built: &Built,
    target: &TargetInfo,
    criterion_args: &[String],
    startup: Option<&Startup>,
    home: &Path,
) -> Result<Vec<Measurement>> {
    match unit {
        Unit::Criterion { bench, .. } => {
            let bench = target
                .benches
                .iter()
                .find(|b| &b.name == bench)
                .ok_or_else(|| Error::ToolOutput {
                    tool: "criterion",
                    path: target.manifest_path.clone(),
                    message: format!("the target has no bench `{bench}`"),
                })?;
            if home.exists() {
                std::fs::remove_dir_all(home).map_err(|source| Error::Io {
                    action: "clear",
                    path: home.to_path_buf(),
                    source,
                })?;
            }
            super::criterion::run_process(built, bench, criterion_args, home)
        }
        Unit::Startup { .. } => match startup {
            Some(startup) => super::startup::measure(built, startup),
            None => Ok(Vec::new()),
        },
    }
}
