//! The projection before the reports in a conditioned run (unconditioned.csv, the fan charts'
//! dashed outline): every trial counted by its unconditioned multiplicity equals the run
//! without conditioning, exactly when the trials come from the prior and within the guide's
//! importance-sampling error when a guide draws them; the outline and its legend entry are
//! drawn for conditioned runs only.
//!
//! Tolerance of a guided run: the guide is a defensive mixture whose prior share is a =
//! [`DEFENSIVE_SHARE`], so a trial's unconditioned weight phi(z) / q(z) is at most 1 / a and
//! the weighted share of trials below a quantile has variance at most p (1 - p) / (a n): its
//! standard error is at most sqrt(p (1 - p) / (a n)), against sqrt(p (1 - p) / n) for trials
//! from the prior; in capacity, divided by the density at the quantile. SIGMAS of those, plus
//! the histogram's relative bucket width (0.1%) on each side.

use crate::common::{SIGMAS, phi, run_text, z};
use simulate::analysis::Report;
use simulate::analysis::results::SummaryRow;
use simulate::engine::guide::DEFENSIVE_SHARE;
use simulate::engine::{self, RunSpec};
use simulate::output;
use simulate::plot::{self, fan::OUTLINE_LEGEND, layout::Kind};
use simulate::scenario;
use std::path::Path;

/// One city whose capacity is its lognormal baseline (p5 10,000 P, p95 40,000 P) at every
/// time, and one `about` report of 30,000 P with log-scale error `error`.
fn one_city(error: f64, trials: u64, condition: bool) -> String {
    format!(
        "[scenario]\nname = \"c\"\nstart = 2024.5\nend = 2026.0\nsteps_per_year = 4\n\
         trials = {trials}\nseed = 7\ncondition = {condition}\n\n\
         [[city]]\nname = \"A\"\ngrowth = 0.0\n\
         baseline = {{ dist = \"lognormal\", p5 = 10_000, p95 = 40_000 }}\n\n\
         [[city.observed]]\nat = 2025.0\ncapacity = 30_000\nerror = {error}\nsource = \"test\"\n"
    )
}

#[test]
fn weighting_the_priors_trials_keeps_the_unconditioned_band_exactly() {
    // error 0.2: weighting the prior's trials suffices (no guide), so every trial counts
    // once before the reports: the same trials, the same counts, the same bytes.
    let (_, agg, conditioned) = run_text(&one_city(0.2, 20_000, true));
    let (_, _, plain) = run_text(&one_city(0.2, 20_000, false));
    let guided = agg
        .condition
        .as_ref()
        .is_some_and(|c| !c.guide_stages.is_empty());
    assert!(!guided, "the prior's trials are weighted");
    assert!(plain.unconditioned_rows.is_empty());
    assert_eq!(conditioned.unconditioned_rows, plain.rows);
    // The reports moved the conditioned band (so the comparison is not of one table twice).
    assert_ne!(conditioned.rows, plain.rows);
}

/// The p5 and p95 of two tables' rows, with the row.
fn edges(rows: &[SummaryRow]) -> Vec<(f64, f64, &SummaryRow)> {
    rows.iter().map(|r| (r.p5, r.p95, r)).collect()
}

#[test]
fn a_guided_runs_unconditioned_band_is_the_prior_band_within_its_error() {
    // error 0.02: the prior's effective share is about 5%, so a guide draws the trials.
    let n = 20_000u64;
    let (_, agg, conditioned) = run_text(&one_city(0.02, n, true));
    let (_, _, plain) = run_text(&one_city(0.02, n, false));
    let stats = agg.condition.as_ref().expect("reports");
    assert!(!stats.guide_stages.is_empty(), "a guide drew the trials");
    let (l5, l95) = (10_000f64.ln(), 40_000f64.ln());
    let s0 = (l95 - l5) / (2.0 * z(0.95));
    let p = 0.05f64;
    // On the log scale the density at either quantile is phi(z_p) / s0.
    let se = |share: f64| (p * (1.0 - p) / (share * n as f64)).sqrt() * s0 / phi(z(p));
    let guided_se = se(DEFENSIVE_SHARE);
    let both_se = (guided_se.powi(2) + se(1.0).powi(2)).sqrt();
    let pairs = edges(&conditioned.unconditioned_rows)
        .into_iter()
        .zip(edges(&plain.rows));
    let mut checked = 0;
    for ((g5, g95, row), (u5, u95, _)) in pairs {
        for (got, exact, plain, what) in [(g5, l5, u5, "p5"), (g95, l95, u95, "p95")] {
            let (got, plain) = (got.ln(), plain.ln());
            let closed = SIGMAS * guided_se + 0.002;
            assert!(
                (got - exact).abs() < closed,
                "{} {} {what}: {} against {} (tolerance {closed} in logs)",
                row.city,
                row.year,
                got.exp(),
                exact.exp()
            );
            let paired = SIGMAS * both_se + 0.002;
            assert!(
                (got - plain).abs() < paired,
                "{} {} {what}: {} against the unconditioned run's {} (tolerance {paired})",
                row.city,
                row.year,
                got.exp(),
                plain.exp()
            );
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        2 * 2 * 7,
        "p5 and p95 of A and the Total at seven times"
    );
    // The conditioned band is the report's, far narrower than the prior's.
    let last = conditioned.rows.last().expect("rows");
    assert!(last.p95 / last.p5 < 1.2, "{last:?}");
}

/// The legend of the first fan chart of `path` (`condition` forced), from its layout.
fn fan_legend(path: &str, condition: bool) -> String {
    let mut scenario = scenario::load(Path::new(path))
        .expect("a valid scenario")
        .scenario;
    (scenario.trials, scenario.condition) = (2000, condition);
    let spec = RunSpec::from_scenario(&scenario);
    let agg = engine::run(&spec, &|_| {});
    let report = Report::new(&scenario, &agg, None);
    let data = output::chart_data(&scenario, &agg, &report);
    let layout = plot::layout(plot::Chart::Fan(0), &data).expect("the chart draws");
    let legends: Vec<&str> = layout
        .boxes
        .iter()
        .filter(|b| b.kind == Kind::Legend)
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(legends.len(), 1, "{path}: one legend");
    legends[0].to_string()
}

#[test]
fn conditioned_fan_charts_outline_the_band_before_the_reports() {
    for path in ["scenarios/base.toml", "scenarios/china-2025.toml"] {
        assert!(fan_legend(path, true).contains(OUTLINE_LEGEND), "{path}");
        let plain = fan_legend(path, false);
        assert!(plain.contains("Median"), "{path}: {plain}");
        assert!(!plain.contains(OUTLINE_LEGEND), "{path}: {plain}");
    }
}
