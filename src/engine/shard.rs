//! Runs split across machines: which trials a shard runs, the partial-result file it writes,
//! and the checks and merge that turn parts back into one run.
//!
//! Part file format (JSON, `format = "simulate-part"`, `version = 2`): the metadata below plus
//! `aggregate`, the run's mergeable statistics (sketch bins, exact integer sums, hit counts,
//! sampled paths). Every accumulator merges exactly, so merged tables are byte-identical to a
//! single run with the same seed however the trials were split.

use crate::engine::aggregate::{Aggregate, RunSpec};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

/// The `format` of every part file.
pub const PART_FORMAT: &str = "simulate-part";
/// The part file layout's version; a merge refuses other versions.
pub const PART_VERSION: u32 = 2;

/// Shard I of N (I from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// I: which shard, from 0.
    pub index: u64,
    /// N: how many shards the run is split into.
    pub count: u64,
}

/// A shard's output: what it ran, from which scenario, and its statistics.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartFile {
    /// What the shard ran and from which scenario.
    #[serde(flatten)]
    pub meta: PartMeta,
    /// The shard's mergeable statistics.
    pub aggregate: Aggregate,
}

/// Everything in a part file but the statistics.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartMeta {
    /// Always "simulate-part".
    pub format: String,
    /// Format version; a merge refuses other versions.
    pub version: u32,
    /// Version of the program that wrote the part; a merge refuses parts of another version,
    /// whose random streams or statistics may differ.
    pub program_version: String,
    /// Git revision of the program that wrote the part, when known.
    #[serde(default)]
    pub git_revision: Option<String>,
    /// Scenario path as given to the shard.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// The scenario file's text, so that a merge does not need the file.
    pub scenario_text: String,
    /// Seed and total trials of the whole run (after command-line overrides).
    pub seed: u64,
    /// Total trials of the whole run (all shards).
    pub trials: u64,
    /// I: this shard's number, from 0.
    pub shard_index: u64,
    /// N: the number of shards.
    pub shard_count: u64,
    /// The trials this shard ran, [start, end).
    pub trial_start: u64,
    /// End (exclusive) of the trials this shard ran.
    pub trial_end: u64,
    /// Wall time the shard took, seconds.
    pub elapsed_seconds: f64,
    /// `--set` overrides of the run, applied again by the merge.
    #[serde(default)]
    pub overrides: Vec<crate::scenario::overrides::Override>,
    /// `--sensitivity-at` years of the run, if given.
    #[serde(default)]
    pub sensitivity_at: Option<Vec<f64>>,
    /// Whether the run was conditioned on its reports (the file's `condition`, or
    /// `--condition` / `--no-condition`); parts of both kinds never merge.
    #[serde(default)]
    pub condition: bool,
}

impl Shard {
    /// Parses "I/N", or "auto" to read SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) and
    /// SLURM_ARRAY_TASK_COUNT.
    pub fn parse(text: &str) -> Result<Shard> {
        if text == "auto" {
            return Self::from_slurm(|name| std::env::var(name).ok());
        }
        let (i, n) = text.split_once('/').ok_or_else(|| {
            Error::Invalid(format!(
                "--shard must be I/N (e.g. 0/4) or auto, got '{text}'"
            ))
        })?;
        let parse = |s: &str, what: &str| {
            s.trim().parse::<u64>().map_err(|_| {
                Error::Invalid(format!("--shard {what} must be a whole number, got '{s}'"))
            })
        };
        Shard::new(parse(i, "I")?, parse(n, "N")?)
    }

    /// Builds a shard from Slurm's job-array variables, read through `var`.
    pub fn from_slurm(var: impl Fn(&str) -> Option<String>) -> Result<Shard> {
        let read = |name: &str| -> Result<u64> {
            let v = var(name).ok_or_else(|| {
                Error::Invalid(format!(
                    "--shard auto needs {name} (set by Slurm in a job array)"
                ))
            })?;
            v.trim()
                .parse()
                .map_err(|_| Error::Invalid(format!("{name} must be a whole number, got '{v}'")))
        };
        let id = read("SLURM_ARRAY_TASK_ID")?;
        let count = read("SLURM_ARRAY_TASK_COUNT")?;
        let min = match var("SLURM_ARRAY_TASK_MIN") {
            Some(_) => read("SLURM_ARRAY_TASK_MIN")?,
            None => 0,
        };
        Shard::new(
            id.checked_sub(min).ok_or_else(|| {
                Error::Invalid("SLURM_ARRAY_TASK_ID below SLURM_ARRAY_TASK_MIN".to_string())
            })?,
            count,
        )
    }

    /// Shard `index` of `count`, checked.
    pub fn new(index: u64, count: u64) -> Result<Shard> {
        if count == 0 || index >= count {
            return Err(Error::Invalid(format!(
                "--shard I/N needs N >= 1 and 0 <= I < N, got {index}/{count}"
            )));
        }
        Ok(Shard { index, count })
    }

