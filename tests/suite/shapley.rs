//! Shapley effects of groups of inputs (src/analysis/shapley.rs) against closed forms: the
//! linear Gaussian model with correlated inputs (Owen and Prieur 2017; Iooss and Prieur 2019),
//! independent inputs (where the Shapley effect is the first-order and the total index), and a
//! model run whose only randomness is a shock (counted up to the year analysed).

use crate::common::run_text;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use simulate::analysis::association::pearson_of;
use simulate::analysis::group_effects::{SHARED, UNEXPLAINED};
use simulate::analysis::sample::run_sample;
use simulate::analysis::sensitivity;
use simulate::analysis::shapley::{Effects, Neighbours, POINTS, unit_ranks};
use simulate::model::Model;

/// Trials per replicate (the size of the sensitivity sample).
const N: usize = 10_000;
/// Independent replicates of the estimator, to measure its spread.
const REPLICATES: u64 = 12;
/// Tolerance in standard deviations of the estimator.
const SDS: f64 = 4.0;

/// The estimated effects of X1 and X2 (one group each) for Y = b1 X1 + b2 X2, (X1, X2)
/// bivariate normal with sds 1 and correlation rho, from N draws seeded by `seed`.
fn estimate(b: (f64, f64), rho: f64, seed: u64) -> Effects {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut x1 = Vec::with_capacity(N);
    let mut x2 = Vec::with_capacity(N);
    for _ in 0..N {
        let (z1, z2): (f64, f64) = (
            StandardNormal.sample(&mut rng),
            StandardNormal.sample(&mut rng),
        );
        x1.push(z1);
        x2.push(rho * z1 + (1.0 - rho * rho).sqrt() * z2);
    }
    let y: Vec<f64> = x1.iter().zip(&x2).map(|(a, c)| b.0 * a + b.1 * c).collect();
    let (r1, r2) = (unit_ranks(&x1), unit_ranks(&x2));
    let groups = [vec![&r1[..]], vec![&r2[..]]];
    Neighbours::search(&groups, POINTS).unwrap().effects(&y)
}

/// Owen and Prieur's closed form: Sh1 = (b1^2 (1 - rho^2/2) + rho b1 b2 + b2^2 rho^2/2) / Var(Y)
/// with unit sds, and Sh2 the same with b1 and b2 swapped.
fn closed_form(b: (f64, f64), rho: f64) -> (f64, f64) {
    let var = b.0 * b.0 + b.1 * b.1 + 2.0 * rho * b.0 * b.1;
    let sh = |p: f64, q: f64| {
        (p * p * (1.0 - rho * rho / 2.0) + rho * p * q + q * q * rho * rho / 2.0) / var
    };
    (sh(b.0, b.1), sh(b.1, b.0))
}

/// Mean and standard deviation over replicates of (Sh1, Sh2, unexplained); the first
/// replicate's effects.
fn replicate(b: (f64, f64), rho: f64) -> ([(f64, f64); 3], Effects) {
    let runs: Vec<Effects> = (0..REPLICATES)
        .map(|r| estimate(b, rho, 1000 + r))
        .collect();
    let stat = |f: &dyn Fn(&Effects) -> f64| {
        let v: Vec<f64> = runs.iter().map(f).collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64;
        (m, var.sqrt())
    };
    let stats = [
        stat(&|e| e.shapley[0]),
        stat(&|e| e.shapley[1]),
        stat(&|e| e.unexplained),
    ];
    (stats, runs[0].clone())
}

