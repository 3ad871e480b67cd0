"""Boundaries of the scoring and bookkeeping decisions, as pure functions (no engine, no notebook
run): file names, answers read from the syntax tree, the locked-cell step, CSV fields.
Each test names the bug it catches."""
from __future__ import annotations

import ast
import re
import tomllib

import pytest

from grader.checks import answers
from grader.checks.context import Context
from grader.csvsafe import TRIGGERS, cell, field, fmt, to_csv, uncell
from grader.naming import ParsedName, name_fits, parse_filename, split_name_parts
from grader.notebook import Cell, Notebook
from grader.pipeline import Grader
from grader.spec import load_spec

from .conftest import REF

SPEC = load_spec()
KEY = tomllib.loads((REF / "answer_key.toml").read_text())
NAMES = list(KEY)


def problems(name: str) -> tuple[str, ...]:
    return parse_filename(f"Assignment_7_{name}_k12345678.ipynb", 7).problems


# ------------------------------------------------------------------------------------------ names

@pytest.mark.parametrize("matr,needle", [
    ("K12345678", "must start with a lower-case 'k': 'Assignment_7_JaneDoe_k12345678.ipynb'"),  # refused, with the fix
    ("12345678", "must start with a lower-case 'k': 'Assignment_7_JaneDoe_k12345678.ipynb'"),
    ("k1234567", "'k' followed by 8 digits"),
    ("k123456789", "'k' followed by 8 digits"),
    ("k1234567a", "'k' followed by 8 digits"),
    ("kk2345678", "'k' followed by 8 digits"),
])
def test_matriculation_numbers_are_a_lower_case_k_and_8_digits(matr, needle):
    p = parse_filename(f"Assignment_7_JaneDoe_{matr}.ipynb", 7)
    # Kept only when it is a number ('k1234567a' or 'draft' is none: reports then name the participant).
    assert not p.ok and p.matr_number == (matr if re.fullmatch(r"[kK]?\d+", matr) else "")
    assert [m for m in p.problems if "matriculation" in m] and any(needle in m for m in p.problems), p.problems
    assert parse_filename("Assignment_7_JaneDoe_k00000001.ipynb", 7).ok      # a leading zero is kept


@pytest.mark.parametrize("name,run", [
    ("ÄNNEDoe", "ÄNNE"), ("JÜRGENMüller", "JÜRGEN"), ("ŁUKASZNowak", "ŁUKASZ"),
    ("ИВАНПетров", "ИВАН"), ("ΑΝΝΑΠαπαδοπούλου", "ΑΝΝΑ"), ("JaneDOE", "DOE"), ("ŞEYMAYılmaz", "ŞEYMA"),
])
def test_names_in_capitals_are_refused_in_every_alphabet(name, run):
    found = [m for m in problems(name) if "all capitals" in m]
    assert found == [f"'{run}' is all capitals; write each name part as one capital letter followed by "
                     f"lower-case letters (e.g. 'Jane', not 'JANE')"]


@pytest.mark.parametrize("name", ["JānisBērziņš", "ИванПетров", "ΑνναΠαπαδοπούλου", "DženanaĆosić", "ŞeymaYılmaz",
                                  "ÉmileZoë", "AnnaMariaVonBerg", "ÅseOlsen"])
def test_lower_case_letters_of_any_alphabet_are_not_capitals(name):
    assert problems(name) == ()


def test_name_parts_split_at_each_capital():
    assert split_name_parts("JürgenMüller") == ["Jürgen", "Müller"]
    assert split_name_parts("jane") == ["jane"] and split_name_parts("") == []
    assert split_name_parts("ABc") == ["A", "Bc"]


@pytest.mark.parametrize("name,needles", [
    ("", ["the name part is empty"]),
    ("Jane Doe", ["letters only, found space"]),
    ("Jane3Doe", ["letters only, found '3'"]),
    ("Jane-Doe", ["letters only, found '-'"]),
    ("janeDoe", ["name part 'jane' must start with a capital letter"]),
])
def test_each_name_problem_is_said_in_words(name, needles):
    got = problems(name)
    for needle in needles:
        assert any(needle in m for m in got), got
    assert len(got) == len(set(got))                     # one message per distinct violation


def test_a_wrong_layout_still_yields_name_and_number():
    p = parse_filename("jane_JaneDoe_k12345678_7.ipynb", 7)
    assert not p.ok and (p.name, p.matr_number, p.assignment) == ("JaneDoe", "k12345678", "7")
    assert p.problems == ("the name must follow 'Assignment_7_NameSurname_k12345678.ipynb'; rename it to "
                          "'Assignment_7_JaneDoe_k12345678.ipynb'",)
    p = parse_filename("some/folder/Assignment_7_JaneDoe_k12345678.ipynb", 7)
    assert p.ok and p.filename == "Assignment_7_JaneDoe_k12345678.ipynb"
    p = parse_filename("Assignment_7_JaneDoe_k12345678", 7)
    assert not p.ok and p.problems == ("the file must end in '.ipynb'",)
    p = parse_filename("notebook.ipynb", 7)
    assert not p.ok and p.name == "" and p.matr_number == ""
    assert parse_filename("Assignment_7_Jane_Doe_k12345678.ipynb", 7).name == "Jane_Doe"
    assert ParsedName("x", True).problems == ()


def test_several_problems_are_all_reported_in_order():
    p = parse_filename("Assignment_6_jane doe_K1234.ipynb", 7)
    assert p.problems[0] == "the assignment number is '6', it must be 7"
    assert any("letters only" in m for m in p.problems) and any("'k' followed by 8 digits" in m for m in p.problems)


@pytest.mark.parametrize("mine,full,fits", [
    ("JaneDoe", "Jane Doe", True), ("DoeJane", "Jane Doe", True), ("LeaMueller", "Lea Müller", True),
    ("LeaMüller", "Lea Mueller", True), ("JürgenMüller", "Jürgen Müller", True), ("MaxMustermann", "max mustermann", True),
    ("AnnaMariaVonBerg", "Anna-Maria von Berg", True), ("JaneDoe", "Jane Doe-Smith", True),
    ("JaneDoe", "John Doe", False), ("Jane", "Jane Doe", False), ("GroßMax", "Max Gross", True),
    ("EmileZola", "Émile Zola", True),
])
def test_file_names_fit_moodle_names_in_any_order_and_spelling(mine, full, fits):
    assert name_fits(mine, full) is fits


# ---------------------------------------------------------------------------------------- answers

