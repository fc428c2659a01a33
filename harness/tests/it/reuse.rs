//! Measurements of identical executables taken over from the parent's baseline: a commit that
//! changes nothing built runs no bench and still gets a complete baseline that compares clean;
//! a changed bench target is measured again while its neighbours are reused.

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, load, release};

/// Every release measurement of `baseline` as (bench, metric, reused_from).
fn reuse_marks(baseline: &Value) -> Vec<(String, String, Option<String>)> {
    release(baseline)
        .into_iter()
        .map(|(bench, metric, m)| (bench, metric, m["reused_from"].as_str().map(str::to_string)))
        .collect()
}

/// A quick release run of the fixture's HEAD; returns its baseline.
fn run(fixture: &Fixture, sha: &str) -> Value {
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    load(&fixture.root().join(format!("baselines/{sha}.json")))
}

#[test]
fn unchanged_executables_are_reused_and_a_changed_bench_is_measured_again() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let first = fixture.git(&["rev-parse", "HEAD"]);
    let measured = run(&fixture, &first);
    let fresh = reuse_marks(&measured);
    assert!(fresh.iter().all(|(_, _, from)| from.is_none()), "{fresh:?}");

    // A README-only commit: every executable is byte-identical, so nothing is run again.
    fixture.write("README.md", "# tiny\n\nOnly words changed.\n");
    let readme = fixture.commit("README only");
    let reused = run(&fixture, &readme);
    let marks = reuse_marks(&reused);
    assert_eq!(
        marks.len(),
        fresh.len(),
        "the baseline is complete: {marks:?}"
    );
    // Build time is reused only when every input of the build is the same (this commit added a
    // file to the crate's folder), and binary sizes are always read again: they cost nothing.
    let measured_again = |(bench, _, _): &&(String, String, Option<String>)| {
        bench.starts_with("build/") || bench.starts_with("binary/")
    };
    for mark in marks.iter().filter(|m| !measured_again(m)) {
        assert_eq!(mark.2.as_deref(), Some(first.as_str()), "{mark:?}");
    }
    for step in reused["profiles"]["release"]["steps"]
        .as_array()
        .expect("steps")
    {
        if !["build", "build time", "sizes"].contains(&step["name"].as_str().expect("name")) {
            assert_eq!(step["reused_from"], first.as_str(), "{step}");
        }
    }
    let out = fixture.perfgate(&["compare", &first, &readme]);
    assert_exit(&out, 0);

    // A change to one bench target's code: that target is measured, the other one and the
    // start-up start-up binary's measurements are still the first commit's.
    fixture.edit("benches/wall.rs", "\"a b c d e f\"", "\"a b c d e f g\"");
    let bench_change = fixture.commit("the words bench reads one more word");
    let after = reuse_marks(&run(&fixture, &bench_change));
    let from = |bench: &str| {
        after
            .iter()
            .find(|(b, _, _)| b == bench)
            .unwrap_or_else(|| panic!("{bench} measured: {after:?}"))
            .2
            .clone()
    };
    assert_eq!(from("words"), None, "the changed bench target runs again");
    assert_eq!(from("checksum/1000"), None, "its whole target runs again");
    // The lender is the nearest clean ancestor with a baseline: the README commit, which
    // itself took these measurements over from the first one.
    for bench in ["instr::work::checksum.small", "startup/tiny", "alloc/tiny"] {
        assert_eq!(from(bench).as_deref(), Some(first.as_str()), "{bench}");
    }
}
