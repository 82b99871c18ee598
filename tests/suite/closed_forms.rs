//! The model's semantics (docs/model.md) checked against closed forms, with tolerances derived
//! from the Monte Carlo error of each statistic plus the quantile sketch's relative accuracy.

use crate::common;

use common::{SIGMAS, phi, quantile_se, run_text, z};
use simulate::stats::{PERCENTILES, SKETCH_ALPHA};

const HEADER: &str = r#"
[scenario]
start = 2024.0
end = 2030.0
steps_per_year = 4
seed = 7
"#;

#[test]
fn fixed_growth_gives_the_exact_compound_path() {
    let text =
        format!("{HEADER}trials = 1000\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.5\n");
    let (scenario, _, result) = run_text(&text);
    for row in result.rows.iter().filter(|r| r.city == "A") {
        let expected = 1000.0 * 1.5f64.powf(row.year - scenario.grid.start);
        for v in [row.p5, row.p10, row.p25, row.p50, row.p75, row.p90, row.p95] {
            assert!(
                (v / expected - 1.0).abs() < 1e-12,
                "{} at {}: {v} vs {expected}",
                row.city,
                row.year
            );
        }
        // Means are summed in fixed point at 1/1024 P.
        assert!((row.mean.unwrap() - expected).abs() <= 1.0 / 2048.0);
        assert!(row.sd.unwrap() < 1e-3);
    }
}

#[test]
fn lumpy_additions_have_the_closed_form_quantiles_and_mean() {
    // One yearly step, growth +50% held still (growth_volatility 0), lumpiness 0.3: the
    // addition is B g F with F = exp(0.3 Z - 0.3^2 / 2) of mean 1 (docs/model.md, "Growth that
    // moves"), so O_1 = B (1 + g F): quantiles B (1 + g exp(-s^2/2 + s z_p)), mean B (1 + g).
    let (g, s, n) = (0.5f64, 0.3f64, 200_000.0f64);
    let text = format!(
        "[scenario]\nstart = 2024.0\nend = 2025.0\nsteps_per_year = 1\nseed = 7\ntrials = {n}\n\
         [[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = {g}\nvolatility = {s}\n\
         growth_volatility = 0\n"
    );
    let (_, _, result) = run_text(&text);
    let row = result.row("A", 2025.0).unwrap();
    let got = [row.p5, row.p10, row.p25, row.p50, row.p75, row.p90, row.p95];
    for (p, v) in PERCENTILES.iter().zip(got) {
        let p = p / 100.0;
        let lump = (-s * s / 2.0 + s * z(p)).exp();
        let expected = 1000.0 * (1.0 + g * lump);
        // SE of the quantile of y = ln F is s sqrt(p (1 - p) / n) / phi(z_p); d ln O / dy =
        // g F / (1 + g F).
        let se_log = s * quantile_se(p, n, phi(z(p))) * g * lump / (1.0 + g * lump);
        let tol = SIGMAS * se_log + SKETCH_ALPHA;
        assert!(
            (v / expected).ln().abs() < tol,
            "p={p}: {v} vs {expected} (tol {tol})"
        );
    }
    let sd = 1000.0 * g * ((s * s).exp() - 1.0).sqrt();
    let mean = row.mean.unwrap();
    assert!(
        (mean - 1500.0).abs() < SIGMAS * sd / n.sqrt(),
        "mean {mean}"
    );
}

#[test]
fn volatility_alone_sets_the_default_moving_growth() {
    // A file of 0.5.0 with `volatility = v` only runs with growth_volatility = v / 0.5 and
    // growth_reversion_years = 0.5 (CHANGELOG.md, 0.6.0): the same trials, bit for bit.
    let old = format!(
        "{HEADER}trials = 200\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.2\nvolatility = 0.3\n"
    );
    let explicit = format!("{old}growth_volatility = 0.6\ngrowth_reversion_years = 0.5\n");
    let (_, agg_old, _) = run_text(&old);
    let (_, agg_explicit, _) = run_text(&explicit);
    let (a, b) = (format!("{agg_old:?}"), format!("{agg_explicit:?}"));
    assert_eq!(a, b);
    // And it is not the deterministic path: the spread is there.
    let (_, _, result) = run_text(&old);
    let row = result.row("A", 2030.0).unwrap();
    assert!(row.p95 > 1.2 * row.p5, "{} {}", row.p5, row.p95);
}

