"""The gradebook's store at its edges: what it refuses, what it records in the history (and what
it does not), what it reports back. Fast: one small SQLite file per test."""
from __future__ import annotations

import pytest

from grader.gradebook import Conflict, UndoError, answer_sha
from grader.gradebook.store import Gradebook

from .gradebook_helpers import PROOF, filled, result

ANNA, BEN, CLARA = "Anna_Huber_5500", "Ben_Gruber_5501", "Clara_Bauer_5502"


@pytest.fixture
def gb(tmp_path):
    g = filled(tmp_path / "reports", [result(0, PROOF), result(1, "w = 2", calc_1_2=None), result(2, None)])
    yield g
    g.close()


def test_meta_values_are_set_replaced_and_defaulted(gb):
    assert gb.meta("nothing") is None and gb.meta("nothing", "d") == "d"
    gb.set_meta("term", "2024S")
    gb.set_meta("term", "2024W")
    assert gb.meta("term") == "2024W" and gb.meta("schema") == "4"


def test_a_result_needs_its_key_and_storing_it_again_unchanged_records_nothing(gb):
    r = result(3, "x")
    r.key = ""
    with pytest.raises(ValueError, match="report key"):
        gb.store_result(r)
    head = gb.head()
    sid = gb.store_result(result(0, PROOF))
    assert gb.head() == head and gb.ids()[ANNA] == sid and gb.key_of(sid) == ANNA and gb.key_of(9999) is None
    changed = result(0, PROOF + " Also.")
    gb.store_result(changed, ta="batch", action="regrade")
    last = gb.changes(1)[0]
    assert (last.ta, last.action, last.summary) == ("batch", "regrade", "automatic result stored")
    assert gb.count() == 3 and gb.fingerprints()[ANNA] == ("test", f"{0:064x}")
    stored = gb.automatic([ANNA])[ANNA]
    assert stored.key == ANNA and stored.checks[0].answer == PROOF + " Also." and stored.checks[0].manual_task
    assert stored.checks[3].passed is True and stored.checks[0].passed is None and stored.participant_id == "5500"


def test_a_nul_in_student_text_is_stored_as_a_replacement_character(gb):
    gb.store_result(result(0, "w = 1\x00"))
    assert gb.answer("calc_1_1", ANNA).text == "w = 1\ufffd"


def test_answers_exclude_the_unanswered_and_know_their_sha(gb):
    answers = gb.answers("calc_1_2")
    assert [a.key for a in answers] == [ANNA, CLARA]
    assert gb.answer("calc_1_2", BEN) is None and gb.answer("calc_1_1", "nobody") is None
    a = gb.answer("calc_1_1", ANNA)
    assert (a.text, a.sha, a.max_points, a.task) == (PROOF, answer_sha(PROOF), 10.0, "calc_1_1")
    assert gb.manual_tasks() == ["calc_1_1", "calc_1_2", "calc_2"]
    assert answer_sha(None) == "" and answer_sha("a\x00") == answer_sha("a\ufffd")


def test_progress_counts_graded_stale_waiting_and_unanswered(gb):
    gb.set_grade(ANNA, "calc_1_1", ta="ta1")
    gb.set_grade(BEN, "calc_1_1", ta="ta2")
    gb.store_result(result(1, "w = 3", calc_1_2=None))              # Ben's answer changed: stale
    p = gb.progress()["calc_1_1"]
    assert (p.answers, p.graded, p.stale, p.unanswered, p.waiting, p.by_ta) == (2, 1, 1, 1, 1, {"ta1": 1})
    assert gb.progress()["calc_2"].unanswered == 3


