"""Talk and drafts never set a follow-up rule off, so `engine.apply` does not ask the rules
again after a command that made only such events (`game.moves.flow.INERT`). Both halves of
the argument are held here, over seeded random play of every shipped scenario:

- an inert event changes only channels (and their messages), drafts, their own counters,
  `seq` and `at`, none of which a follow-up rule reads;
- after every command the state is settled (the rules want nothing more), and a `say` on
  any channel open to a team, in any state reached, yields its message and nothing else.
"""

from __future__ import annotations

import random

import pytest

from game import engine
from game.commands import FACILITATOR, Actor, DiscardDraft, Say, Start, Tick
from game.events import MessagePosted
from game.moves.flow import INERT
from game.moves.talk import open_kinds
from game.sampling import random_command
from game.scenario.model import Scenario
from tests.game.play import Game, seat
from tests.game.random_play import facilitator_move
from tests.game.scenarios import shipped
from tests.game.tiny import tiny

SCENARIOS = {"tiny": tiny(), **shipped()}
SEEDS = (1, 2)
UNREAD = {"channels", "drafts", "counters", "seq", "at"}


def play(scenario: Scenario, seed: int, on_step, max_steps: int = 1200) -> Game:
    """Random play (as tests/game/random_play.py) calling `on_step(g, rng)` after each step."""
    rng = random.Random(seed)
    g = Game(scenario)
    g.do(Start())
    teams = [t.id for t in scenario.teams]
    for _ in range(max_steps):
        if g.state.status == "concluded":
            break
        actor: Actor
        drafts = list(g.state.drafts.values())
        if drafts and rng.random() < 0.05:  # (random_command never throws a draft away)
            draft = rng.choice(drafts)
            command, actor = DiscardDraft(draft=draft.id), seat(draft.team)
        elif rng.random() < 0.04 or g.state.status == "paused":
            command, actor = facilitator_move(g, rng), FACILITATOR
        else:
            team = rng.choice(teams)
            command = random_command(g.state, team, rng)
            actor = seat(team)
            if command is None:
                g.wait(rng.choice((500, 5_000, 30_000)))
                on_step(g, rng)
                continue
        g.attempt(command, actor, after_ms=rng.randint(0, 3_000))
        on_step(g, rng)
    return g


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("seed", SEEDS)
def test_a_say_yields_its_message_and_the_state_stays_settled(name: str, seed: int) -> None:
    said = 0

    def on_step(g: Game, rng: random.Random) -> None:
        nonlocal said
        state = g.state
        # The state is settled after every command: the rules want nothing more now.
        assert engine.settle(state, g.now) == []
        if state.status == "concluded" or rng.random() < 0.5:
            return
        team = rng.choice(list(state.teams))
        channels = [
            c.id
            for c in state.channels.values()
            if (c.kind == "floor" or team in c.teams) and c.kind in open_kinds(state)
        ]
        if not channels:
            return
        g.attempt(Tick(), FACILITATOR)  # deadlines that fell first, on their own
        outcome = g.attempt(Say(channel=rng.choice(channels), text="hello"), seat(team))
        assert outcome.rejection is None, outcome.rejection
        assert [type(e) for e in outcome.events] == [MessagePosted]
        assert engine.settle(state, g.now) == []
        said += 1

    play(SCENARIOS[name], seed, on_step)
    assert said > 20


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("seed", SEEDS)
def test_inert_events_change_only_what_no_rule_reads(name: str, seed: int) -> None:
    g = play(SCENARIOS[name], seed, lambda g, rng: None)
    assert engine.fold(g.log).seq == g.state.seq
    state = engine.fold(g.log[:1])
    kinds: set[str] = set()
    for event in g.log[1:]:
        if event.type not in INERT:  # type: ignore[attr-defined]
            engine.evolve(state, event)
            continue
        kinds.add(event.type)  # type: ignore[attr-defined]
        before = state.model_dump(exclude=UNREAD | {"scenario"})
        counters = dict(state.counters)
        engine.evolve(state, event)
        assert state.model_dump(exclude=UNREAD | {"scenario"}) == before, event.type  # type: ignore[attr-defined]
        changed = {
            k for k in {*counters, *state.counters} if counters.get(k) != state.counters.get(k)
        }
        assert all(k.startswith(("c:", "d:")) for k in changed), (event.type, changed)  # type: ignore[attr-defined]
    SEEN.update(kinds)


SEEN: set[str] = set()


def test_random_play_met_every_inert_event() -> None:
    """(Runs after the test above: its playthroughs met every kind of inert event.)"""
    assert SEEN == INERT
