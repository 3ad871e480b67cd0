"""Written answers (Calculations): never auto-graded, but an untouched placeholder scores 0."""
from __future__ import annotations

import re

from ..answer_images import capped, embed, typed_markers
from ..notebook import Cell, find_cell, markdown_after_heading
from ..results import CheckResult
from .context import Context

PLACEHOLDER = "YOUR ANSWER HERE"


def unanswered(text: str) -> bool:
    """Empty, or the placeholder however it was dressed (**YOUR ANSWER HERE**, a heading, a tag)."""
    # A tag holds no '<': '<[^>]*>' tried from each of 200,000 '<' was quadratic (minutes).
    return re.sub(r"<[^<>]*>|[*_`#>\s]", "", text or "").upper() in ("", PLACEHOLDER.replace(" ", ""))


_JUNK = re.compile(r"(todo|tbd|tba|fixme|xxx|\?+|-+|\.+|n/?a|later|see paper|see my paper)", re.I)


def unfinished(text: str) -> str | None:
    """Why a written answer looks unfinished, as a sentence about it, or None: the template's
    placeholder still in it, or only a few characters or a "TODO" (a student's review: 'TODO',
    '.' and 'See my paper.  YOUR ANSWER HERE' got "answered"). One reading for `grader check`
    and the grading app (a seventy-seventh review: an answer of "." got no word there)."""
    plain = re.sub(r"<[^<>]*>|[*_`#>]", "", text or "")
    words = re.sub(r"\s+", " ", plain).strip()
    if PLACEHOLDER.casefold() in words.casefold():
        return f"the answer still holds '{PLACEHOLDER}'"
    if len(re.sub(r"\W", "", words)) < 2 or _JUNK.fullmatch(words.rstrip(".!: ")):
        return f"the answer is only '{words[:40]}'"
    return None


def _answer(cell: Cell) -> str:
    """The cell's text, with the pictures pasted into it written out (see answer_images); a code
    cell's as a code block (a calculation done in Python is shown as the code it is)."""
    source = typed_markers(cell.source)
    if cell.cell_type == "code":
        return f"```python\n{source.strip()}\n```"
    return embed(source, {name: (mime, data) for name, mime, data in cell.pictures}, dict(cell.refused)).strip()


def _extra_lines(ctx: Context, cell: Cell) -> tuple[list[str], list[str]] | None:
    """The lines a student typed into a template's markdown cell: those before its first line of the
    template's, and the others. None: not a template cell."""
    template = ctx.template.by_id(cell.id) if cell.id else []
    if cell.cell_type != "markdown" or not template:
        return None
    known = {ln.strip() for t in template for ln in t.source.split("\n")}
    lines = cell.source.split("\n")
    first = next((i for i, ln in enumerate(lines) if ln.strip() and ln.strip() in known), len(lines))
    return ([ln for ln in lines[:first] if ln.strip() not in known],
            [ln for ln in lines[first:] if ln.strip() not in known])


def _cell_at(ctx: Context, index: int) -> Cell | None:
    return next((c for c in ctx.nb.cells if c.index == index), None)


def _as_answer(cell: Cell, lines: list[str]) -> list[str]:
    extra = "\n".join(lines).strip()
    return [] if unanswered(extra) else [embed(typed_markers(extra), {n: (m, d) for n, m, d in cell.pictures},
                                              dict(cell.refused))]


def _left_unanswered(cell: Cell | None) -> bool:
    return cell is not None and cell.cell_type in ("markdown", "raw") and unanswered(cell.source)


def _next_written(ctx: Context, index: int, step: int) -> Cell | None:
    """The nearest cell from ``index`` on (``step`` -1: upwards) that holds anything or is the
    template's (an answer cell emptied of its placeholder is still the answer's place)."""
    by_index = {c.index: c for c in ctx.nb.cells}
    while index in by_index:
        cell = by_index[index]
        if cell.source.strip() or (cell.id and ctx.template.by_id(cell.id)):
            return cell
        index += step
    return None


def _typed_into_heading(ctx: Context, answer: Cell, added: list[Cell], heading: str) -> list[str]:
    """Text a student typed into the task's heading cell, the template cell right above the answer
    (and above the cells added there): the lines the template's cell does not have. Lines typed
    above the heading itself, under a placeholder left as it was, are the task before's (see
    ``_typed_below``)."""
    first = added[0].index if added else answer.index
    prev = _cell_at(ctx, first - 1)
    if prev is None or heading not in prev.source:
        return []
    lines = _extra_lines(ctx, prev)
    if lines is None:
        return []
    before, after = lines
    return _as_answer(prev, after if _left_unanswered(_next_written(ctx, prev.index - 1, -1)) else before + after)


