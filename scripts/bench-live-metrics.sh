#!/usr/bin/env bash
# The memory cost of --metrics-listen: the same run with and without it, scraped every second
# (OpenMetrics, as Prometheus asks) while it goes; peak RSS from GNU time, median of RUNS (3).
# Two runs: a flat load like bench-memory.sh's (2,000 req/s of 6 cases that consume no users,
# 20 s) and smoke.yaml (all 85 catalog cases: the largest exposition, about 0.7 MB a scrape).
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
