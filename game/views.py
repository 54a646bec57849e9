"""Everything that leaves the engine goes through here: a viewer's whole view (`view`, built
on `project_state`) and one event as a viewer may see it (`project`). Nothing else may
serialise state or events for a client.

Projections commute with the fold: folding a viewer's projected events onto its projected
state gives the projection of the live state (tests/game/test_views.py holds this for every
seat). So a client keeps its local view with the engine's own `evolve`, and a replay shows
exactly what a viewer saw at any `seq`. The one exception is the redacted scenario itself
(secrets declassified, a hidden item put on the agenda): when `disclosure_epoch` changes, a
server sends fresh snapshots.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from game import disclosure as dc
from game.agenda import items_in_play
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
from game.moves.context import phase_actors
from game.scenario.model import Scenario
from game.state import Ballot, FeedEntry, SessionState

PRIVATE_BRIEF = {"brief": "", "objectives": []}
PRIVATE_WEIGHTS = {"weights": {}, "reservation": {}, "priorities": {}, "cost_weights": {}}


class PhaseView(BaseModel):
    """The open phase, with what the rules derive from it (so no client re-derives them)."""

    id: str
    kind: str
    title: str
    round: int
    open: bool
    actors: list[str] = Field(description="Teams that may act in this phase.")
    channels: list[str] = Field(description="Channel kinds open in this phase.")
    holder: str | None = Field(description="The team holding the floor (formal session).")


class View(BaseModel):
    """What one viewer sees of a session at `seq`: the state as projected for it."""

    viewer: Viewer
    seq: int
    declassified: list[str] = Field(description="Secrets open to everyone now.")
    phase: PhaseView | None
    state: SessionState


def redact_scenario(state: SessionState, viewer: Viewer) -> Scenario:
    """The scenario as `viewer` may read it: other teams' private fields blanked; the
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
    council = [
        n.model_copy(update={"votes": {}, "weights": {}, "reservation": {}})
        for n in scenario.council
    ]
    return scenario.model_copy(
        update={
            "teams": teams,
            "agenda": [i for i in scenario.agenda if i.id in items_in_play(state)],
            "council": council,
            "injects": [],
            "facilitator_notes": "",
        }
    )


def disclosure_epoch(state: SessionState) -> tuple:
    """Changes exactly when a redacted scenario may change: a server resends snapshots then."""
    return tuple(dc.declassified(state)), tuple(sorted(items_in_play(state)))


def _ballot(state: SessionState, viewer: Viewer, ballot: Ballot) -> Ballot:
    if dc.sees_votes(state, viewer, ballot.id):
        return ballot
    own = {viewer.team: ballot.votes[viewer.team]} if viewer.team in ballot.votes else {}
    return ballot.model_copy(update={"votes": own})


def _feed_entry(viewer: Viewer, entry: FeedEntry) -> FeedEntry:
    if dc.sees_audience(viewer, entry.audience):
        return entry
    return entry.model_copy(update={"inject": None, "title": "", "text": ""})


def project_state(state: SessionState, viewer: Viewer) -> SessionState:
    """`state` with everything `viewer` may not see taken out. Idempotent."""
    feed = [_feed_entry(viewer, f) for f in state.feed]
    seen_injects = {f.inject for f in feed if f.inject is not None}
    return state.model_copy(
        update={
            "scenario": redact_scenario(state, viewer),
            "drafts": {
                k: d
                for k, d in state.drafts.items()
                if dc.sees_team_secret(state, viewer, d.team, "drafts")
            },
            "channels": {
                k: c for k, c in state.channels.items() if dc.sees_channel(state, viewer, k)
            },
            "ballots": {k: _ballot(state, viewer, b) for k, b in state.ballots.items()},
            "feed": feed,
            "injects_fired": [i for i in state.injects_fired if i in seen_injects],
            "scores": {
                t: s
                for t, s in state.scores.items()
                if dc.sees_team_secret(state, viewer, t, "scores")
            },
            "counters": {},
        }
    )


def _phase(state: SessionState) -> PhaseView | None:
    if state.phase is None:
        return None
    phase = state.scenario.rounds.phases[state.phase]
    formal = state.formal
    return PhaseView(
        id=phase.id,
        kind=phase.kind,
        title=phase.title or phase.id,
        round=state.round,
        open=state.phase_open,
        actors=phase_actors(state),
        channels=list(phase.open_channels()),
        holder=formal.speakers[formal.current] if formal.current is not None else None,
    )


def view(state: SessionState, viewer: Viewer) -> View:
    """The whole of what `viewer` may see now."""
    return View(
        viewer=viewer,
        seq=state.seq,
        declassified=dc.declassified(state),
        phase=_phase(state),
        state=project_state(state, viewer),
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
            if dc.sees_audience(viewer, event.audience):
                return event
            # Its effects on the world are public; its words are for its audience.
            return event.model_copy(update={"inject": None, "title": "", "text": ""})
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
