"""The decision rules' conformance catalogue (GAME.md section 4), case by case.

Each case's docstring states the rule it checks, in the manner of a rules test suite: numbered,
one ruling per case. A property test at the end checks that every rule that takes votes is
monotone.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.decision_rules import Tally, Voter, can_ever_pass, tally
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
ELECTED = [
    "algeria",
    "guyana",
    "japan",
    "malta",
    "mozambique",
    "korea",
    "ecuador",
    "sierra_leone",
    "slovenia",
    "switzerland",
]
COUNCIL = [Voter(id=p, permanent=True, veto=True) for p in PERMANENT] + [
    Voter(id=e) for e in ELECTED
]


def plain(*ids: str) -> list[Voter]:
    return [Voter(id=i) for i in ids]


def ballot(yes=(), no=(), abstain=()) -> dict[str, str]:
    votes = {i: "yes" for i in yes}
    votes.update({i: "no" for i in no})
    votes.update({i: "abstain" for i in abstain})
    return votes


def council_vote(yes, no=(), abstain=()) -> Tally:
    return tally(SecurityCouncil(), COUNCIL, ballot(yes, no, abstain))


def counts(t: Tally) -> tuple[int, int, int, int]:
    return t.yes, t.no, t.abstain, t.absent


# --- Security Council (Article 27(3)) ---------------------------------------------------------


def test_01_nine_yes_with_a_permanent_member_abstaining_passes():
    """9 yes with a permanent member abstaining passes."""
    t = council_vote(PERMANENT[1:] + ELECTED[:5], no=ELECTED[5:], abstain=["china"])
    assert t.adopted
    assert counts(t) == (9, 5, 1, 0)
    assert t.vetoed_by == []
    assert t.reason == (
        "Adopted: 9 in favour, 5 against, 1 abstaining; no permanent member voted against."
    )


def test_02_nine_yes_with_one_permanent_member_against_fails():
    """9 yes with one permanent member against fails: it is a veto, and it is named."""
    t = council_vote(PERMANENT[:2] + PERMANENT[3:] + ELECTED[:5], no=["russia"])
    assert not t.adopted
    assert t.yes == 9
    assert t.vetoed_by == ["russia"]
    assert t.reason.startswith("Not adopted: vetoed by russia;")


def test_03_eight_yes_fails():
    """8 yes fails, even with no negative vote at all."""
    t = council_vote(PERMANENT + ELECTED[:3], abstain=ELECTED[3:])
    assert not t.adopted
    assert t.vetoed_by == []
    assert "only 8 in favour of the 9 needed" in t.reason


def test_04_fifteen_yes_passes():
    """15 yes passes."""
    t = council_vote(PERMANENT + ELECTED)
    assert t.adopted
    assert counts(t) == (15, 0, 0, 0)


def test_05_a_permanent_member_absent_is_not_a_veto():
    """A permanent member that does not vote at all does not veto."""
    t = council_vote(PERMANENT[:4] + ELECTED[:5], no=ELECTED[5:])
    assert t.adopted
    assert t.absent == 1
    assert t.vetoed_by == []


def test_06_a_non_permanent_members_no_is_not_a_veto():
    """An elected member's no counts against but is not a veto."""
    t = council_vote(PERMANENT + ELECTED[:4], no=ELECTED[4:])
    assert t.adopted
    assert counts(t) == (9, 6, 0, 0)


def test_07_every_veto_is_named_in_voter_order():
    """Several vetoes are all listed, in the order of the voters, whatever the order of the
    votes; a veto and too few yes votes are both given as reasons."""
    votes = {"us": "no", **ballot(ELECTED[:7]), "china": "no"}
    t = tally(SecurityCouncil(), COUNCIL, votes)
    assert not t.adopted
    assert t.vetoed_by == ["china", "us"]
    assert t.reason.startswith(
        "Not adopted: vetoed by china and us, and only 7 in favour of the 9 needed;"
    )


