"""The event store's operations: what the session service writes and reads.

Writes go through the dedicated `Writer` (group commit, off the event loop); reads run in
worker threads with their own connections. Every statement is SQLAlchemy Core.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, func, select, text, update

from server.store import tables as t
from server.store.writer import Insert, Op, Writer


@dataclass
class StoredEvent:
    seq: int
    body: str
    hash: str


class Clash(Exception):
    """Another writer moved the session on first: the batch was decided on a stale state."""


@dataclass
class Batch:
    """Everything one turn of a session's writer commits together."""

    session: str
    expect: int | None = None
    """The seq the log must end at for this batch to commit (a batch without events has no
    `(session_id, seq)` key to clash on, so it checks; see `Clash`)."""
    events: list[dict] = field(default_factory=list)
    replies: list[dict] = field(default_factory=list)
    snapshot: dict | None = None
    status: str | None = None
    new_session: dict | None = None
    credentials: list[dict] = field(default_factory=list)
    revoke_seat: list[str] = field(default_factory=list)

    def ops(self) -> list[Op]:
        ops: list[Op] = []
        if self.expect is not None or self.revoke_seat:
            ops.append(_seats_lock(self.session))
        if self.expect is not None:
            ops.append(_expect_head(self.session, self.expect))
        if self.new_session is not None:
            ops.append(_insert(t.sessions, [self.new_session]))
        if self.events:
            ops.append(_insert(t.events, self.events))
        if self.replies:
            ops.append(_insert(t.replies, self.replies))
        if self.snapshot is not None:
            ops.append(_insert(t.snapshots, [self.snapshot]))
        if self.status is not None:
            stmt = update(t.sessions).where(t.sessions.c.id == self.session)
            ops.append(_run(stmt.values(status=self.status)))
        for seat in self.revoke_seat:
            stmt = update(t.credentials).where(
                t.credentials.c.session_id == self.session,
                t.credentials.c.seat == seat,
                t.credentials.c.kind.in_(("seat", "join")),
            )
            ops.append(_run(stmt.values(revoked=True)))
        if self.credentials:
            ops.append(_insert(t.credentials, self.credentials))
        return ops


def _insert(table, rows: list[dict]) -> Op:  # type: ignore[no-untyped-def]
    return Insert(table, rows)


def _run(stmt) -> Op:  # type: ignore[no-untyped-def]
    return lambda connection: connection.execute(stmt)


def _seats_lock(session: str) -> Op:
    """On PostgreSQL, the session's seats lock, held to the end of the transaction: a batch
    that issues a token on the condition that the log has not moved (`expect`) and one that
    revokes a seat's tokens take it first, so they never overlap across processes. Without it,
    under READ COMMITTED, a token could be checked against the head and committed while another
    process's seat change, its revocation already run, was yet to commit: the token would
    outlive the change. The lock is only tried: a batch that finds it taken is a `Clash`
    (retried like any other), so two groups taking two sessions' locks in opposite orders
    cannot deadlock. SQLite needs nothing: its writers are serialised already."""
    stmt = text("SELECT pg_try_advisory_xact_lock(hashtextextended('chapter8.seats:' || :s, 0))")

    def lock(connection: Connection) -> None:
        if (
            connection.dialect.name == "postgresql"
            and not connection.execute(stmt, {"s": session}).scalar()
        ):
            raise Clash(f"session {session}: another process is changing its seats")

    return lock


def _expect_head(session: str, seq: int) -> Op:
    stmt = select(func.max(t.events.c.seq)).where(t.events.c.session_id == session)

    def check(connection: Connection) -> None:
        head = connection.execute(stmt).scalar() or 0
        if head != seq:
            raise Clash(f"session {session} is at seq {head}, not {seq}")

    return check


@dataclass
class Loaded:
    """What loading a session reads: its newest snapshot (if any) and the events after it."""

    snapshot_state: str | None
    snapshot_seq: int
    events: list[StoredEvent]
    head_hash: str
    replies: list[tuple[str, str, str]]


class Store:
    def __init__(self, engine: Engine, loop: asyncio.AbstractEventLoop) -> None:
        self.engine = engine
        self.writer = Writer(engine, loop)

    def close(self) -> None:
        self.writer.close()
        self.engine.dispose()

    async def commit(self, batch: Batch) -> None:
        await self.writer.submit(batch.ops())

    async def read(self, fn, *args):  # type: ignore[no-untyped-def]
        """Run a read function (below) in a worker thread with its own connection."""

        def work():  # type: ignore[no-untyped-def]
            with self.engine.connect() as connection:
                return fn(connection, *args)

        return await asyncio.to_thread(work)


# --- reads (each takes an open connection; call through Store.read) -------------------------


def ping(connection: Connection) -> bool:
    return connection.exec_driver_sql("SELECT 1").scalar() == 1


def session_rows(connection: Connection, statuses: tuple[str, ...] | None = None) -> list[dict]:
    stmt = select(t.sessions).order_by(t.sessions.c.created_at)
    if statuses is not None:
        stmt = stmt.where(t.sessions.c.status.in_(statuses))
    return [dict(row._mapping) for row in connection.execute(stmt)]


def session_row(connection: Connection, session: str) -> dict | None:
    row = connection.execute(select(t.sessions).where(t.sessions.c.id == session)).first()
    return dict(row._mapping) if row else None


def load(connection: Connection, session: str) -> Loaded:
    snap = connection.execute(
        select(t.snapshots.c.seq, t.snapshots.c.state)
        .where(t.snapshots.c.session_id == session)
        .order_by(t.snapshots.c.seq.desc())
        .limit(1)
    ).first()
    after = snap.seq if snap else 0
    events = events_after(connection, session, after, None)
    if snap is None and not events:
        raise LookupError(session)
    # Linking the next event needs the chain's head; when the snapshot covers every event,
    # it is the hash of the snapshot's own last event.
    top = events[-1].hash if events else (head(connection, session) or (0, ""))[1]
    replies = [
        (r.actor, r.command_id, r.reply)
        for r in connection.execute(
            select(t.replies.c.actor, t.replies.c.command_id, t.replies.c.reply).where(
                t.replies.c.session_id == session
            )
        )
    ]
    return Loaded(
        snapshot_state=snap.state if snap else None,
        snapshot_seq=after,
        events=events,
        head_hash=top,
        replies=replies,
    )


def head(connection: Connection, session: str) -> tuple[int, str] | None:
    row = connection.execute(
        select(t.events.c.seq, t.events.c.hash)
        .where(t.events.c.session_id == session)
        .order_by(t.events.c.seq.desc())
        .limit(1)
    ).first()
    return (row.seq, row.hash) if row else None


def events_after(
    connection: Connection, session: str, after: int, limit: int | None
) -> list[StoredEvent]:
    stmt = (
        select(t.events.c.seq, t.events.c.body, t.events.c.hash)
        .where(t.events.c.session_id == session, t.events.c.seq > after)
        .order_by(t.events.c.seq)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [StoredEvent(r.seq, r.body, r.hash) for r in connection.execute(stmt)]


def iter_events(connection: Connection, session: str, chunk: int = 1000) -> Iterator[StoredEvent]:
    after = 0
    while True:
        rows = events_after(connection, session, after, chunk)
        yield from rows
        if len(rows) < chunk:
            return
        after = rows[-1].seq


def credential(connection: Connection, token_hash: str) -> dict | None:
    row = connection.execute(
        select(t.credentials).where(
            t.credentials.c.token_hash == token_hash, t.credentials.c.revoked.is_(False)
        )
    ).first()
    return dict(row._mapping) if row else None
