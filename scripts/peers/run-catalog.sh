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
lambda_pid=
pid=
# Stops what was started, whatever failed; a stop that fails must not keep the other running
# nor change the exit code, which is cogbench's.
cleanup() {
  [[ -z "$pid" ]] || scripts/peers/stop.sh "$pid" || true
  [[ -z "$lambda_pid" ]] || scripts/peers/stop.sh "$lambda_pid" || true
}
trap cleanup EXIT
if [[ "$peer" == cognito-local ]]; then
  # cognito-local calls its triggers through a Lambda endpoint named in its config.json: a
  # `cogbench emulator` serves Lambda's Invoke API for the reference trigger, which
  # scenarios/emulators/cognito-local.yaml declares (`configured: [post-confirmation-trigger]`).
  lambda_port=9232
  lambda_url="http://127.0.0.1:$lambda_port/2015-03-31/functions/cogbench-reference-trigger/invocations"
  # Something already answering there would get cognito-local's trigger calls.
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$lambda_port/"; then
    echo "run-catalog.sh: something already answers on 127.0.0.1:$lambda_port, the Lambda endpoint cognito-local is given" >&2
    exit 3
  fi
  mkdir -p "$data_dir/.cognito"
  cat >"$data_dir/.cognito/config.json" <<EOF
{
  "UserPoolDefaults": {"UsernameAttributes": []},
  "LambdaClient": {
    "endpoint": "http://127.0.0.1:$lambda_port",
    "region": "us-east-1",
    "credentials": {"accessKeyId": "local", "secretAccessKey": "local"}
  },
  "TriggerFunctions": {"PostConfirmation": "cogbench-reference-trigger"}
}
EOF
  "$bin" emulator --port "$lambda_port" </dev/null >"$data_dir/lambda.log" 2>&1 &
  lambda_pid=$!
  ready=
  for _ in $(seq 1 100); do
    kill -0 "$lambda_pid" 2>/dev/null || break
    # The reference trigger's own answer, from the emulator just started.
    if curl -sf --max-time 1 -X POST -d '{}' "$lambda_url" 2>/dev/null | grep -q '^{}$'; then
      ready=1
      break
    fi
    sleep 0.1
  done
  if [[ -z "$ready" ]]; then
    echo "run-catalog.sh: the Lambda endpoint for cognito-local did not start on 127.0.0.1:$lambda_port" >&2
    cat "$data_dir/lambda.log" >&2
    exit 3
  fi
fi
pid=$(scripts/peers/start.sh "$peer" "$port" "$data_dir")
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
