"""Course CI commands: `grader verify` and `grader release`."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console

from ..data import ensure_dataset
from ..engines import make_engine
from ..pipeline import Grader, engine_setup
from ..spec import DEFAULT_SPEC, load_spec
from .helptext import HelpFormatter
from .common import spec_data_engine_args, spec_of


def add_parsers(sub) -> None:
    v = sub.add_parser("verify", help="course CI: solution, template and examples score as documented",
                       description="Grades the course's own notebooks with the hidden tests and fails (exit 1) "
                                   "unless the solution earns every automatic point, the template only what it "
                                   "should without crashing, and every example submission the score documented "
                                   "in its expected_scores.toml. Run it after every change to the spec, the "
                                   "reference or the grader.",
                       formatter_class=HelpFormatter,
                       epilog="examples:\n  grader verify                       the course's Assignment 7\n"
                              "  grader verify --spec assignment8/   another assignment\n")
    v.add_argument("--draw-seed", type=int, default=None, metavar="N",
                   help="the draw of hidden.toml's ranges to verify with (default: a fresh one each run)")
    spec_data_engine_args(v)
    v.set_defaults(run=cmd_verify)

    r = sub.add_parser("release", help="build template.ipynb from solution.ipynb and record locked checksums",
                       description="Removes the ### BEGIN/END SOLUTION regions from the solution, writes the "
                                   "template and locked_checksums.json beside the spec.",
                       formatter_class=HelpFormatter,
                       epilog="examples:\n  grader release                      rewrite template.ipynb and the checksums\n"
                              "  grader release --check              CI: fail if they are out of date\n"
                              "  grader release --bundle student/    also write what students need for grader check\n")
    r.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    r.add_argument("--check", action="store_true", help="only check that the shipped template is up to date")
    r.add_argument("--bundle", type=Path, default=None, metavar="DIR",
                   help="also write the student bundle to DIR: public spec, template and the reference's "
                        "observations for the public checks (no reference code, answer key or hidden values); "
                        "students run `grader check --spec DIR notebook.ipynb`")
    r.add_argument("--data", type=Path, default=None, help="data home (for --bundle, which runs the reference)")
    r.set_defaults(run=cmd_release)


def cmd_verify(args, console: Console) -> int:
    from ..verify import verify
    spec = spec_of(args)
    home, _ = ensure_dataset(args.data)
    engine = make_engine(args.engine, engine_setup(spec, home, 1))
    try:
        engine.start()
        grader = Grader(spec, engine, hidden=True)
        grader.prepare()
        verdicts = verify(grader)
    finally:
        engine.close()
    for v in verdicts:
        console.print(f"{'[green]ok[/]  ' if v.ok else '[red]FAIL[/]'} {v.what}: {v.detail}")
    return 0 if all(v.ok for v in verdicts) else 1


def cmd_release(args, console: Console) -> int:
    from ..release import release, write_release
    spec = spec_of(args)
    if args.check:
        text, sums = release(spec)
        ok = text == spec.file("template").read_text(encoding="utf-8") and sums == spec.locked_checksums()
        console.print("template and checksums are up to date" if ok else
                      "[red]template.ipynb or locked_checksums.json differ from the solution: run `grader release`[/]")
        return 0 if ok else 1
    for p in write_release(spec):
        console.print(f"wrote {p}")
    if args.bundle:
        from ..bundle import write_bundle
        spec = load_spec(args.spec)            # the template just written
        home, _ = ensure_dataset(args.data)
        engine = make_engine("fork", engine_setup(spec, home, 1))
        try:
            engine.start()
            grader = Grader(spec, engine, hidden=False)
            grader.prepare()
        finally:
            engine.close()
        for p in write_bundle(spec, grader.refs, args.bundle):
            console.print(f"wrote {p}")
        console.print(f"students check with: grader check --spec {args.bundle} Assignment_...ipynb")
    return 0


