//! The profile matrix page: every bench and metric of the newest baseline under each
//! profile, the best highlighted, and the PGO and fat-LTO gains against release with their
//! 95% intervals: paired (signed-rank, from `perfgate run --profile-rounds`) where the
//! profiles were measured in paired rounds, else from the two profiles' samples. Pure.

use std::collections::BTreeMap;

use crate::git::short;
use crate::measure::Measurement;
use crate::metric::Metric;
use crate::stats::{signed_rank_interval, walsh_median};
use crate::store::{Baseline, PairedSeries};

use super::chart::{self, BarRow, ChartError};
use super::html::{escape, figure, num, page, table};

/// The metrics the profile matrix compares.
const MATRIX_METRICS: [Metric; 5] = [
    Metric::WallTime,
    Metric::Instructions,
    Metric::StartupWall,
    Metric::BinarySize,
    Metric::BuildWall,
];

pub(super) fn matrix(target: &str, latest: Option<&Baseline>) -> Result<String, ChartError> {
    let Some(latest) = latest else {
        return Ok(page(
            "Profile matrix",
            target,
            0,
            "<p class=\"note\">No baseline yet.</p>",
        ));
    };
    let mut profiles: Vec<&str> = latest.profiles.keys().map(String::as_str).collect();
    profiles.sort_by_key(|p| crate::profile::rank(p));
    // (bench, metric) → profile → measurement
    let mut rows: BTreeMap<(usize, &str, &str), BTreeMap<&str, &Measurement>> = BTreeMap::new();
    for (profile, run) in &latest.profiles {
        for m in &run.measurements {
            if let Some(rank) = MATRIX_METRICS.iter().position(|x| *x == m.metric) {
                if m.bench == "build/dependencies" {
                    continue;
                }
                rows.entry((rank, m.bench.as_str(), m.metric.as_str()))
                    .or_default()
                    .insert(profile.as_str(), m);
            }
        }
    }
    // A gain and its interval: the profile's paired rounds against release when it has them
    // for the series, else the two measurements (the interval from §6's seeded bootstrap of
    // the ratio of medians, where both have enough samples).
    let gain = |row: &BTreeMap<&str, &Measurement>, profile: &str| -> Option<Gain> {
        let base = row.get("release")?;
        let other = row.get(profile)?;
        let paired = latest.profiles.get(profile).and_then(|run| {
            run.paired.iter().find(|p| {
                p.against == "release" && p.bench == other.bench && p.metric == other.metric
            })
        });
        if let Some(gain) = paired.and_then(|p| paired_gain(p, other.lower_is_better)) {
            return Some(gain);
        }
        let value = crate::metric::relative_change(other.value, base.value, base.lower_is_better)
            .map(|d| -d)?;
        let enough = |m: &Measurement| m.samples.len() >= crate::gate::MIN_SAMPLES;
        let interval = if enough(base) && enough(other) {
            let seed = crate::stats::seed_from(
                format!(
                    "{}\0{}\0{profile}\0{}",
                    base.bench, base.metric, latest.commit.sha
                )
                .as_bytes(),
            );
            // A gain is better-positive: the other profile's worse-positive interval, negated.
            crate::gate::worse_interval(&base.samples, &other.samples, other.lower_is_better, seed)
                .map(|(lo, hi)| (-hi, -lo))
        } else {
            None
        };
        Some(Gain {
            value,
            interval,
            rounds: None,
        })
    };
    let mut header: Vec<&str> = vec!["bench", "metric"];
    header.extend(profiles.iter().copied());
    header.extend(["best", "PGO gain", "LTO gain"]);
    let mut table_rows = Vec::new();
    let mut bar_rows = Vec::new();
    for ((_, bench, metric), row) in &rows {
        let best = row
            .iter()
            .min_by(|a, b| {
                let key = |m: &Measurement| if m.lower_is_better { m.value } else { -m.value };
                key(a.1).total_cmp(&key(b.1))
            })
            .map(|(p, _)| *p);
        let mut cells = vec![escape(bench), escape(metric)];
        for p in &profiles {
            let text = row
                .get(p)
                .map(|m| m.unit.format(m.value))
                .unwrap_or_else(|| "–".into());
            if Some(*p) == best && row.len() > 1 {
                cells.push(format!("<td class=\"num winner\">{}</td>", escape(&text)));
            } else {
                cells.push(num(&text));
            }
        }
        cells.push(escape(best.unwrap_or("–")));
        let (pgo, lto) = (gain(row, "pgo"), gain(row, "release-lto"));
        cells.push(gain_cell(pgo.as_ref()));
        cells.push(gain_cell(lto.as_ref()));
        table_rows.push(cells);
        // Build time is the cost of a profile, not a gain: it stays out of the gain chart.
        if (pgo.is_some() || lto.is_some()) && *metric != Metric::BuildWall.as_str() {
            let bar = |g: &Option<Gain>, colour| match g {
                Some(g) if g.within_noise() => (g.value * 100.0, chart::FAINT),
                Some(g) => (g.value * 100.0, colour),
                None => (0.0, colour),
            };
            let whisker = |g: &Option<Gain>| {
                g.as_ref()
                    .and_then(|g| g.interval)
                    .map(|(lo, hi)| (lo * 100.0, hi * 100.0))
            };
            bar_rows.push(BarRow {
                label: format!("{bench} · {metric}"),
                bars: vec![bar(&pgo, chart::BETTER), bar(&lto, chart::SECOND)],
                whiskers: vec![whisker(&pgo), whisker(&lto)],
            });
        }
    }
    let mut body = format!(
        "<p>Commit <code>{}</code> ({}), mode <code>{}</code>. Each row is one bench and metric under every profile; the best is highlighted. A gain is the improvement against <code>release</code>: positive is faster or smaller.</p>\n",
        short(&latest.commit.sha),
        escape(&latest.commit.subject),
        escape(&latest.mode)
    );
    if table_rows.is_empty() {
        body.push_str("<p class=\"note\">No measurement to compare across profiles.</p>\n");
    } else {
        if let Some(svg) = chart::bars(
            "PGO and fat-LTO gain against release",
            "gain against release (%), positive = better",
            &bar_rows,
            &[
                ("PGO", chart::BETTER),
                ("fat LTO", chart::SECOND),
                ("within noise", chart::FAINT),
            ],
        )? {
            body.push_str(&figure(
                &svg,
                "Per bench and metric: the PGO and fat-LTO gain over the release profile, with its 95% interval: paired (the signed-rank interval of the rounds in which both profiles ran back to back, from perfgate run --profile-rounds N; “paired ×N” in the table) where measured so, else from the two profiles' samples; a grey bar's interval includes no gain (within noise).",
            ));
        }
        body.push_str(&table(&header, &table_rows));
    }
    Ok(page("Profile matrix", target, 0, &body))
}

