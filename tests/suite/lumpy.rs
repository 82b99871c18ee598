//! Lumpy builds (docs/model.md, "Unannounced builds" and "Slips"): the compound Poisson
//! addition's mean, variance and empty share against their closed forms, slips against the
//! reference class's CDF, common random numbers when the keys are added, and bad input.

use crate::common::SIGMAS;
use simulate::model::Model;
use simulate::scenario::{SLIP_REFERENCE, Scenario, parse_str};

fn parse(text: &str) -> Scenario {
    parse_str(text, "test.toml", "test").unwrap_or_else(|e| panic!("{e}"))
}

/// Every city's values at every grid time in `n` trials: `[trial][city * len + k]`, plus each
/// trial's inputs.
fn trials(scenario: &Scenario, n: u64) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let model = Model::new(scenario);
    let mut buf = model.buffer();
    let cities = scenario.cities.len() * scenario.grid.len();
    let (mut values, mut inputs) = (Vec::new(), Vec::new());
    for trial in 0..n {
        model.run_trial(scenario.seed, trial, &mut buf);
        values.push(buf.values[..cities].to_vec());
        inputs.push(buf.inputs.clone());
    }
    (values, inputs)
}

/// Sample mean and variance (divisor n - 1).
fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v)
}

#[test]
fn the_compound_poisson_addition_has_the_closed_form_mean_variance_and_empty_share() {
    // Nothing but unannounced builds: 3 a year, sizes uniform on [1000, 3000] P (E S = 2000,
    // E S^2 = 2000^2 + 2000^2 / 12, E S^k = (b^(k+1) - a^(k+1)) / ((k+1)(b - a))). At t years
    // U(t) has cumulants κ_k = λ t E[S^k]: mean κ1, variance κ2, P(U = 0) = exp(-λ t). The sample
    // variance's standard error is sqrt((κ4 + 2 κ2^2) / n) (fourth central moment κ4 + 3 κ2^2).
    let n = 100_000u64;
    let text = "[scenario]\nstart = 2024.0\nend = 2028.0\nsteps_per_year = 4\nseed = 11\n\
                [[city]]\nname = \"A\"\nbaseline = 0\ngrowth = 0\n\
                [city.unannounced]\nrate = 3\nsize = { dist = \"uniform\", min = 1000, max = 3000 }\n";
    let scenario = parse(text);
    let (values, inputs) = trials(&scenario, n);
    let (lambda, a, b) = (3.0f64, 1000.0f64, 3000.0f64);
    let moment = |k: i32| (b.powi(k + 1) - a.powi(k + 1)) / (f64::from(k + 1) * (b - a));
    for k in [1usize, 4, 8, 16] {
        let t = k as f64 / 4.0;
        let x: Vec<f64> = values.iter().map(|v| v[k]).collect();
        let (m, v) = mean_var(&x);
        let (k1, k2, k4) = (
            lambda * t * moment(1),
            lambda * t * moment(2),
            lambda * t * moment(4),
        );
        let se_mean = (k2 / n as f64).sqrt();
        assert!(
            (m - k1).abs() < SIGMAS * se_mean,
            "mean at {t} years: {m} vs {k1}"
        );
        let se_var = ((k4 + 2.0 * k2 * k2) / n as f64).sqrt();
        assert!(
            (v - k2).abs() < SIGMAS * se_var,
            "variance at {t} years: {v} vs {k2}"
        );
        let p0 = (-lambda * t).exp();
        let empty = x.iter().filter(|&&u| u == 0.0).count() as f64 / n as f64;
        let se_p = (p0 * (1.0 - p0) / n as f64).sqrt();
        assert!(
            (empty - p0).abs() < SIGMAS * se_p,
            "P(U = 0) at {t}: {empty} vs {p0}"
        );
        println!(
            "t = {t}: mean {m:.1} (closed form {k1:.1}), variance {v:.4e} ({k2:.4e}), P(0) {empty:.4} ({p0:.4})"
        );
    }
    // The recorded inputs: the rate, and the capacity that arrived within the horizon, which
    // is U at the end (no ramp, no lifetime).
    for (v, i) in values.iter().zip(&inputs) {
        assert_eq!(i[2], 3.0);
        assert!(
            (i[3] - v[16]).abs() <= 1e-9 * v[16].max(1.0),
            "{} vs {}",
            i[3],
            v[16]
        );
    }
}

