use super::bootstrap::{ResampledMedian, alias_table};
use super::rank::{mwu_exact_upper_tail, normal_sf, percentile_in_place};
use super::*;

/// Asserts `actual` is `Some` value within 1e-12 (relative) of `expected`.
#[track_caller]
fn check(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a value");
    let tolerance = 1e-12 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tolerance,
        "expected {expected}, got {actual}"
    );
}

#[test]
fn mean_of_samples() {
    check(mean(&[1.0, 2.0, 3.0, 4.0]), 2.5);
    check(mean(&[7.0]), 7.0);
    assert_eq!(mean(&[]), None);
}

#[test]
fn median_of_odd_and_even_counts() {
    // Unsorted input: the middle of 1, 3, 9 is 3; of 1, 2, 3, 9 it is (2 + 3) / 2.
    check(median(&[9.0, 1.0, 3.0]), 3.0);
    check(median(&[9.0, 2.0, 1.0, 3.0]), 2.5);
    check(median(&[5.0]), 5.0);
    assert_eq!(median(&[]), None);
}

#[test]
fn percentile_interpolates_linearly_between_ranks() {
    let xs = [10.0, 20.0, 30.0, 40.0, 50.0];
    check(percentile(&xs, 0.0), 10.0);
    check(percentile(&xs, 1.0), 50.0);
    // h = 4 · 0.5 = 2 → x₂ exactly.
    check(percentile(&xs, 0.5), 30.0);
    // h = 4 · 0.95 = 3.8 → 40 + 0.8 · (50 − 40) = 48 (numpy: 48.0).
    check(percentile(&xs, 0.95), 48.0);
    // h = 4 · 0.99 = 3.96 → 40 + 0.96 · 10 = 49.6 (numpy: 49.6).
    check(percentile(&xs, 0.99), 49.6);
    // h = 4 · 0.1 = 0.4 → 10 + 0.4 · 10 = 14 (numpy: 14.0).
    check(percentile(&xs, 0.1), 14.0);
}

#[test]
fn percentile_of_two_and_one_samples() {
    // h = 1 · 0.25 → 1 + 0.25 · (3 − 1) = 1.5.
    check(percentile(&[1.0, 3.0], 0.25), 1.5);
    check(percentile(&[4.0], 0.0), 4.0);
    check(percentile(&[4.0], 0.99), 4.0);
}

#[test]
fn percentile_is_undefined_without_samples_or_outside_0_to_1() {
    assert_eq!(percentile(&[], 0.5), None);
    assert_eq!(percentile(&[1.0, 2.0], -0.1), None);
    assert_eq!(percentile(&[1.0, 2.0], 95.0), None);
    assert_eq!(percentile(&[1.0, 2.0], f64::NAN), None);
}

#[test]
fn percentile_at_an_exact_rank_ignores_the_next_sample() {
    check(percentile(&[1.0, 2.0, f64::INFINITY], 0.5), 2.0);
}

#[test]
fn sorted_orders_ascending() {
    assert_eq!(sorted(&[3.0, -1.0, 2.0]), vec![-1.0, 2.0, 3.0]);
}

#[test]
fn sample_std_dev_uses_n_minus_1() {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x − 5)² = 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32,
    // s² = 32 / 7.
    check(
        sample_std_dev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
        (32.0f64 / 7.0).sqrt(),
    );
    // 1, 3: mean 2, Σ = 2, s² = 2 / 1.
    check(sample_std_dev(&[1.0, 3.0]), 2.0f64.sqrt());
    check(sample_std_dev(&[5.0, 5.0, 5.0]), 0.0);
    assert_eq!(sample_std_dev(&[1.0]), None);
    assert_eq!(sample_std_dev(&[]), None);
}

#[test]
fn sample_std_dev_does_not_cancel_on_large_close_values() {
    // 1e9 + {4, 7, 13, 16}: mean 1e9 + 10, Σ(x − x̄)² = 36 + 9 + 9 + 36 = 90, s² = 30.
    let xs = [1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0];
    check(sample_std_dev(&xs), 30.0f64.sqrt());
}

