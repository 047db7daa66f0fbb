#!/usr/bin/env bash
# Existing-pool mode end to end against cognito-local: starts it, creates a pool and an app
# client with curl (as a team's own tooling would), `cogbench provision` signs users up and
# lists them with the codes read from cognito-local's database, then `cogbench run` runs on
# those users, gated on cognito-local's known deviations. Also checks `provision
# --create-pool`. Exits non-zero on any failure.
#
#   scripts/peers/existing-pool.sh
#   COGBENCH=target/release/cogbench PORT=9232 USERS=40 scripts/peers/existing-pool.sh
#
# Needs node + npm (cognito-local, installed into .peers/ when missing) and curl.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

port=${PORT:-9232}
users=${USERS:-24}

log() { printf 'existing-pool.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# COGBENCH names a binary to use; otherwise the debug build, brought up to date.
if [[ -n "${COGBENCH:-}" ]]; then
  bin=$COGBENCH
else
  cargo build --quiet
  bin=target/debug/cogbench
fi
scripts/peers/install.sh cognito-local

work=$(mktemp -d "${TMPDIR:-/tmp}/cogbench-existing-pool.XXXXXX")
data_dir=$work/cognito-local
pid=$(scripts/peers/start.sh cognito-local "$port" "$data_dir")
cleanup() { scripts/peers/stop.sh "$pid" || true; rm -rf "$work"; }
trap cleanup EXIT
endpoint=http://127.0.0.1:$port

# One Cognito call; prints the answer, fails on a non-2xx status.
call() {
  curl -sS --fail-with-body --max-time 10 -X POST "$endpoint/" \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H "X-Amz-Target: AWSCognitoIdentityProviderService.$1" \
    --data "$2"
}
# A member of the JSON on stdin, by a path such as UserPool.Id.
field() {
  node -e '
    const v = process.argv[1].split(".").reduce((o, k) => (o == null ? o : o[k]),
      JSON.parse(require("fs").readFileSync(0, "utf8")));
    if (v == null) { console.error("no " + process.argv[1]); process.exit(1); }
    console.log(v);' "$1"
}

log "creating a pool and an app client on cognito-local ($endpoint)"
pool=$(call CreateUserPool '{"PoolName":"team-existing"}' | field UserPool.Id)
client=$(call CreateUserPoolClient "{\"UserPoolId\":\"$pool\",\"ClientName\":\"team-app\"}" \
  | field UserPoolClient.ClientId)
log "pool $pool, client $client"

scenario=$work/existing.yaml
cat >"$scenario" <<EOF
name: existing-pool-cognito-local
target: {kind: cognito-local, endpoint: "$endpoint", data_dir: "$data_dir"}
pool:
  existing: {id: $pool, client_id: $client}
users: {from_csv: users.csv}
phases: [{vus: 2, rounds: 4}]
mix: {valid-code: 1, wrong-code: 1, already-confirmed: 1, unknown-user: 1}
EOF

"$bin" provision --scenario "$scenario" --users "$users" --progress plain

# Every listed user has a code, a sub and a time; the header is the one `run` reads.
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
  const [file, want] = [process.argv[1], Number(process.argv[2])];
  const lines = require("fs").readFileSync(file, "utf8").trim().split("\n");
  if (lines[0] !== "username,code,sub,email,signed_up_at") throw new Error("header: " + lines[0]);
  const rows = lines.slice(1).map((l) => l.split(","));
  if (rows.length !== want) throw new Error(`${rows.length} rows, wanted ${want}`);
  for (const [user, code, sub, email, at] of rows) {
    if (!/^\d{6}$/.test(code) || sub.length !== 36 || !email.includes("@") || !/Z$/.test(at))
      throw new Error("bad row: " + [user, code, sub, email, at].join(","));
  }' "$work/users.csv" "$users" || die "the list is not what provision should write"
log "users.csv: $users users, each with a code"

"$bin" run "$scenario" --progress plain --output-dir "$work/report" \
  --known-deviations fixtures/known-deviations/cognito-local.yaml

# The run confirmed listed users: it worked on the provisioned pool, not a pool of its own.
first=$(sed -n 2p "$work/users.csv" | cut -d, -f1)
confirmed=0
while IFS=, read -r username _; do
  status=$(call AdminGetUser "{\"UserPoolId\":\"$pool\",\"Username\":\"$username\"}" | field UserStatus)
  [[ "$status" == CONFIRMED ]] && confirmed=$((confirmed + 1))
done < <(tail -n +2 "$work/users.csv")
(( confirmed > 0 )) || die "no listed user was confirmed by the run (first listed: $first)"
log "the run confirmed $confirmed listed users"

# --create-pool: a scenario without pool.existing gets a pool and a client made for it.
cat >"$work/fresh.yaml" <<EOF
name: fresh-pool-cognito-local
target: {kind: cognito-local, endpoint: "$endpoint", data_dir: "$data_dir"}
phases: [{vus: 1, rounds: 1}]
mix: {valid-code: 1}
EOF
ids=$("$bin" provision --scenario "$work/fresh.yaml" --users 3 --output "$work/fresh.csv" \
  --create-pool --progress quiet)
grep -Eq '^  existing: \{id: [^,]+, client_id: [^}]+\}$' <<<"$ids" \
  || die "--create-pool printed no ids: $ids"
[[ $(grep -Ec '^[^,]+,[0-9]{6},' "$work/fresh.csv") == 3 ]] || die "--create-pool: codes missing"
log "--create-pool: $(grep existing: <<<"$ids" | sed 's/^ *//')"

log "ok"
