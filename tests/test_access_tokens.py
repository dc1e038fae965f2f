"""Tokens, sessions, CSRF, cookies, rate limits, the audit log and document levels
at indexing time (issue 17).  Tokens are made with the real ``kb tokens``
commands; the server is the real app, changed under it by those commands."""
from __future__ import annotations

import json
import re
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from kb.engine import Index
from tests.accessutil import LEVEL_ORDER, build_index, write_corpus
from tests.conftest import run_kb

NO_LIMITS = {"RATE_LIMIT": 100_000, "TOKEN_RATE_LIMIT": 100_000}
CANARY = "vexpartnerwolf"


@pytest.fixture()
def index_dir(tmp_path: Path) -> Path:
    return build_index(write_corpus(tmp_path / "corpus", LEVEL_ORDER), tmp_path / "index").root


def make_app(index_dir: Path, **config):
    from web import create_app

    return create_app({"INDEX_DIR": str(index_dir), **{**NO_LIMITS, **config}})


def create_token(index_dir: Path, name: str, level: str = "partner", *extra: str) -> str:
    run = run_kb("tokens", "create", "--name", name, "--access", level, *extra, "--index", str(index_dir), check_exit=0)
    return run.stdout.strip()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def partner_total(client, headers=None) -> int:
    r = client.get(f"/api/search?q={CANARY}", headers=headers or {})
    assert r.status_code == 200, r.data[:200]
    return r.json["total"]


def tokens_file(index_dir: Path) -> Path:
    return index_dir / "access" / "tokens.json"


def test_create_prints_only_a_strong_token_and_stores_only_a_hash(index_dir):
    token = create_token(index_dir, "uni-a")
    assert re.fullmatch(r"[0-9a-f]{12}\.[A-Za-z0-9_-]{32}", token)  # 192 random bits in the secret part
    run = run_kb("tokens", "create", "--name", "uni-b", "--access", "internal", "--index", str(index_dir))
    assert run.stdout.count("\n") == 1 and run.stderr == ""
    path = tokens_file(index_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    stored = path.read_text()
    assert token not in stored and token.split(".")[1] not in stored
    listing = run_kb("tokens", "list", "--index", str(index_dir), check_exit=0).stdout
    assert "uni-a" in listing and "partner" in listing and token.split(".")[1] not in listing
    rows = run_kb("tokens", "list", "--json", "--index", str(index_dir), check_exit=0).json()
    assert {r["name"] for r in rows} == {"uni-a", "uni-b"} and all("hash" not in r for r in rows)


@pytest.mark.parametrize("args, message", [
    (["--name", "bad name!", "--access", "partner"], "--name"),
    (["--name", "x", "--access", "public"], "public"),
    (["--name", "x", "--access", "partner", "--expires", "2001-01-01"], "not in the future"),
    (["--name", "x", "--access", "partner", "--expires", "tomorrow"], "YYYY-MM-DD"),
])
def test_create_refuses_bad_input_with_a_reason(index_dir, args, message):
    run = run_kb("tokens", "create", *args, "--index", str(index_dir))
    assert run.exit_code != 0 and message in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_tokens_need_an_index(tmp_path):
    run = run_kb("tokens", "create", "--name", "a", "--access", "partner", "--index", str(tmp_path / "none"))
    assert run.exit_code == 1 and "no index" in run.stderr


def test_revocation_and_expiry_take_effect_on_the_next_request(index_dir):
    app = make_app(index_dir)
    client = app.test_client()
    token = create_token(index_dir, "uni-a")
    assert partner_total(client, bearer(token)) == 2
    run_kb("tokens", "revoke", "uni-a", "--index", str(index_dir), check_exit=0)
    r = client.get(f"/api/search?q={CANARY}", headers=bearer(token))
    assert r.status_code == 401 and CANARY not in r.data.decode()
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert partner_total(client) == 0  # the header is refused, never read as anonymous and never cached
    later = create_token(index_dir, "uni-c", "partner", "--expires", (date.today() + timedelta(days=2)).isoformat())
    assert partner_total(client, bearer(later)) == 2
    data = json.loads(tokens_file(index_dir).read_text())  # the clock moves on: the expiry day has come
    data["tokens"][0]["expires"] = date.today().isoformat()
    tokens_file(index_dir).write_text(json.dumps(data))
    assert client.get("/api/search", headers=bearer(later)).status_code == 401


@pytest.mark.parametrize("damage", ["garbage", "flipped-hash", "public-level", "missing-field"])
def test_a_tampered_tokens_file_refuses_every_token_without_crashing(index_dir, damage):
    client = make_app(index_dir).test_client()
    token = create_token(index_dir, "uni-a")
    assert partner_total(client, bearer(token)) == 2
    path = tokens_file(index_dir)
    data = json.loads(path.read_text())
    record = data["tokens"][0]
    if damage == "garbage":
        text = path.read_text()[:40] + "\x00{]"
    else:
        if damage == "flipped-hash":
            record["hash"] = ("0" if record["hash"][0] != "0" else "1") + record["hash"][1:]
        elif damage == "public-level":
            record["level"] = "public"
        else:
            del record["salt"]
        text = json.dumps(data)
    path.write_text(text)
    r = client.get(f"/api/search?q={CANARY}", headers=bearer(token))
    assert r.status_code == 401 and CANARY not in r.data.decode()
    assert partner_total(client) == 0  # anonymous visitors are still served
    listing = run_kb("tokens", "list", "--index", str(index_dir))
    if damage != "flipped-hash":
        assert listing.exit_code == 1 and "cannot be trusted" in listing.stderr


def signin(client, token: str, base_url: str = "http://localhost"):
    page = client.get("/signin", base_url=base_url)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.data.decode()).group(1)
    return client.post("/signin", data={"token": token, "csrf_token": csrf}, base_url=base_url)


def cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_sign_in_sets_a_flagged_session_and_the_badge_shows_the_level(index_dir):
    client = make_app(index_dir).test_client()
    token = create_token(index_dir, "uni-a")
    r = signin(client, token)
    assert r.status_code == 303
    cookie = cookie_header(r, "kb_session")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    assert token not in cookie and token.split(".")[1] not in cookie
    page = client.get(f"/?q={CANARY}").data.decode()
    assert 'data-level="partner"' in page and "partner-brief-01" in page
    out = client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', out.data.decode()).group(1)
    assert client.post("/signout", data={"csrf_token": csrf}).status_code == 303
    page = client.get(f"/?q={CANARY}").data.decode()
    assert 'data-level="public"' in page and "partner-brief-01" not in page


@pytest.mark.parametrize("how", ["https", "env"])
def test_cookies_are_secure_over_https_or_when_configured(index_dir, monkeypatch, how):
    if how == "env":
        monkeypatch.setenv("KB_SECURE_COOKIES", "1")
    client = make_app(index_dir).test_client()
    token = create_token(index_dir, "uni-a")
    r = signin(client, token, "https://localhost" if how == "https" else "http://localhost")
    assert r.status_code == 303 and "Secure" in cookie_header(r, "kb_session")


def test_a_revoked_tokens_session_cookie_is_refused_and_dropped(index_dir):
    client = make_app(index_dir).test_client()
    token = create_token(index_dir, "uni-a")
    signin(client, token)
    assert partner_total(client) == 2
    run_kb("tokens", "revoke", "uni-a", "--index", str(index_dir), check_exit=0)
    r = client.get(f"/api/search?q={CANARY}")
    assert r.json["total"] == 0
    assert any(h.startswith("kb_session=;") for h in r.headers.getlist("Set-Cookie"))


def test_a_forged_session_cookie_is_anonymous(index_dir):
    client = make_app(index_dir).test_client()
    create_token(index_dir, "uni-a")
    key_id = json.loads(tokens_file(index_dir).read_text())["tokens"][0]["key_id"]
    client.set_cookie("kb_session", f'{{"k":"{key_id}"}}.forged.sig')
    assert partner_total(client) == 0


