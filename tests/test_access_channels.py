"""Partner access: the side channels of the index vocabulary and its statistics (issue 17).

``tests/test_access.py`` holds that hidden documents add no hit, count or byte.  Here
hidden documents hold *visible* words many times (``tests/accessutil.FREQ_HIDDEN``):
the engine's corrector ranks its candidates, and BM25 weighs words, by frequencies
over the whole index.  A visitor must not be able to read those frequencies from
which word "did you mean" offers, from a typo correction that is made or not (a
total that moves), or from the order of two visible hits.  Every answer at a level
must equal, in order and score, an index of the visible documents alone.  And a
restricted document removed from the corpus must leave no word behind for the
corrector while the engine still holds it, deleted, until a merge.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.accessutil import LEVEL_ORDER, build_index, visible_levels, write_frequency_corpus
from tests.conftest import run_kb

NO_LIMITS = {"RATE_LIMIT": 100_000, "TOKEN_RATE_LIMIT": 100_000}

PROBES = [
    "zorbax",  # did you mean: zorbay (2 visible documents), not zorbaq (1 visible, 4 hidden)
    "qelmor",  # corrected to qelmof (3 visible), though 5 candidates are held by more hidden ones
    "gammaword deltaword",  # relaxed: the order of the two hits must not weigh gammaword by hidden documents
    "gammaword OR deltaword",
    "เสือดาวหิมะ ช้างเผือกน้อย",  # the same in Thai (scores)
    "เสือดาวหิมะ",
    "zorbaq",
    "ลาดตระเวน",
    "เสือดาวหิมะช้างเผือกน้อย",  # unspaced: split where the words are known (held by 2 visible documents)
    "น้ำท่วม",  # thesaurus: น้ำท่วม ↔ อุทกภัย, which hidden documents hold many times
    "อุทกภัย น้ำท่วม",
    "เสือดาวหิมา",  # a Thai misspelling
]


def frequency_apps(root, engines: dict | None = None, env: dict | None = None) -> dict:
    """The frequency corpus indexed whole (``full``) and per level alone (``public``, ``partner``), each
    served by its app, with a partner token's headers; ``engines``: level → the cluster's ``EngineConfig``."""
    from web import create_app

    engines = engines or {}
    folders = {"full": root / "full-index", "public": root / "ref-public", "partner": root / "ref-partner"}
    build_index(write_frequency_corpus(root / "corpus", LEVEL_ORDER), folders["full"], engine=engines.get("full"))
    for level in ("public", "partner"):
        build_index(write_frequency_corpus(root / f"corpus-{level}", visible_levels(level), declare=False),
                    folders[level], engine=engines.get(level))
    token = run_kb("tokens", "create", "--name", "t-partner", "--access", "partner", "--index", str(folders["full"]),
                   env=env, check_exit=0).stdout.strip()
    apps = {k: create_app({"INDEX_DIR": str(p), "ENGINE": engines.get(k), **NO_LIMITS}) for k, p in folders.items()}
    return {"apps": apps, "headers": {"public": {}, "partner": {"Authorization": f"Bearer {token}"}}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return frequency_apps(tmp_path_factory.mktemp("access-freq"))


def answer(client, q: str, headers: dict[str, str]) -> dict:
    """What a visitor reads of one search: total, hits in order with their scores, facets, notices, suggestions."""
    got = client.get(f"/api/search?{urlencode({'q': q})}", headers=headers)
    assert got.status_code == 200, got.data[:300]
    out = dict(got.json)
    out["hits"] = [{**h, "score": pytest.approx(h["score"], rel=1e-2)} for h in out["hits"]]  # see test_access.comparable
    return out


def check_frequency_probes(world: dict, level: str) -> None:
    """Every probe at ``level`` answers what the visible documents alone answer (both engines use it)."""
    client, ref = world["apps"]["full"].test_client(), world["apps"][level].test_client()
    for q in PROBES:
        got, want = answer(client, q, world["headers"][level]), answer(ref, q, {})
        assert [h["id"] for h in got["hits"]] == [h["id"] for h in want["hits"]], f"{level} {q}: hit order"
        assert got == want, f"{level} {q}"
    # the probes do probe: the reference answers what the corpus was built for
    assert answer(ref, "zorbax", {})["suggestions"] == ["zorbay"]
    assert answer(ref, "qelmor", {})["total"] == 3
    assert [h["id"] for h in answer(ref, "gammaword deltaword", {})["hits"]] == ["f-gamma", "f-delta"]


@pytest.mark.parametrize("level", ("public", "partner"))
def test_corrector_and_ranking_count_visible_documents_only(world, level):
    check_frequency_probes(world, level)


CANARIES = ("wexdeletedfox", "นกกระจิบเงินยวง")


def test_a_deleted_restricted_document_leaves_no_word_for_the_corrector(tmp_path):
    """A partner document removed from the corpus is deleted, not yet merged away: the engine
    still counts its words.  No level below it may be offered one, nor have it corrected to."""
    from kb.engine import Index

    check_deleted_document(tmp_path)
    assert Index(tmp_path / "index").snapshot().holds_deleted  # still there, deleted: what this test is about


def check_deleted_document(tmp_path, engines: dict | None = None) -> None:
    """The partner document indexed, then removed from the corpus and indexed again: anonymous answers
    equal those of the public documents alone (``engines``: "index"/"ref" → a cluster's ``EngineConfig``)."""
    from web import create_app

    engines = engines or {}

    public = [{"id": f"pub-{i}", "title": f"ประกาศที่ {i}", "text": f"วันที่ {i % 28 + 1} มีนาคม 2567 ที่จังหวัดตาก "
               f"รายงานการประชุมชายแดน ครั้งที่ {i}"} for i in range(60)]
    hidden = {"id": "gone-partner", "title": "บันทึกภาคี wexdeletedfox", "access": "partner",
              "text": "วันที่ 9 มีนาคม 2567 รหัส wexdeletedfox wexdeletedfox wexdeletedfox นกกระจิบเงินยวง"}
    corpus, ref_corpus = tmp_path / "corpus", tmp_path / "ref-corpus"
    for folder, records in ((corpus, public + [hidden]), (ref_corpus, public)):
        folder.mkdir()
        (folder / "pub.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[:60]), "utf-8")
        if len(records) > 60:
            (folder / "partner.jsonl").write_text(json.dumps(records[60], ensure_ascii=False) + "\n", "utf-8")
    build_index(corpus, tmp_path / "index", engine=engines.get("index"))
    (corpus / "partner.jsonl").unlink()
    build_index(corpus, tmp_path / "index", engine=engines.get("index"))  # the partner document is deleted
    build_index(ref_corpus, tmp_path / "ref", engine=engines.get("ref"))
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "ENGINE": engines.get("index"), **NO_LIMITS}).test_client()
    ref = create_app({"INDEX_DIR": str(tmp_path / "ref"), "ENGINE": engines.get("ref"), **NO_LIMITS}).test_client()
    for q in ("wexdeletedfoy", "wexdeletedfo", "wexdeletedfox", "นกกระจิบเงินยวน", "กระจิบเงินยวง", "ตาก"):
        got, want = answer(client, q, {}), answer(ref, q, {})
        assert got == want, q
        text = client.get(f"/?{urlencode({'q': q})}").data.decode()
        assert not any(c in text for c in CANARIES if c not in q), q
