"""The server's commands for the `chapter8` CLI: serve, migrate, export, replay.

Registered in server/cli.py (`register(app)`); also runnable as `python -m server.cli_server`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import orjson
import typer

from server.settings import Settings

DataDir = Annotated[
    Path | None, typer.Option(help="Folder for the SQLite database.", envvar="CHAPTER8_DATA_DIR")
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(help="Database URL (default SQLite in the data folder).", envvar="DATABASE_URL"),
]


def _settings(**overrides: object) -> Settings:
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)  # type: ignore[arg-type]


def serve(
    host: Annotated[str, typer.Option(envvar="CHAPTER8_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="CHAPTER8_PORT")] = 8000,
    database_url: DatabaseUrl = None,
    redis_url: Annotated[str | None, typer.Option(envvar="REDIS_URL")] = None,
    data_dir: DataDir = None,
    demo: Annotated[
        bool, typer.Option(help="Create a tutorial session and print its links.")
    ] = False,
    demo_scenario: Annotated[str, typer.Option(help="Scenario for --demo.")] = "tutorial",
) -> None:
    """Run the server (migrating the database first) and print its URL."""
    import uvicorn

    from server.app import create_app
    from server.frames import Protocol

    settings = _settings(
        host=host, port=port, database_url=database_url, redis_url=redis_url, data_dir=data_dir
    )
    on_ready = _demo(settings, demo_scenario) if demo else _announce(settings)
    app = create_app(settings, on_ready=on_ready)
    from server import gc_policy

    gc_policy.install()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        ws=Protocol,  # uvicorn's websockets-sansio, with frames written straight to the socket
        ws_max_size=2 * settings.frame_cap,
        ws_per_message_deflate=False,
        ws_ping_interval=settings.heartbeat_s,
        ws_ping_timeout=settings.heartbeat_s,
        log_level="warning",
        lifespan="on",
    )


def _announce(settings: Settings) -> Callable[[object], object]:
    async def ready(_service: object) -> None:
        print(
            f"Chapter VIII is serving at {settings.base_url} (API docs: {settings.base_url}/docs)"
        )
        sys.stdout.flush()

    return ready


def _demo(settings: Settings, scenario: str) -> Callable[[object], object]:
    from server import links

    async def ready(service) -> None:  # type: ignore[no-untyped-def]
        base = settings.base_url
        if service.catalog.get(scenario) is None:
            print(f"Chapter VIII is serving at {base} (API docs: {base}/docs)")
            known = ", ".join(sorted(service.catalog.scenarios)) or "none"
            print(f"No demo: there is no scenario '{scenario}' (scenarios: {known}).")
            sys.stdout.flush()
            return
        created = await service.create(scenario, f"Demo: {scenario}", None)
        live = await service.live(created.session)
        print(f"Chapter VIII is serving at {base} (API docs: {base}/docs)")
        print(f"Demo session {created.session} ({scenario}).")
        console = links.console_link(base, created.session, created.facilitator_token)
        print(f"  Facilitator console: {console}")
        for seat, code in created.join_codes.items():
            team = live.state.seats[seat].team
            link = links.join_link(base, created.session, seat, code)
            print(f"  Join {team:>12} seat {seat}: {link}")
        sys.stdout.flush()

    return ready


def migrate_command(database_url: DatabaseUrl = None, data_dir: DataDir = None) -> None:
    """Bring the database schema up to date."""
    from server.store.database import migrate, open_engine

    settings = _settings(database_url=database_url, data_dir=data_dir)
    migrate(open_engine(settings))
    print(f"migrated {settings.db_url.split('@')[-1]}")


def export(
    session: str,
    database_url: DatabaseUrl = None,
    data_dir: DataDir = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """Write a session's event log as JSON Lines, each event with its hash in the chain."""
    from server.export import full_lines
    from server.store import store as st
    from server.store.database import open_engine

    engine = open_engine(_settings(database_url=database_url, data_dir=data_dir))
    stream = open(out, "wb") if out else sys.stdout.buffer  # noqa: SIM115
    count = 0
    with engine.connect() as connection:
        for line in full_lines(st.iter_events(connection, session)):
            stream.write(line)
            count += 1
    stream.flush()
    if out:
        stream.close()
    if count == 0:
        print(f"no session {session}", file=sys.stderr)
        raise typer.Exit(1)


def replay_command(file: Path) -> None:
    """Check a log's hash chain and re-derive its final state, state hash and scores. Exits 1
    naming the first bad seq."""
    from server.export import replay

    with open(file, "rb") as handle:
        result = replay(handle)
    if not result.ok:
        print(f"bad log: {result.problem} (first bad seq: {result.bad_seq})", file=sys.stderr)
        raise typer.Exit(1)
    assert result.state is not None
    summary = {
        "ok": True,
        "session": result.state.session,
        "events": result.events,
        "status": result.state.status,
        "state_hash": result.state_hash,
        "head_hash": result.head_hash,
        "scores": result.scores,
        "collective": result.state.collective,
    }
    print(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode())


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("migrate")(migrate_command)
    app.command("export")(export)
    app.command("replay")(replay_command)


def main() -> None:
    app = typer.Typer(help="Chapter VIII server commands.", no_args_is_help=True)
    register(app)
    app()


if __name__ == "__main__":
    main()
