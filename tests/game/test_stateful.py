"""A hypothesis state machine that mixes legal and illegal commands: every rejection carries a
code and a reason and changes nothing; every accepted command grows seq by one per event."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from game import engine, hashing
from game.commands import (
    COMMAND_ADAPTER,
    FACILITATOR,
    Actor,
    Advance,
    PauseSession,
    Resume,
    Start,
    Tick,
)
from game.errors import Code
from game.sampling import random_command
from tests.game.play import Game, seat
from tests.game.tiny import tiny

TEAMS = ["sg", "au", "eu"]
ACTORS = [*(seat(t) for t in TEAMS), seat("zz"), FACILITATOR, Actor(role="seat")]

junk_commands = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(engine.DECIDERS))},
    optional={
        "item": st.sampled_from(["mou", "burden", "nope", ""]),
        "proposal": st.sampled_from(["p1", "p2", "p99"]),
        "ballot": st.sampled_from(["b1", "b2", "b99"]),
        "choice": st.sampled_from(["yes", "no", "abstain"]),
        "channel": st.sampled_from(["floor", "team", "team:au", "au-c1", "nowhere"]),
        "text": st.text(min_size=1, max_size=20),
        "clauses": st.dictionaries(
            st.sampled_from(["consult", "standby", "pledges", "bogus"]),
            st.one_of(st.sampled_from(["annual", "none", "x"]), st.integers(-10, 9000)),
        ),
        "seconds": st.integers(-100, 100),
        "seat": st.sampled_from(["au.1", "au.2", "zz.9"]),
        "name": st.text(max_size=5),
        "draft": st.sampled_from(["au-d1", "sg-d1", "x"]),
        "target": st.sampled_from(["p1", "a1", "zz"]),
        "amendment": st.sampled_from(["a1", "a2"]),
        "amount": st.floats(min_value=0.5, max_value=10_000),
        "resource": st.sampled_from(["troops", "funds", "gold"]),
        "teams": st.lists(st.sampled_from([*TEAMS, "zz"]), max_size=3),
        "inject": st.sampled_from(["none", "x"]),
    },
)


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.game = Game(tiny())
        self.rng = random.Random(0)
        self.last_seq = self.game.state.seq

    def _apply(self, command, actor: Actor, after_ms: int = 0) -> None:
        before = hashing.state_hash(self.game.state)
        seq = self.game.state.seq
        outcome = self.game.attempt(command, actor, after_ms=after_ms)
        assert self.game.state.seq == seq + len(outcome.events)
        assert [e.seq for e in outcome.events] == list(
            range(seq + 1, seq + 1 + len(outcome.events))
        )
        if outcome.rejection is not None:
            assert isinstance(outcome.rejection.code, Code)
            assert outcome.rejection.reason.strip()
            if not outcome.events:
                assert hashing.state_hash(self.game.state) == before

    @rule(data=st.data())
    def legal_move(self, data: st.DataObject) -> None:
        team = data.draw(st.sampled_from(TEAMS))
        self.rng.seed(data.draw(st.integers(0, 2**16)))
        command = random_command(self.game.state, team, self.rng)
        if command is not None:
            self._apply(command, seat(team))

    @rule(raw=junk_commands, actor=st.sampled_from(ACTORS))
    def any_command(self, raw: dict, actor: Actor) -> None:
        try:
            command = COMMAND_ADAPTER.validate_python(raw)
        except ValueError:
            return  # malformed commands never reach the engine: the protocol layer refuses them
        self._apply(command, actor)

    @rule(command=st.sampled_from([Start(), Advance(), PauseSession(), Resume()]))
    def facilitator(self, command) -> None:
        self._apply(command, FACILITATOR)

    @rule(ms=st.sampled_from([100, 5_000, 30_000, 61_000]))
    def time_passes(self, ms: int) -> None:
        self._apply(Tick(), FACILITATOR, ms)

    @invariant()
    def seq_only_grows(self) -> None:
        assert self.game.state.seq >= self.last_seq
        self.last_seq = self.game.state.seq

    def teardown(self) -> None:
        replayed = engine.fold(self.game.log)
        assert hashing.state_hash(replayed) == hashing.state_hash(self.game.state)


EngineMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineMachine = EngineMachine.TestCase
