"""Model classes (ANN_sigmoid, ANN_relu) compared with the reference, check by check.

Five independent checks per class, so one mistake costs the checks it breaks: it builds, its
layers, its output shape, its activations (the reference weights copied into the student's layers
by shape: a sigmoid/ReLU mix-up, a final softmax or missing biases is named) and its seeded
outputs (hard-coded outputs, another order of creation). Nothing the student's process reports is
a verdict: every check needs evidence that only a real computation gives, either the layers'
initial weights as torch draws them after the seed, or an output of the network the grader can
recognise. In grade mode points come from the hidden run; messages from the public one, so no
message depends on a hidden seed, input or batch size.
"""
from __future__ import annotations

import re

import numpy as np

from ..engines import CellJob
from ..results import CheckResult
from .context import (
    Context,
    Verdict,
    cell_failure,
    combine,
    failed,
    raised_note,
    usable,
    with_note,
)

CHECKS = ("builds", "layers", "forward_shape", "activations", "seeded")
DIAGNOSES = {
    "softmax": "forward applies softmax to the output; return the last layer's raw output "
               "(the loss applies log-softmax itself)",
    "log_softmax": "forward applies log_softmax to the output; return the last layer's raw output",
    "final_activation": "forward applies the activation after the last layer too; return the last "
                        "layer's output as it is",
    "none": "there is no activation between the layers; add one after each hidden layer",
}


def diagnosis(variant: str, default: str = "") -> str:
    """What a student reads for a mistake the reference's variants name."""
    if variant.startswith("output:"):
        return (f"forward applies {variant.split(':', 1)[1]} to the output; return the last layer's raw output (an "
                f"activation goes after each hidden layer only)")
    return DIAGNOSES.get(variant, default)


# What a student reads when a check passes with the public values but not with the grader's
# hidden ones: fixed texts, so nothing derived from a hidden value can appear in them.
HIDDEN_ONLY = {
    "builds": "builds with the public values but not with the grader's: build the model from its "
              "arguments only",
    "layers": "right with the public seed but not with the grader's: create the layers in __init__ from "
              "d_in and d_out, not from stored values, and train no parameters besides them",
    "forward_shape": "right for the public batch but not for the grader's: compute the output from the "
                     "input batch (no fixed batch size)",
    "activations": "right with the public inputs but not in the grader's own checks (its inputs, gradients on as "
                   "in training, eval mode): compute the output from the input with every layer, the same way "
                   "with and without gradients and in both modes (no fixed or stored values); `grader check` "
                   "makes the calls with gradients on and in eval mode with the public inputs, and names what "
                   "differs there",
    "seeded": "right with the public seed but not with the grader's seeds and inputs: create the layers "
              "after the seed with nn.Linear's default initialisation and compute the output from the "
              "input (no fixed or stored values, no seed of your own)",
}


def _run_params(task, ctx: Context, model: dict, hidden: bool) -> dict:
    p = ctx.spec.params(task, hidden=hidden)
    data = ctx.spec.data
    return {"args": list(model["args"]), "seeds": [int(s) for s in p["seeds"]], "input_seed": p["input_seed"],
            "batch": p["batch"], "input_shape": list(model["input_shape"]), "weight_seed": p["weight_seed"],
            "linear": [list(d) for d in model["linear"]], "activation": model["activation"],
            "sample_seed": p["sample_seed"], "sample_k": p["sample_k"], "mean": data["mean"], "std": data["std"],
            "wide_scale": float(p.get("wide_scale", 0)), "low_bias": float(p.get("low_bias", 0)),
            "own_limits": list(OWN_LIMITS)}


def probe_params(task, ctx: Context, model: dict) -> dict:
    runs = {"public": _run_params(task, ctx, model, False)}
    if ctx.hidden:
        runs["hidden"] = _run_params(task, ctx, model, True)
        # The passes with gradients on and in eval mode decide points only: in grade mode the hidden
        # run makes them, and the public run (which words messages) is spared them (4 % of a notebook).
        runs["public"]["training_pass"] = False
    return {"defines": model["defines"], "runs": runs}


def plan(task, ctx: Context):
    jobs = []
    for model in task.cfg["models"]:
        found = ctx.find_code(model["cell"], model["defines"])
        jobs.append(CellJob(model["cell"], found.cell.source, "model", probe_params(task, ctx, model))
                    if found.cell else None)
    return jobs


def reference_jobs(task, ctx: Context):
    source = ctx.spec.file("reference").read_text()
    return [CellJob("reference", source, "model", probe_params(task, ctx, m), trusted=True)
            for m in task.cfg["models"]]


def close(a, b, atol: float) -> bool:
    """Same shape and every value within atol (no relative slack: outputs are O(1))."""
    if a is None or b is None:
        return False
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol, rtol=0, equal_nan=False))


def _dims(dims) -> str:
    return ", ".join(f"{a}→{b}" for a, b, *_ in dims) if dims else "none"