#[test]
fn coefficient_of_variation_is_std_dev_over_mean() {
    // 1, 3: s = √2, mean 2.
    check(coefficient_of_variation(&[1.0, 3.0]), 2.0f64.sqrt() / 2.0);
    // 2, 4, 4, 4, 5, 5, 7, 9: s = √(32/7), mean 5.
    check(
        coefficient_of_variation(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
        (32.0f64 / 7.0).sqrt() / 5.0,
    );
    assert_eq!(coefficient_of_variation(&[-1.0, 1.0]), None);
    assert_eq!(coefficient_of_variation(&[3.0]), None);
    assert_eq!(coefficient_of_variation(&[]), None);
}

/// Asserts `actual` is within `relative` (relative to |expected|) of `expected`.
#[track_caller]
fn check_close(actual: f64, expected: f64, relative: f64) {
    assert!(
        (actual - expected).abs() <= relative * expected.abs(),
        "expected {expected:e}, got {actual:e} (relative error {:e})",
        ((actual - expected) / expected).abs()
    );
}

/// Runs [`mann_whitney_u`] and checks U₁ exactly, the p-value to 1e-9 (exact) or 1e-6
/// (normal approximation) relative, and which of the two was used.
#[track_caller]
fn check_mwu(x: &[f64], y: &[f64], u: f64, p_value: f64, exact: bool) {
    let result = mann_whitney_u(x, y).expect("a test result");
    assert_eq!(result.u, u, "U of the first sample");
    assert_eq!(result.exact, exact, "exact or approximate");
    check_close(result.p_value, p_value, if exact { 1e-9 } else { 1e-6 });
}

/// Shier, "Statistics: 2.3 The Mann-Whitney U Test" (Mathematics Learning Support Centre,
/// 2004), the worked example of the scipy documentation: ages at diagnosis of 5 males and 4
/// females, U_M = 17, U_F = 3, two-sided p = 0.11.
const SHIER_MALES: [f64; 5] = [19.0, 22.0, 16.0, 29.0, 24.0];
const SHIER_FEMALES: [f64; 4] = [20.0, 11.0, 17.0, 12.0];

#[test]
fn mann_whitney_exact_matches_the_published_example() {
    // scipy.stats.mannwhitneyu(males, females, method="exact") → (17.0, 0.1111111111111111);
    // the exact p is 2·P(U ≥ 17) = 2·7/126 = 1/9 (U = 20, 19, 18, 17 in 1, 1, 2, 3 orderings).
    check_mwu(&SHIER_MALES, &SHIER_FEMALES, 17.0, 1.0 / 9.0, true);
    // Swapping the samples gives U₂ = n₁n₂ − U₁ = 3 and the same two-sided p.
    check_mwu(&SHIER_FEMALES, &SHIER_MALES, 3.0, 1.0 / 9.0, true);
}

#[test]
fn mann_whitney_exact_matches_scipy() {
    // scipy 1.17.1: mannwhitneyu(x, y, method="exact") for each case.
    let x10 = [12.1, 14.3, 9.8, 15.2, 13.7, 11.4, 16.9, 10.5, 14.8, 13.1];
    let y10 = [11.2, 10.1, 12.6, 9.4, 13.3, 8.7, 10.8, 12.9, 9.9, 11.7];
    // → (78.0, 0.035462989023360536)
    check_mwu(&x10, &y10, 78.0, 0.035462989023360536, true);

    let x20 = [
        101.79, 103.4, 108.86, 101.98, 102.62, 103.81, 97.77, 102.68, 104.45, 106.89, 96.41, 99.55,
        96.36, 107.14, 105.4, 95.63, 109.73, 109.47, 104.81, 104.23,
    ];
    let y20 = [
        94.2, 92.21, 99.4, 92.83, 94.66, 95.39, 92.42, 98.5, 98.17, 103.79, 99.27, 100.96, 99.0,
        101.27, 98.4, 95.89, 105.97, 105.94, 103.76, 101.91,
    ];
    // → (309.0, 0.0026426305915593523); 20 per side is the largest exact case.
    check_mwu(&x20, &y20, 309.0, 0.0026426305915593523, true);

    let x15 = [
        110.5, 105.0, 109.5, 110.4, 106.9, 107.5, 104.6, 107.0, 107.3, 101.0, 107.7, 111.9, 110.6,
        108.7, 104.7,
    ];
    let y12 = [
        101.1, 99.4, 97.8, 102.2, 93.9, 101.3, 93.3, 99.6, 98.3, 95.5, 100.7, 98.5,
    ];
    // → (177.0, 8.053447278107394e-07); swapped → (3.0, 8.053447278107394e-07).
    check_mwu(&x15, &y12, 177.0, 8.053447278107394e-07, true);
    check_mwu(&y12, &x15, 3.0, 8.053447278107394e-07, true);

    let x3 = [3.5, 7.25, 1.5];
    let y15 = [
        2.0, 4.0, 6.0, 8.0, 10.0, 1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 0.5, 2.5, 4.5, 6.5,
    ];
    // → (18.0, 0.6544117647058824)
    check_mwu(&x3, &y15, 18.0, 0.6544117647058824, true);

    // → (1.0, 1.0): one value per side can never be significant.
    check_mwu(&[2.0], &[1.0], 1.0, 1.0, true);
}

#[test]
fn mann_whitney_exact_p_of_complete_separation_is_two_over_the_orderings() {
    // 10 values all below 10 others: U₁ = 0 and p = 2/C(20, 10) = 2/184756 (gate note §2.5:
    // the smallest p with n = 10 per side); scipy: (0.0, 1.082508822446903e-05).
    let x: Vec<f64> = (1..=10).map(f64::from).collect();
    let y: Vec<f64> = (11..=20).map(f64::from).collect();
    check_mwu(&x, &y, 0.0, 2.0 / 184_756.0, true);
    check_mwu(&y, &x, 100.0, 2.0 / 184_756.0, true);
    // Mann & Whitney (1947): with 4 per side, P(U ≤ 0) = 1/C(8, 4) = 1/70, so p = 2/70.
    check_mwu(
        &[1.0, 2.0, 3.0, 4.0],
        &[5.0, 6.0, 7.0, 8.0],
        0.0,
        2.0 / 70.0,
        true,
    );
}

/// Samples of `n1` and `n2` distinct values whose U₁ is `u`: y = 0, 1, …, n2 − 1 and each x
/// just above as many y values as it needs to contribute.
fn samples_with_u(n1: usize, n2: usize, u: usize) -> (Vec<f64>, Vec<f64>) {
    let mut remaining = u;
    let x = (0..n1)
        .map(|i| {
            let below = remaining.min(n2);
            remaining -= below;
            below as f64 - 0.5 + i as f64 * 1e-3
        })
        .collect();
    let y = (0..n2).map(|j| j as f64).collect();
    (x, y)
}

#[test]
fn mann_whitney_exact_agrees_with_the_textbook_table_of_critical_values() {
    // The two-tailed α = 0.05 table of critical values of U printed in statistics textbooks:
    // the largest U (the smaller of U₁, U₂) with p ≤ 0.05. Checked against scipy's exact p:
    // (5, 5): U = 2 → 0.031746031746031744, U = 3 → 0.05555555555555555;
    // (8, 8): 13 → 0.04988344988344988, 14 → 0.06495726495726495;
    // (10, 10): 23 → 0.04325705254497823, 24 → 0.0524259022711035;
    // (20, 20): 127 → 0.04909032518937244, 128 → 0.05239952187284972;
    // (6, 9): 10 → 0.04955044955044956, 11 → 0.06633366633366634.
    let table = [
        (5, 5, 2, 0.031746031746031744, 0.05555555555555555),
        (8, 8, 13, 0.04988344988344988, 0.06495726495726495),
        (10, 10, 23, 0.04325705254497823, 0.0524259022711035),
        (20, 20, 127, 0.04909032518937244, 0.05239952187284972),
        (6, 9, 10, 0.04955044955044956, 0.06633366633366634),
    ];
    for (n1, n2, critical, p_at, p_above) in table {
        let (x, y) = samples_with_u(n1, n2, critical);
        check_mwu(&x, &y, critical as f64, p_at, true);
        let (x, y) = samples_with_u(n1, n2, critical + 1);
        check_mwu(&x, &y, (critical + 1) as f64, p_above, true);
        assert!(p_at <= 0.05 && p_above > 0.05);
    }
}

#[test]
fn mann_whitney_exact_tail_matches_enumeration_of_every_ordering() {
    // Brute force: each n₁-subset of the n ranks is one ordering; U₁ = (rank sum) − n₁(n₁+1)/2.
    for n1 in 1..=6usize {
        for n2 in 1..=6usize {
            let n = n1 + n2;
            let mut counts = vec![0u64; n1 * n2 + 1];
            for mask in 0u32..(1 << n) {
                if mask.count_ones() as usize == n1 {
                    let rank_sum: usize =
                        (0..n).filter(|r| mask & (1 << r) != 0).map(|r| r + 1).sum();
                    counts[rank_sum - n1 * (n1 + 1) / 2] += 1;
                }
            }
            let total: u64 = counts.iter().sum();
            for u in 0..=n1 * n2 + 1 {
                let tail: u64 = counts.iter().skip(u).sum();
                let expected = tail as f64 / total as f64;
                let actual = mwu_exact_upper_tail(u, n1, n2);
                assert_eq!(actual, expected, "n1 = {n1}, n2 = {n2}, u = {u}");
            }
        }
    }
}

#[test]
fn mann_whitney_asymptotic_matches_scipy_with_ties() {
    // mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
    // → (8.5, 0.025279736885893914): ties force the normal approximation.
    check_mwu(
        &[1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0],
        &[2.0, 3.0, 4.0, 4.0, 5.0, 5.0, 6.0, 7.0],
        8.5,
        0.025279736885893914,
        false,
    );
    // Many ties in 100 and 80 integers: base 50 + (13i mod 17), head 52 + (7j mod 19)
    // → (2870.5, 0.0011352872227083995).
    let base: Vec<f64> = (0..100).map(|i| f64::from(50 + (i * 13 % 17))).collect();
    let head: Vec<f64> = (0..80).map(|j| f64::from(52 + (j * 7 % 19))).collect();
    check_mwu(&base, &head, 2870.5, 0.0011352872227083995, false);
    // Every value tied: σ = 0, no evidence of a shift → (12.0, 1.0).
    check_mwu(&[5.0; 6], &[5.0; 4], 12.0, 1.0, false);
}

#[test]
fn mann_whitney_asymptotic_matches_scipy_on_large_samples() {
    // 21 and 20 distinct values: one side over 20, so the normal approximation
    // → (310.0, 0.009454644287184719).
    let x21 = [
        101.798, 99.497, 106.916, 105.485, 98.661, 103.616, 102.878, 108.127, 105.942, 99.319,
        109.703, 96.771, 101.272, 106.357, 97.28, 102.334, 95.588, 105.023, 106.469, 103.595,
        108.132,
    ];
    let y20 = [
        96.392, 101.734, 100.321, 100.119, 98.387, 103.76, 105.226, 98.637, 101.298, 92.849,
        101.821, 101.06, 105.903, 103.507, 95.984, 97.401, 101.361, 92.316, 98.464, 94.353,
    ];
    check_mwu(&x21, &y20, 310.0, 0.009454644287184719, false);
    // 100 per side, no ties: base 1000 + 2·(7919i mod 1009), head 1021 + 2·(104729j mod 1013)
    // → (5144.0, 0.725868719154581).
    let base: Vec<f64> = (0..100u64)
        .map(|i| (1000 + 2 * (i * 7919 % 1009)) as f64)
        .collect();
    let head: Vec<f64> = (0..100u64)
        .map(|j| (1021 + 2 * (j * 104_729 % 1013)) as f64)
        .collect();
    check_mwu(&base, &head, 5144.0, 0.725868719154581, false);
}

#[test]
fn mann_whitney_ties_negative_and_positive_zero() {
    // −0.0 == 0.0, so they tie: U₁ = 0.5, and the tie forces the approximation.
    let result = mann_whitney_u(&[-0.0], &[0.0]).expect("a test result");
    assert_eq!(result.u, 0.5);
    assert!(!result.exact);
}

#[test]
fn mann_whitney_is_undefined_for_empty_or_nan_samples() {
    assert_eq!(mann_whitney_u(&[], &[1.0]), None);
    assert_eq!(mann_whitney_u(&[1.0], &[]), None);
    assert_eq!(mann_whitney_u(&[1.0, f64::NAN], &[2.0]), None);
}

#[test]
fn normal_upper_tail_matches_scipy() {
    // scipy.stats.norm.sf(z). Rounding z/√2 costs a relative error of about z²·2⁻⁵³ in the
    // far tail (1e-14 at z = 8, 2e-13 at z = 37 where p ≈ 6e-300), hence the looser bound.
    let cases: [(f64, f64); 13] = [
        (-3.0, 0.9986501019683699),
        (-0.5, 0.6914624612740131),
        (0.0, 0.5),
        (0.3, 0.3820885778110474),
        (1.0, 0.15865525393145707),
        (1.96, 0.024997895148220435),
        (2.5, 0.006209665325776132),
        (4.0, 3.167124183311986e-05),
        (5.5, 1.898956246588768e-08),
        (8.0, 6.22096057427174e-16),
        (12.0, 1.776482112077653e-33),
        (20.0, 2.7536241186061556e-89),
        (37.0, 5.7255712225239266e-300),
    ];
    for (z, expected) in cases {
        let bound = if z.abs() <= 6.0 { 1e-14 } else { 1e-12 };
        check_close(normal_sf(z), expected, bound);
    }
    assert_eq!(normal_sf(f64::INFINITY), 0.0);
    assert_eq!(normal_sf(f64::NEG_INFINITY), 1.0);
}

/// `n` values in (lo, lo + spread), from a fixed generator: test data without a data file.
fn spread_values(seed: u64, n: usize, lo: f64, spread: f64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| lo + spread * ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64)
        .collect()
}

