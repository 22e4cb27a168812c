#!/usr/bin/env bash
# session_jobs.sh - what start-up, one QA picture and a session with pictures cost (issue 12):
#   - `deface --version`: CPU seconds, peak RSS, and the shared objects deface loads (ldd);
#   - one picture on ch2 (1 mm, 181x217x181): the render process' own CPU and peak, and the
#     whole run with --qa against the run without (CPU difference, largest process' peak);
#   - a session of 8 series (ch2 written as 8 DICOM series), pictures on, --jobs 1 against
#     --jobs 2, alternated ROUNDS times: wall and CPU (deface with its render processes and
#     Xvfb) as medians, and the wall ratio.
# Usage: session_jobs.sh DEFACE NIFTI_TO_DICOM WORKDIR [ROUNDS (default 3)]
# Needs python3 (it times each run from its own wait4: CPU of the process and its children,
# the largest peak RSS among them) and Xvfb (DISPLAY is unset: deface starts its own).
# Figures on a shared machine are noisy: read the medians and the ratio.
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: $0 DEFACE NIFTI_TO_DICOM WORKDIR [ROUNDS]" >&2; exit 2; }
DEFACE=$(readlink -f "$1")
N2D=$2
WORK=$3
ROUNDS=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
cache=$(bash "$here/../data/fetch_testdata.sh" mricron)
unset DISPLAY
rm -rf "$WORK"
mkdir -p "$WORK"

# measure ARG...: runs the command; prints "wall_s cpu_s peak_MiB exit" (CPU and peak include
# the children it waited for: the render processes and Xvfb). posix_spawn, not fork: a forked
# python's pages would count in the peak of a small program.
measure() {
  python3 - "$@" <<'PY'
import os, sys, time
devnull = os.open(os.devnull, os.O_RDWR)
t0 = time.monotonic()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ,
                      file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
print(f"{wall:.2f} {ru.ru_utime + ru.ru_stime:.2f} {ru.ru_maxrss / 1024:.0f} {os.waitstatus_to_exitcode(status)}")
PY
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$1" '{ print $c }'; }

echo "== start-up: deface --version (median of 9)"
for _ in 1 2 3 4 5 6 7 8 9; do measure "$DEFACE" --version; done >"$WORK/version.txt"
echo "deface --version: $(col 2 <"$WORK/version.txt" | median) s CPU, $(col 3 <"$WORK/version.txt" | median) MiB peak RSS"
echo "shared objects deface loads at start (ldd): $(ldd "$DEFACE" | wc -l)"
for _ in 1 2 3 4 5; do measure /bin/true; done >"$WORK/true.txt"
echo "/bin/true for comparison: $(col 2 <"$WORK/true.txt" | median) s CPU, $(col 3 <"$WORK/true.txt" | median) MiB"

echo "== one QA picture: ch2, 1 mm (median of $ROUNDS)"
cp "$cache/ch2.nii.gz" "$WORK/ch2.nii.gz"
# The render process timed from inside: a module folder whose deface-render is a wrapper.
MODDIR=$(dirname "$DEFACE")/../lib/deface
[[ -n ${DEFACE_MODULE_DIR:-} ]] && MODDIR=$DEFACE_MODULE_DIR
if [[ -x $MODDIR/deface-render ]]; then
  mkdir -p "$WORK/modules"
  ln -sf "$(readlink -f "$MODDIR")"/*.so "$WORK/modules/" 2>/dev/null || true
  cat >"$WORK/modules/deface-render" <<SH
#!/bin/sh
exec python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
with open("$WORK/render.txt", "a") as f:
    f.write(f"{ru.ru_utime + ru.ru_stime:.2f} {ru.ru_maxrss / 1024:.0f}\n")
sys.exit(os.waitstatus_to_exitcode(status))' "$(readlink -f "$MODDIR")/deface-render" "\$@"
SH
  chmod +x "$WORK/modules/deface-render"
fi
for ((r = 0; r < ROUNDS; r++)); do
  measure "$DEFACE" -q --force "$WORK/ch2.nii.gz" -o "$WORK/noqa.nii.gz" >>"$WORK/noqa.txt"
  if [[ -x $WORK/modules/deface-render ]]; then
    DEFACE_MODULE_DIR=$WORK/modules measure "$DEFACE" -q --force "$WORK/ch2.nii.gz" -o "$WORK/qa.nii.gz" --qa "$WORK/qa.png" >>"$WORK/qa.txt"
  else
    measure "$DEFACE" -q --force "$WORK/ch2.nii.gz" -o "$WORK/qa.nii.gz" --qa "$WORK/qa.png" >>"$WORK/qa.txt"
  fi
done
[[ $(col 4 <"$WORK/qa.txt" | sort -u) == 0 ]] || { echo "deface --qa failed: $(cat "$WORK/qa.txt")" >&2; exit 1; }
noqa_cpu=$(col 2 <"$WORK/noqa.txt" | median)
qa_cpu=$(col 2 <"$WORK/qa.txt" | median)
echo "deface ch2 without --qa: $noqa_cpu s CPU, $(col 3 <"$WORK/noqa.txt" | median) MiB peak"
echo "deface ch2 with --qa:    $qa_cpu s CPU (Xvfb started and stopped included), $(col 3 <"$WORK/qa.txt" | median) MiB peak (largest process)"
echo "one picture: +$(awk -v a="$qa_cpu" -v b="$noqa_cpu" 'BEGIN { printf "%.2f", a - b }') s CPU"
if [[ -s $WORK/render.txt ]]; then
  echo "the render process alone: $(col 1 <"$WORK/render.txt" | median) s CPU, $(col 2 <"$WORK/render.txt" | median) MiB peak RSS"
fi

echo "== a session of 8 series with pictures: --jobs 1 against --jobs 2 ($ROUNDS rounds, alternated)"
S=$WORK/session
mkdir -p "$S"/SCANS/{1,2,3,4,5,6,7,8}/DICOM
for n in 1 2 3 4 5 6 7 8; do
  "$N2D" "$cache/ch2.nii.gz" "$S/SCANS/$n/DICOM" --series-number "$n" --description "ch2 copy $n" \
    >"$WORK/n2d.log" 2>&1 || { cat "$WORK/n2d.log" >&2; exit 1; }
done
for ((r = 0; r < ROUNDS; r++)); do
  for j in 1 2; do
    measure "$DEFACE" -q --force "$S" -o "$WORK/out$j" --jobs "$j" >>"$WORK/jobs$j.txt"
    [[ $(ls "$WORK/out$j"/DEFACED_*/*_qa.png 2>/dev/null | wc -l) == 8 ]] ||
      { echo "--jobs $j: not 8 pictures" >&2; exit 1; }
  done
done
for j in 1 2; do
  [[ $(col 4 <"$WORK/jobs$j.txt" | sort -u) == 0 ]] || { echo "--jobs $j failed: $(cat "$WORK/jobs$j.txt")" >&2; exit 1; }
  echo "--jobs $j: $(col 1 <"$WORK/jobs$j.txt" | median) s wall, $(col 2 <"$WORK/jobs$j.txt" | median) s CPU, $(col 3 <"$WORK/jobs$j.txt" | median) MiB peak (largest process)"
done
paste "$WORK/jobs1.txt" "$WORK/jobs2.txt" | awk '{ print $1 / $5 }' >"$WORK/ratio.txt"
echo "wall --jobs 1 / --jobs 2: $(median <"$WORK/ratio.txt") (median of the $ROUNDS pairs; $(tr '\n' ' ' <"$WORK/ratio.txt"))"
