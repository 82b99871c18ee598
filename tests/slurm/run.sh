#!/usr/bin/env bash
# Runs a sharded simulation through a real Slurm on this machine and checks that the merged
# tables equal a single run's byte for byte.
#
# Starts munged, slurmctld and slurmd on localhost (one node, proctrack/linuxproc, task/none),
# submits a job array of shards and a merge job with --dependency=afterok, waits, compares,
# and stops every daemon it started, by PID. Needs root (as in CI). Installs Debian's
# slurmctld, slurmd, slurm-client and munge if they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
shards=${SHARDS:-4}
trials=${TRIALS:-40000}

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm: installing slurmctld, slurmd, slurm-client and munge from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

cargo build --release --locked -q
bin="${CARGO_TARGET_DIR:-$repo/target}/release/simulate"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac

work=$(mktemp -d /tmp/simulate-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# munge: a fresh key and socket in the work folder, daemon run as the munge user.
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$work/munge"
chmod 755 "$work/munge"; chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
runuser -u munge -- /usr/sbin/munged --key-file="$work/munge/munge.key" \
  --socket="$socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"
for _ in $(seq 50); do [ -s "$work/munge/munged.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/munge/munged.pid")")

host=$(hostname -s)
mkdir -p "$work/state" "$work/spool" "$work/log"
cat > "$work/slurm.conf" <<CONF
ClusterName=simulate-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" > "$work/log/slurmctld.out" 2>&1 &
pids+=($!)
/usr/sbin/slurmd -D -f "$SLURM_CONF" > "$work/log/slurmd.out" 2>&1 &
pids+=($!)

ready=""
for _ in $(seq 100); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed'; then ready=1; break; fi
  sleep 0.2
done
if [ -z "$ready" ]; then
  echo "slurm: the node did not become idle"; tail -20 "$work"/log/*; exit 1
fi

array=$(sbatch --parsable --array=0-$((shards - 1)) --output="$work/log/shard-%a.out" \
  --chdir="$repo" --wrap "$bin scenarios/base.toml -q -n $trials --shard auto --out $work/shards")
merge=$(sbatch --parsable --dependency=afterok:"$array" --output="$work/log/merge.out" \
  --chdir="$repo" --wrap "$bin merge $work/shards/base/part-*.json -q --out $work/merged")
echo "slurm: submitted array job $array ($shards shards) and merge job $merge"

for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  sleep 0.2
done

"$bin" scenarios/base.toml -q -n "$trials" --out "$work/single"

passed=0; failed=0
for f in summary.csv targets.csv backtest.csv; do
  if cmp -s "$work/single/base/$f" "$work/merged/base/$f"; then
    passed=$((passed + 1))
  else
    echo "slurm: $f of the merged Slurm run differs from the single run"
    failed=$((failed + 1))
  fi
done
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then
  tail -5 "$work"/log/*.out || true
fi
echo "slurm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
