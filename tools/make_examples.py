"""Write the example submissions shipped in submissions/ (realistic, each with a known score).

They are derived from the solution so they stay in step with it:
    python tools/make_examples.py
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "reference" / "assignment7" / "solution.ipynb"
OUT = ROOT / "submissions"

WRITTEN = {
    "calc-1-1": "Suppose $w_1, w_2$ solve XOR with $g_1(\\mathbf{x}) = x^{(1)}w_1 + x^{(2)}w_2$. "
                "From $\\mathbf{x}_2$: $w_1 = 1$, from $\\mathbf{x}_3$: $w_2 = 1$, but then "
                "$g_1(\\mathbf{x}_4) = w_1 + w_2 = 2 \\neq 0$. Contradiction.",
    "calc-1-2": "$\\mathbf{W}^{[1]}\\mathbf{x} + \\mathbf{b}$ gives $(0,-1), (1,0), (1,0), (2,1)$; after ReLU "
                "$(0,0), (1,0), (1,0), (2,1)$; times $\\mathbf{W}^{[2]} = (1,-2)$: $0, 1, 1, 0$ = XOR.",
    "calc-2": "$s_3 = w_{31}x_1 + w_{32}x_2$, $a_3 = \\max(0, s_3)$, ... "
              "$\\delta_3 = f'(s_3)\\, w_{63}\\, \\delta_6$, $\\partial L/\\partial w_{32} = \\delta_3 x_2$.",
}

SEQUENTIAL_SIGMOID = '''class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(d_in, 512), nn.Sigmoid(),
            nn.Linear(512, 1024), nn.Sigmoid(),
            nn.Linear(1024, 512), nn.Sigmoid(),
            nn.Linear(512, d_out),
        )

    def forward(self, x):
        return self.net(x)'''

RELU_TORCH = '''class ANN_relu(nn.Module):
    def __init__(self, d_in, d_out):
        super(ANN_relu, self).__init__()
        self.fc1 = nn.Linear(d_in, 512)
        self.fc2 = nn.Linear(512, 1024)
        self.fc3 = nn.Linear(1024, 512)
        self.fc4 = nn.Linear(512, d_out)

    def forward(self, x):
        x = x.flatten(1)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        x = torch.relu(self.fc3(x))
        return self.fc4(x)'''

RELU_LOG_SOFTMAX = RELU_TORCH.replace("return self.fc4(x)", "return F.log_softmax(self.fc4(x), dim=1)")

TRAIN_PER_EPOCH_PLOTS = '''def train_and_test(model: nn.Module, hyperparameters: dict):
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"], momentum=hyperparameters["momentum"])
    for epoch in range(hyperparameters["epochs"]):
        grads1, grads2, grads3 = train(model=model, train_loader=train_loader, optimizer=optimizer, epoch=epoch)
        fig, ax = plt.subplots()
        ax.plot(grads1, label="linear1")
        ax.plot(grads2, label="linear2")
        ax.plot(grads3, label="linear3")
        ax.legend()
        plt.show()
    test(model, test_loader)'''

TRAIN_FIXED_LR = '''def train_and_test(model: nn.Module, hyperparameters: dict):
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    g1, g2, g3 = train(model, train_loader, optimizer, 1)
    test(model, test_loader)
    plt.plot(g1)
    plt.plot(g2)
    plt.plot(g3)
    plt.show()'''

ANSWERS_MIXED = '''a_ = True
b_ = True
c_ = "True"
d_ = True
e_ = None'''

def edit(nb, changes: dict[str, str]):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("id") in changes:
            cell.source = changes[cell.id]
    return nb


def main() -> None:
    sol = nbformat.read(SOLUTION, as_version=4)
    OUT.mkdir(exist_ok=True)
    solved_sigmoid = next(c.source for c in sol.cells if c.get("id") == "ann-sigmoid")
    typo_sigmoid = "\n".join(line for line in solved_sigmoid.split("\n") if "### " not in line).replace(
        "return self.linear4(x)", "return self.linaer4(x)")
    examples = {
        # Full marks, written in other equivalent styles (nn.Sequential, torch.relu, flatten,
        # keyword arguments, one figure per epoch, epochs counted from 0).
        "Assignment_7_JaneDoe_k12345678.ipynb": edit(sol, {**WRITTEN, "ann-sigmoid": SEQUENTIAL_SIGMOID,
                                                           "ann-relu": RELU_TORCH,
                                                           "train-and-test": TRAIN_PER_EPOCH_PLOTS}),
        # Partial: log_softmax at the end of ANN_relu, a fixed learning rate and one epoch only,
        # a wrong answer, a string answer and None; Calculation 2 left open.
        "Assignment_7_MaxMustermann_k01234567.ipynb": edit(sol, {"calc-1-1": WRITTEN["calc-1-1"],
                                                                 "calc-1-2": WRITTEN["calc-1-2"],
                                                                 "ann-relu": RELU_LOG_SOFTMAX,
                                                                 "train-and-test": TRAIN_FIXED_LR,
                                                                 "answers-3-3": ANSWERS_MIXED}),
        # Bad filename, a typo that breaks ANN_sigmoid's forward, everything else right.
        "assignment7_john_smith.ipynb": edit(sol, {**WRITTEN, "ann-sigmoid": typo_sigmoid}),
    }
    for name, nb in examples.items():
        nbformat.write(nb, OUT / name)
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
