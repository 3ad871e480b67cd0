"""Moodle's grading worksheet and the choice among several notebooks, as pure functions (no
engine, no files): untouched rows stay byte for byte, ids decide, names only where no id exists,
the best of several notebooks counts, pending written answers are never silently uploaded."""
import pytest

from grader.identity import best_of, counted, counting
from grader.results import CheckResult, Review, SubmissionResult
from grader.worksheet import WorksheetError, feedback_comment, fill, read_worksheet, split_records

from .gradebook_helpers import PROOF, result


def graded(r: SubmissionResult, points: dict[str, float]) -> SubmissionResult:
    """The written answers of ``r`` graded by a TA with these points."""
    for c in r.checks:
        if c.manual_task and c.task in points:
            c.points, c.passed = points[c.task], points[c.task] >= c.max_points
            c.review = Review(ta="ta", at="2024-06-03T10:00:00+00:00")
    return r


def notebook(pid: str, name: str, file: str, auto: float, key: str | None = None, filename_ok: bool = True,
             status: str = "graded") -> SubmissionResult:
    r = SubmissionResult(file=file, participant_id=pid, participant=name, key=key or f"{name}_{pid}_{file}",
                         filename_ok=filename_ok, status=status)
    r.checks.append(CheckResult("code_3_1", "imports executes", 50.0, auto, auto >= 50, "msg"))
    r.checks.append(CheckResult("calc_1_1", "answer", 50.0, 0.0, False, "not answered", manual_task=True))
    return r


# ----------------------------------------------------------------------------- several notebooks

def test_the_best_of_several_notebooks_counts_whatever_their_order():
    final = notebook("5505", "Lea Müller", "Assignment_7_LeaMueller_k11111111.ipynb", 50)
    draft = notebook("5505", "Lea Müller", "Assignment_7_LeaMueller_draft.ipynb", 29, filename_ok=False)
    assert best_of([draft, final]) is final and best_of([final, draft]) is final
    choice = counting([draft, final])
    assert choice[draft.key] is choice[final.key] and choice[final.key].key == final.key
    assert choice[final.key].reason == "the higher total (50 vs 29 points)"
    assert choice[draft.key].about(draft.key) == ("Not counted: 2 notebooks were handed in and "
                                                  "Assignment_7_LeaMueller_k11111111.ipynb counts, the higher "
                                                  "total (50 vs 29 points). Their points differ in code_3_1: a TA "
                                                  "confirms which one counts.")
    assert counted([draft, final]) == [final]


def test_equal_totals_prefer_a_graded_notebook_then_the_naming_rules_then_the_file_name():
    a = notebook("1", "A B", "b.ipynb", 20)
    bad = notebook("1", "A B", "a.ipynb", 20, filename_ok=False)
    assert best_of([bad, a]) is a
    assert counting([bad, a])[a.key].reason.endswith("its file name follows the naming rules")
    broken = notebook("1", "A B", "0.ipynb", 20, status="unreadable: not JSON")
    assert best_of([broken, a]) is a
    x, y = notebook("2", "C D", "x.ipynb", 10), notebook("2", "C D", "y.ipynb", 10)
    assert best_of([y, x]) is x and counting([y, x])[x.key].reason.endswith("the first by file name")


def test_a_written_answer_still_waiting_makes_the_choice_provisional():
    final = graded(result(0, PROOF), {"calc_1_2": 15, "calc_2": 0})
    draft = result(0, None, calc_1_2=None)
    draft.key, draft.file = draft.key + "-2", "Assignment_7_AnnaHuber_draft.ipynb"
    choice = counting([final, draft])[final.key]
    assert not choice.final and "so far" in choice.reason
    assert best_of([final, draft]) is final


def test_notebooks_outside_moodle_folders_are_never_merged_by_a_file_name():
    a = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", key="a", matr_number="k12345678")
    b = SubmissionResult(file="copy/Assignment_7_JaneDoe_k12345678.ipynb", key="b", matr_number="k12345678")
    assert counting([a, b]) == {} and counted([a, b]) == [a, b]


# ----------------------------------------------------------------------------- who a result is

def test_moodle_name_and_id_stand_in_where_the_file_name_gives_none():
    r = SubmissionResult(file="assignment7_john_smith.ipynb", participant="John Smith", participant_id="5503")
    assert (r.who, r.who_id) == ("John Smith", "participant 5503")
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         participant="Jane Doe", participant_id="5501")
    assert (r.who, r.who_id) == ("Jane Doe", "k12345678")
    r = SubmissionResult(file="x.ipynb")
    assert (r.who, r.who_id) == ("x.ipynb", "")


