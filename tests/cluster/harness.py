"""The deployed topology on one machine: N `chapter8 serve` processes on loopback sharing a
fresh PostgreSQL database and the machine's Redis, behind nginx running deploy/nginx/nginx.conf
with loopback upstreams; and the machine's own PostgreSQL and Redis stopped and started again
for the fault tests. A missing nginx, PostgreSQL or Redis fails the run: nothing skips."""

from __future__ import annotations

import asyncio
import getpass
import os
import re
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import redis

from tests.game.tiny import tiny
from tests.server.conftest import write_scenarios
from tests.server.harness import ROOT, Client, Database, Server, free_port

REDIS_URL = os.environ.get("CHAPTER8_TEST_REDIS", "redis://127.0.0.1:6379/0")
NGINX_CONF = ROOT / "deploy" / "nginx" / "nginx.conf"
UPSTREAM_LINE = "server server:8000 max_fails=0;"


# --- nginx --------------------------------------------------------------------------------------


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    assert found, "nginx is not installed: scripts/services.sh installs Debian's nginx"
    return found


def render_nginx(text: str, upstreams: list[int], port: int, static: Path) -> str:
    """deploy/nginx/nginx.conf as the tests run it: the replicas on loopback ports instead of
    Docker's `server`, a loopback port instead of 80, and the checkout's static/ folder. Every
    other line is the deployed file's."""
    replacements = [
        (
            UPSTREAM_LINE,
            "\n        ".join(
                UPSTREAM_LINE.replace("server:8000", f"127.0.0.1:{p}") for p in upstreams
            ),
        ),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("alias /srv/chapter8/static/;", f"alias {static}/;"),
    ]
    for old, new in replacements:
        assert text.count(old) == 1, f"deploy/nginx/nginx.conf no longer has {old!r} once"
        text = text.replace(old, new)
    return text


class Proxy:
    """nginx in the foreground (a child process), with its own prefix folder."""

    def __init__(self, folder: Path, upstreams: list[int], static: Path = ROOT / "static") -> None:
        self.prefix = folder
        self.prefix.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(render_nginx(NGINX_CONF.read_text(), upstreams, self.port, static))
        self.process: subprocess.Popen[bytes] | None = None

    def command(self, *extra: str) -> list[str]:
        return [
            nginx_binary(),
            "-p",
            str(self.prefix),
            "-c",
            str(self.conf),
            "-e",
            "stderr",
            "-g",
            # Workers as this user (the deployed file names none): they read the test's files.
            f"daemon off; pid {self.prefix}/nginx.pid; user {getpass.getuser()};",
            *extra,
        ]

    def start(self) -> None:
        log = open(self.prefix / "nginx.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.log()}")
            try:
                if httpx.get(f"{self.base}/proxy-health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not start: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log(self) -> str:
        return (self.prefix / "nginx.log").read_text(errors="replace")


class Endpoint:
    """Where clients go (the proxy, or one process directly), with the REST helpers of the
    server tests' `Server`."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.ws_base = "ws" + base[len("http") :]

    http = Server.http
    create = Server.create
    join = Server.join
    summary = Server.summary


# --- the cluster --------------------------------------------------------------------------------


class Cluster:
    """`n` server processes on one fresh database and the machine's Redis, behind nginx."""

    def __init__(
        self,
        folder: Path,
        n: int = 3,
        env: dict[str, str] | None = None,
        only: dict[int, dict[str, str]] | None = None,
    ) -> None:
        self.folder = folder
        self.db = Database()
        scenarios = write_scenarios(folder / "scenarios")
        write_brisk(scenarios)
        base_env = {
            "REDIS_URL": REDIS_URL,
            "CHAPTER8_RATE_PER_S": "500",
            "CHAPTER8_RATE_BURST": "1000",
            **(env or {}),
        }
        self.servers: list[Server] = []
        for i in range(n):
            where = folder / f"p{i}"
            where.mkdir(parents=True, exist_ok=True)
            own = {**base_env, **(only or {}).get(i, {})}
            self.servers.append(Server(where, scenarios, self.db.url, own))
        self.proxy = Proxy(folder / "nginx", [s.port for s in self.servers])
        for server in self.servers:
            server.env["CHAPTER8_PUBLIC_URL"] = self.proxy.base
        self.via = Endpoint(self.proxy.base)

    def start(self) -> Cluster:
        # As docker-compose.yml does: migrate once, then start every server.
        done = self.servers[0].cli("migrate")
        assert done.returncode == 0, done.stderr.decode()
        with ThreadPoolExecutor(len(self.servers)) as pool:
            list(pool.map(lambda s: s.start(), self.servers))
        self.proxy.start()
        return self

    def close(self) -> None:
        self.proxy.stop()
        for server in self.servers:
            server.stop()
        self.db.drop()

    def direct(self, i: int) -> Endpoint:
        return Endpoint(self.servers[i].base)

    def metric(self, i: int, name: str) -> float:
        """A metric of process `i`, read from it directly (not through the proxy)."""
        text = httpx.get(f"{self.servers[i].base}/metrics", timeout=5).text
        found = re.search(rf"^{name} (\S+)$", text, re.M)
        return float(found.group(1)) if found else 0.0

    def alive(self) -> list[int]:
        return [i for i, s in enumerate(self.servers) if s.process and s.process.poll() is None]


def write_brisk(folder: Path) -> None:
    """`brisk`: tiny with a 4-second briefing and 4-second consultations, for clocks."""
    base = tiny()
    phases = [p.model_dump() for p in base.rounds.phases]
    phases[0]["duration_s"] = 4
    phases[1]["duration_s"] = 4
    brisk = tiny(id="brisk", rounds={**base.rounds.model_dump(), "phases": phases})
    (folder / "brisk.json").write_text(brisk.model_dump_json())


# --- the machine's PostgreSQL and Redis ------------------------------------------------------


def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v))
    assert versions, "no PostgreSQL cluster in /etc/postgresql"
    return versions[-1]


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", action],
        check=True,
        capture_output=True,
        timeout=60,
    )


def pg_ready(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError("PostgreSQL did not come back")


def pg_start() -> None:
    """Start the machine's PostgreSQL (as it starts before every session) if it is down."""
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode != 0:
        pg_ctl("start")
    pg_ready()


def _redis() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def redis_pid() -> int:
    return int(_redis().info("server")["process_id"])


def redis_up() -> bool:
    try:
        return bool(_redis().ping())
    except redis.RedisError:
        return False


def redis_stop() -> None:
    """Stop the machine's Redis by its PID, and wait until it is gone."""
    pid = redis_pid()
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not redis_up()


def redis_start() -> None:
    """Start the machine's Redis with the machine's own command, if it is not running."""
    if redis_up():
        return
    port = str(urlparse(REDIS_URL).port or 6379)
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            port,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ],
        check=True,
        timeout=30,
    )
    deadline = time.monotonic() + 10
    while not redis_up():
        assert time.monotonic() < deadline, "Redis did not come back"
        time.sleep(0.05)


# --- players ------------------------------------------------------------------------------------


async def connect(endpoint: Any, session: str, token: str, since: int | None = None) -> Client:
    """A player's connection; without `since` it returns once it holds its snapshot."""
    client = await Client.open(endpoint, session, token, since=since)
    if since is None:
        await client.until(lambda m: m["type"] == "snapshot")
    return client


async def wait_for(predicate: Any, timeout: float = 10, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(every)
