"""Canaries in every team's secrets (brief, objectives, reservation, drafts, private and team
talk, injects for it alone) never reach another team's seat by any path: the snapshot, live
events, a resync, the log export, error replies, or REST."""

from __future__ import annotations

import orjson
import pytest

from tests.game.canaries import canary, secrets_of, with_canaries
from tests.game.tiny import tiny
from tests.server.harness import Client
from tests.server.play import MOU, seat_up, sync_all

pytestmark = pytest.mark.postgres
TEAMS = ["sg", "au", "eu"]
SCENARIO = with_canaries(tiny())


def partner(team: str) -> str:
    return TEAMS[(TEAMS.index(team) + 1) % len(TEAMS)]


def forbidden_for(team: str) -> set[str]:
    """Every other team's secrets, minus the private-channel canary that `other` said in its
    channel with `team` (each team opens one with its partner)."""
    leaks: set[str] = set()
    for other in TEAMS:
        if other == team:
            continue
        secrets = set(secrets_of(SCENARIO, other))
        if team == partner(other):
            secrets.discard(canary(other, "PRIVATE"))
        leaks |= secrets
    return leaks


def assert_clean(team: str, where: str, texts: list[str]) -> None:
    blob = "\n".join(texts)
    found = sorted(s for s in forbidden_for(team) if s in blob)
    assert not found, f"{where}: {team} received {found}"


async def test_no_secret_reaches_another_team(server):
    table = await seat_up(server, "canary")
    f = table.f
    await f.ok({"type": "start"})
    await f.ok({"type": "advance"})  # briefing -> consultations
    await sync_all(table)
    before_secrets = {team: c.seq for team, c in table.seats.items()}

    drafts: dict[str, str] = {}
    for team in TEAMS:
        c = table.seats[team]
        saved = await c.ok(
            {"type": "save_draft", "item": "mou", "clauses": MOU, "title": canary(team, "DRAFT")}
        )
        drafts[team] = next(e for e in c.events if e["seq"] == saved["seqs"][-1])["draft"]
        opened = await c.ok({"type": "open_channel", "teams": [partner(team)]})
        channel = next(e for e in c.events if e["seq"] == opened["seqs"][-1])["channel"]
        await c.ok({"type": "say", "channel": channel, "text": canary(team, "PRIVATE")})
        await c.ok({"type": "say", "channel": "team", "text": canary(team, "TEAMTALK")})
        await f.ok(
            {
                "type": "custom_inject",
                "title": "For you",
                "text": canary(team, "INJECT"),
                "audience": [team],
            }
        )
    await sync_all(table)

    # Error replies: touching another team's draft or channel is refused without its words.
    for team in TEAMS:
        c = table.seats[team]
        other = partner(team)
        await c.do({"type": "table", "draft": drafts[other]})
        await c.do({"type": "discard_draft", "draft": drafts[other]})
        await c.do({"type": "say", "channel": f"team:{other}", "text": "hello?"})

    paths: dict[str, dict[str, list[str]]] = {team: {} for team in TEAMS}
    for team in TEAMS:
        paths[team]["live events and replies"] = table.seats[team].raw
    seats = {"sg": "sg.1", "au": "au.2", "eu": "eu.1"}
    for team, seat in seats.items():
        fresh = await Client.open(server, table.session, table.tokens[seat])
        await fresh.until(lambda m: m["type"] == "snapshot")
        paths[team]["snapshot"] = fresh.raw
        resync = await Client.open(
            server, table.session, table.tokens[seat], since=before_secrets[team]
        )
        await resync.until(lambda m: m["type"] == "events")
        await resync.send({"type": "sync", "since": before_secrets[team]})
        await resync.until(lambda m: m["type"] == "events")
        paths[team]["resync"] = resync.raw
        async with server.http(table.tokens[seat]) as h:
            paths[team]["rest"] = [
                (await h.get(f"/api/sessions/{table.session}/log")).text,
                (await h.get(f"/api/sessions/{table.session}")).text,
                (await h.get("/api/scenarios/canary")).text,
                (await h.get("/api/scenarios")).text,
            ]
        await fresh.close()
        await resync.close()

    for team, by_path in paths.items():
        assert by_path["live events and replies"], "nothing was received"
        for where, texts in by_path.items():
            assert_clean(team, where, texts)

    # The test would catch a leak: each team did receive its own secrets and its partner's.
    for team in TEAMS:
        blob = "\n".join(table.seats[team].raw)
        assert canary(team, "TEAMTALK") in blob and canary(team, "INJECT") in blob
        assert canary(team, "PRIVATE") in blob
        said_to_us = next(t for t in TEAMS if partner(t) == team)
        assert canary(said_to_us, "PRIVATE") in blob
        snapshot = orjson.loads(paths[team]["snapshot"][1])
        assert canary(team, "BRIEF") in orjson.dumps(snapshot).decode()
    # The facilitator sees everything, through the export too.
    async with server.http(table.fac_token) as h:
        log = (await h.get(f"/api/sessions/{table.session}/log")).text
    assert all(canary(t, "DRAFT") in log and canary(t, "BRIEF") in log for t in TEAMS)
    await table.close()
