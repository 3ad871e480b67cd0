"""Commands on finished reports: manual grading, Moodle worksheet, exports, feedback pages."""
from __future__ import annotations

import argparse
import os
import re
import shlex
import sqlite3
from pathlib import Path

from rich.console import Console
from rich.text import Text

from ..report import ReportWriteError, atomic_write
from .common import CliError, existing_reports, input_file, reports_args, shown_path, spec_of
from .helptext import HelpFormatter

RAW = HelpFormatter
SHOWN = 8          # names listed before "and N more"

MOODLE_EXAMPLES = """examples:
  grader moodle "Grades-Assignment 7.csv"
        writes reports/Grades-Assignment 7-graded.csv: upload it in Moodle
        (View all submissions, Grading action: Upload grading worksheet)
  grader moodle worksheet.csv --allow-pending
        written answers not all graded yet: partial grades, marked PARTIAL in the comments

exit status: 0 every graded participant was filled in; 1 refused (written answers pending,
several differing notebooks of one participant wait for grader count, or a TA's override was
given for an earlier notebook than the one graded now)
or not every graded participant is in the worksheet (listed); 2 wrong input.
"""

COUNT_EXAMPLES = """examples:
  grader count                              who handed in several notebooks, what counts and why
  grader count Lea_Mueller_5505-2           this notebook counts for its participant
  grader count Lea_Mueller_5505-2 --auto    the highest total counts again

Reports, summary.csv and feedback pages are rewritten; the choice survives regrades.
"""

EXPORT_EXAMPLES = """examples:
  grader export --format gradebook          reports/gradebook.csv, one row per student
  grader export --format gradescope         reports/gradescope/<report>/results.json
  grader export --format junit --out ci.xml one JUnit XML for a CI dashboard
  grader export --format moodle-feedback    reports/moodle_feedback.zip: every participant's feedback page,
                                            for Moodle's "Upload multiple feedback files in a zip"
"""

OVERRIDE_EXAMPLES = """examples:
  grader override Assignment_7_JaneDoe_k12345678                 her automatic checks and points
  grader override Assignment_7_JaneDoe_k12345678 "ANN_relu: seeded" 1 --reason "seed set by the notebook"
  grader override Assignment_7_JaneDoe_k12345678 "ANN_relu: seeded" --clear

Reports, summary.csv and feedback pages are rewritten; grader serve shows the same overrides.
"""

UNDO_EXAMPLES = """examples:
  grader undo --list             the latest changes: number, time, TA, what
  grader undo                    your latest change (e.g. a merge of the wrong sheet)
  grader undo 42                 change 42, by whoever made it

Reports, summary.csv and feedback pages are rewritten.
"""

MANUAL_EXAMPLES = """examples:
  grader manual export
        reports/manual/calc_1_1.html ... (one sheet per written task) and manual_grades.csv
  grader manual merge reports/manual/manual_grades.csv
        stores the points you filled in as grades (all or nothing)

(grader serve grades the same answers in the browser, faster; both write one gradebook)
"""

FEEDBACK_EXAMPLES = """examples:
  grader feedback                      render reports/ again from reports/gradebook.sqlite
  grader feedback --reports marks/     another report folder
"""


BACKUP_EXAMPLES = """examples:
  grader backup                        reports/backups/gradebook-20261201-153000.sqlite
  grader backup /mnt/usb/              the same name on a USB stick
  grader feedback --reports DIR        after copying the backup to DIR/gradebook.sqlite: every report again
"""


