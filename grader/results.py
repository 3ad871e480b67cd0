"""One result model for a graded submission, rendered to every output format by report.py."""
from __future__ import annotations

import re

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


NO_NOTEBOOK = "no notebook handed in"   # a Moodle participant's status without a notebook


class Status(str, Enum):
    """How a graded cell's process ended. A str, so reports and comparisons read as text."""
    OK = "ok"
    ERROR = "error"            # the cell (or the probe's call of it) raised
    TIMEOUT = "timeout"
    MEMORY = "memory"
    PROCESSES = "processes"
    CRASHED = "crashed"        # the process died (os._exit, segfault, killed)
    INVALID = "invalid"        # its reply broke the protocol: malformed, oversized, out of order

    @property
    def stopped(self) -> bool:
        """Ended by a limit or a death rather than by the cell itself: flagged in the report."""
        return self in (Status.TIMEOUT, Status.MEMORY, Status.PROCESSES, Status.CRASHED, Status.INVALID)


@dataclass
class RubricMark:
    """A rubric item as a student received it (points as the item counts now)."""
    description: str
    points: float
    feedback: str = ""


@dataclass
class Review:
    """What a TA decided on one check, from the gradebook: a manual grade of a written answer,
    or an override of an automatic check's points (a regrade request) with its reason."""
    ta: str
    at: str                       # ISO time of the decision
    comment: str = ""
    items: list[RubricMark] = field(default_factory=list)
    adjust: float = 0.0           # points given beside the rubric items
    stale: bool = False           # the answer changed since it was graded (kept; back in the queue)
    auto_points: float | None = None   # an override: the automatic points it replaces
    reason: str = ""              # an override: why
    earlier: bool = False         # an override given for an earlier notebook (a resubmission): a TA looks again

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Review":
        known = cls.__dataclass_fields__
        d = {k: v for k, v in d.items() if k in known}
        d["items"] = [RubricMark(**{k: v for k, v in i.items() if k in RubricMark.__dataclass_fields__})
                      for i in d.get("items") or []]
        return cls(**d)


@dataclass
class CheckResult:
    task: str
    check: str
    max_points: float
    points: float | None          # None: waits for a human (manual grading)
    passed: bool | None           # None: not decided automatically
    message: str
    answer: str | None = None     # written answers kept for the TA
    manual_task: bool = False     # part of a task graded by a human (even if scored 0 here)
    review: Review | None = None  # a TA's grade or override (rendered from the gradebook)
    # The stored answer's sha256 where ``answer`` was read without its pictures (a whole class's
    # photos held at once took the grader past 300 MB: a seventy-third review); never written out.
    answer_sha: str | None = field(default=None, repr=False, compare=False)

    @property
    def light(self) -> bool:
        """Read without its pictures: fine to count and compare, not to write out as the answer."""
        return self.answer_sha is not None


@dataclass
class CellOutcome:
    """What happened when one graded cell ran in its own process. Every text in it came from
    that process and is cut to one printable line by the engine."""
    cell_id: str
    status: Status
    error: str = ""
    output: str = ""
    probe: Any = None             # observations returned by the probe (decoded, schema-checked later)
    probe_error: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)   # limits the OS refused to apply

    @property
    def ok(self) -> bool:
        return self.status == Status.OK


