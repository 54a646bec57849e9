"""Injects: crises and news, scheduled or conditional, from the fixed vocabulary."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from game.scenario.common import Ident, Spec
from game.scenario.conditions import Condition
from game.scenario.effects import Effect


class Schedule(Spec):
    """Fire when `round` reaches `phase` (the round's first phase if absent)."""

    round: int = Field(ge=1)
    phase: Ident | None = None


class Inject(Spec):
    """A text shown to `audience` (all teams, or a list), with effects on the session.
    Fires at most once: by `at`, or at the first resolution where `condition` holds, or when
    the facilitator fires it from the library."""

    id: Ident
    title: str
    text: str
    audience: list[Ident] | Literal["all"] = "all"
    at: Schedule | None = None
    condition: Condition | None = None
    effects: list[Effect] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_trigger(self) -> Inject:
        if self.at is not None and self.condition is not None:
            raise ValueError("an inject is scheduled (at) or conditional (condition), not both")
        return self
