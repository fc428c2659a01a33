//! The one way perfgate writes a file: into a temporary file in the same folder, synced, then
//! renamed over the target, so a reader sees the old file or the new one, never a part; and the
//! one way it empties a folder it owns before a tool writes into it.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// The name prefix of the temporary files: what an interrupted write leaves, and what
/// [`crate::lock`] sweeps before the next run.
pub const TEMP_PREFIX: &str = ".perfgate-tmp-";

/// Writes `bytes` to `path` atomically, creating its folder if needed.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let write_error = |source| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create",
        path: dir.to_path_buf(),
        source,
    })?;
    let mut file = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(write_error)?;
    file.write_all(bytes).map_err(write_error)?;
    file.as_file().sync_all().map_err(write_error)?;
    file.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
}

/// A new temporary directory under the system's, removed when the handle drops.
pub fn scratch_dir() -> Result<tempfile::TempDir> {
    tempfile::tempdir().map_err(|source| Error::Io {
        action: "create a temporary directory in",
        path: std::env::temp_dir(),
        source,
    })
}

/// Empties (or creates) a folder perfgate owns, so that nothing an earlier run left there is
/// read as this run's output.
pub fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|source| Error::Io {
            action: "clear",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create",
        path: dir.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_leaves_no_temporary_one() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("a/b.txt");
        write(&path, b"one").expect("written");
        write(&path, b"two").expect("replaced");
        assert_eq!(fs::read_to_string(&path).expect("read"), "two");
        assert_eq!(fs::read_dir(dir.path().join("a")).expect("list").count(), 1);
        let blocked = dir.path().join("a/b.txt/c");
        assert!(write(&blocked, b"x").is_err());
    }
}
