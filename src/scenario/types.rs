//! The validated scenario: cities, projects, risks, targets and observations as the model and
//! the analysis read them. Plain data; built by `validate`, imported by every other file here.

use crate::scenario::dist::Dist;
use crate::scenario::grid::Grid;
/// Default number of trials when neither the file nor the command line gives one.
pub const DEFAULT_TRIALS: u64 = 100_000;
/// Default seed: the date of the founding article.
pub const DEFAULT_SEED: u64 = 20_240_802;
/// Default grid resolution: quarters.
pub const DEFAULT_STEPS_PER_YEAR: u32 = 4;

/// A checked scenario, ready to compile into a model.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Scenario name (names the output folder).
    pub name: String,
    /// Free text describing the scenario.
    pub description: String,
    /// The time grid, start to end.
    pub grid: Grid,
    /// Number of trials.
    pub trials: u64,
    /// Random seed.
    pub seed: u64,
    /// The cities, in file order.
    pub cities: Vec<City>,
    /// The targets, in file order.
    pub targets: Vec<Target>,
    /// Rank correlation of the cities' growth draws; None: independent.
    pub correlation: Option<Correlation>,
    /// Events shared by the cities they hit.
    pub shocks: Vec<Shock>,
    /// The national growth factor and the shared share of per-step shocks.
    pub dynamics: Dynamics,
    /// Every report, of any series, in file order (cities' `[[city.observed]]` first).
    pub observations: Vec<Observation>,
    /// Reporting bases that observations refer to.
    pub bases: Vec<Basis>,
    /// Whether tables are conditioned on the observations (docs/model.md, "Conditioning").
    pub condition: bool,
    /// Groups of cities (hubs, provinces, regions), each a series summed within the trial.
    pub groups: Vec<Group>,
    /// Ordered pairs of series (leader, follower) whose overtaking is counted, as indices of
    /// [`Scenario::series`]; by default every pair of the largest few cities.
    pub rivalries: Vec<(Series, Series)>,
}

/// Default mean-reversion time of a city's growth deviation, years, when not given.
pub const DEFAULT_GROWTH_REVERSION_YEARS: f64 = 0.5;
/// Default mean-reversion time of the national growth factor, years, when not given.
pub const DEFAULT_NATIONAL_REVERSION_YEARS: f64 = 1.0;

/// `[dynamics]`: what every city of the scenario shares, step by step (docs/model.md, "Growth
/// that moves"). The default is nothing shared.
#[derive(Debug, Clone, PartialEq)]
pub struct Dynamics {
    /// Annual volatility of the national Ornstein-Uhlenbeck factor of log growth.
    pub national_volatility: f64,
    /// Its mean-reversion time, years.
    pub national_reversion_years: f64,
    /// Degrees of freedom of its Student-t innovations; None: normal.
    pub national_tails_df: Option<f64>,
    /// Share of the variance of each city's per-step shock that is common to all cities.
    pub shared_shock: f64,
}

impl Default for Dynamics {
    fn default() -> Self {
        Dynamics {
            national_volatility: 0.0,
            national_reversion_years: DEFAULT_NATIONAL_REVERSION_YEARS,
            national_tails_df: None,
            shared_shock: 0.0,
        }
    }
}

/// A named set of cities: its capacity is the sum of its cities' within each trial (a city
/// reached through several members counts once).
#[derive(Debug, Clone)]
pub struct Group {
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// The cities it sums, by index, ascending, each once.
    pub cities: Vec<usize>,
    /// Its members as written (cities or groups).
    pub members: Vec<String>,
}

/// One city: its starting capacity, growth, risks and projects.
#[derive(Debug, Clone)]
pub struct City {
    /// City name.
    pub name: String,
    /// Name shown on charts (`label`); None: the name.
    pub label: Option<String>,
    /// Installed capacity at the start, P.
    pub baseline: Dist,
    /// Annual growth rate of organic capacity, drawn once per trial.
    pub growth: Dist,
    /// Lumpiness of organic additions: annual sd of the log of their mean-one random factor.
    pub volatility: f64,
    /// Annual volatility of the city's Ornstein-Uhlenbeck deviation of log growth.
    pub growth_volatility: f64,
    /// Mean-reversion time of that deviation, years (1 / speed).
    pub growth_reversion_years: f64,
    /// Fading of the drawn growth toward a long-run rate; None: growth stays as drawn.
    pub fading: Option<Fading>,
    /// Growth rates in force from given years on, in increasing order of `from`.
    pub growth_periods: Vec<GrowthPeriod>,
    /// Power cap on installed capacity; None: no cap.
    pub power: Option<Power>,
    /// Years a unit of capacity lives; None: nothing retires.
    pub lifetime: Option<Dist>,
    /// Ceiling of organic capacity (P), approached as a logistic, drawn once per trial;
    /// None: no ceiling.
    pub ceiling: Option<Dist>,
    /// Share of installed capacity in use; None: used figures equal installed.
    pub utilisation: Option<Dist>,
    /// Announced projects that add capacity.
    pub projects: Vec<Project>,
    /// Builds nobody announced (a compound Poisson process); None: none.
    pub unannounced: Option<Unannounced>,
}

