"""The Typesense cluster as kb uses it: clients, collections, the alias and kb's settings.

Naming, on a cluster with ``KB_TYPESENSE_COLLECTION=kb``:

- ``kb`` is an *alias* naming the active physical collection ``kb-<stamp>``;
  a full rebuild fills a new one and swaps the alias (atomic for readers);
- ``kb-<stamp>--doc`` and ``kb-<stamp>--scan`` are its *side collections*: the
  stored document (JSON) and the sub-word scan form, keyed by the same id.
  Typesense 0.24 reads a stored document in full whatever ``include_fields``
  asks, so kept beside the words they would make every export and search of
  the main collection read ~45 KB a release; apart, the metadata and postings
  exports read only what they use, the scan export only scan forms, and a
  page's documents are one ``id:[…]`` search of ``--doc`` (issue 16);
- ``kb--settings`` holds one small document per physical collection: the
  settings a writer was opened with (schema, analysis signature, sub-word
  layer) and the *commit stamp*, written last at each commit.  Readers compare
  stamps to know when to take a new snapshot, and a writer waits until every
  reachable node has applied its stamp, so a commit is visible on every node
  it returns from (Raft applies writes in order).

Reads use the official client's round robin over every node (its retries skip
a node that refuses or times out; bounded timeouts), writes go through any
node: a follower forwards them to the leader.
"""
from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import time
import typing
import urllib.parse

import typesense
from typesense import exceptions as tse

from kb.engine.typesense_config import ClusterUnavailable, EngineConfig, TypesenseNode

CONNECTION_TIMEOUT = 2.0  # seconds a search may wait on one node before the client tries the next
WRITE_TIMEOUT = 60.0  # an import of a batch of documents
CATCH_UP_SECONDS = 10.0
# the fields of a physical collection; a collection of another layout asks for `kb index --full`.
# (A faceted document number, reading matching sets as facet values, was tried and
# measured slower under 8 concurrent clients than exporting ids: 44–240 searches in 30 s
# against 549–621.)
# ts-2: the stored document and scan form in side collections; ts-3: their values packed
# (``kb.engine.typesense_rows``).  New collections are ts-3; a ts-2 one is still read and
# written on (plain), and an older kb refuses a ts-3 one with its "run `kb index --full`".
COLLECTION_LAYOUT = "ts-3"
LAYOUTS_READ = ("ts-2", "ts-3")
PACKED_LAYOUT = "ts-3"
SIDE_FIELDS = ("doc", "scan")  # each in its own side collection ``<physical>--<field>``


def _client(nodes: typing.Iterable[TypesenseNode], api_key: str, timeout: float, retries: int) -> typesense.Client:
    return typesense.Client(
        {
            "nodes": [{"host": n.host, "port": n.port, "protocol": n.protocol} for n in nodes],
            "api_key": api_key,
            "connection_timeout_seconds": timeout,
            "num_retries": retries,
            "retry_interval_seconds": 0.2,
            "healthcheck_interval_seconds": 2,
        }
    )


def schema(name: str) -> dict:
    """One physical collection (layout ``COLLECTION_LAYOUT``): kb's words (encoded, ``kb.engine.typesense_terms``)
    searchable, everything else stored only.  No locale: Typesense splits on spaces."""
    stored = [
        ("kid", "string", True),  # kb's id (the Typesense id is its hash: kb ids hold "/")
        ("meta", "string", False),  # kb.engine.metadata.meta_bytes
        ("wlen", "int32", False),
        ("tlen", "int32", False),
    ]
    fields = [
        {"name": "title", "type": "string"},
        {"name": "words", "type": "string"},
    ]
    fields += [{"name": f, "type": t, "index": ix, "optional": not ix} for f, t, ix in stored]
    return {"name": name, "fields": fields}


def side(physical: str, fieldname: str) -> str:
    """The side collection of ``physical`` holding ``fieldname`` (``SIDE_FIELDS``)."""
    return f"{physical}--{fieldname}"


