"""The judge's decisions as pure functions over observations: boundaries tested directly, fast,
without running any notebook. Each test names the bug it catches."""
from __future__ import annotations

import ast
import unicodedata

import numpy as np
import pytest

from grader.checks import models, training
from grader.checks.answers import problem, read_answers
from grader.checks.context import PASSED_HIDDEN_ONLY, Verdict, combine
from grader.naming import name_fits, parse_filename
from grader.observations import NUMBER, InvalidObservation, List, cut, validate
from grader.observations import MODEL as MODEL_SCHEMA
from grader.spec import load_spec

HIDDEN = load_spec().hidden()

ATOL = 1e-4
DIMS = [[784, 512], [512, 1024], [1024, 512], [512, 10]]
MODEL = {"defines": "ANN_sigmoid", "args": [784, 10], "input_shape": [1, 28, 28], "linear": DIMS,
         "activation": "sigmoid", "cell": "ann-sigmoid",
         "points": {"builds": 1, "layers": 1, "forward_shape": 1, "activations": 1, "seeded": 1}}
rng = np.random.default_rng(0)
OUT = {"66": rng.normal(size=(4, 10)), "917": rng.normal(size=(4, 10))}
WITH = rng.normal(size=(4, 10))
INIT = [rng.normal(size=8).astype(np.float32) for _ in DIMS]
REF = {"outputs": OUT, "with_weights": WITH,
       "variants": {"sigmoid": WITH, "relu": WITH + 1, "log_softmax": WITH - 3, "nobias": WITH + 5},
       "init_options": [[d, [w]] for d, w in zip(DIMS, INIT)]}


def student(**changes) -> dict:
    obs = {"module": True, "linear": [[a, b, True] for a, b in DIMS], "init": [[w, None] for w in INIT],
           "out_type": "Tensor", "outputs": dict(OUT), "with_weights": WITH, "copied": "shape"}
    obs.update(changes)
    return obs


def verdicts(obs) -> dict[str, bool]:
    return {c: v.ok for c, v in models.judge_run(MODEL, obs, REF, ATOL).items()}


def test_the_solution_passes_every_model_check():
    assert all(verdicts(student()).values())


def test_an_output_off_by_twice_the_tolerance_fails_and_half_passes():
    assert not verdicts(student(with_weights=WITH + 2 * ATOL))["activations"]
    assert verdicts(student(with_weights=WITH + 0.5 * ATOL))["activations"]
    assert not verdicts(student(outputs={**OUT, "917": OUT["917"] + 2 * ATOL}))["seeded"]


def test_matching_only_the_public_seed_fails_seeded():
    v = models.judge_run(MODEL, student(outputs={"66": OUT["66"], "917": OUT["917"] * 0}), REF, ATOL)
    assert not v["seeded"].ok and v["activations"].ok
    assert "manual_seed" in v["seeded"].message


def test_known_mistakes_are_named():
    v = models.judge_run(MODEL, student(with_weights=WITH - 3), REF, ATOL)
    assert not v["activations"].ok and "log_softmax" in v["activations"].message
    v = models.judge_run(MODEL, student(with_weights=WITH + 1), REF, ATOL)
    assert "uses relu where the table asks for sigmoid" in v["activations"].message


def test_an_output_mistake_costs_activations_and_leaves_seeding_checked():
    def log_softmax(x):
        return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))
    seeded = {s: log_softmax(v) for s, v in OUT.items()}
    v = models.judge_run(MODEL, student(with_weights=WITH - 3, outputs=seeded), REF, ATOL)
    assert not v["activations"].ok and v["seeded"].ok and "once the mistake named under activations is applied" in v["seeded"].message
    wrong = {s: log_softmax(v * 2) for s, v in OUT.items()}           # seeded wrongly as well
    v = models.judge_run(MODEL, student(with_weights=WITH - 3, outputs=wrong), REF, ATOL)
    assert not v["seeded"].ok and "for the reason activations names" in v["seeded"].message


def test_layers_without_bias_cost_layers_only():
    obs = student(linear=[[a, b, False] for a, b in DIMS], with_weights=WITH + 5)
    v = models.judge_run(MODEL, obs, REF, ATOL)
    assert not v["layers"].ok and "no bias" in v["layers"].message
    assert v["activations"].ok and v["builds"].ok and v["forward_shape"].ok


