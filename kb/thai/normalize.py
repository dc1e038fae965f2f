"""Thai normalization: the folds index and queries agree on, with source offsets.

``normalize`` folds what readers and typists vary on: Unicode compatibility
forms, zero-width characters, Thai digits (๓ → 3), Latin case, abbreviation
periods (สมช. ≡ สมช), split sara am, doubled or misordered vowel and tone marks.
``normalize_with_offsets`` replays exactly the same steps while mapping every
output character back to the source text, so highlights cover exactly the
matched characters of the original.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from kb.thai.digits import fold_digits_and_invisible, invisible_to_spaces, thai_digits_to_arabic
from kb.thai.script import CONSONANTS, MARKS_CLASS, NIKHAHIT, SARA_AE, SARA_AM, SARA_E, TONE_MARKS, VOWEL_SIGNS


@dataclass(frozen=True)
class Rule:
    """One regex substitution of normalization (a replacement, a template or a function)."""

    pattern: re.Pattern[str]
    repl: str | Callable[[re.Match[str]], str]


# The order of combining marks that Unicode rendering and the index expect:
# vowels above/below first, then tone marks, then thanthakhat and the rest.
_MARK_ORDER = {**{c: 0 for c in VOWEL_SIGNS + "\u0e47"}, **{c: 1 for c in TONE_MARKS}}
_CANONICAL_RUNS: dict[str, str] = {}  # a few dozen distinct runs occur in practice


def _canonical_marks(m: re.Match[str]) -> str:
    """A run of combining marks without repeats, in canonical order."""
    run = m.group()
    canonical = _CANONICAL_RUNS.get(run)
    if canonical is None:
        canonical = "".join(sorted(dict.fromkeys(run), key=lambda c: _MARK_ORDER.get(c, 2)))
        if len(_CANONICAL_RUNS) < 4096:
            _CANONICAL_RUNS[run] = canonical
    return canonical


# Each rule is one regex substitution, so the offset-tracking variant can
# replay exactly the same steps.  Order matters.
RULES: tuple[Rule, ...] = (
    # abbreviation periods: สมช. ≡ สมช, กอ.รมน. ≡ กอรมน, จ.ตาก ≡ จตาก
    Rule(re.compile(f"(?<=[{CONSONANTS}{MARKS_CLASS}])\\.+"), ""),
    # a space or line break that a PDF or a typist put before a combining mark
    Rule(re.compile(f"(?<=[{CONSONANTS}{MARKS_CLASS}])[ \\t]+(?=[{MARKS_CLASS}])"), ""),
    # marks typed twice or in the wrong order (tone before vowel): one canonical run
    Rule(re.compile(f"[{MARKS_CLASS}]{{2,}}"), _canonical_marks),
    # NFKC splits sara am into nikhahit + sara aa; PDFs often do too (a tone mark may sit between)
    Rule(re.compile(f"{NIKHAHIT}([{TONE_MARKS}]?)\\s*\u0e32"), f"\\1{SARA_AM}"),
    # two sara e typed for sara ae
    Rule(re.compile(SARA_E + SARA_E), SARA_AE),
)


# The compatibility characters of nearly every Thai text (sara am, no-break space,
# the ellipsis: 96 % of ThaiGov releases hold one) decompose into characters that
# never combine with a neighbour, so replacing them is exactly what NFKC does to
# them.  When nothing else needs NFKC (checked), this replaces the full NFKC pass,
# which was nearly half of ``normalize``'s time.
_CONTEXT_FREE = tuple((c, unicodedata.normalize("NFKC", c)) for c in "\u0e33\u00a0\u2026")


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, by ``str.replace`` where that is the same."""
    folded = text
    for char, form in _CONTEXT_FREE:
        folded = folded.replace(char, form)  # str.translate with multi-character forms is as slow as NFKC
    return folded if unicodedata.is_normalized("NFKC", folded) else unicodedata.normalize("NFKC", text)


# Letters typists put for another that looks alike, as (correct, typed): sara ae as two
# sara e (กำเเพงเพชร), tho than as to patak (สุราษฏร์ธานี).  ``normalize`` folds the first.
TYPED_FOR = ((SARA_AE, SARA_E + SARA_E), ("\u0e0e", "\u0e0f"))


def typed_variants(word: str) -> set[str]:
    """Misspellings of ``word`` that typists produce by ``TYPED_FOR`` (every occurrence of
    one letter replaced at a time), for matching a name as it is found in running text."""
    return {word.replace(correct, typed) for correct, typed in TYPED_FOR if correct in word}


def normalize(text: str) -> str:
    """Fold a text into the form both the index and queries are built from."""
    if not unicodedata.is_normalized("NFKC", text):
        text = _nfkc(text)
    text = fold_digits_and_invisible(text).lower()
    for rule in RULES:
        text = rule.pattern.sub(rule.repl, text)
    return text


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize`` plus, for each output character, its index in ``text``.

    Slower than ``normalize`` (used for highlighting a few documents per
    query, never for indexing) and guaranteed to produce the same string.
    """
    offsets = list(range(len(text)))
    if not unicodedata.is_normalized("NFKC", text):
        text, offsets = _fold_chars(text, offsets, lambda c: unicodedata.normalize("NFKC", c))
    text, offsets = _fold_chars(text, offsets, lambda c: fold_digits_and_invisible(c).lower())
    for rule in RULES:
        text, offsets = _sub_with_offsets(rule, text, offsets)
    return text, offsets


def quick_fold(text: str) -> str:
    """Thai digits → Arabic, zero-width characters → spaces, lower case: the
    length-preserving part of ``normalize`` (for locating matches cheaply)."""
    return invisible_to_spaces(thai_digits_to_arabic(text)).lower()


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


def _sub_with_offsets(rule: Rule, text: str, offsets: list[int]) -> tuple[str, list[int]]:
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
