//! The seeded percentile bootstrap of the relative shift of medians.

use super::rank::{is_positive_finite, percentile_in_place};
use super::{SplitMix64, sorted};

/// Percentile bootstrap interval of the relative shift e^(ln median(head*) − ln median(base*)) − 1:
/// `resamples` resamples of each side with replacement, from a [`SplitMix64`] seeded with `seed`;
/// returns (lower, upper) at `confidence` (e.g. 0.95 -> 2.5th and 97.5th percentiles).
/// Deterministic for a given seed.
///
/// Replicate b = 1..B (B = `resamples`) is θ*_b = median(head*)/median(base*) − 1, the formula
/// above without the rounding of a log and an exponential, where base* and head* are resamples
/// with replacement of `base.len()` and `head.len()` values. The interval is
/// (Q((1 − c)/2), Q((1 + c)/2)) of the B replicates, c = `confidence`, Q the linear-interpolation
/// quantile of [`percentile`] (the percentile interval of Efron & Tibshirani, "An Introduction to
/// the Bootstrap", 1993, §13.3), found by selection.
///
/// The median of a resample is drawn directly from its exact distribution instead of drawing
/// n values and selecting their middle, which is the same distribution at O(1) instead of
/// O(n) per replicate (the tests check it against the enumeration of all nⁿ resamples for
/// n ≤ 7). Sort the side once; a resample's median is x₍J₎ + ½(x₍J′₎ − x₍J₎) (the formula of
/// [`median`]), where J ≤ J′ are the middle order statistics of n indices drawn uniformly with
/// replacement (J′ = J for odd n), and those have closed forms (Efron, "Bootstrap methods:
/// another look at the jackknife", Ann. Statist. 7(1), 1979, §3). With k = ⌈n/2⌉ and
/// N_a ~ Binomial(n, (a + 1)/n) the number of draws at or below sorted index a:
///
/// - P(J ≤ a) = P(N_a ≥ k);
/// - even n: P(J = a, J′ > a) = P(N_a = k) − P(N_{a−1} = k)·((n − a − 1)/(n − a))^(n − k) (k draws
///   at or below a, not all of them below it), and given that, J′ − a is the smallest of the
///   n − k draws above a, uniform on the n − a − 1 indices there:
///   P(J′ − a > g) = ((n − a − 1 − g)/(n − a − 1))^(n − k).
///
/// The pairs (J, J′) and their probabilities go into a Walker alias table (Vose's stable
/// construction: M. D. Vose, "A linear algorithm for generating random numbers with a given
/// distribution", IEEE Trans. Softw. Eng. 17(9), 1991). Per replicate and side, in this order
/// (base, then head): an entry i = `below(table length)`, then a uniform u = ⌊r/2¹¹⌋·2⁻⁵³ of
/// the next 64 bits r; the entry is kept if u < its share, else its alias is taken. The tables
/// use only IEEE 754 +, −, ×, ÷ (no `ln` or `exp` of the platform's libm), so a stored interval
/// is re-derived bit for bit anywhere. Binomial terms below 10⁻²⁰ of the largest, and pairs
/// (J, J′) of probability below 10⁻²⁰, are left out: that moves no probability by more than
/// about 3n·10⁻²⁰, far below what B replicates can resolve.
///
/// `None` if either side is empty or holds a value that is not finite and > 0, if `resamples`
/// is 0, or if `confidence` is not strictly between 0 and 1.
pub fn bootstrap_relative_shift(
    base: &[f64],
    head: &[f64],
    resamples: usize,
    seed: u64,
    confidence: f64,
) -> Option<(f64, f64)> {
    let valid = |xs: &[f64]| !xs.is_empty() && xs.iter().all(|&v| is_positive_finite(v));
    let usable =
        valid(base) && valid(head) && resamples > 0 && confidence > 0.0 && confidence < 1.0;
    if !usable {
        return None;
    }
    let base_median = ResampledMedian::new(base);
    let head_median = ResampledMedian::new(head);
    let mut rng = SplitMix64::new(seed);
    let mut shifts = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let base_star = base_median.sample(&mut rng);
        let head_star = head_median.sample(&mut rng);
        shifts.push(head_star / base_star - 1.0);
    }
    let lower = percentile_in_place(&mut shifts, (1.0 - confidence) / 2.0)?;
    let upper = percentile_in_place(&mut shifts, (1.0 + confidence) / 2.0)?;
    Some((lower, upper))
}

