"""The interface language: Thai by default, English for partner universities.

``?lang=en`` (or ``?lang=th``) chooses the language and a cookie remembers it;
documents themselves stay Thai.  Interface text is written in Thai in the
templates and wrapped in ``_()``: the English catalogue (``web/messages_en.json``)
maps each Thai text to its English one, so a text missing from the catalogue
shows in Thai rather than breaking.  Facet titles and values take their English
labels from the taxonomy data (``label_en``, ``name_en``, ``short_en``).
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from urllib.parse import urlencode

from flask import Flask, Response, g, request

from kb import taxonomy

LANGS = ("th", "en")
COOKIE = "kb_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
FACET_TITLES_EN = {
    "plan": "Security plan", "province": "Province", "region": "Region", "region4": "Region (4 security regions)", "topic": "Topic",
    "type": "Document type", "year": "Year (B.E.)", "agency": "Agency",
    "subregion": "Sub-region (NESDC)", "month": "Month", "committee": "Committee / meeting",
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@cache
def catalogue() -> dict[str, str]:
    """Thai interface text → English."""
    text = resources.files(__package__).joinpath("messages_en.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def current() -> str:
    """The language of this request: ``?lang=``, else the cookie, else Thai."""
    return getattr(g, "ui_lang", "th")


def _choose() -> None:
    asked = (request.args.get("lang") or "").strip().lower()
    remembered = request.cookies.get(COOKIE, "")
    g.ui_lang = asked if asked in LANGS else (remembered if remembered in LANGS else "th")
    g.ui_lang_asked = asked in LANGS


def _remember(response: Response) -> Response:
    if getattr(g, "ui_lang_asked", False):
        response.set_cookie(COOKIE, g.ui_lang, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


def translate(thai: str, **values: object) -> str:
    """``thai`` in the current language, with ``{name}`` fields filled from ``values``.

    Thai nouns have no plural; English ones do: with ``n=1`` the catalogue's ``<thai>#one``
    entry is used when there is one ("1 document", not "1 documents")."""
    english = catalogue()
    singular = values.get("n") == 1 and english.get(f"{thai}#one")
    text = (singular or english.get(thai, thai)) if current() == "en" else thai
    return text.format(**values) if values else text


def facet_title(name: str, thai_title: str) -> str:
    """A facet's title in the current language."""
    return FACET_TITLES_EN.get(name, thai_title) if current() == "en" else thai_title


@cache
def _english_values() -> dict[str, dict[str, str]]:
    return {
        "type": {t["key"]: t.get("label_en", t["label"]) for t in taxonomy.doc_types()},
        "region": {r["key"]: r.get("label_en", r["label"]) for r in taxonomy.regions()},
        "region4": {r["key"]: r.get("label_en", r["label"]) for r in taxonomy.region_schemes()["security-4"]["regions"]},
        "topic": {t["key"]: t.get("label_en", t["label"]) for t in taxonomy.topics()},
        "plan": {str(p["no"]): f"Plan {p['no']}: {p.get('short_en', p['short'])}" for p in taxonomy.plans()},
        "province": {p["name"]: p.get("name_en", p["name"]) for p in taxonomy.provinces()},
        "agency": {a["abbr"]: a.get("label_en", a["abbr"]) for a in taxonomy.agencies()},
        "subregion": {s["key"]: s.get("label_en", s["label"]) for s in taxonomy.subregions()},
    }


def english_month(ym: str) -> str:
    """``2025-03`` → ``Mar 2025`` (the value itself when it is not a month)."""
    year, _, month = str(ym).partition("-")
    if year.isdigit() and month[:2].isdigit() and 1 <= int(month[:2]) <= 12:
        return f"{MONTHS_EN[int(month[:2]) - 1]} {year}"
    return str(ym)


def value_label(facet: str, value: object, thai_label: str | None = None) -> str:
    """A facet value's label in the current language (Thai from the registry, English from the data)."""
    thai = thai_label if thai_label is not None else taxonomy.label(facet, str(value))
    if current() != "en":
        return thai
    if facet == "month":
        return english_month(str(value))
    return _english_values().get(facet, {}).get(str(value), thai)


