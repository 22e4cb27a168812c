#!/usr/bin/env bash
# Defaces the default scan, ch2 (Colin27 T1) from Debian's mricron-data, with
# the freshly built command, and renders its QA picture (OUT_DIR/ch2_qa.png)
# when the build has QA pictures (DEFACE_BUILD_RENDER). Usage:
#   deface-demo.sh [BUILD_DIR] [OUT_DIR]
# The scan is fetched from its package (not shipped in git) and cached. With
# no X display, deface starts Xvfb itself. The README's picture,
# Resources/qa_ch2.png, is OUT_DIR/ch2_qa.png from this script.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
out=${2:-$here/demo}
deface="$build/CLI/deface"
[ -x "$deface" ] || { echo "deface-demo: $deface not built (cmake --build $build)" >&2; exit 1; }
cache=$(bash "$here/Testing/data/fetch_testdata.sh" mricron)
mkdir -p "$out"
cp "$cache/ch2.nii.gz" "$out/ch2.nii.gz"
qa=()
if grep -q '^DEFACE_BUILD_RENDER:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  qa=(--qa "$out/ch2_qa.png")
fi
"$deface" "$out/ch2.nii.gz" --force --verbose "${qa[@]}"
echo "deface-demo: outputs are in $out:"
ls -l "$out"
