"""The WSGI edge around the Flask app: what must hold before Flask sees a request
and after it answers, even when Flask itself cannot run.

Three promises live here because inside Flask they can be broken by the very
request they guard against:

- **Hosts.** A ``Host`` header that is not a valid host name (``a..b``, a
  64-character label, ``xn--a.example``) makes Werkzeug's URL binding raise
  before any error handler can run; such requests are answered here with a 400.
- **The expensive lane.** Exports, feeds and very long or complex queries may
  run at most ``lane`` at a time (fewer than the server's threads), so ``/healthz``
  and ordinary searches always find a free thread; when the lane is full the
  answer is an immediate 503 with ``Retry-After``, never a queue.
- **Security headers** on every response, including the ones made here, the
  bare 500 Flask falls back to when an error handler fails, and the 400s waitress
  writes itself for a request it cannot parse (``create_server``).
"""
from __future__ import annotations

import html
import ipaddress
import json
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

# No inline script or style anywhere: JS and CSS are static files, charts set
# SVG presentation attributes (fill=, width=) which this policy allows.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)

EXPENSIVE_PATHS = frozenset({"/export.csv", "/export.xlsx", "/export.json", "/feed.atom"})
# A query this long, or with this many space-separated parts (operators count),
# costs far more than a person's ordinary search: it goes through the lane.
COMPLEX_QUERY_CHARS = 100
COMPLEX_QUERY_PARTS = 12
RETRY_AFTER_SECONDS = 2
DEFAULT_LANE = 2
# The only body kb reads is the sign-in form (a token and a CSRF field, well under 1 KB);
# waitress's own default is 1 GB, spooled to a temporary file before the app could refuse it
MAX_REQUEST_BODY = 64 * 1024

BAD_HOST_MESSAGE = "ชื่อโฮสต์ในคำขอ (Host) ไม่ถูกต้อง"
BUSY_MESSAGE = (
    "ขณะนี้มีคำขอขนาดใหญ่ (ส่งออกข้อมูล ฟีด หรือคำค้นที่ซับซ้อน) กำลังประมวลผลเต็มจำนวน "
    f"โปรดลองใหม่ในอีก {RETRY_AFTER_SECONDS} วินาที"
)

_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_PORT = re.compile(r"\d{1,5}")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]


def lane_size(threads: int) -> int:
    """How many expensive requests may run at once on a server with ``threads`` threads.

    A quarter of the threads (at least one): the rest always serve cheap
    requests, and few CPU-bound exports also leave the GIL free enough for them.
    """
    return max(1, threads // 4)


def valid_hostname(name: str) -> bool:
    """A DNS host name (letters, digits, hyphens; labels 1–63; 253 in all) that IDNA accepts."""
    if name.endswith("."):
        name = name[:-1]
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return False
    try:  # the codec Werkzeug uses: ``xn--a`` is well-formed ASCII but no valid IDNA label
        for label in labels:
            label.encode("ascii").decode("idna")
        name.encode("idna")
    except UnicodeError:
        return False
    return True


def valid_host(value: str) -> bool:
    """A ``Host`` header value: host name, IPv4 address or ``[IPv6]``, with an optional port."""
    if value.startswith("["):
        literal, bracket, rest = value[1:].partition("]")
        if not bracket:
            return False
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return False
        return rest == "" or (rest.startswith(":") and _valid_port(rest[1:]))
    name, colon, port = value.rpartition(":") if ":" in value else (value, "", "")
    if colon and not _valid_port(port):
        return False
    return valid_hostname(name)


def _valid_port(port: str) -> bool:
    return bool(_PORT.fullmatch(port)) and 0 < int(port) <= 65535


def public_url(value: str | None) -> str | None:
    """The configured public base URL, checked; ``None`` when none is set.

    Raises ``ValueError`` naming ``PUBLIC_URL`` when the value is not an
    ``http(s)://host[:port][/path]`` URL.
    """
    if value is None or not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"PUBLIC_URL (KB_PUBLIC_URL): '{value[:100]}' is not an http(s)://host/path URL")
    if "@" in parts.netloc or not valid_host(parts.netloc):
        raise ValueError(f"PUBLIC_URL (KB_PUBLIC_URL): '{parts.netloc[:100]}' is not a valid host")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def is_expensive(path: str, query_string: str) -> bool:
    """Exports, feeds, and searches whose query is very long or has many parts."""
    if path in EXPENSIVE_PATHS:
        return True
    if "q=" not in query_string:
        return False
    for q in parse_qs(query_string).get("q", []):
        if len(q) > COMPLEX_QUERY_CHARS or len(q.split()) > COMPLEX_QUERY_PARTS:
            return True
    return False


