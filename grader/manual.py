"""Manual grading without the browser: review sheets out, points back in, through the gradebook.

``export`` writes one HTML sheet per written task with every student's answer rendered (and the
grade it has so far), and a CSV to fill in; ``merge`` checks the filled CSV against the task
maxima and stores the points as grades in the gradebook (all or nothing, one undoable change),
then the reports are rendered again. Unanswered tasks are already 0 and marked so. The browser
(``grader serve``) is the faster way; both write the same gradebook.

Nothing a TA typed is lost on the way:

- the CSV is read as a spreadsheet saves it: a BOM, ``;`` as the separator and Windows-1252 (Excel
  in a German locale), decimal commas; wrong columns, an empty file and two rows for one answer
  with different points are errors that name the line;
- each row carries the version of the grade it was exported with: a grade given in the browser
  after the export is never replaced by the sheet's older view of it;
- each row carries the sha256 of the answer the sheet showed: when a regrade stored a
  resubmitted answer after the export, the points are kept for the text the TA read (marked
  "answer changed since graded", as in the browser) and the new text waits for a TA;
- ``export`` never overwrites a sheet that holds points or comments not merged yet (it says
  which lines and how to go on); a sheet that only repeats the gradebook is rewritten.

The decisions (``read_sheet``, ``plan_merge``) are functions of the data; files and the gradebook
are only touched in ``export`` and ``merge``.
"""
from __future__ import annotations

import getpass
import html
import math
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

from .csvsafe import to_csv, uncell
from .gradebook import open_gradebook
from .gradebook.decisions import results as decided
from .gradebook.models import Grade
from .gradebook.store import answer_sha
from .gradebook.outputs import write_reports
from .identity import counting
from .answer_images import as_text
from .render import answer_html, page_parts
from .report import AtomicStream, ReportWriteError, atomic_write
from .results import SubmissionResult
from .spec import Spec
from .worksheet import decode, sniff, split_records

COLUMNS = ["report", "file", "matr_number", "name", "task", "max_points", "points", "comment", "version",
           "answer_sha", "answer"]
ANSWER_CHARS = 2000               # the answer's text in the sheet, to grade beside it (the page has it all)
UNANSWERED = "none"               # answer_sha of a row whose task had no answer when exported
_SHA = re.compile(r"[0-9a-f]{64}")
NEEDED = ("report", "task", "points")
SHEET = "manual_grades.csv"

# Photos of handwritten answers drawn into one sheet (a browser opens a page of this size).
SHEET_PICTURE_CHARS = 150_000_000


class MergeError(Exception):
    """Rows that cannot be merged, one line each; nothing was written."""


class ReportsNotRewritten(Exception):
    """The grades are stored in the gradebook; the files rendered from it could not be written (a
    hundred-and-ninety-first review: a read-only feedback folder ended the merge in a traceback
    that did not say the grades were kept)."""

    def __init__(self, merged: "Merged", reason: str):
        super().__init__(reason)
        self.merged = merged


class SheetError(ValueError):
    """The file is not a grading sheet (one line, saying what to do)."""


@dataclass(frozen=True)
class SheetRow:
    line: int                     # as a spreadsheet numbers it (the header is line 1)
    report: str
    task: str
    points: str                   # as typed
    comment: str
    version: str                  # the grade's version when exported ('' in hand-made sheets)
    answer: str = ""              # the sha256 of the answer shown, UNANSWERED, or '' (hand-made sheets)


@dataclass(frozen=True)
class Update:
    line: int
    key: str
    task: str
    points: float
    comment: str
    changes: bool                 # False: the gradebook holds exactly this already
    answer_sha: str | None = None # the text graded, when a resubmission replaced it after the export


