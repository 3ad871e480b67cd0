"""What Python warns of as it reads and compiles a cell, and the warnings filters a notebook sets that may make it an
error (review 325: `warnings.simplefilter('error')` above, then `assert (a_, b_)` in the answers cell, which Jupyter
then refuses to compile). Read from the syntax tree and the tokens only: nothing a notebook writes is compiled under
its filters or matched as a pattern in the grader's process, whose filters and time are shared by the threads that
grade other notebooks (reviews 333 and 335). What is read here only flags a cell for a TA (`raised:`); it never
costs a point.
"""
from __future__ import annotations

import ast
import functools
import io
import re
import tokenize

from .literals import constant_truth, runs_once_at_least
from ..syntax import walk, child_nodes

# Not compiler flags: bits of the grader's own beside them, for "a warnings filter makes SyntaxWarning (or
# DeprecationWarning) an error" (review 325: `warnings.simplefilter('error')` above, then `assert (a_, b_)` or `'\\o/'`
# in the answers cell: what Python only warns about when it compiles a statement, or reads a cell, it then refuses,
# and Jupyter stopped there, or ran none of the cell). Python 3.11 warns of an invalid escape with a
# DeprecationWarning, of `assert (x, y)` and `x is 'yes'` with a SyntaxWarning.
SYNTAX_WARNINGS_ERRORS = 1 << 28
DEPRECATION_WARNINGS_ERRORS = 1 << 29
WARNINGS_ERRORS = SYNTAX_WARNINGS_ERRORS | DEPRECATION_WARNINGS_ERRORS
FILTER_WORDS = re.compile(r"\b(?:simplefilter|filterwarnings|_setoption|_processoptions|_add_filter|catch_warnings|filters|"
                          r"resetwarnings|defaultaction|warnings)\b")
_CATEGORY_BITS = {"Warning": WARNINGS_ERRORS, "Exception": WARNINGS_ERRORS, "BaseException": WARNINGS_ERRORS,
                  "object": WARNINGS_ERRORS, "SyntaxWarning": SYNTAX_WARNINGS_ERRORS,
                  "DeprecationWarning": DEPRECATION_WARNINGS_ERRORS}


def filter_changes(node: ast.stmt, aliases: dict[str, str] | None = None) -> list[tuple[int, int]]:
    """The warnings filters a statement sets, in order, as (the ``WARNINGS_ERRORS`` bits made errors, the bits made
    quiet again): `simplefilter('error')`, `filterwarnings('error', category=SyntaxWarning)`, `_setoption`, a tuple
    put into `warnings.filters`, `catch_warnings(action='error')` entered; `filterwarnings('ignore')`,
    `resetwarnings()` or `filters.clear()` after them. A filter makes errors only where it surely runs, with an
    action written as the literal 'error' and no message or module that the compiler's warnings do not match (a
    fairness review, 328: a variable's action, a category such as `UserWarning`, a filter under `if DEBUG:` had cost
    honest cells their answers); one that may make them quiet counts wherever it may run (330: in a `setup()`
    function called later, under `if QUIET:`, in a loop, with an action in a variable). Not inside a `with
    catch_warnings()` block, which puts the filters back (328). ``aliases``: names the notebook gave the two functions
    (`from warnings import simplefilter as sf`: review 327)."""
    out = []
    sure = set()
    todo: list[ast.AST] = [node]
    while todo:
        n = todo.pop()
        sure.add(id(n))
        todo.extend(_surely_run_parts(n, aliases))
    calls: list[ast.AST] = []
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Call):
            calls.append(n)
        # ... and tuples put into the list by assignment (review 329: `warnings.filters[:0] = [('error', ...)]`)
        elif isinstance(n, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "defaultaction"
                                               for t in n.targets):
            calls.append(n)         # the action of a warning no filter matches (review 333: `defaultaction = 'error'`)
        elif isinstance(n, ast.Assign) and any(isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute)
                                               and t.value.attr == "filters" or isinstance(t, ast.Attribute) and
                                               t.attr == "filters" for t in n.targets):
            calls.append(n)         # ... or the list put in its place (review 331: `warnings.filters = [...]`)
        elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Attribute) and n.target.attr == "filters":
            calls.append(n)         # ... or added to its end (review 336: `warnings.filters += [(...)]`)
        if isinstance(n, (ast.With, ast.AsyncWith)) and any(
                _called(i.context_expr, aliases) == "catch_warnings" for i in n.items):
            todo.extend(i.context_expr for i in n.items)
        else:
            todo.extend(child_nodes(n))
    for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
        if isinstance(call, ast.AugAssign):
            changes = [_appended(call.value)]
        elif isinstance(call, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "defaultaction"
                                                  for t in call.targets):
            changes = [(WARNINGS_ERRORS, 0) if _literal(call.value) == "error" else (0, 0)]
        elif isinstance(call, ast.Assign):
            replaced = any(isinstance(t, ast.Attribute) and t.attr == "filters" for t in call.targets)
            changes = [(0, WARNINGS_ERRORS)] * replaced + [_bits(e.elts[0], e.elts[2]) for e in (
                call.value.elts if isinstance(call.value, (ast.List, ast.Tuple)) else [])
                if isinstance(e, ast.Tuple) and len(e.elts) >= 4 and not (_literal(e.elts[1]) or _literal(e.elts[3]))]
        else:
            changes = [_filter_bits(call, aliases)]
        for made, quiet in changes:
            if id(call) not in sure:
                made = 0
            if made or quiet:
                out.append((made, quiet))
    return out


