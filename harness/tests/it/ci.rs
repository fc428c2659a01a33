//! What the CI workflow relies on: the data branch (`push`/`fetch`) against a real local bare
//! repository, the matrix split (`run --partial`, `merge`), the exports, and `cargo perfgate`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, example, store, text};

/// A bare repository in `dir`, set as `origin` of the fixture.
fn bare_remote(fixture: &Fixture, dir: &Path) -> String {
    let remote = dir.join("remote.git");
    let out = Command::new("git")
        .args(["init", "-q", "--bare", "-b", "main"])
        .arg(&remote)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let url = remote.display().to_string();
    fixture.git(&["remote", "add", "origin", &url]);
    url
}

/// `git` in a bare repository.
fn git_in(dir: &str, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

#[test]
fn push_and_fetch_keep_baselines_on_a_data_branch() {
    let scratch = tempfile::tempdir().expect("temp");
    let a = Fixture::tiny();
    let url = bare_remote(&a, scratch.path());
    let first = a.git(&["rev-parse", "HEAD"]);
    store(&a, &first, example());

    // No branch yet: fetch says so, push creates it.
    let out = a.perfgate(&["fetch"]);
    assert_exit(&out, 0);
    assert!(text(&out.stdout).contains("has no branch `perfgate-data` yet"));
    let out = a.perfgate(&["push"]);
    assert_exit(&out, 0);
    assert!(
        text(&out.stdout).contains("pushed 1 baseline(s)"),
        "{}",
        text(&out.stdout)
    );
    let files = git_in(&url, &["ls-tree", "-r", "--name-only", "perfgate-data"]);
    assert_eq!(files, format!("baselines/{first}.json"));
    assert!(
        git_in(&url, &["branch", "--list", "main"]).is_empty(),
        "main is not touched"
    );
    let out = a.perfgate(&["push"]);
    assert_exit(&out, 0);
    assert!(text(&out.stdout).contains("already has every local baseline"));

    // Another clone fetches it, adds its own, and pushes on top (a fast-forward).
    let b = Fixture::tiny();
    b.git(&["remote", "add", "origin", &url]);
    let out = b.perfgate(&["fetch"]);
    assert_exit(&out, 0);
    assert!(
        text(&out.stdout).contains("1 baseline(s) written"),
        "{}",
        text(&out.stdout)
    );
    assert!(b.root().join(format!("baselines/{first}.json")).is_file());
    let tip_before = git_in(&url, &["rev-parse", "perfgate-data"]);
    b.write("more.txt", "more\n");
    let second = b.commit("more");
    store(&b, &second, example());
    let out = b.perfgate(&["push"]);
    assert_exit(&out, 0);

    // Meanwhile `a` has a third baseline but an old view of the branch: its push is rebuilt on
    // the new tip, never forced.
    a.write("third.txt", "third\n");
    let third = a.commit("third");
    store(&a, &third, example());
    let out = a.perfgate(&["push"]);
    assert_exit(&out, 0);
    let files = git_in(&url, &["ls-tree", "-r", "--name-only", "perfgate-data"]);
    for sha in [&first, &second, &third] {
        assert!(files.contains(sha.as_str()), "{files}");
    }
    let log = git_in(&url, &["rev-list", "perfgate-data"]);
    assert_eq!(log.lines().count(), 3, "three pushes, one commit each");
    assert!(log.lines().any(|l| l == tip_before), "history kept");

    // A data branch somebody else created is built on, not replaced.
    let c = Fixture::tiny();
    let scratch2 = tempfile::tempdir().expect("temp");
    let url2 = bare_remote(&c, scratch2.path());
    c.git(&["checkout", "-q", "--orphan", "perfgate-data"]);
    c.write("README.md", "baselines live here\n");
    c.git(&["add", "README.md"]);
    c.git(&["commit", "-q", "-m", "data branch"]);
    c.git(&["push", "-q", "origin", "perfgate-data"]);
    let theirs = c.git(&["rev-parse", "HEAD"]);
    c.git(&["checkout", "-q", "main"]);
    let sha = c.git(&["rev-parse", "HEAD"]);
    store(&c, &sha, example());
    let out = c.perfgate(&["push"]);
    assert_exit(&out, 0);
    let parent = git_in(&url2, &["rev-parse", "perfgate-data^"]);
    assert_eq!(parent, theirs);
    let files = git_in(&url2, &["ls-tree", "-r", "--name-only", "perfgate-data"]);
    assert!(
        files.contains("README.md") && files.contains(&sha),
        "{files}"
    );

    // A remote that does not exist: exit 2 with the fix.
    let out = c.perfgate(&["fetch", "--remote", "nowhere"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("git remote -v"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn partial_runs_merge_into_one_baseline() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    for profile in ["release", "release-consistent"] {
        let out = fixture.perfgate(&["run", "--quick", "--profiles", profile, "--partial"]);
        assert_exit(&out, 0);
    }
    assert!(
        fixture.baselines().iter().all(|p| p.is_dir()),
        "no whole baseline yet"
    );
    let sha = fixture.git(&["rev-parse", "HEAD"]);
    let parts: Vec<_> = std::fs::read_dir(fixture.root().join("baselines/partial"))
        .expect("parts")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(parts.len(), 2, "{parts:?}");

    // A part from another machine is refused, naming the difference.
    let part = fixture
        .root()
        .join(format!("baselines/partial/{sha}.release.json"));
    let original = std::fs::read_to_string(&part).expect("read");
    let mut other: Value = serde_json::from_str(&original).expect("JSON");
    other["fingerprint"]["cpu_model"] = Value::from("Another CPU");
    std::fs::write(&part, other.to_string()).expect("write");
    let out = fixture.perfgate(&["merge"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("cpu_model"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !fixture
            .root()
            .join(format!("baselines/{sha}.json"))
            .exists()
    );

    std::fs::write(&part, original).expect("restore");
    let out = fixture.perfgate(&["merge"]);
    assert_exit(&out, 0);
    let merged: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture.root().join(format!("baselines/{sha}.json")))
            .expect("the merged baseline"),
    )
    .expect("JSON");
    let profiles: Vec<&String> = merged["profiles"]
        .as_object()
        .expect("profiles")
        .keys()
        .collect();
    assert_eq!(profiles, ["release", "release-consistent"]);
    let out = fixture.perfgate(&["merge"]);
    assert_exit(&out, 2);
}

#[test]
fn exports_and_cargo_perfgate() {
    let fixture = Fixture::tiny();
    let sha = fixture.git(&["rev-parse", "HEAD"]);
    store(&fixture, &sha, example());
    let out = fixture.perfgate(&["export", "--format", "bmf"]);
    assert_exit(&out, 0);
    let bmf: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(bmf["release/parse/medium/config-core"]["latency"]["value"].is_number());

    // The same program as `cargo perfgate`, writing a file.
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-perfgate"))
        .args([
            "perfgate",
            "export",
            "HEAD",
            "--format",
            "github-action-benchmark",
            "--out",
            "bench.json",
        ])
        .current_dir(fixture.root())
        .output()
        .expect("cargo-perfgate runs");
    assert_exit(&out, 0);
    let entries: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture.root().join("bench.json")).expect("written"),
    )
    .expect("JSON");
    let entries = entries.as_array().expect("an array");
    assert!(!entries.is_empty());
    assert!(
        entries
            .iter()
            .all(|e| e["name"].is_string() && e["unit"].is_string() && e["value"].is_number())
    );

    let out = fixture.perfgate(&["export", "HEAD~5", "--format", "bmf"]);
    assert_exit(&out, 2);
}
