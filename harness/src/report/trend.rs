//! The history the report draws: baselines along first-parent history turned into one trend
//! per series, with environment boundaries and change points. Pure.

use std::collections::BTreeMap;

use crate::gate::{self, MetricClass, SeriesKey};
use crate::git::CommitInfo;
use crate::measure::{Measurement, Unit};
use crate::stats;
use crate::store::Baseline;

use super::changepoint::{self, ChangePoint};

/// One value of a series at one commit.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// The index of the commit in [`Trends::commits`].
    pub at: usize,
    /// The stored value.
    pub value: f64,
    /// The band drawn around a noisy value: the tool's confidence interval when recorded,
    /// else the 2.5th to 97.5th percentile of the samples (at least 5).
    pub band: Option<(f64, f64)>,
}

/// The values of one series over history.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    /// The series.
    pub key: SeriesKey,
    /// The unit of its values.
    pub unit: Unit,
    /// Whether lower is better.
    pub lower_is_better: bool,
    /// Its metric class (`docs/gate.md` §2).
    pub class: MetricClass,
    /// Its points, oldest first; a commit without the series has no point (a gap).
    pub points: Vec<Point>,
    /// Its change points; `index` is a commit index.
    pub change_points: Vec<ChangePoint>,
}

/// Every series of a target over a stretch of history.
#[derive(Clone, Debug, PartialEq)]
pub struct Trends {
    /// The target.
    pub target: String,
    /// The commits that have a baseline, oldest first.
    pub commits: Vec<CommitInfo>,
    /// Commit indexes where the environment changed (toolchain, host, CPU, valgrind): the
    /// first commit measured in the new environment.
    pub boundaries: Vec<usize>,
    /// Every series, by key.
    pub series: BTreeMap<SeriesKey, Trend>,
}

impl Trends {
    /// The trends of `baselines` (oldest first; all of one target, else those of the last
    /// one's target are kept). Change points are searched within each environment segment.
    pub fn build(baselines: &[&Baseline]) -> Trends {
        let target = baselines
            .last()
            .map(|b| b.target.clone())
            .unwrap_or_default();
        let kept: Vec<&Baseline> = baselines
            .iter()
            .copied()
            .filter(|b| b.target == target)
            .collect();
        let mut boundaries = Vec::new();
        for (i, pair) in kept.windows(2).enumerate() {
            if !pair[0].fingerprint.same_environment(&pair[1].fingerprint) {
                boundaries.push(i + 1);
            }
        }
        let mut series: BTreeMap<SeriesKey, Trend> = BTreeMap::new();
        for (at, baseline) in kept.iter().enumerate() {
            for (profile, run) in &baseline.profiles {
                for m in &run.measurements {
                    let key = SeriesKey::of(profile, m);
                    let trend = series.entry(key.clone()).or_insert_with(|| Trend {
                        class: gate::metric_class(&key.metric),
                        key,
                        unit: m.unit,
                        lower_is_better: m.lower_is_better,
                        points: Vec::new(),
                        change_points: Vec::new(),
                    });
                    trend.points.push(Point {
                        at,
                        value: m.value,
                        band: band(m),
                    });
                }
            }
        }
        for trend in series.values_mut() {
            trend.change_points = change_points(trend, &boundaries);
        }
        Trends {
            target,
            commits: kept.iter().map(|b| b.commit.clone()).collect(),
            boundaries,
            series,
        }
    }

    /// The bench ids, sorted, each with its series.
    pub fn benches(&self) -> BTreeMap<&str, Vec<&Trend>> {
        let mut out: BTreeMap<&str, Vec<&Trend>> = BTreeMap::new();
        for trend in self.series.values() {
            out.entry(trend.key.bench.as_str()).or_default().push(trend);
        }
        out
    }
}

/// The band of a noisy measurement (see [`Point::band`]).
fn band(m: &Measurement) -> Option<(f64, f64)> {
    if gate::metric_class(&m.metric) != MetricClass::Noisy {
        return None;
    }
    if let Some(i) = &m.interval {
        return Some((i.lower, i.upper));
    }
    if m.samples.len() < 5 {
        return None;
    }
    let sorted = stats::sorted(&m.samples);
    Some((
        stats::percentile(&sorted, 0.025)?,
        stats::percentile(&sorted, 0.975)?,
    ))
}

