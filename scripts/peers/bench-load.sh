#!/usr/bin/env bash
# ConfirmSignUp throughput and latency of the embedded emulator, cognito-local and moto, each
# driven by cogbench with the same closed-model load (scenarios/emulators/*-load.yaml: 8
# virtual users, 10 s, already-CONFIRMED users). Runs each RUNS times (default 3) on a
# release build and prints one table of medians.
#
#   scripts/peers/bench-load.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
runs=${RUNS:-3}
cargo build --release --quiet
scripts/peers/install.sh all >/dev/null
out=$(mktemp -d)
pid=""
cleanup() { [[ -n "$pid" ]] && scripts/peers/stop.sh "$pid"; rm -rf "$out"; }
trap cleanup EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $runs runs each"
for target in embedded cognito-local moto; do
  for i in $(seq 1 "$runs"); do
    case "$target" in
      cognito-local) rm -rf .peers/cognito-local-data; pid=$(scripts/peers/start.sh cognito-local 9230 .peers/cognito-local-data 2>/dev/null) ;;
      moto) pid=$(scripts/peers/start.sh moto 9231 2>/dev/null) ;;
    esac
    ./target/release/cogbench run "scenarios/emulators/$target-load.yaml" --progress quiet \
      --output-dir "$out/$target-$i" >/dev/null || true
    if [[ -n "$pid" ]]; then scripts/peers/stop.sh "$pid"; pid=""; fi
  done
done
python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
print(f"{'target':<14} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
for target in ["embedded", "cognito-local", "moto"]:
    rows = []
    for i in range(1, runs + 1):
        try:
            s = json.load(open(f"{out}/{target}-{i}/summary.json"))
        except FileNotFoundError:
            continue
        t = s["totals"]
        rows.append((t["requests_per_second"], t["latency_us"]["p50"] / 1000, t["latency_us"]["p99"] / 1000,
                     t["latency_us"]["max"] / 1000, t["by_class"]["transport_error"] + t["by_class"]["timeout"]))
    if not rows:
        print(f"{target:<14} no run completed")
        continue
    med = [statistics.median(r[k] for r in rows) for k in range(5)]
    print(f"{target:<14} {med[0]:>9.0f} {med[1]:>8.2f} {med[2]:>8.2f} {med[3]:>8.2f} {med[4]:>7.0f}")
PY
