"""End-to-end grading of the solution, the template and mutated notebooks (fork engine)."""
import tomllib

import pytest

from .conftest import ROOT, checks_of, contains

pytestmark = pytest.mark.slow

SIGMOID_OK = '''class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        {init}

    def forward(self, x):
        {forward}'''
LAYERS = '''self.linear1 = nn.Linear(d_in, 512)
        self.linear2 = nn.Linear(512, 1024)
        self.linear3 = nn.Linear(1024, 512)
        self.linear4 = nn.Linear(512, d_out)'''
FORWARD = '''x = x.view(x.shape[0], -1)
        x = torch.sigmoid(self.linear1(x))
        x = torch.sigmoid(self.linear2(x))
        x = torch.sigmoid(self.linear3(x))
        return {ret}'''


def sigmoid(init=LAYERS, ret="self.linear4(x)"):
    return SIGMOID_OK.format(init=init, forward=FORWARD.format(ret=ret))


TRAIN = '''def train_and_test(model: nn.Module, hyperparameters: dict):
    optimizer = optim.SGD(model.parameters(), lr={lr}, momentum=hyperparameters["momentum"])
    g1, g2, g3 = [], [], []
    for epoch in range({epochs}):
        a, b, c = train(model, train_loader, optimizer, epoch)
        g1 += a; g2 += b; g3 += c
    test(model, test_loader)
    plt.plot(g1); plt.plot(g2); plt.plot(g3)
    plt.show()'''


CHECK_ORDER = ("optimizer", "epochs", "test", "plots", "final_weights")


def train_fn(lr='hyperparameters["lr"]', epochs='hyperparameters["epochs"]'):
    return TRAIN.format(lr=lr, epochs=epochs)


def points(result, task):
    return result.task_points(task)


def passed(result, task):
    return {k: c.passed for k, c in checks_of(result, task).items()}


def test_solution_earns_every_automatic_point(grader, make_nb):
    r = grader.grade(make_nb())
    assert r.status == "graded" and r.filename_ok
    assert r.auto_points == r.auto_max == 50
    assert [f for f in r.flags if not f.startswith("note:")] == []
    assert all(c.passed for c in r.checks if not c.manual_task)


def test_template_earns_only_its_untouched_provided_cells(grader, template_nb, make_nb):
    r = grader.grade(make_nb(base=template_nb))
    assert r.status == "graded"
    assert points(r, "code_3_1") == 10
    for task in ("code_3_2_models", "code_3_2_train", "question_3_3", "calc_1_1", "calc_1_2", "calc_2"):
        assert points(r, task) == 0, task
    assert r.auto_points == 10
    msgs = " ".join(c.message for c in r.checks)
    assert "NotImplementedError" in msgs and "YOUR ANSWER HERE" in msgs


def test_nn_sequential_flatten_and_functional_relu_are_equivalent(grader, make_nb):
    seq = '''class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(d_in, 512), nn.Sigmoid(),
                                    nn.Linear(512, 1024), nn.Sigmoid(), nn.Linear(1024, 512),
                                    nn.Sigmoid(), nn.Linear(512, d_out))
    def forward(self, x):
        return self.layers(x)'''
    relu = '''class ANN_relu(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.a = nn.Linear(d_in, 512); self.b = nn.Linear(512, 1024)
        self.c = nn.Linear(1024, 512); self.d = nn.Linear(512, d_out)
    def forward(self, x):
        x = x.flatten(1)
        return self.d(torch.relu(self.c(F.relu(self.b(nn.functional.relu(self.a(x)))))))'''
    once = train_fn().replace("for epoch in range(", "for epoch in range(1, 1 + ")
    r = grader.grade(make_nb({"ann-sigmoid": seq, "ann-relu": relu, "train-and-test": once}))
    assert r.auto_points == 50, [c for c in r.checks if c.passed is False]


