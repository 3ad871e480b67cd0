# ruff: noqa: F821 - compiled after common.py, whose helpers it uses
# Probe for the training function. Compiled by the grader and sent to the job only after the
# student's cell has finished. It calls the function on grader-made data and records, in order,
# what happened: optimizers created (their class and hyperparameters), calls of the provided
# `train` and `test` (which arguments were the grader's objects, and what they returned or
# printed), the lines drawn, and the final weights. The grader checks every record against the
# reference run or a trusted replay of the same calls, so a record is worth nothing unless the
# training behind it really happened.
import contextlib
import functools
import hashlib
import inspect
import io
import os

import torch
import torch.nn as nn

MAX_EVENTS, MAX_LINES, MAX_POINTS = 200, 64, 1_000    # the grader's loaders give a few points per epoch
MAX_COPIES = 4
MAX_NEW = 2         # new models of the passed model's class (type(model)(...)), reported as first seen
MAX_BATCH = 100_000
IPYTHON_DISPLAY = ("IPython.display", "IPython.core.display_functions", "IPython.core.display")


def make_setup(p, names=None, own=None):
    """Data, loaders and the initial model: the same in the job, the reference and the replay (in
    the job it also answers to the names of the student's own class: ``names`` gives them, see
    _names_aside, and ``own`` the class itself, see _own_class)."""
    from torch.utils.data import DataLoader, TensorDataset
    shape = [int(s) for s in p["input_shape"]]

    def images(seed, n):
        g = torch.Generator().manual_seed(int(seed))
        return (torch.rand((int(n), *shape), generator=g) - p["mean"]) / p["std"]

    g = torch.Generator().manual_seed(int(p["data_seed"]))
    x_train, x_test = images(p["data_seed"], p["n_train"]), images(int(p["data_seed"]) + 1, p["n_test"])
    y_train = torch.randint(0, int(p["classes"]), (int(p["n_train"]),), generator=g)
    y_test = torch.randint(0, int(p["classes"]), (int(p["n_test"]),), generator=g)
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=int(p["batch_size"]), shuffle=False)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=int(p["batch_size"]), shuffle=False)
    torch.manual_seed(int(p["init_seed"]))
    return model_class(p, names, own)(), train_loader, test_loader


def model_class(p, names=None, own=None):
    """The class of the model train_and_test is given: the task's layers (as many as the table's,
    narrower), named as `train`'s docstring names them (linear1, linear2, ...), and built like a
    student's class (d_in, d_out), so that code which names a layer, counts the Linear layers or
    builds another model of the same class works on it as on the student's own (a hundredth
    review: `model.linear1` lost all 20 points against an nn.Sequential)."""
    layers = [int(v) for v in p["layers"]]
    sigmoid = p["activation"] == "sigmoid"

    class Named(type(nn.Module)):
        def __getattr__(cls, name):
            # type(model).activation_name, cls.<name> in a classmethod: the student's class's own
            # (a hundred-and-twelfth review: all 20 lost to "type object 'GraderModel' has no attribute").
            if names is None or name.startswith("_"):
                raise AttributeError(name)
            return _theirs(cls, name, own)

    class GraderModel(nn.Module, metaclass=Named):
        def __init__(self, d_in=layers[0], d_out=layers[-1]):
            super().__init__()
            sizes = [int(d_in), *layers[1:-1], int(d_out)]
            # Its own names begin with "_" (but the layers', which `train` names): the student's class
            # may have an `activation`, a `flatten` or a `depth` of its own (a fairness review).
            self._flatten = nn.Flatten()
            for i in range(len(sizes) - 1):
                setattr(self, f"linear{i + 1}", nn.Linear(sizes[i], sizes[i + 1]))
            self._activation = nn.Sigmoid() if sigmoid else nn.ReLU()
            self._depth = len(sizes) - 1

        def __getattr__(self, name):
            # A name the grader's model lacks: once, the student's own class is read for its names
            # (see _shape_of), only when the function asks for one.
            try:
                return super().__getattr__(name)
            except AttributeError:
                if names is None or name.startswith("_"):
                    raise
                if self.__dict__.get("_names_given"):
                    return _theirs(self, name, own)
            self._read_names()
            return getattr(self, name)

        def state_dict(self, *args, **kwargs):
            # Its weights by the names of the student's class too (sd["fc1.weight"], sd["7.weight"] of
            # a class that is itself a Sequential): read first, as a missing attribute is (a fairness
            # item: a KeyError after the plot). The grader's own keys stay, so loading either works.
            self._read_names()
            return super().state_dict(*args, **kwargs)

        def _read_names(self):
            if names is not None and not self.__dict__.get("_names_given"):
                self.__dict__["_names_given"] = True
                shape = names()
                if shape:
                    _alias(self, shape, [nn.Module.__getattr__(self, f"linear{i + 1}") for i in range(self._depth)])

        def _container(self, what):
            self._read_names()
            inner = self.__dict__.get("_as_container")
            if inner is None:           # as a plain module answers
                raise TypeError(what.format(type(self).__name__))
            return inner

        def __bool__(self):             # with __len__ below, a model is still true
            return True

        def __getitem__(self, i):
            return self._container("'{}' object is not subscriptable")[i]

        def __len__(self):
            return len(self._container("object of type '{}' has no len()"))

        def __iter__(self):
            return iter(self._container("'{}' object is not iterable"))

        def forward(self, x):
            x = self._flatten(x)
            for i in range(1, self._depth):
                x = self._activation(getattr(self, f"linear{i}")(x))
            return getattr(self, f"linear{self._depth}")(x)

    # Named as the class it stands for: names[type(model).__name__] works as in the notebook.
    stands_for = (p.get("names_from") or {}).get("defines")
    if isinstance(stands_for, str) and stands_for.isidentifier():
        GraderModel.__name__ = GraderModel.__qualname__ = stands_for
    return GraderModel


ACTIVATIONS = ("Sigmoid", "ReLU", "Tanh", "LeakyReLU", "ELU", "GELU", "SiLU", "ReLU6", "Softplus", "Hardtanh")


