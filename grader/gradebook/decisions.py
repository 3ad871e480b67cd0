"""Apply the TAs' decisions to the automatic results: what every output is rendered from.

A written answer's check gets the points of its grade (rubric items as they count now, the
adjustment, the rubric's start), the TA, the comment and the items the student received; a
grade given to another version of the answer is kept and marked ``stale`` ("answer changed
since graded"). An overridden automatic check gets the TA's points and keeps the automatic
points and the reason beside them, so the student's feedback shows both.
"""
from __future__ import annotations

from ..results import CheckResult, Review, RubricMark, SubmissionResult
from .models import Grade, Override, Rubric
from .store import Gradebook, answer_sha


def review_of(grade: Grade, rubric: Rubric, current_sha: str) -> Review:
    items = [RubricMark(i.description, i.points, i.feedback) for i in rubric.items if i.id in set(grade.items)]
    return Review(ta=grade.ta, at=grade.at, comment=grade.comment, items=items, adjust=grade.adjust,
                  stale=grade.answer_sha != current_sha)


def graded_message(points: float, max_points: float, review: Review) -> str:
    msg = f"graded by a TA: {points:g}/{max_points:g}"
    if review.comment:
        msg += f" — {review.comment}"
    if review.stale:
        msg += " (answer changed since graded; kept until a TA looks again)"
    return msg


# Said of a written answer a TA graded that a resubmission left empty; the batch's console line
# finds it by these words too.
KEPT_ASIDE = "a TA's grade for an earlier answer is kept in the gradebook; it counts again if that answer comes back"


def apply(result: SubmissionResult, grades: dict[str, Grade], overrides: dict[tuple[str, str], Override],
          rubrics: dict[str, Rubric]) -> SubmissionResult:
    """``grades`` by task and ``overrides`` by (task, check) of this one submission."""
    checks = []
    for c in result.checks:
        c = CheckResult(**{k: getattr(c, k) for k in CheckResult.__dataclass_fields__})
        grade = grades.get(c.task) if c.manual_task and c.check == "answer" else None
        if grade is not None and c.answer is None and grade.answer_sha:
            # The answer is gone from the notebook as it is now (a resubmission left the
            # placeholder): the grade stays in the gradebook, and counts again if that answer
            # comes back, but an answer that is not there earns nothing (a twenty-sixth review:
            # the points stayed, and the copied text they were given for left the similarity view).
            c.message = f"{c.message} ({KEPT_ASIDE})"
            grade = None
        if grade is not None and c.answer is not None:
            rubric = rubrics.get(c.task) or Rubric(c.task, "zero", ())
            review = review_of(grade, rubric, c.answer_sha or answer_sha(c.answer))
            c.points = rubric.score(grade.items, grade.adjust, c.max_points)
            c.passed = c.points >= c.max_points
            c.message = graded_message(c.points, c.max_points, review)
            c.review = review
        ov = overrides.get((c.task, c.check))
        # Given for another notebook than the one graded now (an eighty-first review: a resubmitted
        # wrong answer kept the points a TA had accepted for the earlier one, and no one was told).
        earlier = bool(ov is not None and ov.file_sha and result.sha256 and ov.file_sha != result.sha256)
        if ov is not None and earlier and c.points is not None and c.points >= ov.points >= (ov.auto_points or 0):
            ov = None          # the new notebook earns at least what the TA granted: nothing left to decide
        if ov is not None:
            auto = c.points
            c.review = Review(ta=ov.ta, at=ov.at, auto_points=auto, reason=ov.reason,
                              stale=ov.auto_points != auto or earlier, earlier=earlier)
            c.points = min(c.max_points, max(0.0, ov.points))
            c.passed = c.points >= c.max_points
            c.message = (f"{c.message} — points changed by a TA from {0 if auto is None else auto:g} to "
                         f"{c.points:g}/{c.max_points:g}: {ov.reason}"
                         + (" (given for an earlier notebook: kept until a TA looks again)" if earlier else ""))
        checks.append(c)
    result.checks = checks
    # Said in every file the result goes to (summary.csv, gradebook.csv, Gradescope), not only on the
    # console and the pages (an eighty-fourth review: a total of 85 read as final).
    if any(c.review is not None and c.review.earlier for c in checks) and EARLIER not in result.flags:
        result.flags = [*result.flags, EARLIER]
    return result


EARLIER = "override-earlier"


def results(gb: Gradebook, keys=None, pictures: bool = True) -> dict[str, SubmissionResult]:
    """Every submission (or those of ``keys``) with the TAs' decisions applied, by report key
    (``pictures``: see Gradebook.automatic)."""
    auto = gb.automatic(keys, pictures=pictures)
    grades: dict[str, dict[str, Grade]] = {}
    for (key, task), g in gb.grades(keys=keys).items():
        grades.setdefault(key, {})[task] = g
    overrides: dict[str, dict[tuple[str, str], Override]] = {}
    for (key, task, check), o in gb.overrides(keys=keys).items():
        overrides.setdefault(key, {})[(task, check)] = o
    tasks = {c.task for r in auto.values() for c in r.checks if c.manual_task}
    rubrics = {t: gb.rubric(t) for t in tasks}
    chosen = gb.choices()
    out = {key: apply(r, grades.get(key, {}), overrides.get(key, {}), rubrics) for key, r in auto.items()}
    for r in out.values():
        choice = chosen.get(r.participant_id) if r.participant_id else None
        r.chosen_by = choice.ta if choice is not None and choice.key == r.key else ""
    return out
