//! The fields of every table in summary.json, in the order of its CSV columns, with the unit
//! of each. The unit also decides how a number is rounded ([`round`]): decimal years to four
//! decimals (as in the CSV files), counts not at all, every other number to six significant
//! digits (20303.9937 P is written 20304.0).

/// A decimal year: 2028.0 is 1 January 2028, the end of 2027.
pub const YEAR: &str = "decimal year (2028.0 is 2028-01-01, end-2027)";
/// A time that may lie beyond the horizon.
pub const YEAR_OR_NULL: &str =
    "decimal year (2028.0 is 2028-01-01, end-2027); null when beyond the horizon";
/// A capacity.
pub const P: &str = "P (PFLOPS, FP16; 1 E = 1,000 P)";
/// A share of the trials.
pub const SHARE: &str = "share of trials, 0 to 1";
/// A whole number.
pub const COUNT: &str = "count";
/// A name or free text.
pub const TEXT: &str = "text";
/// The ISO date of the row's `year`.
pub const DATE: &str = "ISO date of year";
/// The row's `year` in words.
pub const LABEL: &str = "year in words (end-2027, mid-2026, end-Q3 2026)";

const SE: &str = "standard error of probability (share)";
const STATS: [(&str, &str); 13] = [
    ("city", TEXT),
    ("year", YEAR),
    ("mean", P),
    ("sd", P),
    ("p5", P),
    ("p10", P),
    ("p25", P),
    ("p50", P),
    ("p75", P),
    ("p90", P),
    ("p95", P),
    ("date", DATE),
    ("label", LABEL),
];

/// Every table of summary.json, by the stem of its CSV file: its fields and their units.
pub const TABLES: &[(&str, &[(&str, &str)])] = &[
    ("summary", &STATS),
    (
        "targets",
        &[
            ("city", TEXT),
            ("at", YEAR),
            ("capacity", P),
            ("probability", SHARE),
            ("evaluated_at", YEAR),
            ("std_error", SE),
            ("ci95_low", SHARE),
            ("ci95_high", SHARE),
        ],
    ),
    (
        "backtest",
        &[
            ("city", TEXT),
            ("at", YEAR),
            ("capacity", P),
            (
                "percentile",
                "percent of trials below the reported value (ties count half)",
            ),
            ("evaluated_at", YEAR),
            ("source", TEXT),
        ],
    ),
    (
        "crossing",
        &[
            ("city", TEXT),
            ("capacity", P),
            ("probability_within_horizon", SHARE),
            ("p10", YEAR_OR_NULL),
            ("p50", YEAR_OR_NULL),
            ("p90", YEAR_OR_NULL),
        ],
    ),
    (
        "targets_over_time",
        &[
            ("city", TEXT),
            ("capacity", P),
            ("year", YEAR),
            ("probability_at_or_above", SHARE),
            ("probability_reached_by", SHARE),
            ("date", DATE),
            ("label", LABEL),
        ],
    ),
    (
        "ranking",
        &[
            ("year", YEAR),
            ("city", TEXT),
            ("probability_largest", SHARE),
            ("date", DATE),
            ("label", LABEL),
        ],
    ),
    (
        "overtake",
        &[
            ("leader", TEXT),
            ("follower", TEXT),
            ("share_starting_behind", SHARE),
            (
                "probability_within_horizon",
                "share of the trials in which the follower starts behind",
            ),
            ("p10", YEAR_OR_NULL),
            ("p50", YEAR_OR_NULL),
            ("p90", YEAR_OR_NULL),
        ],
    ),
    (
        "sensitivity",
        &[
            ("output", TEXT),
            ("year", YEAR),
            ("input", TEXT),
            ("rank_correlation", "Spearman rank correlation, -1 to 1"),
            ("rank_correlation_se", "standard error of rank_correlation"),
            (
                "first_order_index",
                "share of the output's variance, 0 to 1",
            ),
            ("sample", COUNT),
            (
                "group",
                "the input's group for the Shapley effects (empty: none)",
            ),
            (
                "shapley_effect",
                "group rows: share of the output's variance (Shapley effect); with unexplained they sum to 1",
            ),
            ("shapley_effect_se", "standard error of shapley_effect"),
            ("date", DATE),
            ("label", LABEL),
        ],
    ),
    (
        "calibration",
        &[
            ("series", TEXT),
            ("at", YEAR),
            ("capacity", P),
            ("kind", TEXT),
            ("basis", TEXT),
            ("published", YEAR),
            ("conditioned_on", COUNT),
            (
                "unconditioned",
                "true for the projection conditioned on no report",
            ),
            (
                "percentile",
                "percent of the predictive distribution below the report",
            ),
            (
                "inside_50",
                "true when inside the central 50% band; null for bounds",
            ),
            (
                "inside_90",
                "true when inside the central 90% band; null for bounds",
            ),
            ("crps_log", "CRPS of ln(capacity), dimensionless"),
        ],
    ),
    (
        "posterior",
        &[
            ("input", TEXT),
            (
                "prior_mean",
                "the input's own unit: P, a rate a year, years or 0/1",
            ),
            ("prior", "[p5, p50, p95] in the input's own unit"),
            ("posterior_mean", "the input's own unit"),
            ("posterior", "[p5, p50, p95] in the input's own unit"),
            ("shift_in_sd", "prior standard deviations"),
        ],
    ),
    ("unconditioned", &STATS),
    ("used", &STATS),
    (
        "power",
        &[
            ("city", TEXT),
            ("year", YEAR),
            (
                "probability",
                "share of trials in which the power cap binds",
            ),
            ("std_error", SE),
            ("date", DATE),
            ("label", LABEL),
        ],
    ),
];

