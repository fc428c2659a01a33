//! The run stage: each tool run against a build, its output turned into [`Measurement`]s at
//! once. One module per tool; none of them decides anything about regressions.
//!
//! [`Measurement`]: crate::measure::Measurement

pub mod alloc;
pub mod bmf;
pub mod criterion;
pub mod divan;
pub mod iai;
pub mod rounds;
pub mod size;
pub mod startup;

use crate::builds::target::{BenchTarget, Built};
use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// The executable of `bench` in `built` (`tool` names the harness in the error when the build
/// has none).
pub(crate) fn bench_exe<'b>(
    built: &'b Built,
    bench: &BenchTarget,
    tool: &'static str,
) -> Result<&'b Path> {
    built
        .bench_exes
        .get(&bench.artifact_name())
        .map(PathBuf::as_path)
        .ok_or_else(|| Error::ToolOutput {
            tool,
            path: built.target_dir.clone(),
            message: format!("the build has no executable for bench `{}`", bench.name),
        })
}

/// The error of a bench process (`bench` as named in messages) that exited unsuccessfully:
/// its command line, exit status and the end of its stderr.
pub(crate) fn bench_failed(
    built: &Built,
    bench: &str,
    cmd: &std::process::Command,
    output: &std::process::Output,
) -> Error {
    Error::BenchFailed {
        bench: bench.to_string(),
        profile: built.profile.name().to_string(),
        command: crate::process::command_line(cmd),
        status: crate::process::status_text(output.status),
        stderr_tail: crate::process::tail(&output.stderr),
    }
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
