"""Scores (GAME.md section 6): each team's, with its parts, and the collective score."""

from __future__ import annotations

from game.agenda import items_in_play
from game.conditions import holds
from game.state import Score, SessionState
from game.utility import item_utility
from game.world import clamp


def team_score(state: SessionState, team_id: str) -> Score:
    team = state.scenario.team(team_id)
    assert team is not None
    k = state.scenario.scoring
    agreements = k.agreements * _agreements(state, team_id)
    interest = sum(team.interests.values())
    security = (
        k.security
        * sum(
            w * state.regions[r].security for r, w in team.interests.items() if r in state.regions
        )
        / interest
        if interest > 0
        else 0.0
    )
    points = sum(o.points for o in team.objectives)
    met = sum(o.points for o in team.objectives if holds(o.condition, state))
    objectives = k.objectives * met / points if points > 0 else 0.0
    cost = k.cost * _cost_share(state, team_id)
    total = clamp(agreements + security + objectives - cost, 0.0, 100.0)
    return Score(
        total=round(total, 4),
        agreements=round(agreements, 4),
        security=round(security, 4),
        objectives=round(objectives, 4),
        cost=round(cost, 4),
    )


def _agreements(state: SessionState, team_id: str) -> float:
    team = state.scenario.team(team_id)
    assert team is not None
    total = 0.0
    weighted = 0.0
    in_play = items_in_play(state)
    for item_id, weights in team.weights.items():
        item = state.scenario.item(item_id)
        if item is None or item_id not in in_play:
            continue
        pid = state.adopted.get(item_id)
        u = item_utility(item, weights, state.proposals[pid].clauses) if pid else None
        if u is None:
            u = team.reservation.get(item_id, 0.0)
        priority = team.priorities.get(item_id, 1.0)
        total += priority
        weighted += priority * u
    return weighted / total if total > 0 else 0.0


def _cost_share(state: SessionState, team_id: str) -> float:
    team = state.scenario.team(team_id)
    assert team is not None
    share = 0.0
    for pledge in state.pledges:
        if pledge.team != team_id:
            continue
        initial = team.resources.get(pledge.resource, 0.0)
        if initial > 0:
            share += team.cost_weights.get(pledge.resource, 0.0) * pledge.delivered / initial
    return min(1.0, share)


def collective(state: SessionState) -> float:
    """The public good itself: mean security across regions, in points."""
    if not state.regions:
        return 0.0
    return round(100.0 * sum(r.security for r in state.regions.values()) / len(state.regions), 4)


def rescore(state: SessionState) -> None:
    state.scores = {t.id: team_score(state, t.id) for t in state.scenario.teams}
    state.collective = collective(state)
