"""What is negotiated: agenda items of four kinds, their issues (clauses) and options."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from game.scenario.common import Fraction, Ident, NonNegative, Spec
from game.scenario.rules import DecisionRule, VoterSet

IssueRole = Literal[
    "consultation",
    "information",
    "lead",
    "standby",
    "authorisation",
    "reporting",
    "mandate",
    "duration",
    "members",
    "chair",
    "frequency",
    "working_groups",
    "internal_rule",
    "other",
]
"""What an issue means to the security model; `other` has no effect beyond the teams' utility."""

LeadKind = Literal["un", "regional", "joint"]


class Option(Spec):
    """One choice for a `choice` issue."""

    id: Ident
    label: str
    strength: Fraction | None = Field(
        default=None,
        description="How strongly this option serves the issue's role (a consultation "
        "frequency, a mandate's robustness); read by the security model.",
    )
    lead_kind: LeadKind | None = Field(
        default=None, description="For a `lead` issue: who leads if this option is chosen."
    )
    team: Ident | None = Field(
        default=None, description="For a `lead` issue: the organisation that leads, if any."
    )


class Issue(Spec):
    """One clause of a proposal. `choice` picks an option; `number` a value in a range;
    `members` a set of teams; `contributions` a package of pledges per team and resource."""

    id: Ident
    title: str
    kind: Literal["choice", "number", "members", "contributions"] = "choice"
    role: IssueRole = "other"
    description: str = ""
    options: list[Option] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    step: float | None = Field(default=None, gt=0)
    unit: str = ""
    candidates: list[Ident] | None = Field(
        default=None, description="For `members`: the teams that may be chosen (all if absent)."
    )
    min_members: int = Field(default=1, ge=0)
    max_members: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _shape(self) -> Issue:
        if self.kind == "choice":
            if len(self.options) < 2:
                raise ValueError("a choice issue needs at least two options")
            ids = [o.id for o in self.options]
            if len(set(ids)) != len(ids):
                raise ValueError("option ids must be unique within an issue")
        elif self.options:
            raise ValueError(f"a {self.kind} issue takes no options")
        if self.kind == "number" and (self.min is None or self.max is None or self.min > self.max):
            raise ValueError("a number issue needs min <= max")
        if self.max_members is not None and self.max_members < self.min_members:
            raise ValueError("max_members must be at least min_members")
        return self

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


ItemKind = Literal["mou", "committee", "burden_sharing", "authorisation"]


class Item(Spec):
    """An agenda item. A proposal on it fills every issue."""

    id: Ident
    kind: ItemKind
    title: str
    description: str = ""
    rule: DecisionRule
    voters: VoterSet = Field(
        default="all", description="Who votes: a list of teams, 'all', or 'council'."
    )
    partner: Ident | None = Field(
        default=None, description="For an MOU: the organisation the UN signs it with."
    )
    operation: Ident | None = Field(
        default=None, description="For burden sharing and authorisation: the operation concerned."
    )
    issues: list[Issue] = Field(default_factory=list)
    delivery_rounds: int = Field(
        default=1,
        ge=0,
        description="For burden sharing: rounds after adoption by which pledges fall due.",
    )
    hidden: bool = Field(
        default=False, description="Off the agenda until an inject's `open_item` puts it on."
    )

    @model_validator(mode="after")
    def _shape(self) -> Item:
        ids = [i.id for i in self.issues]
        if len(set(ids)) != len(ids):
            raise ValueError("issue ids must be unique within an item")
        if self.kind == "mou" and self.partner is None:
            raise ValueError("an MOU item names its partner organisation")
        if self.kind == "burden_sharing" and self.operation is None:
            raise ValueError("a burden_sharing item names its operation")
        if self.kind == "burden_sharing" and not any(
            i.kind == "contributions" for i in self.issues
        ):
            raise ValueError("a burden_sharing item needs a contributions issue")
        if not self.issues:
            raise ValueError("an item needs at least one issue")
        return self

    def issue(self, issue_id: str) -> Issue | None:
        return next((i for i in self.issues if i.id == issue_id), None)


class Operation(Spec):
    """A peace operation in a region: what it needs, and what is already deployed."""

    id: Ident
    name: str
    region: Ident
    lead: Ident = Field(
        description="The organisation leading it unless an authorisation says otherwise."
    )
    lead_kind: LeadKind = "regional"
    requirements: dict[Ident, NonNegative] = Field(min_length=1)
    requirement_weights: dict[Ident, NonNegative] = Field(
        default_factory=dict,
        description="How much each resource counts in coverage (1 each if absent).",
    )
    deployed: dict[Ident, NonNegative] = Field(
        default_factory=dict, description="Already on the ground when the session opens."
    )
    needed_from_round: int = Field(
        default=1, ge=1, description="The round from which a late response loses efficiency."
    )
