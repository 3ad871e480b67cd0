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
# Found from its rare middle, ``](attachment:NAME ...)``, and its ``[`` looked up backwards no further
# than the previous reference: linear in the text (``!?\[[^\]]*\]`` from every ``[`` took 51 s on a
# cell of 199,000 ``[``, holding the grader's lock; a twenty-fourth review).
_REF_TAIL = re.compile(r"\]\([ \t]*<?attachment:([^)\s>]{1,255})>?([ \t]+\"[^\"\n]{0,200}\")?[ \t]*\)")
# A picture in an answer: markdown image syntax around a data: URI of an allowed type.
IMAGE = re.compile(r"!\[([^\]\n[]{0,200})\]\(data:(image/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/]+={0,2})\)")


MAX_PIXELS = 50_000_000             # a 48-megapixel phone photo; a page draws every picture at once


def valid(mime: str, data: bytes) -> bool:
    return not refusal(mime, data)


def refusal(mime: str, data: bytes) -> str:
    """Why a picture is not shown ('' when it is): its type as its bytes say, its size in bytes,
    and its size in pixels (a tiny file can declare 60000 x 60000 pixels, which a TA's browser
    would have to decode)."""
    magic = MIME_MAGIC.get(mime)
    if not magic:
        return "not a PNG, JPEG, GIF or WebP picture"
    if not data:
        return "empty"
    if len(data) > MAX_IMAGE_BYTES:
        return f"larger than {MAX_IMAGE_BYTES // 1_000_000} MB"
    if mime == "image/webp":
        if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
            return f"not the {mime} it says it is"
    elif not data.startswith(magic):
        return f"not the {mime} it says it is"
    size = _pixels(data)
    if size is None:
        return "unreadable"
    if size is _HUGE:
        return f"far more pixels than a photo, more than {MAX_PIXELS // 1_000_000} megapixels"
    if size[0] * size[1] * size[2] > MAX_PIXELS:
        frames = f" x {size[2]} frames" if size[2] > 1 else ""
        return f"{size[0]} x {size[1]} pixels{frames}, more than {MAX_PIXELS // 1_000_000} megapixels"
    return ""


_HUGE = (-1, -1, -1)
MAX_FRAMES = 1000


def _pixels(data: bytes) -> tuple[int, int, int] | None:
    """Width, height and frames from the picture's headers (Pillow reads headers only, nothing is
    decoded): an animation's every frame is drawn too (a twenty-eighth review: 108 frames of
    7000 x 7000 in 4 MB of GIF)."""
    import io
    import warnings

    from PIL import Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                frames = getattr(im, "n_frames", 1) if getattr(im, "is_animated", False) else 1
                return im.size[0], im.size[1], min(int(frames), MAX_FRAMES)
    except Image.DecompressionBombError:         # Pillow's own refusal, above 179 megapixels
        return _HUGE
    except Exception:  # noqa: BLE001 - a student's bytes: any failure means unreadable
        return None


def attachments(cell: dict) -> dict[str, tuple[str, bytes]]:
    """name -> (mime, bytes) of the pictures a notebook cell holds that can be shown."""
    return read_attachments(cell)[0]


