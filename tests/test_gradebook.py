"""The gradebook: a TA's grade survives regrades, crashes and restarts; every output is rendered
from it; history is append-only with undo; groups never mix answers whose numbers differ."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from grader.gradebook import Conflict, UndoError, load_results, open_gradebook
from grader.gradebook import groups as grouping
from grader.gradebook.decisions import results as decided
from grader.gradebook.outputs import write_reports
from grader.gradebook.queue import needs_grading, next_ungraded, order
from grader.report import write_submission
from grader.spec import load_spec

from .conftest import ROOT
from .gradebook_helpers import PROOF, WRONG, cohort, filled, result


@pytest.fixture
def gb(tmp_path):
    g = filled(tmp_path / "reports")
    yield g
    g.close()


def test_regrade_keeps_grades_and_a_changed_answer_returns_to_the_queue(gb):
    item = gb.add_item("calc_1_1", 10, "correct proof", "well done", "ta1")
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[item.id], comment="clear", ta="ta1", expected_version=0)
    gb.set_grade("Ben_Gruber_5501", "calc_1_1", items=[item.id], ta="ta1", expected_version=0)
    # --force regrade: same answers, new automatic points.
    for r in cohort():
        r.checks[-1].points, r.checks[-1].passed = 1.0, True
        gb.store_result(r)
    res = decided(gb)
    assert res["Anna_Huber_5500"].task_points("calc_1_1") == 10
    assert res["Anna_Huber_5500"].checks[0].review.comment == "clear"
    assert res["Anna_Huber_5500"].total_points == 10 + 2 + 1
    # A resubmission with another answer: the grade stays (marked), the answer needs a TA again.
    changed = result(1, PROOF + " Also w = 0.")
    gb.store_result(changed)
    ben = decided(gb)["Ben_Gruber_5501"].checks[0]
    assert ben.points == 10 and ben.review.stale and "answer changed since graded" in ben.message
    answer = gb.answer("calc_1_1", "Ben_Gruber_5501")
    assert needs_grading(answer, gb.grade("Ben_Gruber_5501", "calc_1_1"))
    assert not needs_grading(gb.answer("calc_1_1", "Anna_Huber_5500"), gb.grade("Anna_Huber_5500", "calc_1_1"))
    p = gb.progress()["calc_1_1"]
    assert (p.graded, p.stale, p.answers) == (1, 1, 6)
    # Saving again confirms the grade for the new answer.
    gb.set_grade("Ben_Gruber_5501", "calc_1_1", items=[item.id], ta="ta2")
    assert not decided(gb)["Ben_Gruber_5501"].checks[0].review.stale


def test_editing_an_item_rescores_every_answer_that_carries_it(gb):
    good = gb.add_item("calc_1_1", 10, "correct proof", "", "ta1")
    sign = gb.add_item("calc_1_1", -3, "sign error", "check the sign", "ta1")
    for k in ("Anna_Huber_5500", "Ben_Gruber_5501"):
        gb.set_grade(k, "calc_1_1", items=[good.id, sign.id], ta="ta1")
    gb.set_grade("Clara_Bauer_5502", "calc_1_1", items=[good.id], ta="ta1")
    gb.update_item(sign.id, "ta1", points=-2)
    res = decided(gb)
    assert [res[k].task_points("calc_1_1") for k in ("Anna_Huber_5500", "Ben_Gruber_5501", "Clara_Bauer_5502")] == [8, 8, 10]
    gb.delete_item(sign.id, "ta1")
    assert decided(gb)["Anna_Huber_5500"].task_points("calc_1_1") == 10
    # Points stay within 0..max whatever the items add up to.
    gb.add_item("calc_1_1", 5, "bonus", "", "ta1")
    bonus = gb.rubric("calc_1_1").items[-1].id
    gb.set_grade("Clara_Bauer_5502", "calc_1_1", items=[good.id, bonus], ta="ta1")
    assert decided(gb)["Clara_Bauer_5502"].task_points("calc_1_1") == 10
    with pytest.raises(ValueError, match="would give every answer full marks"):   # items that give points
        gb.set_rubric_start("calc_1_1", "max", "ta1")
    gb.update_item(good.id, "ta1", points=-1)
    gb.update_item(bonus, "ta1", points=-1)
    gb.set_rubric_start("calc_1_1", "max", "ta1")
    gb.set_grade("David_Wagner_5503", "calc_1_1", items=[], adjust=-4, ta="ta1")
    assert decided(gb)["David_Wagner_5503"].task_points("calc_1_1") == 6


def test_a_stale_browser_cannot_overwrite_another_tas_grade(gb):
    item = gb.add_item("calc_1_1", 10, "correct", "", "ta1")
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[item.id], ta="ta1", expected_version=0)
    with pytest.raises(Conflict) as exc:
        gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[], ta="ta2", expected_version=0)
    assert exc.value.current.ta == "ta1"
    assert gb.grade("Anna_Huber_5500", "calc_1_1").items == (item.id,)
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[], ta="ta2", expected_version=1)   # after seeing it
    assert gb.grade("Anna_Huber_5500", "calc_1_1").ta == "ta2"


def test_history_is_append_only_and_undo_restores(gb):
    item = gb.add_item("calc_1_1", 10, "correct", "", "ta1")
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[item.id], ta="ta1")
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[], comment="no", ta="ta2")
    db = gb.read()
    for sql in ("UPDATE history SET after=NULL", "DELETE FROM history", "DELETE FROM changes",
                "UPDATE changes SET ta='x'"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    last = gb.changes()[0]
    assert last.ta == "ta2" and last.action == "grade"
    h = gb.history(last.id)[0]
    assert json.loads(h["before"]["items"]) == [item.id] and h["after"]["comment"] == "no"
    gb.undo(last.id, "ta2")
    g = gb.grade("Anna_Huber_5500", "calc_1_1")
    assert g.items == (item.id,) and g.comment == "" and g.ta == "ta1"
    with pytest.raises(UndoError, match="undone already"):
        gb.undo(last.id, "ta2")
    # An undo is refused when the record changed since (nothing silently lost).
    first = [c for c in gb.changes() if c.action == "grade" and c.ta == "ta1"][0]
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[], ta="ta3")
    with pytest.raises(UndoError, match="changed since"):
        gb.undo(first.id, "ta1")
    assert gb.grade("Anna_Huber_5500", "calc_1_1").ta == "ta3"


def test_overrides_need_a_reason_and_reach_the_feedback(gb, tmp_path):
    with pytest.raises(ValueError, match="reason"):
        gb.set_override("Anna_Huber_5500", "code_3_2_models", "ANN_relu: activations", 1, " ", "ta1")
    with pytest.raises(ValueError, match="outside"):
        gb.set_override("Anna_Huber_5500", "code_3_2_models", "ANN_relu: activations", 5, "x", "ta1")
    with pytest.raises(ValueError, match="written answer"):
        gb.set_override("Anna_Huber_5500", "calc_1_1", "answer", 5, "x", "ta1")
    gb.set_override("Anna_Huber_5500", "code_3_2_models", "ANN_relu: activations", 1, "regrade request: "
                    "torch.relu is fine", "ta1")
    r = decided(gb)["Anna_Huber_5500"]
    c = next(c for c in r.checks if c.check == "ANN_relu: activations")
    assert c.points == 1 and c.review.auto_points == 0 and "torch.relu is fine" in c.message
    assert r.auto_points == 3
    spec = load_spec()
    out = tmp_path / "reports"
    write_reports(gb, out, spec)
    page = (out / "feedback" / "Anna_Huber_5500.html").read_text()
    assert "Changed by a TA (was 0/1): regrade request: torch.relu is fine" in page
    assert gb.changes()[0].action == "override"
    from grader.feedback import student_page                   # a resubmission got the point itself: no
    c.review.auto_points = 1.0                                # "Changed by a TA (was 1/1)" (a TA's review)
    assert "Changed by a TA" not in student_page(r, spec)


def test_an_override_given_for_an_earlier_notebook_is_said_and_waits_for_a_ta(gb, tmp_path):
    """An eighty-first review: a TA accepted Max's answer once; Max handed in a wrong one, and the
    override kept giving the points, with the grade line, the page and `grader moodle` silent."""
    from grader import worksheet
    from tests.gradebook_helpers import result
    key, check = "Anna_Huber_5500", "ANN_relu: activations"
    gb.set_override(key, "code_3_2_models", check, 1, "torch.relu accepted", "ta1")
    assert gb.overrides(key)[(key, "code_3_2_models", check)].file_sha == f"{0:064x}"
    again = result(0, "a PROOF")                    # a resubmission, still failing the check
    again.sha256 = "f" * 64
    gb.store_result(again)
    r = decided(gb)[key]
    c = next(c for c in r.checks if c.check == check)
    assert c.points == 1 and c.review.earlier and r.overrides_to_review == [c]
    # In every file, not only on the console (an eighty-fourth review: 85 read as final in the CSVs).
    from grader.exports import gradebook as gradebook_csv, gradescope
    assert "override-earlier" in r.flags and r.flags.count("override-earlier") == 1
    assert "override-earlier" in gradebook_csv({key: r}, load_spec())
    assert "total so far" in gradescope(r)["output"]
    assert c.message.endswith("(given for an earlier notebook: kept until a TA looks again)")
    write_reports(gb, tmp_path / "out", load_spec())
    assert "for a notebook you handed in earlier; a TA will look again" in \
        (tmp_path / "out" / "feedback" / f"{key}.html").read_text()
    assert "for an earlier notebook: a TA will look again." in worksheet.feedback_comment(r)
    sheet = ("Identifier,Full name,Status,Grade,Maximum Grade,Feedback comments\n"
             "Participant 5500,Anna Huber,Submitted,,100.00,\n")
    assert [k for _, k in worksheet.fill(worksheet.read_worksheet(sheet.encode()), [r]).earlier] == [key]
    gb.set_override(key, "code_3_2_models", check, 1, "torch.relu accepted, also in the new one", "ta1")
    assert not decided(gb)[key].overrides_to_review            # decided again: for this notebook
    assert "override-earlier" not in decided(gb)[key].flags
    # A resubmission that earns the granted points itself needs nothing decided: automatic points.
    fixed = result(0, "a PROOF")
    fixed.sha256 = "e" * 64
    next(c for c in fixed.checks if c.check == check).points = 1.0
    gb.store_result(fixed)
    c = next(c for c in decided(gb)[key].checks if c.check == check)
    assert c.points == 1 and c.review is None


def test_an_older_gradebooks_overrides_gain_the_notebook_column_and_undo(tmp_path):
    reports = tmp_path / "reports"
    gb = open_gradebook(reports)
    from tests.gradebook_helpers import result
    gb.store_result(result(0, "x"))
    gb.set_override("Anna_Huber_5500", "code_3_2_models", "ANN_relu: activations", 1, "fine", "ta1")
    gb.close()
    from tests.gradebook_helpers import as_older_schema
    as_older_schema(reports, 2, "ALTER TABLE overrides DROP COLUMN file_sha", "DROP TRIGGER history_append_only_u",
                    "UPDATE history SET before=json_remove(before, '$.file_sha'), after=json_remove(after, '$.file_sha')")
    gb = open_gradebook(reports)
    try:
        ov = gb.overrides("Anna_Huber_5500")[("Anna_Huber_5500", "code_3_2_models", "ANN_relu: activations")]
        # The history knows which notebook's result was stored before the override was given.
        assert ov.file_sha == f"{0:064x}" and ov.points == 1
        assert not decided(gb)["Anna_Huber_5500"].overrides_to_review
        gb.undo(gb.changes()[0].id, "ta1")            # the filled-in column is no change by anyone
        assert not gb.overrides("Anna_Huber_5500")
    finally:
        gb.close()


def test_an_override_given_before_schema_3_is_said_after_a_resubmission(tmp_path):
    """An eighty-fourth review's fix (an override names its notebook) held only for new overrides:
    one given with an older grader applied silently to whatever was handed in later."""
    from tests.gradebook_helpers import as_older_schema, result
    reports = tmp_path / "reports"
    gb = open_gradebook(reports)
    gb.store_result(result(0, "x"))
    gb.store_result(result(1, "y"))
    gb.set_override("Anna_Huber_5500", "code_3_2_models", "ANN_relu: activations", 1, "fine", "ta1")
    resubmitted = result(0, "x, again")
    resubmitted.sha256 = "e" * 64
    gb.store_result(resubmitted)
    gb.close()
    as_older_schema(reports, 3, "UPDATE overrides SET file_sha=''")       # as schema 3 found them
    gb = open_gradebook(reports)
    try:
        ov = gb.overrides("Anna_Huber_5500")[("Anna_Huber_5500", "code_3_2_models", "ANN_relu: activations")]
        assert ov.file_sha == f"{0:064x}"
        r = decided(gb)["Anna_Huber_5500"]
        assert r.overrides_to_review and "override-earlier" in r.flags
        assert not decided(gb)["Ben_Gruber_5501"].overrides_to_review
    finally:
        gb.close()


def test_feedback_shows_rubric_items_and_comments(gb, tmp_path):
    good = gb.add_item("calc_1_1", 10, "correct proof", "the contradiction is clear", "ta1")
    sign = gb.add_item("calc_1_1", -2, "sloppy notation", "write w_1, not w1", "ta1")
    gb.set_grade("Ben_Gruber_5501", "calc_1_1", items=[good.id, sign.id], comment="Nice work overall.", ta="ta1")
    out = tmp_path / "reports"
    write_reports(gb, out, load_spec())
    page = (out / "feedback" / "Ben_Gruber_5501.html").read_text()
    assert "graded by a TA: 8/10" in page and "+10</b> correct proof — the contradiction is clear" in page
    assert "-2</b> sloppy notation — write w_1, not w1" in page and "Comment: Nice work overall." in page
    assert "ta1" not in page                      # the TA's name is for the course staff only
    data = json.loads((out / "Ben_Gruber_5501.json").read_text())
    review = data["checks"][0]["review"]
    assert review["items"][1] == {"description": "sloppy notation", "points": -2.0, "feedback": "write w_1, not w1"}


def test_a_tas_formula_in_a_comment_is_drawn_and_markup_stays_text(gb, tmp_path):
    """An eighty-third review: a TA's "$\\frac{1}{n}$" reached the student as raw TeX."""
    item = gb.add_item("calc_1_1", 5, "half", r"the mean needs $\frac{1}{n}$", "ta1")
    gb.set_grade("Ben_Gruber_5501", "calc_1_1", items=[item.id], ta="ta1",
                 comment="Use $\\sum_i x_i$.\n<script>alert(1)</script> costs *nothing*")
    out = tmp_path / "reports"
    write_reports(gb, out, load_spec())
    page = (out / "feedback" / "Ben_Gruber_5501.html").read_text()
    assert page.count("<math") == 2 and "\\frac" not in page and "\\sum" not in page
    assert "<br>&lt;script&gt;alert(1)&lt;/script&gt; costs *nothing*" in page and "<script>" not in page


