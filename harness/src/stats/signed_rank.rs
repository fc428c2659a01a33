//! One-sample statistics of paired differences: Wilcoxon's signed-rank test, the
//! Hodges–Lehmann estimate (the median of the Walsh averages) and its distribution-free
//! confidence interval at any level (Hollander, Wolfe & Chicken, "Nonparametric Statistical
//! Methods", 3rd ed., Wiley 2014, §3.1–3.3), and the paired minimal detectable shift.
//!
//! `compare --run` measures base and head of a unit back to back in each round; the inputs here
//! are the per-round log ratios dᵣ = ln headᵣ − ln baseᵣ, so that a drift of the machine common
//! to both sides of a round cancels.

use super::rank::normal_sf;
use super::{MDE95_Z, log_mad_spread, median, sorted};

/// Up to this many non-zero differences without ties, the null distribution of the signed-rank
/// statistic is counted exactly; above, or with ties, the normal approximation is used.
pub const EXACT_MAX_N: usize = 60;

/// Wilcoxon's signed-rank test of a sample of differences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SignedRank {
    /// V: the sum of the ranks of |dᵢ| over the positive dᵢ (R's `V`), zeros dropped.
    pub statistic: f64,
    /// The two-sided p-value of H₀: the differences are symmetric about 0.
    pub p_value: f64,
    /// How many non-zero differences were ranked.
    pub n: usize,
    /// Whether the p-value is exact (no ties, n ≤ [`EXACT_MAX_N`]).
    pub exact: bool,
}

