"""Bots that negotiate: every strategy plays every scenario to the end with legal moves only,
from its own seat's view only; the strategies behave as their names promise."""

from __future__ import annotations

import copy
import random
import statistics

import pytest

from clients.bots import STRATEGIES, burden, make, names, record
from clients.bots.base import Negotiator
from clients.bots.situation import Situation
from clients.tournament import Match, play_game
from game import engine
from game.clauses import contributions
from game.commands import (
    FACILITATOR,
    Advance,
    Amend,
    AssignSeat,
    Command,
    Pass,
    Start,
    Table,
    Vote,
)
from game.disclosure import Viewer
from game.events import Delivered, MessagePosted, Passed, SeatAssigned
from game.scenario.model import Scenario
from game.views import View, view
from tests.clients.helpers import all_scenarios, ballots_on, burden_scenario, texts_put_forward
from tests.game.canaries import secrets_of, with_canaries
from tests.game.play import Game, seat
from tests.game.scenarios import shipped

SCENARIOS = all_scenarios()
STRATEGY_NAMES = names()


def test_registry_has_every_strategy():
    """The strategies the issue asks for are registered by name."""
    assert set(STRATEGY_NAMES) >= {
        "boulware",
        "linear",
        "conceder",
        "tit_for_tat",
        "free_rider",
        "chair",
    }
    for name in STRATEGY_NAMES:
        assert make(name).name == name
    with pytest.raises(ValueError, match="unknown bot strategy"):
        make("nobody")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("strategy", STRATEGY_NAMES)
def test_every_strategy_plays_every_scenario_without_a_rejected_command(strategy: str, name: str):
    """Every team played by `strategy`: the session runs to its end by itself, the engine
    accepts every command a bot sends, no turn times out (no bot stalls a phase), and the
    bots talked (their messages marked as a bot's by the actor, not in the text)."""
    scenario = SCENARIOS[name]
    result = play_game(scenario, {t.id: strategy for t in scenario.teams}, seed=3, analyse=False)
    assert result.completed
    assert result.rejected == []
    assert result.timeouts == 0
    assert result.commands > 0
    assert result.log[-1].type == "session_concluded"
    seated = [e for e in result.log if isinstance(e, SeatAssigned)]
    assert {e.seat for e in seated} == {f"{t.id}.1" for t in scenario.teams}
    assert all(e.bot == strategy for e in seated)
    said = [e for e in result.log if isinstance(e, MessagePosted)]
    assert said and all(e.actor is not None and e.actor.bot for e in said)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_mixed_strategies_play_every_scenario_without_a_rejected_command(name: str):
    """Strategies mixed over the teams (the tournament's rotation), on every scenario."""
    scenario = SCENARIOS[name]
    teams = [t.id for t in scenario.teams]
    for g in range(2):
        strategies = {t: STRATEGY_NAMES[(g + i) % len(STRATEGY_NAMES)] for i, t in enumerate(teams)}
        result = play_game(scenario, strategies, seed=g, analyse=False)
        assert result.completed and result.rejected == [] and result.timeouts == 0


# --- what a bot sees ----------------------------------------------------------------------


class Spy:
    """Wraps a bot and records exactly what it is given."""

    def __init__(self, bot: Negotiator) -> None:
        self.bot = bot
        self.seen: list[object] = []

    def decide(self, view_: object, rng: random.Random) -> Command | None:
        self.seen.append(view_)
        return self.bot.decide(view_, rng)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["tutorial", "darfur_2004", "tiny"])
