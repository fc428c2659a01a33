//! Statistics of samples: descriptive statistics (mean, median, percentiles, standard deviation,
//! coefficient of variation) and the two-sample statistics `compare` decides with (Mann–Whitney
//! U test, Hodges–Lehmann shift, bootstrap interval of the shift, Benjamini–Hochberg q-values,
//! the historical noise fence), plus the seeded PRNG that keeps the bootstrap reproducible.
//! Pure functions of `&[f64]`; no I/O, no tool formats, no verdicts (those belong to `compare`).
//!
//! Every function returns `None` where its statistic is undefined (no samples, one sample for
//! a spread, a mean of zero for a relative spread, a non-positive value for a log shift) rather
//! than NaN or a panic, so callers decide what a missing value means. In the descriptive
//! statistics NaN samples are not rejected: they propagate into means and spreads, and sort
//! after every number (IEEE 754 `totalOrder`) for order statistics. The two-sample statistics
//! reject NaN (`None`), since a rank or a log of NaN means nothing.

use sha2::{Digest, Sha256};

/// The arithmetic mean, x̄ = (1/n)·Σ xᵢ. `None` for no samples.
pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    Some(xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The samples in ascending order (IEEE 754 `totalOrder`, [`f64::total_cmp`]), as
/// [`percentile`] wants them.
pub fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut out = xs.to_vec();
    out.sort_by(f64::total_cmp);
    out
}

/// The median: [`percentile`] at q = 0.5 of the sorted samples, so the middle sample for an
/// odd count and the mean of the two middle samples for an even count. `None` for no samples.
pub fn median(xs: &[f64]) -> Option<f64> {
    percentile(&sorted(xs), 0.5)
}

/// The q-quantile of `sorted` (ascending), for q a fraction in [0, 1] (0.95, not 95), by
/// linear interpolation between the closest ranks: with h = (n − 1)·q and i = ⌊h⌋,
/// Q(q) = x₍ᵢ₎ + (h − i)·(x₍ᵢ₊₁₎ − x₍ᵢ₎), ranks counted from 0.
///
/// This is definition 7 of Hyndman & Fan, "Sample quantiles in statistical packages" (The
/// American Statistician 50(4), 1996), the default of R's `quantile` and numpy's
/// `percentile`/`quantile` (`method="linear"`). Q(0) is the minimum, Q(1) the maximum.
///
/// `None` for no samples, or for q outside [0, 1] (including NaN).
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    debug_assert!(
        sorted.windows(2).all(|w| w[0].total_cmp(&w[1]).is_le()),
        "percentile needs ascending samples"
    );
    let h = (sorted.len() - 1) as f64 * q;
    let i = h.floor() as usize;
    let lower = sorted[i];
    match sorted.get(i + 1) {
        // h − i is zero at an exact rank, which then returns x₍ᵢ₎ itself even if x₍ᵢ₊₁₎ is
        // infinite.
        Some(&upper) if h > i as f64 => Some(lower + (h - i as f64) * (upper - lower)),
        _ => Some(lower),
    }
}

/// The sample standard deviation with Bessel's correction,
/// s = √( Σ (xᵢ − x̄)² / (n − 1) ), computed in two passes (mean first) so large, close values
/// do not cancel. `None` for fewer than two samples.
pub fn sample_std_dev(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let m = mean(xs)?;
    let sum_sq: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    Some((sum_sq / (xs.len() - 1) as f64).sqrt())
}

/// The coefficient of variation, c_v = s / x̄: [`sample_std_dev`] over [`mean`], a unitless
/// relative spread. `None` for fewer than two samples or a mean of zero.
pub fn coefficient_of_variation(xs: &[f64]) -> Option<f64> {
    let s = sample_std_dev(xs)?;
    let m = mean(xs)?;
    if m == 0.0 {
        return None;
    }
    Some(s / m)
}

