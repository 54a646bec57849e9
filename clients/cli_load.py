"""`chapter8 load`: drive a running server with S sessions x K players over real websockets
(see clients/load.py). Registered in server/cli.py."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer


def load(
    url: Annotated[str, typer.Argument(help="The server, e.g. http://127.0.0.1:8000")],
    sessions: Annotated[int, typer.Option(help="Sessions to create and play.")] = 10,
    players: Annotated[int, typer.Option(help="Players (sockets) per session.")] = 4,
    duration: Annotated[float, typer.Option(help="Seconds measured (after the warm-up).")] = 10,
    warmup: Annotated[float, typer.Option(help="Seconds played before measuring.")] = 2,
    scenario: Annotated[str, typer.Option(help="Scenario of the sessions.")] = "tutorial",
    seed: Annotated[int, typer.Option(help="Seeds the sessions and the moves.")] = 1,
    window: Annotated[int, typer.Option(help="Closed loop: commands in flight per session.")] = 1,
    rate: Annotated[
        float | None, typer.Option(help="Open loop instead: commands/s offered in all.")
    ] = None,
    phase_commands: Annotated[
        int, typer.Option(help="The facilitator advances a phase after this many commands.")
    ] = 100,
    server_pid: Annotated[
        int | None, typer.Option(help="The server's process id, to report its CPU per command.")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Play S sessions x K players against URL and report latency p50/p99/max (command to
    accepted, and to its events delivered to every player), commands/s, messages/s and every
    error by code. Exits 1 if any command was rejected or lost."""
    from clients.load import LoadConfig, main

    report = main(
        LoadConfig(
            url=url,
            sessions=sessions,
            players=players,
            duration=duration,
            warmup=warmup,
            scenario=scenario,
            seed=seed,
            window=window,
            rate=rate,
            phase_commands=phase_commands,
            server_pid=server_pid,
        )
    )
    print(orjson.dumps(report.as_dict()).decode() if json else report.text())
    if report.errors or report.lost:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("load")(load)
