"""The ``kb`` command: index, search, serve and stats.

Commands are thin: they parse options and call the library (``indexer.pipeline``,
``kb.search``, ``web``).  This is the one module of ``kb`` allowed to import
``indexer`` and ``web``.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path

import click

from kb import taxonomy
from kb.models import SECTION_FILTERS, SORTS

DEFAULT_INDEX_ENV = "KB_INDEX_DIR"
CORPUS_ENV = "KB_CORPUS_DIR"


def default_index_dir() -> Path:
    """``$KB_INDEX_DIR``, else ``$XDG_DATA_HOME/kb/index`` (``~/.local/share/kb/index``)."""
    env = os.environ.get(DEFAULT_INDEX_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kb" / "index"


def bundled_corpus() -> Path:
    """The bundled corpus: ``$KB_CORPUS_DIR`` if set, else ``corpus/`` of a source
    checkout, else the ``kb_corpus`` package data of an installed kb."""
    env = os.environ.get(CORPUS_ENV)
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parent.parent / "corpus"
    if checkout.is_dir():
        return checkout
    import importlib.util

    spec = importlib.util.find_spec("kb_corpus")
    locations = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    return next((p for p in locations if p.is_dir()), checkout)


index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Index folder [default: ${DEFAULT_INDEX_ENV} or ~/.local/share/kb/index].",
)


def _with_engine(command):
    """``--engine`` and the ``--typesense-*`` options (same names as the environment
    variables, which are their defaults), handed to the command as one ``engine``;
    a bad setting or an unreachable cluster is one line and exit 2."""

    @functools.wraps(command)
    def run(*args, engine_name, typesense_nodes, typesense_api_key, typesense_collection, **kwargs):
        from kb.engine import BadEngineConfig, ClusterUnavailable, engine_config

        name = command.__name__.removesuffix("_cmd")
        try:
            engine = engine_config(
                engine=engine_name, nodes=typesense_nodes, api_key=typesense_api_key, collection=typesense_collection
            )
            return command(*args, engine=engine, **kwargs)
        except (BadEngineConfig, ClusterUnavailable) as exc:
            _echo_err(f"kb {name}: {exc}")
            sys.exit(2)

    options = [
        click.option("--engine", "engine_name", type=click.Choice(["whoosh", "typesense"]), default=None,
                     help="Search engine [default: $KB_ENGINE or whoosh]."),
        click.option("--typesense-nodes", default=None, help="Typesense node URLs, comma-separated [default: $KB_TYPESENSE_NODES]."),
        click.option("--typesense-api-key", default=None, help="Typesense API key [default: $KB_TYPESENSE_API_KEY]."),
        click.option("--typesense-collection", default=None, help="Collection (alias) name [default: $KB_TYPESENSE_COLLECTION or kb]."),
    ]
    for opt in reversed(options):
        run = opt(run)
    return run


def _where(index_dir: Path, engine) -> str:
    """Where the index lives, for messages: the folder, or the Typesense collection."""
    return engine.describe() if engine.is_typesense else str(index_dir)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kb")
def main() -> None:
    """kb — search Thai security-policy documents (สมช. releases, meeting records, NSPP 2566–2570 plans).

    \b
    Quick start:
      kb index                      # index the bundled corpus
      kb search "การค้ามนุษย์" --province ตาก
      kb serve                      # http://127.0.0.1:5000
      kb stats
    """


def _echo_err(msg: str) -> None:
    click.echo(msg, err=True)


def _index_folder_errors(command):
    """The engine's refusals as one line: not an index folder → exit 2, full disk → exit 1."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        from kb.engine import IndexWriteFailed, NotAnIndexFolder

        try:
            return command(*args, **kwargs)
        except (NotAnIndexFolder, IndexWriteFailed) as exc:
            _echo_err(f"kb {command.__name__.removesuffix('_cmd')}: {exc}")
            sys.exit(2 if isinstance(exc, NotAnIndexFolder) else 1)

    return run


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--full", is_flag=True, help="Rebuild from scratch (beside the old index, switched atomically).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bar [default: on a terminal].")
@click.option(
    "--follow-links", is_flag=True, help="Follow symbolic links that lead outside the folder (never in a loop)."
)
@click.option(  # access (issue 17)
    "--access", "access", type=click.Choice(["public", "partner", "internal"]), default="public", show_default=True,
    help="Access level of these documents; a document declaring a stricter level keeps its own.",
)
@_with_engine
@_index_folder_errors
def index_cmd(
    paths: tuple[Path, ...], index_dir: Path | None, full: bool, as_json: bool, progress: bool | None, follow_links: bool,
    access: str = "public",
    engine=None,
) -> None:
    """Index files and folders incrementally (HTML, TXT, MD, PDF, JSONL, JSONL.GZ,
    and scans: PNG, JPG, TIFF and image-only PDF pages, read by OCR).

    With no PATH, indexes the bundled corpus.  New files are added, changed ones
    updated, files gone from an indexed folder deleted, unchanged ones untouched.

    \b
    Examples:
      kb index
      kb index ~/docs/nsc-releases --index /srv/kb/index
      kb index ../shared/data/thaigov/thaigov_v2.jsonl.gz
      kb index --full

    A document's id is its path below the folder (or a JSONL record's id; files
    already indexed keep theirs when a subfolder is given later); ids that could
    not be URLs, or that another existing file already holds, fail
    alone.  Symbolic links leading out of the folder are skipped unless
    --follow-links is given.

    Exit status: 0 all indexed, 1 some files failed (the rest committed), 2 usage error,
    130 interrupted (Ctrl+C: what was committed stays; run it again to go on).
    """
    from indexer import pipeline

    index_dir = index_dir or default_index_dir()
    targets = list(paths) or [bundled_corpus()]
    for p in targets:
        if not p.exists():
            raise click.BadParameter(f"no such file or folder: {p}", param_hint="PATH")
    try:
        report = pipeline.run(
            targets,
            index_dir,
            full=full,
            progress=progress,
            follow_links=follow_links,
            access=access,  # access (issue 17)
            engine=engine,
            on_wait=_waiting("index", index_dir),
        )
    except pipeline.Interrupted as stop:  # Ctrl+C: not "some files failed" (1), the shell's 130
        _echo_err(f"kb index: interrupted; {_kept(stop.report)}")
        sys.exit(130)
    for note in report.notes:
        _echo_err(f"kb index: {note}")
    for failure in report.failures:
        _echo_err(f"kb index: failed: {failure.source}: {failure.reason}")
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        if not report.changed and not report.failures:
            click.echo(f"Index is up to date ({_documents(report.unchanged)} unchanged). {_where(index_dir, engine)}")
        click.echo(report.summary())
    sys.exit(1 if report.failures else 0)


