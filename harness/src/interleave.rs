//! Interleaved measurement of two commits in one job (`perfgate compare --run`), as pure logic:
//! the seeded order in which the processes of a round run, the bookkeeping of paired rounds
//! and their sequential stopping ([`Rounds`], `docs/gate.md` §12.2), and the pooling of one
//! process per sample for the stored baselines (§12.1). The processes themselves are run by
//! `run::rounds`; the command layer strings the two together.
//!
//! A noisy metric's sample is one process (a criterion bench process gives its point
//! estimate, a start-up block its per-exec times): the in-process iterations of criterion are
//! not independent, so they cannot stand as samples for a test.

use std::collections::BTreeMap;

use crate::gate::paired;
use crate::gate::{Paired, Pairs, Sequential, SeriesKey, Stop};
use crate::measure::Measurement;
use crate::metric::Metric;
use crate::stats::{self, SplitMix64};

/// Which commit a process measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The base commit.
    Base,
    /// The head commit.
    Head,
}

/// What one process measures: a wall-time bench target (criterion or divan), or a block of
/// start-up runs, of one profile.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    /// A wall-time bench target (criterion's or divan's), one process.
    Bench {
        /// The profile.
        profile: String,
        /// The bench target's name.
        bench: String,
    },
    /// A block of start-up processes of the configured binary.
    Startup {
        /// The profile.
        profile: String,
    },
}

impl Side {
    /// `base` or `head`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Base => "base",
            Side::Head => "head",
        }
    }
}

impl Unit {
    /// The profile the unit measures.
    pub fn profile(&self) -> &str {
        match self {
            Unit::Bench { profile, .. } | Unit::Startup { profile } => profile,
        }
    }
}

/// One process in the schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The round, from 0; round 0 is a warm-up whose results are discarded.
    pub round: usize,
    /// What runs.
    pub unit: Unit,
    /// For which commit.
    pub side: Side,
}

impl Step {
    /// Whether the step's result is discarded (the warm-up round).
    pub fn is_warm_up(&self) -> bool {
        self.round == 0
    }
}

