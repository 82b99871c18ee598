//! Standard normal draws by Marsaglia and Tsang's ziggurat ("The ziggurat method for generating
//! random variables", J. Stat. Softw. 5(8), 2000), written for lanes: the first step of every
//! draw (a table read, a multiply and a compare; 98.5% of draws final) is branch-free on one
//! 64-bit word, so a loop over many draws vectorises; the rare rest (a wedge or the tail) runs
//! scalar on words of a second counter space ([`Fallback`]), so a stream's n-th normal always
//! comes from its n-th word, whatever the others did.
//!
//! Why written here: the samplers of rand_distr draw words one at a time from a stateful
//! generator and branch on each, which a loop over lanes cannot do; and the tables are built
//! from IEEE-754 operations and the project's own `exp` and `ln` (no libm), so they, and every
//! draw, have the same bits on every machine.
//!
//! Layout: 256 layers of equal area v under f(x) = exp(-x^2 / 2) on [0, inf): layer 0 the strip
//! [0, r] x [0, f(r)] plus the tail beyond r, layer i >= 1 the box [0, x_i] x [f(x_i), f(x_i+1)],
//! with x_1 = r and x_256 = 0. A word gives the layer (bits 0-7), the sign (bit 8) and a uniform
//! u (bits 12-63, 52 bits); x = u x_i is final when x < x_i+1. Else: in layer 0, a draw from
//! the exact tail (Marsaglia 1964: x = -ln(u1) / r, kept when -2 ln(u2) > x^2); in layer i, x is
//! kept when a uniform height in the box falls under f(x); otherwise a new word.

use crate::model::fastexp;
use crate::model::ieee::{ln, uniform_open};
use crate::model::philox::{counter, philox_key, philox4x32_10, words};
use std::sync::LazyLock;

/// Layers of the ziggurat.
pub const LAYERS: usize = 256;
/// Mixed into a stream's key to give the key of its [`Fallback`] words.
const FALLBACK_SALT: u64 = 0x5A16_6A7A_F00D_0001;

/// The ziggurat's layer edges `x[i]` (`x[0]` = v / f(r), the strip's width; `x[1]` = r;
/// `x[256]` = 0) and `f[i]` = f(`x[i]`) (`f[0]` = 0, `f[256]` = 1), and the common area v of a
/// layer.
#[derive(Debug)]
pub struct Ziggurat {
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
    area: f64,
}

static TABLES: LazyLock<Ziggurat> = LazyLock::new(Ziggurat::build);

/// The tables, built once.
pub fn ziggurat() -> &'static Ziggurat {
    &TABLES
}

/// f(x) = exp(-x^2 / 2), the unnormalised density.
fn density(x: f64) -> f64 {
    fastexp::exp(-0.5 * x * x)
}

/// The area under f beyond r: f(r) / (r + 1 / (r + 2 / (r + 3 / ...))), Laplace's continued
/// fraction (200 terms: far below a double's precision at r > 3).
fn tail_area(r: f64) -> f64 {
    let mut t = r;
    for k in (1..=200).rev() {
        t = r + k as f64 / t;
    }
    density(r) / t
}

impl Ziggurat {
    /// Layer edges for the tail start `r`, and how far the stack misses the top: f(x_255) +
    /// v / x_255 - 1 (positive: r too small; +inf when the stack passes the top early).
    fn stack(r: f64) -> (Ziggurat, f64) {
        let area = r * density(r) + tail_area(r);
        let mut z = Ziggurat {
            x: [0.0; LAYERS + 1],
            f: [0.0; LAYERS + 1],
            area,
        };
        z.x[0] = area / density(r);
        z.x[1] = r;
        for i in 1..LAYERS {
            z.f[i] = density(z.x[i]);
            let next = z.f[i] + area / z.x[i];
            if i == LAYERS - 1 {
                z.f[LAYERS] = 1.0;
                return (z, next - 1.0);
            }
            if next >= 1.0 {
                return (z, f64::INFINITY);
            }
            z.x[i + 1] = (-2.0 * ln(next)).sqrt();
        }
        unreachable!("the loop returns at its last layer")
    }

    /// Bisects r until the 256 layers close at the top of f.
    fn build() -> Ziggurat {
        let (mut low, mut high) = (3.0, 4.5);
        for _ in 0..200 {
            let mid = 0.5 * (low + high);
            if mid == low || mid == high {
                break;
            }
            if Ziggurat::stack(mid).1 > 0.0 {
                low = mid;
            } else {
                high = mid;
            }
        }
        Ziggurat::stack(high).0
    }

    /// Where the tail starts (r = x_1).
    pub fn tail_start(&self) -> f64 {
        self.x[1]
    }

    /// The common area of the layers (v).
    pub fn layer_area(&self) -> f64 {
        self.area
    }

    /// The area of layer i >= 1, x_i (f(x_i+1) - f(x_i)), or of layer 0, x_0 f(x_1).
    pub fn area_of(&self, layer: usize) -> f64 {
        if layer == 0 {
            self.x[0] * self.f[1]
        } else {
            self.x[layer] * (self.f[layer + 1] - self.f[layer])
        }
    }

    /// The first step of a draw: the signed x of `word`, and whether it is final. Branch-free.
    #[inline(always)]
    pub fn first_step(&self, word: u64) -> (f64, bool) {
        let layer = (word & 0xFF) as usize;
        let u = f64::from_bits(0x3FF0_0000_0000_0000 | (word >> 12)) - 1.0;
        let x = u * self.x[layer];
        let signed = f64::from_bits(x.to_bits() | (word & 0x100) << 55);
        (signed, x < self.x[layer + 1])
    }

