//! Steering a trial's once-per-trial inputs from given standard normals (the guided sampler of
//! conditioning, docs/model.md "Guided conditioning").
//!
//! Every once-per-trial input that may be steered (baselines, growth rates, growth periods,
//! lifetimes, MW growth, each project's delivery, capacity, online date and ramp, each basis's
//! factor and lag, and the correlated-growth normals) is a [`Steered`] draw. Under the prior
//! ([`Latent::prior`]) it is its sampler's draw, exactly as before. Under a guide
//! ([`Latent::guided`]) the i-th steered draw of the trial is the quantile of its distribution
//! at Φ(z_i): the same marginal when z_i is standard normal, so the prior in this "latent"
//! space is N(0, I) and a guide's importance ratio is a ratio of normal densities. The prior
//! draw is still made (and discarded) so that every other draw of the stream stays where it was.
//! A fixed value draws nothing and takes no latent.

use super::copula::MarginalMap;
use super::sampler::{Sampler, ToSampler};
use crate::scenario::dist::Dist;
use rand::Rng;

/// A once-per-trial input that a guide may steer.
#[derive(Debug, Clone)]
pub struct Steered {
    sampler: Sampler,
    /// Quantile at Φ(z); None for a fixed value.
    map: Option<MarginalMap>,
}

impl Steered {
    /// The steered form of a distribution.
    pub fn new(dist: &Dist) -> Self {
        let sampler = dist.sampler();
        let map = match sampler {
            Sampler::Fixed(_) => None,
            _ => Some(MarginalMap::new(dist)),
        };
        Steered { sampler, map }
    }

    /// A uniform on [0, 1): a project's delivery draw (delivered when below its probability).
    pub fn unit_uniform() -> Self {
        Steered::new(&Dist::Uniform { min: 0.0, max: 1.0 })
    }

    /// The prior draw, or the guide's value when `latent` carries one.
    #[inline]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, latent: &mut Latent) -> f64 {
        let prior = self.sampler.sample(rng);
        match &self.map {
            None => prior,
            Some(map) => latent.take().map_or(prior, |z| map.map(z)),
        }
    }
}

/// The latent normals of one trial: none (the prior) or one per steered draw, in the order the
/// trial makes them. Counts the steered draws either way.
#[derive(Debug)]
pub struct Latent<'a> {
    z: Option<&'a [f64]>,
    used: usize,
    /// The block the next draws belong to (a city, or the shared draws).
    block: usize,
    /// When recording: each steered draw's block.
    blocks: Option<Vec<usize>>,
}

impl<'a> Latent<'a> {
    /// The prior: every draw is its sampler's.
    pub fn prior() -> Self {
        Latent {
            z: None,
            used: 0,
            block: 0,
            blocks: None,
        }
    }

    /// The prior, recording each steered draw's block ([`Latent::blocks`]).
    pub fn recording() -> Self {
        Latent {
            blocks: Some(Vec::new()),
            ..Latent::prior()
        }
    }

    /// Each steered draw's block, when recording: a city's index for its own draws, the
    /// number of cities for draws shared by all (correlated growth, bases).
    pub fn blocks(self) -> Vec<usize> {
        self.blocks.unwrap_or_default()
    }

    /// The following draws belong to `block`.
    pub fn set_block(&mut self, block: usize) {
        self.block = block;
    }

    /// A guided trial: the i-th steered draw takes `z[i]`.
    pub fn guided(z: &'a [f64]) -> Self {
        Latent {
            z: Some(z),
            ..Latent::prior()
        }
    }

    /// Steered draws so far (after a trial: the dimension of the latent space).
    pub fn used(&self) -> usize {
        self.used
    }

    /// The next latent value, if guided.
    #[inline]
    pub fn take(&mut self) -> Option<f64> {
        let v = self.z.map(|z| z[self.used]);
        self.used += 1;
        if let Some(b) = &mut self.blocks {
            b.push(self.block);
        }
        v
    }

    /// A standard normal draw steered as itself.
    #[inline]
    pub fn normal(&mut self, drawn: f64) -> f64 {
        self.take().unwrap_or(drawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::streams::stream;

    #[test]
    fn prior_draws_equal_the_sampler_and_guided_ones_its_quantile() {
        let d = Dist::Triangular {
            min: 1.0,
            mode: 2.0,
            max: 5.0,
        };
        let s = Steered::new(&d);
        let mut prior = Latent::prior();
        let a = s.draw(&mut stream(1, 2, 3), &mut prior);
        assert_eq!(a, d.sampler().sample(&mut stream(1, 2, 3)));
        assert_eq!(prior.used(), 1);
        let z = [0.0, 1.0];
        let mut guided = Latent::guided(&z);
        assert!((s.draw(&mut stream(1, 2, 3), &mut guided) - d.median()).abs() < 1e-12);
        // A fixed value takes no latent.
        let fixed = Steered::new(&Dist::Fixed(7.0));
        assert_eq!(fixed.draw(&mut stream(1, 2, 3), &mut guided), 7.0);
        assert_eq!(guided.used(), 1);
        let p = Steered::unit_uniform().draw(&mut stream(1, 2, 3), &mut guided);
        // Φ(1); statrs's erfc is accurate to about 1e-11.
        assert!((p - 0.841_344_746_068_542_9).abs() < 1e-10, "{p}");
    }
}
