"""A synthetic cohort for the gradebook: results whose written answers come from about 30
distinct answers per task, written the way students write them.

Each distinct answer is a *concept* (a line of argument) with one *numbers variant* (the right
numbers or a common mistake). A student's text is that answer with realistic noise: spacing,
LaTeX or plain text per sentence (``\\cdot``/``*``/``×``, ``\\frac{a}{b}``/``a/b``, ``δ``/``\\delta``,
``w_{32}``/``w_32``, ``$`` or none), reordered independent sentences, typos in words (never in
numbers), case. A few students write something of their own, a few leave the placeholder.
The ground truth (concept, variant) travels with each answer, so the bench can check that no
answer group mixes different numbers, and count the decisions a TA still makes.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from grader.results import CheckResult, SubmissionResult

# (latex, plain) sentence pairs; {a}, {b}, ... are the numbers of a variant. ``fixed`` marks how
# many leading sentences must stay in place (the rest may be reordered).
CONCEPTS: dict[str, list[dict]] = {
    "calc_1_1": [
        dict(s=[(r"Suppose $w_1, w_2$ solve XOR with $g_1(\mathbf{{x}}) = x^{{(1)}} w_1 + x^{{(2)}} w_2$.",
                 "Suppose w1, w2 solve XOR with g1(x) = x^(1) w1 + x^(2) w2."),
                (r"From $\mathbf{{x}}_2$ we get $w_1 = {a}$.", "From x_2 we get w_1 = {a}."),
                (r"From $\mathbf{{x}}_3$ we get $w_2 = {b}$.", "From x_3 we get w_2 = {b}."),
                (r"But then $g_1(\mathbf{{x}}_4) = w_1 + w_2 = {c} \neq {d}$, a contradiction.",
                 "But then g1(x_4) = w_1 + w_2 = {c} ≠ {d}, a contradiction.")],
             fixed=1, variants=[dict(a=1, b=1, c=2, d=0), dict(a=1, b=1, c=2, d=1), dict(a=0, b=1, c=1, d=0),
                                dict(a=1, b=0, c=1, d=0), dict(a=0.5, b=0.5, c=1, d=0), dict(a=1, b=1, c=1, d=0)]),
        dict(s=[(r"We need $g_1(\mathbf{{x}}_1) = {a}$, $w_1 = {b}$, $w_2 = {b}$ and $w_1 + w_2 = {a}$.",
                 "We need g(x1) = {a}, w1 = {b}, w2 = {b} and w1 + w2 = {a}."),
                (r"Adding the middle two equations gives $w_1 + w_2 = {c}$, which contradicts the last one.",
                 "Adding the middle two equations gives w1 + w2 = {c}, which contradicts the last one."),
                ("So no parameters solve the problem exactly.", "So no parameters solve the problem exactly.")],
             fixed=0, variants=[dict(a=0, b=1, c=2), dict(a=0, b=1, c=1), dict(a=1, b=1, c=2), dict(a=0, b=2, c=4)]),
        dict(s=[(r"The points with label $1$ are $({a},{b})$ and $({b},{a})$, the points with label $0$ are $(0,0)$ and $(1,1)$.",
                 "The points with label 1 are ({a},{b}) and ({b},{a}), the points with label 0 are (0,0) and (1,1)."),
                ("No straight line through the origin can separate these two sets.",
                 "No straight line through the origin can separate these two sets."),
                ("Hence XOR is not linearly separable and a linear network cannot solve it.",
                 "Hence XOR is not linearly separable and a linear network cannot solve it.")],
             fixed=0, variants=[dict(a=1, b=0), dict(a=1, b=1), dict(a=0, b=1)]),
        dict(s=[(r"With a threshold of ${t}$ we need $w_1 > {t}$ and $w_2 > {t}$.",
                 "With a threshold of {t} we need w1 > {t} and w2 > {t}."),
                (r"Then $w_1 + w_2 > {u}$, but $\mathbf{{x}}_4$ needs $w_1 + w_2 < {t}$.",
                 "Then w1 + w2 > {u}, but x4 needs w1 + w2 < {t}."),
                ("This is impossible.", "This is impossible.")],
             fixed=0, variants=[dict(t=0.5, u=1), dict(t=0.5, u=0.5), dict(t=1, u=2), dict(t=0, u=0)]),
        dict(s=[("XOR is not a linear function, so a linear network can never represent it.",
                 "XOR is not a linear function, so a linear network can never represent it.")],
             fixed=1, variants=[dict()]),
        dict(s=[(r"It is possible: take $w_1 = {a}$ and $w_2 = {b}$.", "It is possible: take w1 = {a} and w2 = {b}."),
                (r"Then the outputs are ${a}, {b}$ for $\mathbf{{x}}_2, \mathbf{{x}}_3$.",
                 "Then the outputs are {a}, {b} for x2, x3.")],
             fixed=2, variants=[dict(a=1, b=-1), dict(a=1, b=1), dict(a=-1, b=1)]),
        dict(s=[(r"The convex hulls of both classes intersect in the point $({a}, {a})$.",
                 "The convex hulls of both classes intersect in the point ({a}, {a})."),
                ("Two classes whose convex hulls intersect are not linearly separable.",
                 "Two classes whose convex hulls intersect are not linearly separable.")],
             fixed=0, variants=[dict(a=0.5), dict(a=1), dict(a=0)]),
        dict(s=[(r"Since $\mathbf{{x}}_1 = (0,0)$ always gives $g_1 = {a}$ the first point is fine.",
                 "Since x1 = (0,0) always gives g1 = {a} the first point is fine."),
                (r"For the other three we need $w_1 = {b}$, $w_2 = {b}$ and $w_1 + w_2 = 0$, impossible.",
                 "For the other three we need w1 = {b}, w2 = {b} and w1 + w2 = 0, impossible.")],
             fixed=0, variants=[dict(a=0, b=1), dict(a=0, b=2), dict(a=1, b=1)]),
        dict(s=[(r"A linear $g_1$ satisfies $g_1(\mathbf{{x}}_2) + g_1(\mathbf{{x}}_3) = g_1(\mathbf{{x}}_4)$, "
                 r"but the labels give ${a} + {a} \neq {b}$.",
                 "A linear g1 satisfies g1(x2) + g1(x3) = g1(x4), but the labels give {a} + {a} ≠ {b}.")],
             fixed=1, variants=[dict(a=1, b=0), dict(a=1, b=2)]),
    ],
    "calc_1_2": [
        dict(s=[(r"$\mathbf{{W}}^{{[1]}}\mathbf{{x}} + \mathbf{{b}}$ gives $({a}), ({b}), ({b}), ({c})$.",
                 "W1 x + b gives ({a}), ({b}), ({b}), ({c})."),
                (r"After the ReLU: $({d}), ({b}), ({b}), ({c})$.", "After the ReLU: ({d}), ({b}), ({b}), ({c})."),
                (r"Times $\mathbf{{W}}^{{[2]}} = (1,-2)$: ${e}$, which is XOR.",
                 "Times W2 = (1,-2): {e}, which is XOR.")],
             fixed=3, variants=[dict(a="0,-1", b="1,0", c="2,1", d="0,0", e="0, 1, 1, 0"),
                                dict(a="0,-1", b="1,0", c="2,1", d="0,-1", e="2, 1, 1, 0"),
                                dict(a="0,0", b="1,1", c="2,2", d="0,0", e="0, -1, -1, -2"),
                                dict(a="0,-1", b="1,0", c="2,1", d="0,0", e="0, 1, 1, 1")]),
        dict(s=[(r"For $\mathbf{{x}}_1$: hidden $= ({a})$, output ${o1}$.", "For x1: hidden = ({a}), output {o1}."),
                (r"For $\mathbf{{x}}_2$ and $\mathbf{{x}}_3$: hidden $= (1,0)$, output ${o2}$.",
                 "For x2 and x3: hidden = (1,0), output {o2}."),
                (r"For $\mathbf{{x}}_4$: hidden $= (2,1)$, output $2 - 2 = {o4}$.",
                 "For x4: hidden = (2,1), output 2 - 2 = {o4}.")],
             fixed=0, variants=[dict(a="0,0", o1=0, o2=1, o4=0), dict(a="0,-1", o1=2, o2=1, o4=0),
                                dict(a="0,0", o1=0, o2=1, o4=1), dict(a="0,0", o1=0, o2=-1, o4=0)]),
        dict(s=[(r"$\max(0, \mathbf{{W}}^{{[1]}}\mathbf{{x}}_i + \mathbf{{b}})$ maps the inputs to $(0,0), (1,0), (1,0), ({a})$.",
                 "max(0, W1 x_i + b) maps the inputs to (0,0), (1,0), (1,0), ({a})."),
                (r"In this space the points are linearly separable and $\mathbf{{W}}^{{[2]}}$ gives ${o}$.",
                 "In this space the points are linearly separable and W2 gives {o}.")],
             fixed=0, variants=[dict(a="2,1", o="0, 1, 1, 0"), dict(a="2,2", o="0, 1, 1, -2"),
                                dict(a="1,1", o="0, 1, 1, -1")]),
        dict(s=[(r"The network outputs $g_2 = ({o})$ for $\mathbf{{x}}_1, \ldots, \mathbf{{x}}_4$, exactly the labels.",
                 "The network outputs g2 = ({o}) for x1, ..., x4, exactly the labels.")],
             fixed=1, variants=[dict(o="0, 1, 1, 0"), dict(o="0, 1, 1, 1"), dict(o="1, 1, 1, 0"), dict(o="0, 1, 0, 0"),
                                dict(o="0, 0, 0, 0")]),
        dict(s=[(r"Hidden layer: $h = \text{{ReLU}}(x^{{(1)}} + x^{{(2)}}, x^{{(1)}} + x^{{(2)}} - {a})$.",
                 "Hidden layer: h = ReLU(x1 + x2, x1 + x2 - {a})."),
                (r"Output: $h_1 - {b} h_2$, which gives $0, 1, 1, 0$.", "Output: h1 - {b} h2, which gives 0, 1, 1, 0.")],
             fixed=0, variants=[dict(a=1, b=2), dict(a=1, b=1), dict(a=0, b=2), dict(a=2, b=2)]),
        dict(s=[("The ReLU network solves XOR because the hidden layer makes the data linearly separable.",
                 "The ReLU network solves XOR because the hidden layer makes the data linearly separable.")],
             fixed=1, variants=[dict()]),
        dict(s=[(r"I computed $\mathbf{{W}}^{{[1]}}\mathbf{{x}}_4 = ({a})$ and after adding $\mathbf{{b}}$ and ReLU $({c})$.",
                 "I computed W1 x4 = ({a}) and after adding b and ReLU ({c})."),
                (r"So $g_2(\mathbf{{x}}_4) = {o}$.", "So g2(x4) = {o}.")],
             fixed=2, variants=[dict(a="2,2", c="2,1", o=0), dict(a="2,2", c="2,2", o=-2), dict(a="2,1", c="2,1", o=0)]),
        dict(s=[(r"| $\mathbf{{x}}$ | hidden | output |\n|---|---|---|\n| (0,0) | (0,0) | {a} |\n| (1,0) | (1,0) | 1 |\n"
                 r"| (0,1) | (1,0) | 1 |\n| (1,1) | (2,1) | {b} |",
                 "| x | hidden | output |\n|---|---|---|\n| (0,0) | (0,0) | {a} |\n| (1,0) | (1,0) | 1 |\n"
                 "| (0,1) | (1,0) | 1 |\n| (1,1) | (2,1) | {b} |")],
             fixed=1, variants=[dict(a=0, b=0), dict(a=0, b=1), dict(a=1, b=0)]),
    ],
    "calc_2": [
        dict(s=[(r"$s_3 = w_{{31}} x_1 + w_{{32}} x_2 = {s3}$ and $a_3 = \max(0, s_3) = {a3}$.",
                 "s_3 = w_31 x_1 + w_32 x_2 = {s3} and a_3 = max(0, s_3) = {a3}."),
                (r"$\hat{{y}} = s_6 = w_{{63}} a_3 + w_{{64}} a_4 + w_{{65}} a_5 = {y}$.",
                 "ŷ = s_6 = w_63 a_3 + w_64 a_4 + w_65 a_5 = {y}."),
                (r"$\delta_6 = \hat{{y}} - y = {d6}$ and $\delta_3 = f'(s_3) \cdot w_{{63}} \cdot \delta_6 = {d3}$.",
                 "δ_6 = ŷ - y = {d6} and δ_3 = f'(s_3) * w_63 * δ_6 = {d3}."),
                (r"$\frac{{\partial L}}{{\partial w_{{32}}}} = \delta_3 \cdot x_2 = {g}$.",
                 "∂L/∂w_32 = δ_3 * x_2 = {g}.")],
             fixed=0, variants=[dict(s3=2, a3=2, y=1.5, d6=0.5, d3=0.25, g=0.5),
                                dict(s3=2, a3=2, y=1.5, d6=-0.5, d3=-0.25, g=-0.5),
                                dict(s3=-1, a3=0, y=0.5, d6=-0.5, d3=0, g=0),
                                dict(s3=2, a3=2, y=1.5, d6=0.5, d3=0.25, g=0.25),
                                dict(s3=3, a3=3, y=2, d6=1, d3=0.5, g=1)]),
        dict(s=[(r"Forward pass: $s_3 = {s3}$, $s_4 = {s4}$, $s_5 = {s5}$, $a_3 = {s3}$, $a_4 = 0$, $a_5 = {s5}$.",
                 "Forward pass: s3 = {s3}, s4 = {s4}, s5 = {s5}, a3 = {s3}, a4 = 0, a5 = {s5}."),
                (r"Output $\hat{{y}} = {y}$, loss $L = \frac{{1}}{{2}}(1 - {y})^2$.", "Output ŷ = {y}, loss L = 1/2 (1 - {y})^2."),
                (r"Backward: $\delta_6 = {d6}$, $\delta_3 = {d3}$, $\delta_4 = 0$.", "Backward: δ6 = {d6}, δ3 = {d3}, δ4 = 0."),
                (r"Gradient: $\partial L / \partial w_{{32}} = \delta_3 x_2 = {g}$.", "Gradient: ∂L/∂w32 = δ3 x2 = {g}.")],
             fixed=1, variants=[dict(s3=2, s4=-1, s5=1, y=1.5, d6=0.5, d3=0.25, g=0.5),
                                dict(s3=2, s4=-1, s5=1, y=1.5, d6=0.5, d3=0.5, g=1),
                                dict(s3=2, s4=1, s5=1, y=2.5, d6=1.5, d3=0.75, g=1.5),
                                dict(s3=1, s4=-1, s5=1, y=1, d6=0, d3=0, g=0)]),
        dict(s=[(r"$s_3 = \sum_i w_{{3i}} x_i$, $a_3 = \text{{ReLU}}(s_3)$.", "s3 = sum_i w_3i x_i, a3 = ReLU(s3)."),
                (r"$\delta_3 = \text{{ReLU}}'(s_3) \, w_{{63}} \, \delta_6$.", "δ3 = ReLU'(s3) w63 δ6."),
                (r"$\frac{{\partial L}}{{\partial w_{{32}}}} = \delta_3 \, a_2$.", "∂L/∂w32 = δ3 a2.")],
             fixed=0, variants=[dict()]),
        dict(s=[(r"$\delta_6 = -(y - \hat{{y}}) = {d6}$.", "δ6 = -(y - ŷ) = {d6}."),
                (r"$\delta_3 = w_{{63}} \delta_6 = {d3}$ since $s_3 > 0$.", "δ3 = w63 δ6 = {d3} since s3 > 0."),
                (r"$\partial L / \partial w_{{32}} = {g}$.", "∂L/∂w32 = {g}.")],
             fixed=0, variants=[dict(d6=0.5, d3=0.25, g=0.5), dict(d6=0.5, d3=0.25, g=0.25),
                                dict(d6=-0.5, d3=-0.25, g=-0.5), dict(d6=1, d3=0.5, g=1)]),
        dict(s=[("I could not compute the values because the figure is missing, but the formulas are the chain rule.",
                 "I could not compute the values because the figure is missing, but the formulas are the chain rule.")],
             fixed=1, variants=[dict()]),
        dict(s=[(r"$s_3 = {s3}$, $a_3 = {s3}$, $\hat{{y}} = {y}$, $\delta_6 = {d6}$, $\delta_3 = {d3}$, "
                 r"$\frac{{\partial L}}{{\partial w_{{32}}}} = {g}$.",
                 "s3 = {s3}, a3 = {s3}, ŷ = {y}, δ6 = {d6}, δ3 = {d3}, ∂L/∂w32 = {g}.")],
             fixed=1, variants=[dict(s3=2, y=1.5, d6=0.5, d3=0.25, g=0.5), dict(s3=2, y=1.5, d6=0.5, d3=0.25, g=1),
                                dict(s3=2, y=0.5, d6=-0.5, d3=-0.25, g=-0.5), dict(s3=1, y=1.5, d6=0.5, d3=0.25, g=0.5)]),
        dict(s=[(r"By the chain rule $\frac{{\partial L}}{{\partial w_{{32}}}} = \frac{{\partial L}}{{\partial \hat{{y}}}} "
                 r"\frac{{\partial \hat{{y}}}}{{\partial a_3}} \frac{{\partial a_3}}{{\partial s_3}} x_2 = {a} \cdot {b} \cdot {c} \cdot {d}$.",
                 "By the chain rule ∂L/∂w32 = ∂L/∂ŷ * ∂ŷ/∂a3 * ∂a3/∂s3 * x2 = {a} * {b} * {c} * {d}."),
                (r"That is ${e}$.", "That is {e}.")],
             fixed=1, variants=[dict(a=0.5, b=0.5, c=1, d=2, e=0.5), dict(a=-0.5, b=0.5, c=1, d=2, e=-0.5),
                                dict(a=0.5, b=0.5, c=0, d=2, e=0)]),
    ],
}
TYPO_SAFE = re.compile(r"(?<![\\\w])([A-Za-z]{5,})(?![\w{])")
NEGATIONS = {"not", "no", "never", "cannot", "none", "nothing", "neither", "nor"}
LATEX_TO_PLAIN = [(r"\cdot", "*"), (r"\cdot", "×"), (r"\delta", "δ"), (r"\neq", "≠"), (r"\hat{y}", "ŷ")]


@dataclass(frozen=True)
class Truth:
    task: str
    concept: int                  # -1: a student's own answer
    variant: int

    @property
    def label(self) -> str:
        return f"{self.task}:{self.concept}:{self.variant}"


def distinct_answers() -> dict[str, int]:
    return {task: sum(len(c["variants"]) for c in cs) for task, cs in CONCEPTS.items()}


def _typo(word: str, rng: random.Random) -> str:
    if word.lower() in NEGATIONS:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice("swap drop double")
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def _spacing(text: str, rng: random.Random) -> str:
    text = re.sub(r"\s*([=+])\s*", lambda m: rng.choice(["", " ", "  "]) + m.group(1) + rng.choice(["", " "]), text)
    text = re.sub(r", ", lambda m: rng.choice([", ", ",", ",  "]), text)
    return text


def render(concept: dict, numbers: dict, rng: random.Random) -> str:
    sentences = []
    latex_all = rng.random() < 0.6
    for latex, plain in concept["s"]:
        use_latex = latex_all if rng.random() < 0.8 else not latex_all
        s = (latex if use_latex else plain).format(**numbers)
        if use_latex:
            for a, b in LATEX_TO_PLAIN:
                if a in s and rng.random() < 0.15:
                    s = s.replace(a, b)
            if rng.random() < 0.2:
                s = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2", s)
        sentences.append(s)
    fixed = concept["fixed"]
    free = sentences[fixed:]
    if len(free) > 1 and rng.random() < 0.2:
        i, j = rng.sample(range(len(free)), 2)
        free[i], free[j] = free[j], free[i]
    text = (" " if rng.random() < 0.7 else "\n").join(sentences[:fixed] + free)
    if rng.random() < 0.4:
        words = TYPO_SAFE.findall(text)
        for _ in range(rng.choice([1, 1, 2])):
            if words:
                w = rng.choice(words)
                text = text.replace(w, _typo(w, rng), 1)
    if rng.random() < 0.2:
        text = text[0].swapcase() + text[1:]
    if rng.random() < 0.5:
        text = _spacing(text, rng)
    return text


def own_answer(rng: random.Random) -> str:
    words = ["network", "weights", "because", "linear", "output", "hidden", "layer", "gradient", "loss", "input",
             "therefore", "we", "see", "that", "the", "is", "a", "function", "model", "value"]
    body = " ".join(rng.choice(words) for _ in range(rng.randint(8, 25)))
    return f"{body} = {rng.randint(0, 99)}.{rng.randint(0, 9)}"


def make_answer(task: str, rng: random.Random) -> tuple[str | None, Truth | None]:
    r = rng.random()
    if r < 0.04:
        return None, None                                          # left the placeholder
    if r < 0.06:
        return own_answer(rng), Truth(task, -1, rng.randrange(10**9))   # something of their own
    concepts = CONCEPTS[task]
    # A few concepts are common, most are rarer (as in a real cohort).
    ci = min(int(rng.expovariate(0.45)), len(concepts) - 1)
    c = concepts[ci]
    vi = 0 if rng.random() < 0.55 else rng.randrange(len(c["variants"]))
    return render(c, c["variants"][vi], rng), Truth(task, ci, vi)


AUTO = [("code_3_1", "imports executes", 2), ("code_3_1", "imports unchanged", 2), ("code_3_1", "hyperparams", 2),
        ("code_3_1", "data-loaders", 2), ("code_3_1", "plot-examples", 2),
        ("code_3_2_models", "ANN_sigmoid: builds", 1), ("code_3_2_models", "ANN_sigmoid: layers", 1),
        ("code_3_2_models", "ANN_sigmoid: forward shape", 1), ("code_3_2_models", "ANN_sigmoid: activations", 1),
        ("code_3_2_models", "ANN_sigmoid: seeded", 1), ("code_3_2_models", "ANN_relu: builds", 1),
        ("code_3_2_models", "ANN_relu: layers", 1), ("code_3_2_models", "ANN_relu: forward shape", 1),
        ("code_3_2_models", "ANN_relu: activations", 1), ("code_3_2_models", "ANN_relu: seeded", 1),
        ("code_3_2_train", "optimizer", 4), ("code_3_2_train", "epochs", 4), ("code_3_2_train", "test", 3),
        ("code_3_2_train", "plots", 4), ("code_3_2_train", "final_weights", 5),
        ("question_3_3", "a_", 2), ("question_3_3", "b_", 2), ("question_3_3", "c_", 2), ("question_3_3", "d_", 2),
        ("question_3_3", "e_", 2)]
MANUAL = [("calc_1_1", 10.0), ("calc_1_2", 15.0), ("calc_2", 25.0)]
FIRST = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Klara", "Lukas",
         "Mia", "Noah", "Olga", "Paul", "Quirin", "Rosa", "Simon", "Tara"]
LAST = ["Huber", "Gruber", "Bauer", "Wagner", "Müller", "Pichler", "Steiner", "Moser", "Mayer", "Hofer",
        "Leitner", "Berger", "Fuchs", "Eder", "Fischer"]


def cohort(n: int = 1000, seed: int = 7) -> tuple[list[SubmissionResult], dict[tuple[str, str], Truth]]:
    """n results (Moodle participants) and the ground truth of every written answer by (key, task)."""
    rng = random.Random(seed)
    results, truth = [], {}
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        pid = str(100000 + i)
        key = f"{first}_{last}_{pid}"
        matr = f"k{rng.randrange(10**7, 10**8):08d}"
        r = SubmissionResult(file=f"Assignment_7_{first}{last}_{matr}.ipynb", name=f"{first}{last}",
                             matr_number=matr, filename_ok=True, key=key, participant_id=pid,
                             participant=f"{first} {last}", path=f"{first} {last}_{pid}_assignsubmission_file_/x.ipynb",
                             sha256=f"{rng.getrandbits(256):064x}", fingerprint="bench")
        for task, max_points in MANUAL:
            text, t = make_answer(task, rng)
            if text is None:
                r.checks.append(CheckResult(task, "answer", max_points, 0.0, False,
                                            "not answered: replace 'YOUR ANSWER HERE' with your answer",
                                            manual_task=True))
            else:
                r.checks.append(CheckResult(task, "answer", max_points, None, None,
                                            "answered; needs manual grading by a TA", answer=text, manual_task=True))
                truth[(key, task)] = t
        skill = rng.random()
        for task, check, pts in AUTO:
            ok = rng.random() < 0.5 + skill / 2
            r.checks.append(CheckResult(task, check, float(pts), float(pts) if ok else 0.0, ok,
                                        "ok" if ok else f"{check} is not correct"))
        results.append(r)
    return results, truth