def _shape_of(cls, args, depth_wanted):
    """The student's own class as data: its submodules by name (containers with their children,
    each Linear as the grader's layer in the same place, flattening and activations as the
    grader's, anything else without weights as an identity) and its plain attributes. The grader's
    model then answers to those names too, so a function written against the student's class
    (optim.SGD(model.net.parameters(), ...), a legend from model.fc1.out_features, a title from
    model.name) works on it as in the notebook (a hundred-and-fifth review: 20 points lost to an
    AttributeError). Built on the meta device: no weights are made. None where it does not fit."""
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        return None
    try:
        with torch.device("meta"):
            inst = cls(*args)
    except Exception:  # noqa: BLE001 - self.to(device) or .item() in __init__: built for real (a fairness review)
        inst = cls(*args)
    linears = [m for m in nn.Module.modules(inst) if type(m) is nn.Linear]
    if len(linears) != depth_wanted:
        return None
    order = {id(m): i for i, m in enumerate(linears)}

    def node(m, depth):
        if id(m) in order:
            return ["linear", order[id(m)]]
        kids = list(vars(m).get("_modules", {}).items())
        if not kids:
            if any(True for _ in nn.Module.parameters(m)):
                raise ValueError("weights outside Linear layers")
            name = type(m).__name__
            return ["flatten"] if name == "Flatten" else ["activation"] if name in ACTIVATIONS else ["identity"]
        if depth > 4 or len(kids) > 64:
            raise ValueError("too deep")
        kind = {nn.Sequential: "sequential", nn.ModuleList: "list", nn.ModuleDict: "dict"}.get(type(m), "module")
        return [kind, [[str(n), node(c, depth + 1)] for n, c in kids if c is not None]]

    children = [[str(n), node(c, 0)] for n, c in vars(inst).get("_modules", {}).items() if c is not None]
    attrs, refs = [], []
    for k, v in list(vars(inst).items())[:64]:
        if not isinstance(k, str) or k.startswith("_") or k == "training":
            continue
        if _plain(v):       # a name, the sizes of the layers, None, a dict of settings or of lists to fill
            attrs.append([k, list(v) if type(v) is tuple else v, type(v).__name__])
        elif isinstance(v, (torch.device, torch.dtype)):    # self.device = device (a fairness review)
            attrs.append([k, str(v), "device" if isinstance(v, torch.device) else "dtype"])
        elif callable(v) and not isinstance(v, nn.Module):
            # A function of a library (`self.act = torch.sigmoid`, a fairness review's `model.act.__name__`):
            # named as its module and name; one of the student's own (a lambda) cannot be named.
            refs.append([k, str(getattr(v, "__module__", "") or ""), str(getattr(v, "__name__", "") or "")])
    kind = next((k for t, k in ((nn.Sequential, "sequential"), (nn.ModuleList, "list"), (nn.ModuleDict, "dict"))
                 if isinstance(inst, t)), "module")
    return {"children": children[:64], "attrs": attrs, "refs": refs, "kind": kind}


def _elsewhere(name):
    """A class of another cell that the model given is no instance of (see observe_run): building
    one says, as before, that it is another cell's."""
    def init(self, *args, **kwargs):
        raise NameError(f"name '{name}' is not defined", name=name)
    return type(name, (nn.Module,), {"__init__": init})


def _plain(v, depth=0):
    """A value that the class's attribute can be given as data (through JSON): None, a number, a
    short text, and lists, tuples and dicts of them, a few levels deep."""
    if v is None or type(v) in (int, float, bool):
        return True
    if type(v) is str:
        return len(v) < 200
    if depth < 3 and type(v) in (list, tuple) and len(v) <= 64:
        return all(_plain(x, depth + 1) for x in v)
    if depth < 3 and type(v) is dict and len(v) <= 64:
        return all(type(k) is str and _plain(x, depth + 1) for k, x in v.items())
    return False


def _names_aside(ns, p):
    """A function that reads the student's own class (spec `names_from`) for _shape_of, once.
    Each cell runs on its own, so the class's cell is run again, in a child process that can only
    answer through a pipe, within a second and with its output going nowhere: what that cell does
    besides (a malformed frame written on the job's socket, an endless loop) costs no check of
    this function."""
    import json
    import os
    import select
    import time
    want, cache = p.get("names_from") or {}, []

    def read():
        if cache:
            return cache[0]
        cache.append(None)
        if not isinstance(want.get("source"), str):
            return None
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                os.closerange(3, w)
                os.closerange(w + 1, 1 << 16)
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                scratch = dict(ns)
                try:
                    exec(compile(want["source"], "<names_from>", "exec"), scratch)
                except BaseException:  # noqa: BLE001 - the class may be defined before a later line fails
                    pass
                shape = _shape_of(scratch.get(str(want.get("defines"))), list(want.get("args") or []),
                                  len(p["layers"]) - 1)
                os.write(w, json.dumps(shape).encode()[:1 << 20])
            finally:
                os._exit(0)
        os.close(w)
        data, deadline = b"", time.monotonic() + 1.0
        try:
            while len(data) < 1 << 20 and (left := deadline - time.monotonic()) > 0:
                if not select.select([r], [], [], left)[0]:
                    break
                chunk = os.read(r, 1 << 16)
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(r)
            try:
                os.kill(pid, 9)
            except OSError:
                pass
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass
        try:
            shape = json.loads(data)
            cache[0] = shape if isinstance(shape, dict) else None
        except ValueError:
            pass
        return cache[0]

    return read


def _own_class(ns, p):
    """A function that gives the student's own class (spec `names_from`), defined again from its
    cell's imports, classes and functions only (no other line of that cell runs: no training, no
    output), once, when the function trained asks the grader's model for a name of that class
    itself (a method, a property, a class attribute: a fairness review's `model.n_params()` lost
    all 20 points). It runs here, in the job, as the student's own code does."""
    import ast
    want, cache = p.get("names_from") or {}, []

    def read():
        if cache:
            return cache[0]
        cache.append(None)
        source = want.get("source")
        if not isinstance(source, str):
            return None
        try:
            tree = ast.parse(source)
            defs = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef))
                    or _constant(n)]
            scratch = dict(ns)
            exec(compile(ast.Module(body=defs, type_ignores=[]), "<names_from>", "exec"), scratch)
        except Exception:  # noqa: BLE001 - a class that cannot be defined again has no names to give
            return None
        cls = scratch.get(str(want.get("defines")))
        if isinstance(cls, type) and issubclass(cls, nn.Module):
            cache[0] = cls
        return cache[0]

    return read


