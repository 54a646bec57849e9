"""The debrief: everything the facilitator shows after a session, derived from its log.

Pure: it folds the log once and reads the final state. What a viewer may see of it is decided
by `debrief_for` with the same disclosure rules as live play.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from game import disclosure as dc
from game.analysis.outcomes import Analysis, analyse_item
from game.analysis.power import banzhaf, shapley_shubik
from game.disclosure import Viewer
from game.engine import fold
from game.events import Ev
from game.moves.ballots import as_voter, electorate
from game.state import Score, SessionState
from game.utility import item_utility

INTERVENTIONS = frozenset(
    {
        "session_started",
        "session_paused",
        "session_resumed",
        "deadline_moved",
        "inject_fired",
        "announced",
        "seat_assigned",
        "seat_freed",
        "session_concluded",
    }
)


class TextVersion(BaseModel):
    """One version of a tabled proposal and what it was worth to each team then."""

    seq: int
    at: int
    proposal: str
    item: str
    sponsor: str
    utilities: dict[str, float]


class VoteRow(BaseModel):
    ballot: str
    item: str
    subject: str
    round: int
    adopted: bool | None
    votes: dict[str, str]


class PledgeLine(BaseModel):
    team: str
    item: str
    resource: str
    pledged: float
    delivered: float
    broken: bool


class Intervention(BaseModel):
    seq: int
    at: int
    type: str
    summary: str


class Power(BaseModel):
    item: str
    rule: str
    banzhaf: dict[str, float]
    shapley_shubik: dict[str, float]


class Debrief(BaseModel):
    session: str
    title: str
    scores: dict[str, Score]
    collective: float
    security: dict[str, list[float]] = Field(description="Region -> security after each round.")
    texts: list[TextVersion]
    votes: list[VoteRow]
    items: list[Analysis]
    power: list[Power]
    pledges: list[PledgeLine]
    interventions: list[Intervention]
    declassified: list[str]


def text_versions(state: SessionState, log: Sequence[Ev]) -> list[TextVersion]:
    at_of = {e.seq: e.at for e in log}
    rows = []
    for proposal in state.proposals.values():
        item = state.scenario.item(proposal.item)
        assert item is not None
        for seq, clauses in proposal.versions:
            utilities = {}
            for team in state.scenario.teams:
                u = item_utility(item, team.weights.get(item.id), clauses)
                if u is not None:
                    utilities[team.id] = round(u, 4)
            rows.append(
                TextVersion(
                    seq=seq,
                    at=at_of.get(seq, 0),
                    proposal=proposal.id,
                    item=item.id,
                    sponsor=proposal.sponsor,
                    utilities=utilities,
                )
            )
    return sorted(rows, key=lambda r: r.seq)


def voting_power(state: SessionState) -> list[Power]:
    rows = []
    for item in state.scenario.agenda:
        # Voting power belongs to the rule and its electorate, not to who was in the room.
        voters = [as_voter(state, v) for v in electorate(state.scenario, item)]
        if len(voters) < 2 or len(voters) > 20:
            continue
        rows.append(
            Power(
                item=item.id,
                rule=item.rule.kind,
                banzhaf=banzhaf(item.rule, voters),
                shapley_shubik=shapley_shubik(item.rule, voters),
            )
        )
    return rows


def _summary(event: Ev) -> str:
    fields = event.model_dump(exclude={"v", "seq", "at", "actor", "type"})
    return ", ".join(f"{k}={v}" for k, v in fields.items() if v not in (None, [], {}, ""))[:200]


def debrief(log: Sequence[Ev]) -> Debrief:
    """The facilitator's debrief of a session's log (finished or not)."""
    state = fold(log)
    return Debrief(
        session=state.session,
        title=state.title,
        scores=state.scores,
        collective=state.collective,
        security={r.id: list(r.history) for r in state.regions.values()},
        texts=text_versions(state, log),
        votes=[
            VoteRow(
                ballot=b.id,
                item=b.item,
                subject=b.subject,
                round=b.round,
                adopted=b.adopted,
                votes=dict(b.votes),
            )
            for b in state.ballots.values()
            if b.status == "closed"
        ],
        items=[
            a
            for item in state.scenario.agenda
            if (
                a := analyse_item(
                    state.scenario,
                    item,
                    state.proposals[state.adopted[item.id]].clauses
                    if item.id in state.adopted
                    else None,
                    seed=state.seed,
                )
            )
            is not None
        ],
        power=voting_power(state),
        pledges=[
            PledgeLine(
                team=p.team,
                item=p.item,
                resource=p.resource,
                pledged=p.amount,
                delivered=p.delivered,
                broken=p.broken,
            )
            for p in state.pledges
        ],
        interventions=[
            Intervention(seq=e.seq, at=e.at, type=e.type, summary=_summary(e))
            for e in log
            if e.type in INTERVENTIONS  # type: ignore[attr-defined]
        ],
        declassified=dc.declassified(state),
    )


def debrief_for(full: Debrief, state: SessionState, viewer: Viewer) -> Debrief:
    """The debrief as `viewer` may see it: utilities and outcome analyses rest on every
    team's private weights, so they open with the weights; scores with the scores."""
    if viewer.role == "facilitator":
        return full
    weights_open = dc.opened(state, state.scenario.declassify.weights)
    own = viewer.team if viewer.role == "seat" else None
    return full.model_copy(
        update={
            "scores": {
                t: s
                for t, s in full.scores.items()
                if dc.sees_team_secret(state, viewer, t, "scores")
            },
            "texts": full.texts
            if weights_open
            else [
                t.model_copy(
                    update={"utilities": {k: v for k, v in t.utilities.items() if k == own}}
                )
                for t in full.texts
            ],
            "items": full.items if weights_open else [],
            "votes": [v for v in full.votes if dc.sees_votes(state, viewer, v.ballot)],
            "interventions": [i for i in full.interventions if i.type != "inject_fired"]
            if viewer.role == "spectator"
            else full.interventions,
        }
    )
