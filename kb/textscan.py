"""Exact substring search over every document: the sub-word layer of search.

Thai word segmentation of a document and of a query disagree often (the index
holds การค้า|มนุษย์, the user types ค้ามนุษย์).  Rather than indexing a
character n-gram at every position in Whoosh (measured: it cut Whoosh
indexing several fold and made phrase verification the slowest part of a
query), each document's scan form (``kb.analysis.scan_form``: normalized, one
byte per Thai character) is kept in one buffer, and a query chunk is found
there exactly, at any length.  It gives per-document occurrence counts, so the
chunk is ranked like a term (BM25 over its true tf and df).

Finding a chunk: the buffer's byte pairs are sorted once, in memory, into a
``PairIndex`` (numpy: a radix argsort, ~1 s and 4 bytes per byte of text).  A
chunk's candidates are the positions of its rarest byte pair, checked against
its other bytes with vectorised comparisons: the cost follows that pair's
frequency, not the collection's size.  Until the pair index is built (in a
background thread for a large collection), and for a one-byte chunk, the
buffer is scanned with the C library's ``memmem``.

Matches must be cluster-aligned: not starting on a combining mark or right
after a leading vowel, not ending before a combining mark (กา does not match
inside เกา, กี does not match inside กี่), and a number is never matched in
part: a needle starting (ending) with a digit does not match right after
(before) another digit (1 does not match inside 17, 13 or 160).
"""
from __future__ import annotations

import bisect
import ctypes
import json
import logging
import mmap
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from kb.scan_offsets import DocOffsets
from kb.thai.script import TIS620_COMBINING_BYTES, TIS620_LEADING_VOWEL_BYTES

# TIS-620 byte values: combining marks (ั ิ-ฺ ็-๎) and leading vowels (เ-ไ)
_MARKS = TIS620_COMBINING_BYTES
_LEADING = TIS620_LEADING_VOWEL_BYTES
SEPARATOR = b"\x00\n"
# A buffer up to this size gets its pair index at once (~0.05 s).  A larger one
# is scanned until the scans have cost a share of what building the index
# would (ski rental: a one-off ``kb search`` never pays for the build, a
# server pays for it after a few queries), then indexed in a background thread.
PAIRS_AT_ONCE = 1_000_000
PAIR_BUILD_SECONDS_PER_BYTE = 3e-8  # measured: 0.9 s for the 30 MB of 10,000 ThaiGov releases
RENT_SHARE = 0.25
MAPPED_FORMAT = 1  # the files of TextScan.save
PAIR_CHUNK = 1 << 22  # positions sorted at a time while building (transient memory ≈ 30 bytes each)
_MARK_TABLE = np.zeros(256, dtype=bool)
_MARK_TABLE[list(_MARKS)] = True
_LEADING_TABLE = np.zeros(256, dtype=bool)
_LEADING_TABLE[list(_LEADING)] = True
_DIGIT_TABLE = np.zeros(256, dtype=bool)
_DIGIT_TABLE[list(b"0123456789")] = True
_DIGITS = frozenset(b"0123456789")


def _number_cut(buf: bytes, i: int, needle: bytes) -> bool:
    """Would a match of ``needle`` at ``i`` cut a longer number?"""
    end = i + len(needle)
    return (needle[0] in _DIGITS and i > 0 and buf[i - 1] in _DIGITS) or (
        needle[-1] in _DIGITS and end < len(buf) and buf[end] in _DIGITS
    )


def _libc_memmem():
    """The C library's ``memmem``, or None where there is none.

    ``bytes.find`` runs at ~1.5 GB/s on the scan buffer: its skip heuristic
    (a 64-bucket filter of the needle's bytes) rarely skips on Thai text,
    whose few dozen byte values almost all fall in the needle's buckets.
    glibc's ``memmem`` hashes byte pairs instead and was measured 2–4× faster
    on the same buffer and needles (docs/design.md).
    """
    try:
        memmem = ctypes.CDLL(None).memmem
    except (OSError, AttributeError, TypeError):  # no C library symbols (e.g. Windows)
        return None
    memmem.restype = ctypes.c_void_p
    memmem.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t)
    return memmem


_MEMMEM = _libc_memmem()


