"""The grader's own walk of a syntax tree: every reader of a cell leans on it, so it must visit exactly what
`ast.walk` visits, in the same order, however often a tree is walked."""
import ast
import pathlib

import pytest

from grader.syntax import child_nodes, walk

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = sorted(p for p in ROOT.joinpath("grader").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES[::4], ids=lambda p: p.name)
def test_walk_visits_what_ast_walk_visits_in_its_order(path):
    tree = ast.parse(path.read_text())
    expected = list(ast.walk(tree))
    for _ in range(2):          # a module's nodes are kept after its first walk: the second reads the same
        assert [id(n) for n in walk(tree)] == [id(n) for n in expected]
    for node in expected[::7]:
        assert [id(n) for n in walk(node)] == [id(n) for n in ast.walk(node)]
        assert [id(n) for n in child_nodes(node)] == [id(n) for n in ast.iter_child_nodes(node)]


def test_a_walk_stopped_early_leaves_the_next_walk_whole():
    tree = ast.parse("def f(x):\n    return [y for y in x if y]\nclass C:\n    a = 1\n" * 20)
    first = next(n for n in walk(tree) if isinstance(n, ast.ClassDef))
    assert isinstance(first, ast.ClassDef)
    assert len(list(walk(tree))) == len(list(ast.walk(tree)))


def test_a_module_made_anew_from_parts_of_one_walked_is_walked_as_it_is():
    """Readers make a module of some of a cell's statements (`ast.Module(tree.body[1:], [])`): a new module, whose
    walk holds only what it holds."""
    tree = ast.parse("a = 1\nb = 2\nc = 3\n")
    list(walk(tree))
    part = ast.Module(tree.body[1:], [])
    assert [id(n) for n in walk(part)] == [id(n) for n in ast.walk(part)]
    assert not any(isinstance(n, ast.Name) and n.id == "a" for n in walk(part))
