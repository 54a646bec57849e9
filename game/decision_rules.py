"""Tallies: does a ballot's result adopt the text under the item's decision rule?

INTERFACE (implemented by the decision-rules work; do not change signatures without
updating every caller):

    tally(rule, voters, votes, *, silence_broken=()) -> Tally
    can_ever_pass(rule, voters) -> bool

`voters` are the eligible voters (teams and non-player Council voters) with the attributes
the rules need; `votes` maps a voter id to yes/no/abstain (a voter missing from it did not
vote). Pure: no state, no clock.

Conventions every rule shares (GAME.md section 4):

- Only eligible voters count: a vote from an id that is not among `voters` is ignored, and so
  is a `silence_broken` entry from one.
- Exact arithmetic: every share or amount the scenario gives (quorum, fractions, thresholds,
  weights, populations) is read as the decimal it is written as, `Fraction(str(x))`, so a
  threshold of 0.55 is exactly 55/100 and a result exactly at an edge passes.
- Quorum: at least `quorum` of the eligible voters must cast a ballot (yes, no or abstain),
  or the text is not adopted whatever the rule. The silence procedure is the exception: it has
  no ballots, and every eligible voter that keeps silence is deemed to take part.
- Nobody in favour: no rule that takes votes adopts a text nobody voted for. In particular a
  consensus is not blocked by abstentions or absences, but needs at least one yes.
- `reason` is one sentence with the figures, the same for the same inputs; names are listed
  in the order of `voters`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from game.commands import Choice
from game.scenario.rules import (
    Consensus,
    DecisionRule,
    DoubleMajority,
    Majority,
    QualifiedMajority,
    SecurityCouncil,
    SilenceProcedure,
    Unanimity,
    Weighted,
)


class Voter(BaseModel):
    """An eligible voter as the rules see it."""

    model_config = ConfigDict(frozen=True)

    id: str
    permanent: bool = False
    veto: bool = False
    population: float = 0.0


class Tally(BaseModel):
    """The result of a ballot, with the counts that explain it."""

    model_config = ConfigDict(frozen=True)

    adopted: bool
    reason: str = Field(description="One sentence a person can read: why it passed or failed.")
    yes: int = 0
    no: int = 0
    abstain: int = 0
    absent: int = 0
    quorum_met: bool = True
    vetoed_by: list[str] = Field(default_factory=list)


def tally(
    rule: DecisionRule,
    voters: list[Voter],
    votes: Mapping[str, Choice],
    *,
    silence_broken: Iterable[str] = (),
) -> Tally:
    """The result of a ballot under `rule` (see the module docstring for the conventions)."""
    ballot = _Ballot.of(voters, votes, silence_broken)
    decide = _RULES[rule.kind]
    if rule.kind not in _WITHOUT_VOTES:
        early = _quorum(rule, ballot) or _nobody_in_favour(ballot)
        if early is not None:
            return early
    return decide(rule, ballot)


def can_ever_pass(rule: DecisionRule, voters: list[Voter]) -> bool:
    """Whether `rule` adopts a text when every eligible voter votes yes.

    Every rule is monotone (more yes votes never hurt), so a rule that fails then can never
    adopt anything: too few voters for a count, weights that are all zero, and so on.
    """
    return tally(rule, voters, {v.id: "yes" for v in voters}).adopted


# ---------------------------------------------------------------------------------------------
# The ballot as the rules read it


@dataclass(frozen=True)
class _Ballot:
    voters: tuple[Voter, ...]
    choices: Mapping[str, Choice]
    broken: tuple[str, ...]

    @classmethod
    def of(cls, voters: list[Voter], votes: Mapping[str, Choice], broken: Iterable[str]) -> _Ballot:
        eligible = {v.id for v in voters}
        choices = {k: c for k, c in votes.items() if k in eligible and c in _CHOICES}
        broke = set(broken)
        return cls(tuple(voters), choices, tuple(v.id for v in voters if v.id in broke))

    def who(self, choice: Choice) -> list[str]:
        return [v.id for v in self.voters if self.choices.get(v.id) == choice]

    def count(self, choice: Choice) -> int:
        return sum(1 for c in self.choices.values() if c == choice)

    @property
    def yes(self) -> int:
        return self.count("yes")

    @property
    def no(self) -> int:
        return self.count("no")

    @property
    def abstain(self) -> int:
        return self.count("abstain")

    @property
    def cast(self) -> int:
        return len(self.choices)

    @property
    def absent(self) -> int:
        return len(self.voters) - self.cast

    def counted(self, abstentions_count: bool) -> list[Voter]:
        """The voters in a 'votes cast' basis: yes and no, and abstain when they count."""
        kinds = ("yes", "no", "abstain") if abstentions_count else ("yes", "no")
        return [v for v in self.voters if self.choices.get(v.id) in kinds]

    def figures(self) -> str:
        text = f"{self.yes} in favour, {self.no} against, {self.abstain} abstaining"
        return f"{text}, {self.absent} absent" if self.absent else text

    def result(
        self,
        adopted: bool,
        why: str,
        *,
        figures: bool = True,
        quorum_met: bool = True,
        vetoed_by: list[str] | None = None,
    ) -> Tally:
        if not figures:
            reason = f"{'Adopted' if adopted else 'Not adopted'}: {why}."
        elif adopted:
            reason = f"Adopted: {self.figures()}; {why}."
        else:
            reason = f"Not adopted: {why}; {self.figures()}."
        return Tally(
            adopted=adopted,
            reason=reason,
            yes=self.yes,
            no=self.no,
            abstain=self.abstain,
            absent=self.absent,
            quorum_met=quorum_met,
            vetoed_by=vetoed_by or [],
        )


_CHOICES = ("yes", "no", "abstain")


def _quorum(rule: Any, b: _Ballot) -> Tally | None:
    needed = math.ceil(_exact(rule.quorum) * len(b.voters))
    if b.cast >= needed:
        return None
    why = (
        f"quorum not met, {b.cast} of {len(b.voters)} eligible voters voted "
        f"and {needed} were needed"
    )
    return b.result(False, why, quorum_met=False)


def _nobody_in_favour(b: _Ballot) -> Tally | None:
    return None if b.yes else b.result(False, "nobody voted in favour")


# ---------------------------------------------------------------------------------------------
# One function per rule


def _consensus(rule: Consensus, b: _Ballot) -> Tally:
    objectors = b.who("no")
    if objectors:
        return b.result(False, f"{_names(objectors)} objected")
    return b.result(True, "nobody objected")


def _unanimity(rule: Unanimity, b: _Ballot) -> Tally:
    n = len(b.voters)
    if b.yes == n:
        return b.result(True, f"all {n} eligible voters voted yes")
    return b.result(False, f"{b.yes} of {n} eligible voters voted yes and unanimity needs all {n}")


def _majority(rule: Majority, b: _Ballot) -> Tally:
    basis = _basis(rule, b)
    adopted = 2 * b.yes > basis
    verb = "is" if adopted else "is not"
    return b.result(adopted, f"{b.yes} in favour {verb} more than half of {basis} {_label(rule)}")


def _qualified_majority(rule: QualifiedMajority, b: _Ballot) -> Tally:
    if rule.k is not None:
        needed, of = rule.k, ""
    else:
        basis = _basis(rule, b)
        needed = math.ceil(_exact(rule.fraction) * basis)
        of = f", {_pct(_exact(rule.fraction))} of {basis} {_label(rule)}"
    adopted = b.yes >= needed
    verb = "reaches" if adopted else "falls short of"
    return b.result(adopted, f"{b.yes} in favour {verb} the {needed} needed{of}")


def _weighted(rule: Weighted, b: _Ballot) -> Tally:
    weight = {v.id: _exact(rule.weights.get(v.id, 0)) for v in b.voters}
    members = b.voters if rule.basis == "members" else b.counted(rule.abstentions_count)
    total = sum((weight[v.id] for v in members), Fraction(0))
    yes = sum((weight[i] for i in b.who("yes")), Fraction(0))
    if yes == 0:
        return b.result(False, "the votes in favour carry no weight")
    needed = _exact(rule.threshold) * total
    adopted = yes >= needed
    verb = "reaches" if adopted else "falls short of"
    why = (
        f"a weight of {_num(yes)} in favour {verb} {_pct(_exact(rule.threshold))} "
        f"of {_num(total)}, the total weight of the {_label(rule)}"
    )
    return b.result(adopted, why)


def _security_council(rule: SecurityCouncil, b: _Ballot) -> Tally:
    vetoes = [v.id for v in b.voters if v.veto and b.choices.get(v.id) == "no"]
    problems = []
    if vetoes:
        problems.append(f"vetoed by {_names(vetoes)}")
    if b.yes < rule.affirmative:
        problems.append(f"only {b.yes} in favour of the {rule.affirmative} needed")
    if problems:
        return b.result(False, ", and ".join(problems), vetoed_by=vetoes)
    return b.result(True, "no permanent member voted against")


def _double_majority(rule: DoubleMajority, b: _Ballot) -> Tally:
    n = len(b.voters)
    need_members = math.ceil(_exact(rule.members) * n)
    population = {v.id: _exact(v.population) for v in b.voters}
    total = sum(population.values(), Fraction(0))
    yes_population = sum((population[i] for i in b.who("yes")), Fraction(0))
    need_population = _exact(rule.population) * total
    adopted = b.yes >= need_members and yes_population >= need_population
    why = (
        f"{b.yes} of {n} members in favour ({need_members} needed) "
        f"with {_num(yes_population)} of a population of {_num(total)} "
        f"({_num(need_population)} needed)"
    )
    return b.result(adopted, why)


def _silence_procedure(rule: SilenceProcedure, b: _Ballot) -> Tally:
    n = len(b.voters)
    if b.broken:
        why = f"silence broken by {_names(list(b.broken))} ({len(b.broken)} of {n} eligible voters)"
        return b.result(False, why, figures=False)
    return b.result(True, f"silence kept by all {n} eligible voters", figures=False)


_RULES: dict[str, Callable[[Any, _Ballot], Tally]] = {
    "consensus": _consensus,
    "unanimity": _unanimity,
    "majority": _majority,
    "qualified_majority": _qualified_majority,
    "weighted": _weighted,
    "security_council": _security_council,
    "double_majority": _double_majority,
    "silence_procedure": _silence_procedure,
}

_WITHOUT_VOTES = frozenset({"silence_procedure"})


# ---------------------------------------------------------------------------------------------
# Helpers


def _exact(x: float) -> Fraction:
    """A scenario number as the decimal it is written as: 0.55 is 55/100, not the nearest
    binary float (which is slightly more and would make 'exactly 55%' fail)."""
    return Fraction(str(x))


def _basis(rule: Majority | QualifiedMajority, b: _Ballot) -> int:
    if rule.basis == "members":
        return len(b.voters)
    return len(b.counted(rule.abstentions_count))


def _label(rule: Majority | QualifiedMajority | Weighted) -> str:
    if rule.basis == "members":
        return "eligible voters"
    return "votes cast" if rule.abstentions_count else "votes cast for or against"


def _names(ids: list[str]) -> str:
    if len(ids) <= 1:
        return "".join(ids)
    return f"{', '.join(ids[:-1])} and {ids[-1]}"


def _num(x: Fraction) -> str:
    """A figure as a person writes it: exact when it is a short decimal."""
    if x < 0:
        return f"-{_num(-x)}"
    for places in range(7):
        scaled = x * 10**places
        if scaled.denominator == 1:
            if places == 0:
                return str(scaled.numerator)
            whole, part = divmod(scaled.numerator, 10**places)
            return f"{whole}.{part:0{places}d}"
    return f"{float(x):.6g}"


def _pct(x: Fraction) -> str:
    return f"{_num(x * 100)}%"