def test_08_the_veto_belongs_to_the_veto_flag():
    """Only a voter with a veto can veto: a permanent member without one cannot."""
    voters = [Voter(id="a", permanent=True), Voter(id="b", veto=True), *plain("c", "d")]
    rule = SecurityCouncil(affirmative=2)
    assert tally(rule, voters, ballot(["c", "d"], no=["a"])).adopted
    assert tally(rule, voters, ballot(["c", "d"], no=["b"])).vetoed_by == ["b"]


# --- Double majority (EU Council) -------------------------------------------------------------

MEMBER_STATES = [f"m{i:02d}" for i in range(20)]


def eu(populations: list[float]) -> list[Voter]:
    return [Voter(id=m, population=p) for m, p in zip(MEMBER_STATES, populations, strict=True)]


def test_09_double_majority_exactly_at_both_edges_passes():
    """11 of 20 members (exactly 55%) representing exactly 65% of the population pass, although
    0.55 × 20 in floating point is a little more than 11."""
    voters = eu([6.5] * 10 + [0.0] + [4.0] * 8 + [3.0])  # 65 in favour, 35 against
    t = tally(DoubleMajority(), voters, ballot(MEMBER_STATES[:11], no=MEMBER_STATES[11:]))
    assert t.adopted, t.reason
    assert "11 of 20 members in favour (11 needed)" in t.reason
    assert "65 of a population of 100 (65 needed)" in t.reason


def test_10_double_majority_one_member_short_fails():
    """10 of 20 members (under 55%) fail even when they hold far more than 65% of the
    population."""
    voters = eu([9.0] * 10 + [1.0] * 10)
    t = tally(DoubleMajority(), voters, ballot(MEMBER_STATES[:10], no=MEMBER_STATES[10:]))
    assert not t.adopted
    assert "10 of 20 members in favour (11 needed)" in t.reason


def test_11_double_majority_just_under_the_population_edge_fails():
    """11 of 20 members holding 64.9% of the population fail; 65.1% passes."""
    under = eu([5.9] * 11 + [3.9] * 9)
    t = tally(DoubleMajority(), under, ballot(MEMBER_STATES[:11], no=MEMBER_STATES[11:]))
    assert not t.adopted
    assert "with 64.9 of a population of 100 (65 needed)" in t.reason
    over = eu([5.9] * 10 + [6.1] + [3.9] * 8 + [3.7])
    assert tally(DoubleMajority(), over, ballot(MEMBER_STATES[:11])).adopted


# --- Silence procedure ------------------------------------------------------------------------


def test_12_silence_kept_is_adopted():
    """A text under the silence procedure is adopted when nobody breaks silence; votes play
    no part."""
    voters = plain("austria", "malta", "turkey")
    t = tally(SilenceProcedure(), voters, ballot(no=["austria", "malta"]))
    assert t.adopted
    assert t.reason == "Adopted: silence kept by all 3 eligible voters."


def test_13_silence_broken_fails_and_names_who_broke_it():
    """A broken silence defeats the text and the reason names who broke it, in voter order;
    an ineligible id breaking silence does not count."""
    voters = plain("austria", "malta", "turkey")
    rule = SilenceProcedure()
    t = tally(rule, voters, {}, silence_broken=["turkey", "austria", "canada"])
    assert not t.adopted
    assert t.reason == (
        "Not adopted: silence broken by austria and turkey (2 of 3 eligible voters)."
    )
    assert tally(rule, voters, {}, silence_broken=["canada"]).adopted


def test_14_silence_has_no_quorum():
    """The silence procedure has no ballots, so a quorum cannot defeat it: keeping silence is
    taking part."""
    assert tally(SilenceProcedure(quorum=1.0), plain("a", "b"), {}).adopted


# --- Consensus and unanimity ------------------------------------------------------------------


