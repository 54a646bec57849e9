"""Checking a scenario as its author wrote it: every problem at once, each with its path, its
line and a message the author can act on.

Pure: `load` takes text, `check` takes the parsed data and its line map (see `source.py`).
Two passes run over the same data:

1. the schema: the pydantic models of `game.scenario` (types, ranges, unknown fields), with
   pydantic's error locations turned into the file's paths;
2. cross-references: every id that names a team, region, item, issue, option, operation,
   phase or inject must exist, and a few things that parse but can never work (a rule no vote
   can pass, a requirement no coalition can cover, a round without a vote...). This pass reads
   the raw data defensively, so it reports what it can even where the schema failed elsewhere.
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from game.scenario.model import Scenario
from game.scenario.rules import DecisionRule
from game.scenario.source import Problem, join, line_of, parse

__all__ = ["Problem", "check", "load", "schema_json"]

ORGANISATIONS = ("regional_org", "subregional_org")
IDENT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


# --------------------------------------------------------------------------- the entry points


def load(text: str) -> tuple[Scenario | None, list[Problem]]:
    """Parse and check `text`. The scenario comes back only when there is no problem at all."""
    source = parse(text)
    if source.data is None and source.problems:  # a syntax error: nothing more can be read
        return None, source.problems
    problems = _sorted(source.problems + check(source.data, source.lines))
    if problems:
        return None, problems
    return Scenario.model_validate(source.data), []


def check(data: Any, lines: dict[str, int]) -> list[Problem]:
    """Every problem with the scenario `data` (as parsed from a file whose path -> line map is
    `lines`), schema and cross-references, sorted by line."""
    if not isinstance(data, dict):
        kind = (
            "a list"
            if isinstance(data, list)
            else "only null"
            if data is None
            else f"a single value ({data!r})"
        )
        return [
            Problem(
                path="",
                line=line_of(lines, ""),
                message="a scenario is a mapping of fields (id, title, teams, regions, agenda, "
                f"rounds...), but this file holds {kind}",
            )
        ]
    schema = _schema_problems(data, lines)
    refs = _Refs(data, lines).run()
    # The models' own uniqueness checks report on the parent list; the cross-reference pass
    # names the very id that clashes, so the vaguer report goes.
    dup_paths = [p.path for p in refs if p.message.startswith("duplicate ")]
    schema = [
        p
        for p in schema
        if not ("must be unique" in p.message and any(d.startswith(p.path) for d in dup_paths))
    ]
    return _sorted(schema + refs)


def schema_json() -> str:
    """The JSON Schema of the scenario format, as committed in docs/scenario.schema.json."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Scenario.model_json_schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line if p.line is not None else 0, p.path))


# --------------------------------------------------------------------------- the schema pass


_BRANCH = re.compile(r"[\[\]'()\-]")
_TYPE_NAMES = {"int", "float", "str", "bool", "none", "list", "dict", "tuple"}


def _schema_problems(data: dict, lines: dict[str, int]) -> list[Problem]:
    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    else:
        return []
    by_path: dict[str, list[str]] = {}
    branchy: set[str] = set()
    for err in errors:
        path, branch, message = _describe(err, data)
        if branch:
            branchy.add(path)
        by_path.setdefault(path, [])
        if message not in by_path[path]:
            by_path[path].append(message)
    out = []
    for path, messages in by_path.items():
        if path in branchy and len(messages) > 1:
            # A plain union (a list or 'all'; a round or 'debrief') failed every branch.
            got = {m[m.rfind(" (got ") :] for m in messages if " (got " in m}
            if len(got) == 1 and all(m.endswith(next(iter(got))) for m in messages):
                suffix = next(iter(got))
                messages = ["; or ".join(m.removesuffix(suffix) for m in messages) + suffix]
            else:
                messages = ["; or ".join(messages)]
        out.extend(Problem(path=path, line=line_of(lines, path), message=m) for m in messages)
    return out


def _describe(err: Any, data: dict) -> tuple[str, bool, str]:
    """An error's path in the file's terms, whether it went through a plain union, and a
    message. Tags that pydantic inserts for unions are dropped from the path."""
    loc = list(err["loc"])
    segs: list[str | int] = []
    node: Any = data
    branch = False
    is_key = False
    for seg in loc:
        if seg == "[key]":
            is_key = True
            continue
        key = _find_key(node, seg) if isinstance(node, dict) else _MISSING
        if key is not _MISSING:
            segs.append(str(key))
            node = node[key]
        elif (
            isinstance(node, list)
            and isinstance(seg, int)
            and not isinstance(seg, bool)
            and 0 <= seg < len(node)
        ):
            segs.append(seg)
            node = node[seg]
        elif isinstance(seg, str) and isinstance(node, dict) and node.get("kind") == seg:
            continue  # a discriminated union's tag
        elif isinstance(seg, str) and (_BRANCH.search(seg) or seg in _TYPE_NAMES):
            branch = True  # a plain union's branch
        else:
            segs.append(seg if isinstance(seg, int) and not isinstance(seg, bool) else str(seg))
            node = None
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        segs.append("kind")
    path = join(segs)
    return path, branch, _message(err, path, loc, is_key)


