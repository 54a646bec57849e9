"""Seats: join one with its join code; the facilitator assigns, frees and re-links them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from game.commands import AssignSeat, FreeSeat
from game.protocol import Rejected
from server import links, strategies
from server.deps import Config, MaybePrincipal, Service, facilitator_of
from server.routes.sessions import _live

router = APIRouter(prefix="/api/sessions/{session}", tags=["seats"])


class Join(BaseModel):
    code: str = Field(min_length=1, max_length=100, description="The code from the join link.")
    name: str | None = Field(default=None, max_length=200, description="Shown on a free seat.")


class Joined(BaseModel):
    session: str
    seat: str
    team: str
    token: str = Field(description="The seat token: send it in the websocket handshake.")
    websocket: str


class Assign(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    bot: str | None = Field(
        default=None,
        max_length=40,
        description="A strategy from /api/strategies: the server plays the seat with it "
        "(`external`: a program elsewhere does, with the join link). Null for a person.",
    )


@router.post("/join")
async def join(session: str, body: Join, service: Service, config: Config) -> Joined:
    """Exchange a join code for a seat token. The same link works again (another device gets
    its own token for the same seat) until the facilitator gives the seat to someone else."""
    live = await _live(service, session)
    joined = await service.join(session, body.code, body.name)
    if joined is None:
        raise HTTPException(401, {"code": "unauthorized", "reason": "unknown or revoked code"})
    seat, token = joined
    return Joined(
        session=session,
        seat=seat,
        team=live.state.seats[seat].team,
        token=token,
        websocket=links.websocket_url(config.base_url, session),
    )


@router.post("/seats/{seat}/assign")
async def assign(
    session: str,
    seat: str,
    body: Assign,
    request: Request,
    service: Service,
    config: Config,
    principal: MaybePrincipal,
) -> dict[str, Any]:
    """Give the seat to a person or a bot: its old tokens and join codes stop working and a
    new join link is answered. A seat given to a strategy is played by the server (its bot
    starts at once); an unknown strategy is refused (422 `bad_command`, naming the known ones)."""
    await _live(service, session)
    facilitator_of(principal, session)
    refused = strategies.refusal(body.bot)
    if refused is not None:
        raise HTTPException(
            422, {"code": "bad_command", "reason": refused, "strategies": strategies.known()}
        )
    reply, code = await service.change_seat(
        session, AssignSeat(seat=seat, name=body.name, bot=body.bot)
    )
    request.app.state.bots.poke()
    return _seat_reply(config, session, seat, reply, code)


@router.post("/seats/{seat}/free")
async def free(
    session: str,
    seat: str,
    request: Request,
    service: Service,
    config: Config,
    principal: MaybePrincipal,
) -> dict[str, Any]:
    """Free the seat: its tokens and join codes stop working (a bot playing it stops); a new
    join link is answered."""
    await _live(service, session)
    facilitator_of(principal, session)
    reply, code = await service.change_seat(session, FreeSeat(seat=seat))
    request.app.state.bots.poke()
    return _seat_reply(config, session, seat, reply, code)


@router.post("/seats/{seat}/link")
async def new_link(
    session: str, seat: str, service: Service, config: Config, principal: MaybePrincipal
) -> dict[str, Any]:
    """Another join link for the seat (the earlier ones keep working)."""
    await _live(service, session)
    facilitator_of(principal, session)
    code = await service.new_join_code(session, seat)
    if code is None:
        raise HTTPException(404, {"code": "unknown", "reason": "no such seat"})
    return {
        "seat": seat,
        "code": code,
        "link": links.join_link(config.base_url, session, seat, code),
    }


def _seat_reply(config, session: str, seat: str, reply, code: str | None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    if isinstance(reply, Rejected):
        raise HTTPException(409, {"code": str(reply.code), "reason": reply.reason})
    assert code is not None
    return {
        "seat": seat,
        "seqs": reply.seqs,
        "code": code,
        "link": links.join_link(config.base_url, session, seat, code),
    }
