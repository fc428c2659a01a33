//! The pages of the report site, as data: the overview (scorecard, latest verdicts, a
//! sparkline per series), one page per bench (a trend chart per metric, a line per profile,
//! change points), the profile matrix, and a compare page. Pure: nothing here touches files.

use crate::report::chart::ChartError;
use std::collections::BTreeMap;

use crate::gate::{BudgetResult, Comparison, MetricClass, SeriesVerdict, Verdict, pct};
use crate::git::short;
use crate::metric::Metric;
use crate::render::gate as gate_render;
use crate::store::Baseline;

use super::chart::{self, BarRow, Line, TrendChart};
use super::html::{bench_file, escape, figure, num, page, table};
use super::trend::{Trend, Trends};

/// A page of the site: its path relative to the site root and its HTML.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// `index.html`, `matrix.html`, `compare.html` or `bench/<file>.html`.
    pub path: String,
    /// The whole document.
    pub html: String,
}

/// What the site is made of.
pub struct Inputs<'a> {
    /// The trends over the history shown.
    pub trends: &'a Trends,
    /// The newest baseline shown (the profile matrix and the budgets are of it).
    pub latest: Option<&'a Baseline>,
    /// The newest baseline compared with the one before it.
    pub verdicts: Option<&'a Comparison>,
    /// The budgets of perfgate.toml, checked on the newest baseline.
    pub budgets: &'a [BudgetResult],
    /// A comparison to render as `compare.html` (`--compare A B`).
    pub compare: Option<&'a Comparison>,
    /// Stored baselines of the target that are not on the history shown (other branches).
    pub off_history: usize,
}

/// Renders every page. Errors only if a chart cannot be drawn.
pub fn render(inputs: &Inputs<'_>) -> Result<Vec<Page>, ChartError> {
    let target = inputs.trends.target.as_str();
    let mut pages = vec![Page {
        path: "index.html".into(),
        html: index(inputs)?,
    }];
    pages.push(Page {
        path: "matrix.html".into(),
        html: super::matrix::matrix(target, inputs.latest)?,
    });
    let commits = CommitTexts::of(inputs.trends);
    for (bench, trends) in inputs.trends.benches() {
        pages.push(Page {
            path: format!("bench/{}", bench_file(bench)),
            html: bench_page(inputs.trends, &commits, bench, &trends)?,
        });
    }
    if let Some(c) = inputs.compare {
        pages.push(Page {
            path: "compare.html".into(),
            html: compare_page(c, &[], 0)?,
        });
    }
    Ok(pages)
}

/// The x label and hover text of every commit, made once for all the bench pages.
struct CommitTexts {
    labels: Vec<String>,
    hover: Vec<String>,
}

impl CommitTexts {
    fn of(trends: &Trends) -> CommitTexts {
        CommitTexts {
            labels: trends
                .commits
                .iter()
                .map(|c| short(&c.sha).to_string())
                .collect(),
            hover: trends
                .commits
                .iter()
                .map(|c| format!("{} {}", short(&c.sha), c.subject))
                .collect(),
        }
    }
}

