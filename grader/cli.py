"""Command line: ``grader grade`` for TAs, ``grader check`` for students."""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__, moodle
from .data import ensure_dataset
from .engines import make_engine
from .pipeline import Grader, GraderError, engine_setup
from .report import atomic_write, load_result, write_submission, write_summary
from .results import CheckResult, SubmissionResult
from .spec import DEFAULT_SPEC, load_spec

EPILOG = """examples:
  grader grade submissions/            grade every notebook below submissions/ into reports/
  grader grade subs/ --out marks/ -j 2 two workers, reports in marks/
  grader check Assignment_7_JaneDoe_k12345678.ipynb
                                       a student's self-check before handing in

Data: the provided data-loader cell needs FashionMNIST. The grader uses the real files when
--data DIR (or $GRADER_DATA) holds data/FashionMNIST/raw, and otherwise writes a small
deterministic stand-in there (default ~/.cache/grader). It never downloads anything.
"""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", type=Path, default=DEFAULT_SPEC,
                   help="assignment spec (spec.toml or its folder); default: Assignment 7")
    p.add_argument("--data", type=Path, default=None,
                   help="data home holding data/FashionMNIST/raw (default: $GRADER_DATA or ~/.cache/grader)")
    p.add_argument("--engine", choices=["fork", "nbclient"], default="fork",
                   help="fork: warm forked workers (fast, default); nbclient: one fresh Jupyter kernel per "
                        "notebook (the plain, slow path)")


def _reports_args(p: argparse.ArgumentParser) -> None:
    """For the commands that work on finished reports rather than on notebooks."""
    p.add_argument("--reports", type=Path, default=Path("reports"), help="report folder (default: reports/)")
    p.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="assignment spec (default: Assignment 7)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader", description="Autograder for the course's Jupyter notebook assignments. Student code runs "
        "in separate, limited processes; checks run in the grader.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    g = sub.add_parser("grade", help="grade a folder of submissions (TA)",
                       description="Grade every .ipynb below FOLDER (recursively). Writes one CSV and one JSON "
                                   "per student plus summary.csv and manual_answers.csv into --out. Re-running "
                                   "skips notebooks already graded with the same spec and grader version.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    g.add_argument("folder", nargs="?", type=Path, default=Path("submissions"),
                   help="folder with submissions (default: submissions/)")
    g.add_argument("--out", type=Path, default=Path("reports"), help="report folder (default: reports/)")
    g.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                   help="notebooks graded in parallel (default: number of cores)")
    g.add_argument("--force", action="store_true", help="regrade notebooks that were already graded")
    g.add_argument("--dask-scheduler", metavar="ADDRESS", default=None,
                   help="grade on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786); each Dask worker "
                        "keeps its own warm engine; reports are still written here (needs the 'dask' extra)")
    _common(g)
    c = sub.add_parser("check", help="check one notebook before handing it in (student)",
                       description="Run the public checks on one notebook and show what passes and what to fix. "
                                   "Hidden tests and the answer key are not used: True/False answers are only "
                                   "checked for their format. Exit code 0 when everything automatic passes and "
                                   "every written answer is filled in.")
    c.add_argument("notebook", type=Path)
    _common(c)

    m = sub.add_parser("moodle", help="fill grades and feedback into Moodle's grading worksheet (TA)",
                       description="Fill 'Grade' and 'Feedback comments' of Moodle's downloaded grading worksheet "
                                   "from the reports (matched by participant id, else by full name). Every other "
                                   "column and row stays as it is; upload the written file to Moodle.")
    m.add_argument("worksheet", type=Path)
    m.add_argument("--out", type=Path, default=None, help="default: <reports>/<worksheet>-graded.csv")
    _reports_args(m)

    e = sub.add_parser("export", help="export the reports as a gradebook, Gradescope results or JUnit XML",
                       description="gradebook: one CSV keyed by matriculation number; gradescope: "
                                   "<out>/gradescope/<student>/results.json; junit: one XML for CI.")
    e.add_argument("--format", choices=["gradebook", "gradescope", "junit"], required=True)
    e.add_argument("--out", type=Path, default=None, help="file or folder (default: the reports folder)")
    _reports_args(e)

    man = sub.add_parser("manual", help="manual grading of written answers (TA)")
    msub = man.add_subparsers(dest="manual_command", required=True, metavar="ACTION")
    me = msub.add_parser("export", help="write HTML review sheets and a CSV to fill in",
                         description="Per written task one HTML sheet with every student's answer (markdown "
                                     "and formulas rendered offline) and manual_grades.csv to fill in.")
    me.add_argument("--out", type=Path, default=None, help="default: <reports>/manual/")
    _reports_args(me)
    mm = msub.add_parser("merge", help="merge the filled CSV into the reports and summary.csv",
                         description="Checks every row against the task maxima first; nothing is written "
                                     "unless every row is valid. Blank points are left pending.")
    mm.add_argument("csv", type=Path)
    _reports_args(mm)

    f = sub.add_parser("feedback", help="(re)write the HTML feedback pages and the overview",
                       description="One page per student in <reports>/feedback/ and <reports>/overview.html "
                                   "(grade writes them too).")
    _reports_args(f)

    v = sub.add_parser("verify", help="course CI: solution, template and examples score as documented")
    _common(v)

    r = sub.add_parser("release", help="build template.ipynb from solution.ipynb and record locked checksums",
                       description="Removes the ### BEGIN/END SOLUTION regions from the solution, writes the "
                                   "template and locked_checksums.json beside the spec.")
    r.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    r.add_argument("--check", action="store_true", help="only check that the shipped template is up to date")
    return parser


