//! Rank statistics: the Mann–Whitney U test (exact and normal), the normal tail it needs, and
//! the Hodges–Lehmann shift of log samples.

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
pub(crate) fn mwu_exact_upper_tail(u: usize, n1: usize, n2: usize) -> f64 {
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
pub(crate) fn normal_sf(z: f64) -> f64 {
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
pub(crate) fn erfc(x: f64) -> f64 {
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
pub(crate) fn exp_neg_square(y: f64) -> f64 {
    let r = (y * 16.0).trunc() / 16.0;
    let rest = (y - r) * (y + r);
    (-r * r).exp() * (-rest).exp()
}

/// Above this many pairs, [`hodges_lehmann_log_shift`] works on subsamples.
pub(crate) const HL_MAX_PAIRS: usize = 40_000;
/// The size of each subsample [`hodges_lehmann_log_shift`] takes from a side that is too big.
pub(crate) const HL_SUBSAMPLE_LEN: usize = 200;

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
pub(crate) fn positive_logs(xs: &[f64]) -> Option<Vec<f64>> {
    if xs.is_empty() || !xs.iter().all(|&v| is_positive_finite(v)) {
        return None;
    }
    Some(xs.iter().map(|v| v.ln()).collect())
}

/// Whether `v` is a finite number > 0 (false for NaN).
pub(crate) fn is_positive_finite(v: f64) -> bool {
    v > 0.0 && v.is_finite()
}

/// At most `len` (≥ 2) of `values`' order statistics, evenly spaced by rank: sorted ranks
/// round(k·(n − 1)/(len − 1)) for k = 0..len. `values` itself when it has at most `len` values.
pub(crate) fn evenly_spaced_by_rank(mut values: Vec<f64>, len: usize) -> Vec<f64> {
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
pub(crate) fn percentile_in_place(values: &mut [f64], q: f64) -> Option<f64> {
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
