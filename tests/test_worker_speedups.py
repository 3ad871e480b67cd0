"""What the speed measures of the worker and the probes must not change (bench/ measures the speed).

The model probe swaps the reference weights into the student's layers instead of copying them,
the worker warms the libraries up before it forks, and the worker's allocator runs with settings
of its own: none of this may change an observation, a random draw or what student code sees.
"""
from __future__ import annotations

import base64
import marshal
import random

import numpy as np
import pytest
import torch
from torch import nn

from grader import probes
from grader.child import server
from grader.engines import CellJob, default_workers

NET = '''
class Net(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(d_in, 8), nn.Linear(8, d_out)

    def forward(self, x):
        return self.fc2(torch.sigmoid(self.fc1(x.view(x.shape[0], -1))))
'''


def _run(**over):
    run = {"args": [16, 3], "seeds": [66], "input_seed": 1, "batch": 4, "input_shape": [1, 4, 4],
           "weight_seed": 2, "linear": [[16, 8], [8, 3]], "activation": "sigmoid", "sample_seed": 3,
           "sample_k": 4, "mean": 0.1, "std": 0.3}
    return {**run, **over}


@pytest.fixture
def model_probe():
    env = {"__name__": "__probe__", "__builtins__": __builtins__}
    exec(marshal.loads(base64.b64decode(probes.compiled("model"))), env)
    return env


def _student_ns():
    ns = {"nn": nn, "torch": torch}
    exec(NET, ns)
    return ns


def _fresh(ns, seed):
    torch.manual_seed(seed)
    return ns["Net"](16, 3)


def test_the_reference_weights_leave_the_students_model_as_built(model_probe):
    """The public run puts the reference weights into the model built under seed 66; the hidden
    run then calls that same model (kept between runs) with its own weights, which must be the
    ones torch gave it, not the reference's."""
    ns = _student_ns()
    public = {"defines": "Net", "runs": {"public": _run()}}
    hidden_run = _run(seeds=[66, 777], input_seed=9, batch=5)
    hidden = {"defines": "Net", "runs": {"hidden": hidden_run}}
    obs_public = model_probe["observe"](ns, public)["runs"]["public"]
    built, _ = model_probe["_BUILT"][66]
    fresh = _fresh(ns, 66)
    for mine, theirs in zip(built.parameters(), fresh.parameters()):
        assert torch.equal(mine, theirs)
    obs_hidden = model_probe["observe"](ns, hidden)["runs"]["hidden"]
    x = model_probe["_inputs"](9, 5, [1, 4, 4], 0.1, 0.3)
    with torch.no_grad():
        assert torch.equal(obs_hidden["outputs"]["66"], fresh(x))
        assert torch.equal(obs_hidden["outputs"]["777"], _fresh(ns, 777)(x))
    # ... and the reference weights did reach the layers: the output is the reference MLP's.
    (w1, b1), (w2, b2) = model_probe["_weights"](2, [[16, 8], [8, 3]])

    def reference(seed, batch):
        x = model_probe["_inputs"](seed, batch, [1, 4, 4], 0.1, 0.3).reshape(batch, -1)
        return torch.sigmoid(x @ w1.T + b1) @ w2.T + b2

    assert obs_public["copied"] == obs_hidden["copied"] == "shape"
    assert torch.allclose(obs_public["with_weights"], reference(1, 4), atol=1e-6)
    assert torch.allclose(obs_hidden["with_weights"], reference(9, 5), atol=1e-6)


def test_a_layer_whose_weights_were_swapped_keeps_its_parameter_object(model_probe):
    """An optimizer or a hook holding the student's Parameter objects still holds the model's
    parameters after the reference weights went in and out."""
    ns = _student_ns()
    model = _fresh(ns, 5)
    params = [id(p) for p in model.parameters()]
    lins = model_probe["_linears"](model)
    saved = [(m.weight.data, m.bias.data) for m in lins]
    assert model_probe["_copy_weights"](lins, model_probe["_weights"](2, [[16, 8], [8, 3]])) == "shape"
    assert [id(p) for p in model.parameters()] == params
    assert not torch.equal(lins[0].weight, saved[0][0])
    assert all(p.requires_grad for p in model.parameters())


def test_warming_up_leaves_every_random_state_as_it_was():
    random.seed(11)
    np.random.seed(12)
    torch.manual_seed(13)
    before = random.random(), np.random.random(), torch.rand(1).item()
    random.seed(11)
    np.random.seed(12)
    torch.manual_seed(13)
    server.warm_up()
    assert (random.random(), np.random.random(), torch.rand(1).item()) == before


def test_a_job_does_not_see_the_workers_allocator_settings(engine):
    [out] = engine.run([CellJob("env", "import os\nprint(sorted(k for k in os.environ if 'GLIBC' in k or 'MALLOC' in k))")])
    assert out.error == ""
    assert out.output.strip() == "[]"


def test_one_worker_more_than_cores_by_default(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert default_workers() == 3
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert default_workers() == 2


def test_a_job_collects_garbage_although_the_worker_started_without_collecting(engine):
    """The worker imports its libraries with the collector off; its jobs must collect as usual
    (cycles a student's cell makes are freed), with the job's own threshold."""
    cell = ("import gc, weakref\n"
            "class Node:\n    pass\n"
            "a, b = Node(), Node()\na.other, b.other = b, a\nprobe = weakref.ref(a)\ndel a, b\n"
            "gc.collect()\n"
            "print(gc.isenabled(), gc.get_threshold()[0], probe() is None)")
    [out] = engine.run([CellJob("gc", cell)])
    assert out.error == ""
    assert out.output.strip() == "True 20000 True"
