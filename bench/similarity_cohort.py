"""A synthetic cohort for measuring the similarity view: honest hand-ins in many styles, plus
planted copies disguised the way students disguise them.

Honest students each pick a model style (how they write ``ANN_sigmoid``/``ANN_relu``) and a
training style (how they write ``train_and_test``), twelve of each, and then make the hundred
small choices every student makes differently: layer names, how to flatten, which spelling of
the activation, comments, labels, figure sizes, epochs from 0 or 1, when to test. Their written
answers follow one of several approaches in their own words and notation.

A planted copy takes one honest student's cells and disguises them: renamed variables and
attributes, methods in another order, other comments and blank lines, ``F.relu`` swapped for an
``nn.ReLU`` module (or back), a cell split in two, written answers retyped with small edits.
Every copy gets at least three disguises. The truth (who copied whom, which styles) comes
with the cohort, so a run can measure precision and the gap between planted and honest pairs.

    python bench/similarity_cohort.py --honest 200 --planted 20 --out /tmp/cohort   # report JSONs
"""
from __future__ import annotations

import ast
import io
import json
import keyword
import random
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

CODE_CELLS = ("ann-sigmoid", "ann-relu", "train-and-test")
WRITTEN_CELLS = ("calc-1-1", "calc-1-2", "calc-2")

# ------------------------------------------------------------------------------------ tastes

LAYER_NAMES = [["fc1", "fc2", "fc3", "fc4"], ["linear1", "linear2", "linear3", "linear4"],
               ["layer1", "layer2", "layer3", "layer4"], ["l1", "l2", "l3", "l4"],
               ["hidden1", "hidden2", "hidden3", "out"], ["lin1", "lin2", "lin3", "lin4"],
               ["dense1", "dense2", "dense3", "output"], ["input_layer", "hidden_layer1", "hidden_layer2",
                                                           "output_layer"]]
CONTAINERS = ["net", "model", "layers", "seq", "stack", "network", "body", "mlp"]
FLATTEN = ["{x} = {x}.view({x}.size(0), -1)", "{x} = {x}.view(-1, 28 * 28)", "{x} = {x}.view({x}.shape[0], -1)",
           "{x} = {x}.reshape({x}.shape[0], -1)", "{x} = torch.flatten({x}, 1)", "{x} = {x}.flatten(start_dim=1)",
           "{x} = {x}.flatten(1)", "{x} = {x}.reshape(-1, 784)", "{x} = {x}.view(len({x}), -1)",
           "{x} = nn.Flatten()({x})"]
SUPER = ["super().__init__()", "super({cls}, self).__init__()", "nn.Module.__init__(self)"]
FUNCTIONAL = {"sigmoid": ["torch.sigmoid", "F.sigmoid", "torch.nn.functional.sigmoid", "nn.functional.sigmoid"],
              "relu": ["F.relu", "torch.relu", "nn.functional.relu", "torch.nn.functional.relu"]}
MODULE = {"sigmoid": ["nn.Sigmoid()", "torch.nn.Sigmoid()"], "relu": ["nn.ReLU()", "torch.nn.ReLU()",
                                                                     "nn.ReLU(inplace=False)"]}
XNAMES = ["x", "x", "x", "h", "out", "inp", "z", "a"]
COMMENTS = ["# flatten the images", "# first hidden layer", "# hidden layers", "# output layer, no activation",
            "# define the layers", "# forward pass", "# 784 -> 512 -> 1024 -> 512 -> 10", "# TODO check dims",
            "# activation", "# logits", "# apply layers one after another", "# YOUR CODE HERE"]
LABELS = [["layer 1", "layer 2", "layer 3"], ["Layer 1", "Layer 2", "Layer 3"], ["linear1", "linear2", "linear3"],
          ["fc1", "fc2", "fc3"], ["first layer", "second layer", "third layer"], ["W1", "W2", "W3"],
          ["hidden 1", "hidden 2", "hidden 3"], ["grads1", "grads2", "grads3"], ["L1", "L2", "L3"]]
XLABELS = ["mini-batch", "batch", "iteration", "step", "Batch index", "training step", "#batches"]
YLABELS = ["mean |gradient|", "gradient magnitude", "avg abs grad", "Gradient", "mean absolute gradient",
           "|grad|"]
TITLES = ["Gradients per layer", "Vanishing gradients", "Gradient magnitudes", "Mean gradient per layer",
          "Gradient flow"]
FIGSIZES = [None, "(10, 4)", "(12, 5)", "(8, 6)", "(15, 5)", "(10, 6)", "(14, 4)", "(9, 5)"]


@dataclass
class Taste:
    """The small choices one student makes everywhere, drawn once per student."""
    names: list[str]
    container: str
    flatten: str
    super_form: str
    fn_spelling: int
    mod_spelling: int
    x: str
    typed: bool
    comments: float
    docstring: bool
    return_var: bool
    keep_stub: bool
    # training
    from_one: bool
    test_each_epoch: bool
    labels: list[str]
    xlabel: str | None
    ylabel: str | None
    title: str | None
    figsize: str | None
    legend: bool
    show: bool
    sgd_kwargs: bool
    hp_access: int
    keep_doc: bool
    verbose: bool
    log_scale: bool

    @classmethod
    def draw(cls, rng: random.Random) -> "Taste":
        return cls(names=list(rng.choice(LAYER_NAMES)), container=rng.choice(CONTAINERS),
                   flatten=rng.choice(FLATTEN), super_form=rng.choice(SUPER), fn_spelling=rng.randrange(4),
                   mod_spelling=rng.randrange(3), x=rng.choice(XNAMES), typed=rng.random() < 0.25,
                   comments=rng.choice([0.0, 0.0, 0.2, 0.4, 0.7]), docstring=rng.random() < 0.2,
                   return_var=rng.random() < 0.3, keep_stub=rng.random() < 0.3,
                   from_one=rng.random() < 0.5, test_each_epoch=rng.random() < 0.6,
                   labels=list(rng.choice(LABELS)), xlabel=rng.choice([None, *XLABELS]),
                   ylabel=rng.choice([None, *YLABELS]), title=rng.choice([None, None, *TITLES]),
                   figsize=rng.choice(FIGSIZES), legend=rng.random() < 0.75, show=rng.random() < 0.8,
                   sgd_kwargs=rng.random() < 0.8, hp_access=rng.randrange(3), keep_doc=rng.random() < 0.6,
                   verbose=rng.random() < 0.25, log_scale=rng.random() < 0.2)


class Writer:
    """Lines of code at an indentation, with a student's comments sprinkled in."""

    def __init__(self, taste: Taste, rng: random.Random):
        self.t, self.rng, self.lines = taste, rng, []

    def __call__(self, indent: int, text: str, comment: bool = True) -> None:
        if comment and self.t.comments and self.rng.random() < self.t.comments:
            self.lines.append(" " * indent + self.rng.choice(COMMENTS))
        for line in text.split("\n"):
            self.lines.append((" " * indent + line) if line else "")

    def blank(self) -> None:
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def _act_fn(t: Taste, act: str) -> str:
    return FUNCTIONAL[act][t.fn_spelling % len(FUNCTIONAL[act])]


def _act_mod(t: Taste, act: str) -> str:
    return MODULE[act][t.mod_spelling % len(MODULE[act])]


def _head(w: Writer, t: Taste, cls: str, base: str = "nn.Module") -> None:
    w(0, f"class {cls}({base}):", comment=False)
    if t.docstring:
        w(4, f'"""Fully connected net for FashionMNIST ({cls.split("_")[1]})."""', comment=False)


def _init(w: Writer, t: Taste, cls: str) -> None:
    w(4, "def __init__(self, d_in, d_out):", comment=False)
    if t.keep_stub:
        w(8, "# YOUR CODE HERE", comment=False)
    w(8, t.super_form.format(cls=cls), comment=False)


def _forward(w: Writer, t: Taste) -> None:
    w.blank()
    sig = f"def forward(self, {t.x}: torch.Tensor) -> torch.Tensor:" if t.typed else f"def forward(self, {t.x}):"
    w(4, sig, comment=False)
    if t.keep_stub:
        w(8, "# YOUR CODE HERE", comment=False)


def _flatten(t: Taste) -> str:
    return t.flatten.format(x=t.x)


def _ret(w: Writer, t: Taste, expr: str) -> None:
    if t.return_var:
        w(8, f"logits = {expr}")
        w(8, "return logits", comment=False)
    else:
        w(8, f"return {expr}")