def evidence(obs: dict, ref: dict, atol: float) -> bool:
    """Did the student's process really build and run torch layers? Either a layer holds the
    weights torch gives that shape right after the seed, or an output is one the grader knows."""
    options = {tuple(shape): vals for shape, vals in ref.get("init_options", [])}
    for (d_in, d_out, _), (w, _b) in zip(obs.get("linear") or [], obs.get("init") or []):
        if any(close(w, v, 1e-7) for v in options.get((d_in, d_out), [])):
            return True
    mine = obs.get("with_weights")
    if mine is not None and any(close(mine, v, atol) for v in ref.get("variants", {}).values()):
        return True
    outs = obs.get("outputs") or {}
    return any(close(outs.get(s), v, atol) for s, v in (ref.get("outputs") or {}).items())


def trains_every_layer(obs: dict, ref: dict) -> bool:
    """Does the output depend on every layer as a network's does: with the reference weights, each
    layer's weights get a gradient of at least a thousandth of the reference's? A forward that
    computes something else with one weight (`x[:, :10] * w[0, 0]`, a forty-fifth review) is not
    one mistake in a network, and its seeding is not seen."""
    want, mine = ref.get("with_grads") or {}, obs.get("with_grads") or {}
    if not want:
        return True                   # a reference without gradients (an older bundle): as before
    for k, v in want.items():
        if v is None:
            continue
        theirs, got = float(np.linalg.norm(np.asarray(v, float))), mine.get(k)
        if got is None or not float(np.linalg.norm(np.asarray(got, float))) >= 1e-3 * theirs:
            return False
    return True


def _np_inputs(p: dict) -> np.ndarray:
    """The probe's inputs (``_inputs`` in probes/model.py), made here with the same generator."""
    rng = np.random.default_rng(int(p["input_seed"]))
    x = rng.random((int(p["batch"]), *[int(s) for s in p["input_shape"]]), dtype=np.float32)
    return ((x - np.float32(p["mean"])) / np.float32(p["std"])).astype(np.float64)


def _np_weights(seed: int, dims) -> list[tuple[np.ndarray, np.ndarray]]:
    """The probe's weights for layers of these sizes (``_weights`` in probes/model.py, which the
    grader cannot import: it is a job's torch code; a test holds the two equal)."""
    rng = np.random.default_rng(int(seed))
    out = []
    for d_in, d_out in dims:
        bound = 1.0 / float(d_in) ** 0.5
        w, b = rng.random((d_out, d_in), dtype=np.float32), rng.random((d_out,), dtype=np.float32)
        for t in (w, b):
            t *= 2 * bound
            t -= bound
        out.append((w.astype(np.float64), b.astype(np.float64)))
    return out


_NP_ACTIVATIONS = {"sigmoid": lambda h: 0.5 * (1 + np.tanh(0.5 * h)), "relu": lambda h: np.maximum(h, 0),   # no overflow
                   "tanh": np.tanh, "none": lambda h: h, "leaky_relu": lambda h: np.where(h > 0, h, 0.01 * h)}


# The largest network of other sizes than the table's that the grader recomputes: weights in all,
# widest layer. Its weights and a batch's activations are float64 in the grader's process (a
# fifty-ninth review: 784→1→3,999,600→1→10 passed a cap on the weights alone, and an eval batch
# of 16 through it took the grader to 1.6 GB). The job is told the same limits.
OWN_LIMITS = (3_000_000, 4096)


def own_network(obs: dict, params: dict | None):
    """The network of the student's layers of other sizes with the grader's weights for them (the
    function ``_np_mlp`` gives), or None when they are no chain from the input to an output or were
    not observed. Made once per run: its weights are megabytes (``judge_run``)."""
    dims = [tuple(d) for d in obs.get("linear") or []]
    # Sizes of at least 1: a forged (4096, -30000) brought the sum under the cap, and the layers before
    # it cost the grader 0.9 GB a notebook (an eighty-sixth review); 0 divided by zero.
    if any(a < 1 or b < 1 for a, b, *_ in dims):
        return None
    if obs.get("with_own") is None or params is None or not dims or len(dims) > 8 \
            or dims[0][0] != int(np.prod(params["input_shape"])) \
            or any(a[1] != b[0] for a, b in zip(dims, dims[1:])) or sum(a * b for a, b, _ in dims) > OWN_LIMITS[0] \
            or max(b for _, b, _ in dims) > OWN_LIMITS[1]:
        return None
    return _np_mlp(_np_weights(params["weight_seed"], [d[:2] for d in dims]), dims)


def own_sizes(model: dict, obs: dict, params: dict | None, atol: float, mlp=None) -> str | None:
    """Layers of other sizes than the table's hold the grader's weights for those sizes: which
    network does the output come from? The activation's name (``model["activation"]`` when right),
    a mistake of ``DIAGNOSES``, "" for none the grader knows, None when not observed. The grader
    recomputes the output itself, so only a forward that computes it passes (a wrong first hidden
    size had cost all five checks: nothing could be confirmed)."""
    mlp = mlp or own_network(obs, params)
    if mlp is None:
        return None
    mine = obs["with_own"]
    x = _np_inputs(params).reshape(int(params["batch"]), -1)
    act = model["activation"]
    outs = {a: mlp(x, a) for a in _NP_ACTIVATIONS}
    own = outs[act]
    e = np.exp(own - own.max(axis=-1, keepdims=True))
    outs["softmax"] = e / e.sum(axis=-1, keepdims=True)
    outs["log_softmax"] = np.log(outs["softmax"])
    outs["final_activation"] = _NP_ACTIVATIONS[act](own)
    return next((v for v in [act, *outs] if close(mine, outs[v], atol)), "")


