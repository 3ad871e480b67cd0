"""A hand-in as fingerprints, per unit compared: each graded code cell, all of its code, each
written answer, all of its written answers.

Fingerprints are taken within a cell, never across two: a cell split in two loses only the few
fingerprints that spanned the cut, and two students whose cells merely end and begin alike (every
``ANN_relu`` cell starts the same way) gain nothing from it.
"""
from __future__ import annotations

import re

from dataclasses import dataclass

import numpy as np

from .cohort import Hand
from .prints import kgram_hashes, word_symbols
from .settings import Settings
from .tokens import Names, Stream, code_stream, student_names, text_tokens

CODE_UNIT = "code"          # every code cell of the hand-in
WRITTEN_UNIT = "written"    # every written answer
EMPTY = np.zeros(0, np.uint64)


@dataclass
class Prints:
    """Fingerprint hashes of one hand-in per unit (duplicates removed)."""
    units: dict[str, np.ndarray]


def names_of(hand: Hand, settings: Settings) -> Names:
    return student_names([c.source for c in hand.code()], frozenset(settings.activations),
                         frozenset(settings.assignment_names))


def code_streams(hand: Hand, settings: Settings) -> list[tuple[str, Stream]]:
    names = names_of(hand, settings)
    acts = frozenset(settings.activations)
    return [(c.id, code_stream(c.source, names, activations=acts)) for c in hand.code()]


# A picture in an answer, as the reports name it (``[image <digest>]``, or a picture not shown).
PICTURE = re.compile(r"\[(?:image|picture not shown \([^()\]]{0,120}\)) ([0-9a-f]{12})\]")


def _pictures_as_words(text: str, settings: Settings) -> str:
    """Each picture as words of its own digest, as many as a comparable answer needs: one photo of
    a page is an answer of its own, and the same photo in two answers is the same answer."""
    # Enough fingerprints that the prior's damping leaves the same photo at 90 % and more.
    n = settings.min_written_words + int(10 * settings.written_prior) + settings.written_k
    letters = str.maketrans("0123456789abcdef", "abcdefghijklmnop")      # one word each, no digits

    def words(m: re.Match) -> str:
        sha = m.group(1).translate(letters)
        return " " + " ".join(f"picture{sha}x{chr(97 + i % 26) * (1 + i // 26)}" for i in range(n)) + " "
    return PICTURE.sub(words, text)


def written_words(text: str, settings: Settings) -> list[str] | None:
    """The answer's tokens, or None when it is too short to tell anything (``0, 1, 1, 0``)."""
    words = text_tokens(_pictures_as_words(text, settings) if "[" in text else text)
    if sum(1 for w in words if w[:1].isalpha() or w[:1] == "\\") < settings.min_written_words:
        return None
    return words


def worded_kgrams(words: list[str], k: int, salt: int) -> np.ndarray:
    """Fingerprints of a written answer, leaving out runs that hold fewer than two words: rows of
    a table of results or a list of numbers are what every correct answer says (correct by
    necessity), not how this student says it."""
    h = kgram_hashes(word_symbols(words), k, salt=salt)
    if not len(h):
        return h
    alpha = np.array([1 if (w[:1].isalpha() or w[:1] == "\\") else 0 for w in words], dtype=np.int64)
    runs = np.convolve(alpha, np.ones(k, dtype=np.int64), mode="valid")
    return h[runs >= 2]


def written_salt(settings: Settings, cell_id: str) -> int:
    """Fingerprints of different tasks never match each other: each task hashes with its own salt."""
    return 1 + settings.written_cells.index(cell_id)


def fingerprint(hand: Hand, settings: Settings) -> Prints:
    units: dict[str, np.ndarray] = {}
    every: list[np.ndarray] = []
    for cid, stream in code_streams(hand, settings):
        h = np.unique(kgram_hashes(stream.symbols, settings.k))
        every.append(h)
        if cid in settings.code_cells:
            units[cid] = h
    units[CODE_UNIT] = np.unique(np.concatenate(every)) if every else EMPTY
    texts: list[np.ndarray] = []
    for cid in settings.written_cells:
        cell = hand.cell(cid)
        words = written_words(cell.source, settings) if cell else None
        if words is None:
            continue
        h = np.unique(worded_kgrams(words, settings.written_k, written_salt(settings, cid)))
        units[cid] = h
        texts.append(h)
    units[WRITTEN_UNIT] = np.unique(np.concatenate(texts)) if texts else EMPTY
    return Prints(units)


def fingerprint_all(hands: list[Hand], settings: Settings, jobs: int = 1) -> list[Prints]:
    """Fingerprints of every hand-in; with ``jobs`` > 1 in forked worker processes (the lexer is
    the slow part). Results travel back as arrays; nothing of the students' runs anywhere."""
    if jobs <= 1 or len(hands) < 200:
        return [fingerprint(h, settings) for h in hands]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    chunk = max(1, len(hands) // (jobs * 4))
    batches = [hands[i:i + chunk] for i in range(0, len(hands), chunk)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork")) as pool:
        out = pool.map(_batch, [(b, settings) for b in batches])
        return [p for batch in out for p in batch]


def _batch(args: tuple[list[Hand], Settings]) -> list[Prints]:
    hands, settings = args
    return [fingerprint(h, settings) for h in hands]


def material_prints(code: tuple[str, ...], text: tuple[str, ...], settings: Settings) -> dict[str, np.ndarray]:
    """Fingerprints of the course's own material per unit kind: ``code`` and ``written``."""
    acts, given = frozenset(settings.activations), frozenset(settings.assignment_names)
    code_h = [kgram_hashes(code_stream(src, student_names([src], acts, given), activations=acts).symbols, settings.k)
              for src in code]
    text_h = []
    for src in text:
        words = text_tokens(src)
        for cid in settings.written_cells:
            text_h.append(worded_kgrams(words, settings.written_k, written_salt(settings, cid)))
    return {CODE_UNIT: np.unique(np.concatenate(code_h)) if code_h else EMPTY,
            WRITTEN_UNIT: np.unique(np.concatenate(text_h)) if text_h else EMPTY}
