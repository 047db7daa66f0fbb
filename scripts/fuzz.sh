#!/usr/bin/env bash
# Fuzzes with cargo-fuzz (libFuzzer), SECONDS_EACH (default 60) per target:
#   scenario        scenario files (the loader)
#   emulator        requests to the embedded emulator
#   cli             argv through the command-line parser
#   cli_input_json  confirm-sign-up --cli-input-json documents
#   summary         summary.json as compare, merge and report read it (and every report format)
#   deviations      known-deviations lists
#   snapshot        snapshots (run --oracle, oracle check)
#   catalog         team catalogs
#   users_csv       existing-pool users CSV
# Each corpus is seeded from the shipped files of its kind. cargo-fuzz is installed from
# crates.io into .peers/cargo-fuzz on first use. It needs nightly-only compiler flags; on a
# stable toolchain RUSTC_BOOTSTRAP=1 allows them (this machine has only stable). A crash is
# saved under fuzz/artifacts/<target>/ and the script exits non-zero. An input that makes a
# reader allocate past -rss_limit_mb counts as a crash too.
#
#   scripts/fuzz.sh                        # every target, 60 s each
#   SECONDS_EACH=600 scripts/fuzz.sh summary snapshot
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzz=.peers/cargo-fuzz/bin/cargo-fuzz
if [[ ! -x "$fuzz" ]]; then
  echo "fuzz: installing cargo-fuzz from crates.io (once)"
  cargo install cargo-fuzz --locked --quiet --root .peers/cargo-fuzz
fi
seconds=${SECONDS_EACH:-60}
all=(scenario emulator cli cli_input_json summary deviations snapshot catalog users_csv)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")
export RUSTC_BOOTSTRAP=1

# Seeds: the shipped files each reader reads.
seed() {
  local t=$1 dir=fuzz/corpus/$1
  mkdir -p "$dir"
  case "$t" in
    scenario) cp scenarios/*.yaml scenarios/emulators/*.yaml fixtures/examples/existing-pool.yaml "$dir/" ;;
    summary) cp fixtures/reports/*.json "$dir/" ;;
    deviations) cp fixtures/known-deviations/*.yaml "$dir/" ;;
    snapshot) cp fixtures/snapshots/*.json "$dir/" ;;
    catalog) cp fixtures/examples/team-catalog.yaml fixtures/cases.yaml "$dir/" ;;
    users_csv) cp fixtures/examples/existing-users.csv "$dir/" ;;
    cli_input_json)
      printf '%s' '{"ClientId": "abc", "Username": "alice", "ConfirmationCode": "123456", "ForceAliasCreation": true, "ClientMetadata": {"k": "v"}, "AnalyticsMetadata": {"AnalyticsEndpointId": "e"}, "UserContextData": {"IpAddress": "192.0.2.1", "EncodedData": "x"}}' >"$dir/full.json"
      printf '%s' '{"ClientId": "abc"}' >"$dir/partial.json"
      ;;
    cli)
      # The first byte picks the subcommand (its index); the arguments are NUL-separated.
      printf '\x00scenarios/smoke.yaml\x00--output\x00json\x00--query\x00totals.requests_per_second\x00--cases\x00member-*,valid-code\x00--shard\x001/2' >"$dir/run"
      printf '\x07--case\x00raw\x00-c\x002\x00-z\x002s\x00-q\x00100\x00--http-version\x002\x00--endpoint-url\x00http://127.0.0.1:9229' >"$dir/bench"
      printf '\x0b--client-id\x00c\x00--username\x00u\x00--confirmation-code\x00123456\x00--client-metadata\x00a=b,c=d\x00--output\x00table\x00--color\x00off' >"$dir/confirm"
      printf '\x06--faults\x00stall=1s/5s\x00--faults\x00error=0.01,delay=5ms\x00--port\x000' >"$dir/emulator"
      ;;
  esac
}

for t in "${targets[@]}"; do
  seed "$t"
  echo "fuzz: $t for ${seconds}s"
  flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -max_len=131072)
  # confirm-sign-up prints each refused input's error on stderr, as the AWS CLI does: silence
  # it. libFuzzer's own report stays; run the saved crash input again to see a panic's message.
  [[ "$t" != cli_input_json ]] || flags+=(-close_fd_mask=2)
  "$fuzz" fuzz run "$t" "fuzz/corpus/$t" -- "${flags[@]}"
done
echo "fuzz: no crash in ${targets[*]}"
