"""The debrief: per-team utility of every version of every tabled text (who conceded, and
when), pledged against delivered, the interventions and phases, and `debrief_for`, which must
let no secret reach a viewer before the scenario declassifies it."""

from __future__ import annotations

import copy

import orjson
import pytest

from game.analysis.debrief import Debrief, debrief, debrief_for
from game.commands import (
    AcceptAmendment,
    Advance,
    Amend,
    CustomInject,
    Deliver,
    End,
    Pass,
    Say,
    Start,
    Table,
    Vote,
)
from game.disclosure import FACILITATOR_VIEW, SPECTATOR_VIEW, Viewer
from game.scenario.model import Scenario
from game.utility import item_utility
from tests.game.canaries import secrets_of, with_canaries
from tests.game.play import Game, seat
from tests.game.tiny import TINY

AU = Viewer(role="seat", team="au", seat="au.1")
PACKAGE = {"pledges": {"au": {"troops": 1000}, "eu": {"funds": 100}}}


def scenario() -> Scenario:
    """Tiny, with canaries in every secret, facilitator notes, and a hidden item that no
    inject ever puts on the agenda."""
    data = copy.deepcopy(TINY)
    hidden = copy.deepcopy(data["agenda"][0])
    hidden.update(id="secret_deal", title="SECRET-ITEM-TITLE", hidden=True)
    data["agenda"].append(hidden)
    data["facilitator_notes"] = "FACILITATOR-NOTES-CANARY"
    return with_canaries(Scenario.model_validate(data))


def vote_all(g: Game) -> None:
    while g.state.open_ballot is not None:
        ballot = g.state.ballots[g.state.open_ballot]
        for team in ballot.voters:
            if team not in ballot.voted and g.state.open_ballot == ballot.id:
                g.do(Vote(ballot=ballot.id, choice="yes"), seat(team))


@pytest.fixture(scope="module")
def played() -> Game:
    g = Game(scenario())
    g.do(Start())
    g.do(Advance())  # briefing -> consultations
    g.do(Say(channel="floor", text="Good morning"), seat("au"))
    g.do(Advance())  # -> formal: sg, au, eu speak in this order
    g.do(Table(item="mou", clauses={"consult": "quarterly", "standby": 0}), seat("sg"))
    g.do(Table(item="burden", clauses=PACKAGE), seat("au"))
    g.do(Amend(proposal="p1", clauses={"consult": "annual"}), seat("eu"))  # a1, pending
    g.do(Amend(proposal="p1", clauses={"standby": 2000}), seat("sg"))  # a2: a revision
    g.do(AcceptAmendment(amendment="a1"), seat("sg"))  # friendly: costs the SG
    g.do(CustomInject(title="Only for the EU", text="EU-ONLY-INJECT-TEXT", audience=["eu"]))
    # The facilitator writes in the AU's team channel.
    g.do(Say(channel="team:au", text="FACILITATOR-TEAM-NOTE"))
    g.do(Pass(), seat("au"))
    g.do(Pass(), seat("eu"))
    g.do(Pass(), seat("sg"))
    assert g.phase == "vote"
    vote_all(g)
    assert set(g.state.adopted) == {"mou", "burden"}
    g.do(Deliver(item="burden", resource="troops", amount=1000), seat("au"))
    g.do(Deliver(item="burden", resource="funds", amount=40), seat("eu"))
    return g


def test_every_version_of_every_text_is_valued_for_every_team(played: Game):
    """Each version carries how it came to be, whose move it was, and its utility to each team
    that values the item, as the engine's own utility function gives it."""
    full = debrief(played.log)
    p1 = [t for t in full.texts if t.proposal == "p1"]
    assert [(t.how, t.by) for t in p1] == [("tabled", "sg"), ("revised", "sg"), ("accepted", "sg")]
    assert [t.seq for t in p1] == sorted(t.seq for t in p1)
    item = played.state.scenario.item("mou")
    for version, (_seq, clauses) in zip(p1, played.state.proposals["p1"].versions, strict=True):
        for team in played.state.scenario.teams:
            expected = item_utility(item, team.weights["mou"], clauses)
            assert version.utilities[team.id] == pytest.approx(expected, abs=1e-4)
    assert p1[0].utilities["sg"] == pytest.approx(2 / 3, abs=1e-4)
    assert p1[1].utilities["sg"] == pytest.approx(0.8, abs=1e-4)
    assert p1[2].utilities["sg"] == pytest.approx((2 * 0.6 + 0.4) / 3, abs=1e-4)


def test_who_conceded_and_when(played: Game):
    """The SG's revision raised its own utility (no concession); accepting the EU's amendment
    lowered it: one concession, at the acceptance's seq, of exactly the difference."""
    full = debrief(played.log)
    accepted = next(e for e in played.log if e.type == "amendment_accepted" and e.amendment == "a1")
    assert [(c.team, c.item, c.how, c.seq) for c in full.concessions] == [
        ("sg", "mou", "accepted", accepted.seq)
    ]
    c = full.concessions[0]
    assert c.before == pytest.approx(0.8, abs=1e-4)
    assert c.after == pytest.approx(0.5333, abs=1e-4)
    assert c.at == accepted.at


