"""The Redis fan-out: several server processes, one PostgreSQL (the truth), one Redis (the news).

Redis carries notices only: on channel `<prefix>:moved:<session>` a process that committed a
batch publishes `"<seq> <node>"`, "session X moved on to seq N". The processes that follow X
(a `LiveSession` of X is loaded there: it has players connected, or holds X's clock) read the
events after their own head from the database and hand them to their connections. Nothing of
a session's content goes through Redis, so nothing in Redis needs to be durable, ordered or
delivered: a notice lost is a delay, never a gap.

- Publishing never blocks the writer: `publish` records the newest seq per session and a task
  sends them, pipelined. While Redis is down, notices wait (one per session, the newest) and
  go out when it is back.
- Subscribing is one connection per process, one channel per followed session. After every
  (re)subscription the follower is told `on_moved(None)`: look at the store now, since notices
  may have gone by while no one listened. The session service also polls the heads of its
  sessions every `CHAPTER8_CATCHUP_S` seconds, the safety net for a notice lost while both
  sides believed they were connected.
- Presence: each process keeps its counts for a session in the hash `<prefix>:presence:<session>`
  (one field per process, stamped with the time) and says `"p <node>"` on the session's channel
  when they change; the others read the hash again. Every few seconds each process stamps its
  fields afresh and reads again the sessions it watches, so the counts of a process that died
  without a word fade out after `PRESENCE_STALE_MS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

import orjson
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from server.fanout import Counts, InProcessFanout, Listener, OnMoved, OnPresence, Published

log = logging.getLogger(__name__)

PRESENCE_EVERY_S = 5.0
"""How often a process stamps its presence afresh and reads the others' again."""
PRESENCE_STALE_MS = 20_000
"""Presence not stamped for this long is a dead process's: it no longer counts."""
BOTS_TTL_S = 5
"""How long the health a process shares of its bots stands (it shares it every
`bothost.SHARE_S`)."""
READ_WAIT_S = 0.25
"""How long the subscriber waits for a message before it looks at (un)subscriptions."""
BACKOFF_S = (0.1, 2.0)
"""First and longest pause between two attempts to reach Redis."""


