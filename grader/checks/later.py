"""Functions of the cells above the True/False answers that may run after the answers cell and write the notebook's
names: a thread, a timer, a callback, a finalizer, a method Python calls, a generator or a coroutine resumed later.
The answers are graded as written in their cell; such a function can make Jupyter end otherwise, so it is flagged for
a TA (the answers cell's literals still earn what they earn: no point is gained this way).

The notebook's names are reached many ways (`global`, `globals()`, a frame's `f_globals`, a function's `__globals__`,
`sys.modules['__main__']`, `__import__('__main__')`, the shell's `user_ns`), and the namespace, once reached, is a
dict that can be handed anywhere (review 357: `operator.setitem(globals(), ...)`, a default argument, a class
attribute, a closure, a `ChainMap`, an argument of a timer). A list of the ways to write it could not end, so the
namespace is followed as a value: each use of it is a read (a key looked up, a test, shown), a write where it stands
(a key set, `.update`), or handed on (to any other call, a container, a name that is then followed). A write or a
hand-on inside a function that may run later is flagged; a function handed the namespace in the same call that
hands it on (`Timer(0.2, f, (globals(),))`) has its parameters followed. Names are followed in their own scope (a
fairness review, 359: a method's `self.m`, a lambda's parameter `g`, an unrelated local that shared a name with one
given the namespace had been read as it, 80 of 179 honest drafts flagged), and the namespace handed to a library that
only reads it (`timeit(..., globals=globals())`, `format_map`, `Template.substitute`) is a read. What stays
unflagged are the honest uses the fairness reviews (356, 359) found: the namespace read, names written that no answer
has (`globals()[f'acc_{name}']`), `exec(text, {}, cfg)`, `vars()` of a function, methods that set their own
attributes, callbacks and hooks that write the dicts they are given.

And an answer's name given an object above the answers cell (`e_ = W()`) is flagged: the answers cell's own binding
drops that object, which runs its `__del__` there (review 357, 360: it wrote the answers back wrong as the answers cell
bound them, with no cell below)."""
from __future__ import annotations

import ast
import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from ..magics import python_tree
from .name_patterns import Budget
from .naming_magics import magic_write

# The words of a magic that may set names, as a line, inside a timing magic or as IPython's call (`naming_magics`),
# looked for before a line is read as IPython reads it
_NAMING_WORDS = re.compile(r"%(?:run|reset|reset_selective|store|macro|load|rerun|recall|xdel|sc|time|timeit|prun|"
                           r"alias_magic)\b|\brun_(?:line|cell)_magic\b")
_MAGIC_LINES_READ = 200         # a cell with more such lines has each read as one that sets names (honest cells have a few)
from ..syntax import bound_by, child_nodes, quoted, walk, within, word
from .doors import folded, literal_start

NAMESPACE, MODULE, SHELL, MAKER = "namespace", "module", "shell", "maker"    # what a value may be
MODULES = "modules"     # `sys.modules`, held in a name: the module under its key (review 370)
GETTER = "getter"       # what gives a module by its name, under another name: `im = importlib.import_module` (370)
WRITER = "writer"       # a method that writes the namespace, taken uncalled: `globals().update` (review 369)

_MAKERS = frozenset({"globals", "vars", "locals"})          # the module's names where called at its top level
_NS_ATTRS = frozenset({"__globals__", "f_globals", "f_locals", "user_ns", "user_global_ns"})
_MODULE_CALLS = frozenset({"__import__", "import_module", "getmodule"})
_NS_CALLS = frozenset({"get_referrers", "get_referents", "getmembers", "get_objects"})   # lists that may hold it
_DISPLAYS = (ast.List, ast.Tuple, ast.Dict)
_DECLARES = frozenset({ast.Global, ast.Nonlocal})     # they bind nothing themselves: they say where names go
_DISPLAY_CALLS = frozenset({"dict", "list", "tuple"})
_LOOKS = frozenset({"get", "keys", "values", "items", "copy"})      # a dict's methods that change nothing
_READ_METHODS = frozenset({"get", "keys", "values", "items", "copy", "__contains__", "__getitem__", "__len__",
                           "__iter__", "__repr__", "__str__"})
_READ_CALLS = frozenset({"len", "print", "sorted", "list", "dict", "set", "frozenset", "tuple", "iter", "reversed",
                         "str", "repr", "id", "type", "bool", "any", "all", "enumerate", "hasattr", "max", "min", "sum",
                         "zip", "map", "filter", "display", "pprint", "pformat", "info", "debug", "warning", "error",
                         "critical", "log", "format", "dumps", "dump", "DataFrame", "Series",
                         # ... libraries that only read what they are given (a fairness review, 359)
                         "format_map", "substitute", "safe_substitute", "timeit", "repeat", "runctx",
                         "run_docstring_examples", "getsource", "signature", "copy", "deepcopy"})
_MUTATORS = frozenset({"update", "setdefault", "__setitem__", "__delitem__", "pop", "popitem", "clear", "__ior__",
                       "__init__"})
_SETTING_CALLS = frozenset({"setitem", "__setitem__", "setdefault", "delitem", "__delitem__", "update", "setattr",
                            "delattr", "__setattr__", "__delattr__"})     # `operator.setitem(ns, k, v)`, `dict.update(ns, ...)`
_KEY_SECOND = frozenset({"setitem", "__setitem__", "setdefault", "delitem", "__delitem__", "setattr", "delattr",
                         "__setattr__", "__delattr__"})
_RUNNERS = frozenset({"exec", "eval"})
# doctest's runners of the examples in the notebook's docstrings (or a file's)
_DOCTEST_RUNS = frozenset({"testmod", "run_docstring_examples", "testfile", "DocTestRunner", "DebugRunner",
                           "DocTestFinder", "DocTestSuite", "DocFileSuite",        # (its classes: review 413)
                           "DocTestCase", "DocFileCase", "debug_src", "debug_script", "debug"})     # (review 414)
_SHELL_WRITES = frozenset({"push", "del_var", "ex", "ev", "run_cell", "run_code", "run_ast_nodes", "safe_execfile",
                           "safe_run_module", "runcode"})       # run code or set names in the shell's namespace
_OWN = frozenset({"self", "cls"})
_MAIN = ast.Name("__main__", ast.Load())
# the modules whose names Python reads: the notebook's, and the builtins (where `NameError` is looked up: a fairness
# review, 374, had `import builtins` flagged wherever the answers cell catches a `NameError`; now followed)
_MODULE_NAMES = frozenset({"__main__", "__builtins__"})
# ... what only reads a module handed to it (a module of the notebook's or the builtins)
_LOOKS_AT = frozenset({"len", "print", "repr", "str", "id", "type", "bool", "hasattr", "isinstance", "callable", "dir",
                       "format", "display"})      # what gives no value of what it is handed
_MODULE_READS = _READ_CALLS | {"vars", "dir", "getattr", "hasattr", "isinstance", "issubclass", "id", "type", "repr",
                               "reload", "getsource", "getfile", "ismodule", "getmodule"}
_SYS_MODULES = ast.Attribute(ast.Name("sys", ast.Load()), "modules", ast.Load())
_GETTER = ast.Attribute(ast.Name("importlib", ast.Load()), "import_module", ast.Load())
_WRAPPERS = frozenset({"list", "tuple", "sorted", "reversed", "iter", "set", "enumerate", "frozenset"})
_BINDERS = frozenset({"partial", "MethodType", "__get__"})     # what binds a function to its first arguments
_AT_ONCE = frozenset({"map", "filter", "starmap"})              # call what they are given as they are read
_CONSUMERS = frozenset({"list", "tuple", "set", "sorted", "any", "all", "sum", "dict", "deque", "frozenset", "max",
                        "min"})
# library classes whose `__del__` calls methods a subclass may give (`close`, `flush`, `closed`)
_CLOSED_BASES = frozenset({"IOBase", "RawIOBase", "BufferedIOBase", "TextIOBase", "FileIO", "BytesIO", "StringIO",
                           "BufferedReader", "BufferedWriter", "BufferedRandom", "BufferedRWPair", "TextIOWrapper",
                           "GzipFile", "BZ2File", "LZMAFile", "ZipFile", "Popen", "SpooledTemporaryFile",
                           "TemporaryDirectory"})      # (its finalizer calls the class's `_cleanup`: review 378)
_BY_NAME = frozenset({"locate", "resolve_name", "import_string"})   # an object by its dotted name
# `sys.modules.setdefault(k)`, `dict.get(sys.modules, k)`
_LOOKUPS = frozenset({"get", "setdefault", "pop", "__getitem__", "getitem"})
_KEPT = 100_000     # characters of cells above whose syntax trees are held at once (a cell's tree is some 40 times its text)
_WAKES = 64         # times one name given the namespace wakes the assignments that wait on it, past which they all hold it
# A cell that none of these words is in reaches the notebook's names no way this module reads (most cells: read
# no further). `modules` but in `model.modules()`.
_WORDS = r"(?<![.\w])(?:exec|eval)\b|global|vars|locals|__main__|modules(?!\s*\()|__import__|import_module|getmodule|" \
         r"f_locals|user_ns|__dict__|setattr|delattr|setitem|delitem|get_ipython|_ip\b|getattr|get_refer|getmembers|" \
         r"__getattribute__|attrgetter|get_field|getattr_static|__glo|f_glo|locate|resolve_name|import_string|get_objects"
_SOURCES = (ast.Name, ast.Attribute, ast.Subscript, ast.Call)
_SOURCE_NAMES = frozenset({"globals", "__globals__", "f_globals", "user_ns", "user_global_ns"})
_RESOLVERS = frozenset({"attrgetter", "get_field", "getattr_static", "methodcaller", "locate", "resolve_name",
                        "import_string"})   # an attribute or an object by its dotted name
_COMPARERS = re.compile(r"__(?:gt|lt|ge|le|eq|ne|bool)__")   # a comparison of the notebook's own objects'
_PLAIN_CALLS = frozenset({"bool", "isinstance", "issubclass", "callable", "hasattr", "all", "any"})   # give a bool
# ... and what else the reading takes at its word: what `len`, `float`, `int` and `str` give, the keys `dict(...)` is
# written with (review 380: `len = lambda x: W()` above `e_ = len([]) > 1`, `dict = lambda **kw: {...}`)
_TRUSTED = _PLAIN_CALLS | {"len", "float", "int", "str", "dict"}
_PLAIN_METHODS = frozenset({"allclose", "isclose", "array_equal", "item", "all", "any", "equal", "is_tensor"})
# (a name rebound at the start of a line, or a function or class so named; not `item = row[1]` or `dict(all=True)`, a
# fairness review, 368)
_REBOUND = re.compile(r"^[ \t]*(%s)[ \t]*=(?!=)|\.\s*(%s)\s*=(?!=)|(?:def|class|as)\s+(%s)\b" % (
    "|".join(sorted(_TRUSTED)), "|".join(sorted(_TRUSTED)), "|".join(sorted(_TRUSTED | _PLAIN_METHODS))),
    re.M)



# What reaches a function's locals from outside it (a frame's `f_locals`, a trace hook, which writes them back, a
# closure's cell, `ctypes`, the collector's lists): only so can other code, run beside the cell's (a thread, a signal's
# handler, a finalizer) or called by it, change a function's loop key or dict between two lines (reviews 380, 384). A
# module's is reached by its name, or through the namespace (`_Rebinds`). Read from the code, not from words (a
# fairness review, 382: `# Timer: ...` in a comment had been read as a thread).
_FRAME_MODULES = frozenset({"ctypes", "_ctypes"})
_ADDS = frozenset({"__add__", "__radd__"})
_FRAME_NAMES = frozenset({"settrace", "setprofile", "ctypes", "pythonapi", "f_trace", "f_locals", "_getframe",
                          "currentframe", "_current_frames", "get_referrers", "get_referents", "get_objects",
                          "getouterframes", "getinnerframes", "walk_stack", "walk_tb", "tb_frame", "gi_frame", "cr_frame",
                          "ag_frame", "f_back", "last_traceback", "__closure__", "cell_contents"})


@dataclass
class _Rebinds:
    """What may bind one of the module's names again while a cell's loop runs, read from every cell: a function's
    `global k`, the namespace or a module written under a key that may be `k` (review 380: `for k in ('lr',): g();
    globals()[k] = v` where `g` bound `k` to an answer's name); and what may reach a dict a name holds, to change it
    between its binding and its loop (`may_reach`), or a function's locals (`frames`)."""
    declared: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    patterns: set[tuple[str, str]] = field(default_factory=set)
    frames: bool = True
    adds: bool = True           # the notebook names a `+` of its own (`__add__`, `__radd__`), however it binds it
    uppers: bool = True         # ... or binds a name `upper` (a keyword, a class's attribute, a key written out)
    loaded: set[str] = field(default_factory=set)
    reached: set[str] = field(default_factory=set)
    reached_patterns: set[tuple[str, str]] = field(default_factory=lambda: {("", "")})

    def add(self, reader: "_Reader") -> set[str]:
        """Read one cell; return the names of `_TRUSTED` it writes on the namespace or a module."""
        self.declared.update(x for scope in reader.scopes for x in scope.declared)
        for scope in reader.scopes:
            if scope.function:          # (the module's names a function reads: `def g(): hp['k'] = ...`, review 384)
                self.loaded.update(n.id for n in scope.nodes if type(n) is ast.Name and type(n.ctx) is ast.Load and
                                   not scope.local(n.id))
            for n in scope.nodes if not (self.frames and self.adds and self.uppers) else ():
                self.frames = self.frames or _named_in(n, _FRAME_NAMES, _FRAME_MODULES)
                self.adds = self.adds or _named_in(n, _ADDS, frozenset())
                self.uppers = self.uppers or _binds_upper(n)
        keys, patterns = reader.written_keys()
        self.reached |= reader.reached[0]
        self.reached_patterns |= reader.reached[1] if len(self.reached_patterns) < 100 else {("", "")}
        self.keys |= keys
        if len(self.patterns) < 100:
            self.patterns |= patterns
        else:
            self.patterns.add(("", ""))
        return {p for p in _TRUSTED if p in keys or _matches(p, patterns)}

    def may_reach(self, name: str) -> bool:
        """Whether code of the notebook's may reach the object this module's name holds other than where it stands:
        a function that reads the name (and may run beside the cell, or be called by it), the namespace or the module
        read otherwise than by a name, a frame or the collector's lists."""
        return self.frames or name in self.loaded or name in self.reached or _matches(name, self.reached_patterns)

    def may(self, name: str) -> bool:
        """Whether code of the notebook's may bind this module's name (code that runs beside the cell's too: what binds
        it is a `global` or a write of the namespace or a module, found wherever it is, a fairness review, 382)."""
        return name in self.declared or name in self.keys or _matches(name, self.patterns)


