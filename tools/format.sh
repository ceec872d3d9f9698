#!/usr/bin/env bash
# The tree's C and C++ sources against .clang-format (Debian's clang-format 14, which
# tools/setup.sh installs). --check lists the files that differ and exits 1 (.ci/run runs it:
# every tracked source, so every changed file); without it, formats them in place.
# Extra arguments restrict it to those files.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="fix"
if [[ "${1:-}" == "--check" ]]; then
  mode="check"
  shift
fi
if (($# > 0)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.c')
fi

if [[ "$mode" == fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
unformatted=()
for file in "${files[@]}"; do
  clang-format --dry-run --Werror "$file" > /dev/null 2>&1 || unformatted+=("$file")
done
if ((${#unformatted[@]} > 0)); then
  echo "format: ${#unformatted[@]} of ${#files[@]} files differ from .clang-format; fix them with" \
       "tools/format.sh ${unformatted[*]}"
  exit 1
fi
echo "format: ${#files[@]} files match .clang-format"
