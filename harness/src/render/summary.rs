//! The end-of-run summary of a baseline: a text table for people and a JSON value for
//! scripts. Pure: takes a baseline, returns text or data; never prints or touches a file.
//!
//! The table shows, for each bench and headline metric, the value under the first profile
//! (normally `release`) and every other profile's change against it, which is the measured
//! gain (or loss) of fat LTO, PGO and a consistent build.

use std::collections::BTreeMap;

use serde_json::json;

use crate::measure::Measurement;
use crate::metric::{Metric, relative_change};
use crate::render::columns::columns;
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
                (Some(m), _) if i == 0 => m.unit.format(m.value),
                (Some(m), Some(r)) => match relative_change(m.value, r.value, m.lower_is_better) {
                    Some(d) => format!("{} ({:+.1}%)", m.unit.format(m.value), d * 100.0),
                    None => m.unit.format(m.value),
                },
                (Some(m), None) => m.unit.format(m.value),
            };
            line.push(cell);
        }
        lines.push(line);
    }
    columns(&lines)
}

/// The bench targets the run left out, one line each with why and the fix; empty when every
/// bench was measured. Printed after [`table`], so nothing is skipped in silence.
pub fn unmeasured(baseline: &Baseline) -> String {
    let mut out = String::new();
    if baseline.unmeasured.is_empty() {
        return out;
    }
    out.push_str(&format!(
        "not measured ({} bench target{}):\n",
        baseline.unmeasured.len(),
        if baseline.unmeasured.len() == 1 {
            ""
        } else {
            "s"
        }
    ));
    for u in &baseline.unmeasured {
        out.push_str(&format!("  `{}` {}; {}\n", u.bench, u.reason, u.fix));
    }
    out
}

/// The columns of [`step_rows`].
pub const STEP_COLUMNS: [&str; 4] = ["profile", "step", "seconds", "reused from"];

/// Where the run's time went: per profile, each step with its seconds, and the commit a
/// step took its measurements over from (`reused from`), then the profile's total and how
/// many of its measurements were reused. Empty for a baseline without steps.
pub fn steps(baseline: &Baseline) -> String {
    let rows = step_rows(baseline);
    if rows.is_empty() {
        return String::new();
    }
    let mut lines = vec![STEP_COLUMNS.iter().map(|c| c.to_string()).collect()];
    lines.extend(rows);
    format!("where the time went:\n{}", columns(&lines))
}

/// The rows of the steps table ([`STEP_COLUMNS`], plain text), as [`steps`] prints them and
/// the report's overview shows them; empty for a baseline without steps.
pub fn step_rows(baseline: &Baseline) -> Vec<Vec<String>> {
    let profiles: Vec<&String> = baseline.profiles.keys().collect();
    let mut lines = Vec::new();
    for profile in profile_order(&profiles) {
        let run = &baseline.profiles[profile];
        if run.steps.is_empty() {
            continue;
        }
        for step in &run.steps {
            lines.push(vec![
                profile.clone(),
                step.name.clone(),
                format!("{:.1}", step.seconds),
                step.reused_from
                    .as_deref()
                    .map_or_else(String::new, |sha| crate::git::short(sha).to_string()),
            ]);
        }
        let total: f64 = run.steps.iter().map(|s| s.seconds).sum();
        let reused = run
            .measurements
            .iter()
            .filter(|m| m.reused_from.is_some())
            .count();
        lines.push(vec![
            profile.clone(),
            match &run.shard {
                Some(shard) => format!("total (shard {shard})"),
                None => "total".to_string(),
            },
            format!("{total:.1}"),
            format!("{reused}/{} measurements", run.measurements.len()),
        ]);
    }
    lines
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
        "unmeasured": baseline.unmeasured,
        "steps": order
            .iter()
            .map(|p| (p.to_string(), json!(baseline.profiles[*p].steps)))
            .collect::<serde_json::Map<String, serde_json::Value>>(),
        "reused": baseline
            .profiles
            .values()
            .flat_map(|run| &run.measurements)
            .filter(|m| m.reused_from.is_some())
            .count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Step;

    fn example() -> Baseline {
        serde_json::from_str(&crate::store::tests::documented_example())
            .expect("the documented example is a baseline")
    }

    fn step(name: &str, seconds: f64, reused_from: Option<&str>) -> Step {
        Step {
            name: name.into(),
            seconds,
            key: Some("k".into()),
            reused_from: reused_from.map(str::to_string),
        }
    }

    #[test]
    fn the_steps_table_shows_each_steps_time_the_reused_ones_and_the_total() {
        let mut baseline = example();
        assert_eq!(steps(&baseline), "", "no steps recorded, no table");
        let sha = "c0ffee".repeat(6) + "beef";
        let run = baseline.profiles.get_mut("release").expect("release");
        run.steps = vec![
            step("build", 12.2, None),
            step("bench parse", 0.04, Some(&sha)),
        ];
        run.measurements[0].reused_from = Some(sha.clone());
        let total = run.measurements.len();
        let text = steps(&baseline);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "where the time went:");
        assert!(
            lines[2].starts_with("release")
                && lines[2].contains("build")
                && lines[2].contains("12.2"),
            "{text}"
        );
        assert!(
            lines[3].contains("bench parse") && lines[3].trim_end().ends_with("c0ffeec0ffee"),
            "{text}"
        );
        assert!(
            lines[4].contains("total")
                && lines[4].contains("12.2")
                && lines[4].contains(&format!("1/{total} measurements")),
            "{text}"
        );
        let json = json(&baseline, std::path::Path::new("b.json"));
        assert_eq!(json["reused"], 1);
        assert_eq!(json["steps"]["release"][1]["reused_from"], sha.as_str());
    }
}
