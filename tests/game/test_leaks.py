"""Hidden information is the game: no view and no projected event may carry another team's
brief, objectives, weights, drafts, private or team talk, or an inject meant for others."""

from __future__ import annotations

import random

import pytest

from game import engine
from game.commands import (
    Advance,
    CustomInject,
    OpenChannel,
    SaveDraft,
    Say,
    Start,
)
from game.disclosure import SPECTATOR_VIEW, Viewer
from game.sampling import open_items, random_command, random_text
from game.views import project, view
from tests.game.canaries import canary, secrets_of, with_canaries
from tests.game.play import Game, seat
from tests.game.scenarios import shipped
from tests.game.tiny import tiny


def plant_secrets(g: Game, rng: random.Random) -> None:
    """Every team drafts, talks privately and in its team channel; each gets its own inject."""
    teams = [t.id for t in g.scenario.teams]
    while g.state.phase is None or g.state.scenario.rounds.phases[g.state.phase].kind != (
        "consultations"
    ):
        g.do(Advance())
    for i, team in enumerate(teams):
        item = open_items(g.state)[0]
        g.do(
            SaveDraft(
                item=item.id, clauses=random_text(g.state, item, rng), title=canary(team, "DRAFT")
            ),
            seat(team),
        )
        partner = teams[(i + 1) % len(teams)]
        events = g.do(OpenChannel(teams=[partner]), seat(team))
        channel = events[0].channel
        # The partner shares the channel, so the secret belongs to both: say it to the
        # partner, and test that third teams never see it.
        g.do(Say(channel=channel, text=canary(team, "PRIVATE")), seat(team))
        g.do(Say(channel="team", text=canary(team, "TEAMTALK")), seat(team))
        g.do(CustomInject(title="For you", text=canary(team, "INJECT"), audience=[team]))


def shared_with(g: Game, team: str) -> set[str]:
    """Teams that legitimately share `team`'s private-channel canary (channel partners)."""
    partners = set()
    for channel in g.state.channels.values():
        if channel.kind == "private" and team in channel.teams:
            partners.update(channel.teams)
    return partners


def outgoing_for(g: Game, viewer: Viewer) -> list[str]:
    """Every byte the engine would send this viewer, live event by event, and its view."""
    out = []
    state = engine.fold(g.log[:1])
    out.append(project(g.log[0], viewer, state).model_dump_json())
    for event in g.log[1:]:
        engine.evolve(state, event)
        if state.status == "concluded":
            break
        projected = project(event, viewer, state)
        if projected is not None:
            out.append(projected.model_dump_json())
        if event.type == "phase_started":
            out.append(view(state, viewer).model_dump_json())
    return out


def assert_no_leak(g: Game) -> None:
    teams = [t.id for t in g.scenario.teams]
    for viewer_team in teams:
        text = "\n".join(
            outgoing_for(g, Viewer(role="seat", team=viewer_team, seat=f"{viewer_team}.1"))
        )
        for other in teams:
            if other == viewer_team:
                continue
            for secret in secrets_of(g.scenario, other):
                if secret == canary(other, "PRIVATE") and viewer_team in shared_with(g, other):
                    continue
                assert secret not in text, f"{viewer_team} saw {secret}"
        assert canary(viewer_team, "BRIEF") in text  # its own brief does reach it
    public = "\n".join(outgoing_for(g, SPECTATOR_VIEW))
    for team in teams:
        for secret in secrets_of(g.scenario, team):
            assert secret not in public, f"the public saw {secret}"


def test_no_leak_in_the_tiny_scenario():
    """Canaries in every team's secrets never reach another seat or a spectator."""
    rng = random.Random(5)
    g = Game(with_canaries(tiny()))
    g.do(Start())
    plant_secrets(g, rng)
    for _ in range(300):
        team = rng.choice([t.id for t in g.scenario.teams])
        command = random_command(g.state, team, rng)
        if command is None:
            g.wait(10_000)
        else:
            g.attempt(command, seat(team))
        if g.state.status == "concluded":
            break
    assert_no_leak(g)


@pytest.mark.parametrize("name", sorted(shipped()))
def test_no_leak_in_shipped_scenarios(name: str):
    """The same for every shipped scenario, for every seat."""
    rng = random.Random(9)
    g = Game(with_canaries(shipped()[name]))
    g.do(Start())
    plant_secrets(g, rng)
    for _ in range(200):
        team = rng.choice([t.id for t in g.scenario.teams])
        command = random_command(g.state, team, rng)
        if command is None:
            g.wait(10_000)
        else:
            g.attempt(command, seat(team))
    assert_no_leak(g)


def test_sealed_ballot_is_sealed_until_it_closes():
    """While a ballot is open, other teams learn that a team voted, not how."""
    from game.commands import Pass, Table, Vote
    from game.events import BallotCast

    g = Game(tiny())
    g.do(Start())
    g.do(Advance())
    g.do(Advance())
    g.do(Table(item="mou", clauses={"consult": "annual", "standby": 1000}), seat("sg"))
    for team in ("au", "eu", "sg"):
        g.do(Pass(), seat(team))
    cast = g.do(Vote(ballot="b1", choice="no"), seat("sg"))[0]
    assert isinstance(cast, BallotCast)
    other = project(cast, Viewer(role="seat", team="au"), g.state)
    own = project(cast, Viewer(role="seat", team="sg"), g.state)
    fac = project(cast, Viewer(role="facilitator"), g.state)
    assert other.choice is None and own.choice == "no" and fac.choice == "no"
    ballot = view(g.state, Viewer(role="seat", team="au")).state.ballots["b1"]
    assert ballot.votes == {} and ballot.voted == ["sg"]
