"""Similar hand-ins: what counts as alike, what never does, and that planted copies rank first.

These tests never grade a notebook: they build hand-ins from sources (or the bench's synthetic
cohort, in a small version) and run the similarity analysis on them.
"""
from __future__ import annotations

import html
import re
from dataclasses import replace

import numpy as np
import pytest

from bench.similarity import accuracy, hands_of
from bench.similarity_cohort import cohort
from grader.similarity.analysis import analyse, clusters, Pair
from grader.similarity.cohort import CODE, TEXT, Cell, Hand, cell_kind
from grader.similarity.documents import fingerprint, fingerprint_all, written_words
from grader.similarity.index import overlap, rarity
from grader.similarity.material import load_material
from grader.similarity.pages import CSP, Links, pair_page, pairs_body, pairs_page, clusters_page
from grader.similarity.regions import ignore_set, regions
from grader.similarity.settings import Settings, SettingsError
from grader.similarity.tokens import _pygments_tokens, _stdlib_tokens, code_stream, student_names

from .conftest import REF


@pytest.fixture(scope="module")
def settings(spec):
    return Settings.from_spec(spec)


@pytest.fixture(scope="module")
def material(spec, settings):
    return load_material(spec, settings)


def tokens(src: str) -> tuple[str, ...]:
    return code_stream(src, student_names([src])).tokens


# ------------------------------------------------------------------------------ normal form

EXPLICIT = '''class ANN_relu(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.fc1 = nn.Linear(d_in, 512)
        self.fc2 = nn.Linear(512, d_out)

    def forward(self, x):
        x = x.view(x.size(0), -1)   # flatten
        x = F.relu(self.fc1(x))
        return self.fc2(x)
'''


def test_renamed_recommented_relaid_code_reads_the_same():
    disguised = '''class ANN_relu(nn.Module):

    def __init__(self, inputs, outputs):
        # set up the layers
        super().__init__()
        self.first = nn.Linear(inputs,512)
        self.second = nn.Linear(512, outputs)


    def forward(self, batch):
        batch = batch.view(batch.size(0), -1)
        batch = F.relu(self.first(batch))  # hidden
        return self.second(batch)
'''
    assert tokens(disguised) == tokens(EXPLICIT)


def test_activation_spellings_read_alike_but_library_calls_do_not():
    module = EXPLICIT.replace("super().__init__()", "super().__init__()\n        self.act = nn.ReLU()") \
                     .replace("F.relu(", "self.act(")
    a, b = tokens(EXPLICIT), tokens(module)
    assert a.count("ACT") == 1 and b.count("ACT") == 3          # the call; self.act = nn.ReLU(), the call
    forward = lambda t: t[t.index("forward"):]                  # noqa: E731
    assert forward(a) == forward(b)                             # self.act(...) reads as F.relu(...)
    assert tokens(EXPLICIT.replace("F.relu", "torch.relu")) == a
    flatten = tokens(EXPLICIT.replace("x.view(x.size(0), -1)", "torch.flatten(x, 1)"))
    assert flatten != a and "flatten" in flatten and "view" in a


def test_libraries_imported_under_other_names_read_as_their_modules():
    """Review 391: a classmate's cells with `import torch.nn as tnn` (and `torch as T`, `torch.optim as opt`,
    `matplotlib.pyplot as pyplot`) and every use renamed to match scored 56 % against the original (96 % without),
    unflagged: an alias stayed a token of its own, in nearly every fingerprint. A module reads as itself now, under
    whatever name it was imported, and however fully it is spelled."""
    plain = tokens(EXPLICIT)
    aliased = "import torch as T\nimport torch.nn as tnn\nimport torch.nn.functional as fn\n" + \
        EXPLICIT.replace("nn.", "tnn.").replace("F.relu", "fn.relu").replace("x.view(x.size(0), -1)", "T.flatten(x, 1)")
    flat = tokens(EXPLICIT.replace("x.view(x.size(0), -1)", "torch.flatten(x, 1)"))
    assert tokens(aliased)[-len(flat):] == flat
    assert tokens(EXPLICIT.replace("nn.Linear", "torch.nn.Linear").replace("F.relu", "torch.nn.functional.relu")) == plain
    imported = tokens("from torch.nn import Linear as L, Module\n" + EXPLICIT.replace("nn.Linear", "L")
                      .replace("nn.Module", "Module"))
    assert imported[-len(plain):] == plain
    # review 392: everything imported by `*` and the prefixes dropped (44 % against the source)
    star = tokens("from torch.nn import *\nfrom torch.nn.functional import *\n" + EXPLICIT.replace("nn.", "")
                  .replace("F.relu", "relu"))
    assert star[-len(plain):] == plain
    # review 394: a library's things bound to names of one's own (`Lin = nn.Linear`) and those used (92 % to 74 %)
    bound = tokens("Lin = nn.Linear\nMod = torch.nn\nrelu_fn = F.relu\n" + EXPLICIT.replace("nn.Linear", "Lin")
                   .replace("nn.Module", "Mod.Module").replace("F.relu", "relu_fn"))
    assert bound[-len(plain):] == plain
    cells = ["Lin = nn.Linear\nx = Lin(3, 4)\n", "Lin = nn.Linear\ny = Lin(4, 5)\n"]     # the line in each cell
    assert code_stream(cells[1], student_names(cells)).tokens == ("Linear", "=", "Linear", "V", "=", "Linear", "(",
                                                                  "4", ",", "5", ")")
    # ... while a name of the student's own stays theirs (bound twice, or to what a call returns), and a module's
    # attribute is no module
    assert tokens("Lin = nn.Linear\nLin = Lin(3, 4)\n")[:3] == ("V", "=", "Linear")
    own = tokens("tnn = load()\ny = tnn.Linear(3)\n")
    assert own == ("V", "=", "load", "(", ")", "V", "=", "V", ".", "Linear", "(", "3", ")")
    assert tokens("y = x.nn.Linear(3)") == ("V", "=", "x", ".", "nn", ".", "Linear", "(", "3", ")")


