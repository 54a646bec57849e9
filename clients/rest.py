"""The REST side of the protocol (docs/protocol.md §1): create a session, join a seat with a
join link or code, and the facilitator's seat routes. Plain dicts in, plain dicts out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx


class RestError(Exception):
    """A REST call answered with an error status: `code` and `reason` from its JSON body."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(f"{status} {code}: {reason}")
        self.status = status
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class JoinLink:
    """`{base}/join/{session}/{seat}#{code}` taken apart (the code travels after `#`)."""

    base: str
    session: str
    seat: str
    code: str

    @classmethod
    def parse(cls, link: str) -> JoinLink:
        url, _, code = link.partition("#")
        parts = urlsplit(url)
        path = parts.path.rstrip("/").split("/")
        if len(path) < 4 or path[-3] != "join" or not code:
            raise ValueError("not a join link: expected …/join/{session}/{seat}#{code}")
        prefix = "/".join(path[:-3])
        return cls(f"{parts.scheme}://{parts.netloc}{prefix}", path[-2], path[-1], code)


@dataclass(frozen=True)
class Seat:
    """What joining answers: the seat's token and where to connect."""

    base: str
    session: str
    seat: str
    team: str
    token: str
    websocket: str


def websocket_url(base: str, session: str) -> str:
    scheme = "wss" if base.startswith("https") else "ws"
    return f"{scheme}{base[base.index(':') :]}/ws/sessions/{session}"


def _raise_for(r: httpx.Response) -> None:
    if r.status_code < 400:
        return
    try:
        body = r.json()
    except ValueError:
        body = {}
    detail = body.get("detail", body) if isinstance(body, dict) else {}
    if not isinstance(detail, dict):
        detail = {"reason": str(detail)}
    raise RestError(r.status_code, str(detail.get("code", "error")), str(detail.get("reason", "")))


class Rest:
    """An HTTP client for one server (`base`, e.g. http://127.0.0.1:8000)."""

    def __init__(self, base: str, token: str | None = None, *, timeout: float = 30) -> None:
        self.base = base.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.AsyncClient(base_url=self.base, headers=headers, timeout=timeout)

    async def __aenter__(self) -> Rest:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        r = await self.http.request(method, path, **kwargs)
        _raise_for(r)
        return r.json() if r.content else None

    async def scenarios(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/api/scenarios")

    async def create(
        self, scenario: str, title: str = "", seed: int | None = None
    ) -> dict[str, Any]:
        """A new session: `session`, `facilitator_token`, `console_link`, `websocket` and one
        `{seat, team, code, link}` per seat in `join_links`."""
        body: dict[str, Any] = {"scenario": scenario, "title": title or scenario}
        if seed is not None:
            body["seed"] = seed
        return await self._call("POST", "/api/sessions", json=body)

    async def join(self, session: str, code: str, name: str | None = None) -> Seat:
        body = await self._call(
            "POST", f"/api/sessions/{session}/join", json={"code": code, "name": name}
        )
        return Seat(
            base=self.base,
            session=body["session"],
            seat=body["seat"],
            team=body["team"],
            token=body["token"],
            websocket=body["websocket"],
        )

    async def summary(self, session: str) -> dict[str, Any]:
        return await self._call("GET", f"/api/sessions/{session}")

    async def log(self, session: str) -> list[dict[str, Any]]:
        """The log's JSON Lines, parsed: `{seq, hash, event}` (facilitator) or `{seq, event}`."""
        import orjson

        r = await self.http.get(f"/api/sessions/{session}/log")
        _raise_for(r)
        return [orjson.loads(line) for line in r.content.splitlines() if line.strip()]

    async def assign(self, session: str, seat: str, name: str, bot: str | None = None) -> dict:
        return await self._call(
            "POST", f"/api/sessions/{session}/seats/{seat}/assign", json={"name": name, "bot": bot}
        )

    async def free(self, session: str, seat: str) -> dict[str, Any]:
        return await self._call("POST", f"/api/sessions/{session}/seats/{seat}/free")

    async def new_link(self, session: str, seat: str) -> dict[str, Any]:
        return await self._call("POST", f"/api/sessions/{session}/seats/{seat}/link")


async def join_link(link: str, name: str | None = None) -> Seat:
    """Join the seat of a join link (`…/join/{session}/{seat}#{code}`): its token and socket."""
    parsed = JoinLink.parse(link)
    async with Rest(parsed.base) as rest:
        return await rest.join(parsed.session, parsed.code, name)
