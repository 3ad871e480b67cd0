# ruff: noqa: F821 - compiled after common.py, whose helpers it uses
# Probe for a model class. Compiled by the grader and sent to the job only after the student's
# cell has finished; it defines ``observe(ns, params)`` and nothing else runs. It observes and
# returns raw values (parameters as torch initialised them, output tensors); the grader compares
# them with the reference. Everything here may be tampered with by the student's code it calls,
# so nothing returned is a verdict.
import numpy as np
import torch
import torch.nn as nn


def _inputs(seed, batch, shape, mean, std):
    rng = np.random.default_rng(int(seed))
    x = torch.from_numpy(rng.random((int(batch), *[int(s) for s in shape]), dtype=np.float32))
    return (x - mean) / std


_WEIGHTS = {}
_BUILT = {}


def _weights(seed, dims):
    """Weights as nn.Linear draws them (uniform within 1/sqrt(d_in)), from a fast generator;
    made once per seed (the public and the hidden run may share them)."""
    key = (int(seed), tuple(tuple(d) for d in dims))
    if key not in _WEIGHTS:
        rng = np.random.default_rng(int(seed))
        out = []
        for d_in, d_out in dims:
            bound = 1.0 / float(d_in) ** 0.5
            w, b = rng.random((d_out, d_in), dtype=np.float32), rng.random((d_out,), dtype=np.float32)
            for t in (w, b):
                t *= 2 * bound
                t -= bound
            out.append((torch.from_numpy(w), torch.from_numpy(b)))
        _WEIGHTS[key] = out
    return _WEIGHTS[key]


def _positions(seed, n, k):
    """Where parameters are sampled: a function of the grader's seed and the tensor's size only."""
    g = torch.Generator().manual_seed(int(seed) * 1_000_003 + int(n))
    return torch.randint(0, int(n), (int(k),), generator=g)


def _sample(t, seed, k):
    flat = t.detach().reshape(-1).float()
    return flat[_positions(seed, flat.numel(), k)].clone()


def _linears(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)][:64]


def _tensor(x):
    return x.detach().float().clone() if isinstance(x, torch.Tensor) else None


def _copy_weights(linears, weights):
    """Reference weights into the student's layers: by shape when every shape appears once on
    both sides (the order of creation then does not matter), else in module order. The layers'
    storage is swapped, not written: the model's own weights stay intact for a later run, and
    nothing of the model's size is copied (a copy cost a job ~1,400 page faults per run)."""
    shapes = [(m.in_features, m.out_features) for m in linears]
    wanted = [(w.shape[1], w.shape[0]) for w, _ in weights]
    if sorted(shapes) == sorted(wanted) and len(set(shapes)) == len(shapes):
        by_shape = {(w.shape[1], w.shape[0]): (w, b) for w, b in weights}
        pairs, how = [(m, by_shape[(m.in_features, m.out_features)]) for m in linears], "shape"
    elif shapes == wanted:
        pairs, how = list(zip(linears, weights)), "order"
    else:
        return None
    for lin, (w, b) in pairs:
        _put(lin, w, b)
    return how


def _put(lin, w, b):
    """A layer's weight and bias storage replaced (in its own dtype; no copy when it matches)."""
    lin.weight.data = w.to(lin.weight.dtype)
    if lin.bias is not None and b is not None:
        lin.bias.data = b.to(lin.bias.dtype)


def _built(cls, args, seed, cache):
    """The model built right after torch.manual_seed(seed), once per seed for all runs."""
    if seed not in cache:
        try:
            torch.manual_seed(seed)
            cache[seed] = (cls(*args), None)
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            cache[seed] = (None, _why(exc))
    return cache[seed]


def _init(model, p):
    """Samples of each layer's weights and biases as built (where the run's parameters say)."""
    k = int(p["sample_k"])
    return [[_sample(m.weight, p["sample_seed"], k),
             _sample(m.bias, p["sample_seed"], k) if m.bias is not None else None] for m in _linears(model)]