@pytest.mark.parametrize("source,expected", [
    ("[a_, b_] = [True, False]", {"a_": True, "b_": False}),
    ("(a_, b_) = [True, False]", {"a_": True, "b_": False}),
    ("[a_, b_] = True, False", {"a_": True, "b_": False}),
    ("a_, (b_, c_) = True, (False, True)", {"a_": True, "b_": False, "c_": True}),
    ("a_ = b_ = False", {"a_": False, "b_": False}),
    ("a_: bool = True", {"a_": True}),
    ("a_ = True\na_ = False", {"a_": False}),                          # the last assignment counts
])
def test_list_tuple_nested_and_chained_targets_are_read(source, expected):
    values, error = answers.read_answers(source, list(expected))
    assert error == ""
    assert {n: v.value for n, v in values.items()} == expected


@pytest.mark.parametrize("source,name,why", [
    ("a_, b_ = flags()", "a_", "computed; write the literal"),
    ("a_, b_ = True,", "b_", "computed; write the literal"),             # lengths differ: nothing literal
    ("a_, b_ = [True, False, True]", "a_", "computed; write the literal"),
    ("a_ = True\na_ &= False", "a_", "computed; write the literal"),     # changed after the literal
    ("a_: bool", "a_", "not assigned"),
    ("if True:\n    a_ = True", "a_", "not assigned"),                   # only top-level statements
    ("a_ = FALSE", "a_", "`FALSE` is not Python's `False`"),
    ("a_ = 0", "a_", "is 0; write True or False, not a number"),
    ("a_ = 'False'", "a_", "is the string 'False'"),
    ("a_ = True or False", "a_", "computed (`True or False`)"),
])
def test_what_is_not_a_bool_literal_is_named(source, name, why):
    values, error = answers.read_answers(source, ["a_", "b_"])
    assert error == ""
    assert why in answers.problem(name, values[name])


def test_a_computed_answer_quotes_at_most_60_characters():
    values, _ = answers.read_answers("a_ = " + " or ".join(["True"] * 40), ["a_"])
    quoted = answers.problem("a_", values["a_"]).split("`")[3]
    assert len(quoted) == 60


def test_a_syntax_error_names_its_line():
    values, error = answers.read_answers("a_ = True\nb_ = (", ["a_"])
    assert values == {} and error.startswith("the cell has a syntax error (line 2:")


def answers_ctx(source: str | None, hidden: bool, cell_id: str = "answers-3-3") -> Context:
    cells = [Cell(0, "imports", "code", "import torch")]
    if source is not None:
        cells.append(Cell(1, cell_id, "code", source))
    return Context(SPEC, Notebook(cells, 4), Grader(SPEC, None).template, hidden)


TASK = next(t for t in SPEC.tasks if t.kind == "bool_answers")


def score(source: str | None, hidden: bool = True, cell_id: str = "answers-3-3"):
    ctx = answers_ctx(source, hidden, cell_id)
    return {c.check: c for c in answers.score(TASK, ctx, [], [])}, ctx


def test_graded_answers_score_against_the_key_read_from_its_file():
    flipped = {n: (not v if n in ("b_", "d_") else v) for n, v in KEY.items()}
    res, _ = score("\n".join(f"{n} = {v}" for n, v in flipped.items()))
    pts = float(TASK.cfg["points_each"])
    assert [res[n].points for n in NAMES] == [0.0 if n in ("b_", "d_") else pts for n in NAMES]
    assert res["b_"].message == "`b_` is not correct" and res["a_"].message == "`a_` is correct"
    assert all(res[n].max_points == pts for n in NAMES)


def test_list_and_tuple_targets_score_like_single_ones():
    single, _ = score("\n".join(f"{n} = {v}" for n, v in KEY.items()))
    values = [KEY[n] for n in NAMES]
    unpacked, _ = score(f"[a_, b_] = [{values[0]}, {values[1]}]\nc_, d_ = {values[2]}, {values[3]}\n(e_,) = ({values[4]},)")
    assert [unpacked[n].points for n in NAMES] == [single[n].points for n in NAMES] == [2.0] * 5


def test_the_student_view_checks_the_format_only():
    res, _ = score("\n".join(f"{n} = {not v}" for n, v in KEY.items()), hidden=False)
    assert all(c.points is None and c.passed for c in res.values())
    assert "only checked at grading" in res["a_"].message
    res, _ = score("a_ = 1\nb_ = True\nc_ = True\nd_ = True\ne_ = True", hidden=False)
    assert res["a_"].points == 0 and res["a_"].passed is False


def test_a_missing_or_broken_answers_cell_scores_zero_with_the_reason():
    res, ctx = score(None)
    assert all(c.points == 0 and "is missing" in c.message for c in res.values())
    assert "missing:answers-3-3" in ctx.flags
    res, _ = score("a_ = (")
    assert all(c.points == 0 and "syntax error" in c.message for c in res.values())


def test_the_answers_cell_is_found_by_content_when_its_id_changed():
    res, ctx = score("\n".join(f"{n} = {v}" for n, v in KEY.items()), cell_id="my-answers")
    assert all(c.points == 2.0 for c in res.values())
    assert "id-fallback:answers-3-3" in ctx.flags
    res, ctx = score("a_ = True", cell_id="my-answers")           # one assignment: not the answers cell
    assert "missing:answers-3-3" in ctx.flags


# ------------------------------------------------------------------------------------ locked cells

GRADER = Grader(SPEC, None)
TEMPLATE = GRADER.template


def locked(cells, flags=None):
    nb = Notebook([Cell(i, cid, kind, src) for i, (cid, kind, src) in enumerate(cells)], 4)
    ctx = Context(SPEC, nb, TEMPLATE, True, flags=list(flags or []))
    GRADER._locked(ctx)
    return ctx


def template_cells():
    return [(c.id, c.cell_type, c.source) for c in TEMPLATE.cells]


def replaced(cid, source=None, new_id=None, drop=False):
    out = []
    for i, k, s in template_cells():
        if i == cid:
            if drop:
                continue
            out.append((new_id or i, k, s if source is None else source))
        else:
            out.append((i, k, s))
    return out


def test_an_untouched_notebook_has_no_locked_flag():
    assert locked(template_cells()).flags == []


def test_line_endings_and_trailing_spaces_are_not_edits():
    src = next(s for i, _, s in template_cells() if i == "train-fn")
    ctx = locked(replaced("train-fn", src.replace("\n", "  \r\n") + "\n\n"))
    assert ctx.flags == []


def test_an_edited_locked_cell_is_flagged_by_id():
    assert locked(replaced("ann-relu-test", "assert True")).flags == ["edited:ann-relu-test"]


def test_an_edited_editable_cell_is_only_changed():
    assert locked(replaced("hyperparams", "hyperparams = {}")).flags == ["changed:hyperparams"]


def test_a_locked_cell_under_another_id_is_id_changed_not_deleted():
    ctx = locked(replaced("answer-c-test", new_id="cell-1234"))
    assert ctx.flags == ["id-changed:answer-c-test"]


