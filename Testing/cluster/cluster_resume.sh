#!/usr/bin/env bash
# cluster_resume.sh - deface-batch over a manifest of four sessions (Testing/cluster/sessions.sh):
# killed, resumed, run again with GNU parallel; nothing lost, nothing done twice.
#
#  1. Before any run, OUT/third holds a half-written folder (a DEFACED_ folder and a stray file,
#     no summary) and OUT/s4 a summary cut in the middle of a row.
#  2. `deface-batch MANIFEST OUT --all` is killed (SIGKILL to its process group) while deface runs
#     on s2: s1 is complete, s2 is not in OUT (only in OUT/.partial), third and s4 are as seeded;
#     deface-summary exits 4 naming s2, third and s4 as incomplete and prints only s1's rows.
#  3. The same command again, while another task holds third's lock: exit 0; s1 is skipped (its
#     files' bytes, inode and mtime unchanged), s2 and s4 are done again from the start, third is
#     left to the lock's holder.
#  4. GNU parallel, one task per session (`parallel deface-batch MANIFEST OUT --task {}`): third
#     is done, the three others skipped.
#  Then every session was started exactly once, s2 twice (the killed run and its redo); OUT/third
#  no longer holds the stray file; deface-summary exits 0 with exactly the expected rows (session,
#  description, status) under its header; and the manifest's checks hold: --count is 4, duplicate
#  names and a task past the end are usage errors (exit 2).
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sessions.sh"
command -v parallel >/dev/null || die "GNU parallel is missing (Debian package parallel)"
command -v setsid >/dev/null || die "setsid is missing (util-linux)"

make_sessions "$WORK/data"
counting_deface "$WORK"
OUT=$WORK/out
mkdir -p "$OUT/third/DEFACED_1_x" "$OUT/s4"
echo stray >"$OUT/third/stray.txt"
printf 'series_uid\tseries_number\tdescription\tmodality\tdimensions\tstatus\treason\tseconds\toutput\n1.2.3\t1\tT1\tMR' >"$OUT/s4/summary.tsv"

[[ $("$BATCH" --count "$MANIFEST") == 4 ]] || die "--count: $("$BATCH" --count "$MANIFEST")"
[[ $("$BATCH" --list "$MANIFEST" | cut -f1 | tr '\n' ' ') == "s1 s2 third s4 " ]] ||
  die "--list: $("$BATCH" --list "$MANIFEST")"

# 2. A run killed while deface works on s2.
setsid "$BATCH" "$MANIFEST" "$OUT" --all -- --no-qa >"$WORK/run1.log" 2>&1 &
PID=$!
wait_for "$MARKS/s2" 120
sleep 0.3
PGID=$(ps -o pgid= -p "$PID" | tr -d ' ')
[[ -n $PGID ]] || die "the run ended before it could be killed: $(cat "$WORK/run1.log")"
kill -KILL -- "-$PGID"
wait "$PID" 2>/dev/null || true
"$BATCH" --complete "$OUT/s1" || die "after the kill: s1 is not complete: $(cat "$WORK/run1.log")"
[[ ! -e $OUT/s2 && -d $OUT/.partial/s2 ]] || die "after the kill: s2 should be only in .partial: $(files_in "$OUT") / $(files_in "$OUT/.partial")"
[[ -f $OUT/third/stray.txt && $(starts third) == 0 && $(starts s4) == 0 ]] || die "after the kill: third or s4 was touched"
set +e
"$SUMMARY_TOOL" "$OUT" "$MANIFEST" >"$WORK/sum1.tsv" 2>"$WORK/sum1.err"
RC=$?
set -e
[[ $RC == 4 ]] || die "deface-summary after the kill exited $RC, expected 4: $(cat "$WORK/sum1.err")"
grep -q '4 sessions: 1 complete (1 series: 1 defaced, 0 refused, 0 errors), 3 incomplete (s2 s4 third), 0 not started' "$WORK/sum1.err" ||
  die "deface-summary after the kill: $(cat "$WORK/sum1.err")"
[[ $(cut -f1 "$WORK/sum1.tsv" | tail -n +2 | sort -u) == s1 ]] || die "deface-summary after the kill printed rows of $(cut -f1 "$WORK/sum1.tsv" | sort -u)"
say "killed in s2: s1 complete, s2 in .partial, third and s4 untouched; $(cat "$WORK/sum1.err")"
S1_STATE=$(cd "$OUT/s1" && find . -type f | LC_ALL=C sort | while read -r f; do echo "$(stat -c '%i %Y' "$f") $(fingerprint "$f")"; done)

