"""Manual grading with a CSV, as a TA's spreadsheet saves it: nothing typed is lost or silently
replaced (no engine: a small gradebook)."""
import csv
import io

import pytest

from grader import manual
from grader.gradebook.decisions import results as decided
from grader.manual import SheetRow, plan_merge, read_sheet
from grader.spec import load_spec

from .gradebook_helpers import filled

SPEC = load_spec()
MAXIMA = {"calc_1_1": 10.0, "calc_1_2": 15.0, "calc_2": 25.0}


@pytest.fixture
def book(tmp_path):
    reports = tmp_path / "reports"
    gb = filled(reports)
    yield reports, gb
    gb.close()


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def write_rows(path, rows, sep=",", encoding="utf-8"):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=sep, lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))   # as Excel saves: '?' for what cp1252 lacks


def test_excel_german_locale_sheet_is_read_as_saved(book):
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    rows = rows_of(path.read_text())
    anna = next(r for r in rows if r["report"] == "Anna_Huber_5500" and r["task"] == "calc_1_1")
    anna["points"], anna["comment"] = "7,5", "gut, aber knapp: Begründung fehlt"
    write_rows(path, rows, sep=";", encoding="cp1252")
    merged, blank, changed, *_ = manual.merge(path, reports, SPEC, ta="anna")
    assert (merged, changed) == (1, 1) and manual.merge(path, reports, SPEC, ta="anna").changed == 0 and gb.grade("Anna_Huber_5500", "calc_1_1").comment == "gut, aber knapp: Begründung fehlt"
    assert decided(gb)["Anna_Huber_5500"].task_points("calc_1_1") == 7.5


@pytest.mark.parametrize("text,message", [
    (b"", "sheet.csv is empty: fill in the 'points' column of the manual_grades.csv that `grader manual export` "
          "writes"),
    (b"report,task,points\r\n", "sheet.csv has a header but no rows: write the points into the manual_grades.csv "
                                "that `grader manual export` writes"),
    (b"Identifier;Full name;Grade\nParticipant 1;A;3\n",
     "sheet.csv is not a grading sheet of `grader manual export`: no 'report', 'task', 'points' column (found "
     "'identifier', 'full name', 'grade')"),
    (b"report,task,score\nAnna_Huber_5500,calc_1_1,3\n",
     "sheet.csv is not a grading sheet of `grader manual export`: no 'points' column (found 'report', 'task', "
     "'score')"),
])
def test_a_file_that_is_no_sheet_is_one_line(text, message):
    with pytest.raises(manual.SheetError) as err:
        read_sheet(text, "sheet.csv")
    assert str(err.value) == message


def row(line, report, task, points, comment="", version=""):
    return SheetRow(line, report, task, points, comment, version)


def test_two_rows_for_one_answer_must_agree(book):
    _, gb = book
    results = decided(gb)
    same = [row(2, "Anna_Huber_5500", "calc_1_1", "8"), row(3, "Anna_Huber_5500", "calc_1_1", "8,0")]
    plan = plan_merge(same, results, MAXIMA, gb.grades())
    assert not plan.problems and len(plan.updates) == 1
    other = [row(2, "Anna_Huber_5500", "calc_1_1", "8"), row(7, "Anna_Huber_5500", "calc_1_1", "9")]
    plan = plan_merge(other, results, MAXIMA, gb.grades())
    assert [str(p) for p in plan.problems] == ["line 7: calc_1_1 of 'Anna_Huber_5500' is also on line 2 with 8 "
                                               "points; keep one of the two rows"]
    comment = [row(2, "Anna_Huber_5500", "calc_1_1", "8", "good"), row(3, "Anna_Huber_5500", "calc_1_1", "8", "bad")]
    assert [str(p) for p in plan_merge(comment, results, MAXIMA, gb.grades()).problems] == [
        "line 3: calc_1_1 of 'Anna_Huber_5500' is also on line 2 with 8 points and another comment; keep one of "
        "the two rows"]


