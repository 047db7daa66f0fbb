#!/usr/bin/env bash
# Every relative link in the repository's Markdown files must name a file or folder inside the
# repository: docs are read on a fresh clone, where nothing outside it exists. Links to web
# pages (http:, https:, mailto:) and to anchors within the same page are not checked; the
# anchor of a link to another file is dropped before the file is looked for.
#
#   scripts/check-links.sh            # exit 0, or 1 and each broken link as file:line: link
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

broken=0
checked=0
while IFS= read -r md; do
  dir=$(dirname "$md")
  # Inline links `](target)`, one per line of output, with the line they are on.
  while IFS=: read -r line link; do
    target=${link%%#*}
    case "$link" in
      http://* | https://* | mailto:* | '#'*) continue ;;
    esac
    [[ -n "$target" ]] || continue
    checked=$((checked + 1))
    if [[ "$target" == /* ]]; then
      path="$root$target"
    else
      path="$dir/$target"
    fi
    resolved=$(realpath -m "$path")
    if [[ "$resolved" != "$root" && "$resolved" != "$root"/* ]]; then
      echo "$md:$line: $link (outside the repository)"
      broken=$((broken + 1))
    elif [[ ! -e "$resolved" ]]; then
      echo "$md:$line: $link (no such file)"
      broken=$((broken + 1))
    fi
  done < <(grep -no ']([^)[:space:]]*)' "$md" | sed -E 's/^([0-9]+):\]\((.*)\)$/\1:\2/')
done < <(git ls-files --cached --others --exclude-standard -- '*.md' ':!:target/**' 2>/dev/null || find . -name '*.md' -not -path './target/*' -not -path './.peers/*')

if ((broken > 0)); then
  echo "check-links: $broken broken of $checked relative links" >&2
  exit 1
fi
echo "check-links: $checked relative links, all resolve"
