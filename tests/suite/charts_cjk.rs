//! Chinese names in charts: their glyphs are drawn from the embedded CJK font (not boxes, not
//! blank), charts of such scenarios render identically every time, and their file names are
//! ASCII, unique and stable.

use simulate::analysis::results::RunResult;
use simulate::engine::{self, RunSpec};
use simulate::plot::data::ChartData;
use simulate::plot::{self, Chart, Format};
use simulate::scenario;
use std::collections::HashSet;

/// A small scenario whose cities are named `names`, each with a target.
fn scenario_text(names: &[&str]) -> String {
    let mut text = String::from(
        "[scenario]\nname = \"cjk\"\nstart = 2025.0\nend = 2027.0\nsteps_per_year = 2\n\
         trials = 400\nseed = 3\n",
    );
    for name in names {
        text.push_str(&format!(
            "\n[[city]]\nname = \"{name}\"\nbaseline = {{ dist = \"uniform\", min = 9_000, max = 11_000 }}\n\
             growth = {{ dist = \"normal\", mean = 0.3, sd = 0.05 }}\n\n\
             [[target]]\ncity = \"{name}\"\nat = 2026.0\ncapacity = 12_000\n"
        ));
    }
    text
}

fn chart_data(names: &[&str]) -> ChartData {
    let text = scenario_text(names);
    let scenario = scenario::parse_str(&text, "cjk.toml", "cjk").unwrap_or_else(|e| panic!("{e}"));
    let spec = RunSpec::from_scenario(&scenario);
    let agg = engine::run(&spec, &|_| {});
    let result = RunResult::new(&scenario, &agg);
    ChartData::new(&scenario, &agg, &result)
}

struct Image {
    width: usize,
    rgb: Vec<u8>,
}

impl Image {
    fn decode(bytes: &[u8]) -> Image {
        let mut reader = png::Decoder::new(bytes).read_info().expect("a PNG header");
        let mut rgb = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut rgb).expect("PNG data");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        Image {
            width: info.width as usize,
            rgb,
        }
    }

    /// Text is drawn in near-black ink.
    fn dark(&self, x: usize, y: usize) -> bool {
        let i = (y * self.width + x) * 3;
        self.rgb[i..i + 3].iter().all(|c| *c < 140)
    }
}

/// Within the box `xs` x `ys`: the most separate dark runs met going down any one column, and
/// the number of distinct columns holding a dark pixel. A box outline (the usual drawing of
/// a missing glyph) crosses a column at most twice (its top and bottom edges); 京 crosses its
/// middle column five times (dot, bar, the top and bottom of 口, the hook of 小).
fn strokes(img: &Image, xs: std::ops::Range<usize>, ys: std::ops::Range<usize>) -> (usize, usize) {
    let mut most_runs = 0;
    let mut columns = 0;
    for x in xs {
        let mut runs = 0;
        let mut inside = false;
        for y in ys.clone() {
            let dark = img.dark(x, y);
            if dark && !inside {
                runs += 1;
            }
            inside = dark;
        }
        most_runs = most_runs.max(runs);
        columns += usize::from(runs > 0);
    }
    (most_runs, columns)
}

/// The title's first two characters: the title starts 24 px from the left, 18 px from the top,
/// and two CJK characters at the title's size are about 70 px wide.
const NAME_COLUMNS: std::ops::Range<usize> = 24..96;
const TITLE_ROWS: std::ops::Range<usize> = 0..75;

#[test]
fn a_chinese_city_name_is_drawn_as_glyphs_not_boxes() {
    let beijing = Image::decode(
        &plot::render(Chart::Fan(0), &chart_data(&["北京"]), Format::Png).expect("drawn"),
    );
    let (runs, columns) = strokes(&beijing, NAME_COLUMNS, TITLE_ROWS);
    assert!(
        runs >= 4,
        "北京's title shows at most {runs} strokes down a column: boxes or blank"
    );
    assert!(
        columns >= 50,
        "北京's title has ink in only {columns} columns"
    );

    // The control: two characters neither embedded font has (private use) are drawn as the
    // missing-glyph shape, which the measure above must tell apart from real glyphs.
    let missing = Image::decode(
        &plot::render(
            Chart::Fan(0),
            &chart_data(&["\u{E000}\u{E001}"]),
            Format::Png,
        )
        .expect("drawn"),
    );
    let (missing_runs, _) = strokes(&missing, 24..50, TITLE_ROWS);
    assert!(
        missing_runs <= 2,
        "a missing glyph crosses a column {missing_runs} times: the measure cannot tell boxes \
         from glyphs"
    );
}

#[test]
fn charts_with_chinese_names_render_every_chart_identically_twice() {
    let names = ["北京", "上海", "深圳", "庆阳", "中卫", "和林格尔", "贵安"];
    let (a, b) = (chart_data(&names), chart_data(&names));
    for chart in plot::charts(&a) {
        for format in [Format::Png, Format::Svg] {
            let first = plot::render(chart, &a, format).expect("drawn");
            let second = plot::render(chart, &b, format).expect("drawn");
            assert!(first == second, "{chart:?} as {format:?} differs");
        }
    }
    let svg = plot::render(Chart::Cities, &a, Format::Svg).expect("drawn");
    let svg = String::from_utf8(svg).unwrap();
    assert!(
        svg.contains("和林格尔"),
        "the SVG carries the names as text"
    );
    assert!(svg.contains("font-family=\"Noto Sans CJK SC, sans-serif\""));
}

fn fan_names(names: &[&str]) -> Vec<String> {
    plot::planned(&chart_data(names), Format::Png)
        .into_iter()
        .filter(|(chart, _)| matches!(chart, Chart::Fan(_)))
        .map(|(_, file)| file)
        .collect()
}

#[test]
fn file_names_of_colliding_and_chinese_names_are_ascii_unique_and_stable() {
    let names = ["北京", "北京市", "a", "a 3", "A"];
    let files = fan_names(&names);
    assert_eq!(
        files,
        [
            "fan_c_68c77e15.png",
            "fan_c_18910c04.png",
            "fan_a.png",
            "fan_a_3.png",
            "fan_a_5.png",
            "fan_total.png",
        ]
    );
    assert!(files.iter().all(|f| f.is_ascii()));
    assert_eq!(files.iter().collect::<HashSet<_>>().len(), files.len());
    assert_eq!(
        fan_names(&names),
        files,
        "the same names give the same files"
    );
    // A hashed name keeps its file whatever the other cities and their order.
    let reordered = fan_names(&["A", "北京市", "北京"]);
    assert_eq!(reordered[1], "fan_c_18910c04.png");
    assert_eq!(reordered[2], "fan_c_68c77e15.png");
}
