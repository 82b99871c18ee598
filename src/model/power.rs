//! The power cap by vintage (docs/model.md, "Power cap"): capacity installed at time s draws
//! power at its own vintage's P per MW, e(s) = e_new (1 + efficiency_growth)^(s - start), so
//! the power in use is a running sum over the installed vintages, kept oldest first. The
//! uncapped path is the demand; what the free power cannot carry waits (deferred) and is
//! installed, at the vintage of the day it is installed, once power is freed or grows.

use super::latent::{Latent, Steered};
use super::probes::locate;
use super::risk::{MIN_GROWTH, baseline_retired_share};
use super::streams::stream;
use crate::scenario::grid::Grid;
use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub(super) struct PowerModel {
    /// Power available at the start, MW.
    pub(super) mw: f64,
    /// The baseline's average P per MW at the start.
    pub(super) p_per_mw: f64,
    pub(super) mw_growth: Steered,
    /// ln(1 + efficiency_growth), per year.
    pub(super) log_efficiency_growth: f64,
    pub(super) stream_key: u64,
}

/// What the cap needs to know of a city's trial besides its path.
pub(super) struct Fleet<'a> {
    /// The baseline B, P.
    pub(super) baseline: f64,
    /// (lifetime in steps, past log growth per step) when capacity retires.
    pub(super) retirement: Option<(f64, f64)>,
    /// Capacity leaving the uncapped path in each step (retirement, losses): taken from the
    /// oldest installed vintages first. Empty when nothing ever leaves it.
    pub(super) removals: &'a [f64],
}

/// Working space of the cap: installed vintages oldest first, as (capacity P, power MW), and
/// the deferred demand at each grid time (P).
#[derive(Debug, Clone, Default)]
pub(super) struct PowerScratch {
    vintages: VecDeque<(f64, f64)>,
    pub(super) deferred: Vec<f64>,
}

/// The fleet's installed capacity and power in use, vintages oldest first.
struct Installed<'a> {
    vintages: &'a mut VecDeque<(f64, f64)>,
    capacity: f64,
    mw: f64,
}

impl Installed<'_> {
    fn push(&mut self, capacity: f64, mw: f64) {
        if capacity > 0.0 {
            self.vintages.push_back((capacity, mw));
            self.capacity += capacity;
            self.mw += mw;
        }
    }

    /// Removes `amount` P of the oldest vintages (all of them when fewer).
    fn remove_oldest(&mut self, mut amount: f64) {
        while amount > 0.0 {
            let Some(front) = self.vintages.front_mut() else {
                break;
            };
            if front.0 <= amount {
                amount -= front.0;
                self.capacity -= front.0;
                self.mw -= front.1;
                self.vintages.pop_front();
            } else {
                let mw = front.1 * amount / front.0;
                front.0 -= amount;
                front.1 -= mw;
                self.capacity -= amount;
                self.mw -= mw;
                amount = 0.0;
            }
        }
        if self.vintages.is_empty() {
            (self.capacity, self.mw) = (0.0, 0.0);
        }
    }

    /// Switches off the oldest vintages until the power in use is at most `available` MW.
    fn shed_to(&mut self, available: f64) {
        while self.mw > available {
            let Some(front) = self.vintages.front_mut() else {
                break;
            };
            let excess = self.mw - available;
            if front.1 <= excess {
                self.capacity -= front.0;
                self.mw -= front.1;
                self.vintages.pop_front();
            } else {
                let capacity = front.0 * excess / front.1;
                front.0 -= capacity;
                front.1 -= excess;
                self.capacity -= capacity;
                self.mw = available;
            }
        }
        if self.vintages.is_empty() {
            (self.capacity, self.mw) = (0.0, 0.0);
        }
    }
}

