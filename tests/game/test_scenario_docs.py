"""docs/scenarios.md: its complete example is a valid scenario, and it names every field."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from game.scenario.model import Scenario
from game.scenario.validate import load

DOC = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text(encoding="utf-8")


def test_the_complete_example_has_no_problem():
    example = DOC.split("## A complete example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario, problems = load(example)
    assert problems == []
    assert scenario is not None and scenario.id == "example"


def models(root: type[BaseModel]) -> set[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    todo = [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for field in model.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return seen


def _models_in(tp: object) -> list[type[BaseModel]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return [m for arg in typing.get_args(tp) for m in _models_in(arg)]


def test_every_field_of_the_format_is_documented():
    documented = set(re.findall(r"`([a-z_]+)`", DOC))
    missing = sorted(
        f"{model.__name__}.{name}"
        for model in models(Scenario)
        for name in model.model_fields
        if name not in documented
    )
    assert not missing, f"docs/scenarios.md does not mention: {missing}"


def test_every_kind_is_documented():
    kinds = set()
    for model in models(Scenario):
        field = model.model_fields.get("kind")
        if field is not None:
            kinds.update(a for a in typing.get_args(field.annotation) if isinstance(a, str))
    documented = set(re.findall(r"`([a-z_]+)`", DOC))
    assert not sorted(kinds - documented)