def test_brackets_and_statements_that_change_nothing_read_as_nothing():
    """Review 398: a comma before every call's closing parenthesis (0.92 down to 0.16), parentheses around every
    argument (0.02), `(0)` after every line (0.23), numbers written otherwise (`0x200`): each left the syntax tree's
    meaning as it was and broke nearly every fingerprint. They read as nothing now; a tuple's comma, a call's, a
    generator's and a lambda's brackets, and a statement that names anything, stay."""
    plain = tokens(EXPLICIT)
    commas = EXPLICIT.replace("512)", "512,)").replace("d_out)", "d_out,)").replace("-1)", "-1,)")
    assert tokens(commas) == plain
    assert tokens(EXPLICIT.replace("(d_in, 512)", "((d_in), (512))").replace("self.fc2(x)", "(self.fc2)(x)")) == plain
    idle = EXPLICIT.replace("        super().__init__()\n", "        super().__init__()\n        (0)\n        -1\n")
    assert tokens(idle.replace("x = F.relu", "not 0\n        x = F.relu")) == plain
    assert tokens(EXPLICIT.replace("512", "0x200")) == plain
    assert tokens("t = (x,)\nu = (a, b)\ng = f(v for v in w)\nh = (lambda: 1)\n").count(",") == 2
    # review 400: statements of filler between the lines, not only literals (`_ = 0`, `print(end="")`, `assert True`,
    # a bare name): 0.87 down to 0.06; a statement that names anything of the student's stays
    filler = EXPLICIT.replace("        super().__init__()\n", "        super().__init__()\n        _ = 0\n"
                              "        print(end='')\n        assert True\n        __name__\n        str()\n")
    assert tokens(filler) == plain
    assert tokens("x = (1, 2)\nprint(x)\n") != tokens("x = (1, 2)\n")
    # ... also after a form feed, which is no line break to Python (its lines were read a line off)
    src = "x = 1\x0c\ny = foo(2)\n(0)\nz = 3\n"
    s = code_stream(src, student_names([src]))
    assert s.tokens == tokens("x = 1\ny = foo(2)\nz = 3\n")
    assert [src[a:b] for a, b in zip(s.start, s.end)] == ["x", "=", "1", "y", "=", "foo", "(", "2", ")", "z", "=", "3"]
    assert tokens("x = (1, 2)\n_ = x\n") != tokens("x = (1, 2)\n")
    # review 404: filler of other shapes, each after every line (0.95 down to 0.33 to 0.42): a choice of literals, a
    # block of nothing under a literal test, a library's name alone, throwaway names, a literal's method, an import
    # written again
    for filler in ("0 if 0 else 0", "if 0: pass", "while 0: pass", "for _ in (): pass", "torch.nn", "nn.Module",
                   "[] = []", "_: int = 0", "__ = 0", "_ += 0", "del []", "global __", "min(0, 0)", "_ = [0][0]",
                   "_ = ''.join([])", "_ = {}.get(0)", "lambda: 0", "isinstance(0, int)", "assert torch"):
        padded = EXPLICIT.replace("        super().__init__()\n", f"        super().__init__()\n        {filler}\n")
        assert tokens(padded) == plain, filler
    assert tokens("import torch\nx = 1\nimport torch\ny = 2\n") == tokens("import torch\nx = 1\ny = 2\n")
    # review 406: a statement with letters other than ASCII on its line (`_ = 0  # é`, `_ = 'é'`) was left as it was
    # (the tree counts columns in bytes): 0.94 down to 0.51; and `frozenset()`, `object()`
    for filler in ("_ = 0  # é", "_ = 'é'", "print(end='')  # ·", "frozenset()", "_ = object()"):
        padded = EXPLICIT.replace("        super().__init__()\n", f"        super().__init__()\n        {filler}\n")
        assert tokens(padded) == plain, filler
    assert tokens("x: object = f(1)  # é\n") == tokens("x = f(1)  # é\n") == tokens("x = f(1)\n")
    # ... while what names the student's own things, or runs a call of theirs, stays
    for kept in ("if x: pass", "_ = f(0)", "_0 = 0", "del x", "while y: pass"):
        assert tokens(f"x = 1\n{kept}\n") != tokens("x = 1\n"), kept


