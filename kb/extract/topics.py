"""Topics a document substantially covers (drugs, border, migration …).

The unit of evidence is a sentence about the topic, not a term count: a
threat named inside a list of threats, an agency named among the attendees,
a word used in passing next to another subject do not make a sentence about
it.  Terms and every threshold are data (kb/taxonomy/topics.json).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from typing import Iterator

from kb import taxonomy
from kb.extract.lexicon import SPACE, key, keys_may_hold
from kb.extract.sentences import LINE, line_sentences, numbered_items
from kb.extract.topic_hits import TopicHit, background_terms, title_term_company, topic_hits, topic_scoring
from kb.extract.topic_model import RuleReading, topic_model
from kb.extract.topic_pairs import pair_deeds
from kb.thai.digits import thai_digits_to_arabic


def _hit_line_sentences(whole: str, hits: list[TopicHit], cfg: dict) -> Iterator[tuple[int, int]]:
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


def _sentence_evidence(sentence: str, hits: list[TopicHit], cfg: dict, offset: int = 0, listed: bool = False) -> dict[str, float]:
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
    unless it is a list.  A ``listed`` sentence's pair deeds are weak (``_parallel_items``).
    """
    if any(marker in key(sentence) for marker in cfg["cross_reference_markers"]):
        return {}
    if listed:
        hits = [replace(h, strong=False) if h.deed else h for h in hits]
    mentions = _mentions_by_topic(hits)
    others = len(mentions) - 1 - len(_glued_modifiers(hits))
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
        # The backdrop's terms are one mention of it ("การแพร่ระบาดของโควิด"), not corroboration.
        terms = len({"" if bg else term for term, bg in zip(found.terms, found.backdrop)})
        if not found.strong:
            if not is_list and terms >= cfg["weak_only_distinct_terms"] and _weak_terms_may_add_up(topic, sentence):
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


def _weak_terms_may_add_up(topic: str, sentence: str) -> bool:
    """Whether weak terms alone may make ``sentence`` about ``topic``: a topic whose ``weak_only``
    entry sets ``needs_deed`` (international: its weak terms are country names, which in a row are
    places or nationalities, decision 4) needs a deed of its pairs in the sentence ("ไทยหารือกับ
    กัมพูชา ลาว และเมียนมา"), not a count of workers by nationality."""
    deeds = pair_deeds().get(topic)
    return deeds is None or next(iter(deeds.find(sentence)), None) is not None


def _glued_modifiers(hits: list[TopicHit]) -> set[str]:
    """Topics a sentence names only by weak terms glued right after another topic's
    strong term ("ชายแดนไทย-กัมพูชา", "แรงงานต่างด้าวชาวเมียนมา"): Thai puts a modifier
    after its head, so the weak term qualifies that term's phrase and is no second
    subject of the sentence.  Glued before it ("การข้ามแดนระหว่างประเทศ") it is the head."""
    strong_ends = {(h.end, h.topic) for h in hits if h.strong}
    weak_only: dict[str, bool] = {}
    for h in hits:
        glued = not h.strong and any(t != h.topic and e == h.start for e, t in strong_ends)
        weak_only[h.topic] = weak_only.get(h.topic, True) and glued
    return {t for t, only in weak_only.items() if only}


def _is_enumeration(sentence: str, cfg: dict) -> bool:
    """True if the sentence is an enumeration without an enumeration word: at
    least ``enumeration_min_items`` space-separated items, each of at most
    ``list_item_max_chars`` characters ("แรงงานในเรือประมงทะเล แรงงานหญิง
    แรงงานข้ามชาติ แรงงานเด็ก และกลุ่มเปราะบาง").  Thai separates the items of a
    list by spaces; a clause about a subject is longer than a list item."""
    least = cfg.get("enumeration_min_items", 0)
    items = sentence.split()
    return bool(least) and len(items) >= least and all(len(i) <= cfg["list_item_max_chars"] for i in items)