/// A profile's gain against release in one series: positive is faster or smaller.
#[derive(Clone, Debug, PartialEq)]
struct Gain {
    /// The gain, as a fraction.
    value: f64,
    /// Its 95% interval, where there is one.
    interval: Option<(f64, f64)>,
    /// The paired rounds it is measured from; `None` for the profiles' own measurements.
    rounds: Option<usize>,
}

impl Gain {
    /// Whether the gain's interval includes no gain.
    fn within_noise(&self) -> bool {
        self.interval.is_some_and(|(lo, hi)| lo <= 0.0 && 0.0 <= hi)
    }
}

/// The gain of a paired series (log ratios ln(profile / release)): the gain at the
/// Hodges–Lehmann estimate of the log ratio, its interval at the ends of the 95% signed-rank
/// interval (none below six rounds, too few for that level). For a lower-is-better metric a
/// ratio below 1 is a gain.
fn paired_gain(paired: &PairedSeries, lower_is_better: bool) -> Option<Gain> {
    let gain_of = |log_ratio: f64| {
        if lower_is_better {
            1.0 - log_ratio.exp()
        } else {
            log_ratio.exp() - 1.0
        }
    };
    let centre = walsh_median(&paired.log_ratios)?;
    let interval = signed_rank_interval(&paired.log_ratios, 0.95).map(|(lo, hi)| {
        let (a, b) = (gain_of(lo), gain_of(hi));
        (a.min(b), a.max(b))
    });
    Some(Gain {
        value: gain_of(centre),
        interval,
        rounds: Some(paired.log_ratios.len()),
    })
}

