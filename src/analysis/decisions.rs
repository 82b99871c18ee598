//! What planners decide with, read from a run's exact counts: when each target is first
//! reached, how likely it is to hold at every grid time, which city is largest, and when one
//! city catches up with another.
//!
//! Percentiles of a first-crossing time come from an integer histogram, with "never within the
//! horizon" counted as later than every time: the p-th percentile is the first time by which at
//! least p% of all trials have crossed, and it is absent (empty in the CSV) when fewer than p%
//! ever do. A target's crossing is counted at 1/[`CROSSING_SUBSTEPS`] of a step, interpolated
//! log-linearly between the last grid value below and the first at or above it (rounded up to
//! the sub-step); an overtaking at the first grid time at which it holds.

use crate::engine::{Aggregate, CROSSING_SUBSTEPS, RunSpec, crossing_bins};
use crate::scenario::Scenario;
use serde::Serialize;

/// The percentiles of first-crossing times that the tables report, in percent.
pub const CROSSING_PERCENTILES: [u64; 3] = [10, 50, 90];

/// One row of crossing.csv: when one series first reaches one capacity.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CrossingRow {
    /// City name or "Total".
    pub city: String,
    /// Capacity to reach, P.
    pub capacity: f64,
    /// Share of trials that reach it at some grid time up to the end of the horizon.
    pub probability_within_horizon: f64,
    /// 10th, 50th and 90th percentiles of the first time (decimal year) at which capacity is
    /// at or above `capacity`, interpolated log-linearly within the step to 1/32 of a step;
    /// None when that percentile lies beyond the horizon.
    pub p10: Option<f64>,
    /// 50th percentile of the first crossing time, decimal year; None beyond the horizon.
    pub p50: Option<f64>,
    /// 90th percentile of the first crossing time, decimal year; None beyond the horizon.
    pub p90: Option<f64>,
}

/// One row of targets_over_time.csv: one threshold at one grid time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LevelRow {
    /// City name or "Total".
    pub city: String,
    /// P.
    pub capacity: f64,
    /// Decimal year of the grid time.
    pub year: f64,
    /// Share of trials with capacity >= `capacity` at this grid time.
    pub probability_at_or_above: f64,
    /// Share of trials that have reached it at this grid time or earlier (it may have dropped
    /// below again since, when capacity is volatile).
    pub probability_reached_by: f64,
}

/// One row of ranking.csv.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankingRow {
    /// Decimal year of the grid time.
    pub year: f64,
    /// City name.
    pub city: String,
    /// Share of trials in which this city has the largest capacity at this grid time.
    pub probability_largest: f64,
}

/// One row of overtake.csv: an ordered pair (leader, follower) of cities.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OvertakeRow {
    /// The city that starts ahead (name).
    pub leader: String,
    /// The city that may catch up with the leader (name).
    pub follower: String,
    /// Share of all trials in which the follower starts strictly below the leader.
    pub share_starting_behind: f64,
    /// Among the trials in which the follower starts behind: the share in which its capacity
    /// reaches the leader's at some grid time within the horizon.
    pub probability_within_horizon: f64,
    /// Among the same trials: percentiles of the first such grid time; None beyond the horizon.
    pub p10: Option<f64>,
    /// 50th percentile of the first such grid time, decimal year; None beyond the horizon.
    pub p50: Option<f64>,
    /// 90th percentile of the first such grid time, decimal year; None beyond the horizon.
    pub p90: Option<f64>,
}

/// The decision tables of one run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Decisions {
    /// Rows of crossing.csv: first crossing of each distinct target capacity.
    pub crossing: Vec<CrossingRow>,
    /// Rows of targets_over_time.csv: each threshold at every grid time.
    pub levels: Vec<LevelRow>,
    /// Rows of ranking.csv: chance of each city being the largest at every grid time.
    pub ranking: Vec<RankingRow>,
    /// Rows of overtake.csv: one per ordered pair of cities.
    pub overtake: Vec<OvertakeRow>,
}

impl Decisions {
    /// Reads every decision table from a run's aggregate.
    pub fn new(scenario: &Scenario, spec: &RunSpec, agg: &Aggregate) -> Self {
        Decisions {
            crossing: crossing_rows(scenario, spec, agg),
            levels: level_rows(scenario, spec, agg),
            ranking: ranking_rows(scenario, agg),
            overtake: overtake_rows(scenario, spec, agg),
        }
    }
}

/// The first index k at which the running sum of `counts` reaches `percent`% of `total`
/// (integer arithmetic, so exact), or None if it never does among the first `within` bins.
pub fn histogram_percentile(
    counts: &[u64],
    total: u64,
    percent: u64,
    within: usize,
) -> Option<usize> {
    if total == 0 {
        return None;
    }
    let mut cumulative: u128 = 0;
    for (k, c) in counts.iter().take(within).enumerate() {
        cumulative += u128::from(*c);
        if cumulative * 100 >= u128::from(percent) * u128::from(total) {
            return Some(k);
        }
    }
    None
}

