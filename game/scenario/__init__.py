"""The scenario format: pydantic models that parse a dict, and the checks an author can act on."""

from game.scenario.model import Scenario

__all__ = ["Scenario"]
