"""The facet registry: its entries, and the ``agency`` facet end to end.

The registry unit tests check that every place facets show up (parameters,
stored metadata, CLI options, sidebar, CSV) is built from ``kb.facets``; the
end-to-end tests filter and count by agency through the real index, the HTTP
API, the pages, the CSV export and the ``kb`` command.  Expected numbers are
taken from the API's own unfiltered answer, never from fixed corpus counts.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest

from kb import taxonomy
from kb.engine.metadata import STORED_FACETS
from kb.facets import REGISTRY, facet, names, sidebar
from kb.models import SearchRequest
from kb.params import BadParameter, parse_mapping
from web import create_app
from web.exports import CSV_COLUMNS
from web.present import FACET_TITLES, SIDEBAR_ORDER

THAI = re.compile("[\u0e00-\u0e7f]")


def refused(params: dict) -> BadParameter:
    with pytest.raises(BadParameter) as info:
        parse_mapping(params)
    return info.value


# ---------------------------------------------------------------- the registry


def test_registry_names_are_unique_and_each_facet_has_a_thai_title_and_sidebar_place():
    assert len(set(names())) == len(REGISTRY)
    assert len({f.sidebar for f in REGISTRY}) == len(REGISTRY)
    for f in REGISTRY:
        assert facet(f.name) is f
        assert THAI.search(f.title), f.name
    with pytest.raises(KeyError):
        facet("no-such-facet")


def test_the_existing_facets_keep_their_order_and_new_ones_come_last():
    # the order of /api/search's "facets" object and of URL parameters
    assert names() == ("plan", "province", "region", "topic", "type", "year", "agency", "committee", "region4", "subregion", "month")
    assert SIDEBAR_ORDER[:3] == ("type", "plan", "topic") and SIDEBAR_ORDER[-2:] == ("year", "month")
    assert set(SIDEBAR_ORDER) == set(names()) == set(FACET_TITLES)
    assert FACET_TITLES["agency"] == "หน่วยงาน"


def test_stored_metadata_csv_columns_and_cli_options_come_from_the_registry():
    assert set(STORED_FACETS) == {f.name for f in REGISTRY if f.stored}
    assert "year" not in STORED_FACETS  # derived from the date
    assert {f.csv_column for f in REGISTRY if f.csv_column} <= set(CSV_COLUMNS)
    assert "agencies" in CSV_COLUMNS
    from kb.cli import search_cmd

    options = {opt for p in search_cmd.params for opt in p.opts}
    assert {f"--{name}" for name in names()} <= options


def test_plan_range_comes_from_the_taxonomy():
    last = max(p["no"] for p in taxonomy.plans())
    assert parse_mapping({"plan": str(last)}).plans == [last]
    assert refused({"plan": str(last + 1)}).param == "plan"
    from kb.cli import search_cmd

    plan_help = next(p.help for p in search_cmd.params if p.name == "plan")
    assert f"1–{last}" in plan_help


def test_labels_come_from_the_registry_through_the_taxonomy():
    abbrs = [a["abbr"] for a in taxonomy.agencies()]
    assert taxonomy.values("agency") == abbrs
    nsc = next(a for a in taxonomy.agencies() if a["abbr"] == "สมช.")
    assert nsc["name"] in taxonomy.label("agency", "สมช.")
    assert taxonomy.label("agency", "ไม่มีหน่วยงานนี้") == "ไม่มีหน่วยงานนี้"
    assert taxonomy.label("year", "2024") == "2567"
    assert taxonomy.label("no-such-facet", "x") == "x" and taxonomy.values("no-such-facet") == []


# ------------------------------------------------------- parameters of agency


def test_agency_accepts_abbreviation_full_name_and_aliases_and_canonicalises():
    nsc = next(a for a in taxonomy.agencies() if a["abbr"] == "สมช.")
    req = parse_mapping({"agency": ["สมช.", nsc["name"], "nsc", " สมช "]})
    assert req.filters["agency"] == ["สมช."]
    assert req.selected("agency") == ["สมช."]
    both = parse_mapping({"agency": ["สมช.", "กอ.รมน"]})
    assert both.selected("agency") == ["สมช.", "กอ.รมน."]


def test_an_unknown_agency_is_refused_in_thai_naming_the_parameter():
    err = refused({"agency": "กรมที่ไม่มีอยู่จริง"})
    assert err.param == "agency"
    assert THAI.search(err.reason) and "กรมที่ไม่มีอยู่จริง" in err.reason


def test_existing_facets_keep_their_messages():
    assert refused({"province": "ดาวอังคาร"}).reason == "ไม่รู้จักจังหวัด 'ดาวอังคาร'"
    region = refused({"region": "mars"})
    assert region.param == "region" and region.reason.startswith("ไม่รู้จักค่า 'mars'") and "north" in region.reason
    assert refused({"type": "memo"}).param == "type"
    assert parse_mapping({"province": "Bangkok"}).provinces == ["กรุงเทพมหานคร"]
    assert parse_mapping({"year": ["2567", "2024"]}).years == [2024]


# ------------------------------------------------------- SearchRequest compat


def test_search_request_keeps_the_old_keyword_names_and_never_shares_lists():
    plans = [3]
    req = SearchRequest(q="x", plans=plans, types=["news"])
    plans.append(5)
    assert req.filters == {"plan": [3], "type": ["news"]} and req.plans == [3]
    assert req == SearchRequest(q="x", filters={"plan": [3], "type": ["news"]})
    later = replace(req, years=[2024])  # what the searcher does with a query's years
    assert later.years == [2024] and req.years == []
    assert SearchRequest(years=[]) == SearchRequest()
    with pytest.raises(TypeError):
        SearchRequest(agencies=["สมช."])  # new facets go by name, through filters


# ------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def client(bundled_index):
    return create_app({"INDEX_DIR": str(bundled_index)}).test_client()


def api(client, query: str = "") -> dict:
    r = client.get(f"/api/search?{query}")
    assert r.status_code == 200, r.data[:300]
    return r.get_json()


def counts(answer: dict, name: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in answer["facets"][name]}


@pytest.fixture(scope="module")
def two_agencies(client) -> tuple[str, str]:
    """The two agencies named by most documents (taken from the API)."""
    values = api(client)["facets"]["agency"]
    assert len(values) >= 2, "the bundled corpus names agencies"
    return values[0]["value"], values[1]["value"]


def agencies_of(client, doc_id: str) -> list[str]:
    r = client.get(f"/api/documents/{doc_id}")
    assert r.status_code == 200
    return r.get_json()["agencies"]


def test_api_counts_agencies_with_labels(client):
    everything = api(client)
    values = everything["facets"]["agency"]
    assert values and all(v["count"] > 0 and not v["selected"] for v in values)
    assert [v["count"] for v in values] == sorted((v["count"] for v in values), reverse=True)
    assert {v["value"] for v in values} <= set(taxonomy.values("agency"))
    nsc = next(v for v in values if v["value"] == "สมช.")
    assert nsc["label"] == taxonomy.label("agency", "สมช.") != "สมช."


def test_agency_filter_keeps_exactly_the_documents_naming_it(client, two_agencies):
    a, _ = two_agencies
    expected = counts(api(client), "agency")[a]
    answer = api(client, f"agency={a}&limit=100")
    assert answer["total"] == expected
    assert all(a in agencies_of(client, h["id"]) for h in answer["hits"])


def test_agency_is_or_within_and_and_across(client, two_agencies):
    a, b = two_agencies
    everything = counts(api(client), "agency")
    either = api(client, f"agency={a}&agency={b}")["total"]
    assert max(everything[a], everything[b]) <= either <= everything[a] + everything[b]
    news_total = api(client, "type=news")["total"]
    both = api(client, f"agency={a}&type=news&limit=100")
    assert both["total"] <= min(everything[a], news_total)
    for h in both["hits"]:
        assert h["type"] == "news" and a in agencies_of(client, h["id"])


def test_agency_counts_as_if_its_own_selection_were_removed(client, two_agencies):
    a, _ = two_agencies
    selected = api(client, f"agency={a}")
    assert counts(selected, "agency") == counts(api(client), "agency")  # the user can widen the choice
    assert [v["value"] for v in selected["facets"]["agency"] if v["selected"]] == [a]
    across = api(client, f"agency={a}&type=news")
    assert counts(across, "agency") == counts(api(client, "type=news"), "agency")
    assert counts(across, "type") == counts(selected, "type")


def test_bad_agency_is_a_400_naming_the_parameter(client):
    r = client.get("/api/search?agency=กรมที่ไม่มีอยู่จริง")
    assert r.status_code == 400 and r.get_json()["error"]["param"] == "agency"
    assert client.get("/?agency=กรมที่ไม่มีอยู่จริง").status_code == 400


def test_sidebar_and_chip_show_the_agency(client, two_agencies):
    a, _ = two_agencies
    html = client.get(f"/?agency={a}").get_data(as_text=True)
    assert '<h3 id="facet-agency">หน่วยงาน</h3>' in html
    assert "chip-facet" in html and "หน่วยงาน:" in html
    sidebar_order = re.findall(r'<h3 id="facet-([a-z0-9]+)">', html)
    assert sidebar_order == [f.name for f in sidebar()]


def test_csv_has_an_agencies_column(client, two_agencies):
    a, _ = two_agencies
    r = client.get(f"/export.csv?agency={a}&lang=en")
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows and all(a in row["agencies"].split(";") for row in rows)


def test_kb_search_agency_gives_the_api_answer(client, bundled_index, kb_runner, two_agencies):
    a, b = two_agencies
    cli = kb_runner("search", "", "--agency", a, "--agency", b, "--json", "--index", str(bundled_index))
    assert cli.exit_code == 0, cli.stderr
    assert cli.json() == api(client, f"agency={a}&agency={b}")
    bad = kb_runner("search", "", "--agency", "กรมที่ไม่มีอยู่จริง", "--index", str(bundled_index))
    assert bad.exit_code == 2 and "--agency" in bad.stderr
