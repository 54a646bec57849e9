"""The state hash: two states are the same session at the same point iff their hashes match.

The scenario enters by its own digest (computed once per scenario), so hashing a state costs
what the dynamic part costs.
"""

from __future__ import annotations

import hashlib

import orjson

from game.state import SessionState


def canonical(state: SessionState) -> bytes:
    body = state.model_dump(mode="json", exclude={"scenario"})
    body["scenario"] = state.scenario.digest
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def state_hash(state: SessionState) -> str:
    return hashlib.sha256(canonical(state)).hexdigest()
