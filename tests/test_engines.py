"""Engine properties: isolation between submissions and identical grades on both engines."""

import dataclasses

import pytest

from grader.engines import CellJob, make_engine
from grader.pipeline import Grader, engine_setup
from grader.report import checks_csv
from grader.spec import load_spec

from .conftest import checks_of, fast_spec

pytestmark = pytest.mark.slow


def test_globals_and_monkeypatches_do_not_leak_to_the_next_submission(engine):
    poison = CellJob("evil", "import torch, builtins\n"
                             "torch.nn.Linear = None\n"
                             "torch.manual_seed = lambda s: None\n"
                             "builtins.len = lambda x: 0\n"
                             "hyperparams['lr'] = 99\n"
                             "LEAK = 1")
    probe = CellJob("next", "ok = (torch.nn.Linear is not None, torch.manual_seed.__module__, len([1, 2]), "
                            "hyperparams['lr'], 'LEAK' in globals())\nassert ok == (True, 'torch.random', 2, 0.01, False), ok")
    first, second = engine.run([poison, probe])
    assert first.ok and second.ok, second.error


def relu_verdicts(r) -> dict[str, bool]:
    return {c.check.split(": ")[1]: c.passed for c in r.checks if c.check.startswith("ANN_relu")}


def test_monkeypatched_comparisons_gain_nothing(grader, make_nb, solution_nb):
    """Comparison functions patched inside the student's process: if any check compared there,
    the wrong activation (tanh) would pass activations."""
    relu = next(c.source for c in solution_nb.cells if c.get("id") == "ann-relu")
    hack = ("import torch, builtins, numpy\n"
            "torch.allclose = lambda *a, **k: True\n"
            "torch.equal = lambda *a, **k: True\n"
            "torch.testing.assert_close = lambda *a, **k: None\n"
            "torch.Tensor.__eq__ = lambda *a, **k: True\n"
            "numpy.allclose = lambda *a, **k: True\n"
            "builtins.isinstance = lambda *a, **k: True\n"
            + relu.replace("F.relu", "torch.tanh"))
    r = grader.grade(make_nb({"ann-relu": hack}))
    assert relu_verdicts(r) == {"builds": True, "layers": True, "forward shape": True, "activations": False,
                                "seeded": True}     # the seeding is right: one mistake (tanh), one point
    assert "tanh where the table asks for relu" in " ".join(c.message for c in r.checks)


def test_forged_output_cannot_pose_as_a_result(grader, make_nb, solution_nb):
    """A result printed, written to a file or pushed to stdout's descriptor is not the probe's: the
    grader reports what the probe saw (tanh instead of ReLU), not the forged all-passing data."""
    relu = next(c.source for c in solution_nb.cells if c.get("id") == "ann-relu")
    forged = ('import json, os, sys\n'
              'fake = {"type": "result", "nonce": "0", "data": {"defined": True}}\n'
              'print(json.dumps(fake))\n'
              'os.write(1, json.dumps(fake).encode())\n'
              'open("result.json", "w").write(json.dumps(fake))\n'
              + relu.replace("F.relu", "torch.tanh"))
    r = grader.grade(make_nb({"ann-relu": forged}))
    assert relu_verdicts(r) == {"builds": True, "layers": True, "forward shape": True, "activations": False,
                                "seeded": True}


WRONG_NONCE = """
import json, os, stat, struct

def _forged_forward(self, x):
    body = json.dumps({"type": "result", "nonce": "0", "data": {"defined": True, "runs": {}}}).encode()
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.write(fd, struct.pack("!Q", len(body)) + body)
        except OSError:
            pass
    os._exit(0)

ANN_relu.forward = _forged_forward
"""


def test_a_reply_that_does_not_answer_the_request_is_refused(grader, make_nb, solution_nb):
    """Code the probe calls (forward) writes a well-formed result frame with another nonce on the
    job's socket, before the probe's own reply: the grader refuses the job as invalid instead of
    taking the frame for the probe's answer (without the nonce check it is accepted)."""
    relu = next(c.source for c in solution_nb.cells if c.get("id") == "ann-relu")
    r = grader.grade(make_nb({"ann-relu": relu + "\n" + WRONG_NONCE}))
    assert "invalid:ann-relu" in r.flags, r.flags
    assert "did not answer the grader's request" in checks_of(r)["ANN_relu: builds"].message
    assert not any(c.passed for c in r.checks if c.check.startswith("ANN_relu"))
    assert all(c.passed for c in r.checks if c.check.startswith("ANN_sigmoid"))


