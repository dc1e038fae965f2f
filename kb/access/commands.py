"""``kb tokens create|list|revoke`` and ``kb audit``: the operator's side of partner access.

Registered on the ``kb`` group by ``kb.cli``.  Tokens belong to an index
(``--index`` / ``$KB_INDEX_DIR``), which must exist: the access files live in
its folder (on ``$KB_ENGINE=typesense`` the folder ``kb index`` and ``kb serve``
are given; the documents live in the cluster).  ``create`` writes the new
token, and nothing else, to standard output, once.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from kb.access.audit import last_used, read_audit
from kb.access.files import audit_path
from kb.access.tokens import TokenError, TokenFileError, TokenStore


def _index_option(f):
    return click.option(
        "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Index folder [default: $KB_INDEX_DIR or ~/.local/share/kb/index].",
    )(f)


def _store(index_dir: Path | None) -> TokenStore:
    from kb.cli import default_index_dir
    from kb.engine import BadEngineConfig, ClusterUnavailable, engine_config, exists

    index_dir = index_dir or default_index_dir()
    try:  # on $KB_ENGINE=typesense the documents live in the cluster; the folder keeps the lock and the access files
        found = exists(index_dir, engine_config())
    except (BadEngineConfig, ClusterUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    if not found:
        raise click.ClickException(f"no index at {index_dir}; build it with `kb index` first (tokens belong to an index)")
    return TokenStore(index_dir)


def _date(value: str | None, param: str) -> date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=param) from None


@click.group("tokens")
def tokens_group() -> None:
    """Access tokens for partners and staff (kept as salted scrypt hashes beside the index).

    \b
    Examples:
      kb tokens create --name chula-cs --access partner --expires 2027-12-31
      kb tokens list
      kb tokens revoke chula-cs
    """


@tokens_group.command("create")
@click.option("--name", required=True, help="Who holds the token (letters, digits, . _ @ -).")
@click.option("--access", "level", required=True, type=click.Choice(["partner", "internal"]), help="The level it grants.")
@click.option("--expires", default=None, metavar="YYYY-MM-DD", help="First day the token no longer works.")
@_index_option
def create_cmd(name: str, level: str, expires: str | None, index_dir: Path | None) -> None:
    """Create a token and print it (only now: it is not stored anywhere).

    \b
    Examples:
      kb tokens create --name chula-cs --access partner --expires 2027-12-31
      kb tokens create --name nsc-staff --access internal
    """
    store = _store(index_dir)
    try:
        token = store.create(name, level, _date(expires, "'--expires'"))
    except (TokenError, TokenFileError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(token)


@tokens_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@_index_option
def list_cmd(as_json: bool, index_dir: Path | None) -> None:
    """Names, levels, creation and expiry dates and last use; never a token.

    \b
    Examples:
      kb tokens list
      kb tokens list --json
    """
    store = _store(index_dir)
    try:
        records = sorted(store.records().values(), key=lambda r: r.name)
    except TokenFileError as exc:
        raise click.ClickException(str(exc)) from None
    used = last_used(audit_path(store.path.parent.parent))
    rows = [{**r.public_view(), "expired": r.expired(), "last_used": used.get(r.name)} for r in records]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        click.echo("no tokens")
    for row in rows:
        state = " (expired)" if row["expired"] else ""
        click.echo(f"{row['name']}\t{row['level']}\tcreated {row['created']}\texpires {row['expires'] or 'never'}{state}"
                   f"\tlast used {row['last_used'] or 'never'}")


@tokens_group.command("revoke")
@click.argument("name")
@_index_option
def revoke_cmd(name: str, index_dir: Path | None) -> None:
    """Revoke the token NAME: refused from the server's next request on, sessions included.

    \b
    Examples:
      kb tokens revoke chula-cs
    """
    store = _store(index_dir)
    try:
        removed = store.revoke(name)
    except TokenFileError as exc:
        raise click.ClickException(str(exc)) from None
    if not removed:
        raise click.ClickException(f"no token named {name!r} (see `kb tokens list`)")
    click.echo(f"revoked {name}", err=True)


@click.command("audit")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Entries from this day on (UTC).")
@click.option("--token", "token_name", default=None, metavar="NAME", help="Entries of this token only.")
@_index_option
def audit_cmd(since: str | None, token_name: str | None, index_dir: Path | None) -> None:
    """Print the server's audit log (one JSON object a line), oldest first.

    \b
    Examples:
      kb audit --since 2026-12-01
      kb audit --token chula-cs --since 2026-12-01
    """
    from kb.cli import default_index_dir

    path = audit_path(index_dir or default_index_dir())
    for entry in read_audit(path, _date(since, "'--since'"), token_name):
        sys.stdout.write(json.dumps(entry, ensure_ascii=False) + "\n")