@pytest.mark.parametrize("source,failing,needle", [
    (sigmoid(init=LAYERS.replace("nn.Linear(512, 1024)", "nn.Linear(512, 1000)").replace(
        "nn.Linear(1024, 512)", "nn.Linear(1000, 512)")), {"layers", "seeded"}, "found 4"),   # activations judged
    # A dimension of size 1 too many costs the shape, not the activations (a hundred-and-fifty-fourth review).
    (sigmoid(ret="self.linear4(x).unsqueeze(1)"), {"forward_shape"}, "got (4, 1, 10)"),
    (sigmoid(ret="F.log_softmax(self.linear4(x), dim=1)"), {"activations"}, "log_softmax"),    # one mistake,
    (sigmoid(ret="torch.softmax(self.linear4(x), dim=1)"), {"activations"}, "softmax"),        # one point
    (sigmoid().replace("torch.sigmoid", "torch.relu"), {"activations"}, "uses relu"),   # one mistake, one point
    (sigmoid().replace("x = torch.sigmoid(self.linear2(x))", "x = torch.tanh(self.linear2(x))"), {"activations"},
     "the activation after the second layer (512→1024) is tanh, not sigmoid"),
    (sigmoid().replace("x = torch.sigmoid(self.linear3(x))", "x = self.linear3(x)"), {"activations"},
     "there is no activation after the third layer (1024→512)"),
    (sigmoid(init='''l4 = nn.Linear(512, d_out)
        l1 = nn.Linear(d_in, 512)
        l2 = nn.Linear(512, 1024)
        l3 = nn.Linear(1024, 512)
        self.linear1, self.linear2, self.linear3, self.linear4 = l1, l2, l3, l4'''), {"seeded"}, "manual_seed"),
    (sigmoid(ret='''torch.tensor([[0.3537, 0.5558, 0.1939, -0.0044, 0.0700, -0.0687, 0.2242, -0.4975,
                   0.0686, -0.2119]]).repeat(x.shape[0], 1)'''), {"activations", "seeded"}, "output differs"),
    (sigmoid(ret="torch.zeros(x.shape[0], 10)"), {"activations", "seeded"}, "output differs"),   # no computation:
    (SIGMOID_OK.format(init=LAYERS, forward="pass"), {"forward_shape", "activations", "seeded"},  # no seeding to see
     "forward returned None"),
    (sigmoid(init="torch.manual_seed(66)\n        " + LAYERS).replace(
        "x = torch.sigmoid(self.linear2(x))", "x = torch.tanh(self.linear2(x))"), {"activations", "seeded"},
     "is tanh, not sigmoid"),                                   # two mistakes: a seed of its own and tanh
    ("class ANN_sigmoid:\n    def __init__(self, a, b):\n        pass",
     {"builds", "layers", "forward_shape", "activations", "seeded"}, "nn.Module"),
])
def test_model_mutants_lose_exactly_the_right_checks(grader, make_nb, source, failing, needle):
    r = grader.grade(make_nb({"ann-sigmoid": source}))
    got = {k.split(": ")[1].replace(" ", "_") for k, ok in passed(r, "code_3_2_models").items()
           if k.startswith("ANN_sigmoid") and not ok}
    assert got == failing
    assert all(ok for k, ok in passed(r, "code_3_2_models").items() if k.startswith("ANN_relu"))
    msgs = " ".join(c.message for c in r.checks if c.passed is False)
    assert needle in msgs
    assert points(r, "code_3_2_train") == 20


@pytest.mark.parametrize("source,failing", [
    (train_fn(lr="0.01"), {"optimizer", "final_weights"}),
    (train_fn(epochs="1"), {"epochs", "final_weights"}),
    (train_fn().replace("    test(model, test_loader)\n", ""), {"test"}),
    (train_fn().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)", "plt.plot(g1)"), {"plots"}),
    (train_fn().replace("optim.SGD(model.parameters(), lr=", "optim.Adam(model.parameters(), lr=").replace(
        ', momentum=hyperparameters["momentum"]', ""), {"optimizer", "final_weights"}),
    (train_fn().replace('momentum=hyperparameters["momentum"]', "momentum=0.5"), {"optimizer", "final_weights"}),
])
def test_training_mutants_lose_exactly_the_right_checks(grader, make_nb, source, failing):
    r = grader.grade(make_nb({"train-and-test": source}))
    got = {k for k, ok in passed(r, "code_3_2_train").items() if not ok}
    assert got == failing
    hidden = grader.spec.hidden()["code_3_2_train"]      # the draw this grader grades with
    for c in r.checks:   # messages never reveal the hidden hyperparameters
        assert not contains(c.message, str(hidden["lr"])) and not contains(c.message, str(hidden["momentum"]))


