"""Texts: private drafts, tabled proposals, clause-level amendments, co-sponsors, withdrawal."""

from __future__ import annotations

from game.clauses import check_clauses, contributions, merge
from game.commands import (
    AcceptAmendment,
    Amend,
    Clauses,
    Cosponsor,
    DiscardDraft,
    SaveDraft,
    Table,
    Withdraw,
)
from game.errors import Code, Rejected
from game.events import (
    AmendmentAccepted,
    AmendmentTabled,
    Cosponsored,
    DraftDiscarded,
    DraftSaved,
    Lapsed,
    ProposalTabled,
    Withdrawn,
)
from game.moves.context import Ctx, bump, next_number
from game.moves.floor import end_turn
from game.scenario.agenda import Item
from game.state import Amendment, Draft, Proposal, SessionState


def open_item(ctx: Ctx, item_id: str) -> Item:
    """An item on the agenda with no adopted text yet."""
    item = ctx.state.scenario.item(item_id)
    if item is None or item_id not in ctx.state.agenda:
        raise Rejected(Code.UNKNOWN, f"'{item_id}' is not on the agenda")
    if item_id in ctx.state.adopted:
        raise Rejected(Code.CLOSED, f"a text on {item_id} has already been adopted")
    return item


def available(state: SessionState, team: str, resource: str) -> float:
    """What a team has left of a resource once its outstanding pledges are set aside."""
    have = state.teams[team].resources.get(resource, 0.0)
    owed = sum(
        p.amount - p.delivered
        for p in state.pledges
        if p.team == team and p.resource == resource and not p.broken
    )
    return have - owed


def check_capacity(state: SessionState, item: Item, clauses: Clauses) -> None:
    for team, pledges in contributions(item, clauses).items():
        for resource, amount in pledges.items():
            left = available(state, team, resource)
            if amount > left + 1e-9:
                raise Rejected(
                    Code.CAPACITY, f"{team} has {left:g} {resource} left, not {amount:g}"
                )


def check_text(ctx: Ctx, item: Item, clauses: Clauses, *, complete: bool) -> None:
    problems = check_clauses(ctx.state.scenario, item, clauses, complete=complete)
    if problems:
        raise Rejected(Code.INVALID_TEXT, "; ".join(problems))
    check_capacity(ctx.state, item, clauses)


def own_draft(ctx: Ctx, team: str, draft_id: str) -> Draft:
    draft = ctx.state.drafts.get(draft_id)
    if draft is None or draft.team != team:
        raise Rejected(Code.UNKNOWN, f"you have no draft '{draft_id}'")
    return draft


def tabled(ctx: Ctx, proposal_id: str) -> Proposal:
    proposal = ctx.state.proposals.get(proposal_id)
    if proposal is None:
        raise Rejected(Code.UNKNOWN, f"there is no proposal '{proposal_id}'")
    if proposal.status != "tabled":
        raise Rejected(Code.CLOSED, f"proposal {proposal_id} is {proposal.status}")
    return proposal


# --- drafts ---------------------------------------------------------------------------------


def decide_save_draft(ctx: Ctx, cmd: SaveDraft) -> None:
    team = ctx.team()
    ctx.running()
    item = open_item(ctx, cmd.item)
    problems = check_clauses(ctx.state.scenario, item, cmd.clauses, complete=False)
    if problems:
        raise Rejected(Code.INVALID_TEXT, "; ".join(problems))
    if cmd.draft is not None:
        draft_id = own_draft(ctx, team, cmd.draft).id
    else:
        draft_id = f"{team}-d{next_number(ctx.state, f'd:{team}')}"
    ctx.emit(
        DraftSaved, draft=draft_id, team=team, item=item.id, title=cmd.title, clauses=cmd.clauses
    )


def decide_discard_draft(ctx: Ctx, cmd: DiscardDraft) -> None:
    team = ctx.team()
    draft = own_draft(ctx, team, cmd.draft)
    ctx.emit(DraftDiscarded, draft=draft.id, team=team)


