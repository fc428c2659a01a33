//! Baselines kept on a dedicated data branch (`perfgate push` / `perfgate fetch`), so CI can
//! share them between jobs and runs without a commit on `main` per measurement.
//!
//! The branch (default `perfgate-data`) holds one file per commit, `baselines/<sha>.json`,
//! in a history of its own: each push is one commit on top of the branch's tip, whose tree is
//! the tip's tree plus the local baselines. Objects and commits are made with git2 in the
//! local repository under `refs/perfgate/data`; the transport is the `git` command (`git fetch`,
//! `git push`), which uses whatever credentials the checkout configured (a CI token, an SSH
//! key). A push is never forced: when the remote moved meanwhile, the push is rebuilt on the
//! new tip and tried again.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use git2::{Oid, Repository, Signature};

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::process;
use crate::store;

/// The branch baselines are kept on, unless another is named.
pub const DEFAULT_BRANCH: &str = "perfgate-data";
/// The local ref the data branch is fetched into and built on.
pub const LOCAL_REF: &str = "refs/perfgate/data";
/// The folder of the baselines inside the branch's tree.
const TREE_DIR: &str = "baselines";
/// How often a push rejected because the remote moved is rebuilt and tried again.
const PUSH_TRIES: usize = 3;

/// What `fetch` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fetched {
    /// Whether the remote has the branch at all.
    pub branch_exists: bool,
    /// Baselines written to the local folder.
    pub added: usize,
    /// Baselines already there (left as they are).
    pub present: usize,
}

/// What `push` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pushed {
    /// Baselines new or changed on the branch.
    pub updated: usize,
    /// The new tip, if anything was pushed.
    pub commit: Option<String>,
}

fn git_error(action: &str) -> impl Fn(git2::Error) -> Error + '_ {
    move |source| Error::Git {
        action: action.to_string(),
        fix: "check the repository with `git fsck`".to_string(),
        source,
    }
}

/// `git fetch <remote> +refs/heads/<branch>:refs/perfgate/data`; `false` when the remote has
/// no such branch.
fn fetch_ref(root: &Path, remote: &str, branch: &str) -> Result<bool> {
    let mut ls = Command::new("git");
    ls.args(["ls-remote", "--exit-code", "--heads", remote, branch])
        .current_dir(root);
    let out = process::spawn_output(&mut ls, process::hint::GIT)?;
    match out.status.code() {
        Some(0) => {}
        // `--exit-code`: 2 means the remote answered and has no such ref.
        Some(2) => return Ok(false),
        _ => {
            return Err(Error::CommandFailed {
                command: process::command_line(&ls),
                status: process::status_text(out.status),
                stderr_tail: process::tail(&out.stderr),
                hint: Some(format!(
                    "check that the remote `{remote}` exists (`git remote -v`) and can be read"
                )),
            });
        }
    }
    let refspec = format!("+refs/heads/{branch}:{LOCAL_REF}");
    process::run(
        Command::new("git")
            .args(["fetch", "--quiet", "--no-tags", remote, &refspec])
            .current_dir(root),
        process::hint::GIT,
    )?;
    Ok(true)
}

/// The baselines in the tree of the local data ref: file name → blob id.
fn branch_files(repo: &Repository) -> Result<BTreeMap<String, Oid>> {
    let mut out = BTreeMap::new();
    let Ok(reference) = repo.find_reference(LOCAL_REF) else {
        return Ok(out);
    };
    let tree = reference
        .peel_to_tree()
        .map_err(git_error("read the data branch's tree"))?;
    let Some(entry) = tree.get_name(TREE_DIR) else {
        return Ok(out);
    };
    let dir = entry
        .to_object(repo)
        .and_then(|o| o.peel_to_tree())
        .map_err(git_error("read the data branch's baselines folder"))?;
    for entry in dir.iter() {
        if let Ok(name) = entry.name()
            && name.ends_with(".json")
        {
            out.insert(name.to_string(), entry.id());
        }
    }
    Ok(out)
}

/// Fetches the data branch of `remote` and writes every baseline it has that `dir` lacks.
/// Baselines already in `dir` are kept as they are (a local measurement is never replaced).
pub fn fetch(repo: &Repo, remote: &str, branch: &str, dir: &Path) -> Result<Fetched> {
    let root = repo.root();
    if !fetch_ref(&root, remote, branch)? {
        return Ok(Fetched::default());
    }
    let raw = repo.raw();
    let files = branch_files(raw)?;
    let mut fetched = Fetched {
        branch_exists: true,
        ..Fetched::default()
    };
    for (name, oid) in files {
        let path = dir.join(&name);
        if path.exists() {
            fetched.present += 1;
            continue;
        }
        let blob = raw
            .find_blob(oid)
            .map_err(git_error("read a baseline of the data branch"))?;
        // Check that it is a baseline before it lands among them.
        let baseline: store::Baseline =
            serde_json::from_slice(blob.content()).map_err(|e| Error::BaselineCorrupt {
                path: Path::new(TREE_DIR).join(&name),
                message: format!("on the data branch `{branch}`: {e}"),
            })?;
        store::save(dir, &baseline)?;
        fetched.added += 1;
    }
    Ok(fetched)
}

