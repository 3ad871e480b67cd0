"""The manual-grading sheet read and a merge decided, as pure functions over made-up rows and
results (fast: no files, no grading): every refusal with its line and its exact words, and what
a merge would change."""
from __future__ import annotations

import pytest

from grader.gradebook.models import Grade
from grader.manual import MergePlan, Problem, SheetError, SheetRow, Update, plan_merge, points_of, read_sheet
from grader.results import CheckResult, Review, SubmissionResult

HEADER = "report,task,points,comment,version\n"


# ------------------------------------------------------------------------------------ read_sheet

def test_rows_are_numbered_as_a_spreadsheet_numbers_them():
    data = (HEADER + "A,calc_1_1,8,good,3\n\n"
            'B,calc_1_2,"7,5","two\nlines",\n').encode()
    assert read_sheet(data) == [SheetRow(2, "A", "calc_1_1", "8", "good", "3"),
                                SheetRow(4, "B", "calc_1_2", "7,5", "two\nlines", "")]


def test_any_column_order_a_bom_semicolons_and_spreadsheet_quotes():
    data = "\ufeffComment;Points;Task;Report\n'=1+1; 5 ;calc_2 ; A \n".encode("utf-8")
    assert read_sheet(data) == [SheetRow(2, "A", "calc_2", "5", "=1+1", "")]


def test_a_short_row_reads_its_missing_fields_as_empty():
    assert read_sheet((HEADER + "A,calc_1_1\n").encode()) == [SheetRow(2, "A", "calc_1_1", "", "", "")]


@pytest.mark.parametrize("data,message", [
    (b"", "grades.csv is empty: fill in the 'points' column of the manual_grades.csv that "
          "`grader manual export` writes"),
    (b"\n ,\n", "grades.csv is empty: fill in the 'points' column of the manual_grades.csv that "
                "`grader manual export` writes"),
    (HEADER.encode(), "grades.csv has a header but no rows: write the points into the manual_grades.csv "
                      "that `grader manual export` writes"),
    (b"Name,Grade\nx,1\n", "grades.csv is not a grading sheet of `grader manual export`: no 'report', "
                           "'task', 'points' column (found 'name', 'grade')"),
    (b"report,task\nx,1\n", "grades.csv is not a grading sheet of `grader manual export`: no 'points' "
                            "column (found 'report', 'task')"),
])
def test_what_is_no_sheet_is_said_in_one_line(data, message):
    with pytest.raises(SheetError) as exc:
        read_sheet(data, "grades.csv")
    assert str(exc.value) == message


@pytest.mark.parametrize("raw,value", [("8", 8.0), ("8.5", 8.5), ("8,5", 8.5), (" 3 ", 3.0), ("0", 0.0)])
def test_points_with_a_decimal_point_or_comma(raw, value):
    assert points_of(raw) == value


@pytest.mark.parametrize("raw", ["", "ten", "nan", "inf", "-inf", "8,5,1"])
def test_points_that_are_no_number(raw):
    with pytest.raises(ValueError):
        points_of(raw)


# ------------------------------------------------------------------------------------ plan_merge

MAXIMA = {"calc_1_1": 10.0, "calc_2": 25.0}


def result(key: str, points=None, answer="x = 1", review: Review | None = None) -> SubmissionResult:
    r = SubmissionResult(file=f"{key}.ipynb", name=key)
    r.checks.append(CheckResult("calc_1_1", "answer", 10.0, points, None, "answer", answer=answer, manual_task=True,
                                review=review))
    r.checks.append(CheckResult("calc_2", "answer", 25.0, 0.0, None, "not answered", answer=None, manual_task=True))
    return r


RESULTS = {"A": result("A"), "B": result("B", 6.0, review=Review("ta2", "t", comment="ok")),
           "C": result("C", 4.0, review=Review("ta2", "t", comment="", stale=True))}
GRADES = {("B", "calc_1_1"): Grade("B", "calc_1_1", (), 6.0, "ok", "ta2", "t", "sha", 5)}


