//! Shapley effects of groups of inputs from a given sample, without re-running the model: the
//! nearest-neighbour estimator of Broto, Bachoc and Depecker (2020, SIAM/ASA Journal on
//! Uncertainty Quantification 8(2), "Variance reduction for estimation of Shapley effects and
//! adaptation to unknown input distribution"), with the cost c(v) = Var(E[Y | X_v]) of a set
//! of groups v, so that effects stay meaningful when inputs are correlated (Owen and Prieur
//! 2017; Iooss and Prieur 2019).
//!
//! E[Var(Y | X_v)] is estimated at each of the first [`POINTS`] trials s by the variance of Y
//! over s and its [`NEIGHBOURS`] - 1 nearest trials in the inputs of v, averaged over s. The
//! distance: the sum over the groups of v of the mean squared difference of the group's inputs
//! as ranks scaled to (0, 1) (any fixed distance keeps the estimator consistent; weighting
//! each group alike keeps a group of many inputs from crowding out the others); ties broken by
//! trial number counted on from s.
//! The Shapley effect of group g is the average over the orders of the groups of what adding
//! g explains: Sh_g = sum over v without g of |v|! (G - |v| - 1)! / G! (W(v) - W(v + g)) /
//! Var(Y), W(v) the estimate of E[Var(Y | X_v)] and W(empty) = Var(Y). The effects sum to
//! 1 - W(all) / Var(Y); the rest, `unexplained`, is what no recorded input explains (and the
//! estimator's bias, which grows with the number of inputs in the groups). Because every W is
//! an average over the same points, each effect is an average of per-point terms, and its
//! standard error is their standard deviation over sqrt(points).
//!
//! Written by hand: no Rust crate estimates Shapley effects from given data (the reference
//! implementations are R's `sensitivity::shapleySubsetMc` and `shapleysobol_knn`), and a
//! brute-force search that shares each group's distances between the 2^G - 1 sets of groups
//! costs less, and is simpler, than a k-d tree per set in up to a few dozen dimensions.

use rayon::prelude::*;

/// Trials whose neighbours are searched (the outer sample of the estimator).
pub const POINTS: usize = 1_000;
/// Each point's neighbourhood: the point itself and its two nearest trials (Broto et al.'s
/// and R's default).
pub const NEIGHBOURS: usize = 3;
/// At most this many groups (2^6 - 1 = 63 sets of groups per point).
pub const MAX_GROUPS: usize = 6;
/// Candidates whose smallest distance is checked before any is looked at one by one.
const CHUNK: usize = 16;

/// The nearest neighbours of each point in every non-empty set of groups: what the effects of
/// any output sampled on the same trials are computed from.
#[derive(Debug, Clone)]
pub struct Neighbours {
    groups: usize,
    /// Trials searched among.
    pool: usize,
    /// `near[(s * sets + v - 1) * (NEIGHBOURS - 1) + m]`: point s's m-th nearest trial in the
    /// inputs of the set of groups v (a bit mask), v from 1 to 2^groups - 1.
    near: Vec<u32>,
}

/// The estimated Shapley effects of the groups for one output, shares of its variance.
#[derive(Debug, Clone, PartialEq)]
pub struct Effects {
    /// Each group's Shapley effect.
    pub shapley: Vec<f64>,
    /// Each effect's standard error (from the spread of its per-point terms).
    pub shapley_se: Vec<f64>,
    /// 1 minus the sum of the effects: the share no group explains.
    pub unexplained: f64,
    /// Its standard error.
    pub unexplained_se: f64,
}

/// Ranks scaled to (0, 1): (mid-rank - 1/2) / n, ties sharing their mean rank.
pub fn unit_ranks(values: &[f64]) -> Vec<f32> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut ranks = vec![0f32; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // Mean of the 1-based ranks i + 1 ..= j + 1, less 1/2, over n.
        let rank = ((i + j) as f64 / 2.0 + 0.5) / n as f64;
        for o in &order[i..=j] {
            ranks[*o] = rank as f32;
        }
        i = j + 1;
    }
    ranks
}

impl Neighbours {
    /// Searches the neighbours of the first `points` trials (at most [`POINTS`]) among all of
    /// them. `groups[g]` holds group g's inputs, each a column of one value per trial (scaled
    /// ranks, [`unit_ranks`]); a group may be empty. None with fewer than [`NEIGHBOURS`]
    /// trials, no group or more than [`MAX_GROUPS`].
    pub fn search(groups: &[Vec<&[f32]>], points: usize) -> Option<Self> {
        let pool = groups.iter().flatten().map(|c| c.len()).next().unwrap_or(0);
        if pool < NEIGHBOURS || groups.is_empty() || groups.len() > MAX_GROUPS {
            return None;
        }
        assert!(groups.iter().flatten().all(|c| c.len() == pool));
        let points = points.min(pool).min(POINTS);
        let sets = (1usize << groups.len()) - 1;
        let scratch = || vec![0f32; (sets + 1 + groups.len()) * pool];
        let per_point: Vec<Vec<u32>> = (0..points)
            .into_par_iter()
            .map_init(scratch, |sums, s| nearest_in_every_set(groups, s, sums))
            .collect();
        Some(Neighbours {
            groups: groups.len(),
            pool,
            near: per_point.concat(),
        })
    }

