"""Replays: a session's log folded to any `seq` and projected for any perspective, the
perspectives a reader may take, importing an export, and forking a session from a moment.

What a viewer saw at `seq` is `view(fold(log[:seq]), viewer)`: projections commute with the
fold (game/views.py), so that is exactly what a live client of that viewer held once it had
every event up to `seq` (tests/server/test_replay.py checks it against recorded clients).
Folding from the first event for every step of a scrub would cost O(seq) each time, so a
`Book` keeps the session's parsed events and a checkpoint of the state (as JSON) every
`CHECKPOINT_EVERY` events, made as folds pass by; a view at `seq` folds from the nearest
checkpoint at or before it.

A **reader** is who asks: the session's facilitator, a researcher (the holder of an imported
log's token: the whole log, like the facilitator, but never a live session), or a seat. A
seat may open the replay once the scenario declassifies the log, and take the public
perspective, its own team's, and another team's only once every secret a team keeps
(briefs, weights, drafts, private and team channels, scores) is open to everyone.
"""

from __future__ import annotations

import secrets as random_secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from game import disclosure as dc
from game import engine
from game.commands import FACILITATOR, PauseSession
from game.disclosure import FACILITATOR_VIEW, SPECTATOR_VIEW, Viewer
from game.events import EVENT_ADAPTER, Ev
from game.hashing import state_hash
from game.state import SessionState
from game.views import View, project, view
from server import auth, chain
from server.export import Replay, replay
from server.service.sessions import ARCHIVED
from server.store import tables as t
from server.store.store import Batch, StoredEvent

CHECKPOINT_EVERY = 50
BOOKS = 16
"""Sessions whose parsed logs and checkpoints are kept in memory (least recently used go)."""
TEAM_SECRETS = ("briefs", "weights", "drafts", "private_channels", "team_channels", "scores")


class Refused(Exception):
    def __init__(self, status: int, code: str, reason: str, seq: int | None = None) -> None:
        super().__init__(reason)
        self.status, self.code, self.reason, self.seq = status, code, reason, seq

    def detail(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "reason": self.reason}
        if self.seq is not None:
            body["seq"] = self.seq
        return body


# --- perspectives ---------------------------------------------------------------------------


def viewer_of(perspective: str, state: SessionState) -> Viewer:
    """`facilitator`, `public`, or `team:<id>` (a team's seats)."""
    if perspective == "facilitator":
        return FACILITATOR_VIEW
    if perspective == "public":
        return SPECTATOR_VIEW
    team = perspective.removeprefix("team:")
    if team not in state.teams:
        raise Refused(404, "unknown", f"no perspective '{perspective}'")
    return Viewer(role="seat", team=team)


def perspectives(state: SessionState) -> list[str]:
    return ["facilitator", "public", *(f"team:{t.id}" for t in state.scenario.teams)]


@dataclass(frozen=True)
class Reader:
    """Who asks for a replay: `facilitator`, `researcher` (an imported log's token) or `seat`."""

    kind: Literal["facilitator", "researcher", "seat"]
    team: str | None = None

    @property
    def whole(self) -> bool:
        """Reads the whole log (every perspective, every moment, the state hash)."""
        return self.kind in ("facilitator", "researcher")


def may_replay(reader: Reader, state: SessionState) -> bool:
    """Whether this reader may open the replay of the session in its present state."""
    return reader.whole or dc.opened(state, state.scenario.declassify.log)


def allowed(reader: Reader, state: SessionState) -> list[str]:
    """The perspectives this reader may take now (`state`: the session's present state)."""
    if reader.whole:
        return perspectives(state)
    if not may_replay(reader, state):
        return []
    d = state.scenario.declassify
    everything = all(dc.opened(state, getattr(d, s)) for s in TEAM_SECRETS)
    return [
        p
        for p in perspectives(state)
        if p == "public" or p == f"team:{reader.team}" or (p.startswith("team:") and everything)
    ]


def check(reader: Reader, state: SessionState, perspective: str) -> Viewer:
    viewer = viewer_of(perspective, state)
    if not may_replay(reader, state):
        raise Refused(403, "forbidden", "the log is not declassified yet")
    if perspective not in allowed(reader, state):
        raise Refused(403, "forbidden", f"you may not take the perspective '{perspective}'")
    return viewer


