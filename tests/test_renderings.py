"""Scores and identities mean the same in every rendering: feedback pages, summary.csv, the
gradebook export and JUnit (no engine: results made by hand)."""
import csv
import io
import xml.etree.ElementTree as ET

import pytest

from grader.exports import gradebook, junit
from grader.feedback import student_page, write_feedback
from grader.identity import counting
from grader.report import summary_csv
from grader.results import CheckResult, Review, SubmissionResult
from grader.spec import load_spec

from .gradebook_helpers import PROOF, result

SPEC = load_spec()


def no_notebook() -> SubmissionResult:
    r = SubmissionResult(file="Eva Lu_5504_assignsubmission_file_ (no notebook)", status="no notebook handed in",
                         flags=["no-notebook"], participant_id="5504", participant="Eva Lu", key="Eva_Lu_5504")
    r.checks = [CheckResult(t.id, "notebook", t.max_points, 0.0, False,
                            "no .ipynb notebook was handed in (found: answers.pdf)", manual_task=t.kind == "manual")
                for t in SPEC.tasks]
    return r


def lea() -> tuple[SubmissionResult, SubmissionResult]:
    final = result(0, PROOF, name="Lea Müller", matr="k11111111")
    final.key, final.participant_id = "Lea_Müller_5505-2", "5505"
    draft = result(0, None, calc_1_2=None, name="Lea Müller", auto=0.0)
    draft.key, draft.participant_id = "Lea_Müller_5505-1", "5505"
    draft.file, draft.name, draft.matr_number, draft.filename_ok = "Assignment_7_LeaMueller_draft.ipynb", \
        "LeaMueller", "", False
    return final, draft


def test_a_participant_without_a_notebook_gets_a_plain_page_not_a_list_of_failures():
    page = student_page(no_notebook(), SPEC)
    assert "No notebook was handed in" in page and "(it held: answers.pdf)" in page
    assert "Eva Lu</b> (participant 5504)" in page and "0 / 100" in page
    assert "Failed" not in page and "naming rules" not in page and "notebook, notebook" not in page
    assert 'id="checks"' not in page


def test_the_name_in_moodle_stands_in_for_a_file_name_that_gives_none():
    r = result(2, PROOF)
    r.file, r.name, r.matr_number, r.filename_ok = "assignment7_john_smith.ipynb", "", "", False
    page = student_page(r, SPEC)
    assert "<b>Clara Bauer</b> (participant 5502) — assignment7_john_smith.ipynb" in page and "? (?)" not in page
    row = next(csv.DictReader(io.StringIO(summary_csv([r], SPEC))))
    assert row["name"] == "Clara Bauer" and row["matr_number"] == "" and row["participant_id"] == "5502"
    r.participant, r.participant_id = "", ""               # nothing but the file: named once
    page = student_page(r, SPEC)
    assert "<p><b>assignment7_john_smith.ipynb</b></p>" in page and page.count("assignment7_john_smith.ipynb") == 2


def test_each_notebook_of_several_says_whether_it_counts_and_why(tmp_path):
    final, draft = lea()
    choice = counting([final, draft])
    assert "Counted: this notebook, the higher total so far (2 vs 0 points), of 2 handed in (not counted: " \
           "Assignment_7_LeaMueller_draft.ipynb)." in student_page(final, SPEC, choice[final.key])
    assert f"Not counted: 2 notebooks were handed in and {final.file} counts, the higher total so far" in \
           student_page(draft, SPEC, choice[draft.key])
    write_feedback(tmp_path, {r.key: r for r in (final, draft)}, SPEC)
    assert 'id="counted"' in (tmp_path / "feedback" / "Lea_Müller_5505-1.html").read_text()
    rows = {r["file"]: r for r in csv.DictReader(io.StringIO(summary_csv([final, draft], SPEC)))}
    assert rows[final.file]["counted"] == "True" and rows[draft.file]["counted"] == "False"
    assert rows[draft.file]["matr_number"] == ""          # a draft has no matriculation number 'draft'


def test_the_gradebook_export_has_one_row_per_student_the_notebook_that_counts():
    final, draft = lea()
    rows = list(csv.DictReader(io.StringIO(gradebook({r.key: r for r in (draft, final, no_notebook())}, SPEC))))
    assert [(r["name"], r["file"], r["notebooks"]) for r in rows] == [
        ("Lea Müller", final.file, "2"), ("Eva Lu", no_notebook().file, "0")]
    assert rows[0]["note"].startswith("Counted: this notebook") and rows[1]["participant_id"] == "5504"
    assert [r["key"] for r in rows] == [final.key, no_notebook().key]      # what `gradebook override` takes


