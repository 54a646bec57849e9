"""What was agreed against what was possible (GAME.md section 6): for each agenda item, the
Pareto frontier of its outcome space, the Nash bargaining and Kalai–Smorodinsky points, the
highest total welfare, and how far the adopted text (or no agreement) fell from each.

The outcome space of an item is the product of its issues' values: every option of a `choice`
issue, a grid of at most `NUMBER_POINTS` values of a `number` issue (its steps, or evenly
spaced), every admissible set of a `members` issue. `contributions` carry no utility weights
(a team values them as cost), so they are not part of the space. Only teams with weights on the
item take part; the disagreement point is their reservation values.

Values of an issue that another value of it beats for every team are dropped first (no
reference point needs them); spaces of up to `EXACT_LIMIT` remaining outcomes are enumerated.
Larger ones are searched: because the utilities are linear and additive over issues, any
weighted sum of them is maximised issue by issue, so the supported Pareto points (and the
welfare maximum) are found exactly from many weightings; the Nash and Kalai–Smorodinsky points
are then found by coordinate ascent from every frontier point found. `Analysis.method` says
which was used; the tests measure how close the search gets on spaces small enough to
enumerate.
"""

from __future__ import annotations

import itertools
import math
import operator
import random
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from game.commands import Clauses, ClauseValue
from game.scenario.agenda import Issue, Item
from game.scenario.model import Scenario
from game.utility import issue_score, item_utility

Score = Callable[[Sequence[float]], float]

EXACT_LIMIT = 5_000
NUMBER_POINTS = 11
MAX_MEMBER_SETS = 4_096
SEARCH_WEIGHTINGS = 400


class Point(BaseModel):
    """An outcome and what it is worth to each team."""

    clauses: Clauses
    utilities: dict[str, float]


class Gap(BaseModel):
    """How far the actual outcome fell from a reference point, in utility space."""

    distance: float = Field(description="Euclidean distance between the utility vectors.")
    welfare_lost: float = Field(description="Sum of utilities of the reference minus actual.")


class Analysis(BaseModel):
    item: str
    teams: list[str]
    method: str = Field(description="'exact' or 'search' (see the module docstring).")
    space_size: int
    disagreement: dict[str, float]
    actual: Point | None = Field(description="The adopted text, or None: no agreement.")
    actual_utilities: dict[str, float]
    frontier: list[Point]
    nash: Point | None
    kalai_smorodinsky: Point | None
    max_welfare: Point
    on_frontier: bool
    gap_to_frontier: float
    gap_to_nash: Gap | None
    gap_to_kalai_smorodinsky: Gap | None
    gap_to_max_welfare: Gap


def issue_values(scenario: Scenario, issue: Issue) -> list[ClauseValue]:
    """The values an issue takes in the analysed outcome space."""
    if issue.kind == "choice":
        return [o.id for o in issue.options]
    if issue.kind == "number":
        assert issue.min is not None and issue.max is not None
        if issue.step:
            n = round((issue.max - issue.min) / issue.step) + 1
            if n <= NUMBER_POINTS:
                return [issue.min + k * issue.step for k in range(n)]
        return [
            issue.min + (issue.max - issue.min) * k / (NUMBER_POINTS - 1)
            for k in range(NUMBER_POINTS)
        ]
    if issue.kind == "members":
        pool = issue.candidates or [t.id for t in scenario.teams]
        top = min(issue.max_members or len(pool), len(pool))
        sets: list[ClauseValue] = []
        for k in range(issue.min_members, top + 1):
            for combo in itertools.combinations(pool, k):
                sets.append(list(combo))
                if len(sets) >= MAX_MEMBER_SETS:
                    return sets
        return sets
    return []


def participants(scenario: Scenario, item: Item) -> list[str]:
    return [t.id for t in scenario.teams if t.weights.get(item.id)]


