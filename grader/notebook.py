"""Reading submitted notebooks defensively and finding cells by ID, with content fallbacks.

Students' notebooks arrive broken in every way: invalid JSON, nbformat v3, missing or
duplicated cell IDs, changed cell types, reordered or deleted cells, megabytes of images.
Nothing here raises on bad content except ``load_notebook``'s ``NotebookError``, whose message
is meant for the student's report.
"""
from __future__ import annotations

import ast
import hashlib
import json
import json.scanner
import re
import warnings
from collections import deque
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import nbformat

from .answer_images import read_attachments
from .dynamic_code import runs
from .jsontext import TooWide, text_of
from .magics import as_python_reads, cleaned, crlf_as_lf, read_by_guess, reads_its_own_lines, without_magics
from .spec import NotebookLimits
from .syntax import walk


# Jupyter cannot open a file that is no JSON either (a new TA's review, 479: "open it in Jupyter and save it again"
# sent the student in a circle): an earlier copy can
_DAMAGED = ("the file is damaged: hand in an earlier copy (in Jupyter, File > Revert Notebook to Checkpoint, or the "
            "copy you downloaded), saved from Jupyter")


class NotebookError(Exception):
    """The file is not a notebook we can grade; the message says why, in words."""


@dataclass(frozen=True)
class Cell:
    index: int
    id: str | None
    cell_type: str
    source: str
    # Pictures pasted into a markdown cell (name, mime, bytes): a photo of a written answer.
    pictures: tuple[tuple[str, str, bytes], ...] = ()
    # Pictures it holds that are not shown (name, marker with the reason and a digest of its bytes).
    refused: tuple[tuple[str, str], ...] = ()


@dataclass
class Notebook:
    """The cells of a notebook with the indexes every check needs (built once: looking cells up
    by ID or by checksum stays linear however many cells a file has)."""
    cells: list[Cell]
    nbformat: int
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._by_id: dict[str | None, list[Cell]] = {}
        for c in self.cells:
            self._by_id.setdefault(c.id, []).append(c)
        self._sums: dict[int, str] = {}
        self._by_sum: dict[str, list[Cell]] | None = None

    def by_id(self, cell_id: str) -> list[Cell]:
        return list(self._by_id.get(cell_id, []))

    @property
    def without_ids(self) -> bool:
        """Saved by an old Jupyter (or converted from nbformat 3): no cell has an ID."""
        return bool(self.cells) and all(c.id is None for c in self.cells)

    def checksum(self, cell: Cell) -> str:
        if cell.index not in self._sums:
            self._sums[cell.index] = checksum(cell.source)
        return self._sums[cell.index]

    def by_checksum(self, digest: str) -> list[Cell]:
        if self._by_sum is None:
            self._by_sum = {}
            for c in self.cells:
                self._by_sum.setdefault(self.checksum(c), []).append(c)
        return list(self._by_sum.get(digest, []))