/// Two cities with every kind of randomness; `extra` goes into city B.
fn two_cities(extra: &str) -> String {
    format!(
        "[scenario]\nstart = 2024.5\nend = 2030.0\nsteps_per_year = 4\nseed = 5\n\
         [dynamics]\nnational_volatility = 0.1\nshared_shock = 0.3\n\
         [[city]]\nname = \"A\"\nbaseline = {{ dist = \"lognormal\", p5 = 5000, p95 = 9000 }}\n\
         growth = {{ dist = \"normal\", mean = 0.3, sd = 0.1 }}\nvolatility = 0.1\n\
         lifetime = {{ dist = \"uniform\", min = 4, max = 6 }}\n\
         [[city.project]]\nname = \"P\"\ncapacity = {{ dist = \"pert\", min = 1000, mode = 2000, max = 4000 }}\n\
         online = {{ dist = \"uniform\", min = 2025, max = 2026 }}\nprobability = 0.7\n\
         [[city]]\nname = \"B\"\nbaseline = 3000\ngrowth = {{ dist = \"normal\", mean = 0.2, sd = 0.1 }}\n\
         volatility = 0.2\n\
         [[city.project]]\nname = \"Q\"\ncapacity = 2500\nonline = 2026.0\nprobability = 0.5\n{extra}"
    )
}

#[test]
fn adding_unannounced_builds_to_one_city_leaves_every_other_draw_unchanged() {
    let base = parse(&two_cities(""));
    let lumpy = parse(&two_cities(
        "[city.unannounced]\nrate = { dist = \"uniform\", min = 0.5, max = 2 }\n\
         size = { dist = \"lognormal\", p5 = 500, p95 = 5000 }\n",
    ));
    let n = 400;
    let (before, inputs_before) = trials(&base, n);
    let (after, inputs_after) = trials(&lumpy, n);
    let len = base.grid.len();
    let mut some_build = false;
    for trial in 0..n as usize {
        // City A: bit for bit.
        assert_eq!(before[trial][..len], after[trial][..len], "trial {trial}");
        // City B: the same path plus a non-decreasing, non-negative addition.
        let added: Vec<f64> = (0..len)
            .map(|k| after[trial][len + k] - before[trial][len + k])
            .collect();
        assert!(added[0] == 0.0);
        for w in added.windows(2) {
            assert!(w[1] >= w[0] - 1e-9, "trial {trial}: {added:?}");
        }
        some_build |= added[len - 1] > 0.0;
        // The inputs are the old ones with B's two unannounced inputs inserted after its
        // project: the same draws.
        let mut expected = inputs_after[trial].clone();
        let b_end = inputs_before[trial].len();
        let removed: Vec<f64> = expected.drain(b_end..b_end + 2).collect();
        assert_eq!(expected, inputs_before[trial], "trial {trial}");
        assert!((removed[1] - added[len - 1]).abs() <= 1e-9 * removed[1].max(1.0));
    }
    assert!(some_build, "no trial had an unannounced build");
}

#[test]
fn a_slip_on_one_project_leaves_every_other_draw_unchanged() {
    // B's project Q slips: A is bit for bit the same, B's inputs are the old ones with the slip
    // inserted after Q's four, and Q counts from online + slip (B never gains capacity by it).
    let base = parse(&two_cities(""));
    let slipped = parse(&two_cities("slip = \"reference\"\n"));
    let n = 400;
    let (before, inputs_before) = trials(&base, n);
    let (after, inputs_after) = trials(&slipped, n);
    let len = base.grid.len();
    let mut some_later = false;
    for trial in 0..n as usize {
        assert_eq!(before[trial][..len], after[trial][..len], "trial {trial}");
        let mut expected = inputs_after[trial].clone();
        let slip = expected.remove(inputs_before[trial].len());
        assert!(slip > 0.0);
        assert_eq!(expected, inputs_before[trial], "trial {trial}");
        for k in 0..len {
            let (b, a) = (before[trial][len + k], after[trial][len + k]);
            assert!(a <= b, "trial {trial}, step {k}: {a} > {b}");
            some_later |= a < b;
        }
    }
    assert!(some_later, "no slip delayed Q past a grid time");
}