def _np_mlp(weights, dims):
    """The network of these layers (``dims``: in, out, has a bias) with the given weights; ``act``
    names the activation after every hidden layer, or is a list of one per hidden layer."""
    def mlp(x: np.ndarray, act, first_bias: float = 0.0) -> np.ndarray:
        acts = [act] * (len(weights) - 1) if isinstance(act, str) else list(act)
        h = x
        for i, ((w, b), d) in enumerate(zip(weights, dims)):
            h = h @ w.T + ((b - (first_bias if i == 0 else 0.0)) if d[2] else 0)
            if i < len(weights) - 1:
                h = _NP_ACTIVATIONS[acts[i]](h)
        return h
    return mlp


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")


def one_activation(model: dict, obs: dict, params: dict | None, atol: float) -> str:
    """The one hidden layer whose activation is another than the table's, found by recomputing
    the reference network here with each other activation after each hidden layer in turn; ''
    when no such network gives the output (a fair-grading review: a tanh after one layer only got
    "the output differs (largest difference 0.241)")."""
    dims = [tuple(d) for d in model["linear"]]
    got = [tuple(d) for d in obs.get("linear") or []]
    if params is None or obs.get("with_weights") is None or sorted(d[:2] for d in got) != sorted(dims) \
            or not all(d[2] for d in got) or len(dims) - 1 > len(_ORDINALS):
        return ""
    act = model["activation"]
    mlp = _np_mlp(_np_weights(params["weight_seed"], dims), [(a, b, True) for a, b in dims])
    x = _np_inputs(params).reshape(int(params["batch"]), -1)
    for i in range(len(dims) - 1):
        for other in (a for a in _NP_ACTIVATIONS if a != act):
            acts = [act] * (len(dims) - 1)
            acts[i] = other
            if close(obs["with_weights"], mlp(x, acts), atol):
                layer = f"the {_ORDINALS[i]} layer ({dims[i][0]}→{dims[i][1]})"
                if other == "none":
                    return f"there is no activation after {layer}; use {act} after each hidden layer"
                return f"the activation after {layer} is {other}, not {act}; use {act} after each hidden layer"
    return ""


def own_beyond(model: dict, obs: dict, params: dict, atol: float, mlp=None) -> str:
    """Layers of other sizes whose output is the task's activation on ordinary inputs: the same
    further passes as with the reference weights, recomputed here (inputs x wide_scale, the first
    biases lowered, gradients on, eval mode on another batch, every layer reached by training);
    '' when all agree (a fifty-third review: ReLU6, and zeros while training, passed by a wrong size)."""
    act, dims = model["activation"], [tuple(d) for d in obs["linear"]]
    w = "the grader's weights in your layers (of other sizes: see layers)"
    mlp = mlp or own_network(obs, params)
    x = _np_inputs(params).reshape(int(params["batch"]), -1)
    wide, low = float(params.get("wide_scale") or 0), float(params.get("low_bias") or 0)
    if wide and not close(obs.get("own_wide"), mlp(x * wide, act), atol):
        return BEYOND["wide"].format(w=w, act=act)
    if low and not close(obs.get("own_low"), mlp(x, act, low), atol):
        return BEYOND["low"].format(w=w, act=act)
    if not params.get("training_pass", True):
        return ""
    if obs.get("grads_error") or not close(obs.get("own_train"), mlp(x, act), atol):
        return BEYOND["train"].format(w=w)
    batch = int(params.get("eval_batch", 16))
    x16 = _np_inputs({**params, "input_seed": int(params["input_seed"]) + 1, "batch": batch}).reshape(batch, -1)
    if not close(obs.get("own_eval"), mlp(x16, act), atol):
        return BEYOND["eval"].format(w=w)
    trained = obs.get("own_trained")
    if not isinstance(trained, list) or len(trained) != len(dims) or not all(trained):
        return BEYOND["frozen"].format(w=w)
    return ""


