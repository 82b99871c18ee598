//! Wilson score intervals for a probability estimated as a share of trials: unlike the normal
//! approximation p ± z sqrt(p (1 - p) / n), they stay inside [0, 1] and do not collapse to a
//! point when the share is 0 or 1 (Wilson 1927).

/// The normal quantile of a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of a share `p` of `n` trials at normal quantile `z`:
/// (p + z^2 / 2n ± z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n). With n = 0 it is the
/// whole [0, 1].
pub fn interval(p: f64, n: f64, z: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let z2n = z * z / n;
    let centre = (p + 0.5 * z2n) / (1.0 + z2n);
    let half = half_width(p, n, z);
    // At p = 0 (1) the lower (upper) end is 0 (1) exactly, not a rounding error away.
    let lo = if p <= 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if p >= 1.0 {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lo, hi)
}

/// Half the width of the Wilson interval: z sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n).
pub fn half_width(p: f64, n: f64, z: f64) -> f64 {
    if n <= 0.0 {
        return 0.5;
    }
    let z2n = z * z / n;
    z * (p * (1.0 - p) / n + 0.25 * z2n / n).sqrt() / (1.0 + z2n)
}

/// The standard error a Wilson 95% interval implies: its half width / 1.96. Close to
/// sqrt(p (1 - p) / n) for n p (1 - p) large, and z / 2n / (1 + z^2 / n) / 1.96 > 0 (not 0)
/// at p = 0 or 1.
pub fn std_error(p: f64, n: f64) -> f64 {
    half_width(p, n, Z95) / Z95
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_successes_give_the_closed_form_upper_bound() {
        // k = 0: the interval is [0, z^2 / (n + z^2)].
        for n in [10.0, 100.0, 20_000.0] {
            let (lo, hi) = interval(0.0, n, Z95);
            assert_eq!(lo, 0.0);
            let expected = Z95 * Z95 / (n + Z95 * Z95);
            assert!((hi - expected).abs() < 1e-12, "n {n}: {hi} vs {expected}");
            assert!(std_error(0.0, n) > 0.0);
        }
        // All successes mirror it.
        let (lo, hi) = interval(1.0, 100.0, Z95);
        assert!((lo - 100.0 / (100.0 + Z95 * Z95)).abs() < 1e-12);
        assert_eq!(hi, 1.0);
    }

    #[test]
    fn bounds_solve_the_score_equation() {
        // The Wilson bounds are the two roots pi of (p - pi)^2 = z^2 pi (1 - pi) / n.
        for (k, n) in [
            (1.0, 10.0),
            (15.0, 29.0),
            (3.0, 20_000.0),
            (19_990.0, 20_000.0),
        ] {
            let p = k / n;
            let (lo, hi) = interval(p, n, Z95);
            assert!(lo < p && p < hi);
            for pi in [lo, hi] {
                let gap = (p - pi).powi(2) - Z95 * Z95 * pi * (1.0 - pi) / n;
                assert!(gap.abs() < 1e-14, "k {k}, n {n}: {gap}");
            }
        }
        // n = 10, k = 1, worked by hand: 0.0179 to 0.4042.
        let (lo, hi) = interval(0.1, 10.0, Z95);
        assert!((lo - 0.0179).abs() < 5e-5, "{lo}");
        assert!((hi - 0.4042).abs() < 5e-5, "{hi}");
    }

    #[test]
    fn large_samples_approach_the_normal_approximation() {
        let (p, n): (f64, f64) = (0.3, 1e6);
        let normal = (p * (1.0 - p) / n).sqrt();
        assert!((std_error(p, n) / normal - 1.0).abs() < 1e-5);
    }
}
