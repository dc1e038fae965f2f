"""Foreign states and international organisations named as counterparts of Thailand's dealings.

The gazetteer (kb/taxonomy/foreign_states.json) knows every foreign state and the
international organisations Thailand deals with, by their usual Thai names, short
forms and abbreviations.  A name found in a text is a *counterpart* (someone Thailand
deals with) unless its place says otherwise:

* it is inside a Thai word or name that holds it (ปราจีนบุรี, ตรุษจีน, ศาลาว่าการ):
  the gazetteer's ``not_names`` block it, and a Thai name must stand on word
  boundaries of the index's segmenter (``kb.extract.lexicon.is_whole_word``);
* it qualifies people or things as a nationality (แรงงานเมียนมา, ชาวจีน,
  นักท่องเที่ยวจีน, ภาษาอังกฤษ: ``nationality_heads`` right before it);
* it says where something happens (ทำงานในไต้หวัน, ไปญี่ปุ่น, ในประเทศญี่ปุ่น:
  ``place_links``, maybe with a ``state_titles`` word, right before it);
* it is a frame of reference (เป้าหมายการพัฒนาที่ยั่งยืน (SDGs) ของสหประชาชาติ: one of
  the ``frames`` within ``frame_reach`` characters before it, guide decision 4);
* it is the seat of a body of one country (มูลนิธิ … แห่งสหภาพยุโรป, บริษัท … ประเทศญี่ปุ่น:
  ``seat_heads``, then ``seat_links`` within ``seat_reach`` characters; guide decision 27);
* an abbreviation written in capitals in the gazetteer (WHO, UN) is one only in
  capitals ("who" is an English word).

An official of a state is found by the state's name in the title (รัฐมนตรีว่าการ
กระทรวงแรงงานของสิงคโปร์, ผบ.ทบ.สิงคโปร์, เอกอัครราชทูตญี่ปุ่นประจำประเทศไทย).

What makes a release *about* dealings is a deed (a visit, talks, an agreement, a
joint exercise ...) within reach of a counterpart in the headline or the lead: the
topic lexicon's ``pairs`` (kb.extract.topic_pairs), whose international pair takes
its settings from here (``"with_gazetteer": true``).
"""
from __future__ import annotations

import re
from functools import cache
from typing import Iterable, Iterator

from kb import taxonomy
from kb.extract.lexicon import Lexicon, Match, is_whole_word, key
from kb.thai.script import THAI_BLOCK

_THAI = re.compile(f"[{THAI_BLOCK}]")


def _alternation(words: Iterable[str]) -> str:
    return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))


def gazetteer_names() -> list[str]:
    """Every name of the gazetteer: states' and organisations' Thai names, organisations' abbreviations."""
    data = taxonomy.foreign_states()
    names = [n for s in data["states"] for n in s["th"]]
    for org in data["organisations"]:
        names += [*org["th"], *org["abbr"]]
    return names


class Counterparts:
    """Finds the gazetteer's names (and ``extra`` surfaces) that stand as counterparts in a text;
    ``find`` has a ``Lexicon``'s interface, so a topic pair may take it for its settings."""

    def __init__(self, extra: Iterable[str] = (), abroad: Iterable[str] = ()):
        data = taxonomy.foreign_states()
        self._abroad = tuple(abroad)
        self._lexicon = _names_lexicon(tuple(extra))
        self._capitals = frozenset(key(a) for o in data["organisations"] for a in o["abbr"] if a.isupper())
        self._heads = re.compile(f"(?:{_alternation(data['nationality_heads'])})\\s?$")
        links, titles = _alternation(data["place_links"]), _alternation(data["state_titles"])
        bilateral = _alternation(data["bilateral_prefixes"])
        # "ชายแดนไทย-กัมพูชา", "ในประเทศญี่ปุ่น": a link, maybe Thailand's half of a pair, maybe a title
        self._place = re.compile(f"(?:{links})\\s?(?:{bilateral})?(?:(?:{titles})\\s?)?$")
        self._frame = re.compile(f"(?:{_alternation(data['frames'])})[^\\n]{{0,{int(data['frame_reach'])}}}$")
        # "มูลนิธิ X แห่งสหภาพยุโรป": the seat of a body of one country (decision 27)
        seat = f"(?:{_alternation(data['seat_heads'])})[^\\n]{{0,{int(data['seat_reach'])}}}(?:{_alternation(data['seat_links'])})\\s?$"
        self._seat = re.compile(seat)
        self._titles = tuple(data["state_titles"])

    def find(self, whole: str) -> Iterator[Match]:
        """Counterparts in ``whole`` (its first line the headline), in text order.  When the
        headline is about Thai workers abroad (an ``abroad`` marker: แรงงานไทย ...), the host
        state is where they work, and only the headline's own dealings count (guide decision 2):
        no counterpart after the headline."""
        headline_end = whole.find("\n")
        until = headline_end if headline_end >= 0 and any(m in whole[:headline_end] for m in self._abroad) else len(whole)
        for m in self._lexicon.find(whole):
            if m.start >= until:
                return
            if self.stands_as_counterpart(whole, m.start, m.end):
                yield m

    def stands_as_counterpart(self, whole: str, start: int, end: int) -> bool:
        surface = whole[start:end]
        if not _THAI.search(surface):
            if key(surface) in self._capitals and not surface.isupper():
                return False
        elif not is_whole_word(whole, start, end):
            return False
        offset = max(0, start - 48)
        before = whole[offset:start]
        title = next((t for t in self._titles if surface.startswith(t)), "")  # ประเทศญี่ปุ่น is a name
        if self._heads.search(before) or self._frame.search(before) or self._seat.search(before + title):
            return False
        return self._place.search(before) is None


@cache
def _names_lexicon(extra: tuple[str, ...]) -> Lexicon:
    """The gazetteer's names and ``extra`` surfaces, less its ``not_names``: one lexicon for
    every finder over the same names (a pair with and one without the decision-2 cut)."""
    names = [*gazetteer_names(), *extra]
    return Lexicon([*((n, "counterpart") for n in names), *((b, None) for b in taxonomy.foreign_states()["not_names"])])


@cache
def counterparts(extra: tuple[str, ...] = (), abroad: tuple[str, ...] = ()) -> Counterparts:
    """The counterpart finder over the gazetteer and ``extra`` surfaces, with the headline
    markers of Thai workers abroad (``abroad``), built once per pair."""
    return Counterparts(extra, abroad)
