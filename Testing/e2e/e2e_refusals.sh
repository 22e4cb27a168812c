#!/usr/bin/env bash
# e2e_refusals.sh - inputs deface must turn down, each with its documented exit code, exactly one
# line on stderr naming the input (not required for the usage error) and no file left beside the
# input:
#   a single 2D slice of ch2 -> 4     a 10 mm slab of ch2 -> 4      a noise phantom -> 4
#   ch2 cut to half its gzip stream -> 3      a header claiming 30000^3 voxels -> 3
#   a file that does not exist -> 3           an unknown option -> 2
# Every case runs; the test fails at the end if any failed, with a table of all of them.
source "$(dirname "$0")/common.sh"

fetch mricron
RESULTS=()
FAILED=()

# check_case CASE WANT INPUT NAMES_INPUT: judges run CASE of deface on INPUT (in $WORK/CASE).
check_case() {
  local name=$1 want=$2 input=$3 names=$4 problems=() lines left expect_left
  [[ $RC == "$want" ]] || problems+=("exit $RC, expected $want")
  lines=$(wc -l <"$WORK/$name.err")
  [[ $lines -eq 1 ]] || problems+=("$lines lines on stderr, expected 1")
  if [[ $names == yes ]] && ! grep -qF "$input" "$WORK/$name.err"; then
    problems+=("stderr does not name $input")
  fi
  left=$(files_in "$WORK/$name")
  expect_left=
  [[ -e $input ]] && expect_left=$(basename "$input")
  [[ $left == "$expect_left" ]] || problems+=("the folder holds '$left', expected only '$expect_left'")
  if [[ ${#problems[@]} -eq 0 ]]; then
    RESULTS+=("PASS $name: exit $RC in $SECS s: $(head -n 1 "$WORK/$name.err")")
  else
    FAILED+=("$name")
    RESULTS+=("FAIL $name: $(
      IFS=';'
      echo "${problems[*]}"
    ); stderr: $(tr '\n' '|' <"$WORK/$name.err")")
  fi
}

# refuse CASE WANT FILE MODE ARG...: makes FILE in $WORK/CASE with make_case, runs deface on it.
refuse() {
  local name=$1 want=$2 file=$WORK/$1/$3 mode=$4
  shift 4
  mkdir "$WORK/$name"
  "$MAKE_CASE" "$mode" "$DATA/ch2.nii.gz" "$file" "$@" 2>"$WORK/$name.make.err" ||
    die "make_case $mode failed for case $name: $(cat "$WORK/$name.make.err")"
  run_deface "$name" -q "$file"
  check_case "$name" "$want" "$file" yes
}

refuse slice_2d 4 ch2_slice.nii.gz slice k 90
refuse slab_10mm 4 ch2_slab.nii.gz slab k 10
refuse noise_phantom 4 ch2_noise.nii.gz noise
refuse truncated 3 ch2_truncated.nii.gz truncate 0.5
refuse absurd_dims 3 absurd.nii absurd

mkdir "$WORK/missing"
run_deface missing -q "$WORK/missing/no_such_scan.nii.gz"
check_case missing 3 "$WORK/missing/no_such_scan.nii.gz" yes

mkdir "$WORK/bad_option"
cp "$DATA/ch2.nii.gz" "$WORK/bad_option/ch2.nii.gz"
run_deface bad_option --no-such-option "$WORK/bad_option/ch2.nii.gz"
check_case bad_option 2 "$WORK/bad_option/ch2.nii.gz" no

echo
say "results:"
printf '  %s\n' "${RESULTS[@]}"
[[ ${#FAILED[@]} -eq 0 ]] || die "${#FAILED[@]} of ${#RESULTS[@]} refusal cases failed: ${FAILED[*]}"
say "PASS (${#RESULTS[@]} cases)"
