"""Which blocks of the answers cell surely run through, read without running them.

An answer also bound inside a block above its last plain assignment is read from that assignment when Run
All surely gets from the block to it (a fairness review, 301: five answers in a `try:` above the same five on
plain lines cost all ten points). "Surely" cannot be told of code in general: every hostile review of a looser
rule found a block that stops or never ends (302: a generator consumed below, `iter(int, 1)`; 303: a `for` over
`range(10**21)`, `[][0]`, `s.exit()` after `import sys as s`). So the rule is a small allowlist of what cannot
raise, loop long, or run code of its own: literals, names the cell surely bound to literals, `==`, `is`,
`in` a literal tuple, `not`, `and`, `or`, an order compared between numbers, f-strings without a format,
`print` of those, `if`/`else`, a `for` over a literal tuple or a small `range`, and `try:` (its handlers
never run when its body cannot raise). Anything else in the block makes the answers it binds unknown, as
before review 301, with the reason said.
"""
from __future__ import annotations

import ast

SMALL_LOOP = 10_000       # iterations of a `for` over `range(...)` read as running through at once


def runs_through(stmt: ast.stmt, above: list[ast.stmt], cell: ast.Module) -> bool:
    """Does the top-level ``stmt`` surely run to its end, given the statements ``above`` it in ``cell``?"""
    printable = not any(_binds(n, "print") for n in ast.walk(cell)) and not _names_builtins(cell)
    return _body([stmt], _literal_names(above), set(), printable, loop=False)


def _binds(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Name):
        return node.id == name and not isinstance(node.ctx, ast.Load)
    if isinstance(node, ast.alias):
        return (node.asname or node.name).split(".")[0] == name or node.name == "*"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    return isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names


def _names_builtins(cell: ast.Module) -> bool:
    """`builtins.print = ...`, `__builtins__['print']`: the cell may change what `print` is."""
    return any(isinstance(n, ast.Name) and n.id == "__builtins__" or isinstance(n, ast.alias) and n.name == "builtins"
               or isinstance(n, ast.Constant) and isinstance(n.value, str) and "builtins" in n.value
               for n in ast.walk(cell))


def _literal_names(above: list[ast.stmt]) -> set[str]:
    """The names the statements above surely leave bound: a top-level `name = <literal>`, not bound or deleted
    again by another statement above (`DRAFT = False` above `if DRAFT:`)."""
    known: set[str] = {"__name__"}
    for stmt in above:
        plain = isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets) and \
            _expr(stmt.value, set(), set(), False)
        touched = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)} | \
            {(a.asname or a.name).split(".")[0] for a in ast.walk(stmt) if isinstance(a, ast.alias)} | \
            {n.name for n in ast.walk(stmt) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))} | \
            {x for n in ast.walk(stmt) if isinstance(n, (ast.Global, ast.Nonlocal)) for x in n.names}
        known -= touched
        if plain:
            known |= {t.id for t in stmt.targets}
    return known


def _body(body: list[ast.stmt], known: set[str], numbers: set[str], printable: bool, loop: bool) -> bool:
    known, numbers = set(known), set(numbers)
    for s in body:
        if isinstance(s, ast.Pass) or isinstance(s, (ast.Break, ast.Continue)) and loop:
            continue
        if isinstance(s, ast.Expr):
            if not _expr(s.value, known, numbers, printable):
                return False
        elif isinstance(s, ast.Assign):
            bound = _targets(s.targets, s.value)
            if bound is None or not _expr(s.value, known, numbers, printable):
                return False
            known |= bound
            numbers -= bound
        elif isinstance(s, ast.If):
            if not (_expr(s.test, known, numbers, printable) and _body(s.body, known, numbers, printable, loop)
                    and _body(s.orelse, known, numbers, printable, loop)):
                return False
        elif isinstance(s, ast.For):
            values = _loop_values(s.iter)
            if values is None or not isinstance(s.target, ast.Name):
                return False
            inner_numbers = numbers | {s.target.id} if all(_number(v) for v in values) else numbers - {s.target.id}
            if not (_body(s.body, known | {s.target.id}, inner_numbers, printable, loop=True)
                    and _body(s.orelse, known, numbers, printable, loop)):
                return False
        elif isinstance(s, ast.Try):
            # its handlers run only when its body raises, which a body of these statements cannot
            if not (_body(s.body, known, numbers, printable, loop) and _body(s.orelse, known, numbers, printable, loop)
                    and _body(s.finalbody, known, numbers, printable, loop)):
                return False
        else:
            return False
    return True


