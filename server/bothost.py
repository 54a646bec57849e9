"""Bots the server runs: a seat the facilitator gives to a strategy is played by this process.

For every loaded session whose clock this process holds (`SessionService.lease`: always, on
SQLite; on PostgreSQL one process of the cluster, the holder of the session's clock lease),
each seat given to a registered strategy (`seat.bot`, from the log) gets a `BotRunner`
(clients/botrunner.py) on a `Client` that connects to this very process over a loopback
websocket with a seat token of its own. So a hosted bot goes through exactly the path of any
client: the token is authenticated at the upgrade (a token issued while the seat is a bot's
makes a `Principal` with `bot`, so its commands are logged with `Actor.bot`), every event
reaches it projected for its team, its commands are rate-limited, refused and answered like
anyone's, and the console's presence shows it connected.

The host reconciles what runs with what the state says every `PERIOD_S` (and at once when a
seat route pokes it): it starts a runner for a seat given to a strategy, stops one whose seat
was freed or given to someone else (its connection is also closed with 4003 by the seat
change itself), restarts one whose connection was revoked while the seat still belongs to a
bot (a bot handed to another bot), and stops them all when the session concludes or its
clock lease moves to another process. After a restart the same pass finds the seats in the
reloaded sessions' state: the hosted bots resume with fresh tokens.

A bot's seat token is issued between two batches of the session's writer, only if the seat is
still the bot's, and committed on the condition that the log has not moved since that check
(`Batch.expect`): a seat change decided meanwhile, here or in another process, revokes it or
makes the issue fail and try again. (Should another process's seat change commit at the very
same moment, the token may outlive it; it exists only in this host's memory, and the host
drops it with the runner once it sees the seat change.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from clients.botrunner import BotRunner, BotTable, Ended
from clients.client import Client
from clients.rest import websocket_url
from server import auth, strategies
from server.clock import now_ms
from server.store.store import Batch, Clash

if TYPE_CHECKING:
    from server.service.live import LiveSession
    from server.service.sessions import SessionService
    from server.settings import Settings

log = logging.getLogger(__name__)

PERIOD_S = 0.5
"""How often the host compares the bots it runs with the seats of its sessions."""
RESTART_S = 1.0
"""Least time between two starts of a bot on one seat (doubling while it keeps failing)."""
RESTART_MAX_S = 30.0
ISSUE_TRIES = 20
"""How many times a token's issue may find the log moved on before the host tries later."""
PLAYING = ("lobby", "running", "paused")

Key = tuple[str, str]
"""(session, seat)"""


@dataclass
class Hosted:
    session: str
    seat: str
    strategy: str
    started: float = field(default_factory=time.monotonic)
    task: asyncio.Task[None] | None = None
    runner: BotRunner | None = None
    client: Client | None = None
    ended: Ended | str | None = None

    def status(self) -> dict[str, Any]:
        running = self.task is not None and not self.task.done()
        body: dict[str, Any] = {"seat": self.seat, "strategy": self.strategy}
        if self.runner is not None:
            body.update(self.runner.status())
        else:
            body.update({"connected": False})
        body.update({"running": running, "ended": None if running else self.ended})
        return body


def _queue_token(
    live: LiveSession, seat: str, strategy: str, token: str
) -> asyncio.Future[None] | None:
    """Run between two batches of the session's writer (the state is exactly what is
    committed): if the seat is still `strategy`'s, queue the token's row to the store's writer,
    ahead of any later batch of the session, on the condition that the log is still where it
    is now. None if the seat is no longer the bot's."""
    state = live.state
    held = state.seats.get(seat)
    if held is None or held.bot != strategy or state.status not in PLAYING:
        return None
    batch = Batch(session=live.id, expect=live.committed)
    batch.credentials.append(auth.credential_row(live.id, "seat", token, now_ms(), seat))
    return live.store.writer.submit(batch.ops())


