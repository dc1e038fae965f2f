"""Partner access, probed as an attacker would (issue 17).

One index holds public, partner and internal documents; beside it, three
*reference* indexes hold only what each level may see, with no access levels
at all.  For an anonymous, a partner and an internal caller, every route and
export is asked the same probes (canaries, their substrings, phrases, OR,
misspellings, filters only restricted documents satisfy, pages past the end,
guessed ids) and must answer exactly what the reference index answers an
anonymous caller: same totals, facet counts, suggestions, hits and excerpts
(scores aside); and no byte of a restricted document above the caller's level.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

from kb.engine.access import restricted
from kb.search import related
from tests.accessutil import (
    INTERNAL_IDS,
    LEVEL_ORDER,
    PARTNER_IDS,
    build_index,
    forbidden_strings,
    visible_levels,
    write_corpus,
)
from tests.conftest import run_kb

NO_LIMITS = {"RATE_LIMIT": 100_000, "TOKEN_RATE_LIMIT": 100_000}

PROBES: list[dict[str, str]] = [
    {"q": ""},
    {"q": "vexpartnerwolf"},
    {"q": "zyginternalowl"},
    {"q": "กระเรียนม่วงเรืองแสง"},
    {"q": "ปลาวาฬทองคำสลัว"},
    {"q": "partnerwol"},  # substrings: the sub-word layer scans text
    {"q": "internalo"},
    {"q": "ม่วงเรือง"},
    {"q": "ทองคำสลั"},
    {"q": '"รหัสโครงการ vexpartnerwolf"'},  # phrase
    {"q": '"สรุปสถานการณ์ความไม่สงบ"'},
    {"q": "vexpartnerwolf OR ตาก"},  # OR with a visible word
    {"q": "zyginternalowl OR เชียงใหม่"},
    {"q": "vexpartnerwolg"},  # misspellings: did-you-mean must not offer a hidden word
    {"q": "zyginternalowk"},
    {"q": "กระเรียนม่วงเรืองแสน"},
    {"q": "ชายแดน"},
    {"q": "ตาก"},
    {"q": "", "province": "แม่ฮ่องสอน"},  # filters only restricted documents satisfy
    {"q": "", "province": "นราธิวาส"},
    {"q": "", "province": "ระนอง"},
    {"q": "", "province": "สตูล"},
    {"q": "", "year": "2562"},
    {"q": "", "year": "2560"},
    {"q": "ชายแดน", "page": "7"},  # past the end
    {"q": "", "sort": "oldest"},
    {"q": "", "sort": "newest", "limit": "2", "page": "2"},
]
ROUTES = ("/", "/api/search", "/export.csv", "/export.json", "/feed.atom")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The restricted index with its tokens, and a reference index per level."""
    root = tmp_path_factory.mktemp("access")
    full = root / "full-index"
    build_index(write_corpus(root / "corpus", LEVEL_ORDER), full)
    refs = {}
    for level in LEVEL_ORDER:
        refs[level] = root / f"ref-{level}"
        build_index(write_corpus(root / f"corpus-{level}", visible_levels(level), declare=False), refs[level])
    tokens = {}
    for level in ("partner", "internal"):
        tokens[level] = run_kb("tokens", "create", "--name", f"t-{level}", "--access", level, "--index", str(full),
                               check_exit=0).stdout.strip()
    return {"root": root, "full": full, "refs": refs, "tokens": tokens}


@pytest.fixture(scope="module")
def apps(world):
    from web import create_app

    full = create_app({"INDEX_DIR": str(world["full"]), **NO_LIMITS})
    refs = {lvl: create_app({"INDEX_DIR": str(p), **NO_LIMITS}) for lvl, p in world["refs"].items()}
    return {"full": full, "refs": refs}


def headers_for(world, level: str) -> dict[str, str]:
    return {} if level == "public" else {"Authorization": f"Bearer {world['tokens'][level]}"}


def comparable(result: dict) -> dict:
    """A search answer, hits in their order, scores within 1 % (the view scores with the visible
    documents' statistics, ``Snapshot.top_over``; Whoosh's mean field length is summed there from
    its one-byte document lengths: 21.75 words where the reference's exact total gives 21.5)."""
    result = dict(result)
    result["hits"] = [{**h, "score": pytest.approx(h["score"], rel=1e-2)} for h in result["hits"]]
    return result


def assert_no_leak(body: bytes, level: str, query: str, where: str) -> None:
    text = body.decode("utf-8", "replace")
    for secret in forbidden_strings(level):
        if secret in query:  # the caller's own words are echoed back; everything else must not be there
            continue
        assert secret not in text, f"{where}: {secret!r} leaked to a {level} caller"