@dataclass(frozen=True)
class Problem:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass
class MergePlan:
    updates: list[Update] = field(default_factory=list)
    blank: int = 0
    problems: list[Problem] = field(default_factory=list)
    comment_only: list[int] = field(default_factory=list)   # lines with a new comment but no points
    answered_since: int = 0       # rows skipped: their task got a new answer, not graded yet
    graded_since: int = 0         # rows skipped: their task got a new answer, graded since
    kept_since: int = 0           # rows as exported, of grades (or their items' points) changed since: left as they are

    @property
    def changes(self) -> list[Update]:
        return [u for u in self.updates if u.changes]

    @property
    def outdated(self) -> int:
        """Rows whose answer was replaced by a resubmission after the export and waits for a TA."""
        return self.answered_since + sum(1 for u in self.updates if u.answer_sha is not None)


def who() -> str:
    """The TA recorded with grades merged from a CSV."""
    try:
        return os.environ.get("GRADER_TA") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this system
        return "csv"


# ----------------------------------------------------------------------------- reading a sheet

def read_sheet(data: bytes, name: str = SHEET) -> list[SheetRow]:
    """The rows of a filled sheet, whatever spreadsheet saved it."""
    text, _, _ = decode(data)
    # Numbered before blank rows are dropped: a problem names the row the TA's spreadsheet shows.
    records = [(n, r) for n, r in enumerate(split_records(text, sniff(text.split("\n", 1)[0].split("\r", 1)[0],
                                                                      NEEDED)), start=1)
               if any(v.strip() for v in r.values)]
    if not records:
        raise SheetError(f"{name} is empty: fill in the 'points' column of the {SHEET} that "
                         f"`grader manual export` writes")
    header = [uncell(v).strip().lower() for v in records[0][1].values]
    missing = [c for c in NEEDED if c not in header]
    if missing:
        found = ", ".join(repr(h) for h in header[:8] if h) or "no columns"
        raise SheetError(f"{name} is not a grading sheet of `grader manual export`: no "
                         f"{', '.join(repr(m) for m in missing)} column (found {found})")
    col = {h: i for i, h in reversed(list(enumerate(header)))}

    def get(values: list[str], column: str) -> str:
        i = col.get(column)
        return uncell(values[i]) if i is not None and i < len(values) else ""

    rows = [SheetRow(n, get(r.values, "report").strip(), get(r.values, "task").strip(),
                     get(r.values, "points").strip(), get(r.values, "comment").strip(),
                     get(r.values, "version").strip(), get(r.values, "answer_sha").strip().lower())
            for n, r in records[1:]]
    if not rows:
        raise SheetError(f"{name} has a header but no rows: write the points into the {SHEET} that "
                         f"`grader manual export` writes")
    return rows


def points_of(raw: str) -> float:
    """'8', '8.5', '8,5' (a decimal comma) -> float; ValueError otherwise."""
    value = float(raw.replace(",", "."))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return value


# ----------------------------------------------------------------------------- deciding a merge

def _overtaken(grade: Grade | None, exported: str, pts: float, now: float | None, comment: str, ta: str,
               since: Callable[[str, str, int], list[tuple[str, str]]] | None, key: str, task: str) -> bool:
    """Was this grade given again after the sheet's export (its row says another version), with
    other points or another comment than the row's, by anything but this TA's own merges? (A
    comment changed in the browser went back to the sheet's old one: an eighty-first review.) A row
    without a version (a sheet made by hand) cannot tell: another TA's grade is not replaced by it
    (a two-hundred-and-sixtieth review replaced one so, unwarned)."""
    if grade is None or (pts == now and comment.strip() == grade.comment.strip()):
        return False
    if not exported.isdigit():
        return grade.ta != ta
    return (grade.version != int(exported)
            and not (since is not None and all(by == ta and how == "merge" for by, how in since(key, task, int(exported)))))


