"""Probes: code that runs *after* a graded cell, in the same process, and returns plain data.

A probe only observes: it builds the student's class, calls the student's function, records
what happened and returns numbers and tensors. It decides nothing: the comparisons with the
reference happen in the grader process (checks/), which never trusts this process. The same
probes run on the reference solution in a trusted child, so student and reference are
measured by exactly the same code.
"""
from __future__ import annotations

import inspect
import math
import traceback
from typing import Any, Callable

import torch
import torch.nn as nn

MEAN, STD = 0.1307, 0.3081


def describe(exc: BaseException, cell: str = "") -> str:
    """One line a student can act on: the exception and the line of *their* cell it came from."""
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith("<cell"):
            where = f" (line {frame.lineno} of {frame.filename.strip('<>')}: `{(frame.line or '').strip()}`)"
            break
    text = str(exc).strip().split("\n")[0][:300]
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def make_inputs(seed: int, batch: int, shape: list[int]) -> torch.Tensor:
    """FashionMNIST-like normalised images, reproducible from a seed in any process."""
    g = torch.Generator().manual_seed(int(seed))
    x = torch.rand((int(batch), *[int(s) for s in shape]), generator=g)
    return (x - MEAN) / STD


def make_weights(seed: int, dims: list[list[int]]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(int(seed))
    out = []
    for d_in, d_out in dims:
        bound = 1.0 / math.sqrt(d_in)
        w = (torch.rand((d_out, d_in), generator=g) * 2 - 1) * bound
        b = (torch.rand((d_out,), generator=g) * 2 - 1) * bound
        out.append((w, b))
    return out


ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh, "none": lambda x: x,
}


def mlp_forward(weights, x: torch.Tensor, activation: str) -> torch.Tensor:
    h = x.reshape(x.shape[0], -1)
    for i, (w, b) in enumerate(weights):
        h = h @ w.T + b
        if i < len(weights) - 1:
            h = ACTIVATIONS[activation](h)
    return h


def _as_tensor(out: Any) -> torch.Tensor | None:
    return out if isinstance(out, torch.Tensor) else None


def model_probe(ns: dict, p: dict) -> dict:
    """Build ``p['defines']`` as ``Cls(*args)`` and record shapes and seeded outputs."""
    name, args = p["defines"], list(p["args"])
    res: dict[str, Any] = {"defined": name in ns}
    if not res["defined"]:
        return res
    cls = ns[name]
    inputs = make_inputs(p["input_seed"], p["batch"], p["input_shape"])
    seeds = [int(s) for s in p["seeds"]]
    try:
        torch.manual_seed(seeds[0])
        model = cls(*args)
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything
        res["build_error"] = describe(exc)
        return res
    res["is_module"] = isinstance(model, nn.Module)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)] if res["is_module"] else []
    res["linear"] = [[int(m.in_features), int(m.out_features)] for m in linears]
    try:
        with torch.no_grad():
            out = _as_tensor(model(inputs))
        res["output_shape"] = list(out.shape) if out is not None else None
        res["output_type"] = type(out).__name__ if out is not None else type(model(inputs)).__name__
    except BaseException as exc:  # noqa: BLE001
        res["forward_error"] = describe(exc)
        return res
    # This model was built right after manual_seed(seeds[0]): its output is the first seeded one.
    seeded = {str(seeds[0]): out}
    if res["linear"] == [list(d) for d in p["linear"]]:
        try:
            weights = make_weights(p["weight_seed"], p["linear"])
            with torch.no_grad():
                for lin, (w, b) in zip(linears, weights):
                    lin.weight.copy_(w.to(lin.weight.dtype))
                    if lin.bias is not None:
                        lin.bias.copy_(b.to(lin.bias.dtype))
                res["with_weights"] = _as_tensor(model(inputs))
        except BaseException as exc:  # noqa: BLE001
            res["weights_error"] = describe(exc)
    for seed in seeds[1:]:
        try:
            torch.manual_seed(seed)
            m = cls(*args)
            with torch.no_grad():
                seeded[str(seed)] = _as_tensor(m(inputs))
        except BaseException as exc:  # noqa: BLE001
            seeded[str(seed)] = None
            res.setdefault("seeded_error", describe(exc))
    res["seeded"] = seeded
    if p.get("variants"):
        weights = make_weights(p["weight_seed"], p["linear"])
        base = {a: mlp_forward(weights, inputs, a) for a in ACTIVATIONS}
        variants = dict(base)
        own = base[p["activation"]]
        variants["softmax"] = torch.softmax(own, dim=1)
        variants["log_softmax"] = torch.log_softmax(own, dim=1)
        variants["final_activation"] = ACTIVATIONS[p["activation"]](own)
        res["variants"] = variants
    return res


def _bind(fn, args, kwargs) -> dict:
    try:
        return dict(inspect.signature(fn).bind(*args, **kwargs).arguments)
    except TypeError:
        return {}


def _lines_of_open_figures(plt) -> list[list[float]]:
    lines = []
    for num in plt.get_fignums():
        fig = plt.figure(num)
        for ax in fig.axes:
            for line in ax.get_lines():
                try:
                    lines.append([float(v) for v in line.get_ydata()])
                except (TypeError, ValueError):
                    continue
    return lines


