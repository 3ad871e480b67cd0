import pytest

from grader.checks.answers import problem, read_answers

NAMES = ["a_", "b_", "c_", "d_", "e_"]


def test_plain_and_tuple_assignments_are_read():
    values, err = read_answers("a_ = True\nb_, c_ = False, True\n(d_, e_) = (True, False)\n", NAMES)
    assert not err
    assert [problem(n, values[n]) for n in NAMES] == [""] * 5
    assert [values[n].value for n in NAMES] == [True, False, True, True, False]


def test_last_assignment_wins_and_annotations_count():
    values, _ = read_answers("a_ = False\na_ = True\nb_: bool = False\n", ["a_", "b_"])
    assert values["a_"].value is True and values["b_"].value is False


@pytest.mark.parametrize("source,needle", [
    ("a_ = None", "None"),
    ('a_ = "True"', "string 'True'"),
    ("a_ = 1", "not a number"),
    ("a_ = not False", "computed"),
    ("a_ = bool(1)", "computed"),
    ("x = 1", "not assigned"),
    ("a_, b_ = answers()", "computed"),
    ("a = True", "the cell assigns `a`: the name ends with an underscore, `a_`"),
    ("b_ = (a_ := True)", "assigned with `:=` inside another expression"),
])
def test_non_literals_score_zero_with_a_reason(source, needle):
    values, err = read_answers(source, NAMES)
    assert not err
    assert needle in problem("a_", values["a_"], source)


def test_a_walrus_statement_assigns_as_an_assignment_does():
    """A ninety-third review: `(a_ := True)` sets `a_` in Jupyter, and was read as "not assigned"."""
    values, err = read_answers("(a_ := True)\n(b_ := False)\n", ["a_", "b_"])
    assert not err and values["a_"].value is True and values["b_"].value is False
    assert problem("a_", values["a_"]) == ""


def test_the_cell_is_never_executed():
    values, err = read_answers("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\na_ = True\n", ["a_"])
    assert not err and problem("a_", values["a_"]) == ""


def test_syntax_error_is_reported():
    _, err = read_answers("a_ = (True", NAMES)
    assert "syntax error" in err