/// Probabilities below this share are left out of the bootstrap tables (see
/// [`bootstrap_relative_shift`]).
pub(crate) const NEGLIGIBLE: f64 = 1e-20;

/// The bootstrap distribution of the median of one sample (see [`bootstrap_relative_shift`]
/// for the formulas): every median a resample can have, with a Walker alias table of their
/// probabilities.
pub(crate) struct ResampledMedian {
    /// x₍J₎ + ½(x₍J′₎ − x₍J₎) for each pair (J, J′) of non-negligible probability.
    pub(crate) medians: Vec<f64>,
    /// keep[i]: the probability of keeping entry i once drawn, rather than alias[i].
    pub(crate) keep: Vec<f64>,
    /// alias[i]: the entry taken instead of i otherwise.
    pub(crate) alias: Vec<usize>,
}

impl ResampledMedian {
    /// The table for `values` (not empty): O(n·w) for the distribution of J, w ≤ n the number
    /// of binomial terms kept (about 10·√n in the middle), plus at most about 50 gaps per J
    /// for an even count.
    pub(crate) fn new(values: &[f64]) -> Self {
        let n = values.len();
        let sorted = sorted(values);
        let k = n.div_ceil(2);
        // ratio[i] = (n − i)/(i + 1), so that w(i + 1) = w(i)·ratio[i]·p/q for Binomial(n, p).
        let ratio: Vec<f64> = (0..n).map(|i| (n - i) as f64 / (i + 1) as f64).collect();
        let inverse_ratio: Vec<f64> = (0..n).map(|i| (i + 1) as f64 / (n - i) as f64).collect();
        // cdf[a] = P(J ≤ a) = P(N_a ≥ k); at_k[a] = P(N_a = k). N_{n−1} = n always.
        let mut cdf = vec![1.0; n];
        let mut at_k = vec![0.0; n];
        for a in 0..n - 1 {
            (cdf[a], at_k[a]) = binomial_tail_and_point(n, a + 1, k, &ratio, &inverse_ratio);
        }
        let midpoint = |a: usize, b: usize| sorted[a] + 0.5 * (sorted[b] - sorted[a]);
        let mut medians = Vec::new();
        let mut masses = Vec::new();
        let mut previous_cdf = 0.0;
        for a in 0..n {
            // Rounding must not make the distribution function decrease.
            let p_at = (cdf[a] - previous_cdf).max(0.0);
            previous_cdf = previous_cdf.max(cdf[a]);
            if p_at < NEGLIGIBLE {
                continue;
            }
            if n % 2 == 1 {
                medians.push(sorted[a]);
                masses.push(p_at);
                continue;
            }
            // P(J = a, J′ > a): k draws at or below a, not all of them below a.
            let all_below = if a > 0 {
                at_k[a - 1] * powu((n - a - 1) as f64 / (n - a) as f64, n - k)
            } else {
                0.0
            };
            let p_leave = (at_k[a] - all_below).clamp(0.0, p_at);
            medians.push(sorted[a]);
            masses.push(p_at - p_leave);
            // J′ = a + g: P(G > g) = ((above − g)/above)^(n − k).
            let above = n - a - 1;
            let mut survival = 1.0;
            for g in 1..=above {
                let next = powu((above - g) as f64 / above as f64, n - k);
                medians.push(midpoint(a, a + g));
                masses.push(p_leave * (survival - next));
                survival = next;
                if p_leave * survival < NEGLIGIBLE {
                    break;
                }
            }
        }
        let (keep, alias) = alias_table(&masses);
        Self {
            medians,
            keep,
            alias,
        }
    }

