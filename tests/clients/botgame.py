"""Bot games through a real server: the facilitator automated (start, then advance whenever
every bot is idle in the view of the session's latest seq), and checks on the log."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from clients.bots import names
from clients.client import Client
from game.commands import Advance, Start

Idle = Callable[[], Awaitable[bool]]


def line_up(teams: list[str], offset: int = 0) -> dict[str, str]:
    """A strategy per team, rotating through every registered strategy."""
    strategies = names()
    return {team: strategies[(i + offset) % len(strategies)] for i, team in enumerate(teams)}


async def facilitate(
    f: Client, idle: Idle, *, timeout: float = 240, check: Callable[[], None] | None = None
) -> int:
    """Start the session and advance each phase once every bot is idle at the facilitator's
    seq (so an advance never races a bot's move), until the session concludes. Returns the
    advances made."""
    await f.do(Start())
    advances = 0
    deadline = time.monotonic() + timeout
    while f.state.status != "concluded":
        assert time.monotonic() < deadline, f"the game did not conclude (seq {f.seq})"
        if check is not None:
            check()
        if f.state.status == "running" and await idle():
            await f.do(Advance())
            advances += 1
        else:
            await asyncio.sleep(0.02)
    return advances


def by_seat(log: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The events seats caused, per seat."""
    out: dict[str, list[dict[str, Any]]] = {}
    for line in log:
        event = line["event"]
        actor = event.get("actor") or {}
        if actor.get("role") == "seat":
            out.setdefault(actor["seat"], []).append(event)
    return out


def concluded(log: list[dict[str, Any]]) -> dict[str, Any]:
    last = log[-1]["event"]
    assert last["type"] == "session_concluded", last
    return last


def timeouts(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Formal turns that ran out (a bot that stalled its turn)."""
    return [e["event"] for e in log if e["event"]["type"] == "passed" and e["event"].get("timeout")]