/// The scaled median absolute deviation of the logarithms, σ̂ = 1.4826 · median |ln xᵢ − m|
/// with m the median of the ln xᵢ: a robust estimate of the relative spread (for normal
/// data it estimates the standard deviation; 1.4826 ≈ 1/Φ⁻¹(3/4)). `None` for fewer than two
/// samples or a sample that is not positive.
pub fn log_mad_spread(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 || xs.iter().any(|&x| !(x > 0.0 && x.is_finite())) {
        return None;
    }
    let logs: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
    let m = median(&logs)?;
    let deviations: Vec<f64> = logs.iter().map(|l| (l - m).abs()).collect();
    Some(1.4826 * median(&deviations)?)
}

/// z-values of the minimal detectable effect: Φ⁻¹(0.975) for a two-sided test at α = 0.05 plus
/// Φ⁻¹(0.95) for a power of 95%.
pub const MDE95_Z: f64 = 1.959_963_984_540_054 + 1.644_853_626_951_472_2;

/// The minimal detectable relative shift at 95% power (MDE95) of two samples, from their
/// robust log spreads ([`log_mad_spread`]) by the normal approximation:
///
/// > MDE95 = exp( (z₀.₉₇₅ + z₀.₉₅) · √(σ̂_b²/n_b + σ̂_h²/n_h) ) − 1
///
/// A real shift smaller than this is missed more than 5% of the time at α = 0.05; when it is
/// larger than the gate, the gate cannot be enforced with these samples. `None` where a
/// spread is undefined.
pub fn minimal_detectable_shift(base: &[f64], head: &[f64]) -> Option<f64> {
    let sb = log_mad_spread(base)?;
    let sh = log_mad_spread(head)?;
    let se = (sb * sb / base.len() as f64 + sh * sh / head.len() as f64).sqrt();
    Some((MDE95_Z * se).exp_m1())
}

/// Result of a two-sided Mann–Whitney U test ([`mann_whitney_u`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample, U₁ = R₁ − n₁(n₁ + 1)/2 with R₁ the sum of its midranks in the
    /// pooled sample: the number of pairs (i, j) with xᵢ > yⱼ, ties counting one half.
    pub u: f64,
    /// The two-sided p-value, in [0, 1].
    pub p_value: f64,
    /// Whether `p_value` comes from the exact null distribution (no ties, both samples of at
    /// most [`MWU_EXACT_MAX_N`] values) rather than the normal approximation.
    pub exact: bool,
}

/// The largest sample size, per side, for which [`mann_whitney_u`] uses the exact null
/// distribution (when there are no ties). The count of orderings, C(40, 20) ≈ 1.4·10¹¹, is then
/// an exact integer in an `i64` and in an `f64`.
pub const MWU_EXACT_MAX_N: usize = 20;

