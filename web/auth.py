"""Who is asking: the visitor's access level for every request, sign-in and
sign-out, CSRF, rate limits and the audit line (issue 17).

The level comes from, in order: an ``Authorization: Bearer <token>`` header
(the API; a wrong token is a 401, never a silent downgrade), a signed feed
key in a feed URL (``/k/<key>/feed.atom``: feed readers send no headers), the
signed session cookie set by the sign-in page, else ``public``.  Every route
then reads the index through ``kb.engine.access.restricted`` at that level
(``web.Catalog``), so enforcement stays in the engine view, not in pages.

Cookies are signed with itsdangerous (Flask's own signer) under the secret of
``kb.access.files.secret_key``; they carry the token's key id, never the
token, and every request checks that the token still exists and has not
expired, so a revoked token's session dies on its next request.
"""
from __future__ import annotations

import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, g, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from kb.access.audit import AuditLog
from kb.access.files import AUDIT_ENV, audit_path, is_index, secret_key
from kb.access.levels import PUBLIC
from kb.access.ratelimit import RateLimiter, SignInBrake
from kb.access.tokens import TokenFileError, TokenRecord, TokenStore
from kb.models import SearchRequest, SearchResult
from kb.search import Searcher, WorkBudget

log = logging.getLogger(__name__)

EXTENSION = "kb_access"
SESSION_COOKIE = "kb_session"
CSRF_COOKIE = "kb_csrf"
CSRF_FIELD = "csrf_token"
SESSION_HOURS = 12
LEVEL_LABELS = {"public": "สาธารณะ", "partner": "ภาคี (partner)", "internal": "ภายใน (internal)"}
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
DEFAULTS = {"RATE_LIMIT": 600, "TOKEN_RATE_LIMIT": 1200, "RATE_WINDOW": 60.0}  # requests per window (seconds)
# never limited: the stylesheet, and the health check monitors poll (it tells a count of public documents only)
UNLIMITED = ("static", "api.health")

bp = Blueprint("auth", __name__)


@dataclass(frozen=True)
class Visitor:
    """The requester as far as access goes: a level and, when signed in, the token's name."""

    level: str = PUBLIC
    token: str | None = None  # the token's name, never the token
    key_id: str | None = None
    via: str = "anonymous"  # anonymous | bearer | session | feed

    @property
    def label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


ANONYMOUS = Visitor()


class Gate:
    """The app's access state: tokens, signers, limits and the audit log."""

    def __init__(self, app: Flask, index_dir: Path):
        secret = secret_key(index_dir)
        self.tokens = TokenStore(index_dir)
        self.sessions = URLSafeTimedSerializer(secret, salt="kb-session")
        self.csrf = URLSafeTimedSerializer(secret, salt="kb-csrf")
        self.feeds = URLSafeSerializer(secret, salt="kb-feed")
        window = float(app.config["RATE_WINDOW"])
        self.per_address = RateLimiter(int(app.config["RATE_LIMIT"]), window)
        self.per_token = RateLimiter(int(app.config["TOKEN_RATE_LIMIT"]), window)
        self.brake = SignInBrake()
        self.audit = AuditLog(Path(app.config.get("AUDIT_LOG") or audit_path(index_dir)))
        self.index_dir = index_dir
        self.audit_elsewhere = bool(app.config.get("AUDIT_LOG") or os.environ.get(AUDIT_ENV))

    def record(self, key_id: str | None) -> TokenRecord | None:
        """The still-valid record of ``key_id`` (None when revoked, expired or the file is untrusted)."""
        if not key_id:
            return None
        try:
            return self.tokens.current(key_id)
        except TokenFileError as exc:
            log.error("%s", exc)
            return None


def gate() -> Gate:
    from flask import current_app

    return current_app.extensions[EXTENSION]


def visitor() -> Visitor:
    """The current request's visitor (public outside a request or before identification)."""
    from flask import has_request_context

    return g.get("visitor", ANONYMOUS) if has_request_context() else ANONYMOUS


