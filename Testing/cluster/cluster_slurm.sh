#!/usr/bin/env bash
# cluster_slurm.sh - Resources/cluster/deface-array.sbatch on a real, single-node Slurm that this
# test starts on localhost (Debian's slurm-wlm and munge: munged, slurmctld and slurmd from a
# private folder, on free ports, stopped at the end by their pids), over the four sessions of
# Testing/cluster/sessions.sh.
#
#  1. `sbatch --array=1-4%1 deface-array.sbatch MANIFEST OUT -- --no-qa` (one task at a time) is
#     cancelled with scancel while task 2 runs deface: s1 complete, s2 only in OUT/.partial,
#     third and s4 not started; deface-summary exits 4.
#  2. The same submission again: every task ends with exit code 0 (scontrol), s1 is skipped, the
#     rest done; deface-summary exits 0 with exactly the expected rows; every session was started
#     once, s2 twice (the cancelled task and its redo).
#  3. Submitted a third time: no deface starts at all, every task log says "complete, skipped".
#  4. --per-task 2 with --array=1-2 into a new OUT: the four sessions in two tasks, complete.
# Needs root (slurmd starts the jobs) and the packages slurm-wlm, munge (Resources/install-deps.sh).
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sessions.sh"
for tool in munged slurmctld slurmd sbatch squeue scancel scontrol sinfo; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian packages slurm-wlm and munge)"
done
[[ $(id -u) == 0 ]] || die "this test starts slurmd, which must run as root"
SBATCH_SCRIPT=$TESTING_DIR/../Resources/cluster/deface-array.sbatch

# --- a private Slurm on localhost ------------------------------------------------------------
SL=$WORK/slurm
mkdir -p "$SL"/{munge,state,spool,log,jobs}
chmod 700 "$SL/munge"
stop_slurm() {
  local f
  for f in "$SL/slurmd.pid" "$SL/slurmctld.pid" "$SL/munge/munged.pid"; do
    [[ -s $f ]] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 0.5
  rm -rf "$WORK"
}
trap stop_slurm EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
head -c 1024 /dev/urandom >"$SL/munge/munge.key"
chmod 600 "$SL/munge/munge.key"
munged -f --socket="$SL/munge/munge.sock" --key-file="$SL/munge/munge.key" --log-file="$SL/log/munged.log" \
  --pid-file="$SL/munge/munged.pid" --seed-file="$SL/munge/munged.seed" ||
  die "munged did not start: $(cat "$SL/log/munged.log" 2>/dev/null)"
HOST=$(hostname -s)
export SLURM_CONF=$SL/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=defacetest
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SL/munge/munge.sock
CredType=cred/munge
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
StateSaveLocation=$SL/state
SlurmdSpoolDir=$SL/spool
SlurmctldPidFile=$SL/slurmctld.pid
SlurmdPidFile=$SL/slurmd.pid
SlurmctldLogFile=$SL/log/slurmctld.log
SlurmdLogFile=$SL/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -i || die "slurmctld did not start: $(tail -n 5 "$SL/log/slurmctld.log" 2>/dev/null)"
slurmd || die "slurmd did not start: $(tail -n 5 "$SL/log/slurmd.log" 2>/dev/null)"
for ((i = 0; i < 300; i++)); do
  [[ $(sinfo -h -o %t 2>/dev/null) == idle ]] && break
  sleep 0.1
done
[[ $(sinfo -h -o %t 2>/dev/null) == idle ]] ||
  die "the node did not come up: $(sinfo 2>&1); $(tail -n 5 "$SL/log/slurmctld.log" "$SL/log/slurmd.log")"
say "Slurm $(sinfo -V | cut -d' ' -f2) on $HOST: $(nproc) CPUs, started in $((i / 10)).$((i % 10)) s"

make_sessions "$WORK/data"
counting_deface "$WORK"
export DEFACE_BATCH=$BATCH # the tasks run deface-batch from the source tree, and $DEFACE
OUT=$WORK/out