def test_rubric_items_are_validated_and_edits_are_recorded(gb):
    assert gb.rubric("calc_1_1").start == "zero" and gb.rubric("calc_1_1").items == ()
    with pytest.raises(ValueError, match="'zero' or 'max'"):
        gb.set_rubric_start("calc_1_1", "half", "ta1")
    with pytest.raises(ValueError, match="needs a description"):
        gb.add_item("calc_1_1", 3, "  ", "", "ta1")
    a = gb.add_item("calc_1_1", 3, " idea ", " good ", "ta1")
    b = gb.add_item("calc_1_1", -1, "slip", "", "ta1")
    assert (a.description, a.feedback, a.pos, b.pos, b.id) == ("idea", "good", 1, 2, a.id + 1)
    assert gb.changes(1)[0].summary == "calc_1_1: new item -1 slip"
    with pytest.raises(KeyError):
        gb.update_item(999, "ta1", points=1)
    with pytest.raises(ValueError, match="unknown field"):
        gb.update_item(a.id, "ta1", colour="red")
    with pytest.raises(ValueError, match="needs a description"):
        gb.update_item(a.id, "ta1", description=" ")
    gb.set_grade(ANNA, "calc_1_1", items=[a.id], ta="ta1")
    c = gb.update_item(a.id, "ta1", points="4", pos=5)
    assert (c.points, c.pos) == (4.0, 5)
    assert gb.changes(1)[0].summary == "calc_1_1: item edited (+3 → +4) idea; 1 answer(s) carry it"
    gb.delete_item(b.id, "ta1")
    assert gb.changes(1)[0].summary.startswith("calc_1_1: item deleted (-1) slip")
    assert [i.id for i in gb.rubric("calc_1_1").items] == [a.id] and gb.all_items()[b.id].deleted
    with pytest.raises(ValueError, match=r"item “slip” \(-1\) was deleted .* after this page was loaded.*reload the page"):
        gb.set_grade(ANNA, "calc_1_1", items=[a.id, b.id], ta="ta2")    # another TA's page still ticks it
    gb.update_item(a.id, "ta1", points=-4)      # counting down, items deduct
    gb.set_rubric_start("calc_1_1", "max", "ta1")
    assert gb.rubric("calc_1_1").start == "max" and "down from the maximum" in gb.changes(1)[0].summary
    # ... and stay deductions: a bonus added or edited in later would give full marks (review 120)
    with pytest.raises(ValueError, match="counts down from the maximum: an item of \\+2 would give full marks"):
        gb.add_item("calc_1_1", 2, "bonus", "", "ta1")
    with pytest.raises(ValueError, match="an item of \\+1 would give full marks"):
        gb.update_item(a.id, "ta1", points=1)
    assert gb.rubric("calc_1_1").items[0].points == -4


def test_grades_refuse_unknown_items_and_answers_and_an_unchanged_save_is_no_change(gb):
    item = gb.add_item("calc_1_1", 5, "idea", "", "ta1")
    with pytest.raises(ValueError, match=r"rubric item\(s\) \[99\]"):
        gb.set_grade(ANNA, "calc_1_1", items=[99], ta="ta1")
    with pytest.raises(KeyError, match="no written answer"):
        gb.set_grade("nobody", "calc_1_1", ta="ta1")
    g = gb.set_grade(ANNA, "calc_1_1", items=[item.id, item.id], adjust=1, comment=" ok ", ta="ta1")
    assert (g.items, g.adjust, g.comment, g.version, g.answer_sha) == ((item.id,), 1.0, "ok", 1, answer_sha(PROOF))
    head = gb.head()
    assert gb.set_grade(ANNA, "calc_1_1", items=[item.id], adjust=1.0, comment="ok", ta="ta2").version == 1
    assert gb.head() == head
    assert gb.set_grade(ANNA, "calc_1_1", items=[], ta="ta2", expected_version=1).version == 2
    assert gb.changes(1)[0].summary == "calc_1_1: grade" and gb.changes(1)[0].action == "grade"
    assert gb.grades("calc_1_1")[(ANNA, "calc_1_1")].ta == "ta2" and gb.grades("calc_1_2") == {}
    assert list(gb.grades(keys=[BEN])) == [] and list(gb.grades(keys=[ANNA])) == [(ANNA, "calc_1_1")]
    assert gb.dump_grades()[0]["submission_key"] == ANNA


def test_clearing_a_grade_checks_the_version_and_records_it(gb):
    gb.clear_grade(ANNA, "calc_1_1", "ta1")                         # nothing to clear: no change
    assert not [c for c in gb.changes() if c.action == "grade"]
    gb.set_grade(ANNA, "calc_1_1", ta="ta1")
    with pytest.raises(Conflict):
        gb.clear_grade(ANNA, "calc_1_1", "ta2", expected_version=0)
    gb.clear_grade(ANNA, "calc_1_1", "ta2", expected_version=1)
    assert gb.grade(ANNA, "calc_1_1") is None and gb.changes(1)[0].summary == "calc_1_1: grade removed"
    with pytest.raises(Conflict) as exc:
        gb.set_grade(ANNA, "calc_1_1", ta="ta1", expected_version=3)
    assert exc.value.current is None and str(exc.value) == "changed meanwhile by another TA"


