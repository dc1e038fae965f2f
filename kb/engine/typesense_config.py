"""Which engine kb runs on, read from the environment or the CLI.

Kept apart from ``kb.engine.typesense`` so that choosing an engine (the CLI,
the web app, the pipeline) never imports the Typesense client: a kb on the
embedded Whoosh engine does not need it installed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

ENGINES = ("whoosh", "typesense")
DEFAULT_COLLECTION = "kb"


class ClusterUnavailable(Exception):
    """The Typesense cluster cannot be reached or refuses us; the message is one line for the user."""


class BadEngineConfig(ValueError):
    """A setting of the engine choice is invalid; ``param`` names it (the environment variable's name)."""

    def __init__(self, param: str, reason: str):
        super().__init__(f"{param}: {reason}")
        self.param = param
        self.reason = reason


@dataclass(frozen=True)
class TypesenseNode:
    protocol: str
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"{self.protocol}://{self.host}:{self.port}"


@dataclass(frozen=True)
class EngineConfig:
    """The engine choice: ``whoosh`` (embedded, the default) or ``typesense`` (a cluster)."""

    name: str = "whoosh"
    nodes: tuple[TypesenseNode, ...] = ()
    api_key: str = ""
    collection: str = DEFAULT_COLLECTION

    @property
    def is_typesense(self) -> bool:
        return self.name == "typesense"

    def describe(self) -> str:
        """Where the index lives, for messages (``typesense collection kb at http://…``)."""
        if not self.is_typesense:
            return "whoosh"
        return f"typesense collection {self.collection} at {','.join(n.url for n in self.nodes)}"


def parse_nodes(text: str, param: str = "KB_TYPESENSE_NODES") -> tuple[TypesenseNode, ...]:
    """``http://127.0.0.1:8108,http://127.0.0.1:8109`` → nodes; a bad URL names itself."""
    nodes = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        url = urlsplit(part if "://" in part else f"http://{part}")
        try:
            port = url.port
        except ValueError:  # out of range or not a number: never the default port instead
            port = 0
        if port == 0:
            raise BadEngineConfig(param, f"{part!r} has no valid port (1–65535), e.g. http://127.0.0.1:8108")
        if url.scheme not in ("http", "https") or not url.hostname:
            raise BadEngineConfig(param, f"{part!r} is not a node URL like http://127.0.0.1:8108")
        default = 443 if url.scheme == "https" else 8108
        nodes.append(TypesenseNode(url.scheme, url.hostname, default if port is None else port))
    return tuple(nodes)


def engine_config(
    env: Mapping[str, str] | None = None,
    *,
    engine: str | None = None,
    nodes: str | None = None,
    api_key: str | None = None,
    collection: str | None = None,
) -> EngineConfig:
    """The engine choice: explicit values (CLI flags) first, then ``KB_ENGINE``,
    ``KB_TYPESENSE_NODES``, ``KB_TYPESENSE_API_KEY``, ``KB_TYPESENSE_COLLECTION``."""
    env = os.environ if env is None else env
    name = (engine or env.get("KB_ENGINE") or "whoosh").strip().lower()
    if name not in ENGINES:
        raise BadEngineConfig("KB_ENGINE", f"unknown engine {name!r} (choose whoosh or typesense)")
    if name == "whoosh":
        return EngineConfig()
    node_text = nodes if nodes is not None else env.get("KB_TYPESENSE_NODES", "")
    parsed = parse_nodes(node_text)
    if not parsed:
        raise BadEngineConfig("KB_TYPESENSE_NODES", "the typesense engine needs at least one node URL (http://host:8108)")
    key = api_key if api_key is not None else env.get("KB_TYPESENSE_API_KEY", "")
    if not key:
        raise BadEngineConfig("KB_TYPESENSE_API_KEY", "the typesense engine needs the cluster's API key")
    name_ = (collection or env.get("KB_TYPESENSE_COLLECTION") or DEFAULT_COLLECTION).strip()
    if not name_ or not all(c.isalnum() or c in "_-" for c in name_):
        raise BadEngineConfig("KB_TYPESENSE_COLLECTION", f"{name_!r} is not a collection name (letters, digits, _ and -)")
    return EngineConfig("typesense", parsed, key, name_)
