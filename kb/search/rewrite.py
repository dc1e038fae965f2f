"""What the user meant, before the tiers: typos corrected, unspaced words split.

Thai users rarely put spaces between words: แรงงานต่างด้าวระนอง means the same
as แรงงานต่างด้าว ระนอง.  A clause typed without spaces whose verbatim form
few documents hold (fewer than hold all its words) is split into its words,
so both spellings give the same documents; the documents holding it verbatim
are ranked first (``Rewrite.literal``).  A clause that no document holds as a
word and that is a typo of a frequent word is read as that word (with a
notice, "แสดงผลของ ..."), ranked after the documents holding what was typed.
A clause that is neither (gibberish) is matched as typed only, so its
syllables (ชา of กำพูชา in ชายแดน) do not bring in the collection.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from kb import analysis
from kb.notices import Notice
from kb.search import thesaurus
from kb.search.align import names
from kb.search.correct import correct
from kb.search.finder import Finder
from kb.thai.script import without_a_tone_mark
from kb.thai.segmenter import domain_terms
from kb.search.parsing import Chunk, Clause, ParsedQuery, chunk, expand, question_words, stopwords

FEW_LITERAL = 3  # a word held verbatim by fewer documents may be corrected (a clause of known words is split whatever its count)
MAX_SPLIT_WORDS = 3  # a longer unspaced clause is a sentence: the tiers read it as one
MAX_CORRECTED_UNITS = 16  # a longer clause is a phrase or a sentence, not a misspelt word
CORRECTED = "แสดงผลของ {}"
TONE_MARK_DROPPED = "รวมเอกสารที่เขียน {} (ขาดวรรณยุกต์ เช่นข้อความที่อ่านด้วย OCR)"
MAX_ENGLISH_WORDS = 5  # the longest English name of the thesaurus joined back into one clause
# the most adjacent words joined back into one known term: the longest thesaurus, synonym or
# taxonomy term is 5 words (บัญชี|รับ|โอนเงิน|ผิดกฎหมาย); without a bound a clause of n words
# cost n² lookups of strings up to n long (999 × ก: 30 s in ``_terms``)
MAX_TERM_WORDS = 8


@dataclass
class Rewrite:
    parsed: ParsedQuery
    literal: set[int] = field(default_factory=set)  # documents holding a rewritten clause as typed: first
    notices: list[str] = field(default_factory=list)
    corrected: bool = False
    typed: list[str] = field(default_factory=list)  # rewritten clauses as typed (marked whole where found)


def rewrite(finder: Finder, parsed: ParsedQuery) -> Rewrite:
    """The query as meant (a new ``ParsedQuery``; ``parsed`` is not changed)."""
    out = Rewrite(ParsedQuery([], list(parsed.excluded), list(parsed.years), list(parsed.notices)))
    clauses = _join_english(parsed.clauses)
    asks = any(w in question_words() for c in clauses for a in c.alternatives for w in chunk(a).words)
    for clause in clauses:
        out.parsed.clauses.extend(_rewrite_clause(finder, clause, out, len(clauses) > 1 or asks, asks, len(clauses) == 1))
    out.literal |= _whole(finder, clauses, asks)
    return out


def _whole(finder: Finder, clauses: list[Clause], asks: bool) -> set[int]:
    """Documents holding a short keyword query of several parts as typed, as words
    (แผนความมั่นคงที่ 1): ranked first, as a user reading the words together expects."""
    if asks or not 2 <= len(clauses) <= MAX_SPLIT_WORDS + 1:
        return set()
    if any(c.quoted or len(c.alternatives) != 1 for c in clauses) or not finder.snap.subword:
        return set()
    typed = [c.alternatives[0] for c in clauses]
    out: set[int] = set()
    # as typed, and (Thai words) side by side without the space, as documents write them:
    # ยาเสพติด ชายแดน then ranks first what ยาเสพติดชายแดน ranks first
    forms = [" ".join(typed)] + (["".join(typed)] if all(_thai(t) for t in typed) else [])
    for form in forms:
        if finder.budget.may_scan():
            out |= set(finder.verbatim(chunk(form)).positions)
    return out


def _thai(text: str) -> bool:
    runs = analysis.runs(analysis.normalize(text))
    return bool(runs) and all(r.thai for r in runs)


def _rewrite_clause(
    finder: Finder, clause: Clause, out: Rewrite, in_sentence: bool, asks: bool, alone: bool = False,
) -> list[Clause]:
    if clause.quoted or len(clause.alternatives) != 1:
        return [clause]
    typed = clause.alternatives[0]
    if len(expand(typed)) > 1 or thesaurus.knows(typed):
        return [clause]  # a known name or term
    c = chunk(typed)
    if not c.words or not finder.snap.subword:
        return [clause]
    if len(c.words) > 1 and c.text in names():
        # a name the segmenter cuts into ordinary words (แม่|สอด, ตาก|ใบ) is one word: matched as
        # typed, never split into keywords found anywhere (แม่สอด: 386 of 63,241 releases, 247 hold it)
        return [Clause([typed], quoted=True)]
    found = finder.verbatim(c).positions if finder.budget.may_scan() else {}
    if len(found) >= FEW_LITERAL and len(c.words) < 2:
        return [clause]  # (a common word's documents are not made a set just to be counted)
    literal = set(found)
    if len(c.words) == 1 and finder.doc_frequency(c.words[0]) >= FEW_LITERAL:
        return [clause]
    # what was typed, found anywhere (inside other words too), is ranked first if rewritten
    verbatim = literal | set(finder.partial(c.text))
    short = len(analysis.units(c.text)) <= MAX_CORRECTED_UNITS and len(analysis.runs(c.text)) == 1
    if short and (fixed := _corrected(finder, typed, c, verbatim, out, asks, alone)):
        return fixed
    read = None if verbatim else _read_without_mark(finder, c)
    if read:  # held nowhere as typed, but as a scan reads it: both are matched
        out.notices.append(Notice("tone_mark_dropped", TONE_MARK_DROPPED.format(read), read=read))
        return [Clause([typed, read])]
    terms = _terms(finder, c.words)
    words = [w for w in terms if w not in stopwords()]
    known = all(_known(finder, w) for w in words)
    # keywords typed together; a function word (ของ, ขอ ... หน่อย) makes it a phrase or a question
    if known and len(words) == len(terms) and 2 <= len(words) <= MAX_SPLIT_WORDS and not in_sentence:
        out.literal |= verbatim
        out.typed.append(c.text)
        return [Clause([w], quoted=w in names()) for w in words]
    if len(literal) >= FEW_LITERAL:
        return [clause]
    # one short run of script (a mixed run, เบอa, is a half-typed word, left to the tiers)
    # holding an unknown fragment, or cut into more keywords than a user types together
    # (syllables, each an index word somewhere): gibberish, matched as typed only, so its
    # syllables do not relax the query into the collection (กำญจาดฮุก: 34,882 of 63,241)
    # (a lone letter or a fragment no document holds, typed nowhere; or more than 3 keywords, never a phrase with
    # a function word: ขอทราบชื่อสินค้าหน่อย, วันเกิดของกิมย้ง? of iApp)
    unheard = not verbatim and _gibberish(finder, words)
    keywords = len(words) == len(terms)
    if (unheard or keywords and (not known or len(terms) > MAX_SPLIT_WORDS)) and not in_sentence and short:
        return [Clause([typed], quoted=True)]
    return [clause]


def _corrected(
    finder: Finder, typed: str, c: Chunk, verbatim: set, out: Rewrite, asks: bool, alone: bool,
) -> list[Clause] | None:
    """A misspelling corrected (the notice says so), else None.

    A misspelling is one edit from a word held by many more documents than hold what was typed,
    even inside words (in 63,241 releases ยาเสพติต is in 4, and every syllable of คณะรัฐมนตี is an
    index word: neither "found nowhere" nor "no real words" holds).  A query of one two-word clause
    holding a question word is more likely a slip (ไฟไหม is ไฟไหม้ missing its tone mark); a
    question's other clauses are never corrected.  A word found as typed somewhere is a misspelling
    only when typed alone (ยาเสพติต); among other words it is more likely a rare name (เจ้ากอง,
    แรนด์ of iApp questions): kept."""
    slip = alone and len(c.words) <= 2 and not question_words().isdisjoint(c.words)
    if (asks and not slip) or (verbatim and not alone):
        return None
    fix = correct(finder, typed, len(verbatim))
    if fix is None:
        return None
    out.literal |= verbatim
    out.typed.append(c.text)
    out.corrected = True
    out.notices.append(Notice("corrected", CORRECTED.format(fix.meant), meant=fix.meant, typed=c.text))
    return [Clause([fix.meant])]


def _read_without_mark(finder: Finder, c: Chunk) -> str | None:
    """The clause less one tone mark, where a document holds it (inside other words too),
    when one of its words is held by no document: OCR loses the mark above a short word
    (ต่ำกว่า read ตำกว่า), and the clause was matched as typed only (gibberish), so its
    record was never found.  Clauses of index words pay no scan for it."""
    if all(finder.doc_frequency(w) > 0 for w in c.words):
        return None
    for form in without_a_tone_mark(c.text):
        if not finder.budget.may_scan():
            break
        if finder.verbatim(chunk(form)).positions or finder.partial(form):
            return form
    return None


def _gibberish(finder: Finder, words: list[str]) -> bool:
    """Fragments of gibberish: a piece no document holds that is no taxonomy term, or mostly
    lone letters (ฮ, ง of มิฮริง; one lone letter among five words is a typo of a question:
    เม่นในไทยมีกีสายพันธ์ of iApp)."""
    lone = sum(1 for w in words if len(analysis.units(w)) < 2)
    if words and 2 * lone >= len(words):
        return True
    return any(finder.doc_frequency(w) == 0 and w not in _domain_terms() for w in words if len(analysis.units(w)) >= 2)


def _known(finder: Finder, word: str) -> bool:
    """A real word, not a syllable of a misspelling: held by the index (twice), or a term of
    the taxonomy (ลักลอบข้ามแดน, held by no document of a small collection, is one)."""
    if len(analysis.units(word)) < 2:
        return False
    if word in names():
        return True
    # one document is no evidence: in 63,241 releases, a syllable (ทพญ) often has one
    return finder.doc_frequency(word) >= 2 or word in _domain_terms()


@cache
def _domain_terms() -> frozenset[str]:
    return frozenset(domain_terms())


def _terms(finder: Finder, words: list[str]) -> list[str]:
    """The words, adjacent ones joined where together they are one known term (a
    name or thesaurus term, or one word of the index): อุทกภัย|กรุงเทพ|มหานคร →
    อุทกภัย, กรุงเทพมหานคร, as a user would space them."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + MAX_TERM_WORDS), i + 1, -1):
            joined = "".join(words[i:j])
            if len(expand(joined)) > 1 or thesaurus.knows(joined) or joined in names() or finder.doc_frequency(joined) > 0:
                out.append(joined)
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _join_english(clauses: list[Clause]) -> list[Clause]:
    """Adjacent Latin words that the thesaurus knows together (human trafficking,
    national security council) become one clause, the longest run first."""
    out: list[Clause] = []
    i = 0
    while i < len(clauses):
        for j in range(min(len(clauses), i + MAX_ENGLISH_WORDS), i + 1, -1):
            run = clauses[i:j]
            if any(c.quoted or len(c.alternatives) != 1 for c in run):
                continue
            joined = " ".join(c.alternatives[0] for c in run)
            if joined.isascii() and thesaurus.knows(joined):
                # one name, not three keywords: a phrase, never relaxed to documents holding
                # "national" or "council" (2,543 of 63,241 releases)
                out.append(Clause([joined], quoted=True))
                i = j
                break
        else:
            out.append(clauses[i])
            i += 1
    return out
