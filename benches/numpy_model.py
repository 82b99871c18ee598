"""The core model (format v1, docs/model.md) written the way an analyst would in numpy.

Vectorised over trials: every city's trajectories are held as a (trials x grid) array, the
percentiles come from np.percentile. Used by benches/compare.py to measure the Rust engine
against it; not a second implementation to maintain beyond format v1.

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


def simulate_city(city, times, steps_per_year, n, rng):
    dt = 1.0 / steps_per_year
    baseline = np.maximum(draw(city["baseline"], n, rng), 0.0)
    growth = np.maximum(draw(city["growth"], n, rng), -0.999999)
    k = np.arange(len(times))
    log_path = np.outer(np.log1p(growth) * dt, k)
    vol = city.get("volatility", 0.0)
    if vol > 0:
        shocks = rng.standard_normal((n, len(times) - 1)) * (vol * np.sqrt(dt))
        log_path[:, 1:] += np.cumsum(shocks, axis=1)
    capacity = baseline[:, None] * np.exp(log_path)
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
    return capacity


def run(scenario, trials, seed):
    meta = scenario["scenario"]
    start, end = year(meta["start"]), year(meta["end"])
    spy = meta.get("steps_per_year", 4)
    steps = round((end - start) * spy)
    times = start + np.arange(steps + 1) / spy
    rng = np.random.default_rng(seed)
    series = {}
    for city in scenario["city"]:
        series[city["name"]] = simulate_city(city, times, spy, trials, rng)
    series["Total"] = sum(series.values())
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
