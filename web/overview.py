"""The overview page (``/stats``) as a view of the current search.

Given no parameters it shows the whole collection, as before; given a query
and filters it shows the same charts for that result: facet counts come from
the search's own facet machinery, documents per month too (the ``month``
facet).  Every chart link adds a filter to the current search.
"""
from __future__ import annotations

from kb import taxonomy
from kb.models import SearchResult
from web.charts import bar_rows, province_map, timeline
from web.present import State

TOP_PROVINCES = 25


def month_counts(result: SearchResult) -> list[tuple[str, int]]:
    """Documents per month (``YYYY-MM``, oldest first) from the search's own ``month`` facet, counted
    as every facet is: as if the month selection were removed, so a chosen month's neighbours stay."""
    return sorted((fv.value, fv.count) for fv in result.facets.get("month", []) if fv.count)


def _rows(state: State, facet: str, entries: list[tuple[str, str, str]], counts: dict[str, int]) -> list[dict]:
    return bar_rows([
        {"value": value, "label": label, "title": title, "count": counts.get(value, 0), "url": state.add(facet, value)}
        for value, label, title in entries
    ])


def overview_context(state: State, result: SearchResult) -> dict:
    """Everything ``stats.html`` draws, for the search in ``state``."""
    counts = {name: {fv.value: fv.count for fv in values} for name, values in result.facets.items()}
    provinces = result.facets.get("province", [])
    chart = timeline(month_counts(result))
    selected = set(state.req.selected("month"))
    for bar in chart["bars"]:
        bar["url"] = state.add("month", bar["month"])
        bar["selected"] = bar["month"] in selected
    tile_map = province_map(counts.get("province", {}))
    for square in tile_map["squares"]:
        square["url"] = state.add("province", square["name"])
    return {
        "state": state,
        "documents": result.total,
        "plans": _rows(state, "plan", [(str(p["no"]), f"{p['no']}. {p['short']}", p["title"]) for p in taxonomy.plans()], counts["plan"]),
        "topics": _rows(state, "topic", [(t["key"], t["label"], t["label"]) for t in taxonomy.topics()], counts["topic"]),
        # the map shows all 77; the bar list keeps to the busiest so the page stays short
        "provinces": _rows(state, "province", [(fv.value, fv.label, fv.label) for fv in provinces[:TOP_PROVINCES]], counts["province"]),
        "province_count": len([fv for fv in provinces if fv.count]),
        "types": _rows(state, "type", [(t["key"], t["label"], t["label"]) for t in taxonomy.doc_types()], counts["type"]),
        "timeline": chart,
        "map": tile_map,
    }
