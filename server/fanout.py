"""Fan-out: committed batches of a session's events, to everyone listening to that session.

A tiny interface with one backend now, in-process (one server process holds every
connection of a session). A Redis backend for several processes implements the same two
methods: `publish` sends the batch's canonical JSON to a channel per session, and each
process's subscriber folds it into a follower state before calling its listeners.
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


Listener = Callable[[Published], None]


class Fanout(Protocol):
    def subscribe(self, session: str, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every batch published for `session`; returns unsubscribe."""
        ...

    def publish(self, published: Published) -> None: ...

    def listeners(self, session: str) -> int: ...


class InProcessFanout:
    """Listeners are called synchronously, in publish order, in the publisher's task: a
    listener must not block (connections only enqueue bytes)."""

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

    def listeners(self, session: str) -> int:
        return len(self._listeners.get(session, {}))
