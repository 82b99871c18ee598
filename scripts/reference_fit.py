#!/usr/bin/env python3
"""Fit the growth parameters of the model to a reference class of public capacity series.

Reads docs/data/reference-class.csv (one row per published figure), keeps the figures
published on or before --as-of, and fits by maximum likelihood the model of docs/model.md
("Growth that moves"; the method is in "Priors from a reference class"):

    y_ij = a_i + mu_i t_ij + N(t_ij) + D_i(t_ij) + e_ij

y the log of a figure, a_i a free level per series, mu_i ~ Normal(m, s^2) the series'
long-run log growth a year, N and D_i the integrals of stationary Ornstein-Uhlenbeck
processes (the national factor, shared by every series, and the series' own deviation) and
e_ij ~ Normal(0, sigma_e^2) the report error. Differences within a series remove a_i; the
differences of all series are jointly normal with a closed-form covariance. m is profiled out
by generalised least squares. Bootstrap: series resampled with replacement, then points
within each drawn series (the distinct ones kept), refitted; 5% and 95% points reported
(for m, each draw also carries the GLS error of m, which holds the shared national path).

Writes a CSV table (default docs/data/reference-fit-<as-of>.csv). Seeded: a rerun gives the
same bytes. Needs numpy and scipy (pip install -r scripts/requirements.txt).
"""

import argparse
import csv
import datetime as dt
import math
import sys

import numpy as np
from scipy.linalg import solve_triangular
from scipy.optimize import minimize

TAU_BOUNDS = (0.05, 10.0)  # years: reversion times outside this are not told apart
LOG_BOUNDS = [(-7.0, 1.5), (-7.0, 1.5), (math.log(TAU_BOUNDS[0]), math.log(TAU_BOUNDS[1])),
              (-7.0, 1.5), (math.log(TAU_BOUNDS[0]), math.log(TAU_BOUNDS[1])), (-7.0, 1.0)]
PARAMS = ["s", "v_n", "tau_n", "v_c", "tau_c", "sigma_e"]  # v = sigma * tau (long-run sd)


def decimal_year(date):
    """2024-07-01 -> 2024.497 (the project's decimal years: 2025.0 is the start of 2025)."""
    start = dt.date(date.year, 1, 1)
    days = (dt.date(date.year + 1, 1, 1) - start).days
    return date.year + (date - start).days / days