def evolve_draft_saved(state: SessionState, ev: DraftSaved) -> None:
    if ev.draft not in state.drafts:
        bump(state, f"d:{ev.team}")
    state.drafts[ev.draft] = Draft(
        id=ev.draft, team=ev.team, item=ev.item, title=ev.title, clauses=dict(ev.clauses)
    )


def evolve_draft_discarded(state: SessionState, ev: DraftDiscarded) -> None:
    state.drafts.pop(ev.draft, None)


# --- tabling and amending -------------------------------------------------------------------


def decide_table(ctx: Ctx, cmd: Table) -> None:
    team = ctx.on_the_floor()
    if cmd.draft is not None:
        draft = own_draft(ctx, team, cmd.draft)
        item_id, clauses, title = draft.item, draft.clauses, cmd.title or draft.title
    elif cmd.item is not None and cmd.clauses is not None:
        item_id, clauses, title = cmd.item, cmd.clauses, cmd.title
    else:
        raise Rejected(Code.BAD_COMMAND, "table a draft, or an item with its clauses")
    item = open_item(ctx, item_id)
    check_text(ctx, item, clauses, complete=True)
    number = next_number(ctx.state, "p")
    ctx.emit(
        ProposalTabled,
        proposal=f"p{number}",
        item=item.id,
        sponsor=team,
        title=title or f"{item.title} ({team})",
        clauses=clauses,
    )


def decide_amend(ctx: Ctx, cmd: Amend) -> None:
    team = ctx.on_the_floor()
    proposal = tabled(ctx, cmd.proposal)
    item = open_item(ctx, proposal.item)
    check_text(ctx, item, merge(proposal.clauses, cmd.clauses), complete=True)
    problems = check_clauses(ctx.state.scenario, item, cmd.clauses, complete=False)
    if problems:
        raise Rejected(Code.INVALID_TEXT, "; ".join(problems))
    if all(proposal.clauses.get(k) == v for k, v in cmd.clauses.items()):
        raise Rejected(Code.INVALID_TEXT, "the amendment changes nothing")
    amendment = f"a{next_number(ctx.state, 'a')}"
    ctx.emit(
        AmendmentTabled,
        amendment=amendment,
        proposal=proposal.id,
        team=team,
        clauses=cmd.clauses,
        note=cmd.note,
    )
    if team == proposal.sponsor:
        # A sponsor's own amendment is a revision of its text: it is merged at once.
        ctx.emit(AmendmentAccepted, amendment=amendment, proposal=proposal.id)


def decide_accept_amendment(ctx: Ctx, cmd: AcceptAmendment) -> None:
    team = ctx.team()
    ctx.running()
    ctx.in_phase("consultations", "formal")
    amendment = ctx.state.amendments.get(cmd.amendment)
    if amendment is None:
        raise Rejected(Code.UNKNOWN, f"there is no amendment '{cmd.amendment}'")
    proposal = tabled(ctx, amendment.proposal)
    if proposal.sponsor != team:
        raise Rejected(Code.NOT_ALLOWED, f"only {proposal.sponsor}, the sponsor, may accept it")
    if amendment.status != "pending":
        raise Rejected(Code.CLOSED, f"amendment {amendment.id} is {amendment.status}")
    item = open_item(ctx, proposal.item)
    check_capacity(ctx.state, item, merge(proposal.clauses, amendment.clauses))
    ctx.emit(AmendmentAccepted, amendment=amendment.id, proposal=proposal.id)


def decide_cosponsor(ctx: Ctx, cmd: Cosponsor) -> None:
    team = ctx.on_the_floor()
    proposal = tabled(ctx, cmd.proposal)
    if team == proposal.sponsor or team in proposal.cosponsors:
        raise Rejected(Code.DUPLICATE, f"{team} already sponsors {proposal.id}")
    ctx.emit(Cosponsored, proposal=proposal.id, team=team)


