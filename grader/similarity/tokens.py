"""Student code and written answers as normalised token streams that remember where each token
came from, so that a match found in the normal form can be shown in the original text.

Code is filtered the way copydetect's ``filter_code`` does it: comments and layout vanish and
names become ``V`` (functions ``F``, classes ``O``). Unlike copydetect we replace only the names
the *student* defined (variables, parameters, attributes set on ``self``, helper functions):
``nn.Linear``, ``view`` or ``plt.plot`` stay as they are. In an assignment this small, renaming
the library's names too makes every solution read ``V.V(V.V(V))``; keeping them is what tells
``x.view(x.size(0), -1)`` from ``torch.flatten(x, 1)``, while a copier's renamed variables still
read the same. A string keeps its words (plot labels survive copying), and every spelling of an
activation reads ``ACT``. Python's own tokenizer reads the code, Pygments (copydetect's lexer)
what it refuses. (``copydetect`` mode gives copydetect's own filter, for the bench.)

Student code is only ever tokenised and parsed here, never run.
"""
from __future__ import annotations

import ast
import bisect
import hashlib
import io
import keyword
import re
import unicodedata
import tokenize
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pygments import lexers, token

from ..answer_text import normalise
from ..checks.literals import constant_truth, evaluated_literals
from ..syntax import walk

# Names Python and PyTorch give: never the student's own. The assignment's own names (the classes
# and functions a task asks for, the provided cells' names) come from the spec (``Settings``).
GENERIC = frozenset({"self", "cls", "super", "forward", "__init__"})


@dataclass(frozen=True)
class Stream:
    """A normalised token sequence: one symbol (a stable 64-bit id) per token, and for each the
    span of the original text it stands for."""
    tokens: tuple[str, ...]  # the normal form, for people and tests ("V", "nn", "Linear", ...)
    symbols: np.ndarray      # uint64, one per token
    start: np.ndarray        # int64, raw start offset of each token
    end: np.ndarray          # int64, raw end offset of each token

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def raw_span(self, a: int, b: int) -> tuple[int, int]:
        """Original [start, end) of tokens a..b-1."""
        return int(self.start[a]), int(self.end[b - 1])

    @staticmethod
    def of(tokens: list[str], starts: list[int], ends: list[int]) -> "Stream":
        return Stream(tuple(tokens), np.array([symbol(t) for t in tokens], dtype=np.uint64),
                      np.asarray(starts, np.int64), np.asarray(ends, np.int64))