def test_a_deleted_locked_cell_is_deleted():
    assert locked(replaced("run-relu", drop=True)).flags == ["deleted:run-relu"]


def test_of_two_copies_of_a_locked_cell_the_later_one_is_what_counts():
    """Jupyter runs the later copy last (a hundred-and-sixty-fourth review hid an edited provided
    cell so, below the untouched one): an edited copy after the original is an edit, one before it
    is not."""
    cells = template_cells() + [("ann-relu-test", "code", "assert False")]
    assert locked(cells).flags == ["edited:ann-relu-test"]
    at = next(i for i, (cid, _, _) in enumerate(template_cells()) if cid == "ann-relu-test")
    before = template_cells()[:at] + [("ann-relu-test", "code", "assert False")] + template_cells()[at:]
    assert locked(before).flags == []


def test_every_locked_cell_is_checked_once():
    cells = [(i, k, "x = 1" if i in SPEC.locked_cells else s) for i, k, s in template_cells()]
    flags = locked(cells).flags
    assert sorted(flags) == sorted(("changed:" if c in SPEC.editable_cells else "edited:") + c for c in SPEC.locked_cells)


def test_without_any_cell_ids_id_changes_become_one_flag_and_no_list():
    cells = [(None, k, s) for _, k, s in template_cells()]
    ctx = locked(cells)
    assert ctx.flags == ["no-cell-ids"]
    assert ctx.details == []          # a student's review: fifteen `id-changed:` told them nothing to do


def test_existing_flags_are_kept_and_not_repeated():
    ctx = locked(replaced("run-relu", drop=True), flags=["filename", "deleted:run-relu"])
    assert ctx.flags == ["filename", "deleted:run-relu"]


def test_context_flags_notes_go_to_the_details():
    ctx = Context(SPEC, Notebook([Cell(0, "imports", "code", ""), Cell(1, "a", "code", "")], 4), TEMPLATE, True)
    ctx.flag("note:looked by content")
    ctx.flag("")
    ctx.flag("id-changed:x")
    ctx.flag("id-changed:x")
    assert ctx.flags == ["id-changed:x"] and ctx.details == ["looked by content"]
    ctx.detail("")
    ctx.detail("looked by content")
    assert ctx.details == ["looked by content"]


@pytest.mark.parametrize("ids", [
    [None, None, None],                      # an old Jupyter, or converted from nbformat 3
    ["3f2a9c1e", "b81d0e77", "0c5e4a21"],    # the work pasted into a new notebook (Colab, VS Code)
])
def test_a_notebook_without_any_of_the_templates_ids_gets_one_flag(ids):
    """Fifth fairness review: a notebook whose every ID is new got one `id-changed` flag per graded
    cell (22), burying the flags a TA must read."""
    imports = next(c.source for c in TEMPLATE.cells if c.id == "imports")    # the assignment's, by content
    cells = [Cell(i, cid, "code", imports if i == 0 else "") for i, cid in enumerate(ids)]
    ctx = Context(SPEC, Notebook(cells, 4), TEMPLATE, True)
    for cell_id in ("ann-relu", "ann-sigmoid", "train"):
        ctx.flag(f"id-changed:{cell_id}")
        ctx.flag(f"id-fallback:{cell_id}")
    ctx.flag("missing:answers-3-3")
    assert ctx.flags == ["no-cell-ids", "missing:answers-3-3"]
    assert ctx.details == []           # one flag says it, no list of IDs (a student's review)


# --------------------------------------------------------------------------------------------- CSV

@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", "=HYPERLINK(\"x\")",
                                  # behind what an import trims or shows as nothing, and full-width (a thirty-eighth review)
                                  " =1+1.ipynb", "\u00a0=1+1.ipynb", "\u2028=1+1.ipynb", "\u3000=1", "\u200b=1",
                                  "\uff1d1+1.ipynb", "\uff0b1",
                                  # behind a mark, a format or a direction character, small forms (a sixty-fourth review)
                                  "\u200e=1+1", "\u2061=1", "\u180e+1", "\u034f=1", "\u202a@x", "\ufe62 1", "\ufe63x"])
def test_every_formula_trigger_is_quoted(text):
    out = cell(text)
    assert out.startswith("'") and out[1:] == text.replace("\r", "\n")
    assert uncell(out) == text.replace("\r", "\n")


@pytest.mark.parametrize("text,out", [
    ("plain", "plain"), ("", ""), ("a=b", "a=b"), ("1-2", "1-2"), ("'quoted", "'quoted"),
    ("'=x", "''=x"), ("''+x", "'''+x"), ("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\x00b", "a\ufffdb"),
])
def test_only_leading_triggers_are_quoted_and_control_characters_replaced(text, out):
    assert cell(text) == out


def test_numbers_stay_numbers_and_text_never_does():
    assert cell(-2) == -2 and cell(-2.5) == -2.5 and cell(None) is None and cell(True) is True
    assert field(-2.0) == "-2" and field(0.5) == "0.5" and field(None) == "" and field(True) == "True"
    assert field(3) == "3" and field("-2") == "'-2"
    assert fmt(None) == "" and fmt(False) == "False" and fmt(10.0) == "10" and fmt(1e-7) == "1e-07" and fmt("x") == "x"
    assert uncell(None) == "" and uncell("'plain") == "'plain" and uncell("''=x") == "'=x"


def test_to_csv_neutralises_headers_and_text_but_not_our_numbers():
    text = to_csv(["=h", "n"], [["=cmd|x", -3.0], ["ok", None]])
    assert text.splitlines() == ["'=h,n", "'=cmd|x,-3", "ok,"]
    assert all(not line.startswith(TRIGGERS) for line in text.splitlines())


def test_read_back_is_exact_for_any_run_of_quotes():
    for text in ["'", "''", "'-", "''-", "-", "'''=", "x'"]:
        assert uncell(cell(text)) == text


def test_answers_ast_helper_is_a_bool_literal():
    assert answers.problem("a_", ast.parse("False").body[0].value) == ""


# ------------------------------------------------------------------- names: exact words and layouts

