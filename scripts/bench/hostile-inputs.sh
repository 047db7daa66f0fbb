#!/usr/bin/env bash
# Peak memory and time of cogbench refusing hostile inputs: endless files (/dev/zero) wherever
# a file is read, YAML nested 100,000 levels deep, and a 10 MiB request. Each command runs RUNS
# times (default 5); the table gives the exit code, the median wall time and the largest peak
# RSS. Needs GNU time (Debian package `time`).
#
#   COGBENCH=target/release/cogbench scripts/bench/hostile-inputs.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
B=${COGBENCH:-target/release/cogbench}
runs=${RUNS:-5}
[[ -x "$B" ]] || { echo "no binary at $B (cargo build --release)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "GNU time is needed (apt-get install time)" >&2; exit 2; }
B=$(realpath "$B")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

python3 - <<'PY'
depth = 100_000
open("deep.yaml", "w").write("name: deep\ndescription: " + "[" * depth + "]" * depth + "\n")
open("deep.json", "w").write("[" * depth + "]" * depth)
big = "\n".join(f"    k{i}: $repeat(x, 1048576)" for i in range(10))
open("big-request.yaml", "w").write(
    "name: big\nphases: [{vus: 1, rounds: 1}]\nmix: {valid-code: 1}\nrequest:\n  ClientMetadata:\n" + big + "\n")
PY
cat > secret.yaml <<'EOF'
name: secret-from-zero
target: {kind: emulator, endpoint: "http://127.0.0.1:9"}
pool:
  existing: {id: us-east-1_Example123, client_id: abc, client_secret: "${file:/dev/zero}"}
users: {from_csv: users.csv}
phases: [{vus: 1, rounds: 1}]
mix: {unknown-user: 1}
EOF
printf 'username,code\nalice,123456\n' > users.csv
printf 'name: zero-catalog\ncatalog: [/dev/zero]\nphases: [{vus: 1, rounds: 1}]\nmix: all\n' > catalog.yaml
cat > csv.yaml <<'EOF'
name: zero-users
target: {kind: emulator, endpoint: "http://127.0.0.1:9"}
pool:
  existing: {id: us-east-1_Example123, client_id: abc}
users: {from_csv: /dev/zero}
phases: [{vus: 1, rounds: 1}]
mix: {unknown-user: 1}
EOF
printf 'name: small\nphases: [{vus: 1, rounds: 1}]\nmix: {raw: 1}\n' > s.yaml
mkdir -p zero-run && ln -s /dev/zero zero-run/summary.json

cases=(
  "validate, deep YAML|validate deep.yaml"
  "compare, deep JSON|compare deep.json deep.json"
  "validate /dev/zero|validate /dev/zero"
  "\${file:/dev/zero}|validate secret.yaml"
  "catalog: [/dev/zero]|validate catalog.yaml"
  "users.from_csv: /dev/zero|validate csv.yaml"
  "--known-deviations /dev/zero|run s.yaml --known-deviations /dev/zero --progress quiet"
  "--ca-bundle /dev/zero|run s.yaml --ca-bundle /dev/zero --progress quiet"
  "compare /dev/zero|compare /dev/zero /dev/zero"
  "merge, summary.json is /dev/zero|merge zero-run --output-dir merged"
  "report, summary.json is /dev/zero|report zero-run --format html"
  "--cli-input-json file:///dev/zero|confirm-sign-up --cli-input-json file:///dev/zero"
  "10 × \$repeat(x, 1048576)|validate big-request.yaml"
)

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-36s %5s %12s %14s\n' "input" "exit" "median s" "max RSS MiB"
for c in "${cases[@]}"; do
  label=${c%%|*}
  read -r -a args <<<"${c#*|}"
  times=() ; rss=0 ; code=0
  for _ in $(seq "$runs"); do
    set +e
    /usr/bin/time -f '%e %M' -o t.txt timeout 60 "$B" "${args[@]}" >/dev/null 2>err.txt
    code=$?
    set -e
    read -r t m < <(tail -1 t.txt)
    times+=("$t")
    (( m > rss )) && rss=$m
  done
  printf '%-36s %5s %12s %14.1f\n' "$label" "$code" \
    "$(printf '%s\n' "${times[@]}" | median)" "$(echo "$rss / 1024" | bc -l)"
done
