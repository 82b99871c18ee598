#!/usr/bin/env python3
"""Writes a synthetic scenario of N places (and N/10 groups) for the scaling benchmark of
docs/performance.md: `python3 benches/places.py 100 > /tmp/places-100.toml`. Not a forecast:
every number is an assumption chosen to look like the shipped scenarios."""
import sys

n = int(sys.argv[1])
trials = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
print(f"""[scenario]
name = "places-{n}"
description = "synthetic: {n} places for the scaling benchmark"
start = 2024.5
end = 2030.0
steps_per_year = 4
trials = {trials}
seed = 1
""")
for i in range(n):
    lo = 1_000 + 97 * i
    print(f"""[[city]]
name = "Place {i}"
baseline = {{ dist = "lognormal", p5 = {lo}, p95 = {4 * lo} }}
growth = {{ dist = "normal", mean = 0.35, sd = 0.12 }}
volatility = 0.10
""")
    if i % 7 == 0:
        print(f"""[[city.project]]
name = "Centre {i}"
capacity = {{ dist = "pert", min = 1_000, mode = 3_000, max = 8_000 }}
online = {{ dist = "triangular", min = 2025.0, mode = 2026.0, max = 2027.5 }}
probability = 0.7
ramp_years = 1.0
""")
for g in range(max(1, n // 10)):
    members = ", ".join(f'"Place {i}"' for i in range(g * 10, min(n, g * 10 + 10)))
    print(f"""[[group]]
name = "Group {g}"
members = [{members}]
""")
print("""[[target]]
city = "Total"
at = 2028.0
capacity = 1_000_000
""")
