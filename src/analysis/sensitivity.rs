//! Which assumption matters most: rank correlation (Spearman) and a variance-based index
//! between every sampled input and every series' capacity at chosen years.
//!
//! Memory stays bounded: the analysis re-runs a fixed sample, the first [`SAMPLE_TRIALS`]
//! trials by number (the same random numbers as the main run's first trials), so the result
//! does not depend on the thread count or on how a run was sharded. The sample adds Monte
//! Carlo error: the standard error of a Spearman rho from n pairs is about
//! 1.06 (1 - rho^2) / sqrt(n - 3) (Fieller, Hartley and Pearson 1957, via Fisher's z), at most
//! 0.011 for n = 10,000. The variance-based (first-order) index is the correlation ratio
//! Var(E[Y | X]) / Var(Y) with X cut into [`BINS`] equal-count bins (or grouped by value when
//! it takes few values); its bias with no real effect is about (bins - 1) / n, 0.002 here.

use crate::analysis::labels;
use crate::analysis::swing::{Swing, swing_in_order};
use crate::model::Model;
use crate::scenario::Scenario;
use rayon::prelude::*;
use serde::Serialize;

/// Trials in the sensitivity sample (fewer when the run has fewer).
pub const SAMPLE_TRIALS: u64 = 10_000;
/// Bins of an input for the variance-based index.
pub const BINS: usize = 20;
/// Fieller-Hartley-Pearson factor for the variance of Fisher's z of a Spearman rho.
const SPEARMAN_VARIANCE_FACTOR: f64 = 1.06;

/// One row of sensitivity.csv.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SensitivityRow {
    /// City name or "Total".
    pub output: String,
    /// Decimal year of the grid time.
    pub year: f64,
    /// Input named after its place in the scenario file; "City.volatility" is the city's
    /// cumulative random shock up to `year`, a project's "probability" is 1 when delivered.
    pub input: String,
    /// Spearman rank correlation between the input and the output's capacity.
    pub rank_correlation: f64,
    /// Approximate standard error of `rank_correlation` from the sample size.
    pub rank_correlation_se: f64,
    /// Share of the output's variance explained by the input alone (first-order index).
    pub first_order_index: f64,
    /// Trials in the sample.
    pub sample: u64,
    /// The input in plain words ([`crate::analysis::labels`]), for charts.
    pub input_label: String,
    /// The input's 10th percentile in the sample.
    pub input_p10: f64,
    /// The input's 90th percentile in the sample.
    pub input_p90: f64,
    /// The output's median (P) when the input is near its 10th percentile
    /// ([`crate::analysis::swing`]).
    pub output_p50_at_input_p10: f64,
    /// The output's median (P) when the input is near its 90th percentile.
    pub output_p50_at_input_p90: f64,
    /// output_p50_at_input_p90 - output_p50_at_input_p10, P.
    pub swing: f64,
}

/// The years analysed by default: end-2025, end-2027 and the end of the horizon, those that
/// fall inside the horizon (after its start).
pub fn default_years(scenario: &Scenario) -> Vec<f64> {
    let end = scenario.grid.end();
    let mut years: Vec<f64> = [2026.0, 2028.0]
        .into_iter()
        .filter(|y| *y > scenario.grid.start && *y < end)
        .collect();
    years.push(end);
    years
}

/// One sampled trial: its scalar inputs, then each city's volatility walk at each year, then each
/// series' capacity at each year.
struct SampleRow {
    inputs: Vec<f64>,
    walks: Vec<f64>,
    outputs: Vec<f64>,
}

