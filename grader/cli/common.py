"""What the subcommands share: option groups, the console, names of files as users see them."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..spec import DEFAULT_SPEC


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
