"""`grader check`: a student checks one notebook before handing it in (public checks only)."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..data import ensure_dataset
from ..engines import make_engine
from ..pipeline import Grader, GraderError, engine_setup
from ..results import SubmissionResult
from ..spec import load_spec
from .common import spec_data_engine_args


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="check one notebook before handing it in (student)",
                       description="Run the public checks on one notebook and show what passes and what to fix. "
                                   "Hidden tests and the answer key are not used: True/False answers are only "
                                   "checked for their format. Exit code 0 when everything automatic passes and "
                                   "every written answer is filled in.")
    c.add_argument("notebook", type=Path)
    spec_data_engine_args(c)
    c.set_defaults(run=cmd_check)


def cmd_check(args, console: Console) -> int:
    spec = load_spec(args.spec)
    if not args.notebook.is_file():
        console.print(f"[red]error:[/] no such file: {args.notebook}")
        return 2
    home, _ = ensure_dataset(args.data)
    # A student bundle brings the reference's observations; otherwise the reference runs in a
    # second worker beside the student's cells (when there are two cores).
    bundled = bool(spec.assignment.get("public_reference"))
    workers = 2 if (os.cpu_count() or 1) >= 2 and args.engine == "fork" and not bundled else 1
    engine = make_engine(args.engine, engine_setup(spec, home, workers))
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
    course_files = {spec.file(k).resolve() for k in ("solution", "template") if k in spec.assignment}
    if args.notebook.resolve() in course_files:   # the course's own notebooks are no submissions
        r.filename_ok, r.filename_problems = True, []
        r.flags = [f for f in r.flags if f != "filename"]
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


