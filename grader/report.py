"""Writing report files: per-student CSV and JSON, summary.csv, manual_answers.csv.

Every file is written to a temporary name in the same folder, flushed to disk and renamed over
the old one, so a crash, a full disk or a refused permission never leaves a half-written file in
place of a good one. A write that fails raises ``ReportWriteError`` naming the file and the
reason in one line; ``grader grade`` stops on it with a non-zero exit (a report that silently
goes missing is worse than a stopped batch). New files get the permissions the TA's umask gives
(a course group can read them), an existing file keeps its own.

The files are renderings: the gradebook (``gradebook.sqlite``) is the source of truth.
"""
from __future__ import annotations

import errno
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from .answer_images import as_text
from .csvsafe import cell, fmt, frame_csv, to_csv
from .results import SubmissionResult
from .spec import Spec

CHECK_COLUMNS = ["task", "check", "points", "max_points", "passed", "message"]
_UMASK: int | None = None
_UMASK_LOCK = threading.Lock()


class ReportWriteError(OSError):
    """A report file could not be written (disk full, permission, ...)."""

    def __init__(self, path: Path, exc: OSError):
        super().__init__(exc.errno, exc.strerror or str(exc))
        self.path, self.reason = Path(path), exc.strerror or str(exc)

    def __str__(self) -> str:
        return f"could not write {self.path}: {self.reason}"


def umask() -> int:
    """The process umask, read once (it is set before the grader starts): from /proc without
    changing it where Linux allows (another thread may rely on it), else set and restored."""
    global _UMASK
    if _UMASK is not None:
        return _UMASK
    mask = None
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    mask = int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    if mask is None:
        with _UMASK_LOCK:
            mask = os.umask(0o022)
            os.umask(mask)
    _UMASK = mask
    return mask


# The machine's table of open files, or memory, full for a moment (a student's job that filled it
# is stopped within a second): a report written then is retried, not the batch stopped (a
# hundred-and-fourth review stopped an unprivileged grader so, "Too many open files in system").
PASSING = {errno.ENFILE, errno.EMFILE, errno.ENOMEM, errno.EAGAIN}
RETRIES_S = (0.2, 0.5, 1, 2, 4, 8)


def atomic_write(path: Path, text: str | bytes, durable: bool = False) -> None:
    """``_write_once``, again after a pause while what failed was a passing shortage."""
    for pause in (*RETRIES_S, None):
        try:
            return _write_once(path, text, durable)
        except ReportWriteError as exc:
            if exc.errno not in PASSING or pause is None:
                raise
            time.sleep(pause)


def _write_once(path: Path, text: str | bytes, durable: bool = False) -> None:
    """Write the whole file or nothing; raise ReportWriteError with the reason on failure.

    A file whose content would not change is left alone. ``durable`` forces the data to disk
    before the rename; rendered reports do without (a crash of the process cannot leave a
    half-written file either way, and after a power cut ``grader feedback`` renders them again
    from the gradebook, which is written durably): 3,000 fsyncs cost seconds.
    """
    path = Path(path)
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    try:
        st = path.stat()
        if st.st_size == len(data) and path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ReportWriteError(path, exc) from exc
    with AtomicStream(path, durable) as out:
        out.write(data)


