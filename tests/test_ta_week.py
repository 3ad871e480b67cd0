"""The TA's week: Moodle in and out, exports, manual grading, feedback pages, course CI."""
import csv
import re
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from grader.exports import gradebook, gradescope, junit, load_reports
from grader.gradebook import open_gradebook
from grader.identity import counting
from grader.release import release

from .browser import chromium, require
from .conftest import DRAW_SEED, REF, ROOT, contains, hidden_strings

pytestmark = pytest.mark.slow
SUBS = ROOT / "submissions"


def run(args, cwd, data_home):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def moodle_reports(tmp_path_factory, data_home):
    """A Moodle 'download all submissions' zip graded once for the whole module."""
    tmp = tmp_path_factory.mktemp("moodle")
    tree = {"Jane Doe_5501_assignsubmission_file_": ["Assignment_7_JaneDoe_k12345678.ipynb"],
            "Max Mustermann_5502_assignsubmission_file_": ["Assignment_7_MaxMustermann_k01234567.ipynb"],
            "John Smith_5503_assignsubmission_file_": ["assignment7_john_smith.ipynb"],
            "Eva Lu_5504_assignsubmission_file_": [],
            # a final notebook and a draft (Max's mistakes) handed in together
            "Lea Müller_5505_assignsubmission_file_": [("Assignment_7_JaneDoe_k12345678.ipynb",
                                                        "Assignment_7_LeaMueller_k11111111.ipynb"),
                                                       ("Assignment_7_MaxMustermann_k01234567.ipynb",
                                                        "Assignment_7_LeaMueller_draft.ipynb")]}
    zpath = tmp / "course-Assignment 7-12345.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for folder, files in tree.items():
            for f in files:
                src, name = f if isinstance(f, tuple) else (f, f)
                zf.write(SUBS / src, f"{folder}/{name}")
            if not files:
                zf.writestr(f"{folder}/answers.pdf", b"%PDF-1.4")
        zf.writestr("../evil.txt", b"outside")
    out = tmp / "reports"
    res = run(["grade", str(zpath), "--out", str(out), "--draw-seed", str(DRAW_SEED)], tmp, data_home)
    assert res.returncode == 0, res.stdout + res.stderr
    assert not (Path(tempfile.gettempdir()) / "evil.txt").exists()
    return out, res.stdout


def test_moodle_zip_keeps_participant_ids_and_flags(moodle_reports):
    out, stdout = moodle_reports
    rows = list(csv.DictReader((out / "summary.csv").open()))
    by_pid = {}
    for r in rows:
        by_pid.setdefault(r["participant_id"], []).append(r)
    assert set(by_pid) == {"5501", "5502", "5503", "5504", "5505"}
    assert float(by_pid["5501"][0]["auto_points"]) == 50
    assert len(by_pid["5505"]) == 2 and all("several-notebooks" in r["flags"] for r in by_pid["5505"])
    assert by_pid["5504"][0]["status"] == "no notebook handed in" and "no-notebook" in by_pid["5504"][0]["flags"]
    # The name in Moodle where the file name gives none; a draft has no matriculation number.
    assert (by_pid["5503"][0]["name"], by_pid["5503"][0]["matr_number"]) == ("John Smith", "")
    lea = {r["file"]: r for r in by_pid["5505"]}
    assert lea["Assignment_7_LeaMueller_draft.ipynb"]["matr_number"] == ""
    assert (lea["Assignment_7_LeaMueller_k11111111.ipynb"]["counted"], lea["Assignment_7_LeaMueller_draft.ipynb"]
            ["counted"]) == ("True", "False")
    # What the TA reads at the end of the batch.
    assert "5 notebook(s): 5 graded, 0 unreadable or failed" in stdout
    assert "1 participant(s) handed in no notebook" in stdout and "unreadable or failed, " in stdout
    assert "Lea Müller (5505): 2 notebooks, all graded; counted Assignment_7_LeaMueller_k11111111.ipynb, the higher total " \
           "so far (50 vs 30 points)" in stdout
    assert "Eva Lu (5504): no notebook handed in (found: answers.pdf)" in stdout
    # Sheets and pages name every student.
    eva = (out / "feedback" / "Eva_Lu_5504.html").read_text()
    assert "No notebook was handed in" in eva and "Failed" not in eva and "naming rules" not in eva
    john = (out / "feedback" / "John_Smith_5503.html").read_text()
    assert "<b>John Smith</b> (participant 5503)" in john and "? (?)" not in john
    draft = next(p for p in (out / "feedback").glob("Lea_M*.html") if "draft" in p.read_text())
    assert "Not counted: 2 notebooks were handed in and Assignment_7_LeaMueller_k11111111.ipynb counts" in \
        draft.read_text()


