#!/usr/bin/env bash
# Measures cogbench's raw throughput side by side with wrk and oha, all three against the same
# private nginx (scripts/bench/nginx.sh) that answers every ConfirmSignUp with 200 `{}`, so
# what is measured is the load generator. For 16 and 64 connections, RUNS runs of DURATION
# each per tool, one tool at a time, interleaved (wrk, oha, cogbench, wrk, …). Prints one
# table of medians: req/s, p50 and p99 latency, and the client's CPU time per request
# (user + system, from GNU time), plus cogbench's req/s relative to wrk's and oha's.
#
#   scripts/bench/install.sh                        # once: wrk, nginx, oha
#   scripts/bench/compare.sh                        # builds cogbench (release) first
#   RUNS=1 DURATION=5s COGBENCH=path/to/cogbench scripts/bench/compare.sh
#
# Sections (SECTIONS, default all: "peers https emulator rate co memory"): peers = the table above;
# https = the same table over TLS (nginx's HTTPS listener on PORT+3 with a test CA made by
# openssl at start into the temp folder; wrk does not verify, oha --cacert, cogbench
# --ca-bundle), once per NGINX_WORKERS, with cogbench's connection set-up (TCP + handshake)
# time beside it;
# emulator = cogbench's judged throughput against its own emulator; rate = achieved vs asked
# rate at RATES ("5000 20000") for RATE_DURATION (30s); co = coordinated omission against an
# emulator stalling 1 s every 5 s (CO_RATE 1000, CO_DURATION 20s); memory = peak RSS of a
# MEMORY_SHORT (60s) and a MEMORY_LONG (600s; 0 skips) maximum-rate run.
# Knobs: RUNS (3), DURATION (10s), PORT (9240; the emulators use PORT+1 and PORT+2), CONNECTIONS ("16 64"),
#        NGINX_WORKERS (the peers table once per nginx worker count, default "1 2"; other
#        sections use the first),
#        COGBENCH (target/release/cogbench, built with `cargo build --release` only when unset),
#        OHA (.peers/oha/bin/oha, else oha on PATH), WRK_THREADS (nproc, at most N),
#        KEEP (a folder: keep every run's raw output there instead of a temp folder),
#        BASELINE (another cogbench binary, e.g. a build of the previous commit: the peers table
#        then runs it too, interleaved with the others, and gives cogbench's req/s over its),
#        FLOOR (1: build examples/tokio_floor and run it in the plain-HTTP peers tables, or the
#        path of a built one: a bare tokio client with no judging, recording or timeouts, the
#        floor of what a client on cogbench's runtime costs; "vs floor" is cogbench over it).
# Exits 0 when it ran, even when a tool was missing (its rows say so).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

runs=${RUNS:-3}
duration=${DURATION:-10s}
port=${PORT:-9240}
connections=${CONNECTIONS:-16 64}
wrk_threads=${WRK_THREADS:-$(nproc)}
url="http://127.0.0.1:$port/"
tls_port=$((port + 3))

# The request that every tool sends (confirm.lua carries the same for wrk).
content_type='application/x-amz-json-1.1'
target='AWSCognitoIdentityProviderService.ConfirmSignUp'
body='{"ClientId":"bench0client0id0000000000000","Username":"bench-user","ConfirmationCode":"123456"}'

log() { printf 'compare.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
command -v python3 >/dev/null || die "python3 not found (it reads the tools' JSON)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian package 'time')"
command -v curl >/dev/null || die "curl not found (nginx.sh needs it)"

if [[ -n "${KEEP:-}" ]]; then
  work=$KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d)