def test_junit_partial_credit_has_its_points_and_waiting_answers_are_skipped():
    r = result(0, PROOF, calc_1_2="an answer", calc_2=None)
    graded = next(c for c in r.checks if c.task == "calc_1_2")
    graded.points, graded.passed, graded.message = 9.0, False, "graded by a TA: 9/15"
    graded.review = Review(ta="ta", at="t")
    r.checks.append(CheckResult("question_3_3", "a_", 2.0, 2.0, True, "right"))
    r.checks.append(CheckResult("code_3_2_train", "optimizer", 4.0, 2.0, False, "lr not from the argument"))
    suite = ET.fromstring(junit({r.key: r}))[0]
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    points = {k: c.find("properties/property[@name='points']").get("value") for k, c in cases.items()}
    assert points[("calc_1_2", "answer")] == "9" and points[("code_3_2_train", "optimizer")] == "2"
    partial = cases[("code_3_2_train", "optimizer")]
    assert partial.find("failure") is None and "partial credit: 2/4 points" in partial.find("system-out").text
    assert cases[("calc_1_2", "answer")].find("failure") is None
    waiting = cases[("calc_1_1", "answer")]                  # no TA has graded it
    assert waiting.find("skipped") is not None and waiting.find("failure") is None
    unanswered = cases[("calc_2", "answer")]
    assert unanswered.find("failure") is not None and "graded by a TA" not in ET.tostring(unanswered, "unicode")
    zero = cases[("code_3_2_models", "ANN_relu: activations")]
    assert zero.find("failure") is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == (str(len(cases)), "2", "1")
    text = junit({r.key: r})
    assert text.count("graded by a TA") == 1                 # only for the answer a TA graded


def test_feedback_says_partial_for_partial_credit_as_junit_does():
    r = result(0, PROOF)
    c = r.checks[0]
    c.points, c.passed, c.message = 8.5, False, "graded by a TA: 8.5/10"
    c.review = Review(ta="ta", at="t", adjust=8.5)                      # merged from the CSV: no rubric items
    page = student_page(r, SPEC)
    row = page.split("<td>answer</td>", 1)[1].split("</tr>", 1)[0]
    assert '<span class="manual">partial</span>' in row and "Adjustment" not in row
    zero = page.split("ANN_relu: activations", 1)[1].split("</tr>", 1)[0]
    assert '<span class="fail">fail</span>' in zero


def test_a_feedback_page_says_whether_its_total_is_final():
    """A new TA's review: every page said "total so far: 94.5", also when every answer was graded,
    and out of nothing."""
    waiting = result(0, PROOF)                                      # calc_1_1 waits for a TA
    assert "total so far: <b>" in student_page(waiting, SPEC) and "(written answers still to be graded)" in \
        student_page(waiting, SPEC)
    done = result(0, None, calc_1_2=None)                           # all unanswered: 0, nothing waits
    page = student_page(done, SPEC)
    assert f"total: <b>{done.total_points:g} / " in page and "so far" not in page.split('id="score"')[1][:400]
    # ... and summary.csv says how many answers wait (its total looked final: a new TA's review)
    rows = list(csv.DictReader(io.StringIO(summary_csv([waiting, done], SPEC))))
    assert [row["pending"] for row in rows] == [str(waiting.pending), "0"] and waiting.pending >= 1


def test_the_overview_counts_notebooks_as_the_terminal_does():
    """A new TA's review: the terminal said 4 flagged, the overview 5 (a participant without a
    notebook), and its "most common failed checks" listed 'code_3_1: notebook'."""
    from grader.cli.grade import totals
    from grader.feedback import overview_page
    flagged = result(1, PROOF)
    flagged.flags = ["filename"]
    batch = [result(0, PROOF), flagged, no_notebook()]
    page = overview_page(batch, SPEC, {})
    assert "1 flagged" in page and "code_3_1: notebook" not in page
    assert 'id="no-notebook"' in page and "Eva Lu" in page and "answers.pdf" in page     # listed apart
    assert "1 flagged" in totals(batch, 3, 1.0)[0]
    assert "automatic points; " in totals(batch, 3, 1.0)[0]           # every notebook graded: no qualifier
    # A re-run that graded none of them again (a hundred-and-fifty-ninth review: "2 graded ... 0 graded in").
    assert totals(batch, 0, 1.1)[0].endswith("0 graded by this run in 1.1 s, the others before")
    assert totals(batch, 3, 1.0)[0].endswith("3 graded in 1.0 s")
    broken = result(2, PROOF)
    broken.status = "unreadable"
    line = totals([*batch, broken], 4, 1.0)[0]
    assert "automatic points (of the graded notebooks)" in line, line  # a sixty-first review: "one per student"
    page = overview_page([*batch, broken], SPEC, {})
    assert "an unreadable notebook or none counts 0 here" in page


