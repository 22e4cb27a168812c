#!/usr/bin/env bash
# e2e_ch2.sh [zero|blur|noise] - deface the Colin27 T1 (ch2, mricron-data) with that fill and
# verify it: header kept, every voxel labelled 0 and every brain voxel (ch2bet > 0) unchanged,
# both annotated eyes labelled 2, the sidecar's eye centres within 4 mm of them. With zero fill
# (the default, run without --fill) also: the fill is the MR air value 0, the input's sha256 is
# unchanged, and a second run without --force exits 6 and leaves the outputs untouched.
source "$(dirname "$0")/common.sh"

FILL=${1:-zero}
case $FILL in zero | blur | noise) ;; *) die "unknown fill '$FILL'" ;; esac
fetch mricron
CASE=$WORK/case # holds only the input and deface's outputs
mkdir "$CASE"
IN=$CASE/ch2.nii.gz
cp "$DATA/ch2.nii.gz" "$IN"
SHA_BEFORE=$(sha256sum <"$IN")
RIGHT=$(landmark ch2 right_eye)
LEFT=$(landmark ch2 left_eye)

if [[ $FILL == zero ]]; then
  run_deface run1 -q "$IN"
else
  run_deface run1 -q --fill "$FILL" "$IN"
fi
expect_rc run1 0
say "deface --fill $FILL: exit 0 in $SECS s"
OUT=$CASE/DEFACED_ch2.nii.gz LAB=$CASE/DEFACED_ch2_label.nii.gz JSON=$CASE/DEFACED_ch2.json
for f in "$OUT" "$LAB" "$JSON"; do [[ -s $f ]] || die "deface exited 0 but did not write $(basename "$f")"; done
grep -q "\"fill\": *\"$FILL\"" "$JSON" || die "the sidecar does not record fill $FILL: $(grep '"fill"' "$JSON")"

args=(--input "$IN" --output "$OUT" --label "$LAB" --brain "$DATA/ch2bet.nii.gz" --json "$JSON"
  --eye "$RIGHT" --eye "$LEFT" --eye-tolerance 4)
[[ $FILL == zero ]] && args+=(--air 0 --air-tolerance 0.5)
verify "ch2_$FILL" "${args[@]}" || die "verify_deface failed (FAIL lines above): $SUMMARY"
say "$SUMMARY seconds=$SECS"

[[ $(sha256sum <"$IN") == "$SHA_BEFORE" ]] || die "the input file changed during the run"
say "input sha256 unchanged"

if [[ $FILL == zero ]]; then
  BEFORE=$(fingerprint "$OUT" "$LAB" "$JSON")
  sleep 1 # so a rewrite would show in the mtimes too
  run_deface run2 -q "$IN"
  expect_rc run2 6
  [[ $(fingerprint "$OUT" "$LAB" "$JSON") == "$BEFORE" ]] ||
    die "the rerun without --force exited 6 but changed the outputs"
  [[ $(files_in "$CASE") == "DEFACED_ch2.json DEFACED_ch2.nii.gz DEFACED_ch2_label.nii.gz ch2.nii.gz" ]] ||
    die "the rerun left other files behind: $(files_in "$CASE")"
  say "rerun without --force: exit 6, outputs untouched ($(head -n 1 "$WORK/run2.err"))"
fi
say "PASS"
