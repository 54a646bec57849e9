"""Burden sharing in the browser: a package of contributions is tabled with the grid editor,
adopted with the consent of every team it asks to pay, and a team delivers its pledge."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe, shot
from tests.browser.people import gather

pytestmark = pytest.mark.browser


def test_a_package_is_pledged_and_delivered(server, browser, contexts):
    f, players = gather(browser, contexts, server, "Tiny")
    sg, au, eu = players["sg"], players["au"], players["eu"]
    f.press("Start the session")
    f.advance("consult")  # tiny's phases have no titles: their ids show
    f.advance("formal")
    sg.my_turn()
    sg.click("Table a proposal…")
    form = sg.page.locator(".action-form")
    form.get_by_label("Agenda item").select_option(label="Funding the mission")
    form.get_by_label("Title").fill("Shared costs")
    form.get_by_label("African Union: funds").fill("10")
    form.get_by_label("European Union: funds").fill("100")
    shot(sg.page, "40-contributions", full=False)
    axe(sg.page, "40-contributions")
    form.get_by_role("button", name="Table it").click()
    proposal = eu.page.locator(".proposal", has_text="Shared costs")
    expect(proposal).to_contain_text("European Union: 100 funds")
    for p in (au, eu, sg):
        p.my_turn()
        p.click("Pass (yield the floor)")
    for p in (sg, au, eu):
        p.where("vote")
        p.click("Vote yes")
    expect(eu.page.locator(".results")).to_contain_text("Adopted")

    pledges = eu.page.locator(".pledges")
    expect(pledges).to_contain_text("Your pledges")
    expect(pledges.locator("tbody tr")).to_have_count(1)
    pledges.get_by_role("button", name="Deliver…").click()
    deliver = eu.page.locator(".action-form")
    expect(deliver.get_by_label("Amount of funds")).to_have_value("100")
    deliver.get_by_label("Amount of funds").fill("60")
    deliver.get_by_role("button", name="Deliver", exact=True).click()
    expect(pledges.locator("tbody tr td").nth(4)).to_have_text("60")
    expect(eu.page.locator(".facts")).to_contain_text("240")
    # More than is owed is refused, and said so beside the form.
    pledges.get_by_role("button", name="Deliver…").click()
    deliver = eu.page.locator(".action-form")
    deliver.get_by_label("Amount of funds").fill("500")
    deliver.get_by_role("button", name="Deliver", exact=True).click()
    expect(deliver.get_by_role("alert")).to_contain_text("Not enough resources")
    shot(eu.page, "41-pledges")
    axe(eu.page, "41-pledges")
    # The facilitator sees every pledge.
    expect(f.page.locator(".live .pledges")).to_contain_text("African Union")
    for p in (f, sg, au, eu):
        assert not p.page.js_errors, p.page.js_errors