def test_old_report_folders_are_imported_with_their_merged_grades(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    for r in cohort()[:3]:
        write_submission(out, r, r.key)
    data = json.loads((out / "Anna_Huber_5500.json").read_text())
    data["checks"][0].update(points=7.0, passed=False, message="graded by a TA: 7/10 — missing the last step")
    (out / "Anna_Huber_5500.json").write_text(json.dumps(data))
    results = load_results(out)
    assert set(results) == {"Anna_Huber_5500", "Ben_Gruber_5501", "Clara_Bauer_5502"}
    assert results["Anna_Huber_5500"].task_points("calc_1_1") == 7
    assert results["Anna_Huber_5500"].checks[0].review.comment == "missing the last step"
    assert results["Ben_Gruber_5501"].task_points("calc_1_1") is None
    assert (out / "gradebook.sqlite").exists()


def test_a_lost_gradebook_is_rebuilt_from_the_rendered_reports(gb, tmp_path):
    good = gb.add_item("calc_1_1", 10, "correct proof", "fine", "ta1")
    sign = gb.add_item("calc_1_1", -3, "sign error", "", "ta1")
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[good.id, sign.id], adjust=0.5, comment="ok", ta="ta1")
    gb.set_override("Ben_Gruber_5501", "code_3_2_models", "ANN_relu: activations", 1, "regrade", "ta2")
    out = tmp_path / "rendered"
    before = write_reports(gb, out, load_spec(), pages=False)
    after = load_results(out)             # no gradebook there: imported from the JSON
    for key in before:
        assert after[key].total_points == before[key].total_points, key
    anna = after["Anna_Huber_5500"].checks[0].review
    assert [i.description for i in anna.items] == ["correct proof", "sign error"] and anna.comment == "ok"


