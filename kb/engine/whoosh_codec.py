"""Whoosh internals kb relies on: the schema, the postings codec and a faster segment codec.

Split from ``kb.engine.whoosh`` because these subclass or reproduce Whoosh's
private formats (a Whoosh upgrade is checked here, and by tests/test_store.py,
which compares ``postings()`` with Whoosh's own encoder).  With
``kb.engine.whoosh`` the only modules importing ``whoosh``.
"""
from __future__ import annotations

import bisect
import io
import pickle
import zlib
from itertools import accumulate
from typing import Iterator

import numpy as np

from whoosh import columns, fields, formats, query as wq, scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, _lenfield
from whoosh.system import pack_uint as _pack_uint
from whoosh.util.numeric import byte_to_length

from kb import query as kq


class PositionedTerms(fields.FieldType):
    """A field fed with terms the analysis already produced.

    Whoosh's own analyzers yield one Token object per term.  This field takes
    the terms in order (a term's index is its position), or their encoded
    ``Postings``, and hands Whoosh the postings directly.
    """

    def __init__(self, scorable: bool = True):
        super().__init__(formats.Positions(), analyzer=None, scorable=scorable)

    def index(self, value, **kwargs):  # noqa: D401 - Whoosh's signature
        return iter((value if isinstance(value, Postings) else postings(value)).items)

    def process_text(self, qstring, mode="", **kwargs):
        return iter(qstring.split())

    def self_parsing(self):
        return False


class Postings:
    """One field's postings for one document, encoded as ``PositionedTerms``
    stores them: (term bytes, frequency, weight, positions value) per distinct
    term.

    Encoding is a third of what Whoosh's writer does per document; built by
    ``postings()`` in the indexer's worker processes, it leaves the single
    writing process only the writing.
    """

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[bytes, int, float, bytes]]):
        self.items = items


def postings(terms: list[str]) -> Postings:
    """Terms in order (their index is their position) → encoded ``Postings``.

    Produces exactly the bytes of Whoosh's ``formats.Positions.encode``
    (a count, then the pickled position deltas): tests/test_store.py checks.
    Most terms of a document occur once: only repeated ones get a list.
    """
    first: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    seen = first.setdefault
    for pos, term in enumerate(terms):
        if seen(term, pos) != pos:
            plist = repeated.get(term)
            if plist is None:
                repeated[term] = [first[term], pos]
            else:
                plist.append(pos)
    items = []
    append = items.append
    single = _SINGLE_POSITION
    for term, pos in first.items():
        plist = repeated.get(term)
        if plist is None:  # the encodings of single positions are shared
            value = single.get(pos)
            if value is None:
                value = _ONE + pickle.dumps([pos], 2)
                if len(single) < 100_000:
                    single[pos] = value
            append((term.encode("utf-8"), 1, 1.0, value))
        else:
            n = len(plist)
            deltas = [plist[0], *(b - a for a, b in zip(plist, plist[1:]))]
            append((term.encode("utf-8"), n, float(n), _pack_uint(n) + pickle.dumps(deltas, 2)))
    return Postings(items)


_SINGLE_POSITION: dict[int, bytes] = {}  # position → encoding of a term that occurs once, there
_ONE = _pack_uint(1)


def make_schema() -> fields.Schema:
    """The fields of one generation; ``meta`` holds ``kb.engine.metadata.meta_bytes``."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=PositionedTerms(),
        words=PositionedTerms(),
        source=fields.ID(stored=True),
        # compact per-document metadata read for facets and date sorting
        meta=fields.COLUMN(columns.VarBytesColumn()),
        # the sub-word layer: the document's scan form (kb.analysis.scan_form), see kb.textscan
        scan=fields.COLUMN(columns.VarBytesColumn()),
        doc=fields.STORED(),
    )


class _LengthTableReader(W3PerDocReader):
    """Whoosh's per-document reader, with each field's length column read once.

    When a segment is written, Whoosh asks for the field length of every
    posting (for the block statistics BM25 uses), one seek and read each:
    measured as about a fifth of the writer's CPU.  A per-field table answers
    the same questions from memory.
    """

    def doc_field_length(self, docnum, fieldname, default=0):
        tables = self.__dict__.setdefault("_length_tables", {})
        table = tables.get(fieldname)
        if table is None:
            reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if reader is None:
                return default
            # Same answers as the original, including None for a zero byte.
            table = tables[fieldname] = [byte_to_length(b) if b else None for b in reader]
        if docnum >= len(table):
            return super().doc_field_length(docnum, fieldname, default)
        return table[docnum]


class _Codec(W3Codec):
    """W3Codec with uncompressed posting blocks (zlib on every block was the
    largest single cost of a commit, for a modest saving on disk) and the
    length tables above."""

    def __init__(self):
        super().__init__(compression=0)

    def per_document_reader(self, storage, segment):
        return _LengthTableReader(storage, segment)


def codec() -> _Codec:
    return _Codec()


def weighting() -> scoring.WeightingModel:
    # BM25F; titles are short, so their length normalization is softened.
    return scoring.BM25F(B=0.75, K1=1.2, title_B=0.5)


def compile_query(q: kq.Query) -> wq.Query:
    """Engine-neutral query tree → Whoosh query."""
    if isinstance(q, kq.Term):
        return wq.Term(q.field, q.text, boost=q.boost)
    if isinstance(q, kq.Phrase):
        if len(q.terms) == 1:
            return wq.Term(q.field, q.terms[0], boost=q.boost)
        return wq.Phrase(q.field, list(q.terms), boost=q.boost)
    if isinstance(q, kq.AnyOf):
        return wq.Or([compile_query(s) for s in q.queries], boost=q.boost) if q.queries else wq.NullQuery
    if isinstance(q, kq.AllOf):
        return wq.And([compile_query(s) for s in q.queries], boost=q.boost) if q.queries else wq.NullQuery
    if isinstance(q, kq.Every):
        return wq.Every()
    if isinstance(q, kq.Nothing):
        return wq.NullQuery
    raise TypeError(f"cannot compile {q!r}")


# --- reading a segment's postings as arrays (kb.engine.arrays) ---------------------

def segment_readers(reader) -> list[tuple[object, int]]:
    """(segment reader, first global docnum) of every segment of ``reader``."""
    return list(reader.leaf_readers())


def segment_name(segment_reader) -> str:
    """The segment's id, unique and never reused: its array cache is keyed by it."""
    return segment_reader.segment().segment_id()


