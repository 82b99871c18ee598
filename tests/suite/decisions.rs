//! Crossing times, probability over time, ranking, overtaking and sensitivity checked against
//! answers known in closed form.

use crate::common;

use common::{HEADER, SIGMAS, run_text};
use simulate::analysis::decisions::Decisions;
use simulate::analysis::sensitivity::{self, BINS, spearman_se};
use simulate::engine::RunSpec;

fn decisions(text: &str) -> Decisions {
    let (scenario, agg, _) = run_text(text);
    Decisions::new(&scenario, &RunSpec::from_scenario(&scenario), &agg)
}

#[test]
fn a_city_doubling_every_year_reaches_four_times_its_start_at_exactly_two_years() {
    let text = format!(
        "{HEADER}trials = 500\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 1.0\n\
         [[target]]\ncity = \"A\"\nat = 2026.0\ncapacity = 4000\n"
    );
    let d = decisions(&text);
    let c = &d.crossing[0];
    assert_eq!(c.city, "A");
    assert_eq!(c.probability_within_horizon, 1.0);
    assert_eq!(
        (c.p10, c.p50, c.p90),
        (Some(2026.0), Some(2026.0), Some(2026.0))
    );
    for l in &d.levels {
        let reached = if l.year >= 2026.0 { 1.0 } else { 0.0 };
        assert_eq!(l.probability_at_or_above, reached, "at {}", l.year);
        assert_eq!(l.probability_reached_by, reached, "at {}", l.year);
    }
}

#[test]
fn a_target_beyond_reach_has_empty_percentiles() {
    let text = format!(
        "{HEADER}trials = 200\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 0.1\n\
         [[target]]\ncity = \"A\"\nat = 2030.0\ncapacity = 1000000\n"
    );
    let c = &decisions(&text).crossing[0];
    assert_eq!(c.probability_within_horizon, 0.0);
    assert_eq!((c.p10, c.p50, c.p90), (None, None, None));
}

#[test]
fn overtaking_time_matches_the_hand_calculation() {
    // 1000 * 1.5^t = 2000 * 1.2^t  <=>  t = ln 2 / ln 1.25 = 3.106 years after 2024.0, so the
    // first quarterly grid time with the follower at or above the leader is 2027.25.
    let text = format!(
        "{HEADER}trials = 300\n[[city]]\nname = \"Fast\"\nbaseline = 1000\ngrowth = 0.5\n\
         [[city]]\nname = \"Big\"\nbaseline = 2000\ngrowth = 0.2\n"
    );
    let t = 2.0f64.ln() / 1.25f64.ln();
    let expected = 2024.0 + (t * 4.0).ceil() / 4.0;
    assert_eq!(expected, 2027.25);
    let d = decisions(&text);
    assert_eq!(
        d.overtake.len(),
        1,
        "only Fast starts behind: {:?}",
        d.overtake
    );
    let o = &d.overtake[0];
    assert_eq!((o.leader.as_str(), o.follower.as_str()), ("Big", "Fast"));
    assert_eq!(o.share_starting_behind, 1.0);
    assert_eq!(o.probability_within_horizon, 1.0);
    assert_eq!(
        (o.p10, o.p50, o.p90),
        (Some(expected), Some(expected), Some(expected))
    );
    for r in &d.ranking {
        let fast_leads = r.year >= expected;
        let expected_share = if (r.city == "Fast") == fast_leads {
            1.0
        } else {
            0.0
        };
        assert_eq!(
            r.probability_largest, expected_share,
            "{} at {}",
            r.city, r.year
        );
    }
}

#[test]
fn crossing_percentiles_of_a_random_growth_match_the_closed_form() {
    // Growth g ~ U(0.5, 1.5) fixed per trial, from 1000: 6000 is reached at t = ln 6 / ln(1+g).
    // The p-th percentile of t is at the (1-p)-th quantile of g. Growth at a constant rate makes
    // the log-linear interpolation within a step exact, so the reported time is the exact one
    // rounded up to 1/32 of a quarter, within Monte Carlo error.
    let n = 20_000.0;
    let text = format!(
        "{HEADER}trials = {n}\n[[city]]\nname = \"A\"\nbaseline = 1000\n\
         growth = {{ dist = \"uniform\", min = 0.5, max = 1.5 }}\n\
         [[target]]\ncity = \"A\"\nat = 2030.0\ncapacity = 6000\n"
    );
    let c = decisions(&text).crossing[0].clone();
    assert_eq!(c.probability_within_horizon, 1.0);
    let sub_step = 0.25 / 32.0;
    for (p, got) in [(0.1f64, c.p10), (0.5, c.p50), (0.9, c.p90)] {
        let g: f64 = 0.5 + (1.0 - p);
        let t = 6f64.ln() / g.ln_1p();
        // SE of the sample quantile of g, mapped through dt/dg = -t / ((1+g) ln(1+g)).
        let se_g = (p * (1.0 - p) / n).sqrt() / 1.0;
        let se_t = se_g * t / ((1.0 + g) * g.ln_1p());
        let got = got.unwrap() - 2024.0;
        assert!(
            got >= t - SIGMAS * se_t && got <= t + SIGMAS * se_t + sub_step,
            "p{p}: {got} vs exact time {t} (se {se_t})"
        );
    }
}

