"""Partner access on the Typesense engine (issue 17): the same attack as
``tests/test_access.py``, against a real 3-node cluster (``tests/typesense_util.py``).

One collection holds public, partner and internal documents (the corpus of
``tests/accessutil.py``); beside it, a *reference* collection per level holds
only what that level may see, with no access levels at all.  Both are Typesense
collections, so everything the site answers is comparable: for an anonymous,
a partner and an internal caller (Bearer tokens made by ``kb tokens create``),
every probe of ``tests/test_access.py`` must give on ``/api/search`` exactly the
reference's totals, facet counts, suggestions, hits and excerpts (scores
aside); no route or export (``/``, ``/api/search``, ``/export.csv``,
``/export.json``, ``/feed.atom``) may hold a byte of a document above the
caller's level; ``/api/documents/<id>`` of a hidden document is the same 404 as
a missing one.  Skipped, with the reason, where the Typesense wheels are missing.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from kb.engine.access import restricted
from tests import typesense_util
from tests.accessutil import INTERNAL_IDS, LEVEL_ORDER, PARTNER_IDS, build_index, visible_levels, write_corpus
from tests.conftest import run_kb
from tests.test_access_channels import check_deleted_document, check_frequency_probes, frequency_apps
from tests.test_access import (
    NO_LIMITS, PROBES, assert_no_leak, check_no_route_leaks, check_search_equals_reference, headers_for,
)

# misspellings of a visible word that a hidden word starts with (the internal memo's
# สถานการณ์ความไม่สงบ): Typesense 0.24's typo search stopped offering สถานการณ์
TS_PROBES = [*PROBES, {"q": "สถาการณ์"}, {"q": "สถานการ์ ตาก"}, {"q": "256"}]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The restricted collection (its local folder holds the tokens), and a reference collection per level."""
    cluster = typesense_util.cluster()
    root = tmp_path_factory.mktemp("access-ts")
    full_config = cluster.config(typesense_util.fresh_collection("acc"))
    full = root / "full-index"  # the writer lock and the access files; the documents live in the cluster
    build_index(write_corpus(root / "corpus", LEVEL_ORDER), full, engine=full_config)
    refs = {}
    for level in LEVEL_ORDER:
        refs[level] = (root / f"ref-{level}", cluster.config(typesense_util.fresh_collection(f"ref{level[:3]}")))
        build_index(write_corpus(root / f"corpus-{level}", visible_levels(level), declare=False), refs[level][0],
                    engine=refs[level][1])
    env = cluster.env(full_config.collection)
    tokens = {}
    for level in ("partner", "internal"):
        tokens[level] = run_kb("tokens", "create", "--name", f"t-{level}", "--access", level, "--index", str(full),
                               env=env, check_exit=0).stdout.strip()
    return {"full": (full, full_config), "refs": refs, "tokens": tokens}


@pytest.fixture(scope="module")
def apps(world):
    from web import create_app

    def app(folder: Path, config):
        return create_app({"INDEX_DIR": str(folder), "ENGINE": config, **NO_LIMITS})

    return {"full": app(*world["full"]), "refs": {lvl: app(*ref) for lvl, ref in world["refs"].items()}}


def test_the_app_reads_the_cluster(apps):
    from web import catalog

    engine = catalog(apps["full"]).engine
    assert type(engine).__name__ == "TypesenseIndex"
    assert set(engine.snapshot().by_id) >= {*PARTNER_IDS, *INTERNAL_IDS}


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_search_answers_equal_the_visible_documents_alone(world, apps, level):
    check_search_equals_reference(world, apps, level, TS_PROBES)


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_no_route_or_export_leaks_a_byte(world, apps, level):
    check_no_route_leaks(world, apps, level, TS_PROBES)


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_guessed_ids_answer_exactly_like_missing_ones(world, apps, level):
    client = apps["full"].test_client()
    h = headers_for(world, level)
    missing = client.get("/api/documents/no-such-document-x", headers=h)
    assert missing.status_code == 404
    for doc_id in (*PARTNER_IDS, *INTERNAL_IDS):
        visible = doc_id in PARTNER_IDS and level != "public" or level == "internal"
        api = client.get(f"/api/documents/{quote(doc_id)}", headers=h)
        if visible:
            assert api.status_code == 200 and api.json["access"] in ("partner", "internal")
        else:
            assert (api.status_code, api.data) == (404, missing.data)
    public = client.get("/api/documents/public-twin", headers=h)
    assert public.status_code == 200
    assert_no_leak(public.data, level, "", "/api/documents/public-twin")


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_related_documents_of_a_public_twin(world, level):
    """Related documents of ``public-twin`` (near-identical to the partner brief) through the engine view."""
    from kb.engine import open_index
    from kb.search import related

    view = restricted(open_index(*world["full"]), level)
    got = {h.id for h in related(view, "public-twin", k=5)}
    want = {h.id for h in related(open_index(*world["refs"][level]), "public-twin", k=5)}
    assert got == want
    assert ("partner-brief-01" in got) == (level != "public")


def _typos() -> list[str]:
    """Every one-character deletion and substitution of the words of the visible documents."""
    from kb import analysis
    from tests.accessutil import PARTNER_RECORD, PUBLIC_RECORDS

    words = set()
    for r in (*PUBLIC_RECORDS, PARTNER_RECORD):
        words |= set(analysis.analyze(r["title"] + " " + r["text"]).words)
    out = set()
    for w in (w for w in words if len(w) >= 3):
        for i in range(1, len(w)):
            out |= {w[:i] + w[i + 1:], w[:i] + "ก" + w[i + 1:]}
    return sorted(out)


@pytest.mark.parametrize("level", LEVEL_ORDER)
def test_suggestions_equal_the_visible_documents_alone(world, level):
    """Every candidate the corrector offers, in order: a hidden document neither adds nor takes one away."""
    from kb.engine import open_index

    view, ref = restricted(open_index(*world["full"]), level), open_index(*world["refs"][level])
    vs, rs = view.snapshot(), ref.snapshot()
    differ = []
    for typo in _typos():
        maxdist = 1 if len(typo) < 5 else 2
        got, want = view.suggest(vs, "words", typo, maxdist), ref.suggest(rs, "words", typo, maxdist)
        if got != want:
            differ.append((typo, got, want))
    assert not differ, differ[:5]


@pytest.fixture(scope="module")
def freq_world(tmp_path_factory):
    """The frequency canaries (``tests/test_access_channels.py``) in the cluster: whole, and per level alone."""
    cluster = typesense_util.cluster()
    engines = {k: cluster.config(typesense_util.fresh_collection(f"fq{k[:3]}")) for k in ("full", "public", "partner")}
    return frequency_apps(tmp_path_factory.mktemp("access-ts-freq"), engines, cluster.env(engines["full"].collection))


@pytest.mark.parametrize("level", ("public", "partner"))
def test_corrector_and_ranking_count_visible_documents_only(freq_world, level):
    """Did you mean, typo correction and BM25 order count visible documents alone (hidden ones
    hold visible words many times)."""
    check_frequency_probes(freq_world, level)


def test_a_deleted_restricted_document_leaves_no_word_for_the_corrector(tmp_path):
    cluster = typesense_util.cluster()
    check_deleted_document(tmp_path, {k: cluster.config(typesense_util.fresh_collection(f"del{k}")) for k in ("index", "ref")})
