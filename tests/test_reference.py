"""The shipped reference material: notebooks, reference models, answer key, stand-in data."""
import json
import re
import tomllib

import nbformat
import pytest
import torch

from grader.checks.answers import read_answers
from grader.notebook import checksum

from .conftest import REF, ROOT

SHARED = ROOT.parent / "shared" / "assignment7"
EXPECTED_ROW = [0.3537, 0.5558, 0.1939, -0.0044, 0.0700, -0.0687, 0.2242, -0.4975, 0.0686, -0.2119]
ORDER = ["calc-1-1", "calc-1-2", "calc-2", "imports", "hyperparams", "data-loaders", "plot-examples",
         "ann-sigmoid", "ann-sigmoid-test", "ann-relu", "ann-relu-test", "train-fn", "test-fn",
         "train-and-test", "run-sigmoid", "run-relu", "answers-3-3", "answer-a-test", "answer-b-test",
         "answer-c-test", "answer-d-test", "answer-e-test"]


def reference_namespace():
    ns: dict = {}
    exec(compile((REF / "reference.py").read_text(), "reference.py", "exec"), ns)
    return ns


@pytest.mark.parametrize("name", ["template.ipynb", "solution.ipynb"])
def test_notebooks_follow_the_cell_contract(name):
    nb = nbformat.read(REF / name, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    ids = [c.id for c in nb.cells if not c.id.startswith("md-")]
    assert ids == ORDER
    cells = {c.id: c for c in nb.cells}
    assert cells["imports"].metadata["tags"] == ["imports"]
    for cid in ORDER:
        meta = cells[cid].metadata["nbgrader"]
        assert meta["grade_id"] == cid and "locked" in meta and "solution" in meta
    assert cells["calc-1-1"].cell_type == "markdown"
    q33 = next(c.source for c in nb.cells if "Question 3.3 (10 Points)" in c.source)
    for letter in "abcde":
        assert f"{letter}_)" in q33


def test_template_and_solution_share_every_provided_cell():
    tpl = {c.id: c.source for c in nbformat.read(REF / "template.ipynb", as_version=4).cells}
    sol = {c.id: c.source for c in nbformat.read(REF / "solution.ipynb", as_version=4).cells}
    for cid in ("imports", "hyperparams", "data-loaders", "plot-examples", "ann-sigmoid-test", "train-fn",
                "test-fn", "run-sigmoid", "run-relu", "answer-e-test"):
        assert tpl[cid] == sol[cid]
    assert "raise NotImplementedError()" in tpl["ann-sigmoid"]
    assert "### BEGIN SOLUTION" in sol["ann-sigmoid"]


@pytest.mark.skipif(not SHARED.exists(), reason="the course text is not beside this checkout")
def test_code_cells_are_verbatim_from_the_course_text():
    text = (SHARED / "assignment7_notebook.txt").read_text()
    tpl = nbformat.read(REF / "template.ipynb", as_version=4)
    for cell in tpl.cells:
        if cell.cell_type == "code":
            assert cell.source in text, cell.id


def test_reference_sigmoid_reproduces_the_notebooks_expected_row(data_home):
    from torchvision import datasets, transforms
    ns = reference_namespace()
    ds = datasets.FashionMNIST(data_home / "data", train=False, download=False,
                               transform=transforms.Compose([transforms.ToTensor(),
                                                             transforms.Normalize((0.1307,), (0.3081,))]))
    data = torch.stack([ds[i][0] for i in range(2)])
    torch.manual_seed(66)
    model = ns["ANN_sigmoid"](784, 10)
    with torch.no_grad():
        out = model(data)
    assert torch.allclose(out[0], torch.tensor(EXPECTED_ROW), atol=1e-2)
    torch.manual_seed(66)
    relu = ns["ANN_relu"](784, 10)
    assert [tuple(m.weight.shape) for m in relu.modules() if isinstance(m, torch.nn.Linear)] == \
        [(512, 784), (1024, 512), (512, 1024), (10, 512)]


def test_answer_key_matches_the_solution_and_is_justified():
    key_text = (REF / "answer_key.toml").read_text()
    key = tomllib.loads(key_text)
    spec = tomllib.loads((REF / "spec.toml").read_text())
    names = next(t["variables"] for t in spec["tasks"].values() if t.get("kind") == "bool_answers")
    assert list(key) == names and all(isinstance(v, bool) for v in key.values())   # one bool per statement
    # Every answer has a justification comment right above it.
    for name in key:
        block = key_text.split(f"{name} =")[0].rstrip().split("\n")[-1]
        assert block.startswith("#"), name
    sol = {c.id: c.source for c in nbformat.read(REF / "solution.ipynb", as_version=4).cells}
    values, _ = read_answers(sol["answers-3-3"], list(key))
    assert {n: v.value for n, v in values.items()} == key


def test_hidden_parameters_are_not_in_the_student_template():
    """The fixed ones (the ranges: tests/test_hidden_draws.py)."""
    hidden = tomllib.loads((REF / "hidden.toml").read_text())
    text = (REF / "template.ipynb").read_text()
    for section in hidden.values():
        for name, value in section.items():
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, (dict, str)) or isinstance(v, int) and v < 100:
                    continue  # small counts (batch, epochs), the notebook's public seed 66, and the hidden
                    #           run's model class and activation (the notebook's own, no secret)
                assert not re.search(rf"(?<![\d.]){re.escape(str(v))}(?![\d.])", text), (name, v)


def test_standin_data_is_readable_by_torchvision(data_home):
    from torchvision import datasets
    train = datasets.FashionMNIST(data_home / "data", train=True, download=False)
    test = datasets.FashionMNIST(data_home / "data", train=False, download=False)
    assert train.data.shape[1:] == (28, 28) and len(test) > 0
    assert set(train.targets.tolist()) == set(range(10))


def test_locked_checksums_are_those_of_the_template():
    tpl = nbformat.read(REF / "template.ipynb", as_version=4)
    sums = {c.id: checksum(c.source) for c in tpl.cells}
    recorded = json.loads((REF / "locked_checksums.json").read_text())
    spec = tomllib.loads((REF / "spec.toml").read_text())
    assert set(recorded) == set(spec["locked"]["cells"])
    assert recorded == {cid: sums[cid] for cid in recorded}
    assert len(set(recorded.values())) == len(recorded)      # no two locked cells share a checksum