/// Hodges–Lehmann by brute force: every pairwise log difference, fully sorted, [`median`].
fn hodges_lehmann_brute_force(base: &[f64], head: &[f64]) -> f64 {
    let differences: Vec<f64> = head
        .iter()
        .flat_map(|h| base.iter().map(move |b| h.ln() - b.ln()))
        .collect();
    median(&differences).expect("pairs")
}

#[test]
fn hodges_lehmann_of_hand_examples() {
    // Ratios head/base: 2, 4, 8, 1, 2, 4, 0.5, 1, 2 → sorted 0.5 1 1 2 [2] 2 4 4 8 → ln 2.
    check(
        hodges_lehmann_log_shift(&[1.0, 2.0, 4.0], &[2.0, 4.0, 8.0]),
        2.0f64.ln(),
    );
    // One pair: ln(11/10).
    check(hodges_lehmann_log_shift(&[10.0], &[11.0]), 1.1f64.ln());
    // Ratios 3, 1.5, 4, 2 → the middle two are 2 and 3 → (ln 2 + ln 3)/2 = ln √6.
    check(
        hodges_lehmann_log_shift(&[1.0, 2.0], &[3.0, 4.0]),
        6.0f64.sqrt().ln(),
    );
    // head = 1.1·base: every diagonal pair differs by ln 1.1 and the others pair off
    // symmetrically around it.
    let base = [3.0, 5.0, 7.0, 11.0, 13.0];
    let head = base.map(|b| 1.1 * b);
    check(hodges_lehmann_log_shift(&base, &head), 1.1f64.ln());
}

