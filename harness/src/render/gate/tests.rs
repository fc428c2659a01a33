use super::*;
use crate::env_field::EnvDifference;
use crate::gate::{BudgetResult, ExitPolicy, MetricClass, Outcome, SeriesKey};
use crate::git::CommitInfo;
use crate::measure::Unit;

pub(crate) fn commit(sha: &str, subject: &str) -> CommitInfo {
    CommitInfo {
        sha: sha.into(),
        parents: Vec::new(),
        subject: subject.into(),
        time: 1_767_182_400,
        author: "Ada".into(),
    }
}

/// A series verdict with the fields every row needs; the rest is filled per case.
pub(crate) fn row(
    verdict: Verdict,
    bench: &str,
    metric: &str,
    unit: Unit,
    values: (Option<f64>, Option<f64>),
    reason: &str,
) -> SeriesVerdict {
    SeriesVerdict {
        key: SeriesKey {
            profile: "release".into(),
            bench: bench.into(),
            metric: metric.into(),
        },
        class: crate::gate::metric_class(&metric.into()),
        verdict,
        reason: reason.into(),
        reason_code: crate::gate::ReasonCode::default(),
        unit,
        base: values.0,
        head: values.1,
        change: match (verdict, values) {
            (Verdict::Unchanged | Verdict::Incomparable, _) => None,
            (_, (Some(b), Some(h))) if b != 0.0 => Some((h - b) / b),
            _ => None,
        },
        interval: None,
        p_value: None,
        q_value: None,
        fence: None,
        notable: false,
        advisory: false,
        advisory_code: None,
        acknowledged: None,
        ignored: false,
        mde: None,
        rounds: None,
    }
}

