"""Every subcommand with wrong input: one line that says what to do, never a traceback.

A table: the command line, and the exact line a TA or a student reads (and the exit status: 2 a
wrong input, 1 refused). Run in-process (no engine starts for any of them)."""
import importlib.util
import shutil
import zipfile

import pytest

from grader import manual
from grader.cli import main
from grader.gradebook.outputs import write_reports
from grader.spec import load_spec

from .conftest import REF
from .gradebook_helpers import filled, result

DOWNLOAD = "download it in Moodle: View all submissions, Grading action 'Download grading worksheet'"
NO_REPORTS = ("error: no gradebook or reports in nowhere (no such folder): run grader grade first, or pass "
              "--reports DIR (the --out of grader grade)")
NO_SPEC = ("error: no assignment spec at nospec: pass --spec with a spec.toml or the folder holding it (default: "
           "the course's Assignment 7)")
WORKSHEET = ("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Feedback comments\n"
             + "".join(f"Participant {5500 + i},{n},x@uni.example,Submitted,,100.00,\n"
                       for i, n in enumerate(["Anna Huber", "Ben Gruber", "Clara Bauer", "David Wagner",
                                              "Eva Mayer", "Felix Moser"])))


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A working folder as a TA has it after `grader grade` and `grader manual export`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.delenv("GRADER_TOKEN", raising=False)
    gb = filled(tmp_path / "reports")
    write_reports(gb, tmp_path / "reports", load_spec(), pages=False)
    gb.close()
    manual.export(tmp_path / "reports", load_spec())
    (tmp_path / "notes.py").write_text("print('hi')\n")
    (tmp_path / "answers.txt").write_text("a_ = True\n")
    shutil.copy(REF / "template.ipynb", tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb")
    (tmp_path / "bogus.zip").write_bytes(b"PK\x03\x04 cut short")
    with zipfile.ZipFile(tmp_path / "handin.zip", "w") as zf:
        zf.write(REF / "template.ipynb", "Assignment_7_JaneDoe_k12345678.ipynb")
    (tmp_path / "empty_dir").mkdir()
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "worksheet.csv").write_text(WORKSHEET)
    (tmp_path / "other-course.csv").write_text(WORKSHEET.replace("Participant 55", "Participant 77"))
    blank = (tmp_path / "reports" / "manual" / "manual_grades.csv").read_text()
    (tmp_path / "blank.csv").write_text(blank)
    (tmp_path / "semicolons.csv").write_text(blank.replace(",", ";"))
    return tmp_path


