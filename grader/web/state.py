"""What the grading app keeps between requests: the gradebook, the spec, who has which answer
open, and the view models the pages are built from.

Which answers are open in whose browser is kept in memory only (it is a hint for "next
ungraded", so that two TAs on one task rarely meet; the gradebook's versions are what prevents
an overwrite). Every number a page shows is read from the gradebook at request time.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..gradebook import Grade, Gradebook
from ..gradebook import groups as grouping
from ..gradebook.models import Answer, Rubric
from ..gradebook.queue import MODES, needs_grading, next_ungraded, order, position
from ..render import answer_html
from .question import reference
from ..checks.manual import unfinished
from ..results import SubmissionResult
from ..spec import Spec, Task

CLAIM_SECONDS = 600


class Claims:
    """(task, key) -> {ta: last time the TA opened the answer}."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], dict[str, float]] = {}
        self._lock = threading.Lock()

    def touch(self, task: str, key: str, ta: str) -> None:
        """The TA has this answer open, and no longer the one of the task they had before: a TA
        paging through with j kept every answer they looked at "open" for ten minutes, and n skipped
        them for everyone else (a hundred-and-twentieth review)."""
        with self._lock:
            for (t, k), who in self._open.items():
                if t == task and k != key:
                    who.pop(ta, None)
            self._open.setdefault((task, key), {})[ta] = time.monotonic()

    def others(self, task: str, key: str, ta: str) -> list[str]:
        cutoff = time.monotonic() - CLAIM_SECONDS
        with self._lock:
            return sorted(t for t, at in self._open.get((task, key), {}).items() if t != ta and at > cutoff)

    def taken(self, task: str, ta: str) -> set[str]:
        """Answers of ``task`` open in another TA's browser."""
        cutoff = time.monotonic() - CLAIM_SECONDS
        with self._lock:
            return {k for (t, k), who in self._open.items()
                    if t == task and any(x != ta and at > cutoff for x, at in who.items())}


class Prefetch:
    """Renders the answers a TA will open next while they read this one (markdown and formulas
    cost a few milliseconds per answer; cached, the page is ready when they press n or j)."""

    def __init__(self) -> None:
        self._queue: "queue.Queue[str]" = queue.Queue(maxsize=64)
        threading.Thread(target=self._run, name="prefetch", daemon=True).start()

    def add(self, texts) -> None:
        for t in texts:
            try:
                self._queue.put_nowait(t)
            except queue.Full:
                return

    def _run(self) -> None:
        while True:
            text = self._queue.get()
            try:
                answer_html(text)
            except Exception:  # noqa: BLE001 - a page renders it again and shows any problem
                pass


@dataclass
class Base:
    """What every view of a task is built from, as of change ``head`` of the gradebook."""
    head: int
    answers: dict[str, Answer]
    by_sid: dict[int, Answer]
    grades: dict[str, Grade]
    rubric: Rubric
    groups: list[grouping.Group]
    group_of: dict[str, int]
    orders: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    graded: int = -1

    def __post_init__(self) -> None:
        if self.graded < 0:
            self.graded = sum(1 for k, a in self.answers.items() if not needs_grading(a, self.grades.get(k)))


class TaskCache:
    """Task views kept between requests and brought up to date from the history.

    The history is the gradebook's change log: when the only changes since the cached view are
    grades (the common case while TAs grade), they are applied to a copy of the view; anything
    else (a regrade, a rubric edit, a split) rebuilds it. So "next answer" costs a few small
    queries, not a read of every answer, and it is right also when another process wrote.
    """

    def __init__(self) -> None:
        self._bases: dict[str, Base] = {}
        self._lock = threading.Lock()

    def base(self, gb: Gradebook, task: str) -> Base:
        head = gb.head()
        with self._lock:
            base = self._bases.get(task)
            if base is not None and base.head != head:
                base = self._advance(gb, base, task, head)
            if base is None:
                base = self._build(gb, task, head)
            self._bases[task] = base
            return base

    @staticmethod
    def _build(gb: Gradebook, task: str, head: int) -> Base:
        # Without their photos: a task's answers are held while the app runs (a seventy-third
        # review: a class's photos at once took a grader process past 300 MB); a page reads its one.
        answers = {a.key: a for a in gb.answers(task, pictures=False)}
        groups = grouping.groups(gb, task, answers=list(answers.values()))
        head = max(head, gb.head())
        return Base(head, answers, {a.sid: a for a in answers.values()},
                    {k: g for (k, _), g in gb.grades(task).items()}, gb.rubric(task), groups,
                    {k: g.id for g in groups for k in g.members})

    @staticmethod
    def _advance(gb: Gradebook, base: Base, task: str, head: int) -> Base | None:
        rows = gb.history_since(base.head)
        grades = dict(base.grades)
        for entity, ident, after in rows:
            if entity in ("assignment", "override"):
                continue                       # read fresh where they matter
            if entity != "grade":
                return None                    # a regrade, rubric or group change: rebuild
            key, t = ident
            if t != task:
                continue
            if after is None:
                grades.pop(key, None)
            else:
                grades[key] = gb.grade_of(after)
        return Base(head, base.answers, base.by_sid, grades, base.rubric, base.groups, base.group_of, base.orders)


