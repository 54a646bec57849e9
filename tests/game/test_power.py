"""Voting power against hand-worked cases and against brute force on small games."""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import pytest

from game.analysis.power import MAX_VOTERS, banzhaf, shapley_shubik, winning_set, wins
from game.decision_rules import Voter
from game.scenario.rules import (
    Consensus,
    DoubleMajority,
    Majority,
    QualifiedMajority,
    SecurityCouncil,
    SilenceProcedure,
    Unanimity,
    Weighted,
)

PERMANENT = ["china", "france", "russia", "uk", "us"]
ELECTED = [f"elected_{i}" for i in range(10)]
COUNCIL = [Voter(id=p, permanent=True, veto=True) for p in PERMANENT] + [
    Voter(id=e) for e in ELECTED
]


def plain(*ids: str) -> list[Voter]:
    return [Voter(id=i) for i in ids]


def brute_banzhaf(rule, voters) -> dict[str, Fraction]:
    """Swings counted coalition by coalition, each coalition decided by `tally`."""
    ids = [v.id for v in voters]
    win = {
        frozenset(c): wins(rule, voters, set(c))
        for k in range(len(ids) + 1)
        for c in itertools.combinations(ids, k)
    }
    swings = {i: sum(1 for c, w in win.items() if w and i in c and not win[c - {i}]) for i in ids}
    total = sum(swings.values())
    return {i: Fraction(s, total) if total else Fraction(0) for i, s in swings.items()}


def brute_shapley_shubik(rule, voters) -> dict[str, Fraction]:
    """Pivots counted order by order over all n! orders of the voters."""
    ids = [v.id for v in voters]
    cache: dict[frozenset, bool] = {}

    def won(c: frozenset) -> bool:
        if c not in cache:
            cache[c] = wins(rule, voters, set(c))
        return cache[c]

    pivots = dict.fromkeys(ids, 0)
    for order in itertools.permutations(ids):
        so_far: frozenset = frozenset()
        for i in order:
            if not won(so_far) and won(so_far | {i}):
                pivots[i] += 1
                break
            so_far |= {i}
    return {i: Fraction(p, math.factorial(len(ids))) for i, p in pivots.items()}


def approx(expected: dict[str, Fraction]) -> dict:
    return pytest.approx({i: float(x) for i, x in expected.items()}, abs=1e-12)


def test_weighted_51_50_49_1():
    """[51; 50, 49, 1]: the big voter swings in 3 of the 5 swings, the others in 1 each;
    it is pivotal in 4 of the 6 orders (whenever it is not first), the others in 1 each."""
    rule = Weighted(weights={"a": 50, "b": 49, "c": 1}, threshold=0.51)
    voters = plain("a", "b", "c")
    assert banzhaf(rule, voters) == pytest.approx({"a": 3 / 5, "b": 1 / 5, "c": 1 / 5})
    assert shapley_shubik(rule, voters) == pytest.approx({"a": 2 / 3, "b": 1 / 6, "c": 1 / 6})


