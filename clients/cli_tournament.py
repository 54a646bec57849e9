"""`chapter8 tournament`: bot-only games in-process, with a report (see docs/bots.md).

Registered in the `chapter8` CLI by `server/cli.py` (its `COMMAND_MODULES`), through
`register(app)`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from clients.bots import registry
from clients.tournament import SCHEMES, GameResult, tournament
from game.scenario.model import Scenario
from game.scenario.validate import load

SCENARIOS_ENV = "CHAPTER8_SCENARIOS"
SUFFIXES = (".yaml", ".yml", ".json")


def scenarios_dir() -> Path:
    override = os.environ.get(SCENARIOS_ENV)
    return Path(override) if override else Path(__file__).resolve().parents[1] / "scenarios"


def find_scenario(name: str) -> Scenario:
    """A scenario by file path, or by id (or file name) among the built-in scenarios."""
    path = Path(name)
    candidates = [path] if path.is_file() else []
    folder = scenarios_dir()
    if not candidates and folder.is_dir():
        files = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES)
        candidates = [p for p in files if p.stem == name]
        if not candidates:
            for p in files:
                scenario, _ = load(p.read_text(encoding="utf-8"))
                if scenario is not None and scenario.id == name:
                    return scenario
    if not candidates:
        known = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
        raise typer.BadParameter(
            f"no scenario {name!r} (a file, or one of: {', '.join(known) or 'none'})"
        )
    scenario, problems = load(candidates[0].read_text(encoding="utf-8"))
    if scenario is None:
        lines = "\n".join(p.render(str(candidates[0])) for p in problems)
        raise typer.BadParameter(f"{candidates[0]} has problems:\n{lines}")
    return scenario


def tournament_command(
    scenario: Annotated[
        str, typer.Option("--scenario", help="A scenario id (see scenarios/) or a file.")
    ],
    games: Annotated[int, typer.Option("--games", min=1, help="How many games.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same results.")] = 1,
    bots: Annotated[
        str | None,
        typer.Option(
            "--bots",
            help=f"Strategies to assign, comma-separated (default: all of "
            f"{', '.join(registry.names())}).",
        ),
    ] = None,
    scheme: Annotated[
        str,
        typer.Option(
            "--scheme",
            help="How strategies are assigned to teams: rotate (game g gives team i strategy "
            "(g+i) mod k), all (every combination in turn) or random (from the seed).",
        ),
    ] = "rotate",
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write the report's figures here as CSV.")
    ] = None,
    games_csv: Annotated[
        Path | None, typer.Option("--games-csv", help="Write one CSV row per game here.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress line per game.")] = False,
) -> None:
    """Play bot-only games of a scenario in-process and report on them.

    Reports the agreement rate per item, mean scores per team and per strategy, mean
    collective security and how far agreements fell from the Pareto frontier (docs/bots.md).
    """
    found = find_scenario(scenario)
    names = [b.strip() for b in bots.split(",") if b.strip()] if bots else registry.names()
    unknown = [b for b in names if b not in registry.STRATEGIES]
    if unknown:
        raise typer.BadParameter(
            f"unknown strategy {', '.join(unknown)} (known: {', '.join(registry.names())})"
        )
    if scheme not in SCHEMES:
        raise typer.BadParameter(f"unknown scheme {scheme!r} (known: {', '.join(SCHEMES)})")

    def progress(result: GameResult) -> None:
        if quiet:
            return
        agreed = sum(result.adopted.values())
        print(
            f"game {result.game + 1}/{games}: {agreed}/{len(result.adopted)} items agreed, "
            f"collective {result.collective:.1f}",
            file=sys.stderr,
        )

    report = tournament(found, games, seed, names, scheme, progress=progress)  # type: ignore[arg-type]
    print(report.text())
    if csv_out is not None:
        report.write_csv(csv_out)
        print(f"\nwrote {csv_out}")
    if games_csv is not None:
        report.write_games_csv(games_csv)
        print(f"wrote {games_csv}")


def register(app: typer.Typer) -> None:
    app.command("tournament")(tournament_command)


app = typer.Typer(add_completion=False, help="Bot tournaments.")
register(app)

if __name__ == "__main__":
    app()