def _surely_run_parts(n: ast.AST, aliases: dict[str, str] | None) -> list[ast.AST]:
    """The parts of a node that run whenever it runs, for the warnings filters: not a function's body, a loop's, a
    handler's or the branch of an `if` whose test is not a literal (a fairness review, 328: `if DEBUG:
    warnings.simplefilter('error')` with `DEBUG = False`), nor a `with catch_warnings():` block's, which puts the
    filters back."""
    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [*n.decorator_list, n.args]
    if isinstance(n, ast.Lambda):
        return [n.args]
    if isinstance(n, (ast.With, ast.AsyncWith)) and any(
            _called(i.context_expr, aliases) == "catch_warnings" for i in n.items):
        return [i.context_expr for i in n.items]
    if isinstance(n, ast.If):
        truth = constant_truth(n.test)
        return [n.test, *(n.body if truth else n.orelse if truth is False else [])]
    if isinstance(n, (ast.For, ast.AsyncFor)):
        # ... a loop over a literal that is not empty runs its body (review 329: `for _ in [0]:`)
        return [n.iter, *(n.body if isinstance(n, ast.For) and runs_once_at_least(n.iter) else [])]
    if isinstance(n, ast.While):
        return [n.test]
    if isinstance(n, (ast.Try, ast.TryStar)):
        return [*n.body[:1], *n.finalbody]      # what follows the first may be skipped (330: an import that fails)
    if isinstance(n, ast.Match):
        return [n.subject]
    return list(child_nodes(n))


def _called(node: ast.AST, aliases: dict[str, str] | None) -> str:
    if not isinstance(node, ast.Call):
        return ""
    f = node.func
    if isinstance(f, ast.Attribute) and f.attr == "__call__":       # review 329: `warnings.simplefilter.__call__(...)`
        f = f.value
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    return (aliases or {}).get(name, name) if isinstance(f, ast.Name) else name


# What Python 3.11 warns of as it reads and compiles code, and the category of each: a filter whose message pattern
# matches none of them leaves them be (review 329: `filterwarnings('error', '.*')` matches every one). ``_ONE`` stands
# for a character that differs from one warning to the next (the escape's); ``_RUN``, in a pattern, for any run.
_ONE, _RUN = "\x00", "\x01"
_COMPILE_WARNINGS = (("assertion is always true, perhaps remove parentheses?", SYNTAX_WARNINGS_ERRORS),
                     ('"is" with a literal. Did you mean "=="?', SYNTAX_WARNINGS_ERRORS),
                     ('"is not" with a literal. Did you mean "!="?', SYNTAX_WARNINGS_ERRORS),
                     *((f"'{kind}' object is not callable; perhaps you missed a comma?", SYNTAX_WARNINGS_ERRORS)
                       for kind in ("int", "float", "complex", "str", "bytes", "bool", "NoneType", "ellipsis", "tuple",
                                    "list", "dict", "set", "generator")),
                     (f"invalid escape sequence '\\{_ONE}'", DEPRECATION_WARNINGS_ERRORS),
                     (f"invalid octal escape sequence '\\{_ONE}{_ONE}{_ONE}'", DEPRECATION_WARNINGS_ERRORS))
