# ruff: noqa: F821 - compiled after its base file, whose names it uses
# Trusted replay, compiled after training.py and run in a job without student code: it repeats
# the calls a student's training function reported (optimizers with their class and
# hyperparameters, then `train` and `test` on the grader's model and loaders), so the grader can
# compare what the student's process reported with what those calls really give. A report that
# no real computation produced does not survive this.
import contextlib
import copy
import io


def _module(models, label):
    """The replay's model, or its copy under that label, made from the model as it is now when
    the label first appears (as the student's copy held the model's weights when first seen), or
    a new model of its class under a "new:" label."""
    if label == "model":
        return models["model"]
    if isinstance(label, str) and label in {f"new:{i}" for i in range(MAX_NEW)}:
        if label not in models:
            models[label] = _new_model(models["model"], models["new states"], int(label.partition(":")[2]))
        return models[label]
    if not isinstance(label, str) or label not in {f"copy:{i}" for i in range(MAX_COPIES)}:
        return None
    if label not in models:
        models[label] = copy.deepcopy(models["model"])
    return models[label]


def _new_model(model, states, i):
    """A new model of the grader's class holding the weights the student's new model (made with
    type(model)(...)) held when first seen; None where they do not fit the class."""
    if not isinstance(states, list) or i >= len(states) or not isinstance(states[i], dict):
        return None
    module = copy.deepcopy(model)
    try:
        module.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in states[i].items()})
    except (RuntimeError, TypeError, ValueError):
        return None
    return module


def _loader(loaders, label):
    """The grader's loader, or one over its data with the batch size the label gives (a loader the
    student's function rebuilt with a batch size of its own)."""
    if label in ("train", "test"):
        return loaders[label]
    kind, _, size = str(label).partition(":")
    if kind not in ("train", "test") or not (size.isascii() and size.isdigit()) or size != str(int(size)) \
            or not 1 <= int(size) <= MAX_BATCH:
        return None
    return loader_like(loaders[kind], int(size))


def _optimizer(models, ev):
    cls = getattr(torch.optim, str(ev.get("type")), None)
    if not isinstance(cls, type) or not issubclass(cls, torch.optim.Optimizer):
        return None
    if ev.get("params") == "subset":       # some of the model's parameters, by name
        names = ev.get("names") if isinstance(ev.get("names"), list) else []
        params = [q for n, q in models["model"].named_parameters() if n in {str(x) for x in names}]
    else:
        module = _module(models, ev.get("params"))
        params = list(module.parameters()) if module is not None else []
    if not params:
        return None
    accepted = inspect.signature(cls).parameters
    opt = cls(params, **{k: v for k, v in ev.get("defaults", {}).items() if k in accepted})
    _settle(opt, ev.get("groups"))          # lr and momentum given per parameter group
    return opt


def _final_test(ns, p, test_loader):
    """What `test` prints for the final weights the student's process reported."""
    model, _, _ = make_setup(p)
    try:
        state = {k: torch.tensor(v, dtype=torch.float32) for k, v in p.get("final", {}).items()}
        model.load_state_dict(state)
    except (RuntimeError, TypeError, ValueError):
        return ""
    return _printed_test(ns["test"], (model, test_loader), {})


def _settle(opt, groups):
    """The settings the student's optimizer held at that call, group by group."""
    if not isinstance(groups, list):
        return
    for g, rec in zip(opt.param_groups, groups):
        for k, v in (rec if isinstance(rec, dict) else {}).items():
            if k in SETTINGS and type(g.get(k)) in (int, float) and type(v) is float:
                g[k] = v


def _used(optimizers, ev):
    """The optimizer an event used, with the settings it held then; None when there is none."""
    idx = ev.get("optimizer")
    opt = optimizers[idx] if isinstance(idx, int) and 0 <= idx < len(optimizers) else None
    if opt is not None:
        _settle(opt, ev.get("groups"))
    return opt


def replay_run(ns, p):
    model, train_loader, test_loader = make_setup(p)
    final_test = _final_test(ns, p, test_loader)
    loaders = {"train": train_loader, "test": test_loader}
    models = {"model": model, "new states": p.get("new") or []}
    optimizers, out = [], []
    for ev in p["events"]:
        kind = ev.get("kind")
        if kind == "optimizer":
            optimizers.append(_optimizer(models, ev))
            out.append({})
            continue
        if kind == "step":
            opt = _used(optimizers, ev)
            if opt is None:
                return {"events": out, "stopped": len(out), "final_test": final_test}
            opt.step()
            out.append({})
            continue
        module, loader = _module(models, ev.get("model")), _loader(loaders, ev.get("loader"))
        replayable = module is not None and loader is not None
        if kind == "test" and not replayable:      # `test` changes nothing: the rest goes on
            out.append({"skipped": True})
            continue
        if not replayable:
            return {"events": out, "stopped": len(out), "final_test": final_test}
        if kind == "train":
            opt = _used(optimizers, ev)
            if opt is None:
                return {"events": out, "stopped": len(out), "final_test": final_test}
            with contextlib.redirect_stdout(io.StringIO()):
                series = _series(ns["train"](module, loader, opt, ev.get("epoch") or 0))
            out.append({"series": series})
        elif kind == "test":
            out.append({"printed": _printed_test(ns["test"], (module, loader), {})})
        else:
            return {"events": out, "stopped": len(out), "final_test": final_test}
    return {"events": out, "stopped": None, "final_test": final_test}


def observe(ns, params):
    return {"runs": {label: replay_run(ns, p) for label, p in params["runs"].items()}}