    /// Points whose neighbours were searched.
    pub fn points(&self) -> usize {
        self.near.len() / (self.sets() * (NEIGHBOURS - 1))
    }

    /// Trials searched among.
    pub fn pool(&self) -> usize {
        self.pool
    }

    fn sets(&self) -> usize {
        (1 << self.groups) - 1
    }

    /// The groups' Shapley effects for the output `y` (one value per trial of the pool).
    pub fn effects(&self, y: &[f64]) -> Effects {
        assert_eq!(y.len(), self.pool);
        let g = self.groups;
        // The effects do not depend on y's unit; beyond 1e100 squares would overflow.
        let largest = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if largest > 1e100 { 1.0 / largest } else { 1.0 };
        let y: Vec<f64> = y.iter().map(|v| v * scale).collect();
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        let ss: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
        let variance = ss / (y.len() - 1) as f64;
        if variance == 0.0 || !variance.is_finite() {
            let zero = vec![0.0; g];
            return Effects {
                shapley: zero.clone(),
                shapley_se: zero,
                unexplained: 0.0,
                unexplained_se: 0.0,
            };
        }
        let weights = order_weights(g);
        let k = NEIGHBOURS - 1;
        let all = self.sets();
        let mut terms = vec![Vec::with_capacity(self.points()); g + 1];
        let mut within = vec![0.0; all + 1];
        for (s, near) in self.near.chunks_exact(all * k).enumerate() {
            within[0] = variance;
            for v in 1..=all {
                let hood = &near[(v - 1) * k..v * k];
                within[v] = sample_variance(y[s], hood.iter().map(|i| y[*i as usize]));
            }
            for (group, term) in terms.iter_mut().take(g).enumerate() {
                let bit = 1 << group;
                let z: f64 = (0..=all)
                    .filter(|v| v & bit == 0)
                    .map(|v| weights[v.count_ones() as usize] * (within[v] - within[v | bit]))
                    .sum();
                term.push(z / variance);
            }
            terms[g].push(within[all] / variance);
        }
        let (mut shapley, mut shapley_se): (Vec<f64>, Vec<f64>) =
            terms.iter().map(|t| mean_and_se(t)).unzip();
        let (unexplained, unexplained_se) = (shapley.pop().unwrap(), shapley_se.pop().unwrap());
        Effects {
            shapley,
            shapley_se,
            unexplained,
            unexplained_se,
        }
    }
}

/// |v|! (G - |v| - 1)! / G! for |v| = 0 .. G - 1: the share of the orders of G groups in
/// which a given group comes right after a given set of |v| others.
fn order_weights(groups: usize) -> Vec<f64> {
    let factorial = |n: usize| (1..=n).map(|i| i as f64).product::<f64>();
    (0..groups)
        .map(|v| factorial(v) * factorial(groups - v - 1) / factorial(groups))
        .collect()
}

/// The unbiased variance of `first` and `rest`.
fn sample_variance(first: f64, rest: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = 1.0 + rest.clone().count() as f64;
    let mean = (first + rest.clone().sum::<f64>()) / n;
    let ss = (first - mean).powi(2) + rest.map(|v| (v - mean).powi(2)).sum::<f64>();
    ss / (n - 1.0)
}

/// The mean of `terms` and its standard error.
fn mean_and_se(terms: &[f64]) -> (f64, f64) {
    let n = terms.len() as f64;
    let mean = terms.iter().sum::<f64>() / n;
    let ss: f64 = terms.iter().map(|t| (t - mean) * (t - mean)).sum();
    (mean, (ss / (n - 1.0).max(1.0) / n).sqrt())
}

/// Point s's [`NEIGHBOURS`] - 1 nearest trials in every non-empty set of groups, set by set.
/// `sums` holds one distance per trial for every set (the empty set's stays 0), then each
/// group's: a set's squared distance is that of the set without its lowest group plus that
/// group's, the mean of its inputs' squared differences (so that a group of many inputs does
/// not crowd out the others when sets of groups are searched).
/// Four (SSE2) or eight (AVX2, where the processor has it: checked at run time) distances per
/// instruction; the same additions and multiplications in the same order, so the same
/// neighbours either way.
fn nearest_in_every_set(groups: &[Vec<&[f32]>], s: usize, sums: &mut [f32]) -> Vec<u32> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 was found on this processor just now.
        return unsafe { nearest_in_every_set_avx2(groups, s, sums) };
    }
    nearest_in_every_set_portable(groups, s, sums)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn nearest_in_every_set_avx2(groups: &[Vec<&[f32]>], s: usize, sums: &mut [f32]) -> Vec<u32> {
    nearest_in_every_set_portable(groups, s, sums)
}

