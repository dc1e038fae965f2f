"""``kb serve`` answers on one malloc arena (``kb.heap``), however many threads served.

The eighth session's server peak RSS at 63k releases rose 329 → 480 MB: ``kb serve``
had come to start waitress's request threads before it asked glibc for one arena, so
each thread that allocated got an arena of its own, and kept what its queries freed.
A glibc arena other than the main one is a 64 MiB-aligned heap mapping of exactly
64 MiB (its used part read-write, the rest reserved); this counts them in the
server's ``/proc/PID/maps`` after concurrent searches.
"""
from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc arenas in /proc maps (Linux only)"
)
ARENA = 64 << 20  # glibc's HEAP_MAX_SIZE on 64-bit machines


def extra_arenas(pid: int) -> int:
    """Non-main malloc arenas of a process: anonymous 64 MiB-aligned read-write mappings that,
    with the reserved mapping right after them, span exactly 64 MiB."""
    rows = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split()
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        rows.append((lo, hi, parts[1], len(parts) > 5))
    count = 0
    for (lo, hi, perm, named), after in zip(rows, rows[1:] + [(0, 0, "", True)]):
        if named or perm != "rw-p" or lo % ARENA:
            continue
        end = after[1] if (after[0], after[2], after[3]) == (hi, "---p", False) else hi
        count += end - lo == ARENA
    return count


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_server_keeps_one_arena_after_concurrent_searches(bundled_index: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", "--index", str(bundled_index), "--port", str(port),
                             "--threads", "8"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "kb serve did not come up"
                time.sleep(0.3)
        queries = [f"ชายแดน{i}" if i % 2 else f"ยาเสพติด {i}" for i in range(48)]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda q: urllib.request.urlopen(f"{base}/api/search?q={quote(q)}", timeout=60).read(), queries))
        assert extra_arenas(proc.pid) == 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)
