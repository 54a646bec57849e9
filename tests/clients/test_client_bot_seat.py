"""A seat handed to a bot and taken back, over REST and the client: the bot's commands are
logged as a bot's (`actor.bot`), the person's again once the facilitator takes the seat back,
and the bot's connection is closed (4003) when it does. The seat goes to an `external` bot:
this test's own client plays it (tests/server/test_bot_host.py has the bots the server runs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clients.client import Client, ClientClosed
from clients.rest import Rest
from game.commands import Advance, Say, Start
from tests.server.conftest import write_scenarios
from tests.server.harness import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("bot-seat")
    server = Server(tmp, write_scenarios(tmp / "scenarios"), None, {})
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_a_seat_handed_to_a_bot_and_back_is_marked_in_the_log(server):
    async with Rest(server.base) as rest:
        created = await rest.create("tutorial", "bots", seed=3)
    session, token = created["session"], created["facilitator_token"]
    f = Client.for_token(server.base, session, token)
    await f.start()
    await f.do(Start())
    await f.do(Advance())
    async with Rest(server.base, token) as rest:
        handed = await rest.assign(session, "au.2", "Their bot", bot="external")
        bot = Client.for_seat(await rest.join(session, handed["code"]))
        await bot.start()
        await bot.do(Say(channel="floor", text="from the bot"))
        taken = await rest.assign(session, "au.2", "Amina")
        with pytest.raises(ClientClosed) as closed:
            await bot.until(lambda c: False, timeout=10)
        assert closed.value.code == 4003
        person = Client.for_seat(await rest.join(session, taken["code"]))
        await person.start()
        await person.do(Say(channel="floor", text="from the person"))
        log = [line["event"] for line in await rest.log(session)]
    said = {e["text"]: e["actor"] for e in log if e["type"] == "message_posted"}
    assert said["from the bot"]["bot"] is True and said["from the bot"]["seat"] == "au.2"
    assert said["from the person"]["bot"] is False and said["from the person"]["seat"] == "au.2"
    seated = [e for e in log if e["type"] == "seat_assigned" and e.get("seat") == "au.2"]
    assert [e.get("bot") for e in seated][-2:] == ["external", None]
    for client in (f, person, bot):
        await client.close()
