//! Property tests over generated input: arbitrary bytes and mutated valid files never panic;
//! random valid scenarios never put inf or NaN in a table, their percentiles rise with p and
//! lie within the trials' range, and the Total is at least each city; a scenario whose
//! distributions are all fixed gives exactly the deterministic calculation.
//!
//! A normal `cargo test` runs a few dozen cases of each (seconds). The long run is
//!   PROPTEST_CASES=100000 cargo test --release --test properties
//! (the fuzz targets in fuzz/ cover the same code with coverage guidance; see docs/hardening.md).

use proptest::prelude::*;
use proptest::test_runner::Config;
use simulate::selfcheck::{SHORT_RUN_TRIALS, parse_bytes, short_run};
use simulate::stats::SKETCH_ALPHA;

/// Cases per property: PROPTEST_CASES if set, else `default` (kept small for `cargo test`).
fn cases(default: u32) -> Config {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Parses, and runs briefly whatever validates; any failure is a test failure.
fn load_and_run(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Some(scenario) = parse_bytes(bytes) {
        short_run(&scenario, SHORT_RUN_TRIALS, false)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    Ok(())
}

/// The valid files that mutations start from.
fn seed_files() -> Vec<String> {
    [
        "scenarios/base.toml",
        "tests/data/base.toml",
        "tests/data/all-risks.toml",
    ]
    .iter()
    .map(|p| std::fs::read_to_string(p).unwrap())
    .collect()
}

/// Values a hurried edit might leave in a file.
const HOSTILE: [&str; 14] = [
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e-308",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "1e300",
    "2200",
    "1900",
    "0.999999",
    "\"\"",
];

/// One edit of a valid file: a number replaced, a line dropped or doubled, or a byte changed.
#[derive(Debug, Clone)]
enum Mutation {
    Number { nth: usize, value: usize },
    DropLine(usize),
    DoubleLine(usize),
    Byte { at: usize, byte: u8 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..HOSTILE.len()).prop_map(|(nth, value)| Mutation::Number { nth, value }),
        any::<usize>().prop_map(Mutation::DropLine),
        any::<usize>().prop_map(Mutation::DoubleLine),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Byte { at, byte }),
    ]
}

fn apply(text: &str, m: &Mutation) -> Vec<u8> {
    let lines: Vec<&str> = text.lines().collect();
    match *m {
        Mutation::Number { nth, value } => {
            let spans = number_spans(text);
            let (a, b) = spans[nth % spans.len()];
            format!("{}{}{}", &text[..a], HOSTILE[value], &text[b..]).into_bytes()
        }
        Mutation::DropLine(i) => {
            let i = i % lines.len();
            let kept: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, l)| *l)
                .collect();
            kept.join("\n").into_bytes()
        }
        Mutation::DoubleLine(i) => {
            let i = i % lines.len();
            let mut out = lines.clone();
            out.insert(i, lines[i]);
            out.join("\n").into_bytes()
        }
        Mutation::Byte { at, byte } => {
            let mut bytes = text.as_bytes().to_vec();
            let at = at % bytes.len();
            bytes[at] = byte;
            bytes
        }
    }
}

/// Byte ranges of the numbers (digits, '.', '_', 'e') written after an '='.
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && i > 0 && matches!(bytes[i - 1], b' ' | b'=' | b'-') {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || matches!(bytes[i], b'.' | b'_' | b'+' | b'-'))
            {
                i += 1;
            }
            spans.push((start, i));
        }
        i += 1;
    }
    spans
}

proptest! {
    #![proptest_config(cases(200))]

    #[test]
    fn arbitrary_bytes_are_refused_or_run_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        load_and_run(&bytes)?;
    }

    #[test]
    fn toml_like_text_is_refused_or_runs_without_panic(text in "(\\[\\[?(scenario|city|target|shock|city.project)\\]\\]?\n|[a-z_]{1,12} = (-?[0-9.e]{1,8}|\"[a-z0-9 -]{0,8}\"|\\{ dist = \"[a-z]{4,10}\", [a-z0-9 ,=.]{0,30} \\})\n){0,20}") {
        load_and_run(text.as_bytes())?;
    }
}

proptest! {
    #![proptest_config(cases(24))]

    #[test]
    fn mutated_valid_files_are_refused_or_run_finite(file in 0..3usize, edits in proptest::collection::vec(mutation(), 1..4)) {
        let seeds = seed_files();
        let mut bytes = seeds[file].clone().into_bytes();
        for m in &edits {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            bytes = apply(&text, m);
        }
        load_and_run(&bytes)?;
    }
}

/// A distribution written in TOML, drawn from every family with extreme parameters.
fn dist_text(lo: f64, hi: f64) -> impl Strategy<Value = String> {
    (0..6usize, lo..hi, lo..hi, 0.0..1.0f64).prop_map(|(family, a, b, w)| {
        let (min, max) = if a <= b { (a, b) } else { (b, a) };
        let mode = min + w * (max - min);
        match family {
            0 => format!("{a:e}"),
            1 => format!("{{ dist = \"uniform\", min = {min:e}, max = {max:e} }}"),
            2 => format!(
                "{{ dist = \"normal\", mean = {a:e}, sd = {:e} }}",
                (b - a).abs() / 8.0
            ),
            3 => format!(
                "{{ dist = \"lognormal\", p5 = {:e}, p95 = {:e} }}",
                min.abs().max(1e-6),
                max.abs().max(1e-6) * 1.5
            ),
            4 => format!(
                "{{ dist = \"triangular\", min = {min:e}, mode = {mode:e}, max = {max:e} }}"
            ),
            _ => format!("{{ dist = \"pert\", min = {min:e}, mode = {mode:e}, max = {max:e} }}"),
        }
    })
}