#[test]
fn hodges_lehmann_matches_brute_force() {
    for (n, m) in [(1, 7), (10, 10), (13, 8), (100, 100), (1000, 40)] {
        let base = spread_values(n as u64, n, 90.0, 20.0);
        let head = spread_values(1000 + m as u64, m, 95.0, 25.0);
        assert_eq!(
            hodges_lehmann_log_shift(&base, &head),
            Some(hodges_lehmann_brute_force(&base, &head)),
            "n = {n}, m = {m}"
        );
    }
}

#[test]
fn hodges_lehmann_subsamples_evenly_by_rank_above_40000_pairs() {
    // 1000 × 50 = 50 000 pairs: the base side becomes its order statistics at ranks
    // round(k·999/199), k = 0..199; the head side (50 values) stays whole.
    let base = spread_values(5, 1000, 90.0, 20.0);
    let head = spread_values(6, 50, 95.0, 25.0);
    let sorted_base = sorted(&base);
    let subsample: Vec<f64> = (0..200)
        .map(|k| sorted_base[(k as f64 * 999.0 / 199.0).round() as usize])
        .collect();
    assert_eq!(
        hodges_lehmann_log_shift(&base, &head),
        Some(hodges_lehmann_brute_force(&subsample, &head))
    );
    // A pure shift survives the subsampling exactly: 300 × 300 values, head = 1.1·base.
    let base = spread_values(7, 300, 90.0, 20.0);
    let head: Vec<f64> = base.iter().map(|b| 1.1 * b).collect();
    check(hodges_lehmann_log_shift(&base, &head), 1.1f64.ln());
}

