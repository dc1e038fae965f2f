"""The Typesense writer imports new documents ahead of its commit (issue 16, pipelining).

While the indexer prepares the next documents, the writer already imports the
new ones in the background, marked with their batch number.  The contract still
holds: nothing of a batch is visible before its commit, and the documents a
run imported ahead but never committed (it died) never show up later.  Real
3-node cluster (``tests/typesense_util.py``), documents built here.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from kb import analysis
from kb.engine import PreparedDoc, open_index, open_writer
from kb.engine import typesense as ts
from kb.models import Document
from tests import typesense_util


@pytest.fixture
def config():
    return typesense_util.cluster().config(typesense_util.fresh_collection())


def prepared(n: int, word: str) -> PreparedDoc:
    d = Document(id=f"{word}-{n}", title=f"เอกสาร {n}", text=f"{word} ชายแดน ฉบับที่ {n}", content_hash=f"h{word}{n}",
                 source=f"src/{word}-{n}")
    return PreparedDoc(d, analysis.analyze(d.text), analysis.analyze(d.title), analysis.scan_form(d.title + "\n" + d.text),
                       new=True)


def held(config) -> int:
    """Documents the collection holds, committed or not (Typesense's own count)."""
    from kb.engine.typesense_cluster import Cluster

    cluster = Cluster(config)
    return int(cluster.client.collections[cluster.active()].retrieve()["num_documents"])


def until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def visible(config) -> set[str]:
    return set(open_index(Path("-"), config).snapshot().by_id)


def test_documents_imported_ahead_stay_unseen_until_their_commit(config, monkeypatch):
    monkeypatch.setattr(ts, "IMPORT_CHUNK", 2)
    writer = open_writer(Path("-"), config)
    writer.add_batch(prepared(i, "ยาเสพติด") for i in range(3))
    writer.commit()
    writer.add_batch(prepared(i, "ประมง") for i in range(5))
    until(lambda: held(config) >= 7)  # two chunks of the second batch imported ahead
    assert visible(config) == {f"ยาเสพติด-{i}" for i in range(3)}
    writer.close()
    assert visible(config) == {f"ยาเสพติด-{i}" for i in range(3)} | {f"ประมง-{i}" for i in range(5)}


def test_a_run_that_died_after_importing_ahead_leaves_nothing_a_later_commit_shows(config, monkeypatch):
    monkeypatch.setattr(ts, "IMPORT_CHUNK", 2)
    first = open_writer(Path("-"), config)
    first.add_batch(prepared(i, "ยาเสพติด") for i in range(3))
    first.commit()
    first.add_batch(prepared(i, "ประมง") for i in range(4))
    until(lambda: held(config) >= 7)
    first.abort()  # the run dies: its second batch was imported, never committed
    second = open_writer(Path("-"), config)
    assert set(second.existing()) == {f"ยาเสพติด-{i}" for i in range(3)}
    second.add_batch([prepared(9, "แรงงาน")])
    second.close()
    assert visible(config) == {f"ยาเสพติด-{i}" for i in range(3)} | {"แรงงาน-9"}
    assert held(config) == 4


def test_a_collection_of_an_older_layout_is_rebuilt_not_written_into(config):
    """An index from before the side collections (layout ts-1) has no ``--doc``/``--scan``:
    an incremental run rebuilds it behind the alias instead of failing on them."""
    from kb.engine.typesense_cluster import Cluster

    first = open_writer(Path("-"), config)
    first.add_batch(prepared(i, "ยาเสพติด") for i in range(2))
    first.close()
    cluster = Cluster(config)
    old = cluster.active()
    cluster.write_settings(old, {**cluster.settings(old), "layout": "ts-1"}, stamp="old")
    cluster.wait_applied(old, "old")  # reads go to any node: wait until every node holds the old layout
    second = open_writer(Path("-"), config)
    assert second.rebuild
    second.add_batch([prepared(9, "แรงงาน")])
    second.close()
    assert cluster.active() != old
    assert visible(config) == {"แรงงาน-9"}
    assert open_index(Path("-"), config).snapshot().stored(0).id == "แรงงาน-9"


@pytest.mark.parametrize("committed", [False, True], ids=["while-importing", "before-the-swap"])
def test_a_rebuild_whose_collection_another_run_removed_fails_in_one_line(config, committed):
    """A second ``kb index`` of the same collection (another ``--index`` folder, so another
    lock) removes a running ``--full``'s unfinished collection as a leftover.  The
    rebuild used to die with Typesense's ObjectNotFound traceback; now it names the
    collection and what to do (``IndexWriteFailed``: one line, exit 1).  Removed after its
    last commit, the rebuild used to point the alias at the deleted collection (Typesense
    accepts that), leaving readers no index."""
    from kb.engine import IndexWriteFailed

    first = open_writer(Path("-"), config)
    first.add_batch(prepared(i, "ยาเสพติด") for i in range(2))
    first.close()
    rebuild = open_writer(Path("-"), config, rebuild=True)
    rebuild.add_batch(prepared(i, "ประมง") for i in range(3))
    if committed:
        rebuild.commit()
    other = open_writer(Path("-"), config)  # removes the rebuild's collection as a leftover
    other.add_batch([prepared(9, "แรงงาน")])
    other.close()
    with pytest.raises(IndexWriteFailed, match=rebuild.physical) as failed:
        rebuild.close()
    assert "\n" not in str(failed.value) and "kb index" in str(failed.value)
    rebuild.abort()
    assert visible(config) == {f"ยาเสพติด-{i}" for i in range(2)} | {"แรงงาน-9"}
