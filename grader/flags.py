"""What each flag asks of the student, in words: shown by `grader check` and on the feedback
pages (a fairness review: `extra-import:numpy` stood bare on a student's page)."""
from __future__ import annotations

FLAG_HELP = {
    "edited": "edited: a cell you were not to change differs from the template; copy it back from the template "
              "(a TA sees this flag)",
    "deleted": "deleted: a cell of the template is missing; copy it back from the template",
    "added-cell": "added-cell: the number of cells you added; they are not graded (answers the answers cell leaves "
                  "unset are read from them, as Jupyter runs them): put your work in the cells the template gives",
    "changed": "changed: you changed values the template invites you to change; graded cells run with the "
               "template's values, so this costs nothing",
    "extra-import": "extra-import: a graded cell imports a module the template's imports cell does not list (also "
                    "when you added it to the imports cell); the assignment asks for those only. It costs points "
                    "only where the course sets a penalty, listed then as the check 'imports rule' (a fallback in "
                    "`except ImportError` is an import too)",
    "exec": "exec: a graded cell, or a cell added below it (the details name the cell and the line), holds code "
            "the grader cannot read before it runs: code from a string (exec, eval), a name computed when it runs "
            "(getattr), a magic that sets names (`%store -r`), Python inside a shell or magic line (`!echo {f()}`), "
            "or a store on what may be a module; a TA reads it, no point depends on it (nothing to change if "
            "the code is what you meant)",
    "id-changed": "id-changed: a template cell's ID changed (a copied or recreated cell?); it was found by its "
                  "content",
    "no-cell-ids": "no-cell-ids: the notebook was saved without cell IDs (by Google Colab or an older Jupyter); every cell was found "
                   "by its content, nothing to do",
    "id-fallback": "id-fallback: a graded cell's ID is gone; it was found by its content",
    "raised": "raised: a graded cell, or a cell added right above or below it (the details name it), raises an "
              "error (a `raise NotImplementedError()` left from the template? "
              "delete that line) or never finishes; Jupyter's Run All stops there: fix it (the grader graded "
              "what the cell defined before the error; in the True/False answers cell, the answers as written)",
    "graded-alone": "graded-alone: a graded cell, after what it defines, uses a name a cell above it defines (a test "
                    "at its end?); in Jupyter it runs, but each cell is graded on its own, and there it raises. "
                    "Nothing is lost where what it defined is right; a test of other cells belongs in a cell of its "
                    "own below",
    "merged-test": "merged-test: a graded cell holds a provided test cell merged into it (Shift+M in Jupyter), and "
                   "that test raised: the provided tests compare with outputs on the course's FashionMNIST, and the "
                   "grader runs each cell on data of its own, so there they fail. Nothing is lost where what the cell "
                   "defined is right; split the test off into a cell of its own again (Edit > Split Cell)",
    "moved": "moved: a graded cell is as the template left it and the cell you added right below it was graded "
             "instead, or a cell below sets answers again (Jupyter runs it later, so its values count), or a cell "
             "above sets answers the answers cell does not; put your work (code or answer) in the template's "
             "cell, once",
    "duplicated": "duplicated: a cell of the template is there twice (copied); of code cells the lower copy is "
                  "graded, as Jupyter runs it last, of answer cells the upper one: delete the other copy",
    "reordered": "reordered: cells of the template are in another order; Jupyter's Run All runs them top to "
                 "bottom and stops where a cell comes before what it uses: move them back to where the template "
                 "has them",
    "hidden-values": "hidden-values: a graded cell reads the seed it runs with, compares a hyperparameter with a "
                     "number or takes one apart into digits or bits, so it may behave by the grader's values; a TA "
                     "reads it (no point depends on it)",
    "introspection": "introspection: a graded cell reaches into the frames or objects of the process around it "
                     "(sys._getframe, f_locals, inspect.stack, gc.get_objects), which a solution needs not; a TA "
                     "reads it (no point depends on it)",
    "partial-training": "partial-training: a graded cell can stop training partway through an epoch (a `break` in "
                        "a loop over a loader that trains, a hook on the model); the grader's data has only a few "
                        "mini-batches an epoch, where it may not show: a TA reads it (no point depends on it)",
    "call-dependent": "call-dependent: a graded cell may behave by how it is called: how often (a count kept in "
                      "forward), on how much data (a batch's or the data set's size compared with a number or taken "
                      "apart into bits), or on "
                      "what machine, in what folder or with gradients on or off; the grader calls it a few times "
                      "on small data, in a folder of its own, "
                      "where that does not show: a TA reads it (no point depends on it)",
    "fixed-value": "fixed-value: a graded cell fixes a value the grader passes in (a seed of its own in a model's "
                   "class, a fixed number of epochs around `train`); grading runs it with other seeds and values, "
                   "where this costs points though `grader check` may pass: use what the function is given",
    "redefined": "redefined: a cell you added defines a graded class or function again; Jupyter's Run All uses "
                 "the copy, the grader grades the graded cell: put your code into the graded cell and delete the copy",
    "several-notebooks": "several-notebooks: more than one notebook was handed in; all are graded and one counts "
                         "(which, and why, is said above)",
    "gone": "gone: this notebook is no longer in your folder of the latest download the TAs graded (removed or "
            "replaced in Moodle); it does not count while another notebook of yours is there",
    "override-earlier": "override-earlier: a TA changed an automatic check's points for a notebook handed in "
                        "before this one; the change is kept until a TA looks again",
    "cell-type": "cell-type: a code cell was turned into a raw or markdown cell, which Jupyter does not run; "
                 "turn it back into a code cell",
}


# Flags whose argument is a cell ID (Jupyter does not show IDs: ``describe`` may add what the cell holds).
CELL_FLAGS = {"edited", "deleted", "reordered", "duplicated", "changed", "moved", "id-changed", "cell-type",
              "raised", "graded-alone", "merged-test", "exec", "hidden-values", "introspection", "partial-training",
              "call-dependent", "fixed-value", "redefined"}


def explained(flags, describe=None) -> list[str]:
    """The help of each kind of flag among ``flags``, once per kind, in their order, naming what
    the flags name ("deleted (ann-relu-test): ..."; a student's review: the help said "a cell is
    missing" and not which). ``describe(cell_id, kind)``: how a student finds that cell."""
    kinds: dict[str, list[str]] = {}
    for f in flags:
        kind, _, what = f.partition(":")
        kinds.setdefault(kind, [])
        if what and kind in CELL_FLAGS and describe is not None:
            what = describe(what, kind)
        if what and what not in kinds[kind]:
            kinds[kind].append(what)
    out = []
    for kind, what in kinds.items():
        if kind in FLAG_HELP:
            text = FLAG_HELP[kind]
            sep = "; " if describe is not None and kind in CELL_FLAGS else ", "
            out.append(f"{kind} ({sep.join(what)}):{text[len(kind) + 1:]}" if what else text)
    return out
