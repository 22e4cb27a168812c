#!/usr/bin/env bash
# e2e_ct.sh - deface the InVesalius CT (ct_cranium, converted by inv3_to_nifti) with the default
# zero fill: exit 0, header kept, voxels labelled 0 unchanged, both annotated eyes labelled 2, the
# annotated nose tip labelled, the fill is CT air (about -1000 HU) and the sidecar's eye centres
# lie within 4 mm of the annotated ones.
source "$(dirname "$0")/common.sh"

[[ -n ${DEFACE_INV3_TO_NIFTI:-} ]] || die "DEFACE_INV3_TO_NIFTI is not set (run this test through ctest)"
fetch invesalius
CASE=$WORK/case
mkdir "$CASE"
IN=$CASE/ct_cranium.nii.gz
cp "$DATA/ct_cranium.nii.gz" "$IN"

run_deface ct -q "$IN"
expect_rc ct 0
verify ct --input "$IN" --output "$CASE/DEFACED_ct_cranium.nii.gz" \
  --label "$CASE/DEFACED_ct_cranium_label.nii.gz" --json "$CASE/DEFACED_ct_cranium.json" \
  --eye "$(landmark ct_cranium right_eye)" --eye "$(landmark ct_cranium left_eye)" \
  --nose "$(landmark ct_cranium nose_tip)" --eye-tolerance 4 --air -1000 --air-tolerance 50 ||
  die "verify_deface failed (FAIL lines above): $SUMMARY"
say "defaced in $SECS s; $SUMMARY"
say "PASS"