def test_15_consensus_with_abstentions_passes():
    """Abstentions and absences do not block a consensus."""
    t = tally(Consensus(), plain("a", "b", "c", "d"), ballot(["a"], abstain=["b", "c"]))
    assert t.adopted
    assert counts(t) == (1, 0, 2, 1)
    assert t.reason == "Adopted: 1 in favour, 0 against, 2 abstaining, 1 absent; nobody objected."


def test_16_consensus_with_one_no_fails():
    """A single no blocks a consensus and is named."""
    t = tally(Consensus(), plain("a", "b", "c", "d"), ballot(["a", "b", "d"], no=["c"]))
    assert not t.adopted
    assert t.reason == "Not adopted: c objected; 3 in favour, 1 against, 0 abstaining."


def test_17_consensus_with_nobody_voting_yes_fails():
    """A text nobody supports is not adopted by consensus, even though nobody objects."""
    t = tally(Consensus(), plain("a", "b", "c"), ballot(abstain=["a", "b"]))
    assert not t.adopted
    assert t.reason == (
        "Not adopted: nobody voted in favour; 0 in favour, 0 against, 2 abstaining, 1 absent."
    )


def test_18_unanimity_with_an_abstention_fails():
    """Unanimity needs every eligible voter's yes: one abstention defeats it."""
    voters = plain("a", "b", "c")
    assert not tally(Unanimity(), voters, ballot(["a", "b"], abstain=["c"])).adopted
    assert not tally(Unanimity(), voters, ballot(["a", "b"])).adopted
    assert tally(Unanimity(), voters, ballot(["a", "b", "c"])).adopted


# --- Majorities -------------------------------------------------------------------------------

TEN = plain(*(f"t{i}" for i in range(10)))
IDS = [v.id for v in TEN]


def test_19_majority_of_cast_and_of_members_differ_on_the_same_ballot():
    """4 yes, 3 no and 3 absent out of 10 is a majority of the votes cast, not of members."""
    votes = ballot(IDS[:4], no=IDS[4:7])
    cast = tally(Majority(basis="cast"), TEN, votes)
    members = tally(Majority(basis="members"), TEN, votes)
    assert cast.adopted
    assert not members.adopted
    assert "4 in favour is not more than half of 10 eligible voters" in members.reason


def test_20_majority_is_strictly_more_than_half():
    """A tie is not a majority."""
    assert not tally(Majority(), TEN, ballot(IDS[:5], no=IDS[5:])).adopted
    assert tally(Majority(), TEN, ballot(IDS[:6], no=IDS[6:])).adopted


def test_21_abstentions_count_changes_the_result():
    """5 yes, 4 no, 1 abstaining: a majority of those present and voting, but not when the
    abstention counts as cast."""
    votes = ballot(IDS[:5], no=IDS[5:9], abstain=IDS[9:])
    assert tally(Majority(), TEN, votes).adopted
    t = tally(Majority(abstentions_count=True), TEN, votes)
    assert not t.adopted
    assert "5 in favour is not more than half of 10 votes cast" in t.reason


def test_22_qualified_majority_by_count_at_the_edge():
    """k = 7 is met by exactly 7 yes votes and missed by 6."""
    rule = QualifiedMajority(k=7)
    assert tally(rule, TEN, ballot(IDS[:7], no=IDS[7:])).adopted
    t = tally(rule, TEN, ballot(IDS[:6], no=IDS[6:]))
    assert not t.adopted
    assert "6 in favour falls short of the 7 needed" in t.reason


def test_23_qualified_majority_by_fraction_at_the_edge():
    """A fraction of 0.7 of 10 members is met by exactly 7 (0.7 × 10 in floating point is a
    little more than 7) and missed by 6."""
    rule = QualifiedMajority(fraction=0.7)
    assert tally(rule, TEN, ballot(IDS[:7], no=IDS[7:])).adopted
    assert not tally(rule, TEN, ballot(IDS[:6], no=IDS[6:])).adopted