def test_a_bot_is_only_ever_given_its_own_seats_view(name: str):
    """Each bot's input is a `View` for its own seat, and none of them carries another team's
    secrets (canaries planted in every brief, objective and reservation)."""
    if name not in SCENARIOS:
        pytest.skip(f"{name} is not shipped")
    scenario = with_canaries(SCENARIOS[name])
    teams = [t.id for t in scenario.teams]
    match = Match(scenario, {t: STRATEGY_NAMES[i % 6] for i, t in enumerate(teams)}, seed=1)
    spies = {t: Spy(match.bots[t]) for t in teams}
    match.bots = spies  # type: ignore[assignment]
    assert match.play()
    assert match.rejected == []
    for team, spy in spies.items():
        assert spy.seen
        others = [s for t in teams if t != team for s in secrets_of(scenario, t)]
        for k, seen in enumerate(spy.seen):
            assert type(seen) is View
            assert seen.viewer == Viewer(role="seat", team=team, seat=f"{team}.1")
            for other in seen.state.scenario.teams:
                if other.id != team and seen.state.status != "concluded":
                    assert other.weights == {} and other.reservation == {}
                    assert other.brief == "" and other.objectives == []
            assert all(d.team == team for d in seen.state.drafts.values())
            if k % 25 == 0:  # serialising every view is slow; a sample is enough
                text = seen.model_dump_json()
                assert not [s for s in others if s in text]


def test_a_bot_refuses_anything_but_a_view():
    """Handing a bot the full state is a programming error, not a silent leak."""
    g = Game(SCENARIOS["tiny"])
    g.do(Start())
    with pytest.raises(TypeError):
        make("linear").decide(g.state, random.Random(1))  # type: ignore[arg-type]


def tampered(v: View) -> View:
    """`v` with other teams' private fields filled with made-up values, as if a leak had put
    them there: a bot that reads them would decide differently."""
    rng = random.Random(7)
    scenario = v.state.scenario
    teams = []
    for team in scenario.teams:
        if team.id == v.viewer.team:
            teams.append(team)
            continue
        source = scenario.team(v.viewer.team or "")
        assert source is not None
        weights = {
            item: {
                issue: w.model_copy(update={"weight": rng.uniform(0.1, 5)})
                for issue, w in per_item.items()
            }
            for item, per_item in source.weights.items()
        }
        teams.append(
            team.model_copy(
                update={
                    "weights": weights,
                    "reservation": {i: rng.random() for i in source.weights},
                    "cost_weights": {r: rng.random() for r in team.resources},
                    "brief": "LEAKED",
                    "objectives": list(source.objectives),
                }
            )
        )
    state = v.state.model_copy(update={"scenario": scenario.model_copy(update={"teams": teams})})
    return v.model_copy(update={"state": state})


@pytest.mark.parametrize("name", ["tutorial", "darfur_2004", "tiny"])
def test_decisions_do_not_depend_on_other_teams_secrets(name: str):
    """At every decision point of a game, each bot decides the same from its view and from a
    view into which other teams' weights, reservations, costs and objectives were leaked."""
    if name not in SCENARIOS:
        pytest.skip(f"{name} is not shipped")
    scenario = SCENARIOS[name]
    teams = [t.id for t in scenario.teams]
    checked = calls = 0

    def observe(team: str, v: View, command: Command | None) -> None:
        nonlocal checked, calls
        calls += 1
        if len(teams) > 5 and calls % 2:
            return  # half the decisions of a large scenario are enough
        bot = copy.deepcopy(match.bots[team])
        rng = random.Random(v.seq)
        again = bot.decide(v, random.Random(v.seq))
        leaked = copy.deepcopy(match.bots[team]).decide(tampered(v), rng)
        assert again == leaked, (team, v.seq)
        checked += 1

    match = Match(
        scenario, {t: STRATEGY_NAMES[i % 6] for i, t in enumerate(teams)}, 2, observe=observe
    )
    assert match.play()
    assert checked > 40


# --- the strategies -----------------------------------------------------------------------