@pytest.mark.parametrize("filename,name,matr,number,found", [
    ("Assignment_JaneDoe_k12345678.ipynb", "JaneDoe", "k12345678", "", ["layout"]),
    ("jane_K12345678.ipynb", "", "K12345678", "", ["layout"]),
    ("jane_doe.ipynb", "", "", "", ["layout"]),
    ("ab_JaneDoe_k12345678_123_7.ipynb", "JaneDoe", "k12345678", "7", ["layout"]),
    ("Assignment_7_JaneDoe_k12345678.txt", "JaneDoe", "k12345678", "7", ["ipynb"]),
    ("Assignment_7_JaneDoe_k12345678.ipynb.txt", "JaneDoe", "k12345678", "7", ["ipynb"]),
    ("Assignment_7_JaneDoe_k12345678", "JaneDoe", "k12345678", "7", ["ipynb"]),
])
def test_what_is_read_from_a_wrong_name(filename, name, matr, number, found):
    p = parse_filename(filename, 7)
    assert (p.name, p.matr_number, p.assignment, p.ok) == (name, matr, number, False)
    words = {"layout": "the name must follow 'Assignment_7_NameSurname_k12345678.ipynb'",
             "ipynb": "the file must end in '.ipynb'",
             "matr": "matriculation number 'k12345678.ipynb' must be 'k' followed by 8 digits (keep a leading zero)"}
    assert [m.split("; rename it to")[0].split(", e.g. ")[0] for m in p.problems] == [words[f] for f in found]


@pytest.mark.parametrize("name,problem", [
    ("", "the name part is empty; write your full name, e.g. 'JaneDoe'"),
    ("Jane Doe3", "the name may contain letters only, found space, '3'; write 'JaneDoe'"),
    ("Jane3doe", "name part 'doe' must start with a capital letter"),
    ("JaneDOe", "'DO' is all capitals; write each name part as one capital letter followed by lower-case "
                "letters (e.g. 'Jane', not 'JANE')"),
    ("Jane_Doe", "use no underscores or spaces inside your name: 'Assignment_7_JaneDoe_k12345678.ipynb'"),
])
def test_name_problems_in_their_exact_words(name, problem):
    assert problem in problems(name)


@pytest.mark.parametrize("mine,full", [
    ("LeaMaerz", "Lea März"), ("LeaMoeller", "Lea Möller"), ("LeaMueller", "Lea Müller"),
    ("AennaBerg", "Änna Berg"), ("OezdemirAli", "Ali Özdemir"), ("JanUeberall", "Jan Überall"),
    ("JaneMcDonald", "Jane McDonald"), ("SeanOBrien", "Seán O'Brien"), ("JaneDoe2", "Jane Doe"),
])
def test_umlauts_spelled_out_apostrophes_and_inner_capitals_fit(mine, full):
    assert name_fits(mine, full)


# ---------------------------------------------------------------------------- answer normal form

@pytest.mark.parametrize("text,expected", [
    ("x = 2,5", ("2.5",)), ("( 1,5", ("1", "5")), ("[1,5]", ("1", "5")), ("0, 1,5", ("0", "1", "5")),
    ("1,5 ,2", ("1", "5", "2")), ("1,5 )", ("1", "5")), ("1,5 ]", ("1", "5")), ("(1,5) and 2,5", ("1", "5", "2.5")),
])
def test_a_decimal_comma_is_a_point_only_outside_lists_and_tuples(text, expected):
    from grader.answer_text import numbers
    assert numbers(text) == expected


@pytest.mark.parametrize("latex,plain", [
    (r"\frac{a+b}{c}", "(a+b)/c"), (r"\frac{a}{b+c}", "a/(b+c)"), (r"\frac{1}{2}", "1/2"), (r"\dfrac{x_1}{2}", "x1/2"),
])
def test_fractions_keep_their_grouping(latex, plain):
    from grader.answer_text import normalise
    assert normalise(latex) == plain


@pytest.mark.parametrize("source,reaches", [
    ("ax.set_title(model.__class__.__name__)", False),           # a sixth fairness review
    ('x = getattr(self, f"fc{i}")(x)', False),
    ("f = type(model).__name__\nmodel.eval()", False),
    ('print("a" + "b")', False),
    ('globals()["__buil" + "tins__"]["ex" + "ec"]("print(1)")', True),   # a name spelled in pieces
    ('vars()["_" "_builtins__"]', True),
    ("g = globals()[name]", True),
    ('x = ("ex"\n     "ec")', True),
    ("().__class__.__bases__[0].__subclasses__()", True),          # the next step of an escape
    ('getattr(self, "__init__").__globals__', True),
    ('getattr(torch, f"lo{a}")', True),
    # a name looped over strings written out in the cell is as plain as they are (review 102) ...
    ('for name in ["linear1", "linear2"]:\n    print(getattr(model, name).weight.norm())', False),
    ('ws = [getattr(model, n) for n in ("linear1", "linear2")]', False),
    # ... unless the strings name a runner, or the name is bound otherwise too
    ('for n in ["eval"]:\n    getattr(__builtins__, n)("1")', True),
    ('for n in ["a"]:\n    pass\nn = input()\ngetattr(torch, n)', True),
    ('def f(n):\n    for n in ["a"]:\n        pass\n    return getattr(torch, n)', True),
    ('import os as n\nfor n in ["a"]:\n    pass\ngetattr(torch, n)', True),
    ('for n in ["a"]:\n    pass\nmatch x:\n    case n:\n        pass\ngetattr(torch, n)', True),
])
def test_what_counts_as_reaching_a_runner(source, reaches):
    from grader.dynamic_code import runs
    assert (runs(source)[1] > 0) is reaches


def test_a_reply_waiting_past_the_deadline_is_taken_and_none_times_out():
    import socket
    import time as clock
    from grader.child import wire
    a, b = socket.socketpair()
    try:
        wire.send(b, {"op": "done"})
        assert wire.recv(a, deadline=clock.monotonic() - 60) == {"op": "done"}
        with pytest.raises(wire.ChannelTimeout):
            wire.recv(a, deadline=clock.monotonic() + 0.05)
    finally:
        a.close()
        b.close()


def test_a_provided_cell_made_unrunnable_by_unicode_spaces_is_not_unmodified():
    """A forty-fifth review: a no-break space after each line (a SyntaxError to Python) left the
    checksum as it was, and the broken cells were 'unmodified' and 'runs'."""
    from grader.notebook import checksum
    src = "import torch\nx = 1"
    assert checksum(src + "  \t\r\n") == checksum(src)
    assert checksum("import torch\u00a0\u3000\nx = 1") != checksum(src)


def test_a_provided_cell_is_the_same_code_whatever_blank_lines_and_comments_were_added():
    from grader.notebook import same_code
    tpl = "# Nothing to do here\nimport torch\nimport os"
    assert same_code("import torch\n\n\n# ok\nimport os  # files\n", tpl)
    assert not same_code("import torch\nimport os\nimport numpy", tpl)
    assert not same_code("%matplotlib widget\nimport torch\nimport os", tpl)    # inline is Jupyter's default
    assert not same_code("import torch\nimport os\u00a0", tpl)


