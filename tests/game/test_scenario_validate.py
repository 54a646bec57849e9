"""The scenario checks: each kind of mistake an author makes is reported with its path, its line
and a message that names the problem.

Most cases break `tests/scenario_fixtures/minimal.yaml` (a scenario with no problem) by a text
replacement and mark the line the problem must be reported on with `# HERE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from game.scenario.model import Scenario
from game.scenario.source import Problem, parse
from game.scenario.validate import check, load

FIXTURES = Path(__file__).resolve().parents[1] / "scenario_fixtures"
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
MARK = "# HERE"


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple[tuple[str, str], ...]
    path: str
    words: tuple[str, ...]

    def text(self) -> str:
        text = MINIMAL
        for old, new in self.edits:
            assert text.count(old) == 1, f"{self.name}: {old!r} is not unique in minimal.yaml"
            text = text.replace(old, new)
        assert text.count(MARK) == 1, f"{self.name}: mark exactly one line with {MARK}"
        return text


def case(name: str, old: str, new: str, path: str, *words: str) -> Case:
    return Case(name, ((old, new),), path, words)


def marked_line(text: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if MARK in line)


def at(problems: list[Problem], path: str) -> list[Problem]:
    return [p for p in problems if p.path == path]


CASES = [
    # duplicate ids
    case(
        "duplicate team",
        "  - id: eu\n",
        "  - id: au  # HERE\n",
        "teams[2].id",
        "duplicate team id 'au'",
        "teams[1]",
    ),
    case(
        "duplicate region",
        "  - {id: north, name: North, security: 0.8, threat: 0.01}",
        "  - {id: west, name: North, security: 0.8, threat: 0.01}  # HERE",
        "regions[1].id",
        "duplicate region id 'west'",
    ),
    case(
        "duplicate item",
        "  - id: funding\n",
        "  - id: mou  # HERE\n",
        "agenda[2].id",
        "duplicate agenda item id 'mou'",
    ),
    case(
        "duplicate operation",
        "    deployed: {troops: 100}\n",
        "    deployed: {troops: 100}\n"
        "  - {id: mission, name: Again, region: west, lead: au, requirements: {troops: 1}}"
        "  # HERE\n",
        "operations[1].id",
        "duplicate operation id 'mission'",
    ),
    case(
        "duplicate inject",
        "      - {kind: change_resources, team: eu, resource: funds, delta: 10}\n",
        "      - {kind: change_resources, team: eu, resource: funds, delta: 10}\n"
        "  - {id: news, title: Again, text: Again}  # HERE\n",
        "injects[2].id",
        "duplicate inject id 'news'",
    ),
    case(
        "duplicate objective",
        "        condition: {kind: item_adopted, item: mou, by_round: 2}\n",
        "        condition: {kind: item_adopted, item: mou, by_round: 2}\n"
        "      - {id: signed, text: Again, condition: {kind: pledges_kept, team: sg}}  # HERE\n",
        "teams[0].objectives[1].id",
        "duplicate objective id 'signed'",
    ),
    case(
        "duplicate issue",
        "      - id: standby\n        title: Standby\n",
        "      - id: consult  # HERE\n        title: Standby\n",
        "agenda[0].issues[1].id",
        "duplicate issue id 'consult'",
    ),
    case(
        "duplicate option",
        "          - {id: quarterly, label: Quarterly, strength: 1.0}",
        "          - {id: annual, label: Quarterly, strength: 1.0}  # HERE",
        "agenda[0].issues[0].options[1].id",
        "duplicate option id 'annual'",
    ),
    case(
        "duplicate phase",
        "    - {id: close, kind: resolution, duration_s: 10}",
        "    - {id: talk, kind: resolution, duration_s: 10}  # HERE",
        "rounds.phases[2].id",
        "duplicate phase id 'talk'",
    ),
    case(
        "duplicate council voter",
        "  - {id: chile, name: Chile}",
        "  - {id: benin, name: Chile}  # HERE",
        "council[2].id",
        "duplicate Council non-player voter id 'benin'",
    ),
    case(
        "team and non-player voter clash",
        "  - {id: benin, name: Benin}",
        "  - {id: eu, name: Benin}  # HERE",
        "council[1].id",
        "'eu' is both a team and a Council non-player voter",
    ),
    # unknown teams
    case(
        "unknown voter",
        "    voters: [sg, au]\n",
        "    voters: [sg, aux]  # HERE\n",
        "agenda[0].voters[1]",
        "unknown team 'aux'",
        "did you mean 'au'",
    ),
    case(
        "unknown phase actor",
        "    - {id: talk, kind: consultations, duration_s: 60}",
        "    - {id: talk, kind: consultations, duration_s: 60, actors: [sg, ghana]}  # HERE",
        "rounds.phases[0].actors[1]",
        "unknown team 'ghana'",
    ),
    case(
        "unknown inject audience",
        "    audience: [au, eu]",
        "    audience: [au, eux]  # HERE",
        "injects[1].audience[1]",
        "unknown team 'eux'",
    ),
    case(
        "unknown team in an objective",
        "condition: {kind: item_adopted, item: mou, by_round: 2}",
        "condition: {kind: pledges_kept, team: nobody}  # HERE",
        "teams[0].objectives[0].condition.team",
        "unknown team 'nobody'",
    ),
    case(
        "unknown team in an effect",
        "{kind: change_resources, team: eu, resource: funds, delta: 10}",
        "{kind: change_resources, team: un, resource: funds, delta: 10}  # HERE",
        "injects[1].effects[1].team",
        "unknown team 'un'",
    ),
    # unknown regions
    case(
        "unknown region in interests",
        "    interests: {west: 1}\n",
        "    interests: {west: 1, south: 1}  # HERE\n",
        "teams[0].interests.south",
        "unknown region 'south'",
    ),
    case(
        "unknown home region",
        "    region: north\n",
        "    region: nort  # HERE\n",
        "teams[2].region",
        "unknown region 'nort'",
        "did you mean 'north'",
    ),
    case(
        "unknown operation region",
        "    region: west\n    lead: au",
        "    region: east  # HERE\n    lead: au",
        "operations[0].region",
        "unknown region 'east'",
    ),
    case(
        "unknown region in a condition",
        "{kind: security_below, region: west, level: 0.3}",
        "{kind: security_below, region: wes, level: 0.3}  # HERE",
        "injects[1].condition.region",
        "unknown region 'wes'",
    ),
    case(
        "unknown region in an effect",
        "      - {kind: change_threat, region: west, delta: 0.02}",
        "      - {kind: change_threat, region: mars, delta: 0.02}  # HERE",
        "injects[1].effects[0].region",
        "unknown region 'mars'",
    ),
    # unknown items, issues, options
    case(
        "unknown item in weights",
        "      statement:\n        tone:",
        "      statment:  # HERE\n        tone:",
        "teams[0].weights.statment",
        "unknown agenda item 'statment'",
        "did you mean 'statement'",
    ),
    case(
        "unknown issue in weights",
        "        consult: {weight: 1, options: {annual: 1.0, quarterly: 0.4}}",
        "        consultation: {weight: 1, options: {annual: 1.0, quarterly: 0.4}}  # HERE",
        "teams[1].weights.mou.consultation",
        "unknown issue 'consultation'",
    ),
    case(
        "missing option score",
        "consult: {weight: 2, options: {annual: 0.5, quarterly: 1.0}}",
        "consult: {weight: 2, options: {annual: 0.5}}  # HERE",
        "teams[0].weights.mou.consult.options",
        "no score for option(s) quarterly",
    ),
    case(
        "score for an unknown option",
        "consult: {weight: 2, options: {annual: 0.5, quarterly: 1.0}}",
        "consult: {weight: 2, options: {annual: 0.5, quarterly: 1.0, monthly: 0.3}}  # HERE",
        "teams[0].weights.mou.consult.options.monthly",
        "unknown option 'monthly'",
    ),
    Case(
        "missing issue weight",
        (
            ("        standby: {weight: 2, points: [[0, 1.0], [1000, 0.0]]}\n", ""),
            (
                "      mou:\n        consult: {weight: 1",
                "      mou:  # HERE\n        consult: {weight: 1",
            ),
        ),
        "teams[1].weights.mou",
        ("no weight for issue 'standby'",),
    ),
    case(
        "weights on a contributions issue",
        "      statement:\n        tone:",
        "      funding:\n        pledges: {weight: 1}  # HERE\n      statement:\n        tone:",
        "teams[0].weights.funding.pledges",
        "contributions issue",
        "cost",
    ),
    case(
        "unknown item in a reservation",
        "    reservation: {mou: 0.4}",
        "    reservation: {mou: 0.4, treaty: 0.5}  # HERE",
        "teams[1].reservation.treaty",
        "unknown agenda item 'treaty'",
    ),
    case(
        "reservation without weights",
        "    reservation: {mou: 0.4}",
        "    reservation: {mou: 0.4, committee: 0.5}  # HERE",
        "teams[1].reservation.committee",
        "no weights for 'committee'",
    ),
    case(
        "unknown item in priorities",
        "    reservation: {mou: 0.4}",
        "    reservation: {mou: 0.4}\n    priorities: {mou: 2, pact: 1}  # HERE",
        "teams[1].priorities.pact",
        "unknown agenda item 'pact'",
    ),
    case(
        "unknown item in a condition",
        "{kind: item_adopted, item: mou, by_round: 2}",
        "{kind: item_adopted, item: pact, by_round: 2}  # HERE",
        "teams[0].objectives[0].condition.item",
        "unknown agenda item 'pact'",
    ),
    case(
        "unknown issue in a condition",
        "{kind: option_adopted, item: mandate, issue: lead, option: au}",
        "{kind: option_adopted, item: mandate, issue: leader, option: au}  # HERE",
        "teams[1].objectives[0].condition.issue",
        "unknown issue 'leader'",
    ),
    case(
        "unknown option in a condition",
        "{kind: option_adopted, item: mandate, issue: lead, option: au}",
        "{kind: option_adopted, item: mandate, issue: lead, option: eu}  # HERE",
        "teams[1].objectives[0].condition.option",
        "unknown option 'eu'",
    ),
    case(
        "unknown item in an effect",
        "      - {kind: open_item, item: statement}",
        "      - {kind: open_item, item: statment}  # HERE",
        "injects[0].effects[0].item",
        "unknown agenda item 'statment'",
    ),
    case(
        "a round beyond the last in a condition",
        "{kind: item_adopted, item: mou, by_round: 2}",
        "{kind: item_adopted, item: mou, by_round: 5}  # HERE",
        "teams[0].objectives[0].condition.by_round",
        "round 5",
        "2 rounds",
    ),
    case(
        "a resource the team never has",
        "{kind: item_adopted, item: mou, by_round: 2}",
        "{kind: resources_below, team: sg, resource: troops, level: 1}  # HERE",
        "teams[0].objectives[0].condition.resource",
        "'sg' has no 'troops'",
    ),
    case(
        "member_of a team that cannot be chosen",
        "{kind: item_adopted, item: mou, by_round: 2}",
        "{kind: member_of, item: committee, team: usa}  # HERE",
        "teams[0].objectives[0].condition.team",
        "not a candidate",
    ),
    case(
        "cost weight for a resource the team lacks",
        "    cost_weights: {funds: 0.2}",
        "    cost_weights: {funds: 0.2, troops: 0.5}  # HERE",
        "teams[0].cost_weights.troops",
        "no 'troops'",
    ),
    # partners, operations, leads, candidates
    case(
        "unknown MOU partner",
        "    partner: au\n",
        "    partner: ecowas  # HERE\n",
        "agenda[0].partner",
        "unknown team 'ecowas'",
    ),
    case(
        "MOU partner that is not an organisation",
        "    partner: au\n",
        "    partner: usa  # HERE\n",
        "agenda[0].partner",
        "regional or subregional organisation",
        "council_member",
    ),
    case(
        "unknown operation",
        "    operation: mission\n    rule: {kind: majority}",
        "    operation: mision  # HERE\n    rule: {kind: majority}",
        "agenda[2].operation",
        "unknown operation 'mision'",
    ),
    case(
        "lead option naming an unknown team",
        "{id: au, label: The AU, lead_kind: regional, team: au}",
        "{id: au, label: The AU, lead_kind: regional, team: aux}  # HERE",
        "agenda[3].issues[0].options[0].team",
        "unknown team 'aux'",
    ),
    case(
        "lead option without a lead_kind",
        "{id: au, label: The AU, lead_kind: regional, team: au}",
        "{id: au, label: The AU, team: au}  # HERE",
        "agenda[3].issues[0].options[0]",
        "lead_kind",
    ),
    case(
        "unknown candidate",
        "candidates: [sg, au, eu]",
        "candidates: [sg, au, eux]  # HERE",
        "agenda[1].issues[0].candidates[2]",
        "unknown team 'eux'",
    ),
    case(
        "consultation option without a strength",
        "{id: annual, label: Annual, strength: 0.4}",
        "{id: annual, label: Annual}  # HERE",
        "agenda[0].issues[0].options[0].strength",
        "strength",
    ),
    case(
        "role that does not fit the kind",
        "        kind: number\n        role: standby",
        "        kind: number\n        role: mandate  # HERE",
        "agenda[0].issues[1].role",
        "must be of kind choice",
    ),
    case(
        "number range not reachable in steps",
        "        step: 100",
        "        step: 300  # HERE",
        "agenda[0].issues[1].step",
        "not reachable",
    ),
    case(
        "number weights outside the issue's range",
        "standby: {weight: 1, points: [[0, 0.0], [1000, 1.0]]}",
        "standby: {weight: 1, points: [[0, 0.0], [2000, 1.0]]}  # HERE",
        "teams[0].weights.mou.standby.points[1]",
        "2000 is outside the range",
    ),
    # decision rules
    case(
        "a rule that can never pass",
        "rule: {kind: weighted, weights: {sg: 1, au: 2, eu: 2}, threshold: 0.6}",
        "rule: {kind: weighted, weights: {sg: 0, au: 0, eu: 0}, threshold: 0.6}  # HERE",
        "agenda[4].rule",
        "can never pass",
    ),
    case(
        "weighted rule naming an unknown voter",
        "rule: {kind: weighted, weights: {sg: 1, au: 2, eu: 2}, threshold: 0.6}",
        "rule: {kind: weighted, weights: {sg: 1, au: 2, zz: 2}, threshold: 0.6}  # HERE",
        "agenda[4].rule.weights.zz",
        "unknown voter 'zz'",
    ),
    case(
        "qualified majority larger than the electorate",
        "    rule: {kind: unanimity}",
        "    rule: {kind: qualified_majority, k: 5}  # HERE",
        "agenda[1].rule.k",
        "needs 5 yes votes",
        "only 4",
    ),
    case(
        "council smaller than affirmative",
        "rule: {kind: security_council, affirmative: 3}",
        "rule: {kind: security_council, affirmative: 9}  # HERE",
        "agenda[3].rule.affirmative",
        "needs 9 affirmative votes",
        "4 members",
    ),
    case(
        "double majority without populations",
        "    rule: {kind: unanimity}",
        "    rule: {kind: double_majority}  # HERE",
        "agenda[1].rule",
        "population",
    ),
    case(
        "permanent member that is not a member",
        "council: {member: true, permanent: true, veto: true}",
        "council: {permanent: true, veto: true}  # HERE",
        "teams[3].council.permanent",
        "member: true",
    ),
    case(
        "veto without a permanent seat",
        "  - {id: benin, name: Benin}",
        "  - {id: benin, name: Benin, veto: true}  # HERE",
        "council[1].veto",
        "permanent",
    ),
    case(
        "non-player vote on an item it does not vote on",
        "  - {id: chile, name: Chile}",
        "  - {id: chile, name: Chile, votes: {mou: 'yes'}}  # HERE",
        "council[2].votes.mou",
        "never cast",
    ),
    # rounds, injects, declassification
    Case(
        "round without a voting phase",
        (
            ("  phases:\n", "  phases:  # HERE\n"),
            (
                "    - {id: vote, kind: voting, ballot_seconds: 30}",
                "    - {id: vote, kind: voting, ballot_seconds: 30, rounds: [1]}",
            ),
        ),
        "rounds.phases",
        ("round 2 has no voting phase",),
    ),
    case(
        "phase in a round that does not exist",
        "    - {id: close, kind: resolution, duration_s: 10}",
        "    - {id: close, kind: resolution, duration_s: 10, rounds: [1, 2, 3]}  # HERE",
        "rounds.phases[2].rounds[2]",
        "round 3 does not exist",
    ),
    case(
        "inject after the last round",
        "    at: {round: 2, phase: talk}",
        "    at: {round: 3, phase: talk}  # HERE",
        "injects[0].at.round",
        "round 3",
        "2 rounds",
    ),
    case(
        "inject at an unknown phase",
        "    at: {round: 2, phase: talk}",
        "    at: {round: 2, phase: tlak}  # HERE",
        "injects[0].at.phase",
        "unknown phase 'tlak'",
        "did you mean 'talk'",
    ),
    Case(
        "inject at a phase that does not run that round",
        (
            (
                "    - {id: talk, kind: consultations, duration_s: 60}",
                "    - {id: talk, kind: consultations, duration_s: 60, rounds: [1]}",
            ),
            ("    at: {round: 2, phase: talk}", "    at: {round: 2, phase: talk}  # HERE"),
        ),
        "injects[0].at.phase",
        ("does not run in round 2",),
    ),
    Case(
        "hidden item that nothing opens",
        (
            ("    effects:\n      - {kind: open_item, item: statement}\n", ""),
            ("    hidden: true\n", "    hidden: true  # HERE\n"),
        ),
        "agenda[4].hidden",
        ("no inject opens it",),
    ),
    Case(
        "opening an item that is not hidden",
        (
            ("    hidden: true\n", ""),
            (
                "      - {kind: open_item, item: statement}",
                "      - {kind: open_item, item: statement}  # HERE",
            ),
        ),
        "injects[0].effects[0].item",
        ("not hidden",),
    ),
    case(
        "declassification after the last round",
        "injects:\n",
        "declassify: {briefs: 7}  # HERE\ninjects:\n",
        "declassify.briefs",
        "round 7",
    ),
    # burden sharing
    case(
        "a requirement no coalition can cover",
        "requirements: {troops: 1000, funds: 100}",
        "requirements: {troops: 1000, funds: 200}  # HERE",
        "operations[0].requirements.funds",
        "no coalition can cover 200 funds",
        "160",
    ),
    # the schema, in the file's terms
    case(
        "seats out of range",
        "    seats: 2\n",
        "    seats: 0  # HERE\n",
        "teams[1].seats",
        "greater than or equal to 1",
    ),
    Case(
        "missing field reported on its parent's line",
        (
            (
                "  - id: committee\n    kind: committee\n    title: Committee\n",
                "  - id: committee  # HERE\n    kind: committee\n",
            ),
        ),
        "agenda[1].title",
        ("missing field 'title'",),
    ),
    case(
        "discriminated union tag dropped from a rule's path",
        "    rule: {kind: unanimity}",
        "    rule: {kind: unanimity, quorum: 2}  # HERE",
        "agenda[1].rule.quorum",
        "less than or equal to 1",
    ),
    case(
        "discriminated union tag dropped from a condition's path",
        "{kind: security_below, region: west, level: 0.3}",
        "{kind: security_below, region: west, level: 3}  # HERE",
        "injects[1].condition.level",
        "less than or equal to 1",
    ),
    case(
        "unknown kind",
        "    rule: {kind: unanimity}",
        "    rule: {kind: unanimty}  # HERE",
        "agenda[1].rule.kind",
        "unknown kind 'unanimty'",
        "did you mean 'unanimity'",
    ),
    case(
        "unknown field with a suggestion",
        "    - {id: talk, kind: consultations, duration_s: 60}",
        "    - {id: talk, kind: consultations, duration: 60}  # HERE",
        "rounds.phases[0].duration",
        "unknown field 'duration'",
        "did you mean 'duration_s'",
    ),
    case(
        "YAML reads no as false",
        "  - {id: chile, name: Chile}",
        "  - {id: chile, name: Chile, default: no}  # HERE",
        "council[2].default",
        "quotes",
    ),
    case(
        "not an identifier",
        "id: minimal\n",
        "id: Minimal Scenario  # HERE\n",
        "id",
        "not an id",
    ),
    case(
        "YAML reads a no key as false",
        "consult: {weight: 2, options: {annual: 0.5, quarterly: 1.0}}",
        "consult: {weight: 2, options: {annual: 0.5, quarterly: 1.0, no: 1}}  # HERE",
        "teams[0].weights.mou.consult.options.False",
        "put the key in quotes",
    ),
    case(
        "text with a colon read as a mapping",
        "teams:\n",
        "debrief_questions:\n  - Who paid: and why?  # HERE\nteams:\n",
        "debrief_questions[0]",
        "quotes",
    ),
    case(
        "duplicate key",
        "    title: Committee\n",
        "    title: Committee\n    title: Again  # HERE\n",
        "agenda[1].title",
        "duplicate key 'title'",
    ),
]


def test_the_minimal_fixture_has_no_problem():
    scenario, problems = load(MINIMAL)
    assert problems == []
    assert isinstance(scenario, Scenario)
    assert scenario.id == "minimal"


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_each_mistake_is_reported_where_it_is(c: Case):
    text = c.text()
    scenario, problems = load(text)
    assert scenario is None
    found = at(problems, c.path)
    assert found, f"no problem at {c.path}; got:\n" + "\n".join(p.render("x") for p in problems)
    line = marked_line(text)
    matching = [p for p in found if p.line == line and all(w in p.message for w in c.words)]
    assert matching, f"expected line {line} and {c.words}; got {found}"


def test_a_located_duplicate_replaces_the_vaguer_schema_report():
    text = MINIMAL.replace(
        "          - {id: quarterly, label: Quarterly, strength: 1.0}",
        "          - {id: annual, label: Quarterly, strength: 1.0}",
    )
    _, problems = load(text)
    assert not any("must be unique" in p.message for p in problems), problems
    assert any(p.path == "agenda[0].issues[0].options[1].id" for p in problems)


def test_several_errors_are_all_reported_at_once():
    text = (FIXTURES / "several_errors.yaml").read_text(encoding="utf-8")
    scenario, problems = load(text)
    assert scenario is None
    got = {(p.path, p.line) for p in problems}
    expected = {
        ("teams[0].seats", 8),  # schema
        ("teams[0].interests.south", 9),  # cross-reference, despite the schema errors
        ("agenda[0].partner", 21),
        ("agenda[0].rule.kind", 22),
        ("rounds.phases[0].duraton_s", 32),
        ("injects[0].at.round", 39),
    }
    assert expected <= got, problems
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)


def test_a_yaml_syntax_error_is_a_problem_with_its_line():
    text = (FIXTURES / "syntax_error.yaml").read_text(encoding="utf-8")
    scenario, problems = load(text)
    assert scenario is None
    assert len(problems) == 1
    assert problems[0].line == 6
    assert problems[0].path == ""
    assert "YAML syntax error" in problems[0].message
    assert "line 5" in problems[0].message  # where the unclosed sequence began


def test_a_colon_inside_a_value_gets_a_hint():
    _, problems = load("id: x\ntitle: Minimal: a test\n")
    assert problems[0].line == 2
    assert "quotes" in problems[0].message


def test_tabs_are_reported_as_a_syntax_error():
    _, problems = load("id: x\nteams:\n\t- id: a\n")
    assert problems[0].line == 3
    assert "YAML syntax error" in problems[0].message


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_an_empty_file_is_a_problem(text: str):
    scenario, problems = load(text)
    assert scenario is None
    assert problems == [Problem(path="", line=1, message="the file is empty")]


def test_a_file_that_is_not_a_mapping_is_a_problem():
    scenario, problems = load((FIXTURES / "not_a_mapping.yaml").read_text(encoding="utf-8"))
    assert scenario is None
    assert len(problems) == 1
    assert problems[0].line == 1
    assert "mapping" in problems[0].message and "list" in problems[0].message


def test_check_works_on_data_and_lines_without_text():
    source = parse(MINIMAL.replace("    partner: au\n", "    partner: nobody\n"))
    problems = check(source.data, source.lines)
    assert [p.path for p in problems] == ["agenda[0].partner"]
    assert check({"id": "x"}, {}) != []  # no lines known: still reported, with line None
    assert all(p.line is None for p in check({"id": "x"}, {}))


def test_a_non_mapping_entry_does_not_stop_the_other_checks():
    text = MINIMAL.replace(
        "  - {id: chile, name: Chile}",
        "  - just a string\n  - {id: chile, name: Chile, veto: true}",
    )
    _, problems = load(text)
    paths = {p.path for p in problems}
    assert "council[2]" in paths  # the schema says the string is not a voter
    assert "council[3].veto" in paths  # and the voter after it is still checked


def test_problem_render_is_file_line_path_message():
    p = Problem(path="teams[0].seats", line=8, message="too few")
    assert p.render("a.yaml") == "a.yaml:8: teams[0].seats: too few"
    assert Problem(path="", line=None, message="gone").render("a.yaml") == "a.yaml: (file): gone"
