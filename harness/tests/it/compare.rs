//! `perfgate compare`: verdicts, formats and exit codes, with real git and stored baselines.
//! Most cases store baselines made from the schema document's example (fast); one measures
//! real commits of the fixture with a known slowdown injected.

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, example, store, text};

/// A fixture with a `main` branch and a `feature` branch one commit ahead.
fn two_commits() -> (Fixture, String, String) {
    let fixture = Fixture::tiny();
    let base = fixture.git(&["rev-parse", "HEAD"]);
    fixture.git(&["checkout", "-q", "-b", "feature"]);
    fixture.write("notes.txt", "a change\n");
    let head = fixture.commit("feature work");
    (fixture, base, head)
}

/// Scales the `value` (and samples) of one measurement of the release profile.
fn scale(baseline: &mut Value, bench: &str, metric: &str, factor: f64) {
    let ms = baseline["profiles"]["release"]["measurements"]
        .as_array_mut()
        .expect("measurements");
    for m in ms
        .iter_mut()
        .filter(|m| m["bench"] == bench && m["metric"] == metric)
    {
        let v = m["value"].as_f64().expect("a value");
        m["value"] = Value::from(v * factor);
        m["artifact_sha256"] = Value::from("f".repeat(64));
        if let Some(samples) = m.get_mut("samples").and_then(Value::as_array_mut) {
            for s in samples.iter_mut() {
                *s = Value::from(s.as_f64().expect("a sample") * factor);
            }
        }
    }
}

#[test]
fn identical_baselines_pass() {
    let (fixture, base, head) = two_commits();
    store(&fixture, &base, example());
    store(&fixture, &head, example());
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 0);
    assert!(
        text(&out.stdout).starts_with("PASS"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_instruction_regression_fails_the_gate_in_every_format() {
    let (fixture, base, head) = two_commits();
    store(&fixture, &base, example());
    let mut slower = example();
    scale(
        &mut slower,
        "iai::parse::config_core.medium",
        "instructions",
        1.12,
    );
    store(&fixture, &head, slower);
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 1);
    let table = text(&out.stdout);
    assert!(table.starts_with("FAIL"), "{table}");
    assert!(table.contains("iai::parse::config_core.medium"), "{table}");
    assert!(table.contains("+12.0%"), "{table}");

    let out = fixture.perfgate(&["compare", "main", "feature", "--format", "markdown"]);
    assert_exit(&out, 1);
    let markdown = text(&out.stdout);
    assert!(markdown.contains("<details>"), "{markdown}");

    let out = fixture.perfgate(&["compare", "main", "feature", "--format", "json"]);
    assert_exit(&out, 1);
    let json: Value = serde_json::from_slice(&out.stdout).expect("--format json is JSON");
    assert_eq!(json["base"]["sha"], base.as_str());
    assert_eq!(json["head"]["sha"], head.as_str());
}

#[test]
fn an_acknowledged_regression_passes() {
    let (fixture, base, head) = two_commits();
    store(&fixture, &base, example());
    let mut slower = example();
    scale(
        &mut slower,
        "iai::parse::config_core.medium",
        "instructions",
        1.5,
    );
    store(&fixture, &head, slower);
    fixture.write(
        "perfgate.toml",
        "[[acknowledge]]\nbench = \"iai::parse::*\"\nmetric = \"instructions\"\nreason = \"a bigger grammar\"\n",
    );
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 0);
    assert!(
        text(&out.stdout).contains("a bigger grammar"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn merge_base_compares_against_where_the_branch_forked() {
    let (fixture, base, head) = two_commits();
    fixture.git(&["checkout", "-q", "main"]);
    fixture.write("later.txt", "main moved on\n");
    fixture.commit("main moves on");
    store(&fixture, &base, example());
    store(&fixture, &head, example());
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("no baseline for `main`"),
        "{}",
        text(&out.stderr)
    );
    let out = fixture.perfgate(&["compare", "--merge-base", "main", "feature"]);
    assert_exit(&out, 0);
}

#[test]
fn bad_input_exits_2_with_the_fix() {
    let (fixture, base, head) = two_commits();
    let out = fixture.perfgate(&["compare", "main", "no-such-ref"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("unknown git revision `no-such-ref`"),
        "{}",
        text(&out.stderr)
    );

    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("run `perfgate run --rev {}` first", &base[..12])),
        "{stderr}"
    );

    store(&fixture, &base, example());
    fixture.write(
        &format!("baselines/{head}.json"),
        "{\"schema_version\": 1, \"commit\": ",
    );
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("is corrupt"),
        "{}",
        text(&out.stderr)
    );

    let mut newer = example();
    newer["schema_version"] = Value::from(99);
    store(&fixture, &head, newer);
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("schema version 99"),
        "{}",
        text(&out.stderr)
    );

    let mut other = example();
    other["target"] = Value::from("another-crate");
    store(&fixture, &head, other);
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("cannot compare"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn measured_commits_with_a_known_slowdown() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let base = fixture.git(&["rev-parse", "HEAD"]);
    fixture.git(&["checkout", "-q", "-b", "slower"]);
    let lib = std::fs::read_to_string(fixture.root().join("src/lib.rs")).expect("read");
    fixture.write(
        "src/lib.rs",
        &lib.replace("EXTRA_PERMILLE: u64 = 0;", "EXTRA_PERMILLE: u64 = 1000;"),
    );
    fixture.commit("twice the work");
    let out = fixture.perfgate(&[
        "compare",
        "main",
        "slower",
        "--run-missing",
        "--quick",
        "--profiles",
        "release",
    ]);
    assert_exit(&out, 1);
    assert_eq!(
        fixture.baselines().len(),
        2,
        "both sides were measured and stored"
    );
    let table = text(&out.stdout);
    assert!(table.contains("instr::work::checksum.large"), "{table}");
    assert!(
        fixture.baselines()[0]
            .display()
            .to_string()
            .contains(&base[..12])
            || fixture.baselines()[1]
                .display()
                .to_string()
                .contains(&base[..12])
    );
}

