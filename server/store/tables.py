"""The tables, declared with SQLModel and written through SQLAlchemy Core.

Rows are never built as ORM objects on the hot path (an ORM object costs tens of µs, a Core
insert of a dict a few); these classes exist to declare the schema once, for Alembic too.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel


class SessionRow(SQLModel, table=True):
    """A session: what the catalogue lists without folding its log."""

    __tablename__ = "sessions"

    id: str = Field(primary_key=True, max_length=40)
    title: str = Field(max_length=200)
    scenario_id: str = Field(max_length=80)
    status: str = Field(max_length=16, description="lobby, running, paused or concluded.")
    created_at: int = Field(
        sa_column=Column(BigInteger, nullable=False), description="Milliseconds since the epoch."
    )


class EventRow(SQLModel, table=True):
    """One event. The primary key (session_id, seq) is what decides a clash between two
    writers: the second insert of a seq fails, in any process."""

    __tablename__ = "events"

    session_id: str = Field(primary_key=True, max_length=40)
    seq: int = Field(primary_key=True)
    type: str = Field(max_length=40)
    at: int = Field(sa_column=Column(BigInteger, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False), description="Canonical JSON.")
    hash: str = Field(max_length=64, description="sha256(previous hash || body), hex.")


class SnapshotRow(SQLModel, table=True):
    """A session's full state at `seq`, so loading folds only the events after it."""

    __tablename__ = "snapshots"

    session_id: str = Field(primary_key=True, max_length=40)
    seq: int = Field(primary_key=True)
    state: str = Field(sa_column=Column(Text, nullable=False))
    state_hash: str = Field(max_length=64)


class ReplyRow(SQLModel, table=True):
    """The first answer to a client-chosen command id, so a resent command is applied once,
    across restarts too. Written in the same transaction as the command's events."""

    __tablename__ = "replies"

    session_id: str = Field(primary_key=True, max_length=40)
    actor: str = Field(primary_key=True, max_length=80, description="Seat id or 'facilitator'.")
    command_id: str = Field(primary_key=True, max_length=80)
    reply: str = Field(sa_column=Column(Text, nullable=False))


class CredentialRow(SQLModel, table=True):
    """A bearer secret, stored only as its sha256: a facilitator token, a seat token or a
    seat's join code."""

    __tablename__ = "credentials"
    __table_args__ = (Index("ix_credentials_session_seat", "session_id", "seat"),)

    token_hash: str = Field(primary_key=True, max_length=64)
    session_id: str = Field(max_length=40)
    kind: str = Field(max_length=16, description="facilitator, seat or join.")
    seat: str | None = Field(default=None, max_length=80)
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    revoked: bool = False


metadata = SQLModel.metadata
sessions = SessionRow.__table__
events = EventRow.__table__
snapshots = SnapshotRow.__table__
replies = ReplyRow.__table__
credentials = CredentialRow.__table__