fi
results="$work/results.jsonl"
: >"$results"
# The https section's test CA (nginx.sh makes it at every start; never kept past the run
# unless KEEP says so).
ca="$work/tls/ca.pem"
nginx_pid=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [[ -n "$nginx_pid" ]]; then scripts/bench/nginx.sh stop "$nginx_pid" 2>/dev/null || true; fi
  if [[ -z "${KEEP:-}" ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# --- the tools -----------------------------------------------------------------------------

if [[ -z "${COGBENCH:-}" ]]; then
  log "building cogbench (cargo build --release)"
  cargo build --release --quiet
  COGBENCH=target/release/cogbench
fi
wrk_bin=$(command -v wrk || true)
oha_bin=${OHA:-}
if [[ -z "$oha_bin" ]]; then
  if [[ -x .peers/oha/bin/oha ]]; then oha_bin=.peers/oha/bin/oha; else oha_bin=$(command -v oha || true); fi
fi

# Why a tool cannot run (empty when it can).
wrk_missing=; oha_missing=; cogbench_missing=; floor_bin=
case "${FLOOR:-}" in
  '' | 0) ;;
  1)
    log "building the tokio floor (cargo build --release --example tokio_floor)"
    cargo build --release --quiet --example tokio_floor
    floor_bin=target/release/examples/tokio_floor
    ;;
  *) floor_bin=$FLOOR ;;
esac
[[ -n "$wrk_bin" ]] || wrk_missing="wrk: not installed (scripts/bench/install.sh)"
[[ -n "$oha_bin" && -x "$oha_bin" ]] || oha_missing="oha: not installed (scripts/bench/install.sh)"
if [[ ! -x "$COGBENCH" ]]; then
  cogbench_missing="cogbench: no executable at $COGBENCH"
elif ! "$COGBENCH" bench --help >/dev/null 2>&1; then
  cogbench_missing="cogbench: bench command not available"
fi

version_of() { # TOOL
  case "$1" in
    wrk) [[ -z "$wrk_missing" ]] && { "$wrk_bin" -v 2>&1 || true; } | head -1 | awk '{print "wrk " $2}' ;;
    oha) [[ -z "$oha_missing" ]] && "$oha_bin" --version 2>/dev/null | head -1 ;;
    nginx) { nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1; } | sed 's/^nginx version: //' ;;
    cogbench) [[ -x "$COGBENCH" ]] && "$COGBENCH" --version 2>/dev/null | head -1 ;;
  esac || echo "$1 (not installed)"
}

# --- one run of each tool ------------------------------------------------------------------
# Each appends one JSON line to $results: tool, connections, run, and either the measured
# requests (completed responses), seconds, p50/p99 in ms, client CPU seconds, errors; or
# "unavailable" with the reason.

record_unavailable() { # TOOL CONNS REASON
  python3 -c 'import json,sys; print(json.dumps({"tool":sys.argv[1],"connections":int(sys.argv[2]),"unavailable":sys.argv[3]}))' \
    "$1" "$2" "$3" >>"$results"
}

# CMD… under GNU time, stdout and stderr to files; the exit code is returned.
timed() { # PREFIX CMD…
  local prefix=$1; shift
  local rc=0
  /usr/bin/time -f '%U %S' -o "$prefix.cpu" "$@" >"$prefix.out" 2>"$prefix.err" || rc=$?
  return "$rc"
}

run_wrk() { # CONNS RUN
  local n=$1 run=$2 prefix="$work/wrk-c$1-r$2"
  if [[ -n "$wrk_missing" ]]; then record_unavailable wrk "$n" "$wrk_missing"; return; fi
  local threads=$((wrk_threads < n ? wrk_threads : n))
  if ! timed "$prefix" "$wrk_bin" -t "$threads" -c "$n" -d "$duration" \
    -s scripts/bench/confirm.lua "$url"; then
    record_unavailable wrk "$n" "wrk failed: $(tail -1 "$prefix.err")"; return
  fi
  python3 - "$prefix" "$n" "$run" >>"$results" <<'PY'
import json, sys
prefix, n, run = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
line = next(l for l in open(prefix + ".out") if l.startswith("bench-json: "))
w = json.loads(line[len("bench-json: "):])
user, system = map(float, open(prefix + ".cpu").read().split()[-2:])
print(json.dumps({
    "tool": "wrk", "connections": n, "run": run,
    "requests": w["requests"], "seconds": w["duration_us"] / 1e6,
    "p50_ms": w["p50_us"] / 1000, "p99_ms": w["p99_us"] / 1000,
    "cpu_s": user + system, "errors": sum(w["errors"].values()),
}))
PY
}