#[test]
fn a_deterministic_crossing_is_interpolated_within_its_step() {
    // 1000 * 2^t = 3000 at t = ln 3 / ln 2 = 1.585 years: reported at the first 1/32 of a
    // quarter at or after it (2025.6016), not at the next quarter (2025.75).
    let text = format!(
        "{HEADER}trials = 100\n[[city]]\nname = \"A\"\nbaseline = 1000\ngrowth = 1.0\n\
         [[target]]\ncity = \"A\"\nat = 2030.0\ncapacity = 3000\n"
    );
    let t = 3f64.ln() / 2f64.ln();
    let expected = 2024.0 + (t * 128.0).ceil() / 128.0;
    let c = decisions(&text).crossing[0].clone();
    assert_eq!(
        (c.p10, c.p50, c.p90),
        (Some(expected), Some(expected), Some(expected))
    );
    assert!(expected < 2025.75);
}

#[test]
fn a_single_random_input_is_ranked_first_with_rank_correlation_one() {
    // Growth stays above 0 (a draw below 0 adds nothing since 0.6.0, so a normal prior's few
    // negative draws would all tie at the baseline): capacity is strictly increasing in it.
    let text = format!(
        "{HEADER}trials = 5000\n[[city]]\nname = \"A\"\nbaseline = 1000\n\
         growth = {{ dist = \"uniform\", min = 0.1, max = 0.5 }}\n\
         [[city]]\nname = \"B\"\nbaseline = 500\ngrowth = 0.2\n"
    );
    let (scenario, _, _) = run_text(&text);
    let rows = sensitivity::analyse(&scenario, &[2028.0]);
    for output in ["A", "Total"] {
        let first = rows.iter().find(|r| r.output == output).unwrap();
        assert_eq!(first.input, "A.growth");
        assert!((first.rank_correlation - 1.0).abs() < 1e-12, "{first:?}");
        assert_eq!(first.sample, 5000);
    }
    // Fixed inputs are not listed: they cannot drive anything.
    assert!(rows.iter().all(|r| r.input == "A.growth"), "{rows:?}");
}

/// Var(E[X | bin]) / Var(X) for a normal X cut into `bins` equal-probability bins: one minus
/// the mean within-bin variance, from the truncated normal's moments.
fn binned_normal_share(bins: usize) -> f64 {
    let q = 1.0 / bins as f64;
    let edge = |i: usize| match i {
        0 => f64::NEG_INFINITY,
        i if i == bins => f64::INFINITY,
        i => common::z(i as f64 * q),
    };
    let phi = |x: f64| if x.is_finite() { common::phi(x) } else { 0.0 };
    let x_phi = |x: f64| {
        if x.is_finite() {
            x * common::phi(x)
        } else {
            0.0
        }
    };
    let within: f64 = (0..bins)
        .map(|i| {
            let (a, b) = (edge(i), edge(i + 1));
            let mean = (phi(a) - phi(b)) / q;
            let second = 1.0 + (x_phi(a) - x_phi(b)) / q;
            q * (second - mean * mean)
        })
        .sum();
    1.0 - within
}

/// Tolerance for a correlation ratio `eta2` estimated from n draws with `BINS` bins: SIGMAS
/// standard errors (about 2 sqrt(eta2) (1 - eta2) / sqrt(n), as for a squared correlation)
/// plus the bias of empty effects, (BINS - 1) / n.
fn eta2_tolerance(eta2: f64, n: f64) -> f64 {
    SIGMAS * 2.0 * eta2.sqrt() * (1.0 - eta2) / n.sqrt() + (BINS as f64 - 1.0) / n
}

