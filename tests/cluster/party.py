"""A session played through the cluster: the facilitator and several devices per seat."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.cluster.harness import connect
from tests.server.harness import Client


@dataclass
class Party:
    endpoint: Any
    session: str
    created: dict[str, Any]
    tokens: dict[str, list[str]] = field(default_factory=dict)
    """Seat id -> one token per device."""
    facilitator: Client | None = None
    players: list[tuple[str, Client]] = field(default_factory=list)
    """(seat, client) for every connected device."""

    @property
    def fac_token(self) -> str:
        return self.created["facilitator_token"]

    @property
    def f(self) -> Client:
        assert self.facilitator is not None
        return self.facilitator

    def clients(self) -> list[Client]:
        return [self.f, *(c for _s, c in self.players)]

    def of(self, seat: str) -> list[Client]:
        return [c for s, c in self.players if s == seat]

    async def summary(self, endpoint: Any = None) -> dict[str, Any]:
        return await (endpoint or self.endpoint).summary(self.session, self.fac_token)

    async def seq(self) -> int:
        return (await self.summary())["seq"]

    async def settle(self, timeout: float = 15) -> int:
        """Wait until every connection holds the log's last seq; returns it."""
        seq = await self.seq()
        for client in self.clients():
            await client.caught_up(seq, timeout)
        return seq

    async def close(self) -> None:
        for client in self.clients():
            await client.close()


async def gather(
    endpoint: Any, scenario: str = "tiny", *, devices: int = 1, connect_all: bool = True
) -> Party:
    created = await endpoint.create(scenario, title="Cluster")
    party = Party(endpoint, created["session"], created)
    for link in created["join_links"]:
        seat = link["seat"]
        for device in range(devices):
            joined = await endpoint.join(party.session, link["code"], name=f"Player {seat}")
            party.tokens.setdefault(seat, []).append(joined["token"])
            del device
    if connect_all:
        party.facilitator = await connect(endpoint, party.session, party.fac_token)
        for seat, tokens in party.tokens.items():
            for token in tokens:
                client = await connect(endpoint, party.session, token)
                client.token = token  # type: ignore[attr-defined]
                party.players.append((seat, client))
    return party


def team_of(seat: str) -> str:
    return seat.split(".")[0]
