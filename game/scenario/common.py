"""Building blocks shared by every part of the scenario format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Ident = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"),
    Field(description="A short identifier: lower case letters, digits and underscores."),
]
"""Identifiers appear in paths, URLs and logs, so they are kept short and plain."""

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


T = TypeVar("T")


class own_cache(Generic[T]):
    """A cached property that belongs to one object only.

    `functools.cached_property` stores its value in the instance's `__dict__`, and pydantic's
    `model_copy` copies that `__dict__`: a redacted copy of a scenario would keep the index
    of the unredacted original and hand out private data. This cache remembers which object
    computed it and recomputes for any other.
    """

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = f"_own_cache_{func.__name__}"
        self.__doc__ = func.__doc__

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        cached = obj.__dict__.get(self.name)
        if cached is not None and cached[0] == id(obj):
            return cached[1]
        value = self.func(obj)
        obj.__dict__[self.name] = (id(obj), value)
        return value


class Spec(BaseModel):
    """Base of every scenario model: unknown keys are errors (a typo must not pass silently),
    and a parsed scenario is immutable, so a running session can share it safely."""

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(own_cache,))
