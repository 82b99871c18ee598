//! Conditioning on reports against closed forms: a conjugate lognormal posterior, a
//! truncated uniform, bases as rescaled or moved reports, the Brownian bridge between grid
//! times, determinism across threads and shards, and the refusal of impossible reports.
//!
//! Tolerances are SIGMAS Monte Carlo standard errors computed with the run's own effective
//! sample size (Kish), not chosen to pass.

use crate::common::{SIGMAS, phi, quantile_se, run_text, z};
use assert_cmd::Command;
use simulate::analysis::condition::ConditionReport;

/// A one-city scenario: fixed growth 0 and no volatility, so capacity is the baseline at every
/// time; `extra` adds the baseline, reports and bases.
fn one_city(extra: &str, trials: u64) -> String {
    format!(
        "[scenario]\nname = \"c\"\nstart = 2024.5\nend = 2026.0\nsteps_per_year = 4\n\
         trials = {trials}\nseed = 7\ncondition = true\n\n\
         [[city]]\nname = \"A\"\ngrowth = 0.0\n{extra}"
    )
}

fn baseline_row(report: &ConditionReport) -> &simulate::analysis::condition::PosteriorRow {
    report
        .posterior
        .iter()
        .find(|r| r.input == "A.baseline")
        .expect("baseline row")
}

#[test]
fn a_lognormal_baseline_and_one_about_report_give_the_conjugate_posterior() {
    // Weighting the prior's trials suffices (error 0.2): trials from the prior.
    conjugate_posterior(0.2, 200_000, false);
}

#[test]
fn a_guided_run_gives_the_conjugate_posterior_of_a_precise_report() {
    // error 0.02 against a prior sd of 0.42 in logs: the prior's effective share is about 5%,
    // so a guide draws the trials; its weights are exact, so the posterior is the same.
    conjugate_posterior(0.02, 50_000, true);
}

/// ln B ~ N(mu0, s0^2) (p5 = 10,000, p95 = 40,000); ln y = ln B + e, e ~ N(0, s^2): the
/// baseline's posterior quantiles are the conjugate normal's, within SIGMAS standard errors
/// of the run's own effective sample size.
fn conjugate_posterior(s: f64, trials: u64, guided: bool) {
    let text = one_city(
        &format!(
            "baseline = {{ dist = \"lognormal\", p5 = 10_000, p95 = 40_000 }}\n\n\
             [[city.observed]]\nat = 2025.0\ncapacity = 30_000\nerror = {s}\nsource = \"test\"\n"
        ),
        trials,
    );
    let (scenario, agg, _) = run_text(&text);
    let report = ConditionReport::new(&scenario, &agg).unwrap();
    assert_eq!(
        !report.guide_stages.is_empty(),
        guided,
        "{}",
        report.sampler()
    );
    let (l5, l95) = (10_000f64.ln(), 40_000f64.ln());
    let (mu0, s0) = ((l5 + l95) / 2.0, (l95 - l5) / (2.0 * z(0.95)));
    let y = 30_000f64.ln();
    let precision = 1.0 / (s0 * s0) + 1.0 / (s * s);
    let (mu, sd) = (
        (mu0 / (s0 * s0) + y / (s * s)) / precision,
        precision.sqrt().recip(),
    );
    let ess = report.effective_sample_size;
    assert!(ess > 10_000.0, "ESS {ess}");
    let row = baseline_row(&report);
    for (i, p) in [0.05, 0.5, 0.95].iter().enumerate() {
        let expected = (mu + sd * z(*p)).exp();
        // Standard error on the log scale, for a normal of sd `sd`, mapped to the value.
        let se_log = quantile_se(*p, ess, phi(z(*p)) / sd);
        let got = row.posterior[i];
        let tolerance = SIGMAS * se_log + 0.002; // + the histogram's 0.1% bucket width, twice
        assert!(
            (got.ln() - expected.ln()).abs() < tolerance,
            "p{}: {got} vs {expected} (tolerance {tolerance} in logs)",
            p * 100.0
        );
    }
}

