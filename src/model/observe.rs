//! The observation model: how a report relates to a trial's capacity (docs/model.md,
//! "Observations"). A report on basis b at date t says something about
//! v = factor_b x installed(t + lag_b); `about` reports ln(report) = ln v + error x e, with
//! e standard normal or Student-t(4) ("heavy" tails); bounds say v >= X, v <= X or
//! a <= v <= b, smoothed by the same error (exact when the error is 0).
//!
//! Log-likelihoods are normalised so that their largest value is 0: an `about` report
//! scores -e^2/2 (normal) or -(5/2) ln(1 + e^2/4) (heavy); a bound scores the log of the
//! probability that the report satisfies it.

use crate::model::sampler::standard_normal;
use crate::scenario::dist::standard_normal_cdf;
use crate::scenario::{Observation, ObservationKind, Tails};
use rand::Rng;
use rand::distr::Distribution;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Degrees of freedom of heavy-tailed report errors.
pub const HEAVY_TAIL_DF: f64 = 4.0;

/// One report, as the likelihood reads it.
#[derive(Debug, Clone)]
pub struct ObservationModel {
    /// What the report says.
    pub kind: ObservationKind,
    /// ln of the reported value (the lower end for `between`).
    pub ln_value: f64,
    /// ln of the upper end for `between`.
    pub ln_upper: f64,
    /// Standard deviation of ln(reported / true); 0 for an exact bound.
    pub error: f64,
    /// Normal or heavy-tailed error.
    pub tails: Tails,
    /// The report's basis (index into the scenario's bases), if any.
    pub basis: Option<usize>,
    /// False for a report that defines the baseline: it is not used twice.
    pub in_likelihood: bool,
}

impl ObservationModel {
    /// The model of a checked observation.
    pub fn new(o: &Observation) -> Self {
        ObservationModel {
            kind: o.kind,
            ln_value: o.capacity.ln(),
            ln_upper: o.upper.map_or(f64::INFINITY, f64::ln),
            error: o.error,
            tails: o.tails,
            basis: o.basis,
            in_likelihood: o.in_likelihood,
        }
    }

    /// The value a trial gives on the report's basis: factor x installed capacity.
    pub fn basis_value(&self, installed: f64, factors: &[f64]) -> f64 {
        installed * self.basis.map_or(1.0, |b| factors[b])
    }

    /// Log-likelihood of the report given the trial's value `v` on its basis (0 at best,
    /// -infinity when impossible).
    pub fn log_likelihood(&self, v: f64) -> f64 {
        let ln_v = if v > 0.0 { v.ln() } else { f64::NEG_INFINITY };
        match self.kind {
            ObservationKind::About => {
                let e = (self.ln_value - ln_v) / self.error;
                match self.tails {
                    Tails::Normal => -0.5 * e * e,
                    Tails::Heavy => -0.5 * (HEAVY_TAIL_DF + 1.0) * (e * e / HEAVY_TAIL_DF).ln_1p(),
                }
            }
            ObservationKind::AtLeast => self.cdf_ln(ln_v - self.ln_value).ln(),
            ObservationKind::AtMost => self.cdf_ln(self.ln_value - ln_v).ln(),
            ObservationKind::Between => {
                let p = self.cdf_ln(self.ln_upper - ln_v) - self.cdf_ln(self.ln_value - ln_v);
                p.max(0.0).ln()
            }
        }
    }

    /// P(error <= x) on the log scale; a step at 0 for an exact bound.
    fn cdf_ln(&self, x: f64) -> f64 {
        if x.is_nan() {
            return 0.0;
        }
        if self.error == 0.0 {
            return if x >= 0.0 { 1.0 } else { 0.0 };
        }
        let z = x / self.error;
        match self.tails {
            Tails::Normal => standard_normal_cdf(z),
            Tails::Heavy => student_t().cdf(z),
        }
    }

    /// A simulated report given the trial's basis value: with its error for `about`, the value
    /// itself for a bound (a bound's predictive is that of the true value).
    pub fn simulated_report<R: Rng + ?Sized>(&self, v: f64, rng: &mut R) -> f64 {
        if self.kind != ObservationKind::About {
            return v;
        }
        let e: f64 = match self.tails {
            Tails::Normal => standard_normal(rng),
            Tails::Heavy => student_t().sample(rng),
        };
        v * (self.error * e).exp()
    }
}

fn student_t() -> StudentsT {
    // Location 0, scale 1 and 4 degrees of freedom are valid parameters.
    StudentsT::new(0.0, 1.0, HEAVY_TAIL_DF).unwrap_or_else(|_| unreachable!())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(kind: ObservationKind, error: f64) -> ObservationModel {
        ObservationModel {
            kind,
            ln_value: 100.0f64.ln(),
            ln_upper: 200.0f64.ln(),
            error,
            tails: Tails::Normal,
            basis: None,
            in_likelihood: true,
        }
    }

    #[test]
    fn exact_bounds_are_indicators_and_about_peaks_at_the_value() {
        let at_least = model(ObservationKind::AtLeast, 0.0);
        assert_eq!(at_least.log_likelihood(100.0), 0.0);
        assert_eq!(at_least.log_likelihood(99.9), f64::NEG_INFINITY);
        let between = model(ObservationKind::Between, 0.0);
        assert_eq!(between.log_likelihood(150.0), 0.0);
        assert_eq!(between.log_likelihood(201.0), f64::NEG_INFINITY);
        let about = model(ObservationKind::About, 0.1);
        assert_eq!(about.log_likelihood(100.0), 0.0);
        let one_sd = about.log_likelihood(100.0 * 0.1f64.exp());
        assert!((one_sd + 0.5).abs() < 1e-12);
        let soft = model(ObservationKind::AtMost, 0.1);
        assert!((soft.log_likelihood(100.0) - 0.5f64.ln()).abs() < 1e-12);
    }
}