fn index(inputs: &Inputs<'_>) -> Result<String, ChartError> {
    let trends = inputs.trends;
    let mut body = String::new();
    match (trends.commits.first(), trends.commits.last()) {
        (Some(first), Some(last)) => body.push_str(&format!(
            "<p>{} with a baseline on the first-parent history, from <code>{}</code> to <code>{}</code> ({}). {} series.{}{}</p>\n",
            match trends.commits.len() {
                1 => "1 commit".to_string(),
                n => format!("{n} commits"),
            },
            short(&first.sha),
            short(&last.sha),
            escape(&last.subject),
            trends.series.len(),
            if trends.boundaries.is_empty() {
                String::new()
            } else {
                format!(
                    " The environment changed {} time(s); charts mark it with a grey line.",
                    trends.boundaries.len()
                )
            },
            if inputs.off_history > 0 {
                format!(
                    " {} stored baseline(s) of other branches are not shown.",
                    inputs.off_history
                )
            } else {
                String::new()
            }
        )),
        _ => body.push_str(
            "<p class=\"note\">No baselines on this history yet. Run <code>perfgate run</code> to store one, then <code>perfgate report</code> again.</p>\n",
        ),
    }
    if inputs.compare.is_some() {
        body.push_str("<p><a href=\"compare.html\">The requested comparison</a>.</p>\n");
    }

    body.push_str("<h2>Scorecard</h2>\n");
    if inputs.budgets.is_empty() {
        body.push_str(
            "<p class=\"note\">No budgets in perfgate.toml (<code>[[budget]]</code>).</p>\n",
        );
    } else {
        let rows: Vec<Vec<String>> = inputs
            .budgets
            .iter()
            .map(|b| {
                let value = match (b.value, b.unit) {
                    (Some(v), Some(u)) => u.format(v),
                    _ => "absent".to_string(),
                };
                let max = match b.unit {
                    Some(u) => u.format(b.max),
                    None => b.max.to_string(),
                };
                vec![
                    escape(&b.bench),
                    escape(&b.metric),
                    escape(&b.profile),
                    num(&value),
                    num(&format!("≤ {max}")),
                    if b.ok {
                        "<td class=\"pass\">pass</td>".to_string()
                    } else {
                        "<td class=\"fail\">fail</td>".to_string()
                    },
                ]
            })
            .collect();
        body.push_str(&table(
            &["bench", "metric", "profile", "value", "budget", "result"],
            &rows,
        ));
    }

    body.push_str("<h2>Latest verdicts</h2>\n");
    match inputs.verdicts {
        Some(c) => {
            body.push_str(&format!(
                "<p><code>{}</code> → <code>{}</code>: <strong>{}</strong></p>\n",
                short(&c.base.sha),
                short(&c.head.sha),
                escape(&gate_render::verdict_line(c))
            ));
            let worth: Vec<&SeriesVerdict> = c
                .series
                .iter()
                .filter(|s| !s.advisory)
                .filter(|s| {
                    !matches!(s.verdict, Verdict::Unchanged | Verdict::WithinNoise) || s.notable
                })
                .collect();
            let advisory = c.series.iter().filter(|s| s.advisory).count();
            // What regressed and improved leads; what many series share is said once, its
            // rows folded under it.
            let (machine, grouped) = gate_render::said_once_with_machine(c);
            let listed: Vec<&SeriesVerdict> = worth
                .iter()
                .copied()
                .filter(|s| !gate_render::said_above(s, &machine, &grouped))
                .collect();
            if worth.is_empty() {
                body.push_str(
                    "<p class=\"note\">Every gated series unchanged or within noise.</p>\n",
                );
            } else if !listed.is_empty() {
                body.push_str(&verdict_table(&listed[..listed.len().min(40)], 0));
                if listed.len() > 40 {
                    body.push_str(&format!(
                        "<p class=\"note\">{} more not listed.</p>\n",
                        listed.len() - 40
                    ));
                }
            }
            if let Some(m) = &machine {
                body.push_str(&format!("<p class=\"note\">{}</p>\n", escape(&m.text())));
            }
            for (verdict, reason, n) in &grouped {
                let rows: Vec<&SeriesVerdict> = worth
                    .iter()
                    .copied()
                    .filter(|s| s.verdict == *verdict && s.reason == *reason)
                    .collect();
                if !rows.is_empty() {
                    body.push_str(&folded(
                        &format!("{n} series {}: {reason}", verdict.name()),
                        &rows,
                    ));
                }
            }
            body.push_str(&format!(
                "<p class=\"note\">{advisory} advisory series (cache events, informational metrics, too few samples) are not listed here; <code>perfgate compare {} {}</code> shows every series.</p>\n",
                short(&c.base.sha),
                short(&c.head.sha)
            ));
        }
        None => {
            body.push_str("<p class=\"note\">Verdicts need two baselines on this history.</p>\n")
        }
    }

    body.push_str("<h2>Series</h2>\n");
    let rows: Vec<Vec<String>> = trends
        .series
        .values()
        .filter(|t| !t.key.metric.is_callgrind_event())
        .map(|t| {
            let values: Vec<f64> = t.points.iter().map(|p| p.value).collect();
            let latest = t.points.last().map(|p| t.unit.format(p.value));
            let change = match (t.points.first(), t.points.last()) {
                (Some(a), Some(b)) if t.points.len() > 1 => {
                    crate::metric::relative_change(b.value, a.value, t.lower_is_better)
                        .map(pct)
                        .unwrap_or_default()
                }
                _ => String::new(),
            };
            vec![
                format!(
                    "<a href=\"bench/{}\">{}</a>",
                    bench_file(&t.key.bench),
                    escape(&t.key.bench)
                ),
                escape(&t.key.profile),
                escape(t.key.metric.as_str()),
                chart::sparkline(&values),
                num(&latest.unwrap_or_default()),
                num(&change),
                num(&t.change_points.len().to_string()),
            ]
        })
        .collect();
    if rows.is_empty() {
        body.push_str("<p class=\"note\">No series.</p>\n");
    } else {
        body.push_str(
            "<p class=\"note\">Δ over history is first → latest, positive = worse. Change points are advisory (docs/report.md). Callgrind's cache events are on the bench pages only.</p>\n",
        );
        body.push_str(&table(
            &[
                "bench",
                "profile",
                "metric",
                "trend",
                "latest",
                "Δ over history",
                "change points",
            ],
            &rows,
        ));
    }
    if let Some(latest) = inputs.latest {
        let rows: Vec<Vec<String>> = crate::render::summary::step_rows(latest)
            .into_iter()
            .map(|row| row.iter().map(|cell| escape(cell)).collect())
            .collect();
        if !rows.is_empty() {
            body.push_str(&format!(
                "<h2>Where the time went</h2>\n<p class=\"note\">The run of <code>{}</code>, step by step; a step with a commit under <em>reused from</em> ran nothing: its executable and inputs were identical there.</p>\n",
                short(&latest.commit.sha)
            ));
            body.push_str(&table(&crate::render::summary::STEP_COLUMNS, &rows));
        }
    }
    Ok(page("Performance overview", &trends.target, 0, &body))
}

