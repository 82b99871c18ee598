//! The distribution vocabulary of scenario files: what a user may write, how it is checked, how it is sampled.
//!
//! A value is a bare number (fixed) or a table `{ dist = "...", ... }`. Checking and
//! summary statistics (CDF, quantiles) use statrs; sampling uses rand_distr.

use crate::scenario::diag::Diagnostics;
use statrs::distribution::ContinuousCDF;
use std::ops::Range;

/// z such that P(Z <= z) = 0.95 for a standard normal Z.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// A distribution as written in a scenario, with parameters already checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// A bare number: always this value.
    Fixed(f64),
    /// Uniform on [min, max].
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
    /// Normal distribution.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Stated by its 90% interval, the way planners state it.
    LogNormal {
        /// 5th percentile.
        p5: f64,
        /// 95th percentile.
        p95: f64,
    },
    /// Triangular distribution.
    Triangular {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
    },
    /// PERT distribution (a beta distribution shaped by min, mode and max).
    Pert {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
    },
}

/// The names accepted for `dist`, with their parameters, for error messages and docs.
pub const KINDS: &[(&str, &[&str])] = &[
    ("uniform", &["min", "max"]),
    ("normal", &["mean", "sd"]),
    ("lognormal", &["p5", "p95"]),
    ("triangular", &["min", "mode", "max"]),
    ("pert", &["min", "mode", "max"]),
];

impl Dist {
    /// Parses a value at `key`; pushes every problem to `diags` and returns None if there is one.
    pub fn parse(
        value: &toml::Value,
        key: &str,
        span: Range<usize>,
        diags: &mut Diagnostics,
    ) -> Option<Dist> {
        match value {
            toml::Value::Integer(i) => Some(Dist::Fixed(*i as f64)),
            toml::Value::Float(x) if x.is_finite() => Some(Dist::Fixed(*x)),
            toml::Value::Float(x) => {
                diags.push(Some(span), key, format!("must be a finite number, got {x}"));
                None
            }
            toml::Value::Table(table) => parse_table(table, key, span, diags),
            other => {
                diags.push(
                    Some(span),
                    key,
                    format!(
                        "expected a number or a distribution table such as \
                         {{ dist = \"normal\", mean = 0.3, sd = 0.08 }}, got {}",
                        other.type_str()
                    ),
                );
                None
            }
        }
    }

    /// The median of the distribution.
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The p-quantile (0 < p < 1).
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Dist::Fixed(x) => x,
            Dist::Uniform { min, max } => min + (max - min) * p,
            Dist::Normal { mean, sd } => mean + sd * standard_normal_quantile(p),
            Dist::LogNormal { p5, p95 } => {
                let (mu, sigma) = lognormal_params(p5, p95);
                (mu + sigma * standard_normal_quantile(p)).exp()
            }
            Dist::Triangular { min, mode, max } => triangular_quantile(min, mode, max, p),
            Dist::Pert { min, mode, max } => {
                let (a, b) = pert_shape(min, mode, max);
                let beta = statrs::distribution::Beta::new(a, b).expect("checked shape");
                // statrs's inverse panics near the ends (guided draws reach them): cut 1e-9.
                min + (max - min) * beta.inverse_cdf(p.clamp(PERT_END, 1.0 - PERT_END))
            }
        }
    }

    /// P(X < x).
    pub fn prob_below(&self, x: f64) -> f64 {
        match *self {
            Dist::Fixed(v) => f64::from(v < x),
            Dist::Uniform { min, max } => {
                if max == min {
                    f64::from(min < x)
                } else {
                    ((x - min) / (max - min)).clamp(0.0, 1.0)
                }
            }
            Dist::Normal { mean, sd } => {
                if sd == 0.0 {
                    f64::from(mean < x)
                } else {
                    statrs::distribution::Normal::new(mean, sd)
                        .expect("checked sd")
                        .cdf(x)
                }
            }
            Dist::LogNormal { p5, p95 } => {
                if x <= 0.0 {
                    0.0
                } else {
                    let (mu, sigma) = lognormal_params(p5, p95);
                    if sigma == 0.0 {
                        f64::from(mu.exp() < x)
                    } else {
                        standard_normal_cdf((x.ln() - mu) / sigma)
                    }
                }
            }
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                if x <= min {
                    0.0
                } else if x >= max {
                    1.0
                } else if let Dist::Pert { .. } = self {
                    let (a, b) = pert_shape(min, mode, max);
                    statrs::distribution::Beta::new(a, b)
                        .expect("checked shape")
                        .cdf((x - min) / (max - min))
                } else if x <= mode {
                    ((x - min) / (max - min)) * ((x - min) / (mode - min))
                } else {
                    1.0 - ((max - x) / (max - min)) * ((max - x) / (max - mode))
                }
            }
        }
    }

    /// The smallest and largest values a draw can take (infinite for normal tails).
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Fixed(x) => (x, x),
            Dist::Uniform { min, max }
            | Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. } => (min, max),
            Dist::Normal { mean, sd: 0.0 } => (mean, mean),
            Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Dist::LogNormal { p5, p95 } if p5 == p95 => (p5, p5),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY),
        }
    }

    /// True when every draw gives the same value.
    pub fn is_fixed(&self) -> bool {
        let (lo, hi) = self.support();
        lo == hi
    }
}

