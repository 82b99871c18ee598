//! How far an output moves with one input: the output's median when the input is near its own
//! 10th percentile against near its 90th, holding the other inputs as sampled.
//!
//! "Near" is a window of a tenth of the sample centred on the percentile: the trials whose input
//! lies between its 5th and 15th percentiles (low) and between its 85th and 95th (high),
//! ties included. When the output is a linear function of the input, the median of a window
//! symmetric about p10 is the output at p10, so the swing is the output's p90 - p10 difference
//! (docs/model.md, "Sensitivity"). An input taking few values (a project delivered or not)
//! compares the trials at its value at p10 with those at its value at p90.

/// An input's 10th and 90th percentiles and the output's medians near each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Swing {
    /// The input's 10th percentile in the sample.
    pub input_p10: f64,
    /// The input's 90th percentile in the sample.
    pub input_p90: f64,
    /// The output's median among trials whose input lies between its 5th and 15th percentiles.
    pub output_at_p10: f64,
    /// The output's median among trials whose input lies between its 85th and 95th.
    pub output_at_p90: f64,
}

impl Swing {
    /// output_at_p90 - output_at_p10: positive when the output rises with the input.
    pub fn swing(&self) -> f64 {
        self.output_at_p90 - self.output_at_p10
    }
}

/// The swing of `y` with `x`, given `order`, the indices of `x` in ascending order; None for
/// an empty sample.
pub fn swing_in_order(x: &[f64], order: &[usize], y: &[f64]) -> Option<Swing> {
    let n = order.len();
    if n == 0 {
        return None;
    }
    let quantile = |p: f64| x[order[((p * n as f64).ceil() as usize).clamp(1, n) - 1]];
    let window = |lo: f64, hi: f64| {
        let (a, b) = (quantile(lo), quantile(hi));
        let mut inside: Vec<f64> = (0..n)
            .filter(|i| x[*i] >= a && x[*i] <= b)
            .map(|i| y[i])
            .collect();
        median(&mut inside)
    };
    Some(Swing {
        input_p10: quantile(0.10),
        input_p90: quantile(0.90),
        output_at_p10: window(0.05, 0.15),
        output_at_p90: window(0.85, 0.95),
    })
}

/// The median (the mean of the middle two of an even count); NaN when empty.
fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_unstable_by(f64::total_cmp);
    let m = values.len() / 2;
    if values.len() % 2 == 1 {
        values[m]
    } else {
        0.5 * (values[m - 1] + values[m])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(x: &[f64]) -> Vec<usize> {
        let mut o: Vec<usize> = (0..x.len()).collect();
        o.sort_by(|a, b| x[*a].total_cmp(&x[*b]));
        o
    }

    #[test]
    fn a_linear_output_swings_by_its_p90_minus_p10() {
        // x = 0, 1, ..., 999: p10 = 99, p90 = 899; y = 3x + 5.
        let x: Vec<f64> = (0..1000).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v + 5.0).collect();
        let s = swing_in_order(&x, &order(&x), &y).expect("a sample");
        assert_eq!((s.input_p10, s.input_p90), (99.0, 899.0));
        // Windows 49..=149 and 849..=949: medians at 99 and 899 exactly.
        assert_eq!(s.output_at_p10, 3.0 * 99.0 + 5.0);
        assert_eq!(s.swing(), 3.0 * 800.0);
    }

    #[test]
    fn a_two_valued_input_compares_its_two_groups() {
        let x: Vec<f64> = (0..100).map(|i| f64::from(u8::from(i >= 20))).collect();
        let y: Vec<f64> = (0..100).map(|i| if i >= 20 { 10.0 } else { 1.0 }).collect();
        let s = swing_in_order(&x, &order(&x), &y).expect("a sample");
        assert_eq!((s.output_at_p10, s.output_at_p90), (1.0, 10.0));
    }
}
