"""The security model (GAME.md section 5): what a round's resolution does to the world.

Called from `evolve` when a `round_resolved` event folds, so the numbers are derived from the
log rather than carried in it.
"""

from __future__ import annotations

from game.clauses import contributions
from game.scenario.agenda import Item
from game.state import OperationState, SessionState

ORGANISATIONS = ("regional_org", "subregional_org")


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def resolve_round(state: SessionState) -> None:
    """Advance the world one round: pledges fall due, operations act, threat bites,
    institutionalisation grows. Mutates `state`."""
    _fall_due(state)
    effects = {rid: 0.0 for rid in state.regions}
    for op in state.operations.values():
        effects[op.region] = effects.get(op.region, 0.0) + operation_effect(state, op)
    for rid, region in state.regions.items():
        region.security = clamp(region.security + effects.get(rid, 0.0) - region.threat)
        region.history.append(region.security)
    _grow_institutions(state)
    _expire_mandates(state)


def _fall_due(state: SessionState) -> None:
    penalty = state.scenario.security.standing_penalty
    for pledge in state.pledges:
        if pledge.due_round != state.round or pledge.amount <= 0:
            continue
        shortfall = max(0.0, pledge.amount - pledge.delivered) / pledge.amount
        if shortfall > 1e-9:
            pledge.broken = True
            team = state.teams[pledge.team]
            team.standing = clamp(team.standing - penalty * shortfall)


def coverage(state: SessionState, op: OperationState) -> float:
    """Share of the operation's requirements on the ground: deployed plus delivered pledges,
    each resource capped at its requirement, weighted."""
    spec = state.scenario.operation(op.id)
    assert spec is not None
    have = dict(op.deployed)
    for pledge in state.pledges:
        item = state.scenario.item(pledge.item)
        if item is not None and item.operation == op.id:
            have[pledge.resource] = have.get(pledge.resource, 0.0) + pledge.delivered
    total_w = 0.0
    covered = 0.0
    for resource, need in spec.requirements.items():
        w = spec.requirement_weights.get(resource, 1.0)
        total_w += w
        covered += w * (1.0 if need <= 0 else min(1.0, have.get(resource, 0.0) / need))
    return covered / total_w if total_w else 0.0


def operation_effect(state: SessionState, op: OperationState) -> float:
    """coverage × legitimacy × efficiency × mandate × synergy × the scenario's gain."""
    cov = coverage(state, op)
    if cov <= 0:
        return 0.0
    k = state.scenario.security
    return (
        k.operation_gain
        * cov
        * legitimacy(state, op)
        * efficiency(state, op)
        * (op.mandate_strength)
        * synergy(state, op)
    )


def legitimacy(state: SessionState, op: OperationState) -> float:
    k = state.scenario.security
    base = k.legitimacy_authorised if op.authorised else k.legitimacy_unauthorised
    lead = state.scenario.team(op.lead)
    partiality = lead.partiality if lead else 0.0
    standing = state.teams[op.lead].standing if op.lead in state.teams else 1.0
    return base * (1.0 - k.partiality_penalty * partiality) * standing


def efficiency(state: SessionState, op: OperationState) -> float:
    k = state.scenario.security
    spec = state.scenario.operation(op.id)
    assert spec is not None
    if op.lead_kind == "un":
        base = k.efficiency_un
    else:
        base = k.efficiency_joint if op.lead_kind == "joint" else k.efficiency_regional
        inst = state.teams[op.lead].institutionalisation if op.lead in state.teams else 0.5
        iw = k.institutionalisation_weight
        base *= 1.0 - iw + iw * inst
    responded = op.responded_round if op.responded_round is not None else state.round
    late = max(0, responded - spec.needed_from_round)
    return base * (1.0 - k.delay_penalty) ** late


def synergy(state: SessionState, op: OperationState) -> float:
    """1 + mou_synergy × the strength of an adopted MOU between the UN and the lead."""
    strength = 0.0
    for item_id, pid in state.adopted.items():
        item = state.scenario.item(item_id)
        if item is None or item.kind != "mou" or item.partner != op.lead:
            continue
        strength = max(strength, mou_strength(item, state.proposals[pid].clauses))
    return 1.0 + state.scenario.security.mou_synergy * strength


def mou_strength(item: Item, clauses: dict) -> float:
    values = []
    for issue in item.issues:
        if issue.role not in ("consultation", "information"):
            continue
        value = clauses.get(issue.id)
        option = issue.option(value) if isinstance(value, str) else None
        if option is not None and option.strength is not None:
            values.append(option.strength)
    return sum(values) / len(values) if values else 0.0


def _grow_institutions(state: SessionState) -> None:
    k = state.scenario.security
    growth: dict[str, float] = {}
    for item_id, pid in state.adopted.items():
        item = state.scenario.item(item_id)
        if item is None:
            continue
        clauses = state.proposals[pid].clauses
        if item.kind == "mou" and item.partner:
            growth[item.partner] = growth.get(item.partner, 0.0) + k.growth_mou
        if item.kind == "committee":
            for issue in item.issues:
                if issue.kind == "members" and issue.role == "members":
                    for member in clauses.get(issue.id) or []:
                        growth[member] = growth.get(member, 0.0) + k.growth_committee
    by_region: dict[str, float] = {}
    for team in state.scenario.teams:
        if team.kind in ORGANISATIONS and team.region and team.id in growth:
            by_region[team.region] = by_region.get(team.region, 0.0) + growth[team.id]
    for team in state.scenario.teams:
        if team.kind not in ORGANISATIONS:
            continue
        own = growth.get(team.id, 0.0)
        domino = k.domino * by_region.get(team.region or "", 0.0) if own == 0 else 0.0
        ts = state.teams[team.id]
        ts.institutionalisation = clamp(ts.institutionalisation + own + domino)


def _expire_mandates(state: SessionState) -> None:
    for op in state.operations.values():
        if op.authorised and op.authorised_until is not None and state.round >= op.authorised_until:
            op.authorised = False


def take_effect(state: SessionState, item: Item, clauses: dict) -> None:
    """An adopted text's immediate effects: an authorisation sets its operation's mandate and
    lead; a burden-sharing package turns into pledges. Both count as the response."""
    if item.operation is None or item.operation not in state.operations:
        return
    op = state.operations[item.operation]
    if op.responded_round is None:
        op.responded_round = state.round
    if item.kind == "authorisation":
        _authorise(state, item, clauses, op)
    elif item.kind == "burden_sharing":
        from game.state import Pledge

        for team, pledges in contributions(item, clauses).items():
            for resource, amount in pledges.items():
                state.pledges.append(
                    Pledge(
                        item=item.id,
                        team=team,
                        resource=resource,
                        amount=amount,
                        due_round=state.round + item.delivery_rounds,
                    )
                )


def _authorise(state: SessionState, item: Item, clauses: dict, op: OperationState) -> None:
    op.authorised = True
    for issue in item.issues:
        value = clauses.get(issue.id)
        if issue.role == "mandate" and isinstance(value, str):
            option = issue.option(value)
            if option is not None and option.strength is not None:
                op.mandate_strength = option.strength
        elif issue.role == "lead" and isinstance(value, str):
            option = issue.option(value)
            if option is not None and option.lead_kind is not None:
                op.lead_kind = option.lead_kind
                if option.team:
                    op.lead = option.team
        elif issue.role == "duration" and isinstance(value, int | float):
            op.authorised_until = state.round + int(value)
