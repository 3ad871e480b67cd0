"""The gradebook: the single source of truth for grades (``<reports>/gradebook.sqlite``).

Public entry points, one way in for every feature:

- ``open_gradebook(reports)``: the gradebook of a report folder, created on first use and
  filled from the folder's existing ``*.json`` reports (a folder graded before it existed).
- ``load_results(reports)``: every submission's result with the TAs' decisions applied, by
  report key: what the CSVs, JSON, pages, exports and the Moodle worksheet are rendered from.
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from ..results import SubmissionResult
from .models import Answer, Conflict, Grade, ItemChanged, Override, Rubric, RubricItem, TaskProgress
from .store import FILENAME, Gradebook, UndoError, answer_sha

__all__ = ["Answer", "Conflict", "FILENAME", "Grade", "Gradebook", "ItemChanged", "Override", "Rubric", "RubricItem",
           "TaskProgress", "UndoError", "answer_sha", "gradebook_path", "load_results", "open_gradebook"]


def gradebook_path(reports: Path) -> Path:
    return Path(reports) / FILENAME


def open_gradebook(reports: Path, create: bool = True) -> Gradebook | None:
    """The gradebook of ``reports``; old report folders are imported the first time.

    ``create=False`` returns None where there is neither a gradebook nor a report to import.
    """
    from .importer import import_folder, report_files
    reports = Path(reports)
    path = gradebook_path(reports)
    existed = path.exists()
    if not existed:
        legacy = reports.is_dir() and bool(report_files(reports))
        if not create and not legacy:
            return None
        reports.mkdir(parents=True, exist_ok=True)
    gb = Gradebook(path)
    if not existed and gb.count() == 0 and report_files(reports):
        import_folder(gb, reports)
    return gb


def load_results(reports_dir: Path) -> dict[str, SubmissionResult]:
    """Every result in a report folder, TA decisions applied, by report key (empty if none).

    A read-only folder that holds only old JSON reports is imported into a temporary gradebook.
    """
    from .decisions import results
    reports_dir = Path(reports_dir)
    try:
        gb = open_gradebook(reports_dir, create=False)
    except sqlite3.OperationalError:
        if gradebook_path(reports_dir).exists():
            raise
        tmp = Path(tempfile.mkdtemp(prefix="grader-gradebook-"))
        try:
            from .importer import import_folder
            gb = Gradebook(tmp / FILENAME)
            import_folder(gb, reports_dir)
            out = results(gb, pictures=False)
            gb.close()
            return out
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if gb is None:
        return {}
    try:
        return results(gb, pictures=False)
    finally:
        gb.close()
