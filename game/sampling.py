"""Random moves that the rules allow, drawn from a caller's seeded generator.

Used by the random-playthrough tests, the benchmarks, the load generator and the simplest
bots. Pure: the caller owns the `random.Random`.
"""

from __future__ import annotations

import random

from game.commands import (
    Amend,
    BreakSilence,
    Clauses,
    ClauseValue,
    Command,
    Cosponsor,
    Deliver,
    OpenChannel,
    Pass,
    SaveDraft,
    Say,
    Statement,
    Table,
    Vote,
    Withdraw,
)
from game.moves.context import phase_actors
from game.moves.texts import available
from game.scenario.agenda import Issue, Item
from game.state import SessionState

WORDS = (
    "regional",
    "ownership",
    "burden",
    "mandate",
    "consult",
    "capacity",
    "standby",
    "partnership",
    "Chapter",
    "VIII",
    "legitimacy",
    "deploy",
    "support",
    "delay",
)


def random_words(rng: random.Random, n: int = 6) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def random_value(state: SessionState, issue: Issue, rng: random.Random) -> ClauseValue:
    scenario = state.scenario
    if issue.kind == "choice":
        return rng.choice(issue.options).id
    if issue.kind == "number":
        assert issue.min is not None and issue.max is not None
        if issue.step:
            steps = int((issue.max - issue.min) / issue.step)
            return issue.min + issue.step * rng.randint(0, steps)
        return round(rng.uniform(issue.min, issue.max), 2)
    if issue.kind == "members":
        pool = issue.candidates or [t.id for t in scenario.teams]
        top = min(issue.max_members or len(pool), len(pool))
        k = rng.randint(min(issue.min_members, top), top)
        return sorted(rng.sample(pool, k))
    pledges: dict[str, dict[str, float]] = {}
    for team in scenario.teams:
        for resource in team.resources:
            left = available(state, team.id, resource)
            if left > 0 and rng.random() < 0.4:
                pledges.setdefault(team.id, {})[resource] = float(int(left * rng.random() / 2))
    return pledges


def random_text(state: SessionState, item: Item, rng: random.Random) -> Clauses:
    return {issue.id: random_value(state, issue, rng) for issue in item.issues}


def open_items(state: SessionState) -> list[Item]:
    return [
        item
        for item in state.scenario.agenda
        if item.id in state.agenda and item.id not in state.adopted
    ]


def random_command(state: SessionState, team: str, rng: random.Random) -> Command | None:
    """A move for `team` that the rules probably allow now (None when it has nothing to do).
    Probably: a random text may still miss capacity, and talk may hit a closed channel."""
    phase = state.scenario.rounds.phases[state.phase] if state.phase is not None else None
    if state.status != "running" or phase is None or not state.phase_open:
        return None
    if phase.kind == "formal":
        return _formal_move(state, team, rng)
    if phase.kind == "voting":
        return _ballot_move(state, team, rng)
    roll = rng.random()
    items = open_items(state)
    if phase.kind == "consultations":
        if roll < 0.5:
            channels = phase.open_channels()
            return Say(
                channel=rng.choice(channels)
                if "private" not in channels or rng.random() < 0.8
                else "floor",
                text=random_words(rng),
            )
        if roll < 0.7 and items:
            item = rng.choice(items)
            return SaveDraft(item=item.id, clauses=random_text(state, item, rng))
        if roll < 0.8:
            others = [t for t in state.teams if t != team]
            return OpenChannel(teams=rng.sample(others, 1))
    pledges = [p for p in state.pledges if p.team == team and p.amount > p.delivered]
    if pledges and roll > 0.8:
        p = rng.choice(pledges)
        have = state.teams[team].resources.get(p.resource, 0.0)
        amount = min(p.amount - p.delivered, have)
        if amount > 0:
            return Deliver(item=p.item, resource=p.resource, amount=amount)
    return None


def _formal_move(state: SessionState, team: str, rng: random.Random) -> Command | None:
    formal = state.formal
    if formal.current is None or formal.speakers[formal.current] != team:
        return None
    roll = rng.random()
    items = open_items(state)
    tabled = [p for p in state.proposals.values() if p.status == "tabled"]
    if roll < 0.3 and items:
        item = rng.choice(items)
        return Table(item=item.id, clauses=random_text(state, item, rng))
    if roll < 0.45 and tabled:
        proposal = rng.choice(tabled)
        item = state.scenario.item(proposal.item)
        assert item is not None
        issue = rng.choice(item.issues)
        return Amend(proposal=proposal.id, clauses={issue.id: random_value(state, issue, rng)})
    if roll < 0.5 and tabled:
        return Cosponsor(proposal=rng.choice(tabled).id)
    if roll < 0.53:
        own = [p.id for p in tabled if p.sponsor == team]
        if own:
            return Withdraw(target=rng.choice(own))
    if roll < 0.65:
        return Statement(text=random_words(rng, 10))
    return Pass()


def _ballot_move(state: SessionState, team: str, rng: random.Random) -> Command | None:
    if state.open_ballot is None:
        return None
    ballot = state.ballots[state.open_ballot]
    if team not in ballot.voters or team in ballot.voted or team in ballot.broken_by:
        return None
    if ballot.silence:
        return BreakSilence(ballot=ballot.id) if rng.random() < 0.2 else None
    return Vote(ballot=ballot.id, choice=rng.choices(("yes", "no", "abstain"), (6, 2, 1))[0])


def actors_now(state: SessionState) -> list[str]:
    return phase_actors(state)
