"""A table of clients around one session: the facilitator and one seat per team."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.server.harness import Client, Server

MOU = {"consult": "annual", "standby": 1000}


@dataclass
class Table:
    server: Server
    session: str
    created: dict[str, Any]
    tokens: dict[str, str] = field(default_factory=dict)
    """Seat id -> seat token."""
    facilitator: Client | None = None
    seats: dict[str, Client] = field(default_factory=dict)
    """Team id -> the client of its first seat."""

    @property
    def fac_token(self) -> str:
        return self.created["facilitator_token"]

    @property
    def f(self) -> Client:
        assert self.facilitator is not None
        return self.facilitator

    async def summary(self) -> dict[str, Any]:
        return await self.server.summary(self.session, self.fac_token)

    async def close(self) -> None:
        for client in [self.facilitator, *self.seats.values()]:
            if client is not None:
                await client.close()


async def seat_up(server: Server, scenario: str = "tiny", *, connect: bool = True) -> Table:
    created = await server.create(scenario, title="Test")
    table = Table(server, created["session"], created)
    for link in created["join_links"]:
        joined = await server.join(table.session, link["code"], name=f"Player {link['seat']}")
        table.tokens[link["seat"]] = joined["token"]
    if connect:
        table.facilitator = await Client.open(server, table.session, table.fac_token)
        await table.f.until(lambda m: m["type"] == "snapshot")
        for seat, token in table.tokens.items():
            team = seat.split(".")[0]
            if team in table.seats:
                continue
            client = await Client.open(server, table.session, token)
            await client.until(lambda m: m["type"] == "snapshot")
            table.seats[team] = client
    return table


async def sync_all(table: Table) -> None:
    """Wait until every client holds the facilitator's seq."""
    seq = (await table.summary())["seq"]
    for client in [table.f, *table.seats.values()]:
        await client.caught_up(seq)
