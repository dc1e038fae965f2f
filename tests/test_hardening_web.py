"""Issue 18, the web edge: bad Host headers, host-free absolute links, the
expensive-request lane, and error pages that cannot fail.

Every hostile input is built here at test time; the server is the real app
under waitress (``live_server``) or Flask's test client on a real index.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.test import Client, EnvironBuilder

from web import create_app
from web.edge import COMPLEX_QUERY_CHARS, is_expensive, lane_size, valid_host

ATOM = {"a": "http://www.w3.org/2005/Atom"}
THAI = re.compile("[\u0e00-\u0e7f]")
HOST_ROUTES = ["/", "/stats", "/doc/x", "/export.csv", "/feed.atom", "/api/search", "/healthz"]
# The alphabet query of the issue: every Thai consonant, OR-ed (44 alternatives).
ALPHABET_OR = " OR ".join(chr(c) for c in range(ord("ก"), ord("ฮ") + 1) if chr(c) not in "ฃฅ")


def bad_hosts() -> list[str]:
    return [
        "a..b",
        "a" * 64 + ".example",  # one label past the 63-character limit
        "xn--a.example",  # ASCII, but not a valid IDNA label
        "." * 3,
        "b" * 250 + ".example",  # past 253 characters in all
        "bad_host.example",
        "example.com:99999",
        "example.com:port",
        "[::1",
        "[not-an-address]:80",
        "ไทย.example",  # raw non-ASCII: must come punycoded
        "evil.example/path",
        "",
    ]


def good_hosts() -> list[str]:
    return [
        "localhost",
        "127.0.0.1:8080",
        "[::1]:5000",
        "kb.example.org",
        "a" * 63 + ".example",
        "ไทย.example".encode("idna").decode("ascii"),  # a real punycode label
        "kb.example.org.",
    ]


def assert_secured(headers: dict[str, str]) -> None:
    headers = {k.lower(): v for k, v in headers.items()}
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), headers
    assert headers.get("x-content-type-options") == "nosniff", headers


@pytest.fixture(scope="module")
def app(bundled_index: Path):
    return create_app({"INDEX_DIR": str(bundled_index)})


# --- hosts -----------------------------------------------------------------------------


@pytest.mark.parametrize("host", bad_hosts())
def test_host_syntax_rejects(host):
    assert not valid_host(host)


@pytest.mark.parametrize("host", good_hosts())
def test_host_syntax_accepts(host):
    assert valid_host(host)


@pytest.mark.parametrize("route", HOST_ROUTES)
def test_bad_hosts_get_a_400_with_security_headers_from_the_real_server(bundled_server, route):
    for host in bad_hosts()[:3]:  # the three, over a real socket
        status, headers, body = bundled_server.get(route, headers={"Host": host})
        assert status == 400, (host, route, status, body[:200])
        assert_secured(headers)
        text = body.decode("utf-8")
        assert THAI.search(text) and "Traceback" not in text
        if route in ("/api/search", "/healthz"):
            assert json.loads(text)["error"]["message"]


def call_wsgi(wsgi_app, path: str, host: str) -> tuple[int, dict[str, str], bytes]:
    """One GET straight into a WSGI app (the test client itself would choke on some hosts)."""
    environ = EnvironBuilder(path=path, headers={"Host": host}).get_environ()
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(wsgi_app(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.mark.parametrize("host", bad_hosts())
def test_every_bad_host_is_a_400_in_process(app, host):
    status, headers, body = call_wsgi(app, "/", host)
    assert status == 400, (host, status)
    assert_secured(headers)
    assert THAI.search(body.decode("utf-8"))


@pytest.mark.parametrize("host", good_hosts())
def test_good_hosts_are_served(app, host):
    resp = app.test_client().get("/healthz", headers={"Host": host})
    assert resp.status_code == 200, (host, resp.data[:200])


def test_the_error_handler_cannot_fail_even_behind_the_edge(app):
    """Flask itself, without the edge, on a Host its URL binding refuses: the error page
    cannot use url_for there, and must still be a Thai 400 with the security headers."""
    flask_only = Client(app.wsgi_app.app)
    for host in ("a..b", "a" * 64 + ".example"):
        resp = flask_only.get("/stats", headers={"Host": host})
        assert resp.status_code == 400, (host, resp.status_code)
        assert THAI.search(resp.get_data(as_text=True))
        assert_secured(dict(resp.headers))


# --- absolute links --------------------------------------------------------------------


def feed_urls(xml: bytes) -> list[str]:
    root = ET.fromstring(xml)
    urls = [el.text for el in root.iter(f"{{{ATOM['a']}}}id")]
    urls += [el.get("href") for el in root.iter(f"{{{ATOM['a']}}}link")]
    return urls


def test_feed_never_echoes_the_host_header(app):
    resp = app.test_client().get("/feed.atom?q=ชายแดน", headers={"Host": "evil.example"})
    assert resp.status_code == 200
    assert b"evil.example" not in resp.data
    urls = feed_urls(resp.data)
    assert len(urls) > 3
    assert all(u.startswith(("tag:kb.local,2024:", "/")) for u in urls), urls


def test_feed_links_use_the_configured_public_url(bundled_index):
    public = "https://kb.example.org/search-site"
    app = create_app({"INDEX_DIR": str(bundled_index), "PUBLIC_URL": public + "/"})
    resp = app.test_client().get("/feed.atom?q=ชายแดน&plan=7", headers={"Host": "evil.example"})
    urls = feed_urls(resp.data)
    assert b"evil.example" not in resp.data
    assert all(u.startswith(public + "/") for u in urls), urls
    root = ET.fromstring(resp.data)
    first = root.find("a:entry", ATOM)
    assert first.find("a:id", ATOM).text == first.find("a:link", ATOM).get("href")
    assert first.find("a:link", ATOM).get("href").startswith(public + "/doc/")
    assert root.find("a:id", ATOM).text.startswith(public + "/feed.atom?q=")


@pytest.mark.parametrize(
    "value", ["kb.example.org", "ftp://kb.example.org", "https://a..b/", "https://kb.example.org/?x=1", "https://u@kb.example.org"]
)
def test_a_bad_public_url_is_refused_at_start_naming_the_setting(bundled_index, value):
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        create_app({"INDEX_DIR": str(bundled_index), "PUBLIC_URL": value})


def test_serve_refuses_a_bad_kb_public_url_with_a_usage_error(tmp_path):
    # a real process: the exit code is the point, and a server that ignored the
    # setting would serve forever (the timeout turns that into a failure)
    env = {**os.environ, "KB_PUBLIC_URL": "not a url"}
    proc = subprocess.run([sys.executable, "-m", "kb.cli", "serve", "--index", str(tmp_path / "ix"), "--port", "1"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "KB_PUBLIC_URL" in proc.stderr, proc.stderr
    assert not (tmp_path / "ix").exists()  # refused before building anything


# --- the expensive lane ----------------------------------------------------------------


def test_what_goes_through_the_lane():
    assert ALPHABET_OR.count(" OR ") == 43
    assert is_expensive("/export.csv", "") and is_expensive("/export.json", "q=x") and is_expensive("/feed.atom", "")
    assert is_expensive("/api/search", "q=" + quote(ALPHABET_OR))
    assert is_expensive("/", "q=" + quote("ก" * (COMPLEX_QUERY_CHARS + 1)))
    assert not is_expensive("/api/search", "q=" + quote("ภัยพิบัติ น้ำท่วม"))
    assert not is_expensive("/", "") and not is_expensive("/healthz", "") and not is_expensive("/doc/x", "")


def test_the_lane_leaves_most_threads_to_cheap_requests():
    for threads in range(1, 65):
        lane = lane_size(threads)
        assert lane >= 1
        if threads >= 4:
            assert threads - lane >= 3 * lane  # three cheap threads or more per expensive one


def test_a_full_lane_answers_503_with_retry_after_and_cheap_requests_still_pass(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index), "EXPENSIVE_LANE": 1})
    client = app.test_client()
    lane = app.wsgi_app.lane
    assert lane.acquire(blocking=False)  # another request holds the only expensive place
    try:
        for url in ("/export.csv", "/export.json", "/feed.atom", "/api/search?q=" + quote(ALPHABET_OR), "/?q=" + quote(ALPHABET_OR)):
            resp = client.get(url)
            assert resp.status_code == 503, url
            assert int(resp.headers["Retry-After"]) > 0
            assert THAI.search(resp.get_data(as_text=True))
            assert_secured(dict(resp.headers))
        assert client.get("/api/search?q=" + quote(ALPHABET_OR)).get_json()["error"]["message"]
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/search?q=" + quote("ชายแดน")).status_code == 200
        assert client.get("/stats").status_code == 200
    finally:
        lane.release()
    assert client.get("/export.csv").status_code == 200  # the place is free again
    assert client.get("/export.csv").status_code == 200  # and released after each answer


def test_a_failing_expensive_request_gives_its_place_back(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index), "EXPENSIVE_LANE": 1})
    client = app.test_client()
    assert client.get("/export.csv?plan=99").status_code == 400
    assert client.get("/feed.atom?region=mars").status_code == 400
    assert client.get("/export.csv").status_code == 200


def test_abusive_exports_do_not_starve_healthz_on_the_real_server(bundled_index, live_server):
    """Six clients hammer the alphabet export while the test asks /healthz: every
    health check is answered 200 (never queued behind the exports), and the
    exports are either answered or told to come back (503), never failed."""
    server = live_server(bundled_index, threads=8, EXPENSIVE_LANE=lane_size(8))
    stop = threading.Event()
    export_statuses: list[int] = []

    def hammer() -> None:
        while not stop.is_set():
            status, _, _ = server.get("/export.csv?q=" + quote(ALPHABET_OR), timeout=120)
            export_statuses.append(status)

    clients = [threading.Thread(target=hammer, daemon=True) for _ in range(6)]
    for c in clients:
        c.start()
    try:
        health = []
        for _ in range(15):
            status, _, body = server.get("/healthz", timeout=60)
            health.append((status, json.loads(body)["status"]))
            time.sleep(0.05)
    finally:
        stop.set()
        for c in clients:
            c.join(timeout=120)
    assert health == [(200, "ok")] * 15
    assert export_statuses and set(export_statuses) <= {200, 503}, set(export_statuses)
    assert 503 in export_statuses  # six clients, a lane of two: some were turned away