def check_search_equals_reference(world, apps, level, probes) -> None:
    """Every probe's /api/search answer at ``level`` equals the visible-only reference's (both engines use it)."""
    client, ref = apps["full"].test_client(), apps["refs"][level].test_client()
    for probe in probes:
        qs = urlencode(probe)
        got = client.get(f"/api/search?{qs}", headers=headers_for(world, level))
        want = ref.get(f"/api/search?{qs}")
        assert got.status_code == want.status_code == 200, (probe, got.data[:300])
        assert comparable(got.json) == comparable(want.json), f"{level} {probe}"


def check_no_route_leaks(world, apps, level, probes) -> None:
    """No route or export answers a byte of a higher level (both engines use it)."""
    client = apps["full"].test_client()
    for probe in probes:
        qs = urlencode(probe)
        for route in ROUTES:
            r = client.get(f"{route}?{qs}", headers=headers_for(world, level))
            assert r.status_code == 200, (route, probe, r.status_code)
            assert_no_leak(r.data, level, probe["q"], f"{route}?{qs}")
            if level == "public" and route in ("/", "/export.csv"):  # byte for byte the reference site's answer
                assert r.data == apps["refs"]["public"].test_client().get(f"{route}?{qs}").data, f"{route}?{qs}"


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_search_answers_equal_the_visible_documents_alone(world, apps, level):
    check_search_equals_reference(world, apps, level, PROBES)


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_no_route_or_export_leaks_a_byte(world, apps, level):
    check_no_route_leaks(world, apps, level, PROBES)


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_overview_stats_and_timeline_count_visible_documents_only(world, apps, level):
    client, ref = apps["full"].test_client(), apps["refs"][level].test_client()
    got = client.get("/api/stats", headers=headers_for(world, level))
    assert got.json == ref.get("/api/stats").json
    page = client.get("/stats", headers=headers_for(world, level))
    assert_no_leak(page.data, level, "", "/stats")
    health = client.get("/healthz", headers=headers_for(world, level)).json
    assert health == ref.get("/healthz").json
    if level == "public":  # an anonymous visitor's pages are byte for byte the reference site's
        assert page.data == ref.get("/stats").data


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_related_documents_of_a_public_twin(world, apps, level):
    """``public-twin`` is near-identical to the partner brief: related must only offer visible ones."""
    from kb.engine import Index

    view = restricted(Index(world["full"]), level)
    got = [h.id for h in related(view, "public-twin", k=5)]
    want = [h.id for h in related(Index(world["refs"][level]), "public-twin", k=5)]
    assert sorted(got) == sorted(want)
    assert ("partner-brief-01" in got) == (level != "public")
    client = apps["full"].test_client()
    page = client.get("/doc/public-twin?q=vexpartnerwolf", headers=headers_for(world, level))
    assert page.status_code == 200
    assert_no_leak(page.data, level, "vexpartnerwolf", "/doc/public-twin")
    if level == "public":
        assert page.data == apps["refs"]["public"].test_client().get("/doc/public-twin?q=vexpartnerwolf").data


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_guessed_ids_answer_exactly_like_missing_ones(world, apps, level):
    client = apps["full"].test_client()
    h = headers_for(world, level)
    missing_api = client.get("/api/documents/no-such-document-x", headers=h)
    missing_page = client.get("/doc/no-such-document-x", headers=h)
    assert missing_api.status_code == missing_page.status_code == 404
    for doc_id in (*PARTNER_IDS, *INTERNAL_IDS):
        visible = doc_id in PARTNER_IDS and level != "public" or level == "internal"
        api = client.get(f"/api/documents/{quote(doc_id)}", headers=h)
        page = client.get(f"/doc/{quote(doc_id)}", headers=h)
        if visible:
            assert api.status_code == page.status_code == 200
            assert api.json["access"] in ("partner", "internal")
            assert api.json["access"] in page.data.decode()
        else:
            assert (api.status_code, api.data) == (404, missing_api.data)
            assert (page.status_code, page.data) == (404, missing_page.data)


def test_documents_carry_their_declared_level(world):
    from kb.engine import Index

    index = Index(world["full"])
    levels = {doc_id: index.document(doc_id).access for doc_id in (*PARTNER_IDS, *INTERNAL_IDS, "public-tak-01")}
    assert levels == {
        "partner-brief-01": "partner", "notes/partner-meeting.md": "partner",
        "internal-brief-09": "internal", "pages/internal-memo.html": "internal", "public-tak-01": "public",
    }


def test_the_cli_acts_with_full_access(world):
    out = run_kb("search", "zyginternalowl", "--json", "--index", str(world["full"]), check_exit=0).json()
    assert out["total"] == 2


