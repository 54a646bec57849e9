"""Linear: concedes at a constant rate from its best text to its reservation."""

from __future__ import annotations

from clients.bots.base import TimeDependent
from clients.bots.registry import register


@register
class Linear(TimeDependent):
    name = "linear"
    summary = "time-dependent concession, e = 1: a steady pace"
    e = 1.0