def judge_run(model: dict, obs: dict, ref: dict, atol: float, explain=lambda e: e,
              params: dict | None = None, written: bool = False) -> dict[str, Verdict]:
    """The five checks on one run's observations (pure: used for the public and hidden run).
    ``explain`` adds what the course's rules say about an error's usual cause; ``params`` are the
    run's probe parameters (to recompute the output of layers of other sizes)."""
    name, args = model["defines"], ", ".join(str(a) for a in model["args"])
    if obs.get("build_error"):
        if str(obs["build_error"]).startswith("NotImplementedError") and written:
            # Code written above the placeholder, which was left (a hundred-and-fifth review: "not
            # written yet" for a class whose layers were all there).
            where = re.search(r"\(line \d+ of cell [^)]*\)", str(obs["build_error"]))
            return {c: Verdict(False, f"`{name}` still raises the template's NotImplementedError"
                                      f"{' ' + where.group(0) if where else ''}: delete the placeholder line "
                                      f"`raise NotImplementedError()` below your code") for c in CHECKS}
        if str(obs["build_error"]).startswith("NotImplementedError"):
            # The template's placeholder, said as train_and_test's is (a seventy-sixth review read a
            # bare "raised NotImplementedError (line 4 of cell ann-sigmoid)").
            return {c: Verdict(False, f"`{name}` is not written yet: it raises NotImplementedError, the template's "
                                      f"placeholder; write the class") for c in CHECKS}
        return {c: Verdict(False, f"`{name}({args})` raised {explain(obs['build_error'])}") for c in CHECKS}
    if not obs.get("module"):
        why = (f"`{name}` must inherit from nn.Module (class {name}(nn.Module)) and call "
               f"super().__init__()")
        return {c: Verdict(False, why if c == "builds" else "skipped: the class is not an nn.Module")
                for c in CHECKS}
    net = own_network(obs, params)
    other = own_sizes(model, obs, params, atol, net)
    real = evidence(obs, ref, atol) or bool(other)
    unconfirmed = ("the grader found nothing it could confirm: no nn.Linear layer holds the weights torch "
                   "gives it after the seed, and no output is one a network of this task computes")
    out: dict[str, Verdict] = {"builds": Verdict(real, f"`{name}({args})` builds an nn.Module" if real else
                                                 f"`{name}({args})` builds, but {unconfirmed}")}
    out["layers"] = _layers(model, obs, real, unconfirmed)
    out["forward_shape"] = _forward_shape(model, obs if not obs.get("forward_error") else
                                          {**obs, "forward_error": explain(obs["forward_error"])}, ref, real, unconfirmed)
    if not out["forward_shape"].ok:
        obs = _batch_by_classes(obs)
    out["activations"] = _activations(model, obs, ref, atol, other, params)
    if other == model["activation"] and out["activations"].ok and len(obs.get("linear") or []) >= 2:
        beyond = own_beyond(model, obs, params, atol, net)
        if beyond:
            out["activations"] = Verdict(False, beyond)
    # A mistake at the output (a final softmax, an activation after the last layer) changes the
    # seeded outputs too: say so, instead of suggesting another order of creation.
    act = model["activation"]
    named = next((v for v, t in ref.get("variants", {}).items()
                  if v not in (act, "nobias") and not v.startswith("bias:") and close(obs.get("with_weights"), t, atol)),
                 None)
    out["seeded"] = _seeded(obs, ref, atol, diagnosis(named) if named else "",
                            _at_the_output(named, act),
                            not out["activations"].ok and computes(obs, ref, atol) and same_init(obs, ref)
                            and (named is not None or trains_every_layer(obs, ref)))
    if not out["seeded"].ok and not out["seeded"].message.startswith("not checked"):
        # Where the output or the layers are not the task's, the seeding cannot be seen: say that,
        # not "create the layers in the table's order" (a student's review: bias=False, a 1024x1024
        # layer, a tuple returned and a forward without `return` all got that advice).
        got, want = [tuple(d[:2]) for d in obs.get("linear") or []], [tuple(d) for d in model["linear"]]
        if not real:
            out["seeded"] = Verdict(False, "not checked, so no point: nothing the grader could confirm (see builds)")
        elif not out["forward_shape"].ok:
            out["seeded"] = Verdict(False, "not checked, so no point: forward gives no output of the task's shape to compare "
                                           "(see forward shape)")
        elif got == want and not all(d[2] for d in obs["linear"]):
            out["seeded"] = Verdict(False, "not checked, so no point: layers without bias draw other initial weights after the "
                                           "seed than the table's layers (see layers)")
        elif sorted(got) != sorted(want):
            out["seeded"] = Verdict(False, "not checked, so no point: the layers are not the table's (see layers), so their "
                                           "initial weights after the seed cannot be the reference's")
        elif got != want:
            # Both causes at once (a ninetieth review: a final softmax was named, and once removed,
            # the order of creation next: two rounds of `grader check` for one check).
            also = diagnosis(named) if named else ""
            out["seeded"] = Verdict(False, "built right after torch.manual_seed(...), the outputs differ from the "
                                           "reference's: the layers are created in another order than the table's, so "
                                           "they draw other initial weights after the seed (see layers)"
                                    + (f"; and, as activations names, {also}" if also else ""))
    return out


def computes(obs: dict, ref: dict, atol: float) -> bool:
    """Does forward compute from its input and its layers? Its output must change when the layers
    hold the reference's weights instead of their own, and when the input grows (x 20): a forward
    that returns zeros, a constant or the input itself has no seeding to check (the thirty-first
    review: correct layers and `return torch.zeros(...)` earned seeded)."""
    mine = obs.get("with_weights")
    own = next(iter((obs.get("outputs") or {}).values()), None)
    if mine is None or own is None or np.shape(mine) != np.shape(own) or close(mine, own, atol):
        return False
    if ref.get("with_wide") is None:
        return True
    if _normalises(obs):
        # Blind to the input's scale, not to the input: inputs that differ give rows that differ
        # (a seventy-second review: a LayerNorm multiplied by 0 and an input never read).
        rows = np.asarray(mine, float).reshape(len(mine), -1) if np.ndim(mine) else np.zeros((1, 1))
        return len(rows) > 1 and not all(close(rows[0], r, atol) for r in rows[1:])
    return obs.get("with_wide") is not None and not close(obs["with_wide"], mine, atol)