def _parallel_items(whole: str, start: int, cfg: dict, seen: dict[int, set[int]]) -> bool:
    """True if the sentence at ``start`` is an item of a list written as parallel clauses:
    at least ``parallel_items.min_items`` sentences in a row on its line open with the same
    ``head_chars`` Thai letters and state no figure (no digit: clarification 12) — "พื้นที่ชายแดน
    เผชิญ... พื้นที่ริมแม่น้ำโขงเผชิญ... พื้นที่อุตสาหกรรมเผชิญ...": each area and its problems
    are one item of a list (guide decision 4).  Only a pair's deed turns weak there: such clauses
    may also be purposes ("เพื่อ... เพื่อ...") or the services a release is about ("คลินิกวัคซีน
    คลินิกสุขภาพจิต ..."), whose terms must still count.  ``seen``: the items per line start."""
    rule = cfg.get("parallel_items")
    if not rule:
        return False
    n, line_start, line_end = rule["head_chars"], whole.rfind("\n", 0, start) + 1, whole.find("\n", start)
    line_end = len(whole) if line_end < 0 else line_end
    if whole.count(whole[start : start + n], line_start, line_end) < rule["min_items"]:
        return False  # fewer openings like this one on its line than a list has items
    if line_start not in seen:
        spans = line_sentences(whole, line_start, line_end, cfg)
        items, run = set(), []
        for a, b in [*spans, (0, 0)]:
            head = whole[a : a + n] if b - a > n and _THAI_LETTERS.fullmatch(whole, a, a + n) and not _DIGIT.search(whole, a, b) else None
            if run and head == whole[run[0] : run[0] + n]:
                run.append(a)
                continue
            if len(run) >= rule["min_items"]:
                items.update(run)
            run = [a] if head else []
        seen[line_start] = items
    return start in seen[line_start]


_THAI_LETTERS = re.compile("[\u0e01-\u0e4e]+")
_DIGIT = re.compile(r"\d")


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
    backdrop: list[bool]  # per mention: made only of the topic's background terms
    strong: bool  # a strong term among them
    first_at: int  # offset of the first
    last_end: int  # end of the last


def _mentions_by_topic(hits: list[TopicHit]) -> dict[str, _Mentions]:
    mentions: dict[str, _Mentions] = {}
    background = background_terms()
    for h in hits:
        found = mentions.get(h.topic)
        bg = h.term in background
        if found is None:
            mentions[h.topic] = _Mentions([h.term], [bg], h.strong, h.start, h.end)
            continue
        if found.last_end == h.start:
            found.terms[-1] += h.term  # touching terms: one mention
            found.backdrop[-1] = found.backdrop[-1] and bg
        else:
            found.terms.append(h.term)
            found.backdrop.append(bg)
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
    dedicated: set[str] = field(default_factory=set)  # topics a numbered item is given to
    title_named: set[str] = field(default_factory=set)  # topics the title names by any term, weak ones too
    in_lead: set[str] = field(default_factory=set)  # topics the headline or lead names by a pair
    actor_only: set[str] = field(default_factory=set)  # topics named only by the names of agencies
    hits: list[TopicHit] = field(default_factory=list)


def _topic_evidence(title: str, text: str) -> _Evidence:
    """Per topic, the summed evidence of the sentences about it (the title first);
    Thai digits of ``title`` and ``text`` already folded."""
    cfg = topic_scoring()
    if len(text) <= cfg["short_doc_chars"]:
        cfg = {**cfg, "short_doc": True}
    head = title.replace("\n", " ")
    whole = f"{head}\n{text}"
    if not keys_may_hold(whole, cfg["cross_reference_markers"]):
        cfg = {**cfg, "cross_reference_markers": ()}  # no sentence holds one: spares asking each (issue 12)
    hits = topic_hits(whole)
    found = _Evidence({}, {}, set(), 0, hits=hits)
    found.title_named = _named_in_title(hits, len(head), cfg)
    found.in_lead = {h.topic for h in hits if h.paired}
    found.actor_only = _named_by_actors_only(hits, cfg)
    substantive: set[str] = set()  # topics with a sentence beyond their background terms
    i = 0
    pointing_until = -1  # end of a line that refers the reader to other plans
    parallel: dict[int, set[int]] = {}  # per line start, its sentences that are parallel items
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
            listed = any(h.deed for h in hits[i:j]) and _parallel_items(whole, start, cfg, parallel)
            said = _sentence_evidence(whole[start:end], hits[i:j], cfg, start, listed)
            found.scoring += bool(said)
            for topic, points in said.items():
                found.points[topic] = found.points.get(topic, 0.0) + (cfg["title_weight"] if in_title else 1.0) * points
                found.sentences[topic] = found.sentences.get(topic, 0) + 1
                if in_title:
                    found.in_title.add(topic)
                if in_title or any(h.topic == topic and h.term not in background_terms() for h in hits[i:j]):
                    substantive.add(topic)
        i = j
    found.dedicated = _dedicated_items(whole, hits, cfg) | _measured(found.points, hits, cfg)
    substantive |= found.dedicated
    # An era's backdrop (COVID-19 in 2020-2022 releases) named in passing is no subject:
    # without the title or another term of the topic, it needs ``background_need`` points.
    need = cfg.get("background_need", 0.0)
    found.points = {t: p for t, p in found.points.items() if t in substantive or p >= need - 1e-9}
    return found