/// Each effect of one sample within SDS of its replicates' sd of the closed form, their mean
/// within SDS standard errors of the mean, and the reported standard error within a factor 2
/// of the measured sd.
fn check(b: (f64, f64), rho: f64) {
    let truth = closed_form(b, rho);
    let (stats, first) = replicate(b, rho);
    for (i, (expected, (mean, sd))) in [(truth.0, stats[0]), (truth.1, stats[1])]
        .into_iter()
        .enumerate()
    {
        println!(
            "b {b:?} rho {rho}: Sh{} {:.4} (mean of {REPLICATES} {mean:.4}, sd {sd:.4}, reported se {:.4}) vs {expected:.4}",
            i + 1,
            first.shapley[i],
            first.shapley_se[i]
        );
        assert!(
            (first.shapley[i] - expected).abs() < SDS * sd,
            "Sh{}: {} vs {expected} (sd {sd})",
            i + 1,
            first.shapley[i]
        );
        let se_mean = sd / (REPLICATES as f64).sqrt();
        assert!(
            (mean - expected).abs() < SDS * se_mean,
            "Sh{}: mean {mean} vs {expected} (se {se_mean})",
            i + 1
        );
        let ratio = first.shapley_se[i] / sd;
        assert!(
            (0.5..2.0).contains(&ratio),
            "reported se {} vs measured sd {sd}",
            first.shapley_se[i]
        );
    }
    // A deterministic function of the inputs: nothing is left unexplained but the
    // estimator's error, and the effects with the rest sum to 1 by construction.
    let (mean, sd) = stats[2];
    println!(
        "unexplained {:.4} (mean {mean:.4}, sd {sd:.4})",
        first.unexplained
    );
    assert!(
        mean.abs() < SDS * sd / (REPLICATES as f64).sqrt() + 0.01,
        "unexplained {mean} (sd {sd})"
    );
    let sum = first.shapley.iter().sum::<f64>() + first.unexplained;
    assert!((sum - 1.0).abs() < 1e-12, "{sum}");
}

#[test]
fn correlated_linear_gaussian_inputs_get_their_closed_form_shapley_effects() {
    check((1.0, 2.0), 0.6);
    check((1.0, 1.0), -0.5);
}

#[test]
fn independent_inputs_get_their_first_order_and_total_index() {
    // Independent: Sh_i = b_i^2 / Var(Y), the first-order index and the total index alike.
    let b = (1.0, 2.0);
    assert_eq!(closed_form(b, 0.0), (0.2, 0.8));
    check(b, 0.0);
}

/// One city of fixed capacity 1000 P hit by a shock that halves it at each start: capacity at
/// t is 1000 x 0.5^N(t), N(t) the starts up to t, a decreasing function of the shock input
/// when that input counts the starts up to t (it did not when it counted the whole horizon).
#[test]
fn a_shock_is_counted_up_to_the_year_analysed() {
    let text = "[scenario]\nstart = 2024.5\nend = 2030.0\nsteps_per_year = 4\nseed = 5\n\
                trials = 4000\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0\n\
                [[shock]]\nname = \"Halving\"\nannual_probability = 0.3\ncapacity_loss = 0.5\n";
    let (scenario, _, _) = run_text(text);
    let years = [2024.75, 2026.0, 2028.0, 2030.0];
    let (rows, groups) = sensitivity::analyse_with_groups(&scenario, &years);
    for year in years {
        for output in ["A", "Total"] {
            let r = rows.iter().find(|r| r.output == output && r.year == year);
            let r = r.unwrap_or_else(|| panic!("{output} {year}: {rows:?}"));
            assert_eq!(r.input, "shock[Halving]");
            assert!((r.rank_correlation + 1.0).abs() < 1e-12, "{r:?}");
            // Its first-order index bins the rare counts of 2 and more starts together.
            assert!(r.first_order_index > 0.999, "{r:?}");
            // The shock's starts are all the group "shared" holds, and capacity is a function
            // of them: its effect is 1 and nothing is unexplained (neighbours tie exactly).
            let at: Vec<_> = groups
                .iter()
                .filter(|g| g.output == output && g.year == year)
                .collect();
            assert_eq!(at.len(), 2, "{at:?}");
            assert_eq!(
                (at[0].group.as_str(), at[1].group.as_str()),
                (SHARED, UNEXPLAINED)
            );
            assert!((at[0].shapley_effect - 1.0).abs() < 1e-12, "{at:?}");
            assert!(at[1].shapley_effect.abs() < 1e-12, "{at:?}");
        }
    }
}

