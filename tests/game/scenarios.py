"""The shipped scenarios, parsed once for the engine tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from game.scenario.model import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@cache
def shipped() -> dict[str, Scenario]:
    out = {}
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = Scenario.model_validate(yaml.safe_load(path.read_text()))
        out[scenario.id] = scenario
    return out