def test_code_written_the_long_way_round_reads_the_short_way():
    """Review 406: every call written through `getattr(a, 'b')` and `f(*(x, y))` (0.95 down to 0.17), every statement
    wrapped in `if True:` (0.43). Python runs each as the plain spelling; they read so now, and so do `setattr`,
    `**{...}` keywords, a branch a literal test never takes and a loop of one turn over a throwaway name."""
    plain = tokens(EXPLICIT)
    detour = """class ANN_relu(nn.Module):
    def __init__(self, d_in, d_out):
        getattr(super(), '__init__')()
        setattr(self, 'fc1', getattr(nn, 'Linear')(*(d_in, 512)))
        setattr(self, "fc2", nn.Linear(*[512, d_out],))

    def forward(self, x):
        x = getattr(x, 'view')(*(getattr(x, 'size')(0), -1))   # flatten
        x = F.relu(getattr(self, 'fc1')(x))
        return getattr(self, 'fc2')(x)
"""
    assert tokens(detour) == plain
    joined = detour.replace("getattr(super(), '__init__')", "getattr(*(super(), '__init__'))").replace(
        "getattr(x, 'view')", "getattr(*[x, 'view',])").replace("setattr(self, \"fc2\", ", "setattr(*(self, 'fc2', ")
    assert tokens(joined.replace("d_out],))", "d_out],)))")) == plain
    wrapped = """if True:
    class ANN_relu(nn.Module):
        if 1:
            def __init__(self, d_in, d_out):
                if True: super().__init__()
                for _ in range(1):
                    self.fc1 = nn.Linear(d_in, 512)
                if not True:
                    unused = 1
                else:
                    self.fc2 = nn.Linear(512, d_out)

        def forward(self, x):
            if False:
                y = 2
            x = x.view(x.size(0), -1)   # flatten
            for _ in [0]: x = F.relu(self.fc1(x))
            return self.fc2(x)
"""
    assert tokens(wrapped) == plain
    assert tokens("opt = SGD(params, **{'lr': 0.1, 'momentum': m,})") == tokens("opt = SGD(params, lr=0.1, momentum=m)")
    # ... while what is no detour stays as written: a test or a loop that is not literal, a computed name, a star of a
    # name, `while True:`, grouping brackets the plain spelling would not have
    assert tokens("if x: y = 1")[:3] == ("if", "x", ":")
    assert tokens("for i in range(1): y = i")[:2] == ("for", "V")
    assert tokens("for _ in range(2): f()")[:2] == ("for", "V")
    assert tokens("while True: f()")[:3] == ("while", "True", ":")
    assert tokens("z = getattr(a, name)")[2] == "getattr"
    assert tokens("z = getattr(a, 'b' + c)")[2] == "getattr"
    assert tokens("f(*args)") == ("f", "(", "*", "args", ")") and tokens("f(**kw)")[2:4] == ("*", "*")
    assert tokens("z = getattr((a), 'b')") == tokens("z = a.b")       # (grouping brackets read first: review 411)


@pytest.mark.parametrize("wrapped", [
    # review 411: other blocks that run their body once, around every statement (0.90 down to 0.19 to 0.25)
    "if 1 == 1:\n    {s}", "if __debug__:\n    {s}", "if False: pass\nelif True:\n    {s}", "if +1:\n    {s}",
    "if b'1':\n    {s}", "try:\n    {s}\nfinally:\n    pass", "try:\n    {s}\nexcept ():\n    pass",
    "match 0:\n    case _:\n        {s}", "while True:\n    {s}\n    break", "while False:\n    pass\nelse:\n    {s}",
    "with __import__('contextlib').nullcontext():\n    {s}", "for _ in ():\n    pass\nelse:\n    {s}",
    "for _ in (0,):\n    {s}\nelse:\n    pass", "for _ in 'x':\n    {s}", "for _ in {{0}}:\n    {s}",
    "for _ in range(0, 1):\n    {s}", "for _ in range(True):\n    {s}", "for _ in range(0x1):\n    {s}",
])
def test_a_block_that_runs_its_body_once_reads_as_its_body(wrapped):
    plain = "x = f(a, b)\ny = g(x)\n"
    src = "".join(wrapped.format(s=line) + "\n" for line in plain.splitlines())
    assert tokens(src) == tokens(plain), src


@pytest.mark.parametrize("detour,plain", [
    # review 411: the neighbouring spellings of review 406's (0.20 to 0.52), and line breaks where a formatter puts them
    ("x = getattr(f, 'mean', None)", "x = f.mean"), ("x = getattr(f, f'mean')", "x = f.mean"),
    ("x = getattr((f), 'mean')", "x = f.mean"), ("x = getattr\\\n(f, 'mean')", "x = f.mean"),
    ("x = f(a, b, **{})", "x = f(a, b)"), ("x = f(*(), a, b)", "x = f(a, b)"), ("x = f(a, b, *())", "x = f(a, b)"),
    ("y = g(**dict(x=x))", "y = g(x=x)"), ("x = f(*list((a, b)))", "x = f(a, b)"), ("x = f(*((a, b)))", "x = f(a, b)"),
    ("y = g(**({'x': x}))", "y = g(x=x)"), ("x = (lambda: f(a, b))()", "x = f(a, b)"), ("x = f(\n    *(a, b))", "x = f(a, b)"),
])
def test_calls_written_the_long_way_round_read_the_short_way(detour, plain):
    assert tokens(detour) == tokens(plain)


def test_a_call_of_many_empty_double_stars_is_read_in_bounded_work(monkeypatch):
    """Review 417: `f(x, **{}, **{}, ...)` in a cell (raw or markdown cells that parse count as code) had each `**{}`
    read the call from its start for the comma before it: the square of the call, 37 s of `grader similarity` for a
    cell of 100,000 characters, 6 minutes for a class of two with nine such cells. Read back from each now."""
    import builtins

    import grader.similarity.tokens as tk
    seen = {"n": 0}

    def counted(*a):
        r = builtins.range(*a)
        seen["n"] += len(r)
        return r
    monkeypatch.setattr(tk, "range", counted, raising=False)
    work = []
    for n in (400, 800):
        seen["n"] = 0
        src = "f(x, " + "**{}, " * n + ")\n"
        assert tokens(src) == tokens("f(x)\n")
        work.append(seen["n"])
    assert work[1] < 3 * work[0], work


