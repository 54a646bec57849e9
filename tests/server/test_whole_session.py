"""A whole session, played over websockets by three teams and a facilitator, from the lobby
to the debrief: talk, drafts, a tabled text, sealed votes, two rounds, final scores."""

from __future__ import annotations

import pytest

from tests.server.play import Table, seat_up, sync_all

pytestmark = pytest.mark.postgres
SCENARIO = "tutorial"
ITEM = "mou_au"
TEXT = {
    "consultation": "biannual",
    "information": "liaison_office",
    "standby": 2000,
    "authorisation": "required",
}


def last(table: Table, kind: str) -> dict | None:
    found = [e for e in table.f.events if e["type"] == kind]
    return found[-1] if found else None


def phase_kind(table: Table) -> str | None:
    started, ended = last(table, "phase_started"), last(table, "phase_ended")
    if started is None or (ended is not None and ended["seq"] > started["seq"]):
        return None
    return started["kind"]


async def formal_session(table: Table, tabling: str | None) -> None:
    """The team `tabling` tables the MOU in its turn; every other turn is a pass."""
    tabled = False
    for _ in range(30):
        if phase_kind(table) != "formal":
            return
        turn = last(table, "turn_started")
        assert turn is not None
        holder = table.seats[turn["team"]]
        if turn["team"] == tabling and not tabled:
            await holder.ok({"type": "table", "item": ITEM, "clauses": TEXT, "title": "MOU"})
            tabled = True  # tabling uses the turn
        else:
            await holder.ok({"type": "pass"})
        await sync_all(table)
    raise AssertionError("the formal session did not end")


async def voting(table: Table) -> int:
    """Every voter votes yes on each ballot as it opens; returns the ballots closed."""
    closed = 0
    for _ in range(10):
        if phase_kind(table) != "voting":
            return closed
        opened, shut = last(table, "ballot_opened"), last(table, "ballot_closed")
        if opened is None or (shut is not None and shut["ballot"] == opened["ballot"]):
            await table.f.ok({"type": "advance"})
        else:
            for team in opened["voters"]:
                if team in table.seats:
                    await table.seats[team].ok(
                        {"type": "vote", "ballot": opened["ballot"], "choice": "yes"}
                    )
            closed += 1
        await sync_all(table)
    raise AssertionError("the voting phase did not end")


async def test_a_whole_session_to_the_debrief(server):
    table = await seat_up(server, SCENARIO)
    f, sg, au, eu = table.f, table.seats["sg"], table.seats["au"], table.seats["eu"]
    await f.ok({"type": "start"})
    ballots = 0
    for round_no in (1, 2):
        assert phase_kind(table) == "briefing"
        await f.ok({"type": "advance"})
        assert phase_kind(table) == "consultations"
        await sg.ok({"type": "say", "channel": "floor", "text": f"Round {round_no}: welcome."})
        if round_no == 1:
            opened = await au.ok({"type": "open_channel", "teams": ["eu"]})
            channel = next(e for e in au.events if e["seq"] == opened["seqs"][-1])["channel"]
        await au.ok({"type": "say", "channel": channel, "text": "Will you fund the mission?"})
        await eu.ok({"type": "say", "channel": channel, "text": "If the MOU passes."})
        if round_no == 1:  # once adopted, the item takes no more texts
            await sg.ok({"type": "save_draft", "item": ITEM, "clauses": TEXT, "title": "draft"})
        await f.ok({"type": "advance"})
        await sync_all(table)
        await formal_session(table, "sg" if round_no == 1 else None)
        ballots += await voting(table)
        if phase_kind(table) == "resolution":
            await f.ok({"type": "advance"})
        await sync_all(table)

    summary = await table.summary()
    assert summary["status"] == "concluded", summary
    assert ballots >= 1
    concluded = last(table, "session_concluded")
    assert concluded is not None and concluded["reason"] == "completed"
    # The debrief opens the scores (and briefs) to every team: each gets a fresh snapshot.
    for team, client in table.seats.items():
        snapshot = await client.until(
            lambda m: m["type"] == "snapshot" and m["reason"] == "declassified"
        )
        state = snapshot["view"]["state"]
        assert state["status"] == "concluded"
        assert set(state["scores"]) == {"sg", "au", "eu"}, team
        assert all(0 <= s["total"] <= 100 for s in state["scores"].values())
        assert state["adopted"].get(ITEM), "the MOU was adopted"
        assert not client.gaps
    await table.close()
