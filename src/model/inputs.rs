//! The names of the scalar inputs a trial samples (sensitivity, conditioning, `--samples`), in
//! the order a trial records them.

use super::Model;

impl Model {
    /// Names of the scalar inputs a trial samples, after their place in the scenario file, in
    /// the order of [`TrialBuffer::inputs`](super::TrialBuffer::inputs): per city "Beijing.baseline", "Beijing.growth"
    /// (after correlation), "Beijing.growth_long_run", `"Beijing.growth_period[0].growth"`,
    /// "Beijing.lifetime", "Beijing.ceiling", each project's `"Shenzhen.project[Qianhai].probability"` (1 when the
    /// trial delivers it, else 0), ".capacity", ".online", ".ramp_years" (and ".slip_years" with
    /// a slip), "Beijing.unannounced.rate" and "Beijing.unannounced.built" (the capacity of the
    /// unannounced builds that arrive within the horizon, P), then "Beijing.power.mw_growth";
    /// after the cities, `"shock[Name]"`: how many times the shock starts in the trial.
    pub fn input_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for c in &self.cities {
            let n = &c.name;
            names.push(format!("{n}.baseline"));
            names.push(format!("{n}.growth"));
            if c.fading.is_some() {
                names.push(format!("{n}.growth_long_run"));
            }
            for i in 0..c.periods.len() {
                names.push(format!("{n}.growth_period[{i}].growth"));
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
        }
        names.extend(self.shocks.iter().map(|s| format!("shock[{}]", s.name)));
        names.extend(
            self.basis_names
                .iter()
                .map(|b| format!("basis[{b}].factor")),
        );
        names.extend(
            self.basis_names
                .iter()
                .map(|b| format!("basis[{b}].lag_years")),
        );
        names
    }
}
