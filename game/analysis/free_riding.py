"""Free riding on burden sharing, measured by playing the engine's own commands.

A scripted session adopts a burden-sharing package (and, optionally, other texts) in round 1,
then plays the remaining rounds to the end while each contributor either delivers its pledges
or keeps them (free rides). Comparing final scores across scenarios of who free rides shows
the public-good tension of GAME.md section 5: free riding pays one team alone, and costs
everyone when all do it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from game import engine
from game.commands import FACILITATOR, Actor, Advance, Clauses, Deliver, Pass, Start, Table, Vote
from game.scenario.model import Scenario
from game.state import SessionState

MAX_STEPS = 2_000


class Outcome(BaseModel):
    """Final scores and the region's security when `withholding` deliver nothing."""

    withholding: list[str]
    scores: dict[str, float]
    security: dict[str, float]
    collective: float


def _seat(team: str) -> Actor:
    return Actor(role="seat", team=team, seat=f"{team}.1")


def _apply(state: SessionState, command, actor: Actor, at: int) -> None:
    outcome = engine.apply(state, command, actor, at)
    if outcome.rejection is not None:
        raise ValueError(f"{command.type} by {actor.team or actor.role}: {outcome.rejection}")


def play(
    scenario: Scenario,
    texts: dict[str, tuple[str, Clauses]],
    withholding: Iterable[str] = (),
) -> Outcome:
    """Adopt `texts` (item -> (sponsor, clauses)) in round 1 with every voter voting yes, then
    deliver every pledge in full except those of the `withholding` teams."""
    withholding = sorted(set(withholding))
    at = 1_000
    state = engine.fold(engine.create("study", "free riding", scenario, 0, at))
    _apply(state, Start(), FACILITATOR, at)
    pending = dict(texts)
    for _ in range(MAX_STEPS):
        if state.status == "concluded":
            break
        at += 1_000
        phase = scenario.rounds.phases[state.phase] if state.phase is not None else None
        _deliver(state, withholding, at)
        if phase is not None and phase.kind == "formal" and state.formal.current is not None:
            team = state.formal.speakers[state.formal.current]
            mine = [i for i, (sponsor, _) in pending.items() if sponsor == team]
            if mine:
                item = mine[0]
                _apply(state, Table(item=item, clauses=pending.pop(item)[1]), _seat(team), at)
            else:
                _apply(state, Pass(), _seat(team), at)
        elif phase is not None and phase.kind == "voting" and state.open_ballot is not None:
            ballot = state.ballots[state.open_ballot]
            voter = next(v for v in ballot.voters if v in state.teams and v not in ballot.voted)
            _apply(state, Vote(ballot=ballot.id, choice="yes"), _seat(voter), at)
        else:
            _apply(state, Advance(), FACILITATOR, at)
    return Outcome(
        withholding=withholding,
        scores={t: s.total for t, s in state.scores.items()},
        security={r: round(x.security, 4) for r, x in state.regions.items()},
        collective=state.collective,
    )


def _deliver(state: SessionState, withholding: list[str], at: int) -> None:
    if state.status != "running":
        return
    for pledge in state.pledges:
        owed = pledge.amount - pledge.delivered
        if pledge.team in withholding or owed <= 1e-9:
            continue
        have = state.teams[pledge.team].resources.get(pledge.resource, 0.0)
        amount = min(owed, have)
        if amount > 0:
            command = Deliver(item=pledge.item, resource=pledge.resource, amount=amount)
            _apply(state, command, _seat(pledge.team), at)


def study(
    scenario: Scenario, texts: dict[str, tuple[str, Clauses]], contributors: list[str]
) -> dict[str, Outcome]:
    """Everyone delivers; each contributor alone withholds; everyone withholds."""
    runs = {"nobody": play(scenario, texts)}
    for team in contributors:
        runs[team] = play(scenario, texts, [team])
    runs["everyone"] = play(scenario, texts, contributors)
    return runs
