//! Groups and rivalries as written: `[[group]]` (cities and other groups, no cycles) checked
//! into [`Group`]s, the names every series can be referred to by, and `[[rivalry]]` pairs
//! (by default every pair of the largest few cities).

use super::diag::Diagnostics;
use super::raw::{RawCity, RawGroup, RawRivalry};
use super::types::{City, Group, Series};
use std::collections::HashMap;
use toml::Spanned;

/// Cities in the default rivalries: every ordered pair of the largest few (by median baseline).
pub const DEFAULT_RIVALS: usize = 5;

/// The names a series can be referred to by, for targets, reports and rivalries.
pub struct SeriesNames<'a> {
    /// City names in file order.
    pub cities: Vec<&'a str>,
    /// Group names in file order.
    pub groups: Vec<&'a str>,
}

impl<'a> SeriesNames<'a> {
    /// The names of a file's cities and groups.
    pub fn new(cities: &'a [Spanned<RawCity>], groups: &'a [Spanned<RawGroup>]) -> Self {
        SeriesNames {
            cities: cities
                .iter()
                .map(|c| c.get_ref().name.get_ref().as_str())
                .collect(),
            groups: groups
                .iter()
                .map(|g| g.get_ref().name.get_ref().as_str())
                .collect(),
        }
    }

    /// The series called `name`.
    pub fn resolve(&self, name: &str) -> Option<Series> {
        if name == "Total" {
            return Some(Series::Total);
        }
        if let Some(i) = self.cities.iter().position(|c| *c == name) {
            return Some(Series::City(i));
        }
        self.groups
            .iter()
            .position(|g| *g == name)
            .map(Series::Group)
    }

    /// Every name to its series, for many look-ups (the first of a repeated name wins).
    pub fn lookup(&self) -> HashMap<&'a str, Series> {
        let mut map = HashMap::new();
        for (i, c) in self.cities.iter().enumerate() {
            map.entry(*c).or_insert(Series::City(i));
        }
        for (g, n) in self.groups.iter().enumerate() {
            map.entry(*n).or_insert(Series::Group(g));
        }
        map
    }

    /// "A, B, group G, Total": the valid names, for messages (at most 12 listed).
    pub fn valid(&self) -> String {
        let mut all: Vec<String> = self.cities.iter().map(|c| c.to_string()).collect();
        all.extend(self.groups.iter().map(|g| g.to_string()));
        let more = all.len().saturating_sub(12);
        all.truncate(12);
        if more > 0 {
            all.push(format!("and {more} more"));
        }
        all.push("Total".to_string());
        all.join(", ")
    }
}

/// Checks every group: a unique name that is no city's and not "Total", known members, no
/// cycle; returns each group with the cities it sums.
pub fn groups(
    raw: &[Spanned<RawGroup>],
    names: &SeriesNames,
    diags: &mut Diagnostics,
) -> Vec<Group> {
    let mut ok = true;
    for (i, g) in raw.iter().enumerate() {
        let g = g.get_ref();
        let name = g.name.get_ref().as_str();
        let key = format!("group[{i}]");
        let clash = name.trim().is_empty()
            || name == "Total"
            || names.cities.contains(&name)
            || names.groups.iter().filter(|n| **n == name).count() > 1;
        if clash {
            ok = false;
            diags.push(
                Some(g.name.span()),
                &format!("{key}.name"),
                "must be non-empty, not \"Total\", and unique among cities and groups",
            );
        }
        for m in g.members.get_ref() {
            if names.resolve(m).is_none_or(|s| s == Series::Total) {
                ok = false;
                diags.push(
                    Some(g.members.span()),
                    &format!("{key}.members"),
                    format!("no city or group named \"{m}\"; valid: {}", names.valid()),
                );
            }
        }
        if g.members.get_ref().is_empty() {
            ok = false;
            diags.push(
                Some(g.members.span()),
                &format!("{key}.members"),
                "lists no member",
            );
        }
    }
    if !ok {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut flat = Flattening {
        lookup: names.lookup(),
        memo: vec![None; raw.len()],
        path: Vec::new(),
        on_path: vec![false; raw.len()],
    };
    for (i, g) in raw.iter().enumerate() {
        match flat.expand(i, raw, names) {
            Ok(cities) => {
                let g = g.get_ref();
                out.push(Group {
                    name: g.name.get_ref().clone(),
                    description: g.description.clone().unwrap_or_default(),
                    cities,
                    members: g.members.get_ref().clone(),
                });
            }
            Err(cycle) => {
                diags.push(
                    Some(g.get_ref().members.span()),
                    &format!("group[{i}].members"),
                    format!(
                        "groups contain each other in a circle: {}",
                        cycle.join(" -> ")
                    ),
                );
                return Vec::new();
            }
        }
    }
    out
}

/// Flattens groups into their cities once each (memoised), so that nesting costs time in
/// proportion to the members, not to the depth squared.
struct Flattening<'a> {
    lookup: HashMap<&'a str, Series>,
    /// Each group's cities, sorted and each once, when known.
    memo: Vec<Option<Vec<usize>>>,
    /// The groups being flattened, outermost first (to name a circle).
    path: Vec<usize>,
    on_path: Vec<bool>,
}

