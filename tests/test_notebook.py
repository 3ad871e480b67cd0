import ast
import json

import nbformat
import pytest

from grader.notebook import NotebookError, checksum, find_cell, imported_modules, load_notebook, normalize

from .conftest import REF


def test_checksum_ignores_line_endings_and_trailing_space():
    assert checksum("a = 1  \r\nb = 2\n\n") == checksum("a = 1\nb = 2")
    assert checksum("a = 1") != checksum("a = 2")
    assert normalize("x\r\n") == "x"


@pytest.mark.parametrize("content,needle", [
    (b"", "empty"),
    (b"{not json", "not valid notebook JSON"),
    (b'{"a": 1}', "not a Jupyter notebook"),
    (b"\x80\x81garbage", "not UTF-8"),
    (b"\xff\xfe\x00\xd8", "starts like UTF-16 text but is not"),
    (b"\xff\xfe{\x00}\x00", "not a Jupyter notebook"),        # UTF-16 JSON, no notebook
])
def test_broken_files_raise_a_readable_reason(tmp_path, content, needle):
    p = tmp_path / "x.ipynb"
    p.write_bytes(content)
    with pytest.raises(NotebookError, match=needle):
        load_notebook(p)


def test_the_json_error_reads_as_a_sentence(tmp_path):
    """A new TA's review: "(line 60, column 5: Unterminated string starting at)" read cut off."""
    p = tmp_path / "x.ipynb"
    p.write_bytes(b'{"cells": ["abc')
    with pytest.raises(NotebookError, match=r"\(Unterminated string starting at line 1, column 12\)"):
        load_notebook(p)
    p.write_bytes(b'{"cells": [}')
    with pytest.raises(NotebookError, match=r"\(Expecting value at line 1, column 12\)"):
        load_notebook(p)


def test_nbformat_v3_is_converted(tmp_path):
    nb4 = nbformat.read(REF / "solution.ipynb", as_version=4)
    v3 = nbformat.convert(nb4, 3)
    p = tmp_path / "v3.ipynb"
    p.write_text(json.dumps(v3))
    nb = load_notebook(p)
    assert any("v3" in n for n in nb.notes)
    assert any("class ANN_sigmoid" in c.source for c in nb.cells)


def loaded_with_peak(path):
    """The notebook and the most memory Python held while reading it."""
    import tracemalloc
    tracemalloc.start()
    try:
        nb = load_notebook(path)
        return nb, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_old_notebooks_outputs_are_not_parsed_and_a_strange_version_is_short(tmp_path):
    """An eighty-fourth review: a v3 output's `json` text of nested lists (commas escaped past the
    entry count) took the grader to 1.9 GB in nbformat's conversion; a 20 MB "nbformat" value went
    into every report."""
    bomb = "[" * 20 + "]" * 20
    text = "[" + "\\u002c".join([bomb] * 100_000) + "]"
    cell = {"cell_type": "code", "input": "x = 1", "language": "python", "metadata": {}, "prompt_number": 1,
            "outputs": [{"output_type": "pyout", "prompt_number": 1, "metadata": {}, "json": "__BOMB__"}]}
    p = tmp_path / "old.ipynb"
    p.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                             "worksheets": [{"metadata": {}, "cells": [cell]}]}).replace('"__BOMB__"', f'"{text}"'))
    nb, peak = loaded_with_peak(p)
    assert [c.source for c in nb.cells] == ["x = 1"] and peak < 40_000_000, peak
    p.write_text(json.dumps({"nbformat": "A" * 1_000_000, "cells": []}))
    with pytest.raises(NotebookError) as err:
        load_notebook(p)
    assert len(str(err.value)) < 200 and "not a notebook format (1 to 4)" in str(err.value)


def test_a_converted_notebook_has_no_made_up_ids(tmp_path):
    """nbformat's conversion invents random IDs; the grader must look cells up by content (and
    flag `no-cell-ids` once), not report each graded cell's ID as changed."""
    v3 = nbformat.convert(nbformat.read(REF / "solution.ipynb", as_version=4), 3)
    p = tmp_path / "v3.ipynb"
    p.write_text(json.dumps(v3))
    nb = load_notebook(p)
    assert nb.without_ids and nb.cells


@pytest.mark.parametrize("level,heading", [(10**9, "###### x"), (150_000_000, "###### x"), (-3, "###### x"),
                                           ("9" * 50, "###### x"), (2.0, "###### x"), (2, "## x")])
