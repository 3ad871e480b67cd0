"""Faults of the TA's machine while reports are written (issue 12, points 2 and 3).

A write that fails stops with a non-zero exit and one line naming the file and the reason; no
half-written file replaces a good one; what was committed stays valid for a resume; report files
get the permissions the TA's umask gives.
"""
import csv
import errno
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid

import pytest

import grader.report as report
from grader.gradebook import open_gradebook
from grader.gradebook.outputs import finish, record, write_reports
from grader.report import AtomicStream, ReportWriteError, atomic_write
from grader.spec import load_spec

from .conftest import ROOT
from .gradebook_helpers import cohort, result

IS_ROOT = os.geteuid() == 0


def valid(path):
    """A report file is complete: it parses as what it claims to be."""
    text = path.read_bytes().decode("utf-8")
    if path.suffix == ".json":
        json.loads(text)
    elif path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows and len({len(r) for r in rows}) == 1, path     # every row as long as the header
    elif path.suffix == ".html":
        assert text.rstrip().endswith("</html>"), path
    return True


def many(n):
    out = []
    for i in range(n):
        r = result(i, "an answer " * (i % 5 + 1), name=f"Student Nr{i}", matr=f"k{i:08d}")
        r.key = f"student_{i:03d}"
        out.append(r)
    return out


