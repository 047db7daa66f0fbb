#!/usr/bin/env bash
# Installs the peers of the comparison benchmark (scripts/bench/compare.sh). Idempotent:
# whatever is already there is skipped.
#
#   wrk, nginx  Debian packages (apt-get; sudo only when not root)
#   oha         from crates.io, built with `cargo install --locked` into .peers/oha/
#               (git-ignored); the build takes several minutes on a 2-core machine
#
#   scripts/bench/install.sh          # all three
#   scripts/bench/install.sh apt      # wrk + nginx only
#   scripts/bench/install.sh oha      # oha only
#
# Knobs: OHA_VERSION (default below; "latest" for whatever crates.io has).
set -euo pipefail

OHA_VERSION=${OHA_VERSION:-1.16.0}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
peers_dir="$root/.peers"

log() { printf 'install.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

check_gitignore() {
  grep -qxE '/?\.peers/?' "$root/.gitignore" 2>/dev/null \
    || die ".gitignore does not ignore .peers/ (add a line '/.peers/' before installing into it)"
}

install_apt() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  # nginx lives in /usr/sbin, which a non-root PATH may lack.
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "wrk and nginx already installed ($(command -v wrk), $(command -v nginx || echo /usr/sbin/nginx))"
    return 0
  fi
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand"
  log "installing Debian packages: ${missing[*]}"
  # Debian's nginx package starts the system nginx on port 80 unless policy-rc.d forbids it;
  # compare.sh does not use that one (it runs its own, see nginx.sh).
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  log "installed: ${missing[*]}"
}

install_oha() {
  local prefix="$peers_dir/oha"
  local bin="$prefix/bin/oha"
  if [[ -x "$bin" ]]; then
    local have
    have=$("$bin" --version 2>/dev/null | awk '{print $2}')
    if [[ "$OHA_VERSION" == latest || "$have" == "$OHA_VERSION" ]]; then
      log "oha $have already installed in $prefix"
      return 0
    fi
    log "oha $have in $prefix is not $OHA_VERSION: reinstalling"
  fi
  command -v cargo >/dev/null || die "cargo not found (install a Rust toolchain)"
  check_gitignore
  local version_arg=()
  [[ "$OHA_VERSION" != latest ]] && version_arg=(--version "$OHA_VERSION")
  log "building oha ${OHA_VERSION} from crates.io into $prefix (cargo install --locked)"
  local start=$SECONDS
  cargo install oha "${version_arg[@]}" --locked --force --root "$prefix" >&2
  [[ -x "$bin" ]] || die "oha missing after install: $bin"
  log "installed $("$bin" --version) in $((SECONDS - start)) s"
}

what=${1:-all}
case "$what" in
  apt) install_apt ;;
  oha) install_oha ;;
  all) install_apt; install_oha ;;
  *) die "unknown target '$what' (apt, oha or all)" ;;
esac
