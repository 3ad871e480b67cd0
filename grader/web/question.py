"""The question a written answer answers and the course's model answer, for the TA's grading page
(a hundred-and-tenth review: a new TA grading Calculation 2 kept the solution notebook open beside
the app). Read from the assignment's template and solution notebooks, the answer cell found by the
spec's cell ID; an assignment without a solution file shows the question only."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..render import answer_html

# A task's own heading (Markdown "#"/"##", or HTML <h1>/<h2>): the text below it is the task's.
_TASK_HEADING = re.compile(r"<h[12]\b|^#{1,2}\s", re.M | re.I)
_MARKERS = re.compile(r"^[ \t]*#+[ \t]*(?:BEGIN|END) SOLUTION[ \t]*\n?", re.M)


@dataclass(frozen=True)
class Reference:
    question: str = ""            # safe HTML
    model: str = ""               # safe HTML


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


@lru_cache(maxsize=16)
def _cells(path: str, modified: float) -> tuple[dict, ...]:
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
        return tuple(c for c in cells if isinstance(c, dict))
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def cells_of(path: Path | None) -> tuple[dict, ...]:
    try:
        return _cells(str(path), path.stat().st_mtime) if path is not None else ()
    except OSError:
        return ()


def question_text(cells: tuple[dict, ...], cell_id: str) -> str:
    """The Markdown right above the answer cell (its heading) and the task text it belongs to: the
    nearest cell above with a task heading (Calculation 1.2 shares Task 1's text with 1.1)."""
    at = next((i for i, c in enumerate(cells) if c.get("id") == cell_id), None)
    if at is None or at == 0 or cells[at - 1].get("cell_type") != "markdown":
        return ""
    parts = [_source(cells[at - 1])]
    if not _TASK_HEADING.search(parts[0]):
        for c in reversed(cells[:at - 1]):
            if c.get("cell_type") != "markdown":
                break
            if _TASK_HEADING.search(_source(c)):
                parts.insert(0, _source(c))
                break
    return "\n\n".join(parts)


def model_text(cells: tuple[dict, ...], cell_id: str) -> str:
    cell = next((c for c in cells if c.get("id") == cell_id), None)
    return _MARKERS.sub("", _source(cell)).strip() if cell is not None else ""


_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.I | re.S)


def _headings(text: str) -> str:
    """The course's HTML headings (`<h2 style=...>Task 2</h2>`) as Markdown ones: the renderer,
    made for students' answers, shows raw HTML as text."""
    return _HTML_HEADING.sub(lambda m: "\n" + "#" * int(m.group(1)) + " " + " ".join(m.group(2).split()) + "\n", text)


def reference(template: Path | None, solution: Path | None, cell_id: str) -> Reference:
    question = _headings(question_text(cells_of(template), cell_id))
    model = _headings(model_text(cells_of(solution), cell_id))
    return Reference(answer_html(question, headings=True) if question else "",
                     answer_html(model, headings=True) if model else "")