CASES = [
    # grader grade
    (["grade"], 2, 'error: no submissions/ folder here (what grader grade grades when given nothing): pass Moodle\'s '
                   'zip or a folder, e.g. grader grade "Assignment 7-12345.zip" or grader grade subs/'),
    (["grade", "nope"], 2, "error: no such file or folder: nope: pass Moodle's 'Download all submissions' zip or a "
                           "folder of notebooks"),
    (["grade", "notes.py"], 2, "error: notes.py is not a folder or a .zip: pass Moodle's 'Download all "
                               "submissions' zip or a folder of notebooks"),
    (["grade", "Assignment_7_JaneDoe_k12345678.ipynb"], 2,
     "error: Assignment_7_JaneDoe_k12345678.ipynb is one notebook: grader grade takes a folder (put it in one) or "
     "Moodle's zip; a student checks one notebook with grader check Assignment_7_JaneDoe_k12345678.ipynb"),
    (["grade", "bogus.zip"], 2, "error: bogus.zip is not a readable zip (a download cut short?): download it again "
                                "from Moodle, or unpack it and pass the folder"),
    (["grade", "empty_dir"], 1, "error: no notebooks (.ipynb) and no Moodle participant folders in empty_dir: pass "
                                "the folder or zip that holds the submissions"),
    (["grade", "empty_dir", "--spec", "nospec"], 2, NO_SPEC),
    # grader check
    (["check", "nope.ipynb"], 2, "error: no such file: nope.ipynb (pass the .ipynb file you hand in, e.g. grader "
                                 "check Assignment_7_JaneDoe_k12345678.ipynb)"),
    (["check", "empty_dir"], 2, "error: empty_dir is a folder: pass the notebook itself, e.g. grader check "
                                "empty_dir/Assignment_7_JaneDoe_k12345678.ipynb"),
    (["check", "notes.py"], 2, "error: notes.py is not a notebook (.ipynb): pass the .ipynb file you hand in (in "
                               "Jupyter: File, Save; or File, Download, Notebook .ipynb)"),
    (["check", "answers.txt"], 2, "error: answers.txt is not a notebook (.ipynb): pass the .ipynb file you hand in "
                                  "(in Jupyter: File, Save; or File, Download, Notebook .ipynb)"),
    (["check", "handin.zip"], 2, "error: handin.zip is a zip: grader check takes the notebook (.ipynb) you hand in; "
                                 "unpack it and pass the .ipynb"),
    (["check", "Assignment_7_JaneDoe_k12345678.ipynb", "--spec", "nospec"], 2, NO_SPEC),
    # grader serve
    (["serve", "--reports", "nowhere"], 2, NO_REPORTS),
    (["serve", "--host", "0.0.0.0"], 2, "error: listening on another address than this machine needs a shared "
                                        "token: --token TOKEN (or $GRADER_TOKEN); give it to the TAs, not to "
                                        "students"),
    # grader manual
    (["manual", "export", "--reports", "nowhere"], 2, NO_REPORTS),
    (["manual", "merge", "manual_grades.csv"], 2, "error: no such file: manual_grades.csv (grader manual export "
                                                  "wrote reports/manual/manual_grades.csv)"),
    (["manual", "merge", "reports"], 2, "error: reports is a folder: pass the grading sheet file itself (grader "
                                        "manual export wrote reports/manual/manual_grades.csv)"),
    (["manual", "merge", "empty.csv"], 2, "error: empty.csv is empty: fill in the 'points' column of the "
                                          "manual_grades.csv that `grader manual export` writes"),
    (["manual", "merge", "worksheet.csv"], 2,
     "error: worksheet.csv is not a grading sheet of `grader manual export`: no 'report', 'task', 'points' column "
     "(found 'identifier', 'full name', 'email address', 'status', 'grade', 'maximum grade', 'feedback comments')"),
    (["manual", "merge", "blank.csv"], 1, "error: nothing to merge: blank.csv has no points for an answered task "
                                          "(12 row(s) blank); fill in the points column (decimal commas are fine) "
                                          "and merge again"),
    (["manual", "merge", "semicolons.csv"], 1, "error: nothing to merge: semicolons.csv has no points for an "
                                               "answered task (12 row(s) blank); fill in the points column (decimal "
                                               "commas are fine) and merge again"),
    (["manual", "merge", "blank.csv", "--reports", "nowhere"], 2, NO_REPORTS),
    # grader moodle
    (["moodle", "nope.csv"], 2, f"error: no such file: nope.csv ({DOWNLOAD})"),
    (["moodle", "reports"], 2, f"error: reports is a folder: pass the worksheet file itself ({DOWNLOAD})"),
    (["moodle", "empty.csv"], 2, "error: empty.csv is empty: download it in Moodle: the assignment's 'View all "
                                 "submissions', Grading action 'Download grading worksheet'"),
    (["moodle", "blank.csv"], 2, "error: blank.csv is not a Moodle grading worksheet: no 'Identifier' and no 'Grade' "
                                 "column (found 'report', 'file', 'matr_number', 'name', 'task', 'max_points', "
                                 "'points', 'comment' ...); download it in Moodle: the assignment's 'View all "
                                 "submissions', Grading action 'Download grading worksheet'"),
    (["moodle", "worksheet.csv", "--reports", "nowhere"], 2, NO_REPORTS),
    # grader export, feedback, verify, release
    (["export", "--format", "junit", "--reports", "nowhere"], 2, NO_REPORTS),
    (["export", "--format", "gradescope", "--reports", "nowhere"], 2, NO_REPORTS),
    (["feedback", "--reports", "nowhere"], 2, NO_REPORTS),
    (["verify", "--spec", "nospec"], 2, NO_SPEC),
    (["release", "--spec", "nospec"], 2, NO_SPEC),
]


