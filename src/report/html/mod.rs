//! report.html: one self-contained page a planner can send as it is. Inline CSS and inline
//! SVG charts, no script, nothing fetched: title, information date, description, the key
//! numbers in plain words, the charts, the reports with calibration and conditioning, the
//! inputs with their sources, method notes and the command that reproduces the run.
//!
//! The charts arrive as SVG text drawn by [`crate::output`] (this module never draws). The
//! page holds no time stamp or run time, so the same run gives the same bytes. Every number
//! taken from a table is a `<data value="...">` element whose value is the CSV's own text.

pub mod compare;
pub mod evidence;
pub mod inputs;
pub mod numbers;
pub mod spread;
pub mod text;

use crate::analysis::Report;
pub use inputs::Provenance;
use std::fmt::Write;
use text::{esc, iso_date, when};

/// The file name of the page in a run's folder.
pub const FILE: &str = "report.html";

/// The section titles, in order (the browser test looks for them in the printed PDF).
pub const SECTIONS: [&str; 6] = [
    "Key numbers",
    "Charts",
    "Reports and calibration",
    "Inputs",
    "Method",
    "Reproduce this run",
];

/// One chart of the page: its file stem (e.g. "fan_beijing") and its SVG text.
#[derive(Debug, Clone)]
pub struct PageChart {
    /// The stem of the chart's file name ("fan_total", "calibration", ...).
    pub stem: String,
    /// The SVG document.
    pub svg: String,
}

/// The stem of the calibration chart, which the page shows with the reports.
pub const CALIBRATION_STEM: &str = "calibration";

/// Everything the page shows.
pub struct Page<'a> {
    /// The run's results, decisions and conditioning.
    pub report: &'a Report,
    /// Where the run came from and how to repeat it.
    pub provenance: Provenance,
    /// The charts as SVG, or None when the run drew none (`--no-plots`).
    pub charts: Option<Vec<PageChart>>,
}

/// The page's HTML.
pub fn render(page: &Page) -> String {
    let r = &page.report.result;
    let title = format!("{}: AI computing capacity projection", r.scenario);
    let mut out = head(&title, &page.provenance.program_version);
    if !r.description.is_empty() {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(&r.description));
    }
    let latest = page.report.conditioning.as_ref().and_then(|c| {
        c.calibration
            .iter()
            .map(|row| row.published)
            .max_by(f64::total_cmp)
    });
    let _ = writeln!(
        out,
        "<p class=\"info\"><b>Information date:</b> the scenario starts {} ({}); {}.<br>\
         <b>Run:</b> {} trials, seed {}, {} to {}, simulate {}. Capacities in P = PFLOPS \
         FP16 (1 E = 1,000 P).</p>\n</header>",
        esc(&when(r.start)),
        esc(&iso_date(r.start)),
        match latest {
            Some(t) => format!("the latest report used was published {}", esc(&iso_date(t))),
            None => "no later report is used".to_string(),
        },
        text::thousands(r.trials as f64),
        r.seed,
        esc(&when(r.start)),
        esc(&when(r.end)),
        esc(&page.provenance.program_version)
    );
    section(
        &mut out,
        0,
        &numbers::key_numbers(page.report, page.provenance.years.as_deref()),
    );
    let calibration = page
        .charts
        .iter()
        .flatten()
        .find(|c| c.stem == CALIBRATION_STEM)
        .map(|c| inline_svg(&c.svg, "Calibration chart"));
    let conditioned = !page.report.result.unconditioned_rows.is_empty();
    let spread = spread::table(page.report);
    section(
        &mut out,
        1,
        &charts(page.charts.as_deref(), conditioned, &spread),
    );
    let evidence = evidence::evidence(r, page.report.conditioning.as_ref(), calibration.as_deref())
        .unwrap_or_else(|| {
            "<p>This scenario lists no later reports, so the run has nothing to calibrate \
             against or condition on.</p>\n"
                .to_string()
        });
    section(&mut out, 2, &evidence);
    section(&mut out, 3, &inputs::inputs(&page.provenance));
    section(&mut out, 4, &inputs::method());
    let _ = writeln!(
        out,
        "<section id=\"s6\">\n<h2>{}</h2>\n<p>From the folder the run was started in (the \
         numbers do not depend on the thread count; <code>-o DIR</code> chooses the output \
         folder):</p>\n<pre class=\"command\">{}</pre>\n</section>",
        SECTIONS[5],
        esc(&page.provenance.command())
    );
    out.push_str("</body>\n</html>\n");
    out
}