def _measured(points: dict[str, float], hits: list[TopicHit], cfg: dict) -> set[str]:
    """Topics a sentence about them gives a measure of its own: a strong term right after one
    of the topic's ``measure_frames`` (เตรียมพร้อมรับ ... ภัยแล้ง, รับมือกับน้ำท่วม).  An
    instruction to prepare for a hazard counts even in a release about something else (guide
    decision 3, clarification 11), so such a topic is no passing remark, like a numbered item."""
    return {h.topic for h in hits if h.measured and points.get(h.topic, 0.0) >= cfg["single_points"] - 1e-9}


def _named_by_actors_only(hits: list[TopicHit], cfg: dict) -> set[str]:
    """Topics every hit of which is an agency's name (``actor_terms``: ศอ.บต., ตชด. ...):
    an agency acts in the release, and its name says what it usually works on, not what
    the release is about (guide decision 4; ศอ.บต. backing an Islamic centre)."""
    actors = {key(term) for term in cfg.get("actor_terms", ())}
    if not actors:
        return set()
    named: dict[str, bool] = {}
    for h in hits:
        named[h.topic] = named.get(h.topic, True) and h.term in actors
    return {t for t, only in named.items() if only}


def _named_in_title(hits: list[TopicHit], title_end: int, cfg: dict) -> set[str]:
    """Topics the headline names: by a strong term, or by a weak term that across the
    corpus usually comes with its topic in the body (``title_weak_min_company`` of the
    releases whose headline holds it; kb/taxonomy/title_terms.json).  ดิจิทัล in a
    headline is mostly digital government, not cyber threats."""
    least = cfg.get("title_weak_min_company", 0.0)
    company = title_term_company()
    return {
        h.topic for h in hits
        if h.start < title_end and (h.strong or company.get((h.topic, h.term), 0.0) >= least)
    }


def _dedicated_items(whole: str, hits: list[TopicHit], cfg: dict) -> set[str]:
    """Topics given a numbered item of their own: "1) การป้องกันและแก้ไขปัญหายาเสพติด
    ให้ผู้ว่าราชการจังหวัด... 2) ...".  A ministry-wide instruction gives each subject
    an item; the item's heading (its words up to the first space, at most
    ``item_head_max_chars``) names the subject by a strong term, and the item says
    what to do (at least ``item_min_chars`` characters).  A heading that names more
    than ``item_head_max_topics`` topics, or a short item ("1) สุขภาพ 2) การศึกษา"),
    is one entry of a list."""
    least = cfg.get("item_min_chars", 0)
    if not least or not hits:
        return set()
    starts = [h.start for h in hits]
    out: set[str] = set()
    for start, text_start, end in numbered_items(whole, cfg["item_max_gap"]):
        if end - start < least:
            continue
        space = SPACE.search(whole, text_start, end)
        head_end = min(space.start() if space else end, text_start + cfg["item_head_max_chars"])
        i = bisect_left(starts, text_start)
        named = set()
        while i < len(hits) and hits[i].start < head_end:
            if hits[i].strong:
                named.add(hits[i].topic)
            i += 1
        if len(named) <= cfg["item_head_max_topics"]:
            out |= named
    return out


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


def topics_in(folded_text: str, folded_title: str = "", release: bool = False, given=None) -> list[str]:
    """``find_topics`` of a text and title whose Thai digits are already folded;
    ``release``: the text is a news release (see ``_passing_in_a_sparse_release``),
    decided by the learned model (kb.extract.topic_model) when one is shipped."""
    reading = rule_reading(folded_text, folded_title, release)
    kept = reading.kept
    model = topic_model() if release else None
    if model is not None:
        kept = model.decide(folded_title, folded_text, reading, given)  # given: the indexer's words (topics8)
    return [t["key"] for t in taxonomy.topics() if t["key"] in kept]


