"""Commands: what a seat, the facilitator or the server's clock asks the engine to do.

Every command is a pydantic model with a stable `type`. The engine never trusts who sent a
command from the command itself: the caller passes an authenticated `Actor` beside it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from game.scenario.common import Ident
from game.scenario.effects import Effect

Text = Annotated[str, Field(min_length=1, max_length=4000)]
Title = Annotated[str, Field(max_length=200)]
ClauseValue = str | float | list[str] | dict[str, dict[str, float]]
"""A clause fills one issue: an option id (`choice`), a number, a list of team ids
(`members`) or pledges per team and resource (`contributions`)."""
Clauses = dict[str, ClauseValue]
Choice = Literal["yes", "no", "abstain"]


class Cmd(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Actor(BaseModel):
    """Who issues a command, as the server authenticated it."""

    model_config = ConfigDict(frozen=True)

    role: Literal["seat", "facilitator", "system"]
    team: str | None = None
    seat: str | None = None
    bot: bool = False


SYSTEM = Actor(role="system")
FACILITATOR = Actor(role="facilitator")


# --- talk -----------------------------------------------------------------------------------


class Say(Cmd):
    """Post `text` to a channel: `floor`, `team`, or a private channel's id."""

    type: Literal["say"] = "say"
    channel: str = Field(max_length=40)
    text: Text


class OpenChannel(Cmd):
    """Open a private channel between the actor's team and `teams`."""

    type: Literal["open_channel"] = "open_channel"
    teams: list[Ident] = Field(min_length=1, max_length=20)
    title: Title = ""


# --- texts ----------------------------------------------------------------------------------


class SaveDraft(Cmd):
    """Save a private draft of a proposal (new, or replacing `draft`). Seen by the team only."""

    type: Literal["save_draft"] = "save_draft"
    item: Ident
    clauses: Clauses
    title: Title = ""
    draft: str | None = None


class DiscardDraft(Cmd):
    """Throw away one of the team's drafts."""

    type: Literal["discard_draft"] = "discard_draft"
    draft: str


class Table(Cmd):
    """Table a proposal on the floor, from `clauses` or from one of the team's drafts."""

    type: Literal["table"] = "table"
    item: Ident | None = None
    clauses: Clauses | None = None
    draft: str | None = None
    title: Title = ""


class Amend(Cmd):
    """Propose changes to some clauses of a tabled proposal."""

    type: Literal["amend"] = "amend"
    proposal: str
    clauses: Clauses = Field(min_length=1)
    note: Title = ""


class AcceptAmendment(Cmd):
    """The sponsor accepts an amendment as friendly: it is merged into the proposal."""

    type: Literal["accept_amendment"] = "accept_amendment"
    amendment: str


class Cosponsor(Cmd):
    """Join a tabled proposal as co-sponsor."""

    type: Literal["cosponsor"] = "cosponsor"
    proposal: str


class Withdraw(Cmd):
    """Withdraw one of the team's own proposals or amendments."""

    type: Literal["withdraw"] = "withdraw"
    target: str


class Statement(Cmd):
    """A formal statement on the record, in the team's turn."""

    type: Literal["statement"] = "statement"
    text: Text


class Pass(Cmd):
    """Yield the floor for this turn."""

    type: Literal["pass"] = "pass"


class Vote(Cmd):
    """Cast a sealed ballot."""

    type: Literal["vote"] = "vote"
    ballot: str
    choice: Choice


class BreakSilence(Cmd):
    """Object to a text under the silence procedure before its deadline."""

    type: Literal["break_silence"] = "break_silence"
    ballot: str


class Deliver(Cmd):
    """Deliver (part of) a pledge made in an adopted burden-sharing package."""

    type: Literal["deliver"] = "deliver"
    item: Ident
    resource: Ident
    amount: float = Field(gt=0)


# --- facilitator ----------------------------------------------------------------------------


class Start(Cmd):
    type: Literal["start"] = "start"


class PauseSession(Cmd):
    type: Literal["pause"] = "pause"


class Resume(Cmd):
    type: Literal["resume"] = "resume"


class Advance(Cmd):
    """End the current phase now."""

    type: Literal["advance"] = "advance"


class Extend(Cmd):
    """Move the current phase's (and turn's or ballot's) deadline by `seconds`."""

    type: Literal["extend"] = "extend"
    seconds: int = Field(ge=-3600, le=3600)


class FireInject(Cmd):
    """Fire an inject from the scenario's library."""

    type: Literal["fire_inject"] = "fire_inject"
    inject: Ident


class CustomInject(Cmd):
    """Write an inject on the spot."""

    type: Literal["custom_inject"] = "custom_inject"
    title: Title
    text: Text
    audience: list[Ident] | Literal["all"] = "all"
    effects: list[Effect] = Field(default_factory=list)


class Announce(Cmd):
    type: Literal["announce"] = "announce"
    text: Text


class AssignSeat(Cmd):
    """Give a seat to a person (`name`) or a bot (`bot` names its strategy)."""

    type: Literal["assign_seat"] = "assign_seat"
    seat: str
    name: Title
    bot: str | None = Field(default=None, max_length=40)


class FreeSeat(Cmd):
    type: Literal["free_seat"] = "free_seat"
    seat: str


class End(Cmd):
    """Conclude the session now: scores are final and the debrief opens."""

    type: Literal["end"] = "end"


# --- system ---------------------------------------------------------------------------------


class Tick(Cmd):
    """The server's clock: apply every deadline that has fallen by the command's time."""

    type: Literal["tick"] = "tick"


PlayerCommand = (
    Say
    | OpenChannel
    | SaveDraft
    | DiscardDraft
    | Table
    | Amend
    | AcceptAmendment
    | Cosponsor
    | Withdraw
    | Statement
    | Pass
    | Vote
    | BreakSilence
    | Deliver
)
FacilitatorCommand = (
    Start
    | PauseSession
    | Resume
    | Advance
    | Extend
    | FireInject
    | CustomInject
    | Announce
    | AssignSeat
    | FreeSeat
    | End
)
Command = Annotated[PlayerCommand | FacilitatorCommand | Tick, Field(discriminator="type")]

COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)

PLAYER_TYPES = frozenset(
    c.model_fields["type"].default
    for c in PlayerCommand.__args__  # type: ignore[attr-defined]
)
FACILITATOR_TYPES = frozenset(
    c.model_fields["type"].default
    for c in FacilitatorCommand.__args__  # type: ignore[attr-defined]
)
