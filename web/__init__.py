"""The kb web site and JSON API, as a Flask application factory.

``create_app`` builds an isolated app around one read-only ``kb.engine.Index``
(tests build as many as they like; ``kb serve`` runs one with waitress).  Pages,
the JSON API and the exports are three blueprints rendering the same
``SearchResult``; this module only wires them together and adds what every
response shares: security headers and error pages that never show a traceback
(and cannot fail themselves).  ``web.edge`` wraps the whole app: host check,
the expensive-request lane, security headers even on Flask's own last-resort 500.

Configuration: ``INDEX_DIR`` (required); ``PUBLIC_URL`` (the site's public base
URL, used for absolute links in the Atom feed — never the request's Host);
``EXPENSIVE_LANE`` (how many exports/feeds/complex searches may run at once;
keep it below the server's thread count, see ``web.edge.lane_size``).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, make_response, render_template, request, g, url_for
from werkzeug.exceptions import HTTPException

from kb import heap
from kb.models import SearchRequest
from kb.params import BadParameter
from web.edge import CSP, DEFAULT_LANE, Edge, fallback_page, public_url
from web.edge import wants_json as _wants_json
from web.querycheck import check_utf8
from kb.search import Searcher
from kb.engine import ClusterUnavailable, EngineConfig, IndexMissing, SearchIndex, open_index
from kb.engine.access import restricted  # access (issue 17)
from web.auth import AuditedSearcher, visitor  # access (issue 17)

log = logging.getLogger(__name__)

EXTENSION = "kb"
# what ``Catalog.warm`` asks before the server listens: a question (the blend), a quoted
# phrase, a clause whose scan is checked for word alignment, and an unknown word (did you mean)
WARM_QUERIES = ("มาตรการป้องกันน้ำท่วมคืออะไร", '"การประชุมคณะรัฐมนตรี"', "สถานการณ์ชายแดน", "กระทรวงมหาดไทยยย")

ERROR_TITLES = {
    400: "คำขอไม่ถูกต้อง",
    401: "ต้องลงชื่อเข้าใช้",  # access (issue 17)
    429: "คำขอถี่เกินไป",  # access (issue 17)
    404: "ไม่พบหน้าที่ต้องการ",
    405: "ไม่รองรับวิธีการเรียกนี้",
    500: "เกิดข้อผิดพลาดภายในระบบ",
    503: "ยังไม่พร้อมให้บริการ",
}


class Catalog:
    """What every request needs: the index and its searcher *as the visitor may see them*.

    access (issue 17): ``index`` and ``searcher`` are the restricted view of the
    engine at the current request's level (``web.auth``; public outside a
    request), so every route reads only what its visitor may see.  ``engine``
    is the full index; no route reads it.
    """

    def __init__(self, index_dir: Path, engine: EngineConfig | None = None):
        self.engine = open_index(index_dir, engine)

    @property
    def index(self) -> SearchIndex:
        return restricted(self.engine, visitor().level)

    @property
    def searcher(self) -> Searcher:
        return AuditedSearcher(self.index)

    def warm(self) -> None:
        """Open the public view's snapshot, load its sub-word scan and answer a few searches
        now, so that the first visitor pays for none of it (``kb serve`` calls this before
        it listens).

        The searches load what a process loads once, on first use: the segmenter's
        dictionary, the alignment lexicon (65,000 words normalized: ~0.5 s), word
        lists, the thesaurus, the corrector.  They are not audited (no request), and
        what they memoized is dropped, so the first visitor's query is answered as
        any later new query is.  The heap is trimmed after the searches (``kb.heap``:
        memory, not speed); ``kb serve`` has already asked for one malloc arena."""
        snap = self.index.snapshot()
        snap.scan()
        searcher = Searcher(self.index)
        for q in WARM_QUERIES:
            searcher.search(SearchRequest(q=q)).to_dict()
        snap.memo.clear()
        heap.trim()


def catalog(app: Flask | None = None) -> Catalog:
    """The app's catalog (the current app when none is given)."""
    from flask import current_app

    return (app or current_app).extensions[EXTENSION]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """A new app serving the index at ``config["INDEX_DIR"]`` (required)."""
    config = dict(config or {})
    if not config.get("INDEX_DIR"):
        raise ValueError("create_app needs config['INDEX_DIR'] (the index directory)")
    app = Flask(__name__)
    app.config.update(DEBUG=False, TESTING=False, PROPAGATE_EXCEPTIONS=False, EXPENSIVE_LANE=DEFAULT_LANE)
    app.config.update(config)
    app.config["PUBLIC_URL"] = public_url(app.config.get("PUBLIC_URL"))
    app.json.ensure_ascii = False  # Thai stays readable in the JSON API
    app.json.sort_keys = False
    app.extensions[EXTENSION] = Catalog(Path(app.config["INDEX_DIR"]), app.config.get("ENGINE"))

    from web import api, auth, exports, pages
    from web.present import register_filters

    register_filters(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    auth.init_app(app, Path(app.config["INDEX_DIR"]))  # access (issue 17): after the blueprints it adds a rule to
    _register_errors(app)
    app.before_request(_utf8_query)  # last: the language and the visitor are known when it refuses
    app.after_request(_security_headers)
    app.wsgi_app = Edge(app.wsgi_app, lane=int(app.config["EXPENSIVE_LANE"]))  # type: ignore[method-assign]
    return app


def _utf8_query() -> None:
    """A name or value of the query string that is not UTF-8 is a 400 naming it (``web.querycheck``)."""
    check_utf8(request.query_string)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def wants_json() -> bool:
    """JSON twins (``/api/*``, ``*.json``, ``/healthz``) answer errors in JSON too."""
    return _wants_json(request.path)


RETRY_ENDPOINTS = ("pages.search", "pages.overview")  # fixed paths: a link back never echoes a document id


def retry_url(param: str | None) -> str | None:
    """The same search (or overview) without the refused parameter, so a slip in a date box
    keeps the reader's query and filters; None for other pages."""
    if not param or request.endpoint not in RETRY_ENDPOINTS:
        return None
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in (param, "lang") and v.strip()]
    base = url_for(request.endpoint)
    return f"{base}?{urlencode(pairs)}" if pairs else base