def test_time_dependent_targets_are_ordered_boulware_linear_conceder():
    """At any time between the start and the last vote, Boulware asks for more than linear,
    which asks for more than Conceder; all start at their best and end at the reservation."""
    scenario = SCENARIOS["tutorial"] if "tutorial" in SCENARIOS else SCENARIOS["tiny"]
    g = Game(scenario)
    g.do(Start())
    team = scenario.teams[0].id
    sit = Situation(view(g.state, Viewer(role="seat", team=team, seat=f"{team}.1")))
    item = next(i for i in scenario.agenda if sit.weights(i))
    curves = {}
    for name in ("boulware", "linear", "conceder"):
        bot = make(name)
        assert isinstance(bot, Negotiator)
        points = []
        for t in (0.0, 0.25, 0.5, 0.75, 1.0):
            sit.__dict__["t"] = t
            points.append(bot.target(sit, item))
        curves[name] = points
    top, low = curves["linear"][0], sit.reservation(item)
    for points in curves.values():
        assert points[0] == pytest.approx(top) and points[-1] == pytest.approx(low)
    for k in (1, 2, 3):
        assert curves["boulware"][k] > curves["linear"][k] > curves["conceder"][k]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_boulware_concedes_later_than_conceder(name: str):
    """Measured on the texts a team puts forward (utility to itself) before the last round:
    played by Boulware they are worth more to it than played by Conceder (the other teams
    linear), and Boulware's stay near its best."""
    scenario = SCENARIOS[name]
    teams = [t.id for t in scenario.teams]
    last = scenario.rounds.count
    means: dict[str, list[float]] = {"boulware": [], "conceder": []}
    for team in teams[:3]:
        early = {}
        for strategy in ("boulware", "conceder"):
            strategies = {t: "linear" for t in teams} | {team: strategy}
            result = play_game(scenario, strategies, seed=1, analyse=False)
            texts = texts_put_forward(result.log, scenario, team)
            early[strategy] = [u for r, _, u in texts if r < last or last == 1]
        if early["boulware"] and early["conceder"]:
            b, c = statistics.fmean(early["boulware"]), statistics.fmean(early["conceder"])
            assert b >= c - 1e-9, team
            assert min(early["boulware"]) > 0.75, team
            means["boulware"].append(b)
            means["conceder"].append(c)
    assert means["boulware"]
    assert statistics.fmean(means["boulware"]) > statistics.fmean(means["conceder"]) + 0.05


def test_boulware_holds_out_and_concedes_at_the_end():
    """Boulware's own texts stay near its best until the last round, then drop."""
    scenario = SCENARIOS["tiny"]
    teams = [t.id for t in scenario.teams]
    result = play_game(scenario, {t: "linear" for t in teams} | {"au": "boulware"}, 1)
    texts = texts_put_forward(result.log, scenario, "au")
    last = scenario.rounds.count
    assert [u for r, _, u in texts if r < last] and all(u > 0.95 for r, _, u in texts if r < last)
    assert min(u for r, _, u in texts if r == last) < 0.8


def play_to_formal(scenario: Scenario) -> Game:
    g = Game(scenario)
    g.do(Start())
    while g.state.scenario.rounds.phases[g.state.phase or 0].kind != "formal":
        g.do(Advance())
    return g


def bot_view(g: Game, team: str) -> View:
    return view(g.state, Viewer(role="seat", team=team, seat=f"{team}.1"))


def run_until_turn(g: Game, team: str) -> None:
    """Pass for every other team until `team` holds the floor."""
    for _ in range(20):
        if g.holder == team:
            return
        g.do(Pass(), seat(g.holder or ""))
    raise AssertionError(f"{team} never got the floor")


def test_tit_for_tat_concedes_what_the_others_conceded():
    """The Secretary-General as tit for tat lowers its target by exactly what the AU's
    revision conceded, measured in the Secretary-General's own utility."""
    scenario = SCENARIOS["tutorial"]
    g = play_to_formal(scenario)
    tft = make("tit_for_tat")
    item = scenario.item("mou_au")
    assert item is not None
    run_until_turn(g, "au")
    hard = {
        "consultation": "biannual",
        "information": "liaison_office",
        "standby": 0,
        "authorisation": "notification",
    }
    g.do(Table(item="mou_au", clauses=hard), seat("au"))
    sit = Situation(bot_view(g, "sg"))
    before = tft.target(sit, item)  # type: ignore[attr-defined]
    run_until_turn(g, "au")
    g.do(Amend(proposal="p1", clauses={"standby": 2000}), seat("au"))
    sit = Situation(bot_view(g, "sg"))
    after = tft.target(sit, item)  # type: ignore[attr-defined]
    moved = sit.utility(item, {**hard, "standby": 2000}) - sit.utility(item, hard)  # type: ignore[operator]
    assert moved > 0
    assert before - after == pytest.approx(moved)


