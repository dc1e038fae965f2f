"""The engine contract (kb.engine.base), run against every engine.

Each engine registers a kit below (how to make a writer and a reader on a
folder); the Typesense engine adds its own kit and must pass the same tests.
Small documents are built here at test time; nothing is mocked.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from kb import analysis
from kb import query as kq
from kb.engine import EngineWriter, IndexMissing, PreparedDoc, SearchIndex, open_index, open_writer
from kb.engine.whoosh import IndexWriter as WhooshWriter
from kb.models import Document
from tests import typesense_util


@dataclass
class EngineKit:
    name: str
    writer: Callable[..., EngineWriter]  # (root, rebuild=False, settings=None) -> writer
    reader: Callable[[Path], SearchIndex]  # a fresh handle each call: no snapshot caching between steps
    state: Callable[[Path], list[str]]  # what the index holds besides documents (files, collections)
    age: Callable[[Path], None]  # make the index look built by an older kb


def _whoosh_age(root: Path) -> None:
    gen = root / (root / "CURRENT").read_text().strip()
    (gen / "kb-version.json").write_text('{"schema": "kb-2"}')


WHOOSH = EngineKit("whoosh", WhooshWriter, open_index, lambda root: sorted(p.name for p in root.iterdir()), _whoosh_age)


def _typesense_config(root: Path):
    # one collection per test folder, so tests never see each other's documents
    return typesense_util.cluster().config("c" + hashlib.blake2b(str(root).encode(), digest_size=6).hexdigest())


def _typesense_state(root: Path) -> list[str]:
    from kb.engine.typesense_cluster import Cluster

    cluster = Cluster(_typesense_config(root))
    names = sorted(c["name"] for c in cluster.client.collections.retrieve() if c["name"].startswith(cluster.alias))
    return [*names, f"alias→{cluster.active()}"]


def _typesense_age(root: Path) -> None:
    from kb.engine.typesense_cluster import Cluster

    cluster = Cluster(_typesense_config(root))
    cluster.write_settings(cluster.active(), {"schema": "kb-2"}, stamp="old")
    cluster.wait_applied(cluster.active(), "old")  # reads go to any node: let every node see it


TYPESENSE = EngineKit(
    "typesense",
    lambda root, rebuild=False, settings=None: open_writer(root, _typesense_config(root), rebuild=rebuild, settings=settings),
    lambda root: open_index(root, _typesense_config(root)),
    _typesense_state,
    _typesense_age,
)
KITS = [WHOOSH, TYPESENSE]


@pytest.fixture(params=KITS, ids=lambda k: k.name)
def kit(request) -> EngineKit:
    if request.param is TYPESENSE:
        typesense_util.skip_without_wheels()
    return request.param


def doc(doc_id: str, text: str, title: str = "", **meta) -> Document:
    return Document(id=doc_id, title=title, text=text, content_hash=f"h-{doc_id}", source=f"src/{doc_id}", **meta)


def prepared(d: Document, new: bool = True) -> PreparedDoc:
    return PreparedDoc(
        d, analysis.analyze(d.text), analysis.analyze(d.title), analysis.scan_form(d.title + "\n" + d.text), new=new
    )


DOCS = [
    doc("trafficking", "การค้ามนุษย์ที่ชายแดน และการค้ามนุษย์ทางทะเล", "ค้ามนุษย์", date="2024-03-05",
        plans=[7], provinces=["ตาก"], regions=["north"], topics=["trafficking"], agencies=["สมช."], type="meeting"),
    doc("flood", "การฝึกซ้อมรับมืออุทกภัยที่ชายแดน", "อุทกภัย", date="2023-01-12",
        plans=[3, 7], provinces=["อุบลราชธานี"], regions=["northeast"], topics=["disaster"], agencies=["กอ.รมน."], type="news"),
    doc("cyber", "การเฝ้าระวังภัยไซเบอร์ ภัยหลอกลวงทางออนไลน์", "ไซเบอร์", plans=[], agencies=["สมช.", "ศรชล."]),
]


def words(text: str) -> tuple[str, ...]:
    return tuple(analysis.analyze(text).words)


def term(text: str, field: str = "words") -> kq.Term:
    (w,) = words(text)
    return kq.Term(field, w)


@pytest.fixture
def built(kit, tmp_path) -> SearchIndex:
    w = kit.writer(tmp_path / "ix")
    w.add_batch(prepared(d) for d in DOCS)
    w.close()
    return kit.reader(tmp_path / "ix")


def ids(snap, docnums) -> set[str]:
    return {snap.docs[d].id for d in docnums}


def test_no_index_is_index_missing(kit, tmp_path):
    with pytest.raises(IndexMissing):
        kit.reader(tmp_path / "nothing").snapshot()


def test_matching_follows_each_node_of_the_query_tree(built):
    snap = built.snapshot()
    border, cyber = term("ชายแดน"), term("ไซเบอร์")
    assert ids(snap, snap.matching(border)) == {"trafficking", "flood"}
    assert ids(snap, snap.matching(kq.Phrase("words", words("การค้ามนุษย์ทางทะเล")))) == {"trafficking"}
    assert ids(snap, snap.matching(kq.Phrase("words", words("ทะเลการค้ามนุษย์")))) == set()  # order matters
    assert ids(snap, snap.matching(kq.AnyOf((border, cyber)))) == {"trafficking", "flood", "cyber"}
    assert ids(snap, snap.matching(kq.AllOf((border, term("อุทกภัย"))))) == {"flood"}
    assert ids(snap, snap.matching(kq.Every())) == {"trafficking", "flood", "cyber"}
    assert snap.matching(kq.Nothing()) == snap.matching(kq.AnyOf(())) == snap.matching(kq.AllOf(())) == set()
    assert ids(snap, snap.matching(term("ไซเบอร์", "title"))) == {"cyber"}


def test_top_ranks_within_the_set_best_first_and_stops_at_k(built):
    snap = built.snapshot()
    border = term("ชายแดน")
    everything = set(snap.docs)
    hits = snap.top(kq.AnyOf((term("การค้ามนุษย์"), border)), everything, 10)
    assert [snap.docs[d].id for d, _ in hits] == ["trafficking", "flood"]  # two matching words beat one
    assert hits[0][1] > hits[1][1] > 0
    assert [snap.docs[d].id for d, _ in snap.top(border, everything - {snap.by_id["trafficking"]}, 10)] == ["flood"]
    assert len(snap.top(kq.Every(), everything, 2)) == 2
    assert built.top(snap, border, set(), 10) == [] and built.top(snap, border, everything, 0) == []


def test_stored_fields_come_back_as_indexed(built):
    snap = built.snapshot()
    for d in DOCS:
        assert built.document(d.id) == d
        assert snap.stored(snap.by_id[d.id]) == d
    assert built.document("no-such-id") is None


def test_facet_values_and_counts_are_strings_keyed_by_facet(built):
    snap = built.snapshot()
    t = snap.by_id["trafficking"]
    assert snap.facet_values(t, "plan") == ("7",)
    assert snap.facet_values(t, "agency") == ("สมช.",)
    assert snap.facet_values(t, "year") == ("2024",)
    assert snap.facet_values(snap.by_id["cyber"], "year") == ()
    assert snap.facet_values(snap.by_id["cyber"], "type") == ("other",)
    everything = set(snap.docs)
    assert snap.facet_counts(everything, "plan") == {"7": 2, "3": 1}
    assert snap.facet_counts(everything, "agency") == {"สมช.": 2, "กอ.รมน.": 1, "ศรชล.": 1}
    assert snap.facet_counts({t}, "region") == {"north": 1}
    with pytest.raises(KeyError):
        snap.facet_values(t, "colour")
    meta = snap.docs[t]
    assert (meta.id, meta.date, meta.source, meta.content_hash) == ("trafficking", "2024-03-05", "src/trafficking", "h-trafficking")


def test_doc_frequency_and_suggestions(built):
    snap = built.snapshot()
    (border,) = words("ชายแดน")
    assert snap.doc_frequency("words", border) == 2
    assert snap.doc_frequency("words", "zqnothing") == 0
    assert border in snap.suggest("words", "ชายแดง")  # one edit away
    assert snap.suggest("words", "zqzq") == []  # nothing shares the first character


def test_subword_scan_finds_text_inside_longer_words(built):
    snap = built.snapshot()
    found = snap.scan().positions(analysis.scan_form("ค้ามนุษย์"))
    assert ids(snap, found) == {"trafficking"}
    assert len(found[snap.by_id["trafficking"]]) == 3  # title once, body twice


def test_nothing_is_visible_before_commit_and_deletes_and_updates_after(kit, tmp_path):
    root = tmp_path / "ix"
    w = kit.writer(root)
    w.add_batch(prepared(d) for d in DOCS[:2])
    w.commit()
    w.add_batch([prepared(DOCS[2])])
    w.delete("flood")
    assert set(kit.reader(root).snapshot().by_id) == {"trafficking", "flood"}
    assert w.pending == 2
    w.commit()
    assert set(kit.reader(root).snapshot().by_id) == {"trafficking", "cyber"}
    changed = doc("cyber", "ข้อความใหม่ทั้งหมด", "ไซเบอร์")
    w.add(changed, analysis.analyze(changed.text), analysis.analyze(changed.title))  # replaces the same id
    w.close()
    ix = kit.reader(root)
    assert ix.doc_count() == 2 and ix.document("cyber") == changed
    assert kit.writer(root).existing()["cyber"].content_hash == "h-cyber"


def test_abort_keeps_the_last_commit(kit, tmp_path):
    root = tmp_path / "ix"
    w = kit.writer(root)
    w.add_batch([prepared(DOCS[0])])
    w.commit()
    w.add_batch([prepared(DOCS[1])])
    w.abort()
    w.abort()  # twice is harmless
    assert set(kit.reader(root).snapshot().by_id) == {"trafficking"}


def test_rebuild_is_invisible_until_close_and_then_replaces_everything(kit, tmp_path):
    root = tmp_path / "ix"
    w = kit.writer(root)
    w.add_batch(prepared(d) for d in DOCS)
    w.close()
    rebuild = kit.writer(root, rebuild=True)
    assert rebuild.existing() == {}
    rebuild.add_batch([prepared(DOCS[0])])
    rebuild.commit()
    assert kit.reader(root).doc_count() == 3  # readers keep the old generation
    rebuild.close()
    assert set(kit.reader(root).snapshot().by_id) == {"trafficking"}


def test_aborted_rebuild_leaves_the_old_generation_serving(kit, tmp_path):
    root = tmp_path / "ix"
    w = kit.writer(root)
    w.add_batch(prepared(d) for d in DOCS)
    w.close()
    before = kit.state(root)
    rebuild = kit.writer(root, rebuild=True)
    rebuild.add_batch([prepared(DOCS[0])])
    rebuild.commit()
    rebuild.abort()
    assert kit.state(root) == before
    assert kit.reader(root).doc_count() == 3


def test_an_index_from_an_older_schema_asks_for_a_full_rebuild(kit, tmp_path):
    root = tmp_path / "ix"
    kit.writer(root, settings={"subword": True}).close()
    kit.age(root)
    with pytest.raises(IndexMissing, match="--full"):
        kit.reader(root).snapshot()


def test_only_the_engine_modules_import_their_libraries():
    import ast

    root = Path(__file__).resolve().parent.parent
    importers, typesense_importers = set(), set()
    for path in [*root.glob("kb/**/*.py"), *root.glob("indexer/**/*.py"), *root.glob("web/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n == "whoosh" or n.startswith("whoosh.") for n in names):
                importers.add(path.relative_to(root).as_posix())
            if any(n == "typesense" or n.startswith("typesense.") for n in names):
                typesense_importers.add(path.relative_to(root).as_posix())
    assert importers == {"kb/engine/whoosh.py", "kb/engine/whoosh_codec.py", "kb/engine/whoosh_writer.py"}
    assert typesense_importers == {"kb/engine/typesense.py", "kb/engine/typesense_cluster.py"}