#[test]
fn run_measures_both_sides_in_paired_rounds_until_decided() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    fixture.git(&["checkout", "-q", "-b", "slower"]);
    let lib = std::fs::read_to_string(fixture.root().join("src/lib.rs")).expect("read");
    fixture.write(
        "src/lib.rs",
        &lib.replace("EXTRA_PERMILLE: u64 = 0;", "EXTRA_PERMILLE: u64 = 4000;"),
    );
    // Only the criterion benchmarks the filter matches run, on both sides and in every round.
    let settings = std::fs::read_to_string(fixture.root().join("perfgate.toml")).expect("read");
    fixture.write(
        "perfgate.toml",
        &format!("[target]\nfilter = \"^checksum/\"\n\n{settings}"),
    );
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
    assert!(stderr.contains("round 8/24"), "{stderr}");
    assert!(stderr.contains("paired series decided in"), "{stderr}");
    let comparison: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let series = |bench: &str, metric: &str| -> Value {
        comparison["series"]
            .as_array()
            .expect("series")
            .iter()
            .find(|s| s["key"]["bench"] == bench && s["key"]["metric"] == metric)
            .cloned()
            .unwrap_or_else(|| panic!("{bench} {metric} in {comparison}"))
    };
    // Five times the work (so that a base process sharing its core with another load is still
    // far faster than a head process): the paired interval of the wall time lies beyond the
    // gate at a look; the instruction count regresses and reproduces.
    let wall = series("checksum/1000", "wall_time_ns");
    assert_eq!(wall["verdict"], "regressed", "{wall}");
    let reason = wall["reason"].as_str().expect("a reason");
    assert!(reason.contains("paired over "), "{reason}");
    assert!(
        reason.contains("(the interval beyond half the gate)"),
        "{reason}"
    );
    let rounds = |v: &Value| v["rounds"].as_u64().expect("rounds") as usize;
    let wall_rounds = rounds(&wall);
    assert!((8..=24).contains(&wall_rounds), "{wall}");
    let startup = series("startup/tiny", "startup_wall_ns");
    let startup_rounds = rounds(&startup);
    let ir = series("instr::work::checksum.large", "instructions");
    assert_eq!(ir["verdict"], "regressed", "{ir}");
    assert!(
        ir["reason"]
            .as_str()
            .expect("a reason")
            .contains("reproduced by a second measurement of the head"),
        "{ir}"
    );

    assert_eq!(fixture.baselines().len(), 2, "both pooled sides are stored");
    for rev in ["main", "slower"] {
        let sha = fixture.git(&["rev-parse", rev]);
        let stored: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture.root().join(format!("baselines/{sha}.json")))
                .expect("read"),
        )
        .expect("JSON");
        let measurements = stored["profiles"]["release"]["measurements"]
            .as_array()
            .expect("measurements");
        let find = |bench: &str, metric: &str| {
            measurements
                .iter()
                .find(|m| m["bench"] == bench && m["metric"] == metric)
                .unwrap_or_else(|| panic!("{bench} {metric}"))
        };
        // One sample per process of a measured round, the warm-up dropped: a unit runs
        // while one of its series goes on, so at least as many as its series took.
        let samples = |m: &Value| m["samples"].as_array().map(Vec::len).unwrap_or(0);
        let wall_samples = samples(find("checksum/1000", "wall_time_ns"));
        assert!((wall_rounds..=24).contains(&wall_samples), "{rev}");
        assert!(
            !measurements.iter().any(|m| m["bench"] == "words"),
            "the filter left `words` out: {rev}"
        );
        // A start-up block gives one latency per run, three runs a round at the least.
        let startup_samples = samples(find("startup/tiny", "startup_wall_ns"));
        assert!(startup_samples >= 3 * startup_rounds, "{rev}");
    }
    let worktrees = fixture.git(&["worktree", "list"]);
    assert_eq!(
        worktrees.lines().count(),
        1,
        "temporary worktrees removed: {worktrees}"
    );
}

