"""The debrief: everything the facilitator shows after a session, derived from its log.

Pure: it folds the log once and reads the final state. What a viewer may see of it is decided
by `debrief_for` with the same disclosure rules as live play:

- every number that rests on a team's private weights (the utility of a text to a team, who
  conceded, the outcome analyses with their reservation values) opens with the weights
  (`declassify.weights`); before that a team sees only its own utilities and concessions;
- scores open with `declassify.scores` (a team always sees its own), votes with
  `declassify.ballots`, briefs and objectives with `declassify.briefs`;
- an inject's words reach only its audience, a facilitator's message only those who read its
  channel; agenda items never put on the agenda stay hidden;
- the facilitator sees everything, at any time.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from game import disclosure as dc
from game.agenda import items_in_play
from game.analysis.outcomes import Analysis, analyse_item
from game.analysis.power import banzhaf, shapley_shubik
from game.disclosure import Viewer
from game.engine import fold
from game.events import Ev, InjectFired, MessagePosted, PhaseEnded, PhaseStarted
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
    how: str = Field(
        description="tabled, revised (by its sponsor), accepted (another team's amendment, "
        "as friendly) or voted (an amendment adopted by vote)."
    )
    by: str = Field(description="The team whose move made this version.")
    utilities: dict[str, float]


class Concession(BaseModel):
    """A team moved its own position on an item to one worth less to itself: it tabled a text
    worth less than its previous one on the item, revised its text downwards, or accepted
    another team's amendment that cost it."""

    seq: int
    at: int
    team: str
    item: str
    proposal: str
    how: str
    before: float
    after: float


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
    due_round: int = 0
    broken: bool


class PledgeBalance(BaseModel):
    """Pledged against delivered, one team and one resource, over every package."""

    team: str
    resource: str
    pledged: float
    delivered: float
    outstanding: float
    share_delivered: float = Field(description="Delivered over pledged (1 when nothing pledged).")
    broken: int = Field(description="Pledges broken (undelivered when due).")


class Intervention(BaseModel):
    """Something the facilitator (or the scenario's clock of injects) did to the session."""

    seq: int
    at: int
    type: str
    summary: str
    audience: list[str] | str = Field(
        default="all", description="Who may read the words: 'all', teams, or a channel id."
    )


class PhaseSpan(BaseModel):
    round: int
    phase: str
    kind: str
    started_seq: int
    started_at: int
    ended_seq: int | None = None
    ended_at: int | None = None
    reason: str | None = None


class TeamSecret(BaseModel):
    """What a team kept to itself, as the debrief may show it once declassified."""

    team: str
    name: str
    brief: str | None = None
    objectives: list[str] | None = None
    weights: dict | None = None
    reservation: dict[str, float] | None = None
    priorities: dict[str, float] | None = None


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
    concessions: list[Concession] = Field(default_factory=list)
    votes: list[VoteRow]
    items: list[Analysis]
    power: list[Power]
    pledges: list[PledgeLine]
    pledge_balance: list[PledgeBalance] = Field(default_factory=list)
    interventions: list[Intervention]
    phases: list[PhaseSpan] = Field(default_factory=list)
    secrets: list[TeamSecret] = Field(default_factory=list)
    facilitator_notes: str = ""
    declassified: list[str]
    status: str = ""
    seq: int = 0


def _how(state: SessionState, event: Ev | None, sponsor: str) -> tuple[str, str]:
    """How a version came to be, and whose move it was."""
    kind = getattr(event, "type", "")
    if kind == "proposal_tabled":
        return "tabled", sponsor
    if kind == "amendment_accepted":
        amendment = state.amendments[event.amendment]  # type: ignore[union-attr]
        return ("revised", sponsor) if amendment.team == sponsor else ("accepted", sponsor)
    if kind == "ballot_closed":
        subject = state.ballots[event.ballot].subject  # type: ignore[union-attr]
        amendment = state.amendments.get(subject)
        return "voted", amendment.team if amendment is not None else sponsor
    return kind or "changed", sponsor


def text_versions(state: SessionState, log: Sequence[Ev]) -> list[TextVersion]:
    """Every version of every tabled text, in order, with its utility to each team (who
    values the item) at that moment."""
    by_seq = {e.seq: e for e in log}
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
            event = by_seq.get(seq)
            how, by = _how(state, event, proposal.sponsor)
            rows.append(
                TextVersion(
                    seq=seq,
                    at=event.at if event is not None else 0,
                    proposal=proposal.id,
                    item=item.id,
                    sponsor=proposal.sponsor,
                    how=how,
                    by=by,
                    utilities=utilities,
                )
            )
    return sorted(rows, key=lambda r: (r.seq, r.proposal))


def concessions(texts: Sequence[TextVersion]) -> list[Concession]:
    """Who conceded, and when: each team's position on an item is the last text it put
    forward there by its own move (tabled, revised, or accepted as friendly); a move to a
    position worth less to the team than the one before is a concession of the difference.
    An amendment adopted by vote against the sponsor is not the sponsor's concession."""
    position: dict[tuple[str, str], float] = {}
    out = []
    for t in texts:
        if t.how not in ("tabled", "revised", "accepted"):
            continue
        team = t.sponsor
        u = t.utilities.get(team)
        if u is None:
            continue
        key = (team, t.item)
        before = position.get(key)
        if before is not None and u < before - 1e-9:
            out.append(
                Concession(
                    seq=t.seq,
                    at=t.at,
                    team=team,
                    item=t.item,
                    proposal=t.proposal,
                    how=t.how,
                    before=before,
                    after=u,
                )
            )
        position[key] = u
    return out


