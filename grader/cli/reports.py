"""Commands on finished reports: Moodle worksheet, exports, manual grading, feedback pages."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console

from .. import moodle
from ..report import atomic_write
from ..spec import load_spec
from .common import reports_args


def add_parsers(sub) -> None:
    m = sub.add_parser("moodle", help="fill grades and feedback into Moodle's grading worksheet (TA)",
                       description="Fill 'Grade' and 'Feedback comments' of Moodle's downloaded grading worksheet "
                                   "from the reports (matched by participant id, else by full name). Every other "
                                   "column and row stays as it is; upload the written file to Moodle.")
    m.add_argument("worksheet", type=Path)
    m.add_argument("--out", type=Path, default=None, help="default: <reports>/<worksheet>-graded.csv")
    reports_args(m)
    m.set_defaults(run=cmd_moodle)

    e = sub.add_parser("export", help="export the reports as a gradebook, Gradescope results or JUnit XML",
                       description="gradebook: one CSV keyed by matriculation number; gradescope: "
                                   "<out>/gradescope/<student>/results.json; junit: one XML for CI.")
    e.add_argument("--format", choices=["gradebook", "gradescope", "junit"], required=True)
    e.add_argument("--out", type=Path, default=None, help="file or folder (default: the reports folder)")
    reports_args(e)
    e.set_defaults(run=cmd_export)

    man = sub.add_parser("manual", help="manual grading of written answers (TA)")
    msub = man.add_subparsers(dest="manual_command", required=True, metavar="ACTION")
    me = msub.add_parser("export", help="write HTML review sheets and a CSV to fill in",
                         description="Per written task one HTML sheet with every student's answer (markdown "
                                     "and formulas rendered offline) and manual_grades.csv to fill in.")
    me.add_argument("--out", type=Path, default=None, help="default: <reports>/manual/")
    reports_args(me)
    mm = msub.add_parser("merge", help="merge the filled CSV into the reports and summary.csv",
                         description="Checks every row against the task maxima first; nothing is written "
                                     "unless every row is valid. Blank points are left pending.")
    mm.add_argument("csv", type=Path)
    mm.add_argument("--ta", default=None, help="the TA recorded with these grades (default: $GRADER_TA or your "
                                               "user name)")
    reports_args(mm)
    man.set_defaults(run=cmd_manual)

    f = sub.add_parser("feedback", help="(re)write the reports from the gradebook: feedback pages, overview, CSVs",
                       description="Renders every file of the report folder from gradebook.sqlite again: one "
                                   "page per student in <reports>/feedback/, <reports>/overview.html, summary.csv "
                                   "and the per-student CSV/JSON (grade, merge and serve write them too).")
    reports_args(f)
    f.set_defaults(run=cmd_feedback)


def cmd_moodle(args, console: Console) -> int:
    from ..exports import load_reports
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
    from ..exports import export
    paths = export(args.format, args.reports, args.out or args.reports, load_spec(args.spec))
    console.print(f"wrote {len(paths)} file(s): {paths[0] if len(paths) == 1 else paths[0].parent.parent}")
    return 0


def cmd_manual(args, console: Console) -> int:
    from .. import manual
    spec = load_spec(args.spec)
    if args.manual_command == "export":
        paths = manual.export(args.reports, spec, args.out)
        for p in paths:
            console.print(f"wrote {p}")
        return 0
    try:
        merged, blank = manual.merge(args.csv, args.reports, spec, ta=args.ta)
    except manual.MergeError as exc:
        console.print(f"[red]nothing merged; fix these rows first:[/]\n{exc}")
        return 1
    console.print(f"merged {merged} grade(s) into {args.reports}/gradebook.sqlite (summary.csv and feedback "
                  f"pages rewritten); {blank} row(s) left blank")
    return 0


def cmd_feedback(args, console: Console) -> int:
    from ..gradebook import open_gradebook
    from ..gradebook.outputs import write_reports
    gb = open_gradebook(args.reports, create=False)
    if gb is None:
        console.print(f"[red]error:[/] no gradebook or reports in {args.reports}; run `grader grade` first")
        return 2
    try:
        write_reports(gb, args.reports, load_spec(args.spec))
    finally:
        gb.close()
    console.print(f"wrote {args.reports}/overview.html, {args.reports}/feedback/ and the CSV/JSON reports")
    return 0
