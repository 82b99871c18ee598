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

use crate::analysis::association::{correlation_ratio_in_order, pearson_of};
use crate::analysis::group_effects::{GroupEffect, GroupPlan};
use crate::analysis::labels;
use crate::analysis::sample::{Sample, run_sample};
use crate::analysis::swing::{Swing, quantile_in_order, swing_in_order};
use crate::model::{InputOwner, Model};
use crate::scenario::Scenario;
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
    /// The input's group for the Shapley effects ([`crate::analysis::group_effects`]): its
    /// city, "others" or "shared"; empty for a reporting basis's inputs.
    pub group: String,
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

/// Runs the sample and ranks every input for every series at each of `years` (each mapped to
/// the first grid time at or after it). Rows are ordered by output, year, then |rho| descending.
pub fn analyse(scenario: &Scenario, years: &[f64]) -> Vec<SensitivityRow> {
    analyse_with_groups(scenario, years).0
}

/// [`analyse`] and the groups' Shapley effects ([`crate::analysis::group_effects`]) for the
/// same outputs and years, in the same order (groups by effect, `unexplained` last).
pub fn analyse_with_groups(
    scenario: &Scenario,
    years: &[f64],
) -> (Vec<SensitivityRow>, Vec<GroupEffect>) {
    let model = Model::new(scenario);
    let grid = &scenario.grid;
    let indices: Vec<usize> = years
        .iter()
        .filter_map(|y| grid.first_index_at_or_after(*y))
        .collect();
    let n = scenario.trials.min(SAMPLE_TRIALS);
    let analysed = analysed_series(scenario);
    let mut sample = run_sample(&model, scenario.seed, n, (&indices, &analysed));
    let names = model.input_names();
    let owners = model.input_owners();
    let all_series = scenario.series();
    let series_names: Vec<String> = all_series
        .iter()
        .map(|s| scenario.series_name(*s).to_string())
        .collect();
    // Scalar inputs are ranked once; the inputs that change with time (each city's realised
    // growth shock, each shock's starts and its unannounced builds so far) once per year. Each column's values are
    // dropped once it is ranked.
    let labels = labels::input_labels(scenario, &names);
    let built: Vec<usize> = model.built_inputs().iter().map(|(i, _)| *i).collect();
    let inputs: Vec<RankedInput> = (names.iter().zip(labels))
        .zip(std::mem::take(&mut sample.inputs))
        .zip(&owners)
        .enumerate()
        .filter(|(i, (_, owner))| !matches!(owner, InputOwner::Shock(_)) && !built.contains(i))
        .map(|(_, (((name, label), column), owner))| {
            RankedInput::new((name.clone(), label, *owner), column)
        })
        .collect();
    let plan = GroupPlan::new(scenario);
    let (mut rows, mut groups) = (Vec::new(), Vec::new());
    for (j, &k) in indices.iter().enumerate() {
        let timed = timed_inputs(scenario, (&model, &names, &owners), &mut sample, j);
        let candidates: Vec<&RankedInput> = inputs.iter().chain(&timed).collect();
        let outputs: Vec<(&str, &[f64])> = (analysed.iter().enumerate())
            .map(|(a, &s)| {
                let y = &sample.outputs[a * indices.len() + j];
                (series_names[s].as_str(), &y[..])
            })
            .collect();
        for (output, y) in &outputs {
            let mut block = rank_inputs(output, grid.time(k), &candidates, y);
            for row in &mut block {
                row.group = group_name(&plan, &candidates, &row.input);
            }
            rows.append(&mut block);
        }
        let units: Vec<(Option<usize>, Vec<f32>)> = (candidates.iter())
            .filter(|x| x.varies)
            .map(|x| (plan.group_of(x.owner), x.unit_ranks()))
            .collect();
        let mut columns: Vec<Vec<&[f32]>> = vec![Vec::new(); plan.names.len()];
        for (g, unit) in &units {
            if let Some(g) = g {
                columns[*g].push(unit);
            }
        }
        groups.append(&mut plan.effects(&columns, grid.time(k), &outputs));
    }
    // Rows by output, then year, as documented.
    let order = |name: &str| series_names.iter().position(|s| s == name);
    rows.sort_by(|a, b| {
        order(&a.output)
            .cmp(&order(&b.output))
            .then(a.year.total_cmp(&b.year))
    });
    groups.sort_by(|a, b| {
        order(&a.output)
            .cmp(&order(&b.output))
            .then(a.year.total_cmp(&b.year))
    });
    (rows, groups)
}

