"""Reading a session from its stored log rather than from a live session: the replay routes
for every session (server/routes/replay.py), and the summary and log of an imported one, which
is never loaded live (server/routes/sessions.py).

Who reads: the session's facilitator, a researcher (the token an import answered) or a seat
(see server/replay.py for what each may see). A researcher's token is not a live principal
(`SessionService.authenticate` knows facilitators and seats only), so these routes read the
credential themselves.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Header, HTTPException, Request

from game.hashing import state_hash
from server import auth
from server import replay as rp
from server.deps import Service
from server.service.live import public_summary
from server.store import store as st

Authorization = Annotated[str | None, Header()]
READERS = ("facilitator", "researcher", "seat")


def library(request: Request) -> rp.Library:
    found = getattr(request.app.state, "replays", None)
    if found is None:
        found = request.app.state.replays = rp.Library()
    return found


async def book_of(request: Request, service: Service, session: str) -> rp.Book:
    """The session's book, brought up to the log's head (404 for a session with no log)."""
    book = library(request).book(session)
    rows = await service.store.read(st.events_after, session, book.head, None)
    if rows:
        await asyncio.to_thread(book.extend, rows)
    if book.head == 0:
        raise HTTPException(404, {"code": "unknown", "reason": "no such session"})
    return book


async def credential_of(service: Service, authorization: str | None) -> dict[str, Any] | None:
    """The credential a bearer token holds: None without a token, 401 for an unknown one."""
    token = auth.bearer(authorization)
    if token is None:
        return None
    row = await service.store.read(st.credential, auth.digest(token))
    if row is None or row["kind"] not in READERS:
        raise HTTPException(401, {"code": "unauthorized", "reason": "unknown or revoked token"})
    return row


async def reader_of(
    service: Service, session: str, authorization: str | None, book: rp.Book
) -> rp.Reader:
    """Who asks: a token of this session is needed (401 without one, 403 for another's)."""
    row = await credential_of(service, authorization)
    if row is None:
        raise HTTPException(401, {"code": "unauthorized", "reason": "a bearer token is needed"})
    if row["session_id"] != session:
        raise HTTPException(403, {"code": "forbidden", "reason": "not a token of this session"})
    if row["kind"] == "seat":
        seat = book.state_at(book.head).seats.get(row["seat"])
        return rp.Reader("seat", seat.team if seat else None)
    return rp.Reader(row["kind"])


async def record_summary(
    request: Request, service: Service, session: str, authorization: str | None
) -> dict[str, Any]:
    """An imported session's summary, as its own server gave it (from the log's last state),
    marked `imported`; its facilitator or researcher also gets the state hash and chain head.
    Another session's token reads the public summary, as for a live session."""
    book = await book_of(request, service, session)
    row = await credential_of(service, authorization)
    state = await asyncio.to_thread(book.state_at, book.head)
    body = public_summary(session, state)
    body["imported"] = True
    if row is not None and row["session_id"] == session and row["kind"] != "seat":
        body["state_hash"] = state_hash(state)
        body["head_hash"] = book.hashes[book.head - 1]
    return body
