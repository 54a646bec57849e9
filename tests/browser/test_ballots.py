"""An amendment left to the vote: its ballot shows the change against the text, comes before
the proposal's, and a player sees how others voted only once the ballot closes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.people import gather

pytestmark = pytest.mark.browser


def test_an_amendment_is_voted_before_its_proposal(server, browser, contexts):
    f, players = gather(browser, contexts, server, "Tiny")
    sg, au, eu = players["sg"], players["au"], players["eu"]
    f.press("Start the session")
    f.advance("consult")
    f.advance("formal")
    sg.my_turn()
    sg.click("Table a proposal…")
    form = sg.page.locator(".action-form")
    form.get_by_label("Agenda item").select_option(label="UN-AU MOU")
    form.get_by_label("Title").fill("Base text")
    form.get_by_label("Consultation").select_option(label="Quarterly")
    form.get_by_label("Standby troops").fill("3000")
    form.get_by_role("button", name="Table it").click()
    au.my_turn()
    au.page.locator(".agenda").get_by_role("button", name="Amend…").click()
    amend = au.page.locator(".action-form")
    amend.get_by_label("Standby troops").fill("500")
    expect(amend.locator(".clause-field.changed")).to_have_count(1)
    amend.get_by_role("button", name="Propose the amendment").click()
    for p in (eu, sg, au):
        p.my_turn()
        p.click("Pass (yield the floor)")

    # The amendment's ballot first, shown as a change against the text.
    for p in (sg, au, eu):
        p.where("vote")
    card = eu.page.locator(".ballot-card")
    expect(card).to_contain_text("Vote now: Amendment a1 by African Union")
    expect(card.locator("table.diff")).to_contain_text("3,000")
    expect(card.locator("table.diff")).to_contain_text("500")
    au.click("Vote yes")
    # Sealed: others see that the AU voted, not how.
    expect(eu.page.locator(".voters")).to_contain_text("African Union — has voted")
    expect(eu.page.locator(".voters")).not_to_contain_text("African Union — yes")
    eu.click("Vote no")
    sg.click("Abstain")
    # Closed: everyone sees the tally, and the proposal's own ballot opens.
    result = sg.page.locator(".results .result").first
    expect(result).to_contain_text("Amendment a1")
    expect(result.locator(".tally")).to_contain_text("no")
    expect(sg.page.locator(".ballot-card")).to_contain_text("Vote now: “Base text”")
    for p in (sg, au, eu):
        assert not p.page.js_errors, p.page.js_errors