def test_hidden_and_missing_ids_take_the_same_time(world, apps):
    """A hidden document is looked up in the view, where it does not exist: no slower path to time."""
    import time

    client = apps["full"].test_client()

    def median_seconds(path: str) -> float:
        times = []
        for _ in range(21):
            t0 = time.perf_counter()
            assert client.get(path).status_code == 404
            times.append(time.perf_counter() - t0)
        return sorted(times)[10]

    client.get("/api/documents/warm-up")
    hidden = median_seconds("/api/documents/internal-brief-09")
    missing = median_seconds("/api/documents/internal-brief-99")
    assert 1 / 3 < hidden / missing < 3, (hidden, missing)


def test_views_are_built_once_per_snapshot_with_their_own_memo(world):
    from kb import query as kq
    from kb.engine import Index

    engine = Index(world["full"])
    public, partner, internal = (restricted(engine, level) for level in LEVEL_ORDER)
    assert restricted(engine, "public") is public  # one view per index and level
    snaps = [v.snapshot() for v in (public, partner, internal)]
    assert snaps[0] is public.snapshot()  # cached while the engine's snapshot stays
    assert snaps[2] is engine.snapshot()  # internal sees everything: the engine's own snapshot
    assert len({id(s.memo) for s in snaps}) == 3
    hidden = engine.snapshot().by_id["internal-brief-09"]
    with pytest.raises(KeyError):
        snaps[1].stored(hidden)
    assert hidden not in snaps[1].matching(kq.Every())
    assert snaps[1].top(kq.Every(), {hidden}, 5) == []
    assert snaps[0].scan_forms() and all(d in snaps[0].docs for d, _ in snaps[0].scan_forms())
    assert restricted(engine, "secret").snapshot().docs == {}  # an unknown level sees nothing


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_xlsx_export_and_stats_json_show_visible_documents_only(world, apps, level):
    """The spreadsheet is a zip (a byte search of it finds nothing): each of its files is read;
    ``/stats.json``, the overview's twin, equals the reference's."""
    import io
    import zipfile

    client, ref = apps["full"].test_client(), apps["refs"][level].test_client()
    for probe in ({"q": ""}, {"q": "ชายแดน"}, {"q": "vexpartnerwolf OR zyginternalowl OR ตาก"}):
        qs = urlencode(probe)
        got = client.get(f"/export.xlsx?{qs}", headers=headers_for(world, level))
        assert got.status_code == 200
        with zipfile.ZipFile(io.BytesIO(got.data)) as book:
            sheets = {name: book.read(name) for name in book.namelist()}
        for name, body in sheets.items():
            assert_no_leak(body, level, probe["q"], f"/export.xlsx?{qs} {name}")
        with zipfile.ZipFile(io.BytesIO(ref.get(f"/export.xlsx?{qs}").data)) as book:
            want = book.read("xl/worksheets/sheet1.xml")
        assert sheets["xl/worksheets/sheet1.xml"] == want, qs
    got = client.get("/stats.json", headers=headers_for(world, level))
    assert got.status_code == 200 and got.json == ref.get("/stats.json").json


def test_answers_above_public_are_never_kept_by_a_shared_cache(world, apps):
    """The same URL answers each level differently: behind a caching proxy a partner's page
    must not be kept and served to the next visitor.  Every answer varies on Authorization
    and Cookie; one given to a token (bearer or session) is ``private, no-store``."""
    from tests.test_access_tokens import signin
    from tests.webutil import LiveServer

    server = LiveServer(world["full"], **NO_LIMITS)
    try:
        for path in ("/?q=vexpartnerwolf", "/api/search?q=vexpartnerwolf", "/api/documents/partner-brief-01",
                     "/export.csv?q=", "/feed.atom", "/stats"):
            status, head, _ = server.get(quote(path, safe="/?=&"), headers=headers_for(world, "partner"))
            assert status == 200, path
            assert {"authorization", "cookie"} <= {v.strip().lower() for v in head.get("vary", "").split(",")}, path
            assert {"private", "no-store"} <= {v.strip() for v in head.get("cache-control", "").split(",")}, path
            status, head, _ = server.get(quote(path.replace("partner-brief-01", "public-twin"), safe="/?=&"))
            assert status == 200 and "no-store" not in head.get("cache-control", ""), path  # public answers may be kept
            assert {"authorization", "cookie"} <= {v.strip().lower() for v in head.get("vary", "").split(",")}, path
    finally:
        server.close()
    client = apps["full"].test_client()
    signin(client, world["tokens"]["partner"])
    page = client.get("/?q=vexpartnerwolf")
    assert "partner-brief-01" in page.data.decode()  # signed in: the session sees the partner brief
    assert "no-store" in page.headers.get("Cache-Control", "") and "Cookie" in page.headers.get("Vary", "")
