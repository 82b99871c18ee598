#!/usr/bin/env python3
"""Reads samples.parquet with pandas, checks it against the run's own tables and answers the
joint questions of docs/decisions.md ("Samples for notebooks").

    simulate scenarios/base.toml --samples 2026,2028 -o /tmp/s
    python3 benches/samples_check.py /tmp/s/base

Needs pandas and pyarrow (pip install -r benches/requirements.txt). Checks: one row per trial,
trial numbers 0..n-1, weights >= 0 (all 1 unless conditioned), and for every target of
targets.csv whose date is a sampled time, the weighted share of trials at or above it equals
the table's probability to its four decimals. Exits 1 on any mismatch.
"""
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "output/base")
path = folder / "samples.parquet"
meta = {k.decode(): v.decode() for k, v in pq.read_schema(path).metadata.items() if k.startswith(b"simulate.")}
df = pd.read_parquet(path)
print(f"{path}: {len(df):,} trials x {df.shape[1]} columns; times {meta['simulate.times']}, "
      f"conditioned {meta['simulate.conditioned']}")
problems = []
if len(df) != int(meta["simulate.trials"]) or (df["trial"].to_numpy() != range(len(df))).any():
    problems.append("trial numbers are not 0..n-1")
if (df["weight"] < 0).any():
    problems.append("negative weight")
w = df["weight"]

def share(mask):
    """The weighted share of trials for which mask holds."""
    return float(w[mask].sum() / w.sum())

for t in pd.read_csv(folder / "targets.csv").itertuples():
    column = f"{t.city}@{int(t.at)}-01-01" if float(t.at).is_integer() else None
    if column not in df:
        continue
    got = share(df[column] >= t.capacity)
    ok = abs(got - t.probability) <= 0.5e-4 + 1e-12
    print(f"  {t.city} >= {t.capacity:,.0f} P at {column.split('@')[1]}: samples {got:.4f}, "
          f"targets.csv {t.probability:.4f} {'ok' if ok else 'MISMATCH'}")
    if not ok:
        problems.append(column)

# The joint questions of docs/decisions.md.
if {"Beijing@2028-01-01", "Shanghai@2028-01-01", "Total@2028-01-01"} <= set(df.columns):
    b, s, total = df["Beijing@2028-01-01"], df["Shanghai@2028-01-01"], df["Total@2028-01-01"]
    both = share((b >= 100_000) & (s >= 60_000))
    print(f"P(Beijing >= 100k P and Shanghai >= 60k P at end-2027) = {both:.1%} "
          f"(each alone: {share(b >= 100_000):.1%} and {share(s >= 60_000):.1%})")
    print("Beijing's share of the Total at end-2027, percentiles 5/50/95:",
          ", ".join(f"{q:.1%}" for q in (b / total).quantile([0.05, 0.5, 0.95])))
if problems:
    print("problems:", "; ".join(problems))
    sys.exit(1)
