//! Paired rounds and their sequential stopping (`docs/gate.md` §12.2): in `compare --run`,
//! each round measures base and head of a unit back to back, so a series is a list of
//! per-round log ratios dᵣ = ln headᵣ − ln baseᵣ, and rounds are added until the paired
//! interval lies decisively beyond half the gate (closer to a change of the gate's size than
//! to none), decisively inside it, or the round budget is spent.
//!
//! The looks come after [`Sequential::first`] rounds and every [`Sequential::every`] rounds
//! after, up to [`Sequential::budget`]. The error rate of looking repeatedly is held at α by
//! an α-spending function (Lan & DeMets, "Discrete sequential boundaries for clinical trials",
//! Biometrika 70(3), 1983): the Pocock-type α(t) = α·ln(1 + (e − 1)·t) of Kim & DeMets (1987)
//! at information fraction t = rounds/budget, and the interval of look k taken at the level
//! 1 − (α(tₖ) − α(tₖ₋₁)): by the union bound the chance that any look's interval misses the
//! true shift is at most α.

use std::collections::BTreeMap;

use super::model::SeriesKey;
use crate::stats;

/// When the paired rounds of `compare --run` are looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sequential {
    /// Rounds before the first look.
    pub first: usize,
    /// Rounds between looks.
    pub every: usize,
    /// The most rounds: at this look the decision is made whatever the interval.
    pub budget: usize,
}

impl Sequential {
    /// Exactly `rounds` rounds and one look at the end: no early stop (an A/A calibration, the
    /// profile rounds of `perfgate run`).
    pub fn fixed(rounds: usize) -> Sequential {
        Sequential {
            first: rounds,
            every: rounds,
            budget: rounds,
        }
    }

    /// Quick mode: looks at 8, 12, …, 24 rounds.
    pub const QUICK: Sequential = Sequential {
        first: 8,
        every: 4,
        budget: 24,
    };
    /// Full mode: looks at 10, 15, …, 40 rounds.
    pub const FULL: Sequential = Sequential {
        first: 10,
        every: 5,
        budget: 40,
    };

    /// The round counts at which the series are looked at, the last one the budget.
    pub fn looks(&self) -> Vec<usize> {
        let mut looks: Vec<usize> = (self.first..self.budget)
            .step_by(self.every.max(1))
            .collect();
        looks.push(self.budget);
        looks
    }

    /// Whether `rounds` is a look.
    pub fn is_look(&self, rounds: usize) -> bool {
        self.looks().contains(&rounds)
    }

    /// The α spent at the look after `rounds` rounds: α(tₖ) − α(tₖ₋₁).
    pub fn look_alpha(&self, rounds: usize, alpha: f64) -> f64 {
        let looks = self.looks();
        let previous = looks
            .iter()
            .copied()
            .take_while(|&l| l < rounds)
            .last()
            .unwrap_or(0);
        let t = |r: usize| (r as f64 / self.budget as f64).min(1.0);
        spent(alpha, t(rounds)) - spent(alpha, t(previous))
    }
}

/// The Pocock-type spending function α(t) = α·ln(1 + (e − 1)·t): α(0) = 0, α(1) = α.
pub fn spent(alpha: f64, t: f64) -> f64 {
    alpha * (1.0 + (std::f64::consts::E - 1.0) * t).ln()
}

/// How a paired series' rounds ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The interval lay wholly beyond the boundary g/2 (worse, or better).
    Beyond,
    /// The interval lay wholly inside (−g/2, g/2).
    Inside,
    /// The round budget was spent without a decisive interval.
    Budget,
}

impl Stop {
    /// The words of the reason.
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Beyond => "the interval beyond half the gate",
            Stop::Inside => "the interval inside half the gate",
            Stop::Budget => "the round budget spent",
        }
    }
}

/// One series measured in paired rounds: its per-round log ratios and how its rounds ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Paired {
    /// dᵣ = ln headᵣ − ln baseᵣ, one per round, in round order, up to the stop.
    pub log_ratios: Vec<f64>,
    /// How the rounds ended.
    pub stop: Stop,
    /// The α the final interval is taken at: the look's spent α for a decisive stop, α at the
    /// budget.
    pub alpha: f64,
}

/// The paired series of a comparison, by key.
pub type Pairs = BTreeMap<SeriesKey, Paired>;

