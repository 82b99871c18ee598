//! The page's inputs (every key of the scenario file with the source its comments give),
//! method notes and the command that reproduces the run.

use super::text::{esc, shell_quote};
use std::fmt::Write;

/// What the page needs to say how the run can be repeated.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Path of the scenario file as given to the run.
    pub scenario_path: String,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// The scenario file's text (empty when unknown).
    pub scenario_text: String,
    /// `--set` overrides, as written.
    pub overrides: Vec<String>,
    /// Trials and seed of the run.
    pub trials: u64,
    /// Random seed of the run.
    pub seed: u64,
    /// `--sensitivity-at` years, when given.
    pub sensitivity_at: Option<Vec<f64>>,
    /// `--years`: the times of the central projection, when given (they change no number,
    /// only what the page shows).
    pub years: Option<Vec<f64>>,
    /// Whether the run was conditioned on reports, when the scenario has any.
    pub condition: Option<bool>,
    /// Program version.
    pub program_version: String,
}

impl Provenance {
    /// The command line that reproduces the run's numbers (run from the folder the run was
    /// started in; `-o` chooses where the files go and changes no number).
    pub fn command(&self) -> String {
        let mut args = vec![
            "simulate".to_string(),
            shell_quote(&self.scenario_path),
            "--trials".to_string(),
            self.trials.to_string(),
            "--seed".to_string(),
            self.seed.to_string(),
        ];
        for o in &self.overrides {
            args.push("--set".to_string());
            args.push(shell_quote(o));
        }
        if let Some(years) = &self.sensitivity_at {
            let list: Vec<String> = years
                .iter()
                .map(|y| crate::units::format_year(*y))
                .collect();
            args.push("--sensitivity-at".to_string());
            args.push(list.join(","));
        }
        if let Some(years) = &self.years {
            let list: Vec<String> = years
                .iter()
                .map(|y| crate::units::format_year(*y))
                .collect();
            args.push("--years".to_string());
            args.push(list.join(","));
        }
        match self.condition {
            Some(true) => args.push("--condition".to_string()),
            Some(false) => args.push("--no-condition".to_string()),
            None => {}
        }
        args.join(" ")
    }
}

/// One key of the scenario file: where it is, its value and the comments that explain it.
struct Entry {
    section: String,
    /// The first key of its table (`[...]` or `[[...]]`).
    first: bool,
    key: String,
    value: String,
    note: String,
}

/// Reads `key = value  # comment` lines; the full-line comments just above a key join its
/// note. A table inside a city (`[[city.project]]`) is labelled with the city's name.
fn entries(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut city = String::new();
    let mut pending: Vec<String> = Vec::new();
    let mut first = true;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            pending.clear();
        } else if let Some(c) = t.strip_prefix('#') {
            let c = c.trim().trim_start_matches('-').trim();
            if !c.is_empty() {
                pending.push(c.to_string());
            }
        } else if t.starts_with('[') {
            let header = t.trim_matches(|c| c == '[' || c == ']');
            section = match header.strip_prefix("city.") {
                Some(inner) if !city.is_empty() => format!("{city} \u{b7} {inner}"),
                _ => header.to_string(),
            };
            if header == "city" {
                city.clear();
            }
            pending.clear();
            first = true;
        } else if let Some((key, rest)) = t.split_once('=') {
            let (value, comment) = split_comment(rest);
            let key = key.trim().to_string();
            if key == "name" {
                let name = value.trim_matches('"').to_string();
                if section == "city" {
                    city = name.clone();
                }
                section = format!("{section} \u{2014} {name}");
            }
            let mut note = std::mem::take(&mut pending);
            if !comment.is_empty() {
                note.push(comment);
            }
            out.push(Entry {
                section: section.clone(),
                first: std::mem::take(&mut first),
                key,
                value,
                note: note.join(" "),
            });
        } else if let Some(last) = out.last_mut() {
            // A value continued on the next line (a matrix, a long list).
            let (value, _) = split_comment(t);
            last.value.push(' ');
            last.value.push_str(&value);
        }
    }
    out
}

