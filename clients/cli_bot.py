"""`chapter8 bot` (play a seat with a bot strategy, from any machine) and `chapter8 seat`
(the facilitator hands a seat to a person or a bot, and takes it back). Registered in
server/cli.py; see docs/bots.md and docs/clients.md."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from typing import Annotated, Any

import orjson
import typer

from clients.bots import registry

SESSION_IN_URL = re.compile(r"/(?:ws/)?(?:api/)?(?:sessions|console|play|join)/([A-Za-z0-9_-]+)")

FacilitatorToken = Annotated[
    str,
    typer.Option(
        "--facilitator-token",
        envvar="CHAPTER8_FACILITATOR_TOKEN",
        help="The session's facilitator token (after '#' in the console link); or set "
        "CHAPTER8_FACILITATOR_TOKEN, which keeps it out of the process list.",
    ),
]
Url = Annotated[str, typer.Argument(help="The server, e.g. http://127.0.0.1:8000")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(code)


def session_of(url: str) -> tuple[str, str | None]:
    """(the server's base, the session id if the URL names one: a console, room, join or
    websocket URL of a session)."""
    found = SESSION_IN_URL.search(url)
    base = url.split("#", 1)[0]
    if found is None:
        return base.rstrip("/"), None
    return base[: found.start()].rstrip("/"), found.group(1)


# --- chapter8 bot -----------------------------------------------------------------------------


def bot_command(
    url: Annotated[
        str | None,
        typer.Argument(
            help="The server (http://host:port), or any link of the session (its console or "
            "room URL names it). Not needed with --join."
        ),
    ] = None,
    strategy: Annotated[
        str,
        typer.Option("--strategy", help=f"One of: {', '.join(registry.names())}."),
    ] = "linear",
    join: Annotated[
        str | None,
        typer.Option(
            "--join",
            help="A seat's join link (…/join/SESSION/SEAT#CODE): the bot joins the seat with it.",
        ),
    ] = None,
    seat_token: Annotated[
        str | None,
        typer.Option(
            "--seat-token",
            envvar="CHAPTER8_SEAT_TOKEN",
            help="A seat token already held (from joining); or set CHAPTER8_SEAT_TOKEN.",
        ),
    ] = None,
    session: Annotated[
        str | None, typer.Option("--session", help="The session, with --seat-token.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="With --join: the name shown on a free seat.")
    ] = None,
    seed: Annotated[
        str | None, typer.Option("--seed", help="Seeds the bot's choice of words.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
) -> None:
    """Play one seat with a bot strategy until the seat is taken back or the session
    concludes.

    The bot sees only its seat's view (the events the server projects for its team) and sends
    commands like any client. Its commands are logged as a bot's if the facilitator gave the
    seat to a bot (`external`, for a bot the server does not run itself:
    `chapter8 seat assign SESSION SEAT URL --bot external`). Exits 0 when the session
    concluded or the seat was taken back, 1 when the server refused the token.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
    )
    if strategy not in registry.STRATEGIES:
        raise _fail(f"unknown strategy {strategy!r} (known: {', '.join(registry.names())})", 2)
    if (join is None) == (seat_token is None):
        raise _fail("give one of --join LINK or --seat-token TOKEN", 2)
    target: tuple[str, str, str] | None = None
    if seat_token is not None:
        if url is None:
            raise _fail("--seat-token needs the server's URL", 2)
        base, named = session_of(url)
        session = session or named
        if session is None:
            raise _fail("--seat-token needs --session (or a URL that names the session)", 2)
        target = (base, session, seat_token)
    ended, stats = asyncio.run(_play(target, join, name, strategy, seed))
    print(
        f"stopped: {ended} ({stats.sent} commands sent, {stats.accepted} accepted, "
        f"{len(stats.rejected)} rejected)"
    )
    if ended == "refused":
        raise typer.Exit(1)