    /// One draw of the median of a resample with replacement: two draws from `rng` (see
    /// [`bootstrap_relative_shift`]).
    pub(crate) fn sample(&self, rng: &mut SplitMix64) -> f64 {
        let i = rng.below(self.medians.len());
        let chosen = if rng.next_unit() < self.keep[i] {
            i
        } else {
            self.alias[i]
        };
        self.medians[chosen]
    }
}

/// Walker's alias table for the probabilities ∝ `masses` (not all zero), by Vose's
/// construction: scale each mass to mᵢ·L/Σm (L entries, mean 1); repeatedly pair an entry
/// below 1 (kept with that probability) with one at or above 1 (its alias), which gives up the
/// difference; entries left at the end (1 up to rounding) are always kept. Drawing an entry
/// uniformly, then keeping it with probability keep[i] or else taking alias[i], picks entry j
/// with probability m_j/Σm.
pub(crate) fn alias_table(masses: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let len = masses.len();
    let total: f64 = masses.iter().sum();
    let mut scaled: Vec<f64> = masses.iter().map(|m| m * len as f64 / total).collect();
    let mut keep = vec![1.0; len];
    let mut alias: Vec<usize> = (0..len).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..len).partition(|&i| scaled[i] < 1.0);
    while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
        small.pop();
        large.pop();
        keep[s] = scaled[s];
        alias[s] = l;
        // Vose's order of operations: add first, then subtract 1, to keep the rounding small.
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if scaled[l] < 1.0 {
            small.push(l);
        } else {
            large.push(l);
        }
    }
    (keep, alias)
}

/// For N ~ Binomial(n, s/n), 0 < s < n: (P(N ≥ k), P(N = k)). The weights
/// w(i) ∝ C(n, i)·pⁱ·qⁿ⁻ⁱ are built outward from the mode ⌊(n + 1)p⌋ with w = 1 there, by
/// w(i + 1) = w(i)·ratio[i]·(p/q) with ratio[i] = (n − i)/(i + 1) (and `inverse_ratio` its
/// reciprocals, for the walk down), and normalised by their sum; a weight below
/// [`NEGLIGIBLE`] ends the walk (past the mode they only decrease). Only +, −, ×, ÷.
pub(crate) fn binomial_tail_and_point(
    n: usize,
    s: usize,
    k: usize,
    ratio: &[f64],
    inverse_ratio: &[f64],
) -> (f64, f64) {
    let odds = s as f64 / (n - s) as f64;
    let mode = ((n + 1) * s / n).min(n);
    let (mut at_least_k, mut below_k, mut at_k) = (0.0, 0.0, 0.0);
    let mut add = |i: usize, w: f64| {
        if i >= k {
            at_least_k += w;
        } else {
            below_k += w;
        }
        if i == k {
            at_k = w;
        }
    };
    add(mode, 1.0);
    let mut w = 1.0;
    for (i, r) in ratio.iter().enumerate().skip(mode) {
        w *= r * odds;
        if w < NEGLIGIBLE {
            break;
        }
        add(i + 1, w);
    }
    // Downward by the reciprocal, w(i) = w(i + 1)·(1/ratio[i])·(q/p), multiplications only.
    let inverse_odds = (n - s) as f64 / s as f64;
    let mut w = 1.0;
    for (i, r) in inverse_ratio.iter().enumerate().take(mode).rev() {
        w *= r * inverse_odds;
        if w < NEGLIGIBLE {
            break;
        }
        add(i, w);
    }
    let total = at_least_k + below_k;
    (at_least_k / total, at_k / total)
}

/// xᵉ by repeated squaring: a fixed sequence of IEEE 754 multiplications, so the result is the
/// same on every platform (unlike `powi`, whose precision is unspecified).
pub(crate) fn powu(mut x: f64, mut e: usize) -> f64 {
    let mut result = 1.0;
    while e > 0 {
        if e & 1 == 1 {
            result *= x;
        }
        x *= x;
        e >>= 1;
    }
    result
}
