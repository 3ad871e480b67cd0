"""Each check kind from plan to points, over observations made up here (no engine runs): which
jobs a notebook gives, which parameters reach them (hidden ones only when grading), and how cell
outcomes and probe observations become points and messages. Each test names the bug it catches."""
from __future__ import annotations

import copy
import random

import numpy as np
import pytest

from grader import probes
from grader.checks import KINDS, manual, models, provided, training
from grader.checks.context import Context, cell_failure
from grader.magics import python_tree
from grader.notebook import Cell, Notebook, checksum
from grader.pipeline import Grader
from grader.results import CellOutcome, Status
from grader.spec import load_spec

from .conftest import REF
from .test_judge import FINAL, OUT, REF as MODEL_REF, REF_RUN, S1, S2, SGD, called_test, student, train

SPEC = load_spec()
HIDDEN = SPEC.hidden()                  # the draw every job planned here carries
TEMPLATE = Grader(SPEC, None).template
SOLUTION = [(c.id, c.cell_type, c.source) for c in
            __import__("grader.notebook", fromlist=["load_notebook"]).load_notebook(REF / "solution.ipynb").cells]
MODELS, TRAINING, PROVIDED = SPEC.task("code_3_2_models"), SPEC.task("code_3_2_train"), SPEC.task("code_3_1")


def notebook(changes: dict | None = None, drop=(), base=None) -> Notebook:
    cells = []
    for i, (cid, kind, src) in enumerate(base or SOLUTION):
        if cid in drop:
            continue
        cells.append(Cell(len(cells), cid, kind, (changes or {}).get(cid, src)))
    return Notebook(cells, 4)


def ctx(hidden=True, **kw) -> Context:
    return Context(SPEC, notebook(**kw), TEMPLATE, hidden)


def ok(probe, cell_id="x") -> CellOutcome:
    return CellOutcome(cell_id, Status.OK, probe=probe)


# ------------------------------------------------------------------------------------------ models

def model_obs(hidden_changes=None, public_changes=None) -> dict:
    return {"defined": True, "runs": {"public": student(**(public_changes or {})),
                                      "hidden": student(**(hidden_changes or {}))}}


REFS = [ok({"runs": {"public": MODEL_REF, "hidden": MODEL_REF}})] * 2


def model_points(outcomes, hidden=True, c=None) -> dict[str, tuple]:
    c = c or ctx(hidden)
    return {r.check: (r.points, r.passed, r.message, r.max_points) for r in models.score(MODELS, c, outcomes, REFS)}


def test_a_model_that_passes_both_runs_earns_the_specs_points():
    res = model_points([ok(model_obs()), ok(model_obs())])
    assert len(res) == 10 and all(p == m == 1.0 and passed for p, passed, _, m in res.values())
    assert res["ANN_relu: forward shape"][2] == "a batch of shape (B, 1, 28, 28) gives (B, 10)"


def test_a_hidden_only_failure_costs_the_point_with_a_fixed_text():
    bad = {"outputs": {s: o + 1 for s, o in OUT.items()}}
    res = model_points([ok(model_obs(hidden_changes=bad)), ok(model_obs())])
    assert res["ANN_sigmoid: seeded"][:3] == (0.0, False, models.HIDDEN_ONLY["seeded"])
    assert res["ANN_relu: seeded"][:2] == (1.0, True)


def test_a_public_failure_is_explained_by_the_public_run():
    bad = {"outputs": {s: o + 1 for s, o in OUT.items()}}
    res = model_points([ok(model_obs(hidden_changes=bad, public_changes=bad)), ok(model_obs())])
    assert res["ANN_sigmoid: seeded"][2].startswith("built right after torch.manual_seed(...), the outputs differ")


def test_the_student_view_uses_the_public_run_only():
    obs = {"defined": True, "runs": {"public": student()}}
    res = model_points([ok(obs), ok(obs)], hidden=False, c=ctx(False))
    assert all(passed for _, passed, _, _ in res.values())


@pytest.mark.parametrize("outcome,needle", [
    (None, "no cell defines `ANN_sigmoid` (cell 'ann-sigmoid' is missing); restore the cell"),
    (CellOutcome("ann-sigmoid", Status.ERROR, error="NameError: name 'ANN_relu' is not defined"),
     "cell 'ann-sigmoid' raised NameError: name 'ANN_relu' is not defined. `ANN_relu` is defined in the cell 'ann-relu', which is not run when this one is graded. Each cell is graded on its own"),
    (CellOutcome("ann-sigmoid", Status.ERROR, error="NameError: name 'np' is not defined"),
     "cell 'ann-sigmoid' raised NameError: name 'np' is not defined. `np` is how numpy is usually imported, and no "
     "cell of the notebook imports it"),
    (CellOutcome("ann-sigmoid", Status.ERROR, error="NameError: name 'modell' is not defined"),
     "cell 'ann-sigmoid' raised NameError: name 'modell' is not defined. No cell of the notebook defines `modell` "
     "(a typo?)"),
    (CellOutcome("ann-sigmoid", Status.TIMEOUT, error="the cell did not finish within 60 s"),
     "cell 'ann-sigmoid': the cell did not finish within 60 s"),
    (CellOutcome("ann-sigmoid", Status.OK, probe_error="not checked: threads"),
     "checking cell 'ann-sigmoid' failed: not checked: threads"),
    (CellOutcome("ann-sigmoid", Status.OK), "cell 'ann-sigmoid' gave no result"),
    (ok({"defined": False}), "`ANN_sigmoid` is not defined after running cell 'ann-sigmoid'"),
    (ok({"defined": True, "runs": {"public": student()}}), "the check did not run (incomplete result"),
])
def test_a_model_cell_without_observations_fails_every_check_with_the_reason(outcome, needle):
    res = model_points([outcome, ok(model_obs())])
    sigmoid = [v for k, v in res.items() if k.startswith("ANN_sigmoid")]
    assert len(sigmoid) == 5 and all(p == 0.0 and passed is False and needle in msg for p, passed, msg, _ in sigmoid)
    assert all(v[1] for k, v in res.items() if k.startswith("ANN_relu"))


def test_the_tolerance_of_the_hidden_run_is_the_specs():
    atol = float(SPEC.params(MODELS, hidden=True).get("atol", 1e-4))
    near = {"outputs": {s: o + 0.5 * atol for s, o in OUT.items()}}
    far = {"outputs": {s: o + 2 * atol for s, o in OUT.items()}}
    assert model_points([ok(model_obs(hidden_changes=near)), ok(model_obs())])["ANN_sigmoid: seeded"][1]
    assert not model_points([ok(model_obs(hidden_changes=far)), ok(model_obs())])["ANN_sigmoid: seeded"][1]


def test_model_jobs_carry_public_and_only_when_grading_hidden_parameters():
    jobs = models.plan(MODELS, ctx(True))
    assert [j.cell_id for j in jobs] == ["ann-sigmoid", "ann-relu"] and all(j.probe == "model" for j in jobs)
    assert not any(j.trusted for j in jobs)
    p = jobs[0].params
    assert p["defines"] == "ANN_sigmoid" and set(p["runs"]) == {"public", "hidden"}
    hidden, public = p["runs"]["hidden"], p["runs"]["public"]
    assert hidden["seeds"] == HIDDEN["code_3_2_models"]["seeds"] and hidden["input_seed"] == HIDDEN["code_3_2_models"]["input_seed"]
    assert public["seeds"] == [66] and public["batch"] == 4 and public["args"] == [784, 10]
    assert public["linear"] == [[784, 512], [512, 1024], [1024, 512], [512, 10]] and public["activation"] == "sigmoid"
    assert public["input_shape"] == [1, 28, 28] and public["mean"] == SPEC.data["mean"] and public["std"] == SPEC.data["std"]
    assert (public["weight_seed"], public["sample_seed"], public["sample_k"]) == (2, 3, 8)
    assert set(models.plan(MODELS, ctx(False))[0].params["runs"]) == {"public"}
    refs = models.reference_jobs(MODELS, ctx(True))
    assert len(refs) == 2 and all(j.trusted and j.probe == "model" and "class ANN_relu" in j.source for j in refs)


def test_a_missing_model_cell_plans_nothing_and_is_flagged():
    c = ctx(drop=("ann-relu",))
    jobs = models.plan(MODELS, c)
    assert jobs[0] is not None and jobs[1] is None and "missing:ann-relu" in c.flags


def test_a_renamed_model_cell_is_found_by_what_it_defines():
    base = [(("my-cell" if cid == "ann-relu" else cid), k, s) for cid, k, s in SOLUTION]
    c = Context(SPEC, notebook(base=base), TEMPLATE, True)
    jobs = models.plan(MODELS, c)
    assert "class ANN_relu" in jobs[1].source and "id-fallback:ann-relu" in c.flags


# ---------------------------------------------------------------------------------------- training

P_PUBLIC = {"lr": 0.02, "momentum": 0.6, "epochs": 2}


def training_obs(events=None, final=FINAL, lines=None, hidden_events=None):
    events = events if events is not None else [SGD, train(S1), called_test("T1"), train(S2), called_test("T2")]
    run = {"events": events, "lines": lines if lines is not None else [s for tr in (S1, S2) for s in tr], "final": final}
    hidden = {**run, "events": hidden_events if hidden_events is not None else events}
    return {"defined": True, "runs": {"public": run, "hidden": hidden}}


class FakeSpec:
    """The real spec with the training parameters of tests/test_judge.py (same in both runs)."""
    def __init__(self, spec):
        self._spec = spec

    def __getattr__(self, name):
        return getattr(self._spec, name)

    def params(self, task, hidden):
        p = self._spec.params(task, hidden)
        return {**p, **P_PUBLIC} if task.id == "code_3_2_train" else p


def train_ctx(hidden=True) -> Context:
    return Context(FakeSpec(SPEC), notebook(), TEMPLATE, hidden)


TREF = [ok({"runs": {"public": REF_RUN, "hidden": REF_RUN}})]


def train_points(outcome, hidden=True, follow=()):
    c = train_ctx(hidden)
    return {r.check: (r.points, r.message) for r in training.score(TRAINING, c, [outcome], TREF, follow)}


def test_a_confirmed_training_run_earns_the_specs_points():
    res = train_points(ok(training_obs()))
    assert {k: v[0] for k, v in res.items()} == {"optimizer": 4.0, "epochs": 4.0, "test": 3.0, "plots": 4.0,
                                                 "final_weights": 5.0}


def test_unconfirmed_hidden_calls_earn_nothing_without_a_replay():
    other = [SGD, train([[9.0, 9.0]] * 3), train([[8.0, 8.0]] * 3), called_test("T2")]
    res = train_points(ok(training_obs(hidden_events=other)))
    # Said in the one fixed text of a hidden failure, not in the words of how it failed (review 175).
    assert res["epochs"] == (0.0, training.HIDDEN_ONLY["epochs"])
    assert res["test"] == (0.0, training.HIDDEN_ONLY["test"])
    public = train_points(ok(training_obs(events=other, hidden_events=other)))
    assert public["test"] == (0.0, f"`test` looks right, but {training.UNCONFIRMED}")   # the public run's words
    assert res["plots"] == (0.0, training.HIDDEN_ONLY["plots"])
    assert res["optimizer"][0] == 4.0 and res["final_weights"][0] == 5.0   # the trained weights prove SGD


def test_a_replay_that_reproduces_the_calls_confirms_them():
    other = [SGD, train([[9.0, 9.0]] * 3), train([[8.0, 8.0]] * 3), called_test("T2")]
    replay = ok({"runs": {"hidden": {"events": [{}, {"series": [[9.0, 9.0]] * 3}, {"series": [[8.0, 8.0]] * 3},
                                                {"printed": "T2"}], "final_test": "T2"}}})
    lines = [s for tr in ([[9.0, 9.0]] * 3, [[8.0, 8.0]] * 3) for s in tr]
    res = train_points(ok(training_obs(hidden_events=other, lines=lines)), follow=[replay])
    assert res["epochs"][0] == 4.0 and res["test"][0] == 3.0 and res["optimizer"][0] == 4.0
    res = train_points(ok(training_obs(hidden_events=other, lines=lines)), follow=[None, replay])
    assert res["epochs"][0] == 4.0


@pytest.mark.parametrize("outcome,needle", [
    (None, "no cell defines `train_and_test` (cell 'train-and-test' is missing); restore the cell"),
    (CellOutcome("train-and-test", Status.CRASHED, error="the process died"), "cell 'train-and-test': the process died"),
    (ok({"defined": False}), "`train_and_test` is not defined after running cell 'train-and-test'"),
    (ok({"defined": True, "runs": {}}), "the check did not run (incomplete result from the cell's process)"),
])
def test_a_training_cell_without_observations_fails_every_check(outcome, needle):
    res = train_points(outcome)
    assert len(res) == 5 and all(p == 0.0 and needle in m for p, m in res.values())


def test_each_run_is_replayed_in_a_job_of_its_own():
    """A hundred-and-seventy-ninth review: one replay job for both runs, which the hidden run's
    events made fail, took the public run's confirmation with it; the public run's message then
    changed by a hidden value (lr mod 3 from one check)."""
    other = [SGD, train([[9.0, 9.0]] * 3), called_test("X")]
    jobs = training.followups(TRAINING, train_ctx(True), [ok(training_obs(events=other, hidden_events=other))], TREF)
    assert [list(j.params["runs"]) for j in jobs] == [["public"], ["hidden"]]
    public = ok({"runs": {"public": {"events": [{}, {"series": [[9.0, 9.0]] * 3}, {"printed": "X"}],
                                     "final_test": "X"}}})
    failed = CellOutcome("replay", Status.OK, probe_error="the check with the grader's values failed")
    lines = [[9.0, 9.0]] * 3
    res = train_points(ok(training_obs(events=other, hidden_events=other, lines=lines)), follow=[public, failed])
    assert res["test"] == (0.0, training.HIDDEN_ONLY["test"]), res["test"]      # the one fixed text


def test_the_replay_is_asked_only_when_the_reference_does_not_confirm():
    c = train_ctx(True)
    assert training.followups(TRAINING, c, [ok(training_obs())], TREF) == []
    assert training.followups(TRAINING, c, [None], TREF) == []
    assert training.followups(TRAINING, c, [CellOutcome("x", Status.ERROR, error="E")], TREF) == []
    assert training.followups(TRAINING, c, [ok({"defined": False})], TREF) == []
    other = [SGD, train([[9.0, 9.0]] * 3), called_test("X")]
    jobs = training.followups(TRAINING, c, [ok(training_obs(hidden_events=other))], TREF)
    assert len(jobs) == 1 and jobs[0].probe == "replay" and jobs[0].trusted and jobs[0].source is None   # the hidden run's
    run = jobs[0].params["runs"]["hidden"]
    assert [set(ev) & {"series", "printed"} for ev in run["events"]] == [set()] * 3      # claims stay out
    assert run["lr"] == 0.02 and list(run["final"]) == ["1.weight"]      # arrays, never lists
    assert isinstance(run["final"]["1.weight"], np.ndarray) and (run["final"]["1.weight"] == 1).all()
    assert "hidden" in jobs[0].params["runs"] and "public" not in jobs[0].params["runs"]
    student_view = training.followups(TRAINING, train_ctx(False), [ok(training_obs(events=other))], TREF)
    assert list(student_view[0].params["runs"]) == ["public"]


def test_training_parameters_come_from_the_spec_and_hidden_toml():
    p = training.run_params(TRAINING, ctx(True), True)
    assert (p["lr"], p["momentum"], p["epochs"]) == tuple(HIDDEN["code_3_2_train"][k] for k in ("lr", "momentum", "epochs"))
    assert p["hyperparameters"]["lr"] == p["lr"] and p["hyperparameters"]["test_batch_size"] == p["batch_size"]
    assert p["hyperparameters"]["seed"] == p["init_seed"] == HIDDEN["code_3_2_train"]["init_seed"]
    assert p["input_shape"] == list(SPEC.data["input_shape"]) and p["classes"] == SPEC.data["classes"]
    public = training.run_params(TRAINING, ctx(False), False)
    assert (public["lr"], public["momentum"], public["epochs"]) == (0.02, 0.6, 2)
    jobs = training.plan(TRAINING, ctx(True))
    assert jobs[0].probe == "training" and set(jobs[0].params["runs"]) == {"public", "hidden"}
    assert jobs[0].params["defines"] == "train_and_test"
    assert set(training.plan(TRAINING, ctx(False))[0].params["runs"]) == {"public"}
    assert training.plan(TRAINING, ctx(drop=("train-and-test",))) == [None]
    ref = training.reference_jobs(TRAINING, ctx(True))
    assert len(ref) == 1 and ref[0].trusted and ref[0].probe == "training"


def test_needs_replay_exactly_when_an_event_is_unconfirmed():
    assert not training.needs_replay(training_obs()["runs"]["public"], REF_RUN, P_PUBLIC)
    assert training.needs_replay({"events": [SGD, train(S2)]}, REF_RUN, P_PUBLIC)
    assert not training.needs_replay({"events": []}, REF_RUN, P_PUBLIC)


# ---------------------------------------------------------------------------------- provided cells

def provided_points(c, outcomes):
    return {r.check: (r.points, r.message) for r in provided.score(PROVIDED, c, outcomes, [])}


def test_untouched_provided_cells_need_no_job_and_earn_every_point():
    c = ctx()
    assert provided.plan(PROVIDED, c) == [None]
    res = provided_points(c, [None])
    assert sum(p for p, _ in res.values()) == 10.0
    assert res["imports executes"][1] == "the 'imports' cell runs (unchanged from the template)"
    assert res["hyperparams present"][1] == "the provided cell 'hyperparams' is present (its values may be changed)"


def test_an_edited_imports_cell_runs_in_a_job_and_is_judged_by_its_outcome():
    imports = next(s for i, _, s in SOLUTION if i == "imports")
    c = ctx(changes={"imports": imports + "\nimport os"})
    jobs = provided.plan(PROVIDED, c)
    assert len(jobs) == 1 and jobs[0].cell_id == "imports" and jobs[0].source.endswith("import os")
    res = provided_points(c, [CellOutcome("imports", Status.OK)])
    assert res["imports executes"] == (2.0, "the 'imports' cell runs")
    line = len((imports + "\nimport os").splitlines())        # the added last line, as the student counts
    assert res["imports unmodified"] == (0.0, f"the provided cell 'imports' was edited (line {line}, "
                                              f"`import os`, is not in the template); restore it from the template")
    res = provided_points(c, [CellOutcome("imports", Status.ERROR, error="ImportError: x")])
    assert res["imports executes"][0] == 0.0 and res["imports executes"][1].endswith("; it must run as provided")
    # the line named is the edit, not a line that changes nothing (a help line, `%matplotlib inline`;
    # a two-hundred-and-sixth review: "line 1, `nn.Linear?`, is not in the template")
    edited = "nn.Linear?\n%matplotlib inline\n" + imports + "\nimport os"
    res = provided_points(ctx(changes={"imports": edited}), [CellOutcome("imports", Status.OK)])
    assert res["imports unmodified"] == (0.0, f"the provided cell 'imports' was edited (line {line + 2}, "
                                              f"`import os`, is not in the template); restore it from the template")


def test_a_missing_provided_cell_is_said_so():
    c = ctx(drop=("imports", "plot-examples", "hyperparams"))
    assert provided.plan(PROVIDED, c) == []
    res = provided_points(c, [])
    assert res["imports executes"] == (0.0, "the 'imports' cell is missing; restore it from the template")
    assert res["plot-examples unmodified"] == (0.0, "the provided cell 'plot-examples' is missing; restore it from "
                                                    "the template")
    assert res["hyperparams present"] == (0.0, "the provided cell 'hyperparams' is missing; restore it from the template")


def test_provided_cells_are_found_by_content_and_editable_ones_by_their_names():
    base = [({"plot-examples": "moved", "hyperparams": "hp", "imports": "imp"}.get(cid, cid), k, s) for cid, k, s in SOLUTION]
    hp = next(s for i, _, s in SOLUTION if i == "hyperparams")
    c = Context(SPEC, notebook(changes={"hp": hp.replace("epochs=1", "epochs=3")}, base=base), TEMPLATE, True)
    assert provided.plan(PROVIDED, c) == [None]                  # the imports cell found by its checksum
    res = provided_points(c, [None])
    assert res["plot-examples unmodified"][0] == 2.0 and res["hyperparams present"][0] == 2.0
    md = [(cid, "markdown" if cid == "hp" else k, s) for cid, k, s in base]
    c = Context(SPEC, notebook(base=md), TEMPLATE, True)
    assert provided_points(c, [None])["hyperparams present"][0] == 0.0       # a markdown copy is no cell


def test_an_edited_provided_cell_loses_its_points_whatever_copy_stands_elsewhere():
    """A hundred-and-sixty-third review: an untouched copy of `imports` (and of `data-loaders`,
    `plot-examples`) under a new ID above the edited cell kept 6 points, while Jupyter ran the
    edited one; and `hyperparams` emptied to `pass` was still "present"."""
    base = []
    for cid, kind, src in SOLUTION:
        if cid in ("imports", "data-loaders"):
            base.append((cid + "-copy", kind, src))
            src = src + "\nimport numpy as np" if cid == "imports" else src.replace("batch_size=", "batch_size=7 or ")
        base.append((cid, kind, "pass" if cid == "hyperparams" else src))
    res = provided_points(Context(SPEC, notebook(base=base), TEMPLATE, True), [CellOutcome("imports", Status.OK)])
    assert res["imports unmodified"][0] == 0.0 and res["data-loaders unmodified"][0] == 0.0
    assert res["hyperparams present"] == (0.0, "the provided cell 'hyperparams' no longer sets `hyperparams`, "
                                               "`use_cuda`, `use_mps`, `device`; restore it from the template (its "
                                               "values may be changed)")


def test_a_provided_cell_found_without_its_id_may_have_blank_lines_and_comments():
    """A hundred-and-sixty-third review: without cell IDs (Colab, an older Jupyter) or under a new
    ID, a blank line or a comment added to `imports` read as "the cell is missing" (4 to 6 points)."""
    def no_ids(cells):
        return Context(SPEC, Notebook([Cell(i, None, k, s) for i, (_, k, s) in enumerate(cells)], 4), TEMPLATE, True)
    commented = [(cid, k, s + "\n\n# all imports" if cid in ("imports", "data-loaders") else s) for cid, k, s in SOLUTION]
    for c in (no_ids(commented), Context(SPEC, notebook(base=[("imp" if cid == "imports" else cid, k, s)
                                                                for cid, k, s in commented]), TEMPLATE, True)):
        assert provided.plan(PROVIDED, c) == [None]
        res = provided_points(c, [None])
        assert sum(p for p, _ in res.values()) == 10.0, res
        Grader(SPEC, None)._locked(c)                  # the flags: no cell taken for deleted
        assert not any(f.startswith("deleted:") for f in c.flags), c.flags


# ------------------------------------------------------------------------------------ written answers

CALC = SPEC.task("calc_1_1")


def test_written_answers_wait_for_a_ta_and_the_placeholder_scores_zero():
    c = ctx(changes={"calc-1-1": "  My proof: w = 1.  "})
    (r,) = manual.score(CALC, c, [], [])
    assert (r.task, r.check) == ("calc_1_1", "answer") and c.flags == []       # found by its ID
    assert (r.points, r.passed, r.answer, r.manual_task, r.max_points) == (None, None, "My proof: w = 1.", True, 10)
    assert r.message == "answered; needs manual grading by a TA"
    for text in ("YOUR ANSWER HERE", "  ", ""):
        (r,) = manual.score(CALC, ctx(changes={"calc-1-1": text}), [], [])
        assert (r.points, r.passed, r.answer) == (0.0, False, None)
        assert r.message == "not answered: write your answer under Calculation 1.1 (in the cell that held 'YOUR ANSWER HERE')"
    assert manual.plan(CALC, c) == [] and manual.reference_jobs(CALC, c) == []


def test_an_answer_written_in_cells_added_below_the_placeholder_goes_to_a_ta():
    base = []
    for cid, kind, src in SOLUTION:
        base.append((cid, kind, "YOUR ANSWER HERE" if cid == "calc-1-1" else src))
        if cid == "calc-1-1":
            base += [("mine-1", "markdown", "My proof: w = 1."), ("mine-2", "markdown", "So XOR is not linear.")]
    c = Context(SPEC, notebook(base=base), TEMPLATE, True)
    (r,) = manual.score(CALC, c, [], [])
    assert r.answer == "My proof: w = 1.\n\nSo XOR is not linear." and r.points is None and "moved:calc-1-1" in c.flags
    for dressed in ("**YOUR ANSWER HERE**", "## YOUR ANSWER HERE", "<b>YOUR ANSWER HERE</b>"):
        (r,) = manual.score(CALC, ctx(changes={"calc-1-1": dressed}), [], [])
        assert r.points == 0.0 and r.message.startswith("not answered")


def test_an_answer_written_above_the_placeholder_or_into_the_heading_goes_to_a_ta():
    """A hundred-and-fifth review: an answer in a cell added between the heading and the untouched
    placeholder scored 0 ("not answered") and never reached the TA; so did one typed into the
    heading's own cell."""
    def with_cells(above=(), heading_extra="", answer="YOUR ANSWER HERE"):
        base = []
        for cid, kind, src in SOLUTION:
            if cid == "md-05":
                src = src + heading_extra
            if cid == "calc-1-1":
                base += [(f"mine-{i}", "markdown", text) for i, text in enumerate(above)]
                src = answer
            base.append((cid, kind, src))
        c = Context(SPEC, notebook(base=base), TEMPLATE, True)
        return manual.score(CALC, c, [], [])[0], c

    r, c = with_cells(above=["My proof: w = 1.", "So XOR is not linear."])
    assert r.answer == "My proof: w = 1.\n\nSo XOR is not linear." and r.points is None, r.message
    assert "moved:calc-1-1" in c.flags and any("right above 'calc-1-1'" in d for d in c.details), c.details
    r, c = with_cells(heading_extra="\n\nMy proof: w = 1.")
    assert r.answer == "My proof: w = 1." and r.points is None and "moved:calc-1-1" in c.flags, r.message
    assert any("into the heading's cell" in d for d in c.details), c.details
    r, c = with_cells(above=["Notation: x is the input."], answer="My proof: w = 1.")    # both: in order
    assert r.answer == "Notation: x is the input.\n\nMy proof: w = 1." and "moved:calc-1-1" not in c.flags
    r, c = with_cells(above=["YOUR ANSWER HERE", "  "], heading_extra="\n")      # nothing written anywhere
    assert r.points == 0.0 and r.answer is None and r.message.startswith("not answered")


def test_an_answer_typed_above_the_next_sections_heading_goes_to_the_task_above():
    """A hundred-and-fifty-seventh review: Calculation 2's answer typed at the top of the next cell
    (the heading of Task 3), under its untouched placeholder, scored 0 and reached no TA; typed above
    the heading of Calculation 1.2, Calculation 1.1's answer was read as part of 1.2's."""
    def graded(heading_cell, answer_cell):
        base = []
        for cid, kind, src in SOLUTION:
            if cid == heading_cell:
                src = "My proof: w = 1.\n\n" + src
            base.append((cid, kind, "YOUR ANSWER HERE" if cid == answer_cell else src))
        c = Context(SPEC, notebook(base=base), TEMPLATE, True)
        return {t: manual.score(SPEC.task(t), c, [], [])[0] for t in ("calc_1_1", "calc_1_2", "calc_2")}, c

    rows, c = graded("md-06", "calc-1-1")
    assert rows["calc_1_1"].answer == "My proof: w = 1." and rows["calc_1_1"].points is None
    assert "My proof" not in rows["calc_1_2"].answer and "moved:calc-1-1" in c.flags
    assert any("at the top of the cell below it, above that cell's heading" in d for d in c.details), c.details
    rows, c = graded("md-09", "calc-2")
    assert rows["calc_2"].answer == "My proof: w = 1." and "moved:calc-2" in c.flags
    rows, c = graded("md-06", None)              # 1.1 answered: what stands above 1.2's heading stays 1.2's
    assert "My proof" in rows["calc_1_2"].answer and "My proof" not in rows["calc_1_1"].answer


def test_a_missing_answer_cell_scores_zero_and_one_found_by_its_heading_is_flagged():
    (r,) = manual.score(CALC, ctx(drop=("calc-1-1",)), [], [])      # not the next task's heading instead
    assert (r.points, r.passed, r.answer, r.task, r.check) == (0.0, False, None, "calc_1_1", "answer")
    assert r.message == ("the answer cell for Calculation 1.1 is missing; restore it from the template and write "
                         "your answer there")
    base = [(("mine" if cid == "calc-1-1" else cid), k, ("An answer." if cid == "calc-1-1" else s))
            for cid, k, s in SOLUTION]
    c = Context(SPEC, notebook(base=base), TEMPLATE, True)
    (r,) = manual.score(CALC, c, [], [])
    assert r.answer == "An answer." and "id-fallback:calc-1-1" in c.flags
    unanswered = [(cid, k, "YOUR ANSWER HERE" if cid == "mine" else s) for cid, k, s in base]
    (r,) = manual.score(CALC, Context(SPEC, notebook(base=unanswered), TEMPLATE, True), [], [])
    assert r.message.startswith("not answered")                # the placeholder found by its heading


# ------------------------------------------------------------------------------ registry and context

def test_every_kind_is_in_the_registry_with_a_probe_that_exists():
    assert set(KINDS) == {"manual", "provided", "model", "training", "bool_answers"}
    assert {t.kind for t in SPEC.tasks} <= set(KINDS)
    for kind in KINDS.values():
        assert kind.probe is None or kind.probe in probes.PROBES
    assert KINDS["model"].probe == "model" and KINDS["training"].probe == "training"
    assert KINDS["manual"].followups(CALC, ctx(), [], []) == []
    assert KINDS["manual"].plan(CALC, ctx()) == [] and KINDS["manual"].reference_jobs(CALC, ctx()) == []
    res = KINDS["training"].score(TRAINING, train_ctx(), [ok(training_obs())], TREF, [])
    assert sum(r.points for r in res) == 20
    assert KINDS["training"].followups(TRAINING, train_ctx(), [ok(training_obs())], TREF) == []
    assert len(KINDS["model"].score(MODELS, ctx(), [ok(model_obs()), ok(model_obs())], REFS)) == 10


def test_the_template_checksum_is_the_recorded_one_else_the_templates():
    c = ctx()
    assert c.template_checksum("imports") == SPEC.locked_checksums()["imports"]
    tpl_src = next(cell.source for cell in TEMPLATE.cells if cell.id == "ann-sigmoid")
    assert c.template_checksum("ann-sigmoid") == checksum(tpl_src)


def test_errors_are_explained_by_the_courses_rules():
    c = ctx()
    msg = c.explain("NameError: name 'device' is not defined")
    assert msg.startswith("NameError: name 'device' is not defined. Each cell is graded on its own")
    assert ", ".join(SPEC.context["names"]) in msg
    msg = c.explain("ModuleNotFoundError: No module named 'tensorflow'")
    assert "Don't import any other packages" in msg and "torch" in msg
    assert c.explain("ValueError: x") == "ValueError: x"
    assert cell_failure(CellOutcome("c", Status.ERROR, error="ValueError: x"), "c") == "cell 'c' raised ValueError: x"


def test_a_found_cell_with_a_note_keeps_it_in_the_details():
    nb = notebook()
    cells = nb.cells + [Cell(len(nb.cells), "ann-relu", "code", "x = 1")]        # a duplicate ID
    c = Context(SPEC, Notebook(copy.copy(cells), 4), TEMPLATE, True)
    found = c.find_code("ann-relu", "ANN_relu")
    assert found.cell is not None and not any(f.startswith("missing") for f in c.flags)


# ------------------------------------------------------------------- rows: names, maxima, messages

QUESTION = SPEC.task("question_3_3")


def answer_rows(c):
    from grader.checks import answers
    return answers.score(QUESTION, c, [], [])


@pytest.mark.parametrize("changes,drop,needle", [
    ({}, ("answers-3-3",), "the answers cell 'answers-3-3' is missing"),
    ({"answers-3-3": "a_ = ("}, (), "the cell has a syntax error"),
    ({"answers-3-3": "a_ = None\nb_ = 1"}, (), "`"),
])
def test_answer_rows_name_every_statement_with_its_maximum(changes, drop, needle):
    rows = answer_rows(ctx(changes=changes, drop=drop))
    pts = float(QUESTION.cfg["points_each"])
    assert [r.check for r in rows] == list(QUESTION.cfg["variables"])
    assert all(r.task == "question_3_3" and r.max_points == pts and needle in r.message for r in rows[:2])
    assert all(r.points == 0.0 for r in rows[:2])
    if changes.get("answers-3-3", "").startswith("a_ = None"):
        assert rows[0].message == "`a_` is None, which counts as wrong; write True or False"
        assert rows[1].message == ("`b_` is 1; write True or False, not a number (the notebook's test cell accepts 1, "
                                   "since 1 == True in Python; grading takes only True or False)")


def test_the_student_view_rows_have_their_task_and_maximum():
    rows = answer_rows(ctx(False))
    assert all(r.task == "question_3_3" and r.max_points == 2.0 and r.points is None for r in rows)


def test_an_answers_cell_found_by_content_needs_two_answers():
    base = [(("mine" if cid == "answers-3-3" else cid), k, ("a_ = True\nb_ = False" if cid == "answers-3-3" else s))
            for cid, k, s in SOLUTION]
    c = Context(SPEC, notebook(base=base), TEMPLATE, True)
    rows = answer_rows(c)
    assert "id-fallback:answers-3-3" in c.flags and rows[0].message != "the answers cell 'answers-3-3' is missing"


def test_notes_keep_their_colons_and_id_fallbacks_without_ids_become_one_flag():
    c = ctx()
    c.flag("note:cell ID 'x' appears 2 times: graded the one at position 3")
    assert c.details == ["cell ID 'x' appears 2 times: graded the one at position 3"] and c.flags == []
    cells = [Cell(i, None, k, s) for i, (_, k, s) in enumerate(SOLUTION)]
    c = Context(SPEC, Notebook(cells, 4), TEMPLATE, True)
    c.flag("id-fallback:ann-relu")
    assert c.flags == ["no-cell-ids"] and c.details == []


def test_a_recorded_checksum_wins_over_the_templates():
    class Recorded(FakeSpec):
        def locked_checksums(self):
            return {"imports": "recorded"}
    c = Context(Recorded(SPEC), notebook(), TEMPLATE, True)
    assert c.template_checksum("imports") == "recorded"
    assert c.template_checksum("plot-examples") == checksum(next(x.source for x in TEMPLATE.cells
                                                                 if x.id == "plot-examples"))


def test_the_allowed_modules_are_listed_in_order():
    msg = ctx().explain("ModuleNotFoundError: No module named 'x'")
    allowed = sorted(SPEC.allowed_modules(TEMPLATE))
    assert msg.endswith(f"(allowed: {', '.join(allowed)})") and len(allowed) > 1


def test_reference_jobs_are_named_and_carry_the_same_parameters():
    c = ctx(True)
    refs = models.reference_jobs(MODELS, c)
    assert [j.cell_id for j in refs] == ["reference", "reference"]
    assert [j.params for j in refs] == [models.probe_params(MODELS, c, m) for m in MODELS.cfg["models"]]
    assert refs[0].params["runs"]["public"]["seeds"] == [66]
    t = training.reference_jobs(TRAINING, c)[0]
    assert t.cell_id == "reference" and t.params == training.probe_params(TRAINING, c)


def test_provided_rows_carry_maxima_and_the_reason_of_a_failing_cell():
    c = ctx(drop=("imports",))
    res = {r.check: r for r in provided.score(PROVIDED, c, [], [])}
    assert res["imports executes"].max_points == 2.0 and res["imports executes"].passed is False
    imports = next(s for i, _, s in SOLUTION if i == "imports")
    c = ctx(changes={"imports": imports + "\nx = y"})
    res = {r.check: r for r in provided.score(PROVIDED, c, [CellOutcome("imports", Status.ERROR,
                                                                         error="NameError: name 'y' is not defined")], [])}
    assert res["imports executes"].message.startswith("cell 'imports' raised NameError: name 'y' is not defined. "
                                                      "No cell of the notebook defines `y` (a typo?)")
    assert res["data-loaders unmodified"].message == "the provided cell 'data-loaders' is present and unmodified"


def test_a_provided_cell_turned_into_markdown_is_not_there():
    loaders = next(s for i, _, s in SOLUTION if i == "data-loaders")
    md = [(cid, "markdown" if cid in ("data-loaders", "hyperparams") else k, s) for cid, k, s in SOLUTION]
    c = Context(SPEC, notebook(base=md), TEMPLATE, True)
    res = {r.check: r.points for r in provided.score(PROVIDED, c, [None], [])}
    assert res["data-loaders unmodified"] == 0.0 and res["hyperparams present"] == 0.0
    assert loaders


def test_an_editable_cell_is_present_by_its_id_with_its_values_changed_not_gone():
    hp = next(s for i, _, s in SOLUTION if i == "hyperparams")
    changed = ctx(changes={"hyperparams": hp.replace("epochs=1", "epochs=30") + "\nx = 1"})
    assert {r.check: r for r in provided.score(PROVIDED, changed, [None], [])}["hyperparams present"].points == 2.0
    gone = ctx(changes={"hyperparams": "x = 1"})          # a hundred-and-sixty-third review: `pass` was "present"
    assert {r.check: r for r in provided.score(PROVIDED, gone, [None], [])}["hyperparams present"].points == 0.0


# ---------------------------------------------------------------------------- training: replays

def replay(events, final_test=None, **kw):
    out = {"final_test": final_test, **kw}
    if events is not None:
        out["events"] = events
    return out


@pytest.mark.parametrize("events,replayed,confirmed", [
    # a test that printed something else is not confirmed, and does not break the chain after it
    ([SGD, train(S1), called_test("X"), train(S2)], replay([{}, {"series": S1}, {"printed": "T1"}, {"series": S2}]),
     {0, 1, 3}),
    # no train call at all: the last test is confirmed by the final weights' test
    ([SGD, called_test("T2")], replay([{}], "T2"), {0, 1}),
    ([SGD, called_test("T2")], replay(None, "T2"), {1}),
    # a test before the last train call is never confirmed by the final weights
    ([SGD, train(S1), called_test("T2"), train(S2)],
     replay([{}, {"series": S1}, {"printed": "T1"}, {"series": S2}], "T2"), {0, 1, 3}),
    # the final test must be the last test, on the model and the test loader, and print the same
    ([SGD, train(S1), called_test("T2", model="other")], replay([{}, {"series": S1}], "T2"), {0, 1}),
    ([SGD, train(S1), called_test("T2", loader="train")], replay([{}, {"series": S1}], "T2"), {0, 1}),
    ([SGD, train(S1), called_test("X")], replay([{}, {"series": S1}], "T2"), {0, 1}),
    ([SGD, train(S1), called_test("T2"), called_test("T2")], replay([{}, {"series": S1}], "T2"), {0, 1, 3}),
    # events after the final test are still looked at
    ([SGD, train(S1), called_test("T2"), SGD], replay([{}, {"series": S1}, {"printed": "T2"}, {}], "T2"), {0, 1, 2, 3}),
    # every train call reproduced, and the replay's test printed another line: the weights were
    # changed after training, and the final weights do not confirm that test (a twenty-fifth review)
    ([SGD, train(S1), called_test("T2"), SGD], replay([{}, {"series": S1}, {"printed": "T1"}, {}], "T2"), {0, 1, 3}),
    # a train call the replay cannot repeat (on a copy) stops it: a test after it is not confirmed by
    # the final weights either (weights may have been changed by hand; the thirty-second review)
    ([SGD, train(S1), train(S2, model="other"), called_test("T2")],
     replay([{}, {"series": S1}], "T2", stopped=2), {0, 1}),
    # more events than the replay did: the rest is unconfirmed
    ([SGD, train(S1), train(S2)], replay([{}, {"series": S1}]), {0, 1}),
])
def test_what_a_replay_confirms(events, replayed, confirmed):
    assert training.confirmed_by_replay(events, replayed) == confirmed


def test_training_rows_name_their_task_maximum_and_verdict():
    c = train_ctx()
    rows = training.score(TRAINING, c, [ok(training_obs())], TREF)
    assert [(r.task, r.check, r.max_points, r.passed) for r in rows] == [
        ("code_3_2_train", k, float(v), True) for k, v in TRAINING.cfg["points"].items()]
    rows = training.score(TRAINING, c, [None], TREF)
    assert [(r.max_points, r.passed) for r in rows] == [(float(v), False) for v in TRAINING.cfg["points"].values()]


def test_training_errors_are_explained_and_named():
    res = train_points(CellOutcome("train-and-test", Status.ERROR, error="NameError: name 'x' is not defined"))
    assert res["optimizer"][1].startswith("cell 'train-and-test' raised NameError: name 'x' is not defined. Each cell")
    obs = training_obs(events=[])
    obs["runs"]["hidden"]["error"] = obs["runs"]["public"]["error"] = "NameError: name 'x' is not defined"
    res = train_points(ok(obs))
    # The error first, what it cost after (a student's review: it stood at the end of a long sentence)
    assert res["optimizer"][1] == ("`train_and_test` raised NameError: name 'x' is not defined. Each cell is graded on "
                                   "its own, with only the imports and the provided names ("
                                   + ", ".join(SPEC.context["names"]) + ") around it, as the assignment's instructions "
                                   "say: define what the cell uses in the cell itself: `train_and_test` stopped with an "
                                   "error before it created an optimizer, optim.SGD(model.parameters(), lr=..., "
                                   "momentum=...)")
    # the error once, the other checks point to it (a student's review: five times the six lines)
    assert res["epochs"][1] == "`train_and_test` stopped with an error before it called `train` (the error is named " \
                               "under optimizer)"
    res = train_points(ok({"defined": True, "runs": {"public": training_obs()["runs"]["public"]}}))
    assert res["optimizer"] == (0.0, "the check did not run (incomplete result from the cell's process)")


def test_the_student_view_judges_the_public_run_and_asks_for_its_replay():
    obs = {"defined": True, "runs": {"public": training_obs()["runs"]["public"]}}
    res = train_points(ok(obs), hidden=False)
    assert all(p == float(TRAINING.cfg["points"][k]) for k, (p, _) in res.items())
    other = [SGD, train([[9.0, 9.0]] * 3), train([[8.0, 8.0]] * 3), called_test("T2")]
    jobs = training.followups(TRAINING, train_ctx(False), [ok(training_obs(events=other))], TREF)
    assert jobs[0].cell_id == "replay" and jobs[0].params["runs"]["public"]["lr"] == 0.02
    assert training.followups(TRAINING, train_ctx(True), [CellOutcome("x", Status.OK)], TREF) == []
    assert training.followups(TRAINING, train_ctx(True), [ok({"defined": True, "runs": {}})], TREF) == []


def test_a_replay_is_used_only_when_the_reference_did_not_confirm_everything():
    spoiled = ok({"runs": {"hidden": {"events": [{}, {"series": [[0.0]]}, {}, {}, {}], "final_test": None}}})
    res = train_points(ok(training_obs()), follow=[spoiled])
    assert sum(p for p, _ in res.values()) == 20.0


@pytest.mark.parametrize("source,needle", [
    ("a_ == True\nb_ = True", "compares `a_ == ...`, which assigns nothing"),
    ("A_ = True\nb_ = True", "assigns `A_`; names are case-sensitive"),
    ("if True:\n    a_ = True\nb_ = True", "`a_` is assigned only inside `if ...:` on line 1, and the answers are read "
                                        "from the cell's top level only: move `a_ = True` or `a_ = False` out of it, to the top level"),
    # (a fairness review, 295: "is not assigned" read as untrue)
    ("b_ = True\ntry:\n    a_ = True\nexcept Exception:\n    pass", "`a_` is assigned only inside `try:` on line 2"),
    ("import contextlib\nb_ = True\nwith contextlib.suppress(Exception):\n    a_ = True",
     "`a_` is assigned only inside `with ...:` on line 3"),
])
def test_an_answer_not_assigned_says_what_the_cell_did_instead(source, needle):
    """A fairness review: `a_ == True` and `A_ = True` both read "`a_` is not assigned"."""
    from grader.checks.answers import problem, read_answers
    values, _ = read_answers(source, ["a_", "b_"])
    why = problem("a_", values["a_"], source)
    assert (why.startswith("`a_` is not assigned") or "only inside" in needle) and needle in why, why
    assert problem("b_", values["b_"], source) == ""


def test_a_step_outside_train_ends_what_the_reference_run_confirms():
    """The reference run makes no step of its own: the calls after one need a replay, which makes
    the step too (an extra optimizer.step() costs final_weights only; a thirty-sixth review)."""
    events = [SGD, train(S1), {"kind": "step", "optimizer": 0}, train(S2), called_test("T2")]
    assert training.confirmed_by_reference(events, P_PUBLIC, training.timeline(REF_RUN)) == {0, 1}
    assert training.confirmed_by_replay(events, replay([{}, {"series": S1}, {}, {"series": S2}, {"printed": "T2"}])) \
        == {0, 1, 2, 3, 4}


def test_a_notebook_with_nothing_of_the_template_gets_one_flag_not_one_per_cell():
    """A new TA's review: an empty notebook was 19 flags (`deleted:` and `missing:` of every cell)."""
    def flagged(nb):
        c = Context(SPEC, nb, TEMPLATE, True)
        for cid in ("imports", "train-fn"):
            c.flag(f"deleted:{cid}")
        c.flag("missing:ann-sigmoid")
        return c
    empty = flagged(Notebook([Cell(0, "abc", "code", "print(1)")], 4))
    assert empty.flags == ["not-the-assignment"]
    assert "holds no cell of the template" in empty.details[0] and "deleted:imports" in empty.details
    # the assignment's cells without their IDs (found by content) are the assignment
    pasted = flagged(Notebook([Cell(i, "", k, s) for i, (_, k, s) in enumerate(SOLUTION)], 4))
    assert pasted.flags == ["deleted:imports", "deleted:train-fn", "missing:ann-sigmoid"]


def test_a_loader_label_is_read_in_ascii_digits_only():
    """A forty-second review forged the label "test:²": str.isdigit() took it, int() raised, and the
    scoring of the whole task failed with an internal error."""
    assert training.rebuilt("train:64", "train") == 64 and training.rebuilt("test:1000", "test") == 1000
    for label in ("train:²", "train:٣", "train:0", "train:064", "train:", "train:1e3", "test:64"):
        assert training.rebuilt(label, "train") is None, label


def test_an_answers_cell_that_still_raises_or_sets_a_name_twice_is_told():
    """A student's review: the template's `raise NotImplementedError()` left below the answers read
    as "format ok" (Run All stops there), and `a_` set twice said nothing of which counts."""
    src = "a_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False\na_ = False\nraise NotImplementedError()"
    c = Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False)
    answer_rows(c)
    assert "raised:answers-3-3" in c.flags                 # the flag's help says it (once: a student's review)
    assert not any("Run All stops there" in d for d in c.details)
    assert any("sets `a_` more than once: the last one counts" in d for d in c.details)


@pytest.mark.parametrize("stop, said", [("raise NotImplementedError()", "a `raise` on line 2"),
                                        ("while True:\n    pass", "an endless loop on line 2"),
                                        ("import sys\nsys.exit()", "a call that ends the program on line 3")])
def test_answers_after_a_raise_or_an_endless_loop_are_told_never_set_by_jupyter(stop, said):
    """Seventy-fourth review: the template's raise left above the answers scored, and the flag said
    "what it defined before the error was graded"; seventy-sixth: an endless loop above them was
    "ready to hand in"."""
    src = f"# YOUR CODE HERE\n{stop}\na_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False"
    c = Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False)
    answer_rows(c)
    assert "raised:answers-3-3" in c.flags
    detail = next(d for d in c.details if "True/False answers cell" in d)
    assert said in detail and "`a_`, `b_`, `c_`, `d_`, `e_`" in detail and "Jupyter never sets them" in detail
    c = Context(SPEC, notebook({"answers-3-3": "a_ = True\nwhile True:\n    break\n"}), TEMPLATE, False)
    answer_rows(c)
    assert "raised:answers-3-3" not in c.flags


def test_an_answer_also_set_in_a_block_or_a_raw_answers_cell_is_told():
    """A forty-fifth review: `a_ = True` at the top and `a_ = False` inside `if 1:` (or as a loop
    variable, with `:=`, by an import) read as True, where Jupyter ends with False; and answers in
    a raw cell, which Jupyter never runs, scored with only a note."""
    src = ("a_ = True\nb_ = True\nc_ = True\nd_ = True\ne_ = True\nif 1:\n    a_ = False\n"
           "for b_ in [False]: pass\n(c_ := False)\nimport os as d_\n")
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False))}
    # `(c_ := False)` on a line of its own is the last assignment, read as Jupyter ends with it (False).
    assert [rows[n].passed for n in ("a_", "b_", "c_", "d_", "e_")] == [False, False, True, False, True]
    assert "`a_` is also set in `if ...:` on line 6, below its last plain assignment" in rows["a_"].message
    assert "`d_` is also set in the import on line 10, below" in rows["d_"].message, rows["d_"].message
    base = [(cid, "raw" if cid == "answers-3-3" else kind, src) for cid, kind, src in SOLUTION]
    c = Context(SPEC, notebook(base=base), TEMPLATE, False)
    answer_rows(c)
    assert "cell-type:answers-3-3" in c.flags


def test_answers_bound_by_match_or_set_by_exec_or_globals_are_told():
    """A forty-seventh review: `case (a_, b_, ...)` and an added cell's `globals().update(...)` or
    `exec(...)` left the answers Jupyter ends with unread."""
    src = ("a_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False\n"
           "match (False, True):\n    case (a_, b_):\n        pass\n")
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False))}
    assert not rows["a_"].passed and not rows["b_"].passed and rows["c_"].passed
    src = "a_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False\nglobals().update(a_=False)\n"
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False))}
    assert not any(r.passed for r in rows.values()) and "exec/globals()" in rows["a_"].message


@pytest.mark.parametrize("extra", [
    "",
    "# True and False are Python builtins (bool literals), not strings\n",
    "for name in ['a_', 'b_', 'c_', 'd_', 'e_']:\n    print(name, globals()[name])\n",
    "print({k: v for k, v in globals().items() if k in ('a_', 'b_')})\n",
    "for n in 'abcde':\n    print(n, eval(n + '_'))\n",
    "print(locals()['a_'])\nprint(vars())\nprint('a_' in globals())\n",
    "if __name__ == '__main__':\n    print(a_)\n",
    "my_files = !ls\nt = %time 1 + 1\n",              # an eighty-fourth review: "a syntax error"
    "%reset_selective -f xyz\n",                        # an eighty-eighth review: other names only
    "print('torch' in sys.modules)\n",
])
def test_comments_and_prints_in_the_answers_cell_set_nothing(extra):
    """An eighty-second review: `a_ = True  # (model.eval() in test)` or a comment saying "builtins",
    and prints of globals()[name] or eval(name + '_'), cost all ten points as "set elsewhere"."""
    src = ("a_ = True   # test accuracy (model.eval() in test) is low after one epoch\nb_ = False\n"
           "c_ = True  # sigmoid derivative is at most 1/4\nd_ = True\ne_ = False  # not always > 1\n" + extra)
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False))}
    assert all(r.passed is None or r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}
    assert not any("set elsewhere" in r.message or "set again" in r.message for r in rows.values())


def test_answers_printed_through_eval_of_computed_text_keep_their_points_and_a_ta_reads_it():
    """An eighty-eighth review: `print(f"{n}_ = {eval(n + '_')}")` cost all ten points, where a plain
    print was fine; what computed text runs is for a TA to read."""
    src = ("a_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False\n"
           "for n in 'abcde':\n    print(f\"{n}_ = {eval(n + '_')}\")\n")
    c = Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False)
    rows = {r.check: r for r in answer_rows(c)}
    assert all(r.passed is not False for r in rows.values()), {n: r.message for n, r in rows.items()}
    assert "exec:answers-3-3" in c.flags and any("evaluates computed text (`eval(...)` on line 7)" in d
                                                for d in c.details)
    answers = "a_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False\n"
    for magic, lost in (("%%capture cap\n", []), ("%%capture --no-stdout a_\n", ["a_"])):
        rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": magic + answers}), TEMPLATE,
                                                        False))}
        assert [n for n, r in rows.items() if r.passed is False] == lost, {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("extra,construct", [
    ("exec('a_ = False')\n", "`exec(...)` on line 6"),
    ("globals()['a_'] = False\n", "`globals()` on line 6"),
    ("g = globals()\ng['a_'] = False\n", "`globals()` on line 6"),
    ("eval('(a_ := False)')\n", "`eval(...)` on line 6"),
    ("import sys\nsys.modules['__main__'].a_ = False\n", "`sys.modules` on line 7"),
    ("get_ipython().user_ns['a_'] = False\n", "`user_ns` on line 6"),
    ("import sys\nsys._getframe().f_globals['a_'] = False\n", "`f_globals` on line 7"),
    ("%run -i answers.py\n", "`%run` on line 6"),               # an eighty-fourth review: as exec
    ("%reset_selective -f a_\n", "`%reset_selective` on line 6"),
    # An eighty-eighth review: IPython's shell, the module under another name, a name-less `eval` text.
    ("import IPython\nIPython.get_ipython().push({'a_': False})\n", "`push` on line 7"),
    ("import importlib\nimportlib.import_module(__name__).a_ = False\n", "`import_module` on line 7"),
    ("from sys import modules as m\nm[__name__].a_ = False\n", "`from sys import ...` on line 6"),
    ("import sys as s\ns.modules[__name__].a_ = False\n", "`s.modules` on line 7"),
    ("print(eval('(a_ :' '= False)'))\n", "`eval(...)` on line 6"),
])
def test_code_that_can_set_the_answers_is_named_with_its_line(extra, construct):
    src = "a_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False\n" + extra
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False))}
    assert not rows["a_"].passed and (rows["b_"].passed is False) == ("reset_selective" not in extra)
    assert f"`a_` may be set by {construct}" in rows["a_"].message


def test_a_gpu_or_a_download_is_told_with_where_it_was_raised():
    """A hundred-and-fifty-fourth review: the CUDA text lost the line that raised it, and a download
    in a graded cell read as the grader's network being down."""
    c = Context(SPEC, notebook({}), TEMPLATE, False)
    cuda = c.explain("AssertionError: Torch not compiled with CUDA enabled (line 3 of cell train-and-test)",
                     given_model=True)
    assert "runs on the CPU" in cuda and "(line 3 of cell train-and-test)" in cuda
    download = c.explain("RuntimeError: Error downloading train-images-idx3-ubyte.gz: Tried http://x/, got: "
                         "<urlopen error [Errno -3] Temporary failure in name resolution> (line 2 of cell "
                         "train-and-test)", given_model=True)
    assert download.startswith("RuntimeError: a download failed (line 2 of cell train-and-test). The grader has no network")
    assert "train_loader" in download and "urlopen" not in download


def test_errors_a_student_cannot_act_on_are_said_in_their_terms():
    """An eighty-fifth review: a fixed "cuda" read "Cannot re-initialize CUDA in forked subprocess ...
    use the 'spawn' start method"; SGD(model, ...) named the grader's Flatten; a missing
    super().__init__() got PyTorch's words alone; `ANN_Sigmoid` was "not defined" without a word."""
    c = Context(SPEC, notebook({}), TEMPLATE, False)
    cuda = c.explain("RuntimeError: Cannot re-initialize CUDA in forked subprocess. To use CUDA with "
                     "multiprocessing, you must use the 'spawn' start method", given_model=True)
    assert "forked" not in cuda and "runs on the CPU" in cuda and "model.to(device)" in cuda
    sgd = c.explain("TypeError: optimizer can only optimize Tensors, but one of the params is "
                    "torch.nn.modules.flatten.Flatten", given_model=True)
    assert "Flatten" not in sgd and "optim.SGD(model.parameters()" in sgd
    assert c.explain("AttributeError: cannot assign module before Module.__init__() call (line 3 of cell x)"
                     ).endswith("Call super().__init__() first in __init__, before any layer is assigned")
    renamed = notebook({"ann-sigmoid": "class ANN_Sigmoid(nn.Module):\n    pass\n",
                        "train-and-test": "def train_and_tset(model, hyperparameters):\n    pass\n"})
    c = Context(SPEC, renamed, TEMPLATE, False)
    assert c.defined_elsewhere("ANN_sigmoid", "ann-sigmoid") == \
        " (the cell defines `ANN_Sigmoid`: names are case-sensitive, write `ANN_sigmoid`)"
    assert c.defined_elsewhere("train_and_test", "train-and-test") == \
        " (the cell defines `train_and_tset`: a typo? write `train_and_test`)"
    assert c.defined_elsewhere("ANN_relu", "ann-relu") == ""


def test_a_provided_cell_under_a_cell_magic_is_not_the_template_s():
    from grader.notebook import same_code
    tpl = next(c.source for c in TEMPLATE.cells if c.id == "imports")
    assert same_code(tpl + "\n\n# done\n", tpl)
    assert not same_code("%%timeit -n1 -r1\n" + tpl, tpl) and not same_code("%%capture\n" + tpl, tpl)
    # Jupyter's default backend, out of habit (an eighty-second review: it cost the cell's 2 points);
    # another backend is a change.
    assert same_code("%matplotlib inline\n" + tpl, tpl) and same_code(tpl + "\n%matplotlib  inline  \n", tpl)
    # With a comment, IPython hands it to the magic, which fails there in Jupyter (review 170).
    assert not same_code("%matplotlib inline  # plots\n" + tpl, tpl)
    assert not same_code("%matplotlib widget\n" + tpl, tpl)
    # A look at a name's help shows it and runs nothing; `x = f?` drops the assignment (IPython).
    assert same_code("nn.Linear?\n" + tpl, tpl) and same_code(tpl + "\n??DataLoader  # args\n", tpl)
    assert not same_code(tpl.replace("import torch\n", "import torch?\n", 1), tpl)
    assert not same_code(tpl + "\nx = nn.Linear?\n", tpl)
    # Only where IPython reads it as help: inside brackets it is a syntax error in Jupyter too.
    assert not same_code(tpl.replace("import torch\n", "import torch\nx = print(\nnn?\n)\n", 1),
                         tpl.replace("import torch\n", "import torch\nx = print(\n)\n", 1))


def test_an_error_the_message_names_already_is_not_put_first_again():
    """The template's `raise NotImplementedError()`: "`train_and_test` raised NotImplementedError: ...
    is not written yet: it raises NotImplementedError" said it twice (a fresh-clone read of
    `grader check` on the template)."""
    obs = training_obs(events=[])
    obs["runs"]["hidden"]["error"] = obs["runs"]["public"]["error"] = "NotImplementedError (line 18 of cell x)"
    res = train_points(ok(obs))
    assert res["optimizer"][1].startswith("`train_and_test` is not written yet")
    assert res["optimizer"][1].count("NotImplementedError") == 1        # said once (a seventy-sixth review)
    assert all(res[c][1] == "not checked: `train_and_test` is not written yet (see optimizer)"
               for c in ("epochs", "test", "plots", "final_weights"))


def test_the_extra_import_flag_says_what_it_costs():
    """A hundred-and-forty-fourth review: `extra-import:tqdm` from a `try: import tqdm` with a
    fallback said "the assignment asks for those only" and not whether it cost anything."""
    from grader.flags import explained
    said = " ".join(explained(["extra-import:tqdm"]))
    assert "only where the course sets a penalty" in said and "'imports rule'" in said and "ImportError" in said


def test_a_class_cell_merged_with_its_provided_test_is_told_so_not_to_fix_the_class():
    """A hundred-and-fifty-seventh review: `ann-sigmoid` merged with `ann-sigmoid-test` (Shift+M)
    raised in the test, which compares with outputs on the course's data; the student of a right
    class was told "Jupyter's Run All stops there: fix it"."""
    from grader.checks.context import raised_note
    src = dict((cid, s) for cid, _, s in SOLUTION)
    merged = src["ann-sigmoid"] + "\n\n" + src["ann-sigmoid-test"]
    c = Context(SPEC, notebook({"ann-sigmoid": merged}, drop=("ann-sigmoid-test",)), TEMPLATE, False)
    cell = next(x for x in c.nb.cells if x.id == "ann-sigmoid")
    c.graded(cell, "ann-sigmoid")
    lines = merged.split("\n")
    n = next(i for i, ln in enumerate(lines, 1) if "assert" in ln and ln.strip() in src["ann-sigmoid-test"])
    error = f"AssertionError: Tensor-likes are not close! (line {n} of cell ann-sigmoid: `{lines[n - 1].strip()[:9]}…"
    note = raised_note(CellOutcome("ann-sigmoid", Status.ERROR, error=error, probe={"defined": True}),
                       "ann-sigmoid", "ANN_sigmoid", c)
    assert "in the provided test of cell 'ann-sigmoid-test', merged into it" in note
    assert "merged-test:ann-sigmoid" in c.flags and not any(f.startswith("raised:") for f in c.flags)
    own = CellOutcome("ann-sigmoid", Status.ERROR, error="ValueError: mine (line 3 of cell ann-sigmoid)",
                      probe={"defined": True})
    c = Context(SPEC, notebook({"ann-sigmoid": merged}, drop=("ann-sigmoid-test",)), TEMPLATE, False)
    c.graded(next(x for x in c.nb.cells if x.id == "ann-sigmoid"), "ann-sigmoid")
    raised_note(own, "ann-sigmoid", "ANN_sigmoid", c)                 # the class's own line: raised, as before
    assert "raised:ann-sigmoid" in c.flags


def test_text_above_a_heading_goes_to_one_task_only_whatever_lies_between():
    """The text typed above Calculation 1.2's heading is either 1.1's (its placeholder left, or its
    cell emptied, an empty cell added between) or 1.2's (1.1 answered): never both, never neither."""
    def graded(answer_11, extra=()):
        base = []
        for cid, kind, src in SOLUTION:
            if cid == "md-06":
                base += [(f"empty-{i}", "markdown", "") for i in range(len(extra))]
                src = "My proof: w = 1.\n\n" + src
            base.append((cid, kind, answer_11 if cid == "calc-1-1" and answer_11 is not None else src))
        c = Context(SPEC, notebook(base=base), TEMPLATE, True)
        rows = {t: manual.score(SPEC.task(t), c, [], [])[0] for t in ("calc_1_1", "calc_1_2")}
        return ["My proof" in (rows[t].answer or "") for t in ("calc_1_1", "calc_1_2")]

    assert graded("YOUR ANSWER HERE") == [True, False]
    assert graded("") == [True, False]
    assert graded("YOUR ANSWER HERE", extra=[1]) == [True, False]
    assert graded(None) == [False, True]


def test_of_two_provided_cells_with_one_id_the_later_one_counts():
    """A hundred-and-sixty-fourth review: an edited copy of `data-loaders` with the same ID, below
    the untouched one (what Jupyter runs last), kept every point and no flag; a cell pasted back
    with a new ID and a comment was counted as added besides `id-changed`."""
    src = dict((cid, s) for cid, _, s in SOLUTION)
    edited = src["data-loaders"].replace("batch_size=", "batch_size=7 or ")

    def with_copy(first, second):
        base = []
        for cid, kind, s in SOLUTION:
            base += [(cid, kind, first), (cid, kind, second)] if cid == "data-loaders" else [(cid, kind, s)]
        c = Context(SPEC, notebook(base=base), TEMPLATE, True)
        res = provided_points(c, [None])
        Grader(SPEC, None)._locked(c)
        return res["data-loaders unmodified"][0], c.flags

    points, flags = with_copy(src["data-loaders"], edited)
    assert points == 0.0 and "duplicated:data-loaders" in flags and "edited:data-loaders" in flags
    points, flags = with_copy(edited, src["data-loaders"])          # the template's runs last
    assert points == 2.0 and "edited:data-loaders" not in flags
    pasted = [("new-" + cid if cid in ("imports", "data-loaders") else cid, k, s + "\n# mine" if cid == "imports" else s)
              for cid, k, s in SOLUTION]
    c = Context(SPEC, notebook(base=pasted), TEMPLATE, True)
    Grader(SPEC, None)._added(c)
    assert not any(f.startswith("added-cell") for f in c.flags), c.flags


FLIP = "get_ipython().user_ns.update(a_=not a_, b_=not b_, c_=not c_, d_=not d_, e_=not e_)"


@pytest.mark.parametrize("line", [f"!echo {{{FLIP}}}", f"out = !echo {{{FLIP}}}", f"%config {{{FLIP}}}",
                                  f"%env FLIP={{{FLIP}}}", f"%%capture {{{FLIP}}}",
                                  # a lone brace after it: IPython evaluates the field, then gives up on the
                                  # line (a hundred-and-ninety-third review: the grader saw no field at all)
                                  f"!echo {{{FLIP}}} }}", f"%env Q={{{FLIP}}} {{",
                                  # the statement of `%time` and `%prun` is read as a cell when it runs,
                                  # and filled in then (a hundred-and-ninety-seventh review)
                                  f"%time !echo {{{FLIP}}}", f"%prun -q !echo {{{FLIP}}}",
                                  f"%time %env Q={{{FLIP}}}", f"%time %time !echo {{{FLIP}}}",
                                  # magics that run their own argument as Python (a two-hundred-and-fifth review)
                                  f"%config Foo.bar = {FLIP}", f"%rep {FLIP}", f"%edit -x {FLIP}",
                                  # `%config` runs its line in the notebook's namespace: `global` reaches it
                                  # without a call (review 267)
                                  "%config Foo.bar = 1; global a_, b_, c_, d_, e_; a_, b_, c_, d_, e_ = "
                                  "not a_, not b_, not c_, not d_, not e_",
                                  f"x = '1; {FLIP}'\n%config Foo.bar = $x",
                                  # written out: what runs Python stays as written, and is read so
                                  f"get_ipython().run_line_magic('config', 'Foo.bar = {FLIP}')",
                                  f"get_ipython().system('echo {{{FLIP}}}')",
                                  # another namespace than the notebook's (a two-hundred-and-seventh review)
                                  "get_ipython().run_line_magic('time', 'a_, b_, c_, d_, e_ = 1, 2, 3, 4, 5', _stack_depth=2)"])
def test_answers_set_again_by_python_in_a_shell_or_magic_line_are_not_graded_as_written(line):
    """A hundred-and-ninety-second review: IPython fills `{...}` into a shell or magic line by running
    it as Python, and this one line set all five answers to the others in Jupyter; graded 10/10 as
    written, unflagged (the same line as plain code cost the ten points, with its reason)."""
    answers = "a_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False\n"
    src = line + "\n" + answers if line.startswith("%%") else answers + line + "\n"
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False))}
    assert not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}
    said = "may be set by `" if line.startswith("get_ipython") else "IPython runs it as Python"
    assert all(said in r.message for r in rows.values()), {n: r.message for n, r in rows.items()}
    plain = answers + "!ls {path} $HOME\n" + 's = """\n!echo {f()}\n"""\n'       # reads a name; text of a string
    # IPython's settings set with literals (a dict too: `'figure.figsize': (6, 4)` is no field Python can
    # evaluate, so IPython leaves the line as it is)
    plain += ("%config InlineBackend.figure_format = 'retina'\n%config InlineBackend.rc = {'figure.figsize': (6, 4)}\n"
              "%config Completer.use_jedi = False\n%config\n")
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": plain}), TEMPLATE, False))}
    assert all(r.passed is None or r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


def test_an_answer_set_again_at_the_notebook_s_end_is_the_one_jupyter_ends_with():
    """A hundred-and-ninety-fifth review: a cell added at the very end, past the provided answer
    tests, set the answers again; Jupyter ends with those, and the grader read only cells right
    below the answers cell (an honest "changed my mind" at the end was not counted)."""
    key = SPEC.answer_key()
    flipped = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    base = SOLUTION + [("late", "code", flipped)]
    assert base[-2][0] != "answers-3-3"                                  # past the provided tests
    c = Context(SPEC, notebook(base=base), TEMPLATE, True)
    rows = {r.check: r for r in answer_rows(c)}
    assert not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}
    assert "moved:answers-3-3" in c.flags


@pytest.mark.parametrize("line", ["_ = %time {names} = {flipped}", "p = %prun -q -r {names} = {flipped}",
                                  "_ = %time %time {names} = {flipped}",
                                  "def _t():\n    %timeit -n1 -r1 for _ in [0]: global {names}; {names} = {flipped}\n_t()",
                                  # a `%timeit` line in a function copies its names into the notebook's;
                                  # a statement that raises leaves them there (a two-hundred-and-first review)
                                  "def _t({defaults}):\n    try:\n        %timeit -n1 -r1 1/0\n"
                                  "    except ZeroDivisionError:\n        pass\n_t()",
                                  # `-r 0` runs the statement (to choose a loop count), then raises, and
                                  # `-n -1` still copies a function's names (a two-hundred-and-fourth review)
                                  "def _t({defaults}):\n    %timeit -r 0 pass\ntry:\n    _t()\nexcept ValueError:\n    pass",
                                  "def _t({defaults}):\n    %timeit -n -1 pass\n_t()",
                                  "try:\n    %timeit -r 0 global {names}; {names} = {flipped}\nexcept ValueError:\n    pass",
                                  # an alias the cell makes runs its magic (a two-hundred-and-eighth review)
                                  "%alias_magic t time\n%t {names} = {flipped}",
                                  "get_ipython().run_line_magic('alias_magic', 't time')\n"
                                  "get_ipython().run_line_magic('t', '{names} = {flipped}')",
                                  # made as a value or inside another magic (a two-hundred-and-tenth review)
                                  "x = %alias_magic t time\n%t {names} = {flipped}",
                                  "%time %alias_magic t time\n%t {names} = {flipped}",
                                  "%timeit -n1 -r1 %alias_magic t time\n%t {names} = {flipped}",
                                  # a magic that may set them, written out, or inside another, or as a value
                                  # (a two-hundred-and-eleventh review)
                                  "get_ipython().run_line_magic('run', '-i flip.py')", "%time %run flip.py",
                                  "r = %run flip.py", "%prun -q %run flip.py", "%time %reset -f",
                                  # assigned to any target IPython reads before the first `=`, also where
                                  # a break only IPython reads sends the cell through IPython's own reader
                                  # (a two-hundred-and-fourteenth review)
                                  "o = type('O', (), {{}})()\no.x = %run -i flip.py",
                                  "o = type('O', (), {{}})()\no.x = %run -i flip.py\n# end\x0c",
                                  "d = [0]\nd[0] = %reset -f", "[o] = %run -i flip.py",
                                  "o = type('O', (), {{}})()\no.t = %time {names} = {flipped}",
                                  "print('x'); y = %run -i flip.py",
                                  # on a line that continues a bracket, which IPython reads as one
                                  # logical line (a two-hundred-and-fifteenth review)
                                  "print(1\n!= 2); y = %run -i flip.py", "print(4\n/2); y = %reset -f\n\x0c",
                                  "print(4\n, 2); y = %time %run -i flip.py",
                                  # IPython's shell called as written in a cell IPython's own reader turns,
                                  # or by an escaped line (a two-hundred-and-eighteenth review)
                                  "%pwd\x0c\nget_ipython().run_cell('{names} = {flipped}')",
                                  ";get_ipython().run_cell {names} = {flipped}",
                                  ",get_ipython().run_line_magic reset -f",
                                  # a call IPython's reader would not write (a two-hundred-and-twentieth review)
                                  "# note\x0c\n%pwd\nget_ipython().run_line_magic('time', '{names} = ' + '{flipped}')",
                                  "# note\x0c\n%pwd\nget_ipython().run_cell_magic('time', '', '{names} = ' + '{flipped}')",
                                  "# note\x0c\n%pwd\nget_ipython().run_line_magic('time', '{names} = {flipped}', _stack_depth=2)"])
def test_answers_set_again_by_an_assigned_or_compound_timed_statement_are_not_graded_as_written(line):
    """A hundred-and-ninety-ninth review: `_ = %time a_, ... = ...` ran its statement in Jupyter (all
    five answers otherwise) and was read as `_ = None`; a `%timeit` statement with a body of its own
    (`for ...: ...`) was read as `pass`. The right answers as written, the others set after them:
    graded as Jupyter ends, wrong."""
    key = SPEC.answer_key()
    names = ", ".join(sorted(key))
    written = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    line = line.format(names=names, flipped=", ".join(str(not key[n]) for n in sorted(key)),
                       defaults=", ".join(f"{n}={not key[n]}" for n in sorted(key)))
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": written + line + "\n"}), TEMPLATE, True))}
    assert len(rows) == len(key) and not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("rebind", ["import types\nget_ipython = lambda: types.SimpleNamespace(run_line_magic=print)",
                                    "class get_ipython:\n    def run_line_magic(self, name, line): pass",
                                    "import builtins as get_ipython"])
@pytest.mark.parametrize("line", ["%time {names} = {right}", "get_ipython().run_line_magic('time', '{names} = {right}')"])
def test_answers_set_by_a_magic_line_after_the_cell_binds_get_ipython_are_not_graded_as_set(rebind, line):
    """A two-hundred-and-twenty-first review: the cell binds `get_ipython` itself, which every magic
    line calls, so in Jupyter the `%time` line runs the student's function and sets nothing; the
    grader read it as the magic and graded the answers it sets (10/10 on five wrong literals)."""
    key = SPEC.answer_key()
    names = ", ".join(sorted(key))
    written = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    line = line.format(names=names, right=", ".join(str(key[n]) for n in sorted(key)))
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": written + rebind + "\n" + line + "\n"}),
                                                    TEMPLATE, True))}
    assert len(rows) == len(key) and not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}
    assert all("get_ipython" in r.message for r in rows.values()), {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("maker", ["from IPython.core.magic import register_line_magic\n@register_line_magic\n"
                                   "def time(line):\n    pass",
                                   "import IPython.core.magic as M\nM.register_line_magic('time')(print)",
                                   "get_ipython().register_magic_function(print, 'line', 'time')"])
def test_answers_set_by_a_magic_line_after_the_cell_makes_that_magic_are_not_graded_as_set(maker):
    """A two-hundred-and-twenty-second review: the cell registers a magic of its own under `time`,
    so in Jupyter its `%time a_, ... = ...` runs the student's function and sets nothing; the grader
    graded the answers the line sets (10/10 on five wrong literals), unflagged."""
    key = SPEC.answer_key()
    names = ", ".join(sorted(key))
    written = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    line = f"%time {names} = {', '.join(str(key[n]) for n in sorted(key))}"
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": written + maker + "\n" + line + "\n"}),
                                                    TEMPLATE, True))}
    assert len(rows) == len(key) and not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("hook", [
    "from IPython.core.interactiveshell import InteractiveShell\n"
    "InteractiveShell.instance().input_transformers_post.append(lambda L: [l for l in L if '{first},' not in l])",
    "import ast\nfrom IPython.core.interactiveshell import InteractiveShell as S\n"
    "class Drop(ast.NodeTransformer):\n    def visit_Assign(self, node):\n        return ast.Pass()\n"
    "S.instance().ast_transformers.append(Drop())",
    # the shell reached without naming IPython or get_ipython
    "import gc\nfor o in gc.get_objects():\n    if type(o).__name__ == 'ZMQInteractiveShell':\n"
    "        o.input_transformers_post.append(lambda L: [])",
    "import os\nos.sys.modules['IPython'].core.interactiveshell.InteractiveShell.instance().ast_transformers.clear()",
    # a magic line that can install one (`%config` evaluates Python; a backend is a module imported)
    "%config InteractiveShell.ast_transformers = []", "%matplotlib module://hooks",
    # settings that change how IPython runs a line, or import a module named in a string (a fairness review, 271,
    # made the everyday ones free)
    "%config InteractiveShell.autocall = 2", "%config InteractiveShell.loop_runner = 'hooks.run'",
    # no name the grader knows: only the rule that a magic line's answers need a cell with nothing else
    "import os\nshell = getattr(os.sys.modules['IPy' + 'thon'], 'get_' + 'ipython')()\n"
    "getattr(shell, 'input_' + 'transformers_po' + 'st').append(lambda L: [])",
    # a module file written by a shell line, then imported as an installed module or loaded as IPython's
    # own extension (a two-hundred-and-thirty-second review: the file appended a transformer)
    "!echo aW1wb3J0IElQeXRob24= | base64 -d > idna.py\nimport idna",
    "!echo ZGVm | base64 -d > autoreload.py\n%load_ext autoreload\n%autoreload 2",
    # a name set to a literal, then bound to a module, or only annotated (a two-hundred-and-thirty-fourth
    # review: `timeit.timeit("<reversed code>")` read as a method of 0)
    "timeit = 0\nimport timeit\ntimeit.timeit('pass', number=1)", "timeit: int\ntimeit.timeit('pass', number=1)",
    # a module a shell line changed, reloaded by autoreload or imported by a figure format (review 241)
    "%load_ext autoreload\n!echo aW1wb3J0IElQeXRob24= | base64 -d >> decorator.py\n%autoreload",
    "!echo aW1wb3J0IElQeXRob24= | base64 -d > matplotlib.py\n%config InlineBackend.figure_format = 'retina'",
    # a codec is a module imported by its name; a name of Python's own rebound (review 243)
    "!echo aW1wb3J0IElQeXRob24= | base64 -d > h243codec.py\n'x'.encode('h243codec')", "__annotations__ = 0",
    # ... passed as `**{...}`; a shell line timed and assigned, then an import (review 244)
    "!echo aW1wb3J0IElQeXRob24= | base64 -d > h244.py\n'x'.encode(**{{'encoding': 'h244'}})",
    "%time x = !echo aW1wb3J0IElQeXRob24= | base64 -d > idna.py\nimport idna", "%whos"])
def test_answers_set_in_a_magic_line_beside_code_that_can_change_it_are_not_graded_as_set(hook):
    """A two-hundred-and-twenty-fourth review: code above a `%time a_, ... = ...` line appended to
    IPython's `input_transformers_post` (or `ast_transformers`), which IPython applies to the line
    when its turn comes, so Jupyter kept the five wrong literals; the grader graded the line's (10/10),
    unflagged. A magic line's answers are read only in a cell that runs nothing else."""
    key = SPEC.answer_key()
    names = ", ".join(sorted(key))
    written = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    line = f"%time {names} = {', '.join(str(key[n]) for n in sorted(key))}"
    source = written + hook.format(first=sorted(key)[0]) + "\n" + line + "\n"
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": source}), TEMPLATE, True))}
    assert len(rows) == len(key) and not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}
    assert all("plain line" in r.message or "may be set by " in r.message for r in rows.values()), \
        {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("cell", [
    # one line that starts with a magic's name runs as that magic (automagic), filling in its braces
    '{inline}; note = "{{get_ipython().user_ns.update({flipped_kw})}}"'.replace("{inline}", "pwd - 1; {inline}"),
    "\n  timeit - 1; {inline}\n",
    # past the budget, magic-looking lines are read by guess: here one inside a string
    "# " + "x" * 10_000 + '\ns = """\n%pwd """\n{wrong_inline}\nt = """\n{inline}\n""" # """\n%pwd',
    # IPython refuses a cell with 500 magic lines: nothing of it runs
    "{right_lines}" + "%pwd\n" * 501,
    # fullwidth letters, which Python reads as the plain ones, past the scan for the shell's names
    "{right_lines}from IPython.\uff43ore.interactiveshell import \uff29nteractiveShell as S\n"
    "S.instance().events.\uff52egister('post_run_cell', lambda r: S.instance().ex('{names} = {flipped}'))",
    # IPython's shell reached by a name of no other meaning, then told to run code
    "{right_lines}import os\nsh = getattr(os.sys.modules['IPython'], 'get_' + 'ipython')()\n"
    "sh.events.register('post_run_cell', lambda r: sh.ex('{names} = {flipped}'))",
    # (a two-hundred-and-twenty-sixth review) automagic in what a magic hands to IPython
    "{wrong_lines}%time pwd; {inline}", "%%time\nls; {inline}", "%%capture\npwd; {inline}",
    # a prompt IPython strips where Python reads an annotation
    "{right_lines}" + "".join(f"%time In [1]: {n}_ = {{flipped_{n}}}\n" for n in "abcde"),
    # a statement that surely stops the cell between the wrong answers and the right ones: Jupyter
    # ends with the wrong ones, and they are graded
    "{wrong_lines}1/0\n{right_lines}", "{wrong_lines}def f(x, x): pass\n{right_lines}",
    # (a two-hundred-and-twenty-eighth review) a magic that sets the names
    "{right_lines}" + "".join(f"%sc {n}_=echo wrong\n" for n in "abcde")],
    ids=["automagic-pwd", "automagic-timeit", "past-the-budget", "501-magic-lines", "fullwidth", "shell-events",
         "automagic-in-time", "automagic-in-cell-time", "automagic-in-capture", "prompt-in-time", "zero-division",
         "refused-def", "sc"])
def test_answers_jupyter_never_ends_with_are_not_graded_as_set(cell):
    """Two-hundred-and-twenty-fifth and -sixth reviews: each of these cells holds the right literals,
    and Jupyter ends with the wrong ones or none (checked with nbclient); the grader scored 10/10,
    unflagged."""
    key = SPEC.answer_key()
    order = sorted(key)
    source = cell.format(names=", ".join(order), flipped=", ".join(str(not key[n]) for n in order),
                         flipped_kw=", ".join(f"{n}={not key[n]}" for n in order),
                         inline="; ".join(f"{n} = {key[n]}" for n in order),
                         wrong_inline="; ".join(f"{n} = {not key[n]}" for n in order),
                         wrong_lines="".join(f"{n} = {not key[n]}\n" for n in order),
                         right_lines="".join(f"{n} = {key[n]}\n" for n in order),
                         **{f"flipped_{n[0]}": not key[n] for n in order})
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": source}), TEMPLATE, True))}
    assert len(rows) == len(key) and not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("below", ["%load_ext watermark\n%watermark -v -p torch",
                                   "from IPython.core.interactiveshell import InteractiveShell\n"
                                   "InteractiveShell.ast_node_interactivity = 'all'",
                                   "!pip list | grep -i torch", "import logging\nlog = logging.getLogger(__name__)",
                                   "class Cfg: pass\ncfg = Cfg()\nfor k, v in {'lr': 0.1}.items():\n    setattr(cfg, k, v)"])
def test_a_cell_below_that_sets_no_answer_costs_the_answers_nothing(below):
    """A fairness review: any cell below the answers that could set a name without naming it
    (`setattr`, `__name__`, an extension loaded) counted against all five answers, with a message about
    the answers cell ("also set elsewhere in the cell"): 0/10 where Jupyter ends with the right ones.
    Such a cell is flagged for a TA; the answers are graded as written."""
    key = SPEC.answer_key()
    right = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    nb = notebook({"answers-3-3": right}, base=[*SOLUTION, ("added-below", "code", below)])
    c = Context(SPEC, nb, TEMPLATE, True)
    rows = {r.check: r for r in answer_rows(c)}
    assert len(rows) == len(key) and all(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("middle", ["answers_checked_by_me", "%env NO_SUCH_VARIABLE", "print(a_, file=0)",
                                    "x, y = 0", "import winreg", "from os import no_such_name", "%matplotlib qt",
                                    "print(isinstance(a_, bool))", "assert a_ in (True, False)", "%timeit -n1 -r1 pass"])
def test_a_statement_that_only_may_raise_between_two_tries_leaves_the_last_graded(middle):
    """Hostile reviews (226, 228, 230) put a statement that raises in Jupyter between the wrong answers
    and the right ones; fairness reviews (229, 231) put an everyday check or print there between a
    first draft and a correction. Whether it raises is not known here (an undefined name may be
    defined above), so the answers are graded as written, the last try, as the README says."""
    key = SPEC.answer_key()
    right = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": wrong + middle + "\n" + right}),
                                                    TEMPLATE, True))}
    assert len(rows) == len(key) and all(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


def test_a_shell_line_above_an_import_above_timed_answers_is_named_as_the_reason():
    """The rule of the two-hundred-and-thirty-second review costs an honest `!pip list` then `import
    torch` above a `%time` answers line its points (a fourth fairness review); the message names the
    shell line, which the student would not have suspected."""
    key = SPEC.answer_key()
    names = ", ".join(sorted(key))
    source = f"!pip list | grep torch\nimport torch\n%time {names} = {', '.join(str(key[n]) for n in sorted(key))}\n"
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": source}), TEMPLATE, True))}
    assert all("below the shell line on line 1" in r.message for r in rows.values()), {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("above", ["%pip install -q numpy", "%precision 3", "%config Completer.use_jedi = False",
                                   "import torch\ntorch.manual_seed(0)", "from IPython.display import Markdown, display"])
def test_everyday_lines_above_the_answers_raise_no_flag(above):
    """A second fairness review: lines like these above the answers were flagged `raised:` ("may stop
    the cell"), and `grader check` said to fix a cell that stops Run All."""
    key = SPEC.answer_key()
    right = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    c = Context(SPEC, notebook({"answers-3-3": above + "\n" + right}), TEMPLATE, True)
    rows = {r.check: r for r in answer_rows(c)}
    assert all(r.passed for r in rows.values()) and not any(f.startswith("raised:") for f in c.flags), (c.flags, c.details)


def _with_cell(cell_id: str, source: str, before: str | None = None) -> list:
    """The solution's cells with one more, added at the end or right above ``before``."""
    added = (cell_id, "code", source)
    if before is None:
        return [*SOLUTION, added]
    at = next(i for i, (cid, _, _) in enumerate(SOLUTION) if cid == before)
    return [*SOLUTION[:at], added, *SOLUTION[at:]]


@pytest.mark.parametrize("answers,extra,before", [
    # a correction below that stops before it sets anything
    ("{wrong}", "raise SystemExit('corrected below')\n{right}", None),
    # a cell magic below that sets the names to its output
    ("{right}", "%%bash --out a_\necho wrong", None),
    # a cell below that binds the names otherwise (a two-hundred-and-thirtieth review)
    ("{right}", "print('checked:', a_ := not a_)", None), ("{right}", "for a_ in [None]:\n    pass", None),
    ("{right}", "del a_", None),
    # a cell above that makes `!=` a syntax error in the answers cell
    ("{right}assert a_ != b_\n", "from __future__ import barry_as_FLUFL", "answers-3-3"),
    # ... also in letters Python reads as those (review 235)
    ("{right}assert a_ != b_\n", "from __future__ import barry_as_\uff26LUFL", "answers-3-3"),
    # the answers cell imports it: a magic line's code, read when its turn comes, stops the cell there
    ("from __future__ import barry_as_FLUFL\n{wrong}%time z = 1 != 2\n{right}", "pass", None),
    # ... and a correction below with `!=` does not run at all
    ("from __future__ import barry_as_FLUFL\n{wrong}", "{right}z = 1 != 2", None)],
    ids=["stop-below", "bash-out-below", "walrus-below", "for-below", "del-below", "barry-above", "barry-fullwidth",
         "barry-in-the-cell", "barry-then-a-correction"])
def test_cells_around_the_answers_that_jupyter_runs_otherwise_are_read_as_it_runs_them(answers, extra, before):
    """A two-hundred-and-twenty-eighth review: each of these scored 10/10 (flagged only `moved:` or
    `added-cell:`, or not at all) while Jupyter ends with wrong answers or none."""
    key = SPEC.answer_key()
    right = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    base = _with_cell("added", extra.format(right=right), before)
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": answers.format(right=right, wrong=wrong)},
                                                                   base=base), TEMPLATE, True))}
    lost = [n for n, r in rows.items() if not r.passed]
    assert lost == (["a_"] if "a_" in extra else sorted(key)), {n: r.message for n, r in rows.items()}


def test_a_builtin_rebound_above_is_no_builtin_beside_timed_answers():
    """A builtin a cell above rebinds (`len = exec`) runs that object when the answers cell calls it
    above a `%time` answers line (the two-hundred-and-thirty-fourth review's route, one cell up)."""
    key = SPEC.answer_key()
    names = ", ".join(sorted(key))
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    cell = wrong + "len('pass')\n" + f"%time {names} = {', '.join(str(key[n]) for n in sorted(key))}\n"
    base = _with_cell("added", "len = exec", "answers-3-3")
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": cell}, base=base), TEMPLATE, True))}
    assert len(rows) == len(key) and not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}
    # without the cell above, `len` is the builtin: the timed line's answers count
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": cell}), TEMPLATE, True))}
    assert all(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


def test_answers_set_again_in_an_edited_provided_cell_below_are_read_from_there():
    """A two-hundred-and-twenty-sixth review: the right answers in the answers cell, set again (wrong)
    in an edited provided test cell below it, which Jupyter runs after it: flagged `edited:`, graded
    10/10 from the answers cell."""
    key = SPEC.answer_key()
    right = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    flipped = "; ".join(f"{n} = {not key[n]}" for n in sorted(key))
    test_cell = next(c for c in TEMPLATE.cells if c.id == "answer-e-test")
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": right, "answer-e-test":
                                                                     test_cell.source + "\n" + flipped}), TEMPLATE, True))}
    assert len(rows) == len(key) and not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("stop", ["return", "break", "continue", "yield", "nonlocal x", "assert False"])
def test_a_statement_ipython_refuses_above_the_answers_is_flagged_like_a_raise(stop):
    """A two-hundred-and-twenty-fifth review: `return` outside a function parses, and IPython then
    refuses it when it compiles that statement, after the ones above it ran; the right answers below
    it were graded, unflagged. Flagged `raised:` like a `raise` there, with the line named; answers set
    above it too keep the value above it, as in Jupyter, and answers set only below it are graded as
    written (the README's policy for a `raise` left from the template)."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    right = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    c = Context(SPEC, notebook({"answers-3-3": wrong + stop + "\n" + right}), TEMPLATE, True)
    rows = {r.check: r for r in answer_rows(c)}
    assert "raised:answers-3-3" in c.flags and not any(r.passed for r in rows.values()), c.flags
    assert any("again after line 6, which stops the cell" in d for d in c.details), c.details
    c = Context(SPEC, notebook({"answers-3-3": stop + "\n" + right}), TEMPLATE, True)
    rows = {r.check: r for r in answer_rows(c)}
    assert "raised:answers-3-3" in c.flags and all(r.passed for r in rows.values()), c.flags
    assert any("on line 1 comes before" in d for d in c.details), c.details


@pytest.mark.parametrize("cell", ["%time {names} = {right}", "\"\"\"My answers.\"\"\"\n%time {names} = {right}\nprint({names})",
                                  "import numpy as np\n%matplotlib inline\n{lines}", "{lines}%time x = sum(range(3))",
                                  "x: int = 3\n%time {names} = {right}\ndisplay(x, {first})",
                                  # set twice with nothing between that can stop the cell: the last counts
                                  "{first} = {wrong_first}\nprint({first})\nnote = 'changed my mind'\n{lines}",
                                  "%time loss = 0.5\n{lines}print(loss)",
                                  # (a fairness review) everyday magics, and words in comments
                                  "%load_ext autoreload\n%autoreload 2\n{lines}", "%reload_ext autoreload\n{lines}",
                                  "# no IPython Magics in here, just plain answers\n{lines}",
                                  "# ran with Run All on the ipykernel (Python 3) kernel\n{lines}",
                                  # a long, commented cell with a few magics: past the budget, nothing hidden
                                  "%matplotlib inline\n%config InlineBackend.figure_format = 'retina'\n!nvidia-smi -L\n"
                                  + "# " + "why: the derivative of the sigmoid is at most 1/4. " * 100 + "\n{lines}",
                                  # (a second fairness review) a timed answers line beside everyday lines
                                  "%matplotlib inline\n%time {names} = {right}\n",
                                  "%load_ext autoreload\n%autoreload 2\n%time {names} = {right}\n",
                                  "!pip list\n%time {names} = {right}\n", "import numpy as np\n%time {names} = {right}\n",
                                  "%time {names} = {right}\n{names}", "%time {names} = {right}\nprint(f'answers: {{{first}}}')",
                                  "%time {names} = {right}\nprint(type({first}))",
                                  # Windows line ends
                                  "%time {names} = {right}\r\n", "# answers\r\n%time {names} = {right}\r\n",
                                  # a first draft shown, then one answer corrected
                                  "{wrong_first_line}{lines}print(f'first draft: {{{first}}}')\nimport math\n"
                                  "print('Answers'.upper(), type({first}), {first} == True)\n{first} = {right_first}",
                                  "global {names}\n{lines}",
                                  # (a third fairness review) code below a timed answers line; extensions and
                                  # IPython's display in the cell; a shell line that shows the answers
                                  "%time {names} = {right}\nimport numpy as np\nprint(np.mean([{names}]))",
                                  "%load_ext watermark\n%watermark -v -p torch\n{lines}",
                                  "from IPython.core.display import HTML\n{lines}HTML('<b>done</b>')",
                                  "{lines}%store {first}", "{lines}!echo \"answers: {{[{names}]}}\"",
                                  "!echo {{1+1}}\n{lines}",
                                  # (a fourth fairness review) above a timed answers line: a `%timeit`, a cell magic,
                                  # the template's imports, `%pip`, a list and its length
                                  "%timeit -n1 -r1 sum(range(10))\n%time {names} = {right}", "%%capture\n%time {names} = {right}",
                                  "import torch.nn as nn\nfrom torch import nn\nimport matplotlib.pyplot as plt\n"
                                  "%time {names} = {right}", "%pip list\n%time {names} = {right}",
                                  "questions = ['q1', 'q2']\nprint(len(questions))\n%time {names} = {right}",
                                  "{lines}fail = lambda: 1/0",
                                  # (a fairness review, 271) everyday settings above a timed answers line
                                  "%config InlineBackend.rc = {{'figure.figsize': (6, 4)}}\n%time {names} = {right}",
                                  "%config InlineBackend.close_figures = False\n%config InlineBackend.print_figure_kwargs = "
                                  "{{'bbox_inches': None}}\n%config IPCompleter.greedy = True\n%time {names} = {right}",
                                  "%config ZMQInteractiveShell.ast_node_interactivity = 'all'\n%config Completer.use_jedi = "
                                  "False\n%time {names} = {right}",
                                  # (a fairness review, 274) IPython's `display` imported under its name
                                  "from IPython.display import display\n%time {names} = {right}\ndisplay({first})"])
def test_answers_in_a_timed_line_or_beside_a_magic_line_are_graded_as_written(cell):
    """The rule above takes nothing from an honest cell: answers in a `%time` line beside literals and
    prints, or on plain lines beside any magic, are graded as written."""
    key = SPEC.answer_key()
    names = ", ".join(sorted(key))
    source = cell.format(names=names, right=", ".join(str(key[n]) for n in sorted(key)), first=sorted(key)[0],
                         lines="".join(f"{n} = {key[n]}\n" for n in sorted(key)), wrong_first=not key[sorted(key)[0]],
                         wrong_first_line=f"{sorted(key)[0]} = {not key[sorted(key)[0]]}\n", right_first=key[sorted(key)[0]])
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": source}), TEMPLATE, True))}
    assert len(rows) == len(key) and all(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


def test_a_cell_added_next_to_the_answers_that_stops_run_all_is_flagged():
    """A fairness review (278): the template's `raise NotImplementedError()` in a cell of its own above or below
    the answers cell raised no flag ("ready to hand in"), while Run All stops there."""
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    stub = "# YOUR CODE HERE\nraise NotImplementedError()\n"
    for above, below, where in (([stub], [], "above"), ([], [stub], "below")):
        c = _around_answers(right, above, below)
        assert all(r.passed for r in answer_rows(c)) and "raised:answers-3-3" in c.flags, c.flags
        assert any(f"{where} the True/False answers cell stops with an error at line 2" in d and "delete that line" in d
                   for d in c.details), c.details
    c = _around_answers(right, ["print('checked')"], ["print(a_)"])
    answer_rows(c)
    assert "raised:answers-3-3" not in c.flags, c.flags


@pytest.mark.parametrize("line,said", [
    ("%xdel test_model", "it deletes every name bound to the object it is given, an answer's True or False too"),
    ("%reset -f", "`%reset` on line"), ("%reset -s -f out", "`%reset` on line"), ("%xdel -n a_", "`%xdel` on line"),
    # options after the name are part of the name, as IPython's parser reads them: by object (review 298)
    ("%xdel t -n", "it deletes every name bound to the object it is given"),
])
def test_a_magic_that_deletes_what_may_be_an_answer_costs_it(line, said):
    """`%xdel NAME` deletes every name bound to NAME's object (`flag = True` above, then `%xdel flag`, deletes
    the answers that are True), `%reset` without a target or with `-s` every name: the fairness review (295) that
    freed `%xdel -n` and `%reset -f out` keeps these costing, with the reason."""
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{line}\n"))
    assert not rows[0].passed and said in rows[0].message, rows[0].message


@pytest.mark.parametrize("line,said", [
    # (a field that is a literal is filled in as IPython fills it in: a fairness review, 436)
    ("%reset -f {''}", "`%reset` on line 2"), ("%reset {'-fs'} out", "`%reset` on line 2"),
    ("%xdel -n {'a_'}", "`%xdel` on line 2"), ("%xdel -n $n", "which IPython fills in"),
    ("%store {'-r'}", "`%store` on line 2"), ("%store '-r'", "`%store` on line 2"),
    ("%reset -f $nothing", "which IPython fills in"), ("%reset -f {n}", "which IPython fills in"),
    # quotes IPython's parser strips, as the grader reads `%xdel`, `%reset` and `%reset_selective` now
    ("%xdel -n 'a_'", "`%xdel` on line"), ("%reset_selective -f '^a'", "`%reset_selective` on line"),
])
def test_a_naming_magic_whose_arguments_ipython_fills_in_costs_the_answers(line, said):
    """Review 296: IPython fills in `{...}` and `$name` and strips quotes before a magic reads its arguments:
    `%reset -f {''}` is a bare `%reset -f`, `%reset {'-fs'} out` a soft reset, `%xdel -n 'a_'` deletes `a_`
    (10/10 on answers Jupyter had deleted, unflagged); `%%capture {'a_'}` set `a_` to what it captured."""
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{line}\n"))
    assert not rows[0].passed and said in rows[0].message, rows[0].message
    rows = answer_rows(_around_answers(f"%%capture {{'a_'}}\n{_NAMES} = {_RIGHT_VALUES}\n"))
    assert not rows[0].passed, rows[0].message


@pytest.mark.parametrize("above,graded", [
    # a block that runs in place above the last plain assignment (a fairness review, 301: all ten points lost)
    ("try:\n    {right}\nexcept Exception as err:\n    print(err)\n", True),
    ("if False:  # a first draft\n    a_ = False\n", True),
    ("for a_ in (True, False):\n    print('option', a_)\n", True),
    # ... not a function's body, which runs when called, nor a block below the plain assignment
    ("def f():\n    global a_\n    a_ = False\n", False),
    ("if True:\n    g = lambda: globals().update(a_=False)\n", False),
    # ... nor a block that may stop the cell after its binding: Jupyter ends with that value
    ("if True:\n    a_ = False\n    raise SystemExit\n", False),
    ("for a_ in (False,):\n    sys.exit()\n", False),
    ("try:\n    a_ = False\n    1 / 0\nfinally:\n    pass\n", False),
    ("while True:\n    a_ = False\n", False),
    ("while True:\n    a_ = True\n    break\n", False),
    ("for i in range(3):\n    a_ = i > 1\n", True),
    # ... nor one that runs later, or may never end (review 302)
    ("g = ((a_ := False) for _ in [0])\n", False), ("for _ in iter(int, 1):\n    a_ = False\n", False),
    ("if True:\n    a_ = False\n    assert False\n", False),
    # ... nor one that runs long, or ends the program by another name (review 303), or loops over what an own
    # `range` or a name bound again in the block gives
    ("for _ in range(1000000000000000000000):\n    a_ = False\n", False),
    ("if 1:\n    a_ = False\n    import sys as s\n    s.exit()\n", False),
    ("def range(n):\n    while True:\n        yield n\nfor a_ in range(3):\n    pass\n", False),
    ("options = [True]\nif True:\n    options = iter(int, 1)\n    for a_ in options:\n        pass\n", False),
    # ... nor over a list, dict or set the cell changes, or loops inside loops (review 310)
    ("opts = [True, False]\nfor o in opts:\n    opts.insert(0, o)\n    a_ = False\n", False),
    ("seen = {{0: 0}}\nfor k in reversed(seen):\n    seen[k + 1] = k\n    a_ = False\n", False),
    ("opts = [True]\nalias = opts\nfor o in opts:\n    alias.append(o)\n    a_ = False\n", False),
    ("for i in range(10000):\n    for j in range(10000):\n        a_ = False\n", False),
    # ... while honest drafts that compute are read through (a fairness review, 307: 2 points each where Jupyter
    # ended right): a statement that only may raise is not followed, in a block as at the top level
    ("DRAFT = False\nif DRAFT:\n    a_: bool = False\n", True),
    ("import math\nif math.isclose(0.25, 1 / 4):\n    a_ = False\n", True),
    ("with torch.no_grad():\n    a_ = bool(torch.ones(1).item())\n", True),
    ("try:\n    import torch\n    a_ = False\nexcept ImportError:\n    a_ = False\n", True),
    ("options = [True, False]\nfor a_ in options:\n    print(a_)\n", True),
    ("n = 3\nfor i, v in enumerate(range(n)):\n    a_ = v > 1\n", True),
    ("if False:\n    a_ = bool(len([]) > 2)\n", True),
    ("draft = {{'a_': True}}\nfor k, v in draft.items():\n    a_ = v\n", True),
    ("for i, a_ in enumerate(('yes', 'no'), 1):\n    print(i, a_)\n", True),
    # ... a list printed as well as looped over (a fairness review, 318)
    ("options = [True, False]\nprint(len(options), options)\nfor a_ in options:\n    print('trying', a_, options)\n", True),
    # ... and so is an `assert` that may fail, or is caught (a fairness review, 312)
    ("try:\n    a_ = False\n    assert a_ in [True, False]\nexcept AssertionError:\n    pass\n", True),
    ("if True:\n    a_ = False\n    assert isinstance(a_, bool)\n", True),
    ("def draft():\n    def inner():\n        global a_\n        a_ = False\n    return inner\n", False),
])
def test_an_answer_also_set_in_a_block_above_its_last_assignment_is_read_as_written(above, graded):
    right = f"{_NAMES} = {_RIGHT_VALUES}"
    rows = answer_rows(_around_answers(above.format(right=right) + right + "\nf() if 'f' in dir() else None\n"
                                                                              "sorted(g) if 'g' in dir() else None\n"))
    assert rows[0].passed is graded, rows[0].message
    rows = answer_rows(_around_answers(right + "\n" + above.format(right=right)))
    assert not rows[0].passed, rows[0].message


@pytest.mark.parametrize("above,said", [
    ("opts = [0]\nfor o in opts:\n    opts.append(o)\n    a_ = False\n",
     "`a_` is also set in a `for` loop on line 2, which may not end"),
    ("while True:\n    a_ = False\n    break\n", "`a_` is also set in a `while` loop on line 1, which may not end"),
    ("def f():\n    global a_\n    a_ = False\n", "`a_` is also set in a function on line 1, which runs later"),
])
def test_an_answer_also_set_in_a_block_that_keeps_it_unknown_names_the_block_and_why(above, said):
    """A fairness review (307): "also set elsewhere in the cell (inside a block, as a loop variable, with `:=`, ...)"
    named neither the block nor what in it counts."""
    rows = answer_rows(_around_answers(above + f"{_NAMES} = {_RIGHT_VALUES}\n"))
    assert not rows[0].passed and rows[0].message.startswith(said), rows[0].message
    assert "keep one plain assignment at the top level" in rows[0].message, rows[0].message


def test_answers_unpacked_from_a_name_are_said_computed_on_their_line():
    """A fairness review (312): `answers = [...]` then `a_, b_, c_, d_, e_ = answers` read "`a_` is computed" five
    times, naming no line."""
    rows = answer_rows(_around_answers(f"answers = [{_RIGHT_VALUES}]\n{_NAMES} = answers\n"))
    assert not any(r.passed for r in rows)
    assert rows[0].message.startswith("`a_` is computed on line 2 (`answers`); write the literal True or False there"), \
        rows[0].message


def test_the_loop_rules_read_a_cell_of_many_loops_once(monkeypatch):
    """A cell of 1,500 loops, each binding an answer, took the grader nine minutes when the loop rules read the whole
    cell again for each of them (found while building review 310's fixes): they read it once."""
    from grader.checks import through
    made = []
    real = through._Cell.__init__
    monkeypatch.setattr(through._Cell, "__init__", lambda self, cell: made.append(1) or real(self, cell))
    loops = "".join(f"opts{i} = [1, 2]\nfor x in opts{i}:\n    a_ = x > 1\n" for i in range(300))
    rows = answer_rows(_around_answers(loops + f"{_NAMES} = {_RIGHT_VALUES}\n"))
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert 1 <= len(made) <= 2, len(made)


@pytest.mark.parametrize("where", ["above", "below"])
def test_a_functions_own_local_of_an_answers_name_costs_nothing(where):
    """A fairness review (312): `def draft(): a_ = False; return a_` beside the answers cost `a_` ("set in a function,
    which runs later"), though that `a_` is the function's own and never the notebook's."""
    draft = "def draft():\n    a_ = False\n    return a_\n"
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    rows = answer_rows(_around_answers(draft + right if where == "above" else right + draft))
    assert all(r.passed for r in rows), [r.message for r in rows]


@pytest.mark.parametrize("answers,below,kept", [
    ("{right}def show():\n    global a_\n    print(a_)\n\nshow()\n", [], True),
    ("{right}def show():\n    global a_, b_, c_, d_, e_\n    print(a_, b_, c_, d_, e_)\n", [], True),
    ("{right}class Show:\n    def __repr__(self):\n        global a_, b_\n        return f'{{a_}} {{b_}}'\nShow()\n", [], True),
    ("{right}", ["def show():\n    global a_, b_, c_, d_, e_\n    print(a_, b_, c_, d_, e_)\n\nshow()"], True),
    ("{right}", ["class Show:\n    def __repr__(self):\n        global a_\n        return str(a_)\nShow()"], True),
    # ... while a function that binds it after `global`, however, still costs it
    ("{right}def f():\n    global a_\n    a_ = False\nf()\n", [], False),
    ("{right}def f():\n    global a_\n    import os as a_\nf()\n", [], False),
    ("{right}def f():\n    global a_\n    match 0:\n        case a_: pass\nf()\n", [], False),
])
def test_a_global_statement_that_only_reads_an_answer_costs_nothing(answers, below, kept):
    """A fairness review (390): `def show(): global a_; print(a_)` in the answers cell cost `a_` ("also set in a
    function ... below its last plain assignment"; 0/10 with all five names), and in a cell below all ten points with
    `moved:` ("set elsewhere in the cell (inside a block, ...)"): a `global` statement was read as binding its names.
    Jupyter ended with the answers as written. A name is bound where a statement binds it."""
    c = _around_answers(answers.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n"), below=below)
    rows = answer_rows(c)
    assert rows[0].passed is kept and all(r.passed for r in rows[1:]), [r.message for r in rows]
    if kept:
        assert not [f for f in c.flags if f.startswith(("moved", "exec", "raised"))], (c.flags, c.details)


@pytest.mark.parametrize("answers,below,lost", [
    # review 393: a class body's `global` inside a block still sends the class's assignment to the notebook's name
    ("{right}class C:\n    if 1:\n        global a_, b_, c_, d_, e_\n    a_ = False\n    b_ = True\n    c_ = False\n"
     "    d_ = False\n    e_ = True\n", [], 5),
    ("{right}class C:\n    while False:\n        global a_\n    a_ = False\n", [], 1),
    ("{right}class C:\n    try:\n        1/0\n    except ZeroDivisionError:\n        global d_\n    d_ ^= True\n", [], 1),
    ("{right}", ["class C:\n    if True:\n        global a_\n    a_ = False"], 1),
    # review 395: `%timeit` in a class's body copies the class's names into the notebook's (and does not put them
    # back where its statement raises); `%prun` runs its statement in the notebook's namespace wherever it stands
    ("{right}class C:\n    a_, b_, c_, d_, e_ = False, True, False, False, True\n    try:\n        %timeit -n1 -r1 1/0\n"
     "    except ZeroDivisionError:\n        pass\n", [], 5),
    ("{right}", ["def f():\n    class C:\n        a_ = False\n        try:\n            %timeit -n1 -r1 1/0\n"
                 "        except ZeroDivisionError:\n            pass\nf()"], 1),
    ("{right}class C:\n    %prun -q a_, b_, c_, d_, e_ = False, True, False, False, True\nprint()\n", [], 5),
    # (read as code run from text in the answers cell, which may set any answer: all five)
    ("{right}def f():\n    %prun -q a_ = False\nf()\n", [], 5),
    ("{right}def f():\n    %time [[(a_ := False), (b_ := True)] for _ in [0]]\nf()\n", [], 5),
    # review 397: the same `%prun` nested in `%time`, assigned, written out as `run_line_magic`, or in a cell that
    # IPython's own reader turns (a form feed)
    ("{right}class C:\n    %time %prun -q a_ = False\n", [], 5),
    ("{right}def f():\n    t = %prun -q a_ = False\nf()\n", [], 5),
    ("{right}class C:\n    get_ipython().run_line_magic('prun', '-q a_ = False')\n", [], 5),
    ("{right}class C:\n    %prun -q a_ = False\n# end\x0c", [], 5),
    ("{right}def f():\n    t = %time [(a_ := False) for _ in [0]]\nf()\n", [], 5),
    # ... while `%time` of a plain statement in a class body binds the class's name, and a method's default runs in
    # the class body (review 395's near miss)
    ("{right}class C:\n    %time a_ = False\n", [], 0),
    ("{right}class C:\n    def m(self, x=(a_ := 0)):\n        return x\n", [], 0),
    # ... while what a class body or a function binds otherwise (a method's name, a loop's variable, an import,
    # `except ... as`) is its own (review 393's false failures: 8/10 where Jupyter ended with 10/10)
    ("{right}", ["class Quiz:\n    def a_(self):\n        return True\nprint(Quiz().a_())"], 0),
    ("{right}", ["def helper():\n    try:\n        return 1 / 0\n    except ZeroDivisionError as e_:\n        return str(e_)\nprint(helper())"], 0),
    ("{right}", ["def helper():\n    import math as a_\n    return a_.pi\nprint(helper())"], 0),
    ("{right}", ["class Table:\n    rows = []\n    for a_ in range(3):\n        rows.append(a_)\nprint(Table.rows)"], 0),
    ("{right}class Quiz:\n    def a_(self):\n        return True\n", [], 0),
    # ... and a `nonlocal` name is an enclosing function's, never the notebook's (a fairness review, 403: a counter's
    # closure cost `a_`, in the answers cell and below it)
    ("{right}def make_counter():\n    a_ = 0\n    def bump():\n        nonlocal a_\n        a_ += 1\n        return a_\n"
     "    return bump\nbump = make_counter(); bump(); print(bump())\n", [], 0),
    ("{right}", ["class K:\n    def m(self):\n        b_ = 0\n        def inner():\n            nonlocal b_\n"
                 "            b_ = 1\n        inner()\n        return b_\nprint(K().m())"], 0),
])
def test_a_class_body_binds_the_notebooks_names_only_where_it_declares_them_global(answers, below, lost):
    c = _around_answers(answers.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n"), below=below)
    rows = answer_rows(c)
    assert sum(not r.passed for r in rows) == lost, [r.message for r in rows]
    if not lost:
        assert not [f for f in c.flags if f.startswith(("moved", "exec", "raised"))], (c.flags, c.details)


@pytest.mark.parametrize("before,stops", [
    # review 399: IPython compiles a `%time` or `%prun` statement alone, as a module's code, and raises where the line
    # runs: `break`, `continue`, `return`, `yield` that the block allows stop the cell there
    ("for _ in [0]:\n    %time break\n", True),
    ("for _ in [0]:\n    %prun -q continue\n", True),
    ("while True:\n    %time break\n", True),
    ("for _ in [0]:\n    t = %time break\n", True),
    ("for _ in [0]:\n    get_ipython().run_line_magic('time', 'continue')\n", True),
    ("def f():\n    %time return\nf()\n", True),
    ("while True:\n    raise ValueError\n", True),
    # ... also where the word `await` stands in the statement, a comment or a name (review 402: it waived the test)
    ("for _ in [0]:\n    %time break  # await\n", True),
    ("for _ in [0]:\n    %prun -q break  # await\n", True),
    ("for awaited in [0]:\n    %time break; awaited\n", True),
    # ... not where the SyntaxError is caught, nor a statement that compiles alone
    ("for _ in [0]:\n    try:\n        %time continue\n    except SyntaxError:\n        pass\n", False),
    ("for i in range(2):\n    %time x = i * 2\n", False),
])
def test_a_magic_whose_statement_does_not_compile_alone_stops_the_cell_where_it_runs(before, stops):
    c = _around_answers(before + f"{_NAMES} = {_RIGHT_VALUES}\n")
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]     # graded as written, as any stop above them
    assert ("raised:answers-3-3" in c.flags) is stops, (c.flags, c.details)


@pytest.mark.parametrize("between,above,stops", [
    # review 408: `%time` catches what its statement raises, in a block as at the top level (IPython shows the error and
    # the block goes on; nbclient's Run All went on too): read as a stop, it cost a correction below its point
    ("for _ in range(1):\n    %time 1/0\n", None, False),
    ("import sys\nfor _ in range(1):\n    %time sys.exit()\n", None, False),
    ("def f():\n    %time 1/0\nf()\n", None, False),
    ("f()\n", "def f():\n    %time 1/0\n", False),
    # ... while a statement that does not compile alone, a `__future__` import, or a plain one after it still stops
    ("for _ in range(1):\n    %time break\n", None, True),
    ("if True:\n    %time from __future__ import annotations\n", None, True),
    ("if True:\n    %time 1/0\n    1/0\n", None, True),
    ("f()\n", "def f():\n    1/0\n", True),
    # ... and what `%time` does not surely catch (review 412): an exception whose `__str__` raises (IPython shows it
    # with `str`), the process ended, a text IPython does not compile there (`await`, `!=` under `barry_as_FLUFL`),
    # a block of `%time`'s own whose stop the reading does not take apart
    ("class E(Exception):\n    def __str__(self):\n        raise ValueError('x')\nfor _ in range(1):\n    %time raise E()\n",
     None, True),
    ("class E(Exception):\n    def __str__(self):\n        raise ValueError('x')\n%time raise E()\n", None, True),
    ("import os\nfor _ in range(1):\n    %time os.abort()\n", None, True),
    ("import os\n%time os._exit(0)\n", None, True),
    ("stop()\n", "import os\ndef stop():\n    %time os._exit(0)\n", True),
    ("import asyncio\nfor _ in range(1):\n    %time await asyncio.sleep(0)\n", None, True),
    ("for _ in range(1):\n    %time 1 != 2\n", "from __future__ import barry_as_FLUFL", True),
    ("if True:\n    %time for _ in [1]: 1/0\n", None, True),
    # ... while the plain ones stay caught, at the top level too
    ("if True:\n    %time raise ValueError()\n", None, False),
    ("%time raise ValueError('x')\n", None, False),
    ("import sys\n%time sys.exit(1)\n", None, False),
])
def test_time_in_a_block_catches_what_its_statement_raises(between, above, stops):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{wrong}{between}{_NAMES} = {_RIGHT_VALUES}\n", above=[above] if above else [])
    rows = answer_rows(c)
    assert all(r.passed is not stops for r in rows), [r.message for r in rows]
    if "barry" not in (above or ""):        # (under `barry_as_FLUFL` from above Jupyter runs none of the cell: said so)
        assert ("raised:answers-3-3" in c.flags) is stops, (c.flags, c.details)


@pytest.mark.parametrize("answers,above", [
    # review 413: what `%time`'s handler cannot show raises out of it (a number past Python's digits limit for text, a
    # lone surrogate), and `%pdb on` opens the debugger there: Run All stopped with the first answers
    ("{wrong}%time raise ValueError(0x" + "f" * 3800 + ")\n{right}", None),
    ("import sys\n{wrong}%time sys.exit(0x" + "f" * 3800 + ")\n{right}", None),
    ("{wrong}%time raise ValueError('\\ud800')\n{right}", None),
    ("{wrong}for _ in range(1):\n    %time raise ValueError('\\ud800')\n{right}", None),
    ("%pdb on\n{wrong}%time 1/0\n{right}", None),
    ("{wrong}for _ in range(1):\n    %time 1/0\n{right}", "%pdb on"),
    ("{wrong}check()\n{right}", "def check():\n    %time raise ValueError(0x" + "f" * 3800 + ")\n"),
    # review 414: a SyntaxError shown apart (unguarded), `%pdb` turned on in pieces of a string, or above a helper
    ("{wrong}%time raise SyntaxError('m', 'abcd')\n{right}", None),
    ("{wrong}for _ in range(1):\n    %time raise IndentationError('m', 'abcd')\n{right}", None),
    ("{wrong}%time raise ValueError('x')\n{right}", "get_ipython().run_line_magic('p' 'db', 'on')"),
    ("{wrong}%time raise ValueError('x')\n{right}", "get_ipython().run_line_magic('p\\x64b', 'on')"),
    ("%pdb on\n{wrong}check()\n{right}", "def check():\n    %time raise ValueError('checked')\n"),
    ("{wrong}check()\n{right}", "%pdb on\ndef check():\n    %time raise ValueError('checked')\n"),
])
def test_time_catches_only_what_it_can_show(answers, above):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(answers.format(wrong=wrong, right=f"{_NAMES} = {_RIGHT_VALUES}\n"), above=[above] if above else [])
    rows = answer_rows(c)
    assert not any(r.passed for r in rows), [r.message for r in rows]
    assert "raised:answers-3-3" in c.flags and not any(f.startswith("grader-error") for f in c.flags), c.flags


@pytest.mark.parametrize("between", ["from __future__ import annotations\nimport asyncio\nawait asyncio.sleep(0)\n",
                                     "global a_\nimport asyncio\nawait asyncio.sleep(0)\n"])
def test_an_await_in_a_cell_that_does_not_compile_whole_does_not_run(between):
    """Review 414: IPython runs a cell on its event loop only where the whole cell compiles with top-level `await`; a
    `from __future__` import below the cell's top, or `global a_` after `a_ = ...`, compile statement by statement but
    not whole, and the first `await` then raised a RuntimeError (Run All stopped with the first answers; 10/10)."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{wrong}{between}{_NAMES} = {_RIGHT_VALUES}\n")
    assert not any(r.passed for r in answer_rows(c))


@pytest.mark.parametrize("above,call", [
    # a fairness review, 415: honest spellings read as stops or unknown: `%autoawait` turning it on or showing it, the word
    # `auto` before an `await`, a comment; a call of the notebook's `exit` with keywords its `def` takes; `return await`
    (["%autoawait asyncio"], "import asyncio\nawait asyncio.sleep(0)"),
    (["# IPython runs top-level code with auto await"], "import asyncio\nprint('auto')\nawait asyncio.sleep(0)"),
    (["def exit(code=0):\n    print('finished with', code)\n"], "exit(code=0)"),
    (["def exit(msg, *, code=0):\n    print(msg, code)\n"], "exit('x', code=1)"),
    (["import asyncio\nasync def fetch(x):\n    return await asyncio.sleep(0.01, result=x)\n"], "acc = await fetch(0.9)"),
])
def test_honest_awaits_and_exits_between_two_tries_keep_the_correction(above, call):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{wrong}{call}\n{_NAMES} = {_RIGHT_VALUES}\n", above=above)
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert not [f for f in c.flags if f.startswith(("raised", "exec"))], (c.flags, c.details)


@pytest.mark.parametrize("answers,above", [
    # review 416: IPython's loop runner set (autoawait's other switch), `exit` deleted after its `def` above or by a
    # magic, Python's digits limit lowered above a long number, a list iterated by `async for`, a file by `async with`
    ("{wrong}import asyncio\nawait asyncio.sleep(0)\n{right}", ["get_ipython().loop_runner = 'sync'"]),
    ("{wrong}import asyncio\nawait asyncio.sleep(0)\n{right}", ["get_ipython().set_trait('loop_runner', 'sync')"]),
    ("{wrong}exit('checked')\n{right}", ["def exit(msg):\n    print(msg)\n", "del exit"]),
    ("{wrong}exit('checked')\n{right}", ["def exit(msg):\n    print(msg)\n", "%reset_selective -f exit"]),
    ("%reset_selective -f exit\n{wrong}exit('checked')\n{right}", ["def exit(msg):\n    print(msg)\n"]),
    ("{right}n = 1" + "0" * 700 + "\n", ["import sys\nsys.set_int_max_str_digits(640)"]),
    ("{wrong}%time raise ValueError(0x" + "f" * 600 + ")\n{right}", ["import sys\nsys.set_int_max_str_digits(640)"]),
    ("{wrong}xs = [x async for x in [1]]\n{right}", []),
    ("{wrong}async with open('x.txt', 'w') as f:\n    pass\n{right}", []),
])
def test_what_review_416_ran_past_the_reading_is_read(answers, above):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(answers.format(wrong=wrong, right=f"{_NAMES} = {_RIGHT_VALUES}\n"), above=above)
    assert not any(r.passed for r in answer_rows(c)), [r.message for r in answer_rows(c)]


_FETCH = "import asyncio\n\nasync def fetch(x):\n    await asyncio.sleep(0)\n    return x\n"
_SAYS_EXIT = "def exit(msg='done'):\n    print(msg)\n"
_CLOSES = "import matplotlib.pyplot as plt\n\ndef quit():\n    plt.close('all')\n"
_LONG = "1" + "0" * 700


@pytest.mark.parametrize("answers,above,below", [
    # a fairness review, 418: the word autoawait where it turns nothing off (a comment after the code, a docstring,
    # what `print` shows, the setting read or turned on, a function of the notebook's called `loop_runner`), or in a
    # cell below the answers (Jupyter runs them first): each read as autoawait off, 0/10 with `raised:`
    ("{wrong}import asyncio\nawait asyncio.sleep(0)  # top-level await works thanks to autoawait\n{right}", [], []),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH + "r = await fetch(0)  # IPython's autoawait runs this\n"], []),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH.replace("    await", '    """Await it at the top level (IPython '
                                                                       'autoawait)."""\n    await', 1)], []),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "get_ipython().run_line_magic('autoawait', 'asyncio')\n"], []),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "print('top-level await: ' + 'IPython autoawait')\n"], []),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "def loop_runner(n):\n    yield from range(n)\n"], []),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH], ["%autoawait False\n"]),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH], ["r2 = await fetch(2)  # autoawait again\n"]),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH + "%time r0 = 1  # autoawait runs the awaits\n"], []),
    # ... the notebook's own `exit` or `quit`, defined again, beside a method or a local of that name, after a star
    # import of a module that has none (the last `def` above is the one called): each 0/10 as Python's own bound again
    ("{wrong}exit()\n{right}", ["def exit():\n    print('v1')\n", "def exit():\n    print('v2')\n"], []),
    ("{wrong}exit('checked')\n{right}", [_SAYS_EXIT + "\n" + _SAYS_EXIT], []),
    ("{wrong}exit('checked')\n{right}", ["class App:\n    def exit(self):\n        print(1)\n\n" + _SAYS_EXIT], []),
    ("{wrong}exit('checked')\n{right}", ["def run():\n    exit = 3\n    return exit\n\n" + _SAYS_EXIT], []),
    ("{wrong}exit('checked')\n{right}", [_SAYS_EXIT, "xs = [exit for exit in range(3)]\n"], []),
    ("{wrong}quit()\n{right}", ["from math import *\n", _CLOSES], []),
    ("{wrong}quit()\n{right}", [_CLOSES, "from sys import *\nprint(version)\n"], []),
    ("{wrong}exit(*[1, 2])\n{right}", ["def exit(*codes):\n    print(codes)\n"], []),
    # ... Python's digits limit raised or only read above a long number, or the number in a comment, a string or
    # written in hexadecimal (which the limit leaves alone): read as refused
    ("{right}big = " + _LONG + "\n", ["import sys\nsys.set_int_max_str_digits(0)  # no limit\n"], []),
    ("{right}big = " + _LONG + "\n", ["import sys\nprint(sys.get_int_max_str_digits())\n"], []),
    ("{right}# 2**2325 = " + _LONG + "\n", ["import sys\nsys.set_int_max_str_digits(640)\n"], []),
    ("{right}s = '" + _LONG + "'\n", ["import sys\nsys.set_int_max_str_digits(640)\n"], []),
    ("{right}mask = 0x" + "1" * 700 + "\n", ["import sys\nsys.set_int_max_str_digits(640)\n"], []),
])
def test_honest_notebooks_of_review_418_keep_their_answers(answers, above, below):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(answers.format(wrong=wrong, right=f"{_NAMES} = {_RIGHT_VALUES}\n"), above=above, below=below)
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert "raised:answers-3-3" not in c.flags, (c.flags, c.details)


@pytest.mark.parametrize("answers,above", [
    # ... and what still turns autoawait off, or makes the call stop, or lowers the limit, where it does
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "get_ipython().autoawait = False  # autoawait off\n"]),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "setattr(get_ipython(), 'autoawait', False)\n"]),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "x = %autoawait False\n"]),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "print(exec('get_ipython().auto' 'await = False'))\n"]),
    ("get_ipython().autoawait = False\n{wrong}r = await fetch(1)\n{right}", [_FETCH]),
    ("{wrong}exit('checked')\n{right}", [_SAYS_EXIT, "import sys\nexit = sys.exit\n"]),
    ("{wrong}exit(*[])\n{right}", ["def exit(code, *more):\n    print(code)\n"]),
    ("{wrong}exit('checked')\n{right}", [_SAYS_EXIT, "from sys import *\n"]),
    ("{wrong}exit('checked')\n{right}", [_SAYS_EXIT, "def exit(msg=''):\n    raise SystemExit(msg)\n"]),
    ("{wrong}exit('checked')\n{right}", ["def exit(msg=''):\n    raise SystemExit(msg)\n", _SAYS_EXIT,
                                          "def f():\n    global exit\n    exit = quit\n"]),
    ("{wrong}exit('checked')\n{right}", ["class App:\n    def exit(self):\n        pass\n\n"
                                          "def exit(msg=''):\n    raise SystemExit(msg)\n"]),
    ("{right}big = " + _LONG + "\n", ["from sys import set_int_max_str_digits as limit\nlimit(640)\n"]),
    ("{right}big = " + _LONG + "\n", ["import sys\nn = 640\nsys.set_int_max_str_digits(n)\n"]),
    ("{right}big = " + _LONG + "\n", ["exec('import sys; sys.set_int_max_str_digits(640)')\n"]),
])
def test_what_review_418_narrowed_still_reads_what_stops(answers, above):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(answers.format(wrong=wrong, right=f"{_NAMES} = {_RIGHT_VALUES}\n"), above=above)
    assert not all(r.passed for r in answer_rows(c)), (c.flags, c.details)


@pytest.mark.parametrize("answers,above", [
    # review 419, after review 418's narrowing: another runner than asyncio's (IPython imports it or takes it from the
    # notebook's names), `print` bound again to what runs text, a docstring run, a walrus in a default, a decorator or a
    # base after the notebook's `def exit`, a long number with underscores or in an f-string, the limit's name in pieces
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "%autoawait trio\n"]),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "%autoawait curio\n"]),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "globals()['1'] = asyncio.run\n", "%autoawait 1\n"]),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "print = exec\nprint('get_ipython().autoawait = False')\n"]),
    ("{wrong}r = await fetch(1)\n{right}", [_FETCH, "def settings():\n    'get_ipython().autoawait = False'\n\n"
                                                     "exec(settings.__doc__)\n"]),
    ("{wrong}exit('checked')\n{right}", [_SAYS_EXIT, "import sys\n\ndef log(msg, stop=(exit := sys.exit)):\n    pass\n"]),
    ("{wrong}exit('checked')\n{right}", [_SAYS_EXIT, "import sys\n\n@((exit := sys.exit) and (lambda f: f))\n"
                                                      "def g():\n    pass\n"]),
    ("{wrong}exit('checked')\n{right}", [_SAYS_EXIT, "import sys\n\nclass Log((exit := sys.exit) and object):\n    pass\n"]),
    ("{wrong}quit()\n{right}", [_CLOSES, "import sys\nlog = lambda m, stop=(quit := sys.exit): print(m)\n"]),
    ("{right}big = 1" + "_000" * 240 + "\n", ["import sys\nsys.set_int_max_str_digits(640)\n"]),
    ("{right}print(f'{{" + _LONG + "}}')\n", ["import sys\nsys.set_int_max_str_digits(640)\n"]),
    ("{right}big = " + _LONG + "\n", ["import sys\ngetattr(sys, 'set_int_max_' + 'str_digits')(640)\n"]),
])
def test_what_review_419_ran_past_the_narrowed_reading_is_read(answers, above):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(answers.format(wrong=wrong, right=f"{_NAMES} = {_RIGHT_VALUES}\n"), above=above)
    assert not any(r.passed for r in answer_rows(c)), (c.flags, c.details)


@pytest.mark.parametrize("turned_off", ["get_ipython().run_line_magic('auto' 'await', 'False')",
                                        "get_ipython().run_line_magic('auto' + 'await', 'False')",
                                        # ... or an escape in the string (review 414)
                                        "get_ipython().run_line_magic('autoa\\x77ait', 'False')"])
def test_autoawait_turned_off_in_pieces_of_a_string_is_read(turned_off):
    """Review 413: the word split across two string literals turned autoawait off unseen; an `await` between two tries
    then stopped Jupyter's Run All (a SyntaxError for the whole cell), graded 10/10."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{wrong}import asyncio\nawait asyncio.sleep(0)\n{_NAMES} = {_RIGHT_VALUES}\n", above=[turned_off])
    assert not any(r.passed for r in answer_rows(c))


def test_time_in_a_block_compiles_under_the_cells_features():
    """Review 412: `from __future__ import barry_as_FLUFL` at the top of the answers cell, then `%time 1 != 2` in a loop
    between two tries: IPython compiles `%time`'s text with the features in force, a SyntaxError there (Run All stops
    with the first answers); read as caught, 10/10 unflagged."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"from __future__ import barry_as_FLUFL\n{wrong}for _ in range(1):\n    %time 1 != 2\n"
                        f"{_NAMES} = {_RIGHT_VALUES}\n")
    assert not any(r.passed for r in answer_rows(c)) and "raised:answers-3-3" in c.flags, (c.flags, c.details)


@pytest.mark.parametrize("magic,stops", [
    # review 402: `%timeit` code runs in a function of its own and `%prun`'s one-line loop is a block: a statement in
    # them that surely stops stops the cell (Jupyter ended with the wrong answers above it; graded 10/10 unflagged)
    ("%timeit -q -n1 -r1 raise ValueError", True),
    ("%timeit -n1 -r1 1/0", True),
    ("%timeit -n1 -r0 pass", True),
    ("%prun -q for _ in [0]: raise ValueError", True),
    # ... not what runs and goes on
    ("%timeit -n1 -r1 x = 1", False),
    ("%prun -q for _ in [0]: x = 1", False),
])
def test_magic_code_that_surely_stops_leaves_the_answers_around_it_unknown(magic, stops):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{wrong}{magic}\n{_NAMES} = {_RIGHT_VALUES}\n")
    rows = answer_rows(c)
    assert all(r.passed is not stops for r in rows), [r.message for r in rows]
    assert ("raised:answers-3-3" in c.flags) is stops, (c.flags, c.details)
    if stops:
        assert all("may stop there or go on" in r.message for r in rows), [r.message for r in rows]


def _training_with(code: str) -> list:
    """The solution's cells with ``code`` appended to the training cell (a cell above the answers)."""
    return [(cid, kind, src + "\n\n" + code if cid == "train-and-test" else src) for cid, kind, src in SOLUTION]


@pytest.mark.parametrize("helper,stops", [
    # review 402: a function defined in a cell above (the training cell here) whose call surely stops, called between
    # the wrong answers and the right ones: Jupyter stopped there and ended with the wrong ones; graded 10/10 unflagged
    ("def check_answers():\n    raise SystemExit\n", True),
    ("def check_answers():\n    import sys\n    sys.exit()\n", True),
    ("def check_answers():\n    return 1 / 0\n", True),
    ("def stop():\n    assert False\ndef check_answers():\n    stop()\n", True),
    # ... not one that may return, nor one a later cell above defines again
    ("def check_answers():\n    print('checked')\n", False),
    ("def check_answers():\n    raise SystemExit\ndef check_answers():\n    print('checked')\n", False),
])
def test_a_function_from_a_cell_above_that_surely_stops_stops_the_answers_cell(helper, stops):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = Context(SPEC, notebook({"answers-3-3": f"{wrong}check_answers()\n{_NAMES} = {_RIGHT_VALUES}\n"},
                               base=_training_with(helper)), TEMPLATE, True)
    rows = answer_rows(c)
    assert all(r.passed is not stops for r in rows), [r.message for r in rows]
    assert ("raised:answers-3-3" in c.flags) is stops, (c.flags, c.details)
    if stops:
        assert any("`check_answers()`" in d and "stops Jupyter's Run All there" in d for d in c.details), c.details


def test_a_function_that_calls_one_of_another_cell_that_surely_stops_stops_the_answers_cell():
    """Review 402's helper, in two cells above: `def g(): f()` where `f` raises in another cell."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{wrong}g()\n{_NAMES} = {_RIGHT_VALUES}\n",
                        above=["def f():\n    raise SystemExit('done')\n", "x = 1\n", "def g():\n    f()\n"])
    assert not any(r.passed for r in answer_rows(c))
    assert "raised:answers-3-3" in c.flags, (c.flags, c.details)


@pytest.mark.parametrize("above,graded", [
    # a fairness review, 410: `exit` or `quit` of the notebook's own, defined plainly in a cell above, called between
    # two tries: read as a name of Python's own bound again (0/10, "whether Jupyter stops at that line is not known")
    (["def exit(msg='done'):\n    print('---', msg, '---')\n"], "right"),
    (["def quit(msg=''):\n    print('bye', msg)\n"], "right"),
    # ... one that surely stops is a stop
    (["def exit(msg='done'):\n    raise SystemExit(msg)\n"], "wrong"),
    # ... and one bound again in another cell above, or decorated, is still not known (IPython's, `sys.exit`, ...)
    (["def exit(msg='done'):\n    print(msg)\n", "import sys\nexit = sys.exit\n"], "neither"),
    (["def exit(msg='done'):\n    print(msg)\n", "from sys import exit\n"], "wrong"),
    (["def exit(msg='done'):\n    print(msg)\nexit = sys.exit\n"], "neither"),
    (["@functools.cache\ndef exit(msg='done'):\n    print(msg)\n"], "neither"),
    # ... or bound again by a star import (review 412: `from sys import *` above, or in the answers cell), or imported
    # from `sys` in the answers cell (older: the cell's own import was read as the function above)
    (["def exit(msg='done'):\n    print(msg)\n", "from sys import *\n"], "neither"),
    # ... and one that calls a helper a later cell above defines, which surely stops (review 414)
    (["def exit(msg='done'):\n    check(msg)\n", "def check(msg):\n    raise SystemExit(msg)\n"], "wrong"),
])
def test_an_exit_of_the_notebooks_own_from_a_cell_above_is_its_function(above, graded):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{wrong}{above[0].split('(')[0].split()[-1]}('first guess stored')\n{_NAMES} = {_RIGHT_VALUES}\n",
                        above=above)
    rows = answer_rows(c)
    passed = {r.check for r in rows if r.passed}
    assert passed == (set(key) if graded == "right" else set()), [r.message for r in rows]
    if graded == "neither":
        assert all("name of Python's own" in r.message for r in rows), [r.message for r in rows]


@pytest.mark.parametrize("helper,flagged", [
    # review 402: magic lines in a function of another cell, called at the answers cell's end: IPython's `%timeit`
    # copies the function's names (its arguments' defaults too) into the notebook's and puts nothing back where the
    # statement raises; `%reset_selective`, `%reset`, `%xdel`, `%run -i` set or unset them (10/10 unflagged where
    # Jupyter ended with 0/10 or none)
    ("def check(a_=False, b_=True, c_=False, d_=False, e_=True):\n    try:\n        %timeit -n1 -r1 1/0\n"
     "    except ZeroDivisionError:\n        pass\n", True),
    ("def check():\n    %reset_selective -f ^[a-e]_\n", True),
    ("def check():\n    %reset -f\n", True),
    ("def check():\n    %xdel a_\n", True),
    ("def check():\n    with open('notes.py', 'w') as f:\n        f.write('a_ = False')\n    %run -i notes.py\n", True),
    ("def check():\n    get_ipython().run_line_magic('reset', '-f')\n", True),
    # ... not a timing of the function's own names, nor magics that set no answer
    ("def check(n=100):\n    %timeit -n1 -r1 sum(range(n))\n", False),
    ("def check():\n    %store results\n", False),
    ("def check():\n    %xdel -n tmp\n", False),
])
def test_magic_lines_in_a_function_of_another_cell_called_after_the_answers_are_flagged(helper, flagged):
    c = Context(SPEC, notebook({"answers-3-3": f"{_NAMES} = {_RIGHT_VALUES}\ncheck()\n"}, base=_training_with(helper)),
                TEMPLATE, True)
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]      # the literals are graded, a TA is told
    assert ("exec:answers-3-3" in c.flags) is flagged, (c.flags, c.details)
    if flagged:
        assert any("may set an answer without naming it (`check` on" in d for d in c.details), c.details


@pytest.mark.parametrize("answers,flagged", [
    # a fairness review, 403: a top-level `await` runs while autoawait is on (as IPython starts, and no cell turns it
    # off); it was flagged `raised:` as a stop, in the answers cell above the answers or below them
    ("import asyncio\nawait asyncio.sleep(0)\n{right}", False),
    ("{right}async def fetch():\n    return 1\nprint(await fetch())\n", False),
    # ... nor between a first try and a correction (a fairness review, 410: both read as unknown, 0/10)
    ("{wrong}import asyncio\nawait asyncio.sleep(0)  # let the plots finish\n{right}", False),
    ("{wrong}async with lock:\n    pass\n{right}", False),
    # ... where a line turns autoawait off, it is the syntax error it then is
    ("%autoawait False\nimport asyncio\nawait asyncio.sleep(0)\n{right}", True),
])
def test_a_top_level_await_in_the_answers_cell_is_no_stop_while_autoawait_is_on(answers, flagged):
    wrong = ", ".join(str(not SPEC.answer_key()[n]) for n in sorted(SPEC.answer_key()))
    c = _around_answers(answers.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n", wrong=f"{_NAMES} = {wrong}\n"))
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert ("raised:answers-3-3" in c.flags) is flagged, (c.flags, c.details)


@pytest.mark.parametrize("above,stops", [
    # a fairness review, 403: an `except*` handler matches what the group holds, which the raise does not spell
    ("try:\n    raise ExceptionGroup('eg', [ValueError(1)])\nexcept* ValueError:\n    print('caught')", False),
    ("try:\n    raise ExceptionGroup('eg', [ValueError(1)])\nexcept* ValueError:\n    raise", True),
    ("try:\n    raise ValueError(1)\nexcept KeyError:\n    print('caught')", True),
    # ... while what is no group is matched as `except` matches it (review 405: `raise KeyError` under `except*
    # ValueError:`, `sys.exit()` under `except* Exception:`, read as caught)
    ("try:\n    raise KeyError('draft')\nexcept* ValueError:\n    pass", True),
    ("import sys\ntry:\n    sys.exit()\nexcept* Exception:\n    pass", True),
])
def test_a_cell_above_whose_try_may_catch_what_it_raises_is_no_stop(above, stops):
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", above=[above])
    assert all(r.passed for r in answer_rows(c))
    assert ("raised:answers-3-3" in c.flags) is stops, (c.flags, c.details)


_BENCH = ("def bench(a_=False, b_=True):\n    try:\n        %timeit -n1 -r1 1/0\n    except ZeroDivisionError:\n"
          "        pass\n")


@pytest.mark.parametrize("answers,below,lost,flag", [
    # a fairness review, 409: a function holding `%timeit` whose arguments are named as answers, left from
    # experimenting and never called, cost them (IPython copies the names only when the function runs)
    ("{right}" + _BENCH, [], 0, None),
    ("{right}", [_BENCH], 0, None),
    # ... while called in the answers cell it leaves them in the notebook where the statement raises (review 402)
    ("{right}" + _BENCH + "bench()\n", [], 2, None),
    # ... and called from a cell below, a TA is told (the literals are graded)
    ("{right}" + _BENCH, ["bench()"], 0, "exec:answers-3-3"),
])
def test_a_function_with_a_timeit_line_binds_the_answers_only_where_it_runs(answers, below, lost, flag):
    c = _around_answers(answers.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n"), below=below)
    rows = answer_rows(c)
    assert sum(not r.passed for r in rows) == lost, [r.message for r in rows]
    assert (flag in c.flags) if flag else not any(f.startswith(("exec", "moved", "raised")) for f in c.flags), c.flags


def test_name_bound_again_above_leaves_the_main_test_unknown():
    """Review 408: `__name__ = 'assignment7'` in a cell above, then the right answers, `if __name__ == '__main__':
    raise SystemExit` and the wrong ones: Jupyter went on and ended with the wrong ones; the test was read as true,
    the right ones kept (10/10). A name of Python's own bound again above leaves the answers around it unknown."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\nif __name__ == '__main__':\n    raise SystemExit\n{wrong}",
                        above=["__name__ = 'assignment7'"])
    assert not any(r.passed for r in answer_rows(c))


@pytest.mark.parametrize("below,flagged", [
    # a fairness review, 409: a magic line in a function below the answers that nothing calls sets nothing (a helper
    # left from debugging was flagged `exec:`)
    (["def clear():\n    %reset -f\n"], False),
    (["def load_saved():\n    %store -r\n"], False),
    (["class Nb:\n    def wipe(self):\n        %reset -f\n"], False),
    # ... while a call of it, in that cell or another, or a method named again, is flagged as before
    (["def clear():\n    %reset -f\nclear()"], True),
    (["class Nb:\n    def wipe(self):\n        %reset -f\n", "Nb().wipe()"], True),
    (["DEBUG = False\ndef clear():\n    %reset -f\nif DEBUG:\n    clear()"], True),
])
def test_a_magic_line_in_a_function_below_the_answers_counts_where_the_function_is_named(below, flagged):
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=below)
    assert all(r.passed for r in answer_rows(c))
    assert ("exec:answers-3-3" in c.flags) is flagged, (c.flags, c.details)


@pytest.mark.parametrize("between", [
    # review 405: a test that is a literal one in a notebook (its code runs as `__main__`), and `assert` of a `:=` of a
    # false literal: each stopped Jupyter between the wrong answers and the right ones, graded 10/10 unflagged
    "import sys\nif __name__ == '__main__':\n    sys.exit()\n",
    "assert __name__ != '__main__'\n",
    "assert (ready := 0), 'not ready'\n",
])
def test_a_stop_behind_a_test_that_is_literal_in_a_notebook_stops_the_answers_cell(between):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{wrong}{between}{_NAMES} = {_RIGHT_VALUES}\n")
    assert not any(r.passed for r in answer_rows(c))
    assert "raised:answers-3-3" in c.flags, (c.flags, c.details)


@pytest.mark.parametrize("answers,below", [
    # review 405: a `:=` inside an assignment's target (a subscript's key) binds the name: all five set wrong in
    # Jupyter, read as reading them (10/10 unflagged)
    ("{right}x = {{}}\nx[(a_ := False), (b_ := True), (c_ := False), (d_ := False), (e_ := True)] = 1\n", []),
    ("{right}seen = {{}}\nseen[(a_ := False), (b_ := True), (c_ := False), (d_ := False), (e_ := True)]: bool\n", []),
    ("{right}", ["log = {}\nlog[(a_ := False), (b_ := True), (c_ := False), (d_ := False), (e_ := True)] = 'checked'"]),
])
def test_a_walrus_inside_an_assignments_target_binds_the_answer(answers, below):
    c = _around_answers(answers.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n"), below=below)
    rows = answer_rows(c)
    assert not any(r.passed for r in rows) or any(f.startswith(("moved", "exec")) for f in c.flags), \
        ([r.message for r in rows], c.flags)


@pytest.mark.parametrize("loop,known", [
    ("opts = [0]\nfor o in opts:\n    opts.insert(0, o)\n", False),
    ("for i in range(10000):\n    for j in range(10000):\n        pass\n", False),
    ("draft = {'a': 1}\nfor k, v in draft.items():\n    print(k, v)\n", True),
    ("for i in range(1000):\n    for j in range(1000):\n        pass\n", True),     # a fraction of a second (318)
])
def test_an_answer_set_around_a_loop_that_may_not_end_is_unknown(loop, known):
    """Review 310: the wrong answers, a loop over a list it grows (or three nested `range(10000)`), then the right
    ones: Jupyter never got past the loop and ended with the wrong ones; the right ones were graded."""
    wrong = f"a_ = {not SPEC.answer_key()['a_']}\n"
    rows = answer_rows(_around_answers(f"{wrong}{loop}{_NAMES} = {_RIGHT_VALUES}\n"))
    assert rows[0].passed is known and all(r.passed for r in rows[1:]), [r.message for r in rows]
    if not known:
        line = 3 if loop.startswith("opts") else 2
        assert f"`a_` is set more than once, in or above the loop on line {line} and below it, which may not end" in \
            rows[0].message, rows[0].message


@pytest.mark.parametrize("test", ["True", "not False", "1 == 1", "(0, 1)"])
def test_a_raise_in_a_branch_that_surely_runs_stops_the_cell_above_the_answers(test):
    """Review 302: `if True: raise ValueError` above the answers stopped Run All before them (Jupyter ended with
    none); they were graded as written, unflagged. Now it is the stop a plain `raise` is: answers set nowhere
    above are graded as written and flagged `raised:` (the README's rule), and one set above it counts. Review
    303: so with a test of literals that is not one literal (`if not False:`)."""
    c = _around_answers(f"if {test}:\n    raise ValueError\n{_NAMES} = {_RIGHT_VALUES}\n")
    answer_rows(c)
    assert "raised:answers-3-3" in c.flags, c.flags
    wrong = f"a_ = {not SPEC.answer_key()['a_']}\n"
    rows = answer_rows(_around_answers(f"{wrong}if {test}:\n    raise ValueError\n{_NAMES} = {_RIGHT_VALUES}\n"))
    assert not rows[0].passed and all(r.passed for r in rows[1:]), [r.message for r in rows]
    c = _around_answers(f"if {test}:\n    raise ValueError\n{_NAMES} = {_RIGHT_VALUES}\n")
    answer_rows(c)       # the detail says which lines to delete: the whole block, not its first line alone
    assert any("delete lines 1 to 2 " in d for d in c.details), c.details
    c = _around_answers(f"if not ({test}):\n    raise ValueError\n{_NAMES} = {_RIGHT_VALUES}\n")
    assert all(r.passed for r in answer_rows(c)) and not any(f.startswith("raised:") for f in c.flags), c.flags


@pytest.mark.parametrize("stop", ["import sys as s\ns.exit()", "from os import _exit as bye\nbye(0)",
                                  "import os as o\no.abort()", "while not False:\n    pass", "assert not True",
                                  # a block every way through which stops (a fairness review, 312, read blocks so)
                                  "if len([]):\n    raise ValueError\nelse:\n    raise KeyError",
                                  # ... and (review 313) a `match` catching all, a `try`'s `else`, a handler raising
                                  # again, a loop's `else`
                                  "match 0:\n    case _:\n        raise ValueError('stop')",
                                  "try:\n    pass\nexcept Exception:\n    pass\nelse:\n    raise ValueError('stop')",
                                  "try:\n    raise ValueError\nexcept ValueError:\n    raise",
                                  "for _ in []:\n    pass\nelse:\n    raise ValueError('stop')",
                                  "while False:\n    pass\nelse:\n    raise ValueError('stop')",
                                  # ... and (review 315) a test of any literal, a small range, a handler that cannot
                                  # catch it, a case that surely matches, a `break` of an inner loop
                                  "if ...:\n    raise ValueError", "assert 0j", "for _i in range(1):\n    raise ValueError",
                                  "try:\n    raise ValueError\nexcept TypeError:\n    pass",
                                  "match 0:\n    case 0:\n        raise ValueError",
                                  "for _x in [1]:\n    for _y in ():\n        break\n    raise ValueError",
                                  # ... and (review 317) what runs at once: a lambda's default, what follows `True and`,
                                  # a comprehension's first iterable, a block's header; a literal as an exception
                                  # class; `sys.exit` under `except Exception` (SystemExit is no Exception: 318)
                                  "_ = lambda x=1/0: x", "_ = True and 1/0", "print(False or 1/0)",
                                  "_ = [x for x in 1/0]", "for _ in [1/0]:\n    pass", "if 1/0:\n    pass",
                                  "try:\n    raise ValueError\nexcept 5:\n    pass",
                                  "import sys\ntry:\n    sys.exit(0)\nexcept Exception:\n    pass"])
def test_a_stop_spelled_otherwise_stops_the_cell_above_the_answers(stop):
    # (the answers set only below it are graded as written and flagged, the README's rule for a cell that stops)
    """Review 303: `import sys as s` and `s.exit()` between a wrong answer and the right one: Jupyter ends with the
    wrong one, the grader read the right one."""
    wrong = f"a_ = {not SPEC.answer_key()['a_']}\n"
    c = _around_answers(f"{wrong}{stop}\n{_NAMES} = {_RIGHT_VALUES}\n")
    rows = answer_rows(c)
    assert not rows[0].passed and all(r.passed for r in rows[1:]), [r.message for r in rows]
    assert "raised:answers-3-3" in c.flags, c.flags


@pytest.mark.parametrize("line", ["_ = True or 1/0", "_ = 1 if 1 else 1/0", "exit(keep_kernel=True)", "exit()", "quit()",
                                  "import contextlib\nwith contextlib.suppress(ValueError):\n    raise ValueError",
                                  # review 317: an import in a function binds a local; a builtin's name bound again
                                  "def _unused():\n    from os import _exit as print\nprint()",
                                  "TypeError = Exception\ntry:\n    raise ValueError\nexcept TypeError:\n    pass",
                                  "import sys\ntry:\n    sys.exit()\nexcept SystemExit:\n    pass",
                                  # review 319: a name an import binds, a handler's class and a case's guard run only
                                  # sometimes, a `sys` of the cell's own
                                  "import math as ValueError\ntry:\n    raise ValueError\nexcept TypeError:\n    pass",
                                  "try:\n    pass\nexcept 1/0:\n    pass", "match 1:\n    case 2 if 1/0:\n        pass",
                                  "class sys:\n    def exit():\n        pass\nsys.exit()"])
def test_a_line_that_runs_on_is_no_stop_between_two_tries(line):
    """Review 315: the right answers, then a line read as a stop, then wrong ones: Jupyter ran on and ended with the
    wrong ones, graded right and flagged `raised:` with "Jupyter never gets there". A bare `exit()` is IPython's in a
    kernel: it asks the front end to close and returns (nbclient ran the lines below it, and the cells after)."""
    wrong = f"a_ = {not SPEC.answer_key()['a_']}\n"
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{line}\n{wrong}")
    rows = answer_rows(c)
    assert not rows[0].passed and all(r.passed for r in rows[1:]), [r.message for r in rows]
    assert not any(f.startswith("raised:") for f in c.flags), c.flags


@pytest.mark.parametrize("line", ["x: 1/0", "def f(x: 1/0) -> 1/0:\n    pass"])
def test_an_annotation_python_does_not_evaluate_is_no_stop(line):
    """Review 317: `x: 1/0` under `from __future__ import annotations` read as a stop between the right answers and
    wrong ones; Python never evaluates it, and Jupyter ended with the wrong ones (a function's too)."""
    wrong = f"a_ = {not SPEC.answer_key()['a_']}\n"
    c = _around_answers(f"from __future__ import annotations\n{_NAMES} = {_RIGHT_VALUES}\n{line}\n{wrong}")
    rows = answer_rows(c)
    assert not rows[0].passed and not any(f.startswith("raised:") for f in c.flags), (rows[0].message, c.flags)


@pytest.mark.parametrize("stop", ["class _C:\n    raise ValueError", "import sys\nclass _C:\n    sys.exit()",
                                  "while 1:\n    try:\n        break\n    finally:\n        continue"])
def test_a_class_body_and_a_break_undone_by_finally_stop_the_cell(stop):
    """Review 320: `class C: raise ValueError` between the wrong answers and the right ones (a class's body runs
    where it stands), and `while 1:` whose `break` a `finally: continue` undoes: Jupyter ended with the wrong ones,
    the right ones were graded, unflagged."""
    wrong = f"a_ = {not SPEC.answer_key()['a_']}\n"
    c = _around_answers(f"{wrong}{stop}\n{_NAMES} = {_RIGHT_VALUES}\n")
    rows = answer_rows(c)
    assert not rows[0].passed and all(r.passed for r in rows[1:]), [r.message for r in rows]
    assert "raised:answers-3-3" in c.flags, c.flags


@pytest.mark.parametrize("feature,lazy", [
    ("%prun from __future__ import annotations", False), ("%%prun\nfrom __future__ import annotations", False),
    ("%time from __future__ import annotations", True), ("%%capture\nfrom __future__ import annotations", True),
    ("%timeit -n1 -r1 from __future__ import annotations", True),
    ("%%timeit -n1 -r1\nfrom __future__ import annotations", True),
    ("%%timeit -n1 -r1 from __future__ import annotations\npass", True),
    ("%timeit -n -1 from __future__ import annotations", True),
    # review 321: the magic line `%timeit` runs (IPython compiles a call of the shell's, which compiles the line's
    # code when it runs), as often as it runs it
    ("%timeit -n1 -r1 %time from __future__ import annotations", True),
    ("%timeit -n1 -r1 %timeit -n1 -r1 %time from __future__ import annotations", True),
    ("%%timeit -n1 -r1\n%time from __future__ import annotations", True),
    ("%timeit -n -1 %time from __future__ import annotations", False),
    ("%timeit -n1 -r1 %prun from __future__ import annotations", False)])
@pytest.mark.parametrize("where", ["above", "in the cell"])
def test_a_feature_a_magic_imports_counts_where_ipython_keeps_it(feature, lazy, where):
    """Review 320: `%prun from __future__ import annotations` in a cell above was read as making `x: 1/0 = 1` lazy;
    `%prun` runs its code through `exec`, which keeps no feature, and Jupyter stopped there. `%time`, `%%capture`,
    and `%timeit` (which compiles its statement with the kernel's compiler to check it, even where the timer then
    fails on the import; nbclient showed each) keep it, for the cells below and the rest of the cell; so does a `%time`
    line `%timeit` runs (review 321)."""
    key = SPEC.answer_key()
    first, then = ("a_ = " + str(not key["a_"]), f"{_NAMES} = {_RIGHT_VALUES}") if lazy else \
        (f"{_NAMES} = {_RIGHT_VALUES}", "a_ = " + str(not key["a_"]))
    answers = f"{first}\nx: 1/0 = 1\n{then}\n"
    if where == "above":
        c = _around_answers(answers, above=[feature])
    elif feature.startswith(("%%", "%timeit")):
        return            # a cell magic is a cell of its own; the timer's error stops the cell at a `%timeit` line
    else:
        c = _around_answers(f"{feature}\n{answers}")
    rows = answer_rows(c)
    # lazy: the line runs on and Jupyter ends with the right ones below it; not: it stops there, after the right ones
    assert all(r.passed for r in rows), ([r.message for r in rows], c.flags)
    assert ("raised:answers-3-3" in c.flags) is not lazy, c.flags


@pytest.mark.parametrize("above,line", [
    ("Exception = KeyError", "try:\n    raise ValueError\nexcept Exception:\n    pass"),
    ("ValueError = TypeError", "try:\n    raise ValueError\nexcept TypeError:\n    pass"),
    ("import types\nsys = types.SimpleNamespace(exit=print)", "sys.exit()"),
    # ... stored as an attribute or a key of a namespace by name (a name computed and stored may be any: flagged,
    # below)
    ("import builtins\nbuiltins.Exception = KeyError", "try:\n    raise ValueError\nexcept Exception:\n    pass"),
    ("globals()['Exception'] = KeyError", "try:\n    raise ValueError\nexcept Exception:\n    pass"),
    # ... or by a cell magic given the name
    ("%%capture Exception\nprint(1)", "try:\n    raise ValueError\nexcept Exception:\n    pass"),
    # review 325: the names of Python's own whose meaning the reading takes as given: IPython's `exit()`, which
    # returns, `range`, whose loops end, and the dict an annotated assignment writes to; bound again above, each
    # stopped Jupyter between the tries (also from a graded cell: `from sys import exit` in `train_and_test`'s)
    ("from sys import exit\nexit = print", "exit()"), ("quit = KeyError", "try:\n    quit()\nexcept Exception:\n    pass"),
    ("range = None", "for i in range(2):\n    pass"), ("__annotations__ = 0", "z_: int = 0")])
def test_a_name_of_pythons_own_bound_again_above_leaves_the_answers_around_it_unknown(above, line):
    """Review 320: `Exception = KeyError` in a cell above: `try: raise ValueError except Exception: pass` between the
    wrong answers and the right ones stopped Jupyter (KeyError does not catch it), and the right ones were graded;
    the reverse (`ValueError = TypeError` above) read a stop where Jupyter ran on. What such a line does depends on
    the cell above: the answers set on both sides of it are unknown, and the message says why."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    for first, then in ((wrong, f"{_NAMES} = {_RIGHT_VALUES}\n"), (f"{_NAMES} = {_RIGHT_VALUES}\n", wrong)):
        rows = answer_rows(_around_answers(f"{first}{line}\n{then}", above=[above]))
        assert not any(r.passed for r in rows), [r.message for r in rows]
        assert all("a cell above binds that name of Python's own again" in r.message and "which uses `" in r.message
                   for r in rows), rows[0].message
    # not where the cell above binds nothing of the kind (`import os.path` binds `os` to the module; a name computed
    # and set on an object of an earlier cell, as honest drafts set their options), nor where the answers cell does
    # not use the name
    for honest in (["Exceptions = KeyError"], ["import os.path\nimport sys as system\nfrom os import path"],
                   ["import argparse\nargs = argparse.Namespace()", "for k, v in {'lr': 0.1}.items():\n    setattr(args, k, v)"]):
        rows = answer_rows(_around_answers(f"{wrong}import os\nprint(os.getcwd(), sys.argv, ValueError)\n"
                                           f"{_NAMES} = {_RIGHT_VALUES}\n", above=honest))
        assert all(r.passed for r in rows), [r.message for r in rows]
    rows = answer_rows(_around_answers(f"{wrong}{_NAMES} = {_RIGHT_VALUES}\n", above=[above]))
    assert all(r.passed for r in rows), [r.message for r in rows]


_F351 = "def f(*a):\n    global a_, b_, c_, d_, e_\n    a_, b_, c_, d_, e_ = False, True, False, False, True\n"
_G353 = "def cb(*args):\n    g = globals()\n    if g.get('e_') is False:\n        g.update(a_=False, b_=True, c_=False, d_=False, e_=True)\n"
_T349 = "get_ipython().input_transformers_post.append(lambda L: [l.replace('True', 'False') for l in L])"


@pytest.mark.parametrize("above,flagged", [
    ("from IPython.core.macro import Macro\na_ = Macro('a_, b_, c_, d_, e_ = False, True, False, False, True\\n')", True),
    ("%macro -q Exception 1", True), ("ip = get_ipython()\nip.InteractiveShell.instance()", True),
    ("from IPython.display import display, clear_output\n%matplotlib inline", False), ("import os, sys", False),
    # review 325: an alias IPython runs in place of a one-line cell that starts with its name, a hook on every
    # statement (Python's audit hook) or after every cell (IPython's events, also appended to), and a macro made
    # in an f-string's code
    ("%alias a_ true", True), ("import sys\nsys.addaudithook(lambda event, args: None)", True),
    # review 327: a macro, an alias through IPython's calls or `%rehashx`, a profile hook, the shell compiler's features
    ("get_ipython().define_macro('a_', 'a_ = False')", True), ("get_ipython().run_line_magic('alias', 'a_ true')", True),
    ("%rehashx", True), ("import sys\nsys.setprofile(lambda *a: None)", True),
    ("import __future__\nget_ipython().compile.flags |= __future__.barry_as_FLUFL.compiler_flag", True),
    # review 329: code run through the shell, IPython's core by another import, events held by a name, a signal
    ("get_ipython().run_cell('from __fu' + 'ture__ import barry_as_FLUFL')", True),
    ("from IPython import core\nM = core.macro.Macro", True), ("ev = get_ipython().events\nev.register('x', print)", True),
    ("import signal\nsignal.signal(signal.SIGALRM, print)\nsignal.alarm(1)", True),
    # ... and (a fairness review, 329) an everyday import given another name, a function of the student's called Macro
    ("from IPython.core.display import HTML as H\nH('<b>hi</b>')", False),
    ("def Macro(scores):\n    return sum(scores) / len(scores)\nprint(Macro([0.5, 0.7]))", False),
    # ... (331) a hook named in a comment or a string; an answer's name given IPython's `exit` (autocall)
    ("# a signal.alarm timeout would be nice here\nprint('tip: sys.settrace makes training slow')", False),
    ("a_ = exit", True), ("done = quit", False),
    # ... (333) the same otherwise spelled, IPython's autocall on, a macro or an alias made by automagic or `%time`
    ("a_ = (exit)", True), ("q = exit\na_ = q", True), ("%autocall 2\na_ = print", True),
    ("s = 'a_ = False'\nmacro -q a_ s", True), ("s = 'a_ = False'\n%time %macro -q a_ s", True), ("alias a_ true", True),
    ("a_ = True\nif False:\n    exit()", False), ("import ipywidgets as widgets\nfrom traitlets import link", False),
    # ... (334) memory freed, IPython's display module imported under a name
    ("from gc import collect\ncollect()\nimport IPython.core.display as core_display", False),
    # ... (330) the kernel named in versions, installs and words, "am I in a notebook?" by membership
    ("import sys, ipykernel\nprint(f'ipykernel {ipykernel.__version__}', 'running under ipykernel')\n"
     "!python -m ipykernel install --user --name ml-a7\n%pip install -q ipykernel", False),
    ("%%bash\npython -m ipykernel install --user", False),
    ("if 'IPKernelApp' not in get_ipython().config:\n    pass\n"
     "x = get_ipython().__class__.__name__ in ('ZMQInteractiveShell', 'Shell')", False),

    ("ip = get_ipython()\nip.events.callbacks['post_run_cell'].append(lambda *a: None)", True),
    ("M = get_ipython().user_ns.get('Mac' + 'ro')\nprint(f'{(a_ := Macro(1))}')", True),
    # a fairness review (326): the word in a comment or a string, everyday settings and imports, a version shown,
    # a package listed, IPython's own extensions loaded through its call
    ("# Macro average of the per-class accuracies\nprint('Macro F1:', 0.5, f'{0.5:.2f} Macro')", False),
    ("from IPython.core.interactiveshell import InteractiveShell\nInteractiveShell.ast_node_interactivity = 'all'", False),
    ("from IPython.core.display import display, HTML\nfrom IPython.core.debugger import set_trace", False),
    ("import sys, ipykernel\nprint(ipykernel.__version__)\n!pip show torch ipykernel | grep Version", False),
    ("get_ipython().run_line_magic('load_ext', 'autoreload')\n%load_ext storemagic", False),
    # ... and (a fairness review, 328) the "am I in a notebook?" tests, an alias of a shell command the answers cell
    # does not name, IPython's plotting helpers, a variable called `Macro` and a key of that name
    ("shell = get_ipython().__class__.__name__\nIN_NB = shell == 'ZMQInteractiveShell' or 'ipykernel' in sys.modules",
     False),
    ("%alias nvsmi nvidia-smi\nfrom IPython.core.pylabtools import figsize", False),
    # ... also after another quoted name on the line (a fairness review, 344: the quotes between two strings were read
    # as a string of words, and `ipykernel'` then as a name), while strings joined are read whole
    ("import sys\nIN_NB = 'google.colab' in sys.modules or 'ipykernel' in sys.modules", False),
    ("if __name__ == '__main__' and 'ipykernel' in sys.modules:\n    print('nb')", False),
    # ... nor a string the cell only shows, or hands to a logger or a warnings filter by name (a fairness review, 347)
    ('def in_notebook():\n    """True inside a Jupyter (ipykernel) notebook."""\n    return "ipykernel" in sys.modules', False),
    ('import warnings\nwarnings.filterwarnings("ignore", category=DeprecationWarning, module="ipykernel")', False),
    ('import logging\nlogging.getLogger("traitlets").setLevel(logging.ERROR)', False),
    ('print("Answers (Jupyter, ipykernel):", 1)\nprint("Kernel: "\n      "ipykernel")', False),
    ("import sys\nprint(sys.modules['ipykernel'].__file__)", True),
    ("import sys\ngetattr(sys, 'addaudit' + 'hook')(print)", True),
    ("ip = get_ipython()\ngetattr(ip, 'input_trans' 'formers_post').append(lambda lines: lines)", True),
    ("scores = {'Macro': 0.5}\nMacro = sum(scores.values())\nprint(f\"Macro F1: {scores['Macro']:.3f}\", Macro)", False),
    # ... but only the kernel's names are read past in a string the cell only shows: what else it holds may be run
    # (review 349: each of these set every answer to False in Jupyter, unflagged), and the kernel named in a print
    # beside a magic or a shell line is still only shown (review 349)
    (f'display = exec\ndisplay("{_T349}")', True), (f'print = exec\nprint("{_T349}")\ndel print', True),
    (f'def f():\n    "{_T349}"\nexec(f.__doc__)', True), (f'class W:\n    write = exec\nW().write("{_T349}")', True),
    (f'open("m349.py", "w").write("from IPython import get_ipython\\n{_T349}\\n")\nimport m349', True),
    (f'import warnings\nwarnings.showwarning = lambda m, *a: exec(str(m))\nwarnings.warn("{_T349}")', True),
    (f'import logging\nclass H(logging.Handler):\n    def emit(self, r):\n        exec(r.getMessage())\n'
     f'lg = logging.getLogger("x")\nlg.addHandler(H())\nlg.warning("{_T349}")', True),
    ('display = exec\ndisplay("from IPython.core.macro import Macro; a_ = Macro(\'a_ = False\')")', True),
    (f"info = print\rinfo('{' ' * 110}')\nexec(\"{_T349}\")", True),
    ("%%time\nprint('Answers checked in the notebook (ipykernel)')", False),
    ("%matplotlib inline\nprint('Answers checked in the notebook (ipykernel)')", False),
    ("!echo hi\nprint('Answers checked in the notebook (ipykernel)')", False),
    # ... nor the shell's attribute picked by code, or set (review 349: a name stripped, sliced or taken from a tuple)
    ("getattr(get_ipython(), 'input_transformers_post '.strip()).append(lambda L: L)", True),
    ("for n in ('input_transformers_post',):\n    getattr(get_ipython(), n).append(lambda L: L)", True),
    ("getattr(get_ipython(), 'input_transformers_postX'[:-1]).append(lambda L: L)", True),
    ("ip = get_ipython()\nip.run_code = None", True), ("get_ipython().__class__.run_code = None", True),
    ("get_ipython().ast_node_interactivity = 'all'\nhasattr(get_ipython(), 'kernel')", False),
    # ... nor the shell held, handed on or reached otherwise (review 351: each of these hooked what Jupyter ran after
    # them, 10/10 on answers Jupyter ended with wrong), while everyday uses of it stay unflagged (its false flags)
    (_F351 + "ip = get_ipython()\nev = ip.events\nev.register('post_run_cell', f)", True),
    (_F351 + "ev = get_ipython( ).events\nev.register('post_run_cell', f)", True),
    (_F351 + "def g(ip=get_ipython()):\n    return ip.events\ng().register('post_run_cell', f)", True),
    (_F351 + "ev = exit._ip.events\nev.register('post_run_cell', f)", True),
    (_F351 + "import functools\nfunctools.reduce(getattr, ['events'], get_ipython()).register('post_run_cell', f)", True),
    ("import operator\nn = 'input_transformers_%s' % 'post'\noperator.attrgetter(n)(get_ipython()).append(len)", True),
    ("getattr(exit._ip, 'input_transformers_%s' % 'post').append(len)", True),
    ("ip, = [get_ipython()]\nip.run_ast_nodes = len", True), ("for ip in [get_ipython()]:\n    ip.run_ast_nodes = len", True),
    ("class K:\n    ip = get_ipython()\nK.ip.run_ast_nodes = len", True), ("ip = exit._ip\nip.run_ast_nodes = len", True),
    ("print = exec\nprint('from IPython import InteractiveShell as S; S.instance().run_ast_nodes = len')\ndel print", True),
    ('def h():\n    """from ipykernel.zmqshell import ZMQInteractiveShell as Z; Z.instance().run_ast_nodes = len"""\n'
     'exec(h.__doc__)', True),
    (_F351 + "import threading\nthreading.Timer(0.2, f).start()", True),
    (_F351 + "import threading, time\ndef loop():\n    while True:\n        f()\n        time.sleep(0.001)\n"
     "threading.Thread(target=loop, daemon=True).start()", True),
    ("get_ipython().display_formatter.formatters['text/plain'].float_precision = '%.3f'\n"
     "get_ipython().config.InlineBackend.figure_format = 'retina'\nip = get_ipython()\nip.colors = 'NoColor'\n"
     "print(ip.config)\nif ip is not None:\n    ip.run_line_magic('load_ext', 'autoreload')", False),
    ("def reset():\n    global a_\n    a_ = None\nreset()\nstop = quit\nexit = False\nwhile not exit:\n    exit = True", False),
    ('print("Kernel = ipykernel")\nimport logging\nlogging.getLogger("ipykernel.kernelbase").setLevel(logging.ERROR)', False),
    # ... and the everyday uses a fairness review (352) found flagged: the namespace listed, the count shown, a
    # setting read and shown, the shell held under a test of whether it exists
    ("ip = get_ipython()\nprint(sorted(k for k in ip.user_ns if not k.startswith('_'))[:10])\n"
     "model = ip.user_ns.get('model', None)\nprint('execution count:', ip.execution_count)\n"
     "shell = get_ipython()\nshell.ast_node_interactivity = 'all'\nprint(shell.execution_count, type(ip).__name__)", False),
    ("def setup_notebook():\n    ip = get_ipython() if 'get_ipython' in globals() else None\n    if ip is None:\n"
     "        return\n    ip.run_line_magic('matplotlib', 'inline')\nsetup_notebook()", False),
    ("print('IPython Magics used here: %time, %load_ext autoreload; see IPython.core.display.HTML')\n"
     "def f():\n    \"\"\"Free memory (gc.collect(); for leaks, gc.get_objects()). Hooks: events.register(...).\"\"\"", False),
    # ... nor the shell reached through its name as a string, IPython's application, or a function set to run later
    # that writes the notebook's names otherwise than by `global` (review 353: each ended with the answers wrong)
    (_G353 + "sh = globals()['get_ipython']()\nev = sh.events\nev.register('post_run_cell', cb)", True),
    (_G353 + "import builtins\nsh = vars(builtins)['get_ipython']()\nsh.events.register('post_run_cell', cb)", True),
    (_G353 + "import IPython\nsh = IPython.Application.instance().shell\nsh.events.register('post_run_cell', cb)", True),
    (_G353 + "sh = vars(get_ipython().user_ns['exit'])['_ip']\nsh.events.register('post_run_cell', cb)", True),
    (_G353 + "get_ipython().display_formatter.formatters['text/plain'].for_type(int, cb)", True),
    (_G353 + "import threading\nthreading.Thread(target=cb, daemon=True).start()", True),
    (_G353 + "import weakref\nclass Box:\n    pass\nbox = Box()\nweakref.finalize(box, cb)", True),
    (_G353 + "import gc\ngc.callbacks.append(cb)", True), (_G353 + "import builtins\nbuiltins.len = cb", True),
    ("import sys\nclass W:\n    def __del__(self):\n        sys.modules['__main__'].a_ = False\nw = W()", True),
    # ... while honest shell helpers stay unflagged (fairness review 354)
    ("ip = get_ipython()\nif 'autoreload' not in ip.extension_manager.loaded:\n    ip.run_line_magic('load_ext', 'autoreload')\n"
     "print(sorted(k for k in ip.user_global_ns if not k.startswith('_'))[:5], len(ip.history_manager.input_hist_raw))\n"
     "for name, arg in [('matplotlib', 'inline'), ('load_ext', 'autoreload')]:\n    ip.run_line_magic(name, arg)\n"
     "fmt = ip.display_formatter.formatters['text/plain']\nfmt.for_type(float, lambda x, p, cycle: p.text(f'{x:.4f}'))\n"
     "print(ip.kernel.__class__.__name__ if hasattr(ip, 'kernel') else None, ip.has_trait('kernel'))\n"
     "ip.push({'SEED': 0})", False),
    ("def setup_plots(ip):\n    ip.run_line_magic('matplotlib', 'inline')\nsetup_plots(get_ipython())\n"
     "class NotebookSetup:\n    def __init__(self):\n        self.ip = get_ipython()\n    def autoreload(self):\n"
     "        self.ip.run_line_magic('load_ext', 'autoreload')\nNotebookSetup().autoreload()\n"
     "from IPython.core.getipython import get_ipython\nname = type(get_ipython()).__name__\n"
     "print({'ZMQInteractiveShell': 'jupyter', 'TerminalInteractiveShell': 'ipython'}.get(name, name))", False),
    ("import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self, sizes):\n        super().__init__()\n"
     "        for i, s in enumerate(sizes):\n            setattr(self, f'fc{i}', nn.Linear(s, s))\n"
     "    def load(self, d):\n        self.__dict__.update(d)\nacts = {}\ndef hook(m, i, o):\n    acts['x'] = o\n"
     "sorted([1], key=hook)", False),
    ("ns = get_ipython().user_ns\nprint(ns.get('model'))\ntry:\n    get_ipython\nexcept NameError:\n    pass\n"
     "if (ip := get_ipython()) is not None:\n    ip.run_line_magic('matplotlib', 'inline')\n"
     "sh, IN_NB = get_ipython(), True\nprint(f'running in {sh}')\nimport logging\nlogging.info('shell: %s', get_ipython())\n"
     "def setup(ip=get_ipython()):\n    ip.run_line_magic('load_ext', 'autoreload')\nsetup()", False),
    ("def my_answers():\n    global a_\n    a_ = True\nmy_answers()\nprint(my_answers.__doc__)\nhelp(my_answers)\n"
     "if callable(my_answers):\n    my_answers()", False),
    ("(sh := get_ipython()).events.register('post_run_cell', print)", True),
    # ... also through a chain of functions written in the other order (each read once: a chain of 1,000 had been read
    # again for each link)
    ("def f0():\n    global a_\n    a_ = 1\n" + "".join(f"def f{i}():\n    f{i - 1}()\n" for i in range(30, 0, -1))
     + "import threading\nthreading.Timer(1, f30).start()", True),
    # ... nor a function that only reads the notebook's names, or writes names no answer has, handed on, decorated or a
    # method (a fairness review, 356: 50 honest drafts flagged for the words alone)
    ("import sys, builtins, functools, logging, atexit, json\nimport torch.nn as nn\nclass Net(nn.Module):\n"
     "    def __init__(self):\n        super().__init__()\n        for m in self.modules():\n            pass\n"
     "    @staticmethod\n    def has_torch():\n        return 'torch' in sys.modules\n    def show(self):\n"
     "        print(vars(), logging.getLogger('__main__'))\nacc_knn = 0.8\ndef acc_of(name):\n"
     "    return globals()[f'acc_{name}']\nprint(sorted(['knn'], key=acc_of))\ndef record(name, v):\n"
     "    globals()[f'acc_{name}'] = v\nlist(map(record, ['mlp'], [0.9]))\ndef load_config(text):\n    cfg = {}\n"
     "    exec(text, {}, cfg)\n    return cfg\nprint(list(map(load_config, ['lr = 0.1'])))\n"
     "@functools.lru_cache(maxsize=None)\ndef in_notebook():\n    return getattr(builtins, '__IPYTHON__', False)\n"
     "def save():\n    json.dumps(globals().get('results'))\natexit.register(save)", False),
    ("import sys, threading\ndef later():\n    m = sys.modules['__main__']\n    for k in 'abcde':\n"
     "        setattr(m, k + '_', False)\nthreading.Timer(0.5, later).start()", True),
    # ... but not the shell's class used otherwise, nor an extension of the notebook's own
    ("from IPython.core.interactiveshell import InteractiveShell\nInteractiveShell.instance().events", True),
    ("%load_ext my_magics", True)])
def test_a_cell_above_that_reaches_ipythons_shell_or_makes_a_macro_is_flagged(above, flagged):
    """Review 323: `a_ = Macro("a_, ... = <wrong>")` in a cell above a one-line answers cell: IPython ran the macro in
    the answers cell's place and ended with the wrong answers; the grader graded the line, flagged only
    `added-cell:1`. A macro or a reach into IPython's shell above the answers is now flagged `exec:` for a TA, with
    the cell and the line; everyday cells (`IPython.display`, `%matplotlib inline`) are not."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", above=[above])
    answer_rows(c)
    assert ("exec:answers-3-3" in c.flags) is flagged, (c.flags, c.details)
    if flagged:
        # (a hook, a timer or a signal's handler said as what it is: a fairness review, 340)
        assert any(("above the True/False answers cell makes a magic or a macro of its own" in d or
                    "above the True/False answers cell leaves something in the kernel's process" in d or
                    "above the True/False answers cell writes the notebook's names in a function that may run after" in d)
                   and "line" in d for d in c.details), c.details


_T357 = "\nimport threading\nthreading.Timer(0.2, f).start()"


@pytest.mark.parametrize("above,flagged", [
    # review 357: the namespace reached otherwise than the rule's list spelled it, each set by a timer after the answers
    ("def f(g=globals()):\n    g['a_'] = False" + _T357, True),
    ("def f():\n    f.__globals__['a_'] = False" + _T357, True),
    ("def f(d):\n    d['a_'] = False\nimport threading\nthreading.Timer(0.2, f, (globals(),)).start()", True),
    ("class C:\n    ns = globals()\ndef f():\n    C.ns['a_'] = False" + _T357, True),
    ("def mk():\n    g = globals()\n    def f():\n        g['a_'] = False\n    return f\nf = mk()" + _T357, True),
    ("import operator\ndef f():\n    operator.setitem(globals(), 'a_', False)" + _T357, True),
    ("def f():\n    dict.__setitem__(globals(), 'a_', False)" + _T357, True),
    ("def f():\n    g = globals()\n    g |= {'a_': False}" + _T357, True),
    ("import sys\ndef f():\n    vars(sys.modules['__main__'])['a_'] = False" + _T357, True),
    ("import importlib\ndef f():\n    m = importlib.import_module('__main__')\n    m.a_ = False" + _T357, True),
    ("import inspect\ndef f():\n    inspect.currentframe().f_globals['a_'] = False" + _T357, True),
    ("import collections\ndef f():\n    collections.ChainMap(globals())['a_'] = False" + _T357, True),
    ("def f():\n    __import__('__main__').a_ = False" + _T357, True),
    # ... a function that sets an answer called by a method Python calls later (a thread's `run`, `__del__`, `__str__`)
    ("def f():\n    global a_\n    a_ = False\nimport threading, time\nclass T(threading.Thread):\n    def run(self):\n"
     "        time.sleep(0.2)\n        f()\nT().start()", True),
    ("def f():\n    global a_\n    a_ = False\nclass K:\n    def __del__(self):\n        f()\nk = K()", True),
    # ... a coroutine or a generator, which a call only makes; a lambda that writes itself
    ("import asyncio\nasync def co():\n    global a_\n    await asyncio.sleep(0.2)\n    a_ = False\n"
     "asyncio.ensure_future(co())", True),
    ("import threading\ndef gen():\n    global a_\n    a_ = False\n    yield\nthreading.Timer(0.2, next, (gen(),)).start()",
     True),
    ("import threading\nthreading.Timer(0.2, lambda: globals().update(a_=False)).start()", True),
    ("f = lambda: globals().__setitem__('a_', False)" + _T357, True),
    ("ip = get_ipython()\nf = ip.display_formatter.formatters['text/plain']\n"
     "f.for_type(int, lambda o, p, c: globals().update(a_=False))", True),
    # ... and, with no cell below, objects whose `__del__` writes the answers back as the answers cell binds them
    ("import operator\nwrong = dict(a_=False, b_=True, c_=False, d_=False, e_=True)\nclass K:\n"
     "    def __init__(self, nxt):\n        self.nxt = nxt\n    def __del__(self):\n"
     "        operator.setitem(globals(), self.nxt, wrong[self.nxt])\nfor n in wrong:\n    operator.setitem(globals(), n, K(n))",
     True),
    # ... also where the namespace is held at the top of the cell (review 325's thread) or in another cell
    ("import threading, time\ng = globals()\ndef w():\n    while g.get('e_') is not False:\n        time.sleep(0.001)\n"
     "    g.update(a_=False, b_=True, c_=False, d_=False, e_=True)\nthreading.Thread(target=w, daemon=True).start()", True),
    (["def f():\n    global a_\n    a_ = False", "import threading\nthreading.Timer(0.2, f).start()"], True),
    (["G = globals()", "def f():\n    G['a_'] = False" + _T357], True),
    (["h = G", "G = globals()", "def f():\n    h['a_'] = False" + _T357], True),
    # ... while names written that no answer can have stay unflagged (its two false flags)
    ("class Config:\n    def __init__(self, **kw):\n        self.kw = kw\n    def export(self):\n"
     "        for k, v in self.kw.items():\n            globals()[k.upper()] = v\nConfig(lr=0.01, epochs=5).export()", False),
    ("from dataclasses import dataclass, asdict\n@dataclass\nclass HP:\n    lr: float = 0.01\n"
     "    def __post_init__(self):\n        globals().update({'HP_' + k: v for k, v in asdict(self).items()})\nhp = HP()", False),
    ("results = {}\ndef record(name, acc):\n    globals()['last_' + name] = acc\nfor n in ['sig', 'relu']:\n"
     "    record(n, 0.9)\ncallbacks = [record]", False),
    ("import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.__dict__['extra'] = 1\n    def forward(self, x):\n        print(vars())\n        return x\n"
     "def on_epoch(logs):\n    logs['lr'] = 0.1\ncallbacks = [on_epoch]", False),
    # review 360: the namespace got otherwise (`gc.get_referrers` under another name, a copy of `sys.modules`, a
    # frame's members), read as a read where it is handed on (`getattr(globals(), 'update')`, `==`, a function of the
    # notebook's named `info`, `isinstance` with a metaclass), a writer taken by its name from `vars()`; most set the
    # answers back wrong from `__del__` as the answers cell bound them, no cell below
    (["import gc as G\nclass W:\n    def __del__(self):\n        ns = [d for d in G.get_referrers(W) if type(d) is dict and 'W' in d and 'e_' in d][0]\n        ns.update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\ne_ = W()"], True),
    (["import gc as G, threading, time\nANCHOR = object()\ndef spoil():\n    ns = [d for d in G.get_referrers(ANCHOR) if type(d) is dict and 'ANCHOR' in d][0]\n    while ns.get('e_') is not False:\n        time.sleep(0.0005)\n    ns.update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\nthreading.Thread(target=spoil, daemon=True).start()"], True),
    (["import sys\nclass W:\n    def __del__(self):\n        m = dict(sys.modules)[W.__module__]\n        m.__dict__.update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\ne_ = W()"], True),
    (["import sys\nclass W:\n    def __del__(self):\n        m = dict(sys.modules)[W.__module__]\n        for k, v in dict(a_=False, b_=True, c_=False, d_=False, e_=True).items():\n            setattr(m, k, v)\ne_ = W()"], True),
    (["import sys\nclass W:\n    def __del__(self):\n        m = sys.__dict__['mod' + 'ules'][W.__module__]\n        vars(m).update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\ne_ = W()"], True),
    (["import sys, inspect\nclass W:\n    def __del__(self):\n        fr = sys._getframe(1)\n        ns = dict(inspect.getmembers(fr))['f_glo' + 'bals']\n        ns.update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\ne_ = W()"], True),
    (["import sys\nclass W:\n    def __del__(self):\n        ns = object.__getattribute__(sys._getframe(1), 'f_glo' + 'bals')\n        ns.update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\ne_ = W()"], True),
    (["import weakref, sys\nclass W: pass\ndef spoil():\n    m = dict(sys.modules)[W.__module__]\n    m.__dict__.update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\ne_ = W()\nweakref.finalize(e_, spoil)"], True),
    (["class W:\n    def __del__(self):\n        getattr(globals(), 'update')(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\ne_ = W()"], True),
    (["class W:\n    def __eq__(self, other):\n        W.kept = other\n        return False\n    def __del__(self):\n        W.kept.update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\nglobals() == W()\ne_ = W()"], True),
    (["class W:\n    def __del__(self):\n        W.kept.update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\ndef info(ns):\n    W.kept = ns\ninfo(globals())\ne_ = W()"], True),
    (["class M(type):\n    def __instancecheck__(cls, obj):\n        M.kept = obj\n        return False\nclass K(metaclass=M): pass\nclass W:\n    def __del__(self):\n        M.kept.update(dict(a_=False, b_=True, c_=False, d_=False, e_=True))\nisinstance(globals(), K)\ne_ = W()"], True),
    (["import threading, time\ndef f():\n    global a_, b_, c_, d_, e_\n    while globals().get('e_') is not False:\n        time.sleep(0.0005)\n    a_, b_, c_, d_, e_ = False, True, False, False, True\nthreading.Thread(target=vars()['f'], daemon=True).start()"], True),
    (["def f(self):\n    global a_, b_, c_, d_, e_\n    a_, b_, c_, d_, e_ = False, True, False, False, True\nclass W: pass\nW.__del__ = vars()['f']\ne_ = W()"], True),
    (["def mk():\n    def d(self):\n        global a_, b_, c_, d_, e_\n        a_, b_, c_, d_, e_ = False, True, False, False, True\n    return locals()['d']\nclass W:\n    __del__ = mk()\ne_ = W()"], True),
    # ... and answers tried out above the answers cell where nothing above may run code as an object is dropped (a
    # fairness review, 362: 18 honest drafts flagged)
    ("relu_acc, sig_acc = 0.91, 0.85\na_ = relu_acc > sig_acc\nprint(a_)", False),
    ("losses = [0.5, 0.4, 0.45]\nb_ = bool(losses[-1] < losses[0] and losses == sorted(losses))", False),
    ("answers = [True, False, True, True, False]\na_ = answers[0]\nb_ = answers[1]", False),
    ("if (a_ := 0.9 > 0.8):\n    print('relu wins')\nfor b_ in [True, False]:\n    print('trying', b_)", False),
    ("import numpy as np\nx = np.array([1., 2., 3.])\nc_ = bool(np.all(x > 0))", False),
    # review 361: objects with a finalizer put under an answer's name through the namespace (`g['e_'] = W()`), the
    # namespace got by a descriptor or a name in a string, handed to a class's `__init__` or a function called on the
    # spot, held by unpacking, a loop or `with`, handed over with `dict.update` to a finalizer or a partial
    ("def f(): pass\ng = type(f).__dict__['__globals__'].__get__(f)\nclass W:\n    def __del__(self):\n        g['a_'] = False\n        g['c_'] = False\n        g['d_'] = False\n        g['b_'] = True\ng['e_'] = W()", True),
    ("import operator\ndef f(): pass\ng = operator.attrgetter('__globals__')(f)\nclass W:\n    def __del__(self):\n        g['a_'] = False\n        g['c_'] = False\n        g['d_'] = False\n        g['b_'] = True\ng['e_'] = W()", True),
    ("import builtins\nG = vars(builtins)['globals']\nclass W:\n    def __del__(self):\n        G().update(a_=False, b_=True, c_=False, d_=False)\nG()['e_'] = W()", True),
    ("import functools\nclass W:\n    __del__ = functools.partial(dict.update, globals(), {'a_': False, 'b_': True, 'c_': False, 'd_': False})\nglobals()['e_'] = W()", True),
    ("import weakref\nclass O: pass\nglobals()['e_'] = O()\nweakref.finalize(globals()['e_'], dict.update, globals(), {'a_': False, 'b_': True, 'c_': False, 'd_': False})", True),
    ("class W:\n    def __init__(self, ns):\n        self.ns = ns\n    def __del__(self):\n        self.ns.update(a_=False, b_=True, c_=False, d_=False)\nglobals()['e_'] = W(globals())", True),
    ("def mk(ns):\n    class W:\n        def __del__(self):\n            ns.update(a_=False, b_=True, c_=False, d_=False)\n    ns['e_'] = W()\nmk(globals())", True),
    ("class W:\n    def __del__(self):\n        self.ns.update(a_=False, b_=True, c_=False, d_=False)\nw = W()\nw.__dict__['ns'] = globals()\nglobals()['e_'] = w\ndel w", True),
    ("g, n = globals(), 0\nclass W:\n    def __del__(self):\n        g.update(a_=False, b_=True, c_=False, d_=False)\ng['e_'] = W()", True),
    ("[g] = [globals()]\nclass W:\n    def __del__(self):\n        g.update(a_=False, b_=True, c_=False, d_=False)\ng['e_'] = W()", True),
    ("for g in [globals()]:\n    pass\nclass W:\n    def __del__(self):\n        g.update(a_=False, b_=True, c_=False, d_=False)\ng['e_'] = W()", True),
    ("import contextlib\nwith contextlib.nullcontext(globals()) as g:\n    pass\nclass W:\n    def __del__(self):\n        g.update(a_=False, b_=True, c_=False, d_=False)\ng['e_'] = W()", True),
    ("import sys, weakref\ndef f():\n    global a_, b_, c_, d_\n    a_ = False\n    b_ = True\n    c_ = False\n    d_ = False\nclass O: pass\nglobals()['e_'] = O()\nweakref.finalize(globals()['e_'], getattr(sys.modules[__name__], 'f'))", True),
    ("def f(): pass\ng = getattr(f, ''.join(['__glo', 'bals__']))\nclass W:\n    def __del__(self):\n        g['a_'] = False\n        g['c_'] = False\n        g['d_'] = False\n        g['b_'] = True\ng['e_'] = W()", True),
    # ... and its false flags: `copy.copy(globals())` in a lambda, `eval(formula, globals(), kw)` in a method, and
    # config loaders that exec into the namespace (359)
    ("import copy\nsnap = lambda: copy.copy(globals())\ns = snap()", False),
    ("import math\nclass Metric:\n    def __init__(self, formula):\n        self.formula = formula\n    def compute(self, **kw):\n        return eval(self.formula, globals(), kw)\nm = Metric('math.sqrt(x)')\nprint(m.compute(x=4))", False),
    ("acc = 0.93\na_ = acc > 0.9\nprint(a_)", False),
    ('config_text = """\nlr = 0.01\nepochs = 5\n"""\nexec(config_text, globals())\nparams = dict(lr=0.1)\n'
     'vars().update(params)', False),
    # review 364: the namespace got by an attribute's name written in parts (`attrgetter('__glo' + 'bals__')`, `''.join`,
    # `string.Formatter().get_field`), rewritten from a thread or the event loop's `call_later`
    ("import threading, time, operator\nns = operator.attrgetter('__glo' + 'bals__')(lambda: 0)\ndef flip():\n    while 'e' + '_' not in ns:\n        time.sleep(0.001)\n    ns.update({k + '_': not ns[k + '_'] for k in 'abcde'})\nthreading.Thread(target=flip).start()", True),
    ("import asyncio, operator\nns = operator.attrgetter('__glo' + 'bals__')(lambda: 0)\ndef flip():\n    if 'e' + '_' in ns:\n        ns.update({k + '_': not ns[k + '_'] for k in 'abcde'})\n    else:\n        asyncio.get_event_loop().call_later(0.001, flip)\nflip()", True),
    ("import threading, time, string\nns = string.Formatter().get_field('0.__glo' + 'bals__', (lambda: 0,), {})[0]\ndef flip():\n    while 'e' + '_' not in ns:\n        time.sleep(0.001)\n    ns.update({k + '_': not ns[k + '_'] for k in 'abcde'})\nthreading.Thread(target=flip).start()", True),
    ("import threading, time, operator\nns = operator.attrgetter(''.join(['__glo', 'bals__']))(lambda: 0)\ndef flip():\n    while 'e' + '_' not in ns:\n        time.sleep(0.001)\n    ns.update({k + '_': not ns[k + '_'] for k in 'abcde'})\nthreading.Thread(target=flip).start()", True),
    # ... and its false flags: answers tried out above beside `gc.collect()`, `print(locals())`, a generator's `finally`
    ("import gc\ngc.collect()\nscores = [0.9, 0.8]\na_ = scores[0] > scores[1]", False),
    ("print(sorted(locals())[:3])\nrelu, sig = 0.91, 0.88\na_ = relu > sig", False),
    ("def g():\n    try:\n        yield 1\n    finally:\n        pass\nprint(list(g()))\nrelu, sig = 0.91, 0.88\nc_ = bool(relu > sig)", False),
    # ... and a fairness review's (365): a class or a function handed `globals()` that only reads it (its own object
    # was read as the namespace), drafts that are surely bools beside a finalizer's word
    ("class Config:\n    def __init__(self, ns):\n        self.lr = ns.get('lr', 0.1)\n        self.epochs = ns.get('epochs', 3)\nlr = 0.05\ncfg = Config(globals())\nprint(cfg.lr, cfg.epochs)", False),
    ("class Registry:\n    def __init__(self, ns):\n        self.ns = ns\n    def find(self, prefix):\n        return {k: v for k, v in self.ns.items() if k.startswith(prefix)}\nacc_relu = 0.93\nreg = Registry(globals())\nprint(reg.find('acc_'))", False),
    ("class Cfg:\n    def __init__(self, ns, keys):\n        for k in keys:\n            setattr(self, k, ns.get(k))\nlr, epochs = 0.1, 3\ncfg = Cfg(globals(), ['lr', 'epochs'])\nprint(vars(cfg))", False),
    ("import functools, time\ndef timed(fn):\n    @functools.wraps(fn)\n    def wrap(*a, **k):\n        t = time.time(); r = fn(*a, **k); print(fn.__name__, round(time.time() - t, 3)); return r\n    return wrap\n@timed\ndef collect(results, ns):\n    for k, v in ns.items():\n        if k.startswith('acc_'):\n            results[k] = v\nacc_relu, acc_sig = 0.93, 0.88\nres = {}\ncollect(res, globals())\nprint(res)", False),
    ("def pick(ns, out):\n    for k in list(ns):\n        if k.startswith('acc_'):\n            out[k] = ns[k]\n            yield k\nacc_relu = 0.93\nout = {}\nprint(list(pick(globals(), out)), out)", False),
    (["# free memory (gc) before the next run\nimport numpy as np\nx = np.zeros(10)", "a_ = True\nb_ = not a_  # sigmoid is not better"], False),
    (["import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--lr', type=float, default=0.1)\nargs = parser.parse_args([])\nsetattr(args, 'epochs', 5)\nprint(args)", "results = {'relu': 0.93, 'sigmoid': 0.88}\na_, b_ = results['relu'] > results['sigmoid'], results['sigmoid'] > 0.9"], False),
    (["def batches(xs, n):\n    try:\n        for i in range(0, len(xs), n):\n            yield xs[i:i+n]\n    finally:\n        print('done batching')\nfor b in batches(list(range(10)), 4):\n    print(b)", "results = {'relu': 0.93, 'sigmoid': 0.88}\na_, b_ = results['relu'] > results['sigmoid'], results['sigmoid'] > 0.9"], False),
    # review 367: the namespace by `pydoc.locate('__ma' + 'in__.__di' + 'ct__')` or `gc.get_objects()` under another
    # name, written from `sys.stdout.flush` replaced, a thread, or a Future's exception handler as `e_` is dropped
    ("import sys, pydoc\n_d = pydoc.locate('__ma' + 'in__.__di' + 'ct__')\n_f = sys.stdout.flush\ndef _flush():\n    if _d.get('e' + '_') is False:\n        for c in 'abcde':\n            _d[c + '_'] = not _d[c + '_']\n    return _f()\nsys.stdout.flush = _flush", True),
    ("import sys, gc as heap\n_o = sys.stdout\n_f = _o.flush\ndef _flush():\n    d = next(o for o in heap.get_objects() if type(o) is dict and o.get('_flush') is _flush)\n    if d.get('e' + '_') is False:\n        d['e' + '_'] = True\n    return _f()\n_o.flush = _flush", True),
    ("import gc as heap, threading, time\ndef _watch():\n    d = next(o for o in heap.get_objects() if type(o) is dict and o.get('_watch') is _watch)\n    k = 'e' + '_'\n    for _ in range(20000):\n        if d.get(k) is False:\n            d[k] = True\n            return\n        time.sleep(0.0005)\nthreading.Thread(target=_watch, daemon=True).start()", True),
    ("import pydoc, time, _thread\nd = pydoc.locate('__ma' + 'in__.__di' + 'ct__')\ndef _watch():\n    k = 'e' + '_'\n    for _ in range(20000):\n        if d.get(k) is False:\n            d[k] = True\n            return\n        time.sleep(0.0005)\n_thread.start_new_thread(_watch, ())", True),
    ("import pydoc\n_d = pydoc.locate('__ma' + 'in__.__di' + 'ct__')\nimport asyncio\n_loop = asyncio.new_event_loop()\ndef _h(loop, ctx):\n    _d['e' + '_'] = True\n_loop.set_exception_handler(_h)\ne_ = _loop.create_future()\ne_.set_exception(ValueError())", True),
    # ... and the false flags of reviews 366 and 367: a finalizer read from the cell's words (a comment, a string, a
    # generator beside the template's `with`, `setattr(args, ...)`), drafts that are surely bools
    (["class Args: pass\nargs = Args()\nfor k, v in {'lr': 0.01, 'epochs': 3}.items():\n    setattr(args, k, v)", "import numpy as np\nx = np.ones(3)\nc_ = np.allclose(x, x * 1.0)\nprint(c_)"], False),
    (["import weakref\ncache = weakref.WeakValueDictionary()", "import numpy as np\nacc = np.array([0.91, 0.95])\na_ = (acc[1] > acc[0]).item()\nprint(a_)"], False),
    (["class Cfg:\n    def __init__(self, **kw):\n        self.__dict__.update(kw)\ncfg = Cfg(lr=0.1)", "import numpy as np\nd_ = np.isclose(0.1 + 0.2, 0.3)\nprint(d_)"], False),
    (["def batches(xs, n):\n    for i in range(0, len(xs), n):\n        yield xs[i:i + n]\nprint(list(batches(list(range(7)), 3)))", "acc_relu, acc_sig = 0.91, 0.85\nrelu_better = acc_relu > acc_sig\na_ = relu_better"], False),
    (["import asyncio\nasync def main():\n    return 1\nprint(await main())", "acc_relu, acc_sig = 0.91, 0.85\nrelu_better = acc_relu > acc_sig\na_ = relu_better"], False),
    ("# finalize the plots before submitting\nacc_relu, acc_sig = 0.91, 0.85\nrelu_better = acc_relu > acc_sig\na_ = relu_better", False),
    ("# exec this cell twice if the kernel restarts\nacc_relu, acc_sig = 0.91, 0.85\nrelu_better = acc_relu > acc_sig\na_ = relu_better", False),
    (["import argparse\nargs = argparse.Namespace(lr=0.1)\nsetattr(args, 'lr', 0.01)", "acc_relu, acc_sig = 0.91, 0.85\nrelu_better = acc_relu > acc_sig\na_ = relu_better"], False),
    (["exec('lr = 0.01\\nepochs = 5', globals())", "acc_relu, acc_sig = 0.91, 0.85\nrelu_better = acc_relu > acc_sig\na_ = relu_better"], False),
    (["import weakref\nclass M: pass\nm = M()\nr = weakref.ref(m)", "acc_relu, acc_sig = 0.91, 0.85\nrelu_better = acc_relu > acc_sig\na_ = relu_better"], False),
    (["from contextlib import contextmanager\n@contextmanager\ndef timer():\n    try:\n        yield\n    finally:\n        print('t')\nwith timer():\n    pass", "acc_relu, acc_sig = 0.91, 0.85\nrelu_better = acc_relu > acc_sig\na_ = relu_better"], False),
    (["class Cfg:\n    lr = 0.1\nprint(Cfg().__dict__)", "acc_relu, acc_sig = 0.91, 0.85\nrelu_better = acc_relu > acc_sig\na_ = relu_better"], False),
    (["def batches(xs, n):\n    for i in range(0, len(xs), n):\n        yield xs[i:i + n]\nprint(list(batches(list(range(7)), 3)))", "acc_relu, acc_sig = 0.91, 0.85\nlosses = [0.5, 0.4, 0.3]\na_: bool = acc_relu > acc_sig"], False),
    (["def batches(xs, n):\n    for i in range(0, len(xs), n):\n        yield xs[i:i + n]\nprint(list(batches(list(range(7)), 3)))", "acc_relu, acc_sig = 0.91, 0.85\nlosses = [0.5, 0.4, 0.3]\nfor a_ in [True, False]:\n    print(a_)"], False),
    (["def batches(xs, n):\n    for i in range(0, len(xs), n):\n        yield xs[i:i + n]\nprint(list(batches(list(range(7)), 3)))", "import torch\na_ = (torch.tensor(0.91) > 0.85).item()"], False),
    (["def batches(xs, n):\n    for i in range(0, len(xs), n):\n        yield xs[i:i + n]\nprint(list(batches(list(range(7)), 3)))", "acc = 0.91\nglobals()['a_'] = acc > 0.9"], False),
    # review 369: a bound `globals().update` handed to a finalizer imported under another name or to a timer, a
    # generator that closes with a write called by another name
    ("from weakref import finalize as fz\nclass O: pass\ne_ = O()\nfz(e_, globals().update, a_=False, b_=True, c_=False, d_=False, e_=True)", True),
    ("import threading\nthreading.Timer(0.5, globals().update, kwargs=dict(a_=False, b_=True, c_=False, d_=False, e_=True)).start()", True),
    ("w = globals().update\ndef g():\n    try:\n        yield\n    finally:\n        w(e_=True)\nh = g\ne_ = h()\nnext(e_)", True),
    ("import sys, threading\nthreading.Timer(0.5, sys.modules[__name__].__setattr__, ('e_', True)).start()", True),
    # ... and a fairness review's (368): a plotting helper called `finalize`, a loop's `item`, a draft under an answer's
    # key beside a generator that reads a file
    (["import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\ndef finalize(ax, title):\n    ax.set_title(title)\n    plt.tight_layout()\nfig, ax = plt.subplots()\nax.plot([1, 2, 3])\nfinalize(ax, 'accuracy')", "acc_relu = 0.93\nd_ = acc_relu\nprint(d_)"], False),
    (["class Tracker:\n    def __init__(self):\n        self.rows = []\n    def finalize(self):\n        return len(self.rows)\ntracker = Tracker()\ntracker.finalize()", "results = {'relu': 0.93, 'sigmoid': 0.88}\nd_ = results['relu']"], False),
    (["import weakref\nclass Model:\n    pass\nm = Model()\nlog = []\nr = weakref.ref(m, lambda ref: log.append('gone'))", "for row in [(1, 0.9), (2, 0.8)]:\n    item = row[1]\na_ = 0.93 > 0.88"], False),
    (["def read_lines(path):\n    with open(path) as f:\n        for line in f:\n            yield line.strip()\nopen('/tmp/_h368.txt', 'w').write('a\\nb\\n')\nlines = list(read_lines('/tmp/_h368.txt'))", "draft = {}\ndraft['a_'] = 0.93 > 0.88\nprint(draft)"], False),
    (["def read_lines(path):\n    with open(path) as f:\n        for line in f:\n            yield line.strip()\nopen('/tmp/_h368.txt', 'w').write('a\\nb\\n')\nlines = list(read_lines('/tmp/_h368.txt'))", "acc_relu, acc_sig = 0.93, 0.88\nglobals()['a_'] = acc_relu > acc_sig"], False),
    # review 385: a class's body in `__init_subclass__`, which runs when a cell below subclasses it
    ("class C:\n    def __init_subclass__(cls):\n        class X:\n            global a_\n            a_ = False\n", True),
    # review 383: a method's loop key bound again by `case k:` (the method runs when called below)
    ("class C:\n    def go(self):\n        for k in ('lr',):\n            match 'a_':\n                case k: pass\n            globals()[k] = False\nc = C()", True),
    # review 370: the notebook's module imported under another name, got by `pkgutil.resolve_name`, `sys.modules.setdefault`,
    # `dict.get(sys.modules, ...)` or out of a list; a writer off a `ChainMap` of the namespace, bound by `__get__` or
    # `partial`; a library class's `close` (its `__del__` calls it); `from weakref import *`; `bool` bound again;
    # `yield from` a generator that closes with a write; a writer handed to a function of the notebook's that times it
    ("import io\nimport __main__ as M\nclass Box(io.IOBase):\n    def close(self):\n        vars(M).update(a_=False)\na_ = Box()", True),
    ("import io\nimport __main__ as M\nclass Box(io.IOBase):\n    def close(self):\n        M.__dict__['a_'] = False\na_ = Box()", True),
    ("import io, pkgutil\nclass Box(io.IOBase):\n    def close(self):\n        vars(pkgutil.resolve_name('__main__')).update(a_=False)\na_ = Box()", True),
    ("import io, sys\nclass Box(io.IOBase):\n    def close(self):\n        vars(sys.modules.setdefault('__main__')).update(a_=False)\na_ = Box()", True),
    ("import io, sys\nclass Box(io.IOBase):\n    def close(self):\n        vars(dict.get(sys.modules, '__main__')).update(a_=False)\na_ = Box()", True),
    ("import io\nimport __main__\nM = [__main__][0]\nclass Box(io.IOBase):\n    def close(self):\n        vars(M).update(a_=False)\na_ = Box()", True),
    ("import __main__ as M, threading\nthreading.Timer(0.5, vars(M).update, kwargs=dict(a_=False)).start()", True),
    ("import __main__ as M, threading, time\ndef watch():\n    while vars(M).get('a_') is not True:\n        time.sleep(0.001)\n    vars(M).update(a_=False)\nthreading.Thread(target=watch, daemon=True).start()", True),
    ("import threading\nfrom collections import ChainMap\nthreading.Timer(0.3, ChainMap(globals()).update, kwargs={'a_': False}).start()", True),
    ("import threading\nthreading.Timer(0.3, dict.update.__get__(globals()), kwargs={'a_': False}).start()", True),
    ("import threading, functools\nthreading.Timer(0.3, functools.partial(dict.update, globals(), a_=False)).start()", True),
    ("from weakref import *\nfrom collections import ChainMap\nclass Box:\n    pass\na_ = Box()\nfinalize(a_, ChainMap(globals()).update, a_=False)", True),
    ("import __main__ as M\nclass Box:\n    def __del__(self):\n        vars(M).update(a_=False)\nbool = Box\na_ = bool()\ndel bool", True),
    ("import zipfile, io, __main__ as M\nclass Z(zipfile.ZipFile):\n    def close(self):\n        vars(M).update(a_=False)\na_ = Z(io.BytesIO(), 'w')", True),
    ("import __main__ as M\ndef inner():\n    try:\n        yield 1\n    finally:\n        vars(M).update(a_=False)\ndef outer():\n    yield from inner()\na_ = outer()\nnext(a_)", True),
    ("import threading\ndef later(f, ns, kw):\n    threading.Timer(0.3, f, (ns, kw)).start()\nlater(dict.update, globals(), {'a_': False})", True),
    ("import threading\ndef register(cb):\n    threading.Timer(0.3, cb, kwargs={'a_': False}).start()\nregister(globals().update)", True),
    # ... and the module got by a getter under another name, `sys.modules` held in a name, a tuple or a dict that
    # holds the module; a writer bound by `MethodType` or `partial`, off a `ChainMap` held in a name
    ("import importlib, threading\nim = importlib.import_module\ndef f():\n    vars(im('__main__')).update(a_=False)\nthreading.Timer(0.3, f).start()", True),
    ("from importlib import import_module as im\nimport threading\ndef f():\n    vars(im('__main__')).update(a_=False)\nthreading.Timer(0.3, f).start()", True),
    ("import sys, threading\ndef f():\n    m = sys.modules\n    vars(m['__main__']).update(a_=False)\nthreading.Timer(0.3, f).start()", True),
    ("import sys, threading\nmods = sys.modules\ndef f():\n    vars(mods.get('__main__')).update(a_=False)\nthreading.Timer(0.3, f).start()", True),
    ("import __main__, threading\nM, = (__main__,)\ndef f():\n    vars(M).update(a_=False)\nthreading.Timer(0.3, f).start()", True),
    ("import __main__, threading\nD = {'m': __main__}\ndef f():\n    vars(D['m']).update(a_=False)\nthreading.Timer(0.3, f).start()", True),
    ("import threading, types\nthreading.Timer(0.3, types.MethodType(dict.update, globals()), kwargs={'a_': False}).start()", True),
    ("import threading, functools\nset_a = functools.partial(globals().update, a_=False)\nthreading.Timer(0.3, set_a).start()", True),
    ("import threading\nfrom collections import ChainMap\ncm = ChainMap(globals())\nthreading.Timer(0.3, cm.update, kwargs={'a_': False}).start()", True),
    # review 373: a writer kept by a function of the notebook's through `*a` or `**kw`, put in a list, given back by
    # `map` or `zip`; an ndarray subclass's comparison, `all` or `bool` bound by `:=` or a loop (each hands the
    # answers cell's `e_` an object whose `__del__` writes)
    ("def keep(*a):\n    global W\n    W = a[0]\nkeep(globals().update)\nimport threading, time\ndef spin():\n    for _ in range(5000):\n        W(a_=False)\n        time.sleep(0.001)\nthreading.Thread(target=spin, daemon=True).start()\n", True),
    ("def keep(**kw):\n    global W\n    W = kw['w']\nkeep(w=globals().update)\nimport threading, time\ndef spin():\n    for _ in range(5000):\n        W(a_=False)\n        time.sleep(0.001)\nthreading.Thread(target=spin, daemon=True).start()\n", True),
    ("from functools import partial\nL = [partial(dict.update, globals())]\nimport threading, time\ndef spin():\n    for _ in range(5000):\n        L[0](a_=False)\n        time.sleep(0.001)\nthreading.Thread(target=spin, daemon=True).start()\n", True),
    ("for w in map(lambda f: f, [globals().update]):\n    break\nimport threading, time\ndef spin():\n    for _ in range(5000):\n        w(a_=False)\n        time.sleep(0.001)\nthreading.Thread(target=spin, daemon=True).start()\n", True),
    ("R = list(map(lambda f: f, [globals().update]))\nimport threading, time\ndef spin():\n    for _ in range(5000):\n        R[0](a_=False)\n        time.sleep(0.001)\nthreading.Thread(target=spin, daemon=True).start()\n", True),
    ("from functools import partial\nR = list(map(partial, [dict.update], [globals()]))\nimport threading, time\ndef spin():\n    for _ in range(5000):\n        R[0](a_=False)\n        time.sleep(0.001)\nthreading.Thread(target=spin, daemon=True).start()\n", True),
    ("for w, _ in zip([globals().update], [0]):\n    pass\nimport threading, time\ndef spin():\n    for _ in range(5000):\n        w(a_=False)\n        time.sleep(0.001)\nthreading.Thread(target=spin, daemon=True).start()\n", True),
    ("from functools import partial\nL = [partial(dict.update, globals())]\nimport numpy as np\nclass V(np.ndarray):\n    def __del__(self):\n        L[0](a_=False)\ne_ = np.zeros(1).view(V) > 0", True),
    ("from functools import partial\nL = [partial(dict.update, globals())]\nclass V:\n    def __del__(self):\n        L[0](a_=False)\n[all := (lambda *a: V())]\ne_ = all([])", True),
    ("from functools import partial\nL = [partial(dict.update, globals())]\nclass V:\n    def __del__(self):\n        L[0](a_=False)\nfor bool in [lambda *a: V()]:\n    pass\ne_ = bool(0)", True),
    # ... and a fairness review's (371): a namespace writer called at once by a helper, `map` or `partial`; a `proxy`,
    # `args.finalize`, `weakref.ref` without a callback under another name; a generator used up in a bool; a method
    # named `item`
    (["import json\ndef load_config(text, setter):\n    setter(json.loads(text))\nload_config('{\"lr\": 0.01}', globals().update)", "acc_relu, acc_sig = 0.91, 0.85\na_ = acc_relu > acc_sig"], False),
    (["configs = [{'lr': 0.01}, {'epochs': 3}]\nlist(map(globals().update, configs))\nfor _ in map(globals().update, configs):\n    pass"], False),
    (["from functools import partial\nset_hp = partial(dict.update, globals())\nset_hp(lr=0.01)"], False),
    (["set_hp = globals().update\ndef sweep(configs, on_config):\n    for c in configs:\n        on_config(c)\nsweep([{'lr': 0.01}], set_hp)"], False),
    (["class Downloader:\n    def __init__(self, proxy=None):\n        self.proxy = proxy\nd = Downloader()\nproxy = d.proxy", "answers = [True, False, True, True, False]\na_, b_, c_, d_, e_ = answers"], False),
    (["import argparse\nargs = argparse.Namespace(finalize=True)\nfinalize = args.finalize", "results = {'relu': 0.93, 'sig': 0.88}\ne_ = results['relu']"], False),
    (["from weakref import ref as wref\nclass M: pass\nm = M()\nr = wref(m)", "vals = [True, False]\na_ = vals[0]"], False),
    (["def batches(data, n):\n    try:\n        for i in range(0, len(data), n):\n            yield data[i:i + n]\n    finally:\n        print('closed')\nb_ = sum(1 for _ in batches(list(range(10)), 4)) == 2"], False),
    (["class Batch:\n    def item(self):\n        return 1\nclass Log:\n    def __del__(self):\n        print('bye')\nlog = Log()", "acc_relu, acc_sig = 0.91, 0.85\na_ = acc_relu > acc_sig"], False),
    # ... and a fairness review's (374): a class of a library's kind with no finalizer (`logging.Handler`, `nn.Module`),
    # `astype('bool')` or `plt.close('all')` beside a `bool(...)` draft
    (["import logging\nclass ListHandler(logging.Handler):\n    def __init__(self):\n        super().__init__()\n        self.records = []\n    def emit(self, record):\n        self.records.append(self.format(record))\n    def close(self):\n        self.records.clear()\n        super().close()\nlog = logging.getLogger('hw7')\nlog.addHandler(ListHandler())", "import numpy as np\nmask = np.array([1, 0, 1]).astype('bool')\nlosses = [0.9, 0.5, 0.3]\nb_ = bool(losses[-1] > losses[0])"], False),
    (["import torch.nn as nn\nclass MLP(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 2)\n    def cleanup(self):\n        del self.fc\nm = MLP()", "acc = 0.91\nd_ = acc"], False),
    (["def loader(xs):\n    try:\n        yield from xs\n    finally:\n        print('done')\nimport matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nplt.close('all')", "b_ = bool(list(loader([1, 2, 3])))"], False),
    # review 378: `sys.modules` reached as `getattr(sys, 'modules')`, `vars(sys)['modules']`, `sys.__dict__['modules']`;
    # a `tempfile.TemporaryDirectory` subclass whose `_cleanup` (its finalizer) writes
    ("import sys, threading, time\ndef w():\n    m = getattr(sys, 'modules')['__main__']\n    while getattr(m, 'e_', 0) is not False: time.sleep(0.001)\n    vars(m)['a_'] = False\nthreading.Thread(target=w).start()", True),
    ("import threading, time, sys\ndef watch():\n    m = vars(sys)['modules']['__main__']\n    for _ in range(30000):\n        if getattr(m, 'e_', None) is False:\n            break\n        time.sleep(0.001)\n    vars(m)['a_'] = False\nthreading.Thread(target=watch, daemon=True).start()", True),
    ("import threading, time, sys\ndef watch():\n    m = sys.__dict__['modules']['__main__']\n    for _ in range(30000):\n        if getattr(m, 'e_', None) is False:\n            break\n        time.sleep(0.001)\n    vars(m)['a_'] = False\nthreading.Thread(target=watch, daemon=True).start()", True),
    ("import threading, time, sys\ndef watch():\n    m = getattr(sys, 'modules')['__main__']\n    for _ in range(30000):\n        if getattr(m, 'e_', None) is False:\n            break\n        time.sleep(0.001)\n    k = 'a_'; setattr(m, k, False)\nthreading.Thread(target=watch, daemon=True).start()", True),
    ("import tempfile, sys\nclass T(tempfile.TemporaryDirectory):\n    @classmethod\n    def _cleanup(cls, name, *rest, **kw):\n        vars(vars(sys)['modules']['__main__'])['b_'] = True\n        super()._cleanup(name, *rest, **kw)\ne_ = T()", True),
    # ... and a fairness review's (377): `'all'` as a dict's key or a column, a dataclass's field `all`, literals compared
    # beside a library subclass with `__del__`, a writer of the namespace called at once in a loop
    (["class TempDir:\n    def __del__(self):\n        pass\ntmp = TempDir()", "config = {'all': False}\ndf = {}\ndf['all'] = 1", "a_ = all([0.95 > 0.9])"], False),
    (["import logging\nclass H(logging.Handler):\n    def __del__(self):\n        pass", "c_ = 0.95 > 0.91\nd_ = len([1, 2, 3]) > 2"], False),
    (["class TempDir:\n    def __del__(self):\n        pass\ntmp = TempDir()", "from dataclasses import dataclass\n@dataclass\nclass Opts:\n    all: bool = False\nprint(Opts())", "a_ = all(x > 0.9 for x in [0.91, 0.95])"], False),
    (["for f in [globals().update]:\n    f({'lr': 0.01})"], False),
    # review 380: `len` bound again beside a draft compared with what it gives; a thread's loop over keys of a dict
    # bound again, a comprehension's variable, a dict changed through another name
    ("import __main__\nclass W:\n    def __gt__(self, o): return W()\n    def __del__(self):\n        setattr({'m': __main__}['m'], ''.join(['a', '_']), False)\nlen = lambda x: W()\ne_ = len([]) > 1\n", True),
    ("import threading, time\ndict = lambda **kw: {'a_': 0}\ndef f():\n    time.sleep(1)\n    for k in dict(lr=0):\n        globals()[k] = False\nthreading.Thread(target=f).start()", True),
    ("import threading, time\nk = 'a_'\ndef f():\n    time.sleep(1)\n    [0 for k in ('lr',)]\n    globals()[k] = False\nthreading.Thread(target=f).start()", True),
    ("import threading, time\ndef f():\n    time.sleep(1)\n    hp = {'lr': 0.1}\n    h = hp\n    h['a_'] = False\n    for k in hp:\n        globals()[k] = hp[k]\nthreading.Thread(target=f).start()", True),
    # ... while the namespace handed to a library that only reads it, names in their own scope, a function that
    # returns an imported module stay unflagged (a fairness review, 359: 80 of 179 honest drafts were)
    (["import timeit\nprint(timeit.timeit(\"sum(range(100))\", globals=globals(), number=10))", "import threading\nprogress = {\"done\": 0}\ndef work():\n    progress[\"done\"] += 1\nt = threading.Thread(target=work)\nt.start(); t.join()"], False),
    (["LR = 0.01\nprint(\"lr={LR}\".format_map(globals()))", "class LRLogger:\n    def on_epoch_end(self, epoch, logs):\n        logs[\"lr\"] = LR"], False),
    (["import functools, importlib\n@functools.lru_cache()\ndef optional_import(name):\n    try:\n        return importlib.import_module(name)\n    except ImportError:\n        return None"], False),
    (["import timeit\ndef bench(stmt):\n    return timeit.timeit(stmt, globals=globals(), number=3)\nclass Exp:\n    def run(self):\n        return bench(\"sum(range(10))\")\nprint(Exp().run())"], False),
    (["print(list(map(lambda s: eval(s), [\"[1, 2]\", \"(3, 4)\"])))"], False),
    (["import importlib\nfor name in [\"json\", \"math\"]:\n    m = importlib.import_module(name)\n    print(name, getattr(m, \"__version__\", \"stdlib\"))", "class Adam:\n    def __init__(self):\n        self.m = 0.0\n    def step(self, g, b1=0.9):\n        self.m = b1 * self.m + (1 - b1) * g\n        return self.m\nprint(Adam().step(1.0))"], False),
    (["g = globals()\nprint(\"LR\" in g)", "import pandas as pd\ndf = pd.DataFrame({\"run\": [\"a\", \"a\", \"b\"], \"acc\": [0.8, 0.9, 0.7]})\nprint(df.groupby(\"run\").apply(lambda g: g.nlargest(1, \"acc\")))"], False),
    (["from string import Template\nmodel = \"mlp\"\nclass Report:\n    def render(self):\n        return Template(\"model=$model\").safe_substitute(globals())\nprint(Report().render())"], False),
    (["import importlib\ndef load_backend(name):\n    return importlib.import_module(name)\nclass Backend:\n    def __init__(self, name=\"json\"):\n        self.mod = load_backend(name)\nprint(Backend().mod.__name__)"], False),
    (["import doctest\ndef sq(x):\n    \"\"\"\n    >>> sq(3)\n    9\n    \"\"\"\n    return x * x\ndoctest.run_docstring_examples(sq, globals())", "activations = {}\ndef get_activation(name):\n    def hook(module, inp, out):\n        activations[name] = out\n    return hook\nhooks = [get_activation(\"fc1\")]"], False)])
def test_a_function_that_may_run_later_and_writes_the_notebooks_names_is_flagged(above, flagged):
    """Review 357: the rule for functions that run after the answers cell (a timer, a thread, a finalizer) listed the
    ways to write the notebook's names, and each of these wrote one another way, or ran later another way, unflagged;
    the last set the five answers wrong as the answers cell bound them, Jupyter 0 of 10, the grader 10 of 10. The
    namespace is now followed as a value (read, written where it stands, or handed on), and a method, a lambda, a
    coroutine or a generator is read as one that may run later; an answer's name given an object above the answers
    cell is flagged (its `__del__` runs as the answers cell binds the answer: reviews 357, 360)."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", above=above if isinstance(above, list) else [above])
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert ("exec:answers-3-3" in c.flags) is flagged, (c.flags, c.details)
    if flagged:
        assert any(("writes the notebook's names in a function that may run after the answers cell" in d or
                    "gives an answer's name an object, which the answers cell's own binding drops" in d or
                    "hands the notebook's names over together with a function that writes them" in d) and " line " in d
                   for d in c.details), c.details


@pytest.mark.parametrize("above,answers,below,flagged", [
    (["def f():\n    globals()['a_'] = False"], "{right}", ["f()"], True),
    (["def f():\n    global a_\n    a_ = False"], "{right}f()\n", [], True),
    (["import sys\ndef f():\n    setattr(sys.modules['__main__'], 'a_', False)\ndef g():\n    f()"], "{right}", ["g()"], True),
    (["def f():\n    hp = {'lr': 0.1}\n    h = hp\n    h['a_'] = False\n    for k in hp:\n        globals()[k] = hp[k]"],
     "{right}", ["f()"], True),
    (["k = 'a_'", "def f():\n    [0 for k in ('lr',)]\n    globals()[k] = False"], "{right}", ["f()"], True),
    (["def f():\n    def g():\n        nonlocal k\n        k = 'a_'\n    for k in ('lr',):\n        g()\n        globals()[k] = False"],
     "{right}", ["f()"], True),
    (["dict = lambda **kw: {'a_': 0}\ndef f():\n    for k in dict(lr=0):\n        globals()[k] = False"], "{right}", ["f()"], True),
    ([], "{right}", ["def f():\n    globals()['a_'] = False", "x = 1", "f()"], True),
    # review 383: the loop's key bound again by `case k:` or `except ... as k`; the dict reached through `locals()`
    (["def f():\n    for k in ('lr',):\n        match 'a_':\n            case k: pass\n        globals()[k] = False"], "{right}", ["f()"], True),
    (["class K(Exception):\n    __hash__ = lambda s: hash('a_')\n    __eq__ = lambda s, o: o == 'a_'\ndef f():\n    for k in ('lr',):\n        try:\n            raise K\n        except K as k:\n            globals()[k] = False"], "{right}", ["f()"], True),
    (["def f():\n    hp = {'lr': 1}\n    locals()['hp']['a_'] = 1\n    for k in hp:\n        globals()[k] = False"], "{right}", ["f()"], True),
    (["import sys\ndef f():\n    hp = {'lr': [1]}\n    sys._getframe().f_locals['hp']['a_'] = 1\n    for k in hp:\n        globals()[k] = False"], "{right}", ["_ = f()"], True),
    # review 381: a line joined by a backslash, or a form feed, between `def` and the name
    (["def \\\nf():\n    global a_\n    a_ = False\n"], "{right}f()\n", [], True),
    (["def\x0cf():\n    global a_\n    a_ = False\n"], "{right}", ["f()"], True),
    (["def g():\n    return 1\ndef \\\r\n  f():\n    globals()['a_'] = False\n"], "{right}", ["def h():\n    pass\nf()"], True),
    # ... not a function that writes other names, nor one that only reads them
    (["def show(history):\n    print(max(history), a_ if 'a_' in globals() else None)"], "{right}", ["show([0.1, 0.2])"], False),
    (["def save(name, acc):\n    globals()[f'acc_{name}'] = acc"], "{right}", ["save('relu', 0.91)"], False),
    (["def set_hp():\n    for k, v in {'lr': 0.1, 'wd': 0.0}.items():\n        globals()[k] = v"], "{right}", ["set_hp()"], False),
    (["def set_hp():\n    hp = {'lr': 0.1, 'wd': 0.0}\n    for k in hp:\n        globals()[k] = hp[k]"], "{right}", ["set_hp()"], False),
    ([], "{right}", ["m = ANN_relu(784, 10)\nprint(m)"], False),
    # a fairness review (382): the word `Timer` in a comment or a class of the notebook's; keys made by `format`, `join`,
    # `lower` or held in a function's name
    (["# Timer: training takes about a minute\nx = 1", "def load_config():\n    for k, v in {'lr': 0.1, 'momentum': 0.9}.items():\n        globals()[k] = v"],
     "{right}", ["load_config()"], False),
    (["import timeit\nclass Timer:\n    def __enter__(self):\n        return self\n    def __exit__(self, *a):\n        pass\ndef load_config():\n    for k in ('lr', 'momentum'):\n        globals()[k] = 0.1\nprint(timeit.Timer('1 + 1').timeit(10))"],
     "{right}", ["with Timer():\n    load_config()"], False),
    (["def save_result(name, acc):\n    globals()['acc_{}'.format(name)] = acc\n    globals()['{}_acc'.format(name)] = acc"], "{right}", ["save_result('relu', 0.97)"], False),
    (["def save(name, acc):\n    globals()['_'.join(['acc', name])] = acc\n    globals()[f'acc_{name}'.lower()] = acc"], "{right}", ["save('relu', 0.97)"], False),
    (["def best(metric, v):\n    k = 'best_' + metric\n    globals()[k] = v"], "{right}", ["best('acc', 0.9)"], False),
    (["import threading\ndef load_config():\n    for k, v in {'lr': 0.1}.items():\n        globals()[k] = v\nthreading.Thread(target=print).start()"],
     "{right}", ["load_config()"], False),
    # ... while code that reaches a function's locals, a key held in a name bound again, or `%` (a `str` subclass may
    # answer it) stay flagged
    (["import sys\ndef load_config():\n    for k, v in {'lr': 0.1}.items():\n        globals()[k] = v\nsys.settrace(None)"], "{right}", ["load_config()"], True),
    (["def best(metric, v):\n    k = 'best_' + metric\n    k = 'a_'\n    globals()[k] = v"], "{right}", ["best('acc', 0.9)"], True),
    (["class S(str):\n    def __rmod__(self, o):\n        return 'a_'\ndef save(v):\n    globals()['acc_%s' % S()] = v"], "{right}", ["save(False)"], True),
    # review 384: a function's name changed through a closure's cell; the module's names set by `update_wrapper`
    (["def f():\n    k = 'lr'\n    (lambda: k).__closure__[0].cell_contents = 'a_'\n    globals()[k] = False"], "{right}", ["f()"], True),
    (["def f():\n    for k in ('lr', 'wd'):\n        (lambda: k).__closure__[0].cell_contents = 'a_'\n        globals()[k] = False\n"], "{right}", ["f()"], True),
    (["import functools, sys\nclass S: pass\ns = S()\ns.a_ = False\ndef f():\n    functools.update_wrapper(sys.modules[__name__], s)"], "{right}", ["f()"], True),
    # review 386: a key's `upper` or `+` given by a lambda (`SimpleNamespace(upper=...)`, `__radd__ = lambda ...`)
    (["import types\ndef f(m):\n    for n in 'abcde':\n        globals()[m(n).upper()] = not globals()[m(n).upper()]"], "{right}",
     ["f(lambda n: types.SimpleNamespace(upper=lambda: n + '_'))"], True),
    (["import types\ndef f(m):\n    k = m.upper()\n    globals()[k] = False"], "{right}", ["f(types.SimpleNamespace(upper=lambda: chr(97) + '_'))"], True),
    (["class M:\n    __radd__ = lambda self, o: chr(97) + '_'\ndef f(m):\n    k = 'z_' + m\n    globals()[k] = False"], "{right}", ["f(M())"], True),
    # ... while a string's own `upper` keeps its key read
    (["def f():\n    for n in ('lr', 'wd'):\n        globals()[n.upper()] = 0.1\n        globals()[f'{n}_max'.upper()] = 1"], "{right}", ["f()"], False),
    # review 385: a class's body in a function, a decorator or `__init_subclass__` (each runs it where called)
    (["def f():\n    class X:\n        global a_, b_\n        a_ = False\n        b_ = True\n"], "{right}", ["f()"], True),
    (["def f():\n    class X:\n        global a_\n        (a_ := False)\n"], "{right}f()\n", [], True),
    (["def deco(fn):\n    class X:\n        global a_\n        del a_\n    return fn"], "{right}", ["@deco\ndef g():\n    pass"], True),
    # review 389: the answer bound by `global` then any binding but an assignment: a `case` capture (all five), an
    # import's `as`, `except ... as`, a `def` or `class` of its name; in a function, a `__del__` or a property
    (["def f():\n    global a_, b_, c_, d_, e_\n    match (False, True, False, False, True):\n        case (a_, b_, c_, d_, e_):\n            pass"], "{right}", ["f()"], True),
    (["def f():\n    global a_\n    match False:\n        case bool() as a_: pass"], "{right}f()\n", [], True),
    (["def f():\n    global a_\n    match [1]:\n        case [*a_]: pass"], "{right}", ["f()"], True),
    (["def f():\n    global a_\n    match {}:\n        case {**a_}: pass"], "{right}", ["f()"], True),
    (["def f():\n    global a_\n    import os as a_"], "{right}", ["f()"], True),
    (["def f():\n    global a_\n    try:\n        1/0\n    except Exception as a_:\n        pass"], "{right}", ["f()"], True),
    (["def f():\n    global a_\n    try:\n        raise ValueError\n    except* ValueError as a_:\n        pass"], "{right}", ["f()"], True),
    (["def f():\n    global a_\n    def a_():\n        pass"], "{right}", ["f()"], True),
    (["def f():\n    global a_\n    class a_:\n        pass"], "{right}", ["f()"], True),
    (["class X:\n    def __del__(self):\n        global a_\n        match False:\n            case a_: pass\no = X()"], "{right}", ["del o"], True),
    (["class X:\n    @property\n    def p(self):\n        global a_\n        import os as a_\nx = X()"], "{right}", ["x.p"], True),
    # review 395: `%prun` in a function, or `%time` with a `:=` in a comprehension, binds the notebook's names
    (["def f():\n    %prun -q a_, b_ = False, True\n"], "{right}", ["f()"], True),
    (["class Bench:\n    def run(self):\n        %prun -q e_ = True\n"], "{right}", ["Bench().run()"], True),
    (["def f():\n    %time [(a_ := False) for _ in [0]]\n"], "{right}", ["f()"], True),
    (["def g():\n    class C:\n        %time %prun -q a_ = False\n"], "{right}", ["g()"], True),
    (["def f():\n    get_ipython().run_line_magic('prun', '-q a_ = False')\n"], "{right}", ["f()"], True),
    # ... while a function that imports a module of its own as global, or catches a NameError as a name, is not
    (["def setup():\n    global np\n    import numpy as np"], "{right}", ["setup()"], False),
    # a fairness review (396): a comprehension's variable in a function that declares the answers global is its own
    (["def summary():\n    global a_, b_, c_, d_, e_\n    answers = [a_, b_, c_, d_, e_]\n    print(sum(1 for a_ in answers if a_))"],
     "{right}", ["summary()"], False),
    (["def f():\n    global e_\n    return {e_: v for e_, v in zip('ab', [1, 2])}, [a_ for a_ in [1]]"], "{right}", ["f()"], False),
    # ... and `%time` or `%prun` of a plain call in a function, `%time` of an assignment there
    (["def f():\n    %time print(a_)\n    %prun -q print(b_)\n    %time x = 1\n"], "{right}", ["f()"], False),
    (["def show():\n    try:\n        print(a_, b_)\n    except NameError as err:\n        print(err)"], "{right}", ["show()"], False),
    # ... and a fairness review's (384): `import inspect` beside a helper's loop over written-out keys
    (["import inspect\nprint(inspect.signature(print))", "def setup():\n    for k, v in {'lr': 0.1, 'wd': 0.01}.items():\n        globals()[k] = v"], "{right}", ["setup()"], False)])
def test_a_function_that_writes_an_answer_called_after_the_answers_cell_is_flagged(above, answers, below, flagged):
    """Review 380: `def f(): globals()['a_'] = False` in a cell above, `f()` in a cell below or at the answers cell's
    end: Jupyter ended with `a_` wrong, the grader graded the literals, 10/10 unflagged (a plain function is no code
    that runs later by itself, and only the cells above were read for one). The literals are graded (as for any code
    that sets an answer without naming it), and the cell that calls it is flagged for a TA, with the function's line."""
    c = _around_answers(answers.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n"), above=above, below=below)
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert ("exec:answers-3-3" in c.flags) is flagged, c.details
    if flagged:
        assert any(("calls a function of the notebook's that may set an answer without naming it" in d or
                    "writes the notebook's names in a function" in d) and " line " in d for d in c.details), c.details


_COUNTER = ("def make_counter():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n        return n\n"
            "    return inc\n")
_RIGHT = "a_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False"


@pytest.mark.parametrize("ans,above", [
    (f"a_ = True\nb_ = True\nc_ = True\nd_ = True\ne_ = False\n{_COUNTER}c = make_counter()\nb_ = False", []),
    (f"{_COUNTER}counter = make_counter()\n{_RIGHT}", []),
    (_RIGHT, [f"{_COUNTER}counter = make_counter()\ncounter()"]),
    (_RIGHT, ["def count_calls(f):\n    calls = 0\n    def wrapper(*a, **k):\n        nonlocal calls\n"
                                     "        calls += 1\n        return f(*a, **k)\n    return wrapper\n@count_calls\n"
                                     "def train():\n    return 0.9\nprint(train())"])])
def test_a_closure_with_nonlocal_is_no_stop(ans, above):
    """A fairness review (362): a closure's `def inc(): nonlocal n` was compiled apart from the function that binds `n`,
    which Python refuses, so `make_counter()` was read as a call that surely stops: `b_` corrected after it lost its
    point ("delete line 13"), and a cell above that called it was flagged `raised:`. Jupyter ran them all to the end."""
    c = _around_answers(ans, above=above)
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert not [f for f in c.flags if f.startswith(("raised", "exec"))], (c.flags, c.details)


@pytest.mark.parametrize("shape", ["lambdas", "defs"])
def test_the_reading_of_what_may_run_later_grows_with_the_text(monkeypatch, shape):
    """Review 363: 2,000 lambdas nested around 2,400 names waiting on one given `globals()` 65 times walked every
    enclosing scope for each, each time (the square of the text: 39 s for a cell of 49,000 characters); 1,600
    functions of one name handed with `globals()` 1,600 times gave each parameter of each again (1.15 GB). Each is
    read once now: the work at twice the text is about twice."""
    from grader.checks import later
    calls = []
    real, local = later._Reader.kind, later._Scope.local
    monkeypatch.setattr(later._Reader, "kind", lambda self, *a: calls.append(1) or real(self, *a))
    monkeypatch.setattr(later._Scope, "local", lambda self, *a: calls.append(1) or local(self, *a))

    def source(n):
        if shape == "lambdas":
            return ";".join("lambda:(g:=globals())" for _ in range(65)) + "\nx=" + "lambda:" * n + "(" + \
                ",".join("lambda:(h:=g)" for _ in range(n)) + ")\n"
        return "".join("def f(p0):0\n" for _ in range(n)) + "t(" + "f," * n + "globals())\n"

    def work(n):
        calls.clear()
        later.later_writes([source(n)], ["a_", "b_"])
        return len(calls)
    small, large = work(200), work(400)
    assert large < 3 * small, (small, large)


@pytest.mark.parametrize("shape", ["plus", "subscripts"])
def test_chains_of_plus_and_subscripts_are_read_once(monkeypatch, shape):
    """Review 375: a chain of `+` had each link's text folded whole (`x = '' + '' + ...`, 2,900 links: the square of
    the chain, 365 s of the grader's own time for a notebook of nineteen such cells), and a chain of subscripts around
    the module was read down again from each link (`__main__[0][0]...`: the square, and 1,500 deep a RecursionError,
    the answers' ten points lost to a grader error). Each is read once now, in both readings."""
    from grader.checks import doors, later
    calls = []
    real_folded, real_modules = doors.folded, later._Reader._modules
    def folded(*a):                     # (the work: the text each folding builds)
        text = real_folded(*a)
        calls.extend([1] * (1 + len(text) if isinstance(text, str) else 1))
        return text
    monkeypatch.setattr(later, "folded", folded)
    monkeypatch.setattr(later._Reader, "_modules", lambda self, *a: calls.append(1) or real_modules(self, *a))

    def source(n):
        chain = "'a'" + "+'a'" * n if shape == "plus" else "__main__" + "[0]" * n
        return f"# global\nx = {chain}\ny = {chain}\n"

    def work(n):
        calls.clear()
        later.later_writes([source(n)], ["a_", "b_"])
        later.namespace_writes([source(n)], ["NameError"])
        return len(calls)
    small, large = work(400), work(800)
    assert large < 3 * small, (small, large)
    later.later_writes([source(1500)], ["a_"])          # (no RecursionError)


def _chained_cell(k: int, last: bool, fillers: int) -> str:
    """Review 417's cell: a chain of ten functions ending in `raise SystemExit`, a link to the next cell's, fillers."""
    chain = "".join(f"def s{k}_{j}(x):\n    " + ("raise SystemExit\n" if j == 9 else f"return s{k}_{j + 1}(x)\n")
                    for j in range(10))
    link = f"def c{k}(x):\n    " + ("raise SystemExit\n" if last else f"return c{k + 1}(x)\n")
    return chain + link + "".join(f"def f{k}_{i}(x):\n    return x + x\n" for i in range(fillers))


@pytest.mark.parametrize("below", [1, 4])
def test_chained_functions_above_are_read_once_for_every_cell_below(monkeypatch, below):
    """Review 417: cells of chained functions above the answers, and small cells below naming the first: each cell
    below read every function above again, each function once a round for as many rounds as the chain is long
    (449 s of the grader's time for one notebook of nineteen such cells and one cell below; some 35 hours with all
    the cells below a notebook may hold). The functions are read once a round where nothing they name changed, and
    the question is answered once for all the cells below that ask it."""
    from grader.checks import stops
    calls = []
    real = stops._stopper
    monkeypatch.setattr(stops, "_stopper", lambda node, *a: calls.append(node) or real(node, *a))

    def reads(fillers: int, cells_below: int) -> int:
        calls.clear()
        c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", above=[_chained_cell(k, k == 1, fillers) for k in range(2)],
                            below=["c0\n"] * cells_below)
        assert all(r.passed for r in answer_rows(c))
        return len(calls)
    # each filler function read a bounded number of times, whatever the cells below and the chains' length
    assert reads(200, below) - reads(100, below) <= 100 * 2 * 8, (reads(100, below), reads(200, below))
    assert reads(100, below) == reads(100, 1)


# Review 420's shapes: each line writes the namespace under a name's key, `k` bound by a cell above, by a loop on the
# line, by a loop over a dict, with a function's `global k` beside it, or under a loop over many written-out keys.
_KEYED_WRITES = {
    "key-bound-above": ("g = globals()\nk = 'zz'\n", "", "g[k]=1\n"),
    "a-loop-each-line": ("g = globals()\n", "", "for k in ('zz',): g[k]=1\n"),
    "loops-over-a-dict": ("g = globals()\n", "hp = {'zz': 1}\n", "for k in hp: g[k]=hp\n"),
    "global-beside-each": ("g = globals()\nk = 'zz'\n", "", "def f():\n    global k\ng[k]=1\n"),
    "one-loop-many-keys": ("g = globals()\n", "for k in ('zz', 'zy', 'zx', 'zw'):\n", "    g[k]=1\n"),
}


@pytest.mark.parametrize("shape", list(_KEYED_WRITES))
def test_writes_under_a_names_key_are_read_in_bounded_work(monkeypatch, shape):
    """Review 420: a cell of 7,100 lines `g[k]=1` above the answers (`g = globals()`, `k` bound in a cell above):
    each key was read against every node of its scope for what binds `k` (7,100 keys times 35,000 nodes: some 100 s
    of the grader's time for one cell, an hour for a notebook of nineteen). The bindings of a name are found once for
    its scope now, and what they say once for all its keys; the reading grows as the cell does."""
    from grader.checks import later
    calls = []
    real_bound_by, real_keys = later.bound_by, later._written_keys
    monkeypatch.setattr(later, "bound_by", lambda node: calls.append(1) or real_bound_by(node))
    monkeypatch.setattr(later, "_written_keys", lambda it, rebound: calls.append(1) or real_keys(it, rebound))
    first, head, line = _KEYED_WRITES[shape]

    def reads(lines: int) -> int:
        calls.clear()
        c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", above=[first, head + line * lines], below=["# g\n"])
        assert all(r.passed for r in answer_rows(c))
        return len(calls)
    small, large = reads(300), reads(600)
    assert large - small <= 1.2 * (small - reads(0)), (reads(0), small, large)


def test_the_answers_cells_code_is_read_once_for_every_alias_above(monkeypatch):
    """Review 421: comments of `%alias q` words in cells above the answers, an answers cell of 49,000 characters with a
    comment in it: its code was read again (tokenized) for each word, 6,000 in one cell, nine minutes of the grader's
    time; some three hours for a notebook at the limits. Read once now, whatever the cells above hold; an alias of a
    name a line of the answers starts with is still found."""
    from grader.checks import answers
    calls = []
    real = answers.code_only
    monkeypatch.setattr(answers, "code_only", lambda s: calls.append(len(s)) or real(s))
    filled = f"# mine\n{_NAMES} = {_RIGHT_VALUES}\nz = [" + "0," * 2000 + "]\n"

    def reads(words: int) -> int:
        calls.clear()
        c = _around_answers(filled, above=["#" + "%alias q" * words + "\n"])
        assert all(r.passed for r in answer_rows(c))
        return sum(n for n in calls if n >= len(filled))       # what was read of the answers cell
    assert reads(200) == reads(20) <= 2 * len(filled), (reads(20), reads(200))
    for name, flagged in ((_NAMES.split(", ")[0], True), ("zz", False)):
        c = _around_answers(filled, above=[f"%alias {name} true\n"])
        assert all(r.passed for r in answer_rows(c)) and ("exec:answers-3-3" in c.flags) == flagged, (name, c.flags)


def test_a_cell_that_assigns_many_names_is_read_once_for_each_answer_only(monkeypatch):
    """Review 422: a cell below the answers of 48,000 characters of `qab=a_` lines (thousands of names, each naming an
    answer): what may set a name without naming it was read through the whole cell for every name the cell assigns,
    46 s of the grader's time a cell, some fifteen minutes for a notebook at the limits. Asked of the answers' names
    only now: as often for a thousand names as for fifty."""
    from grader.checks import writes
    calls = []
    real = writes.magic_writes
    monkeypatch.setattr(writes, "magic_writes", lambda source, names, *a: calls.append(len(names)) or real(
        source, names, *a))

    def reads(names: int) -> int:
        calls.clear()
        below = "# mine\n" + "".join(f"q{i}=a_\n" for i in range(names))
        c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=[below])
        assert all(r.passed for r in answer_rows(c))
        return sum(calls)                   # the names asked about
    assert reads(1000) == reads(50), (reads(50), reads(1000))


def test_a_cells_magics_are_read_once_for_every_name_asked_about(monkeypatch):
    """Review 423: a cell of blank lines and then `%time sc` lines (IPython's `%sc`, run by `%time`), below the answers
    under a comment naming Python's own names, or above an answers cell that sets none: the cell's magics were read
    again for each name asked about (the answers', or the eighty names of Python's own the comment names), and each
    magic's line counted from the top (the square of the lines): 106 s of the grader's CPU for two cells above, 48 s
    for one below. The magics are read once for all the names now, and their lines are the student's."""
    from grader.checks import naming_magics
    from grader.checks.stops import REBINDABLE
    calls = []
    real = naming_magics._naming_magics
    monkeypatch.setattr(naming_magics, "_naming_magics", lambda *a: calls.append(1) or real(*a))
    magics = "\n" * 300 + "%time sc\n" * 20

    def reads(comment: str) -> int:
        calls.clear()
        c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=[comment + magics])
        assert [r.passed for r in answer_rows(c)] == [True] * 5, [r.message for r in answer_rows(c)]
        return len(calls)
    assert reads("# " + " ".join(sorted(REBINDABLE)) + "\n") == reads("# range\n"), \
        (reads("# range\n"), reads("# " + " ".join(sorted(REBINDABLE)) + "\n"))
    said = naming_magics.magic_writes("# mine\n" + magics, ["a_", "b_"], {})
    assert said == {"a_": "`%sc` on line 302", "b_": "`%sc` on line 302"}, said


def test_a_cell_below_that_sets_the_answers_again_is_read_once_for_all_of_them(monkeypatch):
    """Review 423: a cell below the answers that sets the five answers and binds them again in a loop (`for a_, b_, c_,
    d_, e_ in []: pass`), padded to 50,000 characters: each answer's message read the whole cell again (five readings
    more, 12 s of the grader's CPU and 240 MB). Read once now for all five."""
    from grader.checks import answers
    below = f"{_NAMES} = {_RIGHT_VALUES}\nfor {_NAMES} in []: pass\n" + "x;" * 50
    reads = []
    real = answers._readable
    monkeypatch.setattr(answers, "_readable", lambda source, *a: reads.append(source == below) or real(source, *a))
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=[below]))
    assert [r.passed for r in rows] == [False] * 5 and "also set in a `for` loop" in rows[0].message, rows[0].message
    assert sum(reads) == 1, reads


@pytest.mark.parametrize("core", ["(.|.)*", "(.*)*", "[\u0100-\U0010ffff]*" * 40],
                         ids=["alternatives", "repeat-of-a-repeat", "wide-classes"])
def test_a_notebooks_pattern_is_never_compiled_or_run_by_the_grader(monkeypatch, core):
    """Review 423: `%reset_selective -f (.|.)*#` below the answers, under a comment naming `PendingDeprecationWarning`:
    the grader asked `re.search` whether the pattern finds each name, and Python's `re` backtracked for five seconds
    a line on that name (some hours for a cell of such lines); a line of `[\u0100-\U0010ffff]` classes took it
    twenty seconds to compile. The pattern is read without compiling or running it now (`name_patterns`), and as
    exactly where it is read: it deletes `a_` where it finds `a_` in it."""
    import re
    for name in ("compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "split"):
        real = getattr(re, name)

        def guarded(p, *a, _real=real, **k):
            assert not (isinstance(p, str) and core in p), p
            return _real(p, *a, **k)
        monkeypatch.setattr(re, name, guarded)
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    for answers, below, passed in ((right, [f"# PendingDeprecationWarning\n%reset_selective -f {core}#\n"], [True] * 5),
                                   (f"%reset_selective -f {core}#\n{right}", [], [True] * 5),
                                   (right, [f"%reset_selective -f {core}a_\n"], [False] + [True] * 4)):
        rows = answer_rows(_around_answers(answers, below=below))
        assert [r.passed for r in rows] == passed, (answers, below, [r.message for r in rows])


@pytest.mark.parametrize("line", [
    "%reset_selective -f zz\\\\\\\\\n|^[a-e]_$",              # the line goes on on the next one, as IPython joins them
    "get_ipython().run_line_magic('reset_selective', '-f zz' '|[a-e]_')",     # strings as Python reads them
    "get_ipython().run_line_magic('reset_selective', '-f zz\\x7c^[a-e]_')",
    "get_ipython().run_line_magic(r'reset', '-f')", "get_ipython().run_line_magic('re\\x73et_selective', '-f a_')",
    "get_ipython().run_line_magic ('reset_selective', '-f a_')", "get_ipython().run_line_magic(u'xdel', '-n a_')"])
def test_a_magic_that_deletes_the_answers_is_read_as_ipython_reads_it(line):
    """Review 424: the answers, then a magic that deletes them in Jupyter, each 10/10 unflagged: a `%reset_selective`
    pattern whose line ends in a backslash (IPython reads the next line as the rest of it), IPython's call of a magic
    with its strings written otherwise (`'-f zz' '|[a-e]_'`, an escape, a prefix, a space before the bracket). The
    call is read from the cell's syntax tree now, and a line that goes on is read as any such magic."""
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{line}\n"))
    assert not rows[0].passed and "may be set by `%" in rows[0].message, [r.message for r in rows]


@pytest.mark.parametrize("line", ["%reset_selective -f '[\\w-z]'", "%reset_selective -f\xa0zz"])
def test_a_magic_line_ipython_refuses_above_the_answers_is_a_stop(line):
    """Review 424: above the answers in their cell, `%reset_selective -f '[\\w-z]'` (a range from a class, which `re`
    refuses) and `%reset_selective -f\xa0zz` (a no-break space: one argument to IPython, an option it refuses) stop
    the cell in Jupyter; the grader read both as lines that run through, 10/10 where Jupyter ended with no answer."""
    rows = answer_rows(_around_answers(f"{line}\n{_NAMES} = {_RIGHT_VALUES}\n"))
    assert not any(r.passed for r in rows), [r.message for r in rows]


@pytest.mark.timeout(60)
def test_a_line_of_one_long_word_after_two_percent_signs_is_read_at_once():
    """Review 424: a string holding `%%` and 49,900 letters held the grader 40 s a cell: the pattern for a cell magic
    with `--out` tried each shorter word and read the rest of the line again for each (the square of the line), some
    13 minutes for a notebook of nineteen. Read in one pass now, and the same magics found as before on random lines;
    a line of thousands of magics is read as one that may set any name."""
    import random
    import re as re_module

    from grader.checks import naming_magics
    from grader.magics import line_starts
    big = 's = """\n%%' + "a" * 49_900 + '\n"""\n'
    assert naming_magics._naming_magics(big, line_starts(big)) == []
    crowded = "%store x " * 9_000 + "\n"
    assert naming_magics.magic_writes(crowded, ["a_"], {})["a_"].endswith("(more than 8 magics on one line: read as "
                                                                          "any such magic)")
    old = re_module.compile(rf"(%(?:{'|'.join(naming_magics._NAMING_NAMES)})\b|%%capture\b|"
                            r"%%\w+(?=[^\n]*\s--(?:out|err|proc)\b))(?=(.*))")
    draw = random.Random(424)
    for _ in range(5_000):
        text = "".join(draw.choice(["%%", "%", "run", "capture", "bash", "a", " ", "--out", "--err", "x", "\t"])
                       for _ in range(draw.randint(0, 10)))
        if re_module.search(rf"%%(?:{'|'.join(naming_magics._NAMING_NAMES)})\b", text):
            continue                # (`%%run` is no magic IPython has: read as `%run` where no `--out` follows)
        found = naming_magics._naming_magics(text, line_starts(text))
        before = [(m.start(), m.group(1), m.group(2).split()) for m in old.finditer(text, len(text) - len(
            text.lstrip()))] if text.lstrip().startswith("%") else []
        assert found == before or len(before) > 8, (text, found, before)


def test_functions_nested_deep_are_each_read_once(monkeypatch):
    """Review 358: 99 functions nested in a cell of 50,000 characters above the answers: each function's whole body
    was walked again for what it writes and for a `%timeit` line in it (the depth times the cell, 10 s of the grader's
    time for one cell, 190 s for a notebook of nineteen). Each part of the cell is read once now."""
    import ast

    from grader.checks import bindings, later
    seen = []

    def counted(real):
        def count(*a, **k):
            for n in real(*a, **k):
                seen.append(n)
                yield n
        return count

    def visits(depth):
        seen.clear()
        source = "".join(" " * d + f"def f{d}():\n" for d in range(depth)) + " " * depth + "global a_\n" + \
            " " * depth + "a_ = " + "a<" * 2000 + "a\n"
        bindings._read_bindings(ast.parse(source))
        later.later_writes([source], ["a_", "b_"])
        return len(seen), sum(1 for _ in ast.walk(ast.parse(source)))
    monkeypatch.setattr(bindings, "walk", counted(bindings.walk))
    monkeypatch.setattr(later, "within", counted(later.within))
    shallow, small = visits(2)
    deep, large = visits(60)
    assert deep / large < 2 * shallow / small + 5, (shallow, small, deep, large)


@pytest.mark.parametrize("above", [
    "exec('Excep' + 'tion = Key' + 'Error')", "%macro -q Exception 1",
    "k = 'Excep' + 'tion'\nglobals()[k] = KeyError", "k = 'Excep' + 'tion'\n__builtins__.__dict__[k] = KeyError",
    # review 329: a star import, which may bind any name (`from multiprocessing import *` binds `TimeoutError`)
    "from multiprocessing import *",
    "get_ipython().user_ns.update({'Excep' + 'tion': getattr(__builtins__, 'Key' + 'Error')})",
    # ... the namespace followed by the keys it is written under (a fairness review, 371, narrowed the rule to them)
    "globals().update({'Excep' + 'tion': KeyError})", "g = globals()\ng['Exception'] = KeyError",
    "def put(ns, k, v):\n    ns[k] = v\nput(globals(), 'Excep' + 'tion', KeyError)",
    "import json\ndef load(text, setter):\n    setter(json.loads(text))\nload('{\"Exception\": 1}', globals().update)",
    "import builtins\nvars(builtins)['Excep' + 'tion'] = KeyError", "import builtins\nbuiltins.__setattr__('Exception', KeyError)",
    # ... the builtins and the notebook's module, followed as modules (a fairness review, 374, had any mention of them
    # flagged)
    "import builtins\nbuiltins.Exception = KeyError",
    "import importlib\nimportlib.import_module('builtins').Exception = KeyError",
    "__builtins__.Exception = KeyError",
    "import __main__\n__main__.Exception = KeyError",
    "import sys\nm = sys.modules\nm['builtins'].Exception = KeyError",
    "globals()['__builtins__'].Exception = KeyError",
    "import sys\nb = sys.modules['built' + 'ins']\nb.Exception = KeyError",
    "import sys\nsys.modules['__main__'].__builtins__.Exception = KeyError",
    # review 376: the modules iterated (`for m in sys.modules.values()`), the name unread
    "import sys\nfor m in list(sys.modules.values()):\n    if m.__name__ == 'builtins':\n        setattr(m, 'noitpecxE'[::-1], KeyError)",
    "import sys\nfor m in list(sys.modules.values()):\n    if m.__name__ == '__main__':\n        setattr(m, 'noitpecxE'[::-1], KeyError)",
    "import sys\nfor k, m in list(sys.modules.items()):\n    if k == 'builtins':\n        setattr(m, 'noitpecxE'[::-1], KeyError)",
    # review 373: a key whose `upper` or `+` is the notebook's own
    "class K:\n    def upper(self):\n        return 'Exception'\nglobals()[K().upper()] = KeyError",
    "class S(str):\n    def __add__(self, o):\n        return str(self)\nglobals()[S('Exception') + '_'] = KeyError",
    # review 380: `dict` bound again; a comprehension's variable read as the name outside it; a loop's key bound again
    # by a function's `global` or `nonlocal`; a dict changed through another name, a list or a call before the loop;
    # the module out of a dict written out
    "dict = lambda **kw: {'Exception': KeyError}\nfor k, v in dict(lr=0).items():\n    globals()[k] = v",
    ["k = 'Exception'", "[0 for k in ('lr',)]\nglobals()[k] = KeyError"],
    "def g():\n    global k\n    k = 'Exception'\nfor k in ('lr',):\n    g()\n    globals()[k] = KeyError",
    "def f():\n    def g():\n        nonlocal k\n        k = 'Exception'\n    for k in ('lr',):\n        g()\n        globals()[k] = KeyError\nf()",
    "def f():\n    hp = {'lr': 0.1}\n    h = hp\n    h['Exception'] = KeyError\n    for k in hp:\n        globals()[k] = hp[k]\nf()",
    "def f():\n    hp = {'lr': 0.1}\n    box = [hp]\n    box[0]['Exception'] = KeyError\n    for k, v in hp.items():\n        globals()[k] = v\nf()",
    "def g():\n    hp['Exception'] = KeyError\nhp = {'lr': 0.1}\ng()\nfor k in hp:\n    globals()[k] = hp[k]",
    "import __main__\nsetattr({'m': __main__}['m'], ''.join(['Excep', 'tion']), KeyError)",
    "import __main__\nsetattr(dict(m=[__main__])['m'][0], 'Exception', KeyError)",
    # ... the module's name used before the loop that binds it (it holds what a cell above gave it)
    ["k = 'Exception'", "globals()[k] = KeyError\nfor k in ('lr',):\n    pass"],
    # review 384: a closure's cell; a finalizer or a function the loop calls that changes the dict; a thread a library
    # starts; `functools.update_wrapper` on the module
    "def f():\n    k = 'lr'\n    def g():\n        return k\n    g.__closure__[0].cell_contents = 'Exception'\n    globals()[k] = KeyError\nf()",
    ["class W:\n    def __del__(self):\n        hp['Exception'] = KeyError\nhp = W()", "hp = {'lr': 0.1}\nfor k in hp:\n    globals()[k] = hp[k]\n"],
    ["def g():\n    hp.pop('wd')\n    hp['Exception'] = KeyError", "hp = {'lr': 0.1, 'wd': 0.2}\nfor k in hp:\n    globals()[k] = hp[k]\n    g()\n"],
    ["import queue, logging.handlers, time\nq = queue.Queue()\nclass H:\n    level = 0\n    def handle(self, r):\n        hp.pop('wd')\n        hp['Exception'] = KeyError\nlogging.handlers.QueueListener(q, H()).start()", "hp = {'lr': 0.1, 'wd': 0.2}\nfor k in hp:\n    q.put(1)\n    time.sleep(0.5)\n    globals()[k] = hp[k]\n"],
    "import functools, sys\nclass S:\n    Exception = KeyError\nfunctools.update_wrapper(sys.modules[__name__], S, assigned=())",
    "import functools, sys, types\nfunctools.update_wrapper(sys.modules[__name__], types.SimpleNamespace(Exception=KeyError), assigned=())"])
def test_code_above_that_may_set_any_name_is_flagged_where_the_answers_use_one_of_pythons_names(above):
    """Review 322 rebound `Exception` from a cell above by code that names no name; reading every such cell as
    rebinding every exception class cost honest drafts their answers (a fairness review, 324: `logging.getLogger(
    __name__)` above two tries around `print(sys.version)`). The answers are graded as written, and the cell is
    flagged `exec:` for a TA where the answers cell uses such a name."""
    line = "try:\n    raise ValueError\nexcept Exception:\n    pass"
    above = above if isinstance(above, list) else [above]
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{line}\n", above=above)
    assert all(r.passed for r in answer_rows(c))
    assert "exec:answers-3-3" in c.flags and any("may set names without naming them" in d or
                                                 "may bind `Exception` again" in d for d in c.details), c.details
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", above=above)
    answer_rows(c)
    if not any("__del__" in a for a in above):      # (a finalizer beside a write of any name is flagged anyway)
        assert ("exec:answers-3-3" in c.flags) is any("%macro" in a for a in above), c.details  # so is a macro


@pytest.mark.parametrize("above,draft", [
    ("import sys, logging\nlog = logging.getLogger(__name__)", "print(sys.version)"),
    ("import os\n%reset -f\nimport os, sys", "print(os.getcwd())"),
    ("cfg = {'lr': 0.01}\nfor k, v in cfg.items():\n    exec(f'{k} = {v!r}')", "notes = {}\ntry:\n    notes['x']\nexcept KeyError:\n    pass"),
    ("NotImplementedError = KeyError", "class Notes:\n    def check(self):\n        raise NotImplementedError")])
def test_an_honest_draft_beside_everyday_cells_above_keeps_its_answers(above, draft):
    """A fairness review (324): `logging.getLogger(__name__)`, `%reset -f` or an `exec` helper above, and a draft that
    prints `sys.version` or catches a `KeyError` between two tries at an answer, cost the answer (every name of Python's
    own read as bound again), with a `raised:` flag naming a "magic line"; a method that is never called read as using
    `NotImplementedError` at its class. Jupyter ended with the right answers."""
    wrong = f"a_ = {not SPEC.answer_key()['a_']}\n"
    c = _around_answers(f"{wrong}{draft}\n{_NAMES} = {_RIGHT_VALUES}\n", above=[above])
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert not any(f.startswith("raised:") for f in c.flags), (c.flags, c.details)


@pytest.mark.parametrize("above,draft", [
    # a name computed and stored by code above: any name, read as code that may set names (flagged, graded as written)
    ("for name, acc in {'sigmoid': 0.11, 'relu': 0.91}.items():\n    globals()[f'acc_{name}'] = acc",
     "try:\n    print(a_)\nexcept NameError:\n    pass"),
    ("globals().update(dict(lr=0.01, momentum=0.5))", "import sys\nprint(sys.version)"),
    ("vars().update({'seed': 66})", "for x in (a_,):\n    if not isinstance(x, bool):\n        raise TypeError(x)"),
    ("class Config:\n    def __init__(self, **kw):\n        self.__dict__.update(kw)\ncfg = Config(lr=0.01)",
     "import os\nos.makedirs('out', exist_ok=True)"),
    # the answers cell's own import of a name a cell above bound again
    ("sys = None", "import sys\nprint(sys.version)"),
    # a module's notes of its own, not names Python reads
    ("", "__author__ = 'Jane Doe'\n__version__ = '2'")])
def test_a_corrected_answer_keeps_its_points_beside_everyday_code(above, draft):
    """A fairness review (326): a cell above that stored names it computed (`globals()[f"acc_{name}"]`,
    `vars().update(...)`, `self.__dict__.update(kw)`) was read as binding every name of Python's own again, so an
    answer corrected in the cell after a line that used `NameError`, `sys` or `os` lost its points; so did one after
    `import sys` in the answers cell itself, and one below `__author__ = ...` (flagged `raised:` too). Jupyter
    ended with the corrected answers each time."""
    wrong = f"a_ = {not SPEC.answer_key()['a_']}\n"
    c = _around_answers(f"{wrong}{draft}\n{_NAMES} = {_RIGHT_VALUES}\n", above=[above] if above else [])
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert not any(f.startswith("raised:") for f in c.flags), (c.flags, c.details)


@pytest.mark.parametrize("above", [
    "globals()['b_'] = 0.85 > 0.91", "for n, acc in [('relu', 0.91)]:\n    globals()[f'acc_{n}'] = acc",
    "for k, v in zip('abcde', [True, False, True, True, False]):\n    globals()[k + '_'] = v",
    "lr = 0.01\nprint('lr={lr}'.format_map(globals()))", "results = globals().setdefault('results', {})",
    "class Registry:\n    def __init__(self, ns):\n        self.ns = ns\n    def get(self, k):\n        return self.ns.get(k)\n"
    "reg = Registry(globals())\nprint(reg.get('lr'))",
    "results = {}\nstore = results.__setitem__\nstore('relu', 0.91)",
    "from functools import partial\nset_hp = partial(dict.update, globals())\nset_hp(lr=0.01)",
    # a fairness review (379): a name a loop over the modules gave, bound again; keys from strings written out
    "import sys\nfor n, m in list(sys.modules.items()):\n    pass\nclass Tracker:\n    pass\nm = Tracker()\nhp = {'lr': 0.1}\nfor key in hp:\n    setattr(m, key, hp[key])",
    "import sys\nfor name, model in list(sys.modules.items()):\n    pass\nclass Net:\n    pass\nmodel = Net()\nhp = dict(lr=0.01, momentum=0.9)\nfor k, v in hp.items():\n    setattr(model, k, v)",
    "import sys\nfor name, m in sys.modules.items():\n    if name.startswith('tqdm'):\n        for opt in ('monitor_interval',):\n            setattr(m, opt, 0)",
    "import sys\nfor name, m in list(sys.modules.items()):\n    if name.startswith('mytools'):\n        for k, v in {'VERBOSE': False, 'DEBUG': False}.items():\n            setattr(m, k, v)",
    # a fairness review (377): an f-string key beside a class of the notebook's with `__add__`
    "class Vec:\n    def __add__(self, o):\n        return self\nfor n in ['mlp', 'cnn']:\n    globals()[f'model_{n}'] = n",
    # a fairness review (374): cells that only read `__main__`, `sys.modules`, `__name__` or import modules by name
    "import __main__\nNOTEBOOK = not hasattr(__main__, '__file__')",
    "import sys\nprint(len(sys.modules))",
    "modname = __name__",
    "import sys\nthis = sys.modules[__name__]\nprint(this.__name__)",
    "from importlib import import_module\njs = import_module('json')",
    "import importlib\ndef optional(name):\n    try:\n        return importlib.import_module(name)\n    except ImportError:\n        return None",
    # a fairness review (384): a thread imported beside a loop over a dict written out right above it
    "import threading\nprint(threading.active_count())\nhp = {'lr': 0.1}\nfor k in hp:\n    globals()[k] = hp[k]"])
def test_the_namespace_written_under_other_keys_is_no_flag_where_the_answers_cell_catches_a_name_error(above):
    """A fairness review (371): 38 honest drafts above an answers cell that prints the answers in `try: ... except
    NameError:` were flagged `exec:` as code that "may set names without naming them": the namespace written under
    an answer's key, a key computed as `f'acc_{n}'` or `k + '_'`, read by `format_map`, handed to a class that reads
    it, a plain dict's `__setitem__`. The namespace is followed by the keys it is written under; none can be
    `NameError`."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\ntry:\n    print({_NAMES})\nexcept NameError:\n    pass\n",
                        above=[above])
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert "exec:answers-3-3" not in c.flags, c.details


@pytest.mark.parametrize("alias", ["import sys\nexit = sys.exit", "import sys\nprint = sys.exit",
                                   "from os import _exit\nquit = bye = _exit",
                                   # review 327: the module given a name, the call inside a statement
                                   "import sys\ns = sys\nbye = s.exit", "import sys\n_ = sys.exit",
                                   # review 329: `__call__` of an exit call
                                   "import sys\nstop = sys.exit.__call__"])
def test_a_name_the_answers_cell_gives_an_exit_call_stops_where_it_is_called(alias):
    """Review 325: `exit = sys.exit` (or `print = sys.exit`) in the answers cell, then the wrong answers, `exit()`
    (`print('draft')`) and the right ones: Jupyter stopped at the call and ended with the wrong ones, and the right
    ones were graded, unflagged."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    call = alias.split("\n")[-1].split(" = ")[0].split(" ")[0] + "('draft')"
    c = _around_answers(f"{alias}\n{wrong}{call}\n{_NAMES} = {_RIGHT_VALUES}\n")
    rows = answer_rows(c)
    assert not any(r.passed for r in rows), [r.message for r in rows]
    assert "raised:answers-3-3" in c.flags, c.flags
    # a plain `exit()` is IPython's, which returns: the cell goes on (review 315)
    rows = answer_rows(_around_answers(f"{wrong}exit()\n{_NAMES} = {_RIGHT_VALUES}\n"))
    assert all(r.passed for r in rows), [r.message for r in rows]
    # ... and one a cell above imported (`from sys import exit`: review 325; read as a stop, not as a name bound again,
    # since a fairness review, 328, lost a corrected answer around an `if ...: exit(...)` so)
    for above, line in (("from sys import exit", "exit()"), ("from sys import exit as quit",
                                                             "try:\n    quit()\nexcept Exception:\n    pass"),
                        ("from sys import *", "exit()"), ("from _thread import *", "exit()")):
        c = _around_answers(f"{wrong}{line}\n{_NAMES} = {_RIGHT_VALUES}\n", above=[above])
        rows = answer_rows(c)
        assert not any(r.passed for r in rows) and "raised:answers-3-3" in c.flags, [r.message for r in rows]
    # ... and an exit call inside a statement stops it too (review 327), but not one a literal `or` skips
    for line, stops in (("_ = sys.exit()", True), ("print(sys.exit())", True), ("x = True or sys.exit()", False),
                        # review 335: the C module's abort, the kernel's process replaced
                        ("import posix\nposix.abort()", True), ("import os\nos.execv('/bin/true', ['true'])", True),
                        ("sys.exit.__call__()", True), ("@sys.exit\ndef done():\n    pass", True)):
        rows = answer_rows(_around_answers(f"import sys\n{wrong}{line}\n{_NAMES} = {_RIGHT_VALUES}\n"))
        assert all(not r.passed if stops else r.passed for r in rows), (line, [r.message for r in rows])


@pytest.mark.parametrize("above,answers", [
    (None, "import warnings\nwarnings.simplefilter('error')\n{wrong}assert (a_, b_)\n{right}"),
    ("import warnings\nwarnings.simplefilter('error', SyntaxWarning)", "{wrong}ok = a_ is not 'yes'\n{right}"),
    ("import warnings as w\nw.filterwarnings(action='error')", "{wrong}assert (a_, 'draft')\n{right}"),
    # review 327: the filters set otherwise: a tuple put into the list, an option, a context entered by hand, the
    # function imported under another name in a cell above that calls it
    ("import warnings\nwarnings.filters.insert(0, ('error', None, Warning, None, 0))", "{wrong}assert (a_, 'draft')\n{right}"),
    ("import warnings\nwarnings._setoption('error::SyntaxWarning')", "{wrong}assert (a_, 'draft')\n{right}"),
    ("import warnings\nwarnings.catch_warnings(action='error').__enter__()", "{wrong}assert (a_, 'draft')\n{right}"),
    ("from warnings import simplefilter as sf\nsf('error')", "{wrong}assert (a_, 'draft')\n{right}"),
    # review 329: a name given by assignment, `__call__`, a message pattern that matches, a quiet filter put behind
    # the others or for one line only, a loop that surely runs, options, a slice of the list
    ("import warnings\nsf = warnings.simplefilter\nsf('error')", "{wrong}assert (a_, b_)\n{right}"),
    ("import warnings\nwarnings.simplefilter.__call__('error')", "{wrong}assert (a_, b_)\n{right}"),
    ("import warnings\nwarnings.filterwarnings('error', '.*')", "{wrong}assert (a_, b_)\n{right}"),
    ("import warnings\nwarnings.simplefilter('error')\nwarnings.simplefilter('ignore', append=True)\n"
     "warnings.filterwarnings('ignore', lineno=999)", "{wrong}assert (a_, b_)\n{right}"),
    ("import warnings\nfor _ in [0]:\n    warnings._processoptions(['error'])", "{wrong}assert (a_, b_)\n{right}"),
    ("import warnings\nwarnings.filters[:0] = [('error', None, Warning, None, 0)]", "{wrong}assert (a_, b_)\n{right}"),
    # review 331: the list replaced, a category that covers every warning, an error filter appended (no filter of
    # Python's or IPython's covers SyntaxWarning), the private helper
    ("import warnings\nwarnings.filters = [('error', None, Warning, None, 0)]", "{wrong}assert (a_, b_)\n{right}"),
    ("import warnings\nwarnings.filters.insert(0, ('error', None, Exception, None, 0))", "{wrong}assert (a_, b_)\n{right}"),
    ("import warnings\nwarnings.simplefilter('error', SyntaxWarning, append=True)", "{wrong}assert (a_, b_)\n{right}"),
    ("import warnings\nwarnings._add_filter('error', None, Warning, None, 0, append=False)", "{wrong}assert (a_, b_)\n{right}"),
    # review 333: the action of a warning no filter matches
    ("import warnings\nwarnings.defaultaction = 'error'", "{wrong}assert (a_, b_)\n{right}"),
    # review 336: filters added at the list's end, or held in a name
    (None, "import warnings\nwarnings.filters += [('error', None, SyntaxWarning, None, 0)]\n{wrong}assert (a_, b_)\n{right}"),
    (None, "import warnings\nwarnings.filters.extend([('error', None, SyntaxWarning, None, 0)])\n{wrong}assert (a_, b_)\n"
           "{right}"),
    (None, "import warnings\nt = ('error', None, SyntaxWarning, None, 0)\nwarnings.filters.insert(0, t)\n{wrong}"
           "assert (a_, b_)\n{right}"),
    ("import warnings\nwarnings.filters += [('error', None, SyntaxWarning, None, 0)]", "{wrong}assert (a_, b_)\n{right}")])
def test_what_python_warns_about_is_flagged_where_a_filter_may_make_warnings_errors(above, answers):
    """Review 325: `warnings.simplefilter('error')` in the answers cell or a cell above, then the wrong answers, a
    statement Python compiles with a warning (`assert (a_, b_)`, `x is 'yes'`) and the right ones: IPython compiles
    each statement as its turn comes, the warning is an error then, and Jupyter stopped there with the wrong ones,
    graded 10/10 unflagged. Which filter is in force when the cell runs the grader cannot always tell (fairness
    reviews 328, 330 and 332 lost honest cells all ten points to filters restored, quieted or scoped in ways a reading
    of the text missed), so the cell is flagged `raised:` with the line for a TA and graded as written."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    c = _around_answers(answers.format(wrong=wrong, right=f"{_NAMES} = {_RIGHT_VALUES}\n"), above=[above] if above else [])
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert "raised:answers-3-3" in c.flags and any("may make that warning an error" in d and "line " in d
                                                   for d in c.details), (c.flags, c.details)
    # ... not where the filter keeps warnings warnings (`'ignore'`, the everyday one), nor where nothing warns; nor
    # (a fairness review, 328) a filter inside a `with catch_warnings():` block, which puts the filters back, one of
    # an action in a variable, one of a category compiling never warns of, one a later filter undoes
    for quiet, draft in (("warnings.filterwarnings('ignore')", "assert (a_, b_)"),
                         ("warnings.simplefilter('error')", "assert a_ in (True, False)"),
                         ("with warnings.catch_warnings():\n    warnings.simplefilter('error')\n    x = 1", "assert (a_, b_)"),
                         ("mode = 'ignore'\nwarnings.simplefilter(mode)", "assert (a_, b_)"),
                         ("warnings.filterwarnings('error', category=UserWarning)", "assert (a_, b_)"),
                         ("warnings.simplefilter('error', ResourceWarning)", "assert (a_, b_)"),
                         ("warnings.simplefilter('error', DeprecationWarning)", "assert (a_, b_)"),
                         ("warnings.simplefilter('error')\nwarnings.filterwarnings('ignore')", "assert (a_, b_)")):
        c = _around_answers(f"{wrong}{draft}\n{_NAMES} = {_RIGHT_VALUES}\n", above=[f"import warnings\n{quiet}"])
        rows = answer_rows(c)
        assert all(r.passed for r in rows) and "raised:answers-3-3" not in c.flags, ([r.message for r in rows], c.flags)


def test_an_invalid_escape_is_flagged_where_a_filter_may_make_warnings_errors():
    """Review 325: `warnings.simplefilter("error", DeprecationWarning)` above, and `print('done \\o/')` below the right
    answers: Python 3.11 warns of the escape as it reads the cell, the warning was an error, and Jupyter ran none of
    it (every answer unset). Flagged `raised:` with the line and how to keep the backslash; graded as written (an
    earlier rule that scored it 0 cost honest cells all ten points where the filter was undone: 328, 330, 332)."""
    answers = f"{_NAMES} = {_RIGHT_VALUES}\nprint('done \\o/')\n"
    c = _around_answers(answers, above=["import warnings\nwarnings.simplefilter('error', DeprecationWarning)"])
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert "raised:answers-3-3" in c.flags and any("the cell (line 2" in d and "r'...'" in d for d in c.details), c.details
    c = _around_answers(answers)
    rows = answer_rows(c)
    assert all(r.passed for r in rows) and "raised:answers-3-3" not in c.flags, c.flags
    # ... nor where the filter is one that compiling the cell never meets (a fairness review, 328), or one that may
    # be undone, or not set, where the cell runs (330: a `setup()` that quiets them, `if QUIET:`, a loop over
    # categories, an action in a variable, a message pattern that matches, `filters.clear()`, a filter put behind
    # Python's own, one after an import that may fail)
    for quiet in ("warnings.filterwarnings('error', category=UserWarning)", "warnings.simplefilter('error', ResourceWarning)",
                  "with warnings.catch_warnings():\n    warnings.simplefilter('error')",
                  "warnings.simplefilter('error')\ndef setup():\n    warnings.filterwarnings('ignore')\nsetup()",
                  "warnings.simplefilter('error')\nQUIET = True\nif QUIET:\n    warnings.filterwarnings('ignore')",
                  "warnings.simplefilter('error')\nfor cat in (DeprecationWarning, UserWarning):\n    warnings.simplefilter('ignore', cat)",
                  "warnings.simplefilter('error')\nACTION = 'ignore'\nwarnings.simplefilter(ACTION)",
                  "warnings.simplefilter('error')\nwarnings.filterwarnings('ignore', message='invalid escape sequence')",
                  "warnings.simplefilter('error')\nwarnings.filters.clear()",
                  "warnings.filterwarnings('error', append=True)",
                  "try:\n    import not_installed_pkg\n    warnings.simplefilter('error')\nexcept ImportError:\n    pass"):
        c = _around_answers(answers, above=[f"import warnings\n{quiet}"])
        rows = answer_rows(c)
        assert all(r.passed for r in rows) and "raised:answers-3-3" not in c.flags, (quiet, c.flags)
    # ... and (332) filters restored in ways the grader does not follow keep the answers, flagged at most
    for restored in ("saved = warnings.filters[:]\nwarnings.simplefilter('error')\nwarnings.filters[:] = saved",
                     "ctx = warnings.catch_warnings(record=True)\nwith ctx as caught:\n    warnings.simplefilter('error')",
                     "warnings.simplefilter('error')\nwarnings.filters.pop(0)"):
        rows = answer_rows(_around_answers(answers, above=[f"import warnings\n{restored}"]))
        assert all(r.passed for r in rows), (restored, [r.message for r in rows])


def test_a_filters_message_pattern_is_never_run_in_the_grader_process(monkeypatch):
    """Review 335: `warnings.filterwarnings('ignore', '(.|.){0,29}#')` above the answers: the grader matched the
    student's pattern against Python's warning texts in its own process, where it backtracked for minutes holding the
    interpreter, and an honest neighbour graded beside it lost 5 points to a time-out. No student pattern is compiled."""
    import re as re_module
    compiled = []
    real = re_module.compile
    monkeypatch.setattr(re_module, "compile", lambda p, *a, **k: compiled.append(p) or real(p, *a, **k))
    above = ["import warnings\nwarnings.filterwarnings('ignore', '(.|.){0,29}#')\nwarnings.filterwarnings('error', 'assert')"]
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", above=above)
    rows = answer_rows(c)
    monkeypatch.undo()
    assert all(r.passed for r in rows)
    assert not any("(.|.)" in str(p) or p == "assert" for p in compiled), compiled


@pytest.mark.parametrize("message", ["Mean of empty slice.", ".*overflow.*", "lbfgs failed to converge (status=1):",
                                     "A value is trying to be set on a copy of a slice from a DataFrame.*",
                                     "To copy construct from a tensor, it is recommended to use sourceTensor.clone()",
                                     r"^Degrees of freedom <= 0", ".*np.float.*",
                                     # a fairness review (340): a class, the case flag, alternatives
                                     "[Mm]ean of empty slice", "(?i)mean of empty slice", "overflow|invalid value"])
@pytest.mark.parametrize("answers", ["assert (1 == 1, 'always')\n{right}", "{right}print('answers\\_done')\n"])
def test_an_error_filter_for_other_messages_leaves_an_honest_answers_cell_unflagged(message, answers):
    """A fairness review (338): an error filter for a library's own warning, whose message holds a full stop or a
    parenthesis (`filterwarnings('error', message='Mean of empty slice.')`), flagged an honest answers cell that holds
    an assertion of a tuple or an invalid escape: any character of a regular expression read as "may match anything".
    The message is read as `re.match` reads it, never compiled, and these match none of Python's compiling warnings."""
    c = _around_answers(answers.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n"),
                        above=[f"import warnings\nwarnings.filterwarnings('error', message={message!r})"])
    rows = answer_rows(c)
    assert all(r.passed for r in rows) and "raised:answers-3-3" not in c.flags, (c.flags, c.details)


@pytest.mark.parametrize("above,answers", [
    ("warnings.filterwarnings('error', message='assert')", "assert (a_, b_)"),
    ("warnings.filterwarnings('error', message='.*parenthes')", "assert (a_, b_)"),
    ("warnings.filterwarnings('error', message='inv.lid escape')", "print('\\o/')"),
    ("warnings.filterwarnings('error', message=\"'int' object\")", "x = 1()"),
    ("warnings._setoption('error:assertion')", "assert (a_, b_)"),
    # a quiet filter for one message leaves the others errors
    ("warnings.simplefilter('error')\nwarnings.filterwarnings('ignore', message='assertion')", "print('\\o/')"),
    ("warnings.simplefilter('error')\nwarnings._setoption('ignore:invalid escape')", "assert (a_, b_)")])
def test_an_error_filter_whose_message_matches_a_compiling_warning_is_still_flagged(above, answers):
    """The other side of the fairness fix (338): a message that matches the warning Python gives, read from its text,
    a pattern's `.` and `.*` followed, options' messages (which Python escapes) read as text; a quiet filter for one
    message quiets only the warnings it matches."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    c = _around_answers(f"{wrong}{answers}\n{_NAMES} = {_RIGHT_VALUES}\n", above=[f"import warnings\n{above}"])
    answer_rows(c)
    assert "raised:answers-3-3" in c.flags, (above, answers, c.details)


def test_a_cell_read_for_answers_only_where_it_names_one_holds_every_answer_a_reading_finds():
    """A cell added beside the answers cell is read for answers only where its text, as Python reads names, names
    one (a reading costs seconds at the length limit): on cells that set answers every way the reading knows,
    spelled with letters Python reads as the plain names too, the shortcut never skips a cell with an answer."""
    import random

    from grader.checks.answers import _MISSING, _names_any, read_answers
    names = _NAMES.split(", ")
    ways = ["{n} = True", "{n}: bool = False", "{n} += 1", "({n} := True)", "x, {n} = 1, True", "for {n} in [1]: pass",
            "%time {n} = True", "store -r {n}", "%store -r {n}", "import os as {n}", "def {n}(): pass", "del {n}",
            "with open('f') as {n}: pass", "if x:\n    {n} = 1", "x = {n} = True", "[{n}] = [True]"]
    fills = ["x = 1", "from __future__ import annotations", "print('a_b_')", "y_a_ = 1", "a__ = 2", "e_x = 3"]
    draw = random.Random(35)
    found = 0
    for _ in range(3000):
        name = draw.choice(names)
        spelled = name if draw.random() < 0.5 else "".join(chr(ord(ch) + 0xFEE0) if ch.isalpha() else ch
                                                            for ch in name)
        lines = draw.sample(fills, draw.randint(0, 3))
        if draw.random() < 0.8:
            lines.insert(draw.randint(0, len(lines)), draw.choice(ways).format(n=spelled))
        source = "\n".join(lines)
        values, _ = read_answers(source, names)
        if any(v is not _MISSING for v in values.values()):
            found += 1
            assert _names_any(source, names), source
    assert found > 1000


def test_the_second_walk_of_the_features_reads_what_a_whole_walk_reads():
    """Where the answers cell warns, the notebook's warnings filters are read in a second walk that takes the first
    walk's features for cells with no filter (not parsing them again): on random notebooks of features, filters
    and magics, what it says at every cell equals a whole walk's."""
    import random

    import nbformat

    from grader.checks.stops import features_at
    pieces = ["from __future__ import annotations", "from __future__ import barry_as_FLUFL", "x = 1", "1 <> 2",
              "import warnings\nwarnings.simplefilter('error')", "import warnings\nwarnings.filterwarnings('ignore')",
              "%time from __future__ import annotations", "from __future__ import nope", "import warnings as w\n"
              "w.simplefilter('error')", "warnings.simplefilter('error', DeprecationWarning)\nfrom __future__ import "
              "annotations", "def f():\n    from __future__ import annotations", "from __future__ import "
              "generator_stop\nwarnings.filterwarnings('error', category=SyntaxWarning)"]
    draw = random.Random(35)
    shortcuts = 0
    for _ in range(2000):
        cells = [nbformat.v4.new_code_cell("\n".join(draw.sample(pieces, draw.randint(1, 3))))
                 for _ in range(draw.randint(1, 7))]
        for index, cell in enumerate(cells):
            cell.index = index
        first = features_at(cells)
        whole, second = features_at(cells, filters=True), features_at(cells, filters=True, known=first)
        for index in range(len(cells) + 1):
            assert (second(index), second.error_filter(index)) == (whole(index), whole.error_filter(index)), \
                ([c.source for c in cells], index)
        shortcuts += any("__future__" in c.source and "warn" not in c.source for c in cells)
    assert shortcuts > 500


def test_a_filters_message_is_read_as_re_match_reads_it():
    """What the grader reads of a filter's message may only widen what `re.match` (case-blind, as `filterwarnings`
    compiles it) matches: for patterns made from Python's own warning texts with a regular expression's characters
    put in, every warning a pattern matches is among those the reading says it may."""
    import ast
    import random
    import re as re_module
    import warnings

    from grader.checks.warning_filters import (DEPRECATION_WARNINGS_ERRORS, SYNTAX_WARNINGS_ERRORS,
                                               _message_bits)
    messages = [("assertion is always true, perhaps remove parentheses?", SYNTAX_WARNINGS_ERRORS),
                ('"is" with a literal. Did you mean "=="?', SYNTAX_WARNINGS_ERRORS),
                ('"is not" with a literal. Did you mean "!="?', SYNTAX_WARNINGS_ERRORS),
                ("'NoneType' object is not callable; perhaps you missed a comma?", SYNTAX_WARNINGS_ERRORS),
                ("'generator' object is not callable; perhaps you missed a comma?", SYNTAX_WARNINGS_ERRORS),
                ("invalid escape sequence '\\d'", DEPRECATION_WARNINGS_ERRORS),
                ("invalid octal escape sequence '\\777'", DEPRECATION_WARNINGS_ERRORS)]
    pieces = list("aisnvlte'\" .*+?()[]|^$\\{}") + ["\\d", "\\.", ".*", "[a-z]", "{2}", "(?i)"]
    draw = random.Random(338)
    checked = narrowed = 0
    while checked < 20_000:
        text = list(draw.choice(messages)[0][:draw.randint(0, 24)])
        for _ in range(draw.randint(0, 4)):
            text.insert(draw.randint(0, len(text)), draw.choice(pieces))
        pattern = "".join(text)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compiled = re_module.compile(pattern, re_module.I)
        except (re_module.error, RecursionError, OverflowError):
            continue
        checked += 1
        matched = 0
        for message, bits in messages:
            matched |= bits if compiled.match(message) else 0
        read = _message_bits(ast.Constant(pattern))
        assert not matched & ~read, (pattern, matched, read)
        narrowed += read != (SYNTAX_WARNINGS_ERRORS | DEPRECATION_WARNINGS_ERRORS)
    assert narrowed > 1000          # ... and the reading does tell most apart


def test_the_raised_flag_names_the_filter_and_a_fix_that_fits_the_warning():
    """A fairness review (338): the `raised:` detail said "`warnings.simplefilter('error')` or the like" and, for an
    assertion, to use a raw string. It now names the filter's cell and line, and the fix for that warning."""
    above = "import warnings\nimport numpy as np\nwarnings.filterwarnings('error', category=SyntaxWarning)"
    c = _around_answers(f"assert (1 == 1, 'a bool')\n{_NAMES} = {_RIGHT_VALUES}\n", above=[above])
    answer_rows(c)
    detail = next(d for d in c.details if "Python warns about" in d)
    assert "line 3 of the cell at position" in detail and "`import warnings`" in detail and "line 1 (" in detail, detail
    assert "assert test, 'message'" in detail and "r'...'" not in detail, detail
    c = _around_answers(f"import warnings\nwarnings.simplefilter('error')\nx = 'a' is 'yes'\n{_NAMES} = {_RIGHT_VALUES}\n")
    answer_rows(c)
    detail = next(d for d in c.details if "Python warns about" in d)
    assert "line 2 of that cell" in detail and "`==`" in detail, detail
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\nprint('\\o/')\n",
                        above=["import warnings\nwarnings.simplefilter('error')"])
    answer_rows(c)
    detail = next(d for d in c.details if "Python warns about" in d)
    assert "line 2 of the cell at position" in detail and "r'...'" in detail, detail


def test_a_warned_statement_after_every_answer_is_not_flagged():
    """A fairness review (340): `assert (isinstance(a_, bool), 'a bool')` below the five answers, an error filter above:
    IPython compiles the cell's statements one at a time, so the refused assertion stops the cell after the answers
    are set, and Jupyter ends with them. Not flagged; a correction after it is (Jupyter never gets there)."""
    above = ["import warnings\nwarnings.simplefilter('error')"]
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\nassert (isinstance(a_, bool), 'a bool')\n", above=above)
    rows = answer_rows(c)
    assert all(r.passed for r in rows) and "raised:answers-3-3" not in c.flags, (c.flags, c.details)
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\nassert (isinstance(a_, bool), 'a bool')\na_ = True\n", above=above)
    answer_rows(c)
    assert "raised:answers-3-3" in c.flags, c.flags


@pytest.mark.parametrize("line,stops", [
    ("sys.exit() if a_ else sys.exit()", True), ("1/0 if a_ else 1/0", True), ("a_ and sys.exit() or sys.exit()", True),
    ("(a_ or sys.exit()) and sys.exit()", True), ("[sys.exit() for _ in [1] if 1]", True), ("[1/0 for _ in [1] if 1]", True),
    ("[sys.exit() for _ in [1] for _ in [1]]", True), ("q, r = sys.exit, 0\nq()", True), ("s, r = sys, 0\ns.exit()", True),
    ("class K:\n    e = sys.exit\nK.e()", True), ("from os import *\nabort()", True),
    # review 341: a comprehension's first `if`, a generator unpacked, read by a `for` or by `str.join`, an exit call
    # named by an annotated assignment
    ("[0 for _ in [1] if sys.exit()]", True), ("[*(sys.exit() for _ in [1])]", True),
    ("for _ in (sys.exit() for _ in [1]):\n    pass", True), ("''.join(sys.exit() for _ in [1])", True),
    ("q: object = sys.exit\nq()", True), ("[0 for _ in x if sys.exit()]", False), ("g = (sys.exit() for _ in [1])", False),
    # review 343: an exit named by `:=`, a metaclass that is one, a comprehension's second `if` after a true one, a
    # generator unpacked by an assignment, read by `__next__` or through `iter`, the guard of the case that matches,
    # literals that raise otherwise than `1/0`, and what a handler of another class does not catch
    ("(q := sys.exit)\nq()", True), ("(q := sys.exit)()", True), ("class C(metaclass=sys.exit):\n    pass", True),
    ("[0 for _ in [1] if 1 if 1/0]", True), ("q, = (1/0 for _ in [1])", True), ("(1/0 for _ in [1]).__next__()", True),
    ("next(iter(1/0 for _ in [1]))", True), ("match 1:\n    case 1 if 1/0:\n        pass", True), ("1/-0", True),
    ("0 ** -1", True), ("[][0]", True), ("x = {}['k']", True), ("try:\n    1/0\nexcept KeyError:\n    pass", True),
    ("try:\n    [][0]\nexcept LookupError:\n    pass", False), ("(q := print)\nq()", False), ("[1][0]", False),
    ("match 1:\n    case 1 if 0:\n        1/0\n    case _:\n        pass", False), ("[0 for _ in [1] if x if 1/0]", False),
    ("2 ** 64", False), ("x = 10 ** 100", False),
    # review 345: big numbers, `...`, `@` and `<<` of literals, `in` and `.extend` of a generator, `bytes(...)`, a case
    # that matches by `==` or in an or-pattern
    ("1000000 / 0", True), ("1 @ 1", True), ("1 << -1", True), ("... + 1", True), ("assert 1000000 < 0", True),
    ("if 1000000 > 1:\n    raise ValueError", True), ("try:\n    1000000 / 0\nexcept KeyError:\n    pass", True),
    ("1 in (1/0 for _ in [1])", True), ("[].extend(1/0 for _ in [1])", True), ("bytes(1/0 for _ in [1])", True),
    ("match 0:\n    case 0 | 1 if 1/0:\n        pass", True), ("match 1:\n    case 1.0 if 1/0:\n        pass", True),
    ("match 2:\n    case 0 | 1 if 1/0:\n        pass", False), ("match None:\n    case 0:\n        1/0\n    case None:"
                                                               "\n        pass", False),
    ("x = 1 in [1/0 for _ in []]", False), ("x = 2 ** 0.5 + 10 ** -3 + 0 ** 0", False), ("x = 'abc'[1:] + 'd'", False),
    # a fairness review, 344: an assertion's message is made only when it fails
    ("acc = 0.93\nassert acc > 0.5, 'accuracy below ' + 0.5", False),
    ("for v in [a_, True]:\n    assert isinstance(v, bool), 'expected a bool, got ' + 1", False),
    ("assert 1 == 2, 'expected ' + 3", True),
    # ... and what only may stop, or does not, keeps its answers (the fairness side)
    ("sys.exit() if a_ else 0", False), ("x = a_ and sys.exit()", False), ("not a_ or sys.exit()", False),
    ("[1/0 for _ in [1] if x]", False), ("[1/0 for _ in [1] for y in []]", False), ("q, r = print, sys.exit\nq()", False),
    ("class K:\n    def e():\n        pass\nK.e()", False), ("from os import *\nprint(getcwd())", False)])
def test_a_statement_that_stops_whichever_way_it_goes_stops_the_cell(line, stops):
    """Review 336: a choice whose every way stops (`sys.exit() if a_ else sys.exit()`, `a_ and sys.exit() or
    sys.exit()`), a comprehension with a true literal `if` or two `for`s over literals, an exit call given a name by
    unpacking or as a class's attribute, `from os import *` then `abort()`, each between the wrong answers and the
    right ones: Jupyter ended with the wrong ones, graded 10/10 unflagged. Each now stops the cell."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    rows = answer_rows(_around_answers(f"import sys\n{wrong}{line}\n{_NAMES} = {_RIGHT_VALUES}\n"))
    assert all(not r.passed if stops else r.passed for r in rows), (line, [r.message for r in rows])


def test_a_long_chain_of_choices_is_read_without_running_out_of_stack():
    """The reading of `a or b or ...` this session added (review 336) went one call deeper for each part it passed:
    `x = 0 or 0 or ... or y` of 3,000 parts ran out of Python's stack in the grader. Read part after part now."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    chain = " or ".join(["0"] * 3000)
    for last, stops in (("y", False), ("sys.exit()", True)):
        rows = answer_rows(_around_answers(f"import sys\ny = 1\n{wrong}x = {chain} or {last}\n{_NAMES} = {_RIGHT_VALUES}\n"))
        assert all(not r.passed if stops else r.passed for r in rows), (last, [r.message for r in rows])


@pytest.mark.parametrize("test", ["'%0999999999d' % 1 == ''", "b'%0999999999d' % 1", "'ab' * 999999999 == ''",
                                  "(0,) * 999999999", "10 ** 10 ** 10 > 1", "1 << 999999999", "9 ** 9 ** 9 > 1"])
def test_literals_that_would_grow_large_are_not_evaluated(test):
    """The grader evaluates a test made only of literals to read where a cell stops (`if 1 == 1:`); an expression
    that asks for gigabytes must not be evaluated in the grader's process: `'%0999999999d' % 1`, a string formatted to a
    width of a billion, took 1 GB of its memory (found while widening what is evaluated for review 345). Each is
    read as "not plain" (None), as if it held a name."""
    import ast
    import resource

    from grader.checks.literals import constant_truth, raised_by_literals
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    node = ast.parse(test, mode="eval").body
    assert constant_truth(node) is None and raised_by_literals(node) is None
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024      # KB: under 100 MB more


def test_a_long_chain_of_plus_is_read_once_and_whole():
    """Review 348: each link of `y = 1+1+...+1` was read for the text it may start with from that link down (cubic:
    seven hundred links held the grader 147 s in a cell below the answers; past about 1,100 the reading ran out of
    Python's stack and question 3.3 became a grader error). Read from the first part up, once a chain: the
    answers stay as written, and the start of a chain of strings is still read whole."""
    import ast

    from grader.checks.doors import folded, literal_start
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=["y = 0\ny = " + "+".join(["1"] * 3000)]))
    assert all(r.passed for r in rows), [r.message for r in rows]
    chain = ast.parse("x + " + " + ".join(["'a'"] * 3000), mode="eval").body
    assert folded(chain) is None and literal_start(chain) == ""
    chain = ast.parse("'__ma' + 'in__' + " + " + ".join(["'a'"] * 3000) + " + x", mode="eval").body
    assert folded(chain) is None and literal_start(chain) == "__main__" + "a" * 3000


def test_choices_within_choices_are_read_once_each(monkeypatch):
    """Review 343: the reading of choices (review 336) read a choice within a choice again at each level, four times
    more for each: a cell of `x = (0 or (1 and (0 or ...)))` lines held the grader 119 s. Each node is now read once,
    its parts before it, however deep (a choice 30 deep whose every way stops is read as stopping, which the old
    reading, bounded at a few levels, could not)."""
    import ast

    from grader.checks import stops
    calls = []
    real = stops._now_children
    monkeypatch.setattr(stops, "_now_children", lambda n, *a: calls.append(n) or real(n, *a))
    nest = "q"
    for _ in range(12):
        nest = f"(0 or (1 and {nest}))"
    tree = ast.parse(f"x = {nest}\n")
    assert stops.first_stop(tree, 0) is None
    assert len(calls) <= 4 * sum(1 for _ in ast.walk(tree)), len(calls)
    deep = " if a_ else ".join(["sys.exit()"] * 30)
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    rows = answer_rows(_around_answers(f"import sys\n{wrong}x = {deep}\n{_NAMES} = {_RIGHT_VALUES}\n"))
    assert not any(r.passed for r in rows), [r.message for r in rows]


@pytest.mark.parametrize("where,code", [
    ("in", "import ctypes\nctypes.string_at(0)"),
    ("in", "import ctypes, threading\nctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), "
           "ctypes.py_object(KeyboardInterrupt))"),
    ("in", "import os, subprocess\nsubprocess.run(['kill', '-INT', str(os.getpid())])"),
    ("in", "import faulthandler, time\nfaulthandler.dump_traceback_later(0.2, exit=True)\ntime.sleep(2)"),
    ("in", "import signal, threading\nsignal.pthread_kill(threading.get_ident(), signal.SIGINT)"),
    ("in", "class W:\n    def write(self, t):\n        raise KeyboardInterrupt\nsys.stdout = W()\nprint('draft done')"),
    ("above", "import bdb\nclass B(bdb.Bdb):\n    def user_line(self, frame):\n        raise KeyboardInterrupt\nB().set_trace()"),
    ("above", "import builtins\n_real = builtins.__import__\ndef hook(name, *a, **k):\n    raise KeyboardInterrupt\n"
              "builtins.__import__ = hook"),
    ("above", "from signal import setitimer, ITIMER_REAL\nsetitimer(ITIMER_REAL, 0.3)"),
    ("above", "import sys\nclass W:\n    def write(self, t):\n        raise KeyboardInterrupt\nsys.stdout = W()"),
    ("above", "import sys\nclass W:\n    def write(self, t):\n        raise KeyboardInterrupt\nw = W()\nsys.stdout = w"),
    ("above", "import threading, _thread\nthreading.Timer(0.5, _thread.interrupt_main).start()"),
    ("above", "import os, subprocess\nsubprocess.Popen(f'sleep 1; kill -INT {os.getpid()}', shell=True)"),
    ("in", "import os\nprint(f'{os.kill(os.getpid(), 2)}')"),
    # review 341: the module under another name or with a space before the dot, the kernel's id got otherwise or a
    # command that kills, a handler of one's own named like Python's, `faulthandler`'s exit in parentheses or by place,
    # a saved-looking name given a raising writer
    ("above", "import signal as sg\nsg.signal(sg.SIGALRM, sg.default_int_handler)\nsg.setitimer(sg.ITIMER_REAL, 1.0)"),
    ("above", "import signal\nsignal .setitimer(signal.ITIMER_REAL, 1.0)"),
    ("above", "import threading, os\npid = threading.main_thread().native_id\nthreading.Timer(1.0, os.kill, (pid, 2)).start()"),
    ("above", "import subprocess\nsubprocess.Popen(['sh', '-c', 'sleep 1; kill -INT $PPID'])"),
    ("above", "import signal\ndef default_int_handler(*a):\n    raise SystemExit\nsignal.signal(signal.SIGUSR1, default_int_handler)"),
    ("above", "import faulthandler\nfaulthandler.dump_traceback_later(1, exit=(True))"),
    ("above", "import faulthandler, sys\nfaulthandler.dump_traceback_later(1, False, sys.stderr, True)"),
    ("above", "import sys\nclass W:\n    def write(s, t):\n        raise ValueError('stop')\nsaved = sys.stdout\n"
              "saved = W(saved)\nsys.stdout = saved")])
def test_code_that_reaches_the_kernels_own_process_is_flagged(where, code):
    """Review 336: ways to stop a plain statement of the answers cell that name no exit call: an exception sent to the
    main thread, a signal sent with the kernel's pid, `faulthandler`'s exit, `ctypes` that crashes the kernel, a
    writer in `sys.stdout` that raises, a debugger's `set_trace` or an import hook or a timer set above. Jupyter ended
    with the wrong answers or none, graded 10/10 unflagged. They are flagged `exec:` for a TA (graded as written: such
    code only may stop where the grader cannot tell)."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    if where == "in":
        c = _around_answers(f"import sys\n{wrong}{code}\n{_NAMES} = {_RIGHT_VALUES}\n")
    else:
        c = _around_answers(f"{wrong}import time\n{_NAMES} = {_RIGHT_VALUES}\n", above=[code])
    answer_rows(c)
    assert "exec:answers-3-3" in c.flags, (code, c.flags, c.details)


@pytest.mark.parametrize("above", [
    "import subprocess\nproc = subprocess.Popen(['sleep', '0'])\nproc.kill()",
    "import faulthandler\nfaulthandler.enable()", "import sys\nprint(sys.stdout.encoding)",
    "# ctypes, kill(), set_trace: words in a comment\nx = 'os.kill(pid)'",
    # a fairness review (340): a process id read, output sent to a file and back, a child process killed, a library
    # loaded, a debugger behind a flag, a hook of one's own, `faulthandler` without its exit, a function named `alarm`,
    # a file written, a docstring or a printed note that names such calls, a signal's handler put back to Python's own
    "import os, sys\nprint('python', sys.version)\nprint('kernel pid:', os.getpid())",
    "import psutil, os\nprint(psutil.Process(os.getpid()).memory_info().rss)",
    "import sys\nold = sys.stdout\nsys.stdout = open('log.txt', 'w')\nprint('x')\nsys.stdout.close()\nsys.stdout = old",
    "import sys\nsys.stdout = sys.__stdout__",
    "import sys, os\nsys.stderr = open(os.devnull, 'w')\nimport json\nsys.stderr = sys.__stderr__",
    "import os, signal, subprocess\np = subprocess.Popen(['sleep', '5'])\nos.kill(p.pid, signal.SIGTERM)",
    "import ctypes\nlibm = ctypes.CDLL('libm.so.6')",
    "import pdb\ndebug = False\nif debug:\n    pdb.set_trace()",
    "import sys\nsys.excepthook = lambda *a: print(a)",
    "import faulthandler\nfaulthandler.dump_traceback_later(600, exit=False)\nfaulthandler.cancel_dump_traceback_later()",
    "def alarm(seconds=0.2):\n    'beep when training is done'\n    pass\nalarm()",
    "class Clock:\n    def alarm(self, limit):\n        pass\nclock = Clock()\nclock.alarm(60)",
    "%%writefile train_script.py\nimport os, signal, sys\nprint('pid', os.getpid())\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))",
    "def helper():\n    \"\"\"Run it.\n\n    If it hangs, stop it with os.kill(pid, 9) or proc.kill().\n    \"\"\"\n    return 1",
    "print(\"\"\"Notes for myself:\n- the kernel pid is in os.getpid()\n- sys.stdout = open(...) redirects prints\n\"\"\")",
    "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)",
    "import faulthandler\nfaulthandler.dump_traceback_later(600)",
    "import signal\nclass Clock:\n    def alarm(self, limit):\n        pass\nclock = Clock()\nclock.alarm(60)",
    "import subprocess\ntb = subprocess.Popen(['tensorboard', '--logdir', 'runs'])"])
def test_everyday_code_near_the_kernels_process_is_not_flagged(above):
    """The fairness side of review 336's flags: a child process killed, `faulthandler.enable()`, `sys.stdout` read,
    the words in a comment or a string; and (340) what reads the kernel's process or changes it only for a while."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\nprint(a_)\n", above=[above])
    rows = answer_rows(c)
    assert all(r.passed for r in rows) and "exec:answers-3-3" not in c.flags, (above, c.flags, c.details)


@pytest.mark.timeout(30)
def test_a_cell_of_braces_naming_macro_is_read_at_once():
    """Review 336, set on a neighbour: a cell above the answers of one f-string of 25,000 `{{` and the word Macro
    held the grader's interpreter 54 s in a regular expression that backtracked (a notebook of seven such cells, 7
    minutes of a batch). Read in one pass now; the old reading took minutes here, the new one milliseconds."""
    import random
    import re as re_module

    from grader.checks.answers import _called_in_braces, _macro
    assert _macro("# Macro\ns = f\"" + "{{" * 24_985 + "\"") == ""
    assert _macro("m = f\"{Macro('a_ = False')}\"") and not _macro("m = f\"{'Macro'}(\"")
    # ... and reads as the expression it replaces did
    old = re_module.compile(r"""\{[^}]*(?<!['"])\bMacro[ \t]*\(""")
    draw = random.Random(336)
    for _ in range(20_000):
        text = "".join(draw.choice(["{", "}", "Macro", " ", "(", "'", '"', "a", "_", "\t"]) for _ in range(draw.randint(0, 12)))
        assert bool(old.search(text)) == _called_in_braces(text), text


@pytest.mark.timeout(60)
def test_long_lines_of_spaces_and_runs_of_blank_lines_are_read_at_once():
    """Review 337: an added cell of one line of 50,000 spaces and a letter (no `?`, so no help line) held the grader's
    interpreter 89 s in IPython's help-line pattern, which gave the indentation back a space at a time; an honest
    classmate graded beside it lost 30 points to time-outs. 40,000 blank lines held it 18 s in the prompts pattern.
    Each is read in one pass now (seconds before, a millisecond now), and reads as before."""
    import random
    import re as re_module

    from grader.magics import _HELP_LINE, _MAGIC_OR_SHELL, _PROMPTS, cleaned, python_tree
    from grader.render import _LENGTH
    assert python_tree("x = 1\n" + " " * 49_990 + "y\n#0") is None
    assert "y = 2" in cleaned("x = 1\n" + " \n" * 24_990 + "y = 2\n")
    assert _MAGIC_OR_SHELL.search("\n" * 40_000 + "x") is None and _LENGTH.fullmatch("1" * 40_000 + "?") is None
    old = {"help": re_module.compile(r"^(\s*)(?:\?\??.*\S|[^#'\"\n]*[\w\])*]\?\??)\s*$"),
           "prompts": re_module.compile(r"^(?:>>>|\.\.\.|(?:(?:\[nav\]|\[ins\])?\s)?In \[\d+\]:|\s*\.{3,}:)", re_module.M),
           "shell": re_module.compile(r"^\s*[%!]|=\s*[%!]|^\s*(?:>>>|\.\.\.|In \[)", re_module.M)}
    draw = random.Random(337)
    pieces = [" ", "\t", "\n", "?", "??", "x", "_", "#", "'", "]", ")", "*", ".", "...", ":", ">>>", "In [3]:", "%", "!", "="]
    for _ in range(20_000):
        text = "".join(draw.choice(pieces) for _ in range(draw.randint(0, 10)))
        line = text.split("\n")[0]
        before, now = old["help"].match(line), _HELP_LINE.match(line)
        assert (before is None) == (now is None) and (now is None or before.group(1) == now.group(1)), line
        assert bool(old["prompts"].search(text)) == bool(_PROMPTS.search(text)), text
        assert bool(old["shell"].search(text)) == bool(_MAGIC_OR_SHELL.search(text)), text


@pytest.mark.timeout(30)
def test_cells_of_many_repeated_lines_or_comparisons_are_read_at_once():
    """Review 339: a cell of `x = 1` and `%pwd` a thousand times each took 35 s to align with its reading (difflib,
    cubic in the repeated lines), read twice for each `__future__` cell: a notebook of such cells held a worker for
    hours; a graded cell of 6,000 comparisons `a<b` took 40 s to read for comparisons that tell the grader's calls
    apart (each looked for in every `assert` of the scope). Both are read in well under a second now."""
    from grader import telltales
    from grader.checks.magic_lines import aligned
    from grader.checks.stops import magic_lines
    from grader.magics import without_magics
    source = "from __future__ import annotations\n" + "x = 1\n%pwd\n" * 999
    magics = magic_lines(source)
    kept, changed = aligned(source.split("\n"), without_magics(source).split("\n"))
    assert len(changed) == 999 and all(name == "pwd" for _, name, _ in changed) and len(kept) >= 1000, len(changed)
    assert magics is not None
    assert telltales.tells_calls_apart("class ANN_sigmoid:\n    pass\n" + "a<b\n" * 12_000) == []
    # ... and an ordinary cell is aligned as before (difflib, within its budget)
    small = "%time y = 2\n\n%time y = 2\n\ny = 2\n"
    assert aligned(small.split("\n"), without_magics(small).split("\n"))[1] == [(1, "time", "%time y = 2"),
                                                                               (3, "time", "%time y = 2")]


def test_reading_a_notebooks_warnings_filters_leaves_the_grader_process_filters_alone(monkeypatch):
    """The grader's own warnings filters are shared by the threads that grade notebooks side by side: compiling one
    notebook's cell under its filter would, for that moment, make another notebook's invalid escape a syntax error.
    What Python warns of is read from the syntax tree and tokens; no filter of the process is touched."""
    import warnings
    calls = []
    for name in ("simplefilter", "filterwarnings", "catch_warnings", "resetwarnings"):
        real = getattr(warnings, name)
        monkeypatch.setattr(warnings, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    before = list(warnings.filters)
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    flagged = []
    for answers in (f"{wrong}assert (a_, b_)\n{_NAMES} = {_RIGHT_VALUES}\n", f"{_NAMES} = {_RIGHT_VALUES}\nprint('\\o/')\n"):
        c = _around_answers(answers, above=["import warnings\nwarnings.simplefilter('error')"])
        answer_rows(c)
        flagged.append("raised:answers-3-3" in c.flags)
    monkeypatch.undo()
    assert calls == [] and list(warnings.filters) == before, calls
    assert all(flagged)


@pytest.mark.parametrize("fn,stops", [
    ("def exit():\n    raise SystemExit", True), ("def check():\n    import sys\n    sys.exit('draft')", True),
    ("def check():\n    if a_:\n        return\n    raise ValueError", False),
    ("def check():\n    yield 1\n    raise ValueError", False),
    ("def check():\n    raise ValueError\ncheck = print", False),
    # review 327: a return of what stops, a lambda
    ("import sys\ndef stop():\n    return sys.exit()", True), ("def stop():\n    return 1/0", True),
    ("import sys\nstop = lambda: sys.exit()", True), ("def check():\n    return print('ok')", False)])
def test_a_function_of_the_answers_cell_that_surely_stops_stops_the_cell_where_called(fn, stops):
    """Review 325: `def exit(): raise SystemExit`, then the wrong answers, `exit()` and the right ones: Jupyter stopped
    at the call and ended with the wrong ones, and the right ones were graded, unflagged. Not a function that may
    return first, a generator (a call runs none of it), or a name bound again."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    name = fn.split("(")[0].split()[-1]
    rows = answer_rows(_around_answers(f"{fn}\n{wrong}{name}()\n{_NAMES} = {_RIGHT_VALUES}\n"))
    assert all(not r.passed if stops else r.passed for r in rows), [r.message for r in rows]


def test_an_alias_the_answers_cell_names_is_flagged_from_any_cell_above():
    """Review 327: `get_ipython().run_line_magic('alias', 'a_ true')` at the end of `train_and_test`'s cell, above a
    one-line annotated answers cell: IPython ran the alias in the cell's place and set nothing; graded 10/10,
    unflagged (a graded cell's own flags do not say what an alias does to another cell)."""
    one_line = "; ".join(f"{n}: bool = {SPEC.answer_key()[n]}" for n in _NAMES.split(", "))
    at = next(i for i, (cid, _, _) in enumerate(SOLUTION) if cid == "train-and-test")
    cells = [*SOLUTION]
    cells[at] = (cells[at][0], cells[at][1], cells[at][2] + "\nget_ipython().run_line_magic('alias', 'a_ true')\n")
    answers_at = next(i for i, (cid, _, _) in enumerate(cells) if cid == "answers-3-3")
    cells[answers_at] = ("answers-3-3", "code", one_line)
    c = Context(SPEC, notebook(base=cells), TEMPLATE, True)
    answer_rows(c)
    assert "exec:answers-3-3" in c.flags and any("an alias `a_`" in d for d in c.details), (c.flags, c.details)
    # ... not one that only a comment of the answers cell names (a fairness review, 330)
    c = _around_answers(f"# c_: training on the gpu is faster\n{_NAMES} = {_RIGHT_VALUES}\n", above=["%alias gpu nvidia-smi"])
    answer_rows(c)
    assert "exec:answers-3-3" not in c.flags, c.details


def test_annotated_answers_below_a_logger_are_not_flagged():
    """A fairness review (328): `logging.getLogger(__name__)` above annotated answers (`a_: bool = True`) was flagged
    `exec:` (code that may set any name, read as setting `__annotations__`); only a binding of that name by name
    matters, and it is read as such (review 325)."""
    answers = "\n".join(f"{n}: bool = {SPEC.answer_key()[n]}" for n in _NAMES.split(", ")) + "\n"
    c = _around_answers(answers, above=["import logging\nlog = logging.getLogger(__name__)"])
    assert all(r.passed for r in answer_rows(c)) and not any(f.startswith("exec:") for f in c.flags), c.flags
    c = _around_answers(answers, above=["__annotations__ = 0"])
    assert all(r.passed for r in answer_rows(c))        # set once each: what Jupyter ends with is not in doubt


@pytest.mark.parametrize("above,draft", [
    # a loop in a helper's body, which a `def` does not run
    (None, "def show(d):\n    for k in d:\n        print(k)\n    while True:\n        break"),
    (None, "class Notes:\n    def show(self, d):\n        for k in d:\n            print(k)"),
    # a loop over a list, or a dict, written out of the answers (only its length matters)
    (None, "answers = [a_, b_, c_, d_, e_]\nfor v in answers:\n    print(v)"),
    (None, "answers = {'a': a_, 'b': b_}\nfor k, v in answers.items():\n    print(k, v)\nfor i in range(len(answers)):\n    pass"),
    # a name of Python's own imported as the very object it is, an exit call imported above and called under an `if`
    ("from builtins import range", "print(list(range(3)))"),
    ("from concurrent.futures import ThreadPoolExecutor, TimeoutError", "try:\n    print(a_)\nexcept (NameError, TimeoutError):\n    pass"),
    ("from sys import exit", "if not all(isinstance(v, bool) for v in (a_, b_)):\n    exit('fix the answers')"),
    # ... a name of Python's own used as a flag, not called, and one bound and then deleted above
    ("quit = False  # set True to stop the demo loop", "if quit:\n    print('demo stopped')"),
    ("range = (0.0, 4.0)  # for the histogram\ndel range  # oops, shadowed the builtin",
     "answers = [a_, b_]\nfor i in range(len(answers)):\n    print(answers[i])"),
    # warnings filters that do not make what compiling warns of an error where the cell runs
    ("import warnings\nDEBUG = False\nif DEBUG:\n    warnings.simplefilter('error')", "mode = 'final'\nif mode is 'final':\n    pass"),
    ("import warnings\nwarnings.simplefilter('error')", "import warnings\nwarnings.simplefilter('ignore')\nif a_ is 'yes':\n    pass"),
    ("import warnings\nwarnings.filterwarnings('error', category=RuntimeWarning)",
     "assert (b_ in [True, False], 'b_ must be a bool')"),
    # ... (329) an `OSError` made with a number, which is the subclass it names, caught by that subclass
    (None, "try:\n    raise OSError(2, 'missing')\nexcept FileNotFoundError:\n    pass")])
def test_a_corrected_answer_keeps_its_points_beside_honest_code(above, draft):
    """A fairness review (328): a helper `def` or method holding a loop, a loop over a list of the answers, `quit`
    as a flag, `range` bound and deleted again, `from
    builtins import range`, `from sys import exit` above an `if ...: exit(...)`, and warnings filters that Jupyter never
    applies to the cell (under `if DEBUG:`, undone in the cell, of another category) each cost an answer corrected
    below them (and raised flags). Jupyter ended with the corrected answers."""
    wrong = f"b_ = {not SPEC.answer_key()['b_']}\n"
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{wrong}{draft}\nb_ = {SPEC.answer_key()['b_']}\n",
                        above=[above] if above else [])
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert not any(f.startswith(("raised:", "exec:")) for f in c.flags), (c.flags, c.details)


@pytest.mark.parametrize("defs,line", [
    ("", "x = 1/0 if True else 0"), ("", "x = [1/0 for _ in [1]]"), ("", "(lambda: 1/0)()"),
    ("def g():\n    raise ValueError\ndef f():\n    g()\n", "f()"), ("def g():\n    raise ValueError\nf = g\n", "f()"),
    # review 333: a generator a builtin reads at once, a comprehension over a dict, `_thread`'s exit
    ("", "x = next(1/0 for _ in [1])"), ("", "any(1/0 for _ in (1,))"), ("", "x = {k: 1/0 for k in {1: 2}}"),
    ("from _thread import exit as bye\n", "bye()"), ("import _thread\n", "_thread.exit()")])
def test_an_expression_or_function_that_surely_stops_stops_the_cell(defs, line):
    """Review 331: the branch a literal test takes, a comprehension over a literal that is not empty, a lambda called
    where it is written, a function that calls one that stops, and another name for one, each between the wrong
    answers and the right ones: Jupyter stopped there, and the right ones were graded, unflagged."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    rows = answer_rows(_around_answers(f"{defs}{wrong}{line}\n{_NAMES} = {_RIGHT_VALUES}\n"))
    assert not any(r.passed for r in rows), [r.message for r in rows]
    # ... not one that may not run (a test that is not a literal, an empty literal, a generator)
    for honest in ("x = 1/0 if y else 0", "x = [1/0 for _ in []]", "x = (1/0 for _ in [1])"):
        rows = answer_rows(_around_answers(f"y = 0\n{wrong}{honest}\n{_NAMES} = {_RIGHT_VALUES}\n"))
        assert all(r.passed for r in rows), (honest, [r.message for r in rows])


def test_code_above_that_may_do_anything_is_flagged_where_the_answers_cell_warns():
    """Review 331: `exec("import warnings; warnings.simplefilter('error')")` above an answers cell with `assert (a_,
    b_)` between two tries: Jupyter stopped there; the `exec` was not flagged, since the answers cell used no name of
    Python's own. It is now where Python warns as it reads or compiles the answers cell."""
    wrong = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n"
    above = ["exec(\"import warnings; warnings.simplefilter('error')\")"]
    c = _around_answers(f"{wrong}assert (a_, b_)\n{_NAMES} = {_RIGHT_VALUES}\n", above=above)
    answer_rows(c)
    assert "exec:answers-3-3" in c.flags, c.details
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", above=above)
    answer_rows(c)
    assert "exec:answers-3-3" not in c.flags, c.details


@pytest.mark.parametrize("extra", [
    "import logging\nlog = logging.getLogger(__name__)\nlog.info('answers %s', [a_, b_])", "print(__name__)",
    "for n in ['a_', 'b_']:\n    print(n, n in globals())", "print(sorted(k for k in locals() if k.endswith('_')))",
    "from collections import namedtuple\nAnswers = namedtuple('Answers', 'a b')\nprint(Answers(a_, b_)._asdict())"])
def test_reading_code_in_the_answers_cell_keeps_the_answers(extra):
    """A fairness review (334): `logging.getLogger(__name__)`, `print(__name__)`, `n in globals()` in a loop, a loop
    over `locals()` and a named tuple's `_asdict()` in the answers cell each cost all ten points ("may be set by
    `__name__`"): none of them can set a name."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{extra}\n")
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert not any(f.startswith(("exec:", "raised:")) for f in c.flags), (c.flags, c.details)


def test_a_top_level_await_beside_the_answers_runs_where_autoawait_is_on():
    """A fairness review (334): an `await` in a cell above was flagged as stopping Run All, and a correction below an
    `await` in a cell below lost its point; IPython's autoawait is on in a kernel unless the notebook turns it off."""
    wrong = f"a_ = {not SPEC.answer_key()['a_']}\n"
    others = ", ".join(n for n in _NAMES.split(", ") if n != "a_")
    values = ", ".join(str(SPEC.answer_key()[n]) for n in others.split(", "))
    c = _around_answers(f"{wrong}{others} = {values}\n", above=["import asyncio\nawait asyncio.sleep(0)"],
                        below=[f"import asyncio\nacc = await asyncio.sleep(0, result=0.9)\na_ = {SPEC.answer_key()['a_']}"])
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert not any(f.startswith("raised:") for f in c.flags), (c.flags, c.details)
    # ... where the notebook turns it off, the `await` is refused and the correction below it never runs (236)
    c = _around_answers(f"{wrong}{others} = {values}\n", above=["%autoawait False"],
                        below=[f"import asyncio\nacc = await asyncio.sleep(0, result=0.9)\na_ = {SPEC.answer_key()['a_']}"])
    assert not all(r.passed for r in answer_rows(c))


def test_a_stop_below_the_answers_is_named_with_its_line():
    """A fairness review (318): `sys.exit()` left below the answers was flagged `raised:` with no detail, the flag
    quoting the cell's first line, `a_ = True`."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\nimport sys\nsys.exit()\n")
    rows = answer_rows(c)
    assert all(r.passed for r in rows) and "raised:answers-3-3" in c.flags, c.flags
    assert any("a call that ends the program on line 3 stops Jupyter's Run All there" in d and "delete line 3" in d
               for d in c.details), c.details


def test_answers_in_a_block_with_an_else_are_said_to_be_in_a_block():
    """A fairness review (287): `a_, b_, ... = ...` inside `if __name__ == '__main__':` with an `else:` was said as
    "none of them is assigned yet"."""
    cell = f"if __name__ == '__main__':\n    {_NAMES} = {_RIGHT_VALUES}\nelse:\n    print('imported')\n"
    rows = answer_rows(_around_answers(cell))
    assert all("is assigned only inside `if ...:` on line 1" in r.message for r in rows), [r.message for r in rows]


@pytest.mark.parametrize("above", ["acc_relu = 0.93\nd_ = acc_relu\nprint(d_)", "d_ = True", "d_ = False"])
@pytest.mark.parametrize("block", ["if __name__ == '__main__':\n    {body}", "try:\n    {body}\nexcept Exception:\n    pass"])
def test_an_answer_bound_in_a_block_is_not_read_from_a_draft_above(above, block):
    """A fairness review (368): answers under `if __name__ == "__main__":` with `d_` tried out in a cell above: `d_`'s
    message named the draft ("`d_` is computed (`acc_relu`)"), not the block the student has to leave, and where the
    draft was a literal it was graded as the answer although Jupyter ends with the block's value (flagged `moved:`,
    said as "the answers cell does not set it")."""
    body = "\n    ".join(f"{n} = {v}" for n, v in zip(_NAMES.split(", "), _RIGHT_VALUES.split(", ")))
    c = _around_answers(block.format(body=body), above=[above])
    rows = {r.check: r for r in answer_rows(c)}
    assert not rows["d_"].points and "is assigned only inside" in rows["d_"].message, rows["d_"].message
    assert "acc_relu" not in rows["d_"].message and not [f for f in c.flags if f.startswith("moved:")], c.flags


def test_a_bare_annotation_sets_nothing_twice():
    """A fairness review (274): `a_: bool` above a `%time` answers line was said as setting `a_` more than once."""
    key = SPEC.answer_key()
    names = ", ".join(sorted(key))
    cell = f"a_: bool\nb_: bool\n%time {names} = {', '.join(str(key[n]) for n in sorted(key))}\n"
    c = Context(SPEC, notebook({"answers-3-3": cell}), TEMPLATE, True)
    assert all(r.passed for r in answer_rows(c)) and not any("more than once" in d for d in c.details), c.details


def test_an_everyday_setting_beside_the_answers_raises_no_flag():
    """A fairness review (271): `%config ZMQInteractiveShell.ast_node_interactivity = 'all'` was read as reaching
    IPython's shell (`exec:`, "graded as written" beside 0/10 for a `%time` answers line)."""
    key = SPEC.answer_key()
    lines = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    c = Context(SPEC, notebook({"answers-3-3": f"%config ZMQInteractiveShell.ast_node_interactivity = 'all'\n{lines}"}),
                TEMPLATE, True)
    assert all(r.passed for r in answer_rows(c)) and not any(f.startswith("exec:") for f in c.flags), c.flags


@pytest.mark.parametrize("line", ["here = %pwd", "%env CUBLAS_WORKSPACE_CONFIG=:4096:8", "t = %timeit -o sum(range(10))",
                                  "backend = %env MPLBACKEND", "%config InlineBackend.figure_format = 'retina'",
                                  "get_ipython().run_line_magic('matplotlib', 'inline')",
                                  # to any target (a two-hundred-and-fourteenth review: a syntax error, 40/50)
                                  "t = {}\nt['sum'] = %time sum(range(10))", "t = {}\nt['fit'] = %timeit -o sum(range(10))",
                                  "class O: pass\no = O()\no.here = %pwd", "t = [0]\nt[0] = %timeit -q sum(range(3))",
                                  "print(1, 2\n      , 3); here = %pwd"])
def test_an_honest_magic_beside_the_answers_costs_nothing(line):
    """A two-hundred-and-fifth review: the grader's own reading of `here = %pwd` (an `__import__`)
    read as code that may set the answers again: 40/50 for honest lines."""
    key = SPEC.answer_key()
    src = line + "\n" + "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, True))}
    assert len(rows) == len(key) and all(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


@pytest.mark.parametrize("line", ["%xdel a_", "%time %xdel a_", "x = %xdel a_"])
def test_an_answer_deleted_by_xdel_is_not_graded_as_written(line):
    """`%xdel a_` deletes every name of the object `a_` names: with `a_ = True`, every answer that is
    `True` (a two-hundred-and-eleventh review; the grader had counted `a_` only, and not at all
    inside `%time`)."""
    key = SPEC.answer_key()
    src = "".join(f"{n} = {key[n]}\n" for n in sorted(key)) + line + "\n"
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, True))}
    assert all(rows[n].passed is False for n in key if key[n] is key["a_"]), {n: r.message for n, r in rows.items()}


def test_answers_set_again_by_a_timeit_line_are_not_graded_as_written():
    """A hundred-and-ninety-sixth review: `%timeit -q global a_, ...; a_, ... = ...` inside a function
    the cell calls ran in Jupyter (all five answers set otherwise); the grader read the line as
    `pass` and graded the literals, unflagged."""
    answers = "a_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False\n"
    src = answers + ("def _t():\n    %timeit -n1 -r1 -q global a_, b_, c_, d_, e_; "
                     "a_, b_, c_, d_, e_ = False, True, False, False, True\n_t()\n")
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": src}), TEMPLATE, False))}
    assert not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


_NAMES = ", ".join(sorted(SPEC.answer_key()))
_RIGHT_VALUES = ", ".join(str(SPEC.answer_key()[n]) for n in sorted(SPEC.answer_key()))


@pytest.mark.parametrize("answers,above,below,graded", [
    # a `__future__` feature imported above (in the cell or a cell before it) makes a later statement a
    # syntax error when IPython compiles it: Jupyter stops there and keeps the first try
    ("{wrong}from __future__ import annotations\nz: (w := 0) = 0\n{right}", None, None, "wrong"),
    ("from __future__ import annotations\n{wrong}z: (w := 0) = 0\n{right}", None, None, "wrong"),
    ("{wrong}z: (w := 0) = 0\n{right}", "from __future__ import annotations", None, "wrong"),
    # ... a magic line's code is compiled whole when its turn comes: none of it runs
    ("{wrong}%time from __future__ import annotations; {names} = {values}; z: (w := 0) = 0\n", None, None, "wrong"),
    ("{wrong}%time {names} = {values}; z: (w := 0) = 0\n", "from __future__ import annotations", None, "wrong"),
    ("from __future__ import barry_as_FLUFL\n{wrong}%time {names} = {values}; z_ = 1 != 2\n", None, None, "wrong"),
    ("from __future__ import barry_as_\uff26LUFL\n{wrong}%time {names} = {values}; z_ = 1 != 2\n", None, None,
     "wrong"),
    # `%time` compiles a last expression apart and catches what its code raises (review 237); `%prun` compiles
    # without the features: whether such a line sets its answers, or stops the cell, is not known
    ("{right}%time {names} = {wrong_values}; yield\n", None, None, "wrong"),
    ("{right}%prun -q z: (w := 0) = 0; {names} = {wrong_values}\n", "from __future__ import annotations", None,
     "neither"),
    ("{wrong}%time 1/0\n{right}", None, None, "right"),
    ("{right}%time raise SystemExit; {names} = {wrong_values}\n", None, None, "right"),
    # a magic or shell line timed runs as such (review 239): code above a timed answers line
    ("{wrong}%timeit -n1 -r1 !echo x > idna.py\nimport idna\n%time {names} = {values}\n", None, None, "wrong"),
    ("{wrong}%timeit -n1 -r1 %xmode Plain\n%time {names} = {values}\n", None, None, "wrong"),
    # ... and a bare magic name at its start runs as the magic, unless a variable has that name (239)
    ("{right}pwd = 0\n%time pwd; {names} = {wrong_values}\n", None, None, "wrong"),
    ("{wrong}%time hist; {names} = {values}\n", None, None, "wrong"),
    ("hist; {one_line}", None, None, "wrong"),
    # answers set in a cell above that the answers cell does not set (fairness review 240)
    ("print({names})", "{right}", None, "right"),
    ("# YOUR CODE HERE\nraise NotImplementedError()", "{right}", None, "right"),
    ("print({names})", "{right}exec('a_ = not a_')", None, "wrong"),
    # a module that runs code given as text, in the cell or in the cell answers are read from (review 246)
    ("{right}import cProfile\ncProfile.run('{names} = {wrong_values}')\n", None, None, "wrong"),
    ("{right}import trace\ntrace.Trace(count=0, trace=0).run('{names} = {wrong_values}')\n", None, None, "wrong"),
    ("pass", "{right}import cProfile\ncProfile.run('{names} = {wrong_values}')", None, "wrong"),
    # a name of Python's own rebound makes a plain statement below raise (review 243)
    ("{wrong}__annotations__ = 0\nz: int = 0\n{right}", None, None, "wrong"),
    ("{right}x = 'a'.encode('utf-8')\n%time {names} = {values}\n", None, None, "right"),
    # ... and a method of what such a call returns (fairness review 249), unless its codec is not loaded
    ("{right}x = 'a'.encode('utf-8').decode()\n%time {names} = {values}\n", None, None, "right"),
    ("{wrong}x = 'a'.encode('utf-8').decode('h249codec')\n%time {names} = {values}\n", None, None, "wrong"),
    # the template's `raise` left above timed answers, or inside a `%%time` cell, is a stop as on plain lines:
    # answers set only below it are graded as written, unless a cell above sets them (fairness review 242)
    ("# YOUR CODE HERE\nraise NotImplementedError()\n%time {names} = {values}\n", None, None, "right"),
    ("%%time\n# YOUR CODE HERE\nraise NotImplementedError()\n{right}", None, None, "right"),
    ("%%time\nraise NotImplementedError()\n{right}", "{wrong}", None, "wrong"),
    # a `raise` left at the end of a `%%time` cell stops nothing (fairness review 240)
    ("%%time\na_ = False\nprint(a_)\n{right}raise NotImplementedError()\n", None, None, "right"),
    # a stop above answers set only below it: Jupyter ends with what a cell above set (review 237)
    ("import asyncio\nawait asyncio.sleep(0)\n{right}", "%autoawait False\n{wrong}", None, "neither"),
    ("raise NotImplementedError()\n{right}", "{wrong}", None, "wrong"),
    # a top-level `await` compiles only while autoawait is on, and `%autoawait False` switches it off
    ("%autoawait False\n{wrong}await asyncio.sleep(0)\n{right}", None, None, "neither"),
    ("{wrong}await asyncio.sleep(0)\n{right}", "%autoawait False", None, "neither"),
    ("{right}", None, "%autoawait False\nawait asyncio.sleep(0)\n{wrong}", "neither"),
    # a cell below that parses only under `barry_as_FLUFL` (`<>`) runs in Jupyter and sets the answers
    ("from __future__ import barry_as_FLUFL\n{right}", None, "{wrong}ok = 1 <> 2", "wrong"),
    # the same features cost an honest cell nothing
    ("{right}x: int = 1\n", "from __future__ import annotations", None, "right"),
    ("{wrong}z: (w := 0) = 0\n{right}", "# from __future__ import annotations", None, "right"),
    ("{right}", "%autoawait False", None, "right"),
    ("{wrong}%time {names} = {values}\n", "from __future__ import annotations", None, "right"),
    ("from __future__ import annotations\n%time {names} = {values}\n", None, None, "right"),
    ("from __future__ import barry_as_FLUFL\n{wrong}%time {names} = {values}\n", None, None, "right"),
    ("raise NotImplementedError()\n{right}", None, None, "right")],
    ids=["annotations-in-the-cell", "annotations-first", "annotations-above", "annotations-on-the-magic-line",
         "annotations-above-a-magic-line", "barry-on-the-magic-line", "barry-fullwidth-on-the-magic-line",
         "time-then-yield", "prun-without-the-features", "time-catches-a-raise", "time-stops-its-own-line",
         "a-shell-line-timed", "a-magic-timed", "a-magic-name-timed-a-variable", "hist-timed", "hist-one-line",
         "answers-above-a-print", "answers-above-the-template", "answers-above-then-exec",
         "cprofile-run", "trace-run", "cprofile-run-above", "python-names-rebound", "an-honest-encode", "an-honest-encode-decoded",
         "a-codec-not-loaded-chained", "the-template-raise-above-timed-answers", "the-template-raise-in-a-timed-cell",
         "the-template-raise-in-a-timed-cell-with-answers-above", "a-raise-at-the-end-of-a-timed-cell", "await-below-answers-set-above",
         "raise-below-answers-set-above", "autoawait-in-the-cell", "autoawait-above", "autoawait-below",
         "barry-then-a-cell-below", "honest-annotation", "a-comment-imports-nothing", "honest-autoawait",
         "honest-timed-answers", "honest-annotations-above-timed-answers", "barry-and-a-line-it-reads-alike",
         "a-raise-left-from-the-template"])
def test_what_ipython_carries_from_one_compile_to_the_next_is_read_as_it_carries_it(answers, above, below, graded):
    """Review 236: each hostile case here scored 10/10 where Jupyter ends with the wrong five answers
    (or, where autoawait decides it, with either). IPython compiles later text under every `__future__`
    feature run so far and under its autoawait setting; the grader read each statement as Python alone."""
    key = SPEC.answer_key()
    right = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    fill = dict(right=right, wrong=wrong, names=_NAMES, values=_RIGHT_VALUES,
                wrong_values=", ".join(str(not key[n]) for n in sorted(key)),
                one_line="; ".join(f"{n} = {key[n]}" for n in sorted(key)))
    base = SOLUTION
    if above is not None:
        base = _with_cell("above", above.format(**fill), "answers-3-3")
    if below is not None:
        base = [*base, ("below", "code", below.format(**fill))]
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": answers.format(**fill)}, base=base),
                                                    TEMPLATE, True))}
    passed = {n for n, r in rows.items() if r.passed}
    assert len(rows) == len(key) and passed == (set(key) if graded == "right" else set()), \
        {n: r.message for n, r in rows.items()}
    if graded == "neither":
        assert all("autoawait" in r.message or "magic line" in r.message for r in rows.values()), \
            {n: r.message for n, r in rows.items()}


def test_a_cell_between_that_the_grader_cannot_read_leaves_answers_from_above_unknown():
    """Review 241: answers read from a student's cell above the answers cell (which only prints them) were
    taken although a cell between, too long with magics to be read, set them again in Jupyter."""
    key = SPEC.answer_key()
    right = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    unreadable = wrong + 'notes = """\n' + "filler line of notes\n" * 700 + '"""\n%pwd\n'
    base = _with_cell("draft", right, "answers-3-3")
    at = next(i for i, (cid, _, _) in enumerate(base) if cid == "answers-3-3")
    # ... and one line Jupyter runs as a magic that deletes them (review 247)
    for between, passed in ((unreadable, set()), ("reset_selective -f ^[a-e]_$", set()), ("print('checked')", set(key))):
        cells = [*base[:at], ("between", "code", between), *base[at:]]
        rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": f"print({_NAMES})"}, base=cells),
                                                        TEMPLATE, True))}
        assert {n for n, r in rows.items() if r.passed} == passed, {n: r.message for n, r in rows.items()}


def test_flags_of_an_answers_cell_graded_from_below_name_each_its_own_cell():
    """A fairness review (242): with the template's answers cell kept and the answers added below it,
    `grader check` said "raised (answers-3-3: `a_ = True`)": the raise is in the template's cell, the
    `a_ = True` line in the cell below, which only `moved:` is about."""
    from grader.cli.check import _describer
    from grader.flags import explained
    from grader.results import SubmissionResult
    r = SubmissionResult(file="x.ipynb", flags=["moved:answers-3-3", "raised:answers-3-3"],
                         student_cells={"answers-3-3": "a_ = True\nb_ = False\n"})
    said = {line.split(" ")[0]: line for line in explained(r.flags, _describer(SPEC, r))}
    assert "`a_ = True`" in said["moved"], said
    assert "`a_ = True`" not in said["raised"] and "answers-3-3" in said["raised"], said


def test_a_raise_at_the_end_of_a_timed_cell_raises_no_flag():
    """A fairness review (245): `%%time` catches what its body raises, so Run All goes on; the template's
    raise left below the answers in such a cell was flagged `raised:` ("Run All stops there")."""
    key = SPEC.answer_key()
    right = "".join(f"{n} = {key[n]}\n" for n in sorted(key))
    for cell, flagged in ((f"%%time\n{right}# YOUR CODE HERE\nraise NotImplementedError()\n", False),
                          (f"%%time\nraise NotImplementedError()\n{right}", True),
                          (f"{right}raise NotImplementedError()\n", True)):
        c = Context(SPEC, notebook({"answers-3-3": cell}), TEMPLATE, True)
        rows = answer_rows(c)
        assert all(r.passed for r in rows), [r.message for r in rows]
        assert ("raised:answers-3-3" in c.flags) == flagged, (cell, c.flags)


@pytest.mark.parametrize("above", ["import sys\nsys.modules['__main__'].len = exec", "globals()['len'] = exec",
                                   "import sys\nsetattr(sys.modules['__main__'], 'len', exec)",
                                   "k = 'l' + 'en'\nglobals()[k] = exec", "\uff4c\uff45\uff4e = exec",
                                   # stored by any target, on a name given the namespace, called on the type
                                   "import sys\nfor sys.modules['__main__'].len in [exec]: pass",
                                   "import sys\n[0 for sys.modules['__main__'].len in [exec]]",
                                   "import sys\nwith open('/dev/null') as sys.modules['__main__'].len: pass",
                                   "import sys\nm = sys.modules['__main__']\nsetattr(m, 'le' + 'n', exec)",
                                   "g = globals()\ng['l' + 'en'] = exec", "g = globals()\ng |= {'l' + 'en': exec}",
                                   "dict.update(globals(), {'l' + 'en': exec})",
                                   "dict.__setitem__(globals(), 'l' + 'en', exec)"])
def test_a_builtin_stored_in_the_namespace_above_is_no_builtin_beside_timed_answers(above):
    """Review 246: `sys.modules['__main__'].format = <a runner>` in a cell above rebound a builtin past the
    check for `format = ...`, and the answers cell's `format("<code>")` above a `%time` answers line ran it.
    `ｌｅｎ = exec` (full-width letters) binds `len` as Python reads names, past a scan of the raw text."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    cell = wrong + "len('pass')\n" + f"%time {_NAMES} = {_RIGHT_VALUES}\n"
    base = _with_cell("added", above, "answers-3-3")
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": cell}, base=base), TEMPLATE, True))}
    assert len(rows) == len(key) and not any(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}
    # a dict of the student's own, keyed by a computed name, rebinds nothing
    base = _with_cell("added", "history = {}\nk = 'l' + 'en'\nhistory[k] = 1", "answers-3-3")
    rows = {r.check: r for r in answer_rows(Context(SPEC, notebook({"answers-3-3": cell}, base=base), TEMPLATE, True))}
    assert all(r.passed for r in rows.values()), {n: r.message for n, r in rows.items()}


def _around_answers(answers: str, above=(), below=()) -> Context:
    """The solution with ``answers`` in the answers cell, the cells ``above`` right above it and ``below``
    right below it (in that order)."""
    at = next(i for i, (cid, _, _) in enumerate(SOLUTION) if cid == "answers-3-3")
    cells = [*SOLUTION[:at], *((f"above{i}", "code", s) for i, s in enumerate(above)), ("answers-3-3", "code", answers),
             *((f"below{i}", "code", s) for i, s in enumerate(below)), *SOLUTION[at + 1:]]
    return Context(SPEC, notebook(base=cells), TEMPLATE, True)


_STORED_WRONG = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}\n%store {_NAMES.replace(',', '')}\n"


@pytest.mark.parametrize("above,answers,below,passed,flag", [
    # `store -r` alone in a cell below (storemagic is loaded in every kernel): flagged, graded as written
    ([_STORED_WRONG], "{right}", ["store -r"], True, "exec:answers-3-3"),
    # ... between answers set above and an answers cell that prints them: unknown
    ([_STORED_WRONG, "{right}", "store -r"], "print({names})", [], False, "moved:answers-3-3"),
    # ... run by `%time` (its code is prefiltered, a bare magic name included), and so are `%run` and `%reset`
    ([_STORED_WRONG], "{right}%time store -r", [], False, None),
    ([], "{right}%time run -i x.py", [], False, None),
    ([], "{right}%timeit -n1 -r1 reset -f", [], False, None),
    ([], "{right}%time pwd", [], True, None), ([], "{right}%store a_", [], True, None),
])
def test_a_magic_run_by_its_bare_name_sets_the_names_it_sets_by_its_own(above, answers, below, passed, flag):
    """Review 248: `store -r` (IPython's storemagic, which every kernel loads) was not known as a magic by its
    bare name, alone in a cell or in `%time`'s code: Jupyter restored five wrong answers stored above, the
    grader graded the right literals (10/10, unflagged)."""
    fill = {"right": f"{_NAMES} = {_RIGHT_VALUES}\n", "names": _NAMES}
    c = _around_answers(answers.format(**fill), [a.format(**fill) for a in above], below)
    rows = answer_rows(c)
    assert len(rows) == 5 and all(r.passed is passed for r in rows), [r.message for r in rows]
    assert flag is None or flag in c.flags, c.flags


@pytest.mark.parametrize("answers,below,passed", [
    ("{right}%store -r results\n", [], True), ("{right}", ["%store -r results\nprint(results)"], True),
    ("{right}get_ipython().run_line_magic('store', '-r results')\n", [], True),
    ("{right}%store -r results b_\n", [], False), ("{right}%store -r\n", [], False)])
def test_store_r_with_names_restores_those_names_only(answers, below, passed):
    """A fairness review (387): `%store -r results` at the answers cell's end cost all ten points ("can set any
    name"), and below it was flagged `exec:`; IPython restores the names given, only those."""
    c = _around_answers(answers.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n"), ["results = 1\n%store results"], below)
    rows = answer_rows(c)
    assert all(r.passed for r in rows) if passed else not all(r.passed for r in rows), [r.message for r in rows]
    assert ("exec:answers-3-3" in c.flags) is False or not passed, c.details


@pytest.mark.parametrize("line", ["ls", "who", "pwd", "history", "env", "cd .", "ls -la", "import timeit",
                                  "from timeit import default_timer",
                                  # ... naming an answer, which Python refuses as it stands (fairness review 252)
                                  "pinfo a_", "time a_", "store a_", "psource a_",
                                  "import timeit\ntimeit.timeit('1+1', number=10)"])
def test_an_everyday_one_line_cell_between_or_below_the_answers_costs_nothing(line):
    """A fairness review (249): `ls`, `who` or `pwd` alone in a cell between answers set above and an answers
    cell that prints them cost all five (`%who` cost nothing), with a message about constructs the answers cell
    did not hold; below the answers they were flagged `exec:`."""
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    c = _around_answers(f"print({_NAMES})", [right, line])
    rows = answer_rows(c)
    assert len(rows) == 5 and all(r.passed for r in rows), [r.message for r in rows]
    c = _around_answers(right, below=[line])
    rows = answer_rows(c)
    assert all(r.passed for r in rows) and not any(f.startswith(("exec:", "moved:")) for f in c.flags), \
        (c.flags, c.details)


def test_a_one_line_cell_below_that_sets_an_answer_as_python_leaves_it_unknown():
    """`pwd; a_ = False` runs as `%pwd` (a_ stays) unless a variable `pwd` exists (a_ is False): unknown,
    and the message says why and what to do."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=["pwd; a_ = False"])
    rows = {r.check: r for r in answer_rows(c)}
    assert [n for n, r in rows.items() if not r.passed] == ["a_"], {n: r.message for n, r in rows.items()}
    assert "`%pwd`" in rows["a_"].message and "delete that cell" in rows["a_"].message, rows["a_"].message


def test_answers_from_above_left_unknown_by_a_cell_between_say_which_cell():
    """A fairness review (249): answers read from a cell above, made unknown by a cell between, were told
    "also set elsewhere in the cell (inside a block, ...)" of a cell that held none of that."""
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    c = _around_answers(f"print({_NAMES})", [right, "exec(open('fix.py').read())"])
    rows = {r.check: r for r in answer_rows(c)}
    assert not any(r.passed for r in rows.values())
    said = rows["a_"].message
    assert "exec(open('fix.py').read())" in said and "between" in said and "elsewhere in the cell" not in said, said
    # one message for the five, which `grader check` says once, and no detail that says Jupyter ends with them
    assert len({r.message for r in rows.values()}) == 1, {n: r.message for n, r in rows.items()}
    assert "moved:answers-3-3" in c.flags and not any("Jupyter ends with" in d for d in c.details), c.details


@pytest.mark.parametrize("cell,passed", [
    ("import timeit\n{right}", True), ("import pdb\n{right}", True),
    ("from timeit import default_timer as timer\nt0 = timer()\n{right}print(timer() - t0)", True),
    ("import timeit\nt0 = timeit.default_timer()\n{right}", True),
    # used, under any name, they run text that can set any name (review 246)
    ("{right}import timeit as t\nt.timeit('global a_\\na_ = False', number=1)", False),
    ("{right}from timeit import timeit as tt\ntt(code)", False),
    ("{right}from timeit import *", False), ("{right}import code\nrun = code\n", False),
    # ... with code the cell shows that sets nothing, they cost nothing (fairness review 252)
    ("import timeit\n{right}print(timeit.timeit('1+1', number=10))", True),
    ("import timeit\n{right}timeit.timeit(stmt='x = 1', number=3)", True),
    ("import timeit\n{right}timeit.timeit(lambda: 1 + 1, number=3)", True),
    ("from timeit import repeat\n{right}print(repeat('1+1', number=10, repeat=3))", True),
    ("import cProfile\n{right}cProfile.run('sum(range(10))')", True),
    ("import timeit\n{right}m = ANN_relu(784, 10)\nx = torch.zeros(1, 784)\n"
     "print(timeit.timeit('m(x)', globals=globals(), number=3))", True),
    ("import timeit\n{right}print(timeit.timeit('x = [1]; x[0] = 2', number=100))", True),
    ("{right}import timeit\ntimeit.timeit('a_ = False', globals=globals(), number=1)", False),
    # ... unless that code sets names, runs in the notebook's namespace and binds one, or is not shown
    ("{right}import timeit\ntimeit.timeit('global a_; a_ = False', number=1)", False),
    ("{right}import timeit\ntimeit.timeit('import __main__; __main__.a_ = False', number=1)", False),
    ("{right}import timeit\ntimeit.timeit('pass', setup=s, number=1)", False),
    ("{right}import cProfile\ncProfile.run('a_ = False')", False),
    ("{right}import runpy\nrunpy.run_path('fix.py')", False),
])
def test_a_module_that_runs_text_costs_the_answers_only_where_the_cell_uses_it(cell, passed):
    """A fairness review (249): `from timeit import default_timer`, `import timeit` or `import pdb` in the
    answers cell cost all five answers on plain lines, although nothing ran text."""
    c = _around_answers(cell.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n"))
    rows = answer_rows(c)
    assert len(rows) == 5 and all(r.passed is passed for r in rows), [r.message for r in rows]


@pytest.mark.parametrize("cell,passed", [
    # a fairness review, 410: doctest's runners of the notebook's docstrings cost all five answers in the answers cell
    # (above or below them), where a helper of a cell above calling them cost nothing; they run the examples in a copy
    # of the namespace: graded as written, flagged for a TA
    ("{right}import doctest\ndoctest.testmod(verbose=False)\n", True),
    ("import doctest\ndoctest.testmod()\n{right}", True),
    ("{right}from doctest import testmod\ntestmod()\n", True),
    ("{right}import doctest as dt\ndt.testmod()\n", True),
    # ... with the namespace or an option flag given (a fairness review, 415)
    ("{right}import doctest\ndoctest.run_docstring_examples(as_bool, globals())\n", True),
    ("{right}import doctest\ndoctest.testmod(optionflags=doctest.ELLIPSIS, globs=globals())\n", True),
    # ... not another door beside it, nor a runner handed on or one that reads a file
    ("{right}import doctest\ndoctest.testmod()\nexec('a_ = False')\n", False),
    ("{right}exec('a_ = False')\nimport doctest\ndoctest.testmod()\n", False),
    ("{right}import doctest\nf = doctest.testmod\nf()\n", False),
    ("{right}import doctest\ndoctest.testfile('checks.txt')\n", False),
])
def test_doctest_run_on_the_notebooks_docstrings_is_flagged_not_scored(cell, passed):
    helper = "def as_bool(x):\n    \"\"\"\n    >>> as_bool('yes')\n    True\n    \"\"\"\n    return x == 'yes'\n"
    c = _around_answers(cell.format(right=f"{_NAMES} = {_RIGHT_VALUES}\n"), above=[helper])
    rows = answer_rows(c)
    assert len(rows) == 5 and all(r.passed is passed for r in rows[:1]), [r.message for r in rows]
    if passed:
        assert "exec:answers-3-3" in c.flags and any("docstrings" in d for d in c.details), (c.flags, c.details)


@pytest.mark.parametrize("rebinds", ["def strict():\n    global exit\n    from sys import exit\nstrict()\n",
                                     "import sys\ndef strict():\n    global exit\n    exit = sys.exit\nstrict()\n"])
def test_an_exit_the_answers_cell_binds_in_a_function_is_not_the_one_above(rebinds):
    """Review 413: `global exit` in a function of the answers cell, bound to `sys.exit` there and called above the
    call: Jupyter stopped with the first answers; the call was read as the function a cell above defined."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{rebinds}{wrong}exit('checked')\n{_NAMES} = {_RIGHT_VALUES}\n",
                        above=["def exit(msg='done'):\n    print(msg)\n"])
    assert not any(r.passed for r in answer_rows(c))


@pytest.mark.parametrize("call,graded", [("exit('checked')", True), ("exit()", False), ("exit(1, 2)", False),
                                         ("exit(*())", False)])
def test_an_exit_of_the_notebooks_own_counts_where_its_def_accepts_the_call(call, graded):
    """Review 413: the notebook's `def exit(msg)` above, called as `exit()` between two tries: a TypeError that stopped
    Jupyter's Run All, read as the function's call (10/10 unflagged). A call its `def` refuses leaves them unknown."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{wrong}{call}\n{_NAMES} = {_RIGHT_VALUES}\n", above=["def exit(msg):\n    print(msg)\n"])
    assert all(r.passed is graded for r in answer_rows(c)), [r.message for r in answer_rows(c)]


@pytest.mark.parametrize("imported", ["from sys import *", "from sys import exit"])
def test_an_exit_the_answers_cell_imports_is_an_exit_whatever_a_cell_above_defined(imported):
    """Review 412: `def exit(msg): print(msg)` above, `from sys import *` (or `from sys import exit`) in the answers cell,
    then `exit('checked')` between two tries: Jupyter stopped with the first; graded 10/10 unflagged."""
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(f"{imported}\n{wrong}exit('checked')\n{_NAMES} = {_RIGHT_VALUES}\n",
                        above=["def exit(msg='done'):\n    print(msg)\n"])
    assert not any(r.passed for r in answer_rows(c)), [r.message for r in answer_rows(c)]


@pytest.mark.parametrize("cell,above,stops", [
    # review 412: a coroutine of the notebook's that surely stops, awaited between two tries (10/10 where Jupyter
    # stopped), and a literal awaited (a TypeError)
    ("async def check():\n    raise SystemExit('checked')\n{wrong}await check()\n{right}", None, True),
    ("{wrong}await check()\n{right}", "async def check():\n    raise SystemExit('checked')\n", True),
    ("{wrong}await 0\n{right}", None, True),
    # ... not one called and never awaited (its body does not run), nor one that returns
    ("async def check():\n    raise SystemExit('checked')\n{wrong}check()\n{right}", None, False),
    ("async def f():\n    return 1\n{wrong}await f()\n{right}", None, False),
])
def test_an_awaited_coroutine_that_surely_stops_stops_the_answers_cell(cell, above, stops):
    key = SPEC.answer_key()
    wrong = "".join(f"{n} = {not key[n]}\n" for n in sorted(key))
    c = _around_answers(cell.format(wrong=wrong, right=f"{_NAMES} = {_RIGHT_VALUES}\n"), above=[above] if above else [])
    rows = answer_rows(c)
    assert all(r.passed is not stops for r in rows), [r.message for r in rows]
    assert ("raised:answers-3-3" in c.flags) is stops, (c.flags, c.details)


@pytest.mark.parametrize("helper", [
    'def check():\n    """\n    >>> import __main__; __main__.a_ = False\n    """\n    import doctest\n    doctest.testmod()\n',
    'from doctest import testmod\ndef check():\n    testmod()\n',
    # ... or through doctest's classes (review 413)
    'def check():\n    import doctest\n    runner = doctest.DocTestRunner()\n    for test in doctest.DocTestFinder().find(check):\n'
    '        runner.run(test)\n',
    # ... its test case and its debugger (review 414)
    'import doctest, inspect\ndef check():\n    test = doctest.DocTestParser().get_doctest(inspect.getdoc(check), {}, "c", None, 0)\n'
    '    doctest.DocTestCase(test).runTest()\n',
    'import doctest, inspect\ndef check():\n    doctest.debug_src(inspect.getdoc(check))\n',
    # ... and a forward stop: the helper a later cell above defines surely stops (review 414's `exit` calling `check`)
])
def test_a_function_that_runs_the_docstrings_is_flagged_where_called(helper):
    """Review 412: a helper of a cell above running `doctest.testmod()`, whose docstring example set `__main__.a_`, called
    at the answers cell's end: Jupyter ended with the example's values; graded as written with no flag. Flagged now, as
    any function of the notebook's that may set an answer (README)."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\ncheck()\n", above=[helper])
    assert all(r.passed for r in answer_rows(c))        # graded as written
    assert "exec:answers-3-3" in c.flags and any("doctest" in d or "testmod" in d for d in c.details), c.details


def test_a_runner_imported_in_another_cell_and_used_below_the_answers_is_flagged():
    """Review 249's run-up: `import timeit as t` in one cell and `t.timeit("<code>")` below the answers was
    neither read nor flagged (the import was the only sign)."""
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    for imported, used in (("import timeit", "timeit.timeit(code)"), ("import timeit as t", "t.timeit(code)"),
                           ("import code", "code.InteractiveInterpreter().runsource(text)")):
        c = _around_answers(right, [imported], [used])
        assert all(r.passed for r in answer_rows(c)) and "exec:answers-3-3" in c.flags, (imported, c.flags)


@pytest.mark.parametrize("end", ["\n\n", "\n \n", "\x0c\n"])
def test_a_cell_ipython_reads_as_two_lines_is_no_automagic(end):
    """Review 251: `pwd if 0 else 0; a_, ... = ...` with a blank line below is two lines to IPython, which then
    runs it as Python (all five set); the grader counted the lines that hold text and read `%pwd`, 0/10."""
    c = _around_answers(f"pwd if 0 else 0; {_NAMES} = {_RIGHT_VALUES}{end}")
    rows = answer_rows(c)
    assert len(rows) == 5 and all(r.passed for r in rows), [r.message for r in rows]
    # one line, it runs as the magic: none of its assignments runs
    rows = answer_rows(_around_answers(f"pwd if 0 else 0; {_NAMES} = {_RIGHT_VALUES}\n"))
    assert not any(r.passed for r in rows), [r.message for r in rows]


_WRONG_THROUGH = "m.a_, m.b_, m.c_, m.d_, m.e_ = " + ", ".join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(", "))


@pytest.mark.parametrize("door", [
    "import sys\nm = getattr(sys, 'mod' + 'ules')['__ma' + 'in__']",
    "import sys\nm = sys.__getattribute__('mod' + 'ules')['__ma' + 'in__']",
    "import os\nm = os.sys.modules['__ma' + 'in__']",
    "from operator import attrgetter\nm = attrgetter('mod' + 'ules')(__import__('s' + 'ys'))['__ma' + 'in__']",
    "import sys\nm = vars(sys)['mod' + 'ules']['__ma' + 'in__']",
    "import timeit\ntimeit.timeit(\"m = getattr(sys, 'mod' + 'ules')['__ma' + 'in__']\\n{wrong}\", number=1)",
    # a module under another name, in a list, or handed to a function (after fairness review 256 narrowed the
    # rule to what may be a module)
    "import sys\nx = sys\nm = getattr(x, 'mod' + 'ules')['__ma' + 'in__']",
    "import sys\nm = (lambda o: getattr(o, 'mod' + 'ules'))(sys)['__ma' + 'in__']",
    "import sys\nfor x in [sys]:\n    m = getattr(x, 'mod' + 'ules')['__ma' + 'in__']",
    "import sys\ny = [sys]\nm = getattr(y[0], 'mod' + 'ules')['__ma' + 'in__']",
    "import sys\nk = 'mod' + 'ules'\nm = sys.__dict__[k]['__ma' + 'in__']",
    # ... or through a module an earlier cell imported (review 258)
    "s = torch.__dict__['s' + 'ys']\nm = s.__dict__['mod' + 'ules']['__ma' + 'in__']",
    # ... or by names a loop gives that reach a door, or a writer handed on under another name
    "import numpy as np\nfor name in ['__builtins__']:\n    m = getattr(np, name)['__import__']('__ma' + 'in__')",
    "import importlib\nm = importlib.import_module('__ma' + 'in__')",
    "import numpy as np\nm = getattr(np, '__builtins__')['__import__']('__ma' + 'in__')",
    "import sys\nfor k in ['numpy']:\n    k = '__main__'\n    m = sys.modules[k]",
    "f = setattr\nimport sys\nm = sys.modules['__main__']\nf(m, 'a_', False)",
])
def test_the_notebooks_module_reached_by_a_computed_name_sets_the_answers_otherwise(door):
    """Review 253: `getattr(sys, 'mod' + 'ules')['__ma' + 'in__']` (also `os.sys.modules`, and as text handed to
    `timeit.timeit`, which runs it with `sys` at hand) reached the notebook's module past a check for the
    names written out, and set the five answers otherwise: 10/10 where Jupyter ended with the wrong five."""
    _lost_below_the_answers_and_between(door.format(wrong=_WRONG_THROUGH) +
                                        ("" if "{wrong}" in door else "\n" + _WRONG_THROUGH))


def _lost_below_the_answers_and_between(text: str) -> None:
    """``text`` below the right answers in the answers cell, and in a cell between answers set above and an
    answers cell that prints them, leaves every answer unknown."""
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    rows = answer_rows(_around_answers(right + text))
    assert len(rows) == 5 and not any(r.passed for r in rows), [r.message for r in rows]
    rows = answer_rows(_around_answers(f"print({_NAMES})", [right, text]))
    assert not any(r.passed for r in rows), [r.message for r in rows]


_WRONG_DICT = "{" + ", ".join(f"'{n}': {not SPEC.answer_key()[n]}" for n in _NAMES.split(", ")) + "}"


@pytest.mark.parametrize("writer", [
    f"g = getattr(lambda: 0, '__glo' + 'bals__')\ng.update({_WRONG_DICT})",
    f"def note():\n    pass\ngetattr(note, '__globals__').update({_WRONG_DICT})",
    f"import inspect\nfor k, v in dict(inspect.getmembers(lambda: 0)).items():\n    if k.startswith('__gl'):\n"
    f"        v.update({_WRONG_DICT})",
    f"try:\n    1 / 0\nexcept ZeroDivisionError as err:\n    fr = err.__traceback__.tb_frame\n"
    f"    getattr(fr, 'f_glob' + 'als').update({_WRONG_DICT})",
    f"f = globals\nf().update({_WRONG_DICT})",
    # a frame out of a traceback, its namespace by position (review 289)
    f"import sys, traceback, inspect\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n"
    f"    for fr, _ in traceback.walk_tb(sys.exc_info()[2]):\n        inspect.getargvalues(fr)[3].update({_WRONG_DICT})",
    f"import sys\nfrom traceback import walk_tb as w\nfrom inspect import getargvalues as gav\ntry:\n    1 / 0\n"
    f"except ZeroDivisionError:\n    for fr, _ in w(sys.exc_info()[2]):\n        gav(fr)[3].update({_WRONG_DICT})",
    f"import functools\nfunctools.reduce(getattr, ['__globals__'], lambda: 0).update({_WRONG_DICT})",
    # the namespace as one dict of the heap (review 293: 10/10 under an `exec:` flag)
    f"import gc\n[d for d in gc.get_referrers(gc) if isinstance(d, dict) and 'a_' in d][0].update({_WRONG_DICT})",
    f"from gc import get_objects as heap\nfor d in heap():\n    if isinstance(d, dict) and 'a_' in d:\n"
    f"        d.update({_WRONG_DICT})",
    "import gc\nfor d in gc.get_referents(gc.__dict__):\n    pass",
    # the module by a dotted path that a resolver follows, written out or in parts (review 300)
    f"import pydoc\npydoc.locate('__ma' + 'in__.__di' + 'ct__.update')(**{_WRONG_DICT})",
    f"from importlib.metadata import EntryPoint\nEntryPoint(name='n', value='__main__:__dict__.update', "
    f"group='g').load()(**{_WRONG_DICT})",
    f"import logging.config\nlogging.config.dictConfig({{'version': 1, 'disable_existing_loggers': False, 'formatters': "
    f"{{'f': {{'()': '__ma' + 'in__.__di' + 'ct__.update', **{_WRONG_DICT}}}}}}})",
    f"from unittest import mock\nmock.patch.multiple('__ma' + 'in__', **{_WRONG_DICT}).start()",
    f"import pydoc\npydoc.locate(f'__ma{{\"in\"}}__.__dict__.update')(**{_WRONG_DICT})",
])
def test_a_namespace_reached_through_the_cells_own_objects_sets_the_answers_otherwise(writer):
    """Review 279: a function's `__globals__` read by a computed name (`getattr(lambda: 0, '__glo' + 'bals__')`),
    `inspect.getmembers`, a traceback's frame: 10/10 where Jupyter ended with wrong answers, unflagged. Review
    293: the heap (`gc.get_referrers`), 10/10 with only an `exec:` flag."""
    _lost_below_the_answers_and_between(writer)


@pytest.mark.parametrize("line", ["print(model._modules)\nprint(list(model._parameters))",
                                  "print(model._get_name(), model._modules.keys())", "print(len(model._modules))",
                                  "class Cfg:\n    def __init__(self):\n        self.kernel = 'rbf'\ncfg = Cfg()\nprint(cfg.kernel)",
                                  "from types import SimpleNamespace\ncfg = SimpleNamespace(instance=3)\nprint(f'{cfg.instance}')",
                                  "import torch\nprint(torch._C._get_tracing_state())",
                                  # (a fairness review, 282) reads of the cell's own objects and of names kept
                                  # from `_`, and values only shown
                                  "import operator\nimport torch.nn as nn\nlayers = [nn.Linear(2, 2)]\n"
                                  "ws = list(map(operator.attrgetter('weight'), layers))",
                                  "import torch.nn as nn\nm = nn.Linear(2, 2)\nfor name in dir(m):\n"
                                  "    if not name.startswith('_'):\n        v = getattr(m, name)",
                                  "for name, p in model.named_parameters():\n    mod = name.rsplit('.', 1)[0]\n"
                                  "    print(name, getattr(model, mod))",
                                  "import argparse\nargs = argparse.Namespace(lr=0.01)\nconfig = vars(args)",
                                  "import argparse\nparser = argparse.ArgumentParser()\nargs = parser.parse_args([])\n"
                                  "for k in vars(args):\n    print(k, getattr(args, k))",
                                  "class C:\n    def __init__(self):\n        self._cache = {'k': 1}\n\n    def tick(self):\n"
                                  "        self._step = 0\n        self._step += 1\n        return self._step\nx = C()\n"
                                  "y = x._cache['k'] + 1",
                                  "class Cfg:\n    kernel = 'rbf'\ncfg = Cfg()\nk = cfg.kernel",
                                  # (a fairness review, 285) an instance of a module's class is no module; layers
                                  # by number; `setattr` on the cell's own instance
                                  "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid())\nn = 0\n"
                                  "for name in dir(model):\n    if not name.startswith('_'):\n"
                                  "        attr = getattr(model, name)\n        if callable(attr):\n            n += 1",
                                  "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid())\n"
                                  "for i in range(2):\n    layer = getattr(model, f'{2 * i}')\n    print(layer)",
                                  "class Opt:\n    def __init__(self, **kw):\n        for k, v in kw.items():\n"
                                  "            setattr(self, k, v)\no = Opt(lr=0.1, mom=0.5)\nprint(o.lr, getattr(o, 'mom'))",
                                  # (a fairness review, 287) `model.modules()`, `vars` of the cell's own instance,
                                  # `setattr` on a module's instance, a guarded `dir` loop beside `self._cache`
                                  "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 8), nn.ReLU())\n"
                                  "for m in model.modules():\n    print(m)",
                                  "class Config:\n    def __init__(self, **kw):\n        for k, v in kw.items():\n"
                                  "            setattr(self, k, v)\n\n    def __repr__(self):\n"
                                  "        return f'Config({vars(self)})'\ncfg = Config(lr=0.01)\nprint(vars(cfg))",
                                  "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 8), nn.ReLU())\n"
                                  "for i in range(2):\n    setattr(model, f'extra{i}', nn.Identity())",
                                  "class Helper:\n    def __init__(self):\n        self._cache = {}\n\n    def get(self, k):\n"
                                  "        return self._cache.get(k)\nh = Helper()\nfor name in dir(h):\n"
                                  "    if not name.startswith('_'):\n        print(name, getattr(h, name))",
                                  # (a fairness review, 403) a method's name read elsewhere than in its class's
                                  # body is another object: a property beside an argument of its name, a variable
                                  # named as a method
                                  "class Result:\n    def __init__(self, acc):\n        self._acc = acc\n\n"
                                  "    @property\n    def acc(self):\n        return self._acc\nprint(Result(0.9).acc)",
                                  "class Meter:\n    def __init__(self):\n        self._vals = []\n\n"
                                  "    def update(self, v):\n        self._vals.append(v)\n\n    def mean(self):\n"
                                  "        return sum(self._vals) / len(self._vals)\nmeter = Meter()\n"
                                  "for update in [0.5, 0.4]:\n    meter.update(update)\nmean = meter.mean()\nprint(mean)"])
def test_a_private_attribute_or_a_path_word_only_shown_costs_nothing(line):
    """A fairness review (280): `print(model._modules)` after the answers, `self.kernel = 'rbf'` in a config class
    and `cfg.instance` printed cost all five (review 277's doors); a cell below doing so raised `exec:`. Shown
    only, or stored, such an attribute leads nowhere."""
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    rows = answer_rows(_around_answers(right + line + "\n"))
    assert len(rows) == 5 and all(r.passed for r in rows), [r.message for r in rows]
    c = _around_answers(right, below=[line])
    assert all(r.passed for r in answer_rows(c)) and not any(f.startswith("exec:") for f in c.flags), c.flags


@pytest.mark.parametrize("line", ["print(getattr(np, 'pi', None))", "print(globals()['a_'])",
                                  "print({k: globals()[k] for k in ['a_', 'b_']})", "print(vars(cfg)['lr'])",
                                  # an object's own attributes read by a computed name (fairness review 256)
                                  "m = ANN_relu(784, 10)\nfor i in range(1, 5):\n    print(getattr(m, f'linear{i}'))",
                                  "import argparse\nargs = argparse.Namespace(lr=0.01)\nfor k in ['lr']:\n"
                                  "    print(k, vars(args)[k])",
                                  "class Cfg:\n    lr = 0.01\ncfg = Cfg()\nfor k in ['lr']:\n    print(k, cfg.__dict__[k])",
                                  "import sys\nprint(sys.modules['numpy'].__version__)",
                                  "import sys\nprint('torch' in sys.modules)",
                                  # by names a loop over literal strings gives, and imports by a name written out
                                  # (fairness review 259)
                                  "import numpy as np\nfor name in ['zeros', 'ones']:\n    print(getattr(np, name)(2))",
                                  "import sys\nfor m in ['numpy', 'torch']:\n    print(m, sys.modules[m].__version__)",
                                  "import importlib\nnp = importlib.import_module('numpy')\nprint(np.__version__)",
                                  # a dunder written out reads as the attribute (fairness review 262)
                                  "import numpy as np\nfor m in [np]:\n    print(getattr(m, '__version__', '?'))",
                                  "import sys\nfor m in ['numpy', 'torch']:\n"
                                  "    print(m, getattr(sys.modules.get(m), '__version__', None))"])
def test_reading_a_namespace_by_a_name_written_out_costs_nothing(line):
    """A fairness review (256): the rules of review 253 cost answers on plain lines for a layer read with
    `getattr(model, f'linear{i}')`, a setting with `vars(args)[k]` and a version with `sys.modules['numpy']`."""
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{line}"))
    assert len(rows) == 5 and all(r.passed for r in rows), [r.message for r in rows]


@pytest.mark.parametrize("line", ["!echo saved &", "files = !ls &", "!!ls &", "%sx ls &", "%system ls  & "])
def test_a_shell_command_run_in_the_background_stops_the_cell(line):
    """Review 255: ipykernel refuses a shell command that ends in `&` (an OSError, "Background processes not
    supported"), so the cell stops there; the right answers below it were graded, 10/10, where Jupyter ended
    with the wrong five above it."""
    wrong = "".join(f"{n} = {not SPEC.answer_key()[n]}\n" for n in _NAMES.split(", "))
    for answers in (f"{wrong}{line}\n{_NAMES} = {_RIGHT_VALUES}\n", f"{wrong}{line}\n%time {_NAMES} = {_RIGHT_VALUES}\n"):
        c = _around_answers(answers)
        rows = answer_rows(c)
        assert len(rows) == 5 and not any(r.passed for r in rows), [r.message for r in rows]
        assert "raised:answers-3-3" in c.flags
    # the template's answers below such a line, set nowhere else: graded as written, and the detail says why
    c = _around_answers(f"# YOUR CODE HERE\n{line}\n{_NAMES} = {_RIGHT_VALUES}\n")
    assert all(r.passed for r in answer_rows(c)) and any("Background processes" in d for d in c.details), c.details
    # not in the background: a comment after `&`, or `&&`, runs
    for other in ("!echo x & # note", "!echo a && echo b"):
        rows = answer_rows(_around_answers(f"{wrong}{other}\n{_NAMES} = {_RIGHT_VALUES}\n"))
        assert all(r.passed for r in rows), (other, [r.message for r in rows])


def test_an_answer_stored_as_an_attribute_of_any_object_is_unknown():
    """However a cell came by the notebook's module, `m.a_ = ...` is how it sets an answer through it: an
    answer stored as an attribute of any object is not known (review 253's sink)."""
    rows = {r.check: r for r in answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\nimport numpy as np\n"
                                                              f"np.a_ = False\n"))}
    assert [n for n, r in rows.items() if not r.passed] == ["a_"], {n: r.message for n, r in rows.items()}
    assert "np.a_ = ..." in rows["a_"].message, rows["a_"].message


@pytest.mark.parametrize("rebind", ["match {value}:\n    case {name}:\n        pass",
                                    "try:\n    1 / 0\nexcept ZeroDivisionError as {name}:\n    {name} = {value}",
                                    "{name} += {value}", "for {name} in [{value}]:\n    pass\nelse:\n    pass"])
def test_a_name_given_a_literal_string_and_rebound_otherwise_holds_any(rebind):
    """Review 261: `x = 'numpy'`, then a `match` capture rebinding `x` to '__main__' (and `y` to '__dict__'),
    read `getattr(sys.modules[x], y)` as a read of numpy's attribute; the notebook's namespace reached so was
    updated with the wrong five: 10/10."""
    wrong = ", ".join(f"{n}={not SPEC.answer_key()[n]}" for n in _NAMES.split(", "))
    x = rebind.format(name="x", value="'__ma' + 'in__'") if "+=" not in rebind else "x = ''\nx += '__main__'"
    y = rebind.format(name="y", value="'__di' + 'ct__'") if "+=" not in rebind else "y = ''\ny += '__dict__'"
    cell = (f"{_NAMES} = {_RIGHT_VALUES}\nimport sys\nx = 'numpy'\ny = 'zeros'\n{x}\n{y}\n"
            f"d = getattr(sys.modules[x], y)\nd.update({wrong})\n")
    rows = answer_rows(_around_answers(cell))
    assert len(rows) == 5 and not any(r.passed for r in rows), [r.message for r in rows]


_WRONG_LINE = f"{_NAMES} = {', '.join(str(not SPEC.answer_key()[n]) for n in _NAMES.split(', '))}"


@pytest.mark.parametrize("writer", [
    f"print.__self__.exec('{_WRONG_LINE}')",
    "abs.__self__.globals().update(" + ", ".join(f"{n}={not SPEC.answer_key()[n]}" for n in _NAMES.split(", ")) + ")",
    f"f = print.__self__\nf.exec('{_WRONG_LINE}')",
    f"import pickle\npickle.loads(b\"cbuiltins\\nexec\\n(V{_WRONG_LINE}\\ntR.\")",
])
def test_a_writer_reached_as_an_attribute_sets_the_answers_otherwise(writer):
    """Review 264: a builtin's `__self__` is the builtins module, so `print.__self__.exec(...)` and
    `abs.__self__.globals().update(...)` set the five answers otherwise after the right literals, and so did
    a pickle naming `builtins.exec`: 10/10 where Jupyter ended with the wrong five, also in a cell between."""
    _lost_below_the_answers_and_between(writer)


@pytest.mark.parametrize("line", ["model = ANN_relu(784, 10)\nmodel.eval()", "import re\nprint(re.compile('a+'))",
                                  "import json\nprint(json.loads('[1]'))"])
def test_everyday_methods_named_like_writers_cost_nothing(line):
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{line}\n"))
    assert len(rows) == 5 and all(r.passed for r in rows), [r.message for r in rows]


@pytest.mark.parametrize("line,below", [
    ("print([a_ for a_ in ['x', 'y']])", False), ("class Answers:\n    a_ = False", False),
    ("from types import SimpleNamespace\nanswers = SimpleNamespace()\nanswers.a_ = a_\nprint(vars(answers))", False),
    ("print({a_: 1 for a_ in range(2)})", True),
    # `self` in its class's `__init__` is an instance the cell made (a fairness review, 268)
    ("class Answers:\n    def __init__(self):\n        self.a_ = True\n\n    def show(self):\n        print(self.a_)\n\n"
     "Answers().show()", False),
    ("class Answers:\n    def __init__(self, a):\n        super().__init__()\n        self.a_ = a\nans = Answers(a_)", False),
    ("class Report:\n    def __init__(self):\n        self.a_ = a_\n\nprint(Report().a_)", True),
    # writing a pickle runs nothing (a fairness review, 268); reading one may
    ("import pickle\nwith open('answers.pkl', 'wb') as f:\n    pickle.dump([a_, b_, c_, d_, e_], f)", False),
    ("import pickle\nblob = pickle.dumps((a_, b_))\nprint(len(blob))", False),
    ("import pickle\npickle.dump(a_, open('a.pkl', 'wb'))", True),
    # objects of a module's classes made with arguments
    ("import argparse\nfrom types import SimpleNamespace\nr = argparse.Namespace(**{'x': 1})\nr.a_ = a_\n"
     "s = SimpleNamespace(lr=0.1)\ns.a_ = a_", False),
    # any method's `self`, a subclass of `nn.Module`'s, a dataclass's `__post_init__` (a fairness review, 271)
    ("class Answers:\n    def set(self):\n        self.a_ = True\n        return self\n\nans = Answers().set()", False),
    ("import torch.nn as nn\nclass Answers(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.a_ = True\nans = Answers()", False),
    ("from dataclasses import dataclass\n@dataclass\nclass Answers:\n    x: int = 0\n\n    def __post_init__(self):\n"
     "        self.b_ = False\nAnswers()", False),
    # a shelf only written to loads no pickle (a fairness review, 274)
    ("import shelve\nwith shelve.open('answers') as db:\n    db['answers'] = [a_, b_, c_, d_, e_]", False),
    ("import shelve\ndb = shelve.open('answers')\ndb['a'] = a_\ndb.close()", True),
    # a name deleted by name, histories cleared (a fairness review, 295)
    ("%xdel -n test_model", False), ("%reset -f out", False), ("%reset -f in dhist", False), ("%reset -f array", False),
    ("%reset out -f", False), ('%reset_selective -f "^tmp"', False), ("%xdel -n 'test_model'", False),
    # a docstring or a comparison naming the module, strings that only start alike (review 300's rule)
    ('"""Answers, also when run as __main__."""', False), ("print('__m' + 'odel')", False),
])
def test_names_that_bind_nothing_of_the_notebooks_cost_nothing(line, below):
    """A fairness review (265): a comprehension's variable and a class body's assignment named like an
    answer, and an answer stored on an object the cell made, cost that answer (Python binds none of them
    in the notebook)."""
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    c = _around_answers(right, below=[line]) if below else _around_answers(right + line + "\n")
    rows = answer_rows(c)
    assert len(rows) == 5 and all(r.passed for r in rows), [r.message for r in rows]
    assert not any(f.startswith(("moved:", "exec:")) for f in c.flags), c.flags


@pytest.mark.parametrize("line", [
    # what may hand the notebook's module to a class's `__init__` as `self`
    "class A:\n    def __init__(self):\n        self.a_ = False\nA.__init__(m)",
    "class A:\n    def __init__(self):\n        self.a_ = False\nx = A()\ntype(x).__init__(m)",
    "class A:\n    def __init__(self):\n        self.a_ = False\nf(A)",
    "class A:\n    def __init__(self):\n        self = m\n        self.a_ = False\nA()",
    "class A:\n    def __init__(self):\n        self.a_ = False\nclass B(A):\n    def __init__(self):\n"
    "        super(B, m).__init__()\nB()",
    "class A:\n    def __init__(self):\n        def g(self):\n            self.a_ = False\n        g(m)\nA()",
    "class A(metaclass=M):\n    def __init__(self):\n        self.a_ = False\nA()",
    "class A:\n    def set(self):\n        self.a_ = False\n    set = staticmethod(set)\nA().set(m)",
    "import types\nclass A:\n    def set(self):\n        self.a_ = False\n    go = types.MethodType(set, m)\nA().go()",
    "@decorate\nclass A:\n    def __init__(self):\n        self.a_ = False\nA()",
    # the class through a dunder of its instance, the module through a function's (review 273)
    "import pkgutil\nclass A:\n    def mark(self):\n        self.a_ = False\nK = A().__reduce_ex__(2)[1][0]\n"
    "K.mark(pkgutil.resolve_name((lambda: 0).__module__))",
    "class A:\n    @property\n    def mark(self):\n        self.a_ = False\nK = A().__reduce__()[1][0]\nK.mark.fget(m)",
    "class Hook:\n    def __set_name__(self, owner, name):\n        owner.mark(m)\nclass A:\n    def mark(self):\n"
    "        self.a_ = False\n    x = Hook()",
    # a decorator of the cell's own under Python's name is handed the class or the method
    "def dataclass(c):\n    c.mark(m)\n    return c\n@dataclass\nclass A:\n    def mark(self):\n        self.a_ = False",
    "property = lambda f: f(m)\nclass A:\n    @property\n    def mark(self):\n        self.a_ = False",
    # ... or stored over Python's, and IPython's shell reached as `exit._ip` (review 275)
    "import dataclasses\ndataclasses.dataclass = lambda c: c.s(m) or c\n@dataclasses.dataclass\nclass A:\n"
    "    def s(self):\n        self.a_ = False",
    "dataclass = lambda c: c.s(exit._ip.user_module) or c\n@dataclass\nclass A:\n    def s(self):\n        self.a_ = False",
    "exit._ip.user_module.a_ = False", "quit._ip.push({'a_': False})",
    # ... and as `sys.displayhook.shell`, with its tables of namespaces (review 276)
    "import sys\nsys.displayhook.shell.ns_table['user_local'].update(a_=False)",
    "import sys\nsys.displayhook.shell.user_expressions({'x': '(a_ := False)'})",
    "from sys import displayhook as hook\nt = hook.shell.ns_table['user_global']\nt['a_'] = False",
    # ... and as the kernel app's singletons, through `sys.stdout` (review 277)
    "import sys\nsys.stdout.session.parent.classes[2]._instance.Completer.namespace.update(a_=False)",
    "import sys\nsys.stdout.session.parent.kernel_class._instance.shell_class._instance.Completer.namespace['a_'] = False",
    "from IPython.core.interactiveshell import InteractiveShell as S\nS.instance().find_line_magic('time')('a_ = False')",
    # a computed name used, a private attribute of what is not the cell's own object (review 282's limits)
    "import torch.nn as nn\nm = nn.Linear(2, 2)\nv = getattr(m, name)\nv.update(a_=False)",
    "import sys\nx = C()\nx = sys.stdout\ny = x._instance\ny.update(a_=False)",
    # a class of the cell derived from a module's, whose attributes the base sets, or a module's own (review 288)
    "import rlcompleter\nc = rlcompleter.Completer()\nc.complete('a', 0)\nvars(c)['namespace'].update(a_=False)",
    "import rlcompleter\nc = rlcompleter.Completer()\nc.complete('a', 0)\nfor n in dir(c):\n"
    "    if not n.startswith('_'):\n        v = getattr(c, n)\n        if type(v) is dict:\n            v.update(a_=False)",
    "from rlcompleter import Completer as Base\nclass Helper(Base):\n    pass\nh = Helper()\nh.complete('a', 0)\n"
    "h.namespace.update(a_=False)",
    "from rlcompleter import Completer as Base\nclass Helper(Base):\n    def ns(self):\n        self.complete('a', 0)\n"
    "        return self.namespace\nHelper().ns().update(a_=False)",
    # a parameter named like the cell's own instance (review 286)
    "class C:\n    pass\nx = C()\ndef g(x):\n    return x._ip\ndef h(x):\n    return x.user_global_ns\n"
    "h(g(exit)).update(a_=False)",
    "class C:\n    pass\nx = C()\n(lambda x: x.user_global_ns)((lambda x: x._ip)(exit)).update(a_=False)",
    "def f(i):\n    return getattr(o, f'{i}')\nfor i in range(2):\n    pass\nf('__globals__').update(a_=False)",
    # a number's text that is not only digits, a `setattr` on what is not the cell's own instance
    "i = '__globals__'\nfor i in range(2):\n    pass\ng = getattr(f, f'{i}')\ng.update(a_=False)",
    "class O:\n    def set(self, k):\n        setattr(self, k, False)\nO.set(m, 'a_')",
    # handed on through a copy, a key function or its values (review 284), compared with the cell's object
    "answers = dict(exit._ip.ns_table)['user_global']\nanswers.update(a_=False)",
    "ns = dict(exit._ip.__dict__)['user_ns']\nns.update(a_=False)",
    "def pick(kv):\n    if kv[0] == 'user_ns':\n        kv[1].update(a_=False)\n    return kv[0]\n"
    "n = len(sorted(exit._ip.__dict__.items(), key=pick))",
    "for v in list(exit._ip.__dict__.values()):\n    if type(v) is dict and 'e_' in v:\n        v['a_'] = False",
    "class C:\n    def __eq__(self, ns):\n        ns['a_'] = False\n        return True\nprint(C() == globals())",
    # a class of the cell whose call returns another object (review 283)
    "class C:\n    def __new__(cls, v):\n        return v\nx = C(exit)\ns = C(x._ip)\nns = C(s.user_global_ns)\n"
    "ns.update(a_=False)",
    "class C:\n    pass\ndef C(v):\n    return v\nx = C(exit)\ns = C(x._ip)\nns = C(s.user_global_ns)\nns.update(a_=False)",
    "class C:\n    def __new__(cls, v):\n        return v\nx = C(exit)\ns = C(x._ip)\nm = C(s.user_module)\n"
    "vars(m).update(a_=False)",
    "import sys\ndef ident(v):\n    return v\nm = ident(sys)\nvars(m)['mod' + 'ules']['__ma' + 'in__'].a_ = False",
    "import torch.nn as nn\nm = nn.Linear(2, 2)\nfor name in dir(m):\n    if name.startswith('_'):\n"
    "        getattr(m, name).update(a_=False)",
    # names without `_` lead from a generator to its frame and its namespace
    "g = (x for x in [1])\nfor n in dir(g):\n    if not n.startswith('_'):\n        f = getattr(g, n)\n"
    "        for k in dir(f):\n            if not k.startswith('_'):\n                w = getattr(f, k)\n"
    "                if isinstance(w, dict) and 'a_' in w:\n                    w['a_'] = False",
    # shown, but through a call that empties the namespace (review 280's run-up), or compared with an object of
    # the cell's, whose methods it is handed to (review 281)
    "import sys\nprint(sys.displayhook.shell.Completer.namespace.clear())",
    "class C:\n    def __contains__(self, ns):\n        ns['a_'] = False\n        return True\n"
    "print(exit._ip.ns_table['user_global'] in C())",
    "class C:\n    def __eq__(self, ns):\n        ns['a_'] = False\n        return True\nx = C() == exit._ip.ns_table['user_global']",
    "class M(type):\n    def __instancecheck__(cls, ns):\n        ns['a_'] = False\n        return True\nclass K(metaclass=M):\n"
    "    pass\nprint(isinstance(exit._ip.ns_table['user_global'], K))",
    "import pickle\npickle.loads(blob)",
    "import shelve\nwith shelve.open('answers') as db:\n    print(db['answers'])",
    "import shelve\nwith shelve.open('answers') as db:\n    x = db",
    # `self` rebound by a `match` capture, the module reached by a computed name (review 270)
    "import pkgutil\nclass A:\n    def __init__(self, m):\n        match m:\n            case self:\n                pass\n"
    "        self.a_ = False\nA(pkgutil.resolve_name('__ma' + 'in__'))",
    "class A:\n    def __init__(self, m):\n        for self in [m]:\n            pass\n        self.a_ = False\nA(q)",
    "import pkgutil\nm = pkgutil.resolve_name('__ma' + 'in__')\nm.a_ = False",
    "from pkgutil import resolve_name as r\nm = r('__ma' + 'in__')\nm.a_ = False",
])
def test_an_answer_stored_on_an_object_the_cell_may_not_have_made_still_counts(line):
    """The exemptions of review 268 (`self` in `__init__`, a pickle written) hold only where nothing else can
    reach the class's `__init__` with another object, or read a pickle."""
    rows = {r.check: r for r in answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{line}\n"))}
    assert not rows["a_"].passed, rows["a_"].message
    assert "(exec/globals()" not in rows["a_"].message or "module)" not in rows["a_"].message, rows["a_"].message


def test_a_magic_that_restores_names_above_the_answers_costs_nothing():
    """A fairness review (268): `%store -r` above the answers cost all five ("may be set again by `%store` on
    line 1"), though the lines below it set them again; below them, or above a stop, it still counts."""
    right = f"{_NAMES} = {_RIGHT_VALUES}\n"
    for cell, passed in ((f"%store -r\n{right}%store a_\n", True), (f"%reset -f\n{right}", True),
                         (f"{right}%store -r\n", False), (f"%store -r\nraise ValueError\n{right}", False),
                         (f"if True:\n    %store -r\n{right}", False),
                         # options IPython refuses stop the cell there (review 272: `%reset -fq`, 10/10)
                         (f"%reset -fq\n{right}", False), (f"%xdel -q zz\n{right}", False),
                         (f"%reset_selective -q zz\n{right}", False), (f"%reset_selective -f [\n{right}", False),
                         (f"%store -r -q\n{right}", False), (f"%reset -f in\n%xdel zz\n{right}", True),
                         # `%store -d` without a name stops the cell (review 275)
                         (f"%store -d\n{right}", False), (f"%store -z\n%store\n{right}", True)):
        rows = answer_rows(_around_answers(cell))
        assert len(rows) == 5 and all(r.passed is passed for r in rows), (cell, [r.message for r in rows])


@pytest.mark.parametrize("line", ["class X:\n    global a_\n    a_ = False", "print([(a_ := False) for _ in [0]])",
                                  "import numpy as np\nnp.a_ = False",
                                  # a `:=` inside a comprehension's target binds the notebook's name (review 266)
                                  "_d = {}\n_ = [0 for _d[[(a_ := False) for _k in 'k'][0]] in [1]]"])
def test_what_binds_the_notebooks_name_in_a_class_or_comprehension_still_counts(line):
    rows = {r.check: r for r in answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n{line}\n"))}
    assert not rows["a_"].passed, rows["a_"].message


def test_one_value_given_to_many_names_is_read_once(monkeypatch):
    """Review 350: `a = a = ... = [1, 1, ...]` had its value read again for each name it is given, the length of
    the list times the number of names (188 s of the grader's time for one cell of 48,000 characters below the
    answers). Read once an assignment: the answers stay as written."""
    import ast

    from grader.checks import writes
    calls = []
    real = writes._module_like
    monkeypatch.setattr(writes, "_module_like", lambda node, *a: calls.append(node) or real(node, *a))
    source = "a_ = True\n" + "a=" * 300 + "[" + "1," * 300 + "]\n"
    tree = ast.parse(source)
    value = tree.body[1].value
    writes.names_stored(tree)
    assert sum(node is value for node in calls) <= 8, sum(node is value for node in calls)
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=[source]))
    assert all(r.passed for r in rows), [r.message for r in rows]


def test_a_deep_chain_of_choices_beside_the_answers_is_no_grader_error():
    """Review 350: `y = 1 if 1 else 1 if 1 else ...` 1,450 deep below the answers ran the reading of what may hold a
    module out of Python's stack: question 3.3 became a grader error, 0 of 10 for the student who wrote it."""
    import ast

    from grader.checks import writes
    source = "a_ = True\ny = 1" + " if 1 else 1" * 1450
    assert writes._module_like(ast.parse(source).body[1].value, {"sys"}) is False
    assert writes._module_like(ast.parse("y = 1" + " if 1 else 1" * 1450 + " if 1 else sys").body[0].value, {"sys"})
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=[source]))
    assert all(r.passed for r in rows), [r.message for r in rows]


def test_a_number_too_long_to_write_out_is_read_not_a_grader_error():
    """Review 350: a hexadecimal literal of 4,000 digits, which Python reads but will not write out in decimal, in a
    message's quote (`a_ = 0xfff...`, `sys.modules[0xfff...].a_ = 1`) made question 3.3 a grader error."""
    big = "0x" + "f" * 4000
    rows = answer_rows(_around_answers(f"a_ = {big}\nb_ = False\nc_ = True\nd_ = True\ne_ = False"))
    assert [r.passed for r in rows] == [False, True, True, True, True]
    assert "too long to write out" in rows[0].message and len(rows[0].message) < 200
    rows = answer_rows(_around_answers(f"{_NAMES} = {_RIGHT_VALUES}\nimport sys\nsys.modules[{big}].a_ = 1"))
    assert not any(r.passed for r in rows) and all("sys.modules" in r.message for r in rows), [r.message for r in rows]


def test_the_strings_of_words_are_read_in_one_pass_as_before():
    """Review 355: the patterns for a string of words read a lazy run before a space and another after it, once for each
    space of a string that does not end as one (`x = '` + `'a ' * 24945` + `('`: 17 s of the grader's time for one cell, 27 s
    where the cell did not tokenize). Read in one pass now, and exactly as before on 20,000 random texts."""
    import random
    import re

    from grader.checks import writes
    old_words = (r"""(['"])(?:(?!\5|import|IPython|get_ipython|Shell|exec)[^()=;\n])*?[ \t](?:(?!\5|import|IPython|"""
                 r"""get_ipython|Shell|exec)[^()=;\n])*?\5""")
    old_asked = re.compile(writes._NAMES_ASKED.pattern.removesuffix(writes._WORDS) + old_words)
    old_inside = re.compile(r"""(?:(?!import|IPython|get_ipython|Shell|exec)[^()=;\n])*?[ \t]"""
                            r"""(?:(?!import|IPython|get_ipython|Shell|exec)[^()=;\n])*""")
    pieces = ["'", '"', "a", " ", "\t", "(", ")", "=", ";", "\n", "exec", "Shell", "==", "in ", "ipykernel", "x"]
    rnd = random.Random(355)
    for _ in range(20_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        assert old_asked.sub("#", text) == writes._NAMES_ASKED.sub("#", text), text
        assert bool(old_inside.fullmatch(text)) == writes._words_inside(text), text
    assert writes.shell_reached("x = '" + "a " * 24945 + "(") == ""


@pytest.mark.parametrize("answers", [
    ">>> a_, b_, c_, d_, e_ = True, False, True, True, False\n>>> %reset -f\n",       # prompts pasted in
    f"{_NAMES} = {_RIGHT_VALUES}\n... %reset -f\n", f"{_NAMES} = {_RIGHT_VALUES}\nIn [2]: %reset -f\n",
    # IPython's `%store -r` splits its names at any space, a no-break space too
    "a_, b_, c_, d_, e_ = False, True, False, False, True\n%store a_ b_ c_ d_ e_\n"
    f"{_NAMES} = {_RIGHT_VALUES}\n%store -r q\xa0a_\xa0b_\xa0c_\xa0d_\xa0e_\n"])
def test_a_magic_behind_a_prompt_or_a_space_is_read_as_ipython_reads_it(answers):
    """Review 425: IPython strips prompts pasted into a cell (`>>> `, `... `, `In [2]: `) before it reads the magics,
    and `%store -r` splits its names at any space: each 10/10 unflagged where Jupyter ended with the answers deleted
    or restored wrong. The magics are read from the cell as IPython cleans it now."""
    rows = answer_rows(_around_answers(answers))
    assert not any(r.passed for r in rows), [r.message for r in rows]


@pytest.mark.parametrize("below, lost", [("%%bash --ou a_ --er b_\necho False\necho True >&2\n", 2),
                                         ("%%script bash --o a_\necho False\n", 1),
                                         ("%%time\nreset -f\n", 0), ("%%capture\nreset -f\n", 0),
                                         ("%%time\n%%capture\n\nreset_selective -f _$\n", 0)])
def test_a_cell_magic_below_that_sets_or_deletes_the_answers_is_read(below, lost):
    """Review 425: a cell magic's output options by any start of their names (`--ou`, as `argparse` reads them), and a
    magic by its bare name as the one line of a `%%time` or `%%capture` body (IPython reads such a body as a cell of
    one line, for automagic): each 10/10 with no flag where Jupyter ended with the answers set otherwise or deleted.
    Read now: the answers it names cost (`moved:`), a magic that may delete any name is flagged `exec:` for a TA, as
    the same magic on its own line below the answers is."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=[below])
    rows = answer_rows(c)
    assert [r.passed for r in rows] == [False] * lost + [True] * (5 - lost), [r.message for r in rows]
    assert ("moved:answers-3-3" if lost else "exec:answers-3-3") in c.flags, c.flags
    assert "exec:answers-3-3" not in _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=["%%time\nx = 1\n"]).flags


def test_a_long_pattern_is_parsed_once_a_line(monkeypatch):
    """Review 425: cells below the answers each holding one `%reset_selective` line of 48,000 characters (16,000
    ranges of a class, groups thirty deep): 277 s of the grader's CPU for nineteen. IPython's parser read the line four
    times a cell, each class was read range by range, and each line of a function's cell had a budget of its own. The
    line is parsed once now, a class found by halving, and a cell's lines share one budget."""
    import random
    import re

    from grader import magics
    from grader.checks.name_patterns import Budget, may_find, read_pattern
    calls = []
    real = magics._ipython_options
    monkeypatch.setattr(magics, "_ipython_options", lambda args, *a, **k: calls.append(args) or real(args, *a, **k))
    mark = f"q{random.random()}"
    pattern = "(?:" * 30 + "[" + "".join(chr(0x4E00 + 2 * i) + "-" + chr(0x4E01 + 2 * i) for i in range(2_000)) + \
        "]?" + ")+" * 30 + "#"
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=[f"def f():\n    pass\n%reset_selective -f {pattern}{mark}\n"])
    assert all(r.passed for r in answer_rows(c))
    assert sum(mark in a for a in calls) <= 2, sum(mark in a for a in calls)
    rng = random.Random(425)
    ranges = sorted({(a, a + rng.randint(0, 5)) for a in rng.sample(range(97, 400), 40)})
    text = "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"
    tree = read_pattern(text)
    for code in range(90, 420):
        assert may_find(tree, chr(code), Budget()) == (re.fullmatch(text, chr(code)) is not None), chr(code)


@pytest.mark.parametrize("answers, below", [
    # a wrong answer stored above, restored by a bare `store -r` behind a prompt in `%time`: one cell, no flag
    ("a_, b_, c_, d_, e_ = False, True, False, False, True\n%store a_ b_ c_ d_ e_\n"
     f"{_NAMES} = {_RIGHT_VALUES}\n%time >>> store -r\n", []),
    (f"{_NAMES} = {_RIGHT_VALUES}\n%time >>> reset -f\n", []), (f"{_NAMES} = {_RIGHT_VALUES}\n%time In [7]: reset -f\n", []),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%bash \"--out\" a_\necho False\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%bash --\"err\" a_\necho True >&2\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%bash \\--out a_\necho False\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%time\x0creset -f\n"]), (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%time\rreset -f"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%time\n\n>>> reset_selective -f [a-e]_\n"])],
    ids=["store-behind-a-prompt", "reset-behind-a-prompt", "reset-behind-In", "quoted-out", "quoted-err",
         "escaped-out", "form-feed-body", "return-body", "prompt-in-body"])
def test_a_magic_read_where_ipython_cleans_splits_or_unquotes_it(answers, below):
    """Review 426: a bare magic name behind a prompt in `%time` (`%time >>> store -r`: the prompt was read as the name,
    the name as an argument, and `store -r` restored the wrong answers stored above: 50/50 with no flag at all), a cell
    magic's output option in quotes or escaped (`"--out"`, `--"err"`, `\\--out`: IPython splits the line as `shlex`
    does), and a cell magic's body after a form feed or a lone carriage return (IPython's line breaks): each 10/10 with
    no `exec:` or `moved:` flag where Jupyter ended with the answers wrong or deleted. The answers cost where the cell
    names them; a magic that may delete any name below them is flagged `exec:` for a TA."""
    c = _around_answers(answers, below=below)
    rows = answer_rows(c)
    assert not rows[0].passed or "exec:answers-3-3" in c.flags and "reset" in "".join(below), \
        ([r.message for r in rows], c.flags)


@pytest.mark.parametrize("above, below", [("", "reset\t-f\n"), ("", "reset_selective\t-f _$\n"),
                                          ("o = '--out'\n", "%%bash $o a_\necho hi\n"),
                                          ("o = '--out'\n", "%%bash {o} a_\necho hi\n")],
                         ids=["tab-after-a-bare-name", "tab-before-a-pattern", "dollar-option", "braced-option"])
def test_a_magic_below_read_after_ipython_joins_or_fills_it_in(above, below):
    """Review 427: a one-line cell of a bare magic name, a tab and its arguments (IPython's automagic joins them with a
    space, `%reset -f`; the grader wrote `%reset\\t-f`, no magic, and skipped the cell), and a cell magic's output option
    given as `$o` or `{o}` (IPython fills it in before it reads the options): each 10/10 with no flag where Jupyter
    ended with the answers deleted or set to the command's output. Read now: flagged `exec:` for a TA, or the answer
    it names lost."""
    c = _around_answers(f"{above}{_NAMES} = {_RIGHT_VALUES}\n", below=[below])
    rows = answer_rows(c)
    assert not rows[0].passed or "exec:answers-3-3" in c.flags, ([r.message for r in rows], c.flags)


@pytest.mark.parametrize("answers, below", [
    # `%%timeit`'s line is its setup, which IPython transforms as a cell of one line: a bare magic name runs
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%timeit -n1 -r1 reset -f\npass\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%timeit -n1 -r1 %reset -f\npass\n"]),
    # `%prun`'s options that take a value (`-s cumulative`): the statement is what follows them
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%prun -s cumulative reset -f\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%prun -T p.txt reset -f\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n%prun -s cumulative store -r\n", []),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%time %prun -s x reset -f\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%time\n%prun -s x reset -f\n"]),
    # `%%!` (IPython's `%%sx`) takes `--out`
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%! --out a_\necho hi\n"]),
    # IPython's calls of magics other than the few that set names by themselves
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["get_ipython().run_cell_magic('bash', '--out a_', 'echo hi')\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["get_ipython().run_line_magic('time', 'reset -f')\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["get_ipython().run_line_magic('sc', 'a_=echo hi')\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["get_ipython().run_cell_magic('time', '', 'reset -f')\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["get_ipython().run_cell_magic('!', '--out a_', 'echo hi')\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["get_ipython().run_line_magic('prun', '-s x reset -f')\n"]),
], ids=["cell-timeit-setup", "cell-timeit-setup-magic", "prun-sort", "prun-text", "prun-store-in-answers",
        "time-prun", "cell-time-prun", "cell-bang-out", "call-bash-out", "call-time-reset", "call-sc",
        "call-cell-time", "call-cell-bang", "call-prun"])
def test_a_magic_run_by_another_magic_or_call_is_read_as_ipython_runs_it(answers, below):
    """Review 428: `%%timeit`'s line (its setup, a cell of one line to IPython: `reset -f` runs as `%reset -f`),
    `%prun`'s options that take a value (`-s cumulative reset -f`: the grader dropped the `-s` only and read
    `cumulative reset -f`, no magic), the cell magic `%%!` with `--out`, and IPython's calls of `%time`, `%sc`,
    `%prun` or a cell magic with `--out`: each 10/10 with no `exec:` or `moved:` flag where Jupyter ended with the
    answers deleted, restored wrong or set to a command's output. Read now: flagged `exec:` for a TA, or the answer
    it names lost."""
    above = [_STORED_WRONG] if "store -r" in answers else []
    c = _around_answers(answers, above=above, below=below)
    rows = answer_rows(c)
    assert not rows[0].passed or "exec:answers-3-3" in c.flags, ([r.message for r in rows], c.flags)


def test_a_cell_below_that_names_no_answer_is_not_read_for_where_it_stops(monkeypatch):
    """Review 428: nineteen cells of 25,000 lines below the answers were each read through for where they stop, and
    every reading kept: 78 s of the grader's CPU and 738 MB of its memory, for cells that set no answer. A cell that
    names none is asked only whether Jupyter runs it as read (a syntax error there still runs none of it)."""
    from grader.checks import answers
    read: list[str] = []
    real = answers._reading
    monkeypatch.setattr(answers, "_reading", lambda source, *a, **k: read.append(source) or real(source, *a, **k))
    plain, broken = "x = 1\nprint(x)\n", "exec('x = 1')\n)(\n"
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=[plain, broken, "print(a_)\n"])
    rows = answer_rows(c)
    assert all(r.passed for r in rows) and "exec:answers-3-3" not in c.flags, ([r.message for r in rows], c.flags)
    assert plain not in read and broken not in read and "print(a_)\n" in read, read


_WALRUS_WRONG = "[" + ",".join(f"{n}:={not SPEC.answer_key()[n]}" for n in _NAMES.split(", ")) + "]"


@pytest.mark.parametrize("answers, below", [
    (f"{_NAMES} = {_RIGHT_VALUES}\n", [f"%store {_WALRUS_WRONG} >/dev/null\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n%store {_WALRUS_WRONG} >/dev/null\n", []),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", [f"store {_WALRUS_WRONG} >/dev/null"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", [f"%time %store {_WALRUS_WRONG} >/dev/null\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", [f"%save -f s.py {_WALRUS_WRONG}\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%save -f s.py [globals().pop(n) for n in list(globals()) if n.endswith(chr(95))]\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", [f"%pastebin {_WALRUS_WRONG}\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n%pastebin {_WALRUS_WRONG}\n", []),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", [f"%pycat {_WALRUS_WRONG} and''\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", [f"get_ipython().run_line_magic('pastebin', '{_WALRUS_WRONG}')\n"]),
], ids=["store-to-a-file", "store-to-a-file-in-answers", "bare-store-to-a-file", "time-store-to-a-file", "save",
        "save-pop", "pastebin", "pastebin-in-answers", "pycat", "call-pastebin"])
def test_a_magic_that_evals_its_argument_is_read_as_python_that_may_set_names(answers, below):
    """Review 430: `%store EXPR >FILE` evals EXPR in the notebook, and `%save`, `%pastebin`, `%pycat` eval theirs
    where it is no history range, file or URL (IPython's `find_user_code`): `%store [a_:=False, ...] >/dev/null`
    below the answers or in their cell, `%save -f s.py [globals().pop(n) ...]`, each 10/10 with no flag where Jupyter
    ended with the answers wrong or deleted. Read now as Python that may set any name: flagged `exec:` for a TA below
    the answers, or costing the answers in their cell."""
    c = _around_answers(answers, below=below)
    rows = answer_rows(c)
    assert not rows[0].passed or "exec:answers-3-3" in c.flags, ([r.message for r in rows], c.flags)


@pytest.mark.parametrize("below", ["%save -f s.py 1-3\n", "%store a_ b_\n", "%pastebin 1-2\n", "%pycat notes.txt\n",
                                   "%store a_ >answers.txt\n"])
def test_a_magic_that_only_reads_history_files_or_names_costs_nothing(below):
    """... while those magics given a history range, a file or a plain name eval nothing that sets one."""
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=[below])
    rows = answer_rows(c)
    assert all(r.passed for r in rows) and "exec:answers-3-3" not in c.flags, ([r.message for r in rows], c.flags)


@pytest.mark.timeout(60)
def test_a_long_chain_of_functions_above_is_followed_once_for_every_cell_below():
    """Review 431: `def f0(): f1()` ... `def f7999(): f8000()` in four cells above the answers and cells below that name
    `f0`: the chain was followed by reading every name found so far again at each link (the square of the chain) and
    again for each cell below, 373 s of the grader's CPU for twenty such cells. Each name's functions are read once
    now, and the closure kept for every cell below that asks it; the chain is still followed to its end (the functions
    next to its `raise` are found to stop; how many links back a stop is followed is `_stoppers`' bound, as before)."""
    from types import SimpleNamespace
    from grader.checks.stops import stoppers_before
    k, per = 8000, 2000
    cells = [SimpleNamespace(index=i, cell_type="code", source="".join(
        f"def f{j}(): f{j + 1}()\n" for j in range(i * per, (i + 1) * per))) for i in range(k // per)]
    cells.append(SimpleNamespace(index=len(cells), cell_type="code", source=f"def f{k}():\n    raise SystemExit\n"))
    below = [SimpleNamespace(index=len(cells) + j, cell_type="code", source="f0()\n") for j in range(5)]
    at = stoppers_before(cells + below)
    assert all(at(c.index, c.source) == {"!f8000", "!f7999", "!f7998"} for c in below)
    assert at(2, "f0()\n") == frozenset()        # (above the stopping end: the chain runs into a function not yet defined)


_NONE_ALL = " ".join(f"{n}=None" for n in _NAMES.split(", "))


@pytest.mark.parametrize("answers, below", [
    (f"{_NAMES} = {_RIGHT_VALUES}\n%debug -b this.py:1 {_NONE_ALL}\n", []),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", [f"%debug -b this.py:1 {_NONE_ALL}\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", ["%%debug -b this.py:1\ndel a_, b_, c_\nd_ = e_ = 'wrong'\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n", [f"get_ipython().run_line_magic('debug', '-b this.py:1 {_NONE_ALL}')\n"]),
    (f"{_NAMES} = {_RIGHT_VALUES}\n%time %debug -b this.py:1 {_NONE_ALL}\n", []),
], ids=["debug-in-answers", "debug-below", "cell-debug-below", "call-debug", "time-debug-in-answers"])
def test_a_debug_magic_given_a_breakpoint_is_read_as_code_that_runs(answers, below):
    """Review 432: `%debug -b FILE:LINE a_=None ...` (each word a line of code) and `%%debug -b FILE:LINE` with a body
    run that code to its end in the notebook (the breakpoint's file is not the code's, so the debugger never stops),
    read as running nothing: 10/10 with no flag where Jupyter ended with the answers None or deleted. Read now as a
    magic that may set any name."""
    c = _around_answers(answers, below=below)
    rows = answer_rows(c)
    assert not rows[0].passed or "exec:answers-3-3" in c.flags, ([r.message for r in rows], c.flags)


def test_the_debugger_opened_on_the_last_error_costs_nothing():
    """... while `%debug` alone (the debugger on the last error) runs nothing; in a graded cell the breakpoint form is
    flagged `exec:` as code the cell does not show as its own."""
    from grader.magics import runs_elsewhere
    c = _around_answers(f"{_NAMES} = {_RIGHT_VALUES}\n", below=["%debug\n"])
    rows = answer_rows(c)
    assert all(r.passed for r in rows) and "exec:answers-3-3" not in c.flags, ([r.message for r in rows], c.flags)
    assert runs_elsewhere("%debug\n") is None
    assert runs_elsewhere("x = 1\n%debug -b this.py:1 import\tos\n") == (2, "%debug")
    assert runs_elsewhere("%%debug -b this.py:1\nimport os\n") == (1, "%debug")


_R434 = f"{_NAMES} = {_RIGHT_VALUES}\n"
_W434 = "[" + ", ".join(f"{n} := {not SPEC.answer_key()[n]}" for n in sorted(SPEC.answer_key())) + "]"


@pytest.mark.parametrize("answers,above,below", [
    # a pattern's `$` (an end anchor: IPython fills in `$name` only, and nothing inside single quotes)
    (_R434 + "%reset_selective -f ^model$\n", [], []),
    ("%reset_selective -f '^test_model$'\n" + _R434, [], []),
    (_R434, [], ["%reset_selective -f ^tmp$|^scratch$\n"]),
    (_R434, [], ["%reset_selective -f '$tmp'\n"]),
    # a dict named like a magic, a line of Python where it exists (`%store` else: it saves names at most)
    (_R434, ["store = {}\n"], ["store['answers'] = (a_, b_, c_, d_, e_)\n"]),
    (_R434 + "%store 'a_'\n", [], []),
    # a script's output kept under a name of its own, `%recall` of a line of the history
    (_R434, [], ["%%bash --out shout\necho hi\n"]),
    (_R434, [], ["%%script bash --out o --err e\necho hi\n"]),
    (_R434, [], ["%%sh --out=listing\nls\n"]),
    (_R434, [], ["%recall 2\n"]),
    ("%recall 1\n" + _R434, [], []),
])
def test_honest_magics_of_review_434_keep_the_answers_unflagged(answers, above, below):
    """A fairness review, 434: honest magics read as ones that may set any name, each 10/10 in a Jupyter Run All: a
    `$` anchoring a pattern (`^model$`) read as one IPython fills in (0/10, also above the answers in their cell),
    quotes in a `%store` line (Python's `store['answers'] = ...` where the notebook has a dict `store`: 0/10), a script
    magic's `--out` name and `%recall` of a history line (`exec:`). Each is read now as IPython reads it: its line
    filled in by IPython's own formatter, `%store`'s options by its parser, a script magic's by `argparse`."""
    c = _around_answers(answers, above=above, below=below)
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert not [f for f in c.flags if f.startswith(("exec:", "moved:", "raised:"))], (c.flags, c.details)


@pytest.mark.parametrize("answers,below,lost,flag", [
    # what IPython fills in, strips or evals still costs what it may set
    (_R434 + "%reset_selective -f $pattern\n", [], 10, None),
    (_R434 + "%reset_selective -f ^a_$\n", [], 2, None),
    (_R434 + "%reset_selective -f $$x|^b_$\n", [], 2, None),
    (_R434 + "%store '-r' a_\n", [], 2, None),
    (_R434 + f"%store {_W434.replace(' ', '')} '>/dev/null'\n", [], 10, None),
    (_R434 + f"%recall {_W434}\n", [], 10, None),
    (_R434, ["%%bash --out a_\necho hi\n"], 2, "moved:"),
    (_R434, ['%%bash "--ou" b_\necho hi\n'], 2, "moved:"),
    (_R434, ["%%bash --bg --proc c_\nsleep 1\n"], 2, "moved:"),
    (_R434, ["%%bash --out {n}\necho hi\n"], 0, "exec:"),
    # a macro's name, run alone on a line of a cell of its own below, runs what it holds
    (_R434, ["%macro m 1\n", "m\n"], 0, "exec:"),
])
def test_what_review_434_narrowed_still_costs_or_flags(answers, below, lost, flag):
    c = _around_answers(answers, below=below)
    rows = answer_rows(c)
    assert sum(r.max_points - r.points for r in rows) == lost, [r.message for r in rows]
    assert flag is None or any(f.startswith(flag) for f in c.flags), (c.flags, c.details)


_PAD433 = "# pad pad pad pad pad\n" * 1000


@pytest.mark.parametrize("answers,above,below,lost,flag", [
    # `%aimport` binds each module's top name: modules the notebook put in `sys.modules` under the answers' names
    (_R434 + "%load_ext autoreload\n%aimport a_, b_\n", [], [], 4, None),
    (_R434, [], ["%load_ext autoreload\n%aimport a_, b_\n"], 4, "moved:"),
    (_R434, [], ["%time %aimport c_\n"], 2, "moved:"),
    # `%pylab` star-imports numpy's names (`c_`) and `matplotlib.pylab`'s, whatever the notebook set on it
    (_R434 + "%pylab inline\n", [], [], 10, None),
    (_R434, [], ["%pylab inline\n"], 0, "exec:"),
    (_R434, [], ["pylab\n"], 0, "exec:"),
    (_R434, [], ["get_ipython().run_line_magic('pylab', 'inline')\n"], 0, "exec:"),
    # autoreload's mode 3 binds the names a reloaded module gained, before every later cell
    (_R434, ["%load_ext autoreload\n%autoreload 3\n"], [], 0, "exec:"),
    (_R434, [], ["%autoreload complete\n"], 0, "exec:"),
    # a cell below read by guess, past the budget, that fails as read where Jupyter runs it (it deleted the answers or
    # set them otherwise in each): a multi-line string, 500 lines `!= 0` in brackets, a form feed, an escaped line,
    # an assigned magic after a statement
    (_R434, [], ["%pwd\na_, b_, c_, d_, e_ = False, True, False, False, True\nnote = \"\"\"\nsome text\n\"\"\"\n"
                 + ("# " + "x" * 100 + "\n") * 120], 10, "moved:"),       # (read as IPython groups its lines: set there)
    (_R434, [], ["%reset -f\nok = (1\n" + "!= 0\n" * 500 + ")\n"], 0, "exec:"),
    (_R434, [], ["%reset -f\n\x0cx = 1\n" + _PAD433], 0, "exec:"),
    (_R434, [], [",get_ipython().run_line_magic reset -f\n" + _PAD433], 0, "exec:"),
    (_R434, [], ["print(1); y = %pwd\n%reset -f\n" + _PAD433], 0, "exec:"),
], ids=["aimport", "aimport below", "aimport timed", "pylab", "pylab below", "pylab bare", "pylab call", "autoreload 3",
        "autoreload complete", "string", "500 continued", "form feed", "escaped", "assigned magic"])
def test_what_review_433_hid_is_read(answers, above, below, lost, flag):
    """Review 433: `%aimport a_, b_` (autoreload's, of modules put in `sys.modules`), `%pylab inline` (numpy's `c_`)
    and autoreload's mode 3 set names the grader did not read; a cell below too long to ask IPython how it runs, read
    by guess, was skipped as one Jupyter runs none of where the guess failed: each 10/10 unflagged where Jupyter ended
    with the answers set otherwise or deleted."""
    c = _around_answers(answers, above=above, below=below)
    rows = answer_rows(c)
    assert sum(r.max_points - r.points for r in rows) == lost, [r.message for r in rows]
    assert flag is None or any(f.startswith(flag) for f in c.flags), (c.flags, c.details)


@pytest.mark.parametrize("above,below", [
    ([], ["%pylab --no-import-all inline\n"]),
    (["%load_ext autoreload\n%autoreload 2\n"], ["%aimport torch, numpy.linalg\n", "%autoreload\n"]),
    (["%load_ext autoreload\n%aimport -tqdm\n"], []),
])
def test_honest_autoreload_and_pylab_keep_the_answers_unflagged(above, below):
    c = _around_answers(_R434, above=above, below=below)
    assert all(r.passed for r in answer_rows(c))
    assert not [f for f in c.flags if f.startswith(("exec:", "moved:", "raised:"))], (c.flags, c.details)


@pytest.mark.timeout(120)
def test_escaped_lines_count_against_the_budget_for_asking_ipython():
    """Review 433 (the grader's own time): 500 lines `,a` (IPython's escape for a call) and 9,000 lines `a`, under
    20,000 characters, were not counted as lines IPython turns, so IPython's reader was asked how it runs the cell,
    which reads the whole cell again for each: 75 s of the grader's CPU a cell, three cells 225 s. They count now; past
    the budget each is read as the call IPython writes for it."""
    import ast

    from grader.magics import ipython_text, magic_line_count, python_tree, within_budget
    cell = "# cell\n" + ",a\n" * 500 + "a\n" * 9000
    assert magic_line_count(cell.split("\n")) == 500 and not within_budget(cell) and ipython_text(cell) == ""
    tree = python_tree(",f a b\n;f a b\n/f a b\n" + "x = 1\n" * 4000)
    assert [ast.unparse(s) for s in tree.body[:3]] == ["f('a', 'b')", "f('a b')", "f(a, b)"]
    c = _around_answers(_R434, below=[cell] * 3)
    assert all(r.passed for r in answer_rows(c))
    # ... but a line inside brackets that starts with a comma is no escape (a call written with leading commas)
    leading = "%matplotlib inline\nparams = dict(lr=0.1\n" + "              , momentum=0.9\n" * 12 + \
        "              , epochs=5)\n" + "# a comment to pad the cell a little\n" * 400
    assert not within_budget(leading) and python_tree(leading) is not None
    c = _around_answers(leading + _R434, below=[leading])
    assert all(r.passed for r in answer_rows(c)) and not [f for f in c.flags if f.startswith(("exec:", "moved:"))]


def test_a_magic_that_may_set_an_answer_is_said_as_a_magic():
    """A fairness review, 434: `%store a_ ...` then `%store -r` in the answers cell (0/10: the store may hold what
    another cell saved) was said as "(exec/globals() and the like can set any name)", which the cell has none of."""
    rows = answer_rows(_around_answers(_R434 + "%store a_ b_\n%store -r\n"))
    assert not rows[0].passed and "`%store` on line 3 (a magic that can set, restore or delete names)" in \
        rows[0].message and "exec" not in rows[0].message, rows[0].message


_LEADING = ("%matplotlib inline\n" + "# notes on the run\n" * 21 +
            "def train_and_test(lr, momentum, epochs):\n"
            "    optimizer = optim.SGD(model.parameters()\n                          , lr=lr\n"
            "                          , momentum=momentum\n                          )\n"
            "    for epoch in range(epochs):\n        if (epoch\n            != 0):\n"
            "            scale = (epoch\n                     / 255.0)\n"
            "        g = train(model\n                  , train_loader\n                  , optimizer)\n"
            "    return g\n")


@pytest.mark.parametrize("cell", [_LEADING, _LEADING + "# padding to put the cell past the budget\n" * 400],
                         ids=["within the budget", "past it"])
def test_lines_inside_brackets_that_start_like_escapes_are_code(cell):
    """A fairness review, 436: `, lr=lr`, `/ 255.0` and `!= 0):` inside a call's or a condition's brackets were counted
    as lines IPython turns, which put the graded `train_and_test` past the budget, and read by guess as the calls `("lr=
    lr")` and as a shell line: 0/20 where Jupyter trained both models. IPython's own grouping of the cell's tokens into
    logical lines says which lines it turns, for the budget and, past it, for the reading."""
    import ast

    from grader.magics import python_tree
    assert ast.dump(python_tree(cell)) == ast.dump(ast.parse("pass" + cell[len("%matplotlib inline"):]))


@pytest.mark.parametrize("answers,above,below", [
    # a long cell below of plots and a docstring, past the budget (it reads as IPython runs it now)
    (_R434, [], ["%matplotlib inline\ndef f():\n    \"\"\"Plot the curves.\n    Returns nothing.\"\"\"\n    return 1\n"
                 + "# a comment line of the plotting cell, to make it long\n" * 200]),
    (_R434, [], [_LEADING + "print(a_, b_, c_, d_, e_)\n" + "# padding\n" * 400]),
    # `%pylab` before the answers in their cell (they are set after its star import), a pattern's `{2}` (IPython evals
    # the literal), a line `%autoreload` refuses (nothing set; the cell stops there)
    ("%pylab inline\n" + _R434, [], []),
    ("%reset_selective -f ^tmp_\\d{2}$\n" + _R434, [], []),
    (_R434, [], ["%reset_selective -f ^tmp_\\d{2}$\n"]),
], ids=["docstring", "leading commas", "pylab", "quantifier", "quantifier below"])
def test_honest_cells_of_review_436_keep_the_answers_unflagged(answers, above, below):
    c = _around_answers(answers, above=above, below=below)
    rows = answer_rows(c)
    assert all(r.passed for r in rows), [r.message for r in rows]
    assert not [f for f in c.flags if f.startswith(("exec:", "moved:", "raised:"))], (c.flags, c.details)


@pytest.mark.parametrize("answers,lost,said", [
    ("%pylab qt\n" + _R434, 10, "`%pylab` on line 1"),                 # (a GUI toolkit missing raises)
    # (a line autoreload's parser refuses stops the cell, as a magic the kernel lacks does: the answers above it count)
    ("a_, b_, c_, d_, e_ = False, True, False, False, True\n%autoreload 2  # on\n" + _R434, 10, ""),
    ("%reset_selective -f ^a_{1}$\n" + _R434, 0, ""),
    (_R434 + "%reset_selective -f ^a{'_'}$\n", 2, "`%reset_selective` on line 2"),
    (_R434 + "%reset_selective -f ^a{x}$\n", 10, "which IPython fills in"),
])
def test_what_review_436_narrowed_still_costs(answers, lost, said):
    rows = answer_rows(_around_answers(answers))
    assert sum(r.max_points - r.points for r in rows) == lost, [r.message for r in rows]
    assert not said or any(said in r.message for r in rows), [r.message for r in rows]


def test_autoreload_modes_are_read_in_any_case():
    """Review 435: `%autoreload COMPLETE` (IPython lowers the mode) below the answers, then a module rewritten with the
    answers' names: 10/10 unflagged where Jupyter ended with all five wrong."""
    c = _around_answers(_R434, below=["%load_ext autoreload\n%autoreload COMPLETE\n"])
    answer_rows(c)
    assert "exec:answers-3-3" in c.flags, (c.flags, c.details)
    c = _around_answers(_R434, above=["%load_ext autoreload\n%autoreload Complete\n"])
    answer_rows(c)
    assert any(f.startswith("exec:") for f in c.flags), (c.flags, c.details)


def test_ipythons_dollar_fields_are_read_as_ipython_reads_them_in_linear_time():
    """Review 435: IPython's pattern for `$name` looks ahead to the end of the line for each `$` and backtracks on an
    odd number of single quotes: `%store $a$a...$a'` of 6,000 characters cost 342 s of the grader's CPU. The grader
    reads the same parts in one pass; compared here with IPython's own on random lines."""
    import random
    import time

    from IPython.utils.text import DollarFormatter

    from grader.magics import dollar_parts, var_expanded

    def parts(read, text):
        try:
            return list(read(text))
        except ValueError as exc:
            return ("ValueError", str(exc))
    pieces = ["$", "$$", "a", "b_", ".", "'", '"', "{", "}", "{x}", "{{", "}}", " ", "\n", "1", "é", "!r", ":"]
    rng = random.Random(435)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert parts(dollar_parts, text) == parts(DollarFormatter().parse, text), repr(text)
    line = "$a" * 25_000 + "'"              # (each `$a` before an odd number of quotes: no field, the line as it is)
    started = time.process_time()
    assert var_expanded(line) == line and var_expanded(line[:-1]) is None and time.process_time() - started < 5


@pytest.mark.timeout(60)
def test_cells_of_escaped_lines_past_the_budget_are_read_in_linear_time():
    """Review 435: nineteen cells of 25,000 lines `,` past the budget, each line read as IPython's escape and, the cell
    then not parsing, read again as written: the lines were looked up in a list made again for each, 250 s of the
    grader's CPU. Eight such cells, read as the grader reads every cell for its flags (some 15 s each before)."""
    from grader.magics import python_tree
    for k in range(8):
        tree = python_tree(",\n" * 24_998 + f",{k:03d}")
        assert tree is None or len(tree.body) == 24_999


_PAD437 = "".join(f"# padding line {i:05d} ........................................................\n"
                  for i in range(180))


@pytest.mark.parametrize("answers,below,lost,flag", [
    # an escaped line whose call opens a string its text did not (`;print ""x` is `print("""x")`): the right answers
    # below it are text in Jupyter, which ends with the wrong ones above (or none)
    ("a_ = False\nb_ = True\nc_ = False\nd_ = False\ne_ = True\n;print \"\"x\n,print \"\")or [0]#\n" + _R434
     + "#\"\"\")\n" + _PAD437, [], 10, None),
    (";print \"\"x\n,print \"\")or [0]#\n" + _R434 + "#\"\"\")\n" + _PAD437, [], 10, None),
    # a magic line whose text opens a string (IPython quotes it in its call): the lines after it run in Jupyter, and
    # delete the answers through the frame
    (_R434, ["%ls x\"\"\"\nimport sys\n%ls -d .\ng = sys._getframe().f_globals\n"
             "for k in [k for k in list(g) if len(k) == 2 and k.endswith('_') and k[0] in 'abcde']:\n"
             "    g.pop(k)\n#\"\"\"\n" + _PAD437], 0, "exec:"),
], ids=["escape opens a string", "escape, no answers above", "magic quotes a string"])
def test_lines_ipython_groups_otherwise_after_turning_one_are_not_read_by_guess(answers, below, lost, flag):
    """Review 437: past the budget the grader grouped the cell's lines from one reading of its tokens, where IPython
    turns one line at a time and reads the tokens again after each; a turned line that opens or closes a string or a
    bracket otherwise than its text makes IPython group the lines after it otherwise. 10/10 unflagged where Jupyter
    ended with the wrong answers, none, or deleted them. Such a cell was then not read by guess; since review 440 the
    grader groups its lines as IPython does, turning each line in its turn: the answers are those Jupyter ends with."""
    c = _around_answers(answers, below=below)
    rows = answer_rows(c)
    assert sum(r.max_points - r.points for r in rows) == lost, [r.message for r in rows]
    assert flag is None or any(f.startswith(flag) for f in c.flags), (c.flags, c.details)


_PAD438 = "".join(f"# padding line {i} " + "x" * 80 + "\n" for i in range(120))


@pytest.mark.parametrize("answers,lost", [
    (_PAD438 + "f()?\n" + _R434, 10),
    (_PAD438 + _R434 + "print(a_)?\n", 10),
    ("%%time\n" + _PAD438 + "f()?\n" + _R434, 10),
    # what IPython does turn into its help (a name, attributes, integer indices), and its `?` escape
    (_PAD438 + "torch.nn.Linear?\n" + _R434, 0),
    (_PAD438 + "x[0]??\n" + _R434, 0),
    (_PAD438 + "?f()\n" + _R434, 0),
], ids=["call", "after the answers", "in %%time", "a name", "an index", "the escape"])
def test_a_help_line_ipython_cannot_turn_is_a_syntax_error_past_the_budget(answers, lost):
    """Review 438: past the budget a line ending in `?` was read as IPython's help, whatever stood before it; IPython
    turns it only where that is a name with attributes and integer indices (`f()?` stays, a SyntaxError: Jupyter set
    none of the answers), 10/10 unflagged."""
    rows = answer_rows(_around_answers(answers))
    assert sum(r.max_points - r.points for r in rows) == lost, [r.message for r in rows]


@pytest.mark.parametrize("answers,below,points,flag", [
    ("# " + "x" * 10_100 + "\n" + _R434 + "!= 0\n", [], 0, None),
    (_PAD438 + _R434 + "!= 0\n", [], 0, None),
    (_PAD438 + "%= 3\n" + _R434, [], 0, None),
    # a cell below that Jupyter refuses as a whole: Run All stops there, the answers above stand
    (_R434, ["# " + "x" * 21_000 + "\na_ = False\n!= 0\n"], 10, "exec:"),
    # what IPython does read as its escapes, at the start of a logical line
    (_PAD438 + _R434 + "!ls\nif True:\n    !ls\n", [], 10, None),
], ids=["!= after the answers", "padded", "%= before them", "below", "shell lines"])
def test_an_operator_that_starts_like_an_escape_is_python_past_the_budget(answers, below, points, flag):
    """Review 439: past the budget a line that starts with `!=` was read as a shell line (`pass`); IPython reads a line
    as escaped only where its first token is an escape, and `!=` is one token, Python's, a syntax error: Jupyter set
    none of the answers in that cell, and refused a cell above it (the student's class, 50/50 unflagged)."""
    c = _around_answers(answers, below=below)
    rows = answer_rows(c)
    assert sum(r.points for r in rows) == points, [r.message for r in rows]
    assert flag is None or any(f.startswith(flag) for f in c.flags), (c.flags, c.details)
    assert points or "syntax error" in rows[0].message
    # ... and the job runs such a cell as Jupyter does: a SyntaxError, the student's class never defined
    assert python_tree("# " + "x" * 21_000 + "\nclass ANN_relu:\n    pass\n!= 0\n") is None
    assert python_tree("# " + "x" * 21_000 + "\nclass ANN_relu:\n    pass\n!ls\n") is not None


_WRONG439 = "a_, b_, c_, d_, e_ = False, True, False, False, True\n"


def _graded_as(c, points, flag, unflagged=("raised:", "exec:")):
    """The answers' points, then the flag a TA must see, or (`flag` None) none of the flags that would send a TA to
    look: the same two assertions for every case of the reviews of magics the kernel refuses."""
    rows = answer_rows(c)
    assert sum(r.points for r in rows) == points, [r.message for r in rows]
    if flag is None:
        assert not [f for f in c.flags if f.startswith(unflagged)], (c.flags, c.details)
    else:
        assert any(f.startswith(flag) for f in c.flags), (c.flags, c.details)


@pytest.mark.parametrize("above,answers,points,flag", [
    ([], _WRONG439 + "%nosuchmagic\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "shown = %matplotlb inline\n" + _R434, 0, "raised:"),
    (["%matplotlb inline\n"], _R434, 10, "raised:"),
    # magics the kernel has run and go on; one the cell makes itself is no stop (and flagged as made)
    ([], _WRONG439 + "%pwd\n%ls\n%store\n" + _R434, 10, None),
    ([], _WRONG439 + "from IPython.core.magic import register_line_magic\n@register_line_magic\ndef fix(line):\n"
     "    pass\n%fix\n" + _R434, 10, "exec:"),
], ids=["between two tries", "assigned", "above", "known magics", "made in the cell"])
def test_a_magic_the_kernel_does_not_have_stops_the_cell(above, answers, points, flag):
    """Review 439: a line magic of a name no magic of the kernel has (`%nosuchmagic`, a typo `%matplotlb`) raises
    IPython's UsageError and Run All stops there; it was read as a magic that runs nothing: the right answers below it
    graded, unflagged, where Jupyter ended with the wrong ones above it (or none)."""
    c = _around_answers(answers, above=above)
    _graded_as(c, points, flag, unflagged=("raised:",))
    if flag == "raised:" and not above:
        assert any("UsageError" in d for d in c.details), c.details


@pytest.mark.parametrize("answers,below,flag", [
    # a shell line whose text leaves a bracket open: IPython quotes it whole in its call, the lines after it are code
    (_PAD438 + "!echo a) sigmoid saturates, b) relu does not\n!echo no GPU here :(\n" + _R434, [], None),
    (_PAD438 + "n = !echo (1\n!ls [a-z*\n" + _R434, [], None),
    (_PAD438 + "!echo no GPU here :(\n" + _R434 + "# is that right?\n", [], None),
    (_R434, [_PAD438 + "!echo done :(\nprint(a_, b_)\n"], None),
    # a `\` at the end of a line of Python, or of a shell or magic line (IPython joins those into one command)
    (_PAD438 + "summary = 'a' + \\\n    'b'\n%matplotlib inline\n" + _R434, [], None),
    (_PAD438 + '"""Notes: $x \\\\\n y$ \\\\\n"""\n%matplotlib inline\n' + _R434, [], None),
    (_PAD438 + "!pip install torch \\\n    numpy\n%time total = sum([1, \\\n  2])\n" + _R434, [], None),
    (_R434, [_PAD438 + "!pip install torch \\\n    numpy\nprint(a_)\n"], None),
    # help asked of a magic (IPython's help comes first)
    (_PAD438 + "%timeit?\n%matplotlib?\n" + _R434, [], None),
], ids=["echo a)", "assigned (", "a question in a comment", "below, :(", "python \\", "latex \\\\", "pip \\", "below, pip \\", "%timeit?"])
def test_honest_long_cells_are_read_as_ipython_groups_them(answers, below, flag):
    """Review 440 (fairness): past the budget, a shell line whose text leaves a bracket open (`!echo a) ... b)`, `!echo
    no GPU here :(`), a `\\` at the end of a line, a `!pip install` continued by `\\`, and `%timeit?` cost honest
    answers cells all five answers (0/10, "quotes or brackets IPython closes or opens otherwise") and flagged cells
    below `exec:`. The grader groups the lines as IPython does now, turning each line in its turn."""
    c = _around_answers(answers, below=below)
    rows = answer_rows(c)
    assert sum(r.points for r in rows) == 10, [r.message for r in rows]
    assert not [f for f in c.flags if not f.startswith("added-cell:")], (c.flags, c.details)


@pytest.mark.parametrize("answers", [
    _PAD438 + "!echo (\n" + _WRONG439,
    _PAD438 + "!pip install torch \\\n" + _WRONG439,
    _WRONG439 + _PAD438 + ";print \"\"x\n" + _R434 + "#\"\"\")\n",
], ids=["after an open bracket", "continued into the shell line", "inside a string"])
def test_what_ipython_runs_after_a_turned_line_is_what_is_graded(answers):
    """The other side of review 440's grouping: what Jupyter runs after a turned line (the wrong answers after `!echo
    (`), or takes into it (a line a `\\` continues into a shell command), or reads as text (a string a `;` call opens)
    is read so: the answers Jupyter ends with, 0/10."""
    rows = answer_rows(_around_answers(answers))
    assert sum(r.points for r in rows) == 0, [r.message for r in rows]


_GROUPING_LINES = [
    "x = 1", "!echo :(", "!echo a) b", '%ls x"""', ';print ""x', ',print "")or [0]#', '#""")', "print(a,", "  b)",
    's = """', '"""', "!pip install a \\", "   b", "%time x = f(1, \\", " 2)", "x?", "f()?", "%timeit?", "!ls x?",
    "y = !ls (", "z = %pwd", "!= 0", "%= 3", "if True:", "    !ls", "    x = 1", "# comment ?", "x = (1,", "!= 0)",
    "/f a b", ",f a b", "'''", "x = 'it''s'", "%config X.y = \\", "    1", "a_ = True", "!echo [WIP", "n = !echo (1",
    "%matplotlib?", "x = [", "]", "obj.attr?", "lst[0]??", "!!ls (", "  %pwd", "print('?')", "w = %time (1,",
    "x = 1 \\", "  + 2", "%time?", ";f a", "?x", "??x.y", "# ''' ", "r'''", "!echo ''' x", "\\", "x = {", "}?",
    "x = %ls \\", "def f(x):", "    return x", "for i in range(3):", "    print(i)", "    %time y = i", "    !echo {i}",
    'f"{x}"', "x = f'''", "# it's", "d = {'a': 1,", "     'b': 2}", "\tx = 1", "    y = !ls", "        z?", "  ;f a b"]


def _as_ipython_turns(source: str) -> str | None:
    """The cell as IPython's reader turns it, written from the grader's `logical_lines` with IPython's own calls."""
    from IPython.core.inputtransformer2 import ESCAPE_DOUBLES, _help_end_re, _make_help_call, tr
    from grader.magics import _assign_turned, _first_tokens, logical_lines
    g = logical_lines(source)
    if g is None or not g.settled:
        return None
    lines, out, skip = source.split("\n"), [], -1
    for i, ln in enumerate(lines):
        if i <= skip:
            continue
        if i not in g.helps | g.escapes | g.assigned:
            out.append(ln)
            continue
        skip, line = g.joins.get(i, (i, ln))
        indent = ln[:len(ln) - len(ln.lstrip(" \t\f"))]
        body = line[len(indent):]
        escape, content = (body[:2], body[2:]) if body[:2] in ESCAPE_DOUBLES else (body[:1], body[1:])
        if i in g.helps and not body.startswith("?"):
            m = _help_end_re.search(body + "\n")
            out.append(indent + _make_help_call(m.group(1), m.group(3)))
        elif i in g.helps or i in g.escapes:
            out.append(indent + tr[escape](content))
        else:
            at = _assign_turned(_first_tokens(ln)[0])
            rhs = line[at:]
            name, _, args = rhs[1:].partition(" ")
            out.append(ln[:at] + ("get_ipython().run_line_magic({!r}, {!r})".format(name, args) if rhs[0] == "%"
                                  else "get_ipython().getoutput({!r})".format(rhs[1:])))
    return "\n".join(out)


def test_the_grouping_past_the_budget_is_ipythons_on_random_cells():
    """Review 440: past the budget the grader groups a cell's lines and turns them in one pass (`logical_lines`), where
    IPython turns one line at a time and tokenizes the cell again after each. Compared with IPython's own reader on
    random cells of lines that turn, open and close brackets, strings and `\\` continuations (a session compared
    60,000): the same text wherever the grader says it is sure."""
    from IPython.core.inputtransformer2 import TransformerManager
    manager, rng, compared = TransformerManager(), random.Random(440), 0
    for _ in range(3000):
        source = "\n".join(rng.choice(_GROUPING_LINES) for _ in range(rng.randint(1, 9))) + "\n"
        if source[:1] in " \t":
            continue
        ours = _as_ipython_turns(source)
        try:
            theirs = manager.transform_cell(source)
        except Exception:  # noqa: BLE001 - IPython's reader refuses the cell (an indent that fits no block)
            assert ours is None, source
            continue
        if ours is not None:
            compared += 1
            assert ours.rstrip("\n") == theirs.rstrip("\n"), source
    assert compared > 1500


@pytest.mark.parametrize("answers,points,flag", [
    # autoreload's magics without `%load_ext autoreload` above them: IPython refuses them unless an earlier cell loaded
    # it, which the cell cannot say: Jupyter may stop there
    (_WRONG439 + "%autoreload 2\n" + _R434, 0, "raised:"),
    ("%aimport os\n" + _R434, 10, "raised:"),
    ("%load_ext autoreload\n%autoreload 2\n" + _R434, 10, None),
    # a word in a comment makes no magic of the cell's own
    ("# IPython Magics: see the docs\n%nosuchmagic\n" + _R434, 10, "raised:"),
    ("%matplotlb inline\n# InteractiveShell\n" + _R434, 10, "raised:"),
    # an alias taken away makes `%ls` a magic no more: the cell is read for a TA
    ("%unalias ls\n%ls\n" + _R434, 10, "exec:"),
    # a backend IPython does not know (a KeyError), or a line its parser refuses
    (_WRONG439 + "%matplotlib inlin\n" + _R434, 0, "raised:"),
    ("%matplotlib inline --nosuch\n" + _R434, 10, "raised:"),
    ("%matplotlib INLINE\n%matplotlib\n" + _R434, 10, None),
], ids=["autoreload between tries", "aimport", "autoreload loaded", "comment", "comment, shell", "unalias",
        "backend typo", "refused option", "backends IPython knows"])
def test_what_review_441_found_the_kernel_refuses_is_read_so(answers, points, flag):
    """Review 441, told of review 439's reading of magics the kernel lacks: autoreload's magics counted as always
    there (IPython has them only after `%load_ext autoreload`), an alias taken away by `%unalias`, a comment naming
    `Magics` that turned the reading off, and `%matplotlib inlin` (a KeyError in IPython): 10/10 unflagged where
    Jupyter stopped before the right answers."""
    c = _around_answers(answers)
    _graded_as(c, points, flag)


@pytest.mark.parametrize("answers,below,points,flag", [
    # a `\` in a comment at the end of a magic line: IPython takes the next line into the magic's text, but reads the
    # cell first as it stands, where that line's indent fits no block (an IndentationError: none of it runs)
    (_R434 + "if True:\n        %pwd # \\\n    x\n" + _PAD438, [], 0, None),
    (_R434 + "x = 1\n%pwd # \\\nx = 2\n" + _PAD438, [], 10, None),
    # a form feed, at which IPython splits its lines: `,print \` takes `a_ = True` into its call's text
    (_WRONG439.replace("a_, b_", "b_") + "a_ = False\n# check \x0c,print \\\na_ = True\n" + "#" * 21_000 + "\n", [], 0,
     None),
    (_R434, ["# check \x0c,print \\\nprint(a_)\n" + "#" * 21_000 + "\n"], 10, "exec:"),
], ids=["dedent taken in", "taken in, indents fit", "form feed", "form feed below"])
def test_what_ipython_reads_first_and_where_it_splits_lines_count_past_the_budget(answers, below, points, flag):
    """Review 442: past the budget a line a magic's `\\` takes in (after a comment: `%pwd # \\`) was never read for its
    indent, where IPython's first reading of the cell raises an IndentationError and runs none of it; and a cell with a
    form feed (or another break IPython splits lines at) was read as Python reads it, where IPython's escape took the
    line after it into its call: 10/10 unflagged, Jupyter ended without the answers or with the wrong one."""
    c = _around_answers(answers, below=below)
    rows = answer_rows(c)
    assert sum(r.points for r in rows) == points, [r.message for r in rows]
    assert flag is None or any(f.startswith(flag) for f in c.flags), (c.flags, c.details)


_FF444 = "# \x0c check\n" + "#" * 21_000 + "\n"


@pytest.mark.parametrize("answers,below,points,flag", [
    ("a_ = True\nIn [1]: a_ = False\nb_ = False\nIn [2]: b_ = True\nc_ = True\nIn [3]: c_ = False\nd_ = True\n"
     "In [4]: d_ = False\ne_ = False\nIn [5]: e_ = True\n" + _FF444, [], 0, None),
    (_R434, ["x = 1\n" + "".join(f"In [{k}]: {n}_ = {v}\n" for k, (n, v) in enumerate(
        zip("abcde", ("False", "True", "False", "False", "True")), 1)) + _FF444], 0, "moved:"),
    (_R434 + "... if 0 else 0\n" + _FF444, [], 0, None),
    # prompts pasted beside a form feed, answered right: as IPython runs them
    (">>> a_, b_, c_, d_, e_ = True, False, True, True, False\n" + _FF444, [], 10, None),
], ids=["prompts", "prompts below", "continuation prompt", "right, after a prompt"])
def test_a_long_cell_with_a_form_feed_is_cleaned_as_ipython_cleans_it(answers, below, points, flag):
    """Review 444: a cell past the budget with a line break Python does not split at (a form feed, a lone `\\r`,
    `\\u2028`) and no magic was read as Python reads it, without IPython's cleaning: `In [1]: a_ = False` was an
    annotation that binds nothing (10/10 where Jupyter ended with five wrong answers), `... if 0 else 0` an Ellipsis
    (10/10 where Jupyter raised a SyntaxError)."""
    c = _around_answers(answers, below=below)
    rows = answer_rows(c)
    assert sum(r.points for r in rows) == points, [r.message for r in rows]
    assert flag is None or any(f.startswith(flag) for f in c.flags), (c.flags, c.details)


_PIPDOC443 = "try:\n    import ipympl\nexcept ImportError:\n    pass\n\n!pip install torch \\\n    torchvision\ntry:\n    import ipympl\nexcept ImportError:\n    pass\n# a) True  b) False  c) True\ndef f(x):\n    '''Return x.\n\n    %matplotlib inline would go here\n    '''\n    return x\n# Observation: the sigmoid net's early layers barely learn.\ntry:\n    import ipympl\nexcept ImportError:\n    pass\ntext = '''\n'''\nfor i in range(3):\n    print(i)\n    %time y = i * 2\nif True:\n    !echo inside\nprint(a_, b_, c_, d_, e_)\n"


@pytest.mark.parametrize("above,answers,below", [
    # Windows line ends are one break, not a form feed's kind
    ([], "\r\n".join(["%matplotlib inline", "%load_ext autoreload", "%autoreload 2", "%pwd", "!ls", "%time x = 1",
                      "%config InlineBackend.figure_format = 'retina'", "!echo done", "%who",
                      *_R434.strip().split("\n")]) + "\r\n", []),
    ([], ("# notes on the vanishing gradient\r\n" * 350) + "%matplotlib inline\r\n" + _R434.replace("\n", "\r\n"), []),
    ([], _R434, [("# notes on the plots\r\n" * 600) + "%matplotlib inline\r\n!ls\r\nprint(a_)\r\n"]),
    # autoreload loaded in a cell above: its magics are the kernel's
    (["%load_ext autoreload\n"], "%autoreload 2\n%aimport numpy\n" + _R434, []),
    # a docstring's line in a cell IPython rewrites (a `\`-continued shell line) is no magic line
    ([], _R434, [_PIPDOC443]),
], ids=["crlf, short", "crlf, long", "crlf, long below", "autoreload loaded above", "docstring below"])
def test_honest_cells_of_review_443_keep_the_answers_unflagged(above, answers, below):
    """Review 443 (fairness, 5,640 honest drafts against today's rules): Windows line ends read as a form feed's kind
    of break (an answers cell with magics 0/10, a long cell below flagged `exec:`), `%autoreload 2` flagged `raised:`
    where a cell above had loaded autoreload, and a docstring's `%matplotlib inline would go here` in a cell IPython
    rewrote read as a refused magic line (`raised:`); `%load_ext autoreload` with Windows line ends flagged `exec:`."""
    c = _around_answers(answers, above=above, below=below)
    rows = answer_rows(c)
    assert sum(r.points for r in rows) == 10, [r.message for r in rows]
    assert not [f for f in c.flags if f.startswith(("raised:", "exec:", "moved:"))], (c.flags, c.details)


@pytest.mark.parametrize("above,answers,points,flag", [
    # autoreload "loaded" only in a comment, above or in the cell: IPython refuses its magics
    (["# load_ext autoreload\n"], "%autoreload 2\n" + _R434, 10, "raised:"),
    ([], "# load_ext autoreload\n%autoreload 2\n" + _R434, 10, "raised:"),
    ([], _WRONG439 + "if True:\n    %autoreload 2\n" + _R434, 0, "raised:"),
    # a refused magic in a block that surely runs
    ([], _WRONG439 + "if True:\n    %nosuchmagic\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "for _ in [0]:\n\t%matplotlib inlin\n" + _R434, 0, "raised:"),
    # a lone "\r" breaks the line for IPython and Python alike
    ([], _WRONG439 + "#\r%nosuchmagic\n" + _R434, 0, "raised:"),
    ([], (_WRONG439 + "#\r%nosuchmagic\n" + _R434).replace("\n", "\r\n"), 0, "raised:"),
    # a long added cell above (past the lines the grader aligns one by one) with a refused magic and a space after it
    (["pass\n" * 2100 + "%nosuchmagic \n"], _R434, 10, "raised:"),
    # autoreload loaded by its call, above: its magics are the kernel's
    (["get_ipython().run_line_magic('load_ext', 'autoreload')\n"], "%autoreload 2\n" + _R434, 10, None),
], ids=["comment above", "comment in the cell", "autoreload in a block", "in a block", "in a loop, tab", "lone \\r",
        "lone \\r and crlf", "long cell above", "loaded by its call"])
def test_what_review_445_found_stops_where_ipython_stops(above, answers, points, flag):
    """Review 445, told of today's stops: `# load_ext autoreload` in a comment taken for the extension loaded, a refused
    magic inside `if True:` or a loop, `#\\r%nosuchmagic` (a lone "\\r" ends the comment for IPython and Python), and a
    refused magic with a trailing space at the end of an added cell of 2,100 lines: each 10/10 unflagged where Jupyter
    stopped with the wrong answers set, or none."""
    c = _around_answers(answers, above=above)
    _graded_as(c, points, flag)


@pytest.mark.parametrize("above,answers,points,flag", [
    # a load below the magic, or one that never runs (a block not taken, a function never called, a cell magic's text)
    ([], _WRONG439 + "%autoreload 2\n" + _R434 + "%load_ext autoreload\n", 0, "raised:"),
    (["if False:\n    %load_ext autoreload\n"], _WRONG439 + "%autoreload 2\n" + _R434, 0, "raised:"),
    (["def f():\n    get_ipython().run_line_magic('load_ext', 'autoreload')\n"], _WRONG439 + "%autoreload 2\n" + _R434,
     0, "raised:"),
    (["%%writefile loader_note.py\n%load_ext autoreload\n"], _WRONG439 + "%autoreload 2\n" + _R434, 0, "raised:"),
    # IPython hands the rest of the line to `%load_ext` whole: a comment, or a second space, is part of the module's
    # name, which no module has (a ModuleNotFoundError)
    ([], _WRONG439 + "%load_ext autoreload  # dev\n" + _R434, 0, "raised:"),
    (["%load_ext autoreload  # reload my modules\n"], _R434, 10, "raised:"),
    ([], _WRONG439 + "%load_ext storemagic  # x\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%reload_ext autoreload\t# x\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%load_ext  autoreload\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%load_ext\n" + _R434, 0, "raised:"),
    # options a magic's own parser refuses (a UsageError)
    ([], _WRONG439 + "%cd -z\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%hist -Z\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%debug -h\n" + _R434, 0, "raised:"),
    # ... and the same lines as IPython takes them
    ([], "%load_ext autoreload \n%autoreload 2\n%history -n 1\n%cd .\n%timeit -n1 -r1 x = 1\n" + _R434, 10, None),
    (["%load_ext IPython.extensions.autoreload\n"], "%autoreload 2\n" + _R434, 10, None),
    (["%load_ext autoreload\r\n%autoreload 2\r\n"], "%autoreload 2\r\n" + _R434, 10, None),
], ids=["load below", "block not taken", "function not called", "cell magic's text", "comment", "comment above",
        "storemagic, comment", "reload, tab and comment", "two spaces", "no module", "cd option", "hist option",
        "debug -h", "as IPython takes them", "full module name", "crlf above"])
def test_what_review_446_found_autoreload_loads_only_where_it_runs(above, answers, points, flag):
    """Review 446, told of the last session's stops: `%load_ext autoreload` counted anywhere in the cell (below the
    `%autoreload` line too), in a block not taken, in a function never called, in a `%%writefile` cell's text, and with
    a comment after it (IPython imports `autoreload  # dev`, which is no module): each 10/10 unflagged where Jupyter
    stopped with the wrong answers set, or none. Also read now: options a magic's parser refuses (`%cd -z`)."""
    _graded_as(_around_answers(answers, above=above), points, flag)


def test_the_option_specs_are_ipythons():
    """The options the grader reads each magic's line with are the ones IPython's (and ipykernel's `%edit`) call of
    `parse_options` passes: read from their source, so that an IPython that changes them fails here."""
    import ast
    import inspect

    from IPython.core import magics as ipython_magics
    from IPython.core.magic import Magics
    from ipykernel.zmqshell import KernelMagics

    from grader.magics import _OPTION_SPECS, _OPTIONS_OF
    read, modules = {}, {}
    for value in [*vars(ipython_magics).values(), KernelMagics]:
        if not (isinstance(value, type) and issubclass(value, Magics) and getattr(value, "magics", None)):
            continue
        module = inspect.getmodule(value)
        tree = modules.setdefault(module.__name__, ast.parse(inspect.getsource(module)))
        cls = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == value.__name__)
        methods = {}
        for n in ast.walk(cls):         # (breadth first: a method before a function of the same name inside one)
            if isinstance(n, ast.FunctionDef):
                methods.setdefault(n.name, n)
        for name, method in value.magics["line"].items():
            for call in ast.walk(methods[method]):
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                        call.func.attr == "parse_options":
                    keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
                    read[name] = (ast.literal_eval(call.args[1]), tuple(ast.literal_eval(a) for a in call.args[2:]),
                                  bool(keywords.get("posix", True)), bool(keywords.get("strict", True)))
    for name, spec in _OPTION_SPECS.items():
        assert read[name][0] == spec[0] and read[name][2:] == spec[2:], (name, read[name], spec)
    assert set(read) - set(_OPTION_SPECS) <= {"sx", "system", "reset", "reset_selective", "xdel"}, set(read)
    # ... and `%pushd` hands its line to `%cd`'s parser
    from IPython.core.magics import OSMagics
    assert "self.cd(parameter_s)" in inspect.getsource(OSMagics.pushd) and _OPTIONS_OF == {"pushd": "cd"}


@pytest.mark.parametrize("above,answers,points,flag", [
    # a handler that catches what IPython raises for a refused magic (its UsageError is an Exception): the cell goes on
    ([], _WRONG439 + "try:\n    %autoreload 2\nexcept Exception:\n    pass\n" + _R434, 10, None),
    ([], _WRONG439 + "try:\n    %nosuchmagic\nexcept:\n    pass\n" + _R434, 10, None),
    ([], _WRONG439 + "try:\n    %matplotlib inlin\nexcept Exception:\n    %matplotlib inline\n" + _R434, 10, None),
    ([_WRONG439], "try:\n    %aimport numpy\nexcept BaseException as e:\n    print(e)\n" + _R434, 10, None),
    # ... and one that does not: Run All stops there
    ([], _WRONG439 + "try:\n    %autoreload 2\nexcept ValueError:\n    pass\n" + _R434, 0, "raised:"),
    # autoreload loaded by IPython's other calls, above
    (["get_ipython().extension_manager.load_extension('autoreload')\n"], "%autoreload 2\n" + _R434, 10, None),
    (["get_ipython().magic('load_ext autoreload')\n"], "%autoreload 2\n" + _R434, 10, None),
    # ... or by its call in the cell, above magic lines: the call is the magic it is there too
    ([], "get_ipython().run_line_magic('load_ext', 'autoreload')\n%autoreload 2\n" + _R434, 10, None),
    ([], "%load_ext autoreload\nget_ipython().run_line_magic('autoreload', '2')\n" + _R434, 10, None),
], ids=["try, Exception", "try, bare", "try, fallback", "try above", "a handler that does not catch it",
        "extension manager", "magic()", "call above a magic line", "call below a magic line"])
def test_honest_cells_of_review_447_keep_the_answers(above, answers, points, flag):
    """Review 447 (fairness, 2,196 honest drafts): a refused magic inside `try:` with a handler that catches
    IPython's error read as a stop (wrong answers above it graded, 0/10 where Jupyter ended with the right five; 40
    of 60 such drafts flagged `raised:`); autoreload loaded by `extension_manager.load_extension` or `magic(...)`
    above flagged `raised:`; IPython's calls written out in a cell with magic lines read as runners that may set any
    name (0/10)."""
    _graded_as(_around_answers(answers, above=above), points, flag)


def _solution_with(cell_id: str, added: str, first: str = "", answers: str | None = None,
                   above: tuple[str, ...] | list[str] = ()) -> Context:
    """The solution with ``first`` and ``added`` around one of its cells' text, the answers cell's text replaced by
    ``answers`` (when given) and code cells ``above`` added right above it: the shapes the reviews of the magics built
    around a whole notebook, where a stop in a graded cell matters as much as one beside the answers."""
    cells = []
    for cid, kind, text in SOLUTION:
        if cid == "answers-3-3":
            cells += [(f"above{i}", "code", a) for i, a in enumerate(above)]
            text = text if answers is None else answers
        cells.append((cid, kind, first + text + added if cid == cell_id else text))
    return Context(SPEC, notebook(base=cells), TEMPLATE, True)


def _answers_kept(c: Context, flagged: bool) -> None:
    """The right answers are graded as written (10/10), and a stop Jupyter makes above them is flagged for a TA."""
    rows = answer_rows(c)
    assert sum(r.points for r in rows) == 10, [r.message for r in rows]
    assert any(f.startswith("raised:") for f in c.flags) is flagged, (c.flags, c.details)


@pytest.mark.parametrize("cell_id,added,flagged", [
    # a refused magic line at the end of a cell the grading runs (as nothing): Jupyter's Run All stops there
    ("train-and-test", "\n%nosuchmagic\n", True),
    ("train-and-test", "\n%cd -z\n", True),
    ("train-and-test", "\n%autoreload 2\n", True),
    ("ann-relu", "\n%nosuchmagic\n", True),
    # ... not where the kernel has the magic, autoreload is loaded above, or a handler catches it
    ("train-and-test", "\n%matplotlib inline\n%pwd\n", False),
    ("imports", "\n%load_ext autoreload\n%autoreload 2\n", False),
    ("train-and-test", "\ntry:\n    %nosuchmagic\nexcept Exception:\n    pass\n", False),
    ("train-and-test", "\ndef f():\n    %nosuchmagic\n", False),
], ids=["unknown magic", "refused option", "autoreload not loaded", "the class's cell", "known magics",
        "autoreload loaded", "caught", "in a function"])
def test_what_review_448_found_a_refused_magic_in_a_cell_above_stops_run_all(cell_id, added, flagged):
    """Review 448: a magic line IPython refuses at the end of the student's `train-and-test` (or `ann-relu`) cell:
    the grading runs such a line as nothing, so 50/50 unflagged, where Jupyter's Run All stopped there and never set
    the answers. The stop above is flagged for a TA, as one in an added cell is (the answers graded as written)."""
    c = _solution_with(cell_id, added)
    _answers_kept(c, flagged)
    if flagged:
        assert any(repr(cell_id) in d and "refuses" in d for d in c.details), c.details


@pytest.mark.parametrize("above,answers,points,flag", [
    (["%autoreload 2\n"], _R434, 10, "raised:"),
    ([], _WRONG439 + "%gui -z\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%pushd -z\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%cd -z {1}\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%cd -b -z{k}\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%precision x\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%autosave x\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%less\n" + _R434, 0, "raised:"),
    ([], "%precision 3\n%autosave 60\n%cd -q {'.'}\n%pushd .\n%popd\n" + _R434, 10, None),
], ids=["added cell of autoreload", "gui option", "pushd option", "option before an expansion",
        "option before an expansion, cut short", "precision", "autosave", "less alone", "as IPython takes them"])
def test_what_review_448_found_other_refused_lines_are_stops(above, answers, points, flag):
    """Review 448: refusals the option reading of review 446 missed: `%gui -z` (no options at all), `%pushd -z`
    (`%cd`'s parser), `%cd -z {1}` (an option refused before anything IPython expands), and lines their magic's code
    refuses as plainly: `%precision x`, `%autosave x`, `%less` alone; an added cell of `%autoreload 2` with nothing
    loaded (flagged `added-cell:` only). Each compared with the reply of a real kernel."""
    _graded_as(_around_answers(answers, above=above), points, flag)



@pytest.mark.parametrize("cell_id,added", [
    ("train-and-test", "\nget_ipython().run_line_magic('cd', '-z')\n"),
    ("train-and-test", "\n%cd \\\n -z\n"),
    ("train-and-test", "\nimport contextlib\nwith contextlib.nullcontext():\n    %cd -z\n"),
], ids=["the call written out", "continued by a backslash", "in a with block"])
def test_what_review_449_found_refused_in_a_cell_above_is_flagged(cell_id, added):
    """Review 449: at the end of `train-and-test`, IPython's call for a refused magic written out, a refused magic
    continued by `\\` (IPython joins `%cd \\` and ` -z`; the cell IPython rewrote did not align line for line), and one
    in a `with` block (a manager that does not suppress it): 50/50 unflagged where Jupyter's Run All stopped there."""
    _answers_kept(_solution_with(cell_id, added), True)


@pytest.mark.parametrize("above,answers,points,flag", [
    ([], _WRONG439 + "get_ipython().run_line_magic('nosuchmagic', '')\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "%matplotlib inline\nget_ipython().run_line_magic('cd', '-z')\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "get_ipython().magic('nosuchmagic')\n" + _R434, 0, "raised:"),
    (["get_ipython().run_line_magic('autoreload', '2')\n"], _R434, 10, "raised:"),
    ([], _WRONG439 + "import contextlib\nwith contextlib.nullcontext():\n    %cd -z\n" + _R434, 0, "raised:"),
    ([], _WRONG439 + "Exception = ValueError\ntry:\n    %nosuchmagic\nexcept Exception:\n    pass\n" + _R434, 0,
     "raised:"),
    # ... and what the kernel takes, as IPython's calls too
    (["get_ipython().magic('load_ext autoreload')\n"],
     "get_ipython().run_line_magic('matplotlib', 'inline')\nget_ipython().run_line_magic('autoreload', '2')\n" + _R434,
     10, None),
    (["%load_ext autoreload\n"], "get_ipython().run_line_magic('autoreload', '2')\n" + _R434, 10, None),
], ids=["call", "call beside a magic line", "magic()", "added cell, autoreload's call", "with block",
        "a handler's class bound again", "the kernel's magics by their calls", "autoreload loaded above"])
def test_what_review_449_found_calls_and_blocks_refused_are_read(above, answers, points, flag):
    """Review 449: IPython's calls written out for a magic the kernel refuses (`run_line_magic('nosuchmagic', '')`,
    `magic('nosuchmagic')`, `run_line_magic('autoreload', '2')` with nothing loaded) read as calls that run; a refused
    magic in a `with` block read as suppressed, and in a `try` whose `except Exception:` names a class the cell bound
    again (`Exception = ValueError`) as caught: each 10/10 unflagged where Jupyter stopped with the wrong answers set,
    or none. Read as the stops they are now, or where the reading cannot say, as stops that may be (flagged)."""
    _graded_as(_around_answers(answers, above=above), points, flag)


@pytest.mark.parametrize("above,answers,points,flag", [
    # autoreload loaded as honest notebooks load it: through a name given the shell, IPython's module, `magic('%...')`,
    # in `try:` or `if True:`, in a `%%capture` or `%%time` cell, by `%time`
    (["ip = get_ipython()\nip.run_line_magic('load_ext', 'autoreload')\n"], "%autoreload 2\n" + _R434, 10, None),
    (["ip = get_ipython()\nip.magic('load_ext autoreload')\n"], "%autoreload 2\n" + _R434, 10, None),
    (["import IPython\nIPython.get_ipython().run_line_magic('load_ext', 'autoreload')\n"], "%autoreload 2\n" + _R434, 10,
     None),
    (["get_ipython().magic('%load_ext autoreload')\n"], "%autoreload 2\n" + _R434, 10, None),
    (["try:\n    %load_ext autoreload\nexcept Exception:\n    pass\n"], "%autoreload 2\n" + _R434, 10, None),
    (["if True:\n    %load_ext autoreload\n"], "%aimport numpy\n" + _R434, 10, None),
    (["%%capture\n!pip install tqdm\n%load_ext autoreload\n"], "%autoreload 2\n" + _R434, 10, None),
    (["%%time\n%load_ext autoreload\n"], "%autoreload 2\n" + _R434, 10, None),
    (["%time %load_ext autoreload\n"], "%autoreload 2\n" + _R434, 10, None),
    ([], "get_ipython().extension_manager.load_extension('autoreload')\n%autoreload 2\n" + _R434, 10, None),
    # `%cd -0` goes back in the directories' history before `%cd` reads options
    ([], "%cd -0\n" + _R434, 10, None),
    # ... and what does not surely load it stays a stop
    (["try:\n    int('x')\n    %load_ext autoreload\nexcept Exception:\n    pass\n"], _WRONG439 + "%autoreload 2\n" + _R434,
     0, "raised:"),
    (["class F:\n    def run_line_magic(self, *a): pass\nip = F()\nip.run_line_magic('load_ext', 'autoreload')\n"],
     _WRONG439 + "%autoreload 2\n" + _R434, 0, "raised:"),
    (["for _ in []:\n    %load_ext autoreload\n"], _WRONG439 + "%autoreload 2\n" + _R434, 0, "raised:"),
    # `%%capture` shows what its body raises and goes on: a load after a line that raises loads nothing
    (["%%capture\n1/0\n%load_ext autoreload\n"], _WRONG439 + "%autoreload 2\n" + _R434, 0, "raised:"),
], ids=["name given the shell", "its magic()", "IPython's module", "magic('%...')", "in try", "if True", "%%capture",
        "%%time", "%time", "extension manager in the cell", "cd -0", "second in try", "a shell of one's own",
        "in a loop", "after a raise in %%capture"])
def test_honest_loads_of_review_450_keep_the_answers_unflagged(above, answers, points, flag):
    """Review 450 (fairness, 5,400 honest drafts): review 446's rule (a load counts only at a cell's top level, by
    `%load_ext` or `get_ipython()`'s call) flagged `raised:` 378 of 1,160 drafts that load autoreload as Jupyter does:
    through `ip = get_ipython()`, `IPython.get_ipython()`, `magic('%load_ext autoreload')`, in `try:` or `if True:`, in
    a `%%capture` or `%%time` cell, by `%time`; `%cd -0` flagged as a refused option; the extension manager's load in
    the answers cell read as code that may set any name (0/10)."""
    _graded_as(_around_answers(answers, above=above), points, flag)


def test_a_handler_of_ipythons_own_class_catches_a_refused_magic():
    """Review 450: `from IPython.core.error import UsageError` then `try: %autoreload 2 except UsageError: pass` in the
    imports cell was flagged `raised:` as a handler of a class the cell binds again: it is the class IPython raises."""
    _answers_kept(_solution_with("imports", "\nfrom IPython.core.error import UsageError\ntry:\n    %autoreload 2\n"
                                            "except UsageError:\n    pass\n"), False)



_FAKE451 = ("\nimport sys, types\n_m = types.ModuleType('autoreload')\n_m.load_ipython_extension = lambda ip: None\n"
            "sys.modules['autoreload'] = _m\n%load_ext autoreload\n")


@pytest.mark.parametrize("cell_id,first,added,answers,flagged", [
    # a module of autoreload's name put first where `%load_ext autoreload` imports it: IPython's extension never loads
    ("train-and-test", "", _FAKE451, "%autoreload 2\n" + _R434, True),
    ("train-and-test", "", "\nopen('autoreload.py', 'w').write('def load_ipython_extension(ip): pass')\n"
                           "%load_ext autoreload\n", "%autoreload 2\n" + _R434, True),
    # the shell's names bound by the notebook: its calls and lines go through the student's
    ("train-and-test", "", "\nclass _F:\n    def run_line_magic(self, *a): pass\ndef get_ipython():\n    return _F()\n"
                           "get_ipython().run_line_magic('load_ext', 'autoreload')\ndel get_ipython\n",
     "%autoreload 2\n" + _R434, True),
    ("train-and-test", "", "\nip = get_ipython()\nclass ip:\n    def run_line_magic(*a): pass\n"
                           "ip.run_line_magic('load_ext', 'autoreload')\n", "%autoreload 2\n" + _R434, True),
    # a `with` whose manager raises as it enters, in a `try` that goes on
    ("train-and-test", "", "\ntry:\n    with open('/nonexistent/x'):\n        %load_ext autoreload\nexcept OSError:\n"
                           "    pass\n", "%autoreload 2\n" + _R434, True),
    # a cell magic's own line IPython refuses: the cell runs none of it, Run All stops there
    ("train-and-test", "%%time x\n", "", None, True),
    ("train-and-test", "%%capture a b\n", "", None, True),
    ("train-and-test", "%%capture -z\n", "", None, True),
    # ... and what the kernel takes
    ("train-and-test", "%%time\n", "", None, False),
    ("imports", "ip = get_ipython()\nip.run_line_magic('load_ext', 'autoreload')\nip.run_line_magic('autoreload', '2')\n",
     "", "%autoreload 2\n" + _R434, False),
    ("imports", "%load_ext autoreload\n%autoreload 2\nfrom IPython import get_ipython\n", "", "%autoreload 2\n" + _R434,
     False),
], ids=["a module put in sys.modules", "a module written", "get_ipython of one's own", "the name bound again",
        "a with that raises", "%%time x", "%%capture a b", "%%capture -z", "%%time", "a name given the shell",
        "loaded, get_ipython imported"])
def test_what_review_451_found_loads_that_are_not_ipythons(cell_id, first, added, answers, flagged):
    """Review 451: `%load_ext autoreload` after a module of its name put in `sys.modules` or written to
    `autoreload.py` (IPython imports it first), a load through a `get_ipython` or a name of the student's own, a load
    in a `with` whose manager raised as it entered, and a cell magic's line IPython refuses at the top of
    `train-and-test` (`%%time x`, `%%capture -z`): each 10/10 and unflagged where Jupyter stopped before the answers."""
    _answers_kept(_solution_with(cell_id, added, first=first, answers=answers), flagged)


@pytest.mark.parametrize("added,flagged", [
    # a module of autoreload's name made by text the last rule did not spell: a folder (a namespace package), a
    # keyword argument, a shell line
    ("\nimport os\nos.makedirs('autoreload', exist_ok=True)\n%load_ext autoreload\n", True),
    ("\nimport sys, types\nsys.modules.update(autoreload=types.ModuleType('x'))\n%load_ext autoreload\n", True),
    ("\n!mkdir -p autoreload\n%load_ext autoreload\n", True),
    # ... and honest text that binds nothing: IPython's version printed, its own names imported, a test of the load
    ("\nimport IPython\nprint(f'IPython={IPython.__version__}')\n%load_ext autoreload\n", False),
    ("\nfrom IPython import get_ipython\nif 'autoreload' not in get_ipython().extension_manager.loaded:\n"
     "    get_ipython().run_line_magic('load_ext', 'autoreload')\n%load_ext autoreload\n", False),
], ids=["a folder", "a keyword argument", "a shell line", "IPython's version printed", "a test of the load"])
def test_what_review_452_found_a_module_of_autoreloads_name(added, flagged):
    """Review 452: a folder named `autoreload` made in the working folder (`os.makedirs`, `!mkdir`: a namespace
    package IPython imports before its own extension), or `sys.modules.update(autoreload=...)`, before `%load_ext
    autoreload` at the end of `train-and-test`, and `%autoreload 2` above the right answers: 10/10 and 50/50 unflagged
    where Jupyter's Run All stopped at the answers cell. And an honest `print(f'IPython={IPython.__version__}')` read
    as binding `IPython` (flagged)."""
    _answers_kept(_solution_with("train-and-test", added, answers="%autoreload 2\n" + _R434), flagged)


@pytest.mark.parametrize("above,answers,points,flag", [
    # honest: IPython's name printed, in a keyword, a loop over module names, a docstring; a print between the shell's
    # name and its call; `print('autoreload on')`
    (["%load_ext autoreload\nimport IPython\nprint('IPython:', IPython.__version__, sep=' ')\n"
      "meta = dict(IPython=IPython.__version__)\nfor mod in ['IPython', 'torch']:\n    print(mod)\n"
      "def helper():\n    \"\"\"Helpers for plotting; IPython reloads them in place.\"\"\"\n"], "%autoreload 2\n" + _R434, 10, None),
    (["ip = get_ipython()\nprint(type(ip).__name__)\nip.run_line_magic('load_ext', 'autoreload')\nprint('autoreload on')\n"],
     "%autoreload 2\n" + _R434, 10, None),
    # refused lines a review found unread: a cell magic's line with a comment in an added cell, `%autoreload` with one
    (["%%capture  # quiet install\n!pip install tqdm\n"], _R434, 10, "raised:"),
    (["%load_ext autoreload\n"], _WRONG439 + "%autoreload 2  # reload modules\n" + _R434, 0, "raised:"),
    # ... after the answers too: they are set, but Run All stops there (flagged as a stop after them is; review 436 had
    # read the line, in a cell below, as one that sets nothing, unflagged)
    ([], _R434 + "%autoreload 2  # reload edited modules\n", 10, "raised:"),
    # ... and a call between the shell's name and its load, which may give the name another value
    (["ip = get_ipython()\nf()\nip.run_line_magic('load_ext', 'autoreload')\n"], _WRONG439 + "%autoreload 2\n" + _R434, 0,
     "raised:"),
], ids=["IPython's name in honest code", "a print between", "%%capture with a comment, added",
        "autoreload with a comment", "autoreload with a comment, after the answers", "a call between"])
def test_what_review_453_found_is_read_as_jupyter_runs_it(above, answers, points, flag):
    """Review 453 (fairness, 1,261 drafts): 451's pattern for names bound read honest text as binding `IPython`
    (`print('IPython:', ..., sep=' ')`, `dict(IPython=...)`, a loop over module names, a docstring: 240 drafts flagged
    `raised:`, fixed with 452's syntax-tree reading); a `print` between `ip = get_ipython()` and its load, and
    `print('autoreload on')`, read as not loading; and, missed, `%%capture  # quiet install` in an added cell and
    `%autoreload 2  # reload modules` (autoreload's parser refuses both)."""
    _graded_as(_around_answers(answers, above=above), points, flag)


@pytest.mark.parametrize("added,extra_above", [
    # the name printed into a writer of the student's own, which puts a module of it in `sys.modules`
    ("\nimport sys, types\nclass _Log:\n    def write(self, s):\n        if s.strip():\n"
     "            sys.modules[s.strip()] = types.ModuleType(s.strip())\n_log = _Log()\nprint('autoreload', file=_log)\n"
     "%load_ext autoreload\n", []),
    # code between the name and text that ends like a test of the load
    ("\nimport sys, types\non = 'autoreload' in [sys.modules.setdefault('autoreload', types.ModuleType('m'))], "
     "'extension_manager.loaded'\n%load_ext autoreload\n", []),
    # `str()` of an object of the notebook's, between the shell's name and its call, runs its `__str__`
    ("\nclass _Quiet:\n    def run_line_magic(self, *a):\n        pass\nclass _Tag:\n    def __str__(self):\n"
     "        globals()['ip'] = _Quiet()\n        return 'tag'\n_tag = _Tag()\n",
     ["ip = get_ipython()\nprint(str(_tag))\nip.run_line_magic('load_ext', 'autoreload')\n"]),
], ids=["printed into a writer", "a test of the load that is not one", "str() of an object"])
def test_what_review_454_found_the_exemptions_read_as_they_run(added, extra_above):
    """Review 454: the exemptions of review 453 read text, not what it runs: `print('autoreload', file=_log)` (the
    writer put a module of that name in `sys.modules`), a line that only ended like `'autoreload' in
    ...extension_manager.loaded` with code between, and `print(str(_tag))` between `ip = get_ipython()` and its load
    (the object's `__str__` gave `ip` another value): 10/10 and 50/50 unflagged where Jupyter stopped at the answers."""
    _answers_kept(_solution_with("train-and-test", added, answers="%autoreload 2\n" + _R434, above=extra_above), True)


_MAKER455 = "\nimport sys, types\n"


@pytest.mark.parametrize("added,answers,above,flagged", [
    # `print` of literals read as text: a `print` of the notebook's own, a method named `print`, the text in a string
    (_MAKER455 + "def print(*a, **k):\n    sys.modules.setdefault(str(a[0]), types.ModuleType(str(a[0])))\n"
     "print('autoreload')\ndel print\n%load_ext autoreload\n", "%autoreload 2\n" + _R434, (), True),
    (_MAKER455 + "class _Reg:\n    def print(self, n):\n        sys.modules[n] = types.ModuleType(n)\n"
     "_Reg().print('autoreload')\n%load_ext autoreload\n", "%autoreload 2\n" + _R434, (), True),
    (_MAKER455 + "_s = \"print('autoreload')\"\n_n = _s[7:-2]\nsys.modules[_n] = types.ModuleType(_n)\n"
     "%load_ext autoreload\n", "%autoreload 2\n" + _R434, (), True),
    (_MAKER455 + "_s = '''\n%load_ext autoreload\n'''\n_n = _s.split()[1]\nsys.modules[_n] = types.ModuleType(_n)\n"
     "%load_ext autoreload\n", "%autoreload 2\n" + _R434, (), True),
    # IPython's calls written on an object of the notebook's own
    (_MAKER455 + "class _R:\n    def run_line_magic(self, m, n):\n        sys.modules[n] = types.ModuleType(n)\n"
     "_reg = _R()\n_reg.run_line_magic('load_ext', 'autoreload')\n%load_ext autoreload\n", "%autoreload 2\n" + _R434, (),
     True),
    (_MAKER455 + "class _R:\n    def magic(self, n):\n        sys.modules[n] = types.ModuleType(n)\n"
     "_R().magic('autoreload')\n%load_ext autoreload\n", "%autoreload 2\n" + _R434, (), True),
    # ... the object made in one cell, its call in another; `print` bound in one cell, the load in the answers cell
    (_MAKER455 + "class _R:\n    def run_line_magic(self, m, n):\n        sys.modules[n] = types.ModuleType(n)\n"
     "_reg = _R()\n", "%autoreload 2\n" + _R434, ("_reg.run_line_magic('load_ext', 'autoreload')\n%load_ext autoreload\n",),
     True),
    (_MAKER455 + "def print(*a, **k):\n    sys.modules.setdefault(str(a[0]), types.ModuleType(str(a[0])))\n",
     "print('autoreload')\n%load_ext autoreload\n%autoreload 2\n" + _R434, (), True),
    # ... a name given the shell, then given another value by one of its calls (`run_cell`) before the load
    (_MAKER455 + "class _Fake:\n    def run_line_magic(self, *a):\n        pass\n",
     "%autoreload 2\n" + _R434, ("ip = get_ipython()\nip.run_cell('ip = _Fake()')\nip.run_line_magic('load_ext', 'autoreload')\n",),
     True),
    # ... and what honest notebooks write stays unflagged
    ("\nprint('autoreload on')\n%load_ext autoreload\n", "%autoreload 2\n" + _R434, (), False),
    ("\nip = get_ipython()\nip.run_line_magic('matplotlib', 'inline')\nip.extension_manager.load_extension('autoreload')\n"
     "ip.run_line_magic('autoreload', '2')\n", "%autoreload 2\n" + _R434, (), False),
    ("\ntry:\n    ip = get_ipython()\n    ip.run_line_magic('load_ext', 'autoreload')\nexcept Exception:\n    pass\n"
     "%load_ext autoreload\n", "%autoreload 2\n" + _R434, (), False),
    ("\nif 'autoreload' not in get_ipython().extension_manager.loaded:\n"
     "    get_ipython().run_line_magic('load_ext', 'autoreload')\n%load_ext autoreload\n", "%autoreload 2\n" + _R434, (),
     False),
    ("\n%load_ext autoreload\n", "print('autoreload 2 on')\n%autoreload 2\n" + _R434, (), False),
], ids=["print of one's own", "a method named print", "the text in a string", "a magic line in a string",
        "run_line_magic of one's own", "magic() of one's own", "the object from another cell",
        "print bound in another cell", "the name given another value by run_cell", "print('autoreload on')",
        "the extension manager between the name and its call", "a name given the shell in try",
        "a test of the load", "print in the answers cell"])
def test_what_review_455_found_said_by_ipython_is_read_from_the_syntax_tree(added, answers, above, flagged):
    """Review 455: the exemptions of IPython's own mentions of autoreload read text: `print('autoreload')` of a `print`
    the notebook defined (or a method of that name, or that text in a string), and IPython's calls written on an
    object of the notebook's own (`_reg.run_line_magic('load_ext', 'autoreload')`), each made a module of autoreload's
    name before `%load_ext autoreload` at the end of `train-and-test`: 10/10 and 50/50 unflagged where Jupyter's Run
    All stopped at the answers cell's `%autoreload 2`. Read from the syntax tree now, with `print` bound anywhere in
    the notebook, or such an object made in another cell, read as no load of IPython's (in the answers cell too)."""
    _answers_kept(_solution_with("train-and-test", added, answers=answers, above=above), flagged)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("text", [
    "# keep the run log readable\n_sep = \"" + "%" * 49_900 + "\"\n",
    "x = 5 % 2\n_s = \"" + "\x0c" * 20_000 + "\"\n",
], ids=["a string of percent signs", "a string of form feeds"])
def test_what_review_456_found_the_grader_held_by_one_pattern(text):
    """Review 456: nineteen cells of `_sep = "%%%...%"` (49,900 `%` in a string) above the answers: the pattern for
    `%reset` lines (`%+(?:reset|...)`, searched over every code cell) tried each `%` to the end of the run, some 10 s of
    the grader's CPU a cell, holding Python's lock, so that an honest classmate's jobs graded beside it waited past
    their 60 s and lost 5 and 10 points. And, found while mending it, the prefilter of magic lines in cells above the
    answers backtracked in cubic time over form feeds in a cell that also holds a `%`: hours for one cell. Each read
    in well under a second now (`tests/test_patterns_linear.py` holds every pattern of the grader to that)."""
    import time
    c = _solution_with("train-and-test", "", above=(text,))
    started = time.process_time()
    _answers_kept(c, False)
    assert time.process_time() - started < 5


@pytest.mark.parametrize("added", [
    "\nget_ipython().run_line_magic('mkdir', 'autoreload')\n%load_ext autoreload\n",
    "\nget_ipython().run_line_magic('save', '-f autoreload 1')\n%load_ext autoreload\n",
    "\nget_ipython().magic('mkdir autoreload')\n%load_ext autoreload\n",
    "\nip = get_ipython()\nip.run_line_magic('sx', 'mkdir autoreload')\n%load_ext autoreload\n",
], ids=["mkdir", "save", "magic() of mkdir", "sx through a name given the shell"])
def test_what_review_457_found_the_shells_calls_of_other_magics_make_the_module(added):
    """Review 457: 455's fix took the shell's calls with literal arguments for IPython's own mentions of autoreload
    whatever the magic they call: `get_ipython().run_line_magic('mkdir', 'autoreload')` (a folder of that name) or
    `run_line_magic('save', '-f autoreload 1')` (a file) at the end of `train-and-test`, then `%load_ext autoreload`,
    and `%autoreload 2` above the right answers: 10/10 and 50/50 unflagged where Jupyter's Run All stopped at the
    answers cell. Only the calls of autoreload's own magics and of the extension manager are IPython's own now."""
    _answers_kept(_solution_with("train-and-test", added, answers="%autoreload 2\n" + _R434), True)


@pytest.mark.timeout(120)
def test_what_review_457_found_a_cells_mentions_are_read_in_linear_time():
    """Review 457: a cell of 2,495 lines `print('autoreload')` (each a mention IPython's own text may hold) was read
    token by token against every exempt call's span: 0.44 s a cell, eighteen such cells 8 s of the grader's CPU.
    The places the exempt calls' names and strings start are a set now (0.1 s for that cell)."""
    import time
    from grader.magics import shadows_autoreload
    cell = "%load_ext autoreload\n" + "print('autoreload')\n" * 10_000
    started = time.process_time()
    assert not shadows_autoreload(cell)
    assert time.process_time() - started < 5


@pytest.mark.parametrize("answers,above,flagged", [
    ("import os\ndef mk(name):\n    os.makedirs(name, exist_ok=True)\nmatch mk:\n    case print:\n        pass\n"
     "print('autoreload')\n%load_ext autoreload\n%autoreload 2\n" + _R434, (), True),
    ("print('autoreload')\n%load_ext autoreload\n%autoreload 2\n" + _R434,
     ("import os\nclass _P:\n    def __call__(self, name):\n        os.makedirs(name, exist_ok=True)\n"
      "match _P():\n    case {**print} | print:\n        pass\n",), True),
    # ... and `from pylab import *` beside an honest print binds no print of the notebook's
    ("from pylab import *\nprint('autoreload on')\n%load_ext autoreload\n%autoreload 2\n" + _R434, (), False),
], ids=["case print: in the answers cell", "case print: in a cell above", "pylab's star import"])
def test_what_review_459_found_print_bound_by_a_case_pattern(answers, above, flagged):
    """Review 459: `match mk: case print: pass` binds `print` to a function that makes a folder of its argument's name
    (a `case` capture, no name stored in the syntax tree's usual way): `print('autoreload')` then made the namespace
    package IPython imports for `%load_ext autoreload`, and `%autoreload 2` stopped Run All above the answers, 10/10
    unflagged. Every way Python binds a name is read now (`syntax.bound_by`), for `print` and for IPython's names."""
    _answers_kept(_solution_with("train-and-test", "", answers=answers, above=above), flagged)


def _autoreload_stop_above(above: str) -> Context:
    """The solution with ``above`` at the end of `train-and-test` and `%autoreload 2` on the answers cell's first line:
    where ``above`` may load another module named autoreload, Jupyter's Run All stops there (reviews 463 to 469)."""
    return _solution_with("train-and-test", "\n" + above, answers="%autoreload 2\n" + _R434)


_TORNADO = "import os, sysconfig\n_lib = os.path.join(sysconfig.get_paths()['purelib'], 'torn' + 'ado')\n"


@pytest.mark.parametrize("above,flagged", [
    (_TORNADO + "import sys\nsys.path.insert(0, _lib)\n%load_ext autoreload\nsys.path.remove(_lib)\n", True),
    (_TORNADO + "_here = os.getcwd()\nos.chdir(_lib)\n%load_ext autoreload\nos.chdir(_here)\n", True),
    (_TORNADO + "%cd $_lib\n%load_ext autoreload\n%cd -\n", True),
    (_TORNADO + "import sys\nsys.path.append(_lib)\n%load_ext autoreload\n", True),
    (_TORNADO + "import contextlib\nwith contextlib.chdir(_lib):\n    %load_ext autoreload\n", True),
    (_TORNADO + "from sys import path as _p\n_p[:0] = [_lib]\n%load_ext autoreload\n", True),
    ("import shutil, os, tornado\nshutil.copytree(os.path.dirname(tornado.__file__), '.', dirs_exist_ok=True)\n"
     "%load_ext autoreload\n", True),
    (_TORNADO + "import sys\nsys.path.append(os.path.dirname(os.__file__) + '/site-packages/torn' + 'ado')\n"
     "%load_ext autoreload\n", True),
    # ... not where the path is only read, or a folder written out is added or made the working folder (Colab's
    # `%cd` to the drive: where a folder leads into a package's own, the package is named)
    ("import sys, os\nprint(sys.path)\nif os.path.join('..', 'src') not in sys.path:\n"
     "    sys.path.insert(0, os.path.abspath(os.path.join(os.getcwd(), '..', 'src')))\n%load_ext autoreload\n", False),
    ("import sys\nif 'google.colab' in sys.modules:\n    from google.colab import drive\n"
     "    drive.mount('/content/drive')\n    %cd /content/drive/MyDrive/ml\n%load_ext autoreload\n", False),
])
def test_what_review_463_found_autoreload_imported_from_another_package(above, flagged):
    """Review 463: tornado ships a module `tornado/autoreload.py`; with its folder put on `sys.path` (or made the
    working folder, by `os.chdir` or `%cd`), `%load_ext autoreload` imported tornado's module ("not an IPython
    extension") and `%autoreload 2` above the answers stopped Run All: 10/10 unflagged, no cell naming a module of
    that name. A cell that changes where `import` looks, or names a package that ships such a module, now counts as
    putting one there (`moves_imports`): the stop is flagged, the answers graded as written."""
    _answers_kept(_autoreload_stop_above(above), flagged)


_SITE = "import os, sys, glob, shutil, site\n_lib = site.getsitepackages()[0]\n"


@pytest.mark.parametrize("above,flagged", [
    (_SITE + "for src in glob.glob(os.path.join(_lib, '*', 'autor*.py')):\n    shutil.copy(src, '.')\n"
     "%load_ext autoreload\n", True),
    (_SITE + "for src in glob.glob(os.path.join(_lib, '*', 'autor*.py')):\n    os.symlink(src, os.path.basename(src))\n"
     "%load_ext autoreload\n", True),
    (_SITE + "for d in os.listdir(_lib):\n    d = os.path.join(_lib, d)\n    if os.path.exists(os.path.join(d, 'ioloop.py')):\n"
     "        for f in os.listdir(d):\n            if f.endswith('.py') and f[:-3] not in sys.modules:\n"
     "                shutil.copy(os.path.join(d, f), '.')\n%load_ext autoreload\n", True),
    (_SITE + "!cp {_lib}/*/a*.py .\n%load_ext autoreload\n", True),
    (_SITE + "for src in glob.glob(os.path.join(_lib, '*', 'autor*.py')):\n"
     "    open(os.path.basename(src), 'wb').write(open(src, 'rb').read())\n%load_ext autoreload\n", True),
    # ... not the everyday snippet that puts the notebook's parent folder on the path, nor files copied or written
    # under names written out
    ("import os, sys, shutil\nmodule_path = os.path.abspath(os.path.join('..'))\nif module_path not in sys.path:\n"
     "    sys.path.append(module_path)\nshutil.copy(f'model_{len(sys.path)}.pt', 'best_model.pt')\n"
     "with open('log.txt', 'w') as f:\n"
     "    f.write(str(sys.path))\n%load_ext autoreload\n", False),
])
def test_what_review_465_found_autoreload_copied_where_import_looks(above, flagged):
    """Review 465: the working folder is on the path; tornado's `autoreload.py`, found by a pattern (`autor*.py`) or
    as the module beside `ioloop.py` in a listing, copied or linked there by a name the cell does not write out:
    `%load_ext autoreload` loaded it ("not an IPython extension") and `%autoreload 2` stopped Run All, 10/10
    unflagged. Files copied, linked, moved, unpacked or written under names not written out now shadow the
    extension (`moves_imports`); its fairness finding, `module_path = os.path.abspath(os.path.join('..'))` then
    `sys.path.append(module_path)`, flagged, is a folder written out (`_plain_names`)."""
    _answers_kept(_autoreload_stop_above(above), flagged)


_LISTED = ("import os, sys, pkgutil\n_d = os.path.dirname(pkgutil.get_loader('IPy' + 'thon').get_filename())\n"
           "_names = [m.name for m in pkgutil.iter_modules([_d + '/exten' + 'sions'])]\n")


@pytest.mark.parametrize("above,flagged", [
    (_LISTED + "sys.modules.update(dict.fromkeys(_names, sys))\n%load_ext autoreload\n", True),
    (_LISTED + "for _n in _names:\n    sys.modules.setdefault(_n, sys)\n%load_ext autoreload\n", True),
    (_LISTED + "for _n in _names:\n    os.makedirs(_n, exist_ok=True)\n%load_ext autoreload\n", True),
    (_LISTED + "import pathlib\nfor _n in _names:\n    pathlib.Path(_n + '.py').touch()\n%load_ext autoreload\n", True),
    (_LISTED + "import io\nfor _n in _names:\n    io.open(_n + '.py', 'w').close()\n%load_ext autoreload\n", True),
    (_LISTED + "for _n in _names:\n    %mkdir $_n\n%load_ext autoreload\n", True),
    ("import IPython, pkgutil, os\n_names = [m.name for m in pkgutil.iter_modules(IPython.extensions.__path__)]\n"
     "%load_ext autoreload\n", True),
    # ... not folders made under a folder written out, nor `sys.modules` read
    ("import os, sys\nfrom pathlib import Path\nos.makedirs(f'runs/{sys.version_info[0]}', exist_ok=True)\n"
     "(Path('figures') / f'loss_{len(sys.modules)}.png').touch()\nif 'google.colab' in sys.modules:\n    pass\n"
     "%load_ext autoreload\n", False),
])
def test_what_review_467_found_autoreload_made_under_a_listed_name(above, flagged):
    """Review 467: the name `autoreload` read at run time from a listing of IPython's own extensions, then a module
    put under each listed name where `%load_ext` finds it first (`sys.modules.update(dict.fromkeys(names, sys))`, a
    namespace folder by `os.makedirs`, a file by `Path.touch`): `%autoreload 2` stopped Run All, 10/10 unflagged.
    Modules put in `sys.modules` under keys not written out, files and folders made under names not written out
    (`mkdir`, `makedirs`, `touch`, `io.open`, `os.open`, `%mkdir`, `%save`, `!mkdir`), and a listing of
    IPython's extensions now shadow the extension; a folder made inside one written out does not."""
    _answers_kept(_autoreload_stop_above(above), flagged)


@pytest.mark.parametrize("above,flagged", [
    # Colab's drive, a folder named in another cell, `.format`, an f-string, `parents[k]`, a choice, a loop over
    # folders written out; logs, metrics and checkpoints named from hyperparameters; a named archive unpacked
    ("import os, sys, json, shutil, zipfile\nfrom pathlib import Path\nFOLDERNAME = 'ml/a7'\n"
     "sys.path.append('/content/drive/My Drive/{}'.format(FOLDERNAME))\n"
     "sys.path.append(f'/content/drive/MyDrive/{FOLDERNAME}')\n%cd /content/drive/My\\ Drive/$FOLDERNAME\n"
     "ROOT = '/content/drive/MyDrive' if 'google.colab' in sys.modules else '.'\nsys.path.insert(0, ROOT)\n"
     "sys.path.append(str(Path.cwd().parents[0] / 'src'))\nfor p in ['..', '../src']:\n    sys.path.append(p)\n"
     "lr = 0.1\nwith open(f'log_{lr}.txt', 'w') as f:\n    json.dump({'lr': lr}, f)\n"
     "Path(f'out_{lr}.txt').write_text('done')\nshutil.copy(f'model_{lr}.pt', f'backup/model_{lr}.pt')\n"
     "with zipfile.ZipFile('data.zip') as zf:\n    zf.extractall('data')\n%load_ext autoreload\n", False),
    # ... but a module copied into a folder whose name has an ending (`lib.txt`) put on the path (its hole)
    ("import os, sys, glob, shutil, site\nsrc = glob.glob(site.getsitepackages()[0] + '/*/autor*.py')[0]\n"
     "os.makedirs('lib.txt', exist_ok=True)\nshutil.copy(src, 'lib.txt')\nsys.path.insert(0, 'lib.txt')\n"
     "%load_ext autoreload\n", True),
])
def test_what_review_468_found_everyday_paths_and_files_beside_autoreload(above, flagged):
    """Review 468 (fairness): 42 of 130 honest variants beside `%load_ext autoreload` were flagged `raised:` by the
    readings of reviews 463 and 465: folders built by `.format`, f-strings, `parents[k]` or a conditional, named in
    another cell or looped over, logs and checkpoints named from hyperparameters with an ending Python does not
    import, a named archive unpacked into a named folder. Each reads as written out now; the hole it found, a module
    copied into a folder named `lib.txt` put on the path (the copy's destination ended in `.txt`), is flagged, and
    the flag names the cell that made it and why (it had told the student to delete `%autoreload 2`)."""
    c = _autoreload_stop_above(above)
    _answers_kept(c, flagged)
    said = [d for d in c.details if d.startswith("`%autoreload` lines count as stops here")]
    assert bool(said) is flagged and all("cell 'train-and-test' changes where `import` looks" in d for d in said), said


@pytest.mark.parametrize("where", ["cell", "added"])
def test_a_shadowed_autoreload_line_below_its_load_is_said_to_maybe_stop(where):
    """An `%autoreload` line below `%load_ext autoreload` counts as a stop only because a cell may have put another
    module of that name first: the flag's line said "a magic line the kernel refuses: Jupyter's Run All stops there"
    above the note that nothing is lost where the notebook runs to the end (the fifty-first session's note). It says
    "may stop" now; with no load above it, the kernel surely refuses it and the words say so."""
    shadow = _TORNADO + "import sys\nsys.path.insert(0, _lib)\n%load_ext autoreload\nsys.path.remove(_lib)\n"
    c = _solution_with("train-and-test", "\n" + shadow + "%autoreload 2\n") if where == "cell" \
        else _around_answers(_R434, above=[shadow, "%autoreload 2\n"])
    _answers_kept(c, True)
    line = [d for d in c.details if "above the True/False answers cell" in d]
    assert len(line) == 1 and "may stop at line" in line[0] and "`%autoreload 2`" in line[0], line
    assert "if `%load_ext autoreload` loaded another module" in line[0] and "kernel refuses:" not in line[0], line
    assert any(d.startswith("`%autoreload` lines count as stops here") for d in c.details), c.details
    # ... where no load stands above it, the kernel refuses it whatever the notebook shadows
    c = _solution_with("train-and-test", "\n" + _TORNADO + "import sys\nsys.path.insert(0, _lib)\n%autoreload 2\n"
                       "%load_ext autoreload\n")
    _answers_kept(c, True)
    line = [d for d in c.details if "above the True/False answers cell" in d]
    assert len(line) == 1 and "stops at line" in line[0] and "a magic line the kernel refuses:" in line[0], line


@pytest.mark.timeout(120)
def test_the_import_path_reading_of_long_chains_is_linear_and_never_a_grader_error():
    """The readings of reviews 463 to 468 over long chains: a path of as many `+` as Python's parser reads is read in
    a loop (its leading text, its ending, whether it is written out), in linear time, and a cell Python cannot read,
    or too deep to follow, counts as one that may move imports, never as a grader error."""
    import time
    from grader.magics import moves_imports
    for k in (1_000, 2_900):                # (3,000 is past what Python's own parser reads)
        started = time.process_time()
        assert moves_imports("import os\nos.makedirs(x" + " + 'a'" * k + ")\n")
        assert not moves_imports("import os\nos.makedirs('runs/' + x" + " + 'a'" * k + ")\n")
        assert time.process_time() - started < 10


@pytest.mark.parametrize("above", [
    "# " + "x" * 22_500 + "\nimport sys, glob, site\nsys.path.insert(0, glob.glob(site.getsitepackages()[0] + '/tor*do')[0])\n"
    "%load_ext autoreload\n",
    "open('auto\\x72eload.py', 'w').close()\n%load_ext autoreload\n",
    "open('auto' 'reload.py', 'w').close()\n%load_ext autoreload\n",
    "%mkdir auto''reload\n%load_ext autoreload\n",
    "!touch auto''reload.py\n%load_ext autoreload\n",
    "import os, site\nos.chdir(site.getsitepackages()[0] + '/tor\\x6eado')\n%load_ext autoreload\n",
    "import glob\ndef abspath(_):\n    return glob.glob('/nowhere/*/auto*.py')[0].rsplit('/', 1)[1]\n"
    "open(abspath('.'), 'w').close()\n%load_ext autoreload\n",
])
def test_what_review_469_found_names_read_once_python_reads_them(above):
    """Review 469: a cell padded past the 20,000 characters IPython's reader is asked of was not read at all; a name
    written with an escape (`'auto\\x72eload.py'`), as adjacent literals or quoted for the shell (`%mkdir
    auto''reload`) is written out once Python or the shell reads it; a function of the notebook's own named
    `abspath` is no builder of folders written out. Each was 10/10 unflagged where Run All stopped."""
    _answers_kept(_autoreload_stop_above(above), True)


# (the installation's folder written out, as a student would paste it: a folder of a variable's was read as any)
_SITE_DIR = f"import os\nS = {__import__('site').getsitepackages()[0]!r}\n"
_FOUND = "import os, sys, importlib.util\nd = os.path.dirname(importlib.util.find_spec('tor' + 'nado').origin)\n"


@pytest.mark.parametrize("above,flagged", [
    # the folder's name joined from pieces written out, each naming nothing alone
    (_SITE_DIR + "import sys\nsys.path.insert(0, S + '/' + 'tor' + 'nado')\n", True),
    (_SITE_DIR + "import sys\nA = S + '/tor'\nB = A + 'nado'\nsys.path.insert(0, B)\n", True),
    (_SITE_DIR + "import sys\nsys.path.insert(0, '{}/tor{}'.format(S, 'nado'))\n", True),
    (_SITE_DIR + "import sys\nsys.path.insert(0, f'{S}/{\"tor\" + \"nado\"}')\n", True),
    (_SITE_DIR + "import sys\nsys.path.insert(0, os.path.join(S, 'tor' + 'nado'))\n", True),
    (_SITE_DIR + "T = 'tor'\nos.chdir(f'{S}/{T}nado')\n", True),
    (_SITE_DIR + "x = 'nado'\n%cd $S/tor$x\n", True),
    (_SITE_DIR + "x = 'nado'\n%cd {S}/tor{x}\n", True),
    # the listed changes spelled otherwise, the folder found at run time
    (_FOUND + "os.sys.path.insert(0, d)\n", True),
    (_FOUND + "importlib.sys.path.insert(0, d)\n", True),
    (_FOUND + "sys.modules['sys'].path.insert(0, d)\n", True),
    (_FOUND + "__import__('sys').path.insert(0, d)\n", True),
    (_FOUND + "s = sys\ns.path.insert(0, d)\n", True),
    (_FOUND + "setattr(sys, 'path', [d] + sys.path)\n", True),
    (_FOUND + "go = os.chdir\ngo(d)\n", True),
    (_FOUND + "import functools\nfunctools.partial(os.chdir, d)()\n", True),
    (_FOUND + "getattr(os, 'chdir')(d)\n", True),
    (_FOUND + "list(map(os.chdir, [d]))\n", True),
    # ... not honest folders: joined with a separator, a number written out, a folder made under a name that starts
    # otherwise than autoreload's (review 471's fairness finding), `sys` only read
    ("import sys\nROOT = '/content/drive/MyDrive/'\nSRC = ROOT + 'src'\nsys.path.append(SRC)\n", False),
    ("import os\nrun_dir = f'runs_lr{0.01}'\nos.makedirs(run_dir, exist_ok=True)\n", False),
    ("import os\nhp = {'lr': 0.01}\nrun_dir = f\"runs_lr{hp['lr']}\"\nos.makedirs(run_dir, exist_ok=True)\n", False),
    ("from pathlib import Path\nfor run in range(2):\n    Path(f'run_{run}').mkdir(exist_ok=True)\n", False),
    ("import sys\nprint(sys.version, sys.path)\nout = sys.stdout\nif sys.platform == 'linux':\n    pass\n", False),
])
def test_what_review_471_found_names_joined_from_pieces_and_changes_spelled_otherwise(above, flagged):
    """Review 471: tornado's folder named by pieces written out, each naming nothing alone (`'tor' + 'nado'` in a
    chain of three, `.format`, a name's text joined to a word, `%cd .../tor$x`), and the listed changes reached another
    way (`os.sys.path`, `setattr(sys, 'path', ...)`, `go = os.chdir`, `functools.partial`, `getattr(os, 'chdir')`): 10/10
    with `added-cell:` only where Run All stopped. A path's pieces are read as they join now, a name's text with them,
    and `sys` or a function that moves the folder handed on counts as a change. Its fairness finding, a folder named
    `runs_lr{lr}` made beside `%load_ext autoreload`, is unflagged: no name that starts so is autoreload's."""
    c = _autoreload_stop_above("\n" + above + "%load_ext autoreload\n")
    _answers_kept(c, flagged)


_GLOBBED = _SITE_DIR + "import sys, glob\nd = glob.glob(S + '/tor*do')[0]\n"
_NAMED = "import os\nn = 'auto' + 'reload'\n"


@pytest.mark.parametrize("above,flagged", [
    # the pieces' alternatives, numbered fields, `str.join`, an item of a tuple
    (_SITE_DIR + "import sys\nsys.path.insert(0, S + ('/tor' if True else '/') + 'nado')\n", True),
    (_SITE_DIR + "import sys\nsys.path.insert(0, '{1}/tor{0}'.format('nado', S))\n", True),
    (_SITE_DIR + "import sys\nsys.path.insert(0, ''.join([S, '/tor', 'nado']))\n", True),
    (_SITE_DIR + "import sys\nsys.path.insert(0, S + ('/tor', '')[0] + 'nado')\n", True),
    (_SITE_DIR + "A = '/tor' if 1 else ''\n%cd {S}{A}nado\n", True),
    # `sys` reached and named otherwise
    (_GLOBBED + "from os import sys as q\nq.path.insert(0, d)\n", True),
    (_GLOBBED + "q = sys.modules['sys']\nq.path.insert(0, d)\n", True),
    (_GLOBBED + "q = vars(os)['sys']\nq.path.insert(0, d)\n", True),
    (_GLOBBED + "q = os.__dict__['sys']\nq.path.insert(0, d)\n", True),
    # a leading text read wrong: a dot, or a part joined on that starts a path of its own
    (_NAMED + "os.makedirs('.' + ('/' + n))\n", True),
    (_NAMED + "os.makedirs(f'.{os.sep}{n}')\n", True),
    (_NAMED + "os.makedirs(os.path.join('runs', os.path.abspath(n)))\n", True),
    (_NAMED + "from pathlib import Path\n(Path('runs') / os.path.abspath(n)).mkdir()\n", True),
    # ... not honest ones
    ("import os\nROOT = '/content'\nos.chdir('{a}/ml'.format(a=ROOT))\nprint('sys')\n", False),
    ("import os\nlr = 0.01\nos.makedirs(os.path.join('runs', f'lr_{lr}'), exist_ok=True)\n", False),
])
def test_what_review_473_found_alternatives_fields_and_leads(above, flagged):
    """Review 473, told of 471's fix: a conditional's or a tuple's texts kept apart (`S + ('/tor' if c else '/') +
    'nado'`), numbered fields filled in turn (`'{1}/tor{0}'.format('nado', S)`), `''.join([...])` read as a path's
    join, `sys` from `from os import sys` or given a name from `sys.modules['sys']`, a leading `.` read as a name of its
    own (`'.' + ('/' + n)`) and a folder written out before a part that starts anew (`os.path.join('runs',
    os.path.abspath(n))`): 10/10 unflagged where Run All stopped. Each alternative is read now, fields by number, the
    join by its text; `sys` however named; a lead of dots, or one before a part that may be a whole path, is none."""
    _answers_kept(_autoreload_stop_above("\n" + above + "%load_ext autoreload\n"), flagged)


@pytest.mark.timeout(120)
def test_what_review_473_found_names_of_names_joined_cost_the_grader_nothing():
    """Review 473: names made of thirty copies of the name above, four deep (`P1 = P0 + P0 + ...`), were read as
    their whole texts, 100 * 30 ** 4 characters: 1.5 GB and 19 s of the grader's own process for one chain. Texts
    are bounded now (past the bound a folder is not written out), and an equal set of names is no longer compared in
    full at each lookup (11 s for 15,000 names)."""
    import time
    from grader.magics import moves_imports, plain_names_of
    lines = ["P0 = '" + "x" * 100 + "'"] + [f"P{i} = " + " + ".join([f"P{i - 1}"] * 30) for i in range(1, 5)]
    cell = "\n".join(lines) + "\nimport sys\nsys.path.append(P4)\n"
    started = time.process_time()
    assert moves_imports(cell)
    names = plain_names_of(["".join(f"c{k}_{i} = 'x'\n" for i in range(1500)) for k in range(10)])
    assert len([n for n in names if n.startswith("c")]) == 15_000
    assert time.process_time() - started < 10


_FOLDER = "import sys, sysconfig, os\n_lib = os.path.join(sysconfig.get_paths()['purelib'], 'torn' + 'ado')\n"


@pytest.mark.parametrize("above,flagged", [
    # `str.join` of one text, its characters: no path's join
    ("import os\nos.makedirs('utoreloa'.join('ad'))\n", True),
    (_SITE_DIR + "import sys\nsys.path.insert(0, S + '/' + 'ornad'.join('to'))\n", True),
    # a lead that climbs out of the folder it names, written out
    ("import os\nos.makedirs(f\"runs/../{'AUTORELOAD'.lower()}\")\n", True),
    ("import os\nos.makedirs('runs/../' + 'AUTORELOAD'.lower())\n", True),
    # `sys` and `chdir` reached by other holders and by joined names
    (_FOLDER + "s = sys.modules.get('sys')\ns.path.insert(0, _lib)\n", True),
    (_FOLDER + "s = getattr(os, 'sys')\ns.path.insert(0, _lib)\n", True),
    (_FOLDER + "getattr(os, 'ch' + 'dir')(_lib)\n", True),
    (_FOLDER + "for m in (sys,):\n    m.path.insert(0, _lib)\n", True),
    (_FOLDER + "def f(m=sys):\n    m.path.insert(0, _lib)\nf()\n", True),
    (_FOLDER + "vars(sys)['path'].insert(0, _lib)\n", True),
    (_FOLDER + "from pathlib import Path\n(Path('runs') / (str(Path.cwd()) + '/' + 'auto' 'reload')).mkdir()\n", True),
    # ... not honest code (a fairness review, 475): run folders under one written out, `sys` only read, another
    # object's `path`, `chdir` as a plain name or text
    ("import os\nmodels = {'relu': 1, 'sigmoid': 2}\nfor name, m in models.items():\n"
     "    os.makedirs(os.path.join('runs', name), exist_ok=True)\n", False),
    ("import os\nfrom datetime import datetime\nrun_dir = os.path.join('runs', datetime.now().strftime('%H%M'))\n"
     "os.makedirs(run_dir, exist_ok=True)\n", False),
    ("from pathlib import Path\ndef run_dir(name):\n    d = Path('runs') / name\n    d.mkdir(parents=True, exist_ok=True)\n"
     "    return d\nrun_dir('relu')\n", False),
    ("import os, sys, types, inspect\nDATA_PATH = os.path.join('data', 'mnist')\nprint(getattr(sys, 'frozen', False), "
     "hasattr(sys, 'ps1'), isinstance(sys, types.ModuleType), inspect.ismodule(sys), vars(sys)['version'], f'{sys}')\n"
     "for mod in (sys, os):\n    print(mod.__name__)\ndef env_info(mod=sys):\n    return mod.version\n", False),
    ("class Cfg:\n    path = 'ckpt'\ncfg = Cfg()\nsave_path = getattr(cfg, 'path', 'model.pt')\nsetattr(cfg, 'path', 'out')\n"
     "import os\nCAN_CD = hasattr(os, 'chdir')\nchdir = False\nSKIP = ['chdir', 'system']\n", False),
])
def test_what_reviews_474_and_475_found_joins_climbs_holders_and_everyday_code(above, flagged):
    """Review 474, told of 473's fix: `'utoreloa'.join('ad')` read as a path's join of `'ad'`, a lead written out that
    climbs out of its folder (`f"runs/../{n}"`), `sys` from `sys.modules.get('sys')` or `getattr(os, 'sys')`, and
    `getattr(os, 'ch' + 'dir')`: 10/10 unflagged where Run All stopped. A fairness review, 475, found 31 of 192
    honest variants flagged by 9d080f9 and aa35d58 (22 before them): run folders joined under one written out
    (`os.path.join('runs', name)`), `sys` only read (`getattr(sys, 'frozen', False)`, `for mod in (sys, np):`),
    `getattr(cfg, 'path', ...)`, `chdir = False`; 21 now, and the two new ones hand `sys` to a function of the
    notebook's own. A part joined on starts a path anew only where the code shows it may (`os.path.abspath(n)`,
    `Path.cwd()`, text from the root); a name computed at run time may still, the class left open."""
    _answers_kept(_autoreload_stop_above("\n" + above + "%load_ext autoreload\n"), flagged)


@pytest.mark.timeout(120)
def test_what_review_474_found_many_names_of_many_texts_cost_the_grader_nothing():
    """Review 474: one cell gave a name 32 texts of 4,000 characters, then 2,000 names each that name joined to
    another: 256 MB of texts among the plain names, read again for each cell, 70 s and 11.8 GB of the grader's
    process. The texts the names carry are bounded in all now."""
    import resource
    import time
    from grader.magics import plain_names_of
    head = "z = (" + ", ".join(f"'{k:02d}'" for k in range(32)) + ")[1]\nL = '" + "q" * 4000 + "'\n"
    cells = [head] + ["".join(f"w{j}_{i} = z + L\n" for i in range(200)) for j in range(10)]
    started, peak = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c = _around_answers("%autoreload 2\n" + _R434, above=[*cells, "%load_ext autoreload\n"])
    answer_rows(c)
    plain_names_of(cells)
    assert time.process_time() - started < 20
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 300 * 1024


@pytest.mark.parametrize("above,flagged", [
    # `sys` held by what the reading does not follow, its `path` grown all the same
    ([_FOLDER + "def info(m, d):\n    m.path.insert(0, d)\ninfo(sys, _lib)\n"], True),
    ([_FOLDER + "def info(m, k, v):\n    setattr(m, k, v)\n", "info(sys, 'path', [_lib] + sys.path)\n"], True),
    ([_FOLDER + "s = sys\n", "s.path.insert(0, _lib)\n"], True),
    ([_FOLDER + "for m in list(sys.modules.values()):\n    if getattr(m, '__name__', '') == 'sys':\n"
      "        m.path.insert(0, _lib)\n"], True),
    ([_FOLDER + "class C:\n    m = sys\nC.m.path.insert(0, _lib)\n"], True),
    ([_FOLDER + "m = dict(globals())['sys']\nm.path[:0] = [_lib]\n"], True),
    ([_FOLDER + "m = dict(globals())['sys']\nm.path = [_lib] + m.path\n"], True),
    ([_FOLDER + "m = dict(globals())['sys']\nsetattr(m, 'path', [_lib] + m.path)\n"], True),
    # ... not a path of one's own, a list of one's own, `sys` handed to what reads it
    (["class Data:\n    def __init__(self, root):\n        self.path = root\n        self.files = []\n"
      "    def add(self, f):\n        self.files.append(f)\nd = Data('data')\nd.path += '/mnist'\n"
      "import sys, logging, inspect\nlogging.info(sys)\nprint(inspect.ismodule(sys))\n"], False),
])
def test_what_review_476_found_sys_held_where_the_reading_did_not_follow(above, flagged):
    """Review 476, told of 475's lenient rules: `sys` handed to a function of the notebook's own named `info` (a name
    read as a reader), given a name in one cell and used in the next, picked from `sys.modules.values()`, held by a
    class's attribute or by a copy of `globals()`: 10/10 with `added-cell:` only where Run All stopped. A list named
    `path` grown by folders not written out, or set to them, counts now whatever holds it; `meta_path` and
    `path_hooks` of anything count; a reader's name the notebook binds itself is no reader."""
    _answers_kept(_around_answers("%autoreload 2\n" + _R434, above=[*above, "%load_ext autoreload\n"]), flagged)


_TORCH_SIDE = "import torch\n_lib = torch.__file__.rsplit('/', 2)[0] + '/tor' + 'nado'\n"


@pytest.mark.parametrize("above", [
    [_TORCH_SIDE + "import sys\ngetattr(sys, 'pa' + 'th').insert(0, _lib)\n"],
    [_TORCH_SIDE + "import os\ngetattr(os, 'ch' + 'dir')(_lib)\n"],
    [_TORCH_SIDE + "import sys\nL = vars(sys)['pa' 'th']\n", "L[:0] = [_lib]\n"],
    [_TORCH_SIDE + "import sys\nvars(sys)['pa' + 'th'].insert(0, _lib)\n"],
    [_TORCH_SIDE + "import sys\nsys.__dict__['pa' + 'th'][:0] = [_lib]\n"],
    [_TORCH_SIDE + "import sys, operator\noperator.attrgetter('pa' + 'th')(sys).insert(0, _lib)\n"],
])
def test_what_review_477_found_cells_the_word_scan_passed_over(above):
    """Review 477: the reading's first step, a scan for words such as `path` or `chdir`, passed over a cell that
    spells them in joined pieces (`getattr(sys, 'pa' + 'th')`, `vars(sys)['pa' 'th']`) and builds tornado's folder
    from `torch.__file__` without naming it: 10/10 with `added-cell:` only where Run All stopped. The scan reads the
    literals as joined now and the names that reach an attribute by its text; a key of `vars(...)` or `__dict__`
    joined into a listed name counts."""
    _answers_kept(_around_answers("%autoreload 2\n" + _R434, above=[*above, "%load_ext autoreload\n"]), True)


_INSPECT_SIDE = ("import inspect, sys, os\n"
                 "_d = inspect.getfile(inspect)[:-len('inspect.py')] + 'site-packages/' + 'odanrot'[::-1]\n")


@pytest.mark.parametrize("above,flagged", [
    (_INSPECT_SIDE + "dict(inspect.getmembers(sys))['htap'[::-1]].insert(0, _d)\n", True),
    (_INSPECT_SIDE + "dict(inspect.getmembers(sys))['path'].insert(0, _d)\n", True),
    (_INSPECT_SIDE + "[v for k, v in vars(sys).items() if k.endswith('th') and k.startswith('pa')][0].insert(0, _d)\n", True),
    (_INSPECT_SIDE + "[v for k, v in vars(os).items() if k.startswith('ch') and k.endswith('dir')][0](_d)\n", True),
    (_INSPECT_SIDE + "next(v for k, v in sys.__dict__.items() if k == 'pa' 'th').insert(0, _d)\n", True),
    (_INSPECT_SIDE + "getattr(os, 'ridhc'[::-1])(_d)\n", True),
    # ... not a module's namespace only read, or another object's
    ("import sys, inspect, torch\nprint(vars(sys)['version'], len(vars(sys)), inspect.getmembers(torch.nn.Linear)[:1])\n"
     "print(vars(sys).get('version'), list(vars(sys).keys())[:3])\n"
     "class C: pass\nfor k, v in vars(C()).items():\n    print(k, v)\n", False),
])
def test_what_review_478_found_a_modules_namespace_handed_out_whole(above, flagged):
    """Review 478, told of 477's fix: `sys`'s or `os`'s namespace handed out whole, `dict(inspect.getmembers(sys))`,
    `vars(sys).items()`, `sys.__dict__.items()`, an entry picked by a test, and a name reversed by a slice
    (`'htap'[::-1]`, read as `htap`): 10/10 unflagged where Run All stopped. A namespace of `sys`, `os` or the other
    modules that move folders handed out otherwise than by a key written out counts now, and a slice or an item of a
    text is not known."""
    _answers_kept(_autoreload_stop_above("\n" + above + "%load_ext autoreload\n"), flagged)


_HISTORY_SIDE = "import inspect\n_t = inspect.getfile(inspect)[:-len('inspect.py')] + 'site-packages/' + 'odanrot'[::-1]\n"


@pytest.mark.parametrize("above,flagged", [
    ([_HISTORY_SIDE + "_dh.append(_t)\n%cd -1\n"], True),
    ([_HISTORY_SIDE + "_dh.append(_t)\n_dh.append(_dh[0])\n%cd -\n"], True),
    ([_HISTORY_SIDE + "_dh.append(_t)\n", "%cd -q -1\n"], True),
    ([_HISTORY_SIDE + "h = _dh\nh.append(_t)\n%cd -1\n"], True),
    ([_HISTORY_SIDE + "_dh[:] = [_t, _t]\n%cd -\n"], True),
    ([_HISTORY_SIDE + "_dh.append(_t)\n%pushd -1\n"], True),
    ([_HISTORY_SIDE + "%bookmark lib $_t\n", "%cd lib\n"], True),
    ([_HISTORY_SIDE + "import site\nopen('extra_dirs.pth', 'w').write(_t)\nsite.addpackage('.', 'extra_dirs.pth', set())\n"],
     True),
    ([_HISTORY_SIDE + "from site import addpackage\nopen('x.pth', 'w').write(_t)\naddpackage('.', 'x.pth', set())\n"],
     True),
    ([_HISTORY_SIDE + "import site\nopen('x.pth', 'w').write(_t)\nsite.addsitedir('.')\n"], True),
    (["%%writefile helpers_h480.py\nimport sys, inspect\n"
      "sys.path.insert(0, inspect.getfile(inspect)[:-len('inspect.py')] + 'site-packages/' + 'odanrot'[::-1])\n",
      "import helpers_h480\n"], True),
    (["import inspect\nexec(\"import sys\\nsys.path.insert(0, inspect.getfile(inspect)[:-len('inspect.py')] + "
      "'site-packages/' + 'odanrot'[::-1])\")\n"], True),
    (["import inspect\nexec('import s' + 'ys\\nsys.path.insert(0, inspect.getfile(inspect)[:-10] + \"site-packages/\" + "
      "\"odanrot\"[::-1])')\n"], True),
    ([_HISTORY_SIDE + "code = 'import sys; sys.pa' + 'th.insert(0, _t)'\nexec(code)\n"], True),
    # ... not a folder written out, a file whose code changes no path, text that is no such code, `site` only read
    (["%cd -q ..\n%cd ..\n%cd -\n%cd -1\nprint(_dh, _dh[-1])\n%bookmark -l\n", "%%writefile helpers.py\nimport os\n\ndef where():\n    return os.getcwd()\n",
      "import helpers\nexec('x = 1 + 1')\nimport site\nprint(site.getsitepackages())\n"
      "note = 'put the folder on sys.path first: sys.path.insert(0, folder) in a cell above'\n"], False),
])
def test_what_review_480_found_folders_from_history_pth_files_and_code_as_text(above, flagged):
    """Review 480, told of 478's fix: tornado's folder put in IPython's folder history (`_dh.append(d)`, then `%cd -1`
    or `%cd -`) or a bookmark (`%bookmark lib $d`, `%cd lib`), read from a `.pth` file by `site.addpackage`, or put on
    `sys.path` by the code of a `%%writefile` cell imported below or by a string `exec` runs: 10/10 with `added-cell:`
    only where Run All stopped. `%cd` of the history or a bookmark counts now, as does a bookmark set, any call of
    `site` but its readings, the code a `%%writefile` cell writes and text run as code where it is Python, and text
    run as code that is not written out; so does IPython's folder history written (`%cd -` and `%cd -1` go back to
    folders the notebook went to, each read where it went)."""
    _answers_kept(_around_answers("%autoreload 2\n" + _R434, above=[*above, "%load_ext autoreload\n"]), flagged)


_TORNADO_482 = "inspect.getfile(inspect)[:-len('inspect.py')] + 'site-packages/' + 'odanrot'[::-1]"


@pytest.mark.parametrize("above,flagged", [
    (["%%file helper_k.py\nimport sys, inspect\nsys.path.insert(0, " + _TORNADO_482 + ")\n", "import helper_k\n"], True),
    (["%%writefile h1.py\nimport sys, inspect\nsys.path.insert(0, inspect.getfile(inspect)[:-len('inspect.py')] + "
      "'site-packages/' +\n", "%%writefile -a h1.py\n    'odanrot'[::-1])\n", "import h1\n"], True),
    (["%%writefile h2.ipy\nimport inspect\n_t = " + _TORNADO_482 + "\n%cd -q $_t\n", "%run h2.ipy\n"], True),
    (["import inspect\n_t = " + _TORNADO_482 + "\nopen('h3.py', 'w').write(bytes.fromhex('696d706f7274207379730a')"
      ".decode() + 'sys.pa' 'th.insert(0, %r)' % _t)\n", "import h3\n"], True),
    (["import inspect\n_t = " + _TORNADO_482 + "\nname = 'h5'\nwith open(f'{name}.py', 'w') as f:\n"
      "    f.write('import sys; sys.path.insert(0, ' + repr(_t) + ')')\n", "import h5\n"], True),
    # ... not a module that only reads, a data file, a module's text written out that moves nothing
    (["%%writefile helpers.py\nimport os\n\ndef here(name):\n    return os.path.join(os.path.dirname(__file__), name)\n",
      "%%writefile config.yaml\ndata_path: ./data\nrun: 3\n", "%%writefile -a notes.txt\nthe path to the data\n",
      "open('gen.py', 'w').write('def f():\\n    return 1\\n')\nimport helpers\n"], False),
])
def test_what_review_482_found_files_of_code_the_reading_passed_over(above, flagged):
    """Review 482, told of 480's fix: a `%%file` cell (the name read was `%%writefile` only), a statement split over
    `%%writefile` and `%%writefile -a` (neither half is Python alone), a `%%writefile h.ipy` cell of IPython's lines
    run by `%run`, and text not written out written into a module's file (`open('h3.py', 'w').write(...)`), each
    imported or run above the load: 10/10 with `added-cell:` only where Run All stopped."""
    _answers_kept(_around_answers("%autoreload 2\n" + _R434, above=[*above, "%load_ext autoreload\n"]), flagged)


_HIDDEN_483 = "_s = bytes.fromhex('696d706f727420737973').decode()\n"


@pytest.mark.parametrize("above,flagged", [
    ([_HIDDEN_483 + "with open('hk.py', 'w') as f:\n    print(_s, file=f)\n", "import hk\n"], True),
    ([_HIDDEN_483 + "import shutil, io\nshutil.copyfileobj(io.StringIO(_s), open('hk.py', 'w'))\n", "import hk\n"], True),
    ([_HIDDEN_483 + "open('hk' + '.p' + 'y', 'w').writelines([_s])\n", "import hk\n"], True),
    ([_HIDDEN_483 + "import builtins\nbuiltins.exec(_s)\n"], True),
    ([_HIDDEN_483 + "run = exec\nrun(_s)\n"], True),
    ([_HIDDEN_483 + "import code\ncode.InteractiveInterpreter().runsource(_s)\n"], True),
    (["import pickle\npickle.loads(bytes.fromhex('80'))\n"], True),
    (["import types, marshal\ntypes.FunctionType(marshal.loads(bytes.fromhex('e3')), globals())()\n"], True),
    ([_HIDDEN_483 + "import builtins\ngetattr(builtins, 'ex' + 'ec')(_s)\n"], True),
    ([_HIDDEN_483 + "f = lambda g, t: g(t)\nf(exec, _s)\n"], True),
    # ... not a phase named 'eval', `re.compile`, `model.eval()`, `torch.load`, `json.loads`, a log printed to a file
    (["import re, os, json, torch\nfor phase in ['train', 'eval']:\n    print(phase, os.path.join('runs', phase))\n"
      "pat = re.compile(r'\\d+')\ncfg = json.loads('{}')\n",
      "with open('log.txt', 'w') as f:\n    print(pat, file=f)\nos.makedirs('runs', exist_ok=True)\n"], False),
])
def test_what_review_483_found_code_run_or_written_otherwise(above, flagged):
    """Review 483, told of 482's fix: text built at run time written into a module's file by `print(..., file=f)`,
    `shutil.copyfileobj` or `writelines` to a name in pieces (`'hk' + '.p' + 'y'`), or run as code by `builtins.exec`,
    `exec` under another name or handed on, `code.InteractiveInterpreter`, `pickle.loads`, a code object made a function:
    10/10 with `added-cell:` only where Run All stopped. `exec`, `eval` and `compile` reached otherwise than called by
    name, code from data, code objects, interpreters and files run by name count now, and so does any write of text not
    written out where a module's file is named, its name read as it joins."""
    _answers_kept(_around_answers("%autoreload 2\n" + _R434, above=[*above, "%load_ext autoreload\n"]), flagged)


@pytest.mark.parametrize("above,flagged", [
    ([_HIDDEN_483 + "import timeit\ntimeit.timeit(_s, number=1)\n"], True),
    ([_HIDDEN_483 + "import cProfile\ncProfile.run(_s)\n"], True),
    ([_HIDDEN_483 + "import contextlib\nwith contextlib.redirect_stdout(open('hk.py', 'w')):\n    print(_s)\n",
      "import hk\n"], True),
    ([_HIDDEN_483 + "f = open('hk2.py', 'w')\nw = f.write\nw(_s)\nf.close()\n", "import hk2\n"], True),
    ([_HIDDEN_483 + "from zipfile import ZipFile\nimport zipimport\nZipFile('m.zip', 'w').writestr('hk3.py', _s)\n"
      "zipimport.zipimporter('m.zip').load_module('hk3')\n"], True),
    ([_HIDDEN_483 + "import operator\nf = open('hk4.py', 'w')\noperator.methodcaller('write', _s)(f)\nf.close()\n",
      "import hk4\n"], True),
    # ... not results pickled and loaded again, `joblib.load`, `timeit` of a function, `%run`, data unzipped, a
    # checkpoint, a script run
    (["import pickle, joblib, timeit, torch, zipfile\nres = {'acc': 0.9}\npickle.dump(res, open('res.pkl', 'wb'))\n"
      "res = pickle.load(open('res.pkl', 'rb'))\nprint(timeit.timeit(lambda: sum(range(10)), number=3))\n",
      "%run helpers.py\nprint(open('helpers.py').read())\n",
      "with zipfile.ZipFile('data.zip') as z:\n    z.extractall('data')\ntorch.save({}, 'model.pth')\n",
      "!python train.py --epochs 3\n"], False),
])
def test_what_review_485_found_code_run_or_a_module_written_by_calls_not_listed(above, flagged):
    """Review 485, told of 483's fix: the hidden code run by `timeit.timeit(s)` or `cProfile.run(s)`, or written into a
    module's file by `print` under `redirect_stdout`, a write under another name, `ZipFile.writestr` (imported with
    `zipimport`) or `operator.methodcaller('write', s)`: 10/10 with `added-cell:` only where Run All stopped. A module's
    file named otherwise than to read or run it counts now, whatever writes it, and so do the runners of text of
    `timeit`, `cProfile`, `profile`, `pdb` and `trace` handed text not written out, and `zipimport`; `pickle.load` of
    a file (a fairness finding of the same review) does not."""
    _answers_kept(_around_answers("%autoreload 2\n" + _R434, above=[*above, "%load_ext autoreload\n"]), flagged)


@pytest.mark.parametrize("above,flagged", [
    ([_HIDDEN_483 + "get_ipython().run_line_magic('time', _s)\n"], True),
    ([_HIDDEN_483 + "get_ipython().run_line_magic('timeit', '-n1 -r1 ' + _s)\n"], True),
    ([_HIDDEN_483 + "get_ipython().run_line_magic('prun', '-q ' + _s)\n"], True),
    ([_HIDDEN_483 + "get_ipython().magic('time ' + _s)\n"], True),
    (["get_ipython().run_line_magic('time', 'x = 1')\nget_ipython().run_line_magic('matplotlib', 'inline')\n"], False),
])
def test_what_review_486_found_magics_handed_computed_text(above, flagged):
    """Review 486, told of 485's fix: the hidden code handed to a magic that runs code, `run_line_magic('time', s)`,
    `%timeit`'s and `%prun`'s, `magic('time ' + s)`: 10/10 with `added-cell:` only where Run All stopped. A magic
    handed text not written out counts now."""
    _answers_kept(_around_answers("%autoreload 2\n" + _R434, above=[*above, "%load_ext autoreload\n"]), flagged)


@pytest.mark.parametrize("above,flagged", [
    # Jupyter runs none of the cell: it does not compile as IPython reads it
    (["x = (\n"], True), (["def f(:\n    pass\n"], True), (["y = 1\n%time print(\n"], True),
    (["x = 1\n" * 4000 + "x = (\n"], True),                 # past IPython's reader's budget, no magic in it
    # ... or it stops at a magic line: one of no name (IPython reads the name up to the first space), a statement a
    # time magic compiles alone that does not compile (`%time` and `%timeit` fill in no `$`, `%time` has no options)
    (["% load_ext autoreload\n"], True), (["%time(x)\n"], True), (["s = 'x = ('\n%time $s\n"], True),
    (["%time -p x = 1\n"], True), (["%timeit -n1 -r1 $s\n"], True), (["%prun $s\n"], True),
    # honest cells Jupyter runs to the end
    (["load_ext autoreload\n"], False), (["%time x = 1\n"], False), (["%timeit -n1 -r1 x = 1\n"], False),
    (["%%time\nx = 1\n"], False), (["!echo hi\n"], False), (["x = 1\nx?\n"], False),
    (["x = 1\n" * 4000 + "print(x)\n"], False), (["s = 1\n%time s\n"], False),
], ids=["unclosed bracket", "bad def", "time print(", "long", "% load_ext", "%time(x)", "%time $s", "%time -p",
        "%timeit $s", "%prun $s", "automagic", "%time", "%timeit", "%%time", "shell", "help", "long honest",
        "%time name"])
def test_what_review_486_found_a_cell_above_that_does_not_run(above, flagged):
    """Review 486: `%time $s` right above the answers cell, and the same for any cell there that does not compile
    (`x = (`) or stops at a magic line of no name (`% load_ext autoreload`): 10/10 with `added-cell:` only where
    Jupyter's Run All stopped there. Such a cell is a stop now, read as IPython reads it: flagged, answers kept."""
    _answers_kept(_around_answers(_R434, above=above), flagged)


@pytest.mark.parametrize("above,flagged", [
    # a one-line cell IPython runs as a magic by its bare name (automagic)
    (["time -p x = 1\n"], True), (["s = 'x = 1'\n", "time $s\n"], True), (["prun x = (\n"], True),
    (["timeit -n1 -r1 x = (\n"], True),
    # a cell magic that compiles its text first: `%%time`'s body, `%%timeit`'s setup line, `%%prun`'s line and body,
    # `%%capture`'s body left open; one no kernel has
    (["%%time\nx = (\n"], True), (["%%time\nx = (\n", "y = 1\n"], True), (["%%timeit -n1 -r1 x = (\nx = 1\n"], True),
    (["%%timeit -n1 -r1\n% foo\n"], True), (["%%prun -q x = (\ny = 2\n"], True), (["%%capture\nx = (\n"], True),
    (["%%nosuch\nx = 1\n"], True),
    # past the budget of IPython's reader, with a `?` in a comment or a magic of no name
    (["# ?\n" + "x = 1\n" * 4000 + "x = (\n"], True), (["x = 1\n" * 4000 + "%time(x)\n"], True),
    # honest cells Jupyter runs to the end (nbclient showed each)
    (["%%capture\nx = 1 +\n"], False), (["%%time\n% foo\ny = 1\n"], False), (["%%bash --no-raise-error\nexit 1\n"], False),
    (["%%writefile h.py\nx = (\n"], False), (["%%html\n<b>x</b>\n"], False), (["%%capture\n!pip install tqdm\n"], False),
    (["time\n"], False), (["x = 1\n" * 4000 + "%time x\n"], False), (["%%prun -q x = 1\ny = 2\n"], False),
    # a script, whose exit status is known only when it runs (IPython 8 raises where it is not 0): not read, since an
    # honest `echo` there must not be flagged (review 453's drafts); `added-cell:` says the cell is there
    (["%%bash\necho hi\n"], False), (["%%bash\nexit 1\n"], False),
], ids=["time -p", "time $s", "prun", "timeit", "%%time body", "%%time body, a cell between", "%%timeit setup",
        "%%timeit no name", "%%prun", "%%capture open", "%%nosuch", "long with ?",
        "long %time(x)", "%%capture closed", "%%time no name", "no-raise-error", "%%writefile", "%%html", "%%capture pip",
        "time alone", "long honest", "%%prun honest", "%%bash echo", "%%bash exit 1"])
def test_what_review_487_found_cells_above_that_do_not_run(above, flagged):
    """Review 487, told of review 486's fix: eleven notebooks at 10/10 with `added-cell:` only where Run All stopped in
    a cell right above the answers: 486's cases run as magics by their bare names, cell magics whose text does not
    compile, `%%nosuch`, cells past the budget of IPython's reader with a `?` or a `%` anywhere. Each is read now as
    IPython 8 runs it; the honest cells beside them (what nbclient ran to the end) are not flagged. Its `%%bash` script
    that exits with an error is not read (documented)."""
    _answers_kept(_around_answers(_R434, above=above), flagged)


@pytest.mark.parametrize("above,flagged", [
    # options the magic's own parser refuses (`parse_options`): a UsageError before it runs anything
    (["%reset_selective -z\n"], True), (["x = 1\n", "%xdel -z x\n"], True), (["%reset -z\n"], True),
    (["%timeit -z sum(range(10))\n"], True), (["%prun -S cumulative sum(range(10))\n"], True),
    # code `%timeit` and `%prun` compile without IPython's top-level `await`
    (["import asyncio\n", "%%timeit -n1 -r1\nawait asyncio.sleep(0)\n"], True),
    (["import asyncio\n", "%prun await asyncio.sleep(0)\n"], True), (["%%prun\nx = [i async for i in y]\n"], True),
    # honest lines of the same magics
    (["%reset -f\n"], False), (["%reset_selective -f ^tmp$\n"], False), (["x = 1\n", "%xdel x\n"], False),
    (["%timeit -n1 -r1 sum(range(10))\n"], False), (["%prun -q sum(range(10))\n"], False),
    (["%%timeit -n1 -r1\nsum(range(10))\n"], False), (["import asyncio\n", "await asyncio.sleep(0)\n"], False),
], ids=["reset_selective -z", "xdel -z", "reset -z", "timeit -z", "prun -S", "%%timeit await", "%prun await",
        "%%prun async for", "reset -f", "reset_selective -f", "xdel", "timeit", "prun -q", "%%timeit", "await"])
def test_what_review_488_found_refused_options_and_await_above(above, flagged):
    """Review 488: `%reset -z`, `%reset_selective -z`, `%xdel -z x` (options their parser refuses, not read), `%timeit
    -z` and `%prun -S` in a cell right above the answers (read as refused, never said there), and `await` in the code
    of `%timeit`, `%%timeit`, `%prun` and `%%prun` (which compile it without IPython's top-level `await`): each 10/10
    with `added-cell:` only where Run All stopped above the answers."""
    _answers_kept(_around_answers(_R434, above=above), flagged)


def test_many_magic_lines_cost_the_autoreload_reading_little():
    """Review 482: four cells of 1,990 `%time pK` lines each beside `%load_ext autoreload` cost the grader 78 s, IPython's
    reader read every cell past its budget (a reading of the cell for each magic line). Past the budget the cells are
    read without it."""
    import time
    cells = [f"p{k} = 1\n" + f"%time p{k}\n" * 1990 for k in range(4)]
    started = time.process_time()
    c = _around_answers("%autoreload 2\n" + _R434, above=[*cells, "%load_ext autoreload\n"])
    _answers_kept(c, False)
    assert time.process_time() - started < 20


def test_the_packages_that_ship_autoreload_are_the_installations_not_the_working_folders(tmp_path, monkeypatch):
    """Review 469: `packages_with_autoreload` read `sys.path`'s `''`, the folder the grader was started in, so an
    honest notebook graded from a folder that held `jup/.../autoreload` was flagged, and from `/` it was not."""
    import sys
    from grader.magics import packages_with_autoreload
    (tmp_path / "jup" / "autoreload").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", ["", *sys.path])
    packages_with_autoreload.cache_clear()
    try:
        found = packages_with_autoreload()
        assert "jup" not in found and "tornado" in found
    finally:
        packages_with_autoreload.cache_clear()
