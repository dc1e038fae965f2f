"""The facet registry: one object per facet, and everything kb knows about it.

A facet is a way to narrow a search by a document's metadata (plan, province,
agency …).  Each one is a single ``Facet`` entry in ``REGISTRY`` saying: its
name (the request parameter, the JSON key and the CLI option ``--<name>``), the
``Document`` attribute it reads, its Thai sidebar title and labels, its display
order, how a raw parameter value is validated, how it is stored in the index,
and whether it is a CSV column or an Atom category.  ``kb.params``, the
engine's metadata, the CLI, facet counting, the sidebar and the exports all
iterate the registry, so adding a facet is one entry here plus its taxonomy
data (docs/design.md walks through ``agency``).

Importable by the engine: this module imports neither ``kb.engine`` nor ``web``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable

from kb import taxonomy
from kb.params import BadParameter, canonical_values, choice_values, int_in_range, year_value
from kb.thai import thai_digits_to_arabic
from kb.thai.calendar import MONTHS_ABBR, to_buddhist_era, to_common_era

# display orders of a facet's values in counts and the sidebar
NUMERIC = "numeric"  # by value as a number (plans 1, 2, … 17)
NEWEST = "newest"  # by value as a number, largest first (years)
COUNT = "count"  # most documents first, then by label


@dataclass(frozen=True)
class Facet:
    """A facet whose values are a closed set of taxonomy keys (region, topic, type)."""

    name: str  # request parameter, JSON key, CLI option --<name>
    attribute: str  # the Document attribute it reads (a list, or one string)
    title: str  # Thai title of its sidebar group and filter chips
    sidebar: int  # position in the sidebar (smaller first)
    labels_of: Callable[[], dict[str, str]]  # value → Thai label, from the taxonomy data, in display order
    order: str = COUNT
    cli_help: str = ""
    cli_choices: bool = False  # the CLI offers the known values as a click.Choice
    stored: bool = True  # kept in ``IndexedDoc.facets``; False: derived from the document's date
    csv_column: str | None = None  # column name in the CSV export (None: not a column of its own)
    atom_category: int | None = None  # position among an Atom entry's categories (None: not a category)

    @cached_property
    def labels(self) -> dict[str, str]:
        return self.labels_of()

    def label(self, value: str) -> str:
        """The Thai label shown for ``value``; an unknown value is shown as itself."""
        return self.labels.get(str(value), str(value))

    def values(self) -> list[str]:
        """Every known value, in display order ([] for an open set such as years)."""
        return list(self.labels)

    def parse(self, raw: list[str]) -> list[Any]:
        """The canonical values of the raw parameter values (deduplicated, in order),
        or ``BadParameter`` naming this facet with the reason in Thai."""
        return choice_values(self.name, raw, self.values())

    def document_values(self, doc: Any) -> list[str]:
        """A ``Document``'s (or ``Hit``'s) values of this facet, as strings."""
        value = getattr(doc, self.attribute)
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value]
        return [str(value)] if value else []

    def derived_values(self, date: str) -> tuple[str, ...]:
        """The values of a facet that is not stored, from the document's ISO date."""
        return ()

    def sort_key(self) -> Callable[[Any], object]:
        """Key for sorting ``FacetValue``s in this facet's display order."""
        if self.order == NUMERIC:
            return lambda fv: int(fv.value)
        if self.order == NEWEST:
            return lambda fv: -int(fv.value)
        return lambda fv: (-fv.count, fv.label)


@dataclass(frozen=True)
class NumberFacet(Facet):
    """Whole numbers within the range the taxonomy knows (plans 1 … 17)."""

    def parse(self, raw: list[str]) -> list[Any]:
        numbers = [int(v) for v in self.values()]
        return list(dict.fromkeys(int_in_range(self.name, v, min(numbers), max(numbers)) for v in raw))