def test_a_grade_given_after_the_export_by_another_ta_is_not_replaced_unseen(book):
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    rows = rows_of(path.read_text())
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=9, ta="ben")          # in the browser, meanwhile
    for r in rows:
        if r["report"] == "Anna_Huber_5500" and r["task"] == "calc_1_1":
            r["points"] = "4"
    write_rows(path, rows)
    with pytest.raises(manual.MergeError) as err:
        manual.merge(path, reports, SPEC, ta="anna")
    assert str(err.value).startswith("line 2: calc_1_1 of 'Anna_Huber_5500' was graded by ben (9 points) after "
                                     "this sheet was exported; blank this row's points to keep that grade")
    assert gb.grade("Anna_Huber_5500", "calc_1_1").adjust == 9
    # A sixty-first review: the TA's own grade in the browser after the export is not replaced
    # unseen by their own older sheet either.
    with pytest.raises(manual.MergeError) as err:
        manual.merge(path, reports, SPEC, ta="ben")
    assert "was graded by ben (9 points) after this sheet was exported" in str(err.value)
    assert decided(gb)["Anna_Huber_5500"].task_points("calc_1_1") == 9


def test_a_comment_changed_after_the_export_is_neither_replaced_nor_in_the_way(book):
    """An eighty-first review: bert changed only a comment in the browser; carl's merge of another
    row put the sheet's old comment back, said "2 grade(s) changed", and no one was told."""
    reports, gb = book
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=8, comment="ok", ta="anna")
    path = manual.export(reports, SPEC)[-1]
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=8, comment="the contradiction needs x_4", ta="bert")
    rows = rows_of(path.read_text())
    other = next(r for r in rows if r["report"] != "Anna_Huber_5500" and r["answer_sha"] and not r["points"])
    other["points"] = "3"
    write_rows(path, rows)
    merged = manual.merge(path, reports, SPEC, ta="carl")
    assert (merged.changed, merged.kept_since) == (1, 1)
    assert gb.grade("Anna_Huber_5500", "calc_1_1").comment == "the contradiction needs x_4"
    assert decided(gb)[other["report"]].task_points(other["task"]) == 3
    # The row typed over (another comment) is a problem to solve, as other points are.
    for r in rows:
        if r["report"] == "Anna_Huber_5500" and r["task"] == "calc_1_1":
            r["comment"] = "ok, but short"
    write_rows(path, rows)
    with pytest.raises(manual.MergeError, match="calc_1_1 of 'Anna_Huber_5500' was graded by bert"):
        manual.merge(path, reports, SPEC, ta="carl")
    assert gb.grade("Anna_Huber_5500", "calc_1_1").comment == "the contradiction needs x_4"


def set_points(path, report, task, points):
    rows = rows_of(path.read_text())
    for r in rows:
        if r["report"] == report and r["task"] == task:
            r["points"] = points
    write_rows(path, rows)


def test_a_sheet_corrected_and_merged_again_by_its_ta_replaces_only_their_own_merge(book):
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    set_points(path, "Anna_Huber_5500", "calc_1_1", "5")
    manual.merge(path, reports, SPEC, ta="anna")
    set_points(path, "Anna_Huber_5500", "calc_1_1", "6")         # a typo put right in the same sheet
    manual.merge(path, reports, SPEC, ta="anna")
    assert decided(gb)["Anna_Huber_5500"].task_points("calc_1_1") == 6
    set_points(path, "Anna_Huber_5500", "calc_1_1", "7")
    with pytest.raises(manual.MergeError):                       # anna's merges are not ben's to redo
        manual.merge(path, reports, SPEC, ta="ben")
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=8, ta="anna")     # then anna in the browser
    with pytest.raises(manual.MergeError):
        manual.merge(path, reports, SPEC, ta="anna")
    assert decided(gb)["Anna_Huber_5500"].task_points("calc_1_1") == 8
    assert gb.grade_changes_since("Anna_Huber_5500", "calc_1_1", 0) == [("anna", "merge"), ("anna", "merge"),
                                                                        ("anna", "grade")]


def test_export_never_overwrites_a_sheet_holding_grades_not_merged_yet(book):
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    rows = rows_of(path.read_text())
    rows[1]["points"], rows[1]["comment"] = "5", "typed, not merged"
    write_rows(path, rows)
    kept = path.read_bytes()
    with pytest.raises(manual.MergeError) as err:
        manual.export(reports, SPEC)
    assert f"{path} holds grades not merged yet (line(s) 3): it is kept. Merge it first (grader manual merge " \
           f"{path} --reports {reports})" in str(err.value)
    assert path.read_bytes() == kept
    manual.merge(path, reports, SPEC, ta="anna")
    again = manual.export(reports, SPEC)[-1]              # everything is in the gradebook now: rewritten
    fresh = rows_of(again.read_text())
    assert fresh[1]["points"] == "5" and fresh[1]["comment"] == "typed, not merged"


