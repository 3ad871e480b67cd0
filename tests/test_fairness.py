"""Fairness: a cohort of realistic submissions, each with the per-check result a TA would give it.

Unusual but correct code keeps every point; one mistake costs the checks it breaks and no more;
every lost point comes with a message that names the actual mistake (and no hidden value).
Each case is the solution notebook with some cells replaced.
"""
from __future__ import annotations

import ast
import copy
import json
import tomllib
import unicodedata

import nbformat
import pytest

from .conftest import REF, checks_of, contains, hidden_strings

pytestmark = pytest.mark.slow
# The answer key changes with the questions: cases that answer right read it, never copy it.
KEY = tomllib.loads((REF / "answer_key.toml").read_text())

SIGMOID = '''class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
{init}

    def forward(self, x):
        x = x.view(x.shape[0], -1)
        x = torch.sigmoid(self.fc1(x))
        x = torch.sigmoid(self.fc2(x))
        x = torch.sigmoid(self.fc3(x))
        return self.out(x)'''
IN_ORDER = '''        self.fc1 = nn.Linear(d_in, 512{bias})
        self.fc2 = nn.Linear(512, 1024{bias})
        self.fc3 = nn.Linear(1024, 512{bias})
        self.out = nn.Linear(512, d_out{bias})'''
OUTPUT_FIRST = '''        self.out = nn.Linear(512, d_out)
        self.fc1 = nn.Linear(d_in, 512)
        self.fc2 = nn.Linear(512, 1024)
        self.fc3 = nn.Linear(1024, 512)'''

TRAIN = '''def train_and_test(model, hyperparameters):
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"], momentum=hyperparameters["momentum"])
    g1, g2, g3 = [], [], []
    for epoch in range(hyperparameters["epochs"]):
{body}
    plt.plot(g1); plt.plot(g2); plt.plot(g3)
    plt.show()'''
BODY = '''        a, b, c = train(model, train_loader, optimizer, epoch)
        g1 += a; g2 += b; g3 += c
        test(model, test_loader)'''

MODULE_LIST = '''class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        sizes = [d_in, 512, 1024, 512, d_out]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.act = nn.Sigmoid()

    def forward(self, x):
        x = torch.flatten(x, start_dim=1)
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x)'''


def sigmoid(init: str = IN_ORDER.format(bias="")) -> str:
    return SIGMOID.format(init=init)


def relu(act: str) -> str:
    """ANN_relu with ``act`` applied after each hidden layer."""
    return sigmoid().replace("ANN_sigmoid", "ANN_relu").replace("torch.sigmoid", act)



def both(changes: dict) -> dict:
    """The same class as ANN_relu too: the grader's second run hands train_and_test a model that
    counts as an ANN_relu, as the notebook's own cells do, so what the function asks of its model's
    class, both classes have."""
    relu = changes["ann-sigmoid"].replace("ANN_sigmoid", "ANN_relu").replace("nn.Sigmoid()", "nn.ReLU()") \
        .replace("torch.sigmoid", "torch.relu")
    return {"ann-relu": relu, **changes}

def train(body: str = BODY, after: str = "") -> str:
    return TRAIN.format(body=body) + after


def later_epochs_with(name: str, made: str) -> str:
    """The first epoch with the task's SGD, the later ones with another optimizer ``name = made``."""
    return train(BODY.replace("train(model, train_loader, optimizer, epoch)",
                              f"train(model, train_loader, optimizer if epoch == 0 else {name}, epoch)")).replace(
        "    g1, g2, g3 = [], [], []", f"    {name} = {made}\n    g1, g2, g3 = [], [], []")


OWN_SEQUENTIAL = '''class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(d_in, 512), nn.Sigmoid(), nn.Linear(512, 1024), nn.Sigmoid(),
                                 nn.Linear(1024, 512), nn.Sigmoid(), nn.Linear(512, d_out))

    def forward(self, x):
        return self.net(x)'''

ALL_FIVE = {"optimizer": 0, "epochs": 0, "test": 0, "plots": 0, "final_weights": 0}   # every training check lost