def pledge_balance(state: SessionState) -> list[PledgeBalance]:
    """Pledged against delivered, team by team and resource by resource."""
    totals: dict[tuple[str, str], list[float]] = {}
    for p in state.pledges:
        row = totals.setdefault((p.team, p.resource), [0.0, 0.0, 0])
        row[0] += p.amount
        row[1] += p.delivered
        row[2] += 1 if p.broken else 0
    order = {t.id: n for n, t in enumerate(state.scenario.teams)}
    return [
        PledgeBalance(
            team=team,
            resource=resource,
            pledged=round(pledged, 6),
            delivered=round(delivered, 6),
            outstanding=round(max(0.0, pledged - delivered), 6),
            share_delivered=round(delivered / pledged, 6) if pledged > 0 else 1.0,
            broken=int(broken),
        )
        for (team, resource), (pledged, delivered, broken) in sorted(
            totals.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1])
        )
    ]


def phase_spans(log: Sequence[Ev]) -> list[PhaseSpan]:
    spans: list[PhaseSpan] = []
    for e in log:
        if isinstance(e, PhaseStarted):
            spans.append(
                PhaseSpan(
                    round=e.round, phase=e.phase, kind=e.kind, started_seq=e.seq, started_at=e.at
                )
            )
        elif isinstance(e, PhaseEnded):
            for span in reversed(spans):
                if span.phase == e.phase and span.round == e.round and span.ended_seq is None:
                    span.ended_seq, span.ended_at, span.reason = e.seq, e.at, e.reason
                    break
    return spans


def team_secrets(state: SessionState) -> list[TeamSecret]:
    return [
        TeamSecret(
            team=t.id,
            name=t.name,
            brief=t.brief,
            objectives=[o.text for o in t.objectives],
            weights={
                i: {k: w.model_dump(mode="json") for k, w in ws.items()}
                for i, ws in t.weights.items()
            },
            reservation=dict(t.reservation),
            priorities=dict(t.priorities),
        )
        for t in state.scenario.teams
    ]


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


def _is_intervention(event: Ev) -> bool:
    kind = event.type  # type: ignore[attr-defined]
    if kind in INTERVENTIONS:
        return True
    actor = event.actor
    return actor is not None and actor.role == "facilitator" and kind != "session_created"


def _intervention(event: Ev) -> Intervention:
    audience: list[str] | str = "all"
    if isinstance(event, InjectFired):
        audience = event.audience
    elif isinstance(event, MessagePosted):
        audience = event.channel
    return Intervention(
        seq=event.seq,
        at=event.at,
        type=event.type,  # type: ignore[attr-defined]
        summary=_summary(event),
        audience=audience,
    )


def debrief(log: Sequence[Ev]) -> Debrief:
    """The facilitator's debrief of a session's log (finished or not)."""
    state = fold(log)
    texts = text_versions(state, log)
    return Debrief(
        session=state.session,
        title=state.title,
        status=state.status,
        seq=state.seq,
        scores=state.scores,
        collective=state.collective,
        security={r.id: list(r.history) for r in state.regions.values()},
        texts=texts,
        concessions=concessions(texts),
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
                due_round=p.due_round,
                broken=p.broken,
            )
            for p in state.pledges
        ],
        pledge_balance=pledge_balance(state),
        interventions=[_intervention(e) for e in log if _is_intervention(e)],
        phases=phase_spans(log),
        secrets=team_secrets(state),
        facilitator_notes=state.scenario.facilitator_notes,
        declassified=dc.declassified(state),
    )


def debrief_for(full: Debrief, state: SessionState, viewer: Viewer) -> Debrief:
    """The debrief as `viewer` may see it, `state` being the session's state now (the
    disclosure rules are those of live play; see the module docstring)."""
    if viewer.role == "facilitator":
        return full
    weights_open = dc.opened(state, state.scenario.declassify.weights)
    own = viewer.team if viewer.role == "seat" else None
    in_play = items_in_play(state)

    def mine(team: str) -> bool:
        return weights_open or team == own

    def intervention(i: Intervention) -> Intervention:
        if isinstance(i.audience, list):
            seen = dc.sees_audience(viewer, i.audience)
        elif i.audience != "all":
            seen = dc.sees_channel(state, viewer, i.audience)
        else:
            seen = True
        return i if seen else i.model_copy(update={"summary": "(not addressed to you)"})

    secrets = []
    for s in full.secrets:
        briefs = dc.sees_team_secret(state, viewer, s.team, "briefs")
        weights = dc.sees_team_secret(state, viewer, s.team, "weights")
        secrets.append(
            TeamSecret(
                team=s.team,
                name=s.name,
                brief=s.brief if briefs else None,
                objectives=s.objectives if briefs else None,
                weights=s.weights if weights else None,
                reservation=s.reservation if weights else None,
                priorities=s.priorities if weights else None,
            )
        )
    return full.model_copy(
        update={
            "scores": {
                t: s
                for t, s in full.scores.items()
                if dc.sees_team_secret(state, viewer, t, "scores")
            },
            "texts": [
                t.model_copy(
                    update={"utilities": {k: v for k, v in t.utilities.items() if mine(k)}}
                )
                for t in full.texts
                if t.item in in_play
            ],
            "concessions": [c for c in full.concessions if mine(c.team)],
            "items": [a for a in full.items if a.item in in_play] if weights_open else [],
            "power": [p for p in full.power if p.item in in_play],
            "votes": [v for v in full.votes if dc.sees_votes(state, viewer, v.ballot)],
            "interventions": [intervention(i) for i in full.interventions],
            "secrets": secrets,
            "facilitator_notes": "",
        }
    )