def _untouched(grade: Grade | None, row: SheetRow, pts: float, key: str, task: str,
               exported: Callable[[str, str, int], tuple[list[float], str] | None] | None) -> bool:
    """A row as the sheet was exported (the TA typed nothing there) of a grade changed since, or
    of one whose rubric items' points were edited since: the later grade stays, and the row is no
    problem to solve."""
    if exported is None or grade is None or not row.version.isdigit():
        return False
    then = exported(key, task, int(row.version))
    if then is None or then[1].strip() != row.comment.strip():
        return False
    shown = [p for p in then[0] if abs(p - pts) < 1e-9]
    if grade.version == int(row.version):
        # The same grade: the row's points are one it had under an earlier rubric, not today's.
        return bool(shown) and abs(then[0][0] - pts) >= 1e-9
    return bool(shown)


OVERTAKEN_END = "blank this row's points to keep that grade, or change it in grader serve"


def _overtaken_problem(line: int, task: str, key: str, grade: Grade, now: float | None, version: str = "1") -> Problem:
    if not version.strip():
        return Problem(line, f"{task} of '{key}' has a grade by {grade.ta} ({(now or 0):g} points), and this row has no "
                             f"version to show it was written after it; {OVERTAKEN_END}")
    return Problem(line, f"{task} of '{key}' was graded by {grade.ta} ({(now or 0):g} points) after this sheet was "
                         f"exported; {OVERTAKEN_END}")


def as_a_spreadsheet_writes(key: str) -> set[str]:
    """What a spreadsheet may write back for a key it read as a number or a truth value (Excel, LibreOffice)."""
    text = key.strip()
    if text.lower() in ("true", "false"):
        return {text.upper(), text.capitalize()}
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return set()
    try:
        x = float(text)
    except (ValueError, OverflowError):
        return set()
    if not math.isfinite(x):
        return set()
    out = {f"{x:.2E}", f"{x:.2e}", f"{x:g}", f"{x:G}", repr(x)}
    if x.is_integer() and abs(x) < 1e15:
        out.add(str(int(x)))
    return out


