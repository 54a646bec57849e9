"""Scenario files: reading them from disk, the shipped ones, and the `validate` and `schema`
commands of the CLI. Parsing and checking are pure and live in `game.scenario`; this module
only adds the files."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from game.scenario.model import Scenario
from game.scenario.source import Problem
from game.scenario.validate import load, schema_json

ENV_FOLDER = "CHAPTER8_SCENARIOS"
"""Names a folder to read the built-in scenarios from instead of the repository's."""

SUFFIXES = (".yaml", ".yml", ".json")


class ScenarioFileError(ValueError):
    """A scenario file that cannot be used, with every problem found in it."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(p.render(str(path)) for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the scenario\n{lines}")


def read(path: Path | str) -> tuple[Scenario | None, list[Problem]]:
    """Read and check one file: the scenario, or None and the problems found."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(path="", line=None, message=f"not UTF-8 text: {exc.reason}")]
    except OSError as exc:
        return None, [Problem(path="", line=None, message=f"cannot read: {exc.strerror or exc}")]
    return load(text)


def load_scenario(path: Path | str) -> Scenario:
    """The scenario in `path`; raises `ScenarioFileError` naming every problem."""
    scenario, problems = read(path)
    if scenario is None:
        raise ScenarioFileError(Path(path), problems)
    return scenario


def scenarios_dir() -> Path:
    """The folder of the built-in scenarios: `$CHAPTER8_SCENARIOS`, or the repository's."""
    override = os.environ.get(ENV_FOLDER)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "scenarios"


def scenario_paths(folder: Path | None = None) -> list[Path]:
    folder = folder or scenarios_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())


def builtin_scenarios(folder: Path | None = None) -> dict[str, Scenario]:
    """Every scenario in the built-in folder by id. A bad file, or two files with one id,
    raise `ScenarioFileError`: a shipped scenario must be right."""
    found: dict[str, Scenario] = {}
    where: dict[str, Path] = {}
    for path in scenario_paths(folder):
        scenario = load_scenario(path)
        if scenario.id in found:
            problem = Problem(
                path="id",
                line=None,
                message=f"scenario id '{scenario.id}' is also used by {where[scenario.id]}",
            )
            raise ScenarioFileError(path, [problem])
        found[scenario.id] = scenario
        where[scenario.id] = path
    return found


# --------------------------------------------------------------------------- CLI commands


def validate_command(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (YAML or JSON).")],
) -> None:
    """Check scenario files: print FILE:LINE: PATH: message for each problem, or FILE: ok.
    Exits 1 when any file has a problem."""
    bad = False
    for path in files:
        _, problems = read(path)
        if problems:
            bad = True
            for problem in problems:
                print(problem.render(str(path)))
        else:
            print(f"{path}: ok")
    sys.stdout.flush()
    if bad:
        raise typer.Exit(1)


def schema_command(
    out: Annotated[
        Path | None,
        typer.Option(help="Write here (e.g. docs/scenario.schema.json) instead of stdout."),
    ] = None,
) -> None:
    """Print or write the JSON Schema of the scenario format."""
    text = schema_json()
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_command)
    app.command("schema")(schema_command)
