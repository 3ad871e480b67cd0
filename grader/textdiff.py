"""Word-by-word differences whose cost a student cannot blow up.

difflib's SequenceMatcher (without its junk heuristic, which drops common words) takes time
cubic in the words an answer repeats: a ninth review froze the grading app with 25,000 copies of
one word (one request ran for minutes; eight such held every server thread). rapidfuzz computes
the same kind of alignment (a longest common subsequence) bit-parallel in C++, and only the
first ``MAX_WORDS`` words of each side are compared; the rest is the caller's to show as text.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rapidfuzz.distance import Indel

MAX_WORDS = 20_000      # about 100,000 characters; written answers are a few hundred words


class Op(NamedTuple):
    tag: str            # "equal", "delete", "insert" or "replace" (both sides changed)
    i1: int
    i2: int
    j1: int
    j2: int


def word_ops(a: Sequence[str], b: Sequence[str]) -> list[Op]:
    """How ``b`` differs from ``a`` (both cut to ``MAX_WORDS``), as difflib's opcodes: runs of
    equal words and, between them, one change that removes and/or adds words."""
    a, b = list(a[:MAX_WORDS]), list(b[:MAX_WORDS])
    ops: list[Op] = []
    pending: list[int] | None = None           # a change being gathered: [i1, i2, j1, j2]
    for o in Indel.opcodes(a, b):
        if o.tag == "equal":
            if pending:
                ops.append(_change(*pending))
                pending = None
            ops.append(Op("equal", o.src_start, o.src_end, o.dest_start, o.dest_end))
        elif pending is None:
            pending = [o.src_start, o.src_end, o.dest_start, o.dest_end]
        else:
            pending[1], pending[3] = o.src_end, o.dest_end
    if pending:
        ops.append(_change(*pending))
    return ops


def _change(i1: int, i2: int, j1: int, j2: int) -> Op:
    tag = "replace" if i2 > i1 and j2 > j1 else "delete" if i2 > i1 else "insert"
    return Op(tag, i1, i2, j1, j2)


def matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """Runs of equal words as (i, j, size), as difflib's get_matching_blocks (without its end marker)."""
    return [(o.i1, o.j1, o.i2 - o.i1) for o in word_ops(a, b) if o.tag == "equal"]
