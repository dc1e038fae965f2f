"""Postings as arrays: BM25F matching and top-k with numpy instead of Whoosh's matchers.

Whoosh walks postings one Python object at a time: a word in 95 % of 63,000
releases cost about a second per query.  Here each segment's postings of the
scored fields (term → local docnums, term frequencies) and its per-document
field lengths are numpy arrays, written once per segment into files beside the
generation (``kb-arrays/<segment id>/``) and read by slices (``NpyFile``):
a lookup reads its term's block of hashes and postings with ``os.pread``.
A query tree is evaluated as sorted docnum arrays with their scores: a common
word is one gather and a few vector operations.

Whoosh stays the store of record: a segment's arrays are derived from it,
rebuildable at any time, and keyed by the segment's id, which Whoosh never
reuses (a merge writes a new segment; an incremental commit adds one).
Deletions are not in the arrays: the snapshot's live documents mask them, and
document frequencies count deleted documents until they are merged, as
Whoosh's do, so the scores are the same.

Scores reproduce ``whoosh_codec.weighting()`` (BM25F, K1 1.2, B 0.75, title B
0.5, Whoosh's idf ``log(N / (df + 1)) + 1`` and its one-byte field lengths);
a phrase matches where its terms are at consecutive positions (read from
Whoosh for the candidates only) and scores the sum of its terms, as Whoosh's.
``tests/test_engine_arrays.py`` checks both paths give the same answers.
"""
from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from kb import mapped as kb_mapped
from kb.scan_offsets import run_indices

CACHE_DIR = "kb-arrays"
FORMAT = 1
FIELDS = ("words", "title")
K1 = 1.2
FIELD_B = {"title": 0.5}
DEFAULT_B = 0.75
_EMPTY_DOCS = np.zeros(0, dtype=np.int64)