DIMS = [("d_in", "512"), ("512", "1024"), ("1024", "512"), ("512", "d_out")]


def model_explicit(t: Taste, rng, cls, act):
    """Four attributes, one reassignment per layer in forward (the lecture's way)."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    for n, (a, b) in zip(t.names, DIMS):
        w(8, f"self.{n} = nn.Linear({a}, {b})")
    _forward(w, t)
    x, f = t.x, _act_fn(t, act)
    w(8, _flatten(t))
    for n in t.names[:3]:
        w(8, f"{x} = {f}(self.{n}({x}))")
    _ret(w, t, f"self.{t.names[3]}({x})")
    return w.text()


def model_nested(t: Taste, rng, cls, act):
    """Layers as attributes, forward as one nested expression."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    for n, (a, b) in zip(t.names, DIMS):
        w(8, f"self.{n} = nn.Linear({a}, {b})")
    _forward(w, t)
    x, f, n = t.x, _act_fn(t, act), t.names
    w(8, _flatten(t))
    _ret(w, t, f"self.{n[3]}({f}(self.{n[2]}({f}(self.{n[1]}({f}(self.{n[0]}({x})))))))")
    return w.text()


def model_sequential_flatten(t: Taste, rng, cls, act):
    """nn.Sequential holding nn.Flatten, the layers and activation modules."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    m = _act_mod(t, act)
    w(8, f"self.{t.container} = nn.Sequential(")
    w(12, "nn.Flatten(),", comment=False)
    for i, (a, b) in enumerate(DIMS):
        w(12, f"nn.Linear({a}, {b}),{' ' + m + ',' if i < 3 else ''}", comment=False)
    w(8, ")", comment=False)
    _forward(w, t)
    _ret(w, t, f"self.{t.container}({t.x})")
    return w.text()


def model_sequential_view(t: Taste, rng, cls, act):
    """nn.Sequential of layers and activations, one per line; flatten in forward."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    m = _act_mod(t, act)
    w(8, f"self.{t.container} = nn.Sequential(")
    for i, (a, b) in enumerate(DIMS):
        w(12, f"nn.Linear({a}, {b}),", comment=False)
        if i < 3:
            w(12, f"{m},", comment=False)
    w(8, ")", comment=False)
    _forward(w, t)
    w(8, _flatten(t))
    _ret(w, t, f"self.{t.container}({t.x})")
    return w.text()


def model_modulelist_loop(t: Taste, rng, cls, act):
    """nn.ModuleList of the four layers; forward loops over all but the last."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    w(8, f"self.{t.container} = nn.ModuleList([")
    for a, b in DIMS:
        w(12, f"nn.Linear({a}, {b}),", comment=False)
    w(8, "])", comment=False)
    _forward(w, t)
    x, f = t.x, _act_fn(t, act)
    w(8, _flatten(t))
    w(8, f"for layer in self.{t.container}[:-1]:")
    w(12, f"{x} = {f}(layer({x}))", comment=False)
    _ret(w, t, f"self.{t.container}[-1]({x})")
    return w.text()


def model_dims_zip(t: Taste, rng, cls, act):
    """Sizes in a list, layers built with zip, the last layer told apart by its index."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    w(8, "sizes = [d_in, 512, 1024, 512, d_out]")
    w(8, f"self.{t.container} = nn.ModuleList(")
    w(12, "[nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]", comment=False)
    w(8, ")", comment=False)
    _forward(w, t)
    x, f = t.x, _act_fn(t, act)
    w(8, _flatten(t))
    w(8, f"for i, layer in enumerate(self.{t.container}):")
    w(12, f"{x} = layer({x})", comment=False)
    w(12, f"if i < len(self.{t.container}) - 1:", comment=False)
    w(16, f"{x} = {f}({x})", comment=False)
    w(8, f"return {x}", comment=False)
    return w.text()


def model_ordereddict(t: Taste, rng, cls, act):
    """nn.Sequential from an OrderedDict with named layers."""
    w = Writer(t, rng)
    w(0, "from collections import OrderedDict", comment=False)
    w.blank()
    w.blank()
    _head(w, t, cls)
    _init(w, t, cls)
    m = _act_mod(t, act)
    w(8, f"self.{t.container} = nn.Sequential(OrderedDict([")
    for i, ((a, b), n) in enumerate(zip(DIMS, t.names)):
        w(12, f"('{n}', nn.Linear({a}, {b})),", comment=False)
        if i < 3:
            w(12, f"('{act}{i + 1}', {m}),", comment=False)
    w(8, "]))", comment=False)
    _forward(w, t)
    w(8, _flatten(t))
    _ret(w, t, f"self.{t.container}({t.x})")
    return w.text()


def model_add_module(t: Taste, rng, cls, act):
    """An empty nn.Sequential filled with add_module in a loop."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    m = _act_mod(t, act)
    w(8, "dims = [d_in, 512, 1024, 512, d_out]")
    w(8, f"self.{t.container} = nn.Sequential()")
    w(8, "for i in range(len(dims) - 1):")
    w(12, f"self.{t.container}.add_module(f'linear{{i}}', nn.Linear(dims[i], dims[i + 1]))", comment=False)
    w(12, "if i < len(dims) - 2:", comment=False)
    w(16, f"self.{t.container}.add_module(f'act{{i}}', {m})", comment=False)
    _forward(w, t)
    w(8, _flatten(t))
    _ret(w, t, f"self.{t.container}({t.x})")
    return w.text()


def model_helper_method(t: Taste, rng, cls, act):
    """A helper method applies one hidden layer and its activation."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    for n, (a, b) in zip(t.names, DIMS):
        w(8, f"self.{n} = nn.Linear({a}, {b})")
    w.blank()
    w(4, "def hidden(self, layer, inputs):", comment=False)
    w(8, f"return {_act_fn(t, act)}(layer(inputs))")
    _forward(w, t)
    x, n = t.x, t.names
    w(8, _flatten(t))
    w(8, f"for layer in (self.{n[0]}, self.{n[1]}, self.{n[2]}):")
    w(12, f"{x} = self.hidden(layer, {x})", comment=False)
    _ret(w, t, f"self.{n[3]}({x})")
    return w.text()


def model_hidden_out(t: Taste, rng, cls, act):
    """Hidden layers in a ModuleList, a separate output layer, the activation as a module."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    w(8, "self.hidden = nn.ModuleList([nn.Linear(d_in, 512), nn.Linear(512, 1024), nn.Linear(1024, 512)])")
    w(8, f"self.{t.names[3]} = nn.Linear(512, d_out)")
    w(8, f"self.activation = {_act_mod(t, act)}")
    _forward(w, t)
    x = t.x
    w(8, _flatten(t))
    w(8, "for h in self.hidden:")
    w(12, f"{x} = self.activation(h({x}))", comment=False)
    _ret(w, t, f"self.{t.names[3]}({x})")
    return w.text()


def model_list_star(t: Taste, rng, cls, act):
    """A Python list of modules built in a loop, unpacked into nn.Sequential."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    m = _act_mod(t, act)
    w(8, "modules = [nn.Flatten()]")
    w(8, "widths = [d_in, 512, 1024, 512]")
    w(8, "for a, b in zip(widths, widths[1:] + [512]):")
    w(12, f"modules += [nn.Linear(a, b), {m}]", comment=False)
    w(8, "modules.append(nn.Linear(512, d_out))")
    w(8, f"self.{t.container} = nn.Sequential(*modules)")
    _forward(w, t)
    _ret(w, t, f"self.{t.container}({t.x})")
    return w.text()


def model_act_attribute(t: Taste, rng, cls, act):
    """Linear layers in a tuple attribute and the activation function kept on the instance."""
    w = Writer(t, rng)
    _head(w, t, cls)
    _init(w, t, cls)
    for n, (a, b) in zip(t.names, DIMS):
        w(8, f"self.{n} = nn.Linear({a}, {b})")
    w(8, f"self.act_fn = {_act_fn(t, act)}")
    _forward(w, t)
    x, n = t.x, t.names
    w(8, _flatten(t))
    w(8, f"{x} = self.act_fn(self.{n[0]}({x}))")
    w(8, f"{x} = self.act_fn(self.{n[1]}({x}))")
    w(8, f"{x} = self.act_fn(self.{n[2]}({x}))")
    _ret(w, t, f"self.{n[3]}({x})")
    return w.text()


