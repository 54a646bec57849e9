"""The websocket protocol, version 1: every message both ways, as pydantic models shared by
the server and its clients. docs/protocol.md explains them with examples; docs/asyncapi.json
is generated from these models (`python -m server.asyncapi`).

A client connects to `/ws/sessions/{session}` with its token in the handshake (the
`Authorization: Bearer` header, or the `Sec-WebSocket-Protocol` offer `chapter8.v1,
bearer.<token>` from a browser), optionally `?since=<seq>` to resume. The server answers
`welcome`, then a `snapshot` (or the `events` it missed), then `events` as they are committed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from game.commands import Command
from game.disclosure import Viewer
from game.errors import Code
from game.events import Event
from game.views import View

PROTOCOL = 1
SUBPROTOCOL = "chapter8.v1"
"""The websocket subprotocol a browser offers (beside `bearer.<token>`); the server echoes it."""
BEARER_PREFIX = "bearer."

CommandId = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._:\-]+$")]


class ServerCode(StrEnum):
    """Rejection codes the server adds to the engine's (`game.errors.Code`)."""

    BAD_JSON = "bad_json"
    """The frame is not valid JSON text."""
    BAD_MESSAGE = "bad_message"
    """Valid JSON, but not a protocol message: not an object, no `id`, a wrong `protocol`."""
    UNKNOWN_TYPE = "unknown_type"
    """The message's `type`, or its command's `type`, is not one this protocol knows."""
    TOO_LARGE = "too_large"
    """The frame is over the frame cap (see `welcome.limits.frame_cap`)."""
    RATE_LIMITED = "rate_limited"
    """Too many messages: wait `retry_ms` (the connection's token bucket refills)."""
    UNAUTHORIZED = "unauthorized"
    """No token, or one the server does not know (or has revoked)."""
    FORBIDDEN = "forbidden"
    """The token is valid but not for this: another session, or a facilitator-only action."""
    UNAVAILABLE = "unavailable"
    """The server could not commit the command (the store failed, or another server process
    kept committing first); nothing was seen. Retry with the same id after `retry_ms`."""


RejectCode = Code | ServerCode


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    protocol: Literal[1] = PROTOCOL


# --- client to server -----------------------------------------------------------------------


class CommandMsg(Message):
    """Ask the engine to do something. `id` is chosen by the client and unique per seat: a
    command resent with the same id is applied at most once and gets the first answer again."""

    type: Literal["command"] = "command"
    id: CommandId
    command: Command


class SyncMsg(Message):
    """Ask for everything after `since` (the last seq the client holds): the missed `events`,
    or a fresh `snapshot` when the gap is older than the server replays. With `snapshot: true`
    the answer is always a fresh `snapshot` (reason `resync`): for a client that would rather
    not re-derive what an event did (a round resolved, a ballot closed)."""

    type: Literal["sync"] = "sync"
    since: int = Field(ge=0)
    snapshot: bool = Field(
        default=False, description="Answer with a fresh snapshot instead of the missed events."
    )


class PingMsg(Message):
    """An application-level ping for clients that cannot send websocket pings (browsers)."""

    type: Literal["ping"] = "ping"
    nonce: str | None = Field(default=None, max_length=80)


ClientMessage = Annotated[CommandMsg | SyncMsg | PingMsg, Field(discriminator="type")]
CLIENT_TYPES = ("command", "sync", "ping")


# --- server to client -----------------------------------------------------------------------


class Limits(BaseModel):
    frame_cap: int = Field(description="Largest frame the server reads, in bytes.")
    rate_per_s: float = Field(description="Messages per second a client may sustain.")
    rate_burst: int = Field(description="Messages a client may send at once.")
    send_queue: int = Field(
        description="Sends the server queues before it drops a client (one send: what one "
        "committed batch brings it, its events and replies)."
    )
    replay_limit: int = Field(description="Events the server replays before it sends a snapshot.")


class Welcome(Message):
    """The first message on a connection: who the server takes the client to be."""

    type: Literal["welcome"] = "welcome"
    session: str
    viewer: Viewer
    server_time: int = Field(description="Milliseconds since the epoch, for clock offsets.")
    heartbeat_s: float
    limits: Limits


class Snapshot(Message):
    """The viewer's whole view at `seq`. Replaces anything the client held."""

    type: Literal["snapshot"] = "snapshot"
    seq: int
    reason: Literal["connect", "resync", "declassified"]
    view: View


class Events(Message):
    """Events `first`..`last` of the log, as this viewer may see them: events hidden from it are
    left out (so `events` may be empty), but `first` always follows the previous message's
    `last` (or the snapshot's `seq`). A client that sees `first` > its last seq + 1 sends `sync`."""

    type: Literal["events"] = "events"
    first: int
    last: int
    events: list[Event]


class Accepted(Message):
    """The command `id` was applied; `seqs` are the events it produced (deadlines that fell
    first and follow-ups included). They arrive in `events` messages."""

    type: Literal["accepted"] = "accepted"
    id: str
    seqs: list[int]


class Rejected(Message):
    """The message was refused and nothing changed. `id` is the command's id, or null when the
    frame could not be read that far. `code` is stable; `reason` is for a person."""

    type: Literal["rejected"] = "rejected"
    id: str | None
    code: RejectCode
    reason: str
    retry_ms: int | None = Field(
        default=None, description="With rate_limited or unavailable: when to retry."
    )


class Presence(Message):
    """Who is connected (to the facilitator only): connections per seat, and facilitators."""

    type: Literal["presence"] = "presence"
    seats: dict[str, int]
    facilitators: int


class Pong(Message):
    type: Literal["pong"] = "pong"
    nonce: str | None = None
    server_time: int


ServerMessage = Annotated[
    Welcome | Snapshot | Events | Accepted | Rejected | Presence | Pong,
    Field(discriminator="type"),
]

CLIENT_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
SERVER_ADAPTER: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)


class CloseCode:
    """Websocket close codes the server uses (4000-4999 are the application's own)."""

    GOING_AWAY = 1001
    """The server is shutting down; reconnect with `since`."""
    TOO_BIG = 1009
    """A frame beyond twice the frame cap: the transport drops it unread."""
    REVOKED = 4003
    """The token was revoked: the seat changed hands."""
    SLOW_CONSUMER = 4008
    """The client did not read fast enough; reconnect with `since`."""


def dump(message: BaseModel) -> dict[str, Any]:
    return message.model_dump(mode="json")
