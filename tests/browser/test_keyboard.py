"""A player who uses only the keyboard: joins, talks, drafts, and keeps her place when
messages arrive."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, new_page
from tests.browser.people import Facilitator

pytestmark = pytest.mark.browser


def tab_to(page: Page, label: str, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible label or text contains `label`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(
            """(label) => {
                const el = document.activeElement;
                if (!el || !el.matches('button, input, select, textarea, a, summary')) return false;
                const labels = el.labels ? [...el.labels].map(l => l.textContent) : [];
                const text = [el.getAttribute('aria-label'), el.textContent, ...labels].join(' ');
                return text.includes(label);
            }""",
            label,
        )
        if found:
            return
    raise AssertionError(f"Tab never reached {label!r}")


def test_a_player_with_the_keyboard_only(server, browser, contexts):
    f = Facilitator(new_page(browser, contexts, LAPTOP), server)
    f.create("Tutorial: a UN", "Keyboard")
    link = f.join_links()["eu.1"]
    page = new_page(browser, contexts, LAPTOP)
    page.goto(link)
    expect(page.get_by_label("Your name")).to_be_focused()
    page.keyboard.type("Keys")
    page.keyboard.press("Enter")
    expect(page.locator("#conn")).to_have_text("Connected")
    f.press("Start the session")
    f.advance("Consultations")
    expect(page.locator(".phasebar .where")).to_contain_text("Consultations")

    tab_to(page, "Message to Floor")
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Typed without a mouse.")
    expect(page.get_by_label("Message to Floor (everyone)")).to_be_focused()

    # Another delegation's message arrives: the focus stays where it was.
    f.page.get_by_label("Announcement to every delegation").fill("Keep going.")
    f.press("Announce")
    expect(page.locator(".feed")).to_contain_text("Keep going.")
    expect(page.get_by_label("Message to Floor (everyone)")).to_be_focused()

    page.keyboard.press("Shift+Tab")
    tab_to(page, "New draft")
    page.keyboard.press("Enter")
    form = page.locator(".action-form")
    expect(form.get_by_label("Title")).to_be_focused()
    page.keyboard.type("Drafted by keyboard")
    page.keyboard.press("Tab")
    expect(form.get_by_label("Consultation between the secretariats")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # submits the form from its title field
    expect(page.locator(".drafts")).to_contain_text("Drafted by keyboard")
    # Escape closes a form.
    tab_to(page, "New draft")
    page.keyboard.press("Enter")
    expect(page.locator(".action-form")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".action-form")).to_have_count(0)
    assert not page.js_errors, page.js_errors