def test_pledged_against_delivered_team_by_team(played: Game):
    full = debrief(played.log)
    lines = {(p.team, p.resource): p for p in full.pledge_balance}
    assert set(lines) == {("au", "troops"), ("eu", "funds")}
    au, eu = lines["au", "troops"], lines["eu", "funds"]
    assert (au.pledged, au.delivered, au.outstanding, au.share_delivered) == (1000, 1000, 0, 1)
    assert (eu.pledged, eu.delivered, eu.outstanding) == (100, 40, 60)
    assert eu.share_delivered == pytest.approx(0.4)
    assert [p.team for p in full.pledges] == ["au", "eu"]


def test_interventions_and_phases(played: Game):
    full = debrief(played.log)
    kinds = [i.type for i in full.interventions]
    assert kinds[0] == "session_started"
    assert "inject_fired" in kinds and "message_posted" in kinds
    # Advancing a phase is the facilitator's act too.
    assert any(i.type == "phase_ended" and "advanced" in i.summary for i in full.interventions)
    phases = [(p.round, p.phase, p.reason) for p in full.phases]
    assert phases[:3] == [
        (1, "briefing", "advanced"),
        (1, "consult", "advanced"),
        (1, "formal", "passes"),
    ]


def _text(d: Debrief) -> str:
    return orjson.dumps(d.model_dump(mode="json")).decode()


def test_nothing_secret_reaches_a_player_before_the_debrief(played: Game):
    """While the session runs, the AU's debrief holds its own secrets and utilities only:
    no other team's canary, reservation, utility, concession or score; no outcome analysis
    (it rests on every team's weights); no words of an inject addressed to another team, of
    a channel it cannot read, of the facilitator's notes, or of an item never on the agenda."""
    state = played.state
    assert state.status == "running"
    full = debrief(played.log)
    mine = debrief_for(full, state, AU)
    text = _text(mine)
    for team in ("sg", "eu"):
        for secret in secrets_of(state.scenario, team):
            assert secret not in text, f"{secret} reached the AU"
    for secret in ("EU-ONLY-INJECT-TEXT", "FACILITATOR-NOTES-CANARY", "SECRET-ITEM-TITLE"):
        assert secret not in text
    assert "FACILITATOR-TEAM-NOTE" in text  # its own team channel
    assert mine.items == [] and mine.concessions == []
    assert all(set(t.utilities) <= {"au"} for t in mine.texts)
    assert set(mine.scores) == {"au"}
    assert {p.item for p in mine.power} <= {"mou", "burden"}
    assert "secret_deal" not in text
    secrets = {s.team: s for s in mine.secrets}
    assert secrets["au"].brief and secrets["au"].weights
    assert secrets["sg"].brief is None and secrets["sg"].weights is None
    assert secrets["sg"].reservation is None

    public = debrief_for(full, state, SPECTATOR_VIEW)
    text = _text(public)
    assert "FACILITATOR-TEAM-NOTE" not in text and "EU-ONLY-INJECT-TEXT" not in text
    assert all(t.utilities == {} for t in public.texts) and public.scores == {}
    for team in ("sg", "au", "eu"):
        for secret in secrets_of(state.scenario, team):
            assert secret not in text

    # The facilitator sees everything, at any time.
    assert debrief_for(full, state, FACILITATOR_VIEW) == full
    assert "EU-ONLY-INJECT-TEXT" in _text(full) and full.items and full.concessions


def test_the_debrief_opens_what_the_scenario_declassifies(played: Game):
    """Once the session ends, weights, briefs and scores open (the defaults): every team's
    utilities, the concessions and the outcome analyses reach the AU; the EU's inject, the
    other teams' team channels and the never-opened item still do not."""
    g = copy.deepcopy(played)
    g.do(End())
    state = g.state
    full = debrief(g.log)
    assert full.status == "concluded"
    mine = debrief_for(full, state, AU)
    text = _text(mine)
    assert {a.item for a in mine.items} == {"mou"}
    assert [c.team for c in mine.concessions] == ["sg"]
    assert set(mine.scores) == {"sg", "au", "eu"}
    assert all(set(t.utilities) == {"sg", "au", "eu"} for t in mine.texts if t.item == "mou")
    assert {s.team for s in mine.secrets if s.brief and s.weights} == {"sg", "au", "eu"}
    assert "CANARY-SG-BRIEF" in text
    assert "EU-ONLY-INJECT-TEXT" not in text and "SECRET-ITEM-TITLE" not in text
    assert "FACILITATOR-NOTES-CANARY" not in text
    # The adopted text sits where the analysis says, against the frontier.
    mou = next(a for a in mine.items if a.item == "mou")
    assert mou.actual is not None and mou.actual.clauses == state.proposals["p1"].clauses


def test_weights_declassified_after_a_round_open_the_analysis_then():
    """A scenario that opens the weights after round 1 shows every utility from then on, and
    none before."""
    data = scenario().model_dump()
    data["declassify"]["weights"] = 1
    g = Game(Scenario.model_validate(data))
    g.do(Start())
    g.do(Advance())
    g.do(Advance())
    g.do(Table(item="mou", clauses={"consult": "annual", "standby": 1000}), seat("sg"))
    before = debrief_for(debrief(g.log), g.state, AU)
    assert before.items == [] and set(before.texts[0].utilities) == {"au"}
    while g.state.resolved_round < 1:
        g.do(Advance())
        vote_all(g)
    after = debrief_for(debrief(g.log), g.state, AU)
    assert after.items and set(after.texts[0].utilities) == {"sg", "au", "eu"}
