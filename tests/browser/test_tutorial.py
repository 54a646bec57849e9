"""A facilitator and three players, each in a browser context of their own, play the shipped
tutorial from the console's "create" to the final scores, using only what the pages offer.
Every screen on the way gets a screenshot and an axe-core check."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, axe, new_page, shot
from tests.browser.people import Facilitator, Player

pytestmark = pytest.mark.browser


def test_the_tutorial_through_to_the_scores(server, browser, contexts):
    f = Facilitator(new_page(browser, contexts, PROJECTOR), server)
    f.page.goto(server.base + "/")
    expect(f.page.get_by_label("Scenario")).to_be_visible()
    shot(f.page, "01-home")
    axe(f.page, "01-home")
    f.create("Tutorial: a UN", "Monday seminar")
    links = f.join_links()
    assert set(links) == {"sg.1", "au.1", "au.2", "eu.1"}

    sg = Player(new_page(browser, contexts, LAPTOP), "sg")
    au = Player(new_page(browser, contexts, PHONE, is_mobile=True, has_touch=True), "au")
    eu = Player(new_page(browser, contexts, LAPTOP), "eu")

    # Joining: the lobby card, then the room in the lobby.
    sg.page.goto(links["sg.1"])
    expect(sg.page.get_by_text("The facilitator can read every channel")).to_be_visible()
    shot(sg.page, "02-join")
    axe(sg.page, "02-join")
    sg.page.get_by_label("Your name").fill("Kofi")
    sg.page.get_by_role("button", name="Join").click()
    expect(sg.page.locator(".room")).to_be_visible()
    assert "/play/" in sg.page.url and "#" not in sg.page.url, "the join code left the address"
    au.join(links["au.1"], "Amina")
    eu.join(links["eu.1"], "Elena")
    expect(sg.page.locator(".lobby-card")).to_contain_text("Amina")
    expect(sg.page.locator(".lobby-card")).to_contain_text("Elena")
    shot(sg.page, "03-lobby")
    axe(sg.page, "03-lobby")
    expect(f.page.locator('tr[data-seat="au.1"]')).to_contain_text("1 connected")
    shot(f.page, "04-console-lobby")
    axe(f.page, "04-console-lobby")

    # Round 1. Briefing, then consultations.
    f.press("Start the session")
    f.phase_is("Briefing")
    sg.where("Round 1 of 2 · Briefing")
    f.advance("Consultations")
    for p in (sg, au, eu):
        p.where("Consultations")
    sg.say("Floor", "The Secretary-General welcomes the delegations.")
    au.section("Talk")
    expect(au.page.locator(".messages")).to_contain_text("welcomes the delegations")
    # The AU opens a private channel with the EU.
    au.page.get_by_text("Open a private channel with other teams").click()
    au.page.locator(".opener").get_by_label("European Union").check()
    au.page.locator(".opener").get_by_label("Title (optional)").fill("Funding")
    au.page.get_by_role("button", name="Open the channel").click()
    expect(au.page.locator(".channel-title")).to_contain_text("Funding")
    au.say("Funding", "Will the EU fund the mission if the MOU passes?")
    eu.say("Funding", "Yes, with a joint situation centre.")
    expect(au.page.locator(".messages")).to_contain_text("joint situation centre")
    shot(au.page, "05-phone-talk")
    fits_the_screen(au.page)
    axe(au.page, "05-phone-talk")
    # The Secretary-General drafts the MOU.
    sg.click("New draft…")
    form = sg.page.locator(".action-form")
    form.get_by_label("Title").fill("A strong partnership")
    form.get_by_label("Consultation between the secretariats").select_option(label="Quarterly")
    form.get_by_label("Information sharing").select_option(label="A joint situation centre")
    form.get_by_label(re.compile("AU troops in the UN Standby")).fill("2000")
    form.get_by_label("Enforcement action (Article 53)").select_option(
        label="Needs the Council's prior authorisation"
    )
    form.get_by_role("button", name="Save draft").click()
    expect(sg.page.locator(".drafts")).to_contain_text("A strong partnership")
    shot(sg.page, "06-room-consultations")
    axe(sg.page, "06-room-consultations")

    # The formal session: SG tables, AU amends, EU co-sponsors, SG accepts, all pass.
    f.advance("Formal session")
    sg.my_turn()
    expect(sg.page.locator(".speakers")).to_contain_text("UN Secretary-General")
    sg.page.get_by_role("button", name="Table this draft…").click()
    sg.page.locator(".action-form").get_by_role("button", name="Table it").click()
    expect(sg.page.locator(".agenda")).to_contain_text("p1: A strong partnership")
    au.my_turn()
    au.page.locator(".agenda").get_by_role("button", name="Amend…").click()
    amend = au.page.locator(".action-form")
    amend.get_by_label("Enforcement action (Article 53)").select_option(
        label="The Council is notified"
    )
    amend.get_by_label(re.compile("AU troops in the UN Standby")).fill("1000")
    amend.get_by_label("Why (optional)").fill("Speed matters in a crisis.")
    shot(au.page, "07-phone-amend")
    fits_the_screen(au.page)
    amend.get_by_role("button", name="Propose the amendment").click()
    expect(au.page.locator(".amendment")).to_contain_text("Amendment a1 by African Union")
    eu.my_turn()
    eu.page.locator(".agenda").get_by_role("button", name="Co-sponsor").click()
    expect(eu.page.locator(".agenda")).to_contain_text("European Union (co-sponsor)")
    expect(sg.page.locator(".amendment")).to_contain_text("The Council is notified")
    shot(sg.page, "08-room-formal")
    shot(sg.page, "readme-room-formal", full=False)
    axe(sg.page, "08-room-formal")
    sg.page.get_by_role("button", name="Accept as friendly (merge it)").click()
    expect(sg.page.locator(".amendment")).to_contain_text("accepted by the sponsor")
    expect(sg.page.locator(".proposal").first).to_contain_text("The Council is notified")
    sg.my_turn()
    sg.click("Pass (yield the floor)")
    au.my_turn()
    au.click("Pass (yield the floor)")
    eu.my_turn()
    eu.click("Pass (yield the floor)")

    # The vote: sealed, then the tally.
    for p in (sg, au, eu):
        p.where("Vote")
        p.section("Negotiate")
    expect(au.page.get_by_role("button", name="Vote yes")).to_be_visible()
    shot(au.page, "09-phone-ballot")
    fits_the_screen(au.page)
    au.page.evaluate("document.querySelector('.voters').scrollIntoView({block: 'center'})")
    shot(au.page, "readme-phone-ballot", full=False)
    axe(au.page, "09-phone-ballot")
    sg.click("Vote yes")
    expect(sg.page.locator(".ballot")).to_contain_text("You voted yes")
    expect(eu.page.locator(".voters")).to_contain_text("UN Secretary-General — has voted")
    au.click("Vote yes")
    eu.click("Vote yes")
    for p in (sg, au, eu):
        expect(p.page.locator(".results")).to_contain_text("Adopted")
    expect(sg.page.locator(".results .tally")).to_contain_text("African Union")
    shot(eu.page, "10-room-results")
    axe(eu.page, "10-room-results")
    expect(f.page.locator(".live .agenda")).to_contain_text("agreed")
    shot(f.page, "11-console-running")
    shot(f.page, "readme-console", full=False)
    axe(f.page, "11-console-running")

    # Resolution, then round 2 with nothing more to agree: everyone passes.
    f.phase_is("Resolution")
    f.advance("Round 2 of 2, Briefing")
    expect(sg.page.locator(".feed")).to_contain_text("The Secretary-General wants a text today")
    f.advance("Consultations")
    f.advance("Formal session")
    for p in (au, eu, sg):  # round 2 opens with the second team
        p.my_turn()
        p.click("Pass (yield the floor)")
    f.phase_is("Resolution")
    f.advance()

    # The debrief: every team's scores, with their parts, on every page.
    for p in (sg, au, eu):
        p.where("The session is over")
        p.section("Negotiate")
        table = p.page.locator(".scores.final")
        expect(table).to_be_visible()
        for team in ("UN Secretary-General", "African Union", "European Union"):
            expect(table).to_contain_text(team)
        for part in ("Agreements", "Security", "Objectives", "Cost", "Total"):
            expect(table.locator("thead")).to_contain_text(part)
    shot(sg.page, "12-debrief")
    shot(sg.page, "readme-debrief", full=False)
    axe(sg.page, "12-debrief")
    shot(au.page, "13-phone-debrief")
    fits_the_screen(au.page)
    expect(f.page.locator(".live .scores.final")).to_be_visible()
    shot(f.page, "14-console-debrief")
    axe(f.page, "14-console-debrief")
    for p in (f, sg, au, eu):
        assert not p.page.js_errors, p.page.js_errors


def fits_the_screen(page) -> None:
    """Nothing on the page is wider than the phone's screen: no sideways scrolling."""
    screen = page.viewport_size["width"]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate(
        """(screen) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > screen + 1)
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' +
                 Math.round(e.getBoundingClientRect().right) + 'px')""",
        screen,
    )
    assert width <= screen, f"the page is {width}px wide on a phone: {wide}"
