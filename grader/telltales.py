"""Signs in a graded cell's text that it may behave otherwise under the grader's calls than in the notebook.

A probe calls the student's code a few times, on the grader's small data, with hidden values in
`grader grade`; code can tell those calls from the notebook's run (by the seed or a hyperparameter it is
handed, by the stack, by how often or on how much data it is called, by the machine) and do otherwise in
the notebook while keeping its points. No test of behaviour can rule that out, so the plain ways of doing
it are flagged for a TA to read (`hidden-values`, `introspection`, `partial-training`, `call-dependent`);
no point depends on them, and code that hides it better is not found.
"""
from __future__ import annotations

import ast
from collections.abc import Callable

from .magics import python_tree
from .notebook import parse_source
from .syntax import child_nodes, own_scope, quoted, shapes, walk


_SEED_READERS = {"initial_seed", "get_rng_state", "getstate", "get_state"}
# What a comparison, or taking a value apart into digits or bits, is written with (for a quick look first).
_TELLING = ("<", ">", "==", "!=", "%", "&", "|", "^", "str(", "repr(")
# Operators that take a number apart into digits or bits, with a number on their right (review 314:
# `round(h["lr"] * 10000) % 2` decided whether `test` was called, and its report's points carried six bits of the
# hidden values, unflagged). Not `//`, `int(...)`, `round(...)`: halfway through the epochs, steps per epoch and a
# rounded print are honest (a fairness review, 316).
_BIT_OPS = (ast.Mod, ast.BitAnd, ast.BitOr, ast.BitXor, ast.RShift, ast.LShift)


def probes_hidden(source: str, keys: set[str]) -> str:
    """What in a cell reads the values the grader runs it with ("" for nothing): the seed or RNG
    state read back, or a hyperparameter (``x["lr"]``) compared with a number. From the syntax
    tree only; a cell that cannot be parsed says nothing."""
    if not any(k in source for k in _SEED_READERS) and not any(t in source for t in _TELLING):
        return ""
    tree = parse_source(source)
    if tree is None:
        return ""
    def read_here(node) -> str | None:
        """The hyperparameter a value reads itself: ``h["lr"]``, ``h.get("lr")``, or a name given one."""
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value in keys:
            return node.slice.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in keys:
            return node.args[0].value
        if isinstance(node, ast.Name):
            return held.get(node.id)
        return None

    known: dict[int, str | None] = {}       # (while ``held`` stays as it is)

    def key_of(node) -> str | None:
        """What `read_here` finds in the value, or in what it is worked out from (`float(h["lr"]) * 10`): the first
        found in the order written. Each node read once while ``held`` stays, and without recursion (review 429:
        `_x % 2 % 2 ...` had the chain below each `%` read again, 42 s for three cells, and one of 700 links raised
        RecursionError, a grader error for the notebook)."""
        todo = [(node, False)]
        while todo:
            n, ready = todo.pop()
            if id(n) in known:
                continue
            here = read_here(n)
            if here or not isinstance(n, (ast.BinOp, ast.UnaryOp, ast.Call)):
                known[id(n)] = here
            elif ready:
                known[id(n)] = next((k for child in child_nodes(n) if (k := known[id(child)])), None)
            else:
                todo.append((n, True))
                todo.extend((child, False) for child in child_nodes(n))
        return known[id(node)]

    def hold(name: str, key: str) -> None:
        if held.get(name) != key:
            held[name] = key
            known.clear()

    # Names given a hyperparameter (``E, L = h["epochs"], h["lr"]``): a fifty-seventh review compared
    # those with numbers and was not flagged. Plain data flow only; code that hides it is not found.
    held: dict[str, str] = {}
    for _ in range(2):                                  # a name given from another such name
        for node in walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name) and (k := key_of(node.value)):
                        hold(t.id, k)
                    elif isinstance(t, (ast.Tuple, ast.List)) and isinstance(node.value, (ast.Tuple, ast.List)):
                        for tt, vv in zip(t.elts, node.value.elts):
                            if isinstance(tt, ast.Name) and (k := key_of(vv)):
                                hold(tt.id, k)
    for node in walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _SEED_READERS or \
                isinstance(node, ast.Name) and node.id in _SEED_READERS:
            return f"reads the random seed or generator state ({node.attr if isinstance(node, ast.Attribute) else node.id})"
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            named = [k for s in sides if (k := key_of(s))]
            # ... a number but 0 compared with the value itself (`assert h["lr"] > 0`, `h.get("momentum", 0) > 0`:
            # honest checks, a fairness review, 292; every hidden value is above 0)
            direct = all(key_of(s) is None or isinstance(s, (ast.Subscript, ast.Name)) or
                         isinstance(s, ast.Call) and isinstance(s.func, ast.Attribute) and s.func.attr == "get"
                         for s in sides)
            number = any(isinstance(s, ast.Constant) and isinstance(s.value, (int, float)) and
                         not isinstance(s.value, bool) and not (direct and s.value == 0) for s in sides)
            if named and number:
                return f"compares hyperparameter '{named[0]}' with a number (line {node.lineno})"
        if _bits_of(node, key_of):
            return f"takes hyperparameter '{_bits_of(node, key_of)}' apart into digits or bits (line {node.lineno})"
        if isinstance(node, ast.Subscript) and _as_text(node.value):          # `str(h["lr"])[4]`
            inner = [node.value] if not isinstance(node.value, ast.JoinedStr) else \
                [v.value for v in node.value.values if isinstance(v, ast.FormattedValue)]
            if (k := next((k for v in inner if (k := key_of(v))), None)):
                return f"takes hyperparameter '{k}' apart into digits or bits (line {node.lineno})"
    return ""


