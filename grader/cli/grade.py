"""`grader grade`: a TA grades a folder (or a Moodle zip) of submissions into a report folder."""
from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .. import __version__, identity, moodle
from ..data import ensure_dataset
from ..engines import default_workers, make_engine
from ..gradebook import open_gradebook
from ..gradebook.outputs import finish, pending_answers, record
from ..gradebook.models import now
from ..identity import Submission
from ..naming import loose_name, name_fits
from ..pipeline import Grader, GraderError, engine_setup
from ..report import ReportWriteError
from ..results import NO_NOTEBOOK, CheckResult, SubmissionResult
from .helptext import HelpFormatter
from .common import CliError, display_name, shown_path, spec_data_engine_args, spec_of
from .console import one_line

EPILOG = """examples:
  grader grade "Assignment 7-12345.zip"   Moodle's "Download all submissions" zip, as downloaded
  grader grade submissions/               every notebook below a folder (Moodle's unpacked tree too)
  grader grade subs/ --out marks/ -j 2    two workers, reports in marks/
  grader grade subs/ --force              regrade everything (after a fix to a hidden test); the
                                          TAs' grades of written answers stay

Reports go to reports/ (gradebook.sqlite, summary.csv, feedback pages); the batch ends by saying
how many written answers wait for a TA (grader serve, or grader manual export).

Data: the provided data-loader cell needs FashionMNIST. The grader uses the real files when
--data DIR (or $GRADER_DATA) holds data/FashionMNIST/raw, and otherwise writes a small
deterministic stand-in there (default ~/.cache/grader). It never downloads anything.
"""


def add_parser(sub) -> None:
    g = sub.add_parser("grade", help="grade a Moodle zip or a folder of submissions (TA)",
                       description="Grade every .ipynb in Moodle's 'Download all submissions' zip or below a "
                                   "folder (recursively). Stores the results in <out>/gradebook.sqlite and writes "
                                   "one CSV and one JSON per student, summary.csv, manual_answers.csv and the "
                                   "feedback pages. Re-running skips notebooks already graded with the same spec "
                                   "and grader version, so an interrupted batch resumes.",
                       formatter_class=HelpFormatter, epilog=EPILOG)
    g.add_argument("folder", nargs="?", type=Path, default=None, metavar="ZIP_OR_FOLDER",
                   help="Moodle's submissions zip, or a folder with notebooks (default: submissions/)")
    g.add_argument("--out", "-o", type=Path, default=Path("reports"),
                   help="report folder (default: reports/); the other commands call it --reports")
    g.add_argument("-j", "--jobs", type=int, default=default_workers(),
                   help=f"notebooks graded in parallel, one warm worker each (default: cores + 1, "
                        f"here {default_workers()})")
    g.add_argument("--force", action="store_true", help="regrade notebooks that were already graded")
    g.add_argument("--older", action="store_true",
                   help="grade files older than the ones graded before under the same name (an older download "
                        "is refused without it: its notebooks would replace the resubmissions)")
    g.add_argument("--dask-scheduler", metavar="ADDRESS", default=None,
                   help="grade on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786); each Dask worker "
                        "keeps its own warm engine; reports are still written here (needs the 'dask' extra)")
    g.add_argument("--draw-seed", type=int, default=None, metavar="N",
                   help="draw the hidden values that hidden.toml gives as ranges from N, so that two runs with "
                        "the same N grade with the same values (by default they are drawn afresh for every run, "
                        "so a value that leaks out of a batch is spent); keep N as secret as hidden.toml")
    spec_data_engine_args(g)
    g.set_defaults(run=cmd_grade)


def find_notebooks(folder: Path) -> tuple[list[Path], list[Path]]:
    """(notebooks, other files) below folder; Jupyter's checkpoint copies are ignored."""
    notebooks, others = [], []
    for path in sorted(folder.rglob("*")):
        if ".ipynb_checkpoints" in path.parts or path.name.startswith("."):
            continue
        if not path.is_file():
            if moodle.is_notebook(path) and (path.is_dir() or path.is_symlink()):
                others.append(path)     # a folder named like a notebook had vanished without a word (review 191)
            continue
        # A symbolic link is listed, never graded: it may point at a classmate's notebook.
        (notebooks if moodle.is_notebook(path) and not path.is_symlink() else others).append(path)
    return notebooks, others


