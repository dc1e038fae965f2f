"""Places a text is about: provinces (with aliases and trap names) and regions.

A bare province name counts only when it starts and ends on a word boundary of
the index's segmenter (so สงขลา inside สงขลานครินทร์ does not count); names that
are ordinary words too (เลย, แพร่, ตาก, น่าน, ตรัง, ร้อยเอ็ด) also need a
จังหวัด/จ. prefix, an อำเภอ suffix, or a place in a list of other provinces.
"""
from __future__ import annotations

from functools import cache
from typing import Iterable

from kb import taxonomy
from kb.extract.lexicon import Lexicon, accept_listed, is_separator_gap, is_whole_word, text_after, text_before
from kb.thai.digits import thai_digits_to_arabic

@cache
def _province_lexicon() -> Lexicon:
    entries: list[tuple[str, str | None]] = []
    for p in taxonomy.provinces():
        entries += [(p["name"], p["name"])] + [(a, p["name"]) for a in p["aliases"]]
        entries += [(x, None) for x in p["exclude"]]
    return Lexicon(entries)


@cache
def _trap_provinces() -> frozenset[str]:
    return frozenset(p["name"] for p in taxonomy.provinces() if p["trap"])


def _ends_with_any(s: str, words: Iterable[str]) -> bool:
    return any(s.endswith(w) for w in words)


def find_provinces(text: str) -> list[str]:
    """Canonical names of the provinces a text mentions, in order of first mention.

    A name counts when it is a whole word and is not right after a word that makes
    it something else (a road: ถนนพิษณุโลก; a person: นายชุมพร).  A trap name —
    one that is also an ordinary word — further needs explicit context: จังหวัด/จ.
    before it, อำเภอ/อ. after it, or a place in a list of provinces ("หนองคาย เลย
    และบึงกาฬ").
    """
    return provinces_in(thai_digits_to_arabic(text))


def provinces_in(folded: str) -> list[str]:
    """``find_provinces`` of a text whose Thai digits are already folded."""
    t = folded
    ctx = taxonomy.province_context()
    traps = _trap_provinces()
    matches = [m for m in _province_lexicon().find(t) if is_whole_word(t, m.start, m.end)]
    matches = [m for m in matches if not _ends_with_any(text_before(t, m.start), ctx["reject_before"])]
    accepted = [
        m.value not in traps
        or _ends_with_any(text_before(t, m.start), ctx["markers_before"])
        or any(text_after(t, m.end).startswith(w) for w in ctx["markers_after"])
        for m in matches
    ]
    # Lists: a trap name next to an accepted province, joined only by commas,
    # spaces, และ/หรือ, is part of the list.
    separators = ctx["list_separators"]
    accept_listed(matches, accepted, lambda left, right: is_separator_gap(t[left.end : right.start], separators))
    return list(dict.fromkeys(m.value for m, ok in zip(matches, accepted) if ok))


@cache
def _region_lexicon() -> Lexicon:
    entries: list[tuple[str, str | None]] = []
    for r in taxonomy.regions():
        entries += [(r["label"], r["key"])] + [(p, r["key"]) for p in r["phrases"]]
    entries += [(x, None) for x in taxonomy.region_exclusions()]
    return Lexicon(entries)


def find_regions(text: str, provinces: Iterable[str]) -> list[str]:
    """Region keys of the given provinces plus the regions a text names
    (ภาคเหนือ, ภาคอีสาน, จังหวัดชายแดนภาคใต้ ...), in the taxonomy's region order."""
    return regions_in(thai_digits_to_arabic(text), provinces)


def regions_in(folded: str, provinces: Iterable[str]) -> list[str]:
    """``find_regions`` of a text whose Thai digits are already folded."""
    known = {p["name"] for p in taxonomy.provinces()}
    found = {taxonomy.region_of(p) for p in provinces if p in known}
    found |= {m.value for m in _region_lexicon().find(folded)}
    return [r["key"] for r in taxonomy.regions() if r["key"] in found]