_NORMS = ("BatchNorm", "LayerNorm", "GroupNorm", "InstanceNorm")


def _normalises(obs: dict) -> bool:
    """A normalisation layer whose parameters training reaches: its output does not change when the
    input is scaled (a batch normalisation after the first layer, in training mode), so the input
    x 20 pass shows no computation (a seventy-first review: BatchNorm after layer 1 lost seeded)."""
    return any(any(n in str(k) for n in _NORMS) for k in obs.get("kinds") or []) and bool(obs.get("extra_params"))


def same_init(obs: dict, ref: dict) -> bool:
    """Do the layers, built right after the seed, hold the weights and biases the reference's
    layers hold (sampled where the run's parameters say)? Only torch's own initialisation of the
    table's layers, created in its order, gives them."""
    if not ref.get("init") or [tuple(d) for d in obs.get("linear") or []] != [tuple(d) for d in ref.get("linear") or []]:
        return False
    builds = [(obs.get("init"), ref["init"])] + [((obs.get("init_seeded") or {}).get(s), theirs)
                                                for s, theirs in (ref.get("init_seeded") or {}).items()]
    for mine, theirs in builds:        # under every seed of the run (a seed of one's own differs)
        if mine is None or len(mine) != len(theirs) or not all(
                close(w, rw, 1e-7) and (b is None) == (rb is None) and (b is None or close(b, rb, 1e-7))
                for (w, b), (rw, rb) in zip(mine, theirs)):
            return False
    return True


def _at_the_output(variant: str | None, act: str):
    """The output mistake ``activations`` named, as a function of the right network's output (the
    grader applies it to the reference's seeded outputs): seeding is then still checked, and the
    one mistake costs ``activations`` only (a new TA's review: a final log_softmax cost both)."""
    def softmax(x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def log_softmax(x):
        m = x.max(axis=-1, keepdims=True)
        return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))
    plain = {"sigmoid": lambda x: 1 / (1 + np.exp(-x)), "relu": lambda x: np.maximum(x, 0), "tanh": np.tanh}
    after = {"softmax": softmax, "log_softmax": log_softmax, "final_activation": plain.get(act),
             **{f"output:{a}": f for a, f in plain.items()}}
    return after.get(variant or "")


def _layers(model: dict, obs: dict, real: bool, unconfirmed: str) -> Verdict:
    want = [tuple(d) for d in model["linear"]]
    got = [tuple(d[:2]) for d in obs.get("linear") or []]
    # Trained besides the layers (read off the graph in a pass with gradients on), else, in a run
    # without that pass (grade mode's public run, which words messages), declared trainable.
    extra_seen = obs.get("extra_params") if "extra_params" in obs else obs.get("declared")
    extra = [f"{n if str(n).replace('.', '_').isidentifier() else '?'} ({k})" for n, k in extra_seen or []]
    if extra and got == want:
        # Trained with the layers, but not one of them (a forty-seventh review: alpha and beta,
        # starting as an identity, kept every point).
        return Verdict(False, f"the model trains parameters besides the table's {len(want)} nn.Linear layers "
                              f"({', '.join(extra[:4])}): the network is those layers only")
    if got == want and all(d[2] for d in obs["linear"]):
        return Verdict(real, f"{len(want)} nn.Linear layers {_dims(want)} in order" if real
                       else f"the layers look right, but {unconfirmed}")
    if got == want:
        missing = [i + 1 for i, d in enumerate(obs["linear"]) if not d[2]]
        which = "every layer has" if len(missing) == len(want) else \
            f"layer{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} {'have' if len(missing) > 1 else 'has'}"
        return Verdict(False, f"{which} no bias (bias=False); the table's fully connected layers have one: "
                              f"use nn.Linear(d_in, d_out) with its default bias")
    if sorted(got) == sorted(want):
        return Verdict(False, f"the {len(want)} layers have the right sizes but are registered in another "
                              f"order ({_dims(got)}); create them in the table's order, {_dims(want)}")
    unseen = (" (layers kept in a plain list or dict are not part of the model: use nn.ModuleList, "
              "nn.Sequential or one attribute per layer)" if not got else "")
    return Verdict(False, f"expected {len(want)} nn.Linear layers {_dims(want)} in this order; "
                          f"found {len(got)}: {_dims(got)}{unseen}")


# The outputs a model's observation holds (each a batch of class scores), read again below once
# the shape check has judged them.
OUTPUT_KEYS = ("with_weights", "with_wide", "with_low", "with_grads", "with_train", "with_eval", "with_own",
               "own_wide", "own_low", "own_train", "own_eval", "own_trained")