def init_app(app: Flask, index_dir: Path) -> None:
    """Wire access control into ``app`` (called by ``web.create_app``)."""
    for key, value in DEFAULTS.items():  # KB_RATE_LIMIT, KB_TOKEN_RATE_LIMIT, KB_RATE_WINDOW override
        app.config.setdefault(key, os.environ.get("KB_" + key) or value)
    app.extensions[EXTENSION] = Gate(app, index_dir)
    app.register_blueprint(bp)
    # a feed URL with its own key: the same view as /feed.atom
    app.add_url_rule("/k/<feed_key>/feed.atom", endpoint="exports.feed")
    app.url_value_preprocessor(_take_feed_key)
    app.url_defaults(_add_feed_key)
    app.before_request(_identify)
    app.after_request(_finish)
    app.context_processor(lambda: {"visitor": visitor(), "csrf_token": csrf_token})


def client_address() -> str:
    return request.remote_addr or "unknown"


def _take_feed_key(endpoint: str | None, values: dict | None) -> None:
    if values and "feed_key" in values:
        g.feed_key = values.pop("feed_key")


def _add_feed_key(endpoint: str, values: dict) -> None:
    """Feed links of a signed-in visitor carry a feed key of their token."""
    v = visitor()
    if endpoint == "exports.feed" and v.key_id and "feed_key" not in values:
        values["feed_key"] = gate().feeds.dumps(v.key_id)


def _identify() -> Response | None:
    """Settle ``g.visitor``; refuse a bad credential (401) or a flood (429)."""
    g.visitor = ANONYMOUS
    if request.endpoint == "static":
        return None
    gt = gate()
    address = client_address()
    wait = None if request.endpoint in UNLIMITED else gt.per_address.hit(address)
    if wait is not None:
        return _too_many(wait, "คำขอจากที่อยู่นี้ถี่เกินไป")
    header = request.headers.get("Authorization")
    if header is not None:
        return _bearer(gt, header, address)
    if g.get("feed_key") is not None:
        return _feed(gt, g.feed_key)
    key_id = _session_key_id(gt)
    rec = gt.record(key_id)
    if rec is not None:
        g.visitor = Visitor(rec.level, rec.name, rec.key_id, "session")
        return _token_rate(gt, rec)
    if key_id is not None:
        g.drop_session = True  # revoked or expired: the cookie goes
    return None


def _bearer(gt: Gate, header: str, address: str) -> Response | None:
    wait = gt.brake.wait(address)
    if wait is not None:
        return _too_many(wait, "ลองโทเค็นผิดหลายครั้ง โปรดรอสักครู่")
    scheme, _, token = header.partition(" ")
    rec = None
    if scheme.lower() == "bearer" and token.strip():
        try:
            rec = gt.tokens.verify(token.strip())
        except TokenFileError as exc:
            log.error("%s", exc)
    if rec is None:
        gt.brake.failed(address)
        return _unauthorized("โทเค็นไม่ถูกต้อง ถูกเพิกถอน หรือหมดอายุ")
    gt.brake.succeeded(address)
    g.visitor = Visitor(rec.level, rec.name, rec.key_id, "bearer")
    return _token_rate(gt, rec)


def _feed(gt: Gate, feed_key: str) -> Response | None:
    try:
        key_id = gt.feeds.loads(feed_key)
    except BadSignature:
        key_id = None
    rec = gt.record(key_id if isinstance(key_id, str) else None)
    if rec is None:
        return _unauthorized("ลิงก์ฟีดนี้ใช้ไม่ได้แล้ว (โทเค็นถูกเพิกถอนหรือหมดอายุ)")
    g.visitor = Visitor(rec.level, rec.name, rec.key_id, "feed")
    return _token_rate(gt, rec)


def _session_key_id(gt: Gate) -> str | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = gt.sessions.loads(raw, max_age=SESSION_HOURS * 3600)
    except BadSignature:
        g.drop_session = True
        return None
    key_id = data.get("k") if isinstance(data, dict) else None
    return key_id if isinstance(key_id, str) else None


def _token_rate(gt: Gate, rec: TokenRecord) -> Response | None:
    wait = gt.per_token.hit(rec.key_id)
    return None if wait is None else _too_many(wait, "คำขอของโทเค็นนี้ถี่เกินไป")


def _too_many(wait: int, message: str) -> Response:
    from web import error_response

    response = error_response(429, message)
    response.headers["Retry-After"] = str(wait)
    return response


def _unauthorized(message: str) -> Response:
    from web import error_response

    response = error_response(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="kb"'
    return response


def secure_cookies() -> bool:
    """Secure cookies over HTTPS, or always with ``KB_SECURE_COOKIES=1`` (behind a TLS proxy)."""
    return request.is_secure or os.environ.get("KB_SECURE_COOKIES") == "1"


def _set_cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="Strict", secure=secure_cookies(), path="/"
    )


