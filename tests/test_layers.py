"""The layer rules of the house, stated as a test (an ``ast`` walk over the product code).

- ``kb`` is the core: no module of it imports ``indexer`` or ``web``, except
  ``kb/cli.py``, the composition root that wires them together;
- ``indexer`` never imports ``web``, and ``web`` never imports ``indexer``;
- only the engine imports ``whoosh`` (``kb/engine/``);
- only the Thai-script room imports the segmenters (``nlpo3``,
  ``pythainlp.tokenize``): ``kb/thai/`` (and ``kb/analysis.py``, its pipeline).

Imports inside functions count as much as those at the top of a module.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("kb", "indexer", "web")
SEGMENTER_NAMES = {"word_tokenize", "sent_tokenize", "subword_tokenize", "Tokenizer"}


def imports_of(source: str, module: str) -> set[str]:
    """Every module ``source`` imports (relative imports resolved against ``module``)."""
    found: set[str] = set()
    package = module.rsplit(".", 1)[0] if "." in module else module
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def product_modules() -> dict[str, set[str]]:
    """``path relative to the repo`` → the modules it imports, for kb/, indexer/ and web/."""
    out = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            module = rel[:-3].replace("/", ".").removesuffix(".__init__")
            if path.name == "__init__.py":
                module += ".__init__"
            out[rel] = imports_of(path.read_text(encoding="utf-8"), module)
    return out


def is_within(name: str, top: str) -> bool:
    return name == top or name.startswith(top + ".")


def violations(rule) -> list[str]:
    return [f"{path} imports {name}" for path, names in product_modules().items() for name in sorted(names) if rule(path, name)]


def is_engine(path: str) -> bool:
    return path.startswith("kb/engine/")


def is_thai_room(path: str) -> bool:
    return path == "kb/analysis.py" or path.startswith("kb/thai/")


def imports_a_segmenter(name: str) -> bool:
    return (
        is_within(name, "nlpo3")
        or is_within(name, "pythainlp.tokenize")
        or name in {f"pythainlp.{n}" for n in SEGMENTER_NAMES}
    )


def test_the_core_imports_neither_indexer_nor_web_except_the_cli():
    assert violations(
        lambda path, name: path.startswith("kb/") and path != "kb/cli.py"
        and (is_within(name, "indexer") or is_within(name, "web"))
    ) == []


def test_indexer_and_web_do_not_import_each_other():
    assert violations(lambda path, name: path.startswith("indexer/") and is_within(name, "web")) == []
    assert violations(lambda path, name: path.startswith("web/") and is_within(name, "indexer")) == []


def test_only_the_engine_imports_whoosh():
    assert violations(lambda path, name: not is_engine(path) and is_within(name, "whoosh")) == []


def test_only_the_thai_room_imports_the_segmenters():
    pending: set[str] = set()
    assert violations(
        lambda path, name: not is_thai_room(path) and path not in pending and imports_a_segmenter(name)
    ) == []


@pytest.mark.parametrize(
    "source, module, expected",
    [
        ("import web.pages", "kb.models", "web.pages"),
        ("def f():\n    from indexer import pipeline\n", "kb.search", "indexer.pipeline"),
        ("from .. import pipeline", "indexer.readers.html", "indexer.pipeline"),
        ("from . import store", "kb.models", "kb.store"),
        ("from pythainlp import word_tokenize", "kb.extract", "pythainlp.word_tokenize"),
    ],
)
def test_the_import_walk_sees_every_kind_of_import(source, module, expected):
    assert expected in imports_of(source, module)


def test_the_walk_covers_the_product_code():
    modules = product_modules()
    assert "kb/cli.py" in modules and "indexer/pipeline.py" in modules and "web/__init__.py" in modules
    assert "indexer.pipeline" in modules["kb/cli.py"] and "web.create_app" in modules["kb/cli.py"]