def _map_file(path: Path):
    """The file's bytes, memory-mapped read-only (shared by every process mapping it)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


class TextScan:
    """Scan forms of a set of documents, searchable by exact substring."""

    def __init__(self, docs: list[tuple[int, bytes]], pair_index: bool = True):
        """``pair_index=False``: never build one (a throwaway scan of a few documents)."""
        self.docnums: list[int] = []
        self.starts: list[int] = []
        self.lengths: dict[int, int] = {}
        parts: list[bytes] = []
        pos = 0
        for docnum, form in docs:
            self.docnums.append(docnum)
            self.starts.append(pos)
            self.lengths[docnum] = len(form)
            parts.append(form)
            pos += len(form) + len(SEPARATOR)
        self.buffer = SEPARATOR.join(parts)
        # c_char_p points at the bytes object's own data (no copy); self.buffer keeps it alive
        self._address = ctypes.cast(ctypes.c_char_p(self.buffer), ctypes.c_void_p).value if _MEMMEM else None
        total = sum(self.lengths.values())
        self.avg_length = total / len(self.lengths) if self.lengths else 1.0
        self.pairs: PairIndex | None = None
        self._indexable = pair_index
        self._pairs_started = False
        self._pairs_built = threading.Event()
        self._scan_seconds = 0.0  # spent scanning the buffer while there is no pair index
        self._start_lock = threading.Lock()
        if pair_index and len(self.buffer) <= PAIRS_AT_ONCE:
            self.index_pairs(background=False)  # a larger buffer: once scanning has cost enough

    def save(self, folder: Path) -> None:
        """Write the buffer and its pair index (built now if need be) as files
        ``load`` maps: every server process and worker then shares one copy
        instead of sorting its own.  Atomic: written beside, renamed into place."""
        folder = Path(folder)
        if folder.is_dir():
            return
        if self.pairs is None:
            self.pairs = PairIndex(self.buffer, self.starts, self.docnums)
        tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            (tmp / "buffer.bin").write_bytes(self.buffer)
            np.save(tmp / "docnums.npy", np.asarray(self.docnums, dtype=np.int64))
            np.save(tmp / "starts.npy", np.asarray(self.starts, dtype=np.int64))
            np.save(tmp / "lengths.npy", np.asarray([self.lengths[d] for d in self.docnums], dtype=np.int64))
            np.save(tmp / "order.npy", self.pairs.order)
            np.save(tmp / "bounds.npy", np.asarray(self.pairs.bounds, dtype=np.int64))
            (tmp / "meta.json").write_text(json.dumps({"format": MAPPED_FORMAT}), encoding="utf-8")
            try:
                os.rename(tmp, folder)
            except OSError:  # another process saved the same state first
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, folder: Path) -> "TextScan | None":
        """A scan over the files ``save`` wrote, memory-mapped; None if they are not all there."""
        folder = Path(folder)
        try:
            if json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("format") != MAPPED_FORMAT:
                return None
            buffer = _map_file(folder / "buffer.bin")
            data = np.frombuffer(buffer, dtype=np.uint8)
            docnums = np.load(folder / "docnums.npy").tolist()
            lengths = np.load(folder / "lengths.npy").tolist()
            scan = cls([], pair_index=False)
            scan.docnums, scan.starts = docnums, np.load(folder / "starts.npy").tolist()
            scan.lengths = dict(zip(docnums, lengths))
            scan.avg_length = sum(lengths) / len(lengths) if lengths else 1.0
            # an mmap slices to bytes, indexes to ints and has find(), as a bytes buffer does
            scan.buffer = buffer
            scan._address = data.ctypes.data if (_MEMMEM and len(data)) else None
            scan.pairs = PairIndex.mapped(data, scan.starts, docnums, np.asarray(np.load(folder / "order.npy", mmap_mode="r")),
                                          np.load(folder / "bounds.npy").tolist())
            return scan
        except (OSError, ValueError, KeyError):
            return None

    def nbytes(self) -> dict[str, int]:
        """Bytes of the buffer and of the pair index (mapped ones are shared between processes)."""
        pairs = self.pairs
        return {"scan_buffer": len(self.buffer), "pair_index": 0 if pairs is None else pairs.order.nbytes}

    def index_pairs(self, background: bool) -> None:
        """Build the pair index (once), now or in a daemon thread; searches scan
        the buffer meanwhile, with the same results."""
        with self._start_lock:
            if self._pairs_started or not self._indexable:
                return
            self._pairs_started = True
        if background:
            threading.Thread(target=self._build_pairs, name="kb-pair-index", daemon=True).start()
        else:
            self._build_pairs()

    def _build_pairs(self) -> None:
        try:
            self.pairs = PairIndex(self.buffer, self.starts, self.docnums)
        except MemoryError:  # searches go on scanning the buffer, with the same results
            logging.getLogger("kb").warning(
                "not enough memory for the sub-word pair index (%d MB); searches scan the text instead "
                "(slower, same results)",
                4 * len(self.buffer) // 2**20,
            )
        finally:
            self._pairs_built.set()

    def wait_for_pairs(self, timeout: float | None = None) -> bool:
        """Build the pair index if that has not started, and wait for it
        (benchmarks measure searches with it)."""
        if not self._indexable:
            return False
        self.index_pairs(background=True)
        return self._pairs_built.wait(timeout) and self.pairs is not None

    def __len__(self) -> int:
        return len(self.docnums)

    def positions(self, needle: bytes, max_matches: int = 2_000_000) -> Mapping[int, list[int]]:
        """docnum → offsets (in the document's scan form) of cluster-aligned occurrences."""
        out: dict[int, list[int]] = {}
        if not needle or b"\x1a" in needle or SEPARATOR[:1] in needle:
            return out
        if needle[0] in _MARKS:  # a query cannot start in the middle of a cluster
            return out
        pairs = self.pairs
        if pairs is not None and len(needle) >= 2:
            return pairs.positions(needle)
        started = time.perf_counter()
        try:
            return self._scan(needle, max_matches)
        finally:
            self._scan_seconds += time.perf_counter() - started
            if self._indexable and not self._pairs_started and self._scan_seconds > RENT_SHARE * PAIR_BUILD_SECONDS_PER_BYTE * len(self.buffer):
                self.index_pairs(background=True)

    def _scan(self, needle: bytes, max_matches: int) -> dict[int, list[int]]:
        """``positions`` by scanning the whole buffer."""
        out: dict[int, list[int]] = {}
        buf = self.buffer
        end_limit = len(buf)
        n = len(needle)
        find = self._memmem_find(needle) if self._address else buf.find
        starts, docnums = self.starts, self.docnums
        i = find(needle)
        seen = 0
        while i != -1 and seen < max_matches:
            seen += 1
            if (
                (i == 0 or buf[i - 1] not in _LEADING)
                and (i + n >= end_limit or buf[i + n] not in _MARKS)
                and not _number_cut(buf, i, needle)
            ):
                k = bisect.bisect_right(starts, i) - 1
                out.setdefault(docnums[k], []).append(i - starts[k])
            i = find(needle, i + 1)
        return out

    def _memmem_find(self, needle: bytes):
        """A ``find(needle, start=0)`` with bytes.find's results, by memmem."""
        base, size, memmem = self._address, len(self.buffer), _MEMMEM

        def find(needle: bytes, start: int = 0) -> int:
            if start >= size:
                return -1
            hit = memmem(base + start, size - start, needle, len(needle))
            return hit - base if hit else -1

        return find

    def counts(self, needle: bytes) -> Counter[int]:
        """docnum → number of cluster-aligned occurrences of ``needle``."""
        return Counter({d: len(p) for d, p in self.positions(needle).items()})


class PairIndex:
    """Every position of every byte pair of a scan buffer, grouped by pair.

    ``order`` lists the buffer's positions sorted by the byte pair starting
    there (a stable sort: ascending positions within a pair); the positions
    of pair ``c`` are ``order[bounds[c]:bounds[c + 1]]``.
    """

    @classmethod
    def mapped(cls, data: np.ndarray, starts: list[int], docnums: list[int], order: np.ndarray, bounds: list[int]) -> "PairIndex":
        """A pair index over arrays already built (``TextScan.load``)."""
        pairs = cls.__new__(cls)
        pairs.bytes, pairs.starts, pairs.docnums = data, np.asarray(starts, dtype=np.int64), docnums
        pairs.docnum_array = np.asarray(docnums, dtype=np.int64)
        pairs.order, pairs.bounds = order, bounds
        return pairs

    def __init__(self, buffer: bytes, starts: list[int], docnums: list[int]):
        self.bytes = np.frombuffer(buffer, dtype=np.uint8)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.docnums = docnums
        self.docnum_array = np.asarray(docnums, dtype=np.int64)
        n = max(0, len(self.bytes) - 1)  # positions that start a pair
        # A radix sort of the 16-bit pair codes.  Past PAIR_CHUNK positions it
        # is done a slice at a time and the slices are placed by a counting
        # sort, so the transient memory stays small whatever the collection's
        # size.  For 181 MB of text, sorting at once took 15 s and peaked 3.0 GB
        # above the searcher's memory; in slices it takes 7 s and 0.7 GB, most
        # of that the 725 MB index itself.
        dtype = np.uint32 if n < 2**32 else np.int64
        if n <= PAIR_CHUNK:
            by_pair, starts = self._sorted_slice(0, n)
            self.order = by_pair.astype(dtype)
            self.bounds = starts.tolist()
            return
        slices = [(lo, min(n, lo + PAIR_CHUNK)) for lo in range(0, n, PAIR_CHUNK)]
        counts = np.zeros(65536, dtype=np.int64)
        for lo, hi in slices:
            counts += np.bincount(self._codes(lo, hi), minlength=65536)
        bounds = np.zeros(65537, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        self.order = np.empty(n, dtype=dtype)
        cursor = bounds[:-1].copy()  # where each pair's next positions go
        for lo, hi in slices:
            by_pair, starts = self._sorted_slice(lo, hi)
            slice_counts = np.diff(starts)
            # each pair's positions from this slice go right after those of the earlier slices
            self.order[np.repeat(cursor - starts[:-1], slice_counts) + np.arange(hi - lo)] = by_pair + lo
            cursor += slice_counts
        self.bounds = bounds.tolist()

    def _sorted_slice(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions lo..hi-1 (relative to lo) sorted by pair, ascending within a
        pair, and where each pair's run starts (65,537 entries)."""
        codes = self._codes(lo, hi)
        by_pair = np.argsort(codes, kind="stable")  # a radix sort for 16-bit keys
        starts = np.empty(65537, dtype=np.int64)
        starts[:-1] = np.searchsorted(codes[by_pair], np.arange(65536, dtype=np.uint16))
        starts[-1] = hi - lo
        return by_pair, starts

    def _codes(self, lo: int, hi: int) -> np.ndarray:
        """The byte pairs starting at positions lo..hi-1, as 16-bit codes."""
        codes = self.bytes[lo:hi].astype(np.uint16)
        codes <<= 8
        codes |= self.bytes[lo + 1 : hi + 1]
        return codes

    def positions(self, needle: bytes) -> Mapping[int, list[int]]:
        """``TextScan.positions`` for a needle of two bytes or more (as arrays)."""
        bounds, size, length = self.bounds, len(self.bytes), len(needle)
        pair_codes = [(needle[i] << 8) | needle[i + 1] for i in range(length - 1)]
        j = min(range(length - 1), key=lambda i: bounds[pair_codes[i] + 1] - bounds[pair_codes[i]])
        lo, hi = bounds[pair_codes[j]], bounds[pair_codes[j] + 1]
        if lo == hi:
            return {}
        found = self.order[lo:hi].astype(np.int64)
        if j:
            found -= j
        found = found[(found >= 0) & (found <= size - length)]
        data = self.bytes
        for i in range(length):
            if i == j or i == j + 1 or not len(found):
                continue
            found = found[data[found + i] == needle[i]]
        if not len(found):
            return {}
        # cluster-aligned: not right after a leading vowel, not before a combining mark
        before = _LEADING_TABLE[data[np.maximum(found - 1, 0)]] & (found > 0)
        after_at = found + length
        after = _MARK_TABLE[data[np.minimum(after_at, size - 1)]] & (after_at < size)
        cut = before | after
        if needle[0] in _DIGITS:  # a number is never matched in part (1 inside 17)
            cut |= _DIGIT_TABLE[data[np.maximum(found - 1, 0)]] & (found > 0)
        if needle[-1] in _DIGITS:
            cut |= _DIGIT_TABLE[data[np.minimum(after_at, size - 1)]] & (after_at < size)
        found = found[~cut]
        if not len(found):
            return {}
        doc_index = np.searchsorted(self.starts, found, side="right") - 1
        offsets = found - self.starts[doc_index]
        firsts = np.flatnonzero(np.r_[True, doc_index[1:] != doc_index[:-1]])
        counts = np.diff(np.r_[firsts, len(found)])
        return DocOffsets(self.docnum_array[doc_index[firsts]], counts, offsets)
