"""One normal form for written answers, shared by the grading app's answer groups and by the
similarity view: two answers that differ only in spacing, case, LaTeX spelling or Unicode
symbols read the same; their numbers are kept apart so that answers with other numbers never
look alike.
"""
from __future__ import annotations

import re
import unicodedata

from .answer_images import as_text

# Unicode symbols students type instead of LaTeX (and the LaTeX spellings of one thing).
SYMBOLS = {
    "×": "*", "·": "*", "⋅": "*", "∗": "*", r"\cdot": "*", r"\times": "*", r"\ast": "*",
    "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "⁃": "-", "⁻": "-", "₋": "-", "➖": "-", "˗": "-",
    "﹣": "-", "－": "-", "≠": r"\neq", r"\ne": r"\neq", "≤": r"\leq", r"\le": r"\leq",
    "≥": r"\geq", r"\ge": r"\geq", "→": r"\to", r"\rightarrow": r"\to", "⇒": r"\implies",
    r"\Rightarrow": r"\implies", "∂": r"\partial", "∑": r"\sum", "∈": r"\in", "∞": r"\infty",
    "δ": r"\delta", "Δ": r"\delta", "σ": r"\sigma", "α": r"\alpha", "β": r"\beta", "η": r"\eta",
    "λ": r"\lambda", "θ": r"\theta", "μ": r"\mu", "ŷ": r"\hat{y}", "²": "^2", "³": "^3", "½": "1/2",
    "¼": "1/4",
}
SPACING = re.compile(r"\\[,;:!> ]|\\q?quad\b|~|\\left\b|\\right\b|\\big[lr]?\b|\\Big[lr]?\b|\\displaystyle\b")
WRAPPERS = re.compile(r"\\(?:mathbf|mathrm|mathit|boldsymbol|bm|text|textbf|textit|operatorname|mbox)\s*\{([^{}]*)\}")
FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
FRAC_SHORT = re.compile(r"\\[dt]?frac\s*(\d)\s*(\d)")      # TeX's shorthand: \frac14 is 1/4
# A number: a sign apart from it ("- 0.5") is still its sign; a coefficient ("2x") is a number.
NUMBER = re.compile(r"(?<![\w.])(?:-\s*)?\d+(?:\.\d+)?(?:e-?\d+)?(?!\d|\.\d)")
DECIMAL_COMMA = re.compile(r"(?<![\d,(\[])(\d+),(\d+)(?![\d,)\]])")
_SYMBOL_RE = re.compile("|".join(re.escape(k) + (r"(?![a-zA-Z])" if k.startswith("\\") else "")
                                 for k in sorted(SYMBOLS, key=len, reverse=True)))


def _decimal_comma(m: re.Match) -> str:
    """2,5 is a decimal comma; 1,0 inside a list (0, 1, 1,0) or a tuple is not, spaces or not."""
    # A window around the match, not the whole text: copying the text before and after every
    # match was quadratic (an answer of 49,000 '1,2' stalled every TA; a twenty-seventh review).
    before = m.string[max(0, m.start() - 64):m.start()].rstrip()
    after = m.string[m.end():m.end() + 64].lstrip()
    if before.endswith((",", "(", "[")) or after.startswith((",", ")", "]")):
        return m.group(0)
    return f"{m.group(1)}.{m.group(2)}"


def _frac(m: re.Match) -> str:
    """a/b, with parentheses around a part that is more than one number or name: \frac{1}{2x}
    is 1/(2x), not \frac{1}{2}x (a thirty-eighth review grouped the two)."""
    a, b = m.group(1).strip(), m.group(2).strip()
    simple = re.compile(r"\d+(?:\.\d+)?|[^\W\d]\w*")
    return (a if simple.fullmatch(a) else f"({a})") + "/" + (b if simple.fullmatch(b) else f"({b})")


def normalise(text: str) -> str:
    """The normal form: compare answers with ``==`` or a fuzzy ratio on this."""
    t = unicodedata.normalize("NFC", as_text(text) or "").replace("\x00", "")
    t = _SYMBOL_RE.sub(lambda m: SYMBOLS[m.group(0)], t)
    t = unicodedata.normalize("NFKC", t).replace("−", "-")      # ⁻ and ₋ become − only here
    t = SPACING.sub(" ", t)
    for _ in range(3):                      # nested wrappers: \mathbf{\text{x}}
        t = re.sub(r"([_^])\{([\w.]*|\[[\w.]*\]|\([\w.]*\))\}", r"\1\2", t)   # w_{32}, W^{[1]}: in a \frac{}{} too
        t = WRAPPERS.sub(r"\1", t)
        t = FRAC.sub(_frac, t)
    t = FRAC_SHORT.sub(r"\1/\2", t)
    t = t.replace("$", " ").replace("\\\\", " ")
    # One space for a run: the rules below look around a space, and each ``\s*`` tried from every
    # space of a long run is quadratic (200,000 '$' took minutes; a twenty-fourth review's fuzzing).
    t = re.sub(r"\s+", " ", t)
    # Braces that still group more than one token keep their scope as parentheses: e^{-s+1} is
    # not e^{-s}+1, \sqrt{x+1} not \sqrt{x}+1 (a thirty-eighth review: one group, "the same once
    # normalised", and a group grade gave the wrong one the right one's points).
    t = re.sub(r"(?<!\\)\{", "(", re.sub(r"(?<!\\)\}", ")", t))
    t = re.sub(r"\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)", "", t)   # markdown emphasis
    t = re.sub(r"(?<=[^\W\d_])_(?=\w)", "", t)    # an index: x_2 and x2, w_{32} and w32 read alike
    t = re.sub(r"\s+", " ", t)     # again: a brace or emphasis dropped between spaces joins two runs
    t = re.sub(r" ?([=+\-*/^(),<>|]) ?", r"\1", t)     # (a space at most: the runs are one space by now)
    t = re.sub(r" ([.,;:!?])", r"\1", t)            # a space left before punctuation (by a dropped $)
    t = re.sub(r"\s+", " ", t).strip().casefold()
    return t


def numbers(text: str) -> tuple[str, ...]:
    """The numbers of an answer in order: answers whose numbers differ are different answers,
    however alike their words. A lone decimal comma (2,5) reads as a point; a comma list or a
    tuple ((0,1), 0,1,1,0) stays a list of numbers."""
    t = unicodedata.normalize("NFC", as_text(text) or "").replace("\x00", "")
    t = _SYMBOL_RE.sub(lambda m: SYMBOLS[m.group(0)], t)
    t = unicodedata.normalize("NFKC", t).replace("−", "-")      # ⁻ and ₋ become − only here
    t = re.sub(r"_\{[^{}]*\}|_\w+", "", t)          # indices (w_{32}, x_2) are names, not numbers
    # Layer/sample indices (W^{[1]}, x^{(2)}) too; short, so that no '^(' scans the rest of the text.
    t = re.sub(r"\^\{?\s*[\[(][^\])\[(]{0,40}[\])]\s*\}?", "", t)
    t = FRAC_SHORT.sub(r"\1/\2", t)
    t = DECIMAL_COMMA.sub(_decimal_comma, t)
    out = []
    for m in NUMBER.finditer(t):
        try:
            value = float(re.sub(r"\s+", "", m.group(0)))
        except ValueError:
            continue
        out.append(f"{value + 0.0:.12g}")      # 0.123456 is not 0.1234564 (`:g` kept 6 digits: a seventy-eighth review)
    return tuple(out)