# ----------------------------------------------------------------------------- the worksheet

# As Moodle's PHP writes it (fields with spaces quoted), with a BOM and Windows line ends.
HEADER = ('"Identifier","Full name","Email address",Status,Grade,"Maximum Grade","Grade can be changed",'
          '"Last modified (submission)","Feedback comments"')
ROWS = [
    '"Participant 5500","Anna Huber",anna@uni.example,"Submitted for grading",,100.00,Yes,'
    '"Monday, 3 June 2024, 10:00 AM",',
    '"Participant 5501","Ben Gruber",ben@uni.example,"Submitted for grading",,100.00,Yes,-,',
    '"Participant 5999","Nobody Here",no@uni.example,"No submission",,100.00,Yes,-,"a note\nover two lines"',
    '"Participant 5502","Clara Bauer",clara@uni.example,"Submitted for grading",,100.00,Yes,-,',
]
SHEET = "\ufeff" + "\r\n".join([HEADER, *ROWS]) + "\r\n"


def cohort_graded() -> list[SubmissionResult]:
    return [graded(result(i, PROOF), {"calc_1_1": 8, "calc_1_2": 15, "calc_2": 0}) for i in range(3)]


def raw_records(text: str, sep: str = ",") -> list[str]:
    return [text[r.fields[0].start:r.fields[-1].end] for r in split_records(text, sep)]


def test_only_grade_and_feedback_of_matched_rows_change_every_other_byte_stays():
    filled = fill(read_worksheet(SHEET.encode("utf-8")), cohort_graded())
    assert filled.plan.all_matched and not filled.pending
    out = filled.data
    assert out.startswith(b"\xef\xbb\xbf") and out.count(b"\r\n") == SHEET.count("\r\n")
    before, after = raw_records(SHEET[1:]), raw_records(out.decode("utf-8")[1:])
    assert after[0] == before[0] and after[3] == before[3]          # header and the row without a result
    for b, a in zip(before[1:], after[1:]):
        fb, fa = split_records(b, ",")[0].fields, split_records(a, ",")[0].fields
        assert [b[f.start:f.end] for f in fb][:4] == [a[f.start:f.end] for f in fa][:4]
        assert [b[f.start:f.end] for f in fb][5:8] == [a[f.start:f.end] for f in fa][5:8]
    rows = [r.values for r in split_records(out.decode("utf-8")[1:], ",")]
    assert rows[1][4] == "25" and rows[1][8].startswith("Automatic checks: 2/3. Written answers: 23/50.")
    assert rows[3][8] == "a note\nover two lines" and rows[3][4] == ""
    assert filled.plan.without_result == ["Participant 5999 (Nobody Here): No submission"]


def test_a_pending_written_answer_is_reported_and_marked_partial():
    results = cohort_graded()
    results[1] = result(1, PROOF)                                   # Ben's answers wait for a TA
    filled = fill(read_worksheet(SHEET.encode()), results)
    assert filled.pending == [("Participant 5501 (Ben Gruber)", 2)]
    ben = split_records(filled.text, ",")[2].values
    assert ben[8].startswith("PARTIAL GRADE: 2 written answer(s) not graded yet.")


def test_ids_decide_and_a_name_matches_only_a_result_without_a_participant_id():
    # Another assignment's worksheet: same names, other participant ids. Nothing may match.
    other = SHEET.replace("Participant 550", "Participant 770")
    plan = fill(read_worksheet(other.encode()), cohort_graded()).plan
    assert plan.matches == [] and len(plan.missing) == 3 and not plan.all_matched
    # A notebook graded from a plain folder has no participant id: its name finds the row.
    loose = graded(result(0, PROOF), {"calc_1_1": 8, "calc_1_2": 15, "calc_2": 0})
    loose.participant_id, loose.participant = "", ""
    filled = fill(read_worksheet(SHEET.encode()), [loose])
    assert [(m.label, m.by) for m in filled.plan.matches] == [("Participant 5500 (Anna Huber)", "name")]
    # ... also where the file name breaks the naming rule (a new TA's review: 'assignment7_john_smith')
    loose.name, loose.file = "", "assignment7_anna_huber.ipynb"
    filled = fill(read_worksheet(SHEET.encode()), [loose])
    assert [(m.label, m.by) for m in filled.plan.matches] == [("Participant 5500 (Anna Huber)", "name")]
    loose.file = "assignment7_final.ipynb"
    assert fill(read_worksheet(SHEET.encode()), [loose]).plan.matches == []


