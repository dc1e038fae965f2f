"""Search semantics on the bundled corpus: facets, filters, sorting, paging, query syntax."""
from __future__ import annotations

import pytest

from kb.models import SearchRequest
from kb.params import BadParameter, parse_mapping
from kb.search import Searcher, parse, stats
from kb.engine import Index
from tests.webutil import corpus_index


@pytest.fixture(scope="module")
def searcher() -> Searcher:
    return Searcher(Index(corpus_index()))


def facet(result, name):
    return {v.value: v.count for v in result.facets[name]}


def test_empty_query_lists_every_document_newest_first(searcher):
    r = searcher.search(SearchRequest(limit=100))
    assert r.total == searcher.index.doc_count() >= 80
    dates = [h.date for h in r.hits if h.date]
    assert dates == sorted(dates, reverse=True)


def test_filter_total_equals_the_facet_count_it_was_shown_with(searcher):
    base = searcher.search(SearchRequest())
    for name, field in [("plan", "plans"), ("province", "provinces"), ("topic", "topics"), ("region", "regions")]:
        value, count = next(iter(facet(base, name).items()))
        r = searcher.search(SearchRequest(**{field: [int(value) if name == "plan" else value]}))
        assert r.total == count, (name, value)


def test_values_of_one_facet_are_ored_and_facets_are_anded(searcher):
    base = searcher.search(SearchRequest())
    plans = facet(base, "plan")
    one = searcher.search(SearchRequest(plans=[3])).total
    two = searcher.search(SearchRequest(plans=[3, 5])).total
    assert max(plans["3"], plans["5"]) <= two <= plans["3"] + plans["5"]
    assert two >= one
    both = searcher.search(SearchRequest(plans=[3], types=["news"])).total
    assert both <= min(one, facet(base, "type")["news"])


def test_facet_counts_ignore_their_own_selection_so_users_can_widen(searcher):
    unfiltered = facet(searcher.search(SearchRequest()), "plan")
    selected = searcher.search(SearchRequest(plans=[3]))
    assert facet(selected, "plan") == unfiltered  # the plan facet is counted as if no plan were chosen
    assert any(v.selected for v in selected.facets["plan"] if v.value == "3")
    # other facets are narrowed by the plan selection
    assert sum(facet(selected, "type").values()) == selected.total


def test_year_facet_is_gregorian_with_buddhist_era_labels(searcher):
    years = searcher.search(SearchRequest()).facets["year"]
    assert years and all(int(v.label) == int(v.value) + 543 for v in years)


def test_date_range_filter(searcher):
    r = searcher.search(SearchRequest(date_from="2024-01-01", date_to="2024-12-31", limit=100))
    assert r.total > 0 and all(h.date and h.date.startswith("2024") for h in r.hits)


def test_sort_oldest_and_paging_do_not_overlap(searcher):
    p1 = searcher.search(SearchRequest(sort="oldest", limit=5, page=1))
    p2 = searcher.search(SearchRequest(sort="oldest", limit=5, page=2))
    assert not {h.id for h in p1.hits} & {h.id for h in p2.hits}
    assert [h.date for h in p1.hits + p2.hits] == sorted(h.date for h in p1.hits + p2.hits)


def test_thai_query_finds_and_highlights(searcher):
    r = searcher.search(SearchRequest(q="ค้ามนุษย์"))
    assert r.total > 0
    assert "<mark>ค้ามนุษย์</mark>" in r.hits[0].snippet


def test_thai_digits_in_query_match_arabic_in_documents_and_back(searcher):
    a = searcher.search(SearchRequest(q='"แผนความมั่นคงที่ 3"')).total
    b = searcher.search(SearchRequest(q='"แผนความมั่นคงที่ ๓"')).total
    assert a == b > 0


def test_exclusion_removes_documents(searcher):
    all_ = searcher.search(SearchRequest(q="ชายแดน", limit=100))
    without = searcher.search(SearchRequest(q="ชายแดน -ยาเสพติด", limit=100))
    assert 0 < without.total < all_.total
    for h in without.hits:
        assert "ยาเสพติด" not in searcher.index.document(h.id).text