/// Two-sided Mann–Whitney U test of `x` against `y` (midranks for ties). Exact null
/// distribution (dynamic programming over the number of ways to reach each U) when there are
/// no ties and both samples have ≤ 20 values; otherwise the normal approximation with the tie
/// correction of the variance and a 0.5 continuity correction (as
/// `scipy.stats.mannwhitneyu(method="asymptotic", use_continuity=True)`).
///
/// Pool the n = n₁ + n₂ values, rank them 1..n with tied values sharing the mean of their
/// ranks (midranks), and let R₁ be the rank sum of `x`. Then U₁ = R₁ − n₁(n₁ + 1)/2 (reported
/// in [`MannWhitney::u`]), U₂ = n₁n₂ − U₁ and U = max(U₁, U₂); the p-value is
/// min(1, 2·P(U_null ≥ U)) (Mann & Whitney, "On a test of whether one of two random variables
/// is stochastically larger than the other", Ann. Math. Statist. 18(1), 1947):
///
/// - exact: under H₀ all C(n, n₁) orderings of the pooled sample are equally likely, and the
///   number of orderings with U₁ = u is the coefficient of qᵘ in the Gaussian binomial
///   coefficient [n choose n₁]_q = ∏_{i=1..k} (1 − q^{N+i}) / (1 − q^i), k = min(n₁, n₂),
///   N = max(n₁, n₂). It is built one factor at a time (a multiplication and an exact division
///   of integer polynomials, at most 20 × 420 steps) and the tail is summed as integers, so
///   the p-value is a correctly rounded ratio of integers;
/// - normal approximation: z = (U − n₁n₂/2 − 0.5) / σ with
///   σ² = (n₁n₂/12)·((n + 1) − Σ(t³ − t)/(n(n − 1))), the sum over groups of t tied values
///   (Lehmann, "Nonparametrics", 1975, §1.4), and P(U_null ≥ U) = 1 − Φ(z), Φ evaluated with
///   W. J. Cody's rational Chebyshev approximation of erfc (Math. Comp. 23, 1969).
///   When every value is tied, σ = 0 and there is no evidence of a shift: p = 1.
///
/// `None` if either sample is empty or holds a NaN. Infinite values are ranked like others.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    if x.is_empty() || y.is_empty() || x.iter().chain(y).any(|v| v.is_nan()) {
        return None;
    }
    let (n1, n2) = (x.len(), y.len());
    let n = n1 + n2;
    // Adding 0.0 turns −0.0 into +0.0, so the two zeros tie as IEEE 754 equality says they do;
    // `total_cmp` would otherwise order them apart.
    let mut pooled: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v + 0.0, true))
        .chain(y.iter().map(|&v| (v + 0.0, false)))
        .collect();
    pooled.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));

    let mut rank_sum_x = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < n {
        let value = pooled[start].0;
        let end = start + pooled[start..].iter().take_while(|p| p.0 == value).count();
        // Ranks start + 1 ..= end share their mean, (start + 1 + end) / 2.
        let midrank = (start + 1 + end) as f64 / 2.0;
        let from_x = pooled[start..end].iter().filter(|p| p.1).count();
        rank_sum_x += midrank * from_x as f64;
        let t = (end - start) as f64;
        tie_term += t * t * t - t;
        start = end;
    }
    let u1 = rank_sum_x - (n1 * (n1 + 1)) as f64 / 2.0;
    let n1n2 = (n1 * n2) as f64;
    let u = u1.max(n1n2 - u1);

    if tie_term == 0.0 && n1 <= MWU_EXACT_MAX_N && n2 <= MWU_EXACT_MAX_N {
        // Without ties U is an integer (a count of pairs), exactly represented.
        let tail = mwu_exact_upper_tail(u as usize, n1, n2);
        return Some(MannWhitney {
            u: u1,
            p_value: (2.0 * tail).min(1.0),
            exact: true,
        });
    }

    let nf = n as f64;
    let variance = n1n2 / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)));
    let p_value = if variance > 0.0 {
        let z = (u - n1n2 / 2.0 - 0.5) / variance.sqrt();
        (2.0 * normal_sf(z)).min(1.0)
    } else {
        1.0
    };
    Some(MannWhitney {
        u: u1,
        p_value,
        exact: false,
    })
}

/// P(U_null ≥ u) for samples of n₁ and n₂ distinct values (both ≤ [`MWU_EXACT_MAX_N`]): the
/// share of the C(n₁ + n₂, n₁) orderings whose U is at least `u`, read off the coefficients of
/// the Gaussian binomial coefficient (see [`mann_whitney_u`]).
fn mwu_exact_upper_tail(u: usize, n1: usize, n2: usize) -> f64 {
    const LEN: usize = MWU_EXACT_MAX_N * MWU_EXACT_MAX_N + MWU_EXACT_MAX_N + 1;
    let (k, big) = (n1.min(n2), n1.max(n2));
    debug_assert!(big <= MWU_EXACT_MAX_N, "exact null only up to 20 per side");
    // counts[d] = coefficient of q^d; after step i it holds [big + i choose i]_q, of degree
    // i·big, whose coefficients count orderings of i and big values by U.
    let mut counts = [0i64; LEN];
    counts[0] = 1;
    for i in 1..=k {
        let factor = big + i;
        let top = i * big + i;
        // Multiply by (1 − q^factor), from the top so each step reads an unchanged value.
        for d in (factor..=top).rev() {
            counts[d] -= counts[d - factor];
        }
        // Divide by (1 − q^i) (exact): new[d] = old[d] + new[d − i], from the bottom.
        for d in i..=top {
            counts[d] += counts[d - i];
        }
    }
    let degree = k * big;
    let total: i64 = counts[..=degree].iter().sum();
    let tail: i64 = counts[u.min(degree + 1)..=degree].iter().sum();
    tail as f64 / total as f64
}