def test_an_old_heading_of_any_level_costs_no_memory(tmp_path, level, heading):
    """An eightieth review: a 253-byte v3 notebook of heading level 10**9 took the grader to 2.9 GB
    in the conversion to v4, before any limit looked at its cells."""
    cell = {"cell_type": "heading", "level": level, "source": "x", "metadata": {}}
    p = tmp_path / "old.ipynb"
    p.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                             "worksheets": [{"metadata": {}, "cells": [cell, cell]}]}))
    nb, peak = loaded_with_peak(p)
    assert peak < 20_000_000 and [c.source for c in nb.cells] == [heading, heading]


@pytest.mark.parametrize("encode", [
    lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),       # a BOM from a Windows editor
    lambda text: text.encode("utf-16"),                        # UTF-16 with its BOM
    lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
])
def test_a_notebook_saved_by_an_editor_is_read(tmp_path, encode):
    text = (REF / "solution.ipynb").read_text(encoding="utf-8")
    p = tmp_path / "x.ipynb"
    p.write_bytes(encode(text))
    nb = load_notebook(p)
    assert [c.source for c in nb.cells] == [c.source for c in load_notebook(REF / "solution.ipynb").cells]


def test_limits_count_a_utf16_notebook_as_its_text(tmp_path):
    from grader.notebook import NotebookLimits
    cells = [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [], "execution_count": None}] * 300
    p = tmp_path / "x.ipynb"
    p.write_bytes(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode("utf-16"))
    with pytest.raises(NotebookError, match="about 300 cells"):
        load_notebook(p, NotebookLimits(max_cells=200))


def test_missing_ids_fall_back_to_content(tmp_path):
    data = json.loads((REF / "solution.ipynb").read_text())
    data["nbformat_minor"] = 4
    for c in data["cells"]:
        c.pop("id", None)
    p = tmp_path / "old.ipynb"
    p.write_text(json.dumps(data))
    nb = load_notebook(p)
    found = find_cell(nb, "ann-relu", cell_type="code", matches=lambda c: "class ANN_relu" in c.source)
    assert found.how == "content" and "class ANN_relu" in found.cell.source


def test_duplicated_ids_pick_the_matching_copy(tmp_path):
    data = json.loads((REF / "solution.ipynb").read_text())
    ids = [c.get("id") for c in data["cells"]]
    dup = dict(data["cells"][ids.index("ann-relu")])
    dup["source"] = "# scratch copy"
    data["cells"].insert(ids.index("ann-relu"), dup)
    p = tmp_path / "dup.ipynb"
    p.write_text(json.dumps(data))
    nb = load_notebook(p)
    found = find_cell(nb, "ann-relu", cell_type="code", matches=lambda c: "class ANN_relu" in c.source)
    assert "class ANN_relu" in found.cell.source
    assert "appears 2 times" in found.note


def test_duplicated_code_cells_grade_the_later_definition(tmp_path):
    """Jupyter runs both copies in order: the class the notebook ends with is the later one's."""
    data = json.loads((REF / "solution.ipynb").read_text())
    ids = [c.get("id") for c in data["cells"]]
    first = dict(data["cells"][ids.index("ann-relu")])
    first["source"] = "class ANN_relu:\n    pass  # first try"
    data["cells"].insert(ids.index("ann-relu"), first)
    p = tmp_path / "dup.ipynb"
    p.write_text(json.dumps(data))
    nb = load_notebook(p)
    found = find_cell(nb, "ann-relu", cell_type="code", matches=lambda c: "class ANN_relu" in c.source)
    assert "first try" not in found.cell.source and "nn.Module" in found.cell.source
    assert found.note.endswith(f"graded the one at position {ids.index('ann-relu') + 2}")


def test_cell_type_changed_is_still_found(tmp_path):
    data = json.loads((REF / "solution.ipynb").read_text())
    for c in data["cells"]:
        if c.get("id") == "ann-relu":
            c["cell_type"] = "markdown"
            c.pop("outputs", None)
            c.pop("execution_count", None)
    p = tmp_path / "md.ipynb"
    p.write_text(json.dumps(data))
    nb = load_notebook(p)
    found = find_cell(nb, "ann-relu", cell_type="code", matches=lambda c: "class ANN_relu" in c.source)
    assert found.cell is not None and "changed to a markdown cell" in found.note