def rule_reading(folded_text: str, folded_title: str = "", release: bool = False) -> RuleReading:
    """The hand rules' topics of a text and the evidence they read them from."""
    text = folded_text
    cfg = topic_scoring()
    found = _topic_evidence(folded_title, text)
    if len(text) <= cfg["short_doc_chars"]:
        need = cfg["single_points"]
    elif len(text) > cfg["long_doc_chars"]:
        need = cfg["long_doc_points"]
    else:
        need = cfg["need_points"]
    kept = {t for t, points in found.points.items() if points >= need - 1e-9} | found.dedicated
    support = cfg.get("title_named_support", 0)
    if support:
        # The headline names the topic, if only by a weak term, and the body says enough about it.
        backed = {t for t in found.title_named if found.points.get(t, 0.0) >= support - 1e-9}
        kept |= backed
        found.in_title |= backed
    headline_only = release and _headline_only(text, cfg)
    if headline_only:
        kept |= found.title_named  # guide 18: a release with only a headline is labelled from it
    kept -= found.actor_only
    if release and len(text) > cfg["short_doc_chars"]:
        kept -= _passing_in_a_sparse_release(found, kept, folded_title, text, cfg)
        kept -= _beside_the_main_subject(found, kept, folded_title, text, cfg)
    return RuleReading(found.hits, kept, found.points, found.sentences, found.in_title, found.scoring,
                       len(folded_title.replace("\n", " ")), len(text), frozenset(found.actor_only), headline_only)


# What a body without prose still holds: hashtags, links, the source line, dates.
_NOT_PROSE = re.compile(r"#\S+|https?://\S+|ที่มา\s*:|[\d/.:()\-–]+|\s+")


def _headline_only(text: str, cfg: dict) -> bool:
    """True if a release's body says nothing beyond its headline: under
    ``headline_only_chars`` characters once the dateline, hashtags, links and the
    source line are taken out."""
    least = cfg.get("headline_only_chars", 0)
    if not least or len(text) > cfg["short_doc_chars"]:
        return False
    lines = text.strip().split("\n")
    if lines and lines[0].startswith("วัน"):
        lines = lines[1:]  # the dateline: วันจันทร์ที่ 9 มิถุนายน 2568
    return len(_NOT_PROSE.sub("", "".join(lines))) < least


def _passing_in_a_sparse_release(found: _Evidence, kept: set[str], title: str, text: str, cfg: dict) -> set[str]:
    """Topics a news release names in passing: one sentence, not in the title,
    in a release whose sentences are mostly about no topic at all (fewer than
    ``sparse_release_share`` of them).  A security report is dense with topics
    and gives each of its subjects a deliberate sentence; a ceremony, a labour
    service or a provincial event that names a threat once is not about it."""
    exempt = found.in_title | found.dedicated | found.in_lead
    once = {t for t in kept if found.sentences.get(t, 0) == 1 and t not in exempt}
    share = cfg.get("sparse_release_share", 0.0)
    if not once or not share:
        return set()
    return once if found.scoring < share * _sentence_count(title, text, cfg) else set()


def _beside_the_main_subject(found: _Evidence, kept: set[str], title: str, text: str, cfg: dict) -> set[str]:
    """Topics a news release names once beside its main subject: one sentence, not
    in the title nor given an item, under ``beside_main_share`` of the points of a
    topic that fills at least ``main_subject_sentences`` sentences, in a release
    not dense with topics (under ``dense_release_share`` of its sentences score).
    A labour agreement that names trafficking once among its purposes is about
    migrant workers; a security report's one sentence on a threat is deliberate."""
    least = cfg.get("main_subject_sentences", 0)
    if not least or not kept:
        return set()
    top = max(sorted(kept), key=lambda t: found.points.get(t, 0.0))
    if found.sentences.get(top, 0) < least:
        return set()
    ceiling = cfg["beside_main_share"] * found.points.get(top, 0.0)
    beside = {
        t for t in kept - {top}
        if found.sentences.get(t, 0) <= 1 and t not in found.in_title | found.dedicated
        and found.points.get(t, 0.0) < ceiling
    }
    if not beside or found.scoring >= cfg["dense_release_share"] * _sentence_count(title, text, cfg):
        return set()
    return beside


def _sentence_count(title: str, text: str, cfg: dict) -> int:
    """How many sentences a release has, its title included."""
    whole = f"{title.replace(chr(10), ' ')}\n{text}"
    return sum(len(line_sentences(whole, m.start(), m.end(), cfg)) for m in LINE.finditer(whole))