/// Runs the sample and ranks every input for every series at each of `years` (each mapped to
/// the first grid time at or after it). Rows are ordered by output, year, then |rho| descending.
pub fn analyse(scenario: &Scenario, years: &[f64]) -> Vec<SensitivityRow> {
    let model = Model::new(scenario);
    let grid = &scenario.grid;
    let indices: Vec<usize> = years
        .iter()
        .filter_map(|y| grid.first_index_at_or_after(*y))
        .collect();
    let n = scenario.trials.min(SAMPLE_TRIALS);
    let analysed = analysed_series(scenario);
    let sample = run_sample(&model, scenario.seed, n, (&indices, &analysed));
    let names = model.input_names();
    let cities = model.city_names();
    let all_series = scenario.series();
    let series_names: Vec<String> = all_series
        .iter()
        .map(|s| scenario.series_name(*s).to_string())
        .collect();
    // Inputs are ranked once; each city's random walk once per year. The rows' inputs become
    // columns as the rows are read, so the sample is never held twice.
    let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(sample.len()); names.len()];
    let sample: Vec<SampleRow> = sample
        .into_iter()
        .map(|mut row| {
            for (column, v) in columns.iter_mut().zip(&row.inputs) {
                column.push(*v);
            }
            row.inputs = Vec::new();
            row
        })
        .collect();
    let labels = labels::input_labels(scenario, &names);
    let inputs: Vec<RankedInput> = names
        .iter()
        .zip(labels)
        .zip(columns)
        .map(|((name, label), column)| RankedInput::new((name.clone(), label), column))
        .collect();
    let mut rows = Vec::new();
    for (j, &k) in indices.iter().enumerate() {
        let walks: Vec<RankedInput> = cities
            .iter()
            .enumerate()
            .map(|(c, city)| {
                let walk = sample
                    .iter()
                    .map(|r| r.walks[c * indices.len() + j])
                    .collect();
                let name = format!("{city}.volatility");
                let label = labels::input_labels(scenario, std::slice::from_ref(&name)).remove(0);
                RankedInput::new((name, label), walk)
            })
            .collect();
        let candidates: Vec<&RankedInput> = inputs.iter().chain(&walks).collect();
        for (a, &s) in analysed.iter().enumerate() {
            let output = &series_names[s];
            let y: Vec<f64> = sample
                .iter()
                .map(|r| r.outputs[a * indices.len() + j])
                .collect();
            let mut block = rank_inputs(output, grid.time(k), &candidates, &y);
            rows.append(&mut block);
        }
    }
    // Rows by output, then year, as documented.
    let order = |name: &str| series_names.iter().position(|s| s == name);
    rows.sort_by(|a, b| {
        order(&a.output)
            .cmp(&order(&b.output))
            .then(a.year.total_cmp(&b.year))
    });
    rows
}

/// The series whose drivers are ranked (storage indices): every series of a scenario with few
/// cities; else the Total, the groups and the largest few cities by median baseline, so the
/// cost grows with inputs x outputs, not with the square of the places.
fn analysed_series(scenario: &Scenario) -> Vec<usize> {
    let n = scenario.cities.len();
    let all = scenario.series().len();
    if n <= crate::scenario::groups::DEFAULT_RIVALS {
        return (0..all).collect();
    }
    let mut largest: Vec<usize> = (0..n).collect();
    largest.sort_by(|a, b| {
        let size = |c: &usize| scenario.cities[*c].baseline.median();
        size(b).total_cmp(&size(a))
    });
    largest.truncate(crate::scenario::groups::DEFAULT_RIVALS);
    largest.sort_unstable();
    largest.extend(n..all);
    largest
}

/// One sampled input with its sort order and mid-ranks, computed once and reused for every
/// output it is compared with.
struct RankedInput {
    name: String,
    label: String,
    values: Vec<f64>,
    order: Vec<usize>,
    ranks: Vec<f64>,
}

impl RankedInput {
    fn new((name, label): (String, String), values: Vec<f64>) -> Self {
        let order = sorted_order(&values);
        let ranks = mid_ranks_in_order(&values, &order);
        RankedInput {
            name,
            label,
            values,
            order,
            ranks,
        }
    }
}

/// The sample's trials: each one's inputs, its cities' walks and the analysed series' values
/// at the grid times `indices`.
fn run_sample(
    model: &Model,
    seed: u64,
    n: u64,
    (indices, analysed): (&[usize], &[usize]),
) -> Vec<SampleRow> {
    let len = model.grid.len();
    (0..n)
        .into_par_iter()
        .map_init(
            || model.buffer(),
            |buf, trial| {
                model.run_trial(seed, trial, buf);
                let pick = |values: &[f64], blocks: usize| -> Vec<f64> {
                    (0..blocks)
                        .flat_map(|b| indices.iter().map(move |k| values[b * len + k]))
                        .collect()
                };
                SampleRow {
                    inputs: buf.inputs.clone(),
                    walks: pick(&buf.walks, model.city_count()),
                    outputs: {
                        let values = &buf.values;
                        analysed
                            .iter()
                            .flat_map(|s| indices.iter().map(move |k| values[s * len + k]))
                            .collect()
                    },
                }
            },
        )
        .collect()
}

