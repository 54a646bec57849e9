"""Every scenario the server offers opens in the browser: the console, a player's room and the
clause editor of every agenda item (choices, numbers, members, contributions) render without a
script error, whatever scenario files are added to scenarios/."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, axe, new_page, shot
from tests.browser.people import Player

pytestmark = pytest.mark.browser


def test_every_scenario_renders(server, browser, contexts):
    scenarios = httpx.get(f"{server.base}/api/scenarios", timeout=10).json()
    assert any(s["id"] == "tutorial" for s in scenarios)
    console = new_page(browser, contexts, LAPTOP)
    for scenario in scenarios:
        created = httpx.post(
            f"{server.base}/api/sessions", json={"scenario": scenario["id"]}, timeout=10
        ).json()
        console.goto(created["console_link"])
        expect(console.locator("#conn")).to_have_text("Connected")
        expect(console.locator(".seat-table")).to_be_visible()
        first = created["join_links"][0]
        player = Player(new_page(browser, contexts, LAPTOP), first["team"])
        player.join(first["link"], "Smoke")
        console.get_by_role("button", name="Start the session", exact=True).click()
        expect(player.page.locator(".phasebar .status")).to_have_text("Running")
        player.section("Negotiate")
        draft = player.page.get_by_role("button", name="New draft…")
        if draft.count() == 0:  # a first phase without drafting: go on to the next
            console.get_by_role("button", name="End this phase now").click()
        expect(draft).to_be_visible()
        draft.click()
        form = player.page.locator(".action-form")
        items = form.get_by_label("Agenda item")
        values = (
            [o.get_attribute("value") for o in items.locator("option").all()]
            if items.count()
            else [None]
        )
        for value in values:
            if value is not None:
                items.select_option(value)
            expect(form.locator(".clause-field").first).to_be_visible()
        shot(player.page, f"30-scenario-{scenario['id']}", full=False)
        axe(player.page, f"30-scenario-{scenario['id']}")
        assert not player.page.js_errors, (scenario["id"], player.page.js_errors)
        player.page.context.close()
        contexts.remove(player.page.context)
    assert not console.js_errors, console.js_errors
