//! What a run prints and the dates in its tables: a concise terminal summary by default
//! (at most 35 lines for the base scenario), every table with --verbose, --years choosing the
//! times shown, times as labels or dates (never a decimal year); every CSV with a `year`
//! column ends with `date` and `label`; every date flag takes ISO dates; summary.json holds
//! every table with the unit of each field and no float noise.

use assert_cmd::Command;
use std::path::Path;

fn simulate() -> Command {
    Command::cargo_bin("simulate").unwrap()
}

/// Standard output of `simulate SCENARIO -n N --no-plots -o OUT ARGS...`, and its stderr.
fn run(scenario: &str, trials: &str, out: &Path, args: &[&str]) -> (String, String) {
    let output = simulate()
        .args([scenario, "-n", trials, "--no-plots", "-o"])
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{err}");
    (String::from_utf8(output.stdout).unwrap(), err)
}

/// The first decimal year (such as 2026.0699 or 2024.5) in `text`, if any: four digits from
/// 19xx-22xx, a point and a digit, not inside a longer number.
fn decimal_year(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(5)).find_map(|i| {
        let year = &b[i..i + 4];
        let starts = i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.');
        let is_year = year.iter().all(u8::is_ascii_digit)
            && matches!(&year[..2], b"19" | b"20" | b"21" | b"22");
        (starts && is_year && b[i + 4] == b'.' && b[i + 5].is_ascii_digit())
            .then(|| text[i..(i + 10).min(text.len())].to_string())
    })
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = vec![header];
    rows.extend(
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect()),
    );
    rows
}

#[test]
fn the_base_summary_is_concise_and_verbose_shows_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = run("scenarios/base.toml", "4000", dir.path(), &[]);
    let lines = text.lines().count();
    assert!(lines <= 35, "{lines} lines:\n{text}");
    for part in [
        "Installed capacity",
        "| Total",
        "Targets: chance",
        "Half by",
        "Backtest: 4 reported values",
        "Calibration of 3 reports",
        "Strongest driver of the Total",
        "Files in",
        "report.html",
        "--verbose",
    ] {
        assert!(text.contains(part), "{part:?} missing:\n{text}");
    }
    assert!(!text.contains("Overtaking"), "{text}");
    assert_eq!(decimal_year(&text), None, "{text}");

    let (full, _) = run("scenarios/base.toml", "4000", dir.path(), &["--verbose"]);
    for part in [
        "Backtest: percentile of each reported value",
        "Crossing: first grid time",
        "Overtaking:",
        "Drivers of the Total",
    ] {
        assert!(full.contains(part), "{part:?} missing:\n{full}");
    }
    // Every row of the full tables: each overtaking pair and each report's source.
    let overtake = csv_rows(&dir.path().join("base/overtake.csv"));
    assert_eq!(overtake.len(), 7);
    for row in &overtake[1..] {
        let pair = format!("| {:<8} | {:<8} |", row[1], row[0]);
        assert!(full.contains(&pair), "{pair} missing:\n{full}");
    }
    for row in &csv_rows(&dir.path().join("base/backtest.csv"))[1..] {
        assert!(full.contains(&row[5]), "{} missing:\n{full}", row[5]);
    }
    assert!(full.lines().count() > lines + 20, "{full}");
    assert_eq!(decimal_year(&full), None, "{full}");
}

#[test]
fn the_national_summary_stays_within_sixty_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (text, err) = run("scenarios/china-2025.toml", "3000", dir.path(), &[]);
    let lines = text.lines().count() + err.lines().count();
    assert!(lines <= 60, "{lines} lines:\n{err}{text}");
    assert!(text.contains("more rows in summary.csv"), "{text}");
    assert!(text.contains("| Total"), "{text}");
    assert_eq!(decimal_year(&text), None, "{text}");
}