def find_notebooks(folder: Path) -> tuple[list[Path], list[Path]]:
    """(notebooks, other files) below folder; Jupyter's checkpoint copies are ignored."""
    notebooks, others = [], []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or ".ipynb_checkpoints" in path.parts or path.name.startswith("."):
            continue
        (notebooks if path.suffix == ".ipynb" else others).append(path)
    return notebooks, others


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def display_name(path: Path) -> str:
    """File names are bytes on Linux; one that is not UTF-8 is shown with replacement marks."""
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _keys(paths: list[Path]) -> dict[Path, str]:
    """A unique report name per notebook: its stem, with a suffix when two share one."""
    keys, used = {}, set()
    for p in paths:
        stem = display_name(p)[: -len(p.suffix)] if p.suffix else display_name(p)
        base = "".join(ch if ch.isprintable() and ch not in "/\\\ufffd" else "_" for ch in stem) or "notebook"
        key, n = base, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        keys[p] = key
    return keys


def _line(r: SubmissionResult) -> str:
    mark = "[green]✓[/]" if r.status == "graded" and r.filename_ok else "[yellow]![/]"
    if r.status != "graded":
        mark = "[red]✗[/]"
    shown = [f for f in r.flags if not f.startswith("note:")]
    flags = f"  [yellow]{', '.join(shown)}[/]" if shown else ""
    status = "" if r.status == "graded" else f"  [red]{r.status}[/]"
    return f"{mark} {r.file}  [bold]{r.auto_points:g}/{r.auto_max:g}[/]{status}{flags}"


def _attach_participant(r: SubmissionResult, nb: Path, root: Path, people) -> None:
    info = moodle.participant_of(nb, root)
    if info is None:
        return
    r.extra["participant_id"], r.extra["participant"] = info
    person = next((p for p in people if p.id == info[0]), None)
    if person is not None and len(person.notebooks) > 1 and "several-notebooks" not in r.flags:
        r.flags.append("several-notebooks")


def _no_notebook(p, spec) -> SubmissionResult:
    r = SubmissionResult(file=f"{p.folder.name} (no notebook)", status="no notebook handed in",
                         flags=["no-notebook"], extra={"participant_id": p.id, "participant": p.name})
    files = ", ".join(f.name for f in p.folder.rglob("*") if f.is_file()) or "nothing"
    for task in spec.tasks:
        r.checks.append(CheckResult(task.id, "notebook", task.max_points, 0.0, False,
                                    f"no .ipynb notebook was handed in (found: {files})",
                                    manual_task=task.kind == "manual"))
    return r


def _flag_duplicates(results: list[SubmissionResult]) -> None:
    by_matr: dict[str, list[SubmissionResult]] = {}
    for r in results:
        if r.matr_number:
            by_matr.setdefault(r.matr_number, []).append(r)
    for group in by_matr.values():
        if len(group) > 1:
            for r in group:
                if "duplicate-matr" not in r.flags:
                    r.flags.append("duplicate-matr")


