"""kb.engine (Whoosh): postings encoded outside Whoosh must be the bytes Whoosh itself writes."""
from hypothesis import given, strategies as st
from whoosh import formats

from kb import engine as store


@given(st.lists(st.sampled_from(["ความ", "มั่นคง", "แผน", "3", "สมช"]), max_size=40))
def test_postings_match_whoosh_positions_encoding(terms):
    encoded = {t: (n, w, v) for t, n, w, v in store.postings(terms).items}
    expected = {}
    for pos, term in enumerate(terms):
        expected.setdefault(term, []).append(pos)
    assert set(encoded) == {t.encode("utf-8") for t in expected}
    fmt = formats.Positions()
    for term, plist in expected.items():
        n, weight, value = encoded[term.encode("utf-8")]
        assert (n, weight) == (len(plist), float(len(plist)))
        assert value == fmt.encode(plist)
        assert fmt.decode_positions(value) == plist


def test_documents_added_as_postings_or_words_are_found_alike(tmp_path):
    from kb.analysis import analyze
    from kb.models import Document
    from kb.query import Phrase

    text = "การค้ามนุษย์ในพื้นที่ชายแดน และการค้ามนุษย์ทางทะเล"
    body = analyze(text)
    writer = store.IndexWriter(tmp_path / "ix", rebuild=True)
    writer.add(Document(id="a", title="", text=text), body, analyze(""))
    writer.add(Document(id="b", title="", text=text), store.postings(body.words), store.postings([]))
    writer.close()
    ix = store.Index(tmp_path / "ix")
    snap = ix.snapshot()
    q = Phrase("words", tuple(analyze("การค้ามนุษย์ทางทะเล").words), 1.0)
    assert ix.docset(snap, q) == {snap.by_id["a"], snap.by_id["b"]}
    hits = ix.top(snap, q, ix.docset(snap, q), 10)
    # both documents, the same positive score, ties in docnum (here: insertion) order
    assert [snap.docs[d].id for d, _ in hits] == ["a", "b"]
    assert hits[0][1] == hits[1][1] > 0


def test_metadata_is_stored_as_an_object_keyed_by_field_name():
    import json

    from kb.engine.metadata import meta_bytes, meta_from_bytes
    from kb.models import Document

    d = Document(id="x", title="", text="", date="2024-02-01", plans=[3], agencies=["สมช."], content_hash="h", source="s")
    stored = json.loads(meta_bytes(d))
    assert stored["id"] == "x" and stored["facets"]["plan"] == ["3"] and stored["facets"]["agency"] == ["สมช."]
    meta = meta_from_bytes(meta_bytes(d))
    assert (meta.plans, meta.agencies, meta.year, meta.type) == (("3",), ("สมช.",), "2024", "other")
    # a document stored before a facet existed simply has no value for it
    del stored["facets"]["agency"]
    assert meta_from_bytes(json.dumps(stored).encode()).facet_values("agency") == ()
