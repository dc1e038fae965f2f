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


# --- the request is not changed; excerpts are data; parameters are one object ---------


def test_search_leaves_the_callers_request_as_it_was(searcher):
    req = SearchRequest(q="ประชุม พ.ศ. 2567")
    first = searcher.search(req)
    assert req.years == [] and req.q == "ประชุม พ.ศ. 2567"
    assert first.request.years == [2024]  # the filter it applied comes back in the result
    again = searcher.search(req)  # the same request object searched twice answers alike
    assert again.notices == first.notices and "กรองตามปี พ.ศ. 2567" in again.notices
    assert again.to_dict() == first.to_dict()


def test_hits_carry_excerpt_text_and_spans_and_the_api_gets_the_same_html(searcher):
    hit = searcher.search(SearchRequest(q="ค้ามนุษย์")).hits[0]
    assert any(hit.excerpt.text[s.start : s.end] == "ค้ามนุษย์" for s in hit.excerpt.spans)
    assert hit.to_dict()["snippet"] == hit.snippet == hit.excerpt.to_html()
    assert "<mark>ค้ามนุษย์</mark>" in hit.snippet
    assert "".join(piece for piece, _ in hit.excerpt.pieces()) == hit.excerpt.text


def test_search_without_snippets_gives_the_same_hits_with_no_excerpt(searcher):
    req = SearchRequest(q="ยาเสพติด ชายแดน", limit=20)
    full = searcher.search(req)
    bare = searcher.search(req, snippets=False)
    assert [(h.id, h.score) for h in bare.hits] == [(h.id, h.score) for h in full.hits]
    assert bare.total == full.total and bare.facets == full.facets
    assert all(h.excerpt.text == "" and h.snippet == "" for h in bare.hits)


def test_ranking_parameters_are_one_frozen_object_a_searcher_takes():
    from dataclasses import FrozenInstanceError, replace

    from kb.search import DEFAULT_PARAMS

    with pytest.raises(FrozenInstanceError):
        DEFAULT_PARAMS.rerank_pool = 1  # type: ignore[misc]
    index = Index(corpus_index())
    q = SearchRequest(q="ยาเสพติด ชายแดน เมียนมา")  # three words (ภาคเหนือ would be a region filter)
    narrow = Searcher(index, params=replace(DEFAULT_PARAMS, max_clauses=2)).search(q)
    assert "คำค้นยาวเกินไป ใช้เพียง 2 ส่วนแรก" in narrow.notices
    # the blend's evidence switched off changes the order only, not what matches
    unblended = replace(DEFAULT_PARAMS, use_pairs=False, use_lead=False, use_span=False, use_head=False)
    assert Searcher(index, params=unblended).search(q).total == Searcher(index).search(q).total > 0
    # without the rare words' sub-word occurrences: still an answer, ranked by BM25F alone
    plain = replace(unblended, use_subword_scores=False)
    assert Searcher(index, params=plain).search(q).hits


# --- bounded work per query (issue 18, item 2) ------------------------------------------

THAI_LETTERS = [chr(c) for c in range(0x0E01, 0x0E2F)]  # ก … ฮ: 46 letters


def letter_or_query(n: int) -> str:
    return " OR ".join(THAI_LETTERS[:n])


def test_44_letter_or_query_is_capped_with_a_notice(searcher):
    from kb.search import DEFAULT_LIMITS

    result, work = searcher.search_counted(SearchRequest(q=letter_or_query(44), limit=100))
    assert "ใช้ทางเลือก OR เพียง 32 คำแรก" in result.notices
    assert work.scans <= DEFAULT_LIMITS.max_scans
    assert result.total > 0 and len(result.hits) == min(100, result.total)


def test_sub_word_scans_per_query_are_capped_with_a_notice():
    from kb.search import WorkLimits
    from kb.search.budget import SCANS_NOTICE

    searcher = Searcher(Index(corpus_index()), limits=WorkLimits(max_scans=4))
    # two-letter alternatives: a lone letter of an OR is found as a word, with no scan
    result, work = searcher.search_counted(SearchRequest(q=" OR ".join(f"{c}า" for c in THAI_LETTERS[:20])))
    assert work.scans == 4 and SCANS_NOTICE in result.notices
    assert result.total > 0  # the alternatives past the cap are still matched as words


