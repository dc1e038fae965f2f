"""Exact substring search over every document: the sub-word layer of search.

Thai word segmentation of a document and of a query disagree often (the index
holds การค้า|มนุษย์, the user types ค้ามนุษย์).  Rather than indexing a
character n-gram at every position in Whoosh (measured: it cut Whoosh
indexing several fold and made phrase verification the slowest part of a
query), each document's scan form (``kb.analysis.scan_form``: normalized, one
byte per Thai character) is kept in one buffer, and a query chunk is found
there exactly, at any length.  It gives per-document occurrence counts, so the
chunk is ranked like a term (BM25 over its true tf and df).

Finding a chunk: the buffer's byte pairs are grouped once into a
``PairIndex`` (``kb.scan_pairs``: each pair's positions as one-byte gaps,
about 1 byte per byte of text).  A chunk's candidates are the positions of its
rarest byte pair, checked against its other bytes with vectorised
comparisons: the cost follows that pair's frequency, not the collection's
size.  Until the pair index is built (in a background thread for a large
collection), the buffer is scanned with the C library's ``memmem``.  A saved
scan (``save``/``load``) reads its pair index and documents by slices, and
maps its buffer only for the vector checks, a window at a time (``kb.mapped``).

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
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from kb import mapped
from kb.scan_offsets import DocOffsets, doc_offsets
from kb.scan_pairs import FileBytes, PairIndex, _checked
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
MAPPED_FORMAT = 1  # the buffer files of TextScan.save (the pair index's files have their own format)
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
    """The file's bytes, memory-mapped read-only (shared by every process mapping it).
    Not ``MADV_RANDOM``: a common chunk's candidates touch every page anyway, and
    one fault per page instead of per 16 (the kernel's fault-around) made such a
    lookup 3× slower in a fresh process (และ: 476 ms)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _cached(mapped: mmap.mmap) -> int:
    """Bytes of a mapped file in the page cache (``mincore``; shared with every process
    mapping it), or the file's size where that cannot be asked."""
    pages = (len(mapped) + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    vec = np.zeros(pages, dtype=np.uint8)
    try:
        mincore = ctypes.CDLL(None, use_errno=True).mincore
        address = np.frombuffer(mapped, dtype=np.uint8).ctypes.data
        if mincore(ctypes.c_void_p(address), ctypes.c_size_t(len(mapped)), vec.ctypes.data_as(ctypes.c_void_p)) != 0:
            return len(mapped)
    except (OSError, AttributeError, TypeError):
        return len(mapped)
    return int(np.count_nonzero(vec & 1)) * mmap.PAGESIZE


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
        self._map: mmap.mmap | None = None  # a loaded scan's mapped buffer file (``buffer`` then reads it by slices)
        # c_char_p points at the bytes object's own data (no copy); self.buffer keeps it alive
        self._address = ctypes.cast(ctypes.c_char_p(self.buffer), ctypes.c_void_p).value if _MEMMEM else None
        total = sum(self.lengths.values())
        self.avg_length = total / len(self.lengths) if self.lengths else 1.0
        self.pairs: PairIndex | None = None
        self._indexable = pair_index
        self._pairs_started = False
        self._pairs_built = threading.Event()
        self.paged_in = 0  # bytes of the buffer walked by whole-buffer passes (``kb stats``)
        self._scan_seconds = 0.0  # spent scanning the buffer while there is no pair index
        self._start_lock = threading.Lock()
        if pair_index and len(self.buffer) <= PAIRS_AT_ONCE:
            self.index_pairs(background=False)  # a larger buffer: once scanning has cost enough

    def save(self, folder: Path) -> None:
        """Write the buffer and its pair index (built now if need be) as files
        ``load`` reads: every server process and worker then shares one copy (in
        the page cache) instead of building its own.  Atomic: written beside,
        renamed into place."""
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
            self.pairs.save(tmp)
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
        """A scan over the files ``save`` wrote, read by slices; None if they are not
        all there.  A folder saved before the compact pair index gets one, built once
        from its buffer file."""
        folder = Path(folder)
        try:
            if json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("format") != MAPPED_FORMAT:
                return None
            buffer = _map_file(folder / "buffer.bin")
            docnums = np.load(folder / "docnums.npy").tolist()
            lengths = np.load(folder / "lengths.npy").tolist()
            scan = cls([], pair_index=False)
            scan.docnums, scan.starts = docnums, np.load(folder / "starts.npy").tolist()
            scan.lengths = dict(zip(docnums, lengths))
            scan.avg_length = sum(lengths) / len(lengths) if lengths else 1.0
            # the search slices documents out of ``buffer`` (read by ``pread``: slices mapped
            # would keep a block of up to 2 MB each in the process); the checks read the mapping
            scan._map = buffer if mapped.is_mapped(buffer) else None
            scan.buffer = FileBytes(folder / "buffer.bin") if scan._map is not None else buffer
            data = np.frombuffer(buffer, dtype=np.uint8) if len(buffer) else None
            scan._address = data.ctypes.data if (_MEMMEM and data is not None) else None
            scan.pairs = PairIndex.open(folder, buffer, scan.starts, docnums) or _pairs_of_old_folder(folder, scan)
            return scan
        except (OSError, ValueError, KeyError):
            return None

    def nbytes(self) -> dict[str, int]:
        """Bytes of the buffer and the pair index: held by this process, or on disk
        (read by slices, cached by the kernel, shared by every process), and the
        bytes read from those files so far."""
        pairs = self.pairs
        if self._map is not None:  # shared file pages, in a process' RSS only while a window is checked
            out = {"scan_buffer_on_disk": len(self._map), "scan_buffer_cached": _cached(self._map),
                   "scan_buffer_bytes_read": self.buffer.bytes_read}
        else:
            out = {"scan_buffer": len(self.buffer)}
        out["scan_offsets"] = 2 * 8 * len(self.docnums) + 100 * len(self.lengths)  # docnums, starts (lists), lengths (dict)
        out.update(pairs.nbytes() if pairs is not None else {"pair_index": 0})
        if pairs is not None and pairs.on_disk:
            out["pair_index_bytes_read"] = pairs.bytes_read()
        if self._map is not None:  # windows walked, each given back after (``kb.mapped``)
            out["scan_buffer_paged_in"] = self.paged_in + (pairs.paged_in if pairs is not None else 0)
        return out

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

    def positions(
        self, needle: bytes, max_matches: int = 2_000_000, stop: Callable[[], bool] | None = None
    ) -> Mapping[int, list[int]]:
        """docnum → offsets (in the document's scan form) of cluster-aligned occurrences.

        A one-byte needle is found by a pass over the whole buffer, a window at a
        time; ``stop`` (the query's budget: true once its time is up) is asked
        between windows, and a pass it stops answers what it found so far, marked
        ``partial`` (the memo keeps no partial answer)."""
        out: dict[int, list[int]] = {}
        if not needle or b"\x1a" in needle or SEPARATOR[:1] in needle:
            return out
        if needle[0] in _MARKS:  # a query cannot start in the middle of a cluster
            return out
        mapped.release(self._map)  # any page a check left mapped
        pairs = self.pairs
        if len(needle) == 1:
            return self._scan_byte(needle, max_matches, stop)
        if pairs is not None:
            return pairs.positions(needle)
        started = time.perf_counter()
        try:
            return self._scan(needle, max_matches)
        finally:
            self._scan_seconds += time.perf_counter() - started
            if self._indexable and not self._pairs_started and self._scan_seconds > RENT_SHARE * PAIR_BUILD_SECONDS_PER_BYTE * len(self.buffer):
                self.index_pairs(background=True)

    def _scan_byte(self, needle: bytes, max_matches: int, stop: Callable[[], bool] | None) -> DocOffsets:
        """``positions`` of a one-byte needle: each window's equal bytes in one vector
        comparison, checked as a pair's candidates are (a call per occurrence from
        Python took 6 s of CPU for ก at 63k, with no way to stop it)."""
        buffer = self.buffer if self._map is None else self._map
        data = np.frombuffer(buffer, dtype=np.uint8) if len(buffer) else np.zeros(0, dtype=np.uint8)
        parts, seen, partial = [], 0, False
        for lo, hi in mapped.windows(len(data)):
            if stop is not None and stop():
                partial = True
                break
            mapped.populate(self._map, lo - 1, hi + 1)  # every byte is read: map them in one call
            found = np.flatnonzero(data[lo:hi] == needle[0])[: max_matches - seen]
            found += lo
            seen += len(found)
            parts.append(_checked(found, needle, {0}, data))
            mapped.release(self._map, lo - (hi - lo), hi + 1)  # and the window before (fault-around)
            self.paged_in += hi - lo
            if seen >= max_matches:
                break
        found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        pairs = self.pairs
        if pairs is not None:
            starts, docnums = pairs.starts, pairs.docnum_array
        else:
            starts, docnums = np.asarray(self.starts, dtype=np.int64), np.asarray(self.docnums, dtype=np.int64)
        out = doc_offsets(found, starts, docnums)
        out.partial = partial
        return out

    def _scan(self, needle: bytes, max_matches: int) -> dict[int, list[int]]:
        """``positions`` by scanning the whole buffer."""
        out: dict[int, list[int]] = {}
        buf = self.buffer if self._map is None else self._map
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
        base, size, memmem = self._address, len(self.buffer), _MEMMEM  # the same length mapped or not

        def find(needle: bytes, start: int = 0) -> int:
            if start >= size:
                return -1
            hit = memmem(base + start, size - start, needle, len(needle))
            return hit - base if hit else -1

        return find

    def counts(self, needle: bytes) -> Counter[int]:
        """docnum → number of cluster-aligned occurrences of ``needle``."""
        return Counter({d: len(p) for d, p in self.positions(needle).items()})


def _pairs_of_old_folder(folder: Path, scan: TextScan) -> PairIndex:
    """The pair index of a scan saved before the compact one: built once from the
    buffer file and saved beside it (kept in memory if the folder is read-only)."""
    with open(folder / "buffer.bin", "rb") as f:
        pairs = PairIndex(f.read(), scan.starts, scan.docnums)  # transient: 205 MB and 410 MB at 63k
    try:
        pairs.save(folder)
    except OSError as exc:
        logging.getLogger("kb").warning("could not save the sub-word pair index at %s: %s", folder, exc)
        return pairs
    return PairIndex.open(folder, scan._map or scan.buffer, scan.starts, scan.docnums) or pairs
