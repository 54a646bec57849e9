"""Seat changes and joins on two processes sharing PostgreSQL (server/store/store.py's
`_seats_lock`): a token issued on the condition that the log has not moved cannot commit while
another process's seat change, its revocation already run, is yet to commit. Two stores on
one database stand for the two processes; the seat change is held open mid-transaction, which
no test through the network could time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from server import auth
from server.settings import Settings
from server.store import tables as t
from server.store.database import migrate, open_engine
from server.store.store import Batch, Clash, Store
from tests.server.harness import Database

SESSION = "s-lock"


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    db = Database()
    try:
        yield db
    finally:
        db.drop()


@pytest.fixture
async def stores(database: Database, tmp_path: Path):
    """Two stores (two processes' writers) on one fresh PostgreSQL database."""
    settings = Settings(data_dir=tmp_path, database_url=database.url)
    made = []
    for _ in range(2):
        engine = open_engine(settings)
        migrate(engine)
        made.append(Store(engine, asyncio.get_running_loop()))
    for table in (t.credentials, t.events):
        with made[0].engine.begin() as connection:
            connection.execute(table.delete())
    yield made
    for store in made:
        store.close()


def event(seq: int) -> dict:
    return {
        "session_id": SESSION,
        "seq": seq,
        "type": "seat_assigned",
        "at": seq,
        "body": f'{{"seq":{seq}}}',
        "hash": f"{seq:064x}",
    }


def seat_change(seq: int) -> Batch:
    """What a reassignment of eu.1 commits: its event, the seat's credentials revoked."""
    batch = Batch(session=SESSION)
    batch.events.append(event(seq))
    batch.revoke_seat.append("eu.1")
    return batch


def join(head: int) -> tuple[Batch, str]:
    """What a join commits: a new seat token, if the log is still at `head`."""
    token = auth.new_token()
    batch = Batch(session=SESSION, expect=head)
    batch.credentials.append(auth.credential_row(SESSION, "seat", token, 1, "eu.1"))
    return batch, token


@contextmanager
def half_done(store: Store, batch: Batch) -> Iterator[None]:
    """`batch` written by `store`'s process inside a transaction that commits only when the
    block ends (and is rolled back if the block fails)."""
    with store.engine.connect() as connection, connection.begin():
        for op in batch.ops():
            op(connection) if callable(op) else connection.execute(op.table.insert(), op.rows)
        yield


def live_tokens(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(t.credentials.c.token_hash).where(
                t.credentials.c.seat == "eu.1", t.credentials.c.revoked.is_(False)
            )
        )
        return list(rows.scalars())


async def test_a_join_cannot_commit_inside_another_process_seat_change(stores) -> None:
    one, other = stores
    await one.commit(seat_change(1))
    # Process one is changing the seat again: its revocation has run, its commit has not.
    with half_done(one, seat_change(2)):
        # Process two, still at seq 1, joins: checking the head alone would let the token
        # commit (the seat change is invisible until it commits) and outlive the revocation.
        batch, _ = join(head=1)
        with pytest.raises(Clash):
            await other.commit(batch)
    assert live_tokens(one) == [], "a token outlived the seat change"
    # Once the change is committed, a join at the new head goes through.
    batch, token = join(head=2)
    await other.commit(batch)
    assert live_tokens(one) == [auth.digest(token)]


async def test_a_seat_change_waits_for_no_join_it_would_miss(stores) -> None:
    one, other = stores
    await one.commit(seat_change(1))
    # Process two is issuing a token at seq 1, not yet committed.
    batch, token = join(head=1)
    # Process one's seat change meanwhile is refused as a clash (it is decided again)...
    with half_done(other, batch), pytest.raises(Clash):
        await one.commit(seat_change(2))
    assert live_tokens(one) == [auth.digest(token)]
    # ...and decided again, it revokes the token the join committed.
    await one.commit(seat_change(2))
    assert live_tokens(one) == []
