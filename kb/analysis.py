"""Thai text analysis: the one function that turns text into index terms.

The same code runs when a document is indexed and when a query is parsed; a
difference between the two sides would silently lose documents, so there is
exactly one pipeline, read top to bottom like the sentence that describes it:

    normalize  →  split into script runs  →  Thai words (nlpo3 + domain dictionary)
    normalize  →  collapse spaces  →  one byte per Thai character (the scan form)

* ``normalize`` folds what readers and typists vary on: Unicode compatibility
  forms, zero-width characters, Thai digits (๓ → 3), Latin case, abbreviation
  periods (สมช. ≡ สมช), split sara am, doubled or misordered vowel and tone marks.
* ``words`` gives the word tokens used for ranking (BM25) and phrase queries.
* ``scan_form`` gives the form in which any substring of a document can be
  found exactly (``kb.textscan``), even where the segmenter cut the document's
  words differently from the query's (การค้า|มนุษย์ still contains ค้ามนุษย์).
* ``units`` gives character clusters (a base character with its combining
  marks), the smallest pieces a match may start or end at.

``normalize_with_offsets`` maps every normalized character back to the source
text, so highlights cover exactly the matched characters of the original.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Callable

from nlpo3 import segment as _nlpo3_segment

# --- normalization -----------------------------------------------------------

_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_DIGIT_AND_ZW_TABLE = str.maketrans(
    {**{d: str(i) for i, d in enumerate(_THAI_DIGITS)}, **{c: None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"}}
)
# Thai combining marks: mai han-akat, upper/lower vowels, phinthu, maitaikhu,
# tone marks, thanthakhat, nikhahit, yamakkan.
_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_THAI_LETTER = "\u0e01-\u0e2e"


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    repl: str | Callable[[re.Match[str]], str]  # a replacement, a template or a function


# The order of combining marks that Unicode rendering and the index expect:
# vowels above/below first, then tone marks, then thanthakhat and the rest.
_MARK_ORDER = {**{c: 0 for c in "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47"},
               **{c: 1 for c in "\u0e48\u0e49\u0e4a\u0e4b"}}


def _canonical_marks(m: re.Match[str]) -> str:
    """A run of combining marks without repeats, in canonical order."""
    run = m.group()
    canonical = _CANONICAL_RUNS.get(run)
    if canonical is None:
        canonical = "".join(sorted(dict.fromkeys(run), key=lambda c: _MARK_ORDER.get(c, 2)))
        if len(_CANONICAL_RUNS) < 4096:
            _CANONICAL_RUNS[run] = canonical
    return canonical


_CANONICAL_RUNS: dict[str, str] = {}  # a few dozen distinct runs occur in practice


# Each rule is one regex substitution, so the offset-tracking variant below can
# replay exactly the same steps.  Order matters.
_RULES: tuple[_Rule, ...] = (
    # abbreviation periods: สมช. ≡ สมช, กอ.รมน. ≡ กอรมน, จ.ตาก ≡ จตาก
    _Rule(re.compile(f"(?<=[{_THAI_LETTER}{_MARKS}])\\.+"), ""),
    # a space or line break that a PDF or a typist put before a combining mark
    _Rule(re.compile(f"(?<=[{_THAI_LETTER}{_MARKS}])[ \\t]+(?=[{_MARKS}])"), ""),
    # marks typed twice or in the wrong order (tone before vowel): one canonical run
    _Rule(re.compile(f"[{_MARKS}]{{2,}}"), _canonical_marks),
    # NFKC splits sara am into nikhahit + sara aa; PDFs often do too (a tone mark may sit between)
    _Rule(re.compile("\u0e4d([\u0e48-\u0e4b]?)\\s*\u0e32"), "\\1\u0e33"),
    # two sara e typed for sara ae
    _Rule(re.compile("\u0e40\u0e40"), "\u0e41"),
)


def normalize(text: str) -> str:
    """Fold a text into the form both the index and queries are built from."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _fold_digits_and_zero_width(text).lower()
    for rule in _RULES:
        text = rule.pattern.sub(rule.repl, text)
    return text


# (character, replacement) pairs of _DIGIT_AND_ZW_TABLE: str.replace per
# character present is ~20× faster than str.translate on Thai text (measured).
_DIGIT_AND_ZW_PAIRS = tuple((chr(c), r or "") for c, r in _DIGIT_AND_ZW_TABLE.items())


