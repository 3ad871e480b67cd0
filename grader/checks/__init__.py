"""Check kinds: each turns a task of the spec into jobs to run and then into scored checks.

A kind module offers ``plan(task, ctx) -> list[CellJob]`` (cells to run in student processes),
``reference_jobs(task, ctx) -> list[CellJob]`` (the same probes on the reference, run once per
batch in a trusted process) and ``score(task, ctx, outcomes, refs) -> list[CheckResult]``.
Comparisons happen here, in the grader process, on plain data.
"""
from __future__ import annotations

from . import answers, manual, models, provided, training
from .context import Context

KINDS = {
    "manual": manual,
    "provided": provided,
    "model": models,
    "training": training,
    "bool_answers": answers,
}

__all__ = ["KINDS", "Context"]
