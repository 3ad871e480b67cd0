"""Grading one notebook: a pipeline of small steps over one result model.

filename -> read notebook -> locked-cell checksums -> plan jobs per task -> run them (engine)
-> score per task against reference data computed once per batch. Any failure of a step
becomes a reason in that submission's result; nothing here raises for a bad submission.
"""
from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .answer_images import as_text, embed
from .bundle import load_public_reference
from .checks import KINDS, Context
from .engines import CellJob, engine_setup  # noqa: F401 - engine_setup: callers import it from here
from .naming import parse_filename, visible
from .dynamic_code import runs
from .magics import expansions, runs_elsewhere
from .notebook import Notebook, NotebookError, defines, imported_modules, load_notebook
from .results import CellOutcome, CheckResult, SubmissionResult
from .spec import Spec
from .telltales import cuts_training, fixes_values, introspects, probes_hidden, tells_calls_apart

STUDENT_CELL_CHARS = 100_000     # kept per cell for similarity and TAs; the rest is cut


PLAIN_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


class GraderError(Exception):
    """A problem of the grader's own setup (spec, reference), never of a submission."""


@dataclass
class _Pending:
    """A notebook read and planned, its jobs not yet run."""
    result: SubmissionResult
    ctx: Context
    plans: dict
    jobs: list[CellJob]
    t0: float


def load_template(spec: Spec) -> Notebook:
    return load_notebook(spec.file("template"))