/// The metrics a bench page draws first; the others follow in name order.
const METRIC_ORDER: [Metric; 4] = [
    Metric::WallTime,
    Metric::Instructions,
    Metric::StartupWall,
    Metric::BinarySize,
];

fn bench_page(
    trends: &Trends,
    commits: &CommitTexts,
    bench: &str,
    series: &[&Trend],
) -> Result<String, ChartError> {
    let (labels, hover) = (&commits.labels[..], &commits.hover[..]);
    let mut by_metric: BTreeMap<&str, Vec<&Trend>> = BTreeMap::new();
    for t in series {
        by_metric.entry(t.key.metric.as_str()).or_default().push(t);
    }
    let mut metrics: Vec<&str> = by_metric.keys().copied().collect();
    metrics.sort_by_key(|m| {
        (
            METRIC_ORDER
                .iter()
                .position(|o| o == m)
                .unwrap_or(usize::MAX),
            m.to_string(),
        )
    });
    let mut body = String::new();
    let mut change_rows = Vec::new();
    for metric in metrics {
        let mut lines_of = by_metric[metric].clone();
        lines_of.sort_by_key(|t| crate::profile::rank(&t.key.profile));
        let unit = lines_of[0].unit;
        let noisy = lines_of[0].class == MetricClass::Noisy;
        let lines = lines_of
            .iter()
            .map(|t| Line {
                name: t.key.profile.as_str(),
                points: t.points.clone(),
            })
            .collect();
        let mut change_points: Vec<usize> = lines_of
            .iter()
            .flat_map(|t| t.change_points.iter().map(|c| c.index))
            .collect();
        change_points.sort_unstable();
        change_points.dedup();
        let svg = chart::trend(&TrendChart {
            title: &format!("{bench} · {metric}"),
            metric,
            unit,
            labels,
            hover,
            lines,
            change_points,
            boundaries: &trends.boundaries,
        })?;
        let caption = if noisy {
            "One line per profile; the shaded band is the 95% interval of the measurement. Red: change points; grey: environment changes. Hover a column for its commit."
        } else {
            "One line per profile. Red: change points; grey: environment changes. Hover a column for its commit."
        };
        if let Some(svg) = svg {
            body.push_str(&format!("<h2>{}</h2>\n", escape(metric)));
            body.push_str(&figure(&svg, caption));
        }
        for t in &lines_of {
            for cp in &t.change_points {
                let commit = &trends.commits[cp.index];
                change_rows.push(vec![
                    escape(&t.key.profile),
                    escape(metric),
                    format!(
                        "<code>{}</code> {}",
                        short(&commit.sha),
                        escape(&commit.subject)
                    ),
                    num(&format!(
                        "{} → {}",
                        t.unit.format(cp.before),
                        t.unit.format(cp.after)
                    )),
                    num(&pct(cp.shift)),
                    num(&format!("{:.1e}", cp.p)),
                ]);
            }
        }
    }
    body.push_str("<h2>Change points</h2>\n");
    if change_rows.is_empty() {
        body.push_str("<p class=\"note\">None detected.</p>\n");
    } else {
        body.push_str(&table(
            &[
                "profile",
                "metric",
                "first commit after",
                "mean before → after",
                "shift",
                "p",
            ],
            &change_rows,
        ));
    }
    Ok(page(bench, &trends.target, 1, &body))
}

