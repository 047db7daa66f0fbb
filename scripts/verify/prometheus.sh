#!/usr/bin/env bash
# The live metrics read back through a real Prometheus (Debian's `prometheus` package):
# Prometheus on 127.0.0.1 scrapes `cogbench run --metrics-listen` every second during a 20 s
# open-model run on the embedded emulator, then scripts/verify/prometheus.py asks its HTTP API
# (/api/v1/query) for the scraped figures and compares them with the run's summary.json:
# counters exactly, quantiles (histogram_quantile) within the histogram's bucket. CI runs it;
# it takes about 35 s.
#
#   scripts/verify/prometheus.sh            # builds cogbench (debug) unless COGBENCH is set
#   COGBENCH=target/release/cogbench scripts/verify/prometheus.sh
#
# Prometheus is installed with apt-get when missing (as root). Its Debian service is not used:
# this Prometheus has its own free port, configuration and data folder, and goes with the script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

log() { printf 'prometheus.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ -z "${COGBENCH:-}" ]]; then
  cargo build --quiet
  COGBENCH=target/debug/cogbench
fi
if ! command -v prometheus >/dev/null; then
  [[ $(id -u) == 0 ]] || die "prometheus is not installed (as root: apt-get install -y prometheus)"
  log "installing Debian's prometheus package"
  # The package's service must not start (and hold port 9090) where nothing else wants it.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y --no-install-recommends prometheus >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
           apt-get install -y --no-install-recommends prometheus >/dev/null; } \
    || die "apt-get install prometheus failed"
fi
prometheus --version 2>&1 | head -1 >&2

work=$(mktemp -d)
prom_pid=
cleanup() {
  [[ -n $prom_pid ]] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Two free ports on 127.0.0.1, one for Prometheus, one for cogbench.
read -r prom_port metrics_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
')

cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: cogbench
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn 2>"$work/prometheus.log" &
prom_pid=$!
api="http://127.0.0.1:$prom_port"
for _ in $(seq 100); do
  curl -fs "$api/-/ready" >/dev/null && break
  kill -0 "$prom_pid" 2>/dev/null || { cat "$work/prometheus.log" >&2; die "prometheus did not start"; }
  sleep 0.2
done
curl -fs "$api/-/ready" >/dev/null || die "prometheus is not ready after 20 s"
log "prometheus on $api scrapes 127.0.0.1:$metrics_port every second"

# 20 s at a steady rate: judged passes and expected errors, a case that fails its requests'
# validation, users provisioned for the valid codes.
cat >"$work/scenario.yaml" <<'YAML'
name: prometheus-check
phases:
  - name: steady
    arrival_rate: 200
    duration: 20s
mix:
  valid-code: 3
  wrong-code: 2
  unknown-user: 1
  code-missing: 1
YAML
log "a 20 s run with --metrics-listen 127.0.0.1:$metrics_port"
code=0
"$COGBENCH" run "$work/scenario.yaml" --output-dir "$work/run" --progress plain \
  --metrics-listen "127.0.0.1:$metrics_port" --metrics-linger 30s >"$work/run.out" || code=$?
[[ $code == 0 ]] || { cat "$work/run.out" >&2; die "cogbench run exited $code"; }

python3 scripts/verify/prometheus.py "$api" "$work/run/summary.json"