def _bits_of(node: ast.AST, reads) -> str | None:
    """What ``reads`` finds in the left side of `x % 2`, `x & 1`, `x >> 3` (a number on the right), or None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, _BIT_OPS) and isinstance(node.right, ast.Constant) and \
            type(node.right.value) is int and not isinstance(node.left, (ast.Constant, ast.JoinedStr)):
        return reads(node.left)
    return None


def _as_text(node: ast.AST) -> bool:
    """A value written out as text: an f-string, `"%.4f" % x`, `str(x)`, `repr(x)`, `format(x, ...)`."""
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and \
        isinstance(node.left, ast.Constant) and isinstance(node.left.value, str) or isinstance(node, ast.Call) and \
        isinstance(node.func, ast.Name) and node.func.id in ("str", "repr", "format")


# Ways into the frames and objects of the process around a cell's code: the probe's own frame, its
# record of calls, the grader's inputs. Honest solutions of a course's notebook use none of them.
FRAME_ATTRIBUTES = frozenset({"_getframe", "currentframe", "f_back", "f_locals", "f_globals", "f_builtins",
                              "tb_frame", "gi_frame", "cr_frame", "ag_frame", "get_referrers", "get_referents",
                              "get_objects", "getouterframes", "getinnerframes", "_current_frames", "settrace",
                              "setprofile"})


def introspects(source: str) -> list[str]:
    """What of the process around it the cell reaches for (``sys._getframe``, ``.f_locals``,
    ``inspect.stack``, ``gc.get_objects``), in the order written, once each. A sixty-eighth review
    forged the probe's record of calls of `train` from its frame and detected the probe from the
    stack; no point depends on this, a TA reads the cell."""
    tree = python_tree(source)
    if tree is None:
        return []
    found: list[tuple[int, int, str]] = []
    for node in walk(tree):
        name = ""
        if isinstance(node, ast.Attribute):
            if node.attr in FRAME_ATTRIBUTES:
                name = node.attr
            elif node.attr in ("stack", "trace") and isinstance(node.value, ast.Name) and node.value.id == "inspect":
                name = f"inspect.{node.attr}"
        elif isinstance(node, ast.Name) and node.id in FRAME_ATTRIBUTES - {"f_back", "f_locals", "f_globals"}:
            name = node.id                    # from sys import _getframe
        elif isinstance(node, ast.alias) and node.name in FRAME_ATTRIBUTES:
            name = node.name
        if name:
            found.append((getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0, name))
    return list(dict.fromkeys(name for _, _, name in sorted(found)))


HOOKS = frozenset({"register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
                   "register_full_backward_pre_hook", "register_backward_hook", "register_hook"})


def cuts_training(source: str) -> list[str]:
    """What in the cell can stop training partway through an epoch, which the grader's few
    mini-batches per epoch cannot show: a `break` or `return` in a loop over a loader that trains (`if
    batch_idx == 5: break`; a look at the first batch before training is none: a fairness review, 292),
    a hook on a module or tensor (one that detaches the output after some calls). A ninety-eighth review
    trained on 5 mini-batches an epoch both ways and kept every point; no point depends on this, a TA
    reads the cell."""
    tree = python_tree(source)
    if tree is None:
        return []
    found: list[tuple[int, str]] = []

    def exits(body) -> list[ast.AST]:
        """`break` and `return` of this loop's body, not of loops or functions nested in it."""
        out, todo = [], list(body)
        while todo:
            node = todo.pop()
            if isinstance(node, (ast.Break, ast.Return)):
                out.append(node)
            elif not isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef,
                                       ast.Lambda, ast.ClassDef)):
                todo.extend(child_nodes(node))
        return out

    for node in walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor)) and any(
                "loader" in (n.id if isinstance(n, ast.Name) else n.attr).lower()
                for n in walk(node.iter) if isinstance(n, (ast.Name, ast.Attribute))):
            for stop in exits(node.body) if _trains(node, ("train",)) else ():
                found.append((stop.lineno, f"`{'break' if isinstance(stop, ast.Break) else 'return'}` in a loop "
                                           f"over a loader (line {stop.lineno})"))
        elif isinstance(node, ast.Attribute) and node.attr in HOOKS:
            found.append((node.lineno, f"`{node.attr}` (line {node.lineno})"))
    return list(dict.fromkeys(what for _, what in sorted(found)))


