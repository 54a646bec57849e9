"""No player ever sees another team's secrets anywhere in the page: canaries are planted in
every brief, objective and reservation (the scenario), and in drafts, team talk, private
channels and an inject with an audience (this test), then each player's page — its text, its
DOM, its storage and every websocket frame it received — is searched for the other teams'."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import Page, expect

from game.scenario.model import Scenario
from tests.browser.people import Player, gather
from tests.game.canaries import canary, secrets_of, with_canaries
from tests.server.harness import ROOT

pytestmark = pytest.mark.browser
TEAMS = ("sg", "au", "eu")


def scenario() -> Scenario:
    text = (ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8")
    return with_canaries(Scenario.model_validate(yaml.safe_load(text)))


def everything(page: Page) -> str:
    storage = page.evaluate(
        """() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"""
    )
    return "\n".join([page.content(), page.inner_text("body"), storage, *page.frames_received])


def draft(player: Player, title: str) -> None:
    player.section("Negotiate")
    player.click("New draft…")
    form = player.page.locator(".action-form")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Consultation between the secretariats").select_option(label="Annual")
    form.get_by_role("button", name="Save draft").click()
    expect(player.page.locator(".drafts")).to_contain_text(title)


def open_channel(player: Player, other: str) -> None:
    player.section("Talk")
    player.page.get_by_text("Open a private channel with other teams").click()
    player.page.locator(".opener").get_by_label(other).check()
    player.page.get_by_role("button", name="Open the channel").click()
    expect(player.page.locator(".channel-title")).to_contain_text(other)


def test_no_player_sees_another_teams_secrets(server, browser, contexts):
    f, players = gather(browser, contexts, server, "Canary tutorial")
    f.press("Start the session")
    f.advance("Consultations")
    for team, player in players.items():
        player.where("Consultations")
        draft(player, canary(team, "DRAFT"))
        player.say("Team channel", canary(team, "TEAMTALK"))
    au, eu, sg = players["au"], players["eu"], players["sg"]
    open_channel(au, "European Union")
    au.say("European Union", canary("au", "PRIVATE"))
    eu.say("African Union", canary("eu", "PRIVATE"))
    open_channel(sg, "African Union")
    sg.say("African Union", canary("sg", "PRIVATE"))
    # An inject for the AU alone.
    f.page.get_by_text("Write an inject").click()
    form = f.page.locator(".custom-inject")
    form.get_by_label("Title").fill("For the AU")
    form.get_by_label("Text").fill(canary("au", "INJECT"))
    form.get_by_label("Every delegation").uncheck()
    form.locator(".teams-box").get_by_label("African Union").check()
    expect(form.locator(".preview")).to_contain_text("European Union: nothing")
    form.get_by_role("button", name="Fire the inject").click()
    expect(au.page.locator(".feed")).to_contain_text(canary("au", "INJECT"))
    # Everyone has caught up with the last event before looking.
    f.page.get_by_label("Announcement to every delegation").fill("Look now.")
    f.press("Announce")
    for player in players.values():
        expect(player.page.locator(".feed")).to_contain_text("Look now.")

    s = scenario()
    for team, player in players.items():
        seen = everything(player.page)
        assert canary(team, "BRIEF") in seen, "a team reads its own brief"
        assert canary(team, "DRAFT") in seen and canary(team, "TEAMTALK") in seen
        for other in TEAMS:
            if other == team:
                continue
            for secret in secrets_of(s, other):
                if secret == canary(other, "PRIVATE") and team in _private_partners(other):
                    continue  # said in a channel this team is in
                assert secret not in seen, f"{team}'s page shows {secret}"
        assert not player.page.js_errors, player.page.js_errors

    # The console's "view as team" shows what that team sees, and no more.
    f.page.get_by_label("View as").select_option(
        label="Team European Union (exactly what its players see)"
    )
    live = f.page.locator(".live")
    expect(live).to_contain_text(canary("eu", "BRIEF"))
    text = live.inner_text() + live.inner_html()
    for secret in [canary("sg", "BRIEF"), canary("au", "DRAFT"), canary("sg", "PRIVATE")]:
        assert secret not in text, f"the console's view as EU shows {secret}"
    expect(live.locator(".channel-list")).to_contain_text("Private: African Union")
    live.locator(".channel-list").get_by_role("button", name="Private: African Union").click()
    expect(live.locator(".messages")).to_contain_text(canary("au", "PRIVATE"))
    # The facilitator's own view has them all.
    f.page.get_by_label("View as").select_option(index=0)
    expect(live).to_contain_text(canary("au", "DRAFT"))
    assert not f.page.js_errors, f.page.js_errors


def _private_partners(team: str) -> set[str]:
    """Who shares a private channel with `team` in this test."""
    return {"au": {"eu", "sg"}, "eu": {"au"}, "sg": {"au"}}[team]
