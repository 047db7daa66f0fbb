#!/usr/bin/env bash
# A private nginx that stands in for Cognito at zero cost: every request to / (any method,
# POST included) gets 200, body `{}`, Content-Type application/x-amz-json-1.1 and an
# x-amzn-RequestId header. Its config, logs and temp files live in .peers/nginx/PORT/
# (git-ignored); the system nginx and its config are not used.
#
#   pid=$(scripts/bench/nginx.sh start 9240)   # prints the master PID once it answers
#   scripts/bench/nginx.sh stop "$pid"
#
# NGINX_WORKERS worker processes (default 1), no access log, keep-alive connections that last
# (a million requests each), so the load tools measure themselves and not connection setup.
#
# TLS_PORT=N adds an HTTPS listener on 127.0.0.1:N answering the same: at every start a fresh
# test CA and a server certificate for 127.0.0.1 and localhost (ECDSA P-256, valid 2 days) are
# made with openssl into TLS_DIR (default .peers/nginx/PORT/tls); clients trust TLS_DIR/ca.pem.
# The keys are throwaway and never leave that folder.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

log() { printf 'nginx.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { die "usage: nginx.sh start PORT | nginx.sh stop PID"; }

find_nginx() {
  if [[ -n "${NGINX:-}" ]]; then echo "$NGINX"; return; fi
  command -v nginx 2>/dev/null && return
  [[ -x /usr/sbin/nginx ]] && { echo /usr/sbin/nginx; return; }
  die "nginx not found (scripts/bench/install.sh installs it)"
}

# A test CA and a server certificate it signs, into DIR: ca.pem, server.pem, server.key.
make_certificates() { # DIR
  local d=$1
  command -v openssl >/dev/null || die "openssl not found (TLS_PORT needs it for the test CA)"
  mkdir -p "$d"
  (
    umask 077
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj "/CN=cogbench bench test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=localhost"
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
      -out "$d/server.pem" -days 2 -extfile "$d/server.ext"
  ) >"$d/openssl.log" 2>&1 || { tail -5 "$d/openssl.log" >&2; die "openssl could not make the test CA in $d"; }
}

# The HTTPS server block, when TLS_PORT is set.
tls_server() { # TLS_DIR
  [[ -n "${TLS_PORT:-}" ]] || return 0
  cat <<CONF
    server {
        listen 127.0.0.1:${TLS_PORT} ssl reuseport backlog=4096;
        ssl_certificate $1/server.pem;
        ssl_certificate_key $1/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:bench:1m;
        location / {
            add_header x-amzn-RequestId 00000000-0000-0000-0000-000000000000;
            return 200 '{}';
        }
    }
CONF
}

write_config() { # DIR PORT TLS_DIR
  local dir=$1 port=$2
  cat >"$dir/nginx.conf" <<CONF
# Written by scripts/bench/nginx.sh; rewritten at every start.
daemon off;
master_process on;
worker_processes ${NGINX_WORKERS:-1};
pid $dir/nginx.pid;
error_log $dir/error.log warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    server_tokens off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    types {}
    default_type application/x-amz-json-1.1;

    server {
        listen 127.0.0.1:$port reuseport backlog=4096;
        location / {
            add_header x-amzn-RequestId 00000000-0000-0000-0000-000000000000;
            return 200 '{}';
        }
    }
$(tls_server "$3")
}
CONF
}

start() { # PORT
  local port=$1
  [[ "$port" =~ ^[0-9]+$ ]] || usage
  [[ "${NGINX_WORKERS:-1}" =~ ^[1-9][0-9]?$ ]] || die "NGINX_WORKERS must be 1-99, got '${NGINX_WORKERS}'"
  command -v curl >/dev/null || die "curl not found (it checks that nginx answers)"
  local bin dir
  bin=$(find_nginx)
  dir="$root/.peers/nginx/$port"
  mkdir -p "$dir/tmp"
  local tls_dir=${TLS_DIR:-$dir/tls}
  if [[ -n "${TLS_PORT:-}" ]]; then
    [[ "$TLS_PORT" =~ ^[0-9]+$ ]] || die "TLS_PORT must be a port number, got '$TLS_PORT'"
    make_certificates "$tls_dir"
  fi
  write_config "$dir" "$port" "$tls_dir"
  : >"$dir/error.log"
  "$bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -t -q \
    || die "nginx rejected $dir/nginx.conf"
  # In the background with its output in a file, so that `pid=$(nginx.sh start …)` returns.
  "$bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "nginx exited at start; $dir/error.log says:"
      tail -5 "$dir/error.log" >&2
      exit 1
    fi
    if curl -fsS -o /dev/null -X POST -H 'Content-Type: application/x-amz-json-1.1' \
      --data '{}' "http://127.0.0.1:$port/" 2>/dev/null \
      && { [[ -z "${TLS_PORT:-}" ]] || curl -fsS -o /dev/null --cacert "$tls_dir/ca.pem" -X POST \
        --data '{}' "https://127.0.0.1:$TLS_PORT/" 2>/dev/null; }; then
      log "nginx $pid answers on http://127.0.0.1:$port/${TLS_PORT:+ and https://127.0.0.1:$TLS_PORT/ (CA $tls_dir/ca.pem)} (config: $dir/nginx.conf)"
      echo "$pid"
      return 0
    fi
    sleep 0.05
  done
  kill "$pid" 2>/dev/null || true
  die "nginx did not answer on 127.0.0.1:$port within 5 s (see $dir/error.log, $dir/stdout.log)"
}

stop() { # PID
  local pid=$1
  [[ "$pid" =~ ^[0-9]+$ ]] || usage
  if ! kill -0 "$pid" 2>/dev/null; then
    log "no process $pid: nothing to stop"
    return 0
  fi
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == nginx ]] || die "process $pid is not nginx"
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { log "nginx $pid stopped"; return 0; }
    sleep 0.05
  done
  log "nginx $pid still running after 5 s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) [[ $# -eq 2 ]] || usage; start "$2" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  *) usage ;;
esac
