"""`grader check`: a student checks one notebook before handing it in (public checks only)."""
from __future__ import annotations

import os
import re
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from ..flags import explained
from .helptext import HelpFormatter
from .common import CliError, spec_data_engine_args, spec_of

if TYPE_CHECKING:
    from ..results import SubmissionResult


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="check one notebook before handing it in (student)",
                       description="Run the public checks on one notebook and show what passes and what to fix. "
                                   "Hidden tests and the answer key are not used: True/False answers are only "
                                   "checked for their format. Exit code 0 when everything automatic passes and "
                                   "every written answer is filled in.",
                       formatter_class=HelpFormatter,
                       epilog="examples:\n"
                              "  grader check Assignment_7_JaneDoe_k12345678.ipynb\n"
                              "        one line per task, then each problem with its fix\n"
                              "  grader check --all Assignment_7_JaneDoe_k12345678.ipynb\n"
                              "        every check, passed ones too\n"
                              "  grader check --spec bundle/ Assignment_7_JaneDoe_k12345678.ipynb\n"
                              "        with the course's student bundle (grader release --bundle)\n"
                              "\nmarks (with --all): ✓ passed, ✗ to fix, ~ format ok (right or wrong is decided\n"
                              "at grading), · a written answer a TA grades\n"
                              "\nexit status: 0 ready to hand in; 1 something to fix (a check, the file name,\n"
                              "an edited or deleted cell, an unfinished written answer); 2 the command\n"
                              "could not run (no such file, a folder or a zip, a wrong option)\n")
    c.add_argument("notebook", type=Path, help="the .ipynb file you hand in")
    c.add_argument("--all", action="store_true", dest="show_all",
                   help="show every check, not only the ones to fix")
    spec_data_engine_args(c)
    c.set_defaults(run=cmd_check)


def check_input(path: Path) -> None:
    """One line on what was expected, before anything starts, when ``path`` is no notebook."""
    example = "Assignment_7_JaneDoe_k12345678.ipynb"
    if path.is_dir():
        inside = sorted(p.name for p in path.glob("*.ipynb"))
        hint = f"grader check {path / inside[0]}" if len(inside) == 1 else f"grader check {path / example}"
        raise CliError(f"{path} is a folder: pass the notebook itself, e.g. {hint}")
    if not path.exists():
        raise CliError(f"no such file: {path} (pass the .ipynb file you hand in, e.g. grader check {example})")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        raise CliError(f"{path} is a zip: grader check takes the notebook (.ipynb) you hand in; unpack it and pass "
                       f"the .ipynb")
    if suffix != ".ipynb":
        raise CliError(f"{path} is not a notebook (.ipynb): pass the .ipynb file you hand in (in Jupyter: File, "
                       f"Save; or File, Download, Notebook .ipynb)")


