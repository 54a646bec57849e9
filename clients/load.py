"""The load generator: S sessions of a scenario, K players each, over real websockets.

    chapter8 load --sessions 100 --players 10 --duration 10 http://127.0.0.1:8000

It creates the sessions over REST, joins K players per session through the join links (K
above the number of seats puts several devices on one seat, which the protocol allows), and
connects each player and the session's facilitator with a bare websocket client
(`clients.wire`). The facilitator starts each session; then every session plays legal
commands: talk on the open channels, drafts and private channels in consultations, formal
moves by the team that holds the floor, votes, and the facilitator's `advance` after
`--phase-commands` commands in a phase (or at once when nobody has a move). Commands are
drawn with `game.sampling` and checked with `engine.decide` against the session's state,
which the generator folds from the facilitator's events (one fold per session, not per
player); a command is sent by one of its team's connections in turn.

Two ways to offer load:
- closed loop (the default): each session keeps `--window` commands in flight (1: the next
  is chosen once the last one's events reached everyone, so every command is legal when
  sent);
- open loop (`--rate R`): R commands/s in all, round-robin over the sessions that are free.

It reports, over the measured window after `--warmup`: latency p50/p99/max of command sent →
`accepted`, and command sent → its events delivered to ALL the session's connections (each
has received an `events` message whose `last` covers the command's last seq); commands/s;
messages delivered/s (every frame each connection received, and the `events` entries in
them); and every error by code (rejections, close codes, failed upgrades, commands never
answered). Per message it costs an orjson parse and a few dictionary operations; pydantic
only validates the facilitator's events, once per session.
"""

from __future__ import annotations

import asyncio
import heapq
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import orjson

from clients.rest import websocket_url
from clients.wire import WireConnection
from game import engine
from game.commands import Actor, Advance, Command, Say, Start
from game.errors import Rejected as EngineRejected
from game.events import EVENT_ADAPTER
from game.moves.context import phase_actors
from game.sampling import random_command, random_words
from game.state import SessionState
from game.views import View

now_ns = time.perf_counter_ns


@dataclass
class LoadConfig:
    url: str
    sessions: int = 2
    players: int = 3
    duration: float = 10.0
    warmup: float = 2.0
    seed: int = 1
    scenario: str = "tutorial"
    window: int = 1
    rate: float | None = None
    """Open loop: commands/s offered in all. None: closed loop with `window` per session."""
    phase_commands: int = 100
    server_pid: int | None = None
    """The server's process, to report its CPU time per command (same machine only)."""
    drain_s: float = 10.0


@dataclass
class Report:
    sessions: int
    players: int
    connections: int
    mode: str
    offered_rate: float | None
    wall_s: float
    commands: int
    cmd_per_s: float
    msg_per_s: float
    player_msg_per_s: float
    event_deliveries_per_s: float
    accepted_ms: dict[str, float | None]
    delivered_ms: dict[str, float | None]
    by_type: dict[str, int]
    errors: dict[str, int]
    lost: int
    concluded: int
    server_cpu: float | None = None
    server_us_per_cmd: float | None = None
    client_cpu: float | None = None
    setup_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        a, d = self.accepted_ms, self.delivered_ms
        lines = [
            f"{self.sessions} sessions x {self.players} players ({self.connections} sockets), "
            f"{self.mode}, {self.wall_s:.1f} s measured",
            f"commands      {self.commands} ({self.cmd_per_s:.0f}/s)  "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.by_type.items())),
            f"messages/s    {self.msg_per_s:.0f} frames ({self.player_msg_per_s:.0f} to players),"
            f" {self.event_deliveries_per_s:.0f} events delivered",
            f"accepted      p50 {_ms(a['p50'])}  p99 {_ms(a['p99'])}  max {_ms(a['max'])}",
            f"all delivered p50 {_ms(d['p50'])}  p99 {_ms(d['p99'])}  max {_ms(d['max'])}",
        ]
        if self.server_us_per_cmd is not None:
            lines.append(
                f"server CPU    {self.server_cpu:.2f} cores, "
                f"{self.server_us_per_cmd:.0f} µs/command"
            )
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        lines.append(f"errors        {errors}; lost {self.lost}; concluded {self.concluded}")
        return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def percentiles(values: list[int]) -> dict[str, float | None]:
    """p50/p99/max of nanosecond samples, in milliseconds."""
    if not values:
        return {"n": 0, "p50": None, "p99": None, "max": None}
    s = sorted(values)

    def at(p: float) -> float:
        k = (len(s) - 1) * p
        f = int(k)
        c = min(f + 1, len(s) - 1)
        return (s[f] + (s[c] - s[f]) * (k - f)) / 1e6

    return {"n": len(s), "p50": at(0.50), "p99": at(0.99), "max": s[-1] / 1e6}


