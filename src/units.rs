//! Human-readable numbers: capacities in P or E, years and percentages, shared by every report.

/// One EFLOPS is 1,000 PFLOPS.
pub const P_PER_E: f64 = 1_000.0;

/// Formats a capacity given in P the way a briefing would: "850 P", "45k P", "1.2 E".
pub fn format_capacity(p: f64) -> String {
    let abs = p.abs();
    if abs >= 100_000.0 {
        format!("{:.1} E", p / P_PER_E)
    } else if abs >= 10_000.0 {
        format!("{:.1}k P", p / 1_000.0)
    } else if abs >= 1_000.0 {
        format!("{:.2}k P", p / 1_000.0)
    } else {
        format!("{p:.0} P")
    }
}

/// A short axis label for a capacity in P: "45k", "1.2E", "800".
pub fn format_capacity_short(p: f64) -> String {
    let abs = p.abs();
    if abs >= 100_000.0 {
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
        assert_eq!(format_capacity(1_200_000.0), "1200.0 E");
        assert_eq!(format_capacity(125_000.0), "125.0 E");
        assert_eq!(format_capacity_short(45_000.0), "45k");
        assert_eq!(format_capacity_short(1_250_000.0), "1250E");
        assert_eq!(format_capacity_short(120_000.0), "120E");
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
}
