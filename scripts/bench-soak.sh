#!/usr/bin/env bash
# Runs scenarios/soak.yaml for a short and a long duration against `cogbench emulator` in its
# own process (a fresh one per run), and prints for each run: requests, achieved rate, the
# set-up before the first request, users provisioned, peak RSS of the harness and of the
# emulator, and the emulator's peak RSS per provisioned user; then the long run's harness RSS
# over the short one's. A harness whose memory is flat gives a ratio near 1.
#
#   scripts/bench-soak.sh                          # 1m and 10m, one run each (about 12 minutes)
#   DURATIONS="30s 2m" RUNS=3 scripts/bench-soak.sh
#   COGBENCH=path/to/cogbench SCENARIO=scenarios/load-mixed.yaml scripts/bench-soak.sh
#
# Knobs: DURATIONS ("1m 10m", each passed to `run --duration`), RUNS (1), PORT (9260),
#        SCENARIO (scenarios/soak.yaml: one steady phase), COGBENCH (target/release/cogbench,
#        built with `cargo build --release` only when unset), KEEP (a folder for the raw output).
set -euo pipefail
cd "$(dirname "$0")/.."
durations=${DURATIONS:-1m 10m}
runs=${RUNS:-1}
port=${PORT:-9260}
scenario=${SCENARIO:-scenarios/soak.yaml}
log() { printf 'bench-soak.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
[[ -x /usr/bin/time ]] || die "needs GNU time (Debian package 'time')"
command -v python3 >/dev/null || die "python3 not found (it reads summary.json)"
command -v curl >/dev/null || die "curl not found (it waits for the emulator)"
if [[ -z "${COGBENCH:-}" ]]; then
  log "building cogbench (cargo build --release)"
  cargo build --release --quiet
  COGBENCH=target/release/cogbench
fi
[[ -x "$COGBENCH" ]] || die "no executable at $COGBENCH"

if [[ -n "${KEEP:-}" ]]; then work=$KEEP; mkdir -p "$work"; else work=$(mktemp -d); fi
emulator=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [[ -n "$emulator" ]]; then kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true; fi
  if [[ -z "${KEEP:-}" ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# Peak resident memory of a live process, in KiB (VmHWM: what the kernel saw at most).
peak_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

echo "cogbench soak benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine:  $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min load average at the start)"
echo "scenario: $scenario; durations: $durations; $runs run(s) each; emulator on 127.0.0.1:$port"
results="$work/results.jsonl"
: >"$results"
for d in $durations; do
  for r in $(seq 1 "$runs"); do
    prefix="$work/soak-$d-$r"
    "$COGBENCH" emulator --port "$port" >"$prefix.emulator.log" 2>&1 &
    emulator=$!
    for _ in $(seq 1 100); do
      curl -s -o /dev/null "http://127.0.0.1:$port/" && break
      sleep 0.1
    done
    log "$d run $r/$runs"
    rc=0
    launched=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$prefix.rss" "$COGBENCH" run "$scenario" --duration "$d" \
      --endpoint-url "http://127.0.0.1:$port" --progress quiet --output-dir "$prefix.dir" \
      >"$prefix.out" 2>"$prefix.err" || rc=$?
    emulator_kib=$(peak_kib "$emulator")
    kill "$emulator" && wait "$emulator" 2>/dev/null || true
    emulator=
    if [[ ! -f "$prefix.dir/summary.json" ]]; then
      log "$d run $r: no summary (exit $rc): $(tail -3 "$prefix.err")"
      continue
    fi
    python3 - "$prefix" "$d" "$r" "$rc" "$emulator_kib" "$launched" >>"$results" <<'PY'
import json, sys
from datetime import datetime
prefix, d, r, rc, emulator_kib = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
launched = float(sys.argv[6])
s = json.load(open(prefix + ".dir/summary.json"))
t = s["totals"]
parse = lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))
# From the command's launch to its first request (started_at has whole seconds only).
setup = parse(s["load_started_at"]).timestamp() - launched
users = sum(u["provisioned"] for u in s["users"].values())
print(json.dumps({
    "duration": d, "run": r, "exit": rc, "requests": t["requests"],
    "rps": t["requests_per_second"], "setup_s": setup, "users": users,
    "harness_mib": int(open(prefix + ".rss").read().split()[-1]) / 1024,
    "emulator_mib": emulator_kib / 1024,
    "conformance_failed": s["conformance"]["responses_failed"],
}))
PY
  done
done

python3 - "$results" "$durations" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
order = sys.argv[2].split()
if not rows:
    sys.exit("no run finished")
print()
head = f"{'duration':>8} {'run':>3} {'exit':>4} {'requests':>10} {'req/s':>8} {'set-up s':>8} {'users':>9} {'harness MiB':>11} {'emulator MiB':>12} {'emu B/user':>10} {'conf. fails':>11}"
print(head)
print("-" * len(head))
for r in rows:
    per_user = r["emulator_mib"] * 1048576 / r["users"] if r["users"] else 0
    print(f"{r['duration']:>8} {r['run']:>3} {r['exit']:>4} {r['requests']:>10,} {r['rps']:>8,.0f} {r['setup_s']:>8.2f} "
          f"{r['users']:>9,} {r['harness_mib']:>11.1f} {r['emulator_mib']:>12.1f} {per_user:>10,.0f} {r['conformance_failed']:>11}")
med = {d: statistics.median(r["harness_mib"] for r in rows if r["duration"] == d) for d in order if any(r["duration"] == d for r in rows)}
if len(med) >= 2:
    first, last = order[0], order[-1]
    if first in med and last in med:
        print(f"\nharness peak RSS, {last} over {first} (medians): {med[last] / med[first]:.2f}x ({med[last]:.1f} / {med[first]:.1f} MiB)")
print("set-up s: from launching the command to its first request; emu B/user: the emulator's peak RSS over the users provisioned")
PY