@dataclass
class State:
    gb: Gradebook
    spec: Spec
    reports: Path
    seed: int
    renderer: Any = None
    claims: Claims = field(default_factory=Claims)
    cache: TaskCache = field(default_factory=TaskCache)
    prefetch: Prefetch = field(default_factory=Prefetch)
    signed_in: set = field(default_factory=set)      # names typed on the sign-in page since start

    def manual_tasks(self) -> list[Task]:
        return [t for t in self.spec.tasks if t.kind == "manual"]

    def task(self, task_id: str) -> Task | None:
        return next((t for t in self.manual_tasks() if t.id == task_id), None)

    def changed(self, keys=None) -> None:
        if self.renderer is not None:
            self.renderer.changed(keys)

    @property
    def similarity(self) -> Path | None:
        d = self.reports / "similarity"
        return d if d.is_dir() else None


@dataclass
class TaskView:
    """Everything about one task that the pages of one request need."""
    task: Task
    answers: dict[str, Answer]
    by_sid: dict[int, Answer]
    grades: dict[str, Grade]
    rubric: Rubric
    groups: list[grouping.Group]
    group_of: dict[str, int]
    keys: list[str]                       # in this TA's order
    graded: int = 0

    def points(self, key: str) -> float | None:
        g = self.grades.get(key)
        return None if g is None else self.rubric.score(g.items, g.adjust, self.answers[key].max_points)

    def state(self, key: str) -> str:
        g = self.grades.get(key)
        if g is None:
            return "waiting"
        return "graded" if g.answer_sha == self.answers[key].sha else "changed"

def task_view(st: State, task: Task, ta: str, mode: str) -> TaskView:
    base = st.cache.base(st.gb, task.id)
    mode = mode if mode in MODES else "shuffle"
    keys = base.orders.get((ta, mode))
    if keys is None:
        keys = base.orders[(ta, mode)] = order(list(base.answers.values()), base.groups, ta, task.id, mode, st.seed)
    return TaskView(task, base.answers, base.by_sid, base.grades, base.rubric, base.groups, base.group_of, keys,
                    base.graded)


def whole_text(gb: Gradebook, answer: Answer) -> str:
    """An answer with its photos (the task's answers are held without them)."""
    if "[image " not in answer.text:
        return answer.text
    whole = gb.answer(answer.task, answer.key)
    return whole.text if whole is not None else answer.text


def upcoming(tv: TaskView, key: str, n: int = 3) -> list[str]:
    """Texts of the answers this TA is likely to open next: the neighbours and the next ones
    that need grading."""
    i = tv.keys.index(key)
    out = [tv.keys[j] for j in (i - 1, i + 1) if 0 <= j < len(tv.keys)]
    for k in tv.keys[i + 1:]:
        if len(out) >= n + 2:
            break
        if needs_grading(tv.answers[k], tv.grades.get(k)) and k not in out:
            out.append(k)
    return [tv.answers[k].text for k in out if "[image " not in tv.answers[k].text]   # photos: not cached


def next_for(st: State, tv: TaskView, ta: str, after: str | None) -> str | None:
    return next_ungraded(tv.keys, after, tv.answers, tv.grades, ta, tv.task.id, tv.group_of, st.gb.assignments(),
                         st.claims.taken(tv.task.id, ta))


def identity(r: SubmissionResult) -> dict[str, str]:
    return {"name": r.participant or r.name or "", "matr": r.matr_number or "", "file": r.file or "",
            "key": r.key}


def redact(text: str, r: SubmissionResult) -> str:
    """A message without the student's name, number or file name (anonymous grading)."""
    for word in sorted({r.participant, r.name, r.matr_number, r.file, r.key, r.path,
                        *(r.participant or "").split(), *(r.file or "").rsplit(".", 1)[:1]}, key=len, reverse=True):
        if word and len(word) >= 3:
            text = text.replace(word, "•••")
    return text


@lru_cache(maxsize=4096)
def _diff(rep: str, text: str) -> str:
    return grouping.diff_html(rep, text)


