"""Deciders and evolvers, one module per family of commands and events.

Each module exposes `DECIDERS` (command type -> decider) and `EVOLVERS` (event type ->
evolver); `game.engine` joins them into its dispatch tables.
"""