@pytest.mark.parametrize("argv,code,line", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_wrong_input_is_one_line_that_says_what_to_do(place, capsys, argv, code, line):
    assert main(argv) == code
    out = capsys.readouterr()
    assert out.out.splitlines() == [line] and out.err == ""
    assert not (place / "nowhere").exists()          # asking never creates a report folder


def test_dask_without_the_extra_says_how_to_install_it(place, capsys, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    assert main(["grade", "empty_dir", "--dask-scheduler", "tcp://10.0.0.5:8786"]) == 2
    assert capsys.readouterr().out.splitlines() == [
        'error: --dask-scheduler needs the dask extra: pip install -e ".[dask]" (here and on every Dask worker)']


def test_moodle_refuses_a_worksheet_that_matches_nobody_and_pending_answers(place, capsys):
    assert main(["moodle", "other-course.csv"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "other-course.csv: 0 row(s) matched to 0 of 6 graded participant(s) (by participant id)"
    assert lines[-1] == ("error: no row of other-course.csv matches a graded participant: nothing written (is it "
                         "the worksheet of this assignment, downloaded after the submissions?)")
    assert "graded participants not in the worksheet (6): Anna Huber (k11111111)" in "\n".join(lines)
    assert main(["moodle", "worksheet.csv"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("error: nothing written, the grades are not final: (1) 12 written answer(s) of 6 "
                                "participant(s) wait for a TA (Participant 5500 (Anna Huber); ")
    assert lines[-1].endswith("Or pass --allow-pending to write them as they are (partial grades marked PARTIAL in "
                              "the feedback comments, of several notebooks the highest total)")
    assert not list((place / "reports").glob("worksheet-graded.csv"))
    # Every reason in one refusal (an eighty-seventh review was sent round twice).
    from grader.gradebook import open_gradebook
    from .gradebook_helpers import result
    gb = open_gradebook(place / "reports")
    gb.set_override("Anna_Huber_5500", "code_3_2_models", "ANN_relu: activations", 1, "fine", "ta1")
    again = result(0, "another answer")
    again.sha256 = "e" * 64
    gb.store_result(again)
    gb.close()
    assert main(["moodle", "worksheet.csv"]) == 1
    said = capsys.readouterr().out.splitlines()[-1]
    assert "(1) " in said and "wait for a TA" in said and "(2) 1 participant(s) hold a TA's override" in said
    assert main(["moodle", "worksheet.csv", "--allow-pending"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == ("wrote reports/worksheet-graded.csv: upload it to Moodle (View all submissions, Grading "
                         "action: Upload grading worksheet); the detailed feedback pages: grader export --format "
                         "moodle-feedback")     # the command as it works (review 120): every notebook in Moodle's
    # folders, so no worksheet is needed to find its participant (a hundred-and-fifty-ninth review)
    assert "PARTIAL GRADE: 2 written answer(s)" in (place / "reports" / "worksheet-graded.csv").read_text()


def test_a_worksheet_missing_graded_students_is_written_but_fails(place, capsys):
    (place / "part.csv").write_text("\n".join(WORKSHEET.splitlines()[:4]) + "\n")
    assert main(["moodle", "part.csv", "--allow-pending"]) == 1
    out = capsys.readouterr().out
    assert "graded participants not in the worksheet (3): David Wagner (k44444444); Eva Mayer (k55555555); Felix " \
           "Moser (k66666666)" in out
    assert out.splitlines()[-1] == ("wrote reports/part-graded.csv, but not every graded participant is in it "
                                    "(listed above): check the worksheet before uploading")


def test_a_merge_with_bad_rows_lists_each_and_writes_nothing(place, capsys):
    text = (place / "blank.csv").read_text().splitlines()
    rows = [text[0], text[1].replace(",,", ",8,", 1), text[1].replace(",,", ",9,", 1), text[2].replace(",,", ",99,", 1)]
    (place / "bad.csv").write_text("\n".join(rows) + "\n")
    assert main(["manual", "merge", "bad.csv"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "nothing merged; fix these rows first:",
        "line 3: calc_1_1 of 'Anna_Huber_5500' is also on line 2 with 8 points; keep one of the two rows",
        "line 4: 99 points for calc_1_1 is outside 0..10"]


@pytest.mark.parametrize("argv", [["--help"], ["grade", "--help"], ["verify", "--help"], ["moodle", "--help"],
                                  ["manual", "--help"], ["export", "--help"], ["serve", "--help"], ["check", "--help"],
                                  ["feedback", "--help"], ["release", "--help"], ["manual", "merge", "--help"],
                                  ["manual", "export", "--help"], ["similarity", "--help"], ["override", "--help"],
                                  ["undo", "--help"], ["move", "--help"], ["count", "--help"], ["backup", "--help"]])
def test_help_shows_the_week_and_each_command_its_own_examples(argv, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    text = capsys.readouterr().out
    too_wide = [line for line in text.splitlines() if len(line) > 80]
    assert not too_wide, too_wide           # a TA's terminal of 80 columns (review 194: up to 600)
    if argv == ["--help"]:
        order = [text.index(f"  {n}. grader {c}") for n, c in ((1, "grade"), (2, "serve"), (3, "moodle"), (4, "export"))]
        assert order == sorted(order) and "or: grader manual export," in text
        listed = [text.index(f"    {c} ") for c in ("grade", "serve", "manual", "moodle", "export")]
        assert listed == sorted(listed)
        return
    command = argv[0] if argv[0] != "manual" or len(argv) == 2 else "manual merge"
    examples = text.split("example:" if argv[0] == "move" else "examples:", 1)[1]
    commands = [line.split()[1] for line in examples.splitlines() if line.strip().startswith("grader ")]
    assert command.split()[0] in commands, commands
    if argv[0] == "grade":
        assert "Moodle's submissions zip" in text.split("examples:")[0] and "Assignment 7-12345.zip" in examples
    if argv[0] == "verify":
        assert "expected_scores.toml" in text


def test_check_of_a_notebook_that_does_not_open_is_one_problem_not_one_per_task():
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import CheckResult, SubmissionResult
    spec = load_spec()
    why = ("unreadable: the file is not valid notebook JSON (line 1, column 2: Expecting property name enclosed "
           "in double quotes); the file is damaged: hand in an earlier copy (in Jupyter, File > Revert Notebook to "
           "Checkpoint, or the copy you downloaded), saved from Jupyter")
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         filename_ok=True, status=why, flags=["unreadable"],
                         checks=[CheckResult(t.id, "notebook", t.max_points, 0.0, False, "the notebook could not be "
                                             "read: " + why[12:], manual_task=t.kind == "manual") for t in spec.tasks])
    buf = io.StringIO()
    assert render_check(r, spec, Console(file=buf, width=80, color_system=None)) == 1
    text = buf.getvalue()
    assert " ".join(text.split()).count("hand in an earlier copy") == 1 and len(text.splitlines()) <= 10
    assert text.splitlines()[-1] == "1 problem to fix" and all(len(line) <= 80 for line in text.splitlines())


def test_a_code_task_whose_every_check_failed_is_zero_not_format_ok():
    """An empty notebook's code tasks read "format ok for 0 of 5; scored at grading" in the
    student's check: only True/False answers wait for grading there."""
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import CheckResult, SubmissionResult
    spec = load_spec()
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         filename_ok=True, checks=[
                             CheckResult("code_3_1", "imports executes", 2.0, 0.0, False, "the cell is missing"),
                             CheckResult("question_3_3", "a_", 2.0, None, None, "format ok"),
                             CheckResult("question_3_3", "b_", 2.0, 0.0, False, "`b_` is missing")])
    buf = io.StringIO()
    render_check(r, spec, Console(file=buf, width=100, color_system=None))
    lines = buf.getvalue().splitlines()
    assert any(line.startswith("Code 3.1") and line.endswith("0/2") for line in lines), lines
    assert any(line.startswith("Question 3.3") and "1 of 2 not accepted (0/2); 1 scored at grading" in line
               for line in lines), lines


def test_the_console_line_of_an_unreadable_notebook_says_it_once():
    from grader.cli.grade import _line
    from grader.results import SubmissionResult
    r = SubmissionResult(file="Assignment_7_KimPark_k12121212.ipynb", name="KimPark", matr_number="k12121212",
                         filename_ok=True, status="unreadable: the file is empty", flags=["unreadable", "filename"])
    line = _line(r)
    assert line.count("unreadable") == 1 and "filename" in line
    assert "[bold red]0/0[/]" in line or "[bold green]0/0[/]" in line


def test_the_console_line_colours_the_points_by_how_far_from_full_marks():
    """A TA's review read "✓ ... 30/50" as a pass: the mark says "look at it", the colour the points."""
    from grader.cli.grade import _line
    from grader.results import CheckResult, SubmissionResult

    def line(points):
        r = SubmissionResult(file="Assignment_7_KimPark_k12121212.ipynb", name="KimPark", matr_number="k12121212",
                             filename_ok=True)
        r.checks.append(CheckResult("code_3_1", "imports executes", 50.0, points, points > 0, "x"))
        return _line(r)
    assert "[bold green]50/50[/]" in line(50.0) and "[bold yellow]30/50[/]" in line(30.0)
    assert "[bold red]0/50[/]" in line(0.0) and line(30.0).startswith("[green]✓[/]")


def test_the_students_check_says_what_a_flag_asks_of_them():
    """A student's review: `flags: edited:ann-sigmoid-test` stood bare above "ready to hand in"."""
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import SubmissionResult
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         filename_ok=True, flags=["edited:ann-sigmoid-test", "edited:ann-relu-test", "added-cell:1"])
    buf = io.StringIO()
    render_check(r, load_spec(), Console(file=buf, width=100, color_system=None))
    text = " ".join(buf.getvalue().split())
    # with what each cell holds: Jupyter shows no IDs (a student's review)
    assert "- edited (ann-sigmoid-test: `test_model = ANN_sigmoid(d_in, d_out)`; ann-relu-test: `test_model = " \
           "ANN_relu(d_in, d_out)`): a cell you were not to change differs from the template; copy it back" in text
    assert text.count("- edited") == 1 and "- added-cell (1): the number of cells you added; they are not graded" in text
    assert "to fix: 2 cells to copy back as the template has them (see" in text


def test_a_partly_answered_question_counts_its_blanks_now_and_the_rest_at_grading():
    """A student's review: 3 of 5 answered still said "(10 points)" at grading and 40/40 now."""
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import CheckResult, SubmissionResult
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         filename_ok=True)
    r.checks.append(CheckResult("code_3_1", "imports executes", 2.0, 2.0, True, "the imports cell runs"))
    for v in "abc":
        r.checks.append(CheckResult("question_3_3", f"{v}_", 2.0, None, None, "format ok"))
    for v in "de":
        r.checks.append(CheckResult("question_3_3", f"{v}_", 2.0, 0.0, False, f"`{v}_` is not assigned"))
    buf = io.StringIO()
    render_check(r, load_spec(), Console(file=buf, width=120, color_system=None))
    text = " ".join(buf.getvalue().split())
    assert "2 of 5 not accepted (0/4); 3 scored at grading (6 points)" in text
    assert "automatic points: 2 of the 6 checked now (of 12 in all); Question 3.3 (6 points) scored at grading" in text


def test_the_students_check_warns_of_unfinished_written_answers_and_counts_problems_as_listed():
    """A student's review: 'TODO', '.' and a leftover 'YOUR ANSWER HERE' got "answered" and "ready
    to hand in"; "To fix (15)" stood above "to fix: 23 check(s)"; and a deleted train_and_test said
    one message five times."""
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import CheckResult, SubmissionResult
    spec = load_spec()

    def answer(task, text):
        return CheckResult(task, "answer", 10.0, None, None, "answered", answer=text, manual_task=True)
    gone = "no cell defines `train_and_test` (cell 'train-and-test' is missing); restore the cell"
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         filename_ok=True, checks=[
                             answer("calc_1_1", "TODO"), answer("calc_1_2", "See my paper.  YOUR ANSWER HERE"),
                             answer("calc_2", "The gradient is $x \\cdot w$, so it vanishes for large inputs."),
                             *[CheckResult("code_3_2_train", c, 4.0, 0.0, False, gone)
                               for c in ("optimizer", "epochs", "test", "plots", "final_weights")]])
    buf = io.StringIO()
    assert render_check(r, spec, Console(file=buf, width=100, color_system=None)) == 1
    text = " ".join(buf.getvalue().split())
    assert "Written answers to look at (2):" in text
    # The table says so too (an eighty-fifth review read "answered" beside a lone "TODO" and stopped there).
    assert "Calculation 1.1 answered, but look at it (below): a TA grades it (10 points)" in text
    assert "Calculation 2 answered: a TA grades it (25 points)" in text
    assert "Calculation 1.1: the answer is only 'TODO'" in text
    assert "Calculation 1.2: the answer still holds 'YOUR ANSWER HERE'" in text and "Calculation 2:" not in text
    assert "To fix (1):" in text and text.count("restore the cell") == 1
    assert "train_and_test: optimizer, epochs, test, plots, final_weights" in text
    assert "to fix: the 1 problem above (5 checks); the written answers above" in text
    fine = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                            filename_ok=True, checks=[answer("calc_2", "It vanishes: σ'(z) ≤ 1/4.")])
    buf = io.StringIO()
    assert render_check(fine, spec, Console(file=buf, width=100, color_system=None)) == 0
    assert "ready to hand in" in buf.getvalue()


def test_checks_that_stopped_at_an_error_another_names_are_one_thing_to_fix():
    """A hundred-and-fifty-fourth review: one error in train_and_test was five things to fix, four
    of them "(the error is named under optimizer)"."""
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import CheckResult, SubmissionResult
    error = "`train_and_test` raised RuntimeError: CUDA is not available (line 3 of cell train-and-test). ..."
    follow = {"epochs": "`train_and_test` stopped with an error before it called `train`",
              "test": "`test(model, test_loader)` was not reached: `train_and_test` stopped with an error first",
              "plots": "not checked, so no point: there are no gradient lists from `train` to look for (see epochs)"}
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         filename_ok=True, checks=[
                             CheckResult("code_3_2_train", "optimizer", 4.0, 0.0, False, error),
                             *[CheckResult("code_3_2_train", c, 4.0, 0.0, False, f"{m} (the error is named under optimizer)")
                               for c, m in follow.items()],
                             CheckResult("code_3_2_models", "ANN_relu: seeded", 1.0, 0.0, False,
                                         "not checked (the error is named under optimizer)")])
    buf = io.StringIO()
    render_check(r, load_spec(), Console(file=buf, width=120, color_system=None))
    text = " ".join(buf.getvalue().split())
    assert "To fix (2):" in text and "train_and_test: optimizer, epochs, test, plots" in text
    assert "(epochs, test, plots: not checked, as it stopped at this error)" in text
    assert text.count("named under optimizer") == 1                  # another task's check stays its own


def test_an_edited_cell_is_named_by_the_line_the_student_changed():
    """A student's review: `edited (imports: \\`import torch\\`)` read as if `import torch` was changed."""
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import SubmissionResult
    spec = load_spec()
    import nbformat
    template = {c.id: c.source for c in nbformat.read(spec.file("template"), as_version=4).cells}
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         filename_ok=True, flags=["edited:imports"],
                         student_cells={"imports": template["imports"] + "\nimport numpy as np\n"})
    buf = io.StringIO()
    render_check(r, spec, Console(file=buf, width=120, color_system=None))
    assert "- edited (imports: you changed or added `import numpy as np`)" in " ".join(buf.getvalue().split())


def test_a_moved_cell_is_told_where_it_belongs():
    """A student's review: "move them back to where the template has them" said no position."""
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import SubmissionResult
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         filename_ok=True, flags=["reordered:ann-relu"])
    buf = io.StringIO()
    render_check(r, load_spec(), Console(file=buf, width=160, color_system=None))
    assert "reordered (ann-relu: `class ANN_relu(nn.Module):`, which belongs right after `test_model = " \
           "ANN_sigmoid(d_in, d_out)`)" in " ".join(buf.getvalue().split())


def test_a_cell_moved_below_a_heading_is_told_the_heading_as_the_student_reads_it():
    """A hundred-and-fifty-fourth review: the heading was named as its HTML cut to 40 characters,
    '<h3 style="color:rgb(208,90,80)">Code...', which three headings share."""
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import SubmissionResult
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", name="JaneDoe", matr_number="k12345678",
                         filename_ok=True, flags=["reordered:train-and-test"])
    buf = io.StringIO()
    render_check(r, load_spec(), Console(file=buf, width=160, color_system=None))
    said = " ".join(buf.getvalue().split())
    assert "which belongs right after `Code 3.2 (20 Points)`" in said and "<h3" not in said, said


