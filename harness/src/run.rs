//! The run stage: each tool run against a build, its output turned into [`Measurement`]s at
//! once. One module per tool; none of them decides anything about regressions.
//!
//! [`Measurement`]: crate::measure::Measurement

pub mod alloc;
pub mod criterion;
pub mod iai;
pub mod rounds;
pub mod size;
pub mod startup;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::build::target::Built;
use crate::error::{Error, Result};
use crate::process;

/// Runs one bench process of `built` (`bench` named for messages, `profile` as shown) under
/// the build's time limit: its output whatever its exit status, or [`Error::BenchTimeout`]
/// when it ran too long (it is stopped, with every process it started).
pub(crate) fn bench_output(
    cmd: &mut Command,
    built: &Built,
    bench: &str,
    profile: &str,
) -> Result<Output> {
    process::spawn_output_limited(cmd, process::hint::RUST, built.bench_timeout)?.ok_or_else(|| {
        Error::BenchTimeout {
            bench: bench.to_string(),
            profile: profile.to_string(),
            seconds: built.bench_timeout.map_or(0, |d| d.as_secs()),
        }
    })
}

/// Every file called `name` under `dir`, depth first, in name order (so the walk is
/// deterministic). Symbolic links are not followed.
pub(crate) fn find_files(dir: &Path, name: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    let list_error = |source| Error::Io {
        action: "list",
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = fs::read_dir(dir)
        .map_err(list_error)?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(list_error)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let file_type = entry.file_type().map_err(list_error)?;
        if file_type.is_dir() {
            find_files(&entry.path(), name, out)?;
        } else if file_type.is_file() && entry.file_name() == name {
            out.push(entry.path());
        }
    }
    Ok(())
}