def test_chair_tables_a_compromise_of_the_texts_on_the_table():
    """With the AU's and the EU's texts on the table, the chair tables per issue the option
    they share, and the median of their numbers."""
    scenario = SCENARIOS["tutorial"]
    g = play_to_formal(scenario)
    run_until_turn(g, "au")
    au_text = {
        "consultation": "quarterly",
        "information": "liaison_office",
        "standby": 1000,
        "authorisation": "notification",
    }
    g.do(Table(item="mou_au", clauses=au_text), seat("au"))
    run_until_turn(g, "eu")
    eu_text = {
        "consultation": "quarterly",
        "information": "joint_centre",
        "standby": 3000,
        "authorisation": "required",
    }
    g.do(Table(item="mou_au", clauses=eu_text), seat("eu"))
    run_until_turn(g, "sg")
    command = make("chair").decide(bot_view(g, "sg"), random.Random(1))
    assert isinstance(command, Table)
    assert command.clauses is not None
    assert command.clauses["consultation"] == "quarterly"  # both ask for it
    assert command.clauses["standby"] == 2000  # the median of 1000 and 3000
    # On a tie, the chair breaks it its own way (the Secretary-General's preferences).
    assert command.clauses["information"] == "joint_centre"
    assert command.clauses["authorisation"] == "required"
    assert g.attempt(command, seat("sg", bot=True)).rejection is None


def test_free_rider_votes_no_on_every_package_that_assigns_it_a_contribution():
    """The EU as free rider refuses every package assigning it funds and votes for packages
    that spare it; as linear, in the same game, it consents to one."""
    scenario = burden_scenario()
    base = {"sg": "linear", "au": "linear"}
    rider = play_game(scenario, base | {"eu": "free_rider"}, seed=1, analyse=False)
    ballots = ballots_on(rider.log, "burden")
    item = scenario.item("burden")
    assert item is not None
    assigning = [(t, v) for t, v, _ in ballots if "eu" in contributions(item, t)]
    sparing = [(t, v) for t, v, _ in ballots if "eu" not in contributions(item, t)]
    assert assigning and all(votes["eu"] == "no" for _, votes in assigning)
    assert sparing and all(votes["eu"] == "yes" for _, votes in sparing)
    assert not rider.adopted["burden"]
    assert rider.rejected == []

    fair = play_game(scenario, base | {"eu": "linear"}, seed=1, analyse=False)
    consented = [v for t, v, _ in ballots_on(fair.log, "burden") if "eu" in contributions(item, t)]
    assert any(votes["eu"] == "yes" for votes in consented)
    assert fair.adopted["burden"]


def play_with_handover(scenario: Scenario, successor: str) -> Match:
    """Linear bots play until a burden-sharing package that assigns the EU funds is adopted;
    then the facilitator hands the EU's seat to `successor`."""
    match = Match(scenario, {"sg": "linear", "au": "linear", "eu": "linear"}, seed=1)
    match.seat_bots()
    match.run(Start(), FACILITATOR)
    handed = False
    while match.state.status == "running":
        acted = False
        for team in match.teams:
            if match.state.status != "running":
                break
            acted = match.bot_move(team) or acted
            if not handed and "burden" in match.state.adopted:
                match.run(AssignSeat(seat="eu.1", name="bot", bot=successor), FACILITATOR)
                match.bots["eu"] = make(successor)
                handed = True
        if not acted and match.state.status == "running":
            match.facilitate()
    assert handed
    assert any(p.team == "eu" for p in match.state.pledges)
    return match


