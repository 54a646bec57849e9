"""The store reads that several processes sharing one session need (run through Store.read):
where each session's log ends, the committed truth after a clash, and the first answers to
given command ids."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select, tuple_

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