def normalize(source: str) -> str:
    """Text as the checksum sees it: line endings and trailing spaces and tabs do not count. Only
    those: a no-break space or an ideographic space after a line is a SyntaxError to Python (a
    forty-fifth review broke every provided cell that way, and the checksum still matched)."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip(" \t\f\v") for line in lines).strip("\n")


def checksum(source: str) -> str:
    return hashlib.sha256(normalize(source).encode()).hexdigest()


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(str(s) for s in src)
    return src if isinstance(src, str) else str(src)


class _TooMany(Exception):
    pass


def _parse(text: str, few_brackets: bool, budget: int):
    """JSON with at most ``budget`` objects and lists. A file of millions of tiny cells or lists
    is refused after a fraction of a second instead of filling the grader's memory. When the raw
    bytes hold fewer brackets than the budget (every real notebook) the fast parser is safe."""
    if few_brackets:
        return json.loads(text)
    decoder = json.JSONDecoder()
    left = [budget]

    def counted(parse):
        def inner(*args, **kwargs):
            left[0] -= 1
            if left[0] < 0:
                raise _TooMany()
            return parse(*args, **kwargs)
        return inner

    decoder.parse_array, decoder.parse_object = counted(decoder.parse_array), counted(decoder.parse_object)
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder.decode(text)


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_lone_surrogates(data) -> None:
    """Half an emoji (a lone surrogate, which JupyterLab writes as ``\\ud800``) becomes U+FFFD, as
    any text editor shows it: Python cannot encode it, and it made the notebook a "grader error"
    (a ninety-first review). JSON joins the halves of a whole emoji itself; what is left is lone."""
    todo = [data]
    while todo:
        node = todo.pop()
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        for k, v in items:
            if isinstance(v, str):
                if _SURROGATE.search(v):
                    node[k] = _SURROGATE.sub("\ufffd", v)
            elif isinstance(v, (dict, list)):
                todo.append(v)
            if isinstance(node, dict) and isinstance(k, str) and _SURROGATE.search(k):
                node[_SURROGATE.sub("\ufffd", k)] = node.pop(k)


def load_notebook(path: str | Path, limits: NotebookLimits | None = None) -> Notebook:
    """Read a submitted file; absurd ones are refused before they cost time or memory (size
    first, then a count of cells in the raw bytes, before any JSON is parsed)."""
    path = Path(path)
    limits = limits or NotebookLimits()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NotebookError(f"cannot read the file: {exc.strerror}") from None
    if size == 0:
        raise NotebookError("the file is empty (0 bytes); save the notebook again and resubmit")
    if size > limits.max_bytes:
        raise NotebookError(f"the file is {size / 2**20:.0f} MB, more than the "
                            f"{limits.max_bytes // 2**20} MB a notebook may have; clear the outputs (in Jupyter: "
                            f"Edit > Clear Outputs of All Cells) and save again")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        # Unreadable for the grader (a file kept without read permission): the student's notebook is
        # not broken (a hundred-and-ninety-first review: "grader error: PermissionError").
        raise NotebookError(f"cannot read the file: {exc.strerror}; a TA: give the grader read access to it "
                            f"(chmod a+r) and grade again") from None
    notes: list[str] = []
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Saved as UTF-16 by a Windows editor: Jupyter would not open it, but the student's work
        # is all there. Read as UTF-8 from here on, so every limit below counts the same bytes.
        try:
            text16 = raw.decode("utf-16")
            del raw
            raw = text16.encode("utf-8")
            del text16
        except UnicodeError:
            raise NotebookError("the file starts like UTF-16 text but is not; open it in Jupyter and save it "
                                "again") from None
        notes.append("the file was saved as UTF-16 text (by an editor, not Jupyter, which writes UTF-8 and "
                     "cannot open it); it was read anyway")
    elif raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]        # a byte-order mark some editors put before UTF-8 text: JSON has none
    cells_seen = raw.count(b'"cell_type"')
    if cells_seen > limits.max_cells:
        raise NotebookError(f"the file holds about {cells_seen} cells, more than the {limits.max_cells} a notebook "
                            f"of this assignment may have; hand in the notebook you were given")
    entries = raw.count(b",") + raw.count(b":")
    if entries > limits.max_entries:
        raise NotebookError(f"the file holds about {entries} entries (lines of output, list items), more than the "
                            f"{limits.max_entries} a notebook of this assignment may have; clear the outputs and "
                            f"save again")
    budget = max(20_000, limits.max_cells * 50)
    few_brackets = raw.count(b"[") + raw.count(b"{") <= budget
    try:
        text = text_of(raw, limits.max_bytes)
    except TooWide as exc:
        raise NotebookError(f"the file is {len(raw) / 2**20:.0f} MB and holds characters (such as emoji or curly "
                            f"quotes) in long texts, where they take {exc.width} bytes each in the grader's memory: "
                            f"more than a notebook of at most {limits.max_bytes // 2**20} MB may take; clear the "
                            f"outputs (in Jupyter: Edit > Clear Outputs of All Cells) and save again") from None
    except UnicodeDecodeError:
        raise NotebookError("the file is not UTF-8 text, so it is not a Jupyter notebook") from None
    del raw                  # the bytes, the text and the parsed JSON are never all held at once
    try:
        data = _parse(text, few_brackets, budget)
    except _TooMany:
        raise NotebookError(f"the file holds far more entries than a notebook of at most {limits.max_cells} cells; "
                            f"hand in the notebook you were given") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"      # json's "Unterminated string starting at"
        what = f"{exc.msg} {where}" if exc.msg.endswith(" at") else f"{exc.msg} at {where}"
        raise NotebookError(f"the file is not valid notebook JSON ({what}); {_DAMAGED}") from None
    except RecursionError:
        raise NotebookError("the file is not a notebook: its JSON is nested far deeper than any notebook's") from None
    except ValueError as exc:
        # A number of more than 4,300 digits (Python's limit for int()): Python's own words suggest a
        # setting of the interpreter, which means nothing to a student (a hundred-and-forty-eighth review).
        why = "a number longer than any notebook holds" if "digits" in str(exc) else " ".join(str(exc).split())[:120]
        raise NotebookError(f"the file is not valid notebook JSON ({why}); {_DAMAGED}") from None
    surrogates = _ESCAPED_SURROGATE.search(text) is not None
    del text
    if surrogates:
        _replace_lone_surrogates(data)
    if not isinstance(data, dict) or "nbformat" not in data:
        raise NotebookError("the file is JSON but not a Jupyter notebook (no 'nbformat' field)")
    version = data.get("nbformat")
    if type(version) is not int or not 1 <= version <= 4:
        # The field as text in every report (a 20 MB "nbformat" made 160 MB of reports: an
        # eighty-fourth review): a short, printable excerpt.
        shown = "".join(ch if ch.isprintable() else "?" for ch in repr(version)[:40])
        raise NotebookError(f"the file's 'nbformat' is {shown}{'...' if len(repr(version)) > 40 else ''}, not a "
                            f"notebook format (1 to 4); open it in Jupyter and save it again")
    if version != 4:
        try:
            _before_conversion(data)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = dict(nbformat.convert(nbformat.from_dict(data), 4))
            for c in data.get("cells") or ():
                if isinstance(c, dict):
                    c.pop("id", None)    # made up at random by the conversion: no cell was found by them
            notes.append(f"notebook format v{version} was converted to v4; cell IDs are missing")
        except Exception:  # noqa: BLE001 - any failure is the student's file
            # nbformat's own words ("cannot access local variable 'newcell'", "(None, None)") tell a
            # student nothing (a hundred-and-forty-eighth review): what happened, in ours.
            raise NotebookError(f"the file says it is notebook format v{version}, but its cells are not laid out as "
                                f"v{version}'s are (a newer notebook with a wrong 'nbformat' field?); open it in "
                                f"Jupyter and save it again") from None
    raw_cells = data.get("cells")
    if not isinstance(raw_cells, list):
        raise NotebookError("the notebook has no list of cells")
    if len(raw_cells) > limits.max_cells:
        raise NotebookError(f"the notebook has {len(raw_cells)} cells, more than the {limits.max_cells} a notebook "
                            f"of this assignment may have; hand in the notebook you were given")
    cells = []
    total = 0
    for i, c in enumerate(raw_cells):
        if not isinstance(c, dict):
            continue
        cid = c.get("id")
        source = _source(c)
        if len(source) > limits.max_cell_chars:
            raise NotebookError(f"cell {i + 1} holds {len(source)} characters of source, more than the "
                                f"{limits.max_cell_chars} one cell may have; remove pasted data or output from it")
        if c.get("cell_type") == "code" and len(source) > limits.max_code_cell_chars:
            raise NotebookError(f"code cell {i + 1} holds {len(source)} characters, more than the "
                                f"{limits.max_code_cell_chars} one code cell may have (the assignment's hold a few "
                                f"thousand); remove pasted data or output from it")
        total += len(source)
        if total > limits.max_source_chars:
            raise NotebookError(f"the cells hold more than {limits.max_source_chars} characters of source together "
                                f"(the assignment needs a few thousand); remove pasted data or output from them")
        pictures, refused = (), ()
        if c.get("attachments") and c.get("cell_type") in ("markdown", "raw"):
            shown, left_out = read_attachments(c)
            pictures = tuple((name, mime, data) for name, (mime, data) in shown.items())
            refused = tuple(left_out.items())
        cells.append(Cell(index=i, id=cid if isinstance(cid, str) else None,
                          cell_type=str(c.get("cell_type", "")), source=source, pictures=pictures,
                          refused=refused))
    if version == 4 and any(c.id is None for c in cells):
        notes.append("some cells have no ID (notebook saved by an old Jupyter); cells were "
                     "found by their content")
    return Notebook(cells=cells, nbformat=int(version) if isinstance(version, int) else 0, notes=notes)


def _before_conversion(data: dict) -> None:
    """An old notebook made safe for nbformat's conversion to v4, which trusts it:
    - heading cells at levels 1 to 6: it writes ``"#" * level``, and a 253-byte file of level 10**9
      took the grader to 2.9 GB before any limit looked at the cells (an eightieth review); any other
      level is no heading Jupyter ever wrote: 6;
    - no outputs: it parses an output's ``json`` text with no limit (1.9 GB from 45 MB of nested
      lists whose commas were escaped past the entry count: an eighty-fourth review), and the
      grader reads no output of a submitted notebook."""
    sheets = data.get("worksheets")
    groups = [w.get("cells") for w in sheets if isinstance(w, dict)] if isinstance(sheets, list) else []
    groups.append(data.get("cells"))
    for cells in groups:
        for c in cells if isinstance(cells, list) else ():
            if not isinstance(c, dict):
                continue
            if "outputs" in c:
                c["outputs"] = []
            if c.get("cell_type") == "heading":
                level = c.get("level", 1)
                if type(level) is not int or not 1 <= level <= 6:
                    c["level"] = 6


@dataclass(frozen=True)
class Found:
    cell: Cell | None
    how: str              # id | content | missing
    note: str = ""


# Jupyter's default, written out of habit above the imports: it changes nothing that runs (an
# eighty-second review: it cost the provided cell's 2 points as an edit).
# (Not with a comment after it: IPython hands `# plots` to the magic, which fails, and Jupyter stops
# the cell there: a hundred-and-seventieth review.)
# Only where IPython reads it as a magic: inside brackets or a string it is a syntax error or text (a
# hundred-and-eighty-seventh review kept a provided cell's 2 points with it inside a call's brackets).
_NO_OP_MAGIC = re.compile(r"[ \t]*%matplotlib[ \t]+inline[ \t]*")
# So is a look at a name's help (`nn.Linear?`, `??DataLoader`) where IPython reads it as one: Jupyter
# shows the help and runs nothing (inside a string or brackets it is the text it reads).
_HELP_ONLY = re.compile(r"[ \t]*(?:\?{1,2}[ \t]*[A-Za-z_][\w.]*|[A-Za-z_][\w.]*\?{1,2})[ \t]*"
                        "(?:#[^\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*)?")


def no_op_lines(source: str) -> set[int]:
    """Indices (of ``source.split("\\n")``) of the lines that run nothing in Jupyter: `%matplotlib
    inline` and help lines that IPython reads as such."""
    lines = source.split("\n")
    if not any(_HELP_ONLY.fullmatch(ln) or _NO_OP_MAGIC.fullmatch(ln) for ln in lines):
        return set()
    ran = without_magics(source).split("\n")       # line for line; a magic or help line IPython reads is `pass`
    if len(ran) != len(lines):
        return set()
    return {i for i, (ln, r) in enumerate(zip(lines, ran))
            if r.strip() == "pass" and ln.strip() != "pass"
            and (_NO_OP_MAGIC.fullmatch(ln) or (_HELP_ONLY.fullmatch(ln) and not ln.rstrip().endswith("\\")))}


def _without_no_ops(source: str) -> str:
    """The cell without the lines that run nothing in Jupyter."""
    skip = no_op_lines(source)
    return "\n".join(ln for i, ln in enumerate(source.split("\n")) if i not in skip) if skip else source


def same_code(source: str, template_source: str) -> bool:
    """The same program as the template's cell, whatever blank lines and comments were added (a
    forty-sixth review: a blank line in the imports cell cost its 2 points). Compared as syntax
    trees: any change to what runs (an argument, a value, a magic) is a change."""
    if checksum(source) == checksum(template_source):
        return True
    mine, theirs = _comparable(source), _comparable(template_source)
    if mine is None or theirs is None:
        return False
    if len(mine) > 4 * len(theirs) + 10_000:
        return False                 # not parsed at all: a page of comments is not the template's cell
    mine_program = _program(mine)
    return mine_program is not None and mine_program == _program(theirs)


@lru_cache(maxsize=64)
def _comparable(source: str) -> str | None:
    """The cell as `same_code` compares it, as IPython reads it first (blank lines and an indent above the code: the
    indent it strips changes which lines a loop holds), without the lines that run nothing; None where no comparison
    makes it a template's cell: its magic-looking lines were read by guess, or a magic changes how it runs (`%%timeit`,
    `%%capture`: text only). Each added cell is compared with every template cell: read once (a review, 342: 38 parses
    of each cell, 74 s of the grader's time for a notebook of eighteen cells at the length limit)."""
    text = crlf_as_lf(cleaned(source))
    if read_by_guess(text):
        return None
    text = _without_no_ops(text)
    return None if without_magics(text) != text else text


def _program(source: str) -> bytes | None:
    """A digest of the cell's syntax tree as text (None: not Python). A cell is compared with every template
    cell of its kind (cells found without their ID, cells added), so small ones are read once; the digest is kept,
    not the text, which is some thirty times the cell (a review, 350: 200 cells kept so held 400 MB of the grader's
    memory across a batch)."""
    return _small_program(source) if len(source) <= 20_000 else _dumped(source)


@lru_cache(maxsize=256)
def _small_program(source: str) -> bytes | None:
    return _dumped(source)


def _dumped(source: str) -> bytes | None:
    tree = parse_source(source)
    if tree is None:
        return None
    try:
        return hashlib.sha256(ast.dump(tree).encode("utf-8", "surrogatepass")).digest()
    except (RecursionError, ValueError, MemoryError):
        # A tree deeper than the template's can be (`x = 1+1+...` of 3,000 terms, within the length
        # above) is not the template's cell; dumping it recursed past Python's limit in the
        # grader's own process (an eighty-ninth review: "grader error" for the notebook); nor is one holding a
        # number too long to write out (`x = 0xfff...` of 4,000 digits: review 350, a grader error too)
        return None


def parse_source(source: str) -> ast.Module | None:
    """A cell's syntax tree, or None when it has none: a syntax error, a null byte, or nesting
    deeper than the parser goes (a student's cell must never stop the grader). IPython's magics
    are read as Jupyter runs them (``without_magics``)."""
    # As IPython reads it; IPython's calls written out (`get_ipython().run_line_magic('time', 'import
    # scipy')`) are read as their magics (a two-hundred-and-eighth review: an import the flags never saw).
    clean = without_magics(source) if reads_its_own_lines(source) or "get_ipython" in source else cleaned(source)
    for text in (clean, None):
        if text is None:
            text = without_magics(source)
            if text == clean:
                return None
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None




def defines(source: str, name: str) -> bool:
    """Does the cell define ``name`` at top level (class, function or assignment)?"""
    if name not in source and name not in as_python_reads(source):
        return False            # (not parsed: each added cell is asked for each name the assignment wants)
    tree = parse_source(source)
    if tree is None:
        # (blanks, not `\s`, which runs on over the lines below: a cell of 20,000 empty lines cost 2.4 s a name)
        return bool(re.search(rf"^[ \t\f]*(?:class|def)[ \t]+{re.escape(name)}\b|^{re.escape(name)}[ \t]*=", source,
                              re.M))
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
        if isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name) \
                and node.target.id == name:        # `train_and_test: object = None` (a fifty-seventh review)
            return True
    return False


