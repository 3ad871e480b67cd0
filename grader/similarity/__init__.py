"""Similar hand-ins, found offline and shown side by side, for a TA to review.

A small assignment makes honest solutions look alike, so the view knows the assignment: what the
template and the reference solution contain never counts, nor what many students write, and
what a pair shares alone counts most. It is a flag, never a deduction.

    cohort.load_current / load_past   whose work is compared (the one place that reads results)
    tokens, prints, documents         code and answers as normalised tokens and fingerprints
    index                             who shares which fingerprints (an inverted index)
    analysis                          scores per pair and unit, the flag, clusters
    regions, pages, output            matched blocks, HTML pages, pairs.csv and similarity.json
    flags                             the "similar" flag in the students' reports (the one writer)

Nothing here runs student code: cells are tokenised and parsed, never executed.
"""
from .analysis import Analysis, Pair, Share, analyse
from .cohort import Hand, load_current, load_past
from .settings import Settings

__all__ = ["Analysis", "Hand", "Pair", "Settings", "Share", "analyse", "load_current", "load_past"]