def field_lengths(segment_reader, fieldname: str) -> np.ndarray:
    """The segment's per-document lengths of ``fieldname`` as BM25F sees them
    (Whoosh keeps one byte per document, a lossy length; the scorer uses the decoded value)."""
    return perdoc_lengths(segment_reader._perdoc, fieldname, segment_reader.doc_count_all())


def perdoc_lengths(perdoc, fieldname: str, n: int) -> np.ndarray:
    """``field_lengths`` from a segment's per-document reader (the writer's, at commit)."""
    col = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if col is None:
        return np.zeros(n, dtype=np.float32)
    return _BYTE_LENGTHS[np.fromiter(iter(col), dtype=np.uint8, count=n)]


_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def field_postings(segment_reader, fieldname: str) -> Iterator[tuple[bytes, list[int], list[float]]]:
    """(term bytes, local docnums, term frequencies) of every term of one segment's field,
    deleted documents included (the caller masks them), read block by block from
    the postings file rather than one posting at a time.  Plain lists: most terms
    have one or two postings, where numpy's per-call cost would dominate."""
    terms = segment_reader._terms
    postfile = terms._postfile
    for (fname, tbytes), info in terms.items_from(fieldname, b""):
        if fname != fieldname:
            return
        if info.is_inlined():
            ids, weights, _ = info.inlined_postings()
            yield tbytes, list(ids), list(weights)
            continue
        offset, length = info.extent()
        if isinstance(length, tuple):  # Whoosh's W3TermInfo.from_bytes leaves it unpacked
            length = length[0]
        yield (tbytes, *_read_blocks(postfile.get(offset, length)))


def _read_blocks(raw: bytes) -> tuple[list[int], list[float]]:
    """Decode W3 posting blocks: [magic] then per block an int length (negative on
    the last), a pickled info tuple, and the pickled (delta ids, weights, values)."""
    view = memoryview(raw)
    pos = 4
    ids_out: list[int] = []
    tfs_out: list[float] = []
    while True:
        length = int.from_bytes(raw[pos : pos + 4], "big", signed=True)
        end = pos + 4 + abs(length)
        block = io.BytesIO(view[pos + 4 : end])
        info = pickle.load(block)
        count, compression = info[0], info[3]
        data = view[pos + 4 + block.tell() : end]
        ids, weights, _ = pickle.loads(zlib.decompress(data) if compression else data)
        ids_out.extend(accumulate(ids))  # a block's ids are deltas from 0
        if weights is None:
            tfs_out.extend([1.0] * count)
        elif isinstance(weights, float):
            tfs_out.extend([weights] * count)
        else:
            tfs_out.extend(weights)
        if length < 0:
            return ids_out, tfs_out
        pos = end


