"""What students get: a folder from which `grader check` works, holding no solution.

``grader release --bundle DIR`` writes the public spec, the template, the locked checksums and
the reference's *observations* for the public parameters (outputs, trained weights, printed test
lines: data, computed once by the course), and nothing else: no reference code, no answer key,
no hidden parameters. `grader check --spec DIR` compares with those observations instead of
running a reference.
"""
from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from .child import wire
from .results import CellOutcome, Status

PUBLIC_REFERENCE = "public_reference.json"
SECRET_KEYS = ("reference", "common", "solution", "hidden", "answer_key", "examples")


def public_spec_text(spec) -> str:
    """The spec without the keys that point at secrets, plus the observations file."""
    lines, section = [], ""
    for line in spec.path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
        key = stripped.split("=", 1)[0].strip()
        if section == "[assignment]" and key in SECRET_KEYS:
            continue
        lines.append(line)
        if stripped == "[assignment]":
            lines.append(f'public_reference = "{PUBLIC_REFERENCE}"   # observations of the reference, data only')
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)            # still a valid spec
    return text


def write_bundle(spec, refs: dict[str, list[CellOutcome]], out: Path) -> list[Path]:
    """``refs``: the reference observations of a check-mode (public) grader."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "spec.toml", out / "template.ipynb", out / PUBLIC_REFERENCE]
    written[0].write_text(public_spec_text(spec), encoding="utf-8")
    shutil.copyfile(spec.file("template"), written[1])
    data = {task_id: [o.probe for o in outs] for task_id, outs in refs.items()}
    written[2].write_bytes(wire.encode(data)[wire.HEADER.size:])
    checksums = spec.root / "locked_checksums.json"
    if checksums.exists():
        shutil.copyfile(checksums, out / "locked_checksums.json")
        written.append(out / "locked_checksums.json")
    return written


def load_public_reference(spec) -> dict[str, list[CellOutcome]] | None:
    """The bundled observations, or None when the spec folder has the reference itself."""
    name = spec.assignment.get("public_reference")
    if not name:
        return None
    data = wire.decode((spec.root / name).read_bytes())
    return {task_id: [CellOutcome("reference", Status.OK, probe=p) for p in probes]
            for task_id, probes in data.items()}