@lru_cache(maxsize=65536)
def symbol(token_text: str) -> int:
    """A token's stable id (the same in every run and process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(token_text.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little")


BROKEN_DEFS = re.compile(r"^[^\S\n]*(?:def|class)\s+(\w+)|^[^\S\n]*(\w+)\s*=", re.M)
ACTIVATIONS = frozenset({"relu", "sigmoid", "ReLU", "Sigmoid"})
LIBRARIES = frozenset({"torch", "nn", "F", "functional"})


# A library's module reads as its conventional name where it stands alone (``import torch.nn as
# tnn`` reads ``import nn as nn``), and what it holds as that thing's own name: ``nn.Linear``,
# ``tnn.Linear`` (``tnn`` imported as ``torch.nn``), ``torch.nn.Linear`` and ``Linear`` (imported
# from ``torch.nn``, also by ``*``) all read ``Linear``. A copier who imports the libraries under
# other names, or all of them by ``*``, changes no token (review 391 hid a copy so: 96 % down to
# 56 %; review 392 by ``from torch.nn import *``: to 44 %).
MODULES = {"torch": "torch", "torch.nn": "nn", "torch.nn.functional": "F", "torch.optim": "optim",
           "numpy": "np", "matplotlib.pyplot": "plt", "pandas": "pd"}
CONVENTIONAL = {name: path for path, name in MODULES.items()}       # ``nn`` where the template imported it
_DEEPEST = max(p.count(".") + 1 for p in MODULES)


@dataclass(frozen=True)
class Names:
    """What a student named: their own names (normalised away), among them the ones bound to an
    activation (``self.act = nn.ReLU()``), which read as the activation itself, and the names
    their imports bind with the dotted path each stands for (``tnn``: ``torch.nn``)."""
    own: frozenset[str]
    activations: frozenset[str] = frozenset()
    imported: tuple[tuple[str, str], ...] = ()

    @property
    def paths(self) -> dict[str, str]:
        return dict(self.imported)


def _imported(node: ast.AST) -> list[tuple[str, str]]:
    """The names an import binds and the dotted path each stands for: ``import torch.nn as tnn``
    (``tnn``: ``torch.nn``), ``from torch import nn as N`` (``N``: ``torch.nn``); a plain
    ``import torch.nn`` binds ``torch`` as itself, and a relative or ``*`` import nothing known."""
    if isinstance(node, ast.Import):
        return [(a.asname, a.name) for a in node.names if a.asname]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [(a.asname or a.name, f"{node.module}.{a.name}") for a in node.names if a.name != "*"]
    return []


def module_path(chain: list[str], paths: dict[str, str]) -> list[str] | None:
    """A dotted chain that starts at a module of ``MODULES``, as it reads: the module's conventional
    name followed by the rest (``['tnn', 'Linear']``, ``tnn`` imported as ``torch.nn``, and
    ``['torch', 'nn', 'Linear']`` are ``['nn', 'Linear']``); None where it starts at no module."""
    head = paths.get(chain[0]) or CONVENTIONAL.get(chain[0])
    if head is None:
        return None
    parts = head.split(".") + chain[1:]
    # (no deeper than a module of ``MODULES``: every prefix of a chain of 50,000 parts joined held `grader
    # similarity` 16 s a cell, review 404)
    for n in range(min(len(parts), _DEEPEST), 0, -1):
        known = MODULES.get(".".join(parts[:n]))
        if known is not None:
            return [known] + parts[n:]
    return None


def _is_activation(node: ast.AST, activations: frozenset[str]) -> bool:
    """``nn.ReLU()`` (a module built) or ``torch.sigmoid`` (a function named, not called)."""
    called = isinstance(node, ast.Call)
    if called:
        node = node.func
    last = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
    return last in activations and (not called or last[:1].isupper())


def student_names(sources: list[str], activations: frozenset[str] = ACTIVATIONS,
                  given: frozenset[str] = frozenset()) -> Names:
    """Every name the student defines across their code: assignment and loop targets, parameters,
    functions, classes and attributes set on ``self``; not the names the assignment ``given``
    (``ANN_relu``, ``train_loader``) nor import aliases (``np`` names a library, not the
    student's work). Cells that do not parse (students hand in broken code) fall back to a
    pattern for ``name =`` and ``def name``."""
    names: set[str] = set()
    acts: set[str] = set()
    imported: dict[str, str] = {}
    chains: dict[str, list[list[str]]] = {}     # `Lin = nn.Linear`: a library's thing under a name of one's own
    binds: dict[str, int] = {}
    for src in sources:
        try:
            tree = ast.parse(src)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            names.update(n for pair in BROKEN_DEFS.findall(src) for n in pair if n)
            names.update(re.findall(r"\bself\.(\w+)\s*=", src))
            continue
        for node in walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                names.add(node.id)
                binds[node.id] = binds.get(node.id, 0) + 1
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                  and isinstance(node.value, ast.Name) and node.value.id == "self"):
                names.add(node.attr)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                imported.update(_imported(node))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
                parts = _flat(node.args)                # `setattr(self, 'fc1', ...)` is `self.fc1 = ...`
                if len(parts) == 3 and isinstance(parts[0], ast.Name) and parts[0].id == "self" and \
                        _attribute_name(parts[1]) is not None:
                    names.add(parts[1].value)
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                chain = _chain(node.value)
                if chain:
                    chains.setdefault(node.targets[0].id, []).append(chain)
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and _is_activation(node.value, activations):
                t = node.targets[0]
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                    acts.add(t.attr)
                elif isinstance(t, ast.Name):
                    acts.add(t.id)
    # ... nor a name only ever bound to one library thing (`Lin = nn.Linear`, `SGD = optim.SGD`, in each cell): it
    # reads as that thing (review 394 hid a copy so: 92 % down to 74 %, unflagged); an activation stays one
    for _ in range(2):                      # (`T = torch` then `flat = T.flatten`)
        for name, bound in chains.items():
            chain = bound[0]
            module = module_path(chain, imported) if binds.get(name) == len(bound) and name not in acts and all(
                c == chain for c in bound) else None
            if module is not None:
                imported[name] = ".".join([CONVENTIONAL[module[0]], *module[1:]])
    own = frozenset(names - GENERIC - given - {n for n in chains if n in imported})
    return Names(own, frozenset(acts) & own, tuple(sorted((k, v) for k, v in imported.items() if k not in own)))


def _chain(node: ast.AST) -> list[str] | None:
    """``nn.Linear`` as ``['nn', 'Linear']``; None for anything but names joined by dots."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else None


@lru_cache(maxsize=1)
def _lexer():
    return lexers.get_lexer_by_name("python3")


def _raw_tokens(source: str) -> list[list]:
    """[kind, text, start, end] per token (kind: string, class, function, name, other): comments
    and layout dropped, each string literal one token (pieces, implicit concatenation and f-string
    fields merged), operators one character each. Python's own tokenizer reads the cell (four
    times faster than Pygments); a cell it refuses, as broken hand-ins are, goes to Pygments,
    which reads anything. Both give the same tokens for code either can read."""
    out = _plain_tokens(source)
    # (grouping brackets go first, which the plain spellings of the detours do not have: `getattr((a), 'b')`; and again
    # after, for what a detour held: `f(*((a)))`)
    try:
        grouped = _without_grouping(_without_noops(_without_idle_statements(out, source), source))
        read = _without_detours(grouped, source)
        return read if read is grouped else _without_grouping(read)
    except (RecursionError, MemoryError):
        # a cell the readings cannot take is compared as its tokens: one student's cell never stops the class's run
        # (review 411: a chain of 250 `elif`s, a RecursionError that ended `grader similarity` for everyone)
        return _plain_tokens(source)


def _plain_tokens(source: str) -> list[list]:
    """The tokens with strings, names and numbers read as Python reads them; no reading of the tree."""
    try:
        out = _stdlib_tokens(source)
    except (tokenize.TokenError, SyntaxError, ValueError):
        out = _pygments_tokens(source)
    for t in out:
        if t[0] == "string":
            t[1] = _string_token(source[t[2]:t[3]])
        elif t[0] != "other" and not t[1].isascii():
            t[1] = unicodedata.normalize("NFKC", t[1])     # as Python reads a name: 𝐧n is nn
        elif t[0] == "other" and t[1][:1].isdigit():
            t[1] = _number(t[1])
    return out


def _number(text: str) -> str:
    """A number as Python reads it: `0x200` is `512`, `1e-2` is `0.01`, `1_000` is `1000` (review 398 wrote
    numbers otherwise)."""
    try:
        value = ast.literal_eval(text)
        return repr(value) if isinstance(value, (int, float, complex)) else text
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


_IDLE = (ast.Constant, ast.UnaryOp, ast.BinOp, ast.BoolOp, ast.Compare, ast.Tuple, ast.List, ast.Set, ast.Dict,
         ast.JoinedStr, ast.FormattedValue, ast.IfExp, ast.Subscript, ast.Slice, ast.Lambda, ast.arguments,
         ast.expr_context, ast.unaryop, ast.operator, ast.boolop, ast.cmpop)
# Calls of Python's own that, on literals alone, change nothing (`print(end="")`, `str()`: review 400; `min(0, 0)`,
# `isinstance(0, int)`: review 404)
_IDLE_CALLS = frozenset({"print", "str", "int", "float", "bool", "len", "list", "tuple", "dict", "set", "repr", "abs",
                         "min", "max", "sum", "round", "range", "isinstance", "type", "id", "hash", "sorted", "reversed",
                         "any", "all", "chr", "ord", "complex", "bytes", "frozenset", "object"})
_THROWAWAY = re.compile(r"_+\Z")
_LITERALS = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.JoinedStr)


def _idle(node: ast.AST) -> bool:
    """An expression of literals and operators alone (a choice of them, an item of one), or such a call of Python's
    own on them, or of a literal's method (`''.join([])`)."""
    for n in walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            if not (isinstance(f, ast.Name) and f.id in _IDLE_CALLS or isinstance(f, ast.Lambda) or
                    isinstance(f, ast.Attribute) and isinstance(f.value, _LITERALS)):
                return False
        elif isinstance(n, ast.keyword):
            continue
        elif isinstance(n, ast.Attribute):
            if not isinstance(n.value, _LITERALS):          # `0 .real`, `{}.get`: a literal's
                return False
        elif not isinstance(n, _IDLE) and not (isinstance(n, ast.Name) and n.id in _IDLE_CALLS and
                                              isinstance(n.ctx, ast.Load)):
            return False
    return True