def binds(source: str, name: str) -> bool:
    """Does the cell give ``name`` a value anywhere (a definition, an assignment, an import, a loop
    variable)? A cell that cannot be read is taken to (the usual explanation stays)."""
    tree = parse_source(source)
    if tree is None:
        return name in source
    for node in walk(tree):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            return True
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return True
        if isinstance(node, ast.alias) and (node.asname or node.name.split(".")[0]) == name:
            return True
    return False


def imported_modules(source: str) -> list[str]:
    """Top-level packages a cell imports, read from its syntax tree (the cell never runs for this).

    Only statements are visited, breadth first as ``ast.walk`` would (an import is a statement,
    and no expression holds one): a model cell's tree has ~20 times more expression nodes than
    statements, and the grader reads every graded cell of every notebook."""
    if "import" not in source:
        return []
    tree = parse_source(source)
    if tree is None:
        return []
    found: list[str] = []
    queue = deque([tree])
    while queue:
        node = queue.popleft()
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for n in names:
            top = n.split(".")[0]
            if top not in found:
                found.append(top)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list) and value and isinstance(value[0], _HOLDS_STATEMENTS):
                queue.extend(value)
    if _DYNAMIC.search(source):
        called = _called_imports(tree)
        for code in runs(source)[0]:          # exec("import numpy"): what the string runs
            called += imported_modules(code)
        found += [top for top in dict.fromkeys(called) if top not in found]
    return found


