//! Builds nobody announced, in one trial: a compound Poisson process of lumps of capacity on
//! the city's own `unannounced` stream (docs/model.md, "Unannounced builds").

use super::latent::{Latent, Steered};
use super::risk::{self, ramp_fraction};
use super::sampler::standard_exponential;
use super::sampler::{Sampler, ToSampler};
use super::streams::{StreamKind, stream, stream_key};
use crate::scenario::Unannounced;
use crate::scenario::grid::Grid;

/// A city's unannounced builds, compiled.
#[derive(Debug, Clone)]
pub(super) struct UnannouncedModel {
    rate: Steered,
    size: Sampler,
    ramp_years: f64,
    stream_key: u64,
}

/// Where the builds go: the city's grid values, the trial's probe times and the city's values
/// at them.
pub(super) type Targets<'a> = (&'a mut [f64], &'a [f64], &'a mut [f64]);

impl UnannouncedModel {
    pub(super) fn new(u: &Unannounced, city: &str) -> Self {
        UnannouncedModel {
            rate: Steered::new(&u.rate),
            size: u.size.sampler(),
            ramp_years: u.ramp_years,
            stream_key: stream_key(StreamKind::CityDraw, &[city, "unannounced"]),
        }
    }

    /// Draws the trial's rate λ (once, steerable), then the arrivals one by one: the gap to
    /// the next, an exponential of mean 1 / λ, and its size S (negative draws count as 0),
    /// until the horizon's end. Each build adds S x its ramp (and, with a lifetime, what of it
    /// survives) at every grid and probe time from its arrival on, and goes into `builds` as
    /// (`city`, arrival as a decimal year, S in P). Returns (λ, capacity of the builds that
    /// arrived within the horizon, P).
    pub(super) fn add(
        &self,
        grid: &Grid,
        (seed, trial, latent): (u64, u64, &mut Latent),
        lifetime: Option<f64>,
        (out, probe_times, at_probes): Targets,
        (city, builds): (usize, &mut Vec<(usize, f64, f64)>),
    ) -> (f64, f64) {
        let mut rng = stream(seed, trial, self.stream_key);
        let rate = self
            .rate
            .draw(&mut rng, latent)
            .clamp(0.0, crate::scenario::MAX_UNANNOUNCED_RATE);
        let mut built = 0.0;
        if rate <= 0.0 {
            return (rate, built);
        }
        let (end, ramp) = (grid.end(), self.ramp_years);
        let share = |age: f64| match lifetime {
            None => ramp_fraction(age, ramp),
            Some(life) => risk::surviving_fraction(age, ramp, life),
        };
        let mut at = grid.start;
        let first_build = builds.len();
        let simple = ramp == 0.0 && lifetime.is_none();
        loop {
            let gap = standard_exponential(&mut rng);
            at += gap / rate;
            if at > end {
                break;
            }
            let size = self.size.sample(&mut rng).max(0.0);
            built += size;
            builds.push((city, at, size));
            if simple {
                // share is 1 from the arrival on, 0 before: the same sums without the product.
                for (t, v) in probe_times.iter().zip(at_probes.iter_mut()) {
                    *v += if *t >= at { size } else { 0.0 };
                }
            } else {
                let first = grid.first_index_at_or_after(at).unwrap_or(out.len());
                for (k, v) in out.iter_mut().enumerate().skip(first) {
                    *v += size * share(grid.time(k) - at);
                }
                for (t, v) in probe_times.iter().zip(at_probes.iter_mut()) {
                    *v += size * share(t - at);
                }
            }
        }
        if simple {
            add_running_sum(grid, &builds[first_build..], out);
        }
        (rate, built)
    }
}

/// Adds to each grid value the sizes of the builds (in arrival order) that arrived by its time:
/// one pass over the grid with a running sum, instead of one per build.
fn add_running_sum(grid: &Grid, builds: &[(usize, f64, f64)], out: &mut [f64]) {
    let len = out.len();
    let mut arrivals = builds
        .iter()
        .map(|(_, at, size)| (grid.first_index_at_or_after(*at).unwrap_or(len), *size))
        .peekable();
    let mut sum = 0.0;
    for (k, v) in out.iter_mut().enumerate() {
        while let Some((_, size)) = arrivals.next_if(|(first, _)| *first <= k) {
            sum += size;
        }
        *v += sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The running sum adds what the per-build loop adds: two builds on one grid step, one a
    /// hair (within the grid's tolerance) before a grid time, one at the start, one after the
    /// end; exact here, since the sizes are small integers.
    #[test]
    fn the_running_sum_adds_each_build_from_its_first_grid_time() {
        let grid = Grid {
            start: 2025.0,
            steps_per_year: 4,
            steps: 8,
        };
        let builds = [
            (0, 2025.0, 1.0),
            (0, 2025.1, 2.0),
            (0, 2025.2, 4.0),
            (0, 2025.5 - 1e-7, 8.0),
            (0, 2026.0, 16.0),
            (0, 2027.5, 32.0),
        ];
        let mut fast = vec![100.0; grid.len()];
        add_running_sum(&grid, &builds, &mut fast);
        let mut slow = vec![100.0; grid.len()];
        for (_, at, size) in builds {
            let first = grid.first_index_at_or_after(at).unwrap_or(slow.len());
            slow[first..].iter_mut().for_each(|v| *v += size);
        }
        assert_eq!(fast, slow);
        assert_eq!(
            fast,
            [
                101.0, 107.0, 115.0, 115.0, 131.0, 131.0, 131.0, 131.0, 131.0
            ]
        );
    }
}
