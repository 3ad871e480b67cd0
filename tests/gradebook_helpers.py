"""Small results and gradebooks for the gradebook, web and output tests (no engine needed)."""
from __future__ import annotations

from pathlib import Path

from grader.gradebook import Gradebook, open_gradebook
from grader.results import CheckResult, SubmissionResult

PROOF = (r"Suppose $w_1, w_2$ solve XOR. From $\mathbf{x}_2$: $w_1 = 1$, from $\mathbf{x}_3$: $w_2 = 1$, "
         r"but then $g_1(\mathbf{x}_4) = w_1 + w_2 = 2 \neq 0$. Contradiction.")
PROOF_PLAIN = "Suppose w1, w2 solve XOR. From x_2: w_1 = 1, from x_3: w_2 = 1, but then g1(x_4) = w_1 + w_2 = 2 ≠ 0. Contradiction."
PROOF_TYPO = (r"Suppose $w_1, w_2$ solve XOR. From $\mathbf{x}_2$: $w_1 = 1$, from $\mathbf{x}_3$: $w_2 = 1$, "
              r"but then $g_1(\mathbf{x}_4) = w_1 + w_2 = 2 \neq 0$. Contradictoin.")
WRONG = (r"Suppose $w_1, w_2$ solve XOR. From $\mathbf{x}_2$: $w_1 = 1$, from $\mathbf{x}_3$: $w_2 = 1$, "
         r"but then $g_1(\mathbf{x}_4) = w_1 + w_2 = 3 \neq 0$. Contradiction.")
OTHER = "XOR is not a linear function, so a linear network can never represent it."
HIDDEN = r"$\mathbf{W}^{[1]}\mathbf{x} + \mathbf{b}$ gives $(0,-1), (1,0), (1,0), (2,1)$; outputs $0, 1, 1, 0$."

STUDENTS = [("Anna Huber", "k11111111"), ("Ben Gruber", "k22222222"), ("Clara Bauer", "k33333333"),
            ("David Wagner", "k44444444"), ("Eva Mayer", "k55555555"), ("Felix Moser", "k66666666")]


def result(i: int, calc_1_1: str | None, calc_1_2: str | None = HIDDEN, calc_2: str | None = None,
           name: str | None = None, matr: str | None = None, auto: float = 1.0) -> SubmissionResult:
    full, m = STUDENTS[i % len(STUDENTS)] if name is None else (name, matr or "k00000000")
    key = f"{full.replace(' ', '_')}_{5500 + i}"
    r = SubmissionResult(file=f"Assignment_7_{full.replace(' ', '')}_{m}.ipynb", name=full.replace(" ", ""),
                         matr_number=m, filename_ok=True, key=key, participant_id=str(5500 + i), participant=full,
                         path=f"{full}_{5500 + i}_assignsubmission_file_/x.ipynb", sha256=f"{i:064x}",
                         fingerprint="test")
    for task, max_points, text in (("calc_1_1", 10.0, calc_1_1), ("calc_1_2", 15.0, calc_1_2), ("calc_2", 25.0, calc_2)):
        if text is None:
            r.checks.append(CheckResult(task, "answer", max_points, 0.0, False,
                                        "not answered: replace 'YOUR ANSWER HERE' with your answer", manual_task=True))
        else:
            r.checks.append(CheckResult(task, "answer", max_points, None, None,
                                        "answered; needs manual grading by a TA", answer=text, manual_task=True))
    r.checks.append(CheckResult("code_3_1", "imports executes", 2.0, 2.0 * auto, auto >= 1, "the imports cell runs"))
    r.checks.append(CheckResult("code_3_2_models", "ANN_relu: activations", 1.0, 0.0, False,
                                "output differs from the reference"))
    return r


def cohort() -> list[SubmissionResult]:
    """Six students: four alike proofs (LaTeX, plain, a typo), one with another number, one other answer."""
    return [result(0, PROOF), result(1, PROOF_PLAIN), result(2, PROOF_TYPO), result(3, WRONG),
            result(4, OTHER, calc_2=r"$\delta_3 = 0.25$"), result(5, PROOF, calc_1_2=None)]


def filled(reports: Path, results: list[SubmissionResult] | None = None) -> Gradebook:
    gb = open_gradebook(reports)
    for r in results or cohort():
        gb.store_result(r)
    return gb


def as_older_schema(reports: Path, version: int, *statements: str) -> None:
    """Make a gradebook look as an older grader wrote it (the statements undo what came since)."""
    import sqlite3
    db = sqlite3.connect(reports / "gradebook.sqlite")
    for statement in statements:
        db.execute(statement)
    db.execute("UPDATE meta SET value=? WHERE key='schema'", (str(version),))
    db.commit()
    db.close()
