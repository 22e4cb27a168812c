#!/usr/bin/env bash
# Fetches ch2 (cached) and runs the benchmark binary on it; then, given the deface command,
# copy_ratio.sh on ch2, the CT and the 256^3 head the benchmark made (deface vs a gz-to-gz copy).
# Usage: run_benchmark.sh BINARY WORKDIR [DEFACE]  (DEFACE_INV3_TO_NIFTI: to fetch the CT)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=$(bash "$here/../data/fetch_testdata.sh" mricron)
mkdir -p "$2"
"$1" "$cache/ch2.nii.gz" "$2"
[[ -n ${3:-} ]] || exit 0
ct=$(bash "$here/../data/fetch_testdata.sh" invesalius)/ct_cranium.nii.gz
echo
exec bash "$here/copy_ratio.sh" "$3" "$2/copy_ratio" "$cache/ch2.nii.gz" "$ct" "$2/head256.nii.gz"