#[test]
fn growth_distribution_maps_through_compounding() {
    let n = 100_000.0;
    let text = format!(
        "{HEADER}trials = {n}\n[[city]]\nname = \"A\"\nbaseline = 1000\n\
         growth = {{ dist = \"uniform\", min = 0.0, max = 0.5 }}\n"
    );
    let (_, _, result) = run_text(&text);
    for year in [2025.0, 2027.0, 2030.0] {
        let row = result.row("A", year).unwrap();
        let t = year - 2024.0;
        let got = [row.p5, row.p10, row.p25, row.p50, row.p75, row.p90, row.p95];
        for (p, v) in PERCENTILES.iter().zip(got) {
            let p = p / 100.0;
            let g = 0.5 * p;
            let expected = 1000.0 * (1.0 + g).powf(t);
            // Uniform(0, 0.5) has density 2; d ln(x)/dg = t / (1 + g).
            let se_rel = quantile_se(p, n, 2.0) * t / (1.0 + g);
            let tol = SIGMAS * se_rel + SKETCH_ALPHA;
            assert!(
                (v / expected - 1.0).abs() < tol,
                "t={t} p={p}: {v} vs {expected}"
            );
        }
    }
}

#[test]
fn project_delivery_probability_is_the_hit_rate() {
    let (prob, n): (f64, f64) = (0.3, 100_000.0);
    let text = format!(
        "{HEADER}trials = {n}\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0\n\
         [[city.project]]\nname = \"P\"\ncapacity = 500\nonline = 2025.0\nprobability = {prob}\n\
         [[target]]\ncity = \"A\"\nat = 2026.0\ncapacity = 1500\n\
         [[target]]\ncity = \"Total\"\nat = 2024.75\ncapacity = 1001\n"
    );
    let (_, _, result) = run_text(&text);
    let se = (prob * (1.0 - prob) / n).sqrt();
    let hit = result.targets[0].probability;
    assert!((hit - prob).abs() < SIGMAS * se, "delivered share {hit}");
    assert_eq!(
        result.targets[1].probability, 0.0,
        "nothing is online before 2025"
    );
    let before = result.row("A", 2024.75).unwrap();
    assert_eq!((before.p5, before.p95), (1000.0, 1000.0));
    let after = result.row("A", 2026.0).unwrap();
    // 70% undelivered, 30% delivered: both are sketch estimates of 1000 and 1500.
    assert!(
        (after.p50 / 1000.0 - 1.0).abs() <= SKETCH_ALPHA,
        "p50 {}",
        after.p50
    );
    assert!(
        (after.p95 / 1500.0 - 1.0).abs() <= SKETCH_ALPHA,
        "p95 {}",
        after.p95
    );
    assert!((after.mean.unwrap() - 1150.0).abs() < SIGMAS * 500.0 * se);
}

#[test]
fn a_ramp_adds_capacity_linearly_and_projects_do_not_compound() {
    let text = format!(
        "{HEADER}trials = 200\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.1\n\
         [[city.project]]\nname = \"P\"\ncapacity = 400\nonline = 2025.0\nramp_years = 2.0\n"
    );
    let (_, _, result) = run_text(&text);
    for (year, share) in [
        (2024.75, 0.0),
        (2025.0, 0.0),
        (2025.5, 0.25),
        (2026.0, 0.5),
        (2027.0, 1.0),
        (2030.0, 1.0),
    ] {
        let expected = 1000.0 * 1.1f64.powf(year - 2024.0) + 400.0 * share;
        let got = result.row("A", year).unwrap().p50;
        assert!(
            (got / expected - 1.0).abs() < 1e-12,
            "{year}: {got} vs {expected}"
        );
    }
}

#[test]
fn total_is_the_sum_of_cities_within_each_trial() {
    let text = format!(
        "{HEADER}trials = 500\n\
         [[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.1\n\
         [[city]]\nname = \"B\"\nbaseline = 3000\ngrowth = 0.2\n"
    );
    let (_, _, result) = run_text(&text);
    for year in [2024.0, 2026.5, 2030.0] {
        let t = year - 2024.0;
        let expected = 1000.0 * 1.1f64.powf(t) + 3000.0 * 1.2f64.powf(t);
        let got = result.row("Total", year).unwrap().p50;
        assert!((got / expected - 1.0).abs() < 1e-12);
    }
}