impl PowerModel {
    /// Replaces the uncapped path `out` (the demand) by the installed capacity under the
    /// power cap, records where it binds and moves the probes; returns the trial's MW growth.
    pub(super) fn apply(
        &self,
        grid: &Grid,
        (seed, trial, latent): (u64, u64, &mut Latent),
        (fleet, scratch): (&Fleet, &mut PowerScratch),
        (out, binds): (&mut [f64], &mut [bool]),
        (probe_times, at_probes): (&[f64], &mut [f64]),
    ) -> f64 {
        let mut rng = stream(seed, trial, self.stream_key);
        let mw_growth = self.mw_growth.draw(&mut rng, latent).max(MIN_GROWTH);
        let dt = grid.dt();
        let mw_rate = mw_growth.ln_1p() * dt;
        let eff_rate = self.log_efficiency_growth * dt;
        let mut installed = Installed {
            vintages: &mut scratch.vintages,
            capacity: 0.0,
            mw: 0.0,
        };
        installed.vintages.clear();
        let e_new = self.baseline_vintages(fleet, eff_rate, &mut installed);
        scratch.deferred.clear();
        for (k, (v, b)) in out.iter_mut().zip(binds.iter_mut()).enumerate() {
            let available = self.mw * (k as f64 * mw_rate).exp();
            let efficiency = e_new * (k as f64 * eff_rate).exp();
            if let Some(r) = fleet.removals.get(k) {
                installed.remove_oldest(*r);
            }
            if installed.capacity > *v {
                installed.remove_oldest(installed.capacity - *v);
            }
            let shed = installed.mw > available;
            installed.shed_to(available);
            let wanted = *v - installed.capacity;
            let room = (available - installed.mw).max(0.0) * efficiency;
            *b = shed || wanted > room;
            if *b {
                installed.push(room, room / efficiency);
                scratch.deferred.push(wanted - room);
                *v = installed.capacity;
            } else {
                installed.push(wanted, wanted / efficiency);
                scratch.deferred.push(0.0);
            }
        }
        for (t, v) in probe_times.iter().zip(at_probes.iter_mut()) {
            *v = (*v - deferred_at(grid, &scratch.deferred, *t)).max(0.0);
        }
        mw_growth
    }

    /// Puts the baseline's vintages into `installed` and returns e_new, the P per MW of what is
    /// installed at the start. Without a lifetime the baseline is one vintage at `p_per_mw` and
    /// e_new = p_per_mw; with one, its ages follow the retirement profile (density
    /// proportional to e^(-l a) on [0, L]), one vintage per step of retirement, the oldest
    /// first, and e_new is such that the whole baseline draws B / p_per_mw.
    fn baseline_vintages(&self, fleet: &Fleet, eff_rate: f64, installed: &mut Installed) -> f64 {
        let b = fleet.baseline;
        let Some((life, l)) = fleet.retirement else {
            installed.push(b, b / self.p_per_mw);
            return self.p_per_mw;
        };
        // Power of ages [a1, a2] (steps) per unit of e_new: B c * integral of e^((g - l) a).
        let weight =
            |a1: f64, a2: f64| exp_integral(eff_rate - l, a1, a2) / exp_integral(-l, 0.0, life);
        let e_new = self.p_per_mw * weight(0.0, life);
        let pieces = life.ceil() as usize;
        for j in 1..=pieces {
            let (x0, x1) = ((j - 1) as f64, (j as f64).min(life));
            let share = baseline_retired_share(x1, life, l) - baseline_retired_share(x0, life, l);
            let mw = b * weight(life - x1, life - x0) / e_new;
            installed.push(b * share, mw);
        }
        e_new
    }
}

/// The integral of e^(k a) da over [a1, a2], exact also as k -> 0.
pub(super) fn exp_integral(k: f64, a1: f64, a2: f64) -> f64 {
    let width = a2 - a1;
    if (k * width).abs() < 1e-12 {
        width * (k * a1).exp()
    } else {
        (k * a1).exp() * (k * width).exp_m1() / k
    }
}

/// The deferred demand at time t: linear between its grid values.
fn deferred_at(grid: &Grid, deferred: &[f64], t: f64) -> f64 {
    let (k, a) = locate(grid, t);
    if a == 0.0 {
        deferred[k]
    } else {
        deferred[k] + a * (deferred[k + 1] - deferred[k])
    }
}
