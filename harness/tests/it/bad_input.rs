//! Bad input: one clear message naming the thing and the fix, exit code 2, no baseline.

use std::process::Output;

use crate::util::{Fixture, assert_exit, build_lock, text};

#[track_caller]
fn assert_refused(fixture: &Fixture, out: &Output, message: &str) {
    assert_exit(out, 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(message),
        "stderr lacks `{message}`:\n{stderr}"
    );
    assert!(fixture.baselines().is_empty(), "no baseline is written");
}

#[test]
fn unknown_profile() {
    let fixture = Fixture::tiny();
    let out = fixture.perfgate(&["run", "--profiles", "release,turbo"]);
    assert_refused(
        &fixture,
        &out,
        "unknown profile `turbo`; the profiles are `release`",
    );
}

#[test]
fn malformed_config() {
    let fixture = Fixture::tiny();
    fixture.write("perfgate.toml", "[startup\nbinary = \"tiny\"\n");
    fixture.commit("broken config");
    let out = fixture.perfgate(&["run", "--quick"]);
    assert_refused(&fixture, &out, "perfgate.toml` is not valid TOML");
    assert!(
        text(&out.stderr).contains("line 1, column 9"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn unknown_config_key() {
    let fixture = Fixture::tiny();
    fixture.write("perfgate.toml", "[run]\nprofile = [\"release\"]\n");
    fixture.commit("typo");
    let out = fixture.perfgate(&["run", "--quick"]);
    assert_refused(
        &fixture,
        &out,
        "`run.profile` is not a setting perfgate knows",
    );
}

#[test]
fn no_cargo_toml() {
    let fixture = Fixture::tiny();
    let out = fixture.perfgate(&["run", "--quick", "--target", "src"]);
    assert_refused(&fixture, &out, "no `Cargo.toml` at");
}

#[test]
fn unknown_rev() {
    let fixture = Fixture::tiny();
    let out = fixture.perfgate(&["run", "--quick", "--rev", "no-such-branch"]);
    assert_refused(&fixture, &out, "unknown git revision `no-such-branch`");
}

#[test]
fn crate_without_benches() {
    let fixture = Fixture::tiny();
    let manifest = std::fs::read_to_string(fixture.root().join("Cargo.toml")).expect("read");
    let without: String = manifest
        .split("[[bench]]")
        .next()
        .expect("the head")
        .to_string();
    fixture.write("Cargo.toml", &without);
    std::fs::remove_dir_all(fixture.root().join("benches")).expect("rm benches");
    fixture.commit("no benches");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_refused(&fixture, &out, "`tiny` has no bench perfgate can measure");
}

#[test]
fn bench_that_panics() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    fixture.write(
        "benches/wall.rs",
        "use criterion::{Criterion, criterion_group, criterion_main};\nfn bench(c: &mut Criterion) {\n    c.bench_function(\"boom\", |b| b.iter(|| panic!(\"bench exploded\")));\n}\ncriterion_group!(benches, bench);\ncriterion_main!(benches);\n",
    );
    fixture.commit("panicking bench");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_refused(
        &fixture,
        &out,
        "bench `wall` failed under profile `release`",
    );
    assert!(
        text(&out.stderr).contains("bench exploded"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bench_that_does_not_build() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    fixture.write(
        "benches/wall.rs",
        "fn main() { let x: u32 = \"not a number\"; }\n",
    );
    fixture.commit("broken bench");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_refused(
        &fixture,
        &out,
        "building `tiny` with profile `release` failed",
    );
    assert!(
        text(&out.stderr).contains("mismatched types"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn valgrind_missing() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let path = path_without("valgrind");
    let out = fixture.perfgate_with(
        &["run", "--quick", "--profiles", "release"],
        &[("PATH", path.as_str())],
    );
    assert_refused(
        &fixture,
        &out,
        "`valgrind` not found on PATH; install it with `apt-get install valgrind`",
    );
    assert!(
        !text(&out.stderr).contains("building"),
        "found before anything is built"
    );
}

#[test]
fn runner_of_another_version_is_found_before_the_build() {
    let fixture = Fixture::tiny();
    let bin = fixture.root().join("fake-bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let fake = bin.join("iai-callgrind-runner");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho \"iai_callgrind_runner: Error: iai-callgrind-runner (0.15.0) is >= '0.3.0'\" >&2\n",
    )
    .expect("write");
    make_executable(&fake);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = fixture.perfgate_with(
        &["run", "--quick", "--profiles", "release", "--allow-dirty"],
        &[("PATH", path.as_str())],
    );
    assert_refused(
        &fixture,
        &out,
        "cargo install --locked iai-callgrind-runner --version 0.16.1",
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("0.15.0") && stderr.contains("0.16.1"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("building"),
        "found before anything is built: {stderr}"
    );
}

#[test]
fn llvm_profdata_of_the_wrong_version() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let fake = fixture.root().join("fake-llvm-profdata");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'Ubuntu LLVM version 14.0.6'\necho '  Optimized build.'\n",
    )
    .expect("write");
    make_executable(&fake);
    let out = fixture.perfgate_with(
        &["run", "--quick", "--profiles", "pgo", "--allow-dirty"],
        &[("PERFGATE_LLVM_PROFDATA", fake.to_str().expect("utf-8 path"))],
    );
    assert_refused(&fixture, &out, "is version LLVM 14.0.6 but LLVM 22");
    assert!(
        text(&out.stderr).contains("llvm-22"),
        "{}",
        text(&out.stderr)
    );
}

fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = std::fs::metadata(path).expect("stat").permissions();
    perms.set_mode(0o755);
    std::fs::set_permissions(path, perms).expect("chmod");
}

/// A PATH with every directory of the current one, except that `tool` is hidden: a
/// directory holding it is replaced by a directory of links to everything else in it.
fn path_without(tool: &str) -> String {
    let current = std::env::var("PATH").unwrap_or_default();
    let shadow = std::env::temp_dir().join(format!(
        "perfgate-path-without-{tool}-{}",
        std::process::id()
    ));
    let mut dirs = Vec::new();
    for (i, dir) in current.split(':').enumerate() {
        let dir = std::path::Path::new(dir);
        if !dir.join(tool).exists() {
            dirs.push(dir.display().to_string());
            continue;
        }
        let copy = shadow.join(i.to_string());
        std::fs::create_dir_all(&copy).expect("mkdir");
        for entry in std::fs::read_dir(dir).expect("list a PATH dir").flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with(tool) {
                continue;
            }
            let _ = std::os::unix::fs::symlink(entry.path(), copy.join(&name));
        }
        dirs.push(copy.display().to_string());
    }
    dirs.join(":")
}

/// `perfgate comment` runs the real binary up to its first call of GitHub: each bad input is
/// refused before anything is posted.
#[test]
fn comment_bad_input() {
    let fixture = Fixture::tiny();
    let refused = |out: &Output, message: &str| {
        assert_exit(out, 2);
        let stderr = text(&out.stderr);
        assert!(stderr.contains(message), "`{message}` in:\n{stderr}");
    };
    let run = |args: &[&str], repo: Option<&str>, path: Option<&str>| {
        let mut cmd = fixture.command(args);
        cmd.env_remove("GITHUB_REPOSITORY");
        if let Some(repo) = repo {
            cmd.env("GITHUB_REPOSITORY", repo);
        }
        if let Some(path) = path {
            cmd.env("PATH", path);
        }
        cmd.output().expect("perfgate runs")
    };
    refused(
        &run(&["comment", "absent.md", "--pr", "7"], Some("o/r"), None),
        "absent.md",
    );
    fixture.write("notes.md", "# some notes\n");
    refused(
        &run(&["comment", "notes.md", "--pr", "7"], Some("o/r"), None),
        "is not a perfgate comment (it has no `<!-- perfgate:comment` marker)",
    );
    fixture.write(
        "body.md",
        "<!-- perfgate:comment verdict=FAIL moved=1 -->\n### perfgate: **FAIL**\n",
    );
    refused(
        &run(&["comment", "body.md", "--pr", "7"], None, None),
        "no repository to comment in: pass `--repo OWNER/NAME`",
    );
    // Without the GitHub CLI on PATH, the message says how to get it.
    let empty = tempfile::tempdir().expect("temp");
    refused(
        &run(
            &["comment", "body.md", "--pr", "7", "--repo", "o/r"],
            None,
            Some(&empty.path().display().to_string()),
        ),
        "install the GitHub CLI",
    );
    refused(
        &run(&["comment", "body.md", "--pr", "seven"], Some("o/r"), None),
        "invalid value 'seven'",
    );
    // `never` posts nothing and needs no GitHub at all.
    let out = run(
        &["comment", "body.md", "--pr", "7", "--mode", "never"],
        None,
        Some(&empty.path().display().to_string()),
    );
    assert_exit(&out, 0);
    assert!(text(&out.stderr).contains("the mode is `never`"));
}

#[test]
fn a_reuse_setting_naming_no_bench_target() {
    let fixture = Fixture::tiny();
    let config = std::fs::read_to_string(fixture.root().join("perfgate.toml")).expect("config");
    let config = config.replace("[run]\n", "[run]\nalways_measure = [\"wal\"]\n");
    fixture.write("perfgate.toml", &config);
    fixture.commit("typo in always_measure");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_refused(
        &fixture,
        &out,
        "no benchmark `wal` among the bench targets (named in `[run] always_measure`); the known ones are: instr, wall",
    );
}

#[test]
fn a_declared_bench_input_that_does_not_exist() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let mut config = std::fs::read_to_string(fixture.root().join("perfgate.toml")).expect("config");
    config.push_str("\n[run.inputs]\nwall = [\"data/words.txt\"]\n");
    fixture.write("perfgate.toml", &config);
    fixture.commit("declares an input it does not have");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_refused(&fixture, &out, "data/words.txt");
}