def test_security_council_by_hand_and_by_brute_force():
    """The Security Council (5 permanent members with a veto, 10 elected, 9 votes).

    By hand: an elected member swings when it is one of exactly 4 elected members with all 5
    permanent ones, C(9, 3) = 84 coalitions of 9 members, in each of which it is pivotal in
    8!·6! of the 15! orders; a permanent member swings in every winning coalition, those with
    all five and 4 to 10 elected members. The literature's figures are 0.19627 and 0.001865
    (Shapley–Shubik), 0.1669 and 0.0165 (Banzhaf, normalised).
    """
    elected_swings = math.comb(9, 3)
    permanent_swings = sum(math.comb(10, k) for k in range(4, 11))
    total = 5 * permanent_swings + 10 * elected_swings
    elected_ss = Fraction(
        elected_swings * math.factorial(8) * math.factorial(6), math.factorial(15)
    )
    permanent_ss = (1 - 10 * elected_ss) / 5

    b = banzhaf(SecurityCouncil(), COUNCIL)
    s = shapley_shubik(SecurityCouncil(), COUNCIL)
    for p in PERMANENT:
        assert b[p] == pytest.approx(permanent_swings / total, abs=1e-12)
        assert b[p] == pytest.approx(0.1669, abs=1e-4)
        assert s[p] == pytest.approx(float(permanent_ss), abs=1e-12)
        assert s[p] == pytest.approx(0.19627, abs=1e-5)
    for e in ELECTED:
        assert b[e] == pytest.approx(elected_swings / total, abs=1e-12)
        assert b[e] == pytest.approx(0.0165, abs=1e-4)
        assert s[e] == pytest.approx(float(elected_ss), abs=1e-12)
        assert s[e] == pytest.approx(0.001865, abs=1e-6)

    # Brute force over all 2^15 coalitions, each one decided by `tally`.
    assert b == approx(brute_banzhaf(SecurityCouncil(), COUNCIL))
    table = winning_set(SecurityCouncil(), COUNCIL, by_tally=True)
    assert winning_set(SecurityCouncil(), COUNCIL) == table
    orders = 0
    for j, v in enumerate(COUNCIL):
        bit = 1 << j
        swings = [
            m for m in range(1 << 15) if m & bit and table >> m & 1 and not table >> (m ^ bit) & 1
        ]
        pivotal = sum(
            math.factorial(m.bit_count() - 1) * math.factorial(15 - m.bit_count()) for m in swings
        )
        assert s[v.id] == pytest.approx(pivotal / math.factorial(15), abs=1e-12)
        orders += pivotal
    assert orders == math.factorial(15)  # every order has exactly one pivot


@pytest.mark.parametrize("rule", [Unanimity(), Consensus(), SilenceProcedure(), Majority()])
def test_symmetric_rules_give_equal_shares(rule):
    """Under unanimity (and consensus and the silence procedure, which power treats as
    unanimity), or a simple majority, every voter has the same power."""
    voters = plain("a", "b", "c", "d", "e")
    for index in (banzhaf(rule, voters), shapley_shubik(rule, voters)):
        assert index == pytest.approx(dict.fromkeys("abcde", 1 / 5))


def test_unanimity_swings():
    """Under unanimity each voter swings only in the grand coalition, so the Banzhaf and
    Shapley–Shubik indices agree; the silence procedure gives the same."""
    voters = plain("a", "b", "c")
    unanimous = winning_set(Unanimity(), voters)
    assert unanimous == 1 << 0b111
    assert winning_set(SilenceProcedure(), voters) == unanimous
    assert winning_set(Consensus(), voters) == unanimous


def test_a_dummy_voter_gets_nothing():
    """[4; 2, 2, 1]: the small voter never turns a loss into a win, so it has no power, and a
    voter the weights leave out has none either."""
    rule = Weighted(weights={"a": 2, "b": 2, "c": 1}, threshold=0.8)
    voters = plain("a", "b", "c", "x")
    for index in (banzhaf(rule, voters), shapley_shubik(rule, voters)):
        assert index == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.0, "x": 0.0})


def test_a_veto_makes_the_difference():
    """A qualified majority of 2 of 3 gives equal power; the same count with one veto holder
    (a Security Council of three needing 2) gives the veto holder the most."""
    voters = [Voter(id="p", veto=True), *plain("a", "b")]
    equal = shapley_shubik(QualifiedMajority(k=2), voters)
    assert equal == pytest.approx({"p": 1 / 3, "a": 1 / 3, "b": 1 / 3})
    vetoed = shapley_shubik(SecurityCouncil(affirmative=2), voters)
    assert vetoed == pytest.approx({"p": 2 / 3, "a": 1 / 6, "b": 1 / 6})
    assert banzhaf(SecurityCouncil(affirmative=2), voters) == pytest.approx(
        {"p": 3 / 5, "a": 1 / 5, "b": 1 / 5}
    )


def test_a_rule_that_can_never_pass_gives_no_power():
    """No coalition wins, so nobody swings: all zeros rather than a division by zero."""
    voters = COUNCIL[:8]
    assert banzhaf(SecurityCouncil(), voters) == dict.fromkeys((v.id for v in voters), 0.0)
    assert shapley_shubik(SecurityCouncil(), voters) == dict.fromkeys((v.id for v in voters), 0.0)


