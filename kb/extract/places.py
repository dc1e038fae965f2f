"""Places a text is about: provinces (with aliases and trap names) and regions.

A bare province name counts only when it starts and ends on a word boundary of
the index's segmenter (so สงขลา inside สงขลานครินทร์ does not count); names that
are ordinary words too (เลย, แพร่, ตาก, น่าน, ตรัง, ร้อยเอ็ด) also need a
จังหวัด/จ. prefix, an อำเภอ suffix, or a place in a list of other provinces.

A name is no place where the words around it make it part of another name
(kb/taxonomy/provinces.json "context"): a road or a route (ถนนพิษณุโลก, ถนนบางนา –
ตราด), a camp, an art style or a period (ศิลปะลำพูน, สมัยอยุธยา), a person's given
name or surname (นายชุมพร, นายสุพจน์ รอดเรือง ณ หนองคาย, นางอัญชลี กัลมาพิจิตร, คุณสมหญิง
ลำปาง), a prince's royal title (กรมหลวงชุมพรเขตอุดมศักดิ์), a subdistrict's own name glued to
ตำบล/ต. (ตำบลอ่างทอง in Samui), or a company or kingdom listed among the province's exclude
phrases (ธนาคารกรุงเทพ, กรุงศรีอยุธยา).  A name that ends one dictionary word after an
institution's head (มหาวิทยาลัยเชียงใหม่) is an office named for the province: it counts.  The links to other releases a page ends with ("ข่าวที่เกี่ยวข้อง")
are not the release's text.  A region phrase followed by a foreign state's name
(ภาคเหนือของเมียนมา) is that state's region.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Iterable

from kb import taxonomy
from kb.extract.lexicon import THAI_CHAR, Lexicon, Match, accept_listed, is_separator_gap, is_whole_word, key, text_after, text_before
from kb.thai.digits import thai_digits_to_arabic
from kb.thai.normalize import typed_variants

# A count that follows a name in a list ("ร้อยเอ็ด 425 ผืน ขอนแก่น 421 ผืน"): a number and
# at most one unit word, which may stand between two listed names.
_COUNT = re.compile(r"\s*\d[\d,.]*\s*[^\s\d]{0,12}")
_DASH = re.compile(r"\s*[-–—]\s*$")
_LOOK_BACK = 120  # characters of a line read for a person's name before a match
_SURNAME_HEAD = 8  # at most this many letters of a surname before a province's name in it (กัลมาพิจิตร)


def _spellings(surface: str) -> list[str]:
    return [surface, *typed_variants(surface)]


def _abbreviations(abbr: str) -> set[str]:
    """A province's abbreviation as written after a marker: น.น., นน. (abbr_th นน)."""
    return {"".join(c + "." for c in abbr), abbr + "."}


@cache
def _province_lexicon() -> Lexicon:
    entries: list[tuple[str, str | None]] = []
    markers = taxonomy.province_context()["abbreviation_markers"]
    for p in taxonomy.provinces():
        # an alias that is an exclude phrase too is a word of the segmenter only (กรุงศรีอยุธยา)
        for surface in [p["name"], *p["aliases"], *p.get("misspellings", [])]:
            if surface not in p["exclude"]:
                entries += [(s, p["name"]) for s in _spellings(surface)]
        entries += [(f"{m} {a}", p["name"]) for m in markers for a in _abbreviations(p["abbr_th"])]
        entries += [(s, None) for x in p["exclude"] for s in _spellings(x)]
    return Lexicon(entries)


@cache
def _trap_surfaces() -> frozenset[str]:
    """Keys of the surfaces that are ordinary words too: a trap province's names and aliases."""
    traps = [p for p in taxonomy.provinces() if p["trap"]]
    return frozenset(key(s) for p in traps for n in [p["name"], *p["aliases"], *p.get("misspellings", [])] for s in _spellings(n))


@cache
def _context() -> dict[str, tuple[str, ...]]:
    """provinces.json's context, each list a tuple (``str.endswith`` takes one, in C)."""
    return {k: tuple(v) for k, v in taxonomy.province_context().items()}


@cache
def _title_inside() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, _context()["person_titles"])))


def _own_text(folded: str) -> str:
    """The release's own text: up to a line that only heads links to other releases."""
    for end in _context()["section_ends"]:
        at = folded.find(f"\n{end}\n")
        if at >= 0:
            folded = folded[:at]
    return folded


def find_provinces(text: str) -> list[str]:
    """Canonical names of the provinces a text mentions, in order of first mention.

    A name counts when it is a whole word and is not part of another name (a road,
    a person, an art style ...: the module's doc).  A trap name — one that is also
    an ordinary word — further needs explicit context: จังหวัด/จ. before it, อำเภอ/อ.
    after it, or a place in a list of provinces ("หนองคาย เลย และบึงกาฬ").
    """
    return provinces_in(thai_digits_to_arabic(text))


