//! Student's t distribution and Welch's two-sample t-test, for the change-point detector of the
//! trend report (`docs/report.md`).

/// ln Γ(x) for x > 0, by the Lanczos approximation (g = 7, n = 9; the coefficients of
/// P. Godfrey's table), with the reflection formula below 0.5. Accurate to about 1e-15
/// relative for the arguments used here.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Γ(x)Γ(1 − x) = π / sin(πx)
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1], by the
/// continued fraction of Numerical Recipes (§6.4, `betacf`, evaluated with the modified Lentz
/// method), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges
/// slowly (x > (a + 1)/(a + b + 2)).
pub fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(1.0 - x, b, a);
    }
    ln_front.exp() * beta_fraction(x, a, b) / a
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    // Lentz: a term that vanishes is replaced by a tiny one, so no division by zero.
    let away_from_zero = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / away_from_zero(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        // The even step, then the odd step of the fraction.
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        let mut delta = 1.0;
        for coefficient in [even, odd] {
            d = 1.0 / away_from_zero(1.0 + coefficient * d);
            c = away_from_zero(1.0 + coefficient / c);
            delta = d * c;
            h *= delta;
        }
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The two-sided p-value of Student's t with `df` degrees of freedom:
/// P(|T| ≥ |t|) = I_{df/(df + t²)}(df/2, 1/2).
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return 0.0;
    }
    incomplete_beta(df / (df + t * t), df / 2.0, 0.5)
}

/// Welch's two-sample t-test: t = (ȳ − x̄)/√(s_x²/n_x + s_y²/n_y), with the
/// Welch–Satterthwaite degrees of freedom
/// ν = (s_x²/n_x + s_y²/n_y)² / ((s_x²/n_x)²/(n_x − 1) + (s_y²/n_y)²/(n_y − 1)).
/// Returns (t, ν, two-sided p). `var_floor` is the least variance either side is given, so two
/// constant segments with different means give a finite t. `None` for fewer than two values on
/// a side, or no variance at all.
pub fn welch(x: &[f64], y: &[f64], var_floor: f64) -> Option<(f64, f64, f64)> {
    if x.len() < 2 || y.len() < 2 {
        return None;
    }
    let (mx, my) = (super::mean(x)?, super::mean(y)?);
    let var = |xs: &[f64], m: f64| {
        (xs.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (xs.len() - 1) as f64).max(var_floor)
    };
    let (vx, vy) = (var(x, mx) / x.len() as f64, var(y, my) / y.len() as f64);
    let se2 = vx + vy;
    if se2 <= 0.0 || !se2.is_finite() {
        return None;
    }
    let t = (my - mx) / se2.sqrt();
    let df = se2 * se2 / (vx * vx / (x.len() - 1) as f64 + vy * vy / (y.len() - 1) as f64);
    Some((t, df, t_two_sided_p(t, df)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol * b.abs().max(1e-300), "{a} vs {b}");
    }

    #[test]
    fn ln_gamma_at_known_points() {
        assert!(ln_gamma(1.0).abs() < 1e-14 && ln_gamma(2.0).abs() < 1e-14);
        close(ln_gamma(5.0).exp(), 24.0, 1e-13);
        close(ln_gamma(0.5).exp(), std::f64::consts::PI.sqrt(), 1e-13);
        close(ln_gamma(10.5).exp(), 1_133_278.388_948_785_5, 1e-12);
    }

    #[test]
    fn t_tail_matches_the_closed_forms_for_one_and_two_degrees_of_freedom() {
        // ν = 1 (Cauchy): P(|T| ≥ t) = 1 − 2·atan(t)/π.
        // ν = 2: P(|T| ≥ t) = 1 − t/√(2 + t²).
        for t in [0.1, 0.5, 1.0, 2.0, 5.0, 30.0] {
            let cauchy = 1.0 - 2.0 * f64::atan(t) / std::f64::consts::PI;
            close(t_two_sided_p(t, 1.0), cauchy, 1e-12);
            let two = 1.0 - t / (2.0 + t * t).sqrt();
            close(t_two_sided_p(t, 2.0), two, 1e-12);
        }
        // Large ν tends to the normal: P(|Z| ≥ 1.959964) = 0.05.
        close(t_two_sided_p(1.959_963_984_540_054, 1e7), 0.05, 1e-5);
        assert_eq!(t_two_sided_p(f64::INFINITY, 3.0), 0.0);
        close(t_two_sided_p(0.0, 3.0), 1.0, 1e-15);
    }

    #[test]
    fn incomplete_beta_symmetry_and_ends() {
        for (x, a, b) in [(0.3, 2.0, 5.0), (0.9, 0.5, 3.0), (0.5, 10.0, 10.0)] {
            close(
                incomplete_beta(x, a, b),
                1.0 - incomplete_beta(1.0 - x, b, a),
                1e-12,
            );
        }
        // I_x(1, 1) = x; I_x(a, 1) = x^a.
        close(incomplete_beta(0.37, 1.0, 1.0), 0.37, 1e-13);
        close(incomplete_beta(0.6, 3.0, 1.0), 0.216, 1e-13);
        assert_eq!(incomplete_beta(0.0, 2.0, 2.0), 0.0);
        assert_eq!(incomplete_beta(1.0, 2.0, 2.0), 1.0);
    }

    #[test]
    fn welch_on_a_textbook_pair() {
        // Equal variances and sizes: ν = 2(n − 1) and t = Δ/√(2s²/n).
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [3.0, 4.0, 5.0, 6.0, 7.0];
        let (t, df, p) = welch(&x, &y, 0.0).expect("defined");
        close(t, 2.0, 1e-12); // 2 / √(2·2.5/5)
        close(df, 8.0, 1e-12);
        // ν = 8, t = 2: p = I_{8/12}(4, 1/2).
        close(p, incomplete_beta(8.0 / 12.0, 4.0, 0.5), 1e-15);
        assert!(p > 0.05 && p < 0.1, "{p}");
        // Constant segments differ only through the floor.
        let (t, _, p) = welch(&[1.0; 5], &[2.0; 5], 1e-6).expect("floored");
        assert!(t > 1000.0 && p < 1e-10);
        assert_eq!(welch(&[1.0; 5], &[2.0; 5], 0.0), None);
        assert_eq!(welch(&[1.0], &[2.0, 3.0], 0.0), None);
    }
}
