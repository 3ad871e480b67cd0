"""Model classes (ANN_sigmoid, ANN_relu) compared with the reference, check by check.

Five independent checks per class, so a student gets partial credit and one message per
problem: it builds, its layers, its output shape, its activations (reference weights copied
into the student's layers: catches sigmoid/ReLU mix-ups and a final softmax) and its seeded
outputs (catches hard-coded outputs and another construction order). Seeds and inputs are
never named in messages: in grade mode they are hidden.
"""
from __future__ import annotations

import numpy as np

from ..engines import CellJob
from ..results import CheckResult
from .context import Context, cell_failure, failed, verdict

DIAGNOSES = {
    "softmax": "forward applies softmax to the output; return the last layer's raw output "
               "(the loss applies log-softmax itself)",
    "log_softmax": "forward applies log_softmax to the output; return the last layer's raw output",
    "final_activation": "forward applies the activation after the last layer too; return the last "
                        "layer's output as it is",
    "none": "there is no activation between the layers; add one after each hidden layer",
}


def _params(task, ctx: Context, model: dict, reference: bool) -> dict:
    params = {**model, **ctx.spec.params(task, hidden=ctx.hidden)}
    params.pop("points", None)
    params.pop("cell", None)
    if reference:
        params["variants"] = True
    return params


def plan(task, ctx: Context):
    jobs = []
    for model in task.cfg["models"]:
        found = ctx.find_code(model["cell"], model["defines"])
        jobs.append(CellJob(model["cell"], found.cell.source, "model", _params(task, ctx, model, reference=False))
                    if found.cell else None)
    return jobs


def reference_jobs(task, ctx: Context):
    source = ctx.spec.file("reference").read_text()
    return [CellJob("reference", source, "model", _params(task, ctx, m, reference=True), trusted=True)
            for m in task.cfg["models"]]


def _close(a, b, atol: float) -> bool:
    if a is None or b is None:
        return False
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol, rtol=0, equal_nan=False))


def _dims(dims) -> str:
    return ", ".join(f"{a}→{b}" for a, b in dims) if dims else "none"


def score(task, ctx: Context, outcomes, refs) -> list[CheckResult]:
    results: list[CheckResult] = []
    for model, out, ref in zip(task.cfg["models"], outcomes, refs):
        results.extend(_score_model(task, ctx, model, out, ref.probe))
    return results


def _score_model(task, ctx: Context, model: dict, out, ref: dict) -> list[CheckResult]:
    name, pts = model["defines"], model["points"]
    atol = float(ctx.spec.params(task, hidden=ctx.hidden).get("atol", 1e-4))
    checks = list(pts)
    label = lambda c: f"{name}: {c.replace('_', ' ')}"  # noqa: E731

    def all_fail(message: str) -> list[CheckResult]:
        return [failed(task, label(c), float(pts[c]), message) for c in checks]

    if out is None:
        return all_fail(f"no cell defines `{name}` (cell '{model['cell']}' is missing); restore the cell")
    if not out.ok or out.probe is None:
        return all_fail(cell_failure(out, model["cell"]))
    p = out.probe
    if not p.get("defined"):
        return all_fail(f"`{name}` is not defined after running cell '{model['cell']}'")
    args = ", ".join(str(a) for a in model["args"])
    results = []
    if p.get("build_error"):
        return all_fail(f"`{name}({args})` raised {p['build_error']}")
    results.append(verdict(task, label("builds"), float(pts["builds"]), bool(p.get("is_module")),
                           f"`{name}({args})` builds an nn.Module",
                           f"`{name}` must inherit from nn.Module (class {name}(nn.Module)) and call "
                           f"super().__init__()"))
    want = [list(d) for d in model["linear"]]
    got = p.get("linear") or []
    layers_ok = got == want
    results.append(verdict(task, label("layers"), float(pts["layers"]), layers_ok,
                           f"four nn.Linear layers {_dims(want)} in order",
                           f"expected {len(want)} nn.Linear layers {_dims(want)} in this order; "
                           f"found {len(got)}: {_dims(got)}"))
    batch = int(ctx.spec.params(task, hidden=ctx.hidden)["batch"])
    want_shape = [batch, int(model["args"][1])]
    in_shape = ", ".join(str(s) for s in model["input_shape"])
    if p.get("forward_error"):
        hint = (" Flatten the input first (x.view(x.shape[0], -1), x.flatten(1) or nn.Flatten())."
                if "shapes cannot be multiplied" in p["forward_error"] else "")
        msg = f"calling the model on a batch of shape (B, {in_shape}) raised {p['forward_error']}.{hint}"
        results.append(failed(task, label("forward_shape"), float(pts["forward_shape"]), msg))
        results.append(failed(task, label("activations"), float(pts["activations"]), "skipped: forward fails"))
        results.append(failed(task, label("seeded"), float(pts["seeded"]), "skipped: forward fails"))
        return results
    shape = p.get("output_shape")
    results.append(verdict(task, label("forward_shape"), float(pts["forward_shape"]), shape == want_shape,
                           f"a batch of shape (B, {in_shape}) gives (B, {want_shape[1]})",
                           f"a batch of shape (B, {in_shape}) must give (B, {want_shape[1]}); got "
                           + (f"{tuple(shape)}" if shape is not None else f"a {p.get('output_type')}, not a tensor")))
    results.append(_activations(task, label("activations"), float(pts["activations"]), model, p, ref,
                                layers_ok, atol))
    results.append(_seeded(task, label("seeded"), float(pts["seeded"]), p, ref, atol))
    return results


def _activations(task, check, points, model, p, ref, layers_ok, atol) -> CheckResult:
    if not layers_ok:
        return failed(task, check, points, "skipped: needs the layers above to be right")
    mine = p.get("with_weights")
    if p.get("weights_error") or mine is None:
        return failed(task, check, points, f"with the reference weights copied in, forward failed: "
                                           f"{p.get('weights_error', 'no tensor returned')}")
    if _close(mine, ref["with_weights"], atol):
        return verdict(task, check, points, True, "same output as the reference with the reference weights", "")
    act = model["activation"]
    for variant, tensor in ref.get("variants", {}).items():
        if variant != act and _close(mine, tensor, atol):
            if variant in DIAGNOSES:
                why = DIAGNOSES[variant]
            else:
                why = f"your network uses {variant} where the table asks for {act}"
            return failed(task, check, points, f"with the reference weights copied into your layers: {why}")
    diff = float(np.max(np.abs(np.asarray(mine, float) - np.asarray(ref["with_weights"], float)))) \
        if np.asarray(mine).shape == np.asarray(ref["with_weights"]).shape else float("nan")
    return failed(task, check, points,
                  f"with the reference weights copied into your layers the output differs from the "
                  f"reference (largest difference {diff:.3g}); use {act} after each hidden layer and "
                  f"return the last layer's raw output")


def _seeded(task, check, points, p, ref, atol) -> CheckResult:
    seeds = list(ref["seeded"])
    ok = [s for s in seeds if _close((p.get("seeded") or {}).get(s), ref["seeded"][s], atol)]
    if len(ok) == len(seeds):
        return verdict(task, check, points, True, f"seeded outputs match the reference ({len(seeds)} of "
                                                  f"{len(seeds)} seeds)", "")
    return failed(task, check, points,
                  f"built right after torch.manual_seed(...), your model's outputs match the reference "
                  f"for {len(ok)} of {len(seeds)} seeds. Create the layers in the table's order, use "
                  f"nn.Linear's default initialisation, and compute the output from the input "
                  f"(no fixed or stored values)")
