"""The core model (docs/model.md) written the way an analyst would in numpy.

Vectorised over trials: every city's trajectories are held as a (trials x grid) array, the
percentiles come from np.percentile. Used by benches/compare.py to measure the Rust engine
against it; not a second implementation of every key. It covers what base and the synthetic
scenarios of benches/places.py use: baselines, growth drawn once per trial, growth that moves
(the national Ornstein-Uhlenbeck factor, each city's deviation, shared step shocks: [dynamics],
`growth_volatility`, `growth_reversion_years`), organic capacity by non-negative additions with
lumpiness (`volatility`), projects, unannounced builds (`[city.unannounced]`, a compound
Poisson process: given the trial's rate, a Poisson number of builds at uniform times over the
horizon), and groups summed from their cities.

    python3 benches/numpy_model.py scenarios/base.toml --trials 1000000 --seed 1 --out r.json
"""

import argparse
import calendar
import datetime
import json
import time
import tomllib

import numpy as np

PERCENTILES = [5, 10, 25, 50, 75, 90, 95]
Z95 = 1.6448536269514722


def draw(spec, n, rng):
    """n draws of a scenario distribution (a number or a {dist = ...} table)."""
    if isinstance(spec, (int, float)):
        return np.full(n, float(spec))
    kind = spec["dist"]
    if kind == "uniform":
        return rng.uniform(spec["min"], spec["max"], n)
    if kind == "normal":
        return rng.normal(spec["mean"], spec["sd"], n)
    if kind == "lognormal":
        lo, hi = np.log(spec["p5"]), np.log(spec["p95"])
        return rng.lognormal((lo + hi) / 2, (hi - lo) / (2 * Z95), n)
    lo, mode, hi = spec["min"], spec["mode"], spec["max"]
    if hi == lo:
        return np.full(n, float(lo))
    if kind == "triangular":
        return rng.triangular(lo, mode, hi, n)
    if kind == "pert":
        a = 1 + 4 * (mode - lo) / (hi - lo)
        b = 1 + 4 * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * rng.beta(a, b, n)
    raise ValueError(f"unknown dist {kind}")


def year(v):
    """A decimal year, or a date read as year + (month-1)/12 + (day-1)/(12 * days in month)."""
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        v = datetime.date.fromisoformat(v)
    days = calendar.monthrange(v.year, v.month)[1]
    return v.year + (v.month - 1) / 12 + (v.day - 1) / (12 * days)


def ou(sigma, tau, dt):
    """Exact discretisation of an Ornstein-Uhlenbeck process: (phi, innovation sd)."""
    phi = np.exp(-dt / tau)
    return phi, sigma * np.sqrt((1 - phi * phi) * tau / 2)


def ou_path(innovations, phi, c):
    """Y_k = phi Y_k-1 + c e_k from Y_0 = 0, for every trial (rows) at once."""
    out = np.zeros((innovations.shape[0], innovations.shape[1] + 1))
    for k in range(innovations.shape[1]):
        out[:, k + 1] = phi * out[:, k] + c * innovations[:, k]
    return out


def national_draws(scenario, steps, dt, n, rng):
    """The national factor n_k and the shared step normals u_k, (n x steps+1) each."""
    d = scenario.get("dynamics", {})
    if d.get("national_tails_df") is not None:
        raise ValueError("national_tails_df is not in the numpy model")
    sigma = d.get("national_volatility", 0.0)
    phi, c = ou(sigma, d.get("national_reversion_years", 1.0), dt)
    national = ou_path(rng.standard_normal((n, steps)), phi, c) if sigma > 0 else np.zeros((n, steps + 1))
    shared_share = d.get("shared_shock", 0.0)
    shared = np.zeros((n, steps + 1))
    if shared_share > 0:
        shared[:, 1:] = rng.standard_normal((n, steps))
    return national, shared, shared_share


