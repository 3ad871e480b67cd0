"""Course CI: the assignment itself is honest.

The solution must earn every automatic point, the template only its untouched provided cells
(Code 3.1) without crashing, and every documented example its documented score.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass

from .pipeline import Grader


@dataclass
class Verdict:
    what: str
    ok: bool
    detail: str


def verify(grader: Grader) -> list[Verdict]:
    spec = grader.spec
    out = []
    r = grader.grade(spec.file("solution"), "solution.ipynb")
    missing = [f"{c.task}: {c.check}" for c in r.checks if c.passed is False and not c.manual_task]
    out.append(Verdict("solution earns every automatic point", r.auto_points == r.auto_max and not missing,
                       f"{r.auto_points:g}/{r.auto_max:g}" + (f"; failing: {', '.join(missing)}" if missing else "")))
    r = grader.grade(spec.file("template"), "template.ipynb")
    provided = [t for t in spec.tasks if t.kind == "provided"]
    others = {t.id: r.task_points(t.id) for t in spec.tasks if t.kind not in ("provided", "manual")}
    ok = (r.status == "graded" and all(r.task_points(t.id) == t.max_points for t in provided)
          and all(v == 0 for v in others.values()))
    out.append(Verdict("template earns only its provided cells", ok,
                       f"{r.auto_points:g}/{r.auto_max:g}; " + ", ".join(f"{k}={v:g}" for k, v in others.items())))
    examples = spec.assignment.get("examples")
    if examples:
        path = (spec.root / examples).resolve()
        if not path.exists():
            out.append(Verdict("documented example scores", False, f"{path} is missing: the spec names it, "
                                                                   f"so it must exist (remove `examples` to check none)"))
            return out
        expected = tomllib.loads(path.read_text())
        if not expected:
            out.append(Verdict("documented example scores", False, f"{path} documents no example"))
        for name, want in expected.items():
            nb = path.parent / name
            r = grader.grade(nb, name)
            bad = []
            if r.auto_points != want["auto_points"]:
                bad.append(f"auto {r.auto_points:g} != {want['auto_points']:g}")
            for t in spec.tasks:
                if t.id in want:
                    got = r.task_points(t.id)
                    exp = None if want[t.id] == "manual" else float(want[t.id])
                    if got != exp:
                        bad.append(f"{t.id} {got} != {want[t.id]}")
            out.append(Verdict(f"example {name}", not bad, "; ".join(bad) or f"{r.auto_points:g} as documented"))
    return out