def test_no_voters_and_too_many_voters():
    """No voters have no power; more than MAX_VOTERS are refused rather than left to run."""
    assert banzhaf(Majority(), []) == {}
    assert shapley_shubik(Majority(), []) == {}
    with pytest.raises(ValueError):
        banzhaf(Majority(), plain(*(f"v{i}" for i in range(MAX_VOTERS + 1))))


def test_twenty_voters_sum_to_one():
    """With 20 voters of different populations under a double majority, both indices are
    computed and each sums to 1."""
    rng = random.Random(20)
    voters = [Voter(id=f"m{i}", population=round(rng.uniform(0.4, 84.0), 1)) for i in range(20)]
    for index in (banzhaf(DoubleMajority(), voters), shapley_shubik(DoubleMajority(), voters)):
        assert sum(index.values()) == pytest.approx(1.0, abs=1e-12)
        assert all(x > 0 for x in index.values())
    big = max(voters, key=lambda v: v.population)
    small = min(voters, key=lambda v: v.population)
    b = banzhaf(DoubleMajority(), voters)
    assert b[big.id] > b[small.id]


def random_weighted(rng: random.Random, n: int) -> tuple[Weighted, list[Voter]]:
    ids = [f"v{i}" for i in range(n)]
    weights = {i: rng.choice([0, 1, 1, 2, 3, 5, 8, 0.5, 2.5]) for i in ids}
    threshold = rng.choice([0.25, 0.5, 0.51, 0.6, 2 / 3, 0.75, 1.0])
    basis = rng.choice(["cast", "members"])
    return Weighted(weights=weights, threshold=threshold, basis=basis), plain(*ids)


@pytest.mark.parametrize("seed", range(40))
def test_random_weighted_games_against_brute_force(seed):
    """On random weighted games of up to 6 voters, both indices equal the brute-force ones:
    Banzhaf over all coalitions, Shapley–Shubik over all orders of the voters."""
    rng = random.Random(seed)
    rule, voters = random_weighted(rng, rng.randint(1, 6))
    assert banzhaf(rule, voters) == approx(brute_banzhaf(rule, voters))
    assert shapley_shubik(rule, voters) == approx(brute_shapley_shubik(rule, voters))


SHARES = [0.0, 0.25, 0.5, 0.55, 0.6, 2 / 3, 0.7, 1.0]


def random_rule(rng: random.Random, ids: list[str]):
    basis = rng.choice(["cast", "members"])
    common = {"quorum": rng.choice([0.0, 0.5, 1.0]), "abstentions_count": rng.random() < 0.5}
    return rng.choice(
        [
            lambda: Consensus(**common),
            lambda: Unanimity(**common),
            lambda: SilenceProcedure(**common),
            lambda: Majority(basis=basis, **common),
            lambda: QualifiedMajority(basis=basis, k=rng.randint(1, len(ids) + 1), **common),
            lambda: QualifiedMajority(basis=basis, fraction=rng.choice(SHARES), **common),
            lambda: Weighted(
                basis=basis,
                threshold=rng.choice(SHARES),
                weights={i: rng.choice([0, 0.1, 0.2, 1, 2.5]) for i in ids if rng.random() < 0.8}
                or {"nobody": 1},
                **common,
            ),
            lambda: SecurityCouncil(affirmative=rng.randint(1, len(ids) + 1), **common),
            lambda: DoubleMajority(
                members=rng.choice(SHARES), population=rng.choice(SHARES), **common
            ),
        ]
    )()


@pytest.mark.parametrize("seed", range(150))
def test_quota_form_agrees_with_tally(seed):
    """For every rule kind, the winning coalitions built from the rule's quota form are exactly
    those `tally` adopts with the coalition voting yes and everyone else no."""
    rng = random.Random(seed)
    n = rng.randint(0, 7)
    ids = [f"v{i}" for i in range(n)]
    voters = [
        Voter(
            id=i,
            veto=rng.random() < 0.3,
            population=rng.choice([0.0, 0.1, 0.2, 0.3, 1.0, 45.5, 83.2]),
        )
        for i in ids
    ]
    rule = random_rule(rng, ids)
    assert winning_set(rule, voters) == winning_set(rule, voters, by_tally=True), rule
    if n <= 5:
        assert shapley_shubik(rule, voters) == approx(brute_shapley_shubik(rule, voters))