/// The name of the series at storage index `series` (a city, a group or "Total").
fn series_label(scenario: &Scenario, series: usize) -> String {
    scenario.series().get(series).map_or_else(
        || "Total".to_string(),
        |s| scenario.series_name(*s).to_string(),
    )
}

/// The three reported percentiles of a histogram over grid times, as decimal years.
fn crossing_times(scenario: &Scenario, counts: &[u64], total: u64) -> [Option<f64>; 3] {
    let len = scenario.grid.len();
    CROSSING_PERCENTILES
        .map(|p| histogram_percentile(counts, total, p, len).map(|k| scenario.grid.time(k)))
}

fn crossing_rows(scenario: &Scenario, spec: &RunSpec, agg: &Aggregate) -> Vec<CrossingRow> {
    let len = agg.grid_len;
    spec.thresholds
        .iter()
        .enumerate()
        .map(|(h, t)| {
            let bins = crossing_bins(len);
            let counts = &agg.crossing_first[h * bins..(h + 1) * bins];
            let never = counts[bins - 1];
            let [p10, p50, p90] = CROSSING_PERCENTILES.map(|p| {
                histogram_percentile(counts, agg.trials, p, bins - 1).map(|i| {
                    let steps = i as f64 / CROSSING_SUBSTEPS as f64;
                    scenario.grid.start + steps * scenario.grid.dt()
                })
            });
            CrossingRow {
                city: series_label(scenario, t.series),
                capacity: t.capacity,
                probability_within_horizon: share(agg.trials - never, agg.trials),
                p10,
                p50,
                p90,
            }
        })
        .collect()
}

fn level_rows(scenario: &Scenario, spec: &RunSpec, agg: &Aggregate) -> Vec<LevelRow> {
    let len = agg.grid_len;
    let mut rows = Vec::new();
    for (h, t) in spec.thresholds.iter().enumerate() {
        let bins = crossing_bins(len);
        let first = &agg.crossing_first[h * bins..(h + 1) * bins];
        let mut reached = 0;
        for k in 0..len {
            // Crossings by grid time k: every sub-step up to bin k CROSSING_SUBSTEPS.
            let from = if k == 0 {
                0
            } else {
                (k - 1) * CROSSING_SUBSTEPS + 1
            };
            reached += first[from..=k * CROSSING_SUBSTEPS].iter().sum::<u64>();
            rows.push(LevelRow {
                city: series_label(scenario, t.series),
                capacity: t.capacity,
                year: scenario.grid.time(k),
                probability_at_or_above: share(agg.threshold_level[h * len + k], agg.trials),
                probability_reached_by: share(reached, agg.trials),
            });
        }
    }
    rows
}

fn ranking_rows(scenario: &Scenario, agg: &Aggregate) -> Vec<RankingRow> {
    let cities = agg.city_count();
    (0..agg.grid_len)
        .flat_map(|k| {
            (0..cities).map(move |c| RankingRow {
                year: scenario.grid.time(k),
                city: scenario.cities[c].name.clone(),
                probability_largest: share(agg.largest[k * cities + c], agg.trials),
            })
        })
        .collect()
}

fn overtake_rows(scenario: &Scenario, spec: &RunSpec, agg: &Aggregate) -> Vec<OvertakeRow> {
    let len = agg.grid_len;
    spec.pairs
        .iter()
        .enumerate()
        .filter_map(|(pair, &(a, b))| {
            let counts = &agg.overtake_first[pair * (len + 2)..(pair + 1) * (len + 2)];
            let behind = agg.trials - counts[len + 1];
            if behind == 0 {
                return None;
            }
            let [p10, p50, p90] = crossing_times(scenario, counts, behind);
            Some(OvertakeRow {
                leader: scenario.series_name(scenario.series()[a]).to_string(),
                follower: scenario.series_name(scenario.series()[b]).to_string(),
                share_starting_behind: share(behind, agg.trials),
                probability_within_horizon: share(behind - counts[len], behind),
                p10,
                p50,
                p90,
            })
        })
        .collect()
}

fn share(count: u64, total: u64) -> f64 {
    if total == 0 {
        f64::NAN
    } else {
        count as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_percentiles_are_first_bins_reaching_the_share() {
        // 10 trials: 2 at k=0, 3 at k=1, 5 never (bin 2 of a 2-point grid).
        let counts = [2, 3, 5];
        assert_eq!(histogram_percentile(&counts, 10, 10, 2), Some(0));
        assert_eq!(histogram_percentile(&counts, 10, 20, 2), Some(0));
        assert_eq!(histogram_percentile(&counts, 10, 50, 2), Some(1));
        assert_eq!(histogram_percentile(&counts, 10, 51, 2), None);
        assert_eq!(histogram_percentile(&counts, 0, 50, 2), None);
    }
}
