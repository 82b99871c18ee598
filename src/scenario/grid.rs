//! The simulation's time grid and decimal years (2024.5 is mid-2024; a month is a twelfth of a year).

/// Grid times t_k = start + k / steps_per_year for k = 0..=steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// First grid time, decimal year.
    pub start: f64,
    /// Grid times per year.
    pub steps_per_year: u32,
    /// Number of steps from start to end.
    pub steps: usize,
}

/// Two decimal years closer than this are the same grid time (about 30 seconds).
pub const YEAR_EPSILON: f64 = 1e-6;

impl Grid {
    /// Length of one step in years.
    pub fn dt(&self) -> f64 {
        1.0 / f64::from(self.steps_per_year)
    }

    /// Number of grid times, steps + 1.
    pub fn len(&self) -> usize {
        self.steps + 1
    }

    /// Always false: a grid has at least its start.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The k-th grid time, computed without accumulating rounding errors.
    pub fn time(&self, k: usize) -> f64 {
        self.start + k as f64 / f64::from(self.steps_per_year)
    }

    /// Last grid time, decimal year.
    pub fn end(&self) -> f64 {
        self.time(self.steps)
    }

    /// Every grid time, decimal years.
    pub fn times(&self) -> Vec<f64> {
        (0..self.len()).map(|k| self.time(k)).collect()
    }

    /// Index of the first grid time at or after `t`, or None if `t` lies beyond the end.
    pub fn first_index_at_or_after(&self, t: f64) -> Option<usize> {
        if t <= self.start + YEAR_EPSILON {
            return Some(0);
        }
        let k = ((t - self.start) * f64::from(self.steps_per_year) - YEAR_EPSILON).ceil();
        let k = k as usize;
        (k <= self.steps).then_some(k)
    }
}

/// Decimal year of a calendar date: year + (month - 1) / 12 + (day - 1) / (12 * days in month).
/// Quarter starts map to quarters exactly: 2024-07-01 is 2024.5.
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

/// Parses "YYYY-MM-DD" into a decimal year.
pub fn parse_iso_date(s: &str) -> Option<f64> {
    let mut parts = s.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    decimal_year(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_starts_are_exact() {
        assert_eq!(parse_iso_date("2024-07-01"), Some(2024.5));
        assert_eq!(parse_iso_date("2025-01-01"), Some(2025.0));
        assert_eq!(parse_iso_date("2024-10-01"), Some(2024.75));
        assert_eq!(parse_iso_date("2024-02-30"), None);
        assert_eq!(parse_iso_date("2024-13-01"), None);
    }

    #[test]
    fn first_grid_time_at_or_after() {
        let g = Grid {
            start: 2024.5,
            steps_per_year: 4,
            steps: 22,
        };
        assert_eq!(g.end(), 2030.0);
        assert_eq!(g.first_index_at_or_after(2024.5), Some(0));
        assert_eq!(g.first_index_at_or_after(2026.0), Some(6));
        assert_eq!(g.first_index_at_or_after(2026.1), Some(7));
        assert_eq!(g.first_index_at_or_after(2030.0), Some(22));
        assert_eq!(g.first_index_at_or_after(2030.01), None);
    }
}
