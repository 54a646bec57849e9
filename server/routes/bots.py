"""Bots: the strategies a seat may be given to, and how a session's hosted bots are doing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from server import strategies
from server.deps import MaybePrincipal, Service, facilitator_of
from server.routes.sessions import _live

router = APIRouter(tags=["bots"])


@router.get("/api/strategies")
def list_strategies() -> list[dict[str, Any]]:
    """Every name a seat may be given to (`bot` in a seat's assign), with what it does.
    `hosted`: the server runs the bot itself; `external` is a bot that a program elsewhere
    plays with the seat's join link (`chapter8 bot`), its commands logged as a bot's."""
    return strategies.listing()


@router.get("/api/sessions/{session}/bots")
async def session_bots(
    session: str, request: Request, service: Service, principal: MaybePrincipal
) -> list[dict[str, Any]]:
    """Each seat given to a bot, with its health (facilitator only): `state` (`running`,
    `connecting`, `failed`, `stopped`, `concluded`; for a bot this process does not play,
    `starting`, `external` or `elsewhere`), `reason` (the state in words, when it is not simply
    running; for a failed bot why it failed, never a traceback), whether this server process
    runs it (on several processes, only the holder of the session's clock does), and, for a
    bot it runs, whether it is connected, the `seq` it has seen and `acted_seq` (the last seq
    its accepted commands produced), whether it is idle (nothing to do in that view), its
    commands sent, accepted and rejected, and how many times it failed on the seat
    (`failures`, the last one's reason in `error`, `retry_in_s` until it starts again). A bot
    another process plays is shown as that process last shared it, `process: "another"`."""
    live = await _live(service, session)
    facilitator_of(principal, session)
    seats = {s.id: s.bot for s in live.state.seats.values() if s.bot is not None}
    return await request.app.state.bots.status_anywhere(session, seats)