def test_load_results_reads_a_read_only_legacy_folder(tmp_path, monkeypatch):
    """A folder the user cannot write (a colleague's reports): imported into a temporary gradebook."""
    import grader.gradebook as package
    out = tmp_path / "reports"
    out.mkdir()
    write_submission(out, cohort()[0], "Anna_Huber_5500")

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(package, "open_gradebook", refuse)
    assert set(load_results(out)) == {"Anna_Huber_5500"}
    assert not (out / "gradebook.sqlite").exists()


def test_groups_never_mix_numbers_and_split_merge_are_undoable(gb):
    groups = grouping.groups(gb, "calc_1_1")
    members = {k: g.id for g in groups for k in g.members}
    assert members["Anna_Huber_5500"] == members["Ben_Gruber_5501"] == members["Clara_Bauer_5502"] == \
        members["Felix_Moser_5505"]                     # LaTeX, plain text, a typo: one answer
    assert members["David_Wagner_5503"] != members["Anna_Huber_5500"]   # 3 instead of 2
    assert members["Eva_Mayer_5504"] != members["Anna_Huber_5500"]
    big = members["Anna_Huber_5500"]
    new = grouping.split(gb, "calc_1_1", ["Clara_Bauer_5502"], "ta1")
    assert grouping.group_of(gb, "calc_1_1", "Clara_Bauer_5502").id == new
    with pytest.raises(ValueError, match="numbers"):
        grouping.merge(gb, "calc_1_1", members["David_Wagner_5503"], big, "ta1")
    grouping.merge(gb, "calc_1_1", new, big, "ta1")
    assert grouping.group_of(gb, "calc_1_1", "Clara_Bauer_5502").id == big
    gb.undo(gb.changes()[0].id, "ta1")                 # undo the merge: Clara is on her own again
    assert grouping.group_of(gb, "calc_1_1", "Clara_Bauer_5502").id == new
    # The answer changes: it is placed again (and a TA's placement no longer holds).
    gb.store_result(result(2, WRONG))
    assert grouping.group_of(gb, "calc_1_1", "Clara_Bauer_5502").id == members["David_Wagner_5503"]