def _constant(node) -> bool:
    """`ACT_NAME = "ReLU"` at the top of the class's cell: a name its methods may read (a fairness
    review: a method reading one raised NameError). Only values written out (no call runs)."""
    import ast
    value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
    if value is None:
        return False
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return all(isinstance(t, ast.Name) for t in targets)


def _theirs(target, name, own):
    """``name`` of the student's class itself, for the grader's model or (``target`` a class) for
    its class: a method bound to it, a property read on it, a class attribute's value. Never a name
    the grader's model has."""
    import types
    on_class = isinstance(target, type)
    cls = target if on_class else type(target)
    missing = (f"type object '{cls.__name__}'" if on_class else f"'{cls.__name__}' object") + \
        f" has no attribute '{name}'"
    theirs = own() if own is not None else None
    try:
        if theirs is None:
            raise AttributeError(name)
        attr = inspect.getattr_static(theirs, name)
    except AttributeError:
        raise AttributeError(missing) from None
    if isinstance(attr, staticmethod):
        return attr.__func__
    if isinstance(attr, classmethod):
        return types.MethodType(_rebound(attr.__func__, cls), cls)
    if on_class and (inspect.isfunction(attr) or hasattr(type(attr), "__get__")):
        raise AttributeError(missing)          # a method or property is the model's, not its class's
    if inspect.isfunction(attr):
        return types.MethodType(_rebound(attr, cls), target)
    if isinstance(attr, property) and attr.fget is not None:
        return _rebound(attr.fget, cls)(target)
    if hasattr(type(attr), "__get__"):          # functools.cached_property and the like
        return attr.__get__(target, cls)
    return attr


def _rebound(fn, cls):
    """The student's method with its zero-argument super() meaning the grader's class (its
    `__class__` cell): super().__repr__() in a method of theirs raised "super(type, obj): obj must
    be an instance or subtype of type" on the grader's model (a hundred-and-twelfth review)."""
    import types
    code = getattr(fn, "__code__", None)
    if code is None or "__class__" not in code.co_freevars or fn.__closure__ is None:
        return fn
    cells = tuple(types.CellType(cls) if n == "__class__" else c for n, c in zip(code.co_freevars, fn.__closure__))
    out = types.FunctionType(code, fn.__globals__, fn.__name__, fn.__defaults__, cells)
    out.__kwdefaults__ = fn.__kwdefaults__
    return out


def _alias(model, shape, linears):
    """Give the grader's model the names of _shape_of's shape, each for one of its own modules (or a
    container of them): no new weights, and the grader's own names come first, so its parameters,
    their order and their names (what is reported and replayed) are those of the plain model."""
    from collections import OrderedDict

    def build(node):
        kind = node[0]
        if kind == "linear":
            return linears[node[1]]
        if kind in ("flatten", "activation", "identity"):
            return {"flatten": model._flatten, "activation": model._activation}.get(kind) or nn.Identity()
        kids = [(n, build(k)) for n, k in node[1]]
        if kind == "sequential":
            return nn.Sequential(OrderedDict(kids))
        if kind == "list":
            return nn.ModuleList([m for _, m in kids])
        if kind == "dict":
            return nn.ModuleDict(OrderedDict(kids))
        holder = nn.Module()
        for n, m in kids:
            holder.add_module(n, m)
        return holder

    def has(name):          # without __getattr__, which would look into the student's class
        own = vars(model)
        return any(name in d for d in (own, own["_modules"], own["_parameters"], own["_buffers"])) or \
            hasattr(type(model), name)

    try:
        for name, node in shape["children"]:
            if not has(name):
                model.add_module(name, build(node))
        for name, value, *kind in shape["attrs"]:
            if not has(name):
                value = tuple(value) if kind == ["tuple"] else torch.device(value) if kind == ["device"] else \
                    getattr(torch, value.rpartition(".")[2]) if kind == ["dtype"] else value
                setattr(model, name, value)
        if shape.get("kind") in ("sequential", "list", "dict"):
            # The class is itself a container (class ANN_sigmoid(nn.Sequential)): model[1], len(model)
            # and a loop over the model reach its layers as in the notebook (a fairness review).
            inner = model.__dict__["_as_container"] = build([shape["kind"], shape["children"]])
            for name, module in vars(inner)["_modules"].items():    # its state_dict's keys ("1.weight")
                if not has(name):
                    model.add_module(name, module)
        import sys
        for name, module, attr in shape.get("refs") or []:
            found = getattr(sys.modules[module], attr, None) if module in sys.modules else None
            if callable(found) and not has(name):
                setattr(model, name, found)
    except Exception:  # noqa: BLE001 - a name nn.Module refuses: the plain model's names stay
        pass


def _bind(fn, args, kwargs):
    try:
        return dict(inspect.signature(fn).bind(*args, **kwargs).arguments)
    except TypeError:
        return {}


def _rebuilt(obj, ours):
    """The batch size of a loader the cell built over the provided loader's dataset (None for any
    other object): a plain DataLoader holding that dataset, its collate function and a plain
    sampler. The template's own loader shuffles, the grader's does not, so a rebuilt copy with
    shuffle=True trains as the grader's does."""
    from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler
    if obj is ours or type(obj) is not DataLoader:      # a subclass may say anything (its own dataset)
        return None
    mine, theirs = vars(obj), vars(ours)                # what it holds, not what properties say
    sampler, batches, size = mine.get("sampler"), mine.get("batch_sampler"), mine.get("batch_size")
    if (mine.get("dataset") is theirs.get("dataset") and type(size) is int and 1 <= size <= MAX_BATCH
            and mine.get("drop_last") is False and mine.get("collate_fn") is theirs.get("collate_fn")
            and type(sampler) in (SequentialSampler, RandomSampler)
            and vars(sampler).get("data_source") is theirs.get("dataset")
            and not vars(sampler).get("replacement", False) and vars(sampler).get("_num_samples") is None
            and type(batches) is BatchSampler and vars(batches).get("sampler") is sampler):
        return size
    return None