WORKSHEET = ("\ufeffIdentifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
             "Last modified (submission),Feedback comments\n"
             "Participant 5501,Jane Doe,jane@uni.example,Submitted,,100.00,Yes,\"Monday, 3 June 2024, 10:00 AM\",\n"
             "Participant 5502,Max Mustermann,max@uni.example,Submitted,,100.00,Yes,-,\n"
             "Participant 5503,John Smith,john@uni.example,Submitted,,100.00,Yes,-,\n"
             "Participant 5504,Eva Lu,eva@uni.example,Submitted,,100.00,Yes,-,\n"
             "Participant 5505,Lea Müller,lea@uni.example,Submitted,,100.00,Yes,-,\n"
             "Participant 5999,Nobody Here,no@uni.example,No submission,,100.00,Yes,-,\n")


def test_moodle_worksheet_is_filled_and_nothing_else_changes(moodle_reports, tmp_path, data_home):
    out, _ = moodle_reports
    sheet = tmp_path / "Grades-Assignment 7.csv"
    sheet.write_text(WORKSHEET, encoding="utf-8")
    args = ["moodle", str(sheet), "--reports", str(out), "--out", str(tmp_path / "up.csv")]
    refused = run(args, tmp_path, data_home)       # written answers wait for a TA: nothing reaches Moodle
    assert refused.returncode == 1 and not (tmp_path / "up.csv").exists()
    assert "written answer(s) of 4 participant(s) wait for a TA" in refused.stdout
    res = run([*args, "--allow-pending"], tmp_path, data_home)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "6 row(s) matched" not in res.stdout and "5 row(s) matched to 5 of 5 graded participant(s)" in res.stdout
    text = (tmp_path / "up.csv").read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    before = list(csv.reader(io.StringIO(WORKSHEET[1:])))
    after = list(csv.reader(io.StringIO(text[1:])))
    assert before[0] == after[0] and len(before) == len(after)
    grade, fb = before[0].index("Grade"), before[0].index("Feedback comments")
    for b, a in zip(before[1:], after[1:]):
        assert [x for i, x in enumerate(b) if i not in (grade, fb)] == [x for i, x in enumerate(a) if i not in (grade, fb)]
    assert after[1][grade] == "50" and "Automatic checks: 50/50" in after[1][fb] and "PARTIAL GRADE" in after[1][fb]
    assert after[2][grade] == "30" and "Failed:" in after[2][fb]
    assert after[4][grade] == "0" and after[4][fb] == "No notebook (.ipynb) was handed in (found: answers.pdf): 0 points."
    assert after[5][grade] == "50" and "Counted: this notebook" in after[5][fb]
    assert after[6][grade] == "" and "Participant 5999 (Nobody Here): No submission" in res.stdout
    # refused again later (an answer waits once more): the file written before is not left to upload
    again = run(args, tmp_path, data_home)
    assert again.returncode == 1 and not (tmp_path / "up.csv").exists()
    assert (tmp_path / "up.csv.outdated").exists() and "renamed up.csv.outdated, do not upload it" in \
        " ".join(again.stdout.split())


