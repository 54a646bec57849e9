"""The cyclic garbage collector's policy for the server process.

A live server holds many long-lived objects (every session's state, its scenario, the
connections). CPython's full collection walks all of them: on the benchmark's 100 sessions it
stopped the event loop for 30-400 ms every few seconds, which was the whole p99. So:

- after each full collection, what survived is alive, and is frozen (`gc.freeze()`): later
  full collections walk only what was allocated since, and take a few milliseconds;
- frozen objects that die are still freed by reference counting; only a frozen object that
  later becomes part of a garbage *cycle* would stay, so every `thaw_s` seconds everything is
  thawed and the next full collection walks (and frees) the whole heap once;
- young collections run less often (`gen0` allocations instead of 700).
"""

from __future__ import annotations

import gc
import time

_state = {"installed": False, "thawed": 0.0}


def install(gen0: int = 20_000, thaw_s: float = 600.0) -> None:
    if _state["installed"]:
        return
    _state["installed"] = True
    _state["thawed"] = time.monotonic()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0, gen1, gen2)

    def after_full_collection(phase: str, info: dict) -> None:
        if phase != "stop" or info.get("generation") != 2:
            return
        now = time.monotonic()
        if now - _state["thawed"] > thaw_s:
            _state["thawed"] = now
            gc.unfreeze()
        else:
            gc.freeze()

    gc.callbacks.append(after_full_collection)
