#!/usr/bin/env bash
# e2e_kmeans.sh - the ITK Kmeans T1 (insighttoolkit5-examples): coronal 2x2x3 mm, LSA, int16,
# face cut at the front so the eyes are mostly outside the field of view. Two outcomes are right:
#   defaced: exit 0, header kept, voxels labelled 0 and every brain voxel (kmeans_brain > 0)
#            unchanged;
#   refused: exit 4, one line on stderr naming the input and saying why (the eyes or the face),
#            and no output file.
# Anything else fails. Prints which outcome it was.
source "$(dirname "$0")/common.sh"

fetch itk
CASE=$WORK/case
mkdir "$CASE"
IN=$CASE/kmeans_t1.nii.gz
cp "$DATA/kmeans_t1.nii.gz" "$IN"

run_deface kmeans -q "$IN"
case $RC in
0)
  verify kmeans --input "$IN" --output "$CASE/DEFACED_kmeans_t1.nii.gz" \
    --label "$CASE/DEFACED_kmeans_t1_label.nii.gz" --brain "$DATA/kmeans_brain.nii.gz" \
    --json "$CASE/DEFACED_kmeans_t1.json" ||
    die "defaced (exit 0) but verify_deface failed (FAIL lines above): $SUMMARY"
  say "outcome: defaced in $SECS s; $SUMMARY"
  ;;
4)
  lines=$(wc -l <"$WORK/kmeans.err")
  [[ $lines -eq 1 ]] || die "refused (exit 4) with $lines lines on stderr, expected one:"$'\n'"$(stderr_of kmeans)"
  grep -qF "$IN" "$WORK/kmeans.err" || die "the refusal does not name the input: $(cat "$WORK/kmeans.err")"
  grep -qiE 'eye|face' "$WORK/kmeans.err" ||
    die "the refusal does not say it is about the eyes or the face: $(cat "$WORK/kmeans.err")"
  [[ $(files_in "$CASE") == kmeans_t1.nii.gz ]] || die "refused but left files: $(files_in "$CASE")"
  say "outcome: refused (exit 4) in $SECS s: $(cat "$WORK/kmeans.err")"
  ;;
*)
  die "deface exited $RC; expected 0 (defaced) or 4 (refused); its stderr:"$'\n'"$(stderr_of kmeans)"
  ;;
esac
say "PASS"
