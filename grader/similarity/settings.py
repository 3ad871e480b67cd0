"""The similarity settings of an assignment, read from its spec's ``[similarity]`` table.

What is compared and when a pair is flagged belong to the assignment, not to the code: another
assignment has other cells, and a course may want a stricter or looser threshold. Everything
has a default that suits Assignment 7; the spec names what differs.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from ..spec import Spec


class SettingsError(ValueError):
    """The spec's ``[similarity]`` table has a value we cannot use; the message says which."""


@dataclass(frozen=True)
class Settings:
    # What is compared
    code_cells: tuple[str, ...] = ("ann-sigmoid", "ann-relu", "train-and-test")
    written_cells: tuple[str, ...] = ("calc-1-1", "calc-1-2", "calc-2")
    boilerplate: tuple[str, ...] = ("template", "solution", "reference")   # spec [assignment] keys
    activations: tuple[str, ...] = ("relu", "sigmoid", "ReLU", "Sigmoid")
    # Names the assignment gives, never a student's own: filled from the spec's tasks (what they
    # define, their variables) and [context] names; more can be listed here.
    assignment_names: tuple[str, ...] = ()
    # When a pair is flagged (a pair's score is the larger of its code and written scores)
    threshold: float = 0.75
    written_threshold: float = 0.85
    # How
    k: int = 10                  # tokens per code fingerprint
    written_k: int = 8           # words and symbols per written fingerprint
    common_share: float = 0.2    # shared by more than this share of hand-ins: common, ignored
    written_common_share: float = 0.05   # written answers converge sooner (same notation, same numbers)
    common_min: int = 5          # ... but never fewer hand-ins than this (small courses)
    prior: float = 10.0          # damping, in fingerprints: code with little of its own stays below 100 %
    written_prior: float = 5.0   # the same for a written answer
    min_written_words: int = 12  # shorter answers (a lone "0, 1, 1, 0") are not compared
    # What is shown: pairs at or above a floor, at most max_listed of them (flagged pairs always)
    list_floor: float = 0.5
    written_list_floor: float = 0.7
    max_listed: int = 500

    @classmethod
    def from_spec(cls, spec: Spec) -> "Settings":
        s = cls.from_table(spec.raw.get("similarity", {}))
        return replace(s, assignment_names=tuple(sorted(set(s.assignment_names) | given_names(spec))))

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> "Settings":
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise SettingsError(f"[similarity] has unknown setting(s): {', '.join(unknown)}; "
                                f"known: {', '.join(known)}")
        values: dict[str, Any] = {}
        for name, value in table.items():
            default = getattr(cls, name)
            if isinstance(default, tuple):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise SettingsError(f"[similarity] {name} must be a list of strings")
                values[name] = tuple(value)
            elif isinstance(default, float):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise SettingsError(f"[similarity] {name} must be a number")
                values[name] = float(value)
            else:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise SettingsError(f"[similarity] {name} must be a whole number")
                values[name] = value
        s = cls(**values)
        for name in ("threshold", "written_threshold", "common_share", "written_common_share", "list_floor",
                     "written_list_floor"):
            if not 0 < getattr(s, name) <= 1:
                raise SettingsError(f"[similarity] {name} must be above 0 and at most 1")
        if s.k < 3 or s.written_k < 2:
            raise SettingsError("[similarity] k must be at least 3 and written_k at least 2")
        return s


def given_names(spec: Spec) -> set[str]:
    """The names a task asks for (``defines``, a model's ``defines``, ``variables``) and the names
    the provided cells define for the student (``[context] names``)."""
    names = set(spec.raw.get("context", {}).get("names", []))
    for task in spec.tasks:
        cfg = task.cfg
        names.update(v for v in [cfg.get("defines")] if isinstance(v, str))
        names.update(m["defines"] for m in cfg.get("models", []) if isinstance(m, dict) and "defines" in m)
        names.update(v for v in cfg.get("variables", []) if isinstance(v, str))
    return names
