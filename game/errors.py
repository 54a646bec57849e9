"""Why a command is refused: a small, stable vocabulary of codes.

Codes are part of the protocol (clients branch on them), so they are never renamed; the
reason beside each is for a person and may change wording freely.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Code(StrEnum):
    """Stable rejection codes."""

    BAD_COMMAND = "bad_command"
    """The command is malformed: a missing or ill-typed field, an unknown type."""
    NOT_ALLOWED = "not_allowed"
    """The actor's role may not issue this command (a player issuing a facilitator command)."""
    NOT_RUNNING = "not_running"
    """The session is not in a state that takes this command (in the lobby, or concluded)."""
    PAUSED = "paused"
    """The facilitator has paused the session; only talk and facilitator commands go through."""
    WRONG_PHASE = "wrong_phase"
    """This command belongs to another phase of the round."""
    NOT_YOUR_TURN = "not_your_turn"
    """In the formal session only the team holding the floor may move."""
    NOT_ELIGIBLE = "not_eligible"
    """The team may not act on this (not a voter on the item, not an actor in this phase)."""
    UNKNOWN = "unknown"
    """A referenced item, proposal, amendment, ballot, channel, draft, seat or inject does not
    exist (or is not visible to the actor)."""
    INVALID_TEXT = "invalid_text"
    """A proposal's or amendment's clauses do not fit the item's issues."""
    CAPACITY = "capacity"
    """A contribution exceeds what the team has left."""
    CLOSED = "closed"
    """The ballot, channel or proposal is no longer open to this action."""
    DUPLICATE = "duplicate"
    """The action was already taken (a second ballot, a second co-sponsorship)."""
    CHANNEL_CLOSED = "channel_closed"
    """The channel is not open in this phase."""


class Rejection(BaseModel):
    """A refused command. Nothing in the state changed."""

    model_config = ConfigDict(frozen=True)

    code: Code
    reason: str


class Rejected(Exception):
    """Raised inside the engine's deciders; turned into a `Rejection` at the boundary."""

    def __init__(self, code: Code, reason: str) -> None:
        super().__init__(reason)
        self.rejection = Rejection(code=code, reason=reason)
