"""docs/scenario.schema.json is generated from the models and must not go stale."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from game.scenario.validate import schema_json

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "scenario.schema.json"


def test_the_committed_schema_is_up_to_date():
    assert COMMITTED.read_text(encoding="utf-8") == schema_json(), (
        "docs/scenario.schema.json is stale: the scenario models changed. Regenerate it with "
        "`.venv/bin/chapter8 schema --out docs/scenario.schema.json` and commit it."
    )


def test_the_shipped_scenarios_satisfy_the_json_schema():
    schema = json.loads(schema_json())
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