def test_layers_in_another_order_are_named():
    v = models.judge_run(MODEL, student(linear=[[a, b, True] for a, b in DIMS[::-1]]), REF, ATOL)
    assert not v["layers"].ok and "another order" in v["layers"].message


def test_claims_without_any_computed_evidence_earn_nothing():
    fake = student(init=[[w * 0 + 0.01, None] for w in INIT], with_weights=WITH * 0 + 0.1,
                   outputs={s: o * 0 + 0.1 for s, o in OUT.items()})
    assert not any(verdicts(fake).values())
    assert "confirm" in models.judge_run(MODEL, fake, REF, ATOL)["builds"].message


def test_one_true_initial_layer_is_enough_evidence_for_the_structure():
    obs = student(init=[[INIT[0], None]] + [[w * 0, None] for w in INIT[1:]], with_weights=WITH * 0,
                  outputs={s: o * 0 for s, o in OUT.items()})
    v = verdicts(obs)
    assert v["builds"] and v["layers"] and v["forward_shape"] and not v["activations"] and not v["seeded"]


def test_the_wrong_output_shape_fails_forward_shape_only_there():
    v = models.judge_run(MODEL, student(outputs={s: o[:1] for s, o in OUT.items()}), REF, ATOL)
    assert not v["forward_shape"].ok and "(4, 10)" in v["forward_shape"].message


def test_hidden_failures_are_explained_by_the_public_run_or_a_fixed_text():
    ok, bad, unsure = Verdict(True, "fine"), Verdict(False, "public detail"), Verdict(False, "generic", True)
    fixed = {"c": "fixed text"}
    secret = f"hidden detail lr={HIDDEN['code_3_2_train']['lr']}"     # a message derived from a hidden value
    assert combine({"c": bad}, {"c": Verdict(False, secret)}, fixed)["c"].message == "public detail"
    assert combine({"c": ok}, {"c": Verdict(False, secret)}, fixed)["c"].message == "fixed text"
    # An unconfirmed hidden failure too: the hidden run chose among fixed texts by a hidden value (175).
    assert combine({"c": ok}, {"c": unsure}, fixed)["c"].message == "fixed text"
    assert combine({"c": bad}, {"c": unsure}, fixed)["c"].message == "public detail"
    assert combine({"c": unsure}, {"c": Verdict(False, "moved", True)}, fixed)["c"] == unsure
    assert combine({"c": bad}, {"c": ok}, fixed)["c"].ok
    # both=True (training): right for the grader's values alone is not right; the public run's
    # failure, which the student's own `grader check` showed, costs the check in grading too.
    assert combine({"c": bad}, {"c": ok}, fixed, both=True)["c"] == bad
    assert combine({"c": ok}, {"c": ok}, fixed, both=True)["c"].ok
    assert combine({"c": ok}, {"c": Verdict(False, secret)}, fixed, both=True)["c"].message == "fixed text"
    assert combine({"c": bad}, None, fixed)["c"] is bad
    # A pass is said in the public run's words, or fixed ones: a check with two texts for a pass let
    # the hidden run choose one by a hidden value, a free bit at full marks (review 172).
    chosen = Verdict(True, f"fine, all times one constant ({secret})")
    for both in (False, True):
        assert combine({"c": ok}, {"c": chosen}, fixed, both=both)["c"] == ok
    assert combine({"c": bad}, {"c": chosen}, fixed)["c"] == Verdict(True, PASSED_HIDDEN_ONLY)


# ----------------------------------------------------------------------------------------- training

P = {"lr": 0.02, "momentum": 0.6, "epochs": 2}
SGD = {"kind": "optimizer", "type": "SGD", "params": "model",
       "defaults": {"lr": 0.02, "momentum": 0.6, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False}}
S1, S2 = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[1.5, 2.5], [3.5, 4.5], [5.5, 6.5]]
FINAL = {"1.weight": np.ones((3, 2))}
REF_RUN = {"test_before": "T0", "final": FINAL, "events": [
    SGD, {"kind": "train", "series": S1}, {"kind": "test", "printed": "T1"},
    {"kind": "train", "series": S2}, {"kind": "test", "printed": "T2"}]}


