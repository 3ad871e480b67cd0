"""Probe code: source files that the grader compiles and sends to a job after its cell ran.

They are never imported by the grader. Each defines ``observe(ns, params)``. A name ending in
``_reference`` holds extras for the trusted reference job only (compiled after its base file);
``replay`` repeats a student's reported training calls in a job without student code.
"""
from __future__ import annotations

import base64
import marshal
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROBES = {                      # probe name -> files compiled together, in order
    "model": ("common.py", "model.py"),
    "model+reference": ("common.py", "model.py", "model_reference.py"),
    "training": ("common.py", "training.py"),
    "training+reference": ("common.py", "training.py", "training_reference.py"),
    "replay": ("common.py", "training.py", "replay.py"),
}


@lru_cache(maxsize=None)
def compiled(name: str) -> str:
    """Marshalled code object, base64: what a job execs; compiled once per grader process."""
    source = "\n\n".join((HERE / f).read_text() for f in PROBES[name])
    return base64.b64encode(marshal.dumps(compile(source, f"<probe {name}>", "exec"))).decode()