def test_free_rider_never_delivers_a_pledge():
    """Handed the EU's seat after the EU pledged, the free rider delivers nothing: the pledge
    breaks when it falls due and the EU's standing drops. A linear successor delivers."""
    scenario = burden_scenario()
    rider = play_with_handover(scenario, "free_rider")
    assert rider.rejected == []
    assert not [e for e in rider.log if isinstance(e, Delivered) and e.team == "eu"]
    eu_pledges = [p for p in rider.state.pledges if p.team == "eu"]
    assert all(p.delivered == 0 and p.broken for p in eu_pledges)
    assert rider.state.teams["eu"].standing < 1.0

    keeper = play_with_handover(scenario, "linear")
    delivered = [e for e in keeper.log if isinstance(e, Delivered) and e.team == "eu"]
    assert delivered
    assert all(not p.broken for p in keeper.state.pledges if p.team == "eu")


def test_every_bot_votes_on_every_ballot_it_may_vote_on():
    """No bot leaves a ballot to its deadline: every eligible team's vote is cast."""
    scenario = SCENARIOS["tutorial"] if "tutorial" in SCENARIOS else SCENARIOS["tiny"]
    teams = [t.id for t in scenario.teams]
    for strategy in STRATEGY_NAMES:
        result = play_game(scenario, {t: strategy for t in teams}, seed=1, analyse=False)
        state = engine.fold(result.log)
        for ballot in state.ballots.values():
            if not ballot.silence:
                assert set(ballot.voted) == {v for v in ballot.voters if v in state.teams}
        assert not [e for e in result.log if isinstance(e, Passed) and e.timeout]


def test_bots_cast_only_their_own_votes_and_keep_to_their_turn():
    """Commands come only when the rules allow them: a bot outside its turn in the formal
    session proposes nothing but a (turn-free) acceptance, and votes only when it may."""
    scenario = SCENARIOS["tiny"]
    g = play_to_formal(scenario)
    holder = g.holder
    for team in [t.id for t in scenario.teams if t.id != holder]:
        for name in STRATEGY_NAMES:
            command = make(name).decide(bot_view(g, team), random.Random(1))
            assert command is None or command.type == "accept_amendment"
    g.do(Table(item="mou", clauses={"consult": "annual", "standby": 1000}), seat(holder or ""))
    while g.state.scenario.rounds.phases[g.state.phase or 0].kind != "voting":
        g.do(Advance())
    assert g.state.open_ballot is not None
    for team in [t.id for t in scenario.teams]:
        command = make("linear").decide(bot_view(g, team), random.Random(1))
        assert isinstance(command, Vote) and command.ballot == g.state.open_ballot
        g.do(command, seat(team, bot=True))
    # Once every team has voted, nobody has anything left to do on it.
    assert g.state.open_ballot is None or all(
        make("linear").decide(bot_view(g, t.id), random.Random(1)) is None for t in scenario.teams
    )


def test_strategies_are_registered_classes_with_summaries():
    for name, cls in STRATEGIES.items():
        assert cls.summary, name
        assert issubclass(cls, Negotiator)


def test_shipped_scenarios_are_found():
    """The tests run over whatever scenarios/ holds (at least the tutorial, once shipped)."""
    assert set(shipped()) <= set(SCENARIOS)


# --- learning from the public record ------------------------------------------------------

DARFUR = SCENARIOS["darfur_2004"]
JOINT = {"mandate": "protect_civilians", "lead": "joint", "duration": 3, "consent": "with_consent"}


def vote_out(g: Game, votes: dict[str, dict[str, str]]) -> None:
    """Advance to the voting phase and cast the teams' votes, ballot by ballot: `votes` maps
    a ballot's subject to each team's choice (yes by default)."""
    while g.state.scenario.rounds.phases[g.state.phase or 0].kind != "voting":
        g.do(Advance())
    while g.state.open_ballot is not None:
        ballot = g.state.ballots[g.state.open_ballot]
        for team in [v for v in ballot.voters if v in g.state.teams]:
            choice = votes.get(ballot.subject, {}).get(team, "yes")
            g.do(Vote(ballot=ballot.id, choice=choice), seat(team))  # type: ignore[arg-type]


