"""Phrase positions as arrays beside each segment, for the terms where decoding costs.

A phrase is checked on its candidates' positions.  Whoosh keeps them pickled, one
``pickle.loads`` per block of 128 postings (~57 µs): a phrase of common words at 4×
the releases spent most of its time there ("เปิดเผยว่า": 0.40 of 0.75 s).  Here the
terms with at least ``MIN_POSTINGS`` postings in a segment have their positions
written once per segment (``kb-positions/<segment id>/``): per field the terms'
hashes and bytes, each term's run of postings (``post_starts``), the postings'
local docnums (``docs``), each posting's run of positions (``offsets``) and the
positions themselves, one flat int32 array.  A lookup reads its term's docnums and
offsets and its candidates' positions by slices (``NpyFile``, ``os.pread``):
nothing is held but the hashes, so the RSS does not grow with the files.

Derived from Whoosh, keyed by the segment id (never reused), written by the writer
after its commit and on first need for an index that lacks them; a term not in the
files (a rare one: a few blocks) is still decoded through Whoosh, so the answers
are the same either way (``tests/test_grow5_positions.py``).
"""
from __future__ import annotations

import io
import json
import pickle
import zlib
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterator

import numpy as np

from kb.engine.arrays import FieldArrays, NpyFile, find_term, term_hash, write_folder
from kb.scan_offsets import run_indices

POS_DIR = "kb-positions"
FORMAT = 1
MIN_POSTINGS = 256  # two blocks of Whoosh's postings: below, decoding costs little
_HELD = ("hashes", "term_starts", "term_bytes", "post_starts")
_READ = ("docs", "offsets", "positions")


@dataclass
class FieldPositions:
    """One segment's positions of one field's common terms (see the module text)."""

    hashes: np.ndarray  # uint64 sorted
    term_starts: np.ndarray  # int64, term i's bytes: term_bytes[term_starts[i]:term_starts[i+1]]
    term_bytes: np.ndarray  # uint8
    post_starts: np.ndarray  # int64, term i's postings: [post_starts[i], post_starts[i+1])
    docs: NpyFile  # int32 local docnums, ascending within a term
    offsets: NpyFile  # int64, posting j's positions: positions[offsets[j]:offsets[j+1]]
    positions: NpyFile  # int32

    def find(self, term: bytes, local: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """For the ascending local docnums ``local``: how many positions each has and
        the positions, flat in that order; None when the term is not in these files."""
        i = find_term(self.hashes, self.term_starts, self.term_bytes, term)
        if i is None:
            return None
        first, last = int(self.post_starts[i]), int(self.post_starts[i + 1])
        docs = self.docs.read(first, last)
        at = np.searchsorted(docs, local.astype(docs.dtype, copy=False))
        at[at == len(docs)] = 0
        held = docs[at] == local
        lengths = np.zeros(len(local), dtype=np.int64)
        if not held.any():
            return lengths, np.zeros(0, dtype=np.int32)
        rows = at[held]
        offsets = self.offsets.read(first + int(rows[0]), first + int(rows[-1]) + 2)
        rows = rows - rows[0]
        starts, ends = offsets[rows], offsets[rows + 1]
        lengths[held] = ends - starts
        base = int(starts[0])
        span = self.positions.read(base, int(ends[-1]))
        return lengths, span[run_indices(starts - base, ends - starts)]

    def disk_bytes(self) -> int:
        return sum(f.nbytes for f in (self.docs, self.offsets, self.positions))


def segment_folder(gen: Path, segment: str) -> Path:
    return Path(gen) / POS_DIR / segment


def load_segment(gen: Path, segment: str, doc_count: int, fields: tuple[str, ...]) -> dict[str, FieldPositions] | None:
    """The segment's positions files if complete and matching, else None."""
    folder = segment_folder(gen, segment)
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("doc_count") != doc_count:
            return None
        out = {}
        for field in fields:
            held = {n: np.load(folder / f"{field}.{n}.npy") for n in _HELD}
            out[field] = FieldPositions(**held, **{n: NpyFile(folder / f"{field}.{n}.npy") for n in _READ})
        return out
    except (OSError, ValueError, KeyError):
        return None


def write_segment(
    gen: Path, segment: str, doc_count: int, segment_reader, fields: tuple[str, ...],
    common: dict[str, list[bytes]] | None = None,
) -> None:
    """Write a segment's positions files atomically (a temporary folder renamed into place).
    ``common``: each field's terms with ``MIN_POSTINGS`` or more (from the postings arrays),
    which spares the walk over every term of Whoosh's dictionary (half the time)."""

    def fill(tmp: Path) -> None:
        for field in fields:
            names = None if common is None else common[field]
            _write_field(tmp, field, _common_terms(segment_reader, field, names))

    write_folder(segment_folder(gen, segment), fill, {"format": FORMAT, "doc_count": doc_count})


def _write_field(folder: Path, field: str, terms: Iterator[tuple[bytes, np.ndarray, np.ndarray, np.ndarray]]) -> None:
    names, docs, counts, flat = [], [], [], []
    for term, term_docs, term_counts, term_positions in terms:
        names.append(term)
        docs.append(term_docs)
        counts.append(term_counts)
        flat.append(term_positions)
    hashes = np.fromiter((term_hash(t) for t in names), dtype=np.uint64, count=len(names))
    order = np.argsort(hashes, kind="stable").tolist()
    names = [names[i] for i in order]
    docs = [docs[i] for i in order]
    counts = [counts[i] for i in order]
    flat = [flat[i] for i in order]
    all_counts = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int32)
    arrays = {
        "hashes": hashes[order] if names else np.zeros(0, dtype=np.uint64),
        "term_starts": np.concatenate(([0], np.cumsum([len(t) for t in names], dtype=np.int64))).astype(np.int64),
        "term_bytes": np.frombuffer(b"".join(names), dtype=np.uint8),
        "post_starts": np.concatenate(([0], np.cumsum([len(d) for d in docs], dtype=np.int64))).astype(np.int64),
        "docs": np.concatenate(docs).astype(np.int32, copy=False) if docs else np.zeros(0, dtype=np.int32),
        "offsets": np.concatenate(([0], np.cumsum(all_counts, dtype=np.int64))),
        "positions": np.concatenate(flat).astype(np.int32, copy=False) if flat else np.zeros(0, dtype=np.int32),
    }
    for name, array in arrays.items():
        np.save(folder / f"{field}.{name}.npy", array)


