#!/usr/bin/env bash
# `grader check` from a cold start, side by side: an earlier commit and this checkout, alternating,
# each with its own grader package, on the same notebook and the same student bundle.
#
#   bash bench/check_ab.sh 4bf3023 5                   # 5 rounds, before then after
#   bash bench/check_ab.sh 4bf3023 5 --checkout        # from the course checkout (no bundle)
#
# A cold start is a fresh process: nothing of an earlier check is kept (no daemon, no cache);
# the files are in the page cache, as on a student's laptop after the first run.
set -euo pipefail
ref=${1:?usage: bench/check_ab.sh COMMIT ROUNDS [--checkout]}
rounds=${2:?usage: bench/check_ab.sh COMMIT ROUNDS [--checkout]}
mode=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
nb="$here/submissions/Assignment_7_JaneDoe_k12345678.ipynb"
before=$(mktemp -d)
bundle=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$before" >/dev/null 2>&1 || rm -rf "$before"; rm -rf "$bundle"' EXIT
git -C "$here" worktree add -q --detach "$before" "$ref"
spec=()
if [ "$mode" != --checkout ]; then
  (cd "$here" && PYTHONPATH="$here" python3 -m grader release --bundle "$bundle/s" >/dev/null)
  spec=(--spec "$bundle/s")
fi
for i in $(seq 1 "$rounds"); do
  for side in before after; do
    root=$here
    [ "$side" = before ] && root=$before
    t0=$(date +%s.%N)
    (cd "$root" && PYTHONPATH="$root" python3 -m grader check "${spec[@]}" "$nb" >/dev/null 2>&1) || true
    t1=$(date +%s.%N)
    printf 'round %s %-6s (%s): %.2f s\n' "$i" "$side" "$([ "$side" = before ] && echo "$ref" || echo checkout)" \
      "$(echo "$t1 - $t0" | bc)"
  done
done
