"""Plans of the National Security Policy and Plan a text references, by number or by title.

แผนที่ is also "map" and some plan titles are everyday phrases, so the rules
here are about context: a bare แผนที่ and an everyday title count only in a
text about the security policy (plans.json "context_markers").
"""
from __future__ import annotations

import re
from functools import cache

from kb import taxonomy
from kb.extract.lexicon import THAI_CHAR, Lexicon, Match, accept_listed, key, keys_hold, text_before
from kb.thai.digits import thai_digits_to_arabic

# แผน is written once, outside the alternatives, so that ``re`` searches for it as a literal.
_PLAN_ANCHOR = re.compile(r"แผน(?:\s*ความมั่นคง(?:แห่งชาติ)?\s*ฯ?\s*ที่|\s*ฯ\s*ที่|(?P<weak>ที่))")
_PLAN_NUMBERS = re.compile(
    r"\s*(?P<first>\d{1,2})(?!\d)(?![/:.]\d)"
    r"(?P<rest>(?:\s*(?:,\s*(?:และ|หรือ)?|และ|หรือ|-|–|—|ถึง)\s*(?:ที่\s*)?\d{1,2}(?!\d)(?![/:.]\d))*)"
)
# "แผนที่ 3 มิติ" is a 3-D map, not plan 3.
_NOT_A_PLAN_AFTER = re.compile(r"\s*(?:มิติ|D\b|:|ฉบับ)")
_PLAN_STEP = re.compile(r"\s*(?P<sep>,\s*(?:และ|หรือ)?|และ|หรือ|-|–|—|ถึง)\s*(?:ที่\s*)?(?P<no>\d{1,2})")
_RANGE_SEPARATORS = ("-", "–", "—", "ถึง")
_PLAN_WORD_BEFORE = re.compile(r"แผน(?:ความมั่นคง)?\s*ฯ?(?:\s*ที่\s*\d{1,2})?\s*(?:เรื่อง|ว่าด้วย)?$")
# แผน as the subject's plan: a subject marker after it (แผนว่าด้วย…, แผนเรื่อง…) or a
# law coordinated with it (กฎหมายและแผน…) makes what follows the subject of that law or plan.
_SUBJECT_LEAD = re.compile(
    r"(?:แผน\s*(?:ว่าด้วย|เรื่อง)|(?:กฎหมาย|พระราชบัญญัติ|พ\.ร\.บ\.)\s*(?:และ|หรือ|,)?\s*แผน(?:\s*(?:ว่าด้วย|เรื่อง))?)$"
)
# The security policy's own ways of saying แผน: แผนความมั่นคง…, แผนฯ, แผน… ที่ 9.
_SECURITY_PLAN_LEAD = re.compile(r"ความมั่นคง|ฯ|ที่\s*\d")
_PLAN_LEAD_IN = re.compile(r"(?:แผน(?:ความมั่นคง)?ฯ?|ว่าด้วย|เรื่อง|และ)$")
_ENUMERATOR_BEFORE = re.compile(r"(?:^|\s)\(?(?P<n>\d{1,2})[.)]?$")
# Between two titles of a list: spaces, commas, และ, numbering, a lead agency in brackets.
_TITLE_LIST_GAP = re.compile(r"(?:\s|,|และ|\(?\d{1,2}[.)]|\([^()]{1,25}(?:\([^()]{0,12}\))?[^()]{0,5}\))*")


@cache
def plan_title_lexicon() -> Lexicon:
    """Every plan's titles (whitespace-insensitive), valued by plan number; excludes block."""
    entries: list[tuple[str, str | None]] = []
    for p in taxonomy.plans():
        for title in [p["title"], *p.get("alt_titles", [])]:
            # Whitespace-insensitive: PDF extraction and editors break titles anywhere.
            entries.append((" ".join(key(title)), str(p["no"])))
        entries += [(" ".join(key(x)), None) for x in p.get("exclude", [])]
    return Lexicon(entries)


@cache
def _context_markers() -> tuple[str, ...]:
    return tuple(key(m) for m in taxonomy.plan_context()["context_markers"])