#[test]
fn an_exact_floor_on_a_uniform_baseline_gives_the_truncated_uniform() {
    let text = one_city(
        "baseline = { dist = \"uniform\", min = 10_000, max = 30_000 }\n\n\
         [[city.observed]]\nat = 2025.0\ncapacity = 24_000\nkind = \"at_least\"\nerror = 0\n\
         source = \"test\"\n",
        100_000,
    );
    let (scenario, agg, result) = run_text(&text);
    let report = ConditionReport::new(&scenario, &agg).unwrap();
    let row = baseline_row(&report);
    // Truncated to [24,000, 30,000]: uniform, median 27,000, p5 24,300, p95 29,700.
    let n = report.effective_sample_size;
    assert!(
        n > 25_000.0 && n < 35_000.0,
        "ESS {n} (a share 0.3 of 100,000)"
    );
    for (i, (p, expected)) in [(0.05, 24_300.0), (0.5, 27_000.0), (0.95, 29_700.0)]
        .iter()
        .enumerate()
    {
        let se = quantile_se(*p, n, 1.0 / 6_000.0);
        let got = row.posterior[i];
        assert!(
            (got - expected).abs() < SIGMAS * se + 0.002 * expected,
            "p{p}: {got} vs {expected}"
        );
    }
    // Every conditioned trial is at or above the floor: the summary's minimum says so.
    let first = result.rows.iter().find(|r| r.year == 2025.0).unwrap();
    assert!(first.p5 >= 24_000.0 * 0.999, "{}", first.p5);
}

fn summary_p50s(text: &str) -> Vec<f64> {
    let (_, _, result) = run_text(text);
    result.rows.iter().map(|r| r.p50).collect()
}

#[test]
fn a_fixed_basis_factor_of_two_equals_halving_the_report() {
    let base = "baseline = { dist = \"lognormal\", p5 = 10_000, p95 = 40_000 }\n";
    let with_basis = one_city(
        &format!(
            "{base}\n[[city.observed]]\nat = 2025.0\ncapacity = 40_000\nbasis = \"double\"\n\
             source = \"test\"\n\n[[basis]]\nname = \"double\"\nfactor = 2.0\n"
        ),
        50_000,
    );
    let halved = one_city(
        &format!("{base}\n[[city.observed]]\nat = 2025.0\ncapacity = 20_000\nsource = \"test\"\n"),
        50_000,
    );
    let (a, b) = (summary_p50s(&with_basis), summary_p50s(&halved));
    for (x, y) in a.iter().zip(&b) {
        assert!((x / y - 1.0).abs() < 1e-9, "{x} vs {y}");
    }
}

#[test]
fn a_basis_lag_equals_moving_the_report() {
    let base = "baseline = 10_000\ngrowth = 0.5\nvolatility = 0.3\n";
    let city = |extra: &str| {
        format!(
            "[scenario]\nname = \"c\"\nstart = 2024.5\nend = 2027.0\nsteps_per_year = 4\n\
             trials = 50000\nseed = 7\ncondition = true\n\n[[city]]\nname = \"A\"\n{base}{extra}"
        )
    };
    let lagged = city(
        "\n[[city.observed]]\nat = 2025.0\ncapacity = 20_000\nbasis = \"ahead\"\n\
         source = \"test\"\n\n[[basis]]\nname = \"ahead\"\nfactor = 1.0\nlag_years = 0.5\n",
    );
    let moved = city("\n[[city.observed]]\nat = 2025.5\ncapacity = 20_000\nsource = \"test\"\n");
    let (a, b) = (summary_p50s(&lagged), summary_p50s(&moved));
    for (x, y) in a.iter().zip(&b) {
        assert!((x / y - 1.0).abs() < 1e-9, "{x} vs {y}");
    }
}

