"""train_and_test: called on grader-made data with hidden hyperparameters, then inspected.

The probe records what the function did (optimizer, calls of the provided train/test, the
figures it drew, the final weights); here those records are compared with the reference run
on the same initial weights and data. Equivalent solutions pass: test after every epoch or
once, one figure or one per epoch, epochs counted from 0 or 1, keyword or positional calls.
"""
from __future__ import annotations

import math

import numpy as np

from ..engines import CellJob
from ..results import CheckResult
from .context import Context, cell_failure, failed, verdict


def _params(task, ctx: Context) -> dict:
    return {"defines": task.cfg["defines"], **ctx.spec.params(task, hidden=ctx.hidden)}


def plan(task, ctx: Context):
    found = ctx.find_code(task.cfg["cell"], task.cfg["defines"])
    return [CellJob(task.cfg["cell"], found.cell.source, "training", _params(task, ctx)) if found.cell else None]


def reference_jobs(task, ctx: Context):
    return [CellJob("reference", ctx.spec.file("reference").read_text(), "training", _params(task, ctx),
                    trusted=True)]


def _series_plotted(series: list[float], lines: list[list[float]]) -> bool:
    a = np.asarray(series, float)
    for line in lines:
        b = np.asarray(line, float)
        if a.shape == b.shape and a.size and np.allclose(a, b, rtol=1e-6, atol=1e-12):
            return True
    return False


def _plots_ok(returns: list, lines: list) -> tuple[int, int]:
    """How many of the three gradient lists appear as a plotted line (whole run or per epoch)."""
    if not returns:
        return 0, 3
    found = 0
    for k in range(3):
        whole = [v for r in returns for v in r[k]]
        per_epoch = [r[k] for r in returns]
        if _series_plotted(whole, lines) or all(_series_plotted(s, lines) for s in per_epoch):
            found += 1
    return found, 3


def score(task, ctx: Context, outcomes, refs) -> list[CheckResult]:
    pts = task.cfg["points"]
    name = task.cfg["defines"]
    p = ctx.spec.params(task, hidden=ctx.hidden)
    out, ref = outcomes[0], refs[0].probe

    def all_fail(msg):
        return [failed(task, c, float(v), msg) for c, v in pts.items()]

    if out is None:
        return all_fail(f"no cell defines `{name}` (cell '{task.cfg['cell']}' is missing); restore the cell")
    if not out.ok or out.probe is None:
        return all_fail(cell_failure(out, task.cfg["cell"]))
    r = out.probe
    if not r.get("defined"):
        return all_fail(f"`{name}` is not defined after running cell '{task.cfg['cell']}'")
    raised = f" (`{name}` raised {r['error']})" if r.get("error") else ""
    results = []

    sgd = [o for o in r["optimizers"] if o["type"] == "SGD"]
    good = [o for o in sgd if o["params_match"] and o["lr"] is not None and math.isclose(o["lr"], p["lr"])
            and o["momentum"] is not None and math.isclose(o["momentum"], p["momentum"])]
    if good:
        msg_bad = ""
    elif not r["optimizers"]:
        msg_bad = "no optimizer was created; create optim.SGD(model.parameters(), lr=..., momentum=...)" + raised
    elif not sgd:
        msg_bad = f"the optimizer is {r['optimizers'][0]['type']}; the task asks for SGD"
    elif not any(o["params_match"] for o in sgd):
        msg_bad = "SGD must optimise the parameters of the model passed in (model.parameters())"
    elif not any(o["lr"] is not None and math.isclose(o["lr"], p["lr"]) for o in sgd):
        msg_bad = "SGD's learning rate does not come from hyperparameters['lr'] (the grader passes other values than the notebook's)"
    else:
        msg_bad = "SGD's momentum does not come from hyperparameters['momentum'] (the grader passes other values than the notebook's)"
    results.append(verdict(task, "optimizer", float(pts["optimizer"]), bool(good),
                           "SGD over the model's parameters with lr and momentum from the argument", msg_bad))

    calls = r["train_calls"]
    epochs = int(p["epochs"])
    calls_ok = [c for c in calls if c["model_ok"] and c["loader_ok"]]
    opt_ok = all(c["optimizer"] is not None for c in calls_ok)
    ok = len(calls) == epochs and len(calls_ok) == epochs and opt_ok
    if ok:
        bad = ""
    elif len(calls) != epochs:
        bad = (f"`train` was called {len(calls)} time(s); call it once per epoch, for "
               f"hyperparameters['epochs'] epochs (the grader passes another number than the notebook's)" + raised)
    elif len(calls_ok) != epochs:
        bad = "call `train` with the model passed in and the provided train_loader"
    else:
        bad = "pass the SGD optimizer you created to `train`"
    results.append(verdict(task, "epochs", float(pts["epochs"]), ok,
                           "`train` called once per epoch with the model, train_loader and optimizer", bad))

    tests = [c for c in r["test_calls"] if c["model_ok"] and c["loader_ok"]]
    results.append(verdict(task, "test", float(pts["test"]), bool(tests),
                           "`test` called on the test loader",
                           ("`test` was called, but not as test(model, test_loader) with the model passed in"
                            if r["test_calls"] else "`test(model, test_loader)` was never called") + raised))

    found, total = _plots_ok(r["train_returns"], r["lines"])
    results.append(verdict(task, "plots", float(pts["plots"]), found == total,
                           "the three gradient lists returned by `train` are plotted",
                           f"{found} of the {total} gradient lists returned by `train` were plotted; plot "
                           f"each list (e.g. plt.plot(grads1)) for the whole run or per epoch" + raised))

    mine, theirs = r.get("final_state") or {}, ref["final_state"]
    atol = float(p.get("atol", 1e-5))
    same = set(mine) == set(theirs) and all(
        np.asarray(mine[k]).shape == np.asarray(theirs[k]).shape
        and np.allclose(np.asarray(mine[k], float), np.asarray(theirs[k], float), atol=atol, rtol=1e-4)
        for k in theirs)
    results.append(verdict(task, "final_weights", float(pts["final_weights"]), same,
                           "the trained weights equal the reference's",
                           "after training, the model's weights differ from the reference run on the same "
                           "data: train for exactly hyperparameters['epochs'] epochs with one SGD optimizer "
                           "(lr and momentum from the argument) and do not re-initialise the model" + raised))
    return results