def test_a_worksheet_with_another_maximum_grade_is_refused_or_scaled(moodle_reports, tmp_path, data_home):
    """A TA's review: a maximum of 10.00 got 89.5 written into Grade, no warning and no scaling."""
    out, _ = moodle_reports
    sheet = tmp_path / "Grades-Assignment 7.csv"
    sheet.write_text(WORKSHEET.replace(",100.00,", ",10.00,"), encoding="utf-8")
    args = ["moodle", str(sheet), "--reports", str(out), "--out", str(tmp_path / "up.csv"), "--allow-pending"]
    refused = run(args, tmp_path, data_home)
    said = " ".join(refused.stdout.split())
    assert refused.returncode == 1 and not (tmp_path / "up.csv").exists(), said
    assert "Maximum Grade is 10.00 for 5 row(s)" in said and "has 100 points" in said and "--scale" in said
    scaled = run([*args, "--scale"], tmp_path, data_home)
    assert scaled.returncode == 0, scaled.stdout + scaled.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "up.csv").read_text(encoding="utf-8")[1:])))
    grade = rows[0].index("Grade")
    assert [r[grade] for r in rows[1:3]] == ["5", "3"] and "converted to the worksheet's Maximum Grade" in \
        " ".join(scaled.stdout.split())


def test_the_feedback_pages_go_to_moodle_in_one_zip(moodle_reports, tmp_path, data_home, spec):
    """A TA's review: the detailed pages reached no student (the worksheet's comment is a short
    list). Moodle's "Upload multiple feedback files in a zip" finds each participant by the
    folder name of its own download."""
    out, _ = moodle_reports
    res = run(["export", "--format", "moodle-feedback", "--reports", str(out), "--out", str(tmp_path)], tmp_path,
              data_home)
    said = " ".join(res.stdout.split())
    assert res.returncode == 0 and "5 feedback page(s), one per participant" in said, said
    assert "Upload multiple feedback files in a zip" in said and "still wait for a TA" in said
    with zipfile.ZipFile(tmp_path / "moodle_feedback.zip") as zf:
        names = sorted(zf.namelist())
        assert names == sorted(f"{folder}/feedback.html" for folder in (
            "Jane Doe_5501_assignsubmission_file_", "Max Mustermann_5502_assignsubmission_file_",
            "John Smith_5503_assignsubmission_file_", "Eva Lu_5504_assignsubmission_file_",
            "Lea Müller_5505_assignsubmission_file_"))
        lea = zf.read("Lea Müller_5505_assignsubmission_file_/feedback.html").decode()
        assert "Assignment_7_LeaMueller_k11111111.ipynb" in lea and "Counted: this notebook" in lea   # the one that counts
        assert "No notebook" in zf.read("Eva Lu_5504_assignsubmission_file_/feedback.html").decode()
    from grader.exports import moodle_feedback
    results = load_reports(out)
    assert moodle_feedback(results, spec)[0] == moodle_feedback(results, spec)[0]   # kept current by refresh cheaply


