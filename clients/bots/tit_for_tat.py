"""Tit for tat: concedes as much as the others have conceded, measured in its own utility.

Faratin et al.'s behaviour-dependent tactic (absolute tit for tat), read off the public
record: for each other team that has put texts forward on an item, how much more its latest
text is worth to this bot than its first one. The bot lowers its target from its best by the
mean of those concessions (after a small opening concession, so that two of them can start),
never below its reservation. On burden-sharing packages it concedes linearly.
"""

from __future__ import annotations

from clients.bots import offers
from clients.bots.base import Negotiator
from clients.bots.registry import register
from clients.bots.situation import Situation
from game.scenario.agenda import Item

OPENING = 0.1
"""The first concession, as a share of the way from the bot's best to its reservation."""


@register
class TitForTat(Negotiator):
    name = "tit_for_tat"
    summary = "mirrors the others' concessions, in its own utility"

    def target(self, sit: Situation, item: Item) -> float:
        top = offers.max_utility(sit, item)
        low = sit.reservation(item)
        if top <= low:
            return low
        return max(low, top - OPENING * (top - low) - self.mirrored(sit, item))

    def mirrored(self, sit: Situation, item: Item) -> float:
        conceded = []
        for team in sit.state.scenario.teams:
            if team.id == sit.team:
                continue
            texts = sit.offers_by(item, team.id)
            if not texts:
                continue
            first = sit.utility(item, texts[0][1]) or 0.0
            last = sit.utility(item, texts[-1][1]) or 0.0
            conceded.append(max(0.0, last - first))
        return sum(conceded) / len(conceded) if conceded else 0.0
