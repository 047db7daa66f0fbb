#!/usr/bin/env bash
# Checks the dependency tree (Cargo.lock) against the RustSec advisory database, offline: the
# database comes as a snapshot tarball (default ../shared/supply-chain/advisory-db.tar.gz, or
# ADVISORY_DB=path/to/advisory-db.tar.gz), because these machines cannot reach its home. The
# check can know only what the snapshot knew; its date is printed with the result.
#
#   scripts/supply-chain.sh
#
# cargo-audit is installed from crates.io into .peers/cargo-audit (git-ignored) on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tarball=${ADVISORY_DB:-../shared/supply-chain/advisory-db.tar.gz}
[[ -f "$tarball" ]] || { echo "supply-chain: no advisory snapshot at $tarball (set ADVISORY_DB)" >&2; exit 2; }

audit=.peers/cargo-audit/bin/cargo-audit
if [[ ! -x "$audit" ]]; then
  echo "supply-chain: installing cargo-audit from crates.io (once)"
  cargo install cargo-audit --locked --quiet --root .peers/cargo-audit
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/advisory-db"
mkdir -p "$db"
tar -xzf "$tarball" -C "$db"
# cargo-audit reads the database as a git repository.
(cd "$db" && git init -q && git add -A && git -c user.name=cogbench -c user.email=ci@invalid commit -qm snapshot)
latest=$(find "$db" -name 'RUSTSEC-*.md' -print0 | xargs -0 grep -h '^date = ' 2>/dev/null | sort | tail -1 | cut -d'"' -f2)
echo "supply-chain: RustSec snapshot $(basename "$tarball"), newest advisory dated ${latest:-unknown}"
"$audit" audit --no-fetch --db "$db" --file Cargo.lock --deny warnings "$@"
echo "supply-chain: no known advisory affects Cargo.lock (as of that snapshot)"
