"""`chapter8 validate` and `chapter8 schema`, run as the installed command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "scenario_fixtures"
CHAPTER8 = Path(sys.executable).parent / "chapter8"

pytestmark = pytest.mark.skipif(
    not CHAPTER8.exists(), reason="the chapter8 script is not installed (pip install -e .)"
)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHAPTER8), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_a_good_file_prints_ok_and_exits_0():
    good = FIXTURES / "minimal.yaml"
    result = run("validate", good)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"{good}: ok"]


def test_every_shipped_scenario_validates():
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(files) == 5
    result = run("validate", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"{f}: ok" for f in files]


def test_a_bad_file_prints_file_line_path_message_and_exits_1():
    bad = FIXTURES / "several_errors.yaml"
    good = FIXTURES / "minimal.yaml"
    result = run("validate", bad, good)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{good}: ok"
    problems = lines[:-1]
    assert len(problems) >= 6
    for line in problems:
        file, number, path, message = line.split(":", 3)
        assert file == str(bad)
        assert number.isdigit()
        assert path.strip() and message.strip()
    assert f"{bad}:8: teams[0].seats: " in result.stdout
    assert f"{bad}:21: agenda[0].partner: unknown team 'eu'" in result.stdout


def test_a_syntax_error_and_a_missing_file_exit_1():
    broken = FIXTURES / "syntax_error.yaml"
    missing = FIXTURES / "no_such_file.yaml"
    result = run("validate", broken, missing)
    assert result.returncode == 1
    out = result.stdout
    assert f"{broken}:6: (file): YAML syntax error" in out
    assert f"{missing}: (file): cannot read" in out


def test_schema_prints_the_json_schema(tmp_path: Path):
    result = run("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["title"] == "Scenario"
    out = tmp_path / "schema.json"
    result = run("schema", "--out", out)
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text()) == schema
