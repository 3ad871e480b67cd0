"""train_and_test: called on grader-made data with hidden hyperparameters, then inspected.

The probe reports, in order, the optimizers created and the calls of the provided `train` and
`test` with what they returned or printed, the lines drawn and the final weights. A report counts
only once it is confirmed by real computation: it matches the reference run call by call (the
usual case), or a trusted replay of exactly the reported calls gives the same values. Only
confirmed calls earn points, so a process that merely claims "SGD, called once per epoch" earns
nothing. Equivalent solutions pass: test after every epoch or once, one figure or one per epoch,
epochs counted from 0 or 1, keyword or positional calls.
"""
from __future__ import annotations

import ast
import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from ..engines import CellJob
from ..magics import python_tree, without_magics
from ..notebook import parse_source
from ..results import CheckResult
from .context import (Context, Verdict, cell_failure, combine, failed, one_error, raised_note, stand_in_missing,
                      usable, with_note)
from ..syntax import walk, unparsed

CHECKS = ("optimizer", "epochs", "test", "plots", "final_weights")
EXTRA_SETTINGS = ("nesterov", "weight_decay", "dampening", "maximize")   # SGD's, all off in the task
UNCONFIRMED = ("what your function reported could not be reproduced by running the same calls (change the "
               "model, its weights and the data only through `train`)")
# A run with the grader's values that stopped with an error shows no error text (it could hold
# those values): a fixed text says it may have (a hundredth-and-second review: a KeyError in the
# third epoch read "plotted with the public values but not with the grader's", nothing to act on).
HIDDEN_ERROR = ("; or the function stopped with an error with the grader's values, which is not shown: it must "
                "work for any lr, momentum, number of epochs and of mini-batches, and for each of the notebook's "
                "model classes")
HIDDEN_ONLY = {k: v + HIDDEN_ERROR for k, v in {
    "optimizer": "SGD is right with the public values but not with the grader's: take lr and momentum from "
                 "the hyperparameters argument",
    "epochs": "`train` was called a different number of times than hyperparameters['epochs'] with the grader's "
              "values (or with other arguments): loop over range(hyperparameters['epochs'])",
    "test": "`test` was called as asked with the public values but not with the grader's",
    "plots": "the gradient lists were plotted with the public values but not with the grader's",
    "final_weights": "the trained weights equal the reference's with the public values but not with the "
                     "grader's: take every setting from the hyperparameters argument",
}.items()}


def run_params(task, ctx: Context, hidden: bool) -> dict:
    p = ctx.spec.params(task, hidden=hidden)
    data = ctx.spec.data
    hyper = {key: p[source] for key, source in task.cfg["hyperparameters"].items()}
    return {**{k: p[k] for k in ("data_seed", "init_seed", "n_train", "n_test", "batch_size", "layers",
                                 "activation", "lr", "momentum", "epochs")},
            "input_shape": list(data["input_shape"]), "mean": data["mean"], "std": data["std"],
            "classes": data["classes"], "hyperparameters": hyper, "names_from": _names_from(task, ctx, p)}


def _names_from(task, ctx: Context, p: dict) -> dict:
    """The student's class whose names the grader's model answers to too (spec `names_from`), with
    the source of the cell that defines it: each cell runs on its own, so the job defines the class
    aside to read its names. The cell the model task grades, found without its flags."""
    want = dict(p.get("names_from") or task.cfg.get("names_from") or {})   # the hidden run's model may be another class
    name = want.get("defines")
    cell_id = next((m["cell"] for t in ctx.spec.tasks for m in t.cfg.get("models", []) if m.get("defines") == name),
                   None)
    if not name or not cell_id or ctx.nb is None:       # the reference job defines its classes itself
        return {}
    found = ctx.locate_code(cell_id, name)
    return {**want, "source": without_magics(found.cell.source)} if found.cell is not None else {}


def _model_class(task) -> str:
    return str((task.cfg.get("names_from") or {}).get("defines") or "model class")