@pytest.mark.parametrize("right,wrong", [
    (r"$L = e^{-s_6} + 1$", r"$L = e^{-s_6 + 1}$"),
    (r"$\delta = w_{63}\, x_1$", r"$\delta = w_{63\, x_1}$"),
    (r"$\frac{1}{2}x$", r"$\frac{1}{2x}$"),
    (r"$\sqrt{x} + 1$", r"$\sqrt{x + 1}$"),
    (r"$x^{(1)} + x^{(2)}$", r"$x^{(1) + x^{(2)}}$"),
])
def test_groups_never_join_formulas_whose_scopes_differ(tmp_path, right, wrong):
    """A thirty-eighth review: braces were dropped, so these read "the same once normalised", and
    a group grade gave the wrong one the right one's points (or the reverse)."""
    intro = "The backward pass through the last layer gives, with the chain rule and the values above, "
    book = filled(tmp_path / "reports", [result(0, intro + wrong), result(1, intro + right), result(2, intro + right)])
    try:
        members = {k: g.id for g in grouping.groups(book, "calc_1_1") for k in g.members}
        assert members["Anna_Huber_5500"] != members["Ben_Gruber_5501"] == members["Clara_Bauer_5502"]
    finally:
        book.close()


def test_groups_never_join_answers_that_negate_different_things(tmp_path):
    says = "ReLU does not saturate for large positive inputs, while the sigmoid does saturate, so ReLU trains faster."
    opposite = "ReLU does saturate for large positive inputs, while the sigmoid does not saturate, so ReLU trains faster."
    contracted = "ReLU doesn't saturate for large positive inputs, while the sigmoid does saturate, so ReLU trains faster."
    book = filled(tmp_path / "reports", [result(0, says), result(1, opposite), result(2, contracted)])
    try:
        members = {k: g.id for g in grouping.groups(book, "calc_1_1") for k in g.members}
        assert members["Anna_Huber_5500"] != members["Ben_Gruber_5501"]
        assert members["Anna_Huber_5500"] == members["Clara_Bauer_5502"]     # "does not" and "doesn't"
    finally:
        book.close()


def test_long_answers_group_only_when_equal(tmp_path):
    """A near-duplicate test costs the product of the lengths: pages of pasted text against every
    group stalled the app (a twenty-third review). Above FUZZY_MAX_CHARS only equal answers group."""
    words = " ".join(f"step{i} follows from the chain rule applied to layer {i % 7}." for i in range(1200))
    assert len(words) > grouping.FUZZY_MAX_CHARS
    typo = words.replace("step600 follows", "step600 folows")
    short, short_typo = PROOF, PROOF.replace("the", "teh", 1)
    book = filled(tmp_path / "reports", [result(0, words), result(1, words), result(2, typo),
                                         result(3, short), result(4, short_typo)])
    try:
        members = {k: g.id for g in grouping.groups(book, "calc_1_1") for k in g.members}
        assert members["Anna_Huber_5500"] == members["Ben_Gruber_5501"]
        assert members["Anna_Huber_5500"] != members["Clara_Bauer_5502"]
        assert members["David_Wagner_5503"] == members["Eva_Mayer_5504"]        # short: near-duplicates still join
    finally:
        book.close()


def test_group_grade_applies_to_every_member_but_never_over_another_tas_grade(gb):
    good = gb.add_item("calc_1_1", 10, "correct", "", "ta1")
    half = gb.add_item("calc_1_1", 5, "half", "", "ta1")
    gb.set_grade("Ben_Gruber_5501", "calc_1_1", items=[half.id], ta="ta2")
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[good.id], comment="ok", ta="ta1")
    res = grouping.apply_to_group(gb, "calc_1_1", "Anna_Huber_5500", "ta1")
    assert sorted(res.applied) == ["Clara_Bauer_5502", "Felix_Moser_5505"]
    assert [s.submission_key for s in res.skipped] == ["Ben_Gruber_5501"]
    assert gb.grade("Ben_Gruber_5501", "calc_1_1").items == (half.id,)
    assert gb.grade("Clara_Bauer_5502", "calc_1_1").comment == "ok"
    assert gb.grade("David_Wagner_5503", "calc_1_1") is None          # another group
    gb.undo(res.change, "ta1")
    assert gb.grade("Clara_Bauer_5502", "calc_1_1") is None and gb.grade("Felix_Moser_5505", "calc_1_1") is None


def test_diff_to_the_representative_is_escaped():
    html = grouping.diff_html("a <b> = 1", "a <script>alert(1)</script> = 1")
    for tag in ("<ins>", "</ins>", "<del>", "</del>"):
        html = html.replace(tag, "")
    assert "<" not in html and "&lt;" in html and "alert(1)" in html


def test_order_is_shuffled_per_ta_with_a_fixed_seed_and_by_group(gb):
    answers = gb.answers("calc_1_1")
    groups = grouping.groups(gb, "calc_1_1")
    a1 = order(answers, groups, "ta1", "calc_1_1", "shuffle", 7)
    assert a1 == order(answers, groups, "ta1", "calc_1_1", "shuffle", 7)
    assert sorted(a1) == sorted(a.key for a in answers)
    others = [order(answers, groups, f"ta{i}", "calc_1_1", "shuffle", 7) for i in range(2, 8)]
    assert any(o != a1 for o in others)
    by_group = order(answers, groups, "ta1", "calc_1_1", "group", 7)
    assert by_group[:4] == list(groups[0].members)