#[test]
fn strict_and_fail_on_missing_set_their_exit_codes() {
    let (fixture, base, head) = two_commits();
    let mut head_baseline = example();
    store(&fixture, &base, example());
    head_baseline["fingerprint"]["valgrind"] = Value::from("valgrind-9.9.9");
    store(&fixture, &head, head_baseline.clone());
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 0);
    let out = fixture.perfgate(&["compare", "main", "feature", "--strict"]);
    assert_exit(&out, 3);
    assert!(
        text(&out.stdout).contains("incomparable"),
        "{}",
        text(&out.stdout)
    );

    let ms = head_baseline["profiles"]["release"]["measurements"]
        .as_array_mut()
        .expect("measurements");
    let removed = ms.remove(0);
    head_baseline["fingerprint"] = example()["fingerprint"].clone();
    store(&fixture, &head, head_baseline);
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 0);
    let out = fixture.perfgate(&["compare", "main", "feature", "--fail-on-missing"]);
    assert_exit(&out, 1);
    let table = text(&out.stdout);
    assert!(
        table.contains("missing") && table.contains(removed["bench"].as_str().expect("a bench")),
        "{table}"
    );
}

#[test]
fn hostile_bench_names_and_subjects_are_escaped_in_markdown_and_html() {
    let fixture = Fixture::tiny();
    let base = fixture.git(&["rev-parse", "HEAD"]);
    fixture.write("notes.txt", "a change\n");
    let head = fixture.commit("fix <script>alert(1)</script> | `x` *bold*");
    const EVIL: &str = "evil|`name`\n<script>alert(2)</script>";
    let with_evil = |factor: f64| {
        let mut baseline = example();
        let ms = baseline["profiles"]["release"]["measurements"]
            .as_array_mut()
            .expect("measurements");
        let mut evil = ms[0].clone();
        evil["bench"] = Value::from(EVIL);
        evil["metric"] = Value::from("instructions");
        evil["unit"] = Value::from("instructions");
        evil["value"] = Value::from(1000.0 * factor);
        evil["samples"] = Value::Array(Vec::new());
        evil["artifact_sha256"] = Value::from(if factor > 1.0 { "e" } else { "d" }.repeat(64));
        ms.push(evil);
        baseline
    };
    store(&fixture, &base, with_evil(1.0));
    let mut hostile_head = with_evil(2.0);
    hostile_head["commit"]["subject"] = Value::from("fix <script>alert(1)</script> | `x` *bold*");
    store(&fixture, &head, hostile_head);

    let out = fixture.perfgate(&[
        "compare", &base, &head, "--format", "markdown", "--html", "page",
    ]);
    assert_exit(&out, 1);
    let markdown = text(&out.stdout);
    assert!(
        markdown.contains("`evil\\|'name' <script>alert(2)</script>`"),
        "the bench is one code span, its pipe escaped, its line break gone:\n{markdown}"
    );
    assert!(
        markdown.contains("fix \\<script>alert(1)\\</script> \\| \\`x\\` \\*bold\\*"),
        "the subject is plain text:\n{markdown}"
    );
    for line in markdown.lines().filter(|l| l.contains("evil")) {
        assert!(
            line.starts_with('|') || line.starts_with('"') || line.contains("x-axis"),
            "{line}"
        );
    }
    let page = std::fs::read_to_string(fixture.root().join("page/compare.html")).expect("page");
    assert!(!page.contains("<script"), "no script element on the page");
    assert!(
        page.contains("&lt;script&gt;alert(2)"),
        "the name is shown, escaped"
    );
}