def plan_merge(rows: list[SheetRow], results: dict[str, SubmissionResult], maxima: dict[str, float],
               grades: dict[tuple[str, str], Grade], ta: str = "", where: str = "the reports",
               since: Callable[[str, str, int], list[tuple[str, str]]] | None = None,
               exported: Callable[[str, str, int], tuple[float, str] | None] | None = None) -> MergePlan:
    """What merging ``rows`` (by ``ta``) would do, and every problem, each with its line.

    A row exported with version v of a grade that was changed since is a problem when it says
    other points: the later grade is not replaced unseen. Only the TA's own merges since (a sheet
    corrected and merged again) are theirs to redo; ``since(key, task, v)`` says who changed the
    grade after version v and how (a sixty-first review: a sheet of Monday merged on Wednesday by
    the same TA replaced the grade they gave in the browser on Tuesday). ``exported(key, task, v)``:
    the points and comment version v had; a row that still says them was not typed in, and the
    later grade stays without a word of the merge's."""
    plan = MergePlan()
    seen: dict[tuple[str, str], tuple[int, float | None, str]] = {}
    # Excel saves a sheet as Windows-1252, writing '?' for each letter that has none there
    # ('Łukasz'): such a key stands for the one report that reads the same once saved so, and
    # for none when two do (a twenty-sixth review: one such name blocked the whole merge).
    # ... and a key a spreadsheet reads as a number or a truth value and writes back so (a notebook graded outside
    # Moodle's folders is keyed by its file's name, which the student chose: `1E5.ipynb` is `1.00E+05` once saved,
    # `true.ipynb` `TRUE`, `0012.ipynb` `12`; review 464: one such row blocked the class's merge)
    as_saved: dict[str, list[str]] = {}
    for k in results:
        for saved in {k.encode("cp1252", "replace").decode("cp1252"), *as_a_spreadsheet_writes(k)} - {k}:
            as_saved.setdefault(saved, []).append(k)
    for row in rows:
        key, task, n = row.report, row.task, row.line
        if not key:
            plan.problems.append(Problem(n, "the report column is empty (keep the column as exported)"))
            continue
        if key not in results and len(as_saved.get(key, ())) == 1:
            key = as_saved[key][0]
        if key not in results:
            plan.problems.append(Problem(n, f"no report '{key}' in {where}"))
            continue
        if task not in maxima:
            plan.problems.append(Problem(n, f"'{task}' is not a manually graded task ({', '.join(maxima)})"))
            continue
        if not row.points:
            # An unanswered task's row (already 0) left empty is as it should be, not left blank
            # by the TA (a new TA's review: "2 row(s) left blank" after every row was filled).
            plan.blank += row.answer != UNANSWERED
            check = next((c for c in results[key].checks if c.task == task and c.manual_task), None)
            stored = check.review.comment if check is not None and check.review is not None else ""
            if row.comment.strip() and row.comment.strip() != (stored or "").strip():
                plan.comment_only.append(n)     # not stored without points: said, and the sheet is kept
            continue
        try:
            pts = points_of(row.points)
        except ValueError:
            plan.problems.append(Problem(n, f"points '{row.points}' is not a number"))
            continue
        if not 0 <= pts <= maxima[task]:
            plan.problems.append(Problem(n, f"{pts:g} points for {task} is outside 0..{maxima[task]:g}"))
            continue
        before = seen.get((key, task))
        if before is not None:
            if (before[1], before[2]) != (pts, row.comment):
                plan.problems.append(Problem(n, f"{task} of '{key}' is also on line {before[0]} with "
                                     f"{before[1]:g} points{' and another comment' if before[1] == pts else ''}; "
                                     f"keep one of the two rows"))
            continue
        seen[(key, task)] = (n, pts, row.comment)
        had = grades.get((key, task))
        if row.version.strip() and (not row.version.isdigit() or int(row.version) > (had.version if had else 0)):
            # a version this grade never had passes for one exported after every later change (review 260:
            # 99 replaced another TA's grade and comment)
            plan.problems.append(Problem(n, f"the version column says '{row.version}', a version this grade never "
                                            f"had; keep the column as exported (or blank it)"))
            continue
        if row.answer not in ("", UNANSWERED) and not _SHA.fullmatch(row.answer):
            plan.problems.append(Problem(n, "the answer_sha column was changed; keep it as exported (or blank it)"))
            continue
        check = next((c for c in results[key].checks if c.task == task and c.manual_task), None)
        now = (check.answer_sha or answer_sha(check.answer)) if check is not None and check.answer is not None \
            else UNANSWERED
        if row.answer and row.answer != now:
            # A regrade stored a resubmission after the export: the points are for the text read.
            grade = grades.get((key, task))
            if row.answer == UNANSWERED or (grade is not None and grade.answer_sha != row.answer
                                            and str(grade.version) != row.version):
                # Nothing read, or the new text graded since: it stays (a sixty-first review: a text
                # graded since was said to "wait for a TA").
                if grade is not None and grade.answer_sha == now and row.answer != UNANSWERED:
                    plan.graded_since += 1
                else:
                    plan.answered_since += 1
                continue
            if _untouched(grade, row, pts, key, task, exported):
                plan.kept_since += 1
                continue
            if _overtaken(grade, row.version, pts, check.points if check is not None else None, row.comment, ta, since,
                          key, task):
                # The grade of the text read was given again after the export (a sixty-seventh review:
                # after a resubmission a stale sheet replaced another TA's grade of the old text).
                plan.problems.append(_overtaken_problem(n, task, key, grade, check.points if check else None,
                                                        row.version))
                continue
            kept = (grade is not None and grade.answer_sha == row.answer and check is not None
                    and check.points == pts and grade.comment == row.comment)
            plan.updates.append(Update(n, key, task, pts, row.comment, changes=not kept, answer_sha=row.answer))
            continue
        if check is None or check.answer is None:
            if pts != (check.points if check else 0):
                plan.problems.append(Problem(n, f"{task} of '{key}' was not answered (0 points); points for it are "
                                     f"an override with a reason in grader serve"))
            continue
        grade = grades.get((key, task))
        if _untouched(grade, row, pts, key, task, exported):
            plan.kept_since += 1
            continue
        if _overtaken(grade, row.version, pts, check.points, row.comment, ta, since, key, task):
            plan.problems.append(_overtaken_problem(n, task, key, grade, check.points, row.version))
            continue
        current = (check.review is not None and not check.review.stale and check.points == pts
                   and check.review.comment == row.comment)
        plan.updates.append(Update(n, key, task, pts, row.comment, changes=not current))
    return plan