/// The inputs that change with time, ranked at the `j`-th year: each city's realised growth
/// shock, each shock's starts and each city's unannounced builds up to then.
fn timed_inputs(
    scenario: &Scenario,
    (model, names, owners): (&Model, &[String], &[InputOwner]),
    sample: &mut Sample,
    j: usize,
) -> Vec<RankedInput> {
    let years = sample.walks.len() / model.city_count().max(1);
    let walks = model.city_names().into_iter().enumerate().map(|(c, city)| {
        let walk = std::mem::take(&mut sample.walks[c * years + j]);
        let name = format!("{city}.volatility");
        (name, InputOwner::City(c), walk)
    });
    let shocks = (names.iter().zip(owners)).filter_map(|(name, owner)| match owner {
        InputOwner::Shock(i) => Some((name.clone(), *owner, *i)),
        _ => None,
    });
    let starts: Vec<(String, InputOwner, Vec<f64>)> = shocks
        .map(|(name, owner, i)| {
            let column = std::mem::take(&mut sample.starts[i * years + j]);
            (name, owner, column)
        })
        .collect();
    let built: Vec<(String, InputOwner, Vec<f64>)> = (model.built_inputs().iter().enumerate())
        .map(|(u, &(i, _))| {
            let column = std::mem::take(&mut sample.built[u * years + j]);
            (names[i].clone(), owners[i], column)
        })
        .collect();
    walks
        .collect::<Vec<_>>()
        .into_iter()
        .chain(starts)
        .chain(built)
        .map(|(name, owner, column)| {
            let label = labels::input_labels(scenario, std::slice::from_ref(&name)).remove(0);
            RankedInput::new((name, label, owner), column)
        })
        .collect()
}