def test_exports(moodle_reports, tmp_path, spec):
    out, _ = moodle_reports
    results = load_reports(out)
    book = list(csv.DictReader(io.StringIO(gradebook(results, spec))))
    assert {"matr_number", "total", "code_3_2_models"} <= set(book[0])
    max_ = next(r for r in book if r["matr_number"] == "k01234567")
    assert max_["auto_points"] == "30" and int(max_["pending"]) > 0 and max_["manual_points"] == "", max_   # not final
    gs = gradescope(next(r for r in results.values() if r.matr_number == "k01234567"))
    assert set(gs) >= {"score", "output", "visibility", "tests"}
    assert set(gs["tests"][0]) == {"name", "score", "max_score", "status", "output", "visibility"}
    assert {t["status"] for t in gs["tests"]} == {"passed", "failed"}
    root = ET.fromstring(junit(results))
    assert root.tag == "testsuites" and len(root) == len(results)
    assert sum(int(s.get("failures")) for s in root) > 0
    assert gs["output"].endswith("automatic points 30/50; written answers: pending; total so far: 30/100")
    res = run(["export", "--format", "gradescope", "--reports", str(out), "--out", str(tmp_path)], tmp_path, out)
    choices = counting(results.values())
    left_out = {k for k, c in choices.items() if not c.counts(k)}
    assert left_out     # the fixture's participant with two notebooks: one score each student, not two
    written = {p.parent.name for p in tmp_path.glob("gradescope/*/results.json")}
    assert res.returncode == 0 and written == set(results) - left_out
    counted_one = json.loads(next(tmp_path.glob(f"gradescope/{next(iter(set(choices) - left_out))}/results.json")).read_text())
    assert "Counted: this notebook" in counted_one["output"]


def test_manual_export_and_merge(tmp_path, data_home):
    out = tmp_path / "reports"
    res = run(["grade", str(SUBS), "--out", str(out)], tmp_path, data_home)
    assert res.returncode == 0
    evil = r"<script>alert(1)</script> and $x^2$ and $\text{<script>alert(2)</script>}$ $\begin{pmatrix} 1 \\ 0 \end{pmatrix}$"
    gb = open_gradebook(out)                   # the gradebook is the source: the answer goes in there
    jane = gb.automatic(["Assignment_7_JaneDoe_k12345678"])["Assignment_7_JaneDoe_k12345678"]
    for c in jane.checks:
        if c.task == "calc_1_1":
            c.answer = evil
    gb.store_result(jane)
    gb.close()
    assert run(["manual", "export", "--reports", str(out)], tmp_path, data_home).returncode == 0
    page = (out / "manual" / "calc_1_1.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page and "<math" in page and "<mtable>" in page
    assert "already 0 points" in (out / "manual" / "calc_2.html").read_text()
    rows = list(csv.DictReader((out / "manual" / "manual_grades.csv").open()))
    for r in rows:
        if not r["points"]:
            r["points"] = {"calc_1_1": "8", "calc_1_2": "15", "calc_2": "30"}[r["task"]]
    path = out / "manual" / "filled.csv"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    before = {p.name: p.read_bytes() for p in (*out.glob("*.csv"), *out.glob("*.json"))}
    bad = run(["manual", "merge", str(path), "--reports", str(out)], tmp_path, data_home)
    assert bad.returncode == 1 and "outside 0..25" in bad.stdout
    after = {p.name: p.read_bytes() for p in (*out.glob("*.csv"), *out.glob("*.json"))}
    assert after == before                                           # a rejected merge writes nothing
    for r in rows:
        if r["task"] == "calc_2" and r["points"] == "30":
            r["points"] = "20"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    ok = run(["manual", "merge", str(path), "--reports", str(out)], tmp_path, data_home)
    assert ok.returncode == 0, ok.stdout
    assert re.search(r"^\d+ grade\(s\) changed in ", ok.stdout, re.M), ok.stdout
    again_merged = run(["manual", "merge", str(path), "--reports", str(out)], tmp_path, data_home)
    assert re.search(r"^0 grade\(s\) changed, \d+ unchanged in ", again_merged.stdout, re.M), again_merged.stdout
    if not os.environ.get("GRADER_TA"):             # whose grades: said, and how to name oneself
        assert "(your user name; --ta or $GRADER_TA records the name you use in grader serve)" in \
            " ".join(again_merged.stdout.split())
    summary = {r["file"]: r for r in csv.DictReader((out / "summary.csv").open())}
    jane = summary["Assignment_7_JaneDoe_k12345678.ipynb"]
    assert (jane["calc_1_1"], jane["calc_1_2"], jane["calc_2"]) == ("8.0", "15.0", "20.0")
    assert float(jane["total"]) == 50 + 43
    assert summary["Assignment_7_MaxMustermann_k01234567.ipynb"]["calc_2"] == "0.0"   # unanswered stays 0

    # A regrade (a fixed hidden test: --force) keeps every merged grade (issue 10: it wiped them).
    again = run(["grade", str(SUBS), "--out", str(out), "--force"], tmp_path, data_home)
    assert again.returncode == 0, again.stdout
    summary = {r["file"]: r for r in csv.DictReader((out / "summary.csv").open())}
    jane = summary["Assignment_7_JaneDoe_k12345678.ipynb"]
    assert (jane["calc_1_1"], jane["calc_1_2"], jane["calc_2"]) == ("8.0", "15.0", "20.0")
    assert float(jane["total"]) == 50 + 43
    data = json.loads((out / "Assignment_7_JaneDoe_k12345678.json").read_text())
    assert [c["points"] for c in data["checks"][:3]] == [8, 15, 20]
    # The evil answer was replaced by the real one: that grade is kept, marked, and waits again.
    calc = data["checks"][0]
    assert calc["review"]["stale"] and "answer changed since graded" in calc["message"]
    assert "1 written answer(s) wait for a TA" in again.stdout


CHROMIUM = chromium()


def test_feedback_pages_render_in_a_browser(moodle_reports, tmp_path):
    require()
    out, _ = moodle_reports

    def shown(page):
        res = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                              page.as_uri()], capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        return res.stdout

    dom = shown(out / "overview.html")
    assert 'id="distribution"' in dom and "data:image/png;base64," in dom
    assert "6 submissions" in dom and 'id="no-notebook"' in dom and "answers.pdf" in dom and "several-notebooks" in dom
    assert "1 participant(s) without a notebook" in dom
    assert "ANN_relu: activations" in dom     # a common failed check is listed
    max_page = next(p for p in (out / "feedback").glob("*.html") if "Max_Mustermann_5502" in p.name)
    dom = shown(max_page)
    assert "30 / 50" in dom and "log_softmax" in dom and "is not correct" in dom
    for secret in (*hidden_strings(), "answer_key", "a_ = true"):
        assert not contains(dom, secret), secret
    shot = tmp_path / "overview.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1100,900", (out / "overview.html").as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000


