"""Code 3.1: the imports cell runs, and the provided cells are present and unmodified."""
from __future__ import annotations

import ast
import difflib

from ..engines import CellJob
from ..notebook import defines, find_cell, no_op_lines, parse_source
from ..results import CheckResult
from .context import Context, cell_failure, verdict


def _same_as_template(ctx: Context, cell_id: str):
    """The template's cell, blank lines and comments aside, also where it is found without its ID
    (a notebook saved without IDs, or the cell pasted back with a new one: a hundred-and-sixty-third
    review's blank line in `imports` read as "the cell is missing" there)."""
    return lambda c: ctx.same_code(c, cell_id)


def _template_source(ctx: Context, cell_id: str) -> str:
    return next((c.source for c in ctx.template.cells if c.id == cell_id), "")


def _code_lines(source: str) -> list[tuple[int, str]]:
    """(line number, text) of the lines that run: blank lines, comments, help lines and `%matplotlib
    inline` change nothing (a two-hundred-and-sixth review: the message named an allowed `plt.imshow?`
    line, not the edit that cost the points)."""
    skip = no_op_lines(source)
    return [(i + 1, ln.strip()) for i, ln in enumerate(source.split("\n"))
            if ln.strip() and not ln.strip().startswith("#") and i not in skip]


def first_edit(mine: str, template: str) -> str:
    """Where a provided cell first differs from the template's, in words (a ninety-third review:
    a Colab `!pip install torchvision` line cost 2 points, and the message named no line)."""
    def shown(text: str) -> str:
        text = "".join(ch if ch.isprintable() else "?" for ch in text)
        return f"`{text[:60]}{'...' if len(text) > 60 else ''}`"
    a, b = _code_lines(mine), _code_lines(template)
    ops = difflib.SequenceMatcher(None, [t for _, t in a], [t for _, t in b], autojunk=False).get_opcodes()
    op = next((o for o in ops if o[0] != "equal"), None)
    if op is None:
        return ""
    tag, i1, i2, j1, j2 = op
    if tag == "insert":
        return f" (the template's line {shown(b[j1][1])} is missing)"
    if tag == "delete":
        return f" (line {a[i1][0]}, {shown(a[i1][1])}, is not in the template)"
    return f" (line {a[i1][0]} reads {shown(a[i1][1])}; the template's reads {shown(b[j1][1])})"


def _assigned_names(source: str) -> list[str]:
    tree = parse_source(source)
    if tree is None:
        return []
    return [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)]


def _present(task, ctx: Context, cid: str, points: float) -> CheckResult:
    """An editable provided cell: it must be there (by ID, or as the cell assigning its names)."""
    tpl = next(c for c in ctx.template.cells if c.id == cid)
    names = _assigned_names(tpl.source)

    def sets_them(c) -> bool:       # its values changed, not gone (a hundred-and-sixty-third review: `pass`)
        return c.cell_type == "code" and all(defines(c.source, n) for n in names)
    by_id = [c for c in ctx.nb.by_id(cid) if c.cell_type == "code"]
    found = any(sets_them(c) for c in by_id) if by_id else bool(names) and any(sets_them(c) for c in ctx.nb.cells)
    gone = (f"the provided cell '{cid}' no longer sets {', '.join(f'`{n}`' for n in names)}; restore it from the "
            f"template (its values may be changed)" if by_id else
            f"the provided cell '{cid}' is missing; restore it from the template")
    return verdict(task, f"{cid} present", points, found,
                   f"the provided cell '{cid}' is present (its values may be changed)", gone)


def _runs_last(ctx: Context, cell_id: str) -> list:
    """The code cells of that ID, the one Jupyter runs last at the end: of two copies, the later
    one's effect is what the notebook has (a hundred-and-sixty-fourth review put an edited copy with
    the same ID below the untouched cell and kept every point)."""
    return [c for c in ctx.nb.by_id(cell_id) if c.cell_type == "code"][-1:]


def plan(task, ctx: Context):
    cell_id = task.cfg["executes"]
    last = _runs_last(ctx, cell_id)
    cell = last[0] if last else find_cell(ctx.nb, cell_id, cell_type="code", matches=_same_as_template(ctx, cell_id)).cell
    if cell is None:
        return []
    if ctx.same_code(cell, cell_id):
        # The template's cell (blank lines and comments aside), which every worker already ran to
        # build the context.
        return [None]
    return [CellJob(cell_id, cell.source)]


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
                               cell_failure(out, cell_id, ctx) + "; it must run as provided"))
    editable = set(ctx.spec.editable_cells)
    for cid in cfg["cells"]:
        if cid in editable:
            results.append(_present(task, ctx, cid, float(cfg["points_per_cell"])))
            continue
        by_id = ctx.nb.by_id(cid)
        # The cell of that ID is the one that counts, of two the later one: an untouched copy
        # elsewhere beside an edited one kept the points while Jupyter ran the edited one (a
        # hundred-and-sixty-third review; the hundred-and-sixty-fourth gave the copy the same ID).
        # Without it (no IDs, or a new one), a cell that is the template's, blank lines and
        # comments aside, wherever it stands.
        last = _runs_last(ctx, cid)
        ok = (ctx.same_code(last[0], cid) if last else False) if by_id \
            else any(ctx.same_code(c, cid) for c in ctx.nb.cells)
        if len([c for c in by_id if c.cell_type == "code"]) > 1:
            ctx.flag(f"duplicated:{cid}")
        shown = (last or by_id)[0] if by_id else None
        bad = (f"the provided cell '{cid}' was edited{first_edit(shown.source, _template_source(ctx, cid))}; "
               f"restore it from the template" if by_id
               else f"the provided cell '{cid}' is missing; restore it from the template")
        results.append(verdict(task, f"{cid} unmodified", float(cfg["points_per_cell"]), ok,
                               f"the provided cell '{cid}' is present and unmodified", bad))
    return results