def test_an_answer_that_changed_since_it_was_graded_comes_back_blank(book):
    from .gradebook_helpers import result
    reports, gb = book
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=9, ta="ben")
    gb.store_result(result(0, "a new answer after a resubmission"))
    rows = rows_of(manual.export(reports, SPEC)[-1].read_text())
    anna = next(r for r in rows if r["report"] == "Anna_Huber_5500" and r["task"] == "calc_1_1")
    assert anna["points"] == ""                           # merging the sheet as it is confirms nothing
    page = (reports / "manual" / "calc_1_1.html").read_text()
    assert "answer changed since it was graded (9 points" in page


def test_the_sheet_names_the_student_and_the_real_command(book, tmp_path):
    reports, gb = book
    r = gb.automatic(["Ben_Gruber_5501"])["Ben_Gruber_5501"]
    r.name, r.matr_number, r.file = "", "", "assignment7_ben.ipynb"        # a file name that gives nothing
    gb.store_result(r)
    manual.export(reports, SPEC)
    page = (reports / "manual" / "calc_1_1.html").read_text()
    assert "<h3>Ben Gruber (participant 5501) — assignment7_ben.ipynb</h3>" in page
    assert f"grader manual merge {reports / 'manual' / 'manual_grades.csv'} --reports {reports}" in page
    assert "? (?)" not in page


def _anna(rows, task="calc_1_1"):
    return next(r for r in rows if r["report"] == "Anna_Huber_5500" and r["task"] == task)


def test_points_typed_for_an_answer_a_resubmission_replaced_stay_with_the_text_read(book):
    """Export, a regrade stores Anna's resubmission, the TA merges the sheet filled from the old
    text: the points are kept for the text read, the new text waits for a TA."""
    from .gradebook_helpers import result
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    rows = rows_of(path.read_text())
    _anna(rows)["points"] = "10"
    write_rows(path, rows)
    gb.store_result(result(0, "I do not know."))           # the regrade, before the merge
    merged = manual.merge(path, reports, SPEC, ta="anna")
    assert (merged.merged, merged.changed, merged.outdated) == (1, 1, 1)
    check = next(c for c in decided(gb)["Anna_Huber_5500"].checks if c.task == "calc_1_1")
    assert check.points == 10 and check.review.stale         # "answer changed since graded", kept
    again = rows_of(manual.export(reports, SPEC)[-1].read_text())
    assert _anna(again)["points"] == ""                       # the new text is back in the queue
    assert manual.merge(path, reports, SPEC, ta="anna").changed == 0   # merging twice changes nothing


def test_a_sheet_row_for_an_unanswered_task_does_not_grade_an_answer_handed_in_since(book):
    from .gradebook_helpers import result
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    rows = rows_of(path.read_text())
    assert _anna(rows, "calc_2")["points"] == "0" and _anna(rows, "calc_2")["answer_sha"] == "none"
    gb.store_result(result(0, "answer", calc_2="now answered"))
    merged = manual.merge(path, reports, SPEC, ta="anna")
    assert merged.outdated == 1 and gb.grade("Anna_Huber_5500", "calc_2") is None
    check = next(c for c in decided(gb)["Anna_Huber_5500"].checks if c.task == "calc_2")
    assert check.points is None and check.answer == "now answered"


def test_a_sheets_old_view_never_replaces_a_grade_given_to_the_new_text(book):
    from .gradebook_helpers import result
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    rows = rows_of(path.read_text())
    _anna(rows)["points"] = "10"
    write_rows(path, rows)
    gb.store_result(result(0, "I do not know."))
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=1, ta="anna")      # the new text, in the browser
    merged = manual.merge(path, reports, SPEC, ta="anna")
    assert (merged.outdated, merged.graded_since) == (0, 1)        # nothing waits: said so (a sixty-first review)
    assert gb.changes(1)[0].action != "merge"                       # and no change of nothing is recorded
    grade = gb.grade("Anna_Huber_5500", "calc_1_1")
    assert grade.adjust == 1 and decided(gb)["Anna_Huber_5500"].task_points("calc_1_1") == 1


