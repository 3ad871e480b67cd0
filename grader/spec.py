"""The assignment spec: points, cell IDs, limits and probe parameters, read from TOML.

Everything assignment-specific lives in the spec folder (``reference/<assignment>/``); the
engine reads it here and nowhere else. Hidden parameters and the answer key sit in separate
files that are loaded only on demand, so the student-facing ``grader check`` can run without
them and a course can ship the spec folder to students without those two files.
"""
from __future__ import annotations

import hashlib
import json
import random
import secrets
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_SPEC = Path(__file__).resolve().parents[1] / "reference" / "assignment7" / "spec.toml"


@dataclass(frozen=True)
class Limits:
    cell_timeout_s: float = 60.0
    notebook_timeout_s: float = 300.0
    memory_mb: int = 3072
    max_processes: int = 64
    output_bytes: int = 1_048_576
    file_size_mb: int = 64
    disk_mb: int = 256
    kernel_memory_mb: int = 512


@dataclass(frozen=True)
class NotebookLimits:
    """What a submitted file may be before it is read at all (checked cheaply, in this order)."""
    max_bytes: int = 50 * 2**20
    max_cells: int = 500
    # Commas and colons in the raw bytes: at most one JSON value each. Parsed, every value costs
    # the grader some 70 bytes: 18 million one-word lines of output in a 90 MB file took it to
    # 1.4 GB (a tenth review).
    max_entries: int = 1_000_000
    max_cell_chars: int = 200_000
    # Code is parsed in the grader (the static readers): a syntax tree costs some 900 times its
    # source when every two characters make a statement (`x;` repeated: 200,000 characters took
    # 173 MB, a seventy-third review); a code cell of this course's assignments holds a few thousand.
    max_code_cell_chars: int = 50_000
    # All cells' source together: every later step (reports, the gradebook, similarity) keeps the
    # student's source; 97 MB of code within the other limits cost the grader 430 MB of memory
    # and stalled the similarity report (ninth review).
    max_source_chars: int = 1_000_000


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    kind: str
    max_points: float
    cfg: dict[str, Any]


@dataclass
class Spec:
    path: Path
    raw: dict[str, Any]
    tasks: list[Task]
    limits: Limits
    notebook_limits: NotebookLimits = field(default_factory=NotebookLimits)
    # Where hidden.toml's ranges are drawn from: None draws afresh (once per Spec, so once per
    # batch); a number repeats an earlier draw.
    draw_seed: int | None = field(default=None, repr=False)
    _hidden: dict | None = field(default=None, repr=False)
    _key: dict | None = field(default=None, repr=False)
    _locked: dict | None = field(default=None, repr=False)
    _fingerprint: str | None = field(default=None, repr=False)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def assignment(self) -> dict[str, Any]:
        return self.raw["assignment"]

    @property
    def number(self) -> int:
        return int(self.assignment["number"])

    @property
    def context(self) -> dict[str, Any]:
        return self.raw["context"]

    @property
    def data(self) -> dict[str, Any]:
        """What the probes feed models (input shape, normalisation, classes)."""
        return dict(self.raw.get("data", {}))

    @property
    def imports_rule(self) -> dict[str, Any]:
        """The course's rule on imports: which extra modules graded cells may import, the penalty."""
        return {"stdlib": True, "penalty": 0, **self.raw.get("imports", {})}

    def allowed_modules(self, template) -> set[str]:
        """Packages of the template's imports cell: what the course allows."""
        from .notebook import imported_modules
        cell = next((c for c in template.cells if c.id == self.context["imports_cell"]), None)
        return set(imported_modules(cell.source)) if cell else set()

    @property
    def editable_cells(self) -> list[str]:
        """Provided cells the student may change (their values), which must stay present."""
        return list(self.raw.get("locked", {}).get("editable", []))

    @property
    def locked_cells(self) -> list[str]:
        return list(self.raw.get("locked", {}).get("cells", []))

    @property
    def filename_penalty(self) -> float:
        return float(self.raw.get("filename", {}).get("penalty", 0))

    def file(self, key: str) -> Path:
        return (self.root / self.assignment[key]).resolve()

    def task(self, task_id: str) -> Task:
        return next(t for t in self.tasks if t.id == task_id)

    def hidden(self) -> dict[str, Any]:
        """Hidden probe parameters; only ``grader grade`` calls this. A value hidden.toml gives as a
        range is drawn once per Spec: a hidden value that leaks out of one batch (through what a
        hidden run left in the machine for a later grading to read) is spent, and one learnt in
        an earlier term cannot be hard-coded."""
        if self._hidden is None:
            path = self.file("hidden")
            raw = tomllib.loads(path.read_text()) if path.exists() else {}
            if self.draw_seed is None:
                self.draw_seed = secrets.randbits(63)
            self._hidden = resolve_hidden(raw, random.Random(self.draw_seed))
        return self._hidden

    def answer_key(self) -> dict[str, Any]:
        """The answer key; only the grader process, in grade mode, calls this."""
        if self._key is None:
            self._key = tomllib.loads(self.file("answer_key").read_text())
        return self._key

    def params(self, task: Task, hidden: bool) -> dict[str, Any]:
        """Probe parameters for a task: public ones, overlaid with the hidden ones when grading."""
        params = dict(task.cfg.get("params", {}))
        if hidden:
            params.update(task.cfg.get("second_run", {}))       # what is no secret of that run
            params.update(self.hidden().get(task.id, {}))
        return params

    def locked_checksums(self) -> dict[str, str]:
        """Checksums recorded by ``grader release`` (empty: compare with the template itself)."""
        if self._locked is None:   # read once: every locked cell of every notebook asks
            path = self.root / "locked_checksums.json"
            self._locked = json.loads(path.read_text()) if path.exists() else {}
        return self._locked

    def fingerprint(self) -> str:
        """Changes whenever anything that can change a grade changes (for skipping regrades)."""
        if self._fingerprint is not None:
            return self._fingerprint
        h = hashlib.sha256()
        h.update(json.dumps(self.locked_checksums(), sort_keys=True).encode())
        for key in ("template", "reference", "hidden", "answer_key", "public_reference"):
            p = self.file(key) if key in self.assignment else None
            h.update(key.encode() + (p.read_bytes() if p is not None and p.exists() else b"-"))
        # Settings that change no grade (the similarity view's) do not call for a regrade.
        graded = {k: v for k, v in self.raw.items() if k not in ("similarity",)}
        h.update(json.dumps(graded, sort_keys=True, default=str).encode())
        h.update(scoring_code_digest().encode())
        self._fingerprint = h.hexdigest()[:16]
        return self._fingerprint


