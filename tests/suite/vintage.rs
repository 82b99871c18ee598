//! The power cap by vintage and saturation under a ceiling (docs/model.md, "Power cap" and
//! "Saturation") against closed forms: deterministic cases at floating-point precision, random
//! ones within their Monte Carlo error.

use crate::common;

use common::{HEADER, SIGMAS, close, run_text};
use simulate::analysis::results::RunResult;

fn rows<'a>(result: &'a RunResult, city: &str) -> Vec<&'a simulate::analysis::results::SummaryRow> {
    let rows: Vec<_> = result.rows.iter().filter(|r| r.city == city).collect();
    assert!(!rows.is_empty(), "no rows for {city}");
    rows
}

/// Baseline B = 1000 P at e0 = 1 P/MW, MW = 1500 fixed, efficiency +20% a year; a project of
/// `capacity` online at 2026.0 (t1 - start = 2 years), so e1 = 1.2^2 = 1.44 P/MW.
fn two_vintages(capacity: &str, trials: u32) -> String {
    format!(
        "{HEADER}trials = {trials}\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.0\n\
         [city.power]\nmw = 1500\np_per_mw = 1\nefficiency_growth = 0.2\n\
         [[city.project]]\nname = \"P\"\ncapacity = {capacity}\nonline = 2026.0\nramp_years = 0\n\
         [[target]]\ncity = \"A\"\nat = 2027.1\ncapacity = 1720\n\
         [[target]]\ncity = \"A\"\nat = 2027.1\ncapacity = 1720.01\n"
    )
}

#[test]
fn two_vintages_install_only_what_the_free_power_carries_at_the_new_vintage() {
    // B / e0 = 1000 MW in use, 500 MW free; the project needs 2000 / 1.44 = 1389 MW. Installed
    // from t1 on: B + (MW - B / e0) e1 = 1000 + 500 x 1.44 = 1720 P, and no power is ever freed,
    // so it stays there (the rule until 0.6.0 gave min(3000, 1500 x 1.2^x): 2160 P at t1, more
    // later).
    let (_, _, result) = run_text(&two_vintages("2000", 100));
    let e1 = 1.2f64.powi(2);
    for r in rows(&result, "A") {
        let want = if r.year < 2026.0 {
            1000.0
        } else {
            1000.0 + (1500.0 - 1000.0) * e1
        };
        for v in [r.p5, r.p50, r.p95, r.mean.unwrap()] {
            assert!(close(v, want, 1e-12), "{}: {v} vs {want}", r.year);
        }
    }
    for p in &result.power {
        assert_eq!(p.probability, f64::from(p.year >= 2026.0), "at {}", p.year);
    }
    // Between grid times (2027.1) the deferred demand is subtracted too: exactly 1720 P.
    assert_eq!(result.targets[0].probability, 1.0);
    assert_eq!(result.targets[1].probability, 0.0);
}

#[test]
fn two_vintages_with_a_random_addition_match_their_expectation() {
    // A ~ U(0, 2000): installed from t1 on is 1000 + min(A, 720). E min(A, 720) = 720^2 / 4000
    // + 720 x 0.64 = 590.4, E min^2 = 720^3 / 6000 + 720^2 x 0.64 = 393,984, so sd 213.10; the
    // cap binds when A > 720: probability 0.64.
    let n = 20_000.0;
    let text = two_vintages("{ dist = \"uniform\", min = 0, max = 2000 }", n as u32);
    let (_, _, result) = run_text(&text);
    let (mean, var) = (1590.4, 393_984.0 - 590.4f64.powi(2));
    for r in rows(&result, "A").into_iter().filter(|r| r.year >= 2026.0) {
        let got = r.mean.unwrap();
        let tol = SIGMAS * (var / n).sqrt();
        assert!(
            (got - mean).abs() <= tol,
            "{}: mean {got} vs {mean} ± {tol}",
            r.year
        );
        let sd = r.sd.unwrap();
        // sd of a sample sd: about sd sqrt((kurtosis - 1) / 4n); kurtosis of min(A, 720) < 3.
        let sd_tol = SIGMAS * var.sqrt() * (0.5 / n).sqrt();
        assert!((sd - var.sqrt()).abs() <= sd_tol, "{}: sd {sd}", r.year);
    }
    for p in result.power.iter().filter(|p| p.year >= 2026.0) {
        let tol = SIGMAS * (0.64f64 * 0.36 / n).sqrt();
        assert!(
            (p.probability - 0.64).abs() <= tol,
            "{}: {}",
            p.year,
            p.probability
        );
    }
}

