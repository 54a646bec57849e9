"""Tallies: does a ballot's result adopt the text under the item's decision rule?

INTERFACE (implemented by the decision-rules work; do not change signatures without
updating every caller):

    tally(rule, voters, votes, *, silence_broken=()) -> Tally

`voters` are the eligible voters (teams and non-player Council voters) with the attributes
the rules need; `votes` maps a voter id to yes/no/abstain (a voter missing from it did not
vote). Pure: no state, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field

from game.commands import Choice
from game.scenario.rules import DecisionRule


class Voter(BaseModel):
    """An eligible voter as the rules see it."""

    model_config = ConfigDict(frozen=True)

    id: str
    permanent: bool = False
    veto: bool = False
    population: float = 0.0


class Tally(BaseModel):
    """The result of a ballot, with the counts that explain it."""

    model_config = ConfigDict(frozen=True)

    adopted: bool
    reason: str = Field(description="One sentence a person can read: why it passed or failed.")
    yes: int = 0
    no: int = 0
    abstain: int = 0
    absent: int = 0
    quorum_met: bool = True
    vetoed_by: list[str] = Field(default_factory=list)


def tally(
    rule: DecisionRule,
    voters: list[Voter],
    votes: Mapping[str, Choice],
    *,
    silence_broken: Iterable[str] = (),
) -> Tally:
    raise NotImplementedError