# What reads the machine or the mode a call runs in: a job runs one thread in a scrubbed environment, and a
# probe calls a model with gradients on and off (a two-hundred-and-ninetieth review made `ANN_sigmoid` a ReLU
# network wherever torch has more than one thread, and dropped its activations on a training batch of 64 with
# gradients on: 10/10 each).
# Read where the value decides something (a test, a comparison, an index): `num_workers=os.cpu_count()`,
# `print(torch.get_num_threads())` and `os.environ['PYTHONHASHSEED'] = '0'` switch nothing (a fairness review, 292).
MACHINE_READERS = frozenset({"get_num_threads", "get_num_interop_threads", "cpu_count", "process_cpu_count",
                             "sched_getaffinity", "is_grad_enabled", "is_inference_mode_enabled", "environ", "getenv",
                             "gethostname", "getuid", "geteuid", "getlogin", "getuser", "uname", "argv"}) | \
    frozenset({"get_backend", "rcParams", "get_ipython", "globals"})
# ... and the files around it: a job runs in an empty folder of its own, where the notebook's has its `data/` folder
# (review 472: `if os.path.isdir('data'):` chose the activation in `forward`, and `train_and_test` returned at once on
# it; also `'inline' in plt.get_backend()`, a job's matplotlib drawing with Agg: 50/50 unflagged where the notebook's
# own run trained nothing and its models failed their tests). A test that only makes the folder it asks about, or
# removes a file, decides nothing the grader sees (`if not os.path.exists('plots'): os.makedirs('plots')`).
FILE_READERS = frozenset({"exists", "lexists", "isdir", "isfile", "islink", "ismount", "is_dir", "is_file",
                          "is_symlink", "listdir", "scandir", "iterdir", "glob", "iglob", "rglob", "getcwd", "getcwdb",
                          "cwd", "access"})
_MAKERS = frozenset({"makedirs", "mkdir", "touch", "remove", "unlink", "rmtree", "rmdir"})
_CALLED = "forward"                         # what training calls once a batch


