"""Engine benchmark: decide+evolve time per command, and replay speed of a long log.

    .venv/bin/python bench/engine.py [--scenario darfur_2004] [--events 100000] [--seed 1]

Plays one long seeded random session of the scenario (rounds raised to the format's maximum,
phases advanced by the driver after a phase's worth of commands) until its log holds
`--events` events, timing every `engine.apply`; then replays the log from parsed events and
from JSON lines. Times are the CPU time of this thread, which a shared machine's other load
disturbs far less than wall time; the engine is single-threaded, so this is one core's work.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path

import yaml

from game import engine
from game.commands import FACILITATOR, Actor, Advance, Start
from game.events import EVENT_ADAPTER
from game.hashing import state_hash
from game.sampling import random_command
from game.scenario.model import Scenario

ROOT = Path(__file__).resolve().parents[1]
PHASE_COMMANDS = 4_000


def largest_scenario() -> str:
    sizes = {}
    for path in (ROOT / "scenarios").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        sizes[data["id"]] = len(data["teams"])
    return max(sizes, key=lambda k: sizes[k])


def load(scenario_id: str) -> Scenario:
    for path in (ROOT / "scenarios").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        if data["id"] == scenario_id:
            # A long session: the most rounds the format allows, and phases that wait for the
            # driver (which advances after a phase's worth of commands) instead of a clock.
            data["rounds"]["count"] = 50
            for phase in data["rounds"]["phases"]:
                phase["duration_s"] = None
            return Scenario.model_validate(data)
    raise SystemExit(f"no scenario {scenario_id}")


def play(scenario: Scenario, seed: int, target: int) -> tuple[list, list[float], object]:
    """Random play of one session until its log holds `target` events (or it concludes);
    returns the log, the time of every `engine.apply` in µs, and the final state. The
    facilitator advances a phase after `PHASE_COMMANDS` commands, as a class would after a
    while; deadlines of turns and ballots still fall by the clock."""
    rng = random.Random(seed)
    teams = [t.id for t in scenario.teams]
    actors = {t: Actor(role="seat", team=t, seat=f"{t}.1") for t in teams}
    now = 1_700_000_000_000
    log = engine.create("bench", "bench", scenario, seed, now)
    state = engine.fold(log)
    log += engine.apply(state, Start(), FACILITATOR, now).events
    times: list[float] = []
    in_phase = 0
    while state.status != "concluded" and len(log) < target:
        command, actor = None, FACILITATOR
        for team in rng.sample(teams, len(teams)):
            command = random_command(state, team, rng)
            if command is not None:
                actor = actors[team]
                break
        now += rng.randint(20, 400)
        in_phase += 1
        if in_phase >= PHASE_COMMANDS or command is None:
            command, actor, in_phase = Advance(), FACILITATOR, 0
        t0 = time.thread_time_ns()
        outcome = engine.apply(state, command, actor, now)
        times.append((time.thread_time_ns() - t0) / 1000)
        log += outcome.events
    return log, times, state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scenario_id = args.scenario or largest_scenario()
    scenario = load(scenario_id)

    log, times, final = play(scenario, args.seed, args.events)
    lines = [e.model_dump_json() for e in log]

    gc.collect()
    t0 = time.thread_time()
    state = engine.fold(log)
    fold_s = time.thread_time() - t0

    t0 = time.thread_time()
    with engine.gc_paused():
        parsed = [EVENT_ADAPTER.validate_json(line) for line in lines]
    state2 = engine.fold(parsed)
    parse_fold_s = time.thread_time() - t0

    assert state_hash(state) == state_hash(state2) == state_hash(final)
    types: dict[str, int] = {}
    for e in log:
        types[e.type] = types.get(e.type, 0) + 1
    print(
        json.dumps(
            {
                "scenario": scenario_id,
                "teams": len(scenario.teams),
                "commands": len(times),
                "apply_us_median": round(statistics.median(times), 1),
                "apply_us_p90": round(statistics.quantiles(times, n=10)[-1], 1),
                "apply_us_p99": round(statistics.quantiles(times, n=100)[-1], 1),
                "log_events": len(log),
                "replay_events_per_s": round(len(log) / fold_s),
                "parse_and_replay_events_per_s": round(len(log) / parse_fold_s),
                "event_types": dict(sorted(types.items(), key=lambda kv: -kv[1])[:8]),
                "clock": "CPU time of this thread (steady on a shared machine)",
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "python": platform.python_version(),
                "machine": platform.machine(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
