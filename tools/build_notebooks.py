"""Build Assignment 7's template and solution notebooks from the course's plain-text notebook.

The course keeps its notebook as text (``shared/assignment7/assignment7_notebook.txt``); the
grader needs real nbformat 4.5 notebooks with the cell IDs of ``cells.md``. Code cells are
copied verbatim because the locked-cell checksums guard exactly that text. Run once after the
text changes:

    python tools/build_notebooks.py ../shared/assignment7/assignment7_notebook.txt
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

CODE_IDS = [
    "imports", "hyperparams", "data-loaders", "plot-examples",
    "ann-sigmoid", "ann-sigmoid-test", "ann-relu", "ann-relu-test",
    "train-fn", "test-fn", "train-and-test", "run-sigmoid", "run-relu",
    "answers-3-3", "answer-a-test", "answer-b-test", "answer-c-test",
    "answer-d-test", "answer-e-test",
]
ANSWER_IDS = {
    "Calculation 1.1 (10 Points)": ("calc-1-1", 10),
    "Calculation 1.2 (15 Points)": ("calc-1-2", 15),
    "Calculation 2 (25 Points)": ("calc-2", 25),
}
LOCKED = {"imports", "hyperparams", "data-loaders", "plot-examples", "ann-sigmoid-test",
          "ann-relu-test", "train-fn", "test-fn", "run-sigmoid", "run-relu",
          "answer-a-test", "answer-b-test", "answer-c-test", "answer-d-test", "answer-e-test"}
SOLUTION_CELLS = {"ann-sigmoid", "ann-relu", "train-and-test", "answers-3-3"}
# nbgrader points: auto-graded points sit on the test cells, as nbgrader expects.
POINTS = {"ann-sigmoid-test": 5, "ann-relu-test": 5, "train-and-test": 20,
          **{f"answer-{c}-test": 2 for c in "abcde"}}
MARKDOWN_STARTS = ("<h", "Implement the", "Next, we provide", "Here is a similar")
IMAGE = re.compile(r"<div>\s*<img src=\"attachment:NN_picture_cropped.jpg\"[^>]*>\s*</div>", re.S)

SOLUTIONS = {
    "ann-sigmoid": '''class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        ### BEGIN SOLUTION
        super().__init__()
        self.linear1 = nn.Linear(d_in, 512)
        self.linear2 = nn.Linear(512, 1024)
        self.linear3 = nn.Linear(1024, 512)
        self.linear4 = nn.Linear(512, d_out)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = x.view(x.shape[0], -1)
        x = torch.sigmoid(self.linear1(x))
        x = torch.sigmoid(self.linear2(x))
        x = torch.sigmoid(self.linear3(x))
        return self.linear4(x)
        ### END SOLUTION''',
    "ann-relu": '''class ANN_relu(nn.Module):
    def __init__(self, d_in, d_out):
        ### BEGIN SOLUTION
        super().__init__()
        self.linear1 = nn.Linear(d_in, 512)
        self.linear2 = nn.Linear(512, 1024)
        self.linear3 = nn.Linear(1024, 512)
        self.linear4 = nn.Linear(512, d_out)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = x.view(x.shape[0], -1)
        x = F.relu(self.linear1(x))
        x = F.relu(self.linear2(x))
        x = F.relu(self.linear3(x))
        return self.linear4(x)
        ### END SOLUTION''',
    "train-and-test": '''    ### BEGIN SOLUTION
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"],
                          momentum=hyperparameters["momentum"])
    grads1, grads2, grads3 = [], [], []
    for epoch in range(1, hyperparameters["epochs"] + 1):
        g1, g2, g3 = train(model, train_loader, optimizer, epoch)
        grads1 += g1
        grads2 += g2
        grads3 += g3
        test(model, test_loader)
    plt.figure(figsize=(10, 4))
    plt.plot(grads1, label="layer 1")
    plt.plot(grads2, label="layer 2")
    plt.plot(grads3, label="layer 3")
    plt.xlabel("mini-batch")
    plt.ylabel("mean |gradient|")
    plt.legend()
    plt.show()
    ### END SOLUTION''',
    "answers-3-3": '''### BEGIN SOLUTION
a_ = True
b_ = False
c_ = True
d_ = True
e_ = False
### END SOLUTION''',
}


# Worked answers for the TA's master copy (never in the template: `grader release` turns every
# solution cell back into "YOUR ANSWER HERE"). Calculation 2's numbers need the course's figure,
# which is not part of the text, so the formulas are given in the text's notation.
WRITTEN = {
    "calc-1-1": r"""Suppose some $w_1, w_2$ solve the problem exactly, i.e. $g_1(\mathbf{x}_i;\mathbf{w}) = y_i$ for all four inputs.

* $\mathbf{x}_2 = (1,0)$, $y_2 = 1$: $\;g_1(\mathbf{x}_2) = w_1 = 1$.
* $\mathbf{x}_3 = (0,1)$, $y_3 = 1$: $\;g_1(\mathbf{x}_3) = w_2 = 1$.
* $\mathbf{x}_4 = (1,1)$, $y_4 = 0$: $\;g_1(\mathbf{x}_4) = w_1 + w_2 = 0$.

The first two give $w_1 + w_2 = 2$, the third $w_1 + w_2 = 0$: a contradiction ($\mathbf{x}_1$ gives $0 = 0$ for every $\mathbf{w}$).
Hence no $w_1, w_2$ solve XOR with the linear network $g_1$. $\blacksquare$""",
    "calc-1-2": r"""Hidden layer $\mathbf{h} = \max(0, \mathbf{W}^{[1]}\mathbf{x} + \mathbf{b})$ with $\mathbf{W}^{[1]}\mathbf{x} = (x^{(1)} + x^{(2)},\; x^{(1)} + x^{(2)})^T$, output $g_2 = \mathbf{W}^{[2]T}\mathbf{h} = h_1 - 2h_2$:

