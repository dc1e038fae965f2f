"""The sub-word scan's pair index, compact and read by slices.

A chunk is found through its rarest byte pair: the positions of that pair in
the scan buffer are its candidates, checked against the chunk's other bytes.
The index held every position of the buffer as a 4-byte integer sorted by
pair (820 MB for the 205 MB of text of 63,241 releases) and was memory-mapped
with the buffer, so every page a query touched stayed in the server's RSS
(1.39 GB peak at 63k, Typesense 0.39 GB).

Now each pair's ascending positions are stored as gaps, two bytes each (a gap
over 65,535 is a 0, its value kept in order in a separate ``wide`` array:
0.9 % of them at 63k; one byte each would send 48 % there): 417 MB.  A saved
index is never mapped: a lookup reads its rarest pair's slice with
``os.pread`` and decodes it (a running sum), so the process holds only that
slice while it checks the candidates against the buffer; the files stay in
the page cache, shared by every process and reclaimable.  Checking reads the
mapped buffer at the candidates only, one window at a time, each window's
pages given back behind it (``checked``, ``kb.mapped``): a common chunk's
candidates cover the whole buffer, which stayed in the process' RSS.  The
cost of a lookup follows its rarest pair's frequency.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from kb import mapped
from kb.scan_offsets import DocOffsets, doc_offsets, sorted_index
from kb.scan_split import run_parts
from kb.thai.script import TIS620_COMBINING_BYTES, TIS620_LEADING_VOWEL_BYTES

PAIRS_FORMAT = 2  # the files of PairIndex.save
GAP_DTYPE = np.dtype("<u2")
GAP_MAX = 65535
# candidates of one check over which half of them go to another core (``kb.scan_split``):
# ~45 ns each, so 0.5 M are ~20 ms of work, well above a thread hand-off's ~0.1 ms
SPLIT_AT = 500_000
PAIR_CHUNK = 1 << 22  # positions sorted at a time while building (transient memory ≈ 30 bytes each)
_MARK_TABLE = np.zeros(256, dtype=bool)
_MARK_TABLE[list(TIS620_COMBINING_BYTES)] = True
_LEADING_TABLE = np.zeros(256, dtype=bool)
_LEADING_TABLE[list(TIS620_LEADING_VOWEL_BYTES)] = True
_DIGIT_TABLE = np.zeros(256, dtype=bool)
_DIGIT_TABLE[list(b"0123456789")] = True
_DIGIT_BYTES = frozenset(b"0123456789")
FILES = ("pairs-gaps.bin", "pairs-wide.bin", "pairs-bounds.npy", "pairs.json")


class FileBytes:
    """A file's bytes read by range with ``os.pread`` (thread-safe, no shared offset):
    slices to bytes and indexes to ints as a bytes buffer does, without mapping
    the file into the process.  Counts what it reads (``kb stats``)."""

    def __init__(self, path: Path):
        self._file = open(path, "rb", buffering=0)  # closed with this object
        self.fd = self._file.fileno()
        self.size = os.fstat(self.fd).st_size
        self.bytes_read = 0

    def __len__(self) -> int:
        return self.size

    def read(self, lo: int, hi: int) -> bytes:
        lo, hi = max(0, lo), min(self.size, hi)
        if hi <= lo:
            return b""
        data = os.pread(self.fd, hi - lo, lo)
        if len(data) != hi - lo:
            raise OSError(f"{self._file.name}: short read at {lo} (the file changed?)")
        self.bytes_read += hi - lo
        return data

    def __getitem__(self, key):
        if isinstance(key, slice):
            lo, hi, step = key.indices(self.size)
            return self.read(lo, hi)[::step] if step != 1 else self.read(lo, hi)
        i = key + self.size if key < 0 else key
        if not 0 <= i < self.size:
            raise IndexError("scan buffer index out of range")
        return self.read(i, i + 1)[0]


class PairIndex:
    """Every position of every byte pair of a scan buffer, grouped by pair.

    The positions of pair ``c`` are the running sums (minus one) of the uint16
    ``gaps[bounds[c]:bounds[c + 1]]``, a 0 gap standing for the next value of
    ``wide[wide_bounds[c]:wide_bounds[c + 1]]``.  ``gaps`` and ``wide`` are
    arrays, or ``FileBytes`` of a saved index.
    """

    def __init__(self, buffer, starts: list[int], docnums: list[int]):
        """Build the index of a buffer (bytes or mmap)."""
        self.bytes = _as_array(buffer)
        self.size = len(self.bytes)
        self.mapped = buffer if mapped.is_mapped(buffer) else None
        self.paged_in = 0  # bytes of the mapped buffer's pages checked so far (``kb stats``)
        self._set_documents(starts, docnums)
        self.gaps, self.wide, self.bounds, self.wide_bounds = _build(self.bytes)
        self._wide_file: FileBytes | None = None

    def _set_documents(self, starts: list[int], docnums: list[int]) -> None:
        self.starts = np.asarray(starts, dtype=np.int64)
        self.docnums = docnums
        self.docnum_array = np.asarray(docnums, dtype=np.int64)

    def save(self, folder: Path) -> None:
        """Write the index beside the buffer (``pairs.json`` last: present means complete)."""
        folder = Path(folder)
        tag = f".{os.getpid()}.tmp"
        written = []
        try:
            for name in FILES:
                tmp = folder / (name + tag)
                written.append(tmp)
                if name == "pairs-gaps.bin":
                    tmp.write_bytes(memoryview(self.gaps))
                elif name == "pairs-wide.bin":
                    tmp.write_bytes(memoryview(self.wide))
                elif name == "pairs-bounds.npy":
                    with open(tmp, "wb") as f:
                        np.save(f, np.stack([self.bounds, self.wide_bounds]))
                else:
                    tmp.write_text(json.dumps({"format": PAIRS_FORMAT, "positions": len(self.gaps), "wide": self.wide.dtype.str}), encoding="utf-8")
            for tmp in written:
                os.replace(tmp, folder / tmp.name[: -len(tag)])
        finally:
            for tmp in written:
                tmp.unlink(missing_ok=True)

    @classmethod
    def open(cls, folder: Path, buffer, starts: list[int], docnums: list[int]) -> "PairIndex | None":
        """The index ``save`` wrote in ``folder``, read by slices, over its (mapped)
        ``buffer``; None if it is not there."""
        folder = Path(folder)
        try:
            meta = json.loads((folder / "pairs.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("format") != PAIRS_FORMAT:
            return None
        pairs = cls.__new__(cls)
        pairs.bytes = _as_array(buffer)
        pairs.size = len(pairs.bytes)
        pairs.mapped = buffer if mapped.is_mapped(buffer) else None
        pairs.paged_in = 0
        pairs._set_documents(starts, docnums)
        bounds = np.load(folder / "pairs-bounds.npy")
        pairs.bounds, pairs.wide_bounds = bounds[0], bounds[1]  # arrays: a list would take 2.4 MB each
        pairs.gaps, pairs.wide = FileBytes(folder / "pairs-gaps.bin"), None
        pairs._wide_file, pairs._wide_dtype = FileBytes(folder / "pairs-wide.bin"), np.dtype(meta["wide"])
        if len(pairs.gaps) != 2 * meta.get("positions", -1) or 2 * int(pairs.bounds[-1]) != len(pairs.gaps) or (
            pairs.wide_bounds[-1] * pairs._wide_dtype.itemsize != len(pairs._wide_file)
        ):
            return None
        return pairs

    @property
    def on_disk(self) -> bool:
        return isinstance(self.gaps, FileBytes)

    def nbytes(self) -> dict[str, int]:
        """The index's bytes: held by the process, or on disk (read by slices)."""
        if not self.on_disk:
            return {"pair_index": self.gaps.nbytes + self.wide.nbytes}
        return {"pair_index_on_disk": len(self.gaps) + len(self._wide_file), "pair_index": self.bounds.nbytes + self.wide_bounds.nbytes}

    def bytes_read(self) -> int:
        """Bytes read from the files so far (pair slices)."""
        return self.gaps.bytes_read + self._wide_file.bytes_read if self.on_disk else 0

    def count(self, code: int) -> int:
        return int(self.bounds[code + 1] - self.bounds[code])

    @property
    def position_dtype(self) -> np.dtype:
        """int32 for a buffer under 2 GiB (with room for a window past its end), else int64.

        A common chunk's candidates are millions of positions, each array of them
        made afresh per lookup (new pages: a fault each 4 KB), and gathered and
        compressed several times: half the bytes is about half that cost."""
        return np.dtype(np.int32) if self.size + 2 * mapped.WINDOW < 2**31 else np.dtype(np.int64)

    def pair_positions(self, code: int) -> np.ndarray:
        """The ascending positions of one byte pair (``position_dtype``)."""
        dtype = self.position_dtype
        lo, hi = int(self.bounds[code]), int(self.bounds[code + 1])
        if lo == hi:
            return np.zeros(0, dtype=dtype)
        if self.on_disk:
            small = np.frombuffer(self.gaps.read(2 * lo, 2 * hi), dtype=GAP_DTYPE)
        else:
            small = self.gaps[lo:hi]
        wlo, whi = int(self.wide_bounds[code]), int(self.wide_bounds[code + 1])
        if whi > wlo:
            gaps = small.astype(dtype)
            gaps[small == 0] = self._wide_slice(wlo, whi)  # each under the buffer's size
            np.cumsum(gaps, out=gaps)
        else:
            gaps = np.cumsum(small, dtype=dtype)
        gaps -= 1
        return gaps

    def _wide_slice(self, lo: int, hi: int) -> np.ndarray:
        if self.wide is not None:
            return self.wide[lo:hi]
        size = self._wide_dtype.itemsize
        raw = self._wide_file.read(lo * size, hi * size)
        return np.frombuffer(raw, dtype=self._wide_dtype)

    def positions(self, needle: bytes) -> DocOffsets:
        """``TextScan.positions`` for a needle of two bytes or more (as arrays)."""
        length = len(needle)
        codes = [(needle[i] << 8) | needle[i + 1] for i in range(length - 1)]
        j = min(range(length - 1), key=lambda i: self.count(codes[i]))
        found = self.pair_positions(codes[j])
        if not len(found):
            return DocOffsets.empty()
        if j:
            found -= j
        # ascending: the candidates inside the buffer are one slice (no mask over all of them)
        found = found[sorted_index(found, 0) : sorted_index(found, self.size - length, side="right")]
        return self.offsets(self.checked(found, needle, {j, j + 1}))

    def checked(self, found: np.ndarray, needle: bytes, known: set[int]) -> np.ndarray:
        """``_checked`` over a mapped buffer one window at a time, each window's pages
        given back behind it (``kb.mapped``): a common chunk's candidates cover the
        whole buffer, which the process would otherwise keep in its RSS.  Over
        ``SPLIT_AT`` candidates the windows are cut in two halves of about as many
        candidates, the second checked on another core when one is free
        (``kb.scan_split``); the windows are the same, so is the answer."""
        if self.mapped is None or self.size <= mapped.WINDOW or not len(found):
            if len(found) < SPLIT_AT:
                return _checked(found, needle, known, self.bytes)
            half = len(found) // 2  # each candidate is checked on its own: any cut gives the same
            parts = run_parts([lambda: _checked(found[:half], needle, known, self.bytes),
                               lambda: _checked(found[half:], needle, known, self.bytes)])
            return np.concatenate(parts)
        # the window bounds in the candidates' own type (another would copy them all to compare)
        cuts = np.searchsorted(found, np.arange(0, self.size + mapped.WINDOW, mapped.WINDOW, dtype=found.dtype)).tolist()
        windows = [(w, a, b) for w, (a, b) in enumerate(zip(cuts[:-1], cuts[1:])) if a < b]
        if len(found) < SPLIT_AT or len(windows) < 2:
            groups = [windows]
        else:  # the first window whose candidates start past the middle begins the second half
            k = next(i for i, (_, a, _) in enumerate(windows) if a >= len(found) // 2 or i == len(windows) - 1)
            k = max(1, k)
            groups = [windows[:k], windows[k:]]
        cut = groups[-1][0][0] if len(groups) > 1 else -1  # the first window of the second half
        limits = [(0, cut), (cut, self.size)] if len(groups) > 1 else [(0, self.size)]
        done = run_parts([lambda g=g, lim=lim: self._check_windows(found, needle, known, g, lim)
                          for g, lim in zip(groups, limits)])
        if len(groups) > 1:  # the windows at the cut, which neither half gave back
            mapped.release(self.mapped, (cut - 1) * mapped.WINDOW, (cut + 1) * mapped.WINDOW + len(needle) + 1)
        parts = [part for group_parts, _ in done for part in group_parts]
        self.paged_in += sum(paged for _, paged in done)
        return np.concatenate(parts) if parts else found[:0]

    def _check_windows(self, found: np.ndarray, needle: bytes, known: set[int],
                       windows: list[tuple[int, int, int]], limits: tuple[int, int]) -> tuple[list[np.ndarray], int]:
        """``_checked`` of the candidates in ``windows`` ((window, first, end) of
        ``found``), each window's pages given back behind it, only between the
        ``limits`` (windows: another thread may be checking the next ones): (parts,
        bytes paged in)."""
        parts, paged = [], 0
        floor, ceiling = limits[0] * mapped.WINDOW, limits[1] * mapped.WINDOW
        for w, a, b in windows:
            # the candidates fault their pages in (the kernel maps 64 KB around each fault): mapping
            # a dense window whole first (``mapped.populate``) cost as much where every 64 KB was
            # touched and more where not (at 4x the releases, 13 % of a common chunk's lookup)
            parts.append(_checked(found[a:b], needle, known, self.bytes))
            # from the window before: reading a byte before this one maps its neighbours back (fault-around)
            lo, hi = (w - 1) * mapped.WINDOW, (w + 1) * mapped.WINDOW + len(needle) + 1
            mapped.release(self.mapped, max(lo, floor), min(hi, ceiling))
            # a dense window touches about all of it: no pass over its candidates to count their pages
            paged += mapped.WINDOW if b - a > mapped.DENSE_AT else _pages(found[a:b])
        return parts, paged

    def offsets(self, found: np.ndarray) -> DocOffsets:
        """Verified buffer positions (ascending) as docnum → offsets in the document.

        Over ``SPLIT_AT`` of them, cut at a document's start near the middle and placed
        in two parts, the second on a free core (``kb.scan_split``): no document is in
        both, so the parts joined are the whole's arrays."""
        if len(found) < SPLIT_AT:
            return doc_offsets(found, self.starts, self.docnum_array)
        after = int(np.searchsorted(self.starts, found[len(found) // 2], side="right"))
        cut = sorted_index(found, int(self.starts[after])) if after < len(self.starts) else len(found)
        parts = run_parts([lambda: doc_offsets(found[:cut], self.starts, self.docnum_array),
                           lambda: doc_offsets(found[cut:], self.starts, self.docnum_array)])
        return DocOffsets(*(np.concatenate([getattr(p, name) for p in parts]) for name in ("docs", "counts", "offsets")))


def _pages(found: np.ndarray) -> int:
    """Bytes of the distinct pages that ascending buffer positions fall in."""
    pages = found >> 12
    return 4096 * (int(np.count_nonzero(pages[1:] != pages[:-1])) + 1) if len(found) else 0


def _as_array(buffer) -> np.ndarray:
    return np.frombuffer(buffer, dtype=np.uint8) if len(buffer) else np.zeros(0, dtype=np.uint8)


def _checked(found: np.ndarray, needle: bytes, known: set[int], data: np.ndarray) -> np.ndarray:
    """The candidates ``found`` (ascending buffer positions) that hold ``needle`` (the
    bytes at ``known`` offsets already match) and cut no cluster or number: not right
    after a leading vowel or before a combining mark, and a digit at either end not next
    to another digit (1 does not match in 17).  (One 8-byte read per candidate instead
    of a byte at a time was measured: no faster overall.)

    The cost is per candidate (a common word's candidates grow with the collection), so
    each byte is read through a shifted view (``data[i:][found]``, no ``found + i`` array
    made), and as the candidates ascend only the first can lack a byte before and only
    the last ones a byte after: those few are fixed up, not every candidate tested."""
    size, length = len(data), len(needle)
    for i in range(length):
        if i in known or not len(found):
            continue
        found = found[data[i:][found] == needle[i]]
    n = len(found)
    if not n:
        return found
    tail = sorted_index(found, size - length)  # from here on: no byte after the match
    before = data[found - 1]  # found[0] == 0 reads the last byte: not counted below
    cut = _LEADING_TABLE[before]
    if needle[0] in _DIGIT_BYTES:
        cut |= _DIGIT_TABLE[before]
    if found[0] == 0:
        cut[0] = False
    after = data[length:][found[:tail]]
    cut_after = _MARK_TABLE[after]
    if needle[-1] in _DIGIT_BYTES:
        cut_after |= _DIGIT_TABLE[after]
    cut[:tail] |= cut_after
    return found[~cut]


def _build(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(gaps, wide, bounds, wide_bounds) of a buffer's pairs.

    A radix sort of the 16-bit pair codes, a slice of ``PAIR_CHUNK`` positions
    at a time placed by a counting sort, so the transient memory stays small
    whatever the collection's size; each pair's gaps run on from its last
    position in the earlier slices."""
    n = max(0, len(data) - 1)  # positions that start a pair
    slices = [(lo, min(n, lo + PAIR_CHUNK)) for lo in range(0, n, PAIR_CHUNK)]
    counts = np.zeros(65536, dtype=np.int64)
    for lo, hi in slices:
        counts += np.bincount(_codes(data, lo, hi), minlength=65536)
    bounds = np.zeros(65537, dtype=np.int64)
    np.cumsum(counts, out=bounds[1:])
    gaps = np.empty(n, dtype=GAP_DTYPE)
    wide_dtype = np.uint32 if n < 2**32 else np.int64
    cursor = bounds[:-1].copy()  # where each pair's next gaps go
    last = np.full(65536, -1, dtype=np.int64)  # each pair's last position so far
    wide_codes, wide_values = [], []
    for lo, hi in slices:
        codes = _codes(data, lo, hi)
        by_pair = np.argsort(codes, kind="stable").astype(np.int64)  # a radix sort for 16-bit keys
        by_pair += lo
        sorted_codes = codes[by_pair - lo]
        step = np.empty(hi - lo, dtype=np.int64)
        step[1:] = by_pair[1:] - by_pair[:-1]
        firsts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
        present = sorted_codes[firsts].astype(np.int64)
        step[firsts] = by_pair[firsts] - last[present]
        last[present] = by_pair[np.r_[firsts[1:], hi - lo] - 1]
        slice_counts = np.diff(np.r_[firsts, hi - lo])
        into = np.repeat(cursor[present] - firsts, slice_counts) + np.arange(hi - lo)
        big = step > GAP_MAX
        gaps[into] = np.where(big, 0, step)
        wide_codes.append(sorted_codes[big])
        wide_values.append(step[big].astype(wide_dtype))
        cursor[present] += slice_counts
    all_codes = np.concatenate(wide_codes) if wide_codes else np.zeros(0, dtype=np.uint16)
    wide = np.concatenate(wide_values) if wide_values else np.zeros(0, dtype=wide_dtype)
    wide = wide[np.argsort(all_codes, kind="stable")]  # slice after slice: each pair's in order
    wide_bounds = np.zeros(65537, dtype=np.int64)
    np.cumsum(np.bincount(all_codes, minlength=65536), out=wide_bounds[1:])
    return gaps, wide, bounds, wide_bounds


def _codes(data: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The byte pairs starting at positions lo..hi-1, as 16-bit codes."""
    codes = data[lo:hi].astype(np.uint16)
    codes <<= 8
    codes |= data[lo + 1 : hi + 1]
    return codes


def saved(folder: Path) -> bool:
    """Has ``folder`` a complete pair index of this format?"""
    try:
        return json.loads((Path(folder) / "pairs.json").read_text(encoding="utf-8")).get("format") == PAIRS_FORMAT
    except (OSError, ValueError):
        return False
