"""Server benchmark: S sessions x K players of the tutorial against the embedded default (one
`chapter8 serve` process, SQLite, in-process fan-out), with the raw broadcast baseline of
`../shared/bench/baseline.py` measured in the same run for the ratio.

    .venv/bin/python bench/server.py --sessions 100 --players 10

Each measurement starts a fresh server (its own data folder) pinned to CPU 0 and runs the load
generator (`chapter8 load`, clients/load.py) pinned to CPU 1, as the baseline does:

- saturation: closed loop, one command in flight per session (the baseline's closed loop keeps
  64 in flight over its rooms): commands/s, messages delivered/s, and the latency of command
  sent -> `accepted` and -> its events delivered to every socket of the session;
- fixed load: open loop at `--rate` commands/s (1,000 by default): the server's CPU µs per
  command (the steadiest figure on a noisy machine) and the latency at that load;
- the baseline: `baseline.py --rooms S --players K` (one JSON line).

Every event is committed to SQLite before any client sees it (the server's design). Prints
one JSON object; `--out FILE` writes it too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT.parent / "shared" / "bench" / "baseline.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu: int, argv: list[str]) -> list[str]:
    many = (os.cpu_count() or 1) > 1
    return ["taskset", "-c", str(cpu), *argv] if shutil.which("taskset") and many else argv


class ServerProcess:
    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="chapter8-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CHAPTER8_DATA_DIR": str(self.folder / "data"),
            "CHAPTER8_PORT": str(self.port),
            **env,
        }
        self.env.pop("DATABASE_URL", None)
        self.log = open(self.folder / "server.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            pinned(0, [sys.executable, "-m", "server.cli", "serve"]),
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("the server exited: " + self.tail())
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit("the server did not start: " + self.tail())

    def tail(self) -> str:
        return (self.folder / "server.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def load(a: argparse.Namespace, extra: list[str]) -> dict:
    """One fresh server, one run of the load generator against it."""
    server = ServerProcess({"CHAPTER8_RATE_PER_S": "1000", "CHAPTER8_RATE_BURST": "1000"})
    try:
        argv = [
            sys.executable, "-m", "server.cli", "load", server.url,
            "--sessions", str(a.sessions), "--players", str(a.players),
            "--duration", str(a.seconds), "--warmup", str(a.warmup), "--seed", str(a.seed),
            "--phase-commands", str(a.phase_commands),
            "--server-pid", str(server.process.pid), "--json", *extra,
        ]  # fmt: skip
        run = subprocess.run(pinned(1, argv), cwd=ROOT, capture_output=True, text=True, timeout=600)
        lines = run.stdout.strip().splitlines()
        if not lines:
            raise SystemExit("the load generator failed: " + run.stderr[-3000:])
        return json.loads(lines[-1])
    finally:
        server.stop()


def baseline(a: argparse.Namespace) -> dict:
    run = subprocess.run(
        [
            sys.executable, str(a.baseline), "--rooms", str(a.sessions),
            "--players", str(a.players), "--seconds", str(a.baseline_seconds),
        ],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit("the baseline failed: " + run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def brief(report: dict) -> dict:
    keep = [
        "cmd_per_s",
        "msg_per_s",
        "player_msg_per_s",
        "event_deliveries_per_s",
        "accepted_ms",
        "delivered_ms",
        "server_cpu",
        "server_us_per_cmd",
        "client_cpu",
        "errors",
        "lost",
        "concluded",
        "by_type",
        "mode",
        "wall_s",
    ]
    return {k: report[k] for k in keep}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--players", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=8.0, help="measured seconds per run")
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--rate", type=float, default=1000.0, help="the fixed load, commands/s")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--phase-commands", type=int, default=150)
    ap.add_argument("--baseline", type=Path, default=BASELINE)
    ap.add_argument("--baseline-seconds", type=float, default=4.0)
    ap.add_argument("--skip", choices=["baseline", "fixed"], action="append", default=[])
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()

    result: dict = {"sessions": a.sessions, "players": a.players, "cpus": os.cpu_count()}
    result["saturation"] = brief(load(a, []))
    if "fixed" not in a.skip:
        result["fixed_load"] = brief(load(a, ["--rate", str(a.rate)]))
    if "baseline" not in a.skip:
        base = baseline(a)
        result["baseline"] = base
        sat = result["saturation"]
        # The baseline counts every frame to a room's K players (one event each per command);
        # the like figure here is the frames to the K players (events and replies), without
        # the facilitator's extra socket. Both are given.
        result["ratio_msg_per_s"] = round(sat["player_msg_per_s"] / base["sat_msg_per_s"], 3)
        result["ratio_msg_per_s_all_sockets"] = round(sat["msg_per_s"] / base["sat_msg_per_s"], 3)
        result["ratio_cmd_per_s"] = round(sat["cmd_per_s"] / base["sat_cmd_per_s"], 3)
    text = json.dumps(result, indent=2)
    print(text)
    if a.out:
        a.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
