"""The shape of what each probe may send, checked before any check reads it.

Everything from a process where student code ran is attacker-written: a reply of the wrong shape
is rejected as a whole (the job fails as "invalid reply", its worker is replaced), so scoring
code never meets a type it does not expect; every string in an accepted reply is cut to one
printable line.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TEXT_CHARS = 300
MAX_ITEMS = 10_000


class InvalidObservation(ValueError):
    pass


def cut(text: str, limit: int = TEXT_CHARS) -> str:
    """One printable line of at most ``limit`` characters: what any text from a student's
    process may look like once it leaves the engine."""
    # (read a piece at a time, and only as far as the line needs: a reply's 6 MB of `Ā`, each character its own object
    # once walked, held 250 MB of the grader's memory, review 466)
    text, step, pos, line = str(text), max(4 * limit, 4096), 0, ""
    while pos < len(text) and len(line) <= limit:
        line += "".join(ch if ch.isprintable() else " " for ch in text[pos:pos + step])
        line = _RUNS_OF_BLANKS.sub(" ", line).lstrip()
        pos += step
    line = line.rstrip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


_RUNS_OF_BLANKS = re.compile(r"\s+")


@dataclass(frozen=True)
class Obj:
    required: dict[str, Any] = field(default_factory=dict)
    optional: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class List:
    item: Any
    max_items: int = MAX_ITEMS


@dataclass(frozen=True)
class Tuple:
    items: tuple


@dataclass(frozen=True)
class Map:
    """A dict with free-form (short) string keys."""
    value: Any
    max_items: int = 256


@dataclass(frozen=True)
class Opt:
    inner: Any


TENSOR = "tensor"
NUMBER = "number"
SCALAR = "scalar"       # a number or true/false (an optimizer's settings)
ANY = "any"             # checked later against the probe's own schema


def validate(value: Any, schema: Any, where: str = "reply") -> Any:
    """The value with strings cut, or InvalidObservation naming the first problem."""
    if isinstance(schema, Opt):
        return None if value is None else validate(value, schema.inner, where)
    if schema == ANY:
        return value
    if schema is str:
        if not isinstance(value, str):
            raise InvalidObservation(f"{where}: text expected")
        return cut(value)
    if schema is bool:
        if not isinstance(value, bool):
            raise InvalidObservation(f"{where}: true/false expected")
        return value
    if schema is int:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**53:
            raise InvalidObservation(f"{where}: integer expected")
        return value
    if schema in (float, NUMBER):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, int) and abs(value) > 2**1000):
            raise InvalidObservation(f"{where}: number expected")        # 10**400 is no float (OverflowError)
        return float(value)
    if schema == SCALAR:
        return value if isinstance(value, bool) else validate(value, NUMBER, where)
    if schema == TENSOR:
        if not isinstance(value, np.ndarray):
            raise InvalidObservation(f"{where}: tensor expected")
        return value
    if isinstance(schema, List):
        if not isinstance(value, list) or len(value) > schema.max_items:
            raise InvalidObservation(f"{where}: list expected")
        return [validate(v, schema.item, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(schema, Tuple):
        if not isinstance(value, list) or len(value) != len(schema.items):
            raise InvalidObservation(f"{where}: list of {len(schema.items)} expected")
        return [validate(v, s, f"{where}[{i}]") for i, (v, s) in enumerate(zip(value, schema.items))]
    if isinstance(schema, Map):
        if not isinstance(value, dict) or len(value) > schema.max_items:
            raise InvalidObservation(f"{where}: mapping expected")
        return {cut(k, 80): validate(v, schema.value, f"{where}.{cut(k, 40)}") for k, v in value.items()}
    if isinstance(schema, Obj):
        if not isinstance(value, dict):
            raise InvalidObservation(f"{where}: object expected")
        unknown = set(value) - set(schema.required) - set(schema.optional)
        missing = set(schema.required) - set(value)
        if unknown or missing:
            raise InvalidObservation(f"{where}: unexpected or missing fields")
        return {k: validate(v, {**schema.required, **schema.optional}[k], f"{where}.{k}") for k, v in value.items()}
    raise TypeError(f"unknown schema {schema!r}")


def finite(x: float) -> bool:
    return isinstance(x, float) and math.isfinite(x)


# ------------------------------------------------------------------------- what each probe sends

MODEL_RUN = Obj(optional={
    "build_error": str, "module": bool, "linear": List(Tuple((int, int, bool)), 64),
    "init": List(Tuple((TENSOR, Opt(TENSOR))), 64), "out_type": str, "forward_error": str,
    "with_weights": Opt(TENSOR), "with_own": Opt(TENSOR), "own_wide": Opt(TENSOR), "own_low": Opt(TENSOR), "own_train": Opt(TENSOR),
    "own_eval": Opt(TENSOR), "own_trained": List(bool, 64), "with_wide": Opt(TENSOR), "with_low": Opt(TENSOR), "copied": str, "weights_error": str, "outputs": Map(Opt(TENSOR), 16),
    "seeded_error": str, "init_seeded": Map(List(Tuple((TENSOR, Opt(TENSOR))), 64), 16),
    "with_train": Opt(TENSOR), "with_grads": Map(Opt(TENSOR), 64), "grads_error": str,
    "with_eval": Opt(TENSOR), "extra_params": List(Tuple((str, int)), 16),
    "kinds": List(str, 16), "declared": List(Tuple((str, int)), 16),
    # the trusted reference job only
    "variants": Map(TENSOR, 32), "init_options": List(Tuple((List(int, 2), List(TENSOR, 64))), 64),
})
MODEL = Obj(required={"defined": bool}, optional={"runs": Map(MODEL_RUN, 4)})

EVENT = Obj(required={"kind": str}, optional={
    "type": str, "params": str, "defaults": Map(SCALAR, 32), "model": str, "loader": str,
    "optimizer": Opt(int), "epoch": Opt(int), "series": Opt(List(List(NUMBER), 3)), "printed": str,
    "groups": Opt(List(Map(NUMBER, 8), 8)), "names": List(str, 64), "moved": bool})
TRAINING_RUN = Obj(optional={"error": str, "events": List(EVENT, 200), "lines": List(List(NUMBER), 64),
                             "unshown": List(List(NUMBER), 64),
                             "schedulers": List(str, 8), "new": List(Map(TENSOR, 64), 2),
                             "final": Map(TENSOR, 64), "test_before": str})
TRAINING = Obj(required={"defined": bool}, optional={"runs": Map(TRAINING_RUN, 4)})
REPLAYED = Obj(optional={"series": Opt(List(List(NUMBER), 3)), "printed": str, "skipped": bool})
REPLAY = Obj(required={"runs": Map(Obj(required={"events": List(REPLAYED, 200), "stopped": Opt(int),
                                                  "final_test": str}), 4)})

SCHEMAS = {"model": MODEL, "training": TRAINING, "replay": REPLAY}
