//! Change points of a series over history (`docs/report.md` §3): binary segmentation on the
//! mean, each split accepted by Welch's t-test. Pure; advisory only (it never decides an exit
//! code).
//!
//! For a segment x[lo..hi) the candidate split τ maximises the between-segment sum of squares
//! n₁·n₂/n · (x̄₁ − x̄₂)² (the split that best explains the segment by two means, found in O(n)
//! with prefix sums). It is accepted when both parts have at least `min_segment` points, the
//! relative shift |x̄₂ − x̄₁|/|x̄₁| exceeds the series' noise `floor`, and Welch's t-test between
//! the parts, its p multiplied by the number of candidate splits (Bonferroni: the split is the
//! best of them), gives p ≤ [`P_MAX`]; then both parts are searched again.

use crate::stats::student;

/// The significance a split must reach (Apache Otava's default).
pub const P_MAX: f64 = 0.001;
/// The fewest points a segment of a deterministic series may have.
pub const MIN_SEGMENT_DETERMINISTIC: usize = 3;
/// The fewest points a segment of a noisy series may have.
pub const MIN_SEGMENT_NOISY: usize = 5;

/// A detected change: the series' mean moves at `index` (the first point of the new segment).
#[derive(Clone, Debug, PartialEq)]
pub struct ChangePoint {
    /// The index of the first point after the change.
    pub index: usize,
    /// The mean of the segment before.
    pub before: f64,
    /// The mean of the segment after.
    pub after: f64,
    /// (after − before) / before.
    pub shift: f64,
    /// Welch's two-sided p-value of the split.
    pub p: f64,
}

/// The change points of `values`, in index order. `floor` is the least relative shift that
/// counts (the series' noise fence); `min_segment` the fewest points on each side.
pub fn detect(values: &[f64], floor: f64, min_segment: usize) -> Vec<ChangePoint> {
    let mut out = Vec::new();
    let min_segment = min_segment.max(2);
    let mut stack = vec![(0, values.len())];
    while let Some((lo, hi)) = stack.pop() {
        if let Some(cp) = best_split(values, lo, hi, floor, min_segment) {
            let at = cp.index;
            out.push(cp);
            stack.push((lo, at));
            stack.push((at, hi));
        }
    }
    out.sort_by_key(|c| c.index);
    out
}

fn best_split(
    values: &[f64],
    lo: usize,
    hi: usize,
    floor: f64,
    min_segment: usize,
) -> Option<ChangePoint> {
    if hi - lo < 2 * min_segment {
        return None;
    }
    let segment = &values[lo..hi];
    let n = segment.len() as f64;
    let total: f64 = segment.iter().sum();
    let mut prefix = 0.0;
    let mut best: Option<(usize, f64)> = None;
    for (i, v) in segment.iter().enumerate().take(segment.len() - min_segment) {
        prefix += v;
        let n1 = (i + 1) as f64;
        if i + 1 < min_segment {
            continue;
        }
        let n2 = n - n1;
        let (m1, m2) = (prefix / n1, (total - prefix) / n2);
        let score = n1 * n2 / n * (m1 - m2) * (m1 - m2);
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((i + 1, score));
        }
    }
    let (split, _) = best?;
    let (before, after) = segment.split_at(split);
    let (m1, m2) = (crate::stats::mean(before)?, crate::stats::mean(after)?);
    if m1 == 0.0 {
        return None;
    }
    let shift = (m2 - m1) / m1.abs();
    if shift.is_nan() || shift.abs() <= floor {
        return None;
    }
    // Constant segments (instruction counts) get a variance floor far below the shift, so
    // a clean step is significant and a step inside the floor is not tested at all.
    let scale = m1.abs().max(m2.abs());
    let var_floor = (scale * floor * 1e-3).powi(2);
    let (_, _, p) = student::welch(before, after, var_floor)?;
    // The split was chosen as the best of all candidates, so its p is corrected for them
    // (Bonferroni): without it, pure noise "splits" in most long series.
    let candidates = (segment.len() + 1).saturating_sub(2 * min_segment) as f64;
    let p = (p * candidates.max(1.0)).min(1.0);
    (p <= P_MAX).then_some(ChangePoint {
        index: lo + split,
        before: m1,
        after: m2,
        shift,
        p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SplitMix64;

    /// n values around `mean` with a relative spread of about ±`spread`.
    fn noisy(rng: &mut SplitMix64, n: usize, mean: f64, spread: f64) -> Vec<f64> {
        (0..n)
            .map(|_| mean * (1.0 + spread * (rng.below(2001) as f64 / 1000.0 - 1.0)))
            .collect()
    }

    #[test]
    fn a_deterministic_step_is_found_where_it_happens() {
        let mut values = vec![1000.0; 20];
        values.extend(vec![1050.0; 15]);
        let cps = detect(&values, 0.002, MIN_SEGMENT_DETERMINISTIC);
        assert_eq!(cps.len(), 1, "{cps:?}");
        assert_eq!(cps[0].index, 20);
        assert!((cps[0].shift - 0.05).abs() < 1e-12);
        assert!(cps[0].p <= P_MAX);
    }

    #[test]
    fn two_steps_and_a_step_below_the_floor() {
        let mut values = vec![100.0; 10];
        values.extend(vec![110.0; 10]);
        values.extend(vec![90.0; 10]);
        let cps = detect(&values, 0.002, MIN_SEGMENT_DETERMINISTIC);
        let at: Vec<usize> = cps.iter().map(|c| c.index).collect();
        assert_eq!(at, vec![10, 20]);
        // A 0.1% step under a 0.2% fence is not a change point.
        let mut small = vec![1000.0; 10];
        small.extend(vec![1001.0; 10]);
        assert!(detect(&small, 0.002, MIN_SEGMENT_DETERMINISTIC).is_empty());
    }

    #[test]
    fn noise_without_a_step_gives_no_change_point() {
        let mut rng = SplitMix64::new(11);
        for _ in 0..20 {
            let values = noisy(&mut rng, 100, 1000.0, 0.05);
            let cps = detect(&values, 0.01, MIN_SEGMENT_NOISY);
            assert!(cps.is_empty(), "{cps:?}");
        }
    }

    #[test]
    fn a_noisy_step_of_ten_percent_is_found_near_where_it_happens() {
        let mut rng = SplitMix64::new(5);
        let mut values = noisy(&mut rng, 40, 1000.0, 0.03);
        values.extend(noisy(&mut rng, 40, 1100.0, 0.03));
        let cps = detect(&values, 0.01, MIN_SEGMENT_NOISY);
        assert_eq!(cps.len(), 1, "{cps:?}");
        assert!(cps[0].index.abs_diff(40) <= 2, "{cps:?}");
        assert!(cps[0].shift > 0.08 && cps[0].shift < 0.12);
    }

    #[test]
    fn short_or_empty_series_have_none() {
        assert!(detect(&[], 0.0, 3).is_empty());
        assert!(detect(&[1.0, 2.0, 3.0], 0.0, 3).is_empty());
        assert!(detect(&[0.0; 10], 0.0, 3).is_empty());
    }
}