def test_code_right_only_for_the_graders_values_loses_what_check_showed(grader, checker, make_nb):
    """The number of epochs hard-coded to the grader's (fixed in hidden.toml, so a student may learn
    it): the hidden run alone would pass, but the public run, which the student's own `grader check`
    shows failing, costs the same checks in grading, with the same words. A grade is never more than
    what the check promised."""
    hidden = grader.spec.hidden()["code_3_2_train"]["epochs"]
    assert hidden != grader.spec.params(grader.spec.task("code_3_2_train"), hidden=False)["epochs"]
    path = make_nb({"train-and-test": train_fn(epochs=str(hidden))})
    graded, checked = checks_of(grader.grade(path), "code_3_2_train"), checks_of(checker.grade(path), "code_3_2_train")
    failing = {k for k, c in checked.items() if not c.passed}
    assert "epochs" in failing and "final_weights" in failing
    assert {k for k, c in graded.items() if not c.passed} == failing
    assert all(graded[k].message == checked[k].message for k in failing), [graded[k].message for k in failing]
    right = make_nb({"train-and-test": train_fn()})
    assert grader.grade(right).task_points("code_3_2_train") == 20


SEABORN_MEAN = """import seaborn as sns
import pandas as pd
def train_and_test(model, hyperparameters):
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"], momentum=hyperparameters["momentum"])
    rows = []
    for epoch in range(hyperparameters["epochs"]):
        grads = train(model, train_loader, optimizer, epoch)
        for layer, values in enumerate(grads, start=1):
            for step, v in enumerate(values):
                rows.append({"epoch": epoch, "step": step, "layer": f"linear{layer}", "grad": v})
    test(model, test_loader)
    sns.lineplot(data=pd.DataFrame(rows), x="step", y="grad", hue="layer")
    plt.yscale("log"); plt.show()
"""


def test_the_epochs_mean_with_a_band_is_not_read_as_the_lists_in_check_either(grader, checker, make_nb):
    """A hundred-and-fifty-third review: seaborn drawing every epoch's steps against one x shows
    their mean and a band, whose edges with the two public epochs are the two epochs' lists:
    `grader check` said "ready to hand in", and grading (three epochs) took the 4 points with its
    fixed text. Now both say what was drawn, and nothing else is lost."""
    path = make_nb({"train-and-test": SEABORN_MEAN})
    graded, checked = checks_of(grader.grade(path), "code_3_2_train"), checks_of(checker.grade(path), "code_3_2_train")
    for got in (graded, checked):
        assert {k for k, c in got.items() if not c.passed} == {"plots"}
        assert "the mean of the epochs' lists, mini-batch by mini-batch, with a band around it" in got["plots"].message
    right = make_nb({"train-and-test": SEABORN_MEAN.replace('"step": step', '"step": epoch * len(values) + step')})
    assert checks_of(checker.grade(right), "code_3_2_train")["plots"].passed
    assert grader.grade(right).task_points("code_3_2_train") == 20


