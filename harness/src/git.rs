//! The git side of perfgate: revisions resolved to commits, the state of the work tree, the
//! first-parent history and merge bases, and temporary checkouts of older commits.
//!
//! Everything goes through libgit2 (the `git2` crate); no `git` process is started. This module
//! reads the repository and never changes the user's checkout: its `HEAD`, index and files stay
//! as they are. The one thing it writes is a temporary linked worktree ([`Repo::worktree`]),
//! which lives in a fresh temporary directory and is removed, metadata and all, when dropped.

use std::path::{Path, PathBuf};

use git2::{Commit, Repository, StatusOptions, WorktreeAddOptions, WorktreePruneOptions};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What perfgate records of a commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// The full commit id, lowercase hex.
    pub sha: String,
    /// The full ids of its parents, first parent first.
    pub parents: Vec<String>,
    /// The first line of its message.
    pub subject: String,
    /// The committer time, in unix seconds.
    pub time: i64,
    /// The author's name.
    pub author: String,
}

/// A git repository with a work tree.
pub struct Repo {
    repo: Repository,
    root: PathBuf,
}

impl Repo {
    /// Opens the repository that contains `path` (searching upwards, as `git` does).
    pub fn discover(path: &Path) -> Result<Repo> {
        let action = || format!("open a git repository at `{}`", path.display());
        let fix = || "run perfgate inside a git repository (`git init`)".to_string();
        let repo = Repository::discover(path).map_err(|source| Error::Git {
            action: action(),
            fix: fix(),
            source,
        })?;
        let Some(workdir) = repo.workdir() else {
            return Err(Error::Git {
                action: action(),
                fix: fix(),
                source: git2::Error::from_str("the repository is bare: it has no work tree"),
            });
        };
        // libgit2 ends the work directory with a slash; collecting the components drops it,
        // so that `root().join(..)` and `strip_prefix(root())` behave as expected.
        let root = workdir.components().collect();
        Ok(Repo { repo, root })
    }

    /// The root of the work tree.
    pub fn root(&self) -> PathBuf {
        self.root.clone()
    }

    /// The git2 repository, for modules that build objects and refs of their own
    /// (`databranch`).
    pub(crate) fn raw(&self) -> &Repository {
        &self.repo
    }

    /// The commit that `rev` names: a branch, tag, sha (or prefix), or an expression such as
    /// `HEAD~3` or `main^`.
    pub fn commit(&self, rev: &str) -> Result<CommitInfo> {
        commit_info(&self.resolve(rev)?)
    }