def test_a_row_whose_id_belongs_to_another_name_is_not_filled():
    results = cohort_graded()
    results[0].participant = "Anna Schmidt"
    plan = fill(read_worksheet(SHEET.encode()), results).plan
    assert plan.conflicts == ["Participant 5500 (Anna Huber): the submissions name participant 5500 'Anna "
                              "Schmidt', not filled (is the worksheet of this assignment?)"]
    assert [r.who for r in plan.missing] == ["Anna Schmidt"]
    # The same person spelt as a file name can hold it is the same person.
    results = cohort_graded()
    results[0].participant = "anna HUBER"
    results[1].participant, sheet = "Ben Grueber", SHEET.replace("Ben Gruber", "Ben Grüber")
    assert fill(read_worksheet(sheet.encode()), results).plan.all_matched


def test_several_notebooks_fill_the_best_and_say_so():
    results = cohort_graded()
    draft = result(0, None, calc_1_2=None)
    draft.key, draft.file, draft.filename_ok = "Anna_Huber_5500-2", "Assignment_7_AnnaHuber_draft.ipynb", False
    filled = fill(read_worksheet(SHEET.encode()), [draft, *results])
    assert filled.plan.all_matched and len(filled.plan.matches) == 3
    anna = split_records(filled.text, ",")[1].values
    assert anna[4] == "25" and "Counted: this notebook, the higher total (25 vs 2 points), of 2 handed in" in anna[8]
    assert filled.notes == ["Participant 5500 (Anna Huber): 2 notebooks; counted Assignment_7_AnnaHuber_k11111111"
                            ".ipynb, the higher total (25 vs 2 points)"]


def test_excel_in_a_german_locale_semicolons_windows_1252_and_decimal_commas():
    text = ("Identifier;Full name;Status;Grade;Maximum Grade;Feedback comments\r\n"
            "Participant 5500;Anna Huber;Abgegeben;;100,00;\r\n"
            "Participant 5501;Ben Grüber;Abgegeben;;100,00;\r\n")
    results = cohort_graded()[:2]
    results[0].checks[0].points = 8.5
    results[1].participant = "Ben Grüber"
    filled = fill(read_worksheet(text.encode("cp1252")), results)
    assert filled.encoding == "cp1252" and filled.plan.all_matched
    lines = filled.data.decode("cp1252").split("\r\n")
    assert lines[0] == text.split("\r\n")[0]
    assert lines[1].startswith("Participant 5500;Anna Huber;Abgegeben;25,5;100,00;Automatic checks")
    assert lines[2].startswith("Participant 5501;Ben Grüber;Abgegeben;25;100,00;")


@pytest.mark.parametrize("text,message", [
    ("", "worksheet.csv is empty: download it in Moodle: the assignment's 'View all submissions', Grading action "
         "'Download grading worksheet'"),
    ("report,task,points\nx,calc_1_1,3\n",
     "worksheet.csv is not a Moodle grading worksheet: no 'Identifier' and no 'Grade' column (found 'report', "
     "'task', 'points'); download it in Moodle: the assignment's 'View all submissions', Grading action "
     "'Download grading worksheet'"),
    ("Identifier,Full name,Status\nParticipant 1,A,x\n",
     "worksheet.csv is not a Moodle grading worksheet: no 'Grade' column (found 'Identifier', 'Full name', "
     "'Status'); download it in Moodle: the assignment's 'View all submissions', Grading action 'Download "
     "grading worksheet'"),
])
def test_a_file_that_is_no_worksheet_is_one_line_saying_what_to_download(text, message):
    with pytest.raises(WorksheetError) as err:
        read_worksheet(text.encode(), "worksheet.csv")
    assert str(err.value) == message


def test_a_participant_without_a_notebook_is_told_so_plainly():
    r = SubmissionResult(file="Eva Lu_5504_assignsubmission_file_ (no notebook)", status="no notebook handed in",
                         flags=["no-notebook"], participant_id="5504", participant="Eva Lu")
    r.checks = [CheckResult(t, "notebook", m, 0.0, False, "no .ipynb notebook was handed in (found: answers.pdf)",
                            manual_task=t.startswith("calc")) for t, m in (("calc_1_1", 10.0), ("code_3_1", 10.0))]
    assert feedback_comment(r) == "No notebook (.ipynb) was handed in (found: answers.pdf): 0 points."


# ----------------------------------------------------------------------------- small pieces, exactly