def wants_json(path: str) -> bool:
    """JSON twins (``/api/*``, ``*.json``, ``/healthz``) answer errors in JSON too."""
    return path.startswith("/api/") or path.endswith(".json") or path == "/healthz"


@dataclass(frozen=True)
class EdgeAnswer:
    """An answer made at the edge, without Flask: status line, headers and body."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


def edge_answer(path: str, code: int, title: str, message: str, extra: list[tuple[str, str]] | None = None) -> EdgeAnswer:
    """A small JSON or Thai HTML error that needs no template, url_for or request object."""
    status = {400: "400 Bad Request", 500: "500 Internal Server Error", 503: "503 Service Unavailable"}[code]
    if wants_json(path):
        body = json.dumps({"error": {"message": message}}, ensure_ascii=False).encode("utf-8")
        ctype = "application/json"
    else:
        body = fallback_page(code, title, message).encode("utf-8")
        ctype = "text/html; charset=utf-8"
    headers = [("Content-Type", ctype), ("Content-Length", str(len(body))), *(extra or []), *SECURITY_HEADERS]
    return EdgeAnswer(status, headers, body)


def fallback_page(code: int, title: str, message: str) -> str:
    """A self-contained Thai error page (relative links only: the Host may be what is wrong)."""
    return (
        '<!doctype html><html lang="th"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)} ({code})</h1><p>{html.escape(message)}</p>"
        '<p><a href="/">กลับไปหน้าค้นหา</a></p></body></html>'
    )


class Edge:
    """WSGI middleware: host check, the expensive lane, security headers."""

    def __init__(self, app: WSGIApp, lane: int = DEFAULT_LANE):
        if lane < 1:
            raise ValueError(f"EXPENSIVE_LANE must be at least 1 (got {lane})")
        self.app = app
        self.lane = threading.BoundedSemaphore(lane)

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        host = environ.get("HTTP_HOST")
        if host is not None and not valid_host(host):
            return self._answer(start_response, edge_answer(path, 400, "คำขอไม่ถูกต้อง", BAD_HOST_MESSAGE))
        secured = _with_security_headers(start_response)
        if not is_expensive(path, environ.get("QUERY_STRING", "")):
            return self.app(environ, secured)
        if not self.lane.acquire(blocking=False):
            busy = edge_answer(path, 503, "ยังไม่พร้อมให้บริการ", BUSY_MESSAGE, [("Retry-After", str(RETRY_AFTER_SECONDS))])
            return self._answer(start_response, busy)
        try:
            # Flask builds these responses completely inside the call, so the
            # lane is held for exactly the costly part.
            return self.app(environ, secured)
        finally:
            self.lane.release()

    @staticmethod
    def _answer(start_response: StartResponse, answer: EdgeAnswer) -> list[bytes]:
        start_response(answer.status, answer.headers)
        return [answer.body]


def _with_security_headers(start_response: StartResponse) -> StartResponse:
    """``start_response`` that adds any security header the app did not set."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
        present = {name.lower() for name, _ in headers}
        headers = list(headers) + [(n, v) for n, v in SECURITY_HEADERS if n.lower() not in present]
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

    return start


def create_server(app: WSGIApp, **options: Any) -> Any:
    """``waitress.create_server`` whose own answers carry the security headers too.

    Waitress answers a request it cannot parse (bytes that are no URI, a header line
    without a colon or with control characters, a lower-case method, an oversized
    header block, a body over ``MAX_REQUEST_BODY``: 413) itself, with a plain-text 400 that never reaches the app or this
    edge: its error task is given the headers here.
    """
    import waitress
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class SecuredErrorTask(ErrorTask):
        def execute(self) -> None:
            self.response_headers.extend(SECURITY_HEADERS)
            super().execute()

    class SecuredChannel(HTTPChannel):
        error_task_class = SecuredErrorTask

    # poll(), not select(): select() cannot watch a descriptor numbered 1024 or more, and a server
    # holding a large index (segments, postings arrays, position files, mapped scans) passes that
    # (seen: waitress's loop died with "filedescriptor out of range in select()", every request hung)
    options.setdefault("asyncore_use_poll", True)
    # a longer body is refused with 413 from its Content-Length (or as a chunked one grows past it)
    options.setdefault("max_request_body_size", MAX_REQUEST_BODY)
    server = waitress.create_server(app, **options)
    # one listening socket: the server itself; several (a name with IPv4 and IPv6
    # addresses): each one is a dispatcher in the shared map
    listeners = [server] if hasattr(server, "channel_class") else list(getattr(server, "map", {}).values())
    for listener in listeners:
        if hasattr(listener, "channel_class"):
            listener.channel_class = SecuredChannel
    return server
