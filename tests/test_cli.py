"""The two commands as users run them: a TA's batch and a student's self-check."""
import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from .conftest import REF, ROOT, contains, hidden_strings

pytestmark = pytest.mark.slow


def run(args, cwd, env_home, timeout=600, env=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(env_home), "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def fast_spec_dir(tmp_path):
    """A copy of the reference folder whose spec has a 5 s cell limit: the spec drives the limits."""
    d = tmp_path / "assignment7"
    shutil.copytree(REF, d)
    text = (d / "spec.toml").read_text().replace("cell_timeout_s = 60", "cell_timeout_s = 5")
    (d / "spec.toml").write_text(text.replace('examples = "../../submissions/expected_scores.toml"\n', ""))
    return d


@pytest.fixture
def batch(tmp_path, make_nb):
    folder = tmp_path / "subs"
    (folder / "Jane Doe_1234_assignsubmission_file_").mkdir(parents=True)
    good = make_nb(name="Assignment_7_JaneDoe_k12345678.ipynb")
    shutil.copy(good, folder / "Jane Doe_1234_assignsubmission_file_" / good.name)
    loop = make_nb({"ann-relu": "while True:\n    pass"}, name="Assignment_7_MaxLoop_k00000002.ipynb")
    shutil.copy(loop, folder / loop.name)
    (folder / "Assignment_7_BadJson_k00000003.ipynb").write_text("{oops", encoding="utf-8")
    (folder / "Assignment_7_Empty_k00000004.ipynb").write_bytes(b"")
    (folder / "notes.txt").write_text("not a notebook")
    return folder


def test_grade_writes_every_report_despite_bad_notebooks(batch, tmp_path, fast_spec_dir, data_home):
    out = tmp_path / "reports"
    res = run(["grade", str(batch), "--out", str(out), "--spec", str(fast_spec_dir), "-j", "2"], tmp_path, data_home)
    assert res.returncode == 0, res.stderr + res.stdout
    assert "not a notebook" in res.stdout and "4 notebook(s)" in res.stdout
    names = sorted(p.name for p in out.glob("*.csv"))
    assert names == sorted(["Assignment_7_BadJson_k00000003.csv", "Assignment_7_Empty_k00000004.csv",
                            "Jane_Doe_1234.csv", "Assignment_7_MaxLoop_k00000002.csv",
                            "manual_answers.csv", "summary.csv"])
    rows = {r["file"]: r for r in csv.DictReader((out / "summary.csv").open())}
    assert float(rows["Assignment_7_JaneDoe_k12345678.ipynb"]["auto_points"]) == 50
    assert float(rows["Assignment_7_MaxLoop_k00000002.ipynb"]["code_3_2_models"]) == 5
    assert "timeout:ann-relu" in rows["Assignment_7_MaxLoop_k00000002.ipynb"]["flags"]
    assert rows["Assignment_7_BadJson_k00000003.ipynb"]["status"].startswith("unreadable")
    assert "empty" in rows["Assignment_7_Empty_k00000004.ipynb"]["status"]
    assert list(csv.DictReader((out / "summary.csv").open()))[0].keys() >= {
        "file", "name", "matr_number", "filename_ok", "calc_1_1", "calc_1_2", "calc_2", "code_3_1",
        "code_3_2_models", "code_3_2_train", "question_3_3", "auto_points", "auto_max", "flags", "status"}
    per = list(csv.DictReader((out / "Jane_Doe_1234.csv").open()))
    assert list(per[0]) == ["task", "check", "points", "max_points", "passed", "message"]

    # Second run: nothing changed, nothing regraded; --force regrades.
    again = run(["grade", str(batch), "--out", str(out), "--spec", str(fast_spec_dir)], tmp_path, data_home)
    assert "4 notebook(s) already graded and unchanged" in again.stdout
    assert "0 graded by this run in" in again.stdout
    # The same bytes under another name in the participant's folder: graded again, as that name (a
    # sixty-first review: skipped, and summary.csv kept the old name).
    jane = batch / "Jane Doe_1234_assignsubmission_file_"
    (jane / "Assignment_7_JaneDoe_k12345678.ipynb").rename(jane / "Assignment_7_JaneDoe_k12345678 (1).ipynb")
    renamed = run(["grade", str(batch), "--out", str(out), "--spec", str(fast_spec_dir)], tmp_path, data_home)
    assert "3 notebook(s) already graded and unchanged" in renamed.stdout, renamed.stdout
    rows = {r["file"]: r for r in csv.DictReader((out / "summary.csv").open())}
    assert "Assignment_7_JaneDoe_k12345678 (1).ipynb" in rows and "Assignment_7_JaneDoe_k12345678.ipynb" not in rows


def start_batch_and_wait_for_first_report(tmp_path, make_nb, data_home, spec_dir, n):
    """Start `grader grade` on n good notebooks; return (process, folder, out) once one report exists."""
    folder, out = tmp_path / "subs", tmp_path / "reports"
    folder.mkdir()
    for i in range(n):
        shutil.copy(make_nb(name=f"Assignment_7_StudentNr_k1000000{i}.ipynb"), folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home)}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(out),
                             "--spec", str(spec_dir), "-j", "1"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("Assignment_*.json"))) < 1:
        time.sleep(0.2)
    return proc, folder, out


