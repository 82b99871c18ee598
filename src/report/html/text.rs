//! Small text helpers of the report page: HTML escaping, numbers with thousands separators,
//! dates in words, and the `<data>` element that carries a number's exact CSV value next to
//! its plain-words form (so a test can check the page against the tables).

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, safe inside elements and attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number shown as `shown` whose exact value (as the CSV writes it) is `value`:
/// `<data value="0.0908">9.1%</data>`.
pub fn data(value: &str, shown: &str) -> String {
    format!("<data value=\"{}\">{}</data>", esc(value), esc(shown))
}

/// 1234567.8 as "1,234,568" (rounded to a whole number).
pub fn thousands(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let rounded = v.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A capacity in P as a `<data>` element: the CSV's value (one decimal) shown as "21,392 P".
pub fn capacity(p: f64) -> String {
    data(&format!("{p:.1}"), &format!("{} P", thousands(p)))
}

/// A probability as a `<data>` element: the CSV's value (four decimals) shown as "9.1%".
pub fn probability(prob: f64) -> String {
    let in_csv = format!("{prob:.4}");
    // Shown from the CSV's own rounding, so the page never says 0.07% where the table says 0.0008.
    let shown = in_csv
        .parse::<f64>()
        .map_or_else(|_| percent(prob), percent);
    data(&in_csv, &shown)
}

/// A share as a percentage with one decimal, "9.1%", or two below 1% ("0.12%"; the tables
/// keep four decimals of the share, i.e. hundredths of a percent).
pub fn percent(prob: f64) -> String {
    let pct = prob * 100.0;
    if pct > 0.0 && pct < 1.0 {
        format!("{pct:.2}%")
    } else {
        format!("{pct:.1}%")
    }
}

pub use crate::units::{date_label as when, iso_date};

/// Shell-quotes one argument when it holds anything but plain path and flag characters.
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_read_as_words() {
        assert_eq!(thousands(21392.0), "21,392");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(when(2026.0), "end-2025");
        assert_eq!(when(2024.5), "mid-2024");
        assert_eq!(when(2026.75), "end-Q3 2026");
        assert_eq!(iso_date(2024.5), "2024-07-01");
        let june9 = crate::units::decimal_year(2025, 6, 9).unwrap();
        assert_eq!(iso_date(june9), "2025-06-09");
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        assert_eq!(probability(0.0908), "<data value=\"0.0908\">9.1%</data>");
        assert_eq!(percent(0.0012), "0.12%");
        assert_eq!(
            shell_quote("city.Beijing.growth.mean=0.35"),
            "city.Beijing.growth.mean=0.35"
        );
        assert_eq!(shell_quote("my file.toml"), "'my file.toml'");
    }
}
