"""A session's state: what folding its events gives.

State models are mutable on purpose: `evolve` changes them in place, which keeps replay of a
long log fast. Only `evolve` writes to them; deciders and views only read.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from game.commands import Choice, Clauses
from game.scenario.model import Scenario


class St(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Clock(St):
    """A deadline in milliseconds; while paused, the time that was left."""

    deadline: int | None = None
    remaining: int | None = None


class Seat(St):
    id: str
    team: str
    name: str | None = None
    bot: str | None = None


class TeamState(St):
    id: str
    resources: dict[str, float]
    institutionalisation: float
    standing: float = 1.0


class RegionState(St):
    id: str
    security: float
    threat: float
    history: list[float] = Field(default_factory=list, description="Security after each round.")


class Message(St):
    seq: int
    at: int
    channel: str
    team: str | None
    name: str
    bot: bool = False
    text: str


class Channel(St):
    id: str
    kind: Literal["floor", "team", "private"]
    teams: list[str]
    title: str = ""
    messages: list[Message] = Field(default_factory=list)


class FeedEntry(St):
    """An inject or an announcement, as the feed shows it."""

    seq: int
    at: int
    kind: Literal["inject", "announcement"]
    inject: str | None = None
    title: str = ""
    text: str
    audience: list[str] | Literal["all"] = "all"


class StatementEntry(St):
    seq: int
    at: int
    round: int
    team: str
    text: str


class Draft(St):
    id: str
    team: str
    item: str
    title: str
    clauses: Clauses


class Proposal(St):
    id: str
    item: str
    sponsor: str
    title: str
    clauses: Clauses
    cosponsors: list[str] = Field(default_factory=list)
    status: Literal["tabled", "withdrawn", "adopted", "rejected", "lapsed"] = "tabled"
    round: int
    seq: int
    adopted_round: int | None = None
    versions: list[tuple[int, Clauses]] = Field(
        default_factory=list, description="(seq, clauses) after each change, for the debrief."
    )


class Amendment(St):
    id: str
    proposal: str
    team: str
    clauses: Clauses
    note: str = ""
    status: Literal["pending", "accepted", "withdrawn", "adopted", "rejected", "lapsed"] = "pending"
    seq: int


class Ballot(St):
    id: str
    item: str
    subject: str
    voters: list[str]
    silence: bool = False
    clock: Clock = Field(default_factory=lambda: Clock())
    voted: list[str] = Field(default_factory=list, description="Who has cast a ballot.")
    votes: dict[str, Choice] = Field(
        default_factory=dict, description="How each voted (sealed from others until it closes)."
    )
    broken_by: list[str] = Field(default_factory=list)
    status: Literal["open", "closed"] = "open"
    adopted: bool | None = None
    reason: str = ""
    counts: dict[str, int] = Field(default_factory=dict)
    round: int


class Pledge(St):
    item: str
    team: str
    resource: str
    amount: float
    delivered: float = 0.0
    due_round: int
    broken: bool = False


class OperationState(St):
    id: str
    region: str
    lead: str
    lead_kind: str
    deployed: dict[str, float]
    authorised: bool = False
    mandate_strength: float = 1.0
    authorised_until: int | None = None
    responded_round: int | None = None


class Score(St):
    """A team's score in points (0 to 100) and its parts, as the debrief shows them."""

    total: float = 0.0
    agreements: float = 0.0
    security: float = 0.0
    objectives: float = 0.0
    cost: float = 0.0


class Formal(St):
    speakers: list[str] = Field(default_factory=list)
    current: int | None = None
    turn: int = 0
    passes: int = 0
    clock: Clock = Field(default_factory=Clock)


class SessionState(St):
    session: str
    title: str
    scenario: Scenario
    seed: int
    forked_from: dict | None = None
    seq: int = 0
    at: int = 0
    status: Literal["lobby", "running", "paused", "concluded"] = "lobby"
    round: int = 0
    phase: int | None = Field(default=None, description="Index into the scenario's phases.")
    phase_open: bool = False
    phase_clock: Clock = Field(default_factory=Clock)
    resolved_round: int = Field(default=0, description="Last round whose resolution ran.")
    formal: Formal = Field(default_factory=Formal)
    ballot_queue: list[str] = Field(default_factory=list)
    open_ballot: str | None = None
    seats: dict[str, Seat] = Field(default_factory=dict)
    teams: dict[str, TeamState] = Field(default_factory=dict)
    regions: dict[str, RegionState] = Field(default_factory=dict)
    operations: dict[str, OperationState] = Field(default_factory=dict)
    agenda: list[str] = Field(default_factory=list, description="Items on the agenda now.")
    adopted: dict[str, str] = Field(default_factory=dict, description="Item -> adopted text.")
    proposals: dict[str, Proposal] = Field(default_factory=dict)
    amendments: dict[str, Amendment] = Field(default_factory=dict)
    drafts: dict[str, Draft] = Field(default_factory=dict)
    channels: dict[str, Channel] = Field(default_factory=dict)
    ballots: dict[str, Ballot] = Field(default_factory=dict)
    pledges: list[Pledge] = Field(default_factory=list)
    injects_fired: list[str] = Field(default_factory=list)
    feed: list[FeedEntry] = Field(default_factory=list)
    statements: list[StatementEntry] = Field(default_factory=list)
    scores: dict[str, Score] = Field(default_factory=dict)
    collective: float = 0.0
    counters: dict[str, int] = Field(
        default_factory=dict, description="Next number for each kind of id (p, a, d, b, c)."
    )
