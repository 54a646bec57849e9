"""YAML text -> plain data, with the line each field was written on.

Pure: this module takes text, never a file. A scenario author's mistakes are reported as
`Problem`s that name the field's path and its line, so `parse` never raises on bad input: a
YAML syntax error, a duplicate key or an empty file becomes a problem too.

Paths are written as dotted keys with `[i]` for list indices, counted from 0:
`teams[3].weights.mou_au.consultation`. The empty path is the whole file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

try:  # The C loader is much faster; the pure one gives the same nodes and marks.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Segment = str | int
"""One step of a path: a mapping key or a list index."""


class Problem(BaseModel):
    """Something an author must fix: where (a path and a 1-based line, when known) and what."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int | None
    message: str

    def render(self, file: str) -> str:
        """`FILE:LINE: PATH: message`, the form compilers use, so editors can jump to it."""
        where = f"{file}:{self.line}" if self.line is not None else file
        return f"{where}: {self.path or '(file)'}: {self.message}"


def join(segments: Iterable[Segment]) -> str:
    """`("teams", 3, "weights")` -> `teams[3].weights`."""
    out = ""
    for seg in segments:
        if isinstance(seg, int):
            out += f"[{seg}]"
        else:
            out += f".{seg}" if out else str(seg)
    return out


def parent(path: str) -> str | None:
    """The path one step up, or None above the root: `a.b[2]` -> `a.b` -> `a` -> `` -> None."""
    if not path:
        return None
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


@dataclass
class Source:
    """Parsed text: the data, the line of every path in it, and any problems found on the way
    (when `problems` holds a syntax error, `data` is None)."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: str) -> int | None:
        return line_of(self.lines, path)


def line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one."""
    at: str | None = path
    while at is not None:
        if at in lines:
            return lines[at]
        at = parent(at)
    return None


def parse(text: str) -> Source:
    """Parse YAML `text` (JSON is YAML too) into plain data and a path -> line map."""
    loader = _Loader(text)
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return Source(None, {"": 1}, [Problem(path="", line=1, message="the file is empty")])
        # Walk before constructing: construction flattens merge keys (`<<`) in place.
        _walk(node, "", node.start_mark.line + 1, lines, problems, set())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        return Source(None, {}, [_syntax_problem(exc, text)])
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error we know is marked
        return Source(None, {}, [Problem(path="", line=None, message=f"YAML error: {exc}")])
    finally:
        loader.dispose()
    return Source(data, lines, problems)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    what = exc.problem or "cannot be read"
    if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        what = f"{what} ({exc.context} at line {exc.context_mark.line + 1})"
    elif exc.context:
        what = f"{exc.context}: {what}"
    rows = text.splitlines()
    row = rows[line - 1] if line is not None and 0 < line <= len(rows) else ""
    if "\t" in row[: len(row) - len(row.lstrip())]:
        what += "; indent with spaces, not tabs"
    if "mapping values are not allowed" in what:
        what += "; a ': ' inside a value? put the value in quotes"
    return Problem(path="", line=line, message=f"YAML syntax error: {what}")


_BOOL_TRUE = ("yes", "true", "on")
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _key(node: yaml.Node) -> str:
    """A mapping key as the data will hold it, in text: YAML 1.1 reads `no:` as false."""
    if not isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if node.tag == _BOOL_TAG:
        return str(node.value.lower() in _BOOL_TRUE)
    if node.tag == _INT_TAG:
        try:
            return str(int(node.value.replace("_", ""), 0))
        except ValueError:
            return node.value
    return node.value


def _walk(
    node: yaml.Node,
    path: str,
    line: int,
    lines: dict[str, int],
    problems: list[Problem],
    seen: set[int],
) -> None:
    lines.setdefault(path, line)
    if id(node) in seen:  # an alias of a node already being walked: YAML may be recursive
        return
    if isinstance(node, yaml.MappingNode):
        seen = seen | {id(node)}
        keys: dict[str, int] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # `<<: *defaults`: the merged keys, unless overridden
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if isinstance(source, yaml.MappingNode):
                        merged.extend(source.value)
                continue
            key = _key(key_node)
            key_line = key_node.start_mark.line + 1
            child = f"{path}.{key}" if path else key
            if key in keys:
                problems.append(
                    Problem(
                        path=child,
                        line=key_line,
                        message=f"duplicate key '{key}' (first at line {keys[key]}); "
                        "YAML keeps only the last one",
                    )
                )
                lines[child] = key_line
            else:
                keys[key] = key_line
            _walk(value_node, child, key_line, lines, problems, seen)
        for key_node, value_node in merged:
            key = _key(key_node)
            if key not in keys:
                keys[key] = key_node.start_mark.line + 1
                child = f"{path}.{key}" if path else key
                _walk(value_node, child, keys[key], lines, problems, seen)
    elif isinstance(node, yaml.SequenceNode):
        seen = seen | {id(node)}
        for index, item in enumerate(node.value):
            _walk(item, f"{path}[{index}]", item.start_mark.line + 1, lines, problems, seen)
