//! Units and human-readable numbers: capacities in P or E, years and percentages, shared by
//! every report. A leaf: imports nothing of the crate.

/// Largest capacity (P) a scenario may plausibly reach; ~1.8e308 is f64's limit, and the
/// Total adds the cities up, so each city keeps eight orders of magnitude of headroom.
/// Statistics clamp to it; validation refuses scenarios whose bound exceeds it.
pub const MAX_CAPACITY: f64 = 1e300;

/// Text for a terminal: control characters (ESC, CR, BEL, ...) and the bidirectional
/// overrides are shown escaped (`\u{1b}`), so that a name in a scenario file cannot move the
/// cursor, recolour or hide what is printed. Newlines and tabs are kept.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\n' && c != '\t') || hidden {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// One EFLOPS is 1,000 PFLOPS.
pub const P_PER_E: f64 = 1_000.0;

/// Formats a capacity given in P the way a briefing would: "850 P", "45.0k P", "1200 E".
/// Thousands of P up to 1,000 E, as on the charts, so one table never mixes "k P" and "E".
pub fn format_capacity(p: f64) -> String {
    let abs = p.abs();
    if abs >= 1_000_000.0 {
        format!("{:.0} E", p / P_PER_E)
    } else if abs >= 10_000.0 {
        format!("{:.1}k P", p / 1_000.0)
    } else if abs >= 1_000.0 {
        format!("{:.2}k P", p / 1_000.0)
    } else {
        format!("{p:.0} P")
    }
}

/// A short axis label for a capacity in P: "45k", "1200E", "800".
pub fn format_capacity_short(p: f64) -> String {
    let abs = p.abs();
    if abs >= 1_000_000.0 {
        trim_zeros(&format!("{:.1}", p / P_PER_E)) + "E"
    } else if abs >= 1_000.0 {
        trim_zeros(&format!("{:.1}", p / 1_000.0)) + "k"
    } else {
        trim_zeros(&format!("{p:.0}"))
    }
}

/// A probability in [0, 1] as a percentage with no decimals, e.g. "62%"; "<1%" and ">99%" at the ends.
pub fn format_percent(prob: f64) -> String {
    if prob > 0.0 && prob < 0.005 {
        "<1%".to_string()
    } else if prob < 1.0 && prob > 0.995 {
        ">99%".to_string()
    } else {
        format!("{:.0}%", prob * 100.0)
    }
}

/// A decimal year with at most four decimals and no trailing zeros: 2024.5, 2024.5833, 2030.
pub fn format_year(year: f64) -> String {
    trim_zeros(&format!("{year:.4}"))
}

/// The calendar month a decimal year falls in: 2025.75 is "Oct 2025".
pub fn describe_month(year: f64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let whole = (year + 1e-9).floor();
    let month = (((year - whole) * 12.0 + 1e-9).floor() as usize).min(11);
    format!("{} {}", MONTHS[month], whole as i64)
}

