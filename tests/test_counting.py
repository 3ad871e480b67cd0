"""Which of a participant's several notebooks counts (no engine: small gradebooks).

The highest total of several *different* attempts is an oracle: four notebooks with the four
guesses of two True/False statements, one of them is right. So attempts that differ wait for a
TA's choice (``grader count``), which survives regrades and is undoable; identical uploads and
a draft a TA confirmed do not wait."""
from __future__ import annotations

from dataclasses import replace

from grader import identity, worksheet
from grader.feedback import overview_page
from grader.cli import main
from grader.gradebook import open_gradebook
from grader.gradebook.decisions import results as decided
from grader.results import CheckResult

from grader.spec import load_spec

from .gradebook_helpers import filled, result

SPEC = load_spec()

SHEET = ("\ufeffIdentifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
         "Last modified (submission),Feedback comments\n"
         "Participant 5500,Anna Huber,anna@uni.example,Submitted,,100.00,Yes,-,\n")


def guesses():
    """Anna's four notebooks: the same work, question_3_3 guessed four ways (6, 10, 4 and 8 points)."""
    out = []
    for n, points in enumerate((6.0, 10.0, 4.0, 8.0), start=1):
        r = result(0, "my answer")
        r.key, r.file = f"Anna_Huber_5500-{n}", f"Assignment_7_AnnaHuber_k11111111_v{n}.ipynb"
        r.checks.append(CheckResult("question_3_3", "statements", 10.0, points, points == 10, "2 per statement"))
        out.append(r)
    return out


def test_attempts_that_differ_wait_for_a_ta_and_the_worksheet_waits_with_them():
    results = guesses()
    c = identity.counting(results)["Anna_Huber_5500-2"]
    assert c.key == "Anna_Huber_5500-2" and c.differs == ("question_3_3",) and c.waiting
    assert "Their points differ in question_3_3: a TA confirms which one counts." in c.about("Anna_Huber_5500-1")
    filled_sheet = worksheet.fill(worksheet.read_worksheet(SHEET.encode()), results)
    assert filled_sheet.unchosen == ["Participant 5500 (Anna Huber) in question_3_3"]
    assert ('<li class="choice">Anna Huber (participant 5500): 4 notebooks that differ in question_3_3; choose the '
            'one that counts with <code>grader count</code></li>') in overview_page(results, SPEC, {})


def test_identical_uploads_do_not_wait():
    one = result(0, "my answer")
    two = replace(one, key="Anna_Huber_5500-2", file="copy.ipynb", checks=list(one.checks))
    c = identity.counting([one, two])[one.key]
    assert c.differs == () and not c.waiting
    assert worksheet.fill(worksheet.read_worksheet(SHEET.encode()), [one, two]).unchosen == []


def test_a_tas_choice_counts_survives_a_regrade_and_can_be_undone(tmp_path):
    reports = tmp_path / "reports"
    gb = filled(reports, guesses())
    try:
        gb.choose("Anna_Huber_5500-3", ta="ben")
        results = decided(gb)
        c = identity.counting(results.values())["Anna_Huber_5500-3"]
        assert c.key == "Anna_Huber_5500-3" and c.reason == "chosen by a TA" and c.chosen_by == "ben"
        assert not c.waiting
        assert worksheet.fill(worksheet.read_worksheet(SHEET.encode()), list(results.values())).unchosen == []
        gb.store_result(guesses()[2])                      # the regrade stores the notebook again
        assert identity.counting(decided(gb).values())["Anna_Huber_5500-1"].key == "Anna_Huber_5500-3"
        gb.undo(gb.changes(limit=1)[0].id, ta="ben")
        assert identity.counting(decided(gb).values())["Anna_Huber_5500-1"].key == "Anna_Huber_5500-2"
    finally:
        gb.close()


def test_grader_count_lists_chooses_and_takes_back(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    reports = tmp_path / "reports"
    filled(reports, guesses()).close()
    assert main(["count", "--reports", str(reports)]) == 0
    listed = capsys.readouterr().out
    assert "Anna Huber (participant 5500): 4 notebooks, their points differ in question_3_3" in listed
    assert "counts  Anna_Huber_5500-2" in listed and "waiting for a TA" in listed
    assert main(["count", "Anna_Huber_5500-1", "--reports", str(reports), "--ta", "ben"]) == 0
    said = capsys.readouterr().out
    assert "Assignment_7_AnnaHuber_k11111111_v1.ipynb counts, chosen by a TA (ben)" in said
    assert "--ta or $GRADER_TA" not in said                     # told whose choice it is
    assert "Counted: this notebook, chosen by a TA" in (reports / "feedback" / "Anna_Huber_5500-1.html").read_text()
    # Chosen again, by another TA: nothing recorded, the choice stays ben's (a seventy-fifth review).
    assert main(["count", "Anna_Huber_5500-1", "--reports", str(reports), "--ta", "root"]) == 0
    assert "counts already, chosen by ben; nothing changed" in capsys.readouterr().out
    gb = open_gradebook(reports)
    assert not any(c.ta == "root" for c in gb.changes()) and gb.choices()["5500"].ta == "ben"
    gb.close()
    assert main(["count", "Anna_Huber_5500-1", "--reports", str(reports), "--auto"]) == 0
    assert "the higher total" in capsys.readouterr().out
    monkeypatch.delenv("GRADER_TA", raising=False)             # not told: the user name, and how to say another
    assert main(["count", "Anna_Huber_5500-3", "--reports", str(reports)]) == 0
    assert "(the user name; --ta or $GRADER_TA records the name you use in grader serve)" in capsys.readouterr().out
    assert main(["count", "Ben_Gruber_5501", "--reports", str(reports)]) == 2
    assert "no report 'Ben_Gruber_5501'" in capsys.readouterr().out


def test_a_gradebook_from_before_the_choices_table_gains_it(tmp_path):
    from grader.gradebook import open_gradebook

    from .gradebook_helpers import as_older_schema
    reports = tmp_path / "reports"
    filled(reports, guesses()).close()
    as_older_schema(reports, 1, "DROP TABLE choices")
    gb = open_gradebook(reports)
    try:
        assert gb.choices() == {} and gb.meta("schema") == "4"
        gb.choose("Anna_Huber_5500-1", ta="ben")
        assert identity.counting(decided(gb).values())["Anna_Huber_5500-2"].key == "Anna_Huber_5500-1"
    finally:
        gb.close()


def test_grader_count_takes_a_key_as_a_ta_types_it(tmp_path, capsys, monkeypatch):
    """A new TA's review: the help's example `Lea_Mueller_...` found no `Lea_Müller_...`."""
    from grader.naming import as_typed
    assert as_typed("Lea_Müller_5505-2") == as_typed("lea_mueller_5505-2") == "lea_mueller_5505-2"
    monkeypatch.setenv("COLUMNS", "200")
    reports = tmp_path / "reports"
    filled(reports, guesses()).close()
    capsys.readouterr()
    assert main(["count", "anna_huber_5500-1", "--reports", str(reports), "--ta", "ben"]) == 0
    assert "counts, chosen by a TA (ben)" in capsys.readouterr().out
    assert main(["count", "Anna_Hubr_5500-1", "--reports", str(reports)]) == 2
    assert "did you mean Anna_Huber_5500-1?" in capsys.readouterr().out