/// Midranks of |dᵢ| for the non-zero dᵢ, and whether any two tie.
fn abs_midranks(d: &[f64]) -> (Vec<(f64, f64)>, bool, f64) {
    let mut nonzero: Vec<f64> = d.iter().copied().filter(|&x| x != 0.0).collect();
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let mut out = Vec::with_capacity(nonzero.len());
    let mut ties = false;
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < nonzero.len() {
        let mut j = i;
        while j + 1 < nonzero.len() && nonzero[j + 1].abs() == nonzero[i].abs() {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        if t > 1.0 {
            ties = true;
            tie_term += t * t * t - t;
        }
        for &x in &nonzero[i..=j] {
            out.push((x, rank));
        }
        i = j + 1;
    }
    (out, ties, tie_term)
}

/// The number of subsets of {1, …, n} with each sum t = 0 … n(n+1)/2: the null distribution of
/// V times 2ⁿ (every sign pattern equally likely).
fn subset_sum_counts(n: usize) -> Vec<f64> {
    let max = n * (n + 1) / 2;
    let mut counts = vec![0.0; max + 1];
    counts[0] = 1.0;
    for i in 1..=n {
        for t in (i..=i * (i + 1) / 2).rev() {
            counts[t] += counts[t - i];
        }
    }
    counts
}

/// P(V ≤ t) under H₀ for n untied ranks, exactly.
fn exact_cdf(n: usize) -> Vec<f64> {
    let counts = subset_sum_counts(n);
    let total = 2f64.powi(n as i32);
    let mut acc = 0.0;
    counts
        .iter()
        .map(|c| {
            acc += c;
            acc / total
        })
        .collect()
}

/// Wilcoxon's signed-rank test (two-sided). Zeros are dropped (Wilcoxon's convention, as R's
/// `wilcox.test`); ties get midranks. Exact null distribution without ties up to
/// [`EXACT_MAX_N`] differences, else the normal approximation with the tie correction
/// Var V = n(n+1)(2n+1)/24 − Σ(t³ − t)/48 and a continuity correction of ½ (R's
/// `correct = TRUE`). `None` for no non-zero difference or a NaN.
pub fn wilcoxon_signed_rank(d: &[f64]) -> Option<SignedRank> {
    if d.iter().any(|x| x.is_nan()) {
        return None;
    }
    let (ranked, ties, tie_term) = abs_midranks(d);
    let n = ranked.len();
    if n == 0 {
        return None;
    }
    let v: f64 = ranked
        .iter()
        .filter(|(x, _)| *x > 0.0)
        .map(|(_, r)| r)
        .sum();
    let mean = (n * (n + 1)) as f64 / 4.0;
    if !ties && n <= EXACT_MAX_N {
        let cdf = exact_cdf(n);
        let v_int = v.round() as usize;
        let lower = cdf[v_int];
        // P(V ≥ v) = P(V ≤ M − v) by symmetry.
        let upper = cdf[n * (n + 1) / 2 - v_int];
        let p = (2.0 * lower.min(upper)).min(1.0);
        return Some(SignedRank {
            statistic: v,
            p_value: p,
            n,
            exact: true,
        });
    }
    let variance = (n * (n + 1) * (2 * n + 1)) as f64 / 24.0 - tie_term / 48.0;
    if variance <= 0.0 {
        return None;
    }
    let excess = (v - mean).abs();
    let z = (excess - 0.5).max(0.0) / variance.sqrt();
    Some(SignedRank {
        statistic: v,
        p_value: (2.0 * normal_sf(z)).min(1.0),
        n,
        exact: false,
    })
}

/// The Walsh averages (dᵢ + dⱼ)/2, i ≤ j, sorted: n(n+1)/2 of them.
fn walsh_averages(d: &[f64]) -> Vec<f64> {
    let mut w = Vec::with_capacity(d.len() * (d.len() + 1) / 2);
    for i in 0..d.len() {
        for j in i..d.len() {
            w.push((d[i] + d[j]) / 2.0);
        }
    }
    sorted(&w)
}

/// The Hodges–Lehmann estimate of the centre of the differences: the median of the Walsh
/// averages (R's "(pseudo)median"). `None` for no difference or a NaN.
pub fn walsh_median(d: &[f64]) -> Option<f64> {
    if d.is_empty() || d.iter().any(|x| x.is_nan()) {
        return None;
    }
    median(&walsh_averages(d))
}

/// Φ⁻¹(1 − a) for 0 < a < ½, by bisection on the normal tail (exact to 1e-12).
fn upper_quantile(a: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if normal_sf(mid) > a {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// The distribution-free confidence interval of the centre of the differences at `confidence`
/// (0 < confidence < 1): [W₍ₖ₎, W₍ₘ₊₁₋ₖ₎] of the M = n(n+1)/2 sorted Walsh averages, with k − 1
/// the largest t such that P(V ≤ t) ≤ (1 − confidence)/2 under H₀ (exact for n ≤
/// [`EXACT_MAX_N`]; above, k = ⌊M/2 − z·√(n(n+1)(2n+1)/24)⌋ with z = Φ⁻¹(1 − (1 − confidence)/2)).
/// Its coverage is at least `confidence`. `None` when n is too small for the level (k < 1: no
/// finite interval has that coverage) or for a NaN.
pub fn signed_rank_interval(d: &[f64], confidence: f64) -> Option<(f64, f64)> {
    if d.is_empty() || d.iter().any(|x| x.is_nan()) || !(0.0..1.0).contains(&confidence) {
        return None;
    }
    let n = d.len();
    let m = n * (n + 1) / 2;
    let half = (1.0 - confidence) / 2.0;
    let k = if n <= EXACT_MAX_N {
        let cdf = exact_cdf(n);
        // k − 1 = the number of t with P(V ≤ t) ≤ half (the cdf increases).
        cdf.iter().take_while(|&&p| p <= half).count()
    } else {
        let sd = ((n * (n + 1) * (2 * n + 1)) as f64 / 24.0).sqrt();
        let k = (m as f64 / 2.0 - upper_quantile(half) * sd).floor();
        if k < 1.0 { 0 } else { k as usize }
    };
    if k < 1 {
        return None;
    }
    let w = walsh_averages(d);
    Some((w[k - 1], w[m - k]))
}

/// σ̂_d, the robust spread of paired differences: 1.4826 · MAD of the dᵣ. `None` for fewer than
/// two differences or one that is not finite.
pub fn paired_spread(d: &[f64]) -> Option<f64> {
    if d.len() < 2 || d.iter().any(|x| !x.is_finite()) {
        return None;
    }
    // log_mad_spread takes positive values: the spread of e^d is the MAD of d.
    let exp: Vec<f64> = d.iter().map(|x| x.exp()).collect();
    log_mad_spread(&exp)
}

/// MDE95 = exp((z₀.₉₇₅ + z₀.₉₅) · σ̂_d/√n) − 1 for a spread σ̂_d of n paired differences.
pub fn detectable_shift(spread: f64, n: usize) -> f64 {
    (MDE95_Z * spread / (n as f64).sqrt()).exp_m1()
}

/// The minimal detectable shift at 95% power of paired log ratios (the paired form of
/// [`super::minimal_detectable_shift`]): [`detectable_shift`] of their [`paired_spread`].
/// `None` for fewer than two differences.
pub fn paired_minimal_detectable_shift(d: &[f64]) -> Option<f64> {
    Some(detectable_shift(paired_spread(d)?, d.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hollander & Wolfe's depression data (Hamilton scale, first and second visit, 9
    /// patients), the example of R's `wilcox.test` documentation: `wilcox.test(x, y, paired =
    /// TRUE, alternative = "greater")` gives V = 40, p-value = 0.01953.
    const X: [f64; 9] = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
    #[expect(clippy::approx_constant, reason = "3.14 is a patient's score, not π")]
    const Y: [f64; 9] = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

    fn differences() -> Vec<f64> {
        X.iter().zip(Y).map(|(x, y)| x - y).collect()
    }

    #[test]
    fn the_published_example_of_r() {
        let t = wilcoxon_signed_rank(&differences()).expect("a test");
        assert_eq!(t.statistic, 40.0);
        assert_eq!(t.n, 9);
        assert!(t.exact);
        // Two-sided: twice R's one-sided 0.01953 (10 of the 512 sign patterns have V ≥ 40).
        assert!(
            (t.p_value - 2.0 * 10.0 / 512.0).abs() < 1e-15,
            "{}",
            t.p_value
        );
        assert!((t.p_value / 2.0 - 0.01953).abs() < 5e-6);
    }

    /// The exact distribution against every sign pattern, counted one by one.
    #[test]
    fn the_exact_distribution_counts_every_sign_pattern() {
        for n in 1..=12usize {
            let counts = subset_sum_counts(n);
            let mut brute = vec![0.0; n * (n + 1) / 2 + 1];
            for mask in 0u32..(1 << n) {
                let v: usize = (0..n).filter(|i| mask & (1 << i) != 0).map(|i| i + 1).sum();
                brute[v] += 1.0;
            }
            assert_eq!(counts, brute, "n = {n}");
        }
    }

    #[test]
    fn the_normal_approximation_with_ties() {
        // |d| ties at 1 (twice) and 3 (three times): midranks 1.5, 1.5, 4, 4, 4, 6.
        let d = [1.0, -1.0, 3.0, 3.0, -3.0, 5.0];
        let t = wilcoxon_signed_rank(&d).expect("a test");
        assert!(!t.exact);
        assert_eq!(t.statistic, 1.5 + 4.0 + 4.0 + 6.0);
        // Var = 6·7·13/24 − ((8 − 2) + (27 − 3))/48 = 22.75 − 0.625; z = (|15.5 − 10.5| − ½)/√Var.
        let z: f64 = (5.0 - 0.5) / (22.75f64 - 0.625).sqrt();
        assert!((t.p_value - 2.0 * normal_sf(z)).abs() < 1e-15);
        assert!(wilcoxon_signed_rank(&[0.0, 0.0]).is_none());
        assert!(wilcoxon_signed_rank(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn the_walsh_median_and_its_interval() {
        let d = differences();
        // 45 Walsh averages; the median is the 23rd.
        let w = walsh_averages(&d);
        assert_eq!(w.len(), 45);
        let hl = walsh_median(&d).expect("an estimate");
        assert_eq!(hl, w[22]);
        assert!((hl - 0.46).abs() < 0.01, "{hl}");
        // n = 9 at 95%: P(V ≤ 5) = 10/512 ≤ 0.025 < P(V ≤ 6) = 14/512, so k = 6: the 6th and
        // the 40th Walsh averages (coverage 1 − 2·10/512 = 96.1%).
        let (lo, hi) = signed_rank_interval(&d, 0.95).expect("an interval");
        assert_eq!((lo, hi), (w[5], w[39]));
        assert!(lo < hl && hl < hi);
        // A stricter level widens it; one no 9 differences can reach has none.
        let (lo99, hi99) = signed_rank_interval(&d, 0.99).expect("an interval");
        assert!(lo99 <= lo && hi <= hi99);
        assert!(signed_rank_interval(&d, 1.0 - 1.0 / 512.0).is_none());
        assert!(signed_rank_interval(&d[..4], 0.95).is_none());
    }

    #[test]
    fn the_interval_covers_at_its_level() {
        // Coverage of the true centre (0) by the 90% interval over seeded symmetric samples.
        let mut rng = crate::stats::SplitMix64::new(11);
        let trials = 2000;
        let mut covered = 0;
        for _ in 0..trials {
            let d: Vec<f64> = (0..15)
                .map(|_| (rng.below(2001) as f64 - 1000.0) / 1000.0)
                .collect();
            if let Some((lo, hi)) = signed_rank_interval(&d, 0.90)
                && lo <= 0.0
                && 0.0 <= hi
            {
                covered += 1;
            }
        }
        let rate = covered as f64 / trials as f64;
        assert!((0.88..=0.94).contains(&rate), "{rate}");
    }

    #[test]
    fn above_the_exact_range_the_normal_interval_is_close_to_the_exact_one() {
        let d: Vec<f64> = (0..61).map(|i| (i as f64 * 0.37).sin()).collect();
        let normal = signed_rank_interval(&d, 0.95).expect("normal");
        let exact_k = exact_cdf(61).iter().take_while(|&&p| p <= 0.025).count();
        let w = walsh_averages(&d);
        let exact = (w[exact_k - 1], w[w.len() - exact_k]);
        assert!((normal.0 - exact.0).abs() < 0.01 && (normal.1 - exact.1).abs() < 0.01);
    }

    #[test]
    fn the_paired_mde_shrinks_with_the_rounds() {
        let d: Vec<f64> = (0..8).map(|i| [0.01, -0.01][i % 2]).collect();
        let eight = paired_minimal_detectable_shift(&d).expect("mde");
        let d32: Vec<f64> = (0..32).map(|i| [0.01, -0.01][i % 2]).collect();
        let thirty_two = paired_minimal_detectable_shift(&d32).expect("mde");
        assert!(
            (eight / thirty_two - 2.0).abs() < 0.05,
            "{eight} {thirty_two}"
        );
        // σ̂ = 1.4826 · 0.01, n = 8.
        let expected = (MDE95_Z * 1.4826 * 0.01 / 8f64.sqrt()).exp_m1();
        assert!((eight - expected).abs() < 1e-12);
        assert!(paired_minimal_detectable_shift(&[0.1]).is_none());
    }
}