def add_parsers(sub) -> None:
    man = sub.add_parser("manual", help="grade the written answers with HTML sheets and a CSV (TA)",
                         description="Grade the written answers without a browser app: export HTML sheets and "
                                     "a CSV to fill in, then merge the CSV into the gradebook.",
                         formatter_class=RAW, epilog=MANUAL_EXAMPLES)
    msub = man.add_subparsers(dest="manual_command", required=True, metavar="ACTION")
    me = msub.add_parser("export", help="write HTML review sheets and manual_grades.csv to fill in",
                         description="Per written task one HTML sheet with every student's answer (markdown "
                                     "and formulas rendered offline) and the grade it has so far, and "
                                     "manual_grades.csv to fill in. A manual_grades.csv holding points not merged "
                                     "yet is never overwritten.",
                         formatter_class=RAW, epilog="examples:\n  grader manual export\n"
                         "  grader manual export --reports marks/ --out marks/sheets-week2/\n")
    me.add_argument("--out", type=Path, default=None, help="default: <reports>/manual/")
    reports_args(me)
    mm = msub.add_parser("merge", help="store the points of the filled CSV as grades",
                         description="Checks every row against the task maxima first; nothing is written "
                                     "unless every row is valid. Blank points are left as they are. A CSV saved "
                                     "by Excel (';', decimal commas, Windows-1252) is read as it is.",
                         formatter_class=RAW, epilog="examples:\n  grader manual merge reports/manual/manual_grades.csv"
                         "\n  grader manual merge marks/manual/manual_grades.csv --reports marks/ --ta anna\n")
    mm.add_argument("csv", type=Path, help="the filled manual_grades.csv")
    mm.add_argument("--ta", default=None, help="the TA recorded with these grades (default: $GRADER_TA or your "
                                               "user name)")
    reports_args(mm)
    man.set_defaults(run=cmd_manual)

    c = sub.add_parser("count", help="choose which of a participant's several notebooks counts (TA)",
                       description="A Moodle participant who handed in several notebooks: all are graded and "
                                   "the highest total counts, unless their points differ in a task. Then a TA "
                                   "chooses (the highest of several different attempts would reward handing in "
                                   "every guess), and grader moodle waits for that choice. Without a report "
                                   "key: lists every participant with several notebooks, what counts and why.",
                       formatter_class=RAW, epilog=COUNT_EXAMPLES)
    c.add_argument("key", nargs="?", default=None, help="report key of the notebook that counts (as listed), or "
                                                        "its file name when no other notebook has it")
    c.add_argument("--auto", action="store_true", help="take the TA's choice back: the highest total counts again")
    c.add_argument("--ta", default=None, help="the TA recorded with the choice (default: $GRADER_TA or your "
                                              "user name)")
    reports_args(c)
    c.set_defaults(run=cmd_count)

    o = sub.add_parser("override", help="change an automatic check's points for one student, with a reason (TA)",
                       description="A regrade request on an automatic check, for any student (also one with no "
                                   "written answer to open in grader serve): the points and the reason, shown on "
                                   "the student's feedback page and Moodle comment, recorded with the TA, undoable, "
                                   "kept through regrades. Without POINTS: lists the student's automatic checks.",
                       formatter_class=RAW, epilog=OVERRIDE_EXAMPLES)
    o.add_argument("key", help="report key of the notebook (as in summary.csv), or its file name when unique")
    o.add_argument("check", nargs="?", default=None, help="the check, as listed: 'ANN_relu: seeded' (or "
                                                          "'code_3_2_models: ANN_relu: seeded')")
    o.add_argument("points", nargs="?", type=_points_typed, default=None,
                   help="the points it gets instead (a decimal comma is fine: 1,5)")
    o.add_argument("--reason", default="", help="why, in words the student reads (required)")
    o.add_argument("--clear", action="store_true", help="take the override back: the automatic points count again")
    o.add_argument("--ta", default=None, help="the TA recorded (default: $GRADER_TA or your user name)")
    reports_args(o)
    o.set_defaults(run=cmd_override)

    mv = sub.add_parser("move", help="carry a renamed notebook's grades over to its new report (TA)",
                        description="Outside Moodle's folders a notebook's report key is its path, so a file renamed "
                                    "and handed in again (its name corrected, as the grader told) is a new report, "
                                    "and the TAs' grades and overrides stay with the old one. This carries them over "
                                    "(a task the new report has a grade for keeps it) and retires the old report: "
                                    "its row leaves summary.csv, its automatic result stays in the history. A written "
                                    "answer that differs from the graded text comes back as changed, for a TA to "
                                    "look at. Not undone with grader undo: grade the old file again and move back. "
                                    "grader grade names a likely pair when it sees one.",
                        formatter_class=RAW,
                        epilog="example:\n  grader move assignment7_john_smith Assignment_7_JohnSmith_k12345679\n")
    mv.add_argument("old", help="report key (or file name) of the old notebook, as in summary.csv")
    mv.add_argument("new", help="report key (or file name) of the new notebook")
    mv.add_argument("--ta", default=None, help="the TA recorded (default: $GRADER_TA or your user name)")
    reports_args(mv)
    mv.set_defaults(run=cmd_move)

    u = sub.add_parser("undo", help="take back your last change to the grades, or a change by number (TA)",
                       description="Every TA decision (a grade, a merge, a choice, an override) is one change in "
                                   "the gradebook's history. Without a number: your latest change that changed "
                                   "something and is not an undo itself, as 'u' in grader serve: repeated, it walks "
                                   "back through your changes. --list shows the latest changes with their "
                                   "numbers. An undo is itself a change: to redo, undo the undo by its number "
                                   "(grader undo N); a change whose records were changed since is refused.",
                       formatter_class=RAW, epilog=UNDO_EXAMPLES)
    u.add_argument("change", nargs="?", type=int, default=None, help="the change's number (grader undo --list)")
    u.add_argument("--list", action="store_true", help="the latest 20 changes, newest first")
    u.add_argument("--ta", default=None, help="whose latest change, and who is recorded (default: $GRADER_TA or "
                                              "your user name)")
    reports_args(u)
    u.set_defaults(run=cmd_undo)

    m = sub.add_parser("moodle", help="fill grades and feedback into Moodle's grading worksheet (TA)",
                       description="Fill 'Grade' and 'Feedback comments' of Moodle's downloaded grading worksheet "
                                   "from the gradebook (rows matched by participant id; by name only for "
                                   "notebooks graded outside Moodle's folders). Every other byte stays as it "
                                   "was. Refuses while written answers wait for a TA, or a participant's several "
                                   "notebooks that differ wait for a TA's choice (grader count), or an override was "
                                   "given for an earlier notebook (grader override), unless --allow-pending.",
                       formatter_class=RAW, epilog=MOODLE_EXAMPLES)
    m.add_argument("worksheet", type=Path, help="the worksheet downloaded from Moodle (.csv)")
    m.add_argument("--out", type=Path, default=None, help="default: <reports>/<worksheet>-graded.csv")
    m.add_argument("--allow-pending", action="store_true",
                   help="write the file although written answers are not graded yet (their grades are marked "
                        "PARTIAL in the feedback comments) or several differing notebooks wait for a TA's "
                        "choice (the highest total is written) or an override given for an earlier notebook "
                        "waits for a TA (written as it is)")
    m.add_argument("--scale", action="store_true",
                   help="convert each grade to the worksheet's 'Maximum Grade' when it is not the assignment's "
                        "points (89.5 of 100 becomes 8.95 of a maximum of 10); without it such a worksheet is "
                        "refused")
    reports_args(m)
    m.set_defaults(run=cmd_moodle)

    e = sub.add_parser("export", help="export the grades as a gradebook CSV, Gradescope results, JUnit XML or "
                                      "Moodle feedback files",
                       description="gradebook: one CSV, a row per student (the notebook that counts); "
                                   "gradescope: <out>/gradescope/<report>/results.json; junit: one XML for CI "
                                   "(partial credit with its points, written answers waiting for a TA skipped); "
                                   "moodle-feedback: moodle_feedback.zip, every participant's feedback page, to "
                                   "upload in Moodle (Grading action: Upload multiple feedback files in a zip).",
                       formatter_class=RAW, epilog=EXPORT_EXAMPLES)
    e.add_argument("--format", choices=["gradebook", "gradescope", "junit", "moodle-feedback"], required=True)
    e.add_argument("--out", type=Path, default=None, help="file or folder (default: the reports folder)")
    e.add_argument("--worksheet", type=Path, default=None,
                   help="moodle-feedback: Moodle's grading worksheet (CSV), to find the participants of notebooks "
                        "graded outside Moodle's folders by the name in their file names, as grader moodle does")
    reports_args(e)
    e.set_defaults(run=cmd_export)

    f = sub.add_parser("feedback", help="(re)write the reports from the gradebook: feedback pages, overview, CSVs",
                       description="Renders every file of the report folder from gradebook.sqlite again: one "
                                   "page per student in <reports>/feedback/, <reports>/overview.html, summary.csv "
                                   "and the per-student CSV/JSON (grade, merge and serve write them too).",
                       formatter_class=RAW, epilog=FEEDBACK_EXAMPLES)
    reports_args(f)
    f.set_defaults(run=cmd_feedback)


    b = sub.add_parser("backup", help="copy the gradebook safely, also while grader serve or grade runs (TA)",
                       description="Writes one consistent copy of gradebook.sqlite (SQLite's online backup): "
                                   "every grade stored so far is in it. Copying the file itself while grader "
                                   "serve runs misses the grades still in gradebook.sqlite-wal.",
                       formatter_class=RAW, epilog=BACKUP_EXAMPLES)
    b.add_argument("dest", type=str, nargs="?", default=None,
                   help="file or folder to write (default: <reports>/backups/gradebook-<date>-<time>.sqlite)")
    reports_args(b)
    b.set_defaults(run=cmd_backup)