def test_or_widens(searcher):
    a = searcher.search(SearchRequest(q="ประมง")).total
    b = searcher.search(SearchRequest(q="ไซเบอร์")).total
    both = searcher.search(SearchRequest(q="ประมง OR ไซเบอร์")).total
    assert max(a, b) <= both <= a + b


def test_year_in_query_becomes_a_filter_only_when_marked(searcher):
    r = searcher.search(SearchRequest(q="ประชุม พ.ศ. 2567"))
    assert r.request.years == [2024]
    assert all(h.date.startswith("2024") for h in r.hits)
    assert parse("2567").years == []  # a bare number stays a word


def test_stray_operators_and_unbalanced_quotes_still_search(searcher):
    for q in ['"ค้ามนุษย์', "OR", "-", "ค้ามนุษย์ OR", '""', "((", "*", "ชายแดน -"]:
        r = searcher.search(SearchRequest(q=q))
        assert r.total >= 0


def test_no_match_gives_zero_and_maybe_suggestions(searcher):
    r = searcher.search(SearchRequest(q="ยาเสพติต"))  # misspelt ยาเสพติด
    assert "ยาเสพติด" in " ".join(r.suggestions)


def test_stats_lists_every_value_untruncated():
    s = stats(Index(corpus_index()))
    assert s["documents"] >= 80
    assert len(s["facets"]["plan"]) == 17
    assert len(s["facets"]["province"]) >= 40
    assert {v["value"] for v in s["facets"]["region"]} == {"north", "northeast", "central", "east", "west", "south"}
    assert len(s["facets"]["topic"]) == 12


@pytest.mark.parametrize(
    "params, param",
    [
        ({"plan": "18"}, "plan"),
        ({"plan": "x"}, "plan"),
        ({"year": "abc"}, "year"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"page": "100000"}, "page"),
        ({"sort": "random"}, "sort"),
        ({"from": "2024-13-40"}, "from"),
        ({"topic": "weather"}, "topic"),
        ({"province": "แอตแลนติส"}, "province"),
        ({"q": "ก" * 5000}, "q"),
    ],
)
def test_bad_parameters_name_the_parameter(params, param):
    with pytest.raises(BadParameter) as exc:
        parse_mapping(params)
    assert exc.value.param == param


def test_province_aliases_and_buddhist_years_are_accepted():
    req = parse_mapping({"province": ["กทม.", "โคราช"], "year": "2567"})
    assert req.provinces == ["กรุงเทพมหานคร", "นครราชสีมา"]
    assert req.years == [2024]


def test_pair_index_and_buffer_scan_give_the_same_results():
    # kb.textscan finds a query chunk through the pair index, or by scanning
    # the buffer while that index is not built: whole searches must not differ.
    queries = ["ค้ามนุษย์", "มั่นคง", "แผนความมั่นคงที่ ๓", "ยาเสพติด ชายแดน", "กทม.", "\"กองทัพบก\"",
               "แรงงาน OR ประมง -โควิด", "รัฐบาลมีมาตรการแก้ไขปัญหายาเสพติดในพื้นที่ชายแดนอย่างไร",
               "หมอกควัน", "ตะวันออก", "น้ำท่วม พ.ศ. 2567", "ความปลอดภัยทางไซเบอร์"]
    index = Index(corpus_index())
    searcher = Searcher(index)
    snap = index.snapshot()
    scan = snap.scan()
    assert scan.pairs is not None  # the bundled corpus is small: indexed at once

    def run():
        snap.memo.clear()
        out = []
        for q in queries:
            r = searcher.search(SearchRequest(q=q, limit=50))
            out.append((q, r.total, r.relaxed, [(h.id, h.score, h.snippet) for h in r.hits]))
        return out

    with_pairs = run()
    scan.pairs = None  # from here on every chunk is found by scanning the buffer
    assert run() == with_pairs
    assert sum(total for _, total, _, _ in with_pairs) > 50