def test_24_qualified_majority_by_fraction_of_votes_cast():
    """Two thirds of the votes cast: 4 of 6 cast passes where 4 of 10 members would not."""
    votes = ballot(IDS[:4], no=IDS[4:6])
    assert tally(QualifiedMajority(basis="cast", fraction=2 / 3), TEN, votes).adopted
    assert not tally(QualifiedMajority(fraction=2 / 3), TEN, votes).adopted


# --- Weighted ---------------------------------------------------------------------------------


def test_25_weighted_exactly_at_the_threshold_passes():
    """A yes weight of exactly half the total passes a threshold of one half (1.1 + 2.2 + 3.3
    in floating point is a little more than 6.6)."""
    rule = Weighted(weights={"a": 1.1, "b": 2.2, "c": 3.3}, threshold=0.5)
    t = tally(rule, plain("a", "b", "c"), ballot(["c"], no=["a", "b"]))
    assert t.adopted, t.reason
    assert "a weight of 3.3 in favour reaches 50% of 6.6" in t.reason


def test_26_weighted_just_under_the_threshold_fails():
    """A yes weight a little under the threshold fails."""
    rule = Weighted(weights={"a": 1.1, "b": 2.2, "c": 3.3, "d": 0.1}, threshold=0.5)
    voters = plain("a", "b", "c", "d")
    t = tally(rule, voters, ballot(["c"], no=["a", "b", "d"]))
    assert not t.adopted
    assert "3.3 in favour falls short of 50% of 6.7" in t.reason
    assert tally(rule, voters, ballot(["c", "d"], no=["a", "b"])).adopted


def test_27_weighted_of_votes_cast():
    """With basis 'cast' only those who vote count in the total: a heavy absent voter does
    not, and an abstaining one does only when abstentions count."""
    weights = {"a": 1, "b": 1, "c": 10}
    voters = plain("a", "b", "c")
    assert not tally(Weighted(weights=weights, threshold=0.5), voters, ballot(["a"], ["b"])).adopted
    cast = Weighted(weights=weights, threshold=0.5, basis="cast")
    assert tally(cast, voters, ballot(["a"], ["b"])).adopted
    assert tally(cast, voters, ballot(["a"], ["b"], ["c"])).adopted
    counted = Weighted(weights=weights, threshold=0.5, basis="cast", abstentions_count=True)
    assert not tally(counted, voters, ballot(["a"], ["b"], ["c"])).adopted


def test_28_a_voter_without_a_weight_weighs_nothing():
    """A voter the weights leave out weighs 0: its yes alone adopts nothing."""
    rule = Weighted(weights={"a": 1, "b": 1}, threshold=0.0)
    voters = plain("a", "b", "x")
    t = tally(rule, voters, ballot(["x"], no=["a", "b"]))
    assert not t.adopted
    assert t.reason.startswith("Not adopted: the votes in favour carry no weight;")
    assert tally(rule, voters, ballot(["a"], no=["b", "x"])).adopted


# --- Common to every rule ---------------------------------------------------------------------


def rules_passing_four_of_ten() -> list:
    """One rule of each kind that takes votes, set so that 4 yes of 10 voters, 6 absent,
    adopts the text when there is no quorum."""
    return [
        Consensus(),
        Majority(),
        QualifiedMajority(k=4),
        QualifiedMajority(fraction=0.4),
        Weighted(weights={i: 1 for i in IDS}, threshold=0.4),
        SecurityCouncil(affirmative=4),
        DoubleMajority(members=0.4, population=0.4),
    ]


@pytest.mark.parametrize("rule", rules_passing_four_of_ten(), ids=lambda r: r.kind)
def test_29_quorum_not_met_fails_regardless_of_rule(rule):
    """Below the quorum the text is not adopted whatever the rule, and the reason gives the
    figures."""
    voters = [Voter(id=i, population=1.0) for i in IDS]
    votes = ballot(IDS[:4])
    assert tally(rule, voters, votes).adopted
    t = tally(rule.model_copy(update={"quorum": 0.5}), voters, votes)
    assert not t.adopted
    assert not t.quorum_met
    assert t.reason == (
        "Not adopted: quorum not met, 4 of 10 eligible voters voted and 5 were needed; "
        "4 in favour, 0 against, 0 abstaining, 6 absent."
    )


