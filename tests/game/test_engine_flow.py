"""The engine's rules of play, case by case. Each case's docstring says the rule it checks."""

from __future__ import annotations

from game import hashing
from game.commands import (
    AcceptAmendment,
    Advance,
    Amend,
    AssignSeat,
    Cosponsor,
    CustomInject,
    Deliver,
    End,
    Extend,
    FreeSeat,
    OpenChannel,
    Pass,
    PauseSession,
    Resume,
    SaveDraft,
    Say,
    Start,
    Statement,
    Table,
    Vote,
    Withdraw,
)
from game.disclosure import Viewer
from game.errors import Code
from game.scenario.effects import ChangeThreat
from game.views import view
from tests.game.play import Game, seat
from tests.game.tiny import tiny

MOU = {"consult": "annual", "standby": 1000}


def to_formal(g: Game) -> None:
    g.do(Start())
    g.do(Advance())  # briefing
    g.do(Advance())  # consultations
    assert g.phase == "formal"


def test_01_lobby_refuses_moves_but_allows_talk():
    """In the lobby a player may talk on the floor but not table."""
    g = Game(tiny())
    assert g.refuse(Table(item="mou", clauses=MOU), seat("au")).code == Code.NOT_RUNNING
    g.do(Say(channel="floor", text="hello"), seat("au"))
    assert g.state.channels["floor"].messages[-1].text == "hello"


def test_02_phase_deadline_fires_once_on_time():
    """A timed phase ends when its deadline falls, not before, and only once."""
    g = Game(tiny())
    g.do(Start())
    assert g.phase == "briefing"
    assert g.wait(9_999) == []
    events = g.wait(1)
    assert g.types(events)[:2] == ["phase_ended", "phase_started"]
    assert g.phase == "consult"
    assert g.wait(1) == []


def test_03_only_the_facilitator_runs_the_clock():
    """Start, advance, pause and end belong to the facilitator."""
    g = Game(tiny())
    for cmd in (Start(), Advance(), PauseSession(), End()):
        assert g.refuse(cmd, seat("au")).code == Code.NOT_ALLOWED


def test_04_speakers_list_rotates_each_round():
    """Round 1 opens with the first team, round 2 with the second."""
    g = Game(tiny())
    to_formal(g)
    assert g.state.formal.speakers == ["sg", "au", "eu"]
    assert g.holder == "sg"
    for team in ("sg", "au", "eu"):
        g.do(Pass(), seat(team))
    assert g.phase == "resolve"  # nothing tabled: the voting phase has nothing to take
    g.do(Advance())  # -> round 2 briefing
    g.do(Advance())
    g.do(Advance())
    assert g.state.round == 2 and g.phase == "formal"
    assert g.state.formal.speakers == ["au", "eu", "sg"]


def test_05_out_of_turn_is_refused_and_changes_nothing():
    """A move out of turn is refused with not_your_turn; the state hash does not move."""
    g = Game(tiny())
    to_formal(g)
    before = hashing.state_hash(g.state)
    rejection = g.refuse(Table(item="mou", clauses=MOU), seat("au"))
    assert rejection.code == Code.NOT_YOUR_TURN
    assert "sg" in rejection.reason
    assert hashing.state_hash(g.state) == before


def test_06_a_timed_out_turn_is_a_pass():
    """When a turn's time runs out the holder is recorded as passing, and the floor moves."""
    g = Game(tiny())
    to_formal(g)
    events = g.wait(30_000)
    passed = [e for e in events if e.type == "passed"]
    assert passed and passed[0].team == "sg" and passed[0].timeout
    assert g.holder == "au"


def test_07_a_full_round_of_passes_ends_the_formal_session():
    """Every team passing in a row ends the phase; a move in between resets the run."""
    g = Game(tiny())
    to_formal(g)
    g.do(Pass(), seat("sg"))
    g.do(Statement(text="We favour dialogue."), seat("au"))
    g.do(Pass(), seat("eu"))
    g.do(Pass(), seat("sg"))
    assert g.phase == "formal"
    events = g.do(Pass(), seat("au"))
    assert any(e.type == "phase_ended" and e.reason == "passes" for e in events)


def test_08_the_turn_cap_ends_the_formal_session():
    """At the turn cap the phase ends even if teams keep speaking."""
    g = Game(tiny())
    to_formal(g)
    for turn in range(9):
        assert g.phase == "formal"
        g.do(Statement(text=f"statement {turn}"), seat(g.holder))
    ended = [e for e in g.log if e.type == "phase_ended" and e.phase == "formal"]
    assert [e.reason for e in ended] == ["turn_cap"]


def test_09_drafts_are_private_and_can_be_tabled():
    """A draft is seen by its team only; the team can table it in its turn."""
    g = Game(tiny())
    g.do(Start())
    g.do(Advance())
    g.do(SaveDraft(item="mou", clauses=MOU, title="Our text"), seat("sg"))
    mine = view(g.state, Viewer(role="seat", team="sg", seat="sg.1"))
    theirs = view(g.state, Viewer(role="seat", team="au", seat="au.1"))
    assert [d.title for d in mine.state.drafts.values()] == ["Our text"]
    assert theirs.state.drafts == {}
    g.do(Advance())
    g.do(Table(draft="sg-d1"), seat("sg"))
    assert g.state.proposals["p1"].clauses == MOU
    assert g.state.proposals["p1"].title == "Our text"


