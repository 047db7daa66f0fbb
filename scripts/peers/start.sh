#!/usr/bin/env bash
# Starts one real Cognito emulator on 127.0.0.1:PORT in the background, waits until it
# answers, and prints its PID as the only line on stdout. The log and (for cognito-local)
# the state live in DATA_DIR (given, or a fresh `mktemp -d`); their paths go to stderr.
#
#   pid=$(scripts/peers/start.sh cognito-local 9229 /tmp/cl-data)
#   pid=$(scripts/peers/start.sh moto 5000)
#   scripts/peers/stop.sh "$pid"
#
# cognito-local keeps its state in DATA_DIR/.cognito/db/<UserPoolId>.json. Before the start
# DATA_DIR/.cognito/config.json is written (unless it already exists) with
# {"UserPoolDefaults": {"UsernameAttributes": []}}, since the stock config would merge
# UsernameAttributes [email] into every new pool. moto keeps its state in memory.
#
# Environment: PEER_START_TIMEOUT (seconds to wait for readiness, default 30).
# Run scripts/peers/install.sh first.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
peers_dir="$root/.peers"
timeout=${PEER_START_TIMEOUT:-30}

log() { printf 'start.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { log "usage: start.sh cognito-local|moto PORT [DATA_DIR]"; exit 2; }

[[ $# -ge 2 && $# -le 3 ]] || usage
peer=$1
port=$2
if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || (( 10#$port < 1 || 10#$port > 65535 )); then
  die "PORT must be 1-65535, got '$port'"
fi
port=$((10#$port))
[[ "$timeout" =~ ^[0-9]+$ ]] || die "PEER_START_TIMEOUT must be a whole number of seconds"
command -v curl >/dev/null || die "curl not found"

case "$peer" in
  cognito-local)
    entry="$peers_dir/cognito-local/node_modules/cognito-local/lib/bin/start.js"
    [[ -f "$entry" ]] || die "cognito-local not installed ($entry); run scripts/peers/install.sh cognito-local"
    command -v node >/dev/null || die "node not found"
    ;;
  moto)
    entry="$peers_dir/moto-venv/bin/moto_server"
    [[ -x "$entry" ]] || die "moto not installed ($entry); run scripts/peers/install.sh moto"
    ;;
  *) usage ;;
esac

if [[ $# -eq 3 ]]; then
  data_dir=$3
  mkdir -p "$data_dir"
else
  data_dir=$(mktemp -d "${TMPDIR:-/tmp}/cogbench-$peer.XXXXXX")
fi
data_dir=$(cd "$data_dir" && pwd)
log_file="$data_dir/$peer.log"
base="http://127.0.0.1:$port"

# Something already answering on the port would pass the readiness probe for us.
if curl -s -o /dev/null --max-time 1 "$base/"; then
  die "something already answers on 127.0.0.1:$port"
fi

# Readiness probes. Each returns 0 once the peer serves requests.
probe_cognito_local() {
  [[ "$(curl -s --max-time 1 "$base/health")" == '{"ok":true}' ]]
}
probe_moto() {
  # A real Cognito call: it also makes moto load its cognito-idp backend before the caller's
  # first request.
  curl -s --max-time 2 -o /dev/null -w '%{http_code}' -X POST "$base/" \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools' \
    --data '{"MaxResults":1}' | grep -qx 200
}

case "$peer" in
  cognito-local)
    mkdir -p "$data_dir/.cognito"
    if [[ ! -e "$data_dir/.cognito/config.json" ]]; then
      printf '%s\n' '{"UserPoolDefaults": {"UsernameAttributes": []}}' >"$data_dir/.cognito/config.json"
    fi
    (cd "$data_dir" && HOST=127.0.0.1 PORT="$port" exec node "$entry") </dev/null >"$log_file" 2>&1 &
    pid=$!
    ;;
  moto)
    (cd "$data_dir" && exec "$entry" -H 127.0.0.1 -p "$port") </dev/null >"$log_file" 2>&1 &
    pid=$!
    ;;
esac

log "$peer pid $pid, data dir $data_dir, log $log_file"

deadline=$((SECONDS + timeout))
until "probe_${peer//-/_}"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    log "error: $peer exited before answering on $base; last log lines:"
    tail -n 20 "$log_file" >&2 || true
    exit 1
  fi
  if (( SECONDS >= deadline )); then
    log "error: $peer did not answer on $base within ${timeout}s; stopping it. Last log lines:"
    tail -n 20 "$log_file" >&2 || true
    "$root/scripts/peers/stop.sh" "$pid" >&2 || true
    exit 1
  fi
  sleep 0.2
done

log "$peer ready on $base"
printf '%s\n' "$pid"