def tells_calls_apart(source: str) -> list[str]:
    """What in the cell can tell the grader's few calls on small data from the notebook's run, in the order
    written, once each: a count kept between calls of a forward (`self.calls += 1`), the size of a batch or of
    the data compared with a number (`x.shape[0] == 64`, `len(train_loader.dataset) >= 60000`), the machine or
    the mode of a call (`torch.get_num_threads()`, `torch.is_grad_enabled()`). A two-hundred-and-ninetieth
    review kept every point with a forward that dropped its activations after 30 calls and a `train_and_test`
    that returned at once on the real data set; no point depends on this, a TA reads the cell."""
    tree = python_tree(source)
    if tree is None:
        return []
    found: list[tuple[int, int, str]] = []

    def said(node: ast.AST, where: str = "") -> None:
        found.append((node.lineno, node.col_offset, f"`{quoted(node, 50)}`{where} on line {node.lineno}"))

    parents = {id(child): node for node in walk(tree) for child in child_nodes(node)}
    deciding: dict[int, bool] = {}
    for node in walk(tree):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name in MACHINE_READERS and _decides(node, parents, deciding) or \
                name in FILE_READERS and _decides(node, parents, deciding) and not _only_makes(node, parents):
            said(node)
    for func in walk(tree):         # each function, and the cell's top level (a class made by the data's size)
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            continue
        # a forward's input is a batch; elsewhere only what is named a loader or a data set is data (a fairness
        # review, 292: `if len(values) < 50` in a smoothing helper read as a batch's size)
        called = getattr(func, "name", "") == _CALLED
        params = {a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]} - {"self", "cls"} \
            if called else set()
        shared = {n for s in own_scope(func) if isinstance(s, (ast.Global, ast.Nonlocal)) for n in s.names}
        if called:
            for node in own_scope(func):
                if _counts(node, shared):
                    said(node, f" in `{func.name}`")
        sizes = _sizes_held(func, params)
        # ... or by what it was handed looks like: a statistic of a forward's input, an item or attribute of a loader's
        # data set, in a test (review 458: `act = F.relu if (x == x.min()).float().mean() > 0.2 else torch.sigmoid`, the
        # grader's inputs being noise with one darkest pixel, and `if hasattr(train_loader.dataset, 'classes'):`, its
        # data set a `TensorDataset`: 50/50 unflagged, the notebook's own run another network and optimiser)
        # (only the input is data: a forward's other parameters are what its caller asks for, `if return_hidden:`,
        # and a name tested for None or for truth reads nothing of what it holds, `if test_loader is not None:`: a
        # fairness review, 462)
        inputs = set(_positional(func)[:1]) if called else set()
        values, results = _values_held(func, inputs)
        for node in own_scope(func):
            test = node.test if isinstance(node, (ast.If, ast.While, ast.IfExp)) else \
                node.subject if isinstance(node, ast.Match) else None
            if test is not None and _reads_values(test, inputs, values, tested=True, results=results):
                said(test)
        # (what an `assert` holds, gathered once: looked up for each comparison, a scope of 12,000 of them took 40 s,
        # review 339)
        asserted = {id(n) for a in own_scope(func) if isinstance(a, ast.Assert) for n in walk(a)}
        for node in own_scope(func):
            if isinstance(node, ast.Compare) and id(node) not in asserted:
                sides = [node.left, *node.comparators]
                # (... also shifted by a number, `len(train_loader) - 500 > 0`: review 470)
                shifted = any(isinstance(s, ast.BinOp) and isinstance(s.op, (ast.Add, ast.Sub)) and (
                    _size(s.left, params, sizes) and _number(s.right) or _size(s.right, params, sizes) and
                    _number(s.left)) for s in sides)
                if any(_number(s) for s in sides) and any(_size(s, params, sizes) for s in sides) or shifted:
                    said(node)
            # ... or taken apart into bits (review 314: `x[: B - (B // 1) % 2]` with `B = x.shape[0]` gave two bits of
            # the hidden batch size through `activations`' points)
            if _bits_of(node, lambda v: _size(v, params, sizes) or isinstance(v, ast.BinOp) and (
                    _size(v.left, params, sizes) or _size(v.right, params, sizes))) and not (
                    isinstance(node.op, ast.Mod) and node.right.value & (node.right.value - 1)) \
                    and id(node) not in asserted:           # `% 784`: a layout
                said(node)
    return list(dict.fromkeys(what for _, _, what in sorted(found)))


def _decides(node: ast.AST, parents: dict[int, ast.AST], known: dict[int, bool]) -> bool:
    """Is the value read where it decides what runs: a test (`if`, `while`, `x if ... else y`, a comprehension's
    `if`), a comparison, `not`, an index (`acts[torch.get_num_threads() > 1]`)? Not a fallback (`os.cpu_count() or
    1`: a fairness review, 292). ``known``: the answer from each node met on the way up, for the next node read that
    meets it (review 429: `argv + argv + ...`, each read up the whole sum, the square of it)."""
    cur, up = node, parents.get(id(node))
    met = []
    while up is not None and not isinstance(up, ast.stmt):
        if id(cur) in known:
            decides = known[id(cur)]
            break
        met.append(cur)
        if isinstance(up, ast.Compare) or isinstance(up, ast.UnaryOp) and isinstance(up.op, ast.Not) \
                or isinstance(up, ast.IfExp) and cur is up.test or isinstance(up, ast.Subscript) and cur is up.slice \
                or isinstance(up, ast.comprehension) and any(cur is t for t in up.ifs):
            decides = True
            break
        cur, up = up, parents.get(id(up))
    else:
        met.append(cur)
        decides = isinstance(up, (ast.If, ast.While, ast.Assert)) and cur is up.test or \
            isinstance(up, ast.Match) and cur is up.subject
    known.update((id(m), decides) for m in met)
    return decides