# name -> (cell changes, expected points per check (others: full), message needles, flags wanted)
CASES = {
    "the-placeholder-left-below-a-written-init": (   # a hundred-and-fifth review: "not written yet"
        {"ann-sigmoid": sigmoid().replace("\n\n    def forward", "\n        raise NotImplementedError()\n\n    def forward")},
        {f"ANN_sigmoid: {c}": 0 for c in ("builds", "layers", "forward shape", "activations", "seeded")},
        ["`ANN_sigmoid` still raises the template's NotImplementedError (line", "delete the placeholder line"], []),
    "module-list-style": ({"ann-sigmoid": MODULE_LIST}, {}, [], []),
    "created-output-first": (
        {"ann-sigmoid": sigmoid(OUTPUT_FIRST)},
        {"ANN_sigmoid: layers": 0, "ANN_sigmoid: seeded": 0},
        ["registered in another order"], []),
    "no-bias": (
        {"ann-sigmoid": sigmoid(IN_ORDER.format(bias=", bias=False"))},
        {"ANN_sigmoid: layers": 0, "ANN_sigmoid: seeded": 0},
        # seeded says why it cannot be seen, not "create the layers in order" (a student's review)
        ["every layer has no bias", "layers without bias draw other initial weights"], []),
    "only-the-last-layer-without-bias": (   # a forty-sixth review: activations was lost too, "use sigmoid"
        {"ann-sigmoid": sigmoid(IN_ORDER.format(bias="").replace("nn.Linear(512, d_out)",
                                                                  "nn.Linear(512, d_out, bias=False)"))},
        {"ANN_sigmoid: layers": 0, "ANN_sigmoid: seeded": 0}, ["layer 4 has no bias"], []),
    "layers-in-a-plain-list": (
        {"ann-sigmoid": MODULE_LIST.replace("nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))",
                                            "[nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]")},
        {"ANN_sigmoid: layers": 0, "ANN_sigmoid: activations": 0},
        ["use nn.ModuleList"], []),
    "a-forward-that-computes-something-else-with-the-layers": (   # a forty-fifth review: seeded kept its point
        {"ann-sigmoid": sigmoid().replace(
            "        x = x.view(x.shape[0], -1)\n        x = torch.sigmoid(self.fc1(x))\n"
            "        x = torch.sigmoid(self.fc2(x))\n        x = torch.sigmoid(self.fc3(x))\n        return self.out(x)",
            "        return x.reshape(x.shape[0], -1)[:, :10] * self.fc1.weight[0, 0]")},
        {"ANN_sigmoid: activations": 0, "ANN_sigmoid: seeded": 0}, [], []),
    "a-wrong-first-hidden-size": (           # had cost all five: nothing could be confirmed
        {"ann-sigmoid": sigmoid(IN_ORDER.format(bias="").replace("(d_in, 512)", "(d_in, 500)")
                                .replace("(512, 1024)", "(500, 1024)"))},
        {"ANN_sigmoid: layers": 0, "ANN_sigmoid: seeded": 0}, ["found 4: 784→500, 500→1024"], []),
    "a-wrong-hidden-size-and-relu-in-the-sigmoid-class": (    # the second mistake is still named
        {"ann-sigmoid": sigmoid(IN_ORDER.format(bias="").replace("(1024, 512)", "(1024, 256)")
                                .replace("(512, d_out)", "(256, d_out)")).replace("torch.sigmoid", "torch.relu")},
        {"ANN_sigmoid: layers": 0, "ANN_sigmoid: activations": 0, "ANN_sigmoid: seeded": 0},
        ["your network uses relu where the table asks for sigmoid"], []),
    "a-wrong-hidden-size-and-an-output-made-up": (             # no computation to recognise: nothing confirmed
        {"ann-sigmoid": sigmoid(IN_ORDER.format(bias="").replace("(d_in, 512)", "(d_in, 500)")
                                .replace("(512, 1024)", "(500, 1024)")).replace(
            "return self.out(x)", "return torch.sin(self.out(x)) + x.mean()")},
        {"ANN_sigmoid: builds": 0, "ANN_sigmoid: layers": 0, "ANN_sigmoid: forward shape": 0,
         "ANN_sigmoid: activations": 0, "ANN_sigmoid: seeded": 0}, ["not that of sigmoid"], []),
    "a-model-built-inside-train_and_test": (   # a student's review: "define it in the cell itself" (paste the class)
        {"train-and-test": train().replace("    optimizer = optim.SGD(", "    model = ANN_sigmoid(784, 10)\n"
                                                                         "    optimizer = optim.SGD(")},
        ALL_FIVE,     # a new model of its class (type(model) is ANN_sigmoid); the second run's ANN_relu is not one
        ["trains a new model it made", "not the model passed in, which comes back untrained"], []),
    "a-wrong-hidden-size-and-relu6": (       # a fifty-third review: the further passes were skipped for other sizes
        {"ann-relu": relu("F.relu6").replace("(512, 1024)", "(512, 1000)").replace("(1024, 512)", "(1000, 512)")},
        {"ANN_relu: layers": 0, "ANN_relu: activations": 0, "ANN_relu: seeded": 0}, [], []),
    "a-wrong-hidden-size-and-another-network-while-training": (
        {"ann-sigmoid": sigmoid(IN_ORDER.format(bias="").replace("(512, 1024)", "(512, 1000)")
                                .replace("(1024, 512)", "(1000, 512)")).replace(
            "        x = x.view(x.shape[0], -1)\n",
            "        x = x.view(x.shape[0], -1)\n        if torch.is_grad_enabled():\n"
            "            return self.out(torch.sigmoid(self.fc3(torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(x)))))).detach()) * 0\n")},
        {"ANN_sigmoid: layers": 0, "ANN_sigmoid: activations": 0, "ANN_sigmoid: seeded": 0}, [], []),
    "dropout-added": (                         # a fifty-sixth review: dropout was never named
        {"ann-relu": relu("torch.relu").replace("        self.out = nn.Linear(512, d_out)",
                                                "        self.out = nn.Linear(512, d_out)\n        self.drop = nn.Dropout(0.5)")
         .replace("x = torch.relu(self.fc1(x))", "x = self.drop(torch.relu(self.fc1(x)))")},
        {"ANN_relu: activations": 0}, ["your network also has dropout (Dropout)"], []),
    "batch-norm-added": (                      # named on layers and activations, also in grade mode's messages;
        {"ann-relu": relu("torch.relu").replace("        self.out = nn.Linear(512, d_out)",   # seeded kept: fc2's
                                                "        self.out = nn.Linear(512, d_out)\n        self.bn = nn.BatchNorm1d(1024)")
         .replace("x = torch.relu(self.fc2(x))", "x = torch.relu(self.bn(self.fc2(x)))")},    # bias gets no gradient,
        {"ANN_relu: layers": 0, "ANN_relu: activations": 0},                                   # its weight does
        ["besides the table's 4 nn.Linear layers (bn.weight (1024), bn.bias (1024))",
         "batch normalisation (BatchNorm1d)"], []),
    "batch-norm-after-the-first-layer": (      # a seventy-first review: the input x 20 pass saw no computation
        {"ann-sigmoid": sigmoid().replace("        self.out = nn.Linear(512, d_out)",
                                          "        self.out = nn.Linear(512, d_out)\n        self.bn = nn.BatchNorm1d(512)")
         .replace("x = torch.sigmoid(self.fc1(x))", "x = torch.sigmoid(self.bn(self.fc1(x)))")},
        {"ANN_sigmoid: layers": 0, "ANN_sigmoid: activations": 0}, ["batch normalisation (BatchNorm1d)"], []),
    "batch-norm-after-every-hidden-layer": (
        {"ann-relu": relu("torch.relu").replace("        self.out = nn.Linear(512, d_out)",
                                                "        self.out = nn.Linear(512, d_out)\n"
                                                "        self.b1, self.b2, self.b3 = nn.BatchNorm1d(512), nn.BatchNorm1d(1024), "
                                                "nn.BatchNorm1d(512)")
         .replace("x = torch.relu(self.fc1(x))", "x = torch.relu(self.b1(self.fc1(x)))")
         .replace("x = torch.relu(self.fc2(x))", "x = torch.relu(self.b2(self.fc2(x)))")
         .replace("x = torch.relu(self.fc3(x))", "x = torch.relu(self.b3(self.fc3(x)))")},
        {"ANN_relu: layers": 0, "ANN_relu: activations": 0}, ["batch normalisation (BatchNorm1d)"], []),
    "a-normalisation-that-normalises-nothing-and-an-input-never-read": (   # a seventy-second review: seeded
        {"ann-relu": relu("torch.relu").replace("        self.out = nn.Linear(512, d_out)",
                                                "        self.out = nn.Linear(512, d_out)\n        self.norm = nn.LayerNorm(1)")
         .replace("        x = x.view(x.shape[0], -1)\n", "        x = torch.ones(x.shape[0], 784)\n")
         .replace("return self.out(x)", "return self.out(x) + 0 * self.norm.weight.sum()")},
        {"ANN_relu: layers": 0, "ANN_relu: activations": 0, "ANN_relu: seeded": 0}, [], []),
    "leaky-relu-everywhere": (                 # named, not "largest difference 0.002" (a student's review)
        {"ann-relu": relu("F.leaky_relu")}, {"ANN_relu: activations": 0}, ["uses leaky_relu where the table asks for relu"], []),
    "one-hidden-layer-leaky": (               # one slip: activations only, the seeding is still seen
        {"ann-relu": relu("torch.relu").replace("x = torch.relu(self.fc2(x))",
                                                "x = torch.nn.functional.leaky_relu(self.fc2(x), 0.01)")},
        {"ANN_relu: activations": 0}, ["the activation after the second layer (512→1024) is leaky_relu, not relu"], []),
    "tanh-after-one-hidden-layer": (          # a sixtieth review: "largest difference 0.241" did not say where
        {"ann-sigmoid": sigmoid().replace("x = torch.sigmoid(self.fc1(x))", "x = torch.tanh(self.fc1(x))")},
        {"ANN_sigmoid: activations": 0}, ["the activation after the first layer (784→512) is tanh, not sigmoid"], []),
    "no-activation-after-one-hidden-layer": (
        {"ann-relu": relu("torch.relu").replace("x = torch.relu(self.fc3(x))", "x = self.fc3(x)")},
        {"ANN_relu: activations": 0}, ["there is no activation after the third layer (1024→512)"], []),
    "provided-cells-with-blank-lines-and-comments": (   # a forty-sixth review: 2 points for a blank line
        {"imports": "{template}\n\n\n# all imported\n", "plot-examples": "# the data, as provided\n{template}"},
        {}, [], []),
    "both-classes-in-the-sigmoid-cell": (     # a forty-sixth review: the message did not say where
        {"ann-sigmoid": sigmoid() + "\n\n" + relu("torch.relu"), "ann-relu": "# in the cell above"},
        {"ANN_relu: builds": 0, "ANN_relu: layers": 0, "ANN_relu: forward shape": 0, "ANN_relu: activations": 0,
         "ANN_relu: seeded": 0}, ["it is defined in cell 'ann-sigmoid'"], []),
    "a-frozen-layer": (                      # a forty-fifth review: right under no_grad, activations kept
        {"ann-sigmoid": sigmoid().replace("        self.out = nn.Linear(512, d_out)",
                                          "        self.out = nn.Linear(512, d_out)\n"
                                          "        self.fc1.weight.requires_grad = False")},
        {"ANN_sigmoid: activations": 0}, ["gradients on as in training"], []),
    "a-detached-hidden-layer": (
        {"ann-sigmoid": sigmoid().replace("x = torch.sigmoid(self.fc2(x))", "x = torch.sigmoid(self.fc2(x)).detach()")},
        {"ANN_sigmoid: activations": 0}, ["gradients on as in training"], []),
    "another-activation-while-training": (
        {"ann-relu": relu("(torch.tanh if torch.is_grad_enabled() else torch.relu)")},
        {"ANN_relu: activations": 0}, ["gradients on as in training"], []),
    "weights-detached-in-forward": (         # a forty-seventh review: only the biases would train
        {"ann-sigmoid": sigmoid().replace("x = torch.sigmoid(self.fc1(x))",
                                          "x = torch.sigmoid(F.linear(x, self.fc1.weight.detach(), self.fc1.bias))")},
        {"ANN_sigmoid: activations": 0}, ["gradients on as in training"], []),
    "another-activation-in-eval-mode": (     # the same review: test() calls model.eval()
        {"ann-relu": relu("(torch.relu if self.training else torch.sigmoid)")},
        {"ANN_relu: activations": 0}, ["eval mode"], []),
    "another-network-for-large-batches": (
        {"ann-relu": relu("(torch.relu if x.shape[0] < 12 else (lambda h: h))")},
        {"ANN_relu: activations": 0}, ["eval mode"], []),
    "extra-trained-parameters": (            # the same review: they start as an identity
        {"ann-sigmoid": sigmoid().replace("        self.out = nn.Linear(512, d_out)",
                                          "        self.out = nn.Linear(512, d_out)\n"
                                          "        self.alpha = nn.Parameter(torch.ones(1))").replace(
            "return self.out(x)", "return self.out(x) * self.alpha")},
        {"ANN_sigmoid: layers": 0}, ["besides the table's 4 nn.Linear layers (alpha (1))"], []),   # named now
    "a-model-cell-under-timeit": (           # the same review: Jupyter defines nothing then
        {"ann-sigmoid": "%%timeit -n1 -r1\n" + sigmoid()},
        {"ANN_sigmoid: builds": 0, "ANN_sigmoid: layers": 0, "ANN_sigmoid: forward shape": 0,
         "ANN_sigmoid: activations": 0, "ANN_sigmoid: seeded": 0}, ["is not defined after running"], []),
    "relu-by-hand": ({"ann-relu": relu("(lambda t: t.clamp(min=0))")}, {}, [], []),
    # IPython runs a `%timeit` statement in a function: a comprehension there sees the names the
    # statement binds (a hundred-and-ninety-seventh review: a NameError in the grader only, 45/50)
    "a-timeit-line-whose-comprehension-reads-its-own-name": (
        {"ann-relu": "%timeit -n1 -r1 x = torch.randn(4, 784); [x.flatten(1) for _ in range(3)]\n"
                     + relu("torch.relu")}, {}, [], ["!raised:ann-relu"]),
    "sigmoid-by-hand": ({"ann-sigmoid": sigmoid().replace("torch.sigmoid(", "(lambda t: 1 / (1 + torch.exp(-t)))(")},
                        {}, [], []),
    "log-softmax-on-the-output": (
        {"ann-sigmoid": sigmoid().replace("return self.out(x)", "return torch.log_softmax(self.out(x), dim=1)")},
        {"ANN_sigmoid: activations": 0},              # one mistake, one check (a new TA's review)
        ["forward applies log_softmax"], []),
    "sigmoid-on-a-relu-networks-output": (   # a ninety-third review: "largest difference 0.658"
        {"ann-relu": relu("torch.relu").replace("return self.out(x)", "return torch.sigmoid(self.out(x))")},
        {"ANN_relu: activations": 0}, ["forward applies sigmoid to the output"], []),
    "tanh-on-a-relu-networks-output": (
        {"ann-relu": relu("torch.relu").replace("return self.out(x)", "return torch.tanh(self.out(x))")},
        {"ANN_relu: activations": 0}, ["forward applies tanh to the output"], []),
    "tanh-for-relu": ({"ann-relu": relu("torch.tanh")}, {"ANN_relu: activations": 0},   # seeded: its layers
                      ["tanh where the table asks for relu"], []),                     # are seeded right
    "relu6": ({"ann-relu": relu("torch.nn.functional.relu6")}, {"ANN_relu: activations": 0},
              ["not a capped or clipped variant"], []),
    "leaky-relu-with-a-tiny-slope": (
        {"ann-relu": relu("(lambda t: torch.nn.functional.leaky_relu(t, 1e-5))")}, {"ANN_relu: activations": 0},
        ["a leaky or shifted variant"], []),
    "leaky-relu-with-a-slope-of-1e-7": (      # a thirty-ninth review: 1e-7 still passed
        {"ann-relu": relu("(lambda t: torch.nn.functional.leaky_relu(t, 1e-7))")}, {"ANN_relu: activations": 0},
        ["a leaky or shifted variant"], []),
    "forward-ignores-the-biases": (
        {"ann-sigmoid": sigmoid().replace("self.fc1(x)", "x @ self.fc1.weight.T").replace(
            "self.fc2(x)", "x @ self.fc2.weight.T").replace("self.fc3(x)", "x @ self.fc3.weight.T").replace(
            "return self.out(x)", "return x @ self.out.weight.T")},
        {"ANN_sigmoid: activations": 0}, ["forward must call each layer"], []),     # the seeding is right
    "base-class-from-another-cell": (
        {"ann-relu": "class ANN_relu(ANN_sigmoid):\n    pass"},
        {f"ANN_relu: {c}": 0 for c in ("builds", "layers", "forward shape", "activations", "seeded")},
        ["NameError", "Each cell is graded on its own"], []),
    "global-from-the-test-cell": (
        {"ann-sigmoid": sigmoid().replace("nn.Linear(d_in, 512)", "nn.Linear(input_size, 512)")},
        {f"ANN_sigmoid: {c}": 0 for c in ("builds", "layers", "forward shape", "activations", "seeded")},
        ["No cell of the notebook defines `input_size` (a typo?)"], []),     # no cell defines it
    "no-flatten": (
        {"ann-sigmoid": sigmoid().replace("        x = x.view(x.shape[0], -1)\n", "")},
        {"ANN_sigmoid: forward shape": 0, "ANN_sigmoid: activations": 0, "ANN_sigmoid: seeded": 0},
        ["Flatten the input first"], []),
    "only-last-epoch-plotted": (
        {"train-and-test": train(BODY.replace("g1 += a; g2 += b; g3 += c", "g1, g2, g3 = a, b, c"))},
        {"plots": 0}, ["only the gradient lists of the last epoch"], []),
    "optimizer-over-a-parameter-group": (
        {"train-and-test": train().replace("optim.SGD(model.parameters(),", 'optim.SGD([{"params": model.parameters()}],')},
        {}, [], []),
    "optimizer-over-named-parameters": (
        {"train-and-test": train().replace("optim.SGD(model.parameters(),", "optim.SGD(model.named_parameters(),")},
        {}, [], []),
    "loaders-as-default-arguments": (
        {"train-and-test": train().replace("def train_and_test(model, hyperparameters):",
                                           "def train_and_test(model, hyperparameters, train_loader=train_loader, "
                                           "test_loader=test_loader):")}, {}, [], []),
    # A fairness review: the provided loaders rebuilt from their datasets with the argument's batch
    # sizes (shuffled, as the template's train_loader is) cost up to 20 points.
    "loaders-rebuilt-from-their-datasets": (
        {"train-and-test": train(BODY.replace("train(model, train_loader,", "train(model, mine,").replace(
            "test(model, test_loader)", "test(model, DataLoader(test_loader.dataset, "
                                        "batch_size=hyperparameters['test_batch_size'], shuffle=False))")).replace(
            "    g1, g2, g3 = [], [], []", "    mine = DataLoader(train_loader.dataset, batch_size=hyperparameters"
                                          "['batch_size'], shuffle=True)\n    g1, g2, g3 = [], [], []")},
        {}, [], []),
    "train-and-test-under-other-names": (
        {"train-and-test": "train_fn, test_fn = train, test\n" + train().replace(
            "= train(model,", "= train_fn(model,").replace("test(model, test_loader)", "test_fn(model, test_loader)")},
        {}, [], []),
    "ipython-magics": (
        {"train-and-test": "%matplotlib inline\n" + train(), "ann-relu": "%%time\n{relu}",
         "ann-sigmoid": sigmoid() + "\n!echo built\ndisplay(ANN_sigmoid(784, 10))"}, {}, [], []),
    # IPython's help syntax left in a graded cell: Jupyter shows the help and runs the rest.
    "ipython-help-lines": (
        {"train-and-test": "nn.Linear?\n" + train(), "ann-relu": "?nn.ReLU\n{relu}\nANN_relu??",
         "ann-sigmoid": sigmoid() + "\nif True:\n    torch.*rand*?\nx = torch.sigmoid?"}, {}, [], []),
    "gradients-drawn-as-their-logarithm": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3): plt.plot(torch.log(torch.tensor(g)))")}, {}, [], []),
    "progress-bar-over-the-epochs": (       # tqdm's monitor thread made the probe refuse: -20
        {"train-and-test": "from tqdm import tqdm\n" + train().replace(
            'for epoch in range(hyperparameters["epochs"]):', 'for epoch in tqdm(range(hyperparameters["epochs"])):')},
        {}, [], ["extra-import:tqdm"]),
    "notebook-progress-bar-and-seaborn-plots": (     # seventy-fourth review: ImportError / ModuleNotFoundError, -20
        {"train-and-test": "from tqdm.notebook import tqdm\nimport seaborn as sns\n" + train().replace(
            'for epoch in range(hyperparameters["epochs"]):', 'for epoch in tqdm(range(hyperparameters["epochs"])):')
            .replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                     "sns.lineplot(data=g1); sns.lineplot(data=g2); sns.lineplot(data=g3)")},
        {}, [], ["extra-import:tqdm", "extra-import:seaborn"]),
    "gradients-as-scatter-plots": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3): plt.scatter(range(len(g)), g, s=4)")}, {}, [], []),
    # A hundred-and-sixty-ninth review: steps, stems and horizontal bars read "0 of the 3 were plotted".
    "gradients-as-steps-stems-and-horizontal-bars": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "fig, (a1, a2, a3, a4) = plt.subplots(1, 4)\n    a1.stairs(g1, label='1')\n"
                                           "    a2.vlines(range(len(g2)), 0, g2)\n    a3.barh(range(len(g3)), g3)\n"
                                           "    a4.hlines(range(len(g1)), xmin=0, xmax=g1)")}, {}, [], []),
    "gradients-as-steps-only": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3): plt.stairs(g)")}, {}, [], []),
    "gradients-as-invisible-stems": (          # drawn in no colour: not seen, not plotted
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3): plt.vlines(range(len(g)), 0, g, colors='none')")},
        {"plots": 0}, ["0 of the 3 gradient lists"], []),
    "gradients-as-filled-areas": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3): plt.fill_between(range(len(g)), g, alpha=.3)")},
        {}, [], []),
    "gradients-as-box-plots": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "plt.boxplot([g1, g2, g3]); plt.yscale('log')")}, {}, [], []),
    "gradients-as-histograms": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3): plt.hist(g, bins=20, alpha=.5)")}, {}, [], []),
    # A hundred-and-seventy-first review: histograms and box plots were read when drawn, shown or not.
    "gradients-as-histograms-in-a-figure-closed-unshown": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "f2, a2 = plt.subplots()\n    for g in (g1, g2, g3): a2.hist(g)\n"
                                           "    a2.boxplot([g1, g2, g3]); plt.close(f2)")},
        {"plots": 0}, ["drawn, but on a figure Jupyter never shows"], []),
    "gradients-as-transparent-histograms": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3): plt.hist(g, alpha=0)")}, {"plots": 0}, [], []),
    "gradients-against-words-out-of-view": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3): plt.plot([f'c{i}' for i in range(len(g))], g)\n"
                                           "    plt.xlim(10000, 20000)")}, {"plots": 0}, [], []),
    "gradients-against-words": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3): plt.plot([f'c{i}' for i in range(len(g))], g)")},
        {}, [], []),
    "gradients-as-heatmaps": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "fig, (a1, a2) = plt.subplots(1, 2)\n    a1.imshow([g1, g2, g3], aspect='auto')\n"
                                           "    a2.pcolormesh([g1, g2, g3])")}, {}, [], []),
    "gradients-as-a-stack-plot": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "plt.stackplot(range(len(g1)), g1, g2, g3)")}, {}, [], []),
    "code-in-cells-added-below-the-untouched-ones": (
        {"ann-relu": "{template}", "below:ann-relu": "{solution}",
         "train-and-test": "{template}", "below:train-and-test": "{solution}"},
        {}, [], ["moved:ann-relu", "moved:train-and-test"]),
    "answers-in-a-cell-added-below": (
        {"answers-3-3": "{template}", "below:answers-3-3": "{solution}"}, {}, [], ["moved:answers-3-3"]),
    "written-answer-in-a-cell-added-below": (
        {"calc-1-1": "YOUR ANSWER HERE", "below:calc-1-1": "{solution}"}, {}, [], ["moved:calc-1-1"]),
    "answers-split-over-two-cells": (
        {"answers-3-3": "\n".join(f"{n} = {KEY[n]}" for n in ("a_", "b_", "c_")),
         "below:answers-3-3": "\n".join(f"{n} = {KEY[n]}" for n in ("d_", "e_"))}, {}, [], ["moved:answers-3-3"]),
    "an-answer-corrected-in-a-cell-added-below": (   # a forty-sixth review: the correction was ignored
        {"answers-3-3": "\n".join(f"{n} = {KEY[n] if n != 'a_' else not KEY[n]}" for n in ("a_", "b_", "c_", "d_", "e_")),
         "below:answers-3-3": f"a_ = {KEY['a_']}  # corrected"}, {}, [], ["moved:answers-3-3"]),
    "test-only-before-training": (
        {"train-and-test": train(BODY.replace("        test(model, test_loader)", "        pass")).replace(
            "    g1, g2, g3 = [], [], []", "    test(model, test_loader)\n    g1, g2, g3 = [], [], []")},
        {"test": 0}, ["only on the untrained model"], []),
    "trained-with-lr-zero-then-tested": (
        {"train-and-test": train().replace('lr=hyperparameters["lr"]', "lr=0.0")},
        {"optimizer": 0, "test": 0, "final_weights": 0}, ["only on the untrained model"], []),
    "a-copy-trained-the-model-tested": (
        {"train-and-test": "import copy\n" + train().replace(
            "    optimizer = optim.SGD(model.parameters(),",
            "    model, tested = copy.deepcopy(model), model\n    optimizer = optim.SGD(model.parameters(),").replace(
            "test(model, test_loader)", "test(tested, test_loader)")},
        # the copy's training is checked by the replay and kept; `test` got the untrained model
        {"test": 0, "final_weights": 0}, ["only on the untrained model", "trains a copy of the model"], []),
    "a-copy-trained-and-tested": (        # one mistake: the passed model comes back untrained
        {"train-and-test": "import copy\n" + train().replace(
            "    optimizer = optim.SGD(model.parameters(),",
            "    model = copy.deepcopy(model)\n    optimizer = optim.SGD(model.parameters(),")},
        {"final_weights": 0}, ["trains a copy of the model, not the model passed in"], []),
    "a-copy-trained-then-loaded-back": (        # a thirty-sixth review: it lost 15 points
        {"train-and-test": "import copy\n" + train(BODY.replace("model", "net")).replace(
            "    optimizer = optim.SGD(model.parameters()",
            "    net = copy.deepcopy(model)\n    optimizer = optim.SGD(net.parameters()").replace(
            "    plt.plot(g1)", "    model.load_state_dict(net.state_dict())\n    plt.plot(g1)")},
        {}, [], []),
    "tested-on-a-copy-of-the-trained-model": (  # a thirty-sixth review: it lost the test points
        {"train-and-test": "import copy\n" + train(BODY.replace("        test(model, test_loader)", "")).replace(
            "    plt.plot(g1)", "    test(copy.deepcopy(model), test_loader)\n    plt.plot(g1)")},
        {}, [], []),
    "train-loader-rebuilt-with-a-batch-size-of-its-own": (   # a thirty-sixth review: it lost all 20
        {"train-and-test": train(BODY.replace("train(model, train_loader,", "train(model, loader,")).replace(
            "    g1, g2, g3 = [], [], []", "    loader = DataLoader(train_loader.dataset, batch_size=64, shuffle=True)\n"
                                         "    g1, g2, g3 = [], [], []")},
        {"epochs": 0, "final_weights": 0}, ["a loader of your own over the training data with batch size 64"], []),
    "test-loader-rebuilt-with-a-batch-size-of-its-own": (    # the same loss and accuracy are printed
        {"train-and-test": train(BODY.replace("test(model, test_loader)",
                                              "test(model, DataLoader(test_loader.dataset, batch_size=1000))"))},
        {}, [], []),
    "template-names-use-cuda-and-kwargs": (   # names the provided cells define (a thirty-sixth review)
        {"train-and-test": train(BODY.replace("train(model, train_loader,", "train(model, loader,")).replace(
            "    g1, g2, g3 = [], [], []",
            "    if use_cuda:\n        model = model.cuda()\n"
            "    loader = DataLoader(train_loader.dataset, batch_size=hyperparameters['batch_size'], shuffle=True,"
            " **kwargs)\n    g1, g2, g3 = [], [], []")},
        {}, [], []),
    "an-extra-optimizer-step-after-train": (   # a thirty-sixth review: it lost 13 points
        {"train-and-test": train(BODY.replace("        g1 += a;", "        optimizer.step()\n        g1 += a;"))},
        {"final_weights": 0}, ["optimizer.step() outside `train`"], []),
    "a-step-lr-scheduler": (                   # the same review: 13 points for one extra line
        {"train-and-test": train(BODY + "\n        scheduler.step()").replace(
            "    g1, g2, g3 = [], [], []",
            "    scheduler = optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.5)\n    g1, g2, g3 = [], [], []")},
        # each epoch no longer trains as asked: epochs too (the thirty-ninth review set lr to 0 this way)
        {"epochs": 0, "final_weights": 0}, ["not with the same optimizer settings in every epoch",
                                            "the optimizer's settings changed between calls of `train`"], []),
    "lr-decayed-by-hand": (
        {"train-and-test": train(BODY + "\n        for group in optimizer.param_groups:\n"
                                        "            group['lr'] *= 0.9")},
        {"epochs": 0, "final_weights": 0}, ["the optimizer's settings changed between calls of `train`"], []),
    "weight-decay-set-in-param-groups": (     # the thirty-ninth review: it kept the optimizer's points
        {"train-and-test": train().replace("    g1, g2, g3 = [], [], []",
                                           "    optimizer.param_groups[0]['weight_decay'] = 0.3\n"
                                           "    g1, g2, g3 = [], [], []")},
        {"optimizer": 0, "final_weights": 0}, ["changed in optimizer.param_groups before training"], []),
    "epoch-lists-appended-not-extended": (   # a ninety-third review: "smoothed, trimmed or every n-th value?"
        {"train-and-test": train(BODY.replace("g1 += a; g2 += b; g3 += c", "g1.append(a); g2.append(b); g3.append(c)"))},
        {"plots": 0}, ["as when a list of the epochs' lists is plotted (grads1.append(g1))"], []),
    "momentum-set-in-param-groups-before-training": (   # a ninety-third review: optimizer 0/4
        {"train-and-test": train().replace(', momentum=hyperparameters["momentum"])', ")").replace(
            "    g1, g2, g3 = [], [], []", "    for group in optimizer.param_groups:\n"
                                          "        group['momentum'] = hyperparameters['momentum']\n"
                                          "    g1, g2, g3 = [], [], []")},
        {}, [], []),
    "lr-set-to-a-fraction-in-param-groups-before-training": (   # the thirty-ninth review's, still refused
        {"train-and-test": train().replace("    g1, g2, g3 = [], [], []",
                                           "    optimizer.param_groups[0]['lr'] *= 0.01\n"
                                           "    g1, g2, g3 = [], [], []")},
        {"optimizer": 0, "final_weights": 0}, ["changed in optimizer.param_groups before training"], []),
    "a-figure-made-without-pyplot-and-displayed": (   # a ninety-third review: plots 0/4
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
                                           "    from matplotlib.figure import Figure\n    fig = Figure()\n"
                                           "    ax = fig.subplots()\n    ax.plot(g1); ax.plot(g2); ax.plot(g3)\n"
                                           "    display(fig)")},
        {}, [], []),
    "display-imported-from-ipython": (       # Jupyter's own display, imported: no extra-import flag
        {"train-and-test": "from IPython.display import display\n" + train().replace(
            "    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
            "    fig = plt.figure()\n    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    display(fig)")}, {}, [], []),
    "first-epoch-sgd-then-adam": (           # the thirty-ninth review: optimizer kept its points
        {"train-and-test": later_epochs_with("adam", "optim.Adam(model.parameters(), lr=1e-3)")},
        {"optimizer": 0, "epochs": 0, "final_weights": 0}, ["another optimizer than the SGD"], []),
    "an-idle-optimizer-after-the-first-epoch": (   # the thirty-ninth review: epochs kept its points
        {"train-and-test": later_epochs_with("idle", "optim.SGD(model.parameters(), lr=0.0)")},
        {"optimizer": 0, "epochs": 0, "final_weights": 0}, ["not with the same optimizer settings"], []),
    "lr-zero-then-weights-halved-then-tested": (   # the thirty-ninth review: test kept its points
        {"train-and-test": "def train_and_test(model, hyperparameters):\n"
                           "    optimizer = optim.SGD(model.parameters(), lr=0.0)\n"
                           "    train(model, train_loader, optimizer, 1)\n"
                           "    with torch.no_grad():\n        for q in model.parameters():\n            q.mul_(0.5)\n"
                           "    train(model, train_loader, optimizer, 2)\n"
                           "    test(model, test_loader)"},
        ALL_FIVE, [], []),
    "a-copy-trained-and-its-state-dict-lent-to-the-model": (   # the fortieth review: it earned final_weights
        {"train-and-test": "import copy\n" + train(BODY.replace("model", "twin")).replace(
            "    optimizer = optim.SGD(model.parameters()",
            "    twin = copy.deepcopy(model)\n    optimizer = optim.SGD(twin.parameters()").replace(
            "    plt.plot(g1)", "    model.state_dict = twin.state_dict\n    plt.plot(g1)")},
        {"final_weights": 0}, ["trains a copy of the model"], []),
    "two-hundred-optimizers-hide-more-calls": (  # the fortieth review: twenty unseen calls kept epochs
        {"train-and-test": train().replace(
            "    plt.show()", "    plt.show()\n    idle = optim.SGD(model.parameters(), lr=0.0)\n"
                             "    for _ in range(200):\n        optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n"
                             "    for e in range(20):\n        train(model, test_loader, idle, e)")},
        {"optimizer": 0, "epochs": 0, "test": 0, "plots": 0}, ["more than 200 calls"], []),
    "lists-plotted-invisibly": (                 # the fortieth review: plots kept its points
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "    for g in (g1, g2, g3):\n        plt.plot(g, visible=False)")},
        {"plots": 0}, [], []),
    "lists-plotted-in-no-colour-or-a-hidden-figure": (   # the forty-second review: plots kept its points
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "    plt.plot(g1, color='none'); plt.plot(g2, lw=0, marker='o', ms=0)\n"
                                           "    plt.figure().set_visible(False)\n    plt.plot(g3)")},
        {"plots": 0}, [], []),
    "a-histogram-that-raises": (
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "    for g in (g1, g2, g3):\n        try:\n"
                                           "            plt.hist(g, bins=-1)\n        except ValueError:\n"
                                           "            pass")},
        {"plots": 0}, [], []),
    "train-and-test-through-partial-and-a-dict": (   # the fortieth review: an honest function lost 11
        {"train-and-test": "import functools\nrun_epoch = functools.partial(train)\n"
                           "steps = {'test': test}\n" + train(BODY.replace("train(model,", "run_epoch(model,")
                                                                .replace("test(model,", "steps['test'](model,"))},
        {}, [], []),
    "lr-and-momentum-given-in-the-parameter-group": (   # the forty-first review: optimizer lost its points
        {"train-and-test": train().replace(
            'optim.SGD(model.parameters(), lr=hyperparameters["lr"], momentum=hyperparameters["momentum"])',
            'optim.SGD([{"params": model.parameters(), "lr": hyperparameters["lr"], '
            '"momentum": hyperparameters["momentum"]}])')},
        {}, [], []),
    "a-scheduler-that-acts-only-after-the-public-epochs": (   # the forty-first review: "count your epochs"
        {"train-and-test": train(BODY + "\n        scheduler.step()").replace(
            "    g1, g2, g3 = [], [], []",
            "    scheduler = optim.lr_scheduler.StepLR(optimizer, 2, gamma=0.1)\n    g1, g2, g3 = [], [], []")},
        {"epochs": 0, "final_weights": 0}, ["your learning-rate scheduler (StepLR)"], []),
    "the-model-re-initialised-before-training": (   # the forty-first review: 20 points, 4 messages unclear
        {"train-and-test": train().replace(
            "    g1, g2, g3 = [], [], []",
            "    for m in model.modules():\n        if isinstance(m, nn.Linear):\n"
            "            nn.init.xavier_uniform_(m.weight)\n    g1, g2, g3 = [], [], []")},
        ALL_FIVE,
        ["changed the model's weights before its first call of `train`"], []),
    # A hundredth review: the grader's model was an nn.Sequential of three Linear layers, so code
    # that names a layer as `train`'s docstring does, or counts the table's four, lost points.
    "sgd-over-the-layers-by-name": (
        {"train-and-test": train().replace(
            "optim.SGD(model.parameters(),",
            "optim.SGD([q for layer in (model.linear1, model.linear2, model.linear3, model.linear4)\n"
            "                           for q in layer.parameters()],")}, {}, [], []),
    "plot-labels-from-the-layers": (
        {"train-and-test": train().replace(
            "plt.plot(g1); plt.plot(g2); plt.plot(g3)",
            "for g, layer in zip((g1, g2, g3), (model.linear1, model.linear2, model.linear3)):\n"
            "        plt.plot(g, label=f\"{layer.in_features}->{layer.out_features}\")\n    plt.legend()")}, {}, [], []),
    "a-summary-of-the-four-linear-layers": (
        {"train-and-test": train(BODY + "\n        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]\n"
                                 "        for i in range(4):\n"
                                 "            print(i + 1, linears[i].weight.abs().mean().item())")}, {}, [], []),
    "sgd-over-the-first-layer-only": (       # one named layer: replayed over the same parameters
        {"train-and-test": train().replace("optim.SGD(model.parameters(),", "optim.SGD(model.linear1.parameters(),")},
        {"optimizer": 0, "final_weights": 0}, ["SGD optimises only some of the model's parameters (linear1)"], []),
    "a-layer-name-of-ones-own": (            # the grader's model has the assignment's names, not every class's
        {"train-and-test": train().replace("optim.SGD(model.parameters(),", "optim.SGD(model.fc1.parameters(),")},
        ALL_FIVE,
        ["has no attribute 'fc1'", "linear1 to linear4", "model.parameters()"], []),
    "layers-read-in-a-loop-over-their-names": (   # getattr over written-out names: no exec flag (review 102)
        {"train-and-test": train(BODY + "\n        for name in [\"linear1\", \"linear2\", \"linear3\"]:\n"
                                 "            print(name, getattr(model, name).weight.norm().item())")}, {}, [], []),
    "a-line-style-per-public-epoch": (     # fails with the grader's epochs only: the fixed text says it may raise
        {"train-and-test": train(BODY.replace("g1 += a; g2 += b; g3 += c",
                                              "g1 += a; g2 += b; g3 += c\n        style = {0: '-', 1: '--'}[epoch]"))},
        {"test": 0, "plots": 0}, ["or the function stopped with an error with the grader's values"], []),
    "the-class-of-another-cell-in-a-title": (
        {"train-and-test": train().replace("    plt.plot(g1);", "    title = 'Sigmoid' if isinstance(model, ANN_sigmoid) "
                                                               "else 'ReLU'\n    plt.title(title)\n    plt.plot(g1);")},
        {}, [], ["!raised:train-and-test"]),     # the model counts as an ANN_sigmoid, as in the notebook
    "an-assert-on-the-tables-sizes": (
        {"train-and-test": train().replace(
            "    optimizer = optim.SGD(",
            "    dims = [(m.in_features, m.out_features) for m in model.modules() if isinstance(m, nn.Linear)]\n"
            "    assert dims[1] == (512, 1024), f'unexpected architecture {dims}'\n    optimizer = optim.SGD(")},
        ALL_FIVE,
        ["with as many Linear layers as the table's but narrower (784→32→64→32→10)"], []),
    "sgd-over-some-of-the-parameters": (     # replayed over the same parameters: optimizer only
        {"train-and-test": train().replace("optim.SGD(model.parameters(),", "optim.SGD(list(model.parameters())[:-2],")},
        {"optimizer": 0, "final_weights": 0}, ["only some of the model's parameters (linear1, linear2, linear3)"], []),
    "a-loader-over-a-slice-of-the-data": (     # a forty-eighth review: final_weights kept on 48 images
        {"train-and-test": train(BODY.replace(
            "train(model, train_loader, optimizer, epoch)",
            "train(model, DataLoader(train_loader.dataset, batch_size=train_loader.batch_size, "
            "sampler=torch.utils.data.SequentialSampler(range(min(640, len(train_loader.dataset))))), "
            "optimizer, epoch)"))},
        {"epochs": 0, "test": 0, "plots": 0, "final_weights": 0}, ["does not go over the whole training set"], []),
    "a-new-copy-each-epoch": (
        {"train-and-test": "import copy\n" + train(BODY.replace(
            "a, b, c = train(model, train_loader, optimizer, epoch)",
            "m = copy.deepcopy(model)\n        a, b, c = train(m, train_loader, optim.SGD(m.parameters(), "
            "lr=hyperparameters['lr'], momentum=hyperparameters['momentum']), epoch)").replace(
            "test(model, test_loader)", "test(m, test_loader)"))},
        {"epochs": 0, "final_weights": 0}, ["another model in some epochs", "trains a copy"], []),
    "weights-scaled-by-hand-then-tested": (
        {"train-and-test": "def train_and_test(model, hyperparameters):\n    with torch.no_grad():\n"
                           "        for q in model.parameters():\n            q.mul_(0.5)\n"
                           "    test(model, test_loader)"},
        ALL_FIVE, [], []),
    "weights-scaled-after-training-then-tested": (       # a twenty-fifth review: `test` kept its points
        {"train-and-test": train(BODY.replace("        test(model, test_loader)", "")).replace(
            "    plt.plot(g1)", "    with torch.no_grad():\n        for q in model.parameters():\n"
                               "            q.mul_(0.5)\n    test(model, test_loader)\n    plt.plot(g1)")},
        {"test": 0, "final_weights": 0}, [], []),
    "a-copy-trained-then-weights-scaled-and-tested": (   # the thirty-second review: `test` kept its points
        {"train-and-test": "def train_and_test(model, hyperparameters):\n    import copy\n"
                           "    optimizer = optim.SGD(model.parameters(), lr=hyperparameters['lr'], "
                           "momentum=hyperparameters['momentum'])\n"
                           "    g1, g2, g3 = train(model, train_loader, optimizer, 1)\n"
                           "    other = copy.deepcopy(model)\n"
                           "    train(other, train_loader, optim.SGD(other.parameters(), lr=0.0), 2)\n"
                           "    with torch.no_grad():\n        for q in model.parameters():\n            q.mul_(0.5)\n"
                           "    test(model, test_loader)"},
        ALL_FIVE, [], []),
    "test-before-and-after-training": (
        {"train-and-test": train().replace("    g1, g2, g3 = [], [], []",
                                           "    test(model, test_loader)\n    g1, g2, g3 = [], [], []")}, {}, [], []),
    "test-on-the-train-loader": (
        {"train-and-test": train(BODY.replace("test(model, test_loader)", "test(model, train_loader)"))},
        {"test": 0}, ["with train_loader", "test_loader"], []),
    "optimizer-per-epoch": (
        {"train-and-test": train(BODY.replace("a, b, c = train(model, train_loader, optimizer, epoch)",
                                              "a, b, c = train(model, train_loader, optim.SGD(model.parameters(), "
                                              "lr=hyperparameters['lr'], momentum=hyperparameters['momentum']), "
                                              "epoch)"))},
        {"final_weights": 0}, ["a new SGD optimizer was made for each epoch"], []),
    "a-typo-in-the-call-of-train": (             # a student's review: "pass it to train", "weights differ"
        {"train-and-test": train(BODY.replace("a, b, c = train(model,", "a, b, c = trian(model,"))},
        ALL_FIVE,
        ["stopped before calling `train`", "`train` was not called before the error"], []),
    "gradient-ascent": (
        {"train-and-test": train().replace('momentum=hyperparameters["momentum"])',
                                           'momentum=hyperparameters["momentum"], maximize=True)')},
        {"optimizer": 0, "final_weights": 0}, ["maximize"], []),
    "own-training-loop": (
        {"train-and-test": '''def train_and_test(model, hyperparameters):
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"], momentum=hyperparameters["momentum"])
    for epoch in range(hyperparameters["epochs"]):
        model.train()
        for data, target in train_loader:
            optimizer.zero_grad()
            F.cross_entropy(model(data), target).backward()
            optimizer.step()
        test(model, test_loader)'''},
        {"epochs": 0, "plots": 0}, ["trains with a loop of its own"], []),
    "own-training-loop-plotting-its-gradients": (   # a fifty-sixth review: the loop cost epochs and plots
        {"train-and-test": '''def train_and_test(model, hyperparameters):
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"], momentum=hyperparameters["momentum"])
    g1, g2, g3 = [], [], []
    for epoch in range(hyperparameters["epochs"]):
        model.train()
        for data, target in train_loader:
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(data), target).backward()
            ws = [m.weight.grad.abs().mean().item() for m in model.modules() if isinstance(m, nn.Linear)]
            g1.append(ws[0]); g2.append(ws[1]); g3.append(ws[2])
            optimizer.step()
        test(model, test_loader)
    plt.plot(g1); plt.plot(g2); plt.plot(g3); plt.show()'''},
        {"epochs": 0}, ["trains with a loop of its own"], []),
    "own-training-loop-without-zero_grad": (   # a sixtieth review: "a result of what optimizer names", and
        {"train-and-test": '''def train_and_test(model, hyperparameters):      # "test ... only on the untrained model"
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"], momentum=hyperparameters["momentum"])
    for epoch in range(hyperparameters["epochs"]):
        model.train()
        for data, target in train_loader:
            F.cross_entropy(model(data), target).backward()
            optimizer.step()
        test(model, test_loader)'''},
        ALL_FIVE,   # nothing can be confirmed
        ["`test` was called, but `train` never was", "optimizer.zero_grad() before each backward pass"], []),
    "test-before-train-in-every-epoch": (      # a sixtieth review: the trained model was never tested
        {"train-and-test": train(BODY.replace("\n        test(model, test_loader)", "")
                                 .replace("        a, b, c = train(", "        test(model, test_loader)\n        a, b, c = train("))},
        {"test": 0}, ["before the last epoch's training, never after it"], []),
    "testing-a-snapshot-of-the-first-epoch": (   # a sixty-second review: the trained model was never tested
        {"train-and-test": '''import copy


def train_and_test(model, hyperparameters):
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"], momentum=hyperparameters["momentum"])
    g1, g2, g3, snap = [], [], [], None
    for epoch in range(hyperparameters["epochs"]):
        a, b, c = train(model, train_loader, optimizer, epoch)
        g1 += a; g2 += b; g3 += c
        if snap is None:
            snap = copy.deepcopy(model)
            test(snap, test_loader)
    test(snap, test_loader)
    plt.plot(g1); plt.plot(g2); plt.plot(g3)
    plt.show()'''},
        {"test": 0}, ["got a copy of the model made before that epoch"], []),
    "sgd-without-momentum": (                  # a student's review: "does not come from hyperparameters"
        {"train-and-test": train().replace(', momentum=hyperparameters["momentum"])', ")")},
        {"optimizer": 0, "final_weights": 0}, ["made without momentum (pass momentum=hyperparameters['momentum'])"], []),
    "the-tuple-train-returns-plotted-whole": (   # a student's review: "0 of 3 plotted" after plt.plot
        {"train-and-test": train(BODY.replace("a, b, c = train(model, train_loader, optimizer, epoch)",
                                              "grads = train(model, train_loader, optimizer, epoch)\n"
                                              "        a, b, c = grads\n        plt.plot(grads)")).replace(
            "    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n", "")},
        {"plots": 0}, ["as when the tuple `train` returns is plotted whole"], []),
    "a-corrected-copy-added-below-the-old-cell": (   # a student's review: the message was about the old code
        {"ann-sigmoid": sigmoid().replace("x = torch.sigmoid(self.fc2(x))", "x = torch.relu(self.fc2(x))"),
         "below:ann-sigmoid": sigmoid()},
        {"ANN_sigmoid: activations": 0},
        ["a cell you added defines `ANN_sigmoid` again; the grader grades the `ANN_sigmoid` of cell 'ann-sigmoid'"],
        ["added-cell:1", "redefined:ann-sigmoid"]),
    # ... the other way round: Run All uses the broken copy, and check said "ready to hand in" (a fairness
    # review, 297); flagged, so check lists it to fix
    "a-broken-copy-added-below-a-right-class": (
        {"below:ann-sigmoid": sigmoid().replace("x = torch.sigmoid(self.fc2(x))", "x = torch.relu(self.fc2(x))")},
        {}, ["a cell you added defines `ANN_sigmoid` again"], ["added-cell:1", "redefined:ann-sigmoid"]),
    # ... but not an experiment after every provided cell that uses the class (a fairness review, 299)
    "a-class-defined-again-for-an-experiment-at-the-end": (
        {"end": sigmoid().replace("x = torch.sigmoid(self.fc2(x))", "x = torch.relu(self.fc2(x))")},
        {}, ["after every provided cell that uses it; the grader grades the `ANN_sigmoid` of cell 'ann-sigmoid' "
             "(nothing to fix)"], ["added-cell:1", "!redefined:ann-sigmoid"]),
    "lines-drawn-faint-hair-thin-or-out-of-view": (   # a sixty-eighth review: 4 points for plots nobody sees
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n",
                                           "    plt.plot(g1, alpha=1e-9); plt.plot(g2, lw=1e-9)\n"
                                           "    plt.plot(g3); plt.xlim(1e6, 2e6)\n")},
        {"plots": 0}, ["0 of the 3 gradient lists"], []),
    "lines-drawn-half-transparent-and-thin": (      # seen: full points
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n",
                                           "    plt.plot(g1, alpha=0.3, lw=0.5); plt.plot(g2, alpha=0.3, lw=0.5)\n"
                                           "    plt.plot(g3, alpha=0.3, lw=0.5); plt.xlim(0, 5)\n")},
        {}, [], []),
    "only-the-first-epochs-lists-plotted": (       # a sixty-ninth review: "0 of the 3 ... plotted"
        {"train-and-test": train(BODY.replace("g1 += a; g2 += b; g3 += c",
                                              "g1, g2, g3 = (g1, g2, g3) if g1 else (a, b, c)"))},
        {"plots": 0}, ["only one epoch's gradient lists were plotted"], []),
    # A hundred-and-fifth review: a function written against the student's own class (its names)
    # raised AttributeError on the grader's model; that model now answers to those names too.
    "sgd-over-the-classs-own-sequential": (
        both({"ann-sigmoid": OWN_SEQUENTIAL,
         "train-and-test": train().replace("optim.SGD(model.parameters()", "optim.SGD(model.net.parameters()")}),
        {}, [], ["!raised:train-and-test"]),
    # ... also on a new model or a copy (a hundred-and-sixth review: asking one of them for `.net`
    # gave it names the passed model had not, it was taken for another model: all 20 lost).
    "a-new-model-trained-through-the-classs-own-names": (
        both({"ann-sigmoid": OWN_SEQUENTIAL,
         "train-and-test": train().replace("    optimizer = optim.SGD(model.parameters()",
                                           "    model = type(model)(784, 10)\n"
                                           "    optimizer = optim.SGD(model.net.parameters()")}),
        {"final_weights": 0}, ["trains a new model it made"], []),
    "a-copy-trained-through-the-classs-own-names": (
        both({"ann-sigmoid": OWN_SEQUENTIAL,
         "train-and-test": "import copy\n" + train().replace("    optimizer = optim.SGD(model.parameters()",
                                                            "    model = copy.deepcopy(model)\n"
                                                            "    optimizer = optim.SGD(model.net.parameters()")}),
        {"final_weights": 0}, ["trains a copy of the model"], []),
    "legend-and-title-from-the-classs-own-names": (
        both({"ann-sigmoid": MODULE_LIST.replace("        self.act = nn.Sigmoid()",
                                            "        self.act = nn.Sigmoid()\n        self.name = 'sigmoid'"),
         "train-and-test": train().replace(
             "    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n",
             "    for g, layer in zip((g1, g2, g3), model.layers):\n"
             "        plt.plot(g, label=f'{layer.in_features} -> {layer.out_features}')\n"
             "    plt.title(f'{model.name} network ({type(model.act).__name__})'); plt.legend()\n")}),
        {}, [], ["!raised:train-and-test"]),
    # A hundred-and-eighth review: a method, a property, a class attribute or a library function of
    # the student's class, used by train_and_test, raised AttributeError on the grader's model: all 20.
    "a-method-and-a-property-of-the-classs-own": (
        both({"ann-sigmoid": MODULE_LIST.replace("    def forward(self, x):",
                                            "    kind = 'sigmoid'\n\n"
                                            "    def n_params(self):\n        return sum(p.numel() for p in self.parameters())\n\n"
                                            "    @property\n    def depth(self):\n        return len(self.layers)\n\n"
                                            "    @staticmethod\n    def describe(n):\n        return f'{n:,} parameters'\n\n"
                                            "    def forward(self, x):"),
         "train-and-test": train().replace(
             "    optimizer = optim.SGD(",
             "    print(model.describe(model.n_params()), model.depth, model.kind)\n    optimizer = optim.SGD(")}),
        {}, [], ["!raised:train-and-test"]),
    "a-library-function-and-the-sizes-kept-by-the-class": (
        both({"ann-sigmoid": MODULE_LIST.replace("        self.act = nn.Sigmoid()",
                                            "        self.act = torch.sigmoid\n        self.sizes = tuple(sizes)")
                                   .replace("x = self.act(layer(x))", "x = self.act(layer(x))"),
         "train-and-test": train().replace(
             "    optimizer = optim.SGD(",
             "    print(model.act.__name__, model.sizes[1:-1], len(model.sizes))\n    optimizer = optim.SGD(")}),
        {}, [], ["!raised:train-and-test"]),
    "a-lambda-of-the-classs-own-read-after-the-plot": (   # it cannot be taken on: said, no flag, nothing lost
        {"ann-sigmoid": MODULE_LIST.replace("        self.act = nn.Sigmoid()", "        self.act = lambda t: torch.sigmoid(t)"),
         "train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n",
                                           "    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.title(model.act.__name__)\n")},
        {}, ["with your class, in the notebook, it may run"], ["!raised:train-and-test"]),
    "the-model-trained-through-torch-compile": (   # a hundred-and-eighth review: an InductorError, all 20 lost
        {"train-and-test": train().replace("    optimizer = optim.SGD(model.parameters()",
                                           "    model = torch.compile(model)\n    optimizer = optim.SGD(model.parameters()")},
        {}, [], ["!raised:train-and-test"]),
    # A hundred-and-twelfth review: display imported in the function (or IPython.display.display)
    # was not seen, and the figure closed after it counted as never shown; the class's own names
    # through type(model) or a classmethod, and super() in its methods, raised; DataParallel was
    # taken for another model.
    "display-imported-in-the-function-then-closed": (
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
                                           "    from IPython.display import display as show_it\n    import IPython.display\n"
                                           "    fig = plt.figure()\n    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n"
                                           "    show_it(fig)\n    IPython.display.display(fig)\n    plt.close(fig)")},
        {}, [], []),
    "the-classs-names-through-its-type-a-classmethod-and-super": (
        both({"ann-sigmoid": MODULE_LIST.replace("    def forward(self, x):",
                                            "    activation_name = 'sigmoid'\n\n"
                                            "    @classmethod\n    def kind(cls):\n        return cls.activation_name\n\n"
                                            "    def summary(self):\n        return len(super().state_dict())\n\n"
                                            "    def forward(self, x):"),
         "train-and-test": train().replace(
             "    optimizer = optim.SGD(",
             "    print(model.kind(), type(model).activation_name, model.summary())\n    optimizer = optim.SGD(")}),
        {}, [], ["!raised:train-and-test"]),
    "the-model-trained-through-data-parallel": (
        {"train-and-test": train().replace("    optimizer = optim.SGD(model.parameters()",
                                           "    model = nn.DataParallel(model)\n    optimizer = optim.SGD(model.parameters()")},
        {}, [], ["!raised:train-and-test"]),
    # A fifteenth-session fairness review: each lost 4 or 20 points, and each works in Jupyter.
    "attributes-of-the-class-that-are-not-plain-values": (   # self.device, None, dicts of settings and lists
        both({"ann-sigmoid": MODULE_LIST.replace("        self.act = nn.Sigmoid()",
                                            "        self.act = nn.Sigmoid()\n        self.device = device\n"
                                            "        self.label = None\n        self.dtype_used = torch.float32\n"
                                            "        self.cfg = dict(hidden=(512, 1024, 512), act='sigmoid')\n"
                                            "        self.history = {'grads': [[], [], []], 'epochs': 0}"),
         "train-and-test": train().replace("    optimizer = optim.SGD(",
                                           "    model.to(model.device, model.dtype_used)\n    optimizer = optim.SGD(")
         .replace("    plt.show()", "    model.history['grads'] = [g1, g2, g3]\n"
                                  "    plt.title(f\"{model.label or 'model'} {model.cfg['act']}\")\n    plt.show()")}),
        {}, [], ["!raised:train-and-test"]),
    "a-class-that-is-a-sequential-indexed-and-counted": (
        both({"ann-sigmoid": "class ANN_sigmoid(nn.Sequential):\n    def __init__(self, d_in, d_out):\n"
                        "        super().__init__(nn.Flatten(), nn.Linear(d_in, 512), nn.Sigmoid(), nn.Linear(512, 1024),\n"
                        "                         nn.Sigmoid(), nn.Linear(1024, 512), nn.Sigmoid(), nn.Linear(512, d_out))",
         "train-and-test": train().replace("    optimizer = optim.SGD(",
                                           "    print(model[1], len(model), [type(m).__name__ for m in model], bool(model))\n"
                                           "    optimizer = optim.SGD(")}),
        {}, [], ["!raised:train-and-test"]),
    # A fairness item: the weights read by the names of the student's own class from the model's
    # state_dict (KeyError: 'fc1.weight', 4 points lost for a function that works in the notebook).
    "the-state-dict-read-by-the-classs-own-names": (
        both({"ann-sigmoid": sigmoid(),
              "train-and-test": train().replace(
                  "    plt.show()", "    sd = model.state_dict()\n"
                                  "    plt.title(f\"{sd['fc1.weight'].norm():.1f} {tuple(sd['out.bias'].shape)}\")\n"
                                  "    plt.show()")}),
        {}, [], ["!raised:train-and-test"]),
    "the-state-dict-of-a-class-that-is-a-sequential": (
        both({"ann-sigmoid": "class ANN_sigmoid(nn.Sequential):\n    def __init__(self, d_in, d_out):\n"
                        "        super().__init__(nn.Flatten(), nn.Linear(d_in, 512), nn.Sigmoid(), nn.Linear(512, 1024),\n"
                        "                         nn.Sigmoid(), nn.Linear(1024, 512), nn.Sigmoid(), nn.Linear(512, d_out))",
              "train-and-test": train().replace(
                  "    plt.show()", "    best = {k: v.clone() for k, v in model.state_dict().items()}\n"
                                  "    model.load_state_dict(best)\n"
                                  "    plt.title(str(tuple(best['7.weight'].shape)))\n    plt.show()")}),
        {}, [], ["!raised:train-and-test"]),
    "the-figure-closed-and-returned": (   # the notebook's cells end with the call: Jupyter shows it
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
                                           "    fig, ax = plt.subplots()\n    ax.plot(g1); ax.plot(g2); ax.plot(g3)\n"
                                           "    plt.close(fig)\n    return fig")},
        {}, [], []),
    "the-figure-saved-closed-and-shown-as-an-image": (
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
                                           "    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n"
                                           "    plt.savefig('grads.png'); plt.close()\n"
                                           "    from IPython.display import Image, display\n    display(Image('grads.png'))")},
        {}, [], []),
    "the-notebooks-classes-named-in-the-function": (
        {"train-and-test": train().replace("    plt.show()",
                                           "    kind = 'Sigmoid' if isinstance(model, ANN_sigmoid) else 'ReLU'\n"
                                           "    plt.title(kind + {ANN_sigmoid: ' (s)', ANN_relu: ' (r)'}[type(model)])\n"
                                           "    plt.show()")},
        {}, [], ["!raised:train-and-test"]),
    "another-cells-class-built-in-the-function": (   # still graded on its own: said as before
        {"train-and-test": train().replace("    optimizer = optim.SGD(",
                                           "    other = ANN_relu(784, 10)\n    optimizer = optim.SGD(")},
        ALL_FIVE, ["`ANN_relu` is another cell's"], []),
    # A hundred-and-nineteenth review: the model is named as the class it stands for, the grader's
    # own names keep out of the class's way, and the second run's model counts as an ANN_relu.
    "the-class-name-as-a-key-and-attributes-named-as-the-graders": (
        both({"ann-sigmoid": MODULE_LIST.replace("        self.act = nn.Sigmoid()",
                                                 "        self.act = nn.Sigmoid()\n        self.activation = torch.sigmoid\n"
                                                 "        self.depth = 3\n        self.flatten = 'flat'"),
              "train-and-test": train().replace(
                  "    plt.show()", "    names = {'ANN_sigmoid': 'Sigmoid', 'ANN_relu': 'ReLU'}\n"
                                  "    assert model.depth == 3 and model.flatten == 'flat'\n"
                                  "    plt.title(names[type(model).__name__] + ' ' + model.activation.__name__)\n"
                                  "    plt.show()")}),
        {}, [], ["!raised:train-and-test"]),
    "the-relu-model-left-untrained": (     # it counts as an ANN_relu in the second run: not trained there
        {"train-and-test": train().replace("    optimizer = optim.SGD(",
                                           "    if isinstance(model, ANN_relu):\n        return\n    optimizer = optim.SGD(")},
        ALL_FIVE, [], []),
    # As the notebook's ReLU cell would, it fails in the second run, after the checks: said from the
    # cells' code, never from that run, whose own error made a note come and go by a hidden value
    # (reviews 168 and 172).
    "a-name-only-the-sigmoid-class-has": (
        {"ann-sigmoid": MODULE_LIST.replace("        self.act = nn.Sigmoid()", "        self.act = nn.Sigmoid()\n        self.tag = 's'"),
         "train-and-test": train().replace("    plt.show()", "    plt.title(model.tag)\n    plt.show()")},
        {}, ["uses `model.tag`, which only your ANN_sigmoid defines, not your ANN_relu"], []),
    "a-name-only-the-sigmoid-class-has-before-the-training": (    # it cost the checks
        {"ann-sigmoid": MODULE_LIST.replace("        self.act = nn.Sigmoid()", "        self.act = nn.Sigmoid()\n        self.tag = 's'"),
         "train-and-test": train().replace('    for epoch in range(hyperparameters["epochs"]):',
                                           '    plt.title(model.tag)\n    for epoch in range(hyperparameters["epochs"]):')},
        ALL_FIVE, ["uses `model.tag`, which only your ANN_sigmoid defines, not your ANN_relu"], []),
    "a-name-both-classes-have": (       # the ReLU class's made by setattr: not read, not said
        {"ann-sigmoid": MODULE_LIST.replace("        self.act = nn.Sigmoid()", "        self.act = nn.Sigmoid()\n        self.tag = 's'"),
         "ann-relu": MODULE_LIST.replace("ANN_sigmoid", "ANN_relu").replace("nn.Sigmoid()", "nn.ReLU()").replace(
             "        self.act = nn.ReLU()", "        self.act = nn.ReLU()\n        setattr(self, 'tag', 'r')"),
         "train-and-test": train().replace("    plt.show()", "    plt.title(model.tag + str(model.training))\n    plt.show()")},
        {}, ["!only your ANN_sigmoid defines"], []),
    "the-figure-saved-without-extension-and-as-a-file-then-shown-as-images": (
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
                                           "    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.savefig('grads')\n"
                                           "    with open('again.png', 'wb') as fh:\n        plt.savefig(fh)\n    plt.close()\n"
                                           "    from IPython.display import Image, display\n"
                                           "    display(Image('again.png'))\n    return Image('grads.png')")},
        {}, [], []),
    # A hundred-and-twenty-second review: `type(model) is ANN_relu`, a constant of the class's cell
    # read by a method or a class attribute, and `self.to(device)` in __init__ lost all 20.
    "the-class-by-identity-a-constant-of-its-cell-and-to-device-in-init": (
        both({"ann-sigmoid": "ACT_NAME = 'Sigmoid'\n\n" + MODULE_LIST.replace(
                  "        self.act = nn.Sigmoid()", "        self.act = nn.Sigmoid()\n        self.to(device)").replace(
                  "    def forward(self, x):", "    label = ACT_NAME\n\n    def describe(self):\n"
                                              "        return f'{ACT_NAME} network'\n\n    def forward(self, x):"),
              "train-and-test": train().replace(
                  "    optimizer = optim.SGD(",
                  "    print(model.describe(), model.label, type(model) is ANN_sigmoid or type(model) is ANN_relu)\n"
                  "    assert type(model) is ANN_sigmoid or type(model) is ANN_relu\n"
                  "    optimizer = optim.SGD(")}),
        {}, [], ["!raised:train-and-test"]),
    "a-new-model-made-from-type-of-the-model": (   # a sixty-ninth review: a bare TypeError under every check;
        # then all five lost, where a copy trained loses one: the replay now trains a new model of the
        # class from the weights it held when first seen, so only the passed model's training is lost
        {"train-and-test": train().replace("    optimizer = optim.SGD(", "    model = type(model)(784, 10)\n"
                                                                          "    optimizer = optim.SGD(")},
        {"final_weights": 0}, ["trains a new model it made (type(model)(...)), not the model passed in"], []),
    "a-new-model-changed-by-hand-before-training": (   # its weights are taken when first seen: later edits count
        {"train-and-test": train().replace(
            "    optimizer = optim.SGD(", "    model = type(model)(784, 10)\n    optimizer = optim.SGD(").replace(
            "        a, b, c = train(", "        if epoch == 1:\n            with torch.no_grad():\n"
                                      "                model.linear1.weight.mul_(0.5)\n        a, b, c = train(")},
        {"epochs": 0, "test": 0, "plots": 0, "final_weights": 0}, [], []),
    "all-three-gradient-lists-drawn-times-1000": (   # a ninety-seventh review: one unit for all, the layers compare
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "for g in (g1, g2, g3):\n        plt.plot([1000 * v for v in g])\n"
                                           "    plt.ylabel('mean |grad| (x 1e-3)')")}, {}, [], []),
    "train-called-under-no-grad": (   # a ninety-seventh review: "stopped before calling `train`", no cause named
        {"train-and-test": train(BODY.replace("        a, b, c = train(model, train_loader, optimizer, epoch)",
                                              "        with torch.no_grad():\n"
                                              "            a, b, c = train(model, train_loader, optimizer, epoch)"))},
        ALL_FIVE,
        ["Gradients were off when the loss was computed: is `train` called inside `with torch.no_grad():`"], []),
    "one-mean-per-epoch-plotted": (   # a ninety-seventh review: "smoothed, trimmed or every n-th value?"
        {"train-and-test": train(BODY.replace("g1 += a; g2 += b; g3 += c",
                                              "g1.append(sum(a) / len(a)); g2.append(sum(b) / len(b)); "
                                              "g3.append(sum(c) / len(c))"))},
        {"plots": 0}, ["a line drawn holds one mean per epoch"], []),
    # A ninety-eighth review trained 5 mini-batches an epoch, where the grader's data has 3: not seen
    # in the points (the README says so), flagged for a TA.
    "training-cut-short-by-a-break": (
        {"train-and-test": 'def train_and_test(model: nn.Module, hyperparameters: dict):\n    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"],\n                          momentum=hyperparameters["momentum"])\n    grads1, grads2, grads3 = [], [], []\n    for epoch in range(1, hyperparameters["epochs"] + 1):\n        model.train()\n        for batch_idx, (data, target) in enumerate(train_loader):\n            if batch_idx == 5:          # only the first 5 mini-batches of each epoch\n                break\n            optimizer.zero_grad()\n            loss = F.cross_entropy(model(data), target)\n            loss.backward()\n            g = [torch.mean(abs(l.weight.grad)).item() for l in model.modules() if isinstance(l, nn.Linear)]\n            grads1.append(g[0]); grads2.append(g[1]); grads3.append(g[2])\n            optimizer.step()\n        test(model, test_loader)\n    plt.plot(grads1); plt.plot(grads2); plt.plot(grads3)\n    plt.show()\n'},
        {"epochs": 0}, ["holds what can stop training partway through an epoch (`break` in a loop over a loader"],
        ["partial-training:train-and-test"]),
    "training-cut-short-by-a-hook": (
        {"train-and-test": 'def train_and_test(model: nn.Module, hyperparameters: dict):\n    seen = [0]\n    def limit(m, inp, out):                 # after 5 mini-batches an epoch, nothing more is learnt\n        seen[0] += 1\n        return out if not m.training or seen[0] <= 5 else out.detach() + 0 * out\n    model.register_forward_hook(limit)\n    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"],\n                          momentum=hyperparameters["momentum"])\n    grads1, grads2, grads3 = [], [], []\n    for epoch in range(1, hyperparameters["epochs"] + 1):\n        seen[0] = 0\n        g1, g2, g3 = train(model, train_loader, optimizer, epoch)\n        grads1 += g1; grads2 += g2; grads3 += g3\n        test(model, test_loader)\n    plt.plot(grads1); plt.plot(grads2); plt.plot(grads3)\n    plt.show()\n'},
        {}, ["(`register_forward_hook` (line 6))"], ["partial-training:train-and-test"]),
    "a-small-weight-decay": (   # a ninety-seventh review: final_weights kept or lost by the draw of lr and momentum
        {"train-and-test": train().replace('momentum=hyperparameters["momentum"]',
                                           'momentum=hyperparameters["momentum"], weight_decay=1.25e-4')},
        {"optimizer": 0, "final_weights": 0}, ["the model was trained with weight_decay, which the task's SGD does not have"], []),
    "one-gradient-list-drawn-times-1000": (      # seventy-fourth review: "2 of the 3 ... plotted", which one?
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "plt.plot(g1); plt.plot(g2); plt.plot([1000 * g for g in g3])")},
        {"plots": 0}, ["the third list is drawn times a constant (scaled or normalised)"], []),
    "one-epoch-too-few": (      # seventy-fourth review: "once" did not say one too few
        {"train-and-test": train().replace('range(hyperparameters["epochs"])', 'range(1, hyperparameters["epochs"])')},
        {"epochs": 0, "final_weights": 0}, ["one call fewer than hyperparameters['epochs'] asks for"], []),
    "train-called-once-with-the-epochs-as-its-epoch": (   # a hundred-and-fifth review: "check the range's bounds"
        {"train-and-test": train().replace('    for epoch in range(hyperparameters["epochs"]):\n', "    if True:\n").replace(
            "train(model, train_loader, optimizer, epoch)", 'train(model, train_loader, optimizer, hyperparameters["epochs"])')},
        {"epochs": 0, "final_weights": 0}, ["with hyperparameters['epochs'] as its epoch number"], []),
    "fixed-epochs": (
        {"train-and-test": train().replace('range(hyperparameters["epochs"])', "range(5)")},
        {"epochs": 0, "final_weights": 0}, ["`train` was called 5 times, not once per epoch"],
        ["fixed-value:train-and-test"]),
    "test-once-figure-per-epoch-keywords": (
        {"train-and-test": '''def train_and_test(model: nn.Module, hyperparameters: dict):
    opt = optim.SGD(params=model.parameters(), momentum=hyperparameters["momentum"], lr=hyperparameters["lr"])
    for e in range(1, hyperparameters["epochs"] + 1):
        grads = train(model=model, train_loader=train_loader, optimizer=opt, epoch=e)
        fig, ax = plt.subplots()
        for g in grads:
            ax.plot(g)
        display(fig)
        plt.close(fig)
    test(model=model, test_loader=test_loader)'''}, {}, [], []),
    # A hundred-and-ninth review: figures Jupyter never shows earned the plots' 4 points. A figure
    # closed before it is shown, lines drawn after plt.show() closed their figure, plt.ioff().
    "a-figure-closed-before-it-is-shown": (
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
                                           "    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.close()")},
        {"plots": 0}, ["drawn, but on a figure Jupyter never shows", "plt.close() before plt.show()"], []),
    "plt-show-before-the-plotting": (
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
                                           "    fig, ax = plt.subplots()\n    plt.show()\n"
                                           "    ax.plot(g1); ax.plot(g2); ax.plot(g3)")},
        {"plots": 0}, ["plt.show() shows the figures open at that moment and closes them"], []),
    "interactive-mode-off-and-no-show": (
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
                                           "    plt.ioff()\n    plt.plot(g1); plt.plot(g2); plt.plot(g3)")},
        {"plots": 0}, ["drawn after plt.ioff()"], []),
    "interactive-mode-off-for-a-while-then-shown": (
        {"train-and-test": train().replace("    plt.plot(g1); plt.plot(g2); plt.plot(g3)\n    plt.show()",
                                           "    with plt.ioff():\n        fig = plt.figure()\n"
                                           "    plt.plot(g1); plt.plot(g2); plt.plot(g3)")},
        {}, [], []),
    "lower-case-answer": (
        {"answers-3-3": f"a_ = {KEY['a_']!s}".lower() + "".join(f"\n{n} = {KEY[n]}" for n in "b_ c_ d_ e_".split())},
        {"a_": 0}, [f"`{KEY['a_']!s}`".lower() + f" is not Python's `{KEY['a_']}`"], []),
    "unpacked-answers": (
        {"answers-3-3": f"[a_, b_] = [{KEY['a_']}, {KEY['b_']}]\nc_, d_ = {KEY['c_']}, {KEY['d_']}\ne_ = {KEY['e_']}"},
        {}, [], []),
    "edited-hyperparameters": (
        {"hyperparams": None}, {}, [], ["changed:hyperparams"]),
    "extra-import": (
        {"ann-relu": "import numpy as np\n" + "{relu}"}, {}, [], ["extra-import:numpy"]),
    "code-run-from-a-string": (                         # full points; a TA is told to read it
        {"ann-relu": "exec({relu!r})"}, {}, [], ["exec:ann-relu"]),
    "code-run-from-a-string-below-a-magic": (
        {"ann-relu": "%matplotlib inline\nexec({relu!r})"}, {}, [], ["exec:ann-relu"]),
    "code-run-by-exec-under-another-name": (           # an alias is read as reaching exec
        {"ann-relu": "run = exec\nrun({relu!r})", "ann-sigmoid": "getattr(__builtins__, 'ex' 'ec')({sigmoid!r})"},
        {}, [], ["exec:ann-relu", "exec:ann-sigmoid"]),
    # IPython runs `{...}` of a shell line as Python: the grader does not, and a TA is told (a
    # hundred-and-ninety-second review); a plain name filled in only reads it.
    "python-in-a-shell-line": (
        {"ann-relu": "{relu}\n!echo {len(ANN_relu.__name__)}", "ann-sigmoid": "where = '.'\n!ls {where} $where\n{sigmoid}"},
        {}, ["runs Python inside a shell or magic line"], ["exec:ann-relu", "!exec:ann-sigmoid"]),
    "python-in-a-shell-line-timed": (                # a hundred-and-ninety-seventh review: unflagged
        {"ann-relu": "{relu}\n%time !echo {exec('import numpy')}"},
        {}, ["runs Python inside a shell or magic line"], ["exec:ann-relu"]),
    "an-import-and-exec-behind-an-assigned-time": (   # a hundred-and-ninety-ninth review: unflagged
        {"ann-relu": "{relu}\n_ = %time import tqdm; exec('x = 1')"}, {}, [], ["extra-import:tqdm", "exec:ann-relu"]),
    "an-exec-in-a-timed-loop": (                     # the same review: read as `pass`
        {"ann-relu": "{relu}\n%timeit -n1 -r1 for _ in [0]: exec('x = 1')"}, {}, [], ["exec:ann-relu"]),
    # IPython's calls written out, as `jupyter nbconvert --to script` and Colab write a magic: read as
    # the magic (a two-hundred-and-sixth review: a NameError, "a typo?", 20 and 5 points)
    "a-magic-written-as-get-ipython": (
        {"train-and-test": "get_ipython().run_line_magic('matplotlib', 'inline')\nget_ipython().system('nvidia-smi')\n"
                           + train(),
         "ann-sigmoid": "from IPython import get_ipython\n"
                        "get_ipython().run_line_magic('config', \"InlineBackend.figure_format = 'retina'\")\n{sigmoid}",
         "ann-relu": "{relu}\nget_ipython().run_line_magic('timeit', '-n 2 -r 2 ANN_relu(784, 10)')"},
        {}, [], ["!raised:train-and-test", "!raised:ann-sigmoid", "!raised:ann-relu"]),
    "an-exec-in-a-config-line": (                    # a two-hundred-and-fifth review: unflagged
        {"ann-relu": "%config InlineBackend.figure_format = 'retina'\n{relu}\n%config Foo.bar = exec('x = 1')"},
        {}, [], ["exec:ann-relu"]),
    "a-magic-alias-made-as-a-value": (              # a two-hundred-and-tenth review: unflagged
        {"ann-relu": "{relu}\nx = %alias_magic t time\n%t import tqdm"}, {}, [], ["extra-import:tqdm", "exec:ann-relu"]),
    "an-import-from-a-file-run-inside-a-magic": (     # a two-hundred-and-eleventh review: unflagged
        {"ann-relu": "{relu}\n%time %run -i helpers.py"}, {}, [], ["exec:ann-relu"]),
    "an-import-from-a-file-run-behind-a-pasted-prompt": (  # seen in review 425: IPython strips the prompts first
        {"ann-relu": ">>> import torch\n{relu}\n... %run -i helpers.py"}, {}, [], ["exec:ann-relu"]),
    "an-import-from-a-file-run-into-an-attribute": (  # a two-hundred-and-fourteenth review: unflagged
        {"ann-relu": "{relu}\nclass O: pass\no = O()\no.x = %run -i helpers.py"}, {}, [], ["exec:ann-relu"]),
    "an-import-from-a-file-run-on-a-continued-line": (  # a two-hundred-and-fifteenth review: unflagged
        {"ann-relu": "{relu}\nprint(1\n!= 2); m = %run -i helper.py"}, {}, [], ["exec:ann-relu"]),
    "code-run-by-ipythons-shell-from-an-escaped-line": (  # a two-hundred-and-eighteenth review: unflagged
        {"ann-relu": "{relu}\n;get_ipython().run_cell import subprocess; exec('print(1)')"}, {}, [],
        ["exec:ann-relu", "raised:ann-relu"]),
    "an-import-behind-a-computed-magic-call-beside-a-form-feed": (  # a two-hundred-and-twentieth review
        {"ann-relu": "{relu}\n# note\x0c\n%pwd\nget_ipython().run_line_magic('time', 'import subprocess; ' + 'x = 1')"},
        {}, [], ["exec:ann-relu"]),
    "get-ipython-bound-in-the-cell": (                 # a two-hundred-and-twenty-first review: unflagged
        {"ann-relu": "{relu}\nimport types\nget_ipython = lambda: types.SimpleNamespace(run_line_magic=print)\n"
                     "%time x = 1"}, {}, [], ["exec:ann-relu"]),
    "a-magic-made-in-the-cell": (                     # a two-hundred-and-twenty-second review: unflagged
        {"ann-sigmoid": "{sigmoid}\ntry:\n    get_ipython().register_magic_function(get_ipython().run_cell, 'line', 'hide')\n"
                        "except NameError:\n    pass\n%hide import socket"}, {}, [], ["exec:ann-sigmoid"]),
    "a-magics-value-kept-in-a-dict": (               # the same review: a syntax error, the cell's checks lost
        {"ann-sigmoid": "t = {}\nt['sum'] = %time sum(range(10))\nassert t['sum'] == 45\n{sigmoid}",
         "ann-relu": "{relu}\nt = {}\nt['fit'] = %timeit -o -n 1 -r 1 sum(range(10))\nprint(t['fit'].best >= 0)"},
        {}, [], ["!raised:ann-sigmoid", "!raised:ann-relu", "!exec:ann-relu", "!exec:ann-sigmoid"]),
    "an-honest-config-line": ({"ann-relu": "%config InlineBackend.figure_format = 'retina'\n{relu}"}, {}, [],
                              ["!exec:ann-relu"]),
    "an-import-and-exec-timed-with-no-repeat": (      # a two-hundred-and-fourth review: `-r 0` read as not run
        {"ann-relu": "{relu}\ntry:\n    %timeit -r 0 import tqdm; exec('x = 1')\nexcept ValueError:\n    pass"},
        {}, [], ["extra-import:tqdm", "exec:ann-relu"]),
    # what a magic returns, kept and used, as Jupyter gives it where the job can (a two-hundred-and-third
    # review: bound None, and the honest line that used it cost the cell's checks, 45/50 and 41/50)
    "the-output-of-a-shell-line-used": (
        {"ann-relu": "files = !ls data/FashionMNIST/raw\nprint(f'{len(files)} raw files found')\n{relu}"},
        {}, [], ["!raised:ann-relu"]),
    "a-magics-value-used": (
        {"ann-sigmoid": "here = %pwd\nbackend = %env MPLBACKEND\nprint('in', here.upper(), backend.lower())\n{sigmoid}"},
        {}, [], ["!raised:ann-sigmoid"]),
    "a-timing-kept-and-used-in-the-loop": (
        {"train-and-test": train(BODY.replace(
            "        test(model, test_loader)",
            "        test(model, test_loader)\n        t = %timeit -o -n 1 -r 1 sum(range(10))\n"
            "        print(f'epoch {epoch}: {t.best:.2e} s')"))},
        {}, [], ["!raised:train-and-test"]),
    "the-value-of-a-timed-call-used": (              # the same review: `out = None`, a false error
        {"ann-sigmoid": "{sigmoid}\nout = %time ANN_sigmoid(784, 10)(torch.zeros(2, 784))\nassert out.shape == (2, 10)"},
        {}, [], ["!raised:ann-sigmoid"]),
    "smoothing-for-the-real-datas-many-batches": (     # crashes on the grader's few batches
        {"train-and-test": train(BODY.replace(
            "        test(model, test_loader)",
            "        test(model, test_loader)\n"
            "        smooth = F.avg_pool1d(torch.tensor(g1).view(1, 1, -1), kernel_size=20, stride=1)"))},
        {"epochs": 0, "plots": 0, "final_weights": 0},
        ["`train_and_test` stopped with an error after `train` was called once, before the last epoch",
         "the grader trains on a small loader of a few mini-batches an epoch"], []),
    "only-smoothed-gradients-plotted": (
        {"train-and-test": train().replace(
            "plt.plot(g1); plt.plot(g2); plt.plot(g3)",
            "for g in (g1, g2, g3): plt.plot([(u + v) / 2 for u, v in zip(g, g[1:])])")},
        {"plots": 0}, ["a plotted line is shorter than the lists (smoothed, trimmed or every n-th value?)"], []),
    "gradients-plotted-as-a-running-mean-of-the-same-length": (   # an eighty-second review: "0 of the 3 ..."
        {"train-and-test": train().replace(
            "plt.plot(g1); plt.plot(g2); plt.plot(g3)",
            "for g in (g1, g2, g3): plt.plot([sum(g[max(0, i - 2):i + 1]) / len(g[max(0, i - 2):i + 1]) "
            "for i in range(len(g))])")},
        {"plots": 0}, ["a plotted line is as long as the lists but holds other values (smoothed or averaged?)"], []),
    "the-last-epochs-first-list-drawn-three-times": (   # an eighty-fifth review: "0 of the 3 ... plotted"
        {"train-and-test": train(BODY.replace("g1 += a; g2 += b; g3 += c", "g1, g2, g3 = a, b, c")).replace(
            "plt.plot(g1); plt.plot(g2); plt.plot(g3)", "plt.plot(g1); plt.plot(g1); plt.plot(g1)")},
        {"plots": 0}, ["of the three gradient lists only the first was plotted, and only for the last epoch"], []),
    "one-list-of-the-whole-run-drawn-three-times": (
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "plt.plot(g1); plt.plot(g1); plt.plot(g1)")},
        {"plots": 0}, ["1 of the 3 gradient lists returned by `train` was plotted (the first was, the second and "
                       "the third not)"], []),
    "class-name-in-a-plot-title": (                    # no exec flag (a sixth fairness review)
        {"train-and-test": train().replace("plt.plot(g1); plt.plot(g2); plt.plot(g3)",
                                           "plt.plot(g1); plt.plot(g2); plt.plot(g3); "
                                           "plt.title(model.__class__.__name__)")}, {}, [], []),
    "layers-named-in-a-loop": (                        # getattr(self, f"fc{i}"): no exec flag either
        {"ann-sigmoid": """class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        for i, (a, b) in enumerate([(d_in, 512), (512, 1024), (1024, 512), (512, d_out)], start=1):
            self.add_module(f"linear{i}", nn.Linear(a, b))

    def forward(self, x):
        x = x.view(x.shape[0], -1)
        for i in range(1, 4):
            x = torch.sigmoid(getattr(self, f"linear{i}")(x))
        return self.linear4(x)"""}, {}, [], []),
    "a-thousand-joined-strings-in-dead-code": (        # read without recursion: no grader error
        {"ann-relu": "{relu}\nif False:\n    exec(" + "+".join(['""'] * 1500) + ")"}, {}, [], ["exec:ann-relu"]),
    "extra-import-without-a-statement": (
        {"ann-relu": "np = __import__('numpy')\n" + "{relu}"}, {}, [], ["extra-import:numpy"]),
    # a `%time` line whose statement does not compile, at the end of the training cell: Jupyter defines
    # `train_and_test`, then the magic raises a SyntaxError and Run All stops there (review 486: read as a syntax
    # error of the whole cell, 0/20 where `raise ValueError(1)` in its place costs nothing)
    "a-time-line-with-options-it-does-not-take": (
        {"train-and-test": train(after="\n%time -p x = 1")}, {}, ["does not compile alone"], ["raised:train-and-test"]),
    "a-time-line-of-text-it-does-not-fill-in": (
        {"train-and-test": train(after="\ns = 'x = 1'\n%time $s")}, {}, [], ["raised:train-and-test"]),
    "a-timeit-line-that-does-not-compile": (
        {"train-and-test": train(after="\n%timeit -n1 -r1 x = (")}, {}, [], ["raised:train-and-test"]),
    # ... and options `%timeit` refuses (run as nothing, as refused magic lines are, and flagged as the stop above the
    # answers it is), or `await` in `%prun`'s code (review 488: each 0/20 where Jupyter defined `train_and_test`)
    "a-timeit-line-with-options-it-refuses": (
        {"train-and-test": train(after="\n%timeit -z sum(range(3))")}, {}, [], ["raised:answers-3-3"]),
    # ... in the function's body: it raises where it runs, as in Jupyter, where Run All stopped in `run-sigmoid`
    # (review 489: run as nothing there, 20/20 unflagged)
    "a-timeit-line-with-options-it-refuses-in-the-function": (
        {"train-and-test": train().replace("    optimizer = optim.SGD(", "    %timeit -z 1\n    optimizer = optim.SGD(")},
        ALL_FIVE, ["refuses the options"], []),
    "a-prun-line-that-awaits": (
        {"train-and-test": train(after="\nimport asyncio\n%prun await asyncio.sleep(0)")}, {}, [],
        ["raised:train-and-test"]),
    "missing-package": (
        {"ann-relu": "import tensorflow as tf\n" + "{relu}"},
        {f"ANN_relu: {c}": 0 for c in ("builds", "layers", "forward shape", "activations", "seeded")},
        ["Don't import any other packages", "torch"], ["extra-import:tensorflow"]),
}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory, solution_nb, template_nb, grader):
    folder = tmp_path_factory.mktemp("cohort")
    sol = {c.id: c.source for c in solution_nb.cells}
    tpl = {c.id: c.source for c in template_nb.cells}
    results = {}
    for i, (name, (changes, *_)) in enumerate(CASES.items()):
        nb = copy.deepcopy(solution_nb)
        for cell in nb.cells:
            if cell.get("id") in changes:
                new = changes[cell.id]
                if new is None:      # an edit of the provided cell itself
                    new = sol[cell.id].replace("epochs=1", "epochs=5")
                cell.source = new.replace("{relu!r}", repr(sol["ann-relu"])).replace("{relu}", sol["ann-relu"]) \
                    .replace("{sigmoid!r}", repr(sol["ann-sigmoid"])).replace("{sigmoid}", sol["ann-sigmoid"]) \
                    .replace("{template}", tpl.get(cell.id, ""))
        for key, new in changes.items():    # "below:ID": a cell the student added right below ID
            if key.startswith("below:"):
                at = next(j for j, c in enumerate(nb.cells) if c.get("id") == key[6:])
                kind = nbformat.v4.new_markdown_cell if nb.cells[at].cell_type == "markdown" else \
                    nbformat.v4.new_code_cell
                nb.cells.insert(at + 1, kind(new.replace("{solution}", sol[key[6:]]), id=f"added-{len(nb.cells)}"))
            elif key == "end":              # a code cell the student added at the notebook's end
                nb.cells.append(nbformat.v4.new_code_cell(new, id=f"added-{len(nb.cells)}"))
        path = folder / f"Assignment_7_CaseNumber_k{30000000 + i}.ipynb"
        nbformat.write(nb, path)
        results[name] = grader.grade(path)
    return results


