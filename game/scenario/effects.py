"""The fixed vocabulary of inject effects: what a crisis may change in a running session."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from game.scenario.common import Ident, Spec


class ChangeThreat(Spec):
    """Add `delta` to the threat pressure on `region` (clamped at zero)."""

    kind: Literal["change_threat"] = "change_threat"
    region: Ident
    delta: float


class ChangeSecurity(Spec):
    """Add `delta` to the security level of `region` (clamped to [0, 1])."""

    kind: Literal["change_security"] = "change_security"
    region: Ident
    delta: float


class ChangeResources(Spec):
    """Add `delta` to what `team` has of `resource` (never below zero)."""

    kind: Literal["change_resources"] = "change_resources"
    team: Ident
    resource: Ident
    delta: float


class ChangeInstitutionalisation(Spec):
    """Add `delta` to the institutionalisation of `team` (clamped to [0, 1])."""

    kind: Literal["change_institutionalisation"] = "change_institutionalisation"
    team: Ident
    delta: float


class ExtendPhase(Spec):
    """Move the current phase's deadline by `seconds` (negative shortens it)."""

    kind: Literal["extend_phase"] = "extend_phase"
    seconds: int


class OpenItem(Spec):
    """Put a hidden agenda item (`hidden: true`) on the agenda."""

    kind: Literal["open_item"] = "open_item"
    item: Ident


class CloseItem(Spec):
    """Take an item off the agenda: its pending proposals lapse."""

    kind: Literal["close_item"] = "close_item"
    item: Ident


Effect = Annotated[
    ChangeThreat
    | ChangeSecurity
    | ChangeResources
    | ChangeInstitutionalisation
    | ExtendPhase
    | OpenItem
    | CloseItem,
    Field(discriminator="kind"),
]