def error_response(status: int, message: str, param: str | None = None) -> Response:
    """One error, as JSON or as a Thai HTML page depending on the route.

    It must not fail itself: if the page template cannot be rendered (no URL
    adapter, a broken template), a self-contained page is answered instead.
    """
    title = ERROR_TITLES.get(status, "เกิดข้อผิดพลาด")
    try:
        if wants_json():
            body: dict[str, Any] = {"message": message}
            if param is not None:
                body = {"param": param, "message": message}
            response = jsonify({"error": body})
        else:
            g.error_page = True  # the page must not echo the requested path (a hidden id answers like a missing one)
            response = make_response(render_template("error.html", status=status, title=title, message=message, param=param,
                                                     retry=retry_url(param)))
    except Exception:  # noqa: BLE001 - the last line of defence must answer
        log.exception("error page for %s failed; answering the plain page", status)
        text = f"ค่าของพารามิเตอร์ {param} ไม่ถูกต้อง: {message}" if param else message
        response = Response(fallback_page(status, title, text), mimetype="text/html")
    response.status_code = status
    return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter):
        # the reason is a Notice: a page says it in the visitor's language (error.html: notice_text);
        # the JSON twins keep the Thai reason, as their notices do
        return error_response(400, exc.reason, exc.param)

    @app.errorhandler(IndexMissing)
    def index_missing(exc: IndexMissing):
        log.error("index missing: %s", exc)
        return error_response(503, "ยังไม่มีดัชนีเอกสาร ผู้ดูแลระบบต้องสร้างดัชนีด้วยคำสั่ง kb index ก่อน")

    @app.errorhandler(ClusterUnavailable)
    def cluster_unavailable(exc: ClusterUnavailable):
        log.error("search cluster unavailable: %s", exc)
        return error_response(503, "ระบบค้นหาขัดข้องชั่วคราว โปรดลองใหม่อีกครั้ง")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        messages = {
            404: "ไม่พบหน้าหรือเอกสารที่ต้องการ อาจถูกลบหรือพิมพ์ที่อยู่ผิด",
            405: "หน้านี้รับเฉพาะการเรียกแบบ GET",
        }
        response = error_response(status, messages.get(status, exc.description or ERROR_TITLES.get(status, "")))
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return error_response(500, "ขออภัย ระบบขัดข้องชั่วคราว โปรดลองใหม่อีกครั้ง")