def _names_of_one_class(task, ctx: Context, name: str) -> list[tuple[str, list[str]]]:
    """(other class, names): attributes the function reads off its model argument that the
    student's class of ``names_from`` defines and another of the notebook's model classes does not
    (spec ``names_from.others``), read from the cells' code alone. Nothing for a class built on
    another than ``nn.Module``: what it inherits is not read here."""
    want = task.cfg.get("names_from") or {}
    mine = want.get("defines")
    if ctx.nb is None or not mine:
        return []
    fn = ctx.locate_code(task.cfg["cell"], name).cell
    tree = parse_source(fn.source) if fn is not None else None
    func = next((n for n in (tree.body if tree else []) if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if func is None or not func.args.args:
        return []
    arg = func.args.args[0].arg
    used = list(dict.fromkeys(n.attr for n in walk(func) if isinstance(n, ast.Attribute)
                              and isinstance(n.value, ast.Name) and n.value.id == arg))
    defined = {cls: _class_names(ctx, cls) for cls in [mine, *want.get("others", [])]}
    if not used or defined[mine] is None:
        return []
    out = []
    for other in want.get("others", []):
        theirs = defined.get(other)
        missing = [n for n in used if n in defined[mine] and theirs is not None and n not in theirs]
        if missing:
            out.append((other, missing[:5]))
    return out


_DYNAMIC = {"add_module", "register_module", "register_buffer", "register_parameter", "__setattr__", "update",
            "setdefault"}


def _class_names(ctx: Context, cls: str) -> set[str] | None:
    """What the class's cell defines on it: methods, class attributes and ``self.x = ...`` in any of
    its methods (None: no such class, or one built on another base than ``nn.Module``)."""
    cell_id = next((m["cell"] for t in ctx.spec.tasks for m in t.cfg.get("models", []) if m.get("defines") == cls),
                   None)
    found = ctx.locate_code(cell_id, cls).cell if cell_id else None
    tree = parse_source(found.source) if found is not None else None
    node = next((n for n in (tree.body if tree else []) if isinstance(n, ast.ClassDef) and n.name == cls), None)
    if node is None or [unparsed(b) for b in node.bases] not in (["nn.Module"], ["torch.nn.Module"], ["Module"]):
        return None
    for n in walk(node):            # names made at run time (add_module, setattr): not read here
        if isinstance(n, ast.Call) and (isinstance(n.func, ast.Name) and n.func.id in ("setattr", "exec") or
                                        isinstance(n.func, ast.Attribute) and n.func.attr in _DYNAMIC):
            return None
        if isinstance(n, ast.FunctionDef) and n.name in ("__getattr__", "__getattribute__"):
            return None
    names = set()
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(item.name)
        elif isinstance(item, (ast.Assign, ast.AnnAssign)):
            for t in (item.targets if isinstance(item, ast.Assign) else [item.target]):
                names.update(n.id for n in walk(t) if isinstance(n, ast.Name))
    for n in walk(node):
        targets = n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(n, (ast.AnnAssign, ast.AugAssign)) \
            else []
        names.update(t.attr for t in targets if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                     and t.value.id == "self")
    return names


def probe_params(task, ctx: Context) -> dict:
    runs = {"public": run_params(task, ctx, False)}
    if ctx.hidden:
        runs["hidden"] = run_params(task, ctx, True)
    return {"defines": task.cfg["defines"], "runs": runs}


def plan(task, ctx: Context):
    found = ctx.find_code(task.cfg["cell"], task.cfg["defines"])
    return [CellJob(task.cfg["cell"], found.cell.source, "training", probe_params(task, ctx)) if found.cell else None]


def reference_jobs(task, ctx: Context):
    return [CellJob("reference", ctx.spec.file("reference").read_text(), "training", probe_params(task, ctx),
                    trusted=True)]


# ----------------------------------------------------------------------------- confirming the report

@dataclass(frozen=True)
class Timeline:
    """The reference run: the series of its k-th `train` call and what `test` prints after k epochs."""
    trains: list
    tests: dict[int, str]


def timeline(ref_run: dict) -> Timeline:
    trains, tests, k = [], {0: ref_run.get("test_before", "")}, 0
    for ev in ref_run.get("events", []):
        if ev["kind"] == "train":
            trains.append(ev.get("series"))
            k += 1
        elif ev["kind"] == "test":
            tests[k] = ev.get("printed", "")
    return Timeline(trains, tests)


def same_series(a, b) -> bool:
    if a is None or b is None or len(a) != len(b):
        return False
    for x, y in zip(a, b):
        x, y = np.asarray(x, float), np.asarray(y, float)
        if x.shape != y.shape or not np.allclose(x, y, rtol=1e-6, atol=1e-12):
            return False
    return True


COPIES = frozenset(f"copy:{i}" for i in range(4))      # the probe's MAX_COPIES
NEW = frozenset(f"new:{i}" for i in range(2))          # the probe's MAX_NEW: type(model)(...)


def rebuilt(label, kind: str) -> int | None:
    """The batch size of a loader the function built over the provided `kind` loader's data with a
    batch size of its own ("train:64"), which the replay rebuilds; None for any other label."""
    head, _, size = str(label).partition(":")
    # ASCII digits only: str.isdigit() is true of '²', which int() refuses (a forty-second review
    # made the scoring raise with one forged label).
    return int(size) if head == kind and re.fullmatch(r"[1-9][0-9]{0,5}", size) else None


def testing(label) -> bool:
    """The test loader, or one rebuilt over its data with another batch size: `test` prints the
    same loss and accuracy for every batch size."""
    return label == "test" or rebuilt(label, "test") is not None


def ours(label) -> bool:
    """The passed model, a copy of it (copy.deepcopy(model)) or a new model of its class
    (type(model)(...)): what the replay can repeat."""
    return label == "model" or label in COPIES or label in NEW


def made_with(ev: dict) -> list[dict]:
    """An optimizer's settings as it was made, group by group: lr and momentum may be given in a
    parameter group's dict instead of as arguments (the forty-first review: an exact solution lost
    the optimizer's points, told that lr did not come from the argument)."""
    d = ev.get("defaults", {})
    groups = ev.get("groups")
    if isinstance(groups, list) and groups and all(isinstance(g, dict) for g in groups):
        return [{**d, **g} for g in groups]
    return [d]


def good_sgd(ev: dict | None, p: dict, owner: str = "model") -> bool:
    """SGD over the parameters of the model it trains (the passed one unless a copy of it is
    trained) with lr and momentum from the argument."""
    if not ev or ev.get("type") != "SGD" or ev.get("params") != owner:
        return False
    return all(_close(g.get("lr"), p["lr"]) and _close(g.get("momentum"), p["momentum"])
               and not any(g.get(k) for k in EXTRA_SETTINGS) for g in made_with(ev))


def sgd_for(events: list[dict], ev: dict, p: dict) -> bool:
    """The optimizer a `train` call used is the task's SGD over the model it trains: lr and momentum
    from the argument as it was made, or as set in its param_groups before this call (the same
    SGD: a ninety-third review lost the optimizer's points for momentum set that way before
    training). Settings the task does not ask for are never accepted."""
    o = _optimizer_of(events, ev)
    if good_sgd(o, p, ev.get("model")):
        return True
    if not o or o.get("type") != "SGD" or o.get("params") != ev.get("model"):
        return False
    if any(g.get(k) for g in made_with(o) for k in ("nesterov", "maximize")):
        return False
    groups = ev.get("groups")
    return isinstance(groups, list) and bool(groups) and all(
        isinstance(g, dict) and _close(g.get("lr"), p["lr"]) and _close(g.get("momentum"), p["momentum"])
        and not g.get("weight_decay") and not g.get("dampening") for g in groups)


def settings_at(events: list[dict], ev: dict) -> dict:
    """The settings of the optimizer a `train` call used, as they were at that call (lr changed in
    param_groups, a scheduler): its first group's, else those it was made with."""
    groups = ev.get("groups")
    if isinstance(groups, list) and groups and isinstance(groups[0], dict):
        return groups[0]
    return (_optimizer_of(events, ev) or {}).get("defaults", {})


def as_asked(events: list[dict], ev: dict, p: dict) -> bool:
    """The call's optimizer is the task's SGD, and so are its settings at that call: lr and momentum
    from the argument, no weight decay or dampening (also when set in param_groups; a thirty-ninth
    review: weight_decay set there kept the optimizer's points)."""
    if not sgd_for(events, ev, p):
        return False
    now, groups = settings_at(events, ev), ev.get("groups")
    return (_close(now.get("lr"), p["lr"]) and _close(now.get("momentum"), p["momentum"])
            and not any(g.get(k) for g in (groups if isinstance(groups, list) else []) if isinstance(g, dict)
                        for k in ("dampening", "weight_decay")))


def _settings(events: list[dict], ev: dict) -> tuple:
    o = _optimizer_of(events, ev) or {}
    return o.get("type"), tuple(sorted(settings_at(events, ev).items()))


def _settings_not_from_argument(sgds: list[dict], p: dict, made_with) -> str:
    """What of lr and momentum does not come from the argument, both at once (a student's review:
    a fixed lr was named, and once fixed, the fixed momentum next: two rounds of `grader check`)."""
    lr = not any(all(_close(g.get("lr"), p["lr"]) for g in made_with(o)) for o in sgds)
    momentum = not any(all(_close(g.get("momentum"), p["momentum"]) for g in made_with(o)) for o in sgds)
    without = momentum and p["momentum"] and all(not g.get("momentum") for o in sgds for g in made_with(o))
    said = (["its learning rate does not come from hyperparameters['lr']"] if lr else []) + (
        ["it was made without momentum (pass momentum=hyperparameters['momentum'])"] if without else
        ["its momentum does not come from hyperparameters['momentum']"] if momentum else [])
    if not said:
        return ""
    why = " (the grader passes other values than the notebook's)" if lr or (momentum and not without) else ""
    return "SGD: " + " and ".join(said) + why


def _positive(x) -> bool:
    return type(x) in (int, float) and math.isfinite(x) and x > 0


def _close(a, b) -> bool:
    return isinstance(a, float) and math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-12)


def _optimizer_of(events: list[dict], ev: dict) -> dict | None:
    opts = [e for e in events if e["kind"] == "optimizer"]
    i = ev.get("optimizer")
    return opts[i] if isinstance(i, int) and 0 <= i < len(opts) else None


def confirmed_by_reference(events: list[dict], p: dict, ref: Timeline) -> set[int]:
    """Indices of the events that equal the reference run's, call by call. `train` calls form a
    chain (each starts from the weights the previous one left): after one that differs, no later
    call can be confirmed this way."""
    ok, trains, chain = set(), 0, True
    for i, ev in enumerate(events):
        if ev["kind"] == "train":
            trains += 1
            chain = chain and (ev.get("model") == "model" and ev.get("loader") == "train"
                               and sgd_for(events, ev, p) and trains <= len(ref.trains)
                               and same_series(ev.get("series"), ref.trains[trains - 1]))
            if chain:
                ok.add(i)
        elif ev["kind"] == "test":
            if chain and ev.get("model") == "model" and ev.get("loader") == "test" and \
                    ev.get("printed") == ref.tests.get(trains):
                ok.add(i)
        elif ev["kind"] == "optimizer":
            ok.add(i)
        else:                       # a step outside `train`: the reference run makes none
            chain = False
    return ok


def confirmed_by_replay(events: list[dict], replayed: dict) -> set[int]:
    """Indices of the events that a trusted replay of the same calls reproduced. A `test` call
    made after the last `train` call is also confirmed when it printed what `test` prints for the
    final weights the process reported (training in a loop of one's own, say)."""
    done, ok, chain, trains_ok = replayed.get("events", []), set(), True, True
    last_train = max((i for i, ev in enumerate(events) if ev["kind"] == "train"), default=-1)
    final_test = replayed.get("final_test")
    # Where the replay stopped before a test, whether weights were changed by hand before it is not
    # known: the final weights do not confirm it (the thirty-second review: a `train` call on a copy
    # stopped the replay, and a test after scaling the weights by hand kept its points).
    stopped = replayed.get("stopped")
    for i, ev in enumerate(events):
        # Where the replay reproduced every `train` before this `test` and ran the test itself, on
        # the weights training left, another line means weights changed by hand after training
        # (a twenty-fifth review): the final weights do not make such a test count.
        by_hand = (last_train >= 0 and chain and i < len(done) and not done[i].get("skipped")
                   and done[i].get("printed") is not None and done[i].get("printed") != ev.get("printed"))
        # Only where every `train` before it was reproduced (or there was none: a loop of one's own):
        # after one that was not, weights may have been changed by hand in between (the thirty-ninth
        # review: lr-0 calls, weights halved, a call the replay could not repeat, then `test`).
        if ev["kind"] == "test" and i > last_train and final_test and ev.get("printed") == final_test \
                and trains_ok and not by_hand and (not isinstance(stopped, int) or i < stopped) \
                and ev.get("model") == "model" and ev.get("loader") == "test" and i == max(
                    j for j, e in enumerate(events) if e["kind"] == "test"):
            ok.add(i)
            continue
        if i >= len(done) or done[i].get("skipped"):
            chain = chain and ev["kind"] == "test" and i < len(done)
            trains_ok = trains_ok and ev["kind"] != "train"
            continue
        if ev["kind"] == "train":
            chain = chain and same_series(ev.get("series"), done[i].get("series"))
            trains_ok = trains_ok and chain
        elif ev["kind"] == "test" and ev.get("printed") != done[i].get("printed"):
            continue
        if chain:
            ok.add(i)
    return ok


def needs_replay(run: dict, ref_run: dict, p: dict) -> bool:
    events = run.get("events", [])
    return len(confirmed_by_reference(events, p, timeline(ref_run))) < len(events)


def followups(task, ctx: Context, outcomes, refs) -> list[CellJob]:
    """A trusted replay of the reported calls, when they do not simply match the reference run.

    In grade mode both runs are judged as `grader check` judges the public one (a check earns its
    points only when both pass), so each is replayed when it needs it, each in a job of its own."""
    out = outcomes[0]
    if out is None or not usable(out):
        return []
    runs = {}
    for label in ("public", "hidden") if ctx.hidden else ("public",):
        run = (out.probe.get("runs") or {}).get(label)
        ref_run = (refs[0].probe.get("runs") or {}).get(label)
        p = run_params(task, ctx, label == "hidden")
        if run is None or ref_run is None or not needs_replay(run, ref_run, p):
            continue
        events = [{k: v for k, v in ev.items() if k != "series" and k != "printed"} for ev in run.get("events", [])]
        # Only weights the reference has, in its shapes, and as arrays (never lists): a reported
        # tensor of shape (4000000, 0) took the grader to 361 MB as lists, 64 of them would take 15 GB.
        theirs = ref_run.get("final") or {}
        def fitting(state):
            return {k: np.asarray(v, dtype=np.float32) for k, v in (state or {}).items()
                    if k in theirs and np.shape(v) == np.shape(theirs[k])}
        runs[label] = {**p, "events": events, "final": fitting(run.get("final")),
                       "new": [fitting(state) for state in run.get("new") or []]}
    # One job per run: in one job, a replay that the hidden run's events made fail (an optimizer with
    # lr -1) took the public run's confirmation with it, and the public run's message changed by a
    # hidden value (a hundred-and-seventy-ninth review: lr mod 3 from one check).
    return [CellJob("replay", None, "replay", {"runs": {label: run}}, trusted=True) for label, run in runs.items()]


# ----------------------------------------------------------------------------- the checks, per run

def _plotted(series, lines) -> bool:
    """Is the series drawn, as it is or as its logarithm (a log scale drawn by hand)?"""
    a = np.asarray(series, float)
    logs = []
    if a.size and np.all(a > 0):
        logs = [np.log(a), np.log10(a), np.log2(a)]
    for line in lines:
        b = np.asarray(line, float)
        if a.shape != b.shape or not a.size:
            continue
        if np.allclose(a, b, rtol=1e-6, atol=1e-12) or any(np.allclose(v, b, rtol=1e-5, atol=1e-6) for v in logs):
            return True
    return False


def _factors(series, lines) -> list[float]:
    """The constants other than 1 by which a line drawn holds the series (a unit, or normalised by
    its maximum)."""
    a = np.asarray(series, float)
    if not a.size or not np.any(a):
        return []
    out = []
    for line in lines:
        b = np.asarray(line, float)
        if a.shape != b.shape:
            continue
        c = float(np.dot(a, b) / np.dot(a, a))
        if np.isfinite(c) and c != 0 and not np.isclose(c, 1.0) and np.allclose(c * a, b, rtol=1e-5, atol=1e-12):
            out.append(c)
    return out


def _scaled(series, lines) -> bool:
    """Is the series drawn times a constant other than 1?"""
    return bool(_factors(series, lines))


def _one_unit(parts: list[list], lines) -> bool:
    """Are the three lists (each given as its parts: the whole run, or one epoch each) all drawn times
    one and the same positive constant? The layers then compare as they should (a ninety-seventh
    review: all three times 1000, the axis labelled so, lost plots)."""
    found = [[_factors(part, lines) for part in parts[k]] for k in range(3)]
    if not all(fs for per_k in found for fs in per_k):
        return False
    return any(c > 0 and all(any(math.isclose(c, f, rel_tol=1e-5) for f in fs) for per_k in found for fs in per_k)
               for c in found[0][0])


EVENTS_RECORDED = 200      # the probe's MAX_EVENTS: a longer run is cut there
NOT_CONFIRMED = "not checked, so no point: no call of `train` could be confirmed"
SCHEDULED = {
    "epochs": "with the grader's number of epochs, your learning-rate scheduler ({}) changes lr before the last "
              "epoch, so `train` is not called with the argument's lr in every epoch: use no scheduler",
    "final_weights": "with the grader's number of epochs, your learning-rate scheduler ({}) changes lr, so the "
                     "trained weights differ from the reference run's: use no scheduler",
}
MOVED = ("your function changed the model's weights before its first call of `train` (re-initialised them?), so "
         "its training cannot be repeated from the weights the grader passed: train the model as it is passed in")


def judge_run(name: str, run: dict, ref_run: dict, p: dict, confirmed: set[int],
              explain=lambda e: e) -> dict[str, Verdict]:
    """The five checks on one run; only ``confirmed`` events (indices) can earn points."""
    out = _judge_run(name, run, ref_run, p, confirmed, explain)
    if run.get("error"):
        # The error in full once, under the first check it cost; later ones point there (a student's
        # review: one typo printed its six-line explanation under five checks).
        raised = f" (`{name}` raised {explain(run['error'])}"
        first = next((c for c in out if not out[c].ok and raised in out[c].message), None)
        for c, v in out.items():
            if c != first and first is not None and raised in v.message:
                head = v.message.split(raised, 1)[0]
                out[c] = Verdict(v.ok, f"{head} (the error is named under {first.replace('_', ' ')})", v.unconfirmed)
        kind = re.match(r"\w*", str(run["error"])).group(0) or "\0"
        if first is not None and kind not in out[first].message.split(raised, 1)[0]:
            # The error first, what it cost after: the one thing to fix stood at the end of a long
            # sentence about the optimizer (a student's review). Not where the sentence names it
            # already ("not written yet: it raises NotImplementedError").
            head, tail = out[first].message.split(raised, 1)
            small = tail[:-1] if tail.endswith(")") else tail      # the note about small loaders, if any
            out[first] = Verdict(out[first].ok, f"`{name}` raised {explain(run['error'])}{small}: {head}",
                                 out[first].unconfirmed)
    events = run.get("events", [])
    if len(events) >= EVENTS_RECORDED:
        # What came after the cut is not known (the fortieth review hid twenty more calls of
        # `train` behind two hundred optimizers): none of what the calls show counts.
        cut = (f"your function made more than {EVENTS_RECORDED} calls of optimizers, `train` and `test`; the "
               f"grader records no more, so what it did after them is not known: call `train` once per epoch")
        out.update({c: Verdict(False, cut) for c in ("optimizer", "epochs", "test", "plots")})
    elif any(e.get("moved") for e in events if e["kind"] == "train"):
        out.update({c: Verdict(False, MOVED, v.unconfirmed) for c, v in out.items()
                    if not v.ok and (UNCONFIRMED in v.message or v.message.startswith(NOT_CONFIRMED))})
    return out


def _judge_run(name: str, run: dict, ref_run: dict, p: dict, confirmed: set[int],
               explain=lambda e: e) -> dict[str, Verdict]:
    events = run.get("events", [])
    good = [ev for i, ev in enumerate(events) if i in confirmed]
    epochs = int(p["epochs"])
    trains = [e for e in events if e["kind"] == "train"]
    # An error after training started is most often code around `train` that assumes the real
    # data's hundreds of mini-batches (a smoothing window of 20); the grader's loader has a few.
    sized = str(run.get("error") or "").startswith(("RuntimeError", "IndexError", "ValueError", "ZeroDivisionError",
                                                     "AssertionError"))
    small = "; the grader trains on a small loader of a few mini-batches an epoch, so code around `train` " \
            "must work for any number of batches" if trains and sized else ""
    raised = f" (`{name}` raised {explain(run['error'])}{small})" if run.get("error") else ""
    good_trains = [e for e in good if e["kind"] == "train"]
    out: dict[str, Verdict] = {}
    mine, theirs = run.get("final") or {}, ref_run.get("final") or {}
    same = bool(theirs) and set(mine) == set(theirs) and all(
        np.asarray(mine[k]).shape == np.asarray(theirs[k]).shape
        and np.allclose(np.asarray(mine[k], float), np.asarray(theirs[k], float), atol=float(p.get("atol", 1e-5)),
                        rtol=1e-4) for k in theirs)

    opts = [e for e in events if e["kind"] == "optimizer"]
    # An optimizer counts once its work is confirmed: by `train` calls that were reproduced, or by
    # trained weights equal to the reference run's (a loop of one's own does what `train` does).
    # Every confirmed call trained with the task's SGD, and the first with its settings (a scheduler
    # later costs final_weights and epochs: the thirty-ninth review trained its first epoch with SGD
    # and the rest with Adam, or set lr to 1 % in param_groups before training).
    if (good_trains and all(sgd_for(events, e, p) for e in good_trains)
            and as_asked(events, good_trains[0], p)) or (same and any(good_sgd(o, p) for o in opts)):
        out["optimizer"] = Verdict(True, "SGD over the model's parameters with lr and momentum from the argument")
    elif not opts and str(run.get("error")).startswith("NotImplementedError") and not events:
        # The template's placeholder: said once, the other checks point here (a seventy-sixth review
        # read the error twice in one sentence and "named under optimizer" four times).
        out["optimizer"] = Verdict(False, f"`{name}` is not written yet: it raises NotImplementedError, the "
                                          f"template's placeholder; write the function")
        for c in ("epochs", "test", "plots", "final_weights"):
            out[c] = Verdict(False, f"not checked: `{name}` is not written yet (see optimizer)")
        return out
    elif not opts and str(run.get("error")).startswith("NotImplementedError"):
        out["optimizer"] = Verdict(False, f"`{name}` is not written yet: it raises NotImplementedError, the "
                                          f"template's placeholder; write the function" + raised)
    elif not opts and run.get("error"):
        out["optimizer"] = Verdict(False, f"`{name}` stopped with an error before it created an optimizer, "
                                          f"optim.SGD(model.parameters(), lr=..., momentum=...)" + raised)
    elif not opts:
        out["optimizer"] = Verdict(False, "no optimizer was created; create optim.SGD(model.parameters(), lr=..., "
                                          "momentum=...)" + raised)
    elif not any(o.get("type") == "SGD" for o in opts):
        out["optimizer"] = Verdict(False, f"the optimizer is {opts[0].get('type')}; the task asks for SGD")
    elif not (sgds := [o for o in opts if o.get("type") == "SGD" and ours(o.get("params"))]):
        some = [o for o in opts if o.get("type") == "SGD" and o.get("params") == "subset"]
        # "Of the model passed in" read as wrong for SGD over model.linear1's parameters, which are
        # the model's (a hundredth-and-second review): some of them, named.
        layers = {f"linear{i}" for i in range(1, len(p.get("layers") or []))}    # only the grader's own names
        named = sorted({n.split(".")[0] for o in some for n in o.get("names") or []
                        if isinstance(n, str) and n.split(".")[0] in layers})
        out["optimizer"] = Verdict(False, (
            f"SGD optimises only some of the model's parameters ({', '.join(named) or 'not all of them'}); give it all "
            f"of them: optim.SGD(model.parameters(), ...)") if some else (
            "SGD must optimise the parameters of the model passed in (model.parameters())"))
    elif wrong := _settings_not_from_argument(sgds, p, made_with):
        out["optimizer"] = Verdict(False, wrong)
    elif not any(good_sgd(o, p, o.get("params")) for o in sgds):
        extra = sorted({k for o in sgds for g in made_with(o) for k in EXTRA_SETTINGS if g.get(k)})
        out["optimizer"] = Verdict(False, f"SGD has settings the task does not ask for ({', '.join(extra)}); "
                                          f"use optim.SGD(model.parameters(), lr=..., momentum=...) only")
    elif not trains and run.get("error"):
        out["optimizer"] = Verdict(False, "an SGD optimizer was created as asked, but the function stopped before "
                                          "calling `train` with it, so what it does could not be checked" + raised)
    elif not any(sgd_for(events, e, p) for e in trains):
        out["optimizer"] = Verdict(False, "an SGD optimizer was created as asked, but `train` was never called "
                                          "with it, so what it does could not be checked; pass it to "
                                          "train(model, train_loader, optimizer, epoch)" + raised)
    elif good_trains and not all(sgd_for(events, e, p) for e in good_trains):
        out["optimizer"] = Verdict(False, "some calls of `train` got another optimizer than the SGD asked for: "
                                          "train every epoch with optim.SGD(model.parameters(), lr=..., "
                                          "momentum=...)")
    elif good_trains and not as_asked(events, good_trains[0], p):
        out["optimizer"] = Verdict(False, "SGD was created as asked, but its settings were changed in "
                                          "optimizer.param_groups before training (lr, momentum, weight_decay or "
                                          "dampening): keep lr and momentum from the argument and nothing else")
    else:
        out["optimizer"] = Verdict(False, f"the optimizer looks right, but {UNCONFIRMED}", True)

    # One model trained for every epoch: the passed one, or one copy of it (whose training is
    # checked all the same; final_weights then says that the passed model was not trained).
    target = trains[0].get("model") if trains and ours(trains[0].get("model")) else "model"
    args_ok = [e for e in trains if e.get("model") == target and e.get("loader") == "train"
               and e.get("optimizer") is not None]
    # Each epoch trains as the first did: the same kind of optimizer with the same settings (an
    # idle lr-0 optimizer, or lr set to 0 in param_groups, for the later epochs is not training
    # them; the thirty-ninth review kept epochs with one real epoch of three).
    steady = len({_settings(events, e) for e in trains}) <= 1
    if len(trains) == epochs and len(args_ok) == epochs and len(good_trains) == epochs and steady:
        out["epochs"] = Verdict(True, "`train` called once per epoch with the model, train_loader and optimizer")
    elif not trains and run.get("error"):
        out["epochs"] = Verdict(False, f"`{name}` stopped with an error before it called `train`" + raised)
    elif not trains and same:
        out["epochs"] = Verdict(False, f"`{name}` trains with a loop of its own (its trained weights are the "
                                       f"reference run's): the task asks to call the provided `train` once per "
                                       f"epoch, train(model, train_loader, optimizer, epoch)")
    elif not trains and opts:
        # A loop of its own that trains otherwise (its weights differ): "loop over range(epochs)"
        # misled a loop that did (a sixty-ninth review).
        out["epochs"] = Verdict(False, f"`{name}` does not call `train` (a loop of its own?): the task asks to "
                                       f"call the provided train(model, train_loader, optimizer, epoch) once per "
                                       f"epoch")
    elif trains and len(trains) < epochs and run.get("error"):
        out["epochs"] = Verdict(False, f"`{name}` stopped with an error after `train` was called "
                                       f"{_times(len(trains))}, before the last epoch" + raised)
    elif len(trains) == 1 and epochs > 1 and trains[0].get("epoch") == epochs:
        # No loop at all, the number of epochs passed as the epoch: "one call fewer ... check the
        # range's bounds" named a range there is none of (a hundred-and-fifth review).
        out["epochs"] = Verdict(False, "`train` was called once, with hyperparameters['epochs'] as its epoch number; "
                                       "each call of `train` trains one epoch: loop over "
                                       "range(hyperparameters['epochs']) and call it once per epoch" + raised)
    elif len(trains) != epochs:
        # No number: "= 2" invited `range(2)`, right for grader check and wrong at grading (a
        # student's review).
        # Relative to the epochs asked for, no number (a seventy-fourth review could not read "3 times"
        # as one too many): said from the public run, which grade mode's messages come from.
        off = len(trains) - epochs
        how = ("one call more than hyperparameters['epochs'] asks for (check the range's bounds; " if off == 1
               else "one call fewer than hyperparameters['epochs'] asks for (check the range's bounds; " if off == -1
               else "not once per epoch of hyperparameters['epochs'] (")
        out["epochs"] = Verdict(False, f"`train` was called {_times(len(trains))}, {how}the grader passes its own "
                                       f"values, not the notebook's): loop over range(hyperparameters['epochs'])"
                                + raised)
    elif any(e.get("model") != target for e in trains) and all(ours(e.get("model")) for e in trains):
        out["epochs"] = Verdict(False, "`train` got another model in some epochs (a new copy of the model?): train "
                                       "one model, the one passed in, for all epochs")
    elif any(e.get("model") != target for e in trains):
        out["epochs"] = Verdict(False, "call `train` with the model passed in to your function, not another one")
    elif any(e.get("loader") == "test" for e in trains):
        out["epochs"] = Verdict(False, "`train` was called with test_loader; train on the provided train_loader")
    elif sizes := sorted({n for e in trains if (n := rebuilt(e.get("loader"), "train")) is not None}):
        out["epochs"] = Verdict(False, f"`train` got a loader of your own over the training data with batch size "
                                       f"{sizes[0]}, not the provided train_loader: pass train_loader (the grader's "
                                       f"has batch size hyperparameters['batch_size'])")
    elif any(e.get("loader") != "train" for e in trains):
        out["epochs"] = Verdict(False, "the loader passed to `train` is not the provided train_loader")
    elif len(args_ok) != epochs:
        out["epochs"] = Verdict(False, "pass the optimizer you created to `train`")
    elif not steady:
        out["epochs"] = Verdict(False, "`train` was called once per epoch, but not with the same optimizer settings "
                                       "in every epoch (another optimizer, a scheduler, or param_groups changed "
                                       "between epochs): train every epoch with the argument's lr and momentum")
    else:
        out["epochs"] = Verdict(False, f"the calls of `train` look right, but {UNCONFIRMED}", True)

    tests = [e for e in events if e["kind"] == "test"]
    right = [e for e in tests if ours(e.get("model")) and testing(e.get("loader"))]
    shown = [i for i, e in enumerate(events) if i in confirmed and e["kind"] == "test"
             and ours(e.get("model")) and testing(e.get("loader"))]
    untrained = ref_run.get("test_before")

    def after_training(i: int) -> bool:
        """On the trained model: after a confirmed `train` call on it (or, for a copy, on the model
        it copies), printing other than the untrained model's line; or, in a loop of one's own, on
        weights equal to the reference run's (weights scaled by hand, or a model trained with lr 0,
        are not trained). The replay printed the same line on its own model, so it is what
        training gave."""
        on = {events[i].get("model"), "model"}
        trained = [j for j in confirmed if j < i and events[j]["kind"] == "train" and events[j].get("model") in on]
        # The untrained model's line after training with lr 0 is a test of the untrained model; after
        # steps of any size it is what training gave, rounded (lr scaled down a hundredfold printed the
        # untrained line for one draw of the hidden values, and lost `test` besides its own checks).
        stepped = any(_positive(settings_at(events, events[j]).get("lr")) for j in trained)
        if untrained is not None and events[i].get("printed") == untrained and not stepped:
            return False
        if trained:
            return True
        return same and not trains and events[i].get("model") == "model"

    # The last epoch's training is tested too: a `test` before `train` in every epoch never tests
    # the trained model (a fair-grading review: it kept the point with more than one epoch).
    last = max((j for j, e in enumerate(events) if e["kind"] == "train"), default=-1)
    last_model = max((j for j, e in enumerate(events) if e["kind"] == "train" and e.get("model") == "model"),
                     default=-1)

    def of_the_last(i: int) -> bool:
        """After the last `train`, on the model or on a copy that holds what it was then: a copy
        first seen before the model's last epoch is a snapshot of an earlier one (a sixty-second
        review tested a copy made after epoch 1 at the end), unless the copy itself was trained."""
        m = events[i].get("model")
        if i <= last:
            return False
        if m == "model":
            return True
        first = next(j for j, e in enumerate(events) if e.get("model") == m)
        return first > last_model or any(e["kind"] == "train" and e.get("model") == m for e in events)

    if any(after_training(i) and of_the_last(i) for i in shown):
        out["test"] = Verdict(True, "`test` called on the test loader")
    elif any(after_training(i) and i > last for i in shown):
        out["test"] = Verdict(False, "`test` after the last epoch got a copy of the model made before that epoch "
                                     "(an earlier epoch's weights): test the trained model itself")
    elif any(after_training(i) for i in shown):
        out["test"] = Verdict(False, "`test` was called before the last epoch's training, never after it: call it "
                                     "after `train` (after every epoch or once at the end), so that it tests the "
                                     "trained model")
    elif shown and not trains and opts and any(events[i].get("printed") != untrained for i in shown):
        out["test"] = Verdict(False, "`test` was called, but `train` never was: the grader sees that `test` tests "
                                     "a trained model through the calls of `train` (or, in a loop of your own, "
                                     "through trained weights equal to the reference run's, which they are not: "
                                     "see final weights)")
    elif shown:
        out["test"] = Verdict(False, "`test` was called only on the untrained model: call it after training (after "
                                     "every epoch or once at the end), so that it tests the trained model")
    elif not tests and run.get("error"):
        out["test"] = Verdict(False, f"`test(model, test_loader)` was not reached: `{name}` stopped with an error "
                                     f"first" + raised)
    elif not tests:
        out["test"] = Verdict(False, "`test(model, test_loader)` was never called; call it after training (after "
                                     "each epoch, or once after the loop)" + raised)
    elif any(e.get("loader") == "train" for e in tests) and not right:
        out["test"] = Verdict(False, "`test` was called with train_loader; the loader passed must be the "
                                     "provided test_loader")
    elif not any(testing(e.get("loader")) for e in tests):
        out["test"] = Verdict(False, "the loader passed to `test` is not the provided test_loader")
    elif not right:
        out["test"] = Verdict(False, "`test` got another model than the trained one passed in to your function "
                                     "(a copy made before training, or a new model?): test the model you trained")
    else:
        out["test"] = Verdict(False, f"`test` looks right, but {UNCONFIRMED}", True)

    if same and not trains:
        # A loop of its own that trains as `train` does (the final weights are the reference run's):
        # the lists `train` would have returned are the reference run's, so the lines drawn are
        # compared with those. The loop costs epochs, not plots too (a fifty-sixth review: -8).
        own = [e for e in ref_run.get("events", []) if e.get("kind") == "train"]
        out["plots"] = _plots_shown(own, run, raised, bool(own))
    else:
        out["plots"] = _plots_shown(good_trains, run, raised, bool(trains))

    if not same and not trains and not opts:
        # Nothing was trained (the template's stub raised, or the function is empty): no "differ".
        out["final_weights"] = Verdict(False, "not checked, so no point: the model was never trained (no optimizer, no call of "
                                              "`train`; see optimizer and epochs)" + raised)
        return out
    if not same and not trains and run.get("error"):
        # It stopped before training (a typo in the call of `train`): no "differ" either (a student's review).
        out["final_weights"] = Verdict(False, "not checked, so no point: the model was never trained (`train` was not called "
                                              "before the error; see epochs)")
        return out
    if not same and trains and len(trains) < epochs and run.get("error"):
        out["final_weights"] = Verdict(False, "not checked, so no point: training stopped with an error before its last epoch"
                                       + raised)
        return out
    if not same and trains and all(e.get("model") in COPIES for e in trains):
        out["final_weights"] = Verdict(False, "your function trains a copy of the model, not the model passed in, which "
                                              "comes back untrained: train the model itself" + raised)
        return out
    if not same and trains and all(e.get("model") in NEW for e in trains):
        out["final_weights"] = Verdict(False, "your function trains a new model it made (type(model)(...)), not the "
                                              "model passed in, which comes back untrained: train the model itself"
                                       + raised)
        return out
    used = [e.get("optimizer") for e in good_trains]
    if not same and len(used) > 1 and len(set(used)) == len(used) and \
            all(sgd_for(events, e, p) for e in good_trains):
        out["final_weights"] = Verdict(False, "after training, the model's weights differ from the reference run's: "
                                              "a new SGD optimizer was made for each epoch, and each starts its "
                                              "momentum from zero; make one before the loop" + raised)
        return out
    if not same and (why := _changed_outside_train(events, good)):
        out["final_weights"] = Verdict(False, f"after training, the model's weights differ from the reference run's: "
                                              f"{why}" + raised)
        return out
    if not same and any(rebuilt(e.get("loader"), "train") for e in trains):
        out["final_weights"] = Verdict(False, "after training on a loader of your own (see epochs), the model's "
                                              "weights differ from the reference run's on train_loader" + raised)
        return out
    if same and any(e.get("loader") != "train" and rebuilt(e.get("loader"), "train") is None for e in trains):
        # Equal on the grader's few images, but `train` got a loader of the cell's own (a sampler
        # of the first 640, a list of ten batches): on the real data it trains on a slice of each
        # epoch (a forty-eighth review kept final_weights that way).
        out["final_weights"] = Verdict(False, "the weights equal the reference's on the grader's small data, but "
                                              "`train` got a loader of your own (another sampler, a subset or a "
                                              "list of batches), which on the real data does not go over the whole "
                                              "training set each epoch: pass train_loader" + raised)
        return out
    if not same and not trains and opts:
        # A loop of its own (no call of `train`) that trains otherwise than `train` does: name what
        # such loops most often get wrong (a fair-grading review: "a result of what optimizer names").
        out["final_weights"] = Verdict(False, "your function does not call `train`, and the model's weights "
                                              "after it differ from the reference run's: if it trains with a loop "
                                              "of its own, compare it with the provided `train` (optimizer.zero_grad() "
                                              "before each backward pass, F.cross_entropy with its default mean "
                                              "on the model's raw output (no softmax or log_softmax before it: the "
                                              "loss applies log-softmax itself), one optimizer.step() per "
                                              "mini-batch, model.train()), or call "
                                              "train(model, train_loader, optimizer, epoch) once per epoch" + raised)
        return out
    extra = _extra_in_training(events, [e for e in trains if e.get("model") == "model"])
    if same and extra:
        # Within the tolerance on the grader's few images, or not, depending on the hidden lr and
        # momentum drawn (a ninety-seventh review: weight_decay=1.25e-4 earned the points for some
        # draws): trained otherwise than the task asks, so never the reference run's weights.
        out["final_weights"] = Verdict(False, f"the model was trained with {' and '.join(extra)}, which the task's SGD "
                                              f"does not have (see optimizer), so its weights are not the reference "
                                              f"run's, however small the difference on the grader's few images" + raised)
        return out
    because = next((f" (see {c})" for c in ("optimizer", "epochs")
                    if not out[c].ok and not out[c].unconfirmed), "")
    out["final_weights"] = Verdict(same, "the trained weights equal the reference's" if same else
                                   "after training, the model's weights differ from the reference run on the same "
                                   "data" + because + ": train for exactly hyperparameters['epochs'] epochs with one "
                                   "SGD optimizer (lr and momentum from the argument) and do not re-initialise the "
                                   "model" + raised)
    return out


def _extra_in_training(events: list[dict], trains: list[dict]) -> list[str]:
    """SGD settings the task does not ask for that the optimizer held while `train` ran with it
    (as set at that call, else as made)."""
    found: set[str] = set()
    for ev in trains:
        o = _optimizer_of(events, ev)
        if not o or o.get("type") != "SGD":
            continue
        made = made_with(o)
        groups = ev.get("groups")
        now = [g for g in groups if isinstance(g, dict)] if isinstance(groups, list) and groups else made
        found |= {k for k in ("weight_decay", "dampening") if any(g.get(k) for g in now)}
        found |= {k for k in ("nesterov", "maximize") if any(g.get(k) for g in made)}
    return sorted(found, key=EXTRA_SETTINGS.index)


def _changed_outside_train(events: list[dict], good: list[dict]) -> str:
    """What the function did to the training besides calling `train`, as the replay confirmed it:
    a step of its own, or lr or momentum changed between epochs (a scheduler)."""
    if any(e["kind"] == "step" for e in good):
        return "your function also calls optimizer.step() outside `train`, which changes the weights once more"
    trains = [e for e in good if e["kind"] == "train"]
    if len({_settings(events, e) for e in trains}) > 1:
        return ("the optimizer's settings changed between calls of `train` (a scheduler, another optimizer, or "
                "optimizer.param_groups changed by hand): keep the argument's values for the whole run")
    return ""


def _times(n: int) -> str:
    return {0: "0 times", 1: "once"}.get(n, f"{n} times")


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


UNSHOWN = ("the three gradient lists are drawn, but on a figure Jupyter never shows: plt.show() shows the figures "
           "open at that moment and closes them (plt.pause() too), so what is drawn after it is lost, and a figure closed with "
           "plt.close() before plt.show(), or drawn after plt.ioff(), is not shown either; plot the lists, then call "
           "plt.show()")


def _plots_shown(trains: list[dict], run: dict, raised: str, called: bool) -> Verdict:
    """The plots check on what Jupyter shows; where the lists are drawn only on figures it never
    shows, said so (not "0 of the 3 were plotted" to a student who sees the plotting code)."""
    verdict = _plots(trains, run.get("lines", []), raised, called)
    unshown = run.get("unshown") or []
    if not verdict.ok and unshown and _plots(trains, run.get("lines", []) + unshown, raised, called).ok:
        return Verdict(False, UNSHOWN + raised)
    return verdict


def _band_edges(series: list, lines: list) -> set[int]:
    """The lines that are the edges of a band around the epochs' mean, mini-batch by mini-batch.
    seaborn's lineplot of the steps of every epoch against one x draws their mean and a confidence
    band; with two epochs the band runs from the smaller value of the two to the larger, so its
    edges can be the two epochs' lists themselves, and the plot read as plotting them (a
    hundred-and-fifty-third review: "ready to hand in" in `grader check`, 4 points lost at grading,
    where three epochs leave the middle one out). Only where the mean is drawn and the band's
    width too (what a filled area is read as)."""
    edges: set[int] = set()
    if len(series) < 2:
        return edges
    for k in range(3):
        parts = [np.asarray(s[k], float) for s in series]
        if not parts[0].size or any(part.shape != parts[0].shape for part in parts):
            continue
        stack = np.vstack(parts)
        low, high = stack.min(0), stack.max(0)
        if not (_plotted(stack.mean(0), lines) and _plotted(high - low, lines)):
            continue
        edges |= {i for i, line in enumerate(lines) if any(_plotted(v, [line]) for v in (low, high, high - low, low - high))}
    return edges


def _plots(trains: list[dict], lines: list, raised: str, called: bool = False) -> Verdict:
    series = [e.get("series") for e in trains if e.get("series")]
    if not series and called:
        return Verdict(False, f"{NOT_CONFIRMED}, so the gradient lists to look for are not known (see epochs)" + raised)
    if not series:
        return Verdict(False, "not checked, so no point: there are no gradient lists from `train` to look for (see epochs)" + raised)
    band = _band_edges(series, lines)
    if band:
        lines = [line for i, line in enumerate(lines) if i not in band]
        if not any(_plotted([v for s in series for v in s[k]], lines) or all(_plotted(s[k], lines) for s in series)
                   for k in range(3)):
            return Verdict(False, "0 of the 3 gradient lists returned by `train` were plotted: a line drawn is the mean "
                                  "of the epochs' lists, mini-batch by mini-batch, with a band around it (as seaborn "
                                  "draws every epoch's values against the same x); plot the lists over the whole run "
                                  "(x counting on across epochs, or plt.plot(grads1)) or each epoch's lists" + raised)
    found, which = 0, []
    for k in range(3):
        whole = [v for s in series for v in s[k]]
        if _plotted(whole, lines) or all(_plotted(s[k], lines) for s in series):
            found += 1
            which.append(k)
    names = ("the first", "the second", "the third")
    if found == 3:
        return Verdict(True, "the three gradient lists returned by `train` are plotted")
    if found == 0 and (_one_unit([[[v for s in series for v in s[k]]] for k in range(3)], lines)
                       or _one_unit([[s[k] for s in series] for k in range(3)], lines)):
        return Verdict(True, "the three gradient lists returned by `train` are plotted, all times one constant (a "
                             "unit), so the layers still compare")
    if len(series) > 1 and all(_plotted(series[-1][k], lines) for k in range(3)):
        return Verdict(False, "only the gradient lists of the last epoch were plotted; collect them over all "
                              "epochs (grads1 += g1, ...) and plot those, or plot each epoch's lists")
    last = [k for k in range(3) if k not in which and _plotted(series[-1][k], lines)]
    if len(series) > 1 and last and not which and len(last) < 3:
        # The last epoch's first list drawn three times (an eighty-fifth review read "0 of the 3 ... plotted"
        # under a figure of three lines).
        shown = " and ".join(names[k] for k in last)
        return Verdict(False, f"of the three gradient lists only {shown} {_were(len(last))} plotted, and only for "
                              f"the last epoch; collect each list over all epochs (grads1 += g1, ...) and plot all "
                              f"three" + raised)
    if len(series) > 1 and any(all(_plotted(s[k], lines) for k in range(3)) for s in series):
        # The first epoch's lists kept and plotted (a sixty-ninth review read "0 of the 3 ... plotted").
        return Verdict(False, "only one epoch's gradient lists were plotted; collect them over all epochs "
                              "(grads1 += g1, ...) and plot those, or plot each epoch's lists")
    # A line of neither length is the lists smoothed, trimmed or thinned: say so, not only "0 of 3".
    lengths = {len(s[k]) for s in series for k in range(3)} | {sum(len(s[k]) for s in series) for k in range(3)}
    if found == 0 and any(len(s[0]) and all(len(s[k]) == len(s[0]) for k in range(3))
                          and all(_plotted([s[0][j], s[1][j], s[2][j]], lines) for j in range(len(s[0])))
                          for s in series):
        # plt.plot(grads) on the tuple `train` returns draws a line of 3 points per mini-batch (a
        # student's review read "0 of the 3 ... were plotted" after calling plt.plot).
        return Verdict(False, "0 of the 3 gradient lists returned by `train` were plotted: each line drawn holds one "
                              "mini-batch's three values, as when the tuple `train` returns is plotted whole; unpack it "
                              "(g1, g2, g3 = train(...)) and plot each list" + raised)
    if found == 0 and len(series) > 1 and any(
            len(series[0][k]) and all(len(s[k]) == len(series[0][k]) for s in series)
            and all(_plotted([s[k][j] for s in series], lines) for j in range(len(series[0][k]))) for k in range(3)):
        # grads1.append(g1) each epoch, then plt.plot(grads1): one line per mini-batch across the
        # epochs (a ninety-third review was told "smoothed, trimmed or every n-th value?").
        return Verdict(False, "0 of the 3 gradient lists returned by `train` were plotted: each line drawn holds one "
                              "mini-batch's value from every epoch, as when a list of the epochs' lists is plotted "
                              "(grads1.append(g1)); add each epoch's list to the whole (grads1 += g1, or "
                              "grads1.extend(g1)) and plot the three lists" + raised)
    means = [[float(np.mean(s[k])) if len(s[k]) else 0.0 for s in series] for k in range(3)]
    if found == 0 and len(series) > 1 and not raised and any(_plotted(m, lines) for m in means):
        # One value per epoch (a ninety-seventh review was asked "smoothed, trimmed or every n-th value?").
        return Verdict(False, "0 of the 3 gradient lists returned by `train` were plotted: a line drawn holds one mean "
                              "per epoch; plot the lists themselves, every mini-batch's value (grads1 += g1 each "
                              "epoch, then plt.plot(grads1))")
    if any(0 < np.size(line) < max(lengths) and np.size(line) not in lengths for line in lines) and not raised:
        return Verdict(False, f"{found} of the 3 gradient lists returned by `train` {_were(found)} plotted; a plotted line is "
                              f"shorter than the lists (smoothed, trimmed or every n-th value?): plot the lists as "
                              f"`train` returns them (a log scale is fine), e.g. plt.plot(grads1)")
    scaled = [k for k in range(3) if not (_plotted([v for s in series for v in s[k]], lines)
                                          or all(_plotted(s[k], lines) for s in series))
              and (_scaled([v for s in series for v in s[k]], lines) or all(_scaled(s[k], lines) for s in series))]
    if scaled:
        # A list drawn times a constant (×1000 for a unit, or divided by its maximum): the layers'
        # magnitudes, the point of the plot, cannot be compared; said, not "2 of 3" (a seventy-fourth review).
        which = " and ".join(("the first", "the second", "the third")[k] for k in scaled)
        return Verdict(False, f"{found} of the 3 gradient lists returned by `train` {_were(found)} plotted; {which} "
                              f"list is drawn times a constant (scaled or normalised): plot the values as `train` "
                              f"returns them, so the layers' gradients can be compared (a log scale is fine)" + raised)
    if raised and not lines:
        return Verdict(False, "nothing was plotted: the function stopped with an error before it plotted" + raised)
    lists = [[v for s in series for v in s[k]] for k in range(3)] + [s[k] for s in series for k in range(3)]
    if found < 3 and any(np.size(line) in lengths and not any(_plotted(x, [line]) for x in lists) for line in lines):
        # A running mean that keeps the length (an eighty-second review read "0 of the 3 ... plotted").
        return Verdict(False, f"{found} of the 3 gradient lists returned by `train` {_were(found)} plotted; a plotted "
                              f"line is as long as the lists but holds other values (smoothed or averaged?): plot "
                              f"the lists as `train` returns them (a log scale is fine), e.g. plt.plot(grads1)" + raised)
    named = (f" ({' and '.join(names[k] for k in which)} {_were(found)}, "
             f"{' and '.join(names[k] for k in range(3) if k not in which)} not)") if 0 < found < 3 else ""
    return Verdict(False, f"{found} of the 3 gradient lists returned by `train` {_were(found)} plotted{named} (read from "
                          f"lines, points, bars, steps, stems, heatmaps, filled areas, box or violin plots and histograms); plot each list "
                          f"(e.g. plt.plot(grads1)) for the whole run or per epoch" + raised)


def score(task, ctx: Context, outcomes, refs, follow=()) -> list[CheckResult]:
    pts = task.cfg["points"]
    name = task.cfg["defines"]
    out, ref = outcomes[0], refs[0].probe

    def all_fail(msg):
        return [failed(task, c, float(v), msg) for c, v in pts.items()]

    if out is None:
        return all_fail(f"no cell defines `{name}` (cell '{task.cfg['cell']}' is missing); restore the cell")
    if out.probe is None or not (out.ok or usable(out)):
        return all_fail(cell_failure(out, task.cfg["cell"], ctx))
    if not out.probe.get("defined"):
        return all_fail(f"`{name}` is not defined after running cell '{task.cfg['cell']}'"
                        + ctx.defined_elsewhere(name, task.cfg["cell"]))
    note = raised_note(out, task.cfg["cell"], name, ctx)
    runs, ref_runs = out.probe.get("runs") or {}, ref.get("runs") or {}
    labels = ["public", "hidden"] if ctx.hidden else ["public"]
    if any(label not in runs for label in labels):
        return all_fail("the check did not run (incomplete result from the cell's process)")
    replayed = {label: run for f in follow if f is not None and f.ok and f.probe
                for label, run in (f.probe.get("runs") or {}).items()}
    explain = functools.partial(ctx.explain, given_model=True)
    verdicts = {}
    for label in labels:              # each run judged as `grader check` judges the public one
        p = run_params(task, ctx, label == "hidden")
        events = runs[label].get("events", [])
        n = confirmed_by_reference(events, p, timeline(ref_runs[label]))
        if len(n) < len(events) and label in replayed:
            n = confirmed_by_replay(events, replayed[label])
        verdicts[label] = judge_run(name, runs[label], ref_runs[label], p, n, explain)
    # Both runs must pass: the hidden number of epochs is fixed, and `range(3)` must not earn what
    # the argument asked otherwise (the public run, as `grader check` showed it, fails).
    final = combine(verdicts["public"], verdicts.get("hidden"), HIDDEN_ONLY, both=True)
    used = [n for n in runs["public"].get("schedulers") or [] if n.isidentifier()]
    if ctx.hidden and used:
        # A scheduler that first changes lr after the public run's epochs (StepLR(step_size=2)): the
        # fixed text would send the student to count epochs (the forty-first review).
        final = {c: Verdict(False, SCHEDULED[c].format(", ".join(dict.fromkeys(used))))
                 if c in SCHEDULED and v.message == HIDDEN_ONLY[c] else v for c, v in final.items()}
    for other, names in _names_of_one_class(task, ctx, name):
        # The grader's second run hands it a model that counts as the notebook's other class: a name
        # only the first class has fails there, as the notebook's own cell for that class would. Read
        # from the cells, never from that run: a note that came and went with the run's own error
        # was a bit of the hidden values (reviews 168 and 172: the lr's and momentum's parities).
        ctx.detail(f"`{name}` uses {', '.join(f'`model.{n}`' for n in names)}, which only your "
                   f"{_model_class(task)} defines, not your {other}: with a model of class {other}, as the "
                   f"notebook's cells also call it, that fails; it must work for each of the notebook's model "
                   f"classes")
    error = runs["public"].get("error")
    if error and all(v.ok for v in final.values()) and stand_in_missing(error, ctx.spec):
        # A name of the student's own class the grader's model could not take on (a lambda kept as an
        # attribute), read after everything checked: with the student's class it runs, so no flag
        # says the notebook stops there (a hundred-and-eighth review).
        ctx.detail(f"`{name}` raised {one_error(error)} when the grader called it with its own model, after "
                   f"everything the checks look at (no point is lost; with your class, in the notebook, it may run)")
    elif error and all(v.ok for v in final.values()):
        # Every check passed, yet the call raised (a typo after the plot, `plt.legnd()`): the
        # notebook's own cells that call the function stop there. Said from the public run only.
        ctx.flag(f"raised:{task.cfg['cell']}")
        ctx.detail(f"`{name}` raised {ctx.explain(error)} when the grader called it (after everything the checks "
                   f"look at, so no point is lost; in the notebook, the cells that call it stop there)")
    glob = "" if all(v.ok for v in final.values()) else reads_global(ctx, task)
    if glob:
        # The cause first, and no advice that sends the student elsewhere (a ninetieth review: "check
        # the range's bounds" for a loop over the global dict's epochs, the cause only in a note).
        final = {c: v if v.ok else Verdict(False, v.message.replace("(check the range's bounds; ", "("))
                 for c, v in final.items()}
    # The note in full under the first check it explains, pointed to from the others (a student's
    # review: the same three lines under optimizer, epochs and final_weights).
    first = next((c for c in CHECKS if not final[c].ok), None)

    def message(c: str) -> str:
        v = final[c]
        if v.ok:
            return v.message
        if glob and c == first:
            return with_note(f"{glob}. What the check saw: {v.message}", False, note)
        if glob:
            return f"{v.message}. Note: see the note under {first.replace('_', ' ')}"
        return with_note(v.message, False, note if c == first or not note
                         else f"see the note under {first.replace('_', ' ')}")
    return [CheckResult(task=task.id, check=c, max_points=float(pts[c]), points=float(pts[c]) if final[c].ok else 0.0,
                        passed=final[c].ok, message=message(c))
            for c in CHECKS]


def reads_global(ctx: Context, task) -> str:
    """The function reads the notebook's own dict (spec: ``global_hyperparameters``) instead of
    the argument it is called with: the checks see the grader's values differ and say which,
    and this says why (a fairness review: `hyperparams["lr"]` for `hyperparameters["lr"]`
    lost 13 points, and no message named the name)."""
    name = task.cfg.get("global_hyperparameters")
    cell = next((c for c in ctx.nb.cells if ctx.graded_as.get(c.index) == task.cfg["cell"]), None) \
        if name and ctx.nb is not None else None
    if cell is None:
        return ""
    tree = python_tree(cell.source)
    if tree is None:
        return ""
    for node in walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == task.cfg["defines"]:
            args = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
            if name in args or not any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
                                       for n in walk(node)):
                return ""
            own = f" `{args[1]}`" if len(args) > 1 else ""
            return (f"`{task.cfg['defines']}` reads the notebook's global `{name}`, not its argument{own}: "
                    f"the grader calls it with other values, so use the argument")
    return ""
