#!/usr/bin/env bash
# Stops a peer started by scripts/peers/start.sh: SIGTERM, up to 5 s of waiting, then
# SIGKILL. Exits 0 if the process is already gone.
#
#   scripts/peers/stop.sh PID
set -euo pipefail

log() { printf 'stop.sh: %s\n' "$*" >&2; }

[[ $# -eq 1 && "$1" =~ ^[0-9]+$ && "$1" -gt 1 ]] || { log "usage: stop.sh PID"; exit 2; }
pid=$1

# Running means: exists and is not a zombie waiting to be reaped.
alive() {
  kill -0 "$pid" 2>/dev/null || return 1
  local stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0 # no procfs: trust kill -0
  stat=${stat##*) } # the state letter follows the last ')' (comm may hold spaces)
  [[ "${stat:0:1}" != Z ]]
}

kill -TERM "$pid" 2>/dev/null || exit 0

for _ in $(seq 1 50); do
  alive || exit 0
  sleep 0.1
done

log "pid $pid still running 5 s after SIGTERM; sending SIGKILL"
kill -KILL "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 20); do
  alive || exit 0
  sleep 0.1
done
log "error: pid $pid still present after SIGKILL"
exit 1