    /// The paths that make the work tree differ from `HEAD`: modified, staged, deleted and
    /// untracked files (files that `.gitignore` ignores do not count), relative to the root,
    /// sorted. Paths under any of the `ignore` prefixes (relative to the root, or absolute
    /// paths inside it) are left out, so that perfgate's own output never makes the tree
    /// dirty. An untracked `Cargo.lock` is not a change either: cargo writes one where the
    /// crate commits none (a library), and the fingerprint records its hash.
    pub fn dirty_paths(&self, ignore: &[&Path]) -> Result<Vec<String>> {
        let ignore: Vec<&Path> = ignore
            .iter()
            .filter_map(|p| {
                if p.is_absolute() {
                    p.strip_prefix(&self.root).ok()
                } else {
                    Some(*p)
                }
            })
            // An empty prefix would hide every path, which no caller means.
            .filter(|p| p.components().next().is_some())
            .collect();
        let mut options = StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .renames_head_to_index(false);
        let statuses = self
            .repo
            .statuses(Some(&mut options))
            .map_err(|source| Error::Git {
                action: "read the status of the work tree".to_string(),
                fix: "check that `git status` works in this repository".to_string(),
                source,
            })?;
        let mut paths: Vec<String> = statuses
            .iter()
            .filter_map(|entry| {
                let status = entry.status();
                let path = String::from_utf8_lossy(entry.path_bytes()).into_owned();
                let written_by_cargo = status.is_wt_new()
                    && Path::new(&path)
                        .file_name()
                        .is_some_and(|name| name == "Cargo.lock");
                (!status.is_empty() && !status.is_ignored() && !written_by_cargo).then_some(path)
            })
            .filter(|path| {
                !ignore
                    .iter()
                    .any(|prefix| Path::new(path).starts_with(prefix))
            })
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// A checkout of `rev` in a fresh temporary directory: a linked worktree whose `HEAD` is
    /// detached at the commit. The user's checkout is not touched. Dropping the [`Worktree`]
    /// removes the directory and the worktree's metadata in `.git/worktrees/`.
    ///
    /// libgit2 can only create a worktree on a branch, so a temporary branch named after the
    /// worktree is made at the commit, and deleted again once the worktree's `HEAD` is
    /// detached.
    pub fn worktree(&self, rev: &str) -> Result<Worktree> {
        let commit = self.resolve(rev)?;
        let info = commit_info(&commit)?;
        let dir = tempfile::Builder::new()
            .prefix("perfgate-worktree-")
            .tempdir()
            .map_err(|source| Error::Io {
                action: "create",
                path: std::env::temp_dir(),
                source,
            })?;
        // The temporary directory's random suffix makes the name unique among worktrees; it
        // is alphanumeric, so the name is also a valid branch name.
        let suffix = dir
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().replace("perfgate-worktree-", ""))
            .unwrap_or_default();
        let name = format!("perfgate-{}-{suffix}", short(&info.sha));
        let checkout_name = self
            .root
            .file_name()
            .map_or_else(|| "checkout".into(), |n| n.to_os_string());
        let path = dir.path().join(checkout_name);

        let git_error = |source| Error::Git {
            action: format!("create a worktree of `{rev}` in `{}`", path.display()),
            fix: "check that `git worktree add --detach DIR REV` works in this repository"
                .to_string(),
            source,
        };
        let mut branch = self.repo.branch(&name, &commit, false).map_err(git_error)?;
        let added = (|| {
            let mut options = WorktreeAddOptions::new();
            options.reference(Some(branch.get()));
            let handle = self.repo.worktree(&name, &path, Some(&options))?;
            Repository::open_from_worktree(&handle)?.set_head_detached(commit.id())?;
            Ok(handle)
        })();
        // The branch was only the way in; once `HEAD` is detached nothing refers to it. If
        // detaching failed, the worktree is pruned below, after which the branch can go too.
        let handle = match added {
            Ok(handle) => handle,
            Err(source) => {
                if let Ok(handle) = self.repo.find_worktree(&name) {
                    prune(&handle);
                }
                // Best effort: the error that matters is `source`.
                let _ = branch.delete();
                return Err(git_error(source));
            }
        };
        branch.delete().map_err(git_error)?;
        Ok(Worktree {
            path,
            commit: info,
            handle,
            _dir: dir,
        })
    }

    /// Up to `limit` commits of the first-parent history of `rev`, newest (`rev` itself)
    /// first.
    pub fn first_parent_history(&self, rev: &str, limit: usize) -> Result<Vec<CommitInfo>> {
        let mut out = Vec::new();
        let mut next = Some(self.resolve(rev)?);
        while let Some(commit) = next {
            if out.len() == limit {
                break;
            }
            out.push(commit_info(&commit)?);
            next = if commit.parent_count() == 0 {
                None
            } else {
                Some(commit.parent(0).map_err(|source| Error::Git {
                    action: format!("read the parent of {}", commit.id()),
                    fix: "fetch the missing history (`git fetch --unshallow`)".to_string(),
                    source,
                })?)
            };
        }
        Ok(out)
    }

    /// The git object id of each of `paths` (relative to the root: a folder's tree, a file's
    /// blob) in commit `sha`, `-` for a path the commit does not have: a fingerprint of those
    /// paths' contents at that commit.
    pub fn object_ids(&self, sha: &str, paths: &[&Path]) -> Result<Vec<String>> {
        let commit = self.resolve(sha)?;
        let tree = commit.tree().map_err(|source| Error::Git {
            action: format!("read the tree of {sha}"),
            fix: "check that the repository is not damaged (`git fsck`)".to_string(),
            source,
        })?;
        Ok(paths
            .iter()
            .map(|path| {
                if path.as_os_str().is_empty() {
                    return tree.id().to_string();
                }
                tree.get_path(path)
                    .map_or_else(|_| "-".to_string(), |entry| entry.id().to_string())
            })
            .collect())
    }