def read_attachments(cell: dict) -> tuple[dict[str, tuple[str, bytes]], dict[str, str]]:
    """The pictures a cell holds that can be shown (name -> (mime, bytes)), and a marker for each
    one that is not: the reason, and a digest of its own bytes (two students' refused photos are
    two different answers, never one group)."""
    raw = cell.get("attachments")
    shown: dict[str, tuple[str, bytes]] = {}
    left_out: dict[str, str] = {}
    if not isinstance(raw, dict):
        return shown, left_out
    for n, (name, bundle) in enumerate(raw.items()):
        if n >= 4 * MAX_ANSWER_IMAGES:
            break                 # a cell of thousands of tiny attachments: the rest is not read at all
        if not isinstance(name, str) or not isinstance(bundle, dict):
            continue
        reasons = []
        for mime, data in bundle.items():
            if isinstance(data, list):
                data = "".join(d for d in data if isinstance(d, str))
            if not isinstance(data, str):
                continue
            if n >= MAX_ANSWER_IMAGES:
                reasons.append((f"more than {MAX_ANSWER_IMAGES} pictures in one cell", data))
                break
            if mime not in MIME_MAGIC:
                reasons.append(("not a PNG, JPEG, GIF or WebP picture", data))
                continue
            if len(data) > MAX_IMAGE_BYTES * 4 // 3 + 8:
                reasons.append((f"larger than {MAX_IMAGE_BYTES // 1_000_000} MB", data))
                continue
            try:
                decoded = base64.b64decode("".join(data.split()), validate=True)
            except (binascii.Error, ValueError):
                reasons.append(("unreadable", data))
                continue
            why = refusal(mime, decoded)
            if not why:
                shown[name] = (mime, decoded)
                break
            reasons.append((why, data))
        if name not in shown and reasons:
            why, data = reasons[0]
            sha = hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:12]
            left_out[name] = f"[picture not shown ({why}) {sha}]"
    return shown, left_out


def embed(text: str, pictures: dict[str, tuple[str, bytes]], refused: dict[str, str] | None = None) -> str:
    """The answer's text with each ``attachment:NAME`` it shows written out as its picture, and
    each one it holds but does not show as its marker (``refused``)."""
    refused = refused or {}
    if not (pictures or refused) or "attachment:" not in text:
        return text

    drawn: set[str] = set()
    left = [MAX_ANSWER_BYTES]

    def swap(m: re.Match, whole: str) -> str:      # the reference, alt text and all, becomes one picture
        found = pictures.get(m.group(1))
        if found is None:
            return refused.get(m.group(1), whole)
        mime, data = found
        b64 = base64.b64encode(data).decode("ascii")
        # Each picture once, and a few megabytes an answer: one 1 MB picture referenced 250
        # times made a 333 MB report (a twenty-first review); later references are named.
        if m.group(1) in drawn or len(b64) > left[0]:
            return f"[picture {digest(b64)}: shown above, or too large]"
        drawn.add(m.group(1))
        left[0] -= len(b64)
        return f"![picture](data:{mime};base64,{b64})"
    out, done, floor = [], 0, 0
    for m in _REF_TAIL.finditer(text):
        # Alt text holds no ']': its '[' lies after the previous reference's end (``floor``), so
        # each character is looked at a bounded number of times.
        start = text.rfind("[", floor, m.start())
        floor = m.end()
        if start < 0 or text.find("]", start, m.start()) >= 0:
            continue                          # no alt text of its own: not a reference
        if start > done and text[start - 1] == "!":
            start -= 1
        out += [text[done:start], swap(m, text[start:m.end()])]
        done = m.end()
    return "".join(out) + text[done:]


def capped(text: str) -> str:
    """The answer with at most MAX_ANSWER_IMAGES pictures and MAX_ANSWER_BYTES of them, the rest
    named: an answer read from several cells (the cells added below its own) had each cell's
    budget (a twenty-seventh review: 671 pictures, 43 MB, in one answer)."""
    if "data:image/" not in text:
        return text
    left, count = [MAX_ANSWER_BYTES], [0]

    def keep(m: re.Match) -> str:
        count[0] += 1
        if count[0] > MAX_ANSWER_IMAGES or len(m.group(3)) > left[0]:
            return f"[picture {digest(m.group(3))}: more pictures than one answer shows]"
        left[0] -= len(m.group(3))
        return m.group(0)
    return IMAGE.sub(keep, text)


def digest(b64: str) -> str:
    return hashlib.sha256(b64.encode("ascii")).hexdigest()[:12]


_TYPED = re.compile(r"\[(\s*)(image|picture)\b", re.I)


def typed_markers(source: str) -> str:
    """A student's own "[image 67b9cc9eb62e]" or "[picture not shown (...)]" made visibly theirs
    ("[typed image ...]"), before the grader names the pictures it read: typed, it had read as a
    classmate's photo in groups, reports and the similarity view, or as a photo the grader dropped
    (a seventy-eighth review)."""
    return _TYPED.sub(lambda m: f"[typed {m.group(2)}", source) if "[" in source else source


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
