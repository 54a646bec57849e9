"""YAML text to data with the line of every field (game/scenario/source.py)."""

from __future__ import annotations

from game.scenario.source import join, line_of, parent, parse

TEXT = """\
id: demo
teams:
  - id: sg
    weights:
      mou_au:
        consultation: {weight: 2, options: {annual: 0.5}}
  - id: au
    interests: {west: 1}
defaults: &defaults
  rule: {kind: consensus}
  voters: all
agenda:
  - <<: *defaults
    id: mou
    voters: [sg, au]
"""


def test_every_path_has_its_line():
    source = parse(TEXT)
    assert source.problems == []
    lines = source.lines
    assert lines[""] == 1
    assert lines["id"] == 1
    assert lines["teams"] == 2
    assert lines["teams[0]"] == 3
    assert lines["teams[0].weights.mou_au.consultation"] == 6
    assert lines["teams[0].weights.mou_au.consultation.options.annual"] == 6
    assert lines["teams[1].interests.west"] == 8


def test_the_data_is_plain_python():
    data = parse(TEXT).data
    assert data["teams"][0]["weights"]["mou_au"]["consultation"]["weight"] == 2
    assert data["agenda"][0]["voters"] == ["sg", "au"]
    assert data["agenda"][0]["rule"] == {"kind": "consensus"}


def test_merge_keys_point_to_where_the_value_was_written():
    lines = parse(TEXT).lines
    assert lines["agenda[0].id"] == 14
    assert lines["agenda[0].voters"] == 15  # the override, not the merged default
    assert lines["agenda[0].rule"] == 10  # merged: the line in the anchored mapping


def test_a_duplicate_key_is_a_problem():
    source = parse("a: 1\nb: 2\na: 3\n")
    assert source.data == {"a": 3, "b": 2}
    assert len(source.problems) == 1
    problem = source.problems[0]
    assert (problem.path, problem.line) == ("a", 3)
    assert "duplicate key 'a'" in problem.message and "line 1" in problem.message


def test_yaml_booleans_as_keys_are_named_as_the_data_holds_them():
    source = parse("options:\n  no: 1\n  yes: 2\n")
    assert source.data == {"options": {False: 1, True: 2}}
    assert source.lines["options.False"] == 2
    assert source.lines["options.True"] == 3


def test_a_syntax_error_gives_no_data_and_one_problem():
    source = parse("a: [1, 2\nb: 3\n")
    assert source.data is None
    assert len(source.problems) == 1
    assert source.problems[0].line == 2
    assert "YAML syntax error" in source.problems[0].message


def test_an_unsafe_tag_is_refused_not_run():
    source = parse("a: !!python/object/apply:os.system ['true']\n")
    assert source.data is None
    assert source.problems[0].line == 1
    assert "constructor" in source.problems[0].message


def test_recursive_aliases_do_not_hang():
    source = parse("a: &x\n  b: *x\n")
    assert source.problems == []
    assert source.lines["a.b"] == 2


def test_path_helpers():
    assert join(["teams", 3, "weights", "mou_au"]) == "teams[3].weights.mou_au"
    assert join([0, "a"]) == "[0].a"
    assert parent("teams[3].weights") == "teams[3]"
    assert parent("teams[3]") == "teams"
    assert parent("teams") == ""
    assert parent("") is None
    lines = {"": 1, "teams": 2, "teams[3]": 9}
    assert line_of(lines, "teams[3].weights.mou_au") == 9
    assert line_of(lines, "agenda[0]") == 1
    assert line_of({}, "x") is None
