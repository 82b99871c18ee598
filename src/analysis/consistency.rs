//! The refusal of a conditioned run that no trial agrees with (exit 2), naming the reports most
//! in conflict and what to check.

use crate::engine::Aggregate;
use crate::error::{Error, Result};
use crate::scenario::Scenario;

/// Refuses a conditioned run in which no trial agrees with the reports (exit 2), naming the
/// reports with the fewest consistent trials and what to check.
pub fn check_consistent(scenario: &Scenario, agg: &Aggregate) -> Result<()> {
    let Some(stats) = &agg.condition else {
        return Ok(());
    };
    if !scenario.condition || stats.sum_m > 0 {
        return Ok(());
    }
    let mut by_share: Vec<(u64, usize)> = stats
        .consistent
        .iter()
        .enumerate()
        .map(|(j, n)| (*n, j))
        .collect();
    by_share.sort();
    let named: Vec<String> = by_share
        .iter()
        .take(3)
        .map(|(n, j)| {
            let o = &scenario.observations[*j];
            format!(
                "{} {} {} P at {} ({}): {n} of {} trials consistent",
                o.label,
                o.kind.name(),
                o.capacity,
                o.at,
                o.source,
                stats.simulated
            )
        })
        .collect();
    Err(Error::Invalid(format!(
        "no trial is consistent with the reports, so the projection cannot be conditioned on \
         them. Most in conflict: {}. Check each report's basis (a broader basis needs a \
         [[basis]] with its factor), its error (0 makes a bound exact), and the prior \
         (baseline and growth) that cannot reach it",
        named.join("; ")
    )))
}