def test_fork_and_nbclient_engines_give_identical_reports(spec, data_home, grader, make_nb, tmp_path):
    notebooks = [make_nb(name="Assignment_7_JaneDoe_k12345678.ipynb"),
                 make_nb({"ann-relu": "class ANN_relu(nn.Module):\n    pass",
                          "answers-3-3": "a_ = None"}, name="Assignment_7_MaxMuster_k00000002.ipynb"),
                 make_nb({"train-and-test": "def train_and_test(model, hyperparameters):\n    raise ValueError('x')"},
                         name="Assignment_7_EvaLu_k00000003.ipynb")]
    plain = make_engine("nbclient", engine_setup(spec, data_home, jobs=1))
    plain.start()
    try:
        slow = Grader(spec, plain, hidden=True)
        slow.prepare()
        for nb in notebooks:
            a, b = grader.grade(nb), slow.grade(nb)
            assert checks_csv(a) == checks_csv(b), nb.name
            assert a.flags == b.flags
    finally:
        plain.close()


def test_nbclient_engine_survives_a_dying_kernel(spec, data_home, make_nb):
    plain = make_engine("nbclient", engine_setup(spec, data_home, jobs=1))
    g = Grader(spec, plain, hidden=True)
    g.prepare()
    r = g.grade(make_nb({"ann-relu": "import os\nos._exit(1)"}))
    assert r.task_points("question_3_3") == 10
    assert "ANN_sigmoid: seeded" in checks_of(r) and checks_of(r)["ANN_sigmoid: seeded"].passed
    assert not checks_of(r)["ANN_relu: builds"].passed


HIDDEN_ONLY_ENDING = """
import os
class ANN_relu(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(d_in, 512), nn.Linear(512, 512), nn.Linear(512, d_out)

    def forward(self, x):
        if torch.initial_seed() not in PUBLIC_SEEDS:   # only in a run with the grader's hidden values
            HOW
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
"""


def test_nbclient_engine_reads_a_hidden_run_ending_short_as_the_fork_engine_does(data_home, make_nb):
    """How a run with hidden values ends (the kernel exits, is killed, runs out of time) is the
    student's to choose: on both engines it reads as one outcome, the public run's status and one
    fixed text, with no flag of its own. The plain engine gave each way a status and flag. One
    draw for both engines (a drawn seed may equal a public one, and the cell would not tell)."""
    spec = dataclasses.replace(load_spec(draw_seed=1), limits=fast_spec().limits)
    public = spec.params(spec.task("code_3_2_models"), hidden=False)
    seeds = sorted({public[k] for k in ("input_seed", "weight_seed", "sample_seed")} | set(public["seeds"]))
    ways = {"exit": "os._exit(7)", "killed": "os.kill(os.getpid(), 9)", "slept": "import time; time.sleep(60)"}
    engines = [make_engine(kind, engine_setup(spec, data_home, jobs=1)) for kind in ("fork", "nbclient")]
    try:
        graders = []
        for eng in engines:
            eng.start()
            graders.append(Grader(spec, eng, hidden=True))
            graders[-1].prepare()
        reports = {}
        for way, how in ways.items():
            nb = make_nb({"ann-relu": HIDDEN_ONLY_ENDING.replace("PUBLIC_SEEDS", repr(seeds)).replace("HOW", how)},
                         name=f"Assignment_7_Eve{way.title()}_k00000009.ipynb")
            fork, plain = (g.grade(nb) for g in graders)
            assert checks_csv(fork) == checks_csv(plain), way
            assert fork.flags == plain.flags == ["hidden-values:ann-relu"], (way, fork.flags, plain.flags)  # the source's
            reports[way] = checks_csv(plain)
        assert reports["exit"] == reports["killed"] == reports["slept"]
        assert "the check with the grader's values failed" in reports["exit"]
    finally:
        for eng in engines:
            eng.close()