# An import without an import statement: ``__import__("numpy")``, ``importlib.import_module(...)``,
# ``exec("import numpy")``. Read from the calls' literal arguments; a computed name is ``?``. (A
# name bound to these functions under another name is not followed: the rule is a course rule a
# TA reads the code for, not a sandbox.)
_DYNAMIC = re.compile(r"__import__|import_module|\bexec\b|\beval\b")
_IMPORTERS = {"__import__", "import_module"}


def _called_imports(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in _IMPORTERS:
            continue
        arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
        literal = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
        top = literal.lstrip(".").split(".")[0] if literal is not None else "?"
        if not top.isidentifier():      # no module has that name: the text is not shown (it is the student's)
            top = "?"
        if top not in found:
            found.append(top)
    return found


# Nodes that are, or hold, statements: everything else is an expression (or part of one).
_HOLDS_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


def find_cell(nb: Notebook, cell_id: str, *, cell_type: str, matches=None) -> Found:
    """Find a cell by ID; if the ID is gone (renamed, old Jupyter), by ``matches(cell)``.

    Duplicated IDs (copy-pasted cells) pick the copy whose content matches. Of code cells the
    last such copy: Jupyter runs them all in order, so the later definition is the one the
    notebook ends with (a forty-eighth review: the first copy was graded, stale code). Of
    markdown cells the first: Jupyter keeps the ID on the first copy and renames the others.
    """
    same = [c for c in nb.by_id(cell_id)]
    typed = [c for c in same if c.cell_type == cell_type]
    if typed:
        pick = typed[0]
        note = ""
        if len(same) > 1:
            good = [c for c in typed if matches is None or matches(c)] or typed
            pick = good[-1] if cell_type == "code" else good[0]
            note = f"cell ID '{cell_id}' appears {len(same)} times; graded the one at position {pick.index + 1}"
        return Found(pick, "id", note)
    if same:
        wrong = same[0]
        if matches is not None and matches(replace(wrong, cell_type=cell_type)):
            return Found(replace(wrong, cell_type=cell_type), "id",
                         f"cell '{cell_id}' was changed to a {wrong.cell_type} cell; graded as {cell_type}")
    if matches is not None:
        for c in nb.cells:
            if c.cell_type == cell_type and matches(c):
                return Found(c, "content", f"cell ID '{cell_id}' not found; used the cell at "
                                           f"position {c.index + 1} that matches its content")
    return Found(None, "missing", f"cell '{cell_id}' is missing")


def markdown_after_heading(nb: Notebook, heading: str):
    """Matcher for a written-answer cell: the markdown cell right after its heading."""
    def match(cell: Cell) -> bool:
        if cell.index == 0:
            return False
        prev = next((c for c in nb.cells if c.index == cell.index - 1), None)
        return prev is not None and heading in prev.source and not _is_heading(cell.source, heading)
    return match


def _is_heading(source: str, heading: str) -> bool:
    """The heading's own cell (one line naming the task), not an answer that repeats the task's
    name above what it says ("**Calculation 1.1:** ...", a comment in a code cell)."""
    lines = [ln for ln in source.split("\n") if ln.strip()]
    return len(lines) == 1 and heading in lines[0]
