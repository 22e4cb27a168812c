#!/usr/bin/env bash
# render_stress.sh - consecutive `--jobs 2` sessions with QA pictures: not one picture may fail
# (issue 12: "a stress test of 100 consecutive --jobs 2 sessions with pictures: 0 picture
# failures"). Run by ctest under xvfb-run -a, whose server resets when its last client leaves:
# the sessions alternate between that server (DISPLAY set: each session's render processes
# connect right after the previous session's left) and an Xvfb deface starts itself (DISPLAY
# unset). Cheap on purpose: ch2 resampled to 2 mm (90x108x90), written as two DICOM series.
# STRESS_SESSIONS (default 100) sets how many.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
[[ -x ${NIFTI_TO_DICOM:-} ]] || die "NIFTI_TO_DICOM is not set to an executable (run this test through ctest)"
[[ -n ${DISPLAY:-} ]] || die "no DISPLAY: run this test through ctest (it runs under xvfb-run -a)"
SESSIONS=${STRESS_SESSIONS:-100}
fetch mricron

"$MAKE_CASE" resample "$DATA/ch2.nii.gz" "$WORK/small.nii.gz" 2 2 2 >"$WORK/case.log" 2>&1 ||
  die "make_case resample failed: $(cat "$WORK/case.log")"
S=$WORK/session
mkdir -p "$S"/SCANS/{1,2}/DICOM
for n in 1 2; do
  "$NIFTI_TO_DICOM" "$WORK/small.nii.gz" "$S/SCANS/$n/DICOM" --series-number "$n" \
    --description "small $n" >"$WORK/n2d.log" 2>&1 || die "nifti_to_dicom failed: $(cat "$WORK/n2d.log")"
done

failed=0 bad_runs=0 pictures=0
t0=$(date +%s.%N)
for ((i = 1; i <= SESSIONS; i++)); do
  out=$WORK/out$i
  if ((i % 2)); then
    display="xvfb-run's"
    "$DEFACE" -q "$S" -o "$out" --jobs 2 >"$WORK/run.out" 2>"$WORK/run.err" && RC=0 || RC=$?
  else
    display="its own"
    env -u DISPLAY "$DEFACE" -q "$S" -o "$out" --jobs 2 >"$WORK/run.out" 2>"$WORK/run.err" && RC=0 || RC=$?
  fi
  n=$(find "$out" -name '*_qa.png' -size +1k | wc -l)
  pictures=$((pictures + n))
  if [[ $RC != 0 || $n != 2 ]]; then
    failed=$((failed + 2 - n))
    [[ $RC == 0 ]] || bad_runs=$((bad_runs + 1))
    echo "session $i ($display display): exit $RC, $n of 2 pictures: $(head -c 600 "$WORK/run.err")" >&2
  fi
  rm -rf "$out"
done
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
say "$SESSIONS sessions of 2 series with --jobs 2 in $secs s: $pictures pictures, $failed picture failures, $bad_runs runs with a non-zero exit"
[[ $failed == 0 && $bad_runs == 0 ]] || die "$failed picture failures, $bad_runs failed runs in $SESSIONS sessions"
say PASS
