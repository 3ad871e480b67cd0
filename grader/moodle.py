"""Moodle in and out: its "Download all submissions" tree or zip, and its grading worksheet.

Moodle puts each participant's files in a folder ``<Full Name>_<participant id>_assignsubmission_file_``.
We keep the participant id with each result, so grades go back to the right row of the
worksheet, and we flag participants who handed in no notebook or several.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

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


def is_notebook(path: Path) -> bool:
    """A notebook by its name, in any case ('.IPYNB' from a phone or an old Windows tool)."""
    return path.suffix.lower() == ".ipynb" and ".ipynb_checkpoints" not in path.parts


def participants(root: Path) -> list[Participant]:
    """Every Moodle participant below root, with the notebooks they hold (maybe none).

    Moodle gives each submission plugin of a participant its own folder (``..._file_``,
    ``..._onlinetext_``): folders with one participant id are one participant, whose notebooks
    are those of all their folders."""
    by_id: dict[str, list[Path]] = {}
    names: dict[str, str] = {}
    folders = sorted(p for p in root.rglob("*") if p.is_dir() and FOLDER.match(p.name))
    for folder in folders:
        # A folder named like a participant's inside a participant's folder is something that
        # student uploaded (Moodle lets them create folders): its notebooks are theirs, and the
        # name and id it claims are nobody's.
        if any(FOLDER.match(part) for part in folder.relative_to(root).parts[:-1]):
            continue
        m = FOLDER.match(folder.name)
        by_id.setdefault(m["id"], []).append(folder)
        names.setdefault(m["id"], unicodedata.normalize("NFC", m["name"]))
    found = []
    for pid, group in by_id.items():
        nbs = tuple(sorted(p for f in group for p in f.rglob("*") if p.is_file() and is_notebook(p)))
        # The folder shown for a participant without a notebook is the one that should hold it.
        home = next((f for f in group if f.name.endswith("_file_")), group[0])
        found.append(Participant(pid, names[pid], home, nbs))
    return sorted(found, key=lambda p: (str(p.folder), p.id))


def unpack(zip_path: Path, dest: Path) -> Path:
    """Unpack Moodle's zip safely (no paths outside dest, bounded size)."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    total = 0
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = (dest / info.filename).resolve()
            if not target.is_relative_to(root):     # '../out-evil' shares the prefix of 'out'
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

def fill_worksheet(text: str, results: list[SubmissionResult]) -> tuple[str, list[str]]:
    """The worksheet text with Grade and Feedback comments filled, and notes on what was not
    matched (``grader.worksheet`` has the whole story: matches, missing participants, partial
    grades)."""
    from .worksheet import fill, read_worksheet
    filled = fill(read_worksheet(text.encode("utf-8")), results)
    plan = filled.plan
    notes = [*filled.notes, *plan.conflicts, *(f"{row}: no graded notebook" for row in plan.without_result),
             *(f"{r.who} ({r.file}): not in the worksheet" for r in plan.missing)]
    return ("\ufeff" if filled.bom else "") + filled.text, notes