def _named_only(node: ast.AST) -> bool:
    """A name or a chain of attributes of one, named and not called (`__name__`, `torch.nn`)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _nothing(nodes: list[ast.AST], known: dict[int, bool] | None = None) -> bool:
    return all(isinstance(n, ast.Pass) or _idle_statement(n, known) for n in nodes)


def _idle_statement(node: ast.AST, known: dict[int, bool] | None = None) -> bool:
    """A statement that computes nothing: an idle expression (`(0)`, `-1`, `print(end="")`, `0 if 0 else 0`), a name
    or an attribute chain named alone (`__name__`, `torch.nn`), an idle value given to a throwaway name (`_ = 0`,
    `__: int = 0`, `_ += 0`) or to nothing (`[] = []`), `assert` of either, a block of nothing under a literal test
    (`if 0: pass`, `while 0: pass`, `for _ in (): pass`), `del []`, `global __`: filler (reviews 398, 400 and 404 put
    one after every line of a copy: 0.92 down to 0.23, 0.87 to 0.06, 0.95 to 0.33). ``known``: what was read of the
    cell's blocks so far (each link of an `elif` chain is a statement of its own too)."""
    if known is not None and id(node) in known:
        return known[id(node)]
    if isinstance(node, ast.Expr):
        return _named_only(node.value) or _idle(node.value)
    if isinstance(node, ast.Assign):
        return all(isinstance(x, ast.Name) and _THROWAWAY.match(x.id) or isinstance(x, (ast.Tuple, ast.List))
                   and not x.elts for x in node.targets) and _idle(node.value)
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return isinstance(node.target, ast.Name) and _THROWAWAY.match(node.target.id) is not None and (
            node.value is None or _idle(node.value))
    if isinstance(node, ast.Assert):
        return (_named_only(node.test) or _idle(node.test)) and (node.msg is None or _idle(node.msg))
    if isinstance(node, (ast.If, ast.While)):
        # (an `elif` chain read link by link, not by recursion: review 411 put `if 0: pass` and 250 `elif 0: pass` in a
        # cell, and the recursion stopped `grader similarity` for the whole class)
        # ... from its last link back, each link's answer kept (read from each link down, 2,500 `elif`s took 5 s)
        links = [node]
        while isinstance(links[-1], ast.If) and len(links[-1].orelse) == 1 and isinstance(links[-1].orelse[0], ast.If) \
                and (known is None or id(links[-1].orelse[0]) not in known):
            links.append(links[-1].orelse[0])
        last = links[-1]
        idle = known[id(last.orelse[0])] if known is not None and len(last.orelse) == 1 and id(last.orelse[0]) in known \
            else _nothing(last.orelse, known)
        for link in reversed(links):
            idle = idle and _idle(link.test) and _nothing(link.body, known)
            if known is not None:
                known[id(link)] = idle
        return idle
    if isinstance(node, ast.For):
        return isinstance(node.iter, (ast.Tuple, ast.List)) and not node.iter.elts and isinstance(
            node.target, ast.Name) and _nothing(node.body, known) and _nothing(node.orelse, known)
    if isinstance(node, ast.Delete):
        return all(isinstance(x, (ast.Tuple, ast.List)) and not x.elts for x in node.targets)
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return all(_THROWAWAY.match(n) for n in node.names)
    return False


# Where a type annotation may stand: `x: int = 0`, `self.a: object = v`, `def f(x: int) -> float` (a cell without
# one is not parsed again for them)
_ANNOTATION = re.compile(r"->|^[ \t]*[\w.]+[ \t]*:[ \t]*[^\s#]|\bdef[ \t]+\w+[ \t]*\([^)\n]*:", re.M)
# Where a statement that computes nothing may start (`_idle_statement`): a literal, a bracket or an operator, a few
# words, a throwaway name, a call of Python's own, a name or a chain of them alone on its line, a test of literals (a
# cell without one, most model cells, is not parsed again)
_MAYBE_IDLE = re.compile(r"(?:^|[;:])[ \t]*(?:[-+~(\[{\d'\"]|\.\.\.|(?:not|lambda|assert|del|global|nonlocal)\b|"
                         r"(?:if|while)[ \t(]+(?:\d|True\b|False\b|None\b|not\b|['\"(\[{])|for[ \t]+\w+[ \t]+in[ \t]*[(\[]|"
                         r"_+[ \t]*[^\w\s]|(?:" + "|".join(sorted(_IDLE_CALLS)) + r")[ \t]*\(|[\w.]+[ \t]*(?:#[^\n]*)?$)", re.M)
_IMPORT_LINE = re.compile(r"^[ \t]*(?:import|from)[ \t][^\n]*", re.M)


def _may_hold_idle(source: str) -> bool:
    """Might this cell hold a statement that computes nothing, a type annotation or an import written twice?"""
    if _MAYBE_IDLE.search(source) or _ANNOTATION.search(source):
        return True
    imports = [m.group().strip() for m in _IMPORT_LINE.finditer(source)]
    return len(imports) != len(set(imports))


def _annotation_spans(node: ast.AST, source: str, at) -> list[tuple[int, int]]:
    """The text of a node's type annotations, with their `:` or `->`: what Python does not run reads as nothing
    (review 404: `x: object = v` for every `x = v` of a copy, 0.95 down to 0.72; type hints are a student's
    choice, not their work). A bare annotation (`x: int`) is the whole statement. ``at``: a place in the text of a
    line and a column of the tree's."""
    out = []
    if isinstance(node, ast.AnnAssign):
        if node.value is None:
            out.append((at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)))
        else:
            out.append((at(node.target.end_lineno, node.target.end_col_offset),
                        at(node.annotation.end_lineno, node.annotation.end_col_offset)))
    elif isinstance(node, ast.arg) and node.annotation is not None:
        out.append((at(node.lineno, node.col_offset) + len(node.arg),
                    at(node.annotation.end_lineno, node.annotation.end_col_offset)))
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
        begin = at(node.returns.lineno, node.returns.col_offset)
        arrow = source.rfind("->", at(node.lineno, node.col_offset), begin)
        if arrow >= 0:
            out.append((arrow, at(node.returns.end_lineno, node.returns.end_col_offset)))
    return out


def _statements(tree: ast.Module, args: bool):
    """Every statement of the cell, in blocks too, in the order written; with ``args``, each function's arguments
    after it (statements and arguments are where filler and annotations stand: expressions are not walked)."""
    todo = list(reversed(tree.body))
    while todo:
        n = todo.pop()
        yield n
        if args and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = n.args
            yield from (x for x in (*a.posonlyargs, *a.args, a.vararg, *a.kwonlyargs, a.kwarg) if x is not None)
        inner = [*getattr(n, "body", ()), *getattr(n, "orelse", ()), *getattr(n, "finalbody", ())]
        inner += [s for h in getattr(n, "handlers", ()) for s in h.body]
        inner += [s for c in getattr(n, "cases", ()) for s in c.body]
        todo.extend(reversed([s for s in inner if isinstance(s, ast.stmt)]))


def _places(source: str, starts: list[int]):
    """``at(line, col)``: the place in the text of a line and a column of the tree's, which counts UTF-8 bytes (review
    406: a statement with `# é` after it was left as it was, and `_ = 0  # é` after every line hid a copy again)."""
    chars: dict[int, bytes] = {}

    def at(line: int, col: int) -> int:
        begin = starts[line - 1]
        if col == 0:
            return begin
        if line not in chars:
            chars[line] = source[begin:starts[line] if line < len(starts) else len(source)].encode("utf-8", "surrogatepass")
        text = chars[line]
        return begin + (col if text.isascii() else len(text[:col].decode("utf-8", "ignore")))
    return at


