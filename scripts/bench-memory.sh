#!/usr/bin/env bash
# Memory stays flat in long runs: the same load (5,000 req/s of cases that change no state and
# never reach the code check, so no user is consumed or locked out by the attempt limit) for a
# short and a long duration; peak RSS should not grow with time.
#
#   scripts/bench-memory.sh                 # 10 s vs 60 s
#   SHORT=10s LONG=600s scripts/bench-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
short=${SHORT:-10s}
long=${LONG:-60s}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (Debian package 'time')" >&2; exit 2; }
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for d in "$short" "$long"; do
  cat >"$out/flat-$d.yaml" <<YAML
name: flat-memory
users: {reuse_limit: 1000000}
judge: {postconditions: 0}
phases:
  - arrival_rate: 5000
    duration: $d
    max_in_flight: 512
mix: {already-confirmed: 3, unknown-user: 2, code-missing: 1, malformed-json: 1, unknown-client: 1, secret-hash-wrong: 2}
YAML
  /usr/bin/time -f '%M' -o "$out/rss-$d" ./target/release/cogbench run "$out/flat-$d.yaml" \
    --progress quiet --output-dir "$out/run-$d" >"$out/stdout-$d" || tail -20 "$out/stdout-$d"
  python3 - "$out" "$d" <<'PY'
import json, sys
out, d = sys.argv[1], sys.argv[2]
s = json.load(open(f"{out}/run-{d}/summary.json"))
rss = int(open(f"{out}/rss-{d}").read().split()[-1]) / 1024
t = s["totals"]
print(f"duration {d:>6}: {t['requests']:>8} requests, {t['requests_per_second']:8.1f} req/s, "
      f"p99 {t['latency_us']['p99'] / 1000:.2f} ms, peak RSS {rss:.1f} MiB, exit {s['exit_code']}")
PY
done
