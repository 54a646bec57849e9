"""Voting power (GAME.md section 4): how often each voter decides the outcome under a rule.

A rule and its electorate define a simple game: a coalition *wins* when the text is adopted
with its members voting yes and every other voter voting no (`wins`, which asks
`game.decision_rules.tally`). Everyone votes, so the quorum is always met and a basis of "votes
cast" is every voter. Consensus becomes unanimity (everyone outside the coalition votes no, so
only the whole electorate wins). The silence procedure has no votes: it is treated as unanimity
(a coalition wins only when it holds every voter, since anyone outside it would break silence).

A voter is a *swing* in a winning coalition S that contains it when S without it loses.

- `banzhaf`: the normalised Banzhaf index, each voter's number of swings over the total.
- `shapley_shubik`: the Shapley–Shubik index, the share of the n! orders of voters in which
  the voter is pivotal, computed exactly from coalitions: voter i is pivotal in the
  (|S|-1)!(n-|S|)! orders that put the rest of S before it and the others after, for each S in
  which i is a swing, so phi_i = sum (|S|-1)!(n-|S|)!/n! over those S.

Method: coalitions are the integers 0 .. 2^n - 1 (bit j for `voters[j]`) and a set of
coalitions is one Python integer used as a bitset (bit m set when coalition m is in it). The
winning set W is built once; the swings of voter i are then three bitwise operations,
W & has_i & ~((W & lacks_i) << 2^i) (coalitions with i that win while the same coalition
without i loses), and the sizes of those coalitions come from the bitsets of coalitions of each
size. Every count is an integer and the indices are exact fractions until they are returned
as floats, so exact for up to `MAX_VOTERS` voters in well under a second.

Every built-in rule is an intersection of quota games (the coalition's total of some
weights reaches a quota): a count of yes votes, the veto holders all voting yes, the yes
weight, the yes population. W is built from those quotas, each by splitting the voters in two
halves and sorting one half's subset sums (`winning_set`); a rule kind without such a form
falls back on asking `tally` for every coalition. The tests check that both give the same W
for every rule kind.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from game.decision_rules import Voter, tally
from game.scenario.rules import DecisionRule

MAX_VOTERS = 20

Quota = tuple[tuple[int, ...], int]
"""Integer weights, one per voter, and the total a winning coalition must reach."""


def wins(rule: DecisionRule, voters: list[Voter], coalition: set[str] | frozenset[str]) -> bool:
    """Whether the text is adopted when `coalition` votes yes and every other voter no."""
    if rule.kind == "silence_procedure":
        return all(v.id in coalition for v in voters)
    votes = {v.id: ("yes" if v.id in coalition else "no") for v in voters}
    return tally(rule, voters, votes).adopted


def banzhaf(rule: DecisionRule, voters: list[Voter]) -> dict[str, float]:
    """The normalised Banzhaf index of each voter: its swings over all voters' swings (all
    zeros when nobody ever swings, e.g. a rule that can never pass)."""
    swings = [s.bit_count() for s in _swings(rule, voters)]
    total = sum(swings)
    return {v.id: (s / total if total else 0.0) for v, s in zip(voters, swings, strict=True)}


def shapley_shubik(rule: DecisionRule, voters: list[Voter]) -> dict[str, float]:
    """The Shapley–Shubik index of each voter: the share of orderings of the voters in which
    it is the one that turns a losing coalition into a winning one (all zeros when no
    coalition wins)."""
    n = len(voters)
    sizes = _by_size(n)
    # orders[k]: the orders in which a voter comes right after the rest of a k-member coalition.
    orders = {k: math.factorial(k - 1) * math.factorial(n - k) for k in range(1, n + 1)}
    power = {}
    for v, swing in zip(voters, _swings(rule, voters), strict=True):
        pivotal = sum((swing & sizes[k]).bit_count() * orders[k] for k in orders)
        power[v.id] = float(Fraction(pivotal, math.factorial(n)))
    return power


def winning_set(rule: DecisionRule, voters: list[Voter], *, by_tally: bool = False) -> int:
    """The winning coalitions as a bitset: bit m is set when the coalition of the voters whose
    bits are set in m wins. From the rule's quota form, or with `by_tally` (or for a rule
    without one) by asking `wins` for every coalition."""
    n = len(voters)
    if n > MAX_VOTERS:
        raise ValueError(f"voting power is computed exactly for at most {MAX_VOTERS} voters")
    compile_ = _QUOTAS.get(rule.kind)
    if by_tally or compile_ is None:
        return _by_tally(rule, voters)
    winning = (1 << (1 << n)) - 1
    for weights, quota in compile_(rule, voters):
        winning &= _reaching(weights, quota)
    return winning


# ---------------------------------------------------------------------------------------------
# Bitsets over coalitions


def _swings(rule: DecisionRule, voters: list[Voter]) -> list[int]:
    """For each voter, the bitset of winning coalitions in which it is a swing."""
    n = len(voters)
    winning = winning_set(rule, voters)
    everyone = (1 << (1 << n)) - 1
    out = []
    for i in range(n):
        has = _having(i, n)
        without_i = winning & (everyone ^ has)
        out.append(winning & has & ~(without_i << (1 << i)))
    return out


def _having(i: int, n: int) -> int:
    """The coalitions of n voters that contain voter i."""
    half = 1 << i
    pattern, period = ((1 << half) - 1) << half, 2 * half
    while period < (1 << n):
        pattern |= pattern << period
        period *= 2
    return pattern


def _by_size(n: int) -> list[int]:
    """sizes[k]: the coalitions of n voters with exactly k members."""
    sizes = [1]
    for j in range(n):
        shift = 1 << j
        sizes = [
            (sizes[k] if k < len(sizes) else 0) | (sizes[k - 1] << shift if k else 0)
            for k in range(j + 2)
        ]
    return sizes


def _reaching(weights: Sequence[int], quota: int) -> int:
    """The coalitions whose total weight reaches `quota`.

    Meet in the middle: a coalition is a low half (the first voters) and a high half. For each
    high half the low halves that complete it are the heaviest ones, a prefix of the low
    halves sorted by weight, so each high half costs one bisection and one shift.
    """
    low = len(weights) // 2
    low_sums, high_sums = _subset_sums(weights[:low]), _subset_sums(weights[low:])
    heaviest = sorted(range(len(low_sums)), key=lambda m: (-low_sums[m], m))
    lightness = [-low_sums[m] for m in heaviest]  # ascending
    prefix = [0]
    for m in heaviest:
        prefix.append(prefix[-1] | (1 << m))
    width = 1 << low
    out = 0
    for high, total in enumerate(high_sums):
        count = bisect_right(lightness, total - quota)  # low halves with weight >= quota - total
        if count:
            out |= prefix[count] << (high * width)
    return out


def _subset_sums(weights: Sequence[int]) -> list[int]:
    sums = [0]
    for w in weights:
        sums += [s + w for s in sums]
    return sums


def _by_tally(rule: DecisionRule, voters: list[Voter]) -> int:
    out = 0
    for m in range(1 << len(voters)):
        coalition = {v.id for j, v in enumerate(voters) if m >> j & 1}
        if wins(rule, voters, coalition):
            out |= 1 << m
    return out


# ---------------------------------------------------------------------------------------------
# Each rule as quota games, with every voter voting yes or no (the quorum is always met, and
# "votes cast" is everyone). As in `tally`, a text nobody votes for is never adopted.


def _heads(voters: list[Voter], quota: int) -> Quota:
    return tuple(1 for _ in voters), max(quota, 1)


def _all(rule: Any, voters: list[Voter]) -> list[Quota]:
    return [_heads(voters, len(voters))]


def _everyone(rule: Any, voters: list[Voter]) -> list[Quota]:
    # The silence procedure has no "nobody in favour" clause: no voters, nobody breaks it.
    return [(tuple(1 for _ in voters), len(voters))]


def _majority(rule: Any, voters: list[Voter]) -> list[Quota]:
    return [_heads(voters, len(voters) // 2 + 1)]


def _qualified(rule: Any, voters: list[Voter]) -> list[Quota]:
    if rule.k is not None:
        return [_heads(voters, rule.k)]
    return [_heads(voters, math.ceil(_exact(rule.fraction) * len(voters)))]


def _weighted(rule: Any, voters: list[Voter]) -> list[Quota]:
    weights = _integers([_exact(rule.weights.get(v.id, 0)) for v in voters])
    # The yes weight must be positive: at least 1 once the weights are integers.
    return [(weights, max(math.ceil(_exact(rule.threshold) * sum(weights)), 1))]


def _security_council(rule: Any, voters: list[Voter]) -> list[Quota]:
    vetoes = tuple(int(v.veto) for v in voters)
    return [_heads(voters, rule.affirmative), (vetoes, sum(vetoes))]


def _double_majority(rule: Any, voters: list[Voter]) -> list[Quota]:
    population = _integers([_exact(v.population) for v in voters])
    return [
        _heads(voters, math.ceil(_exact(rule.members) * len(voters))),
        (population, math.ceil(_exact(rule.population) * sum(population))),
    ]


_QUOTAS: dict[str, Callable[[Any, list[Voter]], list[Quota]]] = {
    "consensus": _all,  # no "no" vote: everyone is in the coalition
    "unanimity": _all,
    "silence_procedure": _everyone,
    "majority": _majority,
    "qualified_majority": _qualified,
    "weighted": _weighted,
    "security_council": _security_council,
    "double_majority": _double_majority,
}


def _exact(x: float) -> Fraction:
    return Fraction(str(x))


def _integers(values: list[Fraction]) -> tuple[int, ...]:
    """The same values scaled by a common denominator, so quotas stay exact."""
    scale = math.lcm(*(v.denominator for v in values)) if values else 1
    return tuple(int(v * scale) for v in values)