def test_a_value_fixed_that_grading_passes_in_is_flagged_where_check_passes(grader, checker, make_nb, solution_nb):
    """A fairness review, 291: a seed in the class (the notebook's own, 66, the public one too) and two epochs
    written out (the public count, after the student set the notebook's to 2) passed `grader check` and cost
    1 and 9 points at grading. The cell is flagged with the line and what to do, in both."""
    sol = {c.id: c.source for c in solution_nb.cells}
    path = make_nb({"ann-sigmoid": sol["ann-sigmoid"].replace("super().__init__()\n",
                                                              "super().__init__()\n        torch.manual_seed(66)\n"),
                    "train-and-test": sol["train-and-test"].replace('range(1, hyperparameters["epochs"] + 1)', "range(1, 3)")})
    checked, graded = checker.grade(path), grader.grade(path)
    assert checked.task_points("code_3_2_models") == 10 and checked.task_points("code_3_2_train") == 20
    assert not checks_of(graded, "code_3_2_models")["ANN_sigmoid: seeded"].passed
    assert not checks_of(graded, "code_3_2_train")["epochs"].passed
    for r in (checked, graded):
        assert {"fixed-value:ann-sigmoid", "fixed-value:train-and-test"} <= set(r.flags), r.flags
        said = " ".join(r.details)
        assert "`torch.manual_seed(66)` in class `ANN_sigmoid`, line 5" in said, said
        assert "`for ... in range(1, 3)` on line 21: a fixed number of epochs" in said, said
    assert not any(f.startswith("fixed-value") for f in checker.grade(make_nb()).flags)


def test_a_typo_in_an_attribute_of_the_class_names_the_one_it_sets(checker, make_nb, solution_nb):
    """A fairness review, 291: `self.lienar1` in forward got Python's AttributeError alone, where a NameError's
    typo gets "a typo?"; one the class does not set nearly so gets nothing more."""
    sol = next(c.source for c in solution_nb.cells if c.get("id") == "ann-sigmoid")
    r = checker.grade(make_nb({"ann-sigmoid": sol.replace("torch.sigmoid(self.linear1(x))", "torch.sigmoid(self.lienar1(x))")}))
    said = checks_of(r, "code_3_2_models")["ANN_sigmoid: forward shape"].message
    assert "no attribute 'lienar1'" in said and "The cell sets `self.linear1`: a typo? write `self.linear1`" in said, said
    r = checker.grade(make_nb({"ann-sigmoid": sol.replace("torch.sigmoid(self.linear1(x))", "torch.sigmoid(self.dense(x))")}))
    assert "a typo?" not in checks_of(r, "code_3_2_models")["ANN_sigmoid: forward shape"].message


def test_answers_none_strings_and_wrong_values(grader, make_nb):
    key = tomllib.loads((ROOT / "reference" / "assignment7" / "answer_key.toml").read_text())
    wrong, right = not key["c_"], key["e_"]         # read from the key: it changes with the questions
    r = grader.grade(make_nb({"answers-3-3": f'a_ = None\nb_ = "False"\nc_ = {wrong}\nd_ = 1\ne_ = {right}'}))
    res = checks_of(r, "question_3_3")
    assert [res[n].passed for n in ("a_", "b_", "c_", "d_", "e_")] == [False, False, False, False, True]
    assert "None" in res["a_"].message and "string" in res["b_"].message and "number" in res["d_"].message
    assert res["c_"].message == "`c_` is not correct"   # right/wrong only, never the right answer
    assert points(r, "question_3_3") == 2


def test_student_check_never_uses_the_answer_key(checker, make_nb, monkeypatch):
    monkeypatch.setattr(type(checker.spec), "answer_key", lambda self: pytest.fail("answer key read"))
    monkeypatch.setattr(type(checker.spec), "hidden", lambda self: pytest.fail("hidden parameters read"))
    r = checker.grade(make_nb({"answers-3-3": "a_ = False\nb_ = True\nc_ = False\nd_ = False\ne_ = True"}))
    assert all(c.passed for c in r.checks if c.task == "question_3_3")
    assert all(c.points is None for c in r.checks if c.task == "question_3_3")


def test_bad_filename_is_flagged_but_graded(grader, make_nb):
    r = grader.grade(make_nb(name="assignment_7_jane_doe.ipynb"))
    assert not r.filename_ok and "filename" in r.flags
    assert r.auto_points == 50


def test_edited_and_deleted_locked_cells_are_flagged(grader, make_nb, solution_nb):
    test_cell = next(c.source for c in solution_nb.cells if c.get("id") == "ann-sigmoid-test")
    r = grader.grade(make_nb({"ann-sigmoid-test": test_cell.replace("atol=1e-4", "atol=10")},
                             delete=["answer-c-test"]))
    assert "edited:ann-sigmoid-test" in r.flags and "deleted:answer-c-test" in r.flags
    assert r.auto_points == 50   # the grader runs its own checks, never the student's tests