/// The upper tail of the standard normal distribution, 1 − Φ(z) = erfc(z/√2)/2. Φ's
/// complement is never formed, so small tails keep their relative accuracy: a few 10⁻¹⁵ for
/// |z| ≤ 6, then growing like z²·2⁻⁵³ from the rounding of z/√2 (10⁻¹⁴ at z = 8, 2·10⁻¹³ at
/// z = 37), far below what a p-value needs.
fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// The complementary error function erfc(x) = (2/√π)·∫ₓ^∞ e^(−t²) dt, by W. J. Cody's
/// near-minimax rational approximations ("Rational Chebyshev approximations for the error
/// function", Math. Comp. 23(107), 1969, pp. 631–637), with the coefficients, intervals and the
/// split evaluation of e^(−x²) of his CALERF routine (netlib `specfun`, 1990 revision):
/// |x| ≤ 0.46875: 1 − x·R₁(x²); 0.46875 < |x| ≤ 4: e^(−x²)·R₂(|x|);
/// |x| > 4: e^(−x²)/|x| · (1/√π − R₃(1/x²)/x²); negative x by erfc(x) = 2 − erfc(−x).
/// Relative error below 10⁻¹⁵ in double precision.
#[expect(
    clippy::excessive_precision,
    reason = "Cody's coefficients are kept digit for digit as published, so they can be checked"
)]
fn erfc(x: f64) -> f64 {
    const A: [f64; 5] = [
        3.161_123_743_870_565_6,
        1.138_641_541_510_501_56e2,
        3.774_852_376_853_020_21e2,
        3.209_377_589_138_469_47e3,
        1.857_777_061_846_031_53e-1,
    ];
    const B: [f64; 4] = [
        2.360_129_095_234_412_09e1,
        2.440_246_379_344_441_73e2,
        1.282_616_526_077_372_28e3,
        2.844_236_833_439_170_62e3,
    ];
    const C: [f64; 9] = [
        5.641_884_969_886_700_89e-1,
        8.883_149_794_388_375_94,
        6.611_919_063_714_162_95e1,
        2.986_351_381_974_001_31e2,
        8.819_522_212_417_690_90e2,
        1.712_047_612_634_070_58e3,
        2.051_078_377_826_071_47e3,
        1.230_339_354_797_997_25e3,
        2.153_115_354_744_038_46e-8,
    ];
    const D: [f64; 8] = [
        1.574_492_611_070_983_47e1,
        1.176_939_508_913_124_99e2,
        5.371_811_018_620_098_58e2,
        1.621_389_574_566_690_19e3,
        3.290_799_235_733_459_63e3,
        4.362_619_090_143_247_16e3,
        3.439_367_674_143_721_64e3,
        1.230_339_354_803_749_42e3,
    ];
    const P: [f64; 6] = [
        3.053_266_349_612_323_44e-1,
        3.603_448_999_498_044_39e-1,
        1.257_817_261_112_292_46e-1,
        1.608_378_514_874_227_66e-2,
        6.587_491_615_298_378_03e-4,
        1.631_538_713_730_209_78e-2,
    ];
    const Q: [f64; 5] = [
        2.568_520_192_289_822_42,
        1.872_952_849_923_460_47,
        5.279_051_029_514_284_12e-1,
        6.051_834_131_244_131_91e-2,
        2.335_204_976_268_691_85e-3,
    ];
    /// 1/√π.
    const FRAC_1_SQRT_PI: f64 = 5.641_895_835_477_562_869_5e-1;
    /// Beyond this, erfc(x) underflows to 0 (Cody's XBIG for IEEE double precision).
    const X_BIG: f64 = 26.543;

    if x.is_nan() {
        return x;
    }
    let y = x.abs();
    if y <= 0.46875 {
        // erf(x) = x·R₁(x²); x² is dropped below 1.11e-16, where it cannot change the sum.
        let ysq = if y > 1.11e-16 { y * y } else { 0.0 };
        let (mut num, mut den) = (A[4] * ysq, ysq);
        for (a, b) in A.iter().zip(&B).take(3) {
            num = (num + a) * ysq;
            den = (den + b) * ysq;
        }
        return 1.0 - x * (num + A[3]) / (den + B[3]);
    }
    let upper = if y <= 4.0 {
        let (mut num, mut den) = (C[8] * y, y);
        for (c, d) in C.iter().zip(&D).take(7) {
            num = (num + c) * y;
            den = (den + d) * y;
        }
        exp_neg_square(y) * (num + C[7]) / (den + D[7])
    } else if y >= X_BIG {
        0.0
    } else {
        let ysq = 1.0 / (y * y);
        let (mut num, mut den) = (P[5] * ysq, ysq);
        for (p, q) in P.iter().zip(&Q).take(4) {
            num = (num + p) * ysq;
            den = (den + q) * ysq;
        }
        let r = ysq * (num + P[4]) / (den + Q[4]);
        exp_neg_square(y) * (FRAC_1_SQRT_PI - r) / y
    };
    if x < 0.0 { 2.0 - upper } else { upper }
}