def train(series, **kw):
    return {"kind": "train", "model": "model", "loader": "train", "optimizer": 0, "epoch": 0, "series": series, **kw}


def called_test(printed, **kw):
    return {"kind": "test", "model": "model", "loader": "test", "printed": printed, **kw}


def run(events, lines=None, final=FINAL, error=None):
    out = {"events": events, "lines": lines if lines is not None else [s for tr in (S1, S2) for s in tr],
           "final": final}
    if error:
        out["error"] = error
    return out


def judge(r, confirmed=None):
    confirmed = confirmed if confirmed is not None else training.confirmed_by_reference(
        r["events"], P, training.timeline(REF_RUN))
    return {c: v.ok for c, v in training.judge_run("train_and_test", r, REF_RUN, P, confirmed).items()}


def test_the_reference_timeline_confirms_a_correct_run():
    assert all(judge(run([SGD, train(S1), called_test("T1"), train(S2), called_test("T2")])).values())
    assert all(judge(run([SGD, train(S1), train(S2), called_test("T2")])).values())        # test once, at the end


def test_train_calls_are_a_chain_and_a_wrong_one_breaks_the_rest():
    events = [SGD, train(S1), train([[9.0, 9.0]] * 3), called_test("T2")]
    assert training.confirmed_by_reference(events, P, training.timeline(REF_RUN)) == {0, 1}


def test_a_replay_confirms_what_it_reproduces_and_skips_tests_it_cannot_run():
    events = [SGD, train(S1), called_test("X", model="other"), train(S2), called_test("T2")]
    replayed = {"events": [{}, {"series": S1}, {"skipped": True}, {"series": S2}, {"printed": "T2"}],
                "stopped": None, "final_test": "T2"}
    assert training.confirmed_by_replay(events, replayed) == {0, 1, 3, 4}
    replayed["events"][1] = {"series": [[0.0, 0.0]] * 3}
    # A train call not reproduced: weights may have been changed by hand before the last test, so the
    # final weights do not confirm it either (the thirty-ninth review: lr-0 calls, weights halved, test)
    assert training.confirmed_by_replay(events, replayed) == {0}


def test_claims_that_no_computation_confirms_earn_nothing_but_the_real_final_weights():
    forged = run([SGD, train(S1), called_test("T1"), train(S2), called_test("T2")], final={"1.weight": np.zeros((3, 2))})
    assert not any(judge(forged, confirmed={0}).values())


def test_a_test_printing_the_untrained_line_after_real_steps_is_after_training():
    """Training with a tiny lr can leave the printed, rounded test line as the untrained model's (it
    did for one draw of the hidden values): with steps of any size it is a test after training; with
    lr 0 it is a test of the untrained model (`test` lost, as before)."""
    tiny = [{**SGD, "defaults": {**SGD["defaults"], "lr": 0.0002}}, train(S1), train(S2), called_test("T0")]
    v = training.judge_run("train_and_test", run(tiny), REF_RUN, P, {0, 1, 2, 3})
    assert v["test"].ok, v["test"].message
    zero = [{**SGD, "defaults": {**SGD["defaults"], "lr": 0.0}}, train(S1), train(S2), called_test("T0")]
    v = training.judge_run("train_and_test", run(zero), REF_RUN, P, {0, 1, 2, 3})
    assert not v["test"].ok and "only on the untrained model" in v["test"].message
    # lr set to 0 in param_groups after the optimizer was made counts as 0 too
    groups = [SGD, train(S1, groups=[{"lr": 0.0, "momentum": 0.6}]), called_test("T0")]
    assert not training.judge_run("train_and_test", run(groups), REF_RUN, P, {0, 1, 2})["test"].ok


