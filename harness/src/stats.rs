//! Statistics of samples: descriptive statistics (mean, median, percentiles, standard deviation,
//! coefficient of variation) and the two-sample statistics `compare` decides with (Mann–Whitney
//! U test, Hodges–Lehmann shift, bootstrap interval of the shift, Benjamini–Hochberg q-values,
//! and, for paired rounds, Wilcoxon's signed-rank test with its Hodges–Lehmann interval,
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

/// The upper tail of the standard normal distribution, 1 − Φ(z).
pub fn normal_tail(z: f64) -> f64 {
    rank::normal_sf(z)
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
    pub fn next_unit(&mut self) -> f64 {
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

mod bootstrap;
mod rank;
pub mod signed_rank;
pub mod student;

pub use bootstrap::bootstrap_relative_shift;
pub use rank::{MWU_EXACT_MAX_N, MannWhitney, hodges_lehmann_log_shift, mann_whitney_u};
pub use signed_rank::{
    SignedRank, detectable_shift, paired_minimal_detectable_shift, paired_spread,
    signed_rank_interval, walsh_median, wilcoxon_signed_rank,
};

#[cfg(test)]
mod tests;
