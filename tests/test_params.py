"""kb.params: every parameter, its bad values, repeats and limits.

The web API, the pages and the CLI all validate through ``parse_search`` /
``parse_mapping``, so these unit tests pin what all three accept.  Every
refusal must be a ``BadParameter`` naming the parameter with a Thai reason.
"""
from __future__ import annotations

import re

import pytest

from kb import taxonomy
from kb.models import SearchRequest
from kb.params import (
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    MAX_RESULT_WINDOW,
    MAX_VALUES_PER_FACET,
    BadParameter,
    parse_mapping,
    parse_search,
)

THAI = re.compile("[\u0e00-\u0e7f]")


def refused(params: dict) -> BadParameter:
    with pytest.raises(BadParameter) as info:
        parse_mapping(params)
    assert info.value.reason and THAI.search(re.sub(r"'[^']*'", "", info.value.reason)), info.value.reason  # Thai beyond the echoed value
    assert str(info.value).startswith(info.value.param + ":")
    return info.value


def test_no_parameters_is_the_default_request():
    req = parse_mapping({})
    assert req == SearchRequest(q="")
    assert (req.sort, req.page) == ("relevance", 1)


def test_query_is_trimmed_and_kept():
    assert parse_mapping({"q": "  ชายแดน  "}).q == "ชายแดน"


@pytest.mark.parametrize(
    "params, param",
    [
        ({"q": "ก" * (MAX_QUERY_CHARS + 1)}, "q"),
        ({"q": "ชายแดน\x00"}, "q"),
        ({"plan": "0"}, "plan"),
        ({"plan": "18"}, "plan"),
        ({"plan": "สาม"}, "plan"),
        ({"plan": "1.5"}, "plan"),
        ({"province": "ดาวอังคาร"}, "province"),
        ({"region": "mars"}, "region"),
        ({"topic": "astrology"}, "topic"),
        ({"type": "poem"}, "type"),
        ({"year": "1800"}, "year"),
        ({"year": "abc"}, "year"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2024-02-30"}, "to"),
        ({"from": "2024-05-01", "to": "2024-01-01"}, "from"),
        ({"sort": "random"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"limit": str(MAX_LIMIT + 1)}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "9" * 30}, "limit"),
        ({"page": "0"}, "page"),
        ({"page": str(MAX_RESULT_WINDOW + 1)}, "page"),
        ({"page": "1000", "limit": "100"}, "page"),
    ],
)
def test_bad_values_name_the_parameter_in_thai(params, param):
    assert refused(params).param == param


def test_unknown_facet_value_lists_the_values_that_are_accepted():
    exc = refused({"region": "mars"})
    assert "mars" in exc.reason
    for region in taxonomy.values("region"):
        assert region in exc.reason


def test_every_known_facet_value_is_accepted():
    for facet in ("region", "topic", "type"):
        values = taxonomy.values(facet)
        req = parse_mapping({facet: values})
        assert getattr(req, facet + "s") == values
    plans = taxonomy.values("plan")
    assert parse_mapping({"plan": plans}).plans == [int(p) for p in plans]


def test_plan_range_comes_from_the_taxonomy():
    last = max(int(p) for p in taxonomy.values("plan"))
    assert parse_mapping({"plan": str(last)}).plans == [last]
    assert refused({"plan": str(last + 1)}).param == "plan"


def test_thai_digits_are_numbers():
    req = parse_mapping({"plan": "๗", "limit": "๒๐", "page": "๓", "year": "๒๕๖๗"})
    assert (req.plans, req.limit, req.page, req.years) == ([7], 20, 3, [2024])


def test_buddhist_era_years_and_dates_become_gregorian():
    req = parse_mapping({"year": ["2567", "2023"], "from": "2566-03", "to": "2567"})
    assert req.years == [2024, 2023]
    assert (req.date_from, req.date_to) == ("2023-03-01", "2024-12-31")


def test_month_only_dates_cover_the_whole_month():
    req = parse_mapping({"from": "2024-02", "to": "2024-02"})
    assert (req.date_from, req.date_to) == ("2024-02-01", "2024-02-29")


def test_province_aliases_become_the_canonical_name():
    bangkok = next(p for p in taxonomy.provinces() if p.get("aliases"))
    alias = bangkok["aliases"][0]
    assert parse_mapping({"province": [alias, bangkok["name"]]}).provinces == [bangkok["name"]]


def test_repeated_facet_values_count_once_and_keep_their_order():
    req = parse_mapping({"plan": ["3", "1", "3", "๓"], "region": ["south", "north", "south"], "year": ["2024", "2567"]})
    assert req.plans == [3, 1]
    assert req.regions == ["south", "north"]
    assert req.years == [2024]


def test_blank_values_are_ignored():
    req = parse_mapping({"region": ["", "  "], "plan": [""], "limit": " ", "from": ""})
    assert (req.regions, req.plans, req.date_from) == ([], [], None)
    assert req.limit == SearchRequest().limit


def test_a_repeated_single_valued_parameter_takes_the_last_value():
    args = {"q": ["แรก", "หลัง"], "sort": ["oldest", "newest"], "limit": ["100000", "5"]}
    req = parse_search(lambda name: args.get(name, []))
    assert (req.q, req.sort, req.limit) == ("หลัง", "newest", 5)
    assert refused({"limit": ["5", "100000"]}).param == "limit"  # the last one is validated too


def test_too_many_values_for_one_facet_are_refused():
    ok = [str(1 + i % 17) for i in range(MAX_VALUES_PER_FACET)]
    assert parse_mapping({"plan": ok}).plans
    assert refused({"plan": ok + ["1"]}).param == "plan"
    assert refused({"province": [f"x{i}" for i in range(MAX_VALUES_PER_FACET + 1)]}).param == "province"


def test_limits_at_their_edges_are_accepted():
    assert parse_mapping({"limit": str(MAX_LIMIT)}).limit == MAX_LIMIT
    assert parse_mapping({"q": "ก" * MAX_QUERY_CHARS}).q == "ก" * MAX_QUERY_CHARS
    last_page = MAX_RESULT_WINDOW // MAX_LIMIT
    assert parse_mapping({"page": str(last_page), "limit": str(MAX_LIMIT)}).page == last_page


def test_sorts():
    for sort in ("relevance", "newest", "oldest"):
        assert parse_mapping({"sort": sort}).sort == sort


def test_a_huge_bad_value_is_quoted_short():
    exc = refused({"topic": "ก" * 5000})
    assert len(exc.reason) < 400


def test_every_registered_facet_is_a_parameter_with_the_value_limit():
    from kb.facets import names

    for name in names():
        err = refused({name: ["1"] * (MAX_VALUES_PER_FACET + 1)})
        assert err.param == name and THAI.search(err.reason)
