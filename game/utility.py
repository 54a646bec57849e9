"""A team's private valuation of a text: linear additive utility over issues, in [0, 1].

Used for scores, for non-player Council voters' derived votes, by bots and by the debrief's
outcome analysis, so every one of them values a text the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from game.commands import Clauses, ClauseValue
from game.scenario.agenda import Issue, Item
from game.scenario.teams import IssueWeight


def interpolate(points: list[tuple[float, float]], x: float) -> float:
    """Piecewise-linear curve through `points` (sorted by x), flat beyond its ends."""
    if not points:
        return 0.0
    pts = sorted(points)
    if x <= pts[0][0]:
        return pts[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        if x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return pts[-1][1]


def issue_score(issue: Issue, weight: IssueWeight, value: ClauseValue | None) -> float:
    """How much one clause is worth to a team, in [0, 1]."""
    if value is None:
        return 0.0
    if issue.kind == "choice" and isinstance(value, str):
        return weight.options.get(value, 0.0)
    if issue.kind == "number" and isinstance(value, int | float):
        return interpolate(weight.points, float(value))
    if issue.kind == "members" and isinstance(value, list):
        if not value:
            return 0.0
        return sum(weight.members.get(m, 0.0) for m in value) / len(value)
    return 0.0


def item_utility(
    item: Item, weights: Mapping[str, IssueWeight] | None, clauses: Clauses
) -> float | None:
    """The text's utility to a team with these weights, or None when it has none for the item.
    Issues without a weight (a burden-sharing package's contributions, valued as cost instead)
    do not count."""
    if not weights:
        return None
    total = 0.0
    weighted = 0.0
    for issue in item.issues:
        w = weights.get(issue.id)
        if w is None or w.weight <= 0:
            continue
        total += w.weight
        weighted += w.weight * issue_score(issue, w, clauses.get(issue.id))
    return weighted / total if total > 0 else None
