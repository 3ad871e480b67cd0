"""Manual grading of written answers: review sheets out, points back in.

``export`` writes one HTML sheet per written task with every student's answer rendered, and a
CSV to fill in; ``merge`` checks the filled CSV against the task maxima and writes the points
into each student's report and the summary. Unanswered tasks are already 0 and marked so.
"""
from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from .exports import load_reports
from .render import answer_html, page
from .report import atomic_write, checks_csv, write_summary
from .spec import Spec

COLUMNS = ["report", "file", "matr_number", "name", "task", "max_points", "points", "comment"]


def export(reports: Path, spec: Spec, out: Path | None = None) -> list[Path]:
    out = out or reports / "manual"
    results = load_reports(reports)
    tasks = [t for t in spec.tasks if t.kind == "manual"]
    written = []
    rows = []
    for task in tasks:
        parts = [f"<h1>{html.escape(task.title)} ({task.max_points:g} points)</h1>",
                 f"<p>{len(results)} submissions. Enter points in <code>manual_grades.csv</code>, then run "
                 f"<code>grader manual merge manual_grades.csv</code>.</p>"]
        for key, r in sorted(results.items(), key=lambda kv: kv[1].file):
            check = next((c for c in r.checks if c.task == task.id), None)
            if check is None:
                continue
            who = f"{html.escape(r.name or '?')} ({html.escape(r.matr_number or '?')}) — {html.escape(r.file)}"
            if check.answer is None:
                body = f'<p class="fail">{html.escape(check.message)} — already 0 points</p>'
                rows.append([key, r.file, r.matr_number, r.name, task.id, f"{task.max_points:g}",
                             f"{check.points or 0:g}", "unanswered"])
            else:
                body = f'<div class="answer">{answer_html(check.answer)}</div>'
                graded = "" if check.points is None else f"{check.points:g}"
                rows.append([key, r.file, r.matr_number, r.name, task.id, f"{task.max_points:g}", graded, ""])
            parts.append(f'<section id="{html.escape(key)}"><h3>{who}</h3>{body}</section>')
        path = out / f"{task.id}.html"
        atomic_write(path, page(task.title, "\n".join(parts)))
        written.append(path)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    w.writerows(rows)
    csv_path = out / "manual_grades.csv"
    atomic_write(csv_path, buf.getvalue())
    return [*written, csv_path]


class MergeError(Exception):
    pass


def merge(csv_path: Path, reports: Path, spec: Spec) -> tuple[int, int]:
    """Merge points; all-or-nothing: any bad row stops the merge before anything is written.

    Returns (rows merged, rows left blank).
    """
    results = load_reports(reports)
    maxima = {t.id: t.max_points for t in spec.tasks if t.kind == "manual"}
    problems, updates, blank = [], [], 0
    with open(csv_path, newline="", encoding="utf-8-sig") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            key, task, raw = row.get("report", ""), row.get("task", ""), (row.get("points") or "").strip()
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
            updates.append((key, task, pts, (row.get("comment") or "").strip()))
    if problems:
        raise MergeError("\n".join(problems))
    for key, task, pts, comment in updates:
        r = results[key]
        for c in r.checks:
            if c.task == task:
                c.points, c.passed = pts, pts >= c.max_points
                c.message = f"graded by a TA: {pts:g}/{c.max_points:g}" + (f" — {comment}" if comment else "")
    import json
    for key in {u[0] for u in updates}:
        atomic_write(reports / f"{key}.json", json.dumps(results[key].to_dict(), indent=1, ensure_ascii=False))
        atomic_write(reports / f"{key}.csv", checks_csv(results[key]))
    write_summary(reports, list(results.values()), spec)
    return len(updates), blank
