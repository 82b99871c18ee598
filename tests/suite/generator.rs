//! The lane generator and its normals against known distributions (docs/performance.md, "The
//! lane generator"): a reduced battery in the spirit of TestU01's SmallCrush, each statistic
//! compared with a threshold from its own null distribution at a one-in-10^4 level (the draws
//! are fixed by their seeds, so a pass is reproducible, and a defect of the generator shows as
//! a statistic many times the threshold).
//!
//! Each test reads two orders of words: the order trials in lanes draw in (eight consecutive
//! trials, 64 words each, row by row, then the next eight) and across trials (the first word
//! of trial 0, 1, 2, ...), where a counter-based generator's weakness would show first.

use simulate::model::ieee::uniform_open;
use simulate::model::lanes::{LANES, Lanes, Stream};
use simulate::model::ziggurat::ziggurat;
use simulate::model::{StreamKind, stream_key};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// Level of every test: the chance that a perfect generator fails it.
const ALPHA: f64 = 1e-4;

fn key() -> u64 {
    stream_key(StreamKind::City, &["Beijing"])
}

/// `n` words in the order trials in lanes draw them.
fn lane_order(n: usize) -> Vec<u64> {
    let mut rows = [[0u64; LANES]; 64];
    let mut out = Vec::with_capacity(n);
    for first in (0u64..).step_by(LANES) {
        Lanes::new(1, key(), std::array::from_fn(|l| first + l as u64)).fill_u64(&mut rows);
        out.extend_from_slice(rows.as_flattened());
        if out.len() >= n {
            out.truncate(n);
            return out;
        }
    }
    unreachable!()
}

/// The first word of trials 0..n.
fn across_trials(n: usize) -> Vec<u64> {
    (0..n as u64)
        .map(|t| Stream::new(2, t, key()).next_u64())
        .collect()
}

/// Words per order: 2^19, drawn once for every test (debug builds draw slowly).
const WORDS: usize = 1 << 19;

fn orders() -> &'static [(&'static str, Vec<u64>); 2] {
    static ORDERS: std::sync::OnceLock<[(&str, Vec<u64>); 2]> = std::sync::OnceLock::new();
    ORDERS.get_or_init(|| {
        [
            ("lane order", lane_order(WORDS)),
            ("across trials", across_trials(WORDS)),
        ]
    })
}

/// Pearson's statistic of observed counts against expected counts.
fn chi_square(observed: &[u64], expected: &[f64]) -> f64 {
    observed
        .iter()
        .zip(expected)
        .map(|(o, e)| (*o as f64 - e).powi(2) / e)
        .sum()
}

/// The (1 - ALPHA) quantile of chi-square with `df` degrees of freedom.
fn chi_square_limit(df: usize) -> f64 {
    ChiSquared::new(df as f64).unwrap().inverse_cdf(1.0 - ALPHA)
}

/// Two-sided limit of a standard normal statistic.
fn normal_limit() -> f64 {
    Normal::standard().inverse_cdf(1.0 - ALPHA / 2.0)
}

/// Every bit position is 1 half the time: sum over the 64 positions of z^2 is chi-square(64).
#[test]
fn every_bit_is_one_half_the_time() {
    let n = WORDS;
    for (order, words) in orders() {
        let mut ones = [0u64; 64];
        for w in words {
            for (b, count) in ones.iter_mut().enumerate() {
                *count += (w >> b) & 1;
            }
        }
        let stat: f64 = ones
            .iter()
            .map(|c| (2.0 * *c as f64 - n as f64).powi(2) / n as f64)
            .sum();
        assert!(stat < chi_square_limit(64), "{order}: {stat}");
    }
}

/// Serial test: the top 4 bits of consecutive words, as non-overlapping pairs, fall in the 256
/// cells equally often (chi-square, 255 degrees of freedom). Returns (statistic, limit).
fn serial(words: &[u64]) -> (f64, f64) {
    let mut cells = vec![0u64; 256];
    for pair in words.chunks_exact(2) {
        cells[((pair[0] >> 60) << 4 | pair[1] >> 60) as usize] += 1;
    }
    let expected = vec![(words.len() / 2) as f64 / 256.0; 256];
    (chi_square(&cells, &expected), chi_square_limit(255))
}

