//! report.html: the numbers on the page are those of the CSV files (each is a
//! `<data value="...">` holding the CSV's own text), the page is self-contained (no script,
//! nothing to fetch), it has every section and a chart per chart file. The browser test
//! (tests/browser/report.sh, run by .ci/run) prints it to PDF in chromium.

use assert_cmd::Command;
use std::path::Path;

const SECTIONS: [&str; 6] = [
    "Key numbers",
    "Charts",
    "Reports and calibration",
    "Inputs",
    "Method",
    "Reproduce this run",
];

fn run_base(out: &Path, extra: &[&str]) -> String {
    Command::cargo_bin("simulate")
        .unwrap()
        .args(["scenarios/base.toml", "-n", "4000", "-q", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
    std::fs::read_to_string(out.join("base/report.html")).unwrap()
}

fn csv(out: &Path, file: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(out.join("base").join(file))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// The values of the `<data>` elements in `html`, in order.
fn data_values(html: &str) -> Vec<String> {
    html.split("<data value=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// The text between the first `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let len = html[from..].find(end).unwrap();
    &html[from..from + len]
}

/// Checks every cell of the central projection against summary.csv (its series and its
/// column's year, as summary.csv writes it); returns the number of cells.
fn projection_cells(html: &str, summary: &[Vec<String>]) -> usize {
    let table = between(html, "<table class=\"projection\">", "</table>");
    let years = data_values(between(table, "<thead>", "</thead>"));
    let body = between(table, "<tbody>", "</tbody>");
    let mut cells = 0;
    for tr in body.split("<tr>").skip(1) {
        let tds: Vec<&str> = tr
            .split("<td class=\"series\" data-series=\"")
            .skip(1)
            .collect();
        assert_eq!(tds.len(), years.len(), "one cell per column: {tr}");
        for (td, year) in tds.iter().zip(&years) {
            let series = &td[..td.find('"').unwrap()];
            assert!(
                td.contains(&format!("data-year=\"{year}\"")),
                "{td} not at {year}"
            );
            let row = summary
                .iter()
                .find(|r| r[0] == series && &r[1] == year)
                .unwrap_or_else(|| panic!("no summary row for {series} at {year}"));
            // summary.csv: city,year,mean,sd,p5,p10,p25,p50,p75,p90,p95,date,label
            assert_eq!(
                data_values(td),
                [row[7].as_str(), &row[4], &row[10]],
                "{series} {year}"
            );
            let th = between(table, "<thead>", "</thead>");
            assert!(th.contains(&format!("<data value=\"{year}\">{}</data>", row[11])));
            cells += 1;
        }
    }
    cells
}

#[test]
fn the_numbers_on_the_page_are_those_of_the_csv_files() {
    let dir = tempfile::tempdir().unwrap();
    let html = run_base(dir.path(), &[]);

    // Targets: capacity, probability and standard error, in targets.csv's order.
    let targets = between(&html, "<ul class=\"targets\">", "</ul>");
    let items: Vec<&str> = targets.split("<li").skip(1).collect();
    let rows = csv(dir.path(), "targets.csv");
    assert_eq!(items.len(), rows.len());
    for (item, row) in items.iter().zip(&rows) {
        assert!(item.contains(&format!("<b>{}</b>", row[0])), "{item}");
        assert_eq!(
            data_values(item),
            [row[2].as_str(), &row[3], &row[5]],
            "{item}"
        );
        let pct = 100.0 * row[3].parse::<f64>().unwrap();
        let shown = match pct > 0.0 && pct < 1.0 {
            true => format!("{pct:.2}%"),
            false => format!("{pct:.1}%"),
        };
        assert!(
            item.contains(&format!(">{shown}</data>")),
            "{item} lacks {shown}"
        );
    }

    // Crossing dates: capacity, p10, p50, p90 (when reached) and the share within the horizon.
    let crossing = between(&html, "<ul class=\"crossing\">", "</ul>");
    let items: Vec<&str> = crossing.split("<li").skip(1).collect();
    let rows = csv(dir.path(), "crossing.csv");
    assert_eq!(items.len(), rows.len());
    for (item, row) in items.iter().zip(&rows) {
        let mut expected = vec![row[1].clone()];
        expected.extend(row[3..6].iter().filter(|v| !v.is_empty()).cloned());
        expected.push(row[2].clone());
        assert_eq!(data_values(item), expected, "{item}");
    }

    // Central projection: series down, times across; every cell is summary.csv's p50, p5
    // and p95 of its series and of its column's year.
    let summary = csv(dir.path(), "summary.csv");
    let cells = projection_cells(&html, &summary);
    // Base: 4 series (3 cities and the Total) at mid-2024 and six year ends.
    assert_eq!(cells, 4 * 7);

    // Calibration percentiles are those of calibration.csv.
    let cal = between(&html, "<table class=\"calibration\">", "</table>");
    let percentiles: Vec<String> = csv(dir.path(), "calibration.csv")
        .into_iter()
        .map(|r| r[7].clone())
        .collect();
    let shown: Vec<String> = cal
        .split("<tr>")
        .skip(2)
        .map(|tr| data_values(tr)[1].clone())
        .collect();
    assert_eq!(shown, percentiles);
}

#[test]
fn years_choose_the_columns_of_the_central_projection() {
    let dir = tempfile::tempdir().unwrap();
    // 2026-01-01 is the grid time 2026 (end-2025); 2027.9 is shown at its nearest, 2028.
    let html = run_base(
        dir.path(),
        &["--no-plots", "--years", "2024.5,2026-01-01,2027.9"],
    );
    let summary = csv(dir.path(), "summary.csv");
    assert_eq!(projection_cells(&html, &summary), 4 * 3);
    let table = between(&html, "<table class=\"projection\">", "</table>");
    assert_eq!(
        data_values(between(table, "<thead>", "</thead>")),
        ["2024.5", "2026", "2028"]
    );
    assert!(
        table.contains("end-2025") && table.contains("end-2027"),
        "{table}"
    );
    assert!(
        html.contains("--years 2024.5,2026,2027.9"),
        "the command repeats --years"
    );
}

#[test]
fn the_page_is_self_contained_with_every_section_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let html = run_base(dir.path(), &[]);
    for banned in [
        "<script", " src=", " href=", "url(", "@import", "<link", "<iframe",
    ] {
        assert!(!html.contains(banned), "the page holds {banned:?}");
    }
    let without_xmlns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_xmlns.contains("http://") && !without_xmlns.contains("https://"));
    let mut at = 0;
    for title in SECTIONS {
        let found = html[at..]
            .find(&format!("<h2>{title}</h2>"))
            .unwrap_or_else(|| panic!("section {title:?} missing or out of order"));
        at += found;
    }
    let pngs = std::fs::read_dir(dir.path().join("base"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert!(std::fs::exists(dir.path().join("base/calibration.png")).unwrap());
    assert_eq!(
        html.matches("<svg ").count(),
        pngs,
        "one inline chart per chart file"
    );
    assert!(html.contains("<pre class=\"command\">simulate scenarios/base.toml --trials 4000 --seed 20240802 --no-condition</pre>"));
    assert!(
        !html.contains(&dir.path().display().to_string()),
        "the page names the output folder"
    );
}

#[test]
fn without_charts_the_page_says_so_and_a_conditioned_run_shows_its_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let html = run_base(dir.path(), &["--no-plots", "--condition"]);
    assert!(!html.contains("<svg"));
    assert!(html.contains("This run drew no charts"));
    assert!(
        html.contains("<b>Conditioned</b> on 3 reports"),
        "{}",
        between(&html, "<h2>Reports", "</p>")
    );
    assert!(html.contains("Effective sample size"));
    assert!(html.contains("What the reports imply for the inputs"));
    assert!(html.contains("--condition</pre>"));
    // The same run gives the same page.
    let again = tempfile::tempdir().unwrap();
    assert_eq!(html, run_base(again.path(), &["--no-plots", "--condition"]));
}

#[test]
fn the_comparison_page_shows_each_scenarios_targets_and_projection_from_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("simulate")
        .unwrap()
        .args(["scenarios/base.toml", "scenarios/high.toml", "--compare"])
        .args(["-n", "4000", "-q", "--no-plots", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(dir.path().join("compare/report.html")).unwrap();
    let table = between(&html, "<table class=\"compare-targets\">", "</table>");
    let rows: Vec<&str> = between(table, "<tbody>", "</tbody>")
        .split("<tr>")
        .skip(1)
        .collect();
    for (column, scenario) in ["base", "high"].iter().enumerate() {
        let targets =
            std::fs::read_to_string(dir.path().join(scenario).join("targets.csv")).unwrap();
        for (row, line) in rows.iter().zip(targets.lines().skip(1)) {
            let fields: Vec<&str> = line.split(',').collect();
            // Each row: the capacity, then one probability per scenario.
            assert_eq!(data_values(row)[1 + column], fields[3], "{scenario}: {row}");
        }
    }
    // Central projection: series and scenarios down, times across; every cell is that
    // scenario's summary.csv p50, p5 and p95 at the column's time.
    let table = between(
        &html,
        "<table class=\"projection compare-projection\">",
        "</table>",
    );
    let years = data_values(between(table, "<thead>", "</thead>"));
    assert!(years.len() >= 4, "{years:?}");
    let mut cells = 0;
    for td in table.split("<td class=\"series\" data-scenario=\"").skip(1) {
        let attr = |name: &str| between(td, &format!("{name}=\""), "\"").to_string();
        let scenario = &td[..td.find('"').unwrap()];
        let (series, year) = (attr("data-series"), attr("data-year"));
        assert_eq!(year, years[cells % years.len()], "columns in order: {td}");
        let summary = std::fs::read_to_string(dir.path().join(scenario).join("summary.csv"));
        let line = summary
            .unwrap()
            .lines()
            .find(|l| l.starts_with(&format!("{series},{year},")))
            .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
            .unwrap_or_else(|| panic!("{scenario}: no {series} at {year}"));
        let shown = data_values(&td[..td.find("</td>").unwrap()]);
        assert_eq!(
            shown,
            [line[7].as_str(), &line[4], &line[10]],
            "{scenario} {series} {year}"
        );
        cells += 1;
    }
    // Beijing, Shanghai, Shenzhen and the Total in both scenarios, at every column.
    assert_eq!(cells, 4 * 2 * years.len());
}
