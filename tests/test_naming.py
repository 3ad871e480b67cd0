import pytest

from grader.naming import name_fits, parse_filename


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
    ("Assignment_7_Jane_Doe_k12345678.ipynb", "use no underscores or spaces inside your name: "
                                              "'Assignment_7_JaneDoe_k12345678.ipynb'"),
    ("Assignment_7_JaneDoe_12345678.ipynb", "lower-case 'k': 'Assignment_7_JaneDoe_k12345678.ipynb'"),
    ("Assignment_7_JaneDoe_k1234567.ipynb", "'k' followed by 8 digits"),
    ("Assignment_6_JaneDoe_k12345678.ipynb", "it must be 7"),
    ("Assignment_7_JaneDoe_k12345678.txt", "must end in '.ipynb'"),
    ("assignment7_jane.ipynb", "Assignment_7_NameSurname_k12345678.ipynb"),
    ("Assignment_7_JANEDoe_k12345678.ipynb", "all capitals"),
])
def test_bad_names_explain_the_problem(name, needle):
    if "Jane_Doe" in name:       # one mistake, said once (a seventy-sixth review got two overlapping lines)
        assert len(parse_filename(name, 7).problems) == 1
    p = parse_filename(name, 7)
    assert not p.ok
    assert any(needle in msg for msg in p.problems), p.problems


@pytest.mark.parametrize("name,problem", [
    ("SeanOBrien", None), ("JaneDAngelo", None), ("JaneDoeA", None),
    ("SeanO'Brien", "the name may contain letters only, found \"'\"; write 'SeanOBrien'"),
    ("AnnaLenaMüller-Schmidt", "the name may contain letters only, found '-'; write 'AnnaLenaMüllerSchmidt'"),
    ("JaneDOE", "'DOE' is all capitals"), ("JANEDoe", "'JANE' is all capitals"),
])
def test_one_letter_name_parts_are_fine_and_the_fix_is_the_students_own_name(name, problem):
    """An eighty-second review: 'SeanOBrien' read as "'OB' is all capitals", and a hyphenated name
    was told to write 'JaneDoe'."""
    p = parse_filename(f"Assignment_7_{name}_k12345678.ipynb", 7)
    if problem is None:
        assert p.ok, p.problems
    else:
        assert any(x.startswith(problem) for x in p.problems), p.problems


def test_each_suggested_name_has_every_fix_in_it():
    """An eighty-fifth review: each line's name fixed one mistake and kept the other."""
    p = parse_filename("Assignment_6_Max_Mustermann_12345678.ipynb", 7)
    named = [x for x in p.problems if ".ipynb'" in x]
    assert len(named) == 2 and all(x.endswith("'Assignment_7_MaxMustermann_k12345678.ipynb'") for x in named)


def test_every_violation_is_reported():
    p = parse_filename("Assignment_7_doe_1234.ipynb", 7)
    assert len(p.problems) == 2
    assert p.matr_number == "1234"


@pytest.mark.parametrize("name,added", [
    ("Assignment_7_JaneDoe_k12345678 (1).ipynb", "'(1)'"),
    ("Assignment_7_JaneDoe_k12345678(2).ipynb", "'(2)'"),
    ("Assignment_7_JaneDoe_k12345678.ipynb.ipynb", "'.ipynb'"),
    ("Assignment_7_JaneDoe_k12345678 - Colab.ipynb", "'- Colab'"),
    ("Assignment_7_JaneDoe_k12345678 - Kopie.ipynb", "'- Kopie'"),
    ("Copy of Assignment_7_JaneDoe_k12345678.ipynb", "'Copy of'"),
    ("Copy of Assignment_7_JaneDoe_k12345678 (3).ipynb", "'Copy of' and '(3)'"),
])
def test_what_a_browser_or_colab_adds_is_named_and_the_number_kept(name, added):
    """Fifth fairness review: a second download's ' (1)' made the matriculation number 'k12345678 (1)',
    which was blanked, and told the student it was not 8 digits."""
    p = parse_filename(name, 7)
    assert (p.name, p.matr_number) == ("JaneDoe", "k12345678")
    assert p.problems == (f"the file name has {added} added (by a browser's second download, Colab or a copy); "
                          f"rename the file to 'Assignment_7_JaneDoe_k12345678.ipynb'",)