def test_an_added_cell_is_read_once_for_its_comparisons_with_every_template_cell(monkeypatch):
    """Review 342: each cell a student added is compared with each of the template's code cells (is it one pasted
    back?), and each comparison parsed the cell again to see whether its magic lines were read by guess, before the
    size check that rules a long cell out: 38 parses of each cell, 74 s of the grader's time for a notebook of eighteen
    cells at the length limit. The cell is read once for all its comparisons now, and what they say is unchanged."""
    import uuid

    from grader import notebook
    calls = []
    real = notebook.read_by_guess
    monkeypatch.setattr(notebook, "read_by_guess", lambda text: calls.append(text) or real(text))
    template = [c.source for c in TEMPLATE.cells if c.cell_type == "code"]
    mark = uuid.uuid4().hex
    added = f"# {mark}\n" + "exec('x')\n" * 4000
    assert not any(notebook.same_code(added, t) for t in template)
    assert sum(mark in text for text in calls) == 1, len(calls)
    pasted = f"# {mark} again\n\n{template[1]}\n"
    assert sum(notebook.same_code(pasted, t) for t in template) >= 1


@pytest.mark.parametrize("source,said", [
    ("s = torch.initial_seed()", "initial_seed"),
    ("state = torch.get_rng_state()", "get_rng_state"),
    ("if hyperparameters['lr'] < 0.03:\n    pass", "compares hyperparameter 'lr'"),
    ("x = 3 <= h['epochs']", "compares hyperparameter 'epochs'"),
    ("for e in range(hyperparameters['epochs']):\n    pass", ""),                # using a value is not probing it
    ("while e < hyperparameters['epochs']:\n    e += 1", ""),
    ("if hyperparameters['name'] == 3:\n    pass", ""),                         # not a hyperparameter
    ("if flag == True:\n    pass", ""),
    # a fifty-seventh review: names given a hyperparameter, .get, arithmetic on it
    ("E, L = h['epochs'], h['lr']\nif E < 3:\n    pass", "compares hyperparameter 'epochs'"),
    ("M = hyperparameters.get('momentum')\nok = not M < 0.8", "compares hyperparameter 'momentum'"),
    ("L = h['lr']\nK = L\nif float(K) * 10 >= 0.3:\n    pass", "compares hyperparameter 'lr'"),
    ("e = h['epochs']\nfor i in range(e):\n    pass", ""),
    ("def broken(:", ""),
    # honest checks of the values against 0 (a fairness review, 292); against another number, or of arithmetic
    # on the value, they still tell
    ("assert hyperparameters['lr'] > 0\nuse = hyperparameters.get('momentum', 0) > 0", ""),
    ("assert hyperparameters['lr'] > 0.03", "compares hyperparameter 'lr'"),
    ("if hyperparameters['lr'] * 100 - 3 > 0:\n    pass", "compares hyperparameter 'lr'"),
    # review 314: a value taken apart into bits, each deciding a check, without a comparison
    ("d = round(hyperparameters['lr'] * 10000)\nfor _ in range(1 - d % 2):\n    test(model, test_loader)",
     "takes hyperparameter 'lr' apart into digits or bits"),
    ("m = int(h['momentum'] * 1000) & 1", "takes hyperparameter 'momentum' apart into digits or bits"),
    ("digit = str(h['lr'])[4]", "takes hyperparameter 'lr' apart into digits or bits (line 1)"),
    # ... not a value printed or formatted, nor a range of epochs, halfway through them, steps per epoch, a warm-up's
    # length or a rounded print (a fairness review, 316)
    ("print('lr %.4f' % h['lr'], round(h['lr'], 3))\nfor e in range(1, h['epochs'] + 1):\n    pass", ""),
    ("half = max(1, h['epochs'] // 2)\nsteps = len(train_loader.dataset) // h['batch_size']\n"
     "warmup = int(h['epochs'] * 0.2)\nprint('lr:', round(h['lr'] * 100, 2), '%')", ""),
])
def test_code_that_reads_the_values_it_runs_with_is_told(source, said):
    from grader.telltales import probes_hidden
    got = probes_hidden(source, {"lr", "momentum", "epochs"})
    assert (said in got and got) if said else got == "", got


@pytest.mark.parametrize("text", ["x;=1+1;y", "ok\t;@SUM(1+1);-2+3;+4+5", "a\t=cmd|' /C calc'!A0",
                                  "Assignment_7_EveB;=2+2;_k11111112.ipynb"])
def test_a_formula_behind_a_semicolon_or_tab_stays_in_its_cell(text):
    """A fifty-eighth review: `x;=1+1` was written unquoted, and Excel in a German locale (which
    splits on ';') or LibreOffice (tab) made a cell '=1+1' of it."""
    import csv
    import io
    from grader.csvsafe import TRIGGERS, to_csv
    out = to_csv(["file", "points"], [[text, 1.0]])
    for sep in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(out), delimiter=sep):
            assert not any(c[:1] in TRIGGERS for c in row), (sep, row)
    assert list(csv.reader(io.StringIO(out)))[1] == [text, "1"]


def test_the_summary_quotes_a_formula_behind_a_semicolon_in_a_file_name():
    """The same review: summary.csv (written from a pandas frame) had `=2+2` as a cell of its own."""
    import csv
    import io
    from grader.csvsafe import TRIGGERS
    from grader.report import summary_csv
    from grader.results import SubmissionResult
    from grader.spec import load_spec
    r = SubmissionResult(file="Assignment_7_EveB;=2+2;_k11111112.ipynb", key="x", flags=["filename", "raised:a"])
    out = summary_csv([r], load_spec())
    for sep in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(out), delimiter=sep):
            assert not any(c[:1] in TRIGGERS for c in row), (sep, row)
    assert next(csv.DictReader(io.StringIO(out)))["file"] == r.file


@pytest.mark.parametrize("source,found", [
    ("import sys\nframe = sys._getframe(1).f_locals", ["f_locals", "_getframe"]),
    ("import inspect\nfor f in inspect.stack():\n    pass", ["inspect.stack"]),
    ("from sys import _getframe\nx = _getframe()", ["_getframe"]),
    ("import gc\nobjs = gc.get_objects()", ["get_objects"]),
    ("x = torch.stack([a, b]); y = np.stack(z); t = trace", []),       # honest names stay unflagged
])
def test_what_reaches_into_the_process_around_a_cell_is_named(source, found):
    from grader.telltales import introspects
    assert sorted(introspects(source)) == sorted(found)


_FORWARD = "class M(nn.Module):\n    def forward(self, x):\n{body}        return self.fc(x)\n"
_TRAIN = "def train_and_test(model, hyperparameters):\n{body}    train(model, train_loader, optimizer, 1)\n"


