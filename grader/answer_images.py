"""Pictures in a written answer: a photo of handwritten work pasted into the answer cell.

Jupyter keeps a pasted picture in the cell's ``attachments`` and writes
``![image.png](attachment:image.png)`` into the text, under the same name for every student. The
answer a TA grades is the text with each attachment written into it as a ``data:`` URI: two
different photos are two different answers (their sha256, answer groups, "answer changed since
graded"), and the picture travels with the answer into the gradebook, the sheets and the app
without a file of its own. Only PNG, JPEG, GIF and WebP whose bytes say so are taken (never SVG,
which can hold a script); pages draw them from a tag this module writes, after the sanitiser.
Where a picture is not wanted (CSV exports, answer groups, the similarity view) it reads as
``[image <sha256 prefix>]``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re

MIME_MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
              "image/gif": (b"GIF87a", b"GIF89a"), "image/webp": (b"RIFF",)}
MAX_IMAGE_BYTES = 4_000_000         # one photo of a page, as a phone takes it, fits
MAX_ANSWER_IMAGES = 32
MAX_ANSWER_BYTES = 12_000_000     # of base64 text an answer holds

# The whole markdown around a reference, image or plain link, alt text of any length: it is written
# out as one picture of the form IMAGE reads, so every picture put in is drawn or named (a link, or a
# line break in the alt text, left megabytes of base64 as text in CSVs and comparisons).
_REF = re.compile(r"!?\[[^\]]*\]\(\s*<?attachment:([^)\s>]+)>?(\s+\"[^\"]*\")?\s*\)")
# A picture in an answer: markdown image syntax around a data: URI of an allowed type.
IMAGE = re.compile(r"!\[([^\]\n]{0,200})\]\(data:(image/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/]+={0,2})\)")


def valid(mime: str, data: bytes) -> bool:
    magic = MIME_MAGIC.get(mime)
    if not magic or not data or len(data) > MAX_IMAGE_BYTES:
        return False
    if mime == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return data.startswith(magic)


def attachments(cell: dict) -> dict[str, tuple[str, bytes]]:
    """name -> (mime, bytes) of the pictures a notebook cell holds that can be shown."""
    raw = cell.get("attachments")
    out: dict[str, tuple[str, bytes]] = {}
    if not isinstance(raw, dict):
        return out
    for name, bundle in list(raw.items())[:MAX_ANSWER_IMAGES]:
        if not isinstance(name, str) or not isinstance(bundle, dict):
            continue
        for mime, data in bundle.items():
            if isinstance(data, list):
                data = "".join(d for d in data if isinstance(d, str))
            if mime not in MIME_MAGIC or not isinstance(data, str) or len(data) > MAX_IMAGE_BYTES * 4 // 3 + 8:
                continue
            try:
                decoded = base64.b64decode("".join(data.split()), validate=True)
            except (binascii.Error, ValueError):
                continue
            if valid(mime, decoded):
                out[name] = (mime, decoded)
                break
    return out


def embed(text: str, pictures: dict[str, tuple[str, bytes]]) -> str:
    """The answer's text with each ``attachment:NAME`` it shows written out as its picture."""
    if not pictures or "attachment:" not in text:
        return text

    drawn: set[str] = set()
    left = [MAX_ANSWER_BYTES]

    def swap(m: re.Match) -> str:
        found = pictures.get(m.group(1))
        if found is None:
            return m.group(0)
        mime, data = found
        b64 = base64.b64encode(data).decode("ascii")
        # Each picture once, and a few megabytes an answer: one 1 MB picture referenced 250
        # times made a 333 MB report (a twenty-first review); later references are named.
        if m.group(1) in drawn or len(b64) > left[0]:
            return f"[picture {digest(b64)}: shown above, or too large]"
        drawn.add(m.group(1))
        left[0] -= len(b64)
        return f"![picture](data:{mime};base64,{b64})"
    return _REF.sub(swap, text)


def digest(b64: str) -> str:
    return hashlib.sha256(b64.encode("ascii")).hexdigest()[:12]


def as_text(text: str | None) -> str | None:
    """Pictures as ``[image <sha256 prefix>]``: for CSV cells, word comparisons and groups."""
    if text is None or "data:image/" not in text:
        return text
    return IMAGE.sub(lambda m: f"[image {digest(m.group(3))}]", text)


def swap_out(text: str, marker) -> tuple[str, list[str]]:
    """Replace each picture with ``marker(i)`` and return the ``<img>`` tags to put back after
    the text went through markdown and the sanitiser (which keeps no data: URI)."""
    tags: list[str] = []

    def keep(m: re.Match) -> str:
        try:
            data = base64.b64decode(m.group(3), validate=True)
        except (binascii.Error, ValueError):
            return m.group(0)
        if not valid(m.group(2), data):
            return m.group(0)
        tags.append(f'<img class="answer-image" alt="{html.escape(m.group(1))}" '
                    f'src="data:{m.group(2)};base64,{m.group(3)}">')
        return marker(len(tags) - 1)
    return IMAGE.sub(keep, text), tags
