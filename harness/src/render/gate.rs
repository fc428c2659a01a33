//! The renderings of a [`Comparison`]: a terminal table, Markdown for a GitHub job summary or
//! pull-request comment, and JSON for scripts.
//!
//! Pure: each function takes the comparison and returns text or data. It decides nothing (the
//! verdicts, `notable`, `advisory` and pass or fail all come from `compare`), never prints,
//! and puts no clock time in the output, so the same comparison always renders to the same
//! bytes. Every rendering starts with the verdict line, `FAIL: …` or `PASS…`.

use std::fmt::Write as _;

use serde_json::json;

use crate::env_field::{EnvField, Scope};
use crate::gate::{Comparison, SeriesVerdict, Verdict, pct};
use crate::git::short;
use crate::render::markdown::{code, escape};
use crate::render::units::{format_value, short_hash};

/// The columns of a verdict table, in the terminal and in the report.
pub const VERDICT_COLUMNS: [&str; 7] = [
    "verdict",
    "profile",
    "bench",
    "metric",
    "base → head",
    "Δ",
    "reason",
];

/// The first line: `FAIL: 2 regressions over the gate, 1 budget exceeded`, or `PASS: no
/// regression over the gate` with what passed only by an entry or as advisory.
pub fn verdict_line(c: &Comparison) -> String {
    let failing = c.regressions().count();
    let broken = c.budgets.iter().filter(|b| !b.ok).count();
    let missing = c.failing_missing();
    if c.failed() {
        let mut parts = Vec::new();
        if failing > 0 {
            parts.push(format!("{} over the gate", plural(failing, "regression")));
        }
        if broken > 0 {
            parts.push(format!("{} exceeded", plural(broken, "budget")));
        }
        if missing > 0 {
            parts.push(format!(
                "{missing} series missing from the head (--fail-on-missing)"
            ));
        }
        return format!("FAIL: {}", parts.join(", "));
    }
    let incomparable = c.count(Verdict::Incomparable);
    if c.policy.strict && incomparable > 0 {
        return format!(
            "INCOMPARABLE: no regression over the gate, but {incomparable} series incomparable (--strict)"
        );
    }
    let regressed = |f: fn(&SeriesVerdict) -> bool| {
        c.series
            .iter()
            .filter(|s| s.verdict == Verdict::Regressed && f(s))
            .count()
    };
    let mut passed = Vec::new();
    for (n, what) in [
        (regressed(|s| s.acknowledged.is_some()), "acknowledged"),
        (regressed(|s| s.ignored), "ignored"),
        (regressed(|s| s.advisory), "advisory"),
    ] {
        if n > 0 {
            passed.push(format!("{n} {what}"));
        }
    }
    let mut line = if passed.is_empty() {
        "PASS: no regression over the gate".to_string()
    } else {
        format!(
            "PASS: no regression over the gate (regressed but passing: {})",
            passed.join(", ")
        )
    };
    let blind = c.series.iter().filter(|s| s.low_power).count();
    if blind > 0 {
        line.push_str(&format!(
            "; advisory for {blind} series: their samples could not have seen a regression of the gate's size (MDE95 > gate)"
        ));
    }
    line
}

/// The terminal table: the verdict line, the commits, the counts, warnings, budgets, then one
/// row per series in order of severity.
pub fn table(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", verdict_line(c));
    let _ = writeln!(
        out,
        "{}: base {} ({}) → head {} ({})",
        c.target,
        short(&c.base.sha),
        c.base.subject,
        short(&c.head.sha),
        c.head.subject
    );
    let _ = writeln!(out, "{}", counts(c));
    for warning in warnings(c) {
        let _ = writeln!(out, "warning: {warning}");
    }
    for b in &c.budgets {
        let _ = writeln!(
            out,
            "budget {} {} {}: {} (max {})",
            b.bench,
            b.metric,
            b.profile,
            budget_status(b),
            budget_value(b.max, b.unit)
        );
    }
    out.push('\n');
    let mut lines = vec![VERDICT_COLUMNS.map(String::from).to_vec()];
    for s in &c.series {
        lines.push(vec![
            verdict_cell(s),
            s.key.profile.clone(),
            s.key.bench.clone(),
            s.key.metric.to_string(),
            format!("{} → {}", value(s.base, s), value(s.head, s)),
            change(s),
            s.reason.clone(),
        ]);
    }
    out.push_str(&crate::render::columns::columns(&lines));
    out
}