def _sha(path: Path) -> str:
    """Read in blocks: a notebook is hashed before its size is checked, and a 1.5 GB one in a
    1.6 MB Moodle zip took the grader to 1.6 GB (a hundred-and-forty-seventh review)."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return ""


def _line(r: SubmissionResult, flags: list[str] | None = None) -> str:
    """``flags``: the result's flags with the TAs' decisions applied (an override for an earlier
    notebook), where they differ from the automatic result's."""
    if r.no_notebook:
        return (f"[dim]–[/] {one_line(r.who)} ({r.participant_id}): [yellow]no notebook handed in[/] "
                f"(found: {one_line(r.handed_in or 'nothing')})")
    # A flag that only repeats the status (`unreadable` beside "unreadable: ...") is not shown twice.
    said = r.status.split(":", 1)[0] if r.status != "graded" else ""
    shown = [f for f in (r.flags if flags is None else flags) if not f.startswith("note:") and f != said]
    # ✓ graded, nothing to look at; ! graded, with flags for a TA (a new TA's review: a notebook with
    # `raised:` or `several-notebooks` got a ✓ while the summary counted it flagged); ✗ not graded.
    mark = "[green]✓[/]" if r.status == "graded" and r.filename_ok and not shown else "[yellow]![/]"
    if r.status != "graded":
        mark = "[red]✗[/]"
    # override-earlier marks the line; the note after the points says it in words.
    listed = [f for f in shown if f != "override-earlier"]
    flags = f"  [yellow]{one_line(', '.join(listed))}[/]" if listed else ""
    status = "" if r.status == "graded" else f"  [red]{one_line(r.status)}[/]"
    # The Moodle participant beside the file: two students' files can be named alike (one named
    # after a classmate), and their lines must not read the same (a TA's review).
    who = f" ({one_line(r.participant)})" if r.participant else ""
    # The mark says whether a TA must look; the points' colour how far from full marks they are (a
    # TA's review read "✓ ... 30/50" as a pass).
    colour = "green" if r.auto_points >= r.auto_max else "red" if r.auto_points <= 0 else "yellow"
    return f"{mark} {one_line(r.file)}{who}  [bold {colour}]{r.auto_points:g}/{r.auto_max:g}[/]{status}{flags}"


def _older(sub: Submission, before: tuple | None, sha: str) -> bool:
    """Is this file another notebook than the one graded before under its key, and older?"""
    if before is None or not before[1] or not sha or before[1] == sha or not isinstance(before[2], (int, float)):
        return False
    try:
        return sub.path.stat().st_mtime < before[2] - 1
    except OSError:
        return False


def _change(r: SubmissionResult, before: tuple | None, older: list[str]) -> str:
    """What changed since this notebook's key was graded before: its points (a TA sees "was 46"
    beside 21), and a file older than the one graded then, collected in ``older``."""
    if before is None:
        return ""
    points, sha, modified = before
    then, now = modified, r.extra.get("modified")
    if sha and r.sha256 and sha != r.sha256 and isinstance(then, (int, float)) and isinstance(now, (int, float)) \
            and now < then - 1:
        older.append(one_line(r.who))
        return f"  [yellow](was {points:g}: this file is older than the one graded before)[/]"
    if points != r.auto_points:
        return f"  [dim](was {points:g}{': the file changed' if sha and sha != r.sha256 else ''})[/]"
    if sha and r.sha256 and sha != r.sha256:
        # A resubmission that scores as before is still news to a TA (a sixty-first review: only
        # "1 written answer(s) wait" hinted that two students had handed in again).
        return "  [dim](the file changed; points as before)[/]"
    return ""


def _regrade_waits(shown: SubmissionResult, spec) -> str:
    """Written answers a TA graded that changed with this notebook (a sixty-seventh review: only
    "1 written answer(s) wait" said that bob's 22 points were now for an old text)."""
    from ..gradebook.decisions import KEPT_ASIDE
    titles = {t.id: t.title for t in spec.tasks}
    stale = [(titles.get(c.task, c.task), c.review.ta) for c in shown.checks
             if c.manual_task and c.answer is not None and c.review is not None and c.review.stale and not c.review.reason]
    # A graded answer the resubmission left empty: its points no longer count (a hundred-and-tenth
    # review read "points as before" while the total fell by the TA's 7).
    gone = [titles.get(c.task, c.task) for c in shown.checks
            if c.manual_task and c.answer is None and KEPT_ASIDE in (c.message or "")]
    out = ""
    if stale:
        said = ", ".join(f"{title} (graded by {one_line(ta)})" if ta else title for title, ta in stale)
        out += f"  [yellow](answer changed since graded: {said}; the old points count until a TA grades it again)[/]"
    if gone:
        out += (f"  [yellow](graded answer now empty: {', '.join(gone)}; its TA grade no longer counts, and counts "
                f"again if the answer comes back)[/]")
    return out


def _attach_identity(r: SubmissionResult, sub: Submission, sha: str) -> None:
    r.key, r.path, r.sha256 = sub.key, sub.rel, sha
    try:
        r.extra["modified"] = round(sub.path.stat().st_mtime, 3)
    except (OSError, AttributeError):
        pass
    r.participant_id, r.participant = sub.participant_id, sub.participant
    if sub.siblings > 1 and "several-notebooks" not in r.flags:
        r.flags.append("several-notebooks")
    if sub.participant and r.name and not name_fits(r.name, sub.participant) and "name-mismatch" not in r.flags:
        r.flags.append("name-mismatch")
        # The file name is the student's to type: named after a classmate, its matriculation
        # number would put this notebook's marks on the classmate's row wherever a TA copies
        # marks by number (and flag the classmate `duplicate-matr`). Moodle's participant is who
        # handed it in; the number is kept only in the note.
        if r.matr_number:
            r.details.append(f"The file name says {r.name}, {r.matr_number}; Moodle says it was handed in by "
                             f"{sub.participant} (participant {sub.participant_id}), so the number is not used.")
            r.matr_number = ""


