"""Generate a realistic batch of submissions with known automatic scores (bench and stress).

Mostly correct notebooks in several styles, some partially wrong, and a share of hostile ones.
Each variant carries the automatic points it must earn, so a run can prove every grade right.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "reference" / "assignment7" / "solution.ipynb"
TEMPLATE = ROOT / "reference" / "assignment7" / "template.ipynb"

SEQUENTIAL = '''class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(d_in, 512), nn.Sigmoid(), nn.Linear(512, 1024),
                                 nn.Sigmoid(), nn.Linear(1024, 512), nn.Sigmoid(), nn.Linear(512, d_out))

    def forward(self, x):
        return self.net(x)'''
RELU_LOGSOFTMAX = '''class ANN_relu(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.l1, self.l2 = nn.Linear(d_in, 512), nn.Linear(512, 1024)
        self.l3, self.l4 = nn.Linear(1024, 512), nn.Linear(512, d_out)

    def forward(self, x):
        x = F.relu(self.l1(x.flatten(1)))
        x = F.relu(self.l3(F.relu(self.l2(x))))
        return F.log_softmax(self.l4(x), dim=1)'''
FIXED_LR = '''def train_and_test(model, hyperparameters):
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=hyperparameters["momentum"])
    for epoch in range(hyperparameters["epochs"]):
        g = train(model, train_loader, optimizer, epoch)
        plt.plot(g[0]); plt.plot(g[1]); plt.plot(g[2])
    test(model, test_loader)'''


@dataclass(frozen=True)
class Variant:
    name: str
    changes: dict
    auto_points: float
    hostile: bool = False
    base: str = "solution"


VARIANTS = [
    Variant("Correct", {}, 50),
    Variant("Sequential", {"ann-sigmoid": SEQUENTIAL}, 50),
    Variant("LogSoftmax", {"ann-relu": RELU_LOGSOFTMAX}, 49),   # one mistake, one point (activations)
    Variant("FixedLr", {"train-and-test": FIXED_LR}, 41),
    Variant("WrongAnswers", {"answers-3-3": "a_ = True\nb_ = True\nc_ = 'True'\nd_ = None\ne_ = False"}, 44),
    Variant("Template", {}, 10, base="template"),
]
HOSTILE = [
    Variant("Loop", {"ann-relu": "while True:\n    pass"}, 45, True),
    Variant("Exit", {"train-and-test": "import os\nos._exit(0)"}, 30, True),
    Variant("Print", {"ann-sigmoid": "for _ in range(1000):\n    print('x' * 10**6)"}, 45, True),
    Variant("Memory", {"train-and-test": "hog = []\nwhile True:\n    hog.append(b'x' * (50 * 2**20))"}, 30, True),
    Variant("Forks", {"ann-relu": "import os, time\nfor i in range(500):\n    if os.fork() == 0:\n"
                                  "        time.sleep(30)\n        os._exit(0)"}, 45, True),
]
CORRECT_SHARE = [0, 0, 0, 0, 1, 1, 2, 3, 4, 5]   # 60 % full marks, the rest partial


def plan(n: int, hostile_share: float = 0.1) -> list[Variant]:
    n_hostile = round(n * hostile_share)
    out = [HOSTILE[i % len(HOSTILE)] for i in range(n_hostile)]
    out += [VARIANTS[CORRECT_SHARE[i % len(CORRECT_SHARE)]] for i in range(n - n_hostile)]
    return out


def write(folder: Path, n: int, hostile_share: float = 0.1) -> dict[str, Variant]:
    """Write n notebooks; return file name -> variant (its expected points)."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = {"solution": nbformat.read(SOLUTION, as_version=4), "template": nbformat.read(TEMPLATE, as_version=4)}
    expected = {}
    for i, v in enumerate(plan(n, hostile_share)):
        nb = copy.deepcopy(bases[v.base])
        for cell in nb.cells:
            if cell.get("id") in v.changes:
                cell.source = v.changes[cell.id]
        name = f"Assignment_7_Student{v.name}_k{i:08d}.ipynb"
        nbformat.write(nb, folder / name)
        expected[name] = v
    return expected
