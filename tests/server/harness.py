"""A real server process on loopback, and real websocket clients, for the server's tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = os.environ.get("CHAPTER8_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A fresh PostgreSQL database for one test module, dropped afterwards. A missing
    PostgreSQL fails the run: it never skips."""

    def __init__(self) -> None:
        self.name = f"chapter8_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        self.url = f"{base}/{self.name}"

    def drop(self) -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Server:
    """`chapter8 serve` in a subprocess, with its own data folder (or database)."""

    def __init__(
        self, folder: Path, scenarios: Path, database_url: str | None, env: dict[str, str]
    ) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CHAPTER8_SCENARIOS_DIR": str(scenarios),
            "CHAPTER8_DATA_DIR": str(folder / "data"),
            **env,
        }
        self.env.pop("DATABASE_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.database_url = database_url
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.folder / f"server-{self.starts}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli_server", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log()}")

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, nothing but what was committed."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log(self) -> str:
        return (self.folder / f"server-{self.starts}.log").read_text(errors="replace")

    def cli(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "server.cli_server", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            timeout=60,
        )

    # --- REST -------------------------------------------------------------------------------

    def http(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.base, headers=headers, timeout=10)

    async def create(self, scenario: str = "tiny", **body: Any) -> dict[str, Any]:
        async with self.http() as h:
            r = await h.post("/api/sessions", json={"scenario": scenario, **body})
            assert r.status_code == 201, r.text
            return r.json()

    async def join(self, session: str, code: str, name: str | None = None) -> dict[str, Any]:
        async with self.http() as h:
            r = await h.post(f"/api/sessions/{session}/join", json={"code": code, "name": name})
            assert r.status_code == 200, r.text
            return r.json()

    async def summary(self, session: str, token: str) -> dict[str, Any]:
        async with self.http(token) as h:
            r = await h.get(f"/api/sessions/{session}")
            assert r.status_code == 200, r.text
            return r.json()


class Client:
    """A websocket client that keeps what it received and checks `seq` continuity."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.raw: list[str] = []
        self.seq = 0
        self.events: list[dict[str, Any]] = []
        self.event_seqs: list[int] = []
        self.view: dict[str, Any] | None = None
        self.replies: dict[str, dict[str, Any]] = {}
        self.gaps: list[tuple[int, int]] = []
        self.welcome: dict[str, Any] | None = None
        self._n = 0

    @classmethod
    async def open(
        cls,
        server: Server,
        session: str,
        token: str | None,
        *,
        since: int | None = None,
        browser: bool = False,
        origin: str | None = None,
        **kwargs: Any,
    ) -> Client:
        url = f"{server.ws_base}/ws/sessions/{session}"
        if since is not None:
            url += f"?since={since}"
        headers: dict[str, str] = {}
        protocols = None
        if token and browser:
            protocols = ["chapter8.v1", f"bearer.{token}"]
        elif token:
            headers["Authorization"] = f"Bearer {token}"
        ws = await connect(
            url,
            additional_headers=headers,
            subprotocols=protocols,  # type: ignore[arg-type]
            origin=origin,  # type: ignore[arg-type]
            compression=None,
            open_timeout=10,
            **kwargs,
        )
        client = cls(ws)
        client.seq = since or 0
        client.welcome = await client.until(lambda m: m["type"] == "welcome")
        return client

    async def recv(self, timeout: float = 10) -> dict[str, Any]:
        text = await asyncio.wait_for(self.ws.recv(), timeout)
        assert isinstance(text, str), "the server sends text frames"
        self.raw.append(text)
        message = orjson.loads(text)
        self._track(message)
        return message

    def _track(self, m: dict[str, Any]) -> None:
        if m["type"] == "snapshot":
            self.seq = m["seq"]
            self.view = m["view"]
        elif m["type"] == "events":
            if m["first"] != self.seq + 1:
                self.gaps.append((self.seq, m["first"]))
            self.seq = m["last"]
            self.events += m["events"]
            self.event_seqs += [e["seq"] for e in m["events"]]
        elif m["type"] in ("accepted", "rejected") and m.get("id"):
            self.replies[m["id"]] = m

    async def until(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10
    ) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            message = await self.recv(max(0.01, left))
            if predicate(message):
                return message

    async def send(self, message: dict[str, Any] | str | bytes) -> None:
        if isinstance(message, dict):
            message = orjson.dumps(message).decode()
        await self.ws.send(message)

    async def do(self, command: dict[str, Any], cid: str | None = None) -> dict[str, Any]:
        """Send a command and wait for its reply (and, if accepted, for its events)."""
        if cid is None:
            self._n += 1
            cid = f"c{self._n}-{uuid.uuid4().hex[:6]}"
        await self.send({"protocol": 1, "type": "command", "id": cid, "command": command})
        reply = await self.until(lambda m: m.get("id") == cid)
        if reply["type"] == "accepted" and reply["seqs"]:
            await self.caught_up(max(reply["seqs"]))
        return reply

    async def ok(self, command: dict[str, Any], cid: str | None = None) -> dict[str, Any]:
        reply = await self.do(command, cid)
        assert reply["type"] == "accepted", reply
        return reply

    async def caught_up(self, seq: int, timeout: float = 10) -> None:
        while self.seq < seq:
            await self.recv(timeout)

    async def drain(self, quiet: float = 0.3) -> None:
        """Read until nothing arrives for `quiet` seconds."""
        while True:
            try:
                await self.recv(quiet)
            except TimeoutError:
                return

    async def close(self) -> None:
        await self.ws.close()
