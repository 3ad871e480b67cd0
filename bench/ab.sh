#!/usr/bin/env bash
# Side by side: alternate bench/run.py on an earlier commit and on this checkout, in one session.
# The machine's speed drifts between runs; only alternating runs compare two versions fairly.
#
#   bash bench/ab.sh db16e32 3 -n 200 --naive 0        # 3 rounds, before then after
#
# Each run uses that commit's own grader package and defaults (its worker count included) and this
# checkout's bench/run.py and corpus, so both grade the same notebooks and report the same figures.
set -euo pipefail
ref=${1:?usage: bench/ab.sh COMMIT ROUNDS [bench/run.py options]}
rounds=${2:?usage: bench/ab.sh COMMIT ROUNDS [bench/run.py options]}
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
before=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$before" >/dev/null 2>&1 || rm -rf "$before"' EXIT
git -C "$here" worktree add -q --detach "$before" "$ref"
cp "$here/bench/run.py" "$here/bench/corpus.py" "$before/bench/"
for i in $(seq 1 "$rounds"); do
  for side in before after; do
    root=$here
    [ "$side" = before ] && root=$before
    out=$(cd "$root" && PYTHONPATH="$root" python3 bench/run.py "$@" 2>&1) || true
    rate=$(echo "$out" | grep 'fork (default)' | awk -F'|' '{gsub(/ /, "", $6); gsub(/ /, "", $4); print $6 " notebooks/min, median " $4 " s"}')
    cpu=$(echo "$out" | grep -o '[0-9]* ms per notebook' || true)
    echo "round $i $side ($( [ "$side" = before ] && echo "$ref" || echo checkout )): $rate${cpu:+, $cpu}"
  done
done