def loopback(host: str) -> str:
    """Where this process can reach itself, given the address it listens on."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class BotHost:
    def __init__(self, service: SessionService, settings: Settings) -> None:
        self.service = service
        self.settings = settings
        self.base = (
            settings.bot_url or f"http://{loopback(settings.host)}:{settings.port}"
        ).rstrip("/")
        self.hosted: dict[Key, Hosted] = {}
        self.last: dict[Key, Hosted] = {}
        """The bot that last played each seat here, once stopped (for `status`)."""
        self.tables: dict[str, BotTable] = {}
        """Per session: its bots here take turns to decide and act (`BotTable`)."""
        self._next_start: dict[Key, float] = {}
        self._failures: dict[Key, int] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        if self.settings.bots:
            self._task = asyncio.create_task(self._loop(), name="bot-host")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await asyncio.gather(*(self._halt(h) for h in list(self.hosted.values())))
        self.hosted.clear()

    def poke(self) -> None:
        """A seat may have changed hands: look now rather than at the next period."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await self.reconcile()
            except Exception:
                log.exception("bot host: a pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), PERIOD_S)
            self._wake.clear()

    # --- what should run ----------------------------------------------------------------------

    def wanted(self) -> dict[Key, str]:
        """Every seat this process should play: the seats given to a registered strategy, in
        the sessions still in play whose clock it holds."""
        out: dict[Key, str] = {}
        lease = self.service.lease
        for session, live in list(self.service.live_sessions.items()):
            state = live.state
            if live.stopped or state.status not in PLAYING or not lease.holds(session):
                continue
            for seat in state.seats.values():
                if strategies.hosted(seat.bot):
                    out[(session, seat.id)] = seat.bot  # type: ignore[assignment]
        return out

    async def reconcile(self) -> None:
        wanted = self.wanted()
        now = time.monotonic()
        for key, hosted in list(self.hosted.items()):
            done = hosted.task is None or hosted.task.done()
            if wanted.get(key) != hosted.strategy:
                del self.hosted[key]
                await self._halt(hosted, self._why_not(key[0]))
                self.last[key] = hosted
                self._failures.pop(key, None)
                self._next_start.pop(key, None)
            elif done:
                del self.hosted[key]
                self.last[key] = hosted
                self._ended(key, hosted, now)
        loaded = self.service.live_sessions
        for key in [k for k in self.last if k[0] not in loaded]:
            del self.last[key]
        playing = {session for session, _seat in wanted}
        for session in [s for s in self.tables if s not in playing]:
            del self.tables[session]
        for pauses in (self._next_start, self._failures):
            for key in [k for k in pauses if k not in wanted]:
                del pauses[key]
        for key, strategy in wanted.items():
            if key not in self.hosted and now >= self._next_start.get(key, 0.0):
                self._launch(key, strategy)

    def _ended(self, key: Key, hosted: Hosted, now: float) -> None:
        """A runner stopped by itself while its seat is still a bot's: start it again soon."""
        if hosted.ended in ("revoked", "refused") and now - hosted.started > RESTART_S:
            # The seat was handed to another bot (its tokens went): the new one starts now.
            self._failures.pop(key, None)
            self._next_start[key] = now
            return
        failures = self._failures.get(key, 0) + 1
        self._failures[key] = failures
        pause = min(RESTART_MAX_S, RESTART_S * 2 ** (failures - 1))
        self._next_start[key] = now + pause
        log.info("bot on %s/%s stopped (%s); again in %.0f s", *key, hosted.ended, pause)

    def _launch(self, key: Key, strategy: str) -> None:
        session, seat = key
        hosted = Hosted(session, seat, strategy)
        hosted.task = asyncio.create_task(self._play(hosted), name=f"bot-{session}-{seat}")
        self.hosted[key] = hosted
        log.info("bot %s takes %s in session %s", strategy, seat, session)

    def _why_not(self, session: str) -> str:
        """Why a session's bot no longer runs here, as its `ended`."""
        live = self.service.live_sessions.get(session)
        return "concluded" if live is not None and live.state.status == "concluded" else "stopped"

    async def _halt(self, hosted: Hosted, why: str = "stopped") -> None:
        if hosted.task is not None and not hosted.task.done():
            hosted.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await hosted.task
            hosted.ended = hosted.ended or why
        if hosted.client is not None:
            await hosted.client.close()

    # --- one bot ------------------------------------------------------------------------------

    async def _play(self, hosted: Hosted) -> None:
        try:
            live = await self.service.live(hosted.session)
            token = await self.issue_token(live, hosted.seat, hosted.strategy)
            if token is None:
                hosted.ended = "gone"
                return
            hosted.client = Client(
                websocket_url(self.base, hosted.session),
                token,
                id_prefix=f"bot-{hosted.seat}-{secrets.token_hex(3)}",
                min_backoff=0.1,
                max_backoff=2.0,
            )
            hosted.runner = BotRunner(
                hosted.client,
                hosted.strategy,
                seed=f"{hosted.session}:{hosted.seat}",
                table=self.tables.setdefault(hosted.session, BotTable()),
            )
            hosted.ended = await hosted.runner.run()
            log.info("bot on %s/%s ended: %s", hosted.session, hosted.seat, hosted.ended)
        except asyncio.CancelledError:
            raise
        except Exception:
            hosted.ended = "failed"
            log.exception("bot on %s/%s failed", hosted.session, hosted.seat)
        finally:
            if hosted.client is not None:
                await hosted.client.close()
            self.poke()

    async def issue_token(self, live: LiveSession, seat: str, strategy: str) -> str | None:
        """A new seat token for the bot, or None if the seat is no longer the bot's."""
        for _ in range(ISSUE_TRIES):
            token = auth.new_token()
            written = await live.call(partial(_queue_token, live, seat, strategy, token))
            if written is None:
                return None
            try:
                await written
            except Clash:
                await asyncio.sleep(0.05)  # the log moved on: look again
                continue
            return token
        raise RuntimeError(f"could not issue a token for {seat}: the log kept moving")

    # --- what the facilitator sees ------------------------------------------------------------

    def status(self, session: str, seats: dict[str, str]) -> list[dict[str, Any]]:
        """Each seat of `session` given to a bot (`seats`: seat -> strategy): whether this
        process plays it (`running`), and how its bot is doing or how it ended."""
        out = []
        for seat, strategy in seats.items():
            key = (session, seat)
            hosted = self.hosted.get(key) or self.last.get(key)
            if hosted is not None and hosted.strategy == strategy:
                out.append(hosted.status())
            elif strategy == strategies.EXTERNAL:
                out.append(_idle(seat, strategy, "played by a program elsewhere (external)"))
            elif not self.settings.bots:
                out.append(_idle(seat, strategy, "this process runs no bots"))
            else:
                out.append(_idle(seat, strategy, "not played by this process"))
        return out


def _idle(seat: str, strategy: str, reason: str) -> dict[str, Any]:
    return {"seat": seat, "strategy": strategy, "running": False, "reason": reason}