#[inline(always)]
fn nearest_in_every_set_portable(groups: &[Vec<&[f32]>], s: usize, sums: &mut [f32]) -> Vec<u32> {
    let g = groups.len();
    let pool = sums.len() / ((1 << g) + g);
    let (sets, own) = sums.split_at_mut(pool << g);
    for (out, columns) in own.chunks_exact_mut(pool).zip(groups) {
        out.fill(0.0);
        let weight = 1.0 / columns.len().max(1) as f32;
        for column in columns {
            let x = column[s];
            for (d, c) in out.iter_mut().zip(column.iter()) {
                *d += weight * (c - x) * (c - x);
            }
        }
    }
    let mut near = Vec::with_capacity(((1 << g) - 1) * (NEIGHBOURS - 1));
    for v in 1..1usize << g {
        let low = v.trailing_zeros() as usize;
        let (before, rest) = sets.split_at_mut(v * pool);
        let base = &before[(v & (v - 1)) * pool..][..pool];
        let out = &mut rest[..pool];
        let group = &own[low * pool..][..pool];
        for ((d, b), o) in out.iter_mut().zip(base).zip(group) {
            *d = b + o;
        }
        near.extend(two_nearest(out, s));
    }
    near
}

/// The two trials nearest to s (itself left out) by `d`, ties going to the first met counting
/// on from s + 1 and wrapping round: exact ties (inputs that take few values) spread over the
/// sample instead of always picking its first trials.
#[inline(always)]
fn two_nearest(d: &[f32], s: usize) -> [u32; 2] {
    let mut best = [(f32::INFINITY, u32::MAX); 2];
    let mut visit = |from: usize, to: usize| {
        let mut start = from;
        while start < to {
            let end = (start + CHUNK).min(to);
            let chunk = &d[start..end];
            let least = chunk
                .iter()
                .fold(f32::INFINITY, |m, x| if *x < m { *x } else { m });
            if least < best[1].0 {
                for (j, x) in chunk.iter().enumerate() {
                    if *x < best[1].0 {
                        let entry = (*x, (start + j) as u32);
                        if *x < best[0].0 {
                            best = [entry, best[0]];
                        } else {
                            best[1] = entry;
                        }
                    }
                }
            }
            start = end;
        }
    };
    visit(s + 1, d.len());
    visit(0, s);
    [best[0].1, best[1].1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_weights_sum_to_one_over_the_sets_without_a_group() {
        for g in 1..=MAX_GROUPS {
            let w = order_weights(g);
            let binomial = |k: usize| (0..k).map(|i| (g - 1 - i) as f64 / (i + 1) as f64);
            let total: f64 = (0..g).map(|k| binomial(k).product::<f64>() * w[k]).sum();
            assert!((total - 1.0).abs() < 1e-12, "{g}: {total}");
        }
    }

    /// AVX2 and the portable path find the same neighbours (fails, not skips, without AVX2).
    #[test]
    fn every_instruction_set_finds_the_same_neighbours() {
        #[cfg(target_arch = "x86_64")]
        assert!(
            std::arch::is_x86_feature_detected!("avx2"),
            "this test machine has no AVX2: the AVX2 path went untested"
        );
        let n = 700;
        let column = |m: usize| -> Vec<f32> {
            let v: Vec<f64> = (0..n).map(|i| ((i * m) % 997) as f64).collect();
            unit_ranks(&v)
        };
        let (a, b, c) = (column(7919), column(104_729), column(31));
        let groups = [vec![&a[..], &b[..]], vec![&c[..]]];
        let len = (1 << groups.len()) + groups.len();
        for s in [0, 1, 350, n - 1] {
            let (mut x, mut y) = (vec![0f32; len * n], vec![0f32; len * n]);
            let dispatched = nearest_in_every_set(&groups, s, &mut x);
            assert_eq!(
                dispatched,
                nearest_in_every_set_portable(&groups, s, &mut y)
            );
            assert_eq!(x, y);
        }
    }

    #[test]
    fn ties_go_to_the_trials_after_the_point() {
        let d = [0.0, 5.0, 0.0, 0.0, 1.0, 0.0];
        assert_eq!(two_nearest(&d, 2), [3, 5]);
        assert_eq!(two_nearest(&d, 5), [0, 2]);
        let far: Vec<f32> = (0..40).map(|i| 100.0 - i as f32).collect();
        assert_eq!(two_nearest(&far, 39), [38, 37]);
    }

    #[test]
    fn an_output_equal_to_one_group_is_all_that_group() {
        let n = 500;
        let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1009) as f64).collect();
        let z: Vec<f64> = (0..n).map(|i| ((i * 104_729) % 997) as f64).collect();
        let (rx, rz) = (unit_ranks(&x), unit_ranks(&z));
        let groups = [vec![&rx[..]], vec![&rz[..]]];
        let effects = Neighbours::search(&groups, n).unwrap().effects(&x);
        assert!(effects.shapley[0] > 0.99, "{effects:?}");
        let sum: f64 = effects.shapley.iter().sum::<f64>() + effects.unexplained;
        assert!((sum - 1.0).abs() < 1e-12, "{sum}");
    }
}