/// Decimal year of a calendar date: year + (month - 1) / 12 + (day - 1) / (12 * days in month).
/// Quarter starts map to quarters exactly: 2024-07-01 is 2024.5. None for a date that does not
/// exist.
pub fn decimal_year(year: i32, month: u32, day: u32) -> Option<f64> {
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let month_part = f64::from(month - 1) / 12.0;
    let day_part = f64::from(day - 1) / (12.0 * f64::from(days_in_month(year, month)));
    Some(f64::from(year) + month_part + day_part)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A decimal year as the calendar date it stands for, "2025-06-09" (the nearest day; the
/// inverse of [`decimal_year`]).
pub fn iso_date(year: f64) -> String {
    if !year.is_finite() {
        return "-".to_string();
    }
    let whole = (year + 1e-9).floor() as i32;
    let month = (((year - f64::from(whole)) * 12.0 + 1e-9).floor() as u32).min(11) + 1;
    let day = (1..=31)
        .filter_map(|d| decimal_year(whole, month, d).map(|y| (d, (y - year).abs())))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(1, |(d, _)| d);
    format!("{whole:04}-{month:02}-{day:02}")
}

/// A time in words, as every table and page prints it: 2026.0 (1 January 2026) is "end-2025",
/// 2026.5 "mid-2026", 2026.25 "end-Q1 2026", 2026.75 "end-Q3 2026", another month's start
/// "end-Jul 2026" (2026 + 7/12); any other time its date, "2026-01-26".
pub fn date_label(year: f64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    if !year.is_finite() {
        return "-".to_string();
    }
    let whole = (year + 1e-9).floor();
    let months = (year - whole) * 12.0;
    let y = whole as i64;
    let month = months.round();
    if (months - month).abs() > 1e-6 {
        return iso_date(year);
    }
    match month as usize {
        0 => format!("end-{}", y - 1),
        3 => format!("end-Q1 {y}"),
        6 => format!("mid-{y}"),
        9 => format!("end-Q3 {y}"),
        m => format!("end-{} {y}", MONTHS[m - 1]),
    }
}

/// Names a decimal year the way planners speak: 2026.0 is "end-2025", 2025.5 is "mid-2025".
pub fn describe_year(year: f64) -> String {
    let frac = year - year.floor();
    if frac.abs() < 1e-9 {
        format!("end-{}", year as i64 - 1)
    } else if (frac - 0.5).abs() < 1e-9 {
        format!("mid-{}", year.floor() as i64)
    } else {
        format_year(year)
    }
}

/// A capacity with its unit and no wasted digits, for chart labels: "850 P", "45k P", "1.2 E".
pub fn format_capacity_compact(p: f64) -> String {
    if p.abs() >= 1_000_000.0 {
        trim_zeros(&format!("{:.1}", p / P_PER_E)) + " E"
    } else {
        format_capacity_short(p) + " P"
    }
}

/// The unit a chart shows capacities in: chosen from the chart's data ([`CapacityAxis::for_max`])
/// or forced by `--unit P|E`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DisplayUnit {
    /// From the data: E when the chart's largest value reaches 1,000 E, P (in thousands) below.
    #[default]
    Auto,
    /// Always P ("45k P" is 45,000 P).
    P,
    /// Always E.
    E,
}

impl DisplayUnit {
    /// The forced units, as their names on the command line.
    pub const NAMES: [&'static str; 2] = ["P", "E"];

    /// The unit of a name in [`DisplayUnit::NAMES`] (either case).
    pub fn from_name(name: &str) -> Option<DisplayUnit> {
        match name {
            "P" | "p" => Some(DisplayUnit::P),
            "E" | "e" => Some(DisplayUnit::E),
            _ => None,
        }
    }
}

/// The unit of a capacity axis, chosen once per axis from its largest value so that every
/// tick of one axis uses the same unit: "800" (P), "45k" (thousands of P) or "120E" (E).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityAxis {
    /// Plain P: "800".
    P,
    /// Thousands of P: "45k".
    ThousandsOfP,
    /// E (1 E = 1,000 P): "120E".
    E,
}

impl CapacityAxis {
    /// Thousands of P read well up to "900k"; E takes over only beyond 1,000 E, so that a
    /// target written as 45,000 P reads "45k P" on the chart as in the scenario.
    pub fn for_max(max_p: f64) -> Self {
        if max_p >= 1_000_000.0 {
            CapacityAxis::E
        } else if max_p >= 2_000.0 {
            CapacityAxis::ThousandsOfP
        } else {
            CapacityAxis::P
        }
    }

    /// The axis of a chart whose largest value is `max_p`, in `unit`.
    pub fn choose(max_p: f64, unit: DisplayUnit) -> Self {
        match unit {
            DisplayUnit::Auto => Self::for_max(max_p),
            DisplayUnit::P if max_p >= 2_000.0 => CapacityAxis::ThousandsOfP,
            DisplayUnit::P => CapacityAxis::P,
            DisplayUnit::E => CapacityAxis::E,
        }
    }

    /// The unit's symbol: "P" or "E".
    pub fn symbol(self) -> &'static str {
        match self {
            CapacityAxis::E => "E",
            _ => "P",
        }
    }

    /// Tick label of a capacity given in P.
    pub fn tick(self, p: f64) -> String {
        if p == 0.0 {
            return "0".to_string();
        }
        match self {
            CapacityAxis::P => trim_zeros(&format!("{p:.1}")),
            CapacityAxis::ThousandsOfP => trim_zeros(&format!("{:.1}", p / 1_000.0)) + "k",
            CapacityAxis::E => trim_zeros(&format!("{:.1}", p / P_PER_E)) + "E",
        }
    }

    /// A value with its unit in this axis's unit, for labels on the same chart: "45 E" on an
    /// axis in E, "45k P" on an axis in P.
    pub fn value(self, p: f64) -> String {
        match self {
            CapacityAxis::E => trim_zeros(&format!("{:.1}", p / P_PER_E)) + " E",
            CapacityAxis::ThousandsOfP if p.abs() >= 1_000.0 => {
                trim_zeros(&format!("{:.1}", p / 1_000.0)) + "k P"
            }
            _ => format!("{p:.0} P"),
        }
    }

    /// Axis title naming the unit the ticks use.
    pub fn title(self) -> &'static str {
        match self {
            CapacityAxis::P | CapacityAxis::ThousandsOfP => {
                "Capacity, P (PFLOPS FP16; 45k = 45,000 P)"
            }
            CapacityAxis::E => "Capacity, E (1 E = 1,000 PFLOPS FP16)",
        }
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_read_as_briefing_numbers() {
        assert_eq!(format_capacity(850.0), "850 P");
        assert_eq!(format_capacity(45_000.0), "45.0k P");
        assert_eq!(format_capacity(4_500.0), "4.50k P");
        assert_eq!(format_capacity(1_200_000.0), "1200 E");
        assert_eq!(format_capacity(125_000.0), "125.0k P");
        assert_eq!(format_capacity_short(45_000.0), "45k");
        assert_eq!(format_capacity_short(1_250_000.0), "1250E");
        assert_eq!(format_capacity_short(120_000.0), "120k");
    }

    #[test]
    fn chart_labels_keep_one_unit_per_axis() {
        assert_eq!(format_capacity_compact(45_000.0), "45k P");
        assert_eq!(format_capacity_compact(1_200_000.0), "1200 E");
        assert_eq!(format_capacity_compact(850.0), "850 P");
        assert_eq!(CapacityAxis::for_max(150_000.0), CapacityAxis::ThousandsOfP);
        assert_eq!(CapacityAxis::for_max(150_000.0).tick(125_000.0), "125k");
        let axis = CapacityAxis::for_max(1_500_000.0);
        assert_eq!(axis, CapacityAxis::E);
        assert_eq!(axis.tick(500_000.0), "500E");
        assert_eq!(axis.tick(1_250_000.0), "1250E");
        let axis = CapacityAxis::for_max(60_000.0);
        assert_eq!(axis.tick(45_000.0), "45k");
        assert_eq!(axis.tick(2_500.0), "2.5k");
        assert_eq!(axis.tick(0.0), "0");
        assert_eq!(CapacityAxis::for_max(900.0).tick(250.0), "250");
        assert_eq!(CapacityAxis::E.value(45_000.0), "45 E");
        assert_eq!(CapacityAxis::ThousandsOfP.value(45_000.0), "45k P");
        assert_eq!(CapacityAxis::ThousandsOfP.value(180_400.0), "180.4k P");
        assert_eq!(CapacityAxis::ThousandsOfP.value(547.0), "547 P");
        assert_eq!(CapacityAxis::P.value(850.0), "850 P");
        assert_eq!(
            CapacityAxis::choose(1_500_000.0, DisplayUnit::P).value(1.5e6),
            "1500k P"
        );
        assert_eq!(
            CapacityAxis::choose(45_000.0, DisplayUnit::E).value(45_000.0),
            "45 E"
        );
        assert_eq!(
            CapacityAxis::choose(45_000.0, DisplayUnit::Auto).value(45e3),
            "45k P"
        );
        assert_eq!(DisplayUnit::from_name("e"), Some(DisplayUnit::E));
        assert_eq!(describe_month(2025.75), "Oct 2025");
        assert_eq!(describe_month(2026.0), "Jan 2026");
        assert_eq!(describe_month(2024.0 + 11.0 / 12.0), "Dec 2024");
    }

    #[test]
    fn years_and_percentages() {
        assert_eq!(format_year(2024.5), "2024.5");
        assert_eq!(format_year(2030.0), "2030");
        assert_eq!(format_year(2024.0 + 7.0 / 12.0), "2024.5833");
        assert_eq!(describe_year(2026.0), "end-2025");
        assert_eq!(describe_year(2025.5), "mid-2025");
        assert_eq!(format_percent(0.623), "62%");
        assert_eq!(format_percent(0.001), "<1%");
        assert_eq!(format_percent(0.0), "0%");
        assert_eq!(format_percent(1.0), "100%");
    }

    #[test]
    fn dates_and_labels() {
        assert_eq!(iso_date(2024.5), "2024-07-01");
        assert_eq!(iso_date(2028.0), "2028-01-01");
        let june9 = decimal_year(2025, 6, 9).unwrap();
        assert_eq!(iso_date(june9), "2025-06-09");
        assert_eq!(decimal_year(2024, 2, 30), None);
        assert_eq!(date_label(2028.0), "end-2027");
        assert_eq!(date_label(2024.5), "mid-2024");
        assert_eq!(date_label(2026.25), "end-Q1 2026");
        assert_eq!(date_label(2026.75), "end-Q3 2026");
        assert_eq!(date_label(2024.0 + 7.0 / 12.0), "end-Jul 2024");
        assert_eq!(date_label(2025.0 + 11.0 / 12.0), "end-Nov 2025");
        let jan26 = decimal_year(2026, 1, 26).unwrap();
        assert_eq!(date_label(jan26), "2026-01-26");
    }
}
