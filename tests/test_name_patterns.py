"""`name_patterns`: a notebook's regular expression read without running it (review 423), as `re.search` reads it."""
from __future__ import annotations

import random
import re
import warnings

import pytest

from grader.checks.name_patterns import Budget, may_find, read_pattern

_ATOMS = ["a", "b", "_", "1", "A", ".", r"\w", r"\d", r"\s", r"\W", r"\b", r"\B", "^", "$", r"\A", r"\Z", "[ab]", "[^a]",
          "[a-c_]", r"[\d_]", "[]a]", "[a-]", "(?:a|b)", "(a|)", "(?P<n>ab)", "x", r"\.", "{", "}", "-", "(?=a)", r"\1",
          "(?i)", "*", "|", ")", "(", "{2}", "[", "]", r"[\w-z]", r"[a\d-]", r"[\s-\d]"]    # (a class's range: 424)
_TIMES = ["", "", "", "*", "+", "?", "{2}", "{1,2}", "{,2}", "{2,}", "*?", "{0}", "??", "+?", "{3,2}", "**", "{}",
          "{,}", "*+", "{2}{3}"]
# (short: `re` itself backtracks on a long name, review 423's finding, and some random patterns do: 46 s on one)
_NAMES = ["a_", "b_", "ab", "Zero_9", "x1", "_", "a", "\0", "tmp_x", "AB_1", "b a", "aa\n", ""]


def _pattern(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 5)):
        atom = rng.choice(_ATOMS)
        if rng.random() < 0.2:
            atom = "(" + "".join(rng.choice(_ATOMS) + rng.choice(_TIMES) for _ in range(rng.randint(1, 3))) + ")"
        if rng.random() < 0.1:
            atom += "|" + rng.choice(_ATOMS)
        parts.append(atom + rng.choice(_TIMES))
    return "".join(parts)


def test_the_reading_finds_what_re_finds_and_never_says_no_where_re_finds():
    """5,000 random patterns against names: where the pattern is read, exactly `re.search`'s answer; where it is not,
    "may find" (a name the grader then reads as possibly deleted); a pattern Python refuses is never read."""
    rng = random.Random(423)
    read = compared = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5000):
            text = _pattern(rng)
            tree = read_pattern(text)
            try:
                compiled = re.compile(text)
            except (re.error, OverflowError, RecursionError):
                assert tree is None, text
                continue
            read += tree is not None
            for name in _NAMES:
                found = compiled.search(name) is not None
                assert may_find(tree, name, Budget()) == (found if tree is not None else True), (text, name)
                compared += 1
    assert read > 1000 and compared > 15000, (read, compared)


@pytest.mark.parametrize("text, name, found", [
    ("^tmp", "tmp_x", True), ("^tmp", "a_", False), ("^[a-e]_$", "a_", True), ("^[a-e]_$", "ab_", False),
    ("_$", "a_", True), (r"\d+", "a_", False), ("(tmp|temp)_", "temp_1", True), ("x{2,3}", "axxb", True),
    ("x{2,3}$", "axb", False), (r"\bError", "ZeroDivisionError", False), ("Error$", "ZeroDivisionError", True)])
def test_a_pattern_a_notebook_may_write_is_read_exactly(text, name, found):
    assert may_find(read_pattern(text), name, Budget()) is found
    assert (re.search(text, name) is not None) is found


@pytest.mark.parametrize("text", ["(.|.)*#", "(.*)*#", r"(\w+)+#", "(a|aa)*#", "(?:.?){40}#" * 3, "[^#]*" * 200 + "#"],
                         ids=["alternatives", "repeat-of-a-repeat", "words", "overlapping", "counted", "200-classes"])
def test_a_pattern_that_backtracks_costs_a_few_steps_a_character(text):
    """Review 423: `re.search('(.|.)*#', 'PendingDeprecationWarning')` backtracks some five seconds; the reading keeps
    the set of places a match may have reached, at most the name's length plus one, for each part of the pattern."""
    budget = Budget()
    assert may_find(read_pattern(text), "PendingDeprecationWarning", budget) is False
    assert Budget().steps - budget.steps <= 30 * len(text) * 26, Budget().steps - budget.steps


def test_what_the_reading_does_not_follow_or_pay_for_may_find():
    """Look-arounds, back-references, flags, atomic groups and possessive repeats are not followed: such a pattern may
    find any name. So may every pattern once the cell's budget of steps is spent."""
    for text in ("(?=x)", r"(a)\1", "(?i)x", "(?>x)", "x*+", "(?#c)x", r"\x41"):
        assert read_pattern(text) is None and may_find(None, "a_", Budget()), text
    budget = Budget(steps=100)
    assert not may_find(read_pattern("#"), "a_", budget)
    assert may_find(read_pattern("(?:.?)" * 200 + "#"), "a_", budget) and budget.steps < 0
    assert may_find(read_pattern("#"), "a_", budget)