/// Markdown for a job summary or PR comment: the verdict line, the commits and counts,
/// warnings, the regressions and improvements, the budgets, the environment differences, and
/// every series inside a `<details>` block.
pub fn markdown(c: &Comparison) -> String {
    let mut out = String::new();
    let line = verdict_line(c);
    let (status, rest) = line.split_once(':').unwrap_or((line.as_str(), ""));
    let _ = writeln!(out, "**{status}**:{}\n", escape(rest));
    let _ = writeln!(
        out,
        "`{}`: base `{}` ({}) → head `{}` ({}). {}\n",
        code(&c.target),
        short(&c.base.sha),
        escape(&c.base.subject),
        short(&c.head.sha),
        escape(&c.head.subject),
        counts(c)
    );
    for warning in warnings(c) {
        let _ = writeln!(out, "> Warning: {}\n", escape(&warning));
    }

    let _ = writeln!(out, "### Regressions and improvements\n");
    let crossed: Vec<&SeriesVerdict> = c
        .series
        .iter()
        .filter(|s| matches!(s.verdict, Verdict::Regressed | Verdict::Improved))
        .collect();
    let (advisory, gated): (Vec<&SeriesVerdict>, Vec<&SeriesVerdict>) =
        crossed.into_iter().partition(|s| s.advisory);
    if gated.is_empty() {
        let _ = writeln!(out, "No gated series crossed the gate.\n");
    } else {
        out.push_str(&markdown_rows(&gated));
        out.push('\n');
    }
    if !advisory.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} advisory series crossed it too (shown, never failing)</summary>\n",
            advisory.len()
        );
        out.push_str(&markdown_rows(&advisory));
        let _ = writeln!(out, "\n</details>\n");
    }
    out.push_str(&mermaid_changes(c));

    if !c.budgets.is_empty() {
        let _ = writeln!(out, "### Budgets\n");
        let _ = writeln!(out, "| Status | Profile | Bench | Metric | Head | Max |");
        let _ = writeln!(out, "|---|---|---|---|---:|---:|");
        for b in &c.budgets {
            let head = b
                .value
                .map(|v| budget_value(v, b.unit))
                .unwrap_or_else(|| "—".to_string());
            let status = match (b.ok, b.value) {
                (true, _) => "ok",
                (false, Some(_)) => "exceeded",
                (false, None) => "absent from the head",
            };
            let _ = writeln!(
                out,
                "| {status} | `{}` | `{}` | `{}` | {} | {} |",
                code(&b.profile),
                code(&b.bench),
                code(&b.metric),
                head,
                budget_value(b.max, b.unit)
            );
        }
        out.push('\n');
    }

    if !c.environment.is_empty() {
        let _ = writeln!(out, "### Environment differences\n");
        let _ = writeln!(out, "| Field | Base | Head | Makes incomparable |");
        let _ = writeln!(out, "|---|---|---|---|");
        for d in &c.environment {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                code(&d.field.name()),
                escape(&d.base),
                escape(&d.head),
                env_scope(&d.field)
            );
        }
        out.push('\n');
    }

    let all: Vec<&SeriesVerdict> = c.series.iter().collect();
    let _ = writeln!(
        out,
        "<details><summary>All {} series</summary>\n",
        c.series.len()
    );
    out.push_str(&markdown_rows(&all));
    let _ = writeln!(out, "\n</details>");
    out
}

