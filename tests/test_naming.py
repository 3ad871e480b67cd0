import pytest

from grader.naming import parse_filename


@pytest.mark.parametrize("name,person,matr", [
    ("Assignment_7_JaneDoe_k12345678.ipynb", "JaneDoe", "k12345678"),
    ("Assignment_7_JürgenMüller_k01234567.ipynb", "JürgenMüller", "k01234567"),
    ("Assignment_7_ÉmileZola_k00000001.ipynb", "ÉmileZola", "k00000001"),
    ("Assignment_7_AnnaMariaVonBerg_k11111111.ipynb", "AnnaMariaVonBerg", "k11111111"),
])
def test_good_names_parse(name, person, matr):
    p = parse_filename(name, 7)
    assert p.ok, p.problems
    assert (p.name, p.matr_number) == (person, matr)


@pytest.mark.parametrize("name,needle", [
    ("Assignment_7_janeDoe_k12345678.ipynb", "name part 'jane' must start with a capital letter"),
    ("Assignment_7_Jane Doe_k12345678.ipynb", "space"),
    ("Assignment_7_Jane_Doe_k12345678.ipynb", "underscores"),
    ("Assignment_7_JaneDoe_12345678.ipynb", "lower-case 'k' (k12345678)"),
    ("Assignment_7_JaneDoe_k1234567.ipynb", "'k' followed by 8 digits"),
    ("Assignment_6_JaneDoe_k12345678.ipynb", "it must be 7"),
    ("Assignment_7_JaneDoe_k12345678.txt", "must end in '.ipynb'"),
    ("assignment7_jane.ipynb", "Assignment_7_NameSurname_k12345678.ipynb"),
    ("Assignment_7_Jane_k12345678.ipynb", "one name only"),
    ("Assignment_7_JANEDoe_k12345678.ipynb", "all capitals"),
])
def test_bad_names_explain_the_problem(name, needle):
    p = parse_filename(name, 7)
    assert not p.ok
    assert any(needle in msg for msg in p.problems), p.problems


def test_every_violation_is_reported():
    p = parse_filename("Assignment_7_doe_1234.ipynb", 7)
    assert len(p.problems) == 2
    assert p.matr_number == "1234"
