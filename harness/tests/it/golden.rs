//! Golden outputs: what `compare` (table, markdown, JSON, HTML), `report` and `export` (both
//! formats) print for two stored baselines, byte for byte, as insta snapshots. The fixture's
//! commits are made at a fixed date, so their shas, and so every output, are the same on every
//! machine. A change of structure must leave these untouched; a deliberate change of an output
//! updates its snapshot in the same commit.

use std::path::Path;

use serde_json::Value;

use crate::util::{Fixture, assert_exit, example, store, text};

/// Multiplies the value (and samples) of the measurements of `bench` and `metric` in
/// `profile`, and marks their artifact as changed.
fn scale(baseline: &mut Value, profile: &str, bench: &str, metric: &str, factor: f64) {
    let measurements = baseline["profiles"][profile]["measurements"]
        .as_array_mut()
        .expect("measurements");
    let mut found = false;
    for m in measurements
        .iter_mut()
        .filter(|m| m["bench"] == bench && m["metric"] == metric)
    {
        found = true;
        let v = m["value"].as_f64().expect("a value");
        m["value"] = Value::from(v * factor);
        m["artifact_sha256"] = Value::from("f".repeat(64));
        if let Some(samples) = m.get_mut("samples").and_then(Value::as_array_mut) {
            for s in samples.iter_mut() {
                *s = Value::from(s.as_f64().expect("a sample") * factor);
            }
        }
    }
    assert!(found, "{profile} {bench} {metric} in the example");
}

/// A fixture whose `main` has the schema document's example baseline and whose `feature`
/// changes it in every way a verdict can take: instructions regress in `release` and improve
/// in `pgo`, wall time regresses, a binary shrinks, allocations grow, a cache event moves.
fn two_baselines() -> Fixture {
    let fixture = Fixture::tiny_at_fixed_dates();
    let base = fixture.git(&["rev-parse", "HEAD"]);
    fixture.git(&["checkout", "-q", "-b", "feature"]);
    fixture.write("notes.txt", "a change\n");
    let head = fixture.commit("feature work");
    let mut base_baseline = example();
    base_baseline["commit"]["subject"] = Value::from("tiny fixture");
    store(&fixture, &base, base_baseline);
    let mut changed = example();
    changed["commit"]["subject"] = Value::from("feature work");
    changed["commit"]["parents"] = Value::from(vec![base.clone()]);
    changed["commit"]["time"] = Value::from(1_767_186_000);
    let iai = "iai::parse::config_core.medium";
    scale(&mut changed, "release", iai, "instructions", 1.2);
    scale(&mut changed, "release", iai, "callgrind_l1hits", 1.3);
    scale(&mut changed, "pgo", iai, "instructions", 0.8);
    let wall = "parse/medium/config-core";
    scale(&mut changed, "release", wall, "wall_time_ns", 1.5);
    scale(
        &mut changed,
        "release",
        wall,
        "throughput_bytes_per_s",
        1.0 / 1.5,
    );
    let binary = "binary/toml-test-decoder";
    scale(&mut changed, "release", binary, "binary_size_bytes", 0.85);
    let alloc = "alloc/toml-test-decoder";
    scale(
        &mut changed,
        "release",
        alloc,
        "allocations_count",
        1.0 + 3.0 / 37.0,
    );
    store(&fixture, &head, changed);
    fixture
}

/// Every file under `dir` with its text, sorted by path, paths relative to `dir`.
fn files_under(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read a dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .expect("under dir")
                    .display()
                    .to_string();
                out.push((name, std::fs::read_to_string(&path).expect("a text file")));
            }
        }
    }
    out.sort();
    out
}

/// The output of `perfgate ARGS` on stdout, after checking its exit code.
fn stdout_of(fixture: &Fixture, args: &[&str], code: i32) -> String {
    let out = fixture.perfgate(args);
    assert_exit(&out, code);
    text(&out.stdout)
}

#[test]
fn compare_prints_the_same_in_every_format() {
    let fixture = two_baselines();
    for format in ["table", "markdown", "json"] {
        let out = stdout_of(
            &fixture,
            &["compare", "main", "feature", "--format", format],
            1,
        );
        insta::assert_snapshot!(format!("compare_{format}"), out);
    }
}

#[test]
fn the_compare_page_is_the_same() {
    let fixture = two_baselines();
    let dir = fixture.root().join("compare-page");
    let dir_arg = dir.display().to_string();
    stdout_of(
        &fixture,
        &["compare", "main", "feature", "--html", &dir_arg],
        1,
    );
    for (name, body) in files_under(&dir) {
        insta::assert_snapshot!(format!("compare_html_{}", name.replace('/', "_")), body);
    }
}

#[test]
fn the_report_is_the_same() {
    let fixture = two_baselines();
    let dir = fixture.root().join("report-out");
    let dir_arg = dir.display().to_string();
    let out = fixture.perfgate(&["report", "--out", &dir_arg]);
    assert_exit(&out, 0);
    let files = files_under(&dir);
    assert!(!files.is_empty(), "the report wrote files");
    for (name, body) in files {
        insta::assert_snapshot!(format!("report_{}", name.replace('/', "_")), body);
    }
}

#[test]
fn exports_are_the_same() {
    let fixture = two_baselines();
    for format in ["bmf", "github-action-benchmark"] {
        let out = stdout_of(&fixture, &["export", "feature", "--format", format], 0);
        insta::assert_snapshot!(format!("export_{format}"), out);
    }
}
