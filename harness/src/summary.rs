//! The end-of-run summary of a baseline: a text table for people and a JSON value for
//! scripts. Pure: takes a baseline, returns text or data; never prints or touches a file.
//!
//! The table shows, for each bench and headline metric, the value under the first profile
//! (normally `release`) and every other profile's change against it, which is the measured
//! gain (or loss) of fat LTO, PGO and a consistent build.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::measure::{Measurement, Unit};
use crate::metric::Metric;
use crate::store::Baseline;

/// The metrics the table shows (every metric is in the baseline and the JSON).
const HEADLINE: [Metric; 7] = [
    Metric::WallTime,
    Metric::Instructions,
    Metric::BinarySize,
    Metric::StartupWall,
    Metric::AllocationsCount,
    Metric::BuildWall,
    Metric::BuildCpu,
];

/// `(bench, metric)` → profile name → measurement, for the headline metrics.
fn rows(baseline: &Baseline) -> BTreeMap<(String, Metric), BTreeMap<String, &Measurement>> {
    let mut rows: BTreeMap<(String, Metric), BTreeMap<String, &Measurement>> = BTreeMap::new();
    for (profile, run) in &baseline.profiles {
        for m in &run.measurements {
            if HEADLINE.contains(&m.metric) {
                rows.entry((m.bench.clone(), m.metric.clone()))
                    .or_default()
                    .insert(profile.clone(), m);
            }
        }
    }
    rows
}

/// A value with its unit, short: `1.23 ms`, `4.09 M instr`, `812 KiB`.
pub fn format_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Nanoseconds => {
            if value >= 1e9 {
                format!("{:.2} s", value / 1e9)
            } else if value >= 1e6 {
                format!("{:.2} ms", value / 1e6)
            } else if value >= 1e3 {
                format!("{:.2} µs", value / 1e3)
            } else {
                format!("{value:.1} ns")
            }
        }
        Unit::Seconds => format!("{value:.2} s"),
        Unit::Instructions | Unit::Events | Unit::Count => {
            if value >= 1e6 {
                format!("{:.3} M", value / 1e6)
            } else if value >= 1e3 {
                format!("{:.2} k", value / 1e3)
            } else {
                format!("{value:.0}")
            }
        }
        Unit::Bytes => {
            if value >= 1024.0 * 1024.0 {
                format!("{:.2} MiB", value / (1024.0 * 1024.0))
            } else if value >= 1024.0 {
                format!("{:.1} KiB", value / 1024.0)
            } else {
                format!("{value:.0} B")
            }
        }
        Unit::Ratio => format!("{value:.3}"),
        Unit::BytesPerSecond => format!("{:.1} MB/s", value / 1e6),
        Unit::PerSecond => format!("{value:.3e}/s"),
    }
}

/// The relative change of `value` against `reference`, signed so that positive is worse:
/// Δ = s·(value − reference)/reference with s = +1 when lower is better, −1 otherwise.
pub fn relative_change(value: f64, reference: f64, lower_is_better: bool) -> Option<f64> {
    if reference == 0.0 || !reference.is_finite() || !value.is_finite() {
        return None;
    }
    let s = if lower_is_better { 1.0 } else { -1.0 };
    Some(s * (value - reference) / reference)
}

/// The summary table: one row per bench and headline metric, one column per profile, the
/// first profile's value and the others' change against it ("+" is worse).
pub fn table(baseline: &Baseline) -> String {
    let profiles: Vec<&String> = baseline.profiles.keys().collect();
    let order = profile_order(&profiles);
    let mut header = vec!["bench".to_string(), "metric".to_string()];
    header.extend(order.iter().map(|p| p.to_string()));
    let mut lines = vec![header];
    for ((bench, metric), by_profile) in rows(baseline) {
        let mut line = vec![bench, metric.to_string()];
        let reference = order.first().and_then(|p| by_profile.get(*p));
        for (i, profile) in order.iter().enumerate() {
            let cell = match (by_profile.get(*profile), reference) {
                (None, _) => "—".to_string(),
                (Some(m), _) if i == 0 => format_value(m.value, m.unit),
                (Some(m), Some(r)) => match relative_change(m.value, r.value, m.lower_is_better) {
                    Some(d) => format!("{} ({:+.1}%)", format_value(m.value, m.unit), d * 100.0),
                    None => format_value(m.value, m.unit),
                },
                (Some(m), None) => format_value(m.value, m.unit),
            };
            line.push(cell);
        }
        lines.push(line);
    }
    columns(&lines)
}

/// Profiles in build order (release first), whatever order the map holds them in.
fn profile_order<'p>(profiles: &[&'p String]) -> Vec<&'p String> {
    let rank = |name: &str| {
        crate::profile::Profile::parse(name)
            .map(|p| p as usize)
            .unwrap_or(usize::MAX)
    };
    let mut order = profiles.to_vec();
    order.sort_by_key(|p| (rank(p), p.to_string()));
    order
}

/// Left-aligned columns separated by two spaces, trailing spaces trimmed (also the layout of
/// `compare`'s terminal table).
pub(crate) fn columns(lines: &[Vec<String>]) -> String {
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .filter_map(|l| l.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        let cells: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(c, s)| format!("{s:<width$}", width = widths[c]))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

/// The summary as JSON: the baseline's file, commit and mode, and per profile the headline
/// measurements with their change against the first profile.
pub fn json(baseline: &Baseline, path: &std::path::Path) -> serde_json::Value {
    let profiles: Vec<&String> = baseline.profiles.keys().collect();
    let order = profile_order(&profiles);
    let rows: Vec<serde_json::Value> = rows(baseline)
        .into_iter()
        .map(|((bench, metric), by_profile)| {
            let reference = order.first().and_then(|p| by_profile.get(*p));
            let values: serde_json::Map<String, serde_json::Value> = by_profile
                .iter()
                .map(|(profile, m)| {
                    let change = reference
                        .and_then(|r| relative_change(m.value, r.value, m.lower_is_better));
                    (
                        profile.clone(),
                        json!({ "value": m.value, "unit": m.unit, "change_vs_first": change }),
                    )
                })
                .collect();
            json!({ "bench": bench, "metric": metric, "profiles": values })
        })
        .collect();
    json!({
        "baseline": path.display().to_string(),
        "commit": baseline.commit.sha,
        "dirty": baseline.dirty,
        "mode": baseline.mode,
        "target": baseline.target,
        "profiles": order,
        "headline": rows,
    })
}
