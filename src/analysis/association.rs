//! Measures of association for the sensitivity analysis: Pearson's correlation (of ranks, it
//! is Spearman's) and the correlation ratio Var(E[Y | X]) / Var(Y) over groups of a sorted
//! order. Pure functions of slices.

/// Pearson's correlation (0 when either side is constant) of any x that widens to f64 exactly
/// (the f32 mid-ranks of a sample give the same bits as their f64 values).
pub fn pearson_of<T: Copy + Into<f64>>(x: &[T], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().map(|a| (*a).into()).sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let a: f64 = (*a).into();
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// [`crate::analysis::sensitivity::correlation_ratio`] given the sorted order of x and whether two of its trials have equal
/// values.
pub fn correlation_ratio_in_order(
    order: &[u32],
    tied: impl Fn(u32, u32) -> bool,
    y: &[f64],
    bins: usize,
) -> f64 {
    let n = y.len();
    // The ratio does not depend on y's unit; beyond 1e100 P squares would overflow to inf
    // (and inf / inf is NaN), so such outputs are measured in units of their largest value.
    let largest = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let rescaled: Vec<f64>;
    let y = if largest > 1e100 {
        rescaled = y.iter().map(|v| v / largest).collect();
        &rescaled
    } else {
        y
    };
    let my = y.iter().sum::<f64>() / n as f64;
    let total: f64 = y.iter().map(|v| (v - my) * (v - my)).sum();
    if total == 0.0 {
        return 0.0;
    }
    let mut between = 0.0;
    let mut start = 0;
    while start < n {
        let mut end = (start + n.div_ceil(bins)).min(n);
        while end < n && tied(order[end], order[end - 1]) {
            end += 1;
        }
        let group = &order[start..end];
        let mean = group.iter().map(|i| y[*i as usize]).sum::<f64>() / group.len() as f64;
        between += group.len() as f64 * (mean - my) * (mean - my);
        start = end;
    }
    between / total
}
