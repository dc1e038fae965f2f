"""The project's fixed vocabularies, read from the JSON files beside this module.

Plans, provinces, regions, topics, agencies and document types are data, not code:
adding a synonym, an alias or a lexicon term is an edit of a JSON file here and
never needs a code change.  Each file is read once, lazily, on first use, so
importing ``kb.taxonomy`` costs nothing.

The values that cross module borders are the keys: plan numbers (``"3"`` as a
facet value), canonical Thai province names, region keys (``north`` ...), topic
keys (``drugs`` ...) and document types (``news`` ...).  ``label`` turns any of
them into the Thai text a reader sees.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


__all__ = [
    "plans",
    "provinces",
    "province_context",
    "regions",
    "region_exclusions",
    "region_abroad_links",
    "topics",
    "topic_scoring",
    "agencies",
    "agency_blockers",
    "agency_context",
    "agency_longer_abbreviations",
    "doc_types",
    "type_cues",
    "plan_context",
    "plan_title_cues",
    "label",
    "values",
    "region_of",
    "security_region_by_province",
    "subregions",
    "subregion_by_province",
    "subregion_phrases",
    "SECURITY_REGION_OF_OFFICIAL",
    "synonyms",
    "dictionary_terms",
    "compound_names",
    "thesaurus",
    "foreign_states",
]


@cache
def _load(name: str) -> dict[str, Any]:
    """One taxonomy file as parsed JSON (cached: the files never change at run time)."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def plans() -> list[dict]:
    """The 17 plans: no, title, short, lead_agency, group, alt_titles."""
    return _load("plans.json")["plans"]


def policy_title() -> str:
    """The policy's full Thai name (นโยบายและแผนระดับชาติว่าด้วยความมั่นคงแห่งชาติ ...)."""
    return _load("plans.json")["policy_title"]


def plan_context() -> dict[str, list[str]]:
    """Phrases that show a text speaks about the security policy, and plan-related words."""
    data = _load("plans.json")
    return {"context_markers": data["context_markers"], "terms": data["terms"]}


def plan_title_cues() -> dict[str, list[str]]:
    """Words around a full plan title: lead-ins naming a policy area, and continuations naming another plan."""
    data = _load("plans.json")
    return {k: data[k] for k in ("policy_area_lead_ins", "other_plan_continuations")}


def provinces() -> list[dict]:
    """The 77 provinces: name, abbr_th, name_en, region, aliases, trap, exclude."""
    return _load("provinces.json")["provinces"]


def province_context() -> dict[str, list[str]]:
    """Context words that decide whether a province name in running text counts."""
    data = _load("provinces.json")["context"]
    return {k: v for k, v in data.items() if not k.startswith("_")}


def regions() -> list[dict]:
    """The six regions: key, label, phrases."""
    return _load("regions.json")["regions"]


DEFAULT_REGION_SCHEME = "official-6"  # the scheme the region facet's values follow


def region_schemes() -> dict[str, dict]:
    """The region schemes by name: ``official-6`` (the facet's) and ``security-4`` (army regions, with provinces)."""
    return _load("regions.json").get("schemes", {})


# a region named in text (not implied by a province) → its region in the security-4 scheme
SECURITY_REGION_OF_OFFICIAL = {"east": "central", "west": "central"}


@cache
def security_region_by_province() -> dict[str, str]:
    """Province → its region key in the ``security-4`` scheme (ตาก → north)."""
    scheme = region_schemes()["security-4"]["regions"]
    return {p: r["key"] for r in scheme for p in r["provinces"]}


def subregions() -> list[dict]:
    """Sub-regions NSC documents name (ภาคเหนือตอนล่าง ...), in the NESDC scheme ``regions.json``
    describes: key, label, label_en, region4 (the security region it lies in), phrases, provinces."""
    return _load("regions.json").get("subregions", [])


@cache
def subregion_by_province() -> dict[str, str]:
    """Province → its sub-region key (ตาก → lower-north); every province has one."""
    return {p: s["key"] for s in subregions() for p in s["provinces"]}


@cache
def subregion_phrases() -> dict[str, str]:
    """Words that name a sub-region (ภาคเหนือตอนล่าง, อีสานตอนบน) → its key."""
    return {phrase: s["key"] for s in subregions() for phrase in s.get("phrases", [])}


def region_exclusions() -> list[str]:
    """Phrases (Middle East, ภูมิภาค ...) inside which a region phrase is not a Thai region."""
    return _load("regions.json")["exclude"]


def region_abroad_links() -> list[str]:
    """Words (ของ, ใน ...) that, between a region phrase and a foreign state's name, make it that state's region."""
    return _load("regions.json").get("abroad_links", [])


def topics() -> list[dict]:
    """The 12 topics: key, label, strong and weak lexicon terms, exclude phrases."""
    return _load("topics.json")["topics"]


def agencies() -> list[dict]:
    """Agencies: canonical abbr, full Thai name, aliases."""
    return _load("agencies.json")["agencies"]