def test_the_overview_says_nothing_is_flagged_or_failed_instead_of_empty_tables():
    """A new TA's review: a batch without a flag showed a table of headers only."""
    from grader.feedback import overview_page
    clean = result(0, PROOF)
    clean.flags = []
    for c in clean.checks:
        if c.passed is False and not c.manual_task:
            c.passed, c.points = True, c.max_points
    page = overview_page([clean], SPEC, {})
    assert '<p id="flagged">No submission is flagged.</p>' in page and '<table id="flagged">' not in page
    assert '<p id="failed">No automatic check failed.</p>' in page
    clean.flags = ["filename"]
    assert '<table id="flagged">' in overview_page([clean], SPEC, {})


def test_a_feedback_page_says_what_its_flags_mean():
    r = result(0, PROOF)
    r.flags = ["raised:ann-sigmoid"]
    r.details = ["cell 'ann-sigmoid' raised NameError: name 'ANN_relu' is not defined; `ANN_sigmoid` was defined "
                 "before that and is checked as the cell left it <b>"]
    page = student_page(r, SPEC)
    assert '<ul id="details"><li>cell &#x27;ann-sigmoid&#x27; raised NameError' in page and "&lt;b&gt;" in page
    assert "Jupyter&#x27;s Run All stops there" in page
    r.flags, r.details = ["extra-import:numpy", "extra-import:pandas"], []       # a fairness review: a bare tag
    page = student_page(r, SPEC)
    help_list = page.split('<ul id="flag-help">', 1)[1].split("</ul>", 1)[0]
    assert help_list.count("<li>") == 1 and "imports a module the template&#x27;s imports cell does not list" in help_list


def test_the_overview_counts_each_student_once_and_lists_every_student():
    """A new TA's review: a draft that did not count entered the mean and the failed checks, and
    a student without a flag had no link from the overview."""
    from grader.feedback import overview_page
    final, draft = lea()
    for c in final.checks:
        if not c.manual_task:
            c.passed, c.points = True, c.max_points
    other = result(1, PROOF)
    page = overview_page([final, draft, other], SPEC, {final.key: "a.html", draft.key: "b.html", other.key: "c.html"})
    mean = (final.auto_points + other.auto_points) / 2
    assert f"mean automatic points {mean:.1f} (of the graded notebooks; one notebook per student: 1 that do not count are left out" in page
    failed = page.split('id="failed"', 1)[1].split("</table>", 1)[0]
    assert ">2<" not in failed                       # the draft's failures are not counted
    table = page.split('id="students"', 1)[1].split("</table>", 1)[0]
    assert all(f'href="{x}.html"' in table for x in "abc")
    assert "does not count" in table and ">counts<" in table


def test_an_unreadable_notebook_is_said_once_and_is_no_failed_check_of_the_class():
    """A new TA's review: the reason stood in every row of the page, and the overview listed
    `code_3_1: notebook` among the most common failed checks."""
    from grader.feedback import overview_page
    why = "unreadable: the file is not valid notebook JSON (Unterminated string starting at line 60, column 5)"
    r = SubmissionResult(file="Assignment_7_KimPark_k12121212.ipynb", name="KimPark", matr_number="k12121212",
                         filename_ok=True, status=why, flags=["unreadable"], key="kim")
    r.checks = [CheckResult(t.id, "notebook", t.max_points, 0.0, False, "the notebook could not be read: " + why[12:],
                            manual_task=t.kind == "manual") for t in SPEC.tasks]
    page = student_page(r, SPEC)
    assert page.count("Unterminated string") == 1 and page.count("not graded: see above") == len(SPEC.tasks)
    over = overview_page([r, result(1, PROOF)], SPEC, {})
    assert ": notebook" not in over


def test_a_messages_code_is_shown_as_code_and_stays_escaped():
    from grader.render import message_html
    assert message_html("`ANN_sigmoid(784, 10)` builds") == "<code>ANN_sigmoid(784, 10)</code> builds"
    assert message_html("`<img src=x onerror=alert(1)>` & `") == "<code>&lt;img src=x onerror=alert(1)&gt;</code> &amp; `"


def test_the_gradebook_row_of_a_counted_draft_has_the_participants_number():
    """A TA's review: Lea's row had no matriculation number because the notebook a TA chose to
    count (her draft) has none in its name, though her other notebook does."""
    final, draft = lea()
    draft.chosen_by = "tessa"
    rows = list(csv.DictReader(io.StringIO(gradebook({final.key: final, draft.key: draft}, SPEC))))
    assert len(rows) == 1 and rows[0]["file"] == draft.file and rows[0]["matr_number"] == "k11111111"


def test_a_regrade_line_says_a_file_changed_also_when_its_points_did_not():
    """A sixty-first review: two students handed in again, scored as before, and no line said so."""
    from grader.cli.grade import _change
    r = result(0, PROOF)
    r.sha256, r.extra["modified"] = "b" * 64, 200.0
    assert _change(r, (r.auto_points, "a" * 64, 100.0), []) == "  [dim](the file changed; points as before)[/]"
    assert _change(r, (r.auto_points, "b" * 64, 100.0), []) == ""                # the same file: nothing to say
    assert _change(r, (r.auto_points - 1, "a" * 64, 100.0), []).startswith("  [dim](was ")