/// The name of the group of the input called `input`, empty for a basis's.
fn group_name(plan: &GroupPlan, candidates: &[&RankedInput], input: &str) -> String {
    let owner = candidates.iter().find(|x| x.name == input).map(|x| x.owner);
    let group = owner.and_then(|o| plan.group_of(o));
    group.map_or_else(String::new, |g| plan.names[g].clone())
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

/// One sampled input, kept as its sort order and mid-ranks (computed once and reused for every
/// output it is compared with), not its values: two trials' values are equal exactly when
/// their mid-ranks are, which is all the first-order index needs of them. 32-bit order and
/// ranks: a sample has at most SAMPLE_TRIALS trials, whose mid-ranks (halves below 2^14) are
/// exact in f32, so the correlations are the same bits as with 64-bit ranks.
struct RankedInput {
    name: String,
    label: String,
    owner: InputOwner,
    order: Vec<u32>,
    ranks: Vec<f32>,
    /// Whether the input takes more than one value in the sample.
    varies: bool,
    /// The input's 10th and 90th percentiles in the sample (for its swing).
    p10_p90: (f64, f64),
}

/// Mid-ranks of up to 2^23 values are halves below 2^23, exact in f32.
const _: () = assert!(SAMPLE_TRIALS < 1 << 23);

impl RankedInput {
    fn new((name, label, owner): (String, String, InputOwner), values: Vec<f64>) -> Self {
        assert!(values.len() <= SAMPLE_TRIALS as usize);
        let order = sorted_order(&values);
        let ranks = mid_ranks_in_order(&values, &order)
            .into_iter()
            .map(|r| r as f32)
            .collect::<Vec<f32>>();
        RankedInput {
            name,
            label,
            owner,
            p10_p90: (
                quantile_in_order(&values, &order, 0.10),
                quantile_in_order(&values, &order, 0.90),
            ),
            order,
            varies: ranks.iter().any(|r| *r != ranks[0]),
            ranks,
        }
    }
}

impl RankedInput {
    /// The mid-ranks scaled to (0, 1), (rank - 1/2) / n, for the group effects.
    fn unit_ranks(&self) -> Vec<f32> {
        let n = self.ranks.len() as f32;
        self.ranks.iter().map(|r| (r - 0.5) / n).collect()
    }
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
        .filter(|x| x.varies)
        .map(|x| {
            let rho = pearson_of(&x.ranks, &y_ranks);
            let tied = |a: u32, b: u32| x.ranks[a as usize] == x.ranks[b as usize];
            let swing = swing_in_order(&x.ranks, &x.order, x.p10_p90, y).unwrap_or(Swing {
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
                first_order_index: correlation_ratio_in_order(&x.order, tied, y, BINS),
                sample: n as u64,
                input_label: x.label.clone(),
                input_p10: swing.input_p10,
                input_p90: swing.input_p90,
                output_p50_at_input_p10: swing.output_at_p10,
                output_p50_at_input_p90: swing.output_at_p90,
                swing: swing.swing(),
                group: String::new(),
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
/// Indices are 32-bit (half the memory of a sample's orders); there are never more values.
fn sorted_order(values: &[f64]) -> Vec<u32> {
    assert!(values.len() <= u32::MAX as usize);
    let mut keyed: Vec<(i64, u32)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (total_order_key(*v), i as u32))
        .collect();
    keyed.sort_unstable();
    let mut order = Vec::with_capacity(keyed.len());
    order.extend(keyed.iter().map(|(_, i)| *i));
    order
}

/// An integer that orders doubles as f64::total_cmp does (the same bit trick).
fn total_order_key(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

/// Mid-ranks given the sorted order of `values`.
fn mid_ranks_in_order(values: &[f64], order: &[u32]) -> Vec<f64> {
    let mut ranks = vec![0.0; values.len()];
    let value = |i: usize| values[order[i] as usize];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && value(j + 1) == value(i) {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            ranks[o as usize] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation; 0 when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    pearson_of(x, y)
}

/// Var(E[Y | group]) / Var(Y), grouping X by value when it takes at most `bins` values and
/// into `bins` equal-count groups of its sorted order otherwise (ties kept together).
pub fn correlation_ratio(x: &[f64], y: &[f64], bins: usize) -> f64 {
    let tied = |a: u32, b: u32| x[a as usize] == x[b as usize];
    correlation_ratio_in_order(&sorted_order(x), tied, y, bins)
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
        let mut stable: Vec<u32> = (0..values.len() as u32).collect();
        stable.sort_by(|a, b| values[*a as usize].total_cmp(&values[*b as usize]));
        assert_eq!(sorted_order(&values), stable);
        assert_eq!(sorted_order(&values)[..2], [9, 6]);
    }

    /// The sample keeps 32-bit orders and ranks instead of values: the same bits for the rank
    /// correlation and the first-order index as from the values, ties included.
    #[test]
    fn ranked_inputs_give_the_same_bits_as_their_values() {
        let n = SAMPLE_TRIALS as usize;
        let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % 613) as f64 / 7.0).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| (i as f64 * 0.37).sin() + x[i] / 50.0)
            .collect();
        let ranked = RankedInput::new(
            ("x".to_string(), "x".to_string(), InputOwner::Basis),
            x.clone(),
        );
        assert!(ranked.varies);
        let tied = |a: u32, b: u32| ranked.ranks[a as usize] == ranked.ranks[b as usize];
        let from_ranks = correlation_ratio_in_order(&ranked.order, tied, &y, BINS);
        assert_eq!(
            from_ranks.to_bits(),
            correlation_ratio(&x, &y, BINS).to_bits()
        );
        let y_ranks = mid_ranks(&y);
        let rho = pearson_of(&ranked.ranks, &y_ranks);
        assert_eq!(rho.to_bits(), pearson(&mid_ranks(&x), &y_ranks).to_bits());
        assert!(rho > 0.1, "{rho}");
        let constant = RankedInput::new(
            ("c".to_string(), "c".to_string(), InputOwner::Basis),
            vec![2.5; 10],
        );
        assert!(!constant.varies);
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
