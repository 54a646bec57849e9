"""Credentials: who a bearer token says its holder is.

Tokens are random (`secrets`, 192 bits; join codes 128 bits), never derived from a public id,
and the store keeps only their sha256. A token travels in the `Authorization: Bearer` header,
or, from a browser's websocket, as the subprotocol `bearer.<token>` beside `chapter8.v1`:
never in a URL, which ends up in logs and histories.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from game.commands import FACILITATOR, Actor
from game.disclosure import FACILITATOR_VIEW, Viewer
from game.protocol import BEARER_PREFIX, SUBPROTOCOL

Kind = Literal["facilitator", "seat", "join"]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_join_code() -> str:
    return secrets.token_urlsafe(16)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def credential_row(session: str, kind: Kind, token: str, at: int, seat: str | None = None) -> dict:
    return {
        "token_hash": digest(token),
        "session_id": session,
        "kind": kind,
        "seat": seat,
        "created_at": at,
        "revoked": False,
    }


@dataclass(frozen=True)
class Principal:
    """An authenticated holder: the facilitator of a session, or one seat of a team."""

    session: str
    kind: Literal["facilitator", "seat"]
    seat: str | None = None
    team: str | None = None
    bot: bool = False
    """The seat was given to a bot when this token was issued: its commands are logged as a
    bot's (`Actor.bot`). Giving the seat to anyone else revokes the token."""

    @property
    def actor(self) -> Actor:
        if self.kind == "facilitator":
            return FACILITATOR
        return Actor(role="seat", team=self.team, seat=self.seat, bot=self.bot)

    @property
    def viewer(self) -> Viewer:
        if self.kind == "facilitator":
            return FACILITATOR_VIEW
        return Viewer(role="seat", team=self.team, seat=self.seat)

    @property
    def key(self) -> str:
        """Whose command ids these are: a seat's, or the facilitator's."""
        return self.seat if self.kind == "seat" and self.seat else "facilitator"


def bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def from_subprotocols(offered: list[str]) -> str | None:
    for value in offered:
        if value.startswith(BEARER_PREFIX):
            return value[len(BEARER_PREFIX) :] or None
    return None


def chosen_subprotocol(offered: list[str]) -> str | None:
    """The one subprotocol the server echoes: never the token."""
    return SUBPROTOCOL if SUBPROTOCOL in offered else None