#[test]
fn years_choose_the_columns_and_take_dates() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = run(
        "scenarios/base.toml",
        "2000",
        dir.path(),
        &["--years", "2025-01-01,2027.5,2030"],
    );
    let header = text.lines().find(|l| l.starts_with("| City")).unwrap();
    let columns: Vec<&str> = header.split('|').map(str::trim).collect();
    assert_eq!(
        columns,
        ["", "City", "end-2024", "mid-2027", "end-2029", ""]
    );
    // A time outside the horizon is refused with the horizon's dates.
    let out = simulate()
        .args([
            "scenarios/base.toml",
            "-n",
            "100",
            "--years",
            "2031-01-01",
            "-o",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2024-07-01") && err.contains("2030-01-01"),
        "{err}"
    );
    let out = simulate()
        .args(["scenarios/base.toml", "--years", "2026-02-30", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a date such as 2026-07-01"));
}

#[test]
fn sensitivity_at_takes_iso_dates_as_scenario_files_do() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    run(
        "scenarios/base.toml",
        "2000",
        &a,
        &["-q", "--sensitivity-at", "2026,2027.5"],
    );
    run(
        "scenarios/base.toml",
        "2000",
        &b,
        &["-q", "--sensitivity-at", "2026-01-01,2027-07-01"],
    );
    let read = |d: &Path| std::fs::read(d.join("base/sensitivity.csv")).unwrap();
    assert_eq!(read(&a), read(&b));
    let text = String::from_utf8(read(&a)).unwrap();
    assert!(
        text.contains(",2027.5,") && text.contains(",2027-07-01,mid-2027\n"),
        "{text}"
    );
}

#[test]
fn every_table_with_a_year_ends_with_its_date_and_label() {
    let dir = tempfile::tempdir().unwrap();
    run(
        "scenarios/export-controls.toml",
        "2000",
        dir.path(),
        &["-q"],
    );
    let folder = dir.path().join("export-controls");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let rows = csv_rows(&path);
        let Some(year) = rows[0].iter().position(|h| h == "year") else {
            continue;
        };
        let n = rows[0].len();
        assert_eq!(rows[0][n - 2..], ["date", "label"], "{path:?}");
        for row in &rows[1..] {
            let expected = match row[year].as_str() {
                "2024.5" => Some(("2024-07-01", "mid-2024")),
                "2026" => Some(("2026-01-01", "end-2025")),
                "2027.25" => Some(("2027-04-01", "end-Q1 2027")),
                "2028.75" => Some(("2028-10-01", "end-Q3 2028")),
                _ => None,
            };
            if let Some((date, label)) = expected {
                assert_eq!((row[n - 2].as_str(), row[n - 1].as_str()), (date, label));
                checked += 1;
            }
        }
    }
    // summary, targets_over_time, ranking, sensitivity, ... each hold some of these times.
    assert!(checked > 50, "only {checked} rows checked");
    let mut times = 0;
    for (file, first) in [("crossing.csv", 3), ("overtake.csv", 4), ("targets.csv", 1)] {
        times += time_columns_have_dates(&csv_rows(&folder.join(file)), first);
    }
    assert!(times > 10, "only {times} times checked");
}

/// The ISO date of a time on the grid of months: 2027.25 is 2027-04-01.
fn month_start(time: &str) -> String {
    let t: f64 = time.parse().unwrap();
    let months = (t * 12.0).round() as i64;
    assert!(
        (t * 12.0 - months as f64).abs() < 1e-6,
        "{time} is not a month start"
    );
    format!("{}-{:02}-01", months / 12, months % 12 + 1)
}

/// The date of a time: its month start when it is one (grid times), else the day nearest to it
/// (crossing times are interpolated within a step): the printed date must read back within
/// half a day of the time, given its four printed decimals.
fn date_of(time: &str) -> String {
    let t: f64 = time.parse().unwrap();
    if ((t * 12.0) - (t * 12.0).round()).abs() < 1e-6 {
        return month_start(time);
    }
    let printed = simulate::units::iso_date(t);
    let parts: Vec<u32> = printed.split('-').map(|x| x.parse().unwrap()).collect();
    let back = simulate::units::decimal_year(parts[0] as i32, parts[1], parts[2]).unwrap();
    let half_day = 1.0 / (12.0 * 28.0) / 2.0;
    assert!(
        (back - t).abs() <= half_day + 5e-5,
        "{time} printed {printed}"
    );
    printed
}

/// Checks that the time columns of a table (p10, p50 and p90 from column `first`, or `at` when
/// `first` is 1) keep their place and end the row as `<col>_date`, `<col>_label` (`date`,
/// `label` for a single `at`), empty with an empty time; returns the times checked.
fn time_columns_have_dates(rows: &[Vec<String>], first: usize) -> usize {
    let header = &rows[0];
    let single = first == 1;
    let names: Vec<&str> = if single {
        vec!["at"]
    } else {
        vec!["p10", "p50", "p90"]
    };
    let mut checked = 0;
    for (i, name) in names.iter().enumerate() {
        assert_eq!(header[first + i], *name, "{header:?}");
        let (d, l) = if single {
            ("date".to_string(), "label".to_string())
        } else {
            (format!("{name}_date"), format!("{name}_label"))
        };
        let at = |h: &str| header.iter().position(|x| x == h).unwrap();
        let (d, l) = (at(&d), at(&l));
        assert!(d >= first + names.len() && l == d + 1, "{header:?}");
        for row in &rows[1..] {
            let time = &row[first + i];
            if time.is_empty() {
                assert_eq!((row[d].as_str(), row[l].as_str()), ("", ""));
                continue;
            }
            assert_eq!(row[d], date_of(time), "{row:?}");
            if time == "2026" {
                assert_eq!(row[l], "end-2025");
            }
            checked += 1;
        }
    }
    checked
}

/// Significant digits of a number as JSON writes it ("20304.0" has 5, "0.0020709" 5).
fn significant_digits(number: &str) -> usize {
    let mantissa = number.split(['e', 'E']).next().unwrap();
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let trimmed = digits.trim_start_matches('0');
    let trimmed = if mantissa.contains('.') {
        trimmed.trim_end_matches('0')
    } else {
        trimmed
    };
    trimmed.len()
}