def _without_idle_statements(raw: list[list], source: str) -> list[list]:
    """Statements that compute nothing read as nothing (`_idle_statement`), and so do type annotations
    (`_annotation_spans`). Where the cell parses; a statement that names or calls anything else stays (`_ = x`,
    `print(loss)`)."""
    annotated = _ANNOTATION.search(source) is not None
    if not raw or not _may_hold_idle(source):
        return raw
    if "\r" in source:
        return raw          # (Python's parser counts a lone `\r` as a line break, the tokens' lines do not)
    tree = _tree(source)
    if tree is None:
        return raw
    starts = _line_starts(source)
    at = _places(source, starts)
    spans = []
    known: dict[int, bool] = {}
    imports: set[str] = set()       # an import written again reads as nothing (`import torch` after every line)
    for node in _statements(tree, annotated):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            seen = ast.dump(node)
            if seen not in imports:
                imports.add(seen)
                continue
        if getattr(node, "end_lineno", None) is None or getattr(node, "end_col_offset", None) is None:
            continue
        idle = isinstance(node, ast.stmt) and (_idle_statement(node, known) or isinstance(node, (ast.Import,
                                                                                                 ast.ImportFrom)))
        if not idle and not (annotated and isinstance(node, (ast.AnnAssign, ast.arg, ast.FunctionDef,
                                                             ast.AsyncFunctionDef))):
            continue
        if node.end_lineno >= len(starts):
            continue
        if idle:
            spans.append((at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)))
        else:
            spans.extend(_annotation_spans(node, source, at))
    if not spans:
        return raw
    # one pass over the tokens and the sorted spans (review 400: every token against every span, 14 s a cell)
    spans.sort()
    out, k = [], 0
    for tok in raw:
        while k < len(spans) and spans[k][1] <= tok[2]:
            k += 1
        if not (k < len(spans) and spans[k][0] <= tok[2] < spans[k][1]):
            out.append(tok)
    return out


@lru_cache(maxsize=4)
def _tree(source: str) -> ast.Module | None:
    """The cell's syntax tree, for the steps that read it (parsed once for both; never changed by them)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# Where code written the long way round may stand (`_without_detours`): `getattr(`/`setattr(`, a star or two before a
# bracket or a call in a call, a test or a loop's list of literals, a block that runs its body once (`try`, `match`,
# `with nullcontext()`), a lambda called where it stands. A cell without one is not parsed for them; each pattern is
# looked for only where a plain word of it stands (the patterns alone cost 5 % of the class's fingerprints). Line
# breaks and continuations may stand between the words (review 411: `f(\n *(a, b))` as a formatter writes it).
_GETTERS = re.compile(r"\b[gs]etattr[\s\\]*\(")
_STARRED = re.compile(r"[(,][\s\\]*\*\*?[\s\\]*(?:[(\[{]|(?:list|tuple|dict)[\s\\]*\()")
_LITERAL_TEST = re.compile(r"\b(?:if|elif|while)[\s\\(]+(?:[^\w\s\\(]|\d|(?:True|False|None|not|__debug__|bool|int|float|complex|[bBrRuUfF]{1,2}(?=['\"]))\b)")
# (a loop over a throwaway name, or over what is empty: `for epoch in range(...)`, in most training cells, is neither)
_ONE_TURN = re.compile(r"\bfor[\s\\]+_+[\s\\]+in\b|\bfor[\s\\]+\w+[\s\\]+in[\s\\]*(?:\([\s\\]*\)|\[[\s\\]*\]|''|\"\"|"
                       r"range[\s\\]*\([\s\\]*0[\s\\]*\))")
_ONCE = re.compile(r"\btry[\s\\]*:|^[ \t]*match\b[^\n]*:[ \t]*(?:#[^\n]*)?$|\bnullcontext\b|\blambda[\s\\]*:", re.M)


def _may_detour(source: str) -> bool:
    return "etattr" in source and _GETTERS.search(source) is not None or \
        "*" in source and _STARRED.search(source) is not None or \
        ("if" in source or "while" in source) and _LITERAL_TEST.search(source) is not None or \
        "for" in source and _ONE_TURN.search(source) is not None or \
        ("try" in source or "match" in source or "nullcontext" in source or "lambda" in source) and \
        _ONCE.search(source) is not None


def _attribute_name(node: ast.AST) -> str | None:
    """The name a string literal gives an attribute or a keyword (`'fc1'`, `f'fc1'`), None where it gives none."""
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        node = ast.Constant("".join(str(v.value) for v in node.values))
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier() \
            and not keyword.iskeyword(node.value):
        return node.value
    return None


def _flat(args: list[ast.expr]) -> list[ast.expr]:
    """A call's arguments with every star of a tuple or a list written out read as its items (`f(*(a,), b)`)."""
    out: list[ast.expr] = []
    for a in args:
        if isinstance(a, ast.Starred) and isinstance(a.value, (ast.Tuple, ast.List)):
            out.extend(a.value.elts)
        else:
            out.append(a)
    return out


def _dict_items(node: ast.Dict) -> list[tuple[ast.expr | None, ast.expr]]:
    """A dict's items, those of a dict written out inside it (`{**{'k': v}}`) read as its own."""
    out: list[tuple[ast.expr | None, ast.expr]] = []
    for key, value in zip(node.keys, node.values):
        if key is None and isinstance(value, ast.Dict) and value.keys and None not in value.keys:
            out.extend(zip(value.keys, value.values))
        else:
            out.append((key, value))
    return out


def _place_before(node: ast.Dict, k: int, begin, end) -> int:
    """Where the text between a dict's item ``k`` and the one before it starts (its `{` for the first)."""
    return begin(node) if k == 0 else end(node.values[k - 1])


def _literal_truth(test: ast.AST) -> bool | None:
    """The truth of a test made of literals (`True`, `1 == 1`, `not 0`, `'x'`, `__debug__`), None for any other."""
    flip = False
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        flip, test = not flip, test.operand
    if isinstance(test, ast.Name) and test.id == "__debug__":
        return not flip
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id in _SAME_TRUTH and \
            len(test.args) == 1 and not test.keywords:
        test = test.args[0]                 # `bool(1)`, `int(True)`: the truth of what they are given
    truth = constant_truth(test)
    return None if truth is None else truth != flip


_SAME_TRUTH = frozenset({"bool", "int", "float", "complex"})


