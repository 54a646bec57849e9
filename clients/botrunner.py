"""Drive one seat with a bot strategy over the network, through the client library.

    async with Client.for_seat(seat) as client:
        ended = await BotRunner(client, "boulware").run()   # "concluded", "revoked", ...

The runner keeps no state of its own beyond the bot's: the `Client` folds the seat's projected
events into its view, and the runner hands that `View` to the bot (`bot.decide(view, rng)`,
docs/bots.md), exactly as the in-process tournament does. It

- asks the bot again whenever the view changed (an event, a snapshot) and when a deadline
  approaches (`lead_s` before it, and once just after it fell), never in a busy loop;
- sends what the bot returns and waits for its answer and its events, so the next decision
  sees the command's effect;
- re-decides after a rejection (a deadline that passed first, a move someone else made just
  before): the events that made the command illegal are in the view before the rejection
  arrives. A rejection that leaves the view as it was waits for the next change instead of
  sending the same thing again; `unavailable` waits for its `retry_ms`;
- never stalls a phase: a bot that raises is logged and, holding the floor, passes;
- with a `BotTable` shared by the runners of one session in one process, lets its bots take
  turns to decide and act, so that they never overtake one another;
- stops cleanly when the seat is taken back (close code 4003, or a token refused) or the
  session concludes, and returns why.

`chapter8 bot` (clients/cli_bot.py) runs one from the command line; the server runs the same
runner for the seats a facilitator gives to a bot (server/bothost.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from clients.bots import registry
from clients.bots.base import Bot
from clients.client import Client, ClientClosed
from game import engine
from game.commands import Command, Pass
from game.protocol import Accepted, CloseCode, Rejected
from game.views import View

log = logging.getLogger(__name__)

Ended = Literal["concluded", "revoked", "refused", "closed"]
"""Why a runner stopped: the session concluded; the seat changed hands (4003); the server
refused the token (revoked before the runner connected, or never valid); the client was
closed by its owner."""

LEAD_S = 2.0
"""The bot is asked again this long before a deadline falls..."""
GRACE_S = 0.5
"""... and this long after it, in case its tick changed nothing the seat can see."""


CATCH_UP_S = 5.0
"""How long a bot on a `BotTable` waits for the events the bot before it acted on."""


class BotTable:
    """The bots of one session that run in one process take turns: one decides and acts at a
    time (its command answered and its events in its view), and the next decides on a view
    at least as new as that. So they never race each other (a bot accepting an amendment
    while another's pass ends the phase); only people, the facilitator and the clock can
    overtake a bot's command, which is then decided again."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.seq = 0
        """The newest seq a bot of the table acted on."""


@dataclass
class RunnerStats:
    decisions: int = 0
    """Times the bot was asked."""
    sent: int = 0
    accepted: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    errors: int = 0
    """Times the bot raised (logged; the runner carried on)."""


class BotRunner:
    """One seat, one bot, one client. `run()` plays until the seat is lost or the session
    concludes; cancel its task to stop it sooner (the owner closes the client)."""

    def __init__(
        self,
        client: Client,
        bot: Bot | str,
        *,
        rng: random.Random | None = None,
        seed: int | str | None = None,
        lead_s: float = LEAD_S,
        grace_s: float = GRACE_S,
        table: BotTable | None = None,
    ) -> None:
        self.client = client
        self.table = table
        self.bot = registry.make(bot) if isinstance(bot, str) else bot
        self.rng = rng or random.Random(seed)
        self.lead_ms = int(lead_s * 1000)
        self.grace_ms = int(grace_s * 1000)
        self.stats = RunnerStats()
        self.idle_seq: int | None = None
        """The seq at which the bot last had nothing to do (None while it acts)."""
        self.acted_seq: int | None = None
        """The last seq its own accepted commands produced (None before it acted)."""
        self.ended: Ended | None = None
        self._woken: set[tuple[int, int]] = set()
        self._offset_ms = 0.0
        self._welcome: object = None

    @property
    def strategy(self) -> str:
        return self.bot.name

    @property
    def idle(self) -> bool:
        """The bot has nothing to do in the view it holds, and nothing in flight."""
        return self.idle_seq is not None and self.idle_seq == self.client.seq

    def status(self) -> dict[str, Any]:
        """How it is doing, as data (the server's `GET /api/sessions/{id}/bots`)."""
        last = self.stats.rejected[-1] if self.stats.rejected else None
        return {
            "strategy": self.strategy,
            "connected": self.client.connected,
            "seq": self.client.seq,
            "acted_seq": self.acted_seq,
            "idle": self.idle,
            "ended": self.ended,
            "decisions": self.stats.decisions,
            "sent": self.stats.sent,
            "accepted": self.stats.accepted,
            "rejected": len(self.stats.rejected),
            "last_rejection": {"code": str(last.code), "reason": last.reason} if last else None,
            "errors": self.stats.errors,
        }

    # --- the loop ---------------------------------------------------------------------------

    async def run(self) -> Ended:
        """Play the seat until it is lost or the session concludes; returns why it stopped."""
        client = self.client
        try:
            await client.start(timeout=None)
            viewer = client.viewer
            if viewer is None or viewer.role != "seat":
                raise ValueError("a bot plays a seat: this token is not a seat's")
            while True:
                if client.closed is not None:
                    return self._end(client.closed)
                if client.state.status == "concluded":
                    self.ended = "concluded"
                    return self.ended
                await self._step()
        except ClientClosed as closed:
            return self._end(closed)

    async def _step(self) -> None:
        client = self.client
        reply: Accepted | Rejected | None = None
        async with self._turn():
            mark = self._mark()
            command = self._decide()
            if command is not None:
                self.idle_seq = None
                self.stats.sent += 1
                reply = await client.send(command, timeout=None)
        if command is None or reply is None:
            self.idle_seq = mark[0]  # nothing to do in the view at this seq
            await self._wait(mark)
            return
        if isinstance(reply, Accepted):
            self.stats.accepted += 1
            if reply.seqs:
                self.acted_seq = max(reply.seqs)
            return
        self.stats.rejected.append(reply)
        log.info(
            "bot %s on %s: %s rejected (%s: %s)",
            self.strategy,
            client.viewer and client.viewer.seat,
            command.type,
            reply.code,
            reply.reason,
        )
        if reply.retry_ms:
            await asyncio.sleep(reply.retry_ms / 1000)
        elif self._mark() == mark:
            # The server disagreed with a view that has not moved: asking again now would
            # give the same command. Wait for news (or a deadline) instead.
            self.idle_seq = mark[0]
            await self._wait(mark)

    @contextlib.asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """With a `table`: wait for this bot's turn to decide, and catch up first with what
        the bots before it did."""
        table = self.table
        if table is None:
            yield
            return
        async with table.lock:
            if self.client.seq < table.seq:
                floor = table.seq
                with contextlib.suppress(TimeoutError):
                    await self.client.until(lambda c: c.seq >= floor, CATCH_UP_S)
            try:
                yield
            finally:
                table.seq = max(table.seq, self.client.seq)

    def _decide(self) -> Command | None:
        self.stats.decisions += 1
        view: View | None = None
        try:
            view = self.client.view
            return self.bot.decide(view, self.rng)
        except Exception:
            self.stats.errors += 1
            log.exception("bot %s failed to decide", self.strategy)
            return Pass() if view is not None and _holds_floor(view) else None

    def _mark(self) -> tuple[int, int]:
        """What the view is now: a new event or a snapshot moves it."""
        return (self.client.seq, self.client.stats.snapshots)

    async def _wait(self, mark: tuple[int, int]) -> None:
        """Until the view changes, or the next wake-up point of a deadline."""
        timeout, point = self._wake_in()
        try:
            await self.client.until(lambda c: self._mark() != mark, timeout)
        except TimeoutError:
            if point is not None:
                self._woken.add(point)  # each wake-up point of a deadline serves once

    def _wake_in(self) -> tuple[float | None, tuple[int, int] | None]:
        """Seconds to the next unused wake-up point of the next deadline, and that point
        (None: no clock is running, or both points of its deadline have served)."""
        due = engine.next_deadline(self.client.state)
        if due is None:
            return None, None
        now = self._server_now()
        for at in (due - self.lead_ms, due + self.grace_ms):
            if (due, at) not in self._woken:
                return max(0.0, (at - now) / 1000), (due, at)
        return None, None

    def _server_now(self) -> float:
        """The server's clock, as its latest `welcome` set it against ours."""
        welcome = self.client.welcome
        if welcome is not None and welcome is not self._welcome:
            self._welcome = welcome
            self._offset_ms = welcome.server_time - time.time() * 1000
        return time.time() * 1000 + self._offset_ms

    def _end(self, closed: ClientClosed) -> Ended:
        if closed.code == CloseCode.REVOKED:
            self.ended = "revoked"
        elif closed.code in (401, 403, 404):
            self.ended = "refused"
        else:
            self.ended = "closed"
        return self.ended


def _holds_floor(view: View) -> bool:
    phase = view.phase
    return (
        view.state.status == "running"
        and phase is not None
        and phase.kind == "formal"
        and phase.holder == view.viewer.team
    )


async def run_bot(
    client: Client, strategy: str, *, seed: int | str | None = None, **kwargs: Any
) -> tuple[Ended, BotRunner]:
    """Connect `client`, play its seat with `strategy` until it stops, close the client."""
    runner = BotRunner(client, strategy, seed=seed, **kwargs)
    try:
        ended = await runner.run()
    finally:
        await client.close()
    return ended, runner