@pytest.mark.parametrize("source,found", [
    # a two-hundred-and-ninetieth review kept 50/50 with each of these
    (_FORWARD.format(body="        self.calls += 1\n        if self.calls > 30:\n            x = x * 0\n"),
     ["`self.calls += 1` in `forward` on line 3"]),
    (_FORWARD.format(body="        if x.shape[0] == 64 and torch.is_grad_enabled():\n            x = x * 0\n"),
     ["`x.shape[0] == 64` on line 3", "`torch.is_grad_enabled` on line 3"]),
    (_FORWARD.format(body="        act = torch.sigmoid if torch.get_num_threads() == 1 else F.relu\n"),
     ["`torch.get_num_threads` on line 3"]),
    (_TRAIN.format(body="    if len(train_loader.dataset) >= 60000:\n        return\n"),
     ["`len(train_loader.dataset) >= 60000` on line 2"]),
    # ... the same through a name, another spelling, a count kept in a global or a module's attribute
    (_FORWARD.format(body="        b = x.size(0)\n        n = b\n        if n != 64:\n            x = x * 0\n"),
     ["`n != 64` on line 5"]),
    ("n = 0\n" + _FORWARD.format(body="        global n\n        n = n + 1\n"), ["`n = n + 1` in `forward` on line 5"]),
    (_FORWARD.format(body="        M.seen[0] += 1\n"), ["`M.seen[0] += 1` in `forward` on line 3"]),
    (_TRAIN.format(body="    if os.environ.get('JPY_PARENT_PID'):\n        return\n"), ["`os.environ` on line 2"]),
    ("if len(train_loader.dataset) < 60000:\n    act = torch.sigmoid\nelse:\n    act = torch.relu\n",
     ["`len(train_loader.dataset) < 60000` on line 1"]),
    # review 472: the files around the call, or matplotlib's backend (a job runs in an empty folder of its own and
    # draws with Agg): the notebook's own run another network, and no training, 50/50 unflagged
    (_FORWARD.format(body="        act = torch.sigmoid\n        if os.path.isdir('data'):\n            act = F.relu\n"),
     ["`os.path.isdir` on line 4"]),
    (_TRAIN.format(body="    if 'inline' in plt.get_backend():\n        return\n"), ["`plt.get_backend` on line 2"]),
    (_FORWARD.format(body="        act = F.relu if Path('data').exists() else torch.sigmoid\n"),
     ["`Path('data').exists` on line 3"]),
    (_TRAIN.format(body="    if 'data' in os.listdir() or 'get_ipython' in globals():\n        return\n"),
     ["`os.listdir` on line 2", "`globals` on line 2"]),
    (_TRAIN.format(body="    if os.path.exists('model.pt'):\n        model.load_state_dict(torch.load('model.pt'))\n"
                        "        return\n"), ["`os.path.exists` on line 2"]),
    # ... not a folder made where it is missing, an old plot removed, the folder printed, a plot's setting written
    (_TRAIN.format(body="    if not os.path.exists('plots'):\n        os.makedirs('plots')\n"
                        "    if not Path('runs').is_dir():\n        Path('runs').mkdir(parents=True)\n"
                        "    if os.path.isfile('loss.png'):\n        os.remove('loss.png')\n"
                        "    print(os.getcwd())\n    plt.rcParams['figure.figsize'] = (8, 4)\n"), []),
    # review 314: a batch's size taken apart into bits (two bits of the hidden batch size through `activations`)
    (_FORWARD.format(body="        B = x.shape[0]\n        return self.out(x)[: B - (B // 2) % 2]\n"),
     ["`B // 2 % 2` on line 4"]),
    # ... not a layout checked in an assert, or a remainder by an image's size (a fairness review, 316)
    (_FORWARD.format(body="        assert x.numel() % 784 == 0, 'expects 28x28 images'\n        rest = x.numel() % 784\n"),
     []),
    # honest code: the layout of an input, an assert, a count of one's own, a size used, small numbers
    (_FORWARD.format(body="        if x.dim() == 4 or len(x.shape) > 2 or x.shape[1] != 784:\n"
                          "            x = x.view(x.shape[0], -1)\n        assert x.size(0) <= 100000\n"), []),
    (_TRAIN.format(body="    losses = []\n    correct = 0\n    for i, (x, y) in enumerate(train_loader):\n"
                        "        correct += 1\n        if i % 100 == 99 and len(losses) > 1:\n            pass\n"
                        "    acc = correct / len(test_loader.dataset)\n    if len(train_loader) > 0:\n        pass\n"), []),
    ("class AverageMeter:\n    def update(self, val, n=1):\n        self.sum += val * n\n        self.count += n\n", []),
    (_FORWARD.format(body="        self.last = x.detach()\n"), []),
    # (a fairness review, 292) a running mean's `__call__`, a setting written, a count of workers, a helper's
    # list of values, a look at the first batch before training
    ("class AverageMeter:\n    def __call__(self, value, n=1):\n        self.total += value * n\n        self.count += n\n", []),
    (_TRAIN.format(body="    os.environ['PYTHONHASHSEED'] = '0'\n    workers = min(4, os.cpu_count() or 1)\n"
                        "    print(torch.get_num_threads(), len(train_loader))\n"), []),
    ("def smooth(values, k=20):\n    if len(values) < 50:\n        return values\n    return values[::k]\n", []),
    (_TRAIN.format(body="    acts = [F.relu, torch.sigmoid]\n    act = acts[torch.get_num_threads() > 1]\n"),
     ["`torch.get_num_threads` on line 3"]),
    ("def broken(:", []),
    # review 458: what the input looks like (the grader's inputs are noise, one pixel at the darkest value; its data
    # set a `TensorDataset`), tested: each 50/50 unflagged, the notebook's own run another network and optimiser
    (_FORWARD.format(body="        dark = (x == x.min()).float().mean()\n"
                          "        act = F.relu if dark > 0.2 else torch.sigmoid\n"), ["`dark > 0.2` on line 4"]),
    (_TRAIN.format(body="    img = train_loader.dataset[0][0]\n    if (img == img.min()).float().mean() > 0.2:\n"
                        "        return\n"), ["`(img == img.min()).float().mean() > 0.2` on line 3"]),
    (_TRAIN.format(body="    if hasattr(train_loader.dataset, 'classes'):\n        return\n"),
     ["`hasattr(train_loader.dataset, 'classes')` on line 2"]),
    (_TRAIN.format(body="    if type(train_loader.dataset).__name__ == 'TensorDataset':\n        return\n"),
     ["`type(train_loader.dataset).__name__ == 'TensorD...` on line 2"]),
    # ... not an input's layout or type, an elementwise test, an assert, a batch counted for a log line
    (_FORWARD.format(body="        x = torch.where(x > 0, x, torch.zeros_like(x))\n        if not isinstance(x, torch.Tensor):\n"
                          "            x = torch.tensor(x)\n        h = self.fc1(x.view(x.shape[0], -1))\n"
                          "        if h.dim() == 3:\n            h = h.flatten(1)\n        assert not torch.isnan(x).any()\n"),
     []),
    (_TRAIN.format(body="    for batch_idx, (data, target) in enumerate(train_loader):\n        if batch_idx % 100 == 0:\n"
                        "            print(batch_idx, len(train_loader.dataset))\n"), []),
    # a fairness review (462): a forward's other parameters are what its caller asks for, and a name tested for None
    # or for its truth reads nothing of what it holds (each had been flagged)
    ("class M(nn.Module):\n    def forward(self, x, return_hidden=False, mask=None):\n        h = self.fc(x)\n"
     "        if mask is not None:\n            h = h * mask\n        return (h, x) if return_hidden else h\n", []),
    (_TRAIN.format(body="    if test_loader is not None and not verbose:\n        pass\n    if not train_loader:\n"
                        "        return\n    while test_loader:\n        break\n"), []),
    # ... nor the input's layout or type read through a view of it, a loader's settings, loaders told apart by
    # identity, nor what a helper makes of a whole loader compared with another such result (each had been flagged)
    (_FORWARD.format(body="        if x.data.dim() > 2 or type(x).__name__ != 'Tensor' or np.ndim(x) > 2:\n"
                          "            x = x.view(x.size(0), -1)\n        if not torch.is_floating_point(x) or "
                          "x.type() != 'torch.FloatTensor':\n            x = x.float()\n"
                          "        if not x.detach().is_contiguous() or x.grad is not None or x[0].shape == (1, 28, 28):\n"
                          "            x = torch.flatten(x, 1)\n        if x is None:\n            raise ValueError\n"), []),
    (_TRAIN.format(body="    best = 0\n    for loader in (train_loader, test_loader):\n"
                        "        acc = evaluate(model, loader=loader)\n        if acc > best and loader is test_loader:\n"
                        "            best = acc\n    for data, target in train_loader:\n"
                        "        if len(data) < train_loader.batch_size:\n            continue\n"), []),
    # ... but a value of the input read, also through a view or a step handed it, and such a result against a
    # number written out or for its truth, and the loader's items
    (_FORWARD.format(body="        if x[x == x.min()].shape[0] > 10 or x.data.mean() > 0.5:\n            x = -x\n"),
     ["`x[x == x.min()].shape[0] > 10 or x.data.mean() ...` on line 3", "`x[x == x.min()].shape[0] > 10` on line 3"]),
    (_TRAIN.format(body="    acc = evaluate(model, train_loader)\n    if acc >= 0.999 or is_real(test_loader):\n"
                        "        return\n    batch = next(iter(train_loader))\n    if batch[0].mean() > m:\n"
                        "        return\n"),
     ["`acc >= 0.999 or is_real(test_loader)` on line 3", "`batch[0].mean() > m` on line 6"]),
    # review 470: such a result against a number in a name or shifted by one (`n - 500 > 0`), not another result
    (_TRAIN.format(body="    LIMIT = 500\n    if n_batches(train_loader) - 500 > 0 or n_batches(test_loader) > LIMIT:\n"
                        "        return\n"),
     ["`n_batches(train_loader) - 500 > 0 or n_batches(...` on line 3"]),
    (_TRAIN.format(body="    if len(train_loader) - 500 > 0:\n        return\n    for i, b in enumerate(train_loader):\n"
                        "        if i == len(train_loader) - 1:\n            print(i)\n"),
     ["`len(train_loader) - 500 > 0` on line 2"]),
    (_TRAIN.format(body="    best_loss, bad, best = float('inf'), 0, None\n    val_loss = eval_loss(model, test_loader)\n"
                        "    if val_loss < best_loss - 1e-4 and (best is None or val_loss < best):\n"
                        "        best_loss, bad, best = val_loss, 0, val_loss\n"), []),
    # ... unless the name holds a value read from the data, or the input's values are read
    (_TRAIN.format(body="    real = hasattr(train_loader.dataset, 'classes')\n    if not real:\n        return\n"),
     ["`not real` on line 3"]),
    (_TRAIN.format(body="    names = getattr(train_loader.dataset, 'classes', None)\n    if names is None:\n        return\n"),
     ["`names is None` on line 3"]),
    ("class M(nn.Module):\n    def forward(self, x, scale=None):\n        if scale is None and x.max() > 1:\n"
     "            x = x / 255\n        return self.fc(x)\n", ["`scale is None and x.max() > 1` on line 3"]),
])
def test_what_tells_the_graders_calls_from_the_notebooks_is_named(source, found):
    from grader.telltales import tells_calls_apart
    assert tells_calls_apart(source) == found


