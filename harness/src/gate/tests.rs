//! The gate's unit tests, on fixture baselines.

use std::collections::BTreeMap;

use super::reason::number;
use super::*;
use crate::env_field::{EnvDifference, EnvField};
use crate::fingerprint::Fingerprint;
use crate::git::CommitInfo;
use crate::measure::Interval;
use crate::measure::{Measurement, Unit};
use crate::metric::Metric;
use crate::store::ProfileRun;

const BASE_SHA: &str = "1111111111111111111111111111111111111111";
const HEAD_SHA: &str = "2222222222222222222222222222222222222222";

fn fingerprint() -> Fingerprint {
    Fingerprint {
        rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
        rustc_commit_hash: "59807616e1fa2540724bfbac14d7976d7e4a3860".into(),
        llvm_version: "22.1.2".into(),
        host: "x86_64-unknown-linux-gnu".into(),
        cpu_model: "AMD EPYC 9554 64-Core Processor".into(),
        cpu_vendor: "AuthenticAMD".into(),
        cpu_family_model_stepping: "25/17/1".into(),
        cpu_flags_sha256: "ab".repeat(32),
        cores: 4,
        kernel: "6.1.0-41-amd64".into(),
        glibc: Some("2.36".into()),
        valgrind: Some("valgrind-3.19.0".into()),
        iai_callgrind_runner: Some("iai-callgrind-runner v0.16.1".into()),
        perfgate_version: "0.1.0".into(),
        cargo_lock_sha256: Some("cd".repeat(32)),
        rustflags: None,
    }
}

fn commit(sha: &str) -> CommitInfo {
    CommitInfo {
        sha: sha.into(),
        parents: Vec::new(),
        subject: format!("commit {}", &sha[..4]),
        time: 1_767_182_400,
        author: "Ada".into(),
    }
}

/// A baseline of target `tiny` at `sha` with these measurements under `release`.
fn baseline(sha: &str, measurements: Vec<Measurement>) -> Baseline {
    let mut measurements = measurements;
    measurements.sort_by(|a, b| (&a.bench, &a.metric).cmp(&(&b.bench, &b.metric)));
    Baseline {
        schema_version: crate::store::SCHEMA_VERSION,
        perfgate_version: "0.1.0".into(),
        commit: commit(sha),
        dirty: false,
        mode: "full".into(),
        created: 1_767_183_012,
        target: "tiny".into(),
        fingerprint: fingerprint(),
        profiles: BTreeMap::from([(
            "release".to_string(),
            ProfileRun {
                settings: BTreeMap::from([("cargo-profile".into(), "release".into())]),
                artifacts: Vec::new(),
                pgo: None,
                measurements,
                paired: Vec::new(),
                steps: Vec::new(),
                shard: None,
            },
        )]),
        unmeasured: Vec::new(),
    }
}

fn instr(bench: &str, value: f64) -> Measurement {
    Measurement::exact(bench, "instructions", Unit::Instructions, value)
}

fn wall(bench: &str, samples: &[f64]) -> Measurement {
    let value = stats::median(samples).expect("samples");
    Measurement::sampled(
        bench,
        "wall_time_ns",
        Unit::Nanoseconds,
        value,
        samples.to_vec(),
    )
}

fn scaled(samples: &[f64], factor: f64) -> Vec<f64> {
    samples.iter().map(|s| s * factor).collect()
}

/// Ten wall-time samples around 1000 ns with about 1% spread.
const NOISE: [f64; 10] = [
    1003.0, 998.0, 1010.0, 995.0, 1001.0, 1007.0, 992.0, 1005.0, 999.0, 1012.0,
];

fn compare_default(base: &Baseline, head: &Baseline) -> Comparison {
    compare(base, head, &History::default(), &GateRules::default()).expect("one target")
}

#[track_caller]
fn series<'c>(c: &'c Comparison, bench: &str, metric: &str) -> &'c SeriesVerdict {
    c.series
        .iter()
        .find(|s| s.key.bench == bench && s.key.metric == metric)
        .unwrap_or_else(|| panic!("no series {bench} {metric} in {:#?}", c.series))
}

fn key(bench: &str, metric: &str) -> SeriesKey {
    SeriesKey {
        profile: "release".into(),
        bench: bench.into(),
        metric: metric.into(),
    }
}

#[test]
fn a_callgrind_event_is_gated_where_gate_metrics_names_it() {
    for name in [
        "callgrind_estimated_cycles",
        "callgrind_d1mw",
        "callgrind_dlmw",
    ] {
        let m = Metric::parse(name);
        let rules = GateRules {
            per_metric: BTreeMap::from([(name.to_string(), 5.0)]),
            ..GateRules::default()
        };
        assert_eq!(class_under(&m, &rules), MetricClass::Deterministic, "{m}");
        assert_eq!(
            class_under(&m, &GateRules::default()),
            MetricClass::Informational
        );
    }
    // Naming a metric that is not a callgrind event changes nothing.
    let rules = GateRules {
        per_metric: BTreeMap::from([("startup_p99_ns".to_string(), 5.0)]),
        ..GateRules::default()
    };
    assert_eq!(
        class_under(&Metric::StartupP99, &rules),
        MetricClass::Informational
    );
}

#[test]
fn every_verdict_is_reachable() {
    let base = baseline(
        BASE_SHA,
        vec![
            instr("up", 1000.0),
            instr("down", 1000.0),
            instr("same", 1000.0),
            instr("gone", 1000.0),
            instr("hashed", 1000.0).with_artifact(Some("a".repeat(64))),
            Measurement::exact("binary/x", "binary_size_bytes", Unit::Bytes, 5000.0),
        ],
    );
    let mut head = baseline(
        HEAD_SHA,
        vec![
            instr("up", 1200.0),
            instr("down", 800.0),
            instr("same", 1000.0),
            instr("fresh", 1000.0),
            instr("hashed", 1000.5).with_artifact(Some("a".repeat(64))),
            Measurement::exact("binary/x", "binary_size_bytes", Unit::Bytes, 9000.0),
        ],
    );
    head.fingerprint.valgrind = Some("valgrind-3.22.0".into());
    let c = compare_default(&base, &head);
    let verdicts: Vec<(&str, &str, Verdict)> = c
        .series
        .iter()
        .map(|s| (s.key.bench.as_str(), s.key.metric.as_str(), s.verdict))
        .collect();
    // Valgrind changed: instructions are incomparable, the size is not.
    assert_eq!(
        verdicts,
        [
            ("binary/x", "binary_size_bytes", Verdict::Regressed),
            ("down", "instructions", Verdict::Incomparable),
            ("hashed", "instructions", Verdict::Incomparable),
            ("same", "instructions", Verdict::Incomparable),
            ("up", "instructions", Verdict::Incomparable),
            ("fresh", "instructions", Verdict::New),
            ("gone", "instructions", Verdict::Missing),
        ]
    );
    assert_eq!(
        series(&c, "up", "instructions").reason,
        "incomparable: valgrind valgrind-3.19.0 → valgrind-3.22.0"
    );
    assert_eq!(series(&c, "fresh", "instructions").reason, "not in base");
    assert_eq!(
        series(&c, "gone", "instructions").reason,
        "not in head (renamed? a rename is a migration)"
    );

    let incomparable = c.count(Verdict::Incomparable);
    head.fingerprint.valgrind = base.fingerprint.valgrind.clone();
    let c = compare_default(&base, &head);
    let verdict = |bench| series(&c, bench, "instructions").verdict;
    assert_eq!(verdict("up"), Verdict::Regressed);
    assert_eq!(verdict("down"), Verdict::Improved);
    assert_eq!(verdict("same"), Verdict::WithinNoise);
    assert_eq!(verdict("hashed"), Verdict::Unchanged);
    for v in Verdict::ALL {
        let reached = c.count(v)
            + if v == Verdict::Incomparable {
                incomparable
            } else {
                0
            };
        assert!(reached > 0, "{v:?} reached");
    }
    assert_eq!(
        series(&c, "up", "instructions").reason,
        "+20.0% > gate 10%; fence 0.2% (default); 1000 → 1200 instructions"
    );
    assert!(c.failed());
    assert_eq!(c.regressions().count(), 2, "up and the binary size");
}