def _turns(it: ast.expr) -> int | None:
    """How many turns a loop over this takes, where it is written out: a literal sequence, set, dict or string, a
    `range` of literal numbers (None: not plain)."""
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and not it.keywords \
            and 1 <= len(it.args) <= 3:
        values = [evaluated_literals(a) for a in it.args]
        if all(v is not None and isinstance(v[0], int) for v in values):
            try:
                return len(range(*(v[0] for v in values)))
            except (ValueError, OverflowError):
                return None
        return None
    if isinstance(it, (ast.Tuple, ast.List, ast.Set)) and not any(isinstance(e, ast.Starred) for e in it.elts):
        return len(it.elts) if len(it.elts) <= 1 else None
    if isinstance(it, ast.Dict) and None not in it.keys:
        return len(it.keys) if len(it.keys) <= 1 else None
    if isinstance(it, ast.Constant) and isinstance(it.value, (str, bytes)):
        return len(it.value)
    return None


def _ends_in_break(body: list[ast.stmt]) -> bool:
    """A loop's body that ends in `break`, with no other `break` or `continue` of its own: it runs once."""
    if not body or not isinstance(body[-1], ast.Break):
        return False
    todo = list(body[:-1])
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.Break, ast.Continue)):
            return False
        if not isinstance(n, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                              ast.Lambda)):
            todo.extend(ast.iter_child_nodes(n))
    return True


def _empty(stmts: list[ast.stmt]) -> bool:
    return all(isinstance(n, ast.Pass) or isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in stmts)


def _catches_nothing(handler: ast.ExceptHandler) -> bool:
    return isinstance(handler.type, ast.Tuple) and not handler.type.elts


def _null_context(item: ast.withitem) -> bool:
    """`nullcontext()` however reached (`contextlib.nullcontext()`, `__import__('contextlib').nullcontext()`)."""
    call = item.context_expr
    if item.optional_vars is not None or not isinstance(call, ast.Call) or call.args or call.keywords:
        return False
    f = call.func
    return isinstance(f, ast.Name) and f.id == "nullcontext" or isinstance(f, ast.Attribute) and f.attr == "nullcontext"


def _runs_once(node: ast.stmt) -> list[ast.stmt] | None:
    """The statements a block surely runs, once and in its place, where the rest of it is a detour: the branch a test
    of literals takes (`if True:`, `if 1 == 1:`, `if __debug__:`, `elif True:` after `if False: pass`), a loop's body
    of one turn over a throwaway name (`for _ in range(1):`, `for _ in 'x':`, `while True: ...; break`), a loop's
    `else` where the loop takes no turn (`for _ in (): pass` or `while False: pass` then `else:`), a `try` whose
    handlers catch nothing and whose `finally` does nothing, a `match` of a literal whose first case is `_`, a `with
    nullcontext():` (review 411 wrapped every statement of a copy in each: 0.90 down to 0.19). None for any other."""
    if isinstance(node, ast.If):
        truth = _literal_truth(node.test)
        return None if truth is None else node.body if truth else node.orelse
    if isinstance(node, ast.While):
        truth = _literal_truth(node.test)
        if truth is False:
            return node.orelse
        if truth and not node.orelse and _ends_in_break(node.body):
            return node.body[:-1]
        return None
    if isinstance(node, ast.For):
        turns = _turns(node.iter)
        if turns == 0:
            return node.orelse
        throwaway = isinstance(node.target, ast.Name) and _THROWAWAY.match(node.target.id) is not None
        return node.body if turns == 1 and throwaway and _empty(node.orelse) else None
    if isinstance(node, ast.Try):
        if all(_catches_nothing(h) for h in node.handlers) and _empty(node.finalbody) and not node.orelse and (
                node.handlers or node.finalbody):
            return node.body
        return None
    if isinstance(node, ast.Match):
        first = node.cases[0] if node.cases else None
        if first is not None and isinstance(node.subject, ast.Constant) and isinstance(first.pattern, ast.MatchAs) \
                and first.pattern.pattern is None and first.pattern.name is None and first.guard is None:
            return first.body
        return None
    if isinstance(node, ast.With) and all(_null_context(item) for item in node.items):
        return node.body
    return None


def _without_detours(raw: list[list], source: str) -> list[list]:
    try:
        return _detours_read(raw, source)
    except (ValueError, IndexError, AttributeError, TypeError, RecursionError, MemoryError):
        return raw          # (a cell read otherwise than planned is compared as written: the class's run goes on)


