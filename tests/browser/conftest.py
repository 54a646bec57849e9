"""Browser tests: a real `chapter8 serve` process (as tests/server starts one), Debian's
Chromium driven by Playwright, axe-core from npm for the accessibility checks, and screenshots
of every screen under artifacts/screenshots/.

Nothing here skips: without /usr/bin/chromium, or without node_modules/axe-core (`make node`),
the tests fail and say why.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from game.scenario.model import Scenario
from tests.game.canaries import with_canaries
from tests.game.tiny import tiny
from tests.server.harness import ROOT, Server

CHROMIUM = os.environ.get("CHAPTER8_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
# A loaded CI machine may take a moment to fan an event out to four browsers.
expect.set_options(timeout=10_000)


def write_scenarios(folder: Path) -> Path:
    """The shipped tutorial with canaries in every secret (briefs, objectives, reservations),
    and the engine tests' tiny scenario (a burden-sharing item)."""
    folder.mkdir(parents=True, exist_ok=True)
    tutorial = Scenario.model_validate(
        yaml.safe_load((ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8"))
    )
    canary = with_canaries(tutorial).model_copy(
        update={"id": "canary_tutorial", "title": "Canary tutorial"}
    )
    (folder / "canary_tutorial.json").write_text(canary.model_dump_json())
    # Small, with a burden-sharing item (pledges and deliveries).
    (folder / "tiny.json").write_text(tiny().model_dump_json())
    return folder


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser-server")
    srv = Server(tmp, write_scenarios(tmp / "scenarios"), None, {})
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/services.sh (apt-get install chromium)")
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        yield b
    finally:
        b.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def contexts(browser: Browser, request: pytest.FixtureRequest) -> Iterator[list[BrowserContext]]:
    """Contexts a test opens (one per person); closed afterwards, with a screenshot of every
    page under artifacts/screenshots/failed/ when the test failed."""
    opened: list[BrowserContext] = []
    yield opened
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = SHOTS / "failed"
        folder.mkdir(parents=True, exist_ok=True)
        for i, context in enumerate(opened):
            for j, page in enumerate(context.pages):
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(folder / f"{request.node.name}-{i}-{j}.png"))
    for context in opened:
        context.close()


def new_page(
    browser: Browser, contexts: list[BrowserContext], viewport: dict | None = None, **kw
) -> Page:
    context = browser.new_context(viewport=viewport or LAPTOP, **kw)
    context.set_default_timeout(15_000)
    contexts.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors  # type: ignore[attr-defined]
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda payload: frames.append(payload if isinstance(payload, str) else ""),
        ),
    )
    page.frames_received = frames  # type: ignore[attr-defined]
    return page


def shot(page: Page, name: str, full: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    return path


def axe(page: Page, name: str) -> list[dict]:
    """Run axe-core on the page as it is; fail on any serious or critical violation."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make node` (npm ci) first")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the debugging protocol, so the page's CSP does not block it.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5)
                    .map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
        }"""
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}.axe.json").write_text(json.dumps(result, indent=1))
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {name}: " + json.dumps(bad, indent=1)
    return result
