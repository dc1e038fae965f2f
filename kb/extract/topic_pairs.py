"""Topics named by two words together that name nothing apart: paired terms.

Some subjects are written as a deed and a setting, neither a topic term alone.
A fraud (หลอกลวง, มิจฉาชีพ) is no cyber threat and an online channel
(เฟซบุ๊ก, อินเทอร์เน็ต) is no subject, but a fraud through one is an online scam;
violence (เหตุรุนแรง, ลอบยิง) is a crime anywhere, but in Pattani, Yala or
Narathiwat it is the southern unrest.  A topic's ``pairs`` (kb/taxonomy/topics.json)
list such deeds (``terms``) and their settings (``with``): a deed with a setting
within ``reach`` characters on the same line is a strong mention of the topic
and its setting a weak one, so that the sentence holding both is about it.
Only in the headline and the lead (the first ``pair_lead_chars`` characters after
it): a pair is weaker evidence than a term, and the guide labels a subject the
headline or the lead is about; deep in the body a fraud on social media is often a
remark in a release on trafficking.  A pair marked ``anywhere`` is read in the whole
text: where the setting is a place and the deed one that happens there (a bombing in
Pattani, goods smuggled in from a neighbouring country), the guide makes the deed the
subject wherever it is told (decision 9, clarification 21), as a term would be.

The pairs are a key the segmenter's dictionary does not read
(``kb.taxonomy._dictionary_terms``), so no index is segmented differently.
"""
from __future__ import annotations

from functools import cache
from typing import Iterator

from kb import taxonomy
from kb.extract.foreign import Counterparts, counterparts
from kb.extract.lexicon import Lexicon, Match


@cache
def _pair_lexicons() -> tuple[tuple[str, Lexicon, Lexicon | Counterparts, int, bool], ...]:
    """(topic, deeds, settings, reach, anywhere) for every pair of the topic lexicon; a pair
    ``with_gazetteer`` takes as settings the foreign states and organisations that stand
    as counterparts (kb.extract.foreign) besides its ``with`` terms."""
    out = []
    for t in taxonomy.topics():
        for pair in t.get("pairs", ()):
            # ``not_terms``: longer words that hold a deed and are none (ห้องประชุม is a room)
            deeds = Lexicon([*((term, term) for term in pair["terms"]), *((x, None) for x in pair.get("not_terms", ()))])
            if pair.get("with_gazetteer"):
                # the headline markers after which no counterpart counts: the topic's, or the pair's own
                abroad = pair.get("headline_cut", t.get("thais_abroad", {}).get("headline", ()))
                settings = counterparts(tuple(pair["with"]), tuple(abroad))
            else:
                settings = Lexicon((term, term) for term in pair["with"])
            out.append((t["key"], deeds, settings, int(pair["reach"]), bool(pair.get("anywhere", False))))
    return tuple(out)


@cache
def pair_deeds() -> dict[str, Lexicon]:
    """The deeds of the first pair of each topic whose ``weak_only`` entry sets ``needs_deed``
    (kb.extract.topics: its weak terms add up to a sentence only beside a deed)."""
    lexicons = {topic: deeds for topic, deeds, *_ in reversed(_pair_lexicons())}
    return {t["key"]: lexicons[t["key"]] for t in taxonomy.topics() if t.get("weak_only", {}).get("needs_deed") and t["key"] in lexicons}


def paired_matches(whole: str, lead_chars: int, excluded: dict[str, list[tuple[int, int]]] | None = None,
                   names: list[tuple[int, int]] = ()) -> list[Match]:
    """Matches (value ``topic|strong`` for a deed, ``topic|weak`` for its setting)
    of every deed that has a setting within reach on its line, in text order, in
    the first line of ``whole`` (the headline) and ``lead_chars`` characters after it
    (a pair marked ``anywhere``: in the whole text).  A setting inside one of the topic's
    ``excluded`` spans (its exclude phrases: ชายแดน in ชายแดนภาคใต้) or inside an agency's or a
    unit's name (``names``: ชายแดน in ตำรวจตระเวนชายแดน, an actor) is no setting."""
    found: dict[tuple[int, int, str], Match] = {}
    pairs = _pair_lexicons()
    if not pairs:
        return []
    lead_end = lead_until(whole, lead_chars)
    for topic, deeds, settings, reach, anywhere in pairs:
        until = len(whole) if anywhere else lead_end
        # The lexicons run over the whole text, as every lexicon of extraction does:
        # they share one pass over it (kb.extract.lexicon), which a slice would redo.
        deed_matches = _before(deeds.find(whole), until)
        if not deed_matches:
            continue
        spans = [*(excluded or {}).get(topic, ()), *names]
        setting_matches = [s for s in _before(settings.find(whole), until + reach)
                           if not any(a <= s.start < b for a, b in spans)]
        for deed in deed_matches:
            near = [s for s in setting_matches if _within(whole, deed, s, reach)]
            if not near:
                continue
            found[(deed.start, deed.end, topic)] = Match(deed.start, deed.end, f"{topic}|strong")
            for s in near:
                found.setdefault((s.start, s.end, topic), Match(s.start, s.end, f"{topic}|weak"))
    return sorted(found.values(), key=lambda m: (m.start, -m.end))


@cache
def read_anywhere() -> frozenset[str]:
    """Topics with a pair marked ``anywhere``: its deed beside its setting is as good as a term
    wherever it stands, so it is also read as one, an item of a list included (kb.extract.topics)."""
    return frozenset(topic for topic, *_, anywhere in _pair_lexicons() if anywhere)


def lead_until(whole: str, lead_chars: int) -> int:
    """Where the lead of ``whole`` ends: ``lead_chars`` characters after the headline's line."""
    return whole.find("\n") + 1 + lead_chars


def _before(matches: Iterator[Match], until: int) -> list[Match]:
    out = []
    for m in matches:
        if m.start >= until:
            break
        out.append(m)
    return out


def _within(whole: str, a: Match, b: Match, reach: int) -> bool:
    """True if ``a`` and ``b`` do not overlap, stand within ``reach`` characters and
    share a line."""
    if a.start < b.end and b.start < a.end:
        return False
    left, right = (a, b) if a.start < b.start else (b, a)
    gap = right.start - left.end
    return gap <= reach and "\n" not in whole[left.end : right.start]
