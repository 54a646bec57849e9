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

No agreement is worth 0: that is the reservation point of every burden-sharing package. The
worth is always reckoned on the whole text: its other clauses (a funding channel) carry
agreement points and objectives too.

A bot cannot know what a package is worth to the others (their costs, agreement values and
objectives are private). It asks each team for its fair share of the gap, leaving out
holdings too small to be worth giving (`worth_asking`: a unit would cost its holder, at a
typical cost weight, more than it adds to everyone's security), and then takes the teams at
their word on the public record: what each offered to give itself in the package it put
forward, what it consented to by its votes, and what it refused (`package`). The terms of a
package (its other clauses) follow those who pay for it (`payers`).
"""

from __future__ import annotations

import math

from clients.bots import offers, record
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


# --- fair shares: whom to ask, and for how much --------------------------------------------


TYPICAL_COST_WEIGHT = 0.2
"""What a bot assumes a resource's cost weight is for a team it cannot see into (cost weights
are private): giving a share of its holdings costs it that share times 0.2 times
`scoring.cost` points. Darfur's teams weigh their resources from 0.15 to 0.5, 0.2 most often."""


def room_value(sit: Situation, item: Item, resource: str) -> float:
    """What one unit of `resource` toward the operation's gap adds to the security of all the
    teams together, in points (public: interests, requirements, the security model)."""
    found = operation(sit, item)
    need = gap(sit, item).get(resource, 0.0)
    if found is None or need <= EPS:
        return 0.0
    region = found[0].region
    everyone = sum(interest_share(t, region) for t in sit.state.scenario.teams)
    rise = security_rise(sit, item, {resource: need})
    return sit.state.scenario.scoring.security * everyone * rise / need


def worth_asking(sit: Situation, item: Item, team: Team, resource: str) -> bool:
    """Whether asking `team` for `resource` is worth it: a unit adds at least as much to
    everyone's security as it would cost a team that holds as little as `team` does, at a
    typical cost weight. Small holdings are left out (they cost their holder more than
    they buy the room)."""
    initial = team.resources.get(resource, 0.0)
    if initial <= 0:
        return False
    unit = sit.state.scenario.scoring.cost * TYPICAL_COST_WEIGHT / initial
    return room_value(sit, item, resource) >= unit - EPS


def fair_shares(sit: Situation, item: Item) -> dict[str, dict[str, float]]:
    """Each team's fair share of the operation's gap: per resource, among the teams worth
    asking for it, in proportion to what each has left times its interest in the region
    (so each pays in proportion to what the operation buys it), within what it has left."""
    cache = sit.__dict__.setdefault("_fair", {})
    if item.id in cache:
        return cache[item.id]
    found = operation(sit, item)
    need = gap(sit, item)
    out: dict[str, dict[str, float]] = {}
    if found is not None:
        region = found[0].region
        for resource in sorted(need):
            if need[resource] <= EPS:
                continue
            weights = {
                t.id: sit.left(t.id, resource) * interest_share(t, region)
                for t in sit.state.scenario.teams
                if worth_asking(sit, item, t, resource)
            }
            mass = sum(weights.values())
            if mass <= 0:
                continue
            for team, w in weights.items():
                share = nice(min(sit.left(team, resource), need[resource] * w / mass))
                if share > 0:
                    out.setdefault(team, {})[resource] = share
    cache[item.id] = out
    return out


def nice(x: float) -> float:
    """Round an amount down to a figure a delegate would write."""
    if x <= 0:
        return 0.0
    return float(math.floor(x)) if x >= 10 else math.floor(x * 10) / 10


def aspiration(sit: Situation, item: Item) -> float:
    """What the bot hopes a package is worth to it: the package in which every team gives
    its fair share (the bot too), on the terms (other clauses) most of those who pay ask for
    (`payers`: a package follows those who pay for it), or on its favourite terms before
    anyone has put a package forward. At least 0."""
    cache = sit.__dict__.setdefault("_aspiration", {})
    if item.id not in cache:
        issue = contribution_issue(item)
        shares = fair_shares(sit, item)
        if issue is None or not shares:
            cache[item.id] = 0.0
        else:
            texts, weights = payers(sit, item)
            terms = offers.compromise(sit, item, texts, weights) if texts else None
            text = {**(terms or offers.ideal(sit, item)), issue: shares}
            cache[item.id] = max(0.0, gain(sit, item, text))
    return cache[item.id]