def _no_notebook(sub: Submission, root: Path, spec) -> SubmissionResult:
    r = SubmissionResult(file=f"{sub.rel} (no notebook)", status=NO_NOTEBOOK, flags=["no-notebook"],
                         key=sub.key, participant_id=sub.participant_id, participant=sub.participant, path=sub.rel)
    found = list(sub.files) if sub.files else [f for f in (root / sub.rel).rglob("*") if f.is_file()]
    files = ", ".join(display_name(Path(moodle.handed_in_name(f, root))) for f in found) or "nothing"
    inside = [f"{display_name(z)} holds {', '.join(names)}" for z in found if (names := zipped_notebooks(z))]
    hint = (f"; {'; '.join(inside)}: hand in the .ipynb itself (a TA can unpack it into the folder and grade "
            f"again)") if inside else ""
    for task in spec.tasks:
        r.checks.append(CheckResult(task.id, "notebook", task.max_points, 0.0, False,
                                    f"no .ipynb notebook was handed in (found: {files}){hint}",
                                    manual_task=task.kind == "manual"))
    return r


def zipped_notebooks(path: Path, most: int = 3) -> list[str]:
    """Names of the notebooks inside a zip a participant handed in instead of the notebook (read
    from the zip's directory only: nothing is unpacked)."""
    if path.suffix.lower() != ".zip":
        return []
    listed = moodle.directory_size(path)
    if listed is None or listed > moodle.MAX_LISTED_DIRECTORY:
        return []
    try:
        with zipfile.ZipFile(path) as zf:
            names = [Path(i.filename).name for i in zf.infolist()[:10_000]
                     if moodle.is_notebook(Path(i.filename)) and not i.is_dir()]
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError):
        return []
    shown = [display_name(Path(n)) for n in names[:most]]
    return shown + ([f"{len(names) - most} more"] if len(names) > most else [])


def shown_as(sub: Submission, root: Path) -> str:
    """The notebook's name as the student chose it (without a flat Moodle download's prefix)."""
    return display_name(Path(moodle.handed_in_name(sub.path, root)))


def _flag_duplicates(results: list[SubmissionResult]) -> None:
    by_matr: dict[str, list[SubmissionResult]] = {}
    for r in results:
        if r.matr_number:
            # One number however it is spelled ('01234567', 'K01234567'): a twenty-eighth review
            # kept a classmate's number by leaving out its 'k'.
            m = re.fullmatch(r"[kK]?0*(\d+)", r.matr_number)
            by_matr.setdefault(m.group(1) if m else r.matr_number, []).append(r)
    for group in by_matr.values():
        # One participant's several notebooks (a draft and a final one, folders Moodle spelled in two
        # ways) give their own number twice: no one else's (a hundred-and-sixty-seventh review).
        if len({r.participant_id for r in group}) == 1 and group[0].participant_id:
            continue
        if len(group) > 1:
            # Two Moodle participants whose file names give one number: a file name is the
            # student's to type, so neither number is used (a classmate's number in one's own
            # well-named file put one's marks on the classmate's number; a twenty-fourth review).
            owners = {r.participant_id for r in group if r.participant_id}
            for r in group:
                if "duplicate-matr" not in r.flags:
                    r.flags.append("duplicate-matr")
                if len(owners) > 1 and r.participant_id:
                    r.details.append(f"The file name says {r.matr_number}, and another participant's file name says "
                                     f"the same number, so it is not used: a TA checks which of the two it is.")
                    r.matr_number = ""


def _flag_gone(results: list[SubmissionResult], here: set[str], folders: set[str], files: set[tuple[str, str]],
               back: list[str]) -> None:
    """Flag ``gone`` a notebook of a Moodle participant whose folder is in the download graded now but that is not in
    it any more (removed or replaced in Moodle), or a record of theirs that said they handed in none: it does not
    count while another of theirs is (review 481: a draft removed from the folder kept counting with its higher total,
    and Moodle got its grade). A notebook graded from another folder, or of a participant not in this download, is
    left as it is, and so is one whose file is here under another name (the same bytes: renamed in Moodle, or the
    participant's folder graded on its own, review 484); one that is back loses the flag (its key in ``back``)."""
    for r in results:
        if r.key in here:
            if identity.GONE in r.flags:
                r.flags.remove(identity.GONE)
                back.append(r.key)
        elif r.participant_id in folders and identity.GONE not in r.flags and \
                (r.participant_id, r.sha256) not in files:
            r.flags.append(identity.GONE)


def check_input(folder: Path | None) -> Path:
    """The folder or zip to grade, or one line that says what was expected."""
    if folder is None:
        if Path("submissions").is_dir():
            return Path("submissions")
        raise CliError("no submissions/ folder here (what grader grade grades when given nothing): pass Moodle's "
                       "zip or a folder, e.g. grader grade \"Assignment 7-12345.zip\" or grader grade subs/")
    if folder.is_dir():
        return folder
    if not folder.exists():
        raise CliError(f"no such file or folder: {folder}: pass Moodle's 'Download all submissions' zip or a "
                       f"folder of notebooks")
    if folder.suffix.lower() == ".ipynb":
        raise CliError(f"{folder} is one notebook: grader grade takes a folder (put it in one) or Moodle's zip; a "
                       f"student checks one notebook with grader check {folder}")
    if folder.suffix.lower() != ".zip":
        raise CliError(f"{folder} is not a folder or a .zip: pass Moodle's 'Download all submissions' zip or a "
                       f"folder of notebooks")
    return folder