    /// The best common ancestor of `a` and `b` (what `git merge-base a b` prints).
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String> {
        let (one, two) = (self.resolve(a)?.id(), self.resolve(b)?.id());
        self.repo
            .merge_base(one, two)
            .map(|oid| oid.to_string())
            .map_err(|source| Error::Git {
                action: format!("find a common ancestor of `{a}` and `{b}`"),
                fix: "compare revisions that share history; in a shallow clone, fetch more of it (`git fetch --unshallow`)".to_string(),
                source,
            })
    }

    /// The paths that differ between the trees of commits `a` and `b`, sorted.
    pub fn changed_paths(&self, a: &str, b: &str) -> Result<Vec<String>> {
        let git_error = |source| Error::Git {
            action: format!("list the files changed between `{a}` and `{b}`"),
            fix: "check that both commits are in this repository".to_string(),
            source,
        };
        let old = self.resolve(a)?.tree().map_err(git_error)?;
        let new = self.resolve(b)?.tree().map_err(git_error)?;
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&old), Some(&new), None)
            .map_err(git_error)?;
        let mut paths: Vec<String> = diff
            .deltas()
            .flat_map(|d| [d.old_file().path(), d.new_file().path()])
            .flatten()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// Removes the temporary worktrees that an earlier perfgate left behind (killed before it
    /// could clean up): each worktree named `perfgate-…`, its checkout folder, and the branch
    /// of that name. Returns how many were removed. Only safe while no other perfgate works in
    /// this repository: callers hold the [`crate::lock::RunLock`].
    pub fn remove_stale_worktrees(&self) -> Result<usize> {
        let names = self.repo.worktrees().map_err(|source| Error::Git {
            action: "list the worktrees".to_string(),
            fix: "check that `git worktree list` works in this repository".to_string(),
            source,
        })?;
        let mut removed = 0;
        for name in names
            .iter()
            .flatten()
            .flatten()
            .filter(|n| n.starts_with("perfgate-"))
        {
            let Ok(handle) = self.repo.find_worktree(name) else {
                continue;
            };
            let checkout = handle.path().to_path_buf();
            prune(&handle);
            // The checkout sits in a `perfgate-worktree-…` temporary folder: remove it whole.
            if let Some(dir) = checkout.parent().filter(|d| {
                d.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("perfgate-worktree-"))
            }) {
                let _ = std::fs::remove_dir_all(dir);
            }
            if let Ok(mut branch) = self.repo.find_branch(name, git2::BranchType::Local) {
                let _ = branch.delete();
            }
            removed += 1;
        }
        Ok(removed)
    }

    /// The repository's git directory (shared by its worktrees).
    pub fn git_dir(&self) -> PathBuf {
        self.repo.commondir().to_path_buf()
    }

    /// The commit that `rev` names, or [`Error::UnknownRev`].
    fn resolve(&self, rev: &str) -> Result<Commit<'_>> {
        self.repo
            .revparse_single(rev)
            .and_then(|object| object.peel_to_commit())
            .map_err(|source| Error::UnknownRev {
                rev: rev.to_string(),
                source,
            })
    }
}

/// A temporary checkout of one commit (see [`Repo::worktree`]).
pub struct Worktree {
    /// The checkout, inside `_dir`.
    path: PathBuf,
    commit: CommitInfo,
    handle: git2::Worktree,
    /// Deleted (with anything left in it) after the worktree is pruned.
    _dir: tempfile::TempDir,
}

impl Worktree {
    /// The root of the checkout.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The commit checked out.
    pub fn commit(&self) -> &CommitInfo {
        &self.commit
    }
}