def test_verify_passes_and_catches_a_wrong_documented_score(tmp_path, data_home):
    assert run(["verify"], tmp_path, data_home).returncode == 0
    d = tmp_path / "assignment7"
    shutil.copytree(REF, d)
    shutil.copytree(SUBS, tmp_path / "submissions")
    exp = tmp_path / "submissions" / "expected_scores.toml"
    exp.write_text(exp.read_text().replace("auto_points = 30", "auto_points = 31"))
    (d / "spec.toml").write_text((d / "spec.toml").read_text().replace("../../submissions/", "../submissions/"))
    res = run(["verify", "--spec", str(d)], tmp_path, data_home)
    assert res.returncode == 1 and "auto 30 != 31" in res.stdout


def test_released_template_equals_the_shipped_one(spec):
    text, sums = release(spec)
    assert text == (REF / "template.ipynb").read_text(encoding="utf-8")
    assert sums == json.loads((REF / "locked_checksums.json").read_text())


def test_an_older_download_graded_after_a_newer_one_is_told(tmp_path, data_home):
    """A TA's review: grading last week's zip after today's quietly put the students' older
    notebooks back, and no line showed "Bob 46 -> 21"."""
    def download(name, src, when):
        z = tmp_path / name
        with zipfile.ZipFile(z, "w") as zf:
            info = zipfile.ZipInfo("Max Mustermann_5502_assignsubmission_file_/Assignment_7_MaxMustermann_k01234567.ipynb",
                                   date_time=when)
            zf.writestr(info, (SUBS / src).read_bytes())
        return z
    newer = download("new.zip", "Assignment_7_JaneDoe_k12345678.ipynb", (2024, 6, 10, 12, 0, 0))
    older = download("old.zip", "Assignment_7_MaxMustermann_k01234567.ipynb", (2024, 6, 3, 12, 0, 0))
    out = tmp_path / "reports"
    assert run(["grade", str(newer), "--out", str(out)], tmp_path, data_home).returncode == 0
    res = run(["grade", str(older), "--out", str(out)], tmp_path, data_home)      # refused: nothing graded
    said = " ".join(res.stdout.split())
    assert res.returncode == 1 and "1 notebook(s) here are older files than the ones graded before (Max " \
        "Mustermann): an older download? Nothing graded." in said and "--older" in said, said
    res = run(["grade", str(older), "--out", str(out), "--older"], tmp_path, data_home)
    said = " ".join(res.stdout.split())
    assert res.returncode == 0, said
    assert "30/50" in said and "(was 50: this file is older than the one graded before)" in said
    assert "1 notebook(s) graded now are older files than the ones graded before (an older download?): " \
           "Max Mustermann" in said
    key = json.loads(next(out.glob("Max*.json")).read_text())["key"]
    assert run(["override", key, "ANN_relu: builds", "0", "--reason", "copied", "--reports", str(out)], tmp_path,
               data_home).returncode == 0
    res = run(["grade", str(newer), "--out", str(out)], tmp_path, data_home)
    said = " ".join(res.stdout.split())
    assert "(was 30: the file changed)" in said and "older file" not in said
    assert "50/50 (49 with a TA's override)" in said, said        # what summary.csv says (a TA's review)


