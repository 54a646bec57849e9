"""The protocol's documents stay true: the committed AsyncAPI file is what the models
generate, and every example in docs/protocol.md is a valid message."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from pydantic import ValidationError

from game.protocol import CLIENT_ADAPTER, SERVER_ADAPTER
from server import asyncapi

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_asyncapi_document_is_up_to_date():
    committed = (DOCS / "asyncapi.json").read_text(encoding="utf-8")
    assert committed == asyncapi.render(), "stale: run `make asyncapi`"


def test_every_message_is_documented_with_a_valid_example():
    text = (DOCS / "protocol.md").read_text(encoding="utf-8")
    examples = [orjson.loads(block) for block in re.findall(r"```json\n(.*?)\n```", text, re.S)]
    documented = set()
    for example in examples:
        adapter = CLIENT_ADAPTER if example["type"] in ("command", "sync", "ping") else None
        try:
            (adapter or SERVER_ADAPTER).validate_python(example)
        except ValidationError as exc:
            pytest.fail(f"docs/protocol.md example {example['type']} is invalid: {exc}")
        documented.add(example["type"])
    for model in asyncapi.CLIENT + asyncapi.SERVER:
        kind = model.model_fields["type"].default
        assert f"### `{kind}`" in text, f"{kind} has no section"
        assert kind in documented or kind == "snapshot", f"{kind} has no example"