def test_next_ungraded_skips_graded_assigned_and_open_elsewhere(gb):
    answers = {a.key: a for a in gb.answers("calc_1_1")}
    keys = sorted(answers)
    groups = grouping.groups(gb, "calc_1_1")
    group_of = {k: g.id for g in groups for k in g.members}
    gb.set_grade(keys[0], "calc_1_1", items=[], ta="ta1")
    grades = {k: g for (k, _), g in gb.grades("calc_1_1").items()}
    assert next_ungraded(keys, None, answers, grades, "ta1", "calc_1_1", group_of, {}, set()) == keys[1]
    assert next_ungraded(keys, None, answers, grades, "ta1", "calc_1_1", group_of, {}, {keys[1]}) == keys[2]
    gb.assign("calc_1_1", "ta2", "ta1", group_id=group_of[keys[1]])
    assigned = gb.assignments()
    nxt = next_ungraded(keys, None, answers, grades, "ta1", "calc_1_1", group_of, assigned, set())
    assert group_of[nxt] != group_of[keys[1]]
    assert next_ungraded(keys, None, answers, grades, "ta2", "calc_1_1", group_of, assigned, set()) == keys[1]
    gb.assign("calc_1_1", "ta3", "ta1")               # the whole task to ta3 (ta2 keeps the group)
    assigned = gb.assignments()
    assert next_ungraded(keys, None, answers, grades, "ta1", "calc_1_1", group_of, assigned, set()) is None


WRITER = r"""
import sys, json
from pathlib import Path
sys.path.insert(0, {root!r})
from grader.gradebook import open_gradebook
from tests.gradebook_helpers import cohort
gb = open_gradebook(Path({reports!r}))
item = gb.add_item("calc_1_1", 10, "ok", "", "w")
keys = [r.key for r in cohort()]
n = 0
while True:
    for k in keys:
        n += 1
        gb.set_grade(k, "calc_1_1", items=[item.id], adjust=-(n % 7), comment=f"c{{n}}", ta="w")
        print(json.dumps([k, n]), flush=True)       # reported only after the commit
"""


def test_kill_9_of_a_writer_loses_nothing_committed(tmp_path):
    reports = tmp_path / "reports"
    filled(reports).close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), reports=str(reports))],
                            stdout=subprocess.PIPE, text=True)
    seen = {}
    for _ in range(200):                          # let it commit a while, then kill it mid-stream
        k, n = json.loads(proc.stdout.readline())
        seen[k] = n
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rest = proc.stdout.read().splitlines()      # committed and printed before the kill landed
    for line in rest:
        try:
            k, n = json.loads(line)
            seen[k] = n
        except ValueError:
            pass                                # a line cut by the kill
    gb = open_gradebook(reports)
    assert gb.read().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for k, n in seen.items():
        g = gb.grade(k, "calc_1_1")
        assert int(g.comment[1:]) >= n, (k, n, g.comment)   # the last reported commit (or a later one)
    gb.close()


def test_a_batch_and_a_grader_write_at_the_same_time(tmp_path):
    """WAL: the batch replaces automatic results while a TA grades; neither waits long or fails."""
    reports = tmp_path / "reports"
    filled(reports).close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), reports=str(reports))],
                            stdout=subprocess.PIPE, text=True)
    try:
        first = json.loads(proc.stdout.readline())[1]          # the grader is writing
        gb = open_gradebook(reports)
        t0 = time.time()
        for i in range(30):
            for r in cohort():
                r.checks[-1].points = float(i % 2)
                gb.store_result(r)
        assert time.time() - t0 < 60
        last = json.loads(proc.stdout.readline())[1]
        assert last > first                                     # it kept writing meanwhile
        assert proc.poll() is None                              # and never failed
        while last < len(gb.ids()):                             # a loaded machine starves the writer:
            last = json.loads(proc.stdout.readline())[1]        # wait for its first round over every key
        assert all(gb.grade(k, "calc_1_1") is not None for k in gb.ids())
        gb.close()
    finally:
        proc.kill()
        proc.wait()


def test_the_overview_lists_tasks_waiting_for_a_ta_instead_of_empty_charts(gb, tmp_path):
    out = tmp_path / "reports"
    write_reports(gb, out, load_spec())
    html = (out / "overview.html").read_text()
    drawn = re.search(r'alt="score distribution per task: ([^"]*)"', html).group(1).split(", ")
    assert "calc_1_1" not in drawn and "calc_2" not in drawn and "code_3_1" in drawn
    assert 'data-task="calc_1_1">Calculation 1.1: pending: 6 answers' in html
    assert 'data-task="calc_2">Calculation 2: pending: 1 answer (' in html
    gb.set_grade("Anna_Huber_5500", "calc_1_1", items=[], adjust=4, ta="ta1")
    write_reports(gb, out, load_spec())
    html = (out / "overview.html").read_text()
    assert "calc_1_1" in re.search(r'alt="score distribution per task: ([^"]*)"', html).group(1)
    assert 'data-task="calc_1_1"' not in html


def test_exports_written_once_stay_as_current_as_the_summary(tmp_path, spec):
    """A new TA's review found gradebook.csv, junit.xml and gradescope/ as the first export left
    them, beside a summary.csv that had every grade since. Once written, they are rewritten with it."""
    import csv
    from grader.exports import export
    out = tmp_path / "reports"
    gb = filled(out)
    write_reports(gb, out, spec, pages=False)
    for fmt in ("gradebook", "junit", "gradescope"):
        export(fmt, out, out, spec)
    anna = "Anna_Huber_5500"
    assert not any(row["calc_1_1"] for row in csv.DictReader((out / "gradebook.csv").open()))
    before = {p: p.read_text() for p in (out / "junit.xml", out / "gradescope" / "Anna_Huber_5500" / "results.json")}
    gb.set_grade(anna, "calc_1_1", adjust=7.0, ta="Tessa")
    write_reports(gb, out, spec, keys=[anna], pages=False)          # as serve does after a grade
    rows = {row["participant_id"]: row for row in csv.DictReader((out / "gradebook.csv").open())}
    assert rows["5500"]["calc_1_1"] in ("7", "7.0")
    assert all(p.read_text() != text for p, text in before.items())
    gb.close()


