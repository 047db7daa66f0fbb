#!/usr/bin/env bash
# Checks what `cogbench completions` and `cogbench man` write, in the programs that read them:
#
#   bash   the script is loaded and asked, as bash asks at <TAB>: `cogbench r` completes to the
#          commands starting with r, `cogbench run --rep` to --report, `cogbench completions `
#          to the shells, and a scenario path to files
#   fish   the script is loaded and `complete -C 'cogbench r'` asked
#   zsh    the script parses (zsh -n); zsh's completion system needs a terminal to be asked
#   man    every page (`cogbench man --output-dir`) renders with `man -l` and no groff warning;
#          cogbench-run(1) shows its FILE argument and its examples, each on a line of its own;
#          no page names a page that is not written (cogbench-help(1))
#
# zsh and fish come from Debian's packages when missing. PowerShell is not checked: no Debian
# package; its script is written by the same generator from the same definition.
#
#   COGBENCH=target/release/cogbench scripts/verify/completions-and-man.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin=${COGBENCH:-target/debug/cogbench}
[[ -x $bin ]] || { echo "completions-and-man: no binary at $bin (build first, or set COGBENCH)" >&2; exit 1; }

fail() { echo "completions-and-man: FAIL: $*" >&2; exit 1; }
ok() { echo "completions-and-man: ok: $*"; }

if ! command -v zsh >/dev/null || ! command -v fish >/dev/null || ! command -v man >/dev/null; then
  sudo=; [[ $(id -u) -ne 0 ]] && sudo=sudo
  echo "completions-and-man: apt-get install zsh fish man-db"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends zsh fish man-db >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- bash: what _cogbench puts in COMPREPLY for a command line, as bash's <TAB> calls it
"$bin" completions bash >"$work/cogbench.bash"
complete_bash() {
  # shellcheck disable=SC2016
  bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _cogbench cogbench "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$work/cogbench.bash" "$@" | sort
}
got=$(complete_bash cogbench r | tr '\n' ' ')
[[ $got == "record report run " ]] || fail "bash: \`cogbench r<TAB>\` gave '$got', not 'record report run'"
ok "bash: cogbench r<TAB> → $got"
got=$(complete_bash cogbench run --rep | tr '\n' ' ')
[[ $got == "--report " ]] || fail "bash: \`cogbench run --rep<TAB>\` gave '$got'"
ok "bash: cogbench run --rep<TAB> → $got"
got=$(complete_bash cogbench completions "" | tr '\n' ' ')
for shell in bash zsh fish powershell; do
  [[ " $got" == *" $shell "* ]] || fail "bash: \`cogbench completions <TAB>\` lacks $shell: '$got'"
done
ok "bash: cogbench completions <TAB> → $got"
got=$(complete_bash cogbench run --target-kind "" | tr '\n' ' ')
[[ $got == "aws cognito-local embedded emulator endpoint moto " ]] \
  || fail "bash: \`cogbench run --target-kind <TAB>\` gave '$got'"
ok "bash: cogbench run --target-kind <TAB> → $got"
got=$(complete_bash cogbench man o | tr '\n' ' ')
[[ $got == "oracle " ]] || fail "bash: \`cogbench man o<TAB>\` gave '$got'"
ok "bash: cogbench man o<TAB> → $got"
# A path argument leaves COMPREPLY empty, and `complete -o default` has bash complete file names.
got=$(complete_bash cogbench validate scenarios/smo | tr '\n' ' ')
[[ -z ${got// /} ]] || fail "bash: \`cogbench validate scenarios/smo<TAB>\` gave words: '$got'"
registration=$(bash --norc --noprofile -c 'source "$1"; complete -p cogbench' _ "$work/cogbench.bash")
[[ $registration == *"-o default"* ]] || fail "bash: not registered with -o default: $registration"
ok "bash: cogbench validate scenarios/smo<TAB> → file names (complete -o default)"

# --- fish: its own completion query
"$bin" completions fish >"$work/cogbench.fish"
got=$(fish --no-config -c "source $work/cogbench.fish; complete -C 'cogbench r'" | cut -f1 | sort | tr '\n' ' ')
[[ $got == "record report run " ]] || fail "fish: \`cogbench r<TAB>\` gave '$got'"
ok "fish: cogbench r<TAB> → $got"
got=$(fish --no-config -c "source $work/cogbench.fish; complete -C 'cogbench validate scenarios/smo'" | cut -f1 | tr '\n' ' ')
[[ $got == "scenarios/smoke.yaml " ]] || fail "fish: \`cogbench validate scenarios/smo<TAB>\` gave '$got'"
ok "fish: cogbench validate scenarios/smo<TAB> → $got"

# --- zsh: parses
"$bin" completions zsh >"$work/_cogbench"
zsh -n "$work/_cogbench" || fail "zsh: the completion script does not parse"
grep -q '^#compdef cogbench' "$work/_cogbench" || fail "zsh: no #compdef line"
ok "zsh: the script parses"

# --- powershell and elvish: written, non-empty
for shell in powershell elvish; do
  [[ -s $("$bin" completions "$shell" >"$work/c.$shell"; echo "$work/c.$shell") ]] || fail "$shell: empty script"
done

# --- man: every page renders, without groff warnings
"$bin" man --output-dir "$work/man" 2>/dev/null
pages=0
for page in "$work"/man/*.1; do
  MANWIDTH=100 man --warnings -l "$page" >"$work/page.txt" 2>"$work/warnings.txt" \
    || fail "man: $page does not render: $(head -3 "$work/warnings.txt")"
  [[ ! -s $work/warnings.txt ]] || fail "man: $page: $(head -3 "$work/warnings.txt")"
  [[ -s $work/page.txt ]] || fail "man: $page renders empty"
  pages=$((pages + 1))
done
commands=$("$bin" --help | awk '/^Commands:/{on=1; next} /^$/{on=0} on && /^  [a-z]/ && $1 != "help" {print $1}' | wc -l)
[[ $pages -gt $commands ]] || fail "man: $pages pages for $commands commands (and cogbench itself)"
"$bin" man run | MANWIDTH=100 man -l - >"$work/run.txt" 2>/dev/null
grep -q 'The scenario file (YAML)' "$work/run.txt" || fail "man: cogbench-run(1) does not describe FILE"
grep -q '^EXAMPLES' "$work/run.txt" || fail "man: cogbench-run(1) has no EXAMPLES section"
grep -qx '  *cogbench run scenarios/smoke.yaml' "$work/run.txt" \
  || fail "man: cogbench-run(1)'s example is not set on a line of its own"
! grep -q 'help(1)' "$work"/man/*.1 2>/dev/null || fail "man: a page names a help page that is not written"
ok "man: $pages pages render (man -l, no warnings); cogbench-run(1) describes FILE and shows an example"
