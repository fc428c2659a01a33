//! The gate: two baselines, the history of earlier ones and the gate rules become a
//! [`Comparison`], one [`SeriesVerdict`] per series, and pass or fail.
//!
//! The rules, in order, with their formulas, are `docs/gate.md`; every step here names its
//! section there. The folder holds one part of the decision per file:
//!
//! - `model`: what a comparison is made of (verdicts, series keys, the comparison, outcomes);
//! - `rules`: the rules from perfgate.toml (per-metric and per-bench gates, globs,
//!   acknowledgements, ignores, budgets);
//! - `environment`: which environment differences make which metrics incomparable (§3.1);
//! - `judge`: the identical-artifact short-circuit, the deterministic, noisy and informational
//!   rules, and the noisy test's numbers;
//! - `reason`: the numbers in the words of a verdict's reason.
//!
//! It is pure: it never touches the file system or git, never prints, and reads no clock.
//! The statistics come from [`crate::stats`]; the bootstrap is seeded from the series and the
//! two commits, so the same input always gives the same comparison. Finding the baselines,
//! filling the [`History`], deciding whether a rule has expired and printing are the command
//! layer's; rendering is `gate_render`'s.

mod environment;
mod judge;
mod model;
pub mod noise;
pub mod paired;
mod reason;
mod rules;

use std::collections::BTreeSet;

use crate::stats;
use crate::store::Baseline;

pub use crate::metric::MetricClass;
pub use model::{
    AdvisoryCode, BudgetResult, Comparison, ExitPolicy, History, Outcome, ReasonCode, SeriesKey,
    SeriesVerdict, Verdict,
};
pub use paired::{Paired, Pairs, Sequential, Stop};
pub use reason::{pct, plain_pct};
pub use rules::{
    Budget, GateRules, Rule, check_budgets, class_under, gate_of, glob_match, metric_class,
};

use environment::{environment, profile_differences};
pub use judge::worse_interval;
use judge::{Context, Judged, finish_noisy, judge, one_sided, placeholder, series_of};
use rules::apply_entries;

/// The tolerance τ of deterministic metrics: |Δ| ≤ 0.01% is jitter, not change (§4).
pub const TOLERANCE: f64 = 1e-4;
/// The fence of a deterministic series without enough history: 0.2% (rustc-perf's default).
pub const DEFAULT_FENCE_DETERMINISTIC: f64 = 0.002;
/// The fence of a noisy series without enough history: 1% (criterion's noise threshold).
pub const DEFAULT_FENCE_NOISY: f64 = 0.01;
/// How many earlier values of a series the fence is computed over; fewer use the default.
pub const HISTORY_LEN: usize = 30;
/// The fewest samples per side for the noisy test; fewer make the series advisory.
pub const MIN_SAMPLES: usize = 5;
/// The bootstrap resamples B of the noisy interval.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
/// The confidence level of the noisy interval.
pub const CONFIDENCE: f64 = 0.95;
/// The absolute floor of callgrind counts (§4): a change of at most this many events is
/// code-layout jitter, not change, whatever its relative size.
pub const FLOOR_EVENTS: f64 = 10.0;
/// The relative floor of callgrind counts (§4), as a fraction of the bench's instruction count:
/// a cache event that moved by less than 0.01% of the instructions executed is within noise.
pub const FLOOR_FRACTION: f64 = 1e-4;

/// Why two baselines cannot be compared.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompareError {
    /// They measure different targets.
    #[error("the base measures `{base}` and the head `{head}`; compare baselines of one target")]
    DifferentTargets {
        /// The base's target.
        base: String,
        /// The head's target.
        head: String,
    },
}

impl From<CompareError> for crate::error::Error {
    fn from(e: CompareError) -> crate::error::Error {
        crate::error::Error::NotComparable {
            message: e.to_string(),
        }
    }
}

/// Compares `head` against `base` (`docs/gate.md` §3). `history` sharpens the noise fences;
/// `rules` holds the gate, overrides, entries and budgets.
///
/// Errors only for baselines of different targets, with a message for the user.
pub fn compare(
    base: &Baseline,
    head: &Baseline,
    history: &History,
    rules: &GateRules,
) -> Result<Comparison, CompareError> {
    compare_paired(base, head, history, rules, &Pairs::new())
}

/// [`compare`], with the series of `pairs` measured in paired rounds (`compare --run`) judged
/// by their per-round log ratios (§12.2) instead of as two unpaired samples.
pub fn compare_paired(
    base: &Baseline,
    head: &Baseline,
    history: &History,
    rules: &GateRules,
    pairs: &Pairs,
) -> Result<Comparison, CompareError> {
    if base.target != head.target {
        return Err(CompareError::DifferentTargets {
            base: base.target.clone(),
            head: head.target.clone(),
        });
    }
    let environment = environment(base, head);
    let base_series = series_of(base);
    let head_series = series_of(head);
    let keys: BTreeSet<&SeriesKey> = base_series.keys().chain(head_series.keys()).collect();

    let mut series = Vec::with_capacity(keys.len());
    let mut tested = Vec::new();
    for key in keys {
        let verdict = match (base_series.get(key), head_series.get(key)) {
            (Some(b), Some(h)) => {
                let differences = profile_differences(&environment, &key.profile);
                let context = Context {
                    base,
                    head,
                    base_series: &base_series,
                    history,
                    rules,
                    pairs,
                };
                match judge(key, b, h, &differences, &context) {
                    Judged::Done(v) => v,
                    Judged::Tested(t) => {
                        tested.push((series.len(), t));
                        placeholder(key, b.m, h.m)
                    }
                }
            }
            (None, Some(h)) => one_sided(key, h.m, Verdict::New, base),
            (Some(b), None) => one_sided(key, b.m, Verdict::Missing, head),
            // Every key comes from one side or the other.
            (None, None) => continue,
        };
        series.push(verdict);
    }

    // §7: Benjamini–Hochberg over the tested noisy series, then their verdicts.
    let p_values: Vec<f64> = tested.iter().map(|(_, t)| t.p).collect();
    let q_values = stats::benjamini_hochberg(&p_values);
    for ((index, test), q) in tested.into_iter().zip(q_values) {
        let verdict = &mut series[index];
        finish_noisy(verdict, test, q, rules.alpha);
    }

    for verdict in &mut series {
        apply_entries(verdict, rules);
    }
    let mut comparison = Comparison {
        base: base.commit.clone(),
        head: head.commit.clone(),
        target: base.target.clone(),
        environment,
        series,
        budgets: check_budgets(head, &rules.budgets),
        policy: ExitPolicy::default(),
    };
    comparison.sort();
    Ok(comparison)
}

#[cfg(test)]
mod tests;