def loader_like(ours, size):
    """The grader's loader over the same data with another batch size (in the job and the replay)."""
    from torch.utils.data import DataLoader
    return DataLoader(ours.dataset, batch_size=int(size), shuffle=False)


def _provided_loader(fn, args, kwargs, key, ours, kind):
    """The call's arguments, with a loader rebuilt over the provided one's data replaced by the
    grader's (by the provided loader itself for the same batch size), and the label of the loader
    it got: `kind`, `kind:<batch size>` for another batch size, or None (said by identity)."""
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return args, kwargs, None
    size = _rebuilt(bound.arguments.get(key), ours)
    if size is None:
        return args, kwargs, None
    same = size == vars(ours).get("batch_size")
    bound.arguments[key] = ours if same else loader_like(ours, size)
    return bound.args, bound.kwargs, kind if same else f"{kind}:{size}"


def _unwrapped(obj):
    """The module that torch.compile wrapped (it runs as it is in a job: see child_env), whose very
    parameters the wrapper trains (a hundred-and-eighth review: `train(torch.compile(model), ...)`)."""
    for _ in range(4):
        wraps = {"OptimizedModule": "_orig_mod", "DataParallel": "module"}.get(type(obj).__name__) \
            if isinstance(obj, nn.Module) else None    # nn.DataParallel on the CPU runs the module itself
        inner = vars(obj).get("_modules", {}).get(wraps) if wraps else None
        if not isinstance(inner, nn.Module):
            break
        obj = inner
    return obj


def _copy_of(obj, model, ids):
    """A module of its own holding the passed model's current weights (copy.deepcopy(model), or a
    new one given its state_dict): the replay trains a copy of its model at the same point, so what
    is reported for it is checked all the same."""
    try:
        if not isinstance(obj, nn.Module) or any(id(q) in ids for q in nn.Module.parameters(obj)):
            return False
        mine, theirs = _params(obj), _params(model)
        return list(mine) == list(theirs) and all(
            isinstance(mine[k], torch.Tensor) and mine[k].shape == v.shape and torch.equal(mine[k], v)
            for k, v in theirs.items())
    except Exception:  # noqa: BLE001 - whatever the student passed
        return False


def _new_of(obj, model, ids):
    """Another model of the passed model's own class, sharing none of its parameters
    (type(model)(784, 10)): the replay trains one like it from the weights it held when first seen,
    so what is reported for it is checked as a copy's is (a sixty-ninth review: such a function
    lost all five checks, where training a copy loses one)."""
    try:
        if type(obj) is not type(model) or any(id(q) in ids for q in nn.Module.parameters(obj)):
            return False
        mine, theirs = _params(obj), _params(model)
        return list(mine) == list(theirs) and all(
            isinstance(mine[k], torch.Tensor) and mine[k].shape == v.shape for k, v in theirs.items())
    except Exception:  # noqa: BLE001 - whatever the student passed
        return False


def _params(module):
    """The module's parameters by their first names: a model that answers to the student's names
    too (see _alias) lists each of its own once, under the grader's name (a hundred-and-sixth
    review: `net.net.parameters()` on a copy added names to its state_dict only, and the copy was
    taken for another model, all 20 points lost)."""
    return dict(nn.Module.named_parameters(module))


def _weights(module):
    return {k: torch.Tensor.clone(torch.Tensor.float(torch.Tensor.detach(v))) for k, v in _params(module).items()}


SETTINGS = ("lr", "momentum", "dampening", "weight_decay")


def _groups(opt):
    """An optimizer's settings per parameter group as they are now (a scheduler or the function's
    own code may change lr between calls of `train`)."""
    try:
        return [{k: float(g[k]) for k in SETTINGS if type(g.get(k)) in (int, float)} for g in opt.param_groups[:8]]
    except Exception:  # noqa: BLE001 - whatever the student's optimizer holds
        return None


