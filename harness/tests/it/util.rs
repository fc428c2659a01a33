//! The fixture workspace and the runner of the real binary.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

/// Builds of the fixture share one cargo target directory (so its dependencies compile once
/// per profile), and so must not run at the same time.
static BUILDS: Mutex<()> = Mutex::new(());

/// Takes the build lock (a failed test must not poison it for the others).
pub fn build_lock() -> MutexGuard<'static, ()> {
    BUILDS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The tiny fixture crate, copied to the root of a fresh git repository with one commit.
pub struct Fixture {
    dir: tempfile::TempDir,
    /// Every commit at one fixed date, so that the same changes give the same shas (golden
    /// outputs).
    fixed_dates: bool,
}

impl Fixture {
    /// A copy of `tests/fixtures/tiny`, committed.
    pub fn tiny() -> Fixture {
        Fixture::tiny_with(false)
    }

    /// A copy of `tests/fixtures/<name>` (one crate per harness or repository shape),
    /// committed.
    pub fn named(name: &str) -> Fixture {
        Fixture::copy_of(name, false)
    }

    /// [`Fixture::tiny`] whose commits all carry one fixed date: its shas are the same on
    /// every machine and in every run.
    pub fn tiny_at_fixed_dates() -> Fixture {
        Fixture::tiny_with(true)
    }

    fn tiny_with(fixed_dates: bool) -> Fixture {
        Fixture::copy_of("tiny", fixed_dates)
    }

    fn copy_of(name: &str, fixed_dates: bool) -> Fixture {
        let dir = tempfile::tempdir().expect("a temp dir");
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_dir(&source, dir.path());
        let fixture = Fixture { dir, fixed_dates };
        fixture.git(&["init", "-q", "-b", "main"]);
        fixture.git(&["config", "user.name", "perfgate tests"]);
        fixture.git(&["config", "user.email", "tests@perfgate.invalid"]);
        fixture.commit("tiny fixture");
        fixture
    }

    /// The repository root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` to `path` (relative to the root).
    pub fn write(&self, path: &str, text: &str) {
        let path = self.root().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write a fixture file");
    }

    /// Replaces `from` (which must be there) by `to` in the fixture file at `path`.
    pub fn edit(&self, path: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.root().join(path)).expect("read a fixture file");
        assert!(text.contains(from), "`{from}` is not in {path}:\n{text}");
        self.write(path, &text.replacen(from, to, 1));
    }

    /// Runs git in the repository; panics if it fails.
    pub fn git(&self, args: &[&str]) -> String {
        if self.fixed_dates {
            git_with(self.root(), args, FIXED_DATE)
        } else {
            git(self.root(), args)
        }
    }

    /// Commits a file unique to this copy, so that the key of the build's inputs is its own:
    /// the fixtures share one target directory, where PGO keeps its merged profile by that
    /// key, and a test that needs PGO to train must not find one kept by another copy.
    pub fn with_own_build_inputs(&self) {
        self.write("copy.txt", &self.root().display().to_string());
        self.commit("this copy of the fixture");
    }

    /// Commits everything; returns the new commit's sha.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Runs the real `perfgate` binary in the repository.
    pub fn perfgate(&self, args: &[&str]) -> Output {
        self.perfgate_with(args, &[])
    }

    /// Runs the real `perfgate` binary with extra environment variables.
    pub fn perfgate_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("perfgate runs")
    }

    /// The command that runs the real `perfgate` binary in the repository, not started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_perfgate"));
        cmd.args(args)
            .current_dir(self.root())
            .env("CARGO_TARGET_DIR", shared_target_dir())
            .env_remove("RUSTFLAGS");
        cmd
    }

    /// The baseline files written so far.
    pub fn baselines(&self) -> Vec<PathBuf> {
        let dir = self.root().join("baselines");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        files
    }
}

/// The date of every commit of a fixture made at fixed dates.
const FIXED_DATE: &[(&str, &str)] = &[
    ("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z"),
    ("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z"),
];

/// Runs git in `dir` and returns its trimmed stdout; panics if it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_with(dir, args, &[])
}

/// [`git`] with extra environment variables.
fn git_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("git")
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

/// The example baseline of `docs/baseline-schema.md`, as JSON.
pub fn example() -> serde_json::Value {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/baseline-schema.md"),
    )
    .expect("read the schema doc");
    let start = doc.find("```json\n").expect("a json block") + 8;
    let end = start + doc[start..].find("\n```").expect("its end");
    serde_json::from_str(&doc[start..end]).expect("the example is JSON")
}

/// Stores `baseline` as the baseline of commit `sha`.
pub fn store(fixture: &Fixture, sha: &str, mut baseline: serde_json::Value) {
    baseline["commit"]["sha"] = serde_json::Value::from(sha);
    fixture.write(
        &format!("baselines/{sha}.json"),
        &serde_json::to_string_pretty(&baseline).expect("serialise"),
    );
}

/// The cargo target directory all fixture builds share.
pub fn shared_target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("tiny-target")
}

/// Lossy UTF-8 text of command output.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Checks the exit code, printing both streams when it differs.
#[track_caller]
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Copies a folder recursively, leaving out `target` folders.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read the fixture") {
        let entry = entry.expect("a fixture entry");
        let path = entry.path();
        if entry.file_name() == "target" {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy a fixture file");
        }
    }
}

/// A baseline file, parsed.
pub fn load(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read the baseline"))
        .expect("the baseline is JSON")
}

/// The measurements of the release profile of a baseline, as (bench, metric) → measurement.
pub fn release(baseline: &Value) -> Vec<(String, String, Value)> {
    baseline["profiles"]["release"]["measurements"]
        .as_array()
        .expect("measurements")
        .iter()
        .map(|m| {
            (
                m["bench"].as_str().expect("bench").to_string(),
                m["metric"].as_str().expect("metric").to_string(),
                m.clone(),
            )
        })
        .collect()
}
