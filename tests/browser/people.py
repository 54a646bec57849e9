"""The people at a browser session, as page objects: they use only what the pages offer
(labels, buttons, links read off the console), never the API behind them."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.server.harness import Server


class Facilitator:
    def __init__(self, page: Page, server: Server) -> None:
        self.page = page
        self.server = server
        self.session = ""

    def create(self, scenario_title: str, title: str) -> str:
        page = self.page
        page.goto(self.server.base + "/")
        select = page.get_by_label("Scenario")
        option = select.locator("option", has_text=scenario_title).first
        select.select_option(option.get_attribute("value"))
        page.get_by_label("Title of the session").fill(title)
        page.get_by_role("button", name="Create the session").click()
        page.wait_for_url(re.compile(r"/console/[0-9a-f]+$"))
        self.session = page.url.rstrip("/").rsplit("/", 1)[-1]
        expect(page.locator("#conn")).to_have_text("Connected")
        expect(page.locator(".seat-table")).to_be_visible()
        return self.session

    def join_links(self) -> dict[str, str]:
        links = {}
        for row in self.page.locator(".seat-table tbody tr").all():
            seat = row.get_attribute("data-seat")
            links[seat] = row.locator("input.link").input_value()
        return links

    def press(self, name: str) -> None:
        button = self.page.get_by_role("button", name=name, exact=True)
        expect(button).to_be_enabled()
        button.click()

    def phase_is(self, text: str) -> None:
        expect(self.page.locator(".console-side .where")).to_contain_text(text)

    def advance(self, expect_text: str | None = None) -> None:
        self.press("End this phase now")
        if expect_text:
            self.phase_is(expect_text)


class Player:
    def __init__(self, page: Page, team: str) -> None:
        self.page = page
        self.team = team

    def join(self, link: str, name: str) -> None:
        page = self.page
        page.goto(link)
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Join").click()
        expect(page.locator(".room")).to_be_visible()
        expect(page.locator("#conn")).to_have_text("Connected")

    def section(self, name: str) -> None:
        """On a phone, open a section with the section bar (on a laptop all are shown)."""
        bar = self.page.locator("nav.sections")
        if bar.is_visible():
            button = bar.get_by_role("button", name=re.compile(name))
            if button.get_attribute("aria-pressed") != "true":
                button.click()

    def where(self, text: str) -> None:
        expect(self.page.locator(".room > .phasebar .where")).to_contain_text(text)

    def channel(self, label: str) -> None:
        self.section("Talk")
        self.page.locator(".channel-list").get_by_role("button", name=re.compile(label)).click()

    def say(self, label: str, text: str) -> None:
        self.channel(label)
        box = self.page.get_by_label(re.compile(r"^Message to"))
        box.fill(text)
        self.page.get_by_role("button", name="Send", exact=True).click()
        expect(self.page.locator(".messages")).to_contain_text(text)
        expect(box).to_have_value("")

    def my_turn(self) -> None:
        self.section("Negotiate")
        expect(self.page.get_by_text("It is your turn: make one move.")).to_be_visible()

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()


def gather(browser, contexts, server, scenario: str, teams=("sg", "au", "eu"), viewport=None):
    """A facilitator creates a session of `scenario` in the console, and one player per team
    joins with the link read off the console. Returns (facilitator, {team: player})."""
    from tests.browser.conftest import LAPTOP, new_page

    f = Facilitator(new_page(browser, contexts, LAPTOP), server)
    f.create(scenario, "Test class")
    links = f.join_links()
    players = {}
    for team in teams:
        player = Player(new_page(browser, contexts, viewport or LAPTOP), team)
        player.join(links[f"{team}.1"], f"Player {team.upper()}")
        players[team] = player
    return f, players
