"""Boulware: holds out for nearly its best text and concedes only near the deadline."""

from __future__ import annotations

from clients.bots.base import TimeDependent
from clients.bots.registry import register


@register
class Boulware(TimeDependent):
    name = "boulware"
    summary = "time-dependent concession, e = 0.2: firm until the end"
    e = 0.2