/// The relative shift of a log shift x, worse-positive for sign `s` (+1 lower is better).
pub fn relative(x: f64, s: f64) -> f64 {
    s * x.exp_m1()
}

/// The signed-rank interval of the log ratios at 1 − `alpha`, as a worse-positive relative
/// interval [L, U] for sign `s`.
pub fn interval(log_ratios: &[f64], alpha: f64, s: f64) -> Option<(f64, f64)> {
    let (lo, hi) = stats::signed_rank_interval(log_ratios, 1.0 - alpha)?;
    let (a, b) = (relative(lo, s), relative(hi, s));
    Some((a.min(b), a.max(b)))
}

/// The boundary of the paired decision for a gate g: g/2, the midpoint between no change and
/// a change of the gate's size (Wald's indifference point between the two hypotheses).
pub fn boundary(gate: f64) -> f64 {
    gate / 2.0
}

/// The decision at a look: `Some(Beyond)` when the interval at the look's level lies beyond
/// the boundary b = g/2 (L > b, or U < −b: closer to a change of the gate's size than to no
/// change), `Some(Inside)` when it lies inside (−b < L and U < b), `None` to go on (also when
/// there are too few rounds for an interval at that level).
pub fn look(log_ratios: &[f64], s: f64, gate: f64, look_alpha: f64) -> Option<Stop> {
    let (l, u) = interval(log_ratios, look_alpha, s)?;
    let b = boundary(gate);
    if l > b || u < -b {
        Some(Stop::Beyond)
    } else if l > -b && u < b {
        Some(Stop::Inside)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_looks_and_the_spending() {
        let q = Sequential::QUICK;
        assert_eq!(q.looks(), vec![8, 12, 16, 20, 24]);
        assert!(q.is_look(12) && !q.is_look(13));
        assert_eq!(Sequential::FULL.looks(), vec![10, 15, 20, 25, 30, 35, 40]);
        // The increments add up to α.
        let total: f64 = q.looks().iter().map(|&r| q.look_alpha(r, 0.05)).sum();
        assert!((total - 0.05).abs() < 1e-15, "{total}");
        // Pocock-type: the first look gets α·ln(1 + (e − 1)/3) = 0.0226…
        let first = q.look_alpha(8, 0.05);
        assert!((first - 0.05 * (1.0 + (std::f64::consts::E - 1.0) / 3.0).ln()).abs() < 1e-15);
        assert!(first > q.look_alpha(24, 0.05));
        assert_eq!(spent(0.05, 0.0), 0.0);
    }

    fn rounds(shift: f64, n: usize) -> Vec<f64> {
        // A log shift with a ±0.5% alternating spread, as a quiet machine gives.
        (0..n)
            .map(|i| (1.0 + shift).ln() + [0.005, -0.005, 0.002, -0.002][i % 4])
            .collect()
    }

    #[test]
    fn a_clear_regression_is_beyond_a_clear_pass_inside_a_borderline_one_goes_on() {
        let q = Sequential::QUICK;
        let a = q.look_alpha(8, 0.05);
        assert_eq!(look(&rounds(0.20, 8), 1.0, 0.10, a), Some(Stop::Beyond));
        assert_eq!(look(&rounds(-0.20, 8), 1.0, 0.10, a), Some(Stop::Beyond));
        assert_eq!(look(&rounds(0.0, 8), 1.0, 0.10, a), Some(Stop::Inside));
        // A change of half the gate is the undecided middle.
        assert_eq!(look(&rounds(0.05, 8), 1.0, 0.10, a), None);
        // A change of the gate's size is beyond the boundary.
        assert_eq!(look(&rounds(0.10, 8), 1.0, 0.10, a), Some(Stop::Beyond));
        // Bigger is better (throughput): a lower head is worse.
        assert_eq!(look(&rounds(-0.20, 8), -1.0, 0.10, a), Some(Stop::Beyond));
        let (l, u) = interval(&rounds(-0.20, 8), a, -1.0).expect("an interval");
        assert!(l > 0.19 && u < 0.21, "[{l}, {u}]");
        // Too few rounds for the level: no interval, go on.
        assert_eq!(look(&rounds(0.5, 3), 1.0, 0.10, a), None);
    }
}
