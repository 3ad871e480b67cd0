"""Every verdict and message of the model and training judges, for a table of realistic
mistakes, against a reviewed table in tests/golden/ (fast: made-up observations, no engine).

Messages are what a student acts on: a changed word, a lost detail or a verdict that flips is a
change of behaviour, so each one shows up here as a diff to review. After an intended change:
``GRADER_UPDATE_GOLDEN=1 python -m pytest tests/test_messages.py`` and read the diff of the
JSON file before committing it."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from grader.checks import models, training

from .test_judge import ATOL, DIMS, INIT, MODEL, OUT, P, REF, REF_RUN, S1, S2, SGD, WITH, called_test, run, student, train

GOLDEN = Path(__file__).parent / "golden"

MODEL_CASES = {
    "solution": {},
    "constructor raises": {"build_error": "TypeError: __init__() takes 1 positional argument but 3 were given"},
    "not an nn.Module": {"module": False},
    "no layers": {"linear": [], "init": []},
    "layers in a plain list": {"linear": [], "init": [], "with_weights": None, "copied": ""},
    "a layer missing": {"linear": [[a, b, True] for a, b in DIMS[:-1]], "init": [[w, None] for w in INIT[:-1]]},
    "an extra layer": {"linear": [[a, b, True] for a, b in DIMS] + [[10, 10, True]],
                       "init": [[w, None] for w in INIT] + [[INIT[0], None]]},
    "layers built output first": {"linear": [[a, b, True] for a, b in DIMS[::-1]],
                                  "init": [[w, None] for w in INIT[::-1]]},
    "layers built output first and log_softmax at the end": {
        "linear": [[a, b, True] for a, b in DIMS[::-1]], "init": [[w, None] for w in INIT[::-1]],
        "with_weights": REF["variants"]["log_softmax"], "outputs": {s: o + 1 for s, o in OUT.items()}},
    "layers built output first, outputs differ": {
        "linear": [[a, b, True] for a, b in DIMS[::-1]], "init": [[w, None] for w in INIT[::-1]],
        "outputs": {s: o + 1 for s, o in OUT.items()}},
    "wrong sizes": {"linear": [[784, 256, True], [256, 1024, True], [1024, 512, True], [512, 10, True]]},
    "no bias anywhere": {"linear": [[a, b, False] for a, b in DIMS], "with_weights": REF["variants"]["nobias"]},
    "initialised by hand": {"init": [[w + 1, None] for w in INIT]},
    "returns a tuple": {"out_type": "tuple"},
    "forward raises": {"forward_error": "RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x28 and 784x512)"},
    "weights cannot be copied": {"weights_error": "RuntimeError: size mismatch"},
    "relu instead of sigmoid": {"with_weights": REF["variants"]["relu"]},
    "log_softmax at the end": {"with_weights": REF["variants"]["log_softmax"]},
    "some other forward": {"with_weights": WITH * 0.5 + 0.1},
    "wrong output shape": {"with_weights": np.zeros((4, 5)), "outputs": {s: np.zeros((4, 5)) for s in OUT}},
    "not seeded the same": {"outputs": {s: o + 1 for s, o in OUT.items()}},
    "one seed differs": {"outputs": {**OUT, "917": OUT["917"] + 1}},
    "a seed's output missing": {"outputs": {"66": OUT["66"], "917": None}},
    "seeded build raises": {"seeded_error": "ValueError: seed"},
    "weights not copied": {"with_weights": None, "copied": ""},
}

TRAINING_CASES = {
    "solution": (run([SGD, train(S1), called_test("T1"), train(S2), called_test("T2")]), None),
    "tested once at the end": (run([SGD, train(S1), train(S2), called_test("T2")]), None),
    "one epoch": (run([SGD, train(S1), called_test("T1")], lines=S1), None),
    "three epochs": (run([SGD, train(S1), train(S2), train(S2), called_test("T2")]), None),
    "wrong learning rate": (run([{**SGD, "defaults": {**SGD["defaults"], "lr": 0.01}}, train(S1), train(S2)]),
                            {0, 1, 2}),
    "fixed learning rate and momentum": (run([{**SGD, "defaults": {**SGD["defaults"], "lr": 0.01, "momentum": 0.9}},
                                              train(S1), train(S2)]), {0, 1, 2}),
    "no momentum": (run([{**SGD, "defaults": {**SGD["defaults"], "momentum": 0.0}}, train(S1), train(S2)]), {0, 1, 2}),
    "Adam": (run([{**SGD, "type": "Adam"}, train(S1), train(S2)]), {0, 1, 2}),
    "no optimizer": (run([train(S1), train(S2)]), {0, 1}),
    "tested on the train loader": (run([SGD, train(S1), train(S2), called_test("T2", loader="train")]), {0, 1, 2, 3}),
    "another model tested": (run([SGD, train(S1), train(S2), called_test("T2", model="other")]), {0, 1, 2}),
    "never tested": (run([SGD, train(S1), train(S2)]), None),
    "only the last epoch plotted": (run([SGD, train(S1), train(S2)], lines=S2), {0, 1, 2}),
    "nothing plotted": (run([SGD, train(S1), train(S2)], lines=[]), {0, 1, 2}),
    "raises after training": (run([SGD, train(S1), train(S2)], error="KeyError: 'epoch'"), {0, 1, 2}),
    "raises at once": (run([], lines=[], final={}, error="NameError: name 'optimizer' is not defined"), set()),
    "claims that nothing confirms": (run([SGD, train(S1), called_test("T1"), train(S2), called_test("T2")],
                                         final={"1.weight": np.zeros((3, 2))}), {0}),
    "an unused SGD, right final weights": (run([SGD, called_test("T2")]), {0, 1}),
    "an unused SGD, wrong final weights": (run([SGD], final={"1.weight": np.zeros((3, 2))}), {0}),
    "train given another optimizer": (run([SGD, train(S1, optimizer=None), train(S2, optimizer=None)]), {0, 1, 2}),
}


def table() -> dict:
    out = {"models": {}, "training": {}}
    for name, changes in MODEL_CASES.items():
        obs = changes if "build_error" in changes else student(**changes)
        out["models"][name] = {c: [v.ok, v.message, v.unconfirmed]
                               for c, v in models.judge_run(MODEL, obs, REF, ATOL).items()}
    for name, (r, confirmed) in TRAINING_CASES.items():
        if confirmed is None:
            confirmed = training.confirmed_by_reference(r["events"], P, training.timeline(REF_RUN))
        out["training"][name] = {c: [v.ok, v.message, v.unconfirmed]
                                 for c, v in training.judge_run("train_and_test", r, REF_RUN, P, confirmed).items()}
    return out


@pytest.mark.parametrize("judge", ["models", "training"])
def test_every_verdict_and_message_is_the_reviewed_one(judge):
    path = GOLDEN / f"{judge}_verdicts.json"
    got = json.loads(json.dumps(table()[judge]))
    if os.environ.get("GRADER_UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    want = json.loads(path.read_text())
    assert set(got) == set(want), sorted(set(got) ^ set(want))
    for case in want:
        assert got[case] == want[case], case


def test_the_table_holds_passing_and_failing_verdicts_for_every_check():
    """The table is only worth something if every check both passes and fails in it."""
    for judge, cases in table().items():
        checks = {c for verdicts in cases.values() for c in verdicts}
        for c in checks:
            seen = {verdicts[c][0] for verdicts in cases.values() if c in verdicts}
            assert seen == {True, False}, (judge, c, seen)
