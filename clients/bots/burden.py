"""Burden sharing as a bot reckons it: what a package is worth to its team, in score points,
and how to build a package.

A package's worth to a team is the security it buys the team minus what it costs the team,
both in the points of GAME.md section 6:

- benefit: the package raises the operation's coverage; the security model turns coverage
  into security each round (`game.world`, on the public state), for the rounds left; the team
  gains `scoring.security × its interest share in the region × that rise`;
- cost: `scoring.cost × Σ cost_weight × amount / initial resources` for what it is assigned;
- plus, if the item also has issues the team weighs, their utility above its reservation,
  in agreement points;
- plus the team's private objectives that adopting this very text would meet (the item
  adopted, an option of it chosen, the region's final security reaching a level), in
  objective points.

No agreement is worth 0: that is the reservation point of every burden-sharing package. A bot
cannot know what a package is worth to the others (their costs, agreement values and
objectives are private), so it asks them for fair shares and learns from their refusals on
the public record of the ballots.
"""

from __future__ import annotations

import math

from clients.bots import offers
from clients.bots.situation import EPS, Situation
from game.clauses import contributions
from game.commands import Clauses
from game.scenario.agenda import Item, Operation
from game.scenario.conditions import (
    AllOf,
    AnyOf,
    Condition,
    ItemAdopted,
    OptionAdopted,
    SecurityAtLeast,
)
from game.scenario.teams import Team
from game.state import OperationState
from game.world import clamp, efficiency, legitimacy, operation_effect, synergy


def operation(sit: Situation, item: Item) -> tuple[OperationState, Operation] | None:
    if item.operation is None:
        return None
    op = sit.state.operations.get(item.operation)
    spec = sit.state.scenario.operation(item.operation)
    if op is None or spec is None:
        return None
    return op, spec


def contribution_issue(item: Item) -> str | None:
    return next((i.id for i in item.issues if i.kind == "contributions"), None)


def on_the_ground(sit: Situation, op: OperationState) -> dict[str, float]:
    """Deployed, plus every pledge to the operation as it will stand if kept."""
    have = dict(op.deployed)
    for pledge in sit.state.pledges:
        item = sit.state.scenario.item(pledge.item)
        if item is None or item.operation != op.id:
            continue
        amount = pledge.delivered if pledge.broken else pledge.amount
        have[pledge.resource] = have.get(pledge.resource, 0.0) + amount
    return have


def coverage(spec: Operation, have: dict[str, float]) -> float:
    total = covered = 0.0
    for resource, need in spec.requirements.items():
        w = spec.requirement_weights.get(resource, 1.0)
        total += w
        covered += w * (1.0 if need <= 0 else min(1.0, have.get(resource, 0.0) / need))
    return covered / total if total else 0.0


def gap(sit: Situation, item: Item) -> dict[str, float]:
    """What the operation still lacks, per required resource."""
    found = operation(sit, item)
    if found is None:
        return {}
    op, spec = found
    have = on_the_ground(sit, op)
    return {r: max(0.0, need - have.get(r, 0.0)) for r, need in spec.requirements.items()}


def rounds_left(sit: Situation) -> int:
    s = sit.state
    left = s.scenario.rounds.count - s.round
    return left + (1 if s.resolved_round < s.round else 0)


def security_rise(sit: Situation, item: Item, extra: dict[str, float]) -> float:
    """How much `extra` on the ground would raise the region's final security."""
    found = operation(sit, item)
    if found is None:
        return 0.0
    op, spec = found
    have = on_the_ground(sit, op)
    after = {r: have.get(r, 0.0) + extra.get(r, 0.0) for r in set(have) | set(extra)}
    delta = coverage(spec, after) - coverage(spec, have)
    if delta <= 0:
        return 0.0
    k = sit.state.scenario.security
    per_round = (
        k.operation_gain
        * delta
        * legitimacy(sit.state, op)
        * efficiency(sit.state, op)
        * op.mandate_strength
        * synergy(sit.state, op)
    )
    return min(1.0, per_round * rounds_left(sit))


def interest_share(team: Team, region: str) -> float:
    total = sum(team.interests.values())
    return team.interests.get(region, 0.0) / total if total > 0 else 0.0


def benefit(sit: Situation, item: Item, team: Team, extra: dict[str, float]) -> float:
    found = operation(sit, item)
    if found is None:
        return 0.0
    share = interest_share(team, found[0].region)
    return sit.state.scenario.scoring.security * share * security_rise(sit, item, extra)


