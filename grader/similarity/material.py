"""What the course gave every student, so that it never counts as two students being alike:
the template's cells (code, and the wording of the questions), the reference solution's cells
and ``reference.py``. Four ``nn.Linear`` layers are four ``nn.Linear`` layers; whatever the
reference solution writes, many honest students write too.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..notebook import NotebookError, checksum, load_notebook
from ..spec import Spec
from .settings import Settings

PLACEHOLDERS = ("YOUR ANSWER HERE", "# YOUR CODE HERE\nraise NotImplementedError()")


@dataclass(frozen=True)
class Material:
    code: tuple[str, ...]                   # code the course wrote (template, solution, reference.py)
    text: tuple[str, ...]                   # markdown the course wrote (questions, instructions)
    template_kinds: dict[str, str]          # template cell id -> "code" | "markdown"
    template_checksums: frozenset[str]      # cells handed in unchanged are not the student's


def load_material(spec: Spec, settings: Settings) -> Material:
    code: list[str] = []
    text: list[str] = list(PLACEHOLDERS)
    kinds: dict[str, str] = {}
    sums: set[str] = set()
    for key in settings.boilerplate:
        if key not in spec.assignment:
            continue
        path = spec.file(key)
        if not path.exists():
            continue
        if path.suffix == ".ipynb":
            try:
                nb = load_notebook(path)
            except NotebookError:
                continue
            for c in nb.cells:
                (code if c.cell_type == "code" else text).append(c.source)
                if key == "template":
                    if c.id:
                        kinds[c.id] = "code" if c.cell_type == "code" else "markdown"
                    sums.add(checksum(c.source))
        elif path.suffix == ".py":
            code.append(path.read_text(encoding="utf-8", errors="replace"))
    return Material(tuple(code), tuple(text), kinds, frozenset(sums))