@pytest.mark.parametrize("name", list(CASES))
def test_each_case_loses_exactly_what_it_breaks(cohort, name):
    _, lost, needles, flags = CASES[name]
    r = cohort[name]
    for c in r.checks:
        if c.manual_task:
            continue
        want = lost.get(c.check, c.max_points)
        assert c.points == want, (c.check, c.points, c.message)
    text = " ".join(c.message for c in r.checks if c.passed is False) + " " + " ".join(r.details)
    for needle in needles:              # "!needle": words that must not be said
        assert (needle[1:] not in text) if needle.startswith("!") else (needle in text), (needle, text)
    for c in r.checks:                  # an error in training is explained in full once, not under every check
        if "`train_and_test` raised" in c.message:
            assert sum(c.message.split(" raised ", 1)[1][:40] in d.message for d in r.checks) == 1, c.message
    for flag in flags:                  # "!flag": a flag that must not be raised
        assert (flag[1:] not in r.flags) if flag.startswith("!") else (flag in r.flags), r.flags
    assert not any(f.startswith(("missing:", "edited:")) for f in r.flags), r.flags
    assert {f for f in r.flags if f.startswith(("exec:", "extra-import:"))} <= set(flags), r.flags


def test_no_message_holds_a_hidden_value(cohort, grader):
    hidden = grader.spec.hidden()            # the draw the cohort was graded with
    values = hidden_strings(hidden)
    for name, r in cohort.items():
        text = json.dumps([c.message for c in r.checks])
        for v in values:
            assert not contains(text, v), (name, v)
        assert f"called {hidden['code_3_2_train']['epochs']} time" not in text