/// (mu, sigma) of ln X for a lognormal with the given 5th and 95th percentiles.
pub fn lognormal_params(p5: f64, p95: f64) -> (f64, f64) {
    let (l5, l95) = (p5.ln(), p95.ln());
    ((l5 + l95) / 2.0, (l95 - l5) / (2.0 * Z95))
}

/// The Beta shape (alpha, beta) of a PERT distribution with the classic weight 4.
pub fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let range = max - min;
    (
        1.0 + 4.0 * (mode - min) / range,
        1.0 + 4.0 * (max - mode) / range,
    )
}

/// Ranges wider than this are computed in units of the range: their square would overflow.
pub const LARGE_RANGE: f64 = 1e150;

/// How close to 0 or 1 a PERT quantile is taken (see [`Dist::quantile`]).
const PERT_END: f64 = 1e-9;

fn triangular_quantile(min: f64, mode: f64, max: f64, p: f64) -> f64 {
    let range = max - min;
    if range == 0.0 {
        return min;
    }
    let split = (mode - min) / range;
    if range > LARGE_RANGE {
        return if p < split {
            min + range * (p * split).sqrt()
        } else {
            max - range * ((1.0 - p) * (1.0 - split)).sqrt()
        };
    }
    if p < split {
        min + (p * range * (mode - min)).sqrt()
    } else {
        max - ((1.0 - p) * range * (max - mode)).sqrt()
    }
}

/// Φ(z), the standard normal CDF.
pub fn standard_normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p), the standard normal quantile.
pub fn standard_normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

