#!/usr/bin/env bash
# run_fuzzer.sh KIND FUZZER [RUNS] - runs a fuzz target from its seeds.
#   nifti FUZZER RUNS  libFuzzer: fuzz_nifti writes its own seeds (a small NIfTI-1 .nii and
#                      .nii.gz) into an empty corpus, then runs RUNS inputs
#   dicom FUZZER RUNS  libFuzzer: seeds from the test series (make_dicom_seeds.sh), RUNS inputs
#   smoke FUZZER       the plain fuzz_dicom driver: each seed and deterministic mutations
# A finding (crash, sanitizer report, leak, an allocation over 2 GiB, 60 s on one input) fails the
# test; libFuzzer leaves the input that caused it in the work folder, and its path is printed.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
KIND=${1:?usage: run_fuzzer.sh nifti|dicom|smoke FUZZER [RUNS]}
FUZZER=${2:?}
RUNS=${3:-20000}
CORPUS=$WORK/corpus
mkdir -p "$CORPUS"
if [[ $KIND != nifti ]]; then
  bash "$(dirname "${BASH_SOURCE[0]}")/make_dicom_seeds.sh" "$CORPUS" >"$WORK/seeds.log" 2>&1 ||
    die "making the seeds failed: $(cat "$WORK/seeds.log")"
  say "seeds: $(find "$CORPUS" -type f | wc -l) inputs from the test series"
fi
if [[ $KIND == smoke ]]; then
  mapfile -t SEEDS < <(find "$CORPUS" -type f | LC_ALL=C sort)
  "$FUZZER" "${SEEDS[@]}" >"$WORK/fuzz.log" 2>&1 || die "fuzz_dicom: $(tail -n 20 "$WORK/fuzz.log")"
  say "$(tail -n 1 "$WORK/fuzz.log")"
  exit 0
fi
export DEFACE_FUZZ_SEED_DIR=$CORPUS # fuzz_nifti writes its seeds there
cd "$WORK"
set +e
"$FUZZER" -runs="$RUNS" -seed=1 -max_len=16384 -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=60 \
  -print_final_stats=1 "$CORPUS" >"$WORK/fuzz.log" 2>&1
RC=$?
set -e
if [[ $RC != 0 ]]; then
  tail -n 40 "$WORK/fuzz.log" >&2
  for f in "$WORK"/crash-* "$WORK"/leak-* "$WORK"/oom-* "$WORK"/timeout-*; do
    [[ -e $f ]] && cp "$f" "${TMPDIR:-/tmp}/" && echo "finding: ${TMPDIR:-/tmp}/$(basename "$f")" >&2
  done
  die "libFuzzer exited $RC after $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/fuzz.log" | grep -o '[0-9]*$') inputs"
fi
say "$(grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$WORK/fuzz.log" | tr -s ' ' | tr '\n' ' '), $(grep -o 'cov: [0-9]*' "$WORK/fuzz.log" | tail -n 1)"
