//! Which share of an output's variance each group of inputs accounts for: one group per city
//! (everything sampled for it, its realised growth shock included), "others" for the smaller
//! cities when there are too many, and "shared" for the shocks' starts; Shapley effects
//! ([`crate::analysis::shapley`]), which sum to 1 with the `unexplained` rest even when inputs
//! are correlated. Reporting bases are in no group: they move how reports read capacity, not
//! capacity itself.

use crate::analysis::shapley::{MAX_GROUPS, Neighbours, POINTS};
use crate::model::InputOwner;
use crate::scenario::Scenario;
use serde::Serialize;

/// The name of the group of the shocks' starts.
pub const SHARED: &str = "shared";
/// The name of the group of the cities that have none of their own.
pub const OTHERS: &str = "others";
/// The name of the rest no group explains.
pub const UNEXPLAINED: &str = "unexplained";

/// One group's Shapley effect on one output at one year: rows of sensitivity.csv after the
/// inputs' rows (and in summary.json's `tables.sensitivity`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupEffect {
    /// City name or "Total".
    pub output: String,
    /// Decimal year of the grid time.
    pub year: f64,
    /// A city's name, [`OTHERS`], [`SHARED`] or [`UNEXPLAINED`].
    pub group: String,
    /// Inputs of the group that vary in the sample (its dimension); 0 for `unexplained`.
    pub inputs: usize,
    /// Share of the output's variance, Shapley effect of the group (or the unexplained rest).
    pub shapley_effect: f64,
    /// Its standard error.
    pub shapley_effect_se: f64,
    /// Trials searched for neighbours (the sensitivity sample).
    pub sample: u64,
    /// Trials whose neighbours were searched.
    pub points: u64,
}

impl GroupEffect {
    /// The group in plain words: "Beijing (3 inputs)", "shared (1 input)", "unexplained".
    pub fn label(&self) -> String {
        match self.group.as_str() {
            UNEXPLAINED => "not in any recorded input".to_string(),
            g => format!(
                "{g} ({} input{})",
                self.inputs,
                if self.inputs == 1 { "" } else { "s" }
            ),
        }
    }

    /// The `input` column of sensitivity.csv: `group[Beijing]`, or `unexplained`.
    pub fn input(&self) -> String {
        match self.group.as_str() {
            UNEXPLAINED => UNEXPLAINED.to_string(),
            g => format!("group[{g}]"),
        }
    }
}

/// Which group each city and the shocks belong to.
#[derive(Debug, Clone)]
pub struct GroupPlan {
    /// The groups' names in order.
    pub names: Vec<String>,
    of_city: Vec<usize>,
    shared: Option<usize>,
}

impl GroupPlan {
    /// One group per city and one for the shocks when any; beyond [`MAX_GROUPS`] the largest
    /// cities by median baseline keep their own and the rest share [`OTHERS`].
    pub fn new(scenario: &Scenario) -> Self {
        let cities = &scenario.cities;
        let shared = !scenario.shocks.is_empty();
        let room = MAX_GROUPS - usize::from(shared);
        let own: Vec<bool> = if cities.len() <= room {
            vec![true; cities.len()]
        } else {
            let mut by_size: Vec<usize> = (0..cities.len()).collect();
            let size = |c: &usize| cities[*c].baseline.median();
            by_size.sort_by(|a, b| size(b).total_cmp(&size(a)));
            let keep = &by_size[..room - 1];
            (0..cities.len()).map(|c| keep.contains(&c)).collect()
        };
        let mut names: Vec<String> = cities
            .iter()
            .zip(&own)
            .filter(|(_, own)| **own)
            .map(|(c, _)| c.name.clone())
            .collect();
        let others = own.contains(&false).then(|| {
            names.push(OTHERS.to_string());
            names.len() - 1
        });
        // Cities with a group of their own take 0, 1, ... in file order; `others` comes after.
        let mut next = 0;
        let of_city = own
            .iter()
            .map(|own| {
                if *own {
                    next += 1;
                    next - 1
                } else {
                    others.unwrap_or(0)
                }
            })
            .collect();
        let shared = shared.then(|| {
            names.push(SHARED.to_string());
            names.len() - 1
        });
        GroupPlan {
            names,
            of_city,
            shared,
        }
    }

    /// The group of an input, None for a basis's.
    pub fn group_of(&self, owner: InputOwner) -> Option<usize> {
        match owner {
            InputOwner::City(c) => Some(self.of_city[c]),
            InputOwner::Shock(_) => self.shared,
            InputOwner::Basis => None,
        }
    }

    /// Every output's group effects at one year. `columns[g]` holds group g's varying inputs
    /// as scaled ranks; groups without any are left out (their effect is 0).
    pub fn effects(
        &self,
        columns: &[Vec<&[f32]>],
        year: f64,
        outputs: &[(&str, &[f64])],
    ) -> Vec<GroupEffect> {
        let kept: Vec<usize> = (0..columns.len())
            .filter(|g| !columns[*g].is_empty())
            .collect();
        let searched: Vec<Vec<&[f32]>> = kept.iter().map(|g| columns[*g].clone()).collect();
        let Some(neighbours) = Neighbours::search(&searched, POINTS) else {
            return Vec::new();
        };
        let mut rows = Vec::new();
        for (output, y) in outputs {
            let e = neighbours.effects(y);
            let row = |group: &str, inputs: usize, (effect, se): (f64, f64)| GroupEffect {
                output: output.to_string(),
                year,
                group: group.to_string(),
                inputs,
                shapley_effect: effect,
                shapley_effect_se: se,
                sample: neighbours.pool() as u64,
                points: neighbours.points() as u64,
            };
            let mut block: Vec<GroupEffect> = kept
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    let effect = (e.shapley[i], e.shapley_se[i]);
                    row(&self.names[*g], columns[*g].len(), effect)
                })
                .collect();
            block.sort_by(|a, b| b.shapley_effect.total_cmp(&a.shapley_effect));
            block.push(row(UNEXPLAINED, 0, (e.unexplained, e.unexplained_se)));
            rows.append(&mut block);
        }
        rows
    }
}