@pytest.mark.parametrize("source, expected", [
    ("import torch.nn as nn\nfrom numpy import random\nimport torch", ["torch", "numpy"]),
    ("try:\n    import a\nexcept ImportError:\n    import b\nelse:\n    import c.d\nfinally:\n    from e import f\n",
     ["a", "c", "e", "b"]),                      # a handler's body is one level further in
    ("match x:\n    case 1:\n        import m1\n    case _:\n        import m2\nimport z\n", ["z", "m1", "m2"]),
    ("def f():\n    import inner\nclass C:\n    def g(self):\n        from . import rel\n        from pkg.sub import x\n"
     "import top\n", ["top", "inner", "pkg"]),
    ("if a:\n    import p\nelse:\n    import r\nwith open('x') as fh:\n    import w\nfor i in x:\n    import f1\n"
     "async def h():\n    async with a:\n        import aw\n", ["p", "r", "w", "f1", "aw"]),
    ("try:\n    pass\nexcept* ValueError:\n    import eg\n", ["eg"]),
    ("print('import os')  # no import statement", []),
    ('np = __import__("numpy")\nsk = __import__("importlib").import_module("scipy.stats")', ["numpy", "scipy", "importlib"]),
    ('from importlib import import_module\nm = import_module(name="sklearn")\nexec("import pandas as pd")',
     ["importlib", "sklearn", "pandas"]),
    ("mod = __import__(''.join(['nu', 'mpy']))", ["?"]),     # a computed name is still an import
    ("x = 1", []),
    ("import (", []),
])
def test_imports_are_found_wherever_a_statement_can_be(source, expected):
    """The imports rule reads every import statement of a cell, nested ones included, outermost
    first; a string that mentions import, or a cell that does not parse, imports nothing."""
    assert imported_modules(source) == expected


@pytest.mark.parametrize("chain", ["y = ''" + "+''" * 2800, "y = x" + "+'a'" * 2800, "y = 'a'" + "+'b'" * 2800],
                         ids=["empty", "computed", "written"])
def test_a_long_chain_of_plus_is_read_once(chain, monkeypatch):
    """The thirty-fifth review: cells of `y+''+''+...` (2,800 links, under the cell limit) cost two
    minutes of the grader's own time each, as every link of the chain was read out again on its
    own. Each chain is now read once, whatever the code analysis asks of it."""
    from grader import dynamic_code
    reads = []
    original = dynamic_code._literal
    monkeypatch.setattr(dynamic_code, "_literal",          # the chains read out (a piece is one step)
                        lambda node: (None if isinstance(node, ast.Constant) else reads.append(node))
                        or original(node))
    source = "import os  # exec\n" + "\n".join([chain] * 5)
    assert dynamic_code.runs(source) == ([], 0)
    dynamic_code.code_strings(source)
    assert imported_modules(source) == ["os"]
    assert len(reads) <= 10, len(reads)


def test_an_annotated_assignment_defines_its_name():
    """A fifty-seventh review: `train_and_test: object = None` in a later copy was not a definition."""
    from grader.notebook import defines
    assert defines("train_and_test: object = None", "train_and_test")
    assert not defines("train_and_test: object", "train_and_test")        # annotated only: nothing bound


