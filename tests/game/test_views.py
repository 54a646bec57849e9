"""Projections commute with the fold: a viewer that folds its projected events onto its
snapshot holds exactly the projection of the live state, for every seat."""

from __future__ import annotations

import random

import pytest

from game import engine
from game.disclosure import FACILITATOR_VIEW, SPECTATOR_VIEW, Viewer
from game.scenario.model import Scenario
from game.state import SessionState
from game.views import disclosure_epoch, project, project_state, view
from tests.game.canaries import with_canaries
from tests.game.random_play import play_random
from tests.game.scenarios import shipped
from tests.game.tiny import tiny


def comparable(state: SessionState, viewer: Viewer) -> dict:
    return project_state(state, viewer).model_dump(mode="json", exclude={"seq", "at"})


def snapshot(state: SessionState, viewer: Viewer) -> SessionState:
    """What a client parses from a snapshot message."""
    return SessionState.model_validate_json(view(state, viewer).state.model_dump_json())


def check_commutes(log: list, viewer: Viewer) -> int:
    server = engine.fold(log[:1])
    client = snapshot(server, viewer)
    epoch = disclosure_epoch(server)
    snapshots = 1
    for event in log[1:]:
        engine.evolve(server, event)
        projected = project(event, viewer, server)
        if projected is not None:
            engine.evolve(client, projected, strict=False)
        if disclosure_epoch(server) != epoch:
            epoch = disclosure_epoch(server)
            client = snapshot(server, viewer)
            snapshots += 1
        assert comparable(client, viewer) == comparable(server, viewer), (
            f"{viewer} diverged at seq {event.seq} ({event.type})"
        )
    return snapshots


def viewers(scenario: Scenario) -> list[Viewer]:
    seats = [Viewer(role="seat", team=t.id, seat=f"{t.id}.1") for t in scenario.teams]
    return [*seats, FACILITATOR_VIEW, SPECTATOR_VIEW]


@pytest.mark.parametrize("seed", (1, 2))
def test_projections_commute_in_the_tiny_scenario(seed: int):
    """For every seat, the facilitator and a spectator, at every seq."""
    g = play_random(with_canaries(tiny()), seed, max_steps=800)
    for viewer in viewers(g.scenario):
        check_commutes(g.log, viewer)


@pytest.mark.parametrize("name", sorted(shipped()))
def test_projections_commute_in_shipped_scenarios(name: str):
    """The same in every shipped scenario."""
    g = play_random(with_canaries(shipped()[name]), 4, max_steps=800)
    for viewer in viewers(g.scenario):
        check_commutes(g.log, viewer)


def test_projection_is_idempotent():
    """Projecting a projection changes nothing."""
    g = play_random(tiny(), 3, max_steps=300)
    rng = random.Random(0)
    for viewer in rng.sample(viewers(g.scenario), 3):
        once = project_state(g.state, viewer)
        assert project_state(once, viewer) == once