def payers(sit: Situation, item: Item) -> tuple[list[Clauses], list[float]]:
    """The latest package of each other team that votes on the item, weighted by the share of
    the operation's requirements it offered to cover itself (plus a little, so that a team
    offering nothing still counts): a package follows the terms of those who pay for it."""
    found = operation(sit, item)
    electorate = set(record.voters(sit, item))
    texts: list[Clauses] = []
    weights: list[float] = []
    for team in sit.state.scenario.teams:
        if team.id == sit.team or team.id not in electorate:
            continue
        put = sit.offers_by(item, team.id)
        if not put:
            continue
        text = put[-1][1]
        mine = contributions(item, text).get(team.id, {})
        share = coverage(found[1], mine) if found is not None else 0.0
        texts.append(text)
        weights.append(PAYER_FLOOR + share)
    return texts, weights


PAYER_FLOOR = 0.02


# --- the record: what each team offered, consented to and refused -----------------------------


def self_offers(sit: Situation, item: Item) -> dict[str, dict[str, float]]:
    """What each other team offered to give itself in the latest package it put forward."""
    out = {}
    for team in sit.state.scenario.teams:
        if team.id != sit.team and (texts := sit.offers_by(item, team.id)):
            out[team.id] = contributions(item, texts[-1][1]).get(team.id, {})
    return out


def offered_this_round(sit: Situation, item: Item, team: str) -> bool:
    """Whether `team`'s latest package on `item` was put forward in this round."""
    texts = sit.offers_by(item, team)
    if not texts:
        return False
    last = texts[-1][0]
    s = sit.state
    for p in s.proposals.values():
        if p.item == item.id and any(seq == last for seq, _ in p.versions):
            return p.round == s.round
    return False


