"""The gradebook's decisions at their boundaries: how a TA's grade or override becomes points
(pure: ``decisions.apply``), which answers may share a group (never two whose numbers differ),
and the order a TA grades in. Fast: a small SQLite file per test, no engine."""
from __future__ import annotations

import pytest

from grader.gradebook import answer_sha
from grader.gradebook import groups as grouping
from grader.gradebook.decisions import apply, graded_message, review_of
from grader.gradebook.models import Answer, Grade, Override, Rubric, RubricItem
from grader.gradebook.queue import may_grade, needs_grading, next_ungraded, order, position
from grader.results import CheckResult, Review, SubmissionResult

from .gradebook_helpers import filled, result

ANSWER = "w = 1, so the network is linear."
ITEMS = (RubricItem(1, "calc_1_1", 1, 6.0, "idea", "good idea"), RubricItem(2, "calc_1_1", 2, 4.0, "proof"),
         RubricItem(3, "calc_1_1", 3, -3.0, "sign error", "check the sign"),
         RubricItem(4, "calc_1_1", 4, 5.0, "gone", deleted=True))


def submission(answer: str | None = ANSWER, auto: float = 0.0) -> SubmissionResult:
    r = SubmissionResult(file="Assignment_7_JaneDoe_k12345678.ipynb", key="jane")
    if answer is None:
        r.checks.append(CheckResult("calc_1_1", "answer", 10.0, 0.0, False, "not answered", manual_task=True))
    else:
        r.checks.append(CheckResult("calc_1_1", "answer", 10.0, None, None, "needs a TA", answer=answer,
                                    manual_task=True))
    r.checks.append(CheckResult("code_3_1", "imports executes", 2.0, auto, auto >= 2.0, "the imports cell runs"))
    return r


def grade(items=(), adjust=0.0, comment="", sha=None) -> Grade:
    return Grade("jane", "calc_1_1", tuple(items), adjust, comment, "ta1", "2024-06-01T10:00:00+00:00",
                 answer_sha(ANSWER) if sha is None else sha, 1)


def decided(g=None, ov=None, start="zero", answer: str | None = ANSWER, auto=0.0):
    grades = {"calc_1_1": g} if g else {}
    overrides = {(ov.task, ov.check_name): ov} if ov else {}
    r = apply(submission(answer, auto), grades, overrides, {"calc_1_1": Rubric("calc_1_1", start, ITEMS)})
    return r.checks[0], r.checks[1], r


@pytest.mark.parametrize("items,adjust,start,points", [
    ((1, 2), 0.0, "zero", 10.0), ((1,), 0.0, "zero", 6.0), ((1, 3), 0.5, "zero", 3.5),
    ((3,), 0.0, "zero", 0.0), ((1, 2), 3.0, "zero", 10.0), ((4,), 0.0, "zero", 0.0), ((), 0.0, "max", 10.0),
    ((3,), 0.0, "max", 7.0), ((3,), -8.0, "max", 0.0), ((), 2.25, "zero", 2.25),
])
def test_a_grade_is_start_plus_items_plus_adjustment_within_0_and_max(items, adjust, start, points):
    c, _, _ = decided(grade(items, adjust), start=start)
    assert c.points == points and c.passed is (points >= 10.0)
    assert c.message == f"graded by a TA: {points:g}/10"


def test_the_review_carries_the_chosen_items_comment_and_ta():
    c, _, _ = decided(grade((1, 3), comment="Nice."))
    assert c.message == "graded by a TA: 3/10 — Nice."
    assert [(i.description, i.points, i.feedback) for i in c.review.items] == [
        ("idea", 6.0, "good idea"), ("sign error", -3.0, "check the sign")]
    assert (c.review.ta, c.review.comment, c.review.stale, c.review.adjust) == ("ta1", "Nice.", False, 0.0)


def test_a_grade_for_another_version_of_the_answer_is_kept_and_marked_stale():
    c, _, _ = decided(grade((1, 2), sha=answer_sha("an older answer")))
    assert c.points == 10 and c.review.stale
    assert c.message == "graded by a TA: 10/10 (answer changed since graded; kept until a TA looks again)"