MODEL_STYLES = [model_explicit, model_nested, model_sequential_flatten, model_sequential_view,
                model_modulelist_loop, model_dims_zip, model_ordereddict, model_add_module,
                model_helper_method, model_hidden_out, model_list_star, model_act_attribute]

# ------------------------------------------------------------------------------ training styles

TEMPLATE_DOC = '''    """Train and evaluate a model using the specified hyperparameters.

    Parameters
    ----------
    model : nn.Module
        The neural network model to be trained and tested.
    hyperparameters : dict
        A dictionary containing hyperparameters for training, including:
        - "lr" : float
            The learning rate for the optimizer.
        - "momentum" : float
            The momentum factor for the optimizer.
        - "epochs" : int
            The number of epochs to train the model.
    """'''


def _t_head(w: Writer, t: Taste) -> None:
    w(0, "def train_and_test(model: nn.Module, hyperparameters: dict):" if t.typed or t.keep_doc
      else "def train_and_test(model, hyperparameters):", comment=False)
    if t.keep_doc:
        w(0, TEMPLATE_DOC, comment=False)
    if t.keep_stub:
        w(4, "# YOUR CODE HERE", comment=False)


def _hp(t: Taste, key: str) -> str:
    return [f'hyperparameters["{key}"]', f"hyperparameters['{key}']", f'hyperparameters.get("{key}")'][t.hp_access]


def _sgd(w: Writer, t: Taste, lr: str | None = None, mom: str | None = None) -> None:
    lr, mom = lr or _hp(t, "lr"), mom or _hp(t, "momentum")
    if t.sgd_kwargs:
        w(4, f"optimizer = optim.SGD(model.parameters(), lr={lr}, momentum={mom})")
    else:
        w(4, f"optimizer = optim.SGD(model.parameters(), {lr}, {mom})")


def _range(t: Taste, epochs: str) -> str:
    return f"range(1, {epochs} + 1)" if t.from_one else f"range({epochs})"


def _decorate(w: Writer, t: Taste, indent: int = 4, target: str = "plt") -> None:
    if t.log_scale:
        w(indent, f"{target}.{'set_yscale' if target != 'plt' else 'yscale'}('log')", comment=False)
    if t.xlabel:
        w(indent, f"{target}.{'set_xlabel' if target != 'plt' else 'xlabel'}('{t.xlabel}')", comment=False)
    if t.ylabel:
        w(indent, f"{target}.{'set_ylabel' if target != 'plt' else 'ylabel'}('{t.ylabel}')", comment=False)
    if t.title:
        w(indent, f"{target}.{'set_title' if target != 'plt' else 'title'}('{t.title}')", comment=False)
    if t.legend:
        w(indent, f"{target}.legend()", comment=False)


def _figure(w: Writer, t: Taste, indent: int = 4) -> None:
    w(indent, f"plt.figure(figsize={t.figsize})" if t.figsize else "plt.figure()")


def _show(w: Writer, t: Taste, indent: int = 4) -> None:
    if t.show:
        w(indent, "plt.show()", comment=False)


def _verbose(w: Writer, t: Taste, indent: int, epoch: str) -> None:
    if t.verbose:
        w(indent, f'print(f"epoch {{{epoch}}} done")', comment=False)


def train_reference(t: Taste, rng):
    """Three lists extended with +=, test after every epoch, one figure after the loop."""
    w = Writer(t, rng)
    _t_head(w, t)
    _sgd(w, t)
    w(4, "grads1, grads2, grads3 = [], [], []")
    w(4, f"for epoch in {_range(t, _hp(t, 'epochs'))}:")
    w(8, "g1, g2, g3 = train(model, train_loader, optimizer, epoch)", comment=False)
    w(8, "grads1 += g1", comment=False)
    w(8, "grads2 += g2", comment=False)
    w(8, "grads3 += g3", comment=False)
    _verbose(w, t, 8, "epoch")
    if t.test_each_epoch:
        w(8, "test(model, test_loader)", comment=False)
    if not t.test_each_epoch:
        w(4, "test(model, test_loader)")
    _figure(w, t)
    for g, lab in zip(("grads1", "grads2", "grads3"), t.labels):
        w(4, f"plt.plot({g}, label='{lab}')", comment=False)
    _decorate(w, t)
    _show(w, t)
    return w.text()


def train_subplots(t: Taste, rng):
    """Collects per epoch, tests once at the end, one subplot per layer."""
    w = Writer(t, rng)
    _t_head(w, t)
    _sgd(w, t)
    w(4, "all_grads = ([], [], [])")
    w(4, f"for ep in {_range(t, _hp(t, 'epochs'))}:")
    w(8, "result = train(model, train_loader, optimizer, ep)", comment=False)
    w(8, "for store, new in zip(all_grads, result):", comment=False)
    w(12, "store.extend(new)", comment=False)
    _verbose(w, t, 8, "ep")
    if t.test_each_epoch:
        w(8, "test(model, test_loader)", comment=False)
    else:
        w(4, "test(model, test_loader)")
    w(4, f"fig, axes = plt.subplots(1, 3, figsize={t.figsize or '(15, 4)'})")
    w(4, "for ax, grads, name in zip(axes, all_grads, %r):" % (tuple(t.labels),), comment=False)
    w(8, "ax.plot(grads)", comment=False)
    w(8, "ax.set_title(name)", comment=False)
    if t.xlabel:
        w(8, f"ax.set_xlabel('{t.xlabel}')", comment=False)
    if t.log_scale:
        w(8, "ax.set_yscale('log')", comment=False)
    w(4, "fig.tight_layout()")
    _show(w, t)
    return w.text()


def train_while(t: Taste, rng):
    """A while loop over epochs and a counter."""
    w = Writer(t, rng)
    _t_head(w, t)
    w(4, f"epochs = {_hp(t, 'epochs')}")
    _sgd(w, t)
    w(4, "gradients_1 = []")
    w(4, "gradients_2 = []")
    w(4, "gradients_3 = []")
    w(4, "epoch = 1" if t.from_one else "epoch = 0")
    w(4, "while epoch <= epochs:" if t.from_one else "while epoch < epochs:")
    w(8, "a, b, c = train(model, train_loader, optimizer, epoch)", comment=False)
    w(8, "gradients_1.extend(a)", comment=False)
    w(8, "gradients_2.extend(b)", comment=False)
    w(8, "gradients_3.extend(c)", comment=False)
    if t.test_each_epoch:
        w(8, "test(model, test_loader)", comment=False)
    _verbose(w, t, 8, "epoch")
    w(8, "epoch += 1", comment=False)
    if not t.test_each_epoch:
        w(4, "test(model, test_loader)")
    _figure(w, t)
    w(4, f"plt.plot(gradients_1, label='{t.labels[0]}')", comment=False)
    w(4, f"plt.plot(gradients_2, label='{t.labels[1]}')", comment=False)
    w(4, f"plt.plot(gradients_3, label='{t.labels[2]}')", comment=False)
    _decorate(w, t)
    _show(w, t)
    return w.text()


def train_enumerate(t: Taste, rng):
    """A list of three lists, filled by enumerating train's result; plotted in a loop."""
    w = Writer(t, rng)
    _t_head(w, t)
    _sgd(w, t)
    w(4, "grads = [[] for _ in range(3)]")
    w(4, f"for epoch in {_range(t, _hp(t, 'epochs'))}:")
    w(8, "for i, g in enumerate(train(model, train_loader, optimizer, epoch)):", comment=False)
    w(12, "grads[i] += g", comment=False)
    if t.test_each_epoch:
        w(8, "test(model, test_loader)", comment=False)
    else:
        w(4, "test(model, test_loader)")
    _figure(w, t)
    w(4, "for i in range(3):", comment=False)
    w(8, "plt.plot(grads[i], label=f'layer {i + 1}')", comment=False)
    _decorate(w, t)
    _show(w, t)
    return w.text()


