//! Checking an aggregate read from a part file before it is merged: every length, count and
//! range must be what the scenario and the part's trial range allow, so a damaged or edited
//! part is refused with a short message instead of panicking or giving probabilities above 1.

use crate::error::{Error, Result};

use crate::engine::aggregate::{Aggregate, RunSpec, crossing_bins};
use std::ops::Range;

impl Aggregate {
    /// Checks statistics read from a part file against the run they claim to belong to:
    /// every table has the length this scenario gives it, every cell counts the part's
    /// trials, and no count exceeds them. Returns what is wrong, for the merge's message.
    pub fn check(&self, spec: &RunSpec, trials: Range<u64>) -> Result<()> {
        let want = Aggregate::new(spec);
        let runs = trials.end - trials.start;
        // Conditioned, counts are integer weights: `trials` is their sum.
        let simulated = self.condition.as_ref().map_or(self.trials, |c| c.simulated);
        if simulated != runs {
            return Err(Error::Invalid(format!(
                "it holds {simulated} trials but names the range {trials:?}"
            )));
        }
        if self.condition.is_some() != want.condition.is_some() {
            return Err(Error::Invalid(
                "its conditioning statistics do not match the scenario's reports".to_string(),
            ));
        }
        let n = self.trials;
        let lengths = [
            ("series", self.series_count, want.series_count),
            ("grid times", self.grid_len, want.grid_len),
            ("cells", self.cells.len(), want.cells.len()),
            ("used cells", self.used_cells.len(), want.used_cells.len()),
            (
                "unconditioned cells",
                self.prior_cells.len(),
                want.prior_cells.len(),
            ),
            ("power counts", self.cap_binds.len(), want.cap_binds.len()),
            (
                "target counts",
                self.target_hits.len(),
                want.target_hits.len(),
            ),
            (
                "observations",
                self.observation_ranks.len(),
                want.observation_ranks.len(),
            ),
            (
                "crossing counts",
                self.crossing_first.len(),
                want.crossing_first.len(),
            ),
            (
                "threshold counts",
                self.threshold_level.len(),
                want.threshold_level.len(),
            ),
            (
                "overtaking counts",
                self.overtake_first.len(),
                want.overtake_first.len(),
            ),
            ("ranking counts", self.largest.len(), want.largest.len()),
        ];
        for (what, got, expected) in lengths {
            if got != expected {
                return Err(Error::Invalid(format!(
                    "it has {got} {what} where the scenario has {expected}"
                )));
            }
        }
        for (i, cell) in self.cells.iter().chain(&self.used_cells).enumerate() {
            cell.check(n)
                .map_err(|e| Error::Invalid(format!("cell {i}: {e}")))?;
        }
        let prior_total = self.condition.as_ref().map_or(runs, |c| c.sum_m_prior);
        for (i, cell) in self.prior_cells.iter().enumerate() {
            cell.check(prior_total)
                .map_err(|e| Error::Invalid(format!("unconditioned cell {i}: {e}")))?;
        }
        let counts = [&self.cap_binds, &self.target_hits, &self.threshold_level];
        if counts.iter().any(|c| c.iter().any(|&v| v > n))
            || self
                .observation_ranks
                .iter()
                .any(|r| r.below.checked_add(r.equal).is_none_or(|s| s > prior_total))
        {
            return Err(Error::Invalid(format!("a count exceeds its {n} trials")));
        }
        let partitions = [
            (&self.crossing_first, crossing_bins(self.grid_len)),
            (&self.overtake_first, self.grid_len + 2),
            (&self.largest, self.city_count()),
        ];
        for (counts, group) in partitions {
            let sums_to_n =
                |c: &[u64]| c.iter().try_fold(0u64, |a, &v| a.checked_add(v)) == Some(n);
            if group > 0 && !counts.chunks(group).all(sums_to_n) {
                return Err(Error::Invalid(format!(
                    "first-time or ranking counts do not add up to its {n} trials"
                )));
            }
        }
        let width = self.series_count * self.grid_len;
        if self
            .paths
            .iter()
            .any(|p| !trials.contains(&p.trial) || p.values.len() != width)
        {
            return Err(Error::Invalid(
                "a sampled path lies outside its trials or has the wrong length".to_string(),
            ));
        }
        Ok(())
    }
}