def test_a_cell_found_by_content_is_never_missing(grader, make_nb):
    r = grader.grade(make_nb(rename={"answers-3-3": "my-answers", "ann-relu": "relu-cell"}))
    assert "id-fallback:answers-3-3" in r.flags and "id-fallback:ann-relu" in r.flags
    assert not [f for f in r.flags if f.startswith("missing:")], r.flags
    assert r.task_points("question_3_3") == 10 and r.auto_points == 50


def test_an_added_scratch_cell_is_flagged_and_never_graded(grader, make_nb, solution_nb):
    nb = copy.deepcopy(solution_nb)
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "ann-relu")
    nb.cells.insert(at, nbformat.v4.new_code_cell("scratch = 1\nprint('trying things')"))
    nb.cells.insert(at, nbformat.v4.new_markdown_cell("my notes"))
    r = grader.grade(make_nb(base=nb))
    assert "added-cell:2" in r.flags and r.auto_points == 50
    # ... also when a cell the student was not to change is deleted (a student's review: the
    # deleted one was taken for the added one, and `added-cell` was missing)
    nb.cells = [c for c in nb.cells if c.get("id") != "ann-relu-test"]
    r = grader.grade(make_nb(base=nb))
    assert "added-cell:2" in r.flags and "deleted:ann-relu-test" in r.flags


