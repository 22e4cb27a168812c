#!/usr/bin/env bash
# e2e_derived.sh - harder inputs derived from ch2 by make_case: 6 of the 48 axis permutation/flip
# combinations (one of each permutation), int16, float32, uint16 scaled (slope 0.5, inter -10),
# a 4D series of 3 time points, and the head rotated 15 degrees about z (yaw) and x (pitch).
# Each must deface (exit 0) with the header kept, voxels labelled 0 unchanged, 100% of the brain
# (ch2bet > 0, derived the same way) unchanged, both annotated eyes (carried through the same
# transform) labelled 2 and the sidecar's eye centres within 4 mm of them. Every case runs; the
# test fails at the end if any case failed, with a table of all of them.
source "$(dirname "$0")/common.sh"

fetch mricron
RIGHT=$(landmark ch2 right_eye)
LEFT=$(landmark ch2 left_eye)
RESULTS=()
FAILED=()

# derive CASE MASK MODE ARG...: makes $WORK/CASE/ch2_CASE.nii.gz, the brain mask (derived the same
# way when MASK is "same", else ch2bet itself) and the eye points (make_case --points).
derive() {
  local name=$1 mask=$2 mode=$3
  shift 3
  mkdir "$WORK/$name"
  "$MAKE_CASE" "$mode" "$DATA/ch2.nii.gz" "$WORK/$name/ch2_$name.nii.gz" "$@" \
    --points "$RIGHT;$LEFT" >"$WORK/$name.points" 2>"$WORK/$name.make.err" || return 1
  if [[ $mask == same ]]; then
    "$MAKE_CASE" "$mode" "$DATA/ch2bet.nii.gz" "$WORK/${name}_brain.nii.gz" "$@" \
      2>>"$WORK/$name.make.err" || return 1
  else
    cp "$DATA/ch2bet.nii.gz" "$WORK/${name}_brain.nii.gz"
  fi
}

# run_case CASE MASK MODE ARG...: derives, defaces and verifies one case; records a result row.
run_case() {
  local name=$1 dir=$WORK/$1 eyes
  if ! derive "$@"; then
    FAILED+=("$name")
    RESULTS+=("FAIL $name: make_case $3 ${*:4} failed: $(cat "$WORK/$name.make.err")")
    return
  fi
  mapfile -t eyes < <(tr ' ' ',' <"$WORK/$name.points")
  run_deface "$name" -q "$dir/ch2_$name.nii.gz"
  if [[ $RC != 0 ]]; then
    FAILED+=("$name")
    RESULTS+=("FAIL $name ($3 ${*:4}): deface exited $RC in $SECS s: $(tr '\n' ' ' <"$WORK/$name.err")")
    return
  fi
  if verify "$name" --input "$dir/ch2_$name.nii.gz" --output "$dir/DEFACED_ch2_$name.nii.gz" \
    --label "$dir/DEFACED_ch2_${name}_label.nii.gz" --json "$dir/DEFACED_ch2_$name.json" \
    --brain "$WORK/${name}_brain.nii.gz" --eye "${eyes[0]}" --eye "${eyes[1]}" --eye-tolerance 4; then
    RESULTS+=("PASS $name ($3 ${*:4}): $SUMMARY seconds=$SECS")
  else
    FAILED+=("$name")
    RESULTS+=("FAIL $name ($3 ${*:4}): $SUMMARY seconds=$SECS; failed: $(grep '^FAIL' "$WORK/$name.verify" |
      cut -d: -f1 | sed 's/^FAIL //' | tr '\n' ' ')")
  fi
}

run_case perm_012_100 same permute 012 100
run_case perm_021_000 same permute 021 000
run_case perm_210_111 same permute 210 111
run_case perm_120_010 same permute 120 010
run_case perm_201_101 same permute 201 101
run_case perm_102_011 same permute 102 011
run_case int16 orig datatype int16
run_case float32 orig datatype float32
run_case uint16_scaled orig datatype uint16 0.5 -10
run_case fourd_3 orig fourd 3
run_case rotate_z15 same rotate z 15
run_case rotate_x15 same rotate x 15

echo
say "results:"
printf '  %s\n' "${RESULTS[@]}"
[[ ${#FAILED[@]} -eq 0 ]] || die "${#FAILED[@]} of ${#RESULTS[@]} derived cases failed: ${FAILED[*]}"
say "PASS (${#RESULTS[@]} cases)"
