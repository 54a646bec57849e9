"""The fixed vocabulary of conditions, used by conditional injects and private objectives.

A condition is data, never code: each kind below is checked by `game.conditions`, and a
scenario can only combine them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from game.scenario.common import Fraction, Ident, NonNegative, Spec


class ItemAdopted(Spec):
    """True once a proposal on `item` has been adopted (by the end of `by_round`, if given)."""

    kind: Literal["item_adopted"] = "item_adopted"
    item: Ident
    by_round: int | None = Field(default=None, ge=1)


class ItemNotAdopted(Spec):
    """True when `item` has no adopted text once round `by_round` has been resolved."""

    kind: Literal["item_not_adopted"] = "item_not_adopted"
    item: Ident
    by_round: int = Field(ge=1)


class OptionAdopted(Spec):
    """True when the adopted text of `item` chose `option` for `issue`."""

    kind: Literal["option_adopted"] = "option_adopted"
    item: Ident
    issue: Ident
    option: Ident


class MemberOf(Spec):
    """True when `team` is among the members chosen by the adopted text of a committee item."""

    kind: Literal["member_of"] = "member_of"
    item: Ident
    team: Ident


class SecurityBelow(Spec):
    """True when the security level of `region` is below `level`."""

    kind: Literal["security_below"] = "security_below"
    region: Ident
    level: Fraction


class SecurityAtLeast(Spec):
    """True when the security level of `region` is at least `level`."""

    kind: Literal["security_at_least"] = "security_at_least"
    region: Ident
    level: Fraction


class ResourcesBelow(Spec):
    """True when what `team` has left of `resource` is below `level`."""

    kind: Literal["resources_below"] = "resources_below"
    team: Ident
    resource: Ident
    level: NonNegative


class PledgesKept(Spec):
    """True when `team` has delivered every pledge that has fallen due."""

    kind: Literal["pledges_kept"] = "pledges_kept"
    team: Ident


class AllOf(Spec):
    """True when every condition in `all` is."""

    kind: Literal["all_of"] = "all_of"
    all: list[Condition] = Field(min_length=1)


class AnyOf(Spec):
    """True when at least one condition in `any` is."""

    kind: Literal["any_of"] = "any_of"
    any: list[Condition] = Field(min_length=1)


Condition = Annotated[
    ItemAdopted
    | ItemNotAdopted
    | OptionAdopted
    | MemberOf
    | SecurityBelow
    | SecurityAtLeast
    | ResourcesBelow
    | PledgesKept
    | AllOf
    | AnyOf,
    Field(discriminator="kind"),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