@dataclass
class Grader:
    """Grades notebooks of one assignment with one engine; holds the per-batch reference data."""
    spec: Spec
    engine: object
    hidden: bool = True                     # False: the student's `grader check` view
    template: Notebook = field(init=False)
    refs: dict[str, list[CellOutcome]] = field(default_factory=dict)
    _ready: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _ref_error: str = field(default="", init=False, repr=False)
    # Reading a notebook and its syntax trees costs the grader up to some 40 MB a notebook (a code
    # cell of 50,000 characters of `x;`): one notebook at a time, whatever the number of workers (a
    # seventy-eighth review: nine at once took it to 384 MB). It is milliseconds for a real one.
    _reading: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self):
        self.template = load_template(self.spec)

    def prepare(self) -> None:
        """Run the reference probes once for the whole batch, in a trusted child."""
        try:
            self._prepare()
        except GraderError as exc:
            self._ref_error = str(exc)
            raise
        finally:
            self._ready.set()

    def _prepare(self) -> None:
        bundled = load_public_reference(self.spec)
        if bundled is not None:
            if self.hidden:
                raise GraderError("this spec folder is a student bundle (no reference, no hidden parameters): "
                                  "it can check notebooks, not grade them")
            self.refs = bundled
            return
        ctx = Context(self.spec, None, self.template, self.hidden)
        plan: list[tuple[str, CellJob]] = []
        for task in self.spec.tasks:
            for job in KINDS[task.kind].reference_jobs(task, ctx):
                plan.append((task.id, job))
        if not plan:
            return
        outcomes = self.engine.run([j for _, j in plan], notebook_timeout=self.spec.limits.notebook_timeout_s * 2)
        for (task_id, _), out in zip(plan, outcomes):
            if not out.ok or out.probe is None:
                raise GraderError(f"the reference for {task_id} failed: {out.error or out.probe_error}")
            self.refs.setdefault(task_id, []).append(out)

    def grade(self, path: Path, display_name: str | None = None) -> SubmissionResult:
        return self.grade_together([(path, display_name)])[0]

    def grade_together(self, items: list[tuple[Path, str | None]]) -> list[SubmissionResult]:
        """Grade notebooks of one participant in one run of the engine: every cell of all of them
        has its public run before any hidden run, so no message of one notebook can come after a
        hidden run of another (a hidden run can leave a value in machine-wide state, such as a
        running number the kernel hands out, for a later public run to read)."""
        with self._reading:
            started = [self._begin(path, name) for path, name in items]
        pending = [s for s in started if isinstance(s, _Pending)]
        jobs = [j for p in pending for j in p.jobs]
        if jobs:
            budget = self.spec.limits.notebook_timeout_s * len([p for p in pending if p.jobs])
            outcomes = iter(self.engine.run(jobs) if len(pending) == 1 else
                            self.engine.run(jobs, notebook_timeout=budget))
        else:
            outcomes = iter([])
        # Student jobs may run while the reference is still being computed (grader check).
        if pending and (not self._ready.wait(timeout=self.spec.limits.notebook_timeout_s * 3) or self._ref_error):
            raise GraderError(f"the reference is not available: {self._ref_error or 'timed out'}")
        done = {id(p): self._complete(p, [next(outcomes) for _ in p.jobs]) for p in pending}
        return [done[id(s)] if isinstance(s, _Pending) else s for s in started]

    def _begin(self, path: Path, display_name: str | None) -> "SubmissionResult | _Pending":
        """Everything before the jobs run; a notebook that cannot be read is finished here."""
        t0 = time.monotonic()
        parsed = parse_filename(display_name or path.name, self.spec.number)
        result = SubmissionResult(file=visible(display_name or path.name), name=parsed.name,
                                  matr_number=parsed.matr_number, filename_ok=parsed.ok,
                                  filename_problems=list(parsed.problems),
                                  # `grader check` opens no hidden file, not even to hash it (an eighty-fifth
                                  # review traced hidden.toml opened by the student's command).
                                  fingerprint=self.spec.fingerprint() + "-" + __version__ if self.hidden else "")
        if not parsed.ok:
            result.flags.append("filename")
            penalty = self.spec.filename_penalty
            if penalty:
                result.checks.append(CheckResult("filename", "filename rules", 0.0, -penalty, False,
                                                 "; ".join(parsed.problems)))
        try:
            nb = load_notebook(path, self.spec.notebook_limits)
        except NotebookError as exc:
            result.status = f"unreadable: {exc}"
            result.flags.append("unreadable")
            for task in self.spec.tasks:
                result.checks.append(CheckResult(task.id, "notebook", task.max_points, 0.0, False,
                                                 f"the notebook could not be read: {exc}",
                                                 manual_task=task.kind == "manual"))
            result.seconds = time.monotonic() - t0
            return result
        result.student_cells = self._student_cells(nb)
        ctx = Context(self.spec, nb, self.template, self.hidden, flags=result.flags, details=result.details)
        for note in nb.notes:
            if not (ctx.ids_lost and note.startswith("some cells have no ID")):   # `no-cell-ids` says it
                ctx.flag(f"note:{note}")
        self._locked(ctx)
        self._order(ctx)
        plans = {task.id: KINDS[task.kind].plan(task, ctx) for task in self.spec.tasks}
        self._copies(ctx)
        jobs = [j for task in self.spec.tasks for j in plans[task.id] if j is not None]
        return _Pending(result, ctx, plans, jobs, t0)

    def _complete(self, p: "_Pending", outcome_list: list[CellOutcome]) -> SubmissionResult:
        result, ctx, plans, jobs = p.result, p.ctx, p.plans, p.jobs
        outcomes = iter(outcome_list)
        limits_notes: set[str] = set()
        per_task = {}
        for task in self.spec.tasks:
            outs = [next(outcomes) if j is not None else None for j in plans[task.id]]
            per_task[task.id] = outs
            for o in outs:
                if o is not None:
                    limits_notes.update(o.notes)
                    if o.status.stopped:
                        ctx.flag(f"{o.status.value}:{o.cell_id}")
        follow = self._followups(ctx, per_task)
        self._imports(ctx, jobs, result)
        self._code_from_strings(ctx, jobs)
        self._probing(ctx, jobs)
        for task in self.spec.tasks:
            try:
                result.checks.extend(KINDS[task.kind].score(task, ctx, per_task[task.id], self.refs.get(task.id, []),
                                                            follow.get(task.id, [])))
            except Exception as exc:  # noqa: BLE001 - a grader bug must not lose the batch
                result.checks.append(CheckResult(task.id, "grader", task.max_points, 0.0, False,
                                                 f"internal grader error ({type(exc).__name__}: {exc}); "
                                                 f"please report this submission to the TA"))
                ctx.flag(f"grader-error:{task.id}")
        self._added(ctx)
        result.student_cells = self._student_cells(ctx.nb, ctx.graded_as)
        if limits_notes:
            result.extra["limits_not_applied"] = sorted(limits_notes)
        result.seconds = time.monotonic() - p.t0
        return result

    def _followups(self, ctx: Context, per_task: dict) -> dict[str, list[CellOutcome]]:
        """Trusted jobs that confirm what students' processes reported (e.g. a training replay)."""
        asked = [(task.id, job) for task in self.spec.tasks
                 for job in KINDS[task.kind].followups(task, ctx, per_task[task.id], self.refs.get(task.id, []))]
        if not asked:
            return {}
        done: dict[str, list[CellOutcome]] = {}
        for (task_id, _), out in zip(asked, self.engine.run([j for _, j in asked])):
            done.setdefault(task_id, []).append(out)
        return done

    def _added(self, ctx: Context) -> None:
        """Cells the student added (the course says not to): flagged with their number, never
        graded. A template cell whose ID is gone is assumed to be one of the unknown cells."""
        # A cell graded in a task's place (code below an untouched stub, an answer's second cell) is
        # no ungraded addition: "they are not graded" beside "graded the cell added below" (a student's review).
        unclaimed = [c for c in self._unclaimed(ctx) if c.index not in ctx.graded_as]
        # A locked cell that is gone is flagged `deleted:` on its own: it is not one of the unknown
        # cells (a student's review: one cell added and one deleted gave no `added-cell`).
        locked = set(self.spec.locked_cells)
        lost = [c for c in self.template.cells if c.id not in locked and not ctx.nb.by_id(c.id)
                and not ctx.nb.by_checksum(self.template.checksum(c))]
        added = len(unclaimed) - len(lost)
        if added > 0:
            ctx.flag(f"added-cell:{added}")

    def _unclaimed(self, ctx: Context) -> list:
        """The notebook's cells that are no template cell, by ID or by content."""
        known = {c.id for c in self.template.cells}
        template_sums = {self.template.checksum(c) for c in self.template.cells}
        code_ids = [c.id for c in self.template.cells if c.cell_type == "code" and c.id]
        # A template cell pasted back with a new ID and a comment is that cell (flagged `id-changed`),
        # no addition (a hundred-and-sixty-fourth review: `added-cell:4` beside four `id-changed`).
        return [c for c in ctx.nb.cells if c.id not in known and ctx.nb.checksum(c) not in template_sums
                and not (c.cell_type == "code" and any(ctx.same_code(c, tid) for tid in code_ids))]

    def _copies(self, ctx: Context) -> None:
        """A corrected copy added beside the graded cell: Jupyter runs the copy, the grader grades
        the template's cell, and a message about the old code puzzles (a student's review). Said
        once the plan knows which cells are graded (a copy graded in the stub's place is no copy)."""
        unclaimed = self._unclaimed(ctx)
        provided = {c.id for c in self.template.cells if c.id}
        wanted = [(m["defines"], m["cell"]) for t in self.spec.tasks for m in t.cfg.get("models", [])] + \
                 [(t.cfg["defines"], t.cfg["cell"]) for t in self.spec.tasks if t.cfg.get("defines") and t.cfg.get("cell")]
        for c in unclaimed:
            if c.cell_type != "code" or ctx.graded_as.get(c.index):
                continue
            for name, cell_id in wanted:
                if defines(c.source, name):
                    # ... flagged where a provided cell below it runs the copy, so that `grader check` does not say
                    # "ready to hand in" beside it (a fairness review, 297: Run All used a broken copy below a right
                    # class); an experiment after every provided cell that uses the name is none (review 299)
                    used = any(t.index > c.index and t.cell_type == "code" and t.id in provided and t.id != cell_id
                               and re.search(rf"\b{re.escape(name)}\b", t.source) for t in ctx.nb.cells)
                    if used:
                        ctx.flag(f"redefined:{cell_id}")
                        ctx.detail(f"a cell you added defines `{name}` again; the grader grades the `{name}` of cell "
                                   f"'{cell_id}', not that copy: put your code into cell '{cell_id}' and delete the copy")
                    else:
                        ctx.detail(f"a cell you added defines `{name}` again, after every provided cell that uses it; "
                                   f"the grader grades the `{name}` of cell '{cell_id}' (nothing to fix)")

    def _imports(self, ctx: Context, jobs, result: SubmissionResult) -> None:
        """The course's imports rule, read from the graded cells' syntax trees."""
        rule = self.spec.imports_rule
        allowed = self.spec.allowed_modules(self.template)
        if rule.get("stdlib", True):
            allowed |= set(sys.stdlib_module_names)
        allowed |= {str(m) for m in rule.get("also", ())}
        extra, computed = [], False
        for job in jobs:
            for module in imported_modules(job.source or ""):
                if module in allowed:
                    continue
                if not PLAIN_MODULE.fullmatch(module) and module != "?":
                    # A name is the student's to choose, and it is printed where TAs read other
                    # students' lines: 33 blank-looking letters and "ㄨ ..._JaneDoe... 0ᐟ50 crashed"
                    # folded into a line of its own (the thirty-first review). No package on PyPI
                    # is named that way; the TA reads the cell.
                    ctx.detail("a graded cell imports a module whose name is not plain ASCII of at most 40 characters")
                    module = "?"
                else:
                    computed = computed or module == "?"
                if module not in extra:
                    extra.append(module)
        for module in extra:
            ctx.flag(f"extra-import:{module}")
            if module == "?" and computed:
                ctx.detail("a graded cell imports a module by a computed name (__import__ or import_module)")
        penalty = float(rule.get("penalty", 0))
        if extra and penalty:
            named = ", ".join("a module by a computed name" if m == "?" else m for m in extra)
            result.checks.append(CheckResult("imports", "imports rule", 0.0, -penalty, False,
                                             f"imports {named}: don't import any other packages than "
                                             f"listed in the cell with the 'imports' tag"))

    def _probing(self, ctx: Context, jobs) -> None:
        """A graded cell that reads the seed it was built under or compares a hyperparameter with a
        number behaves by the grader's hidden values, which its points can then tell (a fifty-third
        review learnt the hidden seed, lr and epochs a bit per check that way). No point depends on
        it; a TA reads the cell. One that fixes such a value is told to the student (`grader check`
        lists it to fix): the public run may pass where grading will not."""
        keys = set(self.spec.raw.get("probing", {}).get("keys", ("lr", "momentum", "epochs", "batch_size",
                                                                  "test_batch_size", "seed")))
        epoch_calls = tuple(self.spec.raw.get("probing", {}).get("epoch_calls", ("train",)))
        readers = (   # flag, what finds it in a cell's source, what is said of what it found
            ("hidden-values", lambda source: probes_hidden(source, keys),
             lambda what: f"{what}: code that behaves by the values it is run with; a TA reads it"),
            ("introspection", introspects,
             lambda found: f"reaches into the frames or objects of the process around it ({', '.join(found[:4])}): "
                           f"code that may tell the grader's calls from the notebook's or rewrite what they record; a TA "
                           f"reads it"),
            ("partial-training", cuts_training,
             lambda found: f"holds what can stop training partway through an epoch ({', '.join(found[:4])}): the "
                           f"grader's data has a few mini-batches an epoch, so a limit above that does not show in "
                           f"the points; a TA reads it"),
            ("call-dependent", tells_calls_apart,
             lambda found: f"may behave by how it is called ({', '.join(found[:3])}): the grader calls it a few "
                           f"times on small data, where doing otherwise in the notebook does not show; a TA reads it"),
            ("fixed-value", lambda source: fixes_values(source, epoch_calls),
             lambda found: f"fixes a value the grader passes in: {'; '.join(found[:2])}"))
        for job in jobs:
            for flag, read, say in readers:
                try:
                    found = read(job.source or "")
                except Exception as exc:  # noqa: BLE001 - a reader's failure must not cost the notebook its grade
                    # (review 429: a RecursionError out of one reader was a grader error, the notebook ungraded;
                    # what could not be read is flagged as what it may hold, for a TA)
                    ctx.flag(f"{flag}:{job.cell_id}")
                    ctx.detail(f"{job.cell_id} could not be read for this flag ({type(exc).__name__}): it may hold "
                               f"what the flag names; a TA reads it")
                    continue
                if found:
                    ctx.flag(f"{flag}:{job.cell_id}")
                    ctx.detail(f"{job.cell_id} {say(found)}")

    @staticmethod
    def _code_from_strings(ctx: Context, jobs) -> None:
        """A graded cell that runs code from a string runs what no reader of the cell sees: flagged
        for a TA to read (no point depends on it)."""
        for job in jobs:
            filled = expansions(job.source or "")
            if filled:
                ctx.flag(f"exec:{job.cell_id}")
                ctx.detail(f"{job.cell_id} runs Python inside a shell or magic line (line {filled[0][0]}, which IPython "
                           f"evaluates as it runs the line; the grader does not run it); a TA reads it, no point "
                           f"depends on it")
            elsewhere = runs_elsewhere(job.source or "")
            if elsewhere is not None:
                ctx.flag(f"exec:{job.cell_id}")
                ctx.detail(f"{job.cell_id} runs code the cell does not hold, makes a magic of its own or reaches "
                           f"IPython's shell (`{elsewhere[1]}`, line {elsewhere[0]}), which the grader does not read; a TA reads it, "
                           f"no point depends on it")
            written, computed = runs(job.source or "")
            if written or computed:
                ctx.flag(f"exec:{job.cell_id}")
                # "may": a name looked up with getattr, computed when the cell runs, reaches whatever
                # it names, and cannot be told from here (a hundred-and-eighth review: a Keras-style
                # `getattr(nn, a)()` read as "runs code from a string").
                ctx.detail(f"{job.cell_id} runs code from a string (exec, eval or compile)" if written and not computed
                           else f"{job.cell_id} may run code from a string: it reaches a runner (exec, eval, compile) "
                                f"or could, through a string computed when it runs, an alias, builtins, a dunder "
                                f"attribute, pickle, or a name computed when it runs looked up with getattr "
                                f"(`getattr(nn, name)`); a TA reads it, no point depends on it")

    def _student_cells(self, nb: Notebook, graded_as: dict[int, str] | None = None) -> dict[str, str]:
        """Every cell that is not a template cell as provided, by ID (position when it has none).
        A cell graded as a task's cell (found by its content, or added below the untouched stub)
        is stored under that cell's ID, so that similarity compares what was graded; the ``@``
        the grader gives a duplicate ID is never the student's."""
        template = {self.template.checksum(c) for c in self.template.cells}
        graded_as = graded_as or {}
        out: dict[str, str] = {}
        mine = [c for c in nb.cells if c.cell_type in ("code", "markdown", "raw") and nb.checksum(c) not in template]

        def text(c) -> str:
            # A pasted picture as its marker with its own digest: Jupyter's `attachment:image.png`
            # is every student's text, and two students' one photo went unseen (twenty-sixth review).
            if not (c.pictures or c.refused):
                return c.source
            return as_text(embed(c.source, {n: (m, d) for n, m, d in c.pictures}, dict(c.refused)))
        for c in mine:                       # the graded cells first: they own their task's ID
            key = graded_as.get(c.index)
            if key:
                out[key] = (out[key] + "\n\n" + text(c) if key in out else text(c))[:STUDENT_CELL_CHARS]
        for c in mine:
            if c.index in graded_as:
                continue
            key = (c.id or "").replace("@", "_") or f"cell-{c.index + 1}"
            if key in out:
                key = f"{key}@{c.index + 1}"
            out[key] = text(c)[:STUDENT_CELL_CHARS]
        return out

    def _order(self, ctx: Context) -> None:
        """The template's code cells out of their order (a cell moved below its test cell): each cell
        is graded on its own, so no point is lost, but Jupyter's Run All runs them top to bottom
        and stops (a student's review: "ready to hand in"). The fewest moved cells are named: those
        off a longest run in the template's order."""
        rank = {c.id: i for i, c in enumerate(self.template.cells) if c.cell_type == "code" and c.id}
        seen: list[tuple[int, str]] = []
        for c in ctx.nb.cells:
            if c.id in rank and c.id not in {cid for _, cid in seen}:
                seen.append((rank[c.id], c.id))
        locked = set(self.spec.locked_cells)
        for cid in moved_cells([r for r, _ in seen], [cid for _, cid in seen], [cid in locked for _, cid in seen]):
            ctx.flag(f"reordered:{cid}")

    def _locked(self, ctx: Context) -> None:
        for cid in self.spec.locked_cells:
            want = ctx.template_checksum(cid)
            mine = ctx.nb.by_id(cid)
            # Of two code cells of one ID, the later one runs last: it is the one that must be the
            # template's (a hundred-and-sixty-fourth review hid an edited copy below the untouched one).
            code = [c for c in mine if c.cell_type == "code"]
            if (code and (ctx.nb.checksum(code[-1]) == want or ctx.same_code(code[-1], cid))) or (
                    not code and any(ctx.nb.checksum(c) == want for c in mine)):
                continue
            if mine:
                ctx.flag(f"{'changed' if cid in self.spec.editable_cells else 'edited'}:{cid}")
            elif ctx.nb.by_checksum(want) or any(ctx.same_code(c, cid) for c in ctx.nb.cells):
                ctx.flag(f"id-changed:{cid}")       # blank lines and comments aside, as with its ID
            else:
                ctx.flag(f"deleted:{cid}")


def moved_cells(ranks: list[int], ids: list[str], fixed: list[bool] | None = None) -> list[str]:
    """The ids off one longest increasing run of ``ranks``: the cells that were moved, the fewest
    that explain the order. Of equally long runs, the one that keeps the most ``fixed`` cells (the
    template's own): a class moved below its test cell is named, not the test (a student's review)."""
    fixed = fixed or [False] * len(ranks)
    n = len(ranks)
    best = [(1, int(fixed[i])) for i in range(n)]      # (cells kept, template cells kept) ending at i
    prev = [-1] * n
    for i in range(n):                                  # O(n^2): a notebook has tens of template cells
        for j in range(i):
            if ranks[j] < ranks[i]:
                cand = (best[j][0] + 1, best[j][1] + int(fixed[i]))
                if cand > best[i]:
                    best[i], prev[i] = cand, j
    keep: set[int] = set()
    i = max(range(n), key=lambda k: best[k]) if n else -1
    while i != -1:
        keep.add(i)
        i = prev[i]
    return [cid for k, cid in enumerate(ids) if k not in keep]