def _detours_read(raw: list[list], source: str) -> list[list]:
    """Code written the long way round reads as the short way: `getattr(a, 'b')` (with a default too) as `a.b`,
    `setattr(a, 'b', v)` as `a.b = v`, `f(*(x, y))` or `f(*list((x, y)))` as `f(x, y)`, `f(**{'k': v})` or
    `f(**dict(k=v))` as `f(k=v)`, `*()` and `**{}` as nothing, `(lambda: v)()` as `v`, a block that surely runs its
    body once as that body (`_runs_once`). Review 406 hid copies so (every call through `getattr` and `*(...)`, 0.95
    down to 0.17; `if True:` around every statement, 0.43), review 411 by the neighbouring spellings (0.19 to 0.52).
    Where the tokens are not the plain spelling the tree says, the code is left as it is."""
    if not raw or "\r" in source or not _may_detour(source):
        return raw
    tree = _tree(source)
    if tree is None:
        return raw
    at = _places(source, _line_starts(source))
    firsts = [t[2] for t in raw]
    drop: set[int] = set()
    renamed: dict[int, tuple[str, str]] = {}

    def span(a: int, b: int) -> list[int]:
        return [i for i in range(bisect.bisect_left(firsts, a), bisect.bisect_left(firsts, b))
                if i not in drop and i not in renamed]

    def last_before(a: int, b: int) -> list[int]:
        """``span(a, b)[-1:]``, stepping back from ``b`` (a call of thousands of `**{}` had each read the call from
        its start: review 417, 9.5 s for a cell of 50,000 characters)."""
        i, low = bisect.bisect_left(firsts, b) - 1, bisect.bisect_left(firsts, a)
        while i >= low and (i in drop or i in renamed):
            i -= 1
        return [i] if i >= low else []

    def begin(n: ast.AST) -> int:
        return at(n.lineno, n.col_offset)

    def end(n: ast.AST) -> int:
        return at(n.end_lineno, n.end_col_offset)

    def shaped(idx: list[int], *texts: str) -> bool:
        """Are these the tokens ``texts`` (`"S"`: a string)?"""
        return len(idx) == len(texts) and all(raw[i][0] == "string" if t == "S" else raw[i][0] != "string" and
                                              raw[i][1] == t for i, t in zip(idx, texts))

    def closing(idx: list[int], bracket: str) -> bool:
        return shaped(idx, bracket) or shaped(idx, ",", bracket)

    def between(a: int, b: int) -> list[int]:
        """Every token left between two places (one read otherwise too: a block's header goes whole)."""
        return [i for i in range(bisect.bisect_left(firsts, a), bisect.bisect_left(firsts, b)) if i not in drop]

    calls = [n for n in walk(tree) if isinstance(n, ast.Call) and getattr(n, "end_lineno", None) is not None]
    # `{**{'k': v}}`: a dict written out inside one reads as its items (review 411: `f(**{**{'k': v}})`)
    for node in walk(tree):
        if isinstance(node, ast.Dict) and getattr(node, "end_lineno", None) is not None:
            for k, (key, value) in enumerate(zip(node.keys, node.values)):
                if key is not None or not isinstance(value, ast.Dict) or not value.keys:
                    continue
                if None in value.keys:
                    continue
                stars = span(_place_before(node, k, begin, end), begin(value))[-2:]
                opened = span(begin(value), begin(value.keys[0]))
                closed = span(end(value.values[-1]), end(value))
                if shaped(stars, "*", "*") and shaped(opened, "{") and closing(closed, "}"):
                    drop.update(stars + opened + closed)
    for node in calls:
        f, args = node.func, node.args
        if isinstance(f, ast.Lambda) and not args and not node.keywords and not (
                f.args.args or f.args.posonlyargs or f.args.kwonlyargs or f.args.vararg or f.args.kwarg):
            head, tail = span(begin(node), begin(f.body)), span(end(f.body), end(node))
            if (shaped(head, "lambda", ":") or shaped(head, "(", "lambda", ":")) and (
                    shaped(tail, "(", ")") or shaped(tail, ")", "(", ")")):
                drop.update(head + tail)        # `(lambda: v)()` is `v` (review 411)
        for k, a in enumerate(args):
            v = a.value if isinstance(a, ast.Starred) else None
            # `*list((x, y))`, `*tuple([x, y])`: the call around the list reads as nothing too (review 411)
            wrapped = isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in ("list", "tuple") \
                and len(v.args) == 1 and not v.keywords and isinstance(v.args[0], (ast.Tuple, ast.List))
            seq = v.args[0] if wrapped else v
            if not isinstance(seq, (ast.Tuple, ast.List)) or any(isinstance(e, ast.Starred) for e in seq.elts):
                continue
            star = span(begin(a), begin(v))
            call_open = span(begin(v), begin(seq)) if wrapped else []
            call_close = span(end(seq), end(v)) if wrapped else []
            bracket = ")" if isinstance(seq, ast.Tuple) else "]"
            if not (shaped(star, "*") and (not wrapped or shaped(call_open, v.func.id, "(") and
                                            closing(call_close, ")"))):
                continue
            if not seq.elts:                    # `*()`: nothing, and a comma beside it
                whole = span(begin(a), end(a))
                if whole == star + span(begin(v), end(v)):
                    after = span(end(a), begin(args[k + 1]) if k + 1 < len(args) else end(node))
                    before = span(end(args[k - 1]), begin(a)) if k else []
                    comma = [i for i in (after[:1] if after and raw[after[0]][1] == "," else
                                         before[-1:] if before and raw[before[-1]][1] == "," else [])]
                    drop.update(whole + comma)
                continue
            opened, closed = span(begin(seq), begin(seq.elts[0])), span(end(seq.elts[-1]), end(seq))
            if shaped(opened, "([" [bracket == "]"]) and closing(closed, bracket):
                drop.update(star + call_open + call_close + opened + closed)
        for k in node.keywords:
            v = k.value
            if k.arg is not None:
                continue
            stars = span(begin(k), begin(v))
            if not shaped(stars, "*", "*"):
                continue
            if isinstance(v, ast.Dict) and not v.keys:          # `**{}`: nothing, and the comma before it
                before = last_before(begin(node), begin(k))
                comma = before if before and raw[before[0]][1] == "," else []
                if shaped(span(begin(v), end(v)), "{", "}"):
                    drop.update(stars + span(begin(v), end(v)) + comma)
                continue
            if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "dict" and not v.args \
                    and v.keywords and all(x.arg is not None for x in v.keywords):
                opened = span(begin(v), begin(v.keywords[0]))
                closed = span(end(v.keywords[-1].value), end(v))
                if shaped(opened, "dict", "(") and closing(closed, ")"):
                    drop.update(stars + opened + closed)        # `**dict(k=v)` is `k=v` (review 411)
                continue
            items = _dict_items(v) if isinstance(v, ast.Dict) else []
            if not items or any(key is None or _attribute_name(key) is None for key, _ in items):
                continue
            opened = span(begin(v), begin(items[0][0]))
            keys = [span(begin(key), end(key)) for key, _ in items]
            colons = [span(end(key), begin(value)) for key, value in items]
            closed = span(end(items[-1][1]), end(v))
            if shaped(opened, "{") and closing(closed, "}") and \
                    all(shaped(x, "S") for x in keys) and all(shaped(x, ":") for x in colons):
                drop.update(stars + opened + closed)
                renamed.update({x[0]: ("name", _attribute_name(key)) for x, (key, _) in zip(keys, items)})
                renamed.update({x[0]: ("other", "=") for x in colons})
    # getattr and setattr last, their arguments read as the steps above left them (`getattr(*(a,), 'b')`: review 411)
    for node in calls:
        f, args = node.func, node.args
        given = _flat(args)
        getter = isinstance(f, ast.Name) and f.id == "getattr" and len(given) in (2, 3)
        setter = isinstance(f, ast.Name) and f.id == "setattr" and len(given) == 3
        if not (getter or setter) or node.keywords or any(isinstance(a, ast.Starred) for a in given) \
                or _attribute_name(given[1]) is None:
            continue
        head = span(begin(node), begin(given[0]))
        mid = [i for i in span(end(given[0]), begin(given[2]) if setter else begin(given[1]) + 1)]
        # (a default, `getattr(a, 'b', None)`, reads as nothing: review 411)
        rest = span(end(given[1]), end(node)) if getter and len(given) == 3 else []
        tail = [i for i in span(end(given[-1]), end(node)) if not (raw[i][1] == "," and raw[i][0] == "other")]
        if shaped(head, f.id, "(") and shaped(mid, *((",", "S", ",") if setter else (",", "S"))) and shaped(tail, ")"):
            drop.update(head + tail + rest + [i for i in span(end(given[-1]), end(node)) if raw[i][1] == ","])
            renamed[mid[0]], renamed[mid[1]] = ("other", "."), ("name", _attribute_name(given[1]))
            if setter:
                renamed[mid[2]] = ("other", "=")

    def lead(n: ast.AST) -> int | None:
        """The token a statement starts with, as read so far (an `elif` may have become an `if`)."""
        k = bisect.bisect_left(firsts, begin(n))
        return k if k < len(raw) and raw[k][2] == begin(n) and k not in drop else None

    # blocks outside in (an `elif` is read once its `if` is: `if False: pass` then `elif True:` is `if True:`)
    blocks = sorted((n for n in walk(tree) if isinstance(n, (ast.If, ast.While, ast.For, ast.Try, ast.Match,
                                                             ast.With))), key=begin)
    for node in blocks:
        kept = _runs_once(node)
        first = lead(node)
        if kept is None or first is None or renamed.get(first, raw[first])[1] == "elif":
            continue        # (a branch of a chain whose `if` does not lead to it)
        if not kept:
            drop.update(between(begin(node), end(node)))
            continue
        drop.update(between(begin(node), begin(kept[0])) + between(end(kept[-1]), end(node)))
        inner = lead(kept[0])
        if inner is not None and raw[inner][1] == "elif":
            renamed[inner] = ("other", "if")
    if not drop and not renamed:
        return raw
    out = []
    for i, t in enumerate(raw):
        if i in drop:
            continue
        out.append([*renamed[i], t[2], t[3]] if i in renamed else t)
    return out