def _typed_below(ctx: Context, last: Cell) -> list[str]:
    """Text typed at the top of the template cell right below a placeholder left as it was (the
    next section's heading cell), above the heading: the answer to the task above it (a
    hundred-and-fifty-seventh review: typed above "Task 3", Calculation 2 scored 0 and reached no TA)."""
    below = _next_written(ctx, last.index + 1, 1)
    lines = _extra_lines(ctx, below) if below is not None else None
    return _as_answer(below, lines[0]) if lines else []


def plan(task, ctx: Context):
    return []


def reference_jobs(task, ctx: Context):
    return []


def score(task, ctx: Context, outcomes, refs) -> list[CheckResult]:
    cfg = task.cfg
    after_heading = markdown_after_heading(ctx.nb, cfg["heading"])
    template = {ctx.template.checksum(c) for c in ctx.template.cells}
    # Without its ID the answer is the markdown cell after the heading, unless that cell is one of
    # the template's own (the next task's heading, when the answer cell was deleted).
    found = find_cell(ctx.nb, cfg["cell"], cell_type="markdown",
                      matches=lambda c: after_heading(c) and (ctx.nb.checksum(c) not in template
                                                              or c.source.strip() == PLACEHOLDER))
    if found.how == "content":
        ctx.flag(f"id-fallback:{cfg['cell']}")
    row = dict(task=task.id, check="answer", max_points=task.max_points, manual_task=True)
    if found.cell is None:
        return [CheckResult(**row, points=0.0, passed=False,
                            message=f"the answer cell for {task.title} is missing; restore it from the "
                                    f"template and write your answer there")]
    text = _answer(found.cell)
    ctx.graded(found.cell, cfg["cell"])
    if found.note and not (found.how == "content" and ctx.ids_lost):   # e.g. changed to a code cell
        ctx.flag(f"note:{found.note}")
    if found.how == "id" and len(ctx.nb.by_id(cfg["cell"])) > 1:
        ctx.flag(f"duplicated:{cfg['cell']}")
    # Cells added right below the answer cell are part of the answer: the whole answer when the
    # placeholder was left (a TA grades it, flagged, instead of a 0 nobody sees), the rest of it
    # when the cell says "see below" (the sixth fairness review: the TA saw only the pointer).
    # So are cells added right above it, and text typed into the heading's own cell (a hundred-and-
    # fifth review: an answer above the untouched placeholder scored 0 and never reached the TA).
    # A code cell counts too (a calculation worked out in Python), unless a code task graded it.
    def answer_cells(cells):
        return [c for c in cells if c.cell_type in ("markdown", "raw", "code") and not unanswered(c.source)
                and ctx.graded_as.get(c.index, cfg["cell"]) == cfg["cell"]]

    above_cells, below_cells = answer_cells(ctx.added_before(found.cell)), answer_cells(ctx.added_after(found.cell))
    for c in above_cells + below_cells:
        ctx.graded(c, cfg["cell"])
    typed = _typed_into_heading(ctx, found.cell, above_cells, cfg["heading"])
    above, below = typed + [_answer(c) for c in above_cells], [_answer(c) for c in below_cells]
    under = _typed_below(ctx, found.cell) if _left_unanswered(found.cell) and not below_cells else []
    below += under
    where = " and ".join(w for w, parts in (("into the heading's cell", typed),
                                            (f"in the cells added right above '{cfg['cell']}'", above_cells),
                                            (f"in the cells added right below '{cfg['cell']}'", below_cells),
                                            ("at the top of the cell below it, above that cell's heading", under))
                         if parts)
    if (above or below) and unanswered(text):
        ctx.flag(f"moved:{cfg['cell']}")
        ctx.detail(f"the answer for {task.title} was read from what was written {where}")
        text = "\n\n".join(above + below)
    elif above or below:
        ctx.detail(f"the answer for {task.title} includes what was written {where}")
        text = "\n\n".join([*above, text, *below])
    text = capped(text)
    if "[picture not shown (" in text or ": more pictures than one answer shows]" in text:
        ctx.flag(f"image-dropped:{cfg['cell']}")
    if unanswered(text):
        return [CheckResult(**row, points=0.0, passed=False,
                            message=f"not answered: write your answer under {task.title} (in the cell that held "
                                    f"'{PLACEHOLDER}')")]
    return [CheckResult(**row, points=None, passed=None, answer=text,
                        message="answered; needs manual grading by a TA")]
