"""Rebuilding a live session from the store: newest snapshot, then the events after it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from game import engine
from game.events import EVENT_ADAPTER
from game.protocol import SERVER_ADAPTER
from game.state import SessionState
from server.service.work import Reply
from server.store.store import Loaded


@dataclass
class Restored:
    state: SessionState
    head_hash: str
    snapshot_seq: int
    replies: dict[tuple[str, str], Reply]
    recent: deque[tuple[int, str]]


def restore(loaded: Loaded, keep: int) -> Restored:
    state = (
        SessionState.model_validate_json(loaded.snapshot_state)
        if loaded.snapshot_state is not None
        else None
    )
    events = [EVENT_ADAPTER.validate_json(e.body) for e in loaded.events]
    state = engine.fold(events, state)
    replies = {
        (actor, cid): SERVER_ADAPTER.validate_json(text) for actor, cid, text in loaded.replies
    }
    recent: deque[tuple[int, str]] = deque(((e.seq, e.body) for e in loaded.events), maxlen=keep)
    return Restored(state, loaded.head_hash, loaded.snapshot_seq, replies, recent)  # type: ignore[arg-type]