class _Space:
    """An item's outcome space and each team's utility table per issue value."""

    def __init__(self, scenario: Scenario, item: Item) -> None:
        self.scenario = scenario
        self.item = item
        self.teams = participants(scenario, item)
        self.issues = [i for i in item.issues if i.kind != "contributions"]
        self.values = [issue_values(scenario, i) for i in self.issues]
        self.size = math.prod(len(v) for v in self.values) if self.issues else 0
        # parts[t][i][k]: team t's weighted score for value k of issue i, over its total weight
        self.parts: list[list[list[float]]] = []
        for team_id in self.teams:
            team = scenario.team(team_id)
            assert team is not None
            weights = team.weights[item.id]
            total = sum(w.weight for i, w in weights.items() if item.issue(i)) or 1.0
            table = []
            for issue, values in zip(self.issues, self.values, strict=True):
                w = weights.get(issue.id)
                table.append(
                    [
                        0.0 if w is None else w.weight * issue_score(issue, w, v) / total
                        for v in values
                    ]
                )
            self.parts.append(table)
        self.useful = [self._undominated(i) for i in range(len(self.issues))]
        self.pruned_size = math.prod(len(u) for u in self.useful) if self.issues else 0

    def _undominated(self, i: int) -> list[int]:
        """Values of issue `i` that no other value of it beats for every team. Swapping a
        dominated value for its dominator dominates the whole outcome, and the Nash,
        Kalai–Smorodinsky and welfare objectives never decrease in any team's utility, so
        every reference point lies among outcomes built from these values (of values equal
        for every team, the first stands for all)."""
        columns = [tuple(table[i][k] for table in self.parts) for k in range(len(self.values[i]))]
        keep = []
        for k, col in enumerate(columns):
            beaten = any(
                (other != col and all(a >= b for a, b in zip(other, col, strict=True)))
                or (other == col and j < k)
                for j, other in enumerate(columns)
                if j != k
            )
            if not beaten:
                keep.append(k)
        return keep

    def utilities(self, choice: Sequence[int]) -> list[float]:
        return [sum(table[i][k] for i, k in enumerate(choice)) for table in self.parts]

    def point(self, choice: Sequence[int]) -> Point:
        clauses = {
            issue.id: self.values[i][k]
            for i, (issue, k) in enumerate(zip(self.issues, choice, strict=True))
        }
        return Point(
            clauses=clauses, utilities=dict(zip(self.teams, self.utilities(choice), strict=True))
        )

    def best_for(self, lam: Sequence[float]) -> tuple[int, ...]:
        """The outcome maximising Σ λ_t u_t: issue by issue, since utilities are additive."""
        choice = []
        for i, values in enumerate(self.values):
            scores = [
                sum(w * self.parts[t][i][k] for t, w in enumerate(lam)) for k in range(len(values))
            ]
            choice.append(max(range(len(values)), key=lambda k: (scores[k], -k)))
        return tuple(choice)


def pareto(
    points: list[tuple[tuple[int, ...], list[float]]],
) -> list[tuple[tuple[int, ...], list[float]]]:
    """The points no other point weakly dominates (with one strict improvement); of points
    with the same utilities, the first stands for all."""
    # In descending lexicographic order, only an earlier point can dominate a later one.
    ordered = sorted(points, key=lambda p: [-u for u in p[1]])
    front: list[tuple[tuple[int, ...], list[float]]] = []
    seen: set[tuple[float, ...]] = set()
    for choice, u in ordered:
        key = tuple(round(x, 12) for x in u)
        if key in seen:
            continue
        seen.add(key)
        if not any(all(map(operator.ge, f, u)) for _, f in front):
            front.append((choice, u))
    return front


def _nash_value(u: Sequence[float], d: Sequence[float]) -> float:
    gains = [a - b for a, b in zip(u, d, strict=True)]
    if any(g < -1e-12 for g in gains):
        return -1.0
    return math.prod(max(g, 0.0) for g in gains)


def _ks_value(u: Sequence[float], d: Sequence[float], ideal: Sequence[float]) -> float:
    ratios = []
    for a, b, c in zip(u, d, ideal, strict=True):
        if a < b - 1e-12:
            return -1.0
        ratios.append(1.0 if c - b <= 1e-12 else (a - b) / (c - b))
    return min(ratios)


def _enumerate(space: _Space) -> list[tuple[tuple[int, ...], list[float]]]:
    return [(choice, space.utilities(choice)) for choice in itertools.product(*space.useful)]


