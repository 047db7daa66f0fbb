#!/usr/bin/env bash
# Installs the real Cognito emulators that cogbench can be pointed at, into project-local
# folders under .peers/ (git-ignored). Idempotent: a peer whose entry point is already
# installed at the pinned version is skipped.
#
#   scripts/peers/install.sh              # both
#   scripts/peers/install.sh cognito-local
#   scripts/peers/install.sh moto
#
# Needs: node + npm (cognito-local), python3 with the venv module (moto); reaches the npm
# registry and PyPI only.
set -euo pipefail

COGNITO_LOCAL_VERSION=5.3.0
MOTO_VERSION=5.2.5

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
peers_dir="$root/.peers"

log() { printf 'install.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_cognito_local() {
  local prefix="$peers_dir/cognito-local"
  local entry="$prefix/node_modules/cognito-local/lib/bin/start.js"
  local pkg="$prefix/node_modules/cognito-local/package.json"
  if [[ -f "$entry" && -f "$pkg" ]] \
    && [[ "$(node -p "require(process.argv[1]).version" "$pkg" 2>/dev/null)" == "$COGNITO_LOCAL_VERSION" ]]; then
    log "cognito-local $COGNITO_LOCAL_VERSION already installed in $prefix"
    return 0
  fi
  command -v npm >/dev/null || die "npm not found (install Node.js 18+)"
  log "installing cognito-local@$COGNITO_LOCAL_VERSION into $prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" "cognito-local@$COGNITO_LOCAL_VERSION" \
    --no-audit --no-fund --loglevel=error >&2
  [[ -f "$entry" ]] || die "cognito-local entry point missing after install: $entry"
}

install_moto() {
  local venv="$peers_dir/moto-venv"
  local entry="$venv/bin/moto_server"
  if [[ -x "$entry" ]] \
    && [[ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null)" == "$MOTO_VERSION" ]]; then
    log "moto $MOTO_VERSION already installed in $venv"
    return 0
  fi
  command -v python3 >/dev/null || die "python3 not found"
  log "installing moto[server,cognitoidp]==$MOTO_VERSION into $venv"
  if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "moto[server,cognitoidp]==$MOTO_VERSION" >&2
  [[ -x "$entry" ]] || die "moto_server missing after install: $entry"
}

what=${1:-all}
case "$what" in
  cognito-local) install_cognito_local ;;
  moto) install_moto ;;
  all) install_cognito_local; install_moto ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) die "unknown peer '$what' (expected cognito-local, moto or all)" ;;
esac
