#!/usr/bin/env bash
# A full-page screenshot of RUN_DIR/report.html from headless Chromium (file:// URL, no
# network), for a person to look at.
#   scripts/screenshot-report.sh RUN_DIR [OUT.png]     (default RUN_DIR/report.png)
# The window is 1280 px wide and, unless HEIGHT is set, tall enough for the page: at least
# 4000 px, more for a run with many cases.
set -euo pipefail

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 RUN_DIR [OUT.png]" >&2; exit 2; }
run_dir=$(cd "$1" 2>/dev/null && pwd) || { echo "screenshot-report.sh: no such folder: $1" >&2; exit 2; }
report="$run_dir/report.html"
[ -f "$report" ] || { echo "screenshot-report.sh: $report is missing (cogbench report $1 --format html writes it)" >&2; exit 1; }
out=${2:-$run_dir/report.png}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || { echo "screenshot-report.sh: chromium not found (apt-get install -y --no-install-recommends chromium)" >&2; exit 2; }

if [ -z "${HEIGHT:-}" ]; then
    # Generous, so nothing is cut (white below the page is harmless): about 3900 px of
    # header, charts, timing and coverage, a table row per case, a detail row per failure or
    # skip. Measured: 4464 px for 12 cases, 7832 px for 75.
    HEIGHT=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
cases = s.get("cases", [])
failed = sum(1 for c in cases if c.get("verdict") == "fail")
skipped = sum(1 for c in cases if c.get("verdict") == "skipped")
extra = 40 * len(s.get("phases", [])) + 40 * max(0, len(s.get("coverage", {}).get("errors", [])) - 16)
print(min(30000, max(4000, 3900 + 56 * len(cases) + 250 * failed + 60 * skipped + extra)))
' "$run_dir/summary.json" 2>/dev/null || echo 4000)
fi

mkdir -p "$(dirname "$out")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --screenshot="$out" --window-size="1280,$HEIGHT" \
    "file://$report" 2>"$profile/stderr.log" >/dev/null || {
    echo "screenshot-report.sh: chromium failed:" >&2
    tail -n 20 "$profile/stderr.log" >&2
    exit 1
}
[ -s "$out" ] || { echo "screenshot-report.sh: no screenshot written" >&2; exit 1; }
echo "$out (1280x$HEIGHT)"