/// Builds nobody announced: arrivals at `rate` a year (drawn once per trial), each adding a
/// draw of `size` ramped linearly over `ramp_years` (docs/model.md, "Unannounced builds").
#[derive(Debug, Clone)]
pub struct Unannounced {
    /// Builds a year, drawn once per trial.
    pub rate: Dist,
    /// Capacity of one build, P, drawn per build.
    pub size: Dist,
    /// Years of linear ramp of each build.
    pub ramp_years: f64,
}

/// The growth rate fades from its draw g0 toward a long-run rate: the log rate ln(1 + g)
/// halves its distance to ln(1 + long_run) every `half_life_years`.
#[derive(Debug, Clone)]
pub struct Fading {
    /// Long-run annual growth rate, drawn once per trial.
    pub long_run: Dist,
    /// Years in which the log rate halves its distance to the long-run rate.
    pub half_life_years: f64,
}

/// A growth rate in force from a given year on.
#[derive(Debug, Clone)]
pub struct GrowthPeriod {
    /// Decimal year from which `growth` replaces the rate before it.
    pub from: f64,
    /// Annual growth rate in the period, drawn once per trial.
    pub growth: Dist,
}

/// cap(t) = mw (1 + mw_growth)^(t - start) * p_per_mw (1 + efficiency_growth)^(t - start), P.
#[derive(Debug, Clone)]
pub struct Power {
    /// Power available at the start, MW.
    pub mw: f64,
    /// Annual growth of the power available, drawn once per trial.
    pub mw_growth: Dist,
    /// Capacity per MW at the start, P/MW.
    pub p_per_mw: f64,
    /// Annual improvement of P per MW.
    pub efficiency_growth: f64,
}

/// A Gaussian copula on the cities' growth draws.
#[derive(Debug, Clone)]
pub struct Correlation {
    /// Spearman rank correlations as written (or expanded from one number), city order.
    pub rank: Vec<Vec<f64>>,
    /// Lower-triangular factor L of the normals' Pearson matrix 2 sin(pi r / 6): L L^T.
    pub factor: Vec<Vec<f64>>,
}

/// When a shock starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShockTiming {
    /// Starts within any year with this probability (independently each grid step).
    Annual(f64),
    /// Starts surely at this decimal year.
    At(f64),
}

/// An event shared, within a trial, by every city it hits.
#[derive(Debug, Clone)]
pub struct Shock {
    /// Shock name.
    pub name: String,
    /// Name shown on charts (`label`); None: the name.
    pub label: Option<String>,
    /// When the shock starts.
    pub timing: ShockTiming,
    /// Indices of the cities hit.
    pub cities: Vec<usize>,
    /// Growth rates are multiplied by this while the shock lasts.
    pub growth_multiplier: f64,
    /// Share of organic capacity lost at once when it starts.
    pub capacity_loss: f64,
    /// How long the growth multiplier lasts, years.
    pub duration_years: f64,
}

/// An announced project that adds capacity to its city.
#[derive(Debug, Clone)]
pub struct Project {
    /// Project name.
    pub name: String,
    /// Name shown on charts (`label`); None: the name without a trailing "(...)".
    pub label: Option<String>,
    /// Full capacity once ramped, P.
    pub capacity: Dist,
    /// Decimal year at which it starts to count.
    pub online: Dist,
    /// Chance it is delivered at all.
    pub probability: f64,
    /// Years of linear ramp from online to full capacity.
    pub ramp_years: Dist,
    /// Delay after `online`, years, drawn once per trial; None: no slip.
    pub slip: Option<Dist>,
}

/// Which series a target or a table row refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// The city with this index, in file order.
    City(usize),
    /// The group with this index, in file order: the sum of its cities.
    Group(usize),
    /// The sum over cities.
    Total,
}

