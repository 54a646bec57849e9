"""Fan-out: committed batches of a session's events, to everyone listening to that session.

Two backends behind one small interface:

- `InProcessFanout`: one server process holds every connection of a session (SQLite, or a
  single process on PostgreSQL).
- `server.fanout_redis.RedisFanout`: several processes share PostgreSQL (the truth) and Redis.
  Listeners in this process get the batch as here; the other processes get only a notice
  ("session X moved on to seq N") and catch up from the database. A notice carries no events:
  the database decides the order, Redis only says when to look, and a process that missed a
  notice (Redis restarted, a connection blipped) catches up all the same, when it resubscribes
  and by a periodic poll.

`publish` is for a batch this process committed (local listeners, then the notice to the
others); `deliver` is for a batch read back from the store (local listeners only); `watch`
registers the one follower of a session in this process (its `LiveSession`), which is told
`on_moved(seq)` when another process announces a new head, and `on_moved(None)` when notices
may have been missed and it should look at the store.

Presence (who is connected, for the facilitator) is per process too: `share_presence` tells
the others this process's counts for a session, `others_presence` gives theirs, and the
watcher's `on_presence()` is called when they change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from game.events import Ev
from game.state import SessionState


@dataclass
class Published:
    """One committed batch: events `first`..`last` and the state right after them.

    `memo` lets listeners share work: every connection of one team needs the same projected
    bytes, so the first computes them and the rest reuse them."""

    session: str
    first: int
    last: int
    events: list[Ev]
    state: SessionState
    declassified: bool
    memo: dict[Any, Any] = field(default_factory=dict)
    bodies: list[bytes] | None = None
    """Each event's canonical JSON (`server.chain.canonical`), when the publisher has it: a
    listener that shows an event whole sends these bytes rather than serialising it again."""


Listener = Callable[[Published], None]
OnMoved = Callable[[int | None], None]
OnPresence = Callable[[], None]
Counts = dict[str, Any]
"""A process's presence in a session: {"seats": {seat: connections}, "facilitators": n}."""


class Fanout(Protocol):
    def subscribe(self, session: str, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every batch published for `session`; returns unsubscribe."""
        ...

    def publish(self, published: Published) -> None:
        """A batch this process committed: to local listeners, and news of it to the others."""
        ...

    def deliver(self, published: Published) -> None:
        """A batch another process committed, read back from the store: local listeners."""
        ...

    def watch(
        self, session: str, on_moved: OnMoved, on_presence: OnPresence | None = None
    ) -> Callable[[], None]:
        """Be told when another process moves `session` on (or its presence changes);
        returns unwatch."""
        ...

    def share_presence(self, session: str, counts: Counts) -> None: ...

    def others_presence(self, session: str) -> list[Counts]: ...

    async def share_bots(self, session: str, statuses: list[dict]) -> None:
        """The health of the bots this process plays in `session`, for the other processes
        (a facilitator's request may land on any of them)."""
        ...

    async def others_bots(self, session: str) -> list[dict]:
        """What another process last shared of its bots in `session` (fresh only)."""
        ...

    def listeners(self, session: str) -> int: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class InProcessFanout:
    """Listeners are called synchronously, in publish order, in the publisher's task: a
    listener must not block (connections only enqueue bytes). No other process exists to
    hear from, so `watch` never calls back."""

    def __init__(self) -> None:
        self._listeners: dict[str, dict[int, Listener]] = {}
        self._next = 0

    def subscribe(self, session: str, listener: Listener) -> Callable[[], None]:
        self._next += 1
        key = self._next
        self._listeners.setdefault(session, {})[key] = listener

        def unsubscribe() -> None:
            group = self._listeners.get(session)
            if group is not None:
                group.pop(key, None)
                if not group:
                    self._listeners.pop(session, None)

        return unsubscribe

    def publish(self, published: Published) -> None:
        for listener in list(self._listeners.get(published.session, {}).values()):
            listener(published)

    def deliver(self, published: Published) -> None:
        self.publish(published)

    def watch(
        self, session: str, on_moved: OnMoved, on_presence: OnPresence | None = None
    ) -> Callable[[], None]:
        return _nothing

    def share_presence(self, session: str, counts: Counts) -> None:
        return None

    def others_presence(self, session: str) -> list[Counts]:
        return []

    async def share_bots(self, session: str, statuses: list[dict]) -> None:
        return None

    async def others_bots(self, session: str) -> list[dict]:
        return []

    def listeners(self, session: str) -> int:
        return len(self._listeners.get(session, {}))

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


def _nothing() -> None:
    return None
