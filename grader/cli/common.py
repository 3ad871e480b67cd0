"""What the subcommands share: option groups, one-line errors, names of files as users see them."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..spec import DEFAULT_SPEC


class CliError(Exception):
    """A wrong input, said in one line that tells what to do; ``main`` prints it as
    ``error: ...`` and exits with ``code`` (2: the input is wrong, 1: refused to go on)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def spec_data_engine_args(p: argparse.ArgumentParser) -> None:
    """For the commands that run notebooks."""
    p.add_argument("--spec", type=Path, default=DEFAULT_SPEC,
                   help="assignment spec (spec.toml or its folder); default: Assignment 7")
    p.add_argument("--data", type=Path, default=None,
                   help="data home holding data/FashionMNIST/raw (default: $GRADER_DATA or ~/.cache/grader)")
    p.add_argument("--engine", choices=["fork", "nbclient"], default="fork",
                   help="fork: warm forked workers (fast, default); nbclient: one fresh Jupyter kernel per "
                        "notebook (the plain, slow path)")


def reports_args(p: argparse.ArgumentParser) -> None:
    """For the commands that work on finished reports rather than on notebooks."""
    p.add_argument("--reports", type=Path, default=Path("reports"), help="report folder (default: reports/)")
    p.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="assignment spec (default: Assignment 7)")


def display_name(path: Path) -> str:
    """File names are bytes on Linux; one that is not UTF-8 is shown with replacement marks."""
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def shown_path(path: Path) -> str:
    """A path as short as the TA can type it: relative to the working folder when below it."""
    path = Path(path).absolute()
    try:
        rel = path.relative_to(Path.cwd())
        return str(rel) if str(rel) != "." else "."
    except ValueError:
        return str(path)


def spec_of(args):
    """The assignment spec named by ``--spec``, or one line saying what is wrong with it."""
    from ..spec import load_spec
    path = Path(args.spec)
    target = path / "spec.toml" if path.is_dir() else path
    if not target.is_file():
        raise CliError(f"no assignment spec at {path}: pass --spec with a spec.toml or the folder holding it "
                       f"(default: the course's Assignment 7)")
    try:
        # `--draw-seed` (grade, verify): the draw of hidden.toml's ranges; None draws afresh.
        return load_spec(path, draw_seed=getattr(args, "draw_seed", None))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CliError(f"cannot read the assignment spec {target}: {type(exc).__name__}: {exc}") from exc


def existing_reports(reports: Path):
    """The gradebook of an existing report folder (opened), or one line on how to make one."""
    from ..gradebook import open_gradebook
    reports = Path(reports)
    gb = open_gradebook(reports, create=False) if reports.is_dir() else None
    if gb is None:
        there = "" if reports.is_dir() else " (no such folder)"
        raise CliError(f"no gradebook or reports in {reports}{there}: run grader grade first, or pass --reports "
                       f"DIR (the --out of grader grade)")
    return gb


def input_file(path: Path, what: str, hint: str) -> bytes:
    """The bytes of a file the TA names, or one line saying what is wrong and what to pass."""
    path = Path(path)
    if path.is_dir():
        raise CliError(f"{path} is a folder: pass the {what} file itself ({hint})")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"no such file: {path} ({hint})") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
