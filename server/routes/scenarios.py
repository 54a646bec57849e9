"""Scenarios: list them and read one, public parts only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from server.deps import Service

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"])


@router.get("")
def list_scenarios(service: Service) -> list[dict[str, Any]]:
    """Every scenario a session can be created from, with its public summary."""
    found = []
    for scenario_id in sorted(service.catalog.scenarios):
        s = service.catalog.public(scenario_id)
        assert s is not None
        found.append(
            {
                "id": s.id,
                "title": s.title,
                "year": s.year,
                "summary": s.summary,
                "teams": [
                    {"id": t.id, "name": t.name, "kind": t.kind, "seats": t.seats} for t in s.teams
                ],
                "rounds": s.rounds.count,
            }
        )
    return found


@router.get("/{scenario_id}")
def read_scenario(scenario_id: str, service: Service) -> dict[str, Any]:
    """The scenario as every player may read it: no team's brief, weights or objectives, no
    injects, no facilitator notes."""
    scenario = service.catalog.public(scenario_id)
    if scenario is None:
        raise HTTPException(404, {"code": "unknown", "reason": "no such scenario"})
    return scenario.model_dump(mode="json")