def test_a_chain_of_elifs_is_read_in_bounded_work(monkeypatch):
    """Review 411: `if 0: pass` then 250 `elif 0: pass` in a graded cell (50/50, no flag) was a RecursionError that
    stopped `grader similarity` for the whole class; read link by link it was the square of the chain (2,500 links:
    5 s). Read once now, the chain reads as nothing, and a cell the readings cannot take is compared as its tokens."""
    import grader.similarity.tokens as tk
    calls = {"n": 0}
    idle = tk._idle

    def counted(node):
        calls["n"] += 1
        return idle(node)
    monkeypatch.setattr(tk, "_idle", counted)
    work = []
    for n in (300, 600):
        calls["n"] = 0
        src = "x = f(a, b)\nif 0: pass\n" + "elif 0: pass\n" * n + "y = g(x)\n"
        assert tokens(src) == tokens("x = f(a, b)\ny = g(x)\n")
        work.append(calls["n"])
    assert work[1] < 2.5 * work[0], work
    monkeypatch.setattr(tk, "_without_idle_statements", lambda raw, source: (_ for _ in ()).throw(RecursionError()))
    assert tokens("x = f(a, b)\n") == ("V", "=", "f", "(", "a", ",", "b", ")")


def test_the_assignments_names_come_from_the_spec_and_are_never_the_students(spec):
    given = set(Settings.from_spec(spec).assignment_names)
    wanted = {m["defines"] for m in spec.task("code_3_2_models").cfg["models"]} | {"train_and_test", "train_loader"}
    assert wanted <= given and set(spec.task("question_3_3").cfg["variables"]) <= given
    src = "import numpy as np\nclass ANN_relu(nn.Module):\n    pass\ntrain_loader = None\nmine = np.zeros(3)\n"
    own = student_names([src], given=frozenset(given)).own
    assert own == {"mine"}                              # not the task's class, a provided name, nor np


def test_the_result_of_an_activation_is_not_an_activation():
    names = student_names(["h = F.relu(self.fc1(x))\nact = nn.ReLU()\nfn = torch.sigmoid"])
    assert names.activations == {"act", "fn"}


def test_strings_keep_their_words_and_fstring_fields_fold():
    t = tokens('plt.plot(g, label=f"Layer {i + 1}")\nplt.title( "Gradient   FLOW" )\n')
    assert "S:layer {}" in t and "S:gradient flow" in t
    assert tokens("plt.xlabel('batch')") != tokens("plt.xlabel('epoch')")
    # review 404: a string read by its value, not its spelling (an escape for the first letter of every string,
    # 0.95 down to 0.45; every string cut in two pieces, 0.51)
    plain = tokens('opt = SGD(lr=h["lr"], momentum=h["momentum"])\nplt.xlabel(f"batch {i}")\n')
    assert tokens('opt = SGD(lr=h["\\x6cr"], momentum=h["\\x6domentum"])\nplt.xlabel(f"\\x62atch {i}")\n') == plain
    assert tokens('opt = SGD(lr=h["l" "r"], momentum=h["mom" \'entum\'])\nplt.xlabel(f"ba" f"tch {i}")\n') == plain


def test_type_annotations_read_as_nothing():
    """Review 404: `x: object = v` for every `x = v` of a copy (and `self.a: object = v`): 0.95 down to 0.72, the model
    cells' 0.70 down to 0.03. Python does not run an annotation; a student's type hints are a choice of style."""
    plain = tokens(EXPLICIT)
    annotated = EXPLICIT.replace("self.fc1 =", "self.fc1: nn.Module =").replace("        x = x.view", "        x: object = x.view")
    annotated = annotated.replace("def forward(self, x):", "def forward(self, x: torch.Tensor) -> torch.Tensor:")
    annotated = annotated.replace("def __init__(self, d_in, d_out):", "def __init__(self, d_in: int, d_out: int) -> None:")
    assert tokens(annotated) == plain
    assert tokens(EXPLICIT.replace("        super().__init__()\n", "        super().__init__()\n        z: int\n")) == plain
    # ... while a dict's, a slice's and a lambda's colons stay
    assert tokens("d = {'a': 1}\ny = x[1:2]\nf = lambda v: v\n").count(":") == 3


def test_a_long_chain_of_attributes_is_read_in_bounded_work(monkeypatch):
    """Review 404: `torch` followed by `.a` 49,990 times, nine such cells, held `grader similarity` two and a half
    minutes: every prefix of the chain was joined and looked up. No module is deeper than three parts."""
    from grader.similarity import tokens as module
    asked = []

    class Counting(dict):
        def get(self, key, default=None):
            asked.append(key)
            return super().get(key, default)
    monkeypatch.setattr(module, "MODULES", Counting(module.MODULES))
    for n in (10, 10_000):
        asked.clear()
        assert module.module_path(["torch"] + ["a"] * n, {}) == ["torch"] + ["a"] * n
        assert len(asked) <= 3 and all(k.count(".") < 3 for k in asked), asked[:5]
    assert module.module_path(["torch", "nn", "functional", "relu"], {}) == ["F", "relu"]


