"""Whose work is compared: this term's graded hand-ins and, optionally, past terms'.

``read_results`` is the one place that reads graded results (this term's, and a past term's
report folder). Today that is the folder's per-student JSON files; when the gradebook arrives it
becomes its ``load_results``, and nothing else here changes. Past terms come as whatever a course kept: a report folder, a
folder of notebooks, or Moodle's "download all submissions" zip or its unpacked tree. Notebooks
are only read (``load_notebook`` parses JSON), never run.
"""
from __future__ import annotations

import ast
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..dynamic_code import unwrapped
from ..magics import without_magics
from ..notebook import NotebookError, checksum, load_notebook
from ..results import SubmissionResult
from ..spec import Spec
from .material import Material
from .settings import Settings

CODE, TEXT = "code", "text"
CELL_CHARS = 100_000      # per cell, as `grader grade` keeps them: a pasted megabyte is not an answer


def clean(text: str) -> str:
    """Text fit for every page and file: a lone surrogate (JSON lets a hand-in smuggle one in)
    becomes a replacement mark, and a cell is cut where ``grader grade`` cuts it."""
    return str(text)[:CELL_CHARS].encode("utf-8", "surrogatepass").decode("utf-8", "replace")


@dataclass(frozen=True)
class Cell:
    id: str
    kind: str          # "code" or "text"
    source: str


@dataclass(frozen=True)
class Hand:
    """One hand-in as the similarity view sees it."""
    key: str           # unique among all hand-ins compared (a past term's keys carry its label)
    name: str          # for the TA: Moodle's full name, else the name in the file name, else the file
    matr_number: str
    file: str
    term: str          # "" for this term's hand-ins, else the label of the past term
    cells: tuple[Cell, ...]    # the student's cells, in notebook order
    author: str = ""   # whose: a Moodle participant's notebooks share one (they count once as a
    #                    holder of a fingerprint: uploading copies must not make a copy "common")

    @property
    def current(self) -> bool:
        return not self.term

    def code(self) -> list[Cell]:
        return [c for c in self.cells if c.kind == CODE]

    def cell(self, cell_id: str) -> Cell | None:
        return next((c for c in self.cells if c.id == cell_id), None)


class CohortError(Exception):
    """A folder or file given as a cohort holds nothing we can compare; the message says why."""


def read_results(reports: Path) -> dict[str, SubmissionResult]:
    """Graded results by report key: the only function here that reads them. Switch it to the
    gradebook's ``load_results(reports)`` when that lands."""
    from ..exports import load_reports
    return load_reports(reports)


def load_current(reports: Path, spec: Spec, settings: Settings, material: Material,
                 skipped: list[str] | None = None) -> list[Hand]:
    """This term's graded hand-ins; ``skipped`` collects the notebooks that could not be compared
    (a TA reading "300 compared" of 301 hand-ins should know which one and why)."""
    return hands_from_results(read_results(reports).items(), settings, material, term="", skipped=skipped)


def hands_from_results(results: Iterable[tuple[str, SubmissionResult]], settings: Settings,
                       material: Material, term: str, skipped: list[str] | None = None) -> list[Hand]:
    hands = []
    for key, r in results:
        if not r.student_cells and r.status != "graded":
            # unreadable notebook or none handed in: nothing to compare
            if skipped is not None and not r.no_notebook:
                skipped.append(clean(f"{r.who} ({r.file}): {r.status.split(':', 1)[0]}"))
            continue
        cells = tuple(_cell(clean(cid), cell_kind(cid, src, settings, material), clean(src))
                      for cid, src in r.student_cells.items())
        name = clean(r.participant or r.name or Path(r.file).stem)
        hands.append(Hand(key=_key(term, r.key or key), name=name, matr_number=clean(r.matr_number),
                          file=clean(r.file), term=term, cells=cells,
                          author=_key(term, f"participant:{r.participant_id}" if r.participant_id
                                      else f"report:{r.key or key}")))
    return hands


