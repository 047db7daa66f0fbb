#!/usr/bin/env bash
# Fuzzes the scenario loader and the embedded emulator's request handling with cargo-fuzz
# (libFuzzer), SECONDS (default 60) each. cargo-fuzz is installed from crates.io into
# .peers/cargo-fuzz on first use. It needs nightly-only compiler flags; on a stable toolchain
# RUSTC_BOOTSTRAP=1 allows them (this machine has only stable). A crash is saved under
# fuzz/artifacts/<target>/ and the script exits non-zero.
#
#   scripts/fuzz.sh            # both targets, 60 s each
#   SECONDS_EACH=600 scripts/fuzz.sh emulator
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzz=.peers/cargo-fuzz/bin/cargo-fuzz
if [[ ! -x "$fuzz" ]]; then
  echo "fuzz: installing cargo-fuzz from crates.io (once)"
  cargo install cargo-fuzz --locked --quiet --root .peers/cargo-fuzz
fi
seconds=${SECONDS_EACH:-60}
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(scenario emulator)
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  # Seeds: the shipped scenarios for the loader.
  if [[ "$t" == scenario ]]; then cp scenarios/*.yaml scenarios/emulators/*.yaml "fuzz/corpus/$t/" 2>/dev/null || true; fi
  echo "fuzz: $t for ${seconds}s"
  "$fuzz" fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
echo "fuzz: no crash in ${targets[*]}"
