"""The shape of a round: its phases, who may act in each, and which channels are open."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from game.scenario.common import Ident, Spec

PhaseKind = Literal["briefing", "consultations", "formal", "voting", "resolution"]
ChannelKind = Literal["floor", "team", "private"]

DEFAULT_CHANNELS: dict[str, list[ChannelKind]] = {
    "briefing": ["team"],
    "consultations": ["floor", "team", "private"],
    "formal": ["floor", "team"],
    "voting": ["team"],
    "resolution": ["floor", "team", "private"],
}


class Phase(Spec):
    """One phase of a round. A phase without `duration_s` waits for the facilitator."""

    id: Ident
    kind: PhaseKind
    title: str = ""
    duration_s: int | None = Field(default=None, ge=1)
    actors: list[Ident] | Literal["all", "none"] | None = Field(
        default=None,
        description="Teams that may act (table, speak, vote); defaults to none for briefing "
        "and resolution, all otherwise.",
    )
    channels: list[ChannelKind] | None = Field(
        default=None, description="Channels open in this phase (defaults by kind)."
    )
    turn_seconds: int | None = Field(default=None, ge=5, description="Formal session: a turn.")
    turn_cap: int | None = Field(default=None, ge=1, description="Formal session: most turns.")
    ballot_seconds: int | None = Field(default=None, ge=5, description="Voting: one ballot.")
    rounds: list[int] | None = Field(
        default=None, description="Rounds in which this phase happens (all if absent)."
    )

    def open_channels(self) -> list[ChannelKind]:
        return list(self.channels) if self.channels is not None else DEFAULT_CHANNELS[self.kind]


class Rounds(Spec):
    """How many rounds (meeting days), and the phases each one runs through."""

    count: int = Field(ge=1, le=50)
    phases: list[Phase] = Field(min_length=1)
    turn_seconds: int = Field(default=90, ge=5)
    turn_cap: int = Field(default=24, ge=1)
    ballot_seconds: int = Field(default=60, ge=5)

    @model_validator(mode="after")
    def _unique(self) -> Rounds:
        ids = [p.id for p in self.phases]
        if len(set(ids)) != len(ids):
            raise ValueError("phase ids must be unique")
        return self