def train_dict(t: Taste, rng):
    """A dict of gradient lists by layer name, plotted over its items."""
    w = Writer(t, rng)
    _t_head(w, t)
    _sgd(w, t)
    w(4, "history = {" + ", ".join(f"'{lab}': []" for lab in t.labels) + "}")
    w(4, f"for epoch in {_range(t, _hp(t, 'epochs'))}:")
    w(8, "epoch_grads = train(model, train_loader, optimizer, epoch)", comment=False)
    w(8, "for key, values in zip(history, epoch_grads):", comment=False)
    w(12, "history[key].extend(values)", comment=False)
    _verbose(w, t, 8, "epoch")
    if t.test_each_epoch:
        w(8, "test(model, test_loader)", comment=False)
    else:
        w(4, "test(model, test_loader)")
    _figure(w, t)
    w(4, "for key, values in history.items():", comment=False)
    w(8, "plt.plot(values, label=key)", comment=False)
    _decorate(w, t)
    _show(w, t)
    return w.text()


def train_per_epoch_plot(t: Taste, rng):
    """One figure per epoch, drawn inside the loop."""
    w = Writer(t, rng)
    _t_head(w, t)
    _sgd(w, t)
    w(4, f"for e in {_range(t, _hp(t, 'epochs'))}:")
    w(8, "g1, g2, g3 = train(model, train_loader, optimizer, e)", comment=False)
    w(8, "test(model, test_loader)", comment=False)
    _figure(w, t, 8)
    for g, lab in zip(("g1", "g2", "g3"), t.labels):
        w(8, f"plt.plot({g}, label='{lab}')", comment=False)
    w(8, "plt.title(f'Epoch {e}')", comment=False)
    if t.legend:
        w(8, "plt.legend()", comment=False)
    w(8, "plt.show()", comment=False)
    return w.text()


def train_unpack(t: Taste, rng):
    """Hyperparameters unpacked first, per-epoch lists flattened with a comprehension."""
    w = Writer(t, rng)
    _t_head(w, t)
    w(4, f"lr = {_hp(t, 'lr')}")
    w(4, f"momentum = {_hp(t, 'momentum')}")
    w(4, f"n_epochs = {_hp(t, 'epochs')}")
    _sgd(w, t, "lr", "momentum")
    w(4, "per_epoch = []")
    w(4, f"for epoch in {_range(t, 'n_epochs')}:")
    w(8, "per_epoch.append(train(model, train_loader, optimizer, epoch))", comment=False)
    if t.test_each_epoch:
        w(8, "test(model, test_loader)", comment=False)
    else:
        w(4, "test(model, test_loader)")
    w(4, "layer_grads = [[g for epoch_grads in per_epoch for g in epoch_grads[k]] for k in range(3)]")
    _figure(w, t)
    w(4, f"for k, label in enumerate({t.labels!r}):", comment=False)
    w(8, "plt.plot(layer_grads[k], label=label)", comment=False)
    _decorate(w, t)
    _show(w, t)
    return w.text()


def train_inner_plot(t: Taste, rng):
    """An inner helper function draws the curves."""
    w = Writer(t, rng)
    _t_head(w, t)
    w(4, "def plot_gradients(first, second, third):", comment=False)
    _figure(w, t, 8)
    for g, lab in zip(("first", "second", "third"), t.labels):
        w(8, f"plt.plot({g}, label='{lab}')", comment=False)
    _decorate(w, t, 8)
    w(8, "plt.show()", comment=False)
    w.blank()
    _sgd(w, t)
    w(4, "g_a, g_b, g_c = [], [], []")
    w(4, f"for epoch in {_range(t, _hp(t, 'epochs'))}:")
    w(8, "out = train(model, train_loader, optimizer, epoch)", comment=False)
    w(8, "g_a, g_b, g_c = g_a + out[0], g_b + out[1], g_c + out[2]", comment=False)
    if t.test_each_epoch:
        w(8, "test(model, test_loader)", comment=False)
    else:
        w(4, "test(model, test_loader)")
    w(4, "plot_gradients(g_a, g_b, g_c)")
    return w.text()


def train_sum_results(t: Taste, rng):
    """Results of every epoch kept as tuples and summed into lists afterwards."""
    w = Writer(t, rng)
    _t_head(w, t)
    _sgd(w, t)
    w(4, "results = []")
    w(4, f"for epoch in {_range(t, _hp(t, 'epochs'))}:")
    w(8, "results.append(train(model, train_loader, optimizer, epoch))", comment=False)
    _verbose(w, t, 8, "epoch")
    w(4, "test(model, test_loader)")
    w(4, "curves = [sum((r[i] for r in results), []) for i in range(3)]")
    _figure(w, t)
    w(4, f"for curve, name in zip(curves, {t.labels!r}):", comment=False)
    w(8, "plt.plot(curve, label=name)", comment=False)
    _decorate(w, t)
    _show(w, t)
    return w.text()


def train_numpy(t: Taste, rng):
    """Imports numpy, stacks the gradients into an array, plots against np.arange."""
    w = Writer(t, rng)
    w(0, "import numpy as np", comment=False)
    w.blank()
    w.blank()
    _t_head(w, t)
    _sgd(w, t)
    w(4, "collected = []")
    w(4, f"for epoch in {_range(t, _hp(t, 'epochs'))}:")
    w(8, "g1, g2, g3 = train(model, train_loader, optimizer, epoch)", comment=False)
    w(8, "collected.append(np.array([g1, g2, g3]))", comment=False)
    if t.test_each_epoch:
        w(8, "test(model, test_loader)", comment=False)
    else:
        w(4, "test(model, test_loader)")
    w(4, "grads = np.concatenate(collected, axis=1)")
    w(4, "steps = np.arange(grads.shape[1])")
    _figure(w, t)
    w(4, "for row in range(3):", comment=False)
    w(8, f"plt.plot(steps, grads[row], label={t.labels!r}[row])", comment=False)
    _decorate(w, t)
    _show(w, t)
    return w.text()


def train_last_epoch_test(t: Taste, rng):
    """Tests inside the loop only after the last epoch; prints the settings first."""
    w = Writer(t, rng)
    _t_head(w, t)
    w(4, f'print("lr:", {_hp(t, "lr")}, "momentum:", {_hp(t, "momentum")})')
    w(4, "optimizer = optim.SGD(params=model.parameters(), lr=%s, momentum=%s)" % (_hp(t, "lr"),
                                                                                   _hp(t, "momentum")))
    w(4, f"epochs = {_hp(t, 'epochs')}")
    w(4, "layer1_grads, layer2_grads, layer3_grads = [], [], []")
    w(4, "for epoch in range(epochs):")
    w(8, "grads = train(model, train_loader, optimizer, epoch + 1)", comment=False)
    w(8, "layer1_grads.extend(grads[0])", comment=False)
    w(8, "layer2_grads.extend(grads[1])", comment=False)
    w(8, "layer3_grads.extend(grads[2])", comment=False)
    w(8, "if epoch == epochs - 1:", comment=False)
    w(12, "test(model, test_loader)", comment=False)
    _figure(w, t)
    for g, lab in zip(("layer1_grads", "layer2_grads", "layer3_grads"), t.labels):
        w(4, f"plt.plot({g}, label='{lab}')", comment=False)
    _decorate(w, t)
    _show(w, t)
    return w.text()


def train_oo_axes(t: Taste, rng):
    """The object-oriented matplotlib API on one axis, gradients in a tuple of lists."""
    w = Writer(t, rng)
    _t_head(w, t)
    _sgd(w, t)
    w(4, "curves = tuple([] for _ in range(3))")
    w(4, f"for epoch in {_range(t, _hp(t, 'epochs'))}:")
    w(8, "for curve, part in zip(curves, train(model, train_loader, optimizer, epoch)):", comment=False)
    w(12, "curve.extend(part)", comment=False)
    if t.test_each_epoch:
        w(8, "test(model, test_loader)", comment=False)
    else:
        w(4, "test(model, test_loader)")
    w(4, f"fig, ax = plt.subplots(figsize={t.figsize or '(10, 5)'})")
    w(4, f"for curve, label in zip(curves, {t.labels!r}):", comment=False)
    w(8, "ax.plot(curve, label=label)", comment=False)
    _decorate(w, t, 4, "ax")
    _show(w, t)
    return w.text()


TRAIN_STYLES = [train_reference, train_subplots, train_while, train_enumerate, train_dict, train_per_epoch_plot,
                train_unpack, train_inner_plot, train_sum_results, train_numpy, train_last_epoch_test,
                train_oo_axes]

# ------------------------------------------------------------------------------ written answers