# submit TAG ARG...: sbatch of deface-array.sbatch (one core and little memory per task, so that
# both cores run tasks; our log folder); sets JOB.
submit() {
  local tag=$1
  shift
  JOB=$(cd "$SL/jobs" && sbatch --parsable -c 1 --mem-per-cpu=100M --time=10 -o "$SL/jobs/$tag-%a.log" "$@") ||
    die "sbatch $* failed"
}
wait_job() { # JOB SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    squeue -h -j "$1" 2>/dev/null | grep -q . || return 0
    sleep 0.1
  done
  die "job $1 still queued or running after $2 s: $(squeue -j "$1")"
}
exit_codes() { scontrol show job "$1" | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' | sort | uniq -c | tr -s ' ' | tr '\n' ';'; }

# 1. One task at a time, cancelled during task 2.
submit cancel --array=1-4%1 "$SBATCH_SCRIPT" "$MANIFEST" "$OUT" -- --no-qa
wait_for "$MARKS/s2" 120
sleep 0.3
scancel "$JOB"
wait_job "$JOB" 60
"$BATCH" --complete "$OUT/s1" || die "after scancel: s1 is not complete: $(cat "$SL"/jobs/cancel-*.log)"
[[ ! -e $OUT/s2 && $(starts third) == 0 && $(starts s4) == 0 ]] ||
  die "after scancel: $(files_in "$OUT"); starts: $(tr '\n' ' ' <"$STARTS")"
set +e
"$SUMMARY_TOOL" "$OUT" "$MANIFEST" >/dev/null 2>"$WORK/sum1.err"
RC=$?
set -e
[[ $RC == 4 ]] || die "deface-summary after scancel exited $RC: $(cat "$WORK/sum1.err")"
say "array job $JOB cancelled in task 2: $(cat "$WORK/sum1.err")"

# 2. Resubmitted: the rest is done.
submit resume --array=1-4 "$SBATCH_SCRIPT" "$MANIFEST" "$OUT" -- --no-qa
wait_job "$JOB" 300
[[ $(exit_codes "$JOB") == " 4 0:0;" ]] || die "resubmitted job $JOB: exit codes $(exit_codes "$JOB"): $(cat "$SL"/jobs/resume-*.log)"
grep -q 'deface-batch: s1: complete, skipped' "$SL/jobs/resume-1.log" || die "task 1 of the resubmission: $(cat "$SL/jobs/resume-1.log")"
for name in s1 third s4; do [[ $(starts "$name") == 1 ]] || die "$name was started $(starts "$name") times"; done
[[ $(starts s2) == 2 ]] || die "s2 was started $(starts s2) times (the cancelled task and one redo expected)"
set +e
"$SUMMARY_TOOL" "$OUT" "$MANIFEST" >"$WORK/all.tsv" 2>"$WORK/all.err"
RC=$?
set -e
[[ $RC == 0 && $(cut -f1,4,7 "$WORK/all.tsv" | tail -n +2) == "$(expected_rows)" ]] ||
  die "deface-summary after the resubmission (exit $RC): $(cat "$WORK/all.err")"$'\n'"$(cat "$WORK/all.tsv")"
say "resubmitted as job $JOB: 4 tasks exit 0; s1 skipped; $(cat "$WORK/all.err")"

# 3. Nothing left to do.
N=$(wc -l <"$STARTS")
submit again --array=1-4 "$SBATCH_SCRIPT" "$MANIFEST" "$OUT" -- --no-qa
wait_job "$JOB" 120
[[ $(wc -l <"$STARTS") == "$N" && $(cat "$SL"/jobs/again-*.log | grep -c 'complete, skipped') == 4 ]] ||
  die "the third submission started deface: $(cat "$SL"/jobs/again-*.log)"
say "submitted again as job $JOB: all 4 sessions skipped, deface not started"

# 4. Two sessions per task.
submit pertask --array=1-2 "$SBATCH_SCRIPT" "$MANIFEST" "$WORK/out2" --per-task 2 -- --no-qa
wait_job "$JOB" 300
[[ $(exit_codes "$JOB") == " 2 0:0;" ]] || die "--per-task 2: exit codes $(exit_codes "$JOB")"
"$SUMMARY_TOOL" "$WORK/out2" "$MANIFEST" >/dev/null 2>"$WORK/sum2.err" || die "--per-task 2: $(cat "$WORK/sum2.err")"
[[ $(grep -c 'done in' "$SL/jobs/pertask-1.log") == 2 && $(grep -c 'done in' "$SL/jobs/pertask-2.log") == 2 ]] ||
  die "--per-task 2: $(cat "$SL"/jobs/pertask-*.log)"
say "--per-task 2 as job $JOB: 2 tasks, 2 sessions each: $(cat "$WORK/sum2.err")"
say "PASS"