#[test]
fn summary_json_holds_every_table_with_units_and_no_float_noise() {
    let dir = tempfile::tempdir().unwrap();
    run(
        "scenarios/base.toml",
        "4000",
        dir.path(),
        &["-q", "--condition"],
    );
    let folder = dir.path().join("base");
    let raw = std::fs::read_to_string(folder.join("summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let tables = json["tables"].as_object().unwrap();
    let mut csvs: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|f| f.strip_suffix(".csv").map(str::to_string))
        .collect();
    csvs.sort();
    let mut names: Vec<String> = tables.keys().cloned().collect();
    names.sort();
    assert_eq!(names, csvs, "one table per CSV file");
    for (name, rows) in tables {
        let csv = csv_rows(&folder.join(format!("{name}.csv")));
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), csv.len() - 1, "{name}");
        let units = json["units"][name].as_object().unwrap();
        for row in rows {
            let mut keys: Vec<&String> = row.as_object().unwrap().keys().collect();
            let mut expected: Vec<&String> = units.keys().collect();
            keys.sort();
            expected.sort();
            assert_eq!(keys, expected, "{name}: every field has a unit");
        }
        for (field, unit) in units {
            let unit = unit.as_str().unwrap();
            assert!(!unit.is_empty(), "{name}.{field}");
            // Numbers other than decimal years and counts carry at most six significant digits.
            if unit.starts_with("decimal year") || unit == "count" {
                continue;
            }
            for row in rows {
                for number in numbers(&row[field]) {
                    assert!(
                        significant_digits(&number) <= 6,
                        "{name}.{field} = {number}"
                    );
                }
            }
        }
    }
    // The same values as the CSV files, to six significant digits: summary's p50 and targets.
    let summary = csv_rows(&folder.join("summary.csv"));
    for (row, line) in tables["summary"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&summary[1..])
    {
        let csv: f64 = line[7].parse().unwrap();
        let json = row["p50"].as_f64().unwrap();
        assert!((json - csv).abs() <= 0.05 + 5e-6 * csv, "{json} vs {csv}");
        assert_eq!(row["date"], line[11].as_str());
        assert_eq!(row["label"], line[12].as_str());
    }
    assert_eq!(
        json["units"]["summary"]["p50"],
        "P (PFLOPS, FP16; 1 E = 1,000 P)"
    );
    assert!(json["conditioning"]["effective_sample_size"].is_number());
    assert!(json["warnings"].is_array());
    // Fields in the order of the CSV columns.
    let first = &raw[raw.find("\"tables\"").unwrap()..];
    let at = |key: &str| first.find(&format!("\"{key}\":")).unwrap();
    assert!(at("city") < at("year") && at("year") < at("mean") && at("p95") < at("date"));
}

/// Every number in `v` as JSON writes it.
fn numbers(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Number(n) => vec![n.to_string()],
        serde_json::Value::Array(items) => items.iter().flat_map(numbers).collect(),
        serde_json::Value::Object(map) => map.values().flat_map(numbers).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn the_significant_digit_count_is_right() {
    assert_eq!(significant_digits("20304.0"), 5);
    assert_eq!(significant_digits("0.0020709"), 5);
    assert_eq!(significant_digits("20303.9937"), 9);
    assert_eq!(significant_digits("1.5e-5"), 2);
    assert_eq!(significant_digits("4000"), 4);
    assert_eq!(
        decimal_year("x 2026.0699 y"),
        Some("2026.0699 ".to_string())
    );
    assert_eq!(decimal_year("2026-01-27, 0.427"), None);
}

#[test]
fn merge_takes_years_and_verbose_as_a_run_does() {
    let dir = tempfile::tempdir().unwrap();
    for shard in ["0/2", "1/2"] {
        simulate()
            .args([
                "scenarios/base.toml",
                "-n",
                "400",
                "-q",
                "--shard",
                shard,
                "-o",
            ])
            .arg(dir.path())
            .assert()
            .success();
    }
    let parts: Vec<_> = ["part-0000-of-0002.json", "part-0001-of-0002.json"]
        .iter()
        .map(|p| dir.path().join("base").join(p))
        .collect();
    assert!(parts.iter().all(|p| p.exists()), "{parts:?}");
    let out = simulate()
        .arg("merge")
        .args(&parts)
        .args(["--no-plots", "--verbose", "--years", "2027-07-01", "-o"])
        .arg(dir.path().join("merged"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().find(|l| l.starts_with("| City")).unwrap();
    assert_eq!(
        header.split('|').map(str::trim).collect::<Vec<_>>(),
        ["", "City", "mid-2027", ""]
    );
    assert!(text.contains("Overtaking:"), "{text}");
    let out = simulate()
        .arg("merge")
        .args(&parts)
        .args(["--no-plots", "--years", "2035", "-o"])
        .arg(dir.path().join("merged"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--years 2035"));
}