def unit_cost(sit: Situation, resource: str) -> float:
    """Points one unit of `resource` costs the bot's team (its own cost weights)."""
    initial = sit.me.resources.get(resource, 0.0)
    if initial <= 0:
        return math.inf
    return sit.state.scenario.scoring.cost * sit.me.cost_weights.get(resource, 0.0) / initial


def cost(sit: Situation, assigned: dict[str, float]) -> float:
    return sum(a * unit_cost(sit, r) for r, a in assigned.items() if a > 0)


def total(item: Item, clauses: Clauses) -> dict[str, float]:
    out: dict[str, float] = {}
    for pledges in contributions(item, clauses).values():
        for r, a in pledges.items():
            out[r] = out.get(r, 0.0) + a
    return out


def agreement_points(sit: Situation, item: Item, clauses: Clauses) -> float:
    """Points from the package's other issues, if the team weighs any."""
    u = sit.utility(item, clauses)
    if u is None:
        return 0.0
    prio = sit.me.priorities
    weighted = [i for i in sit.me.weights if sit.state.scenario.item(i) is not None]
    share = prio.get(item.id, 1.0) / (sum(prio.get(i, 1.0) for i in weighted) or 1.0)
    return sit.state.scenario.scoring.agreements * share * (u - sit.reservation(item))


def final_security(sit: Situation, region: str, rise: float) -> float:
    """The region's security at the end, on current trends (its operations' effect now,
    minus the threat, for the rounds left), plus `rise`."""
    state = sit.state
    here = state.regions.get(region)
    if here is None:
        return 0.0
    effect = sum(
        operation_effect(state, op) for op in state.operations.values() if op.region == region
    )
    return clamp(here.security + rounds_left(sit) * (effect - here.threat) + rise)


def met_by(condition: Condition, sit: Situation, item: Item, clauses: Clauses | None) -> bool:
    """Whether adopting `clauses` on `item` now would make `condition` hold where it would
    not otherwise (`clauses=None`: the best text for it, the whole gap covered). Counted:
    the item adopted, an option of it chosen, the operation's region made secure enough."""
    match condition:
        case ItemAdopted():
            late = condition.by_round is not None and sit.state.round > condition.by_round
            return condition.item == item.id and not late
        case OptionAdopted():
            if condition.item != item.id:
                return False
            return clauses is None or clauses.get(condition.issue) == condition.option
        case SecurityAtLeast():
            found = operation(sit, item)
            if found is None or found[0].region != condition.region:
                return False
            extra = gap(sit, item) if clauses is None else total(item, clauses)
            rise = security_rise(sit, item, extra)
            before = final_security(sit, condition.region, 0.0)
            return before < condition.level <= final_security(sit, condition.region, rise)
        case AllOf():
            return all(met_by(c, sit, item, clauses) for c in condition.all)
        case AnyOf():
            return any(met_by(c, sit, item, clauses) for c in condition.any)
    return False


def objective_points(sit: Situation, item: Item, clauses: Clauses | None) -> float:
    objectives = sit.me.objectives
    points = sum(o.points for o in objectives)
    if points <= 0:
        return 0.0
    met = sum(o.points for o in objectives if met_by(o.condition, sit, item, clauses))
    return sit.state.scenario.scoring.objectives * met / points


def gain(sit: Situation, item: Item, clauses: Clauses) -> float:
    """What adopting the package is worth to the bot's team over no agreement, in points."""
    return (
        benefit(sit, item, sit.me, total(item, clauses))
        - cost(sit, sit.assigned(item, clauses))
        + agreement_points(sit, item, clauses)
        + objective_points(sit, item, clauses)
    )


def best_gain(sit: Situation, item: Item) -> float:
    """What the package the bot would like best is worth to it: the whole gap covered by
    others, its favourite options, its objectives met."""
    top = offers.ideal(sit, item)
    return max(
        0.0,
        benefit(sit, item, sit.me, gap(sit, item))
        + agreement_points(sit, item, top)
        + objective_points(sit, item, None),
    )


def nice(x: float) -> float:
    """Round an amount down to a figure a delegate would write."""
    if x <= 0:
        return 0.0
    return float(math.floor(x)) if x >= 10 else math.floor(x * 10) / 10


def refusals(sit: Situation, item: Item) -> dict[str, int]:
    """In how many rounds each team refused a package on `item` (voted other than yes on a
    package that assigned it something, and the package fell), from the ballots' public
    record."""
    rounds: dict[str, set[int]] = {}
    for ballot in sit.state.ballots.values():
        if ballot.item != item.id or ballot.status != "closed" or ballot.adopted:
            continue
        try:
            text = sit.ballot_text(ballot.subject)
        except KeyError:
            continue
        for team in contributions(item, text):
            if team in ballot.votes and ballot.votes[team] != "yes":
                rounds.setdefault(team, set()).add(ballot.round)
    return {team: len(r) for team, r in rounds.items()}


