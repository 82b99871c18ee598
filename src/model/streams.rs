//! The random streams of a trial: one independent stream per (seed, trial, key), keyed by
//! names rather than positions so that adding a city, project or shock leaves every other
//! draw unchanged (common random numbers across variants of a scenario).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use sha2::{Digest, Sha256};

/// The random stream of one (seed, trial, stream) triple. Streams are keyed by names, not
/// positions, so adding a city or project leaves the others' draws unchanged.
pub fn stream(seed: u64, trial: u64, key: u64) -> Xoshiro256PlusPlus {
    let base = splitmix64(seed ^ splitmix64(key));
    Xoshiro256PlusPlus::seed_from_u64(splitmix64(
        base.wrapping_add(trial.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
    ))
}

/// What a random stream draws. The kind tag is part of every key, so two different
/// quantities never share a stream whatever users name their cities, projects, shocks and
/// bases (a project called `lifetime`, a city called `copula`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// A city's own draws of baseline and growth; names: the city.
    City,
    /// One of a city's separate draws; names: the city, the quantity (`lifetime`,
    /// `utilisation`, `power`, `ceiling`, `growth_long_run`, `growth_period<i>`,
    /// `unannounced`, and `steps`: its step normals, a Philox stream of [`crate::model::lanes`]).
    CityDraw,
    /// A project of a city; names: the city, the project.
    Project,
    /// A shock; names: the shock.
    Shock,
    /// The correlated-growth factor; no names.
    Copula,
    /// A scenario-wide per-step draw of the dynamics; names: `growth` (the national factor)
    /// or `shock` (the shared part of the cities' step shocks).
    National,
    /// A report's exact-time probe; names: its label, time and source.
    ProbeObserved,
    /// A target's exact-time probe; names: its label and time.
    ProbeTarget,
    /// A reporting basis; names: the basis.
    Basis,
    /// The randomised rounding of conditioning weights; no names.
    Condition,
    /// The guide's latent draws of a trial; no names.
    Guide,
    /// The seed of one adaptation stage of the guide; names: the stage number.
    GuideStage,
}

impl StreamKind {
    fn tag(self) -> &'static str {
        match self {
            StreamKind::City => "city",
            StreamKind::CityDraw => "city-draw",
            StreamKind::Project => "project",
            StreamKind::Shock => "shock",
            StreamKind::Copula => "copula",
            StreamKind::National => "national",
            StreamKind::ProbeObserved => "probe-observed",
            StreamKind::ProbeTarget => "probe-target",
            StreamKind::Basis => "basis",
            StreamKind::Condition => "condition",
            StreamKind::Guide => "guide",
            StreamKind::GuideStage => "guide-stage",
        }
    }
}

/// The 64-bit key of a stream: the first 8 bytes of the SHA-256 of a structured encoding
/// (the kind's tag, then the number of names, then each name, every string preceded by its
/// length in bytes), so that no two (kind, names) pairs share an encoding: no separator
/// inside a name can make one key look like another.
pub fn stream_key(kind: StreamKind, names: &[&str]) -> u64 {
    let mut hash = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    field(kind.tag().as_bytes());
    field(&(names.len() as u64).to_le_bytes());
    for name in names {
        field(name.as_bytes());
    }
    let digest = hash.finalize();
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// SplitMix64's output function: a bijection of 64-bit words that mixes every bit.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_trial_and_key() {
        use rand::Rng;
        let a = stream(1, 0, 7).next_u64();
        assert_eq!(a, stream(1, 0, 7).next_u64());
        assert_ne!(a, stream(1, 1, 7).next_u64());
        assert_ne!(a, stream(1, 0, 8).next_u64());
        assert_ne!(a, stream(2, 0, 7).next_u64());
    }

    #[test]
    fn d7_keys_of_different_quantities_never_coincide() {
        use StreamKind::*;
        let pairs = [
            (
                stream_key(CityDraw, &["A", "lifetime"]),
                stream_key(Project, &["A", "lifetime"]),
            ),
            (stream_key(City, &["copula"]), stream_key(Copula, &[])),
            (
                stream_key(City, &["a\u{1f}b"]),
                stream_key(CityDraw, &["a", "b"]),
            ),
            (
                stream_key(Project, &["a\u{1f}b", "c"]),
                stream_key(Project, &["a", "b\u{1f}c"]),
            ),
            (
                stream_key(Project, &["ab", "c"]),
                stream_key(Project, &["a", "bc"]),
            ),
            (stream_key(Shock, &["x"]), stream_key(Basis, &["x"])),
        ];
        for (a, b) in pairs {
            assert_ne!(a, b);
        }
    }
}