def agency_blockers() -> list[str]:
    """Other names that contain an agency abbreviation but are not that agency."""
    return _load("agencies.json")["blockers"]


def agency_context() -> dict[str, list[str]]:
    """minister_titles (before a ministry's short name they name it) and not_after (words that make
    a name or alias after them part of a law's or a procedure's name)."""
    data = _load("agencies.json")
    return {k: data[k] for k in ("minister_titles", "not_after")}


def agency_longer_abbreviations() -> list[str]:
    """Other agencies' abbreviations that end in one of ours (กปภ., มทบ.), mined from the corpus."""
    return _load("agency_longer_abbreviations.json")["forms"]


def doc_types() -> list[dict]:
    """Document types (news, meeting, plan, other) with Thai labels."""
    return _load("types.json")["types"]


def type_cues() -> dict[str, list[str]]:
    """Title and text cues that tell a plan, a meeting record or a news release."""
    return {k: v for k, v in _load("types.json").items() if k not in ("types", "_doc")}


def label(facet: str, value: str) -> str:
    """The Thai label shown for a facet value; an unknown value (or facet) is shown as itself.

    Years are stored Gregorian but Thai readers count in the Buddhist Era, so a
    year facet value ``"2024"`` is labelled ``"2567"``.  The facet registry
    (``kb.facets``) knows each facet's labels; this is its shortcut by name.
    """
    from kb.facets import facet as registered_facet  # kb.facets reads this module's data

    try:
        return registered_facet(facet).label(str(value))
    except KeyError:
        return str(value)


def values(facet: str) -> list[str]:
    """Every known value of a facet, in display order; years are an open set ([])."""
    from kb.facets import facet as registered_facet

    try:
        return registered_facet(facet).values()
    except KeyError:
        return []


@cache
def _region_by_province() -> dict[str, str]:
    return {p["name"]: p["region"] for p in provinces()}


def region_of(province: str) -> str:
    """Region key of a canonical province name (KeyError for an unknown name)."""
    return _region_by_province()[province]


@cache
def _synonyms() -> tuple[tuple[str, ...], ...]:
    groups: list[tuple[str, ...]] = []
    for p in provinces():
        groups.append(tuple(dict.fromkeys([p["name"], *p["aliases"]])))
    for a in agencies():
        groups.append(tuple(dict.fromkeys([a["abbr"], a["name"], *a["aliases"]])))
    return tuple(g for g in groups if len(g) > 1)


def synonyms() -> list[list[str]]:
    """Groups of equivalent strings for query expansion (a province and its aliases,
    an agency's abbreviation, full name and aliases); the first string is canonical."""
    return [list(g) for g in _synonyms()]


@cache
def _dictionary_terms() -> tuple[str, ...]:
    terms: list[str] = []
    for p in provinces():
        terms += [p["name"], *p["aliases"]]
    for a in agencies():
        terms += [a["abbr"], a["name"], *a["aliases"]]
    terms += plan_context()["terms"]
    for p in plans():
        terms.append(p["short"])
    for r in regions():
        terms += [r["label"], *r["phrases"]]
    for t in topics():
        terms += [*t["strong"], *t["weak"]]
    cleaned = (t.strip().rstrip(".") for t in terms)
    # The segmenter's dictionary holds Thai words: drop English names and
    # multi-word phrases (their parts are words of their own).
    thai = (t for t in cleaned if t and not any(c.isspace() for c in t) and any("\u0e00" <= c <= "\u0e7f" for c in t))
    return tuple(dict.fromkeys(thai))


def dictionary_terms() -> list[str]:
    """Domain words for the word segmenter's custom dictionary, so that a province,
    an agency or a topic term is kept whole (trailing abbreviation periods removed)."""
    return list(_dictionary_terms())


def foreign_states() -> dict[str, Any]:
    """The gazetteer of foreign states and international organisations (foreign_states.json):
    states, organisations, not_names, nationality_heads, place_links, state_titles."""
    return {k: v for k, v in _load("foreign_states.json").items() if not k.startswith("_")}


def topic_scoring() -> dict[str, Any]:
    """The numbers and word lists that decide when a document covers a topic
    (sentence length, list-of-threats rule, agency-name prefixes; topics.json "scoring")."""
    return {k: v for k, v in _load("topics.json")["scoring"].items() if not k.startswith("_")}


def compound_names() -> list[str]:
    """Names the word segmenter cuts into ordinary words (ตากใบ, ท่าจีน): compounds.json."""
    return list(_load("compounds.json")["names"])


def thesaurus() -> dict[str, list[list[str]]]:
    """Everyday ↔ official terms ("groups") and English names ("english"): thesaurus.json.
    Each group names one thing; its first term is the official or usual written form."""
    data = _load("thesaurus.json")
    return {"groups": [list(g) for g in data["groups"]], "english": [list(g) for g in data["english"]]}
