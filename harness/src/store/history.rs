//! Baselines along a commit history: the stored baselines of a list of commits (the report's
//! trend, the noise fences' history), in the order of the commits.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::git::CommitInfo;

use super::{Baseline, list, load, parse_file_name};

/// The baselines stored for a history, oldest first.
#[derive(Debug, Default)]
pub struct Along {
    /// The baselines of the history's commits, in the history's order.
    pub baselines: Vec<Baseline>,
    /// How many stored baselines of clean commits belong to commits off this history.
    pub off_history: usize,
    /// The files that could not be read, with why; they are left out.
    pub skipped: Vec<(PathBuf, Error)>,
}

/// The stored baselines in `dir` of `commits` (oldest first), in that order. Baselines of a
/// dirty work tree belong to no commit's history and are not counted.
pub fn along(dir: &std::path::Path, commits: &[CommitInfo]) -> Result<Along> {
    let on_history: BTreeSet<&str> = commits.iter().map(|c| c.sha.as_str()).collect();
    let mut by_sha = BTreeMap::new();
    let mut out = Along::default();
    for path in list(dir)? {
        let name = path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        match parse_file_name(name) {
            Some((_, true)) | None => {}
            Some((sha, false)) if on_history.contains(sha) => {
                by_sha.insert(sha.to_string(), path.clone());
            }
            Some(_) => out.off_history += 1,
        }
    }
    for commit in commits {
        let Some(path) = by_sha.get(&commit.sha) else {
            continue;
        };
        match load(path) {
            Ok(b) => out.baselines.push(b),
            Err(e) => out.skipped.push((path.clone(), e)),
        }
    }
    Ok(out)
}
