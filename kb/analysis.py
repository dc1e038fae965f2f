"""Thai text analysis: the one function that turns text into index terms.

The same code runs when a document is indexed and when a query is parsed; a
difference between the two sides would silently lose documents, so there is
exactly one pipeline, read top to bottom like the sentence that describes it:

    normalize  →  split into script runs  →  Thai words (nlpo3 + domain dictionary)
    normalize  →  collapse spaces  →  one byte per Thai character (the scan form)

Each step is a part of ``kb.thai`` (the one place that knows Thai script);
this module composes them, Whoosh-analysis style, and keeps the names the rest
of ``kb`` imports.

* ``normalize`` folds what readers and typists vary on (``kb.thai.normalize``).
* ``words`` gives the word tokens used for ranking (BM25) and phrase queries.
* ``scan_form`` gives the form in which any substring of a document can be
  found exactly (``kb.textscan``), even where the segmenter cut the document's
  words differently from the query's (การค้า|มนุษย์ still contains ค้ามนุษย์).
* ``units`` gives character clusters (a base character with its combining
  marks), the smallest pieces a match may start or end at.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from kb.thai import segmenter
from kb.thai.digits import thai_digits_to_arabic
from kb.thai.normalize import normalize, normalize_with_offsets, quick_fold
from kb.thai.script import MARKS_CLASS, RUN_PATTERN, SCAN_CODEC, is_combining_mark
from kb.thai.segmenter import segment

__all__ = [
    "Analysis",
    "Run",
    "analyze",
    "dictionary",
    "is_unit_boundary",
    "normalize",
    "normalize_with_offsets",
    "quick_fold",
    "runs",
    "scan_form",
    "segment",
    "signature",
    "stopwords",
    "thai_to_arabic_digits",
    "units",
    "words",
]

# Kept for callers of the old name; it folds digits only (zero-width
# characters are ``normalize``'s business).
thai_to_arabic_digits = thai_digits_to_arabic

# --- tokens -------------------------------------------------------------------

# A character cluster: one character and the combining marks that sit on it.
_UNIT = re.compile(f".[{MARKS_CLASS}]*", re.S)


@dataclass(frozen=True)
class Run:
    text: str
    start: int  # offset in the normalized text
    thai: bool


def runs(normalized: str) -> list[Run]:
    """Split normalized text into Thai and Latin/digit runs (punctuation and spaces drop out)."""
    return [Run(m.group(), m.start(), m.lastgroup == "thai") for m in RUN_PATTERN.finditer(normalized)]


def units(thai_run: str) -> list[str]:
    """Character clusters of a Thai run: the sub-word alphabet of the index."""
    return _UNIT.findall(thai_run)


def is_unit_boundary(normalized: str, offset: int) -> bool:
    """True where a cluster may start or end (no combining mark at ``offset``)."""
    return offset >= len(normalized) or not is_combining_mark(normalized[offset])


@dataclass
class Analysis:
    """The word terms of one text, in order (their index is their position)."""

    words: list[str]


def analyze(text: str, *, is_normalized: bool = False) -> Analysis:
    """Text → word terms.  Used for documents and for every query chunk."""
    norm = text if is_normalized else normalize(text)
    word_list: list[str] = []
    extend, append, segment_run = word_list.extend, word_list.append, segmenter.segment_run
    # ``runs()`` without its Run values: this loop runs once per run of every document indexed
    for m in RUN_PATTERN.finditer(norm):
        if m.lastgroup == "thai":
            extend(segment_run(m.group()))  # a Thai run holds no spaces
        else:
            append(m.group())
    return Analysis(word_list)


def words(text: str) -> list[str]:
    """The word tokens of a text (normalized first)."""
    return analyze(text).words


# --- the sub-word form: exact substring search over all documents -------------


def scan_form(text: str, *, is_normalized: bool = False) -> bytes:
    """The form in which any Thai substring of a document can be found exactly.

    Normalized text with whitespace collapsed, in TIS-620/cp874: one byte per
    Thai character, so ``bytes.find`` over every document of an index is a
    fast C loop.  Characters TIS-620 lacks become ``\x1a``, which no query
    can match by accident (a query holding one falls back to words).
    """
    norm = text if is_normalized else normalize(text)
    # str.split's whitespace is re's \s: the same as re.sub(r"\s+", " ", norm).strip(), 3× faster
    return " ".join(norm.split()).encode(SCAN_CODEC, errors="kb-unscannable")


codecs.register_error("kb-unscannable", lambda err: ("\x1a" * (err.end - err.start), err.end))


# --- the dictionary and the analysis' identity --------------------------------


def dictionary() -> tuple[str, str]:
    """Load the segmenter's dictionary once; (nlpo3 dictionary name, signature)."""
    loaded = segmenter.dictionary()
    return loaded.name, loaded.signature


@cache
def stopwords() -> frozenset[str]:
    """Thai function words (PyThaiNLP's list plus kb/taxonomy/question_words.txt), normalized;
    they do not count as a query's content words."""
    extra = files("kb.taxonomy").joinpath("question_words.txt").read_text(encoding="utf-8").splitlines()
    words = list(segmenter.pythainlp_stopwords()) + [w.strip() for w in extra if w.strip() and not w.startswith("#")]
    return frozenset(normalize(w) for w in words)


def signature() -> str:
    """Identifies the analysis (rules + dictionary) an index was built with."""
    return f"a3-{segmenter.dictionary().signature}"
