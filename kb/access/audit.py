"""The audit log: one JSON line per request, read back by ``kb audit``.

A line holds the time (UTC), the token's name (never the token), the level,
the route, the query and filters, the result total and the status; failed
sign-ins are lines too (route ``signin``, status 401/429).  Appends are one
``write`` of one line on an O_APPEND file, so concurrent request threads and
several server processes never interleave inside a line.
"""
from __future__ import annotations

import json
import os
import threading
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from kb.access.files import ensure_dir

MAX_FIELD_CHARS = 500  # a query of megabytes is cut, the log stays readable


def _short(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_FIELD_CHARS]
    if isinstance(value, list):
        return [_short(v) for v in value[:50]]
    if isinstance(value, dict):
        return {str(k)[:60]: _short(v) for k, v in list(value.items())[:50]}
    return value


class AuditLog:
    """Appends audit lines to one file (0600)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def write(self, entry: dict[str, Any]) -> None:
        line = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **_short(entry)}
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            ensure_dir(self.path)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)


def read_audit(path: Path, since: date | None = None, token: str | None = None) -> Iterator[dict[str, Any]]:
    """The log's entries, oldest first, from ``since`` on and of ``token`` only when given.

    A line that is not JSON (a crash mid-write, an edit) is skipped, not fatal.
    """
    if not Path(path).exists():
        return
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict):
                continue
            if since is not None and str(entry.get("time", ""))[:10] < since.isoformat():
                continue
            if token is not None and entry.get("token") != token:
                continue
            yield entry


def last_used(path: Path) -> dict[str, str]:
    """token name → time of its last request in the log (for ``kb tokens list``)."""
    out: dict[str, str] = {}
    for entry in read_audit(path):
        name = entry.get("token")
        if isinstance(name, str) and entry.get("status", 0) != 401:
            out[name] = str(entry.get("time", ""))
    return out