def self_offers(sit: Situation, item: Item) -> dict[str, dict[str, float]]:
    """What each other team offered to give itself in the latest package it put forward."""
    out = {}
    for team in sit.state.scenario.teams:
        if team.id != sit.team and (texts := sit.offers_by(item, team.id)):
            out[team.id] = contributions(item, texts[-1][1]).get(team.id, {})
    return out


def package(sit: Situation, item: Item, target: float, *, own: bool = True) -> Clauses | None:
    """A package that covers the operation's gap with fair shares, or None when there is no
    gap (or nobody to ask).

    A team that offered to give some of a resource in the latest package it put forward is
    taken at its word: it is asked that. Otherwise it is asked its fair share, in proportion to
    what it has left of the resource times its interest in the region, halved (`ASK_DECAY`)
    for each round in which it refused a package on the item (nobody else is asked to make up
    for it);
    the bot counts itself in, and takes on as much of its own share as keeps the package
    worth `target` to it (`own_share`): as its target falls it takes on more. With
    `own=False` it takes on nothing."""
    issue = contribution_issue(item)
    found = operation(sit, item)
    need = gap(sit, item)
    if issue is None or found is None or not any(v > EPS for v in need.values()):
        return None
    region = found[0].region
    refused = refusals(sit, item)
    offers_of = self_offers(sit, item)
    pledges: dict[str, dict[str, float]] = {}
    shares: dict[str, float] = {}
    for resource in sorted(need):
        weights = {
            t.id: sit.left(t.id, resource) * interest_share(t, region)
            for t in sit.state.scenario.teams
        }
        mass = sum(weights.values())
        if mass <= 0:
            continue
        for team, w in weights.items():
            share = need[resource] * w / mass * ASK_DECAY ** refused.get(team, 0)
            offered = offers_of.get(team, {}).get(resource, 0.0)
            ask = nice(min(sit.left(team, resource), offered if offered > 0 else share))
            if ask <= 0:
                continue
            if team == sit.team:
                shares[resource] = ask
            else:
                pledges.setdefault(team, {})[resource] = ask
    text: Clauses = {i.id: {} for i in item.issues if i.kind == "contributions"}
    text[issue] = pledges
    if own:
        for resource, cap in sorted(shares.items()):
            take = own_share(sit, item, text, issue, resource, cap, target)
            if take > 0:
                pledges.setdefault(sit.team, {})[resource] = take
    if not pledges:
        return None
    return text


ASK_DECAY = 0.5


OWN_STEPS = 20


def own_share(
    sit: Situation, item: Item, text: Clauses, issue: str, resource: str, cap: float, target: float
) -> float:
    """How much of `resource` the bot takes on in the package `text`: the most (of `cap`, in
    twentieths) that keeps the package's gain to it at `target` or above; if none does, the
    amount that serves it best."""
    pledges = text[issue]
    assert isinstance(pledges, dict)
    best, best_gain, chosen = 0.0, -math.inf, None
    for k in range(OWN_STEPS + 1):
        amount = nice(cap * k / OWN_STEPS)
        trial = {**pledges, sit.team: {**pledges.get(sit.team, {}), resource: amount}}
        g = gain(sit, item, {**text, issue: trial})
        if g >= target - EPS:
            chosen = amount
        if g > best_gain + EPS:
            best, best_gain = amount, g
    return chosen if chosen is not None else best


def mean_package(sit: Situation, item: Item, texts: list[Clauses]) -> Clauses | None:
    """Every team's contribution averaged over `texts` (a chair's compromise), within what
    each team has left."""
    issue = contribution_issue(item)
    if issue is None or not texts:
        return None
    sums: dict[str, dict[str, float]] = {}
    for text in texts:
        for team, pledges in contributions(item, text).items():
            for r, a in pledges.items():
                sums.setdefault(team, {})[r] = sums.get(team, {}).get(r, 0.0) + a
    pledges: dict[str, dict[str, float]] = {}
    for team, per in sums.items():
        for r, a in per.items():
            amount = nice(min(a / len(texts), sit.left(team, r)))
            if amount > 0:
                pledges.setdefault(team, {})[r] = amount
    if not pledges:
        return None
    out: Clauses = {i.id: {} for i in item.issues if i.kind == "contributions"}
    out[issue] = pledges
    return out