def _batch_by_classes(obs: dict) -> dict:
    """The outputs with dimensions of size 1 between the batch and the classes left out: (B, 1, 10)
    is a shape mistake, which `forward shape` costs, not an activation mistake too (a
    hundred-and-fifty-fourth review: `x.unsqueeze(1)` cost `activations`, whose advice to use relu
    sent the student to change a right network)."""
    def squeezed(value):
        try:
            a = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return value
        if a.ndim <= 2:
            return value
        kept = [d for d in a.shape[1:] if d != 1]
        return a.reshape(a.shape[0], kept[0]).tolist() if len(kept) == 1 else value
    shaped = {k: squeezed(obs[k]) for k in OUTPUT_KEYS if obs.get(k) is not None}
    if isinstance(obs.get("outputs"), dict):
        shaped["outputs"] = {k: squeezed(v) for k, v in obs["outputs"].items()}
    return {**obs, **shaped}


def _forward_shape(model: dict, obs: dict, ref: dict, real: bool, unconfirmed: str) -> Verdict:
    in_shape = ", ".join(str(s) for s in model["input_shape"])
    d_out = int(model["args"][1])
    if obs.get("forward_error"):
        hint = (" Flatten the input first, keeping the batch dimension (x.view(x.shape[0], -1), x.flatten(1) or "
                "nn.Flatten(); torch.flatten(x) flattens the batch too)."
                if "shapes cannot be multiplied" in obs["forward_error"] else "")
        return Verdict(False, f"calling the model on a batch of shape (B, {in_shape}) raised "
                              f"{obs['forward_error']}.{hint}")
    outs = obs.get("outputs") or {}
    first = next(iter(outs.values()), None)
    if first is None:
        return Verdict(False, f"forward must return a tensor of shape (B, {d_out}); it returned a "
                              f"{obs.get('out_type', 'value')}")
    shape = tuple(np.asarray(first).shape)
    want = tuple(np.asarray(next(iter((ref.get("outputs") or {}).values()))).shape)
    if shape != want:
        return Verdict(False, f"a batch of {want[0]} images of shape ({in_shape}) must give ({want[0]}, {d_out}); "
                              f"got {shape}")
    return Verdict(real, f"a batch of shape (B, {in_shape}) gives (B, {d_out})" if real
                   else f"the output has the right shape, but {unconfirmed}")


def _activations(model: dict, obs: dict, ref: dict, atol: float, other: str | None = None,
                 params: dict | None = None) -> Verdict:
    if obs.get("forward_error"):
        return Verdict(False, "not checked, so no point: calling the model fails (see forward shape)")
    mine = obs.get("with_weights")
    if obs.get("weights_error"):
        return Verdict(False, f"with the reference weights copied into your layers, forward raised "
                              f"{obs['weights_error']}")
    act = model["activation"]
    if mine is None and other is not None and len(obs.get("linear") or []) < 2:
        return Verdict(False, "not checked, so no point: one layer has no activation between layers to check (see layers)")
    if mine is None and other is not None:
        if other == act:
            return Verdict(True, f"{act} between the layers as the table says (checked with the grader's weights in "
                                 f"your layers of other sizes: see layers)")
        where = "with the grader's weights in your layers (of other sizes: see layers)"
        if other:
            why = DIAGNOSES.get(other, f"your network uses {other} where the table asks for {act}")
            return Verdict(False, f"{where}: {why}")
        return Verdict(False, f"{where} the output is not that of {act} between the layers; use {act} after each "
                              f"hidden layer and return the last layer's raw output")
    if mine is None and obs.get("copied"):
        kind = obs.get("out_type") or "no tensor"
        return Verdict(False, f"with the reference weights copied into your layers, forward returned "
                              f"{'None' if kind == 'NoneType' else kind}, not the output tensor; return the last "
                              f"layer's output")
    if mine is None and not obs.get("linear"):
        # Layers in a plain list are no part of the model: nothing to copy weights into (a
        # ninety-third review was told the sizes were wrong, and they were the table's).
        return Verdict(False, "not checked, so no point: the model has no registered nn.Linear layers to copy the "
                              "reference weights into (see layers)")
    if mine is None:
        return Verdict(False, "not checked, so no point: the reference weights fit only layers of the table's sizes "
                              "(see layers)")
    variants = ref.get("variants", {})
    if close(mine, ref.get("with_weights"), atol):
        extreme = _extremes(obs, ref, atol, act) or _training(obs, ref, atol)
        return Verdict(not extreme, extreme or "same output as the reference with the reference weights")
    lacks_bias = any(not d[2] for d in obs.get("linear") or [])
    mask = "bias:" + "".join("1" if d[2] else "0" for d in obs.get("linear") or [])
    if lacks_bias and close(mine, variants.get(mask), atol):
        return Verdict(True, f"{act} between the layers as the table says (some layers lack a bias: see layers)")
    if close(mine, variants.get("nobias"), atol):
        if lacks_bias:
            return Verdict(True, f"{act} between the layers as the table says (the layers lack a bias: see layers)")
        return Verdict(False, "with the reference weights copied into your layers, the output is the one without "
                              "biases, though your layers have them: forward must call each layer (self.fc1(x)), "
                              "which adds its bias, not multiply by its weight alone")
    for variant, tensor in variants.items():
        if variant not in (act, "nobias") and not variant.startswith("bias:") and close(mine, tensor, atol):
            why = diagnosis(variant, f"your network uses {variant} where the table asks for {act}")
            # The mistake itself: how the grader found it means nothing to a student (a seventy-sixth review).
            return Verdict(False, why)
    one = one_activation(model, obs, params, atol)
    if one:
        return Verdict(False, one)
    mine, theirs = np.asarray(mine, float), np.asarray(ref.get("with_weights"), float)
    named = _extra_kinds(obs)
    if named:
        return Verdict(False, f"with the reference weights copied into your layers the output differs from the "
                              f"reference: your network also has {named}, which the table's does not; use "
                              f"{act} after each hidden layer and nothing else")
    diff = f" (largest difference {float(np.max(np.abs(mine - theirs))):.3g})" if mine.shape == theirs.shape else ""
    return Verdict(False, f"with the reference weights copied into your layers the output differs from the "
                          f"reference{diff}; use {act} after each hidden layer and return the last layer's raw "
                          f"output")