CALC11 = [
    ["Assume {w1} and {w2} solve the problem.", "Suppose there are weights {w1}, {w2} with {g}(x) = y for all four inputs.",
     "Let's assume such parameters exist."],
    ["For {x2} = (1,0) we get {g}({x2}) = {w1} which must be 1, so {w1} = 1.",
     "Input (1,0) gives {w1} = 1 and input (0,1) gives {w2} = 1.",
     "From the second input {w1} has to be 1; from the third one {w2} has to be 1."],
    ["But then {g}({x4}) = {w1} + {w2} = 2 {neq} 0.", "Then for (1,1) the output is {w1}+{w2} = 2, not 0.",
     "So the fourth input gives 1 + 1 = 2 instead of 0."],
    ["Contradiction, so no such weights exist.", "This is a contradiction; the linear network cannot solve XOR.",
     "Hence it is impossible.", "So XOR is not linearly separable by this model."],
]
CALC11_GEOMETRIC = [
    ["The output of {g} is a linear function of x, and it has no bias.",
     "A linear model without bias is a plane through the origin."],
    ["The points with label 1, (1,0) and (0,1), lie on opposite corners from (0,0) and (1,1).",
     "Class 1 points and class 0 points are diagonally opposite."],
    ["No line can separate the two classes, which is the classic XOR argument.",
     "Therefore the classes cannot be separated linearly and no {w1}, {w2} exist."],
]
CALC12_ROWS = [("(0,0)", "(0,-1)", "(0,0)", "0"), ("(1,0)", "(1,0)", "(1,0)", "1"),
               ("(0,1)", "(1,0)", "(1,0)", "1"), ("(1,1)", "(2,1)", "(2,1)", "0")]
CALC2_VALUES = {"s3": "2", "s4": "-1", "s5": "3", "a3": "2", "a4": "0", "a5": "3", "s6": "1.5", "d6": "0.5",
                "d3": "0.25", "d4": "0", "d5": "-0.5", "dw": "0.5"}


SYNONYMS = {"so": ["so", "thus", "hence", "therefore"], "gives": ["gives", "yields", "results in", "leads to"],
            "must": ["must", "has to", "needs to"], "output": ["output", "result", "prediction"],
            "input": ["input", "point", "sample"], "weights": ["weights", "parameters"],
            "But": ["But", "However,", "Yet"], "Then": ["Then", "So", "Now"], "exist": ["exist", "can exist"],
            "classes": ["classes", "two labels"], "is": ["is", "equals"], "Assume": ["Assume", "Suppose", "Let"],
            "impossible": ["impossible", "not possible", "infeasible"], "every": ["every", "each", "any"],
            "contradiction": ["contradiction", "contradiction!", "contradiction."], "get": ["get", "obtain", "have"],
            "after": ["after", "and after", "then after"], "the": ["the", "the", "the", "this"]}
FILLERS = ["Clearly, ", "We see that ", "Note that ", "Obviously ", "It follows that ", "Looking at this, ",
           "In other words, ", "As shown in the lecture, ", "Simply put, "]


def own_words(text: str, rng: random.Random, level: float = 0.35) -> str:
    """An honest student's own wording of a sentence pattern: synonyms, fillers, typos, case."""
    sentences = re.split(r"(?<=[.!?;])\s+", text)
    out = []
    for sent in sentences:
        words = sent.split(" ")
        for i, w in enumerate(words):
            core = w.strip(",.;:")
            if core in SYNONYMS and rng.random() < level * 1.5:
                words[i] = w.replace(core, rng.choice(SYNONYMS[core]), 1)
            elif len(w) > 4 and w.isalpha() and rng.random() < level * 0.08:
                j = rng.randrange(len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]          # a typo
        sent = " ".join(words)
        if sent and rng.random() < level * 0.6:
            filler = rng.choice(FILLERS)
            sent = filler + sent[0].lower() + sent[1:] if not sent.startswith("$") else filler + sent
        out.append(sent)
    joined = " ".join(out)
    if rng.random() < level * 0.3:
        joined = joined.lower()
    return joined


def _notation(rng: random.Random) -> dict[str, str]:
    latex = rng.random() < 0.6
    return {"w1": "$w_1$" if latex else "w1", "w2": "$w_2$" if latex else "w2", "g": "$g_1$" if latex else "g1",
            "x2": "$\\mathbf{x}_2$" if latex else "x2", "x4": "$\\mathbf{x}_4$" if latex else "x4",
            "neq": rng.choice(["$\\neq$", "≠", "!="])}


def calc_1_1(rng: random.Random) -> str:
    n = _notation(rng)
    parts = CALC11 if rng.random() < 0.7 else CALC11_GEOMETRIC
    sentences = [own_words(rng.choice(options).format(**n), rng) for options in parts]
    if rng.random() < 0.3:
        sentences.insert(1, own_words(rng.choice(["For (0,0) the output is always 0, which is fine.",
                                                  "The first input gives 0 for any weights.",
                                                  "x1 = (0,0) maps to 0 no matter what."]), rng))
    return (" " if rng.random() < 0.6 else "\n\n").join(sentences)


def calc_1_2(rng: random.Random, wrong: bool = False) -> str:
    rows = [list(r) for r in CALC12_ROWS]
    if wrong:
        rows[3][3] = "-1"
    r = rng.random()
    if r < 0.15:     # short and correct by necessity
        return rng.choice(["0, 1, 1, 0", "$0,1,1,0$", "outputs: 0, 1, 1, 0", "(0, 1, 1, 0)"])
    if r < 0.5:
        cols = [rng.choice(["x", "$x$", "input", "$\\mathbf{x}$", "point", "x_i"]),
                rng.choice(["W1 x + b", "$W^{[1]}x+b$", "pre-activation", "hidden in", "z", "$z = W^{[1]}x + b$"]),
                rng.choice(["ReLU", "$\\max(0,\\cdot)$", "hidden", "hidden out", "a", "after ReLU"]),
                rng.choice(["output", "$g_2$", "g2", "y", "$\\hat y$", "result"])]
        fmt = rng.choice(["({}, {})", "({},{})", "[{}, {}]", "$({}, {})$"])
        pair = lambda t: fmt.format(*t.strip("()").split(","))                # noqa: E731
        lines = ["| " + " | ".join(cols) + " |", "|---|---|---|---|"]
        lines += [f"| {pair(a)} | {pair(b)} | {pair(c)} | {d} |" for a, b, c, d in rows]
        tail = rng.choice(["", "So the network computes XOR.", "This matches the labels.",
                           "All outputs equal the labels, so XOR is solved.", "Exactly the XOR labels.",
                           "The last column is y, as required."])
        return "\n".join(lines) + ("\n\n" + own_words(tail, rng) if tail else "")
    verb = rng.choice(["gives", "yields", "is", "->"])
    if rng.random() < 0.5:
        items = [f"x = {a}: W1 x + b {verb} {b}, after ReLU {c}, output {d}." for a, b, c, d in rows]
    else:
        items = [f"For {a} the hidden pre-activation is {b}, the ReLU gives {c} and g2 = {d}." for a, b, c, d in rows]
    items = [own_words(i, rng, 0.2) for i in items]
    return "\n".join(items) + own_words(rng.choice(["", " Hence the labels 0, 1, 1, 0 are reproduced.",
                                                     "\nAll four match y."]), rng)


