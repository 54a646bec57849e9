"""The shipped scenarios: they load with no problem, they follow the brief for a scenario
(GAME.md section 10), and their numbers leave room for a negotiation."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from game import engine
from game.scenario.agenda import Issue, Item
from game.scenario.model import Scenario
from game.scoring import rescore
from game.state import Proposal
from game.utility import item_utility
from game.world import resolve_round, take_effect
from server import scenario_files
from server.scenario_files import ScenarioFileError, builtin_scenarios, load_scenario, read

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "scenarios").glob("*.yaml"))
IDS = ["council_2004", "darfur_2004", "hlm6_2005", "summit_2005", "tutorial"]
LARGER = ["council_2004", "darfur_2004", "hlm6_2005", "summit_2005"]


@pytest.fixture(scope="module")
def shipped() -> dict[str, Scenario]:
    return builtin_scenarios()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_shipped_file_has_no_problem(path: Path):
    scenario, problems = read(path)
    assert problems == [], "\n".join(p.render(str(path)) for p in problems)
    assert scenario is not None and scenario.id == path.stem


def test_the_builtin_scenarios_are_the_five(shipped: dict[str, Scenario]):
    assert sorted(shipped) == IDS


def test_the_builtin_folder_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fixture = ROOT / "tests" / "scenario_fixtures" / "minimal.yaml"
    (tmp_path / "minimal.yaml").write_text(fixture.read_text())
    (tmp_path / "notes.txt").write_text("not a scenario")
    monkeypatch.setenv(scenario_files.ENV_FOLDER, str(tmp_path))
    assert scenario_files.scenarios_dir() == tmp_path
    assert list(builtin_scenarios()) == ["minimal"]


def test_a_bad_builtin_file_raises_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: Bad\nteams: []\n")
    monkeypatch.setenv(scenario_files.ENV_FOLDER, str(tmp_path))
    with pytest.raises(ScenarioFileError) as caught:
        builtin_scenarios()
    assert caught.value.path == bad
    assert f"{bad}:3: teams: " in str(caught.value)


def test_load_scenario_raises_naming_every_problem():
    path = ROOT / "tests" / "scenario_fixtures" / "several_errors.yaml"
    with pytest.raises(ScenarioFileError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert str(path) in message
    assert "teams[0].seats" in message and "agenda[0].partner" in message
    assert len(caught.value.problems) >= 6


def test_two_files_with_one_id_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    text = (ROOT / "scenarios" / "tutorial.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    monkeypatch.setenv(scenario_files.ENV_FOLDER, str(tmp_path))
    with pytest.raises(ScenarioFileError, match="also used by"):
        builtin_scenarios()


# --------------------------------------------------------------------------- what every team has


@pytest.mark.parametrize("sid", IDS)
def test_every_team_is_fully_briefed(shipped: dict[str, Scenario], sid: str):
    scenario = shipped[sid]
    assert scenario.summary and scenario.background and scenario.facilitator_notes
    assert len(scenario.debrief_questions) >= 3
    for team in scenario.teams:
        where = f"{sid}/{team.id}"
        assert 1 <= team.seats <= 3, where
        assert team.public_profile.strip() and team.brief.strip(), where
        assert len(team.brief) >= 200, f"{where}: a brief students can work from"
        assert 1 <= len(team.objectives) <= 2, where
        assert team.weights, f"{where} cares about no item"
        assert set(team.reservation) == set(team.weights), f"{where}: a reservation per item"
        assert set(team.cost_weights) == set(team.resources), f"{where}: a cost per resource"
        for item_id, weights in team.weights.items():
            item = scenario.item(item_id)
            assert item is not None
            for issue in item.issues:
                if issue.kind == "contributions":
                    continue
                assert issue.id in weights, f"{where}: no weight for {item_id}.{issue.id}"
                if issue.kind == "choice":
                    assert set(weights[issue.id].options) == {o.id for o in issue.options}


def test_the_tutorial_is_small_and_quick(shipped: dict[str, Scenario]):
    tutorial = shipped["tutorial"]
    assert len(tutorial.teams) == 3
    assert len(tutorial.agenda) == 1
    assert tutorial.rounds.count == 2
    by_kind = {p.kind: p for p in tutorial.rounds.phases}
    assert by_kind["briefing"].duration_s == 30
    assert by_kind["consultations"].duration_s == 120
    assert (by_kind["formal"].turn_seconds, by_kind["formal"].turn_cap) == (45, 9)
    assert by_kind["voting"].ballot_seconds == 45
    assert by_kind["resolution"].duration_s == 20


@pytest.mark.parametrize("sid", LARGER)
def test_larger_scenarios_use_hidden_items_and_both_kinds_of_inject(
    shipped: dict[str, Scenario], sid: str
):
    scenario = shipped[sid]
    assert any(i.hidden for i in scenario.agenda)
    assert any(i.at is not None for i in scenario.injects)
    assert any(i.condition is not None for i in scenario.injects)


def test_darfur_is_the_largest_and_has_what_the_paper_says(shipped: dict[str, Scenario]):
    darfur = shipped["darfur_2004"]
    assert len(darfur.teams) == max(len(s.teams) for s in shipped.values())
    assert len(darfur.teams) >= 8
    kinds = {i.kind for i in darfur.agenda}
    assert kinds == {"burden_sharing", "authorisation", "mou"}
    funding = next(i for i in darfur.agenda if i.kind == "burden_sharing")
    amis = darfur.operation(funding.operation or "")
    assert amis is not None and amis.lead == "au"
    assert set(amis.requirements) == {"troops", "funds", "airlift"}
    team_ids = {t.id for t in darfur.teams}
    eu = darfur.team("eu")
    assert eu is not None and eu.resources["funds"] > 0  # the African Peace Facility
    assert darfur.team("au") is not None and darfur.team("au").resources["troops"] == 4000
    resolution = next(i for i in darfur.agenda if i.rule.kind == "security_council")
    assert resolution.voters == "council" and resolution.operation == "amis"
    council = [t for t in darfur.teams if t.council.member] + list(darfur.council)
    assert len(council) == 15
    assert sum(1 for m in council if getattr(m, "permanent", False) or m.id in team_ids) >= 5
    mou = next(i for i in darfur.agenda if i.kind == "mou")
    assert mou.partner == "au"
    region = darfur.region(amis.region)
    assert region is not None and region.threat >= 0.08  # high: security falls untended


def test_hlm6_covers_the_committee_and_the_six_working_groups(shipped: dict[str, Scenario]):
    hlm6 = shipped["hlm6_2005"]
    assert all(i.rule.kind == "consensus" for i in hlm6.agenda)
    committee = next(i for i in hlm6.agenda if i.kind == "committee")
    groups = committee.issue("working_groups")
    assert groups is not None
    text = " ".join(o.label for o in groups.options)
    for name in (
        "Dialogue among Civilizations",
        "Civilian Protection",
        "Terrorism and Human Rights",
        "Lessons Learned in Peacekeeping",
        "Disarmament",
        "UN Reform",
    ):
        assert name in text
    assert any(i.kind == "mou" for i in hlm6.agenda)


def test_council_2004_has_the_seven_organisations(shipped: dict[str, Scenario]):
    council = shipped["council_2004"]
    orgs = {t.id for t in council.teams if t.kind in ("regional_org", "subregional_org")}
    assert orgs == {"au", "cis", "eu", "las", "nato", "osce", "ecowas"}
    prst = council.item("prst")
    assert prst is not None and prst.kind == "authorisation" and prst.operation is None
    assert prst.rule.kind == "consensus" and prst.voters == "council"
    members = [t for t in council.teams if t.council.member] + list(council.council)
    assert len(members) == 15


def test_summit_2005_has_standby_mous_and_council_involvement(shipped: dict[str, Scenario]):
    summit = shipped["summit_2005"]
    assert any(
        i.kind == "mou" and any(s.kind == "number" and s.role == "standby" for s in i.issues)
        for i in summit.agenda
    )
    assert summit.item("council_involvement") is not None


# --------------------------------------------------------------------------- room to negotiate


def values(scenario: Scenario, issue: Issue) -> list:
    if issue.kind == "choice":
        return [o.id for o in issue.options]
    if issue.kind == "number":
        assert issue.min is not None and issue.max is not None and issue.step
        n = round((issue.max - issue.min) / issue.step)
        return [issue.min + k * issue.step for k in range(n + 1)]
    pool = issue.candidates or [t.id for t in scenario.teams]
    top = issue.max_members or len(pool)
    return [
        list(c) for k in range(issue.min_members, top + 1) for c in itertools.combinations(pool, k)
    ]


def electorate(scenario: Scenario, item: Item):
    """Voters on `item` with stated preferences, with their weights and reservation."""
    if item.voters == "all":
        ids = [t.id for t in scenario.teams]
    elif item.voters == "council":
        ids = [t.id for t in scenario.teams if t.council.member] + [n.id for n in scenario.council]
    else:
        ids = list(item.voters)
    out = []
    for vid in ids:
        voter = scenario.team(vid) or next(n for n in scenario.council if n.id == vid)
        weights = voter.weights.get(item.id)
        if weights:
            default = 0.0 if scenario.team(vid) else 0.5
            out.append((vid, weights, voter.reservation.get(item.id, default)))
    return out


NEGOTIATED = [
    (s, i)
    for s, items in {
        "tutorial": ["mou_au"],
        "hlm6_2005": ["committee", "mou_au", "mou_eu", "mou_las"],
        "darfur_2004": ["resolution", "mou_au", "inquiry"],
        "council_2004": ["prst", "darfur_prst"],
        "summit_2005": ["outcome", "council_involvement", "mou_au", "mou_eu", "mou_asean"],
    }.items()
    for i in items
]


@pytest.mark.parametrize(("sid", "item_id"), NEGOTIATED)
def test_a_zone_of_agreement_exists_and_preferences_conflict(
    shipped: dict[str, Scenario], sid: str, item_id: str
):
    """Some text clears every voter's reservation value (a deal is possible), the teams'
    ideal texts differ, and at least one team's ideal is unacceptable to another voter (there
    is something to negotiate)."""
    scenario = shipped[sid]
    item = scenario.item(item_id)
    assert item is not None
    voters = electorate(scenario, item)
    assert len(voters) >= 2
    issues = [i for i in item.issues if i.kind != "contributions"]
    space = [
        dict(zip([i.id for i in issues], combo, strict=True))
        for combo in itertools.product(*(values(scenario, i) for i in issues))
    ]
    table = [[item_utility(item, w, text) or 0.0 for _, w, _ in voters] for text in space]
    reservations = [r for _, _, r in voters]

    def acceptable(row: list[float]) -> bool:
        return all(u >= r for u, r in zip(row, reservations, strict=True))

    assert any(acceptable(row) for row in table), f"{sid}/{item_id}: no zone of agreement"
    players = [k for k, (vid, _, _) in enumerate(voters) if scenario.team(vid) is not None]
    ideals = {k: max(range(len(space)), key=lambda n, k=k: table[n][k]) for k in players}
    if len(players) > 1:
        assert len(set(ideals.values())) > 1, f"{sid}/{item_id}: every team wants the same text"
    assert any(not acceptable(table[ideals[k]]) for k in players), (
        f"{sid}/{item_id}: any team's ideal suits everyone; nothing to negotiate"
    )


# --------------------------------------------------------------------------- free riding in Darfur

RESOLUTION = {
    "mandate": "protect_civilians",
    "lead": "joint",
    "duration": 3,
    "consent": "with_consent",
}
PACKAGE = {
    "au": {"troops": 3000},
    "eu": {"funds": 200, "airlift": 2, "troops": 500},
    "usa": {"funds": 100, "airlift": 4},
    "nato": {"airlift": 6},
    "las": {"funds": 40, "troops": 300},
    "china": {"funds": 20, "troops": 200},
    "sg": {"funds": 40},
}


def play_darfur(scenario: Scenario, package: dict) -> dict:
    """Adopt the resolution and `package` in round 1, deliver every pledge at once, and run
    the security model to the end with the engine's own functions. Scores by team."""
    state = engine.fold(engine.create("free-riding", "test", scenario, 0, 0))
    texts = [("resolution", RESOLUTION), ("funding", {"contributions": package, "channel": "apf"})]
    for round_no in range(1, scenario.rounds.count + 1):
        state.round = round_no
        if round_no == 1:
            for n, (item_id, clauses) in enumerate(texts, 1):
                pid = f"p{n}"
                state.proposals[pid] = Proposal(
                    id=pid,
                    item=item_id,
                    sponsor="sg",
                    title=item_id,
                    clauses=clauses,
                    round=1,
                    seq=n,
                    status="adopted",
                    adopted_round=1,
                )
                state.adopted[item_id] = pid
                item = scenario.item(item_id)
                assert item is not None
                take_effect(state, item, clauses)
            for pledge in state.pledges:
                pledge.delivered = pledge.amount
        resolve_round(state)
        state.resolved_round = round_no
    rescore(state)
    return state.scores


def test_darfur_makes_free_riding_tempting_but_cooperation_worth_it(
    shipped: dict[str, Scenario],
):
    scenario = shipped["darfur_2004"]
    full = play_darfur(scenario, PACKAGE)
    total_gain = 0.0
    total_cost = 0.0
    for team in PACKAGE:
        without = play_darfur(scenario, {t: c for t, c in PACKAGE.items() if t != team})
        own_gain = full[team].security - without[team].security
        own_cost = full[team].cost - without[team].cost
        assert own_cost > own_gain > 0, f"{team}: contributing should cost it more than it buys it"
        total_cost += own_cost
    nothing = play_darfur(scenario, {})
    total_gain = sum(full[t].security - nothing[t].security for t in full)
    assert total_gain > total_cost, "the package as a whole should be worth its cost"