async def _play(
    target: tuple[str, str, str] | None,
    join: str | None,
    name: str | None,
    strategy: str,
    seed: str | None,
) -> tuple[str, Any]:
    from clients.botrunner import BotRunner
    from clients.client import Client
    from clients.rest import RestError, join_link

    if join is not None:
        try:
            seat = await join_link(join, name)
        except (RestError, ValueError) as exc:
            raise _fail(f"cannot join with that link: {exc}") from None
        client = Client.for_seat(seat)
    else:
        assert target is not None
        client = Client.for_token(*target)
    runner = BotRunner(client, strategy, seed=seed)
    try:
        try:
            await client.start(timeout=None)
        except Exception:
            pass  # refused: the runner says so below
        else:
            viewer = client.viewer
            assert viewer is not None
            held = client.state.seats.get(viewer.seat or "")
            print(
                f"{strategy} plays seat {viewer.seat} ({viewer.team}) of session "
                f"{client.state.session}; Ctrl-C stops it"
            )
            if held is not None and held.bot is None:
                print(
                    "note: this seat is not given to a bot, so its commands are logged as a "
                    "person's (the facilitator can give it with --bot external)",
                    file=sys.stderr,
                )
            sys.stdout.flush()
        try:
            ended = await runner.run()
        except ValueError as exc:  # a facilitator's token
            raise _fail(str(exc)) from None
    finally:
        await client.close()
    return ended, runner.stats


# --- chapter8 seat ----------------------------------------------------------------------------

seat_app = typer.Typer(
    help="The facilitator's seats: give one to a person or a bot, free it, list the bots.",
    no_args_is_help=True,
    add_completion=False,
)


async def _rest_call(base: str, token: str | None, method: str, path: str, **kw: Any) -> Any:
    from clients.rest import Rest, RestError

    async with Rest(base, token) as rest:
        try:
            return await rest._call(method, path, **kw)
        except RestError as exc:
            raise _fail(exc.reason or str(exc)) from None


@seat_app.command("assign")
def assign_command(
    session: Annotated[str, typer.Argument(help="The session id.")],
    seat: Annotated[str, typer.Argument(help="The seat, e.g. au.1.")],
    url: Url,
    facilitator_token: FacilitatorToken,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Who holds it (default for a bot: '<strategy> bot')."),
    ] = None,
    bot: Annotated[
        str | None,
        typer.Option(
            "--bot",
            help="Give the seat to this strategy (the server plays it; `external`: a program "
            "elsewhere does, with the new join link). Without it the seat goes to a person.",
        ),
    ] = None,
) -> None:
    """Give a seat to a person or a bot. The seat's old tokens and join links stop working
    (a device or bot on it is disconnected); prints the new join link as JSON."""
    if name is None and bot is None:
        raise _fail("give --name for a person, or --bot STRATEGY", 2)
    body = {"name": name or f"{bot} bot", "bot": bot}
    reply = asyncio.run(
        _rest_call(
            url.rstrip("/"),
            facilitator_token,
            "POST",
            f"/api/sessions/{session}/seats/{seat}/assign",
            json=body,
        )
    )
    print(orjson.dumps(reply).decode())


@seat_app.command("free")
def free_command(
    session: Annotated[str, typer.Argument(help="The session id.")],
    seat: Annotated[str, typer.Argument(help="The seat, e.g. au.1.")],
    url: Url,
    facilitator_token: FacilitatorToken,
) -> None:
    """Take a seat back from whoever holds it (a bot stops). Prints the new join link."""
    reply = asyncio.run(
        _rest_call(
            url.rstrip("/"), facilitator_token, "POST", f"/api/sessions/{session}/seats/{seat}/free"
        )
    )
    print(orjson.dumps(reply).decode())


@seat_app.command("strategies")
def strategies_command(url: Url) -> None:
    """The names a seat may be given to, with what each does."""
    for entry in asyncio.run(_rest_call(url.rstrip("/"), None, "GET", "/api/strategies")):
        where = "" if entry.get("hosted") else " (not run by the server)"
        print(f"{entry['name']:<14} {entry['summary']}{where}")


def register(app: typer.Typer) -> None:
    app.command("bot")(bot_command)
    app.add_typer(seat_app, name="seat")
