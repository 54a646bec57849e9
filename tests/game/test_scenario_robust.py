"""The checks never raise, whatever the file holds: every mutation of a good scenario gives a
list of problems (seeded, reproducible)."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from game.scenario.source import parse
from game.scenario.validate import check, load

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    ROOT / "tests" / "scenario_fixtures" / "minimal.yaml",
    ROOT / "scenarios" / "darfur_2004.yaml",
]
JUNK: list[Any] = [None, 0, -1, 2.5, True, False, "", "x", "all", [], [1, "a"], {}, {"kind": "x"}]


def spots(node: Any, out: list) -> list:
    """Every (container, key) in the data, for a mutation to hit."""
    if isinstance(node, dict):
        for key in list(node):
            out.append((node, key))
            spots(node[key], out)
    elif isinstance(node, list):
        for index in range(len(node)):
            out.append((node, index))
            spots(node[index], out)
    return out


def mutate(data: dict, rng: random.Random) -> dict:
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 4)):
        places = spots(data, [])
        container, key = rng.choice(places)
        roll = rng.random()
        if roll < 0.3 and isinstance(container, dict):
            del container[key]
        elif roll < 0.4 and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
        else:
            container[key] = copy.deepcopy(rng.choice(JUNK))
    return data


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_mutated_scenarios_give_problems_not_exceptions(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rng = random.Random(20050726)
    for _ in range(300):
        problems = check(mutate(data, rng), {})
        assert isinstance(problems, list)


@pytest.mark.parametrize("text", ["[", "a: b: c", "- 1\n- 2", "42", "null", "{}", "id: [x\n"])
def test_odd_texts_give_problems_not_exceptions(text: str):
    scenario, problems = load(text)
    assert scenario is None and problems


def test_lines_survive_mutation():
    text = FILES[0].read_text(encoding="utf-8")
    source = parse(text)
    problems = check(source.data, source.lines)
    assert problems == []
