#!/usr/bin/env python3
"""Fits a lognormal to the slips of docs/data/slips.csv (delay in years between a project's
announced and actual online date), by maximum likelihood with right-censoring (a project not
yet in service at a date counts as "delay > that"), on a grid of (mu, sigma).

Run: python3 docs/data/fit-slips.py   (standard library only)
"""
import csv
import math
from statistics import NormalDist

N = NormalDist()
rows = list(csv.DictReader(open("docs/data/slips.csv", encoding="utf-8")))
seen = [math.log(float(r["delay_years"])) for r in rows if r["censored"] == "no"]
beyond = [math.log(float(r["delay_years"])) for r in rows if r["censored"].startswith("yes")]


def loglik(mu, sigma):
    ll = sum(-0.5 * ((x - mu) / sigma) ** 2 - math.log(sigma) for x in seen)
    ll += sum(math.log(max(1e-300, 1.0 - N.cdf((c - mu) / sigma))) for c in beyond)
    return ll


best = max(
    ((loglik(i / 100, j / 100), i / 100, j / 100) for i in range(-300, 300) for j in range(5, 400)),
)
_, mu, sigma = best
print(f"records: {len(seen)} seen, {len(beyond)} censored")
print(f"MLE: mu = {mu:.2f}, sigma = {sigma:.2f}; median {math.exp(mu):.2f} years, "
      f"p5 {math.exp(mu - 1.645 * sigma):.3f}, p95 {math.exp(mu + 1.645 * sigma):.2f} years")
# The shipped reference class (src/scenario/lumpy.rs, SLIP_REFERENCE): p5 0.05, p95 4 years.
m, s = math.log(math.sqrt(0.05 * 4.0)), math.log(4.0 / 0.05) / (2 * 1.6448536)
print(f"shipped: median {math.exp(m):.2f} years, sigma {s:.2f}; "
      f"P(delay > 1.55 years) = {1 - N.cdf((math.log(1.55) - m) / s):.3f}")