def _only_makes(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Is the reading the test of an `if` whose only branch makes or removes files or folders (`if not
    os.path.isdir(out): os.makedirs(out)`)? What it decides is the folder, which the grader's calls do not see."""
    up = parents.get(id(node))
    while up is not None and not isinstance(up, ast.stmt):
        up = parents.get(id(up))
    if not isinstance(up, ast.If) or up.orelse:
        return False
    return all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and
               (s.value.func.attr if isinstance(s.value.func, ast.Attribute) else getattr(s.value.func, "id", None))
               in _MAKERS for s in up.body)


def _counts(node: ast.AST, shared: set[str]) -> bool:
    """A store that builds on what an earlier call left: `self.n += 1`, `self.n = self.n + 1`, `calls += 1`
    of a global."""
    if isinstance(node, ast.AugAssign):
        t = node.target
        return isinstance(t, (ast.Attribute, ast.Subscript)) or isinstance(t, ast.Name) and t.id in shared
    if isinstance(node, ast.Assign):
        # (what the value reads, gathered once for every target: review 429's `self.c = self.c = ... = q.a.a...a`
        # compared each target with each attribute read, by dumps, some six minutes of the grader's CPU a line)
        if any(isinstance(t, ast.Attribute) for t in node.targets):
            shape = shapes(node)
            read = {(shape[id(v.value)], v.attr) for v in walk(node.value) if isinstance(v, ast.Attribute)}
            if any(isinstance(t, ast.Attribute) and (shape[id(t.value)], t.attr) in read for t in node.targets):
                return True
        if any(isinstance(t, ast.Name) and t.id in shared for t in node.targets):
            names = {v.id for v in walk(node.value) if isinstance(v, ast.Name)}
            return any(isinstance(t, ast.Name) and t.id in shared and t.id in names for t in node.targets)
    return False


def _number(node: ast.AST) -> bool:
    """A number written out other than 0, 1 and -1 (`len(history) > 1` draws from the second epoch on)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float) and abs(node.value) > 1


def _data_like(node: ast.AST, params: set[str]) -> bool:
    """What a call was handed: a forward's input (``params``), or a loader or data set."""
    for n in walk(node):
        word = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else ""
        if word in params or "loader" in word.lower() or "dataset" in word.lower():
            return True
    return False


def _size(node: ast.AST, params: set[str], held: set[str]) -> bool:
    """How many items, or how large a batch, of what the call was handed: `len(x)`, `len(loader.dataset)`,
    `x.shape[0]`, `x.size(0)`, `x.numel()`, or a name given one (`held`). Not `len(x.shape)`, `x.dim()`,
    `x.shape[1]`: the layout of an input, which honest code checks."""
    if isinstance(node, ast.Name):
        return node.id in held
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1:
        arg = node.args[0]
        layout = isinstance(arg, ast.Attribute) and arg.attr == "shape" or \
            isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "size"
        return not layout and _data_like(arg, params)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == 0:
        inner = node.value
        if isinstance(inner, ast.Attribute) and inner.attr == "shape":
            return _data_like(inner.value, params)
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == "size" \
                and not inner.args:
            return _data_like(inner.func.value, params)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "size" and len(node.args) == 1 and isinstance(node.args[0], ast.Constant) \
                and node.args[0].value == 0 or node.func.attr in ("numel", "nelement") and not node.args:
            return _data_like(node.func.value, params)
    return False


# What an input's or a data set's layout reads (honest code checks it): not its content
_LAYOUT = frozenset({"shape", "ndim", "dim", "size", "dtype", "device", "is_cuda", "numel", "nelement", "requires_grad",
                     "is_floating_point", "__class__", "is_contiguous", "get_device", "is_sparse", "stride", "type",
                     "layout", "element_size", "itemsize", "is_complex", "is_leaf"})
_TYPE_TESTS = frozenset({"isinstance", "is_tensor", "type", "ndim", "shape", "is_floating_point", "is_complex"})
# ... what gives a tensor whose layout is the input's (`x.data.dim()`, `x.detach().shape`, `torch.flatten(x, 1).shape`,
# `x[0].shape`): the layout read through it is still a layout (a fairness review, 462; what such a step is handed
# besides, `x.view(int(x.max()), -1)`, is read on its own)
_SAME_LAYOUT = frozenset({"data", "T", "mT", "H", "mH", "grad", "detach", "cpu", "cuda", "to", "float", "double",
                          "half", "contiguous", "clone", "view", "reshape", "flatten", "squeeze", "unsqueeze",
                          "permute", "transpose", "t", "view_as", "reshape_as", "asarray", "as_tensor"})