def cmd_grade(args, console: Console) -> int:
    args.folder = check_input(args.folder)
    spec = spec_of(args)
    if args.dask_scheduler and importlib.util.find_spec("distributed") is None:
        raise CliError('--dask-scheduler needs the dask extra: pip install -e ".[dask]" (here and on every '
                       'Dask worker)')
    # A TA's terminal closed (SIGHUP: an SSH session dropped) or a `kill` (SIGTERM) stops a batch as Ctrl-C does: the
    # summary of what was graded is written and the console says to run the command again (review 481: exit 143 or
    # 129, no summary.csv, no word).
    stops = _stop_as_ctrl_c()
    try:
        return _grade(args, console, spec)
    except KeyboardInterrupt:
        # (before the batch began: unpacking a zip, reading the folder; review 484 got a traceback there)
        console.print("[yellow]interrupted before grading began: nothing was graded; run the same command again[/]")
        return 130
    finally:
        for sig, previous in stops.items():
            signal.signal(sig, previous)
        if getattr(args, "_unpacked", None):
            shutil.rmtree(args._unpacked, ignore_errors=True)


_STOPS = (signal.SIGTERM, signal.SIGHUP)


def _stop_as_ctrl_c() -> dict:
    """SIGTERM and SIGHUP raise KeyboardInterrupt in the main thread; returns the handlers they had."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def stop(*_):
        raise KeyboardInterrupt
    # (a signal ignored when the grader started stays so: `nohup grader grade ... &`, review 484)
    return {sig: signal.signal(sig, stop) for sig in _STOPS if signal.getsignal(sig) is not signal.SIG_IGN}


def _grade(args, console: Console, spec) -> int:
    given = args.given = args.folder          # the zip as the TA named it, before unpacking
    if args.folder.is_file() and args.folder.suffix.lower() == ".zip":
        unpacked = Path(tempfile.mkdtemp(prefix="grader-moodle-"))
        args._unpacked = unpacked
        skipped: list[str] = []
        try:
            with console.status(f"unpacking {args.folder.name} ..."):
                args.folder = moodle.unpack(args.folder, unpacked, skipped)
        except zipfile.BadZipFile:
            raise CliError(f"{args.folder} is not a readable zip (a download cut short?): download it again from "
                           f"Moodle, or unpack it and pass the folder") from None
        except (OSError, ValueError) as exc:
            raise CliError(f"cannot unpack {args.folder}: {getattr(exc, 'strerror', None) or exc}") from None
        for why in skipped:
            console.print(f"[yellow]not unpacked: {one_line(why)}[/] (open the zip by hand to grade that file)")
    notebooks, others = find_notebooks(args.folder)
    people = moodle.participants(args.folder)
    if given != args.folder:
        # Where to read a flagged notebook once the temporary copy is gone (a hundred-and-ninety-fourth
        # review looked for the unpacked folder).
        console.print(f"unpacked {display_name(given)}: {len(notebooks)} notebook(s), {len(people)} Moodle "
                      f"participant folder(s)")
        console.print("[dim](into a temporary folder, removed when grading ends: a notebook's own cells stay in "
                      "its report's .json, under student_cells; unzip the zip to open one in Jupyter)[/]")
    loose = moodle.flat_beside_folders(args.folder, people)
    if loose:
        console.print(f"[yellow]{len(loose)} notebook(s) named like Moodle's flat download (\"Name_1234_assignsubmission_"
                      f"file_...\") lie beside participant folders, e.g. {one_line(display_name(loose[0]))}: Moodle writes "
                      f"one kind of download, so they are graded as loose notebooks, without a participant; download "
                      f"again from Moodle, or move each into a folder named as Moodle names its participant's "
                      f"(\"Name_1234_assignsubmission_file_\")[/]")
    examples = spec.assignment.get("examples")
    own = {(spec.root / examples).resolve()} if examples else set()
    others = [o for o in others if o.resolve() not in own]    # the project's documented scores beside its examples
    links = [o for o in others if o.is_symlink()]
    for o in links:         # every one: a link in a student's folder is something to look at
        console.print(f"[yellow]skipped {one_line(display_name(o))}: a symbolic link (from a zip a student handed in?), "
                      f"never graded: it may point at a classmate's file[/]")
    others = [o for o in others if not o.is_symlink()]
    for o in [o for o in others if o.is_dir()]:        # every one: a student's upload may be inside
        console.print(f"[yellow]skipped {one_line(display_name(o))}: a folder named like a notebook, not a notebook "
                      f"file (what it holds is graded if it is a notebook; look inside it)[/]")
    others = [o for o in others if not o.is_dir()]
    for o in others[:5]:
        console.print(f"[dim]skipped {one_line(display_name(o))}: not a notebook (.ipynb)[/]")
    if len(others) > 5:       # a reports folder passed by mistake: not 600 lines before the one that matters
        console.print(f"[dim]... and {len(others) - 5} more file(s) that are not notebooks[/]")
    if not notebooks and not people:
        raise CliError(f"no notebooks (.ipynb) and no Moodle participant folders in {given}: pass the folder or "
                       f"zip that holds the submissions", 1)
    out = args.out.resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock = _lock(out)
        for stale in out.glob(".*.tmp"):   # left by a batch that was killed mid-write
            stale.unlink(missing_ok=True)
        gb = open_gradebook(out)           # old report folders are imported on first use
    except (OSError, sqlite3.Error) as exc:
        console.print(f"[red]error:[/] {_write_problem(out / 'gradebook.sqlite', exc)}")
        return 4
    try:
        return _grade_into(args, console, spec, gb, out, notebooks, people)
    except KeyboardInterrupt:
        # Ctrl-C while the summary and pages were written (the grading loop has its own): every
        # result is in the gradebook (a TA's review got a traceback from inside pandas here).
        # (`grader feedback` would not flag what the cohort flags, `gone`, `duplicate-matr`: the same command grades
        # nothing twice and writes everything again, review 484)
        console.print("[yellow]interrupted while writing the reports: every result is kept in the gradebook; run the "
                      "same command again to finish (it grades nothing twice)[/]")
        return 130
    except (ReportWriteError, sqlite3.Error) as exc:
        # One line: what could not be written and why. Everything committed before stays
        # valid: the next run resumes from the gradebook.
        console.print(f"[red]error:[/] {_write_problem(out / 'gradebook.sqlite', exc)}; grading stopped "
                      f"(what was stored is kept: free the space or fix the permission and run the same "
                      f"command again to resume)")
        return 4
    finally:
        gb.close()
        os.close(lock)


LEFT = "regrade_left"      # gradebook meta: report keys an interrupted run did not get to


def _left(gb) -> set[str]:
    """Keys an interrupted run was to (re)grade and did not. The record is written before the run
    and again at its end; after a kill -9 the end never comes, so a result stored since the run
    began counts as done (an eighty-first review: the rerun after a killed --force batch graded all
    eight notebooks again, not the seven left)."""
    try:
        record = json.loads(gb.meta(LEFT) or "[]")
    except ValueError:
        return set()
    if isinstance(record, list):              # as an older grader wrote it
        return {k for k in record if isinstance(k, str)}
    if not isinstance(record, dict):
        return set()
    keys = {k for k in record.get("keys") or () if isinstance(k, str)}
    since = record.get("since")
    return keys - gb.graded_since(since) if isinstance(since, str) and since else keys


def _lock(out: Path) -> int:
    """One batch at a time per reports folder: a second `grader grade` into it would grade every
    notebook again beside the first (a new TA's review started one twice, 4 s apart). The lock
    goes with the process, also when it is killed; `grader serve` beside a batch is fine."""
    fd = os.open(out / ".grade.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise CliError(f"another grader grade is writing to {shown_path(out)}: wait until it finishes (its "
                       f"finished reports are kept and this command then skips them), or pass another --out", 1) \
            from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def _write_problem(db_path: Path, exc: BaseException) -> str:
    if isinstance(exc, ReportWriteError):
        return str(exc)
    reason = getattr(exc, "strerror", None) or str(exc)
    return f"could not write {db_path}: {reason}"


def _grade_into(args, console: Console, spec, gb, out: Path, notebooks, people) -> int:
    subs = identity.plan(args.folder, notebooks, people, previous=gb.keys_by_path())
    fingerprint = spec.fingerprint() + "-" + __version__
    todo: list[Submission] = []
    shas = {s.key: _sha(s.path) for s in subs if s.path is not None}   # read each notebook once for this
    known = gb.fingerprints()
    # The same bytes under another name are graded again: the name is graded too (a sixty-first
    # review: a file renamed "... (1).ipynb" was skipped, and summary.csv kept the old name).
    where = {k: path for (path, _), k in gb.keys_by_path().items()}
    # Notebooks an interrupted run was to (re)grade and did not: a --force run stopped by Ctrl-C
    # left them with their old results and unchanged files (a TA's review: "run the same command
    # again" regraded everything, and without --force they were skipped).
    left = _left(gb)
    skipped = 0
    for sub in subs:
        if sub.path is None:
            continue
        if not args.force and sub.key not in left and known.get(sub.key) == (fingerprint, shas[sub.key]) \
                and where.get(sub.key, sub.rel) == sub.rel:
            skipped += 1
        else:
            todo.append(sub)
    if skipped:
        console.print(f"{skipped} notebook(s) already graded and unchanged: skipped (--force regrades)")
    before = {k: (r.auto_points, r.sha256, r.extra.get("modified")) for k, r in
              gb.automatic([s.key for s in todo], pictures=False).items() if not r.no_notebook}
    stale = [s for s in todo if _older(s, before.get(s.key), shas[s.key])]
    if stale and not args.older:
        # Last week's download graded after today's would put the older notebooks back over the
        # resubmissions (a TA's review: grades went down, exit 0, one yellow line).
        names = ", ".join(one_line(s.participant or s.rel) for s in stale[:5]) + (" ..." if len(stale) > 5 else "")
        raise CliError(f"{len(stale)} notebook(s) here are older files than the ones graded before ({names}): an "
                       f"older download? Nothing graded. Grade the newest download, or pass --older to grade these "
                       f"older files anyway", 1)
    home, standin = ensure_dataset(args.data)
    if standin:
        console.print(f"[dim]data: deterministic FashionMNIST stand-in in {home} (put the real files there to use them)[/]")
    jobs = max(1, min(args.jobs, len(todo) or 1))
    t0 = time.monotonic()
    interrupted = False
    done_now = 0
    done_keys: set[str] = set()
    # What only this record knows is to be (re)graded: a --force run's notebooks, and those a
    # stopped one left (a changed or new notebook is found by its fingerprint anyway).
    tracked = {s.key for s in todo if args.force or s.key in left}
    older: list[str] = []
    if todo:
        stream = None
        # Until each is done (also after kill -9), and before the workers start: a Ctrl-C while they
        # started left nothing recorded, and "run again without --force" skipped them all (a TA's review).
        since = now()
        gb.set_meta(LEFT, json.dumps({"since": since, "keys": sorted(tracked)}))
        try:
            stream = (_cluster_stream(args, spec, todo) if args.dask_scheduler
                      else _local_stream(args, spec, home, todo, jobs, console))
            columns = [TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TimeRemainingColumn()]
            with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
                bar = progress.add_task("grading", total=len(todo))
                for sub, r in stream:
                    with _ctrl_c_after():
                        _attach_identity(r, sub, shas[sub.key])
                        shown = record(gb, out, r, sub.key)    # committed first: survives kill -9 of this process
                        done_keys.add(sub.key)
                        done_now += 1
                        # What summary.csv says, where a TA's override makes it differ (a TA's review).
                        kept = (f"  [dim]({shown.auto_points:g} with a TA's override)[/]"
                                if shown.auto_points != r.auto_points else "")
                        if shown.overrides_to_review:
                            # Given for the notebook before this one (an eighty-first review): said, not applied unseen.
                            kept += (f"  [yellow]({len(shown.overrides_to_review)} override(s) given for an earlier "
                                     f"notebook: grader override {one_line(sub.key)} to decide again)[/]")
                        progress.console.print(_line(r, shown.flags) + kept + _change(r, before.get(sub.key), older)
                                               + _regrade_waits(shown, spec))
                        progress.advance(bar)
        except KeyboardInterrupt:
            interrupted = True
        except GraderError as exc:
            console.print(f"[red]grader setup failed:[/] {one_line(str(exc))}")
            return 3
        finally:
            if stream is not None:
                stream.close()   # stops the workers now, also after Ctrl-C
            gb.set_meta(LEFT, json.dumps({"since": since, "keys": sorted(tracked - done_keys)}))
    for sub in subs:
        if sub.path is None:
            r = _no_notebook(sub, args.folder, spec)
            gb.store_result(r, sub.key)
            console.print(_line(r))
    # Flags that need the whole cohort (two notebooks with one matriculation number), the
    # summary and the pages, all rendered from the gradebook (TA grades included).
    here = {s.key for s in subs}
    folders = {s.participant_id for s in subs if s.participant_id}
    files = {(s.participant_id, shas[s.key]) for s in subs if s.path is not None and s.participant_id}
    back: list[str] = []
    results = finish(gb, out, spec, pages=False, flag_cohort=lambda rs: (
        _flag_duplicates(rs), _flag_gone(rs, here, folders, files, back)))
    batch = [results[s.key] for s in subs if s.key in results]
    refused = sorted({n for r in batch for n in r.extra.get("limits_not_applied", [])})
    if refused:
        console.print("[yellow]limits this machine did not allow (also in each report's JSON):[/]")
        for n in refused:
            console.print(f"[yellow]  - {one_line(n)}[/]")
    try:
        from ..feedback import write_feedback
        write_feedback(out, results, spec)
    except ReportWriteError:
        raise
    except Exception as exc:  # noqa: BLE001 - the CSV reports are written; pages are extra
        console.print(f"[yellow]feedback pages not written: {one_line(str(exc))}[/]")
    took = time.monotonic() - t0
    console.print()
    if interrupted:
        console.print(f"[yellow]interrupted: {done_now} of {len(todo)} notebook(s) graded by this run, "
                      f"{len(todo) - done_now} not yet (the numbers below count only what is graded)[/]")
    for line in totals(batch, done_now, took):
        console.print(line)
    # Flags only the whole cohort shows came after each notebook's line and its mark (an eighty-seventh
    # review read two ✓ lines, then "2 flagged").
    shared = [r for r in batch if "duplicate-matr" in r.flags]
    if shared:
        console.print(f"[yellow]! duplicate-matr: {len(shared)} notebooks give a matriculation number another gives "
                      f"too (a TA checks whose it is): {one_line(', '.join(r.path or r.file for r in shared[:6]))}"
                      f"{' ...' if len(shared) > 6 else ''}[/]", soft_wrap=True)
    for line in several_notebooks(batch, results):
        console.print(line, soft_wrap=True)
    if older:
        console.print(f"[yellow]{len(older)} notebook(s) graded now are older files than the ones graded before "
                      f"(an older download?): {one_line(', '.join(older[:5]))}{' ...' if len(older) > 5 else ''}. "
                      f"Their older notebooks now count; grade the newest download again to put the newer ones "
                      f"back[/]", soft_wrap=True)
    if back:
        # (an older download graded after a newer one, whose notebooks are all unchanged, passes the check of dates:
        # review 484)
        console.print(f"[yellow]{len(back)} notebook(s) are back in their participant's folder after the download graded "
                      f"before did not hold them (an older download graded again?): {one_line(', '.join(back[:5]))}"
                      f"{' ...' if len(back) > 5 else ''}. They count again; grade the newest download to flag them gone "
                      f"again[/]", soft_wrap=True)
    others = sorted(set(results) - {s.key for s in subs})
    if others:
        console.print(f"[yellow]{len(others)} submission(s) in the gradebook are not in {one_line(display_name(args.given))} "
                      f"(kept, with their grades): {one_line(', '.join(others[:5]))}{' ...' if len(others) > 5 else ''}[/]")
        for old, new in renamed_pairs([results[k] for k in others], batch)[:5]:
            # Told from the name and number the file names give, which a student types: a classmate's
            # file named like them reads as a rename too (a hundred-and-eightieth review).
            console.print(f"[yellow]  {one_line(old)} may be {one_line(new)} now (a renamed file? the names "
                          f"are the student's to type: check it is the same student's): "
                          f"[bold]grader move {shlex.quote(old)} {shlex.quote(new)}{_reports_flag(out)}[/] carries its "
                          f"grades over[/]", soft_wrap=True)
    pending = pending_answers(results)
    if pending:
        where = "" if out == Path("reports").absolute() else f" --reports {shown_path(out)}"
        console.print(f"[cyan]{pending} written answer(s) wait for a TA:[/] grade them in the browser with "
                      f"[bold]grader serve{where}[/] (or grader manual export{where})", soft_wrap=True)
    console.print(f"reports: {shown_path(out)}/  (gradebook.sqlite, summary.csv, overview.html, manual_answers.csv, "
                  f"one .csv/.json per student, feedback/)", soft_wrap=True)
    if interrupted:
        again = "the same command again" if not args.force else "the same command again without --force"
        console.print(f"[yellow]interrupted: finished reports are kept; run {again} to grade the "
                      f"{len(todo) - done_now} notebook(s) left[/]")
        return 130
    return 0


@contextmanager
def _ctrl_c_after():
    """A notebook's result recorded, counted and told in one step: a Ctrl-C between them left a
    notebook recorded but counted as left, and the next run said one more was already graded than
    the stopped run had shown. The Ctrl-C takes effect right after the step."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda *_: caught.append(1)) for sig in (signal.SIGINT, *_STOPS)
                if signal.getsignal(sig) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            raise KeyboardInterrupt


def flagged(r: SubmissionResult) -> bool:
    """As the overview page counts it: a flag other than a note, or not graded."""
    return any(not f.startswith("note:") for f in r.flags) or r.status != "graded"


def _reports_flag(out: Path) -> str:
    return "" if out == Path("reports").absolute() else f" --reports {shlex.quote(shown_path(out))}"


def renamed_pairs(gone: list[SubmissionResult], batch: list[SubmissionResult]) -> list[tuple[str, str]]:
    """Reports no longer in the graded folder, each with the one notebook of this batch that is
    most likely the same student's, renamed (a ninetieth review: a name corrected as the grader
    told became a second student, the TAs' grades left on the first): the same matriculation
    number, or the same name, or the same written answers, and nothing else that fits as well: the
    notebook that fits in most of these ways, where only one does (a hundred-and-fifty-first review:
    Bob's renamed notebook fitted in all three, a classmate who shares his written answers in one,
    and no pair was named). Outside Moodle's folders only: a participant's key does not change with
    the file name."""
    def answers(r: SubmissionResult) -> tuple:
        return tuple(sorted((c.task, c.answer_sha or "") for c in r.checks if c.manual_task and c.answer))

    def name(r: SubmissionResult) -> str:
        return (r.name or loose_name(r.file)).replace("_", "").casefold()
    pairs = []
    fresh = [r for r in batch if not r.participant_id and not r.no_notebook]
    for old in gone:
        if old.participant_id:
            continue
        fit = {r.key: sum((bool(old.matr_number and r.matr_number == old.matr_number),
                           bool(name(old) and name(r) == name(old)),
                           bool(answers(old) and answers(r) == answers(old)))) for r in fresh}
        best = max(fit.values(), default=0)
        fits = [key for key, n in fit.items() if n == best]
        if best and len(fits) == 1:
            pairs.append((old.key, fits[0]))
    return pairs


def totals(batch: list[SubmissionResult], done_now: int, took: float) -> list[str]:
    """The batch in numbers: notebooks, and apart from them the participants who handed in none
    (a row of zeros, not a notebook that failed)."""
    from ..identity import counted
    notebooks = [r for r in batch if not r.no_notebook]
    absent = len(batch) - len(notebooks)
    graded = [r for r in notebooks if r.status == "graded"]
    # The mean as the overview page takes it: one notebook per student, of those graded (a TA's
    # review found three different means in the console, the overview and summary.csv).
    counting = [r for r in counted(batch) if not r.no_notebook and r.status == "graded"]
    mean = sum(r.auto_points for r in counting) / len(counting) if counting else 0
    per = "" if len(counting) == len(notebooks) else \
        " (of the graded notebooks" + (", one per student" if len(counting) != len(graded) else "") + ")"
    line = (f"[bold]{len(notebooks)} notebook(s)[/]: {len(graded)} graded, {len(notebooks) - len(graded)} "
            f"unreadable or failed, {sum(1 for r in notebooks if flagged(r))} flagged; mean {mean:.1f} automatic "
            f"points{per}; " + (f"{done_now} graded in {took:.1f} s" if done_now >= len(notebooks) else
                                 f"{done_now} graded by this run in {took:.1f} s, the others before"))
    # "8 graded ... 0 graded in 1.1 s" on a re-run read as a contradiction (a hundred-and-fifty-ninth review).
    out = [line]
    if absent:
        out.append(f"{absent} participant(s) handed in no notebook (0 points; their feedback says so)")
    return out


def several_notebooks(batch: list[SubmissionResult], results: dict[str, SubmissionResult]) -> list[str]:
    """For each participant with several notebooks: which counts so far, and why."""
    choices = identity.counting(results.values())
    seen, lines = set(), []
    for r in batch:
        c = choices.get(r.key)
        if c is None or c.key in seen:
            continue
        seen.add(c.key)
        best = results[c.key]
        line = (f"[yellow]{one_line(best.who)} ({best.participant_id}): {len(c.others) + 1} notebooks, all graded; "
                f"counted {one_line(c.file)}, {one_line(c.reason)}")
        if c.waiting:
            line += (f"; their points differ in {one_line(', '.join(c.differs))}: a TA chooses the one that counts (grader "
                     f"count lists them)")
        lines.append(line + "[/]")
    return lines


def _local_stream(args, spec, home, todo, jobs, console):
    """Grade on this machine with ``jobs`` warm workers; yield (path, result) as they finish."""
    engine = make_engine(args.engine, engine_setup(spec, home, jobs))
    console.print(f"grading {len(todo)} notebook(s) with {jobs} {args.engine} worker(s) ...")
    try:
        engine.start()
        grader = Grader(spec, engine, hidden=True)
        grader.prepare()
        room = _Budget(LARGE_AT_ONCE)

        def grade(group: list[Submission]):
            # A large notebook (photos pasted into answers, outputs kept) costs the grader several
            # times its size while it is read, its answers embedded and its result stored: large
            # ones share a budget from reading until their results are recorded (room is given back
            # below), so that they never add up (seventy-third and seventy-eighth reviews: 584 and
            # 377 MB). The notebooks every class hands in are far smaller and keep every worker busy.
            work = [(sub.path, shown_as(sub, args.folder)) for sub in group]
            size = sum(_size(sub.path) for sub in group)
            if size <= LARGE_NOTEBOOK:
                return grader.grade_together(work), 0
            room.take(size)
            try:
                return grader.grade_together(work), size
            except BaseException:
                room.give(size)
                raise

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(grade, group): group for group in by_participant(todo)}
            try:
                for fut in as_completed(futures):
                    # Popped: a finished future holds its result (photos and all) for as long as it
                    # is referenced, and the whole batch's added up (a seventy-third review: 584 MB).
                    group = futures.pop(fut)
                    try:
                        results, held = fut.result()
                    except Exception as exc:  # noqa: BLE001 - keep the batch going
                        for sub in group:
                            yield sub, SubmissionResult(file=shown_as(sub, args.folder),
                                                        status=f"grader error: {type(exc).__name__}: {exc}")
                        continue
                    try:
                        yield from zip(group, results)        # each recorded before the next is asked for
                    finally:
                        del results
                        if held:
                            room.give(held)
            finally:
                for f in list(futures):
                    f.cancel()
                room.open()          # a worker waiting for room must not hold up the pool's shutdown
        again = getattr(engine, "regraded_alone", 0)
        if again:
            console.print(f"[yellow]{again} notebook(s) graded again, each alone: the machine's kernel memory grew by "
                          f"more than {spec.limits.kernel_memory_mb} MB while they ran beside others; the one that "
                          f"held it says so in its report[/]")
    finally:
        engine.close()