def test_an_edited_answer_sha_is_named(book):
    reports, _ = book
    path = manual.export(reports, SPEC)[-1]
    rows = rows_of(path.read_text())
    _anna(rows)["points"], _anna(rows)["answer_sha"] = "3", "abc"
    write_rows(path, rows)
    with pytest.raises(manual.MergeError) as err:
        manual.merge(path, reports, SPEC, ta="anna")
    assert str(err.value) == "line 2: the answer_sha column was changed; keep it as exported (or blank it)"


def test_the_sheet_has_each_answers_text_beside_its_points(book):
    """A TA's review: manual_grades.csv had no answer text, so the HTML page had to be open beside."""
    from .gradebook_helpers import PROOF
    reports, _ = book
    rows = rows_of(manual.export(reports, SPEC)[-1].read_text(encoding="utf-8"))
    anna = next(r for r in rows if r["report"] == "Anna_Huber_5500" and r["task"] == "calc_1_1")
    assert anna["answer"] == PROOF
    unanswered = next(r for r in rows if r["answer_sha"] == "none")
    assert unanswered["answer"] == ""


def test_an_unreadable_notebooks_rows_say_so_not_unanswered(tmp_path):
    from .gradebook_helpers import result
    bad = result(0, None, calc_1_2=None)
    bad.status = "unreadable: the file is empty"
    reports = tmp_path / "reports"
    filled(reports, [bad, result(1, None)]).close()
    rows = rows_of(manual.export(reports, SPEC)[-1].read_text(encoding="utf-8"))
    mine = [r for r in rows if r["report"] == bad.key]
    assert mine and all(r["comment"] == "not graded: unreadable: the file is empty" for r in mine)
    assert all(r["comment"] == "unanswered" for r in rows if r["report"] != bad.key and r["answer_sha"] == "none")


def test_after_a_resubmission_a_stale_sheet_never_replaces_another_tas_later_grade_of_the_old_text(book):
    """A sixty-seventh review: bob graded the old text after the export, the student handed in again,
    and the stale sheet's row for the old text replaced bob's grade without a word."""
    from .gradebook_helpers import result
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    set_points(path, "Anna_Huber_5500", "calc_1_1", "4")
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=9, ta="bob")          # after the export
    gb.store_result(result(0, "a resubmitted answer"))                       # then a regrade
    with pytest.raises(manual.MergeError) as err:
        manual.merge(path, reports, SPEC, ta="anna")
    assert "calc_1_1 of 'Anna_Huber_5500' was graded by bob (9 points) after this sheet was exported" in str(err.value)
    assert gb.grade("Anna_Huber_5500", "calc_1_1").adjust == 9


def test_export_tells_points_a_later_grade_replaced_from_points_not_merged(book):
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    set_points(path, "Anna_Huber_5500", "calc_1_1", "4")
    manual.merge(path, reports, SPEC, ta="anna")
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=9, ta="bob")          # bob, after anna's merge
    with pytest.raises(manual.MergeError) as err:
        manual.export(reports, SPEC)
    said = str(err.value)
    assert "is older than grades given since (line(s) 2 hold points that a later grade replaced)" in said, said
    assert "not merged yet" not in said                       # "merge it first" would put 4 back over bob's 9


def test_a_comment_without_points_is_said_and_keeps_the_sheet(book, capsys):
    reports, gb = book
    path = manual.export(reports, SPEC)[-1]
    rows = rows_of(path.read_text())
    _anna(rows)["points"], _anna(rows)["comment"] = "", "ask her about the sign"
    write_rows(path, rows)
    merged = manual.merge(path, reports, SPEC, ta="anna")
    assert merged.comment_only == (2,)
    with pytest.raises(manual.MergeError) as err:              # the note is not lost with a fresh export
        manual.export(reports, SPEC)
    assert "holds grades not merged yet (line(s) 2)" in str(err.value)