/// Splits `value  # comment` at the first `#` outside a string.
fn split_comment(text: &str) -> (String, String) {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => {
                return (
                    text[..i].trim().to_string(),
                    text[i + 1..].trim().to_string(),
                );
            }
            _ => {}
        }
    }
    (text.trim().to_string(), String::new())
}

/// The "Inputs" section's body: overrides, the table of keys, and the file in full.
pub fn inputs(p: &Provenance) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p>Scenario file <code>{}</code> (SHA-256 <code class=\"hash\">{}</code>). Every \
         number in it names its source or is marked &ldquo;assumption&rdquo; with a reason; \
         the notes below are the file's own comments.</p>",
        esc(&p.scenario_path),
        esc(&p.scenario_sha256)
    );
    if !p.overrides.is_empty() {
        out.push_str(
            "<p><b>Changed for this run</b> (<code>--set</code>, on top of the file):</p>\n<ul>\n",
        );
        for o in &p.overrides {
            let _ = writeln!(out, "<li><code>{}</code></li>", esc(o));
        }
        out.push_str("</ul>\n");
    }
    let rows = entries(&p.scenario_text);
    if rows.is_empty() {
        out.push_str("<p>The scenario file's text is not available to this run.</p>\n");
        return out;
    }
    out.push_str(
        "<table class=\"inputs\">\n<thead><tr><th>Section</th><th>Key</th><th>Value</th>\
         <th>Source or reason</th></tr></thead>\n<tbody>\n",
    );
    for e in &rows {
        // A table's name shows on its first key, and on its second when `name` completed it.
        let shown = (e.first || e.key == "name").then_some(e.section.as_str());
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            esc(shown.unwrap_or("")),
            esc(&e.key),
            esc(&e.value),
            esc(&e.note)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        out,
        "<details><summary>The scenario file as run ({} lines)</summary>\n<pre class=\"file\">{}</pre>\n</details>",
        p.scenario_text.lines().count(),
        esc(&p.scenario_text)
    );
    out
}

/// The "Method" section's body.
pub fn method() -> String {
    "<ul>\n\
     <li>Monte Carlo: each trial draws every uncertain input once (baselines, growth rates, \
     project sizes, dates and delivery, shocks) and walks each city's capacity over a regular \
     grid of dates; every figure on this page is a share or a percentile of the trials.</li>\n\
     <li>A target's probability is the share of trials at or above its capacity at its date; \
     its margin is 1.96 standard errors of that share (Monte Carlo noise only, not model \
     error).</li>\n\
     <li>Dates: &ldquo;end-2025&rdquo; is the grid time 2026.0 (1 January 2026); a crossing \
     date is the first grid time at which a trial is at or above the capacity.</li>\n\
     <li>Later reports are placed in the projection made before each was published (a rolling \
     origin). With <code>--condition</code>, the trials are weighted by their agreement with \
     the reports (importance weighting with exact integer weights; the effective sample size \
     and Pareto k say how far to trust it).</li>\n\
     <li>The same scenario, trials and seed give the same numbers on any machine and thread \
     count (docs/model.md).</li>\n\
     </ul>\n"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_comments_and_sections() {
        let text = "[scenario]\nname = \"base\"  # the name\n\n[[city]]\nname = \"Beijing\"\n\
                    # source: a bureau, 2024\nbaseline = 20_000   # P\n[[city.observed]]\nat = 2025\n";
        let e = entries(text);
        assert_eq!(e.len(), 4);
        assert_eq!(e[3].section, "Beijing \u{b7} observed");
        assert_eq!(e[2].section, "city \u{2014} Beijing");
        assert_eq!(e[2].value, "20_000");
        assert_eq!(e[2].note, "source: a bureau, 2024 P");
        assert_eq!(
            split_comment(" \"a # b\" # c"),
            ("\"a # b\"".into(), "c".into())
        );
    }
}
