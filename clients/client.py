"""The async Python client: one seat's (or the facilitator's) connection to a session.

It speaks only the protocol models (`game/protocol.py`): it joins with a join link or code over
REST (`clients.rest`), connects with its token in the handshake, keeps the viewer's view by
folding the projected events onto its snapshot with the engine's own `evolve`, notices a gap
in `seq` and asks for a `sync`, reconnects with backoff and `?since=`, and resends every
unanswered command with the same id (the server applies an id at most once).

    seat = await join_link("http://127.0.0.1:8000/join/5f0c2a9e13b4/au.1#<code>", name="Amina")
    async with Client.for_seat(seat) as client:
        reply = await client.send(Say(channel="floor", text="The AU is ready."))
        async for update in client.events():
            ...   # each projected event once, in seq order (and any fresh Snapshot)

docs/clients.md has the whole tour.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from clients.rest import Seat, websocket_url
from game import engine
from game.commands import COMMAND_ADAPTER, Command
from game.disclosure import Viewer
from game.events import EVENT_ADAPTER, Ev
from game.protocol import (
    PROTOCOL,
    Accepted,
    CloseCode,
    Presence,
    Rejected,
    ServerCode,
    Snapshot,
    Welcome,
)
from game.state import SessionState
from game.views import View, project_state, view

log = logging.getLogger(__name__)

Reply = Accepted | Rejected
Update = Ev | Snapshot
"""What `Client.events()` yields: each projected event once, in order, and every snapshot
(which replaces the view: on connect, after a resync, when secrets are declassified)."""

FATAL_STATUS = (401, 403, 404)
"""Upgrade refusals that no retry mends (a bad or revoked token, no such session)."""


def connect_failure(exc: BaseException) -> str:
    """Why an attempt to connect failed, in words."""
    if isinstance(exc, TimeoutError):
        return "the connection timed out"
    if isinstance(exc, InvalidHandshake):
        return "the websocket handshake failed"
    if isinstance(exc, OSError) and exc.strerror:
        return f"could not reach the server ({exc.strerror})"
    return "could not reach the server"


class ClientClosed(Exception):
    """The client stopped for good: closed by its owner, or refused (revoked seat, bad token).
    Commands still unanswered fail with it."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.code = code


class CommandRejected(Exception):
    def __init__(self, rejected: Rejected) -> None:
        super().__init__(f"{rejected.code}: {rejected.reason}")
        self.rejected = rejected
        self.code = str(rejected.code)


@dataclass
class _Pending:
    id: str
    command: Command
    text: str
    future: asyncio.Future[Reply]
    sent_on: int | None = None
    """The connection (its number) this command was last written to, None if never."""


@dataclass
class Stats:
    connects: int = 0
    snapshots: int = 0
    events: int = 0
    duplicates: int = 0
    """Events at or below the seq already held, skipped (none expected from a correct server)."""
    gaps: int = 0
    """`events` messages that did not follow the last seq held: each led to a `sync`."""
    resent: int = 0
    """Commands written again on a later connection (same id)."""
    rate_limited: int = 0