/// e^(−y²) as e^(−r²)·e^(−(y − r)(y + r)) with r = y rounded down to a multiple of 1/16, so the
/// rounding error of y² is not magnified by the exponential (Cody's CALERF).
fn exp_neg_square(y: f64) -> f64 {
    let r = (y * 16.0).trunc() / 16.0;
    let rest = (y - r) * (y + r);
    (-r * r).exp() * (-rest).exp()
}

/// Above this many pairs, [`hodges_lehmann_log_shift`] works on subsamples.
const HL_MAX_PAIRS: usize = 40_000;
/// The size of each subsample [`hodges_lehmann_log_shift`] takes from a side that is too big.
const HL_SUBSAMPLE_LEN: usize = 200;

/// Hodges–Lehmann shift on logs: median over all pairs (i, j) of ln(head_j) − ln(base_i).
/// Values ≤ 0 are not allowed (None). To bound the cost, when n·m > 40 000 use evenly spaced
/// subsamples of at most 200 values per side.
///
/// HL = median{ ln yⱼ − ln xᵢ : 1 ≤ i ≤ n, 1 ≤ j ≤ m } (Hodges & Lehmann, "Estimates of location
/// based on rank tests", Ann. Math. Statist. 34(2), 1963): the shift estimate that goes with
/// the Mann–Whitney test, on the log scale so it is a ratio, e^HL = head/base, robust to
/// outliers on either side. The median of an even count is the mean of the two middle values
/// (as [`median`]); it is found by selection (`select_nth_unstable_by`), not a full sort.
///
/// Subsampling: when n·m > 40 000, each side with more than 200 values is replaced by 200 of
/// its order statistics, evenly spaced by rank: ranks round(k·(len − 1)/199), k = 0..199, of the
/// sorted logs (so the minimum and maximum are kept and the subsample follows the quantiles of
/// the whole side). The result is then the Hodges–Lehmann shift of those quantile summaries,
/// an approximation of the full one; it is exact for a pure shift (head = c·base at equal
/// ranks), and the cost stays at most 40 000 differences.
///
/// `None` if either side is empty or holds a value that is not finite and > 0 (NaN included).
pub fn hodges_lehmann_log_shift(base: &[f64], head: &[f64]) -> Option<f64> {
    let mut base_logs = positive_logs(base)?;
    let mut head_logs = positive_logs(head)?;
    if base_logs.len().saturating_mul(head_logs.len()) > HL_MAX_PAIRS {
        base_logs = evenly_spaced_by_rank(base_logs, HL_SUBSAMPLE_LEN);
        head_logs = evenly_spaced_by_rank(head_logs, HL_SUBSAMPLE_LEN);
    }
    let mut differences = Vec::with_capacity(base_logs.len() * head_logs.len());
    for h in &head_logs {
        differences.extend(base_logs.iter().map(|b| h - b));
    }
    percentile_in_place(&mut differences, 0.5)
}

/// The natural logs of `xs`; `None` if it is empty or a value is not finite and > 0.
fn positive_logs(xs: &[f64]) -> Option<Vec<f64>> {
    if xs.is_empty() || !xs.iter().all(|&v| is_positive_finite(v)) {
        return None;
    }
    Some(xs.iter().map(|v| v.ln()).collect())
}

