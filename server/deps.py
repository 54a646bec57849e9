"""FastAPI dependencies: the service, and who the caller is (from `Authorization: Bearer`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from server.auth import Principal, bearer
from server.service.sessions import SessionService
from server.settings import Settings


def get_service(request: Request) -> SessionService:
    return request.app.state.service


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


Service = Annotated[SessionService, Depends(get_service)]
Config = Annotated[Settings, Depends(get_settings)]


async def optional_principal(
    service: Service, authorization: Annotated[str | None, Header()] = None
) -> Principal | None:
    token = bearer(authorization)
    if token is None:
        return None
    principal = await service.authenticate(token)
    if principal is None:
        raise HTTPException(401, {"code": "unauthorized", "reason": "unknown or revoked token"})
    return principal


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


def facilitator_of(principal: Principal | None, session: str) -> Principal:
    """The caller must be this session's facilitator."""
    if principal is None:
        raise HTTPException(401, {"code": "unauthorized", "reason": "a bearer token is needed"})
    if principal.session != session or principal.kind != "facilitator":
        raise HTTPException(403, {"code": "forbidden", "reason": "not this session's facilitator"})
    return principal
