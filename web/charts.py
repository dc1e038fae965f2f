"""Geometry for the overview charts (bars, timeline, province tile map).

The charts are inline SVG drawn by the templates; this module only computes
sizes, positions and colours, so the Content-Security-Policy (no inline
styles) holds and the numbers are testable without a browser.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

from kb import taxonomy
from kb.thai.calendar import MONTHS_ABBR, to_buddhist_era

BAR_WIDTH = 240  # px of the longest bar
# light → dark; index 0 is "no documents"
SHADES = ("#eef1f4", "#cfe3f1", "#9ccbe6", "#5aa6d3", "#2a7bb5", "#0b4f86")
TILE = 44
GAP = 3


def bar_rows(rows: list[dict]) -> list[dict]:
    """Each row with ``width``: its bar's length scaled to the largest count."""
    top = max((r["count"] for r in rows), default=0) or 1
    return [dict(r, width=round(BAR_WIDTH * r["count"] / top, 1)) for r in rows]


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


TIMELINE_WIDTH = 600  # viewBox units the bars share; the SVG scales to its box (CSS width: 100%)


def timeline(month_counts: list[tuple[str, int]], height: int = 160, bar: int | None = None) -> dict:
    """Bars per month from the first to the last dated month (empty months included).

    The bars share a fixed drawing width, so every month and year present is
    drawn and the SVG (scaled to its box) never needs a scroll bar.
    """
    if not month_counts:
        return {"bars": [], "width": 0, "height": height, "ticks": [], "max": 0}
    counts = dict(month_counts)
    span = _month_range(month_counts[0][0], month_counts[-1][0])
    if bar is None:
        bar = max(2, min(14, (TIMELINE_WIDTH - 40) // len(span) - 2))
    top = max(counts.values()) or 1
    plot = height - 30
    bars, ticks = [], []
    for i, ym in enumerate(span):
        n = counts.get(ym, 0)
        h = round(plot * n / top, 1)
        x = 30 + i * (bar + 2)
        y, mo = int(ym[:4]), int(ym[5:7])
        bars.append({"x": x, "y": 10 + plot - h, "w": bar, "h": h, "count": n,
                     "label": f"{MONTHS_ABBR[mo - 1]} {to_buddhist_era(y)}", "month": ym})
        if mo == 1 or i == 0:
            ticks.append({"x": x, "label": str(to_buddhist_era(y)), "year": y})  # B.E. label; ``year`` A.D. (English)
    return {"bars": bars, "width": 40 + len(span) * (bar + 2), "height": height, "ticks": ticks,
            "max": top, "axis_y": 10 + plot}


@cache
def tiles() -> dict:
    """The tile-grid layout of the provinces (``static/province_tiles.json``)."""
    text = resources.files(__package__).joinpath("static/province_tiles.json").read_text(encoding="utf-8")
    return json.loads(text)


def shade(count: int, top: int) -> int:
    """Shade index 0–5 for a count: 0 only for no documents."""
    if count <= 0 or top <= 0:
        return 0
    return 1 + min(len(SHADES) - 2, int((len(SHADES) - 1) * (count - 1) / max(1, top)))


def province_map(counts: dict[str, int]) -> dict:
    """Squares for every province, shaded by its document count."""
    layout = tiles()
    abbr = {p["name"]: p.get("abbr_th") or p["name"][:2] for p in taxonomy.provinces()}
    top = max(counts.values(), default=0)
    squares = []
    for t in layout["tiles"]:
        n = counts.get(t["name"], 0)
        s = shade(n, top)
        squares.append({
            "name": t["name"], "abbr": abbr.get(t["name"], t["name"][:2]), "count": n,
            "x": t["col"] * (TILE + GAP), "y": t["row"] * (TILE + GAP), "size": TILE,
            "fill": SHADES[s], "ink": "#ffffff" if s >= 4 else "#1a1a1a",
        })
    legend = [{"fill": f, "label": "ไม่มี" if i == 0 else ""} for i, f in enumerate(SHADES)]
    return {
        "squares": squares,
        "width": layout["cols"] * (TILE + GAP),
        "height": layout["rows"] * (TILE + GAP),
        "tile": TILE,
        "max": top,
        "legend": legend,
    }