/// Pushes every local baseline (not dirty ones) to the data branch of `remote`: one commit on
/// top of the branch's tip (or the branch's first commit), pushed without force; if the remote
/// moved meanwhile, rebuilt on its new tip and tried again.
pub fn push(repo: &Repo, remote: &str, branch: &str, dir: &Path) -> Result<Pushed> {
    let root = repo.root();
    for attempt in 1..=PUSH_TRIES {
        let exists = fetch_ref(&root, remote, branch)?;
        let raw = repo.raw();
        if !exists && raw.find_reference(LOCAL_REF).is_ok() {
            // A local ref left from a branch the remote no longer has: start afresh.
            raw.find_reference(LOCAL_REF)
                .and_then(|mut r| r.delete())
                .map_err(git_error("reset the local data ref"))?;
        }
        let Some((commit, updated)) = commit_baselines(raw, dir)? else {
            return Ok(Pushed::default());
        };
        let refspec = format!("{LOCAL_REF}:refs/heads/{branch}");
        let mut cmd = Command::new("git");
        cmd.args(["push", "--quiet", remote, &refspec])
            .current_dir(&root);
        let out = process::spawn_output(&mut cmd, process::hint::GIT)?;
        if out.status.success() {
            return Ok(Pushed {
                updated,
                commit: Some(commit.to_string()),
            });
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let moved = stderr.contains("non-fast-forward")
            || stderr.contains("fetch first")
            || stderr.contains("rejected");
        if !moved || attempt == PUSH_TRIES {
            return Err(Error::CommandFailed {
                command: process::command_line(&cmd),
                status: process::status_text(out.status),
                stderr_tail: process::tail(&out.stderr),
                hint: Some(format!(
                    "perfgate never forces a push; check that `{remote}` can be written and that `{branch}` is a branch of baselines"
                )),
            });
        }
    }
    Ok(Pushed::default())
}

/// Commits the local baselines on top of the local data ref; `None` when the branch already
/// holds them all, byte for byte.
fn commit_baselines(raw: &Repository, dir: &Path) -> Result<Option<(Oid, usize)>> {
    let existing = branch_files(raw)?;
    let parent = raw
        .find_reference(LOCAL_REF)
        .ok()
        .and_then(|r| r.peel_to_commit().ok());
    let base_tree = parent.as_ref().and_then(|c| c.tree().ok());
    let base_dir = base_tree
        .as_ref()
        .and_then(|t| t.get_name(TREE_DIR))
        .and_then(|e| e.to_object(raw).ok())
        .and_then(|o| o.peel_to_tree().ok());
    let mut builder = raw
        .treebuilder(base_dir.as_ref())
        .map_err(git_error("build the baselines tree"))?;
    let mut updated = 0;
    for path in store::list(dir)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with("-dirty.json") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        let oid = raw
            .blob(&bytes)
            .map_err(git_error("store a baseline in the repository"))?;
        if existing.get(name) != Some(&oid) {
            builder
                .insert(name, oid, 0o100644)
                .map_err(git_error("build the baselines tree"))?;
            updated += 1;
        }
    }
    if updated == 0 {
        return Ok(None);
    }
    let dir_oid = builder
        .write()
        .map_err(git_error("write the baselines tree"))?;
    let mut root_builder = raw
        .treebuilder(base_tree.as_ref())
        .map_err(git_error("build the data branch's tree"))?;
    root_builder
        .insert(TREE_DIR, dir_oid, 0o040000)
        .map_err(git_error("build the data branch's tree"))?;
    let tree_oid = root_builder
        .write()
        .map_err(git_error("write the data branch's tree"))?;
    let tree = raw
        .find_tree(tree_oid)
        .map_err(git_error("read the new tree"))?;
    let signature = raw
        .signature()
        .or_else(|_| Signature::now("perfgate", "perfgate@localhost"))
        .map_err(git_error("make a commit signature"))?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let message = format!("perfgate: {updated} baseline(s)\n");
    let commit = raw
        .commit(
            Some(LOCAL_REF),
            &signature,
            &signature,
            &message,
            &tree,
            &parents,
        )
        .map_err(git_error("commit the baselines to the data branch"))?;
    Ok(Some((commit, updated)))
}
