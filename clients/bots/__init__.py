"""Bots that negotiate: one module per strategy, registered by name.

    from clients.bots import make, names
    bot = make("boulware")
    command = bot.decide(view, rng)   # view: game.views.View of the bot's own seat

See docs/bots.md.
"""

from __future__ import annotations

from clients.bots import boulware, chair, conceder, free_rider, linear, tit_for_tat
from clients.bots.base import Bot, Negotiator, TimeDependent
from clients.bots.registry import STRATEGIES, make, names, register

__all__ = [
    "STRATEGIES",
    "Bot",
    "Negotiator",
    "TimeDependent",
    "boulware",
    "chair",
    "conceder",
    "free_rider",
    "linear",
    "make",
    "names",
    "register",
    "tit_for_tat",
]