def _waiting(name: str, index_dir: Path):
    return lambda pid: _echo_err(f"kb {name}: another indexing run (pid {pid}) holds {index_dir}; waiting for it to finish…")


def _kept(report) -> str:
    """What an interrupted run leaves in the index, and what to do next."""
    if report.replacing:
        return "the unfinished rebuild is dropped and the index is as it was; run the same command again to rebuild it"
    if report.committed:
        return (f"the {_documents(report.committed)} it committed are kept; "
                "run kb index again to go on from there")
    return "nothing was committed and the index is as it was; run kb index again"


def _facet_options() -> list:
    """One repeatable ``--<name>`` option per registered facet."""
    from kb.facets import REGISTRY

    options = []
    for facet in REGISTRY:
        values = facet.values()
        choice = click.Choice(values) if facet.cli_choices else None
        last = values[-1] if values else ""  # e.g. the last plan number, as the taxonomy knows it
        options.append(click.option(f"--{facet.name}", facet.name, multiple=True, type=choice,
                                    help=facet.cli_help.format(last=last)))
    return options


def _search_options(f):
    options = [
        *_facet_options(),
        click.option("--from", "date_from", default=None, help="From date YYYY-MM-DD (or YYYY-MM, YYYY)."),
        click.option("--to", "date_to", default=None, help="To date YYYY-MM-DD (or YYYY-MM, YYYY)."),
        click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
                     help="Order: best matches first, or by date."),
        click.option("--limit", default="10", show_default=True, help="Results per page (1–100)."),
        click.option("--page", default="1", show_default=True, help="Page number."),
        click.option("--section", default=None, type=click.Choice(SECTION_FILTERS),  # issue 14
                     help="Match only inside meeting-record sections of this kind."),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


def _is_exclusion(arg: str) -> bool:
    """``-กัญชา``: a query word to exclude, never an option (options are ASCII)."""
    return len(arg) > 1 and arg[0] == "-" and not arg[1].isascii()


