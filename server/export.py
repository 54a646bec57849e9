"""The event log as JSON Lines, and the check that a file of it is whole.

Each line of a full export is `{"seq": n, "hash": "...", "event": {...}}`, where `hash` links
the event into the chain (see server/chain.py). `replay` checks every link, folds the events
and reports the final state, its hash and the scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import orjson
from pydantic import ValidationError

from game import engine
from game.disclosure import Viewer
from game.events import EVENT_ADAPTER
from game.hashing import state_hash
from game.state import SessionState
from game.views import project
from server import chain
from server.store.store import StoredEvent


def full_lines(events: Iterable[StoredEvent]) -> Iterator[bytes]:
    for e in events:
        yield b'{"seq":%d,"hash":"%s","event":%s}\n' % (e.seq, e.hash.encode(), e.body.encode())


def projected_lines(
    events: Iterable[StoredEvent], viewer: Viewer, state: SessionState
) -> Iterator[bytes]:
    """A player's copy of the log: each event as `viewer` may see it now (no hashes: the
    chain covers the full events, which a player does not get)."""
    for e in events:
        seen = project(EVENT_ADAPTER.validate_json(e.body), viewer, state)
        if seen is not None:
            line = {"seq": e.seq, "event": seen.model_dump(mode="json")}
            yield orjson.dumps(line) + b"\n"


@dataclass
class Replay:
    ok: bool
    events: int = 0
    bad_seq: int | None = None
    problem: str = ""
    state: SessionState | None = None
    state_hash: str | None = None
    head_hash: str | None = None
    scores: dict[str, float] = field(default_factory=dict)


def replay(lines: Iterable[bytes | str]) -> Replay:
    """Check the chain line by line, then fold. The first bad line names its seq."""
    head = chain.GENESIS
    expected = 1
    state: SessionState | None = None
    count = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            line = orjson.loads(raw)
            seq, claimed, body = line["seq"], line["hash"], line["event"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return Replay(False, count, expected, f"line {number} is not a log line")
        if seq != expected:
            return Replay(False, count, expected, f"line {number} has seq {seq}, not {expected}")
        head = chain.link(head, orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
        if head != claimed:
            return Replay(False, count, seq, f"seq {seq}: the hash chain breaks here")
        try:
            event = EVENT_ADAPTER.validate_python(body)
            if event.seq != seq:
                raise ValueError(f"the event says seq {event.seq}")
            state = engine.fold([event], state)
        except (ValidationError, ValueError) as exc:
            return Replay(False, count, seq, f"seq {seq}: {str(exc).splitlines()[0]}")
        count += 1
        expected += 1
    if state is None:
        return Replay(False, 0, 1, "the file holds no events")
    return Replay(
        True,
        count,
        state=state,
        state_hash=state_hash(state),
        head_hash=head,
        scores={team: score.total for team, score in state.scores.items()},
    )