def test_a_renamed_notebook_outside_moodle_is_pointed_out_and_moved_with_its_grades(tmp_path, data_home):
    """A ninetieth review: John renamed `assignment7_john_smith.ipynb` as the grader told him, the
    new name became a second student with 3 answers to grade again, and the TA's grades stayed on
    the old one. `grader grade` now names the likely pair, and `grader move` carries them over."""
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SUBS / "assignment7_john_smith.ipynb", subs)
    out = tmp_path / "reports"
    assert run(["grade", str(subs), "--out", str(out)], tmp_path, data_home).returncode == 0
    gb = open_gradebook(out)
    old = next(iter(gb.fingerprints()))
    gb.set_grade(old, "calc_1_1", adjust=7, comment="good", ta="tina")
    gb.set_override(old, "code_3_2_models", "ANN_relu: activations", 1, "F.relu is fine", "tina")
    gb.close()
    (subs / "assignment7_john_smith.ipynb").rename(subs / "Assignment_7_JohnSmith_k12345679.ipynb")
    res = run(["grade", str(subs), "--out", str(out)], tmp_path, data_home)
    said = " ".join(res.stdout.split())
    new = "Assignment_7_JohnSmith_k12345679"
    assert res.returncode == 0 and f"{old} may be {new} now (a renamed file? the names are the student's to " \
        f"type: check it is the same student's): grader move {old} {new} carries" in said, said
    res = run(["move", old, new, "--reports", str(out), "--ta", "tina"], tmp_path, data_home)
    said = " ".join(res.stdout.split())
    assert res.returncode == 0 and f"{old} → {new}: 1 grade(s) (calc_1_1), 1 override(s) carried over by tina" in said
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8-sig"))))
    assert [r["file"] for r in rows] == [f"{new}.ipynb"]
    gb = open_gradebook(out)
    try:
        assert gb.grade(new, "calc_1_1").comment == "good" and gb.grade(old, "calc_1_1") is None
        assert (new, "code_3_2_models", "ANN_relu: activations") in gb.overrides(new)
        assert gb.changes()[0].action == "move" and gb.last_undoable("tina").action != "move"
    finally:
        gb.close()
    assert not (out / f"{old}.json").exists() and not (out / "feedback" / f"{old}.html").exists()


