"""Manual grading without the browser: review sheets out, points back in, through the gradebook.

``export`` writes one HTML sheet per written task with every student's answer rendered (and the
grade it has so far), and a CSV to fill in; ``merge`` checks the filled CSV against the task
maxima and stores the points as grades in the gradebook (all or nothing, one undoable change),
then the reports are rendered again. Unanswered tasks are already 0 and marked so. The browser
(``grader serve``) is the faster way; both write the same gradebook.
"""
from __future__ import annotations

import csv
import getpass
import html
import os
from pathlib import Path

from .csvsafe import to_csv, uncell
from .gradebook import open_gradebook
from .gradebook.decisions import results as decided
from .gradebook.outputs import write_reports
from .render import answer_html, page
from .report import atomic_write
from .spec import Spec

COLUMNS = ["report", "file", "matr_number", "name", "task", "max_points", "points", "comment"]


def export(reports: Path, spec: Spec, out: Path | None = None) -> list[Path]:
    out = out or reports / "manual"
    gb = open_gradebook(reports)
    try:
        results = decided(gb)
    finally:
        gb.close()
    tasks = [t for t in spec.tasks if t.kind == "manual"]
    written = []
    rows = []
    for task in tasks:
        parts = [f"<h1>{html.escape(task.title)} ({task.max_points:g} points)</h1>",
                 f"<p>{len(results)} submissions. Enter points in <code>manual_grades.csv</code>, then run "
                 f"<code>grader manual merge {html.escape(str(out / 'manual_grades.csv'))}</code> — or grade in "
                 f"the browser with <code>grader serve</code>.</p>"]
        for key, r in sorted(results.items(), key=lambda kv: (kv[1].file, kv[0])):
            check = next((c for c in r.checks if c.task == task.id and c.manual_task), None)
            if check is None:
                continue
            who = f"{html.escape(r.name or r.participant or '?')} ({html.escape(r.matr_number or '?')}) — {html.escape(r.file)}"
            if check.answer is None:
                body = f'<p class="fail">{html.escape(check.message)} — already 0 points</p>'
                rows.append([key, r.file, r.matr_number, r.name, task.id, task.max_points, check.points or 0.0,
                             "unanswered"])
            else:
                graded = "" if check.points is None else f'<p class="manual">{html.escape(check.message)}</p>'
                body = f'<div class="answer">{answer_html(check.answer)}</div>{graded}'
                comment = check.review.comment if check.review else ""
                rows.append([key, r.file, r.matr_number, r.name, task.id, task.max_points, check.points, comment])
            parts.append(f'<section id="{html.escape(key)}"><h3>{who}</h3>{body}</section>')
        path = out / f"{task.id}.html"
        atomic_write(path, page(task.title, "\n".join(parts)))
        written.append(path)
    csv_path = out / "manual_grades.csv"
    atomic_write(csv_path, to_csv(COLUMNS, rows))
    return [*written, csv_path]


class MergeError(Exception):
    pass


def who() -> str:
    """The TA recorded with grades merged from a CSV."""
    try:
        return os.environ.get("GRADER_TA") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this system
        return "csv"


def merge(csv_path: Path, reports: Path, spec: Spec, ta: str | None = None) -> tuple[int, int]:
    """Merge points; all-or-nothing: any bad row stops the merge before anything is written.

    Returns (rows merged, rows left blank). Points become grades in the gradebook: rubric
    items a TA gave in the browser are kept and an adjustment makes the total the CSV's points.
    """
    ta = ta or who()
    gb = open_gradebook(reports)
    try:
        return _merge(gb, csv_path, reports, spec, ta)
    finally:
        gb.close()


def _merge(gb, csv_path: Path, reports: Path, spec: Spec, ta: str) -> tuple[int, int]:
    results = decided(gb)
    maxima = {t.id: t.max_points for t in spec.tasks if t.kind == "manual"}
    problems, updates, blank = [], [], 0
    with open(csv_path, newline="", encoding="utf-8-sig") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            key, task = uncell(row.get("report")), uncell(row.get("task"))
            raw = (row.get("points") or "").strip()
            if key not in results:
                problems.append(f"line {n}: no report '{key}' in {reports}")
                continue
            if task not in maxima:
                problems.append(f"line {n}: '{task}' is not a manually graded task ({', '.join(maxima)})")
                continue
            if not raw:
                blank += 1
                continue
            try:
                pts = float(raw.replace(",", "."))
            except ValueError:
                problems.append(f"line {n}: points '{raw}' is not a number")
                continue
            if not 0 <= pts <= maxima[task]:
                problems.append(f"line {n}: {pts:g} points for {task} is outside 0..{maxima[task]:g}")
                continue
            check = next((c for c in results[key].checks if c.task == task and c.manual_task), None)
            if check is None or check.answer is None:
                if pts != (check.points if check else 0):
                    problems.append(f"line {n}: {task} of '{key}' was not answered (0 points); points for it are "
                                    f"an override with a reason in grader serve")
                continue
            updates.append((key, task, pts, uncell(row.get("comment")).strip()))
    if problems:
        raise MergeError("\n".join(problems))
    with gb.change(ta, "merge", f"grades merged from {csv_path.name}") as ch:
        for key, task, pts, comment in updates:
            cur = gb.grade(key, task)
            rubric = gb.rubric(task)
            items = cur.items if cur else ()
            raw = (maxima[task] if rubric.start == "max" else 0.0) + sum(
                i.points for i in rubric.items if i.id in set(items))
            gb.set_grade(key, task, items=items, adjust=round(pts - raw, 4), comment=comment, ta=ta, change=ch)
    write_reports(gb, reports, spec)
    return len(updates), blank