/// A random scenario: 1 to 3 cities with extreme baselines, growth and volatility, projects,
/// a horizon of 1 to 40 years; it may well be refused (overflow), which is fine.
fn scenario_text() -> impl Strategy<Value = String> {
    let city = (
        prop_oneof![dist_text(0.0, 1e6), dist_text(0.0, 1e250)],
        prop_oneof![dist_text(-0.5, 0.8), dist_text(-0.9, 20.0)],
        0.0..5.0f64,
        proptest::collection::vec(
            (
                dist_text(0.0, 1e5),
                2000.0..2100.0f64,
                0.0..1.0f64,
                0.0..4.0f64,
            ),
            0..3,
        ),
    );
    (1..41u32, 1..5u32, proptest::collection::vec(city, 1..4), 0.0..1e7f64).prop_map(
        |(years, steps, cities, target)| {
            let mut s = format!(
                "[scenario]\nstart = 2000.0\nend = {}.0\nsteps_per_year = {steps}\ntrials = 100\n",
                2000 + years
            );
            for (i, (baseline, growth, volatility, projects)) in cities.iter().enumerate() {
                s += &format!(
                    "\n[[city]]\nname = \"C{i}\"\nbaseline = {baseline}\ngrowth = {growth}\nvolatility = {volatility}\n"
                );
                for (j, (capacity, online, probability, ramp)) in projects.iter().enumerate() {
                    s += &format!(
                        "\n[[city.project]]\nname = \"P{j}\"\ncapacity = {capacity}\nonline = {online}\nprobability = {probability}\nramp_years = {ramp}\n"
                    );
                }
            }
            s += &format!("\n[[target]]\ncity = \"Total\"\nat = 2001.0\ncapacity = {target:e}\n");
            s
        },
    )
}

proptest! {
    #![proptest_config(cases(24))]

    #[test]
    fn random_valid_scenarios_give_finite_ordered_tables(text in scenario_text()) {
        let Some(scenario) = parse_bytes(text.as_bytes()) else { return Ok(()); };
        let run = short_run(&scenario, SHORT_RUN_TRIALS, false).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let agg = &run.aggregate;
        let cities = scenario.cities.len();
        for (i, row) in run.result.rows.iter().enumerate() {
            let (s, k) = (i / agg.grid_len, i % agg.grid_len);
            let cell = agg.cell(s, k);
            let p = [row.p5, row.p10, row.p25, row.p50, row.p75, row.p90, row.p95];
            prop_assert!(p.windows(2).all(|w| w[0] <= w[1]), "{row:?}");
            prop_assert!(cell.min().unwrap() <= p[0] && p[6] <= cell.max().unwrap(), "{row:?}");
            if s < cities {
                // Total >= city in every trial, so at every rank; the sketch reports each
                // percentile within SKETCH_ALPHA of a value of that rank.
                let total = &run.result.rows[cities * agg.grid_len + k];
                let tp = [total.p5, total.p10, total.p25, total.p50, total.p75, total.p90, total.p95];
                for (c, t) in p.iter().zip(tp) {
                    prop_assert!(t >= c * (1.0 - 2.0 * SKETCH_ALPHA), "Total {t} < city {c}");
                }
            }
        }
        for path in &agg.paths {
            let (cities_part, total) = path.values.split_at(cities * agg.grid_len);
            for city in cities_part.chunks_exact(agg.grid_len) {
                prop_assert!(city.iter().zip(total).all(|(c, t)| t >= c));
            }
        }
    }

    #[test]
    fn fixed_distributions_give_the_deterministic_path(
        baseline in 0.0..1e6f64,
        growth in -0.5..1.0f64,
        capacity in 0.0..1e5f64,
        online in 2001.0..2020.0f64,
        ramp in 0.0..5.0f64,
        steps in 1..13u32,
    ) {
        let text = format!(
            "[scenario]\nstart = 2000.0\nend = 2020.0\nsteps_per_year = {steps}\ntrials = 100\n\
             [[city]]\nname = \"A\"\nbaseline = {baseline:e}\ngrowth = {growth:e}\n\
             [[city.project]]\nname = \"P\"\ncapacity = {capacity:e}\nonline = {online:e}\nramp_years = {ramp:e}\n"
        );
        let scenario = parse_bytes(text.as_bytes()).expect("valid");
        let run = short_run(&scenario, SHORT_RUN_TRIALS, false).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (k, row) in run.result.rows.iter().take(scenario.grid.len()).enumerate() {
            let t = scenario.grid.time(k);
            let years = k as f64 / f64::from(steps);
            // Organic additions are never negative (docs/model.md): a rate below 0 holds the
            // baseline.
            let organic = baseline * (1.0 + growth.max(0.0)).powf(years);
            let expected = organic + capacity * simulate::model::ramp_fraction(t - online, ramp);
            // Floating-point: exp/ln versus powf, a few ulps of each term.
            let fp = 1e-12 * (organic + capacity + 1.0);
            for p in [row.p5, row.p10, row.p25, row.p50, row.p75, row.p90, row.p95] {
                prop_assert!((p - expected).abs() <= fp, "t={t}: {p} vs {expected}");
            }
            // Means are summed in units of 1/1024 P: half a unit of rounding at most.
            // Beyond 1e9 P they are not summed exactly, and mean and sd are left blank.
            match (row.mean, row.sd) {
                (Some(mean), Some(sd)) => {
                    prop_assert!((mean - expected).abs() <= 0.5 / 1024.0 + fp, "t={t}: mean {mean} vs {expected}");
                    prop_assert!(sd <= 1.0 / 1024.0);
                }
                _ => prop_assert!(run.result.rows[..=k].iter().any(|r| r.p95 > 1e9), "t={t}: no mean"),
            }
        }
    }
}
