"""Everything that leaves the engine goes through here: a viewer's whole view (`view`) and
one event as a viewer may see it (`project`). Nothing else may serialise state for a client.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from game import disclosure as dc
from game.disclosure import Viewer
from game.events import (
    BallotCast,
    BallotClosed,
    ChannelOpened,
    DraftDiscarded,
    DraftSaved,
    Ev,
    InjectFired,
    MessagePosted,
    SessionCreated,
)
from game.scenario.model import Scenario
from game.state import (
    Amendment,
    Ballot,
    Channel,
    Clock,
    Draft,
    FeedEntry,
    OperationState,
    Pledge,
    Proposal,
    RegionState,
    Score,
    Seat,
    SessionState,
    StatementEntry,
    TeamState,
)

PRIVATE_BRIEF = {"brief": "", "objectives": []}
PRIVATE_WEIGHTS = {"weights": {}, "reservation": {}, "priorities": {}, "cost_weights": {}}


class ClockView(BaseModel):
    deadline: int | None = Field(default=None, description="Epoch ms, while running.")
    remaining: int | None = Field(default=None, description="Ms left, while paused.")


class PhaseView(BaseModel):
    id: str
    kind: str
    title: str
    round: int
    open: bool
    clock: ClockView
    actors: list[str]
    channels: list[str]


class FormalView(BaseModel):
    speakers: list[str]
    holder: str | None
    turn: int
    passes: int
    clock: ClockView


class BallotView(BaseModel):
    id: str
    item: str
    subject: str
    voters: list[str]
    silence: bool
    status: Literal["open", "closed"]
    clock: ClockView
    voted: list[str] = Field(description="Who has cast a ballot (not how).")
    votes: dict[str, str] = Field(description="How each voted, once this viewer may know.")
    broken_by: list[str]
    adopted: bool | None
    reason: str
    counts: dict[str, int]


class View(BaseModel):
    """What one viewer sees of a session at `seq`."""

    session: str
    title: str
    seq: int
    at: int
    viewer: Viewer
    status: str
    round: int
    rounds: int
    phase: PhaseView | None
    scenario: Scenario = Field(description="Public parts, plus the viewer's own team's brief.")
    seats: list[Seat]
    teams: dict[str, TeamState]
    regions: dict[str, RegionState]
    operations: dict[str, OperationState]
    agenda: list[str]
    adopted: dict[str, str]
    proposals: list[Proposal]
    amendments: list[Amendment]
    drafts: list[Draft]
    formal: FormalView | None
    ballots: list[BallotView]
    pledges: list[Pledge]
    channels: list[Channel]
    feed: list[FeedEntry]
    statements: list[StatementEntry]
    scores: dict[str, Score]
    collective: float
    declassified: list[str]


def redact_scenario(state: SessionState, viewer: Viewer) -> Scenario:
    """The scenario as `viewer` may read it: other teams' private fields blanked, the
    facilitator's notes, the inject library, non-player voters' stated votes and agenda items
    still hidden left out."""
    scenario = state.scenario
    if viewer.role == "facilitator":
        return scenario
    teams = []
    for team in scenario.teams:
        update: dict = {}
        if not dc.sees_team_secret(state, viewer, team.id, "briefs"):
            update.update(PRIVATE_BRIEF)
        if not dc.sees_team_secret(state, viewer, team.id, "weights"):
            update.update(PRIVATE_WEIGHTS)
        teams.append(team.model_copy(update=update) if update else team)
    mentioned = {p.item for p in state.proposals.values()}
    agenda = [
        i for i in scenario.agenda if not i.hidden or i.id in state.agenda or i.id in mentioned
    ]
    council = [
        n.model_copy(update={"votes": {}, "weights": {}, "reservation": {}})
        for n in scenario.council
    ]
    return scenario.model_copy(
        update={
            "teams": teams,
            "agenda": agenda,
            "council": council,
            "injects": [],
            "facilitator_notes": "",
        }
    )


def _clock(clock: Clock) -> ClockView:
    return ClockView(deadline=clock.deadline, remaining=clock.remaining)


def _phase(state: SessionState) -> PhaseView | None:
    if state.phase is None:
        return None
    from game.moves.context import phase_actors

    phase = state.scenario.rounds.phases[state.phase]
    return PhaseView(
        id=phase.id,
        kind=phase.kind,
        title=phase.title or phase.id,
        round=state.round,
        open=state.phase_open,
        clock=_clock(state.phase_clock),
        actors=phase_actors(state),
        channels=list(phase.open_channels()),
    )


def _ballot(state: SessionState, viewer: Viewer, ballot: Ballot) -> BallotView:
    if dc.sees_votes(state, viewer, ballot.id):
        votes = dict(ballot.votes)
    elif viewer.role == "seat" and viewer.team in ballot.votes:
        votes = {viewer.team: ballot.votes[viewer.team]}
    else:
        votes = {}
    return BallotView(
        id=ballot.id,
        item=ballot.item,
        subject=ballot.subject,
        voters=ballot.voters,
        silence=ballot.silence,
        status=ballot.status,
        clock=_clock(ballot.clock),
        voted=[v for v in ballot.voters if v in ballot.votes],
        votes=votes,
        broken_by=ballot.broken_by,
        adopted=ballot.adopted,
        reason=ballot.reason,
        counts=ballot.counts,
    )


def view(state: SessionState, viewer: Viewer) -> View:
    """The whole of what `viewer` may see now."""
    formal = state.formal
    return View(
        session=state.session,
        title=state.title,
        seq=state.seq,
        at=state.at,
        viewer=viewer,
        status=state.status,
        round=state.round,
        rounds=state.scenario.rounds.count,
        phase=_phase(state),
        scenario=redact_scenario(state, viewer),
        seats=list(state.seats.values()),
        teams=state.teams,
        regions=state.regions,
        operations=state.operations,
        agenda=state.agenda,
        adopted=state.adopted,
        proposals=list(state.proposals.values()),
        amendments=list(state.amendments.values()),
        drafts=[
            d for d in state.drafts.values() if dc.sees_team_secret(state, viewer, d.team, "drafts")
        ],
        formal=FormalView(
            speakers=formal.speakers,
            holder=formal.speakers[formal.current] if formal.current is not None else None,
            turn=formal.turn,
            passes=formal.passes,
            clock=_clock(formal.clock),
        )
        if formal.speakers
        else None,
        ballots=[_ballot(state, viewer, b) for b in state.ballots.values()],
        pledges=state.pledges,
        channels=[c for c in state.channels.values() if dc.sees_channel(state, viewer, c.id)],
        feed=[f for f in state.feed if dc.sees_audience(viewer, f.audience)],
        statements=state.statements,
        scores={
            t: s for t, s in state.scores.items() if dc.sees_team_secret(state, viewer, t, "scores")
        },
        collective=state.collective,
        declassified=dc.declassified(state),
    )


def project(event: Ev, viewer: Viewer, state: SessionState) -> Ev | None:
    """`event` as `viewer` may see it given `state` (the state after it), or None."""
    match event:
        case SessionCreated():
            return event.model_copy(update={"scenario": redact_scenario(state, viewer)})
        case DraftSaved() | DraftDiscarded():
            return event if dc.sees_team_secret(state, viewer, event.team, "drafts") else None
        case ChannelOpened() | MessagePosted():
            return event if dc.sees_channel(state, viewer, event.channel) else None
        case InjectFired():
            return event if dc.sees_audience(viewer, event.audience) else None
        case BallotCast():
            own = viewer.role == "seat" and viewer.team == event.team
            if own or dc.sees_votes(state, viewer, event.ballot):
                return event
            return event.model_copy(update={"choice": None})
        case BallotClosed():
            if dc.sees_votes(state, viewer, event.ballot):
                return event
            return event.model_copy(update={"votes": {}})
    return event
