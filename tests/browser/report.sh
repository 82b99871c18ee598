#!/usr/bin/env bash
# report.html in a real browser (run by .ci/run): the base scenario's page is opened in headless
# chromium, printed to PDF (A4) and screenshotted at 1200 px. Fails (never skips) when chromium
# or pdftotext is missing, when the page logs a console error, when the browser loads any file
# but the page itself, or when the PDF lacks a section, is not A4 or has too few pages.
# KEEP=DIR keeps the page, the PDF, the text and the screenshot in DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in chromium pdftotext pdfinfo; do
  command -v "$tool" >/dev/null || {
    echo "report.sh: $tool is missing (apt-get install chromium poppler-utils)" >&2
    exit 1
  }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs headless chromium on file $1 with the extra flags that follow; its log goes to stderr.
browse() {
  local page=$1
  shift
  timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$(mktemp -d -p "$work")" --enable-logging=stderr --v=1 "$@" "file://$page"
}

# Console errors and loads of anything but the page itself, from a chromium log; prints them.
problems() {
  local log=$1 page=$2
  # (google_apis/ lines are the browser's own sign-in service, which the page does not reach.)
  { grep -E 'CONSOLE.*(Uncaught|Failed to load|Error)|net::ERR_' "$log" | grep -vF google_apis/ || true
    grep -F 'URLLoader::Start' "$log" | grep -vF "file://$page" || true
  } | sed 's/^/  /'
}

# The check itself must see a broken page: a script error and a missing image.
printf '<!DOCTYPE html><p>x</p><script>undefinedFn()</script><img src="missing.png">\n' \
  > "$work/broken.html"
browse "$work/broken.html" --print-to-pdf="$work/broken.pdf" 2> "$work/broken.log" >/dev/null
found=$(problems "$work/broken.log" "$work/broken.html")
if ! grep -q Uncaught <<<"$found" || ! grep -q missing.png <<<"$found"; then
  echo "report.sh: the log check does not catch a script error and a missing file:" >&2
  echo "$found" >&2
  exit 1
fi

cargo run --locked -q -- scenarios/base.toml -n 20000 -q -o "$work/out"
page="$work/out/base/report.html"
browse "$page" --print-to-pdf="$work/report.pdf" --no-pdf-header-footer 2> "$work/pdf.log" >/dev/null
browse "$page" --screenshot="$work/report.png" --window-size=1200,2400 --hide-scrollbars \
  2> "$work/shot.log" >/dev/null
status=0
for log in pdf shot; do
  found=$(problems "$work/$log.log" "$page")
  if [ -n "$found" ]; then
    echo "report.sh: the page logged errors or loaded other files ($log):" >&2
    echo "$found" >&2
    status=1
  fi
done
[ -s "$work/report.pdf" ] || { echo "report.sh: no PDF was printed" >&2; exit 1; }
[ "$(stat -c %s "$work/report.png")" -gt 10000 ] || { echo "report.sh: no screenshot" >&2; exit 1; }
pdftotext -layout "$work/report.pdf" "$work/report.txt"
for title in "Key numbers" "Targets" "Central projection" "Charts" "Reports and calibration" \
  "Inputs" "Method" "Reproduce this run" "simulate scenarios/base.toml --trials 20000"; do
  grep -qF "$title" "$work/report.txt" || { echo "report.sh: the PDF lacks \"$title\"" >&2; status=1; }
done
info=$(pdfinfo "$work/report.pdf")
grep -q 'Page size:.*(A4)' <<<"$info" || { echo "report.sh: the PDF is not A4: $info" >&2; status=1; }
pages=$(awk '/^Pages:/ {print $2}' <<<"$info")
# One page per section at least, and the charts (about two per page).
[ "$pages" -ge 10 ] || { echo "report.sh: only $pages pages" >&2; status=1; }
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"
  cp "$page" "$work/report.pdf" "$work/report.txt" "$work/report.png" "$KEEP/"
fi
[ "$status" -eq 0 ] && echo "report.sh: report.html printed to $pages A4 pages with every section, no console error, nothing fetched"
exit "$status"