def test_overrides_are_checked_versioned_and_cleared(gb):
    check = ("code_3_2_models", "ANN_relu: activations")
    with pytest.raises(KeyError, match="no check"):
        gb.set_override(ANNA, "code_3_2_models", "nope", 1, "x", "ta1")
    with pytest.raises(ValueError, match=r"-1 is outside 0..1"):
        gb.set_override(ANNA, *check, -1, "x", "ta1")
    ov = gb.set_override(ANNA, *check, 1, " torch.relu is fine ", "ta1")
    assert (ov.points, ov.reason, ov.auto_points, ov.version) == (1.0, "torch.relu is fine", 0.0, 1)
    assert gb.changes(1)[0].summary == "code_3_2_models: ANN_relu: activations → 1 points (torch.relu is fine)"
    with pytest.raises(Conflict) as exc:
        gb.set_override(ANNA, *check, 0, "back", "ta2", expected_version=0)
    assert "(ta1, " in str(exc.value)
    assert gb.set_override(ANNA, *check, 0, "back", "ta2", expected_version=1).version == 2
    assert list(gb.overrides(ANNA)) == [(ANNA, *check)] and gb.overrides(BEN) == {}
    assert list(gb.overrides(keys=[ANNA, BEN])) == [(ANNA, *check)]
    gb.clear_override(ANNA, *check, "ta2")
    assert gb.overrides() == {} and "back to the automatic points" in gb.changes(1)[0].summary


def test_assignments_need_a_name_and_can_be_taken_back(gb):
    with pytest.raises(ValueError, match="a TA's name"):
        gb.assign("calc_1_1", " ", "ta1")
    gb.assign("calc_1_1", "ta2", "ta1")
    gb.assign("calc_1_1", "ta3", "ta1", group_id=4)
    assert gb.assignments() == {("calc_1_1", 0): {"ta2"}, ("calc_1_1", 4): {"ta3"}}
    assert gb.changes(1)[0].summary == "calc_1_1: group 4 assigned to ta3"
    gb.assign("calc_1_1", "ta2", "ta1", on=False)
    assert gb.assignments() == {("calc_1_1", 4): {"ta3"}}
    assert gb.changes(1)[0].summary == "calc_1_1: the task no longer assigned to ta2"


def test_the_history_lists_changes_by_ta_and_people_and_undo_refuses_what_it_cannot(gb):
    first = gb.head()
    gb.set_grade(ANNA, "calc_1_1", comment="a", ta="ta1")
    gb.set_grade(CLARA, "calc_1_1", comment="c", ta="ta2")
    assert [c.ta for c in gb.changes(ta="ta2")] == ["ta2"]
    people = gb.changes(people_only=True)
    assert [c.action for c in people] == ["grade", "grade"] and people[0].rows == 1
    assert len(gb.changes(limit=1)) == 1 and gb.changes()[-1].action == "regrade"
    since = gb.history_since(first)
    assert [(e, ident) for e, ident, _ in since] == [("grade", [ANNA, "calc_1_1"]), ("grade", [CLARA, "calc_1_1"])]
    assert gb.grade_of(since[0][2]).comment == "a"
    with pytest.raises(UndoError, match="no change 999"):
        gb.undo(999, "ta1")
    with pytest.raises(UndoError, match="a regrade cannot be undone"):
        gb.undo(gb.changes()[-1].id, "ta1")
    undo = gb.undo(people[0].id, "ta2")
    assert gb.grade(CLARA, "calc_1_1") is None
    listed = {c.id: c for c in gb.changes()}
    assert listed[people[0].id].undone_by == undo and listed[undo].undo_of == people[0].id
    assert listed[undo].summary == "undo of change %d: calc_1_1: grade" % people[0].id


def test_a_second_gradebook_on_the_same_file_sees_every_commit(gb):
    other = Gradebook(gb.path)
    gb.set_grade(ANNA, "calc_1_1", comment="seen", ta="ta1")
    assert other.grade(ANNA, "calc_1_1").comment == "seen" and other.count() == 3
    other.close()
    other.close()