def sorted_contains(sorted_values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each of ``wanted``, whether the ascending ``sorted_values`` holds it (one binary search each)."""
    if not len(sorted_values):
        return np.zeros(len(wanted), dtype=bool)
    at = np.searchsorted(sorted_values, wanted)
    at[at == len(sorted_values)] = 0
    return sorted_values[at] == wanted


def find_term(hashes: np.ndarray, term_starts, term_bytes, term: bytes) -> int | None:
    """The row of ``term`` among terms ordered by ``term_hash`` (equal hashes told apart
    by their bytes, ``term_bytes[term_starts[i]:term_starts[i+1]]``), or None."""
    h = np.uint64(term_hash(term))
    i = int(np.searchsorted(hashes, h))
    while i < len(hashes) and hashes[i] == h:
        lo, hi = (int(x) for x in term_starts[i : i + 2])
        if np.asarray(term_bytes[lo:hi]).tobytes() == term:
            return i
        i += 1
    return None


def term_hash(term: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(term, digest_size=8).digest(), "little")


class NpyFile:
    """A ``.npy`` file's array read by slices with ``os.pread``, never mapped: a
    lookup reads its term's postings (and holds them only while it scores them);
    the file stays in the page cache, shared by every process and reclaimable.
    Mapped, the pages a query touched stayed in the server's RSS (and the
    kernel maps a block around each, so binary searches over 35 segments kept
    ~100 MB of 177).  Counts what it reads (``kb stats``)."""

    def __init__(self, path: Path):
        with open(path, "rb") as f:
            fmt = np.lib.format
            read_header = fmt.read_array_header_1_0 if fmt.read_magic(f) == (1, 0) else fmt.read_array_header_2_0
            shape, fortran, dtype = read_header(f)
            self.offset = f.tell()
        if fortran or len(shape) != 1:
            raise ValueError(f"{path}: not a one-dimensional array")
        self._file = open(path, "rb", buffering=0)  # closed with this object
        self.dtype, self.size = np.dtype(dtype), int(shape[0])
        self.nbytes = self.size * self.dtype.itemsize  # on disk
        self.bytes_read = 0
        self._map: mmap.mmap | None = None  # for ``mapped``, made on first need

    def __len__(self) -> int:
        return self.size

    def mapped(self) -> np.ndarray:
        """The whole array, mapped and its pages mapped in at once (a read of every item:
        a prefix search over the terms); ``release`` gives the pages back after."""
        if not self.nbytes:
            return np.zeros(0, dtype=self.dtype)
        if self._map is None:
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        kb_mapped.populate(self._map, self.offset, self.offset + self.nbytes)
        return np.frombuffer(self._map, dtype=self.dtype, count=self.size, offset=self.offset)

    def release(self) -> None:
        kb_mapped.release(self._map)

    def __getitem__(self, key):
        if isinstance(key, slice):
            lo, hi, step = key.indices(self.size)
            if step != 1:
                raise ValueError("NpyFile reads contiguous slices only")
            return self.read(lo, hi)
        i = key + self.size if key < 0 else key
        if not 0 <= i < self.size:
            raise IndexError("array index out of range")
        return self.read(i, i + 1)[0]

    def read(self, lo: int, hi: int) -> np.ndarray:
        """Items ``lo..hi-1`` (a fresh array)."""
        if hi <= lo:
            return np.zeros(0, dtype=self.dtype)
        size = self.dtype.itemsize
        raw = os.pread(self._file.fileno(), (hi - lo) * size, self.offset + lo * size)
        if len(raw) != (hi - lo) * size:
            raise OSError(f"{self._file.name}: short read (the file changed?)")
        self.bytes_read += len(raw)
        return np.frombuffer(raw, dtype=self.dtype)


@dataclass
class FieldArrays:
    """One segment's postings of one field, terms ordered by their 64-bit hash.

    ``lengths`` and ``hashes`` are held (a lookup of a term a segment lacks then
    reads nothing: most of them, over 35 segments); the rest are ``NpyFile``s
    (or arrays) read by slices."""

    hashes: "np.ndarray | NpyFile"  # uint64, sorted
    starts: "np.ndarray | NpyFile"  # int64, len(hashes) + 1: term i's postings are [starts[i], starts[i+1])
    docs: "np.ndarray | NpyFile"  # int32 local docnums, ascending within a term
    tfs: "np.ndarray | NpyFile"  # float32 term frequencies
    term_starts: "np.ndarray | NpyFile"  # int64: term i's bytes are term_bytes[term_starts[i]:term_starts[i+1]]
    term_bytes: "np.ndarray | NpyFile"  # uint8
    lengths: np.ndarray  # float32 per local docnum: the field length BM25F uses

    def bounds(self, term: bytes) -> tuple[int, int] | None:
        """Where ``term``'s postings are (``docs[first:last]``), or None: what a document
        frequency needs, without reading the postings."""
        hashes = self.hashes
        if isinstance(hashes, NpyFile):  # not held (never, as read_field reads them)
            hashes = self.hashes = hashes[0 : len(hashes)]
        i = find_term(hashes, self.term_starts, self.term_bytes, term)
        if i is None:
            return None
        first, last = (int(x) for x in self.starts[i : i + 2])
        return first, last

    def lookup(self, term: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(local docnums, tfs) of ``term``, or None."""
        found = self.bounds(term)
        if found is None:
            return None
        first, last = found
        return np.asarray(self.docs[first:last]), np.asarray(self.tfs[first:last])

    def whole(self, name: str) -> np.ndarray:
        """One of the arrays whole (a prefix search over every term): mapped, its pages
        given back by ``release`` (read into fresh memory instead, each of its pages
        was a fault: ~20 MB, ~5,000 of them, per search)."""
        array = getattr(self, name)
        return array.mapped() if isinstance(array, NpyFile) else array

    def release(self) -> None:
        for name in _ARRAY_NAMES:
            array = getattr(self, name)
            if isinstance(array, NpyFile):
                array.release()

    def nbytes(self) -> int:
        """Bytes held by the process (the lengths, the hashes, arrays not on disk)."""
        held = [a for a in (getattr(self, n) for n in _ARRAY_NAMES) if isinstance(a, np.ndarray)]
        return sum(a.nbytes for a in held)

    def disk_bytes(self) -> tuple[int, int]:
        """(bytes of the arrays read by slices, bytes read from them so far)."""
        files = [a for a in (getattr(self, n) for n in _ARRAY_NAMES) if isinstance(a, NpyFile)]
        return sum(f.nbytes for f in files), sum(f.bytes_read for f in files)


_ARRAY_NAMES = ("hashes", "starts", "docs", "tfs", "term_starts", "term_bytes", "lengths")


