#!/usr/bin/env bash
# Fetches ch2 (cached) and runs the benchmark binary on it. Usage: run_benchmark.sh BINARY WORKDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=$(bash "$here/../data/fetch_testdata.sh" mricron)
mkdir -p "$2"
exec "$1" "$cache/ch2.nii.gz" "$2"