#[test]
fn consecutive_words_are_independent() {
    for (order, words) in orders() {
        let (stat, limit) = serial(words);
        assert!(stat < limit, "{order}: {stat}");
    }
}

/// Marsaglia's birthday spacings: 512 birthdays in a year of 2^24 days (the top 24 bits); the
/// number of repeated spacings is Poisson with mean 512^3 / 2^26 = 2, so over 1,024 years the
/// total is Poisson(2,048). Returns the total in standard deviations from its mean, and the
/// two-sided limit.
fn birthday_spacings(words: &[u64]) -> (f64, f64) {
    let (m, years) = (512, 1_024);
    let mut repeats = 0u64;
    for year in words.chunks_exact(m).take(years) {
        let mut days: Vec<u64> = year.iter().map(|w| w >> 40).collect();
        days.sort_unstable();
        let mut spacings: Vec<u64> = days.windows(2).map(|d| d[1] - d[0]).collect();
        spacings.push(days[0] + (1 << 24) - days[m - 1]);
        spacings.sort_unstable();
        repeats += spacings.windows(2).filter(|s| s[0] == s[1]).count() as u64;
    }
    let mean = 2.0 * years as f64;
    ((repeats as f64 - mean) / mean.sqrt(), normal_limit())
}

#[test]
fn birthday_spacings_repeat_as_often_as_chance_says() {
    for (order, words) in orders() {
        let (z, limit) = birthday_spacings(words);
        assert!(z.abs() < limit, "{order}: z {z}");
    }
}

/// Knuth's gap test: the runs of uniforms outside [0, 1/4) between two inside are geometric,
/// P(gap = r) = (1/4)(3/4)^r; gaps 0..=15 and 16 or more, chi-square with 16 degrees of freedom.
#[test]
fn gaps_between_small_uniforms_are_geometric() {
    for (order, words) in orders() {
        let mut counts = [0u64; 17];
        let mut gap = 0usize;
        for w in words {
            if uniform_open(*w) < 0.25 {
                counts[gap.min(16)] += 1;
                gap = 0;
            } else {
                gap += 1;
            }
        }
        let total: u64 = counts.iter().sum();
        let mut expected: Vec<f64> = (0..16)
            .map(|r| total as f64 * 0.25 * 0.75f64.powi(r))
            .collect();
        expected.push(total as f64 * 0.75f64.powi(16));
        let stat = chi_square(&counts, &expected);
        assert!(stat < chi_square_limit(16), "{order}: {stat}");
    }
}

/// 10^6 normals from lanes (eight trials at a time, 125 per trial) against the standard normal:
/// Kolmogorov-Smirnov (sqrt(n) D against the Kolmogorov distribution's limit), chi-square over
/// 200 bins of equal probability (by the CDF of statrs), and the counts beyond 3 and 4 sigma.
#[test]
fn lane_normals_are_standard_normal() {
    let per_trial = 125;
    let mut z = Vec::with_capacity(1_000_000);
    let mut rows = vec![[0f64; LANES]; per_trial];
    for first in (0..1_000_000 / per_trial as u64).step_by(LANES) {
        let trials = std::array::from_fn(|l| first + l as u64);
        Lanes::new(3, key(), trials).fill_normals(&mut rows);
        z.extend_from_slice(rows.as_flattened());
    }
    let n = z.len() as f64;
    let normal = Normal::standard();
    let mut bins = vec![0u64; 200];
    for v in &z {
        bins[((normal.cdf(*v) * 200.0) as usize).min(199)] += 1;
    }
    let stat = chi_square(&bins, &vec![n / 200.0; 200]);
    assert!(stat < chi_square_limit(199), "chi-square {stat}");

    z.sort_by(f64::total_cmp);
    let d = z
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let f = normal.cdf(*v);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max);
    let ks = d * n.sqrt();
    assert!(ks < kolmogorov_limit(ALPHA), "KS sqrt(n) D = {ks}");

    for sigma in [3.0, 4.0] {
        let p = 2.0 * normal.sf(sigma);
        let beyond = z.iter().filter(|v| v.abs() > sigma).count() as f64;
        let zstat = (beyond - n * p) / (n * p * (1.0 - p)).sqrt();
        assert!(
            zstat.abs() < normal_limit(),
            "beyond {sigma} sigma: {beyond}"
        );
    }
}

