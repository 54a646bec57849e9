"""The log's hash chain: each event's hash covers the hash before it and the event's
canonical JSON, so changing, dropping or reordering any event breaks every hash after it.

    hash(n) = sha256(hash(n-1) as 64 hex characters || canonical JSON of event n)

with hash(0) = 64 zeros. The canonical JSON (sorted keys, no spaces, UTF-8) is what the
store keeps as the event's body, so a checker recomputes over exactly the stored bytes.
"""

from __future__ import annotations

import hashlib

import orjson

from game.events import Ev

GENESIS = "0" * 64


def canonical(event: Ev) -> bytes:
    return orjson.dumps(event.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)


def link(previous: str, body: bytes) -> str:
    digest = hashlib.sha256(previous.encode("ascii"))
    digest.update(body)
    return digest.hexdigest()
