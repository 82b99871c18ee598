//! The names of a trial's sampled inputs, whose each one is (a city's, a shock's or a
//! reporting basis's), and the times the trial's shocks start: what the sensitivity analysis
//! reads of a trial besides its capacities.

use super::{Model, TrialBuffer};

/// Whose a sampled input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputOwner {
    /// The city with this index (file order).
    City(usize),
    /// The shock with this index (file order): the input counts its starts.
    Shock(usize),
    /// A reporting basis: it moves how reports read capacity, not capacity itself.
    Basis,
}

impl Model {
    /// Names of the scalar inputs a trial samples, after their place in the scenario file, in
    /// the order of [`TrialBuffer::inputs`]: per city "Beijing.baseline", "Beijing.growth"
    /// (after correlation), "Beijing.growth_long_run", `"Beijing.growth_period[0].growth"`,
    /// "Beijing.lifetime", "Beijing.ceiling", each project's
    /// `"Shenzhen.project[Qianhai].probability"` (1 when the trial delivers it, else 0),
    /// ".capacity", ".online", ".ramp_years" (and ".slip_years" with a slip),
    /// "Beijing.unannounced.rate" and "Beijing.unannounced.built" (the capacity of the
    /// unannounced builds that arrive within the horizon, P; the sensitivity analysis counts
    /// it only up to the year analysed, [`TrialBuffer::unannounced_builds`]), then
    /// "Beijing.power.mw_growth";
    /// after the cities, `"shock[Name]"`: how many times the shock
    /// starts in the trial; then each basis's factor and lag.
    pub fn input_names(&self) -> Vec<String> {
        self.inputs().into_iter().map(|(name, _)| name).collect()
    }

    /// Whose each input of [`Model::input_names`] is, in the same order.
    pub fn input_owners(&self) -> Vec<InputOwner> {
        self.inputs().into_iter().map(|(_, owner)| owner).collect()
    }

    /// Each input's name and owner.
    fn inputs(&self) -> Vec<(String, InputOwner)> {
        let mut inputs = Vec::new();
        for (i, c) in self.cities.iter().enumerate() {
            let n = &c.name;
            let mut names = vec![format!("{n}.baseline"), format!("{n}.growth")];
            if c.fading.is_some() {
                names.push(format!("{n}.growth_long_run"));
            }
            for k in 0..c.periods.len() {
                names.push(format!("{n}.growth_period[{k}].growth"));
            }
            if c.lifetime.is_some() {
                names.push(format!("{n}.lifetime"));
            }
            if c.ceiling.is_some() {
                names.push(format!("{n}.ceiling"));
            }
            for p in &c.projects {
                for key in ["probability", "capacity", "online", "ramp_years"] {
                    names.push(format!("{n}.project[{}].{key}", p.name));
                }
                if p.slip.is_some() {
                    names.push(format!("{n}.project[{}].slip_years", p.name));
                }
            }
            if c.unannounced.is_some() {
                names.push(format!("{n}.unannounced.rate"));
                names.push(format!("{n}.unannounced.built"));
            }
            if c.power.is_some() {
                names.push(format!("{n}.power.mw_growth"));
            }
            inputs.extend(names.into_iter().map(|name| (name, InputOwner::City(i))));
        }
        let shocks = self.shocks.iter().enumerate();
        inputs.extend(shocks.map(|(i, s)| (format!("shock[{}]", s.name), InputOwner::Shock(i))));
        let bases = &self.basis_names;
        let factors = bases.iter().map(|b| format!("basis[{b}].factor"));
        let lags = bases.iter().map(|b| format!("basis[{b}].lag_years"));
        inputs.extend(factors.chain(lags).map(|name| (name, InputOwner::Basis)));
        inputs
    }

    /// The inputs "City.unannounced.built": (the input's index in [`Model::input_names`], the
    /// city's index), one per city with unannounced builds, in city order.
    pub fn built_inputs(&self) -> Vec<(usize, usize)> {
        let inputs = self.inputs();
        let is_built = |(i, (name, owner)): (usize, &(String, InputOwner))| match owner {
            InputOwner::City(c) => {
                let built = format!("{}.unannounced.built", self.cities[*c].name);
                (*name == built).then_some((i, *c))
            }
            _ => None,
        };
        inputs.iter().enumerate().filter_map(is_built).collect()
    }

    /// Number of shocks in the scenario.
    pub fn shock_count(&self) -> usize {
        self.shocks.len()
    }
}

impl TrialBuffer {
    /// The last trial's shock starts: (the shock's index, decimal year), every start of every
    /// shock in the horizon.
    pub fn shock_starts(&self) -> &[(usize, f64)] {
        &self.shared.start_times
    }

    /// The last trial's unannounced builds: (the city's index, arrival as a decimal year, size
    /// in P), every build that arrived within the horizon.
    pub fn unannounced_builds(&self) -> &[(usize, f64, f64)] {
        &self.builds
    }
}