def test_a_regrade_line_names_the_written_answers_that_changed_since_a_ta_graded_them():
    """A sixty-seventh review: after a resubmission only "1 written answer(s) wait" hinted that a
    TA's 22 points were now for an old text."""
    from grader.cli.grade import _regrade_waits
    from grader.results import Review
    r = result(0, PROOF)
    assert _regrade_waits(r, SPEC) == ""
    c = next(c for c in r.checks if c.manual_task and c.answer is not None)
    c.points, c.review = 8.0, Review("bob", "t", stale=True)
    said = _regrade_waits(r, SPEC)
    title = next(t.title for t in SPEC.tasks if t.id == c.task)
    assert f"answer changed since graded: {title} (graded by bob)" in said
    # An answer a resubmission left empty: the TA's grade no longer counts, and the line says so
    # (a hundred-and-tenth review read "points as before" while the total fell by the TA's 7).
    from grader.gradebook.decisions import KEPT_ASIDE
    c.review, c.answer, c.message = None, None, f"not answered ({KEPT_ASIDE})"
    said = _regrade_waits(r, SPEC)
    assert f"graded answer now empty: {title}; its TA grade no longer counts" in said


def test_escaped_dollars_open_no_formula_and_a_phantom_is_shown():
    """A seventieth review: `\\$ \\phantom{note} \\$` showed nothing to the TA where Jupyter shows the
    whole sentence; and the words between two escaped dollars ran together as one formula."""
    from grader.render import answer_html
    out = answer_html(r"It costs \$5 and \$10, and \phantom{SEEN} stays; $x^2$ is a formula.")
    assert "$5 and $10" in out and "SEEN" in out and out.count("<math") == 1
    out = answer_html(r"a note $\phantom{TO THE TA}$ here")
    assert "TO THE TA" in out and "mphantom" not in out


@pytest.mark.parametrize("define", [r"\def\q{n}{{\p}{\p}}", r"\newcommand{\q{n}}{{\p}{\p}}",
                                    r"\renewcommand\q{n}{{\p}{\p}}", r"\gdef\q{n}{{\p}{\p}}"])
def test_a_formula_that_defines_macros_is_shown_as_tex_not_expanded(define):
    r"""Review 346: a written answer's formula of macros each defined as two copies of the one before
    (`\def\qb{{\qa}{\qa}}`, twenty deep, 400 characters) grew to 19 MB of MathML when rendered, and took the TA's
    `grader manual export` and `grader serve` past 1 GB and a minute each (the converter's depth guard starts again
    inside each pair of braces). A formula that defines macros is shown as its TeX; others still render."""
    import resource

    from grader.render import answer_html
    letters = "abcdefghijklmnopqrstuvwxyz"
    parts = [r"\def\qa{x}"] + [define.replace("{n}", letters[i]).replace("\\p", "\\q" + letters[i - 1])
                                  for i in range(1, 22)]
    formula = "".join(parts) + "\\q" + letters[21]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = answer_html(f"A check of the identity: ${formula}$ and $x^2$.")
    assert len(out) < 20 * len(formula) and "formula shown as TeX" in out and out.count("<math") == 1, len(out)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024        # KB
    assert "<math" in answer_html(r"plain $\left(\frac{a}{b}\right) \leq \delta$ still renders")


@pytest.mark.parametrize("top", [1, 2, 4, 10, 15, 25, 50])
def test_the_overviews_bins_are_even_and_centred_on_whole_points(top):
    from grader.feedback import point_bins
    edges = point_bins(top)
    widths = {b - a for a, b in zip(edges, edges[1:])}
    assert len(widths) == 1 and len(edges) - 1 <= 11
    assert edges[0] == -0.5 and edges[-1] >= top + 0.5
    assert all(any(a < p < b for a, b in zip(edges, edges[1:])) for p in range(top + 1))   # never on an edge


def test_one_error_that_cost_several_checks_is_said_once_on_the_feedback_page():
    """A hundred-and-fifty-fourth review: a time-out's long sentence stood in five rows of one task."""
    r = result(0, PROOF)
    why = "the cell ran past its time limit of 60 s (an endless loop, or far more work than the task needs?)"
    train = [CheckResult("code_3_2_train", c, 4.0, 0.0, False, why)
             for c in ("optimizer", "epochs", "test", "plots", "final_weights")]
    r.checks = [c for c in r.checks if c.task != "code_3_2_train"] + train
    page = student_page(r, SPEC)
    assert page.count("ran past its time limit") == 1 and page.count("the same as above") == len(train) - 1
