"""Command line: one subcommand per job of the course's week, each in its own module."""
from __future__ import annotations

import argparse
import sys

from rich.console import Console

from .. import __version__
from . import check, course, grade, reports, serve, similarity


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader", description="Autograder for the course's Jupyter notebook assignments. Student code runs "
        "in separate, limited processes; checks run in the grader.", epilog=grade.EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    grade.add_parser(sub)
    check.add_parser(sub)
    serve.add_parser(sub)
    reports.add_parsers(sub)
    course.add_parsers(sub)
    similarity.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(highlight=False)
    return args.run(args, console)


if __name__ == "__main__":
    sys.exit(main())