def test_epochs_learning_rate_test_loader_and_plots_are_told_apart():
    v = judge(run([SGD, train(S1), called_test("T1")]))
    assert not v["epochs"] and v["optimizer"] and v["test"]
    wrong_lr = {**SGD, "defaults": {**SGD["defaults"], "lr": 0.01}}
    msgs = training.judge_run("train_and_test", run([wrong_lr, train(S1), train(S2)]), REF_RUN, P, {0, 1, 2})
    assert not msgs["optimizer"].ok and "hyperparameters['lr']" in msgs["optimizer"].message
    v = training.judge_run("train_and_test", run([SGD, train(S1), train(S2), called_test("T2", loader="train")]),
                           REF_RUN, P, {0, 1, 2, 3})
    assert not v["test"].ok and "train_loader" in v["test"].message
    v = training.judge_run("train_and_test", run([SGD, train(S1), train(S2)], lines=S2), REF_RUN, P, {0, 1, 2})
    assert not v["plots"].ok and "last epoch" in v["plots"].message


def test_an_unused_sgd_counts_when_the_trained_weights_prove_it():
    v = training.judge_run("train_and_test", run([SGD, called_test("T2")]), REF_RUN, P, {0, 1})
    assert v["optimizer"].ok and not v["epochs"].ok
    v = training.judge_run("train_and_test", run([SGD], final={"1.weight": np.zeros((3, 2))}), REF_RUN, P, {0})
    assert not v["optimizer"].ok and "never called" in v["optimizer"].message


# ----------------------------------------------------------------------------------------- answers, names

def test_list_and_tuple_targets_are_read():
    values, _ = read_answers("[a_, b_] = [True, False]\nc_, d_ = (True, True)\ne_ = False",
                             ["a_", "b_", "c_", "d_", "e_"])
    assert [v.value for v in values.values()] == [True, False, True, True, False]


@pytest.mark.parametrize("source,needle", [
    ("a_ = None", "None"), ("a_ = 'True'", "string"), ("a_ = 1", "number"), ("a_ = not False", "computed"),
    ("a_ = true", "not Python's `True`"), ("x = 1", "not assigned"), ("a_ = True,", "remove the comma")])
def test_every_wrong_answer_form_has_its_reason(source, needle):
    values, _ = read_answers(source, ["a_"])
    assert needle in problem("a_", values["a_"])
    assert problem("a_", ast.parse("True").body[0].value) == ""


@pytest.mark.parametrize("filename,ok", [
    ("Assignment_7_JaneDoe_k12345678.ipynb", True),
    ("Assignment_7_JaneDoe_K12345678.ipynb", False),
    ("Assignment_7_JaneDoe_12345678.ipynb", False),
    ("Assignment_7_JaneDoe_k1234567.ipynb", False),
    ("Assignment_7_ÄNNEDoe_k12345678.ipynb", False),
    ("Assignment_7_ÉmileZoë_k12345678.ipynb", True),
    ("Assignment_7_janeDoe_k12345678.ipynb", False),
    ("Assignment_8_JaneDoe_k12345678.ipynb", False),
    (unicodedata.normalize("NFD", "Assignment_7_LeaMüller_k12000037.ipynb"), True),
])
def test_filename_rules(filename, ok):
    assert parse_filename(filename, 7).ok is ok, parse_filename(filename, 7).problems


def test_names_fit_moodle_full_names_in_any_spelling():
    assert name_fits("LeaMüller", "Lea Müller") and name_fits("LeaMueller", "Lea Müller")
    assert name_fits("DoeJane", "Jane Doe") and not name_fits("JaneDoe", "John Doe")


def test_replies_of_the_wrong_shape_are_refused_and_texts_are_cut():
    with pytest.raises(InvalidObservation):
        validate({"defined": "yes"}, MODEL_SCHEMA)
    with pytest.raises(InvalidObservation):
        validate({"defined": True, "runs": {"public": {"linear": [[784, 512]]}}}, MODEL_SCHEMA)
    with pytest.raises(InvalidObservation):
        validate({"defined": True, "surprise": 1}, MODEL_SCHEMA)
    with pytest.raises(InvalidObservation):                # no float holds it (a two-hundred-and-twelfth review)
        validate([[1.5, 10**400]], List(List(NUMBER, 4), 4))
    from grader.child import wire
    with pytest.raises(wire.InvalidMessage):
        wire.decode(b"[1" + b"0" * 400 + b"]")
    assert wire.decode(b"[18446744073709551615, -3]") == [2**64 - 1, -3]     # a seed, a count
    assert cut("line one\nline two\x00\x1b[31m" + "x" * 500).startswith("line one line two")
    assert len(cut("x" * 500)) == 300 and "\n" not in cut("a\nb")


