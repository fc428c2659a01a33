//! `ggen-config`, the real binary: the committed medium configuration checks clean, and every
//! kind of bad input gets one message with the key path and position, and exit code 2.

use std::path::Path;
use std::process::{Command, Output};

fn ggen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ggen-config"))
        .args(args)
        .output()
        .expect("ggen-config runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const MEDIUM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/benches/data/generator/ggen.toml"
);

#[test]
fn the_medium_config_checks_dumps_and_lists_its_paths() {
    let out = ggen(&["check", MEDIUM]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "ok: `demo-service`: 12 templates, 4 generators, 54 paths checked\n"
    );
    let dump = text(&ggen(&["dump", MEDIUM]).stdout);
    assert!(
        dump.contains("templates.api.variables.module = api\n"),
        "{dump}"
    );
    assert!(dump.contains("limits.concurrency = 8\n"));
    let paths = text(&ggen(&["paths", MEDIUM]).stdout);
    assert_eq!(paths.lines().count(), 55, "{paths}");
}

/// Makes the files a configuration names, in its folder.
type Setup = Box<dyn Fn(&Path)>;

/// Writes `config` (and the files it may name) in a fresh folder and checks it.
fn check(config: &str, setup: impl Fn(&Path)) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp");
    setup(dir.path());
    let file = dir.path().join("ggen.toml");
    std::fs::write(&file, config).expect("write");
    let out = ggen(&["check", &file.display().to_string()]);
    assert!(out.stdout.is_empty(), "nothing on stdout when it fails");
    (out.status.code(), text(&out.stderr))
}

#[test]
fn bad_input_gets_one_message_with_key_and_position() {
    let head = "[project]\nname = \"x\"\n";
    let template =
        |source: &str| format!("{head}[templates.t]\nsource = \"{source}\"\noutput = \"o\"\n");
    let none = |_: &Path| {};
    let cases: Vec<(String, Setup, &str)> = vec![
        ("[project\nname = 1\n".into(), Box::new(none), "line 1"),
        (
            format!("{head}[limits]\nconcurrency = \"many\"\n"),
            Box::new(none),
            "`limits.concurrency` must be an integer, found string (line 4, column 15)",
        ),
        ("[paths]\n".into(), Box::new(none), "`project` is required"),
        (
            template("/abs/t.tmpl"),
            Box::new(none),
            "`templates.t.source` must be a relative path, found `/abs/t.tmpl` (line 4, column 10)",
        ),
        (
            template("../../t.tmpl"),
            Box::new(none),
            "`templates.t.source` escapes the project directory",
        ),
        (
            template("missing.tmpl"),
            Box::new(none),
            "`templates.t.source` names `missing.tmpl`, which does not exist (line 4, column 10)",
        ),
        (
            template("dir"),
            Box::new(|d: &Path| std::fs::create_dir(d.join("dir")).expect("mkdir")),
            "`templates.t.source` names `dir`, which is a directory, not a file",
        ),
        (
            template("loop"),
            Box::new(|d: &Path| std::os::unix::fs::symlink("loop", d.join("loop")).expect("link")),
            "names `loop`, which does not exist",
        ),
        (
            format!("{head}[templates.t]\nsorce = \"t\"\n"),
            Box::new(none),
            "did you mean `templates.t.source`?",
        ),
    ];
    for (config, setup, expected) in cases {
        let (code, stderr) = check(&config, setup);
        assert_eq!(code, Some(2), "{config}\n{stderr}");
        assert!(
            stderr.contains(expected),
            "{config}\nexpected `{expected}` in:\n{stderr}"
        );
        assert_eq!(
            stderr
                .trim_end()
                .lines()
                .filter(|l| l.starts_with("ggen-config:"))
                .count(),
            1
        );
    }

    let out = ggen(&["check", "/no/such/ggen.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read it"));
    let out = ggen(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("usage: ggen-config check|dump|paths|stream FILE"));
}

#[test]
fn stream_checks_a_file_section_by_section_and_finds_a_duplicate_table() {
    let out = ggen(&["stream", MEDIUM]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.starts_with("ok: "), "{summary}");
    assert!(summary.contains(" sections ("), "{summary}");

    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("big.toml");
    let mut config = String::from("[project]\nname = \"x\"\n");
    for i in 0..200 {
        config.push_str(&format!(
            "[[generators]]\nname = \"g{i}\"\ninputs = [\n  \"a\",\n]\n"
        ));
    }
    config.push_str("[project]\nname = \"again\"\n");
    std::fs::write(&file, &config).expect("write");
    let out = ggen(&["stream", &file.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on stdout when it fails");
    let line = config.lines().count() - 1;
    assert_eq!(
        text(&out.stderr),
        format!(
            "ggen-config: {}: line {line}, column 2: duplicate table header\n",
            file.display()
        )
    );

    let out = ggen(&["stream", &dir.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("it is a directory"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn ggen_check_agrees_with_ggen_config_check() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ggen-check"))
            .args(args)
            .output()
            .expect("ggen-check runs")
    };
    let out = run(&[MEDIUM]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, ggen(&["check", MEDIUM]).stdout);

    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("ggen.toml");
    std::fs::write(&file, "[project]\nname = \"x\"\noutput_dir = \"../out\"\n").expect("write");
    let out = run(&[&file.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("`project.output_dir` escapes the project directory (`../out`) (line 3"),
        "{err}"
    );
    assert_eq!(run(&[]).status.code(), Some(2));
}
