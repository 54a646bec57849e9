"""Checking and merging the clauses of proposals, amendments and drafts against an item."""

from __future__ import annotations

import math
from collections.abc import Mapping

from game.commands import Clauses, ClauseValue
from game.scenario.agenda import Issue, Item
from game.scenario.model import Scenario


def check_clauses(scenario: Scenario, item: Item, clauses: Clauses, *, complete: bool) -> list[str]:
    """Every way `clauses` fails to fit `item`, as sentences; empty when they fit. A complete
    text (a tabled proposal) fills every issue; a draft or an amendment may fill some."""
    problems = [f"'{key}' is not an issue of {item.id}" for key in clauses if not item.issue(key)]
    for issue in item.issues:
        if issue.id not in clauses:
            if complete:
                problems.append(f"issue '{issue.id}' is not filled")
            continue
        problem = _check_value(scenario, issue, clauses[issue.id])
        if problem:
            problems.append(f"issue '{issue.id}': {problem}")
    return problems


def _check_value(scenario: Scenario, issue: Issue, value: ClauseValue) -> str | None:
    if issue.kind == "choice":
        if not isinstance(value, str) or issue.option(value) is None:
            return f"choose one of {', '.join(o.id for o in issue.options)}"
        return None
    if issue.kind == "number":
        return _check_number(issue, value)
    if issue.kind == "members":
        return _check_members(scenario, issue, value)
    return _check_contributions(scenario, value)


def _check_number(issue: Issue, value: ClauseValue) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "give a number"
    assert issue.min is not None and issue.max is not None
    if not issue.min <= value <= issue.max:
        return f"{value:g} is outside {issue.min:g} to {issue.max:g}"
    if (
        issue.step
        and abs((value - issue.min) / issue.step - round((value - issue.min) / issue.step)) > 1e-9
    ):
        return f"{value:g} is not a multiple of {issue.step:g} from {issue.min:g}"
    return None


def _check_members(scenario: Scenario, issue: Issue, value: ClauseValue) -> str | None:
    if not isinstance(value, list):
        return "give a list of teams"
    allowed = issue.candidates or [t.id for t in scenario.teams]
    unknown = [m for m in value if m not in allowed]
    if unknown:
        return f"{', '.join(unknown)} may not be chosen"
    if len(set(value)) != len(value):
        return "a team is listed twice"
    top = issue.max_members if issue.max_members is not None else len(allowed)
    if not issue.min_members <= len(value) <= top:
        return f"choose between {issue.min_members} and {top} members"
    return None


def _check_contributions(scenario: Scenario, value: ClauseValue) -> str | None:
    if not isinstance(value, dict):
        return "give contributions as team -> resource -> amount"
    for team_id, pledges in value.items():
        team = scenario.team(team_id)
        if team is None:
            return f"'{team_id}' is not a team"
        for resource, amount in pledges.items():
            if resource not in team.resources:
                return f"{team_id} has no {resource}"
            if not math.isfinite(amount) or amount < 0:
                return f"{team_id}'s {resource} must be a number of at least 0"
    return None


def merge(base: Clauses, change: Mapping[str, ClauseValue]) -> Clauses:
    """A proposal's clauses with an amendment's applied: each amended issue is replaced."""
    merged = dict(base)
    merged.update(change)
    return merged


def contributions(item: Item, clauses: Clauses) -> dict[str, dict[str, float]]:
    """The pledges a burden-sharing text assigns, without zero entries."""
    out: dict[str, dict[str, float]] = {}
    for issue in item.issues:
        value = clauses.get(issue.id)
        if issue.kind != "contributions" or not isinstance(value, dict):
            continue
        for team, pledges in value.items():
            for resource, amount in pledges.items():
                if amount > 0:
                    out.setdefault(team, {})[resource] = (
                        out.get(team, {}).get(resource, 0.0) + amount
                    )
    return out