def _retired(out: Path) -> str:
    """An upload file written earlier holds grades that are no longer final: renamed, so that
    nobody uploads it (a new TA's review found one beside a refusal, with yesterday's points)."""
    if not out.is_file():
        return ""
    old = out.with_name(out.name + ".outdated")
    try:
        out.replace(old)
    except OSError:
        return f" (the earlier {shown_path(out)} is out of date: do not upload it)"
    return f" (the earlier {shown_path(out)} was out of date: renamed {old.name}, do not upload it)"


def _named(r) -> str:
    """A graded participant as a TA finds them: name and number, else the file (once)."""
    tell = r.who_id or (r.file if r.who != r.file else "")
    return f"{r.who} ({tell})" if tell else r.who


def _listed(items: list[str]) -> str:
    shown = "; ".join(items[:SHOWN])
    return shown + (f"; and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _say(console: Console, text: str, style: str = "") -> None:
    console.print(Text(text, style=style), soft_wrap=True)


def _graded(reports: Path, load: bool = True):
    """Every result of an existing report folder, TA decisions applied (``load=False``: only
    check that there are some), or one line on what to run first."""
    from ..gradebook.decisions import results
    gb = existing_reports(reports)
    try:
        if gb.count() == 0:
            raise CliError(f"the gradebook in {reports} holds no results yet: run grader grade first (its --out is "
                           f"the report folder)")
        return results(gb, pictures=False) if load else None
    finally:
        gb.close()


def cmd_moodle(args, console: Console) -> int:
    from ..worksheet import WorksheetError, fill, read_worksheet
    results = _graded(args.reports)
    data = input_file(args.worksheet, "worksheet",
                      "download it in Moodle: View all submissions, Grading action 'Download grading worksheet'")
    try:
        ws = read_worksheet(data, str(args.worksheet))
    except WorksheetError as exc:
        raise CliError(str(exc)) from None
    full = sum(t.max_points for t in spec_of(args).tasks)
    filled = fill(ws, list(results.values()), full, scale=args.scale)
    plan = filled.plan
    matched = len(plan.matches)
    _say(console, f"{args.worksheet.name}: {matched} row(s) matched to {matched} of {plan.participants} graded "
                  f"participant(s) (by participant id" + (", some by name" if any(m.by == "name" for m in plan.matches)
                                                         else "") + ")")
    for note in filled.notes:
        _say(console, f"  {note}")
    by_name = [f"{m.label} <- {m.counted.file}" for m in plan.matches if m.by == "name"]
    if by_name:    # a name in a file name is the student's to type: a TA confirms these rows
        _say(console, f"matched only by the name typed in the file name ({len(by_name)}; graded outside Moodle's "
                      f"participant folders): check them before uploading: {_listed(by_name)}", "yellow")
    if plan.conflicts:
        _say(console, f"rows not filled ({len(plan.conflicts)}): {_listed(plan.conflicts)}", "yellow")
    if plan.without_result:
        _say(console, f"worksheet rows without a result ({len(plan.without_result)}, left as they are): "
                      f"{_listed(plan.without_result)}", "dim")
    if plan.missing:
        _say(console, f"graded participants not in the worksheet ({len(plan.missing)}): "
                      f"{_listed([_named(r) for r in plan.missing])}", "yellow")
    out = args.out or args.reports / f"{args.worksheet.stem}-graded.csv"
    if not plan.matches:
        raise CliError(f"no row of {args.worksheet} matches a graded participant: nothing written (is it the "
                       f"worksheet of this assignment, downloaded after the submissions?)", 1)
    if filled.maximum and not args.scale:
        most = sorted({m for _, m in filled.maximum})
        raise CliError(f"the worksheet's Maximum Grade is {' / '.join(most)} for {len(filled.maximum)} row(s) "
                       f"({_listed([label for label, _ in filled.maximum])}), but the assignment has "
                       f"{filled.full:g} points: nothing written{_retired(out)}. Pass --scale to convert the grades "
                       f"to that maximum, or set the assignment's maximum grade in Moodle to {filled.full:g} and "
                       f"download the worksheet again", 1)
    if not args.allow_pending:
        # Every reason at once: one per run sent a TA round twice (an eighty-seventh review).
        reasons = []
        if filled.pending:
            waiting = sum(n for _, n in filled.pending)
            reasons.append(f"{waiting} written answer(s) of {len(filled.pending)} participant(s) wait for a TA "
                           f"({_listed([label for label, _ in filled.pending])}): grade them (grader serve, or grader "
                           f"manual export and merge)")
        if filled.earlier:
            reasons.append(f"{len(filled.earlier)} participant(s) hold a TA's override given for a notebook they "
                           f"handed in before the one graded now ({_listed([label for label, _ in filled.earlier])}): "
                           f"decide again with grader override {filled.earlier[0][1]} (override it again, or --clear)")
        if filled.unchosen:
            reasons.append(f"{len(filled.unchosen)} participant(s) handed in several notebooks that differ in graded "
                           f"answers ({_listed(filled.unchosen)}); the highest of several attempts would reward trying "
                           f"every answer: choose the notebook that counts with grader count REPORT_KEY (grader count "
                           f"lists them)")
        if reasons:
            raise CliError(f"nothing written, the grades are not final{_retired(out)}: " + "; ".join(
                f"({i}) {r}" for i, r in enumerate(reasons, 1)) + ". Or pass --allow-pending to write them as they "
                "are (partial grades marked PARTIAL in the feedback comments, of several notebooks the highest "
                "total)", 1)
    try:
        atomic_write(out, filled.data)
    except ReportWriteError as exc:
        raise CliError(str(exc), 4) from None
    from ..gradebook.outputs import remember_upload
    gb = existing_reports(args.reports)
    try:                # a grade changed later renames it .outdated (grade, merge, serve, count, feedback)
        remember_upload(gb, out, list(results.values()))
    finally:
        gb.close()
    if args.scale and filled.maximum:
        _say(console, f"{len(filled.maximum)} grade(s) converted to the worksheet's Maximum Grade (points x maximum "
                      f"/ {filled.full:g})")
    if filled.pending:
        _say(console, f"{len(filled.pending)} grade(s) are partial: written answers wait for a TA (marked PARTIAL "
                      f"in their feedback comments)", "yellow")
    encoding = "" if filled.encoding == "utf-8" else f" (in {filled.encoding}, like the worksheet: choose that " \
                                                     f"encoding when uploading)"
    if not plan.all_matched:
        _say(console, f"wrote {shown_path(out)}{encoding}, but not every graded participant is in it (listed "
                      f"above): check the worksheet before uploading", "red")
        return 1
    # The worksheet only where it finds someone: notebooks graded outside Moodle's folders (a
    # hundred-and-fifty-ninth review could not tell whether --worksheet was needed).
    outside = any(not r.participant_id and not r.no_notebook for r in results.values())
    where = f" --worksheet {shlex.quote(str(args.worksheet))}" if outside else ""
    _say(console, f"wrote {shown_path(out)}{encoding}: upload it to Moodle (View all submissions, Grading action: "
                  f"Upload grading worksheet); the detailed feedback pages: grader export --format moodle-feedback"
                  f"{where}", "green")
    return 0


def cmd_export(args, console: Console) -> int:
    from ..exports import export
    spec = spec_of(args)
    _graded(args.reports, load=False)
    out = args.out or args.reports
    if args.format == "moodle-feedback":
        return _moodle_feedback(args, console, spec, out)
    try:
        paths = export(args.format, args.reports, out, spec)
    except ReportWriteError as exc:
        raise CliError(str(exc), 4) from None
    where = paths[0] if len(paths) == 1 else paths[0].parent.parent
    _say(console, f"wrote {len(paths)} file(s): {shown_path(where)}")
    return 0


def _moodle_feedback(args, console: Console, spec, out: Path) -> int:
    from ..exports import load_reports, moodle_feedback
    results = load_reports(args.reports)
    if getattr(args, "worksheet", None) is not None:
        _participants_from_worksheet(args.worksheet, results)
    data, pages, left_out = moodle_feedback(results, spec)
    if not pages:
        # An empty zip "to upload" (a ninetieth review: exit 0 and "Upload it in Moodle").
        hint = ("" if getattr(args, "worksheet", None) else
                "; pass --worksheet FILE (Moodle's grading worksheet) to find them by the names in their file names")
        raise CliError(f"nothing to upload: no graded notebook has a Moodle participant ({len(left_out)} graded "
                       f"outside Moodle's participant folders){hint}", 1)
    path = out if out.suffix else out / "moodle_feedback.zip"
    try:
        atomic_write(path, data)
    except ReportWriteError as exc:
        raise CliError(str(exc), 4) from None
    if left_out:
        _say(console, f"not in the zip ({len(left_out)}, graded outside Moodle's participant folders: Moodle could not "
                      f"tell whose they are): {_listed(left_out)}", "yellow")
    waiting = sum(r.pending for r in results.values())
    if waiting:
        _say(console, f"{waiting} written answer(s) still wait for a TA: those pages say 'total so far'; upload the "
                      f"zip again once they are graded", "yellow")
    _say(console, f"wrote {shown_path(path)}: {pages} feedback page(s), one per participant. Upload it in Moodle: View "
                  f"all submissions, Grading action 'Upload multiple feedback files in a zip' (the assignment's "
                  f"feedback types need 'Feedback files')", "green")
    return 0


def _participants_from_worksheet(path: Path, results: dict) -> None:
    """Give notebooks graded outside Moodle's folders the participant that the worksheet's row of
    their name is (as `grader moodle` matches them), for the feedback zip's folder names."""
    from ..worksheet import WorksheetError, match, participant_id, read_worksheet
    data = input_file(path, "worksheet", "download it in Moodle: View all submissions, Grading action "
                                         "'Download grading worksheet'")
    try:
        ws = read_worksheet(data, str(path))
    except WorksheetError as exc:
        raise CliError(str(exc)) from None
    for m in match(ws, list(results.values())).matches:
        if m.by != "name":
            continue
        record = ws.records[m.record]
        pid, name = participant_id(ws.value(record, "Identifier")), ws.value(record, "Full name")
        for r in m.results:
            r.participant_id, r.participant = pid, name


def cmd_manual(args, console: Console) -> int:
    from .. import manual
    spec = spec_of(args)
    if args.manual_command == "export":
        existing_reports(args.reports).close()
        try:
            paths = manual.export(args.reports, spec, args.out)
        except manual.MergeError as exc:
            raise CliError(str(exc), 1) from None
        except ReportWriteError as exc:
            raise CliError(str(exc), 4) from None
        for p in paths:
            _say(console, f"wrote {shown_path(p)}")
        _say(console, f"fill in the points column, then: {manual.merge_command(paths[-1], args.reports)}")
        return 0
    from ..gradebook.outputs import upload_files
    gb = existing_reports(args.reports)
    uploads = upload_files(gb)
    gb.close()
    input_file(args.csv, "grading sheet", _where_the_sheet_is(args))
    try:
        ta = args.ta or manual.who()
        merged, blank, changed, outdated, graded_since, comment_only, kept_since = manual.merge(
            args.csv, args.reports, spec, ta=ta)
    except manual.SheetError as exc:
        raise CliError(str(exc)) from None
    except manual.MergeError as exc:
        console.print(Text("nothing merged; fix these rows first:", style="red"))
        console.print(Text(str(exc)), soft_wrap=True)
        return 1
    except manual.ReportsNotRewritten as exc:
        raise CliError(f"{exc.merged.changed} grade(s) changed and stored in "
                       f"{shown_path(args.reports / 'gradebook.sqlite')}, but summary.csv and the feedback pages "
                       f"were not rewritten from them: {exc}. Fix that, then run grader feedback --reports "
                       f"{shown_path(args.reports)} to write them (merging again changes nothing)", 4) from None
    except sqlite3.Error as exc:
        raise CliError(f"nothing merged: the grades could not be stored in "
                       f"{shown_path(args.reports / 'gradebook.sqlite')} ({exc})", 4) from None
    replaced = (f"{outdated} answer(s) were replaced by a resubmission after the sheet was exported: points given "
                f"to the text you read are kept and marked 'answer changed since graded', and the new texts wait "
                f"for a TA (export the sheets again, or grader serve)") if outdated else ""
    if graded_since:
        replaced = "; ".join(x for x in (replaced, f"{graded_since} row(s) are for an answer a resubmission replaced, "
                                         f"and the new text was graded since: left as graded") if x)
    if kept_since:
        replaced = "; ".join(x for x in (replaced, f"{kept_since} row(s) as exported were graded again since (by "
                                         f"another TA or in grader serve) or their rubric items' points were "
                                         f"edited: today's grade stays") if x)
    if comment_only:
        # A comment needs points to be stored (a sixty-seventh review: it vanished without a word).
        lines = ", ".join(str(n) for n in comment_only[:8]) + (" ..." if len(comment_only) > 8 else "")
        _say(console, f"line(s) {lines}: a comment without points is not stored; write the points beside it and "
                      f"merge again (the sheet is kept until then)", "yellow")
    if not merged:
        if replaced:
            _say(console, replaced)
        raise CliError(f"nothing to merge: {args.csv} has no points for an answered task ({blank} row(s) blank); "
                       f"fill in the points column (decimal commas are fine) and merge again", 1)
    # What changed first, the rows that were there already after (a seventy-fifth review read
    # "merged 19 grade(s)" for one changed row).
    same = f", {merged - changed} unchanged" if changed < merged else ""
    # Whose grades they are: the user name, unless told (a ninetieth review: "root" beside "tina",
    # the name typed in grader serve, split one TA in two on the dashboard).
    told = args.ta or os.environ.get("GRADER_TA")
    by = f"by {ta}" + ("" if told else " (your user name; --ta or $GRADER_TA records the name you use in grader serve)")
    _say(console, f"{changed} grade(s) changed{same} in {shown_path(args.reports / 'gradebook.sqlite')}, {by} "
                  f"(summary.csv and feedback pages rewritten); {blank} row(s) left blank")
    if replaced:
        _say(console, replaced)
    _say_retired(console, uploads)
    return 0


def cmd_count(args, console: Console) -> int:
    from .. import identity
    from ..gradebook.decisions import results as decided
    from ..gradebook.outputs import write_reports
    from ..manual import who
    spec = spec_of(args)
    gb = existing_reports(args.reports)
    try:
        results = decided(gb, pictures=False)
        choices = identity.counting(results.values())
        if args.key is None:
            if args.auto:
                raise CliError("--auto needs the report key of one of the participant's notebooks")
            _list_counting(console, results, choices)
            return 0
        args.key = _report_key(args.key, results, args.reports, among=choices,
                               listed="grader count lists the keys of the notebooks of participants with several")
        r = results[args.key]
        if args.key not in choices:
            raise CliError(f"{args.key} is the only notebook of {r.who}: it counts, there is nothing to choose")
        ta = args.ta or who()
        if not args.auto and choices[args.key].chosen_by and choices[args.key].key == args.key:
            # Nothing to record (a seventy-fifth review: a repeated `count` became a change of its own
            # and took the choice over from the TA who made it).
            c = choices[args.key]
            _say(console, f"{r.who} (participant {r.participant_id}): {c.file} counts already, chosen by "
                          f"{c.chosen_by}; nothing changed")
            return 0
        if args.auto:
            if not gb.unchoose(args.key, ta):
                raise CliError(f"no TA chose a notebook of {r.who}: the highest total counts already")
        else:
            gb.choose(args.key, ta)
        results = decided(gb, pictures=False)
        c = identity.counting(results.values())[args.key]
        write_reports(gb, args.reports, spec)
    except ReportWriteError as exc:
        raise CliError(str(exc), 4) from None
    finally:
        gb.close()
    why = f"{c.reason} ({c.chosen_by})" if c.chosen_by else c.reason
    # Whose choice it is: the user name, unless told (a hundred-and-sixteenth review: "root").
    told = "" if args.ta or os.environ.get("GRADER_TA") or not c.chosen_by else \
        " (the user name; --ta or $GRADER_TA records the name you use in grader serve)"
    _say(console, f"{r.who} (participant {r.participant_id}): {c.file} counts, {why}{told}; summary.csv and "
                  f"feedback pages rewritten", "green")
    return 0


def _points_typed(text: str) -> float:
    """Points as a TA types them, as the browser and the sheets read them: '1,5' is 1.5."""
    from ..manual import points_of
    try:
        return points_of(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of points (e.g. 1.5 or 1,5)") from None


def _report_key(key: str, results, reports: Path, among=None,
                listed: str = "summary.csv lists the report keys") -> str:
    """A report key as typed: the key, a notebook's file name or path, a Moodle participant id, or the key spelled
    without umlauts (Lea_Mueller for Lea_Müller), where all that it may mean is one report; else an error that lists
    them, or suggests the closest key of ``among`` (default: every report) and says where ``listed`` they are.
    A file name is the student's choice: one named after a classmate's participant id or key (`1001.ipynb`,
    `Lea_Mueller_1001.ipynb`) had taken what a TA typed for the classmate (review 464: an override meant for
    participant 1001 gave the point to the student who named her file so), so no reading of the text wins over
    another that finds a different report."""
    from ..naming import as_typed
    # A file name without its '.ipynb' too, as the examples of --help write a key graded outside
    # Moodle's folders (an eighty-seventh review typed it for a Moodle participant's notebook).
    named = sorted(k for k, r in results.items() if key in (r.file, r.path) or key + ".ipynb" in (r.file, r.path))
    typed = sorted(k for k in results if as_typed(k) == as_typed(key))
    # A Moodle participant id, as a regrade request names the student (a seventy-fifth review).
    by_id = sorted(k for k, r in results.items() if key.strip().isdigit() and r.participant_id == key.strip())
    readings = {"the report key": [key] if key in results else [], "a notebook's file name": named,
                "the key without umlauts": typed, "a participant id": by_id}
    found = list(dict.fromkeys(k for keys in readings.values() for k in keys))
    if len(found) == 1:
        return found[0]
    if found and found == by_id:
        raise CliError(f"participant {key.strip()} handed in {len(by_id)} notebooks: name one of them, "
                       + " or ".join(by_id))
    if found and found == named:
        # Two students' notebooks under one file name (one named after a classmate): "no report"
        # said nothing of them (an eighty-first review).
        raise CliError(f"{len(named)} notebooks are named '{key}': " + ", ".join(
            f"{k} ({results[k].who})" for k in named[:SHOWN]) + ("..." if len(named) > SHOWN else "")
            + "; give the report key")
    if found:
        def how(k: str) -> str:
            return " and ".join(what for what, keys in readings.items() if k in keys)
        raise CliError(f"'{key}' may mean {len(found)} reports: " + "; ".join(
            f"{k} ({results[k].who}, {how(k)}; its notebook: {results[k].path or results[k].file})"
            for k in found[:SHOWN]) + ("..." if len(found) > SHOWN else "")
            + "; give the notebook's path as listed to name one")
    import difflib
    among = results if among is None else among
    close = difflib.get_close_matches(as_typed(key), [as_typed(k) for k in among], n=1)
    like = next((k for k in among if close and as_typed(k) == close[0]), "")
    raise CliError(f"no report '{key}' in {shown_path(reports)}: {listed}; a key, a notebook's file name or a Moodle "
                   f"participant id, umlauts may be typed as ae, oe, ue" + (f" (did you mean {like}?)" if like else ""))


def cmd_override(args, console: Console) -> int:
    from ..gradebook.decisions import results as decided
    from ..gradebook.outputs import upload_files, write_reports
    from ..manual import who
    spec = spec_of(args)
    gb = existing_reports(args.reports)
    try:
        results = decided(gb, pictures=False)
        key = _report_key(args.key, results, args.reports)
        r = results[key]
        auto = [c for c in r.checks if not c.manual_task and c.task != "filename"]
        if args.check is None:
            _say(console, f"{r.who} ({key}): {r.auto_points:g}/{r.auto_max:g} automatic points")
            for c in auto:
                mark = f"  (overridden: {c.review.reason})" if c.review is not None and c.review.reason else ""
                if c.review is not None and c.review.earlier:
                    mark += " [given for an earlier notebook: override it again, or --clear]"
                # What the student read where points were lost: what a regrade request is about.
                why = f"\n      {c.message}" if (c.points or 0) < c.max_points and c.message else ""
                _say(console, f"  {c.task}: {c.check}  {c.points or 0:g}/{c.max_points:g}{mark}{why}")
            # How to change one (a hundred-and-ninety-fourth review found it only in an error's text).
            _say(console, f"change one: grader override {shlex.quote(key)} \"CHECK\" POINTS --reason \"...\"")
            _say(console, "  (the reason is shown to the student; --clear gives the automatic points back)")
            return 0
        wanted = " ".join(args.check.replace("_", " ").split()).casefold()
        named = lambda text: " ".join(text.replace("_", " ").split()).casefold()   # noqa: E731
        found = [c for c in auto if wanted in (named(c.check), named(f"{c.task}: {c.check}"))]
        if not found:         # "forward shape" for "ANN_relu: forward shape" (a sixty-first review)
            found = [c for c in auto if named(c.check).endswith(": " + wanted)]
        if len(found) > 1:
            raise CliError(f"'{args.check}' is several checks of {r.who}'s: "
                           + " or ".join(f"'{c.check}'" for c in found[:6]) + "; name one of them")
        if not found:
            raise CliError(f"{r.who} has no automatic check '{args.check}': grader override {key} lists them")
        c = found[0]
        ta = args.ta or who()
        if args.clear:
            gb.clear_override(key, c.task, c.check, ta)
            said = f"{c.task}: {c.check} back to the automatic points"
        else:
            if args.points is None:
                raise CliError(f"give the points {c.check} gets (0..{c.max_points:g}) and --reason, or --clear")
            if not args.reason.strip():       # the option to use, not only the rule (a hundred-and-tenth review)
                raise CliError(f"an override needs a reason, shown to the student: add --reason \"...\", e.g. "
                               f"grader override {key} \"{c.check}\" {args.points:g} --reason \"equivalent solution\"")
            try:
                gb.set_override(key, c.task, c.check, args.points, args.reason, ta)
            except ValueError as exc:
                raise CliError(str(exc)) from None
            said = f"{c.task}: {c.check} → {args.points:g}/{c.max_points:g} ({args.reason.strip()})"
        uploads = upload_files(gb)
        write_reports(gb, args.reports, spec)
        now = decided(gb, [key])[key]
    except ReportWriteError as exc:
        raise CliError(str(exc), 4) from None
    finally:
        gb.close()
    _say(console, f"{r.who} ({key}): {said}, by {ta}; automatic points {r.auto_points:g} → {now.auto_points:g}; "
                  f"summary.csv and feedback pages rewritten", "green")
    _say_retired(console, uploads)
    return 0


def _say_retired(console: Console, uploads: list[Path]) -> None:
    """A Moodle upload file that a changed grade made stale is renamed `.outdated`: said, with what
    to do (a hundred-and-ninety-fourth review found it renamed without a word)."""
    for path in uploads:
        if not path.is_file() and path.with_name(path.name + ".outdated").is_file():
            _say(console, f"{shown_path(path)} no longer holds today's grades: renamed {path.name}.outdated; fill "
                          f"the worksheet again with grader moodle before uploading it", "yellow")


def cmd_move(args, console: Console) -> int:
    from ..gradebook.decisions import results as decided
    from ..gradebook.outputs import write_reports
    from ..manual import who
    spec = spec_of(args)
    gb = existing_reports(args.reports)
    try:
        results = decided(gb, pictures=False)
        old, new = _report_key(args.old, results, args.reports), _report_key(args.new, results, args.reports)
        if old == new:
            raise CliError(f"'{args.old}' and '{args.new}' are the same report ({old})")
        ta = args.ta or who()
        moved, overrides, kept = gb.move_submission(old, new, ta)
        for name in (f"{old}.csv", f"{old}.json", f"feedback/{old}.html"):
            try:
                (args.reports / name).unlink()
            except OSError:
                pass
        write_reports(gb, args.reports, spec)
    except ReportWriteError as exc:
        raise CliError(str(exc), 4) from None
    finally:
        gb.close()
    what = ", ".join(x for x in (f"{len(moved)} grade(s)" + (f" ({', '.join(moved)})" if moved else ""),
                                 f"{len(overrides)} override(s)" if overrides else "") if x)
    _say(console, f"{old} → {new}: {what} carried over by {ta}; {old} is retired (its automatic result is in the "
                  f"history); summary.csv and feedback pages rewritten", "green")
    if kept:
        _say(console, f"kept as {new} had them (the old ones are in the history): {', '.join(kept)}", "yellow")
    return 0


def cmd_undo(args, console: Console) -> int:
    from ..gradebook.outputs import write_reports
    from ..gradebook.store import UndoError
    from ..manual import who
    spec = spec_of(args)
    gb = existing_reports(args.reports)
    try:
        if args.list:
            shown = [c for c in gb.changes(limit=20, people_only=True)]
            if not shown:
                _say(console, "no TA has changed anything yet")
            maxima = {t.id: t.max_points for t in spec.tasks}
            for c in shown:
                state = f"  (undone by {c.undone_by})" if c.undone_by else ""
                rows = gb.history(c.id)
                what = _grade_change(gb, c, rows, maxima) or f"{c.action}: {c.summary}{_touched(rows, c.summary)}"
                _say(console, f"{c.id:>5}  {c.at[:16].replace('T', ' ')}  {c.ta}  {what}{state}")
            if shown and (shown[-1].id > 1 or any(b.id - a.id > 1 for a, b in zip(shown[1:], shown))):
                _say(console, "(the latest 20 changes of TAs; numbers not listed are grading runs:\n"
                              " they are graded again, not undone)")
            return 0
        ta = args.ta or who()
        if args.change is None:
            mine = gb.last_undoable(ta)
            if mine is None:
                raise CliError(f"nothing of {ta}'s to undo (grader undo --list shows every change; --ta NAME for "
                               f"another TA's)")
            args.change = mine.id
        target = gb.change_of(args.change)
        try:
            new = gb.undo(args.change, ta)
        except UndoError as exc:
            raise CliError(str(exc)) from None
        write_reports(gb, args.reports, spec)
    except ReportWriteError as exc:
        raise CliError(str(exc), 4) from None
    finally:
        gb.close()
    what = f"{target.action}: {target.summary}" if target else ""
    _say(console, f"undid change {args.change} ({what}) as change {new}, by {ta}; summary.csv and feedback pages "
                  f"rewritten", "green")
    return 0


def _grade_change(gb, c, rows: list[dict], maxima: dict) -> str:
    """One answer's grade as a change of points ("grade calc_1_2 of Jane_Doe_5501: 8 → 13"; a
    seventy-fifth review read "grade: calc_1_2: grade — Jane_Doe_5501" without the points)."""
    if c.action not in ("grade", "undo") or not rows or any(r.get("entity") != "grade" for r in rows):
        return ""
    idents = {tuple(map(str, r.get("ident") or ())) for r in rows}
    if len(idents) != 1:
        return ""
    key, task = next(iter(idents))[:2]
    rubric = gb.rubric(task)

    def points(state) -> str:
        if state is None:
            return "–"
        g = gb.grade_of(state)
        return f"{rubric.score(g.items, g.adjust, maxima.get(task, 0.0)):g}"
    verb = "undo, grade" if c.action == "undo" else "grade"
    after = points(rows[-1]['after'])
    return f"{verb} {task} of {key}: {points(rows[0]['before'])} → {after} point{'' if after == '1' else 's'}"


def _touched(rows: list[dict], summary: str = "") -> str:
    """Whose record a change touched, so that `grader undo N` is no guess among alike lines (a
    sixty-first review: eight lines "grade: calc_2: grade"); not again where the summary names it
    ("choose: participant 5505: ... counts — 5505", a hundred-and-ninety-fourth review)."""
    whose = list(dict.fromkeys(str(r["ident"][0]) for r in rows if r.get("ident")))
    if len(whose) == 1:
        return "" if re.search(rf"(?<![\w-]){re.escape(whose[0])}(?![\w-])", summary) else f" — {whose[0]}"
    kinds = {r.get("entity") for r in rows}
    noun = f"{kinds.pop()}s" if len(kinds) == 1 else "records"       # "7 grades", as the merge counts them
    records = {(r.get("entity"), tuple(map(str, r.get("ident") or ()))) for r in rows}
    return f" — {len(records)} {noun} changed" if whose else ""


def _list_counting(console: Console, results, choices) -> None:
    groups: dict[str, list] = {}
    for key, c in choices.items():
        groups.setdefault(c.key, []).append(results[key])
    if not groups:
        _say(console, "every participant handed in one notebook: nothing to choose")
        return
    waiting = 0
    for best_key, group in sorted(groups.items(), key=lambda kv: (results[kv[0]].who, kv[0])):
        c, best = choices[best_key], results[best_key]
        waiting += c.waiting
        head = f"{best.who} (participant {best.participant_id}): {len(group)} notebooks"
        if c.differs:
            head += f", their points differ in {', '.join(c.differs)}"
        console.print(Text(head, style="yellow" if c.waiting else ""), soft_wrap=True)
        for r in sorted(group, key=lambda r: (r.file, r.key)):
            mark = "counts" if c.counts(r.key) else "      "
            console.print(Text(f"  {mark}  {r.key}  {r.file}  {r.total_points:g} points"), soft_wrap=True)
        why = f"{c.reason} ({c.chosen_by})" if c.chosen_by else c.reason
        console.print(Text(f"  {'waiting for a TA: ' if c.waiting else ''}{why}", style="dim"), soft_wrap=True)
    if waiting:
        _say(console, f"{waiting} participant(s) wait for a TA's choice: grader count REPORT_KEY (grader moodle "
                      f"waits for it)", "yellow")


def _where_the_sheet_is(args) -> str:
    """Where `grader manual export` put the sheet, to say in a 'no such file'."""
    default = args.reports / "manual" / "manual_grades.csv"
    if default.is_file() and default.absolute() != args.csv.absolute():
        return f"grader manual export wrote {shown_path(default)}"
    return "write it with grader manual export"


def cmd_feedback(args, console: Console) -> int:
    from ..gradebook.outputs import write_reports
    spec = spec_of(args)
    gb = existing_reports(args.reports)
    try:
        write_reports(gb, args.reports, spec)
    except ReportWriteError as exc:
        raise CliError(str(exc), 4) from None
    finally:
        gb.close()
    where = shown_path(args.reports)
    _say(console, f"wrote {where}/overview.html, {where}/feedback/ and the CSV/JSON reports")
    return 0


def cmd_backup(args, console: Console) -> int:
    import time
    gb = existing_reports(args.reports)
    gb.close()
    name = f"gradebook-{time.strftime('%Y%m%d-%H%M%S')}.sqlite"
    dest = Path(args.dest) if args.dest is not None else args.reports / "backups" / name
    # A folder: one that exists, one written with a trailing slash, or a name without a file suffix
    # (a TA's review: "bk/" not there yet became a file named bk).
    if dest.is_dir() or (args.dest is not None and (args.dest.endswith(("/", os.sep)) or not dest.suffix)):
        dest = dest / name
    if dest.exists():
        raise CliError(f"{shown_path(dest)} exists: name another file, or move that one away", 1)
    tmp = dest.with_name(f".{dest.name}.tmp")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(args.reports / "gradebook.sqlite", timeout=30)
        copy = sqlite3.connect(tmp)
        try:
            source.backup(copy)             # one snapshot: a grade stored meanwhile is in it whole or not at all
            rows = copy.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
            grades = copy.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
        finally:
            copy.close()
            source.close()
        tmp.replace(dest)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise CliError(f"could not write {shown_path(dest)}: {getattr(exc, 'strerror', None) or exc}", 4) from None
    _say(console, f"wrote {shown_path(dest)}: {rows} submission(s), {grades} change(s) in the history "
                  f"(to restore: stop every grader command on that folder, delete gradebook.sqlite-wal and "
                  f"gradebook.sqlite-shm there, then copy it to <reports>/gradebook.sqlite)")
    return 0
