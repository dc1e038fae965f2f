"""The JSON API: the twin of every page, built from the same objects.

``/api/search`` is ``SearchResult.to_dict()`` unchanged; ``/api/documents/<id>``
is ``Document.to_dict()``; ``/api/stats`` is ``kb.search.stats`` plus the
per-month timeline the overview page draws (its ``month`` facet, oldest first).
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from kb.search import stats
from web import catalog, error_response
from web.querycheck import check_known, check_no_search
from web.pages import run_search

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    check_known(request.args.keys())  # a misspelt name is a 400 here, not silently ignored
    _, result = run_search()
    return jsonify(result.to_dict())


@bp.get("/api/documents/<path:doc_id>")
def document(doc_id: str):
    doc = catalog().index.document(doc_id)  # an index lookup, never a file path
    if doc is None:  # a hidden document answers exactly like a missing one
        return error_response(404, "ไม่พบเอกสารรหัสนี้ อาจถูกลบหรือพิมพ์รหัสผิด", "id")
    return jsonify(doc.to_dict())


@bp.get("/api/stats")
def overview():
    check_no_search(request.args.keys())  # the whole collection: ?q= here would be ignored silently
    summary = stats(catalog().index)
    by_month = sorted((v["value"], v["count"]) for v in summary["facets"].get("month", []) if v["count"])
    summary["months"] = [{"month": m, "count": n} for m, n in by_month]
    return jsonify(summary)


@bp.get("/healthz")
def health():
    return jsonify({"status": "ok", "documents": catalog().index.doc_count()})