#[test]
fn two_equal_independent_normal_inputs_give_the_bivariate_normal_spearman() {
    // Total = A + B with A, B ~ N(1000, 100) independent: Pearson(A, Total) = 1/sqrt(2) and,
    // for a bivariate normal, Spearman = (6/pi) asin(r/2) = 0.6829. A's capacity is A itself
    // (growth 0): its first-order index with equal-count bins is the binned normal's share;
    // Total's is half of that.
    let n = 10_000.0;
    let text = format!(
        "{HEADER}trials = {n}\n\
         [[city]]\nname = \"A\"\nbaseline = {{ dist = \"normal\", mean = 1000, sd = 100 }}\ngrowth = 0\n\
         [[city]]\nname = \"B\"\nbaseline = {{ dist = \"normal\", mean = 1000, sd = 100 }}\ngrowth = 0\n"
    );
    let (scenario, _, _) = run_text(&text);
    let rows = sensitivity::analyse(&scenario, &[2026.0]);
    let expected = 6.0 / std::f64::consts::PI * (0.5 / 2f64.sqrt()).asin();
    let share = binned_normal_share(BINS);
    for input in ["A.baseline", "B.baseline"] {
        let r = rows
            .iter()
            .find(|r| r.output == "Total" && r.input == input)
            .unwrap();
        let tol = SIGMAS * spearman_se(expected, n as usize);
        assert!(
            (r.rank_correlation - expected).abs() < tol,
            "{input}: {} vs {expected} (tol {tol})",
            r.rank_correlation
        );
        let tol = eta2_tolerance(share / 2.0, n);
        assert!(
            (r.first_order_index - share / 2.0).abs() < tol,
            "{input}: first-order index {} vs {} (tol {tol})",
            r.first_order_index,
            share / 2.0
        );
    }
    let own = rows
        .iter()
        .find(|r| r.output == "A" && r.input == "A.baseline")
        .unwrap();
    assert!((own.rank_correlation - 1.0).abs() < 1e-12);
    let tol = eta2_tolerance(share, n);
    assert!(
        (own.first_order_index - share).abs() < tol,
        "own first-order index {} vs {share} (tol {tol})",
        own.first_order_index
    );
}

#[test]
fn every_recorded_input_has_a_name_in_every_shipped_scenario() {
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let loaded = simulate::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let model = simulate::model::Model::new(&loaded.scenario);
        let mut buf = model.buffer();
        for trial in 0..3 {
            model.run_trial(loaded.scenario.seed, trial, &mut buf);
            assert_eq!(
                buf.inputs.len(),
                model.input_names().len(),
                "{}: {:?}",
                path.display(),
                model.input_names()
            );
        }
    }
}

#[test]
fn every_risk_feature_records_its_named_inputs() {
    let text = format!(
        "{HEADER}trials = 2000\n[[city]]\nname = \"A\"\nbaseline = 1000\n\
         growth = {{ dist = \"normal\", mean = 0.3, sd = 0.1 }}\nvolatility = 0.1\n\
         growth_long_run = {{ dist = \"uniform\", min = 0.0, max = 0.2 }}\ngrowth_half_life_years = 2\n\
         lifetime = {{ dist = \"uniform\", min = 4, max = 8 }}\n\
         [[city.growth_period]]\nfrom = 2027.0\ngrowth = {{ dist = \"uniform\", min = 0.0, max = 0.4 }}\n\
         [city.power]\nmw = 1000\nmw_growth = {{ dist = \"uniform\", min = 0.3, max = 0.7 }}\np_per_mw = 1\n\
         [[city.project]]\nname = \"P\"\ncapacity = 500\nonline = {{ dist = \"uniform\", min = 2025, max = 2026 }}\nprobability = 0.5\n\
         [[shock]]\nname = \"Wipe\"\nannual_probability = 0.1\ncapacity_loss = 0.5\n"
    );
    let (scenario, _, _) = run_text(&text);
    let model = simulate::model::Model::new(&scenario);
    let names = model.input_names();
    assert_eq!(
        names,
        [
            "A.baseline",
            "A.growth",
            "A.growth_long_run",
            "A.growth_period[0].growth",
            "A.lifetime",
            "A.project[P].probability",
            "A.project[P].capacity",
            "A.project[P].online",
            "A.project[P].ramp_years",
            "A.power.mw_growth",
            "shock[Wipe]"
        ]
    );
    let rows = sensitivity::analyse(&scenario, &[2030.0]);
    for name in &names[1..] {
        if ["A.project[P].capacity", "A.project[P].ramp_years"].contains(&name.as_str()) {
            continue; // fixed in this scenario
        }
        assert!(
            rows.iter().any(|r| r.output == "A" && &r.input == name),
            "{name} not ranked: {rows:?}"
        );
    }
}