@dataclass
class _Flight:
    cid: str
    kind: str
    t0: int
    recorded: bool
    target: int = 0


@dataclass
class _Player:
    seat: str | None
    team: str | None
    key: str
    conn: WireConnection | None = None
    last: int = 0


class _Stats:
    def __init__(self) -> None:
        self.recording = False
        self.accepted: list[int] = []
        self.delivered: list[int] = []
        self.frames = 0
        self.player_frames = 0
        self.event_deliveries = 0
        self.commands = 0
        self.by_type: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()


class _Session:
    """One session: its facilitator (whose events the generator folds), its players, and the
    commands in flight."""

    def __init__(self, gen: LoadGenerator, created: dict[str, Any], rng: random.Random) -> None:
        self.gen = gen
        self.id: str = created["session"]
        self.created = created
        self.rng = rng
        self.fac = _Player(seat=None, team=None, key="facilitator")
        self.players: list[_Player] = []
        self.by_team: dict[str, list[_Player]] = {}
        self.turn: dict[str, int] = {}
        self.state: SessionState | None = None
        self.seq = 0
        self.flights: dict[str, _Flight] = {}
        self.waiting: list[tuple[int, int, _Flight]] = []
        self.in_phase = 0
        self.phase_key: tuple[int, int | None] | None = None
        self.n = 0
        self.concluded = False
        self.stopped = False
        self.ready = asyncio.Event()

    @property
    def everyone(self) -> list[_Player]:
        return [self.fac, *self.players]

    # --- incoming -----------------------------------------------------------------------------

    def on_message(self, player: _Player, payload: bytes) -> None:
        gen = self.gen
        stats = gen.stats
        message = orjson.loads(payload)
        kind = message.get("type")
        if stats.recording:
            stats.frames += 1
            if player is not self.fac:
                stats.player_frames += 1
        if kind == "events":
            if stats.recording:
                stats.event_deliveries += len(message["events"])
            if message["first"] != player.last + 1:
                stats.errors["gap"] += 1
            player.last = message["last"]
            if player is self.fac:
                self._fold(message)
            if self.waiting:
                self._settle()
        elif kind == "accepted" or kind == "rejected":
            self._reply(message)
        elif kind == "snapshot":
            player.last = message["seq"]
            if player is self.fac:
                self.state = View.model_validate(message["view"]).state
                self.seq = message["seq"]
            if all(p.last for p in self.everyone):
                self.ready.set()

    def _fold(self, message: dict[str, Any]) -> None:
        state = self.state
        if state is None:
            return
        for body in message["events"]:
            if body["seq"] > state.seq:
                engine.evolve(state, EVENT_ADAPTER.validate_python(body), strict=False)
        self.seq = message["last"]
        if state.status == "concluded" and not self.concluded:
            self.concluded = True
            self.gen.concluded += 1

    def _reply(self, message: dict[str, Any]) -> None:
        flight = self.flights.pop(message.get("id") or "", None)
        stats = self.gen.stats
        if flight is None:
            stats.errors[str(message.get("code", "unmatched reply"))] += 1
            return
        t = now_ns()
        if message["type"] == "rejected":
            stats.errors[message["code"]] += 1
            self._done(flight)
            return
        if flight.recorded:
            stats.accepted.append(t - flight.t0)
        seqs = message["seqs"]
        flight.target = max(seqs) if seqs else 0
        if self._floor() >= flight.target:
            self._complete(flight, t)
        else:
            heapq.heappush(self.waiting, (flight.target, flight.t0, flight))

    def _floor(self) -> int:
        return min(p.last for p in self.everyone)

    def _settle(self) -> None:
        floor = self._floor()
        waiting = self.waiting
        t = now_ns()
        while waiting and waiting[0][0] <= floor:
            self._complete(heapq.heappop(waiting)[2], t)

    def _complete(self, flight: _Flight, t: int) -> None:
        stats = self.gen.stats
        if flight.recorded:
            stats.delivered.append(t - flight.t0)
            stats.commands += 1
            stats.by_type[flight.kind] += 1
        self._done(flight)

    def _done(self, flight: _Flight) -> None:
        if self.gen.closed_loop and not self.stopped:
            self.next()

    # --- outgoing -----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self.flights) or bool(self.waiting)

    def send(self, player: _Player, command: Command) -> None:
        self.n += 1
        cid = f"L{self.n}"
        flight = _Flight(cid, command.type, now_ns(), self.gen.stats.recording)
        self.flights[cid] = flight
        self.in_phase += 1
        body = {"type": "command", "id": cid, "command": command.model_dump(mode="json")}
        assert player.conn is not None
        player.conn.send(orjson.dumps(body))

    def next(self) -> bool:
        """Send the session's next legal command; False when it has none (concluded)."""
        if self.concluded or self.stopped:
            return False
        choice = self.choose()
        if choice is None:
            return False
        self.send(*choice)
        return True

    def choose(self) -> tuple[_Player, Command] | None:
        state = self.state
        if state is None or state.status == "concluded":
            return None
        if state.status == "lobby":
            return self.fac, Start()
        if state.status == "paused":
            return None
        key = (state.round, state.phase)
        if key != self.phase_key:
            self.phase_key, self.in_phase = key, 0
        phase = state.scenario.rounds.phases[state.phase] if state.phase is not None else None
        if phase is None or self.in_phase >= self.gen.config.phase_commands:
            return self.fac, Advance()
        at = int(time.time() * 1000)
        rng = self.rng
        teams = phase_actors(state) if state.phase_open else []
        for team in rng.sample(teams, len(teams)):
            players = self.by_team.get(team)
            if not players:
                continue
            i = self.turn.get(team, 0)
            self.turn[team] = i + 1
            player = players[i % len(players)]
            actor = Actor(role="seat", team=team, seat=player.seat)
            for _ in range(3):
                command = self._talk(state, team) if phase.kind == "consultations" else None
                if command is None or rng.random() < 0.5:
                    command = random_command(state, team, rng)
                if command is None:
                    break
                try:
                    engine.decide(state, command, actor, at)
                except EngineRejected:
                    continue
                return player, command
        return self.fac, Advance()

    def _talk(self, state: SessionState, team: str) -> Command | None:
        channels = ["floor", "team"] + [
            c.id for c in state.channels.values() if c.kind == "private" and team in c.teams
        ]
        return Say(channel=self.rng.choice(channels), text=random_words(self.rng, 8))


