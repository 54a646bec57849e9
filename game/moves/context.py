"""What every decider needs: the state, who acts, when, and how to stamp new events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from game.commands import Actor
from game.errors import Code, Rejected
from game.events import Ev
from game.scenario.flow import Phase
from game.state import SessionState

E = TypeVar("E", bound=Ev)


@dataclass
class Ctx:
    """A decider's view of one command being decided. Events it makes take the next `seq`s."""

    state: SessionState
    actor: Actor
    at: int
    made: list[Ev] = field(default_factory=list)

    def emit(self, cls: type[E], **fields: Any) -> E:
        event = cls(seq=self.state.seq + len(self.made) + 1, at=self.at, actor=self.actor, **fields)
        self.made.append(event)
        return event

    # --- who and when ---------------------------------------------------------------------

    def team(self) -> str:
        """The acting seat's team; anyone else is refused."""
        if self.actor.role != "seat" or not self.actor.team:
            raise Rejected(Code.NOT_ALLOWED, "only a team's seat may do this")
        if self.actor.team not in self.state.teams:
            raise Rejected(Code.NOT_ALLOWED, f"there is no team '{self.actor.team}'")
        return self.actor.team

    def facilitator(self) -> None:
        if self.actor.role not in ("facilitator", "system"):
            raise Rejected(Code.NOT_ALLOWED, "only the facilitator may do this")

    def running(self) -> None:
        status = self.state.status
        if status == "paused":
            raise Rejected(Code.PAUSED, "the session is paused")
        if status != "running":
            raise Rejected(Code.NOT_RUNNING, f"the session is not running (it is {status})")

    def phase(self) -> Phase | None:
        if self.state.phase is None or not self.state.phase_open:
            return None
        return self.state.scenario.rounds.phases[self.state.phase]

    def in_phase(self, *kinds: str) -> Phase:
        phase = self.phase()
        if phase is None or phase.kind not in kinds:
            now = phase.kind if phase else "between phases"
            raise Rejected(
                Code.WRONG_PHASE, f"this belongs to the {' or '.join(kinds)} phase (now: {now})"
            )
        return phase

    def actor_in_phase(self, team: str) -> None:
        if team not in phase_actors(self.state):
            raise Rejected(Code.NOT_ELIGIBLE, f"{team} may not act in this phase")

    def on_the_floor(self) -> str:
        """The acting team, which must hold the floor in the formal session."""
        team = self.team()
        self.running()
        self.in_phase("formal")
        formal = self.state.formal
        holder = formal.speakers[formal.current] if formal.current is not None else None
        if holder != team:
            who = f"it is {holder}'s turn" if holder else "no turn is open"
            raise Rejected(Code.NOT_YOUR_TURN, f"not your turn: {who}")
        return team


def phase_actors(state: SessionState) -> list[str]:
    """Teams that may act in the current phase, in the scenario's order."""
    if state.phase is None:
        return []
    phase = state.scenario.rounds.phases[state.phase]
    actors = phase.actors
    if actors is None:
        actors = "none" if phase.kind in ("briefing", "resolution") else "all"
    teams = [t.id for t in state.scenario.teams]
    if actors == "all":
        return teams
    if actors == "none":
        return []
    return [t for t in teams if t in actors]


def next_number(state: SessionState, key: str) -> int:
    return state.counters.get(key, 0) + 1


def bump(state: SessionState, key: str) -> None:
    state.counters[key] = state.counters.get(key, 0) + 1