def write_field(folder: Path, field: str, postings: Iterable[tuple[bytes, list[int], list[float]]], lengths: np.ndarray) -> None:
    """Write one field's arrays (``FieldArrays``) into ``folder``."""
    terms: list[bytes] = []
    counts: list[int] = []
    docs: list[int] = []
    tfs: list[float] = []
    for term, term_docs, term_tfs in postings:
        terms.append(term)
        counts.append(len(term_docs))
        docs.extend(term_docs)
        tfs.extend(term_tfs)
    n = len(terms)
    hashes = np.fromiter((term_hash(t) for t in terms), dtype=np.uint64, count=n)
    order = np.argsort(hashes, kind="stable")
    count_array = np.array(counts, dtype=np.int64)
    first = np.concatenate(([0], np.cumsum(count_array)))
    # postings regrouped in hash order: each term's run of positions, in the new order
    take = run_indices(first[:-1][order], count_array[order])
    sizes = np.fromiter((len(terms[i]) for i in order.tolist()), dtype=np.int64, count=n)
    arrays = {
        "hashes": hashes[order],
        "starts": np.concatenate(([0], np.cumsum(count_array[order]))).astype(np.int64),
        "docs": np.array(docs, dtype=np.int32)[take],
        "tfs": np.array(tfs, dtype=np.float32)[take],
        "term_starts": np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        "term_bytes": np.frombuffer(b"".join(terms[i] for i in order.tolist()), dtype=np.uint8),
        "lengths": lengths.astype(np.float32),
    }
    for name, array in arrays.items():
        np.save(folder / f"{field}.{name}.npy", array)


def read_field(folder: Path, field: str) -> FieldArrays:
    """A field's arrays: the lengths and the hashes read now, the rest by slices."""
    files = {name: NpyFile(folder / f"{field}.{name}.npy") for name in _ARRAY_NAMES if name != "lengths"}
    files["hashes"] = files["hashes"][0 : len(files["hashes"])]  # held: 9 MB at 63k
    return FieldArrays(**files, lengths=np.load(folder / f"{field}.lengths.npy"))


@dataclass
class SegmentArrays:
    name: str
    doc_count: int  # documents of the segment, deleted ones included
    fields: dict[str, FieldArrays]

    def nbytes(self) -> int:
        return sum(f.nbytes() for f in self.fields.values())

    def disk_bytes(self) -> tuple[int, int]:
        """(bytes of the files read by slices, bytes read so far)."""
        both = [f.disk_bytes() for f in self.fields.values()]
        return sum(b[0] for b in both), sum(b[1] for b in both)


def memory(segments: Iterable[SegmentArrays]) -> dict[str, int]:
    """The postings arrays' bytes: held, on disk (read by slices), read so far."""
    held = on_disk = read = 0
    for seg in segments:
        held += seg.nbytes()
        disk, done = seg.disk_bytes()
        on_disk, read = on_disk + disk, read + done
    return {"postings_arrays": held, "postings_arrays_on_disk": on_disk, "postings_arrays_bytes_read": read}


def cache_folder(gen: Path, segment: str) -> Path:
    return Path(gen) / CACHE_DIR / segment


def load_segment(gen: Path, segment: str, doc_count: int) -> SegmentArrays | None:
    """The segment's arrays if a complete, matching cache is on disk, else None."""
    folder = cache_folder(gen, segment)
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("doc_count") != doc_count:
            return None
        return SegmentArrays(segment, doc_count, {f: read_field(folder, f) for f in FIELDS})
    except (OSError, ValueError, KeyError):
        return None


def write_segment(
    gen: Path, segment: str, doc_count: int, read: Callable[[str], tuple[Iterator, np.ndarray]]
) -> None:
    """Write a segment's arrays atomically (``write_folder``).  ``read(field)`` gives the
    field's postings and lengths."""

    def fill(tmp: Path) -> None:
        for field in FIELDS:
            postings, lengths = read(field)
            write_field(tmp, field, postings, lengths)

    write_folder(cache_folder(gen, segment), fill, {"format": FORMAT, "doc_count": doc_count})


def write_folder(final: Path, fill: Callable[[Path], None], meta: dict) -> None:
    """Make a segment's folder of derived files atomically: ``fill`` writes them into a
    temporary folder, ``meta.json`` last, renamed into place, so a reader never sees half
    of it and two writers never mix theirs.  A folder already there is kept."""
    if final.is_dir():
        return
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        fill(tmp)
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        try:
            os.rename(tmp, final)
        except OSError:  # another process wrote the same segment first: theirs is as good
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_stale(gen: Path, keep: Iterable[str], under: str = CACHE_DIR) -> None:
    """Drop the caches of segments a merge removed, or of older index states
    (only a writer calls this; a reader still mapping them keeps its pages)."""
    root = Path(gen) / under
    if not root.is_dir():
        return
    keep = set(keep)
    for entry in root.iterdir():
        if entry.name not in keep and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)


@dataclass
class Hits:
    """Matching global docnums (ascending, unique) and their scores."""

    docs: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.docs)


_NO_HITS = Hits(_EMPTY_DOCS, np.zeros(0))
PositionsFn = Callable[[int, str, str, np.ndarray], "tuple[np.ndarray, np.ndarray]"]  # (counts per docnum, flat positions)