| $\mathbf{x}$ | $\mathbf{W}^{[1]}\mathbf{x} + \mathbf{b}$ | $\mathbf{h}$ | $g_2$ | $y$ |
|---|---|---|---|---|
| $(0,0)$ | $(0,-1)$ | $(0,0)$ | $0$ | $0$ |
| $(1,0)$ | $(1,0)$ | $(1,0)$ | $1$ | $1$ |
| $(0,1)$ | $(1,0)$ | $(1,0)$ | $1$ | $1$ |
| $(1,1)$ | $(2,1)$ | $(2,1)$ | $2 - 2 = 0$ | $0$ |

All four outputs equal the labels, so these parameters solve XOR exactly.""",
    "calc-2": r"""Forward pass (inputs $x_1, x_2$; $f_3 = f_4 = f_5 = \text{ReLU}$, identity at the output):

* $s_3 = w_{31}x_1 + w_{32}x_2$, $\;a_3 = f_3(s_3) = \max(0, s_3)$; likewise $s_4, a_4$ and $s_5, a_5$.
* $s_6 = w_{63}a_3 + w_{64}a_4 + w_{65}a_5$, $\;\hat{y} = s_6$.
* $L = \frac12 (y - \hat{y})^2$ with $y = 1$.

Backward pass:

* $\delta_6 = \frac{\partial L}{\partial s_6} = \hat{y} - y$.
* $\delta_3 = f_3'(s_3)\, w_{63}\, \delta_6$ with $f_3'(s_3) = 1$ if $s_3 > 0$, else $0$; likewise $\delta_4 = f_4'(s_4)\,w_{64}\,\delta_6$, $\delta_5 = f_5'(s_5)\,w_{65}\,\delta_6$.
* $\frac{\partial L}{\partial w_{32}} = \delta_3\, x_2$.

The numbers follow by putting the network's values from the figure into these formulas (the
figure is not part of this copy of the course text).""",
}


def split_text(text: str) -> tuple[list[str], list[str]]:
    """Return (markdown chunks, code sources); chunk i precedes code cell i, the last trails."""
    parts = re.split(r"^In \[None\]:\n", text, flags=re.M)
    markdown, code = [parts[0]], []
    for part in parts[1:]:
        lines = part.split("\n")
        cut = next((i for i, line in enumerate(lines) if line.startswith(MARKDOWN_STARTS)), len(lines))
        code.append("\n".join(lines[:cut]).rstrip())
        markdown.append("\n".join(lines[cut:]))
    return markdown, code


def markdown_cells(chunk: str, counter: list[int], solved: bool = False) -> list:
    """Split prose at headings; the answer placeholders become their own graded cells."""
    chunk = IMAGE.sub("*(Figure `NN_picture_cropped.jpg` is not included in this copy.)*", chunk)
    blocks = re.split(r"\n(?=<h[1-3] )", chunk.strip())
    cells = []
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        heading = next((k for k in ANSWER_IDS if k in block.split("\n")[0]), None)
        if heading and "YOUR ANSWER HERE" in block:
            title, _, rest = block.partition("\n")
            cells.append(_md(title, counter))
            cell_id, points = ANSWER_IDS[heading]
            answer = nbformat.v4.new_markdown_cell(WRITTEN[cell_id] if solved else rest.strip(), id=cell_id)
            answer.metadata["nbgrader"] = _nbgrader(cell_id, grade=True, solution=True,
                                                    locked=False, points=points)
            cells.append(answer)
        else:
            cells.append(_md(block, counter))
    return cells


def _md(source: str, counter: list[int]):
    counter[0] += 1
    return nbformat.v4.new_markdown_cell(source, id=f"md-{counter[0]:02d}")


def _nbgrader(cell_id: str, *, grade: bool, solution: bool, locked: bool, points: int | None):
    meta = {"grade": grade, "grade_id": cell_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def solution_source(cell_id: str, template_source: str) -> str:
    if cell_id == "train-and-test":
        return template_source.replace("    # YOUR CODE HERE\n    raise NotImplementedError()",
                                       SOLUTIONS[cell_id])
    return SOLUTIONS[cell_id]


def build(text: str, solved: bool):
    markdown, code = split_text(text)
    if len(code) != len(CODE_IDS):
        raise SystemExit(f"expected {len(CODE_IDS)} code cells, found {len(code)}")
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 5
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    counter = [0]
    for i, cell_id in enumerate(CODE_IDS):
        nb.cells.extend(markdown_cells(markdown[i], counter, solved))
        source = solution_source(cell_id, code[i]) if solved and cell_id in SOLUTION_CELLS else code[i]
        cell = nbformat.v4.new_code_cell(source, id=cell_id)
        cell.metadata["nbgrader"] = _nbgrader(
            cell_id, grade=cell_id in POINTS, solution=cell_id in SOLUTION_CELLS,
            locked=cell_id in LOCKED, points=POINTS.get(cell_id))
        if cell_id == "imports":
            cell.metadata["tags"] = ["imports"]
        nb.cells.append(cell)
    nb.cells.extend(markdown_cells(markdown[-1], counter, solved))
    nbformat.validate(nb)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("text", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "reference" / "assignment7")
    args = parser.parse_args(argv)
    text = args.text.read_text(encoding="utf-8")
    for name, solved in (("template.ipynb", False), ("solution.ipynb", True)):
        nbformat.write(build(text, solved), args.out / name)
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
