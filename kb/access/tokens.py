"""Access tokens of one index: created, listed and revoked by ``kb tokens``,
checked by the web server on every request.

A token is ``<key id>.<secret>``: the key id (48 random bits, stored in
clear) finds the record, the secret (192 random bits, URL-safe) proves it.
Only a salted ``hashlib.scrypt`` hash of the whole token is stored, in
``<index>/access/tokens.json``, mode 0600.  The server re-reads the file when
it changes on disk, so a revocation or an expiry counts from the next request.
A file that does not parse or whose records are malformed (edited by hand,
truncated, tampered with) refuses every token with ``TokenFileError``; it
never crashes the server and never lets a token through.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from kb.access.files import access_dir, locked, write_private
from kb.access.levels import PUBLIC, AccessLevelError, check_level

TOKENS_FILE = "tokens.json"
FORMAT = 1
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
_KEY_ID = re.compile(r"[0-9a-f]{12}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_TOKEN = re.compile(r"([0-9a-f]{12})\.([A-Za-z0-9_-]{32})")
# scrypt cost: ~16 MiB and a few tens of milliseconds per check; verified tokens are remembered
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32, "maxmem": 64 * 1024 * 1024}


class TokenError(ValueError):
    """A token command that cannot be done (bad name, unknown level, past expiry)."""


class TokenFileError(RuntimeError):
    """The tokens file cannot be trusted: every token is refused until it is fixed."""


@dataclass(frozen=True)
class TokenRecord:
    """One token as stored (never the token itself)."""

    key_id: str
    name: str
    level: str
    created: str  # ISO time, UTC
    expires: str | None  # YYYY-MM-DD: the first day the token no longer works
    salt: str
    hash: str

    def expired(self, today: date | None = None) -> bool:
        return self.expires is not None and (today or datetime.now(timezone.utc).date()) >= date.fromisoformat(self.expires)

    def public_view(self) -> dict:
        """What ``kb tokens list`` may show."""
        return {"name": self.name, "level": self.level, "created": self.created, "expires": self.expires}


def _digest(token: str, salt: str) -> str:
    return hashlib.scrypt(token.encode("ascii"), salt=bytes.fromhex(salt), **SCRYPT).hex()


def _record(raw: object) -> TokenRecord:
    if not isinstance(raw, dict):
        raise ValueError("a record is not an object")
    rec = TokenRecord(**{k: raw.get(k) for k in TokenRecord.__dataclass_fields__})
    checks = (
        isinstance(rec.key_id, str) and _KEY_ID.fullmatch(rec.key_id),
        isinstance(rec.name, str) and NAME.fullmatch(rec.name),
        isinstance(rec.salt, str) and _HEX32.fullmatch(rec.salt),
        isinstance(rec.hash, str) and _HEX64.fullmatch(rec.hash),
        isinstance(rec.created, str),
        rec.expires is None or (isinstance(rec.expires, str) and _is_date(rec.expires)),
    )
    if not all(checks):
        raise ValueError(f"record {str(raw.get('name'))[:64]!r} is malformed")
    if check_level(rec.level) == PUBLIC:
        raise ValueError(f"record {rec.name!r} grants the public level")
    return rec


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return len(text) == 10
    except ValueError:
        return False


class TokenStore:
    """The tokens of the index at ``index_dir``; one per server, thread-safe."""

    def __init__(self, index_dir: Path):
        self.path = access_dir(index_dir) / TOKENS_FILE
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._records: dict[str, TokenRecord] = {}
        self._error: str | None = None
        self._verified: dict[str, str] = {}  # sha256(token) → hash it matched (skips scrypt on repeat requests)

    # reading ---------------------------------------------------------------
    def records(self) -> dict[str, TokenRecord]:
        """key id → record, re-read when the file changed; ``TokenFileError`` if it cannot be trusted."""
        with self._lock:
            try:
                st = self.path.stat()
                stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            except FileNotFoundError:
                stamp = None
            if stamp != self._stamp or self._error:
                self._load(stamp)
            if self._error:
                raise TokenFileError(self._error)
            return self._records

    def _load(self, stamp: tuple | None) -> None:
        self._stamp, self._records, self._error = stamp, {}, None
        if stamp is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("tokens"), list):
                raise ValueError("not a kb tokens file")
            records = [_record(r) for r in data["tokens"]]
            if len({r.key_id for r in records}) != len(records) or len({r.name for r in records}) != len(records):
                raise ValueError("two records share a key id or a name")
        except (OSError, ValueError, TypeError, AccessLevelError) as exc:
            self._error = f"the tokens file {self.path} cannot be trusted ({exc}); every token is refused"
            return
        self._records = {r.key_id: r for r in records}

    def verify(self, token: str) -> TokenRecord | None:
        """The record ``token`` proves, if it is valid, not revoked and not expired.

        Always does the same work for a wrong token as for a right one (one scrypt
        or one cached comparison), and compares hashes in constant time.
        """
        records = self.records()
        match = _TOKEN.fullmatch(token or "")
        rec = records.get(match.group(1)) if match else None
        salt = rec.salt if rec else "00" * 16
        fingerprint = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        remembered = self._verified.get(fingerprint)
        if rec is not None and remembered is not None and hmac.compare_digest(remembered, rec.hash):
            digest = rec.hash
        else:
            digest = _digest(token if match else "x" * 45, salt)
        if rec is None or not hmac.compare_digest(digest, rec.hash) or rec.expired():
            return None
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[fingerprint] = rec.hash
        return rec

    def current(self, key_id: str) -> TokenRecord | None:
        """The record of a signed-in session's token, if it is still valid."""
        rec = self.records().get(key_id)
        return None if rec is None or rec.expired() else rec

    # changing (the CLI) ----------------------------------------------------
    def create(self, name: str, level: str, expires: date | None = None) -> str:
        """A new token for ``name`` at ``level``; returns the token (shown once, never stored)."""
        if not NAME.fullmatch(name or ""):
            raise TokenError("--name must be 1-64 letters, digits or . _ @ - (starting with a letter or digit)")
        level = check_level(level, "--access")
        if level == PUBLIC:
            raise TokenError("--access must be partner or internal (public needs no token)")
        if expires is not None and expires <= datetime.now(timezone.utc).date():
            raise TokenError(f"--expires {expires.isoformat()} is not in the future")
        with locked(self.path):
            records = dict(self.records())
            if any(r.name == name for r in records.values()):
                raise TokenError(f"a token named {name!r} exists; revoke it first or choose another name")
            key_id = secrets.token_hex(6)
            token = f"{key_id}.{secrets.token_urlsafe(24)}"
            salt = secrets.token_hex(16)
            records[key_id] = TokenRecord(
                key_id, name, level, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                expires.isoformat() if expires else None, salt, _digest(token, salt),
            )
            self._save(records)
        return token

    def revoke(self, name: str) -> bool:
        """Remove the token named ``name``; False when there is none."""
        with locked(self.path):
            records = dict(self.records())
            kept = {k: r for k, r in records.items() if r.name != name}
            if len(kept) == len(records):
                return False
            self._save(kept)
            return True

    def _save(self, records: dict[str, TokenRecord]) -> None:
        body = {"format": FORMAT, "tokens": [asdict(r) for r in records.values()]}
        write_private(self.path, json.dumps(body, indent=1) + "\n")