@dataclass
class SubmissionResult:
    file: str                     # the notebook's file name as the student typed it
    name: str = ""
    matr_number: str = ""
    filename_ok: bool = False
    filename_problems: list[str] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)    # short, for the summary
    details: list[str] = field(default_factory=list)  # notes behind the flags, for the student's report
    status: str = "graded"
    seconds: float = 0.0
    fingerprint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Identity the student cannot steer: the Moodle participant (id, full name from the folder
    # Moodle made) else the path relative to the graded folder. ``key`` names the reports.
    key: str = ""
    participant_id: str = ""
    participant: str = ""
    path: str = ""                # relative to the graded folder (or the Moodle zip)
    sha256: str = ""              # of the notebook file as graded
    # Source of every cell the student wrote (graded code cells, written answers, added cells),
    # by cell ID: kept for similarity and for TAs; never executed again.
    student_cells: dict[str, str] = field(default_factory=dict)
    # Set from the gradebook, never by grading: the TA who chose this notebook to count among
    # its participant's several.
    chosen_by: str = ""

    @property
    def who(self) -> str:
        """The student as people read it: Moodle's full name (what the student cannot steer),
        else the name in the file name, else the file."""
        return self.participant or self.name or self.file

    @property
    def who_id(self) -> str:
        """How to tell the student apart: the matriculation number from the file name, else
        Moodle's participant id, else nothing."""
        if self.matr_number:
            return self.matr_number
        return f"participant {self.participant_id}" if self.participant_id else ""

    @property
    def no_notebook(self) -> bool:
        """A Moodle participant who handed in no notebook (a row of zeros, not a failed grading)."""
        return "no-notebook" in self.flags

    @property
    def handed_in(self) -> str:
        """What a participant without a notebook handed in, as their report names it ('' for
        nothing): one reading for the terminal, the feedback pages and Moodle's comment."""
        message = next((c.message for c in self.checks if c.check == "notebook"), "")
        m = re.search(r"\(found: (.*?)\)(?:;|$)", message)
        return m.group(1) if m and m.group(1) != "nothing" else ""

    @property
    def pending(self) -> int:
        """Written answers that wait for a TA: no grade yet, or the answer changed since it was
        graded (the old grade is kept but a TA must look again)."""
        return sum(1 for c in self.checks if c.manual_task and c.answer is not None
                   and (c.points is None or (c.review is not None and c.review.stale and not c.review.reason)))

    @property
    def overrides_to_review(self) -> list[CheckResult]:
        """Automatic checks whose TA override was given for an earlier notebook: kept, and a TA
        decides again (override it again, or clear it)."""
        return [c for c in self.checks if not c.manual_task and c.review is not None and c.review.earlier]

    def task_points(self, task_id: str) -> float | None:
        rows = [c for c in self.checks if c.task == task_id]
        if not rows or any(c.points is None for c in rows):
            return None
        return round(sum(c.points for c in rows), 4)

    @property
    def auto_points(self) -> float:
        return round(sum(c.points for c in self.checks if c.points is not None and not c.manual_task), 4)

    @property
    def auto_max(self) -> float:
        return round(sum(c.max_points for c in self.checks if not c.manual_task and c.task != "filename"), 4)

    @property
    def manual_points(self) -> float | None:
        """Points of the written answers; None while any of them waits for a TA."""
        rows = [c for c in self.checks if c.manual_task]
        # An answer changed since it was graded waits too, its old points kept for the total so far
        # (a sixty-seventh review read 42 as final beside pending 1).
        if any(c.points is None or (c.answer is not None and c.review is not None and c.review.stale
                                    and not c.review.reason) for c in rows):
            return None
        return round(sum(c.points for c in rows), 4)

    @property
    def total_points(self) -> float:
        """Automatic plus manual points so far (written answers not yet graded count 0)."""
        manual = sum(c.points for c in self.checks if c.manual_task and c.points is not None)
        return round(max(0.0, self.auto_points + manual), 4)   # auto_points holds any filename penalty

    def to_dict(self) -> dict[str, Any]:
        if any(c.light for c in self.checks):
            raise ValueError("a result read without its pictures is not written out as it is")
        d = asdict(self)
        for c in d["checks"]:
            c.pop("answer_sha", None)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SubmissionResult":
        known = cls.__dataclass_fields__
        d = {k: v for k, v in d.items() if k in known}
        extra = dict(d.get("extra") or {})
        # Reports written before identity had fields of its own kept it in ``extra``.
        d.setdefault("participant_id", str(extra.pop("participant_id", "") or ""))
        d.setdefault("participant", str(extra.pop("participant", "") or ""))
        d.setdefault("sha256", str(extra.pop("notebook_sha256", "") or ""))
        d["extra"] = extra
        check_fields = CheckResult.__dataclass_fields__
        checks = []
        for c in d.get("checks", []):
            c = {k: v for k, v in c.items() if k in check_fields and k != "answer_sha"}
            if isinstance(c.get("review"), dict):
                c["review"] = Review.from_dict(c["review"])
            checks.append(CheckResult(**c))
        d["checks"] = checks
        return cls(**d)