/// Rows for one output at one year, inputs that vary in the sample only, strongest first.
fn rank_inputs(
    output: &str,
    year: f64,
    candidates: &[&RankedInput],
    y: &[f64],
) -> Vec<SensitivityRow> {
    let n = y.len();
    let y_ranks = mid_ranks(y);
    let mut rows: Vec<SensitivityRow> = candidates
        .iter()
        .filter(|x| x.values.iter().any(|v| *v != x.values[0]))
        .map(|x| {
            let rho = pearson(&x.ranks, &y_ranks);
            let swing = swing_in_order(&x.values, &x.order, y).unwrap_or(Swing {
                input_p10: f64::NAN,
                input_p90: f64::NAN,
                output_at_p10: f64::NAN,
                output_at_p90: f64::NAN,
            });
            SensitivityRow {
                output: output.to_string(),
                year,
                input: x.name.clone(),
                rank_correlation: rho,
                rank_correlation_se: spearman_se(rho, n),
                first_order_index: correlation_ratio_in_order(&x.values, &x.order, y, BINS),
                sample: n as u64,
                input_label: x.label.clone(),
                input_p10: swing.input_p10,
                input_p90: swing.input_p90,
                output_p50_at_input_p10: swing.output_at_p10,
                output_p50_at_input_p90: swing.output_at_p90,
                swing: swing.swing(),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.rank_correlation
            .abs()
            .total_cmp(&a.rank_correlation.abs())
            .then_with(|| a.input.cmp(&b.input))
    });
    rows
}

/// Approximate standard error of a Spearman rho from n pairs.
pub fn spearman_se(rho: f64, n: usize) -> f64 {
    if n <= 3 {
        return f64::NAN;
    }
    (1.0 - rho * rho) * (SPEARMAN_VARIANCE_FACTOR / (n as f64 - 3.0)).sqrt()
}

/// Ranks from 1 to n, ties sharing the mean of their ranks.
pub fn mid_ranks(values: &[f64]) -> Vec<f64> {
    mid_ranks_in_order(values, &sorted_order(values))
}

/// Indices of `values` in ascending order (f64::total_cmp), ties in index order: the order of a
/// stable sort, computed as an unstable sort of (key, index) pairs, which are all distinct.
/// Sorting the pairs in place, not indices through the values, keeps the sort in cache.
fn sorted_order(values: &[f64]) -> Vec<usize> {
    let mut keyed: Vec<(i64, usize)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (total_order_key(*v), i))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// An integer that orders doubles as f64::total_cmp does (the same bit trick).
fn total_order_key(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

/// Mid-ranks given the sorted order of `values`.
fn mid_ranks_in_order(values: &[f64], order: &[usize]) -> Vec<f64> {
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            ranks[o] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation; 0 when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
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

/// Var(E[Y | group]) / Var(Y), grouping X by value when it takes at most `bins` values and
/// into `bins` equal-count groups of its sorted order otherwise (ties kept together).
pub fn correlation_ratio(x: &[f64], y: &[f64], bins: usize) -> f64 {
    correlation_ratio_in_order(x, &sorted_order(x), y, bins)
}

/// [`correlation_ratio`] given the sorted order of `x`.
fn correlation_ratio_in_order(x: &[f64], order: &[usize], y: &[f64], bins: usize) -> f64 {
    let n = x.len();
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
        while end < n && x[order[end]] == x[order[end - 1]] {
            end += 1;
        }
        let group = &order[start..end];
        let mean = group.iter().map(|i| y[*i]).sum::<f64>() / group.len() as f64;
        between += group.len() as f64 * (mean - my) * (mean - my);
        start = end;
    }
    between / total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_order_is_the_stable_total_order() {
        let values = [
            2.0,
            -0.0,
            0.0,
            f64::NAN,
            -1.5,
            2.0,
            f64::NEG_INFINITY,
            0.0,
            1e-300,
            -f64::NAN,
        ];
        let mut stable: Vec<usize> = (0..values.len()).collect();
        stable.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
        assert_eq!(sorted_order(&values), stable);
        assert_eq!(sorted_order(&values)[..2], [9, 6]);
    }

    #[test]
    fn mid_ranks_share_ties() {
        assert_eq!(mid_ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn monotone_relations_have_rank_correlation_one() {
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| (v / 10.0).exp()).collect();
        assert!((pearson(&mid_ranks(&x), &mid_ranks(&y)) - 1.0).abs() < 1e-12);
        let z: Vec<f64> = x.iter().map(|v| -v * v).collect();
        assert!((pearson(&mid_ranks(&x), &mid_ranks(&z)) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn correlation_ratio_of_a_function_of_a_two_valued_input_is_one() {
        let x: Vec<f64> = (0..100).map(|i| f64::from(i % 2)).collect();
        let y: Vec<f64> = x.iter().map(|v| 5.0 + 3.0 * v).collect();
        assert!((correlation_ratio(&x, &y, BINS) - 1.0).abs() < 1e-12);
        let unrelated: Vec<f64> = (0..100).map(|i| f64::from(i / 50)).collect();
        assert!(correlation_ratio(&unrelated, &y, BINS) < 1e-12);
    }
}