def to_next_formal(g: Game) -> None:
    start = g.state.round
    while g.state.round == start or g.state.scenario.rounds.phases[g.state.phase or 0].kind != (
        "formal"
    ):
        g.do(Advance())


def test_a_non_players_veto_names_the_clause_to_move():
    """Russia (a non-player, whose preferences are hidden) vetoes a text under Chapter VII and
    accepts the same text with Sudan's consent: the record blames the basis, predicts its veto
    of any text more like the one it vetoed, and a bot steers its text clear of it."""
    g = play_to_formal(DARFUR)
    chapter_vii = {**JOINT, "consent": "chapter_vii"}
    run_until_turn(g, "uk")
    g.do(Table(item="resolution", clauses=chapter_vii), seat("uk"))
    run_until_turn(g, "usa")
    g.do(Table(item="resolution", clauses=JOINT), seat("usa"))
    vote_out(g, {"p2": {"usa": "no"}})  # the US vetoes its own text: it fails, Russia said yes
    ballots = {b.subject: b for b in g.state.ballots.values()}
    assert ballots["p1"].votes["russia"] == "no" and ballots["p2"].votes["russia"] == "yes"
    to_next_formal(g)

    sit = Situation(bot_view(g, "sg"))
    item = sit.item("resolution")
    enforce = {**chapter_vii, "mandate": "enforce"}
    assert record.predict(sit, item, "russia", enforce) == ("no", 1.0)
    assert record.predict(sit, item, "russia", {**JOINT, "duration": 2}) is None
    assert "russia" in record.blockers(sit, item, enforce)
    cleared = record.clear(sit, item, chapter_vii, 0.0, [])
    assert cleared["consent"] == "with_consent" and record.passes(sit, item, cleared)
    # The US's no on its own text counts less as the session runs: its targets fall.
    assert 0 < record.blockers(sit, item, JOINT)["usa"] < 1


def test_a_veto_holder_amends_the_clause_that_costs_it_least():
    """China near the end, facing a joint protection mandate for four rounds that it would
    veto: the smallest change that makes it acceptable is the duration, not the mandate or
    the lead that others insist on."""
    g = play_to_formal(DARFUR)
    run_until_turn(g, "usa")
    g.do(Table(item="resolution", clauses={**JOINT, "duration": 4}), seat("usa"))
    sit = Situation(bot_view(g, "china"))
    sit.__dict__["t"] = 0.95
    bot = make("linear")
    assert isinstance(bot, Negotiator)
    item = sit.item("resolution")
    text = {**JOINT, "duration": 4}
    assert not bot.acceptable(sit, item, text)
    change = record.fix(sit, item, text, bot.target(sit, item), 2, [])
    assert change == {"duration": 3}
    assert bot.acceptable(sit, item, {**text, **change})


def test_a_bot_votes_for_an_amendment_it_can_live_with():
    """The US, near the end, votes for China's amendment that shortens its text: worse for
    the US, but still above its target. Early on, it votes against it."""
    g = play_to_formal(DARFUR)
    run_until_turn(g, "usa")
    g.do(Table(item="resolution", clauses={**JOINT, "duration": 4}), seat("usa"))
    run_until_turn(g, "china")
    g.do(Amend(proposal="p1", clauses={"duration": 3}), seat("china"))
    while g.state.scenario.rounds.phases[g.state.phase or 0].kind != "voting":
        g.do(Advance())
    ballot = g.state.ballots[g.state.open_ballot or ""]
    assert ballot.subject == "a1"
    bot = make("linear")
    assert isinstance(bot, Negotiator)
    sit = Situation(bot_view(g, "usa"))
    item = sit.item("resolution")
    text = sit.ballot_text("a1")
    assert bot.vote(sit, item, "a1", text) == "no"
    sit.__dict__["t"] = 1.0
    assert bot.vote(sit, item, "a1", text) == "yes"


