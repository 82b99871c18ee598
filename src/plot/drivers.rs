//! The numbers of a tornado chart: the inputs that move one series most, by the swing of its
//! median ([`crate::analysis::swing`]).

/// The inputs that move one series most at one year, by the swing of its median.
#[derive(Debug, Clone)]
pub struct Drivers {
    /// Name of the series the inputs are ranked for.
    pub output: String,
    /// Decimal year at which the inputs are ranked.
    pub year: f64,
    /// Trials in the sensitivity sample.
    pub sample: u64,
    /// The series' median at `year` over all trials, P.
    pub median: f64,
    /// The largest swings first, at most [`TORNADO_BARS`].
    pub bars: Vec<DriverBar>,
}

/// One bar of a tornado chart.
#[derive(Debug, Clone)]
pub struct DriverBar {
    /// The input in plain words.
    pub label: String,
    /// Spearman rank correlation with the output.
    pub rho: f64,
    /// The output's median with the input near its 10th percentile, P.
    pub at_p10: f64,
    /// The output's median with the input near its 90th percentile, P.
    pub at_p90: f64,
}

/// Bars of the tornado chart.
pub const TORNADO_BARS: usize = 10;
/// The year the tornado chart shows when the sensitivity analysis includes it (end-2027).
pub const TORNADO_YEAR: f64 = 2028.0;
