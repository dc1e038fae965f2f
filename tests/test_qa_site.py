"""The site as a researcher uses it, after many sessions of engine work (QA of issues 4 and 15).

Each test here was written for a defect seen in a real browser on the bundled corpus and
failed on the code before its fix.  Expectations come from the API on the same index.
"""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest


def html_of(client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


def search_form_fields(html: str) -> list[tuple[str, str]]:
    """What the search form sends as it stands: its inputs and each select's selected option."""
    form = re.search(r'<form class="search-form".*?</form>', html, re.S).group(0)
    fields: list[tuple[str, str]] = []
    for tag in re.finditer(r"<input\b[^>]*>|<select\b.*?</select>", form, re.S):
        text = tag.group(0)
        name = re.search(r'name="([^"]+)"', text)
        if not name:
            continue
        if text.startswith("<select"):
            options = re.findall(r'<option value="([^"]*)"( selected)?', text)
            chosen = [v for v, sel in options if sel] or [options[0][0]]
            fields.append((name.group(1), unescape(chosen[0])))
        else:
            value = re.search(r'value="([^"]*)"', text)
            fields.append((name.group(1), unescape(value.group(1)) if value else ""))
    return fields


def ids_of(client, url: str) -> list[str]:
    return [h["id"] for h in client.get(url).get_json()["hits"]]


# --- the sort box of the front page ----------------------------------------------------


def test_a_query_typed_on_the_front_page_is_ranked_by_relevance(client):
    """The front page (no query) shows its real order, newest first; typing a query there and
    pressing Enter must still rank by relevance, not send ``sort=newest`` along."""
    fields = [(k, "ยาเสพติด" if k == "q" else v) for k, v in search_form_fields(html_of(client, "/"))]
    sent = dict(fields)
    assert sent.get("sort", "relevance") == "relevance", fields
    relevance = ids_of(client, "/api/search?" + urlencode({"q": "ยาเสพติด"}))
    assert ids_of(client, "/api/search?" + urlencode(fields)) == relevance
    assert relevance != ids_of(client, "/api/search?" + urlencode({"q": "ยาเสพติด", "sort": "newest"}))


def test_the_front_page_sort_box_still_shows_newest_first(client):
    html = html_of(client, "/")
    select = re.search(r'<select id="sort".*?</select>', html, re.S).group(0)
    selected = re.search(r"<option [^>]*selected[^>]*>([^<]+)</option>", select).group(1)
    assert selected == "ใหม่ที่สุด"
    assert "เกี่ยวข้องที่สุด" not in select  # nothing to be relevant to


def test_an_explicit_order_chosen_without_a_query_is_kept_when_one_is_typed(client):
    for order in ("newest", "oldest"):
        sent = dict(search_form_fields(html_of(client, f"/?sort={order}")))
        assert sent["sort"] == order
