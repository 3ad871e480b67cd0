"""One source notebook: build the student template from the solution.

Solution regions are nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers; each
becomes ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` at the marker's indentation, and
written-answer cells become "YOUR ANSWER HERE". The locked cells' checksums are recorded beside
the spec; the grader compares submissions against them.
"""
from __future__ import annotations

import copy
import json
import re

import nbformat

from .notebook import checksum

REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*$", re.M | re.S)


def strip_solutions(source: str) -> str:
    return REGION.sub(lambda m: f"{m.group(1)}# YOUR CODE HERE\n{m.group(1)}raise NotImplementedError()", source)


def make_template(solution):
    nb = copy.deepcopy(solution)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
        elif meta.get("solution"):
            cell.source = "YOUR ANSWER HERE"
    return nb


def locked_checksums(template, locked: list[str]) -> dict[str, str]:
    cells = {c.get("id"): c for c in template.cells}
    return {cid: checksum(cells[cid].source) for cid in locked}


def release(spec) -> tuple[str, dict[str, str]]:
    """Return (template notebook text, locked checksums) built from the spec's solution."""
    sol = nbformat.read(spec.file("solution"), as_version=4)
    tpl = make_template(sol)
    nbformat.validate(tpl)
    return nbformat.writes(tpl) + "\n", locked_checksums(tpl, spec.locked_cells)


def write_release(spec) -> list:
    text, sums = release(spec)
    out = [spec.file("template"), spec.root / "locked_checksums.json"]
    out[0].write_text(text, encoding="utf-8")
    out[1].write_text(json.dumps(sums, indent=1) + "\n")
    return out
