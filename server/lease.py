"""Who fires a session's clock: one process of the cluster at a time, by a lease per session.

Every process that has a session loaded keeps its alarm; only the lease holder turns the alarm
into a `tick`. The lease is a PostgreSQL session-level advisory lock, keyed by the session id,
taken on one dedicated connection per process:

- it lives where the truth lives: when PostgreSQL is down no tick could commit anyway, and
  Redis (which only carries notices) can come and go without stopping or doubling a clock;
- a process that dies (kill -9, a lost host) loses its connection and with it every lock, at
  once: no time-to-live to tune against clock skew, no renewals to miss;
- it is an economy, not the guard: a tick decided twice (two processes each believing it
  holds the lease for a moment, across a lost connection) writes its events once, since the
  second writer clashes on `(session_id, seq)`, reloads, and finds the deadline already
  applied.

Each round (every `CHAPTER8_LEASE_S` seconds, and at once when a session is loaded) the
process tries to take the locks of its sessions that it does not hold; every few rounds it
also takes the locks of running sessions that no process holds (their holder died and none
of their players has reconnected yet) and loads them, so every running clock has a holder.
A PgBouncer in front of PostgreSQL must pass this connection in session mode.

SQLite has one process: `LocalLease` always holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

SWEEP_EVERY = 5
"""Rounds between two looks for running sessions whose clock has no holder."""
KEY = "hashtextextended('chapter8.clock:' || {}, 0)"


class Lease(Protocol):
    def holds(self, session: str) -> bool: ...
    @property
    def held(self) -> frozenset[str]: ...
    def want(self, session: str) -> None: ...
    def drop(self, session: str) -> None: ...
    async def start(self) -> None: ...
    async def close(self) -> None: ...


class LocalLease:
    """One process: it holds every clock."""

    def holds(self, session: str) -> bool:
        return True

    @property
    def held(self) -> frozenset[str]:
        return frozenset()

    def want(self, session: str) -> None:
        return None

    def drop(self, session: str) -> None:
        return None

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class AdvisoryLease:
    """Clock leases as PostgreSQL advisory locks on one connection of this process.

    `on_gained(session)` is called when a lock of a loaded session is taken (the session arms
    its alarm: a deadline that fell meanwhile fires at once); `on_orphans(sessions)` with the
    running sessions whose locks a sweep took (the service loads them)."""

    def __init__(
        self,
        dsn: str,
        *,
        period_s: float,
        on_gained: Callable[[str], None],
        on_orphans: Callable[[list[str]], Awaitable[None]] | None = None,
    ) -> None:
        self.dsn = dsn
        self.period_s = period_s
        self.on_gained = on_gained
        self.on_orphans = on_orphans
        self._wanted: set[str] = set()
        self._held: set[str] = set()
        self._dropped: set[str] = set()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._conn: psycopg.AsyncConnection | None = None
        self._rounds = 0

    def holds(self, session: str) -> bool:
        return session in self._held

    def want(self, session: str) -> None:
        if session in self._wanted:
            return
        self._wanted.add(session)
        self._dropped.discard(session)
        if session not in self._held and self._wake is not None:
            self._wake.set()

    def drop(self, session: str) -> None:
        self._wanted.discard(session)
        if session in self._held:
            self._dropped.add(session)
            if self._wake is not None:
                self._wake.set()

    @property
    def held(self) -> frozenset[str]:
        return frozenset(self._held)

    async def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="clock-lease")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._disconnect()

    async def _disconnect(self) -> None:
        self._held.clear()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
        self._conn = None

    async def _run(self) -> None:
        assert self._wake is not None
        pause = 0.1
        trouble = False
        while True:
            try:
                if self._conn is None or self._conn.closed:
                    await self._disconnect()
                    self._conn = await psycopg.AsyncConnection.connect(
                        self.dsn,
                        autocommit=True,
                        connect_timeout=3,
                        application_name="chapter8-clock-lease",
                        keepalives=1,
                        keepalives_idle=5,
                        keepalives_interval=2,
                        keepalives_count=3,
                    )
                await self._round(self._conn)
                if trouble:
                    log.warning("clock lease: PostgreSQL answers again")
                    trouble = False
                pause = 0.1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.period_s)
                self._wake.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not trouble:
                    log.warning("clock lease: lost PostgreSQL (%s); holding no clock", exc)
                    trouble = True
                await self._disconnect()
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)

    async def _round(self, conn: psycopg.AsyncConnection) -> None:
        self._rounds += 1
        for session in list(self._dropped):
            self._dropped.discard(session)
            if session in self._held and session not in self._wanted:
                await conn.execute(f"SELECT pg_advisory_unlock({KEY.format('%s')})", (session,))
                self._held.discard(session)
        missing = [s for s in self._wanted if s not in self._held]
        if missing:
            cursor = await conn.execute(
                "SELECT s FROM unnest(%s::text[]) AS s "
                f"WHERE pg_try_advisory_lock({KEY.format('s')})",
                (missing,),
            )
            for (session,) in await cursor.fetchall():
                self._held.add(session)
                self.on_gained(session)
        else:
            await conn.execute("SELECT 1")
        if self.on_orphans is not None and self._rounds % SWEEP_EVERY == 1:
            # Materialised first, so that no lock is tried on a row the filter would drop.
            cursor = await conn.execute(
                "WITH c AS MATERIALIZED (SELECT id FROM sessions WHERE status = 'running' "
                "AND NOT (id = ANY(%s::text[]))) "
                f"SELECT id FROM c WHERE pg_try_advisory_lock({KEY.format('id')})",
                (list(self._wanted | self._held),),
            )
            orphans = [row[0] for row in await cursor.fetchall()]
            if orphans:
                self._held.update(orphans)
                log.info("clock lease: took the clocks of %d sessions", len(orphans))
                await self.on_orphans(orphans)


def libpq_dsn(sqlalchemy_url: str) -> str:
    """`postgresql+psycopg://…` as libpq takes it."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)