def test_a_reader_that_goes_away_does_not_stop_the_batch(tmp_path, make_nb, data_home, fast_spec_dir):
    """A TA's review: `grader grade ... | head` killed the batch with a broken pipe: no
    summary.csv, no message. The batch now finishes in silence and writes every report."""
    folder = tmp_path / "subs"
    folder.mkdir()
    for i in range(3):
        shutil.copy(make_nb(name=f"Assignment_7_JaneDoe_k1234567{i}.ipynb"), folder)
    for i in range(8):        # a reports folder passed by mistake would print 600 of these
        (folder / f"notes{i}.txt").write_text("not a notebook")
    out = tmp_path / "reports"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(out), "--spec",
                             str(fast_spec_dir)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    first = [proc.stdout.readline() for _ in range(6)]
    proc.stdout.close()                  # as `head -6` does
    assert proc.wait(timeout=300) == 0
    assert sum("skipped notes" in line for line in first) == 5 and "... and 3 more file(s)" in first[5], first
    assert len(list(out.glob("Assignment_*.json"))) == 3 and (out / "summary.csv").exists()


def test_killed_batch_leaves_no_partial_files_and_resumes(tmp_path, make_nb, data_home, fast_spec_dir):
    proc, folder, out = start_batch_and_wait_for_first_report(tmp_path, make_nb, data_home, fast_spec_dir, 4)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for j in out.glob("*.json"):
        json.loads(j.read_text())          # every report on disk is complete
    db = sqlite3.connect(out / "gradebook.sqlite")   # and the gradebook keeps every committed result
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    db.close()
    assert len(list(out.glob("Assignment_*.json"))) in (done, done - 1)   # killed between the two, at worst
    assert 1 <= done < 4
    res = run(["grade", str(folder), "--out", str(out), "--spec", str(fast_spec_dir)], tmp_path, data_home)
    assert f"{done} notebook(s) already graded" in res.stdout
    assert len(list(out.glob("Assignment_*.json"))) == 4
    assert not list(out.glob(".*.tmp"))


def test_ctrl_c_keeps_finished_reports_and_stops_the_workers(tmp_path, make_nb, data_home, fast_spec_dir):
    proc, folder, out = start_batch_and_wait_for_first_report(tmp_path, make_nb, data_home, fast_spec_dir, 8)
    proc.send_signal(signal.SIGINT)
    text, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, text
    assert "interrupted: finished reports are kept" in text
    done = len(list(out.glob("Assignment_*.json")))
    assert 1 <= done < 8 and (out / "summary.csv").exists()
    # the summary says how many are left, not only "N notebook(s): N graded" (a new TA's review)
    assert f"interrupted: {done} of 8 notebook(s) graded by this run, {8 - done} not yet" in " ".join(text.split())
    res = run(["grade", str(folder), "--out", str(out), "--spec", str(fast_spec_dir)], tmp_path, data_home)
    assert f"{done} notebook(s) already graded" in res.stdout and f"{8 - done} graded by this run in" in res.stdout


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_kill_or_a_closed_terminal_stops_a_batch_as_ctrl_c_does(tmp_path, make_nb, data_home, fast_spec_dir, sig):
    """Review 481: `kill` (SIGTERM) or a dropped SSH session (SIGHUP) ended `grader grade` with exit 143 or 129, no
    summary.csv and no word; the finished reports are kept and the TA told to run it again, as after Ctrl-C."""
    proc, folder, out = start_batch_and_wait_for_first_report(tmp_path, make_nb, data_home, fast_spec_dir, 8)
    proc.send_signal(sig)
    text, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, text
    assert "interrupted: finished reports are kept" in text and (out / "summary.csv").exists()
    done = len(list(out.glob("Assignment_*.json")))
    assert 1 <= done < 8
    res = run(["grade", str(folder), "--out", str(out), "--spec", str(fast_spec_dir)], tmp_path, data_home)
    assert f"{done} notebook(s) already graded" in res.stdout and f"{8 - done} graded by this run in" in res.stdout


