"""The server keeps answering when its process holds more than 1,024 open files.

select() cannot watch a descriptor numbered 1024 or more: waitress's loop died with
"filedescriptor out of range in select()" and every later request hung (seen in the full
test run, where earlier tests leave files open; a server over a large index holds many
segment, postings-array and position files too).  ``web.edge.create_server`` asks waitress
for poll() instead.
"""
from __future__ import annotations

import os
import resource
from urllib.parse import quote

import pytest

from tests.webutil import LiveServer


@pytest.fixture()
def many_open_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1400:
        pytest.skip(f"the hard limit on open files ({hard}) is below what the test needs")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1400), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        yield held
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture()
def small_index(tmp_path, kb_runner):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("ข่าวชายแดน\nเจ้าหน้าที่ตรวจจุดผ่านแดนถาวรร่วมกับฝ่ายปกครอง\n", encoding="utf-8")
    (docs / "b.txt").write_text("ข่าวอุทกภัย\nจังหวัดเตรียมเครื่องสูบน้ำรับมือน้ำท่วม\n", encoding="utf-8")
    kb_runner("index", str(docs), "--index", str(tmp_path / "ix"), "--no-progress")
    return tmp_path / "ix"


def test_a_server_started_with_descriptors_past_1024_still_answers(small_index, many_open_files):
    assert max(many_open_files) >= 1024
    server = LiveServer(small_index)
    try:
        for path in ("/healthz", "/?page=abc", "/api/search?q=" + quote("ชายแดน")):
            status, _, _ = server.get(path, timeout=20)
            assert status in (200, 400), path
    finally:
        server.close()