#[test]
fn targets_between_grid_times_follow_the_monotone_bridge() {
    // Fixed baseline B and growth g, volatility v (the defaults: growth_volatility 2v, reversion
    // 0.5 years), yearly grid. One step shock w drives both the log growth x = ln(1 + g) + c w,
    // c = 2v sqrt((1 - e^-4) / 4), and the lumpiness F = e^(v w - v^2/2): O_1 = B (1 + R),
    // R = (e^x - 1)^+ F (docs/model.md, "Growth that moves"). At a = 0.4 of the step the read is
    // B + (O_1 - B) w', w0 = ((1 + R)^a - 1) / R, moved on the logit scale by s z,
    // s = v sqrt(a (1 - a)) ("Exact times"). So P(read >= C) = E over w of
    // Phi((logit w0 - logit q) / s), q = (C / B - 1) / R when q < 1 (else 0): one integral over
    // w, by the trapezoid rule.
    let text = "[scenario]\nname = \"b\"\nstart = 2025.0\nend = 2027.0\nsteps_per_year = 1\n\
                trials = 100000\nseed = 3\n\n[[city]]\nname = \"A\"\nbaseline = 10_000\n\
                growth = 0.5\nvolatility = 0.3\n\n\
                [[target]]\ncity = \"A\"\nat = 2025.4\ncapacity = 12_000\n";
    let (_, _, result) = run_text(text);
    let cdf = simulate::scenario::dist::standard_normal_cdf;
    let (g, v, a) = (0.5f64, 0.3f64, 0.4f64);
    let c = 2.0 * v * ((1.0 - (-4.0f64).exp()) / 4.0).sqrt();
    let s = v * (a * (1.0 - a)).sqrt();
    let logit = |p: f64| (p / (1.0 - p)).ln();
    let (steps, width) = (20_000, 16.0);
    let h = width / steps as f64;
    let (mut expected, mut grid_rule) = (0.0, 0.0);
    for i in 0..=steps {
        let w = -width / 2.0 + i as f64 * h;
        let f = (v * w - v * v / 2.0).exp();
        let added = ((g.ln_1p() + c * w).exp() - 1.0).max(0.0) * f;
        let q = 0.2 / added;
        let p = if added > 0.0 && q < 1.0 {
            let w0 = (a * added.ln_1p()).exp_m1() / added;
            cdf((logit(w0) - logit(q)) / s)
        } else {
            0.0
        };
        let weight = if i == 0 || i == steps { 0.5 } else { 1.0 };
        let density = (-0.5 * w * w).exp() / (2.0 * std::f64::consts::PI).sqrt();
        expected += weight * h * density * p;
        grid_rule += weight * h * density * f64::from(u8::from(added >= 0.2));
    }
    let got = result.targets[0].probability;
    let se = (expected * (1.0 - expected) / 100_000.0).sqrt();
    assert!((got - expected).abs() < SIGMAS * se, "{got} vs {expected}");
    // On the next grid time's rule (2026.0) it would be far off: the old bias.
    assert!(
        (grid_rule - expected).abs() > 10.0 * se,
        "{grid_rule} vs {expected}"
    );
}

fn run_files(args: &[&str], out: &std::path::Path) {
    Command::cargo_bin("simulate")
        .unwrap()
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

const CONDITIONED: &str = "tests/data/conditioned.toml";

const GUIDED: &str = "tests/data/guided.toml";

#[test]
fn conditioned_tables_are_identical_for_any_threads_and_shards() {
    identical_for_any_threads_and_shards(CONDITIONED, "conditioned", "drawn from the prior");
}

#[test]
fn guided_tables_are_identical_for_any_threads_and_shards() {
    identical_for_any_threads_and_shards(GUIDED, "guided", "drawn by a guide");
}

/// Runs `scenario` (named `name`) on 1, 2 and 3 threads and as 2 and 7 merged shards, checks
/// every table is byte-identical, and that the terminal says its trials were `drawn`.
fn identical_for_any_threads_and_shards(scenario: &str, name: &str, drawn: &str) {
    let mut cmd = Command::cargo_bin("simulate").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = cmd
        .args([scenario, "-n", "20000", "--no-plots", "--out"])
        .arg(dir.path().join("terminal"))
        .output()
        .unwrap();
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(terminal.contains(&format!("trials {drawn}")), "{terminal}");
    let read = |d: &std::path::Path| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(d.join(name))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let mut sets = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = dir.path().join(format!("j{threads}"));
        run_files(
            &[scenario, "-n", "20000", "-q", "--no-plots", "-j", threads],
            &out,
        );
        sets.push(read(&out));
    }
    for shards in [2u32, 7] {
        let out = dir.path().join(format!("s{shards}"));
        let mut parts = Vec::new();
        for i in 0..shards {
            let shard = format!("{i}/{shards}");
            run_files(&[scenario, "-n", "20000", "-q", "--shard", &shard], &out);
            parts.push(
                out.join(name)
                    .join(format!("part-{i:04}-of-{shards:04}.json")),
            );
        }
        let merged = dir.path().join(format!("m{shards}"));
        let mut cmd = Command::cargo_bin("simulate").unwrap();
        cmd.arg("merge")
            .args(&parts)
            .args(["-q", "--no-plots", "--out"])
            .arg(&merged);
        cmd.assert().success();
        sets.push(read(&merged));
    }
    let names: Vec<&str> = sets[0].iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        ["posterior.csv", "calibration.csv", "unconditioned.csv"]
            .iter()
            .all(|f| names.contains(f)),
        "{names:?}"
    );
    for (i, set) in sets.iter().enumerate().skip(1) {
        assert!(set == &sets[0], "run {i} differs from one thread");
    }
}