impl Flattening<'_> {
    /// The cities of group `i`, following member groups; Err(the circle) on a cycle.
    fn expand(
        &mut self,
        i: usize,
        raw: &[Spanned<RawGroup>],
        names: &SeriesNames,
    ) -> Result<Vec<usize>, Vec<String>> {
        if let Some(done) = &self.memo[i] {
            return Ok(done.clone());
        }
        if self.on_path[i] {
            let at = self.path.iter().position(|p| *p == i).unwrap_or(0);
            let mut cycle: Vec<String> = self.path[at..]
                .iter()
                .map(|g| names.groups[*g].to_string())
                .collect();
            cycle.push(names.groups[i].to_string());
            return Err(cycle);
        }
        self.path.push(i);
        self.on_path[i] = true;
        let mut cities = Vec::new();
        for m in raw[i].get_ref().members.get_ref() {
            match self.lookup.get(m.as_str()).copied() {
                Some(Series::City(c)) => cities.push(c),
                Some(Series::Group(g)) => cities.extend(self.expand(g, raw, names)?),
                _ => {}
            }
        }
        self.path.pop();
        self.on_path[i] = false;
        cities.sort_unstable();
        cities.dedup();
        self.memo[i] = Some(cities.clone());
        Ok(cities)
    }
}

/// The ordered (leader, follower) pairs whose overtaking is counted: every ordered pair among
/// each `[[rivalry]]`'s series, or, without any, among the largest few cities by median
/// baseline (kept in file order, so a scenario of few cities counts every pair as before).
pub fn rivalries(
    raw: &[Spanned<RawRivalry>],
    names: &SeriesNames,
    cities: &[City],
    diags: &mut Diagnostics,
) -> Vec<(Series, Series)> {
    if raw.is_empty() {
        let mut by_size: Vec<usize> = (0..cities.len()).collect();
        by_size.sort_by(|a, b| {
            cities[*b]
                .baseline
                .median()
                .total_cmp(&cities[*a].baseline.median())
        });
        by_size.truncate(DEFAULT_RIVALS);
        by_size.sort_unstable();
        return ordered_pairs(&by_size.into_iter().map(Series::City).collect::<Vec<_>>());
    }
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let r = r.get_ref();
        let written = r.series.get_ref();
        let series: Vec<Option<Series>> = written.iter().map(|n| names.resolve(n)).collect();
        let unknown = written.iter().zip(&series).find(|(_, s)| s.is_none());
        if series.len() < 2 || unknown.is_some() {
            let what = match unknown {
                Some((n, _)) => format!("no city or group named \"{n}\""),
                None => "must name two or more series".to_string(),
            };
            diags.push(
                Some(r.series.span()),
                &format!("rivalry[{i}].series"),
                format!("{what}; valid: {}", names.valid()),
            );
            continue;
        }
        for pair in ordered_pairs(&series.into_iter().flatten().collect::<Vec<_>>()) {
            if !out.contains(&pair) {
                out.push(pair);
            }
        }
    }
    out
}

/// Every ordered pair (a, b), a != b, leader-major.
fn ordered_pairs(series: &[Series]) -> Vec<(Series, Series)> {
    series
        .iter()
        .flat_map(|a| {
            series
                .iter()
                .filter(move |b| *b != a)
                .map(move |b| (*a, *b))
        })
        .collect()
}