# A message longer than Python's is read no further (none can match past it); a pattern no further than its third run
# of any: past them anything may follow, which keeps the reading a few steps a template (a crafted notebook of 3,000
# patterns of a hundred `.*` each took 8 s of the grader's time, shared with the notebooks graded beside it)
_MOST_ATOMS = max(len(t) for t, _ in _COMPILE_WARNINGS) + 1
_MOST_RUNS = 3


def _atoms(pattern: str, literal: bool = False) -> list[str] | None:
    """The start of a message a pattern asks for, as `re.match` reads it: characters, ``_ONE`` for `.`, ``_RUN`` for
    a run of any (`.*`, or a character that may repeat or be absent); read up to the first construct it does not
    follow (a class, a group, an anchor), past which anything may follow. None: the pattern may match anything (an
    alternative, `|`, anywhere; a letter outside ASCII, which case-blind matching may fold to an ASCII one). The
    pattern is never compiled: a student's pattern can backtrack for minutes (review 335). ``literal``: the text of
    a `-W` option, which Python escapes."""
    if "|" in pattern and not literal or not pattern.isascii():
        return None
    if literal:
        return list(pattern[:_MOST_ATOMS])
    flags = re.match(r"\(\?([aiLmsux]+)\)", pattern)       # inline flags (a fairness review, 340: `(?i)mean of ...`)
    if flags is not None and "x" in flags.group(1):
        return None                                         # ... but not the verbose one, where spaces mean nothing
    text = pattern[flags.end() if flags else 0:]
    text = text[1:] if text.startswith("^") else text
    out: list = []
    i = 0
    while i < len(text) and len(out) - out.count(_RUN) < _MOST_ATOMS:
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1:i + 2]
            if not nxt or nxt.isalnum():
                break                   # a class (`\d`), an anchor (`\b`), a group's number: not followed
            atom, width = nxt, 2
        elif ch == ".":
            atom, width = _ONE, 1
        elif ch == "[":
            atom, width = _char_class(text, i)      # (340: `[Mm]ean of empty slice`)
            if atom is None:
                break
        elif ch in "^$*+?{}[]()":
            break
        else:
            atom, width = ch, 1
        i += width
        quantifier = text[i:i + 1]
        if quantifier == "{":
            break
        if quantifier in ("*", "?", "+"):
            if out.count(_RUN) >= _MOST_RUNS:
                break
            out += [atom, _RUN] if quantifier == "+" else [] if out[-1:] == [_RUN] else [_RUN]
            i += 1 + (text[i + 1:i + 2] == "?")     # `*?`, `??`: as lazy, the same strings
        else:
            out.append(atom)
    return out


def _char_class(text: str, at: int) -> tuple[object, int]:
    """A class (`[Mm]`, `[a-z_]`) as the set of its characters, lower case, and its width; ``_ONE`` for one that names
    a class of its own (`[\\w.]`) or is negated; None where it does not close."""
    j, chars, anything = at + 1, set(), False
    if text[j:j + 1] == "^":
        anything, j = True, j + 1
    if text[j:j + 1] == "]":
        chars.add("]")
        j += 1
    while j < len(text) and text[j] != "]":
        ch = text[j]
        if ch == "\\":
            nxt = text[j + 1:j + 2]
            anything |= not nxt or nxt.isalnum()
            chars.add(nxt)
            j += 2
        elif text[j + 1:j + 2] == "-" and j + 2 < len(text) and text[j + 2] != "]":
            chars.update(chr(c) for c in range(ord(ch), ord(text[j + 2]) + 1))
            j += 3
        else:
            chars.add(ch)
            j += 1
    if j >= len(text):
        return None, 0
    return (_ONE if anything else frozenset(c.lower() for c in chars)), j + 1 - at


