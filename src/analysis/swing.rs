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

/// The value of `x` at quantile `p` (the ceil(p n)-th smallest), given `order`, the indices of
/// `x` in ascending order; NaN for an empty sample.
pub fn quantile_in_order(x: &[f64], order: &[u32], p: f64) -> f64 {
    let n = order.len();
    if n == 0 {
        return f64::NAN;
    }
    x[order[((p * n as f64).ceil() as usize).clamp(1, n) - 1] as usize]
}

/// The swing of `y` with an input known by its mid-`ranks` (equal exactly when its values
/// are), `order` (its indices in ascending order) and its (p10, p90) values; None for an empty
/// sample. A window holds the trials whose rank lies between the ranks at its two
/// percentiles: the same trials as comparing the values, ties included.
pub fn swing_in_order(
    ranks: &[f32],
    order: &[u32],
    (p10, p90): (f64, f64),
    y: &[f64],
) -> Option<Swing> {
    let n = order.len();
    if n == 0 {
        return None;
    }
    let rank_at = |p: f64| ranks[order[((p * n as f64).ceil() as usize).clamp(1, n) - 1] as usize];
    let window = |lo: f64, hi: f64| {
        let (a, b) = (rank_at(lo), rank_at(hi));
        let mut inside: Vec<f64> = (0..n)
            .filter(|i| ranks[*i] >= a && ranks[*i] <= b)
            .map(|i| y[i])
            .collect();
        median(&mut inside)
    };
    Some(Swing {
        input_p10: p10,
        input_p90: p90,
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

    /// The swing of y with x, through the order, mid-ranks and percentiles the sensitivity
    /// analysis keeps of x.
    fn swing_of(x: &[f64], y: &[f64]) -> Option<Swing> {
        let mut order: Vec<u32> = (0..x.len() as u32).collect();
        order.sort_by(|a, b| x[*a as usize].total_cmp(&x[*b as usize]));
        let ranks: Vec<f32> = crate::analysis::sensitivity::mid_ranks(x)
            .into_iter()
            .map(|r| r as f32)
            .collect();
        let p = |q: f64| quantile_in_order(x, &order, q);
        swing_in_order(&ranks, &order, (p(0.10), p(0.90)), y)
    }

    #[test]
    fn a_linear_output_swings_by_its_p90_minus_p10() {
        // x = 0, 1, ..., 999: p10 = 99, p90 = 899; y = 3x + 5.
        let x: Vec<f64> = (0..1000).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v + 5.0).collect();
        let s = swing_of(&x, &y).expect("a sample");
        assert_eq!((s.input_p10, s.input_p90), (99.0, 899.0));
        // Windows 49..=149 and 849..=949: medians at 99 and 899 exactly.
        assert_eq!(s.output_at_p10, 3.0 * 99.0 + 5.0);
        assert_eq!(s.swing(), 3.0 * 800.0);
    }

    #[test]
    fn a_two_valued_input_compares_its_two_groups() {
        let x: Vec<f64> = (0..100).map(|i| f64::from(u8::from(i >= 20))).collect();
        let y: Vec<f64> = (0..100).map(|i| if i >= 20 { 10.0 } else { 1.0 }).collect();
        let s = swing_of(&x, &y).expect("a sample");
        assert_eq!((s.output_at_p10, s.output_at_p90), (1.0, 10.0));
    }
}