def test_a_renamed_notebook_is_paired_with_the_one_that_fits_best():
    """A hundred-and-fifty-first review: Bob renamed his notebook, and the renamed one fitted the
    old report in matriculation number, name and written answers; a classmate who shares his
    written answers fitted in one way, and the grader named no pair. The best fit is named; two
    that fit equally well name none."""
    from grader.cli.grade import renamed_pairs
    from grader.results import CheckResult, SubmissionResult

    def nb(key, name, matr, sha):
        answer = CheckResult("calc_1_1", "answer", 10, None, None, "", answer="x", manual_task=True, answer_sha=sha)
        return SubmissionResult(file=f"{key}.ipynb", name=name, matr_number=matr, key=key, checks=[answer])

    old = nb("Assignment_7_BobY_k22222222", "BobY", "k22222222", "same")
    renamed = nb("Assignment_7_BobY_k22222222_final", "BobY", "k22222222", "same")
    cara = nb("Assignment_7_CaraZ_k33333333", "CaraZ", "k33333333", "same")
    assert renamed_pairs([old], [cara, renamed]) == [(old.key, renamed.key)]
    assert renamed_pairs([old], [cara]) == [(old.key, cara.key)]             # the written answers alone
    twin = nb("Assignment_7_BobY_k22222222_v2", "BobY", "k22222222", "same")
    assert renamed_pairs([old], [cara, renamed, twin]) == []


def test_a_notebook_gone_from_its_participants_folder_no_longer_counts(tmp_path, data_home):
    """Review 481: José's folder held his notebook (30) and a wrong upload (50); the wrong upload removed in Moodle
    and the new download graded, the removed one kept counting and Moodle got 50, where a clean run of the same
    tree gives 30. A notebook no longer in its participant's folder is flagged `gone` and counts only where none of
    theirs is; back in the folder, it counts as before."""
    tree = tmp_path / "download"
    jose = tree / "José Da Silva_5502_assignsubmission_file_"
    jose.mkdir(parents=True)
    shutil.copy(SUBS / "Assignment_7_MaxMustermann_k01234567.ipynb", jose / "Assignment_7_JoseDaSilva_k01234567.ipynb")
    shutil.copy(SUBS / "Assignment_7_JaneDoe_k12345678.ipynb", jose / "wrong_upload.ipynb")
    other = tree / "Jane Doe_5501_assignsubmission_file_"
    other.mkdir()
    shutil.copy(SUBS / "Assignment_7_JaneDoe_k12345678.ipynb", other)
    out = tmp_path / "reports"
    args = ["grade", str(tree), "--out", str(out), "--draw-seed", str(DRAW_SEED)]

    def rows():
        return {r["file"].rsplit("/", 1)[-1]: r for r in csv.DictReader((out / "summary.csv").open())}
    first = run(args, tmp_path, data_home)
    assert first.returncode == 0, first.stdout + first.stderr
    assert rows()["wrong_upload.ipynb"]["counted"] == "True"
    (jose / "wrong_upload.ipynb").unlink()
    again = run(args, tmp_path, data_home)
    assert again.returncode == 0, again.stdout + again.stderr
    now = rows()
    assert (now["wrong_upload.ipynb"]["counted"], now["Assignment_7_JoseDaSilva_k01234567.ipynb"]["counted"]) == \
        ("False", "True")
    assert "gone" in now["wrong_upload.ipynb"]["flags"] and "gone" not in now["Assignment_7_JoseDaSilva_k01234567.ipynb"]["flags"]
    assert "counted Assignment_7_JoseDaSilva_k01234567.ipynb, the only one still in the latest download" in \
        " ".join(again.stdout.split())
    assert "gone" not in rows()["Assignment_7_JaneDoe_k12345678.ipynb"]["flags"]
    shutil.copy(SUBS / "Assignment_7_JaneDoe_k12345678.ipynb", jose / "wrong_upload.ipynb")    # back, unchanged
    back = run(args, tmp_path, data_home)
    assert back.returncode == 0 and "already graded and unchanged" in back.stdout
    assert rows()["wrong_upload.ipynb"]["counted"] == "True" and "gone" not in rows()["wrong_upload.ipynb"]["flags"]