def _has_plan_context(text: str) -> bool:
    """True if the text's key holds a context marker (a plan is referred to)."""
    return keys_hold(text, _context_markers())


def _numbers_after_anchor(text: str, pos: int) -> list[int]:
    m = _PLAN_NUMBERS.match(text, pos)
    if not m or _NOT_A_PLAN_AFTER.match(text, m.end()):
        return []
    numbers = [int(m["first"])]
    for step in _PLAN_STEP.finditer(m["rest"]):
        n = int(step["no"])
        if step["sep"].strip() in _RANGE_SEPARATORS and numbers and numbers[-1] < n:
            numbers += list(range(numbers[-1] + 1, n + 1))
        else:
            numbers.append(n)
    return numbers


@cache
def _generic_titles() -> frozenset[str]:
    return frozenset(str(p["no"]) for p in taxonomy.plans() if p.get("generic_title"))


def _title_starts_cleanly(text: str, start: int) -> bool:
    """A title glued to the word before it is part of a longer phrase
    (ผู้บัญชาการป้องกัน..., ในการป้องกัน...), unless that word is แผน/ว่าด้วย
    or a policy-area lead-in (นโยบายด้าน)."""
    if start == 0 or not THAI_CHAR.match(text[start - 1]):
        return True
    return bool(_PLAN_LEAD_IN.search(text, 0, start)) or _named_as_policy_area(text, start)


@cache
def _policy_area_pattern() -> re.Pattern[str]:
    """Any lead-in of plans.json "policy_area_lead_ins" ending where a title starts (any spacing)."""
    leads = sorted((key(x) for x in taxonomy.plan_title_cues()["policy_area_lead_ins"]), key=len, reverse=True)
    if not leads:
        return re.compile(r"(?!)")
    return re.compile("(?:" + "|".join(r"\s*".join(map(re.escape, x)) for x in leads) + r")\s*$")


@cache
def _other_plan_pattern() -> re.Pattern[str]:
    """A continuation that makes a title part of another plan's or policy's name."""
    words = sorted((key(x) for x in taxonomy.plan_title_cues()["other_plan_continuations"]), key=len, reverse=True)
    if not words:
        return re.compile(r"(?!)")
    return re.compile(r"\s?(?:" + "|".join(r"\s*".join(map(re.escape, x)) for x in words) + ")")


def _named_as_policy_area(text: str, start: int) -> bool:
    """True if a policy-area lead-in (นโยบายด้าน ...) ends right before ``start``."""
    return _policy_area_pattern().search(text, max(0, start - 40), start) is not None


def _names_the_plan_by_title(text: str, m: Match, context: bool) -> bool:
    """A full title after a policy-area lead-in names the plan even without the
    word แผน, unless the title goes on into another plan's name ("...แห่งชาติ",
    "...จังหวัด").  A title that is also an everyday phrase (``generic_title``:
    disaster relief, trafficking) after a plain lead-in (นโยบายด้าน, which any
    ministry's policy has) needs the security policy cited: the lead-in or the
    title holds one of the policy's own terms (นโยบายความมั่นคงด้าน...,
    ...ความมั่นคงทางไซเบอร์), or the text is about the policy (``context``).
    A minister handing out "นโยบายด้านการป้องกันและบรรเทาสาธารณภัย" speaks of
    disaster policy, not of plan 9."""
    lead = _policy_area_pattern().search(text, max(0, m.start - 40), m.start)
    if lead is None or _other_plan_pattern().match(text, m.end):
        return False
    if context or m.value not in _generic_titles():
        return True
    phrase = key(text[lead.start() : m.end])
    return any(key(term) in phrase for term in taxonomy.plan_context()["terms"])