def provinces_in(folded: str) -> list[str]:
    """``find_provinces`` of a text whose Thai digits are already folded."""
    t = _own_text(folded)
    ctx = _context()
    traps = _trap_surfaces()
    matches = [m for m in _province_lexicon().find(t) if is_whole_word(t, m.start, m.end) or _ends_institution(t, m, ctx)]
    matches = [m for m in matches if not _inside_other_name(t, m, ctx)]
    accepted = [
        key(t[m.start : m.end]) not in traps
        or text_before(t, m.start).endswith(ctx["markers_before"])
        or text_after(t, m.end).startswith(ctx["markers_after"])
        for m in matches
    ]
    # Lists: a trap name next to an accepted province, joined only by commas,
    # spaces, และ/หรือ (and maybe a count after the left name), is part of the list.
    separators = list(ctx["list_separators"])
    accept_listed(matches, accepted, lambda left, right: _list_gap(t[left.end : right.start], separators))
    return list(dict.fromkeys(m.value for m, ok in zip(matches, accepted) if ok))


def _list_gap(gap: str, separators: list[str]) -> bool:
    counted = _COUNT.match(gap)
    return is_separator_gap(gap[counted.end() :] if counted else gap, separators)


def _ends_institution(t: str, m: Match, ctx: dict[str, tuple[str, ...]]) -> bool:
    """True if the name at ``m`` ends a word of the segmenter that an institution's head opens
    (มหาวิทยาลัยเชียงใหม่, ศาลาว่าการกรุงเทพมหานคร: one dictionary word each), an office named for it."""
    if not t.endswith(ctx["institution_heads"], 0, m.start):
        return False
    return any(t.endswith(h, 0, m.start) and is_whole_word(t, m.start - len(h), m.end) for h in ctx["institution_heads"])


def _inside_other_name(t: str, m: Match, ctx: dict[str, tuple[str, ...]]) -> bool:
    """True if the name at ``m`` is part of a road's, an art style's, a subdistrict's or a person's name."""
    if _glued_to(t, m.start, ctx["reject_glued"]):
        return True  # a subdistrict's own name: ตำบลอ่างทอง, ต.ชัยภูมิ (not สกต.บุรีรัมย์, another abbreviation)
    before = text_before(t, m.start)
    if before.endswith(ctx["reject_before"]) and not before.endswith(ctx["keep_before"]):
        return True
    if _after_title(before, ctx["person_titles"]):
        return True  # a given name: นายชุมพร, ศ.ดร. สุรินทร์
    head = t[max(0, m.start - 40) : m.start]
    route = _route_dash(head)
    if route is not None and _names_a_road(head[:route].split()[-1:], ctx["routes"], ctx["not_roads_after"]):
        return True  # the far end of a road named for two places: ถนนบางนา – ตราด
    return _in_surname(t, m.start, ctx)


def _route_dash(head: str) -> int | None:
    """Where ``_DASH`` matches in ``head`` (a dash ending it but for spaces, with the spaces before
    the dash), or None: read from the end (the pattern opens with ``\\s*``, so re tried it at
    every offset of the head, for every name found: issue 12)."""
    body = head.rstrip()
    if not body or body[-1] not in "-–—":
        return None
    return len(body[:-1].rstrip())


def _glued_to(t: str, start: int, words: tuple[str, ...]) -> bool:
    """True if one of ``words`` ends right at ``start``; one written with a period must not end a
    longer abbreviation (สกต. is not ต.)."""
    if not t.endswith(words, 0, start):
        return False
    for word in words:
        at = start - len(word)
        if t.endswith(word, 0, start) and (not word.endswith(".") or at == 0 or not t[at - 1].isalpha()):
            return True
    return False


def _after_title(before: str, titles: tuple[str, ...]) -> bool:
    """True if ``before`` ends with a person's title; one written with a period must not end a
    longer abbreviation (สนพ. is an office, not นพ.), one glued to Thai letters before it must start
    a word of the segmenter (ขอบคุณ and นพคุณ hold no title คุณ)."""
    if not before.endswith(titles):
        return False
    for title in titles:
        if not before.endswith(title):
            continue
        at = len(before) - len(title)
        if at == 0:
            return True
        if title.endswith("."):
            if not before[at - 1].isalpha():
                return True
        elif not THAI_CHAR.match(before[at - 1]) or is_whole_word(before, at, len(before)):
            return True
    return False