def _cell(cid: str, kind: str, source: str) -> Cell:
    """Code as Jupyter runs it: IPython magics read as plain Python, and code a cell runs from a
    written-out string (``exec('''...''')``) compared as code."""
    return Cell(cid, kind, unwrapped(without_magics(source)) if kind == CODE else source)


def _key(term: str, key: str) -> str:
    return f"{term}/{key}" if term else key


MAGIC = re.compile(r"^[^\S\n]*[%!].*$", re.M)


def cell_kind(cell_id: str, source: str, settings: Settings, material: Material) -> str:
    """Code or text. Reports keep a cell's source without its type, so an added cell is code
    when Python can parse it (IPython magics aside) into more than bare words."""
    if cell_id in settings.code_cells:
        return CODE
    if cell_id in settings.written_cells:
        return TEXT
    known = material.template_kinds.get(cell_id.split("@")[0])
    if known:
        return CODE if known == "code" else TEXT
    try:
        tree = ast.parse(MAGIC.sub("", source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return TEXT
    if not tree.body:
        return TEXT
    words_only = all(isinstance(n, ast.Expr) and isinstance(n.value, (ast.Name, ast.Constant)) for n in tree.body)
    return TEXT if words_only else CODE


# ------------------------------------------------------------------------------ past terms

def load_past(path: Path, spec: Spec, settings: Settings, material: Material, label: str | None = None) -> list[Hand]:
    """A past term's hand-ins from a report folder, a folder of notebooks (a Moodle tree works as
    is) or a Moodle zip. ``label`` names the term on every page (default: the file's name)."""
    label = label or path.name.removesuffix(".zip") or "past"
    if path.is_file() and path.suffix.lower() == ".zip":
        from ..moodle import unpack
        with tempfile.TemporaryDirectory(prefix="grader-past-") as tmp:
            try:
                root = unpack(path, Path(tmp))
            except (OSError, ValueError, zipfile.BadZipFile) as exc:
                raise CohortError(f"cannot unpack {path}: {exc}") from None
            return _from_folder(root, spec, settings, material, label)
    if not path.is_dir():
        raise CohortError(f"{path} is neither a folder nor a .zip")
    return _from_folder(path, spec, settings, material, label)


def _from_folder(root: Path, spec: Spec, settings: Settings, material: Material, label: str) -> list[Hand]:
    reports = read_results(root)
    if reports:
        return hands_from_results(reports.items(), settings, material, term=label)
    return _from_notebooks(root, spec, settings, material, label)


def _from_notebooks(root: Path, spec: Spec, settings: Settings, material: Material, label: str) -> list[Hand]:
    from .. import identity, moodle
    from ..naming import parse_filename
    notebooks = sorted(p for p in root.rglob("*.ipynb") if p.is_file() and ".ipynb_checkpoints" not in p.parts
                       and not p.name.startswith("."))
    if not notebooks:
        raise CohortError(f"no reports (*.json) and no notebooks (*.ipynb) below {root}")
    hands = []
    for sub in identity.plan(root, notebooks, moodle.participants(root)):
        if sub.path is None:
            continue
        try:
            nb = load_notebook(sub.path)
        except NotebookError:
            continue
        cells, seen = [], set()
        for c in nb.cells:
            if c.cell_type not in ("code", "markdown") or checksum(c.source) in material.template_checksums:
                continue
            cid = c.id or f"cell-{c.index + 1}"
            if cid in seen:
                cid = f"{cid}@{c.index + 1}"
            seen.add(cid)
            cells.append(_cell(clean(cid), CODE if c.cell_type == "code" else TEXT, clean(c.source)))
        parsed = parse_filename(moodle.handed_in_name(sub.path, root), spec.number)
        hands.append(Hand(key=_key(label, sub.key), name=clean(sub.participant or parsed.name or sub.path.stem),
                          matr_number=clean(parsed.matr_number), file=clean(sub.rel), term=label,
                          cells=tuple(cells), author=_key(label, f"participant:{sub.participant_id}"
                                                          if sub.participant_id else f"report:{sub.key}")))
    return hands
