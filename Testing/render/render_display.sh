#!/usr/bin/env bash
# render_display.sh - `deface --qa` with no X display (run by ctest without xvfb-run).
#
# DISPLAY unset: the command starts Xvfb itself (through a wrapper on PATH that records the
# server's pid), writes a valid picture, and stops that Xvfb before it exits. DISPLAY unset and no
# Xvfb on PATH: exit 6 with a message naming xvfb and `xvfb-run -a`; the image, label and sidecar
# are written and valid, no picture or temporary file is left. DISPLAY naming a display that does
# not exist: exit 6 with a message, no crash (VTK 9.1 would abort).
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
RENDER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XVFB=$(command -v Xvfb) || die "Xvfb is missing (Debian package xvfb)"
fetch mricron
cp "$DATA/ch2.nii.gz" "$WORK/ch2.nii.gz"
mkdir -p "$WORK/bin" "$WORK/nobin"
printf '#!/bin/sh\necho $$ >>"%s"\nexec "%s" "$@"\n' "$WORK/xvfb.pids" "$XVFB" >"$WORK/bin/Xvfb"
chmod +x "$WORK/bin/Xvfb"

env -u DISPLAY PATH="$WORK/bin:$PATH" "$DEFACE" -q "$WORK/ch2.nii.gz" --qa "$WORK/own.png" \
  >"$WORK/own.out" 2>"$WORK/own.err" || die "with no DISPLAY: exit $? ($(cat "$WORK/own.err"))"
[[ $(wc -l <"$WORK/xvfb.pids") == 1 ]] || die "Xvfb was started $(wc -l <"$WORK/xvfb.pids" 2>/dev/null) times, expected once"
PID=$(cat "$WORK/xvfb.pids")
for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
! kill -0 "$PID" 2>/dev/null || die "the Xvfb the command started (pid $PID) is still running"
python3 "$RENDER_DIR/check_qa.py" "$WORK/own.png" 960 700 320 >"$WORK/own.qa" 2>&1 ||
  die "the picture rendered on its own Xvfb fails check_qa.py: $(cat "$WORK/own.qa")"
say "no DISPLAY: started Xvfb (pid $PID), wrote a valid picture, stopped the server"

rm -f "$WORK"/DEFACED_ch2*
env -u DISPLAY PATH="$WORK/nobin" "$DEFACE" -q "$WORK/ch2.nii.gz" --qa "$WORK/none.png" \
  >"$WORK/none.out" 2>"$WORK/none.err" && RC=0 || RC=$?
[[ $RC == 6 ]] || die "no DISPLAY and no Xvfb: exit $RC, expected 6 ($(cat "$WORK/none.err"))"
grep -q "xvfb" "$WORK/none.err" && grep -q "xvfb-run -a" "$WORK/none.err" ||
  die "the message does not say how to get a display: $(cat "$WORK/none.err")"
[[ $(wc -l <"$WORK/none.err") == 1 ]] || die "more than one line on stderr: $(cat "$WORK/none.err")"
[[ ! -e $WORK/none.png && -z $(find "$WORK" -maxdepth 1 -name '*.tmp.*') ]] || die "a picture or temporary was left"
verify none --input "$WORK/ch2.nii.gz" --output "$WORK/DEFACED_ch2.nii.gz" \
  --label "$WORK/DEFACED_ch2_label.nii.gz" --json "$WORK/DEFACED_ch2.json" --air 0 ||
  die "the outputs written before the picture failed are not valid: $SUMMARY"
say "no DISPLAY, no Xvfb: exit 6 ($(cat "$WORK/none.err")); outputs valid"

rm -f "$WORK"/DEFACED_ch2*
DISPLAY=:4711 "$DEFACE" -q "$WORK/ch2.nii.gz" --qa "$WORK/bad.png" >"$WORK/bad.out" 2>"$WORK/bad.err" && RC=0 || RC=$?
[[ $RC == 6 ]] || die "DISPLAY=:4711 (none there): exit $RC, expected 6 ($(cat "$WORK/bad.err"))"
grep -q "cannot open the X display :4711" "$WORK/bad.err" || die "message: $(cat "$WORK/bad.err")"
say "DISPLAY naming no server: exit 6 ($(cat "$WORK/bad.err"))"
say "PASS"