def new_node_id() -> str:
    """This process, as its notices name it (so it can ignore its own)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class RedisFanout:
    def __init__(self, url: str, *, prefix: str = "chapter8", node: str | None = None) -> None:
        self.url = url
        self.prefix = prefix
        self.node = node or new_node_id()
        self.local = InProcessFanout()
        self.connected = False
        """Whether the subscriber holds a live subscription (for /readyz and the tests)."""
        self.notices_sent = 0
        self.notices_heard = 0
        self._watchers: dict[str, OnMoved] = {}
        self._outbox: dict[str, int] = {}
        self._on_presence: dict[str, OnPresence] = {}
        self._mine: dict[str, Counts] = {}
        """This process's presence per session, as last shared."""
        self._presence_out: set[str] = set()
        """Sessions whose presence changed here: write it and tell the others."""
        self._presence_stamp: set[str] = set()
        """Sessions whose presence to stamp afresh (unchanged: nobody needs telling)."""
        self._presence_in: set[str] = set()
        self._theirs: dict[str, dict[str, tuple[int, Counts]]] = {}
        self._read_wake: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._changed = True
        self._tasks: list[asyncio.Task[None]] = []
        self._bots: Redis | None = None

    # --- the Fanout interface -----------------------------------------------------------------

    def subscribe(self, session: str, listener: Listener) -> Callable[[], None]:
        return self.local.subscribe(session, listener)

    def listeners(self, session: str) -> int:
        return self.local.listeners(session)

    def publish(self, published: Published) -> None:
        self.local.publish(published)
        self._announce(published.session, published.last)

    def deliver(self, published: Published) -> None:
        self.local.publish(published)

    def watch(
        self, session: str, on_moved: OnMoved, on_presence: OnPresence | None = None
    ) -> Callable[[], None]:
        self._watchers[session] = on_moved
        if on_presence is not None:
            self._on_presence[session] = on_presence
            self._ask_presence(session)
        self._changed = True

        def unwatch() -> None:
            if self._watchers.get(session) is on_moved:
                del self._watchers[session]
                self._on_presence.pop(session, None)
                self._theirs.pop(session, None)
                if not _present(self._mine.get(session, {})):
                    self._mine.pop(session, None)
                self._changed = True

        return unwatch

    def share_presence(self, session: str, counts: Counts) -> None:
        if self._mine.get(session) == counts:
            return
        self._mine[session] = counts
        self._presence_out.add(session)
        if self._wake is not None:
            self._wake.set()

    def others_presence(self, session: str) -> list[Counts]:
        fresh = _now_ms() - PRESENCE_STALE_MS
        return [c for at, c in self._theirs.get(session, {}).values() if at >= fresh]

    async def share_bots(self, session: str, statuses: list[dict]) -> None:
        # A key that expires: a process that dies stops vouching for its bots within BOTS_TTL_S.
        client = self._bots_client()
        await client.set(self.bots_key(session), orjson.dumps(statuses), ex=BOTS_TTL_S)

    async def others_bots(self, session: str) -> list[dict]:
        raw = await self._bots_client().get(self.bots_key(session))
        if not raw:
            return []
        with contextlib.suppress(ValueError, TypeError):
            found = orjson.loads(raw)
            if isinstance(found, list):
                return [s for s in found if isinstance(s, dict)]
        return []

    def _bots_client(self) -> Redis:
        if self._bots is None:
            self._bots = _client(self.url, socket_timeout=1)
        return self._bots

    def _ask_presence(self, session: str) -> None:
        self._presence_in.add(session)
        if self._read_wake is not None:
            self._read_wake.set()

    async def start(self) -> None:
        self._wake = asyncio.Event()
        self._read_wake = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._publishing(), name="fanout-publish"),
            asyncio.create_task(self._subscribing(), name="fanout-subscribe"),
            asyncio.create_task(self._presence(), name="fanout-presence"),
        ]

    async def close(self) -> None:
        present = [s for s, c in self._mine.items() if _present(c)]
        if present:
            # Leaving: this process's connections go with it (a killed one fades out instead).
            client = _client(self.url, socket_timeout=1)
            with contextlib.suppress(Exception):
                async with client.pipeline(transaction=False) as pipe:
                    for session in present:
                        pipe.hdel(self.presence_key(session), self.node)
                        pipe.publish(self.channel(session), f"p {self.node}")
                    await pipe.execute()
            with contextlib.suppress(Exception):
                await client.aclose()
        if self._bots is not None:
            with contextlib.suppress(Exception):
                await self._bots.aclose()
            self._bots = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        self.connected = False

    # --- sending ------------------------------------------------------------------------------

    def channel(self, session: str) -> str:
        return f"{self.prefix}:moved:{session}"

    def bots_key(self, session: str) -> str:
        return f"{self.prefix}:bots:{session}"

    def presence_key(self, session: str) -> str:
        return f"{self.prefix}:presence:{session}"

    def _announce(self, session: str, seq: int) -> None:
        if seq > self._outbox.get(session, 0):
            self._outbox[session] = seq
        if self._wake is not None:
            self._wake.set()

    async def _publishing(self) -> None:
        assert self._wake is not None
        client = _client(self.url)
        down = False
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                notices, self._outbox = self._outbox, {}
                presence, self._presence_out = self._presence_out, set()
                stamps, self._presence_stamp = self._presence_stamp - presence, set()
                if not notices and not presence and not stamps:
                    continue
                try:
                    async with client.pipeline(transaction=False) as pipe:
                        for session, seq in notices.items():
                            pipe.publish(self.channel(session), f"{seq} {self.node}")
                        at = _now_ms()
                        for session in presence | stamps:
                            key = self.presence_key(session)
                            counts = self._mine.get(session, {})
                            pipe.hset(key, self.node, orjson.dumps({"at": at, **counts}))
                            pipe.pexpire(key, PRESENCE_STALE_MS * 3)
                            if session in presence:
                                pipe.publish(self.channel(session), f"p {self.node}")
                        await pipe.execute()
                    self.notices_sent += len(notices)
                    if down:
                        log.warning("fan-out: Redis answers again; notices flow")
                        down = False
                except Exception as exc:
                    if not down:
                        log.warning("fan-out: cannot publish to Redis (%s); notices wait", exc)
                        down = True
                    for session, seq in notices.items():
                        self._announce(session, seq)
                    self._presence_out |= presence
                    self._presence_stamp |= stamps
                    await asyncio.sleep(BACKOFF_S[0] * 5)
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()

    # --- receiving ----------------------------------------------------------------------------

    async def _subscribing(self) -> None:
        pause = BACKOFF_S[0]
        outage = False
        while True:
            client = _client(self.url, health_check_interval=10)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(f"{self.prefix}:hello")
                subscribed: set[str] = set()
                self._changed = True
                while True:
                    if self._changed:
                        self._changed = False
                        wanted = set(self._watchers)
                        add, drop = wanted - subscribed, subscribed - wanted
                        if add:
                            await pubsub.subscribe(*(self.channel(s) for s in add))
                        if drop:
                            await pubsub.unsubscribe(*(self.channel(s) for s in drop))
                        subscribed = wanted
                    message = await pubsub.get_message(timeout=READ_WAIT_S)
                    if message is not None:
                        if not self.connected and message["type"] == "subscribe":
                            self.connected = True
                            if outage:
                                log.warning("fan-out: subscribed to Redis again")
                                outage = False
                        self._heard(message)
                        pause = BACKOFF_S[0]
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not outage:
                    log.warning(
                        "fan-out: lost Redis (%s); following the store till it is back", exc
                    )
                    outage = True
            finally:
                self.connected = False
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(pause)
            pause = min(pause * 2, BACKOFF_S[1])

    def _heard(self, message: dict) -> None:
        kind = message["type"]
        channel = message["channel"]
        if isinstance(channel, bytes):
            channel = channel.decode()
        head = f"{self.prefix}:moved:"
        if not channel.startswith(head):
            return
        watcher = self._watchers.get(channel[len(head) :])
        if watcher is None:
            return
        session = channel[len(head) :]
        if kind == "subscribe":
            # Subscribed (again): whatever was announced before this moment went unheard.
            watcher(None)
            if session in self._on_presence:
                self._ask_presence(session)
        elif kind == "message":
            data = message["data"]
            text = data.decode() if isinstance(data, bytes) else str(data)
            seq, _, node = text.partition(" ")
            if node == self.node:
                return
            if seq.isdigit():
                self.notices_heard += 1
                watcher(int(seq))
            elif seq == "p" and session in self._on_presence:
                self._ask_presence(session)

    # --- presence -----------------------------------------------------------------------------

    async def _presence(self) -> None:
        """Read the others' presence where asked (a `p` notice, a new watcher), and every
        `PRESENCE_EVERY_S` stamp this process's afresh and read every watched session again."""
        assert self._read_wake is not None
        client = _client(self.url)
        due = time.monotonic() + PRESENCE_EVERY_S
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._read_wake.wait(), max(0.0, due - time.monotonic()))
                self._read_wake.clear()
                if time.monotonic() >= due:
                    due = time.monotonic() + PRESENCE_EVERY_S
                    self._presence_stamp |= {s for s, c in self._mine.items() if _present(c)}
                    self._presence_in |= set(self._on_presence)
                    if self._wake is not None and self._presence_stamp:
                        self._wake.set()
                wanted, self._presence_in = self._presence_in, set()
                wanted &= set(self._on_presence)
                if not wanted:
                    continue
                try:
                    async with client.pipeline(transaction=False) as pipe:
                        for session in wanted:
                            pipe.hgetall(self.presence_key(session))
                        found = await pipe.execute()
                except Exception:
                    self._presence_in |= wanted  # Redis is away: the subscriber says so
                    await asyncio.sleep(BACKOFF_S[1])
                    continue
                for session, fields in zip(wanted, found, strict=True):
                    theirs: dict[str, tuple[int, Counts]] = {}
                    for node, raw in fields.items():
                        name = node.decode() if isinstance(node, bytes) else str(node)
                        if name == self.node:
                            continue
                        with contextlib.suppress(ValueError, TypeError):
                            entry = orjson.loads(raw)
                            theirs[name] = (int(entry.pop("at")), entry)
                    before = self.others_presence(session)
                    self._theirs[session] = theirs
                    callback = self._on_presence.get(session)
                    if callback is not None and self.others_presence(session) != before:
                        callback()
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()


def _present(counts: Counts) -> bool:
    return bool(counts.get("facilitators")) or any(counts.get("seats", {}).values())


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _client(url: str, **kwargs: object) -> Redis:
    # No silent retries inside redis-py: a failure surfaces here, where the fan-out knows
    # what to do about it (resubscribe, then look at the store).
    return Redis.from_url(
        url,
        retry=Retry(NoBackoff(), 0),
        socket_connect_timeout=2,
        socket_keepalive=True,
        **kwargs,  # type: ignore[arg-type]
    )
