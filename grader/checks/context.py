"""What every check kind gets to see about the submission being graded."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..notebook import Found, Notebook, checksum, defines, find_cell
from ..results import CellOutcome, CheckResult, Status
from ..spec import Spec, Task


@dataclass
class Context:
    spec: Spec
    nb: Notebook | None           # None when the notebook could not be read
    template: Notebook
    hidden: bool                  # grade mode: hidden parameters and the answer key are used
    flags: list[str] = field(default_factory=list)

    def template_checksum(self, cell_id: str) -> str:
        """What a provided or locked cell must match: the released checksum, else the template's."""
        recorded = self.spec.locked_checksums().get(cell_id)
        if recorded:
            return recorded
        return checksum(next(c.source for c in self.template.cells if c.id == cell_id))

    def flag(self, text: str) -> None:
        if text and text not in self.flags:
            self.flags.append(text)

    def find_code(self, cell_id: str, name: str | None = None) -> Found:
        """A code cell by ID, else the cell that defines ``name``; renames are flagged."""
        matcher = (lambda c: defines(c.source, name)) if name else None
        found = find_cell(self.nb, cell_id, cell_type="code", matches=matcher)
        if found.how == "content":
            self.flag(f"id-fallback:{cell_id}")
        elif found.how == "missing":
            self.flag(f"missing:{cell_id}")
        if found.note and found.how != "missing":
            self.flag(f"note:{found.note}")
        return found


@dataclass(frozen=True)
class Verdict:
    """One check's outcome on one run, before it becomes a CheckResult with points."""
    ok: bool
    message: str


def combine(public: dict[str, Verdict], hidden: dict[str, Verdict] | None,
            hidden_only: dict[str, str]) -> dict[str, Verdict]:
    """Points from the hidden run; a hidden failure is explained by the public run's message (which
    `grader check` reproduces) or, when the public run passed, by a fixed text: no message can hold
    a value derived from a hidden parameter."""
    if hidden is None:
        return public
    out = {}
    for c, h in hidden.items():
        out[c] = h if h.ok else (public[c] if not public[c].ok else Verdict(False, hidden_only[c]))
    return out


def cell_failure(outcome: CellOutcome, cell_id: str) -> str:
    """Why a cell gave no usable result, phrased for the student."""
    if outcome.status == Status.ERROR:
        return f"cell '{cell_id}' raised {outcome.error}"
    if outcome.status.stopped:
        return f"cell '{cell_id}': {outcome.error}"
    if outcome.probe_error:
        return f"checking cell '{cell_id}' failed: {outcome.probe_error}"
    return f"cell '{cell_id}' gave no result"


def failed(task: Task, check: str, points: float, message: str) -> CheckResult:
    return CheckResult(task=task.id, check=check, max_points=points, points=0.0, passed=False, message=message)


def verdict(task: Task, check: str, points: float, ok: bool, good: str, bad: str) -> CheckResult:
    return CheckResult(task=task.id, check=check, max_points=points, points=points if ok else 0.0,
                       passed=ok, message=good if ok else bad)