@dataclass(frozen=True)
class NamedFacet(Facet):
    """Canonical names that texts and users spell several ways (provinces, agencies).

    ``spellings_of`` gives every accepted spelling → canonical value; Latin
    spellings match in any case.  ``unknown`` is the Thai reason for a value
    that is none of them, with ``{value}`` in it.
    """

    spellings_of: Callable[[], Iterable[tuple[str, str]]] = lambda: ()
    unknown: str = "ไม่รู้จักค่า '{value}'"

    @cached_property
    def spellings(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for spelling, value in self.spellings_of():
            out.setdefault(spelling, value)
            out.setdefault(spelling.lower(), value)
        return out

    def parse(self, raw: list[str]) -> list[Any]:
        return canonical_values(self.name, raw, self._canonical)

    def _canonical(self, value: str) -> str | None:
        v = value.strip()
        found = self.spellings.get(v) or self.spellings.get(v.lower())
        if found is None:
            raise BadParameter(self.name, self.unknown.format(value=v[:60]), f"unknown_{self.name}", value=v[:60])
        return found


@dataclass(frozen=True)
class YearFacet(Facet):
    """Years of the document's date: stored Gregorian, labelled and accepted in the Buddhist Era too."""

    def label(self, value: str) -> str:
        value = str(value)
        return str(to_buddhist_era(int(value))) if value.isdigit() else value

    def parse(self, raw: list[str]) -> list[Any]:
        return list(dict.fromkeys(year_value(self.name, v) for v in raw))

    def document_values(self, doc: Any) -> list[str]:
        return list(self.derived_values(getattr(doc, self.attribute) or ""))

    def derived_values(self, date: str) -> tuple[str, ...]:
        return (date[:4],) if date else ()


@dataclass(frozen=True)
class CommitteeFacet(Facet):
    """The committee that met, from a meeting record's heading: an open set of names, each
    spelt one way (``kb.extract.meeting.normalize_committee``), so a request may spell it loosely."""

    max_chars: int = 200

    def parse(self, raw: list[str]) -> list[Any]:
        from kb.extract.meeting import normalize_committee  # the extraction package is heavy to import

        out: list[str] = []
        for value in raw:
            if len(value) > self.max_chars:
                raise BadParameter(self.name, f"ชื่อคณะกรรมการยาวเกิน {self.max_chars} ตัวอักษร", "too_long_name", most=self.max_chars)
            name = normalize_committee(value)
            if name and name not in out:
                out.append(name)
        return out

    def document_values(self, doc: Any) -> list[str]:
        committee = (getattr(doc, self.attribute, None) or {}).get("committee")
        return [committee] if committee else []


@dataclass(frozen=True)
class SchemeRegionFacet(Facet):
    """Regions in the 4-region scheme security agencies report by (``security-4`` in regions.json).

    Derived at index time from the document's provinces (Tak and Phitsanulok are
    northern here) plus the regions its text names (ภาคตะวันออก/ภาคตะวันตก fold into
    the Centre, as the First Army Region covers them), so ``region=`` keeps its
    official 6-region meaning and ``region4=`` answers in the security scheme.
    """

    def document_values(self, doc: Any) -> list[str]:
        provinces = [str(p) for p in getattr(doc, "provinces", ()) or ()]
        by_province = taxonomy.security_region_by_province()
        found = {by_province[p] for p in provinces if p in by_province}
        implied = {taxonomy.region_of(p) for p in provinces if p in by_province}
        named = {str(r) for r in getattr(doc, self.attribute, ()) or ()} - implied
        found |= {taxonomy.SECURITY_REGION_OF_OFFICIAL.get(r, r) for r in named}
        return [key for key in self.labels if key in found]


@dataclass(frozen=True)
class SubregionFacet(Facet):
    """Sub-regions NSC documents name (ภาคเหนือตอนล่าง, ภาคตะวันออกเฉียงเหนือตอนบน …), in the NESDC
    scheme of ``subregions`` in regions.json: those of the document's provinces plus those its
    title or text names, so a plan for "ภาคใต้ตอนล่าง" is found without a province in it."""

    def document_values(self, doc: Any) -> list[str]:
        by_province = taxonomy.subregion_by_province()
        found = {by_province[p] for p in (str(p) for p in getattr(doc, "provinces", ()) or ()) if p in by_province}
        text = f"{getattr(doc, 'title', '') or ''}\n{getattr(doc, 'text', '') or ''}"
        found |= {key for phrase, key in taxonomy.subregion_phrases().items() if phrase in text}
        return [key for key in self.labels if key in found]


@dataclass(frozen=True)
class MonthFacet(Facet):
    """Months of the document's date (``2025-03``), derived like years: labelled in the Buddhist
    Era (``มี.ค. 2568``) and accepted in either era (``?month=2568-03`` is March 2025)."""

    def label(self, value: str) -> str:
        year, month = _year_month(str(value))
        return f"{MONTHS_ABBR[month - 1]} {to_buddhist_era(year)}" if year else str(value)

    def parse(self, raw: list[str]) -> list[Any]:
        return list(dict.fromkeys(_month_value(self.name, v) for v in raw))

    def document_values(self, doc: Any) -> list[str]:
        return list(self.derived_values(getattr(doc, self.attribute) or ""))

    def derived_values(self, date: str) -> tuple[str, ...]:
        return (date[:7],) if _year_month(date[:7])[0] else ()

    def sort_key(self) -> Callable[[Any], object]:
        return lambda fv: tuple(-n for n in _year_month(fv.value))  # newest first, as years are


def _year_month(value: str) -> tuple[int, int]:
    """``2025-03`` → (2025, 3); (0, 0) for anything else."""
    year, _, month = value.partition("-")
    if len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return int(year), int(month)
    return 0, 0


def _month_value(param: str, raw: str) -> str:
    """``2025-03`` from ``2025-03``, ``2568-3`` or ``๒๕๖๘-๐๓`` (a Buddhist-Era year is converted)."""
    text = thai_digits_to_arabic(raw.strip())
    year, month = _year_month(text if len(text) == 7 else f"{text[:5]}0{text[5:]}")
    if not year or not 1900 <= to_common_era(year) <= 2100:
        raise BadParameter(param, f"'{raw[:40]}' ไม่ใช่เดือน (ใช้รูปแบบ YYYY-MM เช่น 2568-03 หรือ 2025-03)", "not_month", value=raw[:40])
    return f"{to_common_era(year):04d}-{month:02d}"


def _province_spellings() -> Iterable[tuple[str, str]]:
    for p in taxonomy.provinces():
        for spelling in (p["name"], *p.get("aliases", []), p.get("name_en", "")):
            if spelling:
                yield spelling, p["name"]


def _agency_spellings() -> Iterable[tuple[str, str]]:
    for a in taxonomy.agencies():
        for spelling in (a["abbr"], a["abbr"].rstrip("."), a["name"], *a["aliases"]):
            yield spelling, a["abbr"]


# The order of the registry is the order of the facets in /api/search's JSON,
# in URLs and CSV columns; the sidebar has its own order (``sidebar``).
REGISTRY: tuple[Facet, ...] = (
    NumberFacet(
        "plan", "plans", "แผนความมั่นคง", sidebar=20, order=NUMERIC, csv_column="plans", atom_category=2,
        labels_of=lambda: {str(p["no"]): f"แผนฯ ที่ {p['no']} {p['short']}" for p in taxonomy.plans()},
        cli_help="Plan number 1–{last} (repeatable).",
    ),
    NamedFacet(
        "province", "provinces", "จังหวัด", sidebar=60, csv_column="provinces", atom_category=3,
        labels_of=lambda: {p["name"]: p["name"] for p in taxonomy.provinces()},
        spellings_of=_province_spellings, unknown="ไม่รู้จักจังหวัด '{value}'",
        cli_help="Province, Thai name or alias (repeatable).",
    ),
    Facet(
        "region", "regions", "ภาค", sidebar=50, csv_column="regions", cli_choices=True, cli_help="Region key.",
        labels_of=lambda: {r["key"]: r["label"] for r in taxonomy.regions()},
    ),
    Facet(
        "topic", "topics", "ประเด็น", sidebar=30, csv_column="topics", atom_category=4, cli_choices=True,
        labels_of=lambda: {t["key"]: t["label"] for t in taxonomy.topics()}, cli_help="Topic key.",
    ),
    Facet(
        "type", "type", "ประเภทเอกสาร", sidebar=10, atom_category=1, cli_choices=True, cli_help="Document type.",
        labels_of=lambda: {t["key"]: t["label"] for t in taxonomy.doc_types()},
    ),
    YearFacet(
        "year", "date", "ปี (พ.ศ.)", sidebar=70, order=NEWEST, stored=False, labels_of=dict,
        cli_help="Year, Gregorian or B.E. (repeatable).",
    ),
    NamedFacet(
        "agency", "agencies", "หน่วยงาน", sidebar=40, csv_column="agencies", atom_category=5,
        labels_of=lambda: {a["abbr"]: a["label"] for a in taxonomy.agencies()},
        spellings_of=_agency_spellings, unknown="ไม่รู้จักหน่วยงาน '{value}'",
        cli_help="Agency, abbreviation or full Thai name (repeatable).",
    ),
    CommitteeFacet(  # issue 14: meeting records by the committee that met
        "committee", "meeting", "คณะกรรมการ/ที่ประชุม", sidebar=45, labels_of=dict,
        cli_help="Committee of a meeting record, as its heading names it (repeatable).",
    ),
    SchemeRegionFacet(  # issue 15: the 4-region scheme of NSC and กอ.รมน. documents
        "region4", "regions", "ภาค (4 ภาคตามเขตกองทัพภาค)", sidebar=51, cli_choices=True,
        cli_help="Region key in the 4-region security scheme (Tak, Phitsanulok … are north).",
        labels_of=lambda: {r["key"]: r["label"] for r in taxonomy.region_schemes()["security-4"]["regions"]},
        csv_column="region4",
    ),
    SubregionFacet(  # issue 15: NSC sub-regions (ภาคเหนือตอนล่าง), each inside one region4 region
        "subregion", "provinces", "ภาคย่อย (ตามการแบ่งของ สศช.)", sidebar=52, cli_choices=True, csv_column="subregion",
        cli_help="Sub-region key (upper-north, lower-north, upper-northeast …).",
        labels_of=lambda: {s["key"]: s["label"] for s in taxonomy.subregions()},
    ),
    MonthFacet(  # issue 15: the overview's timeline counts months with the same machinery as every facet
        "month", "date", "เดือน", sidebar=71, stored=False, labels_of=dict,
        cli_help="Month YYYY-MM, Gregorian or B.E. (repeatable).",
    ),
)

_BY_NAME = {f.name: f for f in REGISTRY}


def facet(name: str) -> Facet:
    """The registered facet called ``name`` (KeyError for a facet kb does not know)."""
    return _BY_NAME[name]


def names() -> tuple[str, ...]:
    """Every facet's name, in registry order."""
    return tuple(_BY_NAME)


def sidebar() -> tuple[Facet, ...]:
    """The facets in sidebar order."""
    return tuple(sorted(REGISTRY, key=lambda f: f.sidebar))


def atom_categories() -> tuple[Facet, ...]:
    """The facets an Atom entry lists as categories, in their order."""
    return tuple(sorted((f for f in REGISTRY if f.atom_category is not None), key=lambda f: f.atom_category))


def document_facets(doc: Any) -> dict[str, list[str]]:
    """Every facet's values of a ``Document``, as strings, keyed by facet name."""
    return {f.name: f.document_values(doc) for f in REGISTRY}