def test_a_closed_terminal_does_not_stop_a_batch_started_with_nohup(tmp_path, make_nb, data_home, fast_spec_dir):
    """Review 484: `nohup grader grade ... &` was stopped by the SIGHUP nohup had it ignore; a signal ignored when the
    grader starts stays ignored."""
    folder, out = tmp_path / "subs", tmp_path / "reports"
    folder.mkdir()
    for i in range(3):
        shutil.copy(make_nb(name=f"Assignment_7_StudentNr_k1000000{i}.ipynb"), folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home)}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(out), "--spec",
                             str(fast_spec_dir), "-j", "1"], cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("Assignment_*.json")):
        time.sleep(0.2)
    proc.send_signal(signal.SIGHUP)
    text, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "interrupted" not in text, text
    assert len(list(out.glob("Assignment_*.json"))) == 3


def test_a_batch_renders_every_students_files_again(tmp_path, make_nb, data_home, fast_spec_dir):
    """Review 481: a grade saved by the web app whose server was killed before it rendered the student's files left
    the student's CSV and JSON behind the gradebook, and a later `grader grade` that graded nothing new rewrote only
    summary.csv. Every student's files follow the gradebook after a batch now."""
    from grader.gradebook import Gradebook, gradebook_path
    folder, out = tmp_path / "subs", tmp_path / "reports"
    folder.mkdir()
    for i in range(2):
        shutil.copy(make_nb(name=f"Assignment_7_StudentNr_k1000000{i}.ipynb"), folder)
    args = ["grade", str(folder), "--out", str(out), "--spec", str(fast_spec_dir)]
    assert run(args, tmp_path, data_home).returncode == 0
    key = "Assignment_7_StudentNr_k10000000"
    gb = Gradebook(gradebook_path(out))
    gb.set_grade(key, "calc_1_1", items=[], adjust=7, comment="see the second line", ta="ben", expected_version=0)
    gb.close()                       # saved, never rendered: as after a kill -9 of `grader serve`
    assert "see the second line" not in (out / f"{key}.csv").read_text()
    res = run(args, tmp_path, data_home)
    assert "2 notebook(s) already graded" in res.stdout
    assert "see the second line" in (out / f"{key}.csv").read_text()
    assert json.loads((out / f"{key}.json").read_text())["checks"][0]["points"] == 7


def test_a_forced_regrade_stopped_by_ctrl_c_resumes_with_the_notebooks_it_left(tmp_path, make_nb, data_home,
                                                                               fast_spec_dir):
    """A TA's review: after Ctrl-C in `grade --force`, "run the same command again" regraded all,
    and without --force the notebooks it never reached were skipped with their old results."""
    proc, folder, out = start_batch_and_wait_for_first_report(tmp_path, make_nb, data_home, fast_spec_dir, 8)
    proc.communicate(timeout=300)                                # a first, whole run
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "200"}
    forced = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(out), "--spec",
                               str(fast_spec_dir), "--force", "-j", "1"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines = []
    for line in forced.stdout:                                   # the first notebook regraded: stop there
        lines.append(line)
        if "StudentNr" in line:
            forced.send_signal(signal.SIGINT)
            break
    text = "".join(lines) + forced.communicate(timeout=60)[0]
    assert forced.returncode == 130 and "without --force to grade the" in " ".join(text.split()), text
    # (what the stopped run says is left, its own count of what it recorded: under load a second notebook may be
    # recorded as the Ctrl-C arrives, its line told in the same step but after the line the test stopped at)
    left = re.search(r"to grade the (\d+) notebook\(s\) left", " ".join(text.split()))
    assert left is not None, text
    redone = 8 - int(left.group(1))
    assert 1 <= redone < 8, text
    res = run(["grade", str(folder), "--out", str(out), "--spec", str(fast_spec_dir)], tmp_path, data_home)
    assert f"{redone} notebook(s) already graded" in res.stdout and f"{8 - redone} graded by this run in" in res.stdout, \
        (text, res.stdout)