def test_a_notebook_without_cell_ids_gets_one_flag(grader, make_nb, solution_nb):
    nb = copy.deepcopy(solution_nb)
    nb.nbformat_minor = 4
    for c in nb.cells:
        c.pop("id", None)
    r = grader.grade(make_nb(base=nb))
    assert r.flags == ["no-cell-ids"], r.flags
    assert r.auto_points == 50
    # one flag, no list of twenty IDs and positions a student cannot act on (a student's review)
    assert not any("id-fallback" in d or "id-changed" in d or "position" in d or "no ID" in d for d in r.details), \
        r.details


def test_a_duplicated_cell_is_flagged_and_its_later_code_graded(grader, make_nb, solution_nb):
    """A student's review: a second copy of a cell gave only a note and "ready to hand in"."""
    data = json.loads(nbformat.writes(solution_nb))         # raw JSON: nbformat would rename the copy
    at = next(i for i, c in enumerate(data["cells"]) if c.get("id") == "ann-relu")
    data["cells"].insert(at, dict(data["cells"][at], source="class ANN_relu(nn.Module):\n    pass"))
    path = make_nb()
    path.write_text(json.dumps(data))
    r = grader.grade(path)
    assert "duplicated:ann-relu" in r.flags and r.auto_points == 50, (r.flags, r.auto_points)


