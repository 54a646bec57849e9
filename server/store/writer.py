"""The dedicated writer: one thread that owns one database connection and commits the
writes of every session in groups.

Each live session hands over its batch (events, replies, a snapshot...) and awaits a future.
The thread takes everything queued, runs each batch inside its own SAVEPOINT (so a clash on
`(session_id, seq)` fails that session's batch alone) and commits the group once: one
fsync for many sessions, and the SQLite WAL checkpoint runs here, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, Table, insert
from sqlalchemy.exc import DBAPIError, IntegrityError

log = logging.getLogger(__name__)

Op = Callable[[Connection], object]
"""One write: a function of the open connection (it runs inside the group's transaction)."""


class Insert:
    """An op that inserts `rows` into `table`. Unlike an opaque op, the writer can merge it
    with the same table's inserts from the other batches of a group (one executemany)."""

    __slots__ = ("rows", "table")

    def __init__(self, table: Table, rows: list[dict]) -> None:
        self.table = table
        self.rows = rows

    def __call__(self, connection: Connection) -> object:
        return insert_rows(connection, self.table, self.rows)


def insert_rows(connection: Connection, table: Table, rows: list[dict]) -> object:
    """One executemany of `rows` into `table`, inside the connection's transaction. On
    SQLite, rows that give every column go straight to the driver (`_direct`); anything else,
    and PostgreSQL, goes through SQLAlchemy Core."""
    if not _direct(connection, table, rows):
        return connection.execute(insert(table), rows)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        _executemany(cursor, table, rows)
    finally:
        cursor.close()
    return None


def _direct(connection: Connection, table: Table, rows: list[dict]) -> bool:
    """Whether the driver can take these rows as they are: sqlite3 binds the dicts by name,
    in C, where SQLAlchemy's per-row parameter processing (and its transaction handling,
    `_commit_direct`) was most of the writer thread's Python, holding the GIL against the
    event loop. Rows that leave a column to its default go through SQLAlchemy."""
    columns = _COLUMNS.get(table)
    if columns is None:
        columns = _COLUMNS[table] = set(table.c.keys())
    return connection.dialect.name == "sqlite" and all(row.keys() == columns for row in rows)


def _executemany(cursor: sqlite3.Cursor, table: Table, rows: list[dict]) -> None:
    sql = _SQL.get(table)
    if sql is None:
        names = list(table.c.keys())
        quoted = ", ".join(f'"{n}"' for n in names)
        sql = _SQL[table] = (
            f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join(":" + n for n in names)})'
        )
    try:
        cursor.executemany(sql, rows)
    except sqlite3.Error as exc:  # as SQLAlchemy would raise it (IntegrityError for a clash)
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc


def _commit_direct(connection: Connection, merged: dict[Table, list[dict]]) -> None:
    """One transaction of inserts run by the driver itself (BEGIN, executemany per table,
    COMMIT), rolled back if anything fails. SQLAlchemy's connection is idle meanwhile: it
    holds no transaction between groups."""
    raw = connection.connection.driver_connection
    cursor = raw.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("BEGIN")
        for table, rows in merged.items():
            _executemany(cursor, table, rows)
        raw.commit()  # type: ignore[union-attr]
    except BaseException:
        raw.rollback()  # type: ignore[union-attr]
        raise
    finally:
        cursor.close()


_SQL: dict[Table, str] = {}
_COLUMNS: dict[Table, set[str]] = {}


MAX_GROUP = 512


@dataclass
class _Job:
    ops: list[Op]
    future: asyncio.Future[None]
    results: list[BaseException | None] = field(default_factory=list)


class Writer:
    def __init__(self, engine: Engine, loop: asyncio.AbstractEventLoop) -> None:
        self._engine = engine
        self._loop = loop
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="chapter8-writer", daemon=True)
        self._thread.start()

    def submit(self, ops: list[Op]) -> asyncio.Future[None]:
        """Queue `ops` to run in one transaction; the future resolves once they are committed
        (or fails with the database's error, nothing of them written)."""
        job = _Job(ops=ops, future=self._loop.create_future())
        self._queue.put(job)
        return job.future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        connection: Connection | None = None
        while True:
            first = self._queue.get()
            if first is None:
                break
            group = [first]
            stop = False
            while len(group) < MAX_GROUP:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                group.append(job)
            try:
                if connection is None:
                    connection = self._engine.connect()
                outcomes = self._commit(connection, group)
            except Exception as exc:  # the whole group failed: report it to every waiter
                outcomes = [exc] * len(group)
                if len(group) == 1 and _refused(exc):
                    # One batch refused (a clash with another writer): its transaction was
                    # rolled back and the connection is sound; the session handles it.
                    log.debug("a write was refused: %s", exc)
                else:
                    log.exception("write group of %d failed", len(group))
                    if connection is not None:
                        connection.close()
                    connection = None
            self._loop.call_soon_threadsafe(_settle, group, outcomes)
            if stop:
                break
        if connection is not None:
            connection.close()

    @staticmethod
    def _commit(connection: Connection, group: list[_Job]) -> list[BaseException | None]:
        if all(isinstance(op, Insert) for job in group for op in job.ops):
            # The usual group: only inserts. Try them merged, one executemany per table and no
            # savepoints; should anything clash, roll back and redo it batch by batch below,
            # so that the clash fails its own session's batch alone.
            merged: dict[Table, list[dict]] = {}
            for job in group:
                for op in job.ops:
                    merged.setdefault(op.table, []).extend(op.rows)  # type: ignore[attr-defined]
            try:
                if all(_direct(connection, table, rows) for table, rows in merged.items()):
                    _commit_direct(connection, merged)
                    return [None] * len(group)
                if len(group) > 1:
                    with connection.begin():
                        for table, rows in merged.items():
                            insert_rows(connection, table, rows)
                    return [None] * len(group)
            except Exception:
                if len(group) == 1:
                    raise
                log.info("a merged write group of %d failed; retrying batch by batch", len(group))
        outcomes: list[BaseException | None] = []
        with connection.begin():
            if len(group) == 1:
                for op in group[0].ops:
                    op(connection)
                return [None]
            for job in group:
                savepoint = connection.begin_nested()
                try:
                    for op in job.ops:
                        op(connection)
                except Exception as exc:
                    savepoint.rollback()
                    outcomes.append(exc)
                else:
                    savepoint.commit()
                    outcomes.append(None)
        return outcomes


def _refused(exc: BaseException) -> bool:
    """A batch's own failure (a key that exists, or a check of its own), not the database's
    or the connection's."""
    return isinstance(exc, IntegrityError) or not isinstance(exc, DBAPIError)


def _settle(group: list[_Job], outcomes: list[BaseException | None]) -> None:
    for job, outcome in zip(group, outcomes, strict=True):
        if job.future.done():
            continue
        if outcome is None:
            job.future.set_result(None)
        else:
            job.future.set_exception(outcome)
