"""A small scenario built in code, for engine tests that must not depend on shipped files."""

from __future__ import annotations

import copy
from typing import Any

from game.scenario.model import Scenario

TINY: dict[str, Any] = {
    "id": "tiny",
    "title": "Tiny",
    "teams": [
        {
            "id": "sg",
            "name": "Secretary-General",
            "kind": "secretariat",
            "interests": {"west": 1.0},
            "brief": "SG brief CANARY-SG-BRIEF",
            "weights": {
                "mou": {
                    "consult": {"weight": 2, "options": {"none": 0, "annual": 0.6, "quarterly": 1}},
                    "standby": {"weight": 1, "points": [[0, 0], [5000, 1]]},
                }
            },
            "reservation": {"mou": 0.2},
        },
        {
            "id": "au",
            "name": "African Union",
            "kind": "regional_org",
            "region": "west",
            "seats": 2,
            "interests": {"west": 2.0},
            "resources": {"troops": 4000, "funds": 50},
            "institutionalisation": 0.4,
            "brief": "AU brief CANARY-AU-BRIEF",
            "weights": {
                "mou": {
                    "consult": {
                        "weight": 1,
                        "options": {"none": 0.2, "annual": 1, "quarterly": 0.5},
                    },
                    "standby": {"weight": 2, "points": [[0, 1], [5000, 0]]},
                }
            },
            "cost_weights": {"troops": 0.5, "funds": 0.5},
            "reservation": {"mou": 0.3},
        },
        {
            "id": "eu",
            "name": "European Union",
            "kind": "regional_org",
            "region": "north",
            "interests": {"west": 0.5, "north": 1.0},
            "resources": {"funds": 300},
            "institutionalisation": 0.9,
            "brief": "EU brief CANARY-EU-BRIEF",
            "weights": {
                "mou": {
                    "consult": {"weight": 1, "options": {"none": 0, "annual": 0.5, "quarterly": 1}}
                }
            },
            "cost_weights": {"funds": 0.4},
            "reservation": {"mou": 0.4},
        },
    ],
    "regions": [
        {"id": "west", "name": "West", "security": 0.4, "threat": 0.1},
        {"id": "north", "name": "North", "security": 0.8, "threat": 0.0},
    ],
    "operations": [
        {
            "id": "mission",
            "name": "Mission",
            "region": "west",
            "lead": "au",
            "requirements": {"troops": 8000, "funds": 200},
            "deployed": {"troops": 2000},
        }
    ],
    "agenda": [
        {
            "id": "mou",
            "kind": "mou",
            "title": "UN-AU MOU",
            "partner": "au",
            "rule": {"kind": "consensus"},
            "issues": [
                {
                    "id": "consult",
                    "title": "Consultation",
                    "role": "consultation",
                    "options": [
                        {"id": "none", "label": "None", "strength": 0},
                        {"id": "annual", "label": "Annual", "strength": 0.5},
                        {"id": "quarterly", "label": "Quarterly", "strength": 1},
                    ],
                },
                {
                    "id": "standby",
                    "title": "Standby troops",
                    "kind": "number",
                    "role": "standby",
                    "min": 0,
                    "max": 5000,
                    "step": 500,
                },
            ],
        },
        {
            "id": "burden",
            "kind": "burden_sharing",
            "title": "Funding the mission",
            "operation": "mission",
            "rule": {"kind": "majority"},
            "issues": [{"id": "pledges", "title": "Pledges", "kind": "contributions"}],
        },
    ],
    "rounds": {
        "count": 2,
        "turn_seconds": 30,
        "turn_cap": 9,
        "ballot_seconds": 30,
        "phases": [
            {"id": "briefing", "kind": "briefing", "duration_s": 10},
            {"id": "consult", "kind": "consultations", "duration_s": 60},
            {"id": "formal", "kind": "formal"},
            {"id": "vote", "kind": "voting"},
            {"id": "resolve", "kind": "resolution", "duration_s": 10},
        ],
    },
}


def tiny(**changes: Any) -> Scenario:
    data = copy.deepcopy(TINY)
    data.update(changes)
    return Scenario.model_validate(data)
