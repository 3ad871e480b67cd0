"""`grader similarity` end to end: report folders in, pages and files out, the flag in each
student's report and in summary.csv, past terms as reports, notebooks or a Moodle zip."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bench.similarity_cohort import cohort, write_notebooks, write_reports

from .conftest import ROOT


def grader(*args: str, cwd: Path, data_home: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    if data_home:
        env["GRADER_DATA"] = str(data_home)
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def small():
    return cohort(30, 4, seed=21)


@pytest.fixture
def reports(tmp_path, small):
    return write_reports(small, tmp_path / "reports")


def flags_of(folder: Path) -> dict[str, list[str]]:
    return {p.stem: json.loads(p.read_text())["flags"] for p in folder.glob("*.json")}


def test_flags_reach_reports_and_summary_and_points_stay(reports, small, tmp_path):
    before = {p.stem: json.loads(p.read_text())["checks"] for p in reports.glob("*.json")}
    res = grader("similarity", "--reports", str(reports), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    out = reports / "similarity"
    for name in ("index.html", "clusters.html", "pairs.csv", "similarity.json"):
        assert (out / name).is_file()
    data = json.loads((out / "similarity.json").read_text())
    copies = [s for s in small.students if s.copied_from]
    copiers = {s.key for s in copies} | {s.copied_from for s in copies}
    assert copiers <= set(data["flagged"])
    flags = flags_of(reports)
    assert {k for k, f in flags.items() if "similar" in f} == set(data["flagged"])
    summary = {r["file"]: r["flags"].split(";") for r in csv.DictReader((reports / "summary.csv").open())}
    assert sum("similar" in f for f in summary.values()) == len(data["flagged"])
    assert {p.stem: json.loads(p.read_text())["checks"] for p in reports.glob("*.json")} == before
    rows = list(csv.DictReader((out / "pairs.csv").open()))
    assert len(rows) == len(data["pairs"]) and all((out / r["page"]).is_file() for r in rows)
    assert len(list((out / "pairs").glob("*.html"))) == len(rows)
    assert "similar, to be reviewed" in res.stdout.replace("\n", " ") or "to be reviewed" in res.stdout


def _pad(source: str) -> str:
    """A no-op statement after every line that can take one (the nineteenth review's padding)."""
    out = []
    for line in source.split("\n"):
        out.append(line)
        stripped = line.strip()
        if stripped and not stripped.endswith((":", ",", "(", "[", "{", "\\")) and not stripped.startswith(("@", "#")):
            indent = line[:len(line) - len(line.lstrip())]
            out.append(indent + ("pass" if len(out) % 2 else "0"))
    return "\n".join(out)


WRAPS = {
    "exec": lambda src: "exec(" + repr(src) + ")",
    "exec-under-another-name": lambda src: "run = exec\nrun(" + repr(src) + ")",
    "exec-reached-through-builtins": lambda src: "getattr(__builtins__, 'ex' 'ec')(" + repr(src) + ")",
    "no-op-after-every-line": _pad,
}


@pytest.mark.parametrize("wrap", sorted(WRAPS))
def test_a_copy_run_from_strings_or_padded_is_still_a_copy(tmp_path, wrap):
    """Every code cell of a planted copy wrapped in exec('''...''') (or reaching exec another
    way), or padded with a no-op statement after every line: the grader runs it as it is;
    similarity reads the code and the pair stays flagged."""
    c = cohort(30, 3, seed=21)
    reports = write_reports(c, tmp_path / "reports")
    copy = next(s for s in c.students if s.copied_from)
    path = reports / f"{copy.key}.json"
    data = json.loads(path.read_text())
    code = [cid for cid in data["student_cells"] if not cid.startswith("calc")]
    assert code
    for n, cid in enumerate(code):        # one of them below an IPython magic, as Jupyter runs it
        data["student_cells"][cid] = ("%matplotlib inline\n" if n == 0 else "") + \
            WRAPS[wrap](data["student_cells"][cid])
    if wrap == "no-op-after-every-line":
        import ast
        ast.parse(data["student_cells"][code[1]])
    path.write_text(json.dumps(data))
    assert grader("similarity", "--reports", str(reports), cwd=tmp_path).returncode == 0
    out = json.loads((reports / "similarity" / "similarity.json").read_text())
    pair = next(p for p in out["pairs"] if {p["a"], p["b"]} == {copy.key, copy.copied_from})
    assert pair["flagged"] and pair["code"] >= 0.75


def test_a_thousand_joined_strings_in_an_added_cell_stop_nothing(tmp_path):
    """A scratch cell holding exec("" + "" + ... ) over 1,500 terms: read without recursion,
    the similarity view is written for everyone (it ended in a RecursionError)."""
    c = cohort(12, 2, seed=5)
    reports = write_reports(c, tmp_path / "reports")
    path = next(reports.glob("*.json"))
    data = json.loads(path.read_text())
    data["student_cells"]["scratch"] = "if False:\n    exec(" + "+".join(['""'] * 1500) + ")"
    path.write_text(json.dumps(data))
    res = grader("similarity", "--reports", str(reports), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert (reports / "similarity" / "similarity.json").is_file()


def test_a_magic_line_on_top_of_a_copied_cell_hides_nothing(tmp_path):
    c = cohort(30, 3, seed=21)
    reports = write_reports(c, tmp_path / "reports")
    copy = next(s for s in c.students if s.copied_from)
    path = reports / f"{copy.key}.json"
    data = json.loads(path.read_text())
    for cid in [cid for cid in data["student_cells"] if not cid.startswith("calc")]:
        data["student_cells"][cid] = "%matplotlib inline\n" + data["student_cells"][cid]
    path.write_text(json.dumps(data))
    assert grader("similarity", "--reports", str(reports), cwd=tmp_path).returncode == 0
    out = json.loads((reports / "similarity" / "similarity.json").read_text())
    pair = next(p for p in out["pairs"] if {p["a"], p["b"]} == {copy.key, copy.copied_from})
    assert pair["flagged"] and pair["code"] >= 0.75


def test_a_stricter_rerun_takes_the_flag_back_and_no_flags_touches_nothing(reports, tmp_path):
    assert grader("similarity", "--reports", str(reports), cwd=tmp_path).returncode == 0
    flagged = {k for k, f in flags_of(reports).items() if "similar" in f}
    assert flagged
    assert grader("similarity", "--reports", str(reports), "--threshold", "1", "--written-threshold", "1",
                  cwd=tmp_path).returncode == 0
    assert not any("similar" in f for f in flags_of(reports).values())
    snapshot = {p.name: p.read_bytes() for p in reports.glob("*.*")}
    res = grader("similarity", "--reports", str(reports), "--no-flags", cwd=tmp_path)
    assert res.returncode == 0 and "unchanged" in res.stdout
    assert {p.name: p.read_bytes() for p in reports.glob("*.*")} == snapshot


@pytest.mark.parametrize("form", ["reports", "notebooks", "moodle-zip"])
def test_past_terms_are_compared_with_this_one_only(tmp_path, form):
    everyone = cohort(24, 3, seed=33)
    # Past term: the sources of the copies (and some others); this term: the copies and the rest.
    sources = {s.copied_from for s in everyone.students if s.copied_from}
    past = [s for s in everyone.students if s.key in sources or (not s.copied_from and int(s.key[1:]) % 3 == 0)]
    now = [s for s in everyone.students if s not in past]
    current = write_reports(type(everyone)(now), tmp_path / "reports")
    if form == "reports":
        past_path = write_reports(type(everyone)(past), tmp_path / "2024")
    elif form == "notebooks":
        past_path = write_notebooks(past, tmp_path / "2024")
    else:
        tree = write_notebooks(past, tmp_path / "tree", moodle=True)
        past_path = tmp_path / "Assignment 7-2024.zip"
        with zipfile.ZipFile(past_path, "w") as zf:
            for f in tree.rglob("*.ipynb"):
                zf.write(f, f.relative_to(tree))
    res = grader("similarity", "--reports", str(current), "--against", str(past_path), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads((current / "similarity" / "similarity.json").read_text())
    term = data["cohort"]["past_terms"]
    assert list(term.values()) == [len(past)]
    label = next(iter(term))
    copies = [s.key for s in now if s.copied_from in sources]
    assert copies and set(copies) <= set(data["flagged"])
    for p in data["pairs"]:
        assert not p["a"].startswith(f"{label}/")                 # a pair always starts in this term
    assert any(p["b"].startswith(f"{label}/") and p["flagged"] for p in data["pairs"])
    assert not any(k.startswith(f"{label}/") for k in data["flagged"])   # past reports are not touched
    index = (current / "similarity" / "index.html").read_text()
    assert f"({label})" in index


def test_two_past_folders_of_one_name_stay_apart(tmp_path):
    c = cohort(9, 0, seed=8)
    current = write_reports(type(c)(c.students[:3]), tmp_path / "reports")
    write_reports(type(c)(c.students[3:6]), tmp_path / "2023" / "reports")
    write_reports(type(c)(c.students[6:]), tmp_path / "2024" / "reports")
    res = grader("similarity", "--reports", str(current), "--against", str(tmp_path / "2023" / "reports"),
                 "--against", str(tmp_path / "2024" / "reports"), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads((current / "similarity" / "similarity.json").read_text())
    assert data["cohort"]["past_terms"] == {"reports": 3, "reports-2": 3}


def test_the_same_student_in_two_terms_is_shown_not_flagged(tmp_path):
    c = cohort(12, 1, seed=4)
    copy = next(s for s in c.students if s.copied_from)
    source = next(s for s in c.students if s.key == copy.copied_from)
    current = write_reports(type(c)([s for s in c.students if s is not source]), tmp_path / "reports")
    past = write_reports(type(c)([source]), tmp_path / "2023")
    data = json.loads((past / f"{source.key}.json").read_text())
    mine = json.loads((current / f"{copy.key}.json").read_text())
    data["matr_number"], data["name"], data["participant"] = mine["matr_number"], "AdaLovelace", "Ada Lovelace"
    (past / f"{source.key}.json").write_text(json.dumps(data))
    # The number alone (typed into a file name by the student) does not make two hand-ins one
    # student's: last term's notebook copied under its author's number stays flagged.
    assert grader("similarity", "--reports", str(current), "--against", str(past), cwd=tmp_path).returncode == 0
    out = json.loads((current / "similarity" / "similarity.json").read_text())
    pair = next(p for p in out["pairs"] if p["a"] == copy.key and p["b"].endswith(source.key))
    assert not pair["same_student"] and pair["flagged"]
    # The same number and the same name, both typed into file names (no Moodle participant): last
    # term's notebook copied under its author's name and number stays flagged (a twenty-sixth review).
    past = write_reports(type(c)([source]), tmp_path / "2023-again")
    data["name"], data["participant"], data["participant_id"] = mine["name"], "", ""
    (past / f"{source.key}.json").write_text(json.dumps(data))
    mine["participant"], mine["participant_id"] = "", ""
    (current / f"{copy.key}.json").write_text(json.dumps(mine))
    for f in current.glob("gradebook.sqlite*"):     # read the edited reports again
        f.unlink()
    assert grader("similarity", "--reports", str(current), "--against", str(past), cwd=tmp_path).returncode == 0
    out = json.loads((current / "similarity" / "similarity.json").read_text())
    pair = next(p for p in out["pairs"] if p["a"] == copy.key and p["b"].endswith(source.key))
    assert not pair["same_student"] and pair["flagged"]
    # The same number and the same name from Moodle on both sides: a student retaking the course.
    data["participant"], data["participant_id"] = "Ada Lovelace", "9001"
    mine["participant"], mine["participant_id"] = "Ada Lovelace", "5501"
    data["name"] = mine["name"] = "AdaLovelace"
    (past / f"{source.key}.json").write_text(json.dumps(data))
    (current / f"{copy.key}.json").write_text(json.dumps(mine))
    for f in [*current.glob("gradebook.sqlite*"), *past.glob("gradebook.sqlite*")]:
        f.unlink()
    assert grader("similarity", "--reports", str(current), "--against", str(past), cwd=tmp_path).returncode == 0
    out = json.loads((current / "similarity" / "similarity.json").read_text())
    pair = next(p for p in out["pairs"] if p["a"] == copy.key and p["b"].endswith(source.key))
    assert pair["same_student"] and not pair["flagged"]


def test_a_lone_surrogate_or_a_huge_cell_breaks_nothing(tmp_path):
    c = cohort(4, 1, seed=2)
    reports = write_reports(c, tmp_path / "reports")
    victim = next(reports.glob("*.json"))
    data = json.loads(victim.read_text())
    data["name"] = "Eve\ud800"
    data["student_cells"]["ann-relu"] += "\n# \udfff" + "x = 1\n" * 50_000
    victim.write_text(json.dumps(data))             # json escapes the surrogates; loading brings them back
    res = grader("similarity", "--reports", str(reports), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    view = (reports / "similarity" / "similarity.json").read_text(encoding="utf-8")
    assert "Eve\ufffd" in view                                  # shown with a replacement mark
    flags, flagged = flags_of(reports), json.loads(view)["flagged"]
    assert flagged
    for key in flagged:      # every report carries its flag, or the run said why it could not
        assert "similar" in flags[key] or f"could not write the flag: {key}" in res.stdout.replace("\n", "")


def test_names_in_pairs_csv_cannot_be_spreadsheet_formulas(tmp_path):
    # Red-team finding: a file named '=HYPERLINK(...)' reached pairs.csv as a live formula.
    c = cohort(4, 1, seed=2)
    reports = write_reports(c, tmp_path / "reports")
    for path in reports.glob("*.json"):
        data = json.loads(path.read_text())
        data["name"] = '=HYPERLINK("http://evil.example";"open")'
        path.write_text(json.dumps(data))
    res = grader("similarity", "--reports", str(reports), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    rows = list(csv.DictReader((reports / "similarity" / "pairs.csv").open(encoding="utf-8")))
    assert rows
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
        assert row["a_name"] == "'" + '=HYPERLINK("http://evil.example";"open")'


def test_errors_are_explained(tmp_path):
    res = grader("similarity", "--reports", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert res.returncode == 2 and "grader grade" in res.stdout
    (tmp_path / "empty").mkdir()
    res = grader("similarity", "--reports", str(tmp_path / "empty"), cwd=tmp_path)
    assert res.returncode == 2 and "no graded reports" in res.stdout
    spec = tmp_path / "spec"
    shutil.copytree(ROOT / "reference" / "assignment7", spec)
    toml = spec / "spec.toml"
    toml.write_text(re.sub(r"(?m)^threshold = [0-9.]+", "threshold = 7", toml.read_text()))
    write_reports(cohort(3, 0, seed=1), tmp_path / "r")
    res = grader("similarity", "--reports", str(tmp_path / "r"), "--spec", str(spec), cwd=tmp_path)
    assert res.returncode == 2 and "threshold" in res.stdout
    res = grader("similarity", "--reports", str(tmp_path / "r"), "--against", str(tmp_path / "empty"), cwd=tmp_path)
    assert res.returncode == 2 and "no reports" in res.stdout


def test_help_explains_with_examples(tmp_path):
    res = grader("similarity", "--help", cwd=tmp_path)
    assert res.returncode == 0 and "--against" in res.stdout and "examples:" in res.stdout
    assert "never a deduction" in res.stdout.replace("\n", " ")


@pytest.mark.slow
def test_fresh_clone_grades_the_examples_then_finds_their_shared_answers(tmp_path, data_home):
    """The README's flow on the shipped examples: their written answers were written once and
    copied into all three (so they must be found); Jane's and Max's ANN_relu are one cell."""
    shutil.copytree(ROOT / "submissions", tmp_path / "submissions")
    assert grader("grade", "submissions/", cwd=tmp_path, data_home=data_home).returncode == 0
    res = grader("similarity", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads((tmp_path / "reports" / "similarity" / "similarity.json").read_text())
    keys = {p.stem for p in (tmp_path / "reports").glob("*.json")}
    assert set(data["flagged"]) == keys
    jane_max = next(p for p in data["pairs"] if {p["a"], p["b"]} == {"Assignment_7_JaneDoe_k12345678",
                                                                       "Assignment_7_MaxMustermann_k01234567"})
    assert jane_max["units"]["ann-relu"]["a"] > 0.5 and jane_max["units"]["calc-1-1"]["a"] > 0.85
    summary = list(csv.DictReader((tmp_path / "reports" / "summary.csv").open()))
    assert all("similar" in r["flags"].split(";") for r in summary)


def test_the_console_table_names_a_students_notebooks_apart_and_where_the_rest_is():
    """A hundred-and-fifty-ninth review: "Jane Doe | Lea Müller" stood twice (Lea's final notebook
    and her draft) and read as one pair listed twice; a hundred-and-sixtieth: "(of 16 listed)"
    above ten rows said nowhere where the others are."""
    import io
    from types import SimpleNamespace

    from rich.console import Console

    from grader.cli.similarity import _table
    hands = {"j": SimpleNamespace(key="j", name="Jane Doe", file="Assignment_7_JaneDoe_k12345678.ipynb", term=""),
             "l1": SimpleNamespace(key="l1", name="Lea Müller", file="Assignment_7_LeaMueller_draft.ipynb", term=""),
             "l2": SimpleNamespace(key="l2", name="Lea Müller", file="Assignment_7_LeaMueller_k11111111.ipynb", term="")}
    pair = lambda a, b, s: SimpleNamespace(a=a, b=b, score=s, code=s, written=s, flagged=True, same_student=False)  # noqa: E731
    analysis = SimpleNamespace(pairs=[pair("j", "l2", 0.95), pair("j", "l1", 0.9)], hand=hands.__getitem__)
    buf = io.StringIO()
    _table(Console(file=buf, width=200, color_system=None), analysis)
    text = buf.getvalue()
    assert "Lea Müller (Assignment_7_LeaMueller_draft.ipynb)" in text and "Jane Doe (" not in text
    analysis.pairs = [pair("j", "l2", 0.9 - i / 100) for i in range(12)]
    buf = io.StringIO()
    _table(Console(file=buf, width=200, color_system=None), analysis)
    assert "10 of 12 listed; every one in index.html" in " ".join(buf.getvalue().split())
    # In 80 columns every name is there whole, folded, not cut (a hundred-and-ninety-fourth review:
    # "Featherstonehaug…" and "(Assignment_7_L…")
    hands["b"] = SimpleNamespace(key="b", name="Bartholomew Featherstonehaugh-Wellington", file="b.ipynb", term="")
    analysis.pairs = [pair("b", "l1", 0.95), pair("j", "l2", 0.9)]
    buf = io.StringIO()
    _table(Console(file=buf, width=80, color_system=None), analysis)
    text = buf.getvalue()
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80, text
    lines = text.splitlines()
    head = next(line for line in lines if "similar to" in line)
    a, b = head.index("student"), head.index("similar to")
    column = lambda lo, hi: "".join(line[lo:hi].strip() for line in lines[lines.index(head) + 2:])  # noqa: E731
    assert "BartholomewFeatherstonehaugh-Wellington" in column(a, b), text
    assert "Lea Müller(Assignment_7_LeaMueller_draft.ipynb)" in column(b, lines[lines.index(head) + 2].rindex("similar")), text


def test_a_notebook_that_could_not_be_read_is_named_as_not_compared(tmp_path):
    """A TA reading "4 hand-ins compared" of five should learn which one was not, and why."""
    from grader.report import write_submission
    from grader.results import CheckResult, SubmissionResult
    reports = write_reports(cohort(4, 1, seed=2), tmp_path / "reports")
    write_submission(reports, SubmissionResult(file="Assignment_7_BrokenBen_k99999999.ipynb", name="BrokenBen",
                                               matr_number="k99999999", status="unreadable", key="k99999999",
                                               checks=[CheckResult("code_3_1", "imports", 2, 0, False, "unreadable")],
                                               path="k99999999.ipynb"), "k99999999")
    res = grader("similarity", "--reports", str(reports), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    said = " ".join(res.stdout.split())
    assert "1 notebook(s) not compared" in said and "BrokenBen (Assignment_7_BrokenBen_k99999999.ipynb): unreadable" \
        in said
    page = (reports / "similarity" / "index.html").read_text()
    assert 'id="not-compared"' in page and "BrokenBen" in page
    assert json.loads((reports / "similarity" / "similarity.json").read_text())["not_compared"] == \
        ["BrokenBen (Assignment_7_BrokenBen_k99999999.ipynb): unreadable"]
