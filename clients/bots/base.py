"""The bot interface and the negotiating behaviour every strategy shares.

A bot is a policy over one seat's `View`:

    bot.decide(view, rng) -> Command | None

It returns one command the rules allow now (checked against the projected state), or None
when it has nothing to do. It keeps only a little memory of its own moves (whether it has
spoken in this phase), so a networked client can drive it from its own local view exactly as
the in-process tournament does. It never stalls: holding the floor it always moves (a pass
at least), and it votes on every ballot it may vote on.

`Negotiator` plays the game: it delivers pledges, accepts friendly amendments that still meet
its target, says a word in consultations, tables, revises and amends in its turns, and votes
by its targets. It reads the public record of the ballots (`record`) to steer its texts clear
of the objections voters have shown, and to take the others at their word on burden sharing
(`burden`). A strategy says how its targets move (`concession`, or `target` and
`package_target` outright) and may override any step.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import ClassVar

from clients.bots import burden, offers, record
from clients.bots.situation import EPS, Situation
from game.commands import (
    AcceptAmendment,
    Amend,
    BreakSilence,
    Choice,
    Clauses,
    Command,
    Cosponsor,
    Deliver,
    Pass,
    Say,
    Statement,
    Table,
    Vote,
)
from game.scenario.agenda import Item
from game.views import View

REVISE_UTILITY = 0.02
"""A bot revises its own tabled text when its new offer concedes at least this much utility."""
REVISE_POINTS = 0.5
"""... or, for a burden-sharing package, at least this many points."""


class Bot:
    """The interface: a named policy over one seat's view."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    def decide(self, view: View, rng: random.Random) -> Command | None:
        raise NotImplementedError


