"""The replay commands for the `chapter8` CLI: `import` (an export file into this server's
database, as a record to replay) and `export-all` (a session's log, tidy tables, codebook
and transcripts into a folder). Registered in server/cli.py."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import orjson
import typer

from server.cli_server import DatabaseUrl, DataDir, _settings


def import_command(
    file: Path,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
    public_url: Annotated[
        str | None, typer.Option(help="Base of the link printed.", envvar="CHAPTER8_PUBLIC_URL")
    ] = None,
) -> None:
    """Check an export's hash chain, fold it, and store it as a session to replay (never
    live). Prints the session, its state hash and a researcher's replay link; exits 1 naming
    the first bad seq."""
    from server import replay as rp
    from server.store.database import migrate, open_engine

    settings = _settings(database_url=database_url, data_dir=data_dir)
    with open(file, "rb") as handle:
        try:
            result, kept = rp.check_import(handle)
        except rp.Refused as exc:
            print(f"bad log: {exc.reason} (first bad seq: {exc.seq})", file=sys.stderr)
            raise typer.Exit(1) from None
    at = int(time.time() * 1000)
    imported = rp.import_batch(result, kept, at)
    engine = open_engine(settings)
    migrate(engine)
    try:
        with engine.connect() as connection:
            rp.store_import(connection, imported, at)
    except rp.Refused as exc:
        print(exc.reason, file=sys.stderr)
        raise typer.Exit(1) from None
    base = (public_url or settings.base_url).rstrip("/")
    assert result.state is not None
    summary = {
        "ok": True,
        "session": imported.session,
        "events": result.events,
        "status": result.state.status,
        "state_hash": result.state_hash,
        "head_hash": result.head_hash,
        "replay_link": f"{base}/replay/{imported.session}#{imported.token}",
    }
    print(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode())


def export_all(
    session: str,
    out: Annotated[Path, typer.Option(help="Folder to write the files into.")],
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
    pseudonymise: Annotated[
        bool,
        typer.Option(help="Replace players' names by Player 1, Player 2…, in free text too."),
    ] = False,
) -> None:
    """Write a session's log, tidy CSV tables, codebook and transcripts (docs/replay.md)."""
    from game.events import EVENT_ADAPTER
    from server import tidy
    from server.export import full_lines
    from server.store import store as st
    from server.store.database import open_engine

    engine = open_engine(_settings(database_url=database_url, data_dir=data_dir))
    with engine.connect() as connection:
        stored = list(st.iter_events(connection, session))
    if not stored:
        print(f"no session {session}", file=sys.stderr)
        raise typer.Exit(1)
    log = [EVENT_ADAPTER.validate_json(e.body) for e in stored]
    out.mkdir(parents=True, exist_ok=True)
    for name in tidy.FILES:
        if name == "bundle.zip":
            continue
        body = tidy.render(
            name, log, lambda: b"".join(full_lines(stored)), pseudonymise=pseudonymise
        )
        (out / name).write_bytes(body)
        print(out / name)


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("export-all")(export_all)


def main() -> None:
    app = typer.Typer(help="Chapter VIII replay commands.", no_args_is_help=True)
    register(app)
    app()


if __name__ == "__main__":
    main()
