"""Check kinds: each turns a task of the spec into jobs to run and then into scored checks.

A kind module offers ``plan(task, ctx) -> list[CellJob | None]`` (cells to run in student
processes), ``reference_jobs(task, ctx)`` (the same probes on the reference, once per batch, in a
trusted job), optionally ``followups(task, ctx, outcomes, refs)`` (trusted jobs that confirm what
a student's process reported, e.g. a replay of its training calls) and ``score(task, ctx,
outcomes, refs, follow)``. Comparisons happen here, in the grader process, on observations.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from . import answers, manual, models, provided, training
from .context import Context


@dataclass(frozen=True)
class Kind:
    name: str
    module: ModuleType
    probe: str | None          # the probe its jobs run (grader.probes.PROBES), None: runs no probe

    def plan(self, task, ctx):
        return self.module.plan(task, ctx)

    def reference_jobs(self, task, ctx):
        return self.module.reference_jobs(task, ctx)

    def followups(self, task, ctx, outcomes, refs):
        fn = getattr(self.module, "followups", None)
        return fn(task, ctx, outcomes, refs) if fn else []

    def score(self, task, ctx, outcomes, refs, follow=()):
        if getattr(self.module, "followups", None):
            return self.module.score(task, ctx, outcomes, refs, follow)
        return self.module.score(task, ctx, outcomes, refs)


KINDS = {k.name: k for k in (
    Kind("manual", manual, None),
    Kind("provided", provided, None),
    Kind("model", models, "model"),
    Kind("training", training, "training"),
    Kind("bool_answers", answers, None),
)}

__all__ = ["KINDS", "Context", "Kind"]