#[test]
fn a_slip_from_the_reference_class_delays_as_its_cdf_says() {
    // A project of fixed capacity announced for 2025.0, delivered with probability 0.8, no
    // ramp, nothing else: the share of trials with it online by t is 0.8 F(t - 2025), F the
    // reference class's CDF (a lognormal with p5 0.05 and p95 4 years).
    let n = 100_000u64;
    let text = "[scenario]\nstart = 2024.0\nend = 2032.0\nsteps_per_year = 4\nseed = 3\n\
                [[city]]\nname = \"A\"\nbaseline = 0\ngrowth = 0\n\
                [[city.project]]\nname = \"P\"\ncapacity = 1000\nonline = 2025.0\n\
                probability = 0.8\nslip = \"reference\"\n\
                [[city.project]]\nname = \"Q\"\ncapacity = 1\nonline = 2025.0\n\
                slip = { dist = \"uniform\", min = 0, max = 2 }\n";
    let scenario = parse(text);
    let (values, inputs) = trials(&scenario, n);
    for k in [4usize, 5, 6, 8, 12, 16, 24, 32] {
        let t = scenario.grid.time(k);
        let online = values.iter().filter(|v| v[k] >= 1000.0).count() as f64 / n as f64;
        let expected = 0.8 * SLIP_REFERENCE.prob_below(t - 2025.0);
        let se = (expected * (1.0 - expected) / n as f64)
            .sqrt()
            .max(1.0 / n as f64);
        assert!(
            (online - expected).abs() < SIGMAS * se,
            "P at {t}: {online} vs {expected}"
        );
        // Q: always delivered, slip uniform on [0, 2]: online by t with probability (t - 2025) / 2.
        let q = values
            .iter()
            .filter(|v| v[k] - 1000.0 * f64::from(u8::from(v[k] >= 1000.0)) >= 1.0)
            .count() as f64
            / n as f64;
        let expected = ((t - 2025.0) / 2.0).clamp(0.0, 1.0);
        let se = (expected * (1.0 - expected) / n as f64)
            .sqrt()
            .max(1.0 / n as f64);
        assert!(
            (q - expected).abs() < SIGMAS * se,
            "Q at {t}: {q} vs {expected}"
        );
        println!(
            "t = {t}: P online {online:.4} (0.8 F = {:.4})",
            0.8 * SLIP_REFERENCE.prob_below(t - 2025.0)
        );
    }
    // The slips are recorded after each project's four inputs.
    let names = Model::new(&scenario).input_names();
    assert_eq!(names[6], "A.project[P].slip_years");
    assert_eq!(names[11], "A.project[Q].slip_years");
    assert!(
        inputs
            .iter()
            .all(|i| i[6] >= 0.0 && (0.0..=2.0).contains(&i[11]))
    );
}

#[test]
fn bad_lumpy_keys_are_all_reported_with_their_keys() {
    let text = "[scenario]\nstart = 2024.0\nend = 2026.0\n\
                [[city]]\nname = \"A\"\nbaseline = 10\ngrowth = 0.1\n\
                [[city.project]]\nname = \"P\"\ncapacity = 1\nonline = 2025.0\nslip = \"late\"\n\
                [city.unannounced]\nrate = { dist = \"normal\", mean = 1, sd = 1 }\n\
                size = { dist = \"uniform\", min = -5, max = 5 }\nramp_years = -1\n";
    let err = parse_str(text, "bad.toml", "bad").unwrap_err().to_string();
    for key in [
        "city[A].project[P].slip",
        "city[A].unannounced.rate",
        "city[A].unannounced.size",
        "city[A].unannounced.ramp_years",
    ] {
        assert!(
            err.contains(&format!("key `{key}`")),
            "{key} missing from: {err}"
        );
    }
    assert!(err.contains("valid: \"reference\""), "{err}");
}