def test_10_another_teams_draft_cannot_be_tabled():
    """Naming another team's draft is refused as unknown, without saying it exists."""
    g = Game(tiny())
    g.do(Start())
    g.do(Advance())
    g.do(SaveDraft(item="mou", clauses=MOU), seat("au"))
    g.do(Advance())
    rejection = g.refuse(Table(draft="au-d1"), seat("sg"))
    assert rejection.code == Code.UNKNOWN
    assert "you have no draft" in rejection.reason


def test_11_incomplete_or_invalid_texts_are_refused():
    """A tabled text fills every issue with a valid value."""
    g = Game(tiny())
    to_formal(g)
    r = g.refuse(Table(item="mou", clauses={"consult": "annual"}), seat("sg"))
    assert r.code == Code.INVALID_TEXT and "standby" in r.reason
    r = g.refuse(Table(item="mou", clauses={"consult": "weekly", "standby": 0}), seat("sg"))
    assert r.code == Code.INVALID_TEXT and "weekly" not in r.reason and "annual" in r.reason
    r = g.refuse(Table(item="mou", clauses={"consult": "annual", "standby": 750}), seat("sg"))
    assert r.code == Code.INVALID_TEXT and "multiple" in r.reason
    r = g.refuse(Table(item="nope", clauses=MOU), seat("sg"))
    assert r.code == Code.UNKNOWN


def test_12_sponsor_accepts_a_friendly_amendment():
    """Another team's amendment waits; the sponsor's acceptance merges it into the text."""
    g = Game(tiny())
    to_formal(g)
    g.do(Table(item="mou", clauses=MOU), seat("sg"))
    g.do(Amend(proposal="p1", clauses={"consult": "quarterly"}), seat("au"))
    assert g.state.amendments["a1"].status == "pending"
    assert g.state.proposals["p1"].clauses["consult"] == "annual"
    assert g.refuse(AcceptAmendment(amendment="a1"), seat("eu")).code == Code.NOT_ALLOWED
    g.do(AcceptAmendment(amendment="a1"), seat("sg"))
    assert g.state.proposals["p1"].clauses["consult"] == "quarterly"
    assert len(g.state.proposals["p1"].versions) == 2


def test_13_a_sponsors_own_amendment_is_a_revision():
    """When the sponsor amends its own text the change is merged at once."""
    g = Game(tiny())
    to_formal(g)
    g.do(Table(item="mou", clauses=MOU), seat("sg"))
    g.do(Pass(), seat("au"))
    g.do(Pass(), seat("eu"))
    g.do(Amend(proposal="p1", clauses={"standby": 2000}), seat("sg"))
    assert g.state.proposals["p1"].clauses["standby"] == 2000
    assert g.state.amendments["a1"].status == "accepted"


def test_14_cosponsor_and_withdraw():
    """A team co-sponsors once; only the sponsor withdraws, and its amendments lapse."""
    g = Game(tiny())
    to_formal(g)
    g.do(Table(item="mou", clauses=MOU), seat("sg"))
    g.do(Cosponsor(proposal="p1"), seat("au"))
    g.do(Amend(proposal="p1", clauses={"consult": "none"}), seat("eu"))
    assert g.refuse(Withdraw(target="p1"), seat("au")).code == Code.NOT_YOUR_TURN
    g.do(Withdraw(target="p1"), seat("sg"))
    assert g.state.proposals["p1"].status == "withdrawn"
    assert g.state.amendments["a1"].status == "lapsed"
    assert g.state.proposals["p1"].cosponsors == ["au"]


def test_15_pause_freezes_the_clock_and_resume_restores_it():
    """Paused, no deadline falls; resumed, the time left is what was left at the pause."""
    g = Game(tiny())
    g.do(Start())
    g.wait(4_000)
    g.do(PauseSession())
    assert g.refuse(Start(), seat("au")).code == Code.NOT_ALLOWED
    assert g.wait(60_000) == []
    assert g.phase == "briefing"
    g.do(Resume())
    assert g.state.phase_clock.deadline == g.now + 6_000
    assert g.wait(5_999) == []
    assert g.types(g.wait(1))[0] == "phase_ended"


def test_16_paused_session_refuses_moves_but_not_talk():
    """While paused, a move is refused with paused; team talk still goes through."""
    g = Game(tiny())
    g.do(Start())
    g.do(Advance())
    g.do(PauseSession())
    assert g.refuse(SaveDraft(item="mou", clauses=MOU), seat("au")).code == Code.PAUSED
    g.do(Say(channel="team", text="while we wait"), seat("au"))