def test_a_reply_of_megabytes_of_text_is_cut_without_walking_it_all():
    """Review 466: a forged "executed" reply whose `error` held 3.17 million `Ā` (6.3 MB, under the reply's cap) took
    the grader's process to 355 MB: `cut` made a string of each character before shortening the line (Python keeps
    no shared copy of those above U+00FF). It reads a piece at a time now, only as far as the line needs, and cuts
    as before (the same line on 20,000 random texts of blanks, controls and wide characters)."""
    import random
    import tracemalloc

    def as_before(text, limit=300):
        line = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
        return line if len(line) <= limit else line[: limit - 1] + "…"
    huge = "\u0100" * 3_170_000
    tracemalloc.start()
    try:
        assert cut(huge) == "\u0100" * 299 + "…"
        assert tracemalloc.get_traced_memory()[1] < 20_000_000          # 250 MB before
    finally:
        tracemalloc.stop()
    assert cut(" " * 2_000_000 + "end") == "end"
    rng = random.Random(466)
    alphabet = [" ", "\t", "\n", "a", "\u0100", "\x00", "\u2028", "\u3000", "\x85", "\x1c", "\U0001f642", "\u200b"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 50, 299, 300, 301, 700, 5000])))
        limit = rng.choice([1, 2, 10, 300])
        assert cut(text, limit) == as_before(text, limit), (text[:40], limit)


def _seconds_to_cut_off_a_trickled_reply(watch_s: float, trickle_s: float) -> float:
    """How long the grader reads a reply whose bytes keep arriving one at a time for ``trickle_s``
    (long enough to tell, short enough to end), due 0.3 s after the start, with a watch that takes
    ``watch_s`` a pass; it must end in a timeout."""
    import socket
    import struct
    import threading
    import time

    from grader.child import wire
    grader_end, job_end = socket.socketpair()
    stop = threading.Event()

    def trickle():
        job_end.sendall(struct.pack("!Q", 100_000))
        while not stop.wait(0.01) and time.monotonic() - start < trickle_s:
            job_end.send(b" ")
    start = time.monotonic()
    threading.Thread(target=trickle, daemon=True).start()
    try:
        with pytest.raises(wire.ChannelTimeout):
            wire.recv(grader_end, deadline=start + 0.3, tick=lambda: time.sleep(watch_s), max_bytes=1 << 20)
        return time.monotonic() - start
    finally:
        stop.set()
        grader_end.close()
        job_end.close()


def test_a_reply_that_trickles_in_past_its_deadline_is_cut_off_however_slow_the_watch():
    """A two-hundred-and-thirteenth review: a job kept a byte arriving each time the grader looked,
    and made the grader's watch slow (processes sharing a large mapping), so data was always there
    when the grader looked past the deadline: a cell ran 150 s of its 60 s limit. The grader reads
    past the deadline for `LATE_GRACE_S` at most, data or none."""
    from grader.child import wire
    assert _seconds_to_cut_off_a_trickled_reply(0.12, 8) < 0.3 + wire.LATE_GRACE_S + 1.0


def test_a_watch_pass_the_job_makes_slow_gets_no_grace_of_its_own():
    """A two-hundred-and-sixteenth review held the job's memory-map lock so that one pass of the
    grader's watch (which reads the job's /proc files) took seconds; with the grace counted from when
    the grader next looked, a cell ran about 74 s of its 60 s limit. Watch time past the deadline is
    the job's: here a pass of 2.5 s ends the reply at that pass, not two passes later."""
    assert _seconds_to_cut_off_a_trickled_reply(2.5, 12) < 0.3 + 2.5 + 1.5