def test_a_changed_answer_comes_back_without_the_old_comment_and_without_final_written_points(book):
    from .gradebook_helpers import result
    reports, gb = book
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=9, comment="bob: nice", ta="bob")
    gb.store_result(result(0, "a resubmitted answer"))
    row = _anna(rows_of(manual.export(reports, SPEC)[-1].read_text()))
    assert (row["points"], row["comment"]) == ("", "")
    r = decided(gb)["Anna_Huber_5500"]
    assert r.pending >= 1 and r.manual_points is None and r.total_points >= 9   # kept in the total so far


def test_a_rubric_item_edited_after_the_export_leaves_the_sheet_as_exported_and_the_new_points(book):
    """A ninetieth review: an item edited from +15 to +14 in the browser after the export changed
    the grade's points without a new version of it, and the sheet's row, as exported, was taken for
    points typed in: export refused to write a new sheet, and merging (as it told) put 15 back, as
    +14 and an adjustment of +1, for one of the two students who had that item."""
    reports, gb = book
    item = gb.add_item("calc_1_2", 15, "complete", "", "tina")
    for key in ("Anna_Huber_5500", "Ben_Gruber_5501"):
        gb.set_grade(key, "calc_1_2", items=[item.id], ta="tina")
    path = manual.export(reports, SPEC)[-1]
    gb.update_item(item.id, "tina", points=14)
    set_points(path, "Clara_Bauer_5502", "calc_1_2", "9")         # one row typed in
    merged = manual.merge(path, reports, SPEC, ta="tina")
    assert (merged.changed, merged.kept_since) == (1, 2)
    results = decided(gb)
    assert [results[k].task_points("calc_1_2") for k in ("Anna_Huber_5500", "Ben_Gruber_5501", "Clara_Bauer_5502")] \
        == [14, 14, 9]
    assert gb.grade("Anna_Huber_5500", "calc_1_2").adjust == 0
    manual.export(reports, SPEC)                               # nothing left to merge: written anew
    # Points typed over such a row are still the TA's to merge.
    path2 = manual.export(reports, SPEC)[-1]
    gb.update_item(item.id, "tina", points=13)
    set_points(path2, "Anna_Huber_5500", "calc_1_2", "12")
    manual.merge(path2, reports, SPEC, ta="tina")
    assert decided(gb)["Anna_Huber_5500"].task_points("calc_1_2") == 12


def test_the_sheets_and_the_overview_name_the_report_folder_to_serve(book):
    """A ninetieth review: "grade them with `grader serve`" opened the default reports/, not the
    folder the sheet came from."""
    reports, gb = book
    sheets = manual.export(reports, SPEC)
    from grader.gradebook.outputs import write_reports
    write_reports(gb, reports, SPEC)
    command = f"grader serve --reports {reports.absolute()}"
    assert command in sheets[0].read_text() and command in (reports / "overview.html").read_text()


def test_keys_a_spreadsheet_rewrites_as_numbers_or_truth_values_still_merge(tmp_path):
    """Review 464: a notebook graded outside Moodle's folders is keyed by its file's name, which the student chose;
    a spreadsheet reads `1E5`, `true` or `0012` as a number or a truth value and saves `1.00E+05`, `TRUE`, `12`, and
    the merge, which is all or nothing, refused the whole sheet for that row."""
    from .gradebook_helpers import result
    reports = tmp_path / "reports"
    people = []
    for i, key in enumerate(("1E5", "true", "0012", "Anna_Huber_5500")):
        r = result(i, "an answer")
        r.key, r.participant_id, r.participant, r.file = key, "", "", f"{key}.ipynb"
        r.path = r.file
        people.append(r)
    gb = filled(reports, people)
    try:
        path = manual.export(reports, SPEC)[-1]
        rows = rows_of(path.read_text())
        saved = {"1E5": "1.00E+05", "true": "TRUE", "0012": "12"}
        for r in rows:
            if r["task"] == "calc_1_1":
                r["points"] = "4"
            r["report"] = saved.get(r["report"], r["report"])
        write_rows(path, rows)
        merged = manual.merge(path, reports, SPEC, ta="anna")
        assert merged.changed == 4
        assert {k: r.task_points("calc_1_1") for k, r in decided(gb).items()} == {
            "1E5": 4, "true": 4, "0012": 4, "Anna_Huber_5500": 4}
    finally:
        gb.close()