def test_17_extend_moves_the_deadline():
    """Extending by 30 s moves the phase deadline by 30 s."""
    g = Game(tiny())
    g.do(Start())
    before = g.state.phase_clock.deadline
    g.do(Extend(seconds=30))
    assert g.state.phase_clock.deadline == before + 30_000


def test_18_private_channels_reach_their_members_only():
    """A private channel's messages are seen by its members and the facilitator only."""
    g = Game(tiny())
    g.do(Start())
    g.do(Advance())
    g.do(OpenChannel(teams=["eu"], title="side talk"), seat("au"))
    g.do(Say(channel="au-c1", text="secret offer"), seat("au"))
    au = view(g.state, Viewer(role="seat", team="au"))
    eu = view(g.state, Viewer(role="seat", team="eu"))
    sg = view(g.state, Viewer(role="seat", team="sg"))
    fac = view(g.state, Viewer(role="facilitator"))
    for v in (au, eu, fac):
        assert "au-c1" in v.state.channels
    assert "au-c1" not in sg.state.channels
    assert g.refuse(Say(channel="au-c1", text="let me in"), seat("sg")).code == Code.UNKNOWN


def test_19_channels_open_and_close_with_the_phase():
    """Private channels are closed in the formal session (the default channel policy)."""
    g = Game(tiny())
    g.do(Start())
    g.do(Advance())
    g.do(OpenChannel(teams=["eu"]), seat("au"))
    g.do(Advance())
    rejection = g.refuse(Say(channel="au-c1", text="psst"), seat("au"))
    assert rejection.code == Code.CHANNEL_CLOSED


def test_20_custom_inject_reaches_its_audience():
    """An inject written on the spot is shown to its audience and changes the world."""
    g = Game(tiny())
    g.do(Start())
    g.do(
        CustomInject(
            title="Refugee flows",
            text="Camps overflow",
            audience=["au"],
            effects=[ChangeThreat(region="west", delta=0.05)],
        )
    )
    assert abs(g.state.regions["west"].threat - 0.15) < 1e-9
    assert [f.title for f in view(g.state, Viewer(role="seat", team="au")).state.feed] == [
        "Refugee flows"
    ]
    # Another team learns that the world changed, not what was said to the AU.
    (hidden,) = view(g.state, Viewer(role="seat", team="eu")).state.feed
    assert hidden.title == hidden.text == "" and hidden.inject is None


def test_21_seats_are_assigned_and_freed():
    """The facilitator seats a person or a bot and frees the seat again."""
    g = Game(tiny())
    g.do(AssignSeat(seat="au.2", name="Amina"))
    g.do(AssignSeat(seat="eu.1", name="Bot", bot="boulware"))
    assert g.state.seats["au.2"].name == "Amina"
    assert g.state.seats["eu.1"].bot == "boulware"
    g.do(FreeSeat(seat="au.2"))
    assert g.state.seats["au.2"].name is None
    assert g.refuse(FreeSeat(seat="au.2")).code == Code.CLOSED
    assert g.refuse(AssignSeat(seat="zz.1", name="x")).code == Code.UNKNOWN


def test_22_security_falls_without_a_response():
    """With nothing adopted or delivered, a region loses its threat each round beyond what
    is deployed."""
    g = Game(tiny())
    g.do(Start())
    while g.state.resolved_round < 1:
        g.do(Advance())
    west = g.state.regions["west"]
    assert len(west.history) == 1
    # 2000 of 8000 troops deployed, no funds: coverage 0.125 of an unauthorised AU lead.
    assert 0.3 < west.security < 0.4


def test_23_end_concludes_and_declassifies_briefs():
    """Ending the session concludes it; the briefs open to everyone at the debrief."""
    g = Game(tiny())
    g.do(Start())
    eu = Viewer(role="seat", team="eu")
    assert view(g.state, eu).state.scenario.team("au").brief == ""
    g.do(End())
    assert g.state.status == "concluded"
    assert "CANARY-AU-BRIEF" in view(g.state, eu).state.scenario.team("au").brief
    assert g.refuse(Pass(), seat("au")).code == Code.NOT_RUNNING


def test_24_the_fold_of_the_log_is_the_live_state():
    """Folding the log gives exactly the live state."""
    from game import engine

    g = Game(tiny())
    to_formal(g)
    g.do(Table(item="mou", clauses=MOU), seat("sg"))
    g.wait(45_000)
    assert hashing.state_hash(engine.fold(g.log)) == hashing.state_hash(g.state)


def test_25_votes_need_the_voting_phase():
    """A vote outside the voting phase is refused with wrong_phase."""
    g = Game(tiny())
    to_formal(g)
    assert g.refuse(Vote(ballot="b1", choice="yes"), seat("sg")).code == Code.WRONG_PHASE


def test_26_deliver_needs_a_pledge():
    """Delivering with no adopted pledge is refused as unknown."""
    g = Game(tiny())
    g.do(Start())
    rejection = g.refuse(Deliver(item="burden", resource="troops", amount=10), seat("au"))
    assert rejection.code == Code.UNKNOWN