def decide_withdraw(ctx: Ctx, cmd: Withdraw) -> None:
    team = ctx.on_the_floor()
    target = ctx.state.proposals.get(cmd.target) or ctx.state.amendments.get(cmd.target)
    if target is None:
        raise Rejected(Code.UNKNOWN, f"there is no proposal or amendment '{cmd.target}'")
    owner = target.sponsor if isinstance(target, Proposal) else target.team
    if owner != team:
        raise Rejected(Code.NOT_ALLOWED, f"{cmd.target} is {owner}'s to withdraw")
    if target.status not in ("tabled", "pending"):
        raise Rejected(Code.CLOSED, f"{cmd.target} is {target.status}")
    ctx.emit(Withdrawn, target=cmd.target, team=team)


def evolve_proposal_tabled(state: SessionState, ev: ProposalTabled) -> None:
    bump(state, "p")
    state.proposals[ev.proposal] = Proposal(
        id=ev.proposal,
        item=ev.item,
        sponsor=ev.sponsor,
        title=ev.title,
        clauses=dict(ev.clauses),
        round=state.round,
        seq=ev.seq,
        versions=[(ev.seq, dict(ev.clauses))],
    )
    end_turn(state, passed=False)


def evolve_amendment_tabled(state: SessionState, ev: AmendmentTabled) -> None:
    bump(state, "a")
    state.amendments[ev.amendment] = Amendment(
        id=ev.amendment,
        proposal=ev.proposal,
        team=ev.team,
        clauses=dict(ev.clauses),
        note=ev.note,
        seq=ev.seq,
    )
    end_turn(state, passed=False)


def apply_amendment(state: SessionState, amendment_id: str, seq: int, status: str) -> None:
    amendment = state.amendments[amendment_id]
    amendment.status = status  # type: ignore[assignment]
    proposal = state.proposals[amendment.proposal]
    proposal.clauses = merge(proposal.clauses, amendment.clauses)
    proposal.versions.append((seq, dict(proposal.clauses)))


def evolve_amendment_accepted(state: SessionState, ev: AmendmentAccepted) -> None:
    apply_amendment(state, ev.amendment, ev.seq, "accepted")


def evolve_cosponsored(state: SessionState, ev: Cosponsored) -> None:
    state.proposals[ev.proposal].cosponsors.append(ev.team)
    end_turn(state, passed=False)


def evolve_withdrawn(state: SessionState, ev: Withdrawn) -> None:
    if ev.target in state.proposals:
        state.proposals[ev.target].status = "withdrawn"
    else:
        state.amendments[ev.target].status = "withdrawn"
    end_turn(state, passed=False)


def evolve_lapsed(state: SessionState, ev: Lapsed) -> None:
    if ev.target in state.proposals:
        state.proposals[ev.target].status = "lapsed"
    else:
        state.amendments[ev.target].status = "lapsed"


def next_lapse(state: SessionState) -> tuple[str, str] | None:
    """The next text that must lapse, and why: competing proposals once one is adopted, the
    proposals of a closed item, pending amendments of a proposal that is no longer tabled."""
    for proposal in state.proposals.values():
        if proposal.status != "tabled":
            continue
        if proposal.item in state.adopted:
            return proposal.id, f"{state.adopted[proposal.item]} was adopted on {proposal.item}"
        if proposal.item not in state.agenda:
            return proposal.id, f"{proposal.item} was taken off the agenda"
    for amendment in state.amendments.values():
        if amendment.status == "pending":
            status = state.proposals[amendment.proposal].status
            if status != "tabled":
                return amendment.id, f"its proposal {amendment.proposal} was {status}"
    return None


DECIDERS = {
    "save_draft": decide_save_draft,
    "discard_draft": decide_discard_draft,
    "table": decide_table,
    "amend": decide_amend,
    "accept_amendment": decide_accept_amendment,
    "cosponsor": decide_cosponsor,
    "withdraw": decide_withdraw,
}
EVOLVERS = {
    "draft_saved": evolve_draft_saved,
    "draft_discarded": evolve_draft_discarded,
    "proposal_tabled": evolve_proposal_tabled,
    "amendment_tabled": evolve_amendment_tabled,
    "amendment_accepted": evolve_amendment_accepted,
    "cosponsored": evolve_cosponsored,
    "withdrawn": evolve_withdrawn,
    "lapsed": evolve_lapsed,
}
