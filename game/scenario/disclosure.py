"""Declassification: which secrets open, and when."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from game.scenario.common import Spec

OpenAt = Literal["debrief", "never"] | Annotated[int, Field(ge=1)]
"""`debrief` once the session concludes; a round number once that round is resolved; or never."""


class Declassification(Spec):
    """When each kind of secret opens to every viewer."""

    briefs: OpenAt = "debrief"
    weights: OpenAt = "debrief"
    drafts: OpenAt = "debrief"
    private_channels: OpenAt = "debrief"
    team_channels: OpenAt = "never"
    scores: OpenAt = Field(
        default="debrief", description="Other teams' scores (a team always sees its own)."
    )
    ballots: Literal["close"] | OpenAt = Field(
        default="close",
        description="Who voted how: at each ballot's close (the default), or later; until then "
        "only the totals are shown.",
    )
    log: OpenAt = Field(default="debrief", description="When players may download the event log.")