fn parse_table(
    table: &toml::Table,
    key: &str,
    span: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Dist> {
    let kind_names: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    let kind = match table.get("dist") {
        Some(toml::Value::String(s)) => s.as_str(),
        Some(other) => {
            diags.push(
                Some(span),
                &format!("{key}.dist"),
                format!(
                    "must be a string, one of {}; got {}",
                    kind_names.join(", "),
                    other.type_str()
                ),
            );
            return None;
        }
        None => {
            diags.push(
                Some(span),
                &format!("{key}.dist"),
                format!(
                    "missing: a distribution table needs `dist`, one of {}",
                    kind_names.join(", ")
                ),
            );
            return None;
        }
    };
    let Some((_, params)) = KINDS.iter().find(|(k, _)| *k == kind) else {
        diags.push(
            Some(span),
            &format!("{key}.dist"),
            format!(
                "unknown distribution \"{kind}\"; valid: {}",
                kind_names.join(", ")
            ),
        );
        return None;
    };
    let before = diags.items.len();
    for name in table.keys() {
        if name != "dist" && !params.contains(&name.as_str()) {
            diags.push(
                Some(span.clone()),
                &format!("{key}.{name}"),
                format!(
                    "unknown key for a {kind} distribution; allowed: dist, {}",
                    params.join(", ")
                ),
            );
        }
    }
    let values: Vec<f64> = params
        .iter()
        .map(|p| number_param(table, key, p, kind, span.clone(), diags))
        .collect();
    if diags.items.len() > before {
        return None;
    }
    check_params(kind, &values, key, span, diags)
}

fn number_param(
    table: &toml::Table,
    key: &str,
    param: &str,
    kind: &str,
    span: Range<usize>,
    diags: &mut Diagnostics,
) -> f64 {
    let full = format!("{key}.{param}");
    match table.get(param) {
        Some(toml::Value::Integer(i)) => *i as f64,
        Some(toml::Value::Float(x)) if x.is_finite() => *x,
        Some(toml::Value::Float(x)) => {
            diags.push(
                Some(span),
                &full,
                format!("must be a finite number, got {x}"),
            );
            f64::NAN
        }
        Some(other) => {
            diags.push(
                Some(span),
                &full,
                format!("must be a number, got {}", other.type_str()),
            );
            f64::NAN
        }
        None => {
            diags.push(
                Some(span),
                &full,
                format!("missing: a {kind} distribution needs `{param}`"),
            );
            f64::NAN
        }
    }
}

fn check_params(
    kind: &str,
    v: &[f64],
    key: &str,
    span: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Dist> {
    let mut fail = |field: &str, msg: String| {
        diags.push(Some(span.clone()), &format!("{key}.{field}"), msg);
        None
    };
    match kind {
        "uniform" if v[0] > v[1] => {
            fail("min", format!("min ({}) must be <= max ({})", v[0], v[1]))
        }
        "uniform" => Some(Dist::Uniform {
            min: v[0],
            max: v[1],
        }),
        "normal" if v[1] < 0.0 => fail("sd", format!("must be >= 0, got {}", v[1])),
        "normal" => Some(Dist::Normal {
            mean: v[0],
            sd: v[1],
        }),
        "lognormal" if v[0] <= 0.0 => fail("p5", format!("must be > 0, got {}", v[0])),
        "lognormal" if v[0] > v[1] => {
            fail("p5", format!("p5 ({}) must be <= p95 ({})", v[0], v[1]))
        }
        "lognormal" => Some(Dist::LogNormal {
            p5: v[0],
            p95: v[1],
        }),
        _ => {
            let (min, mode, max) = (v[0], v[1], v[2]);
            if min > max {
                fail("min", format!("min ({min}) must be <= max ({max})"))
            } else if mode < min || mode > max {
                fail(
                    "mode",
                    format!("mode ({mode}) must lie in [min, max] = [{min}, {max}]"),
                )
            } else if min == max {
                Some(Dist::Fixed(min))
            } else if kind == "triangular" {
                Some(Dist::Triangular { min, mode, max })
            } else {
                Some(Dist::Pert { min, mode, max })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Dist>, Diagnostics) {
        let v: toml::Table = toml::from_str(&format!("x = {text}")).unwrap();
        let mut d = Diagnostics::default();
        let dist = Dist::parse(&v["x"], "x", 0..1, &mut d);
        (dist, d)
    }

    #[test]
    fn pert_quantiles_hold_at_the_ends() {
        // Guided draws reach Φ(z) within 1e-16 of 0 and 1, where statrs's inverse used to panic.
        for (min, mode, max) in [(13e3, 17e3, 22e3), (0.0, 0.01, 1.0), (1.0, 9.9, 10.0)] {
            let d = Dist::Pert { min, mode, max };
            let mut last = min;
            for p in [0.0, 1e-300, 1e-12, 1e-9, 0.5, 1.0 - 1e-12, 1.0 - 1e-16, 1.0] {
                let x = d.quantile(p);
                assert!(x >= last && x <= max, "{p}: {x}");
                last = x;
            }
        }
    }

    #[test]
    fn parses_every_kind() {
        assert_eq!(parse("3").0, Some(Dist::Fixed(3.0)));
        assert_eq!(
            parse("{ dist = \"normal\", mean = 0.3, sd = 0.08 }").0,
            Some(Dist::Normal {
                mean: 0.3,
                sd: 0.08
            })
        );
        assert_eq!(
            parse("{ dist = \"pert\", min = 1, mode = 2, max = 4 }").0,
            Some(Dist::Pert {
                min: 1.0,
                mode: 2.0,
                max: 4.0
            })
        );
    }

    #[test]
    fn reports_bad_parameters_by_key() {
        let (d, diags) = parse("{ dist = \"normal\", mean = 0.3, sd = -1 }");
        assert!(d.is_none());
        assert_eq!(diags.items[0].key, "x.sd");
        let (_, diags) = parse("{ dist = \"triangular\", min = 1, mode = 5, max = 4 }");
        assert_eq!(diags.items[0].key, "x.mode");
        let (_, diags) = parse("{ dist = \"gauss\", mean = 1 }");
        assert!(diags.items[0].message.contains("valid: uniform, normal"));
        let (_, diags) = parse("{ dist = \"normal\", mean = 1, sdd = 2 }");
        assert_eq!(diags.items.len(), 2, "unknown key and missing sd");
        let (_, diags) = parse("nan");
        assert!(diags.items[0].message.contains("finite"));
    }

    #[test]
    fn lognormal_interval_round_trips() {
        let d = Dist::LogNormal {
            p5: 10.0,
            p95: 40.0,
        };
        assert!((d.quantile(0.05) - 10.0).abs() < 1e-9);
        assert!((d.quantile(0.95) - 40.0).abs() < 1e-9);
        assert!((d.median() - 20.0).abs() < 1e-9);
        // statrs's erfc is off by about 2e-12 here; a wrong parameter would be off by > 1e-3.
        assert!((d.prob_below(40.0) - 0.95).abs() < 1e-10);
    }

    #[test]
    fn triangular_and_pert_quantiles_invert_their_cdfs() {
        for d in [
            Dist::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 5.0,
            },
            Dist::Pert {
                min: 1.0,
                mode: 2.0,
                max: 5.0,
            },
        ] {
            for p in [0.05, 0.3, 0.5, 0.9] {
                assert!(
                    (d.prob_below(d.quantile(p)) - p).abs() < 1e-9,
                    "{d:?} at {p}"
                );
            }
        }
    }
}
