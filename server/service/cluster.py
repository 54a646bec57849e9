"""The store reads that several processes sharing one session need: where each session's log
ends, the committed truth after a clash, the first answers to given command ids (these run
through Store.read), and the events after a seq for the sessions following the others'
commits (the `Reader`)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, and_, func, or_, select, tuple_

from server.store import tables as t
from server.store.store import StoredEvent, events_after


@dataclass
class Since:
    """The committed truth of a session, read to replace an in-memory state that may hold an
    uncommitted batch: the newest snapshot and every event after the older of that snapshot
    and `after` (so the events after `after` are all there, to hand to connections)."""

    snapshot_state: str | None
    snapshot_seq: int
    events: list[StoredEvent]
    replies: dict[tuple[str, str], str] = field(default_factory=dict)


def heads(connection: Connection, sessions: list[str]) -> dict[str, int]:
    """The last seq of each session's log (one index lookup each)."""
    if not sessions:
        return {}
    top = (
        select(func.max(t.events.c.seq))
        .where(t.events.c.session_id == t.sessions.c.id)
        .scalar_subquery()
    )
    rows = connection.execute(select(t.sessions.c.id, top).where(t.sessions.c.id.in_(sessions)))
    return {row[0]: row[1] or 0 for row in rows}


def replies_for(
    connection: Connection, session: str, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The recorded first answers to these (actor, command id) pairs, where there are any."""
    if not keys:
        return {}
    rows = connection.execute(
        select(t.replies.c.actor, t.replies.c.command_id, t.replies.c.reply).where(
            t.replies.c.session_id == session,
            tuple_(t.replies.c.actor, t.replies.c.command_id).in_(keys),
        )
    )
    return {(row.actor, row.command_id): row.reply for row in rows}


def since(connection: Connection, session: str, after: int, keys: list[tuple[str, str]]) -> Since:
    snap = connection.execute(
        select(t.snapshots.c.seq, t.snapshots.c.state)
        .where(t.snapshots.c.session_id == session)
        .order_by(t.snapshots.c.seq.desc())
        .limit(1)
    ).first()
    snapshot_seq = snap.seq if snap else 0
    events = events_after(connection, session, min(after, snapshot_seq), None)
    return Since(
        snapshot_state=snap.state if snap else None,
        snapshot_seq=snapshot_seq,
        events=events,
        replies=replies_for(connection, session, keys),
    )


class Reader:
    """Reads the events after a seq for every session that asks at once, in one query, on a
    connection of its own: following the other processes' commits costs one round trip per
    burst of notices, not one pooled checkout, ping and rollback per session."""

    CHUNK = 200

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending: dict[str, tuple[int, list[asyncio.Future[list[StoredEvent]]]]] = {}
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._connection: Connection | None = None

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="catch-up-reader")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._connection is not None:
            await asyncio.to_thread(self._connection.close)
            self._connection = None

    async def events_after(self, session: str, after: int) -> list[StoredEvent]:
        assert self._wake is not None, "the reader is not started"
        future: asyncio.Future[list[StoredEvent]] = asyncio.get_running_loop().create_future()
        found = self._pending.get(session)
        if found is None:
            self._pending[session] = (after, [future])
        else:
            self._pending[session] = (min(found[0], after), [*found[1], future])
        self._wake.set()
        rows = await future
        return [row for row in rows if row.seq > after]

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            pending, self._pending = self._pending, {}
            if not pending:
                continue
            try:
                rows = await asyncio.to_thread(self._read, {s: a for s, (a, _f) in pending.items()})
            except Exception as exc:
                for _after, futures in pending.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                continue
            for session, (_after, futures) in pending.items():
                for future in futures:
                    if not future.done():
                        future.set_result(rows.get(session, []))

    def _read(self, wanted: dict[str, int]) -> dict[str, list[StoredEvent]]:
        """In a worker thread (one at a time: the reader awaits each read)."""
        if self._connection is None or self._connection.closed or self._connection.invalidated:
            self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        found: dict[str, list[StoredEvent]] = {}
        items = list(wanted.items())
        try:
            for i in range(0, len(items), self.CHUNK):
                chunk = items[i : i + self.CHUNK]
                stmt = (
                    select(t.events.c.session_id, t.events.c.seq, t.events.c.body, t.events.c.hash)
                    .where(
                        or_(
                            *(
                                and_(t.events.c.session_id == s, t.events.c.seq > a)
                                for s, a in chunk
                            )
                        )
                    )
                    .order_by(t.events.c.session_id, t.events.c.seq)
                )
                for row in self._connection.execute(stmt):
                    found.setdefault(row.session_id, []).append(
                        StoredEvent(row.seq, row.body, row.hash)
                    )
        except Exception:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
            raise
        return found