def common_terms(field_arrays: FieldArrays) -> list[bytes]:
    """The terms of a field's postings arrays (``arrays.FieldArrays``) with ``MIN_POSTINGS`` or more."""
    starts = np.asarray(field_arrays.starts[0 : len(field_arrays.starts)])
    spans = np.asarray(field_arrays.term_starts[0 : len(field_arrays.term_starts)])
    raw = np.asarray(field_arrays.term_bytes[0 : len(field_arrays.term_bytes)]).tobytes()
    return [raw[spans[i] : spans[i + 1]] for i in np.flatnonzero(np.diff(starts) >= MIN_POSTINGS).tolist()]


def _common_terms(
    segment_reader, field: str, names: list[bytes] | None
) -> Iterator[tuple[bytes, np.ndarray, np.ndarray, np.ndarray]]:
    """(term, local docnums, positions per posting, flat positions) of each term of
    ``field`` with at least ``MIN_POSTINGS`` postings (deleted documents included):
    ``names`` looked up, or every term of the field walked."""
    terms = segment_reader._terms
    if names is None:
        found = terms.items_from(field, b"")
    else:
        found = (((field, t), terms.term_info(field, t)) for t in sorted(names))
    for (fname, tbytes), info in found:
        if fname != field:
            return
        if info.is_inlined() or info.doc_frequency() < MIN_POSTINGS:
            continue
        offset, length = info.extent()
        if isinstance(length, tuple):
            length = length[0]
        yield (tbytes, *_decode_postings(terms._postfile.get(offset, length)))


def _decode_postings(raw: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A term's W3 posting blocks → (docnums, positions per posting, flat positions)."""
    from kb.engine.whoosh_codec import _decode_all

    view, pos = memoryview(raw), 4
    ids_out: list[int] = []
    deltas_out: list[list[int]] = []
    while True:
        size = int.from_bytes(raw[pos : pos + 4], "big", signed=True)
        end = pos + 4 + abs(size)
        block = io.BytesIO(view[pos + 4 : end])
        info = pickle.load(block)
        data = view[pos + 4 + block.tell() : end]
        ids, _, values = pickle.loads(zlib.decompress(data) if info[3] else data)
        ids_out.extend(np.cumsum(ids).tolist())  # a block's ids are deltas from 0
        deltas_out.extend(_decode_all(list(values)))
        if size < 0:
            break
        pos = end
    counts = np.fromiter(map(len, deltas_out), dtype=np.int64, count=len(deltas_out))
    flat = np.fromiter(chain.from_iterable(deltas_out), dtype=np.int64, count=int(counts.sum()))
    summed = np.cumsum(flat)
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    before = np.where(firsts > 0, summed[np.maximum(firsts - 1, 0)], 0) if len(summed) else firsts
    positions = summed - np.repeat(before, counts)  # deltas restart at each posting
    # held until the field is written: int32, half of what int64 would keep (4×: ~1 GB of positions)
    return np.array(ids_out, dtype=np.int32), counts.astype(np.int32), positions.astype(np.int32)


def disk_bytes(segments: list[dict[str, FieldPositions] | None]) -> int:
    return sum(f.disk_bytes() for seg in segments if seg for f in seg.values())
