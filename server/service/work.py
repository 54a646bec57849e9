"""What a live session's writer takes from its queue."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from game.commands import Actor, Command
from game.protocol import Accepted, Rejected

Reply = Accepted | Rejected
Respond = Callable[[Reply, dict[str, Any]], None]


@dataclass
class CommandWork:
    """A command to decide. `key` scopes the client's command id (a seat, or the facilitator);
    `respond` gets the reply (and extras such as a new join code) once it is committed."""

    actor: Actor
    key: str
    command: Command
    cid: str | None = None
    respond: Respond | None = None
    rotate: bool = True
    """Whether an accepted seat change replaces the seat's credentials (the facilitator's
    seat changes do; a player taking a free seat with its join code does not)."""
    received: float = field(default_factory=time.perf_counter)


@dataclass
class ControlWork:
    """A function run between batches, when the in-memory state equals the committed one."""

    fn: Callable[[], Any]
    future: asyncio.Future[Any]
    fresh: bool = False
    """Catch up first with what other processes committed (several processes share the
    session), so `fn` sees at least every event committed before it was submitted."""