def test_a_moodle_upload_whose_grades_changed_is_renamed_outdated(tmp_path, spec):
    """A TA's review: grader moodle wrote Anna's 94; a merge and the app moved every other output to
    97.5, and the upload file kept 94 beside them, to be uploaded."""
    from grader.gradebook.outputs import remember_upload
    out = tmp_path / "reports"
    gb = filled(out)
    results = decided(gb)
    upload, earlier = out / "Grades-graded.csv", out / "Grades-pre-graded.csv"
    for path in (earlier, upload):      # a later review: two worksheets filled, only the last was renamed
        path.write_text("the grades as they were\n")
        remember_upload(gb, path, list(results.values()))
    write_reports(gb, out, spec, pages=False)                    # nothing changed: kept
    assert upload.exists() and earlier.exists()
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=7.0, ta="Tessa")
    write_reports(gb, out, spec, keys=["Anna_Huber_5500"], pages=False)
    assert not upload.exists() and (out / "Grades-graded.csv.outdated").read_text() == "the grades as they were\n"
    assert not earlier.exists() and (out / "Grades-pre-graded.csv.outdated").exists()
    gb.close()



@pytest.mark.parametrize("after", ["resubmission", "comment"])
def test_a_moodle_upload_is_renamed_outdated_when_its_points_stay_but_it_is_no_longer_what_would_be_written(
        tmp_path, spec, after):
    """Seventy-fifth review: a regrade sent Anna's graded calc_2 back to the queue, her old points
    still counted (the total did not move) and the upload kept its name: 90 for an answer nobody
    read. A hundred-and-twentieth: a TA's comment added after grader moodle wrote the worksheet left
    the file as it was, its feedback comments without it."""
    from grader.gradebook.outputs import remember_upload
    out = tmp_path / "reports"
    gb = filled(out)
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=7.0, ta="Tessa")
    upload = out / "Grades-graded.csv"
    upload.write_text("the grades as they were\n")
    remember_upload(gb, upload, list(decided(gb).values()))
    if after == "resubmission":
        gb.store_result(result(0, PROOF + " Resubmitted with one more sentence."))
        assert decided(gb)["Anna_Huber_5500"].pending                     # the old points count, not final
    else:
        gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=7.0, comment="see the sign in line 2", ta="Tessa")
    assert decided(gb)["Anna_Huber_5500"].task_points("calc_1_1") == 7   # the points did not move
    write_reports(gb, out, spec, keys=["Anna_Huber_5500"], pages=False)
    assert not upload.exists() and (out / "Grades-graded.csv.outdated").exists()
    gb.close()