/// A gain's table cell: the gain, its interval, how many paired rounds it is measured from,
/// and "within noise" greyed when the interval includes no gain.
fn gain_cell(gain: Option<&Gain>) -> String {
    let Some(g) = gain else {
        return num("–");
    };
    let mut text = gain_text(g.value);
    if let Some((lo, hi)) = g.interval {
        text.push_str(&format!(" [{}, {}]", gain_text(lo), gain_text(hi)));
    }
    if let Some(rounds) = g.rounds {
        text.push_str(&format!(" paired ×{rounds}"));
    }
    if g.within_noise() {
        format!(
            "<td class=\"num muted\">{} within noise</td>",
            escape(&text)
        )
    } else {
        num(&text)
    }
}

fn gain_text(g: f64) -> String {
    format!("{:+.1}%", g * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Unit;
    use crate::report::trend::tests::baseline;
    use crate::store::ProfileRun;

    fn wall(value: f64, samples: Vec<f64>) -> Measurement {
        Measurement::sampled("parse", "wall_time_ns", Unit::Nanoseconds, value, samples)
    }

    /// Eight paired rounds in which fat LTO was 10% faster than release, with a ±0.5% wobble.
    fn ten_percent_faster() -> PairedSeries {
        PairedSeries {
            bench: "parse".into(),
            metric: Metric::WallTime,
            against: "release".into(),
            log_ratios: (0..8)
                .map(|r| (0.9_f64 * if r % 2 == 0 { 1.005 } else { 0.995 }).ln())
                .collect(),
        }
    }

    #[test]
    fn a_paired_gain_is_the_hodges_lehmann_estimate_with_its_signed_rank_interval() {
        let gain = paired_gain(&ten_percent_faster(), true).expect("a gain");
        assert!((gain.value - 0.10).abs() < 0.006, "{gain:?}");
        let (lo, hi) = gain.interval.expect("eight rounds reach 95%");
        assert!(
            lo > 0.09 && hi < 0.11 && lo < gain.value && gain.value < hi,
            "{gain:?}"
        );
        assert_eq!(gain.rounds, Some(8));
        assert!(!gain.within_noise());
        // Five rounds are too few for a 95% signed-rank interval: the gain, with none.
        let mut five = ten_percent_faster();
        five.log_ratios.truncate(5);
        assert_eq!(paired_gain(&five, true).expect("a gain").interval, None);
        // For a bigger-is-better metric a ratio above 1 is the gain.
        let up = PairedSeries {
            log_ratios: vec![1.1f64.ln(); 8],
            ..ten_percent_faster()
        };
        assert!((paired_gain(&up, false).expect("a gain").value - 0.10).abs() < 1e-12);
    }

    #[test]
    fn the_matrix_prefers_the_paired_rounds_to_the_profiles_own_samples() {
        // Measured one after the other, the two profiles' samples overlap: within noise.
        let release = wall(
            100.0,
            vec![80.0, 90.0, 100.0, 110.0, 120.0, 95.0, 105.0, 85.0],
        );
        let lto = wall(
            98.0,
            vec![78.0, 88.0, 98.0, 108.0, 118.0, 93.0, 103.0, 83.0],
        );
        let mut latest = baseline(1, vec![release]);
        let lto_run = |paired| ProfileRun {
            settings: BTreeMap::new(),
            artifacts: Vec::new(),
            pgo: None,
            measurements: vec![lto.clone()],
            paired,
            steps: Vec::new(),
            shard: None,
        };
        latest
            .profiles
            .insert("release-lto".into(), lto_run(Vec::new()));
        let unpaired = matrix("tiny", Some(&latest)).expect("rendered");
        assert!(unpaired.contains("+2.0% ["), "{unpaired}");
        assert!(unpaired.contains("within noise</td>"));
        assert!(!unpaired.contains("] paired ×"));
        // Paired rounds, in which release and fat LTO ran back to back, show the 10%.
        latest
            .profiles
            .insert("release-lto".into(), lto_run(vec![ten_percent_faster()]));
        let paired = matrix("tiny", Some(&latest)).expect("rendered");
        let cell = &paired[paired.find("+10.0% [").expect("the paired gain")..];
        let cell = &cell[..cell.find("</td>").expect("its end")];
        assert!(cell.ends_with("paired ×8"), "{cell}");
        assert!(!paired.contains("within noise</td>"));
    }
}