def test_state_changing_forms_need_the_csrf_token(index_dir):
    client = make_app(index_dir).test_client()
    token = create_token(index_dir, "uni-a")
    client.get("/signin")  # the CSRF cookie is set, but the form field is missing or foreign
    assert client.post("/signin", data={"token": token}).status_code == 400
    assert client.post("/signin", data={"token": token, "csrf_token": "x.y.z"}).status_code == 400
    other = make_app(index_dir).test_client()
    foreign = re.search(r'value="([^"]+)"', other.get("/signin").data.decode()).group(1)
    assert client.post("/signin", data={"token": token, "csrf_token": foreign}).status_code == 400
    assert partner_total(client) == 0
    signin(client, token)
    assert client.post("/signout", data={}).status_code == 400
    assert partner_total(client) == 2  # still signed in: a cross-site sign-out did nothing


def test_rate_limit_answers_429_and_other_addresses_stay_served(index_dir):
    app = make_app(index_dir, RATE_LIMIT=5, TOKEN_RATE_LIMIT=8)
    flood = app.test_client()
    flood.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    statuses = [flood.get("/api/search?q=ตาก").status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    r = flood.get("/api/search?q=ตาก")
    assert int(r.headers["Retry-After"]) >= 1
    calm = app.test_client()
    calm.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert calm.get("/api/search?q=ตาก").status_code == 200
    assert flood.get("/healthz").status_code == 200  # monitors are never limited
    token = create_token(index_dir, "uni-a")  # per token too, from many addresses
    codes = []
    for i in range(10):
        c = app.test_client()
        c.environ_base["REMOTE_ADDR"] = f"192.0.2.{i}"
        codes.append(c.get("/api/search", headers=bearer(token)).status_code)
    assert codes[:8] == [200] * 8 and codes[8:] == [429, 429]


def test_failed_sign_ins_are_slowed_and_logged(index_dir):
    client = make_app(index_dir).test_client()
    token = create_token(index_dir, "uni-a")
    codes = [signin(client, "0" * 12 + "." + "A" * 32).status_code for _ in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[4] == 429
    r = signin(client, token)  # even the right token waits: the address is slowed, not the guess
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    bad = client.get("/api/search", headers=bearer("nonsense"))
    assert bad.status_code == 429
    log = [json.loads(line) for line in (index_dir / "access" / "audit.log").read_text().splitlines()]
    assert sum(1 for e in log if e.get("event") == "signin-failed") >= 4
    assert token not in (index_dir / "access" / "audit.log").read_text()


def test_audit_lines_and_kb_audit(index_dir):
    client = make_app(index_dir).test_client()
    token = create_token(index_dir, "uni-a")
    client.get(f"/api/search?q={CANARY}&province=ตาก", headers=bearer(token))
    client.get("/api/search?q=ตาก")
    entries = run_kb("audit", "--token", "uni-a", "--index", str(index_dir), check_exit=0).stdout.splitlines()
    entry = json.loads(entries[-1])
    assert entry["token"] == "uni-a" and entry["level"] == "partner" and entry["route"] == "api.search"
    assert entry["query"] == {"q": [CANARY], "province": ["ตาก"]} and entry["total"] == 1 and entry["status"] == 200
    assert set(entry) >= {"time", "token", "level", "route", "query", "total", "status"}
    everyone = run_kb("audit", "--since", date.today().isoformat(), "--index", str(index_dir), check_exit=0).stdout
    assert any(json.loads(line)["token"] is None for line in everyone.splitlines())
    assert run_kb("audit", "--since", "2999-01-01", "--index", str(index_dir), check_exit=0).stdout == ""
    listing = run_kb("tokens", "list", "--json", "--index", str(index_dir), check_exit=0).json()
    assert listing[0]["last_used"] is not None
    assert token.split(".")[1] not in (index_dir / "access" / "audit.log").read_text()


def test_a_restricted_feed_needs_its_own_key(index_dir):
    app = make_app(index_dir)
    client = app.test_client()
    token = create_token(index_dir, "uni-a")
    signin(client, token)
    page = client.get(f"/?q={CANARY}").data.decode()
    feed_url = re.search(r'href="(/k/[^"]+/feed\.atom[^"]*)"', page).group(1).replace("&amp;", "&")
    reader = app.test_client()  # a feed reader: no cookie, no header
    assert "partner-brief-01" in reader.get(feed_url).data.decode()
    assert "partner-brief-01" not in reader.get(f"/feed.atom?q={CANARY}").data.decode()
    forged = re.sub(r"/k/[^/]+/", "/k/IjAwMDAwMDAwMDAwMCI.forged/", feed_url)
    assert reader.get(forged).status_code == 401
    run_kb("tokens", "revoke", "uni-a", "--index", str(index_dir), check_exit=0)
    r = reader.get(feed_url)
    assert r.status_code == 401 and "partner-brief-01" not in r.data.decode()


def test_secret_key_is_generated_per_install_or_taken_from_the_environment(index_dir, monkeypatch):
    make_app(index_dir)
    key = index_dir / "access" / "secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) >= 32
    monkeypatch.setenv("KB_SECRET_KEY", "short")
    from kb.access.files import AccessSetupError

    with pytest.raises(AccessSetupError, match="KB_SECRET_KEY"):
        make_app(index_dir)


# -- levels at indexing time ---------------------------------------------------

def test_folder_default_and_the_stricter_level_wins(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "plain.txt").write_text("ข่าวทั่วไป\n\nวันที่ 1 มกราคม 2567 ข่าวทั่วไปของจังหวัดตาก\n", encoding="utf-8")
    (folder / "secret.md").write_text("---\naccess: internal\n---\n# บันทึกภายใน\n\nข้อความภายใน\n", encoding="utf-8")
    (folder / "open.md").write_text("---\naccess: public\n---\n# ประกาศ\n\nข้อความประกาศ\n", encoding="utf-8")
    run_kb("index", str(folder), "--access", "partner", "--index", str(tmp_path / "ix"), check_exit=0)
    index = Index(tmp_path / "ix")
    assert {i: index.document(i).access for i in ("plain.txt", "secret.md", "open.md")} == {
        "plain.txt": "partner", "secret.md": "internal", "open.md": "partner"}


def test_changing_a_level_reindexes_and_a_bad_level_fails_the_document(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("ข่าวหนึ่ง\n\nข้อความข่าวหนึ่ง\n", encoding="utf-8")
    records = folder / "r.jsonl"
    records.write_text(json.dumps({"id": "r1", "text": "ข้อความบันทึก", "access": "partner"}) + "\n"
                       + json.dumps({"id": "r2", "text": "ข้อความอื่น", "access": "secret"}) + "\n"
                       + json.dumps({"id": "r3", "text": "ข้อความอื่น", "access": 3}) + "\n", encoding="utf-8")
    ix = str(tmp_path / "ix")
    run = run_kb("index", str(folder), "--index", ix)
    assert run.exit_code == 1
    assert "r2" in run.stderr and "'secret'" in run.stderr and "public, partner, internal" in run.stderr
    assert "field 'access' must be a string" in run.stderr
    assert Index(tmp_path / "ix").document("r2") is None
    assert Index(tmp_path / "ix").document("a.txt").access == "public"
    records.write_text(json.dumps({"id": "r1", "text": "ข้อความบันทึก", "access": "internal"}) + "\n", encoding="utf-8")
    run = run_kb("index", str(folder), "--access", "partner", "--index", ix, "--json")
    report = run.json()
    assert report["updated"] == 2, report  # r1's own level changed; a.txt's folder default changed
    index = Index(tmp_path / "ix")
    assert index.document("r1").access == "internal" and index.document("a.txt").access == "partner"


def test_html_meta_level_survives_the_flat_parser():
    from indexer.readers.html_meta import declared_access

    assert declared_access('<META CONTENT="partner" NAME="KB-Access">') == "partner"
    assert declared_access("<meta name='kb-access' content='internal'>" + "<div>" * 10) == "internal"
    assert declared_access('<meta name="description" content="internal">') is None


def test_a_server_without_an_index_writes_no_access_files(tmp_path):
    missing = tmp_path / "not-yet"
    client = make_app(missing).test_client()
    assert client.get("/api/search?q=x").status_code == 503
    assert client.get("/signin").status_code == 200
    assert not missing.exists()  # `kb index` may still create it as a fresh index folder
