"""Darfur's burden sharing is a public-goods game, measured by playing the engine's commands:
free riding pays one team alone, and costs everyone when all do it."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from game.analysis.free_riding import study
from tests.game.scenarios import shipped

SCRIPT = runpy.run_path(str(Path(__file__).resolve().parents[2] / "scripts" / "free_riding.py"))


@pytest.fixture(scope="module")
def runs():
    return study(shipped()["darfur_2004"], SCRIPT["TEXTS"], list(SCRIPT["PACKAGE"]))


def test_the_reference_package_is_adopted_and_delivered(runs):
    """With everyone delivering, the mission holds Darfur's security up; with nobody, it falls."""
    assert runs["nobody"].security["darfur"] > 0.5
    assert runs["everyone"].security["darfur"] < 0.1


@pytest.mark.parametrize("team", ["eu", "usa", "las", "china", "sg"])
def test_free_riding_alone_pays(runs, team: str):
    """A donor that keeps its pledge's worth scores more, and the others less."""
    base, alone = runs["nobody"].scores, runs[team].scores
    assert alone[team] > base[team]
    assert sum(alone[t] - base[t] for t in base if t != team) < 0


def test_the_lead_cannot_free_ride(runs):
    """The AU leads the mission: breaking its pledge lowers its standing, the mission's
    legitimacy and its own objective, so it loses more than it saves."""
    assert runs["au"].scores["au"] < runs["nobody"].scores["au"]


def test_everyone_free_riding_costs_everyone(runs):
    """When every contributor withholds, every team ends worse off than when all deliver."""
    base, every = runs["nobody"].scores, runs["everyone"].scores
    assert all(every[t] < base[t] for t in base)