/// A capacity to reach by a date, and where to check it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The series checked.
    pub series: Series,
    /// The city's name or "Total".
    pub label: String,
    /// Decimal year as written.
    pub at: f64,
    /// Capacity to reach, P.
    pub capacity: f64,
    /// Index of the first grid time >= `at`.
    pub grid_index: usize,
}

/// What a report says about the true value on its basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObservationKind {
    /// The value, with a lognormal (or Student-t) error.
    About,
    /// "Exceeds X": the true value is at least X.
    AtLeast,
    /// An upper bound: the true value is at most X.
    AtMost,
    /// Between `capacity` and `upper` (e.g. a rounded figure).
    Between,
}

impl ObservationKind {
    /// The name as written in a scenario file.
    pub fn name(self) -> &'static str {
        match self {
            ObservationKind::About => "about",
            ObservationKind::AtLeast => "at_least",
            ObservationKind::AtMost => "at_most",
            ObservationKind::Between => "between",
        }
    }
}

/// The shape of a report's error on the log scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tails {
    /// Normal.
    Normal,
    /// Student-t with 4 degrees of freedom: one odd figure cannot dominate.
    Heavy,
}

/// A value that was reported for a series, to be placed in the projected distribution and,
/// when the scenario conditions, to weight the trials.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The series reported.
    pub series: Series,
    /// Its name (a city or "Total").
    pub label: String,
    /// Reference date, decimal year.
    pub at: f64,
    /// Reported value, P (the lower end for `between`).
    pub capacity: f64,
    /// Upper end, P, for `between`.
    pub upper: Option<f64>,
    /// What the report says.
    pub kind: ObservationKind,
    /// Standard deviation of ln(reported / true); 0 makes a bound exact.
    pub error: f64,
    /// Normal or heavy-tailed error.
    pub tails: Tails,
    /// Index into [`Scenario::bases`]; None: installed capacity, P FP16.
    pub basis: Option<usize>,
    /// When the figure became public, decimal year.
    pub published: f64,
    /// Where it was reported (document and date).
    pub source: String,
    /// Index of the first grid time >= `at` (for charts).
    pub grid_index: usize,
    /// A report at the scenario's start on its own basis defines the baseline: it is placed
    /// (backtest) but left out of the likelihood, so it is not used twice.
    pub defines_baseline: bool,
    /// Whether conditioning weights by it (`condition = false` keeps it for scoring only; a
    /// report that defines the baseline never is).
    pub in_likelihood: bool,
}

/// A reporting basis: value on this basis = factor x installed capacity at t + lag.
#[derive(Debug, Clone)]
pub struct Basis {
    /// Its name.
    pub name: String,
    /// What it counts.
    pub description: String,
    /// Value-on-this-basis / installed value, drawn once per trial.
    pub factor: Dist,
    /// Years between the report's date and the installed capacity it measures.
    pub lag_years: Option<Dist>,
}

/// A scenario with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Path of the scenario file as given.
    pub path: String,
    /// SHA-256 of the file's bytes, hex.
    pub content_hash: String,
    /// The file's text as read (before any override).
    pub text: String,
    /// `--set` overrides applied on top of the file, in order.
    pub overrides: Vec<crate::scenario::overrides::Override>,
}

impl Scenario {
    /// Name of series `s`: a city's or group's name, or "Total".
    pub fn series_name(&self, s: Series) -> &str {
        match s {
            Series::City(i) => &self.cities[i].name,
            Series::Group(g) => &self.groups[g].name,
            Series::Total => "Total",
        }
    }

    /// Every series in table (and storage) order: the cities, the groups, then Total.
    pub fn series(&self) -> Vec<Series> {
        (0..self.cities.len())
            .map(Series::City)
            .chain((0..self.groups.len()).map(Series::Group))
            .chain(std::iter::once(Series::Total))
            .collect()
    }

    /// Position of series `s` in [`Scenario::series`] (and in every series-major table).
    pub fn series_index(&self, s: Series) -> usize {
        match s {
            Series::City(i) => i,
            Series::Group(g) => self.cities.len() + g,
            Series::Total => self.cities.len() + self.groups.len(),
        }
    }

    /// The series named `name` (a city, a group or "Total").
    pub fn series_named(&self, name: &str) -> Option<Series> {
        self.series()
            .into_iter()
            .find(|s| self.series_name(*s) == name)
    }

    /// The cities series `s` sums.
    pub fn series_cities(&self, s: Series) -> Vec<usize> {
        match s {
            Series::City(i) => vec![i],
            Series::Group(g) => self.groups[g].cities.clone(),
            Series::Total => (0..self.cities.len()).collect(),
        }
    }
}