def test_200_term_or_query_is_capped_to_the_alternatives_limit(searcher):
    from kb.search import DEFAULT_LIMITS

    terms = [f"{a}{b}" for a in THAI_LETTERS[:20] for b in ("า", "ี", "ู", "ำ", "อง", "าน", "ิน", "ม", "ง", "น")][:200]
    result, work = searcher.search_counted(SearchRequest(q=" OR ".join(terms)))
    assert any("OR" in n for n in result.notices)
    assert work.scans <= DEFAULT_LIMITS.max_scans


def test_a_spent_budget_ends_with_a_capped_answer_and_a_thai_notice():
    from kb.search import WorkLimits
    from kb.search.budget import OVER_BUDGET_NOTICE

    searcher = Searcher(Index(corpus_index()), limits=WorkLimits(seconds=0.0))
    result, work = searcher.search_counted(SearchRequest(q="การค้ามนุษย์ ชายแดน"))
    assert work.exhausted and OVER_BUDGET_NOTICE in result.notices
    assert work.scans == 0 and work.scored == 0
    assert result.to_dict()["notices"][-1] == OVER_BUDGET_NOTICE


def test_ordinary_queries_are_not_capped(searcher):
    for q in ("ค้ามนุษย์", "ยาเสพติด ชายแดน", "มาตรการป้องกันการค้ามนุษย์ในภาคประมงมีอะไรบ้าง", '"แผนความมั่นคงที่ 3"'):
        result, work = searcher.search_counted(SearchRequest(q=q))
        assert not work.exhausted and work.scans < 10, q
        assert not any("เกิน" in n for n in result.notices), q


@pytest.fixture(scope="module")
def generated_index(tmp_path_factory) -> Index:
    """3,000 generated documents whose text is dense in every Thai letter."""
    import random

    from indexer import pipeline

    rng = random.Random(18)
    words = ["ความมั่นคง", "ชายแดน", "ยาเสพติด", "การค้ามนุษย์", "ประมง", "แรงงาน", "จังหวัด", "ภัยพิบัติ",
             "ไซเบอร์", "น้ำท่วม", "หมอกควัน", "ทะเล", "กองทัพ", "ตำรวจ", "ประชาชน", "รัฐบาล", "ชุมชน"]
    src = tmp_path_factory.mktemp("generated")
    for i in range(3000):
        body = " ".join(rng.choice(words) + rng.choice(THAI_LETTERS) for _ in range(rng.randint(80, 300)))
        (src / f"d{i:04d}.txt").write_text(f"เอกสารที่ {i} {rng.choice(words)}\n\n{body}\n", encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("generated-index")
    pipeline.run([src], index_dir, full=True, progress=False)
    return Index(index_dir)


@pytest.mark.slow
def test_abusive_or_queries_on_3000_documents_finish_in_bounded_time(generated_index):
    import time

    from kb.search import WorkLimits

    two_hundred = [f"{w}{c}" for w in ("ชายแดน", "ประมง", "ทะเล", "ชุมชน", "ตำรวจ") for c in THAI_LETTERS[:40]]
    searcher = Searcher(generated_index, limits=WorkLimits(seconds=2.0))
    for q in (letter_or_query(44), " OR ".join(two_hundred)):
        for snippets, limit in ((True, 100), (False, 1000)):
            t0 = time.perf_counter()
            result, work = searcher.search_counted(SearchRequest(q=q, limit=limit), snippets=snippets)
            assert time.perf_counter() - t0 < 5.0, (q[:20], snippets)
            assert result.total > 0 and work.scans <= 32


@pytest.mark.slow
def test_bounded_work_keeps_the_top_hits_of_ordinary_queries(generated_index):
    from kb.search import WorkLimits

    bounded = Searcher(generated_index)
    unbounded = Searcher(generated_index, limits=WorkLimits(seconds=1e9, max_scans=10**9))
    for q in ("ยาเสพติด", "ชายแดน ประมง", "การค้ามนุษย์ในพื้นที่ชายแดนมีอะไรบ้าง", '"ความมั่นคงก"'):
        a = bounded.search(SearchRequest(q=q))
        b = unbounded.search(SearchRequest(q=q))
        assert [h.id for h in a.hits] == [h.id for h in b.hits] and a.total == b.total, q
