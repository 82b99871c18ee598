//! Every chart of a small scenario: valid, full-size, not blank, identical bytes on every
//! render, and wired into the command line (--no-plots, --format svg, failures).

use assert_cmd::Command;
use predicates::prelude::*;
use simulate::analysis::decisions::Decisions;
use simulate::analysis::results::RunResult;
use simulate::analysis::sensitivity;
use simulate::engine::{self, RunSpec};
use simulate::plot::data::ChartData;
use simulate::plot::{self, Format};
use simulate::scenario;
use std::collections::HashSet;
use std::path::Path;

const SMALL: &str = r#"
[scenario]
name = "small"
start = 2024.5
end = 2028.0
steps_per_year = 4
trials = 3000
seed = 7

[[city]]
name = "Alpha City"
baseline = { dist = "uniform", min = 20_000, max = 24_000 }
growth = { dist = "normal", mean = 0.30, sd = 0.08 }
volatility = 0.10

[[city]]
name = "Beta"
baseline = { dist = "lognormal", p5 = 8_000, p95 = 20_000 }
growth = { dist = "normal", mean = 0.35, sd = 0.10 }
volatility = 0.12

[[city.project]]
name = "Beta park"
capacity = { dist = "pert", min = 15_000, mode = 30_000, max = 40_000 }
online = { dist = "uniform", min = 2025.0, max = 2026.5 }
probability = 0.8
ramp_years = 1.0

[[target]]
city = "Alpha City"
at = 2026.0
capacity = 30_000

[[target]]
city = "Total"
at = 2027.0
capacity = 90_000
"#;

fn small_chart_data() -> ChartData {
    let scenario = scenario::parse_str(SMALL, "small.toml", "small").expect("valid scenario");
    let spec = RunSpec::from_scenario(&scenario);
    let agg = engine::run(&spec, &|_| {});
    let result = RunResult::new(&scenario, &agg);
    let decisions = Decisions::new(&scenario, &spec, &agg);
    let drivers = sensitivity::analyse(&scenario, &sensitivity::default_years(&scenario));
    ChartData::new(&scenario, &agg, &result).with_decisions(&decisions, &drivers)
}

struct Decoded {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

fn decode_png(bytes: &[u8]) -> Decoded {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("a valid PNG header");
    let mut rgb = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut rgb).expect("valid PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    rgb.truncate(info.buffer_size());
    Decoded {
        width: info.width,
        height: info.height,
        rgb,
    }
}

/// Dark pixels (text is drawn in near-black) within rows `rows` of the image.
fn dark_pixels(img: &Decoded, rows: std::ops::Range<u32>) -> usize {
    let stride = img.width as usize * 3;
    rows.flat_map(|y| img.rgb[y as usize * stride..(y as usize + 1) * stride].chunks(3))
        .filter(|p| p.iter().all(|c| *c < 140))
        .count()
}

#[test]
fn every_chart_is_a_full_size_png_with_colour_and_text() {
    let data = small_chart_data();
    let outcomes = simulate::output::render_charts(&data, Format::Png);
    let names: Vec<&str> = outcomes.iter().map(|o| o.file.as_str()).collect();
    assert_eq!(
        names,
        [
            "fan_alpha_city.png",
            "fan_beta.png",
            "fan_total.png",
            "cities.png",
            "horizon.png",
            "paths.png",
            "targets.png",
            "crossing.png",
            "tornado.png",
            "tornado_alpha_city.png",
            "tornado_beta.png"
        ]
    );
    for outcome in &outcomes {
        let bytes = outcome.result.as_ref().expect("chart drawn");
        let img = decode_png(bytes);
        assert_eq!(
            (img.width, img.height),
            plot::style::SIZE,
            "{}",
            outcome.file
        );
        let colours: HashSet<&[u8]> = img.rgb.chunks(3).collect();
        assert!(
            colours.len() >= 20,
            "{}: {} colours",
            outcome.file,
            colours.len()
        );
        // The title is drawn in the top 70 rows and the footer in the bottom 45.
        let title = dark_pixels(&img, 0..70);
        let footer = dark_pixels(&img, img.height - 45..img.height);
        assert!(
            title > 500,
            "{}: title has {title} dark pixels",
            outcome.file
        );
        assert!(
            footer > 500,
            "{}: footer has {footer} dark pixels",
            outcome.file
        );
    }
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let data = small_chart_data();
    let again = small_chart_data();
    for format in [Format::Png, Format::Svg] {
        for chart in plot::charts(&data) {
            let a = plot::render(chart, &data, format).unwrap();
            let b = plot::render(chart, &again, format).unwrap();
            assert!(a == b, "{chart:?} as {format:?} differs between renders");
        }
    }
}

#[test]
fn svg_charts_carry_their_labels_as_text() {
    let data = small_chart_data();
    let fan = plot::render(plot::Chart::Fan(0), &data, Format::Svg).unwrap();
    let svg = String::from_utf8(fan).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(
        svg.contains("P(≥ 30k P by end-2025) = "),
        "target label missing"
    );
    assert!(svg.contains("3,000 trials · seed 7"), "footer missing");
    let crossing = plot::render(plot::Chart::Crossing, &data, Format::Svg).unwrap();
    let crossing = String::from_utf8(crossing).unwrap();
    assert!(crossing.contains("Alpha City ≥ 30k P (within the horizon: "));
    assert!(crossing.contains("Total ≥ 90k P (within the horizon: "));
    let tornado = plot::render(plot::Chart::Tornado(0), &data, Format::Svg).unwrap();
    let tornado = String::from_utf8(tornado).unwrap();
    assert!(tornado.contains("What moves Total at end-2027"));
    assert!(tornado.contains("Alpha City growth"));
}

fn write_scenario(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("small.toml");
    std::fs::write(&path, SMALL).unwrap();
    path
}

fn files_with_extension(dir: &Path, ext: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == ext))
        .count()
}

#[test]
fn no_plots_writes_tables_only() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path());
    let out = dir.path().join("out");
    Command::cargo_bin("simulate")
        .unwrap()
        .args([
            scenario.as_os_str(),
            "-q".as_ref(),
            "--no-plots".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ])
        .assert()
        .success();
    let run = out.join("small");
    assert!(run.join("summary.csv").exists());
    assert_eq!(files_with_extension(&run, "png"), 0);
    assert_eq!(files_with_extension(&run, "svg"), 0);
}

#[test]
fn format_svg_writes_every_chart_as_svg() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path());
    let out = dir.path().join("out");
    Command::cargo_bin("simulate")
        .unwrap()
        .args([
            scenario.as_os_str(),
            "-q".as_ref(),
            "--format".as_ref(),
            "svg".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ])
        .assert()
        .success();
    let run = out.join("small");
    assert_eq!(files_with_extension(&run, "svg"), 11);
    assert_eq!(files_with_extension(&run, "png"), 0);
}

#[test]
fn a_folder_where_a_chart_goes_is_named_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path());
    let out = dir.path().join("out");
    // A non-empty folder where targets.png should go: the set cannot be published (defect 4
    // of issue 13: all or nothing, so not even the tables).
    let blocker = out.join("small").join("targets.png");
    std::fs::create_dir_all(blocker.join("occupied")).unwrap();
    Command::cargo_bin("simulate")
        .unwrap()
        .args([
            scenario.as_os_str(),
            "-q".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(blocker.display().to_string()))
        .stderr(predicate::str::contains("nothing in"));
    let run = out.join("small");
    assert!(!run.join("summary.csv").exists());
    assert!(blocker.join("occupied").is_dir());
    assert_eq!(files_with_extension(&run, "png"), 0);
}
