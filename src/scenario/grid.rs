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
        let k = ceil_index((t - self.start) * f64::from(self.steps_per_year) - YEAR_EPSILON);
        (k <= self.steps).then_some(k)
    }
}

/// ceil(x) as an index (0 for x <= 0 or NaN, saturating above): by truncation, since `ceil`
/// is a libm call on the baseline x86-64 target (no rounding instruction) and this runs for
/// every build of every trial.
#[inline]
pub fn ceil_index(x: f64) -> usize {
    let k = x as usize;
    if (k as f64) < x {
        k.saturating_add(1)
    } else {
        k
    }
}

pub use crate::units::decimal_year;

/// The earliest time a scenario or a flag may name (decimal year).
pub const EARLIEST_YEAR: f64 = 1900.0;
/// The latest time a scenario or a flag may name (decimal year).
pub const LATEST_YEAR: f64 = 2200.0;

/// Parses "YYYY-MM-DD" into a decimal year.
pub fn parse_iso_date(s: &str) -> Option<f64> {
    let mut parts = s.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    decimal_year(year, month, day)
}

/// A time as a command-line flag gives it, read as scenario files read theirs: a decimal year
/// ("2026", "2026.5", "2_026") or an ISO date ("2026-07-01"), between 1900 and 2200. The error
/// says what would be valid.
pub fn parse_time(s: &str) -> Result<f64, String> {
    let text = s.trim();
    let parsed = text
        .replace('_', "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .or_else(|| parse_iso_date(text));
    let (lo, hi) = (EARLIEST_YEAR, LATEST_YEAR);
    match parsed {
        Some(y) if (lo..=hi).contains(&y) => Ok(y),
        Some(y) => Err(format!("'{text}' is {y}, outside {lo}-{hi}")),
        None => Err(format!(
            "'{text}' is neither a decimal year such as 2026.5 nor a date such as 2026-07-01"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal to `ceil` then a cast for every kind of value: negative, zero, integers, just
    /// above and below them, huge, infinite and NaN.
    #[test]
    fn ceil_index_is_ceil() {
        let mut xs = vec![
            -3.5,
            -1.0,
            -0.0,
            0.0,
            1e-300,
            f64::NAN,
            f64::INFINITY,
            1e30,
            2f64.powi(60),
        ];
        for k in 0..50 {
            let k = f64::from(k) * 0.25;
            xs.extend([k, k.next_up(), k.next_down(), k + 0.1]);
        }
        for x in xs {
            assert_eq!(ceil_index(x), x.ceil() as usize, "x = {x:e}");
        }
    }

    #[test]
    fn quarter_starts_are_exact() {
        assert_eq!(parse_iso_date("2024-07-01"), Some(2024.5));
        assert_eq!(parse_iso_date("2025-01-01"), Some(2025.0));
        assert_eq!(parse_iso_date("2024-10-01"), Some(2024.75));
        assert_eq!(parse_iso_date("2024-02-30"), None);
        assert_eq!(parse_iso_date("2024-13-01"), None);
        assert_eq!(parse_time("2028-01-01"), Ok(2028.0));
        assert_eq!(parse_time(" 2026.5 "), Ok(2026.5));
        assert_eq!(parse_time("2_030"), Ok(2030.0));
        assert!(parse_time("2024-02-30").unwrap_err().contains("2026-07-01"));
        assert!(parse_time("1800").unwrap_err().contains("outside"));
        assert!(parse_time("NaN").is_err());
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
