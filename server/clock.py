"""Time, as the server stamps it, and the one alarm per session that fires its deadlines."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Alarm:
    """Calls `fire` once at a wall-clock time (milliseconds); setting it again replaces the
    previous time. The engine's deadlines are wall-clock, so the alarm converts them to the
    loop's monotonic clock each time it is set."""

    def __init__(self, fire: Callable[[], None]) -> None:
        self._fire = fire
        self._handle: asyncio.TimerHandle | None = None
        self.due: int | None = None

    def set(self, due: int | None) -> None:
        if due == self.due and (due is None or self._handle is not None):
            return
        self.cancel()
        self.due = due
        if due is None:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, (due - now_ms() + 1) / 1000)
        self._handle = loop.call_later(delay, self._ring)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None
        self.due = None

    def _ring(self) -> None:
        self._handle = None
        self._fire()
