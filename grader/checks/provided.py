"""Code 3.1: the imports cell runs, and the provided cells are present and unmodified."""
from __future__ import annotations

from ..engines import CellJob
from ..notebook import checksum, find_cell
from ..results import CheckResult
from .context import Context, cell_failure, verdict


def _same_as_template(ctx: Context, cell_id: str):
    want = ctx.template_checksum(cell_id)
    return lambda c: checksum(c.source) == want


def plan(task, ctx: Context):
    cell_id = task.cfg["executes"]
    found = find_cell(ctx.nb, cell_id, cell_type="code", matches=_same_as_template(ctx, cell_id))
    if found.cell is None:
        return []
    if checksum(found.cell.source) == ctx.template_checksum(cell_id):
        # Identical to the template's cell, which every worker already ran to build the context.
        return [None]
    return [CellJob(cell_id, found.cell.source)]


def reference_jobs(task, ctx: Context):
    return []


def score(task, ctx: Context, outcomes, refs) -> list[CheckResult]:
    cfg = task.cfg
    cell_id = cfg["executes"]
    results = []
    pts = float(cfg["points_executes"])
    if not outcomes:
        results.append(verdict(task, f"{cell_id} executes", pts, False, "",
                               f"the '{cell_id}' cell is missing; restore it from the template"))
    elif outcomes[0] is None:
        results.append(verdict(task, f"{cell_id} executes", pts, True,
                               f"the '{cell_id}' cell runs (unchanged from the template)", ""))
    else:
        out = outcomes[0]
        results.append(verdict(task, f"{cell_id} executes", pts, out.ok, f"the '{cell_id}' cell runs",
                               cell_failure(out, cell_id) + "; it must run as provided"))
    for cid in cfg["cells"]:
        want = ctx.template_checksum(cid)
        by_id = ctx.nb.by_id(cid)
        same = [c for c in by_id if ctx.nb.checksum(c) == want and c.cell_type == "code"]
        elsewhere = [c for c in ctx.nb.by_checksum(want) if c.cell_type == "code"]
        ok = bool(same or elsewhere)
        bad = (f"the provided cell '{cid}' was edited; restore it from the template" if by_id
               else f"the provided cell '{cid}' is missing; restore it from the template")
        results.append(verdict(task, f"{cid} unmodified", float(cfg["points_per_cell"]), ok,
                               f"the provided cell '{cid}' is present and unmodified", bad))
    return results
