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
use crate::fingerprint::short_hash;
use crate::gate::{Comparison, SeriesVerdict, Verdict, pct};
use crate::git::short;
use crate::render::markdown::{code, escape};

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
    let blind = c.series.iter().filter(|s| s.is_blind_pass()).count();
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
    let (machine, grouped) = said_once_with_machine(c);
    if let Some(m) = &machine {
        let _ = writeln!(out, "{}", m.text());
    }
    for (verdict, reason, n) in &grouped {
        let _ = writeln!(out, "{n} series {}: {reason}", verdict.name());
    }
    if machine.is_some() || !grouped.is_empty() {
        out.push('\n');
    }
    let mut lines = vec![VERDICT_COLUMNS.map(String::from).to_vec()];
    for s in c
        .series
        .iter()
        .filter(|s| !said_above(s, &machine, &grouped))
    {
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

/// The verdict line in bold after `prefix` (`### perfgate: ` for a comment), then the commits
/// and counts, as markdown paragraphs.
pub(crate) fn markdown_head(c: &Comparison, prefix: &str) -> String {
    let line = verdict_line(c);
    let (status, rest) = line.split_once(':').unwrap_or((line.as_str(), ""));
    format!(
        "{prefix}**{status}**:{}\n\n`{}`: base `{}` ({}) → head `{}` ({}). {}\n\n",
        escape(rest),
        code(&c.target),
        short(&c.base.sha),
        escape(&c.base.subject),
        short(&c.head.sha),
        escape(&c.head.subject),
        counts(c)
    )
}

/// Markdown for a job summary or PR comment: the verdict line, the commits and counts,
/// warnings, the regressions and improvements, the budgets, the environment differences, and
/// every series inside a `<details>` block.
pub fn markdown(c: &Comparison) -> String {
    let mut out = markdown_head(c, "");
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

    let (machine, grouped) = said_once_with_machine(c);
    if let Some(m) = &machine {
        let _ = writeln!(out, "> {}\n", m.markdown());
    }
    for (verdict, reason, n) in &grouped {
        let _ = writeln!(out, "> {n} series {}: {}\n", verdict.name(), escape(reason));
    }
    let rest: Vec<&SeriesVerdict> = c
        .series
        .iter()
        .filter(|s| !said_above(s, &machine, &grouped))
        .collect();
    let _ = writeln!(
        out,
        "<details><summary>All {} series{}</summary>\n",
        c.series.len(),
        if rest.len() == c.series.len() {
            String::new()
        } else {
            format!(" ({} said once above)", c.series.len() - rest.len())
        }
    );
    out.push_str(&markdown_rows(&rest));
    let _ = writeln!(out, "\n</details>");
    out
}

/// The CPU fields whose difference means the base was measured on another machine.
const MACHINE_FIELDS: [EnvField; 4] = [
    EnvField::CpuModel,
    EnvField::CpuVendor,
    EnvField::CpuFamilyModelStepping,
    EnvField::CpuFlags,
];

/// The base measured on another machine: its CPU differs, and `count` series are
/// incomparable for it. Said in one line, with the command that measures a comparable base
/// here, instead of a row per incomparable series; a fresh clone compared with a committed
/// baseline is always in this case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OtherMachine {
    count: usize,
    base: String,
    field: String,
    was: String,
    is: String,
}

impl OtherMachine {
    /// The line as plain text.
    pub(crate) fn text(&self) -> String {
        self.line(str::to_string, &format!("perfgate run --rev {}", self.base))
    }

    /// The line as markdown, the command as code.
    pub(crate) fn markdown(&self) -> String {
        self.line(escape, &format!("`perfgate run --rev {}`", self.base))
    }

    fn line(&self, text: fn(&str) -> String, command: &str) -> String {
        format!(
            "{} series incomparable: the base {} was measured on another machine ({} {} → {}); {command} measures a comparable base here",
            self.count,
            self.base,
            text(&self.field),
            text(&self.was),
            text(&self.is),
        )
    }
}