/// A line said once for many series, their rows (at most 40) folded under it.
fn folded(line: &str, rows: &[&SeriesVerdict]) -> String {
    let more = rows.len().saturating_sub(40);
    format!(
        "<details class=\"said-once\"><summary>{}</summary>\n{}{}</details>\n",
        escape(line),
        verdict_table(&rows[..rows.len().min(40)], 0),
        if more > 0 {
            format!("<p class=\"note\">{more} more not listed.</p>\n")
        } else {
            String::new()
        }
    )
}

/// A table of verdicts, with links to the bench pages (`depth` folders below the root).
fn verdict_table(series: &[&SeriesVerdict], depth: usize) -> String {
    let up = "../".repeat(depth);
    let rows: Vec<Vec<String>> = series
        .iter()
        .map(|s| {
            let class = s.verdict.name();
            let verdict = gate_render::verdict_cell(s);
            let values = match (s.base, s.head) {
                (Some(b), Some(h)) => {
                    format!("{} → {}", s.unit.format(b), s.unit.format(h))
                }
                (None, Some(h)) => format!("→ {}", s.unit.format(h)),
                (Some(b), None) => format!("{} →", s.unit.format(b)),
                (None, None) => String::new(),
            };
            vec![
                format!("<td class=\"{class}\">{}</td>", escape(&verdict)),
                escape(&s.key.profile),
                format!(
                    "<a href=\"{up}bench/{}\">{}</a>",
                    bench_file(&s.key.bench),
                    escape(&s.key.bench)
                ),
                escape(s.key.metric.as_str()),
                num(&values),
                num(&s.change.map(pct).unwrap_or_default()),
                num(&s.mde.map(crate::gate::plain_pct).unwrap_or_default()),
                format!("<span class=\"muted\">{}</span>", escape(&s.reason)),
            ]
        })
        .collect();
    // The terminal's columns, and the MDE95 of each noisy series before the reason.
    let [verdict, profile, bench, metric, values, change, reason] = gate_render::VERDICT_COLUMNS;
    table(
        &[
            verdict, profile, bench, metric, values, change, "MDE95", reason,
        ],
        &rows,
    )
}

/// A regressed series' explanation: its functions that changed most, and its flamegraph.
fn explanation_section(e: &crate::explain::Explanation) -> String {
    let mut out = format!(
        "<h2>Why <code>{}</code> ({}) regressed</h2>\n<p>{} → {} instructions.",
        escape(&e.bench),
        escape(&e.profile),
        e.totals.0,
        e.totals.1
    );
    if let Some(svg) = &e.flamegraph {
        out.push_str(&format!(
            " <a href=\"{}\">Differential flamegraph</a> (red: more instructions).",
            escape(svg)
        ));
    }
    out.push_str("</p>\n<table>\n<tr><th>function</th><th>file:line</th><th>own, base</th><th>own, head</th><th>Δ own</th><th>inclusive, base</th><th>inclusive, head</th></tr>\n");
    for c in &e.changes {
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}:{}</td><td>{}</td><td>{}</td><td>{:+}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&c.name),
            escape(&c.file),
            c.line,
            c.exclusive.0,
            c.exclusive.1,
            c.exclusive.1 as i64 - c.exclusive.0 as i64,
            c.inclusive.0,
            c.inclusive.1
        ));
    }
    out.push_str("</table>\n");
    out
}

