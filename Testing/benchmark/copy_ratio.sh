#!/usr/bin/env bash
# copy_ratio.sh - what defacing costs against copying the file (issue #12): CPU seconds (user +
# sys of the child process, the median of RUNS alternated runs) of
#   deface IN.nii.gz -o OUT.nii.gz            (image, label and sidecar written)
#   nifti_tool -copy_im -infiles IN.nii.gz -prefix COPY.nii.gz   (gz to gz, the I/O floor)
#   niimath IN -deface OUT                     (where niimath is installed)
# and the ratio deface / copy, per input. A measurement, not a test.
#
#   copy_ratio.sh DEFACE WORKDIR INPUT.nii.gz...
#
# Environment: RUNS (default 5). The benchmark target passes ch2, the CT and the 256^3 head.
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: copy_ratio.sh DEFACE WORKDIR INPUT.nii.gz..." >&2; exit 2; }
DEFACE=$1 WORK=$2
shift 2
RUNS=${RUNS:-5}
PY=/usr/bin/python3
command -v nifti_tool >/dev/null || { echo "copy_ratio: nifti_tool is missing (Debian: nifti-bin)" >&2; exit 1; }
NIIMATH=$(command -v niimath || true)
mkdir -p "$WORK"

# cpu CMD...: prints the child's user + sys CPU seconds; fails when it exits non-zero.
cpu() {
  "$PY" -c '
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit("copy_ratio: exit %d: %s" % (os.waitstatus_to_exitcode(status), " ".join(sys.argv[1:])))
print("%.3f" % (ru.ru_utime + ru.ru_stime))' "$@"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "deface vs nifti_tool -copy_im (gz to gz), CPU seconds (user + sys), median of $RUNS alternated runs"
[[ -n $NIIMATH ]] || echo "niimath -deface: skipped (niimath is not installed)"
for in in "$@"; do
  name=$(basename "$in" .nii.gz)
  out=$WORK/DEFACED_$name.nii.gz copy=$WORK/COPY_$name.nii.gz nm=$WORK/NIIMATH_$name.nii.gz
  d=() c=() n=()
  for ((r = 0; r < RUNS; r++)); do
    rm -f "$out" "${out%.nii.gz}_label.nii.gz" "${out%.nii.gz}.json" "$copy" "$nm"
    d+=("$(cpu "$DEFACE" -q "$in" -o "$out")")
    [[ -s ${out%.nii.gz}_label.nii.gz ]] || { echo "copy_ratio: deface wrote no label" >&2; exit 1; }
    c+=("$(cpu nifti_tool -copy_im -infiles "$in" -prefix "$copy")")
    [[ -z $NIIMATH ]] || n+=("$(cpu "$NIIMATH" "$in" -deface "$nm")")
  done
  md=$(median "${d[@]}") mc=$(median "${c[@]}")
  line=$(awk -v n="$name" -v d="$md" -v c="$mc" \
    'BEGIN { printf "%-22s deface %6.3f s  copy %6.3f s  deface/copy %5.2f", n, d, c, d / c }')
  if [[ -n $NIIMATH ]]; then
    mn=$(median "${n[@]}")
    line+=$(awk -v m="$mn" -v c="$mc" 'BEGIN { printf "  niimath -deface %7.3f s (%.1f x copy)", m, m / c }')
  fi
  echo "$line"
done
