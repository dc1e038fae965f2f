"""Topic term occurrences and where each stands (kb.extract.topics judges them).

A topic term is found by the topic lexicon; whether an occurrence can speak of
its topic depends on where it stands: inside an agency or office name, on an
attendee line, inside one of its topic's exclude phrases, as a nationality of
workers (not foreign relations), as a time (ก่อนโควิด), a numbered unit taking
part (ตชด.11), in a cited plan title, or as the occasion of a royal ceremony.
Those tests are here; the sentence evidence and the decision are in
kb.extract.topics.  Terms and every threshold are data (kb/taxonomy/topics.json).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kb import taxonomy
from kb.extract.agencies import agency_name_lexicon
from kb.extract.boilerplate import boilerplate_windows, in_standing_line
from kb.extract.lexicon import Lexicon, Match, fast_init, is_separator_gap, key
from kb.extract.plans import plan_title_lexicon
from kb.extract.sentences import LINE
from kb.extract.topic_headlines import without_passing_headline_topics
from kb.extract.topic_pairs import lead_until, paired_matches, read_anywhere
from kb.thai.script import cuts_a_syllable


@cache
def _topic_lexicon() -> Lexicon:
    """One matcher for every topic term; a value lists the "topic|strong" /
    "topic|weak" readings of a spelling, joined by ";": a term may name two
    topics (ลักลอบข้ามแดน is border and migration).  Blockers (exclude lists)
    are per topic, in ``_topic_blockers``, so that one topic's blocker does not
    hide another topic's term.
    """
    readings: dict[str, list[str]] = {}
    surfaces: list[tuple[str, str]] = []
    for t in taxonomy.topics():
        for kind, terms in topic_terms(t):
            for surface in terms:
                found = readings.setdefault(key(surface), [])
                if f"{t['key']}|{kind}" not in found:
                    found.append(f"{t['key']}|{kind}")
                surfaces.append((surface, key(surface)))
    entries = [(surface, ";".join(readings[spelling])) for surface, spelling in surfaces]
    return Lexicon(entries)


# Term lists only extraction reads (a new dictionary word would change how every index is segmented).
EXTRACTION_TERMS = ("mined", "measures", "hazards", "actors", "people", "bodies")


def topic_terms(topic: dict) -> list[tuple[str, list[str]]]:
    """A topic's terms by strength: its ``strong`` and ``weak`` terms (also words
    of the segmenter's dictionary) and those only extraction reads: its ``mined``
    ones, found in the corpus by benchmarks/mine_topic_terms.py and reviewed by
    hand; its ``measures``, which name a measure taken on the topic (quarantine, a
    field hospital, a blood drive: guide decisions 5, 11, 13); its ``hazards``, which
    name a hazard the guide puts under the topic (El Niño, a chemical leak); its ``people``, other
    wordings of the people its key names (workers of the three nationalities, stateless people); its ``bodies``,
    an international body named by one word (UNESCO, the World Heritage Committee)."""
    extra = [topic.get(entry, {}) for entry in EXTRACTION_TERMS]
    strong = [*topic["strong"], *(t for e in extra for t in (*e.get("strong", ()), *e.get("lead", ())))]
    return [("strong", strong), ("weak", [*topic["weak"], *(t for e in extra for t in e.get("weak", ()))])]


def _hyphen_listed(whole: str, start: int, end: int) -> bool:
    """True if the term is joined by a hyphen to the next or the last item of a run written
    without spaces ("ทำบุญตักบาตร-ปล่อยปลา-บริจาคโลหิต"): one activity of a list (decision 4)."""
    return (start > 0 and whole[start - 1] in "-–") or (end < len(whole) and whole[end] in "-–")


@cache
def _lead_only_terms() -> frozenset[tuple[str, str]]:
    """(topic, term key) of the terms that name the topic only in the headline and the lead
    (an entry's ``lead`` list): a blood drive the headline is about is a health campaign, one
    stop of a round-up of what the provinces did for a royal occasion is a list entry (decision 4)."""
    return frozenset(
        (t["key"], key(x)) for t in taxonomy.topics() for e in EXTRACTION_TERMS for x in t.get(e, {}).get("lead", ())
    )


@cache
def _actor_lexicon() -> Lexicon:
    """The names of agencies that act in a release (topics.json ``actor_terms``: ตชด., ศอ.บต. ...)."""
    return Lexicon((x, x) for x in topic_scoring().get("actor_terms", ()))


@cache
def _topic_blockers() -> dict[str, Lexicon]:
    return {t["key"]: Lexicon((x, x) for x in t["exclude"]) for t in taxonomy.topics() if t["exclude"]}


@cache
def _abroad_patterns() -> dict[str, re.Pattern[str]]:
    """Per topic bound to a place in Thailand (``abroad``: the southern border provinces), what
    sets a term of it in a foreign country right after the term: a link word (ใน, ที่ ...) and a
    foreign place ("ความไม่สงบในอิสราเอล" is no southern unrest)."""
    def alternation(xs: list[str]) -> str:
        return "|".join(map(re.escape, sorted(xs, key=len, reverse=True)))

    return {
        t["key"]: re.compile(f"\\s*(?:{alternation(t['abroad']['links'])})\\s*(?:{alternation(t['abroad']['places'])})")
        for t in taxonomy.topics() if t.get("abroad")
    }


def _excluded_spans(whole: str) -> dict[str, list[tuple[int, int]]]:
    """Per topic, the spans of its exclude phrases in ``whole``."""
    return {k: spans for k, lex in _topic_blockers().items() if (spans := [(b.start, b.end) for b in lex.find(whole)])}


def _blocked_spans(whole: str, raw: list[Match], named: set[str], excluded: dict[str, list[tuple[int, int]]]) -> dict[str, list[tuple[int, int]]]:
    """Per topic, the spans its terms may not overlap: its exclude phrases, and its terms set abroad."""
    blocked = {k: list(spans) for k, spans in excluded.items() if k in named}
    abroad = _abroad_patterns()
    helpers = _helpers_of_thais_abroad(whole)
    placeless = _terms_without_their_place(whole, named)
    for m in raw:
        topic = m.value.split("|")[0]
        set_abroad = topic in abroad and abroad[topic].match(whole, m.end) is not None
        term = key(whole[m.start : m.end])
        if set_abroad or term in helpers.get(topic, ()) or term in placeless.get(topic, ()):
            blocked.setdefault(topic, []).append((m.start, m.end))
    return blocked


def _terms_without_their_place(whole: str, named: set[str]) -> dict[str, frozenset[str]]:
    """Per topic bound to a place (``needs_place``: the southern unrest to the southern border
    provinces), the keys of its generic terms (ความไม่สงบ, เหตุรุนแรง, สันติสุข) when the text names
    none of its ``places``: unrest, violence or peace elsewhere (at the Cambodian border, in a
    neighbouring country) is not that policy area (guide: the key's definition, decision 4)."""
    out = {}
    for t in taxonomy.topics():
        rule = t.get("needs_place")
        if rule and t["key"] in named and not any(place in whole for place in rule["places"]):
            out[t["key"]] = frozenset(key(x) for x in rule["terms"])
    return out


def _helpers_of_thais_abroad(whole: str) -> dict[str, frozenset[str]]:
    """Per topic with ``thais_abroad`` (international), the term keys that only say who helps when the
    headline is about Thai workers abroad (แรงงานไทย ...): Thailand's embassy, its foreign ministry, "abroad"
    itself.  Guide decision 2: such releases are international only by dealings with the foreign state."""
    headline = whole[: whole.find("\n")] if "\n" in whole else whole
    out = {}
    for t in taxonomy.topics():
        rule = t.get("thais_abroad")
        if rule and any(marker in headline for marker in rule["headline"]):
            out[t["key"]] = frozenset(key(x) for x in rule["helpers"])
    return out


@cache
def topic_scoring() -> dict:
    return taxonomy.topic_scoring()


@cache
def _agency_prefix_pattern() -> re.Pattern[str]:
    prefixes = sorted(topic_scoring()["agency_prefixes"], key=len, reverse=True)
    return re.compile(r"[(\[]?(?:" + "|".join(re.escape(p) for p in prefixes) + ")")


def _inside_agency_name(text: str, start: int, end: int, agency_spans: list[tuple[int, int]]) -> bool:
    """True if the term at [start, end) is part of an agency or office name.

    Inside a full agency name, unless the term is the whole name
    (กระทรวงการต่างประเทศ, listed as a term on purpose) and the agency is not
    one item of a list of agencies; glued (no space) to an agency word before it
    (ศูนย์อำนวยการป้องกันและปราบปรามยาเสพติดจังหวัด..., ผู้กำกับการตรวจคนเข้าเมือง...)
    with no statement verb in between ("...รายงานว่าจุดผ่านแดน..."); or an
    abbreviation right after an agency word ("สำนักงาน ปปส.", "ศูนย์ ปภ. เขต 9").
    """
    cfg = topic_scoring()
    for i, (a, b) in enumerate(agency_spans):
        if a <= start < b:
            if (a, b) != (start, end):
                return True
            near = [agency_spans[j] for j in (i - 1, i + 1) if 0 <= j < len(agency_spans)]
            return any(
                is_separator_gap(text[min(b, d) : max(a, c)], cfg["agency_list_separators"]) for c, d in near
            )
    # Back to the last space before the term, at most ``agency_prefix_reach`` characters.
    before = text[max(0, start - cfg["agency_prefix_reach"]) : start]
    if not before.strip():
        return False
    if before[-1].isspace():
        word = before.rsplit(None, 1)[-1]
        return "." in text[start:end] and any(word.endswith(p) for p in cfg["agency_prefixes"])
    left = start - len(before.rsplit(None, 1)[-1])
    m = _agency_prefix_pattern().match(text, left, start)
    return bool(m) and not any(v in text[m.end() : start] for v in cfg["agency_name_breakers"])


@cache
def _attendee_line_pattern() -> re.Pattern[str]:
    """A line that only lists who attended: optional numbering, then a role word
    (ผู้แทน..., ผู้อำนวยการ...).  Its agency names are not what the text is about."""
    openers = sorted(topic_scoring()["attendee_line_openers"], key=len, reverse=True)
    return re.compile(r"\s*(?:\d{1,2}[.)]\s*|[-•]\s*)?(?:" + "|".join(map(re.escape, openers)) + ")")


@cache
def _time_frame_pattern(words_key: str = "time_frame_words", topic: str = "") -> re.Pattern[str] | None:
    """Text that ends right before a term when the term dates something rather than
    names a subject: a time word (ก่อน, หลัง ...), maybe a filler (สถานการณ์ ...).
    ``backdrop_frame_words`` ("จากสถานการณ์...") frame only an era's backdrop terms:
    "ผลกระทบจากสถานการณ์โควิด" is a circumstance, "เสียชีวิตจากสถานการณ์ชายแดน" a subject.
    A ``topic``'s ``time_frame_exempt`` words, and words they end with, frame none of its terms."""
    cfg = topic_scoring()
    exempt = [w for t in taxonomy.topics() if t["key"] == topic for w in t.get("time_frame_exempt", {}).get("words", ())]
    words, fillers = [w for w in cfg.get(words_key, []) if w not in exempt], cfg["time_frame_fillers"]
    if not words:
        return None
    def alternation(xs: list[str]) -> str:
        guards = {w: "".join(f"(?<!{re.escape(e[: -len(w)])})" for e in exempt if e.endswith(w)) for w in xs}
        return "|".join(guards[w] + re.escape(w) for w in sorted(xs, key=len, reverse=True))

    # fillers, spaces, numbers and brackets in a row: "ช่วงสถานการณ์การแพร่ระบาดของโรคโควิด",
    # "วิกฤตการแพร่ระบาดของโรคติดเชื้อไวรัสโคโรนา 2019 (COVID-19)"
    filler = f"(?:{alternation(fillers)}|[\\s\\d()\\-–]){{0,12}}" if fillers else "\\s?"
    return re.compile(f"(?:{alternation(words)}){filler}$")


@fast_init
@dataclass(frozen=True)
class TopicHit:
    start: int
    end: int
    topic: str
    strong: bool
    term: str  # the matched surface, whitespace removed: distinct terms are distinct keys
    paired: bool = False  # a deed beside its setting in the headline or lead (kb.extract.topic_pairs)
    measured: bool = False  # after a ``measure_frames`` word, or a pair's deed among ``measured_deeds`` (guide 21)
    deed: bool = False  # the deed of a pair read anywhere, beside its setting (kb.extract.topic_pairs)


def topic_hits(whole: str, standing_lines: bool = True) -> list[TopicHit]:
    """Every topic term occurrence that is not inside one of its topic's exclude
    phrases nor inside an agency or office name, in text order; with
    ``standing_lines``, nor in a line the corpus repeats (kb.extract.boilerplate:
    off only to mine those lines)."""
    raw = [Match(m.start, m.end, value) for m in _topic_lexicon().find(whole) for value in m.value.split(";")]
    excluded = _excluded_spans(whole)
    agency_spans = [(m.start, m.end) for m in agency_name_lexicon().find(whole)]
    pairs, pair_set, lead_end = _pairs(whole, excluded, agency_spans)
    deeds = {m for m in pairs if m.value.endswith("|strong") and m.value.split("|")[0] in read_anywhere()}
    raw = [m for m in _with_pairs(raw, pairs) if not cuts_a_syllable(whole, m.start, m.end)]
    if not raw:
        return []
    named = {m.value.split("|")[0] for m in raw}
    blocked = _blocked_spans(whole, raw, named, excluded)
    # A plan cited by its title names a topic in passing: its terms are weak there.
    demote = topic_scoring()["plan_title_terms_weak"]
    title_spans = [(m.start, m.end) for m in plan_title_lexicon().find(whole)] if demote else []
    attendee = _attendee_line_pattern()
    attendee_spans = [
        (line.start(), line.end()) for line in LINE.finditer(whole)
        if line.start() > 0  # the first line is the headline, never a list of who attended
        and line.end() - line.start() <= topic_scoring()["attendee_line_max_chars"] and attendee.match(line.group())
        and not any(v in line.group() for v in topic_scoring()["statement_verbs"])
    ]
    backdrop_frame = _time_frame_pattern("backdrop_frame_words")
    nationalities = _nationalities(whole, raw)
    occasions = _occasions(whole, named)
    standing = standing_lines and bool(boilerplate_windows())
    lead_only, measured_deeds = _lead_only_terms(), {key(x) for x in topic_scoring().get("measured_deeds", ())}
    hits = []
    for m in raw:
        if any(a <= m.start < b for a, b in attendee_spans):
            continue
        topic, strength = m.value.split("|")
        if any(a < m.end and m.start < b for a, b in blocked.get(topic, ())):
            continue
        if _inside_agency_name(whole, m.start, m.end, agency_spans):
            continue
        if m.start in nationalities:
            continue
        if standing and in_standing_line(whole, m.start, m.end, topic):
            continue  # a policy line or motto pasted into releases on anything (kb.extract.boilerplate)
        strong = strength == "strong" and not (demote and any(a <= m.start < b for a, b in title_spans))
        term = key(whole[m.start : m.end])
        if strong and (topic, term) in lead_only and (m.start >= lead_end or _hyphen_listed(whole, m.start, m.end)):
            strong = False  # a lead-only term deep in the body, or one of a run of activities
        if strong and _names_a_unit(whole, m.end):
            strong = False  # "ตชด.11", "ตำรวจตระเวนชายแดนที่ 11": a numbered unit takes part, it is no subject
        frames = (_time_frame_pattern("time_frame_words", topic), backdrop_frame if term in background_terms() else None)
        if strong and any(f is not None and f.search(whole, max(0, m.start - 70), m.start) for f in frames):
            strong = False  # "ก่อนโรคระบาด", "หลังสถานการณ์โควิด": a time, not a subject
        strong = strong and not _in_a_run_of_other_subjects(whole, m.start, m.end)  # guide 3: one item of a list
        if strong and _after_a_place_frame(whole, m.start, topic):
            strong = False  # "มรสุมพัดปกคลุมอ่าวไทย": where the weather is, not security at sea
        if strong and topic in occasions and not _serves_a_purpose(whole, m.start, m.end, occasions[topic]):
            strong = False  # loyalty at a royal birthday is the occasion, not the subject
        measured = strong and (_after_a_frame(whole, m.start, _measure_frames().get(topic)) or (m in deeds and term in measured_deeds))
        hits.append(TopicHit(m.start, m.end, topic, strong, term, m in pair_set, measured, m in deeds))
    return without_passing_headline_topics(whole, _without_relief_backdrop(whole, hits))


def _without_relief_backdrop(whole: str, hits: list[TopicHit]) -> list[TopicHit]:
    """The hits less a topic's background terms when the headline is about relief from it
    (the topic's ``relief`` words: aid bags, compensation, easing hardship) and names the
    topic only by background terms: COVID-19 behind a relief measure is its circumstance,
    and only a measure on the disease itself speaks of public health (guide decision 5)."""
    rules = _relief_words()
    if not rules:
        return hits
    head_end = whole.find("\n") if "\n" in whole else len(whole)
    background = background_terms()
    drop = set()
    for topic, words in rules.items():
        in_head = [h for h in hits if h.topic == topic and h.start < head_end]
        if in_head and all(h.term in background for h in in_head) and any(w in whole[:head_end] for w in words):
            drop.add(topic)
    return [h for h in hits if not (h.topic in drop and h.term in background)] if drop else hits


@cache
def _relief_words() -> dict[str, tuple[str, ...]]:
    return {t["key"]: tuple(t["relief"]["headline"]) for t in taxonomy.topics() if t.get("relief")}


def _pairs(whole: str, excluded: dict[str, list[tuple[int, int]]], agency_spans: list[tuple[int, int]]) -> tuple[list[Match], set[Match], int]:
    """The paired matches (kb.extract.topic_pairs), the deeds of those in the lead (a pair there marks its
    topic as the lead's: ``TopicHit.paired``) and where the lead ends.  No setting inside an exclude phrase
    of its topic or inside an agency's or a unit's name (``actor_terms``)."""
    lead_chars = topic_scoring().get("pair_lead_chars", 0)
    names = [*agency_spans, *((m.start, m.end) for m in _actor_lexicon().find(whole))]
    pairs = paired_matches(whole, lead_chars, excluded, names)
    lead_end = lead_until(whole, lead_chars)
    return pairs, {m for m in pairs if m.value.endswith("|strong") and m.start < lead_end}, lead_end


@cache
def _run_pattern() -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """Subjects with no topic key (ผู้มีอิทธิพล, อาชญากรรมข้ามชาติ, การพนัน ...: topics.json ``run_companions``)
    joined to a term by a list joiner (และ, หรือ, a comma, a space) and a nominalizer (การ), before or after it."""
    words = topic_scoring().get("run_companions", [])
    if not words:
        return None
    alternation = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    # A nominalizer (การ) may open the item: "อาชญากรรมข้ามชาติและการก่อการร้าย".  Two patterns, a run
    # ending a window and one opening it: re skips to a companion in C (issue 12; one pattern of both tried every offset).
    return (re.compile(f"(?:{alternation})[\\s,]*(?:และ|หรือ|รวมถึง)?[\\s,]*(?:การ)?$"),
            re.compile(f"[\\s,]*(?:และ|หรือ|รวมถึง)?[\\s,]*(?:การ)?(?:{alternation})"))


def _in_a_run_of_other_subjects(whole: str, start: int, end: int) -> bool:
    """True if the term is one item of a run of subjects whose other items have no topic key
    ("ปราบปรามผู้มีอิทธิพล ยาเสพติด และการทวงหนี้", "ยาเสพติดและสิ่งผิดกฎหมายทุกชนิด"): a standing
    list of what the province cracks down on names each subject in passing (guide decisions 3, 4)."""
    patterns = _run_pattern()
    if patterns is None:
        return False
    (ending, opening), reach = patterns, topic_scoring()["run_reach"]
    before, after = whole[max(0, start - reach) : start], whole[end : end + reach]
    return bool(ending.search(before) or opening.match(before) or ending.search(after) or opening.match(after))


@cache
def _place_frames() -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    """Per topic, its ``place_frames``: one frame (words and their reach) or a list of them (topics.json)."""
    out = {}
    for t in taxonomy.topics():
        frames = t.get("place_frames")
        if frames:
            frames = frames if isinstance(frames, list) else [frames]
            out[t["key"]] = tuple((tuple(f["words"]), int(f["reach"])) for f in frames)
    return out


def _after_a_place_frame(whole: str, start: int, topic: str) -> bool:
    """True if a frame word of the topic stands within its reach before the term: the term
    says where something else happens (a monsoon over the Andaman Sea is weather, tourism or
    research "ทางทะเล" is done at sea, and the sea is their place: guide decision 4, clarification 23)."""
    return any(_after_a_frame(whole, start, frame) for frame in _place_frames().get(topic, ()))


@cache
def _measure_frames() -> dict[str, tuple[tuple[str, ...], int]]:
    """Per topic, its ``measure_frames`` words and their reach (topics.json)."""
    return {
        t["key"]: (tuple(t["measure_frames"]["words"]), t["measure_frames"]["reach"])
        for t in taxonomy.topics() if t.get("measure_frames")
    }


def _after_a_frame(whole: str, start: int, frame: tuple[tuple[str, ...], int] | None) -> bool:
    if frame is None:
        return False
    words, reach = frame
    before = whole[max(0, start - reach) : start]
    return any(w in before for w in words)


def _with_pairs(raw: list[Match], pairs: list[Match]) -> list[Match]:
    """The lexicon's matches with the paired terms' (kb.extract.topic_pairs): a paired
    reading replaces the lexicon's reading of the same span for its topic."""
    if not pairs:
        return raw
    paired = {(m.start, m.end, m.value.split("|")[0]) for m in pairs}
    kept = [m for m in raw if (m.start, m.end, m.value.split("|")[0]) not in paired]
    return sorted(kept + pairs, key=lambda m: (m.start, -m.end))


# A unit number right after a term: "ที่ 11" after any term, digits glued to an abbreviation.
_ORDINAL_NUMBER = re.compile(r"\s?ที่\s?\d")
_GLUED_NUMBER = re.compile(r"\d")


def _names_a_unit(whole: str, end: int) -> bool:
    """True if the term ending at ``end`` is the name of a numbered unit (ตชด.11,
    ตำรวจตระเวนชายแดนที่ 11, กองกำลังป้องกันชายแดนที่ 3): an actor of the
    release, not its subject.  A number after a space (โควิด 19) is no unit number."""
    if _ORDINAL_NUMBER.match(whole, end):
        return True
    return whole[end - 1] == "." and _GLUED_NUMBER.match(whole, end) is not None


def _occasions(whole: str, named: set[str]) -> dict[str, tuple[str, ...]]:
    """Per topic named in the text whose ``occasion`` markers it holds (a royal
    birthday, a merit-making for the King), the topic's ``purposes`` words: there,
    the topic's terms say what the occasion is, and only a term beside a purpose
    (building loyalty, protecting the institution, a lese-majeste case) is a subject.
    With ``in_headline``, only the headline's markers count (a release on the anniversary)."""
    out = {}
    for t in taxonomy.topics():
        occasion = t.get("occasion")
        where = whole[: whole.find("\n")] if occasion and occasion.get("in_headline") and "\n" in whole else whole
        if occasion and t["key"] in named and any(marker in where for marker in occasion["markers"]):
            out[t["key"]] = tuple(occasion["purposes"])
    return out


def _serves_a_purpose(whole: str, start: int, end: int, purposes: tuple[str, ...]) -> bool:
    reach = topic_scoring()["occasion_purpose_reach"]
    around = whole[max(0, start - reach) : end + reach]
    return any(p in around for p in purposes)


# Between two items of one enumeration: spaces, commas, brackets, และ/หรือ.
_ENUMERATION_GAP = re.compile(r"[\s,()]*(?:และ|หรือ)?[\s,()]*")


@cache
def _nationality_pattern() -> re.Pattern[str] | None:
    words = topic_scoring().get("nationality_markers", [])
    if not words:
        return None
    return re.compile("(?:" + "|".join(map(re.escape, words)) + r")[\s(]*$")


def _nationalities(whole: str, raw: list[Match]) -> set[int]:
    """Starts of weak terms that name a nationality (แรงงาน 3 สัญชาติ (กัมพูชา ลาว
    และเมียนมา)): right after a nationality word, or the next item of such an
    enumeration.  The nationalities of workers are no remark on foreign relations."""
    pattern = _nationality_pattern()
    if pattern is None:
        return set()
    found: set[int] = set()
    chain_end: dict[str, int] = {}  # topic -> end of the last nationality of a running enumeration
    for m in raw:
        topic, strength = m.value.split("|")
        if strength != "weak":
            continue
        after = chain_end.get(topic)
        if pattern.search(whole, max(0, m.start - 20), m.start) or (
            after is not None and _ENUMERATION_GAP.fullmatch(whole, after, m.start) is not None
        ):
            found.add(m.start)
            chain_end[topic] = m.end
        else:
            chain_end.pop(topic, None)
    return found


@cache
def background_terms() -> frozenset[str]:
    """Keys of the topic terms that name the backdrop of an era (topics.json "background")."""
    return frozenset(key(x) for t in taxonomy.topics() for x in t.get("background", ()))


@cache
def title_term_company() -> dict[tuple[str, str], float]:
    """(topic, weak term key) → share of the corpus's releases with that term in the
    headline whose body holds a strong term of the topic (kb/taxonomy/title_terms.json,
    mined by benchmarks/mine_topic_terms.py --title-terms); empty without the file."""
    source = resources.files("kb.taxonomy").joinpath("title_terms.json")
    if not source.is_file():
        return {}
    data = json.loads(source.read_text(encoding="utf-8"))["company"]
    return {(topic, term): share for topic, terms in data.items() for term, share in terms.items()}
