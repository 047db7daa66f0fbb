#!/usr/bin/env bash
# Checks fixtures/scenario.schema.json with an independent validator (check-jsonschema, from
# PyPI, in the venv of scripts/verify/linters-venv.sh):
#
#   - it is what `cogbench schema scenario` prints (regenerate: cogbench schema scenario >
#     fixtures/scenario.schema.json, or UPDATE_GOLDEN=1 cargo test --test tests scenario_schema);
#   - every shipped scenario (scenarios/, the scenario examples of fixtures/examples/, the
#     scenario in deploy/kubernetes/01-config.yaml) passes it, and `cogbench validate`;
#   - every bad scenario of tests/scenarios/bad/ is refused by `cogbench validate`, and by the
#     schema when its `# schema: rejects` line says the schema can tell.
#
#   scripts/verify/scenario-schema.sh
#   COGBENCH=target/release/cogbench scripts/verify/scenario-schema.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

log() { printf 'scenario-schema.sh: %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# shellcheck source=scripts/verify/linters-venv.sh
source scripts/verify/linters-venv.sh
check() { "$venv/bin/check-jsonschema" --schemafile fixtures/scenario.schema.json "$@"; }

if [[ -n "${COGBENCH:-}" ]]; then
  bin=$COGBENCH
else
  cargo build --quiet
  bin=target/debug/cogbench
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" schema scenario >"$work/generated.json"
cmp -s "$work/generated.json" fixtures/scenario.schema.json \
  || die "fixtures/scenario.schema.json is not what \`cogbench schema scenario\` prints (write it again: $bin schema scenario > fixtures/scenario.schema.json)"
log "fixtures/scenario.schema.json is the generated schema"

# The shipped scenarios: every YAML file of scenarios/, and those of fixtures/examples/ with
# phases (the others are catalogs).
mapfile -t shipped < <(find scenarios -name '*.yaml' | sort
  grep -l '^phases:' fixtures/examples/*.yaml)
(( ${#shipped[@]} > 0 )) || die "no shipped scenario found"
# The ConfigMap's scenario is a string inside a Kubernetes document: taken out to be checked.
"$venv/bin/python" - deploy/kubernetes/01-config.yaml "$work/config-map-scenario.yaml" <<'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    scenario = (doc or {}).get("data", {}).get("scenario.yaml")
    if scenario:
        open(sys.argv[2], "w").write(scenario)
        break
else:
    sys.exit("no ConfigMap holds scenario.yaml")
PY
check "${shipped[@]}" "$work/config-map-scenario.yaml" >/dev/null \
  || { check "${shipped[@]}" "$work/config-map-scenario.yaml" >&2 || true; die "a shipped scenario does not pass the schema"; }
for file in "${shipped[@]}"; do
  # existing-pool.yaml reads its client secret from the environment.
  COGBENCH_CLIENT_SECRET=${COGBENCH_CLIENT_SECRET:-unused} "$bin" validate "$file" >/dev/null \
    || die "$file: cogbench validate refuses it"
done
log "${#shipped[@]} shipped scenarios and the ConfigMap's pass the schema and cogbench validate"

# The bad corpus: each file refused by cogbench validate (given all at once, it prints an `ok`
# line for each file it accepts); the schema's verdicts from one check-jsonschema run, read
# from its JSON report.
bad=(tests/scenarios/bad/*.yaml)
accepted=$(env -u COGBENCH_TEST_UNSET_VARIABLE "$bin" validate "${bad[@]}" 2>/dev/null | grep '^ok ' || true)
[[ -z "$accepted" ]] || die "cogbench validate accepts bad scenarios: $accepted"
check -o json "${bad[@]}" >"$work/bad.json" || true
"$venv/bin/python" - "$work/bad.json" "${bad[@]}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
refused = {e["filename"] for e in report["errors"]}
unparsed = {e["filename"] for e in report["parse_errors"]}
failures, rejects, cannot = [], 0, 0
for file in sys.argv[2:]:
    marks = [l[len("# schema: "):].rstrip("\n") for l in open(file) if l.startswith("# schema: ")]
    if not marks:
        failures.append(f"{file} has no '# schema:' line")
    elif marks[0] == "rejects":
        rejects += 1
        if file not in refused:
            failures.append(f"{file} is marked 'schema: rejects', but check-jsonschema accepts it")
    elif marks[0].startswith("cannot express (") and marks[0].endswith(")"):
        cannot += 1
        # Never stricter than the loader: a file the schema cannot judge passes it, unless
        # it is no YAML check-jsonschema can read.
        if file in refused:
            failures.append(f"{file} is marked 'schema: cannot express', but check-jsonschema refuses it")
    else:
        failures.append(f"{file}: '# schema: {marks[0]}': write 'rejects' or 'cannot express (why)'")
for f in failures:
    print(f"scenario-schema.sh: FAIL: {f}", file=sys.stderr)
if failures:
    sys.exit(1)
print(f"scenario-schema.sh: bad corpus: {rejects + cannot} refused by cogbench validate; the {rejects} "
      f"marked 'schema: rejects' refused by check-jsonschema too, the {cannot} it cannot judge passed "
      f"by it ({len(unparsed)} of them not readable as one YAML document)", file=sys.stderr)
PY
