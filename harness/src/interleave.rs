//! Interleaved measurement of two commits in one job (`perfgate compare --run`), as pure logic:
//! the seeded order in which the processes run, and the pooling of one process per sample
//! (`docs/gate.md` §12.1). The processes themselves are run by `run::rounds`; the command
//! layer strings the two together.
//!
//! A noisy metric's sample is one process (a criterion bench process gives its point
//! estimate, a start-up block its per-exec times): the in-process iterations of criterion are
//! not independent, so they cannot stand as samples for a test.

use std::collections::BTreeMap;

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

/// The order of the processes: a warm-up round (0), then `rounds` measured rounds. In each
/// round the units are shuffled (Fisher–Yates), and for each unit a coin flip decides whether
/// the base or the head runs first, so that neither a drift of the machine nor the order
/// within a round falls on one side only.
pub fn schedule(units: &[Unit], rounds: usize, seed: u64) -> Vec<Step> {
    let mut rng = SplitMix64::new(seed);
    let mut steps = Vec::with_capacity((rounds + 1) * units.len() * 2);
    for round in 0..=rounds {
        let mut order: Vec<&Unit> = units.iter().collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for unit in order {
            let sides = if rng.below(2) == 0 {
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
    }
    steps
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
    fn every_unit_runs_once_per_side_per_round_including_the_warm_up() {
        let steps = schedule(&units(), 10, 7);
        assert_eq!(steps.len(), 11 * 3 * 2);
        for round in 0..=10 {
            for unit in units() {
                for side in [Side::Base, Side::Head] {
                    let n = steps
                        .iter()
                        .filter(|s| s.round == round && s.unit == unit && s.side == side)
                        .count();
                    assert_eq!(n, 1, "round {round} {unit:?} {side:?}");
                }
            }
        }
        assert!(steps.iter().take(6).all(Step::is_warm_up));
        assert!(!steps[6].is_warm_up());
    }

    #[test]
    fn the_order_is_seeded_and_mixed() {
        let a = schedule(&units(), 20, seed("aaa", "bbb", 1));
        assert_eq!(a, schedule(&units(), 20, seed("aaa", "bbb", 1)));
        assert_ne!(a, schedule(&units(), 20, seed("aaa", "bbb", 2)));
        // Each pair of a unit's processes is adjacent; the base goes first in some rounds and
        // second in others, never always the same.
        let base_first = a
            .chunks(2)
            .filter(|pair| {
                assert_eq!(pair[0].unit, pair[1].unit);
                pair[0].side == Side::Base
            })
            .count();
        assert!(base_first > 10 && base_first < 53, "{base_first} of 63");
        // The units are shuffled: not every round starts with the same one.
        let firsts: std::collections::BTreeSet<_> = a
            .iter()
            .step_by(6)
            .map(|s| format!("{:?}", s.unit))
            .collect();
        assert!(firsts.len() > 1);
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