def resolve_hidden(raw: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """hidden.toml with every range drawn: ``{ between = [lo, hi] }`` gives an integer from lo to hi
    (both ends included) when both are integers, else a number rounded to ``digits`` places (4 by
    default); anything else is taken as it stands. Sections, keys and list items are drawn in the
    file's order, so one seed always gives the same values."""
    def value(v, where):
        if isinstance(v, list):
            return [value(x, where) for x in v]
        if not isinstance(v, dict):
            return v
        bounds = v.get("between")
        lo, hi = bounds if isinstance(bounds, list) and len(bounds) == 2 else (None, None)
        if set(v) - {"between", "digits"} or not all(isinstance(b, (int, float)) and not isinstance(b, bool)
                                                       for b in (lo, hi)) or lo > hi:
            raise ValueError(f"hidden.toml: {where} must be a value or {{ between = [low, high] }} "
                             f"(low <= high, optionally digits = N), not {v!r}")
        if isinstance(lo, int) and isinstance(hi, int):
            return rng.randint(lo, hi)
        digits = int(v.get("digits", 4))
        drawn = round(rng.uniform(lo, hi), digits)
        return min(max(drawn, lo), hi)
    return {section: ({key: value(v, f"{section}.{key}") for key, v in body.items()}
                      if isinstance(body, dict) else body)
            for section, body in raw.items()}


@lru_cache(maxsize=1)
def scoring_code_digest() -> str:
    """The grader code that decides grades (checks, probes, the job side, the pipeline): a
    regrade is due whenever it changes, whatever the version number says."""
    pkg = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted([*pkg.glob("checks/*.py"), *pkg.glob("probes/*.py"), *pkg.glob("child/*.py"),
                        pkg / "pipeline.py", pkg / "observations.py", pkg / "notebook.py", pkg / "naming.py"]):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:16]


def load_spec(path: str | Path | None = None, draw_seed: int | None = None) -> Spec:
    path = Path(path or DEFAULT_SPEC).resolve()
    if path.is_dir():
        path = path / "spec.toml"
    raw = tomllib.loads(path.read_text())
    tasks = [Task(id=tid, title=t.get("title", tid), kind=t["kind"], max_points=float(t["max_points"]),
                  cfg=t) for tid, t in raw.get("tasks", {}).items()]
    known = Limits.__dataclass_fields__
    limits = Limits(**{k: v for k, v in raw.get("limits", {}).items() if k in known})
    nb_known = NotebookLimits.__dataclass_fields__
    nb_limits = NotebookLimits(**{k: v for k, v in raw.get("notebook", {}).items() if k in nb_known})
    return Spec(path=path, raw=raw, tasks=tasks, limits=limits, notebook_limits=nb_limits, draw_seed=draw_seed)
