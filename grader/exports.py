"""Other renderings of the gradebook's results: a gradebook CSV, Gradescope results.json, JUnit XML."""
from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .csvsafe import to_csv
from .report import atomic_write
from .identity import Counting, counted, counting
from .results import CheckResult, SubmissionResult
from .spec import Spec


def load_reports(folder: Path) -> dict[str, SubmissionResult]:
    """Every result of a report folder with the TAs' decisions applied, by report key (read
    from the gradebook; a folder graded before the gradebook existed is imported first)."""
    from .gradebook import load_results
    return {k: r for k, r in load_results(folder).items() if r.checks}


def gradebook(results: dict[str, SubmissionResult], spec: Spec) -> str:
    """One row per student: the notebook that counts (of several, the best; ``notebooks`` says
    how many were handed in and ``note`` which counts and why). Students without a matriculation
    number in the file name are told apart by Moodle's participant id and full name. ``pending``:
    written answers that wait for a TA, so ``total`` is not final (a TA's review: a total of 60 with
    three answers ungraded said nothing of it); ``manual_points`` is empty while any waits. Rows are
    ordered by matriculation number (those without one last, by name), as a course list is."""
    max_total = sum(t.max_points for t in spec.tasks)
    choices = counting(results.values())
    # A participant's number from their other notebook when the one that counts has none in its
    # name (a draft): one number among them only (a TA's review found Lea's row without hers).
    numbers: dict[str, set[str]] = {}
    for r in results.values():
        if r.participant_id and r.matr_number:
            numbers.setdefault(r.participant_id, set()).add(r.matr_number)
    rows = []
    for r in sorted(counted(results.values()), key=lambda r: (r.matr_number or "~", r.who, r.file)):
        choice = choices.get(r.key)
        known = numbers.get(r.participant_id, set())
        matr = r.matr_number or (next(iter(known)) if len(known) == 1 else "")
        rows.append([matr, r.who, r.participant_id, *[r.task_points(t.id) for t in spec.tasks],
                     r.auto_points, r.manual_points, r.total_points, max_total, r.pending, r.file,
                     0 if r.no_notebook else 1 + (len(choice.others) if choice else 0),
                     choice.about(r.key) if choice else "", ";".join(r.flags), r.key])
    # ``key`` last: the report key the gradebook commands take (`grader override KEY`),
    # as in summary.csv; a row was otherwise found again by name (a TA's review).
    return to_csv(["matr_number", "name", "participant_id", *[t.id for t in spec.tasks], "auto_points",
                   "manual_points", "total", "max_total", "pending", "file", "notebooks", "note", "flags",
                   "key"], rows)


