"""A player's network is cut in the middle of a phase and comes back: the page says it is
reconnecting, catches up with what happened meanwhile (with `since`), sends what was queued
exactly once, and loses nothing that was typed, not even across a reload."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe, new_page, shot
from tests.browser.people import gather

pytestmark = pytest.mark.browser


def test_a_network_cut_mid_phase_loses_nothing(server, browser, contexts):
    f, players = gather(browser, contexts, server, "Tutorial: a UN")
    sg, au = players["sg"], players["au"]
    f.press("Start the session")
    f.advance("Consultations")
    au.where("Consultations")
    au.say("Floor", "Before the cut.")
    # Half a message in the team channel, never sent.
    au.channel("Team channel")
    half = "Half-typed: the AU could accept 1,0"
    au.page.get_by_label("Message to Team channel").fill(half)

    au.page.context.set_offline(True)
    expect(au.page.locator("#conn")).to_contain_text("Reconnecting")
    shot(au.page, "20-reconnecting", full=False)
    axe(au.page, "20-reconnecting")
    # While the AU is away the others talk, and the facilitator announces.
    sg.say("Floor", "While you were away: the SG proposes quarterly consultation.")
    f.page.get_by_label("Announcement to every delegation").fill("Ten minutes left today.")
    f.press("Announce")
    # The AU writes on the floor while offline: it waits, and is sent once on return.
    au.channel("Floor")
    au.page.get_by_label("Message to Floor (everyone)").fill("Written offline.")
    au.click("Send")
    expect(au.page.locator("#conn")).to_contain_text("1 move waiting to be sent")
    expect(au.page.get_by_label("Message to Floor (everyone)")).to_have_value("Written offline.")

    au.page.context.set_offline(False)
    expect(au.page.locator("#conn")).to_have_text("Connected")
    messages = au.page.locator(".messages")
    expect(messages).to_contain_text("While you were away")
    expect(messages).to_contain_text("Written offline.")
    expect(au.page.get_by_label("Message to Floor (everyone)")).to_have_value("")
    expect(au.page.locator(".feed")).to_contain_text("Ten minutes left today.")
    # Sent exactly once, as everyone else sees it.
    expect(sg.page.locator(".messages")).to_contain_text("Written offline.")
    assert sg.page.locator(".messages .msg", has_text="Written offline.").count() == 1
    assert messages.locator(".msg", has_text="Written offline.").count() == 1
    assert messages.locator(".msg", has_text="Before the cut.").count() == 1
    # The half-typed message is still there, in its channel, and survives a reload too.
    au.channel("Team channel")
    expect(au.page.get_by_label("Message to Team channel")).to_have_value(half)
    au.page.reload()
    expect(au.page.locator("#conn")).to_have_text("Connected")
    au.channel("Team channel")
    expect(au.page.get_by_label("Message to Team channel")).to_have_value(half)
    au.where("Consultations")
    assert not au.page.js_errors, au.page.js_errors


def test_a_page_at_another_address_says_why_it_cannot_connect(server, browser, contexts):
    """The server lets only its own address open a session socket: a page opened at another
    name for the same machine is refused, and says what to do instead of spinning."""
    created = httpx.post(
        f"{server.base}/api/sessions", json={"scenario": "tutorial"}, timeout=10
    ).json()
    link = created["join_links"][0]["link"].replace("127.0.0.1", "localhost")
    page = new_page(browser, contexts)
    page.goto(link)
    page.get_by_label("Your name").fill("Elsewhere")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#conn")).to_contain_text("open the exact link", timeout=30_000)