def _fold_digits_and_zero_width(text: str) -> str:
    for char, replacement in _DIGIT_AND_ZW_PAIRS:
        if char in text:
            text = text.replace(char, replacement)
    return text


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize`` plus, for each output character, its index in ``text``.

    Slower than ``normalize`` (used for highlighting a few documents per
    query, never for indexing) and guaranteed to produce the same string.
    """
    offsets = list(range(len(text)))
    if not unicodedata.is_normalized("NFKC", text):
        text, offsets = _fold_chars(text, offsets, lambda c: unicodedata.normalize("NFKC", c))
    text, offsets = _fold_chars(text, offsets, lambda c: c.translate(_DIGIT_AND_ZW_TABLE).lower())
    for rule in _RULES:
        text, offsets = _sub_with_offsets(rule, text, offsets)
    return text, offsets


def _fold_chars(text: str, offsets: list[int], fold: Callable[[str], str]) -> tuple[str, list[int]]:
    """Apply a per-character fold, keeping offsets.  Only the distinct
    characters the fold changes are visited one by one (sara am under NFKC,
    Thai digits, capitals); everything else is copied at C speed."""
    changed = {c: f for c in set(text) if (f := fold(c)) != c}
    if not changed:
        return text, offsets
    if all(len(f) == 1 for f in changed.values()):
        return text.translate(str.maketrans(changed)), offsets
    out: list[str] = []
    out_offsets: list[int] = []
    last = 0
    for m in re.finditer("[" + "".join(re.escape(c) for c in changed) + "]", text):
        i = m.start()
        out.append(text[last:i])
        out_offsets.extend(offsets[last:i])
        f = changed[text[i]]
        out.append(f)
        out_offsets.extend([offsets[i]] * len(f))
        last = i + 1
    out.append(text[last:])
    out_offsets.extend(offsets[last:])
    return "".join(out), out_offsets


def _sub_with_offsets(rule: _Rule, text: str, offsets: list[int]) -> tuple[str, list[int]]:
    out: list[str] = []
    out_offsets: list[int] = []
    last = 0
    for m in rule.pattern.finditer(text):
        out.append(text[last : m.start()])
        out_offsets.extend(offsets[last : m.start()])
        replacement = rule.repl(m) if callable(rule.repl) else m.expand(rule.repl)
        out.append(replacement)
        # each output character keeps the source of the matched character it
        # came from (reorderings, de-duplication); new characters take the
        # source of the match's start
        source = {}
        for i in range(m.end() - 1, m.start() - 1, -1):
            source[text[i]] = offsets[i]
        out_offsets.extend(source.get(ch, offsets[m.start()]) for ch in replacement)
        last = m.end()
    out.append(text[last:])
    out_offsets.extend(offsets[last:])
    return "".join(out), out_offsets


def quick_fold(text: str) -> str:
    """Thai digits → Arabic, zero-width characters → spaces, lower case: the
    length-preserving part of ``normalize`` (for locating matches cheaply)."""
    for char, replacement in _QUICK_PAIRS:
        if char in text:
            text = text.replace(char, replacement)
    return text.lower()


_QUICK_TABLE = str.maketrans(
    {**{d: str(i) for i, d in enumerate(_THAI_DIGITS)}, **{c: " " for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"}}
)
_QUICK_PAIRS = tuple((chr(c), r) for c, r in _QUICK_TABLE.items())


def thai_to_arabic_digits(text: str) -> str:
    return _fold_digits_and_zero_width(text)


# --- tokens -------------------------------------------------------------------

# A run of Thai letters/marks, or a run of Latin letters and digits.
_RUNS = re.compile(f"(?P<thai>[\u0e01-\u0e3a\u0e40-\u0e4e]+)|(?P<latin>[0-9a-z\u00c0-\u024f]+)")
# A character cluster: one character and the combining marks that sit on it.
_UNIT = re.compile(f".[{_MARKS}]*", re.S)


@dataclass(frozen=True)
class Run:
    text: str
    start: int  # offset in the normalized text
    thai: bool


def runs(normalized: str) -> list[Run]:
    """Split normalized text into Thai and Latin/digit runs (punctuation and spaces drop out)."""
    return [Run(m.group(), m.start(), m.lastgroup == "thai") for m in _RUNS.finditer(normalized)]


def units(thai_run: str) -> list[str]:
    """Character clusters of a Thai run: the sub-word alphabet of the index."""
    return _UNIT.findall(thai_run)


def is_unit_boundary(normalized: str, offset: int) -> bool:
    """True where a cluster may start or end (no combining mark at ``offset``)."""
    return offset >= len(normalized) or not ("\u0e31" == normalized[offset] or "\u0e34" <= normalized[offset] <= "\u0e3a" or "\u0e47" <= normalized[offset] <= "\u0e4e")


@dataclass
class Analysis:
    """The word terms of one text, in order (their index is their position)."""

    words: list[str]


def analyze(text: str, *, is_normalized: bool = False) -> Analysis:
    """Text → word terms.  Used for documents and for every query chunk."""
    norm = text if is_normalized else normalize(text)
    word_list: list[str] = []
    for run in runs(norm):
        if run.thai:
            word_list.extend(segment(run.text))  # a Thai run holds no spaces
        else:
            word_list.append(run.text)
    return Analysis(word_list)


def words(text: str) -> list[str]:
    """The word tokens of a text (normalized first)."""
    return analyze(text).words


# --- the sub-word form: exact substring search over all documents -------------

_SPACES = re.compile(r"\s+")


def scan_form(text: str, *, is_normalized: bool = False) -> bytes:
    """The form in which any Thai substring of a document can be found exactly.

    Normalized text with whitespace collapsed, in TIS-620/cp874: one byte per
    Thai character, so ``bytes.find`` over every document of an index is a
    fast C loop.  Characters TIS-620 lacks become ``\x1a``, which no query
    can match by accident (a query holding one falls back to words).
    """
    norm = text if is_normalized else normalize(text)
    return _SPACES.sub(" ", norm).strip().encode("cp874", errors="kb-unscannable")


codecs.register_error("kb-unscannable", lambda err: ("\x1a" * (err.end - err.start), err.end))


# --- word segmentation: PyThaiNLP's nlpo3 (Rust newmm) with our dictionary ----

_dict_lock = threading.Lock()


def _domain_terms() -> list[str]:
    from kb import taxonomy

    return [normalize(t) for t in taxonomy.dictionary_terms() if t.strip()]


def _load_dictionary() -> tuple[str, str]:
    from pythainlp.tokenize import nlpo3

    base = files("pythainlp.corpus").joinpath("words_th.txt").read_text(encoding="utf-8")
    terms = sorted({w for w in _domain_terms() if _RUNS.fullmatch(w)})
    content = base.rstrip("\n") + "\n" + "\n".join(terms) + "\n"
    signature = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"kb-words-{signature}.txt"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    name = f"kb-{signature}"
    nlpo3.load_dict(str(path), name)
    return name, signature


_dictionary: tuple[str, str] | None = None


def dictionary() -> tuple[str, str]:
    """Load PyThaiNLP's word list plus our domain terms into nlpo3 once (thread-safe).

    Returns (nlpo3 dictionary name, signature).  The signature changes when the
    dictionary does; the index records it, so an index built with another
    dictionary is rebuilt instead of silently disagreeing with queries.
    """
    global _dictionary
    if _dictionary is None:
        with _dict_lock:
            if _dictionary is None:
                _dictionary = _load_dictionary()
    return _dictionary


def segment(thai_run: str) -> list[str]:
    """Thai words of one run, by nlpo3 (same tokens as PyThaiNLP newmm, ~10× faster).

    Called once per Thai run (a hundred times per news release), so it calls
    nlpo3 directly rather than through PyThaiNLP's wrapper, which imports on
    every call; the dictionary is the one PyThaiNLP's ``load_dict`` loaded.
    Runs are segmented one by one: nlpo3 does not treat a space as a hard
    word boundary, so a joined text can yield tokens that span two runs.
    """
    return _nlpo3_segment(thai_run, dictionary()[0], True, False)



@cache
def stopwords() -> frozenset[str]:
    """Thai function words (PyThaiNLP's list plus kb/taxonomy/question_words.txt), normalized;
    they do not count as a query's content words."""
    from pythainlp.corpus import thai_stopwords

    extra = files("kb.taxonomy").joinpath("question_words.txt").read_text(encoding="utf-8").splitlines()
    words = list(thai_stopwords()) + [w.strip() for w in extra if w.strip() and not w.startswith("#")]
    return frozenset(normalize(w) for w in words)


def signature() -> str:
    """Identifies the analysis (rules + dictionary) an index was built with."""
    return f"a3-{dictionary()[1]}"