def _since_graded(gb, grade, answer) -> str:
    """How a resubmitted answer differs from the text its grade was given to (a ninetieth review:
    the banner said "changed" and the TA could not see what). '' where that text was not kept (an
    answer with pictures, or graded before the gradebook kept texts)."""
    old = gb.answer_text(grade.answer_sha) if grade is not None and grade.answer_sha else None
    return "" if old is None else grouping.diff_html(old, answer.text)


def _several(gb, result: SubmissionResult, key: str, anon: bool) -> str:
    """One of a participant's several notebooks: which counts and why (a TA's review graded both
    of Lea's answers without a word of it); without file names when names are hidden."""
    keys = gb.keys_of_participant(result.participant_id)
    if len(keys) < 2:
        return ""
    from ..gradebook.decisions import results as decided
    from ..identity import counting
    choice = counting(decided(gb, keys, pictures=False).values()).get(key)
    if choice is None:
        return ""
    if not anon:
        return choice.about(key)
    so_far = "" if choice.chosen_by else " so far"
    return (f"One of {len(keys)} notebooks of this participant; this one counts{so_far}." if choice.counts(key) else
            f"One of {len(keys)} notebooks of this participant; another one counts{so_far}.")


def _reference(st: State, task: Task):
    """The task's question and model answer, from the assignment's own notebooks."""
    def path(key: str):
        try:
            return st.spec.file(key) if key in st.spec.assignment else None
        except (OSError, TypeError, ValueError):
            return None
    return reference(path("template"), path("solution"), str(task.cfg.get("cell", "")))


def grading_view(st: State, tv: TaskView, answer: Answer, ta: str, anon: bool) -> dict[str, Any]:
    """The data of the grading page for one answer."""
    gb = st.gb
    key = answer.key
    st.claims.touch(tv.task.id, key, ta)
    pos = position(tv.keys, key)
    grade = tv.grades.get(key)
    gid = tv.group_of.get(key)
    group = next((g for g in tv.groups if g.id == gid), None)
    rep = tv.answers.get(group.rep_key) if group else None
    result = gb.automatic([key], pictures=False)[key]
    overrides = {(t, c): o for (_, t, c), o in gb.overrides(key).items()}
    assignments = gb.assignments()
    checks = []
    for c in result.checks:
        if c.manual_task or (anon and c.task == "filename"):
            continue
        o = overrides.get((c.task, c.check))
        checks.append(dict(task=c.task, check=c.check, max=c.max_points, points=c.points, passed=c.passed,
                           message=redact(c.message, result) if anon else c.message, override=o))
    graded_in_group = sum(1 for k in (group.members if group else ()) if tv.state(k) == "graded")
    several = _several(gb, result, key, anon)
    shown_items = [i for i in tv.rubric.items]
    return dict(
        task=tv.task, answer=answer, html=answer_html(whole_text(gb, answer)), pos=pos,
        reference=_reference(st, tv.task),
        looks_empty=f"This answer looks unfinished: {why}." if (why := unfinished(answer.text)) else "",
        prev=tv.answers[pos.prev_key].sid if pos.prev_key else None,
        next=tv.answers[pos.next_key].sid if pos.next_key else None,
        grade=grade, points=tv.points(key), state=tv.state(key), rubric=tv.rubric, rubric_items=shown_items,
        group=group, group_index=next((i for i, g in enumerate(tv.groups) if g.id == gid), 0) + 1,
        groups_total=len(tv.groups), graded_in_group=graded_in_group,
        rep=rep, is_rep=rep is not None and rep.key == key,
        diff=_diff(rep.text, answer.text) if rep is not None and rep.key != key else "",
        since_graded=_since_graded(gb, grade, answer) if tv.state(key) == "changed" else "",
        same_as_rep=rep is not None and grouping.form(rep.text) == grouping.form(answer.text),
        checks=checks, flags=[f for f in result.flags if not f.startswith("note:")] if not anon else
        [f for f in result.flags if f not in ("filename", "name-mismatch") and not f.startswith("note:")],
        who=None if anon else identity(result), status=result.status,
        # With the TAs' overrides, as every report counts them (a TA's review: the heading kept 30
        # beside a check overridden to 4 and a summary that said 34).
        auto_points=result.auto_points + sum(o.points - (c.points or 0) for c in result.checks if not c.manual_task
                                             and (o := overrides.get((c.task, c.check))) is not None),
        auto_max=result.auto_max, others=st.claims.others(tv.task.id, key, ta), graded=tv.graded, several=several,
        file_sha=result.sha256,
        total=len(tv.answers), assigned=sorted(assignments.get((tv.task.id, gid or -1), set())
                                               | assignments.get((tv.task.id, 0), set())),
    )