def test_a_cell_moved_below_its_test_is_flagged_and_costs_nothing(grader, make_nb, solution_nb):
    """A student's review: Run All stops at the test cell that now comes first, yet the check said
    "ready to hand in". Only the moved cells are named, not every cell after them."""
    from grader.pipeline import moved_cells
    nb = copy.deepcopy(solution_nb)
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "ann-relu")
    moved = nb.cells.pop(at)
    nb.cells.insert(next(i for i, c in enumerate(nb.cells) if c.get("id") == "train-and-test") + 1, moved)
    r = grader.grade(make_nb(base=nb))
    assert r.flags == ["reordered:ann-relu"], r.flags
    assert r.auto_points == 50
    nb = copy.deepcopy(solution_nb)                        # below its own test cell: the class is named,
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "ann-relu")     # not the test (a student's review)
    moved = nb.cells.pop(at)
    nb.cells.insert(next(i for i, c in enumerate(nb.cells) if c.get("id") == "ann-relu-test") + 1, moved)
    assert grader.grade(make_nb(base=nb)).flags == ["reordered:ann-relu"]
    assert moved_cells([0, 1, 3, 4, 2, 5], list("abcdef")) == ["e"]
    assert moved_cells([5, 0, 1, 2, 3, 4], list("abcdef")) == ["a"] and moved_cells([], []) == []