def _fits(atom, char: str) -> bool:
    return atom == _ONE or char == _ONE or (char in atom if isinstance(atom, frozenset) else char == atom)


def _may_start(atoms: list, template: str) -> bool:
    """Can a message of ``template``'s form start with a text of the form ``atoms`` (case-blind, as `filterwarnings`
    compiles a message)? The pieces between runs are placed in order, each as early as it fits, which finds a
    placement wherever there is one; a few comparisons a character of the template at most."""
    pieces: list[list[str]] = [[]]
    for a in atoms:
        if a == _RUN:
            pieces.append([])
        else:
            pieces[-1].append(a if isinstance(a, frozenset) else a.lower())
    text = template.lower()
    at = 0
    for k, piece in enumerate(pieces):
        if not piece:
            continue
        last = len(text) - len(piece)
        if _ONE not in text and all(isinstance(a, str) and a != _ONE for a in piece):     # Python's own search
            word = "".join(piece)
            found = (0 if text.startswith(word) else -1) if k == 0 else text.find(word, at)
        else:
            first = piece[0]
            starts = [0] if k == 0 else range(at, last + 1)  # the first piece, before any run, starts the message
            found = next((p for p in starts if p <= last and _fits(first, text[p]) and all(
                _fits(a, text[p + n]) for n, a in enumerate(piece))), -1)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _message_bits(message: ast.AST | None, literal: bool = False) -> int:
    """The ``WARNINGS_ERRORS`` bits of the warnings a filter's message may match (a fairness review, 338: a filter
    for numpy's 'Mean of empty slice.' made an honest `assert (x, 'msg')` flagged, its full stop read as a pattern
    that may match anything). No message, or an empty one, matches every warning; one that is not a literal, none."""
    text = _literal(message)
    if message is None or text == "":
        return WARNINGS_ERRORS
    if not isinstance(text, str):
        return 0
    return _pattern_bits(text, literal)


@functools.lru_cache(maxsize=1024)
def _pattern_bits(text: str, literal: bool) -> int:
    if not literal and "|" in text and not any(c in text for c in "([\\"):
        # alternatives at the top level, each read alone (a fairness review, 340: 'overflow|invalid value')
        bits = 0
        for alternative in text.split("|"):
            bits |= _pattern_bits(alternative, False)
        return bits
    atoms = _atoms(text, literal)
    if atoms is None:
        return WARNINGS_ERRORS
    bits = 0
    for template, category in _COMPILE_WARNINGS:
        if not bits & category and _may_start(atoms, template):
            bits |= category
    return bits


def _literal(node: ast.AST | None):
    return node.value if isinstance(node, ast.Constant) else None


