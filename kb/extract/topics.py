"""Topics a document substantially covers (drugs, border, migration …).

The unit of evidence is a sentence about the topic, not a term count: a
threat named inside a list of threats, an agency named among the attendees,
a word used in passing next to another subject do not make a sentence about
it.  Terms and every threshold are data (kb/taxonomy/topics.json).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Iterator

from kb import taxonomy
from kb.extract.agencies import agency_name_lexicon
from kb.extract.lexicon import SPACE, Lexicon, Match, is_separator_gap, key
from kb.extract.plans import plan_title_lexicon
from kb.extract.sentences import LINE, line_sentences
from kb.thai.digits import thai_digits_to_arabic

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
        for kind in ("strong", "weak"):
            for surface in t[kind]:
                found = readings.setdefault(key(surface), [])
                if f"{t['key']}|{kind}" not in found:
                    found.append(f"{t['key']}|{kind}")
                surfaces.append((surface, key(surface)))
    entries = [(surface, ";".join(readings[spelling])) for surface, spelling in surfaces]
    return Lexicon(entries)


@cache
def _topic_blockers() -> dict[str, Lexicon]:
    return {t["key"]: Lexicon((x, x) for x in t["exclude"]) for t in taxonomy.topics() if t["exclude"]}


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
def _time_frame_pattern() -> re.Pattern[str] | None:
    """Text that ends right before a term when the term dates something rather than
    names a subject: a time word (ก่อน, หลัง ...), maybe a filler (สถานการณ์ ...)."""
    cfg = topic_scoring()
    words, fillers = cfg["time_frame_words"], cfg["time_frame_fillers"]
    if not words:
        return None
    def alternation(xs: list[str]) -> str:
        return "|".join(map(re.escape, sorted(xs, key=len, reverse=True)))

    # fillers, spaces, numbers and brackets in a row: "ช่วงสถานการณ์การแพร่ระบาดของโรคโควิด",
    # "วิกฤตการแพร่ระบาดของโรคติดเชื้อไวรัสโคโรนา 2019 (COVID-19)"
    filler = f"(?:{alternation(fillers)}|[\\s\\d()\\-–]){{0,12}}" if fillers else "\\s?"
    return re.compile(f"(?:{alternation(words)}){filler}$")


@dataclass(frozen=True)
class _TopicHit:
    start: int
    end: int
    topic: str
    strong: bool
    term: str  # the matched surface, whitespace removed: distinct terms are distinct keys


def _topic_hits(whole: str) -> list[_TopicHit]:
    """Every topic term occurrence that is not inside one of its topic's exclude
    phrases nor inside an agency or office name, in text order."""
    raw = list(_topic_lexicon().find(whole))
    if not raw:
        return []
    raw = [Match(m.start, m.end, value) for m in raw for value in m.value.split(";")]
    named = {m.value.split("|")[0] for m in raw}
    blocked: dict[str, list[tuple[int, int]]] = {
        k: [(b.start, b.end) for b in lex.find(whole)] for k, lex in _topic_blockers().items() if k in named
    }
    agency_spans = [(m.start, m.end) for m in agency_name_lexicon().find(whole)]
    # A plan cited by its title names a topic in passing: its terms are weak there.
    demote = topic_scoring()["plan_title_terms_weak"]
    title_spans = [(m.start, m.end) for m in plan_title_lexicon().find(whole)] if demote else []
    attendee = _attendee_line_pattern()
    attendee_spans = [
        (line.start(), line.end()) for line in LINE.finditer(whole)
        if line.end() - line.start() <= topic_scoring()["attendee_line_max_chars"] and attendee.match(line.group())
        and not any(v in line.group() for v in topic_scoring()["statement_verbs"])
    ]
    time_frame = _time_frame_pattern()
    nationalities = _nationalities(whole, raw)
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
        strong = strength == "strong" and not (demote and any(a <= m.start < b for a, b in title_spans))
        if strong and _names_a_unit(whole, m.end):
            strong = False  # "ตชด.11", "ตำรวจตระเวนชายแดนที่ 11": a numbered unit takes part, it is no subject
        if strong and time_frame is not None and time_frame.search(whole, max(0, m.start - 70), m.start):
            strong = False  # "ก่อนโรคระบาด", "หลังสถานการณ์โควิด": a time, not a subject
        hits.append(_TopicHit(m.start, m.end, topic, strong, key(whole[m.start : m.end])))
    return hits


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


def _hit_line_sentences(whole: str, hits: list[_TopicHit], cfg: dict) -> Iterator[tuple[int, int]]:
    """The sentences of the lines that hold a hit, in text order: the others
    cannot score, and most lines of a long text hold none."""
    i, n = 0, len(hits)
    while i < n:
        start = hits[i].start
        line_start = whole.rfind("\n", 0, start) + 1
        line_end = whole.find("\n", start)
        if line_end < 0:
            line_end = len(whole)
        while i < n and hits[i].start < line_end:
            i += 1
        # Sentences after the line's last hit cannot score.
        yield from line_sentences(whole, line_start, line_end, cfg, until=hits[i - 1].start)


def _sentence_evidence(sentence: str, hits: list[_TopicHit], cfg: dict, offset: int = 0) -> dict[str, float]:
    """How much one sentence (at ``offset`` in the text) is about each topic it
    names, from its term hits.

    A sentence with a strong term of a topic and another term of it
    (``min_distinct_terms`` different terms) is about the topic and scores
    ``rich_points``; two terms that touch (ลักลอบลำเลียงยาเสพติด) are one
    mention, not a second term.  A strong term alone scores ``single_points``
    when the sentence names at most ``max_other_topics`` other topics, and
    ``shared_points`` when it names one more (a sentence on two subjects); after
    an enumeration word (เช่น, ได้แก่ ...: ``list_markers``) it is one example
    among others and scores nothing.  Weak terms alone need
    ``weak_only_distinct_terms`` different ones (``single_points``).  A list of
    threats is about none of them: terms of ``list_min_topics`` topics or more,
    or of two or more after an enumeration word, unless the topic has
    ``list_min_distinct_terms`` different terms of its own.  A sentence that
    refers the reader to another plan ("ดำเนินการร่วมกับแผนความมั่นคงที่ 3 ...":
    ``cross_reference_markers``) cites that plan's subject in passing and is
    about nothing.  In a short document (``short_doc``) the other topics around
    a strong term do not matter: the whole text is one subject.  A sentence that
    states problems (``problem_frames``: "แก้ไขปัญหาการลักลอบขนสินค้าหนีภาษีและ
    ยาเสพติดบริเวณแนวชายแดน") is about each subject its problem phrase names,
    unless it is a list.
    """
    if any(marker in key(sentence) for marker in cfg["cross_reference_markers"]):
        return {}
    mentions = _mentions_by_topic(hits)
    others = len(mentions) - 1
    markers_at = [i for i in (sentence.find(m) for m in cfg["list_markers"]) if i >= 0]
    if _is_enumeration(sentence, cfg):
        markers_at.append(0)  # "ด้านศิลปวัฒนธรรม ด้านสาธารณสุข ...": every item is one example among others
    listed_from = offset + min(markers_at) if markers_at else None
    # A list of threats names them by strong terms; a weak term beside them (a country,
    # ไทย–เมียนมา) does not make a statement on three subjects a list of four.
    named = sum(found.strong for found in mentions.values())
    is_list = named >= cfg["list_min_topics"] or (others >= 1 and listed_from is not None)
    problems = _problem_phrase(sentence, cfg)
    out: dict[str, float] = {}
    for topic, found in mentions.items():
        terms = len(set(found.terms))
        if not found.strong:
            if not is_list and terms >= cfg["weak_only_distinct_terms"]:
                out[topic] = cfg["single_points"]
        elif is_list:
            if terms >= cfg["list_min_distinct_terms"]:
                out[topic] = cfg["rich_points"]
        elif terms >= cfg["min_distinct_terms"]:
            out[topic] = cfg["rich_points"]
        elif listed_from is not None and found.first_at >= listed_from:
            continue
        elif others <= cfg["max_other_topics"] or cfg.get("short_doc"):
            out[topic] = cfg["single_points"]
        elif problems is not None and problems[0] <= found.first_at - offset < problems[1]:
            out[topic] = cfg["single_points"]
        elif others == cfg["max_other_topics"] + 1:
            out[topic] = cfg["shared_points"]
    return out


def _is_enumeration(sentence: str, cfg: dict) -> bool:
    """True if the sentence is an enumeration without an enumeration word: at
    least ``enumeration_min_items`` space-separated items, each of at most
    ``list_item_max_chars`` characters ("แรงงานในเรือประมงทะเล แรงงานหญิง
    แรงงานข้ามชาติ แรงงานเด็ก และกลุ่มเปราะบาง").  Thai separates the items of a
    list by spaces; a clause about a subject is longer than a list item."""
    least = cfg.get("enumeration_min_items", 0)
    items = sentence.split()
    return bool(least) and len(items) >= least and all(len(i) <= cfg["list_item_max_chars"] for i in items)


def _problem_phrase(sentence: str, cfg: dict) -> tuple[int, int] | None:
    """(start, end) in ``sentence`` of the phrase a problem frame word opens
    (ปัญหา...): from the frame to the next space, since Thai writes a noun phrase
    without spaces ("ปัญหาการลักลอบขนสินค้าหนีภาษีและยาเสพติดบริเวณแนวชายแดน")
    and a space ends it ("ปัญหามากที่สุดภาคหนึ่ง ตั้งแต่...")."""
    starts = [i for i in (sentence.find(f) for f in cfg.get("problem_frames", ())) if i >= 0]
    if not starts:
        return None
    start = min(starts)
    space = SPACE.search(sentence, start)
    return start, space.start() if space else len(sentence)


@dataclass
class _Mentions:
    """One topic's mentions in a sentence."""

    terms: list[str]  # one entry per mention; touching terms are one mention
    strong: bool  # a strong term among them
    first_at: int  # offset of the first
    last_end: int  # end of the last


def _mentions_by_topic(hits: list[_TopicHit]) -> dict[str, _Mentions]:
    mentions: dict[str, _Mentions] = {}
    for h in hits:
        found = mentions.get(h.topic)
        if found is None:
            mentions[h.topic] = _Mentions([h.term], h.strong, h.start, h.end)
            continue
        if found.last_end == h.start:
            found.terms[-1] += h.term  # touching terms: one mention
        else:
            found.terms.append(h.term)
        found.last_end = h.end
        found.strong = found.strong or h.strong
    return mentions


@dataclass
class _Evidence:
    """What the sentences of a text say about each topic: summed points, the
    number of sentences about it, the topics its title is about, and how many
    sentences are about any topic at all."""

    points: dict[str, float]
    sentences: dict[str, int]
    in_title: set[str]
    scoring: int


def _topic_evidence(title: str, text: str) -> _Evidence:
    """Per topic, the summed evidence of the sentences about it (the title first);
    Thai digits of ``title`` and ``text`` already folded."""
    cfg = topic_scoring()
    if len(text) <= cfg["short_doc_chars"]:
        cfg = {**cfg, "short_doc": True}
    head = title.replace("\n", " ")
    whole = f"{head}\n{text}"
    hits = _topic_hits(whole)
    found = _Evidence({}, {}, set(), 0)
    substantive: set[str] = set()  # topics with a sentence beyond their background terms
    i = 0
    pointing_until = -1  # end of a line that refers the reader to other plans
    for start, end in _hit_line_sentences(whole, hits, cfg):
        while i < len(hits) and hits[i].start < start:
            i += 1
        j = i
        while j < len(hits) and hits[j].start < end:
            j += 1
        if any(marker in key(whole[start:end]) for marker in cfg["cross_reference_markers"]):
            line_end = whole.find("\n", start)
            pointing_until = line_end if line_end >= 0 else len(whole)
        elif start < pointing_until:
            # The pointer goes on to the end of its line: through the plans it lists
            # ("... คาบเกี่ยวกับแผนความมั่นคงที่ 6 ... | แผนความมั่นคงที่ 7 ... และแผนความมั่นคงที่ 8")
            # and through what the shared work is ("... คู่กับแผนความมั่นคงที่ 11 ...
            # | ในส่วนการแลกเปลี่ยนข่าวสาร โดยแยก...ออกจากการก่อการร้ายสากล").
            i = j
            continue
        if j > i:
            in_title = start < len(head)
            said = _sentence_evidence(whole[start:end], hits[i:j], cfg, start)
            found.scoring += bool(said)
            for topic, points in said.items():
                found.points[topic] = found.points.get(topic, 0.0) + (cfg["title_weight"] if in_title else 1.0) * points
                found.sentences[topic] = found.sentences.get(topic, 0) + 1
                if in_title:
                    found.in_title.add(topic)
                if in_title or any(h.topic == topic and h.term not in _background_terms() for h in hits[i:j]):
                    substantive.add(topic)
        i = j
    # An era's backdrop (COVID-19 in 2020-2022 releases) named in passing is no subject:
    # without the title or another term of the topic, it needs ``background_need`` points.
    need = cfg.get("background_need", 0.0)
    found.points = {t: p for t, p in found.points.items() if t in substantive or p >= need - 1e-9}
    return found


@cache
def _background_terms() -> frozenset[str]:
    """Keys of the topic terms that name the backdrop of an era (topics.json "background")."""
    return frozenset(key(x) for t in taxonomy.topics() for x in t.get("background", ()))


def find_topics(text: str, title: str = "") -> list[str]:
    """Topic keys a document substantially covers, in taxonomy order.

    Labels record a topic when a document dedicates a sentence or more to it, so
    the unit of evidence is a sentence about the topic (see ``_sentence_evidence``),
    not a term count: a threat named inside a list of threats, an agency named
    among the attendees, a word used in passing next to another subject do not
    make a sentence about it.  A topic needs ``need_points`` (one sentence about
    it); a long text (over ``long_doc_chars``) needs ``long_doc_points``, since
    it has room for a passing sentence on almost anything.
    All numbers live in topics.json "scoring".
    """
    return topics_in(thai_digits_to_arabic(text), thai_digits_to_arabic(title))


def topics_in(folded_text: str, folded_title: str = "", release: bool = False) -> list[str]:
    """``find_topics`` of a text and title whose Thai digits are already folded;
    ``release``: the text is a news release (see ``_passing_in_a_sparse_release``)."""
    text = folded_text
    cfg = topic_scoring()
    found = _topic_evidence(folded_title, text)
    if len(text) <= cfg["short_doc_chars"]:
        need = cfg["single_points"]
    elif len(text) > cfg["long_doc_chars"]:
        need = cfg["long_doc_points"]
    else:
        need = cfg["need_points"]
    kept = {t for t, points in found.points.items() if points >= need - 1e-9}
    if release and len(text) > cfg["short_doc_chars"]:
        kept -= _passing_in_a_sparse_release(found, kept, folded_title, text, cfg)
    return [t["key"] for t in taxonomy.topics() if t["key"] in kept]


def _passing_in_a_sparse_release(found: _Evidence, kept: set[str], title: str, text: str, cfg: dict) -> set[str]:
    """Topics a news release names in passing: one sentence, not in the title,
    in a release whose sentences are mostly about no topic at all (fewer than
    ``sparse_release_share`` of them).  A security report is dense with topics
    and gives each of its subjects a deliberate sentence; a ceremony, a labour
    service or a provincial event that names a threat once is not about it."""
    once = {t for t in kept if found.sentences.get(t, 0) == 1 and t not in found.in_title}
    share = cfg.get("sparse_release_share", 0.0)
    if not once or not share:
        return set()
    whole = f"{title.replace(chr(10), ' ')}\n{text}"
    sentences = sum(len(line_sentences(whole, m.start(), m.end(), cfg)) for m in LINE.finditer(whole))
    return once if found.scoring < share * sentences else set()