class Negotiator(Bot):
    """Everything a negotiating bot does; strategies tune the targets."""

    delivers: ClassVar[bool] = True
    cosponsors: ClassVar[bool] = True
    takes_on_costs: ClassVar[bool] = True

    def __init__(self) -> None:
        self.spoken: set[tuple[int, str]] = set()
        self.stated: set[tuple[int, str]] = set()

    # --- the policy -----------------------------------------------------------------------

    def decide(self, view: View, rng: random.Random) -> Command | None:
        if not isinstance(view, View):
            raise TypeError("a bot decides from a View, nothing else")
        if view.viewer.role != "seat" or view.viewer.team is None:
            return None
        sit = Situation(view)
        if sit.state.status != "running" or sit.kind is None:
            return None
        for command in self.moves(sit, rng):
            if sit.legal(command):
                self.note(sit, command)
                return command
        return Pass() if sit.my_turn else None

    def moves(self, sit: Situation, rng: random.Random) -> Iterator[Command]:
        """Candidate commands, best first; `decide` returns the first legal one."""
        yield from self.deliveries(sit)
        if sit.kind in ("consultations", "formal"):
            yield from self.acceptances(sit)
        if sit.kind == "consultations":
            yield from self.consultations(sit, rng)
        elif sit.kind == "formal" and sit.my_turn:
            yield from self.turn(sit, rng)
        elif sit.kind == "voting":
            yield from self.ballot(sit)

    def note(self, sit: Situation, command: Command) -> None:
        if isinstance(command, Say):
            self.spoken.add(sit.phase_key)
        elif isinstance(command, Statement):
            self.stated.add(sit.phase_key)

    # --- targets (what strategies tune) ---------------------------------------------------

    def concession(self, sit: Situation) -> float:
        """How far the bot has conceded from its best toward its reservation, in [0, 1]."""
        return sit.t

    def target(self, sit: Situation, item: Item) -> float:
        """The least utility the bot accepts on `item` now."""
        top = offers.max_utility(sit, item)
        low = sit.reservation(item)
        if top <= low:
            return low
        return top - (top - low) * self.concession(sit)

    def package_target(self, sit: Situation, item: Item) -> float:
        """The least gain (points over no agreement) the bot accepts from a package now: it
        concedes from what it hopes for (`burden.aspiration`: every team giving its fair
        share, on the terms of those who pay) to no gain at all."""
        return burden.aspiration(sit, item) * (1.0 - self.concession(sit))

    # --- valuing texts --------------------------------------------------------------------

    def is_package(self, item: Item) -> bool:
        return item.kind == "burden_sharing" and burden.contribution_issue(item) is not None

    def stake(self, sit: Situation, item: Item) -> bool:
        if self.is_package(item):
            return burden.best_gain(sit, item) > EPS or sit.weights(item) is not None
        return sit.weights(item) is not None

    def value(self, sit: Situation, item: Item, text: Clauses) -> float | None:
        """Utility (or, for a package, gain in points) of `text` to the bot."""
        if self.is_package(item):
            return burden.gain(sit, item, text)
        return sit.utility(item, text)

    def floor_of(self, sit: Situation, item: Item) -> float:
        return self.package_target(sit, item) if self.is_package(item) else self.target(sit, item)

    def consents(self, sit: Situation, item: Item, text: Clauses) -> bool:
        """Whether the bot may agree to what the text assigns it: never more than it has
        left, and nothing at all if it takes on no costs."""
        mine = sit.assigned(item, text)
        if not mine:
            return True
        if not self.takes_on_costs:
            return False
        return all(a <= sit.left(sit.team, r) + EPS for r, a in mine.items())

    def acceptable(self, sit: Situation, item: Item, text: Clauses) -> bool:
        """Whether the bot would vote for `text` now."""
        if not self.consents(sit, item, text):
            return False
        v = self.value(sit, item, text)
        if v is None:
            return True
        if self.is_package(item) and not sit.assigned(item, text):
            return v >= -EPS
        return v >= self.floor_of(sit, item) - EPS

    # --- building texts -------------------------------------------------------------------

    def anchors(self, sit: Situation, item: Item) -> list[Clauses]:
        """Each other team's latest text on the item (public): of the teams that vote on it,
        if any of them has put one forward (a text is negotiated with those who adopt it),
        else of every team."""
        electorate = set(record.voters(sit, item))
        out, voting = [], []
        for team in sit.state.scenario.teams:
            if team.id != sit.team and (texts := sit.offers_by(item, team.id)):
                out.append(texts[-1][1])
                if team.id in electorate:
                    voting.append(texts[-1][1])
        return voting or out

    def offer(self, sit: Situation, item: Item) -> Clauses | None:
        """The text the bot would table now."""
        if self.is_package(item):
            # Its other clauses concede toward the packages of those who pay (and count in
            # what the package is worth to the bot when it sizes its own share).
            texts, weights = burden.payers(sit, item)
            terms = offers.concede(sit, item, self.target(sit, item), texts, weights)
            target = self.package_target(sit, item)
            return burden.package(sit, item, target, own=self.takes_on_costs, terms=terms)
        anchors = self.anchors(sit, item)
        target = self.target(sit, item)
        text = offers.concede(sit, item, target, anchors)
        return record.clear(sit, item, text, target, anchors)

    # --- each phase -----------------------------------------------------------------------

    def deliveries(self, sit: Situation) -> Iterator[Command]:
        if not self.delivers:
            return
        owed: dict[tuple[str, str], float] = {}
        for p in sit.state.pledges:
            if p.team == sit.team and p.amount - p.delivered > EPS:
                key = (p.item, p.resource)
                owed[key] = owed.get(key, 0.0) + p.amount - p.delivered
        have = sit.state.teams[sit.team].resources
        for (item, resource), amount in sorted(owed.items()):
            give = min(amount, have.get(resource, 0.0))
            if give > EPS:
                yield Deliver(item=item, resource=resource, amount=give)

    def acceptances(self, sit: Situation) -> Iterator[Command]:
        """Friendly amendments to the bot's own texts that it can live with."""
        s = sit.state
        for a in sorted(s.amendments.values(), key=lambda a: a.seq):
            p = s.proposals.get(a.proposal)
            if a.status != "pending" or p is None or p.sponsor != sit.team:
                continue
            if p.status != "tabled":
                continue
            item = sit.item(p.item)
            merged = {**p.clauses, **a.clauses}
            if sit.fits(item, merged) and self.acceptable(sit, item, merged):
                yield AcceptAmendment(amendment=a.id)

    def consultations(self, sit: Situation, rng: random.Random) -> Iterator[Command]:
        phase = sit.phase
        if phase is None or sit.phase_key in self.spoken or "floor" not in phase.open_channels():
            return
        if sit.team not in (sit.view.phase.actors if sit.view.phase else []):
            return
        yield Say(channel="floor", text=self.floor_message(sit, rng))

    def turn(self, sit: Situation, rng: random.Random) -> Iterator[Command]:
        """One move in the formal session: the most urgent item first."""
        items = [i for i in sit.open_items() if self.stake(sit, i)]
        items.sort(key=lambda i: -self.shortfall(sit, i))
        for item in items:
            yield from self.item_moves(sit, item)
        if sit.phase_key not in self.stated:
            yield Statement(text=self.statement(sit, rng))

    def shortfall(self, sit: Situation, item: Item) -> float:
        """How far the best text on the table falls below the bot's target (scaled to
        utility for packages), for ordering items by urgency."""
        floor = self.floor_of(sit, item)
        values = [self.value(sit, item, p.clauses) for p in sit.tabled(item)]
        best = max((v for v in values if v is not None), default=None)
        gap = floor - best if best is not None else floor + 1.0
        scale = sit.state.scenario.scoring.security if self.is_package(item) else 1.0
        priority = sit.me.priorities.get(item.id, 1.0)
        return priority * gap / (scale or 1.0)

    def item_moves(self, sit: Situation, item: Item) -> Iterator[Command]:
        tabled = sit.tabled(item)
        content = [p for p in tabled if self.acceptable(sit, item, p.clauses)]
        if not self.is_package(item):
            # A text the record says will be stopped again is no reason to rest.
            content = [p for p in content if record.passes(sit, item, p.clauses)]
        if content:
            best = max(content, key=lambda p: (self.value(sit, item, p.clauses) or 0.0, -p.seq))
            if self.cosponsors and best.sponsor != sit.team and sit.team not in best.cosponsors:
                yield Cosponsor(proposal=best.id)
            return
        offer = self.offer(sit, item)
        if offer is None:
            return
        same = [p for p in tabled if offers.same_text(item, p.clauses, offer)]
        if same:
            if same[0].sponsor != sit.team and sit.team not in same[0].cosponsors:
                yield Cosponsor(proposal=same[0].id)
            return
        own = sit.own_tabled(item)
        if own is not None and self.worth_revising(sit, item, own.clauses, offer):
            change = offers.changes(item, own.clauses, offer)
            if change:
                yield Amend(proposal=own.id, clauses=change, note="revised")
        if not self.is_package(item):
            yield from self.amendments(sit, item)
        if own is None:
            yield Table(item=item.id, clauses=offer, title=self.title(sit, item))

    def worth_revising(self, sit: Situation, item: Item, old: Clauses, new: Clauses) -> bool:
        u_old, u_new = self.value(sit, item, old), self.value(sit, item, new)
        if u_old is None or u_new is None:
            return False
        step = REVISE_POINTS if self.is_package(item) else REVISE_UTILITY
        return u_old - u_new >= step or u_old < self.floor_of(sit, item) - EPS

    def amendments(self, sit: Situation, item: Item) -> Iterator[Command]:
        """Amend the best text of another team, when a few clause changes make it acceptable."""
        s = sit.state
        theirs = [p for p in sit.tabled(item) if p.sponsor != sit.team]
        # The text most likely to pass (the fewest others predicted to stop it), then the
        # best for the bot.
        theirs.sort(
            key=lambda p: (
                record.doubt(sit, item, p.clauses),
                -(sit.utility(item, p.clauses) or 0.0),
                p.seq,
            )
        )
        most = max(1, len(sit.weighted_issues(item)) // 2)
        anchors = self.anchors(sit, item)
        for p in theirs[:1]:
            mine = [
                a
                for a in s.amendments.values()
                if a.proposal == p.id and a.team == sit.team and a.status == "pending"
            ]
            if mine:
                continue
            change = record.fix(sit, item, p.clauses, self.target(sit, item), most, anchors)
            if change:
                yield Amend(proposal=p.id, clauses=change, note="to meet our concerns")

    def ballot(self, sit: Situation) -> Iterator[Command]:
        s = sit.state
        ballot = s.ballots.get(s.open_ballot or "")
        if ballot is None or ballot.status != "open" or sit.team not in ballot.voters:
            return
        if sit.team in ballot.voted or sit.team in ballot.broken_by:
            return
        item = sit.item(ballot.item)
        choice = self.vote(sit, item, ballot.subject, sit.ballot_text(ballot.subject))
        if ballot.silence:
            if choice == "no":
                yield BreakSilence(ballot=ballot.id)
            return
        yield Vote(ballot=ballot.id, choice=choice)

    def vote(self, sit: Situation, item: Item, subject: str, text: Clauses) -> Choice:
        """Yes iff the text reaches the bot's target (and it consents to what it is assigned).
        On an amendment: yes if it makes the proposal better for the bot, no if worse."""
        if not self.consents(sit, item, text):
            return "no"
        amendment = sit.state.amendments.get(subject)
        if amendment is not None:
            base = sit.state.proposals[amendment.proposal].clauses
            before, after = self.value(sit, item, base), self.value(sit, item, text)
            if before is None or after is None:
                return "abstain"
            if after > before + EPS:
                return "yes"
            if self.acceptable(sit, item, text):
                # Worse for the bot but still worth its target: it lets the text meet
                # someone else's concerns.
                return "yes"
            return "abstain" if abs(after - before) <= EPS else "no"
        return "yes" if self.acceptable(sit, item, text) else "no"

    # --- words ----------------------------------------------------------------------------

    def title(self, sit: Situation, item: Item) -> str:
        return f"{item.title}: proposal of the {sit.me.name}"[:200]

    def floor_message(self, sit: Situation, rng: random.Random) -> str:
        items = [i for i in sit.open_items() if self.stake(sit, i)] or sit.open_items()
        subject = rng.choice(items).title if items else "the agenda"
        lines = (
            f"The {sit.me.name} comes to these talks ready to work on {subject}.",
            f"The {sit.me.name} hopes for an agreement on {subject} this round.",
            f"We are listening. The {sit.me.name} wants {subject} settled fairly.",
        )
        return rng.choice(lines)

    def statement(self, sit: Situation, rng: random.Random) -> str:
        mine = [p for p in sit.state.proposals.values() if p.sponsor == sit.team]
        if any(p.status == "tabled" for p in mine):
            return f"The {sit.me.name} commends its text to the meeting and invites amendments."
        return rng.choice(
            (
                f"The {sit.me.name} has heard the proposals and reserves its position.",
                f"The {sit.me.name} thanks the delegations and will vote on the merits.",
            )
        )


class TimeDependent(Negotiator):
    """Faratin et al.'s time-dependent tactics: the target falls from the bot's best text to
    its reservation as u(t) = u_max − (u_max − reservation)·t^(1/e)."""

    e: ClassVar[float] = 1.0

    def concession(self, sit: Situation) -> float:
        return sit.t ** (1.0 / self.e)
