"""Who may see what: the rules of hidden information, in one place.

A team's brief, weights, drafts and private channels are its own (and the facilitator's)
until the scenario declassifies them. Views and event projections both ask these questions,
so there is exactly one answer to each.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from game.scenario.disclosure import OpenAt
from game.state import SessionState


class Viewer(BaseModel):
    """Whom a view is for: a team's seat, the facilitator, or a spectator (public only)."""

    model_config = ConfigDict(frozen=True)

    role: Literal["seat", "facilitator", "spectator"]
    team: str | None = None
    seat: str | None = None


FACILITATOR_VIEW = Viewer(role="facilitator")
SPECTATOR_VIEW = Viewer(role="spectator")

SECRETS = ("briefs", "weights", "drafts", "private_channels", "team_channels", "scores", "log")


def opened(state: SessionState, when: OpenAt | str) -> bool:
    """Whether a secret with this declassification setting is open now."""
    if when == "never":
        return False
    if when == "debrief":
        return state.status == "concluded"
    if isinstance(when, int):
        return state.status == "concluded" or state.resolved_round >= when
    return False


def declassified(state: SessionState) -> list[str]:
    d = state.scenario.declassify
    return [name for name in SECRETS if opened(state, getattr(d, name))]


def sees_team_secret(state: SessionState, viewer: Viewer, team: str | None, secret: str) -> bool:
    """May `viewer` see `team`'s secret of this kind (briefs, weights, drafts, scores...)?"""
    if viewer.role == "facilitator":
        return True
    if viewer.role == "seat" and team is not None and viewer.team == team:
        return True
    return opened(state, getattr(state.scenario.declassify, secret))


def sees_channel(state: SessionState, viewer: Viewer, channel_id: str) -> bool:
    channel = state.channels.get(channel_id)
    if channel is None:
        return False
    if channel.kind == "floor" or viewer.role == "facilitator":
        return True
    if viewer.role == "seat" and viewer.team in channel.teams:
        return True
    secret = "private_channels" if channel.kind == "private" else "team_channels"
    return opened(state, getattr(state.scenario.declassify, secret))


def sees_votes(state: SessionState, viewer: Viewer, ballot_id: str) -> bool:
    """Whether who voted how on a ballot is open to this viewer (its own vote aside)."""
    if viewer.role == "facilitator":
        return True
    ballot = state.ballots.get(ballot_id)
    if ballot is None:
        return False
    when = state.scenario.declassify.ballots
    if when == "close":
        return ballot.status == "closed"
    return opened(state, when)


def sees_audience(viewer: Viewer, audience: list[str] | str) -> bool:
    if audience == "all" or viewer.role == "facilitator":
        return True
    return viewer.role == "seat" and viewer.team in audience
