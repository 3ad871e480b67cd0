"""First use of a report folder written before the gradebook existed: import it.

Each ``<key>.json`` becomes a submission with its automatic result. Manual points merged into
the JSON by ``grader manual merge`` (message "graded by a TA: ...") become grades (recorded as
imported, comment kept); a JSON this version rendered carries its reviews (rubric items,
overrides), which are restored as they were, so deleting the gradebook and importing the folder
again loses no TA decision that reached the files.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..report import load_result
from ..results import SubmissionResult
from .store import Gradebook, answer_sha

GRADED = re.compile(r"^graded by a TA: (?P<p>[-\d.]+)/[-\d.]+(?: — (?P<comment>.*?))?"
                    r"(?: \(answer changed since graded; kept until a TA looks again\))?$", re.S)
OVERRIDDEN = re.compile(r" — points changed by a TA from [-\d.]+ to [-\d.]+/[-\d.]+: .*$", re.S)


def report_files(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.glob("*.json")) if not p.name.startswith(".")]


def _automatic(r: SubmissionResult) -> tuple[SubmissionResult, list[tuple], list[tuple]]:
    """Split a rendered result into the automatic one, its grades and its overrides."""
    grades, overrides = [], []
    for c in r.checks:
        review = c.review
        if review is not None and review.auto_points is None and review.reason == "" and c.manual_task:
            grades.append((c.task, c.points, review))
            c.points, c.passed, c.message = None, None, "answered; needs manual grading by a TA"
        elif review is not None and review.reason:
            overrides.append((c.task, c.check, c.points, review))
            c.points = review.auto_points
            c.passed = None if c.points is None else c.points >= c.max_points
            c.message = OVERRIDDEN.sub("", c.message)
        elif c.manual_task and c.answer is not None and c.points is not None:
            m = GRADED.match(c.message or "")
            grades.append((c.task, c.points, m["comment"] if m and m["comment"] else ""))
            c.points, c.passed, c.message = None, None, "answered; needs manual grading by a TA"
        c.review = None
    return r, grades, overrides


def import_folder(gb: Gradebook, folder: Path) -> int:
    """Import every report JSON of ``folder``; returns how many submissions were imported."""
    n = 0
    for path in report_files(folder):
        r = load_result(path)
        if r is None or not r.checks:
            continue
        key = r.key or path.stem
        r.key = key
        r, grades, overrides = _automatic(r)
        gb.store_result(r, key, ta="import", action="import")
        answers = {c.task: c.answer for c in r.checks if c.manual_task}
        for task, points, review in grades:
            sha = answer_sha(answers.get(task))
            if isinstance(review, str) or review is None:
                gb.set_grade(key, task, adjust=points or 0.0, comment=review or "", ta="import",
                             answer_sha_=sha, action="import")
                continue
            rubric = gb.rubric(task)
            ids = []
            for mark in review.items:
                item = next((i for i in rubric.items if i.description == mark.description), None)
                if item is None:
                    item = gb.add_item(task, mark.points, mark.description, mark.feedback, "import")
                    rubric = gb.rubric(task)
                ids.append(item.id)
            # The imported points are what the student saw: the adjustment makes them exact.
            score = rubric.score(ids, review.adjust, next(c.max_points for c in r.checks if c.task == task))
            adjust = review.adjust + ((points or 0.0) - score)
            gb.set_grade(key, task, items=ids, adjust=adjust, comment=review.comment, ta=review.ta or "import",
                         answer_sha_=sha if not review.stale else "imported-stale", action="import")
        for task, check, points, review in overrides:
            gb.set_override(key, task, check, points or 0.0, review.reason, review.ta or "import")
        n += 1
    gb.set_meta("imported_from", str(folder))
    return n