def calc_2(rng: random.Random, wrong: bool = False) -> str:
    v = dict(CALC2_VALUES)
    if wrong:
        v["d3"], v["dw"] = rng.choice([("0.5", "1"), ("-0.25", "-0.5"), ("0.25", "0.25")])
    latex = rng.random() < 0.6
    relu = rng.choice(["\\max(0, s_3)", "\\text{ReLU}(s_3)", "ReLU(s_3)", "f(s_3)"])
    s3 = rng.choice(["w_{31} x_1 + w_{32} x_2", "x_1 w_{31} + x_2 w_{32}", "w_{31} \\cdot x_1 + w_{32} \\cdot x_2"])
    if rng.random() < 0.4:
        s3 += rng.choice([" = 1 \\cdot 1 + 0.5 \\cdot 2", " = 1 + 1"])
    d3 = rng.choice(["f'(s_3) w_{63} \\delta_6", "\\delta_6 w_{63} f'(s_3)", "\\delta_6 \\cdot w_{63} \\cdot 1"])
    join = rng.choice([", ", "; ", " and ", ",\\quad "])
    y_hat = rng.choice(["\\sum_i w_{6i} a_i", "w_{63} a_3 + w_{64} a_4 + w_{65} a_5"])
    d6 = rng.choice(["\\hat y - y", "(\\hat y - y)", "-(y - \\hat y)"])
    dw = rng.choice(["\\delta_3 x_2", "x_2 \\delta_3", "a_2 \\delta_3"])
    if latex:
        lines = [f"$s_3 = {s3} = {v['s3']}${join}$a_3 = {relu} = {v['a3']}$",
                 f"$s_4 = {v['s4']}${join}$a_4 = {v['a4']}${join}$s_5 = {v['s5']}${join}$a_5 = {v['a5']}$",
                 f"$\\hat y = s_6 = {y_hat} = {v['s6']}$",
                 f"$\\delta_6 = {d6} = {v['d6']}$",
                 f"$\\delta_3 = {d3} = {v['d3']}${join}$\\delta_4 = {v['d4']}${join}$\\delta_5 = {v['d5']}$",
                 f"$\\frac{{\\partial L}}{{\\partial w_{{32}}}} = {dw} = {v['dw']}$"]
    else:
        plain = s3.replace("_{", "").replace("}", "").replace(" \\cdot ", "*")
        lines = [f"s3 = {plain} = {v['s3']}{join}a3 = ReLU(s3) = {v['a3']}",
                 f"s4 = {v['s4']}{join}a4 = {v['a4']}; s5 = {v['s5']}{join}a5 = {v['a5']}",
                 f"y_hat = s6 = w63*a3 + w64*a4 + w65*a5 = {v['s6']}",
                 f"delta6 = {rng.choice(('y_hat - y', 'yhat - y', 'output - target'))} = {v['d6']}",
                 f"delta3 = ReLU'(s3) * w63 * delta6 = {v['d3']}{join}delta4 = {v['d4']}{join}delta5 = {v['d5']}",
                 f"dL/dw32 = delta3 * x2 = {v['dw']}"]
    if rng.random() < 0.5:
        lines.insert(0, own_words(rng.choice(["Forward pass:", "**Forward pass**", "First the forward pass.",
                                              "We start with the forward pass through the network."]), rng))
    if rng.random() < 0.5:
        lines.insert(-3, own_words(rng.choice(["Backward pass:", "**Backpropagation**", "Now the deltas.",
                                               "Then we propagate the error back."]), rng))
    if rng.random() < 0.4:
        lines.append(own_words(rng.choice(["The hidden unit 4 is inactive, so its delta is zero.",
                                           "Note that ReLU'(s) is 0 for s < 0.",
                                           "Since a4 = 0, unit 4 does not learn here.",
                                           "The gradient for w32 follows from the chain rule."]), rng))
    return ("\n\n" if rng.random() < 0.5 else "\n").join(lines)

# ---------------------------------------------------------------------------------- disguises

KEEP_NAMES = {"ANN_sigmoid", "ANN_relu", "train_and_test", "forward", "__init__", "self", "super", "nn", "torch",
              "F", "optim", "plt", "np", "train", "test", "train_loader", "test_loader", "OrderedDict"}
RENAMES = ["net", "blk", "tmp", "val", "res", "part", "item", "unit", "thing", "elem", "data", "feat", "q", "p",
           "k", "m", "arr", "buf", "seqn", "lst"]


def _defined_names(source: str) -> set[str]:
    """Names a student defines in the cell (locals, parameters, own attributes, helpers)."""
    tree = ast.parse(source)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
              and isinstance(node.value, ast.Name) and node.value.id == "self"):
            names.add(node.attr)
    return names - KEEP_NAMES


def rename(source: str, rng: random.Random) -> str:
    """Consistently rename every name the student defined, as a copier with search-and-replace."""
    names = sorted(_defined_names(source))
    fresh = rng.sample(RENAMES, len(RENAMES))
    mapping = {n: f"{fresh[i % len(fresh)]}{i // len(fresh) or ''}_{rng.randrange(10)}" for i, n in enumerate(names)}
    # strings too, where they name a layer ('fc1' in an OrderedDict) they usually survive: keep them
    toks = list(tokenize.generate_tokens(io.StringIO(source).readline))
    out, depth, in_def = [], 0, False
    for i, tok in enumerate(toks):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif tok.type == tokenize.NAME and tok.string in ("def", "lambda"):
            in_def = True
        elif tok.type == tokenize.OP and tok.string == ":" and depth == 0:
            in_def = False
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        keyword_arg = (depth > 0 and not in_def and nxt is not None and nxt.string == "="
                       and toks[i - 1].string in "(,")
        text = tok.string
        if tok.type == tokenize.NAME and not keyword_arg:
            text = mapping.get(text, text)
        out.append((tok.type, text))
    return _untokenize(source, out)


def _untokenize(source: str, new: list[tuple[int, str]]) -> str:
    """Replace token strings in place, keeping the original layout."""
    toks = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    pieces, pos = [], 0
    for tok, (_, text) in zip(toks, new):
        if tok.string == text or tok.type in (tokenize.ENDMARKER, tokenize.DEDENT, tokenize.INDENT):
            continue
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        pieces.append(source[pos:start])
        pieces.append(text)
        pos = end
    pieces.append(source[pos:])
    return "".join(pieces)


def _inside_strings(source: str) -> set[int]:
    """Line numbers (1-based) that continue a string begun on an earlier line (docstrings)."""
    inside: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
            inside.update(range(tok.start[0] + 1, tok.end[0] + 1))
    return inside


def recomment(source: str, rng: random.Random) -> str:
    """Drop every comment, then write a few new ones."""
    toks = list(tokenize.generate_tokens(io.StringIO(source).readline))
    new = [(t.type, "" if t.type == tokenize.COMMENT else t.string) for t in toks]
    text = _untokenize(source, new)
    skip = _inside_strings(text)
    lines = [ln.rstrip() for ln in text.split("\n")]
    out = []
    for no, ln in enumerate(lines, 1):
        if ln.strip() and no not in skip and rng.random() < 0.2:
            indent = len(ln) - len(ln.lstrip())
            out.append(" " * indent + rng.choice(["# my implementation", "# loop", "# compute",
                                                  "# step by step", "# as in the lecture", "# see slides"]))
        out.append(ln)
    return "\n".join(out)


def relayout(source: str, rng: random.Random) -> str:
    """Blank lines added and removed, spaces around operators changed where harmless."""
    out = []
    skip = _inside_strings(source)
    for no, ln in enumerate(source.split("\n"), 1):
        if no in skip:
            out.append(ln)
            continue
        if not ln.strip():
            if rng.random() < 0.5:
                continue
        out.append(ln)
        if ln.strip() and no + 1 not in skip and rng.random() < 0.15:
            out.append("")
    text = "\n".join(out)
    text = re.sub(r"(?<=\w), (?=\d)", ",", text) if rng.random() < 0.5 else text
    return text


ALIASES = {"torch": ("torch", ["T", "th", "tc"]), "nn": ("torch.nn", ["tnn", "N", "nnm"]),
           "F": ("torch.nn.functional", ["fn", "Fn", "func"]), "optim": ("torch.optim", ["opt", "op", "optimizers"]),
           "plt": ("matplotlib.pyplot", ["pyplot", "mpl", "pl"]), "np": ("numpy", ["npy", "nmp"])}


def realias(source: str, rng: random.Random) -> str:
    """The libraries imported again under other names (``import torch.nn as tnn``, review 391) or
    all of a module's names by ``*`` (``from torch.nn import *``, review 392), and every use changed
    to match, as a copier with search-and-replace."""
    toks = list(tokenize.generate_tokens(io.StringIO(source).readline))
    heads = [i for i, t in enumerate(toks) if t.type == tokenize.NAME and t.string in ALIASES
             and not (i and toks[i - 1].string == ".")]
    used = sorted({toks[i].string for i in heads})
    if not used:
        return source
    star = {name for name in used if name in ("nn", "plt") and rng.random() < 0.4 and
            all(i + 1 < len(toks) and toks[i + 1].string == "." for i in heads if toks[i].string == name)}
    alias = {name: rng.choice(ALIASES[name][1]) for name in used if name not in star}
    out = [(t.type, t.string) for t in toks]
    for i in heads:
        name = toks[i].string
        if name in star:
            out[i] = out[i + 1] = (toks[i].type, "")
        else:
            out[i] = (toks[i].type, alias[name])
    bound = {name for name in alias if rng.random() < 0.3}       # `N = nn` (review 394: `Lin = nn.Linear`)
    head = "".join(f"from {ALIASES[name][0]} import *\n" if name in star else f"{alias[name]} = {name}\n"
                   if name in bound else f"import {ALIASES[name][0]} as {alias[name]}\n" for name in used)
    return head + _untokenize(source, out)