def _number(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v if isinstance(v, bool) else None


def _series(out):
    try:
        return [[float(v) for v in s][:MAX_POINTS] for s in out][:3]
    except (TypeError, ValueError):
        return None


def _printed_test(fn, args, kwargs):
    """Call the provided test and keep the line it prints (loss and accuracy: values that only a
    real evaluation of the model on that loader gives)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args, **kwargs)
    lines = [ln.strip() for ln in buf.getvalue().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


def _group(item):
    if isinstance(item, dict) and not isinstance(item.get("params"), torch.Tensor):
        return {**item, "params": list(item.get("params", []))}
    return item


def _tensors(items):
    """Parameters, also as named_parameters() gives them ((name, parameter) pairs)."""
    return [q[1] if isinstance(q, tuple) and len(q) == 2 and isinstance(q[0], str) else q for q in items]


def _filled(collection):
    """fill_between and stackplot draw a polygon: its upper and lower edge and their difference
    (a stacked series) are what it shows."""
    paths = collection.get_paths() if hasattr(collection, "get_paths") else []
    if len(paths) != 1:
        return []
    v = paths[0].vertices
    n = (len(v) - 3) // 2
    if n < 2 or len(v) != 2 * n + 3 or not (v[1:n + 1, 0] == v[n + 2:2 * n + 2, 0][::-1]).all():
        return []
    y1, y2 = v[1:n + 1, 1], v[n + 2:2 * n + 2, 1][::-1]
    return [y1, y2, y2 - y1, y1 - y2]


def _segments(collection):
    """The values of vertical or horizontal segments from a baseline (``vlines``, ``hlines``): the
    end of each that is not the baseline's."""
    if type(collection).__name__ != "LineCollection":
        return []
    try:
        segs = collection.get_segments()[:MAX_POINTS]
        if len(segs) < 2 or any(len(s) != 2 for s in segs):
            return []
        if all(s[0][0] == s[1][0] for s in segs):          # vertical: x fixed, the value its y
            return [[s[1][1] for s in segs], [s[0][1] for s in segs]]
        if all(s[0][1] == s[1][1] for s in segs):          # horizontal: the value its x
            return [[s[1][0] for s in segs], [s[0][0] for s in segs]]
    except Exception:  # noqa: BLE001 - whatever the student drew
        return []
    return []


def _grid(image):
    """The rows and columns of an image's or mesh's 2-D array of values."""
    import numpy as np
    try:
        a = np.asarray(np.ma.getdata(image.get_array()), dtype=float)
        if a.ndim != 2 or not a.size:
            return []
        return [*a[:MAX_LINES, :MAX_POINTS], *a[:MAX_POINTS, :MAX_LINES].T]
    except Exception:  # noqa: BLE001 - whatever the student drew
        return []


def _datasets(data):
    """The series handed to a box plot, violin plot or histogram: one, a list of them, or the
    columns of a 2-D array."""
    try:
        if getattr(data, "ndim", 1) == 2:
            data = [data[:, j] for j in range(min(int(data.shape[1]), MAX_LINES))]
        items = list(data)[:MAX_POINTS] if data is not None else []
        if items and all(hasattr(i, "__len__") and not isinstance(i, str) for i in items):
            return [[float(v) for v in list(i)[:MAX_POINTS]] for i in items[:MAX_LINES]]
        return [[float(v) for v in items]] if items else []
    except Exception:  # noqa: BLE001 - whatever the student drew
        return []


def _seen(artist):
    """Drawn so that it shows: visible, in a visible figure, not fully transparent, and not in the
    colour "none" (the fortieth and forty-second reviews plotted the lists with visible=False,
    color="none" and in a hidden figure)."""
    from matplotlib.colors import to_rgba
    try:
        figure = artist.get_figure() if hasattr(artist, "get_figure") else None
        # Faint, hair-thin or in a figure a few pixels wide is not seen either (a sixty-eighth review:
        # alpha 1e-9, linewidth 1e-9, a 0.01-inch figure).
        alpha = artist.get_alpha()
        alpha = 1.0 if alpha is None else float(alpha)
        if not artist.get_visible() or alpha < 0.05 or (figure is not None and (
                not figure.get_visible() or min(figure.get_size_inches()) < 0.5)):
            return False
        if type(artist).__name__ == "LineCollection":                              # stems (vlines)
            colors, widths = artist.get_colors(), artist.get_linewidths()
            return bool(len(colors) and (colors[:, 3] * alpha >= 0.05).any() and len(widths) and max(widths) >= 0.1)
        if hasattr(artist, "get_color") and hasattr(artist, "get_linestyle"):      # a line
            line = (to_rgba(artist.get_color())[3] * alpha >= 0.05 and artist.get_linestyle() not in ("None", "", " ")
                    and artist.get_linewidth() >= 0.1)
            marks = artist.get_marker() not in (None, "", "None", " ") and artist.get_markersize() >= 0.5 and (
                to_rgba(artist.get_markerfacecolor())[3] * alpha >= 0.05
                or to_rgba(artist.get_markeredgecolor())[3] * alpha >= 0.05)
            return line or marks
        if hasattr(artist, "get_facecolors"):                                      # points, areas
            faces, edges = artist.get_facecolors(), artist.get_edgecolors()
            widths = artist.get_linewidths()
            return bool((len(faces) and (faces[:, 3] > 0).any()) or (
                len(edges) and (edges[:, 3] > 0).any() and len(widths) and max(widths) > 0))
        if hasattr(artist, "get_facecolor"):                                       # a bar
            return to_rgba(artist.get_facecolor())[3] > 0 or (
                to_rgba(artist.get_edgecolor())[3] > 0 and artist.get_linewidth() > 0)
        return True
    except Exception:  # noqa: BLE001 - whatever the student drew
        return False


def _in_view(ax, line):
    """Some point of the line lies within the axes' limits (a sixty-eighth review drew the lists at
    x and y from a million on)."""
    try:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        # As the axes place them: words and dates on an axis are numbers there (a hundred-and-
        # seventy-first review: words as x values made this raise, and the line count as in view).
        xy = line.get_xydata()[:MAX_POINTS]
        return any(x0 <= float(x) <= x1 and y0 <= float(y) <= y1 for x, y in xy)
    except Exception:  # noqa: BLE001 - whatever the student drew
        return True


def _artists(drawn, depth: int = 0) -> list:
    """The matplotlib artists in what a plotting call returned (tuples, lists, dicts, containers)."""
    from matplotlib.artist import Artist
    if isinstance(drawn, Artist):
        return [drawn]
    if depth > 3:
        return []
    items = drawn.values() if isinstance(drawn, dict) else drawn if isinstance(drawn, (list, tuple)) else []
    return [a for item in list(items)[:MAX_LINES] for a in _artists(item, depth + 1)][:MAX_POINTS]


def _lines_of(figures, summaries=None):
    """The y values of what the figures draw: lines, and scatter or bar plots of a series; and the
    series given to a box plot, violin plot or histogram (``summaries``: axes -> (what the call drew,
    its series)) that is seen in the figure."""
    lines = []
    for fig in figures:
        for ax in fig.axes:
            if not _seen(ax):
                continue
            for drawn_by, series in (summaries.get(ax, ()) if summaries is not None else ()):
                if any(_seen(a) for a in _artists(drawn_by)):
                    lines.extend(series)
            drawn = [line.get_ydata() for line in ax.get_lines() if _seen(line) and _in_view(ax, line)]
            drawn += [c.get_offsets()[:, 1] for c in ax.collections if _seen(c) and hasattr(c, "get_offsets")
                      and getattr(c.get_offsets(), "ndim", 0) == 2 and len(c.get_offsets()) > 1]
            drawn += [[r.get_width() if getattr(bars, "orientation", None) == "horizontal" else r.get_height()
                       for r in bars] for bars in ax.containers
                      if type(bars).__name__ == "BarContainer" and all(_seen(r) for r in bars)]
            drawn += [ys for c in ax.collections[:MAX_LINES] if _seen(c) for ys in _filled(c)]
            # Steps (`stairs`) and stems (`vlines`, `hlines`) draw each value as a patch or a segment
            # (a hundred-and-sixty-ninth review: three lists drawn so read "0 of the 3 were plotted").
            drawn += [p.get_data().values for p in ax.patches[:MAX_LINES]
                      if type(p).__name__ == "StepPatch" and _seen(p)]
            drawn += [ys for c in ax.collections[:MAX_LINES] if _seen(c) for ys in _segments(c)]
            # A heatmap of the lists (imshow, matshow, pcolormesh, seaborn's heatmap): its rows and
            # columns (review 171: "0 of the 3 were plotted" under a picture of all three).
            drawn += [ys for im in [*ax.images[:MAX_LINES], *(c for c in ax.collections[:MAX_LINES]
                                                             if type(c).__name__ == "QuadMesh")]
                      if _seen(im) for ys in _grid(im)]
            for ys in drawn:
                try:
                    lines.append([float(v) for v in ys][:MAX_POINTS])
                except (TypeError, ValueError):
                    continue
    return lines


def observe_run(ns, name, p):
    import matplotlib.pyplot as plt

    model, train_loader, test_loader = make_setup(p, _names_aside(ns, p), _own_class(ns, p))
    # The model's own parameter tensors, taken before the student's function runs: training
    # changes them in place, and what the model "says" afterwards is the student's to replace (the
    # fortieth review set `model.state_dict = twin.state_dict` after training a copy).
    own = list(nn.Module.named_parameters(model))
    ids = {id(q) for _, q in own}
    start = [q.detach().clone() for _, q in own]
    events, optimizers, copies, owned, inside = [], [], [], [], []
    news, news_start = [], []
    provided_train, provided_test = ns.get("train"), ns.get("test")
    original_init = torch.optim.Optimizer.__init__

    def recording_init(self, params, defaults, *a, **kw):
        # Read once, and handed on as read: a parameter group's generator (model.parameters() in
        # {"params": ...}) would otherwise reach the optimizer used up, and it would train nothing.
        params, flat = [_group(item) for item in params], []
        for item in params:
            flat.extend(_tensors(item["params"] if isinstance(item, dict) else [item]))
        mine = {id(q) for q in flat}
        owner = "model" if mine == ids else ("none" if not mine else ("subset" if mine < ids else "other"))
        ev = {"kind": "optimizer", "type": type(self).__name__, "params": owner,
              "defaults": {str(k): _number(v) for k, v in dict(defaults).items() if _number(v) is not None}}
        if owner == "subset":            # which of the model's parameters: the replay builds the same
            ev["names"] = [n for n, q in own if id(q) in mine]
        if len(events) < MAX_EVENTS:
            events.append(ev)
            owned.append((ev, mine))
        optimizers.append(self)
        done = original_init(self, params, defaults, *a, **kw)
        ev["groups"] = _groups(self)     # lr and momentum may be given per parameter group
        try:
            self.register_step_post_hook(stepped)
        except Exception:  # noqa: BLE001 - an optimizer of the student's own making
            pass
        return done

    def stepped(opt, args, kwargs):
        """A step outside `train` after training began (an extra optimizer.step()): the replay
        makes it too."""
        if not inside and any(e["kind"] == "train" for e in events) and len(events) < MAX_EVENTS:
            events.append({"kind": "step", "optimizer": next((i for i, o in enumerate(optimizers) if o is opt), None),
                           "groups": _groups(opt)})

    def which(obj):
        obj = _unwrapped(obj)
        if obj is model:
            return "model"
        for i, c in enumerate(copies):
            if obj is c:
                return f"copy:{i}"
        for i, c in enumerate(news):
            if obj is c:
                return f"new:{i}"
        if len(copies) < MAX_COPIES and _copy_of(obj, model, ids):
            copies.append(obj)
            return f"copy:{len(copies) - 1}"
        if len(news) < MAX_NEW and _new_of(obj, model, ids):
            news.append(obj)
            news_start.append(_weights(obj))
            return f"new:{len(news) - 1}"
        return "other"

    def loader_of(obj):
        return "train" if obj is train_loader else ("test" if obj is test_loader else "other")

    def wrapped_train(*args, **kwargs):
        args, kwargs, label = _provided_loader(provided_train, args, kwargs, "train_loader", train_loader, "train")
        bound = _bind(provided_train, args, kwargs)
        opt = bound.get("optimizer")
        ev = {"kind": "train", "model": which(bound.get("model")),
              "loader": label or loader_of(bound.get("train_loader")),
              "optimizer": next((i for i, o in enumerate(optimizers) if o is opt), None),
              "epoch": bound.get("epoch") if isinstance(bound.get("epoch"), int) else None}
        if opt is not None:
            ev["groups"] = _groups(opt)
        if ev["model"] == "model" and not any(e["kind"] == "train" for e in events):
            # Only to word a message: weights changed before training (re-initialised) cannot be replayed.
            ev["moved"] = not all(torch.equal(q.detach(), s0) for (_, q), s0 in zip(own, start))
        inside.append(True)
        try:
            out = provided_train(*args, **kwargs)
        finally:
            inside.pop()
        ev["series"] = _series(out)
        if len(events) < MAX_EVENTS:
            events.append(ev)
        return out

    def wrapped_test(*args, **kwargs):
        args, kwargs, label = _provided_loader(provided_test, args, kwargs, "test_loader", test_loader, "test")
        bound = _bind(provided_test, args, kwargs)
        ev = {"kind": "test", "model": which(bound.get("model")),
              "loader": label or loader_of(bound.get("test_loader"))}
        ev["printed"] = _printed_test(provided_test, args, kwargs)
        if len(events) < MAX_EVENTS:
            events.append(ev)

    # What Jupyter shows, as its inline backend shows it: plt.show() shows the figures open then and
    # closes them; a figure still open when the cell ends is shown, unless plt.ioff() is in effect; a
    # figure closed before either is never shown, nor are lines drawn after its figure was closed (a
    # hundred-and-ninth review: `plt.show()` before the plotting, or `plt.close()` after it, showed an
    # empty figure or none, and earned the plots' 4 points). Such lines are kept aside, `unshown`,
    # for the message only.
    snapshots, gone, inline = [], [], [True]
    original_show, original_close, original_ion, original_ioff = plt.show, plt.close, plt.ion, plt.ioff
    from matplotlib._pylab_helpers import Gcf

    def open_figures():          # without making any of them the current figure
        return [m.canvas.figure for m in Gcf.get_all_fig_managers()]

    def show(*a, **kw):
        figures = open_figures()
        snapshots.extend(lines_of(figures))
        gone.extend(figures[:max(0, 16 - len(gone))])
        original_close("all")

    def close(*a, **kw):
        before = open_figures()
        out = original_close(*a, **kw)
        still = {id(f) for f in open_figures()}
        gone.extend([f for f in before if id(f) not in still][:max(0, 16 - len(gone))])
        return out

    def mode(on):
        def switch(*a, **kw):            # as pyplot's: also a context manager that switches back
            import contextlib
            was, inline[0] = inline[0], on
            stack = contextlib.ExitStack()
            stack.callback(inline.__setitem__, 0, was)
            return stack
        return switch

    # A box plot, violin plot or histogram keeps statistics, not the values: what it was given is
    # what it shows.
    from matplotlib.axes import Axes
    summaries = {m: getattr(Axes, m) for m in ("boxplot", "violinplot", "hist")}

    # Read with the figure when it is shown, as its lines are (a hundred-and-seventy-first review: a
    # histogram in a figure closed unshown, or drawn with alpha 0, was read when it was drawn).
    import weakref
    summarised_on = weakref.WeakKeyDictionary()

    def summarised(method):
        def draw(self, *args, **kwargs):
            drawn = summaries[method](self, *args, **kwargs)      # only what was drawn (it may raise)
            kept = summarised_on.setdefault(self, [])
            if len(kept) < MAX_LINES:
                kept.append((drawn, _datasets(args[0] if args else kwargs.get("x", kwargs.get("dataset")))))
            return drawn
        return draw

    def lines_of(figures):
        return _lines_of(figures, summarised_on)

    schedulers = []
    from torch.optim import lr_scheduler
    original_scheduler = lr_scheduler.LRScheduler.__init__

    def recording_scheduler(self, *a, **kw):
        # Only to word a message: lr changed by a scheduler after the epochs the public run has.
        if len(schedulers) < 8:
            schedulers.append(type(self).__name__[:40])
        return original_scheduler(self, *a, **kw)

    # A figure made without pyplot (matplotlib.figure.Figure) is not among pyplot's open figures;
    # Jupyter shows it when it is displayed (a ninety-third review: display(fig) lost all 4 points).
    from matplotlib.figure import Figure
    displayed, provided_display = [], ns.get("display")

    # A figure saved (savefig) and shown as an image (display(Image("grads.png")), a fairness
    # review): the image's bytes are those saved, and show the figure as it was then.
    saved, original_savefig = {}, Figure.savefig

    def recording_savefig(self, fname, *args, **kwargs):
        out = original_savefig(self, fname, *args, **kwargs)
        try:
            if len(saved) < 16:
                data = b""
                if hasattr(fname, "getvalue"):                      # io.BytesIO
                    data = bytes(fname.getvalue())
                else:                                               # a path, or a file opened on one
                    path = os.fsdecode(getattr(fname, "name", fname))
                    if hasattr(fname, "flush"):
                        fname.flush()
                    if not os.path.exists(path):                    # savefig("grads") writes grads.png
                        import matplotlib
                        path += "." + str(kwargs.get("format") or matplotlib.rcParams["savefig.format"])
                    with open(path, "rb") as fh:
                        data = fh.read(1 << 25)
                if data:
                    saved[hashlib.sha256(data).hexdigest()] = lines_of([self])
        except Exception:  # noqa: BLE001 - a file the cell moved away, a buffer of its own
            pass
        return out

    def saved_shown(o):
        # An IPython image of the bytes a savefig wrote shows that figure as it was saved.
        data = getattr(o, "data", None) if type(o).__name__ == "Image" and \
            str(getattr(type(o), "__module__", "")).startswith("IPython.") else None
        return saved.get(hashlib.sha256(data).hexdigest(), []) if isinstance(data, bytes) and saved else []

    def recording_display(*objs, **kwargs):
        # Jupyter shows a displayed figure as it is then, a pyplot one too (display(fig) and then
        # plt.close(fig), so that it is not shown twice).
        if len(snapshots) < MAX_LINES:
            snapshots.extend(lines_of([o for o in objs[:8] if isinstance(o, Figure)]))
            for o in objs[:8]:
                snapshots.extend(saved_shown(o))
        displayed.extend(o for o in objs[:8] if isinstance(o, Figure) and getattr(o.canvas, "manager", None) is None
                         and len(displayed) < 16)
        return provided_display(*objs, **kwargs) if callable(provided_display) else None

    # Jupyter's display also when the function imports it itself, or calls IPython.display.display
    # (a hundred-and-twelfth review: display(fig) then plt.close(fig) lost the plots' 4 points so).
    real, patched = [], []

    def patch_display(module):
        shown = getattr(module, "display", None)
        if shown is None or any(m is module for m, _ in patched):
            return
        if shown is not recording_display:
            real.append(shown)
        patched.append((module, shown if shown is not recording_display else (real[0] if real else None)))
        module.display = recording_display

    class DisplayHook:
        def find_spec(self, fullname, path=None, target=None):
            if fullname not in IPYTHON_DISPLAY:
                return None
            import importlib.machinery
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            loader = getattr(spec, "loader", None)
            if loader is not None and hasattr(loader, "exec_module"):
                run = loader.exec_module

                def exec_module(module):
                    run(module)
                    patch_display(module)
                loader.exec_module = exec_module
            return spec

    import sys
    for module in [sys.modules.get(n) for n in IPYTHON_DISPLAY]:
        if module is not None:
            patch_display(module)
    hook = DisplayHook()
    sys.meta_path.insert(0, hook)

    res = {}
    plt.close("all")
    # The provided objects, wherever the cell kept them: under their names, under names of the
    # cell's own (train_fn = train) and as its function's default arguments (test_loader=test_loader).
    ours = {"train": wrapped_train, "test": wrapped_test, "train_loader": train_loader, "test_loader": test_loader}
    swap = {id(ns[k]): v for k, v in ours.items() if k in ns}
    rebound = {k: v for k, v in ns.items() if not k.startswith("__") and id(v) in swap}
    fn = ns[name]
    defaults, kwdefaults = getattr(fn, "__defaults__", None), getattr(fn, "__kwdefaults__", None)
    hyper = {str(k): v for k, v in p["hyperparameters"].items()}
    ns.update(ours)
    ns.update({k: swap[id(v)] for k, v in rebound.items()})
    ns["display"] = recording_display
    # The notebook's classes are other cells' names: the class of spec `names_from` is the model's
    # own (type(model) is ANN_sigmoid, isinstance, a dict keyed by the classes: fairness reviews 115
    # and 122; building one is building a new model of its class, replayed as such), and the others
    # are classes it is no instance of, whose building still says it is another cell's.
    want = p.get("names_from") or {}
    stand_ins = {str(k): v for k, v in [(want.get("defines"), type(model))] + [
        (o, _elsewhere(str(o))) for o in (want.get("others") or [])[:8]] if isinstance(k, str) and k not in ns}
    ns.update(stand_ins)
    # ... and one level inside the cell's own objects: functools.partial(train), {"train": train},
    # [train, test] (the fortieth review: such calls went unseen, and an honest function lost 11).
    partials = {k: v for k, v in ns.items() if not k.startswith("__") and type(v) is functools.partial
                and id(v.func) in swap}
    ns.update({k: functools.partial(swap[id(v.func)], *v.args, **v.keywords) for k, v in partials.items()})
    held = []
    for v in list(ns.values()):
        if type(v) is dict and v is not ns:
            held += [(v, k, x) for k, x in list(v.items())[:64] if id(x) in swap]
        elif type(v) is list:
            held += [(v, i, x) for i, x in enumerate(v[:64]) if id(x) in swap]
    for box, k, x in held:
        box[k] = swap[id(x)]
    try:
        if defaults:
            fn.__defaults__ = tuple(swap.get(id(d), d) for d in defaults)
        if kwdefaults:
            fn.__kwdefaults__ = {k: swap.get(id(d), d) for k, d in kwdefaults.items()}
    except (AttributeError, TypeError):
        pass
    torch.optim.Optimizer.__init__ = recording_init
    lr_scheduler.LRScheduler.__init__ = recording_scheduler
    plt.show, plt.close, plt.ion, plt.ioff = show, close, mode(True), mode(False)
    for m in summaries:
        setattr(Axes, m, summarised(m))
    Figure.savefig = recording_savefig
    returned = None
    try:
        returned = fn(model, hyper)
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything
        res["error"] = _why(exc)
    finally:
        Figure.savefig = original_savefig
        if hook in sys.meta_path:
            sys.meta_path.remove(hook)
        for module, shown in patched:
            if shown is not None:
                module.display = shown
        torch.optim.Optimizer.__init__ = original_init
        lr_scheduler.LRScheduler.__init__ = original_scheduler
        plt.show, plt.close, plt.ion, plt.ioff = original_show, original_close, original_ion, original_ioff
        for box, k, x in held:
            box[k] = x
        ns.update(partials)
        for m, original in summaries.items():
            setattr(Axes, m, original)
        ns.update(rebound)
        for k in stand_ins:
            ns.pop(k, None)
        ns.update(train=provided_train, test=provided_test)
        if provided_display is None:
            ns.pop("display", None)
        else:
            ns["display"] = provided_display
        try:
            if defaults:
                fn.__defaults__ = defaults
            if kwdefaults:
                fn.__kwdefaults__ = kwdefaults
        except (AttributeError, TypeError):
            pass
    # An optimizer made over a copy (or a new model) before its first call is known by its
    # parameters now.
    for label, c in [(f"copy:{i}", c) for i, c in enumerate(copies)] + [(f"new:{i}", c) for i, c in enumerate(news)]:
        try:
            theirs = {id(q) for q in nn.Module.parameters(c)}
        except Exception:  # noqa: BLE001 - whatever the student passed
            continue
        for ev, mine in owned:
            if ev["params"] == "other" and mine == theirs:
                ev["params"] = label
    if isinstance(returned, Figure):
        # The notebook's cells end with the call: Jupyter shows a figure it returns, as it is then
        # (a fairness review: plt.close(fig) and then return fig lost the plots' 4 points), and an
        # image it returns.
        snapshots.extend(lines_of([returned]))
    snapshots.extend(saved_shown(returned))
    unshown = lines_of(dict.fromkeys(gone))
    (snapshots if inline[0] else unshown).extend(lines_of(open_figures()))
    snapshots.extend(lines_of(dict.fromkeys(displayed)))
    original_close("all")
    if unshown:
        res["unshown"] = unshown[:MAX_LINES]
    if schedulers:
        res["schedulers"] = schedulers
    if news_start:
        res["new"] = news_start
    res.update(events=events, lines=snapshots[:MAX_LINES],
               final={k: torch.Tensor.clone(torch.Tensor.float(torch.Tensor.detach(q))) for k, q in own})
    return res


def observe(ns, params):
    name = params["defines"]
    res = {"defined": name in ns and callable(ns[name])}
    if res["defined"]:
        res["runs"] = {label: observe_run(ns, name, p) for label, p in params["runs"].items()}
        extra = globals().get("reference_extras")
        if extra is not None:          # only in the grader's trusted reference job
            for label, p in params["runs"].items():
                res["runs"][label].update(extra(ns, p))
    return res