#[test]
fn hodges_lehmann_is_undefined_for_empty_or_non_positive_values() {
    assert_eq!(hodges_lehmann_log_shift(&[], &[1.0]), None);
    assert_eq!(hodges_lehmann_log_shift(&[1.0], &[]), None);
    assert_eq!(hodges_lehmann_log_shift(&[1.0, 0.0], &[1.0]), None);
    assert_eq!(hodges_lehmann_log_shift(&[1.0], &[-2.0]), None);
    assert_eq!(hodges_lehmann_log_shift(&[f64::NAN], &[1.0]), None);
    assert_eq!(hodges_lehmann_log_shift(&[1.0], &[f64::INFINITY]), None);
}

#[test]
fn percentile_in_place_equals_percentile_of_the_sorted_values() {
    for n in 1..40 {
        let values = spread_values(n as u64, n, -5.0, 10.0);
        for q in [0.0, 0.025, 0.1, 0.5, 0.9, 0.975, 1.0] {
            let mut scratch = values.clone();
            assert_eq!(
                percentile_in_place(&mut scratch, q),
                percentile(&sorted(&values), q),
                "n = {n}, q = {q}"
            );
        }
    }
    assert_eq!(percentile_in_place(&mut [], 0.5), None);
    assert_eq!(percentile_in_place(&mut [1.0], 1.5), None);
}

