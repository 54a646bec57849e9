"""The scenario: the whole of a game's data, as one file describes it."""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import orjson
from pydantic import Field

from game.scenario.agenda import Item, Operation
from game.scenario.common import Ident, Spec, own_cache
from game.scenario.disclosure import Declassification
from game.scenario.flow import Rounds
from game.scenario.injects import Inject
from game.scenario.security import Region, Scoring, SecurityModel
from game.scenario.teams import NonPlayerVoter, Team

FORMAT_VERSION = 1


class Scenario(Spec):
    """A scenario. Everything except the teams' private fields is public."""

    format: Literal[1] = Field(default=FORMAT_VERSION, description="Version of this format.")
    id: Ident
    title: str
    year: int | None = None
    summary: str = Field(default="", description="Public: shown in the lobby and the list.")
    background: str = Field(default="", description="Public: the common brief every team reads.")
    facilitator_notes: str = Field(default="", description="For the facilitator only.")
    debrief_questions: list[str] = Field(default_factory=list)
    teams: list[Team] = Field(min_length=2)
    regions: list[Region] = Field(min_length=1)
    operations: list[Operation] = Field(default_factory=list)
    agenda: list[Item] = Field(min_length=1)
    rounds: Rounds
    council: list[NonPlayerVoter] = Field(
        default_factory=list, description="Council members no team plays."
    )
    injects: list[Inject] = Field(default_factory=list)
    declassify: Declassification = Field(default_factory=Declassification)
    scoring: Scoring = Field(default_factory=Scoring)
    security: SecurityModel = Field(default_factory=SecurityModel)

    @own_cache
    def digest(self) -> str:
        """SHA-256 of the scenario's canonical JSON: what a state hash covers of it."""
        data = orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(data).hexdigest()

    @own_cache
    def _index(self) -> dict[str, dict[str, Any]]:
        # Lookups run on every command; a frozen scenario can index itself once.
        return {
            "team": {t.id: t for t in self.teams},
            "item": {i.id: i for i in self.agenda},
            "region": {r.id: r for r in self.regions},
            "operation": {o.id: o for o in self.operations},
            "inject": {i.id: i for i in self.injects},
            "phase": {p.id: p for p in self.rounds.phases},
        }

    def team(self, team_id: str) -> Team | None:
        return self._index["team"].get(team_id)

    def item(self, item_id: str) -> Item | None:
        return self._index["item"].get(item_id)

    def region(self, region_id: str) -> Region | None:
        return self._index["region"].get(region_id)

    def operation(self, operation_id: str) -> Operation | None:
        return self._index["operation"].get(operation_id)

    def inject(self, inject_id: str) -> Inject | None:
        return self._index["inject"].get(inject_id)

    def phases_of_round(self, round_no: int) -> list[int]:
        """Indices of the phases that run in `round_no`, in order."""
        return [
            i for i, p in enumerate(self.rounds.phases) if p.rounds is None or round_no in p.rounds
        ]