def test_a_backup_while_the_gradebook_is_open_holds_every_grade(gb, tmp_path):
    """A new TA's review: `cp gradebook.sqlite` while `grader serve` ran gave a copy with none of
    the day's grades (they were still in the -wal file). `grader backup` copies them all."""
    import sqlite3
    from grader.cli import main
    reports = gb.path.parent
    gb.set_grade(ANNA, "calc_1_1", adjust=7.0, comment="fine", ta="Tessa")     # gb stays open, as serve's
    assert main(["backup", "--reports", str(reports), str(tmp_path / "copy.sqlite")]) == 0
    db = sqlite3.connect(tmp_path / "copy.sqlite")
    assert db.execute("SELECT comment FROM grades WHERE submission_key=?", (ANNA,)).fetchall() == [("fine",)]
    db.close()
    assert main(["backup", "--reports", str(reports), str(tmp_path / "copy.sqlite")]) == 1   # never overwritten
    # a folder not there yet (an unmounted stick, a TA's review) is a folder, not a file named so
    for folder in ("usb/", "stick"):
        assert main(["backup", "--reports", str(reports), str(tmp_path / folder)]) == 0
        assert (tmp_path / folder.rstrip("/")).is_dir()
        assert len(list((tmp_path / folder.rstrip("/")).glob("gradebook-*.sqlite"))) == 1


def test_undo_walks_back_through_a_tas_changes_one_by_one(gb):
    """A TA's review: after `u` undid the last change, the second `u` was refused ("changed since"),
    the TA's own undo counting as someone else's change."""
    first = gb.set_grade(ANNA, "calc_1_1", adjust=3.0, ta="Tessa", expected_version=0)
    gb.set_grade(CLARA, "calc_1_1", adjust=1.0, ta="Tessa")         # another answer between: a new change
    gb.set_grade(ANNA, "calc_1_1", adjust=5.0, ta="Tessa", expected_version=first.version)
    second, one = gb.changes()[0].id, gb.changes()[2].id
    gb.undo(second, "Tessa")
    assert gb.grade(ANNA, "calc_1_1").adjust == 3.0
    gb.undo(one, "Tessa")
    assert gb.grade(ANNA, "calc_1_1") is None


def test_one_answer_graded_in_one_go_is_one_change_and_one_undo(gb):
    """A sixty-first review: the browser saves the adjustment and then the comment, two changes;
    an undo left the new points with the old comment. Saves of one grade by one TA close together
    continue one change; the web app's cache still sees each (the history's head moves)."""
    gb.set_grade(ANNA, "calc_1_1", adjust=2.0, comment="old", ta="Tessa")
    gb.set_grade(CLARA, "calc_1_1", adjust=1.0, ta="Tessa")
    before = gb.changes(1)[0].id
    head = gb.head()
    v = gb.set_grade(ANNA, "calc_1_1", adjust=9.0, comment="old", ta="Tessa").version
    assert gb.head() > head
    gb.set_grade(ANNA, "calc_1_1", adjust=9.0, comment="new", ta="Tessa", expected_version=v)
    last = gb.changes(1)[0]
    assert last.id == before + 1 and last.rows == 2
    assert [gb.grade_of(a).comment for _, _, a in gb.history_since(head)] == ["old", "new"]
    gb.undo(last.id, "Tessa")
    g = gb.grade(ANNA, "calc_1_1")
    assert (g.adjust, g.comment) == (2.0, "old")
    gb.set_grade(ANNA, "calc_1_1", adjust=4.0, comment="old", ta="Tessa")     # after an undo: a change of its own
    gb.set_grade(ANNA, "calc_1_1", adjust=5.0, comment="old", ta="Ben")       # another TA: one of his
    assert [c.ta for c in gb.changes(2)] == ["Ben", "Tessa"] and gb.changes(1)[0].rows == 1


def test_a_move_carries_grades_keeps_the_new_ones_and_is_not_undone(gb):
    gb.set_grade(ANNA, "calc_1_1", adjust=7, comment="anna's", ta="tina")
    gb.set_grade(ANNA, "calc_2", adjust=20, ta="tina")
    gb.set_grade(BEN, "calc_2", adjust=3, ta="tina")
    moved, overrides, kept = gb.move_submission(ANNA, BEN, "tina")
    assert (moved, overrides, kept) == (["calc_1_1"], [], ["calc_2"])
    assert gb.grade(BEN, "calc_1_1").comment == "anna's" and gb.grade(BEN, "calc_2").adjust == 3
    assert ANNA not in gb.fingerprints() and gb.grade(ANNA, "calc_2") is None     # in the history only
    with pytest.raises(UndoError, match="a move cannot be undone"):
        gb.undo(gb.changes()[0].id, "tina")
    with pytest.raises(KeyError):
        gb.move_submission(ANNA, CLARA, "tina")                    # retired: no such report any more
    with pytest.raises(ValueError):
        gb.move_submission(CLARA, CLARA, "tina")