def _named_after_plan_word(before: str, no: str, context: bool) -> bool:
    """A title right after the word แผน names the plan, unless it is an everyday
    phrase (``generic_title``) that is the *subject* of a law or plan
    ("กฎหมายและแผนว่าด้วยการป้องกันและบรรเทาสาธารณภัย" is the disaster law's plan)
    in a text that does not cite the security policy, where the lead-in is not
    the policy's own (แผนความมั่นคงที่ 9 ว่าด้วย…, แผนฯ เรื่อง…).  The same evidence
    a plain policy-area lead-in needs (``_names_the_plan_by_title``)."""
    lead = _PLAN_WORD_BEFORE.search(before)
    if lead is None:
        return False
    if context or no not in _generic_titles() or _SECURITY_PLAN_LEAD.search(lead.group()):
        return True
    return _SUBJECT_LEAD.search(before) is None


def _numbered_as_plan(before: str, no: int) -> bool:
    """True if a title is numbered as that plan in a list ("8) การป้องกัน ปราบปราม...");
    lists of the four capacity plans (14–17) often restart at 1."""
    m = _ENUMERATOR_BEFORE.search(before)
    return bool(m) and int(m["n"]) in (no, no - 13)


def plans_documented(folded_title: str, plans: list[int]) -> list[int]:
    """The plans a plan document is the document of: those its title names, or
    every plan it references when its title is the policy's own."""
    if _policy_title_pattern().search(folded_title):
        return plans
    return plans_in(folded_title)


@cache
def _policy_title_pattern() -> re.Pattern[str]:
    # the policy's name without its years, any spacing
    name = taxonomy.policy_title().split("(")[0]
    return re.compile(r"\s*".join(re.escape(p) for p in name.split()))


def with_plan_topics(topics: list[str], plans: list[int]) -> list[str]:
    """A plan document covers its plans' subjects (plans.json "topic"), in taxonomy order."""
    keys = set(topics) | {p["topic"] for p in taxonomy.plans() if p["no"] in plans and p.get("topic")}
    return [t["key"] for t in taxonomy.topics() if t["key"] in keys]


def find_plans(text: str) -> list[int]:
    """Numbers (1–17) of the plans a text references, sorted.

    By number: after แผนความมั่นคงที่ / แผนฯ ที่ (lists and ranges too: "ที่ 3
    และ 5", "ที่ 1-4"), and after a bare แผนที่ only when the text is about the
    security policy (แผนที่ is also "map").  By title: right after the word แผน
    anywhere; in a text about the policy, a distinctive title anywhere, and a
    title that is also an everyday phrase (การป้องกันและบรรเทาสาธารณภัย) only
    when numbered or listed with other plan titles.
    """
    return plans_in(thai_digits_to_arabic(text))


@cache
def _plan_numbers() -> frozenset[int]:
    return frozenset(p["no"] for p in taxonomy.plans())


def plans_in(folded: str) -> list[int]:
    """``find_plans`` of a text whose Thai digits are already folded."""
    context = _has_plan_context(folded)
    found = _plans_by_number(folded, context) | _plans_by_title(folded, context)
    return sorted(found & _plan_numbers())


def _plans_by_number(t: str, context: bool) -> set[int]:
    found: set[int] = set()
    for anchor in _PLAN_ANCHOR.finditer(t):
        if anchor["weak"] and not context:
            continue
        found.update(_numbers_after_anchor(t, anchor.end()))
    return found


def _plans_by_title(t: str, context: bool) -> set[int]:
    # A title that goes on into another plan's name (...ด้านแรงงานของจังหวัด, ...แห่งชาติ) is that plan.
    titles = [
        m for m in plan_title_lexicon().find(t)
        if _title_starts_cleanly(t, m.start) and not _other_plan_pattern().match(t, m.end)
    ]
    accepted = []
    for m in titles:
        before = text_before(t, m.start, 60)
        accepted.append(
            _named_after_plan_word(before, m.value, context)
            or _names_the_plan_by_title(t, m, context)
            or context
            and (m.value not in _generic_titles() or _numbered_as_plan(before, int(m.value)))
        )
    if context:
        # A generic title listed next to an accepted one is part of the same list.
        accept_listed(titles, accepted, lambda left, right: _is_title_list_gap(t, left, right))
    return {int(m.value) for m, ok in zip(titles, accepted) if ok}


def _is_title_list_gap(t: str, left: Match, right: Match) -> bool:
    return _TITLE_LIST_GAP.fullmatch(t, left.end, right.start) is not None