# 3. Resumed, with third's lock held by "another task".
exec 9>"$OUT/.locks/third.lock"
flock -n 9 || die "cannot take third's lock"
set +e
"$BATCH" "$MANIFEST" "$OUT" --all -- --no-qa >"$WORK/run2.log" 2>&1
RC=$?
set -e
exec 9>&-
[[ $RC == 0 ]] || die "the resumed run exited $RC: $(cat "$WORK/run2.log")"
grep -q '^deface-batch: s1: complete, skipped$' "$WORK/run2.log" &&
  grep -q '^deface-batch: third: in progress in another task: left to it$' "$WORK/run2.log" ||
  die "the resumed run: $(cat "$WORK/run2.log")"
for name in s1 s2 s4; do "$BATCH" --complete "$OUT/$name" || die "after resuming: $name is not complete"; done
say "resumed: $(grep -c 'done in' "$WORK/run2.log") sessions done (s2, s4), s1 skipped, third left to its lock's holder"

# 4. GNU parallel, one task per session.
set +e
parallel --jobs 2 "$BATCH" "$MANIFEST" "$OUT" --task {} -- --no-qa ::: 1 2 3 4 >"$WORK/run3.log" 2>&1
RC=$?
set -e
[[ $RC == 0 ]] || die "the GNU parallel run exited $RC: $(cat "$WORK/run3.log")"
[[ $(grep -c 'complete, skipped$' "$WORK/run3.log") == 3 && $(grep -c '^deface-batch: third: done in' "$WORK/run3.log") == 1 ]] ||
  die "the GNU parallel run: $(cat "$WORK/run3.log")"

for name in s1 third s4; do
  [[ $(starts "$name") == 1 ]] || die "$name was started $(starts "$name") times: $(cat "$STARTS")"
done
[[ $(starts s2) == 2 ]] || die "s2 was started $(starts s2) times (the killed run and one redo expected)"
[[ $(cd "$OUT/s1" && find . -type f | LC_ALL=C sort | while read -r f; do echo "$(stat -c '%i %Y' "$f") $(fingerprint "$f")"; done) == "$S1_STATE" ]] ||
  die "s1 was rewritten after it was complete"
[[ ! -e $OUT/third/stray.txt && ! -e $OUT/third/DEFACED_1_x ]] || die "the half-written third was not replaced whole: $(files_in "$OUT/third")"
set +e
"$SUMMARY_TOOL" "$OUT" "$MANIFEST" >"$WORK/all.tsv" 2>"$WORK/all.err"
RC=$?
set -e
[[ $RC == 0 ]] || die "deface-summary exited $RC: $(cat "$WORK/all.err")"
[[ $(head -n 1 "$WORK/all.tsv") == $'session\tseries_uid\tseries_number\tdescription\tmodality\tdimensions\tstatus\treason\tseconds\toutput' ]] ||
  die "deface-summary header: $(head -n 1 "$WORK/all.tsv")"
[[ $(cut -f1,4,7 "$WORK/all.tsv" | tail -n +2) == "$(expected_rows)" ]] ||
  die "deface-summary rows:"$'\n'"$(diff <(expected_rows) <(cut -f1,4,7 "$WORK/all.tsv" | tail -n +2))"
say "GNU parallel: third done, 3 skipped; starts: s1 1, s2 2 (killed + redone), third 1, s4 1; s1 untouched"
say "$(cat "$WORK/all.err")"

# The manifest's own checks.
printf '%s\n%s\ts1\n' "$WORK/data/s1" "$WORK/data/s2" >"$WORK/dup.txt"
set +e
"$BATCH" "$WORK/dup.txt" "$WORK/out2" --all >"$WORK/dup.log" 2>&1
RC1=$?
"$BATCH" "$MANIFEST" "$OUT" --task 5 >"$WORK/past.log" 2>&1
RC2=$?
set -e
[[ $RC1 == 2 ]] && grep -q 'session names must be unique: s1 (lines 1 and 2)' "$WORK/dup.log" ||
  die "duplicate names: exit $RC1: $(cat "$WORK/dup.log")"
[[ $RC2 == 2 ]] && grep -q 'task 5: the manifest has only 4 sessions' "$WORK/past.log" ||
  die "task past the end: exit $RC2: $(cat "$WORK/past.log")"
say "manifest: duplicate names and a task past the end exit 2"
say "PASS"