# Right with the grader's weights on ordinary inputs under no_grad, but not everywhere: what each
# further pass shows (``{w}``: whose weights; ``{act}``: the task's activation).
BEYOND = {
    "wide": "with {w} the output is right for inputs of ordinary size but not for large ones (pre-activations far "
            "above 0): use {act} itself, not a capped or clipped variant (ReLU6, hardtanh, clamp with a maximum)",
    "low": "with {w} the output is right for inputs of ordinary size but not when the first layer's "
           "pre-activations are far below 0: use {act} itself (a leaky or shifted variant is another activation)",
    "train": "with {w} the output is right, but not when gradients are on, as in training: forward must compute "
             "the same with and without torch.no_grad()",
    "eval": "with {w} the output is right in training mode, but not in eval mode (as the notebook's test() calls "
            "it) or for a batch of another size: forward must compute the same network in both modes and for any "
            "batch",
    "frozen": "with {w} the output is right, but a layer's weights get no gradient (frozen with "
              "requires_grad=False, or its output detached): every layer must be trained",
}
REFERENCE_WEIGHTS = "the reference weights"


_KIND_WORDS = (("Dropout", "dropout"), ("BatchNorm", "batch normalisation"), ("LayerNorm", "layer normalisation"),
               ("Conv", "a convolution"), ("Embedding", "an embedding"))


def _extra_kinds(obs: dict) -> str:
    """Modules of the student's besides the table's kind (nn.Dropout, nn.BatchNorm1d), in words
    with their class names; '' for none (a fifty-sixth review: never named)."""
    found = []
    for kind in obs.get("kinds") or []:
        words = next((w for k, w in _KIND_WORDS if k in kind), "")
        if words and kind.isidentifier():
            found.append(f"{words} ({kind})")
    return ", ".join(dict.fromkeys(found))


PRECISE, ROUGH = 1e-3, 5e-2     # gradients equal up to float32 sums; off by rounding to 16 bits at most


def _training(obs: dict, ref: dict, atol: float) -> str:
    """Right under no_grad, but is it the same network while training (gradients on)? '' when the
    output and each layer's weight gradient agree (or the reference has none to compare)."""
    want = ref.get("with_grads")
    if not want:
        return ""
    if obs.get("grads_error") or not close(obs.get("with_train"), ref.get("with_train"), atol):
        return BEYOND["train"].format(w=REFERENCE_WEIGHTS)
    if ref.get("with_eval") is not None and not close(obs.get("with_eval"), ref["with_eval"], atol):
        return BEYOND["eval"].format(w=REFERENCE_WEIGHTS)
    mine = obs.get("with_grads") or {}
    if any(mine.get(k) is None for k, v in want.items() if v is not None):
        return BEYOND["frozen"].format(w=REFERENCE_WEIGHTS)
    slightly = False
    for k, v in want.items():
        if v is None:
            continue
        b = np.asarray(v, float)
        scale = float(np.max(np.abs(b))) if b.size else 0.0
        a = np.asarray(mine[k], float)
        if a.shape != b.shape or not np.allclose(a, b, rtol=PRECISE, atol=1e-5 * scale + 1e-9):
            if a.shape != b.shape or not np.allclose(a, b, rtol=ROUGH, atol=ROUGH * scale + 1e-9):
                return ("with the reference weights the output is right, but the gradients that train the layers "
                        "are not the reference's (an output detached from its layers, or computed outside autograd?)")
            slightly = True
    if slightly:
        # A hundred-and-thirty-ninth review: `.half().float()` on a layer was told "detached from its
        # layers?", which it was not; rounding moves every gradient a little, a detach far.
        return ("with the reference weights the output is right, but the gradients that train the layers differ "
                "slightly from the reference's (part of the forward computed at a lower precision, `.half()` or "
                "bfloat16, or slightly otherwise while training?): compute it in float32 throughout, as nn.Linear does")
    return ""