# ... what hands out a loader's items themselves (`next(iter(train_loader))`)
_ITEMS = frozenset({"iter", "next", "list", "tuple", "enumerate", "zip", "sorted", "islice", "chain"})
# ... and a loader's own settings, not its data
_LOADER_SETTINGS = frozenset({"batch_size", "num_workers", "drop_last", "pin_memory", "timeout", "prefetch_factor",
                              "persistent_workers"})


def _positional(func: ast.AST) -> list[str]:
    """A function's positional parameters after `self` or `cls`."""
    names = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def _called_name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) \
        else ""


def _reads_values(node: ast.AST, params: set[str], held: set[str], tested: bool = False,
                  results: frozenset[str] = frozenset()) -> bool:
    """Does the expression read the content of what the call was handed, beyond its layout and size: a forward's input's
    values (`x.min()`, `x == 0`, `x.mean()`), a loader's data set's items or attributes (`loader.dataset[0]`,
    `hasattr(loader.dataset, 'classes')`, `type(train_loader.dataset)`), or a name given such a value (``held``)? A
    forward's input's type or layout, also through a view of it (`isinstance(x, torch.Tensor)`, `x.data.dim()`), a
    loader's settings (`train_loader.batch_size`) or a data set's size (`len(...)`: the size rule's) is not, nor a name
    compared by identity (`test_loader is not None`, `loader is test_loader`) or, where ``tested`` (the expression is a
    test), taken for its truth (`if test_loader:`, `not x`), unless it holds such a value.
    What a function makes of a whole loader (`evaluate(model, test_loader)`, or a name given it: ``results``) reads
    the data as training does: it counts only tested for its truth or against a number written out
    (`if evaluate(model, loader) > 0.999:`), not against another result (`if acc > best_acc:`, a fairness review, 462)."""
    parents = {id(c): n for n in walk(node) for c in child_nodes(n)}

    def counted(site: ast.AST) -> bool:
        """A result of the data tested for its truth or compared with anything but another such result (`acc >
        best_acc`, `val_loss < best_loss - 1e-4`): a number, written out or in a name, or arithmetic on it (review
        470: `n_batches(train_loader) - 500 > 0` had been read as one result against another, `0`)."""
        up, below = parents.get(id(site)), site
        while up is not None and not isinstance(up, ast.Compare):
            up, below = parents.get(id(up)), up
        if up is None:
            return tested
        if all(isinstance(op, (ast.Is, ast.IsNot)) for op in up.ops):
            return False                # (`best is None`: which object, not what it holds)
        others = [side for side in (up.left, *up.comparators) if side is not below]
        return not any(isinstance(m, ast.Name) and m.id in results for side in others for m in walk(side))

    for n in walk(node):
        word = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else ""
        if isinstance(n, ast.Name) and word in results and word not in held:
            if counted(n):
                return True
            continue
        if not (word in params or isinstance(n, ast.Name) and word in held or "loader" in word.lower() or
                "dataset" in word.lower()):
            continue
        up, top = parents.get(id(n)), n
        if word in params or isinstance(n, ast.Name) and word in held:       # through a view of the input
            while isinstance(up, ast.Attribute) and up.attr in _SAME_LAYOUT and up.value is top or \
                    isinstance(up, ast.Subscript) and up.value is top or \
                    isinstance(up, ast.Call) and up.args and up.args[0] is top and _called_name(up) in _SAME_LAYOUT:
                if isinstance(up, ast.Attribute) and isinstance(parents.get(id(up)), ast.Call) and \
                        parents[id(up)].func is up:
                    up = parents[id(up)]                # a method of the view's (`x.detach()`)
                top, up = up, parents.get(id(up))
        if not (isinstance(n, ast.Name) and word in held and word not in params) and (
                isinstance(up, ast.Compare) and all(isinstance(op, (ast.Is, ast.IsNot)) for op in up.ops) or
                tested and (up is None or isinstance(up, ast.BoolOp) or
                            isinstance(up, ast.UnaryOp) and isinstance(up.op, ast.Not))):
            continue
        if isinstance(up, ast.Attribute) and up.attr in _LAYOUT or isinstance(up, ast.Attribute) and (
                "loader" in up.attr.lower() or "dataset" in up.attr.lower()):
            continue                    # (`x.shape`; `train_loader.dataset` is read where it is used)
        if isinstance(up, ast.Attribute) and up.attr in _LOADER_SETTINGS and "loader" in word.lower():
            continue
        if isinstance(up, ast.Call) and up.args and up.args[0] is top and (
                _called_name(up) == "len" or (word in params or word in held) and _called_name(up) in _TYPE_TESTS):
            continue
        if isinstance(up, ast.keyword):
            up = parents.get(id(up))
        if isinstance(up, ast.Call) and up.func is not top and "loader" in word.lower() and \
                "dataset" not in word.lower() and top is n and _called_name(up) not in _ITEMS:
            if counted(up):             # a whole loader handed to a function (`evaluate(model, test_loader)`)
                return True
            continue
        return True
    return False