def test_edited_provided_cell_loses_code_3_1_points(grader, make_nb, solution_nb):
    plot = next(c.source for c in solution_nb.cells if c.get("id") == "plot-examples")
    r = grader.grade(make_nb({"plot-examples": plot.replace("range(20)", "range(10)")}))
    assert points(r, "code_3_1") == 8 and "edited:plot-examples" in r.flags
    assert "not restored" not in " ".join(c.message for c in r.checks)


def test_the_hyperparams_cell_may_be_edited_but_not_deleted(grader, make_nb, solution_nb):
    hp = next(c.source for c in solution_nb.cells if c.get("id") == "hyperparams")
    r = grader.grade(make_nb({"hyperparams": hp.replace("epochs=1", "epochs=5")}))
    assert points(r, "code_3_1") == 10 and "changed:hyperparams" in r.flags and "edited:hyperparams" not in r.flags
    assert points(r, "code_3_2_train") == 20   # graded cells use the template's context
    r = grader.grade(make_nb(delete=["hyperparams"]))
    assert points(r, "code_3_1") == 8 and "deleted:hyperparams" in r.flags


def test_deleted_solution_cell(grader, make_nb):
    r = grader.grade(make_nb(delete=["ann-relu"]))
    assert all(not ok for k, ok in passed(r, "code_3_2_models").items() if k.startswith("ANN_relu"))
    assert points(r, "code_3_2_models") == 5 and "missing:ann-relu" in r.flags
    assert "missing" in checks_of(r)["ANN_relu: builds"].message


def test_renamed_cell_id_falls_back_to_content(grader, make_nb):
    r = grader.grade(make_nb(rename={"ann-sigmoid": "cell-8a7f", "answers-3-3": "my-answers"}))
    assert r.auto_points == 50
    assert "id-fallback:ann-sigmoid" in r.flags and "id-fallback:answers-3-3" in r.flags


def test_endless_loop_times_out_and_the_rest_is_graded(grader, make_nb):
    r = grader.grade(make_nb({"train-and-test": "while True:\n    pass"}))
    assert points(r, "code_3_2_train") == 0
    assert "did not finish" in checks_of(r, "code_3_2_train")["optimizer"].message
    assert "timeout:train-and-test" in r.flags
    assert points(r, "code_3_2_models") == 10 and points(r, "question_3_3") == 10


def test_os_exit_and_segfault_end_only_their_cell(grader, make_nb):
    r = grader.grade(make_nb({"ann-relu": "import os\nos._exit(0)",
                              "train-and-test": "import ctypes\nctypes.string_at(0)"}))
    assert "os._exit" in checks_of(r)["ANN_relu: builds"].message
    assert "segmentation fault" in checks_of(r, "code_3_2_train")["optimizer"].message
    assert points(r, "code_3_2_models") == 5 and points(r, "question_3_3") == 10
    assert "crashed:ann-relu" in r.flags


def test_invalid_json_is_reported_not_raised(grader, tmp_path):
    p = tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb"
    p.write_text('{"cells": [', encoding="utf-8")
    r = grader.grade(p)
    assert r.status.startswith("unreadable") and "not valid notebook JSON" in r.status
    assert r.auto_points == 0 and len(r.checks) == len(grader.spec.tasks)


def test_example_submissions_earn_their_documented_scores(grader):
    expected = tomllib.loads((ROOT / "submissions" / "expected_scores.toml").read_text())
    for name, want in expected.items():
        r = grader.grade(ROOT / "submissions" / name)
        assert r.auto_points == want["auto_points"], name
        assert r.filename_ok == want["filename_ok"], name
        for task in ("code_3_1", "code_3_2_models", "code_3_2_train", "question_3_3", "calc_1_1", "calc_1_2", "calc_2"):
            got = r.task_points(task)
            assert (got is None) if want[task] == "manual" else (got == want[task]), (name, task, got)


