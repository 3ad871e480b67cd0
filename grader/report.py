"""Rendering the one result model: per-student CSV and JSON, summary.csv, the terminal table.

Every file is written to a temporary name and renamed, so an interrupted batch never leaves a
half-written report; the JSON is the record that resuming and summaries are built from.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from .results import SubmissionResult
from .spec import Spec

CHECK_COLUMNS = ["task", "check", "points", "max_points", "passed", "message"]


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def checks_csv(result: SubmissionResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CHECK_COLUMNS)
    for c in result.checks:
        w.writerow([c.task, c.check, _fmt(c.points), _fmt(c.max_points), _fmt(c.passed), c.message])
    return buf.getvalue()


def stem(result: SubmissionResult) -> str:
    return Path(result.file).stem


def write_submission(out: Path, result: SubmissionResult, key: str | None = None) -> Path:
    """``key`` (unique within the batch) names the files; defaults to the notebook's stem."""
    base = key or stem(result)
    # The JSON goes last: resuming trusts a report only when its JSON exists.
    atomic_write(out / f"{base}.csv", checks_csv(result))
    atomic_write(out / f"{base}.json", json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    return out / f"{base}.csv"


def summary_frame(results: list[SubmissionResult], spec: Spec):
    import pandas as pd  # imported here: the student's `grader check` never needs it
    rows = []
    for r in results:
        row = {"file": r.file, "name": r.name, "matr_number": r.matr_number, "filename_ok": r.filename_ok}
        for task in spec.tasks:
            row[task.id] = r.task_points(task.id)
        row.update(auto_points=r.auto_points, auto_max=r.auto_max, flags=";".join(r.flags), status=r.status,
                   manual_points=r.manual_points, total=r.total_points,
                   participant_id=r.participant_id)
        rows.append(row)
    cols = ["file", "name", "matr_number", "filename_ok", *[t.id for t in spec.tasks],
            "auto_points", "auto_max", "flags", "status", "manual_points", "total", "participant_id"]
    return pd.DataFrame(rows, columns=cols)


def write_summary(out: Path, results: list[SubmissionResult], spec: Spec) -> Path:
    import pandas as pd
    df = summary_frame(sorted(results, key=lambda r: r.file), spec)
    atomic_write(out / "summary.csv", df.to_csv(index=False))
    manual = [{"file": r.file, "name": r.name, "matr_number": r.matr_number, "task": c.task, "answer": c.answer}
              for r in results for c in r.checks if c.answer is not None]
    atomic_write(out / "manual_answers.csv",
                 pd.DataFrame(manual, columns=["file", "name", "matr_number", "task", "answer"]).to_csv(index=False))
    return out / "summary.csv"


def load_result(path: Path) -> SubmissionResult | None:
    try:
        return SubmissionResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None