@pytest.mark.parametrize("src", [
    EXPLICIT,
    'x = f"a {b!r:>{w}} c" + rb"x" \'y\'\n@property\ndef g(): ...\nprint(*a, **k)\nclass A(B): pass\n',
    "import torch.nn as nn\nfor i in range(3):\n    y = i if not i else -i ** 2 >= 1 and x is None\n",
    (REF / "reference.py").read_text(),
])
def test_pythons_tokenizer_and_pygments_give_the_same_tokens(src):
    assert _stdlib_tokens(src) == _pygments_tokens(src)


def test_broken_code_is_read_not_refused():
    broken = "def train_and_test(model, hp:\n    opt = optim.SGD(model.parameters(), lr=hp['lr')\n    x = 'open\n"
    with pytest.raises(Exception):
        _stdlib_tokens(broken)
    t = tokens(broken)
    assert "SGD" in t and "parameters" in t       # optim.SGD reads as SGD, from whichever import


# ------------------------------------------------------------------------------ the index

def test_index_pairs_only_documents_that_share_and_drops_what_is_common():
    h = lambda *xs: np.array(xs, dtype=np.uint64)          # noqa: E731
    docs = [h(1, 2, 3, 9), h(1, 2, 3, 9), h(4, 9), h(5, 9), h(6)]
    ov = overlap(docs, cap=3, boilerplate=h(6))
    pairs = {(int(a), int(b)): s for a, b, s in zip(ov.a, ov.b, ov.shared)}
    assert set(pairs) == {(0, 1)}                   # 9 is in four documents: common; 6 is boilerplate
    assert pairs[(0, 1)] == pytest.approx(3.0)      # 1, 2, 3: no other document has them
    assert 9 in ov.common.tolist() and ov.count.tolist() == [3, 3, 1, 1, 0]


def test_fragments_others_share_weigh_less():
    assert rarity(np.array([0, 1, 5, 10]), 10).tolist() == sorted(rarity(np.array([0, 1, 5, 10]), 10).tolist(),
                                                                    reverse=True)
    assert rarity(np.array([0]), 10)[0] == 1.0 and rarity(np.array([10]), 10)[0] == 0.0
    h = lambda *xs: np.array(xs, dtype=np.uint64)          # noqa: E731
    alone = overlap([h(1, 2), h(1, 2), h(3), h(4)], cap=5)
    crowd = overlap([h(1, 2), h(1, 2), h(1, 2), h(1, 2)], cap=5)
    assert alone.share(0)[0][0] == pytest.approx(1.0)
    assert crowd.shared[0] < alone.shared[0]


def test_two_past_hand_ins_are_never_paired_but_count_as_common():
    h = lambda *xs: np.array(xs, dtype=np.uint64)          # noqa: E731
    ov = overlap([h(1, 2), h(1, 2), h(1, 2)], cap=5, current=np.array([True, False, False]))
    assert {(int(a), int(b)) for a, b in zip(ov.a, ov.b)} == {(0, 1), (0, 2)}


def test_one_authors_many_copies_count_once_towards_what_is_common():
    h = lambda *xs: np.array(xs, dtype=np.uint64)          # noqa: E731
    docs = [h(1, 2, 3)] * 6 + [h(1, 2, 3), h(4), h(5)]     # six uploads of one student, the source, two others
    by_document = overlap(docs, cap=3)
    assert 1 in by_document.common.tolist()                  # seven holders: "common", the copy is gone
    authors = np.array([0] * 6 + [1, 2, 3])
    by_author = overlap(docs, cap=3, authors=authors)
    pairs = {(int(a), int(b)): s for a, b, s in zip(by_author.a, by_author.b, by_author.shared)}
    assert not by_author.common.tolist() and pairs[(0, 6)] == pytest.approx(3.0)


# ------------------------------------------------------------------------------ settings and cohorts

def test_settings_come_from_the_spec_and_bad_values_are_named(spec):
    s = Settings.from_spec(spec)
    table = spec.raw["similarity"]
    assert s.threshold == table["threshold"] and s.code_cells == tuple(table["code_cells"])
    with pytest.raises(SettingsError, match="treshold"):
        Settings.from_table({"treshold": 0.5})
    with pytest.raises(SettingsError, match="threshold"):
        Settings.from_table({"threshold": 1.5})
    with pytest.raises(SettingsError, match="code_cells"):
        Settings.from_table({"code_cells": "ann-relu"})


def test_added_cells_are_told_apart(settings, material):
    kind = lambda cid, src: cell_kind(cid, src, settings, material)   # noqa: E731
    assert kind("ann-relu", "whatever") == CODE and kind("calc-2", "x = 1") == TEXT
    assert kind("imports", "import torch") == CODE                     # a template cell, edited
    assert kind("3f2a", "def plot(g):\n    plt.plot(g)") == CODE
    assert kind("3f2b", "%matplotlib inline\nplt.plot(g)") == CODE
    assert kind("3f2c", "Here I explain my *approach*.") == TEXT
    assert kind("3f2d", "Hello") == TEXT


# ------------------------------------------------------------------------------ written answers

def hand(key: str, **cells: str) -> Hand:
    return Hand(key=key, name=key.title(), matr_number="", file=f"{key}.ipynb", term="",
                cells=tuple(Cell(cid.replace("_", "-"), TEXT if cid.startswith("calc") else CODE, src)
                            for cid, src in cells.items()))