def test_a_cell_that_raises_after_defining_keeps_what_it_defined(grader, make_nb, solution_nb):
    """Jupyter keeps what a cell defined before its error: a failing self-test at the cell's end
    (a class of another cell, a wrong assert, a call of train_and_test on a model of another cell)
    costs nothing the definition earns; the student reads what raised, flagged `raised:<cell>`."""
    r = grader.grade(make_nb({
        "ann-sigmoid": sigmoid() + "\n\nm = ANN_relu(784, 10)\nprint(m)\n",
        "ann-relu": next(c.source for c in solution_nb.cells if c.get("id") == "ann-relu") + "\n\nassert ANN_relu(784, 10)(torch.zeros(2, 1, 28, 28)).shape == (2, 11)\n",
        "train-and-test": train_fn() + "\n\ntrain_and_test(ANN_relu(input_dim, output_dim), hyperparams)\n"}))
    assert r.auto_points == 50, [c for c in r.checks if c.passed is False]
    # ANN_relu's cell comes after ann-sigmoid's: Jupyter's Run All stops there too. train-and-test's
    # test of ANN_relu runs in Jupyter, and raises only graded on its own (a fairness review, F6:
    # "Jupyter's Run All stops there" was said of it).
    assert {"raised:ann-sigmoid", "raised:ann-relu", "graded-alone:train-and-test"} <= set(r.flags)
    assert "raised:train-and-test" not in r.flags
    assert any("NameError: name 'ANN_relu' is not defined" in d and "`ANN_sigmoid` was defined before that" in d
               for d in r.details)
    alone = next(d for d in r.details if d.startswith("cell 'train-and-test' raised"))
    assert "when graded on its own" in alone and "a cell of its own below" in alone
    assert "define what the cell uses in the cell itself" not in alone


def test_a_name_another_cell_defines_is_said_to_be_defined_there(grader, make_nb):
    """A hundred-and-thirty-seventh review: `x.view(-1, d_in)` reads `d_in` of the locked
    ann-sigmoid-test cell, which is not run when ann-sigmoid is graded; the message listed the
    provided names, and a student took the provided test cell's `d_in` for one of them."""
    source = sigmoid().replace("x.view(x.shape[0], -1)", "x.view(-1, d_in)")
    assert "d_in)" in source
    r = grader.grade(make_nb({"ann-sigmoid": source}))
    said = next(c.message for c in r.checks if c.check == "ANN_sigmoid: forward shape")
    assert "NameError: name 'd_in' is not defined" in said, said
    assert ("`d_in` is defined in the cells 'ann-sigmoid-test', 'ann-relu-test', which are not run when this one is "
            "graded. Each cell is graded on its own") in said, said


def test_a_cell_that_raises_before_defining_loses_its_checks_with_the_error(grader, make_nb):
    r = grader.grade(make_nb({"ann-sigmoid": "x = undefined_name\n" + sigmoid()}))
    lost = {k for k, ok in passed(r, "code_3_2_models").items() if not ok}
    assert lost == {f"ANN_sigmoid: {c}" for c in ("builds", "layers", "forward shape", "activations", "seeded")}
    msgs = {c.message for c in r.checks if c.check.startswith("ANN_sigmoid")}
    assert all(m.startswith("cell 'ann-sigmoid' raised NameError: name 'undefined_name'") for m in msgs)
    assert "raised:ann-sigmoid" not in r.flags


def test_what_a_raising_cell_left_undone_is_named_on_the_checks_it_breaks(grader, make_nb):
    """The error stopped the cell before a helper its forward needs: the checks that need it fail,
    and their message says where the cell stopped."""
    broken = sigmoid().replace("torch.sigmoid(", "act(") + "\n\nraise ValueError('my own test')\n\ndef act(t):\n    return torch.sigmoid(t)\n"
    r = grader.grade(make_nb({"ann-sigmoid": broken}))
    failing = [c for c in r.checks if c.check.startswith("ANN_sigmoid") and not c.passed]
    assert {c.check for c in failing} >= {"ANN_sigmoid: forward shape", "ANN_sigmoid: activations"}
    assert all("Note: cell 'ann-sigmoid' raised ValueError: my own test" in c.message for c in failing)
    assert checks_of(r, "code_3_2_models")["ANN_sigmoid: builds"].passed