def test_a_forced_regrade_killed_with_kill_9_resumes_with_the_notebooks_it_left(tmp_path, make_nb, data_home,
                                                                                fast_spec_dir):
    """An eighty-first review: after kill -9 of `grade --force` the record of what was left is never
    rewritten, and the rerun graded all eight notebooks again, not the seven left."""
    proc, folder, out = start_batch_and_wait_for_first_report(tmp_path, make_nb, data_home, fast_spec_dir, 8)
    proc.communicate(timeout=300)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "200"}
    forced = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(out), "--spec",
                               str(fast_spec_dir), "--force", "-j", "1"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    for line in forced.stdout:
        if "StudentNr" in line:
            os.killpg(forced.pid, signal.SIGKILL)
            break
    forced.wait(timeout=60)
    db = sqlite3.connect(out / "gradebook.sqlite")
    record = json.loads(db.execute("SELECT value FROM meta WHERE key='regrade_left'").fetchone()[0])
    since = record["since"]
    redone = db.execute("SELECT COUNT(*) FROM submissions WHERE graded_at >= ?", (since,)).fetchone()[0]
    db.close()
    assert len(record["keys"]) == 8 and 1 <= redone < 8          # the end of the run never came
    res = run(["grade", str(folder), "--out", str(out), "--spec", str(fast_spec_dir)], tmp_path, data_home)
    assert f"{redone} notebook(s) already graded" in res.stdout and f"{8 - redone} graded by this run in" in res.stdout, res.stdout