def cmd_check(args, console: Console) -> int:
    """The worker starts first and the grader's own libraries load while it imports PyTorch: a
    student waits for the slower of the two, not for both (the grader's side is ~0.5 s)."""
    check_input(args.notebook)
    spec = spec_of(args)
    from ..data import ensure_dataset, has_dataset
    from ..engines import engine_setup, make_engine
    empty = args.data is not None and not has_dataset(Path(args.data))
    home, _ = ensure_dataset(args.data)
    if empty:
        # A mistyped --data was filled with the stand-in without a word (an eighty-fifth review).
        console.print(f"[dim]data: no FashionMNIST in {args.data}: the checker wrote its deterministic stand-in "
                      f"there (a typo in --data?)[/]", soft_wrap=True)
    # A student bundle brings the reference's observations; otherwise the reference runs in a
    # second worker beside the student's cells (when there are two cores).
    bundled = bool(spec.assignment.get("public_reference"))
    workers = 2 if (os.cpu_count() or 1) >= 2 and args.engine == "fork" and not bundled else 1
    engine = make_engine(args.engine, engine_setup(spec, home, workers))
    status = console.status("starting the checker (importing PyTorch) ...")
    status.start()
    try:
        engine.start(wait=False)
        from ..pipeline import Grader, GraderError      # loads while the worker imports PyTorch
        try:
            grader = Grader(spec, engine, hidden=False)
            engine.wait_ready()
            status.update("checking ...")
            # A cell that runs on (an endless loop) is said while it runs, also into a pipe, where
            # the spinner shows nothing (a seventy-sixth review waited a silent minute).
            limit = int(spec.limits.cell_timeout_s)
            slow = threading.Timer(STILL_RUNNING_AFTER, _still_running, (console, status, limit))
            slow.daemon = True
            slow.start()
            try:
                with ThreadPoolExecutor(max_workers=1) as pool:
                    ref = pool.submit(grader.prepare)
                    r = grader.grade(args.notebook)
                    ref.result()
            finally:
                slow.cancel()
        except GraderError as exc:
            status.stop()
            console.print(f"[red]checker setup failed:[/] {exc}")
            return 3
    except KeyboardInterrupt:
        status.stop()
        console.print("interrupted: nothing was checked")
        return 130
    finally:
        status.stop()
        engine.close()       # a worker still importing PyTorch is killed, not waited for
    course_files = {spec.file(k).resolve() for k in ("solution", "template") if k in spec.assignment}
    if args.notebook.resolve() in course_files:   # the course's own notebooks are no submissions
        r.filename_ok, r.filename_problems = True, []
        r.flags = [f for f in r.flags if f != "filename"]
    return render_check(r, spec, console, show_all=args.show_all)


STILL_RUNNING_AFTER = 10.0      # seconds


def _still_running(console: Console, status, limit: int) -> None:
    text = (f"still checking after {STILL_RUNNING_AFTER:g} s: a cell that runs long (an endless loop?) is stopped "
            f"after {limit} s and named below")
    if console.is_terminal:
        status.update(text)
    else:
        console.print(text)


def _wrap(text: str, width: int, indent: str, hang: str | None = None) -> list[str]:
    """Lines of at most ``width`` characters, broken between words only (``hang``: the indent of
    the lines after the first)."""
    return textwrap.wrap(text, width=max(20, width), initial_indent=indent,
                         subsequent_indent=indent if hang is None else hang,
                         break_long_words=False, break_on_hyphens=False) or [indent]


def _mark(c) -> tuple[str, str]:
    """(symbol, style) of one check as a student reads it before handing in."""
    if c.passed is False:
        return "✗", "red"
    if c.manual_task:
        return "·", "cyan"
    if c.points is None:
        return "~", "cyan"        # format ok: right or wrong is decided at grading
    return "✓", "green"


def _task_line(task, checks) -> str:
    if all(c.manual_task for c in checks):
        if any(c.passed is False for c in checks):
            return f"not answered   0/{task.max_points:g}"
        from ..checks.manual import unfinished
        if any(c.answer is not None and unfinished(c.answer) is not None for c in checks):
            # Not "answered" above a lone "TODO" (an eighty-fifth review read the table and stopped there).
            return f"answered, but look at it (below): a TA grades it ({task.max_points:g} points)"
        return f"answered: a TA grades it ({task.max_points:g} points)"
    # Only the form can be checked now (True/False answers): some check waits for grading. A task
    # whose every check failed is 0, not "format ok for 0 of 5" (an empty notebook's code tasks).
    if any(c.points is None for c in checks) and all(c.points is None or c.passed is False for c in checks):
        ok = sum(1 for c in checks if c.passed is not False)
        lost = sum(c.max_points for c in checks if c.points is not None)
        # The statements left out are 0 already: "(10 points)" for 3 of 5 answered said otherwise
        # (a student's review).
        return (f"format ok: scored at grading ({task.max_points:g} points)" if ok == len(checks) else
                f"{len(checks) - ok} of {len(checks)} not accepted (0/{lost:g}); {ok} scored at grading "
                f"({task.max_points - lost:g} points)")
    got = sum(c.points or 0 for c in checks)
    return f"{got:g}/{sum(c.max_points for c in checks):g}"