# ----------------------------------------------------------------------------- files

def serve_command(reports: Path) -> str:
    return f"grader serve --reports {shlex.quote(str(Path(reports).absolute()))}"


def merge_command(sheet: Path, reports: Path) -> str:
    """The exact command a sheet tells the TA to run, wherever they run it from."""
    return f"grader manual merge {shlex.quote(str(Path(sheet).absolute()))} --reports " \
           f"{shlex.quote(str(Path(reports).absolute()))}"


def _header(r: SubmissionResult) -> str:
    ident = f" ({r.who_id})" if r.who_id else ""
    return f"{html.escape(r.who)}{html.escape(ident)} — {html.escape(r.file)}"


def export(reports: Path, spec: Spec, out: Path | None = None) -> list[Path]:
    """The HTML sheets and ``manual_grades.csv``; raises ``MergeError`` (after writing the HTML
    sheets) instead of overwriting a CSV that holds grades not merged yet."""
    gb = open_gradebook(reports)
    try:
        return _export(gb, reports, spec, out or reports / "manual")
    finally:
        gb.close()


def _export(gb, reports: Path, spec: Spec, out: Path) -> list[Path]:
    everything = decided(gb, pictures=False)
    grades = gb.grades()
    results = {k: r for k, r in everything.items() if not r.no_notebook}
    choices = counting(results.values())
    csv_path = out / SHEET
    command = html.escape(merge_command(csv_path, reports))
    tasks = [t for t in spec.tasks if t.kind == "manual"]
    written = []
    rows = []
    for task in tasks:
        answered = [r for r in results.values() for c in r.checks if c.task == task.id and c.answer is not None]
        waiting = sum(1 for r in answered for c in r.checks if c.task == task.id and c.manual_task
                      and (c.points is None or (c.review and c.review.stale)))
        parts = [f"<h1>{html.escape(task.title)} ({task.max_points:g} points)</h1>",
                 f"<p>{len(results)} notebooks, {len(answered)} answers, {waiting} waiting for a TA. Enter points "
                 f"in <code>{html.escape(str(csv_path.absolute()))}</code>, then run <code>{command}</code> — "
                 f"or grade in the browser with <code>{html.escape(serve_command(reports))}</code>.</p>"]
        pictures_left = SHEET_PICTURE_CHARS
        # Written as it is made: a class's photos were held whole, twice over (a seventy-eighth
        # review: 591 MB for a 90 MB sheet).
        path = out / f"{task.id}.html"
        head, tail = page_parts(task.title)
        with AtomicStream(path) as sheet:
            sheet.write(head)
            for key, r in sorted(results.items(), key=lambda kv: (kv[1].who, kv[1].file, kv[0])):
                check = next((c for c in r.checks if c.task == task.id and c.manual_task), None)
                if check is None:
                    continue
                grade = grades.get((key, task.id))
                version = grade.version if grade else 0
                choice = choices.get(key)
                several = (f'<p class="pending">{html.escape(choice.about(key))}</p>' if choice else "")
                if check.answer is None:
                    body = f'<p class="fail">{html.escape(check.message)} — already 0 points</p>'
                    # An unreadable notebook's rows say so, not "unanswered" (a TA's review).
                    rows.append([key, r.file, r.matr_number, r.who, task.id, task.max_points, check.points or 0.0,
                                 "unanswered" if r.status == "graded" else f"not graded: {r.status}"[:200], version,
                                 UNANSWERED, ""])
                else:
                    stale = check.review is not None and check.review.stale
                    if stale:
                        graded = (f'<p class="pending">answer changed since it was graded ({check.points:g} points, '
                                  f'kept until a TA grades it again): the points column is blank</p>')
                    else:
                        graded = "" if check.points is None else f'<p class="manual">{html.escape(check.message)}</p>'
                    shown = answer_html(check.answer)
                    if "[image " in check.answer:      # read without its photos: read whole, one at a time
                        whole = gb.answer(task.id, key) if pictures_left > 0 else None
                        if whole is not None and len(whole.text) <= pictures_left:
                            shown = answer_html(whole.text)
                            pictures_left -= len(whole.text)
                        elif whole is None or "data:image/" in whole.text:
                            pictures_left = 0      # one page holds so many photos, the rest are named
                            shown += '<p class="removed">[more photos than one page holds: see this one in grader serve]</p>'
                    body = f'<div class="answer">{shown}</div>{graded}'
                    # A stale grade's comment was written for the old text: blank, as its points (a
                    # sixty-seventh review: a TA typing only points stored another TA's comment as theirs).
                    comment = "" if stale else (check.review.comment if check.review else "")
                    # The text beside the points (a TA's review: the sheet had to be graded with the page
                    # open beside it); cut, and photos named, not pasted. Merge never reads it.
                    text = " ".join(as_text(check.answer).split())
                    text = text if len(text) <= ANSWER_CHARS else text[:ANSWER_CHARS] + " […]"
                    rows.append([key, r.file, r.matr_number, r.who, task.id, task.max_points,
                                 None if stale else check.points, comment, version,
                                 check.answer_sha or answer_sha(check.answer), text])
                parts.append(f'<section id="{html.escape(key)}"><h3>{_header(r)}</h3>{several}{body}</section>')
                sheet.write("\n".join(parts) + "\n")
                parts.clear()
            sheet.write("\n".join(parts) + tail)
        written.append(path)
    _refuse_to_overwrite(csv_path, reports, spec, everything, grades, gb.grade_changes_since,
                         _as_exported(gb, _maxima(spec)))
    atomic_write(csv_path, to_csv(COLUMNS, rows))
    return [*written, csv_path]