/// The compare page of a comparison: the verdict line, a chart of relative changes
/// (regressions first), the explanations of regressions (`compare --explain`), then every
/// series. `depth` as in [`page`].
pub fn compare_page(
    c: &Comparison,
    explanations: &[crate::explain::Explanation],
    depth: usize,
) -> Result<String, ChartError> {
    let mut body = format!(
        "<p><code>{}</code> ({}) → <code>{}</code> ({})</p>\n<p><strong>{}</strong></p>\n",
        short(&c.base.sha),
        escape(&c.base.subject),
        short(&c.head.sha),
        escape(&c.head.subject),
        escape(&gate_render::verdict_line(c))
    );
    let changed = gate_render::most_changed(c, 60);
    let rows: Vec<BarRow> = changed
        .iter()
        .take(60)
        .map(|s| BarRow {
            label: format!("{} · {} · {}", s.key.profile, s.key.bench, s.key.metric),
            bars: vec![(
                s.change.unwrap_or(0.0) * 100.0,
                match s.verdict {
                    Verdict::Regressed => chart::WORSE,
                    Verdict::Improved => chart::BETTER,
                    _ => chart::NEUTRAL,
                },
            )],
            whiskers: vec![s.interval.map(|(lo, hi)| (lo * 100.0, hi * 100.0))],
        })
        .collect();
    if let Some(svg) = chart::bars(
        "Relative change per series (positive = worse)",
        "Δ (%), positive = worse",
        &rows,
        &[
            ("regressed", chart::WORSE),
            ("improved", chart::BETTER),
            ("within noise", chart::NEUTRAL),
        ],
    )? {
        body.push_str(&figure(
            &svg,
            "Gated series that moved by 0.05% or more: regressions first, then by size of change; at most 60 (the table has every series).",
        ));
    }
    for e in explanations {
        body.push_str(&explanation_section(e));
    }
    let all: Vec<&SeriesVerdict> = c.series.iter().collect();
    body.push_str("<h2>Every series</h2>\n");
    body.push_str(&verdict_table(&all, depth));
    Ok(page(
        &format!("Compare {} → {}", short(&c.base.sha), short(&c.head.sha)),
        &c.target,
        depth,
        &body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Unit;
    use crate::render::gate::tests::{fixture, row};

    /// The overview of an empty history with `latest` and `verdicts`.
    fn overview(latest: Option<&Baseline>, verdicts: Option<&Comparison>) -> String {
        let trends = Trends {
            target: "config-core".into(),
            commits: Vec::new(),
            boundaries: Vec::new(),
            series: BTreeMap::new(),
        };
        index(&Inputs {
            trends: &trends,
            latest,
            verdicts,
            budgets: &[],
            compare: None,
            off_history: 0,
        })
        .expect("rendered")
    }

    #[test]
    fn the_overview_leads_with_what_moved_and_says_shared_reasons_once() {
        let mut c = fixture();
        for i in 0..5 {
            c.series.push(row(
                Verdict::Incomparable,
                &format!("parse/generated-{i}/config-core"),
                "wall_time_ns",
                Unit::Nanoseconds,
                (Some(1000.0), Some(1100.0)),
                "incomparable: the PGO training command changed",
            ));
        }
        let html = overview(None, Some(&c));
        let verdicts = &html[html.find("<h2>Latest verdicts</h2>").expect("the section")..];
        let regression = verdicts
            .find("parse/medium/config-core")
            .expect("the regression");
        let machine = verdicts
            .find("6 series incomparable: the base 5a3f0c9e7d1b was measured on another machine")
            .expect("the machine said once");
        let group = verdicts
            .find("<details class=\"said-once\"><summary>5 series incomparable: incomparable: the PGO training command changed</summary>")
            .expect("the shared reason said once, its rows folded");
        assert!(regression < machine && machine < group);
        // The rows said once are folded under their line, not listed before it.
        assert!(
            verdicts[..group]
                .find("parse/generated-0/config-core")
                .is_none()
        );
        assert!(verdicts[group..].contains("parse/generated-0/config-core"));
        assert!(
            !html.contains("Where the time went"),
            "no baseline, no steps"
        );
    }

    #[test]
    fn the_overview_shows_where_the_latest_runs_time_went() {
        let mut baseline: Baseline =
            serde_json::from_str(&crate::store::tests::documented_example()).expect("example");
        let lender = "c".repeat(40);
        let run = baseline.profiles.get_mut("release").expect("release");
        run.steps = vec![
            crate::store::Step {
                name: "build".into(),
                seconds: 12.25,
                key: None,
                reused_from: None,
            },
            crate::store::Step {
                name: "bench <parse>".into(),
                seconds: 0.5,
                key: Some("k".into()),
                reused_from: Some(lender.clone()),
            },
        ];
        let html = overview(Some(&baseline), None);
        let section = &html[html
            .find("<h2>Where the time went</h2>")
            .expect("the section")..];
        assert!(
            section.contains("<td>bench &lt;parse&gt;</td><td>0.5</td><td>cccccccccccc</td>"),
            "{section}"
        );
        assert!(
            section.contains("<td>build</td><td>12.2</td><td></td>"),
            "{section}"
        );
        assert!(section.contains("<td>total</td><td>12.8</td>"), "{section}");
    }
}