    /// The trials of this shard: an even split of 0..trials.
    pub fn trials(&self, trials: u64) -> Range<u64> {
        let at = |i: u64| (u128::from(trials) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// File name of this shard's part, e.g. "part-0003-of-0016.json".
    pub fn file_name(&self) -> String {
        format!("part-{:04}-of-{:04}.json", self.index, self.count)
    }
}

/// Shards named one by one in a message before the rest are only counted.
const NAMED_MISSING: usize = 5;

/// Checks that `parts` (with the names they were read from) are the N parts of one run, each
/// once, each running its own share of the trials. Needs no memory per shard, whatever N.
pub fn check_parts(parts: &[(String, PartFile)]) -> Result<()> {
    let Some((first_name, first)) = parts.first() else {
        return Err(Error::Invalid("no part files given".to_string()));
    };
    let n = first.meta.shard_count;
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    for (name, p) in parts {
        check_same_run(first_name, &first.meta, name, &p.meta)?;
        let m = &p.meta;
        let range = Shard::new(m.shard_index, n)?.trials(m.trials);
        if (m.trial_start, m.trial_end) != (range.start, range.end) {
            return Err(Error::Invalid(format!(
                "{name}: shard {}/{n} should hold trials {range:?}, it says {}..{}",
                m.shard_index, m.trial_start, m.trial_end
            )));
        }
        if let Some(other) = seen.insert(m.shard_index, name) {
            return Err(Error::Invalid(format!(
                "shard {}/{n} given twice: {other} and {name}",
                m.shard_index
            )));
        }
    }
    let missing_count = n - seen.len() as u64;
    if missing_count > 0 {
        let named: Vec<String> = (0..n)
            .filter(|i| !seen.contains_key(i))
            .take(NAMED_MISSING)
            .map(|i| i.to_string())
            .collect();
        let more = match missing_count.saturating_sub(named.len() as u64) {
            0 => String::new(),
            rest => format!(" and {rest} more"),
        };
        return Err(Error::Invalid(format!(
            "missing shard(s) {}{more} of {n}; run them with --shard I/{n}",
            named.join(", ")
        )));
    }
    Ok(())
}

/// Merges parts that passed [`check_parts`], after checking each part's statistics against
/// the run's `spec` (lengths, counts, ranges): a hand-edited or damaged part is refused.
pub fn merge_parts(
    parts: Vec<(String, PartFile)>,
    spec: &RunSpec,
) -> Result<(PartMeta, Aggregate)> {
    check_parts(&parts)?;
    for (name, p) in &parts {
        p.aggregate
            .check(spec, p.meta.trial_start..p.meta.trial_end)
            .map_err(|e| Error::Invalid(format!("{name}: damaged or edited part: {e}")))?;
    }
    let mut parts = parts.into_iter().map(|(_, p)| p);
    let PartFile {
        meta: mut head,
        aggregate: mut agg,
    } = parts.next().expect("check_parts refuses an empty list");
    for p in parts {
        head.elapsed_seconds += p.meta.elapsed_seconds;
        agg = agg.merge(p.aggregate);
    }
    // Conditioned, `trials` counts weights; the trials run are counted beside them.
    let simulated = agg.condition.as_ref().map_or(agg.trials, |c| c.simulated);
    if simulated != head.trials {
        return Err(Error::Invalid(format!(
            "the parts hold {simulated} trials, the run has {}",
            head.trials
        )));
    }
    Ok((head, agg))
}

fn check_same_run(a_name: &str, a: &PartMeta, b_name: &str, b: &PartMeta) -> Result<()> {
    if b.program_version != crate::version::VERSION {
        return Err(Error::Invalid(format!(
            "{b_name} was written by simulate {} but this is simulate {}; parts from other \
             versions may use other random streams: run the shards again with this version",
            b.program_version,
            crate::version::VERSION
        )));
    }
    if b.format != PART_FORMAT || b.version != PART_VERSION {
        return Err(Error::Invalid(format!(
            "{b_name}: not a part file of format {PART_FORMAT} version {PART_VERSION} \
             (found {} version {})",
            b.format, b.version
        )));
    }
    let differ = |what: &str, x: &dyn fmt::Display, y: &dyn fmt::Display| {
        Err(Error::Invalid(format!(
            "{b_name} belongs to another run than {a_name}: {what} {y} vs {x}"
        )))
    };
    if a.scenario_sha256 != b.scenario_sha256 {
        return differ("scenario SHA-256", &a.scenario_sha256, &b.scenario_sha256);
    }
    if a.seed != b.seed {
        return differ("seed", &a.seed, &b.seed);
    }
    if a.trials != b.trials {
        return differ("trials", &a.trials, &b.trials);
    }
    if a.overrides != b.overrides {
        let list = |o: &[crate::scenario::overrides::Override]| {
            let v: Vec<String> = o.iter().map(|x| x.to_string()).collect();
            format!("[{}]", v.join(", "))
        };
        return differ("--set overrides", &list(&a.overrides), &list(&b.overrides));
    }
    if a.condition != b.condition {
        return differ("conditioning on the reports", &a.condition, &b.condition);
    }
    if a.sensitivity_at != b.sensitivity_at {
        return differ(
            "--sensitivity-at",
            &format!("{:?}", a.sensitivity_at),
            &format!("{:?}", b.sensitivity_at),
        );
    }
    if a.shard_count != b.shard_count {
        return differ("shard count N", &a.shard_count, &b.shard_count);
    }
    if b.shard_index >= b.shard_count {
        return Err(Error::Invalid(format!(
            "{b_name}: shard index {} >= N",
            b.shard_index
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_trials_evenly_and_completely() {
        let n = 7;
        let ranges: Vec<Range<u64>> = (0..n)
            .map(|i| Shard::new(i, n).unwrap().trials(100))
            .collect();
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges[6].end, 100);
        for w in ranges.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        assert!(
            ranges
                .iter()
                .all(|r| (14..=15).contains(&(r.end - r.start)))
        );
    }

    #[test]
    fn shard_arguments() {
        assert_eq!(Shard::parse("2/4").ok(), Some(Shard { index: 2, count: 4 }));
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("a/4").is_err());
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Shard::from_slurm(env(&[
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_MIN", "3")
            ]))
            .ok(),
            Some(Shard { index: 2, count: 4 })
        );
        assert!(Shard::from_slurm(env(&[("SLURM_ARRAY_TASK_ID", "1")])).is_err());
    }
}