def _without_grouping(raw: list[list]) -> list[list]:
    """Brackets that change nothing read as nothing: parentheses around one expression (`nn.Linear((d_in), (512))`,
    `(self.fc)(h)`) and a comma before a closing bracket (`f(x,)`): review 398 hid copies so, 0.92 down to 0.02 and
    0.16. A call's, a tuple's and a generator's parentheses stay."""
    if not any(t[1] in ("(", ",") and t[0] == "other" for t in raw):
        return raw
    drop: set[int] = set()
    stack: list[tuple[int, bool]] = []          # each open bracket: where, and whether it only groups
    inside: list[list[int]] = []                # ... and its commas, and whether a `for`, `yield` or `:` stood in it
    for i, t in enumerate(raw):
        if t[0] != "other":
            continue
        text = t[1]
        if text in _OPEN:
            before = raw[i - 1] if i else None
            called = before is not None and (before[0] in ("name", "function", "class", "string") or
                                             before[0] == "other" and before[1] in _CLOSE)
            stack.append((i, text == "(" and not called))
            inside.append([0, 0])
        elif text in _CLOSE and stack:
            at, grouping = stack.pop()
            commas, other = inside.pop()
            if raw[i - 1][1] == "," and raw[i - 1][0] == "other" and not (grouping and commas == 1):
                drop.add(i - 1)                 # `f(x,)`, `[a, b,]` (not the comma that makes `(x,)` a tuple)
            if grouping and not commas and not other and i > at + 1:
                drop.update((at, i))
        elif inside and text == ",":
            inside[-1][0] += 1
        elif inside and text in ("for", "yield", ":"):
            inside[-1][1] = 1
    return [t for i, t in enumerate(raw) if i not in drop] if drop else raw


_OPEN, _CLOSE = set("([{"), set(")]}")
_CONSTANT = re.compile(r"(?:\d[\w.]*|\.\.\.|None|True|False)$")


def _without_noops(raw: list[list], source: str) -> list[list]:
    """Statements that do nothing read as nothing, like comments and blank lines: ``pass``, a
    ``;`` and a constant standing alone as a statement (``0``, ``...``, a string). A copy with a
    ``pass`` after every line otherwise shared almost no fingerprint spanning two lines."""
    raw = _ellipses(raw)
    out: list[list] = []
    depth = 0
    for i, t in enumerate(raw):
        text = t[1]
        if t[0] == "other" and text in _OPEN:
            depth += 1
        elif t[0] == "other" and text in _CLOSE:
            depth = max(0, depth - 1)
        if t[0] == "other" and text in ("pass", ";"):
            continue
        if depth == 0 and (t[0] == "string" or (t[0] == "other" and _CONSTANT.match(text))) \
                and _ends_statement(source, raw[i - 1] if i else None, t) \
                and _ends_statement(source, t, raw[i + 1] if i + 1 < len(raw) else None):
            continue
        out.append(t)
    return out


def _ellipses(raw: list[list]) -> list[list]:
    """``...`` as one token (the tokenisers give three dots)."""
    out: list[list] = []
    for t in raw:
        if (t[1] == "." and len(out) > 1 and out[-1][1] == "." and out[-2][1] == "."
                and out[-2][3] == out[-1][2] and out[-1][3] == t[2]):
            out[-2:] = [["other", "...", out[-2][2], t[3]]]
        else:
            out.append(t)
    return out


def _ends_statement(source: str, before: list | None, after: list | None) -> bool:
    """Is there a statement boundary between two tokens (a line break outside brackets, not
    continued by a backslash or an operator, or a ``;``)?"""
    if before is None or after is None:
        return True
    gap = source[before[3]:after[2]]
    if ";" in gap or (before[1] == ";"):
        return True
    if "\n" not in gap or "\\" in gap:
        return False
    return before[0] != "other" or before[1] in _CLOSE or before[1] == ":" or _CONSTANT.match(before[1]) is not None \
        or before[1] in ("pass", "break", "continue", "return", "else", "try", "finally") or before[1].isidentifier()


_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)     # Python 3.12+ splits f-strings
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def _line_starts(source: str) -> list[int]:
    """Where each line starts, the lines as Python's tokenizer and parser count them: split at `\n` only (a form feed
    or `\u2028` inside a line is no line break to them, as `str.splitlines` has it: the tokens' places and the idle
    statements' spans were read a line off after one)."""
    starts = [0]
    at = source.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = source.find("\n", at + 1)
    starts.append(len(source) + 1)
    return starts


def _stdlib_tokens(source: str) -> list[list]:
    starts = _line_starts(source)
    at = lambda pos: starts[pos[0] - 1] + pos[1]                # noqa: E731
    out: list[list] = []
    fdepth = 0
    previous = ""
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        a, b = at(tok.start), at(tok.end)
        if fdepth:
            out[-1][3] = b
            fdepth += (tok.type == _FSTRING_START) - (tok.type == _FSTRING_END)
            continue
        if tok.type in _SKIP:
            continue
        if tok.type == tokenize.ERRORTOKEN:
            if tok.string.isspace():
                continue
            raise ValueError("a token Python cannot read")
        if tok.type == tokenize.STRING or (_FSTRING_START is not None and tok.type == _FSTRING_START):
            if out and out[-1][0] == "string" and previous == "string":
                out[-1][3] = b                                     # 'a' 'b'
            else:
                out.append(["string", "", a, b])
            fdepth = 1 if tok.type == _FSTRING_START else 0
            previous = "string"
            continue
        previous = ""
        if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string):
            kind = {"def": "function", "class": "class"}.get(out[-1][1] if out else "", "name")
            out.append([kind, tok.string, a, b])
        elif tok.type == tokenize.OP and len(tok.string) > 1:
            out.extend(["other", ch, a + i, a + i + 1] for i, ch in enumerate(tok.string))
        else:
            out.append(["other", tok.string, a, b])
    return out


