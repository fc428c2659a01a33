//! The run lock: one perfgate at a time measures a repository. Two runs at once would build
//! into the same target directories and could sweep each other's worktrees; the second one
//! exits 2 with a message naming the first.
//!
//! The lock is `flock` on `<git dir>/perfgate.lock`, held while the [`RunLock`] lives. The
//! kernel releases it when the process ends however it ends (SIGKILL included), so a lock is
//! never stale. Holding it, perfgate sweeps what an interrupted run left: temporary worktrees
//! (`perfgate-…`) and half-written temporary files in the baseline folder.

use std::fs::{self, File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::os::fd::AsRawFd as _;
use std::path::{Path, PathBuf};

use crate::atomic::TEMP_PREFIX;
use crate::error::{Error, Result};
use crate::git::Repo;

/// The lock file's name in the git directory.
pub const FILE_NAME: &str = "perfgate.lock";

/// This repository's run lock, held until dropped.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

impl RunLock {
    /// Takes the lock of `repo` for `what` (e.g. "`perfgate run`"), or fails with
    /// [`Error::Busy`] at once if another process holds it. Then removes what interrupted runs
    /// left: stale perfgate worktrees and temporary files in `baselines`.
    pub fn acquire(repo: &Repo, what: &str, baselines: &Path) -> Result<RunLock> {
        let path = repo.git_dir().join(FILE_NAME);
        let lock = RunLock::take(&path, what)?;
        let worktrees = repo.remove_stale_worktrees()?;
        let files = remove_temp_files(baselines)?;
        if worktrees + files > 0 {
            eprintln!(
                "perfgate: removed what an interrupted run left: {worktrees} worktree(s), {files} temporary file(s)"
            );
        }
        Ok(lock)
    }

    /// Takes the lock at `path`, recording `what` and this process's id in it.
    pub fn take(path: &Path, what: &str) -> Result<RunLock> {
        let io = |action: &'static str| {
            let path = path.to_path_buf();
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io("open"))?;
        // SAFETY: `flock` on a file descriptor this `File` owns and keeps open.
        let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if !taken {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(Error::Busy {
                path: path.to_path_buf(),
                holder: if holder.is_empty() {
                    "a process that has not said which".to_string()
                } else {
                    holder.to_string()
                },
            });
        }
        file.set_len(0).map_err(io("write"))?;
        file.seek(SeekFrom::Start(0)).map_err(io("write"))?;
        write!(file, "pid {}, {what}", std::process::id()).map_err(io("write"))?;
        file.flush().map_err(io("write"))?;
        Ok(RunLock { _file: file })
    }
}

/// Removes the temporary files of interrupted atomic writes in `dir` and its `partial/`
/// folder; returns how many.
fn remove_temp_files(dir: &Path) -> Result<usize> {
    let mut removed = 0;
    for folder in [dir.to_path_buf(), dir.join(crate::store::PARTIAL_DIR)] {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        let stale: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(TEMP_PREFIX))
            })
            .collect();
        for path in stale {
            fs::remove_file(&path).map_err(|source| Error::Io {
                action: "remove",
                path: path.clone(),
                source,
            })?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_name_until_it_lets_go() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join(FILE_NAME);
        let first = RunLock::take(&path, "`perfgate run`").expect("free");
        let err = RunLock::take(&path, "`perfgate bisect`").expect_err("held");
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {}, `perfgate run`", std::process::id())),
            "{text}"
        );
        assert!(text.contains("wait for it to finish"), "{text}");
        drop(first);
        RunLock::take(&path, "`perfgate bisect`").expect("free again");
    }

    #[test]
    fn interrupted_writes_are_swept_and_nothing_else() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::create_dir_all(dir.path().join("partial")).expect("mkdir");
        for name in [
            ".perfgate-tmp-a1",
            "partial/.perfgate-tmp-b2",
            "abc.json",
            ".other",
        ] {
            std::fs::write(dir.path().join(name), "x").expect("write");
        }
        assert_eq!(remove_temp_files(dir.path()).expect("swept"), 2);
        assert!(dir.path().join("abc.json").is_file());
        assert!(dir.path().join(".other").is_file());
        assert!(!dir.path().join(".perfgate-tmp-a1").exists());
        assert_eq!(
            remove_temp_files(&dir.path().join("missing")).expect("none"),
            0
        );
    }
}