DERIVATION = ("Assume weights $w_1, w_2$ exist. Input (1,0) forces $w_1 = 1$ since the label is one, and input "
              "(0,1) likewise forces $w_2 = 1$. My own observation: then the fourth input (1,1) yields two, "
              "which contradicts its label zero, so no linear model without bias solves XOR.")


def test_characters_that_show_nothing_do_not_change_a_written_answer(settings):
    """Review 404: a zero-width space inside every word of a copied answer and an empty `{}` after every `=` of its
    formulas, invisible on the page: 0.90 down to 0.12, unflagged."""
    copied = (DERIVATION.replace("the", "th\u200be").replace("=", "={}").replace("output", "out\u00adput"))
    assert copied != DERIVATION
    assert written_words(copied, settings) == written_words(DERIVATION, settings)
    # review 406: Latin letters written as Cyrillic look-alikes outside the formulas, `{w}_1` for `w_1` inside (0.90
    # down to 0.00)
    lookalike = DERIVATION.translate(str.maketrans("aeopcxyi", "аеорсхуі")).replace("w_", "{w}_")
    assert written_words(lookalike, settings) == written_words(DERIVATION, settings)


def test_short_answers_are_not_compared_and_long_copies_are(settings, material):
    assert written_words("0, 1, 1, 0", settings) is None
    hands = [hand("ann", calc_1_1=DERIVATION, calc_1_2="0, 1, 1, 0"),
             hand("bob", calc_1_1=DERIVATION.replace("$w_1 = 1$", "w1=1").upper(), calc_1_2="0, 1, 1, 0"),
             hand("cat", calc_1_1="The classes are not linearly separable: no line through the origin splits "
                                  "(1,0), (0,1) from (0,0), (1,1), so a bias-free linear model fails.",
                  calc_1_2="0, 1, 1, 0")]
    a = analyse(hands, [], material, settings)
    pair = {frozenset((p.a, p.b)): p for p in a.pairs}[frozenset(("ann", "bob"))]
    assert pair.flagged and pair.written >= settings.written_threshold and "calc-1-2" not in pair.units
    assert not any(p.flagged for p in a.pairs if "cat" in (p.a, p.b))
    # The pair page shows no match where the scores say "not compared" (a ninetieth review: a block
    # of 24 "words" of numbers under "not compared: under 12 words").
    table = "0 1 1 0 1 0 0 1 1 1 1 0 0 0 0 0 2 1 3 4 5 6 7 8"
    ann, bob = hand("ann", calc_1_1=DERIVATION, calc_1_2=table), hand("bob", calc_1_1=DERIVATION, calc_1_2=table)
    assert written_words(table, settings) is None
    r = regions(ann, bob, settings, set())
    assert [b.a_cell for b in r.blocks if b.a_cell in settings.written_cells] == ["calc-1-1"]


def test_a_shared_cell_that_repeats_itself_is_one_block(settings):
    """Review 348: a code cell repeating one line hundreds of times, shared by two hand-ins, made the pair page's
    matching quadratic (each step of a chain searched every place of its fingerprint: 23 s for one cell of 50,000
    characters, 171 s for three). Looked up now; the pair still shows the whole cell as one block, both sides."""
    bomb = "y = " + "-" * 20 + "1\n"
    ann = hand("ann", extra_1=bomb * 300, extra_2="def own(a):\n    return [x * 2 for x in a if x]\n")
    bob = hand("bob", extra_1=bomb * 300, extra_2="print('something else entirely', 42)\n")
    r = regions(ann, bob, settings, set())
    blocks = [b for b in r.blocks if b.a_cell == "extra-1"]
    assert blocks and blocks[0].b_cell == "extra-1", r.blocks
    longest = max(blocks, key=lambda b: b.a_lines[1] - b.a_lines[0])
    assert longest.a_lines[1] - longest.a_lines[0] >= 250 and longest.b_lines[1] - longest.b_lines[0] >= 250, longest


def test_one_photo_in_two_answers_is_the_same_answer(settings, material):
    """Twenty-sixth review: the similarity view read Jupyter's `attachment:image.png`, the same
    short text for every student, so two students' one photo was never compared."""
    own = "Worked out by hand, see the photo: "
    hands = [hand("ann", calc_2=own + "[image e7eec45f0c78]"), hand("bob", calc_2="[image e7eec45f0c78]"),
             hand("cat", calc_2=own + "[image 0123456789ab]"),
             hand("dan", calc_2="[picture not shown (larger than 4 MB) 5a5a5a5a5a5a]")]
    a = analyse(hands, [], material, settings)
    pairs = {frozenset((p.a, p.b)): p for p in a.pairs}
    assert pairs[frozenset(("ann", "bob"))].flagged
    assert not any(p.flagged for k, p in pairs.items() if "cat" in k or "dan" in k)


def test_the_question_wording_does_not_count(settings, material, template_nb):
    question = next(c.source for c in template_nb.cells if "Calculation 2" in c.source and "Compute all" in c.source)
    restated = re.sub(r"<[^>]+>|\*", "", question[question.index("Compute all"):])
    hands = [hand("ann", calc_2=restated + " Answer: s3 = 2 by the forward pass, delta3 = 1/4 from the chain rule."),
             hand("bob", calc_2=restated + " Here a4 is zero because ReLU cuts it, so dL/dw32 = 0.5 in the end.")]
    a = analyse(hands, [], material, settings)
    assert not any(p.flagged for p in a.pairs)