def test_a_reply_waiting_when_a_late_grader_looks_is_still_read():
    """The grace counts from when the grader first sees the deadline passed: a grader that could not
    run for a while reads a reply that waits for it (a twenty-fourth review)."""
    import socket
    import time

    from grader.child import wire
    grader_end, job_end = socket.socketpair()
    try:
        job_end.sendall(wire.encode({"ok": 1}))
        assert wire.recv(grader_end, deadline=time.monotonic() - 30) == {"ok": 1}
    finally:
        grader_end.close()
        job_end.close()


def test_the_training_pass_names_what_differs():
    """`grader check` (the public run) says which: eval mode, no gradient, other gradients."""
    import numpy as np

    from grader.checks.models import _training
    ref = {"with_train": np.ones((2, 3)), "with_eval": np.ones((4, 3)), "with_grads": {"3x2": np.ones(2)}}
    same = {"with_train": np.ones((2, 3)), "with_eval": np.ones((4, 3)), "with_grads": {"3x2": np.ones(2)}}
    assert _training(same, ref, 1e-4) == ""
    assert "not when gradients are on" in _training({**same, "with_train": np.zeros((2, 3))}, ref, 1e-4)
    assert "not in eval mode" in _training({**same, "with_eval": np.zeros((4, 3))}, ref, 1e-4)
    assert "get no gradient" in _training({**same, "with_grads": {"3x2": None}}, ref, 1e-4)
    assert "gradients that train the layers are not" in _training({**same, "with_grads": {"3x2": np.zeros(2)}}, ref, 1e-4)
    # Rounded, not detached (a hundred-and-thirty-ninth review: `.half().float()` read "detached?").
    rounded = _training({**same, "with_grads": {"3x2": np.array([1.004, 0.997])}}, ref, 1e-4)
    assert "differ slightly" in rounded and "lower precision" in rounded and "detached" not in rounded
    assert "are not the reference's" in _training({**same, "with_grads": {"3x2": np.array([1.2, 1.0])}}, ref, 1e-4)
    assert _training(same, {}, 1e-4) == ""            # a run without the pass (grade mode's public run)


def test_the_grader_recomputes_a_network_of_other_sizes_as_the_probe_feeds_it():
    """Layers of other sizes hold the probe's weights for those sizes; the grader makes the same
    weights and inputs with numpy and recomputes the output, so the activation is still judged."""
    import base64
    import marshal

    import torch

    from grader import probes
    env = {"__name__": "__probe__", "__builtins__": __builtins__}
    exec(marshal.loads(base64.b64decode(probes.compiled("model"))), env)
    p = {"input_seed": 5, "batch": 3, "input_shape": [1, 4, 4], "mean": 0.1, "std": 0.3, "weight_seed": 2}
    dims = [(16, 7, True), (7, 5, False), (5, 3, True)]
    x = env["_inputs"](p["input_seed"], p["batch"], p["input_shape"], p["mean"], p["std"])
    h = x.reshape(3, -1)
    for i, ((w, b), d) in enumerate(zip(env["_weights"](p["weight_seed"], [d[:2] for d in dims]), dims)):
        h = h @ w.T + (b if d[2] else 0)
        h = torch.relu(h) if i < len(dims) - 1 else h
    model = {"activation": "relu"}
    obs = {"linear": [list(d) for d in dims], "with_own": h.numpy()}
    assert models.own_sizes(model, obs, p, ATOL) == "relu"
    assert models.own_sizes({"activation": "sigmoid"}, obs, p, ATOL) == "relu"   # named, for the message
    assert models.own_sizes(model, {**obs, "with_own": h.numpy() + 2 * ATOL}, p, ATOL) == ""
    assert models.own_sizes(model, {**obs, "linear": [[16, 7, True], [6, 3, True]]}, p, ATOL) is None  # no chain
    assert models.own_sizes(model, obs, None, ATOL) is None