def _refuse_to_overwrite(csv_path: Path, reports: Path, spec: Spec, results: dict[str, SubmissionResult],
                         grades: dict[tuple[str, str], Grade],
                         since: Callable[[str, str, int], list[tuple[str, str]]],
                         exported: Callable[[str, str, int], tuple[float, str] | None] | None = None) -> None:
    """A sheet holding points or comments that the gradebook does not have yet is kept."""
    if not csv_path.exists():
        return
    try:
        rows = read_sheet(csv_path.read_bytes(), str(csv_path))
    except SheetError:
        return                                          # empty or not a sheet: nothing of a TA's to keep
    except OSError as exc:
        raise MergeError(f"{csv_path} cannot be read ({exc.strerror or exc}); it is kept: move it away to "
                         f"export a fresh one") from exc
    plan = plan_merge(rows, results, _maxima(spec), grades, who(), str(reports), since, exported)
    # Points typed and not merged, against points that a later grade replaced: "merge it first"
    # for the second would put the old points back over a TA's later grade (a sixty-seventh review).
    again = {p.line for p in plan.problems if p.text.endswith(OVERTAKEN_END)}
    lines = sorted({u.line for u in plan.changes} | set(plan.comment_only)
                   | {p.line for p in plan.problems if p.line not in again})

    def shown(numbers) -> str:
        numbers = sorted(numbers)
        return ", ".join(str(n) for n in numbers[:8]) + (" ..." if len(numbers) > 8 else "")
    if lines:
        raise MergeError(f"{csv_path} holds grades not merged yet (line(s) {shown(lines)}): it is kept. Merge it "
                         f"first ({merge_command(csv_path, reports)}), or move it away to export a fresh "
                         f"one; the HTML sheets were written"
                         + (f". Line(s) {shown(again)} hold points that a grade given after this sheet was exported "
                            f"replaced: blank their points before merging" if again else ""))
    if again:
        raise MergeError(f"{csv_path} is older than grades given since (line(s) {shown(again)} hold points that a "
                         f"later grade replaced): it is kept; move it away to export a fresh one (merging it would "
                         f"refuse those rows); the HTML sheets were written")


