"""Which agenda items are in play: every item not hidden, and hidden ones once an inject has
put them on the agenda (or a text on them exists). An item never put on the agenda counts
for nothing: not in the score, not in what a viewer may know of."""

from __future__ import annotations

from game.state import SessionState


def items_in_play(state: SessionState) -> set[str]:
    mentioned = {p.item for p in state.proposals.values()}
    return {
        i.id
        for i in state.scenario.agenda
        if not i.hidden or i.id in state.agenda or i.id in mentioned
    }