def _named_in(n: ast.AST, names: frozenset[str], modules: frozenset[str]) -> bool:
    """An import of one of ``modules`` (`ctypes`), or a use or a definition of one of ``names`` (`sys.settrace`,
    `__radd__ = ...`, `SimpleNamespace(upper=...)`), also as a string (`getattr(sys, 'settrace')`)."""
    t = type(n)
    if t is ast.alias:
        return n.name.split(".")[0] in modules or n.name in names
    if t is ast.ImportFrom:
        return (n.module or "").split(".")[0] in modules
    if t is ast.Attribute:
        return n.attr in names
    if t is ast.Name:
        return n.id in names
    if t is ast.Constant:
        return isinstance(n.value, str) and (n.value in modules or n.value in names)
    if t in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        return n.name in names
    if t is ast.keyword:
        return n.arg in names
    return False


def _binds_upper(n: ast.AST) -> bool:
    """A binding of the name `upper` (not its use, `s.upper()`): a def, an assignment, a keyword, a string `'upper'`."""
    t = type(n)
    return t in (ast.FunctionDef, ast.AsyncFunctionDef) and n.name == "upper" or \
        t in (ast.Name, ast.Attribute) and type(n.ctx) is not ast.Load and getattr(n, "id", getattr(n, "attr", "")) == "upper" \
        or t is ast.keyword and n.arg == "upper" or t is ast.Constant and n.value == "upper"


def _matches(name: str, patterns: set[tuple[str, str]]) -> bool:
    return any(name.startswith(a) and name.endswith(b) for a, b in patterns)


class _Cells:
    """The cells' first reading, for the names given the namespace, a module or the shell and the functions each
    defines (``each`` is handed each cell's tree too); ``again`` gives their readers in turn for the second, with what
    the first found of all the cells. Each cell is parsed, read and let go in turn (all cells' trees held at once took
    160 MB more of the grader's memory for twenty cells at the length limit): kept between the readings only where
    they are short."""

    def __init__(self, sources: list[str], answers: frozenset[str], each=None):
        text = "\n".join(s if s.isascii() else unicodedata.normalize("NFKC", s) for s in sources)
        self.sources, self.answers = sources, answers
        # (a method of the notebook's named `item` says nothing of how its floats compare: a fairness review, 371)
        self.comparers = _COMPARERS.search(text) is not None
        rebound = {g for m in _REBOUND.finditer(text) for g in m.groups() if g}
        self.rebinds = _Rebinds(frames=False, adds=False, uppers=False, reached_patterns=set())
        self.held: dict[str, str] = {}
        self.defined: dict[str, list] = {}      # each function's name: its scopes' keys and parameters (which may be
        #                                         handed the namespace)
        aliases: dict[str, list[list[str]]] = {}
        self.keep = sum(map(len, sources)) <= _KEPT
        self.readers: dict[int, _Reader] = {}
        for i, s in enumerate(sources):
            tree = python_tree(s)
            if tree is None:
                continue
            reader = _Reader(tree, i, answers, self.held, self.defined)
            reader.source = s
            reader.hold(aliases)
            bound, compares = _plain_rebound(tree)
            rebound |= bound | self.rebinds.add(reader)
            self.comparers = self.comparers or compares
            if each is not None:
                each(i, tree)
            if self.keep:
                self.readers[i] = reader
        self.rebound = frozenset(rebound)

    def again(self):
        for i, s in enumerate(self.sources):
            reader = self.readers.pop(i, None)
            if reader is None and not self.keep:
                tree = python_tree(s)
                reader = _Reader(tree, i, self.answers, self.held, self.defined, register=False) \
                    if tree is not None else None
                if reader is not None:
                    reader.source = s
            if reader is not None:
                reader.rebound, reader.rebinds, reader.comparers = self.rebound, self.rebinds, self.comparers
                yield i, reader


@dataclass(frozen=True)
class Found:
    """The cell (its index among the cells read) that holds what was found, and what a TA is told."""
    cell: int
    why: str
    what: str = "writes the notebook's names in a function that may run after the answers cell"
    other: int = -1     # the cell whose line ``what`` names, where it is another (a fairness review, 371)


def later_writes(sources: list[str], names) -> Found | None:
    """The first function of these cells (those above the answers) that may run after them and writes one of the
    notebook's names that may be an answer's, or an answer's name given an object, or None."""
    return readings(sources, names, ())[0]


def namespace_writes(sources: list[str], names) -> Found | None:
    """The first place in these cells that writes the notebook's namespace under a key that may be one of ``names``
    (names of Python's own the answers cell reads, `NameError`), when it runs or later, or hands the namespace to a
    call not known to read it; or None."""
    return readings(sources, (), names)[1]


def readings(sources: list[str], names, read) -> tuple[Found | None, Found | None]:
    """`later_writes` of ``names`` and `namespace_writes` of ``read``, from one reading of the cells (two had doubled
    the grader's time on a notebook at the limits: review 375).

    Each cell is parsed, read and let go in turn, twice: first for the names given the namespace, then for its
    functions (all cells' trees held at once took 160 MB more of the grader's memory for twenty cells at the length
    limit). The namespace is followed by the keys written: `globals()['b_'] = ...`, `globals()[f'acc_{n}'] = ...` and
    `'...'.format_map(globals())` set or read no `NameError` (a fairness review, 371: 38 honest drafts above a `try:
    ... except NameError:` answers cell were flagged)."""
    answers, wanted = frozenset(names), frozenset(read)
    words = re.compile(_WORDS + "".join(rf"|\b{re.escape(n)}\b" for n in answers | wanted))
    # (a name as Python reads it: `ｇlobals` is `globals`)
    if not any(words.search(s if s.isascii() else unicodedata.normalize("NFKC", s)) for s in sources):
        return None, None
    finalizer = ""                          # code of the notebook's that may run as an object is dropped (read, not
    #                                         its words), where, and in which cell
    where = -1
    closing: set[str] = set()               # generators and coroutines whose closing runs code of theirs
    renamed: list[tuple[str, str]] = []     # `h = g`: a name given another's value

    def each(i: int, tree: ast.Module) -> None:
        nonlocal finalizer, where
        found, gens, others_named = _finalizers(tree)
        if found and not finalizer:
            finalizer, where = found, i
        closing.update(gens)
        renamed.extend(others_named)
    read = _Cells(sources, answers, each)
    others: dict[str, list[str]] = {}
    for target, value in renamed:
        others.setdefault(value, []).append(target)
    todo = list(closing)
    while todo:                             # (a generator called by another name, in any cell)
        for target in others.pop(todo.pop(), ()):
            if target not in closing:
                closing.add(target)
                todo.append(target)
    cells = []
    keyed: list[tuple[int, ast.AST, str | None, bool]] = []     # where the namespace may be written under ``read``
    named: set[str] = set()                 # the names read anywhere: a function never named is never called

    def first_keyed() -> Found | None:
        for i, w, name, later in keyed:
            # (a function that writes them only where something calls it: `def reset(): global range; del range`,
            # never called, is no write, a fairness review's, 330)
            if name is None or later or name in named:
                return Found(i, f"`{quoted(w)}` on line {w.lineno}", "may write the notebook's names under a key that "
                                                                     "may be one the answers cell reads")
        return None
    late: Found | None = None
    for i, reader in read.again():
        if wanted:
            reader.answers = wanted
            for scope in reader.scopes:
                named.update(n.id for n in scope.nodes if type(n) is ast.Name and type(n.ctx) is ast.Load)
                w = reader.writes(scope)
                if w is not None:
                    keyed.append((i, w, getattr(scope.node, "name", None) if scope.function else None,
                                  bool(scope.function and reader._inherently_later(scope))))
            reader.answers = answers
        if not answers:
            continue
        reader.strong, reader.closing = bool(finalizer), closing
        bound = reader.answer_given_object() if finalizer or closing else ""
        if bound:
            runs = f"code of the notebook's that runs as an object is dropped: {finalizer}" if finalizer else \
                "a generator or coroutine of the notebook's that runs code as it closes"
            late = Found(i, bound, f"gives an answer's name an object, which the answers cell's own binding drops, "
                                   f"and holds {runs}", where if finalizer and where != i else -1)
            break
        deferred = reader.deferred_write()
        if deferred:
            late = Found(i, deferred, "hands the notebook's names over together with a function that writes them, to "
                                      "be called later")
            break
        cells.append(reader.summary())
    # (where one is found, the cells after it are not read for the other: the first cell flagged is the one said)
    return late or _first(cells), first_keyed()


@dataclass
class _Function:
    """What the second reading keeps of a function: enough to tell whether it may run later and writes."""
    name: str | None            # None for a lambda
    cell: int
    line: int
    later: str                  # why it may run later whatever names it ("a method"...), or ""
    write: str                  # what it writes and where ("`g['a_'] = ...` on line 3"), or ""
    calls: frozenset[str]
    magic: bool = False         # it writes through a magic line (`%timeit`, `%reset`), which the answers cell's own
    #                             reading follows only where the cell itself calls it


@dataclass
class _Cell:
    index: int
    functions: list[_Function]
    loads: dict[str, int]       # each function's name handed on (loaded other than to be called or asked about, or
    #                             taken from the namespace by its name): its first line
    prefixes: dict[str, int]    # the start of a name taken from the namespace by a computed key: its first line


def _first(cells: list[_Cell]) -> Found | None:
    writers = _writers(cells)
    if not writers:
        return None
    for f, w in sorted(writers.values(), key=lambda p: (p[0].cell, p[0].line)):
        if f.later:
            return Found(f.cell, f"`{f.name or 'a lambda'}` on line {f.line}, {f.later} that may run later, writes {w}")
    named = {f.name: w for f, w in writers.values() if f.name is not None}
    for c in cells:
        handed = sorted((line, name) for name, line in c.loads.items() if name in named)
        handed += sorted((line, name) for start, line in c.prefixes.items() for name in named if name.startswith(start))
        if handed:
            line, name = min(handed)
            return Found(c.index, f"`{name}` handed on at line {line}, a function that may run later and writes "
                                  f"{named[name]}")
    return None


def _writers(cells: list[_Cell]) -> dict[int, tuple[_Function, str]]:
    """The functions of these cells that write one of the names read for, and those that call one, with what it
    writes (by the function's `id`)."""
    functions = [f for c in cells for f in c.functions]
    writers = {id(f): (f, f.write) for f in functions if f.write}
    if not writers:
        return writers
    callers: dict[str, list[_Function]] = {}
    for f in functions:
        for name in f.calls:
            callers.setdefault(name, []).append(f)
    todo = [f for f, _ in writers.values()]
    while todo:                             # ... and the functions that call one (each read once)
        f = todo.pop()
        for c in callers.get(f.name, ()) if f.name is not None else ():
            if id(c) not in writers:
                writers[id(c)] = (c, writers[id(f)][1])
                todo.append(c)
    return writers


# (whatever Python reads between the word and the name: a form feed, a line joined by a backslash, review 381)
_DEFINED = re.compile(r"\b(?:def|class)(?:[ \t\f]|\\(?:\r\n?|\n))+(\w+)")
_WORD = re.compile(r"\w+")


