"""The facilitator's console: QR codes of join links, presence, a second device on the same
link, a seat given to a bot (its health: running, a failure in words), freed, and a player
moved to another seat (the old devices are told), pause and resume, extend, a library inject
with its preview, ending the session; and a server's refusal shown next to the form that
caused it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clients.bots import names
from tests.browser.conftest import LAPTOP, PHONE, axe, new_page, shot
from tests.browser.people import Player, gather

pytestmark = pytest.mark.browser


def row(f, seat):
    return f.page.locator(f'.seat-table tr[data-seat="{seat}"]')


def test_the_console_runs_the_room(server, browser, contexts):
    f, players = gather(browser, contexts, server, "Tutorial: a UN")
    sg, au, eu = players["sg"], players["au"], players["eu"]

    # A QR code of a join link, big enough for a projector.
    row(f, "au.2").get_by_role("button", name="QR code").click()
    dialog = f.page.locator("dialog.qr")
    expect(dialog).to_be_visible()
    image = dialog.get_by_role("img", name=re.compile("QR code of the join link"))
    expect(image).to_be_visible()
    f.page.wait_for_function("() => document.querySelector('dialog.qr img').naturalWidth > 100")
    shot(f.page, "15-console-qr", full=False)
    axe(f.page, "15-console-qr")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    # Every free seat's code at once, for the projector.
    f.page.get_by_role("button", name="Every free seat's QR code (projector)").click()
    grid = f.page.locator("dialog.qr-all")
    expect(grid.get_by_role("img")).to_have_count(1)
    expect(grid).to_contain_text("African Union — seat au.2")
    shot(f.page, "15-console-qr-all", full=False)
    axe(f.page, "15-console-qr-all")
    grid.get_by_role("button", name="Close").click()
    expect(grid).to_have_count(0)

    # The same link on a second device: both play the seat.
    link = row(f, "au.1").locator("input.link").input_value()
    phone = Player(new_page(browser, contexts, PHONE, is_mobile=True), "au")
    phone.page.goto(link)
    phone.page.get_by_role("button", name="Rejoin as Player AU").click()
    expect(phone.page.locator("#conn")).to_have_text("Connected")
    expect(row(f, "au.1")).to_contain_text("2 connected")

    # au.2 to a bot (the strategies are the server's; another name is refused), then freed.
    old = row(f, "au.2").locator("input.link").input_value()
    row(f, "au.2").get_by_role("button", name="Assign…").click()
    offered = f.page.locator(".action-form datalist option")
    expect(offered).to_have_count(len(names()) + 1)
    expect(offered.last).to_have_attribute("value", "external")
    f.page.get_by_label("Name", exact=True).fill("Bot AU")
    f.page.get_by_label(re.compile("Bot strategy")).fill("cooperative")
    f.page.get_by_role("button", name="Assign the seat").click()
    expect(f.page.locator(".seats > [role=alert]")).to_contain_text(
        "Unknown bot strategy 'cooperative'; known: boulware"
    )
    f.page.get_by_label(re.compile("Bot strategy")).fill("linear")
    f.page.get_by_role("button", name="Assign the seat").click()
    expect(row(f, "au.2")).to_contain_text("Bot AU")
    expect(row(f, "au.2")).to_contain_text("1 connected")  # the server's bot plays it
    expect(row(f, "au.2").locator("input.link")).not_to_have_value(old)
    expect(au.page.locator(".lobby-card")).to_contain_text("Bot AU (bot)")
    # Its health, as the server's bot host reports it (polled, no reload): running, the event
    # it has seen; a failure (the server's answer stood in for here) in words, and back.
    health = row(f, "au.2").locator(".bot-health")
    expect(health.locator(".bot-state")).to_have_text("bot · linear · running")
    expect(health.locator(".bot-detail")).to_contain_text(re.compile(r"seen event \d+"))
    shot(f.page, "15-console-bot", full=False)
    axe(f.page, "15-console-bot")
    bots = re.compile(r"/api/sessions/[^/]+/bots$")
    failed = {
        "seat": "au.2",
        "strategy": "linear",
        "running": False,
        "state": "failed",
        "reason": "the server refused its connection (HTTP 403)",
        "error": "the server refused its connection (HTTP 403)",
        "failures": 2,
        "retry_in_s": 3.6,
        "connected": False,
        "seq": None,
        "acted_seq": None,
    }
    f.page.route(bots, lambda route: route.fulfill(json=[failed]))
    expect(health.locator(".bot-state")).to_have_text(
        "bot · linear · failed: the server refused its connection (HTTP 403) (trying again in 4 s)"
    )
    shot(f.page, "15-console-bot-failed", full=False)
    axe(f.page, "15-console-bot-failed")
    f.page.unroute(bots)
    expect(health.locator(".bot-state")).to_have_text("bot · linear · running")
    row(f, "au.2").get_by_role("button", name="Free").click()
    expect(row(f, "au.2")).to_contain_text("free")
    expect(row(f, "au.2").locator(".bot-health")).to_have_count(0)

    # Move the AU's player from au.1 to au.2: the devices on au.1 are told, the new link works.
    row(f, "au.1").get_by_role("button", name="Move…").click()
    f.page.get_by_label("To seat").select_option("au.2")
    f.page.get_by_role("button", name="Move", exact=True).click()
    expect(f.page.locator(".seats [role=status]")).to_contain_text("Player AU now holds au.2")
    expect(row(f, "au.1")).to_contain_text("free")
    for device in (au, phone):
        expect(device.page.get_by_role("alert")).to_contain_text("given to someone else")
        expect(device.page.locator("#conn")).to_contain_text("Disconnected")
    moved = row(f, "au.2").locator("input.link").input_value()
    au.page.goto(moved)
    au.page.get_by_role("button", name="Rejoin as Player AU").click()
    expect(au.page.locator("#conn")).to_have_text("Connected")
    expect(au.page.locator("#who")).to_contain_text("African Union")
    # The old link no longer opens a seat, and says so.
    phone.page.goto(link)
    phone.page.get_by_label("Your name").fill("Someone")
    phone.page.get_by_role("button", name="Join").click()
    expect(phone.page.get_by_role("alert")).to_contain_text("no longer opens the seat")

    # Start, pause (players see it, clocks stop), resume, extend.
    f.press("Start the session")
    f.advance("Consultations")
    f.press("Pause")
    sg.where("Consultations")
    expect(sg.page.locator(".phasebar .status")).to_have_text("Paused")
    expect(sg.page.get_by_text("The facilitator has paused the session")).to_be_visible()
    f.press("Resume")
    expect(sg.page.locator(".phasebar .status")).to_have_text("Running")
    clock = f.page.locator(".console-side .clock")
    expect(clock).to_have_text(re.compile(r"^\d+:\d\d$"))
    before = _seconds(clock.inner_text())
    f.page.get_by_label("Extend by").select_option("120")
    f.press("Extend")
    expect(clock).to_have_text(re.compile(r"^[34]:\d\d$"))
    assert _seconds(clock.inner_text()) > before + 60

    # A library inject: its preview, then every team's feed.
    inject = f.page.locator(".inject", has_text="No memorandum yet")
    inject.locator("summary").click()
    expect(inject.locator(".preview")).to_contain_text("African Union: “No memorandum yet”")
    inject.get_by_role("button", name="Fire this inject").click()
    expect(inject.get_by_role("button", name="Already fired")).to_be_disabled()
    for p in (sg, au, eu):
        expect(p.page.locator(".feed")).to_contain_text("No memorandum yet")

    # The server's refusal, next to the form that caused it: an incomplete text tabled.
    f.advance("Formal session")
    sg.my_turn()
    sg.click("Table a proposal…")
    form = sg.page.locator(".action-form")
    form.get_by_label("Title").fill("Half a text")
    form.get_by_label("Consultation between the secretariats").select_option(label="Annual")
    form.get_by_role("button", name="Table it").click()
    expect(form.get_by_role("alert")).to_contain_text("The text does not fit")
    expect(form.get_by_role("alert")).to_contain_text("is not filled")
    shot(sg.page, "16-server-error", full=False)
    axe(sg.page, "16-server-error")
    sg.my_turn()  # a refused move keeps the turn

    # End the session from the console.
    f.press("End the session…")
    f.page.get_by_role("button", name="Yes, end the session").click()
    for p in (sg, au, eu):
        p.where("The session is over")
    expect(f.page.locator(".console-side")).to_contain_text("Status: concluded")
    for p in (f, sg, eu):
        assert not p.page.js_errors, p.page.js_errors


def _seconds(text: str) -> int:
    m = re.match(r"(\d+):(\d+)", text)
    assert m, text
    return int(m.group(1)) * 60 + int(m.group(2))


def test_the_console_at_phone_width(server, browser, contexts):
    """The console works (and is checked) at phone width too."""
    f, _ = gather(browser, contexts, server, "Tutorial: a UN", teams=("sg",))
    f.page.set_viewport_size(PHONE)
    expect(f.page.locator(".seat-table")).to_be_visible()
    shot(f.page, "17-console-phone")
    axe(f.page, "17-console-phone")
    f.page.set_viewport_size(LAPTOP)