/// The conditioning summary's fields and units (its tables are `calibration` and `posterior`).
pub const CONDITIONING: &[(&str, &str)] = &[
    (
        "conditioned",
        "true when every table is weighted by the reports",
    ),
    ("reports_used", COUNT),
    ("trials_simulated", COUNT),
    ("weighted_count", COUNT),
    ("effective_sample_size", "trials (Kish)"),
    (
        "pareto_k",
        "tail diagnostic, dimensionless (below 0.5 reliable, above 0.7 unreliable)",
    ),
    ("capped_trials", COUNT),
    (
        "guide_stages",
        "the stages that fitted the guide which drew the trials (empty: from the prior); \
         temperature: dimensionless in [0, 1]; ess: trials (Kish)",
    ),
    (
        "score",
        "rows: count; coverage_50, coverage_90: share; mean_crps_log: dimensionless; pit: shares",
    ),
    ("disagreements", TEXT),
];

/// The fields and units of the table `name`.
pub fn fields(name: &str) -> &'static [(&'static str, &'static str)] {
    TABLES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, f)| f)
}

/// A number rounded as its unit says: four decimals for a decimal year, six significant digits
/// for anything else (integers, counts and non-finite numbers unchanged).
pub fn round(v: f64, unit: &str) -> f64 {
    if !v.is_finite() || v == 0.0 || unit == COUNT {
        return v;
    }
    if unit == YEAR || unit == YEAR_OR_NULL {
        return (v * 1e4).round() / 1e4;
    }
    format!("{v:.5e}").parse().unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lose_their_float_noise() {
        assert_eq!(round(20303.9937, P), 20304.0);
        assert_eq!(round(0.0020708988084887203, SHARE), 0.00207090);
        assert_eq!(round(2026.069863, YEAR), 2026.0699);
        assert_eq!(round(1e300 + 1e290, P), 1.00000e300);
        assert_eq!(
            serde_json::json!(round(20303.9937, P)).to_string(),
            "20304.0"
        );
        assert_eq!(
            serde_json::json!(round(0.09475, SHARE)).to_string(),
            "0.09475"
        );
    }
}