def _search(space: _Space, seed: int) -> list[tuple[tuple[int, ...], list[float]]]:
    rng = random.Random(seed)
    n = len(space.teams)
    found: dict[tuple[int, ...], list[float]] = {}
    weightings = [[1.0 if j == i else 1e-6 for j in range(n)] for i in range(n)] + [[1.0] * n]
    weightings += [[rng.random() for _ in range(n)] for _ in range(SEARCH_WEIGHTINGS)]
    for lam in weightings:
        choice = space.best_for(lam)
        found[choice] = space.utilities(choice)
    return list(found.items())


def _ascend(space: _Space, start: tuple[int, ...], score: Score) -> tuple[int, ...]:
    """Coordinate ascent on `score(utilities)` from `start`."""
    best, best_score = list(start), score(space.utilities(start))
    improved = True
    while improved:
        improved = False
        for i, values in enumerate(space.values):
            for k in range(len(values)):
                trial = best.copy()
                trial[i] = k
                s = score(space.utilities(trial))
                if s > best_score + 1e-12:
                    best, best_score, improved = trial, s, True
    return tuple(best)


def analyse_item(
    scenario: Scenario, item: Item, adopted: Clauses | None, seed: int = 0
) -> Analysis | None:
    """The outcome analysis of one item, or None when fewer than two teams value it."""
    space = _Space(scenario, item)
    if len(space.teams) < 2 or space.size == 0:
        return None
    d = [scenario.team(t).reservation.get(item.id, 0.0) for t in space.teams]  # type: ignore[union-attr]
    exact = space.pruned_size <= EXACT_LIMIT
    candidates = _enumerate(space) if exact else _search(space, seed)
    front = pareto(candidates)
    ideal = [max(u[t] for _, u in candidates) for t in range(len(space.teams))]

    def best(score: Score) -> tuple[int, ...] | None:
        scored = [(score(u), c) for c, u in candidates]
        top = max(scored, key=lambda x: x[0])
        if top[0] < 0:
            return None
        choice = top[1]
        if not exact:
            for c, _ in front:
                trial = _ascend(space, c, score)
                if score(space.utilities(trial)) > score(space.utilities(choice)):
                    choice = trial
        return choice

    nash = best(lambda u: _nash_value(u, d))
    ks = best(lambda u: _ks_value(u, d, ideal))
    welfare = space.best_for([1.0] * len(space.teams))

    if adopted is not None:
        actual_u = [
            item_utility(item, scenario.team(t).weights[item.id], adopted) or 0.0  # type: ignore[union-attr]
            for t in space.teams
        ]
    else:
        actual_u = d
    gap_front = min(_dist(actual_u, u) for _, u in front) if front else 0.0
    return Analysis(
        item=item.id,
        teams=space.teams,
        method="exact" if exact else "search",
        space_size=space.size,
        disagreement=dict(zip(space.teams, d, strict=True)),
        actual=Point(clauses=adopted, utilities=dict(zip(space.teams, actual_u, strict=True)))
        if adopted is not None
        else None,
        actual_utilities=dict(zip(space.teams, actual_u, strict=True)),
        frontier=[space.point(c) for c, _ in front],
        nash=space.point(nash) if nash is not None else None,
        kalai_smorodinsky=space.point(ks) if ks is not None else None,
        max_welfare=space.point(welfare),
        on_frontier=gap_front <= 1e-9 and not any(_dominates(u, actual_u) for _, u in front),
        gap_to_frontier=gap_front,
        gap_to_nash=_gap(space, nash, actual_u),
        gap_to_kalai_smorodinsky=_gap(space, ks, actual_u),
        gap_to_max_welfare=_gap(space, welfare, actual_u),  # type: ignore[arg-type]
    )


def _dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(x >= y - 1e-12 for x, y in zip(a, b, strict=True)) and any(
        x > y + 1e-12 for x, y in zip(a, b, strict=True)
    )


def _dist(a: Sequence[float], b: Sequence[float]) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))


def _gap(space: _Space, choice: tuple[int, ...] | None, actual: list[float]) -> Gap | None:
    if choice is None:
        return None
    u = space.utilities(choice)
    return Gap(distance=_dist(u, actual), welfare_lost=sum(u) - sum(actual))
