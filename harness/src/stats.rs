//! Descriptive statistics of samples: mean, median, percentiles, sample standard deviation and
//! coefficient of variation. Pure functions of `&[f64]`; no I/O, no tool formats.
//!
//! Every function returns `None` where its statistic is undefined (no samples, one sample for
//! a spread, a mean of zero for a relative spread) rather than NaN or a panic, so callers
//! decide what a missing value means. NaN samples are not rejected: they propagate into means
//! and spreads, and sort after every number (IEEE 754 `totalOrder`) for order statistics.

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

#[cfg(test)]
mod tests {
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
}