def test_an_unanswered_task_keeps_its_zero_and_a_grade_for_a_removed_answer_waits_in_the_gradebook():
    """Twenty-sixth review: an answer graded and then replaced by the placeholder kept its points,
    never waited for a TA again, and the copied text they were given for left the similarity view."""
    c, _, _ = decided(grade((1, 2), sha=""), answer=None)
    assert c.points == 0.0 and c.review is None and c.message == "not answered"
    c, _, _ = decided(grade((1, 2)), answer=None)          # graded, then the answer was removed
    assert c.points == 0.0 and c.review is None and "grade for an earlier answer is kept" in c.message
    c, _, _ = decided(grade((1, 2)))                       # and it comes back: the grade counts again
    assert c.points == 10 and not c.review.stale


def test_grades_apply_to_written_answers_only():
    r = submission()
    g = Grade("jane", "code_3_1", (1,), 5.0, "", "ta1", "t", "", 1)
    out = apply(r, {"code_3_1": g}, {}, {})
    assert out.checks[1].points == 0.0 and out.checks[1].review is None
    c, _, _ = decided(None)
    assert c.points is None and c.review is None
    c = apply(submission(), {"calc_1_1": grade((), 4.0)}, {}, {}).checks[0]     # no rubric yet: counts up
    assert c.points == 4.0


@pytest.mark.parametrize("given,points,passed", [(1.0, 1.0, False), (2.0, 2.0, True), (5.0, 2.0, True),
                                                  (-1.0, 0.0, False)])
def test_an_override_replaces_the_automatic_points_within_0_and_max(given, points, passed):
    ov = Override("jane", "code_3_1", "imports executes", given, "regrade request", 0.0, "ta2", "t", 1)
    _, c, r = decided(ov=ov)
    assert (c.points, c.passed) == (points, passed)
    assert c.review.auto_points == 0.0 and c.review.reason == "regrade request" and not c.review.stale
    assert c.message == f"the imports cell runs — points changed by a TA from 0 to {points:g}/2: regrade request"
    assert r.auto_points == points


def test_an_override_is_stale_when_the_automatic_points_changed_since():
    ov = Override("jane", "code_3_1", "imports executes", 1.0, "partial", 0.0, "ta2", "t", 1)
    _, c, _ = decided(ov=ov, auto=2.0)
    assert c.review.stale and c.review.auto_points == 2.0 and c.points == 1.0
    assert "from 2 to 1/2" in c.message


def test_an_override_of_an_ungraded_answer_reads_from_0():
    ov = Override("jane", "calc_1_1", "answer", 4.0, "late fix", None, "ta2", "t", 1)
    c, _, _ = decided(ov=ov)
    assert c.points == 4.0 and "from 0 to 4/10" in c.message and c.review.auto_points is None


def test_apply_leaves_the_automatic_checks_untouched():
    r = submission()
    before = r.checks[0]
    apply(r, {"calc_1_1": grade((1,))}, {}, {"calc_1_1": Rubric("calc_1_1", "zero", ITEMS)})
    assert before.points is None and before.review is None


def test_review_and_message_helpers():
    rv = review_of(grade((2,)), Rubric("calc_1_1", "zero", ITEMS), answer_sha(ANSWER))
    assert [i.description for i in rv.items] == ["proof"] and not rv.stale
    assert graded_message(7.5, 10, Review("ta", "t")) == "graded by a TA: 7.5/10"
    assert Rubric("calc_1_1", "zero", ITEMS).item(3).description == "sign error"
    assert Rubric("calc_1_1", "zero", ITEMS).item(9) is None


# ------------------------------------------------------------------------------------------ groups

@pytest.mark.parametrize("a,b", [
    ("The output is 2.", "The output is 3."),
    ("w = 0.5 and b = 1", "w = 1 and b = 0.5"),
    ("Points (0,1) and (1,0).", "Points (1,0) and (0,1)."),
    ("The function is linear.", "The function is not linear."),
    ("It can't be learned.", "It can be learned."),
    ("x = 1. y = 2.", "x = 2. y = 1."),
])
def test_signatures_tell_apart_answers_that_mean_something_else(a, b):
    assert grouping.signature(a) != grouping.signature(b)