def _filter_bits(call: ast.Call, aliases: dict[str, str] | None) -> tuple[int, int]:
    name = _called(call, aliases)
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    f = call.func
    if name in ("simplefilter", "filterwarnings"):
        def at(i, key):
            return call.args[i] if len(call.args) > i else kw.get(key)
        simple = name == "simplefilter"
        category, lineno, append = (at(1, "category"), at(2, "lineno"), at(3, "append")) if simple else (
            at(2, "category"), at(4, "lineno"), at(5, "append"))
        matched = WARNINGS_ERRORS if simple else _message_bits(at(1, "message"))
        if not matched or not simple and at(3, "module") is not None and _literal(at(3, "module")) != "":
            return 0, 0
        if lineno is not None and _literal(lineno) != 0:
            return 0, 0             # one line's warnings (review 329: `filterwarnings('ignore', lineno=999)`)
        action = at(0, "action")
        # an action not written as a literal may be a quiet one (a fairness review, 330: `simplefilter(ACTION)`)
        made, quiet = _bits(action if isinstance(action, ast.Constant) else ast.Constant("ignore"), category)
        made, quiet = made & matched, quiet & matched
        # ... a filter put behind the others (`append=True`) undoes nothing before it (review 329), and comes after
        # Python's own `ignore::DeprecationWarning` (330); no filter of Python's or IPython's covers SyntaxWarning (331)
        appended = append is not None and _literal(append) is not False
        return (made & SYNTAX_WARNINGS_ERRORS, 0) if appended else (made, quiet)
    if name == "_add_filter" and len(call.args) >= 3:          # (action, message, category, module, lineno): 331
        appended = _literal(kw.get("append")) is not False and kw.get("append") is not None
        if _literal(call.args[1]) or len(call.args) > 3 and _literal(call.args[3]):
            return 0, 0
        made, quiet = _bits(call.args[0], call.args[2])
        return (made & SYNTAX_WARNINGS_ERRORS, 0) if appended else (made, quiet)
    if name in ("_setoption", "_processoptions") and call.args:
        # "action:message:category:module:lineno", the action given as any start of its name ('e' is 'error'); a list
        # of them for `_processoptions` (review 329), the last one first in the filters
        options = call.args[0].elts if name == "_processoptions" and isinstance(call.args[0], (ast.List, ast.Tuple)) \
            else [call.args[0]] if name == "_setoption" else []
        made = quiet = 0
        for option in options:
            if not isinstance(_literal(option), str):
                continue
            parts = [p.strip() for p in _literal(option).split(":")] + [""] * 5
            if not parts[0] or parts[3] or parts[4] not in ("", "0"):
                continue
            action = next((a for a in ("default", "always", "ignore", "module", "once", "error") if a.startswith(parts[0])), "")
            m, q = _bits(ast.Constant(action), ast.Name(parts[2].rsplit(".", 1)[-1]) if parts[2] else None)
            matched = _message_bits(ast.Constant(parts[1]), literal=True)      # Python escapes an option's message
            m, q = m & matched, q & matched
            made, quiet = made & ~q | m, quiet & ~m | q
        return made, quiet
    if name in ("insert", "append", "extend") and isinstance(f, ast.Attribute) and isinstance(
            f.value, ast.Attribute) and f.value.attr == "filters" and call.args:
        if name == "extend":
            return _appended(call.args[0])
        if not isinstance(call.args[-1], ast.Tuple):
            return WARNINGS_ERRORS, 0       # a filter held in a name may be any (review 336: `filters.insert(0, t)`)
        elts = call.args[-1].elts + [None] * 5
        return (0, 0) if _literal(elts[1]) or _literal(elts[3]) else _bits(elts[0], elts[2])
    if name == "__enter__" and isinstance(f, ast.Attribute) and _called(f.value, aliases) == "catch_warnings":
        inner = {k.arg: k.value for k in f.value.keywords if k.arg}
        return _bits(inner.get("action"), inner.get("category"))
    if name == "resetwarnings" or name == "clear" and isinstance(f, ast.Attribute) and isinstance(
            f.value, ast.Attribute) and f.value.attr == "filters":
        return 0, WARNINGS_ERRORS
    return 0, 0


def _appended(value: ast.expr) -> tuple[int, int]:
    """Filters put at the end of the list (`filters.extend([...])`, `filters += [...]`: review 336): behind Python's
    own `ignore::DeprecationWarning`, and undoing nothing before them (as `append=True`: review 329); one held in a
    name may be any."""
    if not isinstance(value, (ast.List, ast.Tuple)):
        return SYNTAX_WARNINGS_ERRORS, 0
    made = 0
    for e in value.elts:
        if not isinstance(e, ast.Tuple):
            made |= SYNTAX_WARNINGS_ERRORS
        elif len(e.elts) >= 4 and not (_literal(e.elts[1]) or _literal(e.elts[3])):
            made |= _bits(e.elts[0], e.elts[2])[0]
    return made & SYNTAX_WARNINGS_ERRORS, 0


_QUIET = {"ignore", "default", "always", "once", "module"}