# Notebooks above LARGE_NOTEBOOK bytes are graded only while the large ones in hand hold at most
# LARGE_AT_ONCE bytes together (one at a time when it alone is more): each costs the grader a few
# times its size until its result is recorded (a seventy-eighth review: seventeen of 7.97 MB under
# a per-notebook threshold of 8 MB, with seventeen workers, took it to 377 MB).
LARGE_NOTEBOOK = 1 * 2**20
LARGE_AT_ONCE = 16 * 2**20


class _Budget:
    """Bytes of large notebooks in hand, released by the thread that records their results."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0
        self._cond = threading.Condition()

    def take(self, n: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self.used == 0 or self.used + n <= self.limit)
            self.used += n

    def open(self) -> None:
        """No more waiting (the batch stops)."""
        with self._cond:
            self.limit = float("inf")
            self._cond.notify_all()

    def give(self, n: int) -> None:
        with self._cond:
            self.used -= n
            self._cond.notify_all()


def _size(path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def by_participant(todo: list[Submission]) -> list[list[Submission]]:
    """The notebooks to grade, those of one Moodle participant together: they are graded in one
    run of the engine, every public run before any hidden run, so that one of a student's
    notebooks cannot read in its messages what a hidden run of another left in the machine."""
    groups: dict[str, list[Submission]] = {}
    out: list[list[Submission]] = []
    for sub in todo:
        if sub.participant_id and sub.siblings > 1:
            if sub.participant_id not in groups:
                groups[sub.participant_id] = []
                out.append(groups[sub.participant_id])
            groups[sub.participant_id].append(sub)
        else:
            out.append([sub])
    return out


def _cluster_stream(args, spec, todo):
    from ..cluster import grade_on_cluster
    by_path = {sub.path: sub for sub in todo}
    index = {sub.key: i for i, sub in enumerate(todo)}
    spec.hidden()               # one draw for every Dask worker: the same values as a local batch
    stream = grade_on_cluster(args.dask_scheduler, spec.path, args.data,
                              [(sub.path, shown_as(sub, args.folder)) for sub in todo],
                              together=[[index[sub.key] for sub in group] for group in by_participant(todo)],
                              draw_seed=spec.draw_seed, max_bytes=spec.notebook_limits.max_bytes)
    try:
        first = next(stream)
    except StopIteration:
        return
    except (OSError, TimeoutError) as exc:     # the scheduler is not there: nothing was graded
        raise CliError(f"cannot reach the Dask scheduler at {args.dask_scheduler} ({exc}): start it (dask "
                       f"scheduler) or check the address; without --dask-scheduler this machine grades") from None
    try:
        yield by_path[first[0]], first[1]
        for path, r in stream:
            yield by_path[path], r
    finally:
        stream.close()