/// The page's start up to its header's title: doctype, head with the inline style, `<h1>`.
pub fn head(title: &str, program_version: &str) -> String {
    let mut out = String::with_capacity(1 << 20);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"simulate {}\">\n<title>{}</title>\n\
         <style>\n{}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        esc(program_version),
        esc(title),
        include_str!("page.css"),
        esc(title)
    );
    out
}

fn section(out: &mut String, i: usize, body: &str) {
    let _ = write!(
        out,
        "<section id=\"s{}\">\n<h2>{}</h2>\n{body}</section>\n",
        i + 1,
        SECTIONS[i]
    );
}

/// The SVG root without its fixed size (CSS sizes it to the page), labelled for readers.
pub fn inline_svg(svg: &str, label: &str) -> String {
    let body = svg.trim_start_matches(|c: char| c != '<');
    let Some(end) = body.find('>') else {
        return String::new();
    };
    let (head, rest) = body.split_at(end);
    let mut head = head.to_string();
    for attr in ["width", "height"] {
        if let Some(at) = head.find(&format!(" {attr}=\"")) {
            let value_end = head[at + attr.len() + 3..]
                .find('"')
                .map_or(head.len(), |e| at + attr.len() + 4 + e);
            head.replace_range(at..value_end, "");
        }
    }
    format!(
        "{head} role=\"img\" aria-label=\"{}\" preserveAspectRatio=\"xMidYMid meet\"{}",
        esc(label),
        rest.trim_end()
    )
}

/// The tornado's caption; `{}` is the series.
const TORNADO: &str = "The inputs that move {} most: each bar runs from its median with the \
                       input near the input's 10th percentile to its median with the input near \
                       its 90th (the swing, P), the others as sampled; every input's rank \
                       correlation is in sensitivity.csv.";

/// What a chart shows, in one sentence, by its file stem.
fn caption(stem: &str) -> String {
    match stem {
        "fan_total" => "The Total: median, 50% and 90% bands, targets and reports.".to_string(),
        "cities" => "Every city's median and 25-75% band on one chart.".to_string(),
        "horizon" => "Each city's capacity at the end of the horizon (distribution).".to_string(),
        "paths" => {
            "A few single trials next to the median: what one future looks like.".to_string()
        }
        "targets" => "Each target's chance of being met.".to_string(),
        "crossing" => "Chance of having reached each target capacity, over time.".to_string(),
        "tornado" => TORNADO.replace("{}", "the Total"),
        s => match (s.strip_prefix("fan_"), s.strip_prefix("tornado_")) {
            (Some(_), _) => {
                "One city: median, 50% and 90% bands, projects, targets and reports.".to_string()
            }
            (_, Some(_)) => TORNADO.replace("{}", "the series in its title"),
            _ => String::new(),
        },
    }
}

/// The charts with their captions; a conditioned run's fan charts say what their outline is.
/// `spread` (the groups' shares of the Total's variance) follows the Total's tornado chart.
fn charts(charts: Option<&[PageChart]>, conditioned: bool, spread: &str) -> String {
    let Some(charts) = charts else {
        return format!("<p>This run drew no charts (<code>--no-plots</code>).</p>\n{spread}");
    };
    let mut out = String::new();
    for c in charts.iter().filter(|c| c.stem != CALIBRATION_STEM) {
        let mut cap = caption(&c.stem);
        if conditioned && c.stem.starts_with("fan_") {
            cap.push_str(" Dashed outline: the 90% band before the reports (unconditioned.csv).");
        }
        let _ = writeln!(
            out,
            "<figure class=\"chart\" id=\"chart-{}\">{}<figcaption>{}</figcaption></figure>",
            esc(&c.stem),
            inline_svg(&c.svg, &c.stem),
            esc(&cap)
        );
        if c.stem == "tornado" {
            out.push_str(spread);
        }
    }
    if !charts.iter().any(|c| c.stem == "tornado") {
        out.push_str(spread);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_svg_drops_the_fixed_size() {
        let svg = "<svg width=\"1600\" height=\"900\" viewBox=\"0 0 1600 900\" \
                   xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n";
        let inline = inline_svg(svg, "x");
        assert!(
            inline.starts_with("<svg viewBox=\"0 0 1600 900\""),
            "{inline}"
        );
        assert!(inline.ends_with("</svg>"), "{inline}");
        assert!(!inline.contains("width=\"1600\""));
    }
}