def test_a_function_reading_the_global_hyperparams_is_told_so(grader, make_nb):
    r = grader.grade(make_nb({"train-and-test": train_fn(lr='hyperparams["lr"]')}))
    lost = {k for k, ok in passed(r, "code_3_2_train").items() if not ok}
    assert lost == {"optimizer", "final_weights"}
    said = [c.check for c in checks_of(r, "code_3_2_train").values()
            if "reads the notebook's global `hyperparams`, not its argument `hyperparameters`" in c.message]
    assert said == ["optimizer"]                   # in full once (a student's review: three times), then pointed to
    assert "Note: see the note under optimizer" in checks_of(r, "code_3_2_train")["final_weights"].message
    assert checks_of(r, "code_3_2_train")["optimizer"].message.startswith("`train_and_test` reads the notebook's "
                                                                          "global `hyperparams`")   # the cause first
    clean = grader.grade(make_nb({"train-and-test": train_fn(lr="0.01")}))      # another mistake: not said
    assert "global" not in " ".join(c.message for c in checks_of(clean, "code_3_2_train").values())


def test_epochs_read_from_the_global_hyperparams_are_not_sent_to_the_ranges_bounds(checker, make_nb):
    """A ninetieth review: `range(1, hyperparams["epochs"] + 1)` was told "one call fewer ...
    (check the range's bounds ...)", and the real cause was in a note."""
    r = checker.grade(make_nb({"train-and-test": train_fn(epochs='hyperparams["epochs"]')}))
    said = checks_of(r, "code_3_2_train")
    failing = [c for c in CHECK_ORDER if not said[c].passed]
    assert "epochs" in failing
    first = said[failing[0]].message
    assert first.startswith("`train_and_test` reads the notebook's global `hyperparams`") and "What the check saw" in first
    assert "range's bounds" not in " ".join(c.message for c in said.values())


def test_a_function_that_raises_after_everything_checked_is_said_not_charged(checker, make_nb):
    """A fairness review: `plt.legnd()` after the plot cost nothing and nobody said so, while the
    notebook's own run cells stop there."""
    r = checker.grade(make_nb({"train-and-test": train_fn().replace("plt.show()", "plt.show()\n    plt.legnd()")}))
    assert all(c.passed for c in checks_of(r, "code_3_2_train").values())
    assert "raised:train-and-test" in r.flags
    assert any("raised AttributeError" in d and "legnd" in d and "no point is lost" in d for d in r.details)


def test_a_loader_that_lies_about_its_dataset_is_not_the_provided_one(grader, make_nb):
    """The thirty-fourth review: a DataLoader subclass whose `dataset` property named the provided
    dataset, while it drew 4 zero images, was swapped for the grader's loader: 20/20."""
    lying = '''class Lying(DataLoader):
    @property
    def dataset(self):
        return train_loader.dataset
    @dataset.setter
    def dataset(self, v):
        pass

''' + train_fn().replace("    g1, g2, g3 = [], [], []",
                         "    from torch.utils.data import TensorDataset\n"
                         "    fake = Lying(TensorDataset(torch.zeros(4, 1, 28, 28), torch.zeros(4, dtype=torch.long)), "
                         "batch_size=train_loader.batch_size)\n    g1, g2, g3 = [], [], []").replace(
        "train(model, train_loader,", "train(model, fake,")
    r = grader.grade(make_nb({"train-and-test": lying}))
    got = passed(r, "code_3_2_train")
    assert not got["epochs"] and not got["final_weights"], got
    assert "not the provided train_loader" in checks_of(r, "code_3_2_train")["epochs"].message