class _Bucket:
    """The server's token bucket mirrored on the client, so it never sends into a refusal."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.at = time.monotonic()

    def wait(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Client:
    """A connection to one session that survives disconnects. Create it with `for_seat`,
    `join`/`from_link` (REST first) or directly with a websocket URL and a token, then
    `await start()` (or `async with`)."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        id_prefix: str | None = None,
        min_backoff: float = 0.05,
        max_backoff: float = 5.0,
        open_timeout: float = 10.0,
        pace: bool = True,
    ) -> None:
        self.url = url
        self.token = token
        self.id_prefix = id_prefix or secrets.token_hex(4)
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.open_timeout = open_timeout
        self.pace = pace
        self.welcome: Welcome | None = None
        self.presence: Presence | None = None
        self.seq = 0
        self.stats = Stats()
        self.errors: list[Rejected] = []
        """Rejections the server could not tie to a command (`id` null)."""
        self.failed_connects = 0
        """Attempts to connect that failed since the last one that succeeded."""
        self.connect_error: str | None = None
        """Why the latest of those failed, in words (no exception text: it may quote a URL)."""
        self._state: SessionState | None = None
        self._view: View | None = None
        self._viewer: Viewer | None = None
        self._pending: dict[str, _Pending] = {}
        self._control: list[str] = []
        self._n = 0
        self._ws: ClientConnection | None = None
        self._conn = 0
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._subs: list[asyncio.Queue[Update | None]] = []
        self._task: asyncio.Task[None] | None = None
        self._closed: ClientClosed | None = None
        self._syncing = False
        self._bucket: _Bucket | None = None

    # --- making one -------------------------------------------------------------------------

    @classmethod
    def for_seat(cls, seat: Seat, **kwargs: Any) -> Client:
        return cls(seat.websocket, seat.token, **kwargs)

    @classmethod
    def for_token(cls, base: str, session: str, token: str, **kwargs: Any) -> Client:
        """A client for a token already held (a seat's, or the facilitator's)."""
        return cls(websocket_url(base.rstrip("/"), session), token, **kwargs)

    @classmethod
    async def from_link(cls, link: str, name: str | None = None, **kwargs: Any) -> Client:
        """Join the seat of a join link over REST; the client is not started yet."""
        from clients.rest import join_link

        return cls.for_seat(await join_link(link, name), **kwargs)

    async def __aenter__(self) -> Client:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self, timeout: float = 30.0) -> None:
        """Connect, and return once the first view (a snapshot) is held."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"client-{self.id_prefix}")
        await self.until(lambda c: c._state is not None, timeout)

    async def close(self) -> None:
        if self._closed is None:
            self._stop(ClientClosed("closed by the client"))
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def drop(self) -> None:
        """Close the current socket as a network failure would (the client reconnects)."""
        ws = self._ws
        if ws is not None:
            ws.transport.abort()  # type: ignore[union-attr]
            with contextlib.suppress(Exception):
                await ws.wait_closed()

    # --- what it holds ----------------------------------------------------------------------

    @property
    def viewer(self) -> Viewer | None:
        return self._viewer

    @property
    def state(self) -> SessionState:
        """The session state as this viewer sees it (the snapshot with the events folded)."""
        if self._state is None:
            raise RuntimeError("no view yet: await start()")
        return self._state

    @property
    def view(self) -> View:
        """The viewer's whole view now, as the server's snapshot at `seq` would give it."""
        if self._view is None:
            assert self._viewer is not None
            self._view = view(self.state, self._viewer).model_copy(update={"seq": self.seq})
        return self._view

    def comparable(self) -> dict[str, Any]:
        """The view's state as data, without `seq`/`at` (which hidden events move)."""
        assert self._viewer is not None
        return project_state(self.state, self._viewer).model_dump(
            mode="json", exclude={"seq", "at"}
        )

    @property
    def connected(self) -> bool:
        return self._ws is not None

    @property
    def closed(self) -> ClientClosed | None:
        return self._closed

    @property
    def pending(self) -> list[str]:
        """Ids of commands sent (or queued) and not answered yet."""
        return list(self._pending)

    # --- commands ---------------------------------------------------------------------------

    def next_id(self) -> str:
        self._n += 1
        return f"{self.id_prefix}-{self._n}"

    def submit(
        self, command: Command | dict[str, Any], id: str | None = None
    ) -> asyncio.Future[Reply]:
        """Queue a command; the future gets its `Accepted` or `Rejected`. It is written now if
        connected, else on the next connection, and again after every reconnect until answered."""
        if self._closed is not None:
            raise self._closed
        if isinstance(command, dict):
            command = COMMAND_ADAPTER.validate_python(command)
        cid = id or self.next_id()
        if cid in self._pending:
            return self._pending[cid].future
        message = {
            "protocol": PROTOCOL,
            "type": "command",
            "id": cid,
            "command": command.model_dump(mode="json", exclude_defaults=False),
        }
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending[cid] = _Pending(cid, command, orjson.dumps(message).decode(), future)
        self._wake.set()
        return future

    async def send(
        self,
        command: Command | dict[str, Any],
        *,
        id: str | None = None,
        timeout: float | None = 30.0,
        wait_events: bool = True,
    ) -> Reply:
        """Send a command and await its reply; with `wait_events`, an accepted command returns
        once its events are in the local view."""
        reply = await asyncio.wait_for(self.submit(command, id), timeout)
        if wait_events and isinstance(reply, Accepted) and reply.seqs:
            target = max(reply.seqs)
            await self.until(lambda c: c.seq >= target, timeout)
        return reply

    async def do(self, command: Command | dict[str, Any], **kwargs: Any) -> Accepted:
        """`send`, raising `CommandRejected` for a rejection."""
        reply = await self.send(command, **kwargs)
        if isinstance(reply, Rejected):
            raise CommandRejected(reply)
        return reply

    def sync(self) -> None:
        """Ask for everything after the last seq held."""
        self._syncing = True
        self._control.append(
            orjson.dumps({"protocol": PROTOCOL, "type": "sync", "since": self.seq}).decode()
        )
        self._wake.set()

    # --- watching ---------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[Update]:
        """Every update from now on: each projected event once, in seq order, and each
        snapshot. Ends when the client closes."""
        queue: asyncio.Queue[Update | None] = asyncio.Queue()
        self._subs.append(queue)
        try:
            while True:
                item = await queue.get()
                if item is None:
                    return
                yield item
        finally:
            self._subs.remove(queue)

    async def until(
        self, predicate: Callable[[Client], bool], timeout: float | None = 30.0
    ) -> None:
        """Wait until `predicate(client)` holds (checked after every change)."""

        async def wait() -> None:
            while not predicate(self):
                if self._closed is not None:
                    raise self._closed
                changed = self._changed
                await changed.wait()

        await asyncio.wait_for(wait(), timeout)

    def _notify(self, item: Update | None = None) -> None:
        self._view = None
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        if item is not None:
            for queue in self._subs:
                queue.put_nowait(item)

    # --- the connection ---------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self.min_backoff
        while self._closed is None:
            url = self.url if self._state is None else f"{self.url}?since={self.seq}"
            try:
                ws = await connect(
                    url,
                    additional_headers={"Authorization": f"Bearer {self.token}"},
                    compression=None,
                    open_timeout=self.open_timeout,
                    max_size=2**26,
                    ping_interval=20,
                    ping_timeout=20,
                )
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in FATAL_STATUS:
                    self._stop(ClientClosed(f"refused: HTTP {status}", status))
                    return
                log.info("connect refused (%s); retrying", status)
                self._connect_failed(f"the server answered HTTP {status}")
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                log.info("connect failed (%s); retrying", exc)
                self._connect_failed(connect_failure(exc))
            else:
                self._conn += 1
                self.failed_connects, self.connect_error = 0, None
                self._ws = ws
                self._syncing = False
                self.stats.connects += 1
                writer = asyncio.create_task(self._writer(ws, self._conn))
                try:
                    async for text in ws:
                        if self._on_message(orjson.loads(text)):
                            delay = self.min_backoff
                except ConnectionClosed:
                    pass
                finally:
                    self._ws = None
                    writer.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await writer
                code = ws.close_code
                if code == CloseCode.REVOKED:
                    self._stop(ClientClosed("the seat changed hands: token revoked", code))
                    return
                self._notify()
            if self._closed is not None:
                return
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(self.max_backoff, delay * 2)

    def _connect_failed(self, why: str) -> None:
        self.failed_connects += 1
        self.connect_error = why

    async def _writer(self, ws: ClientConnection, conn: int) -> None:
        """Writes control messages, then every pending command not yet written on this
        connection (so a reconnect resends the unanswered ones, same ids, in order)."""
        while True:
            self._wake.clear()
            while self._control:
                await ws.send(self._control.pop(0))
            for pending in list(self._pending.values()):
                if pending.sent_on == conn or pending.id not in self._pending:
                    continue
                if self.pace and self._bucket is not None:
                    while (pause := self._bucket.wait()) > 0:
                        await asyncio.sleep(pause)
                if pending.sent_on is not None:
                    self.stats.resent += 1
                pending.sent_on = conn
                await ws.send(pending.text)
            await self._wake.wait()

    def _stop(self, reason: ClientClosed) -> None:
        self._closed = reason
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(reason)
                pending.future.exception()  # read, so an unawaited one logs nothing
        self._pending.clear()
        for queue in self._subs:
            queue.put_nowait(None)
        self._notify()

    # --- what the server says ---------------------------------------------------------------

    def _on_message(self, message: dict[str, Any]) -> bool:
        """Apply one server message; True once the connection is known good (welcome)."""
        kind = message.get("type")
        if kind == "events":
            self._on_events(message)
        elif kind in ("accepted", "rejected"):
            self._on_reply(message)
        elif kind == "snapshot":
            snapshot = Snapshot.model_validate(message)
            self._state = snapshot.view.state
            self._viewer = snapshot.view.viewer
            self.seq = snapshot.seq
            self._syncing = False
            self.stats.snapshots += 1
            self._notify(snapshot)
        elif kind == "welcome":
            self.welcome = Welcome.model_validate(message)
            self._viewer = self.welcome.viewer
            limits = self.welcome.limits
            # A little under the server's rate, so the client never trips it.
            self._bucket = _Bucket(limits.rate_per_s * 0.9, max(1, limits.rate_burst // 2))
            return True
        elif kind == "presence":
            self.presence = Presence.model_validate(message)
            self._notify()
        return False

    def _on_events(self, message: dict[str, Any]) -> None:
        first, last = message["first"], message["last"]
        state = self._state
        if state is None or last <= self.seq:
            self.stats.duplicates += len(message["events"])
            return
        if first > self.seq + 1:
            # Something was missed: ask for it once, and drop what comes until it arrives.
            self.stats.gaps += 1
            if not self._syncing:
                self.sync()
            return
        self._syncing = False
        fresh = []
        for body in message["events"]:
            if body["seq"] <= max(self.seq, state.seq):
                self.stats.duplicates += 1
                continue
            event = EVENT_ADAPTER.validate_python(body)
            engine.evolve(state, event, strict=False)
            fresh.append(event)
        self.seq = last
        self.stats.events += len(fresh)
        if not fresh:
            self._notify()
        for event in fresh:
            self._notify(event)

    def _on_reply(self, message: dict[str, Any]) -> None:
        reply: Reply = (
            Accepted.model_validate(message)
            if message["type"] == "accepted"
            else Rejected.model_validate(message)
        )
        cid = message.get("id")
        if cid is None:
            assert isinstance(reply, Rejected)
            self.errors.append(reply)
            if reply.code == ServerCode.RATE_LIMITED:
                # Some command was refused unread: write the unanswered ones again once the
                # bucket refills (an id already applied is answered, not applied, again).
                self.stats.rate_limited += 1
                asyncio.get_running_loop().call_later(
                    (reply.retry_ms or 100) / 1000, self._resend_all
                )
            return
        pending = self._pending.pop(cid, None)
        if pending is not None and not pending.future.done():
            pending.future.set_result(reply)
        self._notify()

    def _resend_all(self) -> None:
        for pending in self._pending.values():
            pending.sent_on = None
        self._wake.set()