#[test]
fn an_impossible_bound_exits_2_naming_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("impossible.toml");
    std::fs::write(
        &path,
        one_city(
            "baseline = { dist = \"uniform\", min = 10_000, max = 20_000 }\n\n\
             [[city.observed]]\nat = 2025.0\ncapacity = 50_000\nkind = \"at_least\"\nerror = 0\n\
             source = \"Impossible Daily, 2025-01-01\"\n",
            2_000,
        ),
    )
    .unwrap();
    let out = Command::cargo_bin("simulate")
        .unwrap()
        .arg(&path)
        .args(["-q", "--no-plots", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no trial is consistent"), "{stderr}");
    assert!(stderr.contains("Impossible Daily"), "{stderr}");
    assert!(stderr.contains("basis"), "{stderr}");
    assert!(!dir.path().join("c").exists(), "nothing is written");
}

#[test]
fn a_basis_lag_reaching_past_the_horizon_is_refused() {
    let text = one_city(
        "baseline = 10_000\n\n[[city.observed]]\nat = 2025.5\ncapacity = 12_000\n\
         basis = \"ahead\"\nsource = \"test\"\n\n\
         [[basis]]\nname = \"ahead\"\nfactor = 1.0\nlag_years = { dist = \"uniform\", min = 0, max = 1 }\n",
        1_000,
    );
    // The horizon ends at 2026.0; the report at 2025.5 with a lag up to 1 year reaches 2026.5.
    let e = simulate::scenario::parse_str(&text, "c.toml", "c")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("observed[0].basis") && e.contains("outside the horizon"),
        "{e}"
    );
}

#[test]
fn an_about_report_of_nothing_is_refused() {
    let text = one_city(
        "baseline = 10_000\n\n[[city.observed]]\nat = 2025.0\ncapacity = 0\nsource = \"test\"\n",
        1_000,
    );
    let e = simulate::scenario::parse_str(&text, "c.toml", "c")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("observed[0].capacity") && e.contains("above 0"),
        "{e}"
    );
}

#[test]
fn conditioned_and_unconditioned_parts_never_merge() {
    let dir = tempfile::tempdir().unwrap();
    let run = |shard: &str, flag: &str, out: &str| {
        Command::cargo_bin("simulate")
            .unwrap()
            .args([
                "tests/data/conditioned.toml",
                "-n",
                "3000",
                "-q",
                "--shard",
                shard,
                flag,
            ])
            .arg("--out")
            .arg(dir.path().join(out))
            .assert()
            .success();
        dir.path()
            .join(out)
            .join("conditioned")
            .join(format!("part-000{}-of-0002.json", &shard[..1]))
    };
    let a = run("0/2", "--condition", "a");
    let b = run("1/2", "--no-condition", "b");
    let out = Command::cargo_bin("simulate")
        .unwrap()
        .arg("merge")
        .args([&a, &b])
        .args(["-q", "--no-plots", "--out"])
        .arg(dir.path().join("m"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("conditioning on the reports"), "{stderr}");
}

#[test]
fn an_invalid_basis_is_reported_once_by_itself() {
    let text = one_city(
        "baseline = 10_000\n\n[[city.observed]]\nat = 2025.0\ncapacity = 12_000\n\
         basis = \"b\"\nsource = \"test\"\n\n[[basis]]\nname = \"b\"\nfactor = 0\n",
        1_000,
    );
    let e = simulate::scenario::parse_str(&text, "c.toml", "c")
        .unwrap_err()
        .to_string();
    assert!(e.contains("basis[0].factor"), "{e}");
    assert!(!e.contains("no [[basis]] named"), "{e}");
}