/// Whether `v` is a finite number > 0 (false for NaN).
fn is_positive_finite(v: f64) -> bool {
    v > 0.0 && v.is_finite()
}

/// At most `len` (≥ 2) of `values`' order statistics, evenly spaced by rank: sorted ranks
/// round(k·(n − 1)/(len − 1)) for k = 0..len. `values` itself when it has at most `len` values.
fn evenly_spaced_by_rank(mut values: Vec<f64>, len: usize) -> Vec<f64> {
    if values.len() <= len {
        return values;
    }
    values.sort_unstable_by(f64::total_cmp);
    let last = values.len() - 1;
    let steps = len - 1;
    // round(k·last/steps) in integers: ⌊(2·k·last + steps) / (2·steps)⌋. The step last/steps
    // exceeds 1, so the ranks are distinct.
    (0..len)
        .map(|k| values[(2 * k * last + steps) / (2 * steps)])
        .collect()
}

/// [`percentile`] of unsorted `values`, found by selection: the same value as
/// `percentile(&sorted(values), q)` (Hyndman & Fan definition 7) in O(n) expected time; the
/// order of `values` afterwards is unspecified. `None` for no values or q outside [0, 1].
fn percentile_in_place(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let h = (values.len() - 1) as f64 * q;
    let i = h.floor() as usize;
    let (_, &mut lower, above) = values.select_nth_unstable_by(i, f64::total_cmp);
    // x₍ᵢ₊₁₎ is the smallest value above rank i; at an exact rank it is not needed.
    match above.iter().copied().min_by(f64::total_cmp) {
        Some(upper) if h > i as f64 => Some(lower + (h - i as f64) * (upper - lower)),
        _ => Some(lower),
    }
}

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
const NEGLIGIBLE: f64 = 1e-20;

/// The bootstrap distribution of the median of one sample (see [`bootstrap_relative_shift`]
/// for the formulas): every median a resample can have, with a Walker alias table of their
/// probabilities.
struct ResampledMedian {
    /// x₍J₎ + ½(x₍J′₎ − x₍J₎) for each pair (J, J′) of non-negligible probability.
    medians: Vec<f64>,
    /// keep[i]: the probability of keeping entry i once drawn, rather than alias[i].
    keep: Vec<f64>,
    /// alias[i]: the entry taken instead of i otherwise.
    alias: Vec<usize>,
}