#[test]
fn the_comparison_is_sorted_by_severity_then_key() {
    let base = baseline(
        BASE_SHA,
        vec![instr("b", 100.0), instr("a", 100.0), instr("c", 100.0)],
    );
    let head = baseline(
        HEAD_SHA,
        vec![instr("b", 100.0), instr("a", 100.0), instr("c", 150.0)],
    );
    let c = compare_default(&base, &head);
    let order: Vec<&str> = c.series.iter().map(|s| s.key.bench.as_str()).collect();
    assert_eq!(order, ["c", "a", "b"]);
}

#[test]
fn different_targets_are_an_error() {
    let base = baseline(BASE_SHA, vec![]);
    let mut head = baseline(HEAD_SHA, vec![]);
    head.target = "other".into();
    let err =
        compare(&base, &head, &History::default(), &GateRules::default()).expect_err("two targets");
    assert_eq!(
        err,
        CompareError::DifferentTargets {
            base: "tiny".into(),
            head: "other".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "the base measures `tiny` and the head `other`; compare baselines of one target"
    );
}

#[test]
fn tolerance_absorbs_instruction_jitter() {
    let base = baseline(BASE_SHA, vec![instr("x", 1_000_000.0)]);
    let head = baseline(HEAD_SHA, vec![instr("x", 1_000_040.0)]);
    let c = compare_default(&base, &head);
    let s = series(&c, "x", "instructions");
    assert_eq!(s.verdict, Verdict::WithinNoise);
    assert!(!s.notable);
    assert_eq!(
        s.reason,
        "+0.004% ≤ tolerance 0.01%; 1000000 → 1000040 instructions"
    );
}

#[test]
fn a_change_above_the_fence_is_notable_within_noise() {
    let base = baseline(BASE_SHA, vec![instr("x", 1_000_000.0)]);
    let head = baseline(HEAD_SHA, vec![instr("x", 1_005_000.0)]);
    let c = compare_default(&base, &head);
    let s = series(&c, "x", "instructions");
    assert_eq!(s.verdict, Verdict::WithinNoise);
    assert!(s.notable);
    assert_eq!(s.fence, Some(0.002));
    assert_eq!(
        s.reason,
        "+0.50%, notable (fence 0.2% (default)), below gate 10%; 1000000 → 1005000 instructions"
    );

    // Thirty baselines that moved by up to 1% make 0.5% ordinary.
    let noisy_history: Vec<f64> = (0..30)
        .map(|i| 1_000_000.0 * (1.0 + 0.01 * f64::from(i % 3)))
        .collect();
    let history = History {
        values: BTreeMap::from([(key("x", "instructions"), noisy_history)]),
    };
    let c = compare(&base, &head, &history, &GateRules::default()).expect("compared");
    let s = series(&c, "x", "instructions");
    assert_eq!(s.verdict, Verdict::WithinNoise);
    assert!(!s.notable, "{s:?}");
    assert!(s.fence.expect("a fence") > 0.005, "{s:?}");
    assert!(s.reason.contains("(30 baselines)"), "{}", s.reason);

    // Fewer than 30 baselines: the default fence.
    let short = History {
        values: BTreeMap::from([(key("x", "instructions"), vec![1e6; 29])]),
    };
    let c = compare(&base, &head, &short, &GateRules::default()).expect("compared");
    assert_eq!(series(&c, "x", "instructions").fence, Some(0.002));
}

#[test]
fn an_unstable_series_is_advisory() {
    // Consecutive changes of 0 and about 10%: the fence is far above half the gate.
    let history: Vec<f64> = (0..30)
        .map(|i| if i % 4 < 2 { 1000.0 } else { 1100.0 })
        .collect();
    let history = History {
        values: BTreeMap::from([(key("x", "instructions"), history)]),
    };
    let base = baseline(BASE_SHA, vec![instr("x", 1000.0)]);
    let head = baseline(HEAD_SHA, vec![instr("x", 1300.0)]);
    let c = compare(&base, &head, &history, &GateRules::default()).expect("compared");
    let s = series(&c, "x", "instructions");
    assert_eq!(s.verdict, Verdict::Regressed);
    assert!(s.advisory, "{s:?}");
    assert!(s.reason.contains("advisory: unstable"), "{}", s.reason);
    assert!(!c.failed());
}

#[test]
fn from_zero_is_a_regression_without_a_percentage() {
    let m = |v| Measurement::exact("alloc/x", "allocations_count", Unit::Count, v);
    let c = compare_default(
        &baseline(BASE_SHA, vec![m(0.0)]),
        &baseline(HEAD_SHA, vec![m(3.0)]),
    );
    let s = series(&c, "alloc/x", "allocations_count");
    assert_eq!(s.verdict, Verdict::Regressed);
    assert_eq!(s.change, None);
    assert_eq!(s.reason, "from zero; 0 → 3 count");
    let c = compare_default(
        &baseline(BASE_SHA, vec![m(0.0)]),
        &baseline(HEAD_SHA, vec![m(0.0)]),
    );
    assert_eq!(
        series(&c, "alloc/x", "allocations_count").verdict,
        Verdict::WithinNoise
    );
}

/// A callgrind event of bench `x`.
fn event(metric: &str, value: f64) -> Measurement {
    Measurement::exact("x", metric, Unit::Events, value)
}

#[test]
fn callgrind_events_are_shown_but_not_gated() {
    let c = compare_default(
        &baseline(BASE_SHA, vec![event("callgrind_estimated_cycles", 100.0)]),
        &baseline(HEAD_SHA, vec![event("callgrind_estimated_cycles", 150.0)]),
    );
    let s = series(&c, "x", "callgrind_estimated_cycles");
    assert_eq!(s.class, MetricClass::Informational);
    assert_eq!(s.verdict, Verdict::Regressed);
    assert!(s.advisory);
    assert!(
        s.reason.contains("`[gate.metrics]` gates one by name"),
        "{}",
        s.reason
    );
    assert!(!c.failed());
}

#[test]
fn a_cache_miss_from_zero_is_not_a_regression() {
    // The false alarm of a commit that moved code next to an untouched bench: 0 → 1 D1
    // write misses.
    let c = compare_default(
        &baseline(
            BASE_SHA,
            vec![instr("x", 20_000.0), event("callgrind_d1mw", 0.0)],
        ),
        &baseline(
            HEAD_SHA,
            vec![instr("x", 20_000.0), event("callgrind_d1mw", 1.0)],
        ),
    );
    let s = series(&c, "x", "callgrind_d1mw");
    assert_eq!(s.class, MetricClass::Informational);
    assert!(s.advisory && !s.fails_gate(), "{s:?}");
    assert!(!c.failed());
}

#[test]
fn a_gated_cache_event_holds_changes_below_the_floor_within_noise() {
    let rules = GateRules {
        per_metric: BTreeMap::from([("callgrind_d1mw".to_string(), 10.0)]),
        ..GateRules::default()
    };
    let judge = |instructions: f64, base: f64, head: f64| {
        let c = compare(
            &baseline(
                BASE_SHA,
                vec![instr("x", instructions), event("callgrind_d1mw", base)],
            ),
            &baseline(
                HEAD_SHA,
                vec![instr("x", instructions), event("callgrind_d1mw", head)],
            ),
            &History::default(),
            &rules,
        )
        .expect("one target");
        series(&c, "x", "callgrind_d1mw").clone()
    };
    // Named in [gate.metrics]: judged as a deterministic count.
    let s = judge(1000.0, 0.0, 1.0);
    assert_eq!(s.class, MetricClass::Deterministic);
    assert_eq!(s.verdict, Verdict::WithinNoise, "{s:?}");
    assert_eq!(s.reason, "+1 event(s) ≤ floor +10; 0 → 1 events");
    // Ten events is the floor; eleven from zero is a regression.
    assert_eq!(judge(1000.0, 0.0, 10.0).verdict, Verdict::WithinNoise);
    let s = judge(1000.0, 0.0, 11.0);
    assert_eq!(s.verdict, Verdict::Regressed, "{s:?}");
    assert!(s.fails_gate() && s.reason.starts_with("from zero"), "{s:?}");
    // A bench of ten million instructions has a floor of 1,000 events (0.01%): +900 misses
    // over 1,000 are +90% and still within noise; +1,100 fail.
    let s = judge(1e7, 1000.0, 1900.0);
    assert_eq!(s.verdict, Verdict::WithinNoise, "{s:?}");
    assert_eq!(s.change.map(|c| (c * 100.0).round()), Some(90.0));
    assert!(s.reason.contains("≤ floor +1000"), "{}", s.reason);
    assert_eq!(judge(1e7, 1000.0, 2100.0).verdict, Verdict::Regressed);
    // Fewer misses by less than the floor: within noise too, not improved.
    assert_eq!(judge(1e7, 1900.0, 1000.0).verdict, Verdict::WithinNoise);
}

#[test]
fn instructions_have_the_floor_too() {
    let judge = |base: f64, head: f64| {
        let c = compare_default(
            &baseline(BASE_SHA, vec![instr("x", base)]),
            &baseline(HEAD_SHA, vec![instr("x", head)]),
        );
        series(&c, "x", "instructions").clone()
    };
    assert_eq!(
        judge(40.0, 48.0).verdict,
        Verdict::WithinNoise,
        "+20%, 8 events"
    );
    assert_eq!(
        judge(0.0, 5.0).verdict,
        Verdict::WithinNoise,
        "from zero, 5 events"
    );
    assert_eq!(
        judge(40.0, 60.0).verdict,
        Verdict::Regressed,
        "+50%, 20 events"
    );
    // The relative tolerance still governs large counts.
    assert_eq!(judge(1e6, 1.15e6).verdict, Verdict::Regressed);
}

#[test]
fn allocation_counts_have_no_floor() {
    let m = |v| Measurement::exact("alloc/x", "allocations_count", Unit::Count, v);
    let c = compare_default(
        &baseline(BASE_SHA, vec![m(0.0)]),
        &baseline(HEAD_SHA, vec![m(1.0)]),
    );
    let s = series(&c, "alloc/x", "allocations_count");
    assert_eq!(
        s.verdict,
        Verdict::Regressed,
        "one allocation on a path that had none"
    );
}

#[test]
fn informational_metrics_are_advisory() {
    let m = |v| Measurement::exact("startup/x", "startup_p99_ns", Unit::Nanoseconds, v);
    let c = compare_default(
        &baseline(BASE_SHA, vec![m(1e6)]),
        &baseline(HEAD_SHA, vec![m(1.5e6)]),
    );
    let s = series(&c, "startup/x", "startup_p99_ns");
    assert_eq!((s.verdict, s.advisory), (Verdict::Regressed, true));
    assert_eq!(
        s.reason,
        "+50.0% > gate 10%; 1.00 ms → 1.50 ms; informational, not gated"
    );
    assert!(!c.failed());
}

#[test]
fn gates_per_metric_and_per_bench() {
    let base = baseline(
        BASE_SHA,
        vec![
            instr("parse/large/a", 100_000.0),
            instr("parse/small/a", 100_000.0),
            instr("other", 100_000.0),
        ],
    );
    let head = baseline(
        HEAD_SHA,
        vec![
            instr("parse/large/a", 112_000.0),
            instr("parse/small/a", 112_000.0),
            instr("other", 106_000.0),
        ],
    );
    let rules = GateRules {
        per_metric: BTreeMap::from([("instructions".to_string(), 5.0)]),
        per_bench: BTreeMap::from([
            ("parse/*".to_string(), 11.0),
            ("parse/large/*".to_string(), 15.0),
        ]),
        ..GateRules::default()
    };
    let c = compare(&base, &head, &History::default(), &rules).expect("compared");
    // The metric's 5% applies to `other`; `parse/*` (11%) to small; the more specific
    // `parse/large/*` (15%) to large.
    assert_eq!(
        series(&c, "other", "instructions").verdict,
        Verdict::Regressed
    );
    assert_eq!(
        series(&c, "parse/small/a", "instructions").verdict,
        Verdict::Regressed
    );
    assert_eq!(
        series(&c, "parse/large/a", "instructions").verdict,
        Verdict::WithinNoise
    );
    assert!(
        series(&c, "parse/large/a", "instructions")
            .reason
            .contains("gate 15%")
    );
}

#[test]
fn the_identical_artifact_short_circuits_except_build_time() {
    let sha = Some("1a2b3c4d".repeat(8));
    let build = |v| {
        Measurement::sampled("build/tiny", "build_wall_s", Unit::Seconds, v, vec![v])
            .with_artifact(sha.clone())
    };
    let base = baseline(
        BASE_SHA,
        vec![
            wall("w", &NOISE).with_artifact(sha.clone()),
            instr("i", 1000.0).with_artifact(sha.clone()),
            build(4.0),
        ],
    );
    let head = baseline(
        HEAD_SHA,
        vec![
            wall("w", &scaled(&NOISE, 1.5)).with_artifact(sha.clone()),
            instr("i", 1001.0).with_artifact(sha.clone()),
            build(6.0),
        ],
    );
    let c = compare_default(&base, &head);
    let w = series(&c, "w", "wall_time_ns");
    assert_eq!(w.verdict, Verdict::Unchanged);
    assert_eq!(w.reason, "bench binary identical (sha256 1a2b3c4d…)");
    let i = series(&c, "i", "instructions");
    assert_eq!(i.verdict, Verdict::Unchanged);
    assert!(
        i.reason.contains("a measurement determinism problem"),
        "{}",
        i.reason
    );
    let b = series(&c, "build/tiny", "build_wall_s");
    assert_eq!(
        b.verdict,
        Verdict::Regressed,
        "build time is never short-circuited"
    );
    assert!(b.advisory, "one sample a side");
    assert!(
        b.reason
            .contains("advisory: 1/1 samples, a test needs 5 per side"),
        "{}",
        b.reason
    );
}

#[test]
fn comparability_depends_on_the_metric() {
    let base = baseline(
        BASE_SHA,
        vec![
            wall("w", &NOISE),
            instr("i", 1000.0),
            Measurement::exact("binary/x", "binary_size_bytes", Unit::Bytes, 5000.0),
            Measurement::exact("alloc/x", "allocations_count", Unit::Count, 10.0),
        ],
    );
    let mut head = baseline(
        HEAD_SHA,
        vec![
            wall("w", &NOISE),
            instr("i", 1000.0),
            Measurement::exact("binary/x", "binary_size_bytes", Unit::Bytes, 5000.0),
            Measurement::exact("alloc/x", "allocations_count", Unit::Count, 10.0),
        ],
    );
    head.fingerprint.cpu_model = "Intel Xeon".into();
    head.fingerprint.kernel = "6.12".into();
    let c = compare_default(&base, &head);
    let verdict = |b, m| series(&c, b, m).verdict;
    assert_eq!(verdict("w", "wall_time_ns"), Verdict::Incomparable);
    assert_eq!(verdict("i", "instructions"), Verdict::Incomparable);
    assert_eq!(
        verdict("binary/x", "binary_size_bytes"),
        Verdict::WithinNoise
    );
    assert_eq!(
        verdict("alloc/x", "allocations_count"),
        Verdict::WithinNoise
    );
    assert_eq!(
        c.environment,
        [
            EnvDifference::new(
                EnvField::CpuModel,
                "AMD EPYC 9554 64-Core Processor",
                "Intel Xeon"
            ),
            EnvDifference::new(EnvField::Kernel, "6.1.0-41-amd64", "6.12"),
        ]
    );

    // A profile setting counts for every metric of that profile.
    let mut head = baseline(HEAD_SHA, vec![instr("i", 1000.0)]);
    head.profiles
        .get_mut("release")
        .expect("release")
        .settings
        .insert("lto".into(), "fat".into());
    let c = compare_default(&baseline(BASE_SHA, vec![instr("i", 1000.0)]), &head);
    assert_eq!(
        series(&c, "i", "instructions").reason,
        "incomparable: settings.lto none → fat"
    );
    assert_eq!(
        c.environment[0].field.name(),
        "profiles.release.settings.lto"
    );
}

#[test]
fn an_explained_difference_compares_normally() {
    let base = baseline(BASE_SHA, vec![instr("i", 1000.0)]);
    let mut head = baseline(HEAD_SHA, vec![instr("i", 1200.0)]);
    head.fingerprint.cargo_lock_sha256 = Some("ef".repeat(32));
    let c = compare_default(&base, &head);
    assert_eq!(
        series(&c, "i", "instructions").reason,
        "incomparable: cargo_lock_sha256 cdcdcdcdcdcd… → efefefefefef…"
    );
    let rules = GateRules {
        explained: BTreeMap::from([(
            EnvField::CargoLock,
            "Cargo.lock changed in range".to_string(),
        )]),
        ..GateRules::default()
    };
    let c = compare(&base, &head, &History::default(), &rules).expect("compared");
    let s = series(&c, "i", "instructions");
    assert_eq!(s.verdict, Verdict::Regressed);
    assert!(
        s.reason.ends_with("(Cargo.lock changed in range)"),
        "{}",
        s.reason
    );
}

#[test]
fn noisy_regression_and_improvement() {
    let base = baseline(
        BASE_SHA,
        vec![
            wall("slow", &NOISE),
            wall("fast", &NOISE),
            wall("flat", &NOISE),
        ],
    );
    let head = baseline(
        HEAD_SHA,
        vec![
            wall("slow", &scaled(&NOISE, 1.2)),
            wall("fast", &scaled(&NOISE, 0.8)),
            wall("flat", &NOISE.iter().rev().copied().collect::<Vec<_>>()),
        ],
    );
    let c = compare_default(&base, &head);
    let slow = series(&c, "slow", "wall_time_ns");
    assert_eq!(slow.verdict, Verdict::Regressed, "{slow:?}");
    assert!(slow.notable);
    let change = slow.change.expect("a shift");
    assert!((change - 0.2).abs() < 1e-9, "{change}");
    let (l, u) = slow.interval.expect("an interval");
    assert!(l <= change && change <= u && l > 0.01, "{l} {u}");
    assert!(slow.q_value.expect("q") < 0.05);
    assert!(
        slow.reason
            .starts_with("+20.0% > gate 10%, confident; CI ["),
        "{}",
        slow.reason
    );
    let fast = series(&c, "fast", "wall_time_ns");
    assert_eq!(fast.verdict, Verdict::Improved, "{fast:?}");
    assert!(fast.change.expect("a shift") < -0.1);
    let flat = series(&c, "flat", "wall_time_ns");
    assert_eq!(flat.verdict, Verdict::WithinNoise, "{flat:?}");
    assert!(!flat.notable);
    assert!(flat.reason.contains("not significant"), "{}", flat.reason);
}

/// Ten wall-time samples around 1000 ns with about 20% spread: MDE95 of 10 against 10
/// such samples is far above a 10% gate.
const WIDE: [f64; 10] = [
    800.0, 1200.0, 950.0, 1300.0, 700.0, 1100.0, 1000.0, 1250.0, 850.0, 1150.0,
];

/// The verdict of the series "wide" when the head's samples are the base's `WIDE` times
/// `factor`, with the MDE95 of its samples.
fn wide_verdict(factor: f64) -> (SeriesVerdict, f64) {
    let head_samples = scaled(&WIDE, factor);
    let mde = stats::minimal_detectable_shift(&WIDE, &head_samples).expect("a spread");
    let base = baseline(BASE_SHA, vec![wall("wide", &WIDE)]);
    let head = baseline(HEAD_SHA, vec![wall("wide", &head_samples)]);
    let c = compare_default(&base, &head);
    (series(&c, "wide", "wall_time_ns").clone(), mde)
}

#[test]
fn a_confident_regression_fails_whatever_the_detectable_shift() {
    // Twice as slow: the whole interval lies beyond the gate, however wide the samples.
    let (v, mde) = wide_verdict(2.0);
    assert!(mde > 0.10, "MDE95 {mde}");
    assert_eq!(v.verdict, Verdict::Regressed, "{v:?}");
    let (l, _) = v.interval.expect("an interval");
    assert!(l > 0.10, "{v:?}");
    assert!(v.fails_gate() && !v.advisory, "{v:?}");
    assert!(v.reason.contains(", confident;"), "{}", v.reason);
    assert!(!v.reason.contains("advisory"), "{}", v.reason);
}

#[test]
fn a_confident_improvement_stands_whatever_the_detectable_shift() {
    let (v, mde) = wide_verdict(0.5);
    assert!(mde > 0.10, "MDE95 {mde}");
    assert_eq!(v.verdict, Verdict::Improved, "{v:?}");
    let (_, u) = v.interval.expect("an interval");
    assert!(u < -0.10, "{v:?}");
    assert!(!v.advisory && !v.reason.contains("advisory"), "{v:?}");
}

#[test]
fn a_regression_whose_interval_reaches_inside_the_gate_is_advisory_under_low_power() {
    // 35% slower: beyond the gate and significant, but the interval reaches below it.
    let (v, mde) = wide_verdict(1.35);
    assert!(mde > 0.10, "MDE95 {mde}");
    assert_eq!(v.verdict, Verdict::Regressed, "{v:?}");
    let (l, _) = v.interval.expect("an interval");
    assert!(l <= 0.10, "{v:?}");
    assert!(v.advisory && !v.fails_gate(), "{v:?}");
    assert!(
        v.reason
            .contains("advisory: gate not enforceable here: MDE95 ",)
            && v.reason
                .contains("and the interval reaches inside the gate"),
        "{}",
        v.reason
    );
}

#[test]
fn an_improvement_whose_interval_reaches_inside_the_gate_is_advisory_under_low_power() {
    let (v, mde) = wide_verdict(0.75);
    assert!(mde > 0.10, "MDE95 {mde}");
    assert_eq!(v.verdict, Verdict::Improved, "{v:?}");
    let (_, u) = v.interval.expect("an interval");
    assert!(u >= -0.10, "{v:?}");
    assert!(v.advisory, "{v:?}");
    assert!(
        v.reason.contains("advisory: gate not enforceable here"),
        "{}",
        v.reason
    );
}

#[test]
fn a_pass_under_low_power_is_advisory_and_says_so() {
    let (v, mde) = wide_verdict(1.02);
    assert!(mde > 0.10, "MDE95 {mde}");
    assert_eq!(v.verdict, Verdict::WithinNoise, "{v:?}");
    assert!(v.advisory && v.is_blind_pass() && !v.fails_gate(), "{v:?}");
    assert_eq!(v.advisory_code, Some(AdvisoryCode::LowPower));
    assert_eq!(v.reason_code, ReasonCode::NotSignificant);
    assert!(
        v.reason.contains(
            "advisory pass: these samples could not have seen a regression of the gate's size (MDE95 "
        ),
        "{}",
        v.reason
    );
}

#[test]
fn tight_samples_enforce_the_gate_without_a_power_note() {
    // About 1% spread: MDE95 is far below the gate.
    let base = baseline(BASE_SHA, vec![wall("tight", &NOISE)]);
    let head = baseline(HEAD_SHA, vec![wall("tight", &scaled(&NOISE, 1.5))]);
    let c = compare_default(&base, &head);
    let v = series(&c, "tight", "wall_time_ns");
    assert!(v.fails_gate() && !v.reason.contains("MDE95"), "{v:?}");
    let head = baseline(HEAD_SHA, vec![wall("tight", &scaled(&NOISE, 1.01))]);
    let c = compare_default(&base, &head);
    let v = series(&c, "tight", "wall_time_ns");
    assert!(!v.advisory && !v.reason.contains("MDE95"), "{v:?}");
}

/// `base` and `head` compared under the default rules with series `a`'s wall time measured in
/// paired rounds: `log_ratios`, stopped by `stop`, the interval at 1 − `alpha`.
fn compare_paired_a(
    base: &Baseline,
    head: &Baseline,
    log_ratios: Vec<f64>,
    stop: Stop,
    alpha: f64,
) -> Comparison {
    let mut pairs = Pairs::new();
    pairs.insert(
        key("a", "wall_time_ns"),
        Paired {
            log_ratios,
            stop,
            alpha,
        },
    );
    compare_paired(
        base,
        head,
        &History::default(),
        &GateRules::default(),
        &pairs,
    )
    .expect("compared")
}

/// Paired rounds (§12.2): a 12% slowdown hidden by a drift common to both sides of every
/// round. Unpaired, the drift's spread swamps it; paired, every round's log ratio is the same.
#[test]
fn paired_rounds_cancel_a_common_drift() {
    let drift: Vec<f64> = (0..16)
        .map(|r| 1000.0 * (1.0 + 0.08 * (r % 4) as f64))
        .collect();
    let base_samples = drift.clone();
    // A hundredth of a percent apart from round to round, so no two ratios tie.
    let head_samples: Vec<f64> = drift
        .iter()
        .enumerate()
        .map(|(r, d)| d * 1.12 * (1.0 + 1e-4 * r as f64))
        .collect();
    let base = baseline(BASE_SHA, vec![wall("a", &base_samples)]);
    let head = baseline(HEAD_SHA, vec![wall("a", &head_samples)]);
    let unpaired = compare_default(&base, &head);
    assert_eq!(
        series(&unpaired, "a", "wall_time_ns").verdict,
        Verdict::WithinNoise
    );

    let log_ratios: Vec<f64> = base_samples
        .iter()
        .zip(&head_samples)
        .map(|(b, h)| (h / b).ln())
        .collect();
    let c = compare_paired_a(
        &base,
        &head,
        log_ratios,
        Stop::Beyond,
        Sequential::QUICK.look_alpha(16, 0.05),
    );
    let a = series(&c, "a", "wall_time_ns");
    assert_eq!(a.verdict, Verdict::Regressed, "{}", a.reason);
    assert!((a.change.expect("a change") - 0.12).abs() < 1e-3);
    assert_eq!(a.rounds, Some(16));
    assert!(
        a.reason
            .contains("paired over 16 rounds (the interval beyond half the gate)"),
        "{}",
        a.reason
    );
    // The exact signed-rank p of 16 positive ratios: 2/2¹⁶.
    assert_eq!(a.p_value, Some(2.0 / 65536.0));
    assert!(c.failed());
}

/// A history of jobs that drifted by up to 8% gives a fence far above half of a 3% gate; the
/// rounds' pairing cancels that drift, so the fence is capped at half the gate and a +5%
/// change beyond it fails.
#[test]
fn a_paired_series_is_held_to_half_the_gate_whatever_the_history_drift() {
    let drifted: Vec<f64> = (0..30)
        .map(|i| 1000.0 * (1.0 + 0.04 * f64::from(i % 3)))
        .collect();
    let history = History {
        values: BTreeMap::from([(key("a", "wall_time_ns"), drifted)]),
    };
    let rules = GateRules {
        per_bench: BTreeMap::from([("a".to_string(), 3.0)]),
        ..GateRules::default()
    };
    let base = baseline(BASE_SHA, vec![wall("a", &NOISE)]);
    let head = baseline(HEAD_SHA, vec![wall("a", &NOISE.map(|x| x * 1.05))]);
    let log_ratios: Vec<f64> = (0..12)
        .map(|r| 1.05f64.ln() + 0.002 * [1.0, -1.0, 0.5, -0.5][r % 4] + 1e-5 * r as f64)
        .collect();
    let mut pairs = Pairs::new();
    pairs.insert(
        key("a", "wall_time_ns"),
        Paired {
            log_ratios,
            stop: Stop::Beyond,
            alpha: Sequential::QUICK.look_alpha(12, 0.05),
        },
    );
    let c = compare_paired(&base, &head, &history, &rules, &pairs).expect("compared");
    let a = series(&c, "a", "wall_time_ns");
    assert!(a.fence.expect("a fence") <= 0.015 + 1e-12, "{a:?}");
    assert_eq!(a.verdict, Verdict::Regressed, "{}", a.reason);
    assert!(
        a.reason.contains("(30 baselines), capped at half the gate"),
        "{}",
        a.reason
    );
    assert!(c.failed());
}

#[test]
fn a_paired_pass_inside_the_gate_is_not_advisory_for_low_power() {
    let base = baseline(BASE_SHA, vec![wall("a", &NOISE)]);
    let head = baseline(HEAD_SHA, vec![wall("a", &NOISE)]);
    let log_ratios: Vec<f64> = (0..8)
        .map(|r| [0.004, -0.003, 0.002, -0.001][r % 4])
        .collect();
    let c = compare_paired_a(
        &base,
        &head,
        log_ratios,
        Stop::Inside,
        Sequential::QUICK.look_alpha(8, 0.05),
    );
    let a = series(&c, "a", "wall_time_ns");
    assert_eq!(a.verdict, Verdict::WithinNoise);
    assert!(!a.advisory, "{}", a.reason);
    assert!(a.mde.is_some_and(|m| m < 0.10));
    assert!(a.reason.contains("within half the gate 5%"), "{}", a.reason);
}

#[test]
fn a_paired_series_undecided_at_the_budget_is_advisory() {
    let base = baseline(BASE_SHA, vec![wall("a", &NOISE)]);
    let head = baseline(HEAD_SHA, vec![wall("a", &NOISE)]);
    // +6% with a ±6% wobble: beyond half the gate by its estimate, not by its interval.
    let log_ratios: Vec<f64> = (0..24).map(|r| 0.06 + [0.06, -0.06][r % 2]).collect();
    let c = compare_paired_a(&base, &head, log_ratios, Stop::Budget, 0.05);
    let a = series(&c, "a", "wall_time_ns");
    assert!(a.advisory, "{}", a.reason);
    assert!(
        a.reason
            .contains("advisory: undecided after the round budget (24 rounds;"),
        "{}",
        a.reason
    );
    assert!(!c.failed());
}

#[test]
fn a_deterministic_regression_must_reproduce() {
    let base = baseline(BASE_SHA, vec![instr("x", 1000.0), instr("y", 1000.0)]);
    let head = baseline(HEAD_SHA, vec![instr("x", 1200.0), instr("y", 1200.0)]);
    let mut c = compare_default(&base, &head);
    c.reproduce(&key("x", "instructions"), 1200.0);
    c.reproduce(&key("y", "instructions"), 1210.0);
    let x = series(&c, "x", "instructions");
    assert!(x.fails_gate());
    assert!(
        x.reason
            .ends_with("reproduced by a second measurement of the head")
    );
    let y = series(&c, "y", "instructions");
    assert_eq!(y.verdict, Verdict::Regressed);
    assert!(y.advisory && !y.fails_gate());
    assert!(
        y.reason.contains("nondeterministic measurement"),
        "{}",
        y.reason
    );
}

#[test]
fn throughput_is_worse_when_it_falls() {
    let thr = |v: f64, samples: &[f64]| Measurement {
        lower_is_better: false,
        ..Measurement::sampled(
            "t",
            "throughput_bytes_per_s",
            Unit::BytesPerSecond,
            v,
            samples.to_vec(),
        )
    };
    let base = baseline(BASE_SHA, vec![thr(1e8, &scaled(&NOISE, 1e5))]);
    let faster = baseline(HEAD_SHA, vec![thr(1.2e8, &scaled(&NOISE, 1.2e5))]);
    let c = compare_default(&base, &faster);
    let s = series(&c, "t", "throughput_bytes_per_s");
    assert_eq!(s.verdict, Verdict::Improved, "{s:?}");
    assert!(
        s.change.expect("a shift") < -0.19,
        "a rise is negative: {s:?}"
    );
    let (l, u) = s.interval.expect("an interval");
    assert!(l <= u && u < 0.0, "{l} {u}");

    let slower = baseline(HEAD_SHA, vec![thr(0.8e8, &scaled(&NOISE, 0.8e5))]);
    let c = compare_default(&base, &slower);
    let s = series(&c, "t", "throughput_bytes_per_s");
    assert_eq!(s.verdict, Verdict::Regressed, "{s:?}");
    assert!(
        s.change.expect("a shift") > 0.19,
        "a fall is positive: {s:?}"
    );
    // The stored-value rule agrees on the sign.
    let point = |v| Measurement {
        lower_is_better: false,
        ..Measurement::exact("t", "throughput_x", Unit::PerSecond, v)
    };
    let c = compare_default(
        &baseline(BASE_SHA, vec![point(100.0)]),
        &baseline(HEAD_SHA, vec![point(80.0)]),
    );
    assert_eq!(series(&c, "t", "throughput_x").change, Some(0.2));
}

#[test]
fn throughput_samples_come_from_wall_time() {
    let thr = |v: f64| Measurement {
        lower_is_better: false,
        ..Measurement::exact("t", "throughput_bytes_per_s", Unit::BytesPerSecond, v)
    };
    let w = wall("t", &NOISE);
    // 1000 bytes per iteration: throughput = 1000 / (wall / 1e9).
    let base = baseline(BASE_SHA, vec![thr(1000.0 * 1e9 / w.value), w.clone()]);
    let w2 = wall("t", &scaled(&NOISE, 1.25));
    let head = baseline(HEAD_SHA, vec![thr(1000.0 * 1e9 / w2.value), w2]);
    let c = compare_default(&base, &head);
    let s = series(&c, "t", "throughput_bytes_per_s");
    assert_eq!(s.verdict, Verdict::Regressed, "{s:?}");
    assert!(s.reason.contains("n = 10/10"), "{}", s.reason);
    assert!(
        (s.change.expect("a shift") - 0.2).abs() < 1e-9,
        "1 − 1/1.25: {s:?}"
    );
}

#[test]
fn few_samples_make_a_noisy_series_advisory() {
    let base = baseline(BASE_SHA, vec![wall("w", &NOISE[..4])]);
    let head = baseline(HEAD_SHA, vec![wall("w", &scaled(&NOISE[..4], 1.3))]);
    let c = compare_default(&base, &head);
    let s = series(&c, "w", "wall_time_ns");
    assert_eq!((s.verdict, s.advisory), (Verdict::Regressed, true));
    assert_eq!(s.p_value, None);
    assert!(s.reason.contains("4/4 samples"), "{}", s.reason);
    assert!(!c.failed());
}

/// Ten samples a side, +15% apart, with overlapping tails: 22 of the 100 pairs are
/// inverted, so the exact two-sided p is 0.0355 (between α/2 and α).
fn borderline() -> (Vec<f64>, Vec<f64>) {
    let mut base: Vec<f64> = (0..8).map(|i| 1000.0 + f64::from(i)).collect();
    base.extend([1152.5, 1300.0]);
    let mut head = vec![900.0];
    head.extend((0..9).map(|i| 1150.0 + f64::from(i)));
    (base, head)
}

#[test]
fn benjamini_hochberg_can_turn_a_borderline_p() {
    let (b, h) = borderline();
    let alone = compare_default(
        &baseline(BASE_SHA, vec![wall("edge", &b)]),
        &baseline(HEAD_SHA, vec![wall("edge", &h)]),
    );
    let s = series(&alone, "edge", "wall_time_ns");
    let p = s.p_value.expect("tested");
    assert!((p - 0.035_462_989).abs() < 1e-6, "{p}");
    assert_eq!(s.q_value, Some(p), "a family of one");
    // With one more series of p = 1, q = 2p > α.
    let with = compare_default(
        &baseline(BASE_SHA, vec![wall("edge", &b), wall("flat", &NOISE)]),
        &baseline(HEAD_SHA, vec![wall("edge", &h), wall("flat", &NOISE)]),
    );
    let s2 = series(&with, "edge", "wall_time_ns");
    assert_eq!(s2.p_value, Some(p));
    assert!((s2.q_value.expect("q") - 2.0 * p).abs() < 1e-12);
    assert_eq!(s.verdict, Verdict::Regressed, "{s:?}");
    assert_eq!(s2.verdict, Verdict::WithinNoise, "{s2:?}");
    assert!(s2.reason.contains("not significant"), "{}", s2.reason);
}

#[test]
fn acknowledged_regressions_stay_regressed_but_pass() {
    let base = baseline(
        BASE_SHA,
        vec![instr("iai::parse::big", 100.0), instr("other", 100.0)],
    );
    let head = baseline(
        HEAD_SHA,
        vec![instr("iai::parse::big", 150.0), instr("other", 100.0)],
    );
    let ack = Rule {
        bench: "iai::parse::*".into(),
        metric: Some("instructions".into()),
        profile: None,
        reason: "a bigger grammar".into(),
        until: Some("abc1234".into()),
        expired: false,
    };
    let rules = GateRules {
        acknowledge: vec![ack.clone()],
        ..GateRules::default()
    };
    let c = compare(&base, &head, &History::default(), &rules).expect("compared");
    let s = series(&c, "iai::parse::big", "instructions");
    assert_eq!(s.verdict, Verdict::Regressed);
    assert_eq!(s.acknowledged.as_deref(), Some("a bigger grammar"));
    assert!(
        s.reason
            .ends_with("; acknowledged: a bigger grammar (until abc1234)"),
        "{}",
        s.reason
    );
    assert_eq!(series(&c, "other", "instructions").acknowledged, None);
    assert!(!c.failed());
    assert_eq!(c.count(Verdict::Regressed), 1);
    assert_eq!(c.regressions().count(), 0);

    let rules = GateRules {
        acknowledge: vec![Rule {
            expired: true,
            ..ack
        }],
        ..GateRules::default()
    };
    let c = compare(&base, &head, &History::default(), &rules).expect("compared");
    let s = series(&c, "iai::parse::big", "instructions");
    assert_eq!(s.acknowledged, None);
    assert!(
        s.reason
            .ends_with("; acknowledgement expired (until abc1234): a bigger grammar"),
        "{}",
        s.reason
    );
    assert!(c.failed());
}

#[test]
fn ignored_series_leave_the_gate() {
    let base = baseline(BASE_SHA, vec![instr("rival/x", 100.0)]);
    let head = baseline(HEAD_SHA, vec![instr("rival/x", 150.0)]);
    let rules = GateRules {
        ignore: vec![Rule {
            bench: "rival/*".into(),
            metric: None,
            profile: Some("rel*".into()),
            reason: "a rival, shown for reference".into(),
            until: None,
            expired: false,
        }],
        ..GateRules::default()
    };
    let c = compare(&base, &head, &History::default(), &rules).expect("compared");
    let s = series(&c, "rival/x", "instructions");
    assert_eq!(s.verdict, Verdict::Regressed);
    assert!(s.ignored);
    assert!(
        s.reason
            .ends_with("; ignored: a rival, shown for reference"),
        "{}",
        s.reason
    );
    assert!(!c.failed());
}

#[test]
fn budgets_check_the_head() {
    let base = baseline(BASE_SHA, vec![instr("a", 100.0)]);
    let head = baseline(HEAD_SHA, vec![instr("a", 100.0), instr("b", 300.0)]);
    let budget = |bench: &str, profile: Option<&str>, max| Budget {
        bench: bench.into(),
        metric: "instructions".into(),
        profile: profile.map(str::to_string),
        max,
    };
    let rules = GateRules {
        budgets: vec![
            budget("a", None, 100.0),
            budget("b", Some("release"), 200.0),
            budget("renamed", None, 1.0),
            budget("a", Some("pgo"), 1.0),
        ],
        ..GateRules::default()
    };
    let c = compare(&base, &head, &History::default(), &rules).expect("compared");
    let summary: Vec<(&str, &str, Option<f64>, bool)> = c
        .budgets
        .iter()
        .map(|b| (b.bench.as_str(), b.profile.as_str(), b.value, b.ok))
        .collect();
    assert_eq!(
        summary,
        [
            ("a", "release", Some(100.0), true),
            ("b", "release", Some(300.0), false),
            ("renamed", "*", None, false),
            ("a", "pgo", None, false),
        ]
    );
    assert!(c.failed());
    assert_eq!(c.regressions().count(), 0, "a budget is not a regression");
    let rules = GateRules {
        budgets: vec![budget("a", None, 100.0)],
        ..GateRules::default()
    };
    assert!(
        !compare(&base, &head, &History::default(), &rules)
            .expect("compared")
            .failed()
    );
}

#[test]
fn the_same_input_gives_the_same_comparison() {
    let base = baseline(
        BASE_SHA,
        vec![wall("a", &NOISE), wall("b", &NOISE), instr("i", 1000.0)],
    );
    let head = baseline(
        HEAD_SHA,
        vec![
            wall("a", &scaled(&NOISE, 1.03)),
            wall("b", &scaled(&NOISE, 1.15)),
            instr("i", 1003.0),
        ],
    );
    let one = compare_default(&base, &head);
    let two = compare_default(&base, &head);
    assert_eq!(one, two);
    assert_eq!(
        serde_json::to_string(&one).expect("json"),
        serde_json::to_string(&two).expect("json")
    );
    // Another head sha reseeds the bootstrap but changes neither the shift nor p.
    let mut other = head.clone();
    other.commit.sha = "3".repeat(40);
    let three = compare_default(&base, &other);
    assert_eq!(
        series(&one, "a", "wall_time_ns").change,
        series(&three, "a", "wall_time_ns").change
    );
}

#[test]
fn a_new_profile_is_new_everywhere() {
    let base = baseline(BASE_SHA, vec![instr("a", 1.0)]);
    let mut head = baseline(HEAD_SHA, vec![instr("a", 1.0)]);
    let run = head.profiles["release"].clone();
    head.profiles.insert("pgo".into(), run);
    let c = compare_default(&base, &head);
    let s = c
        .series
        .iter()
        .find(|s| s.key.profile == "pgo")
        .expect("a pgo series");
    assert_eq!(s.verdict, Verdict::New);
    assert_eq!(s.reason, "profile `pgo` not in base");
}

#[test]
fn glob_matching() {
    for (pattern, text, want) in [
        ("parse/*", "parse/large/config-core", true),
        ("parse/*/toml", "parse/large/toml", true),
        ("parse/*/toml", "parse/large/toml-edit", false),
        ("*", "", true),
        ("", "", true),
        ("", "x", false),
        ("a*b*c", "axxbyyc", true),
        ("a*b*c", "axxbyy", false),
        ("*::medium", "iai::parse::config_core.medium", false),
        ("*.medium", "iai::parse::config_core.medium", true),
        ("exact", "exact", true),
        ("exact", "exactly", false),
    ] {
        assert_eq!(glob_match(pattern, text), want, "{pattern} ~ {text}");
    }
}

#[test]
fn percentages_in_reasons() {
    assert_eq!(pct(0.12), "+12.0%");
    assert_eq!(pct(-0.11), "-11.0%");
    assert_eq!(pct(0.005), "+0.50%");
    assert_eq!(pct(0.00004), "+0.004%");
    assert_eq!(pct(0.0), "0%");
    assert_eq!(plain_pct(0.1), "10%");
    assert_eq!(plain_pct(0.002), "0.2%");
    assert_eq!(plain_pct(0.0001), "0.01%");
    assert_eq!(number(0.0004), "4.0e-4");
    assert_eq!(number(0.31), "0.31");
    assert_eq!(number(1.0), "1");
}

#[test]
fn unused_interval_of_the_tool_is_not_the_verdicts() {
    // The tool's own interval is kept in the baseline; the verdict's interval is the
    // bootstrap's, in the worse-positive direction.
    let mut m = wall("w", &NOISE);
    m.interval = Some(Interval {
        lower: 1.0,
        upper: 2.0,
        confidence: 0.95,
    });
    let c = compare_default(
        &baseline(BASE_SHA, vec![m.clone()]),
        &baseline(HEAD_SHA, vec![m]),
    );
    let (l, u) = series(&c, "w", "wall_time_ns")
        .interval
        .expect("an interval");
    assert!(l <= 0.0 && u >= 0.0, "{l} {u}");
}

#[test]
fn history_keeps_the_base_class_only() {
    let base = baseline(BASE_SHA, vec![instr("x", 100.0)]);
    let same = baseline(HEAD_SHA, vec![instr("x", 90.0)]);
    let mut other_cpu = baseline(HEAD_SHA, vec![instr("x", 50.0)]);
    other_cpu.fingerprint.cpu_model = "Intel Xeon".into();
    let mut other_target = baseline(HEAD_SHA, vec![instr("x", 70.0)]);
    other_target.target = "other".into();
    let history = History::of(&base, &[same, other_cpu, other_target, base.clone()]);
    let key = SeriesKey {
        profile: "release".into(),
        bench: "x".into(),
        metric: Metric::Instructions,
    };
    assert_eq!(history.values.get(&key), Some(&vec![90.0, 100.0]));
}

#[test]
fn each_verdict_names_the_rule_that_decided_it() {
    let base = baseline(
        BASE_SHA,
        vec![
            instr("up", 1_000_000.0),
            instr("jitter", 1_000_000.0),
            instr("small", 100.0),
            instr("gone", 1000.0),
            instr("hashed", 1000.0).with_artifact(Some("a".repeat(64))),
            Measurement::exact("startup/x", "startup_p99_ns", Unit::Nanoseconds, 1e6),
            Measurement::sampled("build/x", "build_wall_s", Unit::Seconds, 4.0, vec![4.0]),
            wall("flat", &NOISE),
        ],
    );
    let head = baseline(
        HEAD_SHA,
        vec![
            instr("up", 1_200_000.0),
            instr("jitter", 1_000_040.0),
            instr("small", 105.0),
            instr("fresh", 1000.0),
            instr("hashed", 1000.0).with_artifact(Some("a".repeat(64))),
            Measurement::exact("startup/x", "startup_p99_ns", Unit::Nanoseconds, 1.5e6),
            Measurement::sampled("build/x", "build_wall_s", Unit::Seconds, 4.1, vec![4.1]),
            wall("flat", &NOISE),
        ],
    );
    let c = compare_default(&base, &head);
    let code = |bench: &str, metric: &str| {
        let s = series(&c, bench, metric);
        (s.reason_code, s.advisory_code)
    };
    assert_eq!(code("up", "instructions"), (ReasonCode::Gate, None));
    assert_eq!(
        code("jitter", "instructions"),
        (ReasonCode::Tolerance, None)
    );
    assert_eq!(code("small", "instructions"), (ReasonCode::Floor, None));
    assert_eq!(
        code("fresh", "instructions"),
        (ReasonCode::OnlyInHead, None)
    );
    assert_eq!(code("gone", "instructions"), (ReasonCode::OnlyInBase, None));
    assert_eq!(
        code("hashed", "instructions"),
        (ReasonCode::IdenticalArtifact, None)
    );
    assert_eq!(
        code("startup/x", "startup_p99_ns"),
        (ReasonCode::Gate, Some(AdvisoryCode::Informational))
    );
    assert_eq!(
        code("build/x", "build_wall_s"),
        (ReasonCode::TooFewSamples, Some(AdvisoryCode::Untested))
    );
    assert_eq!(
        code("flat", "wall_time_ns"),
        (ReasonCode::NotSignificant, None)
    );
    let json = serde_json::to_value(series(&c, "small", "instructions")).expect("JSON");
    assert_eq!(json["reason_code"], "floor");
    assert!(json.get("advisory_code").is_none(), "{json}");
}
