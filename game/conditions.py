"""Evaluating the scenario's fixed vocabulary of conditions against a session's state."""

from __future__ import annotations

from collections.abc import Callable

from game.scenario import conditions as c
from game.state import SessionState


def holds(cond: c.Condition, state: SessionState) -> bool:
    """Whether `cond` is true now."""
    return _CHECKS[cond.kind](cond, state)  # type: ignore[arg-type]


def adopted_clauses(state: SessionState, item: str) -> dict | None:
    pid = state.adopted.get(item)
    return state.proposals[pid].clauses if pid else None


def _item_adopted(cond: c.ItemAdopted, state: SessionState) -> bool:
    pid = state.adopted.get(cond.item)
    if pid is None:
        return False
    return cond.by_round is None or (state.proposals[pid].adopted_round or 0) <= cond.by_round


def _item_not_adopted(cond: c.ItemNotAdopted, state: SessionState) -> bool:
    if state.resolved_round < cond.by_round:
        return False
    pid = state.adopted.get(cond.item)
    return pid is None or (state.proposals[pid].adopted_round or 0) > cond.by_round


def _option_adopted(cond: c.OptionAdopted, state: SessionState) -> bool:
    clauses = adopted_clauses(state, cond.item)
    return clauses is not None and clauses.get(cond.issue) == cond.option


def _member_of(cond: c.MemberOf, state: SessionState) -> bool:
    clauses = adopted_clauses(state, cond.item)
    if clauses is None:
        return False
    item = state.scenario.item(cond.item)
    assert item is not None
    return any(i.kind == "members" and cond.team in (clauses.get(i.id) or []) for i in item.issues)


def _security_below(cond: c.SecurityBelow, state: SessionState) -> bool:
    region = state.regions.get(cond.region)
    return region is not None and region.security < cond.level


def _security_at_least(cond: c.SecurityAtLeast, state: SessionState) -> bool:
    region = state.regions.get(cond.region)
    return region is not None and region.security >= cond.level


def _resources_below(cond: c.ResourcesBelow, state: SessionState) -> bool:
    team = state.teams.get(cond.team)
    return team is not None and team.resources.get(cond.resource, 0.0) < cond.level


def _pledges_kept(cond: c.PledgesKept, state: SessionState) -> bool:
    return not any(p.broken for p in state.pledges if p.team == cond.team)


def _all_of(cond: c.AllOf, state: SessionState) -> bool:
    return all(holds(x, state) for x in cond.all)


def _any_of(cond: c.AnyOf, state: SessionState) -> bool:
    return any(holds(x, state) for x in cond.any)


_CHECKS: dict[str, Callable[..., bool]] = {
    "item_adopted": _item_adopted,
    "item_not_adopted": _item_not_adopted,
    "option_adopted": _option_adopted,
    "member_of": _member_of,
    "security_below": _security_below,
    "security_at_least": _security_at_least,
    "resources_below": _resources_below,
    "pledges_kept": _pledges_kept,
    "all_of": _all_of,
    "any_of": _any_of,
}
