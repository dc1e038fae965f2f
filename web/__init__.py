"""The kb web site and JSON API, as a Flask application factory.

``create_app`` builds an isolated app around one read-only ``kb.engine.Index``
(tests build as many as they like; ``kb serve`` runs one with waitress).  Pages,
the JSON API and the exports are three blueprints rendering the same
``SearchResult``; this module only wires them together and adds what every
response shares: security headers and error pages that never show a traceback.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from kb.params import BadParameter
from kb.search import Searcher
from kb.engine import ClusterUnavailable, EngineConfig, IndexMissing, open_index

log = logging.getLogger(__name__)

EXTENSION = "kb"

# No inline script or style anywhere: JS and CSS are static files, charts set
# SVG presentation attributes (fill=, width=) which this policy allows.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

ERROR_TITLES = {
    400: "คำขอไม่ถูกต้อง",
    404: "ไม่พบหน้าที่ต้องการ",
    405: "ไม่รองรับวิธีการเรียกนี้",
    500: "เกิดข้อผิดพลาดภายในระบบ",
    503: "ยังไม่พร้อมให้บริการ",
}


class Catalog:
    """What every request needs: the one shared index and its searcher."""

    def __init__(self, index_dir: Path, engine: EngineConfig | None = None):
        self.index = open_index(index_dir, engine)
        self.searcher = Searcher(self.index)


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
    app.config.update(DEBUG=False, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    app.config.update(config)
    app.json.ensure_ascii = False  # Thai stays readable in the JSON API
    app.json.sort_keys = False
    app.extensions[EXTENSION] = Catalog(Path(app.config["INDEX_DIR"]), app.config.get("ENGINE"))

    from web import api, exports, pages
    from web.present import register_filters

    register_filters(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    _register_errors(app)
    app.after_request(_security_headers)
    return app


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def wants_json() -> bool:
    """JSON twins (``/api/*``, ``*.json``, ``/healthz``) answer errors in JSON too."""
    path = request.path
    return path.startswith("/api/") or path.endswith(".json") or path == "/healthz"


def error_response(status: int, message: str, param: str | None = None) -> Response:
    """One error, as JSON or as a Thai HTML page depending on the route."""
    if wants_json():
        body: dict[str, Any] = {"message": message}
        if param is not None:
            body = {"param": param, "message": message}
        response = jsonify({"error": body})
    else:
        title = ERROR_TITLES.get(status, "เกิดข้อผิดพลาด")
        response = make_response(render_template("error.html", status=status, title=title, message=message, param=param))
    response.status_code = status
    return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter):
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
