"""Moodle in and out, and the manual-grading CSV, through their public functions only (fast: no
engine, no grading run): the best of several notebooks goes back, the name fallback finds a row
without a participant id, every other cell of the worksheet stays byte for byte, the zip never
writes outside its folder, and a rejected merge writes nothing."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from grader import manual, moodle, worksheet
from grader.results import CheckResult, SubmissionResult
from grader.spec import load_spec

from .gradebook_helpers import filled, result

SPEC = load_spec()


def graded(auto: float, *, pid: str = "", participant: str = "", name: str = "", file: str = "nb.ipynb",
           manual_points: float | None = 0.0, status: str = "graded", filename_ok: bool = True) -> SubmissionResult:
    r = SubmissionResult(file=file, name=name, participant=participant, participant_id=pid, status=status,
                         filename_ok=filename_ok)
    r.checks.append(CheckResult("code_3_1", "imports executes", 50.0, auto, auto >= 50, "runs"))
    r.checks.append(CheckResult("calc_1_1", "answer", 50.0, manual_points, None, "answer", manual_task=True))
    return r


SHEET = ("\ufeffIdentifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
         "Last modified (submission),Feedback comments\n"
         "Participant 5501,Jane Doe,jane@uni.example,Submitted,,100.00,Yes,\"Monday, 3 June 2024, 10:00 AM\",\n"
         "Participant 5502,Max Mustermann,max@uni.example,Submitted,,100.00,Yes,-,old comment\n"
         "Participant 5503,Lea Müller,lea@uni.example,Submitted,,100.00,Yes,-,\n"
         "Participant 5999,Nobody Here,no@uni.example,No submission,,100.00,Yes,-,\n")


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_best_of_several_notebooks_goes_back_and_is_named():
    results = [graded(20, pid="5501", file="first.ipynb"), graded(45, pid="5501", file="best.ipynb"),
               graded(30, pid="5501", file="last.ipynb")]
    text, notes = moodle.fill_worksheet(SHEET, results)
    assert rows(text)[1][4] == "45"
    assert any("Participant 5501" in n and "3 notebooks; counted best.ipynb" in n for n in notes), notes


def test_the_name_fallback_finds_a_row_without_a_participant_id():
    # Notebooks outside Moodle's folders (no participant id): their file names' name part finds the row.
    text, notes = moodle.fill_worksheet(SHEET, [graded(40, name="MaxMustermann", file="max.ipynb"),
                                                graded(12, name="LeaMüller", file="lea.ipynb")])
    out = rows(text)
    assert out[2][4] == "40" and out[3][4] == "12"
    assert not any("5502" in n or "5503" in n for n in notes)


def test_an_id_match_wins_over_a_name_match():
    text, notes = moodle.fill_worksheet(SHEET, [graded(10, pid="5502", participant="Max Mustermann"),
                                                graded(49, name="MaxMustermann", file="max.ipynb")])
    assert rows(text)[2][4] == "10"
    assert any("not in the worksheet" in n for n in notes)        # the other one is reported, not filled
    # An id whose submissions name another person is a conflict: that row is left as it was.
    text, notes = moodle.fill_worksheet(SHEET, [graded(10, pid="5502", participant="Someone Else")])
    assert rows(text)[2][4] == "" and any("'Someone Else', not filled" in n for n in notes)


def test_untouched_rows_and_columns_stay_byte_for_byte():
    text, notes = moodle.fill_worksheet(SHEET, [graded(50, pid="5501", manual_points=None)])
    assert text.startswith("\ufeff")
    before, after = SHEET.splitlines(), text.splitlines()
    assert after[0] == before[0] and after[2:] == before[2:]          # header, unmatched rows: as they were
    row = rows(text)[1]
    assert row[:4] == rows(SHEET)[1][:4] and row[5:8] == rows(SHEET)[1][5:8]
    assert row[4] == "50"
    assert row[8] == "Automatic checks: 50/50. Written answers: 0/50 so far, the rest not graded yet."
    assert notes == ["Participant 5502 (Max Mustermann): Submitted: no graded notebook",
                     "Participant 5503 (Lea Müller): Submitted: no graded notebook",
                     "Participant 5999 (Nobody Here): No submission: no graded notebook"]


def test_a_worksheet_without_bom_or_comments_column_is_filled_as_it_is():
    sheet = "Identifier,Grade\nParticipant 7,\nParticipant 8\n"
    text, notes = moodle.fill_worksheet(sheet, [graded(30, pid="7"), graded(20, pid="8")])
    assert text == "Identifier,Grade\nParticipant 7,30\nParticipant 8,20\n"


def test_not_a_worksheet_is_refused():
    with pytest.raises(ValueError, match="empty"):
        moodle.fill_worksheet("", [])
    with pytest.raises(ValueError, match=r"no 'Grade' column \(found 'Identifier', 'Name'\)"):
        moodle.fill_worksheet("Identifier,Name\n1,x\n", [])


def test_feedback_comments_say_what_failed_and_are_neutralised():
    r = graded(0, pid="5501", filename_ok=False)
    r.checks += [CheckResult("code_3_2_models", f"check {i}", 1.0, 0.0, False, "x") for i in range(7)]
    text = worksheet.feedback_comment(r)
    assert text == ("Automatic checks: 0/57. Written answers: 0/50. Failed: code_3_1: imports executes; "
                    "code_3_2_models: check 0, check 1, check 2, check 3, check 4 and 2 more. Filename does not follow "
                    "the naming rules.")
    r.status = "unreadable: empty file"          # nothing was checked: the reason, not every check
    assert worksheet.feedback_comment(r) == ("Automatic checks: 0/57. Written answers: 0/50. Filename does not "
                                             "follow the naming rules. Problem: unreadable: empty file.")
    from grader.results import Review                                # an override says why (a TA's review)
    r.status = "graded"
    r.checks[1] = CheckResult("code_3_2_models", "check 0", 1.0, 1.0, True, "x",
                              review=Review(ta="tessa", at="2026-12-01", auto_points=0.0, reason="tanh\naccepted"))
    assert "Changed by a TA: code_3_2_models: check 0 from 0 to 1 (tanh accepted)." in worksheet.feedback_comment(r)
    r = graded(-5, pid="5501")                                        # a penalty: the comment starts with '-'?
    out, _ = moodle.fill_worksheet(SHEET, [r])
    assert not rows(out)[1][8].startswith(("=", "+", "-", "@"))


def test_the_tas_comments_on_written_answers_reach_moodles_comment_column():
    """A TA's review: a student who reads only Moodle saw "Written answers: 31/50" and none of the
    comments the TA had typed."""
    from grader.results import Review, RubricMark
    r = graded(50, pid="5501", manual_points=31.0)
    r.checks[1].points = 31.0
    r.checks[1].review = Review(ta="tessa", at="2026-12-01", comment="Good intuition,\nbut <b>no</b> derivation",
                                items=[RubricMark("chain rule missing", -15.0), RubricMark("units", 2.0)])
    text = worksheet.feedback_comment(r)
    assert "TA on calc_1_1 (31/50): chain rule missing; Good intuition, but &lt;b&gt;no&lt;/b&gt; derivation." in text
    assert "units" not in text                      # a positive item with no words for the student
    r.checks[1].review = Review(ta="tessa", at="2026-12-01", comment="x" * 1000)
    assert "x" * 299 + "…" in worksheet.feedback_comment(r) and "x" * 300 not in worksheet.feedback_comment(r)
    # Inline math as the TA typed it reaches Moodle's MathJax filter, which reads \( \) but not $ (a
    # TA's review: the raw TeX showed); money, display math and an escaped $ stay as they are.
    r.checks[1].review = Review(ta="tessa", at="2026-12-01",
                                comment="use $\\sigma'(z) = \\sigma(z)(1-\\sigma(z))$ here; $$\\frac{a}{b}$$ costs $20 "
                                        "and $30, not \\$x$")
    assert ("TA on calc_1_1 (31/50): use \\(\\sigma'(z) = \\sigma(z)(1-\\sigma(z))\\) here; $$\\frac{a}{b}$$ costs "
            "$20 and $30, not \\$x$.") in worksheet.feedback_comment(r)
    r.checks[1].review = Review(ta="tessa", at="2026-12-01")
    assert "TA on" not in worksheet.feedback_comment(r)
    out, _ = moodle.fill_worksheet(SHEET, [graded(50, pid="5501")])
    assert "TA on" not in rows(out)[1][8]


def test_moodle_folders_give_participant_id_and_name(tmp_path):
    root = tmp_path / "dl"
    a = root / "Jane Doe_5501_assignsubmission_file_"
    (a / "sub").mkdir(parents=True)
    (a / "sub" / "b.ipynb").write_text("{}")
    (a / "a.ipynb").write_text("{}")
    (a / ".ipynb_checkpoints").mkdir()
    (a / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{}")
    (root / "Eva Lu_5504_assignsubmission_file_").mkdir()
    (root / "not a participant").mkdir()
    found = moodle.participants(root)
    assert [(p.id, p.name, [n.name for n in p.notebooks]) for p in found] == [
        ("5504", "Eva Lu", []), ("5501", "Jane Doe", ["a.ipynb", "b.ipynb"])]      # checkpoints are no notebooks
    assert moodle.participant_of(a / "sub" / "b.ipynb", root) == ("5501", "Jane Doe")
    assert moodle.participant_of(root / "x.ipynb", root) is None
    feedback = root / "Max Muster_77_assignfeedback_file_" / "x.ipynb"
    assert moodle.participant_of(feedback, root) == ("77", "Max Muster")


def test_unpack_keeps_everything_inside_its_folder(tmp_path):
    z = tmp_path / "moodle.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("Jane Doe_5501_assignsubmission_file_/a.ipynb", "{}")
        zf.writestr("Jane Doe_5501_assignsubmission_file_/", "")
        zf.writestr("../outside.txt", "x")
    dest = tmp_path / "unpacked"
    assert moodle.unpack(z, dest) == dest
    assert (dest / "Jane Doe_5501_assignsubmission_file_" / "a.ipynb").read_text() == "{}"
    assert not (tmp_path / "outside.txt").exists()


def test_unpack_refuses_a_sibling_folder_that_shares_the_prefix(tmp_path):
    z = tmp_path / "moodle.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../out-evil/planted.py", "print('pwned')")
    moodle.unpack(z, tmp_path / "out")
    assert not (tmp_path / "out-evil" / "planted.py").exists()


def test_unpack_refuses_a_zip_that_unpacks_too_large(tmp_path, monkeypatch):
    z = tmp_path / "moodle.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", "x" * 100)
        zf.writestr("b.txt", "x" * 100)
    monkeypatch.setattr(moodle, "MAX_UNZIPPED", 150)
    with pytest.raises(ValueError, match="more than 4 GB"):
        moodle.unpack(z, tmp_path / "out")
    monkeypatch.setattr(moodle, "MAX_UNZIPPED", 200)
    moodle.unpack(z, tmp_path / "ok")
    assert (tmp_path / "ok" / "b.txt").exists()


# ------------------------------------------------------------------------------------ manual merge

@pytest.fixture
def reports(tmp_path):
    out = tmp_path / "reports"
    filled(out, [result(0, "w = 1"), result(1, "w = 2", calc_1_2=None)]).close()
    return out


def sheet(reports: Path, edit) -> Path:
    manual.export(reports, SPEC)
    path = reports / "manual" / "manual_grades.csv"
    data = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in data:
        edit(r)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]))
        w.writeheader()
        w.writerows(data)
    return path


def state(reports: Path) -> tuple:
    files = {p.relative_to(reports): p.read_bytes() for p in sorted(reports.rglob("*"))
             if p.is_file() and "manual" not in p.parts and not p.name.startswith("gradebook.sqlite")}
    from grader.gradebook import open_gradebook
    gb = open_gradebook(reports)
    try:
        return files, gb.head(), sorted(gb.grades().items())
    finally:
        gb.close()


def fill(points: dict[tuple[str, str], str]):
    def edit(r):
        r["points"] = points.get((r["report"], r["task"]), r["points"])
    return edit


ANNA, BEN = "Anna_Huber_5500", "Ben_Gruber_5501"


@pytest.mark.parametrize("bad,problem", [
    ({(ANNA, "calc_1_1"): "11"}, "11 points for calc_1_1 is outside 0..10"),
    ({(ANNA, "calc_1_1"): "-1"}, "-1 points for calc_1_1 is outside 0..10"),
    ({(ANNA, "calc_1_1"): "ten"}, "points 'ten' is not a number"),
    ({(BEN, "calc_1_2"): "3"}, "calc_1_2 of 'Ben_Gruber_5501' was not answered"),
])
def test_a_rejected_merge_writes_nothing(reports, bad, problem):
    good = {(ANNA, "calc_1_1"): "7", (BEN, "calc_1_1"): "3"}
    path = sheet(reports, fill({**good, **bad}))
    before = state(reports)
    with pytest.raises(manual.MergeError, match=problem):
        manual.merge(path, reports, SPEC, ta="ta1")
    assert state(reports) == before


def test_a_merge_stores_every_row_as_a_grade(reports):
    path = sheet(reports, fill({(ANNA, "calc_1_1"): "7,5", (BEN, "calc_1_1"): "10"}))
    merged, blank, changed, *_ = manual.merge(path, reports, SPEC, ta="ta1")
    assert (merged, blank, changed) == (2, 1, 2)                        # Anna's calc_1_2 is left blank
    rows_ = {r["file"]: r for r in csv.DictReader((reports / "summary.csv").open(encoding="utf-8"))}
    anna = next(r for f, r in rows_.items() if "AnnaHuber" in f)
    ben = next(r for f, r in rows_.items() if "BenGruber" in f)
    assert float(anna["calc_1_1"]) == 7.5 and anna["calc_1_2"] == "" and float(ben["calc_1_1"]) == 10
    assert float(ben["calc_1_2"]) == 0                      # unanswered: 0 before and after


def test_rows_for_unknown_reports_or_tasks_are_problems(reports):
    def edit(r):
        if r["report"] == ANNA and r["task"] == "calc_1_1":
            r["report"], r["points"] = "Nobody_1", "3"
        if r["report"] == BEN and r["task"] == "calc_1_1":
            r["task"], r["points"] = "code_3_1", "3"
    path = sheet(reports, edit)
    with pytest.raises(manual.MergeError) as exc:
        manual.merge(path, reports, SPEC, ta="ta1")
    assert "no report 'Nobody_1'" in str(exc.value) and "'code_3_1' is not a manually graded task" in str(exc.value)


def test_the_ta_of_a_merge_is_named(monkeypatch):
    monkeypatch.setenv("GRADER_TA", "ta-from-env")
    assert manual.who() == "ta-from-env"


# ------------------------------------------------------------------------- export keeps a TA's sheet

def test_an_export_keeps_a_sheet_with_grades_not_merged_yet(reports):
    path = sheet(reports, fill({(ANNA, "calc_1_1"): "7"}))
    line = next(i for i, r in enumerate(csv.DictReader(path.open(encoding="utf-8")), start=2)
                if r["report"] == ANNA and r["task"] == "calc_1_1")
    before = path.read_bytes()
    with pytest.raises(manual.MergeError) as exc:
        manual.export(reports, SPEC)
    assert str(exc.value) == (f"{path} holds grades not merged yet (line(s) {line}): it is kept. Merge it first "
                              f"({manual.merge_command(path, reports)}), or move it away to export a fresh one; "
                              f"the HTML sheets were written")
    assert path.read_bytes() == before
    manual.merge(path, reports, SPEC, ta="ta1")
    manual.export(reports, SPEC)                       # merged: nothing of the TA's is lost any more
    rows = {(r["report"], r["task"]): r for r in csv.DictReader(path.open(encoding="utf-8"))}
    assert float(rows[(ANNA, "calc_1_1")]["points"]) == 7


def test_a_sheet_with_many_pending_lines_names_eight_and_an_unreadable_one_is_kept(reports):
    path = sheet(reports, lambda r: None)
    with path.open("a", encoding="utf-8") as fh:
        for i in range(10):
            fh.write(f"Nobody_{i},x,Nobody,Nobody,calc_1_1,10,3,,0\n")
    with pytest.raises(manual.MergeError) as exc:
        manual.export(reports, SPEC)
    first = len(path.read_text(encoding="utf-8").splitlines()) - 9
    assert f"(line(s) {', '.join(str(n) for n in range(first, first + 8))} ...)" in str(exc.value)
    path.unlink()
    path.mkdir()                                        # a folder in its place cannot be read
    with pytest.raises(manual.MergeError) as exc:
        manual.export(reports, SPEC)
    assert str(exc.value) == (f"{path} cannot be read (Is a directory); it is kept: move it away to export a "
                              f"fresh one")


def test_a_merge_records_the_ta_the_comment_and_keeps_rubric_items(reports):
    from grader.gradebook import open_gradebook
    gb = open_gradebook(reports)
    item = gb.add_item("calc_1_1", 4.0, "right formula", "", ta="ta2")
    gb.set_grade(ANNA, "calc_1_1", items=[item.id], comment="", ta="ta2")
    gb.close()
    path = sheet(reports, lambda r: r.update(points="7", comment="see the sign")
                 if (r["report"], r["task"]) == (ANNA, "calc_1_1") else None)
    assert manual.merge(path, reports, SPEC, ta="ta1") == (1, 2, 1, 0, 0, (), 0)
    gb = open_gradebook(reports)
    try:
        g = gb.grade(ANNA, "calc_1_1")
        assert (g.items, g.adjust, g.comment, g.ta) == ((item.id,), 3.0, "see the sign", "ta1")
        last = gb.changes(limit=1)[0]
        assert (last.ta, last.action, last.summary) == ("ta1", "merge", "grades merged from manual_grades.csv")
    finally:
        gb.close()


def test_unpack_reads_utf8_names_that_a_zip_does_not_flag(tmp_path):
    """A new TA's review: Linux `zip` writes 'Lea Müller' in UTF-8 without the UTF-8 flag; read
    as CP437 it became 'Lea M├╝ller', and her row of the Moodle worksheet was left blank."""
    z = tmp_path / "moodle.zip"
    with zipfile.ZipFile(z, "w") as zf:               # ASCII stand-ins: no flag is set
        zf.writestr("Lea MQQller_5505_assignsubmission_file_/a.ipynb", "{}")
        zf.writestr("Jo Box_5506_assignsubmission_file_/QZQ.txt", "x")     # a DOS name in CP437
    z.write_bytes(z.read_bytes().replace(b"Lea MQQller", "Lea Müller".encode("utf-8")).replace(b"QZQ", b"\x8eZ\x8e"))
    dest = moodle.unpack(z, tmp_path / "out")
    assert (dest / "Lea Müller_5505_assignsubmission_file_" / "a.ipynb").exists()
    assert [(p.id, p.name) for p in moodle.participants(dest) if p.id == "5505"] == [("5505", "Lea Müller")]
    assert (dest / "Jo Box_5506_assignsubmission_file_" / "ÄZÄ.txt").exists()
