#!/usr/bin/env bash
# Records the shipped snapshots in fixtures/snapshots/: the whole catalog run with
# `cogbench record` against the embedded emulator, cognito-local and moto (installed from the
# npm registry and PyPI and started on 127.0.0.1, as for run-catalog.sh). Review the diff
# before committing it: a changed answer is a changed fact about that target.
#
#   scripts/refresh-snapshots.sh                     # all three
#   scripts/refresh-snapshots.sh cognito-local moto  # some
#
# Then `cogbench oracle check fixtures/snapshots/<target>.json` holds the catalog against each.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bin=${COGBENCH:-target/debug/cogbench}
[[ -x "$bin" ]] || cargo build --quiet
out=fixtures/snapshots
mkdir -p "$out"
reports=$(mktemp -d "${TMPDIR:-/tmp}/cogbench-snapshots.XXXXXX")
pid=
cleanup() {
  [[ -n "$pid" ]] && scripts/peers/stop.sh "$pid"
  rm -rf "$reports"
}
trap cleanup EXIT

record() {
  local target=$1 scenario=$2
  shift 2
  "$bin" record "$scenario" --progress quiet --output "$out/$target.json" \
    --output-dir "$reports/$target" "$@" | tail -n 2
}

for target in "${@:-embedded cognito-local moto}"; do
  for t in $target; do
    case "$t" in
      embedded) record embedded scenarios/conformance.yaml ;;
      cognito-local | moto)
        case "$t" in
          cognito-local) port=9230; data_dir=.peers/cognito-local-data ;;
          moto) port=9231; data_dir=.peers/moto-data ;;
        esac
        scripts/peers/install.sh "$t"
        rm -rf "$data_dir"
        pid=$(scripts/peers/start.sh "$t" "$port" "$data_dir")
        # The peers answer a few malformed requests with a 500 by design: those are their answers.
        record "$t" "scenarios/emulators/$t.yaml" --accept-server-errors
        scripts/peers/stop.sh "$pid"
        pid=
        ;;
      *) echo "refresh-snapshots.sh: unknown target '$t' (embedded, cognito-local, moto)" >&2; exit 2 ;;
    esac
  done
done