def test_every_line_of_the_check_fits_an_80_column_terminal():
    """The last line ("to fix: ... and ... and ...") ran to 118 characters at COLUMNS=80."""
    import io

    from rich.console import Console

    from grader.cli.check import render_check
    from grader.results import CheckResult, SubmissionResult
    r = SubmissionResult(file="assignment_7_janedoe_k1234567.ipynb", name="janedoe", matr_number="k1234567",
                         filename_ok=False, filename_problems=["matriculation number 'k1234567' must be 'k' followed "
                                                                "by 8 digits (keep a leading zero)"],
                         flags=["edited:ann-relu-test", "raised:answers-3-3"],
                         checks=[CheckResult("code_3_2_train", "test", 3.0, 0.0, False, "never called"),
                                 CheckResult("calc_1_1", "answer", 10.0, None, None, "answered", answer="TODO",
                                             manual_task=True)])
    buf = io.StringIO()
    render_check(r, load_spec(), Console(file=buf, width=80, color_system=None))
    lines = buf.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert any(line.startswith("to fix: ") for line in lines)


def test_moodle_feedback_outside_moodles_folders_is_refused_or_matched_by_the_worksheet(tmp_path, monkeypatch,
                                                                                           capsys):
    """A ninetieth review: notebooks graded outside Moodle's folders gave an empty zip, exit 0,
    and "Upload it in Moodle"; `grader moodle` matched the same students by name through the
    worksheet."""
    from grader.gradebook import open_gradebook
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "300")
    gb = open_gradebook(tmp_path / "reports")
    for i in range(2):
        r = result(i, "an answer")
        r.participant_id = r.participant = ""
        r.key = r.file[:-len(".ipynb")]
        gb.store_result(r)
    write_reports(gb, tmp_path / "reports", load_spec(), pages=False)
    gb.close()
    assert main(["export", "--format", "moodle-feedback"]) == 1
    said = " ".join(capsys.readouterr().out.split())
    assert "nothing to upload: no graded notebook has a Moodle participant (2 graded outside" in said
    assert "pass --worksheet FILE" in said and not (tmp_path / "reports" / "moodle_feedback.zip").exists()
    (tmp_path / "worksheet.csv").write_text(WORKSHEET)
    assert main(["export", "--format", "moodle-feedback", "--worksheet", "worksheet.csv"]) == 0
    with zipfile.ZipFile(tmp_path / "reports" / "moodle_feedback.zip") as zf:
        assert sorted(zf.namelist()) == ["Anna Huber_5500_assignsubmission_file_/feedback.html",
                                         "Ben Gruber_5501_assignsubmission_file_/feedback.html"]


