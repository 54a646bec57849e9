"""Every bad input is answered with its code, changes nothing, and shows no traceback."""

from __future__ import annotations

import orjson
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.server.harness import Client
from tests.server.play import MOU, Table, seat_up

pytestmark = pytest.mark.postgres


@pytest.fixture
async def table(server):
    table = await seat_up(server)
    await table.f.ok({"type": "start"})
    await table.f.ok({"type": "advance"})  # briefing
    await table.f.ok({"type": "advance"})  # consultations -> formal
    yield table
    await table.close()


async def refused(table: Table, client: Client, frame: str | bytes, code: str, cid=None) -> dict:
    before = await table.summary()
    await client.send(frame)
    reply = await client.until(lambda m: m["type"] == "rejected")
    assert reply["code"] == code, reply
    assert reply["id"] == cid
    assert reply["reason"] and "Traceback" not in reply["reason"] and "File " not in reply["reason"]
    after = await table.summary()
    assert (after["seq"], after["state_hash"]) == (before["seq"], before["state_hash"])
    return reply


def command(body: dict, cid: str = "x1") -> str:
    return orjson.dumps({"type": "command", "id": cid, "command": body}).decode()


async def test_malformed_json(table):
    await refused(table, table.seats["au"], "{not json", "bad_json")
    await refused(table, table.seats["au"], b"\xff\xfe", "bad_json")


async def test_not_a_protocol_message(table):
    await refused(table, table.seats["au"], "[1, 2]", "bad_message")
    await refused(table, table.seats["au"], '{"type": "command", "command": {}}', "bad_message")
    frame = '{"protocol": 2, "type": "ping"}'
    await refused(table, table.seats["au"], frame, "bad_message")


async def test_unknown_types(table):
    await refused(table, table.seats["au"], '{"type": "teleport"}', "unknown_type")
    frame = command({"type": "nuke", "target": "all"}, "u1")
    await refused(table, table.seats["au"], frame, "unknown_type", "u1")


async def test_ill_formed_command(table):
    frame = command({"type": "vote", "ballot": "b1", "choice": "maybe"}, "v1")
    reply = await refused(table, table.seats["au"], frame, "bad_command", "v1")
    assert "choice" in reply["reason"]


async def test_clients_cannot_tick(table):
    await refused(table, table.f, command({"type": "tick"}, "t1"), "forbidden", "t1")


async def test_out_of_turn(table):
    # sg holds the floor first in round 1.
    frame = command({"type": "table", "item": "mou", "clauses": MOU}, "o1")
    await refused(table, table.seats["au"], frame, "not_your_turn", "o1")


async def test_a_seat_cannot_run_the_facilitators_commands(table):
    await refused(table, table.seats["eu"], command({"type": "end"}, "e1"), "not_allowed", "e1")


async def test_oversize_frame(table):
    client = table.seats["eu"]
    frame = command({"type": "statement", "text": "x" * (64 * 1024)}, "big")
    await refused(table, client, frame, "too_large")
    # The connection is still usable after a refused frame.
    await client.send('{"type": "ping", "nonce": "still-here"}')
    pong = await client.until(lambda m: m["type"] == "pong")
    assert pong["nonce"] == "still-here"


async def test_a_frame_past_twice_the_cap_closes_the_connection(server, table):
    client = await Client.open(server, table.session, table.tokens["eu.1"], max_size=None)
    await client.send("y" * (129 * 1024))
    with pytest.raises(ConnectionClosed) as closed:
        await client.until(lambda m: False)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_a_flood_is_rate_limited(server, table):
    client = await Client.open(server, table.session, table.tokens["eu.1"])
    for n in range(120):
        await client.send(orjson.dumps({"type": "ping", "nonce": str(n)}).decode())
    limited = await client.until(lambda m: m.get("code") == "rate_limited")
    assert limited["retry_ms"] >= 1
    assert "Traceback" not in limited["reason"]
    await client.close()


async def handshake_refused(server, session, token, status, code, **kwargs):
    with pytest.raises(InvalidStatus) as refused:
        await Client.open(server, session, token, **kwargs)
    response = refused.value.response
    assert response.status_code == status
    body = orjson.loads(response.body)
    assert body["code"] == code and "Traceback" not in body["reason"]


async def test_handshake_without_or_with_a_forged_token(server, table):
    await handshake_refused(server, table.session, None, 401, "unauthorized")
    await handshake_refused(server, table.session, "forged-" + "A" * 32, 401, "unauthorized")
    await handshake_refused(server, table.session, "A" * 32, 401, "unauthorized", browser=True)


async def test_a_token_of_another_session(server, table):
    other = await seat_up(server, connect=False)
    await handshake_refused(server, table.session, other.tokens["au.1"], 403, "forbidden")
    await handshake_refused(server, other.session, table.fac_token, 403, "forbidden")
    # REST too: another session's facilitator cannot read this log or move its seats.
    async with server.http(other.fac_token) as h:
        assert (await h.get(f"/api/sessions/{table.session}/log")).status_code == 403
        r = await h.post(f"/api/sessions/{table.session}/seats/au.1/free")
        assert r.status_code == 403 and r.json()["detail"]["code"] == "forbidden"


async def test_bad_origin(server, table):
    evil = "http://evil.example"
    await handshake_refused(server, table.session, table.fac_token, 403, "forbidden", origin=evil)
    # The server's own origin is allowed; a browser gets only chapter8.v1 echoed back.
    client = await Client.open(
        server, table.session, table.tokens["au.1"], browser=True, origin=server.base
    )
    assert client.ws.subprotocol == "chapter8.v1"
    await client.close()


async def test_join_with_a_wrong_code(server, table):
    async with server.http() as h:
        r = await h.post(f"/api/sessions/{table.session}/join", json={"code": "guess"})
        assert r.status_code == 401 and r.json()["detail"]["code"] == "unauthorized"
