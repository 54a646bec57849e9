"""Strategies by name. A strategy module decorates its class with `@register`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from clients.bots.base import Bot

B = TypeVar("B", bound="type[Bot]")

STRATEGIES: dict[str, type[Bot]] = {}


def register(cls: B) -> B:
    name = cls.name
    if not name or name in STRATEGIES:
        raise ValueError(f"strategy name {name!r} is empty or taken")
    STRATEGIES[name] = cls
    return cls


def names() -> list[str]:
    return list(STRATEGIES)


def make(name: str) -> Bot:
    """A fresh bot of strategy `name` (one per seat: it keeps a little memory)."""
    try:
        return STRATEGIES[name]()
    except KeyError:
        known = ", ".join(STRATEGIES)
        raise ValueError(f"unknown bot strategy {name!r} (known: {known})") from None
