#!/usr/bin/env bash
# Writes every report format for a real run on the embedded emulator, then reads each back
# with a parser that is not cogbench's: Python's csv module (csv), the `hdrhistogram` package
# (hlog), `junitparser` (junit), `markdown-it-py` (markdown) and headless Chromium (html).
# Also regenerates formats with `cogbench report` and checks those. CI runs it.
#
#   scripts/verify-reports.sh            # builds cogbench (debug) unless COGBENCH is set
#
# Python packages go into .peers/venv (git-ignored); Chromium comes from Debian's package.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${COGBENCH:-}" ]]; then
  cargo build --quiet
  COGBENCH=target/debug/cogbench
fi
venv=.peers/venv
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check hdrhistogram junitparser markdown-it-py
py="$venv/bin/python"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run="$work/run"
echo "verify-reports: a smoke run with every format"
"$COGBENCH" run scenarios/smoke.yaml --output-dir "$run" --progress quiet \
  --report csv --report junit --report hlog --report html --report markdown >"$work/run.out"

failed=0
check() { # LABEL CMD…
  local label=$1; shift
  if "$@"; then echo "verify-reports: $label ok"; else echo "verify-reports: $label FAILED"; failed=1; fi
}
check csv "$py" scripts/verify/csv_files.py "$run"
check hlog "$py" scripts/verify/hlog.py "$run"
[[ -f scripts/verify/junit.py ]] && check junit "$py" scripts/verify/junit.py "$run"
[[ -f scripts/verify/markdown.py ]] && check markdown "$py" scripts/verify/markdown.py "$run"
[[ -f scripts/verify/html.sh ]] && check html scripts/verify/html.sh "$run"

# `cogbench report` rebuilds formats from summary.json alone.
regen="$work/regen"
mkdir -p "$regen"
cp "$run/summary.json" "$regen/"
"$COGBENCH" report "$regen" --format csv --format hlog >/dev/null
check "regenerated csv" "$py" scripts/verify/csv_files.py "$regen"
check "regenerated hlog (one interval per case)" "$py" scripts/verify/hlog.py "$regen"
exit "$failed"