def test_a_forged_network_of_one_very_wide_layer_is_not_recomputed():
    """A fifty-ninth review: 784→1→3,999,600→1→10 stayed under a cap on the weights alone, and the
    grader's own recomputation (an eval batch of 16 through it, in float64) grew it to 1.6 GB. The
    observations are the job's, so a forged reply could ask for it as well: the widest layer is
    capped too, and the grader's memory stays small whatever the reply says."""
    import tracemalloc
    p = {"input_seed": 5, "batch": 4, "input_shape": [1, 28, 28], "mean": 0.1, "std": 0.3, "weight_seed": 2,
         "wide_scale": 20.0, "low_bias": 1e6, "eval_batch": 16}
    wide = [[784, 1, True], [1, 3_999_600, True], [3_999_600, 1, True], [1, 10, True]]
    forged = {"module": True, "linear": wide, "with_own": np.zeros((4, 10)), "own_wide": np.zeros((4, 10)),
              "own_low": np.zeros((4, 10)), "own_train": np.zeros((4, 10)), "own_eval": np.zeros((16, 10)),
              "own_trained": [True] * 4, "outputs": {}}
    assert models.own_network(forged, p) is None
    tracemalloc.start()
    try:
        out = models.judge_run(MODEL, forged, REF, ATOL, params=p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not out["layers"].ok and not out["activations"].ok
    assert peak < 20 * 2**20, peak
    narrow = [[784, 40, True], [40, 30, True], [30, 20, True], [20, 10, True]]   # a wrong size: still recomputed
    assert models.own_network({**forged, "linear": narrow}, p) is not None
    assert models.OWN_LIMITS[1] >= 2048 and models.OWN_LIMITS[0] >= 2 * sum(a * b for a, b in DIMS)
    # An eighty-sixth review: a negative last size brought the sum under the cap, and the layers
    # before it cost 0.9 GB; a size of 0 divided by zero.
    negative = [[784, 4096, True]] + [[4096, 4096, True]] * 6 + [[4096, -30000, True]]
    for dims in (negative, [[784, 0, True], [0, 10, True]]):
        assert models.own_network({**forged, "linear": dims}, p) is None
        tracemalloc.start()
        try:
            out = models.judge_run(MODEL, {**forged, "linear": dims}, REF, ATOL, params=p)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert not out["layers"].ok and peak < 20 * 2**20, peak


MAGIC_IN_A_STRING = '%pwd\na_ = True\nb_ = False\nc_ = True\nd_ = True\ne_ = False\nnote = """\n!""";' \
                    ' a_ = False; b_ = True; note = """\n"""\n'


@pytest.mark.parametrize("source,want", [
    # A seventieth review: a line that starts with `!` inside a string is text to Jupyter; read as a
    # shell line, it traded code and string text, and the grader read True where Jupyter ran False.
    (MAGIC_IN_A_STRING, {"a_": False, "b_": True}),
    # A seventy-second review: IPython strips pasted '... ' prompts, so this is an assignment in
    # Jupyter and a subscript of Ellipsis to plain Python.
    ("a_ = True\n... [a_] = [False]\nb_ = False\n... [b_] = [True]\n", {"a_": False, "b_": True}),
])
def test_answers_are_read_as_jupyter_runs_the_cell(source, want):
    values, error = read_answers(source, list(want))
    assert error == "" and {n: getattr(v, "value", v) for n, v in values.items()} == want


def test_a_cell_of_a_thousand_shell_lines_is_read_at_once():
    """An eighty-eighth review: IPython reads a cell again for each magic it turns, and 1,000
    `x = !ls` lines took 15 s on the thread that reads every notebook (hours for a notebook of them);
    a few, around a string, are still read as IPython reads them."""
    import time
    from grader.magics import without_magics
    many = "\n".join(f"x{i} = !ls" for i in range(1000)) + "\nprint(1\n"
    t0 = time.perf_counter()
    without_magics(many)
    assert time.perf_counter() - t0 < 5.0          # 15 s before; a bound, not a speed target
    assert without_magics("files = !ls\nx = 1\n") == "files = []\nx = 1\n"   # its lines: none, as no shell runs


@pytest.mark.parametrize("source,needle", [
    ("a_ = True\nget_ipython().user_ns['a_'] = False", "also set elsewhere"),
    ("a_ = True\nimport sys as _s\n_s.modules['__main__'].a_ = False", "also set elsewhere"),
    ("a_ = True\nb_, *a_ = False, True", "computed"),
])
def test_answers_set_through_the_namespace_or_a_starred_target_are_not_literals(source, needle):
    values, _ = read_answers(source, ["a_"])
    assert needle in problem("a_", values["a_"])
