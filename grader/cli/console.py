"""The terminal a TA reads: text from notebooks (file names, flags, answers) is shown, never obeyed.

Rich escapes its own markup and drops a few control characters (BEL, BS, VT, FF, CR), not the
escape character: a flag or a file name holding ``ESC [1A ESC [2K`` moved the cursor up and
rewrote a classmate's line of `grader grade` ("✗ ... 0/50 crashed"; the twenty-ninth review)."""
from __future__ import annotations

import os
import re

import rich.console
from rich.markup import escape
from rich.segment import Segment

# C0 controls but tab and newline, DEL and the C1 controls (0x9b is a one-byte CSI), and the
# bidirectional overrides and isolates, which reorder what a line appears to say.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Console(rich.console.Console):
    """Rich's console; whatever text it renders has its control characters shown as '�'. Rich's
    own codes (colours, the progress bar's cursor moves) are added after this, or are control
    segments, and stay."""

    def on_broken_pipe(self) -> None:
        """The reader went away (`grader grade ... | head`): the batch goes on in silence and
        writes its reports. Rich's default exits, which stopped the batch with no summary.csv and
        no message (a TA's review)."""
        self.quiet = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.file.fileno())
        except (OSError, ValueError, AttributeError):
            pass

    def render(self, renderable, options=None):
        for seg in super().render(renderable, options):
            if seg.control is None and UNSAFE.search(seg.text):
                seg = Segment(UNSAFE.sub("�", seg.text), seg.style, seg.control)
            yield seg


def one_line(text: object) -> str:
    """A notebook's text for one line of Rich markup: one line (a newline in a file name would
    print a line of its own that looks like the grader's), markup escaped."""
    return escape("".join(ch if ch.isprintable() else "�" for ch in str(text)))