def test_feedback_lists_six_failed_checks_then_counts_the_rest():
    r = notebook("1", "A B", "a.ipynb", 0)
    r.checks = [CheckResult("t", f"c{i}", 1.0, 0.0, False, "x") for i in range(6)]
    assert feedback_comment(r).endswith("Failed: t: c0, c1, c2, c3, c4, c5.")
    r.checks.append(CheckResult("t", "c6", 1.0, 0.0, False, "x"))
    assert feedback_comment(r).endswith("Failed: t: c0, c1, c2, c3, c4, c5 and 1 more.")


@pytest.mark.parametrize("found,comment", [
    ("nothing", "No notebook (.ipynb) was handed in: 0 points."),
    ("answers.pdf", "No notebook (.ipynb) was handed in (found: answers.pdf): 0 points."),
])
def test_feedback_of_a_participant_without_a_notebook(found, comment):
    r = SubmissionResult(file="", participant_id="1", participant="A B", status="no notebook", flags=["no-notebook"])
    r.checks.append(CheckResult("submission", "notebook", 0.0, 0.0, False, f"no notebook (found: {found})"))
    assert feedback_comment(r) == comment


def test_a_field_is_quoted_when_it_must_be_and_quotes_are_doubled():
    from grader.worksheet import quote
    assert quote("plain", ",") == "plain"
    for value in ("a,b", 'say "hi"', "two\nlines", "cr\rhere", " padded"):
        text = quote(value, ",")
        assert text.startswith('"') and text.endswith('"') and split_records(text, ",")[0].values == [value]
    assert quote('say "hi"', ",") == '"say ""hi"""'


def test_points_as_moodle_reads_them_back():
    from grader.worksheet import points_text
    assert [points_text(p, False) for p in (50.0, 7.5, 0.004999, 12.345678)] == ["50", "7.5", "0", "12.35"]
    assert points_text(7.5, True) == "7,5" and points_text(50.0, True) == "50"


def test_participant_ids_and_names():
    from grader.worksheet import participant_id, same_person
    assert [participant_id(x) for x in ("Participant 5501", "5501", "", "Participant", None)] == \
        ["5501", "5501", "", "", ""]
    assert same_person("Lea Müller", "Lea Mueller") and same_person("Lea Müller", "lea muller")
    assert same_person("José Núñez", "Jose Nunez") and not same_person("Lea Müller", "Lea Miller")


def test_a_worksheet_without_a_grade_column_names_what_it_found():
    with pytest.raises(WorksheetError) as exc:
        read_worksheet(("Identifier," + ",".join(f"c{i}" for i in range(9)) + "\r\nParticipant 1,x\r\n").encode())
    assert "no 'Grade' column (found 'Identifier', 'c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6' ...)" in str(exc.value)
    with pytest.raises(WorksheetError) as exc:
        read_worksheet(b",,\nParticipant 1,x\n")
    assert "no 'Identifier' and no 'Grade' column (found no columns)" in str(exc.value)
    ws = read_worksheet(b"Identifier;Grade;Maximum Grade\rParticipant 1;;100,00\r")
    assert ws.sep == ";" and ws.decimal_comma and len(ws.records) == 2


def test_two_notebooks_of_one_name_outside_moodle_fill_no_row_and_a_participant_fills_one():
    from grader.worksheet import match
    ws = read_worksheet(b"Identifier,Full name,Status,Grade\nParticipant 7,Ann Lee,Submitted,\n"
                        b"Participant 8,Bo Ma,,\n")
    a = notebook("", "", "x/Assignment_7_AnnLee_k1.ipynb", 10, key="x")
    b = notebook("", "", "y/Assignment_7_AnnLee_k1.ipynb", 20, key="y")
    a.name = b.name = "AnnLee"
    plan = match(ws, [a, b])
    assert plan.conflicts == ["Participant 7 (Ann Lee): 2 notebooks without a Moodle participant have this name "
                              "(x/Assignment_7_AnnLee_k1.ipynb, y/Assignment_7_AnnLee_k1.ipynb), not filled"]
    assert plan.without_result == ["Participant 8 (Bo Ma)"] and plan.matches == []
    assert [r.key for r in plan.missing] == ["x", "y"] and plan.participants == 2
    c = notebook("7", "Ann Lee", "c.ipynb", 30, key="c")
    plan = match(ws, [c])
    assert [(m.label, m.by, [r.key for r in m.results]) for m in plan.matches] == [("Participant 7 (Ann Lee)", "id", ["c"])]
    assert plan.without_result == ["Participant 8 (Bo Ma)"] and plan.all_matched


def test_a_participant_on_two_rows_is_filled_once():
    from grader.worksheet import match
    ws = read_worksheet(b"Identifier,Full name,Grade\nParticipant 7,Ann Lee,\nParticipant 7,Ann Lee,\n")
    plan = match(ws, [notebook("7", "Ann Lee", "c.ipynb", 30, key="c")])
    assert len(plan.matches) == 1
    assert plan.conflicts == ["Participant 7 (Ann Lee): Ann Lee is also the row Participant 7 (Ann Lee), "
                              "not filled twice"]