def test_30_quorum_exactly_met_stands():
    """A quorum of 0.3 of 10 is met by exactly 3 ballots (0.3 × 10 in floating point is a
    little more than 3), abstentions included; 2 ballots are not enough."""
    rule = Consensus(quorum=0.3)
    assert tally(rule, TEN, ballot(IDS[:1], abstain=IDS[1:3])).quorum_met
    assert tally(rule, TEN, ballot(IDS[:1], abstain=IDS[1:3])).adopted
    assert not tally(rule, TEN, ballot(IDS[:1], abstain=IDS[1:2])).quorum_met
    assert not tally(Unanimity(quorum=0.3), TEN, ballot(IDS[:2])).quorum_met


def test_31_votes_from_ineligible_ids_are_ignored():
    """A vote from an id that is not an eligible voter changes neither the counts nor the
    result."""
    voters = plain("a", "b", "c")
    t = tally(Consensus(), voters, {**ballot(["a"]), "outsider": "no"})
    assert t.adopted
    assert counts(t) == (1, 0, 0, 2)
    u = tally(Majority(), voters, {**ballot(["a"], no=["b"]), "x": "no", "y": "no"})
    assert not u.adopted  # 1 of 2 cast is not more than half
    assert counts(u) == (1, 1, 0, 1)
    v = tally(SecurityCouncil(), COUNCIL, {**ballot(PERMANENT + ELECTED[:4]), "x": "no"})
    assert v.adopted
    assert v.vetoed_by == []


def test_32_nobody_in_favour_adopts_nothing_under_any_rule():
    """No rule that takes votes adopts a text nobody voted for, even with thresholds of zero."""
    voters = [Voter(id=i, population=1.0) for i in IDS]
    votes = ballot(abstain=IDS)
    zero = [
        Consensus(),
        Unanimity(),
        Majority(),
        QualifiedMajority(fraction=0.0),
        Weighted(weights={i: 1 for i in IDS}, threshold=0.0),
        DoubleMajority(members=0.0, population=0.0),
    ]
    for rule in zero:
        t = tally(rule, voters, votes)
        assert not t.adopted, rule.kind
        assert "nobody voted in favour" in t.reason


def test_33_reasons_are_deterministic():
    """The same ballot gives the same reason whatever the order of the votes."""
    votes = ballot(PERMANENT[2:] + ELECTED[:6], no=["france", "china"], abstain=ELECTED[6:])
    backwards = dict(reversed(list(votes.items())))
    a = tally(SecurityCouncil(), COUNCIL, votes)
    b = tally(SecurityCouncil(), COUNCIL, backwards)
    assert a == b
    assert a.reason == (
        "Not adopted: vetoed by china and france; 9 in favour, 2 against, 4 abstaining."
    )


def test_34_no_voters_adopts_nothing():
    """An empty electorate adopts nothing by vote (there is nobody to vote yes)."""
    for rule in [*rules_passing_four_of_ten(), Unanimity()]:
        assert not tally(rule, [], {}).adopted, rule.kind


# --- can_ever_pass ----------------------------------------------------------------------------


def test_35_a_council_of_eight_can_never_pass():
    """A Security Council rule needing 9 affirmative votes cannot pass with 8 voters."""
    assert not can_ever_pass(SecurityCouncil(), COUNCIL[:8])
    assert can_ever_pass(SecurityCouncil(), COUNCIL[:9])


def test_36_a_count_above_the_voters_can_never_pass():
    """A qualified majority of k = 11 cannot pass with 10 voters."""
    assert not can_ever_pass(QualifiedMajority(k=11), TEN)
    assert can_ever_pass(QualifiedMajority(k=10), TEN)