# --- burden sharing -------------------------------------------------------------------------


def formal_situation(g: Game, team: str) -> Situation:
    return Situation(bot_view(g, team))


def test_fair_shares_leave_out_holdings_too_small_to_be_worth_giving():
    """Darfur at the start: AMIS's gap is asked of the AU's troops, the EU's funds, aircraft
    and troops, the US's funds and aircraft, NATO's aircraft and the UK's funds; not of the
    small holdings (the AU's funds, the League's, China's, the Secretary-General's, NATO's
    funds, the UK's aircraft) that would cost their holders more than they add."""
    g = play_to_formal(DARFUR)
    sit = formal_situation(g, "sg")
    shares = burden.fair_shares(sit, sit.item("funding"))
    asked = {(team, r) for team, per in shares.items() for r in per}
    assert asked == {
        ("au", "troops"),
        ("eu", "funds"),
        ("eu", "airlift"),
        ("eu", "troops"),
        ("uk", "funds"),
        ("usa", "funds"),
        ("usa", "airlift"),
        ("nato", "airlift"),
    }


def test_a_package_counts_its_channel_in_the_bots_own_share():
    """The EU's own package puts the EU down for funds through the African Peace Facility:
    its own share is sized on the whole text, channel and objective included."""
    g = play_to_formal(DARFUR)
    bot = make("linear")
    assert isinstance(bot, Negotiator)
    sit = formal_situation(g, "eu")
    item = sit.item("funding")
    offer = bot.offer(sit, item)
    assert offer is not None and offer["channel"] == "apf"
    assert contributions(item, offer)["eu"]["funds"] > 100
    assert burden.gain(sit, item, offer) >= bot.package_target(sit, item)


def test_a_package_takes_teams_at_their_word_and_a_refusal_names_the_limit():
    """A team that offered to give itself something this round is asked exactly that; a team
    that refused what a package asked of it is asked less than half as much next time."""
    g = play_to_formal(DARFUR)
    item = DARFUR.item("funding")
    assert item is not None
    asked = {
        "au": {"troops": 4000.0},
        "eu": {"funds": 250.0},
        "usa": {"funds": 150.0, "airlift": 6.0},
        "nato": {"airlift": 6.0},
    }
    run_until_turn(g, "au")
    g.do(Table(item="funding", clauses={"contributions": asked, "channel": "apf"}), seat("au"))
    vote_out(g, {"p1": {"usa": "no"}})
    to_next_formal(g)
    run_until_turn(g, "eu")
    offer = {"eu": {"funds": 300.0, "airlift": 2.0}}
    g.do(Table(item="funding", clauses={"contributions": offer, "channel": "apf"}), seat("eu"))
    sit = formal_situation(g, "nato")
    pkg = burden.package(sit, item, 0.0, terms={"channel": "apf"})
    assert pkg is not None
    pledges = contributions(item, pkg)
    assert pledges["eu"] == {"funds": 300.0, "airlift": 2.0}
    assert pledges["usa"]["funds"] < 75 and pledges["usa"].get("airlift", 0.0) < 3
    assert pledges["au"] == {"troops": 4000.0}  # it consented to that


def test_cooperative_bots_fund_amis_and_authorise_it():
    """Darfur played by linear, Conceder and chair bots (the tournament's rotation): the
    funding package and the Council's resolution are adopted."""
    teams = [t.id for t in DARFUR.teams]
    bots = ["linear", "conceder", "chair"]
    adopted = {"funding": 0, "resolution": 0}
    for g in range(len(bots)):
        strategies = {t: bots[(g + i) % len(bots)] for i, t in enumerate(teams)}
        result = play_game(DARFUR, strategies, seed=10_000 + g, analyse=False)
        assert result.rejected == []
        for item in adopted:
            adopted[item] += result.adopted[item]
    assert adopted["funding"] == len(bots)
    assert adopted["resolution"] >= 2
