"""The outcome analysis against brute force on small spaces, and against hand-worked cases."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from game.analysis import outcomes
from game.analysis.outcomes import analyse_item
from game.scenario.model import Scenario
from game.utility import item_utility
from tests.game.tiny import TINY, tiny


def random_scenario(seed: int, teams: int = 3, issues: int = 3, options: int = 3) -> Scenario:
    rng = random.Random(seed)
    base = tiny().model_dump()
    issue_list = [
        {
            "id": f"i{k}",
            "title": f"Issue {k}",
            "options": [{"id": f"o{j}", "label": f"O{j}"} for j in range(options)],
        }
        for k in range(issues)
    ]
    base["agenda"] = [
        {
            "id": "deal",
            "kind": "mou",
            "title": "Deal",
            "partner": "au",
            "rule": {"kind": "consensus"},
            "issues": issue_list,
        }
    ]
    base["operations"] = []
    chosen = base["teams"][:teams]
    for team in chosen:
        team["weights"] = {
            "deal": {
                f"i{k}": {
                    "weight": rng.randint(1, 5),
                    "options": {f"o{j}": round(rng.random(), 3) for j in range(options)},
                }
                for k in range(issues)
            }
        }
        team["reservation"] = {"deal": round(rng.random() * 0.4, 3)}
        team["objectives"] = []
    base["teams"] = chosen
    return Scenario.model_validate(base)


def brute(scenario: Scenario) -> tuple[list, list[str]]:
    item = scenario.item("deal")
    teams = [t.id for t in scenario.teams]
    out = []
    for combo in itertools.product(*([o.id for o in i.options] for i in item.issues)):
        clauses = {i.id: v for i, v in zip(item.issues, combo, strict=True)}
        out.append(
            (
                clauses,
                [item_utility(item, scenario.team(t).weights["deal"], clauses) for t in teams],
            )
        )
    return out, teams


def dominated(u, others) -> bool:
    return any(
        all(a >= b - 1e-12 for a, b in zip(v, u, strict=True))
        and any(a > b + 1e-12 for a, b in zip(v, u, strict=True))
        for v in others
    )


@pytest.mark.parametrize("seed", range(8))
def test_frontier_nash_and_welfare_match_brute_force(seed: int):
    """On random small spaces the frontier, the Nash point and the welfare maximum are those
    that brute force finds."""
    scenario = random_scenario(seed)
    analysis = analyse_item(scenario, scenario.item("deal"), None)
    points, teams = brute(scenario)
    utilities = [u for _, u in points]
    truth = {tuple(round(x, 9) for x in u) for u in utilities if not dominated(u, utilities)}
    found = {tuple(round(p.utilities[t], 9) for t in teams) for p in analysis.frontier}
    assert found == truth
    d = [analysis.disagreement[t] for t in teams]
    rational = [u for u in utilities if all(a >= b for a, b in zip(u, d, strict=True))]
    if rational:
        best_nash = max(math.prod(a - b for a, b in zip(u, d, strict=True)) for u in rational)
        got = [analysis.nash.utilities[t] for t in teams]
        assert math.prod(a - b for a, b in zip(got, d, strict=True)) == pytest.approx(best_nash)
    assert sum(analysis.max_welfare.utilities.values()) == pytest.approx(max(map(sum, utilities)))


def test_hand_worked_two_team_case():
    """A values options (1, .5, 0), B values them (0, .6, 1), no reservation: all three are
    Pareto optimal; Nash, Kalai–Smorodinsky and welfare all pick the middle option."""
    base = random_scenario(0, teams=2, issues=1).model_dump()
    base["teams"][0]["weights"]["deal"]["i0"] = {
        "weight": 1,
        "options": {"o0": 1, "o1": 0.5, "o2": 0},
    }
    base["teams"][1]["weights"]["deal"]["i0"] = {
        "weight": 1,
        "options": {"o0": 0, "o1": 0.6, "o2": 1},
    }
    for team in base["teams"]:
        team["reservation"] = {"deal": 0}
    scenario = Scenario.model_validate(base)
    analysis = analyse_item(scenario, scenario.item("deal"), {"i0": "o0"})
    assert len(analysis.frontier) == 3
    assert analysis.nash.clauses == {"i0": "o1"}
    assert analysis.kalai_smorodinsky.clauses == {"i0": "o1"}
    assert analysis.max_welfare.clauses == {"i0": "o1"}
    assert analysis.on_frontier
    assert analysis.gap_to_max_welfare.welfare_lost == pytest.approx(0.1)


def test_no_agreement_sits_at_the_disagreement_point():
    """Without an adopted text the actual outcome is the reservation values."""
    scenario = tiny()
    analysis = analyse_item(scenario, scenario.item("mou"), None)
    assert analysis.actual is None
    assert analysis.actual_utilities == analysis.disagreement
    assert analysis.gap_to_frontier > 0


@pytest.mark.parametrize("seed", range(4))
def test_search_gets_close_to_exact(seed: int, monkeypatch: pytest.MonkeyPatch):
    """Forced to search a space it could enumerate, the analysis finds the exact welfare
    maximum, only truly Pareto-optimal points, and a Nash point within 2% of the best."""
    scenario = random_scenario(seed, teams=3, issues=6, options=4)
    exact = analyse_item(scenario, scenario.item("deal"), None)
    monkeypatch.setattr(outcomes, "EXACT_LIMIT", 10)
    searched = analyse_item(scenario, scenario.item("deal"), None)
    assert exact.method == "exact" and searched.method == "search"
    teams = exact.teams
    assert sum(searched.max_welfare.utilities.values()) == pytest.approx(
        sum(exact.max_welfare.utilities.values())
    )
    truth = [[p.utilities[t] for t in teams] for p in exact.frontier]
    for p in searched.frontier:
        assert not dominated([p.utilities[t] for t in teams], truth)
    d = [exact.disagreement[t] for t in teams]

    def nash(point) -> float:
        return math.prod(point.utilities[t] - x for t, x in zip(teams, d, strict=True))

    assert nash(searched.nash) >= 0.98 * nash(exact.nash)


def test_teams_without_weights_take_no_part():
    """Only teams that value an item are in its analysis."""
    data = dict(TINY)
    scenario = tiny()
    analysis = analyse_item(scenario, scenario.item("mou"), None)
    assert analysis.teams == [t["id"] for t in data["teams"] if "mou" in t.get("weights", {})]