# What each search notice (``kb.notices.Notice``) says in English; its parameters are filled in
# by ``_notice_values``.  A notice without a code, or a code missing here, shows in Thai.
NOTICES_EN = {
    "query_cut": "The query is too long: only its first {most} parts are searched.",
    "or_cut": "Only the first {most} OR alternatives of a word are used.",
    "alternatives_cut": "The query has too many alternatives: only the first {most} are used.",
    "nothing_searchable": "The query has no letters or digits to search for, so every document that passes the filters is shown.",
    "year_filter": "Filtered by year: {years}.",
    "region_filter": "Filtered by region (4 security regions): {regions}.",
    "subregion_filter": "Filtered by sub-region: {subregions}.",
    "corrected": "Showing results for {meant}.",
    "partial": "Few documents hold the query as a whole word, so documents where it is part of another word follow.",
    "relaxed": "Too few documents hold every query word, so documents holding most of them follow.",
    "over_budget": "This search took longer than allowed: showing what was found so far (the order may be incomplete).",
    "scans_limited": "The query has too many parts: its later parts match whole words only.",
    "tone_mark_dropped": "Documents reading {read} (a tone mark missing, as OCR often reads it) are included.",
    # why a parameter was refused (``kb.params.BadParameter`` reasons), shown on the error page
    "not_integer": "'{raw}' is not a whole number",
    "out_of_range": "must be between {lo} and {hi} (got {got})",
    "bad_year": "'{raw}' is not a possible year (give it A.D. or B.E.)",
    "bad_date": "'{raw}' is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)",
    "no_such_date": "'{raw}' is not a date in the calendar",
    "bad_month": "'{raw}' is not a month (use YYYY-MM, e.g. 2568-03 or 2025-03)",
    "unknown_value": "unknown value '{value}'{known}",
    "unknown_province": "unknown province '{value}'",
    "unknown_agency": "unknown agency '{value}'",
    "too_many_values": "at most {most} values may be given (got {got})",
    "nul": "it holds a NUL character, which cannot be searched",
    "query_too_long": "the query is longer than {most} characters ({got} characters)",
    "from_after_to": "the start date {start} is after the end date {end}",
    "one_of": "must be one of: {choices}",
    "result_window": "results can be viewed up to number {most} only; please narrow the search",
    "committee_too_long": "the committee name is longer than {most} characters",
    "not_utf8": "it is not valid UTF-8 text (the link holds a %XX code that decodes to no character, or cuts one in half)",
    "unknown_param": "unknown parameter '{name}' (accepted: {allowed})",
    "stats_whole_collection": "/api/stats counts the whole collection and takes no '{name}'; the counts of a search are /stats.json?q=…",
}


def _notice_values(params: dict) -> dict[str, object]:
    values: dict[str, object] = dict(params)
    if "known" in params:
        values["known"] = f" (accepted values: {', '.join(params['known'])})" if params["known"] else ""
    for key in ("choices", "allowed"):
        if key in params:
            values[key] = ", ".join(params[key])
    if "years" in params:
        values["years"] = ", ".join(f"{y} (B.E. {int(y) + 543})" for y in params["years"])
    for facet, key in (("region4", "regions"), ("subregion", "subregions")):
        if key in params:
            values[key] = ", ".join(_english_values()[facet].get(v, str(v)) for v in params[key])
    return values


def notice_text(notice: str) -> str:
    """A search notice (or any message made as a ``Notice``) in the current language: its Thai
    text, or its English one by its code; a plain Thai string is looked up in the catalogue."""
    english = NOTICES_EN.get(getattr(notice, "code", None) or "")
    if current() != "en" or english is None:
        return translate(str(notice))
    try:
        return english.format(**_notice_values(getattr(notice, "params", {})))
    except (KeyError, IndexError, ValueError):  # parameters the English text does not know: say it in Thai
        return str(notice)


# the region scheme each region facet's values follow
FACET_SCHEMES = {"region": taxonomy.DEFAULT_REGION_SCHEME, "region4": "security-4", "subregion": "nesdc-subregions"}


def region_scheme_label(facet: str = "region") -> str:
    """The name of the region scheme a region facet follows, in the current language ("" for other facets)."""
    scheme = taxonomy.region_schemes().get(FACET_SCHEMES.get(facet, ""), {})
    if current() == "en":
        return scheme.get("label_en", "")
    return scheme.get("label", "")


def switch_url(lang: str) -> str:
    """This page in ``lang`` (the choice is then remembered); an error page switches at the home page."""
    if g.get("error_page"):
        return f"/?{urlencode([('lang', lang)])}"
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", lang)]
    return f"{request.path}?{urlencode(pairs)}"


def init_app(app: Flask) -> None:
    """Choose the language before each request; remember an explicit choice after it."""
    app.before_request(_choose)
    app.after_request(_remember)
    app.add_template_global(translate, "_")
    app.add_template_global(current, "ui_lang")
    app.add_template_global(facet_title, "facet_title")
    app.add_template_global(value_label, "value_label")
    app.add_template_global(switch_url, "lang_switch_url")
    app.add_template_global(region_scheme_label, "region_scheme_label")
    app.add_template_global(notice_text, "notice_text")