#[test]
fn a_growing_cap_installs_each_vintage_at_its_own_efficiency() {
    // Demand D_k = 1000 x 1.5^(k/4); power 1000 x 1.1^(k/4) MW; P per MW 1.5 x 1.2^(k/4).
    // Unbound, power in use U_k = 1000 / 1.5 + sum_j (D_j - D_j-1) / e_j = 2000 / 3 +
    // c q (q^k - 1) / (q - 1), c = (2000 / 3)(1 - 1.5^(-1/4)), q = (1.5 / 1.2)^(1/4). From the
    // first k* with U_k* > MW_k*, X_k* = D_k*-1 + (MW_k* - U_k*-1) e_k*, then every step
    // installs only the new power: X_k = X_k-1 + (MW_k - MW_k-1) e_k.
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.5\n\
         [city.power]\nmw = 1000\nmw_growth = 0.1\np_per_mw = 1.5\nefficiency_growth = 0.2\n"
    );
    let (_, _, result) = run_text(&text);
    let at = |base: f64, k: usize| base.powf(k as f64 / 4.0);
    let demand = |k| 1000.0 * at(1.5, k);
    let mw = |k| 1000.0 * at(1.1, k);
    let e = |k| 1.5 * at(1.2, k);
    let (c, q) = (
        2000.0 / 3.0 * (1.0 - 1.5f64.powf(-0.25)),
        1.25f64.powf(0.25),
    );
    let used = |k: usize| 2000.0 / 3.0 + c * q * (q.powi(k as i32) - 1.0) / (q - 1.0);
    let first = (0..=24).find(|&k| used(k) > mw(k)).expect("binds");
    assert!(first > 0 && first < 24, "binds from step {first}");
    let mut want = Vec::new();
    for k in 0..=24 {
        want.push(match k {
            k if k < first => demand(k),
            k if k == first => demand(k - 1) + (mw(k) - used(k - 1)) * e(k),
            k => want[k - 1] + (mw(k) - mw(k - 1)) * e(k),
        });
    }
    for (k, r) in rows(&result, "A").into_iter().enumerate() {
        assert!(
            close(r.p50, want[k], 1e-9),
            "step {k}: {} vs {}",
            r.p50,
            want[k]
        );
    }
    for (k, p) in result.power.iter().enumerate() {
        assert_eq!(p.probability, f64::from(k >= first), "step {k}");
    }
    // The rule until 0.6.0 (X <= MW 1.5 x 1.2^x) bound later and held capacity higher.
    let old = |k| demand(k).min(mw(k) * e(k));
    assert!(old(24) > 1.2 * want[24], "{} vs {}", old(24), want[24]);
}

#[test]
fn without_efficiency_growth_the_vintage_cap_is_the_old_cap() {
    // Every vintage at 1 P/MW: installed = min(demand, MW), MW = 1000 x 1.3^x, demand 1.5^x.
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 800\ngrowth = 0.5\n\
         lifetime = 3\n[city.power]\nmw = 1000\nmw_growth = 0.3\np_per_mw = 1\n"
    );
    let (_, _, capped) = run_text(&text);
    let free = text.replace(
        "[city.power]\nmw = 1000\nmw_growth = 0.3\np_per_mw = 1\n",
        "",
    );
    let (_, _, uncapped) = run_text(&free);
    for (r, u) in rows(&capped, "A").into_iter().zip(rows(&uncapped, "A")) {
        let want = u.p50.min(1000.0 * 1.3f64.powf(r.year - 2024.0));
        assert!(close(r.p50, want, 1e-9), "{}: {} vs {want}", r.year, r.p50);
    }
}

/// The logistic solution K / (1 + (K / B - 1) e^(-r x)), r = ln(1 + g).
fn logistic(k: f64, b: f64, g: f64, x: f64) -> f64 {
    k / (1.0 + (k / b - 1.0) * (-g.ln_1p() * x).exp())
}

#[test]
fn a_fixed_ceiling_gives_the_exact_logistic_path() {
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.5\nceiling = 10000\n\
         [[city]]\nname = \"Above\"\nbaseline = 12000\ngrowth = 0.5\nceiling = 10000\n"
    );
    let (_, _, result) = run_text(&text);
    for r in rows(&result, "A") {
        let want = logistic(10_000.0, 1000.0, 0.5, r.year - 2024.0);
        assert!(close(r.p50, want, 1e-12), "{}: {} vs {want}", r.year, r.p50);
    }
    // A baseline above the ceiling holds: nothing is added, nothing removed.
    for r in rows(&result, "Above") {
        assert_eq!(r.p50, 12_000.0, "{}", r.year);
    }
}