def plan(*rows: tuple, ta="ta1") -> MergePlan:
    sheet = [SheetRow(i, *(list(r) + [""] * (5 - len(r)))) for i, r in enumerate(rows, start=2)]
    return plan_merge(sheet, RESULTS, MAXIMA, GRADES, ta, "reports/")


def test_every_bad_row_is_a_problem_with_its_line_and_words():
    p = plan(("", "calc_1_1", "3"), ("Z", "calc_1_1", "3"), ("A", "code_3_1", "3"), ("A", "calc_1_1", "ten"),
             ("A", "calc_1_1", "11"), ("A", "calc_1_1", "-0.5"), ("A", "calc_2", "2"))
    assert p.problems == [
        Problem(2, "the report column is empty (keep the column as exported)"),
        Problem(3, "no report 'Z' in reports/"),
        Problem(4, "'code_3_1' is not a manually graded task (calc_1_1, calc_2)"),
        Problem(5, "points 'ten' is not a number"),
        Problem(6, "11 points for calc_1_1 is outside 0..10"),
        Problem(7, "-0.5 points for calc_1_1 is outside 0..10"),
        Problem(8, "calc_2 of 'A' was not answered (0 points); points for it are an override with a reason in "
                   "grader serve"),
    ]
    assert p.updates == [] and p.blank == 0
    assert str(p.problems[1]) == "line 3: no report 'Z' in reports/"


def test_a_boundary_is_inside_and_an_unanswered_task_may_keep_its_zero():
    p = plan(("A", "calc_1_1", "10"), ("C", "calc_1_1", "0"), ("A", "calc_2", "0"))
    assert p.problems == [] and p.blank == 0
    assert p.updates == [Update(2, "A", "calc_1_1", 10.0, "", True), Update(3, "C", "calc_1_1", 0.0, "", True)]


def test_blank_points_are_counted_and_change_nothing():
    p = plan(("A", "calc_1_1", ""), ("B", "calc_1_1", "", "a comment alone"))
    assert (p.updates, p.problems, p.blank) == ([], [], 2)


def test_a_row_twice_is_one_grade_and_twice_with_other_points_or_comment_is_a_problem():
    p = plan(("A", "calc_1_1", "7"), ("A", "calc_1_1", "7"))
    assert p.problems == [] and p.updates == [Update(2, "A", "calc_1_1", 7.0, "", True)]
    p = plan(("A", "calc_1_1", "7"), ("A", "calc_1_1", "8"), ("A", "calc_1_1", "7", "other"))
    assert p.problems == [
        Problem(3, "calc_1_1 of 'A' is also on line 2 with 7 points; keep one of the two rows"),
        Problem(4, "calc_1_1 of 'A' is also on line 2 with 7 points and another comment; keep one of the two rows")]


def test_what_the_gradebook_holds_already_is_no_change_and_a_stale_grade_is_one():
    p = plan(("B", "calc_1_1", "6", "ok"), ("C", "calc_1_1", "4"))
    assert p.updates == [Update(2, "B", "calc_1_1", 6.0, "ok", False), Update(3, "C", "calc_1_1", 4.0, "", True)]
    assert p.changes == [Update(3, "C", "calc_1_1", 4.0, "", True)]
    p = plan(("B", "calc_1_1", "6", "better"), ta="ta2")        # the TA who gave the grade, by hand
    assert p.changes == [Update(2, "B", "calc_1_1", 6.0, "better", True)]


