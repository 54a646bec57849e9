"""The bot strategies a facilitator may give a seat to (docs/bots.md).

Every strategy registered in `clients.bots` is run by the server itself (`server.bothost`)
when a seat is given to it. `external` marks a seat as a bot's that the server does not run:
a program elsewhere plays it with the seat's join link (`chapter8 bot --join LINK`), and its
commands are logged as a bot's all the same. Any other name is refused.
"""

from __future__ import annotations

from typing import Any

from clients.bots import registry
from game.commands import AssignSeat, Command

EXTERNAL = "external"
EXTERNAL_SUMMARY = (
    "a bot the server does not run: a program plays the seat with its join link "
    "(chapter8 bot --join LINK --strategy S)"
)


def hosted(name: str | None) -> bool:
    """Whether the server runs a bot for a seat given to `name`."""
    return name is not None and name in registry.STRATEGIES


def known() -> list[str]:
    return [*registry.names(), EXTERNAL]


def listing() -> list[dict[str, Any]]:
    """Every name a seat may be given to, with what it does."""
    out: list[dict[str, Any]] = [
        {"name": cls.name, "summary": cls.summary, "hosted": True}
        for cls in registry.STRATEGIES.values()
    ]
    out.append({"name": EXTERNAL, "summary": EXTERNAL_SUMMARY, "hosted": False})
    return out


def refusal(bot: str | None) -> str | None:
    """Why a seat may not be given to `bot` (None: it may)."""
    if bot is None or bot in registry.STRATEGIES or bot == EXTERNAL:
        return None
    return f"unknown bot strategy {bot!r}; known: {', '.join(known())}"


def refuse_command(command: Command) -> str | None:
    """`refusal` for a command: an `assign_seat` to an unknown strategy."""
    return refusal(command.bot) if isinstance(command, AssignSeat) else None