/// The ziggurat's tail, exact beyond 6 sigma: 10^6 draws of its tail step (what a draw beyond
/// r = 3.654 is) against the normal conditioned on |z| > r, P(z > x | z > r) = Q(x) / Q(r):
/// Kolmogorov-Smirnov, and the counts beyond 4.5, 5, 5.5 and 6 sigma (expected 2.6e4, 2.2e3,
/// 146 and 7.5), each at level 10^-4 of its binomial (a Poisson limit for the last).
#[test]
fn the_normal_tail_is_exact_beyond_six_sigma() {
    let zig = ziggurat();
    let r = zig.tail_start();
    let mut words = Stream::new(4, 0, key());
    let n = 1_000_000;
    let mut x: Vec<f64> = (0..n).map(|_| zig.tail(&mut || words.next_u64())).collect();
    let normal = Normal::standard();
    let q_r = normal.sf(r);
    x.sort_by(f64::total_cmp);
    assert!(x[0] >= r);
    let nf = n as f64;
    let d = x
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let f = 1.0 - normal.sf(*v) / q_r;
            (f - i as f64 / nf).max((i + 1) as f64 / nf - f)
        })
        .fold(0.0, f64::max);
    assert!(
        d * nf.sqrt() < kolmogorov_limit(ALPHA),
        "tail KS {}",
        d * nf.sqrt()
    );
    for sigma in [4.5, 5.0, 5.5] {
        let p = normal.sf(sigma) / q_r;
        let beyond = x.iter().filter(|v| **v > sigma).count() as f64;
        let zstat = (beyond - nf * p) / (nf * p * (1.0 - p)).sqrt();
        assert!(
            zstat.abs() < normal_limit(),
            "beyond {sigma}: {beyond} vs {}",
            nf * p
        );
    }
    let mean = nf * normal.sf(6.0) / q_r;
    let beyond_six = x.iter().filter(|v| **v > 6.0).count();
    let poisson = statrs::distribution::Poisson::new(mean).expect("a positive mean");
    use statrs::distribution::DiscreteCDF;
    let (lo, hi) = (
        poisson.cdf(beyond_six as u64),
        poisson.sf(beyond_six as u64),
    );
    let p_two_sided = 2.0 * lo.min(hi + poisson_pmf(mean, beyond_six));
    assert!(
        p_two_sided > ALPHA,
        "beyond 6 sigma: {beyond_six} vs {mean:.1}"
    );
}

fn poisson_pmf(mean: f64, k: usize) -> f64 {
    use statrs::distribution::Discrete;
    statrs::distribution::Poisson::new(mean)
        .expect("a positive mean")
        .pmf(k as u64)
}

/// x with P(K > x) = alpha for the Kolmogorov distribution, P(K > x) = 2 sum (-1)^(k-1)
/// exp(-2 k^2 x^2), by bisection.
fn kolmogorov_limit(alpha: f64) -> f64 {
    let tail = |x: f64| -> f64 {
        (1..100)
            .map(|k| {
                let k = k as f64;
                2.0 * (-1f64).powf(k - 1.0) * (-2.0 * k * k * x * x).exp()
            })
            .sum()
    };
    let (mut lo, mut hi) = (0.5, 5.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if tail(mid) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    assert!((tail(lo) - alpha).abs() < 1e-9);
    lo
}

/// The battery can fail: a Weyl sequence (word i = i times the golden ratio in 64 bits), whose
/// bits look balanced but whose consecutive words are tied, fails the serial test and the
/// birthday spacings by far.
#[test]
fn the_battery_rejects_a_weak_generator() {
    let weyl: Vec<u64> = (1..=WORDS as u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect();
    let (stat, limit) = serial(&weyl);
    assert!(stat > 10.0 * limit, "serial {stat}");
    let (z, limit) = birthday_spacings(&weyl);
    assert!(z.abs() > 10.0 * limit, "birthday z {z}");
}