class AtomicStream:
    """A file written piece by piece, renamed into place only when complete: a crash leaves the
    old file or the new one, never half of it. The file keeps the mode it had (a TA's chmod)."""

    def __init__(self, path: Path, durable: bool = False) -> None:
        self.path, self.durable, self._tmp, self._fh = Path(path), durable, None, None

    def __enter__(self) -> "AtomicStream":
        try:
            try:
                mode = self.path.stat().st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o666 & ~umask()
                self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
            self._fh = os.fdopen(fd, "wb")
            os.fchmod(self._fh.fileno(), mode)
        except OSError as exc:
            self._discard()
            raise ReportWriteError(self.path, exc) from exc
        return self

    def write(self, text: str | bytes) -> None:
        try:
            self._fh.write(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        except OSError as exc:
            raise ReportWriteError(self.path, exc) from exc

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                self._fh.flush()
                if self.durable:
                    os.fsync(self._fh.fileno())
            self._fh.close()
            if kind is None:
                os.replace(self._tmp, self.path)
                self._tmp = None
        except OSError as err:
            raise ReportWriteError(self.path, err) from err
        finally:
            self._discard()

    def _discard(self) -> None:
        if self._fh is not None and not self._fh.closed:
            try:
                self._fh.close()
            except OSError:
                pass
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass
            self._tmp = None


NOT_REPORTED = ("seconds",)


def result_dict(r: SubmissionResult) -> dict:
    """``r.to_dict()`` without dataclasses.asdict's deep copies (1,000 reports: seconds), and
    without how long the grading took: student code can stretch the run with hidden parameters
    (a sleep of so many seconds per digit of a hidden seed), so the duration is theirs to choose
    and never goes into a report a student may get."""
    from dataclasses import fields
    d = {f.name: getattr(r, f.name) for f in fields(r) if f.name not in NOT_REPORTED}
    checks = []
    for c in r.checks:
        cd = {f.name: getattr(c, f.name) for f in fields(c)}
        # A photo in a written answer is named ([image <sha256 prefix>]), not pasted: the gradebook
        # keeps it for the grading app and the sheets, and a report of 31 MB of photos, written
        # and compared in the grader's memory, took it past 300 MB (a seventy-third review).
        cd["answer"] = as_text(c.answer)
        cd.pop("answer_sha", None)
        if c.review is not None:
            rv = {f.name: getattr(c.review, f.name) for f in fields(c.review)}
            rv["items"] = [{f.name: getattr(i, f.name) for f in fields(i)} for i in c.review.items]
            cd["review"] = rv
        checks.append(cd)
    d["checks"] = checks
    return d


def checks_csv(result: SubmissionResult) -> str:
    return to_csv(CHECK_COLUMNS, ([c.task, c.check, c.points, c.max_points,
                                   None if c.passed is None else str(c.passed), c.message]
                                  for c in result.checks))


def stem(result: SubmissionResult) -> str:
    return Path(result.file).stem


def write_submission(out: Path, result: SubmissionResult, key: str | None = None) -> Path:
    """``key`` (unique within the batch) names the files; defaults to the notebook's stem."""
    base = key or result.key or stem(result)
    atomic_write(out / f"{base}.csv", checks_csv(result))
    atomic_write(out / f"{base}.json", json.dumps(result_dict(result), ensure_ascii=False))
    return out / f"{base}.csv"


TEXT_COLUMNS = ("file", "name", "matr_number", "flags", "status", "participant_id", "key")


def summary_frame(results: list[SubmissionResult], spec: Spec):
    """One row per notebook (and per participant without one). ``name`` is Moodle's full name,
    else the file name's (a file name is the student's to choose: named after a classmate, it must
    not make a row read as the classmate's); ``key`` names the row's report and feedback page;
    ``counted`` is False for a notebook that does not count because its participant handed in a
    better one (``identity.best_of``); ``pending`` counts its written answers that wait for a TA,
    so that a total is read as final only at 0 (a new TA's review took 50.0 for a final grade)."""
    import pandas as pd  # imported here: the student's `grader check` never needs it
    from .identity import counting
    choices = counting(results)
    rows = []
    for r in results:
        row = {"file": r.file, "name": r.participant or r.name, "matr_number": r.matr_number,
               "filename_ok": r.filename_ok}
        for task in spec.tasks:
            row[task.id] = r.task_points(task.id)
        row.update(auto_points=r.auto_points, auto_max=r.auto_max,
                   flags=";".join(r.flags), status=r.status,
                   manual_points=r.manual_points, total=r.total_points,
                   participant_id=r.participant_id, key=r.key,
                   counted=r.key not in choices or choices[r.key].counts(r.key), pending=r.pending)
        rows.append({k: (cell(v) if k in TEXT_COLUMNS else v) for k, v in row.items()})
    cols = ["file", "name", "matr_number", "filename_ok", *[t.id for t in spec.tasks],
            "auto_points", "auto_max", "flags", "status", "manual_points", "total", "participant_id", "key",
            "counted", "pending"]
    return pd.DataFrame(rows, columns=cols)


def summary_csv(results: list[SubmissionResult], spec: Spec) -> str:
    return frame_csv(summary_frame(sorted(results, key=lambda r: (r.file, r.key)), spec))


def manual_answers_csv(results: list[SubmissionResult]) -> str:
    """Every written answer, with who wrote it as the summary names them (Moodle's full name
    first) and the report key that tells two students with the same file name apart."""
    return to_csv(["file", "name", "matr_number", "participant_id", "key", "task", "answer"],
                  ([r.file, r.participant or r.name, r.matr_number, r.participant_id, r.key, c.task, as_text(c.answer)]
                   for r in sorted(results, key=lambda r: (r.file, r.key)) for c in r.checks
                   if c.answer is not None))


def write_summary(out: Path, results: list[SubmissionResult], spec: Spec) -> Path:
    atomic_write(out / "summary.csv", summary_csv(results, spec))
    atomic_write(out / "manual_answers.csv", manual_answers_csv(results))
    return out / "summary.csv"


def load_result(path: Path) -> SubmissionResult | None:
    try:
        return SubmissionResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


__all__ = ["atomic_write", "ReportWriteError", "checks_csv", "write_submission", "write_summary", "summary_csv",
           "manual_answers_csv", "summary_frame", "load_result", "fmt", "umask"]
