#!/usr/bin/env bash
# Installs (once), starts, and runs the whole catalog against one peer emulator with its
# known-deviations gate, then stops it. The exit code is cogbench's.
#
#   scripts/peers/run-catalog.sh cognito-local|moto [extra cogbench run options…]
#   scripts/peers/run-catalog.sh moto --write-deviations fixtures/known-deviations/moto.yaml
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
peer=${1:?usage: run-catalog.sh cognito-local|moto [cogbench run options]}
shift
case "$peer" in
  cognito-local) port=9230; data_dir=.peers/cognito-local-data ;;
  moto) port=9231; data_dir=.peers/moto-data ;;
  *) echo "run-catalog.sh: unknown peer '$peer'" >&2; exit 2 ;;
esac
bin=${COGBENCH:-target/debug/cogbench}
[[ -x "$bin" ]] || cargo build --quiet
scripts/peers/install.sh "$peer"
rm -rf "$data_dir"
pid=$(scripts/peers/start.sh "$peer" "$port" "$data_dir")
trap 'scripts/peers/stop.sh "$pid"' EXIT
gate=(--known-deviations "fixtures/known-deviations/$peer.yaml")
for arg in "$@"; do
  # Recording a new list replaces the gate.
  [[ "$arg" == --write-deviations ]] && gate=()
done
set +e
"$bin" run "scenarios/emulators/$peer.yaml" --progress plain "${gate[@]}" "$@"
status=$?
set -e
exit "$status"
