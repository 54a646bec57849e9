"""The engine's public API: create a session, decide commands, fold events.

create(...)                       -> [SessionCreated]
decide(state, command, actor, at) -> events          (raises Rejected; pure)
evolve(state, event)              -> state           (in place)
apply(state, command, actor, at)  -> Outcome         (what a server calls)
fold(events)                      -> state
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from game import clocks
from game.commands import SYSTEM, Actor, Command, Tick
from game.errors import Rejected, Rejection
from game.events import Ev, SessionCreated
from game.moves import ballots, facilitation, floor, flow, pledges, talk, texts
from game.moves.context import Ctx
from game.scenario.model import Scenario
from game.state import SessionState

_FAMILIES = (talk, texts, floor, ballots, pledges, facilitation, flow)
DECIDERS: dict[str, Callable[[Ctx, Any], None]] = {}
EVOLVERS: dict[str, Callable[[SessionState, Any], None]] = {}
for _family in _FAMILIES:
    DECIDERS.update(_family.DECIDERS)
    EVOLVERS.update(_family.EVOLVERS)

MAX_FOLLOW_UPS = 10_000
"""A bound on one command's chain of consequences: a rule that never settles is a bug, and
it must fail loudly rather than hang a session."""


@dataclass
class Outcome:
    """What `apply` did: the events it folded (deadlines that fell first included, even when
    the command itself was refused) and the command's rejection, if any."""

    events: list[Ev] = field(default_factory=list)
    rejection: Rejection | None = None


def create(
    session: str,
    title: str,
    scenario: Scenario,
    seed: int,
    at: int,
    forked_from: dict | None = None,
) -> list[Ev]:
    """The first event of a session. `seed` is the session's only source of randomness."""
    return [
        SessionCreated(
            seq=1,
            at=at,
            actor=Actor(role="facilitator"),
            session=session,
            title=title,
            scenario=scenario,
            seed=seed,
            forked_from=forked_from,
        )
    ]


def decide(state: SessionState, command: Command, actor: Actor, at: int) -> list[Ev]:
    """The events `command` causes, without its follow-ups. Raises `Rejected`; never mutates."""
    ctx = Ctx(state=state, actor=actor, at=at)
    DECIDERS[command.type](ctx, command)
    return ctx.made


def evolve(state: SessionState, event: Ev, *, strict: bool = True) -> SessionState:
    """Fold one event into `state` (in place) and return it. A viewer folding its projected
    events passes `strict=False`: events hidden from it leave gaps in `seq`."""
    if event.seq != state.seq + 1 and (strict or event.seq <= state.seq):
        raise ValueError(f"event seq {event.seq} does not follow {state.seq}")
    EVOLVERS[event.type](state, event)  # type: ignore[attr-defined]
    state.seq = event.seq
    state.at = event.at
    return state


def fold(events: Iterable[Ev], state: SessionState | None = None) -> SessionState:
    """The state that `events` give, from the first event or from `state` onward."""
    with gc_paused():
        return _fold(iter(events), state)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Folding a long log allocates many long-lived objects and no reference cycles; the
    cyclic collector's full passes over them would halve replay speed for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fold(it: Iterator[Ev], state: SessionState | None) -> SessionState:
    if state is None:
        first = next(it)
        if not isinstance(first, SessionCreated):
            raise ValueError("a session's log starts with session_created")
        state = flow.initial_state(first)
    for event in it:
        evolve(state, event)
    return state


def settle(state: SessionState, at: int) -> list[Ev]:
    """Fold every follow-up the rules now require."""
    made: list[Ev] = []
    for _ in range(MAX_FOLLOW_UPS):
        event = flow.follow_up(state, at)
        if event is None:
            return made
        evolve(state, event)
        made.append(event)
    raise RuntimeError("follow-up rules did not settle")


def catch_up(state: SessionState, at: int) -> list[Ev]:
    """Apply every deadline that has fallen by `at`, with its consequences."""
    made = settle(state, at)
    for _ in range(MAX_FOLLOW_UPS):
        due = clocks.next_deadline(state)
        if due is None or due > at:
            return made
        expired = decide(state, Tick(), SYSTEM, at)
        if not expired:
            return made
        for event in expired:
            evolve(state, event)
        made += expired
        made += settle(state, at)
    raise RuntimeError("deadlines did not settle")


def apply(state: SessionState, command: Command, actor: Actor, at: int) -> Outcome:
    """Decide and fold `command` with everything it entails. Mutates `state`; on rejection
    only the deadlines that had already fallen are folded."""
    outcome = Outcome(events=catch_up(state, at))
    if isinstance(command, Tick):
        return outcome
    try:
        made = decide(state, command, actor, at)
    except Rejected as refused:
        outcome.rejection = refused.rejection
        return outcome
    for event in made:
        evolve(state, event)
    outcome.events += made
    # `catch_up` left the state settled; events that no rule reads (talk, drafts) keep it so.
    if not all(event.type in flow.INERT for event in made):  # type: ignore[attr-defined]
        outcome.events += settle(state, at)
    return outcome


next_deadline = clocks.next_deadline
initial_state = flow.initial_state