@pytest.mark.parametrize("a,b", [
    ("x = 1. Then y = 2.", "Then y = 2. x = 1."),
    (r"$w_{32} = 0.5$", "w_32 = 0.50"),
    ("The output is 2.", "the OUTPUT is  2 ."),
])
def test_signatures_keep_together_what_only_reads_differently(a, b):
    assert grouping.signature(a) == grouping.signature(b)


def answers_of(texts: dict[str, str]) -> list[Answer]:
    return [Answer(i, k, "calc_1_1", t, answer_sha(t), 10.0) for i, (k, t) in enumerate(sorted(texts.items()))]


TEXTS = {
    "a1": "The weights must satisfy w1 + w2 = 2, a contradiction, so XOR is not linear.",
    "a2": "The weights must satisfy w1 + w2 = 2, a contradicton, so XOR is not linear.",   # a typo
    "a3": "The weights must satisfy w1 + w2 = 3, a contradiction, so XOR is not linear.",  # another number
    "a4": "The weights must satisfy w1 + w2 = 2, a contradiction, so XOR is linear.",      # no negation
    "a5": "A single perceptron draws one line; XOR needs two.",
    "a6": "The weights must satisfy w1 + w2 = 2, a contradiction, so XOR is not linear.",  # identical to a1
}


@pytest.fixture
def gb(tmp_path):
    g = filled(tmp_path / "reports", [result(0, "x")])
    yield g
    g.close()


def test_groups_never_mix_answers_whose_numbers_or_negations_differ(gb):
    answers = answers_of(TEXTS)
    assert grouping.place(gb, "calc_1_1", answers) == 6
    found = grouping.groups(gb, "calc_1_1", answers)
    by_key = {k: g.id for g in found for k in g.members}
    assert by_key["a1"] == by_key["a2"] == by_key["a6"]
    assert len({by_key["a1"], by_key["a3"], by_key["a4"], by_key["a5"]}) == 4
    for g in found:
        sigs = {grouping.signature(TEXTS[k]) for k in g.members}
        assert len(sigs) == 1, g
    assert found[0].members[0] in ("a1", "a6") and found[0].size == 3      # largest first, rep first
    assert grouping.place(gb, "calc_1_1", answers) == 0                    # nothing new: nothing placed


def test_a_changed_answer_is_placed_again_and_a_gone_one_leaves_its_group(gb):
    answers = answers_of(TEXTS)
    grouping.place(gb, "calc_1_1", answers)
    changed = answers_of({**TEXTS, "a2": TEXTS["a3"]})
    del changed[0]                                                          # a1 is gone
    assert grouping.place(gb, "calc_1_1", changed) == 1
    by_key = {k: g for g in grouping.groups(gb, "calc_1_1", changed) for k in g.members}
    assert by_key["a2"].id == by_key["a3"].id and "a1" not in by_key
    assert by_key["a6"].rep_key == "a6"                                     # its representative left


def test_merging_groups_whose_numbers_differ_needs_force(gb):
    answers = answers_of(TEXTS)
    grouping.place(gb, "calc_1_1", answers)
    gb_answers = {g.rep_key: g.id for g in grouping.groups(gb, "calc_1_1", answers)}
    by_key = {k: g.id for g in grouping.groups(gb, "calc_1_1", answers) for k in g.members}
    with pytest.raises(ValueError, match="into itself"):
        grouping.merge(gb, "calc_1_1", by_key["a1"], by_key["a1"], "ta1")
    with pytest.raises(KeyError):
        grouping.merge(gb, "calc_1_1", 9999, by_key["a1"], "ta1")
    assert gb_answers