def _bits(action: ast.AST | None, category: ast.AST | None) -> tuple[int, int]:
    """(bits made errors, bits made quiet) by a filter of this action and category."""
    act = _literal(action)
    if act != "error" and act not in _QUIET:
        return 0, 0
    if category is None or isinstance(category, ast.Constant) and category.value is None:
        bits = WARNINGS_ERRORS
    else:
        name = category.attr if isinstance(category, ast.Attribute) else category.id if isinstance(
            category, ast.Name) else ""
        # a category the grader cannot name (`cat` of a loop) may be any: quiet for all, an error for none (330)
        bits = _CATEGORY_BITS.get(name, 0 if act == "error" or name.endswith(("Warning", "Error")) else WARNINGS_ERRORS)
    return (bits, 0) if act == "error" else (0, bits)


# What Python 3.11 warns of as it reads and compiles code, found in the syntax tree and the tokens, never by
# compiling under a filter: the warnings filters are the grader process's own, shared by the threads that grade other
# notebooks side by side, and one notebook's filter must never change how another's cells are read.
_ESCAPES = set("\n\\'\"abfnrtv01234567xNuU")
_CONSTANT_IS_OK = (type(None), bool, type(Ellipsis))


def escape_warning(text: str) -> tuple[int, str] | None:
    """(line, message) of the first invalid escape in a string literal of ``text`` (a DeprecationWarning in Python
    3.11, as the cell is read); None: none, or the text does not tokenize."""
    if "\\" not in text:
        return None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type != tokenize.STRING:
                continue
            quote = min((i for i in (tok.string.find("'"), tok.string.find('"')) if i >= 0), default=0)
            prefix = tok.string[:quote].lower()
            if "r" in prefix:
                continue
            body, i = tok.string[quote:], 0
            while True:
                i = body.find("\\", i)
                if i < 0 or i + 1 >= len(body):
                    break
                ch = body[i + 1]
                if ch not in _ESCAPES or "b" in prefix and ch in "NuU":
                    line = tok.start[0] + body.count("\n", 0, i)
                    return line, f"invalid escape sequence '\\{ch}'"
                i += 2
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return None


def syntax_warning(node: ast.AST) -> str:
    """The SyntaxWarning Python 3.11 gives as it compiles a statement ('' for none): an assertion of a tuple, `is` with
    a literal, a literal called or indexed."""
    for n in walk(node):
        if isinstance(n, ast.Assert) and isinstance(n.test, ast.Tuple) and n.test.elts:
            return "assertion is always true, perhaps remove parentheses?"
        if isinstance(n, ast.Compare):
            for op, left, right in zip(n.ops, [n.left, *n.comparators], n.comparators):
                if isinstance(op, (ast.Is, ast.IsNot)) and any(
                        isinstance(x, ast.Constant) and not isinstance(x.value, _CONSTANT_IS_OK) for x in (left, right)):
                    return f'"{"is" if isinstance(op, ast.Is) else "is not"}" with a literal'
        if isinstance(n, ast.Call) and isinstance(n.func, (ast.Constant, ast.JoinedStr, ast.Tuple, ast.List, ast.Dict,
                                                           ast.Set, ast.ListComp, ast.SetComp, ast.DictComp,
                                                           ast.GeneratorExp)) and not (
                isinstance(n.func, ast.Constant) and n.func.value is Ellipsis):
            return "a literal is not callable; perhaps you missed a comma?"
    return ""


def filter_aliases(tree: ast.AST) -> dict[str, str]:
    """The two filter functions under names of the notebook's own: imported as (`from warnings import simplefilter as
    sf`: review 327) or given by assignment (329: `sf = warnings.simplefilter`)."""
    names = {a.asname: a.name for n in walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "warnings"
             for a in n.names if a.asname and a.name in ("simplefilter", "filterwarnings")}
    names.update({t.id: n.value.attr for n in walk(tree) if isinstance(n, ast.Assign) and isinstance(
        n.value, ast.Attribute) and n.value.attr in ("simplefilter", "filterwarnings") for t in n.targets
        if isinstance(t, ast.Name)})
    return names