def _run(cls, p, cache):
    """One set of parameters (public or hidden): builds under each seed, samples, outputs. The
    models stay untouched here; the reference weights go in afterwards (``_with_weights``)."""
    obs = {}
    seeds = [int(s) for s in p["seeds"]]
    x = _inputs(p["input_seed"], p["batch"], p["input_shape"], p["mean"], p["std"])
    model, error = _built(cls, p["args"], seeds[0], cache)
    if error:
        obs["build_error"] = error
        return obs
    obs["module"] = isinstance(model, nn.Module)
    lins = _linears(model) if obs["module"] else []
    obs["linear"] = [[int(m.in_features), int(m.out_features), m.bias is not None] for m in lins]
    if obs["module"]:
        # Words for messages only (a student's Dropout or BatchNorm named): the kinds of modules
        # besides the layers and containers, and the trainable parameters besides the layers'.
        plain = (nn.Linear, nn.Sequential, nn.ModuleList, nn.ModuleDict)
        obs["kinds"] = sorted({type(m).__name__[:40] for m in nn.Module.modules(model)
                               if m is not model and not isinstance(m, plain)})[:16]
        own = {id(q) for m in lins for q in (m.weight, m.bias) if q is not None}
        obs["declared"] = [[str(n)[:40], int(q.numel())] for n, q in nn.Module.named_parameters(model)
                           if q.requires_grad and id(q) not in own][:16]
    obs["init"] = _init(model, p) if obs["module"] else []
    outputs = {}
    try:
        with torch.no_grad():
            out = model(x)
        obs["out_type"] = type(out).__name__
        outputs[str(seeds[0])] = _tensor(out)
    except BaseException as exc:  # noqa: BLE001
        obs["forward_error"] = _why(exc)
        return obs
    for seed in seeds[1:]:
        m, error = _built(cls, p["args"], seed, cache)
        try:
            if error:
                raise RuntimeError(error)
            obs.setdefault("init_seeded", {})[str(seed)] = _init(m, p)    # the seeding, apart from forward
            with torch.no_grad():
                outputs[str(seed)] = _tensor(m(x))
        except BaseException as exc:  # noqa: BLE001
            outputs[str(seed)] = None
            obs.setdefault("seeded_error", _why(exc))
    obs["outputs"] = outputs
    return obs


def _with_weights(cls, p, cache, obs):
    """The reference weights put into the model built under the first seed, then called; its
    own weights go back afterwards (a later run may build under the same seed)."""
    model, _ = cache[int(p["seeds"][0])]
    x = _inputs(p["input_seed"], p["batch"], p["input_shape"], p["mean"], p["std"])
    lins = _linears(model)
    saved = [(m.weight.data, m.bias.data if m.bias is not None else None) for m in lins]
    try:
        weights = _weights(p["weight_seed"], p["linear"])
        how = _copy_weights(lins, weights)
        if how is not None:
            with torch.no_grad():
                obs["with_weights"] = _tensor(model(x))
                wide = float(p.get("wide_scale") or 0)
                if wide:          # pre-activations far beyond ±6: a capped variant (ReLU6) shows
                    obs["with_wide"] = _tensor(model(x * wide))
                low = float(p.get("low_bias") or 0)
                if low:           # the first layer's pre-activations far below 0: a leaky slope shows
                    (w0, b0), *rest = weights
                    _copy_weights(lins, [(w0, b0 - low), *rest])
                    obs["with_low"] = _tensor(model(x))
                    _copy_weights(lins, weights)
            obs["copied"] = how
            if p.get("training_pass", True):
                _gradients(model, lins, x, p, obs)
                _evaluated(model, p, obs)
        else:
            _with_own_sizes(model, lins, x, p, obs)
    except BaseException as exc:  # noqa: BLE001
        obs["weights_error"] = _why(exc)
    for m, (w, b) in zip(lins, saved):
        _put(m, w, b)


def _with_own_sizes(model, lins, x, p, obs):
    """Layers of other sizes than the table's (a wrong hidden size): the grader's weights drawn
    for the student's own sizes, then called, so the grader can recompute the output and see that
    the rest of the network is right (one wrong size, one point)."""
    dims = [(int(m.in_features), int(m.out_features)) for m in lins]
    most, widest = p.get("own_limits") or (0, 0)     # what the grader recomputes (checks/models.py)
    chain = (dims and dims[0][0] == int(np.prod(p["input_shape"])) and len(dims) <= 8
             and all(a[1] == b[0] for a, b in zip(dims, dims[1:])) and sum(a * b for a, b in dims) <= int(most)
             and max(b for _, b in dims) <= int(widest))
    if not chain:
        return
    own = _weights(p["weight_seed"], dims)
    if _copy_weights(lins, own) is None:
        return
    with torch.no_grad():
        obs["with_own"] = _tensor(model(x))
        wide = float(p.get("wide_scale") or 0)
        if wide:
            obs["own_wide"] = _tensor(model(x * wide))
        low = float(p.get("low_bias") or 0)
        if low:
            (w0, b0), *rest = own
            _copy_weights(lins, [(w0, b0 - low), *rest])
            obs["own_low"] = _tensor(model(x))
            _copy_weights(lins, own)
    if p.get("training_pass", True):      # as with the reference weights: while training, and in eval mode
        try:
            with torch.enable_grad():
                out = model(x)
            obs["own_train"] = _tensor(out)
            reached = _leaves(out) if isinstance(out, torch.Tensor) else set()
            obs["own_trained"] = [bool(m.weight.requires_grad and id(m.weight) in reached) for m in lins][:64]
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            obs["grads_error"] = _why(exc)
        _evaluated(model, p, obs, "own_eval")


