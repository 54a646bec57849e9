"""The voting phase: sealed ballots, the silence procedure, and what adoption does."""

from __future__ import annotations

from game import clocks
from game.clauses import contributions, merge
from game.commands import BreakSilence, Choice, Clauses, Vote
from game.decision_rules import Voter, tally
from game.errors import Code, Rejected
from game.events import BallotCast, BallotClosed, BallotOpened, SilenceBroken
from game.moves.context import Ctx, bump, phase_actors
from game.moves.texts import apply_amendment, available
from game.scenario.agenda import Item
from game.scenario.model import Scenario
from game.state import Ballot, SessionState
from game.utility import item_utility
from game.world import take_effect


def electorate(scenario: Scenario, item: Item) -> list[str]:
    """Everyone entitled to vote on an item: teams and the scenario's non-player Council
    voters where the item's voters include the Council."""
    if item.voters == "all":
        return [t.id for t in scenario.teams]
    if item.voters == "council":
        return [t.id for t in scenario.teams if t.council.member] + [n.id for n in scenario.council]
    return list(item.voters)


def item_voters(state: SessionState, item: Item) -> list[str]:
    """The electorate of a ballot now: teams allowed to act in this phase, and non-players."""
    actors = set(phase_actors(state))
    scenario = state.scenario
    return [v for v in electorate(scenario, item) if v in actors or scenario.team(v) is None]


def as_voter(state: SessionState, voter_id: str) -> Voter:
    team = state.scenario.team(voter_id)
    if team is not None:
        return Voter(
            id=team.id,
            permanent=team.council.permanent,
            veto=team.council.veto,
            population=team.population,
        )
    npv = next(n for n in state.scenario.council if n.id == voter_id)
    return Voter(id=npv.id, permanent=npv.permanent, veto=npv.veto, population=npv.population)


def subject_text(state: SessionState, subject: str) -> Clauses:
    if subject in state.amendments:
        amendment = state.amendments[subject]
        return merge(state.proposals[amendment.proposal].clauses, amendment.clauses)
    return state.proposals[subject].clauses


def non_player_vote(state: SessionState, voter_id: str, item: Item, text: Clauses) -> Choice:
    """A non-player Council member's vote: fixed by the scenario, or derived from its stated
    preferences (yes when the text is worth at least its reservation), or its default."""
    npv = next(n for n in state.scenario.council if n.id == voter_id)
    if item.id in npv.votes:
        return npv.votes[item.id]
    u = item_utility(item, npv.weights.get(item.id), text)
    if u is None:
        return npv.default
    return "yes" if u >= npv.reservation.get(item.id, 0.5) else "no"


def closing(state: SessionState, ballot: Ballot) -> dict:
    """The fields of the `ballot_closed` event for `ballot` as it stands."""
    item = state.scenario.item(ballot.item)
    assert item is not None
    text = subject_text(state, ballot.subject)
    votes: dict[str, Choice] = {}
    for voter in ballot.voters:
        if state.scenario.team(voter) is None:
            votes[voter] = non_player_vote(state, voter, item, text)
        elif voter in ballot.votes:
            votes[voter] = ballot.votes[voter]
    result = tally(
        item.rule,
        [as_voter(state, v) for v in ballot.voters],
        votes,
        silence_broken=ballot.broken_by,
    )
    adopted, reason = result.adopted, result.reason
    if adopted and ballot.subject in state.proposals and item.kind == "burden_sharing":
        adopted, reason = _consent_and_capacity(state, item, text, votes)
    counts = {
        "yes": result.yes,
        "no": result.no,
        "abstain": result.abstain,
        "absent": result.absent,
    }
    return {
        "ballot": ballot.id,
        "votes": votes,
        "counts": counts,
        "adopted": adopted,
        "reason": reason,
    }


def _consent_and_capacity(
    state: SessionState, item: Item, text: Clauses, votes: dict[str, Choice]
) -> tuple[bool, str]:
    """No team can be assigned a cost without its consent, nor more than it has left."""
    pledges = contributions(item, text)
    refused = [t for t in pledges if votes.get(t) != "yes"]
    if refused:
        return False, (
            f"Not adopted: {', '.join(refused)} did not consent to the contribution assigned."
        )
    for team, per_resource in pledges.items():
        for resource, amount in per_resource.items():
            if amount > available(state, team, resource) + 1e-9:
                return False, f"Not adopted: {team} no longer has {amount:g} {resource}."
    return True, "Adopted, with the consent of every contributor."


def open_ballot(ctx: Ctx, ballot_id: str) -> Ballot:
    ballot = ctx.state.ballots.get(ballot_id)
    if ballot is None:
        raise Rejected(Code.UNKNOWN, f"there is no ballot '{ballot_id}'")
    if ballot.status != "open":
        raise Rejected(Code.CLOSED, f"ballot {ballot_id} is closed")
    return ballot