def cmd_grade(args, console: Console) -> int:
    spec = load_spec(args.spec)
    try:
        return _grade(args, console, spec)
    finally:
        if getattr(args, "_unpacked", None):
            shutil.rmtree(args._unpacked, ignore_errors=True)


def _grade(args, console: Console, spec) -> int:
    if args.folder.is_file() and args.folder.suffix.lower() == ".zip":
        unpacked = Path(tempfile.mkdtemp(prefix="grader-moodle-"))
        args._unpacked = unpacked
        console.print(f"unpacking {args.folder.name} (Moodle download) ...")
        try:
            args.folder = moodle.unpack(args.folder, unpacked)
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            console.print(f"[red]error:[/] cannot unpack {args.folder}: {exc}")
            return 2
    if not args.folder.is_dir():
        console.print(f"[red]error:[/] {args.folder} is not a folder or a .zip. Usage: grader grade FOLDER [--out DIR]")
        return 2
    notebooks, others = find_notebooks(args.folder)
    people = moodle.participants(args.folder)
    for o in others:
        console.print(f"[dim]skipped {display_name(o)}: not a notebook (.ipynb)[/]")
    if not notebooks and not people:
        console.print(f"[yellow]no notebooks (.ipynb) found below {args.folder}[/]")
        return 1
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.tmp"):   # left by a batch that was killed mid-write
        stale.unlink(missing_ok=True)
    keys = _keys(notebooks)
    fingerprint = spec.fingerprint() + "-" + __version__
    results: dict[Path, SubmissionResult] = {}
    todo = []
    shas = {nb: _sha(nb) for nb in notebooks}   # read each notebook once for this
    for nb in notebooks:
        old = None if args.force else load_result(out / f"{keys[nb]}.json")
        if old and old.fingerprint == fingerprint and old.extra.get("notebook_sha256") == shas[nb]:
            results[nb] = old
        else:
            todo.append(nb)
    if results:
        console.print(f"{len(results)} notebook(s) already graded and unchanged: skipped (--force regrades)")
    home, standin = ensure_dataset(args.data)
    if standin:
        console.print(f"[dim]data: deterministic FashionMNIST stand-in in {home} (put the real files there to use them)[/]")
    jobs = max(1, min(args.jobs, len(todo) or 1))
    hide = [str(spec.root), str(out), str(args.folder.resolve())]
    t0 = time.monotonic()
    interrupted = False
    done_now = 0
    if todo:
        stream = None
        try:
            stream = (_cluster_stream(args, spec, todo) if args.dask_scheduler
                      else _local_stream(args, spec, home, todo, jobs, hide, console))
            columns = [TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TimeRemainingColumn()]
            with Progress(*columns, console=console, transient=True) as progress:
                bar = progress.add_task("grading", total=len(todo))
                for nb, r in stream:
                    _attach_participant(r, nb, args.folder, people)
                    r.extra["notebook_sha256"] = shas[nb]
                    r.extra["path"] = str(nb.parent / display_name(nb))
                    results[nb] = r
                    write_submission(out, r, keys[nb])
                    done_now += 1
                    progress.console.print(_line(r))
                    progress.advance(bar)
        except KeyboardInterrupt:
            interrupted = True
        except GraderError as exc:
            console.print(f"[red]grader setup failed:[/] {exc}")
            return 3
        finally:
            if stream is not None:
                stream.close()   # stops the workers now, also after Ctrl-C
    for p in people:
        if not p.notebooks:
            r = _no_notebook(p, spec)
            results[p.folder] = r
            keys[p.folder] = f"participant-{p.id}"
            write_submission(out, r, keys[p.folder])
            console.print(_line(r))
    all_results = list(results.values())
    _flag_duplicates(all_results)
    for nb, r in results.items():
        if "duplicate-matr" in r.flags or "several-notebooks" in r.flags:
            write_submission(out, r, keys[nb])
    write_summary(out, all_results, spec)
    refused = sorted({n for r in all_results for n in r.extra.get("limits_not_applied", [])})
    if refused:
        console.print("[yellow]limits this machine did not allow (also in each report's JSON):[/]")
        for n in refused:
            console.print(f"[yellow]  - {n}[/]")
    try:
        from .feedback import write_feedback
        write_feedback(out, {keys[nb]: r for nb, r in results.items()}, spec)
    except Exception as exc:  # noqa: BLE001 - the CSV reports are written; pages are extra
        console.print(f"[yellow]feedback pages not written: {exc}[/]")
    took = time.monotonic() - t0
    graded = [r for r in all_results if r.status == "graded"]
    mean = sum(r.auto_points for r in graded) / len(graded) if graded else 0
    console.print(f"\n[bold]{len(all_results)} notebook(s)[/]: {len(graded)} graded, "
                  f"{len(all_results) - len(graded)} unreadable or failed, "
                  f"{sum(1 for r in all_results if r.flags)} flagged; mean {mean:.1f} automatic points; "
                  f"{done_now} graded in {took:.1f} s")
    console.print(f"reports: {out}/  (summary.csv, overview.html, manual_answers.csv, one .csv/.json per "
                  f"student, feedback/)")
    if interrupted:
        console.print("[yellow]interrupted: finished reports are kept; run the same command again to resume[/]")
        return 130
    return 0