def training_probe(ns: dict, p: dict) -> dict:
    """Call the student's training function on grader-made data and record what it did.

    ``train``/``test`` are the provided functions wrapped to record their calls; optimizer
    construction is recorded at ``torch.optim.Optimizer.__init__``; figures are read from
    matplotlib (also just before ``plt.show``/``plt.close`` could drop them).
    """
    import matplotlib.pyplot as plt
    from torch.utils.data import DataLoader, TensorDataset

    name = p["defines"]
    res: dict[str, Any] = {"defined": name in ns and callable(ns[name])}
    if not res["defined"]:
        return res
    g = torch.Generator().manual_seed(int(p["data_seed"]))
    x_train = make_inputs(int(p["data_seed"]), p["n_train"], [1, 28, 28])
    y_train = torch.randint(0, 10, (int(p["n_train"]),), generator=g)
    x_test = make_inputs(int(p["data_seed"]) + 1, p["n_test"], [1, 28, 28])
    y_test = torch.randint(0, 10, (int(p["n_test"]),), generator=g)
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=int(p["batch_size"]), shuffle=False)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=int(p["batch_size"]), shuffle=False)

    layers = [int(v) for v in p["layers"]]
    torch.manual_seed(int(p["init_seed"]))
    mods: list[nn.Module] = [nn.Flatten()]
    for i in range(len(layers) - 1):
        mods.append(nn.Linear(layers[i], layers[i + 1]))
        if i < len(layers) - 2:
            mods.append(nn.Sigmoid() if p.get("activation", "sigmoid") == "sigmoid" else nn.ReLU())
    model = nn.Sequential(*mods)
    param_ids = {id(q) for q in model.parameters()}

    optimizers: list[dict] = []
    train_calls: list[dict] = []
    test_calls: list[dict] = []
    returns: list[list[list[float]]] = []
    snapshots: list[list[float]] = []
    opt_objects: list[Any] = []

    provided_train, provided_test = ns.get("train"), ns.get("test")
    original_init = torch.optim.Optimizer.__init__

    def recording_init(self, params, defaults, *a, **kw):
        params = list(params)
        flat = []
        for item in params:
            flat.extend(item["params"] if isinstance(item, dict) else [item])
        optimizers.append({"type": type(self).__name__,
                           "lr": float(defaults.get("lr", float("nan"))) if isinstance(defaults.get("lr"), (int, float)) else None,
                           "momentum": float(defaults["momentum"]) if isinstance(defaults.get("momentum"), (int, float)) else None,
                           "params_match": {id(q) for q in flat} == param_ids})
        opt_objects.append(self)
        return original_init(self, params, defaults, *a, **kw)

    def wrapped_train(*args, **kwargs):
        bound = _bind(provided_train, args, kwargs)
        opt = bound.get("optimizer")
        train_calls.append({"model_ok": bound.get("model") is model,
                            "loader_ok": bound.get("train_loader") is train_loader,
                            "optimizer": next((i for i, o in enumerate(opt_objects) if o is opt), None),
                            "epoch": bound.get("epoch") if isinstance(bound.get("epoch"), int) else None})
        out = provided_train(*args, **kwargs)
        try:
            returns.append([[float(v) for v in series] for series in out])
        except (TypeError, ValueError):
            pass
        return out

    def wrapped_test(*args, **kwargs):
        bound = _bind(provided_test, args, kwargs)
        test_calls.append({"model_ok": bound.get("model") is model,
                           "loader_ok": bound.get("test_loader") is test_loader})
        return provided_test(*args, **kwargs)

    original_show, original_close = plt.show, plt.close

    def show(*a, **kw):
        snapshots.extend(_lines_of_open_figures(plt))
        return None

    def close(*a, **kw):
        snapshots.extend(_lines_of_open_figures(plt))
        return original_close(*a, **kw)

    plt.close("all")
    ns.update(train=wrapped_train, test=wrapped_test, train_loader=train_loader, test_loader=test_loader)
    hyper = {"batch_size": int(p["batch_size"]), "test_batch_size": int(p["batch_size"]),
             "epochs": int(p["epochs"]), "lr": float(p["lr"]), "momentum": float(p["momentum"]),
             "seed": int(p["init_seed"])}
    torch.optim.Optimizer.__init__ = recording_init
    plt.show, plt.close = show, close
    try:
        ns[name](model, hyper)
    except BaseException as exc:  # noqa: BLE001
        res["error"] = describe(exc)
    finally:
        torch.optim.Optimizer.__init__ = original_init
        plt.show, plt.close = original_show, original_close
    snapshots.extend(_lines_of_open_figures(plt))
    original_close("all")
    res.update(optimizers=optimizers, train_calls=train_calls, test_calls=test_calls,
               train_returns=returns, lines=snapshots,
               final_state={k: v.detach().clone() for k, v in model.state_dict().items()})
    return res


PROBES = {"model": model_probe, "training": training_probe}


def run_probe(kind: str, ns: dict, params: dict) -> Any:
    return PROBES[kind](ns, params)
