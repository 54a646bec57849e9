"""A live session: its state in memory and the one writer that changes it.

Commands queue up; the writer takes what is queued, decides each in order with
`engine.apply`, commits the batch's events (with the replies and any snapshot) in one
transaction, and only then publishes the events and answers. If the commit fails, the
in-memory state is thrown away and reloaded from the store: what was not committed never
happened, and nobody saw it.

Several processes may hold the same session (PostgreSQL, `server.fanout_redis`). Each has its
own `LiveSession` and takes commands; the database's key `(session_id, seq)` decides between
two writers. One that loses (a `Clash`) reloads the committed truth, with the first answers
to its batch's command ids, and decides the batch again. A process that hears another moved
the session on (`follow`) reads the new events from the store, folds them and hands them to
its connections. Only the holder of the session's clock lease fires its deadlines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError, IntegrityError

from game import engine
from game.commands import SYSTEM, AssignSeat, FreeSeat, Tick
from game.disclosure import Viewer
from game.errors import Code
from game.events import EVENT_ADAPTER, Ev, SeatAssigned, SeatFreed
from game.hashing import state_hash
from game.protocol import SERVER_ADAPTER, Accepted, Presence, Rejected, ServerCode
from game.state import SessionState
from game.views import disclosure_epoch
from server import auth, chain, strategies
from server.clock import Alarm, now_ms
from server.fanout import Fanout, Published
from server.lease import Lease
from server.metrics import Metrics
from server.service import cluster
from server.service.restore import Restored
from server.service.work import CommandWork, ControlWork, Reply
from server.store import store as st
from server.store.store import Batch, Clash, Store, StoredEvent

log = logging.getLogger(__name__)

MAX_BATCH = 256
CLASHES = 16
"""How many times in a row a batch may lose to another process's writer before its commands
are answered `unavailable` (each loss reloads and decides again; the log never moves back)."""
RETRY_MS = 1000
"""The retry hint of an `unavailable` answer, and how soon a session whose store could not be
read tries again."""


class Attached(Protocol):
    """A connection as the session sees it."""

    principal: auth.Principal
    synced: int

    def on_published(self, published: Published) -> None: ...
    def send_events(self, first: int, last: int, events: list[Ev]) -> None: ...
    def send_snapshot(self, state: SessionState, reason: str) -> None: ...
    def send_model(self, message: Any) -> None: ...
    def close(self, code: int, reason: str) -> None: ...


class LiveSession:
    def __init__(
        self,
        session: str,
        restored: Restored,
        *,
        store: Store,
        fanout: Fanout,
        metrics: Metrics,
        snapshot_every: int,
        replay_limit: int,
        lease: Lease | None = None,
        shared: bool = False,
        reader: cluster.Reader | None = None,
    ) -> None:
        self.id = session
        self.store = store
        self.fanout = fanout
        self.metrics = metrics
        self.snapshot_every = snapshot_every
        self.replay_limit = replay_limit
        self.lease = lease
        self.shared = shared
        """Other processes may write this session too (PostgreSQL): look before acting."""
        self.reader = reader
        self._known = 0
        """The newest seq another process announced."""
        self._behind = False
        """A catch-up is queued."""
        self._stale = False
        """The in-memory state may hold what was not committed: reload before anything."""
        self._unwatch: Callable[[], None] | None = None
        self.used = time.monotonic()
        """When this process last had work for the session (see `idle`)."""
        self.stopped = False
        self._adopt(restored)
        self.queue: asyncio.Queue[CommandWork | ControlWork] = asyncio.Queue()
        self.alarm = Alarm(self._tick)
        self._fired: int | None = None
        self.connections: dict[Attached, Callable[[], None]] = {}
        self.task: asyncio.Task[None] | None = None

    def _adopt(self, restored: Restored) -> None:
        self.state = restored.state
        self.head_hash = restored.head_hash
        self.snapshot_seq = restored.snapshot_seq
        self.replies = restored.replies
        self.recent = restored.recent
        self.epoch = disclosure_epoch(self.state)
        self.status = self.state.status
        self.committed = self.state.seq
        """The seq of the last event this process knows committed (the state may be ahead
        while a batch is being decided)."""

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"session-{self.id}")
        self._unwatch = self.fanout.watch(self.id, self.follow, self._others_present)
        self._arm()

    async def stop(self) -> None:
        self.stopped = True
        if self._unwatch is not None:
            self._unwatch()
        self.alarm.cancel()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        while not self.queue.empty():
            self._refuse_unloaded(self.queue.get_nowait())

    def idle(self, now: float, after: float) -> bool:
        """Nobody here has used the session for `after` seconds: no connection, no work."""
        return not self.connections and self.queue.empty() and now - self.used > after

    def _refuse_unloaded(self, work: CommandWork | ControlWork) -> None:
        # Whoever still held this object after the service let it go: retry, as for any
        # `unavailable`, and the service loads the session afresh.
        if isinstance(work, CommandWork):
            self._answer(work, _unavailable(work.cid), {})
        elif not work.future.done():
            work.future.set_exception(RuntimeError(f"session {self.id} was unloaded here"))

    # --- the queue ----------------------------------------------------------------------------

    def submit(self, work: CommandWork | ControlWork) -> None:
        if self.stopped:
            self._refuse_unloaded(work)
            return
        if isinstance(work, CommandWork) and (refused := strategies.refuse_command(work.command)):
            # A seat given to a bot the server does not know (REST refuses it before this).
            self._answer(work, Rejected(id=work.cid, code=Code.BAD_COMMAND, reason=refused), {})
            return
        self.used = time.monotonic()
        self.queue.put_nowait(work)

    async def call(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` between batches (when the state is exactly what is committed)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.submit(ControlWork(fn, future, fresh=self.shared))
        return await future

    async def run_command(self, work: CommandWork) -> tuple[Reply, dict[str, Any]]:
        """Submit a command and wait for its reply (for REST callers)."""
        future: asyncio.Future[tuple[Reply, dict[str, Any]]] = (
            asyncio.get_running_loop().create_future()
        )
        work.respond = lambda reply, extra: future.set_result((reply, extra))
        self.submit(work)
        return await future

    async def _run(self) -> None:
        while True:
            works = [await self.queue.get()]
            while len(works) < MAX_BATCH and not self.queue.empty():
                works.append(self.queue.get_nowait())
            pending: list[CommandWork] = []
            for work in works:
                if isinstance(work, CommandWork):
                    pending.append(work)
                    continue
                if pending:
                    await self._guarded(pending)
                    pending = []
                await self._control(work)
            if pending:
                await self._guarded(pending)

    async def _control(self, work: ControlWork) -> None:
        if self._stale or (work.fresh and self.shared):
            await self._refresh()
        try:
            result = work.fn()
        except Exception as exc:
            if not work.future.done():
                work.future.set_exception(exc)
            return
        if not work.future.done():
            work.future.set_result(result)

    async def _guarded(self, works: list[CommandWork]) -> None:
        keys = [(w.key, w.cid) for w in works if w.cid is not None]
        for _ in range(CLASHES):
            if self._stale:
                if not await self._recover(keys):
                    break
            elif self.shared and self._known > self.committed:
                await self._refresh()  # heard of news: take it in first rather than clash
            try:
                await self._decide(works)
                return
            except (Clash, IntegrityError):
                # Another process committed first: what was decided here never happened.
                self.metrics.clashes.inc()
                self._stale = True
            except DBAPIError as exc:
                log.warning("session %s: the store failed a batch (%s)", self.id, exc.orig)
                self._stale = True
                await self._recover(keys)
                break
            except Exception:
                log.exception("session %s: a batch failed; reloading from the store", self.id)
                self._stale = True
                await self._recover(keys)
                break
        else:
            log.warning("session %s: a batch lost %d clashes in a row", self.id, CLASHES)
        for work in works:
            self._answer(work, _unavailable(work.cid), {})

    # --- deciding and committing --------------------------------------------------------------

    async def _decide(self, works: list[CommandWork]) -> None:
        state = self.state
        at = max(now_ms(), state.at)
        first = state.seq + 1
        made: list[Ev] = []
        answers: list[tuple[CommandWork, Reply, dict[str, Any]]] = []
        fresh: dict[tuple[str, str], Reply] = {}
        batch = Batch(session=self.id)
        revoked: list[str] = []
        try:
            for work in works:
                if work.cid is not None:
                    prior = self.replies.get((work.key, work.cid)) or fresh.get(
                        (work.key, work.cid)
                    )
                    if prior is not None:
                        answers.append((work, prior, {}))
                        continue
                outcome = engine.apply(state, work.command, work.actor, at)
                made += outcome.events
                extra: dict[str, Any] = {}
                reply: Reply
                if outcome.rejection is None:
                    reply = Accepted(id=work.cid or "", seqs=[e.seq for e in outcome.events])
                    seat = self._seat_change(work)
                    if seat is not None:
                        extra["join_code"] = self._rotate(batch, seat, at)
                        revoked.append(seat)
                else:
                    reply = Rejected(
                        id=work.cid,
                        code=outcome.rejection.code,
                        reason=outcome.rejection.reason,
                    )
                if work.cid is not None:
                    fresh[(work.key, work.cid)] = reply
                    batch.replies.append(
                        {
                            "session_id": self.id,
                            "actor": work.key,
                            "command_id": work.cid,
                            "reply": reply.model_dump_json(),
                        }
                    )
                answers.append((work, reply, extra))
        except Exception:
            # An engine bug: the state may be half-changed, so it is not trusted.
            log.exception("session %s: the engine failed on a command", self.id)
            raise

        head = self.head_hash
        bodies: list[tuple[int, str]] = []
        canonical: list[bytes] = []
        for event in made:
            body = chain.canonical(event)
            head = chain.link(head, body)
            text = body.decode()
            bodies.append((event.seq, text))
            canonical.append(body)
            batch.events.append(
                {
                    "session_id": self.id,
                    "seq": event.seq,
                    "type": event.type,  # type: ignore[attr-defined]
                    "at": event.at,
                    "body": text,
                    "hash": head,
                }
            )
        if made and state.seq // self.snapshot_every > self.snapshot_seq // self.snapshot_every:
            batch.snapshot = {
                "session_id": self.id,
                "seq": state.seq,
                "state": state.model_dump_json(),
                "state_hash": state_hash(state),
            }
        if state.status != self.status:
            batch.status = state.status
        if batch.events or batch.replies or batch.credentials or batch.status:
            if self.shared and not batch.events:
                # No seq to clash on: the batch checks that it was decided on the newest state.
                batch.expect = first - 1
            # A failure propagates to `_guarded`, which reloads the committed truth.
            await self.store.commit(batch)

        # Committed: from here on, the batch is the truth and may be seen.
        self.head_hash = head
        self.committed = state.seq
        self.replies.update(fresh)
        self.recent.extend(bodies)
        if batch.snapshot is not None:
            self.snapshot_seq = state.seq
        self.status = state.status
        if made:
            self.metrics.events.inc(len(made))
            self._publish(first, made, announce=True, bodies=canonical)
        for seat in revoked:
            self._revoke(seat)
        for work, reply, extra in answers:
            self._answer(work, reply, extra)
        self._arm()

    def _publish(
        self, first: int, made: list[Ev], *, announce: bool, bodies: list[bytes] | None = None
    ) -> None:
        """Hand committed events to this process's connections (and, for a batch committed
        here, news of it to the other processes). `bodies`: the events' canonical JSON."""
        state = self.state
        epoch = disclosure_epoch(state)
        declassified = epoch != self.epoch
        self.epoch = epoch
        published = Published(
            session=self.id,
            first=first,
            last=state.seq,
            events=made,
            state=state,
            declassified=declassified,
            bodies=bodies,
        )
        if announce:
            self.fanout.publish(published)
        else:
            self.fanout.deliver(published)

    def _seat_change(self, work: CommandWork) -> str | None:
        if work.rotate and isinstance(work.command, AssignSeat | FreeSeat):
            return work.command.seat
        return None

    def _rotate(self, batch: Batch, seat: str, at: int) -> str:
        """A seat changed hands: its tokens and join codes go; a new join code comes."""
        code = auth.new_join_code()
        batch.revoke_seat.append(seat)
        batch.credentials.append(auth.credential_row(self.id, "join", code, at, seat))
        return code

    def _revoke(self, seat: str) -> None:
        for connection in list(self.connections):
            if connection.principal.seat == seat:
                connection.close(4003, "revoked: the seat changed hands")

    def _answer(self, work: CommandWork, reply: Reply, extra: dict[str, Any]) -> None:
        self.metrics.commands.labels(work.command.type).inc()
        if isinstance(reply, Rejected):
            self.metrics.rejections.labels(str(reply.code)).inc()
        if work.respond is not None:
            self.metrics.latency.observe(time.perf_counter() - work.received)
            work.respond(reply, extra)

    # --- following the store (other processes' commits) ----------------------------------------

    def follow(self, seq: int | None) -> None:
        """Another process moved the session on to `seq` (None: it may have; look)."""
        if seq is not None:
            if seq <= self.committed:
                return
            self._known = max(self._known, seq)
        if not self._behind:
            self._behind = True
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self.submit(ControlWork(_nothing, future, fresh=True))

    async def _refresh(self) -> None:
        """Take in what the store holds beyond the committed state (between batches)."""
        self._behind = False
        if self._stale:
            await self._recover([])
            return
        try:
            if self.reader is not None:
                rows = await self.reader.events_after(self.id, self.committed)
            else:
                rows = await self.store.read(st.events_after, self.id, self.committed, None)
        except Exception as exc:
            log.warning("session %s: cannot read the store (%s)", self.id, exc)
            return
        if not rows:
            return
        try:
            self._absorb(rows)
        except Exception:
            log.exception("session %s: could not follow the store; reloading", self.id)
            self._stale = True
            await self._recover([])

    def _absorb(self, rows: list[StoredEvent]) -> None:
        """Fold events committed elsewhere onto the committed state, checking the chain."""
        state = self.state
        first = state.seq + 1
        head = self.head_hash
        made: list[Ev] = []
        taken: list[StoredEvent] = []
        for row in rows:
            if row.seq <= state.seq:
                continue
            head = chain.link(head, row.body.encode())
            if row.seq != state.seq + 1 or head != row.hash:
                raise ValueError(f"the stored log does not follow on at seq {row.seq}")
            event = EVENT_ADAPTER.validate_json(row.body)
            self._stale = True  # until the event is folded whole
            engine.evolve(state, event)
            self._stale = False
            made.append(event)
            taken.append(row)
        if made:
            self._took_in(first, made, taken, head)

    def _took_in(self, first: int, made: list[Ev], rows: list[StoredEvent], head: str) -> None:
        state = self.state
        self.metrics.catch_ups.inc()
        self.recent.extend((row.seq, row.body) for row in rows)
        if state.seq // self.snapshot_every > self.committed // self.snapshot_every:
            self.snapshot_seq = state.seq  # the writer that crossed the mark wrote it
        self.head_hash = head
        self.committed = state.seq
        self.status = state.status
        self._publish(first, made, announce=False)
        for event in made:
            # The facilitator's seat changes replace the seat's credentials: its connections
            # here go too, as they do in the process that decided the change.
            if isinstance(event, SeatAssigned | SeatFreed) and event.actor.role == "facilitator":
                self._revoke(event.seat)
        self._arm()

    async def _recover(self, keys: list[tuple[str, str]]) -> bool:
        """Replace a state that may hold an uncommitted batch with the committed truth, and
        learn the first answers, if any, to `keys` (another process may have recorded them).
        False when the store cannot be read (the session stays stale and tries again)."""
        self._stale = True
        try:
            found = await self.store.read(cluster.since, self.id, self.committed, keys)
        except Exception as exc:
            log.warning("session %s: cannot reload from the store (%s)", self.id, exc)
            self.alarm.set(now_ms() + RETRY_MS)  # its ring comes back here, to try again
            return False
        state = (
            SessionState.model_validate_json(found.snapshot_state)
            if found.snapshot_state is not None
            else None
        )
        events = [(row, EVENT_ADAPTER.validate_json(row.body)) for row in found.events]
        state = engine.fold((e for row, e in events if row.seq > found.snapshot_seq), state)
        new = [(row, e) for row, e in events if row.seq > self.committed]
        head = self.head_hash
        for row, _event in new:
            head = chain.link(head, row.body.encode())
            if head != row.hash:
                log.error("session %s: the stored chain breaks at seq %d", self.id, row.seq)
                head = row.hash
        self.state = state
        self._stale = False
        self.replies.update(
            {key: SERVER_ADAPTER.validate_json(text) for key, text in found.replies.items()}  # type: ignore[misc]
        )
        self.snapshot_seq = max(self.snapshot_seq, found.snapshot_seq)
        first = self.committed + 1
        if new:
            self._took_in(first, [e for _row, e in new], [row for row, _e in new], head)
        else:
            self.status = state.status
            self._arm()
        return True

    # --- clocks -------------------------------------------------------------------------------

    def _arm(self) -> None:
        due = engine.next_deadline(self.state)
        now = now_ms()
        if due is not None and due <= now and due == self._fired:
            # The tick for this deadline changed nothing: rather than spin, try again in a
            # second (a deadline the engine does not honour is a bug worth a log line).
            log.warning("session %s: deadline %s did not fire", self.id, due)
            due = now + 1000
        self.alarm.set(due)

    def rearm(self) -> None:
        """The clock's lease came (back) to this process: set the alarm again, so that a
        deadline that fell meanwhile fires at once."""
        self.alarm.cancel()
        self._arm()

    @property
    def stale(self) -> bool:
        return self._stale

    def _tick(self) -> None:
        if self._stale:
            self.follow(None)  # the ring of a session waiting for its store: try again
            return
        if self.lease is not None and not self.lease.holds(self.id):
            return  # another process fires this clock
        self._fired = self.alarm.due
        self.submit(CommandWork(actor=SYSTEM, key="system", command=Tick(), respond=None))

    # --- connections --------------------------------------------------------------------------

    def attach(self, connection: Attached, since: int | None) -> None:
        """Subscribe a connection and bring it up to date (run between batches)."""
        self.connections[connection] = self.fanout.subscribe(self.id, connection.on_published)
        self.catch_up(connection, since)
        self.presence_changed()

    def detach(self, connection: Attached) -> None:
        unsubscribe = self.connections.pop(connection, None)
        if unsubscribe is not None:
            unsubscribe()
            self.presence_changed()

    def catch_up(self, connection: Attached, since: int | None) -> None:
        """Send what the connection missed after `since`: the events, or a snapshot."""
        state = self.state
        oldest = self.recent[0][0] if self.recent else state.seq + 1
        if since is None or since > state.seq or since + 1 < oldest:
            connection.send_snapshot(state, "connect" if since is None else "resync")
        elif since < state.seq:
            events = [EVENT_ADAPTER.validate_json(body) for seq, body in self.recent if seq > since]
            connection.send_events(since + 1, state.seq, events)
        connection.synced = state.seq

    def _here(self) -> tuple[dict[str, int], int]:
        """This process's connections: per seat, and the facilitator's."""
        seats: dict[str, int] = {}
        facilitators = 0
        for connection in self.connections:
            principal = connection.principal
            if principal.kind == "facilitator":
                facilitators += 1
            elif principal.seat is not None:
                seats[principal.seat] = seats.get(principal.seat, 0) + 1
        return seats, facilitators

    def presence(self) -> Presence:
        """Connections per seat and the facilitator's, in every process serving the session."""
        here, facilitators = self._here()
        seats: dict[str, int] = {seat: 0 for seat in self.state.seats}
        for seat, n in here.items():
            seats[seat] = seats.get(seat, 0) + n
        for counts in self.fanout.others_presence(self.id):
            for seat, n in counts.get("seats", {}).items():
                if seat in seats and isinstance(n, int):
                    seats[seat] += n
            facilitators += int(counts.get("facilitators", 0))
        return Presence(seats=seats, facilitators=facilitators)

    def presence_changed(self) -> None:
        here, facilitators = self._here()
        self.fanout.share_presence(self.id, {"seats": here, "facilitators": facilitators})
        self._tell_facilitators()

    def _others_present(self) -> None:
        self._tell_facilitators()

    def _tell_facilitators(self) -> None:
        message: Presence | None = None
        for connection in self.connections:
            if connection.principal.kind == "facilitator":
                message = message or self.presence()
                connection.send_model(message)

    def team_of(self, seat: str) -> str | None:
        found = self.state.seats.get(seat)
        return found.team if found else None

    def summary(self, viewer: Viewer) -> dict[str, Any]:
        state = self.state
        body = public_summary(self.id, state)
        if viewer.role == "facilitator":
            body["state_hash"] = state_hash(state)
            body["head_hash"] = self.head_hash
            body["next_deadline"] = engine.next_deadline(state)
            body["presence"] = self.presence().model_dump(mode="json")
        return body


def public_summary(session: str, state: SessionState) -> dict[str, Any]:
    """What anyone may read of a session (`GET /api/sessions/{session}`)."""
    return {
        "id": session,
        "title": state.title,
        "scenario": state.scenario.id,
        "status": state.status,
        "round": state.round,
        "phase": state.scenario.rounds.phases[state.phase].id if state.phase is not None else None,
        "seq": state.seq,
        "seats": [
            {"id": s.id, "team": s.team, "name": s.name, "bot": s.bot} for s in state.seats.values()
        ],
        "teams": [{"id": t.id, "name": t.name} for t in state.scenario.teams],
    }


def _unavailable(cid: str | None) -> Rejected:
    return Rejected(
        id=cid,
        code=ServerCode.UNAVAILABLE,
        reason="the server could not commit this command; try again with the same id "
        "(a command is applied at most once)",
        retry_ms=RETRY_MS,
    )


def _nothing() -> None:
    return None