def _finish(response: Response) -> Response:
    """Cookies this request decided on, what a cache may keep, and the audit line.

    The same URL answers each level differently: a shared cache (a proxy, a CDN) must key
    on who asks (``Vary``) and must keep no answer given above the public level."""
    if g.get("drop_session"):
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Strict", secure=secure_cookies())
    if g.get("new_csrf"):
        _set_cookie(response, CSRF_COOKIE, g.new_csrf, None)
    if request.endpoint != "static":
        response.vary.update(("Authorization", "Cookie"))
        if visitor().via != "anonymous" or "Set-Cookie" in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        _audit(response)
    return response


def _audit(response: Response) -> None:
    v = visitor()
    query = {k: request.args.getlist(k) for k in request.args if k != "key"}
    entry = {
        "token": v.token, "level": v.level, "via": v.via, "route": request.endpoint or "", "path": request.path,
        "method": request.method, "query": query, "total": g.get("audit_total"), "status": response.status_code,
        "address": client_address(),
    }
    if g.get("signin_failed"):
        entry["event"] = "signin-failed"
    gt = gate()
    if not (gt.audit_elsewhere or is_index(gt.index_dir)):
        return  # no index yet (every answer is a 503): nothing to audit, no folder to create
    try:
        gt.audit.write(entry)
    except OSError as exc:  # a full disk must not turn every answer into a 500
        log.error("audit log not written: %s", exc)


# CSRF: a random nonce in an HttpOnly SameSite cookie; every form carries it signed
def csrf_token() -> str:
    nonce = request.cookies.get(CSRF_COOKIE) or g.get("new_csrf")
    if not nonce:
        nonce = g.new_csrf = secrets.token_urlsafe(24)
    return gate().csrf.dumps(nonce)


def csrf_ok() -> bool:
    nonce = request.cookies.get(CSRF_COOKIE, "")
    try:
        signed = gate().csrf.loads(request.form.get(CSRF_FIELD, ""), max_age=4 * 3600)
    except BadSignature:
        return False
    return bool(nonce) and isinstance(signed, str) and hmac.compare_digest(signed, nonce)


def _csrf_refused() -> Response:
    from web import error_response

    return error_response(400, "แบบฟอร์มหมดอายุหรือไม่ได้ส่งจากหน้านี้ (CSRF) โปรดโหลดหน้าใหม่แล้วลองอีกครั้ง")


@bp.get("/signin")
def signin_form():
    return render_template("signin.html", error=None)


@bp.post("/signin")
def signin():
    gt = gate()
    address = client_address()
    wait = gt.brake.wait(address)
    if wait is not None:
        g.signin_failed = True
        return _too_many(wait, "ลงชื่อเข้าใช้ผิดหลายครั้ง โปรดรอสักครู่แล้วลองใหม่")
    if not csrf_ok():
        return _csrf_refused()
    try:
        rec = gt.tokens.verify(request.form.get("token", "").strip())
    except TokenFileError as exc:
        log.error("%s", exc)
        rec = None
    if rec is None:
        gt.brake.failed(address)
        g.signin_failed = True
        return render_template("signin.html", error="โทเค็นไม่ถูกต้อง ถูกเพิกถอน หรือหมดอายุ"), 401
    gt.brake.succeeded(address)
    g.visitor = Visitor(rec.level, rec.name, rec.key_id, "session")
    response = redirect(url_for("pages.search"), code=303)
    _set_cookie(response, SESSION_COOKIE, gt.sessions.dumps({"k": rec.key_id}), SESSION_HOURS * 3600)
    return response


@bp.post("/signout")
def signout():
    if not csrf_ok():
        return _csrf_refused()
    g.drop_session = True
    return redirect(url_for("pages.search"), code=303)


class AuditedSearcher(Searcher):
    """A ``Searcher`` that notes its result total for the request's audit line."""

    def search_counted(
        self, req: SearchRequest, *, snippets: bool = True, excerpts: int | None = None,
    ) -> tuple[SearchResult, WorkBudget]:
        result, budget = super().search_counted(req, snippets=snippets, excerpts=excerpts)
        from flask import has_request_context

        if has_request_context():
            g.audit_total = result.total
        return result, budget