def render_check(r: SubmissionResult, spec, console: Console, show_all: bool = False) -> int:
    """What a student reads: one line per task, then each problem with its fix (``show_all``:
    every check). Lines break between words at any terminal width."""
    width = console.width
    out = console.print
    out(Text(r.file, style="bold"))
    if r.filename_ok and not r.name:
        out(Text("  the course's own notebook: no filename rules"))
    elif r.filename_ok:
        out(Text(f"  filename ok: {r.name}, {r.matr_number}"))
    else:
        out(Text("  filename:", style="red"))
        for p in r.filename_problems:
            for line in _wrap(f"- {p}", width, "    ", "      "):
                out(Text(line))
    if r.status != "graded":
        # Nothing of the notebook could be read: one problem, said once, not once per task.
        for line in _wrap(r.status, width, "  "):
            out(Text(line, style="red"))
        out()
        for line in _wrap("Nothing else can be checked until the notebook opens; fix this first and check "
                          "again.", width, ""):
            out(Text(line))
        out(Text("1 problem to fix", style="red"))
        return 1
    out()
    name_width = min(max((len(t.title) for t in spec.tasks), default=10) + 2, width // 2)
    for task in spec.tasks:
        checks = [c for c in r.checks if c.task == task.id]
        if not checks:
            continue
        summary = _task_line(task, checks)
        style = ("red" if any(c.passed is False for c in checks) else
                 "yellow" if summary.startswith("answered, but") else "green")
        head = f"{task.title:<{name_width}}" if len(task.title) < name_width else task.title + "  "
        if len(head) + len(summary) <= width:
            out(Text(head) + Text(summary, style=style))
        else:
            out(Text(task.title))
            out(Text("  " + summary, style=style))
        if show_all:
            for c in checks:
                symbol, colour = _mark(c)
                pts = {"~": "  format ok", "·": "  a TA grades it"}.get(symbol, f"  {(c.points or 0):g}/{c.max_points:g}")
                out(Text(f"  {symbol} ", style=colour) + Text(c.check + pts))
                if c.passed is False:
                    for line in _wrap(c.message, width, "      "):
                        out(Text(line))
    failed = [c for c in r.checks if c.passed is False]
    groups = _same_message(failed)
    if failed and not show_all:
        out()
        out(Text(f"To fix ({len(groups)}):", style="bold"))     # the entries below, not the checks they hold
        titles = {t.id: t.title for t in spec.tasks}
        for group in groups:
            c = group[0]
            title = titles.get(c.task, c.task)
            label = title if c.check in ("answer", "notebook") else c.check if ": " in c.check else f"{title}: {c.check}"
            if len(group) > 1:     # one error, said once: "ANN_sigmoid: builds, layers, ..." (a student's review)
                label += ", " + ", ".join(d.check.rsplit(": ", 1)[-1] for d in group[1:])
            out(Text("  ✗ ", style="red") + Text(label, style="bold"))
            after = [d.check.rsplit(": ", 1)[-1] for d in group[1:] if d.message != c.message]
            message = c.message + (f" ({', '.join(after)}: not checked, as it stopped at this error)" if after else "")
            for line in _wrap(message, width, "    "):
                out(Text(line))
    unsure = _unfinished_answers(r, spec)
    if unsure:
        # Not a check (a TA grades these), but "ready to hand in" above a leftover placeholder or a
        # "TODO" would cost the answer (a student's review).
        out()
        out(Text(f"Written answers to look at ({len(unsure)}):", style="bold"))
        for line in unsure:
            for i, part in enumerate(_wrap(line, width, "    ")):
                out(Text("  ! ", style="yellow") + Text(part[4:]) if i == 0 else Text(part))
    other = [f for f in r.flags if f != "filename"]
    if other or r.details:
        out()
    if other:
        for line in _wrap("flags: " + ", ".join(other), width, ""):
            out(Text(line, style="yellow"))
        # What a flag asks of the student, once per kind (a student's review: `edited:ann-sigmoid-test`
        # stood bare above "ready to hand in").
        for help_text in explained(other, _describer(spec, r)):
            for i, line in enumerate(_wrap(help_text, width, "  ")):
                out(Text(("- " + line[2:]) if i == 0 else line, style="yellow"))
    for d in r.details:            # what the flags mean for this notebook, in words
        for i, line in enumerate(_wrap(d, width, "  ")):
            out(Text(("- " + line[2:]) if i == 0 else line, style="yellow"))
    out()
    for line in _wrap(_points_line(r, spec), width, ""):
        out(Text(line))
    # A cell that raises costs no point where what it defined is right, but Jupyter's "Run All"
    # stops there: not ready to hand in (a new TA's review).
    raised = [f.split(":", 1)[1] for f in r.flags if f.startswith("raised:")]
    # Cells to put back as the template has them: no point lost, but the notebook is not the one
    # handed out (a student's review: "copy it back" above "ready to hand in").
    restore = [f.split(":", 1)[1] for f in r.flags if f.split(":", 1)[0] in ("deleted", "edited")]
    moved = [f.split(":", 1)[1] for f in r.flags if f.startswith("reordered:")]
    twice = [f.split(":", 1)[1] for f in r.flags if f.startswith("duplicated:")]
    # A value fixed that grading passes in: the public run may pass where grading will not (a fairness
    # review, 291: a seed in the class and `range(1, 3)` around `train` read "ready to hand in").
    fixed = [f.split(":", 1)[1] for f in r.flags if f.startswith("fixed-value:")]
    copied = [f.split(":", 1)[1] for f in r.flags if f.startswith("redefined:")]
    ok = (not failed and r.filename_ok and r.status == "graded" and not raised and not restore and not moved
          and not twice and not unsure and not fixed and not copied)
    # The entries listed, and the checks they hold where these differ (a student's review: "To fix (15)"
    # above "to fix: 23 check(s)").
    plural = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")   # noqa: E731 - no "(s)": a seventy-sixth review
    todo = [(f"the {plural(len(failed), 'check')} above" if len(groups) == len(failed) else
             f"the {plural(len(groups), 'problem')} above ({plural(len(failed), 'check')})")] if failed else []
    if unsure:
        todo.append("the written answer above" if len(unsure) == 1 else "the written answers above")
    if not r.filename_ok:
        todo.append("the file name")
    # Cells by what the flags above say of them, not by their IDs, which Jupyter does not show (a
    # seventy-sixth review: "the error in answers-3-3").
    n = lambda cells: "a cell" if len(cells) == 1 else f"{len(cells)} cells"   # noqa: E731
    if raised:
        todo.append(f"{n(raised)} that stop{'s' if len(raised) == 1 else ''} Jupyter's Run All (see raised above)")
    if restore:
        todo.append(f"{n(restore)} to copy back as the template has {'them' if len(restore) > 1 else 'it'} "
                    f"(see {'deleted' if any(f.startswith('deleted:') for f in r.flags) else 'edited'} above)")
    if moved:
        todo.append(f"the order of {n(moved)} (see reordered above)")
    if twice:
        todo.append(f"the second copy of {n(twice)} (see duplicated above)")
    if copied:
        what = "a graded class or function" if len(copied) == 1 else f"{len(copied)} graded classes or functions"
        todo.append(f"the cop{'ies' if len(copied) > 1 else 'y'} you added of {what} (see redefined above)")
    if fixed:
        todo.append(f"the value{'s' if len(fixed) > 1 else ''} fixed in {n(fixed)} (see fixed-value above)")
    for line in _wrap("ready to hand in" if ok else f"to fix: {'; '.join(todo)}", width, "", "  "):
        out(Text(line, style="green" if ok else "red"))     # wrapped like every line (COLUMNS=80)
    if not show_all:
        out(Text("(grader check --all shows every check)", style="dim"))
    return 0 if ok else 1


def _describer(spec, r: SubmissionResult | None = None):
    """Cell ID -> the ID and the first line of code of the template's cell: Jupyter shows no cell
    IDs, so "deleted (ann-relu-test)" alone did not say which cell (a student's review). A cell the
    student edited is named by the first line they changed or added (a label line read as the
    change: a later student's review)."""
    import json
    try:
        cells = json.loads(spec.file("template").read_text(encoding="utf-8")).get("cells") or []
    except (OSError, ValueError, KeyError, AttributeError):
        return None
    edited = {f.split(":", 1)[1] for f in (r.flags if r else []) if f.startswith("edited:")}
    mine = (r.student_cells if r else {}) or {}
    lines: dict[str, list[str]] = {}
    every: dict[str, set[str]] = {}
    for c in cells:
        src = c.get("source", "") if isinstance(c, dict) else ""
        src = "".join(src) if isinstance(src, list) else str(src)
        if isinstance(c, dict) and c.get("cell_type") == "markdown":
            # A heading as the student sees it: '<h3 style="color:...">Code 3.2 (20 Points)</h3>' cut
            # to 40 characters read the same for three headings (a hundred-and-fifty-fourth review).
            src = "\n".join(" ".join(re.sub(r"<[^<>]*>", " ", ln).split()) for ln in src.splitlines())
        if isinstance(c, dict) and isinstance(c.get("id"), str):
            lines[c["id"]] = [ln.strip() for ln in src.splitlines() if ln.strip() and not ln.strip().startswith("#")]
            every[c["id"]] = {ln.strip() for ln in src.splitlines()}
    seen: dict[str, int] = {}
    for own in lines.values():
        for ln in set(own):
            seen[ln] = seen.get(ln, 0) + 1
    first: dict[str, str] = {}
    for cid, own in lines.items():       # the first line no other cell has (two test cells start alike)
        line = next((ln for ln in own if seen[ln] == 1), own[0] if own else "")
        if line:
            first[cid] = _short(line)
    changed: dict[str, str] = {}
    for cid in edited:
        theirs = every.get(cid, set())
        line = next((ln.strip() for ln in str(mine.get(cid, "")).splitlines()
                     if ln.strip() and ln.strip() not in theirs), "")
        if line:
            changed[cid] = f"{cid}: you changed or added `{_short(line)}`"
    # A moved cell with where it belongs: either of two swapped cells may be the one named, and
    # "right after ..." fixes the order whichever it is (a student's review: no position was said).
    order = [c["id"] for c in cells if isinstance(c, dict) and isinstance(c.get("id"), str)]
    moved = {f.split(":", 1)[1] for f in (r.flags if r else []) if f.startswith("reordered:")}
    for cid in moved & set(order):
        at = order.index(cid)
        before = next((order[i] for i in range(at - 1, -1, -1) if order[i] in first), None)
        if cid in first and before:
            changed[cid] = f"{cid}: `{first[cid]}`, which belongs right after `{first[before]}`"
    # A cell the student filled in no longer holds the template's first line (the answers cell's
    # `raise NotImplementedError()`, quoted in its flags: fairness reviews 231 and 233): their own first
    # line of code names it then.
    # A cell graded from a cell below (`moved:`) is that cell's text; its other flags are about the cell
    # itself, named by the template's line (a fairness review, 242: "raised (answers-3-3: `a_ = True`)").
    elsewhere = {f.split(":", 1)[1] for f in (r.flags if r else []) if f.startswith("moved:")}
    for cid, text in mine.items():
        own = [ln.strip() for ln in str(text).splitlines() if ln.strip() and not ln.strip().startswith("#")]
        if cid in first and cid not in changed and own and first[cid] not in {_short(ln) for ln in own}:
            changed[cid] = f"{cid}: `{_short(own[0])}`"

    def describe(cid: str, kind: str = "") -> str:
        if cid in elsewhere and kind != "moved" and cid in first:
            return f"{cid}: `{first[cid]}`"
        return changed.get(cid) or (f"{cid}: `{first[cid]}`" if cid in first else cid)
    return describe


def _short(line: str) -> str:
    return line if len(line) <= 40 else line[:37] + "..."


def _unfinished_answers(r: SubmissionResult, spec) -> list[str]:
    """Written answers that look unfinished (checks.manual.unfinished), with what to do."""
    from ..checks.manual import PLACEHOLDER, unfinished
    titles = {t.id: t.title for t in spec.tasks}
    out = []
    for c in r.checks:
        if not c.manual_task or c.answer is None:
            continue
        title = titles.get(c.task, c.task)
        why = unfinished(c.answer)
        if why is None:
            continue
        if PLACEHOLDER in why:
            out.append(f"{title}: {why}; delete it, or a TA reads it as part of your answer")
        else:
            out.append(f"{title}: {why}; a TA grades what is there: write it out")
    return out


def _cells(ids: list[str]) -> str:
    return f"the cells {', '.join(ids)}" if len(ids) > 1 else f"the cell {ids[0]}"


def _same_message(failed: list) -> list[list]:
    """Failed checks in order, those next to each other with one message (one error that cost a
    class's five checks) in one group; the count of checks to fix stays theirs."""
    groups: list[list] = []
    for c in failed:
        prev = groups[-1][0] if groups else None
        head = lambda check: check.rsplit(": ", 1)[0] if ": " in check else ""   # noqa: E731
        # A check that stopped at the error another check of the group names ("... (the error is
        # named under optimizer)") is that entry too: one error, not five things to fix (a
        # hundred-and-fifty-fourth review).
        named = prev is not None and prev.task == c.task and any(
            c.message.endswith(f"(the error is named under {d.check.rsplit(': ', 1)[-1].replace('_', ' ')})")
            for d in groups[-1])
        if prev is not None and prev.task == c.task and (prev.message == c.message or named) \
                and head(prev.check) == head(c.check) and c.check not in ("answer", "notebook"):
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _points_line(r: SubmissionResult, spec) -> str:
    """What the automatic points mean before grading: what can be checked now, what comes later."""
    auto = [c for c in r.checks if not c.manual_task and c.task != "filename"]
    now = [c for c in auto if c.points is not None and c.passed is not None]
    later = {t.title: sum(c.max_points for c in auto if c.task == t.id and c.points is None) for t in spec.tasks}
    later = {title: pts for title, pts in later.items() if pts}
    written = sum(t.max_points for t in spec.tasks if t.kind == "manual")
    checked, total = sum(c.max_points for c in now), sum(c.max_points for c in auto)
    # Of what, said in points a student has seen: "40/48" read as a total nobody mentioned (a
    # seventy-sixth review).
    parts = [f"automatic points: {sum(c.points or 0 for c in now):g} of the {checked:g} checked now"
             + (f" (of {total:g} in all)" if checked != total else "")]
    if later:
        parts.append(", ".join(f"{title} ({pts:g} points)" for title, pts in later.items()) + " scored at grading "
                     "(hidden tests and the answer key)")
    # What the run with hidden values does otherwise, where the spec says it (a hundred-and-twenty-
    # second review: nothing told a student that train_and_test also gets an ANN_relu at grading).
    for t in spec.tasks:
        other = (t.cfg.get("second_run", {}).get("names_from") or {}).get("defines")
        if other:
            # In the student's words (a hundred-and-ninety-fourth review: "a model that counts as" read as jargon).
            parts.append(f"at grading, {t.title} is also called with an {other} model, not only with the one your "
                         f"notebook passes it: write it to work with whichever model it is given")
    if written:
        parts.append(f"the written answers ({written:g} points) are graded by a TA")
    return "; ".join(parts) + "."