def _leaves(out):
    """The tensors a backward pass from ``out`` would give a gradient (its graph's leaves)."""
    seen, found, stack = set(), set(), [out.grad_fn] if out.grad_fn is not None else []
    while stack and len(seen) < 10_000:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        if hasattr(fn, "variable"):
            found.add(id(fn.variable))
        stack.extend(nxt for nxt, _ in getattr(fn, "next_functions", ()) if nxt is not None)
    return found


def _evaluated(model, p, obs, key="with_eval"):
    """The reference weights in place, in eval mode (as the notebook's `test` calls it) on a batch
    of another size (16): a forward that switches on `self.training` or on the batch size is another
    network there (a forty-seventh review)."""
    was = model.training
    try:
        x = _inputs(int(p["input_seed"]) + 1, int(p.get("eval_batch", 16)), p["input_shape"], p["mean"], p["std"])
        nn.Module.train(model, False)
        with torch.no_grad():
            obs[key] = _tensor(model(x))
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything
        obs["grads_error"] = _why(exc)
    finally:
        try:
            nn.Module.train(model, was)
        except BaseException:  # noqa: BLE001
            pass


def _gradients(model, lins, x, p, obs):
    """The reference weights in place, called with gradients on as training calls it: the output,
    and each layer's weight gradient for a fixed random loss (projected on a fixed vector). A
    forward that is right under no_grad but detaches, freezes a layer or computes something else
    while training shows here (a forty-fifth review: all of these kept activations)."""
    try:
        with torch.enable_grad():
            out = model(x)
            obs["with_train"] = _tensor(out)
            g = torch.Generator().manual_seed(int(p["input_seed"]) + 7)
            if not isinstance(out, torch.Tensor) or not out.requires_grad:
                obs["with_grads"] = {}
                return
            r = torch.rand(tuple(out.shape), generator=g) - 0.5
            # The bias's gradient where there is one (the summed error signal of the layer: no
            # weight-sized gradient is made, which cost 2.6 ms and 700 page faults a call), else the
            # weight's; a frozen weight gets none.
            live = [m for m in lins if m.weight.requires_grad and (m.bias is None or m.bias.requires_grad)]
            wrt = [m.bias if m.bias is not None else m.weight for m in live]
            loss = (out.float() * r).sum()
            grads = torch.autograd.grad(loss, wrt, allow_unused=True, retain_graph=True)
            got = {id(m): gr for m, gr in zip(live, grads)}
            # A bias whose gradient vanishes (a batch normalisation right after the layer takes out
            # its effect) still has a trained weight: take the weight's then (a fifty-ninth session:
            # an added BatchNorm1d cost seeded, though the layers were seeded right).
            norms = {k: float(gr.norm()) for k, gr in got.items() if gr is not None}
            top = max(norms.values(), default=0.0)
            unbiased = [m for m in live if m.bias is not None
                        and (got[id(m)] is None or norms[id(m)] <= 1e-4 * top)]
            if unbiased:          # a forward that skips the bias may still use the weight
                for m, gr in zip(unbiased, torch.autograd.grad(loss, [m.weight for m in unbiased], allow_unused=True)):
                    got[id(m)] = gr
        # Which parameters training reaches, read off the graph (no gradient is made): a weight
        # detached in forward trains nothing though its bias does (a forty-seventh review), and a
        # parameter of the model's own beyond the table's layers trains with them.
        reached = _leaves(out)
        for m in lins:
            if id(m.weight) not in reached:
                got[id(m)] = None
        own = {id(q) for m in lins for q in (m.weight, m.bias) if q is not None}
        obs["extra_params"] = [[str(n)[:40], int(q.numel())] for n, q in nn.Module.named_parameters(model)
                               if id(q) in reached and id(q) not in own][:16]
        res = {}
        for m in lins[:64]:
            gr = got.get(id(m))
            key = f"{int(m.in_features)}x{int(m.out_features)}"
            if gr is None:
                res[key] = None
            elif gr.dim() == 1:
                res[key] = _tensor(gr.float())
            else:
                v = torch.rand(int(m.in_features), generator=torch.Generator().manual_seed(int(m.in_features))) - 0.5
                res[key] = _tensor(gr.float() @ v)
        obs["with_grads"] = res
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything
        obs["grads_error"] = _why(exc)


def observe(ns, params):
    name = params["defines"]
    res = {"defined": name in ns}
    if res["defined"]:
        cache = _BUILT        # builds are kept between the runs (observed one call at a time)
        res["runs"] = {label: _run(ns[name], p, cache) for label, p in params["runs"].items()}
        for label, p in params["runs"].items():
            if "outputs" in res["runs"][label]:
                _with_weights(ns[name], p, cache, res["runs"][label])
        extra = globals().get("reference_extras")
        if extra is not None:          # only in the grader's trusted reference job
            for label, p in params["runs"].items():
                res["runs"][label].update(extra(ns[name], p))
    return res

