//! No label overlaps another: every chart of the shipped and test scenarios records the box of
//! each label, legend and marker it draws ([`simulate::plot::Layout`]); no two boxes may share
//! a pixel and every box lies on the canvas. Also: the tornado's swing against a closed form.

use simulate::analysis::Report;
use simulate::analysis::sensitivity;
use simulate::engine::{self, RunSpec};
use simulate::output;
use simulate::plot::{self, Format};
use simulate::scenario;
use std::path::Path;

fn check_layouts(path: &str, trials: u64) -> usize {
    check_layouts_with(path, trials, None)
}

/// [`check_layouts`] with the scenario's `condition` forced when `condition` is Some.
fn check_layouts_with(path: &str, trials: u64, condition: Option<bool>) -> usize {
    let mut scenario = scenario::load(Path::new(path))
        .expect("a valid scenario")
        .scenario;
    scenario.trials = trials;
    scenario.condition = condition.unwrap_or(scenario.condition);
    let spec = RunSpec::from_scenario(&scenario);
    let agg = engine::run(&spec, &|_| {});
    let report = Report::new(&scenario, &agg, None);
    let data = output::chart_data(&scenario, &agg, &report);
    let mut checked = 0;
    for (chart, file) in plot::planned(&data, Format::Png) {
        let layout = plot::layout(chart, &data).expect("the chart draws");
        assert!(
            layout.boxes.len() >= 2,
            "{path} {file}: title and footer recorded"
        );
        let collisions: Vec<String> = layout
            .collisions()
            .into_iter()
            .map(|(a, b)| format!("{:?} meets {:?}", layout.boxes[a], layout.boxes[b]))
            .collect();
        assert!(collisions.is_empty(), "{path} {file}: {collisions:#?}");
        let outside = layout.outside();
        assert!(
            outside.is_empty(),
            "{path} {file}: off the canvas: {outside:#?}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn no_label_overlaps_in_the_base_scenario() {
    let charts = check_layouts("scenarios/base.toml", 4000);
    // Four fans, cities, horizon, paths, targets, crossing, calibration and a tornado per series.
    assert_eq!(charts, 4 + 6 + 4);
}

#[test]
fn no_label_overlaps_in_the_base_scenario_conditioned() {
    // The fans gain the outline of the band before the reports and its legend entry.
    let charts = check_layouts_with("scenarios/base.toml", 4000, Some(true));
    assert_eq!(charts, 4 + 6 + 4);
}

#[test]
fn no_label_overlaps_with_five_projects_in_one_city() {
    assert!(check_layouts("tests/data/five-projects.toml", 2000) >= 8);
}

#[test]
fn no_label_overlaps_with_five_cities() {
    assert!(check_layouts("tests/data/five-cities.toml", 2000) >= 12);
}

#[test]
fn no_label_overlaps_in_the_national_scenario() {
    assert!(check_layouts("scenarios/china-2025.toml", 2000) >= 10);
}

#[test]
fn every_report_and_target_of_a_fan_chart_is_a_marker_with_its_label() {
    let mut scenario = scenario::load(Path::new("tests/data/five-projects.toml"))
        .expect("a valid scenario")
        .scenario;
    scenario.trials = 2000;
    let spec = RunSpec::from_scenario(&scenario);
    let agg = engine::run(&spec, &|_| {});
    let report = Report::new(&scenario, &agg, None);
    let data = output::chart_data(&scenario, &agg, &report);
    let layout = plot::layout(plot::Chart::Fan(0), &data).expect("the chart draws");
    let labels = |start: &str| {
        layout
            .boxes
            .iter()
            .filter(|b| b.kind == plot::layout::Kind::Label && b.text.starts_with(start))
            .count()
    };
    // Four reports, two targets, five projects (their labels begin with the name).
    assert_eq!(labels("reported"), 4);
    assert_eq!(labels("P(≥"), 2);
    assert_eq!(labels("reported ≥ 10k P"), 1);
    assert_eq!(labels("reported 12k P to 16k P"), 1);
    assert_eq!(labels("North campus"), 2);
    let legends = layout
        .boxes
        .iter()
        .filter(|b| b.kind == plot::layout::Kind::Legend);
    assert_eq!(legends.count(), 1);
}

/// A city whose capacity is its baseline (no growth, no shocks, no projects): the output is
/// the input, so its swing is the input's p90 - p10: for uniform(1000, 2000), 800 P. With n
/// trials the window medians estimate the 10th and 90th percentiles, each with standard error
/// sqrt(0.1 * 0.9 / n) / density = 0.003 * 1000 P = 3 P at n = 10,000; the tolerance is five
/// standard errors of the difference (5 * 3 * sqrt(2) = 21 P).
#[test]
fn the_swing_of_an_output_equal_to_its_input_is_the_inputs_p90_minus_p10() {
    let text = r#"
[scenario]
start = 2024.0
end = 2027.0
steps_per_year = 1
trials = 10000
seed = 3

[[city]]
name = "Flat"
baseline = { dist = "uniform", min = 1000, max = 2000 }
growth = 0
volatility = 0
"#;
    let scenario = scenario::parse_str(text, "flat.toml", "flat").expect("a valid scenario");
    let rows = sensitivity::analyse(&scenario, &[2026.0]);
    let row = rows
        .iter()
        .find(|r| r.output == "Flat" && r.input == "Flat.baseline")
        .expect("the baseline is ranked");
    assert!((row.swing - 800.0).abs() < 21.0, "swing {}", row.swing);
    assert!((row.output_p50_at_input_p10 - 1100.0).abs() < 15.0);
    assert!((row.input_p90 - row.input_p10 - 800.0).abs() < 21.0);
    assert_eq!(row.input_label, "Flat capacity at the start");
}
