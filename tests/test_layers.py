"""The architecture's arrows: `game` is pure and knows no other layer; `clients` speaks the
protocol and never imports the server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "game": {
        "server",
        "clients",
        "fastapi",
        "starlette",
        "sqlmodel",
        "sqlalchemy",
        "redis",
        "websockets",
        "uvicorn",
        "httpx",
        "asyncio",
        "socket",
        "time",
        "os",
        "subprocess",
        "pathlib",
    },
    "clients": {"server", "fastapi", "sqlmodel", "sqlalchemy"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_what_they_may(package: str):
    """No module of `game` touches I/O, the clock, randomness or another layer; no module of
    `clients` imports the server."""
    offences = {
        str(path.relative_to(ROOT)): sorted(imports(path) & FORBIDDEN[package])
        for path in modules(package)
    }
    assert {k: v for k, v in offences.items() if v} == {}
    assert modules(package), f"no modules found under {package}/"


def test_game_randomness_is_always_seeded():
    """`game` may use `random.Random(seed)` (a caller's or the session's seed), never the
    module-level generator, whose state nothing in the log records."""
    unseeded = []
    for path in modules("game"):
        for node in ast.walk(ast.parse(path.read_text())):
            is_random = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if is_random and node.value.id == "random" and node.attr != "Random":
                unseeded.append(f"{path.relative_to(ROOT)}:{node.lineno} random.{node.attr}")
    assert unseeded == []