def test_37_weights_the_voters_do_not_hold_can_never_pass():
    """Weights that all belong to others than the voters, or are all zero, reach nothing."""
    voters = plain("a", "b")
    assert not can_ever_pass(Weighted(weights={"x": 5, "y": 5}, threshold=0.5), voters)
    assert not can_ever_pass(Weighted(weights={"a": 0, "b": 0}, threshold=0.5), voters)
    assert can_ever_pass(Weighted(weights={"a": 1, "x": 100}, threshold=0.5), voters)


@pytest.mark.parametrize(
    "rule",
    [
        Consensus(),
        Unanimity(),
        Majority(),
        Majority(basis="members", quorum=1.0),
        QualifiedMajority(k=10),
        QualifiedMajority(fraction=1.0),
        Weighted(weights={i: 1 for i in IDS}, threshold=1.0),
        SecurityCouncil(),
        DoubleMajority(),
        SilenceProcedure(),
    ],
    ids=lambda r: r.kind,
)
def test_38_normal_rules_can_pass(rule):
    """Every rule as usually set can pass with its electorate all voting yes."""
    voters = [Voter(id=i, population=1.0) for i in IDS]
    if rule.kind == "security_council":
        voters = COUNCIL
    assert can_ever_pass(rule, voters)


# --- Monotonicity -----------------------------------------------------------------------------

SHARES = [0.0, 0.25, 0.5, 0.55, 0.6, 2 / 3, 0.7, 1.0]
common = {"quorum": st.sampled_from([0.0, 0.0, 0.25, 0.5]), "abstentions_count": st.booleans()}


def monotone_rules(ids: list[str]):
    basis = st.sampled_from(["cast", "members"])
    return st.one_of(
        st.builds(Consensus, **common),
        st.builds(Unanimity, **common),
        st.builds(Majority, basis=basis, **common),
        st.builds(QualifiedMajority, basis=basis, k=st.integers(1, 9), **common),
        st.builds(QualifiedMajority, basis=basis, fraction=st.sampled_from(SHARES), **common),
        st.builds(
            Weighted,
            basis=basis,
            threshold=st.sampled_from(SHARES),
            weights=st.fixed_dictionaries(
                {}, optional={i: st.sampled_from([0, 0.1, 1, 2.5, 7]) for i in ids}
            ).filter(bool),
            **common,
        ),
        st.builds(SecurityCouncil, affirmative=st.integers(1, 5), **common),
        st.builds(
            DoubleMajority,
            members=st.sampled_from(SHARES),
            population=st.sampled_from(SHARES),
            **common,
        ),
    )


@st.composite
def flips(draw):
    n = draw(st.integers(1, 8))
    ids = [f"v{i}" for i in range(n)]
    voters = [
        Voter(
            id=i,
            veto=draw(st.sampled_from([False, False, False, True])),
            population=draw(st.sampled_from([0.0, 0.4, 1.0, 3.3, 80.0])),
        )
        for i in ids
    ]
    rule = draw(monotone_rules(ids))
    choices = draw(
        st.lists(
            st.sampled_from(["yes", "yes", "yes", "no", "abstain", None]), min_size=n, max_size=n
        )
    )
    votes = {i: c for i, c in zip(ids, choices, strict=True) if c is not None}
    votes[draw(st.sampled_from(ids))] = "no"
    return rule, voters, votes


@settings(derandomize=True, max_examples=600, deadline=None)
@given(flips())
def test_39_turning_a_no_into_a_yes_never_defeats_a_text(case):
    """Every rule that takes votes is monotone: if a text is adopted, it stays adopted when one
    voter's no becomes a yes."""
    rule, voters, votes = case
    before = tally(rule, voters, votes)
    for voter, choice in votes.items():
        if choice == "no":
            after = tally(rule, voters, {**votes, voter: "yes"})
            assert after.yes == before.yes + 1
            assert not before.adopted or after.adopted, (before.reason, after.reason)