_MISSING = object()


def _find_key(node: dict, seg: Any) -> Any:
    """The key of `node` that pydantic's location segment names, or _MISSING. YAML may have
    read a key as a bool or a number, and pydantic reports a bool key as 0 or 1."""
    if isinstance(seg, str) and seg in node:
        return seg
    for key in node:
        if key == seg or str(key) == str(seg):
            return key
    return _MISSING


def _message(err: Any, path: str, loc: list, is_key: bool) -> str:
    kind = err["type"]
    msg: str = err["msg"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    name = path.rsplit(".", 1)[-1] if path else ""
    if kind == "missing":
        return f"missing field '{name}'"
    if kind == "extra_forbidden":
        fields = _fields_at([s for s in loc[:-1] if s != "[key]"])
        hint = _did_you_mean(str(loc[-1]), fields)
        known = f"; fields here: {', '.join(sorted(fields))}" if fields and not hint else ""
        return f"unknown field '{loc[-1]}'{hint}{known}"
    if kind == "union_tag_invalid":
        tags = ctx.get("expected_tags", "")
        hint = _did_you_mean(str(ctx.get("tag")), re.findall(r"'([^']+)'", tags))
        return f"unknown kind '{ctx.get('tag')}'{hint}; the kinds are {tags}"
    if kind == "union_tag_not_found":
        return f"missing field 'kind': {ctx.get('expected_tags', 'it says what this entry is')}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == IDENT.pattern:
        what = f"key '{value}'" if is_key else f"'{value}'"
        return (
            f"{what} is not an id: use lower case letters, digits and underscores, "
            "starting with a letter (at most 40 characters)"
        )
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if is_key and isinstance(value, bool):
        word = "yes/on" if value else "no/off"
        return (
            f"this key is not text: YAML reads an unquoted {word} as {str(value).lower()}; "
            "put the key in quotes"
        )
    if isinstance(value, bool) and kind in ("literal_error", "string_type"):
        word = "yes/on" if value else "no/off"
        return f"{msg}: YAML reads an unquoted {word} as {str(value).lower()}; put it in quotes"
    if kind == "string_type" and isinstance(value, dict) and len(value) == 1:
        return (
            f"{msg}: YAML read this text as a mapping because it contains ': '; "
            "put the whole text in quotes"
        )
    if value is not None and not isinstance(value, dict | list) and kind != "missing":
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        return f"{msg} (got {shown})"
    return msg


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _fields_at(loc: list) -> set[str]:
    """The field names of the model at `loc` (pydantic's location, tags and all)."""
    tp: Any = Scenario
    for seg in loc:
        tp = _step(tp, seg)
        if tp is None:
            return set()
    model = _model(tp)
    return set(model.model_fields) if model else set()


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _model(tp: Any) -> type[BaseModel] | None:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    return None


def _step(tp: Any, seg: Any) -> Any:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(tp) if m is not type(None)]
        for member in members:
            model = _model(member)
            if model and "kind" in model.model_fields and model.model_fields["kind"].default == seg:
                return model
        if isinstance(seg, str) and (_BRANCH.search(seg) or seg in _TYPE_NAMES):
            return next((m for m in members if _model(m) is None), None)
        for member in members:
            found = _step(member, seg)
            if found is not None:
                return found
        return None
    model = _model(tp)
    if model is not None:
        field = model.model_fields.get(seg) if isinstance(seg, str) else None
        return field.annotation if field else None
    if origin in (list, tuple) and isinstance(seg, int):
        args = typing.get_args(tp)
        return args[0] if origin is list else args[min(seg, len(args) - 1)]
    if origin is dict:
        return typing.get_args(tp)[1]
    return None


# --------------------------------------------------------------------------- cross-references


def _dict(x: Any) -> dict:
    return x if isinstance(x, dict) else {}


def _list(x: Any) -> list:
    return x if isinstance(x, list) else []


def _str(x: Any) -> str | None:
    return x if isinstance(x, str) else None


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def _unknown(what: str, value: Any, known: Iterable[str], of: str = "") -> str:
    """`unknown team 'aux' (did you mean 'au'?)`, or the list of those known."""
    names = sorted(set(known))
    said = f"unknown {what} '{value}'" + (f" of {of}" if of else "")
    hint = _did_you_mean(str(value), names)
    if hint:
        return said + hint
    if not names:
        return f"{said}: there are none"
    listed = ", ".join(names) if len(names) <= 15 else ", ".join(names[:15]) + ", ..."
    return f"{said}; known: {listed}"


def _names(ids: Iterable[str]) -> str:
    return ", ".join(sorted(ids))