def test_split_and_group_grade_refuse_what_they_cannot_do(gb):
    with pytest.raises(ValueError, match="choose"):
        grouping.split(gb, "calc_1_1", [], "ta1")
    with pytest.raises(KeyError, match="not answers"):
        grouping.split(gb, "calc_1_1", ["nobody"], "ta1")
    key = gb.answers("calc_1_1")[0].key
    with pytest.raises(ValueError, match="grade this answer first"):
        grouping.apply_to_group(gb, "calc_1_1", key, "ta1")


def test_the_difference_to_the_representative_is_word_by_word():
    assert grouping.diff_html("a b c", "a x c") == "a <del>b</del> <ins>x </ins>c"
    assert grouping.diff_html("a b", "a b c") == "a b <ins>c</ins>"
    assert grouping.diff_html("a b c", "a c") == "a <del>b</del> c"
    assert grouping.diff_html("$x$ = 1", "x = 1") == "x = 1"


# ------------------------------------------------------------------------------------------- queue

A = {k: Answer(i, k, "t", k, "sha-" + k, 10.0) for i, k in enumerate("abcde")}


def g(key: str, sha: str | None = None) -> Grade:
    return Grade(key, "t", (), 0.0, "", "ta1", "t", sha or "sha-" + key, 1)


def test_an_answer_needs_grading_until_its_current_version_is_graded():
    assert needs_grading(A["a"], None)
    assert not needs_grading(A["a"], g("a"))
    assert needs_grading(A["a"], g("a", "sha-old"))


def test_group_order_follows_the_groups_then_the_rest():
    groups = [grouping.Group(1, "t", "c", ("c", "a", "zz")), grouping.Group(2, "t", "b", ("b", "c"))]
    assert order(list(A.values()), groups, "ta1", "t", "group", 0) == ["c", "a", "b", "d", "e"]
    shuffled = order(list(A.values()), groups, "ta1", "t", "shuffle", 0)
    assert sorted(shuffled) == list("abcde") and shuffled == order(list(A.values()), [], "ta1", "t", "shuffle", 0)
    assert shuffled != order(list(A.values()), [], "ta1", "t", "shuffle", 1) or \
        shuffled != order(list(A.values()), [], "ta1", "u", "shuffle", 0)


def test_position_knows_its_neighbours():
    keys = list("abc")
    assert position(keys, "a") == position(keys, "a") and position(keys, "a").prev_key is None
    p = position(keys, "b")
    assert (p.index, p.total, p.prev_key, p.next_key) == (1, 3, "a", "c")
    assert position(keys, "c").next_key is None


def test_group_assignments_come_before_task_assignments():
    assigned = {("t", 0): {"ta1"}, ("t", 7): {"ta2"}}
    assert may_grade("ta2", "t", 7, assigned) and not may_grade("ta1", "t", 7, assigned)
    assert may_grade("ta1", "t", 3, assigned) and not may_grade("ta2", "t", 3, assigned)
    assert may_grade("ta2", "t", None, {}) and may_grade("anyone", "u", 3, assigned)
    assert not may_grade("ta2", "t", None, assigned)


def test_next_ungraded_wraps_round_and_skips_what_is_not_this_tas():
    keys = list("abcde")
    grades = {"b": g("b"), "e": g("e")}
    nxt = lambda after, ta="ta1", assigned=None, claimed=(): next_ungraded(  # noqa: E731
        keys, after, A, grades, ta, "t", {"c": 5}, assigned or {}, set(claimed))
    assert nxt(None) == "a" and nxt("a") == "c" and nxt("c") == "d" and nxt("d") == "a"
    assert nxt("zz") == "a"                                   # an unknown key starts at the top
    assert nxt("a", claimed=["c"]) == "d"
    assert nxt("a", assigned={("t", 5): {"ta2"}}) == "d"
    assert next_ungraded(["a"], "a", A, {}, "ta1", "t", {}, {}, set()) is None    # only itself left
    assert next_ungraded(keys, None, A, {k: g(k) for k in keys}, "ta1", "t", {}, {}, set()) is None


@pytest.fixture
def texts_gb(tmp_path):
    results = [result(i, text) for i, text in enumerate(TEXTS.values())]
    g = filled(tmp_path / "texts", results)
    yield g, dict(zip(TEXTS, (r.key for r in results)))
    g.close()


