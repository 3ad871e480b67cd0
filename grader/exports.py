"""Other renderings of the gradebook's results: a gradebook CSV, Gradescope results.json, JUnit XML."""
from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .csvsafe import to_csv
from .report import atomic_write
from .results import SubmissionResult
from .spec import Spec


def load_reports(folder: Path) -> dict[str, SubmissionResult]:
    """Every result of a report folder with the TAs' decisions applied, by report key (read
    from the gradebook; a folder graded before the gradebook existed is imported first)."""
    from .gradebook import load_results
    return {k: r for k, r in load_results(folder).items() if r.checks}


def gradebook(results: dict[str, SubmissionResult], spec: Spec) -> str:
    max_total = sum(t.max_points for t in spec.tasks)
    rows = [[r.matr_number, r.name, *[r.task_points(t.id) for t in spec.tasks], r.auto_points, r.manual_points,
             r.total_points, max_total, r.file, ";".join(r.flags)]
            for r in sorted(results.values(), key=lambda r: (r.matr_number or "~", r.file))]
    return to_csv(["matr_number", "name", *[t.id for t in spec.tasks], "auto_points", "manual_points", "total",
                   "max_total", "file", "flags"], rows)


def gradescope(r: SubmissionResult) -> dict:
    """Gradescope's results.json: visible right/wrong per check; no hidden inputs in the text."""
    tests = []
    for c in r.checks:
        status = "passed" if c.passed else "failed"
        tests.append({"name": f"{c.task}: {c.check}", "score": c.points if c.points is not None else 0,
                      "max_score": c.max_points, "status": status if c.passed is not None else "failed",
                      "output": c.message if c.passed is not None else "Waiting for manual grading.",
                      "visibility": "visible"})
    return {"score": r.total_points, "output": f"{r.file}: {r.auto_points:g}/{r.auto_max:g} automatic points",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def junit(results: dict[str, SubmissionResult]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for key, r in sorted(results.items()):
        auto = [c for c in r.checks if c.passed is not None]
        failures = sum(1 for c in auto if not c.passed)
        out.append(f"  <testsuite name={quoteattr(r.file)} tests=\"{len(auto)}\" failures=\"{failures}\" "
                   f"errors=\"0\" time=\"{r.seconds:.3f}\">")
        for c in auto:
            out.append(f"    <testcase classname={quoteattr(c.task)} name={quoteattr(c.check)}>")
            if not c.passed:
                out.append(f"      <failure message={quoteattr(c.message)}>{escape(c.message)}</failure>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def export(fmt: str, reports: Path, out: Path, spec: Spec) -> list[Path]:
    results = load_reports(reports)
    if fmt == "gradebook":
        path = out if out.suffix else out / "gradebook.csv"
        atomic_write(path, gradebook(results, spec))
        return [path]
    if fmt == "junit":
        path = out if out.suffix else out / "junit.xml"
        atomic_write(path, junit(results))
        return [path]
    if fmt == "gradescope":
        written = []
        for key, r in results.items():
            path = out / "gradescope" / key / "results.json"
            atomic_write(path, json.dumps(gradescope(r), ensure_ascii=False))   # the C encoder: 10x faster than indent
            written.append(path)
        return written
    raise ValueError(f"unknown format {fmt!r}")
