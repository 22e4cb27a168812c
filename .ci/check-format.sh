#!/usr/bin/env bash
# check-format.sh - fails when a file listed in .ci/format-files.txt differs from what
# clang-format makes of it with the repository's .clang-format. Prints the files that differ and
# the command that fixes them. Debian package: clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format: clang-format is missing (apt-get install clang-format)" >&2; exit 2; }
files=()
while read -r pattern; do
  [[ -z $pattern || $pattern == \#* ]] && continue
  matched=0
  for f in $pattern; do
    [[ -f $f ]] || continue
    files+=("$f")
    matched=1
  done
  ((matched)) || { echo "check-format: '$pattern' (.ci/format-files.txt) names no file" >&2; exit 2; }
done <.ci/format-files.txt
bad=()
for f in "${files[@]}"; do
  clang-format --style=file "$f" | cmp -s - "$f" || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "check-format: ${#bad[@]} of ${#files[@]} files differ from clang-format's output:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "fix: clang-format -i ${bad[*]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says"
