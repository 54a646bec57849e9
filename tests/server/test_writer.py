"""The group-commit writer on SQLite (server/store/writer.py): inserts that give every column
go straight to the driver, the rest through SQLAlchemy, and a clash is still SQLAlchemy's
IntegrityError, failing its own batch alone when groups are merged."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server import auth
from server.settings import Settings
from server.store import tables as t
from server.store.database import migrate, open_engine
from server.store.store import Batch, Store


@pytest.fixture
async def store(tmp_path: Path):
    engine = open_engine(Settings(data_dir=tmp_path))
    migrate(engine)
    store = Store(engine, asyncio.get_running_loop())
    yield store
    store.close()


def batch(session: str, seq: int, cid: str | None = None) -> Batch:
    b = Batch(session=session)
    b.events.append(
        {
            "session_id": session,
            "seq": seq,
            "type": "message_posted",
            "at": 1,
            "body": f'{{"seq":{seq}}}',
            "hash": "a" * 64,
        }
    )
    if cid is not None:
        b.replies.append({"session_id": session, "actor": "eu.1", "command_id": cid, "reply": "{}"})
    return b


async def test_rows_are_written_whichever_path_they_take(store: Store) -> None:
    full = Batch(session="s1")
    full.credentials.append(auth.credential_row("s1", "join", "code", 5, "eu.1"))
    await asyncio.gather(
        store.commit(batch("s1", 1, "c1")), store.commit(batch("s2", 1)), store.commit(full)
    )
    partial = Batch(session="s1")  # a column left to its default: SQLAlchemy's path
    row = auth.credential_row("s1", "seat", "token", 5, "eu.1")
    del row["revoked"]
    partial.credentials.append(row)
    await store.commit(partial)
    await store.commit(batch("s1", 2, "c2"))

    def read(connection):  # type: ignore[no-untyped-def]
        events = connection.execute(
            select(t.events.c.session_id, t.events.c.seq, t.events.c.body).order_by(
                t.events.c.session_id, t.events.c.seq
            )
        ).all()
        replies = connection.execute(select(t.replies.c.command_id)).scalars().all()
        revoked = connection.execute(select(t.credentials.c.revoked)).scalars().all()
        return [tuple(r) for r in events], sorted(replies), revoked

    events, replies, revoked = await store.read(read)
    assert events == [("s1", 1, '{"seq":1}'), ("s1", 2, '{"seq":2}'), ("s2", 1, '{"seq":1}')]
    assert replies == ["c1", "c2"] and revoked == [False, False]


async def test_a_clash_fails_its_own_batch_alone(store: Store) -> None:
    await store.commit(batch("s1", 1, "c1"))
    with pytest.raises(IntegrityError):
        await store.commit(batch("s1", 1, "c9"))
    # Merged with others in one group: only the clashing batch fails.
    outcomes = await asyncio.gather(
        store.commit(batch("s2", 1, "c1")),
        store.commit(batch("s1", 1, "c8")),
        store.commit(batch("s3", 1)),
        return_exceptions=True,
    )
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], IntegrityError)
    heads = await store.read(
        lambda c: c.execute(select(t.events.c.session_id, t.events.c.seq)).all()
    )
    assert sorted(tuple(r) for r in heads) == [("s1", 1), ("s2", 1), ("s3", 1)]
