"""Canary strings planted in every secret a team has, to prove none reaches another seat."""

from __future__ import annotations

from game.scenario.conditions import PledgesKept
from game.scenario.model import Scenario
from game.scenario.teams import Objective

KINDS = ("BRIEF", "OBJECTIVE", "DRAFT", "PRIVATE", "TEAMTALK", "INJECT")


def canary(team: str, kind: str) -> str:
    return f"CANARY-{team.upper()}-{kind}"


def reservation_canary(index: int) -> float:
    """A reservation value no other number in a session will print as."""
    return round(0.1 + 0.000_137 * (index + 1) + 0.000_000_9, 7)


def with_canaries(scenario: Scenario) -> Scenario:
    teams = []
    for index, team in enumerate(scenario.teams):
        objectives = [
            o.model_copy(update={"text": f"{o.text} {canary(team.id, 'OBJECTIVE')}"})
            for o in team.objectives
        ] or [
            Objective(
                id="keep_word",
                text=canary(team.id, "OBJECTIVE"),
                condition=PledgesKept(team=team.id),
            )
        ]
        reservation = {item: reservation_canary(index) for item in team.weights}
        teams.append(
            team.model_copy(
                update={
                    "brief": f"{team.brief} {canary(team.id, 'BRIEF')}",
                    "objectives": objectives,
                    "reservation": reservation,
                }
            )
        )
    return Scenario.model_validate(
        {**scenario.model_dump(), "teams": [t.model_dump() for t in teams]}
    )


def secrets_of(scenario: Scenario, team: str) -> list[str]:
    index = [t.id for t in scenario.teams].index(team)
    return [canary(team, k) for k in KINDS] + [repr(reservation_canary(index))]
