#!/usr/bin/env bash
# CPU side by side: the CPU seconds a whole grading takes (grader, workers, jobs), alternating an
# earlier commit and this checkout. Notebooks a minute move by several per cent between two runs
# of one commit on a shared machine; the CPU a run takes moves much less. Honest notebooks only
# by default, so no hostile notebook's wall-clock limit enters the figure.
#
#   sudo bash bench/cpu_ab.sh eef6438 3 -n 150 --naive 0 --hostile 0
#
# Needs a cgroup to put each run in (cgroup v1 cpuacct or v2 cpu, writable: root).
set -euo pipefail
ref=${1:?usage: bench/cpu_ab.sh COMMIT ROUNDS [bench/run.py options]}
rounds=${2:?usage: bench/cpu_ab.sh COMMIT ROUNDS [bench/run.py options]}
shift 2
[ $# -gt 0 ] || set -- -n 150 --naive 0 --hostile 0
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -d /sys/fs/cgroup/cpuacct ]; then base=/sys/fs/cgroup/cpuacct; usage() { echo $(( $(cat "$1/cpuacct.usage") / 1000 )); }
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then base=/sys/fs/cgroup; usage() { awk '/^usage_usec/ {print $2}' "$1/cpu.stat"; }
else echo "no cgroup to count CPU in" >&2; exit 2; fi
before=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$before" >/dev/null 2>&1 || rm -rf "$before"' EXIT
git -C "$here" worktree add -q --detach "$before" "$ref"
cp "$here/bench/run.py" "$here/bench/corpus.py" "$before/bench/"
for i in $(seq 1 "$rounds"); do
  for side in before after; do
    root=$here
    [ "$side" = before ] && root=$before
    cg=$base/grader-cpu-ab-$$-$i-$side
    mkdir "$cg"
    out=$(cd "$root" && bash -c "echo \$\$ > '$cg/cgroup.procs'; exec env PYTHONPATH='$root' python3 bench/run.py $*" 2>&1) || true
    us=$(usage "$cg")
    rate=$(echo "$out" | grep 'fork (default)' | awk -F'|' '{gsub(/ /, "", $6); print $6}')
    echo "round $i $side ($( [ "$side" = before ] && echo "$ref" || echo checkout )): CPU $(( us / 1000 )) ms, ${rate:-?} notebooks/min"
    rmdir "$cg" 2>/dev/null || true
  done
done