# --- the book of one session ----------------------------------------------------------------


@dataclass
class Book:
    """One session's parsed log, with state checkpoints made as folds pass by."""

    session: str
    events: list[Ev] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    checkpoints: dict[int, str] = field(default_factory=dict)
    timelines: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    cache: dict[str, tuple[int, Any]] = field(default_factory=dict)
    """Other things derived from the whole log (the debrief), with the head they were made at."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def head(self) -> int:
        return len(self.events)

    def extend(self, rows: Iterable[StoredEvent]) -> None:
        for row in rows:
            if row.seq != self.head + 1:
                continue
            self.events.append(EVENT_ADAPTER.validate_json(row.body))
            self.hashes.append(row.hash)

    def state_at(self, seq: int) -> SessionState:
        """The state after event `seq` (a fresh object the caller may keep)."""
        if not 1 <= seq <= self.head:
            raise Refused(404, "unknown", f"no seq {seq}: the log runs from 1 to {self.head}")
        with self.lock:
            base = max((s for s in self.checkpoints if s <= seq), default=0)
            state = SessionState.model_validate_json(self.checkpoints[base]) if base else None
            start = base if base else 1
            if state is None:
                state = engine.fold(self.events[:1])
            with engine.gc_paused():
                for event in self.events[start:seq]:
                    engine.evolve(state, event)
                    if event.seq % CHECKPOINT_EVERY == 0 and event.seq not in self.checkpoints:
                        self.checkpoints[event.seq] = state.model_dump_json()
            return state

    def timeline(self, perspective: str) -> list[dict[str, Any]]:
        """Every event as the perspective saw it, in order (hidden ones left out)."""
        key = (perspective, self.head)
        with self.lock:
            found = self.timelines.get(key)
        if found is not None:
            return found
        state: SessionState | None = None
        out: list[dict[str, Any]] = []
        viewer: Viewer | None = None
        with engine.gc_paused():
            for event in self.events:
                state = engine.fold([event], state)
                if viewer is None:
                    viewer = viewer_of(perspective, state)
                seen = project(event, viewer, state)
                if seen is not None:
                    out.append(seen.model_dump(mode="json"))
        with self.lock:
            self.timelines = {k: v for k, v in self.timelines.items() if k[1] == self.head}
            self.timelines[key] = out
        return out

    def view_at(self, seq: int, viewer: Viewer) -> View:
        return view(self.state_at(seq), viewer)

    def derived(self, name: str, make: Callable[[list[Ev]], Any]) -> Any:
        """`make(events)`, made once per head of the log."""
        head = self.head
        found = self.cache.get(name)
        if found is not None and found[0] == head:
            return found[1]
        made = make(self.events[:head])
        self.cache[name] = (head, made)
        return made


class Library:
    """The books of recently replayed sessions (one per process)."""

    def __init__(self, size: int = BOOKS) -> None:
        self.size = size
        self.books: OrderedDict[str, Book] = OrderedDict()
        self.lock = threading.Lock()

    def book(self, session: str) -> Book:
        with self.lock:
            found = self.books.get(session)
            if found is None:
                found = self.books[session] = Book(session)
            self.books.move_to_end(session)
            while len(self.books) > self.size:
                self.books.popitem(last=False)
            return found


# --- importing an export --------------------------------------------------------------------


@dataclass
class Imported:
    session: str
    token: str
    result: Replay
    rows: list[dict[str, Any]]


def check_import(lines: Iterable[bytes | str]) -> tuple[Replay, list[tuple[int, bytes, str]]]:
    """Check an export (its hash chain, and that it folds) and keep each event's canonical
    body and hash. Raises `Refused` naming the first bad seq."""
    kept: list[tuple[int, bytes, str]] = []

    def tap(raw_lines: Iterable[bytes | str]) -> Iterable[bytes | str]:
        for raw in raw_lines:
            if raw.strip():
                try:
                    line = orjson.loads(raw)
                    body = orjson.dumps(line["event"], option=orjson.OPT_SORT_KEYS)
                    kept.append((int(line["seq"]), body, str(line["hash"])))
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                    pass
            yield raw

    result = replay(tap(lines))
    if not result.ok:
        raise Refused(422, "bad_log", result.problem, result.bad_seq)
    return result, kept


def import_batch(result: Replay, kept: list[tuple[int, bytes, str]], at: int) -> Imported:
    """The batch that stores a checked export as an archived session, with a researcher's
    token to open its replay. The events keep their bodies and hashes byte for byte."""
    state = result.state
    assert state is not None
    token = auth.new_token()
    rows = []
    for seq, body, hash_ in kept:
        event = orjson.loads(body)
        rows.append(
            {
                "session_id": state.session,
                "seq": seq,
                "type": event["type"],
                "at": event["at"],
                "body": body.decode(),
                "hash": hash_,
            }
        )
    return Imported(state.session, token, result, rows)


def store_import(connection: Any, imported: Imported, at: int) -> None:
    """Write an import in one transaction (a worker thread's connection). Refuses a session
    id this server already holds."""
    state = imported.result.state
    assert state is not None
    exists = connection.execute(
        t.sessions.select().where(t.sessions.c.id == imported.session)
    ).first()
    if exists is not None:
        raise Refused(409, "duplicate", f"this server already holds session {imported.session}")
    row = {
        "id": imported.session,
        "title": state.title[:200],
        "scenario_id": state.scenario.id[:80],
        "status": ARCHIVED,
        "created_at": at,
    }
    connection.execute(t.sessions.insert(), [row])
    connection.execute(t.events.insert(), imported.rows)
    credential = auth.credential_row(imported.session, "researcher", imported.token, at)  # type: ignore[arg-type]
    connection.execute(t.credentials.insert(), [credential])
    connection.commit()


# --- forking --------------------------------------------------------------------------------


@dataclass
class Fork:
    session: str
    facilitator_token: str
    join_codes: dict[str, str]
    batch: Batch
    forked_from: dict[str, Any]


def fork(book: Book, seq: int, title: str, at: int, status_of_source: str) -> Fork:
    """A new session that carries on from `seq` of `book`'s session.

    Its log starts with the source's events up to `seq`, re-stamped into the new session: a
    `session_created` with the new id, the title given and `forked_from` (source session, seq,
    its state hash and chain head there, and when the fork was made), then the source's
    events 2..seq as they are (the same seq, time and body). Folding them gives the source's
    state at `seq` under the new id. If the session was running then, a `session_paused`
    stamped at that moment follows, so every clock keeps exactly the time it had left, and
    the facilitator resumes when the room is ready."""
    source = book.state_at(seq)
    if source.status == "concluded":
        raise Refused(409, "closed", "the session had ended by this seq: fork from before")
    first = book.events[0]
    assert first.type == "session_created"  # type: ignore[attr-defined]
    session = random_secrets.token_hex(6)
    forked_from = {
        "session": book.session,
        "seq": seq,
        "state_hash": state_hash(source),
        "head_hash": book.hashes[seq - 1],
        "forked_at": at,
        "source_status": status_of_source,
    }
    created = engine.create(
        session,
        title or f"{source.title} (fork at {seq})",
        first.scenario,  # type: ignore[attr-defined]
        first.seed,  # type: ignore[attr-defined]
        first.at,
        forked_from=forked_from,
    )
    events: list[Ev] = [*created, *book.events[1:seq]]
    state = engine.fold(events)
    if state.status == "running":
        outcome = engine.apply(state, PauseSession(), FACILITATOR, state.at)
        assert outcome.rejection is None, outcome.rejection
        events += outcome.events
    facilitator = auth.new_token()
    codes = {s: auth.new_join_code() for s in state.seats}
    batch = Batch(session=session)
    batch.new_session = {
        "id": session,
        "title": state.title,
        "scenario_id": state.scenario.id,
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
    batch.snapshot = {
        "session_id": session,
        "seq": state.seq,
        "state": state.model_dump_json(),
        "state_hash": state_hash(state),
    }
    batch.credentials.append(auth.credential_row(session, "facilitator", facilitator, at))
    for s, code in codes.items():
        batch.credentials.append(auth.credential_row(session, "join", code, at, s))
    return Fork(session, facilitator, codes, batch, forked_from)