/// The change points of a trend, searched within each environment segment: the floor is, for a
/// deterministic series, the segment's noise fence over its last values (`docs/gate.md` §4),
/// else the default fence.
fn change_points(trend: &Trend, boundaries: &[usize]) -> Vec<ChangePoint> {
    let (default, min_segment) = match trend.class {
        MetricClass::Deterministic => (
            gate::DEFAULT_FENCE_DETERMINISTIC,
            changepoint::MIN_SEGMENT_DETERMINISTIC,
        ),
        _ => (gate::DEFAULT_FENCE_NOISY, changepoint::MIN_SEGMENT_NOISY),
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut edges: Vec<usize> = boundaries.to_vec();
    edges.push(usize::MAX);
    for edge in edges {
        let segment: Vec<&Point> = trend.points[start..]
            .iter()
            .take_while(|p| p.at < edge)
            .collect();
        start += segment.len();
        let values: Vec<f64> = segment.iter().map(|p| p.value).collect();
        // A deterministic series' fence says how much it moves when nothing happens; a noisy
        // one's fence is about single changes, while a mean over a segment is far steadier,
        // and its noise is already weighed by the t-test: it keeps the default floor.
        let floor =
            if trend.class == MetricClass::Deterministic && values.len() >= gate::HISTORY_LEN {
                stats::noise_fence(&values[values.len() - gate::HISTORY_LEN..])
                    .filter(|f| f.is_finite())
                    .unwrap_or(default)
                    .max(default)
            } else {
                default
            };
        for mut cp in changepoint::detect(&values, floor, min_segment) {
            cp.index = segment[cp.index].at;
            out.push(cp);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fingerprint::Fingerprint;
    use crate::store::ProfileRun;

    /// A baseline of target `tiny` at commit `n` with the given measurements under `release`.
    pub(crate) fn baseline(n: usize, measurements: Vec<Measurement>) -> Baseline {
        let doc = include_str!("../../../docs/baseline-schema.md");
        let start = doc.find("```json\n").expect("a json block") + 8;
        let end = start + doc[start..].find("\n```").expect("its end");
        let mut b: Baseline = serde_json::from_str(&doc[start..end]).expect("the example");
        b.target = "tiny".into();
        b.commit = CommitInfo {
            sha: format!("{n:040x}"),
            parents: Vec::new(),
            subject: format!("commit {n}"),
            time: 1_700_000_000 + n as i64 * 60,
            author: "a".into(),
        };
        b.profiles.clear();
        b.profiles.insert(
            "release".into(),
            ProfileRun {
                settings: BTreeMap::new(),
                artifacts: Vec::new(),
                pgo: None,
                measurements,
                paired: Vec::new(),
                steps: Vec::new(),
                shard: None,
            },
        );
        b
    }

    pub(crate) fn instr(bench: &str, value: f64) -> Measurement {
        Measurement::exact(bench, "instructions", Unit::Instructions, value)
    }

    #[test]
    fn gaps_boundaries_and_a_change_point() {
        let mut history: Vec<Baseline> = (0..12)
            .map(|n| {
                let v = if n < 6 { 1000.0 } else { 1100.0 };
                let mut ms = vec![instr("a", v)];
                if n % 3 != 0 {
                    ms.push(instr("sometimes", 5.0));
                }
                baseline(n, ms)
            })
            .collect();
        let refs: Vec<&Baseline> = history.iter().collect();
        let trends = Trends::build(&refs);
        assert_eq!(trends.commits.len(), 12);
        assert!(trends.boundaries.is_empty());
        let a = &trends.series[&SeriesKey {
            profile: "release".into(),
            bench: "a".into(),
            metric: "instructions".into(),
        }];
        assert_eq!(a.change_points.len(), 1);
        assert_eq!(a.change_points[0].index, 6);
        let sometimes = trends
            .series
            .values()
            .find(|t| t.key.bench == "sometimes")
            .expect("a series with gaps");
        assert_eq!(sometimes.points.len(), 8);
        assert_eq!(sometimes.points[0].at, 1);

        // A toolchain change at commit 6 is a boundary: the step is not searched across it.
        for b in &mut history[6..] {
            b.fingerprint = Fingerprint {
                rustc: "rustc 9.9.9".into(),
                ..b.fingerprint.clone()
            };
        }
        let refs: Vec<&Baseline> = history.iter().collect();
        let trends = Trends::build(&refs);
        assert_eq!(trends.boundaries, vec![6]);
        assert!(trends.series.values().all(|t| t.change_points.is_empty()));
    }

    #[test]
    fn empty_history_and_other_targets() {
        let trends = Trends::build(&[]);
        assert!(trends.commits.is_empty() && trends.series.is_empty());
        let mut other = baseline(0, vec![instr("a", 1.0)]);
        other.target = "other".into();
        let mine = baseline(1, vec![instr("a", 1.0)]);
        let trends = Trends::build(&[&other, &mine]);
        assert_eq!(trends.target, "tiny");
        assert_eq!(trends.commits.len(), 1);
    }
}
