"""The replay viewer and the debrief in Chromium: a session played over the protocol, then
replayed from several perspectives (scrub, step, play, pause, speed, a link to a moment),
its debrief drawn with Chart.js on a projector, an export file opened by a researcher (and a
tampered one refused), and a fork started from a moment of the replay."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import orjson
import pytest
from playwright.sync_api import Page, expect

from server import chain
from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, axe, new_page, shot
from tests.server.harness import Client, Server
from tests.server.play import seat_up, sync_all

pytestmark = pytest.mark.browser
PACKAGE = {"pledges": {"au": {"troops": 1000}, "eu": {"funds": 100}}}


async def _play(server: Server) -> dict:
    table = await seat_up(server, "tiny")
    f, sg, au, eu = table.f, table.seats["sg"], table.seats["au"], table.seats["eu"]
    marks: dict = {}
    await f.ok({"type": "start"})
    await f.ok({"type": "advance"})
    await au.ok({"type": "say", "channel": "floor", "text": "The AU is ready to deploy."})
    await eu.ok({"type": "say", "channel": "team", "text": "EU-TEAM-ONLY: hold out for quarterly"})
    await sg.ok({"type": "say", "channel": "floor", "text": "Let us agree on consultations."})
    await f.ok({"type": "announce", "text": "Formal session in one minute."})
    await f.ok({"type": "advance"})  # formal: sg, au, eu
    tabled = await sg.ok(
        {
            "type": "table",
            "item": "mou",
            "clauses": {"consult": "quarterly", "standby": 0},
            "title": "UN-AU MOU",
        }
    )
    marks["tabled"] = tabled["seqs"][0]
    await au.ok({"type": "table", "item": "burden", "clauses": PACKAGE, "title": "Shared costs"})
    amended = await eu.ok(
        {"type": "amend", "proposal": "p1", "clauses": {"consult": "annual"}, "note": "Annual"}
    )
    marks["amended"] = amended["seqs"][0]
    await sg.ok({"type": "accept_amendment", "amendment": "a1"})
    await sg.ok({"type": "pass"})
    await au.ok({"type": "pass"})
    await sync_all(table)
    marks["formal"] = (await table.summary())["seq"]
    await eu.ok({"type": "pass"})
    await sync_all(table)
    for _ in range(2):
        ballot = [e for e in f.events if e["type"] == "ballot_opened"][-1]["ballot"]
        for client in (sg, au, eu):
            await client.ok({"type": "vote", "ballot": ballot, "choice": "yes"})
        await sync_all(table)
    await au.ok({"type": "deliver", "item": "burden", "resource": "troops", "amount": 1000})
    await eu.ok({"type": "deliver", "item": "burden", "resource": "funds", "amount": 40})
    await f.ok({"type": "advance"})  # resolution: round 2
    await f.ok({"type": "end"})
    await sync_all(table)
    marks["head"] = (await table.summary())["seq"]
    await table.close()
    return {"session": table.session, "fac": table.fac_token, "tokens": table.tokens, **marks}


@pytest.fixture(scope="module")
def played(server: Server) -> dict:
    # Playwright's sync API holds this thread's event loop: the play gets a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _play(server)).result()


def chosen(where, label: str, value: str) -> None:
    """The select labelled `label` has `value` chosen."""
    option = where.get_by_label(label).locator("option:checked")
    expect(option).to_have_attribute("value", value)


def no_errors(page: Page) -> None:
    assert not page.js_errors, page.js_errors  # type: ignore[attr-defined]


def test_the_facilitator_replays_a_session_step_by_step(server, browser, contexts, played):
    s, head = played["session"], played["head"]
    page = new_page(browser, contexts, LAPTOP)
    page.goto(f"{server.base}/replay/{s}#{played['fac']}")
    expect(page.locator("h1")).to_contain_text("Replay: Test")
    assert "#" not in page.url  # the token left the address bar
    slider = page.get_by_label("Moment (event seq)")
    expect(slider).to_have_attribute("max", str(head))
    expect(slider).to_have_value(str(head))
    perspectives = page.get_by_label("Seen by").locator("option")
    expect(perspectives).to_have_count(5)  # facilitator, public, three teams
    # The facilitator's timeline holds every event, the EU's team channel included.
    expect(page.locator(".replay-timeline li")).to_have_count(head)
    expect(page.locator(".replay-timeline")).to_contain_text("EU-TEAM-ONLY")

    # Jump to the tabling from the timeline: the agenda shows the text as tabled.
    page.locator(f'.replay-timeline li[data-seq="{played["tabled"]}"] button').click()
    expect(page.locator(".replay-where")).to_contain_text(f"Event {played['tabled']} of {head}")
    expect(page).to_have_url(re.compile(rf"seq={played['tabled']}&as=facilitator"))
    proposal = page.locator(".replay-room .proposal", has_text="UN-AU MOU")
    expect(proposal).to_contain_text("Quarterly")
    expect(page.locator(".replay-room .amendment")).to_have_count(0)
    # Step by step: the burden-sharing package, then the EU's amendment against the text.
    page.get_by_role("button", name="Step forward ▶").click()  # the AU has the floor
    expect(slider).to_have_value(str(played["tabled"] + 1))
    page.get_by_role("button", name="Step forward ▶").click()
    expect(page.locator(".replay-room .proposal", has_text="Shared costs")).to_be_visible()
    while int(slider.input_value()) < played["amended"]:
        page.get_by_role("button", name="Step forward ▶").click()
    expect(page.locator(".replay-room .amendment")).to_contain_text("Annual")
    expect(page.locator(".replay-room .amendment")).to_contain_text("pending")
    # Talk beside the moves: the floor and the EU's team channel as they stood then.
    expect(page.locator(".replay-room .messages")).to_contain_text("ready to deploy")
    shot(page, "50-replay-facilitator")
    shot(page, "50-replay-viewport", full=False)
    axe(page, "50-replay-facilitator")
    # The arrow keys step too (from anywhere but a form field).
    page.locator(f'.replay-timeline li[data-seq="{played["amended"]}"] button').focus()
    page.keyboard.press("ArrowLeft")
    expect(slider).to_have_value(str(played["amended"] - 1))
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_value(str(played["amended"]))
    page.get_by_role("button", name="◀ Step back").click()
    expect(slider).to_have_value(str(played["amended"] - 1))
    expect(page.locator(".replay-room .amendment")).to_have_count(0)

    # Scrub to the start: the lobby.
    slider.fill("2")
    expect(page.locator(".replay-room .phasebar")).to_contain_text("Not started yet")

    # Play at the fastest speed, then pause: the moment moves on and stops.
    page.get_by_label("Speed").select_option("16")
    page.get_by_role("button", name="▶ Play").click()
    expect(page.get_by_role("button", name="⏸ Pause")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        "() => Number(document.querySelector('input.scrub').value) > 8", timeout=10_000
    )
    page.get_by_role("button", name="⏸ Pause").click()
    stopped = int(slider.input_value())
    page.wait_for_timeout(600)
    assert int(slider.input_value()) == stopped
    expect(page).to_have_url(re.compile(r"speed=16"))
    no_errors(page)


def test_a_teams_perspective_shows_exactly_what_it_saw(server, browser, contexts, played):
    """From the AU's perspective the EU's team channel is absent, at every moment; a link to
    a moment opens that moment and that perspective."""
    s, seq = played["session"], played["formal"]
    page = new_page(browser, contexts, LAPTOP)
    page.goto(f"{server.base}/replay/{s}#{played['fac']}")
    expect(page.locator("h1")).to_contain_text("Replay")
    page.goto(f"{server.base}/replay/{s}?seq={seq}&as=team:au")
    chosen(page, "Seen by", "team:au")
    expect(page.get_by_label("Moment (event seq)")).to_have_value(str(seq))
    expect(page.locator(".replay-timeline")).to_contain_text("ready to deploy")
    expect(page.locator(".replay-timeline")).not_to_contain_text("EU-TEAM-ONLY")
    expect(page.locator(".replay-room")).not_to_contain_text("EU-TEAM-ONLY")
    expect(page.locator(".replay-room .phasebar")).to_contain_text("formal")
    shot(page, "51-replay-team")
    axe(page, "51-replay-team")
    page.get_by_label("Seen by").select_option("team:eu")
    expect(page.locator(".replay-timeline")).to_contain_text("EU-TEAM-ONLY")
    expect(page).to_have_url(re.compile(r"as=team%3Aeu|as=team:eu"))
    no_errors(page)


def test_a_player_replays_its_own_perspective_after_the_debrief(server, browser, contexts, played):
    s = played["session"]
    page = new_page(browser, contexts, PHONE)
    page.goto(f"{server.base}/replay/{s}#{played['tokens']['au.1']}")
    chosen(page, "Seen by", "team:au")
    expect(page.get_by_label("Seen by").locator("option")).to_have_count(2)  # public, AU
    expect(page.locator(".replay-timeline")).not_to_contain_text("EU-TEAM-ONLY")
    expect(page.get_by_text("Start a new session from this moment…")).to_have_count(0)
    shot(page, "53-replay-phone")
    # Nothing wider than the phone's screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{server.base}/debrief/{s}")
    expect(page.locator("h1")).to_contain_text("Debrief")
    expect(page.locator(".debrief")).not_to_contain_text("EU-TEAM-ONLY")
    page.wait_for_function("() => document.querySelectorAll('canvas').length >= 6")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "58-debrief-phone")
    axe(page, "58-debrief-phone")
    no_errors(page)


def test_the_debrief_on_a_projector(server, browser, contexts, played):
    s = played["session"]
    page = new_page(browser, contexts, PROJECTOR)
    page.goto(f"{server.base}/replay/{s}#{played['fac']}")
    expect(page.locator("h1")).to_contain_text("Replay")
    page.get_by_role("link", name="The debrief", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Debrief: Test")
    # Chart.js drew every chart: scores, security, the MOU's texts over time (the package has
    # no weights to value it by), the MOU's outcome space, pledges, interventions.
    page.wait_for_function("() => window.Chart && document.querySelectorAll('canvas').length >= 6")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas')].every(c => Chart.getChart(c))"
    )
    assert page.evaluate("() => Chart.version").startswith("4.")
    scores = page.locator("section", has=page.get_by_role("heading", name="Scores and their parts"))
    scores.get_by_text("The numbers").click()
    expect(scores.locator("table")).to_contain_text("European Union")
    matrix = page.locator("table.vote-matrix")
    expect(matrix.locator("tbody tr")).to_have_count(2)
    expect(matrix).to_contain_text("yes")
    texts = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("who conceded"))
    )
    expect(texts).to_contain_text("Secretary-General conceded")
    outcome = page.locator("article.item", has=page.get_by_role("heading", name="UN-AU MOU"))
    expect(outcome).to_contain_text("projection")
    chosen(outcome, "Across:", "sg")
    outcome.get_by_label("Up:").select_option("eu")
    chart = outcome.locator("canvas")
    expect(chart).to_have_attribute("aria-label", re.compile("European Union up"))
    pledges = page.locator(
        "section", has=page.get_by_role("heading", name="Pledged against delivered")
    )
    pledges.get_by_text("The numbers").click()
    expect(pledges.locator("table")).to_contain_text("40%")
    expect(page.get_by_role("heading", name=re.compile("interventions"))).to_be_visible()
    expect(page.locator(".debrief")).to_contain_text("CANARY-SG-BRIEF")  # declassified
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "52-debrief-projector", full=False)
    outcome.scroll_into_view_if_needed()
    shot(page, "54-debrief-outcome-space", full=False)
    shot(page, "55-debrief-full")
    axe(page, "52-debrief")
    no_errors(page)
    # Each concession links to its moment in the replay.
    concession = texts.locator("li", has_text="conceded").get_by_role("link")
    seq = concession.inner_text().lstrip("#")
    concession.click()
    expect(page.get_by_label("Moment (event seq)")).to_have_value(seq)
    expect(page.locator(".replay-where")).to_contain_text("merged into p1")


def _renamed(log: bytes, session: str) -> bytes:
    """The export as another server's session: the same events under another id, chained
    again (a fresh server would hold it as it is; this one already holds the original)."""
    head = chain.GENESIS
    out = []
    for line in log.splitlines():
        row = orjson.loads(line)
        if row["event"]["type"] == "session_created":
            row["event"]["session"] = session
        body = orjson.dumps(row["event"], option=orjson.OPT_SORT_KEYS)
        head = chain.link(head, body)
        out.append(b'{"seq":%d,"hash":"%s","event":%s}' % (row["seq"], head.encode(), body))
    return b"\n".join(out) + b"\n"


def test_a_researcher_opens_an_export_file(server, browser, contexts, played, tmp_path):
    s = played["session"]
    log = httpx.get(
        f"{server.base}/api/sessions/{s}/export/log.jsonl",
        headers={"Authorization": f"Bearer {played['fac']}"},
    ).content
    good = tmp_path / "export.jsonl"
    good.write_bytes(_renamed(log, "abcdef012345"))
    rows = [orjson.loads(line) for line in good.read_bytes().splitlines()]
    target = next(r for r in rows if r["event"]["type"] == "message_posted")
    target["event"]["text"] = "tampered"
    bad = tmp_path / "tampered.jsonl"
    bad.write_bytes(b"\n".join(orjson.dumps(r) for r in rows))

    page = new_page(browser, contexts, LAPTOP)
    page.goto(f"{server.base}/replay")
    expect(page.locator("h1")).to_have_text("Replay an exported session")
    axe(page, "56-replay-upload")
    page.get_by_label(re.compile("Export file")).set_input_files(str(bad))
    page.get_by_role("button", name="Open the replay").click()
    expect(page.get_by_role("alert")).to_contain_text(f"first bad seq: {target['seq']}")
    page.get_by_label(re.compile("Export file")).set_input_files(str(good))
    page.get_by_role("button", name="Open the replay").click()
    expect(page).to_have_url(re.compile(r"/replay/abcdef012345"))
    expect(page.locator("h1")).to_contain_text("Replay: Test")
    expect(page.get_by_label("Seen by").locator("option")).to_have_count(5)
    expect(page.locator(".replay-timeline li")).to_have_count(played["head"])
    no_errors(page)


def test_a_fork_starts_from_a_moment_of_the_replay(server, browser, contexts, played):
    s, seq = played["session"], played["amended"]
    page = new_page(browser, contexts, LAPTOP)
    page.goto(f"{server.base}/replay/{s}#{played['fac']}")
    expect(page.locator("h1")).to_contain_text("Replay")
    page.goto(f"{server.base}/replay/{s}?seq={seq}&as=facilitator")
    expect(page.get_by_label("Moment (event seq)")).to_have_value(str(seq))
    page.get_by_text("Start a new session from this moment…").click()
    page.get_by_label("Title of the new session").fill("What if the SG held firm")
    page.get_by_role("button", name="Start the new session").click()
    page.wait_for_url(re.compile(r"/console/[0-9a-f]+$"))
    assert s not in page.url
    expect(page.locator("#conn")).to_have_text("Connected")
    expect(page.locator(".console-side")).to_contain_text("What if the SG held firm")
    expect(page.locator(".console-side")).to_contain_text("Status: paused")
    live = page.locator(".live")
    expect(live.locator(".amendment")).to_contain_text("pending")
    page.get_by_role("button", name="Resume", exact=True).click()
    expect(page.locator(".console-side")).to_contain_text("Status: running")
    shot(page, "57-fork-console")
    # The console links to the fork's own replay, which says where it came from.
    page.get_by_role("link", name="Replay", exact=True).click()
    expect(page.locator(".replay-tools")).to_contain_text(f"A fork of session {s} at seq {seq}")
    expect(page.get_by_label("Moment (event seq)")).to_have_attribute("max", re.compile(r"\d+"))
    no_errors(page)


async def _start_and_end(server: Server, session: str, token: str) -> None:
    f = await Client.open(server, session, token)
    await f.until(lambda m: m["type"] == "snapshot")
    await f.ok({"type": "start"})
    await f.ok({"type": "end"})
    await f.close()


def test_a_player_opens_the_debrief_and_the_replay_from_the_room(server, browser, contexts):
    """At the debrief the room links to the debrief and the replay; both open with the
    seat's own token (kept by the room), from the team's own perspective."""
    created = httpx.post(f"{server.base}/api/sessions", json={"scenario": "tiny"}).json()
    s = created["session"]
    link = next(j["link"] for j in created["join_links"] if j["seat"] == "eu.1")
    page = new_page(browser, contexts, LAPTOP)
    page.goto(link)
    page.get_by_label("Your name").fill("Ines")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#conn")).to_have_text("Connected")
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _start_and_end(server, s, created["facilitator_token"])).result()
    expect(page.get_by_role("heading", name="Final scores")).to_be_visible()
    page.get_by_role("link", name="The debrief, with its charts").click()
    expect(page.locator("h1")).to_contain_text("Debrief")
    expect(page.locator(".debrief")).to_contain_text("Scores and their parts")
    page.get_by_role("link", name="Replay the session step by step").click()
    chosen(page, "Seen by", "team:eu")
    expect(page.locator(".replay-timeline")).to_contain_text("Ines took seat eu.1")
    no_errors(page)


def test_the_replay_and_debrief_pages_carry_the_csp_and_chart_js_is_served(server):
    for path in ("/replay", "/replay/abc", "/debrief/abc"):
        r = httpx.get(server.base + path, timeout=10)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-cache"
        assert "Bearer" not in r.text
    r = httpx.get(server.base + "/vendor/chart.js", timeout=10)
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert "Chart.js v4" in r.text[:300]
