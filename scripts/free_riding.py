"""Free riding on Darfur's burden sharing, with figures from the engine.

    .venv/bin/python scripts/free_riding.py

Adopts the facilitator notes' reference package and resolution in round 1, then plays the
rest of the session with every contributor delivering, each alone withholding its pledges,
and all withholding. Prints each team's final score in each case.
"""

from __future__ import annotations

from pathlib import Path

from game.analysis.free_riding import study
from server.scenario_files import load_scenario

ROOT = Path(__file__).resolve().parents[1]

PACKAGE = {
    "au": {"troops": 3000},
    "eu": {"funds": 200, "airlift": 2, "troops": 500},
    "usa": {"funds": 100, "airlift": 4},
    "nato": {"airlift": 6},
    "las": {"funds": 40, "troops": 300},
    "china": {"funds": 20, "troops": 200},
    "sg": {"funds": 40},
}
TEXTS = {
    "funding": ("au", {"contributions": PACKAGE, "channel": "apf"}),
    "resolution": (
        "sg",
        {"mandate": "protect_civilians", "lead": "joint", "duration": 3, "consent": "with_consent"},
    ),
}


def main() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "darfur_2004.yaml")
    runs = study(scenario, TEXTS, list(PACKAGE))
    teams = [t.id for t in scenario.teams]
    print("who withholds".ljust(14) + "".join(t.rjust(7) for t in teams) + "  darfur")
    for name, run in runs.items():
        row = "".join(f"{run.scores[t]:7.1f}" for t in teams)
        print(f"{name:<14}{row}  {run.security['darfur']:.2f}")
    base = runs["nobody"].scores
    print()
    for team in PACKAGE:
        gain = runs[team].scores[team] - base[team]
        others = sum(runs[team].scores[t] - base[t] for t in teams if t != team)
        print(
            f"{team:>6} free riding alone: its score {gain:+.1f}, the others' total {others:+.1f}"
        )
    every = runs["everyone"].scores
    changes = [every[t] - base[t] for t in teams]
    print(f"all free riding: each team's score moves by {min(changes):+.1f} to {max(changes):+.1f}")


if __name__ == "__main__":
    main()
