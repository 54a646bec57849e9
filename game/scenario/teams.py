"""Who plays: teams (delegations), their public profile and their private brief."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from game.scenario.common import Fraction, Ident, NonNegative, Spec
from game.scenario.conditions import Condition

TeamKind = Literal[
    "secretariat", "council_member", "council_bloc", "regional_org", "subregional_org", "state"
]


class IssueWeight(Spec):
    """A team's private valuation of one issue: its weight within the item and a score in
    [0, 1] for each option (`choice`), each candidate (`members`, averaged over those chosen)
    or points of a piecewise-linear curve (`number`)."""

    weight: NonNegative
    options: dict[Ident, Fraction] = Field(default_factory=dict)
    members: dict[Ident, Fraction] = Field(default_factory=dict)
    points: list[tuple[float, Fraction]] = Field(default_factory=list)


class Objective(Spec):
    """A private objective: points toward the score when its condition holds at the end."""

    id: Ident
    text: str
    points: NonNegative = 1.0
    condition: Condition


class Council(Spec):
    """A team's place on the Security Council."""

    member: bool = False
    permanent: bool = False
    veto: bool = False


class Team(Spec):
    """A delegation. Everything under `brief`, `weights`, `reservation`, `priorities`,
    `cost_weights` and `objectives` is private to the team (and the facilitator)."""

    id: Ident
    name: str
    kind: TeamKind
    seats: int = Field(default=1, ge=1, le=12)
    region: Ident | None = Field(default=None, description="Home region, for the domino effect.")
    interests: dict[Ident, NonNegative] = Field(
        default_factory=dict, description="Stake in each region's security."
    )
    resources: dict[Ident, NonNegative] = Field(default_factory=dict)
    population: NonNegative = Field(default=0.0, description="Millions, for double majority.")
    council: Council = Field(default_factory=Council)
    institutionalisation: Fraction = 0.5
    partiality: Fraction = 0.0
    public_profile: str = ""
    brief: str = ""
    weights: dict[Ident, dict[Ident, IssueWeight]] = Field(default_factory=dict)
    reservation: dict[Ident, Fraction] = Field(default_factory=dict)
    priorities: dict[Ident, NonNegative] = Field(
        default_factory=dict, description="How much each item counts in the score (1 if absent)."
    )
    cost_weights: dict[Ident, NonNegative] = Field(default_factory=dict)
    objectives: list[Objective] = Field(default_factory=list)


class NonPlayerVoter(Spec):
    """A Council member that no team plays. Its vote on an item is fixed in `votes`, or
    derived from `weights` and `reservation` like a team's (yes when the text is worth at
    least the reservation), or `default`."""

    id: Ident
    name: str
    permanent: bool = False
    veto: bool = False
    population: NonNegative = 0.0
    votes: dict[Ident, Literal["yes", "no", "abstain"]] = Field(default_factory=dict)
    weights: dict[Ident, dict[Ident, IssueWeight]] = Field(default_factory=dict)
    reservation: dict[Ident, Fraction] = Field(default_factory=dict)
    default: Literal["yes", "no", "abstain"] = "abstain"