SEQUENTIAL = """class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.{name} = nn.Sequential(
            nn.Flatten(),
            nn.Linear(d_in, 512), nn.Sigmoid(),
            nn.Linear(512, 1024), nn.Sigmoid(),
            nn.Linear(1024, 512), nn.Sigmoid(),
            nn.Linear(512, d_out),
        )

    def forward(self, x):
        return self.{name}(x)
"""


def test_the_forms_of_the_solution_students_reach_alone_do_not_count(spec, settings, material):
    """A fairness review (407): two students who each wrote the table as the `nn.Sequential` the notebook's tutorial
    teaches were flagged at 0.80 to 0.85 in small classes, where nothing is common enough to be discounted. The
    spec's `common_forms.py` is the course's material now; a copy of anything else still counts."""
    assert "common" in settings.boilerplate and spec.file("common").exists()
    own = "\n    def describe(self):\n        steps = [type(m).__name__.lower() for m in self.{name}]\n" \
          "        return ' then '.join(steps) + ' (my own summary)'\n"
    hands = [hand("ann", ann_sigmoid=SEQUENTIAL.format(name="net")),
             hand("bob", ann_sigmoid=SEQUENTIAL.format(name="model"))]
    assert not any(p.flagged for p in analyse(hands, [], material, settings).pairs)
    copied = [hand("ann", ann_sigmoid=SEQUENTIAL.format(name="net") + own.format(name="net")),
              hand("bob", ann_sigmoid=SEQUENTIAL.format(name="model") + own.format(name="model"))]
    assert any(p.flagged for p in analyse(copied, [], material, settings).pairs)
    # ... and without them in the material, the two alone are flagged (what the review saw)
    bare = load_material(spec, replace(settings, boilerplate=tuple(b for b in settings.boilerplate if b != "common")))
    assert any(p.flagged for p in analyse(hands, [], bare, settings).pairs)


# ------------------------------------------------------------------------------ the cohort (small)

@pytest.fixture(scope="module")
def small_cohort():
    return cohort(40, 6, seed=11)


def test_every_planted_copy_ranks_above_every_honest_pair_of_other_styles(small_cohort, settings, material):
    acc = accuracy(small_cohort, settings, material, by="code")
    assert acc.planted == len(small_cohort.planted) >= 6
    assert acc.planted_min > acc.honest_max["different"], acc.lowest
    assert acc.flagged_honest["different"] == 0


def test_a_copy_is_found_whatever_the_disguise(small_cohort, settings, material):
    a = analyse(hands_of(small_cohort), [], material, settings)
    listed = {frozenset((p.a, p.b)): p for p in a.pairs}
    disguises = set()
    for s in small_cohort.students:
        if s.copied_from:
            pair = listed.get(frozenset((s.key, s.copied_from)))
            assert pair is not None and pair.code >= settings.list_floor, s.disguises
            disguises.update(s.disguises)
    assert {"rename", "reorder", "comments", "layout", "activation", "split", "aliases", "brackets"} <= disguises
    for p in a.pairs:       # the flag is the spec's thresholds, nothing else
        assert p.flagged == (p.code >= settings.threshold or p.written >= settings.written_threshold)


def test_a_source_copied_twice_is_a_cluster(small_cohort, settings, material):
    copies: dict[str, set[str]] = {}
    for s in small_cohort.students:
        if s.copied_from:
            copies.setdefault(s.copied_from, set()).add(s.key)
    group = next(v | {k} for k, v in copies.items() if len(v) == 2)
    lowest = min(p.code for p in analyse(hands_of(small_cohort), [], material, settings).pairs
                 if {p.a, p.b} <= group)
    # a pair's score is shown rounded to four places: the threshold sits just below it
    a = analyse(hands_of(small_cohort), [], material, replace(settings, threshold=lowest - 1e-4))
    assert any(group <= set(c) for c in a.clusters)


def test_uploading_copies_of_a_copied_notebook_does_not_hide_the_copy(small_cohort, settings, material):
    """Ten uploads of one notebook are one student: the copied work stays rare, the copy stays
    flagged, and the uploads are shown as one student's, not flagged against each other."""
    hands = [replace(h, author=f"participant:{i}") for i, h in enumerate(hands_of(small_cohort))]
    copy = next(s for s in small_cohort.students if s.copied_from)
    mine = next(h for h in hands if h.key == copy.key)
    uploads = [replace(mine, key=f"{mine.key}-{k}", file=f"draft{k}.ipynb") for k in range(2, 12)]
    a = analyse(hands + uploads, [], material, settings)
    listed = {frozenset((p.a, p.b)): p for p in a.pairs}
    assert listed[frozenset((copy.key, copy.copied_from))].flagged
    own = [p for p in a.pairs if {p.a, p.b} <= {mine.key, *(u.key for u in uploads)}]
    assert own and all(p.same_student and not p.flagged for p in own)


def test_forked_workers_give_the_same_fingerprints(settings):
    hands = hands_of(cohort(200, 2, seed=3))
    one, two = fingerprint_all(hands, settings, jobs=1), fingerprint_all(hands, settings, jobs=2)
    assert all(set(x.units) == set(y.units) and all(np.array_equal(x.units[u], y.units[u]) for u in x.units)
               for x, y in zip(one, two))


