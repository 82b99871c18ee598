#!/bin/sh
# Regenerates docs/gallery/*.png, the README's chart gallery, from the base scenario.
# Usage (from anywhere): sh docs/make-gallery.sh
set -eu
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$repo"
cargo run --release --quiet -- scenarios/base.toml --quiet --out "$out"
rm -f docs/gallery/*.png
cp "$out"/base/*.png docs/gallery/
ls -l docs/gallery