def term_positions(segment_reader, fieldname: str, term: str, docnums: np.ndarray) -> dict[int, list[int]]:
    """Local docnum → positions of ``term`` in ``fieldname``, for those of ``docnums`` holding it.

    Phrases are verified on their candidates only, so positions are decoded only
    there; blocks whose docnums are all below the next candidate are skipped
    unread (their info tuple holds their last docnum)."""
    out: dict[int, list[int]] = {}
    terms = segment_reader._terms
    try:
        info = terms.term_info(fieldname, term.encode("utf-8"))
    except Exception:  # TermNotFound: no candidate holds it
        return out
    wanted = sorted(set(docnums.tolist()))
    if not wanted:
        return out
    if info.is_inlined():
        ids, _, values = info.inlined_postings()
        _collect(out, wanted, ids, values)
        return out
    offset, length = info.extent()
    if isinstance(length, tuple):
        length = length[0]
    raw = terms._postfile.get(offset, length)
    view, pos, at = memoryview(raw), 4, 0  # wanted[at:]: the candidates not reached yet
    while True:
        size = int.from_bytes(raw[pos : pos + 4], "big", signed=True)
        end = pos + 4 + abs(size)
        block = io.BytesIO(view[pos + 4 : end])
        block_info = pickle.load(block)
        if block_info[1] >= wanted[at]:  # the block's last docnum reaches the next candidate
            data = view[pos + 4 + block.tell() : end]
            ids, _, values = pickle.loads(zlib.decompress(data) if block_info[3] else data)
            # only this block's candidates (all the rest, per block, grew quadratically with them)
            upto = bisect.bisect_right(wanted, block_info[1], at)
            _collect(out, wanted[at:upto], list(accumulate(ids)), values)
            at = upto
        if size < 0 or at == len(wanted):
            return out
        pos = end


def _collect(out: dict[int, list[int]], wanted: list[int], ids, values) -> None:
    """Positions of the ``wanted`` docnums (ascending) among a block's ascending ``ids``.

    Each wanted docnum is found by bisection, not each of the block's postings tested:
    a phrase's candidates are often a few of a common word's 128 postings a block.
    The values not decoded before are unpickled in one call (``_decode_all``), not
    one ``pickle.loads`` each: a phrase of common words has tens of thousands."""
    decoded, lo, n = _DECODED, 0, len(ids)
    todo: list[tuple[int, bytes]] = []
    for d in wanted:
        lo = bisect.bisect_left(ids, d, lo)
        if lo == n:
            break
        if ids[lo] != d:
            continue
        value = values[lo]
        found = decoded.get(value)
        if found is None:
            todo.append((d, value))
        else:
            out[d] = found
    if not todo:
        return
    for (d, value), deltas in zip(todo, _decode_all([v for _, v in todo])):
        found = list(accumulate(deltas))
        if len(value) <= 16 and len(decoded) < 100_000:  # one or two positions: shared by many postings
            decoded[value] = found
        out[d] = found


def _decode_all(values: list[bytes]) -> list[list[int]]:
    """Each positions value's deltas (Whoosh's ``Positions``: a 4-byte count, then a
    protocol-2 pickle of the list).  The pickles' bodies, each leaving one list, are
    joined inside one mark and read as a list of lists by one ``pickle.loads``; a value
    of another shape is read alone (Whoosh's ``decode_positions``, for one value)."""
    bodies = []
    for value in values:
        codes = value[4:]
        if not codes.startswith(b"\x80\x02"):
            return [pickle.loads(v[4:] if v.endswith(b".") else v[4:] + b".") for v in values]
        bodies.append(codes[2:-1] if codes.endswith(b".") else codes[2:])
    return pickle.loads(b"\x80\x02(" + b"".join(bodies) + b"l.")


_DECODED: dict[bytes, list[int]] = {}  # a short positions value → its positions (callers never mutate them)


# Merging, measured: Whoosh's default policy (MERGE_SMALL) leaves the ~2,000-document
# segments of ``kb index``'s commits alone until about 21 exist, then rewrites them
# all at once, through Python: ~40,000 of the 63,000 ThaiGov releases, at 2.6 s of
# writer CPU per 1,000 documents (12,000 merged in 30.7 s), in the process that
# is the bottleneck of a full build.  Queries cost the same on 7 segments as on 1
# (12,000 releases, the arrays score per segment), so segments of a useful size
# are kept; only small ones, many segments, or many deletions are merged.
SMALL_SEGMENT_DOCS = 1000  # a smaller segment (a small incremental run) is merged with the other small ones
MAX_SMALL_SEGMENTS = 8  # small segments tolerated before they are merged together
MAX_SEGMENTS = 48  # past this many, the smallest half is merged
MAX_DELETED_SHARE = 0.3  # a segment with more of its documents deleted is rewritten


def merge_policy(writer, segments: list) -> list:
    """Whoosh merge policy (``writer.commit(mergetype=...)``): which segments to
    merge into the one being written; returns the ones kept as they are."""
    from whoosh.reading import SegmentReader

    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT_DOCS]
    merged = small if len(small) > MAX_SMALL_SEGMENTS else []
    merged += [s for s in segments if s not in merged and s.deleted_count() > MAX_DELETED_SHARE * s.doc_count_all()]
    kept = [s for s in segments if s not in merged]
    if len(kept) > MAX_SEGMENTS:
        by_size = sorted(kept, key=lambda s: s.doc_count_all())
        merged += by_size[: len(by_size) // 2]
        kept = by_size[len(by_size) // 2 :]
    for segment in merged:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return kept