class _Refs:
    """The cross-reference pass over raw data. Each check skips what it cannot read."""

    def __init__(self, data: dict, lines: dict[str, int]) -> None:
        self.data = data
        self.lines = lines
        self.problems: list[Problem] = []
        self.teams = self._ids("teams", "team")
        self.council = self._ids("council", "Council non-player voter")
        self.regions = self._ids("regions", "region")
        self.operations = self._ids("operations", "operation")
        self.items = self._ids("agenda", "agenda item")
        self.injects = self._ids("injects", "inject")
        self.phases = self._ids("rounds.phases", "phase")
        count = _dict(data.get("rounds")).get("count")
        self.rounds = count if isinstance(count, int) and not isinstance(count, bool) else None
        # Resources anyone has or can be given: an inject may hand out a new one.
        self.resources: set[str] = set()
        for team in self.teams.values():
            self.resources.update(k for k in _dict(team.get("resources")) if isinstance(k, str))
        self.given: dict[str, set[str]] = {}
        for inject in self.injects.values():
            for effect in _list(inject.get("effects")):
                effect = _dict(effect)
                if effect.get("kind") == "change_resources":
                    team, res = _str(effect.get("team")), _str(effect.get("resource"))
                    if team and res:
                        self.given.setdefault(team, set()).add(res)

    # ----- helpers

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path=path, line=line_of(self.lines, path), message=message))

    def _get(self, dotted: str) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            node = _dict(node).get(part)
        return node

    def _ids(self, dotted: str, what: str) -> dict[str, dict]:
        """Entries of a top-level list by id, reporting duplicates."""
        return self._unique(dotted, self._get(dotted), what)

    def _unique(self, dotted: str, entries: Any, what: str) -> dict[str, dict]:
        """Entries of the list at `dotted` by id, reporting duplicates; entries without a
        readable id are left to the schema pass."""
        found: dict[str, dict] = {}
        first: dict[str, int] = {}
        for i, entry in enumerate(_list(entries)):
            ident = _str(_dict(entry).get("id"))
            if ident is None:
                continue
            if ident in found:
                self.add(
                    f"{dotted}[{i}].id",
                    f"duplicate {what} id '{ident}' (also {dotted}[{first[ident]}], "
                    f"line {line_of(self.lines, f'{dotted}[{first[ident]}]')})",
                )
                continue
            found[ident] = entry
            first[ident] = i
        return found

    def _index(self, dotted: str, ident: str) -> int:
        for i, entry in enumerate(_list(self._get(dotted))):
            if _dict(entry).get("id") == ident:
                return i
        raise KeyError(ident)  # pragma: no cover - callers pass ids found by `_ids`

    def _team(self, path: str, value: Any, *, allow_council: bool = False) -> dict | None:
        """Check that `value` names a team (or a non-player voter, if allowed)."""
        if not isinstance(value, str) or not IDENT.match(value):
            return None  # not an id at all: the schema pass says so
        if value in self.teams:
            return self.teams[value]
        if allow_council and value in self.council:
            return self.council[value]
        known = list(self.teams) + (list(self.council) if allow_council else [])
        self.add(path, _unknown("team", value, known))
        return None

    def _region(self, path: str, value: Any) -> None:
        if isinstance(value, str) and IDENT.match(value) and value not in self.regions:
            self.add(path, _unknown("region", value, self.regions))

    def _item(self, path: str, value: Any) -> dict | None:
        if not isinstance(value, str) or not IDENT.match(value):
            return None
        if value not in self.items:
            self.add(path, _unknown("agenda item", value, self.items))
            return None
        return self.items[value]

    def _round(self, path: str, value: Any, what: str) -> None:
        if (
            self.rounds is not None
            and isinstance(value, int)
            and not isinstance(value, bool)
            and value > self.rounds
        ):
            self.add(path, f"{what} round {value}, but the scenario has {self.rounds} rounds")

    @staticmethod
    def _issues(item: dict) -> dict[str, dict]:
        out = {}
        for issue in _list(item.get("issues")):
            ident = _str(_dict(issue).get("id"))
            if ident and ident not in out:
                out[ident] = issue
        return out

    @staticmethod
    def _options(issue: dict) -> list[str]:
        return [o["id"] for o in _list(issue.get("options")) if isinstance(_dict(o).get("id"), str)]

    def _candidates(self, issue: dict) -> list[str]:
        given = issue.get("candidates")
        if isinstance(given, list):
            return [c for c in given if isinstance(c, str)]
        return list(self.teams)

    # ----- the checks

    def run(self) -> list[Problem]:
        self._clashes()
        for i, team in enumerate(_list(self.data.get("teams"))):
            if isinstance(team, dict):
                self._check_team(f"teams[{i}]", team)
        for i, npv in enumerate(_list(self.data.get("council"))):
            if isinstance(npv, dict):
                self._check_non_player(f"council[{i}]", npv)
        for i, op in enumerate(_list(self.data.get("operations"))):
            if isinstance(op, dict):
                self._check_operation(f"operations[{i}]", op)
        for i, item in enumerate(_list(self.data.get("agenda"))):
            if isinstance(item, dict):
                self._check_item(f"agenda[{i}]", item)
        self._check_rounds()
        for i, inject in enumerate(_list(self.data.get("injects"))):
            if isinstance(inject, dict):
                self._check_inject(f"injects[{i}]", inject)
        self._check_declassify()
        return self.problems

    def _clashes(self) -> None:
        for ident in self.council:
            if ident in self.teams:
                self.add(
                    f"council[{self._index('council', ident)}].id",
                    f"'{ident}' is both a team and a Council non-player voter; a Council "
                    "member is one or the other",
                )

    # teams and non-player voters

    def _check_team(self, path: str, team: dict) -> None:
        ident = _str(team.get("id")) or path
        self._region(f"{path}.region", team.get("region"))
        for region in _dict(team.get("interests")):
            self._region(f"{path}.interests.{region}", region)
        council = _dict(team.get("council"))
        if council.get("permanent") is True and council.get("member") is not True:
            self.add(
                f"{path}.council.permanent",
                "a permanent member must also be a member: add member: true",
            )
        if council.get("veto") is True and council.get("permanent") is not True:
            self.add(f"{path}.council.veto", "only a permanent member holds a veto")
        self._check_weights(path, team)
        resources = _dict(team.get("resources"))
        for resource in _dict(team.get("cost_weights")):
            if not isinstance(resource, str):
                continue
            if resource not in resources and resource not in self.given.get(ident, set()):
                self.add(
                    f"{path}.cost_weights.{resource}",
                    f"the team has no '{resource}' in its resources, so this cost weight is "
                    f"never used (its resources: {_names(map(str, resources)) or 'none'})",
                )
        self._unique(f"{path}.objectives", team.get("objectives"), "objective")
        for j, objective in enumerate(_list(team.get("objectives"))):
            cond = _dict(objective).get("condition")
            if isinstance(cond, dict):
                self._check_condition(f"{path}.objectives[{j}].condition", cond)

    def _check_non_player(self, path: str, npv: dict) -> None:
        ident = _str(npv.get("id"))
        if npv.get("veto") is True and npv.get("permanent") is not True:
            self.add(f"{path}.veto", "only a permanent member holds a veto")
        for item_id in _dict(npv.get("votes")):
            item = self._item(f"{path}.votes.{item_id}", item_id)
            if item is not None and ident and ident not in self._electorate(item):
                self.add(
                    f"{path}.votes.{item_id}",
                    f"'{ident}' does not vote on '{item_id}' (its voters are "
                    f"{item.get('voters', 'all')!r}), so this vote is never cast",
                )
        self._check_weights(path, npv)

    def _check_weights(self, path: str, owner: dict) -> None:
        weights = _dict(owner.get("weights"))
        for item_id, by_issue in weights.items():
            item = self._item(f"{path}.weights.{item_id}", item_id)
            if item is None or not isinstance(by_issue, dict):
                continue
            issues = self._issues(item)
            for issue_id, weight in by_issue.items():
                wpath = f"{path}.weights.{item_id}.{issue_id}"
                if not isinstance(issue_id, str) or not IDENT.match(issue_id):
                    continue
                if issue_id not in issues:
                    self.add(wpath, _unknown("issue", issue_id, issues, f"'{item_id}'"))
                elif isinstance(weight, dict):
                    self._check_issue_weight(wpath, issues[issue_id], weight)
            for issue_id, issue in issues.items():
                if issue.get("kind") != "contributions" and issue_id not in by_issue:
                    self.add(
                        f"{path}.weights.{item_id}",
                        f"no weight for issue '{issue_id}' of '{item_id}' (write weight: 0 "
                        "if it does not matter to this team)",
                    )
        for key in ("reservation", "priorities"):
            for item_id in _dict(owner.get(key)):
                if self._item(f"{path}.{key}.{item_id}", item_id) and item_id not in weights:
                    self.add(
                        f"{path}.{key}.{item_id}",
                        f"there are no weights for '{item_id}' here, so this {key[:-1]} "
                        "value is never used",
                    )

    def _check_issue_weight(self, path: str, issue: dict, weight: dict) -> None:
        kind = _str(issue.get("kind", "choice"))
        issue_id = issue.get("id")
        form = {"choice": "options", "number": "points", "members": "members"}.get(kind)
        for other in ("options", "points", "members"):
            if other != form and weight.get(other):
                self.add(
                    f"{path}.{other}",
                    f"'{issue_id}' is a {kind} issue: it is scored by "
                    + (f"'{form}'" if form else "cost, not by weights"),
                )
        if kind == "contributions":
            self.add(
                path,
                f"'{issue_id}' is a contributions issue: it is valued as cost "
                "(cost_weights), not by weights; remove this entry",
            )
        elif kind == "choice":
            options = self._options(issue)
            scored = _dict(weight.get("options"))
            for opt in scored:
                if isinstance(opt, str) and IDENT.match(opt) and opt not in options:
                    self.add(
                        f"{path}.options.{opt}",
                        _unknown("option", opt, options, f"issue '{issue_id}'"),
                    )
            missing = [o for o in options if o not in scored]
            if missing:
                self.add(
                    f"{path}.options",
                    f"no score for option(s) {', '.join(missing)} of '{issue_id}' "
                    "(give every option a score in [0, 1])",
                )
        elif kind == "number":
            points = _list(weight.get("points"))
            if not points:
                self.add(
                    path,
                    f"'{issue_id}' is a number issue: give its score as points, "
                    "a list of [value, score] pairs",
                )
            lo, hi = _num(issue.get("min")), _num(issue.get("max"))
            for j, point in enumerate(points):
                x = _num(point[0]) if isinstance(point, list) and point else None
                if x is not None and lo is not None and hi is not None and not lo <= x <= hi:
                    self.add(
                        f"{path}.points[{j}]",
                        f"value {x:g} is outside the range of '{issue_id}' ({lo:g} to {hi:g})",
                    )
        elif kind == "members":
            candidates = self._candidates(issue)
            if any(c not in self.teams for c in candidates):
                return  # the issue names an unknown candidate: that is the problem to report
            scored = _dict(weight.get("members"))
            for member in scored:
                if isinstance(member, str) and IDENT.match(member) and member not in candidates:
                    self.add(
                        f"{path}.members.{member}",
                        _unknown("candidate", member, candidates, f"issue '{issue_id}'"),
                    )
            missing = [c for c in candidates if c not in scored]
            if missing:
                self.add(
                    f"{path}.members",
                    f"no score for candidate(s) {', '.join(missing)} of '{issue_id}' "
                    "(give every candidate a score in [0, 1])",
                )

    # operations

    def _check_operation(self, path: str, op: dict) -> None:
        self._region(f"{path}.region", op.get("region"))
        lead = self._team(f"{path}.lead", op.get("lead"))
        if (
            lead is not None
            and op.get("lead_kind", "regional") == "regional"
            and lead.get("kind") not in ORGANISATIONS
        ):
            self.add(
                f"{path}.lead",
                f"a regional lead must be a regional or subregional organisation; "
                f"'{lead.get('id')}' is a {lead.get('kind')} (use lead_kind: un or joint)",
            )
        requirements = _dict(op.get("requirements"))
        for key in ("requirement_weights", "deployed"):
            for resource in _dict(op.get(key)):
                if isinstance(resource, str) and resource not in requirements:
                    self.add(
                        f"{path}.{key}.{resource}",
                        f"'{resource}' is not among the requirements "
                        f"({_names(map(str, requirements))})",
                    )
        self._round(f"{path}.needed_from_round", op.get("needed_from_round"), "needed from")
        ident = op.get("id")
        shared = any(
            _dict(item).get("kind") == "burden_sharing" and _dict(item).get("operation") == ident
            for item in self.items.values()
        )
        if not shared:
            return
        deployed = _dict(op.get("deployed"))
        for resource, need in requirements.items():
            need = _num(need)
            if need is None:
                continue
            have = _num(deployed.get(resource)) or 0.0
            holders = {}
            for tid, team in self.teams.items():
                amount = _num(_dict(team.get("resources")).get(resource))
                if amount:
                    holders[tid] = amount
            total = have + sum(holders.values())
            if total < need:
                self.add(
                    f"{path}.requirements.{resource}",
                    f"no coalition can cover {need:g} {resource}: deployed {have:g} plus every "
                    f"team's {resource} ({_names(holders) or 'no team has any'}) make only "
                    f"{total:g}",
                )

    # agenda items

    def _electorate(self, item: dict) -> list[str]:
        voters = item.get("voters", "all")
        if voters == "all":
            return list(self.teams)
        if voters == "council":
            members = [t for t, team in self.teams.items() if self._member(team)]
            return members + list(self.council)
        return [v for v in _list(voters) if isinstance(v, str)]

    @staticmethod
    def _member(team: dict) -> bool:
        return _dict(team.get("council")).get("member") is True

    def _check_item(self, path: str, item: dict) -> None:
        kind = item.get("kind")
        ident = item.get("id")
        partner = item.get("partner")
        if kind == "mou":
            team = self._team(f"{path}.partner", partner)
            if team is not None and team.get("kind") not in ORGANISATIONS:
                self.add(
                    f"{path}.partner",
                    f"an MOU's partner is a regional or subregional organisation; "
                    f"'{partner}' is a {team.get('kind')}",
                )
        elif partner is not None:
            self.add(f"{path}.partner", "partner is only read for an MOU item (kind: mou)")
        op = item.get("operation")
        if kind in ("burden_sharing", "authorisation"):
            if isinstance(op, str) and op not in self.operations:
                self.add(f"{path}.operation", _unknown("operation", op, self.operations))
        elif op is not None:
            self.add(
                f"{path}.operation",
                "operation is only read for burden_sharing and authorisation items",
            )
        voters = item.get("voters", "all")
        if isinstance(voters, list):
            for j, voter in enumerate(voters):
                self._team(f"{path}.voters[{j}]", voter, allow_council=True)
        electorate = self._electorate(item)
        self._check_rule(path, item, electorate)
        issues = _list(item.get("issues"))
        self._unique(f"{path}.issues", issues, "issue")
        for j, issue in enumerate(issues):
            if isinstance(issue, dict):
                self._check_issue(f"{path}.issues[{j}]", item, issue)
        if kind == "committee" and not any(
            _dict(i).get("kind") == "members" and _dict(i).get("role") == "members" for i in issues
        ):
            self.add(
                f"{path}.issues",
                "a committee item needs a members issue (kind: members, role: members): "
                "its members' institutionalisation grows",
            )
        if kind == "authorisation" and op is None:
            for j, issue in enumerate(issues):
                role = _dict(issue).get("role")
                if role in ("lead", "mandate", "duration"):
                    self.add(
                        f"{path}.issues[{j}].role",
                        f"a {role} issue only takes effect on an authorisation of an operation: "
                        "name the operation, or use role: other",
                    )
        if item.get("hidden") is True and not any(
            _dict(e).get("kind") == "open_item" and _dict(e).get("item") == ident
            for inject in self.injects.values()
            for e in _list(inject.get("effects"))
        ):
            self.add(
                f"{path}.hidden",
                f"'{ident}' is hidden but no inject opens it (add an inject with an "
                f"open_item effect for '{ident}')",
            )
        weighted = [i for i in issues if _dict(i).get("kind") != "contributions"]
        if weighted and isinstance(ident, str):
            owners = list(self.teams.values()) + list(self.council.values())
            if not any(ident in _dict(o.get("weights")) for o in owners):
                self.add(
                    path,
                    f"no team has weights for '{ident}', so no outcome of it is worth anything "
                    "to anyone",
                )

    def _check_issue(self, path: str, item: dict, issue: dict) -> None:
        kind = _str(issue.get("kind", "choice"))
        role = _str(issue.get("role", "other"))
        item_kind = item.get("kind")
        ident = issue.get("id")
        if kind == "contributions" and item_kind != "burden_sharing":
            self.add(f"{path}.kind", "a contributions issue belongs in a burden_sharing item")
        wanted = {
            "members": "members",
            "duration": "number",
            "standby": "number",
            "lead": "choice",
            "mandate": "choice",
            "consultation": "choice",
            "information": "choice",
        }.get(role)
        if wanted and kind != wanted:
            self.add(f"{path}.role", f"a {role} issue must be of kind {wanted}, not {kind}")
        candidates = issue.get("candidates")
        if isinstance(candidates, list):
            for j, c in enumerate(candidates):
                self._team(f"{path}.candidates[{j}]", c)
            if kind != "members":
                self.add(f"{path}.candidates", "candidates are only read for a members issue")
        if kind == "members":
            pool = self._candidates(issue)
            low = issue.get("min_members", 1)
            if isinstance(low, int) and low > len(pool):
                self.add(
                    f"{path}.min_members",
                    f"at least {low} members are needed but only {len(pool)} may be chosen",
                )
        if kind == "number":
            lo, hi, step = _num(issue.get("min")), _num(issue.get("max")), _num(issue.get("step"))
            if lo is not None and hi is not None and step and hi > lo:
                steps = (hi - lo) / step
                if abs(steps - round(steps)) > 1e-9:
                    self.add(
                        f"{path}.step",
                        f"max {hi:g} is not reachable from min {lo:g} in steps of {step:g}",
                    )
        self._unique(f"{path}.options", issue.get("options"), "option")
        for j, option in enumerate(_list(issue.get("options"))):
            option = _dict(option)
            opath = f"{path}.options[{j}]"
            team = self._team(f"{opath}.team", option.get("team"))
            if role == "lead":
                lead_kind = option.get("lead_kind")
                if lead_kind is None:
                    self.add(
                        opath,
                        f"an option of the lead issue '{ident}' needs a lead_kind "
                        "(un, regional or joint)",
                    )
                if (
                    team is not None
                    and lead_kind in ("regional", "joint")
                    and team.get("kind") not in ORGANISATIONS
                ):
                    self.add(
                        f"{opath}.team",
                        f"a {lead_kind} lead is an organisation; '{option.get('team')}' is a "
                        f"{team.get('kind')}",
                    )
            elif option.get("lead_kind") is not None or option.get("team") is not None:
                self.add(opath, "lead_kind and team are only read on the options of a lead issue")
            if (
                role in ("consultation", "information", "mandate")
                and option.get("strength") is None
            ):
                self.add(
                    f"{opath}.strength",
                    f"options of a {role} issue need a strength in [0, 1]: the security model "
                    "reads it",
                )

    def _check_rule(self, path: str, item: dict, electorate: list[str]) -> None:
        rule = item.get("rule")
        if not isinstance(rule, dict):
            return
        rpath = f"{path}.rule"
        kind = rule.get("kind")
        known = [v for v in electorate if v in self.teams or v in self.council]
        voters = item.get("voters", "all")
        if not known and (voters in ("all", "council") or isinstance(voters, list)):
            where = (
                "no team has council.member: true and there are no Council non-player voters"
                if item.get("voters") == "council"
                else "the voter list names no known team"
            )
            self.add(f"{path}.voters", f"nobody may vote on this item: {where}")
        if not known:
            return
        if kind == "weighted":
            for voter in _dict(rule.get("weights")):
                if not isinstance(voter, str) or not IDENT.match(voter):
                    continue
                if voter not in self.teams and voter not in self.council:
                    self.add(
                        f"{rpath}.weights.{voter}",
                        _unknown("voter", voter, list(self.teams) + list(self.council)),
                    )
                elif voter not in known:
                    self.add(
                        f"{rpath}.weights.{voter}",
                        f"'{voter}' does not vote on this item, so its weight never counts",
                    )
        specific = False
        if kind == "security_council":
            need = rule.get("affirmative", 9)
            if isinstance(need, int) and need > len(known):
                specific = True
                self.add(
                    f"{rpath}.affirmative" if "affirmative" in rule else rpath,
                    f"needs {need} affirmative votes but the Council here has {len(known)} "
                    f"members ({_names(known)}); add Council members (teams with council.member "
                    "or non-player voters under council) or lower affirmative",
                )
        if kind == "qualified_majority":
            k = rule.get("k")
            if isinstance(k, int) and k > len(known):
                specific = True
                self.add(f"{rpath}.k", f"needs {k} yes votes but only {len(known)} may vote")
        if kind == "double_majority":
            missing = [v for v in known if not _num(self._voter(v).get("population"))]
            if missing:
                specific = True
                self.add(
                    rpath,
                    f"a double majority counts population, but {_names(missing)} "
                    "give none (set population, in millions)",
                )
        if not specific:
            self._can_pass(rpath, rule, known)

    def _voter(self, ident: str) -> dict:
        return self.teams.get(ident) or self.council.get(ident) or {}

    def _can_pass(self, path: str, rule: dict, voters: list[str]) -> None:
        test = _can_ever_pass()
        if test is None:
            return
        try:
            parsed = _RULE.validate_python(rule)
        except ValidationError:
            return  # the schema pass reports it
        from game.decision_rules import Voter

        electorate = []
        for ident in voters:
            entry = self._voter(ident)
            seat = _dict(entry.get("council")) if ident in self.teams else entry
            electorate.append(
                Voter(
                    id=ident,
                    permanent=seat.get("permanent") is True,
                    veto=seat.get("veto") is True,
                    population=_num(entry.get("population")) or 0.0,
                )
            )
        try:
            ok = test(parsed, electorate)
        except NotImplementedError:
            return
        if not ok:
            self.add(
                path,
                f"this {rule.get('kind')} rule can never pass: even if all {len(voters)} "
                f"eligible voters ({_names(voters)}) vote yes, the text is not adopted",
            )

    # rounds, injects, declassification

    def _check_rounds(self) -> None:
        phases = _list(_dict(self.data.get("rounds")).get("phases"))
        for i, phase in enumerate(phases):
            phase = _dict(phase)
            ppath = f"rounds.phases[{i}]"
            for j, r in enumerate(_list(phase.get("rounds"))):
                if isinstance(r, int) and self.rounds is not None and not 1 <= r <= self.rounds:
                    self.add(
                        f"{ppath}.rounds[{j}]",
                        f"round {r} does not exist: rounds run from 1 to {self.rounds}",
                    )
            actors = phase.get("actors")
            if isinstance(actors, list):
                for j, actor in enumerate(actors):
                    self._team(f"{ppath}.actors[{j}]", actor)
            kind = phase.get("kind")
            for key, owner in (
                ("turn_seconds", "formal"),
                ("turn_cap", "formal"),
                ("ballot_seconds", "voting"),
            ):
                if phase.get(key) is not None and kind != owner:
                    self.add(f"{ppath}.{key}", f"{key} is only read in a {owner} phase")
        if self.rounds is None or not phases:
            return
        for r in range(1, self.rounds + 1):
            kinds = {
                _str(_dict(p).get("kind"))
                for p in phases
                if not isinstance(_dict(p).get("rounds"), list) or r in _dict(p)["rounds"]
            }
            for needed, why in (
                ("voting", "nothing can be adopted"),
                ("resolution", "adopted texts do not take effect and security does not move"),
            ):
                if needed not in kinds:
                    self.add(
                        "rounds.phases",
                        f"round {r} has no {needed} phase, so in that round {why} (check "
                        "the phases' rounds lists)",
                    )

    def _check_inject(self, path: str, inject: dict) -> None:
        audience = inject.get("audience")
        if isinstance(audience, list):
            for j, team in enumerate(audience):
                self._team(f"{path}.audience[{j}]", team)
        at = inject.get("at")
        if isinstance(at, dict):
            r = at.get("round")
            self._round(f"{path}.at.round", r, "scheduled for")
            phase_id = at.get("phase")
            if isinstance(phase_id, str):
                if phase_id not in self.phases:
                    self.add(f"{path}.at.phase", _unknown("phase", phase_id, self.phases))
                else:
                    runs = self.phases[phase_id].get("rounds")
                    if isinstance(runs, list) and isinstance(r, int) and r not in runs:
                        self.add(
                            f"{path}.at.phase",
                            f"phase '{phase_id}' does not run in round {r} (only in "
                            f"{', '.join(map(str, runs))}), so this inject never fires",
                        )
        cond = inject.get("condition")
        if isinstance(cond, dict):
            self._check_condition(f"{path}.condition", cond)
        for j, effect in enumerate(_list(inject.get("effects"))):
            if isinstance(effect, dict):
                self._check_effect(f"{path}.effects[{j}]", effect)

    def _check_condition(self, path: str, cond: dict) -> None:
        kind = cond.get("kind")
        if kind in ("all_of", "any_of"):
            key = "all" if kind == "all_of" else "any"
            for j, sub in enumerate(_list(cond.get(key))):
                if isinstance(sub, dict):
                    self._check_condition(f"{path}.{key}[{j}]", sub)
            return
        if "region" in cond:
            self._region(f"{path}.region", cond.get("region"))
        team = self._team(f"{path}.team", cond.get("team")) if "team" in cond else None
        item = self._item(f"{path}.item", cond.get("item")) if "item" in cond else None
        if "by_round" in cond:
            self._round(f"{path}.by_round", cond.get("by_round"), "checked by")
        if kind == "option_adopted" and item is not None:
            issues = self._issues(item)
            issue_id = cond.get("issue")
            if isinstance(issue_id, str):
                if issue_id not in issues:
                    self.add(
                        f"{path}.issue", _unknown("issue", issue_id, issues, f"'{item.get('id')}'")
                    )
                else:
                    issue = issues[issue_id]
                    options = self._options(issue)
                    opt = cond.get("option")
                    if issue.get("kind", "choice") != "choice":
                        self.add(f"{path}.issue", f"'{issue_id}' is not a choice issue")
                    elif isinstance(opt, str) and opt not in options:
                        self.add(
                            f"{path}.option",
                            _unknown("option", opt, options, f"issue '{issue_id}'"),
                        )
        if kind == "member_of" and item is not None:
            members = [i for i in self._issues(item).values() if _dict(i).get("kind") == "members"]
            if not members:
                self.add(f"{path}.item", f"'{item.get('id')}' has no members issue")
            elif team is not None and not any(
                team.get("id") in self._candidates(i) for i in members
            ):
                self.add(
                    f"{path}.team",
                    f"'{team.get('id')}' is not a candidate of '{item.get('id')}', so this "
                    "never holds",
                )
        if kind == "resources_below" and team is not None:
            resource = cond.get("resource")
            tid = team.get("id")
            if (
                isinstance(resource, str)
                and resource not in _dict(team.get("resources"))
                and resource not in self.given.get(str(tid), set())
            ):
                self.add(
                    f"{path}.resource",
                    f"'{tid}' has no '{resource}' and no inject gives it any "
                    f"(its resources: {_names(map(str, _dict(team.get('resources')))) or 'none'})",
                )

    def _check_effect(self, path: str, effect: dict) -> None:
        kind = effect.get("kind")
        if "region" in effect:
            self._region(f"{path}.region", effect.get("region"))
        if "team" in effect:
            self._team(f"{path}.team", effect.get("team"))
        if kind == "change_resources":
            resource = effect.get("resource")
            required = {r for op in self.operations.values() for r in _dict(op.get("requirements"))}
            if isinstance(resource, str) and resource not in self.resources | required:
                self.add(
                    f"{path}.resource",
                    _unknown("resource", resource, self.resources | required),
                )
        if kind in ("open_item", "close_item"):
            item = self._item(f"{path}.item", effect.get("item"))
            if kind == "open_item" and item is not None and item.get("hidden") is not True:
                self.add(
                    f"{path}.item",
                    f"'{item.get('id')}' is not hidden, so opening it does nothing "
                    "(set hidden: true on the item)",
                )

    def _check_declassify(self) -> None:
        for key, value in _dict(self.data.get("declassify")).items():
            self._round(f"declassify.{key}", value, "opens after")


_RULE: TypeAdapter[Any] = TypeAdapter(DecisionRule)


def _can_ever_pass() -> Callable[[Any, list], bool] | None:
    """`game.decision_rules.can_ever_pass`, when the rules module provides it."""
    from game import decision_rules

    return getattr(decision_rules, "can_ever_pass", None)