def test_student_check_shows_what_to_fix_and_sets_the_exit_code(tmp_path, data_home):
    good = run(["check", str(ROOT / "submissions" / "Assignment_7_JaneDoe_k12345678.ipynb")], tmp_path, data_home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "ready to hand in" in good.stdout and "To fix" not in good.stdout
    assert "automatic points: 40 of the 40 checked now (of 50 in all)" in " ".join(good.stdout.split()) and "Question 3.3 (10 points) scored at grading" in good.stdout
    assert "format ok" in good.stdout
    tpl = tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb"
    shutil.copy(REF / "template.ipynb", tpl)
    bad = run(["check", str(tpl)], tmp_path, data_home)
    assert bad.returncode == 1
    assert "To fix" in bad.stdout and "NotImplementedError" in bad.stdout
    # one error that cost a class's five checks is said once (a student's review: five times)
    assert "✗ ANN_sigmoid: builds, layers, forward shape, activations, seeded" in bad.stdout
    assert " ".join(bad.stdout.split()).count("`ANN_sigmoid` is not written yet: it raises NotImplementedError") == 1
    # train_and_test's placeholder is said once, the other checks point there (a seventy-sixth review)
    assert "✗ Code 3.2: train_and_test: epochs, test, plots, final_weights" in bad.stdout
    assert " ".join(bad.stdout.split()).count("raised NotImplementedError") == 0
    for value in hidden_strings():
        assert not contains(good.stdout + bad.stdout, value)        # hidden parameters stay hidden
    solution = run(["check", str(REF / "solution.ipynb")], tmp_path, data_home)
    assert solution.returncode == 0, solution.stdout
    def checked(edit) -> tuple[int, str]:
        """`grader check` of the solution as ``edit`` leaves its cells: exit status and output on one line."""
        nb = json.loads((REF / "solution.ipynb").read_text())
        edit(nb["cells"])
        tpl.write_text(json.dumps(nb))
        res = run(["check", str(tpl)], tmp_path, data_home)
        return res.returncode, " ".join(res.stdout.split())

    def cell(cells, cell_id):
        return next(c for c in cells if c.get("id") == cell_id)

    # a test cell deleted: no point lost, but not the notebook handed out (a student's review: "ready")
    code, said = checked(lambda cells: cells.remove(cell(cells, "ann-relu-test")))
    assert code == 1 and "to fix: a cell to copy back as the template has it (see deleted above)" in said, said
    assert "deleted (ann-relu-test: `test_model = ANN_relu(d_in, d_out)`): a cell of the template is missing" in said
    # A test of another cell's class at a cell's end runs in Jupyter: nothing to fix, and no word of
    # Jupyter's Run All stopping (a fairness review, F6: it was a "cell that stops Jupyter's Run All").
    code, said = checked(lambda cells: cell(cells, "train-and-test").update(
        source="".join(cell(cells, "train-and-test")["source"]) + "\n\nprint(ANN_relu(784, 10))\n"))
    assert code == 0 and "ready to hand in" in said, said
    assert "graded-alone (" in said and "in Jupyter it runs" in said and "Run All stops" not in said
    # A seed of one's own in the class passes with the public seed, the notebook's own, and costs `seeded` at
    # grading: listed to fix (a fairness review, 291: "ready to hand in")
    code, said = checked(lambda cells: cell(cells, "ann-sigmoid").update(source="".join(cell(cells, "ann-sigmoid")["source"])
                         .replace("super().__init__()\n", "super().__init__()\n        torch.manual_seed(66)\n")))
    assert code == 1 and "to fix: the value fixed in a cell (see fixed-value above)" in said, said
    assert "`torch.manual_seed(66)` in class `ANN_sigmoid`, line 5: the grader seeds before it builds the model" in said
    # A copy of a graded class added below it is what Run All uses: listed to fix (a fairness review, 297)
    code, said = checked(lambda cells: cells.insert(cells.index(cell(cells, "ann-sigmoid")) + 1, {
        **cell(cells, "ann-sigmoid"), "id": "0a1b2c3d", "outputs": [], "execution_count": None}))
    assert code == 1 and "to fix: the copy you added of a graded class or function (see redefined above)" in said, said

@pytest.mark.parametrize("columns", [80, 120])
def test_student_check_fits_the_terminal_without_breaking_words(tmp_path, data_home, columns):
    nb = ROOT / "submissions" / "Assignment_7_MaxMustermann_k01234567.ipynb"
    for extra in ([], ["--all"]):
        env = {"COLUMNS": str(columns)}
        res = run(["check", *extra, str(nb)], tmp_path, data_home, env=env)
        lines = res.stdout.splitlines()
        tokens = set(res.stdout.split())
        assert all(len(line) <= columns for line in lines), [line for line in lines if len(line) > columns]
        for title in ("Calculation 1.1", "ANN_sigmoid and ANN_relu", "train_and_test"):
            assert title in res.stdout                              # never cut inside a task's name
        for needle in ("log_softmax", "hyperparameters['lr']", "hyperparameters['epochs']"):
            assert needle in tokens or any(needle in t for t in tokens), needle
    short = run(["check", str(nb)], tmp_path, data_home, env={"COLUMNS": str(columns)})
    assert len(short.stdout.splitlines()) < 50 and "✗" in short.stdout


def test_help_explains_the_commands(tmp_path, data_home):
    res = run(["--help"], tmp_path, data_home)
    assert res.returncode == 0 and "grade" in res.stdout and "check" in res.stdout
    res = run(["grade", "--help"], tmp_path, data_home)
    assert "--out" in res.stdout and "--jobs" in res.stdout and "--force" in res.stdout
    res = run(["grade", str(tmp_path / "nope")], tmp_path, data_home)
    assert res.returncode == 2 and "no such file or folder" in res.stdout and "Traceback" not in res.stderr


def test_two_notebooks_for_one_matriculation_number_are_both_flagged():
    from grader.cli.grade import _flag_duplicates
    from grader.results import SubmissionResult
    a, b, c = (SubmissionResult(file=f, matr_number=m) for f, m in
               (("x.ipynb", "k12345678"), ("y.ipynb", "k12345678"), ("z.ipynb", "k00000001")))
    _flag_duplicates([a, b, c])
    assert "duplicate-matr" in a.flags and "duplicate-matr" in b.flags and not c.flags
    assert a.matr_number == b.matr_number == "k12345678"           # maybe one student's two versions


def test_a_number_two_notebooks_give_is_named_after_the_batch(tmp_path, make_nb, data_home, fast_spec_dir):
    """An eighty-seventh review: two lines with a ✓ each, then "2 flagged", and no line said why."""
    folder = tmp_path / "subs"
    for group in ("groupA", "groupB"):
        (folder / group).mkdir(parents=True)
        shutil.copy(make_nb(), folder / group / "Assignment_7_JaneDoe_k12345678.ipynb")
    res = run(["grade", str(folder), "--out", str(tmp_path / "reports"), "--spec", str(fast_spec_dir)], tmp_path,
              data_home)
    said = " ".join(res.stdout.split())
    assert ("! duplicate-matr: 2 notebooks give a matriculation number another gives too (a TA checks whose it is): "
            "groupA/Assignment_7_JaneDoe_k12345678.ipynb, groupB/Assignment_7_JaneDoe_k12345678.ipynb") in said, said


def test_a_classmates_number_in_a_well_named_file_is_used_for_nobody():
    """Twenty-fourth review: Max named his file with his own name and Jane's number; both rows of
    summary.csv said k12345678, and marks copied by number put Max's on Jane's."""
    from grader.cli.grade import _flag_duplicates
    from grader.results import SubmissionResult
    jane = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", matr_number="k12345678",
                            participant_id="5501", participant="Jane Doe")
    max_ = SubmissionResult(file="Assignment_7_MaxMustermann_k12345678.ipynb", matr_number="k12345678",
                            participant_id="5502", participant="Max Mustermann")
    again = SubmissionResult(file="Assignment_7_MaxMustermann_k01234567.ipynb", matr_number="k01234567",
                             participant_id="5502", participant="Max Mustermann")
    twice = SubmissionResult(file="Assignment_7_MaxMustermann_k01234567 (1).ipynb", matr_number="k01234567",
                             participant_id="5502", participant="Max Mustermann")
    _flag_duplicates([jane, max_, again, twice])
    assert jane.matr_number == max_.matr_number == "" and "duplicate-matr" in jane.flags + max_.flags
    assert "another participant's file name says the same number" in jane.details[0]
    assert "Max" not in jane.details[0] and "5502" not in jane.details[0]
    assert again.matr_number == twice.matr_number == "k01234567"     # one participant's two uploads
    # The number spelled without its 'k' (or with 'K') is the same number (a twenty-eighth review).
    ann = SubmissionResult(file="a.ipynb", matr_number="k01234567", participant_id="5503")
    bob = SubmissionResult(file="b.ipynb", matr_number="01234567", participant_id="5504")
    _flag_duplicates([ann, bob])
    assert ann.matr_number == bob.matr_number == "" and "duplicate-matr" in ann.flags + bob.flags


