"""Scenarios and small tools for the bot and tournament tests."""

from __future__ import annotations

import copy
from typing import Any

from game import engine
from game.commands import Clauses
from game.events import Ev
from game.moves.ballots import subject_text
from game.scenario.model import Scenario
from game.utility import item_utility
from tests.game.scenarios import shipped
from tests.game.tiny import TINY, tiny


def all_scenarios() -> dict[str, Scenario]:
    """Whatever scenarios/ holds, plus the tiny test scenario."""
    return {"tiny": tiny(), **shipped()}


def burden_scenario(**changes: Any) -> Scenario:
    """Tiny, with a burden-sharing item worth agreeing on: the EU cares about the mission's
    region and its funds cost it little, so a team that weighs costs and benefits consents."""
    data = copy.deepcopy(TINY)
    data["teams"][2]["interests"] = {"west": 3.0, "north": 0.5}
    data["teams"][2]["cost_weights"] = {"funds": 0.05}
    data["teams"][1]["cost_weights"] = {"troops": 0.1, "funds": 0.1}
    data["rounds"]["count"] = 3
    data["security"] = {"operation_gain": 0.6}
    data.update(changes)
    return Scenario.model_validate(data)


def ballots_on(log: list[Ev], item: str) -> list[tuple[Clauses, dict[str, str], bool]]:
    """Every closed ballot on `item`: the text voted on, the votes, whether it was adopted."""
    out = []
    texts: dict[str, Clauses] = {}
    for event in log:
        if event.type == "ballot_opened" and event.item == item:  # type: ignore[attr-defined]
            state = engine.fold(log[: event.seq])
            texts[event.ballot] = subject_text(state, event.subject)  # type: ignore[attr-defined]
        if event.type == "ballot_closed" and event.ballot in texts:  # type: ignore[attr-defined]
            out.append((texts[event.ballot], dict(event.votes), event.adopted))  # type: ignore[attr-defined]
    return out


def texts_put_forward(log: list[Ev], scenario: Scenario, team: str) -> list[tuple[int, str, float]]:
    """(round, item, utility to `team`) of every text `team` put forward, in order: its
    proposals as tabled and revised, and its amendments to others' proposals (merged)."""
    state = engine.fold(log)
    rounds = {}
    current = 0
    for event in log:
        if event.type == "phase_started":
            current = event.round  # type: ignore[attr-defined]
        rounds[event.seq] = current
    weights = scenario.team(team).weights  # type: ignore[union-attr]
    out = []
    for p in state.proposals.values():
        item = scenario.item(p.item)
        if p.sponsor == team and item is not None and item.id in weights:
            for seq, clauses in p.versions:
                u = item_utility(item, weights[item.id], clauses)
                if u is not None:
                    out.append((seq, rounds[seq], item.id, u))
    for a in state.amendments.values():
        p = state.proposals[a.proposal]
        item = scenario.item(p.item)
        if a.team == team and p.sponsor != team and item is not None and item.id in weights:
            base = next(c for seq, c in reversed(p.versions) if seq <= a.seq)
            u = item_utility(item, weights[item.id], {**base, **a.clauses})
            if u is not None:
                out.append((a.seq, rounds[a.seq], item.id, u))
    return [(r, i, u) for _, r, i, u in sorted(out)]