def test_splitting_off_the_representative_gives_its_group_the_first_remaining_member(texts_gb):
    gb, key = texts_gb
    big = next(g for g in grouping.groups(gb, "calc_1_1") if g.size == 3)
    assert set(big.members) == {key["a1"], key["a2"], key["a6"]}
    rep = big.rep_key
    rest = sorted(k for k in big.members if k != rep)
    new = grouping.split(gb, "calc_1_1", [rep], "ta1")
    after = {k: g for g in grouping.groups(gb, "calc_1_1") for k in g.members}
    assert after[rep].id == new and after[rep].rep_key == rep and after[rep].size == 1
    assert after[rest[0]].id == big.id and after[rest[0]].rep_key == rest[0]
    assert gb.changes(1)[0].summary == "calc_1_1: 1 answer(s) split into a new group"
    assert grouping.merge(gb, "calc_1_1", big.id, new, "ta1") == 2
    merged = {k: g for g in grouping.groups(gb, "calc_1_1") for k in g.members}
    assert merged[rest[0]].id == new and merged[rep].rep_key == rep and big.id not in {g.id for g in merged.values()}
    assert gb.changes(1)[0].summary == f"calc_1_1: group {big.id} merged into group {new}"
    gb.undo(gb.changes(1)[0].id, "ta1")                     # the merge undone: the old group is back
    back = {k: g for g in grouping.groups(gb, "calc_1_1") for k in g.members}
    assert back[rest[0]].id == big.id and back[rest[0]].rep_key == rest[0] and back[rep].id == new


def test_groups_whose_numbers_differ_merge_only_when_forced(texts_gb):
    gb, key = texts_gb
    by_key = {k: g.id for g in grouping.groups(gb, "calc_1_1") for k in g.members}
    with pytest.raises(ValueError, match="numbers"):
        grouping.merge(gb, "calc_1_1", by_key[key["a3"]], by_key[key["a1"]], "ta1")
    assert grouping.merge(gb, "calc_1_1", by_key[key["a3"]], by_key[key["a1"]], "ta1", force=True) == 1
    assert grouping.group_of(gb, "calc_1_1", key["a3"]).id == by_key[key["a1"]]
    assert grouping.group_of(gb, "calc_1_1", "nobody") is None


def test_a_group_grade_skips_same_grades_regrades_stale_ones_and_is_one_change(texts_gb):
    gb, key = texts_gb
    item = gb.add_item("calc_1_1", 10, "right", "", "ta1")
    a1, a2, a6 = key["a1"], key["a2"], key["a6"]
    gb.set_grade(a1, "calc_1_1", items=[item.id], comment="ok", ta="ta1")
    gb.set_grade(a2, "calc_1_1", items=[item.id], comment="ok", ta="ta2")        # already the same grade
    gb.set_grade(a6, "calc_1_1", items=[item.id], comment="ok", ta="ta2", answer_sha_="an older answer")
    res = grouping.apply_to_group(gb, "calc_1_1", a1, "ta1")
    assert res.applied == [a6] and res.skipped == []                 # a2 kept, a6 graded again for its answer
    assert gb.grade(a6, "calc_1_1").answer_sha == gb.answer("calc_1_1", a6).sha
    assert gb.grade(a2, "calc_1_1").ta == "ta2" and gb.grade(a2, "calc_1_1").version == 1
    last = gb.changes(1)[0]
    assert (last.id, last.ta, last.action, last.summary) == (
        res.change, "ta1", "group-grade", "calc_1_1: grade of one answer applied to its group (3 answers)")
    again = grouping.apply_to_group(gb, "calc_1_1", a1, "ta1")
    assert again.applied == [] and again.change is None