#[test]
fn code_moved_next_to_an_unchanged_bench_does_not_fail_on_its_cache_events() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    // Only what is deterministic: the instruction bench, no wall-time bench, no start-up.
    let settings = std::fs::read_to_string(fixture.root().join("perfgate.toml")).expect("read");
    let startup = settings.find("[startup]").expect("a [startup] section");
    fixture.write(
        "perfgate.toml",
        &format!(
            "[target]\nbenches = [\"instr\"]\n\n{}",
            &settings[..startup]
        ),
    );
    fixture.commit("instruction counts only");
    fixture.git(&["checkout", "-q", "-b", "salted"]);
    // A new constant in `checksum`: the same work, a different binary (one more instruction
    // per call, code and data laid out anew).
    let lib = std::fs::read_to_string(fixture.root().join("src/lib.rs")).expect("read");
    fixture.write(
        "src/lib.rs",
        &lib.replace("SALT: u64 = 0;", "SALT: u64 = 0x5a5a_5a5a;"),
    );
    fixture.commit("salt the checksum");
    let out = fixture.perfgate(&[
        "compare",
        "main",
        "salted",
        "--run-missing",
        "--quick",
        "--profiles",
        "release",
        "--format",
        "json",
    ]);
    assert_exit(&out, 0);
    let comparison: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let series = comparison["series"].as_array().expect("series");
    let events: Vec<&Value> = series
        .iter()
        .filter(|s| {
            s["key"]["metric"]
                .as_str()
                .is_some_and(|m| m.starts_with("callgrind_"))
        })
        .collect();
    assert!(
        !events.is_empty(),
        "callgrind events measured: {comparison}"
    );
    for s in &events {
        assert_eq!(s["class"], "informational", "{s}");
        assert_eq!(s["advisory"], true, "{s}");
    }
    for bench in ["instr::work::checksum.small", "instr::work::checksum.large"] {
        let ir = series
            .iter()
            .find(|s| s["key"]["bench"] == bench && s["key"]["metric"] == "instructions")
            .unwrap_or_else(|| panic!("{bench} instructions in {comparison}"));
        assert!(
            ir["verdict"] == "within-noise" || ir["verdict"] == "unchanged",
            "{ir}"
        );
    }
}

#[test]
fn baselines_of_the_previous_schema_are_refused_then_migrated() {
    let (fixture, base, head) = two_commits();
    // The example as schema 1 wrote it: with the PGO field that was always `true`.
    let mut old = example();
    old["schema_version"] = Value::from(1);
    old["profiles"]["pgo"]["pgo"]["differs_from_release"] = Value::from(true);
    store(&fixture, &base, old.clone());
    store(&fixture, &head, old);
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 2);
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "has schema version 1, this perfgate reads 2; rewrite it with `perfgate migrate`"
        ),
        "{err}"
    );

    let out = fixture.perfgate(&["migrate"]);
    assert_exit(&out, 0);
    assert_eq!(
        text(&out.stdout),
        "2 baseline(s) rewritten to schema version 2, 0 already at it\n"
    );
    for sha in [&base, &head] {
        let stored: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture.root().join(format!("baselines/{sha}.json")))
                .expect("read"),
        )
        .expect("JSON");
        assert_eq!(stored["schema_version"], 2);
        assert!(
            stored["profiles"]["pgo"]["pgo"]
                .get("differs_from_release")
                .is_none()
        );
        let mut expected = example();
        expected["commit"]["sha"] = Value::from(sha.as_str());
        assert_eq!(stored, expected, "nothing else changed");
    }
    let out = fixture.perfgate(&["compare", "main", "feature"]);
    assert_exit(&out, 0);
    let out = fixture.perfgate(&["migrate"]);
    assert_exit(&out, 0);
    assert_eq!(
        text(&out.stdout),
        "0 baseline(s) rewritten to schema version 2, 2 already at it\n"
    );
}
