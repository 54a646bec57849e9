"""Free rider: enjoys the security others pay for.

On burden sharing it never takes a contribution on itself: its packages ask only others, it
votes no on any package (or amendment) that assigns it anything, accepts no amendment that
does, and if it did pledge (a seat handed over after a vote, say) it never delivers. On every
other item it negotiates like `linear`.
"""

from __future__ import annotations

from clients.bots.base import TimeDependent
from clients.bots.registry import register


@register
class FreeRider(TimeDependent):
    name = "free_rider"
    summary = "refuses every contribution and never delivers; otherwise linear"
    e = 1.0
    delivers = False
    takes_on_costs = False