impl Drop for Worktree {
    /// Removes the checkout and its metadata in `.git/worktrees/`; best effort. What a crash
    /// leaves behind, `git worktree prune` removes.
    fn drop(&mut self) {
        prune(&self.handle);
    }
}

/// Removes a worktree's files and metadata, whether or not it is still valid; best effort.
fn prune(handle: &git2::Worktree) {
    let mut options = WorktreePruneOptions::new();
    options.valid(true).working_tree(true).locked(false);
    // A failure here leaves metadata that `git worktree prune` cleans up; nothing to report.
    let _ = handle.prune(Some(&mut options));
}

/// The short form of a sha, as perfgate shows it everywhere: its first 12 characters.
pub fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn commit_info(commit: &Commit<'_>) -> Result<CommitInfo> {
    Ok(CommitInfo {
        sha: commit.id().to_string(),
        parents: commit.parent_ids().map(|id| id.to_string()).collect(),
        subject: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
        time: commit.time().seconds(),
        author: String::from_utf8_lossy(commit.author().name_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use git2::{BranchType, Signature, Time};

    use super::*;

    /// A repository in a temporary directory, made with git2 only.
    struct Fixture {
        dir: tempfile::TempDir,
        repo: Repository,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = tempfile::tempdir().expect("temp dir");
            let repo = Repository::init(dir.path()).expect("git init");
            Fixture { dir, repo }
        }

        fn root(&self) -> &Path {
            self.dir.path()
        }

        fn write(&self, rel: &str, text: &str) {
            let path = self.root().join(rel);
            fs::create_dir_all(path.parent().expect("a file has a parent")).expect("mkdir");
            fs::write(path, text).expect("write");
        }

        /// Stages every file and commits on `HEAD` at unix time `time`; returns the sha.
        fn commit(&self, subject: &str, time: i64) -> String {
            let mut index = self.repo.index().expect("index");
            index
                .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
                .expect("add");
            index.update_all(["*"], None).expect("stage deletions too");
            index.write().expect("write index");
            let tree = self
                .repo
                .find_tree(index.write_tree().expect("write tree"))
                .expect("tree");
            let who = Signature::new("Ada", "ada@example.com", &Time::new(time, 0)).expect("sig");
            let parent = self
                .repo
                .head()
                .ok()
                .map(|h| h.peel_to_commit().expect("commit"));
            let parents: Vec<&Commit<'_>> = parent.iter().collect();
            self.repo
                .commit(Some("HEAD"), &who, &who, subject, &tree, &parents)
                .expect("commit")
                .to_string()
        }

        fn open(&self) -> Repo {
            Repo::discover(self.root()).expect("a repository")
        }
    }

    /// Two commits: `a.txt` is "one" then "two".
    fn two_commits() -> (Fixture, String, String) {
        let fx = Fixture::new();
        fx.write("a.txt", "one\n");
        let first = fx.commit("first\n\nbody", 1_700_000_000);
        fx.write("a.txt", "two\n");
        let second = fx.commit("second", 1_700_000_100);
        (fx, first, second)
    }

    #[test]
    fn commit_info_of_head_and_ancestors() {
        let (fx, first, second) = two_commits();
        let repo = fx.open();
        assert_eq!(
            repo.commit("HEAD").expect("HEAD"),
            CommitInfo {
                sha: second.clone(),
                parents: vec![first.clone()],
                subject: "second".into(),
                time: 1_700_000_100,
                author: "Ada".into(),
            }
        );
        let info = repo.commit("HEAD~1").expect("HEAD~1");
        assert_eq!(info.sha, first);
        assert_eq!(info.subject, "first", "only the first line");
        assert!(info.parents.is_empty());
        assert_eq!(repo.commit(&first[..8]).expect("a prefix").sha, first);
        let sub = fx.root().join("nested/dir");
        fs::create_dir_all(&sub).expect("mkdir");
        let from_sub = Repo::discover(&sub).expect("discovered upwards");
        assert_eq!(
            from_sub.root().canonicalize().expect("exists"),
            fx.root().canonicalize().expect("exists")
        );
    }

    #[test]
    fn unknown_revisions_and_non_repositories_are_errors() {
        let (fx, _, _) = two_commits();
        let err = fx.open().commit("no-such-branch").expect_err("unknown");
        assert!(matches!(err, Error::UnknownRev { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "unknown git revision `no-such-branch`; pass a branch, tag or commit sha that exists (`git log --oneline` lists them)"
        );
        let err = fx.open().commit("HEAD^{tree}").expect_err("a tree");
        assert!(matches!(err, Error::UnknownRev { .. }), "{err:?}");

        let plain = tempfile::tempdir().expect("temp dir");
        let err = Repo::discover(plain.path())
            .err()
            .expect("not a repository");
        assert!(
            err.to_string()
                .ends_with("; run perfgate inside a git repository (`git init`)"),
            "{err}"
        );
    }

    #[test]
    fn dirty_paths_see_changes_but_not_ignored_output() {
        let (fx, _, _) = two_commits();
        fx.write(".gitignore", "target/\n");
        fx.write("b.txt", "b\n");
        fx.commit("ignore target", 1_700_000_200);
        let repo = fx.open();
        let baselines = Path::new("baselines");
        assert_eq!(
            repo.dirty_paths(&[baselines]).expect("status"),
            Vec::<String>::new()
        );

        fx.write("target/x.o", "built");
        fx.write("baselines/abc.json", "{}");
        fx.write("Cargo.lock", "# written by cargo\n");
        fx.write("member/Cargo.lock", "# written by cargo\n");
        assert_eq!(
            repo.dirty_paths(&[baselines]).expect("status"),
            Vec::<String>::new(),
            "gitignored files, perfgate's own and an untracked Cargo.lock are not changes"
        );
        assert_eq!(
            repo.dirty_paths(&[]).expect("status"),
            vec!["baselines/abc.json".to_string()]
        );
        let absolute = fx.open().root().join("baselines");
        assert_eq!(
            repo.dirty_paths(&[absolute.as_path()]).expect("status"),
            Vec::<String>::new(),
            "an absolute prefix inside the root works too"
        );

        fx.write("a.txt", "changed\n");
        fx.write("new/c.txt", "c\n");
        fs::remove_file(fx.root().join("b.txt")).expect("rm");
        assert_eq!(
            repo.dirty_paths(&[baselines]).expect("status"),
            vec!["a.txt", "b.txt", "new/c.txt"]
        );

        // Staged, then reverted in the work tree: still a change against HEAD.
        fx.write("a.txt", "staged\n");
        let mut index = fx.repo.index().expect("index");
        index.add_path(Path::new("a.txt")).expect("stage");
        index.write().expect("write index");
        fx.write("a.txt", "two\n");
        assert!(
            repo.dirty_paths(&[baselines])
                .expect("status")
                .contains(&"a.txt".to_string())
        );
    }

    #[test]
    fn a_worktree_checks_out_the_old_commit_and_goes_away() {
        let (fx, first, second) = two_commits();
        let repo = fx.open();
        let tree = repo.worktree(&first[..10]).expect("worktree");
        let path = tree.path().to_path_buf();
        assert_eq!(tree.commit().sha, first);
        assert_eq!(
            fs::read_to_string(path.join("a.txt")).expect("checked out"),
            "one\n"
        );
        assert!(!path.starts_with(fx.root()), "not inside the checkout");
        // The worktree is detached at the commit, and the user's checkout is as it was.
        let inner = Repo::discover(&path).expect("the worktree is a repository");
        assert_eq!(inner.commit("HEAD").expect("HEAD").sha, first);
        assert!(inner.repo.head_detached().expect("head"));
        assert!(inner.dirty_paths(&[]).expect("status").is_empty());
        assert_eq!(repo.commit("HEAD").expect("HEAD").sha, second);
        assert_eq!(
            fs::read_to_string(fx.root().join("a.txt")).expect("main checkout"),
            "two\n"
        );
        assert!(repo.dirty_paths(&[]).expect("status").is_empty());
        let branches: Vec<String> = fx
            .repo
            .branches(Some(BranchType::Local))
            .expect("branches")
            .map(|b| {
                let (branch, _) = b.expect("branch");
                String::from_utf8_lossy(branch.name_bytes().expect("name")).into_owned()
            })
            .collect();
        assert_eq!(
            branches.len(),
            1,
            "no temporary branch is left: {branches:?}"
        );
        assert_eq!(fx.repo.worktrees().expect("list").len(), 1);

        drop(tree);
        assert!(!path.exists(), "the checkout is removed");
        assert!(
            !path.parent().expect("in a temp dir").exists(),
            "so is its temporary directory"
        );
        assert_eq!(
            fx.repo.worktrees().expect("list").len(),
            0,
            "and its metadata"
        );
        assert!(repo.dirty_paths(&[]).expect("status").is_empty());
    }

    #[test]
    fn object_ids_change_with_the_contents_of_their_path_only() {
        let (fx, first, second) = two_commits();
        fx.write("sub/b.txt", "b\n");
        let third = fx.commit("third", 1_700_000_200);
        let repo = fx.open();
        let paths = [Path::new("a.txt"), Path::new("sub"), Path::new("")];
        let at = |sha: &str| repo.object_ids(sha, &paths).expect("ids");
        let (one, two, three) = (at(&first), at(&second), at(&third));
        assert_ne!(one[0], two[0], "a.txt changed");
        assert_eq!(two[0], three[0], "a.txt did not");
        assert_eq!(one[1], "-", "no sub/ yet");
        assert_ne!(three[1], "-");
        assert!(
            one[2] != two[2] && two[2] != three[2],
            "the root tree follows every change"
        );
    }

    #[test]
    fn first_parent_history_and_merge_base() {
        let (fx, first, second) = two_commits();
        let oid = |sha: &str| git2::Oid::from_str(sha).expect("an oid");
        // A side branch from `first` with one commit, then merged into the main line:
        // first ── second ── merge (main)
        //     └── side ──────┘
        let base = fx.repo.find_commit(oid(&first)).expect("first");
        fx.repo.branch("side", &base, false).expect("branch");
        fx.repo.set_head("refs/heads/side").expect("switch");
        fx.repo
            .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .expect("checkout");
        fx.write("side.txt", "side\n");
        let side = fx.commit("side work", 1_700_000_150);
        let (main_tip, side_tip) = (
            fx.repo.find_commit(oid(&second)).expect("second"),
            fx.repo.find_commit(oid(&side)).expect("side"),
        );
        let who =
            Signature::new("Ada", "ada@example.com", &Time::new(1_700_000_300, 0)).expect("sig");
        let merge = fx
            .repo
            .commit(
                None,
                &who,
                &who,
                "merge side",
                &side_tip.tree().expect("tree"),
                &[&main_tip, &side_tip],
            )
            .expect("merge commit")
            .to_string();

        let repo = fx.open();
        assert_eq!(repo.merge_base(&second, "side").expect("base"), first);
        assert_eq!(repo.merge_base(&merge, "side").expect("base"), side);

        let history = repo.first_parent_history(&merge, 10).expect("history");
        let shas: Vec<&str> = history.iter().map(|c| c.sha.as_str()).collect();
        assert_eq!(
            shas,
            [merge.as_str(), second.as_str(), first.as_str()],
            "the side branch is not on the first-parent line"
        );
        assert_eq!(history[0].parents, [second.clone(), side.clone()]);
        let shas: Vec<String> = repo
            .first_parent_history(&merge, 2)
            .expect("history")
            .into_iter()
            .map(|c| c.sha)
            .collect();
        assert_eq!(shas, [merge.clone(), second.clone()]);
        assert!(
            repo.first_parent_history(&merge, 0)
                .expect("history")
                .is_empty()
        );

        let err = repo.merge_base("side", "nope").expect_err("unknown");
        assert!(err.to_string().starts_with("unknown git revision `nope`"));
    }
}
