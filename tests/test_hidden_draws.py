"""Hidden values drawn afresh for every grading: a value that leaks out of one batch is spent.

What a hidden run leaves in machine-wide state (the clock, the kernel's running numbers) can reach
a later grading's public run. With the values drawn per batch, what it carries is a value no later
batch uses, so it cannot be hard-coded.
"""
from __future__ import annotations

import random
import shutil
import tomllib

import pytest

from grader.pipeline import Grader
from grader.spec import Spec, load_spec, resolve_hidden

from .conftest import GOOD_NAME, REF, hidden_values


def test_ranges_are_drawn_within_their_bounds_and_fixed_values_kept():
    raw = {"a": {"n": {"between": [5, 9]}, "x": {"between": [0.03, 0.045], "digits": 3}, "k": 3,
                 "seeds": [66, {"between": [100, 200]}], "name": "sgd"}}
    for seed in range(200):
        got = resolve_hidden(raw, random.Random(seed))["a"]
        assert isinstance(got["n"], int) and 5 <= got["n"] <= 9
        assert isinstance(got["x"], float) and 0.03 <= got["x"] <= 0.045 and got["x"] == round(got["x"], 3)
        assert got["k"] == 3 and got["name"] == "sgd"
        assert got["seeds"][0] == 66 and 100 <= got["seeds"][1] <= 200
    assert resolve_hidden(raw, random.Random(7)) == resolve_hidden(raw, random.Random(7))
    assert len({resolve_hidden(raw, random.Random(s))["a"]["n"] for s in range(200)}) == 5    # every end reached


@pytest.mark.parametrize("bad", [{"between": [9, 5]}, {"between": [1]}, {"between": [1, "2"]},
                                 {"between": [1, 2], "step": 1}, {"lo": 1}, {"between": [True, 2]}])
def test_a_malformed_range_is_said_with_its_place(bad):
    with pytest.raises(ValueError, match=r"hidden.toml: s\.key must be a value or \{ between"):
        resolve_hidden({"s": {"key": bad}}, random.Random(0))


def test_every_spec_draws_afresh_and_a_seed_repeats_a_draw():
    draws = [load_spec().hidden() for _ in range(3)]
    assert draws[0] != draws[1] != draws[2] != draws[0]
    assert load_spec(draw_seed=41).hidden() == load_spec(draw_seed=41).hidden() != load_spec(draw_seed=42).hidden()
    spec = load_spec()
    assert spec.hidden() is spec.hidden() and spec.draw_seed is not None      # once per Spec: one batch, one draw


def _ranges(raw_section: dict) -> dict[str, list]:
    """Every range of a hidden.toml section, by key (a list's items under the same key)."""
    out: dict[str, list] = {}
    for key, value in raw_section.items():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, dict) and "between" in v:
                out.setdefault(key, []).append(v["between"])
    return out


def test_the_courses_ranges_keep_clear_of_the_public_values():
    """A solution that hard-codes a public value (lr=0.02, seed 66, 2 epochs) must fail the hidden
    run, whatever the draw."""
    raw = tomllib.loads((REF / "hidden.toml").read_text())
    spec = load_spec()
    assert any(_ranges(section) for section in raw.values())         # the course draws its values
    for task_id, section in raw.items():
        public = spec.params(spec.task(task_id), hidden=False)
        for key, ranges in _ranges(section).items():
            for value in public[key] if isinstance(public[key], list) else [public[key]]:
                for lo, hi in ranges:
                    assert not lo <= value <= hi, (task_id, key, value, (lo, hi))


def _corner(spec_dir, pick) -> Spec:
    """The course's spec with every range drawn at one end (`pick` chooses it)."""
    spec = load_spec(spec_dir)
    raw = tomllib.loads((REF / "hidden.toml").read_text())

    def end(v):
        if isinstance(v, list):
            return [end(x) for x in v]
        return pick(v["between"]) if isinstance(v, dict) and "between" in v else v
    spec._hidden = {task: {k: end(v) for k, v in section.items()} for task, section in raw.items()}
    return spec


@pytest.mark.parametrize("pick", [min, max], ids=["low-ends", "high-ends"])
def test_the_solution_earns_every_point_at_both_ends_of_the_ranges(pick, engine, solution_nb, tmp_path):
    """The ranges are where the reference trains well: the largest step (lr and momentum at their
    high ends) and the smallest, the largest and smallest batch, the solution keeps 50/50 and the
    template stays at its provided cells' points."""
    import nbformat
    spec = _corner(REF, pick)
    assert all(isinstance(v, (int, float)) for v in hidden_values(spec.hidden()))
    grader = Grader(spec, engine, hidden=True)
    grader.prepare()
    path = tmp_path / GOOD_NAME
    nbformat.write(solution_nb, path)
    r = grader.grade(path)
    assert r.auto_points == 50, [(c.task, c.name, c.message) for c in r.checks if not c.passed]
    shutil.copy(REF / "template.ipynb", path)
    assert grader.grade(path).auto_points == 10


def test_each_grading_draws_its_own_values_unless_told_a_seed(tmp_path, data_home, monkeypatch, capsys):
    """`grader grade` draws once per run (every notebook of the batch is graded with the same
    values), a new draw the next run; `--draw-seed` repeats one. Grades of an honest notebook do
    not depend on the draw."""
    from grader.cli import main
    hidden = Spec.hidden
    seen: list[int] = []

    def watched(self):
        values = hidden(self)
        seen.append(self.draw_seed)
        return values
    monkeypatch.setattr(Spec, "hidden", watched)
    monkeypatch.setenv("GRADER_DATA", str(data_home))
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(REF / "solution.ipynb", folder / GOOD_NAME)
    shutil.copy(REF / "solution.ipynb", folder / "Assignment_7_MaxMustermann_k01234567.ipynb")
    runs = []
    for extra in ([], [], ["--draw-seed", "5"], ["--draw-seed", "5"]):
        seen.clear()
        out = tmp_path / f"reports{len(runs)}"
        assert main(["grade", str(folder), "--out", str(out), "-j", "1", *extra]) == 0
        assert seen and len(set(seen)) == 1, seen                 # one draw for the whole batch
        runs.append((seen[0], (out / "summary.csv").read_text()))
    capsys.readouterr()
    assert runs[0][0] != runs[1][0] and runs[2][0] == runs[3][0] == 5
    assert "50" in runs[0][1] and all(summary == runs[0][1] for _, summary in runs)