def load_panel(path, as_of):
    """Series name -> (basis, sorted times, log values) from figures published by as_of."""
    rows = {}
    with open(path, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                published = dt.date.fromisoformat(row["published"])
                when = dt.date.fromisoformat(row["date_of_figure"])
                value = float(row["value_p"])
            except (KeyError, ValueError) as err:
                sys.exit(f"error: {path} line {line}: {err} (dates YYYY-MM-DD, value_p in P)")
            if value <= 0:
                sys.exit(f"error: {path} line {line}: value_p {value} must be above 0 (P)")
            if published <= as_of:
                rows.setdefault(row["series"], []).append((decimal_year(when), math.log(value)))
    panel = []
    for name in sorted(rows):
        points = sorted(set(rows[name]))
        panel.append((name, np.array([p[0] for p in points]), np.array([p[1] for p in points])))
    return panel


def ou_double_integral(h, sigma, tau):
    """F with F'' = the stationary OU autocovariance (sigma^2 tau / 2) exp(-|h| / tau), h >= 0."""
    return 0.5 * sigma**2 * tau**3 * (np.expm1(-h / tau) + h / tau)


def ou_increment_cov(lags, sigma, tau):
    """Cov of the integrals of one stationary OU process over [a_j, b_j] and [a_k, b_k]:
    F(b_j - a_k) + F(a_j - b_k) - F(a_j - a_k) - F(b_j - b_k), closed form (lags = |.|)."""
    f = ou_double_integral
    return (f(lags[0], sigma, tau) + f(lags[1], sigma, tau)
            - f(lags[2], sigma, tau) - f(lags[3], sigma, tau))


class Differences:
    """Stacked within-series differences of log values and what their covariance needs."""

    def __init__(self, panel):
        start, end, change, owner = [], [], [], []
        for i, (_, t, y) in enumerate(panel):
            start += list(t[:-1])
            end += list(t[1:])
            change += list(np.diff(y))
            owner += [i] * (len(t) - 1)
        a, b = np.array(start), np.array(end)
        self.change = np.array(change)
        self.length = b - a
        self.lags = [np.abs(b[:, None] - a[None, :]), np.abs(a[:, None] - b[None, :]),
                     np.abs(a[:, None] - a[None, :]), np.abs(b[:, None] - b[None, :])]
        owner = np.array(owner)
        self.same = owner[:, None] == owner[None, :]
        self.spread = self.same * np.outer(self.length, self.length)
        self.errors = error_cov(owner)


def error_cov(owner):
    """Report errors: a difference y_j+1 - y_j shares one error with each neighbour (-1)."""
    n = len(owner)
    cov = 2.0 * np.eye(n)
    same = owner[1:] == owner[:-1]
    idx = np.arange(n - 1)[same]
    cov[idx, idx + 1] = cov[idx + 1, idx] = -1.0
    return cov


def covariance(theta, diffs):
    """Covariance of the stacked differences for theta = (s, v_n, tau_n, v_c, tau_c, sigma_e)."""
    s, v_n, tau_n, v_c, tau_c, sigma_e = theta
    cov = ou_increment_cov(diffs.lags, v_n / tau_n, tau_n)
    cov += diffs.same * ou_increment_cov(diffs.lags, v_c / tau_c, tau_c)
    return cov + s**2 * diffs.spread + sigma_e**2 * diffs.errors


def gls(theta, diffs):
    """(-log likelihood, m, Var m) with the mean log growth m profiled out by GLS."""
    try:
        chol = np.linalg.cholesky(covariance(theta, diffs))
    except np.linalg.LinAlgError:
        return 1e12, float("nan"), float("nan")
    wl = solve_triangular(chol, diffs.length, lower=True)
    wy = solve_triangular(chol, diffs.change, lower=True)
    m = float(wl @ wy / (wl @ wl))
    resid = wy - m * wl
    n = len(wy)
    nll = 0.5 * (resid @ resid) + np.log(np.diag(chol)).sum() + 0.5 * n * math.log(2 * math.pi)
    return float(nll), m, float(1.0 / (wl @ wl))


def profile(theta, diffs):
    """(-log likelihood, m) at theta."""
    return gls(theta, diffs)[:2]


STARTS = [(0.3, 0.15, 1.0, 0.2, 0.5, 0.1), (0.5, 0.3, 0.3, 0.1, 2.0, 0.05),
          (0.1, 0.05, 3.0, 0.4, 0.2, 0.2)]


def fit(panel, starts=STARTS):
    """Maximum likelihood: (theta, m, -log likelihood), the best of a few starting points."""
    diffs = Differences(panel)
    best = None
    for start in starts:
        x0 = np.log(np.array(start))
        res = minimize(lambda x: profile(np.exp(x), diffs)[0], x0, method="L-BFGS-B",
                       bounds=LOG_BOUNDS, options={"maxiter": 400})
        if best is None or res.fun < best.fun - 1e-9:
            best = res
    theta = np.exp(best.x)
    return theta, profile(theta, diffs)[1], float(best.fun)


def resample(panel, rng):
    """Series with replacement, then points within each with replacement (distinct kept)."""
    out = []
    for i in rng.integers(0, len(panel), len(panel)):
        name, t, y = panel[i]
        keep = np.unique(rng.integers(0, len(t), len(t)))
        if len(keep) >= 2:
            out.append((name, t[keep], y[keep]))
    return out


def bootstrap(panel, theta, replicates, seed):
    """Bootstrap fits (rows: m then PARAMS), each started at the full fit and at STARTS[0].
    Resampling series cannot resample the one national path they share, so each draw of m
    adds a normal draw with the GLS variance of m at that fit (which carries it)."""
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(replicates):
        sample = resample(panel, rng)
        noise = rng.standard_normal()
        if len(sample) < 2:
            continue
        th, m, _ = fit(sample, starts=[tuple(theta), STARTS[0]])
        var_m = gls(th, Differences(sample))[2]
        draws.append([m + noise * math.sqrt(var_m)] + list(th))
    return np.array(draws)


# (name, scenario key, unit, function of the row [m, s, v_n, tau_n, v_c, tau_c, sigma_e])
QUANTITIES = [
    ("m", "growth (as ln(1 + g))", "log growth a year", lambda r: r[0]),
    ("growth_mean", "growth mean", "annual rate", lambda r: math.expm1(r[0])),
    ("s", "growth sd (as ln(1 + g))", "log growth a year", lambda r: r[1]),
    ("growth_sd", "growth sd", "annual rate", lambda r: math.exp(r[0]) * r[1]),
    ("sigma_n", "national_volatility", "log growth a year, a year", lambda r: r[2] / r[3]),
    ("tau_n", "national_reversion_years", "years", lambda r: r[3]),
    ("v_n", "(sigma_n x tau_n)", "log level, a year", lambda r: r[2]),
    ("sigma_c", "growth_volatility", "log growth a year, a year", lambda r: r[4] / r[5]),
    ("tau_c", "growth_reversion_years", "years", lambda r: r[5]),
    ("v_c", "(sigma_c x tau_c)", "log level, a year", lambda r: r[4]),
    ("sigma_e", "(report error)", "log of a figure", lambda r: r[6]),
]


def informative(name, p5, p95):
    """The rule of docs/model.md: a 90% interval narrow enough to replace judgement. The mean
    log growth: at most 0.4 wide. A scale: p95 / p5 <= 4 with p5 >= 0.01 (not zero); a
    reversion time also clear of the fitted range's ends (TAU_BOUNDS)."""
    if name in ("m", "growth_mean"):
        return bool(p95 - p5 <= 0.4)
    if name.startswith("tau") and (p5 < 1.2 * TAU_BOUNDS[0] or p95 > 0.9 * TAU_BOUNDS[1]):
        return False
    return bool(p5 >= 0.01 and p95 / p5 <= 4.0)


def fmt(x):
    """Three decimals, never '-0.000', so reruns compare byte for byte."""
    text = f"{x:.3f}"
    return "0.000" if text == "-0.000" else text


def table(panel, theta, m, nll, draws, args):
    """The output rows (a header, panel counts, then each quantity)."""
    points = sum(len(t) for _, t, _ in panel)
    rows = [["parameter", "scenario_key", "unit", "estimate", "p5", "p95", "informative", "note"]]
    note = f"figures published on or before {args.as_of}; {len(draws)} bootstrap fits, seed {args.seed}"
    rows.append(["panel_series", "", "series with 2+ points", str(len(panel)), "", "", "", note])
    rows.append(["panel_points", "", "figures", str(points), "", "", "", ", ".join(n for n, _, _ in panel)])
    rows.append(["log_likelihood", "", "", fmt(-nll), "", "", "", "at the estimate"])
    full = [m] + list(theta)
    for name, key, unit, f in QUANTITIES:
        boot = np.array([f(r) for r in draws])
        p5, p95 = np.percentile(boot, [5, 95])
        flag = "yes" if informative(name, p5, p95) else "no"
        rows.append([name, key, unit, fmt(f(full)), fmt(p5), fmt(p95), flag, ""])
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat,
                        help="use only figures published on or before this date (YYYY-MM-DD)")
    parser.add_argument("--panel", default="docs/data/reference-class.csv")
    parser.add_argument("--out", help="default docs/data/reference-fit-<as-of>.csv")
    parser.add_argument("--replicates", type=int, default=200, help="bootstrap fits (default 200)")
    parser.add_argument("--seed", type=int, default=20240802)
    args = parser.parse_args(argv)
    panel = [p for p in load_panel(args.panel, args.as_of) if len(p[1]) >= 2]
    if len(panel) < 2:
        sys.exit(f"error: {args.panel}: fewer than 2 series with 2+ figures published by {args.as_of}")
    theta, m, nll = fit(panel)
    draws = bootstrap(panel, theta, args.replicates, args.seed)
    out = args.out or f"docs/data/reference-fit-{args.as_of}.csv"
    with open(out, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(table(panel, theta, m, nll, draws, args))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