def simulate_city(city, times, dt, draws, rng):
    national, shared, shared_share = draws
    n, steps = national.shape[0], len(times) - 1
    baseline = np.maximum(draw(city["baseline"], n, rng), 0.0)
    growth = np.maximum(draw(city["growth"], n, rng), -0.999999)
    vol = city.get("volatility", 0.0)
    tau = city.get("growth_reversion_years", 0.5)
    sigma = city.get("growth_volatility", vol / tau)
    w = np.sqrt(1 - shared_share) * rng.standard_normal((n, steps)) + np.sqrt(shared_share) * shared[:, 1:]
    deviation = ou_path(w, *ou(sigma, tau, dt))
    log_step = dt * (np.log1p(growth)[:, None] + national[:, 1:] + deviation[:, 1:])
    s = vol * np.sqrt(dt)
    lumps = np.exp(s * w - s * s / 2)
    # O_k = O_k-1 (1 + (exp(x_k dt) - 1)^+ F_k): additions never negative (docs/model.md).
    factors = 1 + np.maximum(np.expm1(log_step), 0.0) * lumps
    capacity = np.empty((n, steps + 1))
    capacity[:, 0] = 1.0
    capacity[:, 1:] = np.cumprod(factors, axis=1)
    capacity *= baseline[:, None]
    for p in city.get("project", []):
        delivered = rng.uniform(size=n) < p.get("probability", 1.0)
        cap = np.maximum(draw(p["capacity"], n, rng), 0.0)
        online = draw(p["online"], n, rng)
        ramp = np.maximum(draw(p.get("ramp_years", 0.0), n, rng), 0.0)
        elapsed = times[None, :] - online[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(ramp[:, None] > 0, elapsed / ramp[:, None], np.inf)
        share = np.where(elapsed < 0, 0.0, np.clip(share, 0.0, 1.0))
        capacity += (delivered * cap)[:, None] * share
    u = city.get("unannounced")
    if u:
        capacity += unannounced(u, times, n, rng)
    return capacity


def unannounced(u, times, n, rng):
    """Capacity of the builds nobody announced, (n x grid): rate drawn per trial, a Poisson
    number of arrivals over the horizon at uniform times, each of a drawn size, ramped."""
    rate = np.clip(draw(u["rate"], n, rng), 0.0, None)
    horizon = times[-1] - times[0]
    count = rng.poisson(rate * horizon)
    ramp = float(u.get("ramp_years", 0.0))
    out = np.zeros((n, len(times)))
    for k in range(int(count.max(initial=0))):
        live = count > k
        at = times[0] + horizon * rng.uniform(size=n)
        size = np.maximum(draw(u["size"], n, rng), 0.0)
        elapsed = times[None, :] - at[:, None]
        share = np.clip(elapsed / ramp, 0.0, 1.0) if ramp > 0 else (elapsed >= 0).astype(float)
        out += (live * size)[:, None] * share
    return out


def group_cities(scenario, name, seen=()):
    """The cities of a group (members may be groups), each once, in file order."""
    groups = {g["name"]: g for g in scenario.get("group", [])}
    found = set()
    for m in groups[name]["members"]:
        found |= group_cities(scenario, m, seen + (name,)) if m in groups and m not in seen else {m}
    return [c["name"] for c in scenario["city"] if c["name"] in found]


def run(scenario, trials, seed):
    meta = scenario["scenario"]
    start, end = year(meta["start"]), year(meta["end"])
    spy = meta.get("steps_per_year", 4)
    steps = round((end - start) * spy)
    times = start + np.arange(steps + 1) / spy
    rng = np.random.default_rng(seed)
    draws = national_draws(scenario, steps, 1.0 / spy, trials, rng)
    series = {}
    for city in scenario["city"]:
        series[city["name"]] = simulate_city(city, times, 1.0 / spy, draws, rng)
    for group in scenario.get("group", []):
        series[group["name"]] = sum(series[c] for c in group_cities(scenario, group["name"]))
    series["Total"] = sum(series[c["name"]] for c in scenario["city"])
    rows = []
    for name, values in series.items():
        pct = np.percentile(values, PERCENTILES, axis=0)
        for k, t in enumerate(times):
            rows.append({"city": name, "year": float(t), "mean": float(values[:, k].mean()),
                         **{f"p{p}": float(pct[i, k]) for i, p in enumerate(PERCENTILES)}})
    targets = []
    for t in scenario.get("target", []):
        k = int(np.ceil((year(t["at"]) - start) * spy - 1e-6))
        hit = float((series[t["city"]][:, k] >= t["capacity"]).mean())
        targets.append({"city": t["city"], "at": year(t["at"]), "probability": hit})
    return {"rows": rows, "targets": targets}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.scenario, "rb") as f:
        scenario = tomllib.load(f)
    started = time.perf_counter()
    result = run(scenario, args.trials, args.seed)
    result["elapsed_seconds"] = time.perf_counter() - started
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