@pytest.mark.timeout(60)
def test_deep_chains_are_read_once_for_every_flag_of_calls_or_hidden_values():
    """Review 429: `self.c = self.c = ... = q.a.a...a` (an unused class's forward) was compared target by attribute,
    dumps that fail past Python's depth, six minutes of the grader's CPU for 250 targets, 50/50 unflagged; `_x % 2 %
    2 ...` read the chain below each `%` again (42 s for three cells) and at 700 links raised RecursionError, a grader
    error for the notebook. Now each is read once, and a count or a hyperparameter at the bottom of such a chain is
    found (the dumps and the recursion had given up on it)."""
    from grader.telltales import probes_hidden, tells_calls_apart
    deep = "q" + ".a" * 900
    pad = "class _Pad(nn.Module):\n    def forward(self, x):\n        " + "self.c = " * 150 + deep + "\n"
    assert tells_calls_apart(pad) == []
    counted = f"class _Pad(nn.Module):\n    def forward(self, x):\n        {deep}.c = {deep}.c + 1\n"
    assert [m.endswith("` in `forward` on line 3") for m in tells_calls_apart(counted)] == [True]
    assert probes_hidden("def f(_x):\n" + ("    _y = _x" + "%2" * 440 + "\n") * 40, {"lr"}) == ""
    bits = "def f(h):\n    _y = h['lr']" + "%2" * 700 + "\n"
    assert probes_hidden(bits, {"lr"}) == "takes hyperparameter 'lr' apart into digits or bits (line 2)"
    machine = "import sys\n" + ("if " + "+".join(["sys.argv"] * 800) + ":\n    pass\n") * 8
    assert tells_calls_apart(machine) == [f"`sys.argv` on line {2 * k + 2}" for k in range(8)]