def test_a_group_grade_passes_on_its_own_correction_but_keeps_every_grade_given_otherwise(texts_gb):
    """A sixty-first review: `g` replaced the TA's own grades and comments (merged from a sheet)
    without a word. Only a grade that this TA's own group grade gave is replaced again."""
    gb, key = texts_gb
    item = gb.add_item("calc_1_1", 10, "right", "", "ta1")
    half = gb.add_item("calc_1_1", 5, "half", "", "ta1")
    a1, a2, a6 = key["a1"], key["a2"], key["a6"]
    gb.set_grade(a1, "calc_1_1", items=[half.id], ta="ta1")
    gb.set_grade(a6, "calc_1_1", items=[half.id], comment="its own words", ta="ta1")    # graded one by one
    first = grouping.apply_to_group(gb, "calc_1_1", a1, "ta1")
    assert first.applied == [a2] and [g.submission_key for g in first.skipped] == [a6]
    gb.set_grade(a1, "calc_1_1", items=[item.id], ta="ta1")                             # a correction
    assert [g.submission_key for g in grouping.apply_to_group(gb, "calc_1_1", a1, "ta2").skipped] == [a2, a6]
    again = grouping.apply_to_group(gb, "calc_1_1", a1, "ta1")
    assert again.applied == [a2] and [g.submission_key for g in again.skipped] == [a6]
    assert gb.grade(a2, "calc_1_1").items == (item.id,)
    assert (gb.grade(a6, "calc_1_1").items, gb.grade(a6, "calc_1_1").comment) == ((half.id,), "its own words")


def test_the_history_of_a_change_holds_before_and_after(texts_gb):
    gb, key = texts_gb
    gb.set_grade(key["a1"], "calc_1_1", comment="first", ta="ta1")
    gb.set_grade(key["a1"], "calc_1_1", comment="second", ta="ta2")
    (h,) = gb.history(gb.changes(1)[0].id)
    assert h["entity"] == "grade" and h["ident"] == [key["a1"], "calc_1_1"]
    assert (h["before"]["comment"], h["after"]["comment"], h["after"]["ta"], h["after"]["version"]) == (
        "first", "second", "ta2", 2)
    gb.clear_grade(key["a1"], "calc_1_1", "ta2")
    (h,) = gb.history(gb.changes(1)[0].id)
    assert h["after"] is None and h["before"]["comment"] == "second"
    assert gb.history(99999) == []


def test_a_group_grade_is_for_the_group_and_grade_the_page_showed(texts_gb):
    """Twenty-seventh review: on a stale page `g` gave the grade to the group a regrade had moved
    the answer into; another TA's newer grade, or a grade for an older text, was copied as well."""
    from grader.gradebook import Conflict
    gb, key = texts_gb
    item = gb.add_item("calc_1_1", 10, "right", "", "ta1")
    a1 = key["a1"]
    saved = gb.set_grade(a1, "calc_1_1", items=[item.id], ta="ta1")
    group = grouping.group_of(gb, "calc_1_1", a1)
    sha = gb.answer("calc_1_1", a1).sha
    with pytest.raises(Conflict, match="group changed"):
        grouping.apply_to_group(gb, "calc_1_1", a1, "ta1", members=set(group.members) - {key["a2"]})
    with pytest.raises(Conflict, match="grade changed"):
        grouping.apply_to_group(gb, "calc_1_1", a1, "ta1", version=saved.version - 1)
    with pytest.raises(Conflict, match="answer changed"):
        grouping.apply_to_group(gb, "calc_1_1", a1, "ta1", answer_sha_="0" * 64)
    assert all(gb.grade(k, "calc_1_1") is None for k in group.members if k != a1)      # nothing written
    gb.set_grade(a1, "calc_1_1", items=[item.id], ta="ta1", answer_sha_="an older answer")
    with pytest.raises(Conflict, match="answer changed"):                           # graded for another text
        grouping.apply_to_group(gb, "calc_1_1", a1, "ta1")
    gb.set_grade(a1, "calc_1_1", items=[item.id], ta="ta1", answer_sha_=sha)
    res = grouping.apply_to_group(gb, "calc_1_1", a1, "ta1", members=set(group.members),
                                  version=gb.grade(a1, "calc_1_1").version, answer_sha_=sha)
    assert sorted(res.applied) == sorted(k for k in group.members if k != a1)