#[test]
fn a_drawn_ceiling_moves_the_path_through_its_quantiles() {
    // K ~ U(5000, 15000); the path at x is increasing in K, so its median is the logistic at
    // K = 10,000 and its 5th percentile the logistic at K = 5,500 (within the histogram's
    // 0.1% and the sample quantile's Monte Carlo error).
    let n = 20_000.0;
    let text = format!(
        "{HEADER}trials = {n}\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.5\n\
         ceiling = {{ dist = \"uniform\", min = 5000, max = 15000 }}\n"
    );
    let (scenario, _, result) = run_text(&text);
    let r = rows(&result, "A").into_iter().last().unwrap();
    let x = r.year - 2024.0;
    for (p, got) in [(0.5f64, r.p50), (0.05, r.p5)] {
        let k = 5000.0 + 10_000.0 * p;
        // Quantile error: SIGMAS sqrt(p (1 - p) / n) in probability, times dK/dp = 10,000.
        let dk = SIGMAS * (p * (1.0 - p) / n).sqrt() * 10_000.0;
        let (lo, hi) = (
            logistic(k - dk, 1000.0, 0.5, x),
            logistic(k + dk, 1000.0, 0.5, x),
        );
        assert!(
            got >= lo * 0.999 && got <= hi * 1.001,
            "p{p}: {got} not in [{lo}, {hi}]"
        );
    }
    let model = simulate::model::Model::new(&scenario);
    assert_eq!(model.input_names(), ["A.baseline", "A.growth", "A.ceiling"]);
    // One more steered draw than without the ceiling.
    let plain = text.replace(
        "ceiling = { dist = \"uniform\", min = 5000, max = 15000 }\n",
        "",
    );
    let (plain, _, _) = run_text(&plain.replace(&format!("trials = {n}"), "trials = 100"));
    let plain_dims = simulate::model::Model::new(&plain).latent_dims();
    assert_eq!(model.latent_dims(), plain_dims + 1);
}

#[test]
fn the_ceiling_is_an_input_of_the_sensitivity_analysis_after_the_lifetime() {
    let text = format!(
        "{HEADER}trials = 4000\n[[city]]\nname = \"A\"\nbaseline = 1000\n\
         growth = {{ dist = \"normal\", mean = 0.5, sd = 0.05 }}\nlifetime = 8\n\
         ceiling = {{ dist = \"uniform\", min = 2000, max = 8000 }}\n\
         [city.power]\nmw = 100000\np_per_mw = 1\n"
    );
    let (scenario, _, _) = run_text(&text);
    let names = simulate::model::Model::new(&scenario).input_names();
    assert_eq!(
        names,
        [
            "A.baseline",
            "A.growth",
            "A.lifetime",
            "A.ceiling",
            "A.power.mw_growth"
        ]
    );
    let rows = simulate::analysis::sensitivity::analyse(&scenario, &[2030.0]);
    let top = rows
        .iter()
        .filter(|r| r.output == "A")
        .max_by(|a, b| {
            a.rank_correlation
                .abs()
                .total_cmp(&b.rank_correlation.abs())
        })
        .expect("ranked");
    // By 2030 a 50%-a-year path from 1000 P is near the ceiling: the ceiling drives it.
    assert_eq!(top.input, "A.ceiling", "{rows:?}");
}

#[test]
fn with_a_lifetime_the_ceiling_refills_what_retires() {
    // Lifetime 2 years, +80% a year (gross), K = 3000 P, 16 years: the surviving fleet rises
    // toward K (retired capacity is replaced; by hand, 2,609 P at the end), never above it.
    let text = "[scenario]\nstart = 2024.0\nend = 2040.0\nsteps_per_year = 4\nseed = 11\n\
                trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.8\n\
                lifetime = 2\nceiling = 3000\n";
    let (_, _, result) = run_text(text);
    let rows = rows(&result, "A");
    assert!(rows.iter().all(|r| r.p50 <= 3000.0), "{rows:?}");
    let last = rows.last().unwrap().p50;
    assert!(close(last, 2609.0, 5e-4), "levels off at {last}");
    // A ceiling far above the path changes nothing but rounding.
    let (_, _, far) = run_text(&text.replace("ceiling = 3000", "ceiling = 1e18"));
    let (_, _, none) = run_text(&text.replace("ceiling = 3000\n", ""));
    for (a, b) in far.rows.iter().zip(&none.rows) {
        assert!(
            close(a.p50, b.p50, 1e-9),
            "{}: {} vs {}",
            a.year,
            a.p50,
            b.p50
        );
    }
}