def test_a_merge_whose_reports_cannot_be_written_says_the_grades_are_stored(place, capsys):
    """A hundred-and-ninety-first review: a feedback folder the merge could not write to ended it in a
    traceback, the grades already stored and nothing said of them."""
    text = (place / "blank.csv").read_text().splitlines()
    (place / "one.csv").write_text("\n".join([text[0], text[1].replace(",,", ",8,", 1)]) + "\n")
    shutil.rmtree(place / "reports" / "feedback", ignore_errors=True)
    (place / "reports" / "feedback").write_text("in the way")         # unwritable, also for root
    assert main(["manual", "merge", "one.csv"]) == 4
    captured = capsys.readouterr()
    said = " ".join((captured.out + captured.err).split())
    assert said.startswith("error: 1 grade(s) changed and stored in reports/gradebook.sqlite, but summary.csv and "
                           "the feedback pages were not rewritten from them:"), said
    assert "then run grader feedback --reports reports to write them" in said
    gb = manual.open_gradebook(place / "reports")
    try:
        assert len(gb.grades()) == 1          # stored, though the pages were not written
    finally:
        gb.close()


def test_a_folder_named_like_a_notebook_is_said_not_skipped_silently(place, capsys):
    """A hundred-and-ninety-first review: a folder `Assignment_7_Dir_k70000003.ipynb` had no line
    and no row: a student's upload gone without a word."""
    (place / "odd" / "Assignment_7_Dir_k70000003.ipynb").mkdir(parents=True)
    assert main(["grade", "odd"]) == 1
    captured = capsys.readouterr()
    said = " ".join((captured.out + captured.err).split())
    assert ("skipped Assignment_7_Dir_k70000003.ipynb: a folder named like a notebook, not a notebook file" in said), said