def test_a_macos_file_name_is_read_in_nfc_and_shown_as_typed(grader, make_nb):
    typed = unicodedata.normalize("NFD", "Assignment_7_LeaMüller_k12000037.ipynb")
    r = grader.grade(make_nb(name=typed))
    assert r.filename_ok and r.name == "LeaMüller" and r.file == typed
    assert checks_of(r, "code_3_1")


def test_code_graded_from_an_added_cell_is_what_similarity_compares(cohort, solution_nb):
    """The cell graded for a task (added below the untouched stub) is stored under the task's cell
    ID: the similarity view compares what was graded, not an anonymous added cell."""
    sol = {c.id: c.source for c in solution_nb.cells}
    cells = cohort["code-in-cells-added-below-the-untouched-ones"].student_cells
    assert cells["ann-relu"] == sol["ann-relu"] and cells["train-and-test"] == sol["train-and-test"]
    assert not any(k.startswith("added-") for k in cells)
    assert cohort["written-answer-in-a-cell-added-below"].student_cells["calc-1-1"] == sol["calc-1-1"]
    split = cohort["answers-split-over-two-cells"].student_cells["answers-3-3"]
    assert "a_ =" in split and "e_ =" in split


def test_code_in_the_written_answers_cell_is_still_compared_as_code(grader, solution_nb, tmp_path):
    """All the code in a code cell put under a written answer's ID (the code cells deleted): it
    earns its points, and the similarity view still compares it as code, not as an answer."""
    nb = copy.deepcopy(solution_nb)
    sol = {c.id: c.source for c in nb.cells}
    code = "\n\n".join(sol[k] for k in ("ann-sigmoid", "ann-relu", "train-and-test"))
    nb.cells = [c for c in nb.cells if c.get("id") not in ("ann-sigmoid", "ann-relu", "train-and-test")]
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "calc-1-1")
    nb.cells[at] = nbformat.v4.new_code_cell('r"""My answer: no such weights exist."""\n' + code, id="calc-1-1")
    path = tmp_path / "Assignment_7_CarlKopie_k12121212.ipynb"
    nbformat.write(nb, path)
    r = grader.grade(path)
    assert r.auto_points == 50 and "calc-1-1" not in r.student_cells
    assert any(sol["ann-relu"] in src for key, src in r.student_cells.items() if key == "ann-sigmoid")


def test_answers_that_restate_their_heading_are_found_without_cell_ids(grader, make_nb, solution_nb):
    """A notebook of an old Jupyter (no IDs) whose answers start with "**Calculation 1.1:**": each
    answer is the cell under its heading (it was reported missing: -10, -15, -25)."""
    nb = copy.deepcopy(solution_nb)
    nb.nbformat_minor = 4
    for c in nb.cells:
        if c.get("id") in ("calc-1-1", "calc-1-2", "calc-2"):
            title = {"calc-1-1": "Calculation 1.1", "calc-1-2": "Calculation 1.2", "calc-2": "Calculation 2"}[c.id]
            c.source = f"**{title}:**\n\n" + c.source
    for c in nb.cells:
        c.pop("id", None)
    r = grader.grade(make_nb(base=nb))
    for task in ("calc_1_1", "calc_1_2", "calc_2"):
        answer = checks_of(r, task)["answer"]
        assert answer.answer and answer.points is None, (task, answer.message)
    assert r.flags == ["no-cell-ids"], r.flags


def test_an_answer_cell_changed_to_code_that_names_its_task_is_the_answer(grader, make_nb, solution_nb):
    nb = copy.deepcopy(solution_nb)
    cell = next(c for c in nb.cells if c.get("id") == "calc-1-2")
    cell.cell_type, cell.outputs, cell.execution_count = "code", [], None
    cell.source = "# Calculation 1.2: the hidden layer's outputs\nh = [(0, 0), (1, 0), (1, 0), (1, 1)]"
    r = grader.grade(make_nb(base=nb))
    assert "Calculation 1.2" in (checks_of(r, "calc_1_2")["answer"].answer or ""), checks_of(r, "calc_1_2")["answer"]


def test_a_calculation_in_a_code_cell_below_the_placeholder_reaches_the_ta(grader, make_nb, solution_nb):
    """calc-2 left as 'YOUR ANSWER HERE' with the calculation worked out in a code cell added
    right below it: a TA grades it, shown as code (it scored 0, 'not answered')."""
    nb = copy.deepcopy(solution_nb)
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "calc-2")
    nb.cells[at].source = "YOUR ANSWER HERE"
    work = "import numpy as np\n# s3 = w31*x1 + w32*x2\ns3 = 0.5 * 1 + 0.25 * 2\nprint(s3)"
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(work))
    r = grader.grade(make_nb(base=nb))
    answer = checks_of(r, "calc_2")["answer"]
    assert answer.points is None and answer.answer == f"```python\n{work}\n```", answer.message
    assert "moved:calc-2" in r.flags and r.auto_points == 50
    assert r.student_cells["calc-2"] == work         # what similarity compares under the task's ID


def test_an_answer_that_points_below_reaches_the_ta_whole(grader, make_nb, solution_nb):
    """A sixth fairness review: "**Answer:** see below" in the answer cell, the answer in a cell
    added right below it: the TA saw only the pointer."""
    nb = copy.deepcopy(solution_nb)
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "calc-1-2")
    work = nb.cells[at].source
    nb.cells[at].source = "**Answer:** see below"
    nb.cells.insert(at + 1, nbformat.v4.new_markdown_cell(work))
    r = grader.grade(make_nb(base=nb))
    answer = checks_of(r, "calc_1_2")["answer"]
    assert answer.points is None and answer.answer == f"**Answer:** see below\n\n{work.strip()}"
    assert "moved:calc-1-2" not in r.flags and r.auto_points == 50


def test_an_indent_above_a_provided_cell_is_read_as_jupyter_reads_it(grader, make_nb, template_nb):
    """A hundred-and-sixty-sixth review: a blank first line, the comment on top indented ' \\t\\t' and
    the loop's lines too (one of them '\\t \\t'): Python read the template's program, IPython strips
    ' \\t\\t' from every line that starts with it, and three lines left the loop."""
    from grader.magics import without_magics
    from grader.notebook import same_code
    tpl = next(c.source for c in template_nb.cells if c.get("id") == "plot-examples")
    lines = tpl.split("\n")
    hidden = "\n" + "\n".join((" \t\t" + ln) if ln.startswith("# Nothing") else ln if not ln.startswith("    ") else
                              ("\t \t" + ln[4:]) if "show_img =" in ln else (" \t\t" + ln[4:]) for ln in lines)
    assert not same_code(hidden, tpl)
    assert without_magics(hidden).count("\n") == hidden.count("\n")       # the student's line numbers
    loop = next(n for n in ast.parse(without_magics(hidden)).body if isinstance(n, ast.For))
    assert len(loop.body) == 1                     # what Jupyter (and the grader's run of the cell) loops over
    r = grader.grade(make_nb({"plot-examples": hidden}))
    assert checks_of(r)["plot-examples unmodified"].points == 0 and "edited:plot-examples" in r.flags, r.flags
    # Honest: the whole cell indented by four, under a blank line, runs in Jupyter as it is.
    honest = "\n" + "\n".join(("    " + ln) if ln else ln for ln in tpl.split("\n"))
    assert same_code(honest, tpl)
    imports = next(c.source for c in template_nb.cells if c.get("id") == "imports")
    r = grader.grade(make_nb({"plot-examples": honest, "imports": "\n\n" + "\n".join("    " + ln for ln in
                                                                                   imports.split("\n"))}))
    assert r.auto_points == 50 and not any(f.startswith("edited:") for f in r.flags), (r.flags, r.details)


