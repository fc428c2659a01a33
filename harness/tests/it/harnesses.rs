//! Bench harnesses other than the tiny fixture's criterion and iai-callgrind: divan (wall time
//! from its text table, instructions under callgrind), custom `harness = false` benches that
//! write Bencher Metric Format, bench targets behind `required-features`, criterion 0.3 and
//! gungraun 0.20 (summary schema 7, with DHAT; the tiny fixture's iai-callgrind 0.16 is schema
//! 6, which gungraun 0.17 to 0.19 write too). Each runs the
//! real binary on a fixture crate of its own (`tests/fixtures/<name>`).

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, load, release, text};

fn find<'m>(ms: &'m [(String, String, Value)], bench: &str, metric: &str) -> &'m Value {
    &ms.iter()
        .find(|(b, m, _)| b == bench && m == metric)
        .unwrap_or_else(|| panic!("{bench} {metric} in {ms:?}"))
        .2
}

/// Replaces the work knob of the fixture's `src/lib.rs`.
fn set_extra_permille(fixture: &Fixture, permille: u64) {
    fixture.edit(
        "src/lib.rs",
        "EXTRA_PERMILLE: u64 = 0;",
        &format!("EXTRA_PERMILLE: u64 = {permille};"),
    );
}

fn series(comparison: &Value, bench: &str, metric: &str) -> Value {
    comparison["series"]
        .as_array()
        .expect("series")
        .iter()
        .find(|s| s["key"]["bench"] == bench && s["key"]["metric"] == metric)
        .cloned()
        .unwrap_or_else(|| panic!("{bench} {metric} in {comparison}"))
}

#[test]
fn divan_benches_give_wall_time_per_argument_and_exact_instructions() {
    let _lock = build_lock();
    let fixture = Fixture::named("divan");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    let baselines = fixture.baselines();
    assert_eq!(baselines.len(), 1);
    let ms = release(&load(&baselines[0]));
    for bench in ["checksum/1000", "checksum/20000", "text/words"] {
        let wall = find(&ms, bench, "wall_time_ns");
        assert_eq!(wall["unit"], "nanoseconds", "{wall}");
        // One process per sample: quick mode runs five.
        assert_eq!(wall["samples"].as_array().map(Vec::len), Some(5), "{wall}");
        assert!(wall["value"].as_f64().expect("value") > 0.0);
        let instructions = find(&ms, bench, "instructions");
        assert!(instructions["value"].as_f64().expect("value") > 0.0);
        assert!(
            instructions["artifact_sha256"].is_string(),
            "{instructions}"
        );
    }
    // checksum(n) runs n rounds: twenty times the argument, twenty times the instructions
    // (to within the loop's set-up, which the per-iteration count does not cancel).
    let per = |bench| {
        find(&ms, bench, "instructions")["value"]
            .as_f64()
            .expect("value")
    };
    let ratio = per("checksum/20000") / per("checksum/1000");
    assert!((19.5..20.5).contains(&ratio), "ratio {ratio}");

    // The same executable counted again (the baseline rewritten) gives the same
    // instructions.
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    let again = release(&load(&fixture.baselines()[0]));
    for bench in ["checksum/1000", "checksum/20000", "text/words"] {
        assert_eq!(
            find(&again, bench, "instructions")["value"],
            find(&ms, bench, "instructions")["value"],
            "{bench}"
        );
    }
}

#[test]
fn a_divan_bench_made_slower_fails_and_a_readme_change_passes() {
    let _lock = build_lock();
    let fixture = Fixture::named("divan");
    // The baselines stay out of the commits, so they stay put across branches.
    fixture.write(".gitignore", "baselines/\n");
    fixture.commit("ignore the baselines");
    // Each commit measured in the checkout itself, so both builds see the same paths.
    let run = || {
        let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
        assert_exit(&out, 0);
    };
    run();

    // A README change: the bench executable is the same, so every bench series is
    // `unchanged` without a test, and the gate passes.
    fixture.git(&["checkout", "-q", "-b", "docs"]);
    fixture.write("README.md", "# tally\n\nA crate to bench.\n");
    fixture.commit("readme");
    run();
    let out = fixture.perfgate(&["compare", "main", "docs", "--format", "json"]);
    assert_exit(&out, 0);
    let comparison: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for metric in ["instructions", "wall_time_ns"] {
        let s = series(&comparison, "checksum/20000", metric);
        assert_eq!(s["verdict"], "unchanged", "{s}");
    }

    // 20% more rounds: the instruction count of the divan bench moves by exactly that, and
    // the stored comparison fails on it.
    fixture.git(&["checkout", "-q", "main"]);
    fixture.git(&["checkout", "-q", "-b", "slower"]);
    set_extra_permille(&fixture, 200);
    fixture.commit("a fifth more work");
    run();
    let out = fixture.perfgate(&["compare", "main", "slower", "--format", "json"]);
    assert_exit(&out, 1);
    let comparison: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ir = series(&comparison, "checksum/20000", "instructions");
    assert_eq!(ir["verdict"], "regressed", "{ir}");
    let reason = ir["reason"].as_str().expect("a reason");
    assert!(reason.starts_with("+20.0% > gate 10%"), "{reason}");
    let words = series(&comparison, "text/words", "instructions");
    assert_eq!(words["verdict"], "within-noise", "{words}");
}

