"""The websocket endpoint: authenticate the upgrade, then hand frames to the connection.

A refused upgrade gets an HTTP answer with a JSON body `{code, reason}`: 403 `forbidden` for
an Origin not on the allow-list or a token of another session, 401 `unauthorized` for a
missing or unknown token, 404 `unknown` for no such session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect

from game.protocol import PROTOCOL, Limits, Welcome
from server.auth import bearer, chosen_subprotocol, from_subprotocols
from server.clock import now_ms
from server.connection import Connection
from server.frames import frame_writer
from server.service.sessions import NotFound, SessionService
from server.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter()


def origin_allowed(settings: Settings, origin: str | None) -> bool:
    """Browsers always send Origin; programs usually do not, and are let through (they hold a
    token all the same). A browser page from elsewhere is refused, whatever token it has."""
    if origin is None:
        return True
    allowed = settings.allowed_origins
    return "*" in allowed or origin.rstrip("/") in {settings.base_url, *allowed}


@router.websocket("/ws/sessions/{session}")
async def session_socket(websocket: WebSocket, session: str, since: int | None = None) -> None:
    service: SessionService = websocket.app.state.service
    settings: Settings = websocket.app.state.settings
    if not origin_allowed(settings, websocket.headers.get("origin")):
        await _deny(websocket, 403, "forbidden", "this Origin may not open a session socket")
        return
    offered = list(websocket.scope.get("subprotocols", []))
    token = bearer(websocket.headers.get("authorization")) or from_subprotocols(offered)
    if token is None:
        await _deny(websocket, 401, "unauthorized", "send a token: Authorization or subprotocol")
        return
    principal = await service.authenticate(token)
    if principal is None:
        await _deny(websocket, 401, "unauthorized", "unknown or revoked token")
        return
    if principal.session != session:
        await _deny(websocket, 403, "forbidden", "this token is for another session")
        return
    try:
        live = await service.live(session)
    except NotFound:
        await _deny(websocket, 404, "unknown", "no such session")
        return

    await websocket.accept(subprotocol=chosen_subprotocol(offered))
    connection = Connection(
        principal,
        live,
        settings,
        service.metrics,
        websocket.send_text,
        websocket.close,
        frame_writer(websocket.scope),
    )
    connection.send_model(
        Welcome(
            protocol=PROTOCOL,
            session=session,
            viewer=principal.viewer,
            server_time=now_ms(),
            heartbeat_s=settings.heartbeat_s,
            limits=Limits(
                frame_cap=settings.frame_cap,
                rate_per_s=settings.rate_per_s,
                rate_burst=settings.rate_burst,
                send_queue=settings.send_queue,
                replay_limit=settings.replay_limit,
            ),
        )
    )
    service.metrics.connections.inc()
    sender = asyncio.create_task(connection.sender())
    try:
        await live.call(lambda: live.attach(connection, since))
        while not connection.closed:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            data = message.get("text")
            if data is None:
                data = message.get("bytes") or b""
            connection.receive(data)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        service.metrics.connections.dec()
        live.detach(connection)
        # The sender may be waiting for a socket that will never drain now.
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def _deny(websocket: WebSocket, status: int, code: str, reason: str) -> None:
    await websocket.send_denial_response(
        JSONResponse({"code": code, "reason": reason}, status_code=status)
    )