class _SearchCommand(click.Command):
    """``kb search`` takes QUERY as one or several words, and a word may start with ``-``
    (exclude it): such words go after ``--`` so click does not read them as options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        words = [a for a in args if _is_exclusion(a)]
        if words:
            rest = [a for a in args if not _is_exclusion(a)]
            args = rest + ([] if "--" in rest else ["--"]) + words
        return super().parse_args(ctx, args)


@main.command("search", cls=_SearchCommand)
@click.argument("query", nargs=-1)
@index_option
@_search_options
@click.option("--json", "as_json", is_flag=True, help="Print exactly the JSON of /api/search.")
@_with_engine
def search_cmd(query: tuple[str, ...], index_dir: Path | None, as_json: bool, engine=None, **opts) -> None:
    """Search the index.  An empty QUERY lists everything matching the filters;
    its words may be given quoted together or one by one.

    \b
    Query syntax: words are all required (documents with every word first;
    for a long sentence, documents with most of the words follow);
    "a phrase" in quotes, -word to exclude, word OR word for alternatives,
    พ.ศ. 2567 / ปี 2567 as a year filter.

    \b
    Examples:
      kb search การค้ามนุษย์
      kb search "แผนความมั่นคงที่ 3" --province อุดรธานี --year 2567
      kb search ยาเสพติด --region north --sort newest --json
      kb search "" --topic maritime --limit 50
    """
    from kb.params import BadParameter, parse_mapping
    from kb.search import Searcher
    from kb.engine import IndexMissing, open_index

    from kb.facets import names

    params = {
        "q": " ".join(query),
        **{name: opts[name] for name in names()},
        "from": opts["date_from"],
        "to": opts["date_to"],
        "sort": opts["sort"],
        "limit": opts["limit"],
        "page": opts["page"],
        "section": opts["section"],  # issue 14
    }
    try:
        req = parse_mapping(params)
    except BadParameter as exc:
        raise click.BadParameter(exc.reason, param_hint=f"--{exc.param}" if exc.param != "q" else "QUERY") from None
    index_dir = index_dir or default_index_dir()
    try:
        result = Searcher(open_index(index_dir, engine)).search(req)
    except IndexMissing:
        _echo_err(f"kb search: no index at {_where(index_dir, engine)}; run `kb index` first")
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return
    _print_result(result)


def _print_result(result) -> None:
    req = result.request
    for n in result.notices:
        click.echo(click.style(n, fg="yellow"))
    if result.total == 0:
        click.echo("ไม่พบเอกสาร (no documents found)")
    elif not result.hits:  # a page past the last one, as the site says it
        click.echo(f"หน้า {req.page} เลยหน้าสุดท้ายแล้ว: {_documents(result.total)}; "
                   f"the last is --page {result.pages}")
    else:
        first = (req.page - 1) * req.limit + 1
        click.echo(f"{_documents(result.total)}; {first}–{first + len(result.hits) - 1}:")
    if suggestions := result.suggestions_to_show():
        click.echo("หรือคุณหมายถึง (did you mean): " + " | ".join(suggestions))
    for i, hit in enumerate(result.hits, start=(req.page - 1) * req.limit + 1):
        date = _be_date(hit.date)
        tags = []
        if hit.plans:
            tags.append("แผน " + ",".join(map(str, hit.plans)))
        if hit.provinces:
            tags.append(" ".join(hit.provinces[:6]) + (" …" if len(hit.provinces) > 6 else ""))
        if hit.topics:
            tags.append(", ".join(taxonomy.label("topic", t) for t in hit.topics))
        click.echo(click.style(f"\n{i}. {hit.title}", bold=True))
        doc_type = taxonomy.label("type", hit.type)
        where = f" · หน้า {hit.page}" if hit.page else ""  # the page of a scan the passage is on
        click.echo(f"   {hit.id}{where} · {doc_type} · {date}" + (f" · {' · '.join(tags)}" if tags else ""))
        excerpt = "".join(click.style(piece, fg="red", bold=True) if matched else piece for piece, matched in hit.excerpt.pieces())
        if hit.section:  # issue 14: the section the passage is in
            click.echo(f"   [{hit.section['kind']} {hit.section['number'] or ''}] {hit.section['title']}".rstrip())
        # the excerpt's lines flow into one, as on the site, indented under its hit
        click.echo("   " + " ".join(line.strip() for line in excerpt.splitlines() if line.strip()))


def _documents(n: int) -> str:
    return f"{n} document" if n == 1 else f"{n} documents"


def _be_date(iso: str | None) -> str:
    from kb.thai.calendar import to_buddhist_era

    if not iso:
        return "ไม่ระบุวันที่"
    y, m, d = iso.split("-")
    return f"{int(d)}/{int(m)}/{to_buddhist_era(int(y))}"


@main.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print {documents, facets} as JSON.")
@_with_engine
def stats_cmd(index_dir: Path | None, as_json: bool, engine=None) -> None:
    """Documents and every facet value with its count.

    \b
    Examples:
      kb stats
      kb stats --json | jq '.facets.province | length'
    """
    from kb.search import stats
    from kb.engine import IndexMissing, open_index

    index_dir = index_dir or default_index_dir()
    try:
        index = open_index(index_dir, engine)
        data = stats(index)
    except IndexMissing:
        _echo_err(f"kb stats: no index at {_where(index_dir, engine)}; run `kb index` first")
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(f"documents: {data['documents']}  ({_where(index_dir, engine)})")
    memory = index.snapshot().memory()  # bytes per structure (mapped ones are shared by every process)
    click.echo("memory: " + ", ".join(f"{k} {v}" if k.endswith("entries") else f"{k} {v / 2**20:.1f} MB" for k, v in memory.items()))
    for facet, values in data["facets"].items():
        click.echo(click.style(f"\n{facet} ({len(values)} values)", bold=True))
        for v in values:
            label = v["label"] if v["label"] != v["value"] else ""
            click.echo(f"  {v['count']:>6}  {v['value']}  {label}")


@main.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Waitress threads; a quarter of them (at least one) may run exports, feeds and complex searches.")
@click.option("--public-url", envvar="KB_PUBLIC_URL", default=None, metavar="URL",
              help="The site's public base URL for absolute links (Atom feed) [env KB_PUBLIC_URL].")
@_with_engine
@_index_folder_errors
def serve_cmd(
    index_dir: Path | None, host: str, port: int, threads: int, public_url: str | None, engine=None
) -> None:
    """Serve the search site and JSON API with waitress.

    Builds the index from the bundled corpus first if it does not exist yet.

    \b
    Examples:
      kb serve
      kb serve --index /srv/kb/index --host 0.0.0.0 --port 8080
      KB_PUBLIC_URL=https://kb.example.org kb serve
    """
    from indexer import pipeline
    from kb import heap
    from kb.engine import exists
    from web import create_app
    from web.edge import create_server, lane_size
    from web.edge import public_url as checked_public_url

    try:  # refused before any work: a bad URL would otherwise surface after the index build
        site_url = checked_public_url(public_url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--public-url' / KB_PUBLIC_URL") from None
    _check_listen(host, port)  # before any build: a busy port would otherwise fail after it
    index_dir = index_dir or default_index_dir()
    if not exists(index_dir, engine):
        corpus = bundled_corpus()
        _echo_err(f"kb serve: no index at {_where(index_dir, engine)}; building it from {corpus} …")
        try:
            report = pipeline.run([corpus], index_dir, progress=None, engine=engine, on_wait=_waiting("serve", index_dir))
        except pipeline.Interrupted as stop:  # else a later start would serve the half-built index as it is
            _echo_err(f"kb serve: interrupted; {_kept(stop.report)}")
            sys.exit(130)
        _echo_err(f"kb serve: {report.summary()}")
        for failure in report.failures:
            _echo_err(f"kb serve: failed: {failure.source}: {failure.reason}")
    # the expensive lane stays below the thread count so /healthz and ordinary searches always find a thread
    from kb.access.files import AccessSetupError  # access (issue 17)

    try:
        app = create_app(
            {"INDEX_DIR": str(index_dir), "ENGINE": engine, "PUBLIC_URL": site_url, "EXPENSIVE_LANE": lane_size(threads)}
        )
    except AccessSetupError as exc:
        raise click.ClickException(str(exc)) from None
    logging.basicConfig()  # as waitress.serve did: the server's and the site's log lines reach stderr
    heap.one_arena()  # before create_server starts the request threads: a thread that has allocated keeps its own arena
    try:  # the port is taken before any promise is printed (checked before the build; taken since): a usage error
        server = create_server(app, host=host, port=port, threads=threads, ident="kb")
    except OSError as exc:
        raise click.BadParameter(f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                                 "stop what uses it or choose another port with --port", param_hint="'--port'") from None
    from web import catalog

    catalog(app).warm()  # the first search answers as fast as later ones
    _echo_err(f"kb serve: http://{host}:{port}/  (index {_where(index_dir, engine)}; Ctrl+C to stop)")
    server.run()


def _check_listen(host: str, port: int) -> None:
    """``--host``/``--port`` can be listened on (as waitress binds: SO_REUSEADDR), else a usage error."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise click.BadParameter(f"cannot listen on {host}:{port}: {reason}", param_hint="'--host' / '--port'") from None


# access (issue 17): partner tokens and the audit log
from kb.access.commands import audit_cmd, tokens_group  # noqa: E402

main.add_command(tokens_group)
main.add_command(audit_cmd)


if __name__ == "__main__":  # pragma: no cover
    main()
