"""Seats: a join link works on a second device; a seat that changes hands gets new
credentials and the old ones stop working at once."""

from __future__ import annotations

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.server.harness import Client
from tests.server.play import seat_up

pytestmark = pytest.mark.postgres


async def test_the_same_join_link_on_a_second_device(server):
    table = await seat_up(server, connect=False)
    code = next(j["code"] for j in table.created["join_links"] if j["seat"] == "eu.1")
    second = await server.join(table.session, code)
    assert second["seat"] == "eu.1" and second["token"] != table.tokens["eu.1"]
    one = await Client.open(server, table.session, table.tokens["eu.1"])
    two = await Client.open(server, table.session, second["token"])
    assert (
        one.welcome["viewer"]
        == two.welcome["viewer"]
        == {
            "role": "seat",
            "team": "eu",
            "seat": "eu.1",
        }
    )
    presence = (await table.summary())["presence"]
    assert presence["seats"]["eu.1"] == 2
    await one.close()
    await two.close()


async def test_reassigning_a_seat_replaces_its_credentials(server):
    table = await seat_up(server)
    old_code = next(j["code"] for j in table.created["join_links"] if j["seat"] == "au.1")
    holder = table.seats["au"]
    async with server.http(table.fac_token) as h:
        r = await h.post(f"/api/sessions/{table.session}/seats/au.1/assign", json={"name": "Amina"})
    assert r.status_code == 200, r.text
    new_code = r.json()["code"]
    assert new_code != old_code and r.json()["link"].endswith("#" + new_code)

    # The old holder is disconnected, and neither its token nor the old link works.
    with pytest.raises(ConnectionClosed) as closed:
        await holder.until(lambda m: False)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4003
    with pytest.raises(InvalidStatus):
        await Client.open(server, table.session, table.tokens["au.1"])
    async with server.http() as h:
        r = await h.post(f"/api/sessions/{table.session}/join", json={"code": old_code})
        assert r.status_code == 401
    joined = await server.join(table.session, new_code)
    client = await Client.open(server, table.session, joined["token"])
    assert client.welcome["viewer"]["seat"] == "au.1"
    # The other seat of the team is untouched.
    other = await Client.open(server, table.session, table.tokens["au.2"])
    summary = await table.summary()
    assert next(s for s in summary["seats"] if s["id"] == "au.1")["name"] == "Amina"
    await client.close()
    await other.close()
    await table.close()


async def test_freeing_a_seat_over_the_websocket(server):
    table = await seat_up(server)
    reply = await table.f.ok({"type": "free_seat", "seat": "eu.1"})
    assert reply["seqs"]
    with pytest.raises(InvalidStatus):
        await Client.open(server, table.session, table.tokens["eu.1"])
    async with server.http(table.fac_token) as h:
        r = await h.post(f"/api/sessions/{table.session}/seats/eu.1/link")
        assert r.status_code == 200
    joined = await server.join(table.session, r.json()["code"], name="New EU")
    assert joined["seat"] == "eu.1"
    summary = await table.summary()
    assert next(s for s in summary["seats"] if s["id"] == "eu.1")["name"] == "New EU"
    await table.close()


async def test_only_the_facilitator_moves_seats(server):
    table = await seat_up(server, connect=False)
    async with server.http(table.tokens["au.1"]) as h:
        r = await h.post(f"/api/sessions/{table.session}/seats/eu.1/free")
        assert r.status_code == 403
    async with server.http() as h:
        r = await h.post(f"/api/sessions/{table.session}/seats/eu.1/free")
        assert r.status_code == 401


async def test_joins_racing_a_seat_change_leave_no_token_alive(server):
    """Join requests with the old link, sent while the facilitator gives the seat to someone
    else, either fail or get a token the seat change revokes: none outlives it."""
    import asyncio

    table = await seat_up(server, connect=False)
    code = next(j["code"] for j in table.created["join_links"] if j["seat"] == "eu.1")

    async def join() -> str | None:
        async with server.http() as h:
            r = await h.post(f"/api/sessions/{table.session}/join", json={"code": code})
        return r.json()["token"] if r.status_code == 200 else None

    async def reassign() -> None:
        await asyncio.sleep(0.05)
        async with server.http(table.fac_token) as h:
            r = await h.post(
                f"/api/sessions/{table.session}/seats/eu.1/assign", json={"name": "Bea"}
            )
        assert r.status_code == 200, r.text

    results = await asyncio.gather(*(join() for _ in range(40)), reassign())
    tokens = [t for t in results[:-1] if t]
    assert tokens, "some joins came before the seat change"
    for token in tokens:
        with pytest.raises(InvalidStatus):
            await Client.open(server, table.session, token)