def covers(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether `a` is at least `b` in every resource of `b`."""
    return all(a.get(r, 0.0) >= x - EPS for r, x in b.items())


def accepted(sit: Situation, item: Item, terms: Clauses) -> dict[str, dict[str, float]]:
    """The most each team consented to give (per resource) in a package on these `terms`, in
    the latest round in which it voted for one that assigned it something."""
    out: dict[str, dict[str, float]] = {}
    last: dict[str, int] = {}
    same = record.key(item, terms)
    for c in record.casts(sit, item):
        if c.amendment or record.key(item, c.text) != same:
            continue
        for team, asked in contributions(item, c.text).items():
            if c.votes.get(team) != "yes":
                continue
            if last.get(team, 0) < c.round:
                last[team], out[team] = c.round, {}
            for r, a in asked.items():
                out[team][r] = max(out[team].get(r, 0.0), a)
    return out


def refusals(sit: Situation, item: Item, terms: Clauses) -> dict[str, tuple[int, dict]]:
    """What each team refused of packages on these `terms` (their other clauses), from the
    ballots' public record: in how many rounds it voted other than yes on such a package that
    assigned it something and fell, having voted that round for none on the same terms that
    asked it as much; and the least it refused in the latest such round, per resource (its
    limit lies below that)."""
    rounds: dict[str, set[int]] = {}
    least: dict[str, tuple[int, dict[str, float]]] = {}
    same = record.key(item, terms)
    casts = [
        c for c in record.casts(sit, item) if not c.amendment and record.key(item, c.text) == same
    ]
    for c in casts:
        if c.adopted:
            continue
        for team, asked in contributions(item, c.text).items():
            if c.votes.get(team, "yes") == "yes":
                continue
            said_yes = any(
                d.round == c.round
                and d.votes.get(team) == "yes"
                and covers(contributions(item, d.text).get(team, {}), asked)
                for d in casts
            )
            if said_yes:
                continue
            rounds.setdefault(team, set()).add(c.round)
            last, low = least.get(team, (0, {}))
            if c.round > last:
                last, low = c.round, {}
            for r, a in asked.items():
                low[r] = min(low.get(r, math.inf), a)
            least[team] = (last, low)
    return {team: (len(r), least[team][1]) for team, r in rounds.items()}


def affordable(sit: Situation, item: Item, team: Team, asks: dict[str, float]) -> dict[str, float]:
    """`asks` scaled down, if need be, so that they cost `team` (at a typical cost weight) no
    more than the whole gap covered would add to its security: what public information says
    the package is worth to it."""
    k = sit.state.scenario.scoring
    price = sum(
        k.cost * TYPICAL_COST_WEIGHT * a / team.resources[r]
        for r, a in asks.items()
        if team.resources.get(r, 0.0) > 0
    )
    worth = benefit(sit, item, team, gap(sit, item))
    if price <= worth + EPS or price <= 0:
        return asks
    scale = max(0.0, worth) / price
    return {r: a * scale for r, a in asks.items()}


# --- building a package ---------------------------------------------------------------------


def package(
    sit: Situation, item: Item, target: float, *, own: bool = True, terms: Clauses | None = None
) -> Clauses | None:
    """A package toward the operation's gap, or None when there is no gap (or nobody to ask).

    Each other team is asked what it offered to give itself in the package it put forward
    this round, if it did; else the most of: what it offered itself in the latest package it
    put forward, what it consented to give in a package on these terms (other clauses) in
    the latest round it did, and its fair share (`fair_shares`) halved (`ASK_DECAY`) for
    each round in which it refused what a package on these terms asked of it. A team that
    refused is asked less than half the least it refused in the latest such round (its no
    names its limit) and no more than the package's security is worth to it by public
    information (`affordable`); after `GIVE_UP` rounds of refusals, nothing. Nobody else is
    asked to make up for it. The bot takes on as much as keeps the package worth `target`
    to it (`own_share`), up to its fair share or what the others leave of the gap if that
    is more: as its target falls it takes on more. With `own=False` it takes on nothing.
    `terms` are the package's other clauses (they count in what it is worth to the bot)."""
    issue = contribution_issue(item)
    if issue is None or operation(sit, item) is None:
        return None
    if not any(v > EPS for v in gap(sit, item).values()):
        return None
    shares = fair_shares(sit, item)
    refused = refusals(sit, item, terms or {})
    offers_of = self_offers(sit, item)
    consented = accepted(sit, item, terms or {})
    pledges: dict[str, dict[str, float]] = {}
    for t in sit.state.scenario.teams:
        if t.id == sit.team:
            continue
        said = offers_of.get(t.id, {})
        yes = consented.get(t.id, {})
        fair = shares.get(t.id, {})
        count, least = refused.get(t.id, (0, {}))
        decay = ASK_DECAY**count
        if t.id in offers_of and offered_this_round(sit, item, t.id):
            asks = dict(said)
        elif count >= GIVE_UP:
            asks = {}
        else:
            asks = {
                r: max(said.get(r, 0.0), yes.get(r, 0.0), fair.get(r, 0.0) * decay)
                for r in {*said, *yes, *fair}
            }
        if count:
            # Its no names its limit: under half the least it refused, and no more than the
            # package's security is worth to it at a typical cost weight.
            asks = {r: min(a, ASK_DECAY * least.get(r, math.inf)) for r, a in asks.items()}
            asks = affordable(sit, item, t, asks)
        asks = {r: nice(min(a, sit.left(t.id, r))) for r, a in asks.items()}
        asks = {r: a for r, a in asks.items() if a > 0}
        if asks:
            pledges[t.id] = asks
    text: Clauses = {**(terms or {})}
    text.update({i.id: {} for i in item.issues if i.kind == "contributions"})
    text[issue] = pledges
    if own:
        need = gap(sit, item)
        for resource, fair in sorted(shares.get(sit.team, {}).items()):
            rest = need.get(resource, 0.0) - sum(p.get(resource, 0.0) for p in pledges.values())
            cap = nice(min(sit.left(sit.team, resource), max(fair, rest)))
            take = own_share(sit, item, text, issue, resource, cap, target)
            if take > 0:
                pledges.setdefault(sit.team, {})[resource] = take
    if not pledges:
        return None
    return text


ASK_DECAY = 0.5
"""A team's ask is halved for each round in which it refused what packages on the same terms
asked of it, and kept under this share of the least it refused."""


GIVE_UP = 2
"""A team that refused what packages on the same terms asked of it in this many rounds is no
longer asked for anything on those terms (unless it offers something itself)."""


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