def _local_stream(args, spec, home, todo, jobs, hide, console):
    """Grade on this machine with ``jobs`` warm workers; yield (path, result) as they finish."""
    engine = make_engine(args.engine, engine_setup(spec, home, jobs, hide))
    console.print(f"grading {len(todo)} notebook(s) with {jobs} {args.engine} worker(s) ...")
    try:
        engine.start()
        grader = Grader(spec, engine, hidden=True)
        grader.prepare()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(grader.grade, nb, display_name(nb)): nb for nb in todo}
            try:
                for fut in as_completed(futures):
                    nb = futures[fut]
                    try:
                        yield nb, fut.result()
                    except Exception as exc:  # noqa: BLE001 - keep the batch going
                        yield nb, SubmissionResult(file=display_name(nb),
                                                   status=f"grader error: {type(exc).__name__}: {exc}")
            finally:
                for f in futures:
                    f.cancel()
    finally:
        engine.close()


def _cluster_stream(args, spec, todo):
    from .cluster import grade_on_cluster
    yield from grade_on_cluster(args.dask_scheduler, spec.path, args.data, [(nb, display_name(nb)) for nb in todo])


def cmd_check(args, console: Console) -> int:
    spec = load_spec(args.spec)
    if not args.notebook.is_file():
        console.print(f"[red]error:[/] no such file: {args.notebook}")
        return 2
    home, _ = ensure_dataset(args.data)
    hide = [str(spec.root)]   # the student's own folder is theirs to see
    # Two workers when there are two cores: the reference runs beside the student's cells.
    workers = 2 if (os.cpu_count() or 1) >= 2 and args.engine == "fork" else 1
    engine = make_engine(args.engine, engine_setup(spec, home, workers, hide))
    with console.status("starting the checker (importing PyTorch) ..."):
        engine.start()
    try:
        grader = Grader(spec, engine, hidden=False)
        with console.status("checking ..."), ThreadPoolExecutor(max_workers=2) as pool:
            ref = pool.submit(grader.prepare)
            r = grader.grade(args.notebook)
            ref.result()
    except GraderError as exc:
        console.print(f"[red]checker setup failed:[/] {exc}")
        return 3
    finally:
        engine.close()
    return render_check(r, spec, console)


def render_check(r: SubmissionResult, spec, console: Console) -> int:
    console.print(f"[bold]{r.file}[/]")
    if r.filename_ok:
        console.print(f"  filename ok: {r.name}, {r.matr_number}")
    else:
        console.print("  [red]filename:[/]")
        for p in r.filename_problems:
            console.print(f"    - {p}")
    if r.status != "graded":
        console.print(f"[red]{r.status}[/]")
    table = Table(show_lines=False, header_style="bold", expand=True)
    table.add_column("task", ratio=2, overflow="fold")
    table.add_column("check", ratio=3, overflow="fold")
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("what to do", ratio=6, overflow="fold")
    titles = {t.id: t.title for t in spec.tasks}
    for i, c in enumerate(r.checks):
        if c.passed is None:
            res = "[cyan]manual[/]"
        elif c.passed:
            res = "[green]pass[/]"
        else:
            res = "[red]FAIL[/]"
        pts = "" if c.points is None else f"{c.points:g}/{c.max_points:g}"
        first = i == 0 or r.checks[i - 1].task != c.task
        last = i == len(r.checks) - 1 or r.checks[i + 1].task != c.task
        table.add_row(titles.get(c.task, c.task) if first else "", c.check, pts, res,
                      "" if c.passed else c.message, end_section=last)
    console.print(table)
    other = [f for f in r.flags if f != "filename"]
    if other:
        console.print("[yellow]flags:[/] " + ", ".join(other))
    failed = [c for c in r.checks if c.passed is False]
    console.print(f"automatic points from public checks: {r.auto_points:g}/{r.auto_max:g} "
                  "(hidden tests and the answer key are applied at grading)")
    ok = not failed and r.filename_ok and r.status == "graded"
    console.print("[green]ready to hand in[/]" if ok else f"[red]{len(failed)} check(s) to fix[/]")
    return 0 if ok else 1


