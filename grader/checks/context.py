"""What every check kind gets to see about the submission being graded."""
from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

from ..notebook import Cell, Found, Notebook, binds, checksum, defines, find_cell, parse_source, same_code
from ..results import CellOutcome, CheckResult, Status
from ..spec import Spec, Task
from ..syntax import walk


def stand_in_missing(error: str, spec) -> bool:
    """An AttributeError of the grader's model that train_and_test is given: it bears the name of
    the notebook's class it stands for (spec `names_from`), or GraderModel."""
    names = {"GraderModel"}
    for t in spec.tasks:
        for want in (t.cfg.get("names_from") or {},):
            names |= {str(n) for n in [want.get("defines"), *(want.get("others") or [])] if n}
    return any(error.startswith(f"AttributeError: '{n}' object has no attribute") for n in names)


@dataclass
class Context:
    spec: Spec
    nb: Notebook | None           # None when the notebook could not be read
    template: Notebook
    hidden: bool                  # grade mode: hidden parameters and the answer key are used
    flags: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)   # for the student's JSON report, not the summary
    # Which task cell each graded cell was graded as (by position): a cell found by its content
    # or added below an untouched stub is the student's work for that cell, for similarity too.
    # The first claim stands (``graded``): code tasks claim at plan time, so a code cell that a
    # written answer also reads (a code cell under the answer's ID) is still compared as code.
    graded_as: dict[int, str] = field(default_factory=dict)
    _foreign: bool | None = field(default=None, repr=False)

    def template_checksum(self, cell_id: str) -> str:
        """What a provided or locked cell must match: the released checksum, else the template's."""
        recorded = self.spec.locked_checksums().get(cell_id)
        if recorded:
            return recorded
        return checksum(next(c.source for c in self.template.cells if c.id == cell_id))

    def defined_elsewhere(self, name: str, cell_id: str) -> str:
        """Where else the notebook defines ``name``, for a message (a forty-sixth review: both
        classes in one cell cost the other class's 5 points, and the message did not say where it was)."""
        if self.nb is None:
            return ""
        other = next((c for c in self.nb.cells if c.cell_type == "code" and c.id != cell_id
                      and defines(c.source, name)), None)
        if other is None:
            return self._near_miss(name, cell_id)
        where = f"cell '{other.id}'" if other.id else f"the cell at position {other.index + 1}"
        return f" (it is defined in {where}: each cell is graded on its own, so move it into cell '{cell_id}')"

    def defined_above(self, error: str, cell_id: str) -> str:
        """The name of a `NameError` that a code cell above the one graded as ``cell_id`` binds
        (Jupyter's Run All defines it before the cell runs); '' for any other error."""
        missing = re.match(r"NameError: name '([A-Za-z_][A-Za-z0-9_]*)' is not defined", error or "")
        if self.nb is None or not missing:
            return ""
        at = next((i for i, c in self.graded_as.items() if c == cell_id), None)
        if at is None:
            return ""
        name = missing.group(1)
        return name if any(c.cell_type == "code" and c.index < at and binds(c.source, name)
                           for c in self.nb.cells) else ""

    def merged_test(self, error: str, cell_id: str) -> str:
        """The provided test cell merged into the cell graded as ``cell_id`` whose line raised
        ``error`` (the ID of that test, gone from the notebook); '' for any other error. A class cell
        merged with its test cell (Shift+M) raised in the test, which compares with the course's data
        and fails on the grader's (a hundred-and-fifty-seventh review: "fix it", of a right class)."""
        where = re.search(r"\(line (\d+) of cell [^):]+", error or "")      # the text may be cut after it
        at = next((i for i, c in self.graded_as.items() if c == cell_id), None)
        if self.nb is None or not where or at is None:
            return ""
        cell = next((c for c in self.nb.cells if c.index == at), None)
        lines = cell.source.split("\n") if cell is not None else []
        n = int(where.group(1))
        line = lines[n - 1].strip() if 0 < n <= len(lines) else ""
        if not line:
            return ""
        for test in self.spec.locked_cells:
            if self.nb.by_id(test) or test == cell_id:
                continue
            if any(line in {ln.strip() for ln in t.source.split("\n")} for t in self.template.by_id(test)):
                return test
        return ""

    def same_code(self, cell: Cell, cell_id: str) -> bool:
        """Is this code cell the template's cell of that ID, comments and blank lines aside?"""
        if cell.cell_type != "code" or self.nb.checksum(cell) == self.template_checksum(cell_id):
            return cell.cell_type == "code"
        return any(same_code(cell.source, t.source) for t in self.template.by_id(cell_id))

    def _near_miss(self, name: str, cell_id: str) -> str:
        """A class or function of the cell named almost as asked: `ANN_Sigmoid`, `train_and_tset`
        (an eighty-fifth review: "not defined" with no word of the name the cell did define)."""
        import ast
        import difflib
        from ..notebook import parse_source
        names = []
        for c in self.nb.by_id(cell_id):
            tree = parse_source(c.source) if c.cell_type == "code" else None
            names += [n.name for n in (tree.body if tree is not None else ())
                      if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
        names = [n for n in names if n != name]
        same = [n for n in names if n.lower() == name.lower()]
        if same:
            return f" (the cell defines `{same[0]}`: names are case-sensitive, write `{name}`)"
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
        return f" (the cell defines `{close[0]}`: a typo? write `{name}`)" if close else ""

    def flag(self, text: str) -> None:
        """A flag for the summary; notes, and the per-cell ID flags of a notebook that has no
        cell IDs at all (one `no-cell-ids` says it), go to the details instead."""
        if not text:
            return
        kind = text.split(":", 1)[0]
        if kind == "note":
            self.detail(text.split(":", 1)[1])
        elif kind in ("deleted", "missing") and self.foreign:
            self.detail(text)
            self.flag("not-the-assignment")
        elif kind in ("id-changed", "id-fallback") and self.ids_lost:
            # One flag, no list: fifteen `id-changed:` and seven positions told a student nothing to do
            # (a student's review of a notebook saved by an older Jupyter).
            self.flag("no-cell-ids")
        elif text not in self.flags:
            self.flags.append(text)

    @property
    def ids_lost(self) -> bool:
        """No cell keeps an ID of the template's (an old Jupyter, a conversion from nbformat 3, the
        work pasted into a new notebook): every cell is found by content, which one flag says."""
        if self.nb is None:
            return False
        if self.nb.without_ids:
            return True
        theirs = {c.id for c in self.nb.cells if c.id}
        return not any(t.id in theirs for t in self.template.cells if t.id)

    @property
    def foreign(self) -> bool:
        """Nothing of the template in the notebook, by ID or by content (an empty notebook, another
        assignment's): one flag says so, not nineteen `deleted:`/`missing:` (a new TA's review)."""
        if self.nb is None or not self.ids_lost:
            return False
        if self._foreign is None:
            theirs = {self.nb.checksum(c) for c in self.nb.cells}
            self._foreign = not any(self.template_checksum(cid) in theirs for cid in self.spec.locked_cells)
            if self._foreign:
                self.detail(f"the notebook holds no cell of the template of {self.spec.assignment.get('title', 'the assignment')} "
                            f"(an empty notebook, or another assignment's?): nothing in it could be graded")
        return self._foreign

    def detail(self, text: str) -> None:
        if text and text not in self.details:
            self.details.append(text)

    def locate_code(self, cell_id: str, name: str | None = None, matcher=None) -> Found:
        """The code cell graded under ``cell_id``, as find_code finds it, with no flag said."""
        if matcher is None and name:
            matcher = lambda c: defines(c.source, name)  # noqa: E731
        found = find_cell(self.nb, cell_id, cell_type="code", matches=matcher)
        if name and found.cell is not None and self.untouched(found.cell, cell_id):
            # The graded cell as the template left it, and the code in a cell added right below:
            # Jupyter runs the later definition, so the grader grades it (flagged for a TA).
            later = [c for c in self.added_after(found.cell) if c.cell_type == "code" and defines(c.source, name)]
            if later:
                return Found(later[-1], "added", "")
        return found

    def find_code(self, cell_id: str, name: str | None = None, matcher=None) -> Found:
        """A code cell by ID, else the cell that defines ``name`` (or satisfies ``matcher``);
        renames are flagged, and a cell that was found is never `missing`."""
        found = self.locate_code(cell_id, name, matcher)
        if found.how == "added":
            self.flag(f"moved:{cell_id}")
            self.detail(f"cell '{cell_id}' is as the template left it; graded the cell added right below it "
                        f"(position {found.cell.index + 1}) that defines `{name}`")
            self.graded(found.cell, cell_id)
            return found
        if found.cell is not None:
            self.graded(found.cell, cell_id)
        if found.how == "content":
            self.flag(f"id-fallback:{cell_id}")
        elif found.how == "missing":
            self.flag(f"missing:{cell_id}")
        if found.note and found.how != "missing" and not (found.how == "content" and self.ids_lost):
            self.flag(f"note:{found.note}")
        if found.how == "id" and sum(c.cell_type == "code" for c in self.nb.by_id(cell_id)) > 1:
            self.flag(f"duplicated:{cell_id}")        # which copy counts is the student's to settle
        original = self.nb.by_id(cell_id) if found.cell is not None and found.how == "id" else []
        if original and all(c.cell_type != "code" for c in original):
            # Jupyter never runs a raw or markdown cell: graded for its content, and a TA sees it (a
            # forty-fifth review: answers in a raw cell scored with only a note).
            self.flag(f"cell-type:{cell_id}")
        return found

    def graded(self, cell: Cell, cell_id: str) -> None:
        self.graded_as.setdefault(cell.index, cell_id)

    def untouched(self, cell: Cell, cell_id: str) -> bool:
        """Is the cell still the template's own cell of that ID (the stub the student should fill)?"""
        return any(self.nb.checksum(cell) == self.template.checksum(t) for t in self.template.by_id(cell_id))

    def added_after(self, cell: Cell) -> list[Cell]:
        """The cells a student added right below ``cell``, up to the next cell of the template."""
        return self._added_run(c for c in self.nb.cells if c.index > cell.index)

    def added_anywhere_after(self, cell: Cell) -> list[Cell]:
        """Every cell a student added below ``cell``, also past the template cells after it, and every
        template cell below it that the student changed: Jupyter runs them all after it (a two-hundred-
        and-twenty-sixth review set the answers again in an edited provided test cell, which was
        flagged `edited:` and never read)."""
        sums = {self.template.checksum(t) for t in self.template.cells}
        return [c for c in self.nb.cells if c.index > cell.index and self.nb.checksum(c) not in sums]

    def added_before(self, cell: Cell) -> list[Cell]:
        """The cells a student added right above ``cell``, down from the template cell before it."""
        return self._added_run(c for c in reversed(self.nb.cells) if c.index < cell.index)[::-1]

    def copied_beside(self, cell: Cell) -> list[Cell]:
        """The cells right above and right below ``cell`` that a student added, a copy of a template cell under
        an ID of its own included (the template's `raise NotImplementedError()` stub pasted into a new cell:
        a fairness review, 278); without IDs, by content."""
        ids, sums = self._template_keys()

        def run(cells) -> list[Cell]:
            out = []
            for c in cells:
                if c.id in ids if c.id else self.nb.checksum(c) in sums:
                    break
                out.append(c)
            return out
        return run(c for c in reversed(self.nb.cells) if c.index < cell.index)[::-1] + \
            run(c for c in self.nb.cells if c.index > cell.index)

    def _added_run(self, cells) -> list[Cell]:
        """The first cells of ``cells`` that are none of the template's (by ID or by content)."""
        is_template = self._template_test()
        out = []
        for c in cells:
            if is_template(c):
                break
            out.append(c)
        return out

    def _template_test(self):
        """Whether a cell is one of the template's, by ID or by content."""
        ids, sums = self._template_keys()
        return lambda c: bool(c.id and c.id in ids) or self.nb.checksum(c) in sums

    def _template_keys(self) -> tuple[set[str], set[str]]:
        """The template's cell IDs and its cells' checksums."""
        return {t.id for t in self.template.cells if t.id}, {self.template.checksum(t) for t in self.template.cells}

    def _defined_elsewhere(self, name: str, error: str) -> str:
        """Which cells define ``name`` at top level, a provided test cell included (a
        hundred-and-thirty-seventh review: `d_in`, set by the locked ann-sigmoid-test cell, was read
        as a provided name); not the cell that raised, nor for a provided name."""
        if self.nb is None or name in self.spec.context["names"]:
            return ""
        where = [f"'{c.id}'" if c.id else f"at position {c.index + 1}" for c in self.nb.cells
                 if c.cell_type == "code" and defines(c.source, name) and not (c.id and f"of cell {c.id})" in error)]
        if not where:
            return ""
        many = len(where) > 1
        return (f" `{name}` is defined in the cell{'s' if many else ''} {', '.join(where[:3])}, "
                f"which {'are' if many else 'is'} not run when this one is graded.")

    def _attribute_typo(self, error: str) -> str:
        """The attribute the failing cell sets on `self` that the one it reads is a typo of ('' for none): a
        fairness review, 291: `self.lienar1` in forward got Python's error alone, a NameError "a typo?"."""
        m = re.match(r"AttributeError: '\w+' object has no attribute '(\w+)'", error)
        cell = re.search(r" \(line \d+ of cell ([^)]*)\)", error)
        if not m or self.nb is None:
            return ""
        cells = [c for c in self.nb.cells if c.cell_type == "code" and (cell is None or c.id == cell.group(1))]
        attrs = set().union(*(_self_attributes(c.source) for c in cells)) if cells else set()
        close = difflib.get_close_matches(m.group(1), sorted(attrs - {m.group(1)}), n=1, cutoff=0.8)
        return close[0] if close else ""

    def explain(self, error: str, given_model: bool = False) -> str:
        """An error of a student's cell, with what the course's rules say about its usual cause.
        ``given_model``: raised by a function that is handed the model to train."""
        if error.startswith("NameError"):
            missing = re.match(r"NameError: name '([A-Za-z_][A-Za-z0-9_]*)' is not defined", error)
            classes = {m.get("defines") for t in self.spec.tasks for m in t.cfg.get("models", ())}
            if given_model and missing and missing.group(1) in classes:
                # "Define it in the cell itself" would have the class pasted in (a student's review).
                # (isinstance(model, ANN_sigmoid) no longer gets here: the probe answers it, see
                # probes/training.py's stand-ins.)
                return (f"{error}. `{missing.group(1)}` is another cell's class, and each cell is graded on its own: "
                        f"the function gets the model as its argument; train `model` (do not build one of your own) "
                        f"and tell models apart by type(model).__name__ if you need to")
            if missing and self.nb is not None and not any(
                    c.cell_type == "code" and binds(c.source, missing.group(1)) for c in self.nb.cells):
                # Not a name of another cell: "each cell on its own" would send the student looking
                # for a rule they did not break (a new TA's review: `print(modell)`).
                name = missing.group(1)
                if name in ALIASES:
                    return (f"{error}. `{name}` is how {ALIASES[name]} is usually imported, and no cell of the "
                            f"notebook imports it (the cell with the 'imports' tag lists what may be used)")
                return f"{error}. No cell of the notebook defines `{name}` (a typo?)"
            names = ", ".join(self.spec.context["names"])
            set_in = self._defined_elsewhere(missing.group(1), error) if missing else ""
            return (f"{error}.{set_in} Each cell is graded on its own, with only the imports and the provided names "
                    f"({names}) around it, as the assignment's instructions say: define what the cell "
                    f"uses in the cell itself")
        if "CUDA" in error and any(t in error for t in ("forked subprocess", "NVIDIA driver", "not compiled with CUDA",
                                                         "no CUDA GPUs", "CUDA driver")):
            # How the grader runs cells ("re-initialize CUDA in forked subprocess ... 'spawn'") is no
            # fix for a student (an eighty-fifth review).
            return ("RuntimeError: CUDA is not available" + _where(error) + ". The grader runs on the CPU, without a "
                    "GPU: move the model and data with the notebook's `device` (model.to(device)), never a fixed \"cuda\"")
        if "Error downloading" in error or "urlopen error" in error:
            # A download's network error reads as the grader's internet being down (a hundred-and-fifty-fourth review).
            return (f"{error.split(':', 1)[0]}: a download failed{_where(error)}. The grader has no network, and "
                    f"the notebook needs none: use the provided train_loader and test_loader (FashionMNIST is "
                    f"loaded for you), never download=True in a graded cell")
        if given_model and error.startswith("AssertionError"):
            sizes = next((t.cfg.get("params", {}).get("layers") for t in self.spec.tasks
                          if t.cfg.get("kind") == "training"), None)
            if sizes:      # an assert on the table's sizes (a hundredth-and-second review: all 20 lost, unexplained)
                return (f"{error}. If it checks the model's layers: the grader calls train_and_test with a model of "
                        f"its own, with as many Linear layers as the table's but narrower "
                        f"({'→'.join(str(int(v)) for v in sizes)}), so an assert on their sizes fails there")
        if given_model and stand_in_missing(error, self.spec):
            # A layer called by a name of the student's own class (a hundredth review: the grader's
            # nn.Sequential "has no attribute 'linear1'" sent the student to a class they never made).
            return (f"{error}. The grader calls train_and_test with a model of its own: as many Linear layers as "
                    f"the table's, narrower, named linear1 to linear4 as `train` names them; take what the "
                    f"optimizer trains from model.parameters() (or those names), not other names of your class")
        typo = self._attribute_typo(error) if not given_model else ""
        if typo:
            return f"{error}. The cell sets `self.{typo}`: a typo? write `self.{typo}`"
        if "cannot assign module before Module.__init__() call" in error:
            return f"{error}. Call super().__init__() first in __init__, before any layer is assigned"
        if "optimizer can only optimize Tensors" in error or "params argument given to the optimizer" in error:
            # "... one of the params is torch.nn.modules.flatten.Flatten" names the grader's model (ibid.).
            return ("TypeError: the optimizer was given the model (or its layers), not its parameters: "
                    "optim.SGD(model.parameters(), lr=..., momentum=...)")
        if given_model and "does not require grad and does not have a grad_fn" in error:
            # Raised inside `train` at loss.backward(), before the probe saw the call return (a
            # ninety-seventh review: "stopped before calling `train`", after `with torch.no_grad():`).
            return (f"{error}. Gradients were off when the loss was computed: is `train` called inside "
                    f"`with torch.no_grad():` or `torch.inference_mode()` (or the parameters frozen with "
                    f"requires_grad_(False))? Call train(...) with gradients on")
        if error.startswith("ModuleNotFoundError"):
            return (f"{error}. Don't import any other packages than listed in the cell with the 'imports' tag "
                    f"(allowed: {', '.join(sorted(self.spec.allowed_modules(self.template)))})")
        return error


def _self_attributes(source: str) -> set[str]:
    """The attributes a cell sets on `self` (`self.linear1 = nn.Linear(...)`)."""
    tree = parse_source(source)
    return {n.attr for n in walk(tree) if isinstance(n, ast.Attribute) and not isinstance(n.ctx, ast.Load)
            and isinstance(n.value, ast.Name) and n.value.id == "self"} if tree is not None else set()


def _where(error: str) -> str:
    """Where the error was raised, as the job tells it (" (line 3 of cell train-and-test)"), kept when
    the grader words the error itself (a hundred-and-fifty-fourth review: the CUDA text lost it)."""
    m = re.search(r" \(line \d+ of cell [^)]*\)", error)
    return m.group(0) if m else ""


# Names that are modules by convention: a NameError for one is a missing import, not a typo.
ALIASES = {"np": "numpy", "pd": "pandas", "plt": "matplotlib.pyplot", "sns": "seaborn", "F": "torch.nn.functional",
           "nn": "torch.nn", "optim": "torch.optim", "torch": "torch", "math": "math", "random": "random"}


@dataclass(frozen=True)
class Verdict:
    """One check's outcome on one run, before it becomes a CheckResult with points.
    ``unconfirmed``: it failed because what the process reported could not be confirmed (its
    message is a fixed text, true of whichever run it comes from)."""
    ok: bool
    message: str
    unconfirmed: bool = False


def combine(public: dict[str, Verdict], hidden: dict[str, Verdict] | None,
            hidden_only: dict[str, str], both: bool = False) -> dict[str, Verdict]:
    """Points from the hidden run; a hidden failure is explained by the public run's message (which
    `grader check` reproduces) or, when the public run passed, by a fixed text: no message can hold
    a value derived from a hidden parameter.

    ``both``: a check earns its points only when the public run, judged as `grader check` judges it,
    passes too. Code right for the grader's values alone (`range(3)` where the argument said 2, for
    a hidden value that is fixed) is not right, and the grade is not more than the check promised."""
    if hidden is None:
        return public
    out = {}
    for c, h in hidden.items():
        # A hidden failure of any kind, an unconfirmed one too, is said in the public run's words or
        # the one fixed text: the hidden run chose among fixed texts (reproduced, moved weights) by a
        # hidden value, a bit beyond its points (a hundred-and-seventy-fifth review).
        if h.ok and public[c].ok:
            # In the public run's words: a check with two texts for a pass ("plotted", "plotted, all
            # times one constant") let the hidden run choose one of them by a hidden value, a free bit
            # at full marks (a hundred-and-seventy-second review: the lr's parity, three draws of three).
            out[c] = public[c]
        elif h.ok and not both:
            out[c] = Verdict(True, PASSED_HIDDEN_ONLY)
        else:
            out[c] = public[c] if not public[c].ok else Verdict(False, hidden_only[c])
    return out


# A check that passes with the grader's values and not with the public ones (where the hidden run
# alone decides): fixed words, as those of a hidden failure.
PASSED_HIDDEN_ONLY = "passes with the grader's values (not with the public ones: `grader check` shows what differs)"


def usable(outcome: CellOutcome) -> bool:
    """Can what the cell defined be checked? Also after the cell raised: Jupyter keeps what a cell
    defined before its error, so a self-test at its end that fails (a `NameError` for a class of
    another cell, a wrong `assert`) costs the checks it breaks, not every check of the cell."""
    return (outcome.probe is not None and bool(outcome.probe.get("defined"))
            and outcome.status in (Status.OK, Status.ERROR))


def raised_note(outcome: CellOutcome, cell_id: str, name: str, ctx: Context | None) -> str:
    """For a cell checked although it raised: what it raised (flagged ``raised:<cell>``); '' when
    it ran to its end."""
    if outcome.status != Status.ERROR:
        return ""
    above = ctx.defined_above(outcome.error, cell_id) if ctx is not None else ""
    merged = ctx.merged_test(outcome.error, cell_id) if ctx is not None and not above else ""
    if merged:
        note = (f"cell '{cell_id}' raised {one_error(outcome.error)} in the provided test of cell '{merged}', merged "
                f"into it: the provided tests compare with outputs on the course's data, which the grader does not "
                f"use, so there they fail; split the test off into a cell of its own again. `{name}` was defined "
                f"before that and is checked as the cell left it")
        ctx.flag(f"merged-test:{cell_id}")
        ctx.detail(note)
        return note
    if above:
        # A test at the cell's end of another cell's class runs in Jupyter after the cells above:
        # "Jupyter's Run All stops there" was untrue of it (a fairness review, F6).
        note = (f"cell '{cell_id}' raised {one_error(outcome.error)} when graded on its own (in Jupyter, "
                f"`{above}` comes from a cell above, so there it runs); `{name}` was defined before that and is "
                f"checked as the cell left it: a test that uses other cells belongs in a cell of its own below")
    else:
        note = (f"cell '{cell_id}' raised {ctx.explain(outcome.error) if ctx else outcome.error}; "
                f"`{name}` was defined before that and is checked as the cell left it")
    if ctx is not None:
        ctx.flag(f"{'graded-alone' if above else 'raised'}:{cell_id}")
        ctx.detail(note)
    return note


def one_error(error: str) -> str:
    """The error's first line (an `explain`ed text adds advice that is not this case's)."""
    return error.splitlines()[0] if error else error


def with_note(message: str, ok: bool, note: str) -> str:
    """A failed check's message, and why the cell may not have run to its end."""
    return message if ok or not note else f"{message}. Note: {note}"


def cell_failure(outcome: CellOutcome, cell_id: str, ctx: Context | None = None) -> str:
    """Why a cell gave no usable result, phrased for the student."""
    if outcome.status == Status.ERROR:
        return f"cell '{cell_id}' raised {ctx.explain(outcome.error) if ctx else outcome.error}"
    if outcome.status.stopped:
        return f"cell '{cell_id}': {outcome.error}"
    if outcome.probe_error:
        return f"checking cell '{cell_id}' failed: {outcome.probe_error}"
    return f"cell '{cell_id}' gave no result"


def failed(task: Task, check: str, points: float, message: str) -> CheckResult:
    return CheckResult(task=task.id, check=check, max_points=points, points=0.0, passed=False, message=message)


def verdict(task: Task, check: str, points: float, ok: bool, good: str, bad: str) -> CheckResult:
    return CheckResult(task=task.id, check=check, max_points=points, points=points if ok else 0.0,
                       passed=ok, message=good if ok else bad)
