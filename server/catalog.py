"""The scenarios a session can be created from: the shipped ones, plus any in the folder
`CHAPTER8_SCENARIOS_DIR` names. Listing and reading show only what is public."""

from __future__ import annotations

import logging
from pathlib import Path

import yaml

from game import engine
from game.disclosure import SPECTATOR_VIEW
from game.scenario.model import Scenario
from game.views import redact_scenario

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parents[1] / "scenarios"


def _builtin() -> dict[str, Scenario]:
    try:
        from server.scenario_files import builtin_scenarios  # type: ignore[attr-defined]
    except ImportError:
        return load_folder(SHIPPED)
    found = builtin_scenarios()
    return dict(found) if isinstance(found, dict) else {s.id: s for s in found}


def load_folder(folder: Path) -> dict[str, Scenario]:
    """Every *.yaml / *.yml / *.json scenario in `folder` (YAML reads JSON too)."""
    found: dict[str, Scenario] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml", ".json"):
            continue
        scenario = Scenario.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        found[scenario.id] = scenario
    return found


class Catalog:
    def __init__(self, extra: Path | None = None) -> None:
        self.scenarios = _builtin()
        if extra is not None:
            self.scenarios.update(load_folder(extra))
        self._public: dict[str, Scenario] = {}

    def get(self, scenario_id: str) -> Scenario | None:
        return self.scenarios.get(scenario_id)

    def public(self, scenario_id: str) -> Scenario | None:
        """The scenario as anyone may read it before a session: no team's brief, weights or
        objectives, no injects, no facilitator notes, no hidden agenda items."""
        if scenario_id not in self._public:
            scenario = self.scenarios.get(scenario_id)
            if scenario is None:
                return None
            state = engine.fold(engine.create("catalog", scenario.title, scenario, 0, 0))
            self._public[scenario_id] = redact_scenario(state, SPECTATOR_VIEW)
        return self._public[scenario_id]