run_oha() { # CONNS RUN
  local n=$1 run=$2 prefix="$work/oha-c$1-r$2"
  if [[ -n "$oha_missing" ]]; then record_unavailable oha "$n" "$oha_missing"; return; fi
  local tls=()
  [[ "$url" == https://* ]] && tls=(--cacert "$ca")
  if ! timed "$prefix" "$oha_bin" --no-tui -z "$duration" -c "$n" -m POST \
    -H "Content-Type: $content_type" -H "X-Amz-Target: $target" -d "$body" \
    "${tls[@]}" --output-format json "$url"; then
    record_unavailable oha "$n" "oha failed: $(tail -1 "$prefix.err")"; return
  fi
  # oha's JSON: summary.total (s), latencyPercentiles.p50/p99 (s), statusCodeDistribution
  # (completed responses by status), errorDistribution (includes the requests in flight at
  # the deadline, "aborted due to deadline", which summary.requestsPerSec counts too: they
  # are left out here).
  python3 - "$prefix" "$n" "$run" >>"$results" <<'PY'
import json, sys
prefix, n, run = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
o = json.load(open(prefix + ".out"))
user, system = map(float, open(prefix + ".cpu").read().split()[-2:])
codes = o.get("statusCodeDistribution", {})
errors = {k: v for k, v in o.get("errorDistribution", {}).items() if k != "aborted due to deadline"}
pct = o["latencyPercentiles"]
print(json.dumps({
    "tool": "oha", "connections": n, "run": run,
    "requests": sum(codes.values()), "seconds": o["summary"]["total"],
    "p50_ms": (pct["p50"] or 0) * 1000, "p99_ms": (pct["p99"] or 0) * 1000,
    "cpu_s": user + system,
    "errors": sum(errors.values()) + sum(v for k, v in codes.items() if not k.startswith("2")),
}))
PY
}

run_floor() { # CONNS RUN
  local n=$1 run=$2 prefix="$work/floor-c$1-r$2"
  if [[ "$url" == https://* ]]; then return; fi
  if [[ ! -x "$floor_bin" ]]; then record_unavailable floor "$n" "floor: no executable at $floor_bin"; return; fi
  local seconds=${duration%s}
  if ! timed "$prefix" "$floor_bin" "$url" "$n" "$seconds"; then
    record_unavailable floor "$n" "floor failed: $(tail -1 "$prefix.err")"; return
  fi
  python3 - "$prefix" "$n" "$run" >>"$results" <<'PY'
import json, sys
prefix, n, run = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
f = json.loads(open(prefix + ".out").read())
user, system = map(float, open(prefix + ".cpu").read().split()[-2:])
print(json.dumps({
    "tool": "floor", "connections": n, "run": run,
    "requests": f["requests"], "seconds": f["seconds"],
    "p50_ms": None, "p99_ms": None, "cpu_s": user + system, "errors": f["errors"],
}))
PY
}

run_cogbench() { # CONNS RUN [TOOL BINARY]
  local n=$1 run=$2 tool=${3:-cogbench} bin=${4:-$COGBENCH}
  local prefix="$work/$tool-c$1-r$2"
  if [[ -n "$cogbench_missing" ]]; then record_unavailable "$tool" "$n" "$cogbench_missing"; return; fi
  if [[ ! -x "$bin" ]]; then record_unavailable "$tool" "$n" "$tool: no executable at $bin"; return; fi
  local tls=()
  [[ "$url" == https://* ]] && tls=(--ca-bundle "$ca")
  if ! timed "$prefix" "$bin" bench --endpoint-url "${url%/}" --case raw "${tls[@]}" \
    --connections "$n" --duration "$duration" --output-dir "$prefix.dir" --progress quiet \
    || [[ ! -f "$prefix.dir/summary.json" ]]; then
    record_unavailable "$tool" "$n" "$tool bench failed: $(tail -1 "$prefix.err")"; return
  fi
  python3 - "$prefix" "$n" "$run" "$tool" >>"$results" <<'PY'
import json, sys
prefix, n, run, tool = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = json.load(open(prefix + ".dir/summary.json"))
t = s["totals"]
user, system = map(float, open(prefix + ".cpu").read().split()[-2:])
rps = t["requests_per_second"]
setup = (s.get("connections") or {})
print(json.dumps({
    "tool": tool, "connections": n, "run": run,
    "requests": t["requests"], "rps": rps,
    "p50_ms": t["latency_us"]["p50"] / 1000, "p99_ms": t["latency_us"]["p99"] / 1000,
    "cpu_s": user + system, "errors": t.get("errors", 0),
    "established": setup.get("established"),
    "setup_p50_ms": (setup.get("setup_us") or {}).get("p50", 0) / 1000 if setup.get("setup_us") else None,
    "setup_max_ms": (setup.get("setup_us") or {}).get("max", 0) / 1000 if setup.get("setup_us") else None,
}))
PY
}

# --- sections ------------------------------------------------------------------------------

print_header() {
  echo "cogbench comparison benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:  $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr)"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min load average at the start; other work skews the figures)"
  echo "tools:    $(version_of wrk); $(version_of oha); $(version_of cogbench); server $(version_of nginx)"
  echo "runs:     $runs x $duration per tool and connection count ($connections), one tool at a time;"
  echo "          wrk -t $wrk_threads, oha --worker-threads default; target nginx on $url,"
  echo "          $nginx_workers_list worker(s) for the peers table, ${nginx_workers_list%% *} for the other sections"
  echo
}

# Starts nginx with W workers on the port (and, for the https section, its HTTPS listener on
# tls_port with a fresh test CA in $work/tls), stopping the one running.
restart_nginx() { # W
  if [[ -n "$nginx_pid" ]]; then scripts/bench/nginx.sh stop "$nginx_pid"; fi
  local tls=()
  [[ " $sections " == *" https "* ]] && tls=(TLS_PORT="$tls_port" TLS_DIR="$work/tls")
  nginx_pid=$(env "${tls[@]}" NGINX_WORKERS="$1" scripts/bench/nginx.sh start "$port") \
    || die "could not start nginx on port $port"
}

# Section 1: wrk vs oha vs cogbench against nginx (raw requests, no judging), once per nginx
# worker count: a figure that holds on one set-up only is not a result.
section_peer_comparison() {
  local w
  for w in $nginx_workers_list; do
    restart_nginx "$w"
    echo "== peers: nginx with $w worker(s) =="
    : >"$results"
    peer_table
    echo
  done
  restart_nginx "${nginx_workers_list%% *}"
}

# Section 1b: the same over HTTPS, per nginx worker count. Each tool's connections are made
# once and kept (keep-alive), so the handshakes are a set-up cost, not throughput: wrk and oha
# count them in their run, cogbench times them apart (connections.setup_us).
section_https() {
  local w plain_url=$url
  url="https://127.0.0.1:$tls_port/"
  for w in $nginx_workers_list; do
    restart_nginx "$w"
    echo "== https: nginx with $w worker(s), TLS (test CA, ECDSA P-256) =="
    : >"$results"
    peer_table
    echo
  done
  url=$plain_url
  restart_nginx "${nginx_workers_list%% *}"
}

peer_table() {
  local n run
  for n in $connections; do
    for run in $(seq 1 "$runs"); do
      log "c=$n run $run/$runs: wrk"; run_wrk "$n" "$run"
      log "c=$n run $run/$runs: oha"; run_oha "$n" "$run"
      log "c=$n run $run/$runs: cogbench"; run_cogbench "$n" "$run"
      if [[ -n "${BASELINE:-}" ]]; then
        log "c=$n run $run/$runs: baseline"; run_cogbench "$n" "$run" baseline "$BASELINE"
      fi
      if [[ -n "$floor_bin" && "$url" != https://* ]]; then
        log "c=$n run $run/$runs: tokio floor"; run_floor "$n" "$run"
      fi
    done
  done
  python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
order = ["wrk", "oha", "cogbench", "baseline", "floor"]
conns = sorted({r["connections"] for r in rows})

def med(vals):
    return statistics.median(vals) if vals else None

agg = {}
for r in rows:
    a = agg.setdefault((r["tool"], r["connections"]), {"runs": [], "unavailable": None})
    if "unavailable" in r:
        a["unavailable"] = r["unavailable"]
    else:
        if "rps" not in r:
            r["rps"] = r["requests"] / r["seconds"] if r["seconds"] else 0.0
        r["cpu_us"] = r["cpu_s"] * 1e6 / r["requests"] if r["requests"] else None
        a["runs"].append(r)

def fmt(v, spec):
    return "-" if v is None else format(v, spec)

head = f"{'tool':<9} {'conns':>5} {'runs':>4} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/req':>10} {'errors':>6} {'vs wrk':>7} {'vs oha':>7} {'vs base':>7} {'vs floor':>8}"
print(head)
print("-" * len(head))
for n in conns:
    medrps = {}
    for tool in order:
        a = agg.get((tool, n))
        if a and a["runs"]:
            medrps[tool] = med([r["rps"] for r in a["runs"]])
    for tool in order:
        a = agg.get((tool, n))
        if a is None:
            continue
        rs = a["runs"]
        if not rs:
            print(f"{tool:<9} {n:>5} {0:>4}  {a['unavailable']}")
            continue
        cpu = [r["cpu_us"] for r in rs if r["cpu_us"] is not None]
        ratio = lambda peer: (fmt(medrps[tool] / medrps[peer], ".2f") + "x") if tool == "cogbench" and medrps.get(peer) else "-"
        p50 = [r['p50_ms'] for r in rs if r['p50_ms'] is not None]
        p99 = [r['p99_ms'] for r in rs if r['p99_ms'] is not None]
        print(f"{tool:<9} {n:>5} {len(rs):>4} {medrps[tool]:>10,.0f} {fmt(med(p50), '.3f'):>8} "
              f"{fmt(med(p99), '.3f'):>8} {fmt(med(cpu), '.2f'):>10} "
              f"{sum(r['errors'] for r in rs):>6} {ratio('wrk'):>7} {ratio('oha'):>7} {ratio('baseline'):>7} {ratio('floor'):>8}")
        if a["unavailable"]:
            print(f"{'':<9} {'':>5}       (some runs failed: {a['unavailable']})")
setups = [r for r in rows if r["tool"] == "cogbench" and r.get("established") is not None]
for n in conns:
    rs = [r for r in setups if r["connections"] == n and r.get("setup_p50_ms") is not None]
    if rs:
        print(f"cogbench c={n}: {med([r['established'] for r in rs]):,.0f} connections set up, "
              f"set-up p50 {med([r['setup_p50_ms'] for r in rs]):.3f} ms, max {med([r['setup_max_ms'] for r in rs]):.3f} ms "
              "(TCP connect, and the TLS handshake for https; in no request's latency)")
print()
print("Medians over the runs. req/s: completed responses per second of the run; CPU us/req: the")
print("client process's user + system CPU time per completed response; errors: all runs, added up;")
print("vs wrk / vs oha / vs base / vs floor: cogbench's median req/s over the peer's (base: BASELINE,")
print("floor: examples/tokio_floor, a bare tokio client that neither judges nor records; when set).")
PY
}

# --- cogbench-only sections ---------------------------------------------------------------

# Starts `cogbench emulator` on PORT with extra flags; prints its PID once it answers.
start_emulator() { # PORT FLAGS…
  local p=$1; shift
  "$COGBENCH" emulator --port "$p" "$@" >"$work/emulator-$p.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$p/_emulator/clock/advance?seconds=0" -X POST; then
      echo "$pid"; return 0
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  die "cogbench emulator did not answer on port $p"
}

# One `cogbench bench` run; its summary.json lands in DIR, GNU time's CPU and RSS beside it.
bench_run() { # DIR ARGS…
  local dir=$1; shift
  /usr/bin/time -f '%U %S %M' -o "$dir.time" "$COGBENCH" bench --progress quiet --output-dir "$dir" "$@" \
    >"$dir.out" 2>"$dir.err" || true
}

# One line of medians per "LABEL|GLOB" line on stdin, over the run folders GLOB matches; each
# argument is a python expression over `s` (the summary) and `t` (user s, system s, max RSS KiB).
summaries_table() { # EXPR…
  python3 -c '
import glob, json, statistics, sys
cols = sys.argv[1:]
for line in sys.stdin:
    label, pattern, *_ = line.rstrip("\n").split("|")
    rows = []
    for d in sorted(glob.glob(pattern)):
        try:
            s = json.load(open(d + "/summary.json"))
            t = [float(x) for x in open(d + ".time").read().split()[-3:]]
        except (OSError, ValueError):
            continue
        rows.append([eval(c, {"s": s, "t": t}) for c in cols])
    if not rows:
        print(f"{label:<24} no run completed (see the .err files)")
        continue
    med = [statistics.median(r[i] for r in rows) for i in range(len(cols))]
    print(f"{label:<24} {len(rows):>4} " + " ".join(f"{v:>12,.2f}" if isinstance(v, float) else f"{v:>12,}" for v in med))
' "$@"
}

# The embedded emulator's maximum throughput: `cogbench emulator` in its own process, and the
# emulator in-process with the harness; a judged case that changes no state (unknown-user).
section_emulator_max_throughput() {
  echo "== embedded emulator, maximum throughput (case unknown-user, judged; $runs x $duration) =="
  local pid n run
  pid=$(start_emulator $((port + 1)) --attempt-limit 0)
  for n in $connections; do
    for run in $(seq 1 "$runs"); do
      log "emulator c=$n run $run/$runs"
      bench_run "$work/emu-c$n-r$run" --endpoint-url "http://127.0.0.1:$((port + 1))" --case unknown-user -c "$n" -z "$duration"
    done
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  for run in $(seq 1 "$runs"); do
    log "in-process run $run/$runs"
    bench_run "$work/inproc-r$run" --case unknown-user -c 16 -z "$duration"
  done
  printf '%-24s %4s %12s %12s %12s %12s %12s\n' "target" "runs" "req/s" "p50 ms" "p99 ms" "svc p99 ms" "failed"
  {
    for n in $connections; do echo "cogbench emulator, c=$n|$work/emu-c$n-r*[0-9]"; done
    echo "in-process, c=16|$work/inproc-r*[0-9]"
  } | summaries_table 's["totals"]["requests_per_second"]' 's["totals"]["latency_us"]["p50"]/1000' \
      's["totals"]["latency_us"]["p99"]/1000' 's["totals"]["service_time_us"]["p99"]/1000' \
      's["conformance"]["responses_failed"]'
  echo "(harness and emulator share the 2 cores; 'in-process' runs both in one process)"
  echo
}

# Rate accuracy: a constant rate against nginx for RATE_DURATION; the achieved rate's error and
# how late requests started.
section_rate_accuracy() {
  local rates=${RATES:-5000 20000} rd=${RATE_DURATION:-30s} r run
  echo "== rate accuracy (constant-arrival-rate against nginx, raw, $runs x $rd, 64 connections) =="
  for r in $rates; do
    for run in $(seq 1 "$runs"); do
      log "rate $r run $run/$runs"
      bench_run "$work/rate-$r-r$run" --endpoint-url "${url%/}" --case raw --rate "$r" -c 64 -z "$rd"
    done
  done
  printf '%-24s %4s %12s %12s %12s %12s %12s %12s\n' "asked req/s" "runs" "achieved" "error %" "lag p50 us" "lag p99 us" "late" "dropped"
  for r in $rates; do echo "$r|$work/rate-$r-r*[0-9]"; done | summaries_table \
    's["phases"][0]["achieved_rate"]' \
    "(s[\"phases\"][0][\"achieved_rate\"] / s[\"phases\"][0][\"planned_rate\"][0] - 1) * 100" \
    's["timing"]["scheduling_lag_us"]["p50"]' 's["timing"]["scheduling_lag_us"]["p99"]' \
    's["timing"]["late_starts"]' 's["timing"]["dropped"]'
  echo "(achieved: completed requests over the schedule's window; late: sent > 1 ms after the intended start)"
  echo
}

# Coordinated omission: the emulator stalls 1 s in every 5 s (`--faults stall=1s/5s`) under a
# constant rate. Response time counts from each request's intended start and must show the
# stall; service time counts from the send and shows the fast path.
section_coordinated_omission() {
  local rate=${CO_RATE:-1000} cd=${CO_DURATION:-20s} pid run
  echo "== coordinated omission (emulator stalling 1 s every 5 s; $rate req/s for $cd, unknown-user) =="
  pid=$(start_emulator $((port + 2)) --attempt-limit 0 --faults stall=1s/5s)
  for run in $(seq 1 "$runs"); do
    log "stall run $run/$runs"
    bench_run "$work/co-r$run" --endpoint-url "http://127.0.0.1:$((port + 2))" --case unknown-user \
      --rate "$rate" -c 64 -z "$cd" --max-in-flight 4096
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%-24s %4s %12s %12s %12s %12s %12s\n' "" "runs" "achieved" "resp p50 ms" "resp p99 ms" "svc p50 ms" "svc p99 ms"
  echo "cogbench|$work/co-r*[0-9]" | summaries_table 's["phases"][0]["achieved_rate"]' \
    's["totals"]["latency_us"]["p50"]/1000' 's["totals"]["latency_us"]["p99"]/1000' \
    's["totals"]["service_time_us"]["p50"]/1000' 's["totals"]["service_time_us"]["p99"]/1000'
  echo "(targets: response-time p99 >= 900 ms, service-time p50 < 5 ms)"
  echo
}

# Memory: peak RSS of a long maximum-rate run against one of MEMORY_SHORT. MEMORY_LONG=0 skips.
section_memory() {
  local short=${MEMORY_SHORT:-60s} long=${MEMORY_LONG:-600s}
  [[ "$long" == 0 ]] && { echo "== memory: skipped (MEMORY_LONG=0) =="; return 0; }
  echo "== memory (peak RSS, closed model at maximum rate against nginx, raw, 64 connections) =="
  log "memory: $short run"; bench_run "$work/mem-short" --endpoint-url "${url%/}" --case raw -c 64 -z "$short"
  log "memory: $long run"; bench_run "$work/mem-long" --endpoint-url "${url%/}" --case raw -c 64 -z "$long"
  printf '%-24s %4s %12s %12s %12s\n' "run" "runs" "requests" "req/s" "peak RSS MiB"
  printf '%s\n' "$short|$work/mem-short" "$long|$work/mem-long" | summaries_table \
    's["totals"]["requests"]' 's["totals"]["requests_per_second"]' 't[2]/1024'
  echo
}

# --- main ----------------------------------------------------------------------------------

nginx_workers_list=${NGINX_WORKERS:-1 2}
sections=${SECTIONS:-peers https emulator rate co memory}
restart_nginx "${nginx_workers_list%% *}"
print_header
for section in $sections; do
  case "$section" in
    peers) section_peer_comparison ;;
    https) section_https ;;
    emulator) section_emulator_max_throughput ;;
    rate) section_rate_accuracy ;;
    co) section_coordinated_omission ;;
    memory) section_memory ;;
    *) die "unknown section '$section' (peers, https, emulator, rate, co, memory)" ;;
  esac
done
[[ -n "${KEEP:-}" ]] && log "raw output of every run kept in $work"
exit 0