/// A comparison with one series of each kind, two budgets and two environment differences.
pub(crate) fn fixture() -> Comparison {
    let mut wall = row(
        Verdict::Regressed,
        "parse/medium/config-core",
        "wall_time_ns",
        Unit::Nanoseconds,
        (Some(20321.62), Some(23190.0)),
        "+14.1% > gate 10%, confident; CI [+11.2%, +17.0%], q = 4.0e-4, p = 1.0e-4, α 0.05, n = 10/10; fence 1% (default); 20.32 µs → 23.19 µs",
    );
    wall.change = Some(0.141);
    wall.interval = Some((0.112, 0.17));
    wall.p_value = Some(1e-4);
    wall.q_value = Some(4e-4);
    wall.fence = Some(0.01);
    wall.notable = true;
    let mut acked = row(
        Verdict::Regressed,
        "iai::parse::config_core.medium",
        "instructions",
        Unit::Instructions,
        (Some(1714186.0), Some(1921000.0)),
        "+12.1% > gate 10%; fence 0.2% (default); 1714186 → 1921000 instructions; acknowledged: a bigger grammar (until abc1234)",
    );
    acked.acknowledged = Some("a bigger grammar".into());
    acked.notable = true;
    let mut cycles = row(
        Verdict::Regressed,
        "iai::parse::config_core.medium",
        "callgrind_estimated_cycles",
        Unit::Events,
        (Some(2_500_000.0), Some(2_900_000.0)),
        "+16.0% > gate 10%; fence 0.2% (default); 2500000 → 2900000 events; shown, not gated (depends on the host's cache model)",
    );
    cycles.advisory = true;
    let improved = row(
        Verdict::Improved,
        "binary/toml-test-decoder",
        "binary_size_bytes",
        Unit::Bytes,
        (Some(636230.0), Some(566244.0)),
        "-11.0% < -gate 10%; fence 0.2% (default); 636230 → 566244 bytes",
    );
    let mut notable = row(
        Verdict::WithinNoise,
        "iai::parse::config_core.small",
        "instructions",
        Unit::Instructions,
        (Some(1_000_000.0), Some(1_005_000.0)),
        "+0.50%, notable (fence 0.2% (default)), below gate 10%; 1000000 → 1005000 instructions",
    );
    notable.notable = true;
    let quiet = row(
        Verdict::WithinNoise,
        "alloc/toml-test-decoder",
        "allocations_count",
        Unit::Count,
        (Some(37.0), Some(37.0)),
        "0% ≤ tolerance 0.01%; 37 → 37 count",
    );
    let unchanged = row(
        Verdict::Unchanged,
        "startup/toml-test-decoder",
        "startup_wall_ns",
        Unit::Nanoseconds,
        (Some(812_000.0), Some(845_000.0)),
        "target binary identical (sha256 81d4da6e…)",
    );
    let incomparable = row(
        Verdict::Incomparable,
        "build/config-core",
        "build_wall_s",
        Unit::Seconds,
        (Some(4.12), Some(3.9)),
        "incomparable: cpu_model AMD EPYC 9554 64-Core Processor → Intel Xeon Platinum 8375C",
    );
    let new = row(
        Verdict::New,
        "parse/huge/config-core",
        "wall_time_ns",
        Unit::Nanoseconds,
        (None, Some(1.2e6)),
        "not in base",
    );
    let missing = row(
        Verdict::Missing,
        "parse/large/config-core",
        "throughput_bytes_per_s",
        Unit::BytesPerSecond,
        (Some(1.1e9), None),
        "not in head (renamed? a rename is a migration)",
    );
    Comparison {
        base: commit(
            "5a3f0c9e7d1b2a4c6e8f0a1b3c5d7e9f1a3b5c7d",
            "scan: a 256-entry class table",
        ),
        head: commit(
            "7c1e5b2a9f04d3c8e6b1a0f2d4c6e8a0b2c4d6e8",
            "parse: look keys up by hash in tables over 12 keys",
        ),
        target: "config-core".into(),
        environment: vec![
            EnvDifference::new(
                EnvField::CpuModel,
                "AMD EPYC 9554 64-Core Processor",
                "Intel Xeon Platinum 8375C",
            ),
            EnvDifference::new(EnvField::Kernel, "6.1.0-41-amd64", "6.1.0-42-amd64"),
        ],
        series: vec![
            wall,
            acked,
            cycles,
            improved,
            notable,
            quiet,
            unchanged,
            incomparable,
            new,
            missing,
        ],
        budgets: vec![
            BudgetResult {
                bench: "parse/medium/config-core".into(),
                metric: "wall_time_ns".into(),
                profile: "release".into(),
                max: 25_000.0,
                value: Some(23190.0),
                unit: Some(Unit::Nanoseconds),
                ok: true,
            },
            BudgetResult {
                bench: "binary/toml-test-decoder".into(),
                metric: "binary_size_bytes".into(),
                profile: "release".into(),
                max: 512.0 * 1024.0,
                value: Some(566244.0),
                unit: Some(Unit::Bytes),
                ok: false,
            },
        ],
        policy: ExitPolicy::default(),
    }
}

#[test]
fn table_snapshot() {
    insta::assert_snapshot!(table(&fixture()));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(markdown(&fixture()));
}

#[test]
fn the_mermaid_chart_puts_regressions_first_and_quotes_safely() {
    let mut c = fixture();
    let chart = mermaid_changes(&c);
    assert!(chart.starts_with("```mermaid\nxychart-beta\n"), "{chart}");
    let axis = chart
        .lines()
        .find(|l| l.trim_start().starts_with("x-axis"))
        .expect("an x axis");
    assert!(axis.contains("\"1 "), "{axis}");
    let first = &c
        .series
        .iter()
        .find(|s| s.verdict == Verdict::Regressed && !s.advisory)
        .expect("a regression")
        .key
        .bench;
    assert!(
        axis.contains(&format!(
            "\"1 {}",
            first.chars().take(20).collect::<String>()
        )),
        "{axis}"
    );
    c.series[0].key.bench = "a\"]b".into();
    let chart = mermaid_changes(&c);
    assert!(!chart.contains("a\"]b"), "{chart}");
    c.series.retain(|s| s.change.is_none());
    assert_eq!(mermaid_changes(&c), "");
}