def test_gone_is_one_decision_for_a_folder_emptied_renamed_or_graded_alone(tmp_path, data_home):
    """Review 484, of 481's fix: Lea's two notebooks removed and a PDF left counted both the no-notebook record and a
    gone notebook (Moodle got 0 from one command, another waited); the same file under another name (renamed in
    Moodle, or her folder graded on its own) was flagged gone and an ungraded copy counted; an older download graded
    again cleared the flag without a word."""
    tree = tmp_path / "download"
    lea = tree / "Lea Mueller_5505_assignsubmission_file_"
    lea.mkdir(parents=True)
    shutil.copy(SUBS / "Assignment_7_JaneDoe_k12345678.ipynb", lea / "Assignment_7_LeaMueller_k11111111.ipynb")
    shutil.copy(SUBS / "Assignment_7_MaxMustermann_k01234567.ipynb", lea / "Assignment_7_LeaMueller_draft.ipynb")
    out = tmp_path / "reports"
    args = ["grade", str(tree), "--out", str(out), "--draw-seed", str(DRAW_SEED)]

    def counted():
        return sorted((r["file"].rsplit("/", 1)[-1], r["flags"]) for r in csv.DictReader((out / "summary.csv").open())
                      if r["counted"] == "True")
    assert run(args, tmp_path, data_home).returncode == 0
    # renamed in Moodle: the same bytes under another name count as before, nothing gone
    (lea / "Assignment_7_LeaMueller_k11111111.ipynb").rename(lea / "Assignment_7_LeaMueller_final.ipynb")
    renamed = run(args, tmp_path, data_home)
    assert renamed.returncode == 0 and all("gone" not in f for _, f in counted()), (counted(), renamed.stdout)
    (lea / "Assignment_7_LeaMueller_final.ipynb").rename(lea / "Assignment_7_LeaMueller_k11111111.ipynb")
    assert run(args, tmp_path, data_home).returncode == 0
    # the final removed, her folder graded on its own: the draft is the same file as before, the final gone
    final = (lea / "Assignment_7_LeaMueller_k11111111.ipynb").read_bytes()
    (lea / "Assignment_7_LeaMueller_k11111111.ipynb").unlink()
    alone = run(["grade", str(lea), "--out", str(out), "--draw-seed", str(DRAW_SEED)], tmp_path, data_home)
    assert alone.returncode == 0
    assert [f for f, _ in counted()] == ["Assignment_7_LeaMueller_draft.ipynb"], counted()
    (lea / "Assignment_7_LeaMueller_k11111111.ipynb").write_bytes(final)
    # both removed, a PDF left: one record counts, the latest download's, and the notebooks say gone
    for nb in lea.glob("*.ipynb"):
        nb.unlink()
    (lea / "answers.pdf").write_bytes(b"%PDF-1.4")
    emptied = run(args, tmp_path, data_home)
    assert emptied.returncode == 0
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [r["status"] for r in rows if r["counted"] == "True"] == ["no notebook handed in"], rows
    assert all("gone" in r["flags"] for r in rows if r["status"] != "no notebook handed in" and
               r["file"].endswith("k11111111.ipynb")), rows
    # the older download again: back, counted, and said
    shutil.copy(SUBS / "Assignment_7_JaneDoe_k12345678.ipynb", lea / "Assignment_7_LeaMueller_k11111111.ipynb")
    (lea / "answers.pdf").unlink()
    again = run(args, tmp_path, data_home)
    assert again.returncode == 0 and "back in their participant's folder" in " ".join(again.stdout.split()), again.stdout
    assert [f for f, _ in counted()] == ["Assignment_7_LeaMueller_k11111111.ipynb"], counted()
