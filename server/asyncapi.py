"""The AsyncAPI document of the websocket protocol, generated from game/protocol.py.

    python -m server.asyncapi > docs/asyncapi.json      (or: make asyncapi)

tests/server/test_protocol_docs.py fails when the committed file is stale.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from game import protocol as p

CLIENT: list[type[BaseModel]] = [p.CommandMsg, p.SyncMsg, p.PingMsg]
SERVER: list[type[BaseModel]] = [
    p.Welcome,
    p.Snapshot,
    p.Events,
    p.Accepted,
    p.Rejected,
    p.Presence,
    p.Pong,
]


def _name(model: type[BaseModel]) -> str:
    return str(model.model_fields["type"].default)


def _message(model: type[BaseModel]) -> dict[str, Any]:
    doc = (model.__doc__ or "").strip()
    return {
        "name": _name(model),
        "title": model.__name__,
        "summary": doc.split("\n\n")[0].replace("\n", " ") if doc else _name(model),
        "contentType": "application/json",
        "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
    }


def document() -> dict[str, Any]:
    _, top = models_json_schema(
        [(m, "validation") for m in CLIENT + SERVER],
        ref_template="#/components/schemas/{model}",
    )
    messages = {
        f"{side}.{_name(m)}": _message(m)
        for side, ms in (("client", CLIENT), ("server", SERVER))
        for m in ms
    }
    refs = {key: {"$ref": f"#/components/messages/{key}"} for key in messages}
    channel = {"$ref": "#/channels/session"}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Chapter VIII websocket protocol",
            "version": str(p.PROTOCOL),
            "description": (p.__doc__ or "").strip(),
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:8000",
                "protocol": "ws",
                "description": "`chapter8 serve` on its default address.",
            }
        },
        "channels": {
            "session": {
                "address": "/ws/sessions/{session}",
                "title": "One session's socket",
                "description": "Token in the handshake (Authorization: Bearer, or the "
                f"subprotocols `{p.SUBPROTOCOL}` + `{p.BEARER_PREFIX}<token>`); optional "
                "query `since=<seq>` to resume.",
                "parameters": {"session": {"description": "The session id."}},
                "messages": refs,
            }
        },
        "operations": {
            "clientSends": {
                "action": "receive",
                "channel": channel,
                "summary": "Messages a client sends.",
                "messages": [
                    {"$ref": f"#/channels/session/messages/client.{_name(m)}"} for m in CLIENT
                ],
            },
            "serverSends": {
                "action": "send",
                "channel": channel,
                "summary": "Messages the server sends.",
                "messages": [
                    {"$ref": f"#/channels/session/messages/server.{_name(m)}"} for m in SERVER
                ],
            },
        },
        "components": {"messages": messages, "schemas": top["$defs"]},
    }


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