def _names_a_road(words: list[str], roads: tuple[str, ...], not_after: tuple[str, ...]) -> bool:
    """True if the (last) word before a route's dash is a road's name: a road word starts it or
    starts a word of the segmenter in it (โรงงานตั้งอยู่ถนนบางนา), not right after a word that makes
    the whole a place named for a road (ชุมทางถนนจิระ, a railway junction)."""
    word = words[0] if words else ""
    for road in roads:
        at = word.rfind(road)
        if at == 0 or (at > 0 and is_whole_word(word, at, at + len(road)) and not word[:at].endswith(not_after)):
            return True
    return False


def _in_surname(t: str, start: int, ctx: dict[str, tuple[str, ...]]) -> bool:
    """True if the name starting at ``start`` is (in) a surname: the word after a
    person's title and given name ("นางอัญชลี กัลมาพิจิตร"), or after ณ that follows
    one ("นายสุพจน์ รอดเรือง ณ หนองคาย", "พลโท ธีรพงศ์ ปัทมสิงห์ ณ อยุธยา")."""
    lo = max(0, start - _LOOK_BACK)
    line = t[t.rfind("\n", lo, start) + 1 or lo : start]
    words = line.split()
    own = words.pop() if words and not line[-1].isspace() else ""  # the name's own word, up to it
    if own == "ณ" or (not own and words and words[-1] == "ณ"):
        if own != "ณ":
            words.pop()
        # ณ is a surname's mark: the title may even be glued to the words before it (พร้อมด้วยนางมุกดา)
        person, titles = lambda w: _is_person(w, ctx, inside=True), ctx["person_titles"]
        return any(person(w) for w in words[-2:]) or any(w in titles for w in words[-3:-1])
    if len(own) > _SURNAME_HEAD or own.endswith(ctx["markers_before"]):
        return False
    return bool(words) and _is_person(words[-1], ctx)


def _is_person(word: str, ctx: dict[str, tuple[str, ...]], inside: bool = False) -> bool:
    """True if ``word`` is a title glued to a given name (นายสุพจน์, พลตำรวจโทณัฐพิชย์); with
    ``inside``, also if it ends so (พร้อมด้วยนางมุกดา).  The segmenter must cut the word right
    after the title: นายกรัฐมนตรี and นายอำเภอ are words of their own, นายกิตติรัตน์ is นาย and
    a name.  A title_lookalike the segmenter cuts off (นายสิบ) is no title either."""
    if not (_title_inside().search(word) if inside else word.startswith(ctx["person_titles"])):
        return False
    for title in ctx["person_titles"]:
        at = word.find(title) if inside else (0 if word.startswith(title) else -1)
        while at >= 0:
            if len(word) > at + len(title) and is_whole_word(word, at, at + len(title)):
                if not any(word.startswith(w, at) and is_whole_word(word, at, at + len(w)) for w in ctx["title_lookalikes"]):
                    return True
            at = word.find(title, at + 1) if inside else -1
    return False


@cache
def _region_lexicon() -> Lexicon:
    entries: list[tuple[str, str | None]] = []
    for r in taxonomy.regions():
        entries += [(p, r["key"]) for p in [r["label"], *r["phrases"], *r.get("extra_phrases", [])]]
    entries += [(x, None) for x in taxonomy.region_exclusions()]
    return Lexicon(entries)


@cache
def _abroad() -> re.Pattern[str]:
    """A link and a foreign state's name (maybe after a state title) right after a region phrase."""
    states = taxonomy.foreign_states()
    names = sorted({n for s in states["states"] for n in s["th"]}, key=len, reverse=True)
    alt = lambda words: "|".join(map(re.escape, words))  # noqa: E731
    links, titles = alt(taxonomy.region_abroad_links()), alt(states["state_titles"])
    return re.compile(f"\\s?(?:{links})\\s?(?:(?:{titles})\\s?)?(?:{alt(names)})")


def find_regions(text: str, provinces: Iterable[str]) -> list[str]:
    """Region keys of the given provinces plus the regions a text names
    (ภาคเหนือ, ภาคอีสาน, จังหวัดชายแดนภาคใต้ ...), in the taxonomy's region order."""
    return regions_in(thai_digits_to_arabic(text), provinces)


def regions_in(folded: str, provinces: Iterable[str]) -> list[str]:
    """``find_regions`` of a text whose Thai digits are already folded."""
    t = _own_text(folded)
    known = {p["name"] for p in taxonomy.provinces()}
    found = {taxonomy.region_of(p) for p in provinces if p in known}
    abroad = _abroad()
    found |= {m.value for m in _region_lexicon().find(t) if not abroad.match(t, m.end)}
    return [r["key"] for r in taxonomy.regions() if r["key"] in found]