/// The comparison as JSON: `status` (`pass` or `fail`), `failed`, `target`, `base` and `head`
/// commits, `counts` per verdict, `regressions` (how many fail the gate), `environment`
/// (objects with `field`, `base`, `head`), `budgets` and `series` (every [`SeriesVerdict`]
/// field, changes as fractions).
pub fn json(c: &Comparison) -> serde_json::Value {
    let counts: serde_json::Map<String, serde_json::Value> = Verdict::ALL
        .iter()
        .map(|&v| (v.name().to_string(), json!(c.count(v))))
        .collect();
    let environment: Vec<serde_json::Value> = c
        .environment
        .iter()
        .map(|d| json!({ "field": d.field.name(), "base": d.base, "head": d.head }))
        .collect();
    json!({
        "status": if c.failed() { "fail" } else { "pass" },
        "failed": c.failed(),
        "summary": verdict_line(c),
        "target": c.target,
        "base": c.base,
        "head": c.head,
        "counts": counts,
        "regressions": c.regressions().count(),
        "environment": environment,
        "budgets": c.budgets,
        "series": c.series,
    })
}

// ---------------------------------------------------------------------------------------------

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The gated series that moved (not advisory, |Δ| ≥ 0.05%, not unchanged or incomparable),
/// regressions first, then by |Δ|, at most `limit`: what a chart of a comparison shows.
pub fn most_changed(c: &Comparison, limit: usize) -> Vec<&SeriesVerdict> {
    let mut moved: Vec<&SeriesVerdict> = c
        .series
        .iter()
        .filter(|s| !s.advisory && s.change.is_some_and(|d| d.abs() >= 5e-4))
        .filter(|s| !matches!(s.verdict, Verdict::Unchanged | Verdict::Incomparable))
        .collect();
    moved.sort_by(|a, b| {
        let key = |s: &SeriesVerdict| {
            (
                s.verdict != Verdict::Regressed,
                -s.change.unwrap_or(0.0).abs(),
            )
        };
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    moved.truncate(limit);
    moved
}

/// The most changed gated series ([`most_changed`], at most 12) as a Mermaid bar chart, which
/// GitHub draws in a job summary or comment; empty when nothing moved.
pub fn mermaid_changes(c: &Comparison) -> String {
    let moved = most_changed(c, 12);
    if moved.is_empty() {
        return String::new();
    }
    let labels: Vec<String> = moved
        .iter()
        .enumerate()
        .map(|(i, s)| {
            // Mermaid labels are quoted; a quote or bracket in a bench id would end them.
            let clean: String = format!("{} {} {}", i + 1, s.key.bench, s.key.metric)
                .chars()
                .map(|ch| {
                    if matches!(ch, '"' | '[' | ']' | '`') {
                        '\''
                    } else {
                        ch
                    }
                })
                .take(40)
                .collect();
            format!("\"{clean}\"")
        })
        .collect();
    let values: Vec<f64> = moved
        .iter()
        .map(|s| (s.change.unwrap_or(0.0) * 1000.0).round() / 10.0)
        .collect();
    let lo = values.iter().copied().fold(0.0_f64, f64::min).floor();
    let hi = values.iter().copied().fold(0.0_f64, f64::max).ceil();
    let numbers: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
    format!(
        "```mermaid\nxychart-beta\n    title \"Change per series (%), positive = worse\"\n    x-axis [{}]\n    y-axis \"change (%)\" {lo} --> {hi}\n    bar [{}]\n```\n\n",
        labels.join(", "),
        numbers.join(", ")
    )
}

/// `7 series: 2 regressed, 1 improved, ...`, the verdicts that occur, in order of severity.
fn counts(c: &Comparison) -> String {
    let parts: Vec<String> = Verdict::ALL
        .iter()
        .map(|&v| (v, c.count(v)))
        .filter(|&(_, n)| n > 0)
        .map(|(v, n)| format!("{n} {}", v.name()))
        .collect();
    if parts.is_empty() {
        "0 series".to_string()
    } else {
        format!("{} series: {}", c.series.len(), parts.join(", "))
    }
}

/// Incomparable series and environment differences, one line each.
fn warnings(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    let incomparable = c.count(Verdict::Incomparable);
    if incomparable > 0 {
        out.push(format!(
            "{incomparable} series incomparable: measured in different environments, not gated"
        ));
    }
    for d in &c.environment {
        out.push(format!(
            "environment differs: {} {} → {} ({})",
            d.field,
            short_hash(&d.base),
            short_hash(&d.head),
            env_scope(&d.field)
        ));
    }
    out
}

/// Which metrics a difference in `field` makes incomparable, in words.
fn env_scope(field: &EnvField) -> String {
    let metrics = match field.scope() {
        Scope::RecordedOnly => return "none: recorded only".to_string(),
        Scope::AllButAllocationsAndSize => {
            "instructions, callgrind, wall time, start-up, build time"
        }
        Scope::Callgrind => "instructions, callgrind",
        Scope::AllButSizeAndBuild => "instructions, callgrind, allocations, wall time, start-up",
        Scope::Every => "every metric",
        Scope::EveryOfProfile => "every metric of that profile",
    };
    format!("incomparable: {metrics}")
}

/// `regressed`, with what keeps it from counting: `regressed (acknowledged)`,
/// `within-noise (notable)`.
pub fn verdict_cell(s: &SeriesVerdict) -> String {
    let mut marks = Vec::new();
    if s.acknowledged.is_some() {
        marks.push("acknowledged");
    }
    if s.ignored {
        marks.push("ignored");
    }
    if s.advisory {
        marks.push("advisory");
    }
    if s.notable && s.verdict == Verdict::WithinNoise {
        marks.push("notable");
    }
    if marks.is_empty() {
        s.verdict.name().to_string()
    } else {
        format!("{} ({})", s.verdict.name(), marks.join(", "))
    }
}

fn value(v: Option<f64>, s: &SeriesVerdict) -> String {
    v.map(|v| format_value(v, s.unit))
        .unwrap_or_else(|| "—".to_string())
}

fn change(s: &SeriesVerdict) -> String {
    s.change.map(pct).unwrap_or_else(|| "—".to_string())
}

fn budget_status(b: &crate::gate::BudgetResult) -> String {
    match (b.ok, b.value) {
        (true, _) => "ok".to_string(),
        (false, Some(v)) => format!("exceeded, {}", budget_value(v, b.unit)),
        (false, None) => "absent from the head".to_string(),
    }
}

fn budget_value(v: f64, unit: Option<crate::measure::Unit>) -> String {
    match unit {
        Some(unit) => format_value(v, unit),
        None => format!("{v}"),
    }
}

/// A Markdown table of series.
fn markdown_rows(rows: &[&SeriesVerdict]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Verdict | Profile | Bench | Metric | Base | Head | Δ | Reason |"
    );
    let _ = writeln!(out, "|---|---|---|---|---:|---:|---:|---|");
    for s in rows {
        let _ = writeln!(
            out,
            "| {} | `{}` | `{}` | `{}` | {} | {} | {} | {} |",
            verdict_cell(s),
            code(&s.key.profile),
            code(&s.key.bench),
            code(s.key.metric.as_str()),
            value(s.base, s),
            value(s.head, s),
            change(s),
            escape(&s.reason)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env_field::EnvDifference;
    use crate::gate::{BudgetResult, ExitPolicy, MetricClass, Outcome, SeriesKey};
    use crate::git::CommitInfo;
    use crate::measure::Unit;

    fn commit(sha: &str, subject: &str) -> CommitInfo {
        CommitInfo {
            sha: sha.into(),
            parents: Vec::new(),
            subject: subject.into(),
            time: 1_767_182_400,
            author: "Ada".into(),
        }
    }

    /// A series verdict with the fields every row needs; the rest is filled per case.
    fn row(
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
            acknowledged: None,
            ignored: false,
            low_power: false,
        }
    }

    /// A comparison with one series of each kind, two budgets and two environment differences.
    fn fixture() -> Comparison {
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
        within.low_power = true;
        assert_eq!(
            verdict_line(&c),
            "PASS: no regression over the gate; advisory for 1 series: their samples could not have seen a regression of the gate's size (MDE95 > gate)"
        );
        c.series.retain(|s| !s.low_power);
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
}
