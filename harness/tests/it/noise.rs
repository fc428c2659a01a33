//! `perfgate noise`: the A/A calibration run for real on the tiny fixture, its table, its
//! JSON, and the commented gates `--write` keeps in perfgate.toml.

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, text};

#[test]
fn noise_calibrates_the_wall_time_series_and_writes_commented_gates() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let before = std::fs::read_to_string(fixture.root().join("perfgate.toml")).expect("read");
    let out = fixture.perfgate(&[
        "noise",
        "--rounds",
        "6",
        "--profiles",
        "release",
        "--format",
        "json",
        "--write",
    ]);
    assert_exit(&out, 0);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["rounds"], 6);
    let series = report["series"].as_array().expect("series");
    let wall = series
        .iter()
        .find(|s| s["key"]["bench"] == "checksum/1000" && s["key"]["metric"] == "wall_time_ns")
        .unwrap_or_else(|| panic!("checksum/1000 in {report}"));
    assert_eq!(wall["rounds"], 6);
    let number = |v: &Value| v.as_f64().expect("a number");
    assert!(number(&wall["spread"]) >= 0.0);
    // The two copies' shift: a relative change, so above −100%.
    assert!(number(&wall["shift"]) > -1.0, "{wall}");
    let (mde, suggested) = (number(&wall["mde"]), number(&wall["suggested_gate"]));
    assert!(suggested >= mde && suggested >= 0.01, "{wall}");
    assert!((0.0..=1.0).contains(&number(&wall["false_alarm"])));
    assert!(
        series
            .iter()
            .any(|s| s["key"]["metric"] == "startup_wall_ns"),
        "the start-up block is paired too: {report}"
    );
    // Nothing was stored: the calibration's baseline is not one of the repository's.
    assert!(fixture.baselines().is_empty());

    // --write: the config keeps its settings, and the suggestions are comments.
    let after = std::fs::read_to_string(fixture.root().join("perfgate.toml")).expect("read");
    assert!(after.starts_with(before.trim_end()), "{after}");
    let added = &after[before.trim_end().len()..];
    assert!(
        added.lines().all(|l| l.is_empty() || l.starts_with('#')),
        "{added}"
    );
    assert!(
        added.contains("# perfgate noise: suggested wall-time gates") || added.trim().is_empty(),
        "{added}"
    );

    // The table says how to read it.
    let out = fixture.perfgate(&["noise", "--rounds", "5", "--profiles", "release"]);
    assert_exit(&out, 0);
    let table = text(&out.stdout);
    assert!(
        table.contains("A/A calibration: HEAD against itself, 5 paired rounds"),
        "{table}"
    );
    assert!(table.contains("checksum/1000"), "{table}");
    assert!(
        table.contains("shift: the Hodges–Lehmann estimate"),
        "{table}"
    );

    // Too few rounds for a paired test is refused.
    let out = fixture.perfgate(&["noise", "--rounds", "2"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("--rounds"),
        "{}",
        text(&out.stderr)
    );
}