def _targets(targets: list[ast.expr], value: ast.expr) -> set[str] | None:
    """The names an assignment binds, where binding cannot fail (None: a target of another kind, or unpacking
    that may not fit)."""
    out: set[str] = set()
    for t in targets:
        if isinstance(t, ast.Name):
            out.add(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in t.elts) and \
                isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(t.elts):
            out |= {e.id for e in t.elts}
        else:
            return None
    return out


def _loop_values(it: ast.expr) -> list | None:
    """What a `for` runs over, where that is a literal tuple or list of constants or a small `range` of int
    literals (None: anything else, which may be long, endless, or run code)."""
    if isinstance(it, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Constant) for e in it.elts):
        return [e.value for e in it.elts]
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and not it.keywords \
            and 1 <= len(it.args) <= 3 and all(_int_literal(a) is not None for a in it.args):
        bounds = [_int_literal(a) for a in it.args]
        if len(bounds) == 3 and bounds[2] == 0 or any(abs(b) > 10 ** 9 for b in bounds):
            return None
        r = range(*bounds)
        return [0] if 0 < len(r) <= SMALL_LOOP else [] if len(r) == 0 else None
    return None


def _int_literal(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None


def _number(value) -> bool:
    return isinstance(value, (bool, int, float))


def _expr(e: ast.expr, known: set[str], numbers: set[str], printable: bool) -> bool:
    """An expression that cannot raise or run code of its own when every name in it is bound to a literal."""
    def plain(x: ast.expr) -> bool:
        return _expr(x, known, numbers, printable)

    def numeric(x: ast.expr) -> bool:
        return isinstance(x, ast.Constant) and _number(x.value) or isinstance(x, ast.Name) and x.id in numbers \
            or isinstance(x, ast.UnaryOp) and isinstance(x.op, (ast.USub, ast.UAdd)) and numeric(x.operand)

    if isinstance(e, ast.Constant):
        return True
    if isinstance(e, ast.Name):
        return isinstance(e.ctx, ast.Load) and e.id in known
    if isinstance(e, ast.UnaryOp):
        return plain(e.operand) if isinstance(e.op, ast.Not) else numeric(e)
    if isinstance(e, ast.BoolOp):
        return all(plain(v) for v in e.values)
    if isinstance(e, ast.IfExp):
        return plain(e.test) and plain(e.body) and plain(e.orelse)
    if isinstance(e, (ast.Tuple, ast.List)):
        return all(plain(x) for x in e.elts)          # a starred element is no plain expression
    if isinstance(e, ast.Compare):
        sides = [e.left, *e.comparators]
        if not all(plain(s) for s in sides):
            return False
        for op, right in zip(e.ops, e.comparators):
            if isinstance(op, (ast.Lt, ast.Gt, ast.LtE, ast.GtE)) and not all(numeric(s) for s in sides):
                return False                          # `1 < 'a'` raises
            if isinstance(op, (ast.In, ast.NotIn)) and not isinstance(right, (ast.Tuple, ast.List)):
                return False                          # `1 in 5` raises
        return True
    if isinstance(e, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) or isinstance(v, ast.FormattedValue) and v.format_spec is None
                   and plain(v.value) for v in e.values)
    if isinstance(e, ast.Call):
        return printable and isinstance(e.func, ast.Name) and e.func.id == "print" and \
            all(plain(a) for a in e.args) and all(
                k.arg in ("sep", "end", "flush") and isinstance(k.value, ast.Constant) and (
                    k.value.value is None or isinstance(k.value.value, str if k.arg != "flush" else bool))
                for k in e.keywords)
    return False
