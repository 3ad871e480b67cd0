"""The order a TA grades a task in, and "next ungraded".

Shuffled per TA with a fixed seed (against the bias of always reading the same students first
or last, and so that two TAs on one task start in different places), or by group, largest
first, so that a whole group is graded at once. An answer needs grading when it has no grade,
or its grade was given to another version of the answer (a resubmission).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from .groups import Group
from .models import Answer, Grade

MODES = ("shuffle", "group")


@dataclass(frozen=True)
class Position:
    index: int
    total: int
    prev_key: str | None
    next_key: str | None


def needs_grading(answer: Answer, grade: Grade | None) -> bool:
    return grade is None or grade.answer_sha != answer.sha


def order(answers: list[Answer], groups: list[Group], ta: str, task: str, mode: str, seed: int) -> list[str]:
    """Report keys of the task's answers in this TA's order."""
    keys = sorted(a.key for a in answers)
    if mode == "group":
        present = set(keys)
        out, seen = [], set()
        for g in groups:
            for k in g.members:
                if k in present and k not in seen:
                    out.append(k)
                    seen.add(k)
        return out + [k for k in keys if k not in seen]
    random.Random(f"{seed}|{ta}|{task}").shuffle(keys)
    return keys


def position(keys: list[str], key: str) -> Position:
    i = keys.index(key)
    return Position(i, len(keys), keys[i - 1] if i > 0 else None, keys[i + 1] if i + 1 < len(keys) else None)


def may_grade(ta: str, task: str, group_id: int | None, assignments: dict[tuple[str, int], set[str]]) -> bool:
    """Assigned groups go to their TAs; else an assigned task to its TAs; else to everyone."""
    if group_id is not None and assignments.get((task, group_id)):
        return ta in assignments[(task, group_id)]
    if assignments.get((task, 0)):
        return ta in assignments[(task, 0)]
    return True


def next_ungraded(keys: list[str], after: str | None, answers: dict[str, Answer], grades: dict[str, Grade],
                  ta: str, task: str, group_of: dict[str, int], assignments: dict[tuple[str, int], set[str]],
                  claimed_by_others: set[str]) -> str | None:
    """The first answer after ``after`` (wrapping round) that needs grading, is this TA's to
    grade, and is not open in another TA's browser; None when the TA's queue is empty."""
    start = keys.index(after) + 1 if after in keys else 0
    rotated = keys[start:] + keys[:start]
    for k in rotated:
        if k == after or not needs_grading(answers[k], grades.get(k)):
            continue
        if not may_grade(ta, task, group_of.get(k), assignments):
            continue
        if k in claimed_by_others:
            continue
        return k
    return None