def test_a_grade_another_ta_changed_after_the_export_is_not_replaced_unseen():
    p = plan(("B", "calc_1_1", "9", "", "4"))
    assert p.problems == [Problem(2, "calc_1_1 of 'B' was graded by ta2 (6 points) after this sheet was exported; "
                                     "blank this row's points to keep that grade, or change it in grader serve")]
    assert plan(("B", "calc_1_1", "9", "", "5")).problems == []            # exported at the current version
    assert plan(("B", "calc_1_1", "9", "", "4"), ta="ta2").problems != []  # their own grade in the browser
    own = [SheetRow(2, "B", "calc_1_1", "9", "", "4")]
    assert plan_merge(own, RESULTS, MAXIMA, GRADES, "ta2", since=lambda *_: [("ta2", "merge")]).problems == []
    assert plan_merge(own, RESULTS, MAXIMA, GRADES, "ta2", since=lambda *_: [("ta2", "grade")]).problems != []
    assert plan(("B", "calc_1_1", "6", "ok", "4")).problems == []          # the same grade: nothing to lose
    # The same points without the later comment would take the comment away (an eighty-first review).
    assert plan(("B", "calc_1_1", "6", "", "4")).problems != []
    # A hand-made sheet has no versions: it grades what no TA graded yet, and regrades its TA's own grades,
    # but cannot tell whether it was made before or after another TA's grade (a two-hundred-and-sixtieth
    # review replaced one so, unwarned).
    assert plan(("A", "calc_1_1", "9", "", "")).problems == []
    assert plan(("B", "calc_1_1", "9", "", ""), ta="ta2").problems == []
    assert plan(("B", "calc_1_1", "9", "", "")).problems == [
        Problem(2, "calc_1_1 of 'B' has a grade by ta2 (6 points), and this row has no version to show it was "
                   "written after it; blank this row's points to keep that grade, or change it in grader serve")]
    assert plan(("B", "calc_1_1", "6", "ok", "")).problems == []          # the same grade: nothing to lose


def test_a_version_no_grade_had_is_refused():
    """Review 260: a row saying version 99 passed for one exported after every later change, and replaced
    another TA's points and comment; so did one saying version 1 of a grade not given yet."""
    for version in ("99", "6", "x", "1.5"):
        assert plan(("B", "calc_1_1", "9", "", version)).problems == [
            Problem(2, f"the version column says '{version}', a version this grade never had; keep the column as "
                       f"exported (or blank it)")], version
    assert plan(("A", "calc_1_1", "9", "", "1")).problems != []
    assert plan(("A", "calc_1_1", "9", "", "0")).problems == []            # exported before any grade


def test_a_key_excel_saved_in_windows_1252_finds_its_report_when_one_reads_so():
    """Twenty-sixth review: Excel writes '?' for 'Ł' in a Windows-1252 sheet; the key matched no
    report and the all-or-nothing merge refused every row."""
    results = {"Assignment_7_ŁukaszŻak_k77777777": result("L"), "Assignment_7_ŠárkaŘeháková_k1": result("S1"),
               "Assignment_7_ŠárkaŘeháková_k2": result("S2")}
    rows = [SheetRow(2, "Assignment_7_?ukasz?ak_k77777777", "calc_1_1", "8", "", "")]
    plan = plan_merge(rows, results, MAXIMA, {})
    assert not plan.problems and [u.key for u in plan.updates] == ["Assignment_7_ŁukaszŻak_k77777777"]
    # Two reports that read alike once saved: the row stands for neither.
    rows = [SheetRow(2, "Assignment_7_Šárka?eháková_k1", "calc_1_1", "8", "", "")]
    assert plan_merge(rows, results, MAXIMA, {}).updates[0].key == "Assignment_7_ŠárkaŘeháková_k1"
    results["Assignment_7_ŠárkaĽeháková_k1"] = result("S3")
    assert [str(p) for p in plan_merge(rows, results, MAXIMA, {}).problems] == [
        "line 2: no report 'Assignment_7_Šárka?eháková_k1' in the reports"]


def test_an_unanswered_tasks_empty_row_is_not_counted_as_left_blank():
    from grader.manual import UNANSWERED
    rows = [SheetRow(2, "A", "calc_1_1", "8", "", ""), SheetRow(3, "A", "calc_2", "", "unanswered", "", UNANSWERED),
            SheetRow(4, "B", "calc_1_1", "", "", "")]
    plan = plan_merge(rows, RESULTS, MAXIMA, {})
    assert plan.blank == 1 and not plan.problems