def _with_output(tmp_path, text, *, ascii_only=False, source_extra=""):
    nb = json.loads((REF / "solution.ipynb").read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": text}]
    code["source"] = "".join(code["source"]) + source_extra
    p = tmp_path / "x.ipynb"
    p.write_text(json.dumps(nb, ensure_ascii=ascii_only), encoding="utf-8")
    return p


LIMIT = 2 * 2**20     # max_bytes in these tests: a 1.6 MB output is a large one


@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize("wide", ["\U0001F600", "\u2013"])
def test_a_wide_character_in_a_long_output_is_refused_by_what_it_costs(tmp_path, wide, ascii_only):
    # Ninety-ninth review: Python keeps a string at its widest character's width; one emoji in a
    # 50 MB file made its text and that output 200 MB each. Escaped or not, the same string.
    from grader.notebook import NotebookLimits
    p = _with_output(tmp_path, wide + "a" * 1_600_000, ascii_only=ascii_only)
    with pytest.raises(NotebookError, match="bytes each in the grader's memory.*Clear Outputs"):
        load_notebook(p, NotebookLimits(max_bytes=LIMIT))


def test_a_wide_character_behind_escaped_quotes_still_counts_its_whole_string(tmp_path):
    # Where the string that holds it starts and ends is told past escaped quotes and backslashes.
    from grader.notebook import NotebookLimits
    p = _with_output(tmp_path, 'say \\"hi\\" \\\\' + '"\U0001F600"' + "a" * 1_600_000)
    with pytest.raises(NotebookError, match="bytes each in the grader's memory"):
        load_notebook(p, NotebookLimits(max_bytes=LIMIT))


def test_a_large_notebook_whose_wide_characters_sit_in_short_strings_is_read(tmp_path):
    # The template's curly quotes and an emoji in a cell, next to a long plain output: the file is
    # read (its text escaped, one byte a character), and every character comes back as it was.
    from grader.notebook import NotebookLimits
    p = _with_output(tmp_path, "a" * 1_600_000, source_extra="\n# done \U0001F600 \u201cok\u201d \u00e9")
    assert "\u201c" in p.read_text(encoding="utf-8")
    nb = load_notebook(p, NotebookLimits(max_bytes=LIMIT))
    code = next(c for c in nb.cells if c.cell_type == "code")
    assert code.source.endswith("# done \U0001F600 \u201cok\u201d \u00e9")
    plain = load_notebook(_with_output(tmp_path, "a", source_extra="\n# done \U0001F600 \u201cok\u201d \u00e9"))
    assert [c.source for c in nb.cells] == [c.source for c in plain.cells]


def test_a_broken_character_in_a_large_notebook_is_still_not_utf8(tmp_path):
    from grader.notebook import NotebookLimits
    p = _with_output(tmp_path, "a" * 1_600_000, source_extra="\n# \u201c")
    p.write_bytes(p.read_bytes().replace("\u201c".encode(), b"\xe2\x80"))
    with pytest.raises(NotebookError, match="not UTF-8"):
        load_notebook(p, NotebookLimits(max_bytes=LIMIT))


@pytest.mark.parametrize("version", [1, 3])
def test_a_notebook_with_a_wrong_old_format_number_is_refused_in_our_words(tmp_path, version):
    """A hundred-and-forty-eighth review: a v4 notebook whose 'nbformat' says 1 or 3 was refused
    with nbformat's own words ("cannot access local variable 'newcell'", "(None, None)"), and a
    5,000-digit number with Python's advice to call sys.set_int_max_str_digits()."""
    data = json.loads((REF / "template.ipynb").read_text())
    data["nbformat"] = version
    p = tmp_path / "nb.ipynb"
    p.write_text(json.dumps(data))
    with pytest.raises(NotebookError) as err:
        load_notebook(p)
    said = str(err.value)
    assert f"says it is notebook format v{version}, but its cells are not laid out as v{version}'s are" in said
    assert "newcell" not in said and "None" not in said
    p.write_text('{"nbformat": 4, "nbformat_minor": ' + "5" * 5000 + ', "metadata": {}, "cells": []}')
    with pytest.raises(NotebookError) as err:
        load_notebook(p)
    assert "a number longer than any notebook holds" in str(err.value) and "sys." not in str(err.value)


def test_an_added_cell_with_a_number_too_long_to_write_is_compared_not_a_grader_error():
    """Review 350: `x = 0xfff...` of 4,000 digits in an added cell: comparing it with the template's cells wrote the
    number out, past Python's limit for that, and the notebook became a grader error (`grader check`: a traceback)."""
    from grader.notebook import _program, same_code
    big = "x = 0x" + "f" * 4000
    assert _program(big) is None
    assert not same_code(big, "x = 1") and same_code("x = 1\n", "x = 1")


def test_the_template_comparison_keeps_no_copy_of_the_cells_it_read():
    """Review 350: each added cell up to 20,000 characters was kept as the text of its syntax tree, some thirty times
    the cell (four times that with one character outside Unicode's first plane): 200 such cells held 400 MB of the
    grader's memory across a batch. What is kept now is a digest of it."""
    import tracemalloc

    from grader import notebook
    notebook._small_program.cache_clear()
    tracemalloc.start()
    try:
        for i in range(10):               # kept as text: some 2 MB each; as digests, their keys (90 kB)
            notebook._program(f"z{i} = 0\ny = \U00020000\n" + ("y=" + "|".join(["a"] * 100) + "\n") * 90)
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        notebook._small_program.cache_clear()
    assert kept < 5 * 2**20, kept