BREAKS = ["\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("brk", BREAKS)
def test_a_line_break_python_reads_otherwise_is_read_as_ipython_runs_the_cell(brk):
    """A hundred-and-seventieth review: IPython ends a help or magic line at any line break of
    `str.splitlines` and runs what follows as code; the grader read the whole line as help."""
    from grader.magics import without_magics
    from grader.notebook import same_code
    tpl = "import torch\nimport torch.nn as nn\n"
    for added in (f"\n?torch #{brk}import numpy as np", f"\n??nn # see{brk}x = 1", f"\n!echo hi{brk}x = 1",
                  f"\n%ls{brk}x = 1", f"\nfiles = !ls{brk}x = 1"):
        assert not same_code(tpl + added, tpl), repr(added)
        ran = without_magics(tpl + added)
        assert "x = 1" in ran or "import numpy as np" in ran, (repr(added), ran)
    ran = without_magics(f"?a_ #{brk}a_, b_ = False, True")
    assert "a_, b_ = (False, True)" in ran or "a_, b_ = False, True" in ran.split("\n"), ran
    if brk == "\r":
        return                          # Python reads "\r" as a line break too: the cell does not parse
    # In a cell Python parses (review 174): a comment that ends there for IPython starts a magic line
    # that ends at the next break, and the rest ran as code in Jupyter only.
    for added in (f"\n# note{brk}!true{brk}import numpy as np", f"\n# note{brk}%pwd{brk}x = 1"):
        assert not same_code(tpl + added, tpl), repr(added)
        assert "import numpy as np" in without_magics(tpl + added) or "x = 1" in without_magics(tpl + added)
    swallowed = f"import torch\n# note{brk}!true \\\nimport torch.nn as nn\n"      # the next line joins the shell line
    assert not same_code(swallowed, tpl) and "import torch.nn" not in without_magics(swallowed)
    assert same_code(f"import torch\n# a note{brk}with a break\nimport torch.nn as nn\n", tpl)   # no magic: Python's reading


def test_cells_with_a_line_break_of_ipython_are_graded_as_jupyter_runs_them(grader, make_nb, template_nb,
                                                                             solution_nb):
    """Review 170's notebooks: a help line and a carriage return added to provided and locked cells
    hid an edit (10/10, no flag); in a graded cell, code Jupyter runs after it went unseen."""
    tpl = {c.id: c.source for c in template_nb.cells if c.get("id")}
    sol = {c.id: c.source for c in solution_nb.cells if c.get("id")}
    r = grader.grade(make_nb({
        "data-loaders": tpl["data-loaders"] + "\n?DataLoader # docs\rtrain_loader = test_loader",
        "train-fn": tpl["train-fn"] + "\n??optim.SGD # see\u2028def train(model, train_loader, optimizer, epoch):"
                                       " return [0.0], [0.0], [0.0]",
        "ann-sigmoid": sol["ann-sigmoid"] + "\n?nn.Module #\rANN_sigmoid = None",
        "test-fn": tpl["test-fn"].replace("\n", "\n    # eval\x1c    !true\x1c    model.train()\n", 1)}))
    assert checks_of(r)["data-loaders unmodified"].points == 0
    assert {"edited:data-loaders", "edited:train-fn", "edited:test-fn"} <= set(r.flags), r.flags
    assert checks_of(r, "code_3_2_models")["ANN_sigmoid: builds"].points == 0


def test_a_help_looking_line_in_a_string_of_a_long_provided_cell_is_no_help(template_nb):
    """A hundred-and-seventy-eighth review: past the budget for asking IPython which lines it reads as
    magics, a help-looking line inside a docstring was dropped as help; in Jupyter its `\"\"\"` closed
    the string and ran code (train-fn's epoch set to 999, unflagged)."""
    from grader.notebook import same_code
    tpl = next(c.source for c in template_nb.cells if c.get("id") == "train-fn")
    lines = tpl.split("\n")
    i = next(k for k, ln in enumerate(lines) if '"""' in ln)
    attack = "\n".join(lines[:i + 1] + ['?x # """; print("HIDDEN"); epoch = 999; """'] + lines[i + 1:]) \
        + "\ntrain?\n# " + "x" * 6000
    assert not same_code(attack, tpl)
    assert same_code(tpl + "\ntrain?\n# " + "x" * 6000, tpl)      # an honest look at the help, a long note


def test_a_magic_or_help_line_ending_in_a_backslash_takes_the_next_line_as_ipython_does(template_nb):
    """A hundred-and-eighty-sixth review: `?x # \\` above `optimizer.step()` in the locked train-fn:
    IPython took the next line as the help's text, the grader ran it, and the cell read unchanged."""
    from grader.magics import without_magics
    from grader.notebook import same_code
    tpl = {c.id: c.source for c in template_nb.cells if c.get("id")}
    hidden = tpl["train-fn"].replace("        optimizer.step()", "        ?x # \\\n        optimizer.step()")
    assert not same_code(hidden, tpl["train-fn"])
    assert not same_code(tpl["imports"].replace("import torch.optim as optim",
                                                "?x # \\\nimport torch.optim as optim"), tpl["imports"])
    assert "import os" not in without_magics("?x # \\\nimport os\ny = 1")
    assert "import os" not in without_magics("%time 1 # \\\nimport os")
    assert without_magics("import os\nos?\nx = 1") == "import os\npass\nx = 1"     # line for line, as before


@pytest.mark.parametrize("first_line", ["%%time x = 1", "%%time -q", "%%capture --nope", "%%capture out extra",
                                        "%%prun -z", "%%timeit -z", "%%time\t x"])
def test_a_cell_magic_ipython_refuses_runs_none_of_its_cell(first_line):
    """A hundred-and-eighty-seventh review: `%%time x = 1` or `%%capture --nope` stops the cell in
    Jupyter with a UsageError (`%%time\\t x` names no magic at all), so nothing of it is defined
    there; the grader ran the body and graded 50/50."""
    from grader.magics import without_magics
    from grader.notebook import parse_source
    body = "class ANN_sigmoid:\n    pass\na_ = True"
    ran = without_magics(f"{first_line}\n{body}")
    tree = parse_source(f"{first_line}\n{body}")
    assert "ANN_sigmoid" not in ran or tree is None, ran
    assert tree is None or not any(isinstance(n, (ast.ClassDef, ast.Assign)) for n in tree.body)


def test_what_a_cell_magic_s_arguments_run_runs_in_the_grader_too():
    """`%%prun -q import scipy` runs its line before the body, `%%timeit -n1 import json` its setup,
    and `%%capture a_` binds `a_` to what it captured: the grader read none of that (an import the
    imports rule never saw, a name the body used that the grader lacked)."""
    from grader.magics import without_magics
    from grader.notebook import imported_modules
    assert imported_modules("%%prun -q import scipy.stats as st; st.norm\nx = 1") == ["scipy"]
    assert imported_modules("%%timeit -n1 -r1 import scipy\nx = 1") == ["scipy"]
    ns: dict = {}
    exec(without_magics("%%timeit -n1 -r1 import json; s = json.dumps([1])\nglobal out\nout = s"), ns)
    assert ns["out"] == "[1]"
    exec(without_magics("%%capture a_\na_ = True\nb_ = False"), ns)
    assert ns["a_"] is None and ns["b_"] is False
    assert without_magics("%prun -q x = 1\ny = x") == "x = 1\ny = x"     # `-q` is prun's option, not Python
    assert without_magics("%%time\nx = 1\n\ny = 2") == "\nx = 1\n\ny = 2"       # the body, line for line
    assert without_magics("  \n%%time   \n    x = 1") == "\n\nx = 1"           # its indent stripped, as IPython does


def test_an_error_under_a_cell_magic_is_told_at_the_student_s_line():
    """Since cells whose lines IPython joins were read through IPython's reader, a body under
    `%%time` or `%%capture` was read as one call: a syntax error became "get_ipython is not
    defined", and a line's number moved up by the comments above it."""
    from grader.magics import without_magics
    with pytest.raises(SyntaxError) as err:
        compile(without_magics("%%time\nx = 1\n# a note\ny = (\n"), "<cell>", "exec")
    assert err.value.lineno == 4
    ran = without_magics("%%capture\n# c\nx = 1\nraise ValueError('v')")
    assert ran.split("\n")[3] == "raise ValueError('v')"


def test_matplotlib_inline_is_no_change_only_where_ipython_reads_it_as_a_magic(template_nb):
    """A hundred-and-eighty-seventh review put `%matplotlib inline` inside the loader call's
    brackets: a SyntaxError in Jupyter (train_loader never defined), and the cell kept its 2 points
    as unmodified. Inside a string it is the string's text."""
    from grader.notebook import same_code
    tpl = {c.id: c.source for c in template_nb.cells if c.get("id")}
    lines = tpl["data-loaders"].split("\n")
    i = next(k for k, ln in enumerate(lines) if "download=True" in ln)
    assert not same_code("\n".join(lines[:i + 1] + ["%matplotlib inline"] + lines[i + 1:]), tpl["data-loaders"])
    assert not same_code(tpl["plot-examples"] + '\nnote = """\n%matplotlib inline\n"""', tpl["plot-examples"])
    assert same_code("%matplotlib inline\n" + tpl["plot-examples"], tpl["plot-examples"])
    assert same_code(tpl["imports"] + "\n%matplotlib inline", tpl["imports"])


def test_ipython_s_prompts_of_more_dots_are_stripped_as_ipython_strips_them():
    """`   ....: ` (four dots and more) is a prompt to IPython, stripped even inside a string."""
    from grader.magics import cleaned
    assert cleaned("s = '''\n   ....: hidden\n'''") == "s = '''\nhidden\n'''"
    assert cleaned("[ins] In [3]: x = 1") == "x = 1"


def test_a_time_line_of_a_magic_runs_that_magic_s_statement():
    """A hundred-and-ninety-second review: `%time %time ANN_relu(784, 10)` at a class cell's end, which
    Jupyter runs, cost the class's five checks as a syntax error."""
    from grader.magics import without_magics
    assert without_magics("class A:\n    pass\n%time %time A()") == "class A:\n    pass\nA()"
    assert without_magics("%time %prun -q x = 1\ny = x") == "x = 1\ny = x"


@pytest.mark.parametrize("line", ["%time\tANN_relu = _R", "%time(ANN_relu := _R)", "x = %time\tANN_relu = _R"])
def test_a_line_magic_ipython_finds_no_such_magic_for_stops_the_cell(line):
    """A hundred-and-ninety-third review: IPython reads a magic's name up to the first space, so
    `%time<TAB>stmt` names no magic and stops the cell in Jupyter; the grader ran the statement
    (50/50 for a class Jupyter never defined)."""
    from grader.magics import without_magics
    src = f"class _R:\n    pass\n{line}\ny = 1"
    ran = without_magics(src)
    with pytest.raises(SyntaxError):
        compile(ran, "<cell>", "exec")
    assert without_magics("%time q = 1\ny = q") == "q = 1\ny = q"            # a space: the magic


def test_a_cell_that_fails_is_quoted_as_the_student_wrote_it():
    """The line named in a failed cell's message is the student's own, not the grader's reading
    of a magic line (`class _timed_line: ...`, a hundred-and-ninety-seventh review)."""
    from grader.child.job import execute
    from grader.magics import without_magics
    src = "y = 1\n%timeit -n1 -r1 x = missing_name + y\n%time z = also_missing"
    said = execute({}, without_magics(src), "ann-relu", src)
    assert "NameError" in said and "`%timeit -n1 -r1 x = missing_name + y`" in said, said
    ns: dict = {}
    assert execute(ns, without_magics("%timeit -n1 -r1 a = 2; b = [a * i for i in range(3)]\nc = 1"), "x") == ""
    assert "a" not in ns and "b" not in ns and ns["c"] == 1 and "_timed_line" in ns      # names of its own
    said = execute({}, without_magics(src[6:]), "ann-relu")          # nothing shown: the cell as run
    assert "class _timed_line:" in said, said


def test_a_timeit_line_changes_the_notebook_s_names_as_ipython_leaves_them():
    """IPython runs a `%timeit` statement no time for `-n -1`, stops with a ValueError for `-r 0`
    or `-n 1.5`, and at the top of a cell puts back every name the statement changed once it is
    done (names it made stay; after an error nothing is put back). A two-hundred-and-first review
    replaced `ANN_relu` in the grader only so (`%timeit -n -1 global ANN_relu; ANN_relu = ...`)."""
    from grader.child.job import execute
    from grader.magics import without_magics

    def ran(src):
        ns: dict = {}
        return execute(ns, without_magics(src), "ann-relu", src), ns
    said, ns = ran("ANN_relu = 'stub'\n%timeit -n -1 global ANN_relu; ANN_relu = 'good'")
    assert said == "" and ns["ANN_relu"] == "stub"
    said, ns = ran("ANN_relu = 'stub'\n%timeit -n1 -r1 global ANN_relu, made; ANN_relu = 'good'; made = 1\nafter = ANN_relu")
    assert said == "" and ns["ANN_relu"] == ns["after"] == "stub" and ns["made"] == 1
    said, ns = ran("a_ = True\ntry:\n    %timeit -n1 -r1 global a_; a_ = False; 1/0\nexcept ZeroDivisionError:\n    pass")
    assert said == "" and ns["a_"] is False                              # an error: nothing put back
    said, ns = ran("def f():\n    %timeit -n1 -r1 global q; q = 7\nf()")
    assert said == "" and ns["q"] == 7                                   # in a function: as it sets them
    said, ns = ran("try:\n    %timeit -r 0 global made; made = 1\nexcept ValueError:\n    pass")
    assert said == "" and ns["made"] == 1           # run to choose a loop count, then IPython's error, nothing put back
    said, ns = ran("%%timeit -r 0\nglobal made\nmade = 1")
    assert said.startswith("ValueError") and ns["made"] == 1
    for src, error in (("x = 1\n%timeit -n1 -r0 x = 2\ny = 1", "min() arg is an empty sequence"),
                       ("%timeit -n 1.5 x = 2\ny = 1", "invalid literal for int()"),
                       ("%%timeit -r 0\nANN_relu = 1", "min() arg is an empty sequence")):
        said, ns = ran(src)
        assert said.startswith("ValueError") and error in said and "y" not in ns and "ANN_relu" not in ns, (src, said)


def test_what_a_timeit_line_runs_is_read_in_a_scope_of_its_own():
    """A hundred-and-ninety-sixth review hid `import scipy.linalg; exec(...)` from the flags behind
    `%timeit -q`, which Jupyter runs; its names stay its own, as in the function IPython times."""
    from grader.magics import without_magics
    from grader.notebook import imported_modules
    assert imported_modules("%timeit -n1 -r1 -q import scipy.linalg; exec('x = 1')\ny = 2") == ["scipy"]
    ns: dict = {}
    exec(without_magics("%timeit -n1 -r1 z = 1\ny = 2"), ns)
    assert "z" not in ns and ns["y"] == 2
    # a statement with a body of its own takes two lines (it was read as `pass`: a hundred-and-ninety-ninth review)
    assert without_magics("%timeit for i in range(3): pass\ny = 2") == "class _timed_line:\n    for i in range(3): pass\ny = 2"
    assert imported_modules("%timeit -n1 -r1 for _ in [0]: import scipy\ny = 2") == ["scipy"]
    # a magic or a prompt as the statement is read as IPython reads it (it was a syntax error: the cell lost)
    assert without_magics("%timeit -n1 -r1 %time f()\ny = 2") == without_magics("%timeit -n1 -r1 >>> f()\ny = 2") \
        == "class _timed_line: f()\ny = 2"


def test_a_timed_statement_only_a_function_allows_stops_the_cell_as_in_jupyter():
    """IPython compiles a `%timeit` statement outside its function first: `%timeit return` stops the
    cell; so does a class named as the grader's reading of such a line, written by hand with `yield`
    (a hundred-and-ninety-ninth review: 50/50 for cells that fail in Jupyter)."""
    from grader.child.job import execute
    from grader.magics import without_magics
    for src in ("%timeit -n1 -r1 return\nclass ANN_relu: pass", "class _timed_line:\n    yield\nclass ANN_relu: pass",
                "%%timeit -n1 -r1\nreturn 5\nclass ANN_relu: pass"):
        ns: dict = {}
        said = execute(ns, without_magics(src), "ann-relu", src)
        assert said.startswith("SyntaxError") and "ANN_relu" not in ns, (src, said)


@pytest.mark.parametrize("cell, ran", [
    ("%alias_magic t time\n%t import scipy\ny = 1", "pass\nimport scipy\ny = 1"),
    ("%alias_magic -l t prun -p '-q'\n%t import scipy", "pass\nimport scipy"),      # its parameters first
    ("%alias_magic u time\n%alias_magic t u\n%t import scipy", "pass\npass\nimport scipy"),   # an alias of an alias
    ("%alias_magic time pwd\n%time import scipy", "pass\npass"),                   # a built-in name taken over
    ("get_ipython().run_line_magic('alias_magic', 't time')\nget_ipython().run_line_magic('t', 'import scipy')",
     "pass\nimport scipy"),
    ("%alias_magic -c t time\ny = 1", "pass\ny = 1"),                                # a cell magic only
    ("x = %alias_magic t time\n%t import scipy", "x = None\nimport scipy"),           # made as a value
    ("%time %alias_magic t time\n%t import scipy", "pass\nimport scipy"),             # inside another magic
])
def test_a_magic_alias_the_cell_makes_runs_what_it_stands_for(cell, ran):
    """A two-hundred-and-eighth review: `%alias_magic t time`, then `%t a_, ... = ...` or `%t
    exec(...)`, was read as a magic that runs nothing. Jupyter set the five answers otherwise and ran
    an `exec` and imports the flags never saw; the notebook was graded 50/50, unflagged."""
    from grader.magics import without_magics
    from grader.notebook import imported_modules
    assert without_magics(cell) == ran
    assert ("scipy" in imported_modules(cell)) == ("import scipy" in ran)
    assert imported_modules("get_ipython().run_line_magic('time', 'import scipy')") == ["scipy"]   # written out
