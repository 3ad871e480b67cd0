"""What every engine shares: the job description, the setup, the scrubbed environment."""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..spec import Limits, Spec


@dataclass(frozen=True)
class CellJob:
    cell_id: str
    source: str | None           # None: only the probe, on the provided context
    probe: str | None = None     # a name in grader.probes.PROBES
    params: dict[str, Any] = field(default_factory=dict)
    trusted: bool = False        # no student code: the reference or a replay


@dataclass
class EngineSetup:
    template_cells: list[str]    # provided cells' sources, in order (from the template)
    keep_names: list[str]
    imports_source: str
    data_home: Path
    limits: Limits
    jobs: int = 1


def engine_setup(spec: Spec, data_home: Path, jobs: int) -> EngineSetup:
    """What the warm workers need: the template's provided cells (never the student's). The
    template is the course's own nbformat-4 file, read as plain JSON: a student's `grader check`
    starts its worker before the notebook libraries are imported."""
    with open(spec.file("template"), encoding="utf-8") as fh:
        cells = json.load(fh)["cells"]
    src = {c.get("id"): "".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells}
    ctx = spec.context
    return EngineSetup(template_cells=[src[c] for c in ctx["cells"]], keep_names=list(ctx["names"]),
                       imports_source=src[ctx["imports_cell"]], data_home=data_home, limits=spec.limits,
                       jobs=jobs)


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The only environment student code sees: none of the TA's variables, no GPU."""
    import grader
    pkg_parent = str(Path(grader.__file__).resolve().parents[1])
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "CUDA_VISIBLE_DEVICES": "",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONPATH": pkg_parent,
        "HOME": "/tmp",
        "PYTHONWARNINGS": "ignore",
        # torch.compile runs the model as it is: its compiler writes caches and starts compile workers
        # the sandbox refuses, and takes longer than a cell may (a hundred-and-eighth review: all 20
        # points lost to an InductorError for a function that compiled the model it trains).
        "TORCH_COMPILE_DISABLE": "1",
    }
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # machine-specific BLAS safety settings
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra or {})
    return env


PYTHON = sys.executable
