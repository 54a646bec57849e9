"""Conceder: gives most of its ground early, then holds near its reservation."""

from __future__ import annotations

from clients.bots.base import TimeDependent
from clients.bots.registry import register


@register
class Conceder(TimeDependent):
    name = "conceder"
    summary = "time-dependent concession, e = 3: quick to give ground"
    e = 3.0
