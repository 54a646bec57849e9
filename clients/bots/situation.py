"""What a bot knows: a digest of the `View` of its seat, and nothing else.

Every helper here reads `view.state`, the state as projected for the bot's own seat: other
teams' briefs, weights, reservations, drafts and private channels are blank there, so a bot
cannot use them even by mistake. Legality is checked by running the engine's own deciders on
that projected state (`Situation.legal`): a command they accept is legal as far as the seat
can tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from game import engine
from game.clauses import contributions
from game.commands import Actor, Clauses, ClauseValue, Command
from game.errors import Rejected
from game.moves.ballots import subject_text
from game.moves.texts import available
from game.scenario.agenda import Issue, Item
from game.scenario.flow import Phase
from game.scenario.teams import IssueWeight, Team
from game.state import Proposal, SessionState
from game.utility import issue_score, item_utility
from game.views import View

EPS = 1e-9


@dataclass
class Situation:
    """One decision's worth of facts about the bot's seat, all read from its `View`."""

    view: View

    # --- who, where, when -----------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        return self.view.state

    @property
    def team(self) -> str:
        assert self.view.viewer.team is not None
        return self.view.viewer.team

    @cached_property
    def me(self) -> Team:
        team = self.state.scenario.team(self.team)
        assert team is not None
        return team

    @cached_property
    def actor(self) -> Actor:
        viewer = self.view.viewer
        return Actor(role="seat", team=viewer.team, seat=viewer.seat, bot=True)

    @property
    def phase(self) -> Phase | None:
        s = self.state
        if s.status != "running" or s.phase is None or not s.phase_open:
            return None
        return s.scenario.rounds.phases[s.phase]

    @property
    def kind(self) -> str | None:
        phase = self.phase
        return phase.kind if phase else None

    @property
    def phase_key(self) -> tuple[int, str]:
        phase = self.phase
        return (self.state.round, phase.id if phase else "")

    @property
    def my_turn(self) -> bool:
        p = self.view.phase
        return self.kind == "formal" and p is not None and p.holder == self.team

    @cached_property
    def t(self) -> float:
        """Session progress in [0, 1]: 0 at the first phase, 1 at the last voting phase (the
        last chance to agree), counted in phases run, with the formal session's turns
        counting toward the next phase."""
        s = self.state
        scenario = s.scenario
        if s.phase is None or s.round == 0:
            return 0.0
        steps = [
            (r, i) for r in range(1, scenario.rounds.count + 1) for i in scenario.phases_of_round(r)
        ]
        votes = [k for k, (_, i) in enumerate(steps) if scenario.rounds.phases[i].kind == "voting"]
        last = votes[-1] if votes else len(steps) - 1
        try:
            pos = float(steps.index((s.round, s.phase)))
        except ValueError:
            return 1.0
        phase = scenario.rounds.phases[s.phase]
        if phase.kind == "formal" and s.formal.turn:
            cap = phase.turn_cap or scenario.rounds.turn_cap
            pos += min(1.0, s.formal.turn / cap) * 0.99
        return 1.0 if last <= 0 else max(0.0, min(1.0, pos / last))

    # --- legality -------------------------------------------------------------------------

    def legal(self, command: Command) -> bool:
        """Whether the engine's deciders accept `command` on the projected state."""
        try:
            engine.decide(self.state, command, self.actor, self.state.at)
        except Rejected:
            return False
        return True

    # --- the agenda -----------------------------------------------------------------------

    def open_items(self) -> list[Item]:
        s = self.state
        return [i for i in s.scenario.agenda if i.id in s.agenda and i.id not in s.adopted]

    def item(self, item_id: str) -> Item:
        item = self.state.scenario.item(item_id)
        assert item is not None
        return item

    def tabled(self, item: Item) -> list[Proposal]:
        """Proposals on the table on `item`, oldest first."""
        ps = self.state.proposals.values()
        return sorted(
            (p for p in ps if p.item == item.id and p.status == "tabled"), key=lambda p: p.seq
        )

    def own_tabled(self, item: Item) -> Proposal | None:
        mine = [p for p in self.tabled(item) if p.sponsor == self.team]
        return mine[-1] if mine else None

    def offers_by(self, item: Item, team: str) -> list[tuple[int, Clauses]]:
        """Every text `team` has put forward on `item` (its proposals' versions and its
        amendments, merged into the proposal as it stood), in order: public information."""
        s = self.state
        out: list[tuple[int, Clauses]] = []
        for p in s.proposals.values():
            if p.item != item.id:
                continue
            if p.sponsor == team:
                out.extend((seq, dict(clauses)) for seq, clauses in p.versions)
        for a in s.amendments.values():
            p = s.proposals.get(a.proposal)
            if p is None or p.item != item.id or a.team != team or p.sponsor == team:
                continue
            base = next((c for seq, c in reversed(p.versions) if seq <= a.seq), p.clauses)
            out.append((a.seq, {**base, **a.clauses}))
        return sorted(out, key=lambda x: x[0])

    def ballot_text(self, subject: str) -> Clauses:
        return subject_text(self.state, subject)

    # --- my valuation (my own private weights, visible in my view) -------------------------

    def weights(self, item: Item) -> dict[str, IssueWeight] | None:
        return self.me.weights.get(item.id) or None

    def weighted_issues(self, item: Item) -> list[Issue]:
        w = self.weights(item) or {}
        return [
            i for i in item.issues if i.kind != "contributions" and i.id in w and w[i.id].weight > 0
        ]

    def utility(self, item: Item, clauses: Clauses) -> float | None:
        return item_utility(item, self.weights(item), clauses)

    def reservation(self, item: Item) -> float:
        return self.me.reservation.get(item.id, 0.0)

    def issue_value_score(self, item: Item, issue: Issue, value: ClauseValue) -> float:
        w = (self.weights(item) or {}).get(issue.id)
        return issue_score(issue, w, value) if w else 0.0

    # --- resources ------------------------------------------------------------------------

    def left(self, team: str, resource: str) -> float:
        """What `team` has left of `resource` once its outstanding pledges are set aside."""
        if team not in self.state.teams:
            return 0.0
        return max(0.0, available(self.state, team, resource))

    def assigned(self, item: Item, clauses: Clauses, team: str | None = None) -> dict[str, float]:
        """What a package assigns to `team` (the bot's own team by default)."""
        return contributions(item, clauses).get(team or self.team, {})

    def fits(self, item: Item, clauses: Clauses) -> bool:
        """Every contribution in the text fits what its team has left."""
        for team, pledges in contributions(item, clauses).items():
            for resource, amount in pledges.items():
                if amount > self.left(team, resource) + EPS:
                    return False
        return True
