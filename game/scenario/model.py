"""The scenario: the whole of a game's data, as one file describes it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from game.scenario.agenda import Item, Operation
from game.scenario.common import Ident, Spec
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

    def team(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.agenda if i.id == item_id), None)

    def region(self, region_id: str) -> Region | None:
        return next((r for r in self.regions if r.id == region_id), None)

    def operation(self, operation_id: str) -> Operation | None:
        return next((o for o in self.operations if o.id == operation_id), None)

    def inject(self, inject_id: str) -> Inject | None:
        return next((i for i in self.injects if i.id == inject_id), None)