def test_rows_matched_only_by_a_typed_name_are_named_for_the_ta_to_check(tmp_path, monkeypatch, capsys):
    # Ninth review: outside Moodle's participant folders a row is matched by the name in a file
    # name, which the student typed (a classmate's name takes the classmate's row when the
    # classmate's own file name says no name). The command lists those rows to be checked.
    from grader.cli import main
    from .gradebook_helpers import filled, result
    monkeypatch.setenv("COLUMNS", "300")
    loose = result(0, None, calc_1_2=None, name="Carl Honest", matr="k33333333")
    loose.participant_id = loose.participant = ""
    loose.key, loose.path = "Assignment_7_CarlHonest_k33333333", "Assignment_7_CarlHonest_k33333333.ipynb"
    filled(tmp_path / "reports", [loose, result(1, None, calc_1_2=None)]).close()
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Feedback comments\n"
                     "Participant 9001,Carl Honest,c@uni.example,Submitted,,100.00,\n"
                     "Participant 5501,Ben Gruber,b@uni.example,Submitted,,100.00,\n", encoding="utf-8")
    assert main(["moodle", str(sheet), "--reports", str(tmp_path / "reports"), "--out", str(tmp_path / "up.csv")]) == 0
    out = capsys.readouterr().out
    assert "matched only by the name typed in the file name (1" in out, out
    assert "Participant 9001 (Carl Honest) <- Assignment_7_CarlHonest_k33333333.ipynb" in out
    assert "Ben Gruber <-" not in out and "5501 <-" not in out


def test_a_no_notebook_report_beside_a_participants_notebook_fills_the_row():
    """Fifth fairness review: a participant with a ``_file_`` and an ``_onlinetext_`` folder had a
    "no notebook" report beside their notebook's (an earlier grading can leave one too), and
    filling the worksheet stopped with a KeyError for the whole class."""
    nb = notebook("5501", "Jane Doe", "Assignment_7_JaneDoe_k12345678.ipynb", 50, key="Jane_Doe_5501-1")
    none = SubmissionResult(file="Jane Doe_5501_assignsubmission_onlinetext_ (no notebook)",
                            status="no notebook handed in", flags=["no-notebook"], key="Jane_Doe_5501",
                            participant_id="5501", participant="Jane Doe")
    none.checks.append(CheckResult("code_3_1", "notebook", 50.0, 0.0, False, "no .ipynb notebook was handed in"))
    ws = read_worksheet(b"Identifier,Full name,Grade,Feedback comments\nParticipant 5501,Jane Doe,,\n")
    out = fill(ws, [none, nb])
    assert out.text.splitlines()[1].startswith("Participant 5501,Jane Doe,50")


def test_a_file_name_in_a_feedback_comment_is_text_in_moodle():
    """Moodle imports a worksheet's comments as HTML: a file named like a tag loaded a remote
    picture on its pages (a twenty-fourth review)."""
    r = SubmissionResult(file="x (no notebook)", status="no notebook handed in", flags=["no-notebook"], key="x",
                         participant_id="5504", participant="Eva Lu")
    r.checks.append(CheckResult("code_3_1", "notebook", 50.0, 0.0, False,
                                'no .ipynb notebook was handed in (found: <img src="https://evil.example/t.png">.pdf)'))
    comment = feedback_comment(r)
    assert "<img" not in comment and comment == ('No notebook (.ipynb) was handed in (found: &lt;img src="https://'
                                                 'evil.example/t.png"&gt;.pdf): 0 points.')


def test_the_moodle_comment_of_an_unreadable_or_foreign_notebook_says_why_not_every_check():
    """A TA's review: "Failed: code_3_1: notebook; code_3_2_models: notebook; ..." for an unreadable
    notebook, and twenty failed checks for an empty one."""
    from grader.worksheet import _comment
    r = graded(result(0, PROOF), {"calc_1_1": 8, "calc_1_2": 15, "calc_2": 0})
    r.status = "unreadable: the file is empty"
    for c in r.checks:
        if not c.manual_task:
            c.passed, c.points = False, 0.0
    text = _comment(r, None, 0)
    assert "Problem: unreadable: the file is empty." in text and "Failed" not in text
    r.status, r.flags = "graded", ["not-the-assignment"]
    text = _comment(r, None, 0)
    assert "holds none of the assignment's cells" in text and "Failed" not in text