def test_a_failed_write_names_the_file_and_keeps_the_good_one(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    gb = open_gradebook(reports)
    for r in cohort():
        gb.store_result(r)
    spec = load_spec()
    write_reports(gb, reports, spec)
    good = (reports / "summary.csv").read_text()
    real = os.replace

    def full_disk(src, dst):
        if str(dst).endswith("summary.csv"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(report.os, "replace", full_disk)
    gb.store_result(result(0, "a new answer", auto=0.0))          # the summary changes
    with pytest.raises(ReportWriteError) as exc:
        write_reports(gb, reports, spec)
    assert str(exc.value) == f"could not write {reports / 'summary.csv'}: No space left on device"
    assert "\n" not in str(exc.value)
    assert (reports / "summary.csv").read_text() == good
    assert not list(reports.rglob(".*.tmp"))


def test_permission_refused_is_one_line_too(tmp_path, monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(report.tempfile, "mkstemp", refused)
    with pytest.raises(ReportWriteError, match=r"^could not write .*x\.csv: Permission denied$"):
        atomic_write(tmp_path / "x.csv", "a")


def test_a_full_table_of_open_files_for_a_moment_is_waited_out(tmp_path, monkeypatch):
    """A student's job that filled the machine's file table is stopped within a second: the report
    written meanwhile is retried, not the batch stopped (a hundred-and-fourth review)."""
    real, calls = report.tempfile.mkstemp, []

    def full_twice(*args, **kwargs):
        calls.append(1)
        if len(calls) <= 2:
            raise OSError(errno.ENFILE, "Too many open files in system")
        return real(*args, **kwargs)

    monkeypatch.setattr(report.tempfile, "mkstemp", full_twice)
    monkeypatch.setattr(report, "RETRIES_S", (0.01, 0.01))
    atomic_write(tmp_path / "x.csv", "a")
    assert (tmp_path / "x.csv").read_text() == "a" and len(calls) == 3

    def always_full(*args, **kwargs):
        raise OSError(errno.ENFILE, "Too many open files in system")

    monkeypatch.setattr(report.tempfile, "mkstemp", always_full)
    with pytest.raises(ReportWriteError, match="Too many open files in system"):      # not for ever
        atomic_write(tmp_path / "y.csv", "a")


UMASK_RUN = """
import os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
os.umask({mask})
from grader.gradebook import open_gradebook
from grader.gradebook.outputs import write_reports
from grader.spec import load_spec
from tests.gradebook_helpers import cohort
gb = open_gradebook(Path({reports!r}))
gb.store_result(cohort()[0])
write_reports(gb, Path({reports!r}), load_spec())
gb.close()
"""


@pytest.mark.parametrize("mask,mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_reports_get_the_umask_permissions(tmp_path, mask, mode):
    """A TA's umask is set before the grader starts: run it in a process of its own."""
    reports = tmp_path / "reports"
    subprocess.run([sys.executable, "-c", UMASK_RUN.format(root=str(ROOT), mask=mask, reports=str(reports))],
                   check=True, timeout=120)
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert len(files) >= 5 and any(p.name == "gradebook.sqlite" for p in files)
    for p in files:
        assert p.stat().st_mode & 0o777 == mode, (p, oct(p.stat().st_mode))
    # A file whose mode a TA changed keeps it when it is written again.
    os.chmod(reports / "summary.csv", 0o660)
    atomic_write(reports / "summary.csv", "x\n")
    assert (reports / "summary.csv").stat().st_mode & 0o777 == 0o660
    with AtomicStream(reports / "summary.csv") as out:       # a streamed sheet keeps it as well
        out.write("y\n")
    assert (reports / "summary.csv").stat().st_mode & 0o777 == 0o660


def test_a_stream_that_fails_midway_leaves_the_old_file_and_no_litter(tmp_path):
    path = tmp_path / "manual" / "sheet.html"
    atomic_write(path, "old")
    with pytest.raises(RuntimeError):
        with AtomicStream(path) as out:
            out.write("half of the new")
            raise RuntimeError("the renderer broke")
    assert path.read_text() == "old" and sorted(p.name for p in path.parent.iterdir()) == ["sheet.html"]


@pytest.fixture
def tmpfs(tmp_path):
    """A small file system of its own (root only: mount)."""
    if not IS_ROOT or shutil.which("mount") is None:
        pytest.skip("needs root to mount a tmpfs (the injected-error tests cover the rest)")
    mnt = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()

    def mount(size, extra=""):
        opts = f"size={size}" + (f",{extra}" if extra else "")
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(mnt)], capture_output=True, text=True)
        if res.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
        return mnt

    def remount(size):
        subprocess.run(["mount", "-o", f"remount,size={size}", str(mnt)], check=True)

    mount.remount = remount
    yield mount
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill_up(folder, leave: int):
    """A ballast file that leaves ``leave`` bytes free on the file system of ``folder``."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize - leave
    ballast = folder / "ballast.bin"
    with open(ballast, "wb") as fh:
        try:
            while free > 0:
                n = min(free, 1 << 20)
                fh.write(b"\0" * n)
                free -= n
        except OSError:
            pass
    return ballast


@pytest.mark.parametrize("size,leave", [("400k", None), ("1m", None), ("8m", 24 * 1024), ("8m", 160 * 1024)])
def test_a_full_disk_stops_cleanly_and_the_batch_resumes(tmpfs, size, leave):
    """Small file systems fill up in the gradebook (its journal); with a ballast file the
    gradebook fits and the report files run out of space: both stop cleanly."""
    root = tmpfs(size)
    reports = root / "reports"
    spec = load_spec()
    results = many(120)
    stored = []
    gb = None
    error = None
    ballast = None
    try:
        gb = open_gradebook(reports)
        for r in results:
            record(gb, reports, r, r.key)
            stored.append(r.key)
        if leave is not None:
            ballast = fill_up(root, leave)
        finish(gb, reports, spec)
    except (ReportWriteError, sqlite3.Error) as exc:
        error = exc
    if gb is not None:
        gb.close()
    assert error is not None, f"{size} was expected to fill up"
    assert ("No space left on device" in str(error)) or ("full" in str(error)), error
    if leave is not None:
        assert isinstance(error, ReportWriteError) and str(error).startswith(f"could not write {reports}")
    # Nothing half-written, every file that is there is complete.
    assert not list(reports.rglob(".*.tmp"))
    for p in reports.rglob("*"):
        if p.is_file() and p.suffix in (".json", ".csv", ".html"):
            valid(p)
    # Everything committed before the failure is in the gradebook, which is intact.
    if ballast is not None:
        ballast.unlink()
    tmpfs.remount("16m")
    gb = open_gradebook(reports)
    assert gb.read().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(stored) <= set(gb.fingerprints())
    # Resume: what is stored is skipped, the rest is stored, the reports are complete.
    todo = [r for r in results if r.key not in gb.fingerprints()]
    for r in todo:
        record(gb, reports, r, r.key)
    final = finish(gb, reports, spec)
    gb.close()
    assert len(final) == 120
    rows = list(csv.DictReader(io.StringIO((reports / "summary.csv").read_text(), newline="")))
    assert len(rows) == 120
    for p in reports.rglob("*"):
        if p.is_file() and p.suffix in (".json", ".csv", ".html"):
            valid(p)


@pytest.mark.slow
@pytest.mark.parametrize("leave", [None, 200 * 1024])
def test_grader_grade_on_a_full_disk_exits_non_zero_with_one_line(tmpfs, data_home, tmp_path, leave):
    """None: the report folder cannot even hold the gradebook; 200 kB: it fills up mid-batch."""
    root = tmpfs("48k" if leave is None else "4m")
    if leave is not None:
        fill_up(root, leave)
    out = root / "reports"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "300"}
    res = subprocess.run([sys.executable, "-m", "grader", "grade", str(ROOT / "submissions"), "--out", str(out),
                          "-j", "1"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    text = res.stdout + res.stderr
    assert res.returncode == 4, text
    assert "Traceback" not in text
    lines = [ln for ln in text.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "could not write" in lines[0] and (
        "No space left on device" in lines[0] or "full" in lines[0]), text
    assert "reports:" not in text                    # no claim of outputs that were not written
    assert not list(out.rglob(".*.tmp"))
    if (out / "gradebook.sqlite").exists():
        db = sqlite3.connect(out / "gradebook.sqlite")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
    for p in out.rglob("*"):
        if p.is_file() and p.suffix in (".json", ".csv", ".html"):
            valid(p)