/// Whether the base of `c` was measured on another machine, with incomparable series for it.
pub(crate) fn other_machine(c: &Comparison) -> Option<OtherMachine> {
    let cpu = c
        .environment
        .iter()
        .find(|d| MACHINE_FIELDS.contains(&d.field))?;
    let count = c.count(Verdict::Incomparable);
    (count > 0).then(|| OtherMachine {
        count,
        base: short(&c.base.sha).to_string(),
        field: cpu.field.to_string(),
        was: short_hash(&cpu.base).to_string(),
        is: short_hash(&cpu.head).to_string(),
    })
}

/// The groups said once, and whether the incomparable series are said in the one line of
/// [`other_machine`] (then no incomparable series has a row of its own; groups of them still
/// say their reason once).
pub(crate) fn said_once_with_machine(
    c: &Comparison,
) -> (Option<OtherMachine>, Vec<(Verdict, String, usize)>) {
    (other_machine(c), said_once(c))
}

/// Whether series `s` is left out of a table: in one of `groups`, or incomparable when
/// [`other_machine`] said them all.
pub(crate) fn said_above(
    s: &SeriesVerdict,
    machine: &Option<OtherMachine>,
    groups: &[(Verdict, String, usize)],
) -> bool {
    in_groups(s, groups) || (machine.is_some() && s.verdict == Verdict::Incomparable)
}

/// How many series must share a reason for it to be said once instead of row by row.
pub(crate) const SAID_ONCE_MIN: usize = 3;

/// The groups of series said once rather than row by row: those that neither regressed nor
/// improved and share a verdict and a reason with at least [`SAID_ONCE_MIN`] − 1 others.
pub(crate) fn said_once(c: &Comparison) -> Vec<(Verdict, String, usize)> {
    repeated(c, SAID_ONCE_MIN)
        .into_iter()
        .filter(|(v, _, _)| matches!(v, Verdict::Incomparable | Verdict::Unchanged))
        .collect()
}

/// Whether series `s` is in one of `groups`.
pub(crate) fn in_groups(s: &SeriesVerdict, groups: &[(Verdict, String, usize)]) -> bool {
    groups
        .iter()
        .any(|(v, reason, _)| *v == s.verdict && *reason == s.reason)
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
pub(crate) fn counts(c: &Comparison) -> String {
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
    if incomparable > 0 && other_machine(c).is_none() {
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
    v.map(|v| s.unit.format(v))
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
        Some(unit) => unit.format(v),
        None => format!("{v}"),
    }
}

/// The header lines of a Markdown table of series ([`markdown_row`] gives its rows).
pub(crate) const MARKDOWN_HEADER: &str = "| Verdict | Profile | Bench | Metric | Base | Head | Δ | Reason |\n|---|---|---|---|---:|---:|---:|---|\n";

/// One row of a Markdown table of series, with its line break.
pub(crate) fn markdown_row(s: &SeriesVerdict) -> String {
    format!(
        "| {} | `{}` | `{}` | `{}` | {} | {} | {} | {} |\n",
        verdict_cell(s),
        code(&s.key.profile),
        code(&s.key.bench),
        code(s.key.metric.as_str()),
        value(s.base, s),
        value(s.head, s),
        change(s),
        escape(&s.reason)
    )
}

/// A Markdown table of series.
pub(crate) fn markdown_rows(rows: &[&SeriesVerdict]) -> String {
    let mut out = String::from(MARKDOWN_HEADER);
    for s in rows {
        out.push_str(&markdown_row(s));
    }
    out
}

/// Series that share a verdict and a reason, as (verdict, reason, how many), for each pair
/// that at least `min` series share, the largest first: said once, not once per row.
pub fn repeated(c: &Comparison, min: usize) -> Vec<(Verdict, String, usize)> {
    let mut groups: std::collections::BTreeMap<(usize, &str), usize> = Default::default();
    for s in &c.series {
        let rank = Verdict::ALL
            .iter()
            .position(|&v| v == s.verdict)
            .unwrap_or(0);
        *groups.entry((rank, s.reason.as_str())).or_default() += 1;
    }
    let mut out: Vec<(Verdict, String, usize)> = groups
        .into_iter()
        .filter(|&(_, n)| n >= min)
        .map(|((rank, reason), n)| (Verdict::ALL[rank], reason.to_string(), n))
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    out
}

#[cfg(test)]
pub(crate) mod tests;
