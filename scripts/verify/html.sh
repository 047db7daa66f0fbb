#!/usr/bin/env bash
# Renders RUN_DIR/report.html in headless Chromium (file:// URL, no network) and checks the
# rendered DOM: each chart's <svg data-chart=…> exists with data series of at least 2 points,
# and the verdict table has one row per case of RUN_DIR/summary.json.
#   scripts/verify/html.sh RUN_DIR
# Needs Debian's chromium (apt-get install -y --no-install-recommends chromium) and python3.
set -euo pipefail

usage() { echo "usage: $0 RUN_DIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
run_dir=$(cd "$1" 2>/dev/null && pwd) || { echo "html.sh: no such folder: $1" >&2; exit 2; }
report="$run_dir/report.html"
summary="$run_dir/summary.json"
[ -f "$report" ] || { echo "html.sh: FAIL: $report is missing (cogbench report $1 --format html writes it)" >&2; exit 1; }
[ -f "$summary" ] || { echo "html.sh: FAIL: $summary is missing" >&2; exit 1; }
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || { echo "html.sh: chromium not found (apt-get install -y --no-install-recommends chromium)" >&2; exit 2; }

profile=$(mktemp -d)
dom=$(mktemp)
trap 'rm -rf "$profile" "$dom"' EXIT
if ! timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --dump-dom "file://$report" >"$dom" 2>"$profile/stderr.log"; then
    echo "html.sh: FAIL: chromium could not render $report:" >&2
    tail -n 20 "$profile/stderr.log" >&2
    exit 1
fi

python3 - "$dom" "$summary" "${CHARTS:-latency-over-time throughput-over-time percentile-distribution}" <<'PY'
import json
import re
import sys
from html.parser import HTMLParser

dom_file, summary_file, wanted = sys.argv[1], sys.argv[2], sys.argv[3].split()
dom = open(dom_file, encoding="utf-8").read()
summary = json.load(open(summary_file, encoding="utf-8"))


def count_points(tag, attrs):
    if tag == "polyline":
        return len(re.findall(r"-?[\d.]+\s*,\s*-?[\d.]+", attrs.get("points", "")))
    # <path d="M x y L x y …">: one point per coordinate pair.
    numbers = re.findall(r"-?\d+(?:\.\d+)?", attrs.get("d", ""))
    return len(numbers) // 2


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.charts = {}  # id -> {series: points}
        self.chart = None
        self.depth = 0
        self.case_rows = []
        self.in_verdicts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            if self.chart is None and "data-chart" in a:
                self.chart = a["data-chart"]
                self.charts.setdefault(self.chart, {})
                self.depth = 0
            elif self.chart is not None:
                self.depth += 1
        if self.chart is not None and tag in ("polyline", "path") and "data-series" in a:
            series = self.charts[self.chart]
            series[a["data-series"]] = series.get(a["data-series"], 0) + count_points(tag, a)
        if tag == "table" and a.get("id") == "verdict-table":
            self.in_verdicts = 1
        elif tag == "table" and self.in_verdicts:
            self.in_verdicts += 1
        if tag == "tr" and self.in_verdicts and "data-case" in a:
            self.case_rows.append(a["data-case"])

    def handle_endtag(self, tag):
        if tag == "svg" and self.chart is not None:
            if self.depth == 0:
                self.chart = None
            else:
                self.depth -= 1
        if tag == "table" and self.in_verdicts:
            self.in_verdicts -= 1


parser = Dom()
parser.feed(dom)
problems = []
for chart in wanted:
    if chart not in parser.charts:
        problems.append(f"chart `{chart}`: no <svg data-chart=\"{chart}\"> in the rendered page")
        continue
    series = parser.charts[chart]
    drawn = {name: n for name, n in series.items() if n >= 2}
    if not drawn:
        detail = ", ".join(f"{k}: {v} point(s)" for k, v in series.items()) or "no data series"
        problems.append(f"chart `{chart}`: no data series with at least 2 points ({detail})")
    else:
        print(f"ok   chart {chart}: " + ", ".join(f"{k} ({v} points)" for k, v in sorted(drawn.items())))

cases = [c["name"] for c in summary.get("cases", [])]
rows = parser.case_rows
if sorted(rows) != sorted(cases):
    missing = sorted(set(cases) - set(rows))
    extra = sorted(set(rows) - set(cases))
    dup = sorted({r for r in rows if rows.count(r) > 1})
    problems.append(
        f"verdict table: {len(rows)} case row(s) for {len(cases)} case(s) in summary.json"
        + (f"; missing: {', '.join(missing)}" if missing else "")
        + (f"; not in summary.json: {', '.join(extra)}" if extra else "")
        + (f"; repeated: {', '.join(dup)}" if dup else "")
    )
else:
    print(f"ok   verdict table: one row for each of the {len(cases)} case(s)")

if problems:
    for p in problems:
        print(f"FAIL {p}", file=sys.stderr)
    sys.exit(1)
print("html.sh: report.html renders every chart and case")
PY