def _as_exported(gb, maxima: dict[str, float]) -> Callable[[str, str, int], tuple[list[float], str] | None]:
    """(points, comment) of a grade's version v, as a sheet exported at v showed them: the points
    under each rubric the task had since (today's first), one comment."""
    def at(key: str, task: str, version: int) -> tuple[list[float], str] | None:
        return gb.as_exported(key, task, version, maxima[task]) if task in maxima else None
    return at


def _maxima(spec: Spec) -> dict[str, float]:
    return {t.id: t.max_points for t in spec.tasks if t.kind == "manual"}


class Merged(NamedTuple):
    merged: int                   # rows with points, now grades in the gradebook
    blank: int                    # rows left blank (their grades, if any, unchanged)
    changed: int                  # of the merged rows, those the gradebook did not hold already
    outdated: int = 0             # rows whose answer a resubmission replaced after the export, waiting
    graded_since: int = 0         # rows whose replaced answer's new text was graded since: left as graded
    comment_only: tuple[int, ...] = ()   # lines with a new comment and no points: not stored
    kept_since: int = 0           # rows as exported whose grade (or its items' points) changed since: it stays


def merge(csv_path: Path, reports: Path, spec: Spec, ta: str | None = None) -> Merged:
    """Merge points; all-or-nothing: any bad row stops the merge before anything is written.

    Returns how many rows were merged, left blank, and changed a grade. Points become grades in the gradebook: rubric
    items a TA gave in the browser are kept and an adjustment makes the total the CSV's points.
    Raises ``SheetError`` for a file that is no sheet, ``MergeError`` listing bad rows.
    """
    rows = read_sheet(Path(csv_path).read_bytes(), Path(csv_path).name)
    ta = ta or who()
    gb = open_gradebook(reports)
    try:
        plan = plan_merge(rows, decided(gb, pictures=False), _maxima(spec), gb.grades(), ta, str(reports),
                          gb.grade_changes_since, _as_exported(gb, _maxima(spec)))
        if plan.problems:
            raise MergeError("\n".join(str(p) for p in plan.problems))
        maxima = _maxima(spec)
        if plan.changes:      # a sheet merged again records no change of nothing (a sixty-first review)
            with gb.change(ta, "merge", f"grades merged from {Path(csv_path).name}") as ch:
                for u in plan.changes:
                    cur = gb.grade(u.key, u.task)
                    rubric = gb.rubric(u.task)
                    items = cur.items if cur else ()
                    raw = (maxima[u.task] if rubric.start == "max" else 0.0) + sum(
                        i.points for i in rubric.items if i.id in set(items))
                    gb.set_grade(u.key, u.task, items=items, adjust=round(u.points - raw, 4), comment=u.comment,
                                 ta=ta, answer_sha_=u.answer_sha, change=ch)
        merged = Merged(len(plan.updates), plan.blank, len(plan.changes), plan.outdated, plan.graded_since,
                        tuple(plan.comment_only), plan.kept_since)
        try:
            write_reports(gb, reports, spec)
        except ReportWriteError as exc:
            raise ReportsNotRewritten(merged, str(exc)) from None
    finally:
        gb.close()
    return merged