#[test]
fn compare_run_samples_divan_benches_one_process_at_a_time() {
    let _lock = build_lock();
    let fixture = Fixture::named("divan");
    fixture.git(&["checkout", "-q", "-b", "slower"]);
    // Five times the work, so that a base process sharing its core with another load is
    // still far faster than a head process (the 20% figure is the README's, from a script).
    set_extra_permille(&fixture, 4000);
    fixture.commit("five times the work");
    let out = fixture.perfgate(&[
        "compare",
        "main",
        "slower",
        "--run",
        "--quick",
        "--profiles",
        "release",
        "--format",
        "json",
    ]);
    assert_exit(&out, 1);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("round 8/24, bench `speed`"), "{stderr}");
    let comparison: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let wall = series(&comparison, "checksum/20000", "wall_time_ns");
    assert_eq!(wall["verdict"], "regressed", "{wall}");
    let reason = wall["reason"].as_str().expect("a reason");
    assert!(reason.contains("paired over "), "{reason}");
}

#[test]
fn custom_benches_report_in_bencher_metric_format_and_features_bring_in_gated_targets() {
    let _lock = build_lock();
    let fixture = Fixture::named("custom");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    // The bench that writes nothing perfgate reads, and the one behind a feature the
    // config does not enable, are listed with the reason and the fix.
    assert!(
        stdout.contains("not measured (2 bench targets):"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "`silent` has a harness perfgate does not know and wrote no Bencher Metric Format JSON"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "`fast-path` needs the features `simd`; enable them with `features = [\"simd\"]`"
        ),
        "{stdout}"
    );
    let baseline = load(&fixture.baselines()[0]);
    assert_eq!(
        baseline["unmeasured"].as_array().map(Vec::len),
        Some(2),
        "{}",
        baseline["unmeasured"]
    );
    let ms = release(&baseline);
    // Written to the file perfgate names: every measure kept.
    let latency = find(&ms, "sum/1000", "wall_time_ns");
    assert_eq!(latency["samples"].as_array().map(Vec::len), Some(5));
    let ir = find(&ms, "sum/1000", "instructions");
    assert_eq!(ir["value"], 1000.0);
    let custom = find(&ms, "sum/1000", "rounds");
    assert_eq!(custom["value"], 1000.0);
    // Written to stdout.
    find(&ms, "stdout/echo", "wall_time_ns");

    // With the feature enabled the gated bench is built and measured.
    fixture.edit("perfgate.toml", "features = []", "features = [\"simd\"]");
    fixture.commit("enable simd");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("not measured (1 bench target):"),
        "{stdout}"
    );
    let head = fixture.git(&["rev-parse", "HEAD"]);
    let path = fixture.root().join(format!("baselines/{head}.json"));
    let ms = release(&load(&path));
    find(&ms, "simd/sum", "wall_time_ns");
}

#[test]
fn criterion_0_3_gets_the_options_it_reads() {
    let _lock = build_lock();
    let fixture = Fixture::named("criterion03");
    // Quick mode's fractional times would be refused by criterion 0.3 ("The argument '0.2'
    // isn't a valid value"); perfgate passes whole seconds to it.
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    let ms = release(&load(&fixture.baselines()[0]));
    let plain = find(&ms, "sum 1000", "wall_time_ns");
    assert_eq!(
        plain["samples"].as_array().map(Vec::len),
        Some(10),
        "{plain}"
    );
    find(&ms, "sized/sum/64", "wall_time_ns");
    let throughput = find(&ms, "sized/sum/64", "throughput_elements_per_s");
    assert_eq!(throughput["lower_is_better"], false, "{throughput}");
}

#[test]
fn gungraun_0_20_gives_instructions_and_dhat_heap_counts_and_gates_them() {
    let _lock = build_lock();
    let fixture = Fixture::named("gungraun");
    fixture.write(".gitignore", "baselines/\n");
    fixture.commit("ignore the baselines");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    let ms = release(&load(&fixture.baselines()[0]));
    // `total` sorts a copy of the entries once per round, eight rounds: eight blocks of
    // eight bytes per entry.
    for (bench, entries) in [
        ("instr::books::total.few", 16.0),
        ("instr::books::total.many", 512.0),
    ] {
        assert_eq!(
            find(&ms, bench, "allocations_count")["value"],
            8.0,
            "{bench}"
        );
        assert_eq!(
            find(&ms, bench, "allocated_bytes")["value"],
            8.0 * 8.0 * entries,
            "{bench}"
        );
        let ir = find(&ms, bench, "instructions");
        assert!(ir["value"].as_f64().expect("value") > 0.0, "{ir}");
        assert!(ir["samples"].as_array().is_none_or(Vec::is_empty), "{ir}");
    }
    find(&ms, "total/many", "wall_time_ns");

    // A ninth round: an eighth more instructions and one more allocation, which the stored
    // comparison fails on.
    fixture.git(&["checkout", "-q", "-b", "slower"]);
    set_extra_permille(&fixture, 200);
    fixture.commit("a round more");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    let out = fixture.perfgate(&["compare", "main", "slower", "--format", "json"]);
    assert_exit(&out, 1);
    let comparison: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ir = series(&comparison, "instr::books::total.many", "instructions");
    assert_eq!(ir["verdict"], "regressed", "{ir}");
    let allocations = series(&comparison, "instr::books::total.many", "allocations_count");
    assert_eq!(allocations["verdict"], "regressed", "{allocations}");
}