def _pygments_tokens(source: str) -> list[list]:
    out: list[list] = []
    depth = 0
    in_string = False
    for index, ttype, value in _lexer().get_tokens_unprocessed(source):
        end = index + len(value)
        if in_string:
            if ttype in token.Literal.String.Interpol:
                depth += value.count("{") - value.count("}")
            if depth > 0 or ttype in token.Literal.String:
                out[-1][3] = end
                continue
            if ttype in token.Text or ttype in token.Comment:
                continue        # 'a' 'b': implicit concatenation may follow
            in_string = False
        if ttype in token.Comment or ttype in token.Text or not value.strip():
            continue
        if ttype in token.Literal.String:
            in_string = True
            depth = value.count("{") - value.count("}") if ttype in token.Literal.String.Interpol else 0
            out.append(["string", "", index, end])
        elif ttype in token.Name and not keyword.iskeyword(value):
            for m in re.finditer(r"\w+|\S", value):         # '@property', 'torch.nn' in imports
                if not m.group().isidentifier():
                    out.append(["other", m.group(), index + m.start(), index + m.end()])
                    continue
                kind = {"def": "function", "class": "class"}.get(out[-1][1] if out else "", "name")
                out.append([kind, m.group(), index + m.start(), index + m.end()])
        elif (ttype in token.Operator and ttype not in token.Operator.Word) or ttype in token.Punctuation:
            out.extend(["other", ch, index + i, index + i + 1] for i, ch in enumerate(value) if not ch.isspace())
        else:
            out.append(["other", value, index, end])
    return out


def code_stream(source: str, names: Names | frozenset[str], mode: str = "tokens",
                activations: frozenset[str] = ACTIVATIONS) -> Stream:
    """Normalise code into tokens. ``names``: the student's names (see ``student_names``).

    - the student's own names read ``V`` (``F`` for functions, ``O`` for classes), every other
      name (``nn``, ``Linear``, ``view``, ``plt``, ``plot``) stays;
    - a string literal is one token holding its text with case and spacing folded: students keep
      their plot labels and messages when they copy, and choose them freely when they do not;
    - an activation reads ``ACT`` however it is spelled: ``F.relu``, ``torch.relu``,
      ``nn.functional.relu``, ``nn.ReLU()``, or an attribute bound to one (``self.act(x)``
      after ``self.act = nn.ReLU()``), so swapping one for another hides nothing.

    ``mode="copydetect"``: copydetect's ``filter_code`` output, one token per character, kept
    for the bench's comparison with the library as it is."""
    if mode == "copydetect":
        return _copydetect_stream(source)
    if not isinstance(names, Names):
        names = Names(frozenset(names))
    raw = _raw_tokens(source)
    paths = names.paths
    tokens: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(raw):
        kind, value, a, b = raw[i]
        if kind == "name" and (i == 0 or raw[i - 1][1] != "."):
            j = i           # a dotted chain: torch.nn.functional.relu, self.act
            while j + 2 < len(raw) and raw[j + 1][1] == "." and raw[j + 2][0] == "name":
                j += 2
            chain = [raw[x][1] for x in range(i, j + 1, 2)]
            module = None if value in names.own else module_path(chain, paths)
            chain = module or chain
            is_act = (chain[-1] in activations and (len(chain) == 1 or chain[0] in LIBRARIES)) or \
                     (chain[-1] in names.activations and (len(chain) == 1 or chain == ["self", chain[-1]]))
            if is_act or module is not None:
                # (the module's or what it holds, by its own name, each part spanning the whole chain's text)
                parts = ["ACT"] if is_act else [x for p in (chain[1:] or chain) for x in (".", p)][1:]
                for part in parts:
                    tokens.append(part)
                    starts.append(a)
                    ends.append(raw[j][3])
                i = j + 1
                continue
        if kind in ("class", "function", "name") and value in names.own:
            value = {"class": "O", "function": "F"}.get(kind, "V")
        tokens.append(value)
        starts.append(a)
        ends.append(b)
        i += 1
    return Stream.of(tokens, starts, ends)


_PREFIX = re.compile(r"^[rRbBuUfF]{0,2}(\'\'\'|\"\"\"|\'|\")")
_FIELD = re.compile(r"\{[^{}]*\}")


def _string_token(literal: str) -> str:
    """A string literal's content: its value as Python reads it (escapes, pieces joined: review 404 wrote
    `"\\x6cr"` and `"l" "r"` for `"lr"`, 0.95 down to 0.45), f-string fields as ``{}`` (their names are the
    student's own), case and spacing folded."""
    value = _string_value(literal)
    if value is not None:
        return "S:" + " ".join(value.casefold().split())
    m = _PREFIX.match(literal)
    body = literal[m.end():] if m else literal
    if m and body.endswith(m.group(1)):
        body = body[:-len(m.group(1))]
    if m and "f" in literal[:m.start(1)].lower():
        body = _FIELD.sub("{}", body)
    return "S:" + " ".join(body.casefold().split())


def _string_value(literal: str) -> str | None:
    """The text a string literal (its pieces, f-strings among them) stands for, fields as ``{}``; None where
    Python does not read it so."""
    try:
        node = ast.parse("(" + literal + "\n)", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value if isinstance(node.value, str) else node.value.decode("latin-1")
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
                       for v in node.values)
    return None


def _copydetect_stream(source: str) -> Stream:
    from copydetect.utils import filter_code
    text, offsets = filter_code(source, "cell.py", "python")
    idx = np.arange(len(text))
    if len(offsets):
        shift = offsets[:, 1][np.clip(np.searchsorted(offsets[:, 0], idx), 0, offsets.shape[0] - 1)]
        idx = idx + shift
    idx = np.clip(idx, 0, max(0, len(source) - 1))
    return Stream.of(list(text), list(idx), list(idx + 1))


WORD = re.compile(r"\\?[^\W\d_]+|\d+(?:\.\d+)?|[^\s\w]")


_EMPTY_GROUP = re.compile(r"(?<!\\)\{\s*\}")
_ONE_CHAR_GROUP = re.compile(r"(?<!\\)\{(\w)\}")        # `{w}_1` is drawn as `w_1`
# Letters of other alphabets drawn as Latin ones (review 406 wrote a copied answer's words in Cyrillic look-alikes:
# 0.90 down to 0.00); Greek is left as it is, where formulas use it
_LOOKALIKE = str.maketrans("аеосрхуіјѕԁԛԝАВЕКМНОРСТХУІЈЅ", "aeocpxyijsdqwABEKMHOPCTXYIJS")


def text_tokens(text: str) -> list[str]:
    """Words, numbers and symbols of a written answer in the shared normal form (the grading app's
    answer groups use the same ``normalise``): spacing, case, LaTeX spellings and Unicode symbols
    no longer tell two answers apart; nor do characters that show nothing (a zero-width space, a soft
    hyphen: Unicode's format characters) or an empty `{}` in a formula (review 404 put one inside every
    word and after every `=` of a copied answer, invisible on the page: 0.90 down to 0.12), letters of another
    alphabet drawn alike (review 406: Cyrillic look-alikes, 0.90 down to 0.00), or braces around one letter of a
    formula."""
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").translate(_LOOKALIKE)
    if "{" in text:
        text = _ONE_CHAR_GROUP.sub(r"\1", _EMPTY_GROUP.sub("", text))
    return WORD.findall(normalise(text))
