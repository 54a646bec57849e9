"""Building blocks shared by every part of the scenario format."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Ident = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"),
    Field(description="A short identifier: lower case letters, digits and underscores."),
]
"""Identifiers appear in paths, URLs and logs, so they are kept short and plain."""

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


class Spec(BaseModel):
    """Base of every scenario model: unknown keys are errors (a typo must not pass silently),
    and a parsed scenario is immutable, so a running session can share it safely."""

    model_config = ConfigDict(extra="forbid", frozen=True)