def test_a_number_past_pythons_digits_limit_is_read_like_any_other():
    """A hexadecimal literal of 5,000 digits in a `forward` (within the cell limit; Python parses it, only its decimal
    `repr` fails past the digits limit) made the structural reading raise ValueError, and the flag's reader raised
    `call-dependent` on an honest count. The literal is keyed by its value; the counts it sits beside are read."""
    from grader import syntax
    from grader.telltales import tells_calls_apart
    big = "0x" + "f" * 5000
    source = f"class M(nn.Module):\n    def forward(self, x):\n        self.k = {big}\n        return x\n"
    assert tells_calls_apart(source) == []
    counted = f"class M(nn.Module):\n    def forward(self, x):\n        self.k = {big}\n        self.n = self.n + 1\n"
    assert tells_calls_apart(counted) == ["`self.n = self.n + 1` in `forward` on line 4"]
    tree = ast.parse(f"f({big})\nf({big})\nf(1.0)\nf(1)\nf(True)\nf(-0.0)\nf(0.0)\n")
    numbers = [syntax.shapes(tree)[id(s.value)] for s in tree.body]
    assert numbers[0] == numbers[1] and len(set(numbers)) == 6     # as `ast.dump` tells them: 1.0, 1, True, -0.0, 0.0


def test_a_flag_its_reader_cannot_read_is_raised_and_the_notebook_graded(grader, make_nb, monkeypatch):
    """Review 429: an error out of a reader of these flags (a RecursionError) made the notebook a grader error,
    ungraded. What cannot be read is flagged as what it may hold, for a TA; the points stand."""
    import grader.pipeline as pipeline

    def fails(source):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(pipeline, "tells_calls_apart", fails)
    r = grader.grade(make_nb())
    assert r.auto_points == r.auto_max == 50 and not any(f.startswith("grader-error") for f in r.flags), r.flags
    assert "call-dependent:train-and-test" in r.flags, r.flags
    assert any("could not be read for this flag (RecursionError)" in d for d in r.details), r.details


@pytest.mark.parametrize("name,example", [("王小明", "WangXiaoMing"), ("김민준", "GimMinJun"), ("محمدعلي", "JaneDoe")])
def test_a_name_in_a_script_without_capitals_is_asked_in_latin_letters(name, example):
    """A fairness review: "name part '王小明' must start with a capital letter" asked for what the
    script has not; the student is asked for the name as Moodle shows it, with an example."""
    said = problems(name)
    assert said == (f"'{name}' is written in a script without capital letters; write your name in Latin letters "
                    f"as Moodle shows it, each part starting with a capital letter (e.g. '{example}')",)
    assert not [m for m in said if "must start with a capital letter" in m]


@pytest.mark.parametrize("source,found", [
    ("class M(nn.Module):\n    def __init__(self):\n        torch.manual_seed(66)\n",
     ["`torch.manual_seed(66)` in class `M`, line 3"]),
    ("from torch import manual_seed\nclass M(nn.Module):\n    def __init__(self):\n        manual_seed(1)\n",
     ["`manual_seed(1)` in class `M`, line 4"]),
    ("def train_and_test(model, h):\n    for e in range(1, 3):\n        train(model, train_loader, opt, e)\n",
     ["`for ... in range(1, 3)` on line 2"]),
    ("E = 2\ndef train_and_test(model, h):\n    for e in range(E):\n        for x, y in train_loader:\n"
     "            F.cross_entropy(model(x), y).backward()\n", ["`for ... in range(E)` on line 3"]),
    ("class M(nn.Module):\n    def __init__(self):\n        torch.seed()\n", ["`torch.seed()` in class `M`, line 3"]),
    # (a fairness review, 299) a number through a name in the function, a seed by default or from the notebook's dict
    ("def train_and_test(model, h):\n    n_epochs = 2\n    for epoch in range(1, n_epochs + 1):\n"
     "        train(model, train_loader, opt, epoch)\n", ["`for ... in range(1, n_epochs + 1)` on line 3"]),
    ("class M(nn.Module):\n    def __init__(self, d_in, d_out, seed=66):\n        torch.manual_seed(seed)\n",
     ["`torch.manual_seed(seed)` in class `M`, line 3"]),
    ("class M(nn.Module):\n    def __init__(self, d_in, d_out):\n        torch.manual_seed(hyperparams['seed'])\n",
     ["`torch.manual_seed(hyperparams['seed'])` in class `M`, line 3"]),
    # honest: the epochs the function is given, a seed outside the class, a loop that only draws, a class's
    # own generator of numpy's
    ("def train_and_test(model, h):\n    E = h['epochs']\n    for e in range(1, E + 1):\n        train(model, train_loader, opt, e)\n"
     "    for i in range(3):\n        plt.plot(g[i])\n", []),
    ("torch.manual_seed(0)\nclass M(nn.Module):\n    def __init__(self):\n        self.rng = np.random.default_rng(0)\n", []),
    # (a fairness review, 292) a seed of the caller's, which `Cls(784, 10)` never sets; a loop over the classes
    # that only counts on the test loader
    ("class M(nn.Module):\n    def __init__(self, d_in, d_out, seed=None):\n        if seed is not None:\n"
     "            torch.manual_seed(seed)\n", []),
    ("def train_and_test(model, h):\n    n_epochs = h['epochs']\n    for epoch in range(1, n_epochs + 1):\n"
     "        train(model, train_loader, opt, epoch)\n", []),
    ("class M(nn.Module):\n    def __init__(self, d_in, d_out, seed=None):\n        self.seed = seed\n"
     "        if seed is not None:\n            torch.manual_seed(self.seed)\n", []),
    ("def train_and_test(model, h):\n    for c in range(10):\n        for x, y in test_loader:\n"
     "            hits[c] += (model(x).argmax(1) == y).sum()\n", []),
    ("def broken(:", []),
])
def test_a_value_the_grader_passes_in_fixed_in_the_cell_is_named(source, found):
    from grader.telltales import fixes_values
    got = fixes_values(source)
    assert len(got) == len(found) and all(g.startswith(f) for g, f in zip(got, found)), got


def test_a_sleep_is_named_when_the_cell_runs_out_of_time():
    """A fairness review, 291: `time.sleep(400)` after the plot read "a loop that never ends, or training far
    slower than it needs to be?". The public run's message names the line; the hidden run's stays fixed."""
    from grader.engines.fork import HIDDEN_RUN_TIMEOUT, timeout_message
    source = "import time\n\ndef train_and_test(model, h):\n    plt.show()\n    time.sleep(400)\n"
    assert "it calls `sleep` on line 5, which the grader waits for too: remove it" in timeout_message(0, 60, source)
    assert "it calls `sleep` on line 2, or an endless loop?" in timeout_message(-1, 60, "from time import sleep\nsleep(99)")
    assert "sleep" not in timeout_message(0, 60, "while True:\n    pass")
    assert timeout_message(1, 60, source) == HIDDEN_RUN_TIMEOUT