def test_an_added_piece_beside_other_mistakes_is_named_without_a_wrong_suggestion():
    p = parse_filename("Assignment_7_Jane_k1234 (1).ipynb", 7)
    assert p.problems[0].endswith("remove it from the file name") and len(p.problems) == 2


@pytest.mark.parametrize("typed,moodle,fits", [
    ("JaneDoe", "Jane Doe", True),
    ("DoeJane", "Jane Doe", True),
    ("LeaMueller", "Lea Müller", True),
    ("AnnaSchmidt", "Anna Maria Schmidt-Weber", True),     # a middle name and second surname left out
    ("AnnaMariaSchmidtWeber", "Anna Maria Schmidt-Weber", True),
    ("IvanPetrov", "Иван Петров", True),                   # Moodle's name in another script
    ("GiorgosPapadopoulos", "Γιώργος Παπαδόπουλος", True),  # a transliteration of one's own
    ("XiaomingWang", "王小明", True),
    ("NguyenVanAn", "Nguyễn Văn An", True),
    ("JaneDoe", "Max Mustermann", False),
    ("JaneDoe", "Janet Doering", False),
    ("Doe", "Jane Doe", False),
    ("MaxMustermann", "Иван Петров", False),
])
def test_a_name_fits_the_moodle_name_as_students_write_it(typed, moodle, fits):
    assert name_fits(typed, moodle) is fits


def test_a_worksheet_row_is_picked_by_the_whole_name_only():
    assert name_fits("LeaMueller", "Lea Müller", exact=True)
    assert not name_fits("AnnaSchmidt", "Anna Maria Schmidt", exact=True)
    assert not name_fits("JaneDoh", "Jane Doe", exact=True) and name_fits("JaneDoh", "Jane Doe")


@pytest.mark.parametrize("name,example", [
    ("assignment7_john_smith.ipynb", ", e.g. 'Assignment_7_JohnSmith_k12345678.ipynb' with your own matriculation "
                                     "number (the file name holds none)"),
    ("A7-Max Mustermann-k01234567.ipynb", "; rename it to 'Assignment_7_MaxMustermann_k01234567.ipynb'"),
    ("ab_JaneDoe_k12345678_123_7.ipynb", "; rename it to 'Assignment_7_JaneDoe_k12345678.ipynb'"),
    ("notebook.ipynb", ""),                       # one word is no full name: no example
    # ... but one name is a name where the assignment's name was tried (fairness reviews, 297 and 299)
    ("assignment7_jane.ipynb", ", e.g. 'Assignment_7_Jane_k12345678.ipynb' with your own matriculation number "
                               "(the file name holds none)"),
])
def test_a_wrong_layout_comes_with_the_name_to_use(name, example):
    """A new TA's review: a wrongly laid out name got only the pattern, no name to copy."""
    assert parse_filename(name, 7).problems == ("the name must follow 'Assignment_7_NameSurname_k12345678.ipynb'"
                                                + example,)


@pytest.mark.parametrize("name,problem,read", [
    ("Assignment_7_k12345678_JaneDoe.ipynb", "the name and the matriculation number are swapped: rename it to "
                                             "'Assignment_7_JaneDoe_k12345678.ipynb'", ("JaneDoe", "k12345678")),
    ("Assignment_7_JaneDoe_k012345678.ipynb", "matriculation number 'k012345678' has 9 digits; it must be 'k' followed "
                                              "by 8 digits", ("JaneDoe", "k012345678")),
])
def test_a_number_swapped_or_one_digit_too_long_is_said_as_such(name, problem, read):
    """A fairness review, 299: the swapped parts read "letters only, found '1', ..."; nine digits read "keep a
    leading zero"."""
    p = parse_filename(name, 7)
    assert p.problems == (problem,) and (p.name, p.matr_number) == read


