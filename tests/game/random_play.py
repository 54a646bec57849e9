"""Seeded random playthroughs: every shipped scenario must survive them (as OpenSpiel asks of
every game). Invariants are checked after every command."""

from __future__ import annotations

import random

from game import engine, hashing
from game.commands import (
    FACILITATOR,
    Actor,
    Advance,
    Announce,
    CustomInject,
    End,
    Extend,
    FireInject,
    PauseSession,
    Resume,
    Start,
)
from game.errors import Code
from game.events import EVENT_ADAPTER
from game.sampling import random_command
from game.scenario.model import Scenario
from tests.game.play import Game, seat


def facilitator_move(g: Game, rng: random.Random):
    state = g.state
    if state.status == "paused":
        return Resume()
    roll = rng.random()
    unfired = [i.id for i in state.scenario.injects if i.id not in state.injects_fired]
    if roll < 0.4:
        return Advance()
    if roll < 0.5:
        return PauseSession()
    if roll < 0.6:
        return Extend(seconds=rng.choice((-20, 15, 30)))
    if roll < 0.7 and unfired:
        return FireInject(inject=rng.choice(unfired))
    if roll < 0.8:
        team = rng.choice(list(state.teams))
        return CustomInject(title="News", text="A development", audience=[team])
    return Announce(text="Ten minutes to the vote")


def check_invariants(g: Game) -> None:
    s = g.state
    assert s.seq == len(g.log)
    assert [e.seq for e in g.log[-5:]] == list(range(s.seq - len(g.log[-5:]) + 1, s.seq + 1))
    assert len(s.adopted) == len(set(s.adopted.values()))
    for item, pid in s.adopted.items():
        assert s.proposals[pid].status == "adopted" and s.proposals[pid].item == item
    for region in s.regions.values():
        assert 0.0 <= region.security <= 1.0
    for score in s.scores.values():
        assert 0.0 <= score.total <= 100.0
    for team in s.teams.values():
        assert all(v >= 0 for v in team.resources.values())
        assert 0.0 <= team.standing <= 1.0
    assert sum(1 for b in s.ballots.values() if b.status == "open") <= 1


def play_random(scenario: Scenario, seed: int, max_steps: int = 1500) -> Game:
    """Play random legal-ish commands to the end; assert every rejection is clean."""
    rng = random.Random(seed)
    g = Game(scenario)
    g.do(Start())
    teams = [t.id for t in scenario.teams]
    for _ in range(max_steps):
        if g.state.status == "concluded":
            break
        actor: Actor
        if rng.random() < 0.04 or g.state.status == "paused":
            command, actor = facilitator_move(g, rng), FACILITATOR
        else:
            team = rng.choice(teams)
            command = random_command(g.state, team, rng)
            actor = seat(team)
            if command is None:
                g.wait(rng.choice((500, 5_000, 30_000)))
                check_invariants(g)
                continue
        before = hashing.state_hash(g.state)
        seq = g.state.seq
        outcome = g.attempt(command, actor, after_ms=rng.randint(0, 3_000))
        if outcome.rejection is not None:
            assert isinstance(outcome.rejection.code, Code)
            assert outcome.rejection.reason
            if not outcome.events:
                assert hashing.state_hash(g.state) == before
        assert g.state.seq == seq + len(outcome.events)
        check_invariants(g)
    if g.state.status != "concluded":
        g.do(End())
    return g


def check_replay(g: Game) -> None:
    """The log folds to the live state, and every event survives a JSON round trip."""
    assert hashing.state_hash(engine.fold(g.log)) == hashing.state_hash(g.state)
    for event in g.log:
        assert EVENT_ADAPTER.validate_json(event.model_dump_json()) == event