impl ResampledMedian {
    /// The table for `values` (not empty): O(n·w) for the distribution of J, w ≤ n the number
    /// of binomial terms kept (about 10·√n in the middle), plus at most about 50 gaps per J
    /// for an even count.
    fn new(values: &[f64]) -> Self {
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
    fn sample(&self, rng: &mut SplitMix64) -> f64 {
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
fn alias_table(masses: &[f64]) -> (Vec<f64>, Vec<usize>) {
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
fn binomial_tail_and_point(
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
fn powu(mut x: f64, mut e: usize) -> f64 {
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

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order: sort p ascending,
/// q_(i) = min over j ≥ i of min(1, m·p_(j)/j).
///
/// Rejecting every hypothesis with q < α controls the false discovery rate at α for
/// independent (or positively dependent) tests (Benjamini & Hochberg, "Controlling the false
/// discovery rate", J. R. Statist. Soc. B 57(1), 1995; the adjusted form is R's
/// `p.adjust(method = "BH")`, `scipy.stats.false_discovery_control(method="bh")` and
/// statsmodels' `multipletests(method="fdr_bh")`). m = `p_values.len()`; equal p-values get
/// equal q-values. p-values are expected in [0, 1]; a NaN is read as 1 (no evidence): it still
/// counts in m and gets q = 1. An empty input gives an empty output.
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let p = |i: usize| {
        if p_values[i].is_nan() {
            1.0
        } else {
            p_values[i]
        }
    };
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p(a).total_cmp(&p(b)));
    let mut q_values = vec![1.0; m];
    let mut running_min = 1.0_f64;
    for (rank0, &i) in order.iter().enumerate().rev() {
        running_min = running_min.min(m as f64 * p(i) / (rank0 + 1) as f64);
        q_values[i] = running_min;
    }
    q_values
}

/// The historical noise fence of a series (rustc-perf): d_i = |x_i − x_{i−1}| / x_{i−1} over
/// consecutive values (oldest first); Q1 and Q3 are the medians of the lower and upper halves of
/// the sorted d_i (the middle value excluded when the count is odd); F = Q3 + 3·(Q3 − Q1).
/// None with fewer than 4 differences.
///
/// This is Tukey's "far out" upper fence (k = 3) on the relative step sizes, as rust-lang's
/// rustc-perf uses it for its significance threshold (rustc-perf: docs/comparison-analysis.md,
/// site/src/comparison.rs); a relative change above F is larger than the history's own
/// commit-to-commit noise. With c differences, the halves hold the ⌊c/2⌋ smallest and the
/// ⌊c/2⌋ largest, and their medians are [`median`]s (the mean of the two middle values for an
/// even half).
///
/// `None` with fewer than 5 values (4 differences), or when a difference is undefined: a value
/// that is not finite, or a divisor x_{i−1} ≤ 0.
pub fn noise_fence(history: &[f64]) -> Option<f64> {
    if history.len() < 5 {
        return None;
    }
    let all_defined = history.iter().all(|v| v.is_finite())
        && history[..history.len() - 1].iter().all(|&v| v > 0.0);
    if !all_defined {
        return None;
    }
    let mut steps: Vec<f64> = history
        .windows(2)
        .map(|w| ((w[1] - w[0]) / w[0]).abs())
        .collect();
    steps.sort_unstable_by(f64::total_cmp);
    let half = steps.len() / 2;
    let q1 = percentile(&steps[..half], 0.5)?;
    let q3 = percentile(&steps[steps.len() - half..], 0.5)?;
    Some(q3 + 3.0 * (q3 - q1))
}

/// A small, fixed, versioned PRNG (SplitMix64, Steele/Lea/Flood 2014): so that re-analysis of
/// stored data is byte-identical.
///
/// state ← state + 0x9E3779B97F4A7C15 (mod 2⁶⁴), then the output is the mix
/// z ← (z ⊕ (z ≫ 30))·0xBF58476D1CE4E5B9, z ← (z ⊕ (z ≫ 27))·0x94D049BB133111EB, z ⊕ (z ≫ 31)
/// (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
/// constants of Vigna's reference `splitmix64.c`, which Java's `SplittableRandom` also uses).
/// Its period is 2⁶⁴ and it passes BigCrush; it is not cryptographic. This generator,
/// [`SplitMix64::below`] and the order in which [`bootstrap_relative_shift`] draws are part of
/// the stored-result contract: never change them in place.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose state starts at `seed` (every seed, 0 included, is fine).
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits (see [`SplitMix64`] for the formula).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in 0..n, without bias, by Lemire's multiply-and-reject method
    /// (D. Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019):
    /// m = r·n as a 128-bit product of a 64-bit draw r; if its low half is below
    /// (2⁶⁴ − n) mod n, draw again; the result is the high half, ⌊r·n / 2⁶⁴⌋. Each of the n
    /// results then comes from exactly ⌊2⁶⁴/n⌋ values of r. Usually one draw, no division.
    ///
    /// # Panics
    ///
    /// If `n` is 0 (there is no integer below 0), like `rand`'s `gen_range` on an empty range.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "SplitMix64::below needs n > 0");
        let n = n as u64;
        let mut product = u128::from(self.next_u64()) * u128::from(n);
        if (product as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (product as u64) < threshold {
                product = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        // The high half is below n, so it fits a usize.
        (product >> 64) as usize
    }

    /// A uniform number in [0, 1): the top 53 bits of the next draw, ⌊r/2¹¹⌋·2⁻⁵³, exact in
    /// an `f64`.
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// A seed from bytes: the first 8 bytes of their SHA-256, little-endian.
///
/// seed = Σ_{k=0..7} h_k·256^k with h = SHA-256(bytes) (FIPS 180-4). `compare` seeds the
/// bootstrap with SHA-256(series key ‖ base sha ‖ head sha), so a re-analysis of the same
/// stored data draws the same resamples.
pub fn seed_from(bytes: &[u8]) -> u64 {
    let digest = Sha256::digest(bytes);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

pub mod student;

#[cfg(test)]
mod tests;
