//! The report stage: baselines along history (and comparisons) → a static HTML site in
//! `reports/`, one self-contained file per page (inline SVG and CSS; no script, no network).
//!
//! `trend` turns baselines into series over history, `changepoint` finds their steps, `chart`
//! draws them (plotters SVG), `html` and `site` lay the pages out: all pure. This module's
//! only I/O is [`write_site`], which writes every page into a temporary folder beside the
//! output and then swaps it in, so a failed write leaves the old site whole.

pub mod changepoint;
pub mod chart;
pub mod html;
mod matrix;
pub mod site;
pub mod trend;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use site::Page;

/// Writes `pages` as the site at `out`, replacing what was there. The pages are written into a
/// temporary folder beside `out` first; only when all are written is the old site moved aside
/// and the new one renamed into place (the old one is then removed). Hidden files of the old
/// folder (`.gitkeep`) are carried over.
pub fn write_site(out: &Path, pages: &[Page]) -> Result<PathBuf> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let create_error = |source| Error::Io {
        action: "create the report folder in",
        path: parent.to_path_buf(),
        source,
    };
    fs::create_dir_all(parent).map_err(create_error)?;
    let staging = tempfile::Builder::new()
        .prefix(".perfgate-report-")
        .tempdir_in(parent)
        .map_err(create_error)?;
    for page in pages {
        let path = staging.path().join(&page.path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|source| Error::Io {
                action: "create",
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let mut file = fs::File::create(&path).map_err(|source| Error::Io {
            action: "write",
            path: out.join(&page.path),
            source,
        })?;
        file.write_all(page.html.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|source| Error::Io {
                action: "write",
                path: out.join(&page.path),
                source,
            })?;
    }
    if out.is_dir() {
        for entry in fs::read_dir(out)
            .map_err(|source| Error::Io {
                action: "list",
                path: out.to_path_buf(),
                source,
            })?
            .flatten()
        {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') && entry.path().is_file() {
                fs::copy(entry.path(), staging.path().join(&name)).map_err(|source| Error::Io {
                    action: "copy",
                    path: entry.path(),
                    source,
                })?;
            }
        }
    }
    let staged = staging.keep();
    let swap = || -> std::io::Result<()> {
        if out.exists() {
            let old = tempfile::Builder::new()
                .prefix(".perfgate-report-old-")
                .tempdir_in(parent)?
                .keep();
            // `old` exists and is empty; a directory renamed onto an empty one replaces it.
            fs::rename(out, &old)?;
            fs::rename(&staged, out)?;
            // Best effort: the new site is in place.
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&staged, out)?;
        }
        Ok(())
    };
    swap().map_err(|source| {
        let _ = fs::remove_dir_all(&staged);
        Error::Io {
            action: "replace",
            path: out.to_path_buf(),
            source,
        }
    })?;
    Ok(out.join("index.html"))
}

/// Writes one page into `dir` (created if needed) atomically (temporary file, then rename).
pub fn write_page(dir: &Path, page: &Page) -> Result<PathBuf> {
    let path = dir.join(&page.path);
    crate::atomic::write(&path, page.html.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(text: &str) -> Vec<Page> {
        vec![
            Page {
                path: "index.html".into(),
                html: text.into(),
            },
            Page {
                path: "bench/a.html".into(),
                html: text.into(),
            },
        ]
    }

    #[test]
    fn the_site_is_replaced_whole_and_hidden_files_stay() {
        let dir = tempfile::tempdir().expect("temp");
        let out = dir.path().join("reports");
        fs::create_dir_all(&out).expect("mkdir");
        fs::write(out.join(".gitkeep"), "").expect("write");
        fs::write(out.join("stale.html"), "old").expect("write");
        write_site(&out, &pages("one")).expect("written");
        assert_eq!(
            fs::read_to_string(out.join("bench/a.html")).expect("read"),
            "one"
        );
        assert!(out.join(".gitkeep").exists());
        assert!(!out.join("stale.html").exists());
        write_site(&out, &pages("two")).expect("written again");
        assert_eq!(
            fs::read_to_string(out.join("index.html")).expect("read"),
            "two"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("reports")]);
    }

    #[test]
    fn a_page_is_written_atomically() {
        let dir = tempfile::tempdir().expect("temp");
        let path = write_page(
            dir.path(),
            &Page {
                path: "compare.html".into(),
                html: "x".into(),
            },
        )
        .expect("written");
        assert_eq!(fs::read_to_string(path).expect("read"), "x");
    }
}