def cmd_moodle(args, console: Console) -> int:
    from .exports import load_reports
    results = list(load_reports(args.reports).values())
    if not results:
        console.print(f"[red]error:[/] no reports in {args.reports}; run `grader grade` first")
        return 2
    try:
        text, notes = moodle.fill_worksheet(args.worksheet.read_text(encoding="utf-8"), results)
    except (OSError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        return 2
    out = args.out or args.reports / f"{args.worksheet.stem}-graded.csv"
    atomic_write(out, text)
    for n in notes:
        console.print(f"[yellow]{n}[/]")
    console.print(f"wrote {out}: upload it to Moodle (Grading action: Upload grading worksheet)")
    return 0


def cmd_export(args, console: Console) -> int:
    from .exports import export
    paths = export(args.format, args.reports, args.out or args.reports, load_spec(args.spec))
    console.print(f"wrote {len(paths)} file(s): {paths[0] if len(paths) == 1 else paths[0].parent.parent}")
    return 0


def cmd_manual(args, console: Console) -> int:
    from . import manual
    spec = load_spec(args.spec)
    if args.manual_command == "export":
        paths = manual.export(args.reports, spec, args.out)
        for p in paths:
            console.print(f"wrote {p}")
        return 0
    try:
        merged, blank = manual.merge(args.csv, args.reports, spec)
    except manual.MergeError as exc:
        console.print(f"[red]nothing merged; fix these rows first:[/]\n{exc}")
        return 1
    from .exports import load_reports
    from .feedback import write_feedback
    write_feedback(args.reports, load_reports(args.reports), spec)
    console.print(f"merged {merged} grade(s) into {args.reports}/summary.csv; {blank} row(s) left blank")
    return 0


def cmd_feedback(args, console: Console) -> int:
    from .exports import load_reports
    from .feedback import write_feedback
    path = write_feedback(args.reports, load_reports(args.reports), load_spec(args.spec))
    console.print(f"wrote {path} and {args.reports}/feedback/")
    return 0


def cmd_verify(args, console: Console) -> int:
    from .verify import verify
    spec = load_spec(args.spec)
    home, _ = ensure_dataset(args.data)
    engine = make_engine(args.engine, engine_setup(spec, home, 1, [str(spec.root)]))
    try:
        engine.start()
        grader = Grader(spec, engine, hidden=True)
        grader.prepare()
        verdicts = verify(grader)
    finally:
        engine.close()
    for v in verdicts:
        console.print(f"{'[green]ok[/]  ' if v.ok else '[red]FAIL[/]'} {v.what}: {v.detail}")
    return 0 if all(v.ok for v in verdicts) else 1


def cmd_release(args, console: Console) -> int:
    from .release import release, write_release
    spec = load_spec(args.spec)
    if args.check:
        text, sums = release(spec)
        ok = text == spec.file("template").read_text(encoding="utf-8") and sums == spec.locked_checksums()
        console.print("template and checksums are up to date" if ok else
                      "[red]template.ipynb or locked_checksums.json differ from the solution: run `grader release`[/]")
        return 0 if ok else 1
    for p in write_release(spec):
        console.print(f"wrote {p}")
    return 0


COMMANDS = {"grade": "cmd_grade", "check": "cmd_check", "moodle": "cmd_moodle", "export": "cmd_export",
            "manual": "cmd_manual", "feedback": "cmd_feedback", "verify": "cmd_verify", "release": "cmd_release"}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(highlight=False)
    return globals()[COMMANDS[args.command]](args, console)


if __name__ == "__main__":
    sys.exit(main())
