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

How each bot is doing (`status`, the facilitator's `GET /api/sessions/{id}/bots`) is a
`state` (`STATES`) with its reason in words (a failure's never quotes a traceback or an
exception's text), the seqs it has seen and acted at, and its failures on the seat; `count`
feeds the `chapter8_bots` gauge.

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
SHARE_S = 2.0
"""How often the host shares the health of the bots it plays with the other processes (a
facilitator's request may land on any of them)."""
RESTART_S = 1.0
"""Least time between two starts of a bot on one seat (doubling while it keeps failing)."""
RESTART_MAX_S = 30.0
ISSUE_TRIES = 20
"""How many times a token's issue may find the log moved on before the host tries later."""
PLAYING = ("lobby", "running", "paused")

Key = tuple[str, str]
"""(session, seat)"""


STATES = ("connecting", "running", "failed", "stopped", "concluded")
"""What a bot this process hosts may be doing (`GET /api/sessions/{id}/bots`' `state`, and the
`chapter8_bots` gauge): starting or reconnecting; playing its seat, connected; stopped by
itself while its seat is still the bot's, to be started again after a pause (`failed`, counted
by `chapter8_bot_failures_total`); stopped by the host (its seat changed hands, or the
session's bots went to another process); stopped because its session concluded."""


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
    failure: str | None = None
    """Why it failed, for a person (never a traceback); None unless it failed."""
    halted: str | None = None
    """Why the host stopped it, for a person; None unless the host did."""

    @property
    def alive(self) -> bool:
        return self.task is not None and not self.task.done()

    @property
    def state(self) -> str:
        if self.alive:
            client = self.client if self.runner is not None else None
            return "running" if client is not None and client.connected else "connecting"
        if self.failure is not None:
            return "failed"
        return "concluded" if self.ended == "concluded" else "stopped"

    def status(self) -> dict[str, Any]:
        running = self.alive
        body: dict[str, Any] = {"seat": self.seat, "strategy": self.strategy}
        if self.runner is not None:
            body.update(self.runner.status())
        else:
            body.update({"connected": False, "seq": None, "acted_seq": None})
        body.update(
            {
                "running": running,
                "ended": None if running else self.ended,
                "state": self.state,
                "reason": self.reason(),
            }
        )
        return body

    def reason(self) -> str | None:
        """The state in a person's words, when it is not simply running."""
        state = self.state
        if state == "connecting":
            client = self.client if self.runner is not None else None
            if client is not None and client.failed_connects:
                tries = "attempt" if client.failed_connects == 1 else "attempts"
                return (
                    f"connecting to the server: {client.failed_connects} {tries} failed,"
                    f" the latest: {client.connect_error}"
                )
            return "connecting to the server"
        if state == "failed":
            return self.failure
        if state == "concluded":
            return "the session concluded"
        if state == "stopped":
            return self.halted or "it stopped"
        return None


def failure_reason(exc: BaseException) -> str:
    """Why a bot failed, for the facilitator: what went wrong, in a sentence, never a
    traceback nor an exception's own text (which may quote a query, a token or a state), but
    for the host's own errors, whose messages are written for this."""
    if isinstance(exc, HostError):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return "timed out talking to the server"
    if isinstance(exc, OSError):
        return "could not reach the server" + (f" ({exc.strerror})" if exc.strerror else "")
    return f"unexpected error ({type(exc).__name__}); the server log has the details"


def ended_reason(hosted: Hosted) -> str:
    """Why a runner that stopped by itself, its seat still the bot's, stopped."""
    closed = hosted.client.closed if hosted.client is not None else None
    code = closed.code if closed is not None else None
    if hosted.ended == "revoked":
        return "its seat token was revoked just after it started"
    if hosted.ended == "refused":
        return "the server refused its connection" + (f" (HTTP {code})" if code else "")
    if hosted.ended == "gone":
        return "the seat was no longer the bot's when its token was issued"
    if hosted.ended == "concluded":
        return "it saw the session concluded before this process did"
    return "its connection was closed"


class HostError(RuntimeError):
    """A failure of the host's own, with a message meant for the facilitator."""


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
        """Per seat still given to its bot: how many times the bot failed there."""
        self._errors: dict[Key, str] = {}
        """Per seat still given to its bot: why the bot last failed there."""
        metrics = service.metrics
        for state in STATES:
            metrics.bots.labels(state=state).set_function(partial(self.count, state))
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
        shared = 0.0
        while True:
            try:
                await self.reconcile()
            except Exception:
                log.exception("bot host: a pass failed")
            if time.monotonic() - shared >= SHARE_S:
                shared = time.monotonic()
                await self._share()
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
                await self._halt(hosted, "concluded" if self._concluded(key[0]) else "stopped")
                self._stopped(hosted)
                self.last[key] = hosted
                self._failures.pop(key, None)
                self._errors.pop(key, None)
                self._next_start.pop(key, None)
            elif done:
                del self.hosted[key]
                self.last[key] = hosted
                self._ended(key, hosted, now)
        loaded = self.service.live_sessions
        for key in [k for k in self.last if k[0] not in loaded]:
            del self.last[key]
        for key, hosted in self.last.items():
            if hosted.failure is not None and wanted.get(key) != hosted.strategy:
                self._stopped(hosted)  # failed, then its seat changed: it will not start again
        playing = {session for session, _seat in wanted}
        for session in [s for s in self.tables if s not in playing]:
            del self.tables[session]
        for pauses in (self._next_start, self._failures, self._errors):
            for key in [k for k in pauses if k not in wanted]:
                del pauses[key]
        for key, strategy in wanted.items():
            if key not in self.hosted and now >= self._next_start.get(key, 0.0):
                self._launch(key, strategy)

    def _ended(self, key: Key, hosted: Hosted, now: float) -> None:
        """A runner stopped by itself while its seat is still a bot's: start it again soon."""
        if (
            hosted.failure is None
            and hosted.ended in ("revoked", "refused")
            and now - hosted.started > RESTART_S
        ):
            # The seat was handed to another bot (its tokens went): the new one starts now.
            hosted.halted = "the seat was handed to a bot again; starting anew"
            self._failures.pop(key, None)
            self._errors.pop(key, None)
            self._next_start[key] = now
            return
        if hosted.failure is None:
            hosted.failure = ended_reason(hosted)
        self._errors[key] = hosted.failure
        self.service.metrics.bot_failures.inc()
        failures = self._failures.get(key, 0) + 1
        self._failures[key] = failures
        pause = min(RESTART_MAX_S, RESTART_S * 2 ** (failures - 1))
        self._next_start[key] = now + pause
        log.info("bot on %s/%s stopped (%s); again in %.0f s", *key, hosted.failure, pause)

    def _launch(self, key: Key, strategy: str) -> None:
        session, seat = key
        hosted = Hosted(session, seat, strategy)
        hosted.task = asyncio.create_task(self._play(hosted), name=f"bot-{session}-{seat}")
        self.hosted[key] = hosted
        log.info("bot %s takes %s in session %s", strategy, seat, session)

    def _concluded(self, session: str) -> bool:
        live = self.service.live_sessions.get(session)
        return live is not None and live.state.status == "concluded"

    def _stopped(self, hosted: Hosted) -> None:
        """The host no longer wants `hosted` to run: it is stopped (or concluded), not failed."""
        hosted.failure = None
        hosted.halted = self._why_not(hosted)

    def _why_not(self, hosted: Hosted) -> str:
        """Why `hosted` no longer runs here, in words."""
        live = self.service.live_sessions.get(hosted.session)
        if live is None or live.stopped:
            return "the session was unloaded from this process"
        if live.state.status == "concluded":
            return "the session concluded"
        held = live.state.seats.get(hosted.seat)
        if held is None or held.bot is None:
            return "the seat was freed or given to a person"
        if held.bot == strategies.EXTERNAL:
            return "the seat was given to a program elsewhere (external)"
        if held.bot != hosted.strategy:
            return f"the seat was given to another bot ({held.bot})"
        if not self.service.lease.holds(hosted.session):
            return "another server process plays the session's bots now"
        return "the session is no longer in play"

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
        except Exception as exc:
            hosted.ended = "failed"
            hosted.failure = failure_reason(exc)
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
        raise HostError("could not issue its seat token: the session kept moving; trying again")

    # --- what the facilitator sees ------------------------------------------------------------

    def status(self, session: str, seats: dict[str, str]) -> list[dict[str, Any]]:
        """Each seat of `session` given to a bot (`seats`: seat -> strategy): whether this
        process plays it (`running`), its `state` (`STATES`, or `starting`, `external`,
        `elsewhere` for a bot this process does not play) with a `reason` in words when it is
        not simply running, how its bot is doing or how it ended, and, while the seat stays
        the bot's, how many times its bot failed here (`failures`) and why, last (`error`)."""
        out = []
        live = self.service.live_sessions.get(session)
        now = time.monotonic()
        wanted = self.wanted()
        for seat, strategy in seats.items():
            key = (session, seat)
            hosted = self.hosted.get(key) or self.last.get(key)
            if hosted is not None and hosted.strategy == strategy:
                body = hosted.status()
                body["failures"] = self._failures.get(key, 0)
                body["error"] = self._errors.get(key)
                due = self._next_start.get(key)
                if body["state"] == "failed" and due is not None:
                    body["retry_in_s"] = round(max(0.0, due - now), 1)
                out.append(body)
            elif strategy == strategies.EXTERNAL:
                out.append(
                    _idle(seat, strategy, "external", "played by a program elsewhere (external)")
                )
            elif live is not None and live.state.status == "concluded":
                out.append(_idle(seat, strategy, "concluded", "the session concluded"))
            elif not self.settings.bots:
                out.append(_idle(seat, strategy, "elsewhere", "this process runs no bots"))
            elif key in wanted:
                out.append(_idle(seat, strategy, "starting", "about to start"))
            else:
                out.append(_idle(seat, strategy, "elsewhere", "not played by this process"))
        return out

    async def _share(self) -> None:
        """Tell the other processes how the bots played here are doing, per session."""
        by_session: dict[str, dict[str, str]] = {}
        for (session, seat), strategy in self.wanted().items():
            by_session.setdefault(session, {})[seat] = strategy
        for session, seats in by_session.items():
            try:
                await asyncio.wait_for(
                    self.service.fanout.share_bots(session, self.status(session, seats)), 2
                )
            except Exception as exc:  # Redis away: the others say "elsewhere" meanwhile
                log.info("bot host: could not share the bots' health (%s)", type(exc).__name__)
                return

    async def status_anywhere(self, session: str, seats: dict[str, str]) -> list[dict[str, Any]]:
        """`status`, with the bots another process plays as that process last shared them
        (`process: "another"`), where it has."""
        here = self.status(session, seats)
        mine = self.wanted()
        if all((session, body["seat"]) in mine or body["state"] == "external" for body in here):
            return here
        try:
            theirs = await asyncio.wait_for(self.service.fanout.others_bots(session), 2)
        except Exception as exc:
            log.info("bot host: could not read the bots' health (%s)", type(exc).__name__)
            return here
        shared = {(b.get("seat"), b.get("strategy")): b for b in theirs}
        out = []
        for body in here:
            other = shared.get((body["seat"], body["strategy"]))
            if (session, body["seat"]) not in mine and other is not None:
                body = {**other, "running": False, "process": "another"}
            out.append(body)
        return out

    def count(self, state: str) -> int:
        """How many bots of the sessions loaded here are in `state` (`STATES`): the
        `chapter8_bots` gauge."""
        seen = list({**self.last, **self.hosted}.values())  # a copy: scrapes run in a thread
        return sum(1 for hosted in seen if hosted.state == state)


def _idle(seat: str, strategy: str, state: str, reason: str) -> dict[str, Any]:
    return {"seat": seat, "strategy": strategy, "running": False, "state": state, "reason": reason}
