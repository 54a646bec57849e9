"""Decision rules (GAME.md section 4) as scenario data.

Each rule says when a ballot's result adopts a text. The tally itself lives in
`game.decision_rules`; these models only carry a rule's parameters, so that a file can name a
rule and tune it but never define one.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from game.scenario.common import Fraction, Ident, NonNegative, Spec


class RuleCommon(Spec):
    """Settings every rule shares."""

    quorum: Fraction = Field(
        default=0.0,
        description="Share of the eligible voters that must cast a ballot (yes, no or abstain) "
        "for the result to stand; below it the text is not adopted.",
    )
    abstentions_count: bool = Field(
        default=False,
        description="When a threshold is taken of votes cast, whether abstentions count as cast "
        "(false follows the UN's 'present and voting').",
    )


class Consensus(RuleCommon):
    """Adopted when nobody votes no; abstentions do not block."""

    kind: Literal["consensus"] = "consensus"


class Unanimity(RuleCommon):
    """Adopted only when every eligible voter votes yes."""

    kind: Literal["unanimity"] = "unanimity"


class Majority(RuleCommon):
    """Adopted when yes votes are more than half of the basis."""

    kind: Literal["majority"] = "majority"
    basis: Literal["cast", "members"] = Field(
        default="cast", description="Half of the votes cast, or half of all eligible voters."
    )


class QualifiedMajority(RuleCommon):
    """Adopted when yes votes reach `k` (a count) or `fraction` of the basis."""

    kind: Literal["qualified_majority"] = "qualified_majority"
    basis: Literal["cast", "members"] = "members"
    k: int | None = Field(default=None, ge=1, description="Yes votes needed, as a count.")
    fraction: Fraction | None = Field(default=None, description="Yes votes needed, as a share.")

    @model_validator(mode="after")
    def _one_threshold(self) -> QualifiedMajority:
        if (self.k is None) == (self.fraction is None):
            raise ValueError("give exactly one of k (a count) or fraction (a share)")
        return self


class Weighted(RuleCommon):
    """Each voter's yes counts its weight; adopted when the yes weight reaches `threshold` of
    the total weight of the basis."""

    kind: Literal["weighted"] = "weighted"
    basis: Literal["cast", "members"] = "members"
    weights: dict[Ident, NonNegative] = Field(min_length=1)
    threshold: Fraction


class SecurityCouncil(RuleCommon):
    """Article 27(3): `affirmative` yes votes (nine of fifteen) and no negative vote by a
    permanent member with a veto. An abstention is not a veto."""

    kind: Literal["security_council"] = "security_council"
    affirmative: int = Field(default=9, ge=1)


class DoubleMajority(RuleCommon):
    """The EU Council's qualified majority: `members` of the eligible voters voting yes, who
    represent `population` of their total population."""

    kind: Literal["double_majority"] = "double_majority"
    members: Fraction = 0.55
    population: Fraction = 0.65


class SilenceProcedure(RuleCommon):
    """The text is circulated and adopted when the ballot's deadline falls, unless an eligible
    voter breaks silence first (as NATO and the OSCE do)."""

    kind: Literal["silence_procedure"] = "silence_procedure"


DecisionRule = Annotated[
    Consensus
    | Unanimity
    | Majority
    | QualifiedMajority
    | Weighted
    | SecurityCouncil
    | DoubleMajority
    | SilenceProcedure,
    Field(discriminator="kind"),
]

VoterSet = list[Ident] | Literal["all", "council"]
"""Who may vote on an item: a list of teams, every team, or the Council's members (teams
with a Council seat and the scenario's non-player Council voters)."""