#[test]
fn verdict_lines() {
    let mut c = fixture();
    assert_eq!(
        verdict_line(&c),
        "FAIL: 1 regression over the gate, 1 budget exceeded"
    );
    c.budgets.clear();
    assert_eq!(verdict_line(&c), "FAIL: 1 regression over the gate");
    c.series[0].ignored = true;
    assert_eq!(
        verdict_line(&c),
        "PASS: no regression over the gate (regressed but passing: 1 acknowledged, 1 ignored, 1 advisory)"
    );
    c.series.retain(|s| s.verdict != Verdict::Regressed);
    assert_eq!(verdict_line(&c), "PASS: no regression over the gate");
    let within = c
        .series
        .iter_mut()
        .find(|s| s.verdict == Verdict::WithinNoise)
        .expect("a series within noise");
    within.advise(crate::gate::AdvisoryCode::LowPower);
    assert_eq!(
        verdict_line(&c),
        "PASS: no regression over the gate; advisory for 1 series: their samples could not have seen a regression of the gate's size (MDE95 > gate)"
    );
    c.series.retain(|s| !s.is_blind_pass());
    c.series.retain(|s| s.verdict != Verdict::Improved);
    assert!(table(&c).starts_with("PASS"));
    assert!(markdown(&c).starts_with("**PASS**:"));
    assert!(markdown(&c).contains("No gated series crossed the gate."));
}

#[test]
fn strict_and_fail_on_missing_change_the_verdict_line_and_outcome() {
    let mut c = fixture();
    c.budgets.clear();
    c.series.retain(|s| s.verdict != Verdict::Regressed);
    assert_eq!(c.outcome(), Outcome::Pass);
    c.policy.strict = true;
    assert_eq!(c.outcome(), Outcome::Incomparable);
    assert_eq!(
        verdict_line(&c),
        "INCOMPARABLE: no regression over the gate, but 1 series incomparable (--strict)"
    );
    c.policy.fail_on_missing = true;
    assert_eq!(c.outcome(), Outcome::Regression);
    assert_eq!(
        verdict_line(&c),
        "FAIL: 1 series missing from the head (--fail-on-missing)"
    );
    // An ignored missing series does not fail.
    for s in c
        .series
        .iter_mut()
        .filter(|s| s.verdict == Verdict::Missing)
    {
        s.ignored = true;
    }
    assert_eq!(c.outcome(), Outcome::Incomparable);
}

#[test]
fn json_carries_the_verdicts() {
    let c = fixture();
    let j = json(&c);
    assert_eq!(j["status"], "fail");
    assert_eq!(j["failed"], true);
    assert_eq!(j["regressions"], 1);
    assert_eq!(j["counts"]["regressed"], 3);
    assert_eq!(j["counts"]["within-noise"], 2);
    assert_eq!(j["base"]["sha"], "5a3f0c9e7d1b2a4c6e8f0a1b3c5d7e9f1a3b5c7d");
    assert_eq!(j["environment"][1]["field"], "kernel");
    let first = &j["series"][0];
    assert_eq!(first["key"]["bench"], "parse/medium/config-core");
    assert_eq!(first["verdict"], "regressed");
    assert_eq!(first["class"], "noisy");
    assert_eq!(first["notable"], true);
    assert_eq!(first["interval"], json!([0.112, 0.17]));
    assert_eq!(j["series"][1]["acknowledged"], "a bigger grammar");
    assert_eq!(j["budgets"][1]["ok"], false);
    assert_eq!(
        serde_json::to_string(&j).expect("json"),
        serde_json::to_string(&json(&c)).expect("json"),
        "deterministic"
    );
    assert_eq!(MetricClass::Noisy, c.series[0].class);
}

#[test]
fn markdown_escapes_what_it_must() {
    assert_eq!(escape("a|b <x> *y* _z_"), "a\\|b \\<x> \\*y\\* \\_z\\_");
    assert_eq!(code("a|b`c"), "a\\|b'c");
    assert_eq!(code("a\n| b"), "a \\| b");
    assert_eq!(escape("one\r\ntwo <script>"), "one  two \\<script>");
}