def rebracket(source: str, rng: random.Random) -> str:
    """Brackets and statements that change nothing (review 398): a comma before a call's closing
    parenthesis, parentheses around an argument, and a statement of a literal alone after a line."""
    toks = list(tokenize.generate_tokens(io.StringIO(source).readline))
    out = [(t.type, t.string) for t in toks]
    opens: list[tuple[int, bool]] = []
    for i, tok in enumerate(toks):
        if tok.type == tokenize.OP and tok.string == "(":
            opens.append((i, i > 0 and toks[i - 1].type == tokenize.NAME and not keyword.iskeyword(toks[i - 1].string)))
        elif tok.type == tokenize.OP and tok.string == ")" and opens:
            at, call = opens.pop()
            if call and i > at + 1 and toks[i - 1].string != "," and rng.random() < 0.5:
                out[i - 1] = (toks[i - 1].type, toks[i - 1].string + ",")
        elif tok.type == tokenize.NUMBER and i and toks[i - 1].string in "(," and rng.random() < 0.3:
            out[i] = (tok.type, f"({tok.string})")
    text = _untokenize(source, out)
    try:
        ast.parse(text)
    except SyntaxError:                 # a comma after a lone generator argument: `f(x for x in y,)`
        text = source
    skip = _inside_strings(text)
    lines, depth = [], 0
    for no, ln in enumerate(text.split("\n"), 1):
        lines.append(ln)
        depth += sum(ln.count(c) for c in "([{") - sum(ln.count(c) for c in ")]}")
        stripped = ln.strip()
        if stripped and depth == 0 and no not in skip and no + 1 not in skip and not stripped.endswith((":", "\\")) \
                and not stripped.startswith(("@", "#", "return", "raise", "break", "continue")) and rng.random() < 0.3:
            lines.append(" " * (len(ln) - len(ln.lstrip())) + rng.choice(["(0)", "-1", "()", "not 0", "_ = 0", "print(end=\"\")", "assert True"]))
    try:
        ast.parse("\n".join(lines))
    except SyntaxError:                 # a line read as a statement's end that was not one (a bracket in a string)
        return text
    return "\n".join(lines)


def reorder_methods(source: str, rng: random.Random) -> str:
    """Methods of each class in another order (forward first, helpers last)."""
    tree = ast.parse(source)
    lines = source.split("\n")
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    if not classes:
        return source
    for cls in reversed(classes):
        methods = [n for n in cls.body if isinstance(n, ast.FunctionDef)]
        if len(methods) < 2:
            continue
        chunks = []
        for m in methods:
            start = (m.decorator_list[0].lineno if m.decorator_list else m.lineno) - 1
            chunks.append("\n".join(lines[start:m.end_lineno]).rstrip())
        order = list(range(len(methods)))
        while order == list(range(len(methods))):
            rng.shuffle(order)
        first = (methods[0].lineno) - 1
        last = methods[-1].end_lineno
        block = "\n\n".join(chunks[i] for i in order)
        lines = lines[:first] + block.split("\n") + lines[last:]
    return "\n".join(lines)


def swap_activation(source: str, rng: random.Random) -> str:
    """F.relu(...) inside forward becomes an nn.ReLU() module attribute, or the other way round."""
    fn = re.search(r"\b(F\.relu|torch\.relu|nn\.functional\.relu|torch\.nn\.functional\.relu|torch\.sigmoid|"
                   r"F\.sigmoid|nn\.functional\.sigmoid|torch\.nn\.functional\.sigmoid)\(", source)
    if fn and "self.act_fn" not in source:
        mod = "nn.ReLU()" if "relu" in fn.group(1) else "nn.Sigmoid()"
        name = rng.choice(["act", "activation", "nonlin", "relu" if "relu" in fn.group(1) else "sig"])
        out = re.sub(re.escape(fn.group(1)) + r"\(", f"self.{name}(", source)
        m = re.search(r"^(\s*)(super\(.*\)\.__init__\(\)|nn\.Module\.__init__\(self\))\s*$", out, re.M)
        if m:
            out = out[:m.end()] + f"\n{m.group(1)}self.{name} = {mod}" + out[m.end():]
            return out
    mod = re.search(r"^(\s*)self\.(\w+) = (?:torch\.)?nn\.(ReLU|Sigmoid)\([^)]*\)\s*\n", source, re.M)
    if mod:
        fn_name = "F.relu" if mod.group(3) == "ReLU" else "torch.sigmoid"
        out = source[:mod.start()] + source[mod.end():]
        return re.sub(rf"self\.{mod.group(2)}\(", f"{fn_name}(", out)
    return source


