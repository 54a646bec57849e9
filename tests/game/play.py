"""A driver for engine tests: a session folded in memory, commands applied at stamped times."""

from __future__ import annotations

from dataclasses import dataclass, field

from game import engine
from game.commands import FACILITATOR, Actor, Command, Tick
from game.errors import Rejection
from game.events import Ev
from game.scenario.model import Scenario
from game.state import SessionState


def seat(team: str, n: int = 1, *, bot: bool = False) -> Actor:
    return Actor(role="seat", team=team, seat=f"{team}.{n}", bot=bot)


@dataclass
class Game:
    """One session: its state, its whole log, and a clock the test moves by hand."""

    scenario: Scenario
    now: int = 1_000_000
    log: list[Ev] = field(default_factory=list)
    state: SessionState = field(init=False)

    def __post_init__(self) -> None:
        self.log = engine.create("s1", "Test session", self.scenario, seed=7, at=self.now)
        self.state = engine.fold(self.log)

    def do(self, command: Command, actor: Actor = FACILITATOR, *, after_ms: int = 0) -> list[Ev]:
        """Apply a command that must be accepted; returns the events it caused."""
        outcome = self.attempt(command, actor, after_ms=after_ms)
        assert outcome.rejection is None, outcome.rejection
        return outcome.events

    def refuse(self, command: Command, actor: Actor = FACILITATOR) -> Rejection:
        outcome = self.attempt(command, actor)
        assert outcome.rejection is not None, f"{command} was accepted"
        return outcome.rejection

    def attempt(self, command: Command, actor: Actor, *, after_ms: int = 0) -> engine.Outcome:
        self.now += after_ms
        outcome = engine.apply(self.state, command, actor, self.now)
        self.log += outcome.events
        return outcome

    def wait(self, ms: int) -> list[Ev]:
        return self.do(Tick(), after_ms=ms)

    def types(self, events: list[Ev]) -> list[str]:
        return [e.type for e in events]

    @property
    def phase(self) -> str | None:
        s = self.state
        return (
            s.scenario.rounds.phases[s.phase].id if s.phase is not None and s.phase_open else None
        )

    @property
    def holder(self) -> str | None:
        f = self.state.formal
        return f.speakers[f.current] if f.current is not None else None