def _values_held(func: ast.AST, params: set[str]) -> tuple[set[str], frozenset[str]]:
    """Names the function gives a value read from what it was handed (`dark = (x == x.min()).float().mean()`, `img =
    train_loader.dataset[0][0]`), as `_sizes_held` does for sizes; and those given what a function makes of a whole
    loader (`acc = evaluate(model, test_loader)`), which count only where tested for their truth or against a number."""
    held = _held(func, params, _reads_values)
    results: set[str] = set()
    for _ in range(2):
        for node in own_scope(func):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                # (each name of an unpacking given its own value: `best_loss, bad = val_loss, 0`)
                pairs = [(t, node.value) for t in targets] + [
                    (t, v) for tup in targets if isinstance(tup, ast.Tuple) and isinstance(node.value, ast.Tuple)
                    and len(tup.elts) == len(node.value.elts) for t, v in zip(tup.elts, node.value.elts)]
                for target, value in pairs:
                    if isinstance(target, ast.Name) and target.id not in held and _made_of_a_loader(value, results):
                        results.add(target.id)
    return held, frozenset(results)


def _made_of_a_loader(value: ast.AST, results: set[str]) -> bool:
    """A value that is what a function makes of a whole loader, or of a name given one, outside any comparison."""
    parents = {id(c): n for n in walk(value) for c in child_nodes(n)}
    for n in walk(value):
        site = None
        if isinstance(n, ast.Name) and n.id in results:
            site = n
        elif isinstance(n, ast.Call) and any("loader" in (a.id if isinstance(a, ast.Name) else a.attr).lower()
                                             for a in [*n.args, *(k.value for k in n.keywords)]
                                             if isinstance(a, (ast.Name, ast.Attribute))) and \
                _called_name(n) not in _ITEMS | {"len"}:
            site = n
        if site is not None:
            up = parents.get(id(site))
            while up is not None and not isinstance(up, ast.Compare):
                up = parents.get(id(up))
            if up is None:
                return True
    return False


def _sizes_held(func: ast.AST, params: set[str]) -> set[str]:
    """Names the function gives a size (`batch = x.shape[0]`, `n, = x.shape[:1]` is not followed)."""
    return _held(func, params, _size)


def _held(func: ast.AST, params: set[str], reads: Callable[[ast.AST, set[str], set[str]], bool]) -> set[str]:
    """Names the function's plain assignments give a value ``reads`` recognises, also from another such name."""
    held: set[str] = set()
    for _ in range(2):                                  # a name given from another such name
        for node in own_scope(func):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) for t in targets) and reads(node.value, params, held):
                    held |= {t.id for t in targets if isinstance(t, ast.Name)}
    return held


# What a graded cell is handed and fixes all the same: the seed (the grader builds a model right after seeds of
# its own) and the number of epochs (it passes its own). `grader check` runs with public values that differ from
# the notebook's, but a student who edits the notebook's may pick the public ones (a fairness review, 291:
# `torch.manual_seed(66)` in `__init__` and `range(1, 3)` around `train` read "ready to hand in", and cost 1 and 9
# points at grading).
SEEDERS = frozenset({"manual_seed", "set_rng_state", "seed"})


