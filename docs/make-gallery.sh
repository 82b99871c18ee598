#!/bin/sh
# Regenerates docs/gallery/*.png, the README's chart gallery, from the base scenario.
# Usage (from anywhere): sh docs/make-gallery.sh
set -eu
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$repo"
cargo run --release --quiet -- scenarios/base.toml --quiet --out "$out"
rm -f docs/gallery/*.png docs/gallery/china-2025/*.png
cp "$out"/base/*.png docs/gallery/
# The national scenario: the Total, the western hubs, the largest places, the calibration.
cargo run --release --quiet -- scenarios/china-2025.toml --quiet --out "$out" 2>/dev/null
mkdir -p docs/gallery/china-2025
for chart in fan_total fan_eight_hubs fan_western_hubs cities horizon calibration targets; do
  cp "$out/china-2025/$chart.png" docs/gallery/china-2025/
done
ls -l docs/gallery