/// The distribution of the median of a resample with replacement of `values`, by enumerating
/// all nⁿ resamples: (median, probability) in ascending order of the median.
fn resampled_medians_by_enumeration(values: &[f64]) -> Vec<(f64, f64)> {
    let n = values.len();
    let resamples = n.pow(n as u32);
    let mut medians: Vec<f64> = (0..resamples)
        .map(|code| {
            let resample: Vec<f64> = (0..n).map(|d| values[code / n.pow(d as u32) % n]).collect();
            median(&resample).expect("values")
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    let mut distribution: Vec<(f64, f64)> = Vec::new();
    let mut start = 0;
    while start < medians.len() {
        let count = medians[start..]
            .iter()
            .take_while(|&&m| m == medians[start])
            .count();
        distribution.push((medians[start], count as f64 / resamples as f64));
        start += count;
    }
    distribution
}

/// The same distribution as the alias table of [`ResampledMedian`] implies it: entry i is
/// drawn with probability 1/L, then kept with probability keep[i] or else replaced by
/// alias[i].
fn resampled_medians_from_table(table: &ResampledMedian) -> Vec<(f64, f64)> {
    let len = table.medians.len() as f64;
    let mut mass = vec![0.0; table.medians.len()];
    for i in 0..table.medians.len() {
        mass[i] += table.keep[i] / len;
        mass[table.alias[i]] += (1.0 - table.keep[i]) / len;
    }
    let mut pairs: Vec<(f64, f64)> = table.medians.iter().copied().zip(mass).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut distribution: Vec<(f64, f64)> = Vec::new();
    for (value, p) in pairs {
        match distribution.last_mut() {
            Some(last) if last.0 == value => last.1 += p,
            _ => distribution.push((value, p)),
        }
    }
    distribution
}

#[test]
fn resampled_median_table_matches_the_enumeration_of_every_resample() {
    // Values 1, 2, 4, …: every pair of middle order statistics has its own midpoint, so the
    // distribution of (J, J′) is checked, not only that of the median.
    for n in 1..=7 {
        let values: Vec<f64> = (0..n).map(|a| f64::from(1u32 << a)).collect();
        // Unsorted input must not matter.
        let shuffled: Vec<f64> = values.iter().rev().copied().collect();
        let expected = resampled_medians_by_enumeration(&values);
        let actual = resampled_medians_from_table(&ResampledMedian::new(&shuffled));
        assert_eq!(actual.len(), expected.len(), "n = {n}");
        for ((value, p), (expected_value, expected_p)) in actual.iter().zip(&expected) {
            assert_eq!(value, expected_value, "n = {n}");
            assert!(
                (p - expected_p).abs() <= 1e-14,
                "n = {n}, median {value}: {p} vs {expected_p}"
            );
        }
    }
}

#[test]
fn resampled_median_draws_follow_the_enumerated_distribution() {
    // 200 000 draws of the median of a resample of 1, 2, …, 6 (even: the mean of the two
    // middle values). Each median's count is binomial; allow 5σ.
    let values: Vec<f64> = (1..=6).map(f64::from).collect();
    let expected = resampled_medians_by_enumeration(&values);
    let table = ResampledMedian::new(&values);
    let mut rng = SplitMix64::new(5);
    let draws = 200_000;
    let mut counts = vec![0usize; expected.len()];
    for _ in 0..draws {
        let m = table.sample(&mut rng);
        let slot = expected
            .iter()
            .position(|&(value, _)| value == m)
            .expect("a possible median");
        counts[slot] += 1;
    }
    for (&count, &(value, p)) in counts.iter().zip(&expected) {
        let mean = p * draws as f64;
        let sigma = (mean * (1.0 - p)).sqrt();
        assert!(
            (count as f64 - mean).abs() <= 5.0 * sigma + 1.0,
            "median {value}: {count} draws, {mean:.0} expected"
        );
    }
}

#[test]
fn alias_table_reproduces_the_masses() {
    let masses = [0.1, 0.0, 0.5, 0.25, 0.15, 1e-30];
    let (keep, alias) = alias_table(&masses);
    let len = masses.len() as f64;
    let mut implied = vec![0.0; masses.len()];
    for i in 0..masses.len() {
        implied[i] += keep[i] / len;
        implied[alias[i]] += (1.0 - keep[i]) / len;
    }
    for (p, m) in implied.iter().zip(masses) {
        assert!((p - m).abs() <= 1e-15, "{implied:?}");
    }
}

/// The bootstrap written plainly: each replicate draws every value of both resamples with
/// [`SplitMix64::below`] and sorts them.
fn bootstrap_by_resampling(
    base: &[f64],
    head: &[f64],
    resamples: usize,
    seed: u64,
    confidence: f64,
) -> (f64, f64) {
    let mut rng = SplitMix64::new(seed);
    let mut shifts = Vec::new();
    for _ in 0..resamples {
        let base_star: Vec<f64> = (0..base.len())
            .map(|_| base[rng.below(base.len())])
            .collect();
        let head_star: Vec<f64> = (0..head.len())
            .map(|_| head[rng.below(head.len())])
            .collect();
        let base_median = median(&base_star).expect("values");
        let head_median = median(&head_star).expect("values");
        shifts.push(head_median / base_median - 1.0);
    }
    let shifts = sorted(&shifts);
    (
        percentile(&shifts, (1.0 - confidence) / 2.0).expect("a value"),
        percentile(&shifts, (1.0 + confidence) / 2.0).expect("a value"),
    )
}

#[test]
fn bootstrap_agrees_with_plain_resampling() {
    // Odd and even counts; 20 000 replicates each way. The two runs use different draws, so
    // they differ by Monte Carlo error only: here up to 0.2 percentage point (the replicates
    // take discrete values, so an end of the interval can jump between two of them); allow
    // 0.5.
    for (n, m) in [(31, 24), (30, 29)] {
        let base = spread_values(1, n, 100.0, 10.0);
        let head = spread_values(2, m, 104.0, 12.0);
        let fast = bootstrap_relative_shift(&base, &head, 20_000, 42, 0.95).expect("an interval");
        let plain = bootstrap_by_resampling(&base, &head, 20_000, 43, 0.95);
        assert!(
            (fast.0 - plain.0).abs() < 0.005 && (fast.1 - plain.1).abs() < 0.005,
            "n = {n}, m = {m}: {fast:?} vs {plain:?}"
        );
    }
}

#[test]
fn bootstrap_is_deterministic_per_seed() {
    let base = spread_values(1, 30, 100.0, 10.0);
    let head = spread_values(2, 25, 104.0, 12.0);
    let interval = bootstrap_relative_shift(&base, &head, 500, 42, 0.95).expect("an interval");
    // Same inputs and seed → the same bits.
    assert_eq!(
        bootstrap_relative_shift(&base, &head, 500, 42, 0.95),
        Some(interval)
    );
    // Another seed draws other resamples.
    let other = bootstrap_relative_shift(&base, &head, 500, 43, 0.95).expect("an interval");
    assert_ne!(other, interval);
    // The interval brackets the plain ratio of medians.
    let point = median(&head).expect("values") / median(&base).expect("values") - 1.0;
    assert!(
        interval.0 <= point && point <= interval.1,
        "{interval:?} ∌ {point}"
    );
}

#[test]
fn bootstrap_of_constant_samples_is_the_exact_ratio() {
    let (lower, upper) =
        bootstrap_relative_shift(&[100.0; 10], &[110.0; 12], 200, 7, 0.95).expect("an interval");
    check(Some(lower), 0.1);
    check(Some(upper), 0.1);
}

#[test]
fn bootstrap_covers_the_true_shift_at_about_the_nominal_rate() {
    // 200 synthetic comparisons of 30 against 30 skewed timings (100·(1 + exponential·0.05),
    // like run-time noise), head scaled by 1.1: the population medians differ by exactly
    // +10%. A 90% interval should contain 0.1 in about 90% of them: 180 expected, binomial
    // σ ≈ 4.2, so 165..=195 is a ±3.5σ band. (Over 2 000 such trials the rate was 92.3%: the
    // percentile interval of a median is slightly conservative.)
    let mut rng = SplitMix64::new(2024);
    let mut timing = |scale: f64| {
        let uniform = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        scale * 100.0 * (1.0 - 0.05 * uniform.ln())
    };
    let mut covered = 0;
    for trial in 0..200u64 {
        let base: Vec<f64> = (0..30).map(|_| timing(1.0)).collect();
        let head: Vec<f64> = (0..30).map(|_| timing(1.1)).collect();
        let (lower, upper) =
            bootstrap_relative_shift(&base, &head, 1000, trial, 0.90).expect("an interval");
        if lower <= 0.1 && 0.1 <= upper {
            covered += 1;
        }
    }
    assert!((165..=195).contains(&covered), "covered {covered} of 200");
}

#[test]
fn bootstrap_is_undefined_for_bad_inputs() {
    let xs = [1.0, 2.0, 3.0];
    assert_eq!(bootstrap_relative_shift(&[], &xs, 10, 1, 0.95), None);
    assert_eq!(bootstrap_relative_shift(&xs, &[], 10, 1, 0.95), None);
    assert_eq!(
        bootstrap_relative_shift(&xs, &[1.0, 0.0], 10, 1, 0.95),
        None
    );
    assert_eq!(
        bootstrap_relative_shift(&xs, &[f64::NAN], 10, 1, 0.95),
        None
    );
    assert_eq!(bootstrap_relative_shift(&xs, &xs, 0, 1, 0.95), None);
    assert_eq!(bootstrap_relative_shift(&xs, &xs, 10, 1, 0.0), None);
    assert_eq!(bootstrap_relative_shift(&xs, &xs, 10, 1, 1.0), None);
    assert_eq!(bootstrap_relative_shift(&xs, &xs, 10, 1, f64::NAN), None);
}

/// Asserts [`benjamini_hochberg`] of `p_values` equals `expected` to 1e-12 relative.
#[track_caller]
fn check_bh(p_values: &[f64], expected: &[f64]) {
    let q_values = benjamini_hochberg(p_values);
    assert_eq!(q_values.len(), expected.len());
    for (&q, &e) in q_values.iter().zip(expected) {
        check_close(q, e, 1e-12);
    }
}

#[test]
fn benjamini_hochberg_matches_scipy_and_statsmodels() {
    // scipy.stats.false_discovery_control(p, method="bh"); statsmodels
    // multipletests(p, method="fdr_bh")[1] agrees to 1e-16.
    check_bh(
        &[0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.9, 0.0001],
        &[
            0.026666666666666665,
            0.05333333333333333,
            0.05333333333333333,
            0.02,
            0.22857142857142856,
            0.05333333333333333,
            0.9,
            0.0008,
        ],
    );
    check_bh(&[0.5], &[0.5]);
    check_bh(&[0.02; 4], &[0.02; 4]);
    check_bh(&[0.8, 0.6, 0.9, 0.7], &[0.9; 4]);
    assert_eq!(benjamini_hochberg(&[]), Vec::<f64>::new());
}

#[test]
fn benjamini_hochberg_on_the_published_example() {
    // The worked example of Benjamini & Hochberg (1995): 15 p-values; at q* = 0.05 the
    // procedure rejects the four smallest. q-values from scipy false_discovery_control.
    let p = [
        0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
        0.5719, 0.6528, 0.7590, 1.000,
    ];
    let expected = [
        0.0015,
        0.003,
        0.0095,
        0.035625,
        0.0603,
        0.06385714285714286,
        0.06385714285714286,
        0.0645,
        0.07650000000000001,
        0.486,
        0.5811818181818181,
        0.7148749999999999,
        0.7532307692307693,
        0.8132142857142857,
        1.0,
    ];
    check_bh(&p, &expected);
    let rejected = benjamini_hochberg(&p).iter().filter(|&&q| q < 0.05).count();
    assert_eq!(rejected, 4);
}

#[test]
fn benjamini_hochberg_reads_nan_as_no_evidence() {
    // m = 3 with the NaN as p = 1: sorted 0.01, 0.02, 1 → 0.03, 0.03, 1.
    check_bh(&[0.02, f64::NAN, 0.01], &[0.03, 1.0, 0.03]);
}

/// A history whose consecutive relative steps are `steps`, alternating up and down from 100.
fn history_with_steps(steps: &[f64]) -> Vec<f64> {
    let mut history = vec![100.0];
    for (i, d) in steps.iter().enumerate() {
        let last = history[i];
        history.push(if i % 2 == 0 {
            last * (1.0 + d)
        } else {
            last * (1.0 - d)
        });
    }
    history
}

#[test]
fn noise_fence_of_hand_examples() {
    // 4 steps 4%, 1%, 3%, 2% → sorted 1 2 | 3 4: Q1 = 1.5%, Q3 = 3.5%, F = 3.5 + 3·2 = 9.5%.
    check(
        noise_fence(&history_with_steps(&[0.04, 0.01, 0.03, 0.02])),
        0.095,
    );
    // 5 steps 1..5% → 1 2 (3) 4 5, the middle excluded: Q1 = 1.5%, Q3 = 4.5%, F = 13.5%.
    check(
        noise_fence(&history_with_steps(&[0.05, 0.01, 0.04, 0.02, 0.03])),
        0.135,
    );
    // 7 steps → halves of 3: Q1 = 0.2% (of 0.1 0.2 0.3), Q3 = 0.6% (of 0.5 0.6 0.7),
    // F = 0.6 + 3·0.4 = 1.8%.
    check(
        noise_fence(&history_with_steps(&[
            0.007, 0.001, 0.004, 0.002, 0.006, 0.003, 0.005,
        ])),
        0.018,
    );
    // Integer history 100, 101, 100, 102, 102, 100: steps 1/100, 1/101, 2/100, 0, 2/102.
    // Sorted 0, 1/101 | (1/100) | 2/102, 2/100 → Q1 = 1/202, Q3 = (2/102 + 2/100)/2.
    let q1 = 1.0 / 202.0;
    let q3 = (2.0 / 102.0 + 2.0 / 100.0) / 2.0;
    check(
        noise_fence(&[100.0, 101.0, 100.0, 102.0, 102.0, 100.0]),
        q3 + 3.0 * (q3 - q1),
    );
    // A flat history has no noise: F = 0.
    check(noise_fence(&[5.0; 30]), 0.0);
}

#[test]
fn noise_fence_is_undefined_for_short_or_undefined_histories() {
    assert_eq!(noise_fence(&[1.0, 2.0, 3.0, 4.0]), None);
    assert_eq!(noise_fence(&[]), None);
    assert_eq!(noise_fence(&[1.0, 2.0, 0.0, 4.0, 5.0]), None);
    assert_eq!(noise_fence(&[1.0, 2.0, 3.0, f64::NAN, 5.0]), None);
    // The newest value is never a divisor, so it may be 0: steps 0 0 | 0 1 → Q1 = 0,
    // Q3 = 0.5, F = 0.5 + 3·0.5 = 2.
    check(noise_fence(&[1.0, 1.0, 1.0, 1.0, 0.0]), 2.0);
}

#[test]
fn splitmix64_matches_the_reference_implementation() {
    // The reference values of rand_xoshiro's SplitMix64 test, produced with Vigna's
    // splitmix64.c, for the state 1477776061723855037.
    let mut rng = SplitMix64::new(1_477_776_061_723_855_037);
    let expected: [u64; 5] = [
        1_985_237_415_132_408_290,
        2_979_275_885_539_914_483,
        13_511_426_838_097_143_398,
        8_488_337_342_461_049_707,
        15_141_737_807_933_549_159,
    ];
    for e in expected {
        assert_eq!(rng.next_u64(), e);
    }
    // From state 0 (splitmix64.c, Java's SplittableRandom(0).nextLong()).
    let mut rng = SplitMix64::new(0);
    assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
}

#[test]
fn below_is_the_high_half_of_the_product_and_stays_in_range() {
    // An accepted draw is ⌊r·n / 2⁶⁴⌋ of the next 64 bits r.
    let mut rng = SplitMix64::new(9);
    let mut raw = rng.clone();
    for n in [1usize, 2, 3, 10, 1000, 1 << 40] {
        let r = raw.next_u64();
        let expected = ((u128::from(r) * n as u128) >> 64) as usize;
        assert_eq!(rng.below(n), expected, "n = {n}");
    }
    // n just above 2⁶³ rejects about half of all draws; results stay below n.
    let n = (1usize << 63) + 1;
    let mut rng = SplitMix64::new(3);
    assert!((0..1000).all(|_| rng.below(n) < n));
    assert!((0..1000).all(|_| rng.below(usize::MAX) < usize::MAX));
    assert!((0..100).all(|_| rng.below(1) == 0));
}

#[test]
fn below_is_uniform() {
    // 60 000 draws in 0..6: each count is binomial(60 000, 1/6), σ ≈ 91; ±5σ = 455.
    let mut rng = SplitMix64::new(77);
    let mut counts = [0usize; 6];
    for _ in 0..60_000 {
        counts[rng.below(6)] += 1;
    }
    assert!(
        counts.iter().all(|&c| c.abs_diff(10_000) <= 455),
        "{counts:?}"
    );
}

#[test]
fn seed_from_takes_the_first_eight_bytes_of_sha256_little_endian() {
    // FIPS 180-2, appendix B.1: SHA-256("abc") = ba7816bf 8f01cfea …
    assert_eq!(seed_from(b"abc"), 0xEACF_018F_BF16_78BA);
    // SHA-256("") = e3b0c442 98fc1c14 …
    assert_eq!(seed_from(b""), 0x141C_FC98_42C4_B0E3);
}

#[test]
fn log_mad_spread_is_the_scaled_mad_of_the_logs() {
    let xs: Vec<f64> = [0.0, 0.1, -0.1, 0.2, -0.2]
        .iter()
        .map(|l: &f64| l.exp())
        .collect();
    check(log_mad_spread(&xs), 0.14826);
    // Scale-free: the same shape at another magnitude has the same spread.
    let scaled: Vec<f64> = xs.iter().map(|x| x * 1e6).collect();
    check(log_mad_spread(&scaled), 0.14826);
    assert_eq!(log_mad_spread(&[1.0]), None);
    assert_eq!(log_mad_spread(&[1.0, 0.0]), None);
}

#[test]
fn minimal_detectable_shift_at_95_percent_power() {
    // σ̂ = 0.14826 on both sides, n = 5: se = σ̂·√(2/5), MDE95 = exp(3.6048·se) − 1.
    let xs: Vec<f64> = [0.0, 0.1, -0.1, 0.2, -0.2]
        .iter()
        .map(|l: &f64| l.exp())
        .collect();
    check(minimal_detectable_shift(&xs, &xs), 0.402_162_970_015_026_1);
    // Four times the samples halve the standard error.
    let many: Vec<f64> = xs.iter().cycle().take(20).copied().collect();
    let quarter = minimal_detectable_shift(&many, &many).expect("defined");
    assert!((quarter.ln_1p() * 2.0 - 0.402_162_970_015_026_1_f64.ln_1p()).abs() < 1e-12);
    // No spread: every shift is detectable.
    check(minimal_detectable_shift(&[2.0; 10], &[3.0; 10]), 0.0);
}
