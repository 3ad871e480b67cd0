"""Command line: one subcommand per job of the course's week, each in its own module."""
from __future__ import annotations

import argparse
import sys

from rich.text import Text

from .. import __version__
from .helptext import HelpFormatter
from .common import CliError
from .console import Console


WEEK = """the TA's week, in order:
  1. grader grade "Assignment 7-12345.zip"
       grade Moodle's "Download all submissions" zip (or a folder)
  2. grader serve
       grade the written answers in the browser; or: grader manual export,
       then grader manual merge reports/manual/manual_grades.csv
     grader count                  one student's several notebooks: which counts
     grader override REPORT_KEY    a regrade request on an automatic check
     grader undo [--list]          take back your last change (a merge, ...)
     grader move OLD NEW           a file renamed outside Moodle: grades follow
  3. grader moodle "Grades-Assignment 7.csv"
       fill Moodle's grading worksheet, then upload it
  4. grader export --format gradebook
       also gradescope, junit, or moodle-feedback (each student's feedback page)
     grader backup                 a safe copy of the gradebook, any time

students:          grader check Assignment_7_JaneDoe_k12345678.ipynb
course CI:         grader verify; grader release --check
similar hand-ins:  grader similarity (a flag for a TA, never a deduction)

'grader COMMAND --help' explains each command with examples.
"""


def build_parser(only_check: bool = False) -> argparse.ArgumentParser:
    """Every subcommand; ``only_check``: just `grader check`, whose start a student waits for (the
    other commands' modules import the gradebook, Moodle and web libraries, ~0.3 s)."""
    from . import check
    parser = argparse.ArgumentParser(
        prog="grader", description="Autograder for the course's Jupyter notebook assignments.\nStudent code runs "
        "in separate, limited processes; checks run in the grader.", epilog=WEEK,
        formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if only_check:
        check.add_parser(sub)
        return parser
    from . import course, grade, reports, serve, similarity
    grade.add_parser(sub)
    serve.add_parser(sub)
    reports.add_parsers(sub)
    check.add_parser(sub)
    course.add_parsers(sub)
    similarity.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(only_check=argv[:1] == ["check"]).parse_args(argv)
    from ..memory import return_freed_memory
    return_freed_memory()
    # Into a file or a pipe (a TA's log, grep), a line per student stays one line: Rich would
    # break it at 80 columns. `grader check` breaks its own text between words at any width.
    console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
    try:
        return args.run(args, console)
    except CliError as exc:            # a wrong input: one line that says what to do, no traceback
        console.print(Text("error: ", style="red") + Text(str(exc)), soft_wrap=True)
        return exc.code


if __name__ == "__main__":
    sys.exit(main())
