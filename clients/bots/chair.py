"""Chair: brokers. It lets the others table first; then it tables (and keeps revising) a
compromise of the latest text of each other team that votes on the item: per issue the
option most of them share (on a tie, the one it prefers, else the middle one), the median
number, the members most of them include, moved a clause or two if the public record says the
voters would stop it (`record.clear`). With a single text from the others, it balances that
text against its own `linear` offer. Once its compromise is on the table it amends the
others' texts where a clause or two would let them pass (`record.fix`). It votes yes on texts
near its compromise (the threshold loosens with time), never below its own reservation.

For a package it aggregates what the teams have offered: each team that put a package forward
down for what it offered to give itself there, the others for their fair shares, itself for
as much as keeps the package at its own target, on the terms most of those who pay ask for;
and it votes on a package by what the package is worth to it, like any negotiator.

Meant for the Secretary-General, but any team can chair. With nothing to broker after a full
round of turns, or when the compromise is worth less than its reservation, it negotiates like
`linear`.
"""

from __future__ import annotations

from collections.abc import Iterator

from clients.bots import burden, offers, record
from clients.bots.base import TimeDependent
from clients.bots.registry import register
from clients.bots.situation import EPS, Situation
from game.commands import Amend, Choice, Clauses, Command, Cosponsor, Table
from game.scenario.agenda import Item

NEAR = 0.75
"""Similarity to its compromise at which the chair votes yes at the start; it falls to
`NEAR - LOOSEN` at the last vote."""
LOOSEN = 0.25


@register
class Chair(TimeDependent):
    name = "chair"
    summary = "tables compromise texts and votes for texts near them"
    e = 1.0

    def sources(self, sit: Situation, item: Item) -> list[Clauses]:
        """The texts the chair brokers: each other team's latest text on the item."""
        return self.anchors(sit, item)

    def compromise(self, sit: Situation, item: Item) -> Clauses | None:
        if self.is_package(item):
            return self.package_compromise(sit, item)
        texts = self.sources(sit, item)
        if not texts:
            return None
        if len(texts) < 2:
            if not super().stake(sit, item):
                return None
            own = super().offer(sit, item)
            if own is None:
                return None
            texts = [*texts, own]
        text = offers.compromise(sit, item, texts)
        # Steer clear of what the record says the voters will stop.
        text = record.clear(sit, item, text, sit.reservation(item), texts)
        u = sit.utility(item, text)
        if u is not None and u < sit.reservation(item) - EPS:
            return None
        return text

    def package_compromise(self, sit: Situation, item: Item) -> Clauses | None:
        """What the teams have offered: each team that put a package forward down for what
        it offered to give itself there, the others for their fair shares, the chair for as
        much as keeps the package at its own target; on the other clauses, what most of
        those who pay ask for (weighed by what they offered to pay). None before anyone has
        put a package forward."""
        texts, weights = burden.payers(sit, item)
        if not texts:
            return None
        terms = offers.compromise(sit, item, texts, weights)
        target = self.package_target(sit, item)
        text = burden.package(sit, item, target, own=self.takes_on_costs, terms=terms)
        if text is None or not sit.fits(item, text) or not self.consents(sit, item, text):
            return None
        if burden.gain(sit, item, text) < -EPS:
            return None
        return text

    def stake(self, sit: Situation, item: Item) -> bool:
        return super().stake(sit, item) or len(self.sources(sit, item)) >= 2

    def item_moves(self, sit: Situation, item: Item) -> Iterator[Command]:
        text = self.compromise(sit, item)
        if text is None:
            # Nothing to broker: let the others speak first; after a full round of turns
            # with nothing to broker, negotiate like `linear`.
            waited = sit.state.formal.turn > len(sit.state.formal.speakers)
            if super().stake(sit, item) and (self.sources(sit, item) or waited):
                yield from super().item_moves(sit, item)
            return
        tabled = sit.tabled(item)
        same = [p for p in tabled if offers.same_text(item, p.clauses, text)]
        if same:
            if same[0].sponsor != sit.team and sit.team not in same[0].cosponsors:
                yield Cosponsor(proposal=same[0].id)
            elif not self.is_package(item):
                # The compromise is on the table: help the others' texts through.
                yield from self.amendments(sit, item)
            return
        own = sit.own_tabled(item)
        if own is not None:
            change = offers.changes(item, own.clauses, text)
            if change:
                yield Amend(proposal=own.id, clauses=change, note="compromise revised")
            return
        yield Table(item=item.id, clauses=text, title=f"{item.title}: compromise"[:200])

    def vote(self, sit: Situation, item: Item, subject: str, text: Clauses) -> Choice:
        if self.is_package(item):
            # A package is judged by what it is worth, like any negotiator judges it.
            return super().vote(sit, item, subject, text)
        reference = self.reference(sit, item)
        if reference is None or sit.state.amendments.get(subject) is not None:
            return super().vote(sit, item, subject, text)
        if not self.consents(sit, item, text):
            return "no"
        u = sit.utility(item, text)
        if u is not None and u < sit.reservation(item) - EPS:
            return "no"
        near = NEAR - LOOSEN * sit.t
        return "yes" if offers.similarity(item, text, reference) >= near - EPS else "no"

    def reference(self, sit: Situation, item: Item) -> Clauses | None:
        """The chair's own compromise this round if it tabled one, else the compromise of
        the texts it has seen."""
        s = sit.state
        own = [
            p
            for p in s.proposals.values()
            if p.item == item.id and p.sponsor == sit.team and p.round == s.round
        ]
        if own:
            return max(own, key=lambda p: p.seq).clauses
        return self.compromise(sit, item)
