"""Cluster benchmark: one server process against two behind nginx, on PostgreSQL and Redis,
side by side in one run.

    .venv/bin/python bench/cluster.py [--sessions 40] [--players 8] [--seconds 8] [--rate 250]

The topology is tests/cluster/'s (`chapter8 serve` processes on loopback, a fresh PostgreSQL
database, the machine's Redis, nginx running deploy/nginx/nginx.conf with loopback upstreams).
Four set-ups, each on a fresh database and fresh processes:

- `1 direct`: one process, clients straight to it;
- `1 proxied`: the same behind nginx (what the proxy costs);
- `2 proxied`: two processes behind nginx, round robin, as deployed: a session's players land
  on both processes, so each commit is also read back by the other process (the fan-out);
- `2 by session`: two processes behind nginx hashing the session id in the URL (`hash
  ... consistent`), so a session's players share one process and nobody reads anything back;
  correctness does not depend on it (a variant of the deployed file, for sizing). The process
  that created a session (round robin) hands its clock to the one its players are on once it
  has been idle for `CHAPTER8_IDLE_S`, set to 2 s here (1 minute by default) so that it
  happens within the warm-up.

For each, the load generator (clients/load.py, `chapter8 load`) runs S tutorial sessions x K
players in this process: saturation (closed loop, one command in flight per session:
commands/s, latency p50/p99 of command sent -> its events delivered to every socket), then a
fixed offered load (open loop, `--rate` commands/s: the latency there, and the CPU each
component spends per command: the server processes, nginx, this database's PostgreSQL
backends, Redis and the generator). Prints one JSON object; `--out FILE` writes it too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clients.load import LoadConfig, LoadGenerator  # noqa: E402
from tests.cluster.harness import Cluster  # noqa: E402
from tests.server.harness import PG_ADMIN  # noqa: E402

AFFINITY_MAP = """
    # Sizing variant: every request naming a session goes to the same replica.
    map $uri $chapter8_session {
        ~^/(?:ws|api)/sessions/(?<sid>[^/]+) $sid;
        default "";
    }
"""


class Measured(LoadGenerator):
    """The load generator, also reading the CPU time of every component over its window."""

    def __init__(self, config: LoadConfig, parts: dict[str, list[psutil.Process]], db: str):
        super().__init__(config)
        self.parts = parts
        self.db = db
        self.cpu: dict[str, float] = {}

    def _sample(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for name, procs in self.parts.items():
            total = 0.0
            for proc in procs:
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += sum(proc.cpu_times()[:2])
            totals[name] = total
        return totals

    def _begin(self, procs: list[Any]) -> tuple[int, list[float]]:
        # This database's backends, as they are once every session is connected.
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            pids = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.db,)
                )
            ]
        self.parts["postgres"] = [psutil.Process(p) for p in pids if psutil.pid_exists(p)]
        self._cpu0 = self._sample()
        self._wall0 = time.perf_counter()
        return super()._begin(procs)

    def _end(self, t0: int, cpu0: list[float], procs: list[Any], setup_s: float) -> Any:
        report = super()._end(t0, cpu0, procs, setup_s)
        wall = time.perf_counter() - self._wall0
        cpu1 = self._sample()
        commands = max(1, report.commands)
        self.cpu = {
            name: round((cpu1[name] - self._cpu0.get(name, 0.0)) / commands * 1e6) for name in cpu1
        }
        busy = sum(cpu1[n] - self._cpu0.get(n, 0.0) for n in cpu1)
        self.cpu["cores_busy"] = round(busy / wall, 2)
        return report


def redis_process() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] == "redis-server"]


def setups(a: argparse.Namespace) -> list[tuple[str, int, bool, bool]]:
    """(name, processes, through the proxy, hashed by session)."""
    every = [
        ("1 direct", 1, False, False),
        ("1 proxied", 1, True, False),
        ("2 proxied", 2, True, False),
        ("2 by session", 2, True, True),
    ]
    return [s for s in every if s[0] in a.only] if a.only else every


async def measure(cluster: Cluster, url: str, a: argparse.Namespace, rate: float | None) -> dict:
    parts = {
        f"server{i}": [psutil.Process(s.process.pid)]  # type: ignore[union-attr]
        for i, s in enumerate(cluster.servers)
    }
    nginx = psutil.Process(cluster.proxy.process.pid)  # type: ignore[union-attr]
    parts["nginx"] = [nginx, *nginx.children()]
    parts["redis"] = redis_process()
    parts["generator"] = [psutil.Process(os.getpid())]
    config = LoadConfig(
        url=url,
        sessions=a.sessions,
        players=a.players,
        duration=a.seconds,
        warmup=a.warmup,
        seed=a.seed,
        rate=rate,
        phase_commands=a.phase_commands,
    )
    generator = Measured(config, parts, cluster.db.name)
    report = await generator.run()
    servers = sum(v for k, v in generator.cpu.items() if k.startswith("server"))
    return {
        "cmd_per_s": round(report.cmd_per_s),
        "msg_per_s": round(report.msg_per_s),
        "delivered_ms": report.delivered_ms,
        "accepted_ms": report.accepted_ms,
        "cpu_us_per_cmd": {**generator.cpu, "servers": servers},
        "errors": report.errors,
        "lost": report.lost,
        "commands": report.commands,
    }


def run(job: Any) -> Any:
    """On uvloop, as the load generator's own command runs."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(job)
    return uvloop.run(job)


def run_setup(name: str, n: int, proxied: bool, hashed: bool, a: argparse.Namespace) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="chapter8-cluster-bench-"))
    env = {
        "CHAPTER8_RATE_PER_S": "1000",
        "CHAPTER8_RATE_BURST": "1000",
        # A process lets go of a session nobody uses there (and hands its clock to where the
        # players are) within the warm-up, not after the default minute.
        "CHAPTER8_IDLE_S": "2",
        "CHAPTER8_CATCHUP_S": "1",
    }
    cluster = Cluster(folder, n, env)
    if hashed:
        conf = cluster.proxy.conf.read_text()
        conf = conf.replace(
            "zone chapter8 64k;", "zone chapter8 64k;\n        hash $chapter8_session consistent;"
        )
        conf = conf.replace("    upstream chapter8 {", AFFINITY_MAP + "\n    upstream chapter8 {")
        cluster.proxy.conf.write_text(conf)
    cluster.start()
    try:
        url = cluster.proxy.base if proxied else cluster.servers[0].base
        result = {"processes": n, "proxy": proxied, "by_session": hashed}
        result["saturation"] = run(measure(cluster, url, a, None))
        if a.rate:
            result["fixed"] = run(measure(cluster, url, a, a.rate))
        result["clashes"] = sum(cluster.metric(i, "chapter8_clashes_total") for i in range(n))
        result["catch_ups"] = sum(cluster.metric(i, "chapter8_catch_ups_total") for i in range(n))
        return result
    finally:
        cluster.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--players", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=8.0, help="measured seconds per run")
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--rate", type=float, default=250.0, help="the fixed load; 0: none")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--phase-commands", type=int, default=150)
    ap.add_argument("--only", action="append", help="run only this set-up (repeatable)")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()

    started = time.time()
    result: dict[str, Any] = {
        "sessions": a.sessions,
        "players": a.players,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
    }
    for name, n, proxied, hashed in setups(a):
        print(f"{name} ...", file=sys.stderr, flush=True)
        result[name] = run_setup(name, n, proxied, hashed, a)
    result["load_average_after"] = os.getloadavg()
    result["seconds"] = round(time.time() - started)
    text = json.dumps(result, indent=2)
    print(text)
    if a.out:
        a.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