def test_clusters_join_chains_of_three_or_more():
    p = lambda a, b: Pair(a, b, 1, 1, 0, {}, True)         # noqa: E731
    assert clusters([p("a", "b"), p("b", "c"), p("x", "y")]) == [["a", "b", "c"]]


# ------------------------------------------------------------------------------ pages

HOSTILE = '</pre><script>alert(1)</script><img src="https://evil.example/x.png" onerror="alert(2)">'


def test_pages_escape_everything_a_student_wrote_and_load_nothing(settings, material):
    code = EXPLICIT.replace("# flatten", "# " + HOSTILE) + f"\nprint('{HOSTILE}')\n"
    hands = [Hand(key=f"k{i}", name=f'Eve {HOSTILE}', matr_number="", file=f'{HOSTILE}.ipynb', term="",
                  cells=(Cell("ann-relu", CODE, code), Cell("calc-1-1", TEXT, DERIVATION + HOSTILE)))
             for i in range(3)]
    a = analyse(hands, [], material, settings)
    assert a.pairs and a.clusters
    r = regions(a.hand(a.pairs[0].a), a.hand(a.pairs[0].b), settings,
                ignore_set(a.boilerplate["code"], a.common["code"]))
    for page in (pairs_page(a), pair_page(a, a.pairs[0], r), clusters_page(a)):
        assert f'content="{CSP}"' in page and "script-src" not in CSP and "default-src 'none'" in CSP
        assert "<script" not in page and "<img" not in page and "onerror=\"" not in page
        assert not re.search(r"(src|href)=\"(https?:)?//", page)
        assert html.escape(f"Eve {HOSTILE}") in page


def test_a_run_of_blank_lines_is_one_line_of_the_page():
    """Review 406: cells padded with 49,000 newlines each made every pair page draw 1.76 million numbered lines (52 MB;
    401 MB of pages for a class of five). A run of blank lines is one line of the page now; the numbers stay true."""
    from grader.similarity.pages import _annotated
    from grader.similarity.regions import CellView
    padded = "x = 1\n" + "\n" * 49_000 + "   \n" * 1_000 + "y = 2\n\n\nz = 3"
    page = _annotated(CellView("c", "code", padded))
    assert page.count('class="ln"') == 6 and len(page) < 1_000, page[:300]
    assert "(50,000 blank lines)" in page and '<span class="ln">50002</span>y = 2' in page
    assert '<span class="ln">50005</span>z = 3' in page


def test_pages_say_review_not_verdict_and_take_the_apps_links(small_cohort, settings, material):
    a = analyse(hands_of(small_cohort), [], material, settings)
    body = pairs_body(a, Links(index="/sim", clusters="/sim/clusters", pair=lambda pid: f"/sim/pair/{pid}"))
    assert "to be reviewed" in body and "never a deduction" in body
    assert "plagiar" not in body.lower() and "cheat" not in body.lower()
    assert f'href="/sim/pair/{a.pairs[0].id}"' in body and "<html" not in body


def test_matched_blocks_point_at_the_same_code_on_both_sides(small_cohort, settings, material):
    a = analyse(hands_of(small_cohort), [], material, settings)
    p = next(p for p in a.pairs if p.flagged)
    r = regions(a.hand(p.a), a.hand(p.b), settings, ignore_set(a.boilerplate["code"], a.common["code"]))
    code_blocks = [b for b in r.blocks if b.a_cell not in settings.written_cells]
    assert code_blocks and all(b.tokens >= settings.k for b in code_blocks)
    for b in code_blocks:
        left = next(s for s in r.a[b.a_cell].spans if s.block == b.number)
        right = next(s for s in r.b[b.b_cell].spans if s.block == b.number)
        names_a = student_names([c.source for c in a.hand(p.a).code()])
        names_b = student_names([c.source for c in a.hand(p.b).code()])
        ta = code_stream(r.a[b.a_cell].source[left.start:left.end], names_a).tokens
        tb = code_stream(r.b[b.b_cell].source[right.start:right.end], names_b).tokens
        assert ta == tb


def test_fingerprints_are_the_same_in_every_run(settings):
    """Python's own hash changes with every process; ours must not (runs are compared, cached)."""
    import subprocess
    import sys
    code = ("from bench.similarity import hands_of; from bench.similarity_cohort import cohort; "
            "from grader.similarity.documents import fingerprint; from grader.similarity.settings import Settings; "
            "from grader.spec import load_spec; "
            "p = fingerprint(hands_of(cohort(3, 0, seed=5))[0], Settings.from_spec(load_spec())); "
            "print(sorted(int(x) for x in p.units['code'])[:50])")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REF.parents[1],
                           env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"}, timeout=120)
            for seed in (1, 2)]
    assert runs[0].returncode == 0, runs[0].stderr
    mine = sorted(int(x) for x in fingerprint(hands_of(cohort(3, 0, seed=5))[0], settings).units["code"])[:50]
    assert runs[0].stdout == runs[1].stdout == f"{mine}\n"


def test_lookalike_letters_in_names_read_as_python_reads_them():
    """Mathematical bold letters run as the plain name (Python applies NFKC to identifiers): a
    copy spelled 𝐧n.Linear hid from the similarity view (twenty-third review)."""
    assert tokens("x = 𝐧n.Linear(3)\n𝐬elf.𝐟c = 1") == tokens("x = nn.Linear(3)\nself.fc = 1")