/// The seed of a pass's schedule: the first 8 bytes of SHA-256(base sha ‖ 0 ‖ head sha ‖ 0 ‖
/// pass), so the same pair of commits always runs in the same order.
pub fn seed(base_sha: &str, head_sha: &str, pass: usize) -> u64 {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(base_sha.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(head_sha.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(pass.to_string().as_bytes());
    stats::seed_from(&bytes)
}

/// The processes of one round: every unit once per side, the units in a seeded shuffle
/// (Fisher–Yates), each unit's base and head back to back. Which side runs first alternates
/// from round to round (and between neighbouring units), starting from a seeded side, so that
/// over any two rounds each side of a unit runs first once. Round 0 is the warm-up.
pub fn round_steps(units: &[Unit], round: usize, seed: u64) -> Vec<Step> {
    let mut rng = SplitMix64::new(seed ^ (round as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let flip = SplitMix64::new(seed).below(2);
    let mut order: Vec<(usize, &Unit)> = units.iter().enumerate().collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut steps = Vec::with_capacity(units.len() * 2);
    for (index, unit) in order {
        let sides = if (round + index + flip).is_multiple_of(2) {
            [Side::Base, Side::Head]
        } else {
            [Side::Head, Side::Base]
        };
        for side in sides {
            steps.push(Step {
                round,
                unit: unit.clone(),
                side,
            });
        }
    }
    steps
}

/// Whether a metric of a round's process is paired and looked at: the wall time of a bench
/// and the median start-up latency (a throughput follows its wall time).
pub fn is_paired(metric: &Metric) -> bool {
    matches!(metric, Metric::WallTime | Metric::StartupWall)
}

/// One series' paired rounds so far.
#[derive(Clone, Debug)]
struct SeriesRounds {
    unit: Unit,
    log_ratios: Vec<f64>,
    /// Set at the look that stopped it: how, and the α of that look's interval.
    stop: Option<(Stop, f64)>,
}

/// The paired rounds of `compare --run` (`docs/gate.md` §12.2), as pure bookkeeping: each
/// round's base and head process of a unit give one log ratio per series; at each look of the
/// [`Sequential`] plan, every series still going is decided or goes on; a unit runs again
/// while one of its series goes on.
#[derive(Clone, Debug)]
pub struct Rounds {
    plan: Sequential,
    alpha: f64,
    series: BTreeMap<SeriesKey, SeriesRounds>,
}

impl Rounds {
    /// No rounds yet, under `plan` with the family's α.
    pub fn new(plan: Sequential, alpha: f64) -> Rounds {
        Rounds {
            plan,
            alpha,
            series: BTreeMap::new(),
        }
    }

    /// Records one round of `unit`: the base's and the head's process. A series measured by
    /// only one side, or with a value that is not positive, gets no log ratio this round.
    pub fn record(&mut self, unit: &Unit, base: &[Measurement], head: &[Measurement]) {
        for h in head.iter().filter(|m| is_paired(&m.metric)) {
            let Some(b) = base
                .iter()
                .find(|b| b.bench == h.bench && b.metric == h.metric)
            else {
                continue;
            };
            if !(b.value > 0.0 && h.value > 0.0 && b.value.is_finite() && h.value.is_finite()) {
                continue;
            }
            let key = SeriesKey {
                profile: unit.profile().to_string(),
                bench: h.bench.clone(),
                metric: h.metric.clone(),
            };
            let entry = self.series.entry(key).or_insert_with(|| SeriesRounds {
                unit: unit.clone(),
                log_ratios: Vec::new(),
                stop: None,
            });
            if entry.stop.is_none() {
                entry.log_ratios.push(h.value.ln() - b.value.ln());
            }
        }
    }

    /// After `rounds` rounds: at a look, decides every series still going, each against its
    /// gate (`gate_of`); a lower-is-better metric is worse when its log ratio is positive.
    pub fn look(&mut self, rounds: usize, gate_of: impl Fn(&SeriesKey) -> f64) {
        if !self.plan.is_look(rounds) {
            return;
        }
        let alpha = self.plan.look_alpha(rounds, self.series_alpha());
        for (key, series) in self.series.iter_mut().filter(|(_, s)| s.stop.is_none()) {
            if let Some(stop) = paired::look(&series.log_ratios, 1.0, gate_of(key), alpha) {
                series.stop = Some((stop, alpha));
            }
        }
    }

    /// The α of each series: the family's α over the number of paired series (Bonferroni),
    /// so that the chance of any series of the comparison stopping wrongly stays below α.
    fn series_alpha(&self) -> f64 {
        self.alpha / self.series.len().max(1) as f64
    }

    /// Whether `unit` runs another round: one of its series goes on, or none was measured yet.
    pub fn goes_on(&self, unit: &Unit) -> bool {
        let mine: Vec<&SeriesRounds> = self.series.values().filter(|s| &s.unit == unit).collect();
        mine.is_empty() || mine.iter().any(|s| s.stop.is_none())
    }

    /// How many rounds the decision of `key` took so far.
    pub fn rounds_of(&self, key: &SeriesKey) -> usize {
        self.series.get(key).map_or(0, |s| s.log_ratios.len())
    }

    /// The paired series once the rounds are over: a series still going ends with the budget
    /// spent (its interval at the series' α). `mirrors` names, for a wall-time series, the
    /// series that follow it with the opposite sign (its throughputs).
    pub fn finish(self, mirrors: impl Fn(&SeriesKey) -> Vec<SeriesKey>) -> Pairs {
        let mut pairs = Pairs::new();
        let budget_alpha = self.series_alpha();
        for (key, series) in self.series {
            let (stop, alpha) = series.stop.unwrap_or((Stop::Budget, budget_alpha));
            for mirror in mirrors(&key) {
                pairs.insert(
                    mirror,
                    Paired {
                        log_ratios: series.log_ratios.iter().map(|d| -d).collect(),
                        stop,
                        alpha,
                    },
                );
            }
            pairs.insert(
                key,
                Paired {
                    log_ratios: series.log_ratios,
                    stop,
                    alpha,
                },
            );
        }
        pairs
    }
}

/// Pools the measurements of several processes of one criterion bench target: per bench and
/// metric, the samples are the processes' point estimates and the value their median. A
/// throughput keeps no samples (`compare` derives them from the wall times); its value is the
/// work per iteration over the pooled wall time. The interval of a single process does not
/// describe the pool and is dropped; an artifact hash is kept only if every process had it.
pub fn pool_processes(processes: &[Vec<Measurement>]) -> Vec<Measurement> {
    let mut groups: BTreeMap<(String, Metric), Vec<&Measurement>> = BTreeMap::new();
    for process in processes {
        for m in process {
            groups
                .entry((m.bench.clone(), m.metric.clone()))
                .or_default()
                .push(m);
        }
    }
    let walls: BTreeMap<String, (f64, f64)> = groups
        .iter()
        .filter(|((_, metric), _)| *metric == Metric::WallTime)
        .filter_map(|((bench, _), ms)| {
            let values: Vec<f64> = ms.iter().map(|m| m.value).collect();
            Some((bench.clone(), (ms[0].value, stats::median(&values)?)))
        })
        .collect();
    let mut out = Vec::with_capacity(groups.len());
    for ((bench, metric), ms) in groups {
        let first = ms[0];
        let values: Vec<f64> = ms.iter().map(|m| m.value).collect();
        let Some(median) = stats::median(&values) else {
            continue;
        };
        let artifact = first
            .artifact_sha256
            .clone()
            .filter(|sha| ms.iter().all(|m| m.artifact_sha256.as_ref() == Some(sha)));
        let throughput = metric.is_throughput();
        let (value, samples) = match walls.get(&bench) {
            // work per iteration = throughput × wall time, the same in every process.
            Some(&(first_wall, pooled_wall)) if throughput => {
                (first.value * first_wall / pooled_wall, Vec::new())
            }
            _ => (median, values),
        };
        out.push(Measurement {
            value,
            samples,
            interval: None,
            artifact_sha256: artifact,
            reused_from: None,
            ..first.clone()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Unit as MeasureUnit;

    fn units() -> Vec<Unit> {
        vec![
            Unit::Bench {
                profile: "release".into(),
                bench: "parse".into(),
            },
            Unit::Bench {
                profile: "pgo".into(),
                bench: "parse".into(),
            },
            Unit::Startup {
                profile: "release".into(),
            },
        ]
    }

    #[test]
    fn every_unit_runs_once_per_side_and_the_first_side_alternates() {
        let seed = seed("aaa", "bbb", 1);
        for round in 0..6 {
            let steps = round_steps(&units(), round, seed);
            assert_eq!(steps.len(), 6);
            for unit in units() {
                for side in [Side::Base, Side::Head] {
                    let n = steps
                        .iter()
                        .filter(|s| s.unit == unit && s.side == side)
                        .count();
                    assert_eq!(n, 1, "round {round} {unit:?} {side:?}");
                }
            }
            // A unit's two processes are back to back.
            for pair in steps.chunks(2) {
                assert_eq!(pair[0].unit, pair[1].unit);
            }
            assert_eq!(steps[0].is_warm_up(), round == 0);
        }
        // Each unit's first side alternates from round to round.
        for unit in units() {
            let first = |round| {
                round_steps(&units(), round, seed)
                    .into_iter()
                    .find(|s| s.unit == unit)
                    .expect("the unit")
                    .side
            };
            for round in 1..6 {
                assert_ne!(first(round), first(round + 1), "{unit:?} round {round}");
            }
        }
        // Seeded: the same commits give the same order; the units are shuffled across rounds.
        assert_eq!(
            round_steps(&units(), 3, seed),
            round_steps(&units(), 3, seed)
        );
        let firsts: std::collections::BTreeSet<String> = (1..20)
            .map(|r| format!("{:?}", round_steps(&units(), r, seed)[0].unit))
            .collect();
        assert!(firsts.len() > 1);
    }

    fn timed(bench: &str, value: f64) -> Vec<Measurement> {
        vec![Measurement::exact(
            bench,
            "wall_time_ns",
            MeasureUnit::Nanoseconds,
            value,
        )]
    }

    #[test]
    fn rounds_stop_per_series_and_a_unit_runs_while_one_goes_on() {
        let unit = units()[0].clone();
        let mut rounds = Rounds::new(Sequential::QUICK, 0.05);
        assert!(rounds.goes_on(&unit));
        let key = |bench: &str| SeriesKey {
            profile: "release".into(),
            bench: bench.into(),
            metric: "wall_time_ns".into(),
        };
        for r in 1..=24 {
            // `fast` is 20% slower in the head every round, with a drift common to both sides
            // (the machine got busier); `flat` is the same with a ±5% alternating wobble that
            // keeps its interval across the 10% gate.
            let drift = 1.0 + r as f64 * 0.03;
            let wobble = if r % 2 == 0 { 1.05 } else { 0.95 };
            let mut base = timed("fast", 100.0 * drift);
            base.extend(timed("flat", 100.0 * drift));
            let mut head = timed("fast", 120.0 * drift);
            head.extend(timed("flat", 100.0 * drift * wobble * wobble));
            rounds.record(&unit, &base, &head);
            rounds.look(r, |_| 0.10);
            if r == 8 {
                assert_eq!(rounds.rounds_of(&key("fast")), 8);
                assert!(rounds.goes_on(&unit), "`flat` goes on");
            }
        }
        // `fast` stopped at the first look and took no more rounds.
        assert_eq!(rounds.rounds_of(&key("fast")), 8);
        assert_eq!(rounds.rounds_of(&key("flat")), 24);
        let pairs = rounds.finish(|k| {
            vec![SeriesKey {
                metric: "throughput_bytes_per_s".into(),
                ..k.clone()
            }]
        });
        let fast = &pairs[&key("fast")];
        assert_eq!(fast.stop, Stop::Beyond);
        // The drift cancelled: every log ratio is ln 1.2.
        assert!(
            fast.log_ratios
                .iter()
                .all(|d| (d - 1.2f64.ln()).abs() < 1e-12)
        );
        assert!(fast.alpha < 0.05);
        let flat = &pairs[&key("flat")];
        // Two paired series: each gets half the family's α.
        assert_eq!((flat.stop, flat.alpha), (Stop::Budget, 0.025));
        let mirror = &pairs[&SeriesKey {
            metric: "throughput_bytes_per_s".into(),
            ..key("fast")
        }];
        assert!((mirror.log_ratios[0] + 1.2f64.ln()).abs() < 1e-12);
    }

    fn wall(bench: &str, value: f64) -> Measurement {
        Measurement::sampled(
            bench,
            "wall_time_ns",
            MeasureUnit::Nanoseconds,
            value,
            vec![value; 10],
        )
        .with_artifact(Some("ab".into()))
    }

    fn throughput(bench: &str, wall_ns: f64) -> Measurement {
        Measurement {
            lower_is_better: false,
            ..Measurement::exact(
                bench,
                "throughput_bytes_per_s",
                MeasureUnit::BytesPerSecond,
                1000.0 / (wall_ns * 1e-9),
            )
        }
    }

    #[test]
    fn pooling_takes_one_sample_per_process() {
        let processes: Vec<Vec<Measurement>> = [100.0, 300.0, 200.0]
            .iter()
            .map(|&v| vec![wall("a", v), throughput("a", v), wall("b", v * 2.0)])
            .collect();
        let pooled = pool_processes(&processes);
        let a = pooled
            .iter()
            .find(|m| m.bench == "a" && m.metric == "wall_time_ns")
            .expect("pooled");
        assert_eq!(a.samples, vec![100.0, 300.0, 200.0]);
        assert_eq!(a.value, 200.0);
        assert_eq!(a.artifact_sha256.as_deref(), Some("ab"));
        assert!(a.interval.is_none());
        let t = pooled
            .iter()
            .find(|m| m.metric == "throughput_bytes_per_s")
            .expect("pooled");
        assert!(t.samples.is_empty());
        assert!((t.value - 1000.0 / 200e-9).abs() < 1e-3, "{}", t.value);
        let b = pooled.iter().find(|m| m.bench == "b").expect("pooled");
        assert_eq!(b.value, 400.0);
    }

    #[test]
    fn an_artifact_that_changed_between_processes_is_not_kept() {
        let mut other = wall("a", 1.0);
        other.artifact_sha256 = Some("cd".into());
        let pooled = pool_processes(&[vec![wall("a", 1.0)], vec![other]]);
        assert_eq!(pooled[0].artifact_sha256, None);
    }
}
