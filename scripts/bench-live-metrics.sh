#!/usr/bin/env bash
# The memory cost of --metrics-listen: the same run with and without it, scraped every second
# (OpenMetrics, as Prometheus asks) while it goes; peak RSS from GNU time, median of RUNS (3).
# Two runs: a flat load like bench-memory.sh's (2,000 req/s of 6 cases that consume no users,
# 20 s) and smoke.yaml (all 85 catalog cases: the largest exposition, about 0.7 MB a scrape).
# Then what scrapers cost the load: the flat load for 10 s with no scraper and with SCRAPERS
# (8) curl loops scraping back to back, the achieved rate, dropped starts, p50 and p99
# (medians of RUNS).
#
#   scripts/bench-live-metrics.sh
#   COGBENCH=target/release/cogbench RUNS=5 scripts/bench-live-metrics.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (Debian package 'time')" >&2; exit 2; }
if [[ -z "${COGBENCH:-}" ]]; then
  cargo build --release --quiet
  COGBENCH=target/release/cogbench
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
cat >"$out/flat.yaml" <<'YAML'
name: flat-memory
users: {reuse_limit: 1000000}
judge: {postconditions: 0}
phases:
  - arrival_rate: 2000
    duration: 20s
    max_in_flight: 512
mix: {already-confirmed: 3, unknown-user: 2, code-missing: 1, malformed-json: 1, unknown-client: 1, secret-hash-wrong: 2}
YAML

# A free port on 127.0.0.1.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One run; prints its peak RSS in KiB. With "metrics", listens and is scraped every second.
measure() { # SCENARIO TAG i metrics|plain
  local scenario=$1 tag=$2 i=$3 mode=$4 extra=() p scraper=
  if [[ $mode == metrics ]]; then
    p=$(port)
    extra=(--metrics-listen "127.0.0.1:$p" --metrics-linger 5s)
    ( while sleep 1; do
        curl -fs -o /dev/null -H 'Accept: application/openmetrics-text;version=1.0.0' \
          "http://127.0.0.1:$p/metrics" || true
      done ) &
    scraper=$!
  fi
  /usr/bin/time -f '%M' -o "$out/rss-$tag-$mode-$i" "$COGBENCH" run "$scenario" --progress quiet \
    --output-dir "$out/run-$tag-$mode-$i" "${extra[@]}" >/dev/null 2>"$out/err-$tag-$mode-$i" || true
  [[ -n $scraper ]] && kill "$scraper" 2>/dev/null && wait "$scraper" 2>/dev/null
  tail -1 "$out/rss-$tag-$mode-$i"
}

for pair in "flat:$out/flat.yaml" "smoke:scenarios/smoke.yaml"; do
  tag=${pair%%:*} scenario=${pair#*:}
  for mode in plain metrics; do
    rss=()
    for i in $(seq "$runs"); do rss+=("$(measure "$scenario" "$tag" "$i" "$mode")"); done
    printf '%s\n' "${rss[@]}" >"$out/all-$tag-$mode"
  done
  python3 - "$out" "$tag" <<'PY'
import json, statistics, sys
out, tag = sys.argv[1], sys.argv[2]
med = {}
for mode in ("plain", "metrics"):
    kib = [int(x) for x in open(f"{out}/all-{tag}-{mode}").read().split()]
    med[mode] = statistics.median(kib) / 1024
    s = json.load(open(f"{out}/run-{tag}-{mode}-1/summary.json"))
    print(f"{tag:>5} {mode:>7}: {s['totals']['requests']:>7} requests, {len(s['cases'])} cases, "
          f"peak RSS {', '.join(f'{k/1024:.1f}' for k in kib)} MiB, median {med[mode]:.1f} MiB")
print(f"{tag:>5} cost of --metrics-listen: {med['metrics'] - med['plain']:+.1f} MiB "
      f"({(med['metrics'] / med['plain'] - 1) * 100:+.1f} %)")
PY
done

# --- What many scrapers at once cost the load.
scrapers=${SCRAPERS:-8}
sed 's/duration: 20s/duration: 10s/' "$out/flat.yaml" >"$out/flat10.yaml"
for mode in none hammer; do
  for i in $(seq "$runs"); do
    p=$(port) pids=()
    if [[ $mode == hammer ]]; then
      for _ in $(seq "$scrapers"); do
        ( while :; do
            curl -s -o /dev/null -H 'Accept: application/openmetrics-text;version=1.0.0' \
              "http://127.0.0.1:$p/metrics" || sleep 0.01
          done ) &
        pids+=($!)
      done
    fi
    "$COGBENCH" run "$out/flat10.yaml" --progress quiet --output-dir "$out/load-$mode-$i" \
      --metrics-listen "127.0.0.1:$p" --metrics-linger 0s >/dev/null 2>&1 || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
  done
done
python3 - "$out" "$runs" "$scrapers" <<'PY'
import json, statistics, sys
out, runs, scrapers = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for mode, label in (("none", "no scraper"), ("hammer", f"{scrapers} scrapers back to back")):
    rows = [json.load(open(f"{out}/load-{mode}-{i}/summary.json"))["totals"] for i in range(1, runs + 1)]
    med = lambda f: statistics.median(f(t) for t in rows)
    print(f"flat 10 s, {label:>26}: {med(lambda t: t['requests_per_second']):.0f} req/s, "
          f"dropped {med(lambda t: t['dropped']):.0f}, p50 {med(lambda t: t['latency_us']['p50']) / 1000:.2f} ms, "
          f"p99 {med(lambda t: t['latency_us']['p99']) / 1000:.2f} ms (medians of {runs})")
PY