def test_a_function_that_loops_when_called_is_told_apart_from_a_cell_that_loops(grader, make_nb):
    """A student's review: a `train_and_test` that never ended when the check called it was told
    "the cell did not finish", and the cell itself (a definition) ran in no time."""
    r = grader.grade(make_nb({"train-and-test": "def train_and_test(model, hyperparameters):\n"
                                                "    while True:\n        pass"}))
    said = checks_of(r, "code_3_2_train")["optimizer"].message
    assert "the cell ran, but calling what it defines (the grader calls your function" in said and "6 s" in said
    assert "the cell did not finish" not in said
    assert points(r, "code_3_2_train") == 0 and points(r, "code_3_2_models") == 10


def test_deep_nesting_in_any_cell_is_no_grader_error(grader, make_nb, solution_nb):
    """An eighty-ninth review: 3,000 nested `%%timeit` lines in an added cell, or a sum of 3,000
    terms in the imports cell, recursed past Python's limit in the grader's own process: "grader
    error", 0 points, and the notebook gone from the TA's queue and the similarity report."""
    import copy

    import nbformat
    nb = copy.deepcopy(solution_nb)
    nb.cells.append(nbformat.v4.new_code_cell("%%timeit\n" * 3000 + "x = 1"))
    imports = next(c for c in nb.cells if c.get("id") == "imports")
    imports.source += "\n_x = " + "+".join(["1"] * 3000)
    r = grader.grade(make_nb(base=nb))
    assert r.status == "graded", r.status
    assert r.auto_points == 46 and "edited:imports" in r.flags    # the imports cell's own 4 points
    assert "crashed:imports" not in r.flags
    assert "Python could not compile cell imports" in checks_of(r, "code_3_1")["imports executes"].message


def test_half_an_emoji_or_a_huge_number_is_no_grader_error(grader, tmp_path, solution_nb):
    """A ninety-first review: a lone surrogate (half an emoji, which JupyterLab writes as
    `\\ud800`) in an answer or a comment, or a 5,000-digit number in the metadata, made the
    notebook "grader error" with 0 points (and stopped `grader check` with a traceback)."""
    import json

    import nbformat

    from grader.notebook import NotebookError, load_notebook
    raw = nbformat.writes(solution_nb)
    data = json.loads(raw)
    answer = next(c for c in data["cells"] if c.get("id") == "calc-1-1")
    answer["source"] = "Half an emoji: HALF. The weights cannot exist."
    code = next(c for c in data["cells"] if c.get("id") == "ann-relu")
    code["source"] = "# HALF\n" + "".join(code["source"])
    text = json.dumps(data).replace("HALF", "\\ud800")
    p = tmp_path / "Assignment_7_JaneDoe_k12345678.ipynb"
    p.write_text(text, encoding="utf-8")
    r = grader.grade(p)
    assert r.status == "graded" and r.auto_points == 50, r.status
    said = next(c.answer for c in r.checks if c.task == "calc_1_1")
    assert said.startswith("Half an emoji: \ufffd.")
    big = tmp_path / "big.ipynb"
    big.write_text(raw.replace('"metadata": {', '"metadata": {"x": ' + "9" * 5000 + ", ", 1), encoding="utf-8")
    with pytest.raises(NotebookError, match="not valid notebook JSON"):
        load_notebook(big)


def test_a_layer_computed_in_half_precision_is_told_so_not_detached(grader, checker, make_nb):
    """A hundred-and-thirty-ninth review: `.half().float()` on one layer lost `activations` and
    `grader check` asked whether the output was detached from its layers, which it was not; `grader
    grade` gave its fixed hidden-run text, which did not send the student to the detail."""
    nb = make_nb({"ann-sigmoid": sigmoid().replace("torch.sigmoid(self.linear3(x))",
                                                   "torch.sigmoid(self.linear3(x).half().float())")})
    said = checks_of(checker.grade(nb), "code_3_2_models")["ANN_sigmoid: activations"]
    assert not said.passed and "lower precision" in said.message and "detached" not in said.message, said.message
    graded = checks_of(grader.grade(nb), "code_3_2_models")["ANN_sigmoid: activations"]
    assert not graded.passed and "`grader check`" in graded.message, graded.message