def fixes_values(source: str, epoch_calls=("train",)) -> list[str]:
    """Values the cell fixes that the grader passes in, in the order written, once each: a seed set inside a
    class (`torch.manual_seed(66)` in `__init__`), and a loop over a fixed `range(...)` around a call of one of
    ``epoch_calls`` or around a loop over a loader (a training loop of one's own)."""
    tree = python_tree(source)
    if tree is None:
        return []
    fixed = _fixed_numbers(tree)
    found: list[tuple[int, str]] = []
    for cls in walk(tree):
        if isinstance(cls, ast.ClassDef):
            for func in walk(cls):
                if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                callers = _given_by_the_caller(func)
                for node in own_scope(func):
                    f = node.func if isinstance(node, ast.Call) else None
                    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                    root = f
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    # ... a seed of the class's own, or none (`torch.seed()` draws one): `manual_seed(seed)` of an
                    # argument that defaults to None seeds nothing the grader calls (a fairness review, 292); one that
                    # defaults to 66, or the notebook's `hyperparams["seed"]`, does (a fairness review, 299)
                    own = isinstance(node, ast.Call) and not any(_from_the_caller(a, callers) for a in node.args)
                    if name in SEEDERS and own and (isinstance(root, ast.Name) and root.id == "torch" or
                                                    isinstance(f, ast.Name) and name == "manual_seed"):
                        found.append((node.lineno, f"`{quoted(node)}` in class `{cls.name}`, line {node.lineno}: the "
                                                   f"grader seeds before it builds the model, so set no seed of your own"))
    for loop in walk(tree):
        if not (isinstance(loop, (ast.For, ast.AsyncFor)) and isinstance(loop.iter, ast.Call)
                and isinstance(loop.iter.func, ast.Name) and loop.iter.func.id == "range" and loop.iter.args
                and all(_fixed_number(a, fixed) for a in loop.iter.args)):
            continue
        inner = list(own_scope(loop))
        trains = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in epoch_calls for n in inner)
        own = any(isinstance(n, (ast.For, ast.AsyncFor)) and _data_like(n.iter, set()) and _trains(n) for n in inner)
        if trains or own:
            found.append((loop.lineno, f"`for ... in {quoted(loop.iter)}` on line {loop.lineno}: a fixed number of "
                                       f"epochs; the grader passes its own, so loop over the epochs the function is given"))
    return list(dict.fromkeys(what for _, what in sorted(found)))


def _fixed_numbers(tree: ast.AST) -> set[str]:
    """Names every binding of which in the cell is a whole number written out (`n_epochs = 2` in a function too:
    a fairness review, 299), or arithmetic on such numbers and names."""
    other = {n.id for node in walk(tree) if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension, ast.NamedExpr))
             for n in walk(node.target) if isinstance(n, ast.Name)}
    other |= {a.arg for a in walk(tree) if isinstance(a, ast.arg)}
    other |= {(a.asname or a.name).split(".")[0] for n in walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
              for a in n.names}
    assigns = [(t.id, node) for node in walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
               for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) for t in walk(t)
               if isinstance(t, ast.Name)]
    fixed: set[str] = set()
    for _ in range(3):                          # a name given from another such name
        ok: dict[str, bool] = {}
        for name, node in assigns:
            ok[name] = ok.get(name, True) and not isinstance(node, ast.AugAssign) and node.value is not None and \
                isinstance(node.targets[0] if isinstance(node, ast.Assign) else node.target, ast.Name) and \
                _fixed_number(node.value, fixed)
        fixed = {n for n, v in ok.items() if v} - other
    return fixed


def _fixed_number(node: ast.AST, fixed: set[str]) -> bool:
    """A whole number written out, a name of ``fixed``, or arithmetic on them (`n_epochs + 1`)."""
    return all(isinstance(n, (ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.Load)) or
               isinstance(n, ast.Constant) and type(n.value) is int or isinstance(n, ast.Name) and n.id in fixed
               for n in walk(node))


def _given_by_the_caller(func: ast.AST) -> set[str]:
    """A function's parameters that the grader's call leaves to the caller: without a default, or None."""
    a = func.args
    positional = [*a.posonlyargs, *a.args]
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    out = {p.arg for p, d in zip(positional, defaults) if d is None or isinstance(d, ast.Constant) and d.value is None}
    out |= {p.arg for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is None or isinstance(d, ast.Constant) and d.value is None}
    return out - {"self", "cls"}


def _from_the_caller(node: ast.AST, callers: set[str]) -> bool:
    """A seed the caller hands in: one of ``callers``, or an attribute of `self` (`self.seed = seed`)."""
    return isinstance(node, ast.Name) and node.id in callers or \
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


def _trains(loop: ast.AST, epoch_calls=()) -> bool:
    """Does this loop take optimisation steps (`loss.backward()`, `optimizer.step()`, a call of ``epoch_calls``)? A
    loop over the test loader that counts per class does not (a fairness review, 292)."""
    return any(isinstance(n, ast.Call) and (isinstance(n.func, ast.Attribute) and n.func.attr in ("backward", "step")
                                            or isinstance(n.func, ast.Name) and n.func.id in epoch_calls)
               for n in own_scope(loop))
