#!/usr/bin/env bash
# Runs scenarios/load-mixed.yaml (harness and embedded emulator in one process) several times
# on a release build and prints each run and the medians: achieved rate, latency, errors,
# conformance failures, peak RSS. The issue's target: at least 5,000 judged ConfirmSignUp
# requests per second for 10 s on a 2-core machine.
#
#   scripts/bench-load-mixed.sh            # 3 runs
#   RUNS=5 scripts/bench-load-mixed.sh
#   SCENARIO=scenarios/smoke.yaml scripts/bench-load-mixed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
scenario=${SCENARIO:-scenarios/load-mixed.yaml}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (Debian package 'time')" >&2; exit 2; }

cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr)"
echo "scenario: $scenario, $runs runs"
for i in $(seq 1 "$runs"); do
  /usr/bin/time -f '%M' -o "$out/rss-$i" \
    ./target/release/cogbench run "$scenario" --progress quiet --output-dir "$out/run-$i" >"$out/stdout-$i" 2>"$out/stderr-$i" \
    || { echo "run $i exited $? (see below)"; tail -20 "$out/stdout-$i" "$out/stderr-$i"; }
done

python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
rows = []
for i in range(1, runs + 1):
    s = json.load(open(f"{out}/run-{i}/summary.json"))
    rss_kib = int(open(f"{out}/rss-{i}").read().split()[-1])
    t = s["totals"]
    rows.append({
        "run": i,
        "requests": t["requests"],
        "req/s": t["requests_per_second"],
        "p50 ms": t["latency_us"]["p50"] / 1000,
        "p99 ms": t["latency_us"]["p99"] / 1000,
        "max ms": t["latency_us"]["max"] / 1000,
        "svc p99 ms": t["service_time_us"]["p99"] / 1000,
        "errors": t["errors"],
        "conf. fails": s["conformance"]["responses_failed"],
        "dropped": t["dropped"],
        "RSS MiB": rss_kib / 1024,
        "exit": s["exit_code"],
    })
cols = list(rows[0].keys())
fmt = lambda v: f"{v:.2f}" if isinstance(v, float) else str(v)
print(" | ".join(f"{c:>11}" for c in cols))
for r in rows:
    print(" | ".join(f"{fmt(r[c]):>11}" for c in cols))
med = {c: statistics.median(r[c] for r in rows) for c in cols if c != "run"}
print(" | ".join([f"{'median':>11}"] + [f"{fmt(med[c]):>11}" for c in cols[1:]]))
PY
