"""Deadlines: the phase's, the formal session's turn, the open ballot's.

A running clock holds an absolute deadline (ms); a paused one holds what was left.
"""

from __future__ import annotations

from collections.abc import Iterator

from game.state import Clock, SessionState


def start(state: SessionState, clock: Clock, at: int, duration_ms: int | None) -> None:
    clock.deadline = None
    clock.remaining = None
    if duration_ms is None:
        return
    if state.status == "paused":
        clock.remaining = duration_ms
    else:
        clock.deadline = at + duration_ms


def stop(clock: Clock) -> None:
    clock.deadline = None
    clock.remaining = None


def live_clocks(state: SessionState) -> Iterator[Clock]:
    yield state.phase_clock
    if state.formal.current is not None:
        yield state.formal.clock
    if state.open_ballot is not None:
        yield state.ballots[state.open_ballot].clock


def pause(state: SessionState, at: int) -> None:
    for clock in live_clocks(state):
        if clock.deadline is not None:
            clock.remaining = max(0, clock.deadline - at)
            clock.deadline = None


def resume(state: SessionState, at: int) -> None:
    for clock in live_clocks(state):
        if clock.remaining is not None:
            clock.deadline = at + clock.remaining
            clock.remaining = None


def shift(state: SessionState, ms: int) -> None:
    """Move every live clock by `ms` (never before zero time left)."""
    for clock in live_clocks(state):
        if clock.deadline is not None:
            clock.deadline += ms
        if clock.remaining is not None:
            clock.remaining = max(0, clock.remaining + ms)


def next_deadline(state: SessionState) -> int | None:
    """When the server should next send a `tick` (None: no clock is running)."""
    if state.status != "running":
        return None
    deadlines = [c.deadline for c in live_clocks(state) if c.deadline is not None]
    return min(deadlines) if deadlines else None
