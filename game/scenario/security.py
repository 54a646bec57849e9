"""Regions and the coefficients of the security model (GAME.md section 5)."""

from __future__ import annotations

from pydantic import Field

from game.scenario.common import Fraction, Ident, NonNegative, Spec


class Region(Spec):
    """A region whose security is a public good to every team with an interest in it."""

    id: Ident
    name: str
    security: Fraction = 0.5
    threat: NonNegative = Field(default=0.05, description="Security lost per round untended.")


class SecurityModel(Spec):
    """Coefficients of the security model; the defaults follow the paper's argument (joint
    action is best, UN-only action slower, a late response loses efficiency)."""

    operation_gain: NonNegative = Field(
        default=0.25, description="Security a fully covered, legitimate, efficient operation adds."
    )
    legitimacy_authorised: Fraction = 1.0
    legitimacy_unauthorised: Fraction = 0.6
    partiality_penalty: Fraction = Field(
        default=0.5, description="How much the lead's partiality lowers legitimacy."
    )
    standing_penalty: Fraction = Field(
        default=0.5, description="Standing lost per unit share of a pledge left undelivered."
    )
    efficiency_un: NonNegative = 0.7
    efficiency_regional: NonNegative = 1.0
    efficiency_joint: NonNegative = 1.1
    institutionalisation_weight: Fraction = Field(
        default=0.5,
        description="How much a regional lead's efficiency depends on its institutionalisation.",
    )
    delay_penalty: Fraction = Field(default=0.15, description="Efficiency lost per late round.")
    mou_synergy: NonNegative = Field(
        default=0.5, description="Extra effect of a strong UN MOU with the lead organisation."
    )
    growth_committee: NonNegative = 0.05
    growth_mou: NonNegative = 0.05
    domino: NonNegative = Field(
        default=0.3, description="Share of the region's growth that its other organisations gain."
    )


class Scoring(Spec):
    """Points (of 100) each part of a team's score is worth; cost is taken away."""

    agreements: NonNegative = 40
    security: NonNegative = 40
    objectives: NonNegative = 20
    cost: NonNegative = 30
