"""Plain records the gradebook hands out: rubric items, grades, overrides, answers, changes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RubricItem:
    id: int
    task: str
    pos: int
    points: float                 # positive or negative
    description: str              # what the TA sees on the key
    feedback: str = ""            # what the student reads
    deleted: bool = False


@dataclass(frozen=True)
class Rubric:
    task: str
    start: str                    # 'zero': count up from 0; 'max': count down from the maximum
    items: tuple[RubricItem, ...]

    def item(self, item_id: int) -> RubricItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def score(self, item_ids, adjust: float, max_points: float) -> float:
        """Points of a grade: start + items + adjustment, kept within 0..max."""
        return round(min(max_points, max(0.0, self.raw(item_ids, adjust, max_points))), 4)

    def raw(self, item_ids, adjust: float, max_points: float) -> float:
        """What start, items and adjustment add up to before they are kept within 0..max."""
        base = max_points if self.start == "max" else 0.0
        return round(base + adjust + sum(i.points for i in self.items if i.id in set(item_ids) and not i.deleted), 4)


@dataclass(frozen=True)
class Grade:
    submission_key: str
    task: str
    items: tuple[int, ...]
    adjust: float
    comment: str
    ta: str
    at: str
    answer_sha: str
    version: int


@dataclass(frozen=True)
class Override:
    submission_key: str
    task: str
    check_name: str
    points: float
    reason: str
    auto_points: float | None
    ta: str
    at: str
    version: int
    file_sha: str = ""            # the notebook (sha256) it was given for; '' before schema 3


@dataclass(frozen=True)
class Choice:
    """A TA's choice of the notebook that counts among a participant's several."""
    participant_id: str
    key: str
    ta: str
    at: str


@dataclass(frozen=True)
class Answer:
    """A written answer waiting for (or having) a TA's grade."""
    sid: int                      # the opaque submission number
    key: str
    task: str
    text: str
    sha: str
    max_points: float


@dataclass(frozen=True)
class Change:
    id: int
    at: str
    ta: str
    action: str
    summary: str
    undo_of: int | None
    undone_by: int | None = None
    rows: int = 0


class ItemChanged(Exception):
    """A rubric item changed (or was deleted) since the page that edits it was loaded: nothing
    was written (a hundred-and-tenth review: a second TA's edit of the description put back the
    first TA's old points, and every answer carrying the item was re-scored unasked)."""

    def __init__(self, item: "RubricItem"):
        super().__init__(f"rubric item {item.id} changed meanwhile")
        self.item = item


@dataclass
class Conflict(Exception):
    """Someone else changed this record since the browser loaded it: nothing was written."""
    current: Grade | Override | None
    message: str = "changed meanwhile by another TA"

    def __str__(self) -> str:
        who = f" ({self.current.ta}, {self.current.at})" if self.current is not None else ""
        return self.message + who


@dataclass
class TaskProgress:
    task: str
    answers: int = 0              # written answers handed in
    graded: int = 0               # with a grade for the current answer
    stale: int = 0                # graded, but the answer changed since (back in the queue)
    unanswered: int = 0           # placeholder or empty: 0 points automatically
    no_notebook: int = 0          # of those, participants who handed in no notebook at all
    by_ta: dict[str, int] = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return self.answers - self.graded