def _check_subparser(parser):
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices["check"]


def test_the_students_check_parses_as_under_the_full_command_line():
    """`grader check` builds only its own parser (to start the worker sooner); it must read every
    option exactly as the full command line does, and print the same help."""
    from grader.cli import build_parser
    full, alone = _check_subparser(build_parser()), _check_subparser(build_parser(only_check=True))
    assert alone.format_help() == full.format_help()
    argv = ["check", "--all", "--spec", "s", "--data", "d", "--engine", "nbclient", "x.ipynb"]
    a, b = vars(build_parser().parse_args(argv)), vars(build_parser(only_check=True).parse_args(argv))
    assert a.keys() == b.keys() and all(a[k] == b[k] for k in a if k != "run")
    assert a["run"] is b["run"]


def test_the_students_check_starts_its_worker_before_loading_the_grading_libraries(tmp_path):
    """What runs before the worker is started imports neither the notebook libraries nor the
    gradebook or web app: a student's check waits for PyTorch's import, not for both."""
    probe = ("import sys\n"
             "from grader.cli import build_parser\n"
             "from grader.cli.common import spec_of\n"
             "from grader.data import ensure_dataset\n"
             "from grader.engines import engine_setup, make_engine\n"
             "args = build_parser(only_check=True).parse_args(['check', 'x.ipynb'])\n"
             "make_engine('fork', engine_setup(spec_of(args), ensure_dataset()[0], 1))\n"
             "print(sorted(m for m in ('nbformat', 'grader.pipeline', 'grader.gradebook', 'flask', 'torch', "
             "'pandas', 'jsonschema') if m in sys.modules))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_ctrl_c_while_the_check_starts_ends_it_at_once_and_leaves_no_worker(tmp_path, data_home):
    """A student who presses Ctrl-C while the worker still imports PyTorch gets the prompt back at
    once, with a line instead of a traceback, and no process of the checker is left running."""
    import psutil
    nb = tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb"
    shutil.copy(REF / "solution.ipynb", nb)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_DATA": str(data_home), "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "check", str(nb)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Short-lived helpers (a sandbox tool's probe) come and go first: wait for a descendant that
        # is still there a moment later, the worker.
        deadline, workers = time.monotonic() + 60, []
        while not workers and time.monotonic() < deadline:
            seen = {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
            time.sleep(0.3)
            workers = [p for p in psutil.Process(proc.pid).children(recursive=True) if p.pid in seen]
        assert workers, "the check started no worker"
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        t0 = time.monotonic()
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert time.monotonic() - t0 < 5
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in out and "Traceback" not in err
    _, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive


def test_a_second_batch_into_the_same_reports_folder_is_refused(tmp_path, make_nb, data_home, fast_spec_dir):
    """A new TA's review started `grader grade` twice into one folder: both graded everything."""
    import fcntl
    folder, out = tmp_path / "subs", tmp_path / "reports"
    folder.mkdir()
    shutil.copy(make_nb(), folder / "Assignment_7_JaneDoe_k12345678.ipynb")
    out.mkdir()
    held = os.open(out / ".grade.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)          # as a running batch holds it
    try:
        res = run(["grade", str(folder), "--out", str(out), "--spec", str(fast_spec_dir)], tmp_path, data_home)
    finally:
        os.close(held)
    assert res.returncode == 1 and "another grader grade is writing to" in res.stdout + res.stderr
    assert not (out / "gradebook.sqlite").exists()
    res = run(["grade", str(folder), "--out", str(out), "--spec", str(fast_spec_dir)], tmp_path, data_home)
    assert "1 graded in" in res.stdout


def test_check_opens_no_hidden_file(tmp_path, data_home, monkeypatch, capsys):
    """An eighty-fifth review traced `grader check` opening hidden.toml and answer_key.toml (to hash
    them), against what hidden.toml says of itself."""
    from grader.cli import main
    from grader.spec import Spec
    file = Spec.file
    opened = []

    def watched(self, key):
        if key in ("hidden", "answer_key"):
            opened.append(key)
        return file(self, key)
    monkeypatch.setattr(Spec, "file", watched)
    monkeypatch.setenv("GRADER_DATA", str(data_home))
    path = tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb"
    shutil.copy(REF / "solution.ipynb", path)
    assert main(["check", str(path)]) == 0
    assert "ready to hand in" in capsys.readouterr().out and opened == []
    # A mistyped --data is said, not filled silently (an eighty-fifth review).
    typo = tmp_path / "nodata"
    assert main(["check", str(path), "--data", str(typo)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert f"data: no FashionMNIST in {typo}: the checker wrote its deterministic stand-in there" in said
    assert main(["check", str(path), "--data", str(typo)]) == 0
    assert "no FashionMNIST" not in capsys.readouterr().out                # there now: nothing to say


def test_check_says_while_a_cell_runs_long(tmp_path, data_home, monkeypatch, capsys):
    """Seventy-sixth review: an endless loop kept `grader check` silent for a minute in a pipe."""
    import nbformat
    from grader.cli import check, main
    monkeypatch.setattr(check, "STILL_RUNNING_AFTER", 0.5)
    monkeypatch.setenv("GRADER_DATA", str(data_home))
    nb = nbformat.read(REF / "solution.ipynb", as_version=4)
    for c in nb.cells:
        if c.get("id") == "ann-relu":
            c.source = "import time\ntime.sleep(4)\n" + c.source
    path = tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb"
    nbformat.write(nb, path)
    main(["check", str(path)])
    out = capsys.readouterr().out
    assert out.startswith("still checking after 0.5 s: a cell that runs long (an endless loop?) is stopped after 60 s")
