"""The `chapter8` command line.

This module is only a registry: each module named in `COMMAND_MODULES` defines its own
commands and a `register(app)` that adds them to `app`. To add commands, write them in your own
module and add its name here.
"""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES: tuple[str, ...] = (
    "server.scenario_files",  # validate, schema
    "server.cli_server",  # serve, migrate, export, replay
    "server.cli_replay",  # import, export-all
    "clients.cli_load",  # load
    "clients.cli_tournament",  # tournament
    "clients.cli_bot",  # bot, seat assign/free/strategies
)

app = typer.Typer(
    name="chapter8",
    help="Chapter VIII: a multilateral negotiation role-play server.",
    no_args_is_help=True,
    add_completion=False,
)

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


if __name__ == "__main__":
    app()