    /// The whole draw of `word`, taking the words its rare further steps need from `more`.
    pub fn normal(&self, word: u64, more: &mut impl FnMut() -> u64) -> f64 {
        let mut word = word;
        loop {
            let (signed, done) = self.first_step(word);
            if done {
                return signed;
            }
            let layer = (word & 0xFF) as usize;
            let sign = if word & 0x100 == 0 { 1.0 } else { -1.0 };
            if layer == 0 {
                return sign * self.tail(more);
            }
            let x = signed.abs();
            let height = self.f[layer] + (self.f[layer + 1] - self.f[layer]) * uniform_open(more());
            if height < density(x) {
                return signed;
            }
            word = more();
        }
    }

    /// A draw from f beyond r (Marsaglia 1964), exact.
    pub fn tail(&self, more: &mut impl FnMut() -> u64) -> f64 {
        let r = self.x[1];
        loop {
            let x = -ln(uniform_open(more())) / r;
            let y = -ln(uniform_open(more()));
            if 2.0 * y > x * x {
                return r + x;
            }
        }
    }
}

/// The words a draw's further steps take: for the normal drawn from word `row` of the stream
/// of (seed, trial, key), Philox under the key of (seed, key xor a salt) at counters (row, 0, trial),
/// (row, 1, trial), ...: a pure function of the draw's place, so scalar and lane draws agree.
#[derive(Debug, Clone)]
pub struct Fallback {
    key: [u32; 2],
    trial: u64,
    row: u64,
    block: u32,
    spare: Option<u64>,
}

/// The key of a stream's [`Fallback`] words.
pub fn fallback_key(seed: u64, key: u64) -> [u32; 2] {
    philox_key(seed, key ^ FALLBACK_SALT)
}

impl Fallback {
    /// The further words of the draw at word `row` of the stream (`key` from [`fallback_key`]).
    pub fn new(key: [u32; 2], trial: u64, row: u64) -> Self {
        Fallback {
            key,
            trial,
            row,
            block: 0,
            spare: None,
        }
    }

    /// The next word.
    pub fn next_u64(&mut self) -> u64 {
        if let Some(w) = self.spare.take() {
            return w;
        }
        // The row takes the counter's first 64 bits but for the top 32 of them, which count
        // blocks: a stream would need 2^32 words in one trial to reach them.
        let mut c = counter(self.row, self.trial);
        c[1] ^= self.block;
        self.block += 1;
        let [first, second] = words(philox4x32_10(c, self.key));
        self.spare = Some(second);
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layers_close_with_equal_areas() {
        let z = ziggurat();
        // Marsaglia and Tsang's r and v for 256 layers (their paper, section 3).
        let r = z.tail_start();
        assert!((r - 3.654_152_885_361_009).abs() < 1e-12, "r = {r}");
        let v = z.layer_area();
        assert!((v / 4.928_673_233_99e-3 - 1.0).abs() < 1e-11, "v = {v}");
        // Every layer's area is v to within rounding of its edges.
        for i in 0..LAYERS {
            let rel = (z.area_of(i) / z.layer_area() - 1.0).abs();
            assert!(
                rel < 1e-12,
                "layer {i}: area {} vs v {}",
                z.area_of(i),
                z.layer_area()
            );
        }
    }

    /// Known answer: 1 - Phi(3.65) = erfc(3.65 / sqrt 2) / 2 by CPython's `math.erfc` (the C
    /// library's), 1.3112015442048473e-4. (statrs' `sf` is 8e-11 off here.)
    #[test]
    fn the_tail_area_is_the_normal_sf() {
        let ours = tail_area(3.65) / (2.0 * std::f64::consts::PI).sqrt();
        let known = 1.311_201_544_204_847_3e-4;
        assert!((ours / known - 1.0).abs() < 1e-14, "{ours:e} vs {known:e}");
    }

    /// A draw's further words depend on its stream's key, its trial and its row, and run on;
    /// and they are not the stream's own words.
    #[test]
    fn fallback_words_are_their_own_per_draw() {
        let key = fallback_key(1, 7);
        assert_ne!(key, philox_key(1, 7));
        assert_ne!(key, fallback_key(2, 7));
        let first = |trial, row| Fallback::new(key, trial, row).next_u64();
        let base = first(3, 10);
        assert_ne!(base, first(4, 10));
        assert_ne!(base, first(3, 11));
        let mut words = Fallback::new(key, 3, 10);
        let run: Vec<u64> = (0..6).map(|_| words.next_u64()).collect();
        assert_eq!(run[0], base);
        for (i, a) in run.iter().enumerate() {
            assert!(run[i + 1..].iter().all(|b| a != b), "word {i} repeats");
        }
    }

    /// A final first step is the draw and takes no further word (the closure panics if asked).
    #[test]
    fn first_steps_are_the_whole_draw_when_final() {
        let z = ziggurat();
        let mut never = || -> u64 { panic!("a final first step takes no more words") };
        let mut finals = 0;
        for i in 0..4096u64 {
            let word = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i << 7;
            let (x, done) = z.first_step(word);
            if done {
                finals += 1;
                assert_eq!(x.to_bits(), z.normal(word, &mut never).to_bits());
            }
        }
        assert!(finals > 3900, "{finals} of 4096 final");
    }
}
