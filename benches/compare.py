"""Rust engine against the numpy implementation of the same model (benches/numpy_model.py).

Runs both on one scenario at 10^6 trials, alternating, and prints: the ratio of median wall
times, how well their percentiles agree (in Monte Carlo standard errors), the Rust speed-up
from 1 to 2 threads, and peak memory (max RSS) at 10^5, 10^6 and 10^7 trials.

    cargo build --release && python3 benches/compare.py scenarios/base.toml
    python3 benches/compare.py --places 30     # the synthetic 30-place scenario of places.py
Needs numpy (pip install -r benches/requirements.txt).
"""

import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")),
                      "release", "simulate")
PCTS = [5, 10, 25, 50, 75, 90, 95]


def timed(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024.0


def rust_cmd(scenario, trials, seed, out, threads=None):
    cmd = [BINARY, scenario, "-q", "-n", str(trials), "-s", str(seed), "--out", out]
    if threads:
        cmd += ["-j", str(threads)]
    return cmd + (["--no-plots"] if "--no-plots" in help_text() else [])


def help_text():
    return subprocess.run([BINARY, "--help"], capture_output=True, text=True).stdout


def numpy_cmd(scenario, trials, seed, out):
    return [sys.executable, os.path.join(ROOT, "benches", "numpy_model.py"), scenario,
            "--trials", str(trials), "--seed", str(seed), "--out", out]


def read_rust(out_dir):
    folder = next(os.path.join(out_dir, d) for d in os.listdir(out_dir))
    with open(os.path.join(folder, "summary.csv")) as f:
        return {(r["city"], round(float(r["year"]), 4)): r for r in csv.DictReader(f)}


def read_numpy(path):
    with open(path) as f:
        rows = json.load(f)["rows"]
    return {(r["city"], round(r["year"], 4)): r for r in rows}


def quantile_se(row, i, n):
    """SE of the p-th percentile from the density implied by neighbouring percentiles."""
    lo, hi = max(i - 1, 0), min(i + 1, len(PCTS) - 1)
    dv = float(row[f"p{PCTS[hi]}"]) - float(row[f"p{PCTS[lo]}"])
    dp = (PCTS[hi] - PCTS[lo]) / 100.0
    if dv <= 0:
        return 0.0
    p = PCTS[i] / 100.0
    return math.sqrt(p * (1 - p) / n) * dv / dp


def agreement(rust, numpy_rows, n):
    """Largest |difference| in standard errors of the difference (sketch error 0.1% added)."""
    worst, count, within3 = 0.0, 0, 0
    for key, r in rust.items():
        if key not in numpy_rows or key[1] == min(k[1] for k in rust):
            continue
        for i, p in enumerate(PCTS):
            a, b = float(r[f"p{p}"]), float(numpy_rows[key][f"p{p}"])
            se = math.hypot(quantile_se(r, i, n), quantile_se(numpy_rows[key], i, n))
            se = math.hypot(se, 0.001 * b) + 0.05  # + rounding of the CSV to 0.1 P
            z = abs(a - b) / se
            worst, count, within3 = max(worst, z), count + 1, within3 + (z < 3)
    return worst, count, within3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", nargs="?")
    parser.add_argument("--places", type=int, help="compare on benches/places.py's N-place scenario")
    parser.add_argument("--trials", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--speed-only", action="store_true",
                        help="only the time ratio and the agreement (no threads, no memory)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="simulate-compare-")
    if args.places:
        args.scenario = os.path.join(tmp, f"places-{args.places}.toml")
        with open(args.scenario, "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "benches", "places.py"),
                            str(args.places)], stdout=f, check=True)
    elif not args.scenario:
        parser.error("give a scenario file or --places N")
    n = args.trials

    rust_times, numpy_times = [], []
    for r in range(args.repeats):
        rust_times.append(timed(rust_cmd(args.scenario, n, args.seed + r, f"{tmp}/rust{r}"))[0])
        numpy_times.append(timed(numpy_cmd(args.scenario, n, args.seed + r, f"{tmp}/np{r}.json"))[0])
    rust_med, numpy_med = statistics.median(rust_times), statistics.median(numpy_times)
    print(f"wall time at {n} trials, median of {args.repeats} alternating runs:")
    print(f"  rust  {rust_med:.3f} s   numpy {numpy_med:.3f} s   ratio {numpy_med / rust_med:.1f}x")

    worst, count, within3 = agreement(read_rust(f"{tmp}/rust0"), read_numpy(f"{tmp}/np0.json"), n)
    print(f"percentile agreement: {within3}/{count} within 3 SE; largest difference {worst:.2f} SE")

    if args.speed_only:
        return
    one, two = [], []
    for r in range(3):
        one.append(timed(rust_cmd(args.scenario, n, 1, f"{tmp}/j1", threads=1))[0])
        two.append(timed(rust_cmd(args.scenario, n, 1, f"{tmp}/j2", threads=2))[0])
    print(f"rust threads: 1 thread {statistics.median(one):.3f} s, 2 threads "
          f"{statistics.median(two):.3f} s, speed-up {statistics.median(one) / statistics.median(two):.2f}x")

    print("peak memory (max RSS):")
    rust_rss = {}
    for trials in [100_000, 1_000_000, 10_000_000]:
        wall, rss = timed(rust_cmd(args.scenario, trials, 1, f"{tmp}/mem{trials}"))
        rust_rss[trials] = rss
        line = f"  {trials:>10} trials: rust {rss:7.1f} MB ({wall:.2f} s)"
        if trials <= 1_000_000:
            _, np_rss = timed(numpy_cmd(args.scenario, trials, 1, f"{tmp}/npmem.json"))
            line += f"   numpy {np_rss:7.1f} MB"
        print(line)
    print(f"  rust 10^7 / 10^5 trials: {rust_rss[10_000_000] / rust_rss[100_000]:.2f}x")


if __name__ == "__main__":
    main()