def side_schema(physical: str, fieldname: str) -> dict:
    """A side collection: one stored-only string per document (``doc``: ``Document.to_dict()``
    as JSON; ``scan``: the sub-word scan form, bytes as latin-1)."""
    return {"name": side(physical, fieldname), "fields": [{"name": fieldname, "type": "string", "index": False, "optional": True}]}


class Cluster:
    """The client side of one kb collection on a cluster."""

    def __init__(self, config: EngineConfig):
        if not config.nodes:
            raise ClusterUnavailable("no Typesense nodes configured (KB_TYPESENSE_NODES)")
        self.config = config
        self.alias = config.collection
        self.settings_name = f"{config.collection}--settings"
        retries = max(3, 2 * len(config.nodes))
        self.client = _client(config.nodes, config.api_key, CONNECTION_TIMEOUT, retries)
        self.writer_client = _client(config.nodes, config.api_key, WRITE_TIMEOUT, retries)
        self.node_clients = [_client([n], config.api_key, CONNECTION_TIMEOUT, 0) for n in config.nodes]
        self._export_turn = itertools.count()  # exports take turns over the nodes, as searches do

    @contextlib.contextmanager
    def errors(self, what: str):
        """A cluster failure as ``ClusterUnavailable`` with one line saying what and where."""
        try:
            yield
        except (tse.ObjectNotFound, tse.ObjectAlreadyExists, tse.RequestMalformed, tse.ObjectUnprocessable):
            raise
        except (tse.RequestUnauthorized, tse.RequestForbidden):
            raise ClusterUnavailable(f"the Typesense cluster refused the API key ({self.where()})") from None
        except ClusterUnavailable:
            raise
        except Exception as exc:  # connection refused, timeouts, 503 during an election, after retries
            reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
            raise ClusterUnavailable(f"cannot {what}: Typesense cluster unreachable ({self.where()}): {reason}") from None

    def export_rows(self, physical: str, include_fields: str) -> typing.Iterator[dict]:
        """Every document of ``physical`` (``include_fields`` only), streamed: the official
        client returns an export as one string, which at 63,000 releases is most of a
        gigabyte.  A node that cannot start the export is skipped for the next one."""
        start = next(self._export_turn) % len(self.config.nodes)
        nodes = self.config.nodes[start:] + self.config.nodes[:start]
        failure, begun = "no nodes", False
        for node in nodes:
            if begun:  # the rows read so far cannot be taken back: the caller starts over
                break
            try:
                with contextlib.closing(self._export_connection(node, physical, include_fields)) as connection:
                    response = connection.getresponse()
                    if response.status >= 400:
                        failure = f"HTTP {response.status} from {node.url}"
                        continue
                    for line in response:
                        if line.strip():
                            begun = True
                            yield json.loads(line)
                return
            except (OSError, http.client.HTTPException) as exc:
                failure = f"{node.url}: {type(exc).__name__} {exc}"[:200]
        raise ClusterUnavailable(f"cannot read the index: Typesense cluster unreachable ({self.where()}): {failure}")

    def _export_connection(self, node: TypesenseNode, physical: str, include_fields: str) -> http.client.HTTPConnection:
        """A connection with the export requested: connected within the connection timeout (a
        vanished node costs no more), then read with the patience of a write (a large export is slow)."""
        kind = http.client.HTTPSConnection if node.protocol == "https" else http.client.HTTPConnection
        connection = kind(node.host, node.port, timeout=CONNECTION_TIMEOUT)
        connection.connect()
        connection.sock.settimeout(WRITE_TIMEOUT)
        query = urllib.parse.urlencode({"include_fields": include_fields})
        connection.request("GET", f"/collections/{urllib.parse.quote(physical)}/documents/export?{query}",
                           headers={"X-TYPESENSE-API-KEY": self.config.api_key})
        return connection

    def where(self) -> str:
        return ",".join(n.url for n in self.config.nodes)

    # -- the alias and the settings documents

    def active(self) -> str | None:
        """The physical collection the alias names, or None when there is no index yet."""
        with self.errors("read the collection alias"):
            try:
                return self.client.aliases[self.alias].retrieve()["collection_name"]
            except tse.ObjectNotFound:
                self._confirm_typesense()
                return None

    def _confirm_typesense(self) -> None:
        """A 404 for the alias means "no index yet" only from Typesense: any other web
        server at a wrong URL answers 404 too, and kb would say "run `kb index`" or try to
        build an index there.  Every Typesense node answers ``/health`` (503 when unready)."""
        try:
            self.client.operations.is_healthy()
        except tse.ObjectNotFound:
            raise ClusterUnavailable(f"not a Typesense node ({self.where()}): it answers 404 to /health") from None

    def point_alias(self, physical: str) -> None:
        with self.errors("switch the collection alias"):
            self.writer_client.aliases.upsert(self.alias, {"collection_name": physical})
        # reads go to any node: until every node has the new alias, one may still name the old one
        self._wait_until(lambda client: self._alias_on(client) == physical)

    def _alias_on(self, client: typesense.Client) -> str:
        with self.errors("read the collection alias"):
            return client.aliases[self.alias].retrieve()["collection_name"]

    def _wait_until(self, applied) -> None:
        """Until ``applied(client)`` holds on every reachable node (bounded like ``wait_applied``)."""
        deadline = time.monotonic() + CATCH_UP_SECONDS
        waiting = list(self.node_clients)
        while waiting and time.monotonic() < deadline:
            still = []
            for client in waiting:
                try:
                    if not applied(client):
                        still.append(client)
                except tse.ObjectNotFound:
                    still.append(client)
                except (ClusterUnavailable, tse.TypesenseClientError):
                    continue  # a dead node catches up from the log when it returns
            waiting = still
            if waiting:
                time.sleep(0.02)

    def create_collection(self, physical: str, settings: dict) -> None:
        with self.errors("create a collection"):
            self._ensure_settings_collection()
            for body in [schema(physical)] + [side_schema(physical, f) for f in SIDE_FIELDS]:
                with contextlib.suppress(tse.ObjectAlreadyExists):  # a retry after a lost answer
                    self.writer_client.collections.create(body)
            self.write_settings(physical, settings, stamp="")
        # reads go to any node: until every node has the collection, one may answer 404
        self.wait_applied(physical, "")

    def drop_collection(self, physical: str) -> None:
        with self.errors("delete a collection"):
            for delete in (
                lambda: self.writer_client.collections[physical].delete(),
                *(lambda name=side(physical, f): self.writer_client.collections[name].delete() for f in SIDE_FIELDS),
                lambda: self.writer_client.collections[self.settings_name].documents[physical].delete(),
            ):
                with contextlib.suppress(tse.ObjectNotFound):
                    delete()

    def _ensure_settings_collection(self) -> None:
        with contextlib.suppress(tse.ObjectAlreadyExists):
            self.writer_client.collections.create(
                {"name": self.settings_name, "fields": [{"name": "settings", "type": "string", "index": False, "optional": True}]}
            )

    def write_settings(self, physical: str, settings: dict, stamp: str) -> None:
        body = {"id": physical, "settings": json.dumps({**settings, "stamp": stamp})}
        with self.errors("write the index settings"):
            self.writer_client.collections[self.settings_name].documents.upsert(body)

    def settings(self, physical: str, client: typesense.Client | None = None) -> dict | None:
        with self.errors("read the index settings"):
            try:
                raw = (client or self.client).collections[self.settings_name].documents[physical].retrieve()
            except tse.ObjectNotFound:
                return None
        return json.loads(raw.get("settings") or "{}")

    def wait_applied(self, physical: str, stamp: str) -> None:
        """Until every reachable node has applied the commit ``stamp`` (bounded)."""
        self._wait_until(lambda client: (self.settings(physical, client) or {}).get("stamp") == stamp)