def split_cell(source: str, rng: random.Random) -> tuple[str, str] | None:
    """Move the plotting at the end of a function into a helper in a new cell after it."""
    tree = ast.parse(source)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "train_and_test"]
    if not funcs:
        return None
    fn = funcs[0]
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(getattr(s, "value", None), ast.Constant))]
    cut = next((i for i, s in enumerate(body) if "plt." in ast.get_source_segment(source, s) and i > 0), None)
    if cut is None or cut == 0:
        cut = max(1, len(body) // 2)
    head, tail = body[:cut], body[cut:]
    stored = {n.id for s in head for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    stored |= {a.arg for a in fn.args.args}
    loaded: list[str] = []
    for s in tail:
        for n in ast.walk(s):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in stored and n.id not in loaded:
                loaded.append(n.id)
    lines = source.split("\n")
    tail_text = "\n".join(lines[tail[0].lineno - 1:tail[-1].end_lineno])
    helper = rng.choice(["show_gradients", "plot_curves", "draw", "make_plot", "visualise"])
    new_cell = f"def {helper}({', '.join(loaded)}):\n{tail_text}\n"
    indent = " " * tail[0].col_offset
    kept = lines[:tail[0].lineno - 1] + [f"{indent}{helper}({', '.join(loaded)})"] + lines[tail[-1].end_lineno:]
    return "\n".join(kept).rstrip() + "\n", new_cell


def retype(text: str, rng: random.Random) -> str:
    """A written answer copied and retouched: spacing, notation, a word or sentence changed."""
    out = text
    swaps = [(r"\\neq", "≠"), ("≠", r"$\\neq$"), (r"\*", r" \\cdot "), ("  ", " "), (r"\bso\b", "thus"),
             (r"\bThen\b", "Therefore"), (r"\bthe\b", "the"), (r"=", " = "), (r"\bgives\b", "yields")]
    for pattern, repl in rng.sample(swaps, 3):
        out = re.sub(pattern, repl, out, count=2)
    sentences = re.split(r"(?<=[.!?])\s+", out)
    if len(sentences) > 3 and rng.random() < 0.5:
        del sentences[rng.randrange(1, len(sentences))]
    out = " ".join(sentences)
    if rng.random() < 0.5:
        out = out.replace(" ", "  ", 3)
    return out

# ------------------------------------------------------------------------------------- cohort


@dataclass
class Student:
    key: str
    name: str
    model_style: int
    train_style: int
    cells: dict[str, str]                 # cell id -> source, in notebook order (as student_cells)
    copied_from: str | None = None        # key of the student whose work this is (planted)
    disguises: list[str] = field(default_factory=list)
    copied_written: tuple[str, ...] = ()  # written answers taken from the source (retyped or not)


@dataclass
class Cohort:
    students: list[Student]

    @property
    def planted(self) -> set[frozenset[str]]:
        """Every pair that shares copied work: copier-source, and two copiers of one source."""
        by_source: dict[str, list[str]] = {}
        for s in self.students:
            if s.copied_from:
                by_source.setdefault(s.copied_from, []).append(s.key)
        pairs = set()
        for src, copiers in by_source.items():
            for c in copiers:
                pairs.add(frozenset((src, c)))
            for i, a in enumerate(copiers):
                for b in copiers[i + 1:]:
                    pairs.add(frozenset((a, b)))
        return pairs

    @property
    def planted_written(self) -> dict[frozenset[str], tuple[str, ...]]:
        """Planted pairs that share copied written answers, with the answers they share."""
        by_key = {s.key: s for s in self.students}
        out = {}
        for pair in self.planted:
            a, b = (by_key[k] for k in pair)
            if a.copied_from and b.copied_from:          # two copies of one source
                both = tuple(sorted(set(a.copied_written) & set(b.copied_written)))
            else:
                both = (a if a.copied_from else b).copied_written
            if both:
                out[pair] = both
        return out

    def styles(self, key: str) -> tuple[int, int]:
        s = next(s for s in self.students if s.key == key)
        return s.model_style, s.train_style


def honest(i: int, rng: random.Random, n_model: int, n_train: int) -> Student:
    t = Taste.draw(rng)
    ms, ts = rng.randrange(n_model), rng.randrange(n_train)
    cells = {"calc-1-1": calc_1_1(rng), "calc-1-2": calc_1_2(rng, wrong=rng.random() < 0.15),
             "calc-2": calc_2(rng, wrong=rng.random() < 0.2)}
    if rng.random() < 0.05:
        del cells["calc-2"]                      # left as "YOUR ANSWER HERE": not a student cell
    cells["ann-sigmoid"] = MODEL_STYLES[ms](t, rng, "ANN_sigmoid", "sigmoid")
    cells["ann-relu"] = MODEL_STYLES[ms](t, rng, "ANN_relu", "relu")
    cells["train-and-test"] = TRAIN_STYLES[ts](t, rng)
    answers = dict(zip("abcde", (True, False, True, True, False)))
    if rng.random() < 0.4:
        answers[rng.choice("abcde")] ^= True
    cells["answers-3-3"] = "\n".join(f"{k}_ = {v}" for k, v in answers.items()) + "\n"
    return Student(key=f"s{i:04d}", name=f"Student {i:04d}", model_style=ms, train_style=ts, cells=cells)


DISGUISES = ["rename", "reorder", "comments", "layout", "activation", "split", "written", "aliases", "brackets"]


def plant(i: int, source: Student, rng: random.Random) -> Student:
    """A copy of ``source``'s hand-in, disguised with at least three of the usual tricks."""
    chosen = set(rng.sample(DISGUISES, rng.randint(3, 6)))
    chosen.add("rename")        # nearly every copier renames something
    cells: dict[str, str] = {}
    extra: dict[str, str] = {}
    copied_written = []
    for cid, src in source.cells.items():
        if cid in WRITTEN_CELLS:
            if "written" in chosen:
                cells[cid] = retype(src, rng)
            elif rng.random() < 0.5:
                continue          # wrote their own below
            else:
                cells[cid] = src
            copied_written.append(cid)
            continue
        if cid not in CODE_CELLS:
            cells[cid] = src
            continue
        out = src
        if "activation" in chosen and cid != "train-and-test":
            out = swap_activation(out, rng)
        if "reorder" in chosen:
            out = reorder_methods(out, rng)
        if "rename" in chosen:
            out = rename(out, rng)
        if "aliases" in chosen:
            out = realias(out, rng)
        if "brackets" in chosen:
            out = rebracket(out, rng)
        if "split" in chosen and cid == "train-and-test":
            parts = split_cell(out, rng)
            if parts:
                out, extra[f"added-{rng.randrange(16**8):08x}"] = parts
        if "comments" in chosen:
            out = recomment(out, rng)
        if "layout" in chosen:
            out = relayout(out, rng)
        cells[cid] = out
        if cid == "train-and-test":
            cells.update(extra)
    for cid in WRITTEN_CELLS:      # own answers where the copier did not copy them
        if cid not in cells and cid in source.cells:
            cells[cid] = {"calc-1-1": calc_1_1, "calc-1-2": calc_1_2, "calc-2": calc_2}[cid](rng)
    order = [c for c in (*WRITTEN_CELLS, "ann-sigmoid", "ann-relu", "train-and-test") if c in cells]
    order += [c for c in cells if c.startswith("added-")] + ["answers-3-3"]
    cells = {c: cells[c] for c in order if c in cells}
    return Student(key=f"s{i:04d}", name=f"Student {i:04d}", model_style=source.model_style,
                   train_style=source.train_style, cells=cells, copied_from=source.key, disguises=sorted(chosen),
                   copied_written=tuple(copied_written))


def cohort(n_honest: int = 200, n_planted: int = 20, seed: int = 7, n_model: int = len(MODEL_STYLES),
           n_train: int = len(TRAIN_STYLES)) -> Cohort:
    """``n_honest`` honest hand-ins and ``n_planted`` disguised copies of some of them (one source
    is copied twice, so the cohort holds a cluster of three). Keys are shuffled so that copies do
    not sit next to their sources."""
    rng = random.Random(seed)
    students = [honest(i, random.Random(rng.random()), n_model, n_train) for i in range(n_honest)]
    if n_planted >= 2:
        sources = rng.sample(students, n_planted - 1)
        sources.append(sources[0])             # a second copy of the first source: a cluster of three
    else:
        sources = rng.sample(students, n_planted)
    for j, src in enumerate(sources):
        students.append(plant(n_honest + j, src, random.Random(rng.random())))
    order = list(range(len(students)))
    rng.shuffle(order)
    keys = {s.key: f"s{pos:04d}" for s, pos in zip(students, order)}
    for s in students:
        s.key, s.name = keys[s.key], f"Student {keys[s.key][1:]}"
        s.copied_from = keys[s.copied_from] if s.copied_from else None
    students.sort(key=lambda s: s.key)
    return Cohort(students)


def write_reports(c: Cohort, folder: Path) -> Path:
    """Per-student JSON files like ``grader grade`` writes (identity and student cells only).
    The truth (who copied whom) is not among them: run ``__main__`` for it."""
    from grader.report import write_submission
    from grader.results import CheckResult, SubmissionResult
    folder.mkdir(parents=True, exist_ok=True)
    for s in c.students:
        r = SubmissionResult(file=f"Assignment_7_{s.name.replace(' ', '')}_k{int(s.key[1:]):08d}.ipynb",
                             name=s.name.replace(" ", ""), matr_number=f"k{int(s.key[1:]):08d}", filename_ok=True,
                             checks=[CheckResult("code_3_1", "imports", 2, 2, True, "ok")], key=s.key,
                             path=f"{s.key}.ipynb", student_cells=dict(s.cells))
        write_submission(folder, r, s.key)
    return folder


def write_notebooks(students: list[Student], folder: Path, moodle: bool = False) -> Path:
    """Each student's cells in a copy of the template, as a student would hand it in (added cells
    after the cell they were split from). ``moodle``: in Moodle's participant folders."""
    import copy

    import nbformat
    template = nbformat.read(Path(__file__).resolve().parents[1] / "reference" / "assignment7" / "template.ipynb",
                             as_version=4)
    folder.mkdir(parents=True, exist_ok=True)
    for n, s in enumerate(students):
        nb = copy.deepcopy(template)
        cells = []
        for cell in nb.cells:
            if cell.get("id") in s.cells:
                cell.source = s.cells[cell["id"]]
            cells.append(cell)
            if cell.get("id") == "train-and-test":
                cells += [nbformat.v4.new_code_cell(src, id=cid) for cid, src in s.cells.items()
                          if cid.startswith("added-")]
        nb.cells = cells
        name = f"Assignment_7_{s.name.replace(' ', '')}_k{int(s.key[1:]):08d}.ipynb"
        where = folder / f"{s.name}_{7000 + n}_assignsubmission_file_" if moodle else folder
        where.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, where / name)
    return folder


if __name__ == "__main__":
    import argparse
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--honest", type=int, default=200)
    p.add_argument("--planted", type=int, default=20)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--show", type=int, default=0, help="print the cells of the first N planted copies and sources")
    a = p.parse_args()
    co = cohort(a.honest, a.planted, a.seed)
    write_reports(co, a.out)
    truth = a.out.parent / f"{a.out.name}-truth.json"     # beside the folder: not a report
    truth.write_text(json.dumps({s.key: {"model_style": s.model_style, "train_style": s.train_style,
                                         "copied_from": s.copied_from, "disguises": s.disguises}
                                 for s in co.students}, indent=1))
    print(f"wrote {len(co.students)} reports to {a.out} ({len(co.planted)} planted pairs)")
    by_key = {s.key: s for s in co.students}
    for s in [s for s in co.students if s.copied_from][:a.show]:
        print(f"===== {s.key} copied from {s.copied_from} with {s.disguises}")
        for cid, src in s.cells.items():
            print(f"--- {cid} (copy)\n{src}\n--- {cid} (source)\n{by_key[s.copied_from].cells.get(cid, '-')}")
