#!/usr/bin/env bash
# Side by side: alternate bench/run.py on an earlier commit and on this checkout, in one session.
# The machine's speed drifts between runs; only alternating runs compare two versions fairly.
#
#   bash bench/ab.sh db16e32 3 -n 200 --naive 0        # 3 rounds, before then after
#
# Each run uses that commit's own grader package and defaults (its worker count included) and this
# checkout's bench/run.py and corpus, so both grade the same notebooks and report the same figures.
#
# AB_CPU=1 also counts the CPU each whole run takes (grader, workers, jobs) in a cgroup of its own
# (root; cgroup v1 cpuacct or v2): notebooks a minute move by several per cent between two runs of
# one commit on a shared machine, the CPU a run takes much less.
#
#   sudo AB_CPU=1 bash bench/ab.sh eef6438 3 -n 150 --naive 0 --hostile 0
set -euo pipefail
ref=${1:?usage: bench/ab.sh COMMIT ROUNDS [bench/run.py options]}
rounds=${2:?usage: bench/ab.sh COMMIT ROUNDS [bench/run.py options]}
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
before=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$before" >/dev/null 2>&1 || rm -rf "$before"' EXIT
git -C "$here" worktree add -q --detach "$before" "$ref"
cp "$here/bench/run.py" "$here/bench/corpus.py" "$before/bench/"
cg_base=""
if [ -n "${AB_CPU:-}" ]; then
  if [ -d /sys/fs/cgroup/cpuacct ]; then cg_base=/sys/fs/cgroup/cpuacct; usage() { echo $(( $(cat "$1/cpuacct.usage") / 1000 )); }
  elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then cg_base=/sys/fs/cgroup; usage() { awk '/^usage_usec/ {print $2}' "$1/cpu.stat"; }
  else echo "AB_CPU: no cgroup to count CPU in" >&2; exit 2; fi
fi
for i in $(seq 1 "$rounds"); do
  for side in before after; do
    root=$here
    [ "$side" = before ] && root=$before
    if [ -n "$cg_base" ]; then
      cg=$cg_base/grader-ab-$$-$i-$side
      mkdir "$cg"
      out=$(cd "$root" && CG="$cg" PYTHONPATH="$root" bash -c 'echo $$ > "$CG/cgroup.procs"; exec python3 bench/run.py "$@"' ab "$@" 2>&1) || true
      echo "round $i $side: whole run CPU $(( $(usage "$cg") / 1000 )) ms"
      rmdir "$cg" 2>/dev/null || true
    else
      out=$(cd "$root" && PYTHONPATH="$root" python3 bench/run.py "$@" 2>&1) || true
    fi
    rate=$(echo "$out" | grep 'fork (default)' | awk -F'|' '{gsub(/ /, "", $6); gsub(/ /, "", $4); print $6 " notebooks/min, median " $4 " s"}')
    cpu=$(echo "$out" | grep -o '[0-9]* ms per notebook' || true)
    echo "round $i $side ($( [ "$side" = before ] && echo "$ref" || echo checkout )): $rate${cpu:+, $cpu}"
  done
done
