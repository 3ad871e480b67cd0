"""Moodle in and out: its "Download all submissions" tree or zip, and its grading worksheet.

Moodle puts each participant's files in a folder ``<Full Name>_<participant id>_assignsubmission_file_``.
We keep the participant id with each result, so grades go back to the right row of the
worksheet, and we flag participants who handed in no notebook or several.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .csvsafe import cell
from .results import SubmissionResult

FOLDER = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_[A-Za-z]+_?$")
MAX_UNZIPPED = 4 * 2**30


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    folder: Path
    notebooks: tuple[Path, ...]


def participant_of(path: Path, root: Path) -> tuple[str, str] | None:
    """(id, full name) when the file sits in a Moodle participant folder."""
    for part in path.relative_to(root).parts[:-1]:
        m = FOLDER.match(part)
        if m:
            return m["id"], unicodedata.normalize("NFC", m["name"])
    return None


def participants(root: Path) -> list[Participant]:
    """Every Moodle participant folder below root, with the notebooks it holds (maybe none)."""
    found = []
    for folder in sorted(p for p in root.rglob("*") if p.is_dir() and FOLDER.match(p.name)):
        m = FOLDER.match(folder.name)
        nbs = tuple(sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts))
        found.append(Participant(m["id"], unicodedata.normalize("NFC", m["name"]), folder, nbs))
    return found


def unpack(zip_path: Path, dest: Path) -> Path:
    """Unpack Moodle's zip safely (no paths outside dest, bounded size)."""
    dest.mkdir(parents=True, exist_ok=True)
    total = 0
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = (dest / info.filename).resolve()
            if not str(target).startswith(str(dest.resolve())):
                continue
            total += info.file_size
            if total > MAX_UNZIPPED:
                raise ValueError("the zip unpacks to more than 4 GB")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    out.write(src.read())
    return dest


# ----------------------------------------------------------------------------- worksheet out

def _participant_id(identifier: str) -> str:
    m = re.search(r"(\d+)", identifier or "")
    return m.group(1) if m else ""


def _squash(name: str) -> str:
    return re.sub(r"[\W_]+", "", name or "").casefold()


def feedback_comment(r: SubmissionResult) -> str:
    failed = [c.check for c in r.checks if c.passed is False and not c.manual_task]
    parts = [f"Automatic checks: {r.auto_points:g}/{r.auto_max:g}."]
    manual = r.manual_points
    if manual is None:
        parts.append("Written answers: not graded yet.")
    else:
        parts.append(f"Written answers: {manual:g}.")
    if failed:
        shown = ", ".join(failed[:6]) + (f" and {len(failed) - 6} more" if len(failed) > 6 else "")
        parts.append(f"Failed: {shown}.")
    if not r.filename_ok:
        parts.append("Filename does not follow the naming rules.")
    if r.status != "graded":
        parts.append(f"Problem: {r.status}.")
    return " ".join(parts)


def fill_worksheet(text: str, results: list[SubmissionResult]) -> tuple[str, list[str]]:
    """Return the worksheet with Grade and Feedback comments filled, and notes on unmatched rows.

    Every other column and row stays exactly as Moodle wrote it.
    """
    by_id = {}
    by_name = {}
    for r in results:
        pid = r.participant_id
        if pid:
            by_id.setdefault(str(pid), []).append(r)
        for n in (r.participant, r.name):
            if n:
                by_name.setdefault(_squash(n), []).append(r)
    bom = text.startswith("\ufeff")
    reader = csv.reader(io.StringIO(text[1:] if bom else text))
    rows = list(reader)
    if not rows:
        raise ValueError("the worksheet is empty")
    header = rows[0]
    need = {"Identifier", "Grade"}
    if not need <= set(header):
        raise ValueError(f"not a Moodle grading worksheet: columns {sorted(need - set(header))} missing")
    col = {h: i for i, h in enumerate(header)}
    notes = []
    for row in rows[1:]:
        if len(row) < len(header):
            row.extend([""] * (len(header) - len(row)))
        pid = _participant_id(row[col["Identifier"]])
        matches = by_id.get(pid) or by_name.get(_squash(row[col["Full name"]]) if "Full name" in col else "", [])
        if not matches:
            notes.append(f"{row[col['Identifier']]} ({row[col.get('Full name', 0)]}): no graded notebook")
            continue
        best = max(matches, key=lambda r: r.total_points)
        row[col["Grade"]] = f"{best.total_points:g}"
        if "Feedback comments" in col:
            row[col["Feedback comments"]] = cell(feedback_comment(best))
        if len(matches) > 1:
            notes.append(f"{row[col['Identifier']]}: {len(matches)} notebooks; used the best ({best.file})")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return ("\ufeff" if bom else "") + buf.getvalue(), notes