def _extremes(obs: dict, ref: dict, atol: float, act: str) -> str:
    """Right for inputs of ordinary size, but is it the activation everywhere? Inputs scaled up
    (a capped variant such as ReLU6 differs above 6) and the first layer's biases far below 0 (a
    leaky slope of 1e-5 differs there). '' when both agree (or the reference has neither)."""
    if ref.get("with_wide") is not None and not close(obs.get("with_wide"), ref["with_wide"], atol):
        return BEYOND["wide"].format(w=REFERENCE_WEIGHTS, act=act)
    if ref.get("with_low") is not None and not close(obs.get("with_low"), ref["with_low"], atol):
        return BEYOND["low"].format(w=REFERENCE_WEIGHTS, act=act)
    return ""


def _seeded(obs: dict, ref: dict, atol: float, because: str = "", mistake=None, seeded_layers: bool = False) -> Verdict:
    """``seeded_layers``: activations found a mistake in forward, and the layers built after the
    seed hold the reference's initial weights: the seeding is right, and the forward mistake
    costs activations only (a hidden layer's tanh, a missing ReLU: one mistake, one point)."""
    if obs.get("forward_error"):
        return Verdict(False, "not checked, so no point: calling the model fails (see forward shape)")
    want = ref.get("outputs") or {}
    mine = obs.get("outputs") or {}
    ok = [s for s in want if close(mine.get(s), want[s], atol)]
    if want and len(ok) == len(want):
        return Verdict(True, "built right after torch.manual_seed(...), the outputs equal the reference's")
    if want and mistake is not None and all(
            close(mine.get(s), mistake(np.asarray(want[s], dtype=float)), atol) for s in want):
        return Verdict(True, "built right after torch.manual_seed(...), the outputs equal the reference's once "
                             "the mistake named under activations is applied to them (the seeding is right)")
    if seeded_layers:
        return Verdict(True, "built right after torch.manual_seed(...), the layers hold the reference's initial "
                             "weights (the outputs differ for the reason activations names)")
    if because:
        return Verdict(False, f"built right after torch.manual_seed(...), the outputs differ from the reference's "
                              f"for the reason activations names: {because}")
    return Verdict(False, "built right after torch.manual_seed(...), the outputs differ from the reference's. "
                          "Create the layers in the table's order with nn.Linear's default initialisation, "
                          "and compute the output from the input (no fixed or stored values)"
                   + (f"; {obs['seeded_error']}" if obs.get("seeded_error") else ""))


def score(task, ctx: Context, outcomes, refs) -> list[CheckResult]:
    results: list[CheckResult] = []
    atol = float(ctx.spec.params(task, hidden=ctx.hidden).get("atol", 1e-4))
    for model, out, ref in zip(task.cfg["models"], outcomes, refs):
        results.extend(score_model(task, model, out, ref.probe, atol, ctx.hidden, ctx))
    return results


def score_model(task, model: dict, out, ref: dict, atol: float, hidden: bool, ctx: Context | None = None) -> list[CheckResult]:
    name, pts = model["defines"], model["points"]
    label = lambda c: f"{name}: {c.replace('_', ' ')}"  # noqa: E731

    def all_fail(message: str) -> list[CheckResult]:
        return [failed(task, label(c), float(pts[c]), message) for c in CHECKS]

    if out is None:
        return all_fail(f"no cell defines `{name}` (cell '{model['cell']}' is missing); restore the cell")
    if out.probe is None or not (out.ok or usable(out)):
        return all_fail(cell_failure(out, model["cell"], ctx))
    p = out.probe
    if not p.get("defined"):
        return all_fail(f"`{name}` is not defined after running cell '{model['cell']}'"
                        + (ctx.defined_elsewhere(name, model["cell"]) if ctx is not None else ""))
    note = raised_note(out, model["cell"], name, ctx)
    runs, ref_runs = p.get("runs") or {}, ref.get("runs") or {}
    if "public" not in runs or (hidden and "hidden" not in runs):
        return all_fail("the check did not run (incomplete result from the cell's process)")
    explain = ctx.explain if ctx is not None else (lambda e: e)
    sent = probe_params(task, ctx, model)["runs"] if ctx is not None else {}    # what the probe was given
    # The cell holds code of the student's (not only the template's stub under the class's ID).
    written = ctx is not None and ctx.nb is not None and not any(
        ctx.untouched(c, model["cell"]) for c in ctx.nb.by_id(model["cell"]))
    public = judge_run(model, runs["public"], ref_runs["public"], atol, explain, sent.get("public"), written)
    secret = judge_run(model, runs["hidden"], ref_runs["hidden"], atol, explain, sent.get("hidden"),
                       written) if hidden else None
    verdicts = combine(public, secret, HIDDEN_ONLY)
    return [CheckResult(task=task.id, check=label(c), max_points=float(pts[c]),
                        points=float(pts[c]) if verdicts[c].ok else 0.0, passed=verdicts[c].ok,
                        message=with_note(verdicts[c].message, verdicts[c].ok, note)) for c in CHECKS]