def test_an_override_from_the_command_line_reaches_a_student_without_written_answers(tmp_path, capsys, monkeypatch):
    """A TA's review: a student who left every written answer blank (or handed in an unreadable
    file) has no page in grader serve, so a regrade request could not be recorded at all."""
    from grader.cli import main
    from grader.gradebook.decisions import results as decided
    from .gradebook_helpers import result
    monkeypatch.setenv("COLUMNS", "300")
    out = tmp_path / "reports"
    blank = result(0, None, calc_1_2=None)
    from grader.results import CheckResult
    blank.checks.append(CheckResult("code_3_2_models", "ANN_sigmoid: activations", 1.0, 0.0, False, "tanh, not sigmoid"))
    filled(out, [blank, result(1, PROOF)]).close()
    key, base = blank.key, ["--reports", str(out), "--ta", "tessa"]
    assert main(["override", key, *base]) == 0
    listed = capsys.readouterr().out
    assert "code_3_2_models: ANN_relu: activations  0/1" in listed
    assert "tanh, not sigmoid" in listed                      # what the student read (a sixty-first review)
    assert f'change one: grader override {key} "CHECK" POINTS --reason' in " ".join(listed.split())   # review 194
    assert main(["override", key, "activations", "1", "--reason", "x", *base]) == 2
    assert "'activations' is several checks of" in capsys.readouterr().out    # not "no automatic check"
    assert main(["override", key, "ANN_relu: activations", "1", *base]) == 2           # a reason is required
    said = " ".join(capsys.readouterr().out.split())    # with the option to give it (a hundred-and-tenth review)
    assert "needs a reason" in said and f'grader override {key} "ANN_relu: activations" 1 --reason' in said
    assert main(["override", key, "relu: nothing", "1", "--reason", "x", *base]) == 2
    assert f"grader override {key} lists them" in " ".join(capsys.readouterr().out.split())
    from grader.gradebook.outputs import remember_upload
    gb = open_gradebook(out)
    (out / "Grades-graded.csv").write_text("the grades as they were\n")
    remember_upload(gb, out / "Grades-graded.csv", list(decided(gb).values()))
    gb.close()
    assert main(["override", blank.file, "ANN relu:  activations", "1", "--reason", "tanh accepted", *base]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "ANN_relu: activations → 1/1 (tanh accepted), by tessa; automatic points 2 → 3" in said
    # The worksheet it made stale, said (a hundred-and-ninety-fourth review: renamed without a word).
    assert "no longer holds today's grades: renamed Grades-graded.csv.outdated; fill the worksheet again" in said
    gb = open_gradebook(out)
    r = decided(gb, [key])[key]
    assert r.auto_points == 3 and "tanh accepted" in (out / "feedback" / f"{key}.html").read_text()
    gb.close()
    # By the Moodle participant id a regrade request names (a seventy-fifth review: "no report '5500'").
    assert main(["override", blank.participant_id, *base]) == 0
    assert f"({key}): 3/" in capsys.readouterr().out
    assert main(["override", "99999", *base]) == 2
    assert "a Moodle participant id, umlauts may be typed as ae, oe, ue" in " ".join(capsys.readouterr().out.split())
    assert main(["override", key, "code_3_2_models: ANN_relu: activations", "--clear", *base]) == 0
    gb = open_gradebook(out)
    assert decided(gb, [key])[key].auto_points == 2 and not gb.overrides(key)
    gb.close()
    # A decimal comma, as the browser and the sheets take it (an eighty-first review: "invalid float value").
    assert main(["override", key, "ANN_relu: activations", "0,5", "--reason", "half", *base]) == 0
    assert "→ 0.5/1 (half)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        main(["override", key, "ANN_relu: activations", "1/2", "--reason", "half", *base])
    assert stop.value.code == 2 and "'1/2' is not a number of points" in capsys.readouterr().err


def test_a_file_name_two_students_share_names_both_reports(tmp_path, capsys, monkeypatch):
    """An eighty-first review: Tom handed in a file named like Jane's; `grader count FILE` said "no report"."""
    from grader.cli import main
    from .gradebook_helpers import result
    monkeypatch.setenv("COLUMNS", "300")
    out = tmp_path / "reports"
    jane, tom = result(0, PROOF), result(1, PROOF)
    tom.file = jane.file
    filled(out, [jane, tom]).close()
    assert main(["override", jane.file.removesuffix(".ipynb"), "--reports", str(out)]) == 2      # with or
    assert "2 notebooks are named" in capsys.readouterr().out                                 # without .ipynb
    assert main(["override", jane.file, "--reports", str(out)]) == 2
    said = " ".join(capsys.readouterr().out.split())
    assert f"2 notebooks are named '{jane.file}': {jane.key} (Anna Huber), {tom.key} (Ben Gruber); give the report key" \
        in said


def test_a_file_named_after_a_classmates_id_or_key_does_not_take_a_tas_change(tmp_path, capsys, monkeypatch):
    """Review 464: Mallory named her notebook `1001.ipynb` (or `Lea_Mueller_1001.ipynb`), and `grader override 1001
    ...`, the TA's regrade of participant 1001 as the request named her, gave the point to Mallory: a file name was
    tried before a participant id, and before the key typed without umlauts. A text that may mean two reports is
    refused, each listed with its notebook's path, which names it."""
    from grader.cli import main
    from grader.gradebook.decisions import results as decided
    from .gradebook_helpers import result
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setenv("GRADER_TA", "tessa")
    out = tmp_path / "reports"
    lea = result(0, PROOF, name="Lea Müller")
    lea.key, lea.participant_id, lea.participant = "Lea_Müller_1001", "1001", "Lea Müller"
    lea.path = "Lea Müller_1001_assignsubmission_file_/" + lea.file
    mallory = result(1, PROOF, name="Mallory Evil")
    mallory.key, mallory.participant_id, mallory.participant = "Mallory_Evil_1002", "1002", "Mallory Evil"
    filled(out, [lea, mallory]).close()
    change = ["ANN_relu: activations", "1", "--reason", "regrade of 1001 accepted", "--reports", str(out)]
    for typed in ("1001.ipynb", "Lea_Mueller_1001.ipynb", "Lea_Müller_1001.ipynb"):
        mallory.file = typed
        mallory.path = "Mallory Evil_1002_assignsubmission_file_/" + typed
        filled(out, [mallory]).close()
        said_as = typed.removesuffix(".ipynb")
        for said in ({"1001", said_as} if typed == "1001.ipynb" else {said_as}):
            assert main(["override", said, *change]) == 2, (typed, said)
            told = " ".join(capsys.readouterr().out.split())
            assert f"'{said}' may mean 2 reports:" in told and lea.path in told and mallory.path in told, told
        gb = open_gradebook(out)
        assert {k: r.auto_points for k, r in decided(gb).items()} == {lea.key: 2, mallory.key: 2}
        gb.close()
    # ... the path named
    assert main(["override", lea.path, *change]) == 0
    assert "Lea Müller" in capsys.readouterr().out
    gb = open_gradebook(out)
    assert {k: r.auto_points for k, r in decided(gb).items()} == {lea.key: 3, mallory.key: 2}
    gb.close()


def test_undo_from_the_command_line_skips_changes_that_changed_nothing(tmp_path, capsys, monkeypatch):
    """A TA's review: a sheet merged twice recorded an empty change; "undo my last" undid that one,
    said ok and left the grade. And only the web app could undo at all."""
    from grader.cli import main
    monkeypatch.setenv("COLUMNS", "300")
    out = tmp_path / "reports"
    gb = filled(out)
    gb.set_grade("Anna_Huber_5500", "calc_1_1", adjust=9.5, ta="ben")
    with gb.change("ben", "merge", "grades merged"):
        pass                                                   # the same sheet again: nothing changed
    assert gb.last_undoable("ben").action != "merge"
    gb.close()
    base = ["--reports", str(out), "--ta", "ben"]
    assert main(["undo", "--list", *base]) == 0
    listed = capsys.readouterr().out
    assert "ben  merge: grades merged" in listed
    assert "ben  grade calc_1_1 of Anna_Huber_5500: – → 9.5 points" in listed   # whose (a sixty-first review), the points (seventy-fifth)
    assert "numbers not listed are grading runs" in listed                # the regrade that stored the results
    assert all(len(line) <= 100 for line in listed.splitlines() if line.startswith("("))

    assert main(["undo", *base]) == 0
    assert "undid change" in capsys.readouterr().out
    gb = open_gradebook(out)
    assert gb.grade("Anna_Huber_5500", "calc_1_1") is None
    gb.close()
    assert main(["undo", *base]) == 2
    assert "nothing of ben's to undo" in capsys.readouterr().out


@pytest.mark.parametrize("right, wrong", [
    (r"The update is $w \leftarrow w - \eta \frac{\partial L}{\partial w}$ and with the chain rule "
     r"$\frac{\partial L}{\partial w} = (a - y) \sigma(z)(1-\sigma(z)) x$, so the weight moves against the gradient "
     r"and the loss goes down.",
     r"The update is $w \leftarrow w + \eta \frac{\partial L}{\partial w}$ and with the chain rule "
     r"$\frac{\partial L}{\partial w} = (y - a) \sigma(z)(1-\sigma(z)) x$, so the weight moves along the gradient "
     r"and the loss goes up."),
    ("The probability that a random input is classified correctly is at most 1/4 for every linear model here.",
     "The probability that a random input is classified correctly is at least 1/4 for every linear model here."),
    ("XOR is the AND of the two hidden units, which a single linear unit cannot compute on its own.",
     "XOR is the OR of the two hidden units, which a single linear unit cannot compute on its own."),
    (r"The hidden unit computes $\max(0, w x + b)$ and passes it on to the output layer of the network.",
     r"The hidden unit computes $\min(0, w x + b)$ and passes it on to the output layer of the network."),
    (r"The gradient is $\sigma(z)(1 - \sigma(z)) w x$ for the weight of the first layer of the network.",
     r"The gradient is $\sigma(x)(1 - \sigma(x)) w z$ for the weight of the first layer of the network."),
])
def test_groups_never_join_an_answer_with_its_one_word_opposite(tmp_path, right, wrong):
    _apart(tmp_path, right, wrong)


@pytest.mark.parametrize("right, wrong", [
    (r"$\delta_3 = \sigma'(s_3) w_{63} \delta_6$, so the hidden delta uses the derivative at the preactivation.",
     r"$\delta_3 = \sigma(s_3) w_{63} \delta_6$, so the hidden delta uses the derivative at the preactivation."),
    ("Since g_1 is linear, finding weights that solve XOR exactly is impossible, as the sum shows.",
     "Since g_1 is linear, finding weights that solve XOR exactly is possible, as the sum shows."),
    ("The hidden delta is zero because the ReLU is inactive at s_3, so the gradient for w_32 vanishes too.",
     "The hidden delta is nonzero because the ReLU is inactive at s_3, so the gradient for w_32 vanishes too."),
    ("The weights w_1 and w_2 would have to be equal to one and to zero at once, a contradiction.",
     "The weights w_1 and w_2 would have to be equal to two and to zero at once, a contradiction."),
    (r"From $x^{(2)}$ we need $w_1 = 1$ and from $x^{(3)}$ we need $w_2 = 1$, but then $x_4$ gives 2, not 0.",
     r"From $x^{(3)}$ we need $w_1 = 1$ and from $x^{(2)}$ we need $w_2 = 1$, but then $x_4$ gives 2, not 0."),
    (r"The gradient is $\frac{\partial L}{\partial w_{32}} = \delta_3 x_2 = 0.123456$ which is small.",
     r"The gradient is $\frac{\partial L}{\partial w_{32}} = \delta_3 x_2 = 0.1234564$ which is small."),
])
def test_groups_keep_apart_a_missing_prime_a_negating_prefix_a_number_word_and_a_superscript(tmp_path, right, wrong):
    """Seventy-eighth review: each pair was one group (95-99.5 % alike)."""
    _apart(tmp_path, right, wrong)


CHAIN = r"By the chain rule in this network, $\frac{\partial L}{\partial w_{32}} = \delta_3 x_2$ with $\delta_3 = w_{63} \delta_6$."


@pytest.mark.parametrize("right, wrong", [
    (CHAIN, CHAIN.replace(r"\delta_3 x_2", r"\delta_3 divided by x_2")),
    (CHAIN, CHAIN.replace(r"\delta_3 x_2", r"\delta_3 over x_2")),
    (CHAIN, CHAIN.replace(r"\delta_3 x_2", r"\delta_3 squared x_2")),
    (CHAIN, CHAIN.replace(r"w_{63} \delta_6", r"w_{63} inverse \delta_6")),
    (CHAIN, CHAIN.replace(r"\delta_3 x_2", r"|\delta_3 x_2|")),
    ("The two conditions give w_1 = 1 and w_2 = 1 in this network. Contradiction.",
     "The two conditions give w_1 = 1 and w_2 = 1 in this network. Fine."),
    ("The hidden delta vanishes after ReLU when the unit of this network is inactive.",
     "The hidden delta vanishes after leaky ReLU when the unit of this network is inactive."),
])
def test_groups_keep_apart_an_operation_written_as_a_word(tmp_path, right, wrong):
    """A hundred-and-eighty-fourth review: "\\delta_3 divided by x_2" joined "\\delta_3 x_2", and the
    group grade a TA gave with `g` gave the wrong answer 25/25."""
    _apart(tmp_path, right, wrong)


def test_a_listed_change_names_whose_records_it_touched_once():
    """A hundred-and-ninety-fourth review read "choose: participant 5505: ... counts — 5505"."""
    from grader.cli.reports import _touched
    assert _touched([{"ident": ["5505"]}], "participant 5505: Assignment_7_Lea_v2.ipynb counts") == ""
    assert _touched([{"ident": ["Anna_Huber_5500"]}], "ANN_relu: seeded → 0 points") == " — Anna_Huber_5500"
    assert _touched([{"ident": ["5505"]}], "participant 55051: x counts") == " — 5505"
    assert _touched([{"ident": ["a", 1], "entity": "grade"}, {"ident": ["b", 1], "entity": "grade"}]) == " — 2 grades changed"


def _apart(tmp_path, right, wrong):
    """Seventy-third review: a sign flip, swapped names and most/least, AND/OR, max/min joined the
    right answer's group, where `g` would give the opposite the right one's points."""
    typo = right.replace("network", "netwrok").replace("model here", "modle here")
    book = filled(tmp_path / "reports", [result(0, right), result(1, wrong), result(2, typo)])
    try:
        members = {k: g.id for g in grouping.groups(book, "calc_1_1") for k in g.members}
        assert members["Anna_Huber_5500"] != members["Ben_Gruber_5501"]
        assert members["Anna_Huber_5500"] == members["Clara_Bauer_5502"]       # a typo still joins
    finally:
        book.close()


@pytest.mark.parametrize("dash", ["\u2012", "\u207b", "\u208b", "\u2010", "\u2011", "\u2043", "\u2796", "\u02d7"])
def test_any_dash_before_a_number_is_its_sign(tmp_path, dash):
    """Seventy-ninth review: s_3 = ‒1.5 (U+2012, and seven other dashes) read as 1.5, so a right
    answer (ReLU of it is 0) and a wrong one (1.5) shared a group."""
    base = (r"s_3 = w_{31} x_1 + w_{32} x_2 = 0.5 \cdot 1 + (-1) \cdot 2 = {S}, a_3 = ReLU(s_3) = 0. s_6 = 1.5, "
            r"\hat y = 1.5, \delta_6 = \hat y - y = 0.5.")
    _apart(tmp_path, base.replace("{S}", dash + "1.5"), base.replace("{S}", "1.5"))