def called_after(sources: list[str], first: int, names) -> Found | None:
    """The first of these cells from ``first`` on (the answers cell and those below it: Jupyter runs them after the
    answers are set) that calls or names a function of the notebook's, from any of these cells, that writes one of
    ``names`` or calls one that does (review 380: `def f(): globals()['a_'] = False` above, `f()` below or at the
    answers cell's end, 10/10 unflagged where Jupyter ended with `a_` wrong). A function that may run later whatever
    calls it, a method or a lambda, is `later_writes`' to find; this is the plain call."""
    text = [s if s.isascii() else unicodedata.normalize("NFKC", s) for s in sources]
    defined_names = {m.group(1) for t in text for m in _DEFINED.finditer(t)}
    # (a name named is one of the words, as `\w+` reads them: one pass, where an alternation of tens of thousands of
    # names defined above tried each at every word below, some 12 s of the grader's time at the notebook's limits)
    if not defined_names or defined_names.isdisjoint(w for t in text[first:] for w in _WORD.findall(t)):
        return None
    cells: list[_Cell] = []
    used: dict[int, dict[str, int]] = {}        # each later cell's names read: their first line
    for i, reader in _Cells(sources, frozenset(names)).again():
        cells.append(reader.summary())
        if i >= first:
            seen: dict[str, int] = {}
            for scope in reader.scopes:
                for n in scope.nodes:
                    if type(n) is ast.Name and type(n.ctx) is ast.Load and n.id in defined_names and \
                            n.lineno < seen.get(n.id, n.lineno + 1):
                        seen[n.id] = n.lineno
            used[i] = seen
    # (not one the answers cell defines: its reading follows those, `global a_` in a function of its own; but for one
    # that writes through a magic line, called from a cell below, which that reading follows only where the answers
    # cell itself names it: a fairness review, 409)
    every = {f.name: (w, f.cell) for f, w in sorted(_writers(cells).values(), key=lambda p: (-p[0].cell, -p[0].line))
             if f.name is not None and (f.cell != first or f.magic)}
    others = {name: w for name, w in every.items() if w[1] != first}
    for c in cells:
        if c.index < first:
            continue
        writes = others if c.index == first else every
        named = sorted((line, name) for name, line in (*used[c.index].items(), *c.loads.items()) if name in writes)
        named += sorted((line, name) for start, line in c.prefixes.items() for name in writes if name.startswith(start))
        if named:
            line, name = min(named)
            return Found(c.index, f"`{name}` on line {line}, which writes {writes[name][0]}",
                         "calls a function of the notebook's that may set an answer without naming it", writes[name][1])
    return None


class _Scope:
    """A function's body, a lambda's, a class's or a cell's, read apart from the scopes nested in it."""
    __slots__ = ("node", "cell", "nodes", "function", "method", "outer", "key", "params", "bound", "declared", "calls",
                 "_named", "_binding")

    def __init__(self, node: ast.AST, cell: int, outer: "_Scope | None", method: bool):
        self.node, self.cell, self.outer, self.method = node, cell, outer, method
        self.function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        self.key = f"{cell}:{node.lineno}:{node.col_offset}:" if self.function else ""
        self.nodes: list[ast.AST] = []
        self._named: dict[str, list[ast.AST]] | None = None
        self._binding: dict[str, list[ast.AST]] = {}

    def finish(self) -> None:
        args = getattr(self.node, "args", None)
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, (args.vararg, args.kwarg))] \
            if isinstance(args, ast.arguments) else []
        self.params = {a.arg for a in every}
        nodes = self.nodes
        # (every way Python binds a name: `except ... as k`, `case k:` too, review 389)
        self.bound = {x for n in nodes if type(n) not in _DECLARES for x in bound_by(n)} | self.params
        self.declared = {x for n in nodes if isinstance(n, (ast.Global, ast.Nonlocal)) for x in n.names}
        self.calls = {n.func.id for n in nodes if type(n) is ast.Call and type(n.func) is ast.Name}

    def local(self, name: str) -> bool:
        return self.function and name in self.bound and name not in self.declared

    def naming(self, name: str) -> list[ast.AST]:
        """The nodes of this scope that name ``name`` (a `Name`, read or bound) or bind it otherwise (a def, an import,
        `global`, `except ... as`, a `case` capture), in the scope's order: all that a question about one name reads.
        Asking each name of every node was quadratic: review 420's cells of 7,100 `g[k] = 1`, each key read again
        through 35,000 nodes, cost the grader an hour. Made on the first question, once."""
        if self._named is None:
            named: dict[str, list[ast.AST]] = {}
            binding = self._binding
            for n in self.nodes:
                if type(n) is ast.Name:
                    named.setdefault(n.id, []).append(n)
                    if type(n.ctx) is not ast.Load:
                        binding.setdefault(n.id, []).append(n)
                else:
                    for x in bound_by(n):
                        named.setdefault(x, []).append(n)
                        binding.setdefault(x, []).append(n)
            self._named = named
        return self._named.get(name, [])

    def binding(self, name: str) -> list[ast.AST]:
        """`naming`, but its reads: only what binds the name (its uses may be thousands: review 420)."""
        if self._named is None:
            self.naming(name)
        return self._binding.get(name, [])

    def names(self, name: str) -> bool:
        """A `Name` of this scope is ``name``."""
        return any(type(n) is ast.Name for n in self.naming(name))

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "a lambda")


