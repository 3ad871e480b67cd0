"""`grader similarity`: which hand-ins look alike, for a TA to review (a flag, never a deduction)."""
from __future__ import annotations

import os
import time
from pathlib import Path

from rich.console import Console
from rich import box
from rich.table import Table

from ..spec import load_spec
from .helptext import HelpFormatter
from .common import reports_args
from .console import one_line

EPILOG = """examples:
  grader grade submissions/ && grader similarity
        compare this term's graded hand-ins; pages in reports/similarity/ (open index.html)
  grader similarity --against archive/2024-reports --against "Assignment 7-2023.zip"
        also compare with past terms: a report folder, a folder of notebooks, or Moodle's zip
  grader similarity --no-flags
        write the pages and files only; leave the students' reports as they are
  grader similarity --threshold 0.8
        try a stricter threshold for this run (the course's own is [similarity] threshold in the spec)

What it does: every graded code cell (ann-sigmoid, ann-relu, train-and-test), all of each
student's code, and each written answer is compared with every other student's. Variable
names, comments, blank lines, the order of methods and the spelling of activations (F.relu or
nn.ReLU) do not matter; what the template, the reference solution or many students write does
not count. Students of a pair at or above the spec's threshold get the flag "similar" in their
report and in summary.csv: similar, to be reviewed. Nothing changes a grade.

Files: reports/similarity/index.html (ranked pairs), pairs/<pair>.html (side by side, matches
numbered and coloured), clusters.html (three or more linked), pairs.csv, similarity.json.
Settings (threshold, cells compared, ...) are in the spec's [similarity] table.
"""


def add_parser(sub) -> None:
    p = sub.add_parser("similarity", help="find hand-ins that look alike, for a TA to review (TA)",
                       description="Rank every pair of graded hand-ins by how much of one student's own code and "
                                   "written answers appears in the other's, show each pair side by side, and flag "
                                   "the students of pairs above the spec's threshold as 'similar' (to be reviewed; "
                                   "never a deduction). Works offline; no student code is run.",
                       formatter_class=HelpFormatter, epilog=EPILOG)
    reports_args(p)
    p.add_argument("--against", type=Path, action="append", default=[], metavar="PAST",
                   help="a past term's hand-ins to compare with: report folder, folder of notebooks, or Moodle "
                        "zip or tree (repeatable); past hand-ins are only compared with this term's")
    p.add_argument("--out", type=Path, default=None, help="where the view goes (default: <reports>/similarity/)")
    p.add_argument("--threshold", type=float, default=None,
                   help="code score that flags a pair, for this run only (default: the spec's)")
    p.add_argument("--written-threshold", type=float, default=None,
                   help="written-answer score that flags a pair, for this run only (default: the spec's)")
    p.add_argument("--no-flags", action="store_true", help="do not touch the students' reports or summary.csv")
    p.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="processes reading the code (default: 2, or 1 on one core)")
    p.set_defaults(run=cmd)