class LoadGenerator:
    def __init__(self, config: LoadConfig) -> None:
        self.config = config
        self.stats = _Stats()
        self.sessions: list[_Session] = []
        self.closed_loop = config.rate is None
        self.concluded = 0
        self.lost_connections: Counter[str] = Counter()
        self.rng = random.Random(config.seed)

    # --- setting up ---------------------------------------------------------------------------

    async def setup(self) -> None:
        c = self.config
        base = c.url.rstrip("/")
        limits = httpx.Limits(max_connections=16)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
            gate = asyncio.Semaphore(16)

            async def create(n: int) -> _Session:
                async with gate:
                    r = await http.post(
                        "/api/sessions",
                        json={"scenario": c.scenario, "title": f"load {n}", "seed": c.seed + n},
                    )
                r.raise_for_status()
                return _Session(self, r.json(), random.Random(c.seed * 1_000_003 + n))

            self.sessions = list(await asyncio.gather(*(create(n) for n in range(c.sessions))))

            async def join(session: _Session, k: int) -> _Player:
                # One seat of every team first, then the teams' second seats, and so on.
                links = sorted(
                    session.created["join_links"],
                    key=lambda link: (int(link["seat"].rsplit(".", 1)[-1]), link["seat"]),
                )
                link = links[k % len(links)]
                async with gate:
                    r = await http.post(
                        f"/api/sessions/{session.id}/join",
                        json={"code": link["code"], "name": f"Load {link['seat']}"},
                    )
                r.raise_for_status()
                body = r.json()
                player = _Player(seat=body["seat"], team=body["team"], key=body["token"])
                return player

            for session in self.sessions:
                session.players = list(
                    await asyncio.gather(*(join(session, k) for k in range(c.players)))
                )
                for player in session.players:
                    assert player.team is not None
                    session.by_team.setdefault(player.team, []).append(player)

        gate = asyncio.Semaphore(64)

        async def connect(session: _Session, player: _Player, token: str) -> None:
            url = websocket_url(base, session.id)
            async with gate:
                player.conn = await WireConnection.connect(
                    url,
                    token,
                    lambda conn, payload: session.on_message(player, payload),
                    on_close=self._on_close,
                    tag=(session, player),
                )

        jobs = []
        for session in self.sessions:
            jobs.append(connect(session, session.fac, session.created["facilitator_token"]))
            jobs += [connect(session, p, p.key) for p in session.players]
        await asyncio.gather(*jobs)
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in self.sessions)), 120)

    def _on_close(self, conn: WireConnection) -> None:
        session, _player = conn.tag
        if not session.stopped:
            self.stats.errors[f"closed_{conn.close_code or 'abnormal'}"] += 1

    # --- running ------------------------------------------------------------------------------

    async def run(self) -> Report:
        c = self.config
        t_setup = time.perf_counter()
        await self.setup()
        setup_s = time.perf_counter() - t_setup
        procs = _processes(c.server_pid)
        if self.closed_loop:
            for session in self.sessions:
                for _ in range(max(1, c.window)):
                    session.next()
            await asyncio.sleep(c.warmup)
            t0, cpu0 = self._begin(procs)
            await asyncio.sleep(c.duration)
        else:
            assert c.rate is not None
            await self._open_loop(c.rate, c.warmup)
            t0, cpu0 = self._begin(procs)
            await self._open_loop(c.rate, c.duration)
        report = self._end(t0, cpu0, procs, setup_s)
        await self._drain(report)
        return report

    async def _open_loop(self, rate: float, duration: float) -> None:
        interval = 1e9 / rate
        start = now_ns()
        end = start + int(duration * 1e9)
        k = 0
        rr = 0
        sessions = self.sessions
        while True:
            t = now_ns()
            if t >= end:
                return
            due = int((t - start) / interval) + 1
            while k < due:
                k += 1
                for _ in range(len(sessions)):
                    session = sessions[rr]
                    rr = (rr + 1) % len(sessions)
                    if not session.busy and session.next():
                        break
                else:
                    self.stats.errors["open_loop_skipped"] += 1
            await asyncio.sleep(max((start + k * interval - now_ns()) / 1e9, 0.0005))

    def _begin(self, procs: list[Any]) -> tuple[int, list[float]]:
        errors = self.stats.errors
        self.stats = stats = _Stats()
        stats.errors = errors
        stats.recording = True
        return now_ns(), [sum(p.cpu_times()[:2]) for p in procs]

    def _end(self, t0: int, cpu0: list[float], procs: list[Any], setup_s: float) -> Report:
        stats = self.stats
        stats.recording = False
        wall = (now_ns() - t0) / 1e9
        cpu = [(sum(p.cpu_times()[:2]) - c) / wall for p, c in zip(procs, cpu0, strict=True)]
        c = self.config
        report = Report(
            sessions=c.sessions,
            players=c.players,
            connections=c.sessions * (c.players + 1),
            mode=f"closed loop, window {c.window} per session"
            if self.closed_loop
            else f"open loop, {c.rate:.0f} commands/s offered",
            offered_rate=c.rate,
            wall_s=wall,
            commands=stats.commands,
            cmd_per_s=stats.commands / wall,
            msg_per_s=stats.frames / wall,
            player_msg_per_s=stats.player_frames / wall,
            event_deliveries_per_s=stats.event_deliveries / wall,
            accepted_ms=percentiles(stats.accepted),
            delivered_ms=percentiles(stats.delivered),
            by_type=dict(stats.by_type),
            errors=dict(stats.errors),
            lost=0,
            concluded=self.concluded,
            setup_s=setup_s,
        )
        if procs:
            report.client_cpu = cpu[-1]
            if len(procs) > 1:
                report.server_cpu = cpu[0]
                if stats.commands:
                    report.server_us_per_cmd = cpu[0] * wall / stats.commands * 1e6
        return report

    async def _drain(self, report: Report) -> None:
        """Stop sending, wait for what is in flight, and close every socket."""
        for session in self.sessions:
            session.stopped = True
        deadline = time.monotonic() + self.config.drain_s
        while time.monotonic() < deadline and any(s.busy for s in self.sessions):
            await asyncio.sleep(0.02)
        report.lost = sum(len(s.flights) + len(s.waiting) for s in self.sessions)
        report.errors = dict(self.stats.errors)
        for session in self.sessions:
            for player in session.everyone:
                if player.conn is not None:
                    player.conn.close()
        await asyncio.sleep(0.1)


def _processes(server_pid: int | None) -> list[Any]:
    try:
        import os

        import psutil
    except ImportError:
        return []
    procs = [psutil.Process(server_pid)] if server_pid else []
    return [*procs, psutil.Process(os.getpid())]


async def run_load(config: LoadConfig) -> Report:
    return await LoadGenerator(config).run()


def main(config: LoadConfig) -> Report:
    """Run on uvloop when it is installed (as the baseline's generator does)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run_load(config))
    return uvloop.run(run_load(config))