class _Reader:
    def __init__(self, tree: ast.Module, cell: int, answers: frozenset[str], held: dict[str, str],
                 defined: dict[str, list], register: bool = True):
        self.answers, self.cell, self.tree = answers, cell, tree
        self.source = ""        # the cell's text, for its magic lines (the tree holds them as `pass` or a timed class)
        self._magics: list[tuple[int, str]] | None = None
        self.parent: dict[int, ast.AST] = {}
        self.scopes: list[_Scope] = []
        self.of: dict[int, _Scope] = {}         # each node's scope (by the node's `id`)
        self._scopes(tree, cell)
        self.held = held        # names (in their scope) and attributes given the namespace, a module, the shell
        self.looked: dict[tuple[int, str], tuple[int, str | None]] = {}
        self.version: dict[str, int] = {}
        self.handed_names: set[str] = set()
        self.strong = False     # a finalizer spelled out in the cells above (`__del__`, `weakref`)
        self.comparers = True   # the notebook may define how its objects compare, or bind `bool` and its like
        self.rebound: frozenset[str] = frozenset()      # which of `bool` and its like it may bind
        self.rebinds = _Rebinds()           # what may bind the module's names while a loop runs (all, until read)
        self.closing: set[str] = set()      # its generators and coroutines that run code as they close
        self.defined = defined
        self._subscripts: dict[int, tuple[int, bool]] = {}      # `_subscripted_module`'s, by node
        self._declaring: dict[str, list[_Scope]] | None = None    # the scopes that declare a name, by name
        self._declared_in: dict[tuple[int, str], tuple] = {}       # `_declared_elsewhere`'s, by scope and name
        self._key_loops_of: dict[tuple, tuple] = {}                # `_key_loops`', by scope, name and what is assumed
        self._dicts: dict[tuple[int, str], tuple] = {}             # `_dict_binding`'s, by scope and name
        self._at: dict[int, dict[int, int]] = {}                   # each block's statements' places (`_right_after`)
        # the names whose values a read of the namespace or a module may give, and the start and end of those computed
        # (`written_keys`)
        self.reached: tuple[set[str], set[tuple[str, str]]] = (set(), set())
        for s in self.scopes if register else ():
            if isinstance(s.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = s.node.args
                # (its parameters in order, but a method's own object, which a call never hands: a fairness review,
                # 365: `Config(globals())` read `self.lr = ...` in `__init__` as a write of the notebook's names)
                positional = [x.arg for x in (*a.posonlyargs, *a.args)][1 if s.method else 0:]
                spread = [x.arg for x in (a.vararg, a.kwarg) if x is not None]
                given = (s.key, tuple(positional), frozenset(x.arg for x in a.kwonlyargs) | set(positional), spread)
                defined.setdefault(s.node.name, []).append(given)
                owner = self.parent.get(id(s.node))
                if s.method and s.node.name == "__init__" and isinstance(owner, ast.ClassDef):
                    defined.setdefault(owner.name, []).append(given)

    # -- the scopes, each node's parent ------------------------------------------------------------------------
    def _scopes(self, tree: ast.Module, cell: int) -> None:
        todo: list[tuple[ast.AST, list[ast.AST], _Scope | None, bool]] = [(tree, tree.body, None, False)]
        while todo:
            node, body, outer, method = todo.pop()
            scope = _Scope(node, cell, outer, method)
            stack = list(body)
            while stack:
                n = stack.pop()
                scope.nodes.append(n)
                self.of[id(n)] = scope
                kids = child_nodes(n)
                for child in kids:
                    self.parent[id(child)] = n
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                    # what a def, a lambda or a class evaluates where it stands (decorators, defaults, bases)
                    stack.extend(getattr(n, "decorator_list", ()))
                    stack.extend(getattr(n, "bases", ()))
                    stack.extend(k.value for k in getattr(n, "keywords", ()))
                    if not isinstance(n, ast.ClassDef):
                        stack.extend(d for d in (*n.args.defaults, *n.args.kw_defaults) if d is not None)
                    inner = n.body if isinstance(n.body, list) else [n.body]
                    todo.append((n, inner, scope if scope.function else outer,
                                 isinstance(node, ast.ClassDef) and not isinstance(n, ast.ClassDef)))
                else:
                    stack.extend(kids)
            scope.finish()
            self.scopes.append(scope)

    def _lookup(self, name: str, scope: _Scope | None) -> str | None:
        """What a name read in a scope may hold: its own scope's, an enclosing function's, or the module's (the
        scopes walked only for a name held somewhere: 99 functions nested around 25,000 names, review 358)."""
        if name not in self.held and "?" + name not in self.held:
            return None
        # (each scope's answer kept, for every scope on the way up: 2,000 lambdas nested around 2,400 names waiting on
        # one given the namespace 65 times had walked them all each time, review 363)
        path: list[_Scope | None] = []
        s = scope
        found: str | None = None
        version = self.version.get(name, 0)
        while True:
            known = self.looked.get((id(s), name))
            if known is not None and known[0] == version:
                found = known[1]
                break
            path.append(s)
            if s is None:
                found = self.held.get(name)
                break
            if s.function:
                got = self.held.get(s.key + name)
                if got is not None or s.local(name):
                    found = got                 # (a name of the function's own, not given one of them: None)
                    break
            s = s.outer
        for p in path:
            self.looked[(id(p), name)] = (version, found)
        return found

    def _key(self, name: str, scope: _Scope) -> str:
        """The key a name bound in a scope is held under: the function's for its locals, the module's otherwise."""
        return scope.key + name if scope.function and name not in scope.declared else name

    # -- what a value may be ----------------------------------------------------------------------------------
    def kind(self, node: ast.AST, scope: _Scope) -> str | None:
        t = type(node)
        if t is ast.Name:
            if node.id in _MODULE_NAMES:
                return MODULE
            if node.id in _MAKERS and type(node.ctx) is ast.Load and not self._called(node):
                return MAKER
            return self._lookup(node.id, scope)
        if t is ast.Attribute:
            if node.attr in _NS_ATTRS:
                return NAMESPACE
            if node.attr == "__dict__":
                return NAMESPACE if self._module(node.value, scope) else None
            if node.attr == "_ip":
                return SHELL
            if node.attr in _MAKERS and not self._called(node):
                return MAKER
            if node.attr in _MUTATORS | {"__setattr__", "__delattr__"} and not self._called(node) and \
                    self.kind(node.value, scope) in (NAMESPACE, MODULE):
                return WRITER
            if node.attr == "modules" and not self._called(node):
                return MODULES
            if node.attr in _MODULE_CALLS | _BY_NAME and not self._called(node):
                return GETTER
            return self.held.get("." + node.attr)
        if t is ast.Subscript:
            if type(node.value) is ast.Name and scope.function and node.value.id in _spread(scope.node):
                return self._lookup(node.value.id, scope)   # `a[0]` of `*a`, `kw['w']` of `**kw` (review 373)
            if self._modules(node, scope):
                return MODULES
            return MODULE if self._module(node, scope) else None
        if t is ast.Call:
            f = node.func
            name = word(f)
            if name == "globals" and not node.args or name in ("vars", "locals") and not node.args and not scope.function:
                return NAMESPACE
            if type(f) is ast.Name and self._lookup(f.id, scope) in (MAKER, NAMESPACE):
                return NAMESPACE
            if name == "vars" and len(node.args) == 1 and self._module(node.args[0], scope):
                return NAMESPACE
            if name in _NS_CALLS:
                return NAMESPACE
            if name == "get_ipython":
                return SHELL
            if name in ("getattr", "__getattribute__") and len(node.args) >= 2:
                return MODULES if self._modules(node, scope) else self._got(node.args[1])
            if name in _BINDERS and self._binds_writer(node, scope):
                return WRITER           # `partial(dict.update, globals())`, `dict.update.__get__(globals())` (370, 371)
            if name in _RESOLVERS and node.args and _names_source(node.args[0], dotted=True):
                return NAMESPACE        # `operator.attrgetter('__glo' + 'bals__')(f)`, `Formatter().get_field(...)`,
                #                         `pydoc.locate('__ma' + 'in__.__di' + 'ct__')` (review 367)
            if self._module(node, scope):
                return MODULE
        if t is ast.NamedExpr:
            return self.kind(node.value, scope)
        return None

    def _binds_writer(self, call: ast.Call, scope: _Scope) -> bool:
        """`partial(dict.update, globals())`, `MethodType(dict.update, globals())`, `dict.update.__get__(globals())`:
        a writer of the namespace made by binding one to it."""
        f = call.func
        given = [*call.args, *(k.value for k in call.keywords)]
        writer = type(f) is ast.Attribute and f.attr == "__get__" and _writer_ref(f.value) or bool(given) and (
            _writer_ref(given[0]) or type(given[0]) in _SOURCES and self.kind(given[0], scope) == WRITER)
        return writer and any(type(a) in _SOURCES and self.kind(a, scope) in (NAMESPACE, MAKER, WRITER) for a in given)

    def _called(self, node: ast.AST) -> bool:
        up = self.parent.get(id(node))
        return type(up) is ast.Call and up.func is node

    def _module(self, node: ast.AST, scope: _Scope) -> bool:
        """The notebook's module, or may be: `sys.modules[k]` (but under a key that is another module's name),
        `sys.modules.get(k)`, `__import__(k)`, `importlib.import_module(k)`, `__main__`, a name given one."""
        t = type(node)
        if t is ast.Name:
            return node.id in _MODULE_NAMES or self._lookup(node.id, scope) == MODULE
        if t is ast.Attribute:
            return self.held.get("." + node.attr) == MODULE
        key = None
        if t is ast.Subscript:
            return self._subscripted_module(node, scope)
        elif t is ast.Call:
            f = node.func
            name = word(f)
            if name in _LOOKUPS and type(f) is ast.Attribute and self._modules(f.value, scope) or \
                    name in _MODULE_CALLS or name in _BY_NAME or \
                    type(f) is ast.Name and self._lookup(f.id, scope) == GETTER:
                key = node.args[0] if node.args else None
            elif name in _LOOKUPS and node.args and self._modules(node.args[0], scope):
                key = node.args[1] if len(node.args) > 1 else None
            else:
                return False
        else:
            return False
        return _may_name_module(key)

    def written_keys(self) -> tuple[set[str], set[tuple[str, str]]]:
        """The keys and attributes' names written on the namespace or a module whose names Python reads: those written
        out, and the start and end of those computed (`globals()['bool'] = Box`, `setattr(builtins, 'all', f)`,
        `g.update(bool=Box)`: review 370); not a dict's key, a column, a keyword or an object's attribute (`{'all': 1}`,
        `df['all']`, `args.all`: a fairness review, 377). A loop's key is read as the strings it loops over, as if
        nothing bound the loop's name again or `dict`: what does so is among what this finds, and read as such after
        (a loop's own write had made its key, and `dict`, unknown)."""
        out: set[str] = set()
        patterns: set[tuple[str, str]] = set()
        self.reached = (set(), set())

        # (a loop's strings, the same set for each of its keys: added once, review 420; each kept, so no other set
        # takes its `id`)
        merged: dict[int, set[str] | frozenset[str]] = {}

        def keys(key) -> None:
            for k in key if isinstance(key, list) else [key]:
                whole = folded(k) if k is not None else None
                known = self._loop_keys(k, assumed=True) if whole is None and type(k) is ast.Name else None
                if whole is not None:
                    out.add(whole)
                elif known is not None:
                    if merged.get(id(known)) is not known:
                        out.update(known)
                        merged[id(known)] = known
                elif len(patterns) < 100:
                    patterns.add((literal_start(k), _literal_end(k)) if k is not None else ("", ""))
                else:
                    patterns.add(("", ""))
        for scope in self.scopes:
            for n in scope.nodes:
                t = type(n)
                if t is ast.Attribute and type(n.ctx) is not ast.Load and self._module(n.value, scope):
                    out.add(n.attr)
                elif t in _SOURCES and (t is ast.Call or type(n.ctx) is ast.Load):
                    what = self.kind(n, scope)
                    if what in (NAMESPACE, MODULE):
                        how, key = self.use(n, what)
                        if how == "write":
                            keys(key)
                        elif len(self.reached[1]) < 100:
                            self._reach(n, what)
                        else:
                            self.reached[1].add(("", ""))
        return out, patterns

    def _reach(self, node: ast.AST, what: str) -> None:
        """Add to ``reached`` the names whose values a read of the namespace or a module may give (`g['hp']`,
        `M.hp`, `g.get('hp')`; any, where handed on or iterated): the dict a name holds may be changed so."""
        names, patterns = self.reached
        up = self.parent.get(id(node))
        t = type(up)
        key: ast.AST | None = None
        if t in (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.Compare) or \
                t is ast.Call and up.func is not node and word(up.func) in _LOOKS_AT:
            return                      # (given a name, which is followed; asked about, printed, measured)
        if t is ast.Subscript and up.value is node:
            key = up.slice
        elif t is ast.Attribute and up.value is node:
            call = self.parent.get(id(up))
            if what == MODULE and up.attr not in ("__dict__", "__getattribute__", "__getattr__"):
                names.add(up.attr)
                return
            if up.attr in ("keys", "__contains__", "__len__"):
                return
            if up.attr in ("get", "pop", "setdefault", "__getitem__") and type(call) is ast.Call and call.args:
                key = call.args[0]
        whole = folded(key) if key is not None else None
        if whole is not None:
            names.add(whole)
        else:
            patterns.add((literal_start(key), _literal_end(key)) if key is not None else ("", ""))

    def _subscripted_module(self, node: ast.Subscript, scope: _Scope) -> bool:
        """`sys.modules[k]` (under a key that may be the notebook's), `[__main__][0]`, `D['m']` of a dict that holds it
        (review 370), read down the chain of subscripts once, not again from each: `x[0][0]...` 1,500 deep had run out
        of Python's stack, a grader error, and 900 deep cost the square (review 375)."""
        chain = []
        result = None
        at = len(self.held)             # (what is known grows only: a result holds until it does)
        while type(node) is ast.Subscript:
            known = self._subscripts.get(id(node))
            if known is not None and known[0] == at:
                result = known[1]
                break
            chain.append(node)
            value = node.value
            if self._modules(value, scope):
                result = _may_name_module(node.slice)
                break
            if type(value) in _DISPLAYS or type(value) is ast.Call and word(value.func) in _DISPLAY_CALLS:
                result = self._displays_module(value, scope)
                break
            node = value
        if result is None:
            result = self._module(node, scope)
        for c in chain:
            self._subscripts[id(c)] = (at, result)
        return result

    def _displays_module(self, node: ast.AST, scope: _Scope) -> bool:
        """A module among what a display holds, however nested: `[__main__][0]`, `{'m': __main__}['m']`,
        `dict(m=__main__)['m']`, `[[M]][0][0]` (review 380: a dict's was read as no module)."""
        todo = [node]
        while todo:
            n = todo.pop()
            t = type(n)
            if t in (ast.List, ast.Tuple, ast.Set):
                todo.extend(n.elts)
            elif t is ast.Dict:
                todo.extend(n.values)
            elif t is ast.Starred:
                todo.append(n.value)
            elif t is ast.Call and word(n.func) in _DISPLAY_CALLS:
                todo.extend(n.args)
                todo.extend(k.value for k in n.keywords)
            elif self._module(n, scope):
                return True
        return False

    def _modules_iterated(self, it: ast.AST, scope: _Scope) -> bool:
        """The modules themselves, iterated: `sys.modules.values()`, `.items()`, in `list(...)`, `sorted(...)`,
        `enumerate(...)` or of `dict(sys.modules)` (any of them may be the notebook's or the builtins)."""
        while type(it) is ast.Call and word(it.func) in _WRAPPERS and it.args:
            it = it.args[0]
        if not (type(it) is ast.Call and type(it.func) is ast.Attribute and it.func.attr in ("values", "items")):
            return False
        inner = it.func.value
        if type(inner) is ast.Call and word(inner.func) in ("dict", "copy") and inner.args:
            inner = inner.args[0]
        elif type(inner) is ast.Call and type(inner.func) is ast.Attribute and inner.func.attr == "copy":
            inner = inner.func.value
        return self._modules(inner, scope)

    def _modules(self, node: ast.AST, scope: _Scope) -> bool:
        """`sys.modules` (`os.sys.modules`, `mods` given it; `getattr(sys, 'modules')`, `vars(sys)['modules']`,
        `sys.__dict__['modules']`: review 378)."""
        t = type(node)
        # (not `model.modules()`, a torch module's method: `sys.modules` is no function)
        return t is ast.Attribute and node.attr == "modules" and not self._called(node) or \
            t is ast.Name and self._lookup(node.id, scope) == MODULES or \
            t is ast.Subscript and folded(node.slice) == "modules" or \
            t is ast.Call and word(node.func) == "getattr" and len(node.args) > 1 and folded(node.args[1]) == "modules"

    def _got(self, key: ast.AST) -> str | None:
        """`getattr(x, key)` may give the namespace where the key is, or may be, one of its attributes' names."""
        whole = folded(key)
        if whole is not None:
            return NAMESPACE if whole in _NS_ATTRS or whole == "__dict__" else None
        start = literal_start(key)
        return NAMESPACE if start and any(a.startswith(start) for a in (*_NS_ATTRS, "__dict__")) else None

    # -- names given one of them, followed through names, attributes, defaults, parameters ----------------------
    def hold(self, aliases: dict[str, list[list[str]]]) -> None:
        """Add the names (`g = globals()`, in their scope), attributes (`self.ns = ...`, a class's `ns = ...`) and
        parameters (`g=globals()`; a function handed the namespace in the same call that hands it on) given the
        namespace, a module or the shell. A name of the module's given another is kept in ``aliases`` for the cells
        read after this one (`h = G` above the cell that makes `G = globals()`)."""
        waiting: dict[str, list[tuple[list[str], ast.AST, _Scope]]] = {}
        todo: list[tuple[list[str], ast.AST, _Scope]] = []
        for scope in self.scopes:
            for n in scope.nodes:
                t = type(n)
                if t is ast.Assign:
                    keys = [k for target in n.targets for k in self._keys(target, scope)]
                    value = n.value
                elif t in (ast.AnnAssign, ast.NamedExpr) and n.value is not None:
                    keys, value = self._keys(n.target, scope), n.value
                elif t in (ast.For, ast.AsyncFor):         # `for g in [globals()]` (review 361)
                    if type(n.iter) in (ast.List, ast.Tuple, ast.Set):
                        todo.extend((self._keys(n.target, scope), e, scope) for e in n.iter.elts)
                    elif self._modules_iterated(n.iter, scope):    # `for m in sys.modules.values()` (review 376)
                        # (`for name, m in sys.modules.items()`: the module is the second; a module unpacks to no pair)
                        target = n.target.elts[1] if type(n.target) is ast.Tuple and len(n.target.elts) == 2 else \
                            n.target
                        todo.append((self._keys(target, scope), _MAIN, scope))
                    continue
                elif t in (ast.With, ast.AsyncWith):       # `with nullcontext(globals()) as g` (review 361)
                    for item in n.items:
                        if item.optional_vars is not None:
                            todo.append((self._keys(item.optional_vars, scope), item.context_expr, scope))
                    continue
                elif t in (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
                    a = n.args
                    positional = [*a.posonlyargs, *a.args]
                    pairs = list(zip(positional[len(positional) - len(a.defaults):], a.defaults)) + \
                        [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
                    own = f"{scope.cell}:{n.lineno}:{n.col_offset}:"
                    todo.extend(([own + p.arg], d, scope) for p, d in pairs)
                    continue
                elif t is ast.Call:
                    self._handed_with(n, scope, todo)
                    continue
                elif t is ast.Import:               # `import __main__ as M` (review 370)
                    todo.extend(([self._key(a.asname or a.name, scope)], _MAIN, scope) for a in n.names
                                if a.name in ("__main__", "builtins") and (a.asname or a.name == "builtins"))
                    continue
                elif t is ast.ImportFrom:   # `from importlib import import_module as im`, `from sys import modules`
                    todo.extend(([self._key(a.asname or a.name, scope)],
                                 _SYS_MODULES if a.name == "modules" else _GETTER, scope) for a in n.names
                                if a.name in _MODULE_CALLS | _BY_NAME | {"modules"} and
                                (a.asname or a.name == "modules"))
                    continue
                else:
                    continue
                if keys:
                    todo.append((keys, value, scope))
        for entry in todo:
            for dep in _deps(entry[1]):
                waiting.setdefault(dep, []).append(entry)
        wakes: dict[str, int] = {}
        while todo:
            keys, value, scope = todo.pop()
            what = self.kind(value, scope) or self._within_source(value, scope)
            if what is None:
                continue
            given = list(keys)
            while given:
                k = given.pop()
                if k in self.held:
                    continue
                self.held[k] = what
                bare = k.rsplit(":", 1)[-1]
                self.version[bare] = self.version.get(bare, 0) + 1       # (what was looked up for it is stale)
                if bare != k:
                    self.held["?" + bare] = what        # (a name held in some function's scope)
                wakes[bare] = wakes.get(bare, 0) + 1
                if wakes[bare] > _WAKES:     # (each wake reads the waiting again: bounded, they all hold it now)
                    given.extend(x for ks, _, _ in waiting.pop(bare, ()) for x in ks)
                else:
                    todo.extend(waiting.get(bare, ()))
                for more in aliases.pop(k, ()):
                    given.extend(more)
        for dep, entries in waiting.items():
            for keys, value, scope in entries:
                if not scope.function and (type(value) is ast.Name and value.id == dep or
                                           type(value) is ast.Attribute and "." + value.attr == dep):
                    aliases.setdefault(dep, []).append(keys)

    def _keys(self, target: ast.AST, scope: _Scope) -> list[str]:
        """The keys a target gives its value: a name in its scope (a class's also as its attribute, `C.ns`), an
        attribute by its name."""
        if type(target) is ast.Name:
            if isinstance(scope.node, ast.ClassDef):
                return ["." + target.id]
            return [self._key(target.id, scope)]
        if type(target) is ast.Attribute:
            return ["." + target.attr]
        if type(target) in (ast.Tuple, ast.List, ast.Starred):     # `g, n = globals(), 0`, `[g] = [globals()]` (361)
            parts = target.elts if type(target) is not ast.Starred else [target.value]
            return [k for part in parts for k in self._keys(part, scope)]
        return []

    def _within_source(self, value: ast.AST, scope: _Scope) -> str | None:
        """A value computed from the namespace or the notebook's module (`[d for d in gc.get_referrers(x) ...][0]`,
        `dict(sys.modules)[k]`, `sys.__dict__['modules']`) may be it (review 360)."""
        if type(value) in (ast.Constant, ast.Name, ast.Attribute, ast.Lambda):
            return None
        found = None
        for n in within([value]):
            t = type(n)
            if t in _SOURCES and (t is ast.Call or type(n.ctx) is ast.Load):
                what = self.kind(n, scope)
                # (not one only read: `list(globals().items())` holds its items, not it; but what lists namespaces,
                # `gc.get_referrers(x)`, holds them however it is read)
                if what == MODULE and type(self.parent.get(id(n))) in (ast.List, ast.Tuple, ast.Set, ast.Dict):
                    return MODULE       # `M, = (__main__,)`, `D = {'m': __main__}` (review 370)
                if what in (NAMESPACE, MODULE) and (self.use(n, what)[0] != "read" or t is ast.Call and
                                                    word(n.func) in _NS_CALLS and not (
                        type(self.parent.get(id(n))) is ast.Call and getattr(self.parent[id(n)].func, "id", "") == "len")):
                    return what
            if t is ast.Attribute and (n.attr == "modules" and not self._called(n) or n.attr == "__dict__") and \
                    type(n.ctx) is ast.Load:
                found = MODULE if n.attr == "modules" else found        # (not `model.modules()`)
            elif t is ast.Constant and n.value == "modules":
                found = MODULE          # `vars(sys)['modules']`, `getattr(sys, 'modules')` (review 378)
            if t is ast.BinOp:
                # (a chain of `+` read once from its top, each part once: every link read whole had cost the square
                # of the chain, 18 s for a cell of five chains of 2,900 `''`: review 375)
                up = self.parent.get(id(n))
                if not (type(up) is ast.BinOp and up.left is n) and _chain_names_source(n):
                    return NAMESPACE
            elif t in (ast.Constant, ast.JoinedStr, ast.Call) and _names_source(n):
                return NAMESPACE        # `attrgetter('__glo' + 'bals__')`, `vars(builtins)['globals']` (364)
        return found

    def _handed_with(self, call: ast.Call, scope: _Scope, todo: list) -> None:
        """A function handed the namespace (or the module) in the same call that hands the function on
        (`Timer(0.2, f, (globals(),))`, `Thread(target=f, args=(globals(),))`, `partial(f, globals())`): its
        parameters are given it (review 357)."""
        f = call.func
        name = word(f)
        if name in _READ_CALLS and name not in self.defined:
            return                          # `doctest.run_docstring_examples(f, globals())` reads them
        def source(x) -> bool:
            return type(x) in _SOURCES and self.kind(x, scope) in (NAMESPACE, MODULE, MAKER)

        def maybe(x) -> bool:               # (what it is known once the names are followed: `g = globals()`, `mk(g)`;
            return type(x) in _SOURCES      # a writer, `load_config(text, globals().update)`: a fairness review, 371)
        if type(f) is ast.Name and f.id in self.defined:      # `mk(globals())`, `W(globals())` (an `__init__`: 361):
            for key, positional, named, spread in self.defined[f.id]:      # the parameters it is handed at
                for i, arg in enumerate(call.args):
                    if maybe(arg):
                        got = positional[i:i + 1] or spread
                        todo.extend(([key + p], arg, scope) for p in got)
                for k in call.keywords:
                    if maybe(k.value):
                        todo.extend(([key + p], k.value, scope) for p in ([k.arg] if k.arg in named else spread))
        values = list(call.args) + [k.value for k in call.keywords]
        flat = [x for v in values for x in (v.elts if type(v) in (ast.Tuple, ast.List) else [v])]
        sources = [x for x in flat if source(x)]
        if not sources:
            return
        for name in {x.id for x in flat if type(x) is ast.Name and x.id in self.defined} - self.handed_names:
            self.handed_names.add(name)     # (each function's parameters given it once: review 363, 1,600 functions
            for key, _, named, spread in self.defined[name]:        # of one name handed 1,600 times held 1 GB)
                todo.extend(([key + p], sources[0], scope) for p in (*named, *spread))

    # -- how a value of one of those kinds is used --------------------------------------------------------------
    def use(self, node: ast.AST, what: str) -> tuple[str, ast.AST | None]:
        """("read" | "write" | "hand", the key written where it is known)."""
        up = self.parent.get(id(node))
        t = type(up)
        if what == WRITER:                  # `w = globals().update` then `w(e_=True)`, or handed on
            if t is ast.Call and up.func is node:
                return "write", _written_key("update", up.args, up)
            return ("read", None) if t in (ast.Assign, ast.NamedExpr, ast.AnnAssign) else ("hand", None)
        if what == MAKER:                   # `g = globals` then `g()`: the call is read as the namespace
            return ("read", None) if t in (ast.Assign, ast.NamedExpr, ast.AnnAssign) or t is ast.Call and up.func is node \
                else ("hand", None)
        if t is ast.Subscript and up.value is node:
            if what == NAMESPACE:
                return ("read", None) if type(up.ctx) is ast.Load else ("write", up.slice)
            return "read", None             # a module or the shell subscripted: not the notebook's names
        if t is ast.Attribute and up.value is node:
            call = self.parent.get(id(up))
            args = call.args if type(call) is ast.Call and call.func is up else []
            if what == NAMESPACE:
                if up.attr in _READ_METHODS or type(up.ctx) is not ast.Load:
                    return "read", None     # (an attribute set on a mapping: refused, not a write of its keys)
                if up.attr in _MUTATORS:
                    return "write", _written_key(up.attr, args, call)
                return "hand", None
            if what == MODULE:
                if type(up.ctx) is not ast.Load:
                    return "write", ast.Constant(up.attr)
                if up.attr in ("__setattr__", "__delattr__"):
                    return "write", args[0] if args else None
                return "read", None
            if up.attr in _SHELL_WRITES and type(call) is ast.Call:
                return "write", _written_key(up.attr, args, call)
            return "read", None
        if t is ast.Call and node is not up.func:
            f = up.func
            name = word(f)
            if name in _RUNNERS:            # (`eval(text, globals(), kw)` evaluates: a method's formula, review 361)
                return ("write", None) if name == "exec" and node is not (up.args[0] if up.args else None) else \
                    ("read", None)
            if name in _SETTING_CALLS and up.args and up.args[0] is node:
                return "write", (up.args[1] if len(up.args) > 1 else None) if name in _KEY_SECOND else \
                    _written_key(name, up.args[1:], up)
            if name in ("getattr", "__getattribute__") and what == NAMESPACE:     # `getattr(globals(), 'update')`
                return ("read", None) if len(up.args) > 1 and folded(up.args[1]) in _READ_METHODS else ("write", None)
            if what == MODULE and name not in _MODULE_READS and not (type(f) is ast.Name and f.id in self.defined) and \
                    not (name in _SETTING_CALLS and node in up.args[1:2]):     # (`setattr(x, m, v)`: a name, if any)
                return "hand", None         # (a library may write what it is given: `functools.update_wrapper(M, x)`
                #                             sets `M`'s names from `x`'s, review 384)
            if what != NAMESPACE and what != MAKER:
                return "read", None         # the shell or the modules handed on: what it is given is followed apart
            if (name == "vars" or name in _READ_CALLS) and not (type(f) is ast.Name and f.id in self.defined):
                return "read", None
            if type(f) is ast.Name and f.id in self.defined:
                return "read", None         # (its parameters are followed: `Registry(globals())`)
            if name in _BINDERS and self._binds_writer(up, self.of.get(id(node))):
                return "read", None         # (what it makes is followed as a writer: `partial(dict.update, globals())`)
            return "hand", None
        if t is ast.Call:
            return "read", None             # called (the shell, a module called: not the notebook's names)
        if t is ast.keyword:
            call = self.parent.get(id(up))
            fname = word(getattr(call, "func", None))
            if up.arg in ("globals", "locals") and fname in _RUNNERS:
                return "write", None
            return ("read", None) if up.arg is None or up.arg in ("globals", "locals", "namespace") or \
                what not in (NAMESPACE, MAKER) else ("hand", None)
        if what not in (NAMESPACE, MAKER):
            return "read", None
        if t is ast.Dict:
            return ("read", None) if any(k is None and v is node for k, v in zip(up.keys, up.values)) else ("hand", None)
        if t is ast.Compare:                # `k in ns`, `ns is None`; `ns == x` runs `x.__eq__(ns)` (review 360)
            return ("read", None) if all(type(op) in (ast.In, ast.NotIn, ast.Is, ast.IsNot) for op in up.ops) else \
                ("hand", None)
        if t in (ast.Starred, ast.FormattedValue, ast.Expr, ast.UnaryOp, ast.comprehension, ast.For,
                 ast.AsyncFor, ast.If, ast.While, ast.Assert, ast.Delete):
            return ("hand", None) if t in (ast.For, ast.AsyncFor, ast.comprehension) and up.target is node else ("read", None)
        if t is ast.IfExp and up.test is node:
            return "read", None
        if t is ast.AugAssign and up.target is node:
            return "write", None
        if t in (ast.Assign, ast.AnnAssign, ast.NamedExpr) and up.value is node:
            targets = up.targets if t is ast.Assign else [up.target]
            return ("read", None) if all(type(x) in (ast.Name, ast.Attribute) for x in targets) else ("hand", None)
        return "hand", None

    def may_be_answer(self, key: ast.AST | None) -> bool:
        if key is None:
            return True
        if type(key) is ast.Name:
            known = self._loop_keys(key)
            if known is not None:       # `for k, v in {'lr': 0.1}.items(): setattr(m, k, v)` (a fairness review, 379)
                return bool(known & self.answers)
            value = self._bound_once(key)
            if value is not None:       # `k = 'best_' + metric` (a fairness review, 382)
                return self.may_be_answer(value)
        # (`name.upper()` only of a string, `k + '_'` only where the notebook names no `+` of its own: reviews 373, 386:
        # an `upper` or a `__radd__` given by a lambda, a keyword, a class's attribute)
        if type(key) is ast.Call and type(key.func) is ast.Attribute and key.func.attr == "upper" and not key.args and \
                (not self.rebinds.uppers and "upper" not in self.defined or self._a_string(key.func.value)):
            return any(a == a.upper() for a in self.answers)
        whole = folded(key)
        if whole is not None:
            return whole in self.answers
        if (self.rebinds.adds or "__add__" in self.defined or "__radd__" in self.defined) and type(key) is ast.BinOp:
            return True             # (an f-string calls no `+`: a fairness review, 377)
        start, end = literal_start(key), _literal_end(key)
        return any(a.startswith(start) and a.endswith(end) for a in self.answers)

    def _a_string(self, node: ast.AST) -> bool:
        """Surely one of Python's own strings: written out, an f-string, made by `format` or `join` of one, a loop's key
        over strings written out."""
        return type(node) in (ast.Constant, ast.JoinedStr) or type(node) is ast.Call and bool(literal_start(node)) or \
            type(node) is ast.Name and self._loop_keys(node) is not None

    def _loop_keys(self, key: ast.Name, assumed: bool = False) -> set[str] | None:
        """The texts a name may hold where every binding of it in its scope is a loop over written-out strings (a
        tuple or list of them, a dict's keys or items), else None; ``assumed``: as if nothing bound it again (see
        `written_keys`)."""
        scope = self.of.get(id(key))
        if scope is None or scope.function and key.id in scope.params:
            return None
        if not assumed and (self.rebinds.may(key.id) if not scope.function else self.rebinds.frames) or \
                self._declared_elsewhere(key.id, scope):
            # (bound again between two lines by what the loop calls or what runs beside it: a function's `global k`
            # or `nonlocal k`, `globals()['k'] = ...`, a thread: review 380)
            return None
        loops = self._key_loops(scope, key.id, assumed)
        if loops is None:
            return None
        texts, fors, comprehensions = loops
        inside = False
        extra: set[str] = set()
        below, up = key, self.parent.get(id(key))
        while up is not None:           # (what holds the key: a loop that binds it, where the key is not its iterable)
            at = id(up)
            loop = fors.get(at)
            if loop is not None and below is not loop.iter:
                inside = True
            for more in comprehensions.get(at, ()):
                # (a comprehension's variable is its own: the name outside it is another's, review 380)
                if more is None:
                    return None
                extra |= more
                inside = True
            below, up = up, self.parent.get(at)
        # (only inside a loop that binds it: before it, or after one that never ran, the name of the module's holds what a
        # cell above gave it)
        if not inside:
            return None
        out = texts | extra if extra else texts
        return out or None

    def _key_loops(self, scope: _Scope, name: str, assumed: bool) -> tuple | None:
        """What `_loop_keys` reads of a name's bindings in a scope wherever the key stands, read once for all its keys
        (review 420: again for each of 7,100 keys, with every node of the scope): None where one binding is not a loop
        over written-out strings; else the strings of its `for` loops, those loops (by `id`), and the strings of its
        comprehensions, by the expression each belongs to. What it assumes of the rest of the notebook is part of the
        question (the second reading sees all the cells)."""
        ask = (id(scope), name, assumed, id(self.rebinds), id(self.rebound))
        found = self._key_loops_of.get(ask)
        if found is not None:
            return found[0]
        texts: set[str] = set()
        fors: dict[int, ast.For] = {}
        comprehensions: dict[int, list[set[str] | None]] = {}
        answer: tuple | None = (frozenset(), fors, comprehensions)
        for n in scope.binding(name):
            if type(n) is not ast.Name:
                answer = None   # (`global k`, a def, an import, and `case k:` or `except E as k`: review 383)
                break
            up = self.parent.get(id(n))
            loop = up if type(up) in (ast.For, ast.comprehension) else self.parent.get(id(up))
            if type(loop) not in (ast.For, ast.comprehension) or not (
                    loop.target is n or type(loop.target) is ast.Tuple and loop.target.elts[:1] == [n]):
                answer = None
                break
            more = _written_keys(self._dict_of(loop, scope, assumed), frozenset() if assumed else self.rebound)
            if type(loop) is ast.comprehension:
                comprehensions.setdefault(id(self.parent.get(id(loop))), []).append(more)
            elif more is None:
                answer = None
                break
            else:
                texts |= more
                fors[id(loop)] = loop
        if answer is not None:
            answer = (frozenset(texts), fors, comprehensions)
        # (the objects asked of are kept beside the answer: their `id`s stay theirs while it is kept)
        self._key_loops_of[ask] = (answer, scope, self.rebinds, self.rebound)
        return answer

    def _bound_once(self, key: ast.Name) -> ast.AST | None:
        """The value of a name its scope binds once, by a plain assignment, where nothing else may bind it (as for a
        loop's key, `_loop_keys`); not another name."""
        scope = self.of.get(id(key))
        # (a function's own: the module's may hold what a cell above gave it where this binding comes after the use)
        if scope is None or not scope.function or key.id in scope.params or self.rebinds.frames or \
                self._declared_elsewhere(key.id, scope):
            return None
        value = None
        for n in scope.binding(key.id):
            if type(n) is not ast.Name:
                return None
            up = self.parent.get(id(n))
            if value is not None or type(up) is not ast.Assign or up.targets != [n]:
                return None
            value = up.value
        return None if value is None or type(value) is ast.Name else value

    def _right_after(self, first: ast.AST, then: ast.AST) -> bool:
        """Two statements one right after the other in one block (each block's places found once: review 420)."""
        up = self.parent.get(id(then))
        bodies = [self.tree.body] if up is None else [getattr(up, f, None) for f in ("body", "orelse", "finalbody")]
        for body in bodies:
            if isinstance(body, list) and body:
                places = self._at.get(id(body))
                if places is None:
                    places = self._at[id(body)] = {id(x): i for i, x in enumerate(body)}
                at = places.get(id(then))
                if at is not None and body[at] is then:
                    return at > 0 and body[at - 1] is first
        return False

    def _declared_elsewhere(self, name: str, scope: _Scope) -> bool:
        """A function nested in ``scope`` declares ``name`` `global` or `nonlocal` (one look a name, not one at every
        scope for each name asked: review 420)."""
        if self._declaring is None:
            self._declaring = {}
            for s in self.scopes:
                for x in s.declared:
                    self._declaring.setdefault(x, []).append(s)
        ask = (id(scope), name)
        found = self._declared_in.get(ask)
        if found is None:
            found = self._declared_in[ask] = (
                any(s is not scope and self._nested(s, scope) for s in self._declaring.get(name, ())), scope)
        return found[0]

    def _nested(self, inner: _Scope, outer: _Scope) -> bool:
        s = inner.outer
        while s is not None:
            if s is outer:
                return True
            s = s.outer
        return False

    def _dict_of(self, loop: ast.For | ast.comprehension, scope: _Scope, assumed: bool = False) -> ast.AST:
        """What a loop iterates, with a name bound once in its scope to a dict written out (and never written to
        again) read as that dict: `hp = {'lr': 0.1}`, `for k in hp:` (a fairness review, 379), only where the loop comes
        right after the binding: what runs between them may change the dict (review 380; in a function too, through
        `locals()['hp']` or the frame's `f_locals`: review 383); what the loop runs cannot change its keys unseen
        (Python stops the loop)."""
        it = loop.iter
        method = None
        if type(it) is ast.Call and type(it.func) is ast.Attribute and it.func.attr in ("items", "keys") and \
                not it.args:
            method, it = it.func.attr, it.func.value
        if type(it) is not ast.Name:
            return it if method is None else ast.Call(ast.Attribute(it, method, ast.Load()), [], [])
        if not assumed and (self.rebinds.frames if scope.function else self.rebinds.may_reach(it.id)):
            # (code that reaches it may change the dict between its binding and its loop, or in the loop: a finalizer of
            # the dict's old value, a function the loop calls, a thread; Python sees a key swapped for another, the
            # size kept, only sometimes: reviews 380, 384)
            return it
        found = self._dict_binding(scope, it.id)
        if found is None or not self._right_after(found[1], loop):
            return it
        return found[0]

    def _dict_binding(self, scope: _Scope, name: str) -> tuple[ast.AST, ast.AST] | None:
        """For `_dict_of`: the value a name is bound to once in its scope, by a plain assignment, and that binding, where
        the name is only read (looked up, a loop's iterable, compared) and no function nested in the scope names it;
        else None. The same for every loop over the name: read once (review 420)."""
        found = self._dicts.get((id(scope), name))
        if found is not None:
            return found[0]
        value = binding = None
        answer: tuple[ast.AST, ast.AST] | None = None
        for n in scope.naming(name):
            if type(n) is not ast.Name:
                break           # (bound otherwise: `case hp:`, `except E as hp`, review 383)
            up = self.parent.get(id(n))
            if type(n.ctx) is not ast.Load:
                if value is not None or type(up) is not ast.Assign or len(up.targets) != 1:
                    break
                value, binding = up.value, up
            elif not (type(up) is ast.Subscript and up.value is n and type(up.ctx) is ast.Load or
                      type(up) is ast.Attribute and up.attr in _LOOKS and
                      type(self.parent.get(id(up))) is ast.Call and self.parent[id(up)].func is up or
                      type(up) is ast.Compare and n in up.comparators or
                      type(up) in (ast.For, ast.comprehension) and up.iter is n):
                # (written to, handed on, or given another name that may be written to: `hp.update(...)`, `f(hp)`,
                # `h = hp; h['a_'] = ...`, `[hp][0]['a_'] = ...`: review 380)
                break
        else:
            if value is not None and binding is not None and \
                    not any(s.names(name) and self._nested(s, scope) for s in self.scopes if s is not scope):
                answer = (value, binding)       # (else a function nested in it may change it)
        self._dicts[(id(scope), name)] = (answer, scope)
        return answer

    def _keys_may_be_answers(self, key) -> bool:
        if isinstance(key, list):           # the keys of a mapping written at once
            return any(self.may_be_answer(k) for k in key)
        return self.may_be_answer(key)

    # -- each scope's writes ----------------------------------------------------------------------------------
    def writes(self, scope: _Scope) -> ast.AST | None:
        """Where a scope writes one of the notebook's names that may be an answer's: the namespace written or handed
        on (or the module's attribute, or the shell's names), `global a_` set, an answer's name set on an object."""
        declared = {x for n in scope.nodes if type(n) is ast.Global for x in n.names} & self.answers
        # (a comprehension's variable is its own, `global` or not: `sum(1 for a_ in answers if a_)`, a fairness review,
        # 396; a `:=` in it is the function's)
        own = {id(x) for c in scope.nodes if type(c) is ast.comprehension for x in walk(c.target)} if declared else ()
        for n in scope.nodes:
            t = type(n)
            if declared and t not in _DECLARES and id(n) not in own and bound_by(n) & declared:
                return n            # any binding: `a_ = ...`, `import os as a_`, `case (a_, b_):`, `def a_` (review 389)
            if t is ast.Attribute and type(n.ctx) is not ast.Load and n.attr in self.answers and not (
                    type(n.value) is ast.Name and n.value.id in _OWN):
                return n
            if t is ast.Call and type(n.func) is ast.Name and n.func.id in ("setattr", "delattr") and len(n.args) > 1 \
                    and folded(n.args[1]) in self.answers and not (type(n.args[0]) is ast.Name and n.args[0].id in _OWN):
                return n
            if t is ast.AugAssign and type(n.target) is ast.Name and \
                    self._lookup(n.target.id, scope) == NAMESPACE and \
                    self._keys_may_be_answers(_written_key("update", [n.value], None)):
                return n                    # `g |= {...}`, `g` given the namespace
            if t is ast.Call and type(n.func) is ast.Name and n.func.id == "exec" and len(n.args) < 2 and scope.function:
                return n                    # code run in the function's frame: a `global` in it writes the module's
            if t is ast.Call and scope.function and word(n.func) in _DOCTEST_RUNS:
                return n                    # the notebook's docstrings run as code (review 412: an example that set
                #                             `__main__.a_`, run by `doctest.testmod()` in a helper called at the end)
            what = self.kind(n, scope) if t is ast.Call or t in _SOURCES and type(n.ctx) is ast.Load else None
            if what is not None:
                how, key = self.use(n, what)
                if how == "hand" or how == "write" and self._keys_may_be_answers(key):
                    return self._shown(n)
        return None

    def answer_given_object(self) -> str:
        """An answer's name given, above the answers cell, anything but a constant (`e_ = W()`), or bound otherwise
        (a loop's, an import's, a def's), where the module's names are: what the answers cell's own binding drops."""
        for scope in self.scopes:
            if isinstance(scope.node, ast.ClassDef):
                continue
            relevant = scope.declared & self.answers if scope.function else self.answers
            if not relevant:
                continue
            for n in scope.nodes:
                t = type(n)
                if not scope.function and (t is ast.Call or t in _SOURCES and type(n.ctx) is ast.Load) and \
                        self.kind(n, scope) == NAMESPACE:
                    how, key = self.use(n, NAMESPACE)
                    named = key is not None and not isinstance(key, list) and folded(key) in self.answers or \
                        isinstance(key, list) and any(folded(k) in self.answers for k in key)
                    # (a key that only may be an answer's, `exec(config, globals())`, `vars().update(params)`: only
                    # where a finalizer is spelled out above, a fairness review's config loaders, 359)
                    if how == "write" and self._keys_may_be_answers(key) and (named or self.strong) and any(
                            self._may_finalize(v) for v in self._written_values(n)):
                        # (through the namespace: `globals()['e_'] = W()`, `g.update(e_=W())`: review 361)
                        return f"`{quoted(self._shown(n))}` on line {n.lineno}"
                if t in (ast.Assign, ast.AnnAssign) and not scope.function and n.value is not None and \
                        self._may_finalize(n.value) and any(type(x) is ast.Subscript and folded(x.slice) in self.answers for target in (
                            n.targets if t is ast.Assign else [n.target]) for x in within([target])):
                    # (an answer's name as the key of whatever mapping: it may be the namespace got by computed text,
                    # `getattr(f, ''.join([...]))`, review 361)
                    return f"`{quoted(n)}` on line {n.lineno}"
                if t in (ast.Assign, ast.AnnAssign):
                    targets = n.targets if t is ast.Assign else [n.target]
                    names = {x.id for target in targets for x in within([target]) if type(x) is ast.Name}
                    if names & relevant and n.value is not None and self._may_finalize(n.value):
                        return f"`{sorted(names & relevant)[0]}` given `{quoted(n.value)}` on line {n.lineno}"
                    continue
                if t in (ast.For, ast.AsyncFor) and (not self.strong or _constant(n.iter)):
                    continue                # (a loop gives the items, `for a_ in [True, False]`: review 366)
                if t in (ast.For, ast.AsyncFor, ast.NamedExpr, ast.AugAssign):
                    names = {x.id for x in within([n.target]) if type(x) is ast.Name}
                elif t in (ast.With, ast.AsyncWith):
                    names = {x.id for i in n.items if i.optional_vars is not None for x in within([i.optional_vars])
                             if type(x) is ast.Name}
                elif t in (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                           ast.ExceptHandler):
                    names = bound_by(n)
                else:
                    continue
                if names & relevant and (self._may_finalize(n.value) if t in (ast.AugAssign, ast.NamedExpr) else
                                         self.strong):
                    return f"`{sorted(names & relevant)[0]}` bound on line {n.lineno}"
        return ""

    def _may_finalize(self, value: ast.AST) -> bool:
        """May this value be (or hold) an object that runs code of the notebook's when it is dropped: anything but a
        value that is surely a bool or a literal where a finalizer of the notebook's is above, or a generator or
        coroutine of its own that closes with code of its (`e_ = gen()` whose `finally` writes)."""
        if _surely_plain(value, self.comparers, self.rebound):
            return False        # (a generator used up in a bool, `sum(1 for _ in gen()) == 2`: a fairness review, 371)
        if self.strong:
            return True
        return bool(self.closing) and any(type(x) is ast.Call and type(x.func) is ast.Name and x.func.id in self.closing
                                          for x in within([value]))

    def _written_values(self, n: ast.AST) -> list[ast.AST]:
        """The values a write of the namespace gives (`ns[k] = v`, `ns.update(k=v)`, `setitem(ns, k, v)`); a call
        whose values cannot be read gives itself (not a constant)."""
        up = self.parent.get(id(n))
        if type(up) is ast.Subscript:
            stmt = self.parent.get(id(up))
            return [stmt.value] if type(stmt) in (ast.Assign, ast.AugAssign, ast.AnnAssign) and stmt.value is not None \
                else [up]
        call = self.parent.get(id(up)) if type(up) is ast.Attribute else up
        if type(call) is not ast.Call:
            return [n]
        args = call.args[1:] if call.args and call.args[0] is n else call.args
        if type(up) is ast.Attribute and up.attr in ("update", "__ior__"):
            out = [k.value for k in call.keywords]
            for a in args:
                if type(a) is ast.Dict and None not in a.keys:
                    out.extend(a.values)
                else:
                    return [call]
            return out
        return list(args[1:]) if len(args) > 1 else [call]

    def deferred_write(self) -> str:
        """A call that hands the namespace over together with a function that writes a mapping, uncalled: a write
        made later by whatever the call sets up (`weakref.finalize(x, dict.update, globals(), {...})`, `__del__ =
        partial(dict.update, globals(), {...})` in a class: review 361)."""
        for scope in self.scopes:
            for n in scope.nodes:
                t = type(n)
                if t in (ast.List, ast.Tuple, ast.Set, ast.Dict) and type(getattr(n, "ctx", ast.Load())) is ast.Load:
                    up = self.parent.get(id(n))
                    if type(up) in (ast.For, ast.AsyncFor) and up.iter is n:
                        continue    # (its items given the loop's target, followed: a fairness review, 377)
                    if any(self._writer(e, scope) for e in (n.values if t is ast.Dict else n.elts)):
                        return f"`{quoted(n)}` on line {n.lineno}"  # a writer put in a container (review 373)
                    continue
                if t is not ast.Call:
                    continue
                values = list(n.args) + [k.value for k in n.keywords]
                writers = [v for v in values if self._writer(v, scope)]
                if writers and not self._at_once(n, writers):
                    return f"`{quoted(n)}` on line {n.lineno}"      # `Timer(0.5, globals().update, kwargs=...)` (369)
                flat = [x for v in values for x in (v.elts if type(v) in (ast.List, ast.Tuple, ast.Set) else [v])]
                if type(n.func) is ast.Attribute and n.func.attr == "__get__" and _writer_ref(n.func.value):
                    flat.append(n.func.value)       # `dict.update.__get__(globals())`: a bound writer (review 370)
                refs = [v for v in flat if _writer_ref(v)]
                if not refs or self._at_once(n, refs, followed=False):
                    continue
                if any(type(v) in _SOURCES and (type(v) is ast.Call or type(v.ctx) is ast.Load) and
                       self.kind(v, scope) in (NAMESPACE, MAKER) for v in flat):
                    return f"`{quoted(n)}` on line {n.lineno}"
        return ""

    def _writer(self, v: ast.AST, scope: _Scope) -> bool:
        """A writer of the namespace, taken uncalled (`globals().update`, a name given one, `partial(dict.update,
        globals())`, `ChainMap(globals()).update`)."""
        t = type(v)
        return t is ast.Attribute and type(v.ctx) is ast.Load and (self.kind(v, scope) == WRITER or
                                                                   self._wrapped_writer(v, scope)) or \
            t is ast.Name and type(v.ctx) is ast.Load and self._lookup(v.id, scope) == WRITER or \
            t in (ast.Call, ast.Subscript) and self.kind(v, scope) == WRITER

    def _at_once(self, call: ast.Call, given: list, followed: bool = True) -> bool:
        """A call that calls the function it is handed before it returns, or binds it for a caller to judge: not a
        write made later (a fairness review, 371: `load_config(text, globals().update)`, `list(map(globals().update,
        configs))`, `partial(dict.update, globals())` then called; the functions of the notebook's own have their
        parameters followed, where ``followed``: a bound writer, not `dict.update` and the namespace apart). ``given``:
        the writers it is handed; `map` calls only its first argument (review 373: `map(lambda f: f, [w])` gives
        `w`)."""
        name = word(call.func)
        if name in _BINDERS or followed and type(call.func) is ast.Name and name in self.defined:
            return True
        if name in _AT_ONCE and all(call.args and g is call.args[0] for g in given):
            up = self.parent.get(id(call))
            return type(up) is ast.Call and word(up.func) in _CONSUMERS and call in up.args or \
                type(up) in (ast.For, ast.comprehension) and up.iter is call
        return False

    def _wrapped_writer(self, v: ast.Attribute, scope: _Scope) -> bool:
        """A writer taken off what a call made of the namespace: `ChainMap(globals()).update` writes its first map,
        the namespace (review 370)."""
        made = v.value
        return v.attr in _MUTATORS | {"__setattr__"} and type(made) is ast.Call and word(made.func) not in _READ_CALLS \
            and any(type(a) in _SOURCES and self.kind(a, scope) in (NAMESPACE, MAKER)
                    for a in (*made.args, *(k.value for k in made.keywords)))

    def summary(self) -> _Cell:
        functions = []
        # (a class's body in a function runs each time the function does: its writes are the function's, review 385:
        # `def f(): class X: global a_; a_ = False`, called below)
        inner: dict[int, ast.AST] = {}
        for s in self.scopes:
            if not s.function and s.outer is not None and id(s.outer) not in inner:
                w = self.writes(s)
                if w is not None:
                    inner[id(s.outer)] = w
        for s in self.scopes:
            if not s.function:
                continue
            w = self.writes(s) or inner.get(id(s))
            magic = self._magic_writes(s) if w is None else ""
            functions.append(_Function(getattr(s.node, "name", None), self.cell, s.node.lineno, self._inherently_later(s),
                                       f"`{quoted(w)}` on line {w.lineno}" if w is not None else magic,
                                       frozenset(s.calls), bool(magic)))
        loads: dict[str, int] = {}
        prefixes: dict[str, int] = {}
        for scope in self.scopes:
            for n in scope.nodes:
                t = type(n)
                if t is ast.Name and type(n.ctx) is ast.Load and n.id in self.defined and \
                        n.lineno < loads.get(n.id, n.lineno + 1) and not self._only_named(n):
                    loads[n.id] = n.lineno
                elif t is ast.Call and type(n.func) is ast.Name and n.func.id == "getattr" and len(n.args) > 1 and \
                        folded(n.args[1]) in self.defined and self.kind(n.args[0], scope) in (MODULE, NAMESPACE):
                    whole = folded(n.args[1])       # `getattr(sys.modules[__name__], 'f')` (review 361)
                    if n.lineno < loads.get(whole, n.lineno + 1):
                        loads[whole] = n.lineno
                elif t is ast.Subscript and type(n.ctx) is ast.Load and self._namespace_of_any(n.value, scope):
                    # a function taken from the namespace by its name (`vars()['f']`, `locals()['d']`: review 360)
                    whole = folded(n.slice)
                    if whole is not None:
                        if whole in self.defined and n.lineno < loads.get(whole, n.lineno + 1):
                            loads[whole] = n.lineno
                    elif len(prefixes) < 100:
                        prefixes.setdefault(literal_start(n.slice), n.lineno)
                    else:
                        prefixes.setdefault("", n.lineno)
        return _Cell(self.cell, functions, loads, prefixes)

    def _magic_writes(self, scope: _Scope) -> str:
        """Where a function's magic lines set the notebook's names (review 402: in a function of the training cell,
        called at the answers cell's end, `%timeit -n1 -r1 1/0` left the function's `a_=False` and the other
        arguments in the notebook, IPython's timeit copying them there and putting nothing back when the statement
        raises; `%reset_selective -f ^[a-e]_` or `%run -i notes.py` there set or unset the answers: 10/10 unflagged
        where Jupyter ended with 0/10 or none). The answers cell reads its own functions so already."""
        copied = sorted(scope.bound & self.answers)
        timed = next((n for n in scope.nodes if type(n) is ast.ClassDef and n.name == "_timed_line"), None)
        if timed is not None and copied:
            return (f"`%timeit` on line {timed.lineno} (IPython copies the function's names, "
                    f"{', '.join(f'`{n}`' for n in copied)}, into the notebook's)")
        lines = self._magic_lines()
        end = getattr(scope.node, "end_lineno", None) or scope.node.lineno
        k = bisect.bisect_left(lines, (scope.node.lineno, ""))
        return lines[k][1] if k < len(lines) and lines[k][0] <= end else ""

    def _magic_lines(self) -> list[tuple[int, str]]:
        """(line, what it says) of each line of the cell whose magic may set one of the answers, read once a cell (a
        function's lines were read for each function around them: nested functions read a line again and again)."""
        if self._magics is None:
            self._magics = []
            if _NAMING_WORDS.search(self.source):
                found = [(k + 1, line.strip()) for k, line in enumerate(self.source.split("\n"))
                         if _NAMING_WORDS.search(line)]
                # (each line is read as IPython reads it, a fifth of a millisecond: past a few hundred, a cell's such
                # lines are taken as they look)
                every = len(found) > _MAGIC_LINES_READ
                budget = Budget()               # (one for the cell's patterns, not one a line: review 425)
                self._magics = [(k, f"`{line if len(line) <= 40 else line[:37] + '...'}` on line {k}")
                                for k, line in found if every or magic_write(line, self.answers, budget=budget)]
        return self._magics

    def _namespace_of_any(self, node: ast.AST, scope: _Scope) -> bool:
        """The module's names or a function's own (`vars()`, `locals()` in it): a function may be taken from either."""
        return type(node) is ast.Call and type(node.func) is ast.Name and node.func.id in _MAKERS and not node.args \
            or self.kind(node, scope) == NAMESPACE

    def _inherently_later(self, s: _Scope) -> str:
        n = s.node
        if isinstance(n, ast.Lambda):
            up = self.parent.get(id(n))
            return "" if type(up) is ast.Call and up.func is n else "a lambda"
        if s.method:
            return "a method"
        if n.decorator_list:
            return "a decorated function"
        if isinstance(n, ast.AsyncFunctionDef):
            return "a coroutine"
        if any(isinstance(x, (ast.Yield, ast.YieldFrom, ast.Await)) for x in s.nodes):
            return "a generator"
        return ""

    def _shown(self, n: ast.AST) -> ast.AST:
        """What a message quotes for a use of the namespace: the subscript, the call it is an argument of, the
        method's call (`g['a_']`, `operator.setitem(g, ...)`, `g.update(...)`), rather than the name alone."""
        up = self.parent.get(id(n))
        if type(up) is ast.Attribute:
            call = self.parent.get(id(up))
            return call if type(call) is ast.Call and call.func is up else up
        return up if type(up) in (ast.Subscript, ast.Call, ast.AugAssign) else n

    def _only_named(self, n: ast.AST) -> bool:
        """`f()`, `f.__doc__`, `help(f)`, `callable(f)`, `@f` (a decorator runs where it stands): not handed to a
        caller."""
        up = self.parent.get(id(n))
        return type(up) is ast.Call and (up.func is n or type(up.func) is ast.Name and up.func.id in (
            "help", "callable", "print", "repr", "str", "id", "type", "isinstance", "hasattr", "display")) or \
            type(up) in (ast.Attribute, ast.Compare) or type(up) in (ast.If, ast.IfExp, ast.While) and up.test is n or \
            isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n in up.decorator_list


def _finalizers(tree: ast.Module) -> tuple[str, set[str], list[tuple[str, str]]]:
    """Read from the cell's code, not its words (a fairness review, 366: `# finalize the plots`, a generator beside the
    template's `with torch.no_grad()`, `setattr(args, ...)` had each made 135 honest drafts of 589 suspect): whether it
    gives objects code that runs as they are dropped (a `__del__`, set however; a weak reference's callback or a
    finalizer; a class made by `type(name, bases, ns)`, or whose body writes its own names by `locals()`, `vars()` or
    `exec`; `setattr` on a class of its own with a name that may be `__del__`), and its generators and coroutines that
    hold a `try` or a `with` (closing one runs its `finally`, its `except GeneratorExit`), and the names given another
    name (`h = g`: review 369, a generator called by another name)."""
    classes = {n.name for n in walk(tree) if isinstance(n, ast.ClassDef)}
    # (weakref's own functions, by the module's names or imported from it: not a plotting helper `finalize(ax, title)`
    # or `tracker.finalize()`, a fairness review, 368)
    weak_names = {a.asname or a.name for n in walk(tree) if type(n) is ast.Import for a in n.names
                  if a.name == "weakref"} | {"weakref"}
    weak_names |= {"." + (a.asname or a.name) for n in walk(tree) if type(n) is ast.ImportFrom and n.module == "weakref"
                   for a in n.names}
    if ".*" in weak_names:              # (`from weakref import *`: review 370)
        weak_names |= {".finalize", ".ref", ".proxy", ".WeakMethod"}
    weak_names |= {x.id for n in walk(tree) if type(n) is ast.Assign and type(n.value) is ast.Name and
                   n.value.id in weak_names for x in n.targets if type(x) is ast.Name}      # (`w = weakref`)
    found = ""
    closing: set[str] = set()
    renamed: list[tuple[str, str]] = []
    weak = {"finalize", "ref", "proxy", "WeakMethod"}
    # (weakref's functions under a name of the cell's: `from weakref import ref as wref`, `fz = weakref.finalize`)
    aliased = {a.asname: a.name for n in walk(tree) if type(n) is ast.ImportFrom and n.module == "weakref"
               for a in n.names if a.asname and a.name in weak}
    for n in walk(tree):
        if type(n) is ast.Assign and _weakref(n.value, weak_names) and word(n.value) in weak:
            aliased.update((x.id, word(n.value)) for x in n.targets if type(x) is ast.Name)
    for n in walk(tree):
        t = type(n)
        if t is ast.Assign and type(n.value) is ast.Name:
            renamed.extend((x.id, n.value.id) for x in n.targets if type(x) is ast.Name)
        if not found and t in (ast.Assign, ast.ImportFrom) and "finalize" in {aliased.get(x) for x in bound_by(n)}:
            # (a finalizer taken uncalled may be made anywhere: review 369's `as fz`; but a `proxy=None` parameter,
            # `args.finalize`, a helper `finish = finalize` are none: a fairness review, 371)
            found = f"weakref's `finalize` under another name on line {n.lineno}"
        if found and t not in (ast.FunctionDef, ast.AsyncFunctionDef):
            continue
        if t in (ast.FunctionDef, ast.AsyncFunctionDef):
            if n.name == "__del__":
                found = found or f"`__del__` on line {n.lineno}"
            own = list(within(n.body))
            # (a `yield from` closes what it delegates to: review 370)
            if (t is ast.AsyncFunctionDef or any(type(x) in (ast.Yield, ast.YieldFrom) for x in own)) and \
                    any(type(x) in (ast.Try, ast.TryStar, ast.With, ast.AsyncWith, ast.YieldFrom) for x in own):
                closing.add(n.name)
        elif t in (ast.Name, ast.Attribute) and type(n.ctx) is ast.Store and \
                (n.id if t is ast.Name else n.attr) == "__del__":
            found = f"`__del__` set on line {n.lineno}"
        elif t is ast.ClassDef:
            if any(type(x) is ast.Call and type(x.func) is ast.Name and x.func.id in ("locals", "vars", "exec")
                   for x in within(n.body)):
                found = f"the class `{n.name}` on line {n.lineno}, whose body writes its own names"
            elif any(word(b) in _CLOSED_BASES for b in n.bases) and any(
                    isinstance(x, (ast.FunctionDef, ast.AsyncFunctionDef)) for x in n.body):
                # (a library class's `__del__` calls what a subclass gives it: `io.IOBase`'s `close` and `closed`,
                # `zipfile.ZipFile`'s: review 370; not `nn.Module`, `Dataset` or `logging.Handler`, which have none:
                # a fairness review, 374)
                found = f"the class `{n.name}` on line {n.lineno}, whose methods its base's `__del__` may call"
        elif t is ast.Call:
            f = n.func
            name = aliased.get(word(f), word(f)) if type(f) is ast.Name else word(f)
            if name == "type" and len(n.args) == 3 and not (type(n.args[2]) is ast.Dict and all(
                    k is not None and folded(k) not in (None, "__del__") for k in n.args[2].keys)) or \
                    name in ("new_class", "__build_class__") or \
                    name in ("finalize", "ref", "proxy", "WeakMethod") and len(n.args) > 1 and (
                        _weakref(f, weak_names) or type(f) is ast.Name and f.id in aliased) or \
                    name in ("setattr", "__setattr__") and len(n.args) > 1 and (
                        type(n.args[0]) is ast.Name and n.args[0].id in classes or folded(n.args[1]) == "__del__") and \
                    "__del__".startswith(literal_start(n.args[1])):
                found = f"`{quoted(n)}` on line {n.lineno}"
    return found, closing, renamed


def _may_name_module(key: ast.AST | None) -> bool:
    """A key of `sys.modules` (or a module's name given to an importer) that is, or may be, a module whose names Python
    reads: `'__main__'`, `__name__`, `'builtins'`, or text computed (unknown)."""
    text = folded(key) if key is not None else None
    return text is None or text in ("__main__", "__name__", "builtins") or type(key) is ast.Name and key.id == "__name__"


def _spread(func: ast.AST) -> set[str]:
    a = getattr(func, "args", None)
    return {x.arg for x in (a.vararg, a.kwarg) if x is not None} if isinstance(a, ast.arguments) else set()


def _plain_rebound(tree: ast.Module) -> tuple[set[str], bool]:
    """The names of `_TRUSTED` the cell binds however it binds them (`for bool in ...`, `[all := f]`, `import x as
    any`: review 373; those written on the namespace or a module, `_Rebinds.add`), and whether it has a class
    of a library's kind with a `__del__` (an `np.ndarray` subclass's comparison gives one of its own objects: 373)."""
    bound: set[str] = set()
    compares = False
    # (a name bound in a class's body or a function's is theirs, unless declared `global`: a dataclass's field `all`,
    # a fairness review, 377; a comprehension's variable is its own)
    todo: list[ast.AST] = list(tree.body)
    while todo:
        n = todo.pop()
        t = type(n)
        if t not in _DECLARES:
            bound |= bound_by(n) & _TRUSTED     # `len = ...`, `import ... as len`, `except ... as len`, `case len:`
        if t in (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef):
            todo.extend(getattr(n, "decorator_list", ()))
        elif t is ast.comprehension:
            todo.extend((n.iter, *n.ifs))
        else:
            todo.extend(child_nodes(n))
    for n in walk(tree):
        t = type(n)
        if t is ast.Global:
            bound.update(x for x in n.names if x in _TRUSTED)
        elif t is ast.ClassDef:
            if any(not (type(b) is ast.Name and b.id == "object") for b in n.bases) and any(
                    isinstance(x, (ast.FunctionDef, ast.AsyncFunctionDef)) and x.name == "__del__" for x in n.body):
                compares = True
    return bound & _TRUSTED, compares


def _weakref(func: ast.AST, names: set[str]) -> bool:
    """`weakref.finalize`, `wr.ref` (`import weakref as wr`), or `finalize` imported from weakref."""
    if type(func) is ast.Attribute:
        return type(func.value) is ast.Name and func.value.id in names
    return type(func) is ast.Name and "." + func.id in names


def _names_source(node: ast.AST, dotted: bool = False) -> bool:
    """A string that names (or holds the name of) what gives the namespace: `'__globals__'`, `'__glo' + 'bals__'`,
    `''.join(['__glo', 'bals__'])`, `'0.__globals__'` (a field of `string.Formatter`)."""
    text = folded(node)
    if text is None and type(node) is ast.Call and type(node.func) is ast.Attribute and node.func.attr == "join" and \
            type(node.func.value) is ast.Constant and len(node.args) == 1 and type(node.args[0]) in (ast.List, ast.Tuple):
        parts = [folded(e) for e in node.args[0].elts]
        text = node.func.value.value.join(parts) if all(isinstance(p, str) for p in parts) and \
            isinstance(node.func.value.value, str) else None
    if not isinstance(text, str):
        return False
    return text in _SOURCE_NAMES or any(name in text for name in ("__globals__", "f_globals", "user_ns", "f_locals")) or \
        dotted and text.split(".")[0] in ("__main__", "builtins") and len(text.split(".")) > 1


_TAIL = 32       # characters of a text's end past which a new part cannot complete the name of a source


def _chain_names_source(top: ast.BinOp) -> bool:
    """`_names_source` of each prefix of a chain of `+` (`'__glo' + 'bals__' + x` names one, the whole does not fold),
    read in one pass up the chain: each part with the last characters before it, not each prefix whole."""
    spine = []
    node: ast.AST = top
    while type(node) is ast.BinOp and type(node.op) is ast.Add:
        spine.append(node)
        node = node.left
    first = folded(node)
    if not isinstance(first, str):
        return _names_source(top) if not spine else False
    tail, size = first[-_TAIL:], len(first)
    if _names_source(node):
        return True
    for link in reversed(spine):
        right = folded(link.right)
        if not isinstance(right, str):
            return False
        joined = tail + right
        size += len(right)
        tail = joined[-_TAIL:]
        if any(name in joined for name in ("__globals__", "f_globals", "user_ns", "f_locals")) or \
                size <= _TAIL and joined[-size:] in _SOURCE_NAMES:
            return True
    return False


def _surely_plain(value: ast.AST, comparers: bool, rebound: frozenset[str] = frozenset()) -> bool:
    """A value that is a bool or a literal whatever the names in it hold: a comparison (but where the notebook defines
    how its objects compare), `not x`, `bool(...)`, `isinstance(...)`, `all(...)`: a draft of an answer, not an object
    with a finalizer (a fairness review, 364: `a_ = scores[0] > scores[1]` beside `gc.collect()`)."""
    t = type(value)
    if t is ast.Compare:
        # (operands that are Python's own values compare as Python's own, whatever the notebook's classes: `0.95 >
        # 0.91`, `len(xs) > 2`, a fairness review, 377)
        return not comparers or all(_own_value(x, rebound) for x in (value.left, *value.comparators))
    if t is ast.UnaryOp and type(value.op) is ast.Not:
        return True
    if t is ast.Call and type(value.func) is ast.Name and value.func.id in _PLAIN_CALLS and \
            value.func.id not in rebound:
        return True
    if t is ast.Call and type(value.func) is ast.Attribute and value.func.attr in _PLAIN_METHODS and not comparers and \
            value.func.attr not in rebound:
        return True     # `np.allclose(x, y)`, `(acc[1] > acc[0]).item()` (review 367's false flags)
    if t is ast.BoolOp:
        return all(_surely_plain(v, comparers, rebound) for v in value.values)
    if t is ast.IfExp:
        return _surely_plain(value.body, comparers, rebound) and _surely_plain(value.orelse, comparers, rebound)
    if t in (ast.Tuple, ast.List):      # `a_, b_ = x > y, y > 0.9`
        return all(_surely_plain(e, comparers, rebound) for e in value.elts)
    return _constant(value)


def _written_keys(it: ast.AST, rebound: frozenset[str]) -> set[str] | None:
    """The strings a loop over this gives first: `('a', 'b')`, `['a']`, `{'a': 1}`, `{'a': 1}.items()` / `.keys()`, and
    `dict(lr=...)` where the notebook does not bind `dict` again (review 380)."""
    if type(it) is ast.Call and type(it.func) is ast.Attribute and it.func.attr in ("items", "keys") and not it.args:
        it = it.func.value
    if type(it) is ast.Call and type(it.func) is ast.Name and it.func.id == "dict" and "dict" not in rebound and \
            not it.args and all(k.arg is not None for k in it.keywords):
        return {k.arg for k in it.keywords} or None
    if type(it) is ast.Dict:
        elts = it.keys
    elif type(it) in (ast.List, ast.Tuple, ast.Set):
        elts = it.elts
    else:
        return None
    texts = [folded(e) if e is not None else None for e in elts]
    if not texts or any(not isinstance(t, str) for t in texts):
        return None
    return set(texts)


def _literal_end(node: ast.AST) -> str:
    """The text a computed string surely ends with (`k + '_'`, `f'{k}_'`: '_'; a fairness review, 371: such a key was
    read as one that may be `NameError`)."""
    if type(node) is ast.BinOp and type(node.op) is ast.Add:
        return folded(node.right) or ""
    if type(node) is ast.JoinedStr and node.values and type(node.values[-1]) is ast.Constant:
        return str(node.values[-1].value)
    if type(node) is ast.Call and type(node.func) is ast.Attribute and node.func.attr == "format" and \
            type(node.func.value) is ast.Constant and isinstance(node.func.value.value, str):
        return node.func.value.value.rsplit("}", 1)[-1]     # (`'{}_acc'.format(name)`: a fairness review, 382)
    return ""


def _own_value(node: ast.AST, rebound: frozenset[str]) -> bool:
    """A literal, or what `len`, `float`, `int` or `str` give (never an object of the notebook's)."""
    if type(node) is ast.Call and type(node.func) is ast.Name and node.func.id in ("len", "float", "int", "str"):
        return node.func.id not in rebound
    return _constant(node)


def _writer_ref(node: ast.AST) -> bool:
    """A function that writes a mapping, named but not called: `dict.update`, `operator.setitem`, `g.__setitem__`."""
    return type(node) is ast.Attribute and node.attr in _MUTATORS | {"setitem", "__setattr__", "setattr"} or \
        type(node) is ast.Name and node.id in ("setattr", "setitem", "exec")


def _constant(value: ast.AST) -> bool:
    """A value that is no object of the notebook's: literals, and tuples and lists of them (`None`, `-1`, `(1, 'x')`)."""
    return all(type(x) in (ast.Constant, ast.Tuple, ast.List, ast.UnaryOp, ast.USub, ast.UAdd, ast.Not, ast.Load)
               for x in within([value]))


def _deps(value: ast.AST) -> list[str]:
    """The names and attributes whose being held makes this value held."""
    t = type(value)
    if t is ast.Name:
        return [value.id]
    if t is ast.Attribute:
        return ["." + value.attr] + _deps_shallow(value.value)
    if t is ast.Call:
        return _deps_shallow(value.func) + [d for a in value.args[:1] for d in _deps_shallow(a)]
    if t is ast.NamedExpr:
        return _deps_shallow(value.value)
    if t is ast.Subscript:                  # (`a[0]` of a `*a` given one: review 373)
        return _deps_shallow(value.value)
    return []


def _deps_shallow(node: ast.AST) -> list[str]:
    t = type(node)
    if t is ast.Name:
        return [node.id]
    if t is ast.Attribute:
        return ["." + node.attr]
    return []


def _written_key(method: str, args: list, call) -> ast.AST | list | None:
    """The key (or keys) a call that writes a mapping writes: `.update(a=1)`, `.update({'x': 1})`, a comprehension's
    key, `dict(...)`'s keywords; None where they cannot be read."""
    if method in ("update", "__ior__", "push", "__init__"):
        keys: list = []
        for k in getattr(call, "keywords", ()) or ():
            if k.arg is None:
                return None
            keys.append(ast.Constant(k.arg))
        for a in args:
            if type(a) is ast.Dict:
                if any(k is None for k in a.keys):
                    return None
                keys.extend(a.keys)
            elif type(a) is ast.DictComp:
                keys.append(a.key)
            elif type(a) is ast.Call and type(a.func) is ast.Name and a.func.id == "dict" and not a.args and \
                    all(k.arg is not None for k in a.keywords):
                keys.extend(ast.Constant(k.arg) for k in a.keywords)
            else:
                return None
        return keys
    if method in ("pop", "clear", "popitem"):
        return [] if method == "pop" and not args else (args[0] if method == "pop" else None)
    return args[0] if args else None
