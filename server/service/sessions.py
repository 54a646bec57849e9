"""The registry of live sessions: create, load on demand, reload at startup, authenticate,
join seats, change seats. The web layer's only way in.

On PostgreSQL several processes may serve the same sessions (`shared`): each loads a session
when one of its players connects here, or when it takes the session's clock lease; it follows
the others' commits by the fan-out's notices and, as a safety net, by polling the heads of its
sessions every `catchup_s` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from game import engine
from game.commands import FACILITATOR, SYSTEM, AssignSeat, FreeSeat
from server import auth, chain
from server.catalog import Catalog
from server.clock import now_ms
from server.fanout import Fanout
from server.lease import AdvisoryLease, Lease, LocalLease, libpq_dsn
from server.metrics import Metrics
from server.service import cluster
from server.service.live import LiveSession
from server.service.restore import restore
from server.service.work import CommandWork, Reply
from server.settings import Settings
from server.store import store as st
from server.store.store import Batch, Clash, Store

log = logging.getLogger(__name__)
JOIN_TRIES = 20
"""How often a join retries when the session's log moves under it (see `join`)."""

ACTIVE = ("lobby", "running", "paused")
ARCHIVED = "imported"
"""The status of an imported session: replayed, never loaded live (server/replay.py)."""


class NotFound(LookupError):
    pass


@dataclass
class Created:
    session: str
    facilitator_token: str
    join_codes: dict[str, str]


