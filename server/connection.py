"""One client connection: what it may see, what it may send, and its bounded outbox.

Nothing is written to the socket from the session's writer: messages go into the
connection's outbox, and at the end of the event loop's turn one flush (shared by every
connection that got messages in that turn) writes each connection's messages, all of them in
one write of whole frames (`server.frames`), when its socket takes writes. The outbox counts
sends, not messages: everything queued for the connection in one turn (a committed batch's
`events` and the replies to its commands, which can be hundreds when a client pipelines) is
one send. While the socket's buffer is full, sends wait in the outbox for a sender task; a
client that lets `send_queue` sends pile up is disconnected (close code 4008) instead of
growing the server's memory; it can reconnect with `since` and lose nothing. (A bound on
messages would drop a client that reads promptly but pipelines many commands: one batch
answers them all at once.) Under an ASGI server that offers no frame writer, the sender task
sends every message through ASGI.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from game.commands import COMMAND_ADAPTER, FACILITATOR_TYPES, PLAYER_TYPES
from game.disclosure import Viewer
from game.errors import Code
from game.events import Ev
from game.protocol import CLIENT_TYPES, PROTOCOL, CloseCode, Pong, Rejected, ServerCode
from game.state import SessionState
from game.views import project, view
from server.auth import Principal
from server.chain import canonical
from server.clock import now_ms
from server.fanout import Published
from server.frames import FrameWriter
from server.metrics import Metrics
from server.ratelimit import TokenBucket
from server.service.live import LiveSession
from server.service.work import CommandWork, ControlWork, Reply
from server.settings import Settings

log = logging.getLogger(__name__)

SendText = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]
CLIENT_COMMANDS = PLAYER_TYPES | FACILITATOR_TYPES


class Connection:
    def __init__(
        self,
        principal: Principal,
        live: LiveSession,
        settings: Settings,
        metrics: Metrics,
        send_text: SendText,
        close: Close,
        frames: FrameWriter | None = None,
    ) -> None:
        self.principal = principal
        self.live = live
        self.settings = settings
        self.metrics = metrics
        self.viewer = principal.viewer
        # Projections depend on the viewer's role and team, never its seat: one projection
        # serves every seat of a team (and with seat=None nothing seat-specific can slip in).
        self.team_viewer = Viewer(role=self.viewer.role, team=self.viewer.team)
        self.synced = 0
        self.outbox: deque[list[bytes]] = deque()
        """Sends not written yet: the messages (UTF-8 JSON) of one event-loop turn each."""
        self._open: list[bytes] | None = None
        """The send this turn is filling (sealed by the turn's flush)."""
        self._frames = frames
        self._flusher = _flusher(asyncio.get_running_loop())
        self._wake: asyncio.Future[None] | None = None
        self.bucket = TokenBucket(settings.rate_per_s, settings.rate_burst)
        self._send_text = send_text
        self._close = close
        self.closed = False
        self.close_code: int | None = None

    def __hash__(self) -> int:
        return id(self)

    # --- outgoing -----------------------------------------------------------------------------

    def enqueue(self, data: bytes) -> None:
        if self.closed:
            return
        batch = self._open
        if batch is None:
            if len(self.outbox) >= self.settings.send_queue:
                self.metrics.slow_consumers.inc()
                self.close(CloseCode.SLOW_CONSUMER, "slow consumer: reconnect with since")
                return
            batch = self._open = []
            self.outbox.append(batch)
            self._flusher.add(self)
        batch.append(data)

    def flush(self) -> None:
        """End of the turn: write what is queued at once, if the socket takes writes now;
        otherwise the sender task waits for it (or sends through ASGI)."""
        self._open = None
        if self.closed or not self.outbox:
            return
        frames = self._frames
        if frames is not None and self._wake is not None and frames.writable:
            self._write(frames)
        else:
            self._wakeup()

    def _write(self, frames: FrameWriter) -> None:
        outbox = self.outbox
        messages = outbox.popleft() if len(outbox) == 1 else [m for b in outbox for m in b]
        outbox.clear()
        self._open = None  # whatever is queued later in this turn starts a new send
        frames.write(messages)

    def _wakeup(self) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    def send_model(self, message: BaseModel) -> None:
        self.enqueue(type(message).__pydantic_serializer__.to_json(message))

    def send_events(self, first: int, last: int, events: list[Ev]) -> None:
        state = self.live.state
        parts = []
        for event in events:
            seen = project(event, self.team_viewer, state)
            if seen is not None:
                parts.append(canonical(seen))
        self.enqueue(_events_message(first, last, parts))

    def send_snapshot(self, state: SessionState, reason: str) -> None:
        body = view(state, self.viewer).model_dump(mode="json")
        message = {
            "protocol": PROTOCOL,
            "type": "snapshot",
            "seq": state.seq,
            "reason": reason,
            "view": body,
        }
        self.enqueue(orjson.dumps(message))

    def on_published(self, published: Published) -> None:
        """Called by the fan-out with each committed batch (in the writer's task)."""
        if published.last <= self.synced:
            return
        memo = published.memo
        key = ("events", self.team_viewer)
        data = memo.get(key)
        if data is None:
            data = memo[key] = _events_for(published, self.team_viewer)
        self.enqueue(data)
        self.synced = published.last
        if published.declassified:
            self.send_snapshot(published.state, "declassified")

    def reply(self, reply: Reply, extra: dict[str, Any]) -> None:
        self.send_model(reply)

    def close(self, code: int, reason: str) -> None:
        """Close from inside the server (slow consumer, revoked seat); idempotent."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self.live.detach(self)
        # Drop what is queued: the client will resync. Wake the sender so that it ends.
        self.outbox.clear()
        self._open = None
        self._wakeup()
        asyncio.get_running_loop().create_task(self._close(code, reason))

    async def sender(self) -> None:
        """Writes what the turn's flush could not: while the socket's buffer is full (frame
        writer), or every message (through ASGI, when the server offers no frame writer)."""
        outbox = self.outbox
        loop = asyncio.get_running_loop()
        frames = self._frames
        while True:
            while not outbox:
                if self.closed:
                    return
                self._wake = loop.create_future()
                await self._wake
                self._wake = None
            if frames is not None:
                if not frames.writable:
                    await frames.drained()
                if self.closed:
                    return
                if outbox:
                    self._write(frames)
                continue
            batch = outbox.popleft()
            if batch is self._open:
                self._open = None  # taken before its turn ended: later messages start anew
            for data in batch:
                if self.closed:
                    return
                await self._send_text(data.decode())

    # --- incoming -----------------------------------------------------------------------------

    def receive(self, data: str | bytes) -> None:
        """Handle one frame from the client. Every refusal is a `rejected` reply."""
        retry = self.bucket.take()
        if retry is not None:
            self._reject(None, ServerCode.RATE_LIMITED, "too many messages", retry)
            return
        size = (
            len(data)
            if isinstance(data, bytes) or len(data) * 4 <= self.settings.frame_cap
            else len(data.encode())
        )
        if size > self.settings.frame_cap:
            self._reject(
                None,
                ServerCode.TOO_LARGE,
                f"frames are capped at {self.settings.frame_cap} bytes",
            )
            return
        try:
            message = orjson.loads(data)
        except orjson.JSONDecodeError:
            self._reject(None, ServerCode.BAD_JSON, "the frame is not valid JSON")
            return
        if not isinstance(message, dict):
            self._reject(None, ServerCode.BAD_MESSAGE, "a message is a JSON object")
            return
        kind = message.get("type")
        if message.get("protocol", PROTOCOL) != PROTOCOL:
            self._reject(None, ServerCode.BAD_MESSAGE, f"this server speaks protocol {PROTOCOL}")
        elif kind == "command":
            self._command(message)
        elif kind == "sync":
            self._sync(message)
        elif kind == "ping":
            nonce = message.get("nonce")
            self.send_model(
                Pong(nonce=nonce if isinstance(nonce, str) else None, server_time=now_ms())
            )
        else:
            self._reject(
                None,
                ServerCode.UNKNOWN_TYPE,
                f"unknown message type; expected one of {', '.join(CLIENT_TYPES)}",
            )

    def _command(self, message: dict[str, Any]) -> None:
        cid = message.get("id")
        if not _valid_id(cid):
            self._reject(
                None, ServerCode.BAD_MESSAGE, "a command needs an id: 1-80 of A-Z a-z 0-9 . _ : -"
            )
            return
        body = message.get("command")
        kind = body.get("type") if isinstance(body, dict) else None
        if kind == "tick":
            self._reject(cid, ServerCode.FORBIDDEN, "only the server's clock ticks")
            return
        if kind not in CLIENT_COMMANDS:
            self._reject(cid, ServerCode.UNKNOWN_TYPE, "unknown command type")
            return
        try:
            command = COMMAND_ADAPTER.validate_python(body)
        except ValidationError as exc:
            self._reject(cid, Code.BAD_COMMAND, _explain(exc))
            return
        self.live.submit(
            CommandWork(
                actor=self.principal.actor,
                key=self.principal.key,
                command=command,
                cid=cid,
                respond=self.reply,
            )
        )

    def _sync(self, message: dict[str, Any]) -> None:
        since = message.get("since")
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            self._reject(None, ServerCode.BAD_MESSAGE, "sync needs since: the last seq you hold")
            return
        fresh = message.get("snapshot", False)
        if not isinstance(fresh, bool):
            self._reject(None, ServerCode.BAD_MESSAGE, "sync's snapshot is true or false")
            return
        future = asyncio.get_running_loop().create_future()
        work = self._resnapshot if fresh else lambda: self.live.catch_up(self, since)
        self.live.submit(ControlWork(work, future))

    def _resnapshot(self) -> None:
        """A fresh snapshot on request (run between batches, like a catch-up)."""
        state = self.live.state
        self.send_snapshot(state, "resync")
        self.synced = state.seq

    def _reject(
        self, cid: str | None, code: ServerCode | Code, reason: str, retry: int | None = None
    ) -> None:
        self.metrics.rejections.labels(str(code)).inc()
        self.send_model(Rejected(id=cid, code=code, reason=reason, retry_ms=retry))


def _valid_id(cid: object) -> bool:
    if not isinstance(cid, str) or not 1 <= len(cid) <= 80:
        return False
    return all(c.isascii() and (c.isalnum() or c in "._:-") for c in cid)


def _explain(exc: ValidationError) -> str:
    """A person's reason from a validation error: where and what, never the input echoed."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:3]:
        where = ".".join(str(p) for p in error["loc"][1:]) or "command"
        parts.append(f"{where}: {error['msg']}")
    return "invalid command: " + "; ".join(parts)


def _events_for(published: Published, viewer: Viewer) -> bytes:
    """The `events` message of a committed batch as `viewer` sees it. An event the viewer
    sees whole (the projection is the event itself, as for most events and most viewers) is
    spliced in as its canonical JSON, made once for the hash chain; only a projection that
    differs is serialised here."""
    state = published.state
    bodies = published.bodies
    if bodies is None:  # a batch read back from the store: each event is serialised once
        bodies = published.bodies = [canonical(e) for e in published.events]
    parts = []
    for i, event in enumerate(published.events):
        seen = project(event, viewer, state)
        if seen is None:
            continue
        parts.append(bodies[i] if seen is event else canonical(seen))
    return _events_message(published.first, published.last, parts)


_EVENTS = b'{"protocol":%d,"type":"events","first":%d,"last":%d,"events":[%b]}'


def _events_message(first: int, last: int, parts: list[bytes]) -> bytes:
    """An `events` message (the Events model's exact shape) from its events' JSON: built as
    bytes because this is the hot path."""
    return _EVENTS % (PROTOCOL, first, last, b",".join(parts))


class _Flusher:
    """Flushes, once at the end of the event loop's turn, every connection that got messages
    in it: one callback per turn, not one task switch per connection."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.dirty: list[Connection] = []

    def add(self, connection: Connection) -> None:
        if not self.dirty:
            self.loop.call_soon(self.run)
        self.dirty.append(connection)

    def run(self) -> None:
        dirty, self.dirty = self.dirty, []
        for connection in dirty:
            try:
                connection.flush()
            except Exception:
                log.exception("flushing a connection failed")


_FLUSHERS: dict[asyncio.AbstractEventLoop, _Flusher] = {}


def _flusher(loop: asyncio.AbstractEventLoop) -> _Flusher:
    flusher = _FLUSHERS.get(loop)
    if flusher is None:
        for old in [k for k in _FLUSHERS if k.is_closed()]:
            del _FLUSHERS[old]
        flusher = _FLUSHERS[loop] = _Flusher(loop)
    return flusher
