"""The normal form of written answers (answer groups, similarity): alike when only the spelling
differs, apart as soon as a number differs."""
import pytest

from grader.answer_text import normalise, numbers


@pytest.mark.parametrize("a,b", [
    (r"$\frac{1}{2}(y - \hat{y})^2$", "1/2 (y-ŷ)²"),
    ("The outputs are 0, 1, 1, 0", "the OUTPUTS are  0,1,1,0"),
    (r"$\delta_3 = f'(s_3) \cdot w_{63} \cdot \delta_6$", "δ_3 = f'(s_3) × w_63 * δ_6"),
    (r"$a \neq b$", "a ≠ b"),
    (r"$x\,=\;1$", "x = 1"),
    ("**Proof**: no such w", "Proof: no such w"),
])
def test_spellings_of_one_answer_share_a_normal_form(a, b):
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize("a,b", [
    ("outputs 0, 1, 1, 0", "outputs 0, 1, 1, 1"),
    ("w = 0.5", "w = 0.25"),
    ("(0,1) and (1,0)", "(1,0) and (0,1)"),
    (r"$\delta_3 = \frac14$", r"$\delta_3 = \frac12$"),     # TeX's shorthand fraction
    (r"$\frac{\partial L}{\partial w} = 2x$", r"$\frac{\partial L}{\partial w} = 3x$"),   # a coefficient
    (r"$\Delta w = - 0.5$", r"$\Delta w = 0.5$"),             # a sign apart from its number
])
def test_answers_with_other_numbers_differ(a, b):
    assert numbers(a) != numbers(b)


def test_numbers_read_decimal_commas_lists_and_skip_indices():
    assert numbers("x = 2,5") == ("2.5",)
    assert numbers("0,1,1,0") == ("0", "1", "1", "0")
    assert numbers(r"$w_{32} = -0.5$, $x_2 = 1$") == ("-0.5", "1")
    assert numbers("nothing here") == ()
    assert numbers("in layer 2. Then") == ("2",) and numbers("ReLU6 in v1.2") == ()
    assert normalise("a\x00b") == "ab"
