"""Delivering what a team pledged in an adopted burden-sharing package."""

from __future__ import annotations

from game.commands import Deliver
from game.errors import Code, Rejected
from game.events import Delivered
from game.moves.context import Ctx
from game.state import SessionState


def decide_deliver(ctx: Ctx, cmd: Deliver) -> None:
    team = ctx.team()
    ctx.running()
    pledges = [
        p
        for p in ctx.state.pledges
        if p.item == cmd.item and p.team == team and p.resource == cmd.resource
    ]
    if not pledges:
        raise Rejected(Code.UNKNOWN, f"{team} pledged no {cmd.resource} on {cmd.item}")
    owed = sum(p.amount - p.delivered for p in pledges)
    if owed <= 1e-9:
        raise Rejected(Code.CLOSED, f"{team} has delivered all the {cmd.resource} it pledged")
    have = ctx.state.teams[team].resources.get(cmd.resource, 0.0)
    if cmd.amount > owed + 1e-9:
        raise Rejected(Code.CAPACITY, f"{team} owes {owed:g} {cmd.resource}, not {cmd.amount:g}")
    if cmd.amount > have + 1e-9:
        raise Rejected(Code.CAPACITY, f"{team} has {have:g} {cmd.resource} left")
    ctx.emit(Delivered, item=cmd.item, team=team, resource=cmd.resource, amount=cmd.amount)


def evolve_delivered(state: SessionState, ev: Delivered) -> None:
    left = ev.amount
    for pledge in state.pledges:
        if pledge.item == ev.item and pledge.team == ev.team and pledge.resource == ev.resource:
            part = min(left, pledge.amount - pledge.delivered)
            pledge.delivered += part
            left -= part
    resources = state.teams[ev.team].resources
    resources[ev.resource] = max(0.0, resources.get(ev.resource, 0.0) - ev.amount)


DECIDERS = {"deliver": decide_deliver}
EVOLVERS = {"delivered": evolve_delivered}