def test_words_after_the_matriculation_number_keep_the_number_and_are_one_problem():
    """A TA's review: '..._k11000012_final_version_v3' lost the number, and the name read as
    'PaulSchaefer_k11000012_final...' was flagged as a mismatch with the student's own name."""
    p = parse_filename("Assignment_7_PaulSchaefer_k11000012_final_version_v3.ipynb", 7)
    assert (p.name, p.matr_number) == ("PaulSchaefer", "k11000012")
    assert p.problems == ("the file name has '_final_version_v3' added after the matriculation number; rename the "
                          "file to 'Assignment_7_PaulSchaefer_k11000012.ipynb'",)


@pytest.mark.parametrize("name", ["Assignment_7_JaneDoe_k12345678\u200b.ipynb", "Assignment_7_Jane\u202eeoD_k12345678.ipynb",
                                  "Assignment_7_JaneDoe_k\u2066123\u20694567\u200d8.ipynb"])
def test_invisible_or_direction_characters_give_no_name_and_no_number(name):
    """A sixty-fourth review: with a right-to-left override the name drew as 'JaneDoe' and the
    classmate's number landed in gradebook.csv beside it (and flagged her duplicate-matr)."""
    p = parse_filename(name, 7)
    assert not p.ok and p.name == "" and p.matr_number == ""
    assert "invisible or text-direction characters" in p.problems[0] and "U+" in p.problems[0]


def test_a_lower_case_assignment_still_gets_every_other_mistake_named():
    """A student's review: 'assignment_7_maxmustermann_k1234567' got only "the name must follow ..."."""
    p = parse_filename("assignment_7_maxmustermann_k1234567.ipynb", 7)
    assert p.problems[0] == "the name must start with 'Assignment' (a capital A)"
    assert any("'maxmustermann' must start with a capital letter" in q for q in p.problems)
    assert any("'k1234567' must be 'k' followed by 8 digits" in q for q in p.problems)


@pytest.mark.parametrize("name", ["Assignment_7_JaneDoe_k\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18.ipynb",
                                  "Assignment_7_JaneDoe_k\U0001d7cf\U0001d7d0\U0001d7d1\U0001d7d2\U0001d7d3\U0001d7d4"
                                  "\U0001d7d5\U0001d7d6.ipynb"])
def test_digits_of_another_script_give_no_matriculation_number(name):
    """A sixty-sixth review: full-width and bold digits carried a classmate's number past the
    duplicate check into gradebook.csv."""
    p = parse_filename(name, 7)
    assert not p.ok and p.matr_number == "" and "plain digits 0-9" in p.problems[0]


def test_a_one_part_name_follows_the_rule():
    """Seventy-sixth review: 'Sukarno' was "one name only" and never "ready to hand in"; the rule
    asks that every part of the name starts with a capital letter, and it has one part."""
    p = parse_filename("Assignment_7_Sukarno_k12345678.ipynb", 7)
    assert p.ok and p.name == "Sukarno" and not p.problems


def test_a_name_with_hyphens_gives_its_name_and_a_wrong_number_is_named_not_missing():
    """A hundred-and-fifty-fourth review: 'Assignment7-JaneDoe-12345678' got the exact name to use
    from `grader check`, while summary.csv had neither name nor number; and 'K1234567' was told
    "the name holds none"."""
    p = parse_filename("Assignment7-JaneDoe-12345678.ipynb", 7)
    assert (p.name, p.matr_number) == ("JaneDoe", "12345678")
    assert "rename it to 'Assignment_7_JaneDoe_k12345678.ipynb'" in p.problems[-1]
    p = parse_filename("assignment7_max_mueller_K1234567 (2).ipynb", 7)
    assert "'K1234567' in the name is not 'k' followed by 8 digits" in p.problems[-1]
    assert "holds none" not in p.problems[-1]
    p = parse_filename("Assignment 7 - Jane Doe.ipynb", 7)      # a first name alone is no name
    assert p.name == "" and "holds none" in p.problems[-1]