def cmd(args, console: Console) -> int:
    from ..similarity.analysis import analyse
    from ..similarity.cohort import CohortError, load_current, load_past
    from ..similarity.flags import apply_flags
    from ..similarity.material import load_material
    from ..similarity.output import write
    from ..similarity.settings import Settings, SettingsError

    t0 = time.monotonic()
    spec = load_spec(args.spec)
    try:
        settings = Settings.from_spec(spec)
        overrides = {k: v for k, v in (("threshold", args.threshold), ("written_threshold", args.written_threshold))
                     if v is not None}
        if overrides:
            settings = Settings.from_table({**spec.raw.get("similarity", {}), **overrides})
    except SettingsError as exc:
        console.print(f"[red]error:[/] {exc} (in {spec.path})")
        return 2
    if not args.reports.is_dir():
        console.print(f"[red]error:[/] no report folder {args.reports}; run `grader grade` first")
        return 2
    material = load_material(spec, settings)
    not_compared: list[str] = []
    current = load_current(args.reports, spec, settings, material, skipped=not_compared)
    if not current:
        console.print(f"[red]error:[/] no graded reports in {args.reports}; run `grader grade` first")
        return 2
    bare = [h.key for h in current if not h.cells]
    if len(bare) == len(current):
        console.print(f"[red]error:[/] the reports in {args.reports} keep no student cells (graded by an older "
                      f"grader); run `grader grade --force` once")
        return 2
    if not_compared:
        console.print(f"[yellow]{len(not_compared)} notebook(s) not compared (no cells could be read from them): "
                      f"{one_line('; '.join(not_compared[:5]))}{' ...' if len(not_compared) > 5 else ''}[/]")
    if bare:
        console.print(f"[yellow]{len(bare)} hand-in(s) have no cells of their own (the template handed in "
                      f"unchanged, or graded by an older grader: `grader grade --force`): "
                      f"{', '.join(bare[:5])}{' ...' if len(bare) > 5 else ''}[/]")
    past = []
    sources = {"this_term": str(args.reports)}
    for path in args.against:
        label = path.name.removesuffix(".zip") or "past"
        n = 2
        while label in sources:                  # two folders named "reports": "reports", "reports-2"
            label, n = f"{path.name.removesuffix('.zip')}-{n}", n + 1
        try:
            hands = load_past(path, spec, settings, material, label=label)
        except CohortError as exc:
            console.print(f"[red]error:[/] {exc}")
            return 2
        console.print(f"past term {label}: {len(hands)} hand-in(s) from {path}")
        past.extend(hands)
        sources[label] = str(path)
    with console.status(f"comparing {len(current)} hand-in(s){f' with {len(past)} of past terms' if past else ''} ..."):
        analysis = analyse(current, past, material, settings, jobs=max(1, args.jobs))
        analysis.not_compared = not_compared
        out = args.out or args.reports / "similarity"
        written = write(analysis, out, sources, jobs=max(1, args.jobs))
    if not args.no_flags:
        result = apply_flags(args.reports, set(analysis.flagged), spec)
    _table(console, analysis)
    flagged = sum(p.flagged for p in analysis.pairs)
    console.print(f"\n{len(current)} hand-in(s) compared{f' (and {len(past)} of past terms)' if past else ''} in "
                  f"{time.monotonic() - t0:.1f} s: {len(analysis.pairs)} pair(s) listed, {flagged} flagged "
                  f"(code at {settings.threshold:.0%}, a written answer at {settings.written_threshold:.0%}), "
                  f"{len(analysis.clusters)} cluster(s) of three or more.")
    if args.no_flags:
        console.print("reports left unchanged (--no-flags)")
    else:
        console.print(f"flag 'similar' (to be reviewed, never a deduction) on {result.students} student(s); "
                      f"{result.changed} report(s) and summary.csv updated")
        for f in result.failed:
            console.print(f"[yellow]could not write the flag: {f}[/]")
    console.print(f"view: {written[0]}  (also clusters.html, pairs.csv, similarity.json, pairs/)")
    return 0


def _table(console: Console, analysis, top: int = 10) -> None:
    pairs = analysis.pairs[:top]
    if not pairs:
        return
    more = f"{len(pairs)} of {len(analysis.pairs)} listed; every one in index.html" \
        if len(analysis.pairs) > len(pairs) else f"of {len(analysis.pairs)} listed"
    # Few rules and names folded, not cut: at 80 columns a boxed table cut both names to
    # "Featherstonehaug…" and "(Assignment_7_L…" (a hundred-and-ninety-fourth review).
    t = Table(title=f"most similar pairs ({more})", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    for col in ("score", "code", "written", "student", "similar to", ""):
        named = col in ("student", "similar to")
        t.add_column(col, justify="right" if col in ("score", "code", "written") else "left", no_wrap=not named,
                     overflow="fold" if named else "ellipsis")
    # A student with several notebooks (a draft and a final one) is named with the notebook: two
    # rows "Jane Doe | Lea Müller" read as one pair listed twice (a hundred-and-fifty-ninth review).
    keys: dict[str, set[str]] = {}
    for p in analysis.pairs:
        for k in (p.a, p.b):
            keys.setdefault(analysis.hand(k).name, set()).add(k)

    def who(hand) -> str:
        return f"{hand.name} ({hand.file})" if len(keys.get(hand.name, ())) > 1 else hand.name
    for p in pairs:
        a, b = analysis.hand(p.a), analysis.hand(p.b)
        t.add_row(f"{p.score:.0%}", f"{p.code:.0%}", f"{p.written:.0%}", who(a),
                  f"{who(b)}{f' ({b.term})' if b.term else ''}",
                  "[yellow]similar[/]" if p.flagged else ("same student" if p.same_student else ""))
    console.print(t)