class SessionService:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        fanout: Fanout,
        catalog: Catalog,
        metrics: Metrics,
    ) -> None:
        self.settings = settings
        self.store = store
        self.fanout = fanout
        self.catalog = catalog
        self.metrics = metrics
        self.live_sessions: dict[str, LiveSession] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self.shared = not settings.db_url.startswith("sqlite")
        """Other processes may serve the same sessions (the database is PostgreSQL)."""
        self.lease: Lease = (
            AdvisoryLease(
                libpq_dsn(settings.db_url),
                period_s=settings.lease_s,
                on_gained=self._clock_gained,
                on_orphans=self._adopt_orphans,
            )
            if self.shared
            else LocalLease()
        )
        self._poller: asyncio.Task[None] | None = None
        self.reader = cluster.Reader(store.engine) if self.shared else None
        metrics.clocks.set_function(
            lambda: len(self.lease.held) if self.shared else len(self.live_sessions)
        )

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start following the other processes, and make sure every clock has a holder: alone
        (SQLite), reload every session still in play; shared, the clock lease takes the
        running sessions that no process holds and loads them."""
        await self.fanout.start()
        await self.lease.start()
        if self.reader is not None:
            self.reader.start()
        if self.shared:
            self._poller = asyncio.create_task(self._poll(), name="catch-up-poll")
            return
        for row in await self.store.read(st.session_rows, ACTIVE):
            try:
                await self.live(row["id"])
            except Exception:
                log.exception("could not reload session %s", row["id"])

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        for live in list(self.live_sessions.values()):
            await live.stop()
        self.live_sessions.clear()
        self.metrics.sessions.set(0)
        await self.lease.close()
        await self.fanout.close()
        if self.reader is not None:
            await self.reader.close()

    def _clock_gained(self, session: str) -> None:
        live = self.live_sessions.get(session)
        if live is not None:
            live.rearm()

    async def _adopt_orphans(self, sessions: list[str]) -> None:
        for session in sessions:
            try:
                await self.live(session)
            except Exception:
                log.exception("could not load session %s to fire its clock", session)
                self.lease.drop(session)

    async def _poll(self) -> None:
        """The safety net under the fan-out: every `catchup_s`, compare each loaded session with
        the head of its log, and catch up those that missed a notice."""
        while True:
            await asyncio.sleep(self.settings.catchup_s)
            try:
                heads = await self.store.read(cluster.heads, list(self.live_sessions))
            except Exception as exc:
                log.warning("catch-up poll: cannot read the store (%s)", exc)
                continue
            for session, seq in heads.items():
                live = self.live_sessions.get(session)
                if live is not None and (seq > live.committed or live.stale):
                    live.follow(seq if seq > live.committed else None)
            await self._unload_idle()

    async def _unload_idle(self) -> None:
        """Stop following sessions nobody here uses: no connection and no work for `idle_s`.
        A session whose clock fires here is kept, unless players are connected to another
        process: that process has it loaded and takes the clock within a lease round (a
        deadline may fire that much late), so the session is decided and delivered where its
        players are, and nobody else reads its commits back."""
        now = time.monotonic()
        for session, live in list(self.live_sessions.items()):
            if not live.idle(now, self.settings.idle_s):
                continue
            if self.lease.holds(session) and not self._served_elsewhere(session):
                continue
            self.live_sessions.pop(session, None)
            await live.stop()
            self.lease.drop(session)
            self.metrics.sessions.set(len(self.live_sessions))

    def _served_elsewhere(self, session: str) -> bool:
        return any(
            counts.get("facilitators") or any(counts.get("seats", {}).values())
            for counts in self.fanout.others_presence(session)
        )

    async def live(self, session: str) -> LiveSession:
        found = self.live_sessions.get(session)
        if found is not None:
            return found
        lock = self._loading.setdefault(session, asyncio.Lock())
        async with lock:
            found = self.live_sessions.get(session)
            if found is not None:
                return found
            row = await self.store.read(st.session_row, session)
            if row is not None and row["status"] == ARCHIVED:
                # An imported log is a record to replay (server/replay.py), never live.
                raise NotFound(session)
            try:
                loaded = await self.store.read(st.load, session)
            except LookupError:
                raise NotFound(session) from None
            return self._open(session, restore(loaded, self.settings.replay_limit))

    async def is_record(self, session: str) -> bool:
        """Whether the session was imported: a record to replay, never loaded live."""
        if session in self.live_sessions:
            return False
        row = await self.store.read(st.session_row, session)
        return row is not None and row["status"] == ARCHIVED

    def _open(self, session: str, restored: Any) -> LiveSession:
        live = LiveSession(
            session,
            restored,
            store=self.store,
            fanout=self.fanout,
            metrics=self.metrics,
            snapshot_every=self.settings.snapshot_every,
            replay_limit=self.settings.replay_limit,
            lease=self.lease,
            shared=self.shared,
            reader=self.reader,
        )
        self.live_sessions[session] = live
        live.start()
        self.lease.want(session)
        self.metrics.sessions.set(len(self.live_sessions))
        return live

    # --- creating -----------------------------------------------------------------------------

    async def create(self, scenario_id: str, title: str, seed: int | None) -> Created:
        scenario = self.catalog.get(scenario_id)
        if scenario is None:
            raise NotFound(scenario_id)
        session = secrets.token_hex(6)
        at = now_ms()
        events = engine.create(
            session, title, scenario, seed if seed is not None else secrets.randbits(31), at
        )
        state = engine.fold(events)
        facilitator = auth.new_token()
        codes = {seat: auth.new_join_code() for seat in state.seats}
        batch = Batch(session=session)
        batch.new_session = {
            "id": session,
            "title": title,
            "scenario_id": scenario.id,
            "status": state.status,
            "created_at": at,
        }
        head = chain.GENESIS
        for event in events:
            body = chain.canonical(event)
            head = chain.link(head, body)
            batch.events.append(
                {
                    "session_id": session,
                    "seq": event.seq,
                    "type": event.type,  # type: ignore[attr-defined]
                    "at": event.at,
                    "body": body.decode(),
                    "hash": head,
                }
            )
        batch.credentials.append(auth.credential_row(session, "facilitator", facilitator, at))
        for seat, code in codes.items():
            batch.credentials.append(auth.credential_row(session, "join", code, at, seat))
        await self.store.commit(batch)
        await self.live(session)
        return Created(session=session, facilitator_token=facilitator, join_codes=codes)

    # --- who is who ---------------------------------------------------------------------------

    async def authenticate(self, token: str) -> auth.Principal | None:
        """The facilitator or seat a token belongs to (join codes are not tokens)."""
        row = await self.store.read(st.credential, auth.digest(token))
        if row is None or row["kind"] not in ("facilitator", "seat"):
            return None
        if row["kind"] == "facilitator":
            return auth.Principal(session=row["session_id"], kind="facilitator")
        try:
            live = await self.live(row["session_id"])
        except NotFound:
            return None
        held = live.state.seats.get(row["seat"])
        return auth.Principal(
            session=row["session_id"],
            kind="seat",
            seat=row["seat"],
            team=live.team_of(row["seat"]),
            bot=held is not None and held.bot is not None,
        )

    async def join(self, session: str, code: str, name: str | None) -> tuple[str, str] | None:
        """Exchange a seat's join code for a new seat token. The code keeps working (the same
        link on a second device gets a token of its own) until the seat changes hands."""
        live = await self.live(session)
        for _ in range(JOIN_TRIES):
            # Fix the log's head first, then read the code: a seat change committed before the
            # head shows as a revoked code; one committed after it makes the token's row clash.
            head = await live.call(lambda: live.committed)
            row = await self.store.read(st.credential, auth.digest(code))
            if row is None or row["kind"] != "join" or row["session_id"] != session:
                return None
            seat = row["seat"]
            token = auth.new_token()
            batch = Batch(session=session, expect=head)
            batch.credentials.append(auth.credential_row(session, "seat", token, now_ms(), seat))
            try:
                await self.store.commit(batch)
            except Clash:
                await asyncio.sleep(0.02)  # the log moved on: read the code again
                continue
            break
        else:
            raise RuntimeError(f"could not issue a seat token in {session}: the log kept moving")
        if name and live.state.seats[seat].name is None:
            # A free seat taken through its join link: logged as the system seating the
            # holder, not as a facilitator's act, and no credentials are replaced.
            await live.run_command(
                CommandWork(
                    actor=SYSTEM,
                    key="system",
                    command=AssignSeat(seat=seat, name=name[:200]),
                    rotate=False,
                )
            )
        return seat, token

    async def change_seat(
        self, session: str, command: AssignSeat | FreeSeat
    ) -> tuple[Reply, str | None]:
        """The facilitator gives a seat to someone else or frees it: the engine records it and
        the seat's old tokens and join codes stop working; returns the new join code."""
        live = await self.live(session)
        reply, extra = await live.run_command(
            CommandWork(actor=FACILITATOR, key="facilitator", command=command)
        )
        return reply, extra.get("join_code")

    async def new_join_code(self, session: str, seat: str) -> str | None:
        """Another join code for a seat (the old ones keep working)."""
        live = await self.live(session)
        if seat not in live.state.seats:
            return None
        code = auth.new_join_code()
        batch = Batch(session=session)
        batch.credentials.append(auth.credential_row(session, "join", code, now_ms(), seat))
        await self.store.commit(batch)
        return code