/// One city of fixed capacity 1000 P plus unannounced builds that count in full on arrival
/// (ramp_years = 0): capacity at t is 1000 + U(t), U(t) the builds arrived by t, an increasing
/// function of "A.unannounced.built" when that input counts the builds up to t. Counted over
/// the whole horizon (as before), the first year's correlation falls far below 1.
#[test]
fn unannounced_builds_are_counted_up_to_the_year_analysed() {
    let text = "[scenario]\nstart = 2024.5\nend = 2030.0\nsteps_per_year = 4\nseed = 7\n\
                trials = 4000\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0\n\
                [city.unannounced]\nrate = { dist = \"uniform\", min = 0.5, max = 1.5 }\n\
                size = { dist = \"uniform\", min = 100, max = 1000 }\nramp_years = 0\n";
    let (scenario, _, _) = run_text(text);
    let years = [2025.0, 2026.0, 2028.0, 2030.0];
    let (rows, groups) = sensitivity::analyse_with_groups(&scenario, &years);
    for year in years {
        for output in ["A", "Total"] {
            let r = rows.iter().find(|r| r.output == output && r.year == year);
            let r = r.unwrap_or_else(|| panic!("{output} {year}: {rows:?}"));
            assert_eq!(r.input, "A.unannounced.built", "{r:?}");
            assert!((r.rank_correlation - 1.0).abs() < 1e-12, "{r:?}");
            // The first-order index bins the input into 20 equal-count bins and loses the
            // spread within each (most in the top bin's tail): high, not 1.
            assert!(r.first_order_index > 0.95, "{r:?}");
            let a = groups
                .iter()
                .find(|g| g.output == output && g.year == year && g.group == "A");
            let a = a.unwrap_or_else(|| panic!("{output} {year}: {groups:?}"));
            // Capacity is a function of the group's inputs (its Shapley effect is 1 up to the
            // neighbour estimator's bias in two inputs); whole-horizon totals left it far lower.
            assert!(a.shapley_effect > 0.99, "{a:?}");
        }
    }
    // The same sample's whole-horizon totals (what the input used to be) against capacity at
    // 2025.0, half a year in: U(0.5) and U(5.5) share a twelfth of the expected builds, so
    // their rank correlation is about 0.3 (its standard error about 0.015 at n = 4000).
    let model = Model::new(&scenario);
    let built = model
        .input_names()
        .iter()
        .position(|n| n == "A.unannounced.built");
    let k = scenario.grid.first_index_at_or_after(2025.0).unwrap();
    let sample = run_sample(&model, scenario.seed, scenario.trials, (&[k], &[0]));
    let whole = &sample.inputs[built.unwrap()];
    let rho = pearson_of(&ranks(whole), &ranks(&sample.outputs[0]));
    assert!(rho < 0.6, "whole-horizon rho {rho}");
}

/// Mid-ranks of `x` (ties share their mean rank).
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|a, b| x[*a].total_cmp(&x[*b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let j = (i..order.len()).find(|&j| x[order[j]] != x[order[i]]);
        let j = j.unwrap_or(order.len());
        for &o in &order[i..j] {
            r[o] = (i + j - 1) as f64 / 2.0;
        }
        i = j;
    }
    r
}

/// Every group effect of a shipped scenario's run: the effects with the rest sum to 1, each
/// lies within 0 and 1 up to four standard errors, and the Total's shares follow the cities.
#[test]
fn group_effects_of_the_base_scenario_sum_to_one() {
    let loaded = simulate::scenario::load(std::path::Path::new("scenarios/base.toml")).unwrap();
    let mut scenario = loaded.scenario;
    scenario.trials = 10_000;
    let (_, groups) = sensitivity::analyse_with_groups(&scenario, &[2028.0]);
    for output in ["Beijing", "Shanghai", "Shenzhen", "Total"] {
        let at: Vec<_> = groups.iter().filter(|g| g.output == output).collect();
        for g in &at {
            println!(
                "{output}: {} {:.4} ({:.4})",
                g.group, g.shapley_effect, g.shapley_effect_se
            );
        }
        assert_eq!(at.len(), 4, "{output}: {at:?}");
        let sum: f64 = at.iter().map(|g| g.shapley_effect).sum();
        assert!((sum - 1.0).abs() < 1e-9, "{output}: {sum}");
        for g in &at {
            let tol = 4.0 * g.shapley_effect_se;
            assert!(
                g.shapley_effect > -tol && g.shapley_effect < 1.0 + tol,
                "{g:?}"
            );
        }
        if output != "Total" {
            // A city's capacity is driven by its own inputs first.
            assert_eq!(at[0].group, output, "{at:?}");
        }
    }
}