def decide_vote(ctx: Ctx, cmd: Vote) -> None:
    team = ctx.team()
    ctx.running()
    ctx.in_phase("voting")
    ballot = open_ballot(ctx, cmd.ballot)
    if team not in ballot.voters:
        raise Rejected(Code.NOT_ELIGIBLE, f"{team} does not vote on {ballot.item}")
    if ballot.silence:
        raise Rejected(Code.WRONG_PHASE, "this text is under the silence procedure: no ballots")
    if team in ballot.voted:
        raise Rejected(Code.DUPLICATE, f"{team} has already voted on {ballot.id}")
    ctx.emit(BallotCast, ballot=ballot.id, team=team, choice=cmd.choice)


def decide_break_silence(ctx: Ctx, cmd: BreakSilence) -> None:
    team = ctx.team()
    ctx.running()
    ctx.in_phase("voting")
    ballot = open_ballot(ctx, cmd.ballot)
    if not ballot.silence:
        raise Rejected(Code.WRONG_PHASE, "this ballot is not under the silence procedure")
    if team not in ballot.voters:
        raise Rejected(Code.NOT_ELIGIBLE, f"{team} is not party to {ballot.item}")
    if team in ballot.broken_by:
        raise Rejected(Code.DUPLICATE, f"{team} has already broken silence")
    ctx.emit(SilenceBroken, ballot=ballot.id, team=team)


def voting_queue(state: SessionState) -> list[str]:
    """What the voting phase takes, in order: on each item, proposals in the order tabled,
    each preceded by its pending amendments in the order tabled."""
    queue: list[str] = []
    for proposal in sorted(state.proposals.values(), key=lambda p: p.seq):
        if proposal.status != "tabled":
            continue
        amendments = [
            a
            for a in state.amendments.values()
            if a.proposal == proposal.id and a.status == "pending"
        ]
        queue.extend(a.id for a in sorted(amendments, key=lambda a: a.seq))
        queue.append(proposal.id)
    return queue


def still_pending(state: SessionState, subject: str) -> bool:
    if subject in state.amendments:
        return state.amendments[subject].status == "pending"
    proposal = state.proposals.get(subject)
    return proposal is not None and proposal.status == "tabled"


def evolve_ballot_opened(state: SessionState, ev: BallotOpened) -> None:
    bump(state, "b")
    if ev.subject in state.ballot_queue:
        del state.ballot_queue[: state.ballot_queue.index(ev.subject) + 1]
    ballot = Ballot(
        id=ev.ballot,
        item=ev.item,
        subject=ev.subject,
        voters=list(ev.voters),
        silence=ev.silence,
        round=state.round,
    )
    state.ballots[ev.ballot] = ballot
    state.open_ballot = ev.ballot
    clocks.start(state, ballot.clock, ev.at, ev.duration_ms)


def evolve_ballot_cast(state: SessionState, ev: BallotCast) -> None:
    ballot = state.ballots[ev.ballot]
    ballot.voted.append(ev.team)
    if ev.choice is not None:  # None in a projection for another team: the vote is sealed
        ballot.votes[ev.team] = ev.choice


def evolve_silence_broken(state: SessionState, ev: SilenceBroken) -> None:
    state.ballots[ev.ballot].broken_by.append(ev.team)


def evolve_ballot_closed(state: SessionState, ev: BallotClosed) -> None:
    ballot = state.ballots[ev.ballot]
    ballot.status = "closed"
    ballot.votes = dict(ev.votes)
    ballot.adopted = ev.adopted
    ballot.reason = ev.reason
    ballot.counts = dict(ev.counts)
    clocks.stop(ballot.clock)
    if state.open_ballot == ev.ballot:
        state.open_ballot = None
    subject = ballot.subject
    if subject in state.amendments:
        if ev.adopted:
            apply_amendment(state, subject, ev.seq, "adopted")
        else:
            state.amendments[subject].status = "rejected"
        return
    proposal = state.proposals[subject]
    if not ev.adopted:
        proposal.status = "rejected"
        return
    proposal.status = "adopted"
    proposal.adopted_round = state.round
    state.adopted[proposal.item] = proposal.id
    item = state.scenario.item(proposal.item)
    assert item is not None
    take_effect(state, item, proposal.clauses)


DECIDERS = {"vote": decide_vote, "break_silence": decide_break_silence}
EVOLVERS = {
    "ballot_opened": evolve_ballot_opened,
    "ballot_cast": evolve_ballot_cast,
    "silence_broken": evolve_silence_broken,
    "ballot_closed": evolve_ballot_closed,
}