def test_a_notebook_the_grader_may_not_read_is_unreadable_with_its_reason(monkeypatch):
    """A hundred-and-ninety-first review: a file without read permission was a "grader error:
    PermissionError", as if the grader were broken (as root the permission cannot be taken away:
    the read fails as it would)."""
    from pathlib import Path

    from grader.notebook import NotebookError, load_notebook

    def refused(self):
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "read_bytes", refused)
    with pytest.raises(NotebookError) as err:
        load_notebook(REF / "template.ipynb")
    assert str(err.value).startswith("cannot read the file: Permission denied; a TA: give the grader read access")


def test_grading_a_zip_says_where_a_notebook_can_be_read_afterwards(place, capsys):
    """A hundred-and-ninety-fourth review looked for the unpacked folder to read a flagged notebook's
    code: it is temporary; the console says so, and where the cells are kept."""
    with zipfile.ZipFile(place / "pdfs.zip", "w") as zf:
        zf.writestr("Eva Lu_5503_assignsubmission_file_/answers.pdf", b"%PDF-1.4")
    assert main(["grade", "pdfs.zip", "--out", "zipped"]) == 0       # Eva handed in no notebook: said so
    captured = capsys.readouterr()
    said = " ".join((captured.out + captured.err).split())
    assert ("(into a temporary folder, removed when grading ends: a notebook's own cells stay in its report's "
            ".json, under student_cells; unzip the zip to open one in Jupyter)") in said, said
