"""Events: everything that changes a session, in one order, with a sequence number.

Type strings are stable and versioned (`type`, `v`): a log written today must fold the same
way in a year, whatever the Python classes are called by then.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from game.commands import Actor, Choice, Clauses
from game.scenario.effects import Effect
from game.scenario.model import Scenario


class Ev(BaseModel):
    """Fields every event carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    v: int = 1
    seq: int = Field(ge=1)
    at: int = Field(description="Milliseconds since the epoch, as the caller stamped it.")
    actor: Actor | None = None


# --- the session ----------------------------------------------------------------------------


class SessionCreated(Ev):
    """The first event: the full scenario (private parts included) and the session's seed."""

    type: Literal["session_created"] = "session_created"
    session: str
    title: str
    scenario: Scenario
    seed: int
    forked_from: dict[str, Any] | None = None


class SessionStarted(Ev):
    type: Literal["session_started"] = "session_started"


class SessionPaused(Ev):
    type: Literal["session_paused"] = "session_paused"


class SessionResumed(Ev):
    type: Literal["session_resumed"] = "session_resumed"


class SessionConcluded(Ev):
    """Scores are final; the debrief opens. `reason` is `ended` (by the facilitator) or
    `completed` (the last round's last phase ended)."""

    type: Literal["session_concluded"] = "session_concluded"
    reason: Literal["ended", "completed"]


class SeatAssigned(Ev):
    type: Literal["seat_assigned"] = "seat_assigned"
    seat: str
    name: str
    bot: str | None = None


class SeatFreed(Ev):
    type: Literal["seat_freed"] = "seat_freed"
    seat: str


# --- the clock ------------------------------------------------------------------------------


class PhaseStarted(Ev):
    """A phase begins. `duration_ms` is absent when the facilitator advances it by hand; the
    deadline is the event's `at` plus the duration (or the duration is what is left, if the
    session is paused)."""

    type: Literal["phase_started"] = "phase_started"
    round: int
    phase: str
    kind: str
    duration_ms: int | None = None
    speakers: list[str] = Field(default_factory=list)


class PhaseEnded(Ev):
    type: Literal["phase_ended"] = "phase_ended"
    round: int
    phase: str
    reason: Literal["deadline", "advanced", "passes", "turn_cap", "ballots_done", "resolved"]


class DeadlineMoved(Ev):
    """The facilitator (or an inject) moved the phase's deadline by `seconds`."""

    type: Literal["deadline_moved"] = "deadline_moved"
    seconds: int


class TurnStarted(Ev):
    type: Literal["turn_started"] = "turn_started"
    team: str
    turn: int
    duration_ms: int | None = None


class Passed(Ev):
    """The team holding the floor passed, or let its turn run out (`timeout`)."""

    type: Literal["passed"] = "passed"
    team: str
    timeout: bool = False


# --- talk -----------------------------------------------------------------------------------


class ChannelOpened(Ev):
    type: Literal["channel_opened"] = "channel_opened"
    channel: str
    teams: list[str]
    title: str = ""


class MessagePosted(Ev):
    type: Literal["message_posted"] = "message_posted"
    channel: str
    team: str | None = None
    name: str = ""
    text: str


class StatementMade(Ev):
    type: Literal["statement_made"] = "statement_made"
    team: str
    text: str


class Announced(Ev):
    type: Literal["announced"] = "announced"
    text: str


# --- texts ----------------------------------------------------------------------------------


class DraftSaved(Ev):
    type: Literal["draft_saved"] = "draft_saved"
    draft: str
    team: str
    item: str
    title: str
    clauses: Clauses


class DraftDiscarded(Ev):
    type: Literal["draft_discarded"] = "draft_discarded"
    draft: str
    team: str


class ProposalTabled(Ev):
    type: Literal["proposal_tabled"] = "proposal_tabled"
    proposal: str
    item: str
    sponsor: str
    title: str
    clauses: Clauses


class AmendmentTabled(Ev):
    type: Literal["amendment_tabled"] = "amendment_tabled"
    amendment: str
    proposal: str
    team: str
    clauses: Clauses
    note: str = ""


class AmendmentAccepted(Ev):
    """The sponsor took the amendment as friendly: its clauses are merged."""

    type: Literal["amendment_accepted"] = "amendment_accepted"
    amendment: str
    proposal: str


class Cosponsored(Ev):
    type: Literal["cosponsored"] = "cosponsored"
    proposal: str
    team: str


class Withdrawn(Ev):
    type: Literal["withdrawn"] = "withdrawn"
    target: str
    team: str


class Lapsed(Ev):
    """A proposal or amendment fell: another text on its item was adopted, its item closed,
    or its proposal fell."""

    type: Literal["lapsed"] = "lapsed"
    target: str
    reason: str


# --- votes ----------------------------------------------------------------------------------


class BallotOpened(Ev):
    type: Literal["ballot_opened"] = "ballot_opened"
    ballot: str
    item: str
    subject: str
    voters: list[str]
    silence: bool = False
    duration_ms: int | None = None


class BallotCast(Ev):
    """A sealed vote: other viewers learn that `team` voted, not how, until the ballot closes."""

    type: Literal["ballot_cast"] = "ballot_cast"
    ballot: str
    team: str
    choice: Choice | None = Field(description="Absent in what other teams see until it closes.")


class SilenceBroken(Ev):
    type: Literal["silence_broken"] = "silence_broken"
    ballot: str
    team: str


class BallotClosed(Ev):
    """The ballot closes: every vote (non-player voters' included) and the result."""

    type: Literal["ballot_closed"] = "ballot_closed"
    ballot: str
    votes: dict[str, Choice]
    counts: dict[str, int] = Field(default_factory=dict)
    adopted: bool
    reason: str


class Delivered(Ev):
    type: Literal["delivered"] = "delivered"
    item: str
    team: str
    resource: str
    amount: float


# --- the world ------------------------------------------------------------------------------


class RoundResolved(Ev):
    """Adopted texts take effect, the security model advances one round, scores update.
    The numbers are derived by folding, not carried: a log cannot assert its own outcome."""

    type: Literal["round_resolved"] = "round_resolved"
    round: int


class InjectFired(Ev):
    """A crisis or news item. `inject` names the library entry, or is absent when the
    facilitator wrote it on the spot."""

    type: Literal["inject_fired"] = "inject_fired"
    inject: str | None = None
    title: str
    text: str
    audience: list[str] | Literal["all"]
    effects: list[Effect] = Field(default_factory=list)


Event = Annotated[
    SessionCreated
    | SessionStarted
    | SessionPaused
    | SessionResumed
    | SessionConcluded
    | SeatAssigned
    | SeatFreed
    | PhaseStarted
    | PhaseEnded
    | DeadlineMoved
    | TurnStarted
    | Passed
    | ChannelOpened
    | MessagePosted
    | StatementMade
    | Announced
    | DraftSaved
    | DraftDiscarded
    | ProposalTabled
    | AmendmentTabled
    | AmendmentAccepted
    | Cosponsored
    | Withdrawn
    | Lapsed
    | BallotOpened
    | BallotCast
    | SilenceBroken
    | BallotClosed
    | Delivered
    | RoundResolved
    | InjectFired,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_TYPES: tuple[type[Ev], ...] = Event.__origin__.__args__  # type: ignore[attr-defined]