def gradescope(r: SubmissionResult, choice: Counting | None = None) -> dict:
    """Gradescope's results.json: visible right/wrong per check; no hidden inputs in the text."""
    tests = []
    for c in r.checks:
        status = "passed" if c.passed else "failed"
        tests.append({"name": f"{c.task}: {c.check}", "score": c.points if c.points is not None else 0,
                      "max_score": c.max_points, "status": status if c.passed is not None else "failed",
                      "output": c.message if c.passed is not None else "Waiting for manual grading.",
                      "visibility": "visible"})
    # The score is the total (written answers as a TA graded them so far): the text says which.
    written_max = sum(c.max_points for c in r.checks if c.manual_task)
    written = "pending" if r.manual_points is None else f"{r.manual_points:g}/{written_max:g}"
    final = r.manual_points is not None and not r.pending and not r.overrides_to_review
    output = (f"{r.file}: automatic points {r.auto_points:g}/{r.auto_max:g}; written answers: {written}; "
              f"{'total' if final else 'total so far'}: {r.total_points:g}/{r.auto_max + written_max:g}")
    if choice is not None:
        output += ". " + choice.about(r.key)
    return {"score": r.total_points, "output": output,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def _prop(name: str, value) -> str:
    return f"<property name={quoteattr(name)} value={quoteattr(str(value))}/>"


def _points(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def testcase(c: CheckResult) -> list[str]:
    """One check as a JUnit test case. Points mean what they mean everywhere else: full points
    pass; partial credit passes with its points (a ``<failure>`` only for no points); a written
    answer no TA has graded yet is skipped, never a failure or a 'graded by a TA'."""
    lines = [f"    <testcase classname={quoteattr(c.task)} name={quoteattr(c.check)}>",
             f"      <properties>{_prop('points', _points(c.points))}{_prop('max_points', _points(c.max_points))}"
             f"</properties>"]
    if c.points is None:
        why = "written answer: waits for a TA's grade" if c.manual_task else "not decided automatically"
        lines.append(f"      <skipped message={quoteattr(why)}/>")
    elif c.passed is False and c.points <= 0:
        lines.append(f"      <failure message={quoteattr(c.message)}>{escape(c.message)}</failure>")
    elif c.points < c.max_points:
        text = f"partial credit: {c.points:g}/{c.max_points:g} points. {c.message}"
        lines.append(f"      <system-out>{escape(text)}</system-out>")
    lines.append("    </testcase>")
    return lines


def junit(results: dict[str, SubmissionResult]) -> str:
    """One XML for a CI dashboard: a test suite per notebook, a test case per check."""
    choices = counting(results.values())
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for key, r in sorted(results.items()):
        cases = r.checks
        failures = sum(1 for c in cases if c.points is not None and c.passed is False and c.points <= 0)
        skipped = sum(1 for c in cases if c.points is None)
        name = f"{r.who} ({r.who_id})" if r.who_id else r.who
        out.append(f"  <testsuite name={quoteattr(name)} tests=\"{len(cases)}\" failures=\"{failures}\" "
                   f"errors=\"0\" skipped=\"{skipped}\">")   # no time: see report.result_dict
        choice = choices.get(key)
        props = [_prop("report", key), _prop("file", r.file), _prop("points", _points(r.total_points)),
                 _prop("pending", r.pending)]
        if choice is not None:
            props.append(_prop("counted", str(choice.counts(key)).lower()))
        out.append(f"    <properties>{''.join(props)}</properties>")
        for c in cases:
            out.extend(testcase(c))
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def refresh(out: Path, results: dict[str, SubmissionResult], spec: Spec, keys=None) -> list[Path]:
    """Rewrite the exports that exist at their default places in the report folder, so that none
    shows older grades than summary.csv beside it (a new TA's review found gradebook.csv and
    junit.xml as the first export left them, after a regrade and a day of grading). Gradescope:
    the students of ``keys`` (and their other notebooks: which one counts may have changed)."""
    results = {k: r for k, r in results.items() if r.checks}
    written = []
    for name, render in (("gradebook.csv", lambda: gradebook(results, spec)), ("junit.xml", lambda: junit(results)),
                         ("moodle_feedback.zip", lambda: moodle_feedback(results, spec)[0])):   # 40 ms for 400
        if (out / name).is_file():
            atomic_write(out / name, render())
            written.append(out / name)
    if (out / "gradescope").is_dir():
        choices = counting(results.values())
        touched = set(results) if keys is None else {k for k in keys if k in results}
        touched |= {o[0] for k in list(touched) if k in choices for o in choices[k].others} | \
            {choices[k].key for k in list(touched) if k in choices}
        for key in sorted(touched & set(results)):
            path = out / "gradescope" / key / "results.json"
            if key in choices and not choices[key].counts(key):
                path.unlink(missing_ok=True)
                try:
                    path.parent.rmdir()          # no empty folder for a notebook that stopped counting
                except OSError:
                    pass
                continue
            atomic_write(path, json.dumps(gradescope(results[key], choices.get(key)), ensure_ascii=False))
            written.append(path)
    return written


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
        choices = counting(results.values())
        for key, r in results.items():
            if key in choices and not choices[key].counts(key):
                continue        # one score per student: a notebook that does not count is not uploaded
            path = out / "gradescope" / key / "results.json"
            atomic_write(path, json.dumps(gradescope(r, choices.get(key)), ensure_ascii=False))   # the C encoder: 10x faster than indent
            written.append(path)
        return written
    if fmt == "moodle-feedback":
        path = out if out.suffix else out / "moodle_feedback.zip"
        data = moodle_feedback(results, spec)[0]
        atomic_write(path, data)
        return [path]
    raise ValueError(f"unknown format {fmt!r}")


FEEDBACK_FILE = "feedback.html"


def moodle_feedback(results: dict[str, SubmissionResult], spec: Spec) -> tuple[bytes, int, list[str]]:
    """Moodle's "Upload multiple feedback files in a zip": each participant's feedback page in a
    folder named as Moodle's own download names it (``Full Name_<id>_assignsubmission_file_``),
    which is how Moodle finds whose it is (a TA's review: the detailed pages reached no student,
    only the short comment of the worksheet). One page per participant, the notebook that counts.
    Returns the zip, its number of pages, and the students left out (graded outside Moodle's
    folders: no participant id)."""
    import io
    import zipfile

    from .feedback import student_page
    choices = counting(results.values())
    buf, left_out, seen = io.BytesIO(), [], set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for r in sorted(counted(results.values()), key=lambda r: (r.participant, r.participant_id, r.key)):
            if not r.participant_id.isdigit() or not r.participant or r.participant_id in seen:
                left_out.append(r.who)
                continue
            seen.add(r.participant_id)
            # Moodle finds the participant as the second of the folder's parts between underscores, so the name holds
            # none: Moodle's own download turns them into spaces; a name with `*`, `?` or a no-break space (which
            # Moodle keeps) had each turned into `_`, and a TA's upload gave the page to the participant whose id the
            # name spelled (review 461: `Mallory*1002*assignsubmission*file` to participant 1002)
            name = "".join(" " if ch in '_/\\:*?"<>|' or not ch.isprintable() else ch for ch in r.participant)
            folder = f"{name}_{r.participant_id}_assignsubmission_file_"
            # A fixed date: the same pages give the same bytes, so a refresh rewrites it only when they change.
            info = zipfile.ZipInfo(f"{folder}/{FEEDBACK_FILE}", date_time=(2020, 1, 1, 0, 0, 0))
            zf.writestr(info, student_page(r, spec, choices.get(r.key)), compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue(), len(seen), left_out
